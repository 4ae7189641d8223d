"""The sample stack files in ``stacks/``, checked only generically.

Users edit these samples (add a model family, an endpoint, a stack file of their own), so nothing
here depends on what they contain: every stack file there, whatever its name, must be valid, plan
with no mandatory policy violation, and have a cost estimate (in a region the price table lacks, the
plan's line per resource saying so) and a deployment critical path.
Behaviour is asserted on the suite's own stacks (``tests/fixtures/stacks/``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.__main__ import plan_for
from planner.pricing import load_prices
from stacks.stack_file import offline_platform_config, read_stack_file
from tests.conftest import SHIPPED_STACK_FILES
from tests.recorded import recorded_stack


def test_the_samples_exist() -> None:
    assert SHIPPED_STACK_FILES, "stacks/ holds at least one sample stack file"


@pytest.mark.parametrize("path", SHIPPED_STACK_FILES, ids=lambda path: path.name)
def test_a_sample_stack_file_is_valid(path: Path) -> None:
    offline_platform_config(read_stack_file(path))  # as the plan and the program read it


@pytest.mark.parametrize("path", SHIPPED_STACK_FILES, ids=lambda path: path.name)
def test_a_sample_stack_plans_with_no_mandatory_violation_and_a_cost_and_critical_path(path: Path) -> None:
    plan = plan_for(recorded_stack(path))  # the offline recording `make plan` makes, shared

    assert list(plan.mandatory_violations) == []
    assert plan.policies_evaluated > 0
    if load_prices(plan.cost.region).prices:
        assert 0 < plan.cost.monthly_min <= plan.cost.monthly_max
    else:  # a region the price table lacks (an adopter's eu-central-1): the plan says so, line by line
        assert plan.cost.monthly_max == 0
        assert plan.cost.unpriced
        assert all(plan.cost.region in line.reason for line in plan.cost.unpriced)
    assert plan.critical_path.chain and plan.critical_path.estimated_seconds > 0
    assert plan.critical_path.estimated_seconds <= plan.critical_path.serial_seconds
