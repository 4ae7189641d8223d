"""A stack's resources as a graph: by type, by what they depend on, by the values they are known
by (:class:`StackIndex`), for the stack rules that relate resources to each other.

Imports nothing from ``components/`` or ``stacks/``: the pack governs any Pulumi program.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError

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


def own_or_unset(resource: PolicyResource, key: str) -> Any:
    """``resource``'s top-level ``key``, or None where it is the planned state's placeholder for a
    property the program left unset: unknown, and computed from nothing the resource depends on.

    At preview the engine gives stack policies the provider's planned state (pulumi's
    ``AnalyzeResources`` reads outputs, and pulumi-terraform-bridge's ``Create`` with ``preview``
    returns ``diff.ProposedState``), where an Optional+Computed property absent from the inputs is
    unknown until AWS answers (a pulumi-aws bucket's inline ``policy``, a KMS key's ``policy``, a
    security group's ``ingress``). A value the program computes from another resource's output
    carries a property dependency on it: that one raises ``UnknownValueError`` as any unknown does.
    Use it only where AWS's answer for an unset property is what "unset" means to the rule.
    """
    try:
        return resource.props.get(key)
    except UnknownValueError:
        if resource.property_dependencies.get(key):
            raise
        return None


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
