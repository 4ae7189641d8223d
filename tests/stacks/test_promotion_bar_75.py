"""A promotion bar on a metric of a well-known name that can only promote the worse versions, none
or every one is said in the plan (a warning: the family's evaluation defines its own metrics, so a
scale of its own is not refused). An adopter's walkthrough planned `auc` at 80 (never promotes) and
`rmse` maximised (promotes the worse models) without a word."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from components.observability.model_quality_spec import promotion_bar_problem
from stacks.config import CONFIG_KEY
from tests.conftest import load_stack_document
from tests.recorded import recorded_stack
from tests.stacks.conftest import endpointless_cut


@pytest.mark.parametrize(
    ("metric", "direction", "threshold", "said"),
    [
        pytest.param("auc", "maximize", 80, "no auc reaches 80 (it lies between 0 and 1): no version is ever promoted", id="auc-as-a-percent"),
        pytest.param("auc", "maximize", 1.0001, "no auc reaches 1.0001", id="auc-just-over-one"),
        pytest.param("f1", "maximize", 0, "every f1 passes 0 (it lies between 0 and 1): the bar promotes every version", id="f1-at-zero"),
        pytest.param("rmse", "maximize", 12.0, "rmse is better lower, but the bar is to maximize it", id="rmse-maximised"),
        pytest.param("accuracy", "minimize", 0.9, "accuracy is better higher, but the bar is to minimize it", id="accuracy-minimised"),
        pytest.param("rmse", "minimize", -0.5, "no rmse reaches -0.5 (it lies at or above 0): no version is ever promoted", id="rmse-below-zero"),
        pytest.param("false_positive_rate", "minimize", 1, "every false_positive_rate passes 1", id="a-rate-at-one"),
        pytest.param("r2", "maximize", 1.5, "no r2 reaches 1.5 (it lies at or below 1)", id="r2-over-one"),
    ],
)  # fmt: skip
def test_a_bar_that_cannot_mean_what_it_says_is_named(
    metric: str, direction: str, threshold: float, said: str
) -> None:
    problem = promotion_bar_problem(metric, direction, threshold)
    assert problem is not None and problem.startswith(said), problem


@pytest.mark.parametrize(
    ("metric", "direction", "threshold"),
    [
        ("auc", "maximize", 0.8),
        ("auc", "maximize", 1),  # only a perfect model: strict, but reachable
        ("rmse", "minimize", 12.0),
        ("rmse", "minimize", 0),  # only a perfect fit
        ("r2", "maximize", -0.5),  # r2 may be negative
        ("false_positive_rate", "minimize", 0.1),
        ("mape", "maximize", 80),  # not a name the platform knows: the family's own scale
        ("auc_percent", "maximize", 80),
    ],
)
def test_a_sound_bar_or_a_metric_of_the_familys_own_is_not(
    metric: str, direction: str, threshold: float
) -> None:
    assert promotion_bar_problem(metric, direction, threshold) is None


def test_the_plan_warns_of_the_bar_and_still_plans(tmp_path: Path) -> None:
    document = load_stack_document("dev")
    platform = document["config"][CONFIG_KEY]
    endpointless_cut(platform)
    family = platform["models"][0]
    family["promotion"] = {"metric": "metrics.auc.value", "threshold": 80}
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(json.dumps(document))

    warnings = [w for w in recorded_stack(str(path)).warnings if "promotion on" in w]

    assert warnings == [
        f"model family {family['name']}: promotion on metrics.auc.value: no auc reaches 80 (it lies between 0 "
        "and 1): no version is ever promoted"
    ]
