"""Failure alerts: pipeline, job and monitor failures and endpoint rollbacks page the alert topic."""

from __future__ import annotations

import json
from typing import Any

import pytest
from moto.events.models import EventPattern
from pydantic import ValidationError

from components.observability.alert_topic import AlertSubscription
from components.observability.failure_alerts import FailureAlertsArgs
from planner.__main__ import EXIT_OK, main
from planner.recorder import ResourceGraph
from stacks.composition.observability import NO_SUBSCRIBERS
from stacks.config import CONFIG_KEY
from tests.conftest import load_stack_document, stack_path
from tests.graph_helpers import policy_of, statements, within
from tests.recorded import recorded_stack
from tests.stacks.conftest import budgeted_serving_cut, serving_cut

RULE = "aws:cloudwatch/eventRule:EventRule"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"
ACCOUNT, REGION = "333333333333", "eu-west-1"
"""The prod fixture stack's account and region."""
SAGEMAKER = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"


def _event(detail_type: str, resource: str, detail: dict[str, Any]) -> dict[str, Any]:
    """The envelope EventBridge delivers (shape of the samples in the SageMaker developer guide)."""
    return {
        "version": "0",
        "id": "844e2571-85d4-695f-b930-0153b71dcb42",
        "detail-type": detail_type,
        "source": "aws.sagemaker",
        "account": ACCOUNT,
        "time": "2026-11-23T10:00:00Z",
        "region": REGION,
        "resources": [resource],
        "detail": detail,
    }


def pipeline_execution(pipeline: str, status: str) -> dict[str, Any]:
    arn = f"{SAGEMAKER}:pipeline/{pipeline}"
    return _event(
        "SageMaker Model Building Pipeline Execution Status Change",
        arn,
        {
            "pipelineExecutionDisplayName": "execution-1763892000",
            "currentPipelineExecutionStatus": status,
            "previousPipelineExecutionStatus": "Executing",
            "executionStartTime": "2026-11-23T09:03:13Z",
            "executionEndTime": "2026-11-23T10:00:00Z",
            "pipelineArn": arn,
            "pipelineExecutionArn": f"{arn}/execution/p4jn9xou8a8s",
        },
    )


def training_job(role: str, status: str, name: str = "pipelines-p4jn9xou8a8s-Train-xw869y8C4a") -> dict:
    arn = f"{SAGEMAKER}:training-job/{name.lower()}"
    detail = {
        "TrainingJobName": name,
        "TrainingJobArn": arn,
        "TrainingJobStatus": status,
        "SecondaryStatus": status,
        "RoleArn": f"arn:aws:iam::{ACCOUNT}:role{role}training-role-1a2b3c",
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        "Tags": {},
    }
    if status == "Failed":
        detail["FailureReason"] = "AlgorithmError: ExecuteUserScriptError: exit code 1"
    return _event("SageMaker Training Job State Change", arn, detail)


def processing_job(role: str, status: str, exit_message: str | None = None) -> dict[str, Any]:
    """A processing job's event: DescribeProcessingJob's fields (a Model Monitor execution here)."""
    name = "model-monitoring-202611231000-4f1c2a9e0b7d3e5f6a8b9c0d"
    arn = f"{SAGEMAKER}:processing-job/{name}"
    detail = {
        "ProcessingJobName": name,
        "ProcessingJobArn": arn,
        "ProcessingJobStatus": status,
        "MonitoringScheduleArn": f"{SAGEMAKER}:monitoring-schedule/prod-customer-churn-data-quality",
        "RoleArn": f"arn:aws:iam::{ACCOUNT}:role{role}monitoring-role-1a2b3c",
        "Tags": {},
    }
    if status == "Failed":
        detail["FailureReason"] = "AlgorithmError: Error: Could not find baseline constraints"
    if exit_message is not None:
        detail["ExitMessage"] = exit_message
    return _event("SageMaker Processing Job State Change", arn, detail)


