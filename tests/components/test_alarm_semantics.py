"""What every alarm and scaling policy the platform creates means: which side of which threshold,
over which statistic, period and datapoints, and how missing data counts; scaling targets and
cooldowns, and the direction of step adjustments.

Each component is recorded on its own with deliberately distinct numbers (no two cooldowns,
periods or thresholds equal), so a flipped comparison operator, swapped cooldowns or a changed
statistic changes an asserted value.
"""

from __future__ import annotations

from typing import Any

import pytest

from components.observability.alarm_thresholds import AlarmThresholds, BusinessHours
from components.observability.endpoint_alarms import EndpointAlarms, EndpointAlarmsArgs, VariantAlarms
from components.serving.inference_endpoint import InferenceEndpoint, InferenceEndpointArgs
from components.serving.inference_endpoint_spec import EndpointSpec
from planner.recorder import RecordedResource, ResourceGraph, record_program
from tests.recorded import computed_once

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
POLICY = "aws:appautoscaling/policy:Policy"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:alerts"
ENDPOINT = "test-churn"
DIMENSIONS = {"EndpointName": ENDPOINT, "VariantName": "primary"}
SEMANTICS = (
    "namespace",
    "metricName",
    "dimensions",
    "statistic",
    "extendedStatistic",
    "period",
    "evaluationPeriods",
    "datapointsToAlarm",
    "comparisonOperator",
    "threshold",
    "treatMissingData",
)
MODEL = {"model_package_arn": "arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn/3"}


def _endpoint(spec: dict[str, Any]) -> ResourceGraph:
    """Recorded once per version of the code and of this file: the spec as written is the key."""
    endpoint = EndpointSpec.model_validate(spec)
    return computed_once("endpoint", lambda: _endpoint_graph(endpoint), key=[repr(spec)])


def _endpoint_graph(endpoint: EndpointSpec) -> ResourceGraph:
    return record_program(
        lambda: InferenceEndpoint(
            "ep",
            InferenceEndpointArgs(
                spec=endpoint,
                endpoint_name=ENDPOINT,
                resolved_model_packages={},
                account_id="123456789012",
                region="eu-west-1",
                artifact_bucket_name="artifacts",
                artifact_bucket_arn="arn:aws:s3:::artifacts",
                kms_key_arn="arn:aws:kms:eu-west-1:123456789012:key/data",
                notification_key_arn="arn:aws:kms:eu-west-1:123456789012:key/notify",
                subnet_ids=["subnet-0123456789abcdef0"],
                security_group_ids=["sg-0123456789abcdef0"],
                image_registry_accounts=["123456789012"],
                alarm_topic_arn=TOPIC,
                role_path="/mlops-platform/test/",
                tags={"owner": "t"},
            ),
        )
    )


@pytest.fixture(scope="module")
def realtime() -> ResourceGraph:
    """A GPU variant scaling on invocations and GPU utilisation, rolled out by canary."""
    return _endpoint(
        {
            "name": "churn",
            "variants": [
                {
                    "name": "primary",
                    "model": MODEL,
                    "instance_type": "ml.g5.xlarge",
                    "initial_instance_count": 2,
                    "scaling": {
                        "min_capacity": 2,
                        "max_capacity": 6,
                        "invocations_per_instance": 200,
                        "gpu_utilization_percent": 70,
                        "scale_in_cooldown_seconds": 600,
                        "scale_out_cooldown_seconds": 45,
                    },
                }
            ],
            "deployment": {
                "strategy": "canary",
                "canary_percent": 50,
                "max_5xx_per_minute": 3,
                "latency_p99_slo_ms": 250,
            },
        }
    )


