"""What the observability and retraining resources mean, where a mutation audit found only their
presence pinned: values a platform team relies on to be paged, to retrain, and to be told about cost.

Most tests record one component on its own (``planner.recorder.record_program``, the Pulumi SDK in
mock mode) with deliberately distinct numbers; the data-quality job is read from the recorded prod
fixture stack, the failure rules from ``FailureAlertsArgs.rules()`` matched with moto's EventBridge
pattern engine. Each asserts the argument AWS acts on:

- endpoint alarms: a multi-GPU variant's GPU thresholds scale with its GPU count (SageMaker reports
  GPU utilisation and memory as 0-100 per GPU, summed); a shadow variant's paging 5xx and p99
  latency alarms take its own error and latency limits, each on its own alarm;
- failure alerts: the transform-job rule matches the stack's batch-scoring models by name, so a
  stack is paged for its pipelines' jobs (which the pipeline names) and not for another model's
  job named like the stack's; a monitor's violations page quotes Model Monitor's exit message (how
  many violations);
- the alert topic: CloudWatch alarms of this account only may publish (``aws:SourceAccount``),
  publishing without TLS is denied, and each subscription keeps its own protocol (a pager's https
  endpoint is not subscribed as an e-mail address);
- data-quality monitoring: the job reads the endpoint's captured data as files, and uploads its
  reports (which the alarms' metrics come from) whole, under ``monitoring/<endpoint>/data-quality/``,
  on one instance stopped after the spec's ``max_runtime_seconds``;
- pipeline triggers: S3's new-data events go to the trigger's queue (not straight to the pipeline),
  the pipe's role trusts the Pipes service (EventBridge could not run the pipe) and the schedule's
  EventBridge, the queue's data key is reused at most 5 minutes, and a family retrains on alarms only
  where it names some (``retrains``: the failure alerts watch its gate).

Every value here was mutated in the product code (one at a time) and the existing tests still
passed; these fail under that mutation.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from moto.events.models import EventPattern

from components.observability.alarm_thresholds import AlarmThresholds
from components.observability.alert_subscription import AlertSubscription
from components.observability.alert_topic import AlertTopic, AlertTopicArgs
from components.observability.endpoint_alarms import EndpointAlarms, EndpointAlarmsArgs, VariantAlarms
from components.observability.failure_alerts import FailureAlertsArgs
from components.training.pipeline_triggers import NewDataSource, PipelineTriggers
from planner.recorder import ResourceGraph, record_program
from tests.components.pipeline_triggers_fixture import PIPELINE_ARN, record_triggers
from tests.components.test_failure_alerts import transform_job
from tests.graph_helpers import policy_of, statements

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:alerts"
ENDPOINT = "test-churn"


def _alarms(graph: ResourceGraph) -> dict[str, dict[str, Any]]:
    return {alarm.inputs["name"]: alarm.inputs for alarm in graph.of_type(ALARM)}


# --- endpoint alarms ------------------------------------------------------------------------------


def _endpoint_alarms(*variants: VariantAlarms) -> dict[str, dict[str, Any]]:
    return _alarms(
        record_program(
            lambda: EndpointAlarms(
                "alarms",
                EndpointAlarmsArgs(
                    endpoint_name=ENDPOINT,
                    variants=variants,
                    thresholds=AlarmThresholds(gpu_utilization_percent=91, gpu_memory_percent=87),
                    alarm_topic_arn=TOPIC,
                    tags={"owner": "t"},
                ),
            )
        )
    )


def test_a_four_gpu_variant_pages_at_the_percentage_of_all_four_gpus() -> None:
    """GPUUtilization of a 4-GPU instance runs to 400: a threshold of 91 would page at 23% use."""
    alarms = _endpoint_alarms(VariantAlarms(name="primary", gpus=4, instance_based=True))
    gpu, memory = alarms[f"{ENDPOINT}-primary-gpu"], alarms[f"{ENDPOINT}-primary-gpu-memory"]
    assert (gpu["metricName"], gpu["threshold"]) == ("GPUUtilization", 364)
    assert (memory["metricName"], memory["threshold"]) == ("GPUMemoryUtilization", 348)
    assert gpu["comparisonOperator"] == memory["comparisonOperator"] == "GreaterThanThreshold"


def test_a_shadow_variant_pages_on_its_own_5xx_and_latency_limits() -> None:
    alarms = _endpoint_alarms(
        VariantAlarms(
            name="shadow", gpus=0, instance_based=False, max_5xx_per_minute=4, latency_p99_slo_ms=300
        )
    )
    errors = alarms[f"{ENDPOINT}-shadow-5xx-errors"]
    latency = alarms[f"{ENDPOINT}-shadow-model-latency-p99"]
    dimensions = {"EndpointName": ENDPOINT, "VariantName": "shadow"}
    assert (errors["metricName"], errors["statistic"], errors["threshold"], errors["dimensions"]) == (
        "Invocation5XXErrors",
        "Sum",
        4,
        dimensions,
    )
    assert (
        latency["metricName"],
        latency["extendedStatistic"],
        latency["threshold"],
        latency["dimensions"],
    ) == ("ModelLatency", "p99", 300_000, dimensions)  # microseconds
    for alarm in (errors, latency):
        assert alarm["comparisonOperator"] == "GreaterThanThreshold"
        assert alarm["alarmActions"] == alarm["okActions"] == [TOPIC]


# --- failure alerts -------------------------------------------------------------------------------


def test_the_transform_rule_pages_for_this_stacks_models_whatever_the_pipeline_names_the_job() -> None:
    args = FailureAlertsArgs(
        topic_arn=TOPIC,
        region="eu-west-1",
        account_id="123456789012",
        role_path="/mlops-platform/prod/",
        transform_model_names=["batch-churn-model-1a2b3c4", "batch-fraud-model-5d6e7f8"],
    )
    [rule] = [rule for rule in args.rules() if rule.key == "transform-jobs"]
    pattern = EventPattern.load(json.dumps(rule.pattern))
    assert pattern.matches_event(transform_job("batch-churn-model-1a2b3c4", "Failed"))
    assert pattern.matches_event(transform_job("batch-fraud-model-5d6e7f8", "Failed"))
    assert not pattern.matches_event(transform_job("batch-churn-model-1a2b3c4", "Stopped"))
    # Another stack's model, though its job carries this stack's prefix, and a model whose name
    # starts with one of this stack's.
    assert not pattern.matches_event(transform_job("batch-churn-model-9z9z9z9", "Failed", "prod-churn-1"))
    assert not pattern.matches_event(transform_job("batch-churn-model-1a2b3c4-v2", "Failed"))


def test_a_monitors_violations_page_quotes_its_exit_message() -> None:
    args = FailureAlertsArgs(
        topic_arn=TOPIC,
        region="eu-west-1",
        account_id="123456789012",
        role_path="/mlops-platform/prod/",
    )
    [rule] = [rule for rule in args.rules() if rule.key == "monitoring-violations"]
    detail = {
        "ProcessingJobName": "model-monitoring-202611231000-4f1c2a9e",
        "ProcessingJobStatus": "Completed",
        "ExitMessage": "CompletedWithViolations: Job completed successfully with 3 violations",
        "RoleArn": "arn:aws:iam::123456789012:role/mlops-platform/prod/monitoring-role",
    }
    message = json.loads(rule.input_template)
    for placeholder, path in rule.input_paths.items():
        message = message.replace(f"<{placeholder}>", str(detail[path.removeprefix("$.detail.")]))
    assert message.startswith(
        "Model Monitor execution model-monitoring-202611231000-4f1c2a9e: "
        "CompletedWithViolations: Job completed successfully with 3 violations. "
    )


# --- alert topic ----------------------------------------------------------------------------------


def _topic_policy(cost_alerts: bool) -> tuple[str, dict[str, dict[str, Any]]]:
    graph = record_program(
        lambda: AlertTopic(
            "alerts",
            AlertTopicArgs(
                account_id="123456789012",
                kms_key_arn="arn:aws:kms:eu-west-1:123456789012:key/notify",
                subscriptions=[],
                tags={"owner": "t"},
                cost_alerts=cost_alerts,
            ),
        )
    )
    [topic] = graph.of_type("aws:sns/topic:Topic")
    [policy] = graph.of_type("aws:sns/topicPolicy:TopicPolicy")
    return topic.outputs["arn"], {s["Sid"]: s for s in statements(policy_of(policy))}


def test_only_this_accounts_alarms_and_rules_publish_to_the_alert_topic_and_only_over_tls() -> None:
    for cost_alerts in (False, True):
        arn, by_sid = _topic_policy(cost_alerts)
        for sid, service in (
            ("CloudWatchAlarmsOfThisAccountPublish", "cloudwatch.amazonaws.com"),
            ("EventBridgeRulesOfThisAccountPublish", "events.amazonaws.com"),
        ):
            assert by_sid[sid] == {
                "Sid": sid,
                "Effect": "Allow",
                "Principal": {"Service": service},
                "Action": "sns:Publish",
                "Resource": arn,
                "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
            }
        # Every service allowed to publish is pinned to the account: no other account's alarm,
        # rule, budget or anomaly monitor may page through this topic (confused deputy).
        for statement in by_sid.values():
            if statement["Effect"] == "Allow":
                assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
        assert by_sid["DenyInsecureTransport"] == {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "sns:Publish",
            "Resource": arn,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }


def test_each_subscription_keeps_its_protocol_and_endpoint() -> None:
    subscriptions = [
        AlertSubscription(protocol="email", endpoint="oncall@example.com"),
        AlertSubscription(protocol="https", endpoint="https://events.pagerduty.com/integration/abc/enqueue"),
    ]
    graph = record_program(
        lambda: AlertTopic(
            "alerts",
            AlertTopicArgs(
                account_id="123456789012",
                kms_key_arn="arn:aws:kms:eu-west-1:123456789012:key/notify",
                subscriptions=subscriptions,
                tags={"owner": "t"},
            ),
        )
    )
    [topic] = graph.of_type("aws:sns/topic:Topic")
    assert topic.inputs["kmsMasterKeyId"] == "arn:aws:kms:eu-west-1:123456789012:key/notify"
    assert sorted(
        (s.inputs["protocol"], s.inputs["endpoint"], s.inputs["topic"])
        for s in graph.of_type("aws:sns/topicSubscription:TopicSubscription")
    ) == [
        ("email", "oncall@example.com", topic.outputs["arn"]),
        ("https", "https://events.pagerduty.com/integration/abc/enqueue", topic.outputs["arn"]),
    ]
    # The https endpoint holds the pager's integration key: a secret in the state and the plan
    # (which masks it); the e-mail address is not.
    assert {
        s.inputs["protocol"]: "endpoint" in s.secret_inputs
        for s in graph.of_type("aws:sns/topicSubscription:TopicSubscription")
    } == {"email": False, "https": True}


# --- data-quality monitoring ----------------------------------------------------------------------


def test_the_data_quality_job_reads_captured_files_and_uploads_whole_reports(stack_graphs) -> None:
    graph = stack_graphs["prod"]
    [definition] = graph.of_type("aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition")
    bucket = graph.named("artifacts-bucket").outputs["bucket"]
    endpoint_input = definition.inputs["dataQualityJobInput"]["endpointInput"]
    assert {key: value for key, value in endpoint_input.items() if key != "endpointName"} == {
        "localPath": "/opt/ml/processing/input/endpoint",
        "s3InputMode": "File",  # the analyzer reads the captured JSON lines as files
        "s3DataDistributionType": "FullyReplicated",
    }
    output = definition.inputs["dataQualityJobOutputConfig"]["monitoringOutputs"]["s3Output"]
    assert output == {
        "s3Uri": f"s3://{bucket}/monitoring/{endpoint_input['endpointName']}/data-quality/",
        "localPath": "/opt/ml/processing/output",
        "s3UploadMode": "EndOfJob",  # statistics and violations are read only once complete
    }


def test_the_data_quality_job_runs_on_one_instance_for_at_most_the_specs_runtime(stack_graphs) -> None:
    """The prod fixture keeps MonitoringSpec's defaults: ml.m5.xlarge, 20 GB, stopped after 1800 s."""
    [definition] = stack_graphs["prod"].of_type(
        "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition"
    )
    cluster = definition.inputs["jobResources"]["clusterConfig"]
    assert (cluster["instanceCount"], cluster["instanceType"], cluster["volumeSizeInGb"]) == (
        1,
        "ml.m5.xlarge",
        20,
    )
    assert definition.inputs["stoppingCondition"] == {"maxRuntimeInSeconds": 1800}


