"""What the plan's outputs for people and CI mean: the loop diagram, the text report, the exit status.

A mutation audit of planner/loop_diagram.py, planner/report_text.py and planner/__main__.py (150
one-step mutations; 79 survived the existing tests, 70 of them real) found behaviour the existing
tests saw present but none pinned. In the loop diagram: an edge from a node to itself, a dotted
reference overwriting a solid step or an earlier reference, a pipeline with a Transform step after
its training drawn as batch scoring, a topic nobody pages (async inference results) drawn as an
alert topic, a schedule rule that starts no pipeline drawn as one, a target that merely depends on
an IAM role read as reaching a pipeline, a Pipe feeding something else drawn as training batching,
an endpoint config with capture disabled drawn as capturing, a schedule without a monitoring type
not read as data quality, "2 data-quality monitor" without its plural, the endpoint's variants
counting its shadow variants or "2 variants" shown for two single-variant endpoints, a Kubernetes
serving counted as its own canary or "0 canaries" printed, an Alertmanager route matched on one of
its matchers instead of all, a webhook shown by its whole URL, a deploy workflow called GitHub when
one of several is not, a double quote ending the Mermaid label, empty lanes drawn, and the
approvals subscriptions drawn in the paging lane (the two "subscription" nodes differ only by
lane). In the text report: the header's resource and protected counts, providers listed in the
tree, components counted as resources, the lock on a resource that is only retained, deferred
endpoints unsorted or miscounted, program warnings read as rich markup, the min and max columns
swapped, the unpriced lines and lower-bound notes, training-run hours, the budget's ratio inverted,
the critical path's estimate and serial sum swapped or its chain reversed, undecided checks counted
per rule or unsorted, violations not listed mandatory first, in one colour, or without "(stack)".
On the command line: a usage error's usage on stdout, --stack and --config accepted together,
--registry not reaching the recorder (or another default), the JSON plan without its final
newline, a text plan wrapped at 80 columns in CI, EXIT_FAILED redefined as 1 (the tests compared
the constant with itself), and a one-shot `python -m planner` whose crash exits with Python's 1.
Each test here fails under at least one such mutation.

Left as equivalent (9): a node's count shown for 0 members, an Alertmanager root route with
matchers, a rule's edge to an API destination that is not the dispatch (no graph reaches these), a
$0 training run and a budget limit of 0 (the config requires > 0), type tokens without three parts,
a Plan with no undecided map (the CLI always has one), the JSON's indent (CI parses it), and
validating the stack file inside rather than before ``build_plan``.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
from typing import Any

import pytest
from rich.console import Console

import planner.__main__ as cli
from planner.cost import ComponentCost, CostEstimate, CostItem, TrainingRunCost, Unpriced
from planner.critical_path import CriticalPath, Step
from planner.loop_diagram import Loop, derive_loop, label, render
from planner.policy_check import PolicyResults
from planner.recorder import STACK_TYPE, RecordedResource, ResourceGraph
from planner.report import Plan, PlanViolation
from planner.report_text import render_text, short_type
from tests.conftest import stack_path

RULE = "aws:cloudwatch/eventRule:EventRule"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"
PIPELINE = "aws:sagemaker/pipeline:Pipeline"
TOPIC = "aws:sns/topic:Topic"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
FUNCTION = "aws:lambda/function:Function"
ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
ALARM_CHANGE = json.dumps(
    {"detail-type": ["CloudWatch Alarm State Change"], "detail": {"alarmName": ["drift"]}}
)


def _resource(
    type_token: str,
    name: str,
    inputs: dict[str, Any] | None = None,
    *,
    custom: bool = True,
    parent: str | None = None,
    depends: dict[str, tuple[str, ...]] | None = None,
    protect: bool = False,
    retain: bool = False,
) -> RecordedResource:
    return RecordedResource(
        urn=_urn(type_token, name),
        type=type_token,
        name=name,
        custom=custom,
        parent=parent,
        dependencies=tuple(urn for urns in (depends or {}).values() for urn in urns),
        property_dependencies=depends or {},
        inputs=inputs or {},
        outputs={"arn": _arn(name), "name": name, "id": name, **(inputs or {})},
        provider=None,
        protect=protect,
        retain_on_delete=retain,
        id=name,
    )


def _urn(type_token: str, name: str) -> str:
    return f"urn:pulumi:t::p::{type_token}::{name}"


def _arn(name: str) -> str:
    return f"arn:aws:test:eu-west-1:111111111111:{name}"


def _graph(*resources: RecordedResource, **fields: Any) -> ResourceGraph:
    return ResourceGraph(stack="t", source="Pulumi.t.yaml", resources=resources, **fields)


def _pipeline(name: str, *step_types: str) -> RecordedResource:
    steps = [{"Name": f"s{i}", "Type": kind} for i, kind in enumerate(step_types)]
    return _resource(PIPELINE, name, {"pipelineDefinition": json.dumps({"Steps": steps})})


def _rule(name: str, target: RecordedResource, **inputs: Any) -> tuple[RecordedResource, RecordedResource]:
    return _resource(RULE, name, inputs), _resource(
        TARGET, f"{name}-target", {"rule": name, "arn": _arn(target.name)}
    )


def _endpoint(name: str, variants: int, *, shadows: int = 0, capture: bool = False) -> list[RecordedResource]:
    config = {
        "productionVariants": [{"variantName": f"v{i}", "modelName": "m"} for i in range(variants)],
        "shadowProductionVariants": [{"variantName": f"s{i}", "modelName": "m"} for i in range(shadows)],
        "dataCaptureConfig": {"enableCapture": capture, "destinationS3Uri": "s3://capture"},
    }
    return [
        _resource(ENDPOINT_CONFIG, f"{name}-config", config),
        _resource(ENDPOINT, name, {"endpointConfigName": f"{name}-config"}),
    ]


def _deployment(name: str, component: str) -> RecordedResource:
    labels = {"app.kubernetes.io/component": component}
    return _resource("kubernetes:apps/v1:Deployment", name, {"metadata": {"name": name, "labels": labels}})


# -- the loop: what derive_loop reads from the graph -------------------------------------------------


def test_an_edge_never_loops_on_its_node_and_a_solid_step_wins_over_a_dotted_reference() -> None:
    loop = Loop()
    loop.add("pipeline", "p")
    loop.add("registry", "r")
    loop.connect("pipeline", "pipeline")
    loop.connect("pipeline", "registry", dotted=True, text="reference")
    loop.connect("pipeline", "registry", text="registers")
    loop.connect("pipeline", "registry", dotted=True, text="reference again")

    assert list(loop.edges) == [("pipeline", "registry")]
    edge = loop.edges[("pipeline", "registry")]
    assert (edge.dotted, edge.text) == (False, "registers")

    loop.connect("registry", "pipeline", dotted=True, text="first reference")
    loop.connect("registry", "pipeline", dotted=True, text="second reference")
    assert loop.edges[("registry", "pipeline")].text == "first reference", "a reference replaces no edge"


def test_a_pipeline_that_trains_is_training_even_with_a_transform_step() -> None:
    loop = derive_loop(
        _graph(
            _pipeline("train", "Processing", "Training", "Transform"),
            _pipeline("score", "Processing", "Transform"),
        )
    )

    assert loop.members["pipeline"] == {_urn(PIPELINE, "train")}
    assert loop.members["batch_scoring"] == {_urn(PIPELINE, "score")}


def _conditional(name: str, top: list[str], branch: list[str]) -> RecordedResource:
    """A pipeline of ``top`` steps and a Condition whose if-branch holds ``branch`` steps."""
    steps: list[dict[str, Any]] = [{"Name": f"s{i}", "Type": kind} for i, kind in enumerate(top)]
    nested = [{"Name": f"c{i}", "Type": kind} for i, kind in enumerate(branch)]
    steps.append({"Name": "check", "Type": "Condition", "Arguments": {"IfSteps": nested, "ElseSteps": []}})
    return _resource(PIPELINE, name, {"pipelineDefinition": json.dumps({"Steps": steps})})


def test_a_pipelines_kind_counts_the_steps_of_its_conditions() -> None:
    loop = derive_loop(
        _graph(
            _conditional("retrain-when-worse", ["Transform"], ["Training"]),
            _conditional("score-when-ready", ["Processing"], ["Transform"]),
            _pipeline("bare-condition", "Processing", "Condition"),  # no Arguments: nothing nested
        )
    )

    assert loop.members["pipeline"] == {
        _urn(PIPELINE, "retrain-when-worse"),
        _urn(PIPELINE, "bare-condition"),
    }
    assert loop.members["batch_scoring"] == {_urn(PIPELINE, "score-when-ready")}


def test_only_a_topic_something_pages_is_an_alert_topic() -> None:
    paged, results = _resource(TOPIC, "alerts"), _resource(TOPIC, "async-results")
    alarm = _resource(ALARM, "latency", {"name": "latency", "alarmActions": [_arn("alerts")]})

    loop = derive_loop(_graph(paged, results, alarm))

    assert loop.members["alert_topic"] == {paged.urn}
    assert results.urn not in {urn for members in loop.members.values() for urn in members}


def test_a_schedule_rule_is_drawn_only_when_it_starts_a_pipeline() -> None:
    pipeline, cleanup = _pipeline("train", "Training"), _resource(FUNCTION, "cleanup", {"handler": "x"})
    nightly = _rule("nightly", pipeline, scheduleExpression="rate(1 day)")
    janitor = _rule("janitor", cleanup, scheduleExpression="rate(1 day)")

    loop = derive_loop(_graph(pipeline, cleanup, *nightly, *janitor))

    assert loop.members["schedule"] == {nightly[0].urn}
    assert ("schedule", "pipeline") in loop.pairs


def test_a_target_that_depends_on_a_role_but_names_no_pipeline_starts_nothing() -> None:
    role = _resource("aws:iam/role:Role", "gate-role")
    gate = _resource(FUNCTION, "gate", {"role": _arn("gate-role")}, depends={"role": (role.urn,)})
    pipeline = _pipeline("train", "Training")

    loop = derive_loop(_graph(role, gate, pipeline, *_rule("on-drift", gate, eventPattern=ALARM_CHANGE)))

    assert "retrain_rule" not in loop.members
    assert not [r for r in loop.members if r.startswith("target:")]


def test_a_pipe_that_feeds_no_pipeline_is_not_training_batching() -> None:
    queue, consumer = _resource("aws:sqs/queue:Queue", "events"), _resource(FUNCTION, "consumer")
    pipe = _resource("aws:pipes/pipe:Pipe", "pipe", {"source": _arn("events"), "target": _arn("consumer")})

    loop = derive_loop(_graph(queue, consumer, pipe, _pipeline("train", "Training")))

    assert "batch" not in loop.members


def test_an_endpoint_counts_its_variants_and_shadow_variants_apart_and_captures_only_when_enabled() -> None:
    one = derive_loop(_graph(*_endpoint("ep", 1, shadows=1)))
    assert label("endpoint", one) == "SageMaker endpoint<br/>1 variant + 1 shadow"
    assert "capture" not in one.members, "capture is configured but not enabled"

    two = derive_loop(_graph(*_endpoint("a", 1, capture=True), *_endpoint("b", 1)))
    assert label("endpoint", two) == "2 SageMaker endpoints", "one variant each: nothing to add"
    assert two.members["capture"] == {_urn(ENDPOINT, "a")}
    assert ("endpoint", "capture") in two.pairs

    three = derive_loop(_graph(*_endpoint("a", 2), *_endpoint("b", 1)))
    assert label("endpoint", three) == "2 SageMaker endpoints<br/>3 variants"


def test_a_schedule_without_a_monitoring_type_is_a_data_quality_monitor() -> None:
    resources = []
    for name in ("a", "b"):
        definition = {"name": f"{name}-dq", "dataQualityJobInput": {"endpointInput": {"endpointName": name}}}
        schedule = {"monitoringScheduleConfig": {"monitoringJobDefinitionName": f"{name}-dq"}}
        resources += [
            *_endpoint(name, 1),
            _resource(
                "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition", f"{name}-dq", definition
            ),
            _resource("aws:sagemaker/monitoringSchedule:MonitoringSchedule", f"{name}-schedule", schedule),
        ]

    loop = derive_loop(_graph(*resources))

    assert [r for r in loop.members if r.startswith("monitor:")] == ["monitor:DataQuality"]
    assert label("monitor:DataQuality", loop) == "2 data-quality monitors"
    assert ("endpoint", "monitor:DataQuality") in loop.pairs


def test_a_kubernetes_serving_is_not_its_own_canary() -> None:
    alone = derive_loop(_graph(_deployment("churn", "model-server")))
    assert label("k8s_serving", alone) == "Kubernetes serving"

    with_canary = derive_loop(
        _graph(_deployment("churn", "model-server"), _deployment("churn-canary", "model-server-canary"))
    )
    assert label("k8s_serving", with_canary) == "Kubernetes serving<br/>canary"


def test_alertmanager_routes_an_alert_only_when_every_matcher_holds() -> None:
    alert = {"alert": "ChurnErrors", "labels": {"serving": "churn", "severity": "page"}}
    rule = _resource(
        "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
        "churn-alerts",
        {"spec": {"groups": [{"rules": [alert]}]}},
    )
    config = {
        "route": {
            "receiver": "null",
            "routes": [
                {"receiver": "hook", "matchers": ['serving="churn"', 'severity="page"']},
                {"receiver": "sns", "matchers": ['serving="churn"', 'severity="ticket"']},
            ],
        },
        "receivers": [
            {"name": "null"},
            {"name": "hook", "webhook_configs": [{"url": "https://hooks.example.com/ml/alerts"}]},
            {"name": "sns", "sns_configs": [{"topic_arn": _arn("alerts")}]},
        ],
    }
    release = _resource(
        "kubernetes:helm.sh/v3:Release", "monitoring", {"values": {"alertmanager": {"config": config}}}
    )

    loop = derive_loop(
        _graph(_deployment("churn", "model-server"), rule, release, _resource(TOPIC, "alerts"))
    )

    assert {
        ("k8s_serving", "prometheus_rule"),
        ("prometheus_rule", "alertmanager"),
        ("alertmanager", "webhook"),
    } <= loop.pairs
    assert ("alertmanager", "alert_topic") not in loop.pairs, "the ticket route's severity does not match"
    assert label("webhook", loop) == "webhook<br/>hooks.example.com"


# -- the loop: labels and Mermaid ----------------------------------------------------------------


def test_a_deploy_workflow_is_github_only_when_every_one_is() -> None:
    loop = Loop()
    loop.add("deploy", "my-org/mlops", "repo:my-org/mlops")
    assert label("deploy", loop) == "GitHub deploy workflow<br/>my-org/mlops"

    loop.add("deploy", "deploy.example.com", "host:deploy.example.com")
    assert label("deploy", loop) == "2 deploy workflows<br/>deploy.example.com, my-org/mlops"


def test_a_double_quote_in_a_label_cannot_end_the_mermaid_string() -> None:
    loop = Loop()
    loop.add("webhook", 'a"b', 'host:a"b')

    assert label("webhook", loop) == "webhook<br/>a#quot;b"


def _lanes(text: str) -> dict[str, list[str]]:
    lanes: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if match := re.match(r'^  subgraph lane_(\w+)\["', line):
            current = lanes.setdefault(match.group(1), [])
        elif line == "  end":
            current = None
        elif current is not None:
            current.append(line.split("[", 1)[0].strip())
    return lanes


def test_each_node_is_drawn_in_its_lane_and_empty_lanes_are_not_drawn() -> None:
    loop = Loop()
    for role in (
        "pipeline",
        "approvals_topic",
        "approvals_subscriptions",
        "alert_topic",
        "alert_subscriptions",
    ):
        loop.add(role, role)

    assert _lanes(render(loop)) == {
        "train": ["l_train"],
        "deliver": ["l_apprsns", "l_apprsubs"],
        "page": ["l_sns", "l_subs"],
    }, "the two 'subscription' nodes differ only by their lane"


# -- the text report -------------------------------------------------------------------------------


def _text(plan: Plan, **console: Any) -> str:
    out = io.StringIO()
    render_text(plan, Console(file=out, width=400, **({"no_color": True} | console)))
    return out.getvalue()


def _tree_graph(**fields: Any) -> ResourceGraph:
    """A stack with a provider, a component holding a protected bucket, a key that is only retained
    and a nested component, and a topic directly under the stack."""
    stack = _resource(STACK_TYPE, "t-t", custom=False)
    network = _resource("mlops:network:Network", "network", custom=False, parent=stack.urn)
    inner = _resource("mlops:network:Endpoints", "inner", custom=False, parent=network.urn)
    return _graph(
        stack,
        _resource("pulumi:providers:aws", "aws-provider", parent=stack.urn),
        network,
        _resource("aws:s3/bucket:Bucket", "data", parent=network.urn, protect=True, retain=True),
        _resource("aws:kms/key:Key", "key", parent=network.urn, retain=True),
        inner,
        _resource("aws:ec2/vpcEndpoint:VpcEndpoint", "s3-endpoint", parent=inner.urn),
        _resource(TOPIC, "alerts", parent=stack.urn),
        **fields,
    )


def test_the_tree_counts_cloud_resources_and_protected_ones_and_lists_no_provider() -> None:
    lines = _text(Plan(graph=_tree_graph())).splitlines()

    assert lines[:7] == [
        "t (Pulumi.t.yaml): 4 resources in 2 components, 1 protected",
        "├── network mlops:network:Network (3 resources)",
        "│   ├── data aws.s3.Bucket 🔒",
        "│   ├── key aws.kms.Key",
        "│   └── inner mlops:network:Endpoints (1 resources)",
        "│       └── s3-endpoint aws.ec2.VpcEndpoint",
        "└── alerts aws.sns.Topic",
    ]


def test_a_type_token_is_shown_as_the_python_sdk_names_its_class() -> None:
    assert short_type("aws:s3/bucketPolicy:BucketPolicy") == "aws.s3.BucketPolicy"
    assert short_type("random:index/randomPassword:RandomPassword") == "random.RandomPassword"


def test_deferred_endpoints_are_counted_and_sorted_and_warnings_are_shown_verbatim() -> None:
    graph = _tree_graph(
        exports={"deferred_endpoints": {"fraud": "fraud-detection", "churn": "customer-churn"}},
        warnings=("set [bold]instance_count[/] to 2",),
    )
    text = _text(Plan(graph=graph))

    assert (
        "Deferred endpoints (2): nothing approved to serve yet, so they are not in the tree above: churn, fraud"
        in text.splitlines()
    )
    assert "warning: set [bold]instance_count[/] to 2" in text.splitlines()


def _cost(*, unpriced: bool) -> CostEstimate:
    item = CostItem("ep", ENDPOINT, "ml.m5.large x 1-2", 100.0, 1200.5)
    runs = (
        TrainingRunCost("train", "Train", "Training", "ml.m5.xlarge", 1, 1, 1, 5400, False, 12.5, 5400),
        TrainingRunCost(
            "tune", "Tune", "Training", "ml.p5.48xlarge", 1, 1, 1, 7200, False, None, 7200, "no price"
        ),
    )
    return CostEstimate(
        currency="USD",
        region="eu-west-1",
        by_component={"serving": ComponentCost(ENDPOINT, (item,))},
        unpriced=(Unpriced("gpu-ep", ENDPOINT, "serving", "no price for ml.p5.48xlarge"),)
        if unpriced
        else (),
        assumptions=(),
        price_table_date="2025-01-01",
        training_runs=runs if unpriced else (),
    )


def _row(text: str, first_cell: str) -> list[str]:
    [row] = [
        cells
        for line in text.splitlines()
        if (cells := [cell.strip() for cell in line.split("│")[1:-1]]) and cells[0] == first_cell
    ]
    return row


def test_a_region_the_price_table_lacks_is_named_with_what_to_do() -> None:
    """An adopter's stack in eu-central-1 (README, "Add a stack"): every line UNPRICED, $0.00, and
    one line saying the table has no such region and how to add it; nothing of it for a priced region
    with one unpriced type."""
    elsewhere = dataclasses.replace(_cost(unpriced=True), region="eu-central-1")
    note = (
        "planner/data/prices.json has no prices for eu-central-1: add the region's list prices for an "
        "estimate (its `refresh` says how; docs/cost.md, Prices)."
    )
    assert note in _text(Plan(graph=_graph(), cost=elsewhere)).splitlines()
    # Nor does its heading claim list prices of a region the table has none of.
    assert "at eu-central-1 list prices" not in _text(Plan(graph=_graph(), cost=elsewhere))
    assert "at eu-central-1, which the price table lacks" in _text(Plan(graph=_graph(), cost=elsewhere))
    assert "has no prices for eu-west-1" not in _text(Plan(graph=_graph(), cost=_cost(unpriced=True)))


def test_the_cost_table_puts_min_before_max_and_flags_a_lower_bound() -> None:
    budget = _resource("aws:budgets/budget:Budget", "budget", {"limitAmount": "1000"})
    text = _text(Plan(graph=_graph(budget), cost=_cost(unpriced=True)))
    lines = text.splitlines()

    assert _row(text, "serving") == ["serving", "ml.m5.large x 1-2", "$100.00", "$1,200.50"]
    assert _row(text, "total") == ["total", "", "$100.00", "$1,200.50"]
    assert "UNPRICED gpu-ep (aws.sagemaker.Endpoint): no price for ml.p5.48xlarge" in lines
    assert "The totals leave the unpriced resources out: they are a lower bound." in lines
    assert (
        "Training run of train: Train: 1 training job on ml.m5.xlarge x 1, at most 1.5 h each: at most $12.50 per run, up to 1.5 h"
        in lines
    )
    assert (
        "Training run of tune: Tune: 1 training job on ml.p5.48xlarge x 1, at most 2 h each: UNPRICED per run, up to 2 h (no price)"
        in lines
    )
    assert (
        "Budget: $1,000.00/month (budget.monthly_limit_usd) beside the estimate's max $1,200.50: 120% of it "
        "(a lower bound: unpriced resources)"
    ) in lines

    priced = _text(Plan(graph=_graph(budget), cost=_cost(unpriced=False))).splitlines()
    assert "The totals leave the unpriced resources out: they are a lower bound." not in priced
    assert (
        "Budget: $1,000.00/month (budget.monthly_limit_usd) beside the estimate's max $1,200.50: 120% of it"
        in priced
    )


def test_the_critical_path_shows_the_estimate_the_serial_sum_and_the_chain_in_order() -> None:
    path = CriticalPath(
        estimated_seconds=1500,
        serial_seconds=4200,
        steps=(Step("vpc", "aws:ec2/vpc:Vpc", 60, 60), Step("endpoint", ENDPOINT, 540, 600)),
        create_times_compiled="2025-01",
        defaulted_types=("aws:x/y:Z",),
    )
    lines = _text(Plan(graph=_graph(), critical_path=path)).splitlines()

    assert (
        "Deployment critical path: ~25 min for a first `pulumi up` (serial sum 70 min): vpc (60s) → endpoint (540s)"
        in lines
    )
    assert (
        "typical create times from planner/data/create_times.json (compiled 2025-01); default time for aws:x/y:Z"
        in lines
    )


def test_every_name_path_and_reason_is_shown_as_text_never_as_markup() -> None:
    """rich reads ``[...]`` as markup: a bracketed name lost its brackets, a ``[/]`` ended the plan
    with a traceback (exit 3) instead of its verdict, trailing backslashes escaped the report's own
    next tag (``rich.markup.escape`` leaves three alone) and ``:ok:`` was an emoji. Each value the
    report shows is text."""
    odd = "a[/]b[bold]c:ok:\\\\\\"
    stack = _resource(STACK_TYPE, "t-t", custom=False)
    group = _resource("mlops:x:Group", odd, custom=False, parent=stack.urn)
    graph = ResourceGraph(
        stack="t[/]\\",
        source="stacks/[team]/Pulumi.t.yaml",
        resources=(stack, group, _resource(TOPIC, odd, parent=group.urn)),
        exports={"deferred_endpoints": {odd: odd}},
    )
    item = CostItem(odd, ENDPOINT, f"ml.m5.large {odd}", 1.0, 2.0)
    cost = CostEstimate(
        currency="USD",
        region="eu-west-1",
        by_component={odd: ComponentCost(ENDPOINT, (item,))},
        unpriced=(Unpriced(odd, ENDPOINT, odd, f"no price [/] {odd}"),),
        assumptions=(),
        price_table_date="2025-01-01",
        training_runs=(
            TrainingRunCost(odd, odd, "Training", "ml.m5.xlarge", 1, 1, 1, 60, False, None, 60, odd),
        ),
    )
    path = CriticalPath(
        estimated_seconds=60,
        serial_seconds=60,
        steps=(Step(odd, ENDPOINT, 60, 60),),
        create_times_compiled="2025-01",
        defaulted_types=(f"aws:{odd}:Z",),
    )
    plan = Plan(graph=graph, cost=cost, critical_path=path, undecided={odd: 1})

    text = _text(plan)

    assert odd.endswith("\\" * 3)
    assert "t[/]\\ (stacks/[team]/Pulumi.t.yaml): 1 resources in 1 components" in text
    assert f"{odd} mlops:x:Group (1 resources)" in text
    assert f"{odd} aws.sns.Topic" in text
    assert f"not in the tree above: {odd}" in text
    assert f"UNPRICED {odd} (aws.sagemaker.Endpoint): no price [/] {odd}" in text
    assert f"Training run of {odd}:" in text and f"({odd})" in text
    assert f"{odd} (60s)" in text and f"default time for aws:{odd}:Z" in text
    assert (
        f"Undecided policy checks: 1, most decided by `pulumi up` on outputs (policies/README.md names "
        f"those none settles): {odd} (1)" in text
    )
    assert _row(text, odd)[:2] == [odd, f"ml.m5.large {odd}"]


def test_undecided_checks_are_summed_per_check_and_listed_by_rule() -> None:
    plan = Plan(graph=_graph(), policies_evaluated=12, undecided={"b-rule": 2, "a-rule": 1, "c-rule": 0})

    assert (
        "Undecided policy checks: 3, most decided by `pulumi up` on outputs (policies/README.md names those "
        "none settles): a-rule (1), b-rule (2)" in _text(plan).splitlines()
    )


def test_violations_list_mandatory_first_and_advisory_ones_are_shown_too() -> None:
    violations = [
        PlanViolation("consider-spot", "advisory", "consider it", resource_name="bucket"),
        PlanViolation("stack-wide", "mandatory", "stack-wide"),
        PlanViolation("encrypt-key", "mandatory", "encrypt it", resource_name="key"),
    ]
    text = _text(Plan(graph=_graph(), violations=violations, policies_evaluated=12))

    assert "Policy violations (2 mandatory)" in text
    rows = [
        cells for line in text.splitlines() if len(cells := [c.strip() for c in line.split("│")[1:-1]]) == 4
    ]
    assert rows == [
        ["encrypt-key", "key", "mandatory", "encrypt it"],
        ["stack-wide", "(stack)", "mandatory", "stack-wide"],
        ["consider-spot", "bucket", "advisory", "consider it"],
    ]
    coloured = _text(
        Plan(graph=_graph(), violations=violations),
        no_color=False,
        force_terminal=True,
        color_system="standard",
    )
    assert "\x1b[31mmandatory" in coloured and "\x1b[33madvisory" in coloured

    advisory_only = _text(Plan(graph=_graph(), violations=violations[:1], policies_evaluated=12))
    assert "Policy violations (0 mandatory)" in advisory_only and "consider-spot" in advisory_only
    assert (
        "Policies: 12 evaluated, no violations."
        in _text(Plan(graph=_graph(), policies_evaluated=12)).splitlines()
    )


# -- the command line: streams and exit statuses -------------------------------------------------


def test_bad_arguments_print_nothing_on_stdout_and_stack_and_config_exclude_each_other(capsys) -> None:
    for argv in (["--format", "yaml"], ["--stack", "prod", "--config", str(stack_path("prod"))]):
        with pytest.raises(SystemExit) as exit_info:
            cli.run(argv)
        assert exit_info.value.code == 3, argv  # documented: no verdict
        out, err = capsys.readouterr()
        assert out == "" and err.startswith("usage: python -m planner"), argv


@pytest.fixture
def planned(monkeypatch) -> list[str]:
    """``main`` over a small hand-built graph: the registries the recorder was asked for."""
    import planner.policy_check
    import planner.recorder

    registries: list[str] = []

    def record(path: Any, registry: str = "stand-in") -> ResourceGraph:
        registries.append(registry)
        return _tree_graph(config={"mlops-platform:platform": {"environment": "dev"}})

    monkeypatch.setattr(planner.recorder, "record_stack_file", record)
    monkeypatch.setattr(planner.policy_check, "check_policies", lambda graph: PolicyResults([], 1))
    return registries


@pytest.mark.parametrize(
    ("argv", "registry"),
    [([], "stand-in"), (["--registry", "stand-in"], "stand-in"), (["--registry", "empty"], "empty")],
)
def test_the_registry_argument_reaches_the_recorder(planned, capsys, argv, registry) -> None:
    assert cli.main(["--config", str(stack_path("dev")), "--format", "json", *argv]) == cli.EXIT_OK
    assert planned == [registry]


@pytest.mark.parametrize("output", ["json", "mermaid", "loop", "text"])
def test_every_format_is_on_stdout_alone_and_ends_its_last_line(planned, capsys, output) -> None:
    assert cli.main(["--config", str(stack_path("dev")), "--format", output]) == cli.EXIT_OK
    out, err = capsys.readouterr()

    assert err == "" and out.endswith("\n") and not out.endswith("\n\n")
    if output == "json":
        assert json.loads(out)["summary"]["resources"] == 4


def test_the_text_plan_off_a_terminal_is_not_wrapped_at_80_columns(monkeypatch, capsys) -> None:
    long_warning = "w" * 120
    graph = _graph(warnings=(long_warning,))
    monkeypatch.setattr(cli, "build_plan", lambda path, registry: Plan(graph=graph))

    assert cli.main(["--config", str(stack_path("dev"))]) == cli.EXIT_OK
    assert f"warning: {long_warning}" in capsys.readouterr().out.splitlines()


def test_a_one_shot_plan_that_crashes_exits_3_with_the_traceback_on_stderr(monkeypatch, capsys) -> None:
    """``python -m planner`` itself (``run(one_shot=True)``, which its ``__main__`` ends the process
    with): Python's own exit status for an uncaught exception, 1, would read as a policy violation
    in CI. In this process, the crash before any fork; a real process crashing in a one-shot plan
    exits 3 in tests/planner/test_definition_composer.py (an unusable cache directory)."""
    import planner.definition_composer as composer

    def crash(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug in the planner")

    monkeypatch.setattr(composer, "parallel_composition", crash)

    status = cli.run(["--stack", "dev"], one_shot=True)

    out, err = capsys.readouterr()
    assert status == 3, err  # documented: no verdict
    assert out == ""
    assert "RuntimeError: a bug in the planner" in err
