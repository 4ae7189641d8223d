"""A component whose extra is not installed says which extra to install, before creating anything.

The cases run in fresh interpreters, one per blocked module (``sys.modules[name] = None``, what
Python does for a module that cannot be imported), so nothing leaks into the other tests and an
import made by another test cannot hide a missing extra. In that interpreter the module stays
blocked throughout, and before each case every module of the repository's packages is removed from
``sys.modules``: each case imports the platform afresh, as a process of its own would, and no
case's import can hide another's missing extra (the blocked module never imports, and whatever of
the platform a case imported is gone). Only the third-party packages outside the extras (pulumi,
pulumi-aws, pydantic) stay imported between cases; an uncaught error is reported as the interpreter
reports it (exit status 1, the traceback on stderr). Once per version of the code and of this
module (:func:`_run`).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from components.extras import EXTRAS
from tests.conftest import REPO
from tests.recorded import computed_once

# The repository's packages: removed from sys.modules before each case.
_OWN_PACKAGES = (
    "components",
    "stacks",
    "planner",
    "policies",
    "models",
    "packaging",
    "delivery",
    "pipelines",
)

# Runs each case (argv[2], JSON: a list of code) with argv[1] blocked, as `python -c code` would:
# its exit status, stdout and stderr (the interpreter's report of an uncaught error), as JSON.
_DRIVER = f"""
import contextlib, io, json, sys, traceback
blocked, cases = sys.argv[1], json.loads(sys.argv[2])
results = []
for code in cases:
    for name in [name for name in sys.modules if name.split(".")[0] in {_OWN_PACKAGES!r}]:
        del sys.modules[name]
    for name in [name for name in sys.modules if name.split(".")[0] == blocked]:
        del sys.modules[name]
    sys.modules[blocked] = None
    stdout = io.StringIO()
    try:
        with contextlib.redirect_stdout(stdout):
            exec(compile(code, "<string>", "exec"), {{"__name__": "__main__"}})
    except Exception:
        results.append([1, stdout.getvalue(), traceback.format_exc()])
    else:
        results.append([0, stdout.getvalue(), ""])
print(json.dumps(results))
"""


def _run_all(blocked: str, cases: tuple[str, ...]) -> list[tuple[int, str, str]]:
    """Every case of ``blocked`` in one fresh interpreter (see the module's docstring)."""
    result = subprocess.run(
        [sys.executable, "-c", _DRIVER, blocked, json.dumps(cases)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"exit status {result.returncode}: {result.stderr}"
    return [tuple(case) for case in json.loads(result.stdout.splitlines()[-1])]


def _run(blocked: str, code: str) -> tuple[int, str, str]:
    """The exit status, stdout and stderr of ``code`` run with ``blocked`` blocked, in the fresh
    interpreter of every case that blocks it (:data:`CASES`). What it prints is a pure function of
    the code and of this module, so it runs once per version of them (tests.recorded.computed_once,
    keyed by the cases); a run that failed, timed out or was killed raises and is run again next
    time, never served from the cache."""
    cases = tuple(textwrap.dedent(case) for case in CASES[blocked])
    results = computed_once("blocked-extra", lambda: _run_all(blocked, cases), key=[_DRIVER, blocked, *cases])
    return results[cases.index(textwrap.dedent(code))]


MISSING = [
    (
        "pulumi_kubernetes",
        "kubernetes",
        "from components.kubernetes import KubernetesServing",
    ),
    (
        "pulumi_kubernetes",
        "kubernetes",
        "import components.kubernetes as k; k.KubernetesMonitoringArgs",
    ),
    (
        "pulumi_aws_native",
        "model-quality",
        "from components.observability import ModelQualityMonitoring",
    ),
    (
        "sagemaker",
        "training",
        "from components.training import TrainingPipeline; TrainingPipeline('t', None)",
    ),
    (
        "sagemaker",
        "training",
        "from components.training.frameworks import framework_problems;"
        "framework_problems('sklearn', '1.2-1', None, 'eu-west-1')",
    ),
    (
        "sagemaker",
        "training",
        "from components.serving.triton import triton_version_problem;triton_version_problem('24.09')",
    ),
]
MONITORS_WITHOUT_SDK = """
        from components.prebuilt_images import (
            ANALYZER, CLARIFY, DISTRIBUTION, prebuilt_image_uri, prebuilt_region_problem, prebuilt_registries,
        )
        assert prebuilt_registries(DISTRIBUTION) == {}
        assert prebuilt_registries(CLARIFY)
        print(prebuilt_image_uri(ANALYZER, "eu-west-1"))
        print(prebuilt_region_problem(ANALYZER, "ca-west-1", "monitors", ["eu-west-1"]) is not None)
        """
REST_OF_AN_AREA = """
        from components.kubernetes import KubernetesServingSpec, Toleration
        from components.observability import ModelMonitoring, ModelQualitySpec
        from components.serving import InferenceEndpoint
        print("ok")
        """
# Every case by the module it blocks: one interpreter each (_run).
CASES: dict[str, list[str]] = {}
for _blocked, _, _code in MISSING:
    CASES.setdefault(_blocked, []).append(_code)
CASES["sagemaker"].append(MONITORS_WITHOUT_SDK)
CASES["pulumi_kubernetes"].append(REST_OF_AN_AREA)


@pytest.mark.parametrize(("blocked", "extra", "code"), MISSING)
def test_a_missing_extra_is_named(blocked: str, extra: str, code: str) -> None:
    returncode, _, stderr = _run(blocked, code)
    assert returncode != 0
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("components.extras.MissingExtraError:"), stderr
    assert f"'mlops-platform[{extra}]'" in last and blocked in last


def test_the_monitors_images_resolve_without_the_sdk() -> None:
    """The endpoints' monitors (no training) need no SageMaker SDK: their image maps are kept in the
    repository. SageMaker Distribution, which only training runs, is unknown without it."""
    returncode, stdout, stderr = _run("sagemaker", MONITORS_WITHOUT_SDK)
    assert returncode == 0, stderr
    assert stdout.split() == [
        "468650794304.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-model-monitor-analyzer:latest",
        "True",
    ]


def test_the_rest_of_an_area_works_without_its_extra() -> None:
    returncode, stdout, stderr = _run("pulumi_kubernetes", REST_OF_AN_AREA)
    assert returncode == 0, stderr
    assert stdout.strip() == "ok"


def test_every_extra_of_the_distribution_is_known() -> None:
    import tomllib

    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert {extra for extra, _ in EXTRAS.values()} == set(extras) - {"all"}
