"""An endpoint's scaling block keeps Application Auto Scaling's documented limits, each at its edge:
the value at the limit is accepted and the next one refused, naming the field.

Sources: the service's quotas page (step adjustments per step scaling policy: 20, by default;
scaling policies per scalable target: 50; scheduled actions per scalable target: 200), the API
reference (StepAdjustment: "For exact capacity, you must specify a non-negative value";
TargetTrackingScalingPolicyConfiguration's TargetValue, 8.515920e-109 to 1.174271e+108, i.e.
2^-359 to 2^359, which its current -2^360 to 2^360 holds) and botocore's model (ScalingAdjustment
and MinAdjustmentMagnitude are ``Integer``, a step's bounds ``MetricScale`` Doubles, CloudWatch's
Threshold a Double; PolicyName and ScheduledActionName 1-256 characters, the latter without ``:``,
``/`` or ``|``). The specs are driven directly; the last tests go through a stack file's parser for
the file and the key a user sees.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import pytest
from pydantic import ValidationError

from components.limits import INT32_MAX
from components.serving.shared_endpoint_spec import ComponentScalingSpec
from components.serving.step_scaling_spec import (
    MAX_STEP_ADJUSTMENTS,
    NAME_SUFFIX,
    StepAdjustmentSpec,
    StepScalingSpec,
)
from components.serving.variant_spec import (
    MAX_SCHEDULED_ACTIONS,
    TARGET_VALUE_MAX,
    TARGET_VALUE_MIN,
    ScalingSpec,
    target_value_problem,
)
from stacks.config import ConfigError, parse_platform_config
from tests.api_models import request_errors
from tests.conftest import load_stack_document

OUT = {
    "name": "latency-out",
    "direction": "out",
    "metric": "ModelLatency",
    "statistic": "p99",
    "threshold": 200_000,
}
IN = {
    "name": "cpu-in",
    "direction": "in",
    "metric": "CPUUtilization",
    "statistic": "Average",
    "threshold": 30,
}


def _out_steps(count: int, adjustment: int = 1) -> list[dict[str, Any]]:
    """``count`` contiguous scale-out steps from the threshold up, the last open-ended."""
    closed = [{"lower_bound": n, "upper_bound": n + 1, "adjustment": adjustment} for n in range(count - 1)]
    return [*closed, {"lower_bound": count - 1, "adjustment": adjustment}]


def _in_steps(count: int, adjustment: int = -1) -> list[dict[str, Any]]:
    """``count`` contiguous scale-in steps up to the threshold, the lowest open-ended (all within
    the 30 below a threshold of 30 that a utilisation reaches)."""
    closed = [{"lower_bound": -n - 1, "upper_bound": -n, "adjustment": adjustment} for n in range(count - 1)]
    return [*closed, {"upper_bound": -(count - 1), "adjustment": adjustment}]


def _refusal(model: type, data: dict[str, Any]) -> dict[str, str]:
    """The problems validating ``data`` as ``model`` reports, by dotted location."""
    with pytest.raises(ValidationError) as raised:
        model.model_validate(data)
    return {".".join(map(str, e["loc"])): e["msg"] for e in raised.value.errors()}


@pytest.mark.parametrize(("policy", "steps"), [(OUT, _out_steps), (IN, _in_steps)], ids=["out", "in"])
def test_a_step_policy_takes_20_step_adjustments_and_refuses_21(policy, steps) -> None:
    assert MAX_STEP_ADJUSTMENTS == 20
    accepted = StepScalingSpec.model_validate({**policy, "steps": steps(20)})
    assert len(accepted.ordered_steps()) == 20
    problems = _refusal(StepScalingSpec, {**policy, "steps": steps(21)})
    assert list(problems) == ["steps"]
    assert "21 steps" in problems["steps"] and "at most 20 step adjustments" in problems["steps"]
    # The quota is adjustable: the message says 20 is its default, that a raised one is not read,
    # and how to stay within it.
    assert "default quota" in problems["steps"] and "raised quota is not read" in problems["steps"]
    assert "merge steps, or split them between two policies" in problems["steps"]


# (case, policy, the step's adjustment at the edge, the one past it)
INTEGER_EDGES = [
    ("scale-out-adds-at-most-int32", {**OUT, "steps": _out_steps(1, INT32_MAX)}, INT32_MAX, INT32_MAX + 1),
    ("scale-in-removes-at-most-int32", {**IN, "steps": _in_steps(1, -(2**31))}, -(2**31), -(2**31) - 1),
    ("exact-capacity-in-sets-zero-or-more", {**IN, "adjustment_type": "ExactCapacity", "steps": _in_steps(1, 0)}, 0, -1),
]  # fmt: skip


@pytest.mark.parametrize(("case", "policy", "edge", "past"), INTEGER_EDGES, ids=[c[0] for c in INTEGER_EDGES])
def test_a_steps_adjustment_is_an_integer_aws_takes(
    case: str, policy: dict[str, Any], edge: int, past: int
) -> None:
    assert StepScalingSpec.model_validate(policy).steps[0].adjustment == edge
    beyond = {**policy, "steps": [{**policy["steps"][0], "adjustment": past}]}
    problems = _refusal(StepScalingSpec, beyond)
    assert list(problems) == ["steps.0.adjustment"], problems


# The integers either side of the last one a Double holds: 2^1024 - 2^970 rounds up to 2^1024 (overflow).
LONGEST_DOUBLE = 2**1024 - 2**970 - 1
PAST_A_DOUBLE = LONGEST_DOUBLE + 1


def test_step_bounds_and_the_threshold_are_integers_a_double_holds() -> None:
    assert float(LONGEST_DOUBLE) == sys.float_info.max
    with pytest.raises(OverflowError):
        float(PAST_A_DOUBLE)
    steps = [
        {"lower_bound": 0, "upper_bound": LONGEST_DOUBLE, "adjustment": 1},
        {"lower_bound": LONGEST_DOUBLE, "adjustment": 2},
    ]
    accepted = StepScalingSpec.model_validate({**OUT, "threshold": LONGEST_DOUBLE, "steps": steps})
    assert (accepted.threshold, accepted.steps[1].lower_bound) == (LONGEST_DOUBLE, LONGEST_DOUBLE)
    past = [{**steps[0], "upper_bound": PAST_A_DOUBLE}, {**steps[1], "lower_bound": PAST_A_DOUBLE}]
    problems = _refusal(StepScalingSpec, {**OUT, "threshold": PAST_A_DOUBLE, "steps": past})
    assert sorted(problems) == ["steps.0.upper_bound", "steps.1.lower_bound", "threshold"], problems
    assert "a Double" in problems["threshold"] and "CloudWatch" in problems["threshold"]
    assert "Application Auto Scaling's type for a step's bounds" in problems["steps.1.lower_bound"]
    # Below: a bound as negative as a Double holds, and one past it.
    low = {"upper_bound": 0, "adjustment": -1}
    assert StepAdjustmentSpec.model_validate({**low, "lower_bound": -LONGEST_DOUBLE})
    assert list(_refusal(StepAdjustmentSpec, {**low, "lower_bound": -PAST_A_DOUBLE})) == ["lower_bound"]


def test_a_bound_or_threshold_past_a_double_is_refused_with_a_fix() -> None:
    """The refusal says what to write instead: a value a Double holds (a bound may be left out at the
    farthest step's open end)."""
    steps = [
        {"lower_bound": 0, "upper_bound": PAST_A_DOUBLE, "adjustment": 1},
        {"lower_bound": PAST_A_DOUBLE, "adjustment": 2},
    ]
    problems = _refusal(StepScalingSpec, {**OUT, "threshold": PAST_A_DOUBLE, "steps": steps})
    assert problems["threshold"].endswith(
        "an alarm's threshold: give a threshold of at most 1.797693e+308"
    ), problems
    for at in ("steps.0.upper_bound", "steps.1.lower_bound"):
        assert problems[at].endswith(
            "a step's bounds: give one from -1.797693e+308 to 1.797693e+308 (none: the farthest step's open end)"
        ), problems


def test_min_adjustment_magnitude_is_an_integer_aws_takes_and_only_for_percent_changes() -> None:
    percent = {**OUT, "adjustment_type": "PercentChangeInCapacity", "steps": _out_steps(1, 10)}
    assert StepScalingSpec.model_validate({**percent, "min_adjustment_magnitude": INT32_MAX})
    assert list(_refusal(StepScalingSpec, {**percent, "min_adjustment_magnitude": INT32_MAX + 1})) == [
        "min_adjustment_magnitude"
    ]
    assert list(_refusal(StepScalingSpec, {**percent, "min_adjustment_magnitude": 0})) == [
        "min_adjustment_magnitude"
    ]
    change = {**OUT, "steps": _out_steps(1), "min_adjustment_magnitude": 1}
    problems = _refusal(StepScalingSpec, change)
    assert "PercentChangeInCapacity only" in problems["min_adjustment_magnitude"]


BELOW_MIN = math.nextafter(TARGET_VALUE_MIN, 0)
ABOVE_MAX = math.nextafter(TARGET_VALUE_MAX, math.inf)
# An integer target reaches AWS as the Double nearest it: 2^359 + 2^306 (half-way to the next Double,
# rounded to even) is sent as 2^359, one more as the Double above it.
INT_SENT_AS_MAX = 2**359 + 2**306
INT_PAST_MAX = INT_SENT_AS_MAX + 1
SCALED = {"min_capacity": 1, "max_capacity": 4}
# (field, the value at each edge, the values past them)
TARGETS = [
    ("invocations_per_instance", [1, 2**359, 2**359 + 1, INT_SENT_AS_MAX], [INT_PAST_MAX]),
    ("gpu_utilization_percent", [TARGET_VALUE_MIN, 100.0], [BELOW_MIN]),
    ("backlog_per_instance", [TARGET_VALUE_MIN, TARGET_VALUE_MAX], [BELOW_MIN, ABOVE_MAX]),
]


@pytest.mark.parametrize(("field", "edges", "past"), TARGETS, ids=[t[0] for t in TARGETS])
def test_a_target_tracking_target_lies_in_the_range_aws_takes(
    field: str, edges: list[Any], past: list[Any]
) -> None:
    assert (TARGET_VALUE_MIN, TARGET_VALUE_MAX) == (2.0**-359, 2.0**359)
    assert (
        f"{TARGET_VALUE_MIN:.6e} {TARGET_VALUE_MAX:.6e}" == "8.515920e-109 1.174271e+108"
    )  # as AWS prints them
    for value in edges:
        assert getattr(ScalingSpec.model_validate({**SCALED, field: value}), field) == value
    for value in past:
        problems = _refusal(ScalingSpec, {**SCALED, field: value})
        assert list(problems) == [field] and "target value" in problems[field], problems


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("invocations_per_instance", INT_PAST_MAX, "1.174271291386917e+108 is above 2^359 (1.174271e+108)"),
        ("invocations_per_instance", 10**400, "an integer past a Double's range is above 2^359"),
        ("gpu_utilization_percent", BELOW_MIN, "8.5159196800163005e-109 is below 2^-359 (8.515920e-109)"),
        ("backlog_per_instance", ABOVE_MAX, "1.174271291386917e+108 is above 2^359"),
    ],
    ids=["int-just-above", "int-past-a-double", "just-below", "float-just-above"],
)
def test_a_refused_target_says_which_end_it_passes_and_why(field: str, value: Any, said: str) -> None:
    """The side of the range is the value's (a tiny positive target is below it, not above), and an
    integer no Double holds is refused naming the field, not a crash of the validator."""
    problems = _refusal(ScalingSpec, {**SCALED, field: value})
    assert list(problems) == [field], problems
    assert problems[field].startswith(f"Value error, {said}"), problems
    assert "the range Application Auto Scaling's API reference has given" in problems[field]
    assert "-2^360 to 2^360" in problems[field]
    copies = _refusal(
        ComponentScalingSpec, {"min_copies": 1, "max_copies": 2, "invocations_per_copy": 10**400}
    )
    assert "an integer past a Double's range is above 2^359" in copies["invocations_per_copy"]


