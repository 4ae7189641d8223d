"""PipelineTriggers: what starts a training pipeline: a schedule, new data, or a drift alarm."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws.cloudwatch as cloudwatch
import pulumi_aws.pipes as pipes
import pulumi_aws.sfn as sfn
import pulumi_aws.sqs as sqs

from ..foundation.execution_role import ExecutionRole, ExecutionRoleArgs
from ..limits import (
    account_id_problem,
    in_range,
    region_problem,
    satisfies,
    service_role_path_problem,
    tags_problem,
)
from ..naming import child_name, fit
from ..output_text import concat
from ..policy_documents import deny_insecure_transport, document, render
from ..schedules import eventbridge_schedule_problem
from .retraining_gate import (
    API_RETRY,
    MAX_COOLDOWN_SECONDS,
    STATE_MACHINE_NAME_LIMIT,
    RetrainingGate,
    RetrainingGateArgs,
)


@dataclass(frozen=True)
class NewDataSource:
    bucket_name: pulumi.Input[str]
    """Bucket that sends its object events to EventBridge (``SecureBucket(eventbridge_notifications=True)``)."""
    prefix: str
    """Key prefix whose new objects start a run, e.g. ``training-data/<family>/``."""
    batching_window_seconds: int
    """Seconds the pipe gathers new-object events into one batch, hence one run, 0-300; 0 starts a
    run per object."""
    queue_kms_key_arn: pulumi.Input[str]
    """Key of the buffering queue; EventBridge must be allowed to use it (the notifications key)."""

    def __post_init__(self) -> None:
        in_range(self, "batching_window_seconds", 0, 300)


@dataclass(frozen=True)
class PipelineTriggersArgs:
    pipeline_name: pulumi.Input[str]
    """Name of the SageMaker pipeline the triggers start (the retraining gate calls it by name)."""
    pipeline_arn: pulumi.Input[str]
    """ARN of the SageMaker pipeline: every trigger's target, and all its roles may start."""
    account_id: str
    """The 12-digit AWS account of the pipeline (trust of the starter roles)."""
    region: str
    """Region of the pipeline (and of the retraining gate)."""
    role_path: str
    """IAM path of the roles EventBridge and the pipe assume to start the pipeline."""
    tags: Mapping[str, str]
    """Tags of the rules, the queue, the pipe and the roles."""
    schedule: str | None = None
    """EventBridge schedule expression, ``cron(...)`` or ``rate(N unit)``; ``None``: no scheduled runs."""

    new_data: NewDataSource | None = None
    """Where new training data lands, to start a run on it; ``None``: no new-data trigger."""
    drift_alarm_names: Sequence[pulumi.Input[str]] = ()
    """CloudWatch alarms (data drift, model-quality drops) whose change to ALARM starts a retraining
    run, through a :class:`RetrainingGate` (at most one run per ``retraining_cooldown_seconds``)."""
    retraining_cooldown_seconds: int = 24 * 3600
    """Shortest time between two runs the alarms start, 3600 s to 30 days."""
    alarm_topic_arn: pulumi.Input[str] | None = None
    """SNS topic paged when new data waits in the queue longer than :data:`NEW_DATA_WAIT_SECONDS`
    unreceived (the pipe does not poll, and the data expires a day after it landed) or the pipe
    could not deliver it to the starter (it is in the undelivered queue); None: no such alarms."""

    def __post_init__(self) -> None:
        satisfies(self, "account_id", account_id_problem)
        satisfies(self, "region", region_problem)
        satisfies(self, "role_path", service_role_path_problem)
        satisfies(self, "tags", tags_problem)
        if self.schedule is not None:
            satisfies(self, "schedule", eventbridge_schedule_problem)
        in_range(self, "retraining_cooldown_seconds", 3600, MAX_COOLDOWN_SECONDS)


def new_data_event_pattern(bucket_name: str, prefix: str) -> dict[str, Any]:
    return {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": [bucket_name]}, "object": {"key": [{"prefix": prefix}]}},
    }


