"""NVIDIA Triton on SageMaker: the SageMaker SDK's ``sagemaker-tritonserver`` images.

Which Triton releases SageMaker hosts, and in which regions, is read from the table the SDK ships
(``sagemaker/core/image_uri_config/sagemaker-tritonserver.json``) without importing the SDK, so config
validation stays fast; the image URI itself comes from ``image_uris.retrieve`` when the endpoint is
built (no API call: the same bundled table). Each release has a GPU build and a CPU build (tag suffix
``-cpu``), picked by the variant's instance type; there is no Inferentia or Trainium (Neuron) build.
"""

from __future__ import annotations

from typing import Any, Final

from ..extras import require
from ..instance_types import instance_family
from ..sdk_image_tables import image_version_key, required_sdk_image_table

TRITON_IMAGE: Final = "sagemaker-tritonserver"
"""The SDK's name (and the ECR repository) of SageMaker's Triton inference images."""
DEFAULT_MODEL_ENV: Final = "SAGEMAKER_TRITON_DEFAULT_MODEL_NAME"
"""The model (or ensemble) a single-model Triton endpoint loads: its directory in the repository."""


def _table() -> dict[str, Any]:
    return required_sdk_image_table(TRITON_IMAGE, "Checking a Triton variant against SageMaker's images")


def triton_versions() -> list[str]:
    """The Triton releases the SDK has SageMaker images of, oldest first."""
    return sorted(_table().get("versions", {}), key=image_version_key)


def triton_version_problem(version: str) -> str | None:
    if version not in _table().get("versions", {}):
        return f"Triton {version} has no SageMaker image; the SDK lists {', '.join(triton_versions())}"
    return None


def triton_region_problem(version: str, region: str) -> str | None:
    registries = _table().get("versions", {}).get(version, {}).get("registries", {})
    if region not in registries:
        return f"SageMaker's Triton {version} image is not published in {region}"
    return None


def triton_instance_problem(instance_type: str) -> str | None:
    family = instance_family(instance_type)
    if family.startswith(("inf", "trn")):
        return (
            f"{instance_type} is an Inferentia/Trainium type and SageMaker's Triton images have no "
            "Neuron build: use a GPU (ml.g*, ml.p*) or CPU instance type"
        )
    return None


def triton_image_uri(version: str, region: str, instance_type: str) -> str:
    """The image's URI from the SDK's bundled table (no API call): the GPU build on a GPU instance type,
    the CPU build (``-cpu``) otherwise. Imports the SDK."""
    require("sagemaker", "Resolving a Triton variant's image")
    from sagemaker.core import image_uris

    return image_uris.retrieve(
        TRITON_IMAGE, region=region, version=version, instance_type=instance_type, image_scope="inference"
    )
