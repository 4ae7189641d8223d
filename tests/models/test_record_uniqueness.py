"""The stack file's identifiers identify a record (`models[].training.identifiers`): an extract
holding one record twice is refused by both families' Preprocess (exit 2, nothing written),
whether the copy agrees with the first row or contradicts it, and values that only look different
(an event time written ``1.0`` and ``1``, a week written ``2026-1-5`` and ``2026-01-05``) are one
record. A repeated entity at another time is not a repeated record."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.family_steps import churn_steps, load_step
from tests.models.test_demand_forecast_steps import weekly_extract
from tests.models.test_family_code_semantics import CHURN_ARGS, FORECAST_ARGS
from tests.models.test_family_code_semantics import _preprocess as _run
from tests.pipelines.churn_fixtures import churn_extract


def _with_copy_of_row(frame, source: int, target: int, **changes):
    """``frame`` with row ``target`` replaced by row ``source`` (then ``changes`` applied to it)."""
    frame = frame.astype(object).copy()
    frame.loc[target] = frame.loc[source]
    for column, value in changes.items():
        frame.loc[target, column] = value
    return frame


CHURN_REPEATS = {
    "same-row-twice": {},
    "contradicting-label": {"churned": "flip"},
    "event-time-written-otherwise": {"event_time": "as-integer-text"},
}


@pytest.mark.parametrize("change", CHURN_REPEATS.values(), ids=CHURN_REPEATS.keys())
def test_churn_refuses_a_record_written_twice(
    change: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    preprocess = churn_steps()[0]
    extract = churn_extract(rows=60).assign(event_time=lambda f: (f.index + 1_700_000_000).astype(float))
    changes = dict(change)
    if changes.get("churned") == "flip":
        changes["churned"] = 1 - int(extract.loc[3, "churned"])
    if "event_time" in changes:
        extract = extract.astype(object)
        extract.loc[3, "event_time"] = "1700000003.0"
        changes["event_time"] = "1700000003"
    extract = _with_copy_of_row(extract, 3, 41, **changes)

    assert _run(preprocess, CHURN_ARGS, extract, tmp_path) == 2

    error = capsys.readouterr().err
    assert "identifiers customer_id, event_time must be unique per row; 2 rows share values" in error
    assert "(first: 'cust-00003', '1700000003" in error
    assert error.rstrip().endswith("at extract.csv row 4, extract.csv row 42")
    assert not (tmp_path / "out").exists()


def test_churn_takes_snapshots_of_one_customer_at_different_times(tmp_path: Path) -> None:
    preprocess = churn_steps()[0]
    extract = churn_extract(rows=60).assign(event_time=lambda f: (f.index + 1_700_000_000).astype(float))
    extract = _with_copy_of_row(extract, 3, 41, event_time=1_800_000_000.0)

    assert _run(preprocess, CHURN_ARGS, extract, tmp_path) == 0


def test_churn_without_identifiers_takes_equal_rows_as_rows(tmp_path: Path) -> None:
    """No identifiers declared: nothing says what a record is, so nothing is a repeat."""
    preprocess = churn_steps()[0]
    extract = _with_copy_of_row(churn_extract(rows=60), 3, 41).drop(columns=["customer_id", "event_time"])

    assert _run(preprocess, ["--label", "churned"], extract, tmp_path) == 0


FORECAST_REPEATS = {
    "same-row-twice": {},
    "other-units": {"units_sold": 999.0},
    "week-written-otherwise": {"week_start": "2026-1-5"},
}


@pytest.mark.parametrize("change", FORECAST_REPEATS.values(), ids=FORECAST_REPEATS.keys())
def test_forecast_refuses_a_record_written_twice(
    change: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    preprocess = load_step("demand-forecast", "preprocess")
    extract = weekly_extract(weeks=8, stores=2, skus=2)
    assert extract.loc[0, "week_start"] == "2026-01-05"
    extract = _with_copy_of_row(extract, 0, 20, **change)

    assert _run(preprocess, FORECAST_ARGS, extract, tmp_path) == 2

    error = capsys.readouterr().err
    assert "identifiers store_id, sku, week_start must be unique per row; 2 rows share values" in error
    assert "at extract.csv row 1, extract.csv row 21" in error
    assert not (tmp_path / "out").exists()


def test_forecast_takes_one_store_and_sku_in_every_week(tmp_path: Path) -> None:
    preprocess = load_step("demand-forecast", "preprocess")
    extract = weekly_extract(weeks=8, stores=2, skus=2)

    assert _run(preprocess, FORECAST_ARGS, extract, tmp_path) == 0