def drift_event_pattern(alarm_names: Sequence[str]) -> dict[str, Any]:
    """Alarm transitions into ALARM only: an alarm that stays in ALARM does not start more runs."""
    return {
        "source": ["aws.cloudwatch"],
        "detail-type": ["CloudWatch Alarm State Change"],
        "detail": {"alarmName": list(alarm_names), "state": {"value": ["ALARM"]}},
    }


NEW_DATA_BATCH_SIZE = 10000
"""The most records an SQS source batches (with a batching window; without one it takes 10)."""
NEW_DATA_RECORD = "{}"
"""What the pipe passes on per new-object event (its input template): nothing of the event, so a
batch of :data:`NEW_DATA_BATCH_SIZE` stays far below Step Functions' 262,144-character input (whole
SQS records, about 2 KB each, would exceed it from about 130 objects and fail the batch)."""
NEW_DATA_RETENTION_SECONDS = 24 * 3600
"""How long a new-object event waits in the queue for its run before SQS drops it."""
NEW_DATA_WAIT_SECONDS = 3600
"""Age of the oldest waiting new-object event that pages: a batch is consumed within its window
(at most 300 s), so an hour unreceived is a pipe that does not poll (stopped, deleted, or denied the
queue's key), with a day left to fix it. A batch the pipe receives but cannot deliver is not seen
by this age: SQS leaves a message received three times out of ``ApproximateAgeOfOldestMessage``
(a poison pill) until it is deleted; :data:`NEW_DATA_MAX_RECEIVES` sends it to the undelivered
queue instead, whose alarm pages."""
NEW_DATA_MAX_RECEIVES = 5
"""Receives of a new-object event (a delivery to the starter each, the visibility timeout apart)
before SQS moves it to the undelivered queue: five, so a short refusal (a role's change still
propagating) is tried again rather than set aside, and a broken delivery is set aside (and paged)
within five visibility timeouts. A throttled or briefly failing call the pipe retries itself
without counting a receive (EventBridge Pipes, error handling), and a run that fails in SageMaker
fails in the starter's execution, after the delivery: neither sends good data here."""
NEW_DATA_UNDELIVERED_RETENTION_SECONDS = 14 * 24 * 3600
"""How long an undelivered new-object event stays to be redriven: SQS's longest, as a message keeps
its first enqueue time in a dead-letter queue and must outlive the source queue's day."""
STEP_FUNCTIONS_INPUT_LIMIT = 262144
"""Characters of a Step Functions execution's input, the most a pipe may send it in one batch."""


def new_data_starter_name(pipeline_name: str) -> str:
    """The new-data starter's state machine name, derived from the pipeline's (unique per account),
    so its ARN is known before it exists and the pipe's role can name it."""
    return fit(f"{pipeline_name}-new-data", STATE_MACHINE_NAME_LIMIT)


def new_data_starter_definition(pipeline_name: str) -> dict[str, Any]:
    """One batch of new-object events in (a JSON array, one element per object), one pipeline run
    out: EventBridge Pipes batches only into targets with a batch API or that take the whole batch
    as one input (Lambda, Step Functions), and a SageMaker pipeline is neither, so the pipe cannot
    start it once per batch itself. The client token is a hash of the execution, so a retried start
    cannot start a second run."""
    return {
        "Comment": f"Start {pipeline_name} once per batch of new training data",
        "StartAt": "StartTraining",
        "States": {
            "StartTraining": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sagemaker:startPipelineExecution",
                "Parameters": {
                    "PipelineName": pipeline_name,
                    "PipelineExecutionDescription.$": (
                        "States.Format('New training data: {} object(s)', States.ArrayLength($))"
                    ),
                    "ClientRequestToken.$": "States.Hash($$.Execution.Id, 'SHA-256')",
                },
                "Retry": API_RETRY,
                "End": True,
            }
        },
    }


