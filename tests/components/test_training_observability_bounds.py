"""The exact edges of the training, monitoring, budget, feature-store, audit-trail and registry
bounds that encode an AWS limit (or a documented rule of the platform).

A mutation audit moved each of these bounds by one (``le=64`` -> ``le=65``, ``>`` -> ``>=``) and
the suite still passed: the existing tests refuse values far beyond the bounds, and the generated
malformed stack files (tests/stacks/malformed.py) read the bounds from the models themselves, so
they follow a bound that drifts. Here each bound is pinned at its edge, with AWS's number written
out: the boundary value is accepted, one past it is refused, and the refusal names the key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pydantic import ValidationError

from components.data.feature_store_spec import FeatureGroupSpec
from components.observability.failure_alerts import FailureAlertsArgs
from components.schedules import EVENTBRIDGE_MAX_LENGTH, eventbridge_schedule_problem
from components.training import _offline_sdk
from components.training.definition import RESERVED_HYPERPARAMETERS
from components.training.pipeline_triggers import PipelineTriggersArgs
from stacks.config import CONFIG_KEY
from tests.config_problems import stack_file_problems
from tests.stack_edits import Edit, at, both

P = CONFIG_KEY
FAMILY = "models.0.training"
FAMILY_KEY = "models[0].training"
TWENTY_EIGHT_DAYS = 2_419_200
"""SageMaker's ceiling for a training job's MaxRuntimeInSeconds and MaxWaitTimeInSeconds."""


def _hyperparameters(count: int) -> Edit:
    return at(f"{FAMILY}.hyperparameters", {f"param_{index}": index for index in range(count)})


def _daily_monitoring(platform: dict[str, Any]) -> None:
    """A daily schedule: the hourly runtime ceilings do not apply."""
    platform.setdefault("monitoring", {})["schedule"] = "cron(0 0 ? * * *)"


def _metric_definition(name: str, regex: str) -> Edit:
    return at(f"{FAMILY}.metric_definitions", [{"name": name, "regex": regex}])


def _budget_thresholds(actual: int, forecast: int) -> Edit:
    return both(
        at("budget.actual_thresholds_percent", [float(10 * (index + 1)) for index in range(actual)]),
        at("budget.forecast_thresholds_percent", [float(10 * (index + 1)) for index in range(forecast)]),
    )


_UNTRACKED = at("experiment_tracking.enabled", False)
_SPOT = both(at(f"{FAMILY}.spot", True), at(f"{FAMILY}.max_run_seconds", 3600))

# (case, base stack, edit at the bound (valid), edit one past it, key refused, fragment of the message)
EDGES: list[tuple[str, str, Edit, Edit, str, str]] = [
    # SageMaker training: StoppingCondition and ResourceConfig.
    ("training-instance-count-max", "prod", at(f"{FAMILY}.training_instance_count", 64), at(f"{FAMILY}.training_instance_count", 65), f"{FAMILY_KEY}.training_instance_count", "less than or equal to 64"),
    ("training-instance-count-min", "prod", at(f"{FAMILY}.training_instance_count", 1), at(f"{FAMILY}.training_instance_count", 0), f"{FAMILY_KEY}.training_instance_count", "greater than or equal to 1"),
    ("max-run-seconds-28-days", "prod", at(f"{FAMILY}.max_run_seconds", TWENTY_EIGHT_DAYS), at(f"{FAMILY}.max_run_seconds", TWENTY_EIGHT_DAYS + 1), f"{FAMILY_KEY}.max_run_seconds", f"less than or equal to {TWENTY_EIGHT_DAYS}"),
    ("max-run-seconds-min", "prod", at(f"{FAMILY}.max_run_seconds", 60), at(f"{FAMILY}.max_run_seconds", 59), f"{FAMILY_KEY}.max_run_seconds", "greater than or equal to 60"),
    ("max-wait-seconds-28-days", "prod", both(_SPOT, at(f"{FAMILY}.max_wait_seconds", TWENTY_EIGHT_DAYS)), both(_SPOT, at(f"{FAMILY}.max_wait_seconds", TWENTY_EIGHT_DAYS + 1)), f"{FAMILY_KEY}.max_wait_seconds", f"less than or equal to {TWENTY_EIGHT_DAYS}"),
    ("max-wait-seconds-above-max-run", "prod", both(_SPOT, at(f"{FAMILY}.max_wait_seconds", 3601)), both(_SPOT, at(f"{FAMILY}.max_wait_seconds", 3600)), f"{FAMILY_KEY}.max_wait_seconds", "must be greater than max_run_seconds (3600)"),
    ("max-parallel-steps-max", "prod", at("training.max_parallel_steps", 50), at("training.max_parallel_steps", 51), "training.max_parallel_steps", "less than or equal to 50"),
    # CreateTrainingJob HyperParameters: 100 entries (the platform's own included), keys 256, values 2500.
    # Without experiment tracking: its TrackExperiment step takes fewer (tests/stacks/test_cross_field_validation.py).
    ("hyperparameter-count", "prod", both(_UNTRACKED, _hyperparameters(100 - len(RESERVED_HYPERPARAMETERS))), both(_UNTRACKED, _hyperparameters(101 - len(RESERVED_HYPERPARAMETERS))), f"{FAMILY_KEY}.hyperparameters", "SageMaker takes 100"),
    ("hyperparameter-key-length", "prod", at(f"{FAMILY}.hyperparameters", {"k" * 256: 1}), at(f"{FAMILY}.hyperparameters", {"k" * 257: 1}), f"{FAMILY_KEY}.hyperparameters", "1-256 characters"),
    ("hyperparameter-value-length", "prod", at(f"{FAMILY}.hyperparameters", {"k": "v" * 2500}), at(f"{FAMILY}.hyperparameters", {"k": "v" * 2501}), f"{FAMILY_KEY}.hyperparameters", "at most 2500 characters"),
    # MetricDefinition: Name 1-255, Regex 1-500.
    ("metric-definition-name-length", "prod", _metric_definition("n" * 255, "auc=([0-9.]+)"), _metric_definition("n" * 256, "auc=([0-9.]+)"), f"{FAMILY_KEY}.metric_definitions[0].name", "at most 255 characters"),
    ("metric-definition-regex-length", "prod", _metric_definition("validation:auc", "a" * 497 + "(b)"), _metric_definition("validation:auc", "a" * 498 + "(b)"), f"{FAMILY_KEY}.metric_definitions[0].regex", "at most 500 characters"),
    # Model Monitor: the runtime ceiling of the stack's jobs (MaxRuntimeInSeconds 1-86400), an hourly
    # schedule's (1800 s with model quality), and the data-quality job's volume.
    ("monitoring-max-runtime-max", "prod", both(_daily_monitoring, at("monitoring.max_runtime_seconds", 86_400)), both(_daily_monitoring, at("monitoring.max_runtime_seconds", 86_401)), "monitoring.max_runtime_seconds", "less than or equal to 86400"),
    ("monitoring-max-runtime-min", "prod", both(_daily_monitoring, at("monitoring.max_runtime_seconds", 60)), both(_daily_monitoring, at("monitoring.max_runtime_seconds", 59)), "monitoring.max_runtime_seconds", "greater than or equal to 60"),
    ("monitoring-hourly-model-quality-runtime", "prod", at("monitoring.max_runtime_seconds", 1800), at("monitoring.max_runtime_seconds", 1801), "monitoring.max_runtime_seconds", "may run at most 1800 s"),
    ("monitoring-volume-size-max", "prod", at("monitoring.volume_size_gb", 512), at("monitoring.volume_size_gb", 513), "monitoring.volume_size_gb", "less than or equal to 512"),
    ("ground-truth-delay-max", "prod", at("monitoring.model_monitors.ground_truth_delay_hours", 168), at("monitoring.model_monitors.ground_truth_delay_hours", 169), "monitoring.model_monitors.ground_truth_delay_hours", "less than or equal to 168"),
    # CloudWatch evaluates at most 10 metrics in one alarm's metric math.
    ("drift-features-max", "prod", at("monitoring.drift_features", [f"f{index}" for index in range(10)]), at("monitoring.drift_features", [f"f{index}" for index in range(11)]), "monitoring.drift_features", "at most 10 items"),
    # Endpoint alarms: business hours and percentages.
    ("business-hours-start-max", "prod", at("monitoring.alarms.business_hours", {"start_hour_utc": 23, "end_hour_utc": 24}), at("monitoring.alarms.business_hours", {"start_hour_utc": 24, "end_hour_utc": 24}), "monitoring.alarms.business_hours.start_hour_utc", "less than or equal to 23"),
    ("business-hours-order", "prod", at("monitoring.alarms.business_hours", {"start_hour_utc": 8, "end_hour_utc": 9}), at("monitoring.alarms.business_hours", {"start_hour_utc": 9, "end_hour_utc": 9}), "monitoring.alarms.business_hours", "end_hour_utc"),
    ("drift-threshold-below-one", "prod", at("monitoring.alarms.drift_threshold", 0.999), at("monitoring.alarms.drift_threshold", 1.0), "monitoring.alarms.drift_threshold", "less than 1"),
    ("gpu-utilization-max", "prod", at("monitoring.alarms.gpu_utilization_percent", 100), at("monitoring.alarms.gpu_utilization_percent", 100.5), "monitoring.alarms.gpu_utilization_percent", "less than or equal to 100"),
    # AWS Budgets: 10 notifications per budget; thresholds up to 1000 % of the limit.
    ("budget-notifications", "prod", _budget_thresholds(5, 5), _budget_thresholds(5, 6), "budget.forecast_thresholds_percent", "10 notifications per budget"),
    ("budget-threshold-percent-max", "prod", at("budget.actual_thresholds_percent", [1000.0]), at("budget.actual_thresholds_percent", [1000.5]), "budget.actual_thresholds_percent", "at most 1000"),
    ("budget-monthly-limit-max", "prod", at("budget.monthly_limit_usd", 1_000_000_000.0), at("budget.monthly_limit_usd", 1_000_000_001.0), "budget.monthly_limit_usd", "less than or equal to 1000000000"),
    # SageMaker Feature Store: Description 0-128, TtlDuration.Value >= 1.
    ("feature-group-description-length", "dev", at("feature_groups.0.description", "d" * 128), at("feature_groups.0.description", "d" * 129), "feature_groups[0].description", "at most 128 characters"),
    ("online-ttl-min", "dev", at("feature_groups.0.online_ttl", {"value": 1, "unit": "Days"}), at("feature_groups.0.online_ttl", {"value": 0, "unit": "Days"}), "feature_groups[0].online_ttl.value", "greater than or equal to 1"),
    # CloudTrail: the S3 log files' lifecycle (1 to 100 years), and CloudWatch Logs' retention list.
    ("audit-log-retention-max", "prod", at("audit_trail.log_retention_days", 36500), at("audit_trail.log_retention_days", 36501), "audit_trail.log_retention_days", "less than or equal to 36500"),
    ("audit-log-retention-min", "prod", at("audit_trail.log_retention_days", 1), at("audit_trail.log_retention_days", 0), "audit_trail.log_retention_days", "greater than or equal to 1"),
    ("audit-cloudwatch-retention-listed", "prod", at("audit_trail.cloudwatch_logs_retention_days", 3653), at("audit_trail.cloudwatch_logs_retention_days", 3654), "audit_trail.cloudwatch_logs_retention_days", "not a CloudWatch Logs retention"),
    # Model package group: Description 0-1024.
    ("model-family-description-length", "prod", at("models.0.description", "d" * 1024), at("models.0.description", "d" * 1025), "models[0].description", "at most 1024 characters"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "base", "valid", "invalid", "key", "fragment"), EDGES, ids=[edge[0] for edge in EDGES]
)
def test_a_bound_accepts_its_edge_and_refuses_one_past_it_naming_the_key(
    write_stack: Callable[..., Any], case: str, base: str, valid: Edit, invalid: Edit, key: str, fragment: str
) -> None:
    assert stack_file_problems(write_stack(base, valid)) == {}
    problems = stack_file_problems(write_stack(base, invalid))
    assert list(problems) == [f"{P}.{key}"], problems
    assert fragment in problems[f"{P}.{key}"]


def test_an_eventbridge_schedule_has_at_most_256_characters() -> None:
    """EventBridge's ScheduleExpression: 256 characters (a rate padded with zeros to the length)."""
    assert EVENTBRIDGE_MAX_LENGTH == 256

    def padded(length: int) -> str:
        return "rate(" + "2 minutes)".rjust(length - len("rate("), "0")

    assert len(padded(256)) == 256
    assert eventbridge_schedule_problem(padded(256)) is None
    assert "AWS takes at most 256" in (eventbridge_schedule_problem(padded(257)) or "")


