"""Parsing the ARNs a stack file and the CLIs take, field by field, with a reason when one is wrong.

``arn:<partition>:<service>:<region>:<account>:<resource>``: :func:`parse_arn` checks each field
(a known partition, the expected service, a region-shaped region, a 12-digit account) and the
resource against what the key means, so a garbage ARN fails where it is read, naming the field,
and never reaches code that indexes into it or an AWS call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from stacks.input_limits import shorten

PARTITIONS: Final = frozenset(
    {"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f"}
)
# Matched whole (fullmatch: `$` would let a trailing newline through), ASCII digits only (`\d` is
# any Unicode digit).
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]{1,2}")
_ACCOUNT = re.compile(r"[0-9]{12}")
# SageMaker's name pattern for model package groups (and so for the group part of a version ARN).
_GROUP_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")
_VERSION = re.compile(r"[1-9][0-9]{0,8}")  # ModelPackageVersion (>= 1), VersionedArnOrName's 1-9 digits
MODEL_PACKAGE_VERSION_ARN: Final = re.compile(
    rf"arn:(?P<partition>{'|'.join(sorted(PARTITIONS))}):sagemaker:(?P<region>{_REGION.pattern}):"
    rf"(?P<account>{_ACCOUNT.pattern}):model-package/"
    rf"(?P<group>(?=[a-zA-Z0-9-]{{1,63}}/){_GROUP_NAME.pattern})/(?P<version>{_VERSION.pattern})"
)
"""What :func:`parse_model_package_version_arn` accepts, as one pattern (to be matched whole,
``fullmatch``) for a check that quotes it: a known partition, a region, a 12-digit account, a group
of 1-63 letters or digits separated by ``-`` and a version of 1-9 digits."""


class ArnError(ValueError):
    """Not an ARN of the expected kind; the message says which field is wrong and what it should be."""


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


@dataclass(frozen=True)
class ModelPackageGroupArn:
    arn: Arn
    group: str


@dataclass(frozen=True)
class ModelPackageVersionArn:
    arn: Arn
    group: str
    version: int


def parse_arn(text: object, service: str) -> Arn:
    """``text`` as an ARN of ``service`` in a region and account (IAM-style global ARNs do not apply)."""
    if not isinstance(text, str):
        raise ArnError(f"an ARN is a string, got {type(text).__name__}")
    shown = shorten(text)
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        raise ArnError(
            f"'{shown}' is not an ARN: expected arn:<partition>:{service}:<region>:<account>:<resource>"
        )
    _, partition, found_service, region, account, resource = parts
    if partition not in PARTITIONS:
        raise ArnError(
            f"'{shown}': partition '{shorten(partition)}' is not one of {', '.join(sorted(PARTITIONS))}"
        )
    if found_service != service:
        raise ArnError(f"'{shown}': service '{shorten(found_service)}' is not {service}")
    if not _REGION.fullmatch(region):
        raise ArnError(f"'{shown}': region '{shorten(region)}' is not an AWS region such as eu-west-1")
    if not _ACCOUNT.fullmatch(account):
        raise ArnError(f"'{shown}': account '{shorten(account)}' is not a 12-digit AWS account id")
    if not resource:
        raise ArnError(f"'{shown}': the resource part after the account is empty")
    return Arn(partition, found_service, region, account, resource)


def _is_group_name(group: str) -> bool:
    """botocore's EntityName: its pattern bounds the letters and digits, not the '-' runs; max 63."""
    return _GROUP_NAME.fullmatch(group) is not None and len(group) <= 63


def parse_model_package_group_arn(text: object) -> ModelPackageGroupArn:
    """``arn:<partition>:sagemaker:<region>:<account>:model-package-group/<group>``."""
    arn = parse_arn(text, "sagemaker")
    kind, _, group = arn.resource.partition("/")
    if kind != "model-package-group" or not _is_group_name(group):
        raise ArnError(
            f"'{shorten(str(text))}': resource '{shorten(arn.resource)}' is not model-package-group/<group> "
            "(a group name: 1-63 letters or digits, separated by -)"
        )
    return ModelPackageGroupArn(arn, group)


def parse_model_package_version_arn(text: object) -> ModelPackageVersionArn:
    """``arn:<partition>:sagemaker:<region>:<account>:model-package/<group>/<version>``."""
    arn = parse_arn(text, "sagemaker")
    kind, _, rest = arn.resource.partition("/")
    group, _, version = rest.partition("/")
    if kind != "model-package" or not _is_group_name(group) or not _VERSION.fullmatch(version):
        raise ArnError(
            f"'{shorten(str(text))}': resource '{shorten(arn.resource)}' is not model-package/<group>/<version> "
            "(a model package version, e.g. model-package/prod-customer-churn/3)"
        )
    return ModelPackageVersionArn(arn, group, int(version))
