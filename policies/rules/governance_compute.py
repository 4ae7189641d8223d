"""Compute governance: instance types allowed per environment and the stack's GPU budget.

Both read instance types the same way (``instances_of``): endpoint variants (shadow ones
too, serverless ones skipped unless they name an instance type; counted at their managed-instance-scaling ceiling), training jobs, notebooks, monitoring jobs and schedules, and the
job steps of pipeline definitions (``{"Get": "Parameters.X"}`` resolved to X's default;
another expression as a step's instance type fails the allowlist, as a GPU step's instance
count or a tuning step's MaxParallelTrainingJobs fails the quota).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fnmatch import fnmatch
from typing import Any

from pulumi_policy import PolicyResource, ResourceValidationArgs, StackValidationArgs
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from ..aws_instance_types import EC2_ONLY_GPU_FAMILIES
from ._common import (
    GPU_FAMILIES,
    MANDATORY,
    MEDIUM,
    StackIndex,
    UndecidedCollector,
    endpoint_variants,
    get,
    get_or_none,
    instance_family,
    is_map,
    is_serverless,
    is_set,
    items,
    number,
    resource_rule,
    shown,
    stack_rule,
    str_list,
)
from ._ec2_capacity import CAPACITY_TYPES, Unreadable, gpu_capacity, read_count
from ._pipeline import PIPELINES, PipelineDefinition, definition_body, is_expression
from ._serving import ENDPOINTS, endpoint_config_of, scaled_target_actions, variant_targets
from .sagemaker import ENDPOINT_CONFIGS, NATIVE_INFERENCE_EXPERIMENT, experiment_instances
from .sagemaker_jobs import (
    NATIVE_MODEL_MONITOR_JOBS,
    NATIVE_PROCESSING_JOB,
    TRAINING_JOBS,
    training_instances,
    training_specs,
)
from .sagemaker_notebooks import NOTEBOOKS

MONITORING_SCHEDULES = (
    "aws:sagemaker/monitoringSchedule:MonitoringSchedule",
    "aws-native:sagemaker:MonitoringSchedule",
)
JOB_DEFINITIONS = (
    "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition",
    "aws-native:sagemaker:DataQualityJobDefinition",
    *NATIVE_MODEL_MONITOR_JOBS,
)
#: SageMaker HyperPod clusters: instance groups of any type and count, outside every job.
NATIVE_CLUSTER = "aws-native:sagemaker:Cluster"
#: Studio apps (JupyterLab, Code Editor, kernel gateways) run on the instance their resourceSpec names;
#: ``system`` is the Jupyter server's AWS-managed instance, not one of the account's.
STUDIO_APPS = ("aws:sagemaker/app:App", "aws-native:sagemaker:App")
STUDIO_SYSTEM_INSTANCE = "system"
#: Studio's defaults: a domain's (``defaultUserSettings``, ``defaultSpaceSettings``), a user profile's
#: and a space's settings name, per app type, the ``defaultResourceSpec`` whose ``instanceType`` an app
#: a user opens starts on. No instance runs until then (the GPU quota and the budget do not count
#: them), but the type is the environment's choice, so the allowlist reads each one, wherever the
#: settings nest it.
STUDIO_DEFAULTS = (
    "aws:sagemaker/domain:Domain",
    "aws-native:sagemaker:Domain",
    "aws:sagemaker/userProfile:UserProfile",
    "aws-native:sagemaker:UserProfile",
    "aws:sagemaker/space:Space",
    "aws-native:sagemaker:Space",
)
DEFAULT_RESOURCE_SPEC = "defaultResourceSpec"
#: Every type ``instances_of`` reads, pulumi-aws and aws-native twins alike.
COMPUTE_TYPES = (
    *NOTEBOOKS,
    *TRAINING_JOBS,
    *ENDPOINT_CONFIGS,
    *PIPELINES,
    *MONITORING_SCHEDULES,
    *JOB_DEFINITIONS,
    NATIVE_PROCESSING_JOB,
    NATIVE_INFERENCE_EXPERIMENT,
    NATIVE_CLUSTER,
    *STUDIO_APPS,
)

Check = Iterator[str]


@dataclass(frozen=True)
class Unevaluated:
    """A pipeline step's instance count (or a tuning step's MaxParallelTrainingJobs) given as an
    expression other than a defaulted parameter: evaluated only when the pipeline runs."""

    path: str
    expression: Any


Uncounted = Unevaluated | Unreadable
"""A count the quota cannot add up: it fails rather than read it as one instance."""
Instance = tuple[str, Any, "float | Uncounted"]  # (path, instance type, count)


def _times(count: float | Uncounted, parallel: float | Uncounted) -> float | Uncounted:
    """Instances of ``parallel`` jobs of ``count`` each, or whichever of the two cannot be counted."""
    if isinstance(count, Unevaluated | Unreadable):
        return count
    if isinstance(parallel, Unevaluated | Unreadable):
        return parallel
    return count * parallel


# --- instance types ----------------------------------------------------------------------


def _cluster(props: Any, base: str) -> list[Instance]:
    count = f"{base}.instanceCount"
    return [
        (
            f"{base}.instanceType",
            get(props, f"{base}.instanceType"),
            read_count(get(props, count), count) or 1.0,
        )
    ]


def _hyperpod_groups(props: Any) -> list[Instance]:
    """A HyperPod cluster's instance groups. A flexible group lists the types it may run in
    ``instanceRequirements.instanceTypes`` instead of ``instanceType`` (CreateCluster takes one or
    the other): it is one entry whose type is that list, each type judged by the allowlist, the
    group counted once toward the GPU quota when any of them is a GPU."""
    found: list[Instance] = []
    for key in ("instanceGroups", "restrictedInstanceGroups"):
        for index, group in enumerate(items(get(props, key))):
            if not is_map(group):
                continue
            # 0 is a valid count (an empty group, scaled up later by an update): 1 only when absent.
            read = read_count(get(group, "instanceCount"), f"{key}[{index}].instanceCount")
            count = 1.0 if read is None else read
            flexible = get(group, "instanceRequirements.instanceTypes")
            if is_set(flexible):
                found.append((f"{key}[{index}].instanceRequirements.instanceTypes", items(flexible), count))
            if not is_set(flexible) or is_set(get(group, "instanceType")):
                found.append((f"{key}[{index}].instanceType", get(group, "instanceType"), count))
    return found


def _alternatives(path: str, instance_type: Any) -> list[tuple[str, Any]]:
    """``(path, type)`` of each type an entry may run: one, or each of a flexible group's list."""
    if isinstance(instance_type, list):
        return [(f"{path}[{index}]", t) for index, t in enumerate(instance_type)]
    return [(path, instance_type)]