@pytest.mark.parametrize(
    ("value", "side"),
    [(10**400, "above 2^359"), (-(10**400), "below 2^-359"), (-(2**359) - 1, "below 2^-359")],
    ids=["past-a-double", "negative-past-a-double", "negative-a-double-holds"],
)
def test_an_integer_no_double_holds_is_said_on_its_own_side(value: int, side: str) -> None:
    """target_value_problem is public: an integer past a Double's range is said past the end it is
    past, a negative one below the range (session 70's last read: it was said above 2^359)."""
    problem = target_value_problem(value)
    assert problem is not None and f" is {side} (" in problem


def test_a_shared_endpoint_components_copy_target_lies_in_the_range_aws_takes() -> None:
    scaling = {"min_copies": 1, "max_copies": 2}
    for sent_as_max in (2**359, 2**359 + 1, INT_SENT_AS_MAX):
        assert ComponentScalingSpec.model_validate({**scaling, "invocations_per_copy": sent_as_max})
    problems = _refusal(ComponentScalingSpec, {**scaling, "invocations_per_copy": INT_PAST_MAX})
    assert list(problems) == ["invocations_per_copy"] and "target value" in problems["invocations_per_copy"]


def _scheduled(count: int) -> list[dict[str, Any]]:
    return [
        {
            "name": f"s{n}",
            "schedule": f"cron({n % 60} {n // 60} ? * MON-FRI *)",
            "min_capacity": 1,
            "max_capacity": 2,
        }
        for n in range(count)
    ]