@pytest.fixture(scope="module")
def asynchronous() -> ResourceGraph:
    """An async variant that scales to zero and back on its backlog."""
    return _endpoint(
        {
            "name": "churn",
            "variants": [
                {
                    "name": "primary",
                    "model": MODEL,
                    "instance_type": "ml.m5.xlarge",
                    "scaling": {
                        "min_capacity": 0,
                        "max_capacity": 2,
                        "invocations_per_instance": None,
                        "backlog_per_instance": 5,
                        "scale_in_cooldown_seconds": 600,
                        "scale_out_cooldown_seconds": 45,
                    },
                }
            ],
            "async_inference": {"max_concurrent_invocations_per_instance": 2},
            "data_capture": {"enabled": False},
        }
    )


@pytest.fixture(scope="module")
def endpoint_alarms() -> ResourceGraph:
    thresholds = AlarmThresholds(
        max_4xx_per_minute=40,
        gpu_utilization_percent=91,
        gpu_memory_percent=92,
        disk_percent=83,
        zero_invocations_in_business_hours=True,
        business_hours=BusinessHours(start_hour_utc=7, end_hour_utc=19),
        drift_threshold=0.3,
    )
    return record_program(
        lambda: EndpointAlarms(
            "alarms",
            EndpointAlarmsArgs(
                endpoint_name=ENDPOINT,
                variants=[VariantAlarms(name="primary", gpus=1, instance_based=True)],
                thresholds=thresholds,
                alarm_topic_arn=TOPIC,
                tags={"owner": "t"},
                monitoring_schedule_name="churn-data-quality",
                drift_features=["tenure", "charges"],
                monitoring_schedule="cron(0 0 ? * * *)",  # daily
            ),
        )
    )


def _alarm(graph: ResourceGraph, name: str) -> dict[str, Any]:
    [alarm] = [a for a in graph.of_type(ALARM) if a.inputs["name"] == name]
    return alarm.inputs


def semantics(alarm: dict[str, Any]) -> dict[str, Any]:
    return {key: alarm.get(key) for key in SEMANTICS}


def _alarm_of(**settings: Any) -> dict[str, Any]:
    return {key: settings.get(key) for key in SEMANTICS}


# --- rollback alarms (blue/green autoRollbackConfiguration) --------------------------------------


def test_rollback_alarms_fire_on_too_many_5xx_and_slow_p99(realtime) -> None:
    errors = _alarm(realtime, f"{ENDPOINT}-primary-5xx-errors")
    latency = _alarm(realtime, f"{ENDPOINT}-primary-model-latency-p99")
    assert semantics(errors) == _alarm_of(
        namespace="AWS/SageMaker",
        metricName="Invocation5XXErrors",
        dimensions=DIMENSIONS,
        statistic="Sum",
        period=60,
        evaluationPeriods=2,
        datapointsToAlarm=2,
        comparisonOperator="GreaterThanThreshold",
        threshold=3,
        treatMissingData="notBreaching",  # no traffic is no failure: a quiet endpoint never rolls back
    )
    assert semantics(latency) == _alarm_of(
        namespace="AWS/SageMaker",
        metricName="ModelLatency",
        dimensions=DIMENSIONS,
        extendedStatistic="p99",
        period=60,
        evaluationPeriods=3,
        datapointsToAlarm=3,
        comparisonOperator="GreaterThanThreshold",
        threshold=250_000,  # microseconds
        treatMissingData="notBreaching",
    )
    [endpoint] = realtime.of_type("aws:sagemaker/endpoint:Endpoint")
    rollback = endpoint.inputs["deploymentConfig"]["autoRollbackConfiguration"]["alarms"]
    assert [a["alarmName"] for a in rollback] == [errors["name"], latency["name"]]


# --- endpoint alarms -------------------------------------------------------------------------------


def test_4xx_alarm_counts_client_errors_a_minute(endpoint_alarms) -> None:
    assert semantics(_alarm(endpoint_alarms, f"{ENDPOINT}-primary-4xx")) == _alarm_of(
        namespace="AWS/SageMaker",
        metricName="Invocation4XXErrors",
        dimensions=DIMENSIONS,
        statistic="Sum",  # a count: the average of a count per minute is always small
        period=60,
        evaluationPeriods=5,
        datapointsToAlarm=3,
        comparisonOperator="GreaterThanThreshold",
        threshold=40,
        treatMissingData="notBreaching",
    )