def _variant_count(path: str, variant: Any) -> float | Uncounted:
    """Instances a variant can run: its initial count, or the ceiling of its managed instance
    scaling (``managedInstanceScaling.maxInstanceCount``, unless ``status`` is ``DISABLED``)."""
    count = read_count(get(variant, "initialInstanceCount"), f"{path}.initialInstanceCount") or 1.0
    managed = get(variant, "managedInstanceScaling")
    if managed is not None and get(managed, "status") != "DISABLED":
        where = f"{path}.managedInstanceScaling.maxInstanceCount"
        ceiling = read_count(get(managed, "maxInstanceCount"), where) or 0.0
        if isinstance(count, Unreadable) or isinstance(ceiling, Unreadable):
            return count if isinstance(count, Unreadable) else ceiling
        count = max(count, ceiling)
    return count


def instances_of(resource_type: str, props: Any) -> list[Instance]:
    """Every ``(path, instance type, count)`` a compute resource asks for (serverless skipped)."""
    if resource_type in NOTEBOOKS:
        return [("instanceType", get(props, "instanceType"), 1.0)]
    if resource_type in ENDPOINT_CONFIGS:
        return [
            (f"{path}.instanceType", get(v, "instanceType"), _variant_count(path, v))
            for path, v in endpoint_variants(props)
            # A serverless variant has no instances; one that names an instance type anyway is
            # judged by it (whether CreateEndpointConfig refuses the pair is not the pack's to assume).
            if not is_serverless(v) or is_set(get(v, "instanceType"))
        ]
    if resource_type in TRAINING_JOBS:  # a tuning job runs each definition's instances
        limit = "hyperParameterTuningJobConfig.resourceLimits.maxParallelTrainingJobs"
        parallel = read_count(get(props, limit), limit) or 1.0
        return [
            (
                prefix + path,
                instance_type,
                _times(read_count(count, prefix + _count_path(path)) or 1.0, parallel),
            )
            for prefix, spec in training_specs(resource_type, props)
            for path, instance_type, count in training_instances(spec)
        ]
    if resource_type in JOB_DEFINITIONS:
        return _cluster(props, "jobResources.clusterConfig")
    if resource_type == NATIVE_PROCESSING_JOB:
        return _cluster(props, "processingResources.clusterConfig")
    if resource_type == NATIVE_INFERENCE_EXPERIMENT:
        return [
            (path, t, read_count(count, _count_path(path)) or 1.0)
            for path, t, count in experiment_instances(props)
        ]
    if resource_type in MONITORING_SCHEDULES:
        return _cluster(
            props, "monitoringScheduleConfig.monitoringJobDefinition.monitoringResources.clusterConfig"
        )
    if resource_type == NATIVE_CLUSTER:
        return _hyperpod_groups(props)
    if resource_type in STUDIO_APPS:
        instance_type = get(props, "resourceSpec.instanceType")
        if instance_type == STUDIO_SYSTEM_INSTANCE:
            return []
        return [("resourceSpec.instanceType", instance_type, 1.0)]
    if resource_type in PIPELINES:
        definition = PipelineDefinition.parse(definition_body(props))
        if definition is None:
            return []
        parallel_of_step = _tuning_parallelism(definition)
        return [
            (path, instance_type, _step_count(path, count, parallel_of_step.get(job.step, 1.0)))
            for job in definition.jobs()
            for path, instance_type, count in job.instances()
        ]
    return []


