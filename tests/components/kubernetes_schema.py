"""Offline validation of manifests against the Kubernetes schemas (``kubernetes_validate``), each
schema file parsed once per process."""

from __future__ import annotations

from functools import cache
from typing import Any
from unittest import mock

import kubernetes_validate
import kubernetes_validate.utils

_read = kubernetes_validate.utils.schema_contents


@cache
def _schema(filename: str, desired_version: str) -> Any:
    return _read(filename, desired_version)


def validate_manifest(manifest: dict[str, Any], version: str, *, strict: bool = True) -> str:
    """``kubernetes_validate.validate(manifest, version, strict=strict)``, reading each schema file
    once per process: it parses the kind's schema and the version's definitions (1.5 MB of JSON
    for the strict ones, about 10 CPU-ms) at every call. jsonschema reads a schema, never changes
    it, so one parsed copy serves every call; a file that is not there still raises."""
    with mock.patch.object(kubernetes_validate.utils, "schema_contents", _schema):
        return kubernetes_validate.validate(manifest, version, strict=strict)
