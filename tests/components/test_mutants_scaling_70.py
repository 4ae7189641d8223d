"""Tests that kill the mutants an audit of the step-scaling and target-tracking limits
(components/serving/step_scaling_spec.py, variant_spec.py's target_value_problem, components/limits.py's
INT32 bounds) found alive: a step's own checks, driven directly on StepAdjustmentSpec, each with the
near miss on the other side."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from components.limits import INT32_MAX, INT32_MIN
from components.serving.step_scaling_spec import StepAdjustmentSpec, double_problem


def _refusal(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationError) as raised:
        StepAdjustmentSpec.model_validate(data)
    return {".".join(map(str, e["loc"])): e["msg"] for e in raised.value.errors()}


def test_a_step_needs_a_bound_and_either_one_will_do() -> None:
    assert _refusal({"adjustment": 1}) == {"upper_bound": "a step needs a lower_bound or an upper_bound"}
    assert StepAdjustmentSpec.model_validate({"lower_bound": 0, "adjustment": 1}).upper_bound is None
    assert StepAdjustmentSpec.model_validate({"upper_bound": 0, "adjustment": -1}).lower_bound is None


def test_a_bound_written_as_null_is_an_open_end_not_a_failed_check() -> None:
    """A stack file's ``lower_bound: null`` (or a bare ``lower_bound:``) reaches the Double check as
    None: it is the open end, as when the key is left out."""
    step = StepAdjustmentSpec.model_validate({"lower_bound": None, "upper_bound": 0, "adjustment": -1})
    assert (step.lower_bound, step.upper_bound) == (None, 0)
    assert double_problem(None, "what", "fix") is None
    assert double_problem(1.5, "what", "fix") is None


@pytest.mark.parametrize(
    ("lower", "upper", "refused"),
    [
        (5, 5, "upper_bound 5 must be above lower_bound 5"),
        (5.5, 5.5, "upper_bound 5.5 must be above lower_bound 5.5"),
        (6, 5, "upper_bound 5 must be above lower_bound 6"),
        (-1, 0, None),
        (5, 5.000001, None),
    ],
    ids=["equal", "equal-floats", "reversed", "below-the-threshold", "just-above"],
)
def test_a_steps_upper_bound_lies_above_its_lower_bound(
    lower: float, upper: float, refused: str | None
) -> None:
    """Application Auto Scaling refuses a step whose lower bound is not below its upper one (an empty
    interval): the equal bounds too."""
    data = {"lower_bound": lower, "upper_bound": upper, "adjustment": 1}
    if refused is None:
        assert StepAdjustmentSpec.model_validate(data).upper_bound == upper
    else:
        assert _refusal(data) == {"upper_bound": refused}


def test_the_int32_bounds_are_a_java_ints() -> None:
    assert (INT32_MIN, INT32_MAX) == (-2147483648, 2147483647)
