"""What the monitoring loop's wiring means, where a mutation audit found no test holding it.

A hand-mutation audit of components/observability (model monitoring, model-quality, drift and
drift-report alarms, failure alerts, alert topic, dashboard), components/training's retraining
gate and pipeline triggers, and the composition that names the alarms retraining listens to. Each
test here fails under one mutation that every other test let through:

- the drift rule's target: the pipeline itself instead of the retraining gate (no cooldown, and
  the starter role may not start the pipeline), or no role for EventBridge to start the gate with;
- the new-data rule: objects deleted instead of created; the pipe's batch of one (a run per
  uploaded object whatever the window); the pipe's role without ``kms:Decrypt`` on the queue's key;
- a direct caller's default cooldown an hour instead of the stack file's day;
- the composition's drift alarm watching only the first feature, or the event time as a feature;
- the composition giving the model-quality monitors another schedule than the one the alarms'
  periods assume.

Left alone (not a defect a user would meet): the data-quality role also granted its own bucket's
baseline folder when the baselines are another account's, and a version registered in the stack's
own account with that account named treated as shared (both only widen a read grant to a folder of
the stack's own bucket).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from moto.events.models import EventPattern

from components.training.pipeline_triggers import NewDataSource
from components.training.training_spec import TrainingSpec
from planner.recorder import ResourceGraph
from tests.components.pipeline_triggers_fixture import PIPELINE_ARN, record_triggers
from tests.conftest import load_stack_document
from tests.graph_helpers import policy_of, statements
from tests.recorded import recorded_stack
from tests.stacks.conftest import serving_cut
from tests.yaml_text import dump_document

RULE = "aws:cloudwatch/eventRule:EventRule"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"
ALARM = "customer-churn-data-drift"
PREFIX = "training-data/customer-churn/"
SIX_HOURLY = "cron(0 0/6 ? * * *)"


@pytest.fixture(scope="module")
def triggers() -> ResourceGraph:
    """One recording of every trigger (a single small component: cheap)."""
    return record_triggers(
        schedule="cron(0 3 ? * MON *)",
        new_data=NewDataSource(
            bucket_name="datasets",
            prefix=PREFIX,
            batching_window_seconds=120,
            queue_kms_key_arn="arn:aws:kms:eu-west-1:123456789012:key/notifications",
        ),
        drift_alarm_names=[ALARM],
    )[0]


def _role_policy(graph: ResourceGraph, role_arn: str) -> tuple[str, list[dict[str, Any]]]:
    """The service trusted by the role ``role_arn`` and its inline policy's statements."""
    [role] = [r for r in graph.of_type("aws:iam/role:Role") if r.outputs["arn"] == role_arn]
    [trust] = statements(json.loads(role.inputs["assumeRolePolicy"]))
    [permissions] = [
        p for p in graph.of_type("aws:iam/rolePolicy:RolePolicy") if graph.referenced(p, "role") == [role]
    ]
    return trust["Principal"]["Service"], statements(policy_of(permissions))


def _machines(graph: ResourceGraph, suffix: str) -> list[Any]:
    """The state machines whose resource name ends in ``suffix`` (the gate's, the new-data starter's)."""
    return [m for m in graph.of_type("aws:sfn/stateMachine:StateMachine") if m.name.endswith(suffix)]


def _target_of(graph: ResourceGraph, rule_name: str) -> Any:
    [rule] = [r for r in graph.of_type(RULE) if r.name == rule_name]
    [target] = [t for t in graph.of_type(TARGET) if graph.referenced(t, "rule") == [rule]]
    return target


# --- the drift rule starts the gate, never the pipeline --------------------------------------------


def test_a_drift_alarm_starts_the_retraining_gate_not_the_pipeline(triggers: ResourceGraph) -> None:
    [gate] = _machines(triggers, "-retraining-gate")
    target = _target_of(triggers, "triggers-drift")
    assert target.inputs["arn"] == gate.outputs["arn"] != PIPELINE_ARN


