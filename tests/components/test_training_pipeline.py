"""Training pipelines and the continuous-training loop's triggers, through the recorder."""

from __future__ import annotations

import json
from typing import Any

import pytest
from moto.events.models import EventPattern

from components.training.definition import SCRIPT_KEYS
from components.training.pipeline_triggers import NewDataSource, PipelineTriggers, PipelineTriggersArgs
from components.training.training_pipeline import TrainingSpec
from planner.recorder import ResourceGraph, record_program
from tests.components.pipeline_triggers_fixture import PIPELINE_ARN, alarm_state_change, record_triggers
from tests.graph_helpers import as_list, policy_of, statements, within
from tests.recorded import recorded_stack
from tests.stacks.conftest import retraining_serving_cut

PIPELINE = "aws:sagemaker/pipeline:Pipeline"
RULE = "aws:cloudwatch/eventRule:EventRule"
QUEUE_KEY = "arn:aws:kms:eu-west-1:123456789012:key/notifications"


def _pipeline(graph: ResourceGraph):
    """The family's training pipeline (a batch-scoring pipeline is another component's)."""
    [pipeline] = within(graph, "training-customer-churn", PIPELINE)
    return pipeline


def test_one_pipeline_per_family_run_by_the_pipeline_role(stack_graph: ResourceGraph) -> None:
    pipeline = _pipeline(stack_graph)
    assert pipeline.inputs["pipelineName"] == f"{stack_graph.stack}-customer-churn-training"
    assert pipeline.inputs["roleArn"] == stack_graph.named("pipeline-role-role").outputs["arn"]
    assert pipeline.inputs["parallelismConfiguration"] == {"maxParallelExecutionSteps": 2}
    assert pipeline.inputs["tags"]["mlops:model-family"] == "customer-churn"


def test_step_scripts_are_kms_encrypted_objects_the_definition_references(stack_graph: ResourceGraph) -> None:
    pipeline = _pipeline(stack_graph)
    definition = pipeline.inputs["pipelineDefinition"]
    key_arn = stack_graph.named("kms-data-key").outputs["arn"]
    bucket = stack_graph.named("artifacts-bucket").outputs["bucket"]
    scripts = within(stack_graph, "training-customer-churn", "aws:s3/bucketObjectv2:BucketObjectv2")
    # The family's scripts, the platform's DatasetManifest script (lineage), its TrackExperiment
    # script where the stack tracks, its ExtractFeatures script where the family trains from a
    # feature group (prod's churn family), and its two Evidently scripts where the family has
    # `evidently` (prod's churn family too).
    tracked = bool(stack_graph.of_type("aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer"))
    extracts = stack_graph.stack == "prod"
    evidently = 2 * bool(stack_graph.of_type("aws:ecr/repository:Repository"))
    assert len(scripts) == len(SCRIPT_KEYS) + 1 + tracked + extracts + evidently
    assert [s.inputs["key"].endswith("/extract_features.py") for s in scripts].count(True) == extracts
    for script in scripts:
        assert script.inputs["serverSideEncryption"] == "aws:kms" and script.inputs["kmsKeyId"] == key_arn
        assert script.inputs["bucket"] == bucket
        key = script.inputs["key"]
        assert key.startswith(
            f"pipelines/{stack_graph.stack}-customer-churn-training/code/"
        ) and key.endswith(".py")
        assert f"s3://{bucket}/{key}" in definition, "the definition runs the uploaded script"
        assert script.urn in pipeline.dependencies, "the pipeline waits for its scripts"


@pytest.mark.parametrize(
    ("stack", "status"),
    [("dev", "Approved"), ("staging", "PendingManualApproval"), ("prod", "PendingManualApproval")],
)
def test_new_versions_are_registered_with_the_environments_approval_status(
    stack_graphs, stack, status
) -> None:
    definition = json.loads(_pipeline(stack_graphs[stack]).inputs["pipelineDefinition"])
    parameters = {p["Name"]: p for p in definition["Parameters"]}
    assert parameters["ModelApprovalStatus"]["DefaultValue"] == status
    assert parameters["MetricThreshold"]["DefaultValue"] == 0.8


