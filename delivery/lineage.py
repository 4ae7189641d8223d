"""A model version's lineage: what its package records of where it came from, and its data's S3 versions.

The training pipeline's RegisterModel step writes the lineage into the model package's
``CustomerMetadataProperties`` (``components.training.definition.LINEAGE_KEYS``, docs/lineage.md):
the platform's commit, the family code's SHA-256, the pipeline execution ARN, the training data's
S3 URI and the SHA-256 of its dataset manifest (the DatasetManifest step's ``manifest.json``),
and, once a family trains from a feature group, the group and its snapshot time. ``promote status``
shows it for every version it lists (:func:`version_lineage`).

:func:`dataset_versions` answers the auditor's next question, which S3 object versions those were:
it matches each manifest entry (key, size, SHA-256) with the versions under the data's prefix in
the versioned datasets bucket, newest first, by content. Noncurrent versions expire after the
stack's ``storage.noncurrent_version_expiration_days``; a version gone by then matches nothing, and
one S3 will not return (archived, denied) leaves its key undecided (:class:`UnreadableVersions`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from components.training.definition import LINEAGE_KEYS, MLFLOW_RUN_ID_KEY, MLFLOW_SERVER_KEY

SHOWN_KEYS = (*LINEAGE_KEYS, MLFLOW_RUN_ID_KEY, MLFLOW_SERVER_KEY)
"""What ``promote status`` shows of a version's CustomerMetadataProperties, in this order."""
NOTHING_RECORDED = "none recorded (registered before lineage, or not by the training pipeline)"


def lineage_of(package: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The lineage entries of a DescribeModelPackage response, in :data:`SHOWN_KEYS` order."""
    properties = package.get("CustomerMetadataProperties") or {}
    return [(key, str(properties[key])) for key in SHOWN_KEYS if key in properties]


def version_lineage(sagemaker: Any, package_arn: str) -> list[tuple[str, str]]:
    """The recorded lineage of ``package_arn``; a version that records none gives one line saying so,
    and one whose package cannot be read says why (the status goes on: lineage is not a deployment
    input). Credentials problems surface earlier, on the reads the status cannot do without."""
    try:
        package = sagemaker.describe_model_package(ModelPackageName=package_arn)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "error")
        return [("unreadable", f"{code}: DescribeModelPackage of {package_arn} failed")]
    return lineage_of(package) or [("lineage", NOTHING_RECORDED)]


def render_lineage(package_arn: str, entries: list[tuple[str, str]], indent: str = "  ") -> list[str]:
    width = max(len(key) for key, _ in entries) + 1
    return [f"{indent}lineage of {package_arn}:"] + [
        f"{indent}  {key + ':':<{width}} {value}" for key, value in entries
    ]


def manifest_sha256(manifest: bytes) -> str:
    """What the model package records as ``training_data_manifest_sha256`` for ``manifest``."""
    return hashlib.sha256(manifest).hexdigest()


_UNREADABLE = frozenset({"InvalidObjectState", "AccessDenied"})
"""GetObject's answers for a version that exists but is not read: archived and not restored, or denied."""
_GONE = frozenset({"NoSuchVersion", "NoSuchKey"})
"""GetObject's answers for a version that expired between the listing and the read: not the data."""


class UnreadableVersions(LookupError):
    """No readable version of a manifest entry's key matched its content, and some versions of its
    size could not be read (archived to S3 Glacier Flexible Retrieval or Deep Archive and not
    restored, or denied): which of them was the data is undecided. ``found`` holds what was
    decided, the undecided keys mapped to None; ``unreadable`` each undecided key's versions with
    the error code S3 gave."""

    def __init__(self, found: dict[str, str | None], unreadable: dict[str, list[tuple[str, str]]]) -> None:
        self.found = found
        self.unreadable = unreadable
        listed = "; ".join(
            f"{key}: " + ", ".join(f"version {version} ({code})" for version, code in versions)
            for key, versions in sorted(unreadable.items())
        )
        super().__init__(
            "cannot tell which S3 version held the training data, some versions of its size are "
            f"unreadable: {listed}. Restore archived versions (s3api restore-object) or grant "
            "s3:GetObjectVersion, then ask again."
        )


def dataset_versions(s3: Any, input_uri: str, manifest: bytes) -> dict[str, str | None]:
    """Manifest key → the S3 version id under ``input_uri`` whose content is the entry's (size and
    SHA-256), or None when no version of that key matches (changed in place and expired, or never
    there). Reads only versions of the entry's size, newest first, until one matches. A version S3
    will not return (archived, denied) is passed over; when no readable one matches, raises
    :class:`UnreadableVersions` rather than answer None for data that may be in an archived version."""
    bucket, _, prefix = input_uri.removeprefix("s3://").partition("/")
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    entries = json.loads(manifest)["objects"]
    candidates: dict[str, list[dict[str, Any]]] = {}
    paginator = s3.get_paginator("list_object_versions")
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
        for version in page.get("Versions", []):
            candidates.setdefault(version["Key"], []).append(version)
    found: dict[str, str | None] = {}
    unreadable: dict[str, list[tuple[str, str]]] = {}
    for entry in entries:
        key = prefix + entry["key"]
        versions = sorted(candidates.get(key, []), key=lambda v: v["LastModified"], reverse=True)
        found[entry["key"]] = None
        for version in (v for v in versions if v["Size"] == entry["size"]):
            try:
                digest = _sha256(s3, bucket, key, version["VersionId"])
            except ClientError as error:
                code = error.response.get("Error", {}).get("Code", "error")
                if code in _GONE:
                    continue
                if code not in _UNREADABLE:
                    raise
                unreadable.setdefault(entry["key"], []).append((version["VersionId"], code))
                continue
            if digest == entry["sha256"]:
                found[entry["key"]] = version["VersionId"]
                unreadable.pop(entry["key"], None)
                break
    if unreadable:
        raise UnreadableVersions(found, unreadable)
    return found


def _sha256(s3: Any, bucket: str, key: str, version_id: str) -> str:
    digest = hashlib.sha256()
    body = s3.get_object(Bucket=bucket, Key=key, VersionId=version_id)["Body"]
    for chunk in iter(lambda: body.read(1 << 20), b""):
        digest.update(chunk)
    return digest.hexdigest()