def _count_path(path: str) -> str:
    """The count's path beside an ``instanceType``/``InstanceType`` path."""
    if path.endswith("InstanceType"):
        return path.removesuffix("InstanceType") + "InstanceCount"
    return path.removesuffix("instanceType") + "instanceCount"


def _step_count(path: str, count: Any, parallel: float | Uncounted) -> float | Uncounted:
    """A pipeline job's instances: its (resolved) count x its tuning step's parallelism, or the
    expression that leaves it unknown until the pipeline runs (``path`` is the job's InstanceType)."""
    if is_expression(count):
        return Unevaluated(_count_path(path), count)
    return _times(read_count(count, _count_path(path)) or 1.0, parallel)


def _tuning_parallelism(definition: PipelineDefinition) -> dict[str, float | Uncounted]:
    """Tuning step name -> training jobs it runs at once (MaxParallelTrainingJobs): each holds the
    definition's instances, so a tuning step asks for that many times them."""
    parallel: dict[str, float | Uncounted] = {}
    for step in definition.steps():
        if step.get("Type") == "Tuning":
            name = str(step.get("Name"))
            where = "HyperParameterTuningJobConfig.ResourceLimits.MaxParallelTrainingJobs"
            limit = definition.resolve(get(step.get("Arguments"), where))
            if is_expression(limit):
                parallel[name] = Unevaluated(f"Steps[{name}].Arguments.{where}", limit)
            else:
                parallel[name] = read_count(limit, f"Steps[{name}].Arguments.{where}") or 1.0
    return parallel


