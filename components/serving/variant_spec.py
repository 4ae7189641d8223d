"""An endpoint's production or shadow variant: its instances or serverless capacity, and the
autoscaling (target tracking, step policies and scheduled limits) of its instance count."""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import BaseModel, Field, field_validator, model_validator

from ..instance_types import gpu_count, has_instance_store, is_gpu, offered_instance_type
from ..limits import SPEC_CONFIG, fail_at
from ..schedules import eventbridge_schedule_problem, time_zone_problem
from .endpoint_metrics import EndpointKind, publishes
from .model_source_spec import (
    MAX_ENVIRONMENT,
    MAX_ENVIRONMENT_TEXT,
    ModelSource,
    container_environment_problem,
)
from .sagemaker_names import _sagemaker_name
from .step_scaling_spec import GPU_METRICS, StepScalingSpec
from .triton import DEFAULT_MODEL_ENV, triton_instance_problem

SERVERLESS_MEMORY_MB = (1024, 2048, 3072, 4096, 5120, 6144)
LAUNCH_SECONDS = {"cpu": 300, "accelerated": 600}
"""Allowance for SageMaker to launch a new fleet's instances, by instance class: GPU and
accelerator instances (ml.g*, ml.p*, ml.inf*, ml.trn*) are scarcer and boot larger images."""
DEFAULT_DOWNLOAD_SECONDS = 300
DEFAULT_STARTUP_SECONDS = 300
"""Allowances for the model download and the container's first health check where the variant
leaves ``model_download_timeout_seconds`` and ``container_startup_health_check_timeout_seconds``
unset (its own values, the longest SageMaker waits for them, are used where set)."""
MAX_SCHEDULED_ACTIONS = 200
"""Application Auto Scaling's scheduled actions per scalable target (a quota AWS does not raise)."""
MAX_SCALING_POLICIES = 50
"""Application Auto Scaling's scaling policies per scalable target (its service quota)."""
TARGET_VALUE_MIN = 2.0**-359
TARGET_VALUE_MAX = 2.0**359
"""The target values checked: 2^-359 to 2^359, the range with both ends AWS has given for a
target-tracking TargetValue ("8.515920e-109 to 1.174271e+108 (Base 10)" in Application Auto Scaling's
API reference, TargetTrackingScalingPolicyConfiguration, until its current wording, and still in
DynamoDB's for the same setting). The current wording (also botocore's model) is "it won't accept
values that are either too small or too large ... in the range of -2^360 to 2^360", which holds the
older range but names no smallest magnitude: a target within 2^-359 to 2^359 is taken under either.
Every target the platform sets is positive (the specs' fields are above 0)."""
INVOCATIONS_PER_INSTANCE = "SageMakerVariantInvocationsPerInstance"
"""Application Auto Scaling's predefined metric of the invocations target."""


class _Spec(BaseModel):
    model_config = SPEC_CONFIG


