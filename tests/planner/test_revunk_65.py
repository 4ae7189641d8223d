"""Second read of the offline plan's unknowns (tests/planner/test_unknown_outputs_65.py).

- A secret whose value is unknown (``pulumi.Output.secret`` over an output the mocks do not
  return) was recorded as a known None, not as unknown: the SDK deserialises a secret's value
  without ``keep_unknowns``. An SQS queue whose key id is such a value was refused by
  ``sqs-queue-kms-encrypted`` (unset reads as unencrypted) where ``pulumi preview`` leaves it
  undecided, and the queue's echoed key id resolved as a known None.
- The post-deploy check's expectations (``delivery/expectations.py``) read the recording as the
  cost estimate does, written for None where a value is unknown: an unknown instance count or
  scaling bound failed them (``int()`` of the unknown text), and an unknown endpoint or pipeline
  name became an expectation to look the unknown text up in AWS. Unknowns read as unset there too:
  unverifiable, never looked for.
- The budget check's reading of an unknown limit as unset (``known_inputs`` in
  ``planner/budget.py``) had no test: without it ``float()`` of the unknown text fails the plan.
- The loop diagram (``--format loop``, the README's loop block) matched names as text: a shadow
  test naming one unknown endpoint was drawn testing an endpoint named by another unknown (the
  same text). It reads an unknown as unset, as before unknowns were recorded.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from delivery.expectations import (
    PipelineExpectation,
    Unverifiable,
    VariantExpectation,
    expectations,
)
from planner.recorder import known_inputs, record_program
from policies.local import evaluate_report
from policies.rules.sqs import sqs_queue_kms_encrypted

KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
RAN: list[Any] = []
"""The values the applies over the queue's key id ran on (an apply over an unknown does not run)."""


def _queue_program(key: str) -> Any:
    def program() -> None:
        vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
        values = {
            # Not set by the program, not returned by the mocks: known only after create.
            "secret unknown": lambda: pulumi.Output.secret(vpc.ipv6_association_id),
            "secret apply over an unknown": lambda: pulumi.Output.secret(
                vpc.ipv6_association_id.apply(lambda _: KEY)
            ),
            "known secret": lambda: pulumi.Output.secret(vpc.id.apply(lambda _: KEY)),
            "unknown": lambda: vpc.ipv6_association_id,
        }
        queue = aws.sqs.Queue("queue", kms_master_key_id=values[key](), tags={"k": values[key]()})
        queue.kms_master_key_id.apply(RAN.append)

    return program


@pytest.mark.parametrize(
    ("key", "recorded", "verdict", "applies_ran"),
    [
        ("secret unknown", UNKNOWN_STRING_VALUE, "undecided", 0),
        ("secret apply over an unknown", UNKNOWN_STRING_VALUE, "undecided", 0),
        ("unknown", UNKNOWN_STRING_VALUE, "undecided", 0),
        ("known secret", KEY, "passes", 1),
    ],
)
def test_a_secret_unknown_until_deployment_is_recorded_unknown_not_unset(
    key: str, recorded: str, verdict: str, applies_ran: int
) -> None:
    RAN.clear()
    graph = record_program(_queue_program(key))
    queue = graph.named("queue")

    assert queue.inputs["kmsMasterKeyId"] == recorded and queue.inputs["tags"] == {"k": recorded}
    assert ("kmsMasterKeyId" in queue.secret_inputs) is ("secret" in key)
    assert len(RAN) == applies_ran, RAN  # the echo: unknown, not a known None
    report = evaluate_report(graph.resources, policies=[sqs_queue_kms_encrypted])
    outcome = "violation" if report.mandatory else "undecided" if report.undecided else "passes"
    assert outcome == verdict, (report.violations, report.undecided)


