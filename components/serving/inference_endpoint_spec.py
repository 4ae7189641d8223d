"""Typed, validated specs of a SageMaker inference endpoint (used by stack config and the component).

The endpoint's parts are specified in sibling modules, re-exported here: its variants and their
scaling (variant_spec.py), what a variant serves (model_source_spec.py), its deployment and shadow
test (deployment_spec.py) and the names SageMaker takes (sagemaker_names.py)."""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import BaseModel, Field, field_validator, model_validator

from ..instance_types import has_instance_store
from ..invocation_alarms import latency_slo_problem
from ..limits import SPEC_CONFIG, fail_at
from .deployment_spec import (
    MAX_ALARM_NAME,
    MAX_EXECUTION_TIMEOUT,
    MAX_ROLLBACK_ALARMS,
    MAX_SHADOW_TEST,
    ROLLBACK_ALARMS_PER_VARIANT,
    DeploymentSpec,
    ShadowTestSpec,
    rollback_alarm_name_problem,
)
from .endpoint_metrics import endpoint_kind
from .model_source_spec import (
    MAX_CONTAINER_IMAGE,
    MAX_ENVIRONMENT,
    MAX_ENVIRONMENT_TEXT,
    MAX_MODEL_DATA_URL,
    ModelSource,
    TritonSource,
    container_environment_problem,
    container_image_problem,
    model_data_url_problem,
)
from .sagemaker_names import (
    MODEL_PACKAGE_VERSION_ARN,
    RESERVED_CAPTURE_FOLDER,
    SAGEMAKER_NAME_MAX,
    _endpoint_name,
    endpoint_name_problem,
    model_package_version_arn_problem,
    resolved_packages_problem,
    sagemaker_name_problem,
)
from .step_scaling_spec import ASYNC_UNPUBLISHED, StepAdjustmentSpec, StepScalingSpec
from .variant_spec import (
    DEFAULT_DOWNLOAD_SECONDS,
    DEFAULT_STARTUP_SECONDS,
    INVOCATIONS_PER_INSTANCE,
    LAUNCH_SECONDS,
    MAX_SCALING_POLICIES,
    MAX_SCHEDULED_ACTIONS,
    SERVERLESS_MEMORY_MB,
    TARGET_VALUE_MAX,
    TARGET_VALUE_MIN,
    ScalingSpec,
    ScheduledCapacity,
    ServerlessSpec,
    VariantSpec,
    target_value_problem,
)

# What this module has always offered, wherever it is defined now (stacks, components, adopters).
__all__ = [
    "DEFAULT_DOWNLOAD_SECONDS",
    "DEFAULT_STARTUP_SECONDS",
    "INVOCATIONS_PER_INSTANCE",
    "LAUNCH_SECONDS",
    "MAX_ALARM_NAME",
    "MAX_CONTAINER_IMAGE",
    "MAX_ENVIRONMENT",
    "MAX_ENVIRONMENT_TEXT",
    "MAX_EXECUTION_TIMEOUT",
    "MAX_MODEL_DATA_URL",
    "MAX_ROLLBACK_ALARMS",
    "MAX_SCALING_POLICIES",
    "MAX_SCHEDULED_ACTIONS",
    "MAX_SHADOW_TEST",
    "MODEL_PACKAGE_VERSION_ARN",
    "RESERVED_CAPTURE_FOLDER",
    "ROLLBACK_ALARMS_PER_VARIANT",
    "SAGEMAKER_NAME_MAX",
    "SERVERLESS_MEMORY_MB",
    "TARGET_VALUE_MAX",
    "TARGET_VALUE_MIN",
    "AsyncSpec",
    "DataCaptureSpec",
    "DeploymentSpec",
    "EndpointSpec",
    "ModelSource",
    "ScalingSpec",
    "ScheduledCapacity",
    "ServerlessSpec",
    "ShadowTestSpec",
    "StepAdjustmentSpec",
    "StepScalingSpec",
    "TritonSource",
    "VariantSpec",
    "container_environment_problem",
    "container_image_problem",
    "dotted_key",
    "endpoint_name_problem",
    "joined_name_collision",
    "joined_names",
    "model_data_url_problem",
    "model_package_version_arn_problem",
    "resolved_packages_problem",
    "rollback_alarm_name_problem",
    "sagemaker_name_problem",
    "target_value_problem",
]