@pytest.mark.parametrize(
    ("suffix", "metric", "threshold"),
    [
        ("gpu", "GPUUtilization", 91),
        ("gpu-memory", "GPUMemoryUtilization", 92),
        ("disk", "DiskUtilization", 83),
    ],
)
def test_utilisation_alarms_fire_when_the_average_stays_high(
    endpoint_alarms, suffix, metric, threshold
) -> None:
    assert semantics(_alarm(endpoint_alarms, f"{ENDPOINT}-primary-{suffix}")) == _alarm_of(
        namespace="/aws/sagemaker/Endpoints",
        metricName=metric,
        dimensions=DIMENSIONS,
        statistic="Average",
        period=300,
        evaluationPeriods=3,
        comparisonOperator="GreaterThanThreshold",
        threshold=threshold,
        treatMissingData="notBreaching",
    )


def test_no_traffic_alarm_fires_below_one_invocation_in_business_hours(endpoint_alarms) -> None:
    alarm = _alarm(endpoint_alarms, f"{ENDPOINT}-primary-no-traffic")
    assert semantics(alarm) == _alarm_of(
        evaluationPeriods=3,
        comparisonOperator="LessThanThreshold",
        threshold=1,
        treatMissingData="breaching",  # a quiet endpoint publishes nothing: that is the failure
    )
    metric, fill, window = alarm["metricQueries"]
    assert metric["metric"] == {
        "namespace": "AWS/SageMaker",
        "metricName": "Invocations",
        "dimensions": DIMENSIONS,
        "stat": "Sum",
        "period": 300,
    }
    assert (fill["expression"], fill["returnData"]) == ("FILL(m1, 0)", False)
    assert window["returnData"] is True
    # Outside business hours the expression is 1, not below the threshold: nights never page.
    assert window["expression"] == "IF(DAY(f) <= 5 AND HOUR(f) >= 7 AND HOUR(f) < 19, f, 1)"


def test_drift_alarm_fires_when_any_feature_drifts_above_the_threshold(endpoint_alarms) -> None:
    alarm = _alarm(endpoint_alarms, f"{ENDPOINT}-data-drift")
    assert semantics(alarm) == _alarm_of(
        evaluationPeriods=1,
        comparisonOperator="GreaterThanThreshold",
        threshold=0.3,
        # Between two daily runs nothing new is known: the last run's verdict holds, so a drift that
        # persists is one ALARM (one page, one retraining), not an ALARM and an OK every day.
        treatMissingData="ignore",
    )
    *features, largest = alarm["metricQueries"]
    assert [q["metric"] for q in features] == [
        {
            "namespace": "aws/sagemaker/Endpoints/data-metrics",
            "metricName": f"feature_baseline_drift_{feature}",
            "dimensions": {"Endpoint": ENDPOINT, "MonitoringSchedule": "churn-data-quality"},
            "stat": "Maximum",
            "period": 86400,  # one period per run of the daily schedule
        }
        for feature in ("tenure", "charges")
    ]
    assert (largest["expression"], largest["returnData"]) == ("MAX([d0, d1])", True)


def test_every_alarm_pages_the_topic_on_alarm_and_ok(endpoint_alarms, realtime) -> None:
    for graph in (endpoint_alarms, realtime):
        for alarm in graph.of_type(ALARM):
            assert alarm.inputs["alarmActions"] == alarm.inputs["okActions"] == [TOPIC], alarm.name
            assert alarm.inputs.get("actionsEnabled", True) is True


