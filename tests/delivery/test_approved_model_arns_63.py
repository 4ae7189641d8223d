"""A model-approved event's version ARN is read as the stack files' are (session 63 review).

``delivery.approved_model`` had its own pattern: versions of up to 10 digits (SageMaker's have 1-9,
as ``stacks.arns`` and CreateModel take them) and the ``aws`` partition only, so an ARN of another
partition was refused as malformed instead of as another partition's. It now matches
:data:`stacks.arns.MODEL_PACKAGE_VERSION_ARN`, the pattern of
:func:`~stacks.arns.parse_model_package_version_arn`, and refuses a partition other than the
stacks' (every stack's region is an ``aws`` one) saying so.
"""

from __future__ import annotations

import pytest

from delivery.approved_model import MODEL_PACKAGE_ARN, DispatchError, approved_model
from delivery.stacks import list_stacks
from stacks.arns import ArnError, parse_model_package_version_arn
from tests.conftest import FIXTURE_STACKS

HEAD = "arn:aws:sagemaker:eu-west-1:111111111111:model-package"


@pytest.fixture(scope="module")
def listing():
    found = list_stacks(FIXTURE_STACKS)
    assert found.errors == []
    return found


def _approve(listing, arn: str):
    payload = {"family": "customer-churn", "model_package_arn": arn, "source_stack": "dev"}
    return approved_model({"client_payload": payload}, listing)


@pytest.mark.parametrize(
    "arn",
    [
        pytest.param(f"{HEAD}/dev-customer-churn/1234567890", id="ten-digit-version"),
        pytest.param(f"{HEAD}/dev-customer-churn/0", id="version-0"),
        pytest.param(f"{HEAD}/dev-customer-churn/07", id="leading-zero"),
        pytest.param(f"{HEAD}/{'g' * 64}/7", id="group-of-64"),
        pytest.param(
            "arn:aws:sagemaker:eu-west-1:11111111111:model-package/dev-customer-churn/7",
            id="11-digit-account",
        ),
        pytest.param(
            "arn:awsx:sagemaker:eu-west-1:111111111111:model-package/dev-customer-churn/7", id="no-partition"
        ),
    ],
)
def test_an_arn_the_stack_files_parser_refuses_is_refused_as_malformed(listing, arn: str) -> None:
    with pytest.raises(ArnError):
        parse_model_package_version_arn(arn)
    with pytest.raises(DispatchError, match=r"^client_payload\.model_package_arn: .* does not match "):
        _approve(listing, arn)


@pytest.mark.parametrize(
    "arn",
    [
        f"{HEAD}/dev-customer-churn/999999999",
        f"{HEAD}/DEV-Customer-Churn/1",
        "arn:aws-cn:sagemaker:cn-north-1:111111111111:model-package/dev-customer-churn/7",
        "arn:aws-us-gov:sagemaker:us-gov-west-1:111111111111:model-package/dev-customer-churn/7",
        f"arn:aws:sagemaker:ap-southeast-10:111111111111:model-package/{'g' * 63}/1",
    ],
)
def test_the_pattern_accepts_what_the_stack_files_parser_accepts(arn: str) -> None:
    parse_model_package_version_arn(arn)
    assert MODEL_PACKAGE_ARN.fullmatch(arn) is not None


def test_the_highest_version_is_approved(listing) -> None:
    arn = f"{HEAD}/dev-customer-churn/999999999"
    approval = _approve(listing, arn)
    assert (approval.model_package_arn, approval.target_environment) == (arn, "staging")


@pytest.mark.parametrize(
    ("arn", "partition"),
    [
        ("arn:aws-cn:sagemaker:eu-west-1:111111111111:model-package/dev-customer-churn/7", "aws-cn"),
        ("arn:aws-us-gov:sagemaker:eu-west-1:111111111111:model-package/dev-customer-churn/7", "aws-us-gov"),
    ],
)
def test_a_version_of_another_partition_is_refused_naming_it(listing, arn: str, partition: str) -> None:
    with pytest.raises(DispatchError) as raised:
        _approve(listing, arn)
    assert str(raised.value) == (
        f"client_payload.model_package_arn: partition {partition} is not stack dev's (aws)"
    )