class _Spec(BaseModel):
    model_config = SPEC_CONFIG


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
            # Counted as the component makes them, which depends on the kind of endpoint.
            quota = scaling.policy_quota_problem(
                endpoint_kind(asynchronous=self.async_inference is not None, serverless=False)
            )
            if quota:
                fail_at("EndpointSpec", ("variants", position, "scaling", "step"), len(scaling.step), quota)
            for number, policy in enumerate(scaling.step):
                if self.async_inference is not None and policy.metric in ASYNC_UNPUBLISHED:
                    fail_at(
                        "EndpointSpec",
                        ("variants", position, "scaling", "step", number, "metric"),
                        policy.metric,
                        f"variant '{variant.name}': an async endpoint does not publish {policy.metric}, so "
                        "this step's alarm never fires: use ModelLatency, Invocation4XXErrors, "
                        "Invocation5XXErrors or a utilisation metric (backlog_per_instance scales on the queue)",
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
            if self.async_inference is not None:
                self._async_scaling(position, variant.name, scaling)
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

    @staticmethod
    def _async_scaling(position: int, variant: str, scaling: ScalingSpec) -> None:
        """An async endpoint publishes no InvocationsPerInstance (endpoint_metrics.py): a target
        tracking on it never acts. The default target is real-time's only; one set here is refused,
        and the variant needs a policy on what async publishes."""
        key = ("variants", position, "scaling")
        if "invocations_per_instance" in scaling.model_fields_set and scaling.invocations_per_instance:
            fail_at(
                "EndpointSpec",
                (*key, "invocations_per_instance"),
                scaling.invocations_per_instance,
                f"variant '{variant}': an async endpoint does not publish InvocationsPerInstance, so this "
                "target-tracking policy never acts: remove it and set backlog_per_instance (queued requests "
                "per instance) instead",
            )
        # At min_capacity 0 the missing backlog_per_instance is refused below, as scale-from-zero's.
        if (
            scaling.min_capacity
            and scaling.backlog_per_instance is None
            and scaling.gpu_utilization_percent is None
        ):
            fail_at(
                "EndpointSpec",
                (*key, "backlog_per_instance"),
                None,
                f"variant '{variant}': an async endpoint scales on its queue, not on invocations (it publishes "
                "no InvocationsPerInstance): set backlog_per_instance (or gpu_utilization_percent)",
            )

    @property
    def is_serverless(self) -> bool:
        return any(variant.serverless is not None for variant in self.variants)


def joined_names(endpoint: EndpointSpec) -> list[tuple[str, tuple[str | int, ...]]]:
    """The names the endpoint's children are registered under, ``<endpoint>-<variant>[-<action>]``
    and ``<endpoint>-<variant>-step-<policy>`` (Pulumi resources, alarms, scheduled actions, step
    policies), each with its location in the spec."""
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
            for number, policy in enumerate(variant.scaling.step if variant.scaling else []):
                joined.append(
                    (
                        f"{endpoint.name}-{variant.name}-step-{policy.name}",
                        (*at, "scaling", "step", number, "name"),
                    )
                )
    return joined


def dotted_key(location: tuple[str | int, ...]) -> str:
    """``("variants", 0, "name")`` → ``variants[0].name``."""
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in location).lstrip(".")


def joined_name_collision(name: str, other: str) -> str:
    """Why ``name`` may not also be ``other``'s (a key such as ``endpoints[0].variants[1].name``)."""
    return (
        f"'{name}' (endpoint-variant[-scheduled action or -step-policy]) is also {other}'s: resources and alarms named after "
        "both would collide; rename one"
    )
