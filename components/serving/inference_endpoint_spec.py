"""Typed, validated specs of a SageMaker inference endpoint (used by stack config and the component)."""

from __future__ import annotations

import inspect
import math
import re
import sys
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated, Final, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from ..instance_types import gpu_count, has_instance_store, is_gpu, offered_instance_type
from ..invocation_alarms import latency_slo_problem
from ..limits import SPEC_CONFIG, fail_at, fail_at_each
from ..schedules import eventbridge_schedule_problem, time_zone_problem
from ..versions import TRITON_SAGEMAKER_VERSION
from .triton import DEFAULT_MODEL_ENV, triton_instance_problem, triton_version_problem

_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}\Z")
MODEL_PACKAGE_VERSION_ARN = re.compile(
    r"^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:[0-9]{12}:model-package/"
    r"(?P<group>(?=[a-zA-Z0-9-]{1,63}/)[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62})/(?P<version>[1-9][0-9]{0,8})\Z"
)
"""A registered model version: ``…:model-package/<group>/<n>``. The group is a model package group
name (botocore's ``EntityName``: ``[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}``, at most 63 characters, the
lookahead bounding the ``-`` runs too), the version a ``ModelPackageVersion`` (at least 1) as
CreateModel's ``VersionedArnOrName`` takes it (``/[0-9]{1,9}``)."""
_VERSION_ARN_SHAPE = re.compile(
    r"^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:[0-9]{12}:model-package/(?P<group>[^/]*)/(?P<version>[^/]*)\Z"
)
SERVERLESS_MEMORY_MB = (1024, 2048, 3072, 4096, 5120, 6144)
MAX_EXECUTION_TIMEOUT = 28800
"""SageMaker's ``MaximumExecutionTimeoutInSeconds`` range is 600-28800 (BlueGreenUpdatePolicy)."""
LAUNCH_SECONDS = {"cpu": 300, "accelerated": 600}
"""Allowance for SageMaker to launch a new fleet's instances, by instance class: GPU and
accelerator instances (ml.g*, ml.p*, ml.inf*, ml.trn*) are scarcer and boot larger images."""
DEFAULT_DOWNLOAD_SECONDS = 300
DEFAULT_STARTUP_SECONDS = 300
"""Allowances for the model download and the container's first health check where the variant
leaves ``model_download_timeout_seconds`` and ``container_startup_health_check_timeout_seconds``
unset (its own values, the longest SageMaker waits for them, are used where set)."""


class _Spec(BaseModel):
    model_config = SPEC_CONFIG


SAGEMAKER_NAME_MAX = 63
"""The ``max`` of botocore's ``EndpointName``, ``VariantName`` and ``InferenceComponentName``: their
pattern bounds the letters and digits (``{0,62}`` after the first), not the ``-`` between them, so
``a--...--b`` of 64 or more characters matches it and is still refused."""


def sagemaker_name_problem(value: object, what: str) -> str | None:
    """Why SageMaker would refuse ``value`` as a ``what`` (an endpoint's, a variant's or an inference
    component's name: botocore ``[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}``, at most
    :data:`SAGEMAKER_NAME_MAX` characters), or None."""
    if _is_output(value):
        return (
            f"is a Pulumi Output, but this {what} must be a plain string: it names resources, and an "
            "Output's value is known only as the program runs; pass the name itself"
        )
    if inspect.isawaitable(value):  # a coroutine not awaited, a future, a task: not an Output
        return (
            f"is {_awaitable_kind(value)} (an awaitable, not yet awaited), but this {what} must be a plain "
            "string: it names resources, and an awaitable's value is known only once awaited; pass the "
            "name itself"
        )
    if not isinstance(value, str) or not _NAME.match(value) or len(value) > SAGEMAKER_NAME_MAX:
        return f"{value!r} is not a valid {what}: 1-63 letters or digits, separated by -"
    return None


def endpoint_name_problem(value: object) -> str | None:
    """Why SageMaker would refuse ``value`` as an endpoint's name (botocore's ``EndpointName``:
    1-63 characters of ``[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}``), or None: the name of an endpoint a
    component's alarms or monitors watch, whose metrics (and so alarms) would never exist for a
    misspelt one. A ``pulumi.Input`` given as an Output or an awaitable is left alone (its value is
    known only as the program runs, from the endpoint that checked its own name); anything else that
    is not such a name is refused."""
    if inspect.isawaitable(value) or _is_output(value):
        return None
    return sagemaker_name_problem(value, "endpoint name")


def _is_output(value: object) -> bool:
    # The specs do without the Pulumi SDK (the config is validated before it is imported): a value
    # can be an Output only once the program has imported it.
    pulumi = sys.modules.get("pulumi")
    return pulumi is not None and isinstance(value, pulumi.Output)


def model_package_version_arn_problem(value: str) -> str | None:
    """Why SageMaker has no model package version ``value`` (:data:`MODEL_PACKAGE_VERSION_ARN`),
    naming the part that is wrong, or None."""
    if MODEL_PACKAGE_VERSION_ARN.match(value):
        return None
    problem = f"'{value}' is not a model package version ARN (…:model-package/<group>/<n>)"
    shape = _VERSION_ARN_SHAPE.match(value)
    if shape is None:
        return problem
    group, version = shape["group"], shape["version"]
    if sagemaker_name_problem(group, "group"):
        return f"{problem}: its group {group!r} is not a model package group name: 1-63 letters or digits, separated by -"
    return f"{problem}: its version {version!r} is not a version number SageMaker gives, 1-999999999"