def test_dev_has_no_automatic_triggers(stack_graphs) -> None:
    graph = stack_graphs["dev"]
    assert not [c for c in graph.components if c.type == "mlops:training:PipelineTriggers"]
    assert graph.of_type("aws:s3/bucketNotification:BucketNotification") == []


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_schedule_starts_the_pipeline_with_a_role_that_may_do_only_that(stack_graphs, stack) -> None:
    graph = stack_graphs[stack]
    pipeline_arn = _pipeline(graph).outputs["arn"]
    [schedule] = [
        r for r in within(graph, "triggers-customer-churn", RULE) if r.inputs.get("scheduleExpression")
    ]
    assert schedule.inputs["scheduleExpression"] == "cron(0 3 ? * MON *)"
    [target] = [
        t
        for t in graph.of_type("aws:cloudwatch/eventTarget:EventTarget")
        if t.inputs["rule"] == schedule.outputs["name"]
    ]
    assert target.inputs["arn"] == pipeline_arn
    [role] = [r for r in graph.referenced(target, "roleArn") if r.type == "aws:iam/role:Role"]
    assert json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]["Principal"] == {
        "Service": "events.amazonaws.com"
    }
    [policy] = [r for r in graph.referenced(target, "roleArn") if r.type == "aws:iam/rolePolicy:RolePolicy"]
    assert statements(policy_of(policy)) == [
        {"Effect": "Allow", "Action": "sagemaker:StartPipelineExecution", "Resource": pipeline_arn}
    ]


def _s3_event(bucket: str, key: str) -> dict:
    return {
        "version": "0",
        "id": "e1",
        "detail-type": "Object Created",
        "source": "aws.s3",
        "account": "333333333333",
        "time": "2026-11-23T10:00:00Z",
        "region": "eu-west-1",
        "resources": [f"arn:aws:s3:::{bucket}"],
        "detail": {"bucket": {"name": bucket}, "object": {"key": key, "size": 10}},
    }


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_new_data_under_the_family_prefix_batches_into_one_run(stack_graphs, stack) -> None:
    graph = stack_graphs[stack]
    datasets = graph.named("datasets-bucket").outputs["bucket"]
    [notification] = graph.of_type("aws:s3/bucketNotification:BucketNotification")
    assert notification.inputs == {"bucket": datasets, "eventbridge": True}
    [rule] = [
        r
        for r in within(graph, "triggers-customer-churn", RULE)
        if r.inputs.get("eventPattern") and "aws.s3" in r.inputs["eventPattern"]
    ]
    pattern = EventPattern.load(rule.inputs["eventPattern"])
    assert pattern.matches_event(_s3_event(datasets, "training-data/customer-churn/2026-11-23/part-0.csv"))
    assert not pattern.matches_event(_s3_event(datasets, "training-data/fraud/part-0.csv"))
    assert not pattern.matches_event(_s3_event("another-bucket", "training-data/customer-churn/x.csv"))
    # The trigger's own queue (the approval dispatch has a dead-letter queue of its own).
    [queue] = [
        q
        for q in within(graph, "triggers-customer-churn", "aws:sqs/queue:Queue")
        if "undelivered" not in q.name
    ]
    assert queue.inputs["kmsMasterKeyId"] == graph.named("kms-notifications-key").outputs["arn"]
    [pipe] = graph.of_type("aws:pipes/pipe:Pipe")
    # The pipe batches into the new-data starter, which starts the pipeline once per batch.
    [starter] = [
        m
        for m in within(graph, "triggers-customer-churn", "aws:sfn/stateMachine:StateMachine")
        if m.name.endswith("-new-data")
    ]
    assert pipe.inputs["source"] == queue.outputs["arn"] and pipe.inputs["target"] == starter.outputs["arn"]
    assert pipe.inputs["sourceParameters"]["sqsQueueParameters"]["maximumBatchingWindowInSeconds"] == 300
    [policy] = [r for r in graph.referenced(pipe, "roleArn") if r.type == "aws:iam/rolePolicy:RolePolicy"]
    granted = {
        action: as_list(s["Resource"])
        for s in statements(policy_of(policy))
        for action in as_list(s["Action"])
    }
    assert granted["states:StartExecution"] == [starter.outputs["arn"]]
    assert "sagemaker:StartPipelineExecution" not in granted
    assert granted["sqs:ReceiveMessage"] == [queue.outputs["arn"]]
    [runner] = [r for r in graph.referenced(starter, "roleArn") if r.type == "aws:iam/rolePolicy:RolePolicy"]
    assert statements(policy_of(runner)) == [
        {
            "Effect": "Allow",
            "Action": "sagemaker:StartPipelineExecution",
            "Resource": _pipeline(graph).outputs["arn"],
        }
    ]
    [queue_policy] = [
        q
        for q in within(graph, "triggers-customer-churn", "aws:sqs/queuePolicy:QueuePolicy")
        if "undelivered" not in q.name
    ]
    [allow] = [s for s in statements(policy_of(queue_policy)) if s["Effect"] == "Allow"]
    assert allow["Condition"] == {"ArnEquals": {"aws:SourceArn": rule.outputs["arn"]}}


