"""``models[].training.tuning``: each way a tuning section breaks SageMaker's rules for
CreateHyperParameterTuningJob (botocore's service model and the developer guide, see
components/training/tuning.py) is a config error naming the stack file and the dotted key, and the
planner exits 2 without planning anything."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from stacks.config import CONFIG_KEY, ConfigError, parse_platform_config
from tests.conftest import REPO, load_stack_document

SOURCE = "tests/fixtures/stacks/Pulumi.staging.yaml"
TUNING = "models[0].training.tuning"


def _platform(edit: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    platform = load_stack_document("staging")["config"][CONFIG_KEY]
    if edit is not None:
        edit(platform)
    return platform


def _training(platform: dict[str, Any]) -> dict[str, Any]:
    return platform["models"][0]["training"]


def _tuning(**changes: Any) -> Callable[[dict[str, Any]], None]:
    """Set (or, with None, remove) keys of the fixture family's tuning section."""

    def edit(platform: dict[str, Any]) -> None:
        tuning = _training(platform)["tuning"]
        for key, value in changes.items():
            if value is None:
                tuning.pop(key, None)
            else:
                tuning[key] = value

    return edit


def _ranges(**ranges: Any) -> Callable[[dict[str, Any]], None]:
    return _tuning(parameters=ranges)


def _also_fixed(platform: dict[str, Any]) -> None:
    _training(platform)["hyperparameters"]["learning_rate"] = 0.05


def _too_many_hyperparameters(platform: dict[str, Any]) -> None:
    # 95 fixed + the platform's 3 + SageMaker's _tuning_objective_metric + 2 tuned ranges = 101 > 100;
    # without tuning, 95 + 3 = 98 passes the fixed-hyperparameter limit on its own.
    fixed = _training(platform)["hyperparameters"]
    fixed.update({f"extra_{i}": i for i in range(95 - len(fixed))})


def _without_metric_definitions(platform: dict[str, Any]) -> None:
    _training(platform)["metric_definitions"] = []


CONTINUOUS = {"type": "continuous", "min": 0.01, "max": 0.3}
CATEGORICAL = {"type": "categorical", "values": ["a", "b"]}

