"""Offline evaluation of the pack's policies over a planned resource graph.

Used by the tests and by the offline plan. It mirrors what the Pulumi CLI, engine and
pulumi-policy's analyzer server do, so a rule behaves the same here and under
``pulumi preview --policy-pack policies``:

* Config: schema defaults, then ``registry.INITIAL_CONFIG``, then ``config`` (the
  ``--policy-pack-config`` shape, ``"all"`` included), as the CLI's reconciliation does.
  Config values and props are passed through the protobuf ``Struct`` number handling:
  integers arrive as floats.
* Resource policies run once per *custom, non-provider* resource of the types the rule
  checks, on its inputs wrapped in ``unknown_checking_proxy``. (The engine also sends
  component and provider resources, and calls every rule on every type; each rule returns
  at once on a type it does not check, so skipping those calls changes nothing.)
* Stack policies receive *every* resource given, components and providers included (the
  engine sends every registered resource), as ``PolicyResource`` objects whose parent,
  dependencies and property dependencies point at each other, as the analyzer builds
  them. One difference: the engine gives stack policies each resource's *outputs* after
  ``pulumi up`` creates them; a plan only has inputs, so inputs are used (the tests run every
  stack rule over both shapes, ``tests/policies/engine_shapes.py``).
* ``UnknownValueError`` means "cannot be decided at preview": no violation, recorded in
  ``Report.undecided`` (the engine prints an advisory note instead). Violations reported
  before the exception are kept, as the engine keeps them. A stack rule checks every
  resource it can and then raises ``UndecidedResources`` naming the ones it could not
  decide: one undecided check per resource (``Report.stack_undecided`` counts them per rule).
* Disabled policies do not run; ``remediate`` is reported as mandatory, as the engine does.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from inspect import isawaitable
from typing import Any, Protocol

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.policy import _NotApplicableError  # raised by args.not_applicable()
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from .registry import ALL_POLICIES, disabled_policies, resolve_config
from .rules._common import UndecidedResources, resource_types_of

PROVIDER_PREFIX = "pulumi:providers:"


@dataclass(frozen=True)
class Violation:
    policy_name: str
    enforcement_level: str  # "advisory" | "mandatory" (disabled rules are not evaluated)
    message: str
    resource_type: str | None  # None for stack-level violations not tied to a resource
    resource_name: str | None
    urn: str | None


@dataclass(frozen=True)
class Undecided:
    """A policy that could not decide at preview because it read an unknown value."""

    policy_name: str
    urn: str | None
    reason: str


@dataclass(frozen=True)
class Report:
    violations: list[Violation] = field(default_factory=list)
    undecided: list[Undecided] = field(default_factory=list)
    stack_policies: list[str] = field(default_factory=list)
    """Names of the stack policies that ran (enabled ones), in evaluation order."""

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement_level == EnforcementLevel.MANDATORY.value]

    @property
    def stack_undecided(self) -> dict[str, int]:
        """Per stack policy that ran, how many resources it could not decide (0 included)."""
        counts = dict.fromkeys(self.stack_policies, 0)
        for item in self.undecided:
            if item.policy_name in counts:
                counts[item.policy_name] += 1
        return counts

    def undecided_by_policy(self) -> dict[str, int]:
        """Undecided checks per policy: every stack policy that ran, and resource policies with any."""
        counts = self.stack_undecided
        for item in self.undecided:
            if item.policy_name not in self.stack_policies:
                counts[item.policy_name] = counts.get(item.policy_name, 0) + 1
        return counts


class PlannedResource(Protocol):
    """One recorded resource registration (the recorder's records satisfy this)."""

    @property
    def type(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def urn(self) -> str: ...
    @property
    def inputs(self) -> Mapping[str, Any]: ...  # camelCase wire shape, exactly what the pack sees
    @property
    def parent(self) -> str | None: ...  # parent URN
    @property
    def dependencies(self) -> Sequence[str]: ...  # URNs
    @property
    def property_dependencies(self) -> Mapping[str, Sequence[str]]: ...
    @property
    def protect(self) -> bool: ...
    @property
    def provider(self) -> str | None: ...  # provider reference "<urn>::<id>" (or a bare URN)
    @property
    def custom(self) -> bool: ...  # False for component resources


class PolicyEvaluationError(RuntimeError):
    """A rule raised something other than UnknownValueError: a bug in the rule or its input."""


# --- config ------------------------------------------------------------------------------


def enabled_policies(
    config: Mapping[str, Any] | None, policies: Sequence[Policy] = ALL_POLICIES
) -> list[Policy]:
    """The policies ``config`` leaves enabled (resolved level not ``disabled``)."""
    disabled = disabled_policies(config, policies)
    return [p for p in policies if p.name not in disabled]


# --- building the policy SDK's objects -------------------------------------------------


def _wire(value: Any) -> Any:
    """Plain JSON-like values with the protobuf Struct's numbers: ints become floats."""
    kind = type(value)  # the recorder's own types first, without the ABCs' isinstance checks
    if kind is str or kind is float or kind is bool or value is None:
        return value
    if kind is dict:
        return {key if type(key) is str else str(key): _wire(item) for key, item in value.items()}
    if kind is list:
        return [_wire(item) for item in value]
    if isinstance(value, int):  # bool cannot be subclassed: every bool returned above
        return float(value)
    if isinstance(value, Mapping):
        return {str(k): _wire(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [_wire(v) for v in value]
    return value


def _options(resource: PlannedResource, parent: str | None) -> PolicyResourceOptions:
    # Optional on a planned resource: recorders that keep them pass them on, as the engine does.
    timeouts: Mapping[str, str] = getattr(resource, "custom_timeouts", {}) or {}
    return PolicyResourceOptions(
        protect=bool(resource.protect),
        ignore_changes=list(getattr(resource, "ignore_changes", ()) or ()),
        delete_before_replace=None,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(
            *(duration_seconds(timeouts.get(operation, "")) for operation in ("create", "update", "delete"))
        ),
        additional_secret_outputs=[],
        parent=parent,
    )


# Go's time.ParseDuration grammar: an optional sign, then numbers (ASCII digits only: float() reads
# any Unicode digit, Go does not; "1.", ".5" and "1.5" alike) each with a unit; "0" alone needs none.
_UNITS = "ns|us|\u00b5s|\u03bcs|ms|s|m|h"
_DURATION = re.compile(rf"[-+]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:{_UNITS}))+|[-+]?0")
_DURATION_PART = re.compile(rf"([0-9]*)(?:\.([0-9]*))?({_UNITS})")
_MICROSECOND = 1_000
_UNIT_NANOSECONDS = {
    "h": 3_600_000_000_000,
    "m": 60_000_000_000,
    "s": 1_000_000_000,
    "ms": 1_000_000,
    "us": _MICROSECOND,
    "\u00b5s": _MICROSECOND,
    "\u03bcs": _MICROSECOND,
    "ns": 1,
}
_GO_DURATION_LIMIT = 1 << 63  # nanoseconds: Go's int64 Duration


def duration_seconds(duration: str) -> float:
    """A Pulumi custom timeout (a Go duration such as ``"1h30m"``, ``"1260s"`` or ``"0"``) in
    seconds; 0 unset. What Go's parser refuses (its grammar, or more than an int64 of nanoseconds,
    which it checks part by part as here) is a :class:`PolicyEvaluationError`."""
    if not duration:  # most resources set none: three per resource, per evaluation
        return 0.0
    if not _DURATION.fullmatch(duration):
        raise PolicyEvaluationError(f"custom timeout {duration!r} is not a duration such as '20m' or '1h30m'")
    negative = duration.startswith("-")
    total = 0
    for whole, fraction, unit in _DURATION_PART.findall(duration):
        scale = _UNIT_NANOSECONDS[unit]
        part = int(whole or "0")
        if part > _GO_DURATION_LIMIT // scale:
            raise PolicyEvaluationError(f"custom timeout {duration!r} is out of Go's duration range")
        part *= scale
        if fraction:  # digits past the 18th add less than a nanosecond (Go stops reading them too)
            digits = fraction[:18]
            part += int(int(digits) * (scale / 10 ** len(digits)))
        total += part
        if part > _GO_DURATION_LIMIT or total > _GO_DURATION_LIMIT:
            raise PolicyEvaluationError(f"custom timeout {duration!r} is out of Go's duration range")
    if not negative and total > _GO_DURATION_LIMIT - 1:
        raise PolicyEvaluationError(f"custom timeout {duration!r} is out of Go's duration range")
    seconds = total / 1_000_000_000
    return -seconds if negative and seconds else seconds


class _Providers:
    """The provider a resource's reference (``<urn>::<id>``, or a bare URN) names, found by looking
    its URN up: a scan of the stack per resource grew quadratically with the resources registered
    before a provider (aws-native's is registered at its first resource, mid-stack)."""

    def __init__(self, by_urn: Mapping[str, PlannedResource]) -> None:
        self._by_urn = by_urn
        self._position = {urn: index for index, urn in enumerate(by_urn)}
        # One object per reference, shared by every resource of that provider (the rules only
        # read): a stack has a few providers and thousands of resources.
        self._made: dict[str, PolicyProviderResource | None] = {}

    def of(self, resource: PlannedResource) -> PolicyProviderResource | None:
        reference = resource.provider
        if not reference:
            return None
        if reference not in self._made:
            self._made[reference] = self._provider(reference)
        return self._made[reference]

    def _provider(self, reference: str) -> PolicyProviderResource | None:
        # The reference itself, or any prefix of it followed by "::"; the stack's first of them.
        prefixes = [reference]
        separator = reference.find("::")
        while separator != -1:
            prefixes.append(reference[:separator])
            separator = reference.find("::", separator + 1)
        known = [prefix for prefix in prefixes if prefix in self._position]
        if not known:
            return None
        candidate = self._by_urn[min(known, key=self._position.__getitem__)]
        return PolicyProviderResource(
            candidate.type, unknown_checking_proxy(_wire(candidate.inputs)), candidate.urn, candidate.name
        )


def _stack_resources(
    resources: Sequence[PlannedResource], providers: _Providers, proxies: Sequence[Any] | None = None
) -> list[PolicyResource]:
    """PolicyResources linked to each other the way the analyzer server links them (``proxies``:
    each resource's inputs in wire form behind ``unknown_checking_proxy``, in order, when already
    made)."""
    if proxies is None:
        proxies = [unknown_checking_proxy(_wire(r.inputs)) for r in resources]
    built = {
        r.urn: PolicyResource(
            r.type,
            props,
            r.urn,
            r.name,
            _options(r, parent=None),  # the engine sends no options.parent here
            providers.of(r),
            None,
            [],
            {},
        )
        for r, props in zip(resources, proxies, strict=True)
    }
    for r in resources:
        resource = built[r.urn]
        resource.parent = built.get(r.parent) if r.parent else None
        resource.dependencies = [built[d] for d in r.dependencies if d in built]
        resource.property_dependencies = {
            key: [built[d] for d in urns if d in built] for key, urns in r.property_dependencies.items()
        }
    return list(built.values())


def _run(policy: ResourceValidationPolicy | StackValidationPolicy, args: Any, report: Any) -> None:
    result = policy.validate(args, report)
    if isawaitable(result):
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(result)
        finally:
            loop.close()


# --- evaluation --------------------------------------------------------------------------


def evaluate_report(
    resources: Sequence[PlannedResource],
    config: Mapping[str, Any] | None = None,
    policies: Sequence[Policy] = ALL_POLICIES,
    *,
    stack_tags: Mapping[str, str] | None = None,
) -> Report:
    """Run ``policies`` over ``resources`` with ``config``; violations and undecided checks."""
    settings = resolve_config(config, policies)
    by_urn = {r.urn: r for r in resources}
    providers = _Providers(by_urn)
    report = Report()
    # Built once per evaluation: each resource's props (its inputs in wire form behind the engine's
    # unknown-checking proxy, which copies them whole), shared by the resource rules and the stack
    # rules (the analyzer deserialises them again for each policy; the pack's rules only read,
    # tests/policies/test_policy_pack.py), and each validated resource's options and provider.
    proxies = [unknown_checking_proxy(_wire(resource.inputs)) for resource in resources]
    validated = [
        (
            resource,
            props,
            _options(resource, parent=resource.parent),
            providers.of(resource),
        )
        for resource, props in zip(resources, proxies, strict=True)
        if resource.custom and not resource.type.startswith(PROVIDER_PREFIX)
    ]
    stack_resources: list[PolicyResource] | None = None
    # Where each type's resources are in ``validated``: a rule of a few types reads only those.
    positions: dict[str, list[int]] = {}
    for position, (resource, *_) in enumerate(validated):
        positions.setdefault(resource.type, []).append(position)

    for policy in policies:
        level, props = settings[policy.name]
        if level == EnforcementLevel.DISABLED:
            continue
        shown_level = EnforcementLevel.MANDATORY if level == EnforcementLevel.REMEDIATE else level

        def record(
            message: str,
            urn: str | None,
            subject: PlannedResource | None,
            policy: Policy = policy,
            shown_level: EnforcementLevel = shown_level,
        ) -> None:
            report.violations.append(
                Violation(
                    policy_name=policy.name,
                    enforcement_level=shown_level.value,
                    message=message or policy.description,
                    resource_type=subject.type if subject else None,
                    resource_name=subject.name if subject else None,
                    urn=subject.urn if subject else urn,
                )
            )

        if isinstance(policy, ResourceValidationPolicy):
            policy_props = _wire(props)
            types = resource_types_of(policy)
            # A rule reports nothing on a type it does not check: only its own types are called
            # (in the resources' order, as the analyzer calls them).
            checked = (
                validated
                if types is None
                else [validated[p] for p in sorted(p for t in positions if t in types for p in positions[t])]
            )
            for resource, resource_props, options, provider in checked:
                resource_args = ResourceValidationArgs(
                    resource.type,
                    resource_props,
                    resource.urn,
                    resource.name,
                    options,
                    provider,
                    policy_props,
                    stack_tags,
                )
                _guarded(
                    policy,
                    resource_args,
                    lambda m, _urn=None, r=resource: record(m, r.urn, r),
                    report,
                    resource.urn,
                )
        elif isinstance(policy, StackValidationPolicy):
            if stack_resources is None:
                stack_resources = _stack_resources(resources, providers, proxies)
            report.stack_policies.append(policy.name)
            stack_args = StackValidationArgs(stack_resources, _wire(props), stack_tags)
            _guarded(
                policy,
                stack_args,
                lambda m, urn=None: record(m, urn, by_urn.get(urn) if urn else None),
                report,
                None,
            )
    return report


def _guarded(
    policy: ResourceValidationPolicy | StackValidationPolicy,
    args: Any,
    report_violation: Any,
    report: Report,
    urn: str | None,
) -> None:
    try:
        _run(policy, args, report_violation)
    except UndecidedResources as error:
        report.undecided.extend(Undecided(policy.name, urn, reason) for urn, reason in error.reasons.items())
    except UnknownValueError as error:
        report.undecided.append(Undecided(policy.name, urn, error.message))
    except _NotApplicableError:
        pass
    except Exception as error:
        raise PolicyEvaluationError(
            f"policy {policy.name!r} failed on {urn or 'the stack'}: {error!r}"
        ) from error


def evaluate(
    resources: Sequence[PlannedResource],
    config: Mapping[str, Any] | None = None,
    policies: Sequence[Policy] = ALL_POLICIES,
) -> list[Violation]:
    """The violations ``pulumi preview --policy-pack policies`` would report for this plan."""
    return evaluate_report(resources, config, policies).violations