def default_resource_specs(props: Any) -> tuple[list[tuple[str, Any]], UnknownValueError | None]:
    """``(path, instanceType)`` of every ``defaultResourceSpec`` in a Studio resource's inputs, at any
    depth (each list item too), and the first value unknown at preview that may hide one (what it hides
    is undecided; the rest is still read): an unknown spec, or settings block (the providers nest every
    ``defaultResourceSpec`` in blocks named ``...Settings``: ``defaultUserSettings``,
    ``jupyterLabAppSettings``, ``spaceSettings``...); an unknown leaf such as ``kmsKeyId`` hides none."""
    found: list[tuple[str, Any]] = []
    unknown: UnknownValueError | None = None
    pending: list[tuple[str, Any]] = [("", props)]
    while pending:
        path, value = pending.pop()
        if is_map(value):
            for key in list(value.keys()):
                where = f"{path}.{key}" if path else str(key)
                try:
                    child = get(value, str(key))
                    if key == DEFAULT_RESOURCE_SPEC:
                        found.append((f"{where}.instanceType", get(child, "instanceType")))
                        continue
                except UnknownValueError as error:
                    if key == DEFAULT_RESOURCE_SPEC or str(key).endswith("Settings"):
                        unknown = unknown or error  # it may hold (or be) a default spec
                    continue  # a leaf such as kmsKeyId or vpcId holds none
                pending.append((where, child))
        elif isinstance(value, list | tuple):
            pending.extend((f"{path}[{index}]", item) for index, item in enumerate(value))
    return sorted(found), unknown


def _instance_allowlist(args: ResourceValidationArgs, cfg: Mapping[str, Any]) -> Check:
    allowed = str_list(cfg["allowedInstanceTypes"])
    if args.resource_type in STUDIO_DEFAULTS:
        specs, unknown = default_resource_specs(args.props)
        for path, instance_type in specs:
            if instance_type != STUDIO_SYSTEM_INSTANCE:
                yield from _allowed(path, instance_type, allowed)
        if unknown is not None:
            raise unknown
        return
    for entry_path, entry_type, _ in instances_of(args.resource_type, args.props):
        for path, instance_type in _alternatives(entry_path, entry_type):
            yield from _allowed(path, instance_type, allowed)


def _allowed(path: str, instance_type: Any, allowed: list[str]) -> Check:
    if instance_type is None:
        return  # unset: the service's default
    if is_expression(instance_type):
        # A pipeline expression (a parameter without a default, Std:Join, a step's output) is
        # evaluated only when the pipeline runs: it could pick any type, so it is not allowed.
        yield (
            f"{path} is the pipeline expression {instance_type!r}, evaluated only when the pipeline "
            f"runs, so it cannot be checked against {allowed}: write the type, or a Parameters "
            "reference whose default is an allowed type."
        )
        return
    if not any(fnmatch(str(instance_type), pattern) for pattern in allowed):
        yield f"{path} {instance_type!r} is not allowed in this environment: use one of {allowed}."


instance_type_allowlist = resource_rule(
    name="instance-type-allowlist",
    description=(
        "SageMaker compute must use instance types allowed for the environment (allowedInstanceTypes, "
        "fnmatch patterns). Covers endpoint variants (incl. shadow), training and tuning jobs, notebooks, "
        "monitoring and processing jobs, inference experiments, pipeline job steps (tuning steps "
        "too), HyperPod clusters and Studio apps, and the default instance (defaultResourceSpec) Studio "
        "domains, user profiles and spaces give the apps users open, aws-native twins included. Fix: pick "
        "an allowed type or widen the env config."
    ),
    resource_types=(*COMPUTE_TYPES, *STUDIO_DEFAULTS),
    check=_instance_allowlist,
    enforcement_level=MANDATORY,
    severity=MEDIUM,
    config={
        "allowedInstanceTypes": {
            "type": "array",
            "items": {"type": "string"},
            "default": [
                "ml.t3.*",
                "ml.m5.large",
                "ml.m5.xlarge",
                "ml.c5.xlarge",
                "ml.g4dn.xlarge",
                "ml.g5.xlarge",
            ],
            "description": "fnmatch patterns of allowed SageMaker instance types.",
        }
    },
    tags=["governance", "cost"],
)


