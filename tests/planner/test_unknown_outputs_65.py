"""What the mocks do not return is unknown in the offline plan, as at a preview, not a known None.

The recorder runs the program with ``preview=False``, where the SDK resolves an output the mocks do
not return as a known None: a setting computed from one read as unset, and a rule for which unset
is the unsafe default refused a stack the engine accepts (``eks-endpoint-private`` on an EKS
cluster whose ``endpointPublicAccess`` comes from a VPC output the mocks do not model: a false
mandatory violation, ``bin/plan`` exit 1). Such a value is now unknown in the recording (the string
the engine sends a policy pack for one) and the rule undecided, as at ``pulumi preview``; what the
mocks do return stays known and is decided.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from planner.recorder import record_program
from policies.local import evaluate_report
from policies.rules.network import eks_endpoint_private

ROLE = "arn:aws:iam::123456789012:role/eks"
RAN: list[Any] = []
"""The values the applies of the cases ran on (an apply over an unknown value does not run)."""


def _public_access(vpc: aws.ec2.Vpc, case: str) -> pulumi.Input[bool]:
    cases: dict[str, Callable[[], pulumi.Input[bool]]] = {
        # Not set by the program, not returned by the mocks: known only after create.
        "an output the mocks do not return": lambda: vpc.enable_network_address_usage_metrics,
        "an apply over it": lambda: vpc.enable_network_address_usage_metrics.apply(
            lambda v: RAN.append(v) or v is True
        ),
        # The VPC's id is returned by the mocks: an apply over it runs and is decided.
        "a known output's apply giving true": lambda: vpc.id.apply(lambda v: RAN.append(v) or True),
        "a known output's apply giving false": lambda: vpc.id.apply(lambda v: RAN.append(v) or False),
    }
    return cases[case]()


def _cluster_program(case: str) -> Callable[[], None]:
    def program() -> None:
        vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
        aws.eks.Cluster(
            "cluster",
            role_arn=ROLE,
            vpc_config={
                "subnet_ids": ["subnet-0123456789abcdef0"],
                "endpoint_private_access": True,
                "endpoint_public_access": _public_access(vpc, case),
            },
        )

    return program


@pytest.mark.parametrize(
    ("case", "recorded", "verdict", "applies_ran"),
    [
        ("an output the mocks do not return", UNKNOWN_STRING_VALUE, "undecided", 0),
        ("an apply over it", UNKNOWN_STRING_VALUE, "undecided", 0),
        ("a known output's apply giving true", True, "violation", 1),
        ("a known output's apply giving false", False, "passes", 1),
    ],
)
def test_a_setting_computed_from_an_unreturned_output_is_undecided_not_refused(
    case: str, recorded: Any, verdict: str, applies_ran: int
) -> None:
    RAN.clear()
    graph = record_program(_cluster_program(case))
    [cluster] = graph.of_type("aws:eks/cluster:Cluster")

    assert cluster.inputs["vpcConfig"]["endpointPublicAccess"] == recorded
    assert len(RAN) == applies_ran, RAN
    report = evaluate_report(graph.resources, policies=[eks_endpoint_private])
    outcome = "violation" if report.mandatory else "undecided" if report.undecided else "passes"
    assert outcome == verdict, (report.violations, report.undecided)
    if verdict == "undecided":
        [undecided] = report.undecided
        assert undecided.policy_name == "eks-endpoint-private" and undecided.urn == cluster.urn
        assert "vpcConfig.endpointPublicAccess" in undecided.reason


def _named_program() -> None:
    vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
    # A topic named by a value unknown until the VPC exists: the provider cannot auto-name it.
    topic = aws.sns.Topic("topic", name=vpc.ipv6_association_id)
    aws.sqs.Queue("queue", name=topic.name, tags={"vpc": vpc.id, "cidr": vpc.cidr_block})
    pulumi.export("vpc_id", vpc.id)
    pulumi.export("metrics", vpc.enable_network_address_usage_metrics)
    pulumi.export("nested", {"arn": vpc.arn, "ipv6": vpc.ipv6_cidr_block})


def test_unknowns_flow_through_inputs_and_exports_and_known_values_stay_known() -> None:
    graph = record_program(_named_program)
    vpc = graph.named("vpc")
    topic, queue = graph.named("topic"), graph.named("queue")

    # An input unknown to the program is unknown in the resource's echo, not auto-named by the mocks.
    assert topic.inputs == {"name": UNKNOWN_STRING_VALUE}
    assert queue.inputs["name"] == UNKNOWN_STRING_VALUE
    # The id the mocks return and the input the program set are known.
    assert queue.inputs["tags"] == {"vpc": vpc.id, "cidr": "10.0.0.0/16"}
    assert vpc.id is not None and vpc.id.startswith("vpc-")
    # Every export is kept, an unknown one as unknown (one unknown export dropped them all).
    assert graph.exports == {
        "vpc_id": vpc.id,
        "metrics": UNKNOWN_STRING_VALUE,
        "nested": {"arn": vpc.outputs["arn"], "ipv6": UNKNOWN_STRING_VALUE},
    }


def _endpoint_program() -> None:
    vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
    config = aws.sagemaker.EndpointConfiguration(
        "config",
        production_variants=[
            {
                "variant_name": "primary",
                "model_name": "model",
                "instance_type": "ml.m5.large",
                # Computed from an output the mocks do not return: unknown until the VPC exists.
                "initial_instance_count": vpc.enable_network_address_usage_metrics.apply(lambda _: 2),
            }
        ],
    )
    aws.sagemaker.Endpoint("endpoint", endpoint_config_name=config.name)


def test_the_cost_and_deploy_time_take_an_unknown_count_and_the_json_plan_shows_it() -> None:
    from planner.__main__ import plan_for
    from planner.report import to_json

    graph = record_program(_endpoint_program, config={"mlops-platform:platform": {"region": "eu-west-1"}})
    [variant] = graph.named("config").inputs["productionVariants"]
    assert variant["initialInstanceCount"] == UNKNOWN_STRING_VALUE and graph.holds_unknowns

    plan = plan_for(graph)  # the cost estimate took the unknown count as text and failed (float())
    assert plan.cost is not None and plan.critical_path is not None
    # Not priced as unset (one instance, AWS's default: a lower total without a word) but unpriced,
    # naming the unknown count (tests/planner/test_cost_unknowns_65.py).
    assert [item for component in plan.cost.by_component.values() for item in component.items] == []
    [unpriced] = plan.cost.unpriced
    assert unpriced.resource == "endpoint" and unpriced.reason.startswith(
        "endpoint configuration config's productionVariants[0].initialInstanceCount unknown until deployment"
    )
    resources = {resource["name"]: resource for resource in to_json(plan)["resources"]}
    assert (
        resources["config"]["inputs"]["productionVariants"][0]["initialInstanceCount"] == UNKNOWN_STRING_VALUE
    )
