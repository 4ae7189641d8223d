"""Gaps between what the docs promise and what a real account would do (session 67's audit).

1. "Uploads within the batching window start only one run" (docs/architecture.md): EventBridge
   Pipes batches only into targets that take a batch (a batch API, or the whole batch as one input:
   Lambda, Step Functions); a pipe with a SageMaker pipeline target cannot batch its source at all
   (AWS, "Amazon EventBridge Pipes batching and concurrency"). The pipe now batches into a Step
   Functions state machine that starts the pipeline once per batch.
2. "Failures page the same topic" (docs/monitoring.md): a new-data starter whose execution fails
   (the pipeline cannot be started) pages through the retraining-gates rule, as a gate does; and new
   data the pipe cannot deliver pages before the queue drops it (``<pipeline>-new-data-waiting``).
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

import pytest
from moto.events.models import EventPattern

from components.training.pipeline_triggers import (
    NEW_DATA_WAIT_SECONDS,
    STEP_FUNCTIONS_INPUT_LIMIT,
    NewDataSource,
    new_data_starter_definition,
    new_data_starter_name,
)
from planner.recorder import ResourceGraph
from tests.aws_sessions import mocked_aws
from tests.components.pipeline_triggers_fixture import PIPELINE_NAME, record_triggers
from tests.components.test_retraining_gate import sdk_integration_casing  # noqa: F401 (a fixture)

QUEUE_KEY = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
STATE_MACHINE = "aws:sfn/stateMachine:StateMachine"
# Targets EventBridge Pipes delivers a batch to (AWS's list of batchable targets), by type token.
BATCH_TARGETS = {STATE_MACHINE: "stepFunctionStateMachineParameters", "aws:lambda/function:Function": None}


@pytest.mark.parametrize("window", [0, 300], ids=["no-window-one-run-per-object", "window-one-run-per-batch"])
def test_the_new_data_pipe_batches_only_into_a_target_that_takes_a_batch(window: int) -> None:
    graph, _ = record_triggers(
        new_data=NewDataSource(
            bucket_name="datasets",
            prefix="training-data/customer-churn/",
            batching_window_seconds=window,
            queue_kms_key_arn=QUEUE_KEY,
        )
    )
    [pipe] = graph.of_type("aws:pipes/pipe:Pipe")
    polling = pipe.inputs["sourceParameters"]["sqsQueueParameters"]
    [target] = [r for r in graph.resources if r.outputs.get("arn") == pipe.inputs["target"]]
    if polling["batchSize"] > 1 or polling["maximumBatchingWindowInSeconds"]:
        assert target.type in BATCH_TARGETS, f"a pipe cannot batch into a {target.type}"
    assert target.type == STATE_MACHINE and target.inputs["type"] == "STANDARD"
    # A Standard workflow is started asynchronously; the batch is its input, as a JSON array of
    # each event's input template: the largest batch must fit Step Functions' input.
    parameters = pipe.inputs["targetParameters"]
    assert parameters["stepFunctionStateMachineParameters"] == {"invocationType": "FIRE_AND_FORGET"}
    batch = json.dumps([json.loads(parameters["inputTemplate"])] * polling["batchSize"])
    assert len(batch) <= STEP_FUNCTIONS_INPUT_LIMIT
    # The starter is the pipeline's, and starts that pipeline.
    assert target.inputs["name"] == new_data_starter_name(PIPELINE_NAME)
    assert json.loads(target.inputs["definition"]) == new_data_starter_definition(PIPELINE_NAME)


def test_a_batch_of_uploads_starts_exactly_one_run(sdk_integration_casing: None) -> None:  # noqa: F811
    """Executed by moto's Step Functions interpreter against moto's SageMaker: one batch of three
    object events is one run, which says how many objects it was started for; its client token is a
    hash of the execution, so a retried start cannot start a second run."""
    from moto.sagemaker.models import sagemaker_backends

    region, pipeline = "eu-west-1", "prod-customer-churn-training"
    with mocked_aws(region, config={"stepfunctions": {"execute_state_machine": True}}) as session:
        role = session.client("iam").create_role(RoleName="starter", AssumeRolePolicyDocument="{}")["Role"][
            "Arn"
        ]
        sagemaker = session.client("sagemaker")
        sagemaker.create_pipeline(
            PipelineName=pipeline,
            PipelineDefinition=json.dumps({"Version": "2020-12-01", "Steps": []}),
            RoleArn=role,
        )
        sfn = session.client("stepfunctions")
        machine = sfn.create_state_machine(
            name=new_data_starter_name(pipeline),
            definition=json.dumps(new_data_starter_definition(pipeline)),
            roleArn=role,
        )["stateMachineArn"]
        execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps([{}, {}, {}]))[
            "executionArn"
        ]
        status = _ended(sfn, execution)
        assert status == "SUCCEEDED", sfn.get_execution_history(executionArn=execution)["events"][-1]
        [run] = sagemaker.list_pipeline_executions(PipelineName=pipeline)["PipelineExecutionSummaries"]
        assert run["PipelineExecutionDescription"] == "New training data: 3 object(s)"
        [stored] = sagemaker_backends["123456789012"][region].pipelines[pipeline].pipeline_executions.values()
        assert stored.client_request_token == hashlib.sha256(execution.encode()).hexdigest()


def _ended(sfn: Any, execution: str, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = sfn.describe_execution(executionArn=execution)["status"]
        if status != "RUNNING":
            return str(status)
        time.sleep(0.05)
    raise AssertionError(f"{execution} still running")


def _execution_event(machine_arn: str, status: str) -> dict[str, Any]:
    """The event Step Functions sends when a Standard execution changes status (user guide sample)."""
    execution = machine_arn.replace(":stateMachine:", ":execution:") + ":0d4f1f8a-1b8e-4c4e-9a55-0d7a2f7b7c11"
    region, account = machine_arn.split(":")[3:5]
    return {
        "version": "0",
        "id": "315c1398-40ff-a850-213b-158f73e60175",
        "detail-type": "Step Functions Execution Status Change",
        "source": "aws.states",
        "account": account,
        "time": "2026-12-07T03:00:00Z",
        "region": region,
        "resources": [execution],
        "detail": {"executionArn": execution, "stateMachineArn": machine_arn, "status": status},
    }


def test_a_new_data_start_that_fails_pages(stack_graphs: dict[str, ResourceGraph]) -> None:
    graph = stack_graphs["prod"]
    starters = [m for m in graph.of_type(STATE_MACHINE) if m.name.endswith("-new-data")]
    assert starters, "the prod fixture starts runs on new data"
    [rule] = [
        r
        for r in graph.of_type("aws:cloudwatch/eventRule:EventRule")
        if r.name == "failure-alerts-retraining-gates"
    ]
    pattern = EventPattern.load(rule.inputs["eventPattern"])
    for starter in starters:
        arn = starter.outputs["arn"]
        for status in ("FAILED", "TIMED_OUT", "ABORTED"):
            assert pattern.matches_event(_execution_event(arn, status)), (starter.name, status)
        assert not pattern.matches_event(_execution_event(arn, "SUCCEEDED"))
        assert not pattern.matches_event(_execution_event(arn.replace(":prod-", ":staging-"), "FAILED"))


TOPIC = "arn:aws:sns:eu-west-1:123456789012:alerts"


@pytest.mark.parametrize(
    ("oldest_seconds", "pages"),
    [(0, False), (600, False), (NEW_DATA_WAIT_SECONDS, False), (NEW_DATA_WAIT_SECONDS + 60, True)],
    ids=["consumed", "retried-once", "an-hour", "stuck-past-an-hour"],
)
def test_new_data_that_waits_over_an_hour_pages_before_it_expires(oldest_seconds: int, pages: bool) -> None:
    graph, _ = record_triggers(
        new_data=NewDataSource(
            bucket_name="datasets",
            prefix="training-data/customer-churn/",
            batching_window_seconds=300,
            queue_kms_key_arn=QUEUE_KEY,
        ),
        alarm_topic_arn=TOPIC,
    )
    [queue] = [q for q in graph.of_type("aws:sqs/queue:Queue") if "undelivered" not in q.name]
    [alarm] = [
        a for a in graph.of_type("aws:cloudwatch/metricAlarm:MetricAlarm") if "undelivered" not in a.name
    ]
    inputs = alarm.inputs
    assert (inputs["namespace"], inputs["metricName"]) == ("AWS/SQS", "ApproximateAgeOfOldestMessage")
    assert inputs["dimensions"] == {"QueueName": queue.outputs["name"]}
    assert inputs["alarmActions"] == inputs["okActions"] == [TOPIC]
    assert inputs["treatMissingData"] == "ignore", (
        "an asleep queue keeps its state (tests/components/test_revgap_67.py)"
    )
    # One 5-minute period, its oldest message: does this age page?
    assert inputs["statistic"] == "Maximum" and inputs["evaluationPeriods"] == 1
    assert inputs["comparisonOperator"] == "GreaterThanThreshold"
    assert (oldest_seconds > inputs["threshold"]) is pages
    # Paged well before SQS drops the event, and never while a batch is merely forming or retried.
    window, visibility = 300, queue.inputs["visibilityTimeoutSeconds"]
    assert window + visibility < inputs["threshold"] < queue.inputs["messageRetentionSeconds"] / 2


def test_triggers_without_new_data_have_no_waiting_alarm() -> None:
    graph, _ = record_triggers(schedule="cron(0 3 ? * MON *)", alarm_topic_arn=TOPIC)
    assert not graph.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
