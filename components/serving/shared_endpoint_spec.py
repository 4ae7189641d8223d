"""Typed, validated spec of a shared SageMaker endpoint: several models on one fleet of instances,
each an inference component with its own compute requirements, copies and scaling."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from ..instance_types import instance_resources, validate_instance_type
from ..invocation_alarms import latency_slo_problem
from ..limits import INT32_MAX, fail_at
from .inference_endpoint_spec import (
    MAX_ENVIRONMENT,
    DataCaptureSpec,
    ModelSource,
    _endpoint_name,
    _Spec,
    container_environment_problem,
    target_value_problem,
)
from .sagemaker_names import _sagemaker_name

ROUTING_STRATEGIES = {"least_outstanding_requests": "LEAST_OUTSTANDING_REQUESTS", "random": "RANDOM"}
"""``routing`` → SageMaker's ``RoutingStrategy``."""


class ComputeSpec(_Spec):
    """What one copy of a component reserves on an instance (``ComputeResourceRequirements``)."""

    memory_mb: Annotated[int, Field(ge=128)] = Field(
        description="Memory reserved for each copy, in MiB (`MinMemoryRequiredInMb`, at least 128)."
    )
    max_memory_mb: Annotated[int, Field(ge=128, le=INT32_MAX)] | None = Field(
        default=None,
        description="Most memory a copy may use, in MiB (`MaxMemoryRequiredInMb`); at least `memory_mb`. "
        "Default: no limit beyond the instance's.",
    )
    cpu_cores: Annotated[float, Field(ge=0.25)] | None = Field(
        default=None,
        description="vCPUs reserved for each copy (`NumberOfCpuCoresRequired`, at least 0.25). Default: "
        "none reserved.",
    )
    accelerators: Annotated[int, Field(ge=1)] | None = Field(
        default=None,
        description="GPUs (accelerator devices) reserved for each copy (`NumberOfAcceleratorDevicesRequired`); "
        "only on instance types that have them. Default: none, the copy runs on CPU.",
    )

    @model_validator(mode="after")
    def _memory_range(self) -> ComputeSpec:
        if self.max_memory_mb is not None and self.max_memory_mb < self.memory_mb:
            fail_at(
                "ComputeSpec",
                ("max_memory_mb",),
                self.max_memory_mb,
                f"max_memory_mb {self.max_memory_mb} is below memory_mb {self.memory_mb}",
            )
        return self


class ComponentScalingSpec(_Spec):
    """Application Auto Scaling of a component's copy count (``sagemaker:inference-component:DesiredCopyCount``)."""

    min_copies: Annotated[int, Field(ge=1)] = Field(
        description="Fewest copies the autoscaler keeps (at least 1)."
    )
    max_copies: Annotated[int, Field(ge=1, le=1000)] = Field(description="Most copies the autoscaler runs.")
    invocations_per_copy: Annotated[int, Field(ge=1)] = Field(
        default=50,
        description="Target tracking on SageMakerInferenceComponentInvocationsPerCopy (invocations a copy "
        "serves a minute); at most 2^359, within every TargetValue range AWS documents.",
    )
    scale_in_cooldown_seconds: Annotated[int, Field(ge=0, le=3600)] = Field(
        default=300, description="Seconds after a scale-in before the policy may scale in again."
    )
    scale_out_cooldown_seconds: Annotated[int, Field(ge=0, le=3600)] = Field(
        default=60,
        description="Seconds added copies get to take effect before the policy scales out further.",
    )

    @field_validator("invocations_per_copy")
    @classmethod
    def _target_value(cls, value: int) -> int:
        problem = target_value_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _bounds(self) -> ComponentScalingSpec:
        if self.min_copies > self.max_copies:
            fail_at(
                "ComponentScalingSpec",
                ("min_copies",),
                self.min_copies,
                f"min_copies {self.min_copies} > max_copies {self.max_copies}",
            )
        return self


