"""Second read of the lead's commits e8eda34, cbc3fa7/ee479b0, e9acf28/62dd6a6, 0fd4f35, 240ce22.

Each test here failed on the code before the fix it names.

- e8eda34 (stack files' config keys as Pulumi parses them) refused a key with no namespace
  (``platform:``) as one "Pulumi refuses to load". Pulumi's stack loader
  (``sdk/go/common/workspace/loaders.go``, ``stackConfigNamespacedWithProject``) puts such a key
  in the project's namespace before ``config.ParseKey``: ``platform`` is
  ``mlops-platform:platform``, and the file deploys. The plan now reads it so; a typo without a
  namespace (``platfrom``) is refused as an unknown key of the project's namespace, named as
  written, as ``mlops-platform:config:platfrom`` now is too (it was named ``mlops-platform:platfrom``).
- The bench's scale series (bench/plan_bench.py ``synthetic_stack_text``) looked the platform
  key up as ``mlops-platform:platform`` only: a ``--base`` stack file writing it ``platform`` or
  ``mlops-platform:config:platform`` (both valid to Pulumi and to the plan) failed with KeyError.
- e9acf28/62dd6a6's guard of the separated-name patterns saw one spelling per line; the scan below
  reads the product's string constants and holds each bound to the shape's max (see its comment).
  It finds no unbounded pattern in the code today: it is a stronger guard, not a fix.

Read and found right: ``config_key`` against a transcription of Go's ``ParseKey`` and
``ParseModuleMember`` over every string of up to four parts from ``"", ":", "a", "config", "x"``
(``a::b``, ``:x``, ``x:``, ``a:config:``, ``:config:x`` agree); every bound against botocore's
shape ``max``; each lookahead in its regex's context (``fullmatch``, or ``^`` and the end anchor, the ARN's named
groups unchanged); the Output refusal's callers (str-typed fields only; ``pulumi.Input`` fields go
through ``endpoint_name_problem``, which lets an Output pass); bench/run.py and every bench script
run with ``python -I`` from /tmp, and the scale series' stack writer from an isolated interpreter.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

from stacks.config import CONFIG_KEY, ConfigError
from stacks.engine_yaml import config_key
from stacks.project import PROJECT
from stacks.stack_file import offline_platform_config, read_stack_file
from tests.conftest import REPO
from tests.recorded import computed_once

P = CONFIG_KEY


@pytest.mark.parametrize(
    ("written", "key"),
    [("platform", P), ("kubeconfig", f"{PROJECT}:kubeconfig"), ("", f"{PROJECT}:")],
)
def test_a_key_without_a_namespace_is_the_projects(written: str, key: str) -> None:
    assert config_key(written, PROJECT) == key


def test_a_stack_file_writing_platform_without_its_namespace_plans(write_stack) -> None:
    text = write_stack("dev").read_text()
    assert f"  {P}:\n" in text
    stack_file = read_stack_file(write_stack(text=text.replace(f"  {P}:\n", "  platform:\n")))
    assert P in stack_file.config and "platform" not in stack_file.config
    assert offline_platform_config(stack_file).environment == "dev"


@pytest.mark.parametrize("written", ["platfrom", f"{PROJECT}:config:platfrom"])
def test_an_unknown_project_key_is_refused_named_as_written(write_stack, written: str) -> None:
    text = write_stack("dev").read_text().replace("config:\n", f"config:\n  {written}: x\n", 1)
    with pytest.raises(ConfigError) as raised:
        read_stack_file(write_stack(text=text))
    assert raised.value.problems == [
        (written, f"unknown key in the {PROJECT} namespace; did you mean {CONFIG_KEY}?")
    ]


def test_platform_with_and_without_its_namespace_is_written_twice(write_stack) -> None:
    text = write_stack("dev").read_text()
    block = text[text.index(f"  {P}:\n") :]
    doubled = text + block.replace(f"  {P}:\n", "  platform:\n", 1)
    with pytest.raises(ConfigError) as raised:
        read_stack_file(write_stack(text=doubled))
    assert raised.value.problems == [("platform", f"is {P}, written twice (also as {P})")]


# -- e9acf28/62dd6a6's guard (test_hyphenated_name_lengths.py) scanned lines for the one spelling
# `(-*[a-zA-Z0-9]){0,N}` / `([_-]*[a-zA-Z0-9]){0,N}`: a pattern spelt `(?:-*...)`, `([-]*...)`,
# `(\-*...)`, `([-_]*...)` or with `[A-Za-z0-9]`, or split over lines by implicit concatenation, was
# not seen, and a listed file was let through on any line holding a word (`pattern=`). This scan
# reads every string constant of the product (the parser joins split literals; docstrings are
# left out), and each site must bound its length to the shape's max, N + 1 (botocore's separated
# names: EntityName {0,62} max 63, FeatureGroupName {0,63} max 64, TrackingServerName and
# PipelineName {0,255} max 256), by a lookahead or by the len() named for it below.

SEPARATED = re.compile(
    r"\((?:\?:)?(?:\\?-|\[(?:\\?-|_|\\?-_|_\\?-)\])\*"
    r"\[(?:a-zA-Z0-9|A-Za-z0-9|a-z0-9|A-Z0-9|0-9a-zA-Z|0-9A-Za-z|a-zA-Z\\d)\]\)(\{0,(\d+)\}|\*|\+)"
)
FOLDERS = ("bench", "bin", "components", "delivery", "models", "pipelines", "planner", "policies", "stacks")
LENGTH_BESIDE = {
    # (file, the pattern): a text of the file that bounds the length, and the bound it sets.
    ("components/naming.py", r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}\Z"): (
        "len(name) > PIPELINE_NAME_MAX",
        256,
    ),
    ("components/serving/sagemaker_names.py", r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}\Z"): (
        "len(value) > SAGEMAKER_NAME_MAX",
        63,
    ),
    ("components/data/feature_store_spec.py", r"^[a-zA-Z0-9]([_-]*[a-zA-Z0-9]){0,63}\Z"): (
        "len(value) <= _SAGEMAKER_NAME_MAX",
        64,
    ),
    ("components/training/definition_checks.py", r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}\Z"): (
        "len(s.model_package_group_name) <= 63",
        63,
    ),
    ("components/experiments/experiment_tracking_spec.py", r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$"): (
        "max_length=256",
        256,
    ),
    ("stacks/arns.py", r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}"): ("len(group) <= 63", 63),
    ("stacks/model_cards.py", r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}"): ("len(name) <= MAX_MODEL_CARD_NAME", 63),
}
UNBOUNDED_PREFIXES = {
    # A name prefix (`(...)*`): the whole name it starts is bounded by prefixed_within_limit.
    ("components/naming.py", r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*\Z"),
    ("components/naming.py", r"^[a-zA-Z0-9]([_-]*[a-zA-Z0-9])*\Z"),
}
UPSTREAM_COPIES = {
    # The planner's models of upstream validators restate each pattern as upstream has it, unbounded
    # hyphens included (its code, message and citation); the auto-name's length is pulumi-aws's
    # max_length and AWS's aws_max_length (components/autonames.py), judged beside the pattern.
    "planner/upstream_validations.py": (
        r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}",  # the tuning job's name validator; AWS's 32 at create
        r"[a-zA-Z0-9](-*[a-zA-Z0-9])*",  # botocore's MlflowAppName; pulumi-aws's 255 under its 256
    ),
}
BOUND_VALUES = {
    "PIPELINE_NAME_MAX": ("components.naming", 256),
    "SAGEMAKER_NAME_MAX": ("components.serving.sagemaker_names", 63),
    "_SAGEMAKER_NAME_MAX": ("components.data.feature_store_spec", 64),
    "MAX_MODEL_CARD_NAME": ("stacks.model_cards", 63),
}


def _separated_sites() -> list[tuple[str, int, str]]:
    """The scan below, computed once per version of the files it reads (their names and bytes are
    the key: bench/, bin/, delivery/ and pipelines/ are not in the cache folder's fingerprint)."""
    paths = [path for folder in FOLDERS for path in sorted((REPO / folder).rglob("*.py"))]
    key = [part for path in paths for part in (str(path.relative_to(REPO)), path.read_bytes())]
    return computed_once("separated-sites", lambda: _scan_separated_sites(paths), key=key)


def _scan_separated_sites(paths: list[Path]) -> list[tuple[str, int, str]]:
    """Every string constant of ``paths`` that is not a docstring (an expression statement's
    constant) and that SEPARATED finds, in ``ast.walk``'s order: one walk of each tree sees both."""
    sites = []
    for path in paths:
        tree = ast.parse(path.read_text(), str(path))
        skipped: set[int] = set()
        strings: list[ast.Constant] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                skipped.add(id(node.value))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                strings.append(node)
        for node in strings:
            if id(node) not in skipped and SEPARATED.search(node.value):
                sites.append((str(path.relative_to(REPO)), node.lineno, node.value))
    return sites


@pytest.mark.parametrize(
    "spelt",
    [
        r"(?:-*[a-zA-Z0-9]){0,62}",
        r"([-]*[a-zA-Z0-9]){0,62}",
        r"(\-*[a-zA-Z0-9]){0,62}",
        r"([-_]*[a-zA-Z0-9]){0,63}",
        r"(-*[A-Za-z0-9]){0,62}",
        r"(-*[a-zA-Z0-9])*",
    ],
)
def test_the_scan_sees_each_spelling_of_a_separated_name(spelt: str) -> None:
    assert SEPARATED.search(spelt)


def test_every_separated_name_pattern_is_bounded_by_its_shapes_max() -> None:
    sites = _separated_sites()
    assert len(sites) >= 13, sites  # the scan finds the patterns at all
    problems = []
    for file, line, text in sites:
        where = f"{file}:{line}: {text}"
        if (file, text) in UNBOUNDED_PREFIXES:
            continue
        if any(pattern in text for pattern in UPSTREAM_COPIES.get(file, ())):
            continue
        bounds = {int(n) + 1 for _, n in SEPARATED.findall(text) if n}
        if len(bounds) != 1:
            problems.append(f"{where}: not one {{0,N}} bound")
            continue
        [shape_max] = bounds
        lookahead = re.search(r"\(\?=[^)]*\{1,([0-9]+)\}", text)
        if lookahead:
            if int(lookahead[1]) != shape_max:
                problems.append(
                    f"{where}: the lookahead bounds {lookahead[1]}, the shape's max is {shape_max}"
                )
            continue
        beside = LENGTH_BESIDE.get((file, text))
        if beside is None:
            problems.append(f"{where}: no length bound")
            continue
        snippet, bound = beside
        if snippet not in (REPO / file).read_text() or bound != shape_max:
            problems.append(f"{where}: {snippet!r} ({bound}) is not in the file or not {shape_max}")
    assert problems == []


@pytest.mark.parametrize("name", sorted(BOUND_VALUES))
def test_the_constants_the_length_checks_name_are_the_shapes_max(name: str) -> None:
    module, value = BOUND_VALUES[name]
    assert getattr(importlib.import_module(module), name) == value


@pytest.mark.parametrize("written", ["platform", f"{PROJECT}:config:platform"])
def test_the_bench_scales_a_base_stack_whatever_form_its_key_is_written_in(tmp_path, written: str) -> None:
    from bench import plan_bench

    text = plan_bench.REFERENCE_PROD.read_text()
    assert f"  {P}:\n" in text
    base = tmp_path / "Pulumi.prod.yaml"
    base.write_text(text.replace(f"  {P}:\n", f"  {written}:\n", 1))
    scaled = tmp_path / "scaled" / "Pulumi.prod.yaml"
    scaled.parent.mkdir()
    scaled.write_text(plan_bench.synthetic_stack_text(base, 3))
    config = offline_platform_config(read_stack_file(scaled))
    assert len(config.endpoints) == 3
