"""Helpers every rule module shares.

Why they exist: at preview the engine hands rules *proxied* props
(``pulumi_policy.proxy.unknown_checking_proxy``): they are ``Mapping``/``Sequence``
objects, never ``dict``/``list``, and reading a value that is not known yet raises
``UnknownValueError``. Numbers arrive as floats (the engine's props and config go
through a protobuf ``Struct``). Nested one-item blocks are objects in pulumi-aws 7 but
some providers still send one-item lists. The helpers below absorb those differences so
the rules read like the controls they implement.

This module imports nothing from ``components/`` or ``stacks/``: the pack governs any
Pulumi program.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeGuard

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
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from ..aws_instance_types import GPU_FAMILIES as _GPU_FAMILIES
from ..aws_instance_types import INSTANCE_STORE_FAMILIES as _STORE_FAMILIES

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


# --- reading props ---------------------------------------------------------------------


# The built-in types answer without the ABCs' isinstance checks, which a policy evaluation makes
# millions of (every read of every resource's props); anything else (the engine's proxies) asks.
_NEITHER = frozenset({str, bytes, int, float, bool, type(None)})


def is_map(value: Any) -> TypeGuard[Mapping[Any, Any]]:
    kind = type(value)
    if kind is dict:
        return True
    if kind is list or kind is tuple or kind in _NEITHER:
        return False
    return isinstance(value, Mapping)


def is_seq(value: Any) -> bool:
    kind = type(value)
    if kind is list or kind is tuple:
        return True
    if kind is dict or kind in _NEITHER:
        return False
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def one(value: Any) -> Any:
    """A nested block that some providers send as a one-item list."""
    if is_seq(value):
        return value[0] if len(value) else None
    return value


def get(obj: Any, path: str, default: Any = None) -> Any:
    """Read a dotted camelCase path; ``None`` (what mocks record for unknowns) counts as unset.

    Reading through the engine's proxy raises ``UnknownValueError`` for an unknown value;
    that is deliberate: the engine turns it into a "cannot be decided at preview" note.
    """
    current = obj
    for part in path.split("."):
        current = one(current)
        if not is_map(current):
            return default
        current = current.get(part)
        if current is None:
            return default
    return current


def get_or_none(obj: Any, path: str) -> Any:
    """Like :func:`get` but an unknown value reads as ``None``; for matching, never for checks."""
    try:
        return get(obj, path)
    except UnknownValueError:
        return None


def items(value: Any) -> list[Any]:
    """A list input as a plain list (``None`` -> ``[]``, a single object -> ``[obj]``)."""
    if value is None:
        return []
    if is_seq(value):
        return list(value)
    return [value]


def is_set(value: Any) -> bool:
    """Present and not empty."""
    if value is None or value == "":
        return False
    if is_seq(value) or is_map(value):
        return len(value) > 0
    return True


def is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def is_false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.lower() == "false")


def number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def to_plain(value: Any) -> Any:
    """Copy proxied props into plain dicts/lists (reading every value, so unknowns raise)."""
    if is_map(value):
        return {key: to_plain(value[key]) for key in value}
    if is_seq(value):
        return [to_plain(item) for item in value]
    return value


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` refusing a key repeated in one object (``ValueError``).

    ``{"Statement": [...], "Statement": []}`` reads as its last value here (and in Python, Go's
    ``encoding/json``), but a parser keeping the first, or refusing it, reads another policy: a
    policy document whose meaning depends on the reader is not judged, it is refused.
    """
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key {key!r} is repeated in one object")
        result[key] = value
    return result


def parse_json(value: Any, *, strict: bool = False) -> Any:
    """A JSON document input: a string (the wire shape) or an object (what mocks record).

    ``strict``: a string repeating a key in one object is None, as unparsable (policy documents).
    """
    if isinstance(value, str):
        try:
            return json.loads(value, object_pairs_hook=unique_keys if strict else None)
        except ValueError:
            return None
    if is_map(value) or is_seq(value):
        return to_plain(value)
    return None


