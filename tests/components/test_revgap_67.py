"""Second read of the new-data trigger's redesign (session 67).

A batch the pipe receives but cannot hand to its starter (its role may not start it, the state
machine is gone) comes back after the visibility timeout and is received
again. SQS leaves a message received three times out of ``ApproximateAgeOfOldestMessage`` until it
is deleted (AWS, "Available CloudWatch metrics for Amazon SQS": "the age of a poison-pill message
isn't included in the metric until the poison-pill message is consumed successfully"), so the
waiting alarm never saw such a batch and it expired a day later unpaged. The new-data queue now
sends an event received :data:`NEW_DATA_MAX_RECEIVES` times to an undelivered queue, whose alarm
pages.
"""

from __future__ import annotations

import json
from typing import Any

from components.training.pipeline_triggers import NEW_DATA_MAX_RECEIVES, NewDataSource
from planner.recorder import ResourceGraph
from tests.aws_sessions import mocked_aws
from tests.components.pipeline_triggers_fixture import PIPELINE_NAME, record_triggers

QUEUE_KEY = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:alerts"
QUEUE = "aws:sqs/queue:Queue"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
# SQS: a message received this many times stops counting in ApproximateAgeOfOldestMessage.
POISON_PILL_RECEIVES = 3


def _graph() -> ResourceGraph:
    graph, _ = record_triggers(
        new_data=NewDataSource(
            bucket_name="datasets",
            prefix="training-data/customer-churn/",
            batching_window_seconds=300,
            queue_kms_key_arn=QUEUE_KEY,
        ),
        alarm_topic_arn=TOPIC,
    )
    return graph


def test_a_batch_the_pipe_cannot_deliver_is_kept_and_pages() -> None:
    """Runs the recorded queues in moto: the pipe's receives of a batch it cannot deliver (never
    deleted) move it to the undelivered queue, which the undelivered alarm watches and pages on."""
    graph = _graph()
    [undelivered] = [q for q in graph.of_type(QUEUE) if "undelivered" in q.name]
    [queue] = [q for q in graph.of_type(QUEUE) if q is not undelivered]
    redrive = json.loads(queue.inputs["redrivePolicy"])
    assert redrive["deadLetterTargetArn"] == undelivered.outputs["arn"]
    receives = redrive["maxReceiveCount"]
    # Set aside only once the age alarm no longer sees it, and long before the day it would expire.
    assert POISON_PILL_RECEIVES < receives == NEW_DATA_MAX_RECEIVES
    assert receives * queue.inputs["visibilityTimeoutSeconds"] < queue.inputs["messageRetentionSeconds"] / 12
    # A standard queue expires a dead letter by its first enqueue time: it must outlive the source's.
    assert undelivered.inputs["messageRetentionSeconds"] >= 7 * queue.inputs["messageRetentionSeconds"]

    alarms = {a.inputs["name"]: a.inputs for a in graph.of_type(ALARM)}
    alarm = alarms[f"{PIPELINE_NAME}-new-data-undelivered"]
    # The age alarm watches the new-data queue (an unreceived batch), this one its dead letters.
    assert alarms[f"{PIPELINE_NAME}-new-data-waiting"]["dimensions"] == {"QueueName": queue.outputs["name"]}
    assert (alarm["namespace"], alarm["metricName"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert alarm["dimensions"] == {"QueueName": undelivered.outputs["name"]}
    assert alarm["alarmActions"] == [TOPIC]
    # No data is an unused queue (no page) or one asleep with its events (still in ALARM).
    assert alarm["treatMissingData"] == "ignore"

    def pages(visible: int) -> bool:
        assert alarm["statistic"] == "Maximum"
        compare = {"GreaterThanThreshold": int.__gt__, "GreaterThanOrEqualToThreshold": int.__ge__}
        return bool(compare[alarm["comparisonOperator"]](visible, int(alarm["threshold"])))

    with mocked_aws("eu-west-1") as session:
        sqs = session.client("sqs")
        dead_url = sqs.create_queue(QueueName="undelivered")["QueueUrl"]
        dead_arn = sqs.get_queue_attributes(QueueUrl=dead_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        url = sqs.create_queue(
            QueueName="new-data",
            Attributes={"RedrivePolicy": json.dumps(redrive | {"deadLetterTargetArn": dead_arn})},
        )["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"detail-type": "Object Created"}))

        def undelivered_count() -> int:
            attributes = sqs.get_queue_attributes(
                QueueUrl=dead_url, AttributeNames=["ApproximateNumberOfMessages"]
            )
            return int(attributes["Attributes"]["ApproximateNumberOfMessages"])

        for _ in range(receives):  # the pipe receives the batch, fails, and it comes back
            assert sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)["Messages"]
            assert not pages(undelivered_count())
        # The next receive finds it set aside: the source is empty, the undelivered queue pages.
        assert not sqs.receive_message(QueueUrl=url, VisibilityTimeout=0).get("Messages")
        assert pages(undelivered_count())


def _states(alarm: dict[str, Any], datapoints: list[int | None]) -> list[str]:
    """The states a one-period alarm goes through, period by period, as CloudWatch evaluates it
    (None: no datapoint, handled as ``treatMissingData`` says); it starts in INSUFFICIENT_DATA."""
    assert alarm["evaluationPeriods"] == 1 and alarm["statistic"] == "Maximum"
    compare = {"GreaterThanThreshold": float.__gt__, "GreaterThanOrEqualToThreshold": float.__ge__}
    state, states = "INSUFFICIENT_DATA", []
    for value in datapoints:
        if value is None:
            missing = {
                "ignore": state,
                "notBreaching": "OK",
                "breaching": "ALARM",
                "missing": "INSUFFICIENT_DATA",
            }
            state = missing[alarm["treatMissingData"]]
        else:
            state = (
                "ALARM"
                if compare[alarm["comparisonOperator"]](float(value), float(alarm["threshold"]))
                else "OK"
            )
        states.append(state)
    return states


def test_a_queue_that_falls_asleep_with_its_data_stays_paged() -> None:
    """SQS stops publishing a queue's metrics six hours after its last message or call (AWS,
    "CloudWatch metrics for Amazon SQS": active "for up to six hours if it contains any messages, or
    if any action accesses it"). A queue the pipe no longer polls, or undelivered events nobody
    redrives, go quiet with the data still there: the alarm must not turn OK."""
    alarms = {a.inputs["name"]: a.inputs for a in _graph().of_type(ALARM)}
    waiting = alarms[f"{PIPELINE_NAME}-new-data-waiting"]
    # Never used; polled and idle (age 0); the pipe stops with an upload in it; asleep, still there.
    assert _states(waiting, [None, 0, 4000, None, None]) == [
        "INSUFFICIENT_DATA",
        "OK",
        "ALARM",
        "ALARM",
        "ALARM",
    ]
    undelivered = alarms[f"{PIPELINE_NAME}-new-data-undelivered"]
    # Never used; an event set aside; asleep with it; redriven (the move reads the queue: 0).
    assert _states(undelivered, [None, 1, None, 0]) == ["INSUFFICIENT_DATA", "ALARM", "ALARM", "OK"]
