"""Every pipeline definition the platform records is internally consistent, as CreatePipeline and
UpdatePipeline require: each ``{"Get": "Steps.<S>..."}`` and ``Std:JsonGet`` property file names a
step of the definition (condition branches included) and, for a property file, one that step
declares; each ``DependsOn`` names a step; no step waits on itself or on a cycle; each
``Parameters.<X>`` is declared, each declared parameter is read by a step, and each ``Execution.<X>``
is one of SageMaker's execution variables;
step names are unique across the whole definition, at most 64 characters of ``[A-Za-z0-9_-]``; and
no step outside a condition's branch reads a step that only that branch runs.

Checked on the training, batch-scoring and live-drift definitions of the fixture stacks (prod with
Evidently live drift in place of Model Monitor too), and on the training definition built with every
combination of its optional steps. The checker is itself checked on broken definitions."""

from __future__ import annotations

import copy
import itertools
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from stacks.config import CONFIG_KEY
from tests.conftest import load_stack_document, stack_path
from tests.pipelines.churn_fixtures import make_settings, steps_by_name, tracking_settings
from tests.pipelines.definitions import built_definition
from tests.pipelines.evidently_fixtures import evidently_settings
from tests.pipelines.test_feature_input import feature_settings
from tests.pipelines.test_tuning_step import FIXED, _tuning
from tests.recorded import recorded_stack
from tests.stacks.test_live_drift import live_drift_instead_of_model_monitor
from tests.yaml_text import dump_document

PIPELINE = "aws:sagemaker/pipeline:Pipeline"
EXECUTION_VARIABLES = frozenset(
    {
        "ExecutionId",
        "PipelineExecutionId",
        "PipelineExecutionArn",
        "PipelineName",
        "PipelineArn",
        "StartDateTime",
        "CurrentDateTime",
        "TrialName",
    }
)
"""SageMaker's pipeline execution variables (``sagemaker.workflow.execution_variables``)."""
_STEP_NAME = re.compile(r"^[A-Za-z0-9\-_]{1,64}$")
_STEP_GET = re.compile(r"^Steps\.(?P<step>[^.\[]+)")
_PROPERTY_FILE = re.compile(r"^Steps\.(?P<step>[^.\[]+)\.PropertyFiles\.(?P<file>[^.\[]+)$")
_BRANCHES = ("IfSteps", "ElseSteps")