@pytest.mark.parametrize(
    ("seconds", "valid"), [(3600, True), (3599, False), (30 * 24 * 3600, True), (30 * 24 * 3600 + 1, False)]
)
def test_the_retraining_cooldown_is_an_hour_to_thirty_days(seconds: int, valid: bool) -> None:
    """The retraining gate's cooldown, 3600 s to 30 days (the stack's ``retraining_cooldown_hours``,
    1-720): built from Python, a value outside it names the args' field."""

    def build() -> PipelineTriggersArgs:
        return PipelineTriggersArgs(
            pipeline_name="customer-churn-training",
            pipeline_arn="arn:aws:sagemaker:eu-west-1:123456789012:pipeline/customer-churn-training",
            account_id="123456789012",
            region="eu-west-1",
            role_path="/mlops-platform/test/",
            tags={"owner": "t"},
            drift_alarm_names=["customer-churn-data-drift"],
            retraining_cooldown_seconds=seconds,
        )

    if valid:
        assert build().retraining_cooldown_seconds == seconds
    else:
        with pytest.raises(ValueError, match=r"^PipelineTriggersArgs\.retraining_cooldown_seconds: "):
            build()


def _feature_group(count: int) -> dict[str, Any]:
    features = [{"name": "customer_id", "type": "String"}, {"name": "event_time", "type": "Fractional"}]
    features += [{"name": f"f{index}", "type": "Integral"} for index in range(count - len(features))]
    return {
        "name": "wide",
        "record_identifier": "customer_id",
        "event_time": "event_time",
        "features": features,
    }


