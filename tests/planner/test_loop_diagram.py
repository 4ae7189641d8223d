"""The MLOps loop diagram (`--format loop`, the README's loop): derived from the plan's references,
so a node or an edge is there exactly when the stack has it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

import planner.__main__ as cli
from planner.loop_diagram import MONITOR_KINDS, ROLES, derive_loop, node_id, render, render_loop
from planner.readme import LOOP_BEGIN, LOOP_DOCUMENT, LOOP_END, current_block, render_loop_block
from planner.recorder import ResourceGraph, record_program
from planner.report import Plan
from stacks.config import CONFIG_KEY
from tests.conftest import load_stack_document, stack_path
from tests.recorded import recorded_stack
from tests.stacks.test_champion_challenger import SHADOW_TEST, champion_challenger
from tests.yaml_text import dump_document

IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn-server@sha256:" + "a" * 64
NODE = re.compile(r'^    (l_\w+)\["([^"]*)"\]$')
EDGE = re.compile(r"^  (l_\w+) (-->|-\.->)(?:\|([a-z ]+)\|)? (l_\w+)$")


def _kubernetes(platform: dict[str, Any], alerting: dict[str, Any], **serving: Any) -> None:
    platform["kubernetes_serving"] = {
        "cluster_arn": "arn:aws:eks:eu-west-1:333333333333:cluster/ml",
        "servings": [{"name": "churn-gpu", "image": IMAGE, **serving}],
        "monitoring": {"grafana_admin_secret": {"name": "grafana-admin"}, "alerting": alerting},
    }


def _record(
    tmp_path_factory: pytest.TempPathFactory, edit: Callable[[dict[str, Any]], None]
) -> ResourceGraph:
    document = load_stack_document("prod")
    edit(document["config"][CONFIG_KEY])
    if "kubernetes_serving" in document["config"][CONFIG_KEY]:
        document["config"]["mlops-platform:kubeconfig"] = "apiVersion: v1"
    path = tmp_path_factory.mktemp("loop") / "Pulumi.prod.yaml"
    path.write_text(dump_document(document))
    return recorded_stack(str(path))


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    """Prod without approval dispatch and without retraining on alarms; a Kubernetes serving of its
    own image that pages a webhook."""

    def edit(platform: dict[str, Any]) -> None:
        del platform["delivery"]
        platform["training"] = {**platform.get("training", {}), "drift_retraining": False}
        _kubernetes(platform, {"destination": "webhook", "webhook_url": "https://hooks.example.com/ml"})

    return _record(tmp_path_factory, edit)


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    """Prod with a champion, a challenger and a shadow test, and a Kubernetes serving of the
    family's approved version that pages the alert topic."""

    def edit(platform: dict[str, Any]) -> None:
        champion_challenger(platform)
        platform["endpoints"][0]["shadow_test"] = SHADOW_TEST
        _kubernetes(platform, {"destination": "sns"}, latest_approved_of="customer-churn")

    return _record(tmp_path_factory, edit)


def _parsed(text: str) -> tuple[dict[str, str], set[tuple[str, str]], dict[tuple[str, str], str]]:
    nodes = {m.group(1): m.group(2) for line in text.splitlines() if (m := NODE.match(line))}
    matches = [m for line in text.splitlines() if (m := EDGE.match(line))]
    edges = {(m.group(1), m.group(4)) for m in matches}
    arrows = {(m.group(1), m.group(4)): m.group(2) for m in matches}
    return nodes, edges, arrows