def resolved_packages_problem(packages: Mapping[str, object]) -> str | None:
    """Why a resolved variant or component → version ARN map is not one (its first value that is
    text and no version ARN, :func:`model_package_version_arn_problem`), or None; a value that is not
    text (an Output) is left to SageMaker."""
    for name, arn in packages.items():
        if isinstance(arn, str) and (problem := model_package_version_arn_problem(arn)):
            return f"{name!r}: {problem}"
    return None


def _awaitable_kind(value: object) -> str:
    """``a coroutine``, ``a Future``, ``a Task``, ``an AsyncResult``...: what an awaitable is (its
    type's name), as its refusal says it."""
    name = type(value).__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def _sagemaker_name(value: str, what: str) -> str:
    problem = sagemaker_name_problem(value, what)
    if problem:
        raise ValueError(problem)
    return value


RESERVED_CAPTURE_FOLDER = "batch"
"""``data-capture/batch/`` holds the batch-scoring jobs' captures (``data-capture/batch/<family>/``,
components/serving/batch_scoring.py): an endpoint of that name would capture there, and its role
and monitors, which write and read their endpoint's ``data-capture/<name>/``, would reach them."""


def _endpoint_name(value: str) -> str:
    """A SageMaker name that is not :data:`RESERVED_CAPTURE_FOLDER` (the endpoint's S3 folders)."""
    _sagemaker_name(value, "endpoint name")
    if value == RESERVED_CAPTURE_FOLDER:
        raise ValueError(
            f"'{value}' is reserved: data-capture/{value}/ holds the batch-scoring jobs' captures, which "
            "the endpoint's role and monitors would then write and read; choose another name"
        )
    return value


MAX_ROLLBACK_ALARMS = 10
"""SageMaker's ``AutoRollbackConfiguration.Alarms``: at most 10 alarms per endpoint."""
ROLLBACK_ALARMS_PER_VARIANT = 2
"""The alarms each production variant adds to them (components/serving/rollback_alarms.py: its
5xx errors and its p99 model latency)."""
MAX_ALARM_NAME = 255
"""The longest alarm name CloudWatch, and CreateEndpoint's ``AutoRollbackConfiguration``, take."""
MAX_SCHEDULED_ACTIONS = 200
"""Application Auto Scaling's scheduled actions per scalable target (a quota AWS does not raise)."""
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


class ServerlessSpec(_Spec):
    memory_mb: int = Field(default=2048, description=f"One of {', '.join(map(str, SERVERLESS_MEMORY_MB))}.")
    max_concurrency: Annotated[int, Field(ge=1, le=200)] = Field(
        default=5,
        description="Most invocations the serverless endpoint processes at once; requests beyond it are "
        "throttled.",
    )
    provisioned_concurrency: Annotated[int, Field(ge=1, le=200)] | None = Field(
        default=None,
        description="Invocations kept warm (no cold start), billed while provisioned; at most "
        "`max_concurrency`. Default: none, on-demand only.",
    )

    @field_validator("memory_mb")
    @classmethod
    def _memory(cls, value: int) -> int:
        if value not in SERVERLESS_MEMORY_MB:
            raise ValueError(
                f"{value} is not a serverless memory size; allowed: {', '.join(map(str, SERVERLESS_MEMORY_MB))}"
            )
        return value

    @model_validator(mode="after")
    def _provisioned_within_max(self) -> ServerlessSpec:
        if self.provisioned_concurrency is not None and self.provisioned_concurrency > self.max_concurrency:
            fail_at(
                "ServerlessSpec",
                ("provisioned_concurrency",),
                self.provisioned_concurrency,
                f"provisioned_concurrency ({self.provisioned_concurrency}) cannot exceed max_concurrency "
                f"({self.max_concurrency})",
            )
        return self


class ScheduledCapacity(_Spec):
    """A scheduled change of the scaling limits, e.g. scale down off-hours."""

    name: Annotated[str, Field(pattern=r"^[a-zA-Z0-9-]{1,64}$")] = Field(
        description="1-64 letters, digits or '-'; the scheduled action is named "
        "`<endpoint>-<variant>-<name>`, so keep it unique within the variant."
    )
    schedule: str = Field(description="cron(...), rate(...) or at(...) in `timezone`.")
    min_capacity: Annotated[int, Field(ge=0)] = Field(
        description="The variant's minimum instance count from this schedule on, until another action "
        "changes it; at most `max_capacity`."
    )
    max_capacity: Annotated[int, Field(ge=1)] = Field(
        description="The variant's maximum instance count from this schedule on; at most the scaling "
        "spec's `max_capacity`."
    )
    timezone: str = Field(
        default="UTC",
        description="IANA time zone `schedule` is read in, e.g. `Europe/Berlin`.",
    )

    @field_validator("schedule")
    @classmethod
    def _expression(cls, value: str) -> str:
        problem = eventbridge_schedule_problem(value, one_time=True)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("timezone")
    @classmethod
    def _iana_zone(cls, value: str) -> str:
        problem = time_zone_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _bounds(self) -> ScheduledCapacity:
        if self.min_capacity > self.max_capacity:
            fail_at(
                "ScheduledCapacity",
                ("min_capacity",),
                self.min_capacity,
                f"min_capacity {self.min_capacity} > max_capacity {self.max_capacity}",
            )
        return self