def test_a_variant_takes_200_scheduled_actions_and_refuses_201() -> None:
    assert MAX_SCHEDULED_ACTIONS == 200
    assert len(ScalingSpec.model_validate({**SCALED, "scheduled": _scheduled(200)}).scheduled) == 200
    problems = _refusal(ScalingSpec, {**SCALED, "scheduled": _scheduled(201)})
    assert list(problems) == ["scheduled"] and "at most 200" in problems["scheduled"]


def test_a_scheduled_actions_limits_are_ordered_and_within_the_variants() -> None:
    action = {"name": "night", "schedule": "cron(0 22 * * ? *)", "min_capacity": 4, "max_capacity": 4}
    assert ScalingSpec.model_validate({**SCALED, "scheduled": [action]})
    assert list(_refusal(ScalingSpec, {**SCALED, "scheduled": [{**action, "min_capacity": 5}]})) == [
        "scheduled.0.min_capacity"
    ]
    too_many = {**action, "min_capacity": 1, "max_capacity": 5}
    assert list(_refusal(ScalingSpec, {**SCALED, "scheduled": [too_many]})) == ["scheduled.0.max_capacity"]


# The longest names the specs allow: a 63-character endpoint and variant, a 64-character action or policy.
ENDPOINT, VARIANT, LONGEST = "e" * 63, "v" * 63, "a" * 64
TARGET = {
    "ServiceNamespace": "sagemaker",
    "ResourceId": f"endpoint/{ENDPOINT}/variant/{VARIANT}",
    "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
}


