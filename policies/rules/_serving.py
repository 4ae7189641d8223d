"""Following a SageMaker endpoint through the stack graph.

An endpoint names its configuration (``endpointConfigName``), autoscaling targets name
the endpoint inside ``resourceId`` (``endpoint/<endpoint>/variant/<variant>``) and
scaling policies repeat the target's ``resourceId``. Each link is resolved through the
engine's property dependencies first (what ``config.name`` / ``endpoint.name`` Outputs
record) and by comparing literal names second. aws-native twins name themselves
``endpointName`` / ``endpointConfigName`` instead of ``name``.
"""

from __future__ import annotations

from pulumi_policy import PolicyResource

from ._common import depends_on, deps, get_or_none, is_map, items, of_type

ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
NATIVE_ENDPOINT = "aws-native:sagemaker:Endpoint"
NATIVE_ENDPOINT_CONFIG = "aws-native:sagemaker:EndpointConfig"
ENDPOINTS = (ENDPOINT, NATIVE_ENDPOINT)
ENDPOINT_CONFIGS = (ENDPOINT_CONFIG, NATIVE_ENDPOINT_CONFIG)
#: The property holding a resource's own name, per type (pulumi-aws: ``name``).
_NAME_PATHS = {NATIVE_ENDPOINT: "endpointName", NATIVE_ENDPOINT_CONFIG: "endpointConfigName"}


def name_of(resource: PolicyResource) -> object:
    """The resource's literal name (None when unset or unknown)."""
    return get_or_none(resource.props, _NAME_PATHS.get(resource.resource_type, "name"))


SCALABLE_TARGET = "aws:appautoscaling/target:Target"
SCALING_POLICY = "aws:appautoscaling/policy:Policy"
#: Application Auto Scaling targets and policies, pulumi-aws and aws-native (same property names;
#: an aws-native policy may name its target through ``scalingTargetId``, a dependency).
SCALABLE_TARGETS = (SCALABLE_TARGET, "aws-native:applicationautoscaling:ScalableTarget")
SCALING_POLICIES = (SCALING_POLICY, "aws-native:applicationautoscaling:ScalingPolicy")
VARIANT_DIMENSION = "sagemaker:variant:DesiredInstanceCount"


def endpoint_config_of(endpoint: PolicyResource, resources: list[PolicyResource]) -> PolicyResource | None:
    for dep in deps(endpoint, "endpointConfigName"):
        if dep.resource_type in ENDPOINT_CONFIGS:
            return dep
    name = get_or_none(endpoint.props, "endpointConfigName")
    for config in of_type(resources, ENDPOINT_CONFIGS):
        if name is not None and name_of(config) == name:
            return config
    return None


def parse_variant_resource_id(value: object) -> tuple[str, str] | None:
    """``endpoint/<endpoint>/variant/<variant>`` -> ``(endpoint, variant)``."""
    if isinstance(value, str):
        parts = value.split("/")
        if len(parts) == 4 and parts[0] == "endpoint" and parts[2] == "variant":
            return parts[1], parts[3]
    return None


def is_variant_target(target: PolicyResource) -> bool:
    return (
        get_or_none(target.props, "serviceNamespace") == "sagemaker"
        and get_or_none(target.props, "scalableDimension") == VARIANT_DIMENSION
    )


def variant_targets(
    endpoint: PolicyResource, resources: list[PolicyResource]
) -> list[tuple[PolicyResource, str | None]]:
    """``(target, variant name)`` for the endpoint's variant scaling targets (variant None: not known)."""
    endpoint_name = name_of(endpoint)
    result: list[tuple[PolicyResource, str | None]] = []
    for target in of_type(resources, SCALABLE_TARGETS):
        if not is_variant_target(target):
            continue
        parsed = parse_variant_resource_id(get_or_none(target.props, "resourceId"))
        matches = parsed[0] == endpoint_name if parsed and endpoint_name else depends_on(target, endpoint)
        if matches:
            result.append((target, parsed[1] if parsed else None))
    return result


def scaling_policies_of(target: PolicyResource, resources: list[PolicyResource]) -> list[PolicyResource]:
    resource_id = get_or_none(target.props, "resourceId")
    return [
        p
        for p in of_type(resources, SCALING_POLICIES)
        if depends_on(p, target)
        or (resource_id is not None and get_or_none(p.props, "resourceId") == resource_id)
    ]


# --- inference components ------------------------------------------------------------------------

INFERENCE_COMPONENT = "aws-native:sagemaker:InferenceComponent"
COPY_DIMENSION = "sagemaker:inference-component:DesiredCopyCount"


def hosts_inference_components(config: PolicyResource) -> bool:
    """An endpoint configuration for inference components: instance-backed variants that name no
    model (the components bring theirs; SageMaker then requires ``ExecutionRoleArn``)."""
    variants = [v for v in items(get_or_none(config.props, "productionVariants")) if is_map(v)]
    instance = [v for v in variants if get_or_none(v, "serverlessConfig") is None]
    return bool(instance) and all(get_or_none(v, "modelName") is None for v in instance)


def components_of(endpoint: PolicyResource, resources: list[PolicyResource]) -> list[PolicyResource]:
    """The inference components placed on ``endpoint`` (by dependency, else by literal name)."""
    endpoint_name = name_of(endpoint)
    return [
        component
        for component in of_type(resources, (INFERENCE_COMPONENT,))
        if depends_on(component, endpoint, "endpointName")
        or (endpoint_name is not None and get_or_none(component.props, "endpointName") == endpoint_name)
    ]


def copy_targets(component: PolicyResource, resources: list[PolicyResource]) -> list[PolicyResource]:
    """Application Auto Scaling targets of a component's copy count (``inference-component/<name>``)."""
    name = get_or_none(component.props, "inferenceComponentName")
    return [
        target
        for target in of_type(resources, SCALABLE_TARGETS)
        if get_or_none(target.props, "scalableDimension") == COPY_DIMENSION
        and (
            depends_on(target, component)
            or (name is not None and get_or_none(target.props, "resourceId") == f"inference-component/{name}")
        )
    ]
