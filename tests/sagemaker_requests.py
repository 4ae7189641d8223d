"""Translate recorded (camelCase, provider-shaped) inputs into a boto3 request, guided by the API model.

The provider and the API differ in small ways: member names differ in case (``volumeSizeInGb`` /
``VolumeSizeInGB``) or in name (the endpoint configuration's ``kmsKeyArn`` is the API's ``KmsKeyId``),
some API lists are single objects in the provider (``MonitoringOutputs``), and numbers travel as
floats. Walking botocore's input shape of the operation resolves all of them without guessing; an
input the API does not know raises, so a translation cannot silently drop a setting.

The walk is not SageMaker's alone: ``service=`` and ``renames=`` serve the other APIs the provider
wraps the same way (tests/aws_requests.py).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import botocore.model

from tests.botocore_models import service_model

# Provider member name → API member name, where they differ by more than case (applied where the
# API's structure has that member).
RENAMES = {"kmsKeyArn": "KmsKeyId"}


@cache
def _service(name: str = "sagemaker") -> botocore.model.ServiceModel:
    return botocore.model.ServiceModel(service_model(name))


def to_request(
    operation: str,
    inputs: dict[str, Any],
    *,
    skip: tuple[str, ...] = ("tags", "name", "region"),
    service: str = "sagemaker",
    renames: dict[str, str] | None = None,
) -> dict[str, Any]:
    shape = _service(service).operation_model(operation).input_shape
    names = {**RENAMES, **(renames or {})}
    return convert({k: v for k, v in inputs.items() if k not in skip}, shape, operation, names)


def convert(value: Any, shape: botocore.model.Shape, path: str, renames: dict[str, str] | None = None) -> Any:
    """A provider-shaped value as the API's ``shape`` (members matched case-insensitively)."""
    renames = RENAMES if renames is None else renames
    if shape.type_name == "structure":
        members = {name.lower(): name for name in shape.members}
        converted = {}
        for key, item in value.items():
            renamed = renames.get(key)
            member = renamed if renamed in shape.members else members.get(key.lower())
            if member is None:
                raise KeyError(
                    f"{path}: the API has no member for input {key!r}; known: {sorted(shape.members)}"
                )
            converted[member] = convert(item, shape.members[member], f"{path}.{member}", renames)
        return converted
    if shape.type_name == "list":
        items = value if isinstance(value, list) else [value]
        return [convert(item, shape.member, f"{path}[]", renames) for item in items]
    if shape.type_name == "map":
        return {key: convert(item, shape.value, f"{path}.{key}", renames) for key, item in value.items()}
    if shape.type_name in ("integer", "long") and isinstance(value, float) and value.is_integer():
        return int(value)
    if shape.type_name in ("double", "float") and isinstance(value, str):
        return float(value)  # the provider takes some bounds as strings (step adjustments)
    return value
