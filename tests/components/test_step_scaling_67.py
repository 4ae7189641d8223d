"""User step scaling of an endpoint variant (``scaling.step``): each entry is a StepScaling policy
and the CloudWatch alarm that runs it.

One endpoint component is recorded (three step policies on a GPU variant) and read as Application
Auto Scaling and CloudWatch would: which alarm fires at a metric value, and which step's adjustment
it then applies. Refusals go through the stack file's reader and name the file and the key.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from components.serving.inference_endpoint import InferenceEndpoint
from components.serving.inference_endpoint_spec import EndpointSpec
from planner.recorder import RecordedResource, ResourceGraph, record_program
from policies.local import evaluate_report
from policies.registry import get_policy, load_pack_config
from stacks.config import ConfigError, parse_platform_config
from tests.api_models import request_errors
from tests.aws_requests import requests
from tests.components.serving_args import endpoint_args
from tests.conftest import load_stack_document
from tests.recorded import computed_once

TARGET = "aws:appautoscaling/target:Target"
POLICY = "aws:appautoscaling/policy:Policy"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
PACKAGE = "arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn/3"

LATENCY_OUT = {
    "name": "latency-out",
    "direction": "out",
    "metric": "ModelLatency",
    "statistic": "p99",
    "period": 120,
    "evaluation_periods": 3,
    "datapoints_to_alarm": 2,
    "threshold": 200_000,  # microseconds
    # Listed out of order: the policy gets them from the threshold up.
    "steps": [
        {"lower_bound": 300_000, "adjustment": 3},
        {"lower_bound": 0, "upper_bound": 300_000, "adjustment": 1},
    ],
}
CPU_IN = {
    "name": "cpu-in",
    "direction": "in",
    "metric": "CPUUtilization",
    "statistic": "Average",
    "threshold": 30,
    "evaluation_periods": 10,
    "adjustment_type": "PercentChangeInCapacity",
    "min_adjustment_magnitude": 1,
    "steps": [
        {"upper_bound": -20, "adjustment": -50},
        {"lower_bound": -20, "upper_bound": 0, "adjustment": -25},
    ],
}
GPU_EXACT = {
    "name": "gpu-exact",
    "direction": "out",
    "metric": "GPUUtilization",
    "statistic": "Maximum",
    "threshold": 90,
    "adjustment_type": "ExactCapacity",
    "cooldown_seconds": 600,
    "steps": [{"lower_bound": 0, "upper_bound": 5.5, "adjustment": 4}, {"lower_bound": 5.5, "adjustment": 6}],
}
# Read by tests/components/test_revstep_67.py: an idle minute (zero invocations, the metric's 0)
# lies in the farthest step, whose upper bound is minus the threshold; the step is picked by the
# busiest of the alarm's minutes (Maximum), not by the statistic's default (Average).
IDLE_IN = {
    "name": "idle-in",
    "direction": "in",
    "metric": "InvocationsPerInstance",
    "statistic": "Sum",
    "metric_aggregation_type": "Maximum",
    "threshold": 10,
    "steps": [
        {"upper_bound": -10, "adjustment": -2},
        {"lower_bound": -10, "upper_bound": 0, "adjustment": -1},
    ],
}
SCALING = {
    "min_capacity": 2,
    "max_capacity": 6,
    "scale_in_cooldown_seconds": 900,
    "scale_out_cooldown_seconds": 120,
    "step": [LATENCY_OUT, CPU_IN, GPU_EXACT, IDLE_IN],
}
ENDPOINT = {
    "name": "churn",
    "variants": [
        {
            "name": "primary",
            "model": {"model_package_arn": PACKAGE},
            "instance_type": "ml.g5.xlarge",
            "initial_instance_count": 2,
            "scaling": SCALING,
        }
    ],
}


def _graph() -> ResourceGraph:
    spec = EndpointSpec.model_validate(ENDPOINT)
    return computed_once(
        "step-scaling",
        lambda: record_program(lambda: InferenceEndpoint("ep", endpoint_args(spec))),
        key=[repr(ENDPOINT)],
    )


def _pair(graph: ResourceGraph, name: str) -> tuple[RecordedResource, RecordedResource]:
    """The step policy ``name`` and the alarm whose actions run it."""
    [policy] = [p for p in graph.of_type(POLICY) if p.name == f"ep-primary-step-{name}"]
    arn = policy.outputs["arn"]
    alarms = [a for a in graph.of_type(ALARM) if arn in (a.inputs.get("alarmActions") or [])]
    assert len(alarms) == 1, f"{name}: one alarm runs the policy, got {[a.name for a in alarms]}"
    return policy, alarms[0]


def _fires(alarm: RecordedResource, value: float) -> bool:
    """Whether a data point of ``value`` breaches the alarm's threshold (its operator's side)."""
    threshold = alarm.inputs["threshold"]
    return {
        "GreaterThanOrEqualToThreshold": value >= threshold,
        "LessThanOrEqualToThreshold": value <= threshold,
    }[alarm.inputs["comparisonOperator"]]


def _applied(policy: RecordedResource, alarm: RecordedResource, value: float) -> int | None:
    """The scalingAdjustment Application Auto Scaling applies at ``value`` (None: no alarm, no
    step): the step whose [lower, upper) holds value minus the alarm's threshold (AWS: lower
    inclusive and upper exclusive above the threshold, the reverse below it: a scale-in alarm's)."""
    if not _fires(alarm, value):
        return None
    offset = value - alarm.inputs["threshold"]
    config = policy.inputs["stepScalingPolicyConfiguration"]
    matches = []
    for step in config["stepAdjustments"]:
        low = float(step.get("metricIntervalLowerBound") or "-inf")
        high = float(step.get("metricIntervalUpperBound") or "inf")
        inside = (
            low <= offset < high
            if alarm.inputs["comparisonOperator"].startswith("Greater")
            else low < offset <= high
        )
        if inside:
            matches.append(step["scalingAdjustment"])
    assert len(matches) <= 1, f"overlapping steps at {value}: {matches}"
    return matches[0] if matches else None


