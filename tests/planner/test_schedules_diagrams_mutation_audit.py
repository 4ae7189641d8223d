"""What the schedule readings, the fake ARNs, the component and loop diagrams and the JSON plan decide,
where a mutation audit found no test holding it.

A hand-mutation audit of planner/schedules.py, planner/arns.py, planner/diagram.py,
planner/loop_diagram.py and planner/report.py: 197 one-step mutations of the decision and arithmetic
logic (46, 30, 25, 70 and 26), each run against the tests that cover its module (test_cost_schedules,
test_schedules_critical_path_semantics, test_plan_figures_semantics, test_batch_processing_cost,
test_pricing_semantics, test_cost_mutation_audit, tests/components test_batch_scoring;
test_mocks_names_semantics, test_api_models; test_diagram, tests/test_readme; test_loop_diagram,
test_loop_pipeline_monitors, test_report_semantics; tests/delivery test_plan_summary and test_cli,
test_report_semantics, test_plan_engine_mutation_audit, test_config_first, test_diagram,
test_plan_figures_semantics, test_processing_run_cost, test_budget, test_loop_diagram). 146 were
caught; 51 survived. Of those, 34 are caught by a test here, 1 exposed a product bug (fixed, see
CHANGELOG.md), 2 are caught by tests/stacks/test_first_deploy.py (outside the files above), 11 are
equivalent and 3 are left alone (below). The 5 mutations tried of the fixed lines are all caught.

schedules.py (46 mutations, 6 survived: 2 caught now, 1 bug, 3 equivalent): a range ending outside
its field (hour 25, minute 75, day 32) is refused, not counted as runs spilling into the next day; a
cron expression with a seventh field is refused as unsupported (which the estimate notes), not a
bare ValueError that ends the plan.

arns.py (30 mutations, 1 survived: 1 caught now): only a rule's ARN names its custom bus.

diagram.py (25 mutations, 6 survived: 2 caught now, 3 equivalent, 1 left alone): a cloud resource
directly under the stack is no node and draws no edge; a type token not of three parts names no area.

report.py (26 mutations, 9 survived: 5 caught now, 2 caught elsewhere, 2 equivalent): the summary's
``components`` leaves the stack out, ``protected`` counts ``protect`` (not ``retain_on_delete``),
``undecided_checks`` counts checks (not policies); each resource carries its own ``protect`` and
``retain_on_delete``. ``deferred_endpoints`` emptied and ``warnings`` dropped survive the files above
but fail tests/stacks/test_first_deploy.py.

loop_diagram.py (70 mutations, 29 survived: 24 caught now, 3 equivalent, 2 left alone): a pipeline
that tunes is training even with a Transform step; an alarm is a pipeline's only when the pipeline
puts its metric name as well as its namespace, and a live-drift alarm stays the monitor's when a
training pipeline also puts its metric; a name that is not a string names nothing; only a
model-server Deployment is a Kubernetes serving, and one of canaries only counts 0 primaries; a model
naming its group's ARN, or a shadow variant running a registry version, links the endpoint to the
registry; ARNs are looked up among cloud resources (a component exporting its topic's ARN does not
hide the topic); a topic only a rule targets is paged; an API destination starts no pipeline; a rule
that starts nothing and pages no one is not drawn; a pending (not approved) version dispatches
nothing; the deploy workflow deploys only the servings of the approved group, the environment after
the payload's ``source_environment``, or this stack's servings when that is outside the promotion
order or unknown; only api.github.com is GitHub; a Model Monitor schedule on an endpoint outside the
stack is not drawn, and an alarm naming both its schedule and its endpoint is the monitor's; a
subscription to the approvals topic is an approvals subscription; a PrometheusRule watches a serving
its expression selects, and one watching no serving is not drawn.

Equivalent (11):

- schedules.py ``?`` dropped from a field's ``*`` branch: a whole ``?`` day field never reaches it
  (read as None before) and AWS (and components/schedules.py) refuse ``?`` in any other field;
- schedules.py a ``?`` day-of-month or day-of-week read through the field's values instead of as
  None (2 mutations): every day 1-31 or 1-7 fires on the same days as "any day";
- diagram.py the owner memo skipped: ``owner`` is a pure function of the graph, the memo saves time;
- diagram.py ``parent is None`` dropped: every recorded resource but the stack has a recorded parent
  (Pulumi parents everything to the stack; the dev, staging and prod recordings have none without);
- diagram.py owners filtered to the graph's URNs: ``owner`` stores only URNs it found in the graph;
- report.py ``not plan.cost`` read as ``plan.cost is None``: CostEstimate defines neither ``__bool__``
  nor ``__len__``, so an estimate is always true;
- report.py ``path.is_absolute()`` dropped: the working directory is absolute, so a relative path is
  never relative to it;
- loop_diagram.py ``_values_under`` not looking inside a value found under its key: every caller
  flattens what it yields to strings, which already include those of a nested occurrence;
- loop_diagram.py the approval rules' targets counted as paged: a topic an approval rule targets is
  the approvals topic by the branch before, and ``paged`` is read for topics only;
- loop_diagram.py the Alertmanager root route matched too: Alertmanager refuses matchers on the root
  route, and a route without matchers is skipped either way.

Left alone (3), each a question of what the diagram should mean rather than a gap:

- diagram.py a provider nested in a component owned by it: its inputs (a kubeconfig from a cluster
  component) would then draw an edge. Every provider the stacks record is at the stack's root, and
  whether a provider's inputs are the component's data flow is the maintainers' call;
- loop_diagram.py a Pipe's source of any type (a Kinesis stream) taking the batching role: it shows
  only when a rule targets that source, and the node is labelled "SQS + Pipe batching";
- loop_diagram.py a rule's API destination targets connected like its other targets: it differs only
  when a rule other than the approval rule targets the approval's own destination (which would start
  the deploy workflow); no stack does.

The bug (with its CHANGELOG.md entry): a stepped range that wraps (``FRI-MON/2``) was read without
its step, as every day from Friday to Monday (mutation: the step applied to each half of the wrap,
which survived because nothing held the wrap's step). It now steps across the wrap, Friday and Sunday.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pulumi_aws as aws
import pytest

from planner.arns import Arns
from planner.diagram import component_edges, render_mermaid, top_level_components
from planner.loop_diagram import LIVE_DRIFT, derive_loop, label
from planner.recorder import record_program
from planner.report import Plan, to_json
from planner.schedules import UnsupportedSchedule, parse_cron, runs_per_month
from tests.planner.test_critical_path import component, graph, resource
from tests.planner.test_loop_pipeline_monitors import _watching_program
from tests.planner.test_report_semantics import (
    ALARM,
    ENDPOINT,
    FUNCTION,
    PIPELINE,
    RULE,
    TARGET,
    TOPIC,
    _arn,
    _deployment,
    _graph,
    _pipeline,
    _resource,
    _rule,
    _urn,
)

ARNS = Arns("eu-west-1", "123456789012")


# -- schedules.py ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "expression",
    [
        pytest.param("cron(0 9-25 ? * * *)", id="hour-range-past-23"),
        pytest.param("cron(50-75 * ? * * *)", id="minute-range-past-59"),
        pytest.param("cron(0 3 1-32 * ? *)", id="day-range-past-31"),
    ],
)
def test_a_range_ending_outside_its_field_is_refused_not_counted_as_more_runs(expression: str) -> None:
    """Hours 24 and 25 do not exist: counting them would add runs that spill into the next day."""
    with pytest.raises(UnsupportedSchedule):
        runs_per_month(expression)


def test_an_expression_with_a_seventh_field_is_refused_as_unsupported() -> None:
    """The estimate notes an unsupported schedule and goes on; a bare ValueError would end the plan."""
    with pytest.raises(UnsupportedSchedule):
        parse_cron("cron(0 7 ? * MON-FRI 2026 2027)")


def test_a_stepped_day_of_week_range_steps_across_the_wrap() -> None:
    """``FRI-MON/2`` is every other day from Friday: Friday and Sunday (as AWS's Quartz-style cron
    reads a range that wraps), not all four days; 2025 has 52 of each."""
    assert parse_cron("cron(0 3 ? * FRI-MON/2 *)").days_of_week == {4, 6}  # Python: Monday 0
    assert runs_per_month("cron(0 3 ? * FRI-MON/2 *)") == pytest.approx(2 * 52 / 12)
    assert parse_cron("cron(0 3 ? * SAT-TUE/3 *)").days_of_week == {5, 1}
    assert parse_cron("cron(0 3 ? * FRI-MON *)").days_of_week == {4, 5, 6, 0}


def test_a_stepped_range_steps_across_the_wrap_in_every_field() -> None:
    """The same wrap in 0-based fields (minutes, hours) and 1-based ones (days of the month, months)."""
    wrapped = parse_cron("cron(50-10/15 22-2/3 30-2/2 NOV-FEB/2 ? *)")
    assert wrapped.minutes == {50, 5}
    assert wrapped.hours == {22, 1}
    assert wrapped.days_of_month == {30, 1}
    assert wrapped.months == {11, 1}


# -- arns.py --------------------------------------------------------------------------------------
def test_only_a_rule_carries_its_custom_bus_in_its_arn() -> None:
    """``rule/<bus>/<name>``; an archive or a connection on that bus is ``<kind>/<name>``."""
    assert ARNS.events("rule", "r", bus="ops").endswith(":rule/ops/r")
    assert ARNS.events("archive", "a", bus="ops") == "arn:aws:events:eu-west-1:123456789012:archive/a"


# -- diagram.py -----------------------------------------------------------------------------------
def test_a_cloud_resource_directly_under_the_stack_is_no_node_and_draws_no_edge() -> None:
    """Nodes are components: a bucket registered at the stack's root belongs to none, so the key it
    reads from ``left`` draws no edge, and it is not drawn as a component of its own."""
    left = component("left")
    key = resource("key", "test:k:Key", parent=left)
    bare = resource("bare", "aws:s3/bucket:Bucket", data=[key])
    recorded = graph(left, key, bare)

    assert bare.urn not in top_level_components(recorded)
    assert component_edges(recorded) == set()
    assert "bare" not in render_mermaid(recorded)


def test_a_type_token_not_of_three_parts_is_grouped_under_other() -> None:
    """``<pkg>:<area>:<Name>`` names the area; a token of another shape names no area."""
    text = render_mermaid(graph(component("odd", "mlops:serving:Endpoint:v2")))

    assert "subgraph area_other[other]" in text and "area_serving" not in text
    assert "<small>mlops:serving:Endpoint:v2</small>" in text


# -- report.py ------------------------------------------------------------------------------------
def test_the_json_summary_counts_components_protection_and_undecided_checks() -> None:
    """``components`` leaves the stack out; ``protected`` is ``protect`` (not ``retain_on_delete``);
    ``undecided_checks`` counts checks, not the policies that have them."""
    left = component("left")
    inner = component("inner", parent=left)
    kept = replace(resource("kept", "aws:s3/bucket:Bucket", parent=left), protect=True)
    retained = [
        replace(resource(name, "aws:s3/bucket:Bucket", parent=inner), retain_on_delete=True)
        for name in ("logs", "archive")
    ]
    plan = Plan(graph=graph(left, inner, kept, *retained), undecided={"p1": 3, "p2": 0, "p3": 1})

    summary = to_json(plan)["summary"]

    assert summary["components"] == 2
    assert summary["resources"] == 3
    assert summary["protected"] == 1
    assert summary["undecided_checks"] == 4


def test_each_resource_in_the_json_carries_its_own_protect_and_retain_on_delete() -> None:
    """A reviewer reads these to know what `pulumi destroy` keeps: the two flags are not one."""
    kept = replace(resource("kept", "aws:s3/bucket:Bucket"), protect=True)
    retained = replace(resource("retained", "aws:s3/bucket:Bucket"), retain_on_delete=True)

    by_name = {entry["name"]: entry for entry in to_json(Plan(graph=graph(kept, retained)))["resources"]}

    assert (by_name["kept"]["protect"], by_name["kept"]["retain_on_delete"]) == (True, False)
    assert (by_name["retained"]["protect"], by_name["retained"]["retain_on_delete"]) == (False, True)


# -- loop_diagram.py ------------------------------------------------------------------------------
GROUP = "aws:sagemaker/modelPackageGroup:ModelPackageGroup"
MODEL = "aws:sagemaker/model:Model"
ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
GROUP_ARN = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/churn"


def _served(*, production: str | None = None, shadow: str | None = None) -> list:
    """A package group ``churn`` and an endpoint whose production and shadow variants run the models
    named (``m`` names the group's version 3, ``other`` a model of no registry)."""
    models = [
        _resource(
            MODEL, "m", {"primaryContainer": {"modelPackageName": f"{GROUP_ARN.replace('-group', '')}/3"}}
        ),
        _resource(MODEL, "other", {"primaryContainer": {"image": "x"}}),
    ]
    config = {
        "productionVariants": [{"variantName": "v", "modelName": production}] if production else [],
        "shadowProductionVariants": [{"variantName": "s", "modelName": shadow}] if shadow else [],
    }
    return [
        _resource(GROUP, "churn", {"modelPackageGroupName": "churn"}),
        *models,
        _resource(ENDPOINT_CONFIG, "ep-config", config),
        _resource(ENDPOINT, "ep", {"endpointConfigName": "ep-config"}),
    ]


def test_a_pipeline_that_tunes_and_transforms_is_training_not_batch_scoring() -> None:
    loop = derive_loop(_graph(_pipeline("tune", "Tuning", "Transform")))

    assert loop.members["pipeline"] == {_urn(PIPELINE, "tune")}
    assert "batch_scoring" not in loop.members


def test_an_alarm_is_a_pipelines_only_when_the_pipeline_puts_its_metric_name_too() -> None:
    """The namespace alone is shared by every metric in it: an alarm on another metric there is not
    the pipeline's."""
    arguments = ["--namespace", "Team/Drift", "--metric", "Share"]
    steps = [{"Name": "p", "Type": "Processing", "Arguments": {"ContainerArguments": arguments}}]
    pipeline = _resource(PIPELINE, "train", {"pipelineDefinition": json.dumps({"Steps": steps})})
    share = _resource(ALARM, "share", {"name": "share", "namespace": "Team/Drift", "metricName": "Share"})
    other = _resource(ALARM, "other", {"name": "other", "namespace": "Team/Drift", "metricName": "Latency"})

    loop = derive_loop(_graph(pipeline, share, other))

    assert loop.members["pipeline_alarms"] == {share.urn}


def test_a_name_that_is_not_a_string_names_nothing() -> None:
    """A Deployment whose component label is not a string (a value the plan could not resolve) is no
    model server, and reading it does not end the diagram."""

    def deployment(component: object) -> object:
        labels = {"app.kubernetes.io/component": component}
        return _resource(
            "kubernetes:apps/v1:Deployment", "odd", {"metadata": {"name": "odd", "labels": labels}}
        )

    assert "k8s_serving" not in derive_loop(_graph(deployment(["model-server"]))).members
    assert "k8s_serving" in derive_loop(_graph(deployment("model-server"))).members  # the control


def test_only_a_model_server_deployment_is_a_kubernetes_serving() -> None:
    loop = derive_loop(_graph(_deployment("churn", "model-server"), _deployment("feature-api", "api")))

    assert loop.members["k8s_serving"] == {_urn("kubernetes:apps/v1:Deployment", "churn")}


def test_an_endpoint_serves_the_registry_version_a_model_names_by_its_group_arn() -> None:
    resources = _served(production="m")
    resources[1] = _resource(MODEL, "m", {"primaryContainer": {"modelPackageName": GROUP_ARN}})

    loop = derive_loop(_graph(*resources))

    assert loop.edges[("registry", "endpoint")].text == "approved version"


def test_a_shadow_variant_running_a_registry_version_links_the_endpoint_to_the_registry() -> None:
    shadowing = derive_loop(_graph(*_served(production="other", shadow="m")))
    unregistered = derive_loop(_graph(*_served(production="other")))

    assert ("registry", "endpoint") in shadowing.pairs
    assert ("registry", "endpoint") not in unregistered.pairs


def test_a_component_exporting_its_topics_arn_does_not_hide_the_topic_from_the_alarm() -> None:
    """Components register before their children; an ARN is looked up among cloud resources only."""
    holder = replace(
        _resource("mlops:alerts:Alerts", "alerts", custom=False), outputs={"arn": _arn("alerts")}
    )
    topic = _resource(TOPIC, "alerts")
    alarm = _resource(
        ALARM,
        "latency",
        {"name": "latency", "dimensions": {"EndpointName": "ep"}, "alarmActions": [_arn("alerts")]},
    )
    endpoint = [
        _resource(ENDPOINT_CONFIG, "ep-config", {"productionVariants": []}),
        _resource(ENDPOINT, "ep", {"endpointConfigName": "ep-config"}),
    ]

    loop = derive_loop(_graph(holder, topic, alarm, *endpoint))

    assert ("endpoint_alarms", "alert_topic") in loop.pairs


def test_a_topic_only_a_failure_rule_targets_is_the_alert_topic() -> None:
    """No alarm acts on it: the rule's target (by URN) makes it paged."""
    topic = _resource(TOPIC, "alerts")
    failed = json.dumps({"detail-type": ["SageMaker Model Building Pipeline Execution Status Change"]})

    loop = derive_loop(_graph(topic, *_rule("failed", topic, eventPattern=failed)))

    assert loop.members["alert_topic"] == {topic.urn}
    assert ("failure_rules", "alert_topic") in loop.pairs


def test_an_api_destination_naming_the_pipeline_does_not_start_it() -> None:
    """An API destination posts outside the account: a schedule rule that targets one starts no
    pipeline, whatever its URL names."""
    pipeline = _pipeline("train", "Training")
    hook = _resource(
        "aws:cloudwatch/eventApiDestination:EventApiDestination",
        "hook",
        {"invocationEndpoint": "https://hooks.example.com/train"},
    )

    loop = derive_loop(_graph(pipeline, hook, *_rule("nightly", hook, scheduleExpression="rate(1 day)")))
    started = derive_loop(_graph(pipeline, *_rule("nightly", pipeline, scheduleExpression="rate(1 day)")))

    assert "schedule" not in loop.members
    assert not [role for role in loop.members if role.startswith("target:")]
    assert "schedule" in started.members  # the control: the same rule targeting the pipeline


def test_a_rule_that_starts_no_pipeline_and_pages_no_one_is_not_drawn() -> None:
    """An S3 event rule feeding a Lambda that names no pipeline is no new-data rule, and a rule that
    targets only that Lambda is no failure rule."""
    cleanup = _resource(FUNCTION, "cleanup", {"handler": "x"})
    uploads = _rule("uploads", cleanup, eventPattern=json.dumps({"source": ["aws.s3"]}))
    other = _rule("other", cleanup, eventPattern=json.dumps({"source": ["aws.ec2"]}))

    loop = derive_loop(_graph(_pipeline("train", "Training"), cleanup, *uploads, *other))

    assert not {"new_data_rule", "failure_rules"} & set(loop.members)


DESTINATION = "aws:cloudwatch/eventApiDestination:EventApiDestination"
GITHUB = "https://api.github.com/repos/acme/platform/dispatches"


def _dispatching(
    source: str | None, *, environment: str | None = "prod", url: str = GITHUB
) -> tuple[list, dict]:
    """Groups ``churn`` and ``other``; an endpoint serving ``other`` and a Kubernetes serving of
    ``churn``; an approval rule on ``churn`` dispatching to ``url`` with ``source`` as the payload's
    ``source_environment``, and a rule on ``churn``'s pending versions posting to another destination."""
    version = f"{GROUP_ARN.replace('-group', '')}/3"
    serving = _deployment("churn", "model-server")
    serving = replace(serving, inputs={**serving.inputs, "spec": {"containers": [{"args": [version]}]}})
    payload = {"client_payload": {"source_environment": source} if source else {}}

    def on(status: str) -> str:
        detail = {"ModelPackageGroupName": ["churn"], "ModelApprovalStatus": [status]}
        return json.dumps({"detail-type": ["SageMaker Model Package State Change"], "detail": detail})

    resources = [
        _resource(GROUP, "churn", {"modelPackageGroupName": "churn"}),
        _resource(GROUP, "other", {"modelPackageGroupName": "other"}),
        _resource(MODEL, "m", {"primaryContainer": {"modelPackageName": version.replace("churn", "other")}}),
        _resource(
            ENDPOINT_CONFIG, "ep-config", {"productionVariants": [{"variantName": "v", "modelName": "m"}]}
        ),
        _resource(ENDPOINT, "ep", {"endpointConfigName": "ep-config"}),
        serving,
        _resource(DESTINATION, "dispatch", {"invocationEndpoint": url}),
        _resource(DESTINATION, "audit", {"invocationEndpoint": "https://audit.example.com/log"}),
        _resource(RULE, "approved", {"eventPattern": on("Approved")}),
        _resource(
            TARGET,
            "approved-target",
            {
                "rule": "approved",
                "arn": _arn("dispatch"),
                "inputTransformer": {"inputTemplate": json.dumps(payload)},
            },
        ),
        _resource(RULE, "pending", {"eventPattern": on("PendingManualApproval")}),
        _resource(TARGET, "pending-target", {"rule": "pending", "arn": _arn("audit")}),
    ]
    config = {"mlops-platform:platform": {"environment": environment}} if environment else {}
    return resources, config


def test_the_last_environments_approval_deploys_only_the_servings_of_the_approved_group() -> None:
    resources, config = _dispatching("prod")
    loop = derive_loop(_graph(*resources, config=config))

    assert loop.members["dispatch"] == {_urn(DESTINATION, "dispatch")}, "a pending version dispatches nothing"
    assert loop.details["deploy"] == {"repo:acme/platform"}
    assert loop.edges[("deploy", "k8s_serving")].text == "pulumi up"
    assert ("deploy", "endpoint") not in loop.pairs, "the endpoint serves another group"
    assert "next_stacks" not in loop.members


def test_the_payloads_source_environment_names_the_environment_deployed_next() -> None:
    resources, config = _dispatching("staging", environment=None)

    assert derive_loop(_graph(*resources, config=config)).members["next_stacks"] == {"prod"}


@pytest.mark.parametrize(
    ("source", "environment"), [("sandbox", "prod"), (None, None)], ids=["unknown-source", "no-environment"]
)
def test_a_dispatch_from_outside_the_promotion_order_deploys_this_stacks_servings(
    source: str | None, environment: str | None
) -> None:
    resources, config = _dispatching(source, environment=environment)
    loop = derive_loop(_graph(*resources, config=config))

    assert "next_stacks" not in loop.members
    assert ("deploy", "k8s_serving") in loop.pairs


def test_a_dispatch_to_a_host_other_than_github_is_not_a_github_repository() -> None:
    resources, config = _dispatching("prod", url="https://ci.example.com/repos/acme/platform/dispatches")
    loop = derive_loop(_graph(*resources, config=config))

    assert loop.details["deploy"] == {"host:ci.example.com"}
    assert "GitHub" not in label("deploy", loop)


SCHEDULE = "aws:sagemaker/monitoringSchedule:MonitoringSchedule"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
PROMETHEUS_RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"


def _monitored(*endpoint_names: str) -> list:
    """Endpoint ``ep`` (capturing) and a data-quality schedule per name in ``endpoint_names``."""
    config = {"productionVariants": [], "dataCaptureConfig": {"enableCapture": True}}
    schedules = [
        _resource(
            SCHEDULE,
            f"{name}-dq",
            {
                "name": f"{name}-dq",
                "monitoringScheduleConfig": {
                    "monitoringType": "DataQuality",
                    "monitoringJobDefinition": {"endpointInput": {"endpointName": name}},
                },
            },
        )
        for name in endpoint_names
    ]
    return [
        _resource(ENDPOINT_CONFIG, "ep-config", config),
        _resource(ENDPOINT, "ep", {"endpointConfigName": "ep-config"}),
        *schedules,
    ]


def test_a_monitoring_schedule_on_an_endpoint_outside_the_stack_is_not_drawn() -> None:
    loop = derive_loop(_graph(*_monitored("ep", "elsewhere")))

    assert loop.members["monitor:DataQuality"] == {_urn(SCHEDULE, "ep-dq")}


def test_an_alarm_on_a_schedules_metric_is_the_monitors_even_when_it_names_the_endpoint_too() -> None:
    """Model Monitor metrics carry both ``MonitoringSchedule`` and ``EndpointName``: the schedule
    decides whose alarm it is."""
    dimensions = {"MonitoringSchedule": "ep-dq", "EndpointName": "ep"}
    alarm = _resource(ALARM, "drift", {"name": "drift", "dimensions": dimensions})

    loop = derive_loop(_graph(*_monitored("ep"), alarm))

    assert loop.members["alarms:DataQuality"] == {alarm.urn}
    assert "endpoint_alarms" not in loop.members
    assert ("monitor:DataQuality", "alarms:DataQuality") in loop.pairs


def test_a_subscription_to_the_approvals_topic_is_an_approvals_subscription() -> None:
    """Approvers are subscribed in the deliver lane; only the alert topic's subscribers are paged."""
    approvals, alerts = _resource(TOPIC, "approvals"), _resource(TOPIC, "alerts")
    pattern = {
        "detail-type": ["SageMaker Model Package State Change"],
        "detail": {"ModelApprovalStatus": ["Approved"]},
    }
    alarm = _resource(ALARM, "latency", {"name": "latency", "alarmActions": [_arn("alerts")]})
    subscriptions = [
        _resource(SUBSCRIPTION, f"{topic}-email", {"topic": _arn(topic), "protocol": "email"})
        for topic in ("approvals", "alerts")
    ]

    loop = derive_loop(
        _graph(
            approvals,
            alerts,
            alarm,
            *_rule("approved", approvals, eventPattern=json.dumps(pattern)),
            *subscriptions,
        )
    )

    assert loop.members["approvals_subscriptions"] == {subscriptions[0].urn}
    assert loop.members["alert_subscriptions"] == {subscriptions[1].urn}


def _prometheus_rule(spec: dict) -> object:
    return _resource(PROMETHEUS_RULE, "alerts", {"spec": spec})


def test_a_prometheus_rule_watches_a_serving_its_expression_names() -> None:
    """No ``serving`` label: the alert's expression selects ``service="churn"``."""
    alert = {"alert": "ChurnErrors", "expr": 'rate(errors{service="churn"}[5m]) > 1', "labels": {}}
    rule = _prometheus_rule({"groups": [{"rules": [alert]}]})

    loop = derive_loop(_graph(_deployment("churn", "model-server"), rule))

    assert ("k8s_serving", "prometheus_rule") in loop.pairs


def test_a_prometheus_rule_that_watches_no_serving_is_not_drawn() -> None:
    def rule(service: str) -> object:
        alert = {"alert": "NodeDown", "expr": "up == 0", "labels": {"service": service}}
        return _prometheus_rule({"groups": [{"rules": [alert]}]})

    serving = _deployment("churn", "model-server")
    assert "prometheus_rule" not in derive_loop(_graph(serving, rule("node-exporter"))).members
    assert "prometheus_rule" in derive_loop(_graph(serving, rule("churn"))).members  # the control


def test_a_kubernetes_serving_of_canaries_only_counts_no_primary() -> None:
    loop = derive_loop(_graph(_deployment("churn-canary", "model-server-canary")))

    assert label("k8s_serving", loop) == "0 Kubernetes servings<br/>canary"


def test_an_alarm_on_a_metric_a_live_drift_pipeline_puts_is_its_monitors_whoever_else_puts_it() -> None:
    """A training pipeline that reports the same drift share does not turn the live-drift alarm
    into a pipeline metric alarm."""
    publish = ["--namespace", "Team/Drift", "--dimension", "Pipeline=endpoint-churn", "--metric", "Share"]
    steps = [
        {"Name": "Train", "Type": "Training"},
        {"Name": "Publish", "Type": "Processing", "Arguments": {"ContainerArguments": publish}},
    ]

    def program() -> None:
        _watching_program("s3://capture/churn/churn/")
        aws.sagemaker.Pipeline(
            "trainer",
            pipeline_name="churn-train",
            pipeline_display_name="churn-train",
            role_arn="arn:aws:iam::123456789012:role/p",
            pipeline_definition=json.dumps({"Version": "2020-12-01", "Steps": steps}),
        )

    loop = derive_loop(record_program(program))

    assert set(loop.members) >= {"pipeline", f"monitor:{LIVE_DRIFT}", f"alarms:{LIVE_DRIFT}"}
    assert "pipeline_alarms" not in loop.members
    assert {
        ("pipeline", f"alarms:{LIVE_DRIFT}"),
        (f"monitor:{LIVE_DRIFT}", f"alarms:{LIVE_DRIFT}"),
    } <= loop.pairs
