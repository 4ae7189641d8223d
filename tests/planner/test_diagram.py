"""The Mermaid component diagram, `--format mermaid`, and the generated prod block of docs/cost.md."""

from __future__ import annotations

import json
import re

import pytest

import planner.__main__ as cli
from planner.cost import estimate_cost
from planner.critical_path import critical_path
from planner.diagram import component_edges, node_id, render_mermaid, top_level_components
from planner.readme import BEGIN, DOCUMENT, END, current_block, render_block, replace_block
from planner.report import Plan
from tests.conftest import stack_path
from tests.planner.test_critical_path import component, graph, resource

NODE = re.compile(r'^    (c_\w+)\["([^"<]+)<br/>')
EDGE = re.compile(r"^  (c_\w+) --> (c_\w+)$")


def _parsed(text: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    nodes = dict(match.groups() for line in text.splitlines() if (match := NODE.match(line)))
    edges = [match.groups() for line in text.splitlines() if (match := EDGE.match(line))]
    return nodes, edges


def test_every_top_level_component_is_one_node_and_edges_join_nodes(stack_graph) -> None:
    text = render_mermaid(stack_graph)
    nodes, edges = _parsed(text)
    top_level = {
        c.name for c in stack_graph.components if stack_graph.get(c.parent).type == "pulumi:pulumi:Stack"
    }

    assert text.startswith("flowchart LR\n")
    assert set(nodes.values()) == top_level
    assert len(nodes) == len(top_level)
    assert edges and len(edges) == len(set(edges)), "edges are aggregated: one per component pair"
    for producer, consumer in edges:
        assert producer in nodes and consumer in nodes and producer != consumer


def test_prod_edges_follow_the_data_flow(stack_graphs) -> None:
    edges = component_edges(stack_graphs["prod"])

    assert ("kms-data", "artifacts") in edges, "the artifact bucket is encrypted with the data key"
    assert ("network", "endpoint-customer-churn") in edges, "the endpoint runs in the private subnets"
    assert ("endpoint-customer-churn", "monitoring-customer-churn") in edges
    assert ("monitoring-customer-churn", "endpoint-customer-churn") not in edges


def test_nested_components_fold_into_their_top_level_component(stack_graphs) -> None:
    prod = stack_graphs["prod"]
    owners = top_level_components(prod)
    [role] = [r for r in prod.of_type("aws:iam/role:Role") if r.name == "endpoint-customer-churn-models-role"]

    assert owners[role.urn].name == "endpoint-customer-churn"
    assert "endpoint-customer-churn-models" not in render_mermaid(prod)


def test_explicit_depends_on_draws_no_edge_and_data_flow_does() -> None:
    left, right, third = component("left"), component("right"), component("third")
    key = resource("key", "test:k:Key", parent=left)
    user = resource("user", "test:u:User", parent=right, data=[key])
    waiter = resource("waiter", "test:w:Waiter", parent=third, depends_on=[key])

    assert component_edges(graph(left, right, third, key, user, waiter)) == {("left", "right")}


def test_node_ids_are_safe_for_mermaid() -> None:
    assert node_id("kms-data") == "c_kms_data"
    assert node_id("end") == "c_end", "a bare `end` would close a subgraph"
    assert node_id("ops.x") == "c_ops_x"


def test_format_mermaid_prints_the_diagram(monkeypatch, capsys, stack_graphs) -> None:
    prod = stack_graphs["prod"]
    monkeypatch.setattr(cli, "build_plan", lambda path, registry: Plan(graph=prod))

    assert cli.main(["--config", str(stack_path("prod")), "--format", "mermaid"]) == cli.EXIT_OK
    assert capsys.readouterr().out == render_mermaid(prod)


def test_text_and_json_plans_carry_cost_and_critical_path(monkeypatch, capsys, stack_graphs) -> None:
    prod = stack_graphs["prod"]
    plan = Plan(graph=prod, cost=estimate_cost(prod), critical_path=critical_path(prod))
    monkeypatch.setattr(cli, "build_plan", lambda path, registry: plan)

    assert cli.main(["--config", str(stack_path("prod")), "--format", "json"]) == cli.EXIT_OK
    shape = json.loads(capsys.readouterr().out)
    assert shape["cost"]["monthly_min"] == plan.cost.monthly_min
    assert shape["critical_path"]["chain"] == plan.critical_path.chain

    assert cli.main(["--config", str(stack_path("prod"))]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert "Monthly cost at eu-west-1 list prices" in out and f"${plan.cost.monthly_min:,.2f}" in out
    assert "Deployment critical path: ~" in out and plan.critical_path.chain[-1] in out


def test_the_readme_block_is_current(stack_graphs) -> None:
    """Regenerate with `make diagram` when this fails."""
    text = DOCUMENT.read_text()

    assert current_block(text) == render_block(stack_graphs["prod"]), "run `make diagram`"


def test_the_readme_block_states_the_prod_floor_and_embeds_the_diagram(stack_graphs) -> None:
    block = render_block(stack_graphs["prod"])
    floor = estimate_cost(stack_graphs["prod"]).monthly_min

    assert f"**Prod floor: ${floor:,.0f} a month**" in block
    assert "```mermaid\n" + render_mermaid(stack_graphs["prod"]) + "```" in block


def test_replacing_the_block_keeps_the_rest_of_the_readme() -> None:
    text = f"# Title\n\nbefore\n{BEGIN}\nold\n{END}\nafter\n"

    replaced = replace_block(text, "new\nlines")

    assert replaced == f"# Title\n\nbefore\n{BEGIN}\nnew\nlines\n{END}\nafter\n"
    assert current_block(replaced) == "new\nlines"
    with pytest.raises(ValueError, match="no"):
        current_block("# no markers\n")
