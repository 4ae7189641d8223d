"""The monthly cost estimate: the shipped stacks' floors and ceilings, unpriced lines, the JSON shape."""

from __future__ import annotations

import dataclasses
import json

import pytest

from planner.cost import PRICES_PATH, PriceTable, estimate_cost, load_prices
from tests.planner.test_critical_path import graph, resource

HOURS = 730
ENDPOINT = "aws:sagemaker/endpoint:Endpoint"


def _endpoint_items(estimate, graph_):
    endpoints = {r.name for r in graph_.of_type(ENDPOINT)}
    return [item for c in estimate.by_component.values() for item in c.items if item.resource in endpoints]


def test_dev_inference_costs_about_nothing_while_idle(stack_graphs) -> None:
    dev = stack_graphs["dev"]
    estimate = estimate_cost(dev)

    items = _endpoint_items(estimate, dev)
    assert items, "the dev stack has an endpoint to price"
    assert sum(item.monthly_min for item in items) == pytest.approx(0, abs=0.01)
    assert sum(item.monthly_max for item in items) > 100, "at max capacity the async instances bill"
    assert estimate.unpriced == ()


def test_prod_floor_keeps_two_g5_2xlarge_instances_running(stack_graphs) -> None:
    estimate = estimate_cost(stack_graphs["prod"])
    g5 = load_prices("eu-west-1").get("sagemaker_hosting_per_hour", "ml.g5.2xlarge")

    assert estimate.monthly_min >= 2 * HOURS * g5
    # Business hours (weekdays 07-20) hold 3 instances: the floor is above 2 and below 3 instances.
    [endpoint] = _endpoint_items(estimate, stack_graphs["prod"])
    assert 2 * HOURS * g5 < endpoint.monthly_min < 3 * HOURS * g5
    assert endpoint.monthly_max == pytest.approx(8 * HOURS * g5, abs=0.01)


def test_every_maximum_is_at_least_its_minimum(stack_graph) -> None:
    estimate = estimate_cost(stack_graph)

    assert estimate.monthly_max >= estimate.monthly_min > 0
    for component in estimate.by_component.values():
        assert component.monthly_max >= component.monthly_min >= 0
        for item in component.items:
            assert item.monthly_max >= item.monthly_min >= 0


def test_component_costs_add_up_to_the_stack_total(stack_graph) -> None:
    estimate = estimate_cost(stack_graph)
    shape = estimate.to_json()

    assert sum(c["monthly_min"] for c in shape["by_component"].values()) == pytest.approx(
        shape["monthly_min"]
    )
    assert sum(c["monthly_max"] for c in shape["by_component"].values()) == pytest.approx(
        shape["monthly_max"]
    )
    for component in shape["by_component"].values():
        assert sum(i["monthly_min"] for i in component["items"]) == pytest.approx(component["monthly_min"])
        assert sum(i["monthly_max"] for i in component["items"]) == pytest.approx(component["monthly_max"])


def test_components_are_named_for_the_stacks_top_level_components(stack_graphs) -> None:
    prod = stack_graphs["prod"]
    estimate = estimate_cost(prod)
    top_level = {c.name for c in prod.components if prod.get(c.parent).type == "pulumi:pulumi:Stack"}

    assert set(estimate.by_component) <= top_level
    assert {"network", "experiment-tracking", "endpoint-customer-churn", "kms-data"} <= set(
        estimate.by_component
    )


def test_an_instance_type_missing_from_the_price_table_is_a_visible_unpriced_line(stack_graphs) -> None:
    prices = load_prices("eu-west-1")
    hosting = dict(prices.prices["sagemaker_hosting_per_hour"])
    del hosting["ml.g5.2xlarge"]
    without_g5 = dataclasses.replace(prices, prices={**prices.prices, "sagemaker_hosting_per_hour": hosting})

    estimate = estimate_cost(stack_graphs["prod"], without_g5)

    [unpriced] = estimate.unpriced
    assert unpriced.resource == "endpoint-customer-churn-endpoint"
    assert unpriced.component == "endpoint-customer-churn"
    assert "ml.g5.2xlarge" in unpriced.reason and "eu-west-1" in unpriced.reason
    assert estimate.to_json()["unpriced"][0]["reason"] == unpriced.reason
    assert estimate.monthly_min < estimate_cost(stack_graphs["prod"]).monthly_min