def test_a_drift_alarm_entering_alarm_starts_a_run() -> None:
    graph = record_program(
        lambda: PipelineTriggers(
            "triggers",
            PipelineTriggersArgs(
                pipeline_name="customer-churn-training",
                pipeline_arn=PIPELINE_ARN,
                account_id="123456789012",
                region="eu-west-1",
                role_path="/mlops-platform/test/",
                tags={"owner": "t"},
                drift_alarm_names=["customer-churn-data-drift"],
            ),
        ),
        config={"mlops-platform:platform": {"region": "eu-west-1", "account_id": "123456789012"}},
    )
    [rule] = graph.of_type(RULE)
    pattern = EventPattern.load(rule.inputs["eventPattern"])
    assert pattern.matches_event(alarm_state_change("customer-churn-data-drift", "ALARM"))
    assert not pattern.matches_event(alarm_state_change("customer-churn-data-drift", "OK"))
    assert not pattern.matches_event(alarm_state_change("another-alarm", "ALARM"))
    [target] = graph.of_type("aws:cloudwatch/eventTarget:EventTarget")
    [gate] = graph.of_type("aws:sfn/stateMachine:StateMachine")
    assert target.inputs["arn"] == gate.outputs["arn"], (
        "the rule starts the retraining gate, not the pipeline"
    )
    assert "sagemakerPipelineTarget" not in target.inputs
    assert json.loads(gate.inputs["definition"])["States"]["Cooldown"]["Seconds"] == 24 * 3600, "the default"
    [role] = [r for r in graph.referenced(target, "roleArn") if r.type == "aws:iam/role:Role"]
    assert json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]["Principal"] == {
        "Service": "events.amazonaws.com"
    }
    [policy] = [r for r in graph.referenced(target, "roleArn") if r.type == "aws:iam/rolePolicy:RolePolicy"]
    assert statements(policy_of(policy)) == [
        {"Effect": "Allow", "Action": "states:StartExecution", "Resource": gate.outputs["arn"]}
    ]


def _triggers(**changes: Any) -> ResourceGraph:
    return record_triggers(**changes)[0]


@pytest.mark.parametrize("window", [0, 120, 300])
def test_new_data_the_pipe_batches_is_held_and_consumed_once(window) -> None:
    graph = _triggers(
        new_data=NewDataSource(
            bucket_name="datasets",
            prefix="training-data/customer-churn/",
            batching_window_seconds=window,
            queue_kms_key_arn=QUEUE_KEY,
        )
    )
    [queue] = [q for q in graph.of_type("aws:sqs/queue:Queue") if "undelivered" not in q.name]
    [pipe] = graph.of_type("aws:pipes/pipe:Pipe")
    polling = pipe.inputs["sourceParameters"]["sqsQueueParameters"]
    assert polling["maximumBatchingWindowInSeconds"] == window
    # Messages the pipe holds while its batch forms stay invisible: not delivered (and run) twice.
    assert queue.inputs["visibilityTimeoutSeconds"] > window
    # With a window, one run for however many objects land (SQS's largest batch); without one, SQS
    # takes at most 10 messages a batch, and the pipe starts a run per object.
    assert polling["batchSize"] == (10000 if window else 1)
    # A batch the pipe could not start its run with comes back after the timeout; it has not expired.
    assert queue.inputs["messageRetentionSeconds"] > queue.inputs["visibilityTimeoutSeconds"]
    # The pipe's role receives, deletes (else every message comes back) and decrypts its queue's.
    [policy] = [r for r in graph.referenced(pipe, "roleArn") if r.type == "aws:iam/rolePolicy:RolePolicy"]
    granted = {
        action: as_list(s["Resource"])
        for s in statements(policy_of(policy))
        for action in as_list(s["Action"])
    }
    for action in ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"):
        assert granted[action] == [queue.outputs["arn"]], action
    assert granted["kms:Decrypt"] == [QUEUE_KEY]


