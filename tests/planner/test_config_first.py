"""An invalid stack file fails before the plan imports Pulumi, the providers and the components.

The configuration model and every area's specs import only pydantic and the platform's own
light modules; the component classes load on first use (``components.extras.on_first_use``). The
command line reads and validates the stack file first, with the program's own validation
(``stacks.stack_file.offline_platform_config``), so a typo costs a fraction of a plan's start-up.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from components.extras import MissingExtraError
from delivery.stacks import read_target
from planner.__main__ import EXIT_INVALID_CONFIG, main
from planner.recorder import record_stack_file
from stacks.config import ConfigError
from stacks.stack_file import offline_platform_config, read_stack_file
from tests.conftest import REPO, stack_path

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


def _python(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )


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
def test_the_command_line_fails_on_an_invalid_stack_file_before_importing_pulumi(
    tmp_path: Path, edit, key: str
) -> None:
    path = tmp_path / "Pulumi.dev.yaml"
    text = stack_path("dev").read_text()
    path.write_text(edit(text))
    assert path.read_text() != text

    result = _python("-X", "importtime", "-m", "planner", "--config", str(path), "--format", "json")

    assert result.returncode == EXIT_INVALID_CONFIG, result.stderr[-2000:]
    assert result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if not line.startswith("import time:")]
    assert any(str(path) in line and key in line for line in errors), errors
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
    result = _python("-c", script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_planner_patches_the_sdks_type_hints_when_a_provider_type_module_first_loads() -> None:
    result = _python(
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


def _variant(tmp_path: Path, name: str, edit) -> Path:
    path = tmp_path / f"Pulumi.{name}.yaml"
    path.write_text(edit(stack_path("prod").read_text()))
    return path


VARIANTS = {
    "an unknown environment": lambda text: text.replace("environment: prod", "environment: production", 1),
    "a platform that is a string": lambda text: text.replace(
        "  mlops-platform:platform:\n", "  mlops-platform:platform: just text\n  unused:\n", 1
    ),
    "a secret platform": lambda text: text.replace(
        "  mlops-platform:platform:\n", "  mlops-platform:platform:\n    secure: v1:abc\n  unused:\n", 1
    ),
    "an unknown key": lambda text: text.replace(
        "environment: prod", "environment: prod\n    enviroment: prod", 1
    ),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_the_check_before_the_imports_is_the_programs_own_and_ci_lists_stacks_with_it(
    tmp_path: Path, variant: str
) -> None:
    path = _variant(tmp_path, "bad", VARIANTS[variant])
    with pytest.raises(ConfigError) as before:
        offline_platform_config(read_stack_file(path))
    with pytest.raises(ConfigError) as in_the_program:
        record_stack_file(str(path))  # the program's load_config, under the engine's mocks
    with pytest.raises(ConfigError) as listed:
        read_target(path)  # CI's list of stacks (python -m delivery.stacks)
    assert str(before.value) == str(in_the_program.value) == str(listed.value)
    assert str(path) in str(before.value)


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
        "__getattr__ = on_first_use(__name__, {'.thing': ('Thing', 'helper'), '.needs_extra': ('Extra',)})\n"
    )
    (root / "thing.py").write_text("class Thing: ...\ndef helper(): return 42\n")
    (root / "needs_extra.py").write_text("import pulumi_kubernetes.core\nExtra = 1\n")
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


def test_a_lazy_name_whose_module_needs_a_missing_package_says_which(tmp_path: Path, monkeypatch) -> None:
    _package(tmp_path, monkeypatch)
    import lazy_area

    monkeypatch.setitem(sys.modules, "pulumi_kubernetes", None)  # as if the extra were not installed
    with pytest.raises(MissingExtraError, match=r"lazy_area.Extra needs pulumi-kubernetes .*\[kubernetes\]"):
        lazy_area.Extra  # noqa: B018