class PipelineTriggers(pulumi.ComponentResource):
    """The continuous-training loop's entry points for one pipeline.

    - schedule: an EventBridge schedule rule targeting the pipeline;
    - new data: S3 "Object Created" events under a prefix → a KMS-encrypted SQS queue → an
      EventBridge pipe whose batching window turns a burst of uploads into one batch → a Step
      Functions state machine that starts one run per batch (a pipe cannot batch into a pipeline);
      an event the pipe fails to deliver :data:`NEW_DATA_MAX_RECEIVES` times moves to an
      undelivered queue (kept 14 days, to redrive). With ``alarm_topic_arn``, alarms page when an
      upload has waited over an hour unreceived and when an event is undelivered;
    - drift: an EventBridge rule on the named alarms entering ALARM → a :class:`RetrainingGate`
      (Step Functions) that starts the pipeline at most once per cooldown.

    Security posture: the roles EventBridge and the new-data starter assume may start executions of
    this one pipeline and nothing else; the pipe's may consume its own queue and start its starter.
    """

    rule_arns: pulumi.Output[list[str]]
    """ARNs of the EventBridge rules created (schedule, new data, drift: those enabled)."""
    retrains: bool
    """Whether alarms start retraining here (through a retraining gate)."""
    starts_on_new_data: bool
    """Whether new data starts runs here (through a new-data starter, :func:`new_data_starter_name`)."""

    def __init__(
        self, name: str, args: PipelineTriggersArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:training:PipelineTriggers", name, None, opts)
        self._name, self._args = name, args
        self.retrains = bool(args.drift_alarm_names)
        self.starts_on_new_data = args.new_data is not None
        rules: list[cloudwatch.EventRule] = []

        if args.schedule:
            starter = self._starter_role("events", "events.amazonaws.com", [self._starts_pipeline()])
            rule = cloudwatch.EventRule(
                child_name(f"{name}-schedule", "aws:cloudwatch/eventRule:EventRule"),
                schedule_expression=args.schedule,
                description=f"Scheduled retraining: {args.schedule}",
                tags=dict(args.tags),
                opts=pulumi.ResourceOptions(parent=self),
            )
            cloudwatch.EventTarget(
                f"{name}-schedule",
                rule=rule.name,
                arn=args.pipeline_arn,
                role_arn=starter.role_arn,
                sagemaker_pipeline_target=cloudwatch.EventTargetSagemakerPipelineTargetArgs(
                    pipeline_parameter_lists=[]
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
            rules.append(rule)
        if args.drift_alarm_names:
            rules.append(self._retraining(args.drift_alarm_names))
        if args.new_data:
            rules.append(self._new_data(args.new_data))

        self.rule_arns = pulumi.Output.all(*[rule.arn for rule in rules])
        self.register_outputs({"rule_arns": self.rule_arns})

    def _retraining(self, alarm_names: Sequence[pulumi.Input[str]]) -> cloudwatch.EventRule:
        name, args = self._name, self._args
        child = pulumi.ResourceOptions(parent=self)
        gate = RetrainingGate(
            f"{name}-retraining",
            RetrainingGateArgs(
                pipeline_name=args.pipeline_name,
                pipeline_arn=args.pipeline_arn,
                account_id=args.account_id,
                region=args.region,
                role_path=args.role_path,
                tags=args.tags,
                cooldown_seconds=args.retraining_cooldown_seconds,
            ),
            opts=child,
        )
        rule = cloudwatch.EventRule(
            child_name(f"{name}-drift", "aws:cloudwatch/eventRule:EventRule"),
            event_pattern=pulumi.Output.all(*alarm_names).apply(
                lambda names: json.dumps(drift_event_pattern(names))
            ),
            description="Retrain on drift or a model-quality drop (through the retraining gate)",
            tags=dict(args.tags),
            opts=child,
        )
        cloudwatch.EventTarget(
            f"{name}-drift",
            rule=rule.name,
            arn=gate.state_machine_arn,
            role_arn=gate.starter_role_arn,
            opts=child,
        )
        return rule

    def _starts_pipeline(self) -> dict[str, Any]:
        return {
            "Effect": "Allow",
            "Action": "sagemaker:StartPipelineExecution",
            "Resource": self._args.pipeline_arn,
        }

    def _starter_role(self, suffix: str, service: str, statements: list[dict[str, Any]]) -> ExecutionRole:
        args = self._args
        return ExecutionRole(
            f"{self._name}-{suffix}",
            ExecutionRoleArgs(
                description=f"Starts executions of one SageMaker pipeline ({service})",
                trusted_service=service,
                account_id=args.account_id,
                path=args.role_path,
                statements=statements,
                tags=args.tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _waiting_alarm(self, queue: sqs.Queue, topic_arn: pulumi.Input[str]) -> cloudwatch.MetricAlarm:
        """Pages when new data has waited an hour unreceived (the pipe does not poll): the data
        would otherwise expire from the queue untrained, silently. A batch received but not
        delivered pages through :meth:`_undelivered_alarm`; a starter that fails, through the
        failure alerts."""
        return self._queue_alarm(
            "waiting",
            (
                f" has waited over {NEW_DATA_WAIT_SECONDS // 60} minutes unreceived by its pipe; it "
                f"expires {NEW_DATA_RETENTION_SECONDS // 3600} hours after it landed"
            ),
            queue,
            metric_name="ApproximateAgeOfOldestMessage",
            threshold=NEW_DATA_WAIT_SECONDS,
            topic_arn=topic_arn,
        )

    def _undelivered_alarm(self, queue: sqs.Queue, topic_arn: pulumi.Input[str]) -> cloudwatch.MetricAlarm:
        """Pages when a new-object event is in the undelivered queue: the pipe received it
        :data:`NEW_DATA_MAX_RECEIVES` times and could not start the starter with it."""
        return self._queue_alarm(
            "undelivered",
            (
                " could not be delivered to its starter: redrive the undelivered queue to the "
                "new-data queue once the pipe works"
            ),
            queue,
            metric_name="ApproximateNumberOfMessagesVisible",
            threshold=0,
            topic_arn=topic_arn,
        )

    def _queue_alarm(
        self,
        suffix: str,
        problem: str,
        queue: sqs.Queue,
        *,
        metric_name: str,
        threshold: int,
        topic_arn: pulumi.Input[str],
    ) -> cloudwatch.MetricAlarm:
        """``<pipeline>-new-data-<suffix>``: pages while ``queue``'s ``metric_name`` (its five-minute
        maximum) is above ``threshold``."""
        args = self._args
        return cloudwatch.MetricAlarm(
            f"{self._name}-new-data-{suffix}",
            name=concat(args.pipeline_name, f"-new-data-{suffix}"),
            alarm_description=concat("New training data for ", args.pipeline_name, problem),
            namespace="AWS/SQS",
            metric_name=metric_name,
            dimensions={"QueueName": queue.name},
            statistic="Maximum",
            period=300,
            evaluation_periods=1,
            threshold=threshold,
            comparison_operator="GreaterThanThreshold",
            # SQS publishes a queue's metrics only while it is active: up to six hours after its
            # last message or call. The pipe's polls keep a working trigger's queue active (an idle
            # one reads 0, OK); a queue that falls asleep with data still in it (unreceived, or
            # undelivered and not redriven) must stay in ALARM, not turn OK.
            treat_missing_data="ignore",
            alarm_actions=[topic_arn],
            ok_actions=[topic_arn],
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _new_data(self, source: NewDataSource) -> cloudwatch.EventRule:
        name, args = self._name, self._args
        child = pulumi.ResourceOptions(parent=self)
        undelivered = sqs.Queue(
            child_name(f"{name}-new-data-undelivered", "aws:sqs/queue:Queue"),
            kms_master_key_id=source.queue_kms_key_arn,
            kms_data_key_reuse_period_seconds=300,
            message_retention_seconds=NEW_DATA_UNDELIVERED_RETENTION_SECONDS,
            tags=dict(args.tags),
            opts=child,
        )
        sqs.QueuePolicy(
            f"{name}-new-data-undelivered",
            queue_url=undelivered.url,
            policy=render(document(deny_insecure_transport("sqs:*", undelivered.arn))),
            opts=child,
        )
        queue = sqs.Queue(
            child_name(f"{name}-new-data", "aws:sqs/queue:Queue"),
            kms_master_key_id=source.queue_kms_key_arn,
            kms_data_key_reuse_period_seconds=300,
            message_retention_seconds=NEW_DATA_RETENTION_SECONDS,
            # A batch the pipe cannot deliver is received again after the visibility timeout, and
            # after NEW_DATA_MAX_RECEIVES receives kept for a redrive, and paged.
            redrive_policy=undelivered.arn.apply(
                lambda arn: json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": NEW_DATA_MAX_RECEIVES})
            ),
            # Longer than the pipe's batching window, so a batch is not redelivered while it forms.
            visibility_timeout_seconds=max(60, source.batching_window_seconds * 2),
            tags=dict(args.tags),
            opts=child,
        )
        rule = cloudwatch.EventRule(
            child_name(f"{name}-new-data", "aws:cloudwatch/eventRule:EventRule"),
            description="New training data arrived",
            event_pattern=pulumi.Output.from_input(source.bucket_name).apply(
                lambda bucket: json.dumps(new_data_event_pattern(bucket, source.prefix))
            ),
            tags=dict(args.tags),
            opts=child,
        )
        sqs.QueuePolicy(
            f"{name}-new-data",
            queue_url=queue.url,
            policy=render(
                document(
                    {
                        "Sid": "NewDataRulePublishes",
                        "Effect": "Allow",
                        "Principal": {"Service": "events.amazonaws.com"},
                        "Action": "sqs:SendMessage",
                        "Resource": queue.arn,
                        "Condition": {"ArnEquals": {"aws:SourceArn": rule.arn}},
                    },
                    deny_insecure_transport("sqs:*", queue.arn),
                )
            ),
            opts=child,
        )
        cloudwatch.EventTarget(f"{name}-new-data", rule=rule.name, arn=queue.arn, opts=child)
        if args.alarm_topic_arn is not None:
            self._waiting_alarm(queue, args.alarm_topic_arn)
            self._undelivered_alarm(undelivered, args.alarm_topic_arn)
        starter_name = pulumi.Output.from_input(args.pipeline_name).apply(new_data_starter_name)
        starter_arn = starter_name.apply(
            lambda n: f"arn:aws:states:{args.region}:{args.account_id}:stateMachine:{n}"
        )
        runner = self._starter_role("new-data-starter", "states.amazonaws.com", [self._starts_pipeline()])
        starter = sfn.StateMachine(
            f"{name}-new-data",
            name=starter_name,
            type="STANDARD",
            role_arn=runner.role_arn,
            definition=pulumi.Output.from_input(args.pipeline_name).apply(
                lambda pipeline: json.dumps(new_data_starter_definition(pipeline))
            ),
            tags=dict(args.tags),
            opts=child,
        )
        consumer = self._starter_role(
            "pipe",
            "pipes.amazonaws.com",
            [
                {
                    "Effect": "Allow",
                    "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                    "Resource": queue.arn,
                },
                {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": source.queue_kms_key_arn},
                {"Effect": "Allow", "Action": "states:StartExecution", "Resource": starter_arn},
            ],
        )
        pipes.Pipe(
            child_name(f"{name}-new-data", "aws:pipes/pipe:Pipe"),
            description="Batches new-data events into one training run per window",
            role_arn=consumer.role_arn,
            source=queue.arn,
            source_parameters=pipes.PipeSourceParametersArgs(
                sqs_queue_parameters=pipes.PipeSourceParametersSqsQueueParametersArgs(
                    batch_size=NEW_DATA_BATCH_SIZE if source.batching_window_seconds else 1,
                    maximum_batching_window_in_seconds=source.batching_window_seconds,
                )
            ),
            target=starter.arn,
            target_parameters=pipes.PipeTargetParametersArgs(
                input_template=NEW_DATA_RECORD,
                # A Standard workflow is started asynchronously (StartExecution), the whole batch
                # its input.
                step_function_state_machine_parameters=(
                    pipes.PipeTargetParametersStepFunctionStateMachineParametersArgs(
                        invocation_type="FIRE_AND_FORGET"
                    )
                ),
            ),
            tags=dict(args.tags),
            opts=child,
        )
        return rule