def test_eventbridge_starts_the_gate_as_a_role_that_may_start_only_that_gate(triggers: ResourceGraph) -> None:
    [gate] = _machines(triggers, "-retraining-gate")
    target = _target_of(triggers, "triggers-drift")
    # A Step Functions target needs a role: without one EventBridge cannot start the gate at all.
    assert target.inputs.get("roleArn")
    assert _role_policy(triggers, target.inputs["roleArn"]) == (
        "events.amazonaws.com",
        [{"Effect": "Allow", "Action": "states:StartExecution", "Resource": gate.outputs["arn"]}],
    )


# --- the new-data rule ------------------------------------------------------------------------------


def _object_event(detail_type: str, key: str, bucket: str = "datasets") -> dict[str, Any]:
    """An S3 event EventBridge delivers for a bucket with EventBridge notifications on."""
    return {
        "version": "0",
        "id": "17793124-05d4-b198-2fde-7ededc63b103",
        "detail-type": detail_type,
        "source": "aws.s3",
        "account": "123456789012",
        "time": "2026-12-02T01:00:00Z",
        "region": "eu-west-1",
        "resources": [f"arn:aws:s3:::{bucket}"],
        "detail": {
            "version": "0",
            "bucket": {"name": bucket},
            "object": {"key": key, "size": 5, "etag": "b1946ac92492d2347c6235b4d2611184"},
            "request-id": "N4N7GDK58NMKJ12R",
            "reason": "PutObject",
        },
    }


@pytest.mark.parametrize(
    ("detail_type", "key", "bucket", "starts"),
    [
        ("Object Created", f"{PREFIX}2026-12-02/part-0.parquet", "datasets", True),
        ("Object Deleted", f"{PREFIX}2026-12-02/part-0.parquet", "datasets", False),
        ("Object Created", "training-data/fraud/part-0.parquet", "datasets", False),
        ("Object Created", "models/customer-churn/model.tar.gz", "datasets", False),
        ("Object Created", f"{PREFIX}part-0.parquet", "other-bucket", False),
    ],
    ids=[
        "new-object-under-the-prefix",
        "deleted-object",
        "another-family",
        "outside-training-data",
        "other-bucket",
    ],
)
def test_only_new_objects_under_the_familys_prefix_start_a_run(
    triggers: ResourceGraph, detail_type: str, key: str, bucket: str, starts: bool
) -> None:
    [rule] = [r for r in triggers.of_type(RULE) if r.name == "triggers-new-data"]
    pattern = EventPattern.load(rule.inputs["eventPattern"])
    assert pattern.matches_event(_object_event(detail_type, key, bucket)) is starts


# --- the cooldown a direct caller gets ------------------------------------------------------------


def test_a_direct_caller_leaving_the_cooldown_out_gets_the_stack_files_day(triggers: ResourceGraph) -> None:
    """A team composing ``PipelineTriggers`` itself must not retrain hourly on a flapping alarm when
    a stack file would have waited a day."""
    stack_default = TrainingSpec.model_fields["retraining_cooldown_hours"].default * 3600
    assert stack_default == 24 * 3600
    [gate] = _machines(triggers, "-retraining-gate")
    states = json.loads(gate.inputs["definition"])["States"]
    assert states["Cooldown"] == {"Type": "Wait", "Seconds": stack_default, "End": True}


# --- the new-data pipe ------------------------------------------------------------------------------


def test_the_pipe_gathers_a_whole_window_of_uploads_into_one_run(triggers: ResourceGraph) -> None:
    """A pipe flushes its batch when the window ends *or* the batch is full: a batch of one would
    start a run per uploaded object whatever the window."""
    [pipe] = triggers.of_type("aws:pipes/pipe:Pipe")
    assert pipe.inputs["sourceParameters"]["sqsQueueParameters"] == {
        "batchSize": 10000,  # the most an SQS source takes with a batching window
        "maximumBatchingWindowInSeconds": 120,
    }


