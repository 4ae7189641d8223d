"""What the offline plan's per-service mocks (planner/mock_services.py) hand the program: each
resource's id and computed outputs as the provider's create returns them.

A later resource's inputs and the policy pack read these: an id in the wrong format, an output the
provider does not have (or under the wrong wire name) makes a test pass on a value no deployment
would produce. The ids are the provider's (the Terraform bridge's ``d.SetId`` of each resource; an
aws-native resource's is its CloudControl primary identifier, the ARN), the output names are the
provider classes' getters. The mocks are called directly, with no Pulumi program or event loop.
(The ARN formats themselves are pinned in test_mocks_names_semantics.py.)
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from pulumi.runtime import MockResourceArgs

from planner.mock_services import SERVICE_OUTPUTS
from planner.mocks import PlatformMocks
from tests.graph_helpers import resource_class
from tests.recorded import computed_once

REGION = "eu-west-1"
ACCOUNT = "123456789012"
MOCKS = PlatformMocks(REGION, ACCOUNT)
TOPIC_ARN = "arn:aws:sns:eu-west-1:123456789012:alerts"
QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs"
VARIANT = "endpoint/prod-churn/variant/AllTraffic"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def _create(typ: str, name: str, inputs: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    return MOCKS.new_resource(MockResourceArgs(typ, name, dict(inputs or {}), custom=True))


def _computed(typ: str, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """Only what the handler adds (``new_resource`` echoes the inputs besides)."""
    _, state = SERVICE_OUTPUTS[typ](MOCKS, name, f"{name}-abcdef0", dict(inputs))
    return state


# -- ids: the provider's own -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typ", "inputs", "expected"),
    [
        ("aws:sns/topic:Topic", {"name": "alerts"}, TOPIC_ARN),
        ("aws:sns/topicPolicy:TopicPolicy", {"arn": TOPIC_ARN}, TOPIC_ARN),
        ("aws:sqs/queue:Queue", {"name": "jobs"}, QUEUE_URL),
        ("aws:sqs/queuePolicy:QueuePolicy", {"queueUrl": QUEUE_URL}, QUEUE_URL),
        ("aws:ecr/repository:Repository", {"name": "mlops/churn"}, "mlops/churn"),
        ("aws:cloudwatch/eventRule:EventRule", {"name": "r"}, "r"),
        ("aws:cloudwatch/eventRule:EventRule", {"name": "r", "eventBusName": "default"}, "r"),
        ("aws:cloudwatch/eventRule:EventRule", {"name": "r", "eventBusName": "ops"}, "ops/r"),
        ("aws:cloudwatch/eventTarget:EventTarget", {"rule": "r", "targetId": "t"}, "r-t"),
        (
            "aws:cloudwatch/eventTarget:EventTarget",
            {"rule": "r", "targetId": "t", "eventBusName": "default"},
            "r-t",
        ),
        (
            "aws:cloudwatch/eventTarget:EventTarget",
            {"rule": "r", "targetId": "t", "eventBusName": "ops"},
            "ops-r-t",
        ),
        ("aws:cloudwatch/eventBus:EventBus", {"name": "ops"}, "ops"),
        ("aws:cloudwatch/eventConnection:EventConnection", {"name": "c"}, "c"),
        ("aws:cloudwatch/eventApiDestination:EventApiDestination", {"name": "d"}, "d"),
        ("aws:scheduler/schedule:Schedule", {"name": "s"}, "default/s"),
        ("aws:scheduler/schedule:Schedule", {"name": "s", "groupName": "g"}, "g/s"),
        ("aws:scheduler/scheduleGroup:ScheduleGroup", {"name": "g"}, "g"),
        ("aws:pipes/pipe:Pipe", {"name": "p"}, "p"),
        (
            "aws:appautoscaling/target:Target",
            {"resourceId": VARIANT, "serviceNamespace": "sagemaker"},
            VARIANT,
        ),
        (
            "aws:appautoscaling/policy:Policy",
            {"name": "p", "resourceId": VARIANT, "serviceNamespace": "sagemaker"},
            "p",
        ),
        (
            "aws:appautoscaling/scheduledAction:ScheduledAction",
            {"name": "a", "resourceId": VARIANT, "serviceNamespace": "sagemaker"},
            f"a-sagemaker-{VARIANT}",
        ),
        (
            "aws:sfn/stateMachine:StateMachine",
            {"name": "m"},
            "arn:aws:states:eu-west-1:123456789012:stateMachine:m",
        ),
        ("aws:cloudwatch/metricAlarm:MetricAlarm", {"name": "a"}, "a"),
        ("aws:cloudwatch/dashboard:Dashboard", {"dashboardName": "d"}, "d"),
        ("aws:sagemaker/endpoint:Endpoint", {"name": "prod-churn"}, "prod-churn"),
        ("aws:sagemaker/pipeline:Pipeline", {"pipelineName": "train"}, "train"),
        ("aws:sagemaker/modelPackageGroup:ModelPackageGroup", {"modelPackageGroupName": "churn"}, "churn"),
        (
            "aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy",
            {"modelPackageGroupName": "churn"},
            "churn",
        ),
        (
            "aws-native:sagemaker:DataQualityJobDefinition",
            {"jobDefinitionName": "dq"},
            "arn:aws:sagemaker:eu-west-1:123456789012:data-quality-job-definition/dq",
        ),
        (
            "aws-native:sagemaker:InferenceComponent",
            {"inferenceComponentName": "ic"},
            "arn:aws:sagemaker:eu-west-1:123456789012:inference-component/ic",
        ),
        (
            "aws-native:sagemaker:MonitoringSchedule",
            {"monitoringScheduleName": "ms"},
            "arn:aws:sagemaker:eu-west-1:123456789012:monitoring-schedule/ms",
        ),
        ("aws:budgets/budget:Budget", {"name": "b"}, "123456789012:b"),
        ("aws:costexplorer/costAllocationTag:CostAllocationTag", {"tagKey": "team"}, "team"),
    ],
)
def test_each_id_is_the_providers(typ: str, inputs: dict[str, Any], expected: str) -> None:
    resource_id, state = _create(typ, "logical", inputs)
    assert resource_id == state["id"] == expected


@pytest.mark.parametrize(
    ("typ", "kind"),
    [
        ("aws:costexplorer/anomalyMonitor:AnomalyMonitor", "anomalymonitor"),
        ("aws:costexplorer/anomalySubscription:AnomalySubscription", "anomalysubscription"),
    ],
)
def test_a_cost_anomaly_resource_is_identified_by_its_arn(typ: str, kind: str) -> None:
    resource_id, state = _create(typ, "spend", {"name": "spend"})
    assert resource_id == state["arn"]
    assert re.fullmatch(rf"arn:aws:ce::123456789012:{kind}/{UUID}", resource_id), resource_id


# -- outputs: names the provider has ---------------------------------------------------------------
def _output_names() -> dict[str, set[str]]:
    """Each mocked type's wire names of outputs (its provider class's ``@pulumi.getter``s)."""
    names = {}
    for typ in SERVICE_OUTPUTS:
        resource = resource_class(typ)
        names[typ] = {
            prop.fget._pulumi_name
            for prop in vars(resource).values()
            if isinstance(prop, property) and hasattr(prop.fget, "_pulumi_name")
        }
    return names


# Inputs that make each handler add every output it can (an email subscription, a scaled resource;
# the tags only where the resource takes tags: the program cannot pass them to the others).
_FULL_INPUTS = {
    "resourceId": VARIANT,
    "serviceNamespace": "sagemaker",
    "topic": TOPIC_ARN,
    "protocol": "email",
}


def test_every_mocked_output_is_one_the_provider_returns() -> None:
    output_names = computed_once("mocked-types-output-names", _output_names)
    unknown = set()
    for typ in SERVICE_OUTPUTS:
        tags = {"tags": {"team": "ml"}} if "tags" in output_names[typ] else {}
        computed = _computed(typ, "logical", {**_FULL_INPUTS, **tags})
        unknown |= {f"{typ}: {key}" for key in computed if key not in output_names[typ]}
    assert not unknown, sorted(unknown)


def test_tags_all_mirrors_the_tags_on_aws_resources_only() -> None:
    tags = {"team": "ml"}
    for typ in ("aws:sns/topic:Topic", "aws:sqs/queue:Queue", "aws:sagemaker/endpoint:Endpoint"):
        assert _computed(typ, "x", {"tags": tags})["tagsAll"] == tags, typ
        assert "tagsAll" not in _computed(typ, "x", {}), typ
    native = _computed(
        "aws-native:sagemaker:InferenceComponent", "x", {"tags": [{"key": "team", "value": "ml"}]}
    )
    assert "tagsAll" not in native, "aws-native resources have no tagsAll"


# -- names -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typ", "fifo_input", "name_key"),
    [("aws:sns/topic:Topic", "fifoTopic", "name"), ("aws:sqs/queue:Queue", "fifoQueue", "name")],
)
def test_a_fifo_auto_name_ends_in_fifo_once(typ: str, fifo_input: str, name_key: str) -> None:
    _, plain = _create(typ, "events")
    assert re.fullmatch(r"events-[0-9a-f]{7}", plain[name_key]), plain[name_key]
    _, fifo = _create(typ, "events", {fifo_input: True})
    assert re.fullmatch(r"events-[0-9a-f]{7}\.fifo", fifo[name_key]), fifo[name_key]
    _, suffixed = _create(typ, "events.fifo", {fifo_input: True})
    assert re.fullmatch(r"events-[0-9a-f]{7}\.fifo", suffixed[name_key]), suffixed[name_key]


@pytest.mark.parametrize("typ", ["aws:sns/topic:Topic", "aws:sqs/queue:Queue"])
def test_a_configured_name_is_kept(typ: str) -> None:
    _, state = _create(typ, "events", {"name": "mlops-events.fifo", "fifoQueue": True, "fifoTopic": True})
    assert state["name"] == "mlops-events.fifo"


# -- per-service outputs ---------------------------------------------------------------------------
def test_a_topic_and_its_subscriptions_belong_to_the_account() -> None:
    topic = _computed("aws:sns/topic:Topic", "alerts", {"name": "alerts"})
    assert topic["arn"] == TOPIC_ARN and topic["owner"] == ACCOUNT
    email = _computed(
        "aws:sns/topicSubscription:TopicSubscription", "mail", {"topic": TOPIC_ARN, "protocol": "email"}
    )
    assert re.fullmatch(rf"{TOPIC_ARN}:{UUID}", email["arn"]), email["arn"]
    assert email["ownerId"] == ACCOUNT
    assert email["pendingConfirmation"] is True, "an email address confirms the subscription later"
    sqs = _computed(
        "aws:sns/topicSubscription:TopicSubscription", "q", {"topic": TOPIC_ARN, "protocol": "sqs"}
    )
    assert sqs["pendingConfirmation"] is False


@pytest.mark.parametrize(
    ("protocol", "auto_confirms", "pending"),
    [
        ("email", None, True),
        ("email-json", None, True),
        ("https", None, True),
        ("https", False, True),
        ("https", True, False),
        ("sqs", None, False),
        ("lambda", None, False),
    ],
)
def test_a_subscription_is_pending_until_its_endpoint_confirms(
    protocol: str, auto_confirms: bool | None, pending: bool
) -> None:
    """The provider waits for the confirmation of every subscription but an e-mail one and an
    HTTP(S) one without ``endpointAutoConfirms``: those it leaves pending (the alert topic's
    ``https`` subscribers, components/observability/alert_subscription.py, are created pending)."""
    inputs = {"topic": TOPIC_ARN, "protocol": protocol, "endpoint": "x"}
    if auto_confirms is not None:
        inputs["endpointAutoConfirms"] = auto_confirms
    state = _computed("aws:sns/topicSubscription:TopicSubscription", "s", inputs)
    assert state["pendingConfirmation"] is pending


def test_a_queue_has_its_url_and_arn() -> None:
    queue = _computed("aws:sqs/queue:Queue", "jobs", {"name": "jobs"})
    assert queue["url"] == QUEUE_URL
    assert queue["arn"] == "arn:aws:sqs:eu-west-1:123456789012:jobs"


def test_a_repository_is_in_the_accounts_registry() -> None:
    repository = _computed("aws:ecr/repository:Repository", "r", {"name": "mlops/churn"})
    assert repository["registryId"] == ACCOUNT
    assert repository["repositoryUrl"] == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mlops/churn"


def test_eventbridge_arns_carry_the_bus_and_the_connections_uuid() -> None:
    rule = _computed("aws:cloudwatch/eventRule:EventRule", "r", {"name": "r", "eventBusName": "ops"})
    assert rule["arn"] == "arn:aws:events:eu-west-1:123456789012:rule/ops/r"
    for typ, kind in (
        ("aws:cloudwatch/eventConnection:EventConnection", "connection"),
        ("aws:cloudwatch/eventApiDestination:EventApiDestination", "api-destination"),
    ):
        arn = _computed(typ, "x", {"name": "n"})["arn"]
        assert re.fullmatch(rf"arn:aws:events:eu-west-1:123456789012:{kind}/n/{UUID}", arn), arn
    bus = _computed("aws:cloudwatch/eventBus:EventBus", "x", {"name": "ops"})
    assert bus["arn"] == "arn:aws:events:eu-west-1:123456789012:event-bus/ops"


def test_a_schedule_is_in_the_default_group_unless_told() -> None:
    schedule = _computed("aws:scheduler/schedule:Schedule", "s", {"name": "s"})
    assert schedule["groupName"] == "default"
    assert schedule["arn"] == "arn:aws:scheduler:eu-west-1:123456789012:schedule/default/s"
    group = _computed("aws:scheduler/scheduleGroup:ScheduleGroup", "g", {"name": "g"})
    assert group["state"] == "ACTIVE", "ScheduleGroupState: ACTIVE | DELETING"


def test_autoscaling_arns_name_the_scaled_resource() -> None:
    on_variant = {"resourceId": VARIANT, "serviceNamespace": "sagemaker"}
    target = _computed("aws:appautoscaling/target:Target", "t", on_variant)
    assert re.fullmatch(
        r"arn:aws:application-autoscaling:eu-west-1:123456789012:scalable-target/[0-9a-z]{36}", target["arn"]
    ), target["arn"]
    policy = _computed("aws:appautoscaling/policy:Policy", "p", {"name": "p", **on_variant})
    assert re.fullmatch(
        rf"arn:aws:autoscaling:eu-west-1:123456789012:scalingPolicy:{UUID}:resource/sagemaker/{VARIANT}"
        r":policyName/p",
        policy["arn"],
    ), policy["arn"]


def test_state_machines_alarms_and_dashboards() -> None:
    machine = _computed("aws:sfn/stateMachine:StateMachine", "m", {"name": "m"})
    assert machine["status"] == "ACTIVE"
    alarm = _computed("aws:cloudwatch/metricAlarm:MetricAlarm", "a", {"name": "a"})
    assert alarm["arn"] == "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:a"
    dashboard = _computed("aws:cloudwatch/dashboard:Dashboard", "d", {"dashboardName": "d"})
    assert dashboard["dashboardArn"] == "arn:aws:cloudwatch::123456789012:dashboard/d"


@pytest.mark.parametrize(
    ("typ", "name_input", "kind"),
    [
        ("aws:sagemaker/pipeline:Pipeline", "pipelineName", "pipeline"),
        ("aws:sagemaker/modelPackageGroup:ModelPackageGroup", "modelPackageGroupName", "model-package-group"),
        ("aws:sagemaker/featureGroup:FeatureGroup", "featureGroupName", "feature-group"),
        ("aws:sagemaker/endpointConfiguration:EndpointConfiguration", "name", "endpoint-config"),
        ("aws-native:sagemaker:ModelBiasJobDefinition", "jobDefinitionName", "model-bias-job-definition"),
        (
            "aws-native:sagemaker:ModelExplainabilityJobDefinition",
            "jobDefinitionName",
            "model-explainability-job-definition",
        ),
        ("aws-native:sagemaker:InferenceComponent", "inferenceComponentName", "inference-component"),
    ],
)
def test_a_sagemaker_resource_keeps_its_name_under_its_own_input(
    typ: str, name_input: str, kind: str
) -> None:
    state = _computed(typ, "logical", {name_input: "churn"})
    assert state[name_input] == "churn"
    arns = [value for key, value in state.items() if key.lower().endswith("arn")]
    assert arns == [f"arn:aws:sagemaker:eu-west-1:123456789012:{kind}/churn"]


def test_a_tracking_servers_url_is_its_regions_https_host() -> None:
    state = _computed("aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer", "mlflow", {})
    assert re.fullmatch(
        r"https://t-[0-9a-z]{12}\.eu-west-1\.experiments\.sagemaker\.aws", state["trackingServerUrl"]
    ), state["trackingServerUrl"]


def test_a_budget_and_a_cost_allocation_tag() -> None:
    assert _computed("aws:budgets/budget:Budget", "b", {"name": "b"})["accountId"] == ACCOUNT
    other = _computed("aws:budgets/budget:Budget", "b", {"name": "b", "accountId": "210987654321"})
    assert other["accountId"] == "210987654321", "a budget of another (payer) account keeps it"
    assert _computed("aws:costexplorer/costAllocationTag:CostAllocationTag", "t", {"tagKey": "team"}) == {
        "type": "UserDefined"
    }
