"""How long a first `pulumi up` of a planned stack takes: the critical path through its dependency DAG.

Pulumi creates every resource as soon as what it waits for exists, with unbounded parallelism by
default, so the wall time of an update is the longest chain of waits, not the sum of create times.
Which resources wait for which follows Pulumi's semantics, read off the recorded graph:

* a resource waits for every resource in its ``dependencies`` (the outputs it consumes and its
  ``depends_on``) and for its provider;
* a dependency on a component means a dependency on all of the component's descendants;
* a child cannot register before its parent has, so it also waits for its parent: a custom parent
  until it is created, a component parent (which takes no time itself) for whatever the component
  depends on, inherited down the tree.

Durations come from ``planner/data/create_times.json`` (typical create times per type token). The
result is an estimate of intent, like the rest of the plan: it says which chain to shorten.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any

from planner.recorder import STACK_TYPE, RecordedResource, ResourceGraph, known_inputs

CREATE_TIMES_PATH = Path(__file__).parent / "data" / "create_times.json"


@dataclass(frozen=True)
class CreateTimes:
    """Typical create seconds per type token, with a default for types the table does not know."""

    by_type: Mapping[str, Mapping[str, Any]]
    default_seconds: float
    zero_seconds_prefixes: tuple[str, ...]
    compiled: str

    def seconds(self, resource: RecordedResource) -> float:
        if not resource.custom or resource.type.startswith(self.zero_seconds_prefixes):
            return 0.0
        entry = self.by_type.get(resource.type)
        if entry is None:
            return self.default_seconds
        for variant in entry.get("variants", ()):
            if resource.inputs.get(variant["input"]) == variant["equals"]:
                return float(variant["seconds"])
        return float(entry["seconds"])

    def knows(self, type_token: str) -> bool:
        return type_token in self.by_type or type_token.startswith(self.zero_seconds_prefixes)


@cache
def load_create_times(path: Path = CREATE_TIMES_PATH) -> CreateTimes:
    data = json.loads(path.read_text())
    return CreateTimes(
        by_type=data["by_type"],
        default_seconds=float(data["default_seconds"]),
        zero_seconds_prefixes=tuple(data.get("zero_seconds_prefixes", ())),
        compiled=data["compiled"],
    )


@dataclass(frozen=True)
class Step:
    """One resource on the critical path, with when it finishes after the update starts."""

    name: str
    type: str
    seconds: float
    finishes_at: float


@dataclass(frozen=True)
class CriticalPath:
    estimated_seconds: float
    """The longest chain of waits: the estimated wall time of a first ``pulumi up``."""
    serial_seconds: float
    """The sum of every resource's create time: what ``pulumi up --parallel 1`` would take."""
    steps: tuple[Step, ...]
    create_times_compiled: str
    defaulted_types: tuple[str, ...] = ()
    """Types timed with the table's default (not listed in create_times.json)."""

    @property
    def chain(self) -> list[str]:
        return [step.name for step in self.steps]

    def to_json(self) -> dict[str, Any]:
        return {
            "estimated_seconds": round(self.estimated_seconds),
            "serial_seconds": round(self.serial_seconds),
            "chain": self.chain,
            "steps": [
                {"name": s.name, "type": s.type, "seconds": s.seconds, "finishes_at": s.finishes_at}
                for s in self.steps
            ],
            "create_times_date": self.create_times_compiled,
            "defaulted_types": list(self.defaulted_types),
        }


