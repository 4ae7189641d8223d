"""``training.model_monitor_baselines``: the training pipelines compute Model Monitor baselines
(DataQualityBaseline, ModelQualityBaseline: the analyzer image) and register them as each version's
DriftCheckBaselines only where Model Monitor is used; unset, the key follows
``monitoring.model_monitor``, so an account Model Monitor is closed to runs two jobs a run fewer and
needs no image of that service."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from components.training.definition import BASELINE_STEPS, STEP_REGISTER, iter_steps
from planner.recorder import ResourceGraph
from stacks.config import CONFIG_KEY, parse_platform_config
from tests.conftest import load_stack_document
from tests.graph_helpers import training_pipelines
from tests.recorded import recorded_stack
from tests.stacks.conftest import serving_cut
from tests.stacks.test_prebuilt_image_regions import _in_region, _region_problems
from tests.yaml_text import dump_document

Edit = Callable[[dict[str, Any]], None]


def _model_monitor(on: bool, baselines: bool | None = None, *, shared: bool = False) -> Edit:
    """Model Monitor on or off, the key set or not, and the families' versions shared with other
    accounts (the dev fixture shares them) or kept to this one."""

    def edit(platform: dict[str, Any]) -> None:
        platform.setdefault("monitoring", {})["model_monitor"] = on
        if not on:
            platform["monitoring"].pop("model_monitors", None)
            for family in platform["models"]:
                family.pop("quality_alarms", None)
        if not shared:
            for family in platform["models"]:
                family.pop("consumer_accounts", None)
        if baselines is not None:
            platform.setdefault("training", {})["model_monitor_baselines"] = baselines

    return edit


def _recorded(tmp_path: Path, edit: Edit, stack: str = "dev") -> ResourceGraph:
    """The ``stack`` fixture with ``edit``, cut to the serving cut (:func:`serving_cut`): the training
    pipelines, endpoints and monitors stay as they are. The endpoints stay in the dev variants too
    (whose training pipelines the tests read): whether the baselines are computed is the stack's
    config, never an endpoint's, and only a stack that serves a Model Monitor-watched endpoint shows
    that (a composition computing them wherever an endpoint is monitored, ignoring
    ``training.model_monitor_baselines: false``, passes on a stack without endpoints). The prod
    variants' warnings name the endpoints the baselines are missing for."""
    document = load_stack_document(stack)
    platform = document["config"][CONFIG_KEY]
    serving_cut(platform)
    assert platform["endpoints"], "the cut keeps the endpoints whose monitors the baselines are for"
    edit(document["config"][CONFIG_KEY])
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / f"Pulumi.{stack}.yaml"
    path.write_text(dump_document(document))
    return recorded_stack(path)


def _definitions(graph: ResourceGraph) -> list[dict[str, dict[str, Any]]]:
    pipelines = training_pipelines(graph)
    assert pipelines
    return [
        {step["Name"]: step for step in iter_steps(json.loads(p.inputs["pipelineDefinition"])["Steps"])}
        for p in pipelines
    ]


@pytest.mark.parametrize(
    ("edit", "computed"),
    [
        pytest.param(_model_monitor(True), True, id="model-monitor-on"),
        pytest.param(_model_monitor(False), False, id="model-monitor-off"),
        pytest.param(_model_monitor(False, baselines=True), True, id="off-but-baselines-asked-for"),
        pytest.param(_model_monitor(True, baselines=False), False, id="on-but-baselines-turned-off"),
        pytest.param(_model_monitor(False, shared=True), True, id="off-but-versions-shared"),
        pytest.param(_model_monitor(False, baselines=False, shared=True), False, id="shared-but-turned-off"),
    ],
)
def test_baselines_are_computed_and_registered_exactly_where_the_stack_says(
    tmp_path: Path, edit: Edit, computed: bool
) -> None:
    for steps in _definitions(_recorded(tmp_path, edit)):
        register = steps[STEP_REGISTER]["Arguments"]
        assert (set(BASELINE_STEPS) <= set(steps)) is computed
        assert not (set(BASELINE_STEPS) & set(steps)) or computed
        assert ("DriftCheckBaselines" in register) is computed
        # The version's evaluation report is its model metrics either way.
        assert register["ModelMetrics"]["ModelQuality"]["Statistics"]["S3Uri"]


def test_without_baselines_the_run_loses_exactly_the_two_baselining_jobs(tmp_path: Path) -> None:
    [with_baselines] = _definitions(_recorded(tmp_path / "on", _model_monitor(True)))
    [without] = _definitions(_recorded(tmp_path / "off", _model_monitor(True, baselines=False)))

    assert set(with_baselines) - set(without) == set(BASELINE_STEPS)
    assert set(without) <= set(with_baselines)


@pytest.mark.parametrize(
    ("model_monitor", "baselines", "shared", "expected"),
    [
        (True, None, False, True),
        (False, None, False, False),
        (False, None, True, True),
        (False, True, False, True),
        (True, False, False, False),
        (False, False, True, False),
    ],
)
def test_the_key_unset_follows_model_monitor_and_what_other_accounts_read(
    model_monitor: bool, baselines: bool | None, shared: bool, expected: bool
) -> None:
    """Other accounts serving a family's versions monitor them against the baselines they register."""
    platform = load_stack_document("dev")["config"][CONFIG_KEY]
    _model_monitor(model_monitor, baselines, shared=shared)(platform)
    config = parse_platform_config(platform, "stacks/Pulumi.dev.yaml")

    assert config.computes_model_monitor_baselines is expected


def test_a_region_without_the_analyzer_trains_when_no_baseline_is_computed(tmp_path: Path) -> None:
    """ca-west-1 has no sagemaker-model-monitor-analyzer image in the SDK's tables: refused while
    the baselines are computed, accepted (as far as that image goes) without them."""
    refused = _region_problems(_in_region(tmp_path, "dev", "ca-west-1", _model_monitor(True)))
    accepted = _region_problems(_in_region(tmp_path, "dev", "ca-west-1", _model_monitor(False)))

    assert [p for p in refused if "baseline steps" in p]
    assert not [p for p in accepted if "baseline steps" in p or "model-monitor-analyzer" in p]


def test_a_stack_that_monitors_what_it_trains_without_baselines_says_where_its_monitors_read(
    tmp_path: Path,
) -> None:
    graph = _recorded(tmp_path, _model_monitor(True, baselines=False), "prod")

    [warning] = [w for w in graph.warnings if "model_monitor_baselines" in w]
    assert "endpoint customer-churn" in warning and "baselines/prod-customer-churn/" in warning


def test_a_stack_that_computes_its_baselines_or_monitors_nothing_has_nothing_to_say(tmp_path: Path) -> None:
    for edit, folder in ((_model_monitor(True), "on"), (_model_monitor(False), "off")):
        graph = _recorded(tmp_path / folder, edit, "prod")
        assert not [w for w in graph.warnings if "model_monitor_baselines" in w]
