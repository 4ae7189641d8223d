"""Helpers every rule module shares.

Why they exist: at preview the engine hands rules *proxied* props
(``pulumi_policy.proxy.unknown_checking_proxy``): they are ``Mapping``/``Sequence``
objects, never ``dict``/``list``, and reading a value that is not known yet raises
``UnknownValueError``. Numbers arrive as floats (the engine's props and config go
through a protobuf ``Struct``). Nested one-item blocks are objects in pulumi-aws 7 but
some providers still send one-item lists. The helpers below and the readings of props in
``_props`` absorb those differences so the rules read like the controls they implement.

The parts live beside this module, each name still importable from here: the readings of props in
``_props``, the stack graph (:class:`StackIndex`) in ``_stack_index``, what a stack rule could not
decide in ``_undecided_resources``, and IAM's wildcards, policy variables and ARN patterns in
``_iam_patterns``.

This module imports nothing from ``components/`` or ``stacks/``: the pack governs any
Pulumi program.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyComplianceFramework,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from ..aws_instance_types import GPU_FAMILIES as _GPU_FAMILIES
from ..aws_instance_types import INSTANCE_STORE_FAMILIES as _STORE_FAMILIES
from ._iam_patterns import (
    ARN_PATTERN_HINT,
    arn_fields,
    arn_pattern_pins_account,
    has_escape,
    has_wildcard,
    iam_wildcard,
    matches_every,
    variable_side,
    variables_as_wildcards,
)
from ._props import (
    AWS_MANAGED_ALIAS,
    UNKNOWN_TAG_VALUE,
    any_decided,
    any_holds,
    each_part,
    get,
    get_or_none,
    is_aws_managed_alias,
    is_false,
    is_map,
    is_seq,
    is_set,
    is_true,
    items,
    number,
    one,
    parse_json,
    tag_map,
    to_plain,
    unique_keys,
)
from ._stack_index import (
    Found,
    StackIndex,
    ValuesOf,
    deps,
    hashable,
    of_type,
    own_or_unset,
    reaches_within,
)
from ._undecided_resources import UndecidedCollector, UndecidedResources, Undeterminable, each_resource

ADVISORY = EnforcementLevel.ADVISORY
MANDATORY = EnforcementLevel.MANDATORY
LOW, MEDIUM, HIGH, CRITICAL = Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL

ResourceCheck = Callable[[ResourceValidationArgs, Mapping[str, Any]], Iterable[str]]
StackCheck = Callable[[StackValidationArgs, Mapping[str, Any]], Iterable[tuple[str, str | None]]]
ConfigSchema = Mapping[str, dict[str, Any]]

# --- compliance frameworks -------------------------------------------------------------

FSBP = "AWS Foundational Security Best Practices"
AWS_CONFIG = "AWS Config managed rules"
CHECKOV = "Checkov"
IAM_CONDITION_KEYS = "AWS IAM condition keys (SageMaker)"


def framework(name: str, reference: str, also: str | None = None) -> PolicyComplianceFramework:
    """A source control for a rule; ``also`` lists the equivalent ids in other catalogues."""
    version = "1.0.0" if name == FSBP else None
    return PolicyComplianceFramework(name=name, version=version, reference=reference, specification=also)


# --- instance families -----------------------------------------------------------------

#: Families that count against the GPU quota (inf*/trn*/dl1 are accelerators, not GPUs), from the
#: one maintained list the components read too.
GPU_FAMILIES: tuple[str, ...] = tuple(sorted(_GPU_FAMILIES))

#: Families with local NVMe instance storage, from the one maintained list (a pure-data module the
#: components and the training builder read too). SageMaker encrypts that storage in hardware and
#: rejects a storage-volume KMS key (EndpointConfig ``KmsKeyId``, ``VolumeKmsKeyId``) for them.
INSTANCE_STORE_FAMILIES: frozenset[str] = _STORE_FAMILIES


def instance_family(instance_type: Any) -> str | None:
    """``ml.g5.2xlarge`` -> ``g5``; anything that is not an instance type string -> None."""
    if not isinstance(instance_type, str):
        return None
    parts = instance_type.split(".")
    if len(parts) == 3 and parts[0] == "ml":
        return parts[1]
    return None


def has_instance_store(instance_type: Any) -> bool:
    return instance_family(instance_type) in INSTANCE_STORE_FAMILIES


# --- config ----------------------------------------------------------------------------


def config_of(config: Mapping[str, Any] | None, schema: ConfigSchema | None) -> dict[str, Any]:
    """Schema defaults overlaid with the configured values.

    The CLI applies schema defaults before calling the pack, but ``args.get_config()`` in
    unit tests (and in any caller that skips the CLI) does not, so every rule does it here.
    """
    result = {key: prop["default"] for key, prop in (schema or {}).items() if "default" in prop}
    result.update(dict(config or {}))
    return result


def str_list(value: Any) -> list[str]:
    return [str(item) for item in items(value)]


# --- factories -------------------------------------------------------------------------


RESOURCE_TYPES_ATTRIBUTE = "mlops_resource_types"
"""Set on each :func:`resource_rule` policy: the offline evaluator (policies/local.py) calls it only
on resources of those types. The analyzer calls every policy on every resource; the rule's own
first line returns on any other type, so skipping those calls changes no verdict."""


@dataclass(frozen=True)
class TypesMatching:
    """The types a rule checks where no list can name them all: those ``listed`` and every other token
    ``matches`` accepts (the Kubernetes security rules: every custom resource kind, found by its token).
    Holds types as a frozenset does for ``in``; never empty."""

    listed: frozenset[str]
    matches: Callable[[str], bool]

    def __contains__(self, resource_type: object) -> bool:
        return isinstance(resource_type, str) and (
            resource_type in self.listed or self.matches(resource_type)
        )


#: What a rule checks: a fixed set of type tokens, or :class:`TypesMatching`.
ResourceTypes = frozenset[str] | TypesMatching


def resource_rule(
    *,
    name: str,
    description: str,
    resource_types: Iterable[str] | TypesMatching,
    check: ResourceCheck,
    enforcement_level: EnforcementLevel,
    severity: Severity,
    framework: PolicyComplianceFramework | None = None,
    config: ConfigSchema | None = None,
    tags: list[str] | None = None,
) -> ResourceValidationPolicy:
    """A resource policy that runs ``check`` on the listed types and reports each message.

    Python CrossGuard has no ``validate_resource_of_type``, so the type filter lives here.
    """
    types: ResourceTypes = (
        resource_types if isinstance(resource_types, TypesMatching) else frozenset(resource_types)
    )

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type not in types:
            return
        for message in check(args, config_of(args.get_config(), config)):
            report_violation(message, None)

    policy = ResourceValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        enforcement_level=enforcement_level,
        config_schema=PolicyConfigSchema(properties=dict(config)) if config else None,
        severity=severity,
        framework=framework,
        tags=tags,
    )
    setattr(policy, RESOURCE_TYPES_ATTRIBUTE, types)
    return policy


def resource_types_of(policy: object) -> ResourceTypes | None:
    """The types a :func:`resource_rule` policy checks (it reports nothing on any other type);
    None for a policy made otherwise, which may check every resource."""
    return getattr(policy, RESOURCE_TYPES_ATTRIBUTE, None)


def stack_rule(
    *,
    name: str,
    description: str,
    check: StackCheck,
    enforcement_level: EnforcementLevel,
    severity: Severity,
    framework: PolicyComplianceFramework | None = None,
    config: ConfigSchema | None = None,
    tags: list[str] | None = None,
) -> StackValidationPolicy:
    """A stack policy; ``check`` yields ``(message, urn)`` pairs (urn None = whole stack)."""

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        for message, urn in check(args, config_of(args.get_config(), config)):
            report_violation(message, urn)

    return StackValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        enforcement_level=enforcement_level,
        config_schema=PolicyConfigSchema(properties=dict(config)) if config else None,
        severity=severity,
        framework=framework,
        tags=tags,
    )


def shown(value: Any) -> str:
    """A value for a violation message: ``unset`` or its repr (``2`` rather than the wire's ``2.0``)."""
    if value is None:
        return "unset"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(to_plain(value))


# --- SageMaker shapes shared by several modules ---------------------------------------


def endpoint_variants(props: Any) -> list[tuple[str, Any]]:
    """``(path, variant)`` for production and shadow variants of an endpoint configuration."""
    result: list[tuple[str, Any]] = []
    for key in ("productionVariants", "shadowProductionVariants"):
        for index, variant in enumerate(items(get(props, key))):
            if is_map(variant):
                result.append((f"{key}[{index}]", variant))
    return result


def is_serverless(variant: Any) -> bool:
    """Serverless variants have no instances: instance-count, autoscaling and quota rules skip them."""
    return is_set(get(variant, "serverlessConfig"))


# --- IAM-style policy documents (IAM, S3 bucket and KMS key policies) ------------------


def policy_statements(document: Any) -> list[Mapping[str, Any]]:
    """``Statement`` as a list of statement objects (it may be a single object)."""
    if not is_map(document):
        return []
    return [s for s in items(document.get("Statement")) if is_map(s)]


def principal_is_public(principal: Any) -> bool:
    """``"*"``, ``{"AWS": "*"}`` or ``{"AWS": ["*", ...]}``: anyone."""
    if principal == "*":
        return True
    if is_map(principal):
        return any(value == "*" for value in items(principal.get("AWS")))
    return False


__all__ = [
    "ADVISORY",
    "ARN_PATTERN_HINT",
    "AWS_CONFIG",
    "AWS_MANAGED_ALIAS",
    "CHECKOV",
    "CRITICAL",
    "FSBP",
    "GPU_FAMILIES",
    "HIGH",
    "IAM_CONDITION_KEYS",
    "INSTANCE_STORE_FAMILIES",
    "LOW",
    "MANDATORY",
    "MEDIUM",
    "RESOURCE_TYPES_ATTRIBUTE",
    "UNKNOWN_TAG_VALUE",
    "ConfigSchema",
    "Found",
    "PolicyResource",
    "ResourceCheck",
    "ResourceTypes",
    "StackCheck",
    "StackIndex",
    "TypesMatching",
    "UndecidedCollector",
    "UndecidedResources",
    "Undeterminable",
    "ValuesOf",
    "any_decided",
    "any_holds",
    "arn_fields",
    "arn_pattern_pins_account",
    "config_of",
    "deps",
    "each_part",
    "each_resource",
    "endpoint_variants",
    "framework",
    "get",
    "get_or_none",
    "has_escape",
    "has_instance_store",
    "has_wildcard",
    "hashable",
    "iam_wildcard",
    "instance_family",
    "is_aws_managed_alias",
    "is_false",
    "is_map",
    "is_seq",
    "is_serverless",
    "is_set",
    "is_true",
    "items",
    "matches_every",
    "number",
    "of_type",
    "one",
    "own_or_unset",
    "parse_json",
    "policy_statements",
    "principal_is_public",
    "reaches_within",
    "resource_rule",
    "resource_types_of",
    "shown",
    "stack_rule",
    "str_list",
    "tag_map",
    "to_plain",
    "unique_keys",
    "variable_side",
    "variables_as_wildcards",
]