def test_a_region_without_prices_leaves_everything_unpriced(stack_graphs) -> None:
    nowhere = PriceTable(
        region="xx-nowhere-1", prices={}, hours_per_month=HOURS, compiled="x", currency="USD"
    )

    estimate = estimate_cost(stack_graphs["dev"], nowhere)

    assert estimate.monthly_max == 0 and estimate.by_component == {}
    assert estimate.unpriced and all("xx-nowhere-1" in u.reason for u in estimate.unpriced)


def test_serverless_costs_nothing_idle_and_provisioned_concurrency_sets_a_floor() -> None:
    def priced(serverless: dict) -> tuple[float, float]:
        config = resource(
            "config",
            "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
            inputs={"productionVariants": [{"variantName": "v", "serverlessConfig": serverless}]},
        )
        endpoint = dataclasses.replace(
            resource("endpoint", ENDPOINT, inputs={"name": "e"}),
            property_dependencies={"endpointConfigName": (config.urn,)},
        )
        estimate = estimate_cost(
            graph(config, endpoint, config={"mlops-platform:platform": {"region": "eu-west-1"}})
        )
        return estimate.monthly_min, estimate.monthly_max

    per_gb_second = load_prices("eu-west-1").get("sagemaker_serverless", "per_gb_second")
    idle, busy = priced({"memorySizeInMb": 2048, "maxConcurrency": 5})
    assert idle == 0
    assert busy == pytest.approx(5 * 2 * HOURS * 3600 * per_gb_second, abs=0.01)
    floor, _ = priced({"memorySizeInMb": 2048, "maxConcurrency": 5, "provisionedConcurrency": 1})
    assert floor > 0


def test_cost_json_shape(stack_graphs) -> None:
    shape = estimate_cost(stack_graphs["prod"]).to_json()

    assert {
        "currency",
        "monthly_min",
        "monthly_max",
        "by_component",
        "assumptions",
        "price_table_date",
    } <= set(shape)
    assert shape["currency"] == "USD" and shape["region"] == "eu-west-1"
    assert shape["price_table_date"] == load_prices("eu-west-1").compiled
    assert any("usage-based" in note.lower() for note in shape["assumptions"])
    assert any("730" in note for note in shape["assumptions"])
    endpoint = shape["by_component"]["endpoint-customer-churn"]
    assert endpoint["type"] == "mlops:serving:InferenceEndpoint"
    assert {"resource", "type", "what", "monthly_min", "monthly_max"} == set(endpoint["items"][0])


def test_the_price_table_is_dated_sourced_and_covers_the_stacks_regions(stack_graphs) -> None:
    data = json.loads(PRICES_PATH.read_text())
    assert data["compiled"] and data["sources"] and "refresh" in data
    assert "list price" in data["description"].lower()
    for graph_ in stack_graphs.values():
        region = graph_.config["mlops-platform:platform"]["region"]
        assert region in data["regions"], f"no prices for {region}"
        hosting = data["regions"][region]["sagemaker_hosting_per_hour"]
        for endpoint_config in graph_.of_type("aws:sagemaker/endpointConfiguration:EndpointConfiguration"):
            for variant in endpoint_config.inputs["productionVariants"]:
                assert variant.get("instanceType") in hosting


def test_a_stack_outside_the_default_region_is_priced_at_its_own_regions_list_prices() -> None:
    """Found by a mutation audit of planner/cost.py (``region or DEFAULT_REGION`` read as ``and``):
    a us-east-1 stack must not be billed at eu-west-1 prices, nor a stack naming no region left unpriced."""
    gateway = resource("nat", "aws:ec2/natGateway:NatGateway")

    def nat_monthly(config: dict) -> tuple[str, float]:
        estimate = estimate_cost(graph(gateway, config=config))
        assert estimate.unpriced == ()
        return estimate.region, estimate.monthly_max

    for region in ("us-east-1", "eu-west-1"):
        table = load_prices(region)
        assert nat_monthly({"mlops-platform:platform": {"region": region}}) == (
            region,
            pytest.approx(table.get("nat_gateway_per_hour") * table.hours_per_month, abs=0.01),
        )
    assert load_prices("us-east-1").get("nat_gateway_per_hour") != load_prices("eu-west-1").get(
        "nat_gateway_per_hour"
    ), "the two regions' rates must differ for this test to tell them apart"
    default = load_prices("eu-west-1")
    assert nat_monthly({}) == (
        "eu-west-1",
        pytest.approx(default.get("nat_gateway_per_hour") * default.hours_per_month, abs=0.01),
    )