BAD: dict[str, tuple[Callable[[dict[str, Any]], None], str, str]] = {
    "objective-not-a-metric-definition": (
        _tuning(objective={"metric": "validation:f1", "type": "Maximize"}),
        f"{TUNING}.objective.metric",
        "not one of the family's metric_definitions (validation:auc)",
    ),
    "objective-without-metric-definitions": (
        _without_metric_definitions,
        f"{TUNING}.objective.metric",
        "add metric_definitions",
    ),
    "objective-direction-unknown": (
        _tuning(objective={"metric": "validation:auc", "type": "Max"}),
        f"{TUNING}.objective.type",
        "'Maximize' or 'Minimize'",
    ),
    "strategy-unknown": (_tuning(strategy="Genetic"), f"{TUNING}.strategy", "'Bayesian'"),
    "unknown-key": (_tuning(max_runtime=3600), f"{TUNING}.max_runtime", "unknown key; allowed keys here"),
    "range-also-a-fixed-hyperparameter": (
        _also_fixed,
        f"{TUNING}.parameters.learning_rate",
        "also a fixed value in hyperparameters",
    ),
    "range-of-a-platform-hyperparameter": (
        _ranges(label=CATEGORICAL),
        f"{TUNING}.parameters.label",
        "set by the platform",
    ),
    "range-of-sagemakers-objective-hyperparameter": (
        _ranges(_tuning_objective_metric=CATEGORICAL),
        f"{TUNING}.parameters._tuning_objective_metric",
        "set by the platform or by SageMaker",
    ),
    "no-ranges": (_tuning(parameters={}), f"{TUNING}.parameters", "at least one"),
    "31-ranges": (
        _ranges(**{f"p{i}": CONTINUOUS for i in range(31)}),
        f"{TUNING}.parameters",
        "31 ranges; SageMaker tunes at most 30",
    ),
    "too-many-hyperparameters-with-the-tuned-ones": (
        _too_many_hyperparameters,
        f"{TUNING}.parameters",
        "101 hyperparameters",
    ),
    "min-not-below-max": (
        _ranges(learning_rate={"type": "continuous", "min": 0.3, "max": 0.3}),
        f"{TUNING}.parameters.learning_rate.max",
        "greater than min",
    ),
    "integer-range-with-a-fraction": (
        _ranges(max_leaf_nodes={"type": "integer", "min": 8.5, "max": 63}),
        f"{TUNING}.parameters.max_leaf_nodes.min",
        "must be an integer",
    ),
    "integer-range-reverse-logarithmic": (
        _ranges(max_leaf_nodes={"type": "integer", "min": 8, "max": 63, "scaling": "ReverseLogarithmic"}),
        f"{TUNING}.parameters.max_leaf_nodes.scaling",
        "scales Auto, Linear, Logarithmic",
    ),
    "logarithmic-from-zero": (
        _ranges(learning_rate={"type": "continuous", "min": 0, "max": 0.3, "scaling": "Logarithmic"}),
        f"{TUNING}.parameters.learning_rate.min",
        "min > 0",
    ),
    "reverse-logarithmic-reaching-one": (
        _ranges(
            learning_rate={"type": "continuous", "min": 0.5, "max": 1.0, "scaling": "ReverseLogarithmic"}
        ),
        f"{TUNING}.parameters.learning_rate.scaling",
        "max < 1",
    ),
    "continuous-range-with-values": (
        _ranges(learning_rate={"type": "continuous", "min": 0.01, "max": 0.3, "values": ["0.1"]}),
        f"{TUNING}.parameters.learning_rate.values",
        "takes min and max, not values",
    ),
    "categorical-range-with-bounds": (
        _ranges(loss={"type": "categorical", "values": ["log_loss"], "min": 1}),
        f"{TUNING}.parameters.loss",
        "takes only values",
    ),
    "categorical-31-values": (
        _ranges(loss={"type": "categorical", "values": [f"v{i}" for i in range(31)]}),
        f"{TUNING}.parameters.loss.values",
        "31 values; SageMaker takes 1-30",
    ),
    "categorical-value-257-characters": (
        _ranges(loss={"type": "categorical", "values": ["x" * 257]}),
        f"{TUNING}.parameters.loss.values[0]",
        "1-256 characters",
    ),
    "categorical-values-repeat": (
        _ranges(loss={"type": "categorical", "values": ["a", "a"]}),
        f"{TUNING}.parameters.loss.values",
        "repeat",
    ),
    "max-jobs-missing": (_tuning(max_jobs=None), f"{TUNING}.max_jobs", "Bayesian needs max_jobs"),
    "max-jobs-751": (_tuning(max_jobs=751), f"{TUNING}.max_jobs", "not 1-750"),
    "max-jobs-0": (_tuning(max_jobs=0), f"{TUNING}.max_jobs", "not 1-750"),
    "max-parallel-101": (
        _tuning(max_jobs=200, max_parallel_jobs=101),
        f"{TUNING}.max_parallel_jobs",
        "not 1-100",
    ),
    "more-parallel-than-jobs": (
        _tuning(max_parallel_jobs=13),
        f"{TUNING}.max_parallel_jobs",
        "more than max_jobs (12)",
    ),
    "grid-with-a-continuous-range": (
        _tuning(strategy="Grid", max_jobs=None, early_stopping="Off"),
        f"{TUNING}.parameters.learning_rate.type",
        "Grid searches categorical ranges only",
    ),
    "grid-with-max-jobs": (
        _tuning(strategy="Grid", early_stopping="Off", parameters={"loss": CATEGORICAL}),
        f"{TUNING}.max_jobs",
        "leave max_jobs out",
    ),
    "grid-over-750-combinations": (
        _tuning(
            strategy="Grid",
            max_jobs=None,
            parameters={
                name: {"type": "categorical", "values": list("abcdefghij")} for name in ("x", "y", "z")
            },
        ),
        f"{TUNING}.parameters",
        "1000 combinations",
    ),
    "hyperband-with-early-stopping": (
        _tuning(strategy="Hyperband", hyperband={"max_resource": 200}),
        f"{TUNING}.early_stopping",
        "must be Off",
    ),
    "hyperband-without-max-resource": (
        _tuning(strategy="Hyperband", early_stopping="Off"),
        f"{TUNING}.hyperband.max_resource",
        "Hyperband needs max_resource",
    ),
    "hyperband-max-resource-20001": (
        _tuning(strategy="Hyperband", early_stopping="Off", hyperband={"max_resource": 20_001}),
        f"{TUNING}.hyperband.max_resource",
        "not 1-20000",
    ),
    "hyperband-min-above-max": (
        _tuning(
            strategy="Hyperband", early_stopping="Off", hyperband={"min_resource": 50, "max_resource": 10}
        ),
        f"{TUNING}.hyperband.max_resource",
        "must be greater than min_resource (50)",
    ),
    "hyperband-min-equal-to-max": (
        _tuning(
            strategy="Hyperband", early_stopping="Off", hyperband={"min_resource": 10, "max_resource": 10}
        ),
        f"{TUNING}.hyperband.max_resource",
        "must be greater than min_resource (10)",
    ),
    "grid-more-parallel-jobs-than-combinations": (
        _tuning(
            strategy="Grid",
            max_jobs=None,
            max_parallel_jobs=3,
            early_stopping="Off",
            parameters={"loss": CATEGORICAL},
        ),
        f"{TUNING}.max_parallel_jobs",
        "more than the grid's 2 combinations",
    ),
    "max-runtime-below-120": (
        _tuning(max_runtime_seconds=119),
        f"{TUNING}.max_runtime_seconds",
        "not 120-15,768,000",
    ),
    "max-runtime-above-six-months": (
        _tuning(max_runtime_seconds=15_768_001),
        f"{TUNING}.max_runtime_seconds",
        "not 120-15,768,000",
    ),
    "hyperband-settings-without-hyperband": (
        _tuning(hyperband={"max_resource": 200}),
        f"{TUNING}.hyperband",
        "only applies with strategy Hyperband",
    ),
}


