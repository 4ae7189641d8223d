"""The text plan's resource tree is the one the graph's own walk gives, for every graph shape.

7e714b3f indexed each resource's children once instead of asking ``ResourceGraph.children`` (a
scan of the graph) per component and ``ResourceGraph.descendants`` per count. These pin its tree
to that walk's, line for line, on the shapes a scan and an index could tell apart: a child
registered before its parent, an orphan whose parent is not in the graph, a read and a resource
under one, a provider under a component, a custom resource's children, a graph without a stack.
A parent cycle cannot be reached from a root (each resource has one parent), so neither draws it.
"""

from __future__ import annotations

import pytest
from rich.console import Console
from rich.tree import Tree

from planner import report_text
from planner.recorder import STACK_TYPE, RecordedResource, ResourceGraph
from planner.report import Plan

STACK = "urn:pulumi:test::p::pulumi:pulumi:Stack::p-test"


def _resource(name: str, type_token: str, parent: str | None, *, custom: bool = True) -> RecordedResource:
    return RecordedResource(
        urn=f"urn:{name}",
        type=type_token,
        name=name,
        custom=custom,
        parent=parent,
        dependencies=(),
        property_dependencies={},
        inputs={},
        outputs={},
        provider=None,
        protect=False,
        retain_on_delete=False,
        id=None,
    )


def _component(name: str, parent: str | None) -> RecordedResource:
    return _resource(name, "team:area:Thing", parent, custom=False)


def _bucket(name: str, parent: str | None) -> RecordedResource:
    return _resource(name, "aws:s3/bucket:Bucket", parent)


def _stack() -> RecordedResource:
    return RecordedResource(**{**_resource("stack", STACK_TYPE, None, custom=False).__dict__, "urn": STACK})


def _graph_walk_text(graph: ResourceGraph) -> str:
    """The tree as ResourceGraph.children and .descendants walk it (the text plan before 7e714b3f)."""

    def add(tree: Tree, resource: RecordedResource) -> None:
        if resource.custom:
            tree.add(report_text._label(resource))
            return
        count = len([r for r in graph.descendants(resource) if r.is_cloud_resource])
        branch = tree.add(
            report_text._line(
                (resource.name, "bold cyan"), " ", (resource.type, "dim"), f" ({count} resources)"
            )
        )
        for child in graph.children(resource):
            add(branch, child)

    root = Tree("root")
    stack_urn = next((r.urn for r in graph if r.type == STACK_TYPE), None)
    for resource in graph:
        if resource.parent == stack_urn and not resource.is_provider:
            add(root, resource)
    return _printed(root)


def _printed(renderable: Tree) -> str:
    console = Console(width=140, force_terminal=False)
    with console.capture() as capture:
        console.print(renderable)
    return capture.get()


def _rendered_tree(graph: ResourceGraph) -> str:
    """The text plan's tree: its lines up to the line after it."""
    console = Console(width=140, force_terminal=False)
    with console.capture() as capture:
        report_text.render_text(Plan(graph=graph), console)
    text = capture.get()
    return text[text.index("\n") + 1 : text.index("🔒 protected and retained")]


def _shapes() -> dict[str, tuple[tuple[RecordedResource, ...], tuple[RecordedResource, ...]]]:
    outer = _component("outer", STACK)
    inner = _component("inner", outer.urn)
    late = _component("late", STACK)  # registered after its children
    bucket = _bucket("bucket", None)
    read = _resource("read-vpc", "aws:ec2/vpc:Vpc", STACK)
    return {
        "nested components, siblings in registration order": (
            (
                _stack(),
                outer,
                _bucket("b1", outer.urn),
                inner,
                _bucket("b2", inner.urn),
                _bucket("b0", outer.urn),
                _resource("provider", "pulumi:providers:aws", inner.urn),
                _component("empty", outer.urn),
                _bucket("top", STACK),
            ),
            (),
        ),
        "a child registered before its parent": (
            (_stack(), _bucket("early", late.urn), _component("early-c", late.urn), late),
            (),
        ),
        "an orphan and a resource under a read": (
            (
                _stack(),
                outer,
                _bucket("orphan", "urn:missing"),
                _bucket("under-read", read.urn),
                _component("cycle-a", "urn:cycle-b"),  # a parent cycle: no root reaches it
                _component("cycle-b", "urn:cycle-a"),
            ),
            (read, _resource("read-in-outer", "aws:ec2/vpc:Vpc", outer.urn)),  # reads are not drawn
        ),
        "a custom resource's children are not listed": (
            (_stack(), outer, (parent := _bucket("parent", outer.urn)), _bucket("child", parent.urn)),
            (),
        ),
        "a root provider is left out": (
            (_stack(), _resource("default", "pulumi:providers:aws", STACK), outer, inner),
            (),
        ),
        "no stack: the parentless resources are the roots": (
            (_component("solo", None), _bucket("in-solo", "urn:solo"), bucket),
            (),
        ),
    }


@pytest.mark.parametrize("shape", list(_shapes()))
def test_the_tree_is_the_graph_walks(shape: str) -> None:
    resources, reads = _shapes()[shape]
    graph = ResourceGraph(stack="test", source="<test>", resources=resources, reads=reads)

    tree = _rendered_tree(graph)

    expected = _graph_walk_text(graph)
    assert tree == expected[expected.index("\n") + 1 :]
    assert tree.strip()  # every shape has a root


def test_the_counts_and_order_as_written() -> None:
    """The walk itself, spelled out: nested counts include every cloud descendant, providers and
    components not counted; siblings in registration order, a late parent's children under it."""
    resources, _ = _shapes()["nested components, siblings in registration order"]
    graph = ResourceGraph(stack="test", source="<test>", resources=resources)

    lines = [line.strip("│├└─ ") for line in _rendered_tree(graph).splitlines()]

    assert lines == [
        "outer team:area:Thing (3 resources)",
        "b1 aws.s3.Bucket",
        "inner team:area:Thing (1 resources)",
        "b2 aws.s3.Bucket",
        "provider pulumi.providers.aws",
        "b0 aws.s3.Bucket",
        "empty team:area:Thing (0 resources)",
        "top aws.s3.Bucket",
    ]
