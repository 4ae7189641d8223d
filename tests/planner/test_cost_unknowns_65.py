"""The cost estimate shows what it cannot price because a priced input is unknown until deployment.

known_inputs reads an unknown as unset (a list item unknown until deployment is left out), so the
estimate priced an unknown production variant at nothing, an unknown instance count as 1, an
unknown scaling bound as the initial count, a variant whose scaling target's resource id is unknown
as fixed, an unknown MLflow size as Small, an interface endpoint or an alarm by its known subnets
or metrics only and a scheduled pipeline whose definition is unknown at nothing, all without a
word. Each now becomes an unpriced line naming the unknown input, in the
text and the JSON, and the totals say they are a lower bound; the known variants stay priced.
Programs recorded as tests/planner/test_final_65.py does (an apply over an output the mocks do
not return does not run offline).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from rich.console import Console

from planner.cost import estimate_cost
from planner.recorder import record_program
from planner.report_text import _render_cost

CONFIG = {"mlops-platform:platform": {"region": "eu-west-1"}}
KNOWN = {
    "variant_name": "known",
    "model_name": "m",
    "instance_type": "ml.m5.large",
    "initial_instance_count": 1,
}


def _unknown(value: Any) -> pulumi.Output[Any]:
    # Not set by the program, not returned by the mocks: unknown, as at a preview.
    return aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16").ipv6_association_id.apply(lambda _: value)


def _endpoint(*variants: Any) -> None:
    config = aws.sagemaker.EndpointConfiguration("cfg", production_variants=list(variants))
    aws.sagemaker.Endpoint("ep", name="ep", endpoint_config_name=config.name)


def _unknown_variant() -> None:
    _endpoint(KNOWN, _unknown({**KNOWN, "variant_name": "late"}))


def _unknown_instance_type() -> None:
    _endpoint({**KNOWN, "instance_type": _unknown("ml.g5.48xlarge")})


def _unknown_instance_count() -> None:
    _endpoint({**KNOWN, "initial_instance_count": _unknown(40)})


def _unknown_scaling_bound() -> None:
    _endpoint(KNOWN)
    aws.appautoscaling.Target(
        "scaling",
        service_namespace="sagemaker",
        scalable_dimension="sagemaker:variant:DesiredInstanceCount",
        resource_id="endpoint/ep/variant/known",
        min_capacity=1,
        max_capacity=_unknown(20),
    )


def _unknown_pipeline_definition() -> None:
    pipeline = aws.sagemaker.Pipeline(
        "training",
        pipeline_name="training",
        pipeline_display_name="training",
        role_arn="arn:aws:iam::123456789012:role/r",
        pipeline_definition=_unknown("{}"),
    )
    aws.scheduler.Schedule(
        "nightly",
        schedule_expression="cron(0 2 * * ? *)",
        flexible_time_window={"mode": "OFF"},
        target={"arn": pipeline.arn, "role_arn": "arn:aws:iam::123456789012:role/r"},
    )


def _unknown_scaling_resource_id() -> None:
    _endpoint(KNOWN)
    aws.appautoscaling.Target(
        "scaling",
        service_namespace="sagemaker",
        scalable_dimension="sagemaker:variant:DesiredInstanceCount",
        resource_id=_unknown("endpoint/ep/variant/known"),
        min_capacity=1,
        max_capacity=20,
    )


def _unknown_mlflow_size() -> None:
    aws.sagemaker.MlflowTrackingServer(
        "mlflow",
        tracking_server_name="mlflow",
        role_arn="arn:aws:iam::123456789012:role/r",
        artifact_store_uri="s3://artifacts/mlflow",
        tracking_server_size=_unknown("Large"),
    )


def _unknown_subnet() -> None:
    aws.ec2.VpcEndpoint(
        "sts",
        vpc_id="vpc-1",
        service_name="com.amazonaws.eu-west-1.sts",
        vpc_endpoint_type="Interface",
        subnet_ids=["subnet-1", _unknown("subnet-2")],
    )


def _unknown_alarm_metric() -> None:
    metric = {"namespace": "AWS/SageMaker", "metric_name": "Invocations", "period": 60, "stat": "Sum"}
    aws.cloudwatch.MetricAlarm(
        "errors",
        comparison_operator="GreaterThanThreshold",
        evaluation_periods=1,
        threshold=1,
        metric_queries=[
            {"id": "m1", "metric": metric},
            _unknown({"id": "m2", "metric": metric}),
            {"id": "e1", "expression": "m1 + m2", "return_data": True},
        ],
    )


CASES: dict[str, tuple[Callable[[], None], list[tuple[str, str]], list[str]]] = {
    # program: (resource, the unknown input the unpriced line names), the priced lines
    "a production variant wholly unknown (its known sibling stays priced)": (
        _unknown_variant,
        [("ep", "endpoint configuration cfg's productionVariants[1] unknown until deployment")],
        ["known: real-time ml.m5.large x 1-1 (fixed)"],
    ),
    "a variant's instance type unknown": (
        _unknown_instance_type,
        [("ep", "endpoint configuration cfg's productionVariants[0].instanceType unknown until deployment")],
        [],
    ),
    "a variant's instance count unknown (was priced as 1)": (
        _unknown_instance_count,
        [
            (
                "ep",
                "endpoint configuration cfg's productionVariants[0].initialInstanceCount unknown until deployment",
            )
        ],
        [],
    ),
    "a scaling bound unknown (was priced at the initial count)": (
        _unknown_scaling_bound,
        [("ep", "variant known: scaling target scaling's maxCapacity unknown until deployment")],
        [],
    ),
    "a scheduled pipeline's definition unknown (its runs were priced at nothing)": (
        _unknown_pipeline_definition,
        [
            ("nightly", "pipeline training's pipelineDefinition unknown until deployment"),
            (
                "training",
                "training and processing runs (per run): pipelineDefinition unknown until deployment",
            ),
        ],
        [],
    ),
    "a scaling target's resource id unknown (the variant was priced as fixed)": (
        _unknown_scaling_resource_id,
        [
            (
                "ep",
                "variant known: scaling scaling's resourceId (it may scale endpoint/ep/variant/known) "
                "unknown until deployment",
            )
        ],
        [],
    ),
    "the MLflow server's size unknown (was priced as Small)": (
        _unknown_mlflow_size,
        [("mlflow", "mlflow's trackingServerSize unknown until deployment")],
        [],
    ),
    "an interface endpoint's subnet unknown (was priced in 1 AZ)": (
        _unknown_subnet,
        [("sts", "sts's subnetIds[1] unknown until deployment")],
        [],
    ),
    "an alarm's metric query unknown (was priced on 1 metric)": (
        _unknown_alarm_metric,
        [("errors", "errors's metricQueries[1] unknown until deployment")],
        [],
    ),
}


def _trail_with_an_unknown_selector() -> None:
    aws.cloudtrail.Trail(
        "trail",
        s3_bucket_name="audit",
        advanced_event_selectors=[_unknown({"name": "late", "field_selectors": []})],
    )


def test_a_trail_selector_unknown_until_deployment_may_record_data_events() -> None:
    # The selector may record data events: priced at their ceiling, not left out as management only.
    cost = estimate_cost(record_program(_trail_with_an_unknown_selector, config=CONFIG))
    (component,) = cost.by_component.values()
    assert [item.what for item in component.items] == [
        "data events, 0-10M a month (assumed ceiling)",
        "management events (first copy: free)",
    ]
    assert component.monthly_max > 0


@pytest.mark.parametrize("case", list(CASES))
def test_an_unknown_priced_input_is_an_unpriced_line_not_a_lower_total(case: str) -> None:
    program, expected_unpriced, expected_priced = CASES[case]
    cost = estimate_cost(record_program(program, config=CONFIG))

    unpriced = json.loads(json.dumps(cost.to_json()))["unpriced"]
    assert sorted((u["resource"], u["reason"].split(": not priced")[0]) for u in unpriced) == sorted(
        expected_unpriced
    ), unpriced
    # A pipeline's per-run training and processing are outside the monthly totals (training_runs).
    assert all(
        u["reason"].endswith("not priced, the totals leave it out")
        if u["in_totals"]
        else u["reason"].endswith("not priced (per run, outside the monthly totals)")
        for u in unpriced
    )
    priced = [item.what for component in cost.by_component.values() for item in component.items]
    assert priced == expected_priced

    out = io.StringIO()
    _render_cost(cost, Console(file=out, width=400, no_color=True))
    text = out.getvalue()
    for resource, reason in expected_unpriced:
        assert f"UNPRICED {resource} (" in text and reason in text, text
    assert "they are a lower bound" in text