def test_the_pipe_may_read_and_decrypt_its_queue_and_start_only_its_starter(triggers: ResourceGraph) -> None:
    [pipe] = triggers.of_type("aws:pipes/pipe:Pipe")
    [queue] = [q for q in triggers.of_type("aws:sqs/queue:Queue") if "undelivered" not in q.name]
    [starter] = _machines(triggers, "-new-data")
    assert pipe.inputs["source"] == queue.outputs["arn"]
    assert _role_policy(triggers, pipe.inputs["roleArn"]) == (
        "pipes.amazonaws.com",
        [
            {
                "Effect": "Allow",
                "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                "Resource": queue.outputs["arn"],
            },
            # The queue is KMS-encrypted: without Decrypt the pipe receives nothing.
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": queue.inputs["kmsMasterKeyId"]},
            {"Effect": "Allow", "Action": "states:StartExecution", "Resource": starter.outputs["arn"]},
        ],
    )
    # The starter, not the pipe, starts the pipeline: that one only.
    assert _role_policy(triggers, starter.inputs["roleArn"]) == (
        "states.amazonaws.com",
        [{"Effect": "Allow", "Action": "sagemaker:StartPipelineExecution", "Resource": PIPELINE_ARN}],
    )


# --- the drift alarm the composition builds ----------------------------------------------------------


def test_the_drift_alarm_watches_every_served_feature_and_no_identifier(stack_graphs) -> None:
    """Drift in any feature the model reads must fire (and retrain); the record id and the event
    time are not features: a timestamp always drifts, which would retrain at every run."""
    document = load_stack_document("prod")
    [group] = [
        g
        for g in document["config"]["mlops-platform:platform"]["feature_groups"]
        if g["name"] == "customer-churn"
    ]
    features = {f["name"] for f in group["features"]} - {group["record_identifier"], group["event_time"]}
    assert len(features) > 1
    drift_alarms = [
        alarm
        for alarm in stack_graphs["prod"].of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if alarm.inputs["name"].endswith("-data-drift")
    ]
    assert drift_alarms
    for alarm in drift_alarms:
        watched = {
            query["metric"]["metricName"] for query in alarm.inputs["metricQueries"] if "metric" in query
        }
        assert watched == {f"feature_baseline_drift_{feature}" for feature in features}


@pytest.fixture(scope="module")
def six_hourly(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    """The prod stack monitored every six hours (its own default is hourly): one more recording, of
    the prod fixture cut to what its endpoints read (:func:`tests.stacks.conftest.serving_cut`: the
    endpoints' monitors and alarms stay as they are)."""
    document = load_stack_document("prod")
    serving_cut(document["config"]["mlops-platform:platform"])
    document["config"]["mlops-platform:platform"]["monitoring"]["schedule"] = SIX_HOURLY
    path = tmp_path_factory.mktemp("six-hourly") / "Pulumi.prod.yaml"
    path.write_text(dump_document(document))
    return recorded_stack(path)


def test_every_monitor_runs_on_the_stack_files_schedule_the_alarm_periods_assume(six_hourly) -> None:
    """The quality and drift alarms take one period per run of ``monitoring.schedule``: a monitor on
    another cadence leaves periods without data or puts several runs in one."""
    monitors = six_hourly.of_type("aws:sagemaker/monitoringSchedule:MonitoringSchedule")
    kinds = {m.inputs["monitoringScheduleConfig"]["monitoringType"] for m in monitors}
    assert {"DataQuality", "ModelQuality"} <= kinds
    for monitor in monitors:
        config = monitor.inputs["monitoringScheduleConfig"]
        assert config["scheduleConfig"]["scheduleExpression"] == SIX_HOURLY, config["monitoringType"]
    quality = [
        a
        for a in six_hourly.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if "-model-quality-" in a.inputs["name"]
    ]
    assert quality
    assert {a.inputs["period"] for a in quality} == {6 * 3600}