UNKNOWN_TAG_VALUE = "<known after apply>"


def tag_map(value: Any) -> dict[str, Any]:
    """Tags as a dict: pulumi-aws sends a map, aws-native a list of ``{key, value}``.

    A tag whose value is not known at preview still counts as present.
    """
    result: dict[str, Any] = {}
    if is_map(value):
        for key in value:
            result[str(key)] = _known_or_placeholder(value, key)
        return result
    for item in items(value):
        if is_map(item):
            key = item.get("key", item.get("Key"))
            if key is not None:
                result[str(key)] = _known_or_placeholder(item, "value" if "value" in item else "Value")
    return result


def _known_or_placeholder(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key)
    except UnknownValueError:
        return UNKNOWN_TAG_VALUE


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


def resource_rule(
    *,
    name: str,
    description: str,
    resource_types: Iterable[str],
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
    types = frozenset(resource_types)

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


def resource_types_of(policy: object) -> frozenset[str] | None:
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


# --- stack graphs ----------------------------------------------------------------------


def hashable(value: Any) -> bool:
    """Whether ``value`` can be looked up in a set: a name written as a map names nothing."""
    try:
        hash(value)
    except TypeError:
        return False
    return True


def of_type(resources: Iterable[PolicyResource], types: Iterable[str]) -> list[PolicyResource]:
    wanted = frozenset(types)
    return [r for r in resources if r.resource_type in wanted]


Found = list[tuple[int, PolicyResource]]
"""Resources a :class:`StackIndex` lookup found, each with its position in the stack."""
ValuesOf = Callable[[PolicyResource], Iterable[Any]]
"""The literal values a resource is known by (its name, the ARNs an alarm notifies...)."""


class StackIndex:
    """A stack's resources indexed once, for the stack rules that relate resources to each other.

    Rules that followed each endpoint to its configuration, scaling targets, alarms and schedules
    by scanning the whole stack grew quadratically with the number of endpoints: 9 s of the
    200-endpoint plan's policy evaluation. A lookup here costs the size of what it finds. What it
    finds, and what it raises, are what the scan found and raised, in the stack's order
    (tests/policies/test_stack_index.py compares the two).
    """

    def __init__(self, resources: Sequence[PolicyResource]) -> None:
        self._stack: Found = list(enumerate(resources))
        self._types: dict[str, Found] = {}
        for entry in self._stack:
            self._types.setdefault(entry[1].resource_type, []).append(entry)
        self._consumers: dict[str | None, dict[str, Found]] = {}
        self._values: dict[
            tuple[tuple[str, ...], ValuesOf], tuple[dict[Any, Found], list[tuple[int, UnknownValueError]]]
        ] = {}

    def of_type(self, types: Iterable[str]) -> list[PolicyResource]:
        """As :func:`of_type` over the whole stack."""
        return [resource for _, resource in self._of_type(tuple(types))]

    def consumers(self, target: PolicyResource, types: Iterable[str], prop: str | None = None) -> Found:
        """Resources of ``types`` that depend on ``target`` (through ``prop``, or through any input):
        what :func:`depends_on` finds, without asking every resource."""
        wanted = frozenset(types)
        return [
            entry
            for entry in self._consumer_index(prop).get(target.urn, [])
            if entry[1].resource_type in wanted
        ]

    def having(
        self,
        types: Iterable[str],
        values_of: ValuesOf,
        value: Any,
        *,
        besides: Sequence[tuple[int, PolicyResource]] = (),
        first: bool = False,
    ) -> Found:
        """Resources of ``types`` one of whose ``values_of`` equals ``value``, in the stack's
        order: what a scan of the stack finds that skips ``besides`` (resources already found
        through a dependency), and stops at the first match with ``first``.

        Like that scan, it raises the ``UnknownValueError`` of the first resource whose values
        cannot be read at preview, unless the scan would not have read it (in ``besides``, or after
        the first match). A value that cannot be hashed (a map) is compared with each resource's in
        turn, as the scan compared it.
        """
        wanted = tuple(dict.fromkeys(types))
        skipped = {position for position, _ in besides}
        if not hashable(value):
            return self._scan(wanted, values_of, value, skipped, first)
        table, unreadable = self._value_index(wanted, values_of)
        found = [entry for entry in table.get(value, []) if entry[0] not in skipped][: 1 if first else None]
        read_up_to = found[0][0] if first and found else None
        for position, error in unreadable:
            if position not in skipped and (read_up_to is None or position < read_up_to):
                raise error
        return found

    @staticmethod
    def in_stack_order(*found: Found) -> list[PolicyResource]:
        """What several lookups found, each resource once, in the stack's order."""
        merged = {position: resource for entries in found for position, resource in entries}
        return [merged[position] for position in sorted(merged)]

    def _of_type(self, types: tuple[str, ...]) -> Found:
        return sorted(entry for kind in dict.fromkeys(types) for entry in self._types.get(kind, []))

    def _consumer_index(self, prop: str | None) -> dict[str, Found]:
        index = self._consumers.get(prop)
        if index is None:
            index = {}
            for position, resource in self._stack:
                for dependency in deps(resource, prop):
                    found = index.setdefault(dependency.urn, [])
                    if not found or found[-1][0] != position:
                        found.append((position, resource))
            self._consumers[prop] = index
        return index

    def _value_index(
        self, types: tuple[str, ...], values_of: ValuesOf
    ) -> tuple[dict[Any, Found], list[tuple[int, UnknownValueError]]]:
        """Resources of ``types`` by each hashable value they are known by (a value that cannot be
        hashed equals no value that can), and those whose values are unknown at preview."""
        key = (types, values_of)
        if key not in self._values:
            table: dict[Any, Found] = {}
            unreadable: list[tuple[int, UnknownValueError]] = []
            for position, resource in self._of_type(types):
                try:
                    values = list(values_of(resource))
                except UnknownValueError as error:
                    unreadable.append((position, error))
                    continue
                for value in values:
                    try:
                        found = table.setdefault(value, [])
                    except TypeError:
                        continue
                    if not found or found[-1][0] != position:
                        found.append((position, resource))
            self._values[key] = (table, unreadable)
        return self._values[key]

    def _scan(
        self, types: tuple[str, ...], values_of: ValuesOf, value: Any, skipped: set[int], first: bool
    ) -> Found:
        found: Found = []
        for position, resource in self._of_type(types):
            if position in skipped:
                continue
            if any(known == value for known in values_of(resource)):
                found.append((position, resource))
                if first:
                    break
        return found


def deps(resource: PolicyResource, prop: str | None = None) -> list[PolicyResource]:
    """What ``resource`` depends on: through one input (``prop``) or through any."""
    if prop is not None:
        return list(resource.property_dependencies.get(prop, []))
    seen: dict[str, PolicyResource] = {d.urn: d for d in resource.dependencies}
    for values in resource.property_dependencies.values():
        for d in values:
            seen.setdefault(d.urn, d)
    return list(seen.values())


def reaches_within(start: PolicyResource, max_hops: int = 3) -> set[str]:
    """URNs of what ``start`` consumes directly or through up to ``max_hops`` resources: one walk
    per start, asked of each target by membership."""
    frontier, seen, reached = [start], {start.urn}, set()
    for _ in range(max_hops):
        next_frontier: list[PolicyResource] = []
        for resource in frontier:
            for dep in deps(resource):
                reached.add(dep.urn)
                if dep.urn not in seen:
                    seen.add(dep.urn)
                    next_frontier.append(dep)
        frontier = next_frontier
    return reached


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


# --- resources a stack rule could not decide -------------------------------------------


class UndecidedResources(UnknownValueError):
    """Raised by a stack rule *after* it reported everything it could decide.

    ``reasons`` maps the URN of each resource whose verdict needs a value unknown at preview
    to what was unknown. The engine shows the message as an advisory "can't run policy during
    preview" note and keeps the violations reported before; ``policies.local`` counts one
    undecided check per URN. A resource in ``settled_by_nothing`` has a note no value settles
    (shown whole); one also in ``waits`` needs values known after apply as well, and is named
    among those too (``waits`` defaults to every resource not settled by nothing).
    """

    def __init__(
        self,
        reasons: Mapping[str, str],
        sentinel: str,
        settled_by_nothing: Iterable[str] = (),
        notes: Mapping[str, str] | None = None,
        waits: Iterable[str] | None = None,
    ) -> None:
        super().__init__(sentinel, [])
        self.reasons = dict(reasons)
        beyond = set(settled_by_nothing)
        pending = set(waits) if waits is not None else {urn for urn in self.reasons if urn not in beyond}
        notes = notes if notes is not None else self.reasons
        later = [urn.rsplit("::", 1)[-1] for urn in self.reasons if urn in pending]
        parts = (
            [
                f"{len(later)} resource(s) need values known only after apply ({', '.join(later)}); "
                "they are checked when stack policies re-run on outputs"
            ]
            if later
            else []
        )
        parts += [f"{urn.rsplit('::', 1)[-1]}: {notes[urn]}" for urn in self.reasons if urn in beyond]
        self.message = "; ".join(parts)


class Undeterminable(UnknownValueError):
    """A verdict no value settles, at preview or after create: what AWS does is not documented.

    Raised (or added to an :class:`UndecidedCollector`) with ``message`` saying why; the engine shows
    it as its advisory note and ``policies.local`` counts one undecided check, as for a value
    unknown at preview, rather than passing the resource silently.
    """

    def __init__(self, message: str) -> None:
        super().__init__(UNKNOWN_STRING_VALUE, [])  # the engine reads only the message
        self.message = message


class UndecidedCollector:
    """Collects undecided resources while a stack rule runs; :meth:`raise_if_any` at its end.

    Per resource it keeps the first value known only after apply and every distinct note no value
    settles (:class:`Undeterminable`): a resource waiting on both is shown with both, not with
    whichever was added first."""

    def __init__(self) -> None:
        self.reasons: dict[str, str] = {}
        self.sentinel = ""
        self.settled_by_nothing: set[str] = set()
        self._waits: dict[str, str] = {}  # urn -> the first message of a value known after apply
        self._notes: dict[str, list[str]] = {}  # urn -> the notes no value settles

    def add(self, resource: PolicyResource, error: UnknownValueError) -> None:
        urn = resource.urn
        if isinstance(error, Undeterminable):
            self.settled_by_nothing.add(urn)
            notes = self._notes.setdefault(urn, [])
            if error.message not in notes:
                notes.append(error.message)
        else:
            self._waits.setdefault(urn, error.message)
        first = [self._waits[urn]] if urn in self._waits else []
        self.reasons[urn] = "; ".join([*first, *self._notes.get(urn, [])])
        self.sentinel = self.sentinel or error.unknown_type_sentinel

    def raise_if_any(self) -> None:
        if self.reasons:
            raise UndecidedResources(
                self.reasons,
                self.sentinel,
                self.settled_by_nothing,
                {urn: "; ".join(notes) for urn, notes in self._notes.items()},
                self._waits,
            )


def each_resource(
    resources: Iterable[PolicyResource],
    types: Iterable[str],
    check: Callable[[PolicyResource], Iterable[tuple[str, str | None]]],
) -> Iterator[tuple[str, str | None]]:
    """Run ``check`` per resource of ``types``; the resources an unknown value stops are counted.

    A stack rule sees every resource at once, so one unknown value must not abort the whole rule:
    every decidable resource is checked and reported first; then, if any resource could not be
    decided, :class:`UndecidedResources` names them (one undecided check each). ``pulumi up``
    re-runs stack policies on final outputs, where they are decided.
    """
    undecided = UndecidedCollector()
    for resource in of_type(resources, types):
        try:
            found = list(check(resource))
        except UnknownValueError as error:
            undecided.add(resource, error)
            continue
        yield from found
    undecided.raise_if_any()


@functools.cache
def iam_wildcard(pattern: str, *, ignore_case: bool = False) -> re.Pattern[str]:
    """An IAM wildcard pattern as a regex to ``fullmatch`` a whole value.

    ``*`` is any text (a line break too), ``?`` any one character, everything else literal, the
    escapes ``${*}``, ``${?}`` and ``${$}`` too (the characters themselves, as IAM reads them). Action
    names and condition keys compare case-insensitively (``ignore_case``); ARNs and names do not.
    Cached: a pure function of the pattern, asked again for every statement of a large stack.
    """
    regex = "".join(
        re.escape(part[2]) if _ESCAPE.fullmatch(part) else _wildcard_regex(part)
        for part in _ESCAPE.split(pattern)
    )
    return re.compile(regex, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _wildcard_regex(text: str) -> str:
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text)


#: IAM's escapes for the characters ``*``, ``?`` and ``$`` themselves (IAM User Guide, "IAM policy
#: elements: Variables and tags", special characters): ``${*}`` is a literal ``*``, never a wildcard.
_ESCAPE = re.compile(r"(\$\{[*?$]\})")


def has_wildcard(text: str) -> bool:
    """Whether ``text`` holds a ``*`` or ``?`` that is a wildcard, not one of the escapes ``${*}``
    and ``${?}`` (the characters themselves: ``arn:aws:sns:*:${*}:*`` names the account ``*``, which
    no ARN has)."""
    return bool(set(_ESCAPE.sub("", text)) & {"*", "?"})


def has_escape(text: str) -> bool:
    """Whether ``text`` holds one of IAM's escapes ``${*}``, ``${?}``, ``${$}``."""
    return _ESCAPE.search(text) is not None


def matches_every(pattern: str, probes: Iterable[str], *, ignore_case: bool = False) -> bool:
    """Whether the IAM wildcard ``pattern`` matches each of ``probes`` whole: how a rule decides
    that a pattern reaches a whole class (every role, every IAM action, every account's resources)
    without listing the spellings that do."""
    matcher = iam_wildcard(pattern, ignore_case=ignore_case)
    return all(matcher.fullmatch(probe) for probe in probes)


#: A policy variable in a condition value: ``${aws:PrincipalAccount}``, ``${aws:ResourceOrgID}``,
#: with or without a default (``${aws:username, 'none'}``). ``${*}``, ``${?}`` and ``${$}`` are
#: escapes for the literal character, not variables.
_POLICY_VARIABLE = re.compile(r"\$\{\s*([^}*?$,\s][^},]*?)\s*(?:,[^}]*)?\}")


#: Policy variables whose value is the caller's own identity, fixed for the holder of an identity
#: policy: the principal's keys (``${aws:PrincipalTag/team}``, ``${aws:PrincipalAccount}``...),
#: ``${aws:username}``, ``${aws:FederatedProvider}`` and a federated caller's claims (``${saml:sub}``,
#: ``${cognito-identity.amazonaws.com:sub}``: a provider's key names its domain). Not
#: ``${aws:userid}`` in general: its part after ``:`` is the name whoever asks STS for the session
#: chooses (a role session's ``<role id>:<session name>``, a federated user's ``<account>:<name>``,
#: which any IAM user of the account able to federate can take, and a user's policies apply to its
#: federated sessions), so it pins no more than a request's value. On a policy only a role can hold
#: (its inline policies, a RolePolicy, a permission set's) it does (``holder="role"``): every session
#: of the role has the userid ``<this role's unique id>:<any name>``, so a tag compared with it
#: reaches only resources tagged for this role, as a principal tag of the role would. Which session
#: reaches which of them is the assumers' choice (the session name is theirs), so it scopes to the
#: role, never to one person. A managed policy is read as any holder's: a resource rule sees none of
#: its attachments, and a user or group may hold it.
_HOLDERS_OWN = re.compile(r"aws:principal.*|aws:username|aws:federatedprovider|saml:.*|[^:]*\.[^:]*:.*")


def variable_side(name: str, *, holder: str = "any") -> str:
    """Whose value a policy variable ``name`` (``aws:RequestTag/team``) reads: ``"resource"`` (the
    resource's own, ``aws:Resource...``), ``"holder"`` (the caller's identity, :data:`_HOLDERS_OWN`;
    ``${aws:userid}`` too when only a role can hold the policy: ``holder="role"``) or ``"request"``
    (what the request carries, chosen by the caller: ``aws:RequestTag/...``, ``aws:SourceIp``,
    ``aws:UserAgent``, ``aws:RequestedRegion``, a service's request keys such as ``${s3:prefix}``)."""
    lowered = name.lower()
    if lowered.startswith("aws:resource"):
        return "resource"
    if holder == "role" and lowered == "aws:userid":
        return "holder"
    return "holder" if _HOLDERS_OWN.fullmatch(lowered) else "request"


def variables_as_wildcards(value: str, *, pins: str = "caller", holder: str = "any") -> str:
    """``value`` with each policy variable that pins nothing written as ``*``, so that the reader of
    wildcards judges what is left (an ARN's account, an organization path's organization).

    ``pins="caller"`` (a condition pinning who calls, on a statement open to anyone): a variable the
    caller supplies (its own identity or its request's) pins nothing; ``"aws:PrincipalOrgID":
    "${aws:PrincipalOrgID}"`` holds for a caller of every organization, ``"aws:SourceArn":
    "arn:aws:sns:*:${aws:PrincipalAccount}:*"`` for a caller's own topic. The resource's own keys
    (``${aws:ResourceAccount}``, ``${aws:ResourceOrgID}``, the data perimeter pattern) are its
    owner's and still pin; a variable elsewhere than the pinned part
    (``arn:aws:sns:${aws:RequestedRegion}:111122223333:alerts``) leaves the account pinned.

    ``pins="resource"`` (an identity policy's condition scoping which resources its holder reaches):
    the holder's own identity pins (``"aws:ResourceTag/team": "${aws:PrincipalTag/team}"``,
    attribute-based access control, and ``"aws:ResourceAccount": "${aws:PrincipalAccount}"``); the
    resource's own (``"aws:ResourceAccount": "${aws:ResourceAccount}"``) compares it with itself, and
    the request's (``"aws:ResourceTag/team": "${aws:RequestTag/team}"``) is whatever the caller sends:
    neither pins. ``holder="role"``: the policy is one only a role can hold (see :data:`_HOLDERS_OWN`).
    """

    def pins_nothing(name: str) -> bool:
        side = variable_side(name, holder=holder)
        return side != "resource" if pins == "caller" else side != "holder"

    return _POLICY_VARIABLE.sub(lambda m: "*" if pins_nothing(m.group(1)) else m.group(0), value)


#: Any policy variable or escape, as one token of an ARN (``${aws:ResourceAccount}`` holds a colon).
_VARIABLE_TOKEN = re.compile(r"\$\{[^}]*\}")


def arn_fields(value: str) -> list[str] | None:
    """The six fields of an ARN (partition, service, region, account, resource in the last), each
    policy variable read as a whole token: ``arn:aws:sns:*:${aws:ResourceAccount}:*`` has the account
    ``${aws:ResourceAccount}``, not ``${aws``; ``arn:aws:${aws:ResourceTag/s}:111122223333:*:*`` has
    the region ``111122223333`` and the account ``*``. None when ``value`` is no ARN."""
    tokens: list[str] = []

    def mark(match: re.Match[str]) -> str:
        tokens.append(match.group(0))
        return f"\x00{len(tokens) - 1}\x00"

    fields = _VARIABLE_TOKEN.sub(mark, value).split(":", 5)
    if len(fields) != 6 or not iam_wildcard(fields[0]).fullmatch("arn"):
        return None
    return [re.sub(r"\x00(\d+)\x00", lambda m: tokens[int(m.group(1))], field) for field in fields]


#: What a refusal adds so that an ``aws:SourceArn`` pattern of an S3 bucket (no account) reads as the
#: gap it is: :func:`arn_pattern_pins_account`.
ARN_PATTERN_HINT = (
    "an ARN pattern pins only with a fixed account (S3 bucket ARNs have none: pin arn:aws:s3:::name* "
    "with aws:SourceAccount too)"
)


#: An ARN pattern's account field that pins it to one owner: a 12-digit account, ``aws`` (AWS's own
#: resources: no customer creates one there), a policy variable left in place (the resource owner's
#: ``${aws:ResourceAccount}``: a caller's own were already read as ``*``), or an escape (``${*}``,
#: an account no ARN has).
_PINNED_ACCOUNT = re.compile(r"[0-9]{12}|aws|\$\{[^}*?$]+\}")

#: The resource of an S3 object ARN pattern under one fixed bucket: a bucket name (its characters
#: only, no wildcard, variable or ``/``) and a ``/``. Bucket names are unique in a partition and hold no
#: ``/``, so ``arn:aws:s3:::ml-data/*`` is one bucket's objects, one owner's.
_FIXED_BUCKET_OBJECTS = re.compile(r"[a-z0-9][a-z0-9.-]*/.*", re.DOTALL)


def arn_pattern_pins_account(value: str, *, as_text: bool) -> bool:
    """Whether an ARN *pattern* (one holding a wildcard) in a condition that should pin the caller
    matches the ARNs of one account only: its account field is fixed (:data:`_PINNED_ACCOUNT`).

    An exact ARN (no wildcard) pins by itself and is not asked here: a bucket name is unique in its
    partition, every other ARN names its account. A pattern without an account does not: S3 bucket
    ARNs carry none (``arn:aws:s3:::name``; IAM Access Analyzer, "ARN account not allowed": the bucket
    namespace "is shared by all AWS accounts"), so ``arn:aws:s3:::my-bucket*`` is met by a bucket of
    that prefix another account creates, and ``arn:aws:s3:::*`` by every bucket; ``arn:aws:s3:::ml-data/*``
    (one fixed bucket's objects, in one partition) pins: no bucket name holds a ``/``. A companion
    ``aws:SourceAccount`` condition pins such a statement instead. ``as_text`` (``StringLike``): the
    ARN is read as text, where a wildcard before the account may take colons too
    (``arn:aws:iam:*:111122223333:*`` matches another account's role under a path holding
    ``:111122223333:``); ``ArnLike``/``ArnEquals`` match each of the six fields on its own. Policy
    variables that pin nothing must already read as ``*`` (:func:`variables_as_wildcards`).
    """
    fields = arn_fields(value)  # a variable is one token: ``${aws:ResourceAccount}`` holds a colon
    if fields is None or (as_text and has_wildcard(":".join(fields[:4]))):
        return False
    account = fields[4]
    if has_wildcard(account):
        return False
    if account == "" and fields[2] == "s3" and not has_wildcard(fields[1]):
        return bool(_FIXED_BUCKET_OBJECTS.fullmatch(fields[5]))  # one bucket's objects pin
    return bool(_PINNED_ACCOUNT.fullmatch(account)) or has_escape(account)