class ScalingSpec(_Spec):
    """Application Auto Scaling of a variant's instance count."""

    min_capacity: Annotated[int, Field(ge=0)] = Field(
        description="Fewest instances the autoscaler keeps. 0 (scale to zero) only with async inference; "
        "it needs `backlog_per_instance` too, the only policy that starts the first instance again."
    )
    max_capacity: Annotated[int, Field(ge=1, le=100)] = Field(
        description="Most instances the autoscaler runs; also caps every scheduled `max_capacity`."
    )
    invocations_per_instance: Annotated[int, Field(ge=1)] | None = Field(
        default=100, description="Target tracking on SageMakerVariantInvocationsPerInstance (per minute)."
    )
    gpu_utilization_percent: Annotated[float, Field(gt=0, le=100)] | None = Field(
        default=None,
        description="Target tracking on the variant's average GPU utilisation, in percent of its "
        "instance's GPUs (GPUUtilization is 100 per GPU: the target is this times the GPU count).",
    )
    backlog_per_instance: Annotated[float, Field(gt=0)] | None = Field(
        default=None,
        description="Async only: target ApproximateBacklogSizePerInstance; scales from zero on backlog.",
    )
    scale_in_cooldown_seconds: Annotated[int, Field(ge=0, le=3600)] = Field(
        default=300,
        description="Seconds after a scale-in before the target-tracking policies may scale in again.",
    )
    scale_out_cooldown_seconds: Annotated[int, Field(ge=0, le=3600)] = Field(
        default=60,
        description="Seconds the target-tracking policies give added instances to take effect before "
        "scaling out further; also the cooldown of the async scale-from-zero step.",
    )
    scheduled: list[ScheduledCapacity] = Field(
        default_factory=list,
        description="Scheduled changes of the scaling limits, e.g. fewer instances off-hours (at most "
        f"{MAX_SCHEDULED_ACTIONS}: Application Auto Scaling's limit per scalable target).",
    )

    @field_validator("scheduled")
    @classmethod
    def _scheduled_actions_quota(cls, value: list[ScheduledCapacity]) -> list[ScheduledCapacity]:
        if len(value) > MAX_SCHEDULED_ACTIONS:
            raise ValueError(
                f"{len(value)} scheduled actions; Application Auto Scaling takes at most "
                f"{MAX_SCHEDULED_ACTIONS} per scalable target (a quota it does not raise)"
            )
        return value

    @model_validator(mode="after")
    def _bounds(self) -> ScalingSpec:
        if self.min_capacity > self.max_capacity:
            fail_at(
                "ScalingSpec",
                ("min_capacity",),
                self.min_capacity,
                f"min_capacity {self.min_capacity} > max_capacity {self.max_capacity}",
            )
        if not (self.invocations_per_instance or self.gpu_utilization_percent or self.backlog_per_instance):
            raise ValueError(
                "a scaling spec needs at least one of invocations_per_instance, gpu_utilization_percent, backlog_per_instance"
            )
        names = [action.name for action in self.scheduled]
        for number, name in enumerate(names):
            if name in names[:number]:
                # The action's name (and its Pulumi resource's) is <endpoint>-<variant>-<name>.
                fail_at(
                    "ScalingSpec",
                    ("scheduled", number, "name"),
                    name,
                    f"duplicate scheduled action name(s) {name}: also scheduled[{names.index(name)}]'s",
                )
        for number, action in enumerate(self.scheduled):
            if action.max_capacity > self.max_capacity:
                fail_at(
                    "ScalingSpec",
                    ("scheduled", number, "max_capacity"),
                    action.max_capacity,
                    f"scheduled '{action.name}' max_capacity exceeds max_capacity {self.max_capacity}",
                )
        return self


