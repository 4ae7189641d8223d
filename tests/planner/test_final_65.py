"""Final read of session 65's offline-plan unknowns (planner/recorder.py's known_inputs).

- A list item wholly unknown (a production variant built in an apply over an output AWS computes
  at create: unknown since the recorder answers registrations "unknown") was read by the cost
  estimate and the loop diagram as None and failed the plan with a traceback (``None.get``); before
  unknowns were recorded the apply ran and the variant was priced. known_inputs leaves such an
  item out of its list, as it leaves an unknown value out of its map.
"""

from __future__ import annotations

import pulumi_aws as aws
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from planner.cost import estimate_cost
from planner.loop_diagram import derive_loop
from planner.recorder import known_inputs, record_program

KNOWN = {
    "variant_name": "known",
    "model_name": "m",
    "instance_type": "ml.m5.large",
    "initial_instance_count": 1,
}


def _program() -> None:
    vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
    # Not set by the program, not returned by the mocks: the apply over it does not run offline.
    unknown = vpc.ipv6_association_id.apply(lambda _: {**KNOWN, "variant_name": "unknown"})
    config = aws.sagemaker.EndpointConfiguration("cfg", production_variants=[KNOWN, unknown])
    aws.sagemaker.Endpoint("ep", name="ep", endpoint_config_name=config.name)


def test_a_list_item_unknown_until_deployment_is_left_out_not_read_as_none() -> None:
    graph = record_program(_program, config={"mlops-platform:platform": {"region": "eu-west-1"}})
    assert graph.named("cfg").inputs["productionVariants"][1] == UNKNOWN_STRING_VALUE

    variants = known_inputs(graph).named("cfg").inputs["productionVariants"]
    assert [variant["variantName"] for variant in variants] == ["known"]
    # Each failed on None.get before: the plan's cost and its loop diagram.
    cost = estimate_cost(graph)
    items = [item.what for component in cost.by_component.values() for item in component.items]
    assert len(items) == 1 and items[0].startswith("known: real-time ml.m5.large x 1"), items
    loop = derive_loop(graph)
    assert loop.members["endpoint"] == {graph.named("ep").urn}