def test_the_longest_scheduled_action_and_step_policy_names_are_ones_aws_takes() -> None:
    action = f"{ENDPOINT}-{VARIANT}-{LONGEST}"
    policy = f"{ENDPOINT}-{VARIANT}{NAME_SUFFIX}{LONGEST}"
    assert (len(action), len(policy)) == (192, 197)
    assert (
        request_errors(
            "application-autoscaling",
            "PutScheduledAction",
            {
                **TARGET,
                "ScheduledActionName": action,
                "Schedule": "cron(0 22 * * ? *)",
                "Timezone": "Europe/Berlin",
            },
        )
        == []
    )
    assert (
        request_errors(
            "application-autoscaling",
            "PutScalingPolicy",
            {**TARGET, "PolicyName": policy, "PolicyType": "StepScaling"},
        )
        == []
    )
    # The model does refuse what the specs refuse (a name past 256, a ':'): the check has teeth.
    refused = request_errors(
        "application-autoscaling", "PutScheduledAction", {**TARGET, "ScheduledActionName": "a:b"}
    )
    assert [e for e in refused if "ScheduledActionName" in e], refused
    refused = request_errors(
        "application-autoscaling",
        "PutScalingPolicy",
        {**TARGET, "PolicyName": "p" * 257, "PolicyType": "StepScaling"},
    )
    assert [e for e in refused if "PolicyName" in e], refused
    for name in (LONGEST + "a", "a:b", "a/b", "a|b", " a"):
        problems = _refusal(ScalingSpec, {**SCALED, "scheduled": [{**_scheduled(1)[0], "name": name}]})
        assert list(problems) == ["scheduled.0.name"], name
        assert list(_refusal(StepScalingSpec, {**OUT, "steps": _out_steps(1), "name": name})) == ["name"], (
            name
        )