def test_a_feature_group_has_at_most_2500_features() -> None:
    """CreateFeatureGroup's FeatureDefinitions: 2500 at most (checked on the model: a stack file
    with 2500 features is slow to write and read for no more coverage)."""
    assert len(FeatureGroupSpec.model_validate(_feature_group(2500)).features) == 2500
    with pytest.raises(ValidationError) as refused:
        FeatureGroupSpec.model_validate(_feature_group(2501))
    [error] = refused.value.errors()
    assert error["loc"] == ("features",)
    assert "at most 2500 items" in error["msg"]


@pytest.mark.parametrize(
    ("role_path", "valid"),
    [
        ("/", True),
        ("/mlops-platform/dev/", True),
        ("mlops-platform/dev/", False),
        ("/mlops-platform/dev", False),
    ],
)
def test_failure_alerts_take_an_iam_path_that_starts_and_ends_with_a_slash(
    role_path: str, valid: bool
) -> None:
    """The rules match the jobs' role ARNs by ``role_path``: IAM paths start and end with ``/``."""

    def build() -> FailureAlertsArgs:
        return FailureAlertsArgs(
            topic_arn="arn:aws:sns:eu-west-1:111111111111:alerts",
            region="eu-west-1",
            account_id="111111111111",
            role_path=role_path,
        )

    if valid:
        assert build().role_path == role_path
    else:
        with pytest.raises(ValueError, match=r"^FailureAlertsArgs\.role_path: .* is not an IAM path"):
            build()


def test_a_tracking_argument_is_cut_to_sagemakers_256_characters() -> None:
    """ProcessingStep ContainerArguments: each item 256 characters at most; a longer ``key=value``
    (a tag or hyperparameter of the TrackExperiment step) is cut, not refused at run time, and ends
    in ``...`` so the run never shows a cut value as the whole one. The
    builder is imported here, sealed and offline, as tests/components/test_instance_storage.py does:
    the SageMaker SDK costs seconds to import."""
    with _offline_sdk.sealed("eu-west-1"):
        from components.training._definition_steps import _key_value

    assert _key_value("k", "v" * 254) == "k=" + "v" * 254
    assert _key_value("k", "v" * 255) == "k=" + "v" * 251 + "..."