class InferenceComponentSpec(_Spec):
    """One model on the shared endpoint: an inference component with its own model, compute and copies."""

    name: str = Field(
        description="1-63 letters or digits separated by '-', unique within the endpoint; the component is "
        "named `<endpoint's physical name>-<name>` (what clients pass as `InferenceComponentName`)."
    )
    model: ModelSource = Field(
        description="What the component serves: `latest_approved_of` a model family, a pinned "
        "`model_package_arn`, or an `image` (+ `model_data_url`); not Triton."
    )
    environment: dict[str, str] = Field(
        default_factory=dict,
        description=f"Container environment variables (at most {MAX_ENVIRONMENT}; names of letters, digits "
        "and `_`, not starting with a digit).",
    )
    compute: ComputeSpec = Field(description="What each copy reserves on an instance.")
    copies: Annotated[int, Field(ge=1, le=1000)] = Field(
        default=1,
        description="Copies deployed at creation (`CopyCount`); with `scaling`, within its min and max copies.",
    )
    scaling: ComponentScalingSpec | None = Field(
        default=None, description="Autoscale the copy count on invocations per copy. Default: fixed `copies`."
    )
    model_download_timeout_seconds: Annotated[int, Field(ge=60, le=3600)] | None = Field(
        default=None, description="Time to download the model before health checks start."
    )
    container_startup_health_check_timeout_seconds: Annotated[int, Field(ge=60, le=3600)] | None = Field(
        default=None, description="Seconds a copy's container may take to pass its first health check."
    )

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        return _sagemaker_name(value, "inference component name")

    @field_validator("environment")
    @classmethod
    def _environment(cls, value: dict[str, str]) -> dict[str, str]:
        problem = container_environment_problem(value, "an inference component")
        if problem:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> InferenceComponentSpec:
        if self.model.triton is not None:
            fail_at(
                "InferenceComponentSpec",
                ("model", "triton"),
                "triton",
                "a shared endpoint's component serves a model package or an image, not a Triton repository",
            )
        scaling = self.scaling
        if scaling is not None and not scaling.min_copies <= self.copies <= scaling.max_copies:
            fail_at(
                "InferenceComponentSpec",
                ("copies",),
                self.copies,
                f"copies {self.copies} must lie within scaling.min_copies {scaling.min_copies} and "
                f"max_copies {scaling.max_copies}",
            )
        return self

    @property
    def min_copies(self) -> int:
        return self.scaling.min_copies if self.scaling else self.copies

    @property
    def max_copies(self) -> int:
        return self.scaling.max_copies if self.scaling else self.copies


class ManagedScalingSpec(_Spec):
    """SageMaker's managed instance scaling: it adds instances when copies do not fit, and removes idle ones."""

    min_instances: Annotated[int, Field(ge=1)] = Field(description="Fewest instances the endpoint keeps.")
    max_instances: Annotated[int, Field(ge=1, le=100)] = Field(
        description="Most instances SageMaker provisions to place the components' copies."
    )

    @model_validator(mode="after")
    def _bounds(self) -> ManagedScalingSpec:
        if self.min_instances > self.max_instances:
            fail_at(
                "ManagedScalingSpec",
                ("min_instances",),
                self.min_instances,
                f"min_instances {self.min_instances} > max_instances {self.max_instances}",
            )
        return self