def target_value_problem(value: float) -> str | None:
    """Why ``value`` cannot be a target-tracking TargetValue (not within 2^-359 to 2^359), or None.

    An integer is judged as the Double it reaches AWS as: Pulumi's wire carries every number as a
    double (protobuf ``Value.number_value``) and the API's TargetValue is one, so 2^359 + 1 arrives
    as 2^359 and is taken, while one no Double holds is refused."""
    try:
        sent = float(value)
    except OverflowError:  # an integer no Double holds (TargetValue's type), on its own side
        sent, shown = (math.inf if value > 0 else -math.inf), "an integer past a Double's range"
    else:
        if TARGET_VALUE_MIN <= sent <= TARGET_VALUE_MAX:
            return None
        # In full: rounded, a float one past an end would read as the end.
        shown = repr(sent)
    side = (
        f"above 2^359 ({TARGET_VALUE_MAX:.6e})"
        if sent > TARGET_VALUE_MAX
        else f"below 2^-359 ({TARGET_VALUE_MIN:.6e})"
    )
    return (
        f"{shown} is {side}: a target value lies within 2^-359 to 2^359, the range Application Auto "
        "Scaling's API reference has given (its current wording, -2^360 to 2^360 refusing values too "
        "small, holds it)"
    )


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
        default=100,
        description="Target tracking on SageMakerVariantInvocationsPerInstance (per minute). Real-time "
        "endpoints only: an async endpoint publishes no InvocationsPerInstance, so there the default is not "
        "applied and a value is refused (use `backlog_per_instance`). At most 2^359, within every "
        "TargetValue range AWS documents.",
    )
    gpu_utilization_percent: Annotated[float, Field(gt=0, le=100)] | None = Field(
        default=None,
        description="Target tracking on the variant's average GPU utilisation, in percent of its "
        "instance's GPUs (GPUUtilization is 100 per GPU: the target is this times the GPU count). At least "
        "2^-359, within every TargetValue range AWS documents.",
    )
    backlog_per_instance: Annotated[float, Field(gt=0)] | None = Field(
        default=None,
        description="Async only: target ApproximateBacklogSizePerInstance; scales from zero on backlog. "
        "2^-359 to 2^359, within every TargetValue range AWS documents.",
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

    step: list[StepScalingSpec] = Field(
        default_factory=list,
        description="Step scaling policies, each run by a CloudWatch alarm on one of the variant's metrics "
        "(scale out above a threshold, in below it), besides the target tracking above. With the "
        f"target-tracking and scale-from-zero policies, at most {MAX_SCALING_POLICIES} per variant "
        "(Application Auto Scaling's quota per scalable target). Default: none.",
    )

    def target_tracking(self, kind: EndpointKind) -> dict[str, float]:
        """The target-tracking policies the variant's scalable target gets on an endpoint of this
        kind, with their targets as set here (``endpoint_autoscaling.scale_variant`` creates these
        and no others): one per metric set that the endpoint publishes (endpoint_metrics.py). An
        async endpoint publishes no InvocationsPerInstance, so the invocations default is not
        applied there; only an async one publishes the backlog."""
        metrics = {
            "invocations": (self.invocations_per_instance, INVOCATIONS_PER_INSTANCE),
            "gpu": (self.gpu_utilization_percent, "GPUUtilization"),
            "backlog": (self.backlog_per_instance, "ApproximateBacklogSizePerInstance"),
        }
        return {
            policy: float(target)
            for policy, (target, metric) in metrics.items()
            if target is not None and publishes(kind, metric)
        }

    def scales_from_zero(self, kind: EndpointKind) -> bool:
        """Whether the variant gets the scale-from-zero step policy: at min_capacity 0 with the
        backlog target (target tracking cannot leave zero instances)."""
        return self.min_capacity == 0 and "backlog" in self.target_tracking(kind)

    def policy_count(self, kind: EndpointKind) -> int:
        """The scaling policies the variant's scalable target gets on an endpoint of this kind: its
        target-tracking policies, the scale-from-zero step and the user's steps."""
        return len(self.target_tracking(kind)) + self.scales_from_zero(kind) + len(self.step)

    def policy_quota_problem(self, kind: EndpointKind) -> str | None:
        """Why Application Auto Scaling would refuse the variant's policies, if it would."""
        count = self.policy_count(kind)
        if count <= MAX_SCALING_POLICIES:
            return None
        return (
            f"{count} scaling policies ({len(self.step)} steps and {count - len(self.step)} "
            f"target-tracking or scale-from-zero); Application Auto Scaling takes at most "
            f"{MAX_SCALING_POLICIES} per scalable target"
        )

    @field_validator("invocations_per_instance", "gpu_utilization_percent", "backlog_per_instance")
    @classmethod
    def _target_value(cls, value: float | None) -> float | None:
        # Each is a TargetValue (the GPU one times its instance's GPU count, which stays in range).
        problem = None if value is None else target_value_problem(value)
        if problem:
            raise ValueError(problem)
        return value

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
        self._check_steps()
        for number, action in enumerate(self.scheduled):
            if action.max_capacity > self.max_capacity:
                fail_at(
                    "ScalingSpec",
                    ("scheduled", number, "max_capacity"),
                    action.max_capacity,
                    f"scheduled '{action.name}' max_capacity exceeds max_capacity {self.max_capacity}",
                )
        return self

    def _check_steps(self) -> None:
        names = [policy.name for policy in self.step]
        for number, name in enumerate(names):
            if name in names[:number]:
                # The policy and alarm are named <endpoint>-<variant>-step-<name>.
                fail_at(
                    "ScalingSpec",
                    ("step", number, "name"),
                    name,
                    f"duplicate step policy name {name}: also step[{names.index(name)}]'s",
                )
        # The quota is checked by the endpoint, which knows its kind (the policies differ by it).
        for number, policy in enumerate(self.step):
            if policy.adjustment_type != "ExactCapacity":
                continue
            for position, step in enumerate(policy.steps):
                if not self.min_capacity <= step.adjustment <= self.max_capacity:
                    fail_at(
                        "ScalingSpec",
                        ("step", number, "steps", position, "adjustment"),
                        step.adjustment,
                        f"ExactCapacity {step.adjustment} lies outside min_capacity {self.min_capacity} "
                        f"and max_capacity {self.max_capacity}",
                    )


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
            for number, policy in enumerate(scaling.step):
                if policy.metric in GPU_METRICS and not self.is_gpu:
                    fail_at(
                        model,
                        ("scaling", "step", number, "metric"),
                        policy.metric,
                        f"{policy.metric} needs a GPU instance type (got {self.instance_type})",
                    )
                elif policy.metric in GPU_METRICS and policy.threshold > 100 * self.gpus:
                    # Out: the alarm never fires; in: it always does, scaling in to min_capacity.
                    fail_at(
                        model,
                        ("scaling", "step", number, "threshold"),
                        policy.threshold,
                        f"{policy.metric} is 100 per GPU: at most {100 * self.gpus} on {self.instance_type} "
                        f"({self.gpus} GPU(s)), so {policy.threshold:g} is never reached",
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