def _reachable(pairs: set[tuple[str, str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        for source, target in pairs:
            if source == node and target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _solid(loop) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return {pair for pair, edge in loop.edges.items() if not edge.dotted}


# -- the prod loop ----------------------------------------------------------------------------------


def test_the_prod_loop_closes_from_training_through_serving_back_to_training(stack_graphs) -> None:
    loop = derive_loop(stack_graphs["prod"])
    solid = _solid(loop)

    chain = [
        ("data", "new_data_rule"),
        ("new_data_rule", "batch"),
        ("batch", "pipeline"),
        ("schedule", "pipeline"),
        ("pipeline", "registry"),
        ("registry", "approval_rule"),
        ("approval_rule", "approvals_topic"),
        ("approval_rule", "dispatch"),
        ("dispatch", "deploy"),
        ("deploy", "endpoint"),
        ("endpoint", "capture"),
        ("capture", "monitor:DataQuality"),
        ("capture", "monitor:ModelQuality"),
        ("monitor:DataQuality", "alarms:DataQuality"),
        ("monitor:ModelQuality", "alarms:ModelQuality"),
        ("alarms:DataQuality", "retrain_rule"),
        ("alarms:ModelQuality", "retrain_rule"),
        ("failure_rules", "alert_topic"),
        ("alarms:ModelQuality", "alert_topic"),
        ("endpoint_alarms", "alert_topic"),
        ("alert_topic", "alert_subscriptions"),
    ]
    for pair in chain:
        assert pair in solid, pair
    # Retraining reaches the pipeline directly or through what the rule targets (a state machine).
    assert "pipeline" in _reachable(solid, "retrain_rule")
    # The loop closes: the pipeline's versions reach the endpoint, whose monitors start the pipeline.
    assert {"endpoint", "retrain_rule", "pipeline"} <= _reachable(solid, "pipeline")
    assert "pipeline" in _reachable(solid, "endpoint")
    assert not {r for r in loop.members if r in ("k8s_serving", "prometheus_rule", "alertmanager")}


def test_the_prod_loop_counts_what_it_groups(stack_graphs) -> None:
    prod = stack_graphs["prod"]
    loop = derive_loop(prod)
    failure_rules = [
        r for r in prod.of_type("aws:cloudwatch/eventRule:EventRule") if r.name.startswith("failure-")
    ]

    assert len(loop.members["failure_rules"]) == len(failure_rules) > 1
    nodes, _, _ = _parsed(render(loop))
    assert nodes[node_id("failure_rules")] == f"{len(failure_rules)} failure rules"
    assert nodes[node_id("alarms:ModelQuality")] == "2 model-quality alarms"
    assert nodes[node_id("deploy")] == "GitHub deploy workflow<br/>my-org/mlops-platform"
    assert nodes[node_id("alert_subscriptions")] == "subscription<br/>email"


def test_dotted_edges_are_references_that_are_not_steps(stack_graphs) -> None:
    loop = derive_loop(stack_graphs["prod"])

    assert loop.edges[("registry", "endpoint")].dotted, "the endpoint serves the approved version"
    assert loop.edges[("endpoint_alarms", "endpoint")].dotted, "its rollback alarms"
    assert loop.edges[("pipeline", "failure_rules")].dotted, "a failure rule names the pipeline"
    [gate] = [role for role in loop.members if role.startswith("target:")]
    assert loop.edges[(gate, "failure_rules")].dotted, "and the retraining gate between rule and pipeline"
    assert not loop.edges[("deploy", "endpoint")].dotted


def test_an_approval_deploys_the_next_environment_or_prods_own_servings(stack_graphs) -> None:
    for stack, deployed in (("dev", "staging"), ("staging", "prod")):
        loop = derive_loop(stack_graphs[stack])
        assert ("deploy", "next_stacks") in loop.pairs and ("deploy", "endpoint") not in loop.pairs
        assert _parsed(render(loop))[0][node_id("next_stacks")] == f"{deployed} stacks"
    prod = derive_loop(stack_graphs["prod"])
    assert ("deploy", "endpoint") in prod.pairs and "next_stacks" not in prod.members


# -- links exist only when the stack has them -------------------------------------------------------


def test_without_approval_dispatch_there_is_no_dispatch_edge(stack_graphs, bare) -> None:
    loop = derive_loop(bare)

    assert not {"dispatch", "deploy"} & set(loop.members)
    assert not any("dispatch" in pair or "deploy" in pair for pair in loop.pairs)
    assert ("approval_rule", "approvals_topic") in loop.pairs, "approvals are still published"
    assert ("approval_rule", "dispatch") in derive_loop(stack_graphs["prod"]).pairs


def test_without_drift_retraining_no_alarm_starts_the_pipeline(bare) -> None:
    loop = derive_loop(bare)

    assert "retrain_rule" not in loop.members
    for alarms in ("alarms:DataQuality", "alarms:ModelQuality"):
        assert "pipeline" not in _reachable(loop.pairs, alarms), alarms
        assert (alarms, "alert_topic") in loop.pairs, "the alarms still page"
    assert ("schedule", "pipeline") in loop.pairs


def test_kubernetes_nodes_appear_only_with_kubernetes_serving(stack_graphs, bare, full) -> None:
    for stack in ("dev", "staging", "prod"):
        text = render_loop(stack_graphs[stack])
        assert "Kubernetes" not in text and "Alertmanager" not in text and "PrometheusRule" not in text

    webhook = derive_loop(bare)
    assert {
        ("k8s_serving", "prometheus_rule"),
        ("prometheus_rule", "alertmanager"),
        ("alertmanager", "webhook"),
    } <= (webhook.pairs)
    assert ("alertmanager", "alert_topic") not in webhook.pairs
    assert ("registry", "k8s_serving") not in webhook.pairs, "it serves its own image's model"
    assert "hooks.example.com" in render(webhook)

    sns = derive_loop(full)
    assert {
        ("alertmanager", "alert_topic"),
        ("registry", "k8s_serving"),
        ("deploy", "k8s_serving"),
    } <= sns.pairs
    assert "webhook" not in sns.members


def test_every_monitor_kind_reads_the_captured_data(all_monitors_graph) -> None:
    loop = derive_loop(all_monitors_graph)

    for kind in ("DataQuality", "ModelQuality", "ModelBias", "ModelExplainability"):
        assert ("capture", f"monitor:{kind}") in loop.pairs, kind
    nodes, _, _ = _parsed(render(loop))
    assert {nodes[node_id("monitor:ModelBias")], nodes[node_id("monitor:ModelExplainability")]} == {
        "bias monitor",
        "explainability monitor",
    }


def test_variants_and_the_shadow_test_are_counted_on_the_endpoint(stack_graphs, full) -> None:
    nodes, edges, _ = _parsed(render_loop(full))

    assert nodes[node_id("endpoint")] == "SageMaker endpoint<br/>2 variants"
    assert (node_id("endpoint"), node_id("shadow_test")) in edges
    assert nodes[node_id("endpoint_alarms")].endswith("endpoint alarms")
    assert "shadow_test" not in derive_loop(stack_graphs["prod"]).members


def test_a_trigger_target_of_any_type_between_a_rule_and_the_pipeline_is_drawn() -> None:
    """A rule that starts the pipeline through something this module has no name for (here a
    Lambda function naming the pipeline) gets that node; a target naming no pipeline gets none."""

    def program() -> None:
        pipeline = aws.sagemaker.Pipeline(
            "pipeline",
            pipeline_name="p-training",
            pipeline_display_name="p-training",
            role_arn="arn:aws:iam::123456789012:role/p",
            pipeline_definition=json.dumps({"Version": "2020-12-01", "Steps": []}),
        )
        alarm = aws.cloudwatch.MetricAlarm(
            "drift", name="p-drift", comparison_operator="GreaterThanThreshold", evaluation_periods=1
        )
        pattern = alarm.name.apply(
            lambda alarm_name: json.dumps(
                {
                    "source": ["aws.cloudwatch"],
                    "detail-type": ["CloudWatch Alarm State Change"],
                    "detail": {"alarmName": [alarm_name], "state": {"value": ["ALARM"]}},
                }
            )
        )
        functions = {
            name: aws.lambda_.Function(
                name,
                role="arn:aws:iam::123456789012:role/f",
                runtime="python3.12",
                handler="index.handler",
                code=pulumi.AssetArchive({}),
                environment={"variables": {"PIPELINE": environment}},
            )
            for name, environment in (
                ("gate", pipeline.pipeline_name),
                ("gate-2", pipeline.pipeline_name),
                ("other", "p-training-archive"),
            )
        }
        # Two rules start the first gate, one the second; the third function names no pipeline.
        for rule_name, function in (("a", "gate"), ("b", "gate"), ("c", "gate-2"), ("d", "other")):
            rule = aws.cloudwatch.EventRule(rule_name, event_pattern=pattern)
            aws.cloudwatch.EventTarget(rule_name, rule=rule.name, arn=functions[function].arn)

    loop = derive_loop(record_program(program))

    assert len(loop.members["retrain_rule"]) == 3, "the rule whose target names no pipeline is not one"
    assert {("retrain_rule", "target:Function"), ("target:Function", "pipeline")} <= loop.pairs
    assert "2 Lambda functions" in render(loop)


# -- Mermaid ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["dev", "staging", "prod", "bare", "full", "all-monitors"])
def test_the_mermaid_is_valid_ids_are_safe_and_labels_quoted(
    name, stack_graphs, bare, full, all_monitors_graph
) -> None:
    graph = {"bare": bare, "full": full, "all-monitors": all_monitors_graph}.get(name) or stack_graphs[name]
    text = render_loop(graph)
    lines = text.splitlines()
    nodes, edges, _ = _parsed(text)

    assert lines[0] == "flowchart LR" and text.endswith("\n")
    assert sum(line.startswith("  subgraph ") for line in lines) == lines.count("  end")
    for line in lines[1:]:
        assert (
            NODE.match(line)
            or EDGE.match(line)
            or line == "  end"
            or re.match(r'^  subgraph lane_\w+\["[^"]+"\]$', line)
        ), line
    assert nodes and edges
    for source, target in edges:
        assert source in nodes and target in nodes
    assert all(re.fullmatch(r"l_[A-Za-z0-9_]+", node) for node in nodes)
    assert text == render_loop(graph), "the same graph renders the same text"


def test_node_ids_are_safe_for_mermaid_and_distinct() -> None:
    assert node_id("monitor:DataQuality") == "l_dq"
    assert node_id("target:StateMachine") == "l_target_StateMachine"
    assert node_id("end") == "l_end", "a bare `end` would close a subgraph"
    assert node_id("o") == "l_o", "a leading o or x reads as an arrow head"
    known = [*ROLES, *(f"{prefix}:{kind}" for prefix in ("monitor", "alarms") for kind in MONITOR_KINDS)]
    ids = [node_id(role) for role in known]
    assert len(set(ids)) == len(ids)
    assert not any(i.startswith(("l_monitor_", "l_alarms_", "l_target_")) for i in ids)


def test_format_loop_prints_the_loop(monkeypatch, capsys, stack_graphs) -> None:
    prod = stack_graphs["prod"]
    monkeypatch.setattr(cli, "build_plan", lambda path, registry: Plan(graph=prod))

    assert cli.main(["--config", str(stack_path("prod")), "--format", "loop"]) == cli.EXIT_OK
    assert capsys.readouterr().out == render_loop(prod)


def test_the_readme_loop_is_current(stack_graphs) -> None:
    """Regenerate with `make diagram` when this fails."""
    text = LOOP_DOCUMENT.read_text()

    assert current_block(text, LOOP_BEGIN, LOOP_END) == render_loop_block(stack_graphs["prod"]), (
        "run `make diagram`"
    )
    assert "## The MLOps loop" in text