class DefinitionReferences:
    """The broken internal references of one definition (a 2020-12-01 pipeline definition)."""

    def __init__(self, definition: dict[str, Any]) -> None:
        self.definition = definition
        self.parameters = {parameter["Name"] for parameter in definition.get("Parameters", [])}
        self.read_parameters: set[str] = set()
        self.names: list[str] = []
        self.steps: dict[str, dict[str, Any]] = {}
        self.branch: dict[str, tuple[str, str]] = {}
        """The condition step and branch (IfSteps, ElseSteps) each branch step runs in."""
        self._collect(definition.get("Steps", []), None)

    def _collect(self, steps: list[dict[str, Any]], branch: tuple[str, str] | None) -> None:
        for step in steps:
            self.names.append(step.get("Name", ""))
            self.steps.setdefault(step.get("Name", ""), step)
            if branch is not None:
                self.branch.setdefault(step["Name"], branch)
            if step.get("Type") == "Condition":
                for key in _BRANCHES:
                    self._collect(step.get("Arguments", {}).get(key, []), (step["Name"], key))

    @staticmethod
    def _expressions(node: Any) -> Iterator[tuple[str, Any]]:
        """Every ``Get`` and ``Std:JsonGet`` below ``node``."""
        if isinstance(node, dict):
            for kind in ("Get", "Std:JsonGet"):
                if kind in node:
                    yield kind, node[kind]
            for value in node.values():
                yield from DefinitionReferences._expressions(value)
        elif isinstance(node, list):
            for item in node:
                yield from DefinitionReferences._expressions(item)

    @staticmethod
    def _own(step: dict[str, Any]) -> dict[str, Any]:
        """``step`` without its branches: a condition's branch steps are steps of their own."""
        if step.get("Type") != "Condition":
            return step
        arguments = {k: v for k, v in step.get("Arguments", {}).items() if k not in _BRANCHES}
        return {**step, "Arguments": arguments}

    def _reads(self, name: str, step: dict[str, Any], problems: list[str]) -> set[str]:
        """The steps ``step`` waits on (its data references and DependsOn), problems appended."""
        waits: set[str] = set()
        for other in step.get("DependsOn", []):
            if other not in self.steps:
                problems.append(f"{name}: DependsOn names no step: {other!r}")
            waits.add(other)
        for kind, value in self._expressions(self._own(step)):
            if kind == "Std:JsonGet":
                target = value.get("PropertyFile", {}).get("Get", "") if isinstance(value, dict) else ""
                match = _PROPERTY_FILE.match(target) if isinstance(target, str) else None
                if match is None:
                    problems.append(f"{name}: Std:JsonGet without a step's property file: {value!r}")
                elif match["step"] in self.steps:
                    declared = {
                        f.get("PropertyFileName") for f in self.steps[match["step"]].get("PropertyFiles", [])
                    }
                    if match["file"] not in declared:
                        problems.append(
                            f"{name}: {match['step']} declares no property file {match['file']!r}"
                        )
                continue
            if not isinstance(value, str):
                problems.append(f"{name}: Get of a non-string: {value!r}")
                continue
            root, _, rest = value.partition(".")
            if root == "Steps":
                match = _STEP_GET.match(value)
                if match is None or match["step"] not in self.steps:
                    problems.append(f"{name}: {value!r} names no step")
                else:
                    waits.add(match["step"])
            elif root == "Parameters":
                self.read_parameters.add(rest)
                if rest not in self.parameters:
                    problems.append(f"{name}: {value!r} names no declared parameter")
            elif root == "Execution":
                if rest not in EXECUTION_VARIABLES:
                    problems.append(f"{name}: {value!r} is not an execution variable")
            else:
                problems.append(f"{name}: {value!r} is no step, parameter or execution variable")
        return waits

    def problems(self) -> list[str]:
        problems = [
            f"step name used more than once: {n!r}"
            for n in sorted({n for n in self.names if self.names.count(n) > 1})
        ]
        problems += [f"invalid step name: {n!r}" for n in self.names if not _STEP_NAME.match(n)]
        waits = {name: self._reads(name, step, problems) for name, step in self.steps.items()}
        for name, others in waits.items():
            if name in others:
                problems.append(f"{name}: waits on itself")
            for other in others & self.branch.keys():
                if self.branch.get(name) != self.branch[other]:
                    condition, key = self.branch[other]
                    problems.append(f"{name}: reads {other}, which only {condition}'s {key} run")
        problems += self._cycles({name: others - {name} for name, others in waits.items()})
        # A parameter no step reads is still accepted by StartPipelineExecution, and then changes
        # nothing: whoever passes it believes the run used it.
        problems += [
            f"parameter no step reads: {p!r}" for p in sorted(self.parameters - self.read_parameters)
        ]
        return problems

    @staticmethod
    def _cycles(waits: dict[str, set[str]]) -> list[str]:
        done: set[str] = set()
        found: list[str] = []

        def visit(name: str, path: list[str]) -> None:
            for other in sorted(waits.get(name, ())):
                if other in path:
                    found.append("cycle: " + " -> ".join([*path[path.index(other) :], other]))
                elif other in waits and other not in done:
                    visit(other, [*path, other])
            done.add(name)

        for name in waits:
            if name not in done:
                visit(name, [name])
        return found


def _live_drift_prod(directory: Path) -> Path:
    """The prod fixture with Evidently live drift in place of Model Monitor (test_live_drift's)."""
    document = load_stack_document("prod")
    live_drift_instead_of_model_monitor(document["config"][CONFIG_KEY])
    path = directory / "Pulumi.prod.yaml"
    path.write_text(dump_document(document))
    return path


STACKS: dict[str, Callable[[Path], Path]] = {
    "dev": lambda _: stack_path("dev"),
    "staging": lambda _: stack_path("staging"),
    "prod": lambda _: stack_path("prod"),
    "prod-live-drift": _live_drift_prod,
}


