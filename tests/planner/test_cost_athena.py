"""Athena in the estimate: a workgroup bills per TB scanned, so it adds nothing to min/max; the
assumptions say the price and what the workgroup's cutoff caps one query at."""

from __future__ import annotations

import pytest

from planner.cost import estimate_cost, load_prices
from tests.planner.test_critical_path import graph, resource

WORKGROUP = "aws:athena/workgroup:Workgroup"
CONFIG = {"mlops-platform:platform": {"region": "eu-west-1"}}


def _estimate(configuration: dict):
    inputs = {"name": "mlops-platform-prod-feature-queries", "configuration": configuration}
    return estimate_cost(
        graph(resource("feature-queries-workgroup", WORKGROUP, inputs=inputs), config=CONFIG)
    )


def test_the_cutoff_caps_one_query_at_the_scanned_price() -> None:
    estimate = _estimate({"bytesScannedCutoffPerQuery": 100 * 1024**3})
    per_tb = load_prices("eu-west-1").get("athena_per_tb_scanned")

    assert per_tb == pytest.approx(5.0)
    items = [item for component in estimate.by_component.values() for item in component.items]
    assert sum(item.monthly_max for item in items) == 0
    [note] = [note for note in estimate.assumptions if note.startswith("Athena workgroup")]
    assert "$5 per TB scanned" in note
    assert f"more than 100 GiB is cancelled, so one costs at most ${100 / 1024 * per_tb:,.2f}" in note


def test_a_workgroup_without_a_cutoff_says_so() -> None:
    [note] = [note for note in _estimate({}).assumptions if note.startswith("Athena workgroup")]
    assert note.endswith("no per-query cutoff.")