OWN_BATCH_MODEL = "<the prod fixture's batch-scoring model>"
"""Stands for the recorded model's name (an output: the provider names it) in a case's event."""


def transform_job(
    model: str, status: str, name: str = "pipelines-8k2c5bq0z1xa-ScoreBatch-Xh3kd9Qw2P"
) -> dict:
    """A transform job's event; a pipeline's Transform step names its job (not the stack)."""
    arn = f"{SAGEMAKER}:transform-job/{name}"
    detail = {
        "TransformJobName": name,
        "TransformJobArn": arn,
        "TransformJobStatus": status,
        "ModelName": model,
        "Tags": {},
    }
    if status == "Failed":
        detail["FailureReason"] = "ClientError: See job logs for more information"
    return _event("SageMaker Transform Job State Change", arn, detail)


def endpoint_state(
    name: str, status: str, detail_type: str = "SageMaker Endpoint State Change", *, reason: bool = True
) -> dict[str, Any]:
    arn = f"{SAGEMAKER}:endpoint/{name}"
    detail = {
        "EndpointName": name,
        "EndpointArn": arn,
        "EndpointConfigName": f"{name}-config-2",
        "ProductionVariants": [{"DesiredWeight": 1.0, "DesiredInstanceCount": 2.0}],
        "EndpointStatus": status,
        "CreationTime": 1592411992203.0,
        "LastModifiedTime": 1592411994287.0,
        "Tags": {},
    }
    if reason:
        detail["FailureReason"] = (
            "Deployment rolled back: alarm prod-customer-churn-primary-5xx-errors in ALARM"
        )
    return _event(detail_type, arn, detail)


OWN_ROLES = "/mlops-platform/prod/"
PIPELINE = "prod-customer-churn-training"
ENDPOINT = "prod-customer-churn"