def _variant_alarms(*variants: VariantAlarms, **args: Any) -> set[str]:
    # Once per version of the code and of this file: the variants and arguments as written are the key.
    graph = computed_once(
        "variant-alarms",
        lambda: record_program(
            lambda: EndpointAlarms(
                "alarms",
                EndpointAlarmsArgs(
                    endpoint_name=ENDPOINT,
                    variants=variants,
                    thresholds=AlarmThresholds(),
                    alarm_topic_arn=TOPIC,
                    tags={"owner": "t"},
                    **args,
                ),
            )
        ),
        key=[repr((variants, args))],
    )
    return {alarm.inputs["name"] for alarm in graph.of_type(ALARM)}


def test_only_instances_get_a_disk_alarm_and_only_gpu_instances_gpu_alarms() -> None:
    """A serverless variant has no disk, a CPU instance no GPU: their alarms would watch metrics
    nothing publishes (never firing, yet looking like coverage)."""
    names = _variant_alarms(
        VariantAlarms(name="cpu", gpus=0, instance_based=True),
        VariantAlarms(name="serverless", gpus=0, instance_based=False),
        VariantAlarms(name="gpu", gpus=1, instance_based=True),
    )
    assert names == {
        f"{ENDPOINT}-cpu-4xx",
        f"{ENDPOINT}-cpu-disk",
        f"{ENDPOINT}-serverless-4xx",
        f"{ENDPOINT}-gpu-4xx",
        f"{ENDPOINT}-gpu-disk",
        f"{ENDPOINT}-gpu-gpu",
        f"{ENDPOINT}-gpu-gpu-memory",
    }


def test_the_drift_alarm_takes_up_to_ten_features_and_needs_one() -> None:
    primary = VariantAlarms(name="primary", gpus=0, instance_based=True)
    ten = [f"f{i}" for i in range(10)]
    daily = "cron(0 0 ? * * *)"
    assert f"{ENDPOINT}-data-drift" in _variant_alarms(
        primary, monitoring_schedule_name="churn-data-quality", drift_features=ten, monitoring_schedule=daily
    )
    # No feature, no metric: MAX([]) is no expression CloudWatch evaluates.
    assert f"{ENDPOINT}-data-drift" not in _variant_alarms(
        primary, monitoring_schedule_name="churn-data-quality", drift_features=[]
    )
    with pytest.raises(ValueError, match="at most 10 drift features"):
        _variant_alarms(
            primary,
            monitoring_schedule_name="churn-data-quality",
            drift_features=[*ten, "f10"],
            monitoring_schedule=daily,
        )


@pytest.mark.parametrize(
    ("schedule", "period"),
    [("cron(0 * ? * * *)", 3600), ("cron(0 1/6 ? * * *)", 6 * 3600), ("cron(0 5 ? * * *)", 86400)],
)
def test_the_drift_alarm_takes_one_period_per_monitoring_run(schedule: str, period: int) -> None:
    graph = record_program(
        lambda: EndpointAlarms(
            "alarms",
            EndpointAlarmsArgs(
                endpoint_name=ENDPOINT,
                variants=[VariantAlarms(name="primary", gpus=0, instance_based=True)],
                thresholds=AlarmThresholds(),
                alarm_topic_arn=TOPIC,
                tags={"owner": "t"},
                monitoring_schedule_name="churn-data-quality",
                drift_features=["tenure"],
                monitoring_schedule=schedule,
            ),
        )
    )
    alarm = _alarm(graph, f"{ENDPOINT}-data-drift")
    assert [q["metric"]["period"] for q in alarm["metricQueries"] if "metric" in q] == [period]
    assert (alarm["evaluationPeriods"], alarm["treatMissingData"]) == (1, "ignore")


@pytest.mark.parametrize(
    ("schedule", "message"),
    [(None, "needs its monitoring schedule's expression"), ("rate(1 hour)", "not a Model Monitor schedule")],
)
def test_a_drift_alarm_without_a_model_monitor_schedule_is_refused_naming_the_field(
    schedule: str | None, message: str
) -> None:
    with pytest.raises(ValueError, match=rf"^EndpointAlarmsArgs\.monitoring_schedule: .*{message}"):
        EndpointAlarmsArgs(
            endpoint_name=ENDPOINT,
            variants=[],
            thresholds=AlarmThresholds(),
            alarm_topic_arn=TOPIC,
            tags={},
            monitoring_schedule_name="churn-data-quality",
            drift_features=["tenure"],
            monitoring_schedule=schedule,
        )


