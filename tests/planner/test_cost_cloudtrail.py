"""CloudTrail in the estimate: management events free (the first copy), data events $0 up to an assumed ceiling."""

from __future__ import annotations

import pytest

from planner.cost import estimate_cost, load_prices
from planner.pricing import ASSUMED_MAX_TRAIL_DATA_EVENTS_PER_MONTH
from tests.planner.test_critical_path import graph, resource

TRAIL = "aws:cloudtrail/trail:Trail"
CONFIG = {"mlops-platform:platform": {"region": "eu-west-1"}}
MANAGEMENT = {"name": "m", "fieldSelectors": [{"field": "eventCategory", "equals": ["Management"]}]}
DATA = {
    "name": "d",
    "fieldSelectors": [
        {"field": "eventCategory", "equals": ["Data"]},
        {"field": "resources.type", "equals": ["AWS::S3::Object"]},
    ],
}


def _trail_items(selectors: object, *, key: str = "advancedEventSelectors"):
    inputs = {"name": "t", "s3BucketName": "b"}
    if selectors is not None:
        inputs[key] = selectors
    estimate = estimate_cost(graph(resource("trail", TRAIL, inputs=inputs), config=CONFIG))
    return [item for component in estimate.by_component.values() for item in component.items], estimate


def test_management_events_cost_nothing_and_data_events_up_to_the_assumed_ceiling() -> None:
    items, estimate = _trail_items([MANAGEMENT, DATA])
    per_100k = load_prices("eu-west-1").get("cloudtrail_data_events_per_100k")
    assert per_100k == pytest.approx(0.10)
    by_what = {item.what.split(",")[0].split(" (")[0]: item for item in items}
    assert (by_what["management events"].monthly_min, by_what["management events"].monthly_max) == (0, 0)
    data = by_what["data events"]
    assert data.monthly_min == 0
    assert data.monthly_max == pytest.approx(ASSUMED_MAX_TRAIL_DATA_EVENTS_PER_MONTH / 100_000 * per_100k)
    assert any("CloudTrail" in note and "$2.00 per 100,000" in note for note in estimate.assumptions)


@pytest.mark.parametrize(("selectors", "priced"), [(None, 0.0), ([MANAGEMENT], 0.0), ([DATA], 10.0)])
def test_a_trail_without_data_selectors_costs_nothing(selectors, priced: float) -> None:
    items, _ = _trail_items(selectors)
    assert sum(item.monthly_max for item in items) == pytest.approx(priced)


def test_the_fixture_stacks_price_their_trail(stack_graphs) -> None:
    for stack, graph_ in stack_graphs.items():
        estimate = estimate_cost(graph_)
        audit = estimate.by_component["audit"]
        assert {item.type for item in audit.items} == {TRAIL, "aws:kms/key:Key"}, stack
        assert estimate.unpriced == (), stack


def _category(equals: object) -> dict:
    return {"name": "c", "fieldSelectors": [{"field": "eventCategory", "equals": equals}]}


# Unknown until deployment (the recording holds None) or not what the API takes: the plan cannot
# tell which events the trail records, so it prices both (management free, data up to the ceiling).
UNREADABLE = {
    "unknown-selector": [None],
    "selector-not-a-map": ["x"],
    "selectors-not-a-list": "x",
    "unknown-field-selectors": [{"name": "u", "fieldSelectors": None}],
    "unknown-field-selector": [{"name": "u", "fieldSelectors": [None]}],
    "unknown-field-name": [{"name": "u", "fieldSelectors": [{"field": None, "equals": ["Data"]}]}],
    "unknown-categories": [_category(None)],
    "an-unknown-category": [_category([None])],
    "a-readable-management-selector-beside-an-unknown-one": [MANAGEMENT, None],
}


@pytest.mark.parametrize("selectors", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_an_advanced_selector_the_plan_cannot_read_is_priced_as_recording_data_events(selectors) -> None:
    items, _ = _trail_items(selectors)
    assert sorted(item.what.split(" (")[0].split(",")[0] for item in items) == [
        "data events",
        "management events",
    ]
    assert sum(item.monthly_max for item in items) == pytest.approx(10.0)


BASIC_UNREADABLE = {
    "unknown-selector": [None],
    "selectors-not-a-list": "x",
    "a-readable-selector-without-data-beside-an-unknown-one": [{"includeManagementEvents": False}, None],
}


@pytest.mark.parametrize("selectors", BASIC_UNREADABLE.values(), ids=BASIC_UNREADABLE.keys())
def test_a_basic_selector_the_plan_cannot_read_is_priced_as_recording_data_events(selectors) -> None:
    items, _ = _trail_items(selectors, key="eventSelectors")
    assert sum(item.monthly_max for item in items) == pytest.approx(10.0)
    assert len(items) == 2


@pytest.mark.parametrize(
    ("selectors", "priced", "lines"),
    [
        ([{"includeManagementEvents": False}], 0.0, 0),
        ([{"includeManagementEvents": True}], 0.0, 1),
        ([{"dataResources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]}], 10.0, 2),
    ],
)
def test_readable_basic_selectors_are_priced_as_they_read(selectors, priced: float, lines: int) -> None:
    items, _ = _trail_items(selectors, key="eventSelectors")
    assert sum(item.monthly_max for item in items) == pytest.approx(priced)
    assert len(items) == lines