CASES: list[tuple[str, dict[str, Any], bool]] = [
    ("pipeline-executions", pipeline_execution(PIPELINE, "Failed"), True),
    ("pipeline-executions", pipeline_execution(PIPELINE, "Stopped"), True),
    # SageMaker lower-cases names in ARNs; the rule compares ignoring case.
    ("pipeline-executions", pipeline_execution(PIPELINE.upper(), "Failed"), True),
    ("pipeline-executions", pipeline_execution(PIPELINE, "Succeeded"), False),
    ("pipeline-executions", pipeline_execution(PIPELINE, "Executing"), False),
    ("pipeline-executions", pipeline_execution("prod-sandbox-customer-churn-training", "Failed"), False),
    ("pipeline-executions", pipeline_execution("staging-customer-churn-training", "Failed"), False),
    ("training-jobs", training_job(OWN_ROLES, "Failed"), True),
    ("training-jobs", training_job(OWN_ROLES, "Completed"), False),
    ("training-jobs", training_job(OWN_ROLES, "Stopped"), False),
    ("training-jobs", training_job("/mlops-platform/prod-sandbox/", "Failed"), False),
    ("training-jobs", training_job("/", "Failed"), False),
    ("training-jobs", processing_job(OWN_ROLES, "Failed"), False),
    ("processing-jobs", processing_job(OWN_ROLES, "Failed"), True),
    ("processing-jobs", processing_job(OWN_ROLES, "Completed"), False),
    ("processing-jobs", processing_job("/mlops-platform/staging/", "Failed"), False),
    ("processing-jobs", training_job(OWN_ROLES, "Failed"), False),
    (
        "monitoring-violations",
        processing_job(OWN_ROLES, "Completed", "CompletedWithViolations: Job completed with 3 violations"),
        True,
    ),
    ("monitoring-violations", processing_job(OWN_ROLES, "Completed", "Completed: Job completed"), False),
    ("monitoring-violations", processing_job(OWN_ROLES, "Completed"), False),
    (
        "monitoring-violations",
        processing_job("/mlops-platform/staging/", "Completed", "CompletedWithViolations: 3 violations"),
        False,
    ),
    ("transform-jobs", transform_job(OWN_BATCH_MODEL, "Failed"), True),
    ("transform-jobs", transform_job(OWN_BATCH_MODEL, "Completed"), False),
    ("transform-jobs", transform_job("batch-customer-churn-model-3f2a9c1", "Failed"), False),
    ("transform-jobs", transform_job("prod-customer-churn-model", "Failed", "prod-customer-churn-1"), False),
    ("endpoint-updates", endpoint_state(ENDPOINT, "ROLLING_BACK"), True),
    ("endpoint-updates", endpoint_state(ENDPOINT, "UPDATE_ROLLBACK_FAILED"), True),
    ("endpoint-updates", endpoint_state(ENDPOINT, "FAILED"), True),
    ("endpoint-updates", endpoint_state(ENDPOINT, "IN_SERVICE"), True),
    ("endpoint-updates", endpoint_state(ENDPOINT, "IN_SERVICE", reason=False), False),
    ("endpoint-updates", endpoint_state(ENDPOINT, "UPDATING", reason=False), False),
    ("endpoint-updates", endpoint_state("prod-fraud", "FAILED"), False),
    ("endpoint-updates", endpoint_state("prod-customer-churn-v2", "FAILED"), False),
    ("endpoint-updates", endpoint_state(ENDPOINT, "FAILED", "SageMaker Endpoint Config State Change"), False),
]
IDS = [
    "pipeline-failed",
    "pipeline-stopped",
    "pipeline-arn-in-another-case",
    "pipeline-succeeded",
    "pipeline-executing",
    "pipeline-of-a-stack-whose-prefix-starts-the-same",
    "pipeline-of-another-stack",
    "training-failed",
    "training-completed",
    "training-stopped",
    "training-role-of-a-stack-whose-prefix-starts-the-same",
    "training-role-outside-the-platform",
    "training-rule-ignores-processing-jobs",
    "processing-or-monitor-failed",
    "processing-completed",
    "processing-of-another-stack",
    "processing-rule-ignores-training-jobs",
    "monitor-violations",
    "monitor-without-violations",
    "processing-without-exit-message",
    "violations-of-another-stack",
    "transform-failed",
    "transform-completed",
    "transform-of-another-model",
    "transform-named-with-the-stacks-prefix-of-another-model",
    "endpoint-rolling-back",
    "endpoint-rollback-failed",
    "endpoint-failed",
    "endpoint-in-service-after-a-failed-or-rolled-back-update",
    "endpoint-in-service",
    "endpoint-updating",
    "another-endpoint",
    "endpoint-whose-name-starts-the-same",
    "endpoint-config-event",
]


def _rules(graph: ResourceGraph) -> dict[str, Any]:
    """Rule key (``training-jobs``) → recorded rule of the failure-alerts component."""
    return {rule.name.removeprefix("failure-alerts-"): rule for rule in within(graph, "failure-alerts", RULE)}


def _targets(graph: ResourceGraph) -> dict[str, Any]:
    return {
        target.name.removeprefix("failure-alerts-"): target
        for target in within(graph, "failure-alerts", TARGET)
    }


def _for(graph: ResourceGraph, event: dict[str, Any]) -> dict[str, Any]:
    """``event`` with :data:`OWN_BATCH_MODEL` replaced by the recorded batch-scoring model's name."""
    if event["detail"].get("ModelName") != OWN_BATCH_MODEL:
        return event
    [model] = within(graph, "batch-customer-churn", "aws:sagemaker/model:Model")
    return {**event, "detail": {**event["detail"], "ModelName": model.outputs["name"]}}


def _resolve(event: dict[str, Any], path: str) -> Any:
    """The value a ``$.a.b`` input path selects, or KeyError where the event lacks it."""
    node: Any = event
    for part in path.removeprefix("$.").split("."):
        node = node[part]
    return node


