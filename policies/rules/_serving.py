"""Following a SageMaker endpoint through the stack graph.

An endpoint names its configuration (``endpointConfigName``), autoscaling targets name
the endpoint inside ``resourceId`` (``endpoint/<endpoint>/variant/<variant>``) and
scaling policies repeat the target's ``resourceId``. Each link is resolved through the
engine's property dependencies first (what ``config.name`` / ``endpoint.name`` Outputs
record) and by comparing literal names second. aws-native twins name themselves
``endpointName`` / ``endpointConfigName`` instead of ``name``.

Every lookup goes through the rule's :class:`~._common.StackIndex`: a rule follows each endpoint,
so a scan of the stack per lookup made it quadratic in the number of endpoints.
"""

from __future__ import annotations

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError

from ._common import StackIndex, deps, get, get_or_none, is_map, is_set, items

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


def checked_name_of(resource: PolicyResource) -> object:
    """As :func:`name_of`, for a check: a name unknown at preview raises ``UnknownValueError``."""
    return get(resource.props, _NAME_PATHS.get(resource.resource_type, "name"))


SCALABLE_TARGET = "aws:appautoscaling/target:Target"
SCALING_POLICY = "aws:appautoscaling/policy:Policy"
#: Application Auto Scaling targets and policies, pulumi-aws and aws-native (same property names;
#: an aws-native policy may name its target through ``scalingTargetId``, a dependency).
SCALABLE_TARGETS = (SCALABLE_TARGET, "aws-native:applicationautoscaling:ScalableTarget")
SCALING_POLICIES = (SCALING_POLICY, "aws-native:applicationautoscaling:ScalingPolicy")
VARIANT_DIMENSION = "sagemaker:variant:DesiredInstanceCount"


def _names(resource: PolicyResource) -> tuple[object]:
    return (name_of(resource),)


def endpoint_config_of(endpoint: PolicyResource, stack: StackIndex) -> PolicyResource | None:
    """The configuration an endpoint serves: the one its ``endpointConfigName`` names.

    A dependency is the link while the name is unknown (preview), but it only records what the
    value was computed from (``Output.all(a.name, b.name).apply(...)`` depends on both): once the
    name is known, a configuration whose own known name differs is not the one served.
    """
    name = get_or_none(endpoint.props, "endpointConfigName")
    linked = [dep for dep in deps(endpoint, "endpointConfigName") if dep.resource_type in ENDPOINT_CONFIGS]
    if name is None and len(linked) > 1:
        get(endpoint.props, "endpointConfigName")  # computed from several: undecided until known
    for dep in linked:
        own = name_of(dep)
        if name is None or own is None or own == name:
            return dep
    if name is None:
        return None
    found = stack.having(ENDPOINT_CONFIGS, _names, name, first=True)
    return found[0][1] if found else None


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


def _variant_resource_id(target: PolicyResource) -> tuple[str, str] | None:
    return parse_variant_resource_id(get_or_none(target.props, "resourceId"))


def _scaled_endpoint(target: PolicyResource) -> tuple[str] | tuple[()]:
    """The endpoint a variant scaling target names in its ``resourceId``, when it names one."""
    parsed = _variant_resource_id(target) if is_variant_target(target) else None
    return (parsed[0],) if parsed else ()


def _resource_id(resource: PolicyResource) -> tuple[object]:
    return (get_or_none(resource.props, "resourceId"),)


def variant_targets(endpoint: PolicyResource, stack: StackIndex) -> list[tuple[PolicyResource, str | None]]:
    """``(target, variant name)`` for the endpoint's variant scaling targets (variant None: not known).

    A target whose ``resourceId`` names an endpoint belongs to the endpoint of that name; one whose
    ``resourceId`` is not known yet (or an endpoint without a literal name) is linked by dependency.
    """
    endpoint_name = name_of(endpoint)
    linked = stack.consumers(endpoint, SCALABLE_TARGETS)
    if endpoint_name:
        named = stack.having(SCALABLE_TARGETS, _scaled_endpoint, endpoint_name)
        linked = [entry for entry in linked if _variant_resource_id(entry[1]) is None]
    else:
        named = []
    result: list[tuple[PolicyResource, str | None]] = []
    for target in stack.in_stack_order(named, linked):
        if is_variant_target(target):
            parsed = _variant_resource_id(target)
            result.append((target, parsed[1] if parsed else None))
    return result