def _endpoint_program() -> None:
    vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
    unknown_text = vpc.ipv6_association_id
    unknown_count = vpc.enable_network_address_usage_metrics.apply(lambda _: 2)
    config = aws.sagemaker.EndpointConfiguration(
        "config",
        name="ep-config",
        production_variants=[
            {
                "variant_name": "primary",
                "model_name": "model",
                "instance_type": "ml.m5.large",
                "initial_instance_count": unknown_count,
            }
        ],
    )
    aws.sagemaker.Endpoint("endpoint", name="ep", endpoint_config_name=config.name)
    aws.sagemaker.Endpoint("unnamed", name=unknown_text, endpoint_config_name=config.name)
    aws.appautoscaling.Target(
        "target",
        service_namespace="sagemaker",
        scalable_dimension="sagemaker:variant:DesiredInstanceCount",
        resource_id="endpoint/other/variant/primary",
        min_capacity=unknown_count,
        max_capacity=4,
    )
    aws.sagemaker.Pipeline(
        "pipeline",
        pipeline_name=unknown_text,
        pipeline_display_name="p",
        role_arn="arn:aws:iam::123456789012:role/r",
        pipeline_definition="{}",
    )
    aws.sagemaker.Pipeline(
        "named",
        pipeline_name="training",
        pipeline_display_name="p",
        role_arn="arn:aws:iam::123456789012:role/r",
        pipeline_definition="{}",
    )


def test_the_post_deploy_expectations_read_an_unknown_as_unset_never_as_a_name_to_look_up() -> None:
    graph = record_program(_endpoint_program)
    assert graph.named("pipeline").inputs["pipelineName"] == UNKNOWN_STRING_VALUE

    found = expectations(graph)  # failed: int() of the unknown instance count and bound

    variants = [e for e in found if isinstance(e, VariantExpectation)]
    assert [(v.endpoint, v.variant, v.instance_count) for v in variants] == [("ep", "primary", None)]
    assert [e.name for e in found if isinstance(e, PipelineExpectation)] == ["training"]
    unverifiable = {(e.kind, e.resource) for e in found if isinstance(e, Unverifiable)}
    assert {("endpoint", "unnamed"), ("pipeline", "pipeline"), ("scalable target", "target")} <= unverifiable
    assert not any(UNKNOWN_STRING_VALUE in repr(e) for e in found), found
    # An unknown input's echo in the outputs is unset there too (an unknown name matched any other).
    assert graph.named("unnamed").outputs["name"] == UNKNOWN_STRING_VALUE
    assert UNKNOWN_STRING_VALUE not in repr(known_inputs(graph).resources)


def _budget_program() -> None:
    vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
    aws.budgets.Budget(
        "budget",
        budget_type="COST",
        time_unit="MONTHLY",
        limit_unit="USD",
        limit_amount=vpc.enable_network_address_usage_metrics.apply(lambda _: "500"),
    )


def test_the_budget_check_reads_an_unknown_limit_as_unset() -> None:
    from planner.budget import budget_check
    from planner.cost import estimate_cost

    graph = record_program(_budget_program, config={"mlops-platform:platform": {"region": "eu-west-1"}})
    assert graph.named("budget").inputs["limitAmount"] == UNKNOWN_STRING_VALUE

    check = budget_check(graph, estimate_cost(graph))  # float() of the unknown text without known_inputs

    assert check is not None and check.monthly_limit is None


def _shadow_test_program(experiment_endpoint: str) -> Any:
    def program() -> None:
        import pulumi_aws_native as native

        vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
        config = aws.sagemaker.EndpointConfiguration(
            "config",
            production_variants=[
                {
                    "variant_name": "primary",
                    "model_name": "m",
                    "instance_type": "ml.m5.large",
                    "initial_instance_count": 1,
                }
            ],
        )
        endpoint = aws.sagemaker.Endpoint(
            "endpoint", name=vpc.ipv6_association_id, endpoint_config_name=config.name
        )
        native.sagemaker.InferenceExperiment(
            "experiment",
            # Another value unknown until deployment, or a literal name no endpoint has.
            endpoint_name=vpc.ipv6_cidr_block
            if experiment_endpoint == "another unknown"
            else "other-endpoint",
            model_variants=[],
            role_arn="arn:aws:iam::123456789012:role/r",
            type="ShadowMode",
            shadow_mode_config={"source_model_variant_name": "primary", "shadow_model_variants": []},
        )
        del endpoint

    return program


@pytest.mark.parametrize("experiment_endpoint", ["another unknown", "a literal name no endpoint has"])
def test_the_loop_diagram_does_not_link_two_unknown_names_as_one(experiment_endpoint: str) -> None:
    from planner.loop_diagram import derive_loop, render

    graph = record_program(_shadow_test_program(experiment_endpoint))
    assert graph.named("endpoint").inputs["name"] == UNKNOWN_STRING_VALUE

    diagram = render(derive_loop(graph))  # the shadow test was drawn testing the endpoint

    assert "shadow test" not in diagram and "-->" not in diagram, diagram