@pytest.mark.parametrize(("key", "event", "matches"), CASES, ids=IDS)
def test_each_rule_matches_only_this_stacks_failures(
    stack_graphs: dict[str, ResourceGraph], key: str, event: dict[str, Any], matches: bool
) -> None:
    rule = _rules(stack_graphs["prod"])[key]
    assert (
        EventPattern.load(rule.inputs["eventPattern"]).matches_event(_for(stack_graphs["prod"], event))
        is matches
    )


@pytest.mark.parametrize(
    ("key", "event"),
    [(key, event) for key, event, matches in CASES if matches],
    ids=[case_id for case_id, (_, _, matches) in zip(IDS, CASES, strict=True) if matches],
)
def test_every_input_path_exists_in_the_events_the_rule_matches(
    stack_graphs: dict[str, ResourceGraph], key: str, event: dict[str, Any]
) -> None:
    event = _for(stack_graphs["prod"], event)
    transformer = _targets(stack_graphs["prod"])[key].inputs["inputTransformer"]
    paths = transformer["inputPaths"]
    for placeholder, path in paths.items():
        assert _resolve(event, path) is not None, (placeholder, path)
        assert f"<{placeholder}>" in transformer["inputTemplate"]
    # The template is a JSON string: what SNS sends is one line of text naming what failed.
    message = json.loads(transformer["inputTemplate"])
    for placeholder, path in paths.items():
        message = message.replace(f"<{placeholder}>", str(_resolve(event, path)))
    assert "<" not in message
    assert f"https://{REGION}.console.aws.amazon.com/sagemaker/home?region={REGION}#/" in message


def test_a_job_page_names_the_job_its_status_and_why() -> None:
    args = FailureAlertsArgs(
        topic_arn="arn:aws:sns:eu-west-1:111111111111:alerts",
        region=REGION,
        account_id=ACCOUNT,
        role_path=OWN_ROLES,
    )
    [training] = [rule for rule in args.rules() if rule.key == "training-jobs"]
    event = training_job(OWN_ROLES, "Failed")
    message = json.loads(training.input_template)
    for placeholder, path in training.input_paths.items():
        message = message.replace(f"<{placeholder}>", str(_resolve(event, path)))
    assert message == (
        "SageMaker training job pipelines-p4jn9xou8a8s-Train-xw869y8C4a is Failed: AlgorithmError: "
        "ExecuteUserScriptError: exit code 1. https://eu-west-1.console.aws.amazon.com/sagemaker/home"
        "?region=eu-west-1#/jobs/pipelines-p4jn9xou8a8s-Train-xw869y8C4a"
    )
    assert {rule.key for rule in args.rules()} == {
        "training-jobs",
        "processing-jobs",
        "monitoring-violations",
    }, "no pipeline, transform or endpoint rule without pipelines, batch-scoring models or endpoints"


def test_every_rule_targets_the_alert_topic_which_lets_eventbridge_publish(
    stack_graph: ResourceGraph,
) -> None:
    topic = stack_graph.named("alerts-topic")
    rules, targets = _rules(stack_graph), _targets(stack_graph)
    assert set(rules) == set(targets) and rules
    for key, target in targets.items():
        assert target.inputs["arn"] == topic.outputs["arn"], key
        assert target.inputs["rule"] == rules[key].outputs["name"], key
        assert rules[key].inputs["tags"], key
    [policy] = within(stack_graph, "alerts", "aws:sns/topicPolicy:TopicPolicy")
    [events] = [
        s for s in statements(policy_of(policy)) if s.get("Principal") == {"Service": "events.amazonaws.com"}
    ]
    assert events["Effect"] == "Allow" and events["Action"] == "sns:Publish"
    role_prefix = json.loads(rules["training-jobs"].inputs["eventPattern"])["detail"]["RoleArn"][0]["prefix"]
    account = role_prefix.split(":")[4]
    assert events["Condition"] == {"StringEquals": {"aws:SourceAccount": account}}
    # SNS encrypts with the notifications key: EventBridge may use it for this account's topics.
    key_policy = policy_of(stack_graph.named("kms-notifications-key"))
    [grant] = [s for s in statements(key_policy) if s["Sid"] == "EventsDeliversToEncryptedTopics"]
    assert grant["Condition"] == {
        "ArnLike": {"kms:EncryptionContext:aws:sns:topicArn": f"arn:aws:sns:{REGION}:{account}:*"}
    }
    assert topic.inputs["kmsMasterKeyId"] == stack_graph.named("kms-notifications-key").outputs["arn"]