def test_the_retraining_cooldown_is_the_gates_wait() -> None:
    graph = _triggers(drift_alarm_names=["customer-churn-data-drift"], retraining_cooldown_seconds=6 * 3600)
    [gate] = graph.of_type("aws:sfn/stateMachine:StateMachine")
    assert json.loads(gate.inputs["definition"])["States"]["Cooldown"]["Seconds"] == 6 * 3600


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"spot": True}, "spot training needs max_wait_seconds"),
        (
            {"spot": True, "max_wait_seconds": 600, "max_run_seconds": 3600},
            "must be greater than max_run_seconds",
        ),
        ({"training_instance_type": "p4d.24xlarge"}, "not a SageMaker instance type"),
        ({"schedule": "every monday"}, "not an EventBridge schedule"),
        ({"new_data": {"enabled": True, "batching_window_seconds": 900}}, "less than or equal to 300"),
    ],
    ids=[
        "spot-without-max-wait",
        "max-wait-below-max-run",
        "instance-type-without-ml-prefix",
        "schedule-not-an-expression",
        "batching-window-too-long",
    ],
)
def test_malformed_training_specs_are_rejected(change, message) -> None:
    with pytest.raises(ValueError, match=message):
        TrainingSpec.model_validate(change)


@pytest.mark.parametrize(
    ("max_wait", "accepted"), [(3600, False), (3601, True)], ids=["equal-refused", "a-second-more"]
)
def test_a_spot_wait_must_exceed_the_run_limit_not_equal_it(max_wait: int, accepted: bool) -> None:
    # SageMaker accepts a wait equal to the run limit ("equal to or greater than MaxRuntimeInSeconds"),
    # but then a job that waits a second for spot capacity cannot run its whole limit: the platform
    # asks for more, as its message (and the pack's spot rule) says.
    change = {"spot": True, "max_wait_seconds": max_wait, "max_run_seconds": 3600}
    if accepted:
        assert TrainingSpec.model_validate(change).max_wait_seconds == max_wait
    else:
        with pytest.raises(ValueError, match="must be greater than max_run_seconds"):
            TrainingSpec.model_validate(change)


def test_gpu_training_instance_types_are_accepted() -> None:
    assert (
        TrainingSpec.model_validate({"training_instance_type": "ml.g5.12xlarge"}).training_instance_type
        == "ml.g5.12xlarge"
    )


def test_the_stack_files_retraining_cooldown_is_the_gates_wait(stack_graphs, write_stack) -> None:
    """From the stack file (``training.retraining_cooldown_hours``, 24 by default) to the gate's
    Wait state, in seconds."""

    def six_hours(platform: dict[str, Any]) -> None:
        # Cut to what the endpoints read, with the fixture's retraining triggers: the gate, started
        # by the endpoint's drift alarm, stays as it is.
        retraining_serving_cut(platform)
        platform.setdefault("training", {})["retraining_cooldown_hours"] = 6

    for graph, seconds in (
        (stack_graphs["staging"], 24 * 3600),
        (recorded_stack(str(write_stack("staging", six_hours))), 6 * 3600),
    ):
        [gate] = [
            m
            for m in graph.of_type("aws:sfn/stateMachine:StateMachine")
            if m.name.endswith("-retraining-gate")
        ]
        assert json.loads(gate.inputs["definition"])["States"]["Cooldown"]["Seconds"] == seconds