FILE = "stacks/Pulumi.prod.yaml"
VARIANT_SPEC = {
    "name": "primary",
    "model": {"model_package_arn": "arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn/3"},
    "instance_type": "ml.m5.xlarge",
    "initial_instance_count": 2,
}


def _parse(scaling: dict[str, Any]) -> object:
    platform = load_stack_document("prod")["config"]["mlops-platform:platform"]
    endpoint = {"name": "churn", "variants": [{**VARIANT_SPEC, "scaling": scaling}]}
    return parse_platform_config({**platform, "endpoints": [endpoint]}, FILE)


def test_a_stack_file_with_21_steps_or_an_out_of_range_target_is_refused_naming_file_and_key() -> None:
    scaling = {"min_capacity": 2, "max_capacity": 4, "step": [{**OUT, "steps": _out_steps(20)}]}
    assert _parse(scaling)
    with pytest.raises(ConfigError) as raised:
        _parse(
            {**scaling, "step": [{**OUT, "steps": _out_steps(21)}], "invocations_per_instance": INT_PAST_MAX}
        )
    lines = [line.strip() for line in str(raised.value).splitlines()]
    at = f"{FILE}: mlops-platform:platform.endpoints[0].variants[0].scaling."
    assert [line for line in lines if line.startswith(f"{at}step[0].steps: ") and "at most 20" in line], lines
    assert [
        line
        for line in lines
        if line.startswith(f"{at}invocations_per_instance: ") and "target value" in line
    ], lines


def test_a_stack_files_integer_target_past_a_double_is_refused_naming_file_and_key() -> None:
    """Not "cannot be validated (OverflowError ...)": the message formats no float of it."""
    with pytest.raises(ConfigError) as raised:
        _parse({"min_capacity": 2, "max_capacity": 4, "invocations_per_instance": 10**400})
    text = str(raised.value)
    at = f"{FILE}: mlops-platform:platform.endpoints[0].variants[0].scaling.invocations_per_instance: "
    assert f"{at}an integer past a Double's range is above 2^359" in text, text
    assert "cannot be validated" not in text, text