# (policy, metric value, adjustment applied: None when its alarm does not fire)
SCENARIOS = [
    ("latency-out", 150_000, None),  # below the 200 ms threshold: no scale-out
    ("latency-out", 200_000, 1),  # at the threshold: the first step
    ("latency-out", 499_999, 1),
    ("latency-out", 500_000, 3),  # 300 ms above it: the open-ended step
    ("latency-out", 5_000_000, 3),
    ("cpu-in", 31, None),  # busy enough: no scale-in
    ("cpu-in", 30, -25),  # at the threshold
    ("cpu-in", 10.1, -25),
    ("cpu-in", 10, -50),  # 20 below it: below the threshold a step's upper bound is inclusive
    ("cpu-in", 0, -50),
    ("gpu-exact", 89.9, None),
    ("gpu-exact", 90, 4),
    ("gpu-exact", 95.5, 6),
]


@pytest.mark.parametrize(
    ("name", "value", "adjustment"), SCENARIOS, ids=[f"{n}-at-{v}" for n, v, _ in SCENARIOS]
)
def test_a_metric_value_fires_the_alarm_and_applies_its_step(
    name: str, value: float, adjustment: int | None
) -> None:
    assert _applied(*_pair(_graph(), name), value) == adjustment


@pytest.mark.parametrize("spec", [LATENCY_OUT, CPU_IN, GPU_EXACT], ids=lambda spec: spec["name"])
def test_the_alarm_watches_the_variants_metric_as_the_spec_says_and_only_runs_its_policy(
    spec: dict[str, Any],
) -> None:
    graph = _graph()
    policy, alarm = _pair(graph, spec["name"])
    inputs = alarm.inputs
    out = spec["direction"] == "out"
    assert inputs["comparisonOperator"] == (
        "GreaterThanOrEqualToThreshold" if out else "LessThanOrEqualToThreshold"
    )
    assert inputs["alarmActions"] == [policy.outputs["arn"]]
    assert not inputs.get("okActions") and not inputs.get("insufficientDataActions")
    # Missing data (no instance reporting) neither adds nor removes instances; an idle variant
    # publishes zero invocations, which a scale-in alarm reads (tests/components/test_revstep_67.py).
    assert inputs["treatMissingData"] == "notBreaching"
    assert inputs["dimensions"] == {"EndpointName": "test-churn", "VariantName": "primary"}
    namespace = "/aws/sagemaker/Endpoints" if spec["metric"].endswith("Utilization") else "AWS/SageMaker"
    assert (inputs["namespace"], inputs["metricName"]) == (namespace, spec["metric"])
    percentile = spec["statistic"].startswith("p")
    assert (inputs.get("statistic"), inputs.get("extendedStatistic")) == (
        (None, spec["statistic"]) if percentile else (spec["statistic"], None)
    )
    assert inputs["threshold"] == spec["threshold"]
    assert inputs["period"] == spec.get("period", 60)
    assert inputs["evaluationPeriods"] == spec.get("evaluation_periods", 3)
    assert inputs["datapointsToAlarm"] == spec.get("datapoints_to_alarm", inputs["evaluationPeriods"])

    config = policy.inputs["stepScalingPolicyConfiguration"]
    assert policy.inputs["policyType"] == "StepScaling"
    assert config["adjustmentType"] == spec.get("adjustment_type", "ChangeInCapacity")
    adjustments = [step["scalingAdjustment"] for step in config["stepAdjustments"]]
    if spec.get("adjustment_type") == "ExactCapacity":
        assert all(SCALING["min_capacity"] <= a <= SCALING["max_capacity"] for a in adjustments)
    else:
        assert all((a > 0) if out else (a < 0) for a in adjustments)
    # The statistic's aggregation (p99 and Average: Average; Maximum: Maximum).
    assert config["metricAggregationType"] == (
        spec["statistic"] if spec["statistic"] in ("Minimum", "Maximum") else "Average"
    )
    assert config["cooldown"] == spec.get(
        "cooldown_seconds", SCALING["scale_out_cooldown_seconds" if out else "scale_in_cooldown_seconds"]
    )
    assert config.get("minAdjustmentMagnitude") == spec.get("min_adjustment_magnitude")