class VariantSpec(_Spec):
    """One production (or shadow) variant: a model on instances, or serverless."""

    name: str = Field(
        description="Variant name: 1-63 letters or digits separated by '-', unique across the endpoint's "
        "production and shadow variants; the `VariantName` of its metrics and alarms."
    )
    model: ModelSource = Field(description="What the variant serves.")
    instance_type: str | None = Field(
        default=None,
        description="ml.* instance type SageMaker hosting offers (botocore's `ProductionVariantInstanceType`: "
        "ml.t2.medium, not ml.t3.medium); omit for serverless.",
    )
    initial_instance_count: Annotated[int, Field(ge=1, le=100)] = Field(
        default=1,
        description="Instances the variant starts with in each new endpoint configuration (ignored for "
        "serverless); with `scaling`, within its `min_capacity` and `max_capacity`.",
    )
    weight: Annotated[float | int, Field(ge=0, le=1000)] = Field(
        default=1.0,
        description="Traffic share of a production variant: its weight over the sum of the production "
        "variants' weights (0 sends it none; not all may be 0). A shadow variant's weight goes to "
        "SageMaker unchanged.",
    )
    serverless: ServerlessSpec | None = Field(
        default=None,
        description="Serverless inference instead of `instance_type`: then no `scaling` or "
        "`volume_size_gb`, and the endpoint has this one variant, no shadow, no async, no data capture.",
    )
    volume_size_gb: Annotated[int, Field(ge=1, le=512)] | None = Field(
        default=None,
        description="Storage volume per instance, in GB; default: SageMaker's for the instance type. Not "
        "for serverless variants or instance types with local NVMe storage.",
    )
    model_download_timeout_seconds: Annotated[int, Field(ge=60, le=3600)] | None = Field(
        default=None, description="Time to download large model artifacts (LLMs) before health checks start."
    )
    container_startup_health_check_timeout_seconds: Annotated[int, Field(ge=60, le=3600)] | None = Field(
        default=None,
        description="Seconds the container may take to pass its first health check (`/ping`) after it "
        "starts; default: SageMaker's.",
    )
    environment: dict[str, str] = Field(
        default_factory=dict,
        description=f"Environment variables of the model container (SageMaker: at most {MAX_ENVIRONMENT}, "
        "names of letters, digits and `_` not starting with a digit, names and values of at most "
        f"{MAX_ENVIRONMENT_TEXT} characters). Stored in clear in the model: not for secrets.",
    )
    scaling: ScalingSpec | None = Field(
        default=None,
        description="Autoscaling of an instance-based production variant's instance count. Not for "
        "serverless variants, nor for shadow variants: Application Auto Scaling registers production "
        "variants only (a shadow runs `initial_instance_count` instances). Default: fixed at "
        "`initial_instance_count`.",
    )

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        return _sagemaker_name(value, "variant name")

    @field_validator("instance_type")
    @classmethod
    def _instance_type(cls, value: str | None) -> str | None:
        if value is not None:
            # One CreateEndpointConfig lists, and a GPU type's count is known.
            gpu_count(offered_instance_type(value, "ProductionVariantInstanceType"))
        return value

    @field_validator("environment")
    @classmethod
    def _environment(cls, value: dict[str, str]) -> dict[str, str]:
        problem = container_environment_problem(value, "a model container")
        if problem:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> VariantSpec:
        if (self.instance_type is None) == (self.serverless is None):
            raise ValueError("set either instance_type (instance-based) or serverless, not both or neither")
        model = "VariantSpec"  # each rule names the key to change (fail_at)
        if self.serverless is not None:
            if self.scaling is not None:
                fail_at(model, ("scaling",), None, "serverless variants scale by concurrency: remove scaling")
            if self.volume_size_gb is not None:
                fail_at(
                    model,
                    ("volume_size_gb",),
                    self.volume_size_gb,
                    "serverless variants have no volume: remove volume_size_gb",
                )
        if self.volume_size_gb is not None and self.instance_type and has_instance_store(self.instance_type):
            fail_at(
                model,
                ("volume_size_gb",),
                self.volume_size_gb,
                f"{self.instance_type} serves from local NVMe storage: remove volume_size_gb",
            )
        if self.scaling is not None:
            scaling = self.scaling
            if not scaling.min_capacity <= self.initial_instance_count <= scaling.max_capacity:
                fail_at(
                    model,
                    ("initial_instance_count",),
                    self.initial_instance_count,
                    f"initial_instance_count {self.initial_instance_count} must lie within "
                    f"min_capacity {scaling.min_capacity} and max_capacity {scaling.max_capacity}",
                )
            if scaling.gpu_utilization_percent is not None and not self.is_gpu:
                fail_at(
                    model,
                    ("scaling", "gpu_utilization_percent"),
                    scaling.gpu_utilization_percent,
                    f"gpu_utilization_percent needs a GPU instance type (got {self.instance_type})",
                )
        if self.model.triton is not None:
            self._check_triton()
        return self

    def _check_triton(self) -> None:
        if self.instance_type is None:
            raise ValueError("a Triton variant runs on instances: set instance_type, not serverless")
        problem = triton_instance_problem(self.instance_type)
        if problem:
            raise ValueError(problem)
        if DEFAULT_MODEL_ENV in self.environment:
            raise ValueError(f"environment {DEFAULT_MODEL_ENV} comes from model.triton.default_model_name")
        problem = container_environment_problem(self.environment, "a Triton model container", reserved=1)
        if problem:
            fail_at(type(self).__name__, ("environment",), self.environment, problem)

    @property
    def is_gpu(self) -> bool:
        return self.instance_type is not None and is_gpu(self.instance_type)

    @property
    def gpus(self) -> int:
        """GPUs per instance (0: none, or serverless): GPU metrics are 100 % per GPU."""
        return 0 if self.instance_type is None else gpu_count(self.instance_type)

    @property
    def minimum_instances(self) -> int:
        """The fewest instances the variant may run: its initial count, the autoscaler's minimum and
        every scheduled minimum (a deployment may start at any of them)."""
        counts = [self.initial_instance_count]
        if self.scaling is not None:
            counts += [self.scaling.min_capacity, *(action.min_capacity for action in self.scaling.scheduled)]
        return min(counts)

    @property
    def maximum_instances(self) -> int:
        """The most instances the variant may run when a deployment starts: the autoscaler's maximum
        (which caps every scheduled maximum), else its initial count."""
        if self.scaling is not None:
            return max(self.initial_instance_count, self.scaling.max_capacity)
        return self.initial_instance_count

    def linear_steps(self, step_percent: int) -> int:
        """How many steps a linear shift of ``step_percent`` takes on this variant, at the worst fleet
        size it may have. SageMaker shifts whole instances and does not document its rounding, so
        the step is taken as rounded down (at least one instance): 50 % of 3 instances is 3 steps."""
        return max(
            math.ceil(count / max(1, count * step_percent // 100))
            for count in range(self.minimum_instances, self.maximum_instances + 1)
        )

    @property
    def provisioning_allowance_seconds(self) -> int:
        """A conservative bound on bringing up the variant's new fleet in a deployment: launching its
        instances (LAUNCH_SECONDS by instance class), downloading the model and passing the
        container's first health check."""
        accelerated = self.instance_type is not None and (
            self.is_gpu or self.instance_type.startswith(("ml.inf", "ml.trn"))
        )
        launch = LAUNCH_SECONDS["accelerated" if accelerated else "cpu"]
        download = self.model_download_timeout_seconds or DEFAULT_DOWNLOAD_SECONDS
        startup = self.container_startup_health_check_timeout_seconds or DEFAULT_STARTUP_SECONDS
        return launch + download + startup


class AsyncSpec(_Spec):
    """Asynchronous inference: requests queue, results land in S3 and notify SNS."""

    max_concurrent_invocations_per_instance: Annotated[int, Field(ge=1, le=1000)] = Field(
        default=4,
        description="Requests SageMaker sends to one instance at a time; the others wait in the queue.",
    )
    notifications: bool = Field(default=True, description="Publish success and error notifications to SNS.")


class DataCaptureSpec(_Spec):
    enabled: bool = Field(
        default=True, description="Capture requests and responses (KMS-encrypted) for monitoring."
    )
    sampling_percent: Annotated[int, Field(ge=1, le=100)] = Field(
        default=20, description="Percentage of requests (with their responses) captured."
    )


def rollback_alarm_name_problem(name: str) -> str | None:
    """Why SageMaker would refuse ``name`` as a rollback alarm's name, or None."""
    if not 1 <= len(name) <= MAX_ALARM_NAME:
        return f"an alarm name has 1-{MAX_ALARM_NAME} characters (got {len(name)})"
    # Java's \s, which AWS's pattern (?!\s*$).+ means: ASCII white space only (a name of only
    # no-break spaces is one CloudWatch and SageMaker take).
    if not name.strip(" \t\n\x0b\f\r"):
        return "an alarm name is not only spaces"
    if any(character in name for character in "\n\r\u0085\u2028\u2029"):
        return "an alarm name is one line (no line break)"
    return None


class DeploymentSpec(_Spec):
    """How an update reaches traffic, and when it rolls back."""

    strategy: Literal["all_at_once", "canary", "linear"] = Field(
        default="all_at_once", description="Blue/green traffic shifting."
    )
    canary_percent: Annotated[int, Field(ge=1, le=50)] = Field(
        default=10,
        description="With strategy `canary`: percentage of the new fleet's capacity that takes traffic "
        "first, for `wait_interval_seconds`, before the rest shifts.",
    )
    linear_step_percent: Annotated[int, Field(ge=10, le=50)] = Field(
        default=20,
        description="With strategy `linear`: percentage of the new fleet's capacity turned on per step, "
        "each followed by `wait_interval_seconds`: 10 to 50 (SageMaker's `LinearStepSize`), and at "
        "least one instance of every variant at its minimum capacity.",
    )
    wait_interval_seconds: Annotated[int, Field(ge=0, le=3600)] = Field(
        default=300, description="Baking time after each traffic shift, in seconds."
    )
    termination_wait_seconds: Annotated[int, Field(ge=0, le=3600)] = Field(
        default=600,
        description="Keep the old fleet this long after the shift, for a fast rollback (seconds).",
    )
    maximum_execution_timeout_seconds: Annotated[int, Field(ge=600, le=MAX_EXECUTION_TIMEOUT)] | None = Field(
        default=None,
        description="Longest a whole blue/green deployment may run, 600-28800 seconds. It must exceed "
        "the baking periods (one for all_at_once, two for canary, one per step for linear, in whole "
        "instances at the worst fleet size the variant may have) plus "
        "`termination_wait_seconds` plus an allowance for provisioning the new fleet: 300 s to launch "
        "CPU instances (600 s for GPU, Inferentia and Trainium) plus each variant's "
        "`model_download_timeout_seconds` and `container_startup_health_check_timeout_seconds` (300 s "
        "each where unset). Default: that total plus 10 %, rounded up to a minute.",
    )

    latency_p99_slo_ms: Annotated[int, Field(ge=1)] = Field(
        default=500,
        description="ModelLatency p99 above this rolls a deployment back (and alarms). Below 60,000 "
        "(3,600,000 with async inference): no invocation lasts longer, so the alarm could never fire.",
    )
    max_5xx_per_minute: Annotated[int, Field(ge=1)] = Field(
        default=5, description="Invocation5XXErrors per minute above this roll a deployment back (and alarm)."
    )
    extra_rollback_alarms: list[str] = Field(
        default_factory=list,
        description="Names of further CloudWatch alarms that roll a deployment back. SageMaker takes at "
        f"most {MAX_ROLLBACK_ALARMS} rollback alarms per endpoint, {ROLLBACK_ALARMS_PER_VARIANT} of them each "
        "production variant's own. Each a CloudWatch alarm name: 1-255 characters on one line, not only "
        "spaces.",
    )

    @field_validator("extra_rollback_alarms")
    @classmethod
    def _alarm_names(cls, value: list[str]) -> list[str]:
        # CreateEndpoint's AutoRollbackConfiguration.Alarms[].AlarmName: 1-255 characters matching
        # (?!\s*$).+ (Java: no line terminator), what CloudWatch names an alarm with.
        fail_at_each(
            "DeploymentSpec",
            [
                ((index,), name, problem)
                for index, name in enumerate(value)
                if (problem := rollback_alarm_name_problem(name))
            ],
        )
        return value

    @property
    def baking_periods(self) -> int:
        """Baking periods of one deployment: all at once bakes once; a canary bakes the canary, then
        the whole new fleet; linear bakes after each of its ``ceil(100 / step)`` steps."""
        if self.strategy == "canary":
            return 2
        if self.strategy == "linear":
            return math.ceil(100 / self.linear_step_percent)
        return 1

    @property
    def waiting_seconds(self) -> int:
        """The waits a deployment always spends: its baking periods and the termination wait."""
        return self.baking_periods * self.wait_interval_seconds + self.termination_wait_seconds


MAX_SHADOW_TEST = timedelta(days=30)
"""The longest an inference experiment may run (SageMaker's ``InferenceExperimentSchedule``)."""


class ShadowTestSpec(_Spec):
    """A SageMaker shadow test (inference experiment, type ShadowMode): for its schedule SageMaker
    deploys the endpoint's shadow variant and copies a share of the champion's (first production
    variant's) requests to it; the responses of the shadow are compared, never returned."""

    start: datetime = Field(
        description="When the test starts: an ISO 8601 timestamp with its UTC offset, e.g. "
        "`2027-01-04T08:00:00Z`."
    )
    end: datetime = Field(
        description="When it ends (the shadow is removed): after `start`, at most 30 days later "
        "(SageMaker's limit)."
    )
    sampling_percent: Annotated[int, Field(ge=1, le=100)] = Field(
        default=100, description="Percentage of the champion's requests copied to the shadow, 1-100."
    )
    capture: bool = Field(
        default=True,
        description="Store the test's requests and responses under `data-capture/<endpoint>/shadow-test/` "
        "of the artifact bucket, KMS-encrypted.",
    )

    @field_validator("start", "end", mode="before")
    @classmethod
    def _aware(cls, value: object) -> datetime:
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                raise ValueError(
                    f"{value!r} is not an ISO 8601 timestamp, e.g. 2027-01-04T08:00:00Z"
                ) from None
        if not isinstance(value, datetime):
            raise ValueError(f"{value!r} is not a timestamp: write it as e.g. 2027-01-04T08:00:00Z")
        if value.tzinfo is None:
            raise ValueError(f"{value.isoformat()} has no UTC offset: write it as e.g. 2027-01-04T08:00:00Z")
        return value.astimezone(UTC)

    @model_validator(mode="after")
    def _window(self) -> ShadowTestSpec:
        if self.end <= self.start:
            fail_at("ShadowTestSpec", ("end",), self.end.isoformat(), "end must be after start")
        if self.end - self.start > MAX_SHADOW_TEST:
            fail_at(
                "ShadowTestSpec",
                ("end",),
                self.end.isoformat(),
                f"a shadow test runs at most 30 days (SageMaker's limit); this one runs {self.end - self.start}",
            )
        return self

    @staticmethod
    def timestamp(value: datetime) -> str:
        """The form the schedule is sent in: UTC, seconds, ``Z``."""
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class EndpointSpec(_Spec):
    """One SageMaker endpoint: production variants (A/B by weight), an optional shadow, a rollout plan."""

    name: str = Field(
        description="1-63 letters or digits separated by '-'. The stack prefixes it for the SageMaker "
        "endpoint's name; it names the S3 prefixes `data-capture/<name>/` and `async-inference/<name>/`."
    )
    variants: Annotated[list[VariantSpec], Field(min_length=1, max_length=10)] = Field(
        description="Production variants serving traffic split by `weight`: 1-5, as each adds "
        f"{ROLLBACK_ALARMS_PER_VARIANT} of the endpoint's at most {MAX_ROLLBACK_ALARMS} rollback alarms (fewer "
        "with `deployment.extra_rollback_alarms`); a serverless endpoint has exactly one. With the shadow variant, all on local-NVMe instance types or none (the "
        "endpoint's one KMS key)."
    )
    shadow_variants: Annotated[list[VariantSpec], Field(max_length=1)] = Field(
        default_factory=list,
        description="At most one shadow variant: gets a copy of requests, its responses are not returned. "
        "Not with serverless or async inference.",
    )
    shadow_test: ShadowTestSpec | None = Field(
        default=None,
        description="Run the shadow variant as a scheduled SageMaker shadow test (inference experiment) "
        "instead of deploying it with the endpoint: SageMaker adds it for the test's window only. "
        "Needs one instance-based shadow variant and an instance-based champion.",
    )
    async_inference: AsyncSpec | None = Field(
        default=None,
        description="Make the endpoint asynchronous (results in S3); needed to scale to zero and for "
        "`backlog_per_instance`. Not with serverless or shadow variants.",
    )
    data_capture: DataCaptureSpec = Field(
        default=DataCaptureSpec(),
        description="Capture of requests and responses under `data-capture/<name>/`, the input of the "
        "monitors; must be disabled for a serverless endpoint.",
    )
    deployment: DeploymentSpec = Field(
        default=DeploymentSpec(), description="How an update reaches traffic, and when it rolls back."
    )

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        return _endpoint_name(value)

    @model_validator(mode="after")
    def _rollback_alarms_fit(self) -> EndpointSpec:
        own = ROLLBACK_ALARMS_PER_VARIANT * len(self.variants)
        extra = self.deployment.extra_rollback_alarms
        if own + len(extra) > MAX_ROLLBACK_ALARMS:
            where: tuple[str, ...] = ("deployment", "extra_rollback_alarms") if extra else ("variants",)
            fail_at(
                "EndpointSpec",
                where,
                extra if extra else len(self.variants),
                f"{len(self.variants)} production variants roll back on {own} alarms of their own "
                f"({ROLLBACK_ALARMS_PER_VARIANT} each) and {len(extra)} extra_rollback_alarms: "
                f"{own + len(extra)} in all; SageMaker takes at most {MAX_ROLLBACK_ALARMS} rollback alarms per endpoint",
            )
        return self

    @model_validator(mode="after")
    def _consistent(self) -> EndpointSpec:
        names = [variant.name for variant in [*self.variants, *self.shadow_variants]]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"duplicate variant names: {', '.join(duplicates)}")
        serverless = [v.name for v in self.variants if v.serverless is not None]
        if serverless:
            if len(self.variants) > 1 or self.shadow_variants:
                raise ValueError("a serverless endpoint has exactly one variant and no shadow variant")
            if self.async_inference is not None:
                raise ValueError("serverless and async inference cannot be combined")
            if self.data_capture.enabled:
                # At the key to change, which a prod endpoint often inherits from endpoint_defaults.
                fail_at(
                    "EndpointSpec",
                    ("data_capture", "enabled"),
                    True,
                    "serverless endpoints do not support data capture: set data_capture.enabled: false",
                )
        for position, shadow in enumerate(self.shadow_variants):
            if shadow.scaling is not None:
                # Application Auto Scaling's SageMaker target is a production variant
                # (endpoint/<name>/variant/<variant>); a shadow's scaling would be dropped silently.
                fail_at(
                    "EndpointSpec",
                    ("shadow_variants", position, "scaling"),
                    "scaling",
                    f"shadow variant '{shadow.name}' cannot autoscale (Application Auto Scaling scales "
                    "production variants only): remove scaling and size it with initial_instance_count",
                )
        if sum(v.weight for v in self.variants) <= 0:
            raise ValueError("the production variants' weights must not all be 0")
        # Production variants only: a shadow variant's scaling is refused above.
        for position, variant in enumerate(self.variants):
            scaling = variant.scaling
            if scaling is None:
                continue
            if scaling.min_capacity == 0 and self.async_inference is None:
                fail_at(
                    "EndpointSpec",
                    ("variants", position, "scaling", "min_capacity"),
                    0,
                    f"variant '{variant.name}': scaling to zero (min_capacity 0) needs async inference",
                )
            if scaling.backlog_per_instance is not None and self.async_inference is None:
                fail_at(
                    "EndpointSpec",
                    ("variants", position, "scaling", "backlog_per_instance"),
                    scaling.backlog_per_instance,
                    f"variant '{variant.name}': backlog_per_instance needs async inference",
                )
            for number, action in enumerate(scaling.scheduled):
                if action.min_capacity == 0 and (
                    self.async_inference is None or scaling.backlog_per_instance is None
                ):
                    fail_at(
                        "EndpointSpec",
                        ("variants", position, "scaling", "scheduled", number, "min_capacity"),
                        0,
                        f"variant '{variant.name}': scheduled '{action.name}' min_capacity 0 scales to zero, "
                        "which needs async inference and backlog_per_instance",
                    )
            if scaling.min_capacity == 0 and scaling.backlog_per_instance is None:
                # The scale-from-zero step policy is tied to the backlog target; without it a variant
                # at zero instances has no metric that brings the first one back.
                fail_at(
                    "EndpointSpec",
                    ("variants", position, "scaling", "backlog_per_instance"),
                    None,
                    f"variant '{variant.name}': scaling to zero (min_capacity 0) needs backlog_per_instance, "
                    "the policy that starts the first instance again",
                )
        self._one_kind_of_storage()
        if self.async_inference is not None and self.shadow_variants:
            fail_at(
                "EndpointSpec",
                ("shadow_variants",),
                len(self.shadow_variants),
                "async endpoints do not support shadow variants",
            )
        slo = self.deployment.latency_p99_slo_ms
        problem = latency_slo_problem(slo, asynchronous=self.async_inference is not None)
        if problem:
            fail_at("EndpointSpec", ("deployment", "latency_p99_slo_ms"), slo, problem)
        if self.shadow_test is not None:
            if not self.shadow_variants:
                fail_at(
                    "EndpointSpec",
                    ("shadow_test",),
                    "shadow_test",
                    "a shadow test runs the endpoint's shadow variant: add one to shadow_variants",
                )
            for kind, variant in (("champion", self.variants[0]), ("shadow", self.shadow_variants[0])):
                if variant.instance_type is None:
                    fail_at(
                        "EndpointSpec",
                        ("shadow_test",),
                        "shadow_test",
                        f"a shadow test deploys real-time instances: its {kind} variant '{variant.name}' "
                        "needs an instance_type",
                    )
        return self

    @model_validator(mode="after")
    def _joined_names_are_distinct(self) -> EndpointSpec:
        seen: dict[str, str] = {}
        for name, location in joined_names(self):
            if name.lower() in seen:
                fail_at("EndpointSpec", location, name, joined_name_collision(name, seen[name.lower()]))
            seen[name.lower()] = dotted_key(location)
        return self

    def _one_kind_of_storage(self) -> None:
        """Every instance variant (production and shadow) on local-NVMe types, or none: the
        endpoint configuration has one KMS key, which SageMaker refuses for local-NVMe types and
        an EBS volume needs (the pack's ``endpoint-config-kms-encrypted``; a shadow test's one
        volume key likewise)."""
        placed = [(("variants", position), variant) for position, variant in enumerate(self.variants)] + [
            (("shadow_variants", position), variant) for position, variant in enumerate(self.shadow_variants)
        ]
        instances = [(where, v) for where, v in placed if v.instance_type is not None]
        if not instances:
            return
        first = has_instance_store(instances[0][1].instance_type or "")
        for where, variant in instances[1:]:
            if has_instance_store(variant.instance_type or "") != first:
                reference = instances[0][1]
                fail_at(
                    "EndpointSpec",
                    (*where, "instance_type"),
                    variant.instance_type,
                    f"variant '{variant.name}' ({variant.instance_type}) and variant '{reference.name}' "
                    f"({reference.instance_type}) must both use local-NVMe instance types or both EBS-backed "
                    "ones: the endpoint's one KMS key is refused by the first and required by the second; "
                    "serve them from two endpoints",
                )

    @model_validator(mode="after")
    def _deployment_fits_the_fleet(self) -> EndpointSpec:
        """SageMaker's blue/green rules, checked here rather than at deploy time: a canary or a linear
        step is a part of every variant's fleet (at least one instance, never all of them), and the
        execution timeout exceeds the waits plus provisioning."""
        deployment = self.deployment
        if deployment.strategy != "all_at_once":
            field = "canary_percent" if deployment.strategy == "canary" else "linear_step_percent"
            percent = getattr(deployment, field)
            for variant in self.variants:
                if variant.serverless is not None:
                    continue
                count = variant.minimum_instances
                if percent * count < 100:
                    fail_at(
                        "EndpointSpec",
                        ("deployment", field),
                        percent,
                        f"{percent} % of variant '{variant.name}' at its minimum of {count} instance"
                        f"{'s' if count != 1 else ''} is {percent * count / 100:g} instances; a "
                        f"{deployment.strategy} step must be at least one instance and not all of them: "
                        + (
                            f"raise {field} to at least {math.ceil(100 / count)}"
                            if count and math.ceil(100 / count) <= 50
                            else f"keep at least {math.ceil(100 / percent)} instances (initial_instance_count, "
                            "scaling.min_capacity and scheduled min_capacity)"
                        )
                        + ", or use strategy all_at_once",
                    )
        required = self.deployment_duration_seconds
        timeout = deployment.maximum_execution_timeout_seconds
        if required >= MAX_EXECUTION_TIMEOUT or (timeout is not None and timeout <= required):
            fail_at(
                "EndpointSpec",
                ("deployment", "maximum_execution_timeout_seconds"),
                timeout,
                f"a deployment waits {self.waiting_seconds} s ({self.baking_periods} baking "
                f"period(s) of {deployment.wait_interval_seconds} s and termination_wait_seconds "
                f"{deployment.termination_wait_seconds}) and may take {required - self.waiting_seconds} s "
                f"to provision the new fleet, {required} s in all; the timeout must exceed that and AWS "
                f"allows at most {MAX_EXECUTION_TIMEOUT}: shorten the waits"
                + (
                    ""
                    if timeout is None or required >= MAX_EXECUTION_TIMEOUT
                    else f" or raise it above {required}"
                ),
            )
        return self

    @property
    def baking_periods(self) -> int:
        """Baking periods of one deployment of this endpoint: the strategy's, and for linear the
        most steps any instance-backed variant's fleet needs (whole instances per step)."""
        deployment = self.deployment
        steps = [
            variant.linear_steps(deployment.linear_step_percent)
            for variant in self.variants
            if deployment.strategy == "linear" and variant.serverless is None
        ]
        return max([deployment.baking_periods, *steps])

    @property
    def waiting_seconds(self) -> int:
        """The waits one deployment of this endpoint always spends: baking and the termination wait."""
        deployment = self.deployment
        return self.baking_periods * deployment.wait_interval_seconds + deployment.termination_wait_seconds

    @property
    def deployment_duration_seconds(self) -> int:
        """The longest a deployment may take: its waits plus the slowest variant's provisioning."""
        variants = [*self.variants, *self.shadow_variants]
        return self.waiting_seconds + max(v.provisioning_allowance_seconds for v in variants)

    @property
    def execution_timeout_seconds(self) -> int:
        """``MaximumExecutionTimeoutInSeconds``: the configured value, else the deployment's duration
        plus 10 %, rounded up to a minute (600-28800)."""
        configured = self.deployment.maximum_execution_timeout_seconds
        if configured is not None:
            return configured
        padded = math.ceil(self.deployment_duration_seconds * 1.1 / 60) * 60
        return min(max(padded, 600), MAX_EXECUTION_TIMEOUT)

    @property
    def is_serverless(self) -> bool:
        return any(variant.serverless is not None for variant in self.variants)


def joined_names(endpoint: EndpointSpec) -> list[tuple[str, tuple[str | int, ...]]]:
    """The names the endpoint's children are registered under, ``<endpoint>-<variant>[-<action>]``
    (Pulumi resources, alarms, scheduled actions), each with its location in the spec."""
    joined: list[tuple[str, tuple[str | int, ...]]] = []
    for kind in ("variants", "shadow_variants"):
        for position, variant in enumerate(getattr(endpoint, kind)):
            at: tuple[str | int, ...] = (kind, position)
            joined.append((f"{endpoint.name}-{variant.name}", (*at, "name")))
            for number, action in enumerate(variant.scaling.scheduled if variant.scaling else []):
                joined.append(
                    (
                        f"{endpoint.name}-{variant.name}-{action.name}",
                        (*at, "scaling", "scheduled", number, "name"),
                    )
                )
    return joined


def dotted_key(location: tuple[str | int, ...]) -> str:
    """``("variants", 0, "name")`` → ``variants[0].name``."""
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in location).lstrip(".")


def joined_name_collision(name: str, other: str) -> str:
    """Why ``name`` may not also be ``other``'s (a key such as ``endpoints[0].variants[1].name``)."""
    return (
        f"'{name}' (endpoint-variant[-scheduled action]) is also {other}'s: resources and alarms named after "
        "both would collide; rename one"
    )
