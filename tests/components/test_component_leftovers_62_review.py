"""A second read of session 62's component leftovers (tests/components/test_component_leftovers_62.py).

The merged tests held the refusal of a bad *group* to its reason, but of a bad *version* only to
"some refusal": a mutation sending every refused ARN to the group's reason (or to the bare "is not a
model package version ARN") survived. These hold the version's reason, in ``ModelSource``,
``BatchScoringSpec`` and a stack file (naming the file and the key), and that an ARN of another
resource type names no part.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from components.serving.batch_scoring_spec import BatchScoringSpec
from components.serving.inference_endpoint_spec import model_package_version_arn_problem
from stacks.config import CONFIG_KEY, ConfigError, parse_platform_config
from stacks.stack_file import read_stack_file
from tests.conftest import load_stack_document

PREFIX = "arn:aws:sagemaker:eu-west-1:333333333333:model-package/"


@pytest.mark.parametrize("version", ["0", "03", "1234567890", ""])
def test_a_bad_version_is_refused_naming_the_version_not_the_group(version: str) -> None:
    arn = f"{PREFIX}churn/{version}"
    reason = f"its version {version!r} is not a version number SageMaker gives, 1-999999999"
    problem = model_package_version_arn_problem(arn) or ""
    assert problem.endswith(reason) and "its group" not in problem, problem
    with pytest.raises(ValueError, match=reason):
        BatchScoringSpec(schedule="rate(1 day)", model_package_arn=arn)


def test_an_arn_of_another_kind_names_no_part() -> None:
    """A group's ARN (``model-package-group/churn``) or a version under a path: no group or
    version to blame, the shape is wrong."""
    for arn in (
        "arn:aws:sagemaker:eu-west-1:333333333333:model-package-group/churn",
        f"{PREFIX}team/churn/3",
    ):
        problem = model_package_version_arn_problem(arn)
        assert problem == f"'{arn}' is not a model package version ARN (…:model-package/<group>/<n>)"


def test_a_stack_file_pinning_version_zero_is_refused_naming_the_file_key_and_version(tmp_path: Path) -> None:
    document = load_stack_document("prod")
    platform: dict[str, Any] = document["config"][CONFIG_KEY]
    platform["models"][0]["batch_scoring"]["model_package_arn"] = f"{PREFIX}customer-churn/0"
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(read_stack_file(path).platform, str(path))
    message = str(raised.value)
    assert f"{path}: {CONFIG_KEY}.models[0].batch_scoring.model_package_arn: " in message, message
    assert "its version '0' is not a version number SageMaker gives" in message, message
