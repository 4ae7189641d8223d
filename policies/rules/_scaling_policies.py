"""The SageMaker scaling rules (policies/rules/alarms.py): target tracking is sound
(sagemaker-target-tracking-sound) and the step policies high alarms run add capacity
(scale-out-steps-add-capacity)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pulumi_policy import PolicyResource, ResourceValidationArgs, StackValidationArgs
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from ._alarm_metrics import ALARMS, Check, Findings
from ._common import (
    MANDATORY,
    MEDIUM,
    Found,
    StackIndex,
    deps,
    each_resource,
    get,
    get_or_none,
    is_map,
    items,
    number,
    resource_rule,
    shown,
    stack_rule,
    str_list,
)
from ._serving import SCALABLE_TARGETS, SCALING_POLICIES, SCALING_POLICY
from ._watched_metrics import _side, watched_metric

# --- scaling policies -----------------------------------------------------------------------------


_SAGEMAKER_RESOURCE_IDS = ("endpoint/", "inference-component/")


def _on_sagemaker(props: Any) -> bool:
    """A policy that scales a SageMaker resource by what it says itself: its namespace, or (an
    aws-native policy may leave the namespace to its target) its dimension, its resource id, or the
    ``scalingTargetId`` it names its target by: CloudFormation's scalable target id,
    ``<resource id>|<dimension>|<namespace>`` (unknown at a preview that creates the target: the
    check is then undecided until ``pulumi up`` knows it)."""
    namespace = get(props, "serviceNamespace")
    if namespace is not None:
        return namespace == "sagemaker"
    dimension, resource_id = get_or_none(props, "scalableDimension"), get_or_none(props, "resourceId")
    if (isinstance(dimension, str) and dimension.startswith("sagemaker:")) or (
        isinstance(resource_id, str) and resource_id.startswith(_SAGEMAKER_RESOURCE_IDS)
    ):
        return True
    target_id = get(props, "scalingTargetId") if dimension is None and resource_id is None else None
    return isinstance(target_id, str) and target_id.rsplit("|", 1)[-1] == "sagemaker" and "|" in target_id


def _scales_sagemaker(policy: PolicyResource) -> bool:
    """As :func:`_on_sagemaker`, or through the target an aws-native policy names by
    ``scalingTargetId`` alone (a dependency on the target: read first, since the id itself is
    unknown at a preview that creates the target)."""
    targets = [t for t in deps(policy, "scalingTargetId") if t.resource_type in SCALABLE_TARGETS]
    if targets:  # the target says which service it scales
        return any(_on_sagemaker(target.props) for target in targets)
    return _on_sagemaker(policy.props)


def _target_tracking(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    # The type first: a policy of another type is not judged, whatever its target id (unknown at preview).
    if get(args.props, "policyType") != "TargetTrackingScaling" or not _on_sagemaker(args.props):
        return
    config = get(args.props, "targetTrackingScalingPolicyConfiguration")
    target = number(get(config, "targetValue"))
    if target is None or target <= 0:
        yield (
            f"targetTrackingScalingPolicyConfiguration.targetValue is {shown(get(config, 'targetValue'))}: "
            "set a positive target per instance."
        )
    unset = _unset_cooldowns(args.resource_type, args.props)
    scale_in, scale_out = (
        _cooldown(get(config, key), unset) for key in ("scaleInCooldown", "scaleOutCooldown")
    )
    # A cooldown no number reads ("soon", "nan") is refused, not skipped: the comparison below would
    # pass it (Application Auto Scaling takes an integer of seconds; SageMaker scales by its value).
    for key, read in (("scaleInCooldown", scale_in), ("scaleOutCooldown", scale_out)):
        if read is None:
            yield (
                f"targetTrackingScalingPolicyConfiguration.{key} is {shown(get(config, key))}: not a number of "
                "seconds; set it (scale in slowly and out fast)."
            )
    # Failed only when it fails whatever an unset cooldown turns out to be, and only if it scales in
    # (with scaleIn disabled its scale-in cooldown is never used; read last: unknown at preview, it
    # leaves undecided only a policy the cooldowns would fail).
    if (
        scale_in is not None
        and scale_out is not None
        and max(scale_in[0]) < min(scale_out[0])
        and get(config, "disableScaleIn") is not True
    ):
        # After create pulumi-aws reports an unset cooldown as 0: a 0 may be one never set.
        advice = (
            "set both: scale in slowly and out fast"
            if "unset" in scale_in[1] + scale_out[1] or scale_in[0] == (0.0,)
            else "scale in slowly and out fast (were they swapped?)"
        )
        yield f"scaleInCooldown {scale_in[1]} is shorter than scaleOutCooldown {scale_out[1]}: {advice}."


VARIANT_DEFAULT_COOLDOWN = 300.0
"""Application Auto Scaling's cooldown for a SageMaker endpoint variant when a policy sets none
(CloudFormation, so aws-native, leaves it out): its API reference lists 300 s for endpoint variants
(their instance count and provisioned concurrency) and 0 for the targets it names otherwise; it
predates inference components, whose default it does not give (0 or 300 s here)."""


def _unset_cooldowns(resource_type: str, props: Any) -> tuple[float, ...]:
    """What an unset cooldown may be: 0 on pulumi-aws, whose provider sends an unset cooldown of
    the configuration block as 0 (it cannot tell it from 0); AWS's default on aws-native, by the
    scalable dimension (its own, or the middle field of its ``scalingTargetId``)."""
    if resource_type == SCALING_POLICY:
        return (0.0,)
    dimension = get_or_none(props, "scalableDimension")
    if dimension is None:
        target_id = get_or_none(props, "scalingTargetId")
        fields = target_id.split("|") if isinstance(target_id, str) else []
        dimension = fields[1] if len(fields) == 3 else None
    if isinstance(dimension, str) and dimension.startswith("sagemaker:variant:"):
        return (VARIANT_DEFAULT_COOLDOWN,)
    return (0.0, VARIANT_DEFAULT_COOLDOWN)


def _cooldown(value: Any, unset: tuple[float, ...]) -> tuple[tuple[float, ...], str] | None:
    """What a target-tracking cooldown may be, in seconds, and how a message shows it; None when it
    is not a number."""
    if value is None or value == "":
        return unset, f"unset ({' or '.join(shown(u) for u in unset)} s)"
    seconds = number(value)
    return None if seconds is None else ((seconds,), shown(seconds))


sagemaker_target_tracking_sound = resource_rule(
    name="sagemaker-target-tracking-sound",
    description=(
        "Target-tracking scaling policies of SageMaker variants and inference components (pulumi-aws "
        "and aws-native) must have a positive targetValue and scaleInCooldown >= scaleOutCooldown "
        "(scale out fast, in slowly; an unset cooldown is 0 on pulumi-aws, whose provider sends 0, and "
        "AWS's default on aws-native, 300 s for a variant; not compared when disableScaleIn is true). "
        "Fix: set target_tracking_scaling_policy_configuration's "
        "target_value and cooldowns."
    ),
    resource_types=list(SCALING_POLICIES),
    check=_target_tracking,
    enforcement_level=MANDATORY,
    severity=MEDIUM,
    tags=["sagemaker", "availability", "scaling"],
)


def _alarm_actions(alarm: PolicyResource) -> list[str]:
    return str_list(get_or_none(alarm.props, "alarmActions"))


#: An Application Auto Scaling policy's ARN: a UUID the service generates, then what it scales and its
#: name (``...:scalingPolicy:<uuid>:resource/<namespace>/<resource id>:policyName/<name>``). A policy
#: name may hold ``:`` (and ``:policyName/``), a resource id ``:`` too (Lambda's
#: ``function:<name>:<alias>``): the text after ``resource/<namespace>/`` is kept whole, not split.
_SCALING_POLICY_ARN = re.compile(
    r"^arn:[^:]+:autoscaling:[^:]*:[0-9]*:scalingPolicy:[^:]+:resource/(?P<namespace>[^/]+)/"
    r"(?P<named>.+:policyName/.+)\Z",
    re.DOTALL,
)


def _actioned_policies(alarm: PolicyResource) -> list[tuple[str, str]]:
    """``(namespace, "<resource id>:policyName/<name>")`` of each scaling policy an alarm's
    ``alarmActions`` name by a literal ARN."""
    found = (_SCALING_POLICY_ARN.match(arn) for arn in _alarm_actions(alarm))
    return [(m["namespace"], m["named"]) for m in found if m]


def _policy_key(policy: PolicyResource) -> tuple[str, str] | None:
    """What a policy's ARN names it by (see :data:`_SCALING_POLICY_ARN`), from its inputs: its
    ``serviceNamespace``, and its ``resourceId`` and ``name`` as the ARN writes them (aws-native:
    ``policyName``, the first two also from ``scalingTargetId``, ``<resource id>|<dimension>|
    <namespace>``); None when not known. Compared as text, a name holding ``:`` matches only an ARN
    holding that name after that resource id."""
    name = get_or_none(policy.props, "name") or get_or_none(policy.props, "policyName")
    namespace = get_or_none(policy.props, "serviceNamespace")
    resource = get_or_none(policy.props, "resourceId")
    target_id = get_or_none(policy.props, "scalingTargetId")
    if (namespace is None or resource is None) and isinstance(target_id, str) and target_id.count("|") == 2:
        resource, _, namespace = target_id.split("|")
    fields = (namespace, resource, name)
    if not all(isinstance(f, str) and f for f in fields):
        return None
    return str(namespace), f"{resource}:policyName/{name}"


def _triggers(policy: PolicyResource, stack: StackIndex) -> list[PolicyResource]:
    """Alarms whose alarmActions run ``policy``: through the ARN Output, or a literal ARN, compared
    as Application Auto Scaling does, exactly: with the policy's ARN once known (after create), before
    that by what the ARN names (the policy's namespace, resource id and name; its UUID is generated)."""
    linked = stack.consumers(policy, ALARMS, "alarmActions")
    return stack.in_stack_order(linked, _named(policy, stack, linked))


def _named(policy: PolicyResource, stack: StackIndex, linked: list[tuple[int, PolicyResource]]) -> Found:
    """Alarms besides ``linked`` naming ``policy`` by a literal ARN (see :func:`_triggers`)."""
    arn = get_or_none(policy.props, "arn")
    if isinstance(arn, str) and arn:
        return stack.having(ALARMS, _alarm_actions, arn, besides=linked)
    key = _policy_key(policy)
    return stack.having(ALARMS, _actioned_policies, key, besides=linked) if key else []


def _maybe_triggers(policy: PolicyResource, stack: StackIndex) -> set[str]:
    """URNs of the alarms :func:`_triggers` finds only by what a literal ARN names while ``policy``'s
    ARN is unknown (preview): maybe its, a policy of that name and resource in another account or
    Region may be the one they run, which the ARN says after create."""
    arn = get_or_none(policy.props, "arn")
    if isinstance(arn, str) and arn:
        return set()
    return {alarm.urn for _, alarm in _named(policy, stack, stack.consumers(policy, ALARMS, "alarmActions"))}


def _policy_type(policy: PolicyResource) -> Any:
    """A policy's type: pulumi-aws sends an unset ``policyType`` as ``StepScaling``, its default
    (aws-native requires one)."""
    kind = get(policy.props, "policyType")
    return "StepScaling" if kind in (None, "") and policy.resource_type == SCALING_POLICY else kind


def _scale_out_steps(args: StackValidationArgs, _: Mapping[str, Any]) -> Findings:
    stack = StackIndex(args.resources)

    def check(policy: PolicyResource) -> Findings:
        if _policy_type(policy) != "StepScaling" or not _scales_sagemaker(policy):
            return
        rising, surely = [], False
        maybe = _maybe_triggers(policy, stack)
        for alarm in _triggers(policy, stack):
            watched = watched_metric(alarm.props)
            meaning = watched.meaning if watched else None
            if meaning and meaning.bad == "high" and _side(alarm.props)[1] == "high":
                rising.append(alarm.name)
                surely = surely or alarm.urn not in maybe
        if not rising:
            return
        config = get(policy.props, "stepScalingPolicyConfiguration")
        steps = [s for s in items(get(config, "stepAdjustments")) if is_map(s)]
        shrinking = [
            shown(get(s, "scalingAdjustment"))
            for s in steps
            if (number(get(s, "scalingAdjustment")) or 0) <= 0
        ]
        if (not steps or shrinking) and not surely:
            # Run only by alarms naming it by namespace, resource id and name: refused once its ARN is known.
            raise UnknownValueError(
                UNKNOWN_STRING_VALUE, [f"arn (of scaling policy {policy.name!r}, run by {rising})"]
            )
        if not steps or shrinking:
            yield (
                f"step scaling policy {policy.name!r} runs when {rising} fire on rising demand, but its "
                f"stepAdjustments add {shrinking or 'nothing'}: every scalingAdjustment must be positive.",
                policy.urn,
            )

    yield from each_resource(args.resources, SCALING_POLICIES, check)


scale_out_steps_add_capacity = stack_rule(
    name="scale-out-steps-add-capacity",
    description=(
        "A SageMaker step scaling policy (pulumi-aws: policyType StepScaling or unset, its default) "
        "run by an alarm on rising demand or failure (e.g. "
        "HasBacklogWithoutCapacity above its threshold) must add capacity: every stepAdjustments[]."
        "scalingAdjustment positive. Fix: use positive adjustments, or a separate scale-in policy."
    ),
    check=_scale_out_steps,
    enforcement_level=MANDATORY,
    severity=MEDIUM,
    tags=["sagemaker", "availability", "scaling"],
)
