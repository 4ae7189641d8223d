"""Translate recorded (camelCase, provider-shaped) inputs into a boto3 request, guided by the API model.

The provider and the API differ in small ways: member names differ in case (``volumeSizeInGb`` /
``VolumeSizeInGB``) or in name (the endpoint configuration's ``kmsKeyArn`` is the API's ``KmsKeyId``),
some API lists are single objects in the provider (``MonitoringOutputs``), and numbers travel as
floats. Walking botocore's input shape of the operation resolves all of them without guessing; an
input the API does not know raises, so a translation cannot silently drop a setting.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import botocore.loaders
import botocore.model

# Provider member name → API member name, where they differ by more than case.
RENAMES = {"kmsKeyArn": "KmsKeyId"}


@cache
def _service() -> botocore.model.ServiceModel:
    return botocore.model.ServiceModel(botocore.loaders.Loader().load_service_model("sagemaker", "service-2"))


def to_request(
    operation: str, inputs: dict[str, Any], *, skip: tuple[str, ...] = ("tags", "name", "region")
) -> dict[str, Any]:
    shape = _service().operation_model(operation).input_shape
    return _convert({k: v for k, v in inputs.items() if k not in skip}, shape, operation)


def _convert(value: Any, shape: botocore.model.Shape, path: str) -> Any:
    if shape.type_name == "structure":
        members = {name.lower(): name for name in shape.members}
        converted = {}
        for key, item in value.items():
            member = RENAMES.get(key) or members.get(key.lower())
            if member is None:
                raise KeyError(
                    f"{path}: the API has no member for input {key!r}; known: {sorted(shape.members)}"
                )
            converted[member] = _convert(item, shape.members[member], f"{path}.{member}")
        return converted
    if shape.type_name == "list":
        items = value if isinstance(value, list) else [value]
        return [_convert(item, shape.member, f"{path}[]") for item in items]
    if shape.type_name == "map":
        return {key: _convert(item, shape.value, f"{path}.{key}") for key, item in value.items()}
    if shape.type_name in ("integer", "long") and isinstance(value, float) and value.is_integer():
        return int(value)
    return value
