"""A second reading of the merged AWS-limits change (f185ea0..ae0eb4f): the missing-stack hint, the
CI environment's misses, the instance-type, tag, rollback-alarm and container checks, and the
generated references. No mutation audit: each test holds one thing the reading found wrong (it
fails on the code before its fix) or one value AWS accepts that must keep planning.

Found wrong, and fixed:

- The enumeration checks import botocore, which the package's base install (endpoints,
  data-quality monitoring) and its ``model-quality`` extra do not bring: ``VariantSpec`` with an
  instance type, ``MonitoringSpec`` and ``BatchScoringSpec`` raised ``ModuleNotFoundError`` there
  (the repository's tests borrow its environment, which has botocore). Without botocore they now
  check the form only: ``test_the_specs_check_the_form_of_an_instance_type_without_botocore``.
- A stack file that is a symbolic link to nothing: ``read_stack_file`` said "Pulumi.prd.yaml is
  there, but Pulumi reads only Pulumi.prd.yaml: rename it" (the twin hint took the missing file
  for its own twin, since ``.yaml`` is among the lower-cased unread suffixes); it now names the
  link and its target (``test_a_symbolic_link_to_nothing_is_named_as_one``).
- The stacks hint listed names Pulumi takes as no stack (``Pulumi.my stack.yaml``) and guessed
  nothing for ``STACK=PROD`` beside ``prod`` (``difflib`` compares case);
  ``test_the_stacks_hint_lists_only_stack_names`` and
  ``test_a_stack_typed_in_another_case_is_guessed``.
- ``ModelQualityMonitoringArgs.instance_type`` (a public component's argument) was not checked at
  all, while the stack file's ``monitoring.instance_type`` is checked against botocore's
  ``ProcessingInstanceType``: ``test_model_quality_monitoring_args_refuse_a_type_processing_jobs_lack``.
- docs/components.md (``stacks.component_reference``) still showed no bounds for an optional
  number, which the change fixed for docs/configuration.md only:
  ``test_the_component_reference_states_the_bounds_of_an_optional_number``.
- A rollback alarm name of only no-break spaces, which SageMaker's pattern ``(?!\\s*$).+`` takes
  (Java's ``\\s`` is ASCII white space) and CloudWatch names alarms with, was refused (Python's
  ``str.strip`` strips Unicode spaces): ``test_a_rollback_alarm_name_blank_only_to_python_plans``.

Checked and right (held here where a test was missing): an ECR image by digest or tag and an
``s3://bucket/prefix/`` model data URL are still accepted
(``test_image_references_and_model_data_urls_aws_takes_are_accepted``); the endpoint enumeration
is the one every ``ProductionVariant`` (instance, async, shadow, inference-component hosting)
takes; the tag rule reads the stack's own tags (the platform's three are refused there, so none is
overridden) and only where the stack creates a trail.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from components.observability.model_quality_monitoring import ModelQualityMonitoringArgs
from components.observability.model_quality_spec import ModelQualitySpec
from components.serving.inference_endpoint_spec import DeploymentSpec, ModelSource
from stacks.component_reference import fields_of
from stacks.config import ConfigError
from stacks.stack_file import read_stack_file
from tests.components.model_quality_args import model_quality_args
from tests.recorded import computed_once

REPOSITORY = Path(__file__).resolve().parents[2]

# --- the missing stack file's hint -----------------------------------------------------------------


def _problem_of_missing(path: Path) -> str:
    with pytest.raises(ConfigError) as raised:
        read_stack_file(path)
    [(key, message)] = raised.value.problems
    assert key == ""
    return message


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_a_symbolic_link_to_nothing_is_named_as_one(tmp_path: Path, write_stack) -> None:
    write_stack("dev", name="Pulumi.dev.yaml")
    (tmp_path / "Pulumi.prd.yaml").symlink_to("gone/Pulumi.prd.yaml")

    assert _problem_of_missing(tmp_path / "Pulumi.prd.yaml") == (
        "file not found (Pulumi.prd.yaml is a symbolic link to gone/Pulumi.prd.yaml, which does not exist)"
    )


def test_a_stack_typed_in_another_case_is_guessed(tmp_path: Path, write_stack) -> None:
    for stack in ("dev", "prod"):
        write_stack("dev", name=f"Pulumi.{stack}.yaml")

    assert _problem_of_missing(tmp_path / "Pulumi.PROD.yaml") == (
        f"file not found (did you mean prod? {tmp_path}/ has the stacks dev, prod)"
    )


def test_the_stacks_hint_lists_only_stack_names(tmp_path: Path, write_stack) -> None:
    """Pulumi's stack names are letters, digits, ``_``, ``.`` and ``-``: a file named otherwise is
    no stack to suggest (dots are fine: ``team.eu``)."""
    for name in ("Pulumi.dev.yaml", "Pulumi.team.eu.yaml", "Pulumi.my stack.yaml", "Pulumi.a#b.yaml"):
        write_stack("dev", name=name)

    assert _problem_of_missing(tmp_path / "Pulumi.qa.yaml") == (
        f"file not found ({tmp_path}/ has the stacks dev, team.eu)"
    )


# --- a public component's arguments check what the stack file's key checks --------------------------


def _model_quality_args(instance_type: str) -> ModelQualityMonitoringArgs:
    return model_quality_args(ModelQualitySpec(model_quality=True), instance_type=instance_type)


@pytest.mark.parametrize(
    ("instance_type", "expected"),
    [
        (
            "ml.c5.large",
            "not an instance type SageMaker offers for processing jobs (botocore's ProcessingInstanceType)",
        ),
        ("ml.p4d.24xlarge", "ProcessingInstanceType"),
        ("m5.xlarge", "is not a SageMaker instance type"),
    ],
)
def test_model_quality_monitoring_args_refuse_a_type_processing_jobs_lack(
    instance_type: str, expected: str
) -> None:
    with pytest.raises(ValueError, match=r"^ModelQualityMonitoringArgs\.instance_type: ") as raised:
        _model_quality_args(instance_type)
    assert expected in str(raised.value)


def test_model_quality_monitoring_args_take_a_processing_type() -> None:
    assert _model_quality_args("ml.c5.xlarge").instance_type == "ml.c5.xlarge"


# --- the generated component reference ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "field", "allowed"),
    [
        (DeploymentSpec, "maximum_execution_timeout_seconds", "≥ 600; ≤ 28800"),
        (ModelSource, "image", ""),  # a plain optional string keeps no bounds
    ],
)
def test_the_component_reference_states_the_bounds_of_an_optional_number(
    model: type, field: str, allowed: str
) -> None:
    [row] = [row for row in fields_of(model) if row.name == field]
    assert row.allowed == allowed


def test_the_variant_reference_states_its_optional_timeouts() -> None:
    from components.serving.inference_endpoint_spec import VariantSpec

    rows = {row.name: row.allowed for row in fields_of(VariantSpec)}
    assert rows["model_download_timeout_seconds"] == "≥ 60; ≤ 3600"
    assert rows["volume_size_gb"] == "≥ 1; ≤ 512"


# --- rollback alarm names: what SageMaker's pattern means -------------------------------------------


def test_a_rollback_alarm_name_blank_only_to_python_plans() -> None:
    name = "\u00a0\u00a0"  # no-break spaces: not Java's \s
    assert DeploymentSpec(extra_rollback_alarms=[name]).extra_rollback_alarms == [name]


@pytest.mark.parametrize("name", [" ", "\t", " \x0b\f "])
def test_a_rollback_alarm_name_of_ascii_white_space_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="not only spaces"):
        DeploymentSpec(extra_rollback_alarms=[name])


# --- what CreateModel takes must still plan -----------------------------------------------------------

ECR = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/churn"


@pytest.mark.parametrize(
    ("image", "model_data_url"),
    [
        (f"{ECR}@sha256:{'a' * 64}", "s3://models/churn/model.tar.gz"),
        (f"{ECR}:1.2.3", "s3://models/churn/uncompressed/"),
        (f"{ECR}:latest", "s3://models"),
        (ECR, None),
    ],
    ids=["digest", "tag-prefix", "bucket-only", "no-tag"],
)
def test_image_references_and_model_data_urls_aws_takes_are_accepted(
    image: str, model_data_url: str | None
) -> None:
    source = ModelSource(image=image, model_data_url=model_data_url)
    assert (source.image, source.model_data_url) == (image, model_data_url)


# --- the package's base install has no botocore ------------------------------------------------------

_WITHOUT_BOTOCORE = """
import sys
sys.modules["botocore"] = None  # what `pip install mlops-platform` (no extra) has: no botocore
from components.observability.monitoring_spec import MonitoringSpec
from components.serving.batch_scoring_spec import BatchScoringSpec
from components.serving.inference_endpoint_spec import VariantSpec
from components.observability.model_quality_spec import ModelQualitySpec
from tests.components.model_quality_args import model_quality_args

