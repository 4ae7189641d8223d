"""What an endpoint's variant serves: a model package, a model family's latest approved version,
an image or a Triton model repository, and the checks of its container (image, artifacts, environment)."""

from __future__ import annotations

import re
from typing import Final

from pydantic import BaseModel, Field, field_validator, model_validator

from ..limits import SPEC_CONFIG, fail_at
from ..versions import TRITON_SAGEMAKER_VERSION
from .sagemaker_names import model_package_version_arn_problem
from .triton import DEFAULT_MODEL_ENV, triton_version_problem


class _Spec(BaseModel):
    model_config = SPEC_CONFIG


MAX_ENVIRONMENT = 100
"""A container's ``Environment`` (CreateModel, CreateInferenceComponent): at most 100 entries."""
MAX_ENVIRONMENT_TEXT = 1024
"""... whose keys and values have at most 1024 characters each."""
_ENVIRONMENT_KEY = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*\Z")
"""... and whose keys match SageMaker's ``EnvironmentKey`` pattern."""


def container_environment_problem(value: dict[str, str], what: str, reserved: int = 0) -> str | None:
    """What SageMaker would refuse in a container's ``Environment`` (``reserved``: entries the
    platform adds), or None."""
    if len(value) + reserved > MAX_ENVIRONMENT:
        added = f" besides the platform's {reserved}" if reserved else ""
        return (
            f"{len(value)} environment variables; {what} takes at most {MAX_ENVIRONMENT - reserved}{added} "
            f"(SageMaker: at most {MAX_ENVIRONMENT})"
        )
    for key, item in value.items():
        if len(key) > MAX_ENVIRONMENT_TEXT or len(item) > MAX_ENVIRONMENT_TEXT:
            return f"environment {key[:40]!r}: keys and values are at most {MAX_ENVIRONMENT_TEXT} characters"
        if not _ENVIRONMENT_KEY.match(key):
            return (
                f"environment {key[:40]!r}: SageMaker takes names of letters, digits and '_', not starting "
                "with a digit ([a-zA-Z_][a-zA-Z0-9_]*)"
            )
    return None


_TRITON_MODEL_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\Z")


class TritonSource(_Spec):
    """NVIDIA Triton Inference Server on SageMaker: the SageMaker SDK's ``sagemaker-tritonserver`` image
    (GPU build on GPU instance types, CPU build otherwise) serving a Triton model repository."""

    model_data_url: str = Field(
        description="s3:// URI of a model.tar.gz (in any bucket of the account: the models' role may read "
        "this object, encrypted with the endpoint's key or SSE-S3) holding a "
        "Triton model repository at its root: `<model>/config.pbtxt` and `<model>/<version>/<model file>` "
        "(e.g. `churn/1/model.onnx`); SageMaker unpacks it into /opt/ml/model."
    )
    default_model_name: str = Field(
        description=f"The model (or ensemble) the endpoint serves: its directory in the repository "
        f"(`{DEFAULT_MODEL_ENV}`)."
    )
    version: str = Field(
        default=TRITON_SAGEMAKER_VERSION,
        description="Triton release of the SageMaker image, e.g. '25.09': one the SageMaker SDK lists.",
    )

    @field_validator("model_data_url")
    @classmethod
    def _artifact(cls, value: str) -> str:
        if not value.startswith("s3://") or not value.endswith(".tar.gz"):
            raise ValueError(f"model_data_url must be the s3:// URI of a .tar.gz (got {value!r})")
        problem = model_data_url_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("default_model_name")
    @classmethod
    def _model_name(cls, value: str) -> str:
        if not _TRITON_MODEL_NAME.match(value):
            raise ValueError(
                f"'{value}' is not a model directory name: 1-128 letters, digits, '_', '.' or '-'"
            )
        return value

    @field_validator("version")
    @classmethod
    def _known_version(cls, value: str) -> str:
        problem = triton_version_problem(value)
        if problem:
            raise ValueError(problem)
        return value