# --- GPU quota -----------------------------------------------------------------------------


Variant = tuple[str, str]  # (endpoint configuration URN, variant name)


def _scaled_capacity(
    stack: StackIndex,
) -> tuple[
    dict[Variant, float],
    dict[Variant, tuple[PolicyResource, UnknownValueError]],
    dict[Variant, tuple[PolicyResource, Unreadable]],
]:
    """The ``maxCapacity`` of each variant's autoscaling target (or the highest its scheduled actions
    set), the targets whose is unknown, and those whose is set to no number."""
    capacity: dict[Variant, float] = {}
    unknown: dict[Variant, tuple[PolicyResource, UnknownValueError]] = {}
    unreadable: dict[Variant, tuple[PolicyResource, Unreadable]] = {}
    for endpoint in stack.of_type(ENDPOINTS):
        config = endpoint_config_of(endpoint, stack)
        if config is None:
            continue
        names = [str(get_or_none(v, "variantName")) for _, v in endpoint_variants(config.props)]
        for target, variant in variant_targets(endpoint, stack):
            if not variant and len(names) == 1:
                variant = names[0]  # a target linked to a one-variant endpoint scales that variant
            if not variant:
                # Linked to the endpoint, resourceId not known yet (preview): any variant's ceiling.
                error = UnknownValueError(UNKNOWN_STRING_VALUE, ["resourceId"])
                for name in names:
                    unknown.setdefault((config.urn, name), (target, error))
                continue
            key = (config.urn, variant)
            try:
                # A scheduled action may raise the ceiling when it runs (pulumi-aws ScheduledAction,
                # or the aws-native target's scheduledActions): the highest one counts.
                ceilings = [read_count(get(target.props, "maxCapacity"), "maxCapacity") or 0.0] + [
                    read_count(
                        get(action, "scalableTargetAction.maxCapacity"),
                        f"{where}.scalableTargetAction.maxCapacity",
                    )
                    or 0.0
                    for where, _, action in scaled_target_actions(target, stack)
                ]
            except UnknownValueError as error:
                unknown[key] = (target, error)
                continue
            bad = [c for c in ceilings if isinstance(c, Unreadable)]
            if bad:
                unreadable[key] = (target, bad[0])
                continue
            maximum = max(c for c in ceilings if not isinstance(c, Unreadable))
            if maximum:
                capacity[key] = max(capacity.get(key, 0.0), maximum)
    return capacity, unknown, unreadable


QUOTA_PARTS_NAMED = 5
"""How many of the biggest GPU askers the quota message names."""