IMAGE = {"image": "111111111111.dkr.ecr.eu-west-1.amazonaws.com/churn:1"}
builds = {
    "variant": lambda t: VariantSpec(name="primary", model=IMAGE, instance_type=t),
    "monitoring": lambda t: MonitoringSpec(instance_type=t),
    "batch": lambda t: BatchScoringSpec(schedule="cron(0 3 * * ? *)", instance_type=t),
    "model-quality": lambda t: model_quality_args(ModelQualitySpec(model_quality=True), instance_type=t),
}
for name, build in builds.items():
    for instance_type in ("ml.m5.xlarge", "ml.c5.large", "m5.xlarge"):
        try:
            build(instance_type)
            print(name, instance_type, "accepted")
        except ValueError:
            print(name, instance_type, "refused")
"""


def _run_without_botocore() -> subprocess.CompletedProcess[str]:
    """A run killed by a signal raises, so it is run again next time, never served from the cache."""
    result = subprocess.run(
        [sys.executable, "-c", _WITHOUT_BOTOCORE],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert result.returncode >= 0, f"killed by signal {-result.returncode}: {result.stderr}"
    return result


def test_the_specs_check_the_form_of_an_instance_type_without_botocore() -> None:
    """docs/reuse.md: the base install (endpoints, data-quality monitoring) and ``model-quality``
    bring no botocore, and the specs work without the extras. Checking against botocore's
    enumerations made ``VariantSpec(instance_type=...)`` raise ``ModuleNotFoundError: botocore``
    there; without botocore a type is checked for its form only.

    The fresh process runs once per version of the code for every xdist worker and later run
    (tests.recorded.computed_once): what it prints is a pure function of the code (components,
    uv.lock), this module (the script), the support files
    (tests/components/model_quality_args.py), the environment, the working directory and the
    interpreter."""
    result = computed_once("without-botocore", _run_without_botocore, key=[_WITHOUT_BOTOCORE])
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for name in ("variant", "monitoring", "batch", "model-quality"):
        # Form only: the enumeration's refusal of ml.c5.large needs botocore.
        assert f"{name} ml.m5.xlarge accepted" in lines
        assert f"{name} ml.c5.large accepted" in lines
        assert f"{name} m5.xlarge refused" in lines