def test_the_steps_are_children_of_the_endpoint_put_after_the_target_and_requests_aws_accepts() -> None:
    graph = _graph()
    [component] = [r for r in graph.resources if r.type == "mlops:serving:InferenceEndpoint"]
    [target] = graph.of_type(TARGET)
    names = {spec["name"] for spec in SCALING["step"]}
    resources = [r for r in graph.resources if r.name.removeprefix("ep-primary-step-") in names]
    assert len(resources) == 2 * len(names)
    problems = []
    for resource in resources:
        assert resource.parent == component.urn
        if resource.type == POLICY:
            assert target.urn in resource.dependencies
        for service, operation, params in requests(resource):
            problems += [f"{resource.name}: {e}" for e in request_errors(service, operation, params)]
            named = params["PolicyName" if operation == "PutScalingPolicy" else "AlarmName"]
            assert named == f"test-churn-primary-step-{resource.name.removeprefix('ep-primary-step-')}"
    assert problems == []


ALARM_RULES = (
    "alarm-has-actions",
    "alarm-fires-on-the-bad-side",
    "alarm-statistic-fits-the-metric",
    "scale-out-steps-add-capacity",
    "sagemaker-target-tracking-sound",
)


def test_the_policy_pack_accepts_scaling_alarms_and_their_policies() -> None:
    """The pack's alarm and scaling rules (a scale-in alarm fires low on utilisation; a scaling
    alarm's action is its policy, not the alert topic) pass the step policies, none undecided."""
    graph = _graph()
    report = evaluate_report(graph.resources, load_pack_config("prod"), [get_policy(n) for n in ALARM_RULES])
    assert [(v.policy_name, v.resource_name, v.message) for v in report.violations] == []
    assert report.undecided == []
    # The rules did judge them: the scale-in alarm fires low, and its metric's bad side is high.
    _, cpu_in = _pair(graph, "cpu-in")
    assert cpu_in.inputs["comparisonOperator"].startswith("LessThan")


