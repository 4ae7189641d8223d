"""Edits of a fixture stack's ``mlops-platform:platform`` value, for ``write_stack(base, edit)``."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

Edit = Callable[[dict[str, Any]], None]

_REPO = Path(__file__).resolve().parent.parent

_FORECAST: dict[str, Any] = {
    "name": "demand-forecast",
    "promotion": {"metric": "metrics.rmse.value", "threshold": 12.0, "direction": "minimize"},
    "model_card": {"intended_use": "Weekly demand forecasts for replenishment.", "risk_rating": "Low"},
    "training": {
        "code": str(_REPO / "models" / "demand-forecast"),
        "framework": {"name": "xgboost", "version": "3.0-5"},
        "label": "units_sold",
        "identifiers": ["store_id", "sku", "week_start"],
        "problem_type": "Regression",
        "metrics": ["rmse", "mae", "r2", "wape"],
    },
}


def ranker_shared_endpoint() -> dict[str, Any]:
    """A CPU shared endpoint serving one component, a pinned version of another team's ranker (the
    prod fixture's account): a fresh copy."""
    return {
        "name": "shared-models",
        "instance_type": "ml.m5.4xlarge",
        "initial_instance_count": 2,
        "components": [
            {
                "name": "ranker",
                "model": {
                    "model_package_arn": "arn:aws:sagemaker:eu-west-1:333333333333:model-package/prod-ranker/2"
                },
                "compute": {"cpu_cores": 2, "memory_mb": 4096},
                "copies": 1,
            }
        ],
    }


def forecast_family(**training: Any) -> dict[str, Any]:
    """The sample's second family (demand-forecast: Regression, no feature group of the fixture
    stacks), as an adopter copies it into a stack that trains only customer-churn: a fresh copy,
    with ``training`` added to its training section."""
    family = copy.deepcopy(_FORECAST)
    family["training"].update(training)
    return family


def both(*edits: Edit) -> Edit:
    """The ``edits`` applied in order."""

    def edit(platform: dict[str, Any]) -> None:
        for one in edits:
            one(platform)

    return edit


def at(path: str, value: Any) -> Edit:
    """Set the dotted ``path`` (list indexes as numbers: ``endpoints.0.name``) of the platform value,
    creating the maps on the way."""

    def edit(platform: dict[str, Any]) -> None:
        *parents, leaf = path.split(".")
        node: Any = platform
        for part in parents:
            node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
        node[int(leaf) if leaf.isdigit() else leaf] = value

    return edit
