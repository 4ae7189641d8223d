"""The patterns and small predicates the training pipeline settings are checked with (AWS ids,
ARNs, S3 URIs, instance types, the evaluation report's metric paths, lineage values).

Used by :mod:`components.training.definition_checks` and
:mod:`components.training.definition_sections`.
"""

from __future__ import annotations

import math
import re

from .definition_names import METRIC_NAME

_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+\Z")
_ACCOUNT = re.compile(r"^[0-9]{12}\Z")
_TRACKING_SERVER_ARN = re.compile(
    r"^arn:aws[a-z-]*:sagemaker:(?P<region>[a-z0-9-]+):(?P<account>[0-9]{12}):mlflow-tracking-server/(?=.{1,256}\Z)[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}\Z"
)
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9_+=,.@/-]+\Z")
_KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:(?P<region>[a-z0-9-]+):[0-9]{12}:key/[A-Za-z0-9_-]+\Z")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\Z")
_S3_URI = re.compile(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?\Z")
_SUBNET = re.compile(r"^subnet-[0-9a-f]+\Z")
_SECURITY_GROUP = re.compile(r"^sg-[0-9a-f]+\Z")
_INSTANCE_TYPE = re.compile(r"^ml\.[a-z0-9-]+\.[a-z0-9]+\Z")
_METRIC_PATH = re.compile(r"^metrics\.(?P<metric>[a-z0-9_]+)\.value\Z")
_METRIC_NAME = re.compile(METRIC_NAME)
_FRAMEWORK_VERSION = re.compile(r"^[0-9][A-Za-z0-9_.-]*\Z")
_PY_VERSION = re.compile(r"^py[0-9]+\Z")
_COLUMN = re.compile(r"^[A-Za-z0-9_.\-]{1,128}\Z")
COMMIT_PATTERN = r"^([0-9a-f]{7,40}(-dirty)?|unknown)\Z"
"""A platform commit as lineage records it: a git commit id (``-dirty`` with uncommitted changes)."""
_COMMIT = re.compile(COMMIT_PATTERN)
_SHA256 = re.compile(r"^[0-9a-f]{64}\Z")
_METADATA_VALUE_MAX = 256
"""CreateModelPackage: a CustomerMetadataProperties value has 1-256 characters (at most 50 entries)."""


def _matches(pattern: re.Pattern[str], value: object) -> bool:
    return isinstance(value, str) and pattern.match(value) is not None


def _is_script_uri(uri: object) -> bool:
    return _matches(_S3_URI, uri) and str(uri).endswith(".py") and "/" in str(uri).removeprefix("s3://")


def _module_name(uri: str) -> str:
    return uri.rsplit("/", 1)[-1].removesuffix(".py")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
