"""A Mermaid flowchart of a planned stack's component graph: what feeds what.

Nodes are the components directly under the stack (nested components, such as a role inside an
endpoint, fold into their top-level component), grouped by the area of their type token
(``mlops:<area>:<Name>``). An edge ``A --> B`` means some resource in B consumes an output of a
resource in A: data flow from ``property_dependencies``, aggregated to one edge per pair; explicit
``depends_on`` edges are left out because they carry no data. Everything is sorted by name, so the
same stack always renders the same text (the README embeds the prod diagram and a test compares).
"""

from __future__ import annotations

import re

from planner.recorder import STACK_TYPE, RecordedResource, ResourceGraph

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def node_id(name: str) -> str:
    """A Mermaid-safe node id: ``kms-data`` → ``c_kms_data``.

    The prefix keeps ids clear of Mermaid keywords (``end``) and of ids starting with ``o`` or
    ``x``, which Mermaid would read as circle or cross arrow heads.
    """
    return "c_" + _ID_UNSAFE.sub("_", name)


def _area_and_kind(type_token: str) -> tuple[str, str]:
    parts = type_token.split(":")
    return (parts[1], parts[2]) if len(parts) == 3 else ("other", type_token)


def top_level_components(graph: ResourceGraph) -> dict[str, RecordedResource]:
    """For every resource URN, the component directly under the stack that contains it (or is it)."""
    by_urn = {resource.urn: resource for resource in graph}
    owners: dict[str, RecordedResource] = {}

    def owner(urn: str) -> RecordedResource | None:
        if urn in owners:
            return owners[urn]
        resource = by_urn.get(urn)
        if resource is None or resource.type == STACK_TYPE or resource.is_provider:
            return None
        parent = by_urn.get(resource.parent or "")
        if parent is None or parent.type == STACK_TYPE:
            found = None if resource.custom else resource
        else:
            found = owner(parent.urn)
        if found is not None:
            owners[urn] = found
        return found

    for resource in graph:
        owner(resource.urn)
    return owners


def component_edges(graph: ResourceGraph) -> set[tuple[str, str]]:
    """``(producer, consumer)`` component-name pairs, from data-flow dependencies."""
    owners = top_level_components(graph)
    edges: set[tuple[str, str]] = set()
    for resource in graph:
        consumer = owners.get(resource.urn)
        if consumer is None:
            continue
        for urns in resource.property_dependencies.values():
            for urn in urns:
                producer = owners.get(urn)
                if producer is not None and producer.urn != consumer.urn:
                    edges.add((producer.name, consumer.name))
    return edges


def render_mermaid(graph: ResourceGraph) -> str:
    """The flowchart as Mermaid source (no code fence)."""
    components = sorted(
        {owner.urn: owner for owner in top_level_components(graph).values()}.values(), key=lambda c: c.name
    )
    areas: dict[str, list[RecordedResource]] = {}
    for component in components:
        areas.setdefault(_area_and_kind(component.type)[0], []).append(component)
    lines = ["flowchart LR"]
    for area in sorted(areas):
        lines.append(f"  subgraph area_{_ID_UNSAFE.sub('_', area)}[{area}]")
        for component in areas[area]:
            kind = _area_and_kind(component.type)[1]
            lines.append(f'    {node_id(component.name)}["{component.name}<br/><small>{kind}</small>"]')
        lines.append("  end")
    for producer, consumer in sorted(component_edges(graph)):
        lines.append(f"  {node_id(producer)} --> {node_id(consumer)}")
    return "\n".join(lines) + "\n"
