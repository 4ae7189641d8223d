"""A component whose extra is not installed says which extra to install, before creating anything.

Each case runs in a fresh interpreter with the extra's module blocked (``sys.modules[name] = None``,
what Python does for a module that cannot be imported), so nothing leaks into the other tests (and
an import made by another test cannot hide a missing extra); once per version of the code and of
this module (:func:`_run`).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from components.extras import EXTRAS
from tests.conftest import REPO
from tests.recorded import computed_once


def _run(blocked: str, code: str) -> tuple[int, str, str]:
    """The exit status, stdout and stderr of ``code`` in a fresh interpreter with ``blocked``
    blocked. What it prints is a pure function of the code and of this module, so each case runs
    once per version of them (tests.recorded.computed_once, keyed by the case); a run that timed out
    or was killed by a signal raises and is run again next time, never served from the cache."""
    script = f"import sys\nsys.modules[{blocked!r}] = None\n" + textwrap.dedent(code)

    def run() -> tuple[int, str, str]:
        result = subprocess.run(
            [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120
        )
        assert result.returncode >= 0, f"killed by signal {-result.returncode}: {result.stderr}"
        return result.returncode, result.stdout, result.stderr

    return computed_once("blocked-extra", run, key=[script])


@pytest.mark.parametrize(
    ("blocked", "extra", "code"),
    [
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
    ],
)
def test_a_missing_extra_is_named(blocked: str, extra: str, code: str) -> None:
    returncode, _, stderr = _run(blocked, code)
    assert returncode != 0
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("components.extras.MissingExtraError:"), stderr
    assert f"'mlops-platform[{extra}]'" in last and blocked in last


def test_the_monitors_images_resolve_without_the_sdk() -> None:
    """The endpoints' monitors (no training) need no SageMaker SDK: their image maps are kept in the
    repository. SageMaker Distribution, which only training runs, is unknown without it."""
    returncode, stdout, stderr = _run(
        "sagemaker",
        """
        from components.prebuilt_images import (
            ANALYZER, CLARIFY, DISTRIBUTION, prebuilt_image_uri, prebuilt_region_problem, prebuilt_registries,
        )
        assert prebuilt_registries(DISTRIBUTION) == {}
        assert prebuilt_registries(CLARIFY)
        print(prebuilt_image_uri(ANALYZER, "eu-west-1"))
        print(prebuilt_region_problem(ANALYZER, "ca-west-1", "monitors", ["eu-west-1"]) is not None)
        """,
    )
    assert returncode == 0, stderr
    assert stdout.split() == [
        "468650794304.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-model-monitor-analyzer:latest",
        "True",
    ]


def test_the_rest_of_an_area_works_without_its_extra() -> None:
    returncode, stdout, stderr = _run(
        "pulumi_kubernetes",
        """
        from components.kubernetes import KubernetesServingSpec, Toleration
        from components.observability import ModelMonitoring, ModelQualitySpec
        from components.serving import InferenceEndpoint
        print("ok")
        """,
    )
    assert returncode == 0, stderr
    assert stdout.strip() == "ok"


def test_every_extra_of_the_distribution_is_known() -> None:
    import tomllib

    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert {extra for extra, _ in EXTRAS.values()} == set(extras) - {"all"}