def test_a_stack_files_threshold_past_a_double_is_refused_naming_file_and_key() -> None:
    """Accepted, it would fail the program where the alarm's threshold is made a float."""
    step = {**OUT, "threshold": PAST_A_DOUBLE, "steps": _out_steps(1)}
    with pytest.raises(ConfigError) as raised:
        _parse({"min_capacity": 2, "max_capacity": 4, "step": [step]})
    at = f"{FILE}: mlops-platform:platform.endpoints[0].variants[0].scaling.step[0].threshold: "
    assert f"{at}an integer past the range of a Double" in str(raised.value), str(raised.value)


MODEL = {"model_package_arn": "arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn/3"}
SHARED = {
    "name": "shared",
    "instance_type": "ml.m5.xlarge",
    "initial_instance_count": 2,
    "managed_scaling": {"min_instances": 2, "max_instances": 4},
}


def _endpoint(scaling: dict[str, Any], **changes: Any) -> dict[str, Any]:
    variant = {**VARIANT_SPEC, **changes.pop("variant", {}), "scaling": {**SCALED, **scaling}}
    return {"endpoints": [{"name": "churn", "variants": [variant], **changes}]}


def _component(invocations_per_copy: int) -> dict[str, Any]:
    component = {
        "name": "churn",
        "model": MODEL,
        "compute": {"cpu_cores": 1, "memory_mb": 1024},
        "scaling": {"min_copies": 1, "max_copies": 2, "invocations_per_copy": invocations_per_copy},
    }
    return {"shared_endpoints": [{**SHARED, "components": [component]}]}


SCALING_AT = "endpoints[0].variants[0].scaling."
# (case, the platform config's changes, the key its refusal names): one per check of the specs.
STACK_FILE_CASES = [
    ("adjustment-past-int32", _endpoint({"step": [{**OUT, "steps": _out_steps(1, INT32_MAX + 1)}]}), f"{SCALING_AT}step[0].steps[0].adjustment"),
    ("min-adjustment-magnitude-past-int32", _endpoint({"step": [{**OUT, "adjustment_type": "PercentChangeInCapacity", "min_adjustment_magnitude": INT32_MAX + 1, "steps": _out_steps(1, 10)}]}), f"{SCALING_AT}step[0].min_adjustment_magnitude"),
    ("negative-exact-capacity", _endpoint({"min_capacity": 0, "step": [{**IN, "adjustment_type": "ExactCapacity", "steps": _in_steps(1, -1)}]}, async_inference={}, ), f"{SCALING_AT}step[0].steps[0].adjustment"),
    ("gpu-target-below-the-range", _endpoint({"gpu_utilization_percent": BELOW_MIN}, variant={"instance_type": "ml.g5.xlarge"}), f"{SCALING_AT}gpu_utilization_percent"),
    ("backlog-target-above-the-range", _endpoint({"invocations_per_instance": None, "backlog_per_instance": ABOVE_MAX}, async_inference={}), f"{SCALING_AT}backlog_per_instance"),
    ("copy-target-above-the-range", _component(INT_PAST_MAX), "shared_endpoints[0].components[0].scaling.invocations_per_copy"),
    ("bound-past-a-double", _endpoint({"step": [{**OUT, "steps": [{"lower_bound": 0, "upper_bound": PAST_A_DOUBLE, "adjustment": 1}, {"lower_bound": PAST_A_DOUBLE, "adjustment": 2}]}]}), f"{SCALING_AT}step[0].steps[1].lower_bound"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "changes", "key"), STACK_FILE_CASES, ids=[c[0] for c in STACK_FILE_CASES])
def test_each_check_is_refused_at_the_stack_files_key(case: str, changes: dict[str, Any], key: str) -> None:
    platform = load_stack_document("prod")["config"]["mlops-platform:platform"]
    with pytest.raises(ConfigError) as raised:
        parse_platform_config({**platform, **changes}, FILE)
    lines = [line.strip() for line in str(raised.value).splitlines()]
    assert [line for line in lines if line.startswith(f"{FILE}: mlops-platform:platform.{key}: ")], lines
    assert not [line for line in lines if "cannot be validated" in line], lines