# -- refusals: the stack file and the key -----------------------------------------------------------


def _with_step(*steps: dict[str, Any], **scaling: Any) -> dict[str, Any]:
    variant = {**ENDPOINT["variants"][0], "scaling": {**SCALING, **scaling, "step": list(steps)}}
    return {**ENDPOINT, "variants": [variant]}


def _edit(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**base, **changes}


KEY = "endpoints[0].variants[0].scaling.step"
REFUSED: list[tuple[str, dict[str, Any], str, str]] = [
    ("overlapping-steps", _with_step(_edit(LATENCY_OUT, steps=[{"lower_bound": 0, "upper_bound": 300_000, "adjustment": 1}, {"lower_bound": 200_000, "adjustment": 2}])), f"{KEY}[0].steps[1].lower_bound", "contiguous without overlap"),
    ("gap-between-steps", _with_step(_edit(LATENCY_OUT, steps=[{"lower_bound": 0, "upper_bound": 100, "adjustment": 1}, {"lower_bound": 200, "adjustment": 2}])), f"{KEY}[0].steps[1].lower_bound", "contiguous without overlap"),
    ("scale-out-step-below-the-threshold", _with_step(_edit(LATENCY_OUT, steps=[{"lower_bound": -10, "adjustment": 1}])), f"{KEY}[0].steps[0]", "bounds >= 0"),
    ("scale-out-not-from-the-threshold", _with_step(_edit(LATENCY_OUT, steps=[{"lower_bound": 10, "adjustment": 1}])), f"{KEY}[0].steps[0].lower_bound", "starts at 0"),
    ("scale-out-closed-at-the-top", _with_step(_edit(LATENCY_OUT, steps=[{"lower_bound": 0, "upper_bound": 10, "adjustment": 1}])), f"{KEY}[0].steps[0].upper_bound", "open-ended"),
    ("scale-in-step-above-the-threshold", _with_step(_edit(CPU_IN, steps=[{"upper_bound": 5, "adjustment": -1}])), f"{KEY}[0].steps[0]", "bounds <= 0"),
    ("scale-in-closed-at-the-bottom", _with_step(_edit(CPU_IN, steps=[{"lower_bound": -10, "upper_bound": 0, "adjustment": -1}])), f"{KEY}[0].steps[0].lower_bound", "open-ended"),
    ("scale-in-below-zero-unreachable", _with_step(_edit(CPU_IN, steps=[{"upper_bound": -30.5, "adjustment": -50}, {"lower_bound": -30.5, "upper_bound": 0, "adjustment": -25}])), f"{KEY}[0].steps[0].upper_bound", "never reached"),
    ("scale-out-removes", _with_step(_edit(LATENCY_OUT, steps=[{"lower_bound": 0, "adjustment": -1}])), f"{KEY}[0].steps[0].adjustment", "positive adjustment"),
    ("scale-in-adds", _with_step(_edit(CPU_IN, steps=[{"upper_bound": 0, "adjustment": 1}])), f"{KEY}[0].steps[0].adjustment", "negative adjustment"),
    ("exact-capacity-above-max", _with_step(_edit(GPU_EXACT, steps=[{"lower_bound": 0, "adjustment": 7}])), f"{KEY}[0].steps[0].adjustment", "outside min_capacity 2 and max_capacity 6"),
    ("min-magnitude-without-percent", _with_step(_edit(LATENCY_OUT, min_adjustment_magnitude=2)), f"{KEY}[0].min_adjustment_magnitude", "PercentChangeInCapacity only"),
    ("percentile-of-invocations", _with_step(_edit(LATENCY_OUT, metric="InvocationsPerInstance")), f"{KEY}[0].statistic", "measured by Sum"),
    ("scale-in-on-latency", _with_step(_edit(CPU_IN, metric="ModelLatency")), f"{KEY}[0].metric", "scale in on spare capacity"),
    ("period-not-whole-minutes", _with_step(_edit(LATENCY_OUT, period=90)), f"{KEY}[0].period", "multiple of 60"),
    ("longer-than-a-day-of-minutes", _with_step(_edit(CPU_IN, period=60, evaluation_periods=1441)), f"{KEY}[0].evaluation_periods", "exceeds a day"),
    ("more-datapoints-than-periods", _with_step(_edit(LATENCY_OUT, datapoints_to_alarm=4)), f"{KEY}[0].datapoints_to_alarm", "exceeds evaluation_periods 3"),
    ("duplicate-names", _with_step(LATENCY_OUT, _edit(GPU_EXACT, name="latency-out")), f"{KEY}[1].name", "duplicate step policy name"),
    ("gpu-metric-on-cpu", {**_with_step(GPU_EXACT), "variants": [{**_with_step(GPU_EXACT)["variants"][0], "instance_type": "ml.m5.xlarge"}]}, f"{KEY}[0].metric", "needs a GPU instance type"),
    # invocations_per_instance (default 100) is a policy too: 49 steps + 1 = 50 fit, 50 + 1 do not.
    ("51-policies", _with_step(*[_edit(LATENCY_OUT, name=f"s{n}") for n in range(50)]), KEY, "51 scaling policies"),
    ("collides-with-a-scheduled-action", _with_step(LATENCY_OUT, scheduled=[{"name": "step-latency-out", "schedule": "cron(0 22 * * ? *)", "min_capacity": 2, "max_capacity": 3}]), f"{KEY}[0].name", "would collide"),
]  # fmt: skip