def test_the_prod_plan_records_every_rule_scoped_to_prod(stack_graphs: dict[str, ResourceGraph]) -> None:
    rules = _rules(stack_graphs["prod"])
    assert set(rules) == {
        "pipeline-executions",
        "training-jobs",
        "processing-jobs",
        "monitoring-violations",
        "transform-jobs",
        "endpoint-updates",
        "model-rejections",
        "retraining-gates",
    }
    patterns = {key: json.loads(rule.inputs["eventPattern"]) for key, rule in rules.items()}
    assert patterns["training-jobs"]["detail"]["RoleArn"] == [
        {"prefix": f"arn:aws:iam::{ACCOUNT}:role/mlops-platform/prod/"}
    ]
    assert patterns["pipeline-executions"]["detail"]["pipelineArn"] == [
        {"equals-ignore-case": f"{SAGEMAKER}:pipeline/prod-customer-churn-training"},
        # The family's batch scoring (models[].batch_scoring) pages like its training.
        {"equals-ignore-case": f"{SAGEMAKER}:pipeline/prod-customer-churn-batch-scoring"},
    ]
    assert "prod-customer-churn" in patterns["endpoint-updates"]["detail"]["EndpointName"]
    # The transform rule pages for the model the batch-scoring pipeline's Transform step runs.
    [pipeline] = within(stack_graphs["prod"], "batch-customer-churn", "aws:sagemaker/pipeline:Pipeline")
    [transform] = [
        step
        for step in json.loads(pipeline.inputs["pipelineDefinition"])["Steps"]
        if step["Type"] == "Transform"
    ]
    assert patterns["transform-jobs"]["detail"]["ModelName"] == [transform["Arguments"]["ModelName"]]


def _gate_execution(machine: str, status: str) -> dict[str, Any]:
    """The event Step Functions sends when a Standard execution changes status (user guide sample)."""
    execution = machine.replace(":stateMachine:", ":execution:") + ":0d4f1f8a-1b8e-4c4e-9a55-0d7a2f7b7c11"
    return {
        "version": "0",
        "id": "315c1398-40ff-a850-213b-158f73e60175",
        "detail-type": "Step Functions Execution Status Change",
        "source": "aws.states",
        "account": ACCOUNT,
        "time": "2026-11-23T10:00:00Z",
        "region": REGION,
        "resources": [execution],
        "detail": {
            "executionArn": execution,
            "stateMachineArn": machine,
            "name": "0d4f1f8a-1b8e-4c4e-9a55-0d7a2f7b7c11",
            "status": status,
            "startDate": 1763892000000,
            "stopDate": 1763892003000,
            "input": "{}",
            "output": None,
        },
    }


def test_an_alarm_that_could_not_start_retraining_pages(stack_graphs: dict[str, ResourceGraph]) -> None:
    graph = stack_graphs["prod"]
    [gate] = [
        m for m in graph.of_type("aws:sfn/stateMachine:StateMachine") if m.name.endswith("-retraining-gate")
    ]
    machine = gate.outputs["arn"]
    pattern = EventPattern.load(_rules(graph)["retraining-gates"].inputs["eventPattern"])
    for status in ("FAILED", "TIMED_OUT", "ABORTED"):
        assert pattern.matches_event(_gate_execution(machine, status)), status
    for status in ("SUCCEEDED", "RUNNING"):
        assert not pattern.matches_event(_gate_execution(machine, status)), "a skip in the cooldown succeeds"
    assert not pattern.matches_event(_gate_execution(machine.replace("prod-", "staging-"), "FAILED"))

    transformer = _targets(graph)["retraining-gates"].inputs["inputTransformer"]
    event = _gate_execution(machine, "FAILED")
    message = json.loads(transformer["inputTemplate"])
    for placeholder, path in transformer["inputPaths"].items():
        message = message.replace(f"<{placeholder}>", str(_resolve(event, path)))
    assert "<" not in message and event["detail"]["executionArn"] in message and "FAILED" in message
    assert (
        f"https://{REGION}.console.aws.amazon.com/states/home?region={REGION}#/v2/executions/details/"
        in message
    )