# --- pipeline triggers ----------------------------------------------------------------------------

QUEUE_KEY = "arn:aws:kms:eu-west-1:123456789012:key/notify"


def _triggers(**changes: Any) -> tuple[ResourceGraph, PipelineTriggers]:
    return record_triggers(**changes)


def _trusted_service(graph: ResourceGraph, resource: Any) -> str:
    [role] = [r for r in graph.referenced(resource, "roleArn") if r.type == "aws:iam/role:Role"]
    [statement] = statements(policy_of(role, "assumeRolePolicy"))
    return statement["Principal"]["Service"]


def test_new_data_events_reach_the_queue_the_pipe_drains_as_the_pipes_service() -> None:
    graph, triggers = _triggers(
        schedule="cron(0 3 ? * MON *)",
        new_data=NewDataSource(
            bucket_name="datasets",
            prefix="training-data/customer-churn/",
            batching_window_seconds=120,
            queue_kms_key_arn=QUEUE_KEY,
        ),
    )
    assert triggers.retrains is False, "no alarm names: no retraining gate for the failure alerts"
    [queue] = [q for q in graph.of_type("aws:sqs/queue:Queue") if "undelivered" not in q.name]
    assert (queue.inputs["kmsMasterKeyId"], queue.inputs["kmsDataKeyReusePeriodSeconds"]) == (QUEUE_KEY, 300)
    targets = {t.name: t for t in graph.of_type("aws:cloudwatch/eventTarget:EventTarget")}
    new_data = targets["triggers-new-data"]
    assert new_data.inputs["arn"] == queue.outputs["arn"], (
        "S3 events are batched by the pipe, not run one by one"
    )
    assert "roleArn" not in new_data.inputs
    [pipe] = graph.of_type("aws:pipes/pipe:Pipe")
    [starter] = graph.of_type("aws:sfn/stateMachine:StateMachine")
    assert (pipe.inputs["source"], pipe.inputs["target"]) == (queue.outputs["arn"], starter.outputs["arn"])
    assert _trusted_service(graph, pipe) == "pipes.amazonaws.com"
    schedule = targets["triggers-schedule"]
    assert schedule.inputs["arn"] == PIPELINE_ARN
    assert _trusted_service(graph, schedule) == "events.amazonaws.com"


def test_a_family_naming_alarms_retrains_through_its_gate() -> None:
    _, triggers = _triggers(drift_alarm_names=["customer-churn-data-drift"])
    assert triggers.retrains is True


def test_an_alert_topic_refuses_an_endpoint_subscribed_twice() -> None:
    """SNS subscribes an endpoint once per topic: two entries planned two subscription resources that
    manage one subscription, and removing either unsubscribed both (a stack file's alerts.subscriptions
    refuses the duplicate; the args now do too, with the same check)."""
    pager = AlertSubscription(protocol="email", endpoint="oncall@example.com")
    with pytest.raises(
        ValueError,
        match=r"^AlertTopicArgs\.subscriptions\[1\]\.endpoint: 'oncall@example.com' subscribed twice",
    ):
        AlertTopicArgs(
            account_id="123456789012",
            kms_key_arn="arn:aws:kms:eu-west-1:123456789012:key/notify",
            subscriptions=[pager, AlertSubscription(protocol="email", endpoint="oncall@example.com")],
            tags={"owner": "t"},
        )