class WaitGraph:
    """Which custom resources each custom resource waits for before it can be created."""

    def __init__(self, graph: ResourceGraph) -> None:
        self._by_urn = {resource.urn: resource for resource in graph}
        self._children: dict[str, list[str]] = {}
        for resource in graph:
            if resource.parent:
                self._children.setdefault(resource.parent, []).append(resource.urn)
        self._descendants: dict[str, frozenset[str]] = {}
        self._inherited: dict[str, frozenset[str]] = {}
        self.nodes = [r.urn for r in graph if r.custom]
        self.waits_on = {urn: self._waits_on(self._by_urn[urn]) for urn in self.nodes}

    def resource(self, urn: str) -> RecordedResource:
        return self._by_urn[urn]

    def _custom_descendants(self, urn: str) -> frozenset[str]:
        if urn not in self._descendants:
            found: set[str] = set()
            for child in self._children.get(urn, ()):
                if self._by_urn[child].custom:
                    found.add(child)
                found |= self._custom_descendants(child)
            self._descendants[urn] = frozenset(found)
        return self._descendants[urn]

    def _expand(self, urns: tuple[str, ...] | list[str], ancestors: frozenset[str] = frozenset()) -> set[str]:
        """Dependencies as custom resources: a component stands for all of its descendants.

        A dependency on one of the resource's own ancestors is dropped: it would make the resource
        wait for itself and its siblings.
        """
        expanded: set[str] = set()
        for urn in urns:
            dependency = self._by_urn.get(urn)
            if dependency is None or dependency.type == STACK_TYPE or urn in ancestors:
                continue
            if dependency.custom:
                expanded.add(urn)
            else:
                expanded |= self._custom_descendants(urn)
        return expanded

    def _inherited_from(self, parent_urn: str | None) -> frozenset[str]:
        """What a child of ``parent_urn`` waits for because it registers only after its parent."""
        if not parent_urn or parent_urn not in self._by_urn:
            return frozenset()
        if parent_urn not in self._inherited:
            parent = self._by_urn[parent_urn]
            if parent.type == STACK_TYPE:
                inherited: frozenset[str] = frozenset()
            elif parent.custom:
                inherited = frozenset({parent_urn})
            else:
                inherited = frozenset(self._expand(parent.dependencies)) | self._inherited_from(parent.parent)
            self._inherited[parent_urn] = inherited
        return self._inherited[parent_urn]

    def _ancestors(self, resource: RecordedResource) -> frozenset[str]:
        found: list[str] = []
        parent = resource.parent
        while parent and parent in self._by_urn:
            found.append(parent)
            parent = self._by_urn[parent].parent
        return frozenset(found)

    def _waits_on(self, resource: RecordedResource) -> frozenset[str]:
        direct = self._expand(resource.dependencies, self._ancestors(resource))
        if resource.provider:
            direct |= self._expand([provider_urn(resource.provider)])
        waits = direct | self._inherited_from(resource.parent)
        waits.discard(resource.urn)
        return frozenset(waits)

    def closure(self, urn: str) -> set[str]:
        """Everything ``urn`` waits for, directly or transitively."""
        seen: set[str] = set()
        stack = list(self.waits_on.get(urn, ()))
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(self.waits_on.get(current, ()))
        return seen


def provider_urn(reference: str) -> str:
    """``<provider urn>::<provider id>`` → ``<provider urn>`` (URNs contain ``::`` themselves)."""
    urn, _, _ = reference.rpartition("::")
    return urn


def critical_path(graph: ResourceGraph, times: CreateTimes | None = None) -> CriticalPath:
    """The longest chain of waits through ``graph``'s custom resources, and the serial sum (a value
    unknown until deployment as unset: :func:`~planner.recorder.known_inputs`)."""
    graph = known_inputs(graph)
    times = times or load_create_times()
    waits = WaitGraph(graph)
    try:
        topological = list(TopologicalSorter(waits.waits_on).static_order())
    except CycleError as error:  # pragma: no cover - Pulumi itself refuses cyclic programs
        raise ValueError(f"dependency cycle among {error.args[1]}") from error
    finish: dict[str, float] = {}
    previous: dict[str, str | None] = {}
    for urn in topological:
        if urn not in waits.waits_on:
            continue
        # Ties are broken by URN, never by registration order (which varies from run to run).
        latest = min(waits.waits_on[urn], key=lambda u: (-finish[u], u), default=None)
        start = finish[latest] if latest is not None else 0.0
        previous[urn] = latest if latest is not None and start > 0 else None
        finish[urn] = start + times.seconds(waits.resource(urn))
    steps: list[Step] = []
    if finish:
        current: str | None = min(finish, key=lambda u: (-finish[u], u))
        while current is not None:
            resource = waits.resource(current)
            steps.append(Step(resource.name, resource.type, times.seconds(resource), finish[current]))
            current = previous[current]
    defaulted = sorted(
        {waits.resource(u).type for u in waits.nodes if not times.knows(waits.resource(u).type)}
    )
    return CriticalPath(
        estimated_seconds=max(finish.values(), default=0.0),
        serial_seconds=sum(times.seconds(waits.resource(urn)) for urn in waits.nodes),
        steps=tuple(reversed(steps)),
        create_times_compiled=times.compiled,
        defaulted_types=tuple(defaulted),
    )