class ModelSource(_Spec):
    """Exactly one of: a pinned model package, the latest approved package of a model family, an image,
    or a Triton model repository."""

    model_package_arn: str | None = Field(
        default=None, description="A registered model version (pinned), in the stack's region."
    )
    latest_approved_of: str | None = Field(
        default=None,
        description="Model family whose latest Approved version is resolved at deploy time (a group ARN "
        "for another account's registry, in the stack's region).",
    )
    family: str | None = Field(
        default=None,
        description="With `latest_approved_of` naming another account's group (an ARN): the model family of "
        "this stack its versions are, so the endpoint is monitored and alarmed as that family (problem type, "
        "drift features, `quality_alarms`, live drift) but never retrains it (the served versions come "
        "from the other account's group, not from this stack's training). Only on an endpoint's first "
        "production variant, which the endpoint is monitored as; without it, another account's versions "
        "get the stack's monitors and no family's (docs/promotion.md, One registry in dev).",
    )
    image: str | None = Field(
        default=None, description="Bring-your-own container image (ECR URI, at most 255 characters)."
    )
    model_data_url: str | None = Field(
        default=None,
        description="With `image`: s3:// URI of model.tar.gz (at most 1024 characters), in any bucket of "
        "the account: the models' role may read this object (encrypted with the endpoint's key or SSE-S3).",
    )
    triton: TritonSource | None = Field(
        default=None,
        description="Serve a Triton model repository with SageMaker's NVIDIA Triton image (the SDK's "
        "`sagemaker-tritonserver`, GPU or CPU build by instance type); instance-based variants only, not "
        "Inferentia or Trainium.",
    )

    @model_validator(mode="after")
    def _one_source(self) -> ModelSource:
        kinds = ("model_package_arn", "latest_approved_of", "image", "triton")
        given = [key for key in kinds if getattr(self, key)]
        if len(given) != 1:
            raise ValueError(
                "set exactly one of model_package_arn, latest_approved_of, image or triton"
                + (f" (got {', '.join(given)})" if given else "")
            )
        # The rules of one field name it (fail_at); "exactly one source" is the model's own.
        if self.model_package_arn and (problem := model_package_version_arn_problem(self.model_package_arn)):
            fail_at("ModelSource", ("model_package_arn",), self.model_package_arn, problem)
        if self.family is not None and not (self.latest_approved_of or "").startswith("arn:"):
            fail_at(
                "ModelSource",
                ("family",),
                self.family,
                "family says which model family of this stack another account's versions are: it goes with "
                "latest_approved_of naming that account's group by ARN"
                + (
                    f" ('{self.latest_approved_of}' is not an ARN: a family of this stack is already what the "
                    "endpoint is monitored as, so remove family; another account's group is written "
                    "arn:aws:sagemaker:<region>:<account>:model-package-group/<name>)"
                    if self.latest_approved_of
                    else " (a pinned version, an image or Triton model names no group to read it of)"
                ),
            )
        if self.model_data_url is not None and self.image is None:
            fail_at(
                "ModelSource",
                ("model_data_url",),
                self.model_data_url,
                "model_data_url goes with image; a model package carries its own artifacts",
            )
        if self.model_data_url is not None and not self.model_data_url.startswith("s3://"):
            fail_at(
                "ModelSource",
                ("model_data_url",),
                self.model_data_url,
                f"model_data_url must be an s3:// URI (got {self.model_data_url!r})",
            )
        if self.model_data_url is not None and (problem := model_data_url_problem(self.model_data_url)):
            fail_at("ModelSource", ("model_data_url",), self.model_data_url, problem)
        if self.image is not None and ".dkr.ecr." not in self.image:
            fail_at(
                "ModelSource",
                ("image",),
                self.image,
                f"image must be an ECR image URI (<account>.dkr.ecr.<region>.amazonaws.com/...), got {self.image!r}",
            )
        if self.image is not None and (problem := container_image_problem(self.image)):
            fail_at("ModelSource", ("image",), self.image, problem)
        return self


MAX_CONTAINER_IMAGE = 255
"""CreateModel's ``ContainerDefinition.Image``: at most 255 characters, no white space (an ECR
repository name alone may have 256)."""
MAX_MODEL_DATA_URL = 1024
"""CreateModel's ``ContainerDefinition.ModelDataUrl``: at most 1024 characters."""
_S3_URI: Final = re.compile(r"s3://[^/\s]+/?[^\n\r\u0085\u2028\u2029]*")
"""What CreateModel takes as an s3:// ModelDataUrl (its pattern ``(https|s3)://([^/]+)/?(.*)``):
a bucket, then a key on one line."""


def container_image_problem(image: str) -> str | None:
    """Why CreateModel would refuse ``image`` as a container image, or None."""
    if len(image) > MAX_CONTAINER_IMAGE:
        return (
            f"SageMaker takes an image URI of at most {MAX_CONTAINER_IMAGE} characters (CreateModel's "
            f"Image), got {len(image)}: use a shorter repository name or tag"
        )
    if any(character.isspace() for character in image):
        return f"an image URI has no white space, got {image!r}"
    return None


def model_data_url_problem(url: str) -> str | None:
    """Why CreateModel would refuse the s3:// ``url`` as a ModelDataUrl, or None."""
    if len(url) > MAX_MODEL_DATA_URL:
        return (
            f"SageMaker takes a model_data_url of at most {MAX_MODEL_DATA_URL} characters (CreateModel's "
            f"ModelDataUrl), got {len(url)}"
        )
    if not _S3_URI.fullmatch(url):
        return f"model_data_url must be s3://<bucket>/<key> on one line (got {url!r})"
    return None