@pytest.mark.parametrize(("edit", "key", "fragment"), BAD.values(), ids=BAD.keys())
def test_a_tuning_section_sagemaker_would_reject_is_a_config_error_naming_the_key(
    edit, key, fragment
) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(_platform(edit), SOURCE)

    problems = list(raised.value.problems)
    assert any(path == f"{CONFIG_KEY}.{key}" and fragment in message for path, message in problems), problems
    assert str(raised.value).startswith(f"{SOURCE}: invalid configuration")


GOOD: dict[str, Callable[[dict[str, Any]], None]] = {
    "the-fixture": lambda platform: None,
    "grid-over-categorical-values-without-max-jobs": _tuning(
        strategy="Grid",
        max_jobs=None,
        max_parallel_jobs=4,
        early_stopping="Off",
        parameters={"loss": CATEGORICAL, "depth": {"type": "categorical", "values": [3, 5, 7]}},
    ),
    "hyperband-with-max-resource": _tuning(
        strategy="Hyperband", early_stopping="Off", hyperband={"min_resource": 10, "max_resource": 200}
    ),
    "max-jobs-750-and-100-at-once": _tuning(max_jobs=750, max_parallel_jobs=100),
    "grid-as-many-parallel-jobs-as-combinations": _tuning(
        strategy="Grid",
        max_jobs=None,
        max_parallel_jobs=2,
        early_stopping="Off",
        parameters={"loss": CATEGORICAL},
    ),
    "max-runtime-at-the-limits": _tuning(max_runtime_seconds=120),
    "max-runtime-six-months": _tuning(max_runtime_seconds=15_768_000),
    "30-ranges": _ranges(**{f"p{i}": CONTINUOUS for i in range(30)}),
    "reverse-logarithmic-below-one": _ranges(
        momentum={"type": "continuous", "min": 0.5, "max": 0.999, "scaling": "ReverseLogarithmic"}
    ),
}


@pytest.mark.parametrize("edit", GOOD.values(), ids=GOOD.keys())
def test_a_tuning_section_at_sagemakers_limits_passes(edit) -> None:
    config = parse_platform_config(_platform(edit), SOURCE)

    assert config.models[0].training is not None and config.models[0].training.tuning is not None


def test_the_planner_exits_2_naming_the_file_and_key_and_plans_nothing(
    write_stack, capsys, monkeypatch
) -> None:
    """The planner's ``main`` in this process: its status, its streams and that it plans nothing do
    not depend on a fresh one (``python -m planner``'s own wiring runs as processes in
    tests/bin/test_plan.py and test_malformed_stack_files.py's process sample)."""
    import planner.__main__ as cli

    path = write_stack("staging", _tuning(max_parallel_jobs=13))
    planned: list[object] = []
    monkeypatch.setattr(cli, "build_plan", lambda *args: planned.append(args))
    monkeypatch.chdir(REPO)

    status = cli.main(["--config", str(path)])

    captured = capsys.readouterr()
    assert status == 2, captured.err[-2000:]
    assert captured.out == "" and planned == [], "nothing planned, nothing recorded"
    assert f"{path}" in captured.err and f"{TUNING}.max_parallel_jobs" in captured.err
    assert "Traceback" not in captured.err