class SharedEndpointSpec(_Spec):
    """One SageMaker endpoint hosting several models as inference components on one fleet."""

    name: str = Field(
        description="1-63 letters or digits separated by '-'. The stack prefixes it for the endpoint's name; "
        "it names the S3 prefix `data-capture/<name>/`. Unique across `endpoints` and `shared_endpoints`."
    )
    instance_type: str = Field(
        description="ml.* instance type every component's copies share; one whose vCPUs, memory and GPUs "
        "the platform knows (components/instance_types.py `INSTANCE_RESOURCES`)."
    )
    initial_instance_count: Annotated[int, Field(ge=1, le=100)] = Field(
        default=1, description="Instances the endpoint starts with; within managed_scaling's bounds."
    )
    managed_scaling: ManagedScalingSpec | None = Field(
        default=None,
        description="Managed instance scaling (`ManagedInstanceScaling`): SageMaker grows the fleet when "
        "copies do not fit and shrinks it when instances are idle. Default: a fixed `initial_instance_count`.",
    )
    routing: Literal["least_outstanding_requests", "random"] = Field(
        default="least_outstanding_requests",
        description="How requests reach a component's copies (`RoutingConfig.RoutingStrategy`).",
    )
    components: Annotated[list[InferenceComponentSpec], Field(min_length=1, max_length=50)] = Field(
        description="The models sharing the instances: 1-50 inference components."
    )
    data_capture: DataCaptureSpec = Field(
        default=DataCaptureSpec(),
        description="Capture of requests and responses under `data-capture/<name>/` (KMS-encrypted).",
    )
    latency_p99_slo_ms: Annotated[int, Field(ge=1)] = Field(
        default=500,
        description="Each component's p99 model latency alarm threshold, in milliseconds: below 60,000 "
        "(no invocation lasts longer, so the alarm could never fire).",
    )
    max_5xx_per_minute: Annotated[int, Field(ge=1)] = Field(
        default=5, description="Each component's 5xx-errors alarm threshold, per minute."
    )
    update_wait_seconds: Annotated[int, Field(ge=0, le=3600)] = Field(
        default=120,
        description="A component's update replaces one copy at a time (rolling update) and waits this long "
        "after each before the next, rolling back when the component's 5xx or latency alarm fires.",
    )
    update_timeout_seconds: Annotated[int, Field(ge=600, le=28800)] = Field(
        default=3600, description="Longest a component's rolling update may take (600-28800 seconds)."
    )

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        return _endpoint_name(value)

    @field_validator("instance_type")
    @classmethod
    def _known_instance(cls, value: str) -> str:
        validate_instance_type(value)
        instance_resources(value)
        return value

    @field_validator("latency_p99_slo_ms")
    @classmethod
    def _reachable_slo(cls, value: int) -> int:
        problem = latency_slo_problem(value, asynchronous=False)
        if problem:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> SharedEndpointSpec:
        names = [component.name.lower() for component in self.components]
        for index, name in enumerate(names):
            if name in names[:index]:
                fail_at(
                    "SharedEndpointSpec",
                    ("components", index, "name"),
                    self.components[index].name,
                    f"duplicate component name: also components[{names.index(name)}]'s",
                )
        scaling = self.managed_scaling
        if (
            scaling is not None
            and not scaling.min_instances <= self.initial_instance_count <= scaling.max_instances
        ):
            fail_at(
                "SharedEndpointSpec",
                ("initial_instance_count",),
                self.initial_instance_count,
                f"initial_instance_count {self.initial_instance_count} must lie within managed_scaling's "
                f"min_instances {scaling.min_instances} and max_instances {scaling.max_instances}",
            )
        self._copies_fit()
        return self

    def _copies_fit(self) -> None:
        """Each copy fits one instance; the initial and the most copies fit the most instances."""
        cpus, memory, devices = instance_resources(self.instance_type)
        for index, component in enumerate(self.components):
            compute = component.compute
            for key, needed, offered, what in (
                ("cpu_cores", compute.cpu_cores or 0, cpus, "vCPUs"),
                ("memory_mb", compute.memory_mb, memory, "MiB of memory"),
                ("accelerators", compute.accelerators or 0, devices, "accelerator devices (GPUs)"),
            ):
                if needed > offered:
                    fail_at(
                        "SharedEndpointSpec",
                        ("components", index, "compute", key),
                        needed,
                        f"component '{component.name}' reserves {needed:g} {what} a copy; {self.instance_type} "
                        f"has {offered}",
                    )
        for copies, label in ((lambda c: c.copies, "copies"), (lambda c: c.max_copies, "maximum copies")):
            demand = [(component, copies(component)) for component in self.components]
            if not fits(demand, (cpus, memory, devices), self.max_instances):
                fail_at(
                    "SharedEndpointSpec",
                    ("managed_scaling", "max_instances")
                    if self.managed_scaling
                    else ("initial_instance_count",),
                    self.max_instances,
                    f"the components' {label} ({', '.join(f'{c.name} x {n}' for c, n in demand)}) do not fit "
                    f"on {self.max_instances} {self.instance_type} instance(s) ({cpus} vCPUs, {memory} MiB, "
                    f"{devices} GPUs each): add instances or reserve less",
                )

    @property
    def min_instances(self) -> int:
        return self.managed_scaling.min_instances if self.managed_scaling else self.initial_instance_count

    @property
    def max_instances(self) -> int:
        return self.managed_scaling.max_instances if self.managed_scaling else self.initial_instance_count


def copy_demand(component: InferenceComponentSpec) -> tuple[float, int, int]:
    """(vCPUs, MiB, GPUs) one copy of ``component`` reserves."""
    compute = component.compute
    return (compute.cpu_cores or 0.0, compute.memory_mb, compute.accelerators or 0)


def fits(
    demand: list[tuple[InferenceComponentSpec, int]], instance: tuple[int, int, int], instances: int
) -> bool:
    """Whether the copies fit on ``instances`` instances of ``instance`` (vCPUs, MiB, GPUs): first-fit
    decreasing, largest copies first (a placement SageMaker can at least match)."""
    copies = sorted(
        (copy_demand(component) for component, count in demand for _ in range(count)),
        key=lambda need: tuple(need[i] / max(instance[i], 1) for i in (2, 1, 0)),
        reverse=True,
    )
    free: list[list[float]] = [list(instance) for _ in range(instances)]  # vCPUs are fractional
    for need in copies:
        for room in free:
            if all(need[i] <= room[i] for i in range(3)):
                for i in range(3):
                    room[i] -= need[i]
                break
        else:
            return False
    return True


def inference_component_name(endpoint_name: str, component: str) -> str:
    """The physical name of a shared endpoint's component: ``<endpoint's name>-<component>``."""
    return f"{endpoint_name}-{component}"
