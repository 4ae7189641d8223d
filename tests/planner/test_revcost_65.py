"""Second read of the cost estimate's unknowns (5687465): the paths it left unread or untested.

A scheduled action whose resource id is unknown until deployment beside the variant's known scaling
target, a CloudTrail field selector whose field or eventCategory value is unknown, and an inference
component whose share of a shared endpoint is unknown were priced without a word (the scale-up left
out of the maximum, the data events at $0, the fleet at $0); each is now an unpriced line naming the
input. The monitoring schedule's and the scheduled action's unknowns, read since 5687465, are
checked here too. Programs recorded as tests/planner/test_cost_unknowns_65.py records them.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pulumi_aws as aws
import pulumi_aws_native as native
import pytest
from rich.console import Console

from delivery.plan_summary import summarize
from planner.budget import budget_check
from planner.cost import CostEstimate, estimate_cost
from planner.recorder import record_program
from planner.report_text import _render_budget, _render_cost
from tests.planner.test_cost_unknowns_65 import CONFIG, KNOWN, _endpoint, _unknown

SCALING = {
    "service_namespace": "sagemaker",
    "scalable_dimension": "sagemaker:variant:DesiredInstanceCount",
}


def _target() -> None:
    aws.appautoscaling.Target(
        "scaling", resource_id="endpoint/ep/variant/known", min_capacity=1, max_capacity=2, **SCALING
    )


def _scale_up_with_an_unknown_resource_id() -> None:
    _endpoint(KNOWN)
    _target()
    aws.appautoscaling.ScheduledAction(
        "peak",
        resource_id=_unknown("endpoint/ep/variant/known"),
        schedule="cron(0 8 * * ? *)",
        scalable_target_action={"min_capacity": 10, "max_capacity": 40},
        **SCALING,
    )


def _scheduled_action_with_an_unknown_bound() -> None:
    _endpoint(KNOWN)
    _target()
    aws.appautoscaling.ScheduledAction(
        "peak",
        resource_id="endpoint/ep/variant/known",
        schedule="cron(0 8 * * ? *)",
        scalable_target_action={"min_capacity": 1, "max_capacity": _unknown(40)},
        **SCALING,
    )


def _trail(field: str, value: str) -> Callable[[], None]:
    """A trail with one field selector; ``UNKNOWN`` for the field or value: unknown until deployment."""

    def program() -> None:
        aws.cloudtrail.Trail(
            "trail",
            s3_bucket_name="audit",
            advanced_event_selectors=[
                {
                    "name": "s",
                    "field_selectors": [
                        {
                            "field": _unknown("eventCategory") if field == "UNKNOWN" else field,
                            "equals": [_unknown("Data") if value == "UNKNOWN" else value],
                        }
                    ],
                },
            ],
        )

    return program


def _shared(copies_unknown: bool = False, specification_unknown: bool = False) -> Callable[[], None]:
    """An endpoint of one inference component, its copy count or specification unknown until deployment."""

    def program() -> None:
        variant = {
            "variant_name": "v",
            "instance_type": "ml.g5.xlarge",
            "initial_instance_count": 2,
            "managed_instance_scaling": {
                "status": "ENABLED",
                "min_instance_count": 1,
                "max_instance_count": 4,
            },
        }
        config = aws.sagemaker.EndpointConfiguration("cfg", production_variants=[variant])
        endpoint = aws.sagemaker.Endpoint("ep", name="ep", endpoint_config_name=config.name)
        native.sagemaker.InferenceComponent(
            "ic",
            endpoint_name=endpoint.name,
            variant_name="v",
            inference_component_name="ic",
            runtime_config={"copy_count": _unknown(3) if copies_unknown else 1},
            specification=_unknown(SPEC) if specification_unknown else SPEC,
        )

    return program


SPEC = {"compute_resource_requirements": {"min_memory_required_in_mb": 1024}}


def _monitoring(instance_count: object) -> None:
    job = aws.sagemaker.DataQualityJobDefinition(
        "dq",
        role_arn="arn:aws:iam::123456789012:role/r",
        data_quality_app_specification={"image_uri": "image"},
        data_quality_job_input={
            "endpoint_input": {"endpoint_name": "ep", "local_path": "/opt/ml/processing"}
        },
        data_quality_job_output_config={"monitoring_outputs": {"s3_output": {"s3_uri": "s3://b/o"}}},
        job_resources={
            "cluster_config": {
                "instance_count": instance_count,
                "instance_type": "ml.m5.large",
                "volume_size_in_gb": 20,
            }
        },
        stopping_condition={"max_runtime_in_seconds": 1800},
    )
    aws.sagemaker.MonitoringSchedule(
        "monitor",
        monitoring_schedule_config={
            "monitoring_job_definition_name": job.name,
            "monitoring_type": "DataQuality",
            "schedule_config": {"schedule_expression": "cron(0 * ? * * *)"},
        },
    )


def _estimate(program: Callable[[], None]) -> CostEstimate:
    return estimate_cost(record_program(program, config=CONFIG))


UNPRICED: dict[str, tuple[Callable[[], None], str, str]] = {
    # program: (the resource whose line it is, what the line names)
    "a scale-up whose resource id is unknown beside the variant's known target (its max was left out)": (
        _scale_up_with_an_unknown_resource_id,
        "ep",
        "variant known: scaling peak's resourceId (it may scale endpoint/ep/variant/known) unknown",
    ),
    "a scheduled action's unknown maximum": (
        _scheduled_action_with_an_unknown_bound,
        "ep",
        "variant known: scheduled action peak's scalableTargetAction.maxCapacity unknown",
    ),
    "an inference component's unknown specification (the fleet was priced at $0)": (
        _shared(specification_unknown=True),
        "ep",
        "inference component ic's specification unknown",
    ),
    "an inference component's unknown copy count (its share read as one copy)": (
        _shared(copies_unknown=True),
        "ep",
        "inference component ic's runtimeConfig.copyCount unknown",
    ),
    "a monitoring job's unknown instance count (was priced as 1)": (
        lambda: _monitoring(_unknown(5)),
        "monitor",
        "job definition dq's jobResources.clusterConfig.instanceCount unknown",
    ),
}


@pytest.mark.parametrize("case", list(UNPRICED))
def test_an_unknown_priced_input_is_an_unpriced_line(case: str) -> None:
    program, resource, reason = UNPRICED[case]
    cost = _estimate(program)
    assert [(u.resource, u.reason.split(" until deployment")[0]) for u in cost.unpriced] == [
        (resource, reason)
    ]
    assert cost.by_component == {}


def test_the_known_cases_stay_priced() -> None:
    # The same programs with the inputs known: priced as before, nothing unpriced.
    for program in (_shared(), lambda: _monitoring(1), lambda: (_endpoint(KNOWN), _target())):
        cost = _estimate(program)
        assert not cost.unpriced and cost.monthly_max > 0


@pytest.mark.parametrize(
    "field, value",
    [
        pytest.param("eventCategory", "UNKNOWN", id="an eventCategory value unknown"),
        pytest.param("UNKNOWN", "Data", id="a field name unknown (it may be eventCategory)"),
    ],
)
def test_a_trail_field_selector_unknown_until_deployment_may_record_data_events(
    field: str, value: str
) -> None:
    # Was read as a category of its own: neither management nor data events, the trail at $0 and no line.
    (component,) = _estimate(_trail(field, value)).by_component.values()
    assert [item.what for item in component.items] == [
        "data events, 0-10M a month (assumed ceiling)",
        "management events (first copy: free)",
    ]


def test_a_known_management_selector_stays_management_only() -> None:
    (component,) = _estimate(_trail("eventCategory", "Management")).by_component.values()
    assert [item.what for item in component.items] == ["management events (first copy: free)"]


def _variants_unknown() -> None:
    config = aws.sagemaker.EndpointConfiguration("cfg", production_variants=_unknown([KNOWN]))
    aws.sagemaker.Endpoint("ep", name="ep", endpoint_config_name=config.name)


def _selectors_unknown() -> None:
    aws.cloudtrail.Trail(
        "trail",
        s3_bucket_name="audit",
        advanced_event_selectors=_unknown([{"name": "s", "field_selectors": []}]),
    )


def test_a_whole_variant_list_unknown_is_an_unpriced_line() -> None:
    # Dropped by known_inputs: the endpoint was priced at nothing, without a line.
    cost = _estimate(_variants_unknown)
    assert [(u.resource, u.reason.split(" until deployment")[0]) for u in cost.unpriced] == [
        ("ep", "endpoint configuration cfg's productionVariants unknown")
    ]


def test_a_whole_selector_list_unknown_may_record_data_events() -> None:
    # Dropped by known_inputs: the trail read as recording management events only.
    (component,) = _estimate(_selectors_unknown).by_component.values()
    assert [item.what for item in component.items] == [
        "data events, 0-10M a month (assumed ceiling)",
        "management events (first copy: free)",
    ]


BUDGET_CONFIG = {"mlops-platform:platform": {"region": "eu-west-1", "budget": {"enabled": True}}}


def _with_budget(program: Callable[[], None], limit: str | None = "100") -> Callable[[], None]:
    def with_budget() -> None:
        program()
        aws.kms.Key("key")
        if limit is not None:
            aws.budgets.Budget(
                "budget", budget_type="COST", limit_amount=limit, limit_unit="USD", time_unit="MONTHLY"
            )

    return with_budget


def _unscheduled_pipeline() -> None:
    aws.sagemaker.Pipeline(
        "training",
        pipeline_name="training",
        pipeline_display_name="training",
        role_arn="arn:aws:iam::123456789012:role/r",
        pipeline_definition=_unknown("{}"),
    )


def _two_unknown_variants() -> None:
    _endpoint(_unknown({**KNOWN, "variant_name": "a"}), _unknown({**KNOWN, "variant_name": "b"}))


def _budget_and_text(program: Callable[[], None], limit: str | None = "100") -> tuple[dict[str, Any], str]:
    graph = record_program(_with_budget(program, limit), config=BUDGET_CONFIG)
    cost = estimate_cost(graph)
    check = budget_check(graph, cost)
    assert check is not None
    out = io.StringIO()
    console = Console(file=out, width=400, no_color=True)
    _render_cost(cost, console)
    _render_budget(check, console)
    return {**cost.to_json(), "budget": check.to_json()}, out.getvalue()


def test_a_pipelines_unknown_per_run_cost_does_not_make_the_monthly_totals_a_lower_bound() -> None:
    # Training runs are outside the monthly totals: its line was read as one they leave out (the
    # totals 'a lower bound', the budget check's maximum too).
    cost, text = _budget_and_text(_unscheduled_pipeline)
    (line,) = cost["unpriced"]
    assert line["in_totals"] is False
    assert line["reason"].endswith("not priced (per run, outside the monthly totals)")
    assert cost["budget"]["estimate_is_lower_bound"] is False
    assert "lower bound" not in text and "UNPRICED training (" in text


def test_an_unknown_variant_makes_the_budget_check_a_lower_bound_in_text_and_json() -> None:
    cost, text = _budget_and_text(_two_unknown_variants)
    assert [u["in_totals"] for u in cost["unpriced"]] == [True, True]
    assert cost["budget"]["exceeded"] is False and cost["budget"]["estimate_is_lower_bound"] is True
    assert "they are a lower bound" in text and "(a lower bound: unpriced resources)" in text
    # Two lines of one endpoint are one resource the suggestion leaves out.
    _, without_limit = _budget_and_text(_two_unknown_variants, limit=None)
    assert "more for the 1 unpriced resource the maximum leaves out" in without_limit


def _summary(cost: dict[str, Any]) -> str:
    plan = {
        "summary": {
            "resources": 1,
            "components": 0,
            "protected": 0,
            "policies_evaluated": 0,
            "mandatory_violations": 0,
            "by_type": {},
        },
        "cost": cost,
        "source": "stacks/Pulumi.dev.yaml",
    }
    return summarize("dev", plan, "", 0)


def test_the_pr_summary_says_the_estimate_is_a_lower_bound_and_shows_the_budget_warning() -> None:
    # It showed the totals alone: the unpriced lines and the budget warning only in the folded text plan.
    cost, _ = _budget_and_text(_two_unknown_variants, limit=None)
    markdown = _summary(cost)
    assert "⚠️ A lower bound: 1 resource the estimate could not price" in markdown
    assert "⚠️ Budget: budget.enabled but budget.monthly_limit_usd is not set" in markdown
    pipeline, _ = _budget_and_text(_unscheduled_pipeline)
    assert "lower bound" not in _summary(pipeline) and "⚠️ Budget" not in _summary(pipeline)