def _plan(capsys: pytest.CaptureFixture[str], path: Any) -> dict[str, Any]:
    assert main(["--config", str(path), "--format", "json"]) == EXIT_OK
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("base", ["dev", "prod"])
def test_the_plan_warns_when_alerts_reach_no_one(capsys, write_stack, cached_recordings, base: str) -> None:
    # The fixture cut to what its endpoints read (budgeted_serving_cut: the alert topic, the failure
    # alerts and what they watch stay), with the budget the prod pack asks for.
    def without(platform: dict[str, Any]) -> None:
        budgeted_serving_cut(platform)
        platform.pop("alerts", None)

    def with_one(platform: dict[str, Any]) -> None:
        budgeted_serving_cut(platform)
        platform["alerts"] = {"subscriptions": [{"protocol": "email", "endpoint": "oncall@example.com"}]}

    if base == "dev":
        # The dev fixture has no alerts section: its own file is the silent stack, and its
        # recording is the one every reader of the fixture shares (a copy written without the
        # section would be the same stack, recorded again).
        assert "alerts" not in load_stack_document("dev")["config"][CONFIG_KEY]
        silent_path = stack_path("dev")
    else:
        silent_path = write_stack(base, without, name=f"Pulumi.{base}.yaml")
    silent = _plan(capsys, silent_path)
    assert NO_SUBSCRIBERS in silent["warnings"]
    assert any(r["name"] == "failure-alerts-training-jobs" for r in silent["resources"])
    paged = _plan(capsys, write_stack(base, with_one, name=f"Pulumi.{base}.yaml"))
    assert NO_SUBSCRIBERS not in paged["warnings"]
    [subscription] = [
        r for r in paged["resources"] if r["type"] == "aws:sns/topicSubscription:TopicSubscription"
    ]
    assert subscription["inputs"]["endpoint"] == "oncall@example.com"


def test_a_stack_that_only_trains_has_the_topic_and_its_rules(write_stack) -> None:

    def train_only(platform: dict[str, Any]) -> None:
        # Cut to what the failure alerts watch (serving_cut: the alert topic, the training pipeline,
        # the registry group and the model monitors stay; 146 resources to 106, the same rules).
        serving_cut(platform)
        platform["endpoints"] = []

    graph = recorded_stack(str(write_stack("dev", train_only)))
    assert graph.of_type("aws:sagemaker/endpoint:Endpoint") == []
    assert graph.named("alerts-topic")
    rules = _rules(graph)
    assert "pipeline-executions" in rules and "endpoint-updates" not in rules


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.slack.com/services/T000/B000/XXXX",
        "https://contoso.webhook.office.com/webhookb2/abc/IncomingWebhook/def",
        "https://hooks.chime.aws/incomingwebhooks/abc?token=def",
    ],
    ids=["slack", "teams", "chime"],
)
def test_a_chat_incoming_webhook_is_refused_with_the_chatbot_route(url: str) -> None:
    with pytest.raises(ValidationError, match="AWS Chatbot"):
        AlertSubscription(protocol="https", endpoint=url)


def test_a_pager_endpoint_that_confirms_subscriptions_is_accepted() -> None:
    url = "https://events.pagerduty.com/integration/abc123/enqueue"
    assert AlertSubscription(protocol="https", endpoint=url).endpoint == url


def test_every_stack_exports_the_topic_for_chatbot(stack_graph: ResourceGraph) -> None:
    assert stack_graph.exports["alert_topic_arn"] == stack_graph.named("alerts-topic").outputs["arn"]