def _stack_with(endpoint: dict[str, Any]) -> dict[str, Any]:
    return {**load_stack_document("prod")["config"]["mlops-platform:platform"], "endpoints": [endpoint]}


@pytest.mark.parametrize(("case", "endpoint", "key", "fragment"), REFUSED, ids=[c[0] for c in REFUSED])
def test_a_step_policy_aws_or_its_direction_would_refuse_is_refused_naming_file_and_key(
    case: str, endpoint: dict[str, Any], key: str, fragment: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(_stack_with(endpoint), "stacks/Pulumi.prod.yaml")
    lines = [line.strip() for line in str(raised.value).splitlines()]
    at = f"stacks/Pulumi.prod.yaml: mlops-platform:platform.{key}: "
    assert [line for line in lines if line.startswith(at) and fragment in line], str(raised.value)


def test_the_edges_of_the_refusals_are_accepted() -> None:
    """49 steps besides the invocations target, a scale-in step reaching down to the metric's 0,
    an ExactCapacity of max_capacity, a 4XX error rate threshold of 1: all valid."""
    fits = _with_step(
        *[_edit(LATENCY_OUT, name=f"s{n}") for n in range(46)],
        _edit(CPU_IN, steps=[{"upper_bound": -29.9, "adjustment": -50}, {"lower_bound": -29.9, "upper_bound": 0, "adjustment": -25}]),
        _edit(GPU_EXACT, steps=[{"lower_bound": 0, "adjustment": 6}]),
        _edit(LATENCY_OUT, name="errors", metric="Invocation4XXErrors", statistic="Average", threshold=1),
    )  # fmt: skip
    variant = parse_platform_config(_stack_with(fits), "stacks/Pulumi.prod.yaml").endpoints[0].variants[0]
    assert variant.scaling is not None and variant.scaling.policy_count("real-time") == 50
    assert math.isclose(variant.scaling.step[46].steps[0].upper_bound or 0, -29.9)