def scaling_policies_of(
    target: PolicyResource, stack: StackIndex, types: tuple[str, ...] = SCALING_POLICIES
) -> list[PolicyResource]:
    """The scaling policies of a target: those with its ``resourceId``, and those depending on it
    whose own ``resourceId`` is not known (a policy scales the resource it names, whatever its
    value was computed from). ``types``: other resources linked the same way (scheduled actions)."""
    resource_id = get_or_none(target.props, "resourceId")
    linked = [
        entry
        for entry in stack.consumers(target, types)
        if resource_id is None or get_or_none(entry[1].props, "resourceId") in (None, resource_id)
    ]
    same_id = (
        stack.having(types, _resource_id, resource_id, besides=linked) if resource_id is not None else []
    )
    return stack.in_stack_order(linked, same_id)


#: pulumi-aws scheduled actions (aws-native keeps them in the target's ``scheduledActions``).
SCHEDULED_ACTIONS = ("aws:appautoscaling/scheduledAction:ScheduledAction",)


def scheduled_actions_of(target: PolicyResource, stack: StackIndex) -> list[PolicyResource]:
    """The scheduled actions that resize a target, linked as its policies are (its ``resourceId``, or
    a dependency on it while the action's own is unknown); one of another dimension is left out."""
    dimension = get_or_none(target.props, "scalableDimension")
    return [
        action
        for action in scaling_policies_of(target, stack, SCHEDULED_ACTIONS)
        if dimension is None or get_or_none(action.props, "scalableDimension") in (None, dimension)
    ]


def scaled_target_actions(target: PolicyResource, stack: StackIndex) -> list[tuple[str, str, object]]:
    """``(where, urn, action)`` for every scheduled action of a target: the aws-native target's own
    ``scheduledActions[i]``, then each pulumi-aws ``ScheduledAction`` linked to it."""
    found: list[tuple[str, str, object]] = [
        (f"scheduledActions[{index}]", target.urn, action)
        for index, action in enumerate(items(get(target.props, "scheduledActions")))
        if is_map(action)
    ]
    found.extend(
        (f"scheduled action {action.name!r}", action.urn, action.props)
        for action in scheduled_actions_of(target, stack)
    )
    return found


# --- inference components ------------------------------------------------------------------------

INFERENCE_COMPONENT = "aws-native:sagemaker:InferenceComponent"
COPY_DIMENSION = "sagemaker:inference-component:DesiredCopyCount"


def hosts_inference_components(config: PolicyResource) -> bool:
    """An endpoint configuration for inference components: instance-backed variants that name no
    model (the components bring theirs; SageMaker then requires ``ExecutionRoleArn``). After
    ``pulumi up`` the engine reports an unset ``modelName`` as ``""``, which names no model either.

    The answer exempts an endpoint from the single-model checks (monitoring schedule, blue/green
    rollout, variant autoscaling), so a value unknown at preview must not decide it: one
    instance variant with a known model settles it (no); otherwise an unknown
    ``productionVariants``, ``serverlessConfig`` or ``modelName`` raises ``UnknownValueError``
    (the rule counts the endpoint undecided) instead of reading as "no model".
    """
    variants = [v for v in items(get(config.props, "productionVariants")) if is_map(v)]
    pending: UnknownValueError | None = None
    instance = False
    for variant in variants:
        try:
            if get(variant, "serverlessConfig") is not None:
                continue
            instance = True
            if is_set(get(variant, "modelName")):
                return False  # a model variant: a single-model endpoint, whatever else is unknown
        except UnknownValueError as error:
            pending = pending or error
    if pending is not None:
        raise pending
    return instance


def _placed_on(component: PolicyResource) -> tuple[object]:
    return (get_or_none(component.props, "endpointName"),)


def components_of(endpoint: PolicyResource, stack: StackIndex) -> list[PolicyResource]:
    """The inference components placed on ``endpoint`` (by dependency, else by literal name)."""
    endpoint_name = name_of(endpoint)
    linked = stack.consumers(endpoint, (INFERENCE_COMPONENT,), "endpointName")
    named = (
        stack.having((INFERENCE_COMPONENT,), _placed_on, endpoint_name, besides=linked)
        if endpoint_name is not None
        else []
    )
    return stack.in_stack_order(linked, named)


def copy_targets(component: PolicyResource, stack: StackIndex) -> list[PolicyResource]:
    """Application Auto Scaling targets of a component's copy count (``inference-component/<name>``)."""
    name = get_or_none(component.props, "inferenceComponentName")
    linked = stack.consumers(component, SCALABLE_TARGETS)
    named = (
        stack.having(SCALABLE_TARGETS, _resource_id, f"inference-component/{name}", besides=linked)
        if name is not None
        else []
    )
    return [
        target
        for target in stack.in_stack_order(linked, named)
        if get_or_none(target.props, "scalableDimension") == COPY_DIMENSION
    ]