def _gpu_quota(args: StackValidationArgs, cfg: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    families = set(str_list(cfg["gpuFamilies"]))
    quota = number(cfg["maxGpuInstances"]) or 0.0
    undecided = UndecidedCollector()
    stack = StackIndex(args.resources)
    capacity, unknown_capacity, unreadable_capacity = _scaled_capacity(stack)
    total, parts = 0.0, []
    for resource in stack.of_type(COMPUTE_TYPES):
        try:
            found = instances_of(resource.resource_type, resource.props)
            variants = {path: get(v, "variantName") for path, v in endpoint_variants(resource.props)}
        except UnknownValueError as error:  # counted when stack policies re-run on outputs
            undecided.add(resource, error)
            continue
        for path, instance_type, count in found:
            # A flexible HyperPod group counts once when any of the types it may run is a GPU.
            if not any(instance_family(t) in families for _, t in _alternatives(path, instance_type)):
                continue
            if isinstance(count, Unevaluated):
                # Read as 1, a count chosen at run time (8, 64) would pass any quota unseen.
                yield (
                    f"{resource.name}.{count.path} is the pipeline expression {count.expression!r}, "
                    f"evaluated only when the pipeline runs, so the {instance_type} instances of "
                    f"{path} cannot be counted against maxGpuInstances={int(quota)}: write the "
                    "number, or a Parameters reference with a default.",
                    resource.urn,
                )
                continue
            if isinstance(count, Unreadable):
                yield (_unreadable(resource.name, count, instance_type, path, quota), resource.urn)
                continue
            key = (resource.urn, str(variants.get(path.removesuffix(".instanceType"))))
            if key in unreadable_capacity:
                target, unreadable = unreadable_capacity[key]
                yield (_unreadable(target.name, unreadable, instance_type, path, quota), target.urn)
                continue
            if key in unknown_capacity:  # a GPU variant whose autoscaling ceiling is not known yet
                undecided.add(*unknown_capacity[key])
            count = max(count, capacity.get(key, 0.0))
            total += count
            parts.append((count, f"{resource.name}.{path}={instance_type} x{int(count)}"))
    for resource in stack.of_type(CAPACITY_TYPES):
        try:
            found_ec2 = list(gpu_capacity([resource], families))
        except UnknownValueError as error:  # a type or ceiling known after create
            undecided.add(resource, error)
            continue
        for _, path, gpus, ceiling in found_ec2:
            if isinstance(ceiling, Unreadable):
                yield (_unreadable(resource.name, ceiling, "/".join(gpus), path, quota), resource.urn)
                continue
            total += ceiling
            parts.append((ceiling, f"{resource.name}.{path}={'/'.join(gpus)} x{int(ceiling)}"))
    if total > quota:
        # The biggest askers first; a stack with fifty endpoints gets a readable message.
        ranked = [text for _, text in sorted(parts, key=lambda part: -part[0])]
        named = "; ".join(ranked[:QUOTA_PARTS_NAMED])
        rest = len(ranked) - QUOTA_PARTS_NAMED
        yield (
            (
                f"the stack asks for {int(total)} GPU instances, over maxGpuInstances={int(quota)} "
                f"({named}{f'; and {rest} more' if rest > 0 else ''}): lower counts/maxCapacity "
                "or raise the quota in the env config."
            ),
            None,
        )
    else:
        # Within the quota so far: an undecided resource (or maxCapacity) could still tip it over.
        undecided.raise_if_any()


def _unreadable(owner: str, count: Unreadable, instance_type: Any, path: str, quota: float) -> str:
    return (
        f"{owner}.{count.path} is {shown(count.value)}, not a number, so the {instance_type} instances of "
        f"{path} cannot be counted against maxGpuInstances={int(quota)}: write the number."
    )


gpu_instance_quota = stack_rule(
    name="gpu-instance-quota",
    description=(
        "The GPU instances a stack can run (endpoint variants at max(initialInstanceCount, autoscaling "
        "maxCapacity, managedInstanceScaling.maxInstanceCount), training jobs, tuning jobs and steps x MaxParallelTrainingJobs, notebooks, "
        "monitoring jobs, pipeline steps, HyperPod instance groups, Studio apps; outside SageMaker, EC2 "
        "instances and spot requests, EKS node groups and Auto Scaling groups at maxSize, their types "
        "given or from the launch template they use) must stay within "
        "maxGpuInstances; a GPU pipeline step's count set by an expression other than a defaulted "
        "parameter fails, as does a GPU count or ceiling set to no number (text such as 'abc', a boolean). GPU families: policies/aws_instance_types.py, with EC2's own (g5g, gr6...; "
        "inf/trn/dl1 are not GPUs). "
        "Fix: reduce counts or raise the environment's quota."
    ),
    check=_gpu_quota,
    enforcement_level=MANDATORY,
    severity=MEDIUM,
    config={
        "maxGpuInstances": {
            "type": "integer",
            "minimum": 0,
            "default": 4,
            "description": "Most GPU instances the stack may run at once.",
        },
        "gpuFamilies": {
            "type": "array",
            "items": {"type": "string"},
            "default": sorted({*GPU_FAMILIES, *EC2_ONLY_GPU_FAMILIES}),
            "description": "Instance families that count as GPU.",
        },
    },
    tags=["governance", "cost", "gpu"],
)


POLICIES = [instance_type_allowlist, gpu_instance_quota]
