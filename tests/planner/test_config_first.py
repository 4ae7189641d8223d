"""An invalid stack file fails before the plan imports Pulumi, the providers and the components.

The configuration model and every area's specs import only pydantic and the platform's own
light modules; the component classes load on first use (``components.extras.on_first_use``). The
command line reads and validates the stack file first, with the program's own validation
(``stacks.stack_file.offline_platform_config``), so a typo costs a fraction of a plan's start-up.
"""

from __future__ import annotations

import ast
import inspect
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from components.extras import MissingExtraError
from delivery.stacks import read_target
from planner.__main__ import EXIT_INVALID_CONFIG, main, plan_for
from planner.definition_composer import _cores as composer_cores
from planner.recorder import record_stack_file
from planner.report import json_value, to_json
from stacks.config import CONFIG_KEY, ConfigError
from stacks.input_limits import MAX_STACK_FILE_BYTES
from stacks.program import load_config
from stacks.project import platform_map
from stacks.stack_file import offline_platform_config, read_stack_file
from tests.conftest import REPO, load_stack_document, stack_path
from tests.recorded import computed_once, recorded_stack
from tests.yaml_text import dump_document

HEAVY = (
    "pulumi",
    "pulumi_aws",
    "pulumi_aws_native",
    "pulumi_kubernetes",
    "pulumi_policy",
    "sagemaker",
    "boto3",
)
"""Packages a plan imports once the stack file is valid, and not before (``grpc`` comes with pulumi)."""
IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn-server@sha256:" + "a" * 64


def _python(*args: str, env_overrides: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = None if env_overrides is None else {**os.environ, **env_overrides}
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=environment,
    )


TMP = "@TMP@"
"""In :func:`_python_once`'s arguments, environment and output: the run's own temporary folder."""


def _python_once(
    name: str,
    *args: str,
    files: dict[str, str] | None = None,
    env_overrides: dict[str, str] | None = None,
    key: tuple[str, ...] = (),
) -> subprocess.CompletedProcess[str]:
    """:func:`_python` in a fresh process, run once per version of the code, this module, its
    arguments, ``files`` and ``key`` (tests.recorded.computed_once): what these processes print is a
    pure function of them. ``TMP`` in the arguments and the environment is a temporary folder made
    for the run, holding ``files`` (name: text); in its stdout and stderr
    the folder reads ``TMP`` again, so a later session is served the same text. A run killed by a
    signal (or timed out) raises and is not kept."""

    def run() -> subprocess.CompletedProcess[str]:
        with tempfile.TemporaryDirectory(prefix="config-first-") as folder:
            for file, text in (files or {}).items():
                (Path(folder) / file).write_text(text)
            real = [arg.replace(TMP, folder) for arg in args]
            environment = {k: v.replace(TMP, folder) for k, v in (env_overrides or {}).items()}
            result = _python(*real, env_overrides=environment if env_overrides is not None else None)
        assert result.returncode >= 0, f"killed by signal {-result.returncode}: {result.stderr[-2000:]}"
        return subprocess.CompletedProcess(
            args, result.returncode, result.stdout.replace(folder, TMP), result.stderr.replace(folder, TMP)
        )

    parts = [*args, repr(sorted((files or {}).items())), repr(sorted((env_overrides or {}).items()))]
    return computed_once(name, run, key=[*parts, *key])


def _imported(importtime_stderr: str) -> set[str]:
    """Top-level packages ``-X importtime`` reports as imported."""
    return {
        line.split("|")[-1].strip().split(".")[0]
        for line in importtime_stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (lambda text: text.replace("environment: dev", "environment: devv", 1), "platform.environment"),
        (lambda text: text + "\n  broken: [\n", "YAML syntax error"),
    ],
    ids=["semantic", "yaml"],
)
def test_the_command_line_fails_on_an_invalid_stack_file_before_importing_pulumi(edit, key: str) -> None:
    text = stack_path("dev").read_text()
    assert edit(text) != text
    path = f"{TMP}/Pulumi.dev.yaml"

    result = _python_once(
        "invalid-before-pulumi",
        *("-X", "importtime", "-m", "planner", "--config", path, "--format", "json"),
        files={"Pulumi.dev.yaml": edit(text)},
    )

    assert result.returncode == EXIT_INVALID_CONFIG, result.stderr[-2000:]
    assert result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if not line.startswith("import time:")]
    assert any(path in line and key in line for line in errors), errors
    assert _imported(result.stderr) & set(HEAVY) == set()