@pytest.fixture(scope="module", params=list(STACKS))
def recorded_definitions(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    graph = recorded_stack(STACKS[request.param](tmp_path_factory.mktemp(request.param)))
    return {p.name: json.loads(p.inputs["pipelineDefinition"]) for p in graph.of_type(PIPELINE)}


def test_every_recorded_definitions_references_resolve(recorded_definitions: dict[str, Any]) -> None:
    assert recorded_definitions
    for name, definition in recorded_definitions.items():
        assert DefinitionReferences(definition).problems() == [], name


def test_the_fixtures_record_every_kind_of_definition(tmp_path: Path) -> None:
    """The stacks above reach each generator: training, batch scoring and live drift."""
    names = {p.name for maker in STACKS.values() for p in recorded_stack(maker(tmp_path)).of_type(PIPELINE)}
    assert {n.split("-", 1)[0] for n in names} == {"training", "batch", "live"}


def _options(tune: bool, track: bool, baselines: bool, features: bool, evidently: bool) -> dict[str, Any]:
    values: dict[str, Any] = {"model_monitor_baselines": baselines}
    if tune:
        values.update(tuning=_tuning(), hyperparameters=FIXED)
    if track:
        values["experiment_tracking"] = tracking_settings()
    if features:
        values["feature_input"] = feature_settings(
            columns=("customer_id", "event_time", "tenure_months", "churned")
        )
    if evidently:
        values["evidently"] = evidently_settings()
    return values


@pytest.mark.parametrize(
    "tune,track,baselines,features,evidently",
    list(itertools.product((False, True), repeat=5)),
    ids=lambda flag: "on" if flag else "off",
)
def test_every_combination_of_optional_steps_resolves(
    tune: bool, track: bool, baselines: bool, features: bool, evidently: bool
) -> None:
    definition = json.loads(
        built_definition(make_settings(**_options(tune, track, baselines, features, evidently)))
    )
    assert DefinitionReferences(definition).problems() == []


@pytest.fixture(scope="module")
def full() -> dict[str, Any]:
    """Every optional step: Tune, TrackExperiment, baselines, ExtractFeatures, Evidently."""
    return json.loads(built_definition(make_settings(**_options(True, True, True, True, True))))


def _step(name: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda definition: steps_by_name(definition)[name]


BREAKAGES: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "renamed-step": (lambda d: _step("Evaluate")(d).update(Name="Evaluation"), "'Steps.Evaluate."),
    "unknown-depends-on": (lambda d: _step("RegisterModel")(d).update(DependsOn=["Nope"]), "'Nope'"),
    "depends-on-itself": (lambda d: _step("Evaluate")(d).update(DependsOn=["Evaluate"]), "waits on itself"),
    "cycle": (lambda d: _step("Preprocess")(d).update(DependsOn=["Evaluate"]), "cycle: "),
    "undeclared-parameter": (
        lambda d: d.update(Parameters=[p for p in d["Parameters"] if p["Name"] != "MetricThreshold"]),
        "Parameters.MetricThreshold",
    ),
    "unread-parameter": (
        lambda d: d["Parameters"].append(
            {"Name": "InputDataUri", "Type": "String", "DefaultValue": "s3://b/p"}
        ),
        "parameter no step reads: 'InputDataUri'",
    ),
    "undeclared-property-file": (
        lambda d: _step("Evaluate")(d)["PropertyFiles"][0].update(PropertyFileName="Report"),
        "declares no property file 'EvaluationReport'",
    ),
    "unknown-execution-variable": (
        lambda d: _step("Evaluate")(d)["Arguments"].update(RoleArn={"Get": "Execution.RoleArn"}),
        "not an execution variable",
    ),
    "duplicate-name-in-a-branch": (
        lambda d: _step("MetricBelowThreshold")(d).update(Name="Preprocess"),
        "more than once: 'Preprocess'",
    ),
    "long-name": (lambda d: _step("MetricBelowThreshold")(d).update(Name="F" * 65), "invalid step name"),
    "invalid-name-character": (
        lambda d: _step("MetricBelowThreshold")(d).update(Name="Metric Low"),
        "invalid step name",
    ),
    "reads-a-branch-step-from-outside": (
        lambda d: _step("PublishDriftMetrics")(d).update(DependsOn=["RegisterModel"]),
        "only CheckMetric's IfSteps run",
    ),
}


@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_the_checker_finds_a_broken_reference(full: dict[str, Any], breakage: str) -> None:
    assert DefinitionReferences(full).problems() == []
    definition = copy.deepcopy(full)
    breaks, expected = BREAKAGES[breakage]
    breaks(definition)
    problems = DefinitionReferences(definition).problems()
    assert any(expected in problem for problem in problems), problems