def test_business_hours_of_no_length_are_refused() -> None:
    """start == end would be a window no hour falls in: the no-traffic alarm could never fire."""
    with pytest.raises(ValueError, match="must be before end_hour_utc"):
        BusinessHours(start_hour_utc=8, end_hour_utc=8)


# --- scaling policies ---------------------------------------------------------------------------


def _policy(graph: ResourceGraph, suffix: str) -> RecordedResource:
    [policy] = [p for p in graph.of_type(POLICY) if p.name.endswith(f"-{suffix}")]
    return policy


def test_target_tracking_scales_out_fast_and_in_slowly(realtime) -> None:
    invocations = _policy(realtime, "invocations").inputs["targetTrackingScalingPolicyConfiguration"]
    gpu = _policy(realtime, "gpu").inputs["targetTrackingScalingPolicyConfiguration"]
    assert invocations == {
        "targetValue": 200,
        "scaleInCooldown": 600,
        "scaleOutCooldown": 45,
        "predefinedMetricSpecification": {"predefinedMetricType": "SageMakerVariantInvocationsPerInstance"},
    }
    assert gpu == {
        "targetValue": 70,
        "scaleInCooldown": 600,
        "scaleOutCooldown": 45,
        "customizedMetricSpecification": {
            "namespace": "/aws/sagemaker/Endpoints",
            "metricName": "GPUUtilization",
            "statistic": "Average",
            "unit": "Percent",
            "dimensions": [
                {"name": "EndpointName", "value": ENDPOINT},
                {"name": "VariantName", "value": "primary"},
            ],
        },
    }
    for policy in realtime.of_type(POLICY):
        config = policy.inputs["targetTrackingScalingPolicyConfiguration"]
        assert config["scaleInCooldown"] > config["scaleOutCooldown"], policy.name
        assert not config.get("disableScaleIn"), policy.name


def test_async_backlog_tracking_and_scale_from_zero(asynchronous) -> None:
    backlog = _policy(asynchronous, "backlog").inputs
    assert backlog["policyType"] == "TargetTrackingScaling"
    assert backlog["targetTrackingScalingPolicyConfiguration"] == {
        "targetValue": 5,
        "scaleInCooldown": 600,
        "scaleOutCooldown": 45,
        "customizedMetricSpecification": {
            "namespace": "AWS/SageMaker",
            "metricName": "ApproximateBacklogSizePerInstance",
            "statistic": "Average",
            "dimensions": [{"name": "EndpointName", "value": ENDPOINT}],
        },
    }
    step = _policy(asynchronous, "from-zero")
    assert step.inputs["policyType"] == "StepScaling"
    assert step.inputs["stepScalingPolicyConfiguration"] == {
        "adjustmentType": "ChangeInCapacity",
        "cooldown": 45,  # a scale-out: the scale-out cooldown
        "metricAggregationType": "Average",
        # From the threshold upwards (no upper bound), add one instance: a scale-out step.
        "stepAdjustments": [{"metricIntervalLowerBound": "0", "scalingAdjustment": 1}],
    }
    alarm = _alarm(asynchronous, f"{ENDPOINT}-backlog-without-capacity")
    assert semantics(alarm) == _alarm_of(
        namespace="AWS/SageMaker",
        metricName="HasBacklogWithoutCapacity",
        dimensions={"EndpointName": ENDPOINT},
        statistic="Average",
        period=60,
        evaluationPeriods=2,
        datapointsToAlarm=2,
        comparisonOperator="GreaterThanOrEqualToThreshold",  # the metric is 1 while requests wait
        threshold=1,
        treatMissingData="notBreaching",  # an idle endpoint publishes nothing: that is normal
    )
    assert alarm["alarmActions"] == [step.outputs["arn"]]