def test_the_configuration_model_and_every_areas_specs_import_no_pulumi() -> None:
    """Every area package as imported (its specs, its components on first use), the configuration
    model and the stack-file reader, then a whole fixture stack validated: no heavy package."""
    script = textwrap.dedent(
        f"""
        import importlib, pkgutil, sys
        import planner  # the import hooks the CLI and the tests install
        import components
        for area in pkgutil.iter_modules(components.__path__):
            if area.ispkg:
                importlib.import_module(f"components.{{area.name}}")
        from stacks.stack_file import offline_platform_config, read_stack_file
        config = offline_platform_config(read_stack_file({str(stack_path("prod"))!r}))
        assert config.environment == "prod"
        print(sorted({{name.split(".")[0] for name in sys.modules}} & set({HEAVY!r})))
        """
    )
    result = _python_once("specs-import-no-pulumi", "-c", script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_planner_patches_the_sdks_type_hints_when_a_provider_type_module_first_loads() -> None:
    result = _python_once(
        "type-hints-patched",
        "-c",
        textwrap.dedent(
            """
            import sys
            import planner
            print("pulumi" in sys.modules)
            import pulumi_aws.sagemaker
            pulumi_aws.sagemaker.EndpointConfigurationProductionVariantArgs  # a lazy type module's class
            from pulumi import _types
            print(getattr(_types._globals_for_cls, "__lazy_classes__", False))
            """
        ),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]


def test_a_one_shot_plan_forks_its_composer_before_it_validates_or_imports_then_freezes_the_imports() -> None:
    """``plan_once`` (``python -m planner``): the composer's child is forked before the stack file
    is validated and before the plan's imports, the configuration model's included (composing
    needs none of them, and the child's SDK import is what a cold plan waits for), the program's
    modules are imported before the collector freezes what is loaded, and the plan is built
    inside the child's lifetime. The child is told the stack's region as soon as it is known.
    ``python -m planner``'s own module imports none of them."""
    script = textwrap.dedent(
        """
        import contextlib, json, sys
        import planner.__main__ as cli
        import planner.definition_composer, planner.process
        WATCHED = ("stacks.config", "pulumi", "planner.recorder", "planner.report", "stacks.program")
        events = []
        def note(what):
            events.append([what, [name for name in WATCHED if name in sys.modules]])
        class Composer:
            def open_region(self, region):
                note(f"open {region}")
        @contextlib.contextmanager
        def composition():
            note("fork")
            yield Composer()
            note("child ended")
        real_validated = cli._validated
        def validated(path):
            note("validate")
            return real_validated(path)
        planner.process.prepare_one_shot_process = lambda composes_here: note(f"freeze {composes_here}")
        planner.definition_composer.parallel_composition = composition
        cli._validated = validated
        cli.build_plan = lambda stack_file, registry: note(f"plan {stack_file.stack}")
        note("start")
        cli.plan_once("tests/fixtures/stacks/Pulumi.dev.yaml")
        print(json.dumps(events))
        """
    )
    result = _python_once("one-shot-order", "-c", script)
    assert result.returncode == 0, result.stderr
    everything = ["stacks.config", "pulumi", "planner.recorder", "planner.report", "stacks.program"]
    assert json.loads(result.stdout) == [
        ["start", []],
        ["fork", []],
        ["validate", []],
        ["open eu-west-1", ["stacks.config"]],
        ["freeze False", everything],
        ["plan dev", everything],
        ["child ended", everything],
    ]


def _definitions(tmp_path: Path, cache: str) -> Path:
    definitions = tmp_path / "definitions"
    definitions.mkdir()
    if cache == "warm":
        (definitions / "0123.json").write_text("{}")
    return definitions


@pytest.mark.parametrize(("cache", "collects"), [("empty", True), ("warm", False)])
def test_a_one_shot_plan_without_a_composer_collects_cyclic_garbage_only_if_it_composes(
    cache: str, collects: bool
) -> None:
    """Composing with the SageMaker SDK leaves much cyclic garbage; recording leaves little. So a
    plan with no composer child (here ``MLOPS_PARALLEL_COMPOSER=0``) keeps the collector on only
    where its definition cache is cold: it composes them in its own process (a fresh process, as
    ``python -m planner``). One process serves both cases: it plans with its cache empty, which
    leaves the collector on as a fresh process has it, then with one definition in it."""
    script = textwrap.dedent(
        """
        import gc, json, os
        import planner.__main__ as cli
        seen = {}
        for cache in ("empty", "warm"):
            if cache == "warm":
                with open(os.path.join(os.environ["MLOPS_DEFINITION_CACHE"], "0123.json"), "w") as f:
                    f.write("{}")
            cli.build_plan = lambda stack_file, registry: seen.setdefault(cache, gc.isenabled())
            cli.plan_once("tests/fixtures/stacks/Pulumi.dev.yaml")
        print(json.dumps(seen))
        """
    )
    result = _python_once(
        "gc-without-a-composer",
        "-c",
        script,
        env_overrides={"MLOPS_DEFINITION_CACHE": TMP, "MLOPS_PARALLEL_COMPOSER": "0"},
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[cache] == collects


@pytest.mark.parametrize("cache", ["empty", "warm"])
def test_a_one_shot_plan_whose_composer_composes_collects_nothing_automatically(
    tmp_path: Path, cache: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import contextlib

    import planner.__main__ as cli
    import planner.definition_composer
    import planner.process

    @contextlib.contextmanager
    def composition() -> Any:
        class Composer:
            def open_region(self, region: str) -> None:
                pass

        yield Composer()

    decided: list[bool] = []
    monkeypatch.setenv("MLOPS_DEFINITION_CACHE", str(_definitions(tmp_path, cache)))
    monkeypatch.setattr(planner.definition_composer, "parallel_composition", composition)
    monkeypatch.setattr(
        planner.process, "prepare_one_shot_process", lambda composes_here: decided.append(composes_here)
    )
    monkeypatch.setattr(cli, "build_plan", lambda stack_file, registry: None)
    cli.plan_once(str(REPO / "tests" / "fixtures" / "stacks" / "Pulumi.dev.yaml"))
    assert decided == [False]


def test_an_invalid_stack_file_ends_the_one_shot_plans_child_and_exits_2() -> None:
    """The child is forked before the stack file is read: a stack file that fails validation
    still exits 2 naming the file and key, and the child is killed and reaped on the way out
    (``python -m planner`` in a directory whose definition cache is empty, so the child is forked)."""
    if composer_cores() < 2:
        pytest.skip("one core: the plan forks no composer")
    document = load_stack_document("dev")
    _platform(document)["environment"] = "production"
    stack = f"{TMP}/Pulumi.bad.yaml"
    script = textwrap.dedent(
        f"""
        import os, sys
        import planner.definition_composer as composer
        started = []
        real_start = composer.start_if_cold
        def start_if_cold():
            child = real_start()
            started.append(child)
            return child
        composer.start_if_cold = start_if_cold
        import planner.__main__ as cli
        status = cli.run(["--config", {str(stack)!r}], one_shot=True)
        [child] = started
        assert child is not None and not child.running, child
        try:
            os.waitpid(child.pid, os.WNOHANG)
        except ChildProcessError:
            print("reaped", status)
        """
    )
    cold = {"MLOPS_DEFINITION_CACHE": f"{TMP}/definitions", "MLOPS_PARALLEL_COMPOSER": ""}
    result = _python_once(
        "invalid-ends-the-child",
        "-c",
        script,
        files={"Pulumi.bad.yaml": dump_document(document)},
        env_overrides=cold,
        key=(f"cores={composer_cores()}",),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["reaped", str(EXIT_INVALID_CONFIG)]
    assert f"{stack}: invalid configuration" in result.stderr
    assert f"{CONFIG_KEY}.environment" in result.stderr


def _platform(document: dict) -> dict:
    return document["config"][CONFIG_KEY]


def _replace_platform(document: dict, value: object) -> None:
    document["config"][CONFIG_KEY] = value


INVALID_VARIANTS = {
    "an unknown environment": lambda document: _platform(document).update(environment="production"),
    "an unknown key": lambda document: _platform(document).update(enviroment="prod"),
    "a platform that is text": lambda document: _replace_platform(document, "just text"),
    "a secret platform": lambda document: _replace_platform(document, {"secure": "v1:abc"}),
    "a list as the platform": lambda document: _replace_platform(document, [1, 2]),
    "null as the platform": lambda document: _replace_platform(document, None),
}
# The engine passes JSON, so a number as a map key arrives as text, and a platform written as a
# JSON string arrives as the map it holds.
VALID_VARIANTS = {
    "a number as a tag key": lambda document: _platform(document)["tags"].update({1: "one"}),
    "the platform as a JSON string": lambda document: _replace_platform(
        document, json.dumps(_platform(document))
    ),
    "the fixture as it is": lambda document: None,
}
VARIANTS = {**INVALID_VARIANTS, **VALID_VARIANTS}
ENCRYPTED_VARIANTS = frozenset({"a secret platform"})
"""Refused by both; the offline check says why (the program only ever sees the stand-in)."""


def _outcome(check) -> tuple[str, object]:
    try:
        return "valid", check()
    except ConfigError as error:
        return "invalid", str(error)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_the_check_before_the_imports_is_the_programs_own_and_ci_lists_stacks_with_it(
    tmp_path: Path, variant: str
) -> None:
    document = load_stack_document("prod")
    VARIANTS[variant](document)
    path = tmp_path / "Pulumi.variant.yaml"
    path.write_text(dump_document(document))
    seen = []

    def in_the_program() -> object:
        # The program's own load_config, under the engine's mocks (nothing else of the program).
        record_stack_file(str(path), program=lambda source: seen.append(load_config(source)))
        return seen[0]

    before = _outcome(lambda: offline_platform_config(read_stack_file(path)))
    program = _outcome(in_the_program)
    if variant in ENCRYPTED_VARIANTS:
        # The program under mocks reads the stand-in text (`pulumi up` decrypts the JSON); the check
        # before it, which is what the plan reports, says the value is encrypted whole.
        assert program[0] == before[0] == "invalid"
        assert "is encrypted whole" in str(before[1]) and "is encrypted" not in str(program[1])
    else:
        assert before == program
    # CI's list of stacks (python -m delivery.stacks) validates the same way.
    listed = _outcome(lambda: read_target(path))
    assert listed[0] == before[0] and (listed[0] == "valid" or listed == before)
    if before[0] == "invalid":
        assert str(path) in before[1]
    assert before[0] == ("valid" if variant in VALID_VARIANTS else "invalid")


def test_a_platform_written_as_json_text_plans_as_the_map_it_holds(tmp_path: Path) -> None:
    """The engine hands the program either form as the same JSON: the offline plan's mocks (region,
    account), the graph's environment, the cost's region and the budget read it as the program does."""
    plans = {}
    for form in ("map", "text"):
        document = load_stack_document("dev")
        _platform(document)["budget"]["margin_percent"] = 37  # read only from the platform value
        if form == "text":
            _replace_platform(document, json.dumps(_platform(document)))
        folder = tmp_path / form
        folder.mkdir()
        path = folder / "Pulumi.dev.yaml"
        path.write_text(dump_document(document))
        plans[form] = plan_for(recorded_stack(path))
    as_map, as_text = plans["map"], plans["text"]
    assert as_text.graph.environment == as_map.graph.environment == "dev"
    rendered = {
        form: json.loads(json.dumps(to_json(plan), default=json_value)) for form, plan in plans.items()
    }
    for part in ("resources", "summary", "cost", "violations"):
        assert rendered["text"][part] == rendered["map"][part], part
    assert rendered["map"]["cost"]["budget"]["margin_percent"] == 37, "the budget is read from the platform"
    assert as_text.cost.region == "eu-west-1"


def test_the_platform_map_is_read_as_the_program_reads_it_and_never_parsed_unbounded() -> None:
    assert platform_map({CONFIG_KEY: {"region": "eu-west-1"}}) == {"region": "eu-west-1"}
    assert platform_map({CONFIG_KEY: '{"region": "eu-west-1"}'}) == {"region": "eu-west-1"}
    too_large = '{"owner": "' + "é" * (MAX_STACK_FILE_BYTES // 2) + '"}'  # fewer characters than bytes
    for not_a_map in ("just text", "[1, 2]", "[" * 10_000 + "]" * 10_000, too_large, None, 42, ["a"]):
        assert platform_map({CONFIG_KEY: not_a_map}) == {}
    assert platform_map({}) == {}


PRODUCTION = ("components", "stacks", "planner", "policies", "delivery", "pipelines", "bench")


def test_every_command_validates_a_stack_file_through_the_programs_own_check() -> None:
    """Only the program (``stacks.program.load_config``), the check every command shares
    (``offline_platform_config``) and its choice of stand-ins for encrypted leaves
    (``stacks.secret_stand_ins``, which tries them on the value the check then validates) call
    ``parse_platform_config``: a command that parsed the raw YAML value would judge a value the
    engine passes differently (a number as a map key, a platform written as JSON text, a secret)
    otherwise than the program it plans for."""
    # Only a file that names the function can call it by name (identifiers are NFKC-normalised, so
    # the test reads the text the same way): parsing and unparsing every call of every file cost
    # half a second.
    sources = {
        path: source
        for folder in PRODUCTION
        for path in (REPO / folder).rglob("*.py")
        if "parse_platform_config" in unicodedata.normalize("NFKC", source := path.read_text())
    }
    callers = sorted(
        f"{path.relative_to(REPO)}:{node.lineno}"
        for path, source in sources.items()
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("parse_platform_config")
    )
    assert sorted({caller.split(":")[0] for caller in callers}) == [
        "stacks/program.py",
        "stacks/secret_stand_ins.py",
        "stacks/stack_file.py",
    ], callers


def test_what_only_the_program_sees_still_exits_2_naming_the_key(write_stack, capsys) -> None:
    """A missing secret is not in the platform value: the program reports it, as before."""

    def serve_on_kubernetes(platform: dict) -> None:
        platform["kubernetes_serving"] = {
            "cluster_arn": "arn:aws:eks:eu-west-1:333333333333:cluster/ml",
            "servings": [{"name": "churn-gpu", "image": IMAGE}],
        }

    path = write_stack("prod", serve_on_kubernetes)
    offline_platform_config(read_stack_file(path))  # valid as a platform value

    assert main(["--config", str(path), "--format", "json"]) == EXIT_INVALID_CONFIG
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{path}: mlops-platform:kubeconfig: missing; kubernetes_serving needs it" in captured.err


def _package(tmp_path: Path, monkeypatch) -> None:
    root = tmp_path / "lazy_area"
    root.mkdir()
    (root / "__init__.py").write_text(
        "from components.extras import on_first_use\n"
        "__getattr__ = on_first_use(\n"
        "    __name__, {'.thing': ('Thing', 'helper'), '.needs_extra': ('Extra',), '.broken': ('Broken',)}\n"
        ")\n"
    )
    (root / "thing.py").write_text("class Thing: ...\ndef helper(): return 42\n")
    (root / "needs_extra.py").write_text("import pulumi_kubernetes.core\nExtra = 1\n")
    (root / "broken.py").write_text("import os\nos.no_such_function()\nBroken = 1\n")
    (root / "helpers.py").write_text("VALUE = 7\n")
    (root / "broken_helpers.py").write_text("import os\nos.no_such_function()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [name for name in sys.modules if name.startswith("lazy_area")]:
        monkeypatch.delitem(sys.modules, name)


def test_a_lazy_areas_names_load_their_module_on_first_read_and_stay(tmp_path: Path, monkeypatch) -> None:
    _package(tmp_path, monkeypatch)
    import lazy_area

    assert "lazy_area.thing" not in sys.modules
    from lazy_area import Thing

    assert sys.modules["lazy_area.thing"].Thing is Thing
    assert vars(lazy_area)["Thing"] is Thing  # kept: the next read is a plain lookup
    assert lazy_area.helper() == 42
    with pytest.raises(AttributeError, match=r"module 'lazy_area' has no attribute 'Other'"):
        lazy_area.Other  # noqa: B018
    assert lazy_area.helpers.VALUE == 7, "a submodule is there when read, as if imported eagerly"
    # dir() lists what is loaded: help() and inspect.getmembers must not import every component.
    assert "Thing" in dir(lazy_area) and "Extra" not in dir(lazy_area)
    inspect.getmembers(lazy_area)
    assert "lazy_area.needs_extra" not in sys.modules and "lazy_area.broken" not in sys.modules
    assert not hasattr(lazy_area, "a.b") and not hasattr(lazy_area, "..")


def test_a_lazy_module_that_fails_inside_keeps_its_error(tmp_path: Path, monkeypatch) -> None:
    """An AttributeError raised while the module imports is not read as a missing name."""
    _package(tmp_path, monkeypatch)
    import lazy_area

    with pytest.raises(
        ImportError, match=r"lazy_area.Broken: importing .broken failed: .*no_such_function"
    ) as raised:
        from lazy_area import Broken  # noqa: F401
    assert isinstance(raised.value.__cause__, AttributeError)
    with pytest.raises(ImportError, match=r"lazy_area.broken_helpers: importing .broken_helpers failed"):
        lazy_area.broken_helpers  # noqa: B018  (a submodule read the same way)


def _lazy_names(area: str) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """An area package's ``on_first_use`` map and its ``if TYPE_CHECKING:`` imports, by module."""
    tree = ast.parse((REPO / "components" / area / "__init__.py").read_text())
    [call] = [
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Call)
        and ast.unparse(node.value.func) == "on_first_use"
    ]
    mapping = ast.literal_eval(call.args[1])
    [block] = [
        node for node in tree.body if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
    ]
    checked = {"." + node.module: [alias.name for alias in node.names] for node in block.body}
    return {module: list(names) for module, names in mapping.items()}, checked


AREAS = sorted(path.parent.name for path in (REPO / "components").glob("*/__init__.py"))


@pytest.mark.parametrize("area", AREAS)
def test_type_checkers_see_every_name_an_area_loads_on_first_use(area: str) -> None:
    lazy, for_type_checkers = _lazy_names(area)
    assert lazy == for_type_checkers
    assert lazy, f"components.{area} loads nothing on first use"


def test_a_lazy_name_whose_module_needs_a_missing_package_says_which(tmp_path: Path, monkeypatch) -> None:
    _package(tmp_path, monkeypatch)
    import lazy_area

    monkeypatch.setitem(sys.modules, "pulumi_kubernetes", None)  # as if the extra were not installed
    with pytest.raises(MissingExtraError, match=r"lazy_area.Extra needs pulumi-kubernetes .*\[kubernetes\]"):
        lazy_area.Extra  # noqa: B018


def test_a_definition_cache_the_plan_cannot_read_counts_as_cold() -> None:
    from planner.__main__ import _composes_here

    def unreadable() -> bool:
        raise PermissionError(13, "Permission denied", ".cache/pipeline-definitions")

    assert _composes_here(unreadable) is True
    assert _composes_here(lambda: False) is False and _composes_here(lambda: True) is True
