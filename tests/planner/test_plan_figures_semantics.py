"""The plan's figures, exactly: hand-built graphs priced at a stated price table, checked against
totals worked out by hand.

The other cost, budget and critical-path tests mostly look at the shipped stacks and check that a
figure is there, that a maximum is at least its minimum, that the parts add up. Those pass when a
price per AZ-hour forgets the AZs, a per-hour rate is applied per second, a pricer is dropped, a
schedule's run count is off by a day or a tuning step bills one job. Every figure here comes from
the table below (a month is 730 hours), so each test names the arithmetic it expects. The same
goes for the counts CI reads: the JSON summary's mandatory violations (only ``mandatory`` ones)
and the number of policies evaluated (the pack less the environment's disabled ones).
"""

from __future__ import annotations

import dataclasses
import json

import pytest

from planner.budget import BudgetCheck
from planner.cost import PriceTable, estimate_cost
from planner.critical_path import critical_path
from planner.policy_check import check_policies
from planner.recorder import RecordedResource
from planner.report import Plan, PlanViolation, to_json
from planner.schedules import runs_per_month
from planner.training_cost import training_run_costs
from policies.local import ALL_POLICIES
from policies.registry import PACK_DIR
from tests.planner.test_critical_path import TIMES, graph, resource

PRICES = PriceTable(
    region="eu-west-1",
    prices={
        "sagemaker_hosting_per_hour": {"ml.m5.large": 0.1},
        "sagemaker_processing_per_hour": {"ml.m5.xlarge": 0.2},
        "sagemaker_training_per_hour": {"ml.m5.xlarge": 0.25},
        "vpc_interface_endpoint_per_az_hour": 0.01,
        "nat_gateway_per_hour": 0.05,
        "kms_key_per_month": 1.0,
        "ecr_storage_per_gb_month": 0.1,
        "cloudwatch_alarm_per_metric_month": 0.1,
        "cloudwatch_high_resolution_alarm_per_metric_month": 0.3,
        "cloudwatch_dashboard_per_month": 3.0,
    },
    hours_per_month=730,
    compiled="2026-01-01",
    currency="USD",
)
DAILY_RUNS = 365 / 12
"""A daily cron fires 365 times in the (non-leap) reference year."""


def _figures(*resources: RecordedResource) -> dict[str, tuple[float, float]]:
    """(monthly min, monthly max) per resource name, summed over its items."""
    estimate = estimate_cost(graph(*resources), PRICES)
    assert estimate.unpriced == ()
    found: dict[str, tuple[float, float]] = {}
    for component in estimate.by_component.values():
        for item in component.items:
            low, high = found.get(item.resource, (0.0, 0.0))
            found[item.resource] = (low + item.monthly_min, high + item.monthly_max)
    return found


def _pair(low: float, high: float) -> tuple[float, float]:
    return pytest.approx((low, high), abs=1e-9)


def test_an_interface_endpoint_bills_per_az_hour_and_a_gateway_endpoint_nothing() -> None:
    three = resource(
        "three-azs",
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        inputs={"vpcEndpointType": "Interface", "subnetIds": ["a", "b", "c"]},
    )
    no_subnets = resource(
        "one-az", "aws:ec2/vpcEndpoint:VpcEndpoint", inputs={"vpcEndpointType": "Interface"}
    )
    gateway = resource("s3", "aws:ec2/vpcEndpoint:VpcEndpoint", inputs={"vpcEndpointType": "Gateway"})

    figures = _figures(three, no_subnets, gateway)

    assert figures["three-azs"] == _pair(21.90, 21.90)  # 3 AZs x $0.01 x 730 h
    assert figures["one-az"] == _pair(7.30, 7.30)  # no subnets listed: one AZ
    assert "s3" not in figures


def test_fixed_monthly_and_hourly_resources_at_their_list_prices() -> None:
    figures = _figures(
        resource("nat", "aws:ec2/natGateway:NatGateway"),
        resource("key", "aws:kms/key:Key"),
        resource("dash", "aws:cloudwatch/dashboard:Dashboard"),
        resource("images", "aws:ecr/repository:Repository"),
    )

    assert figures["nat"] == _pair(36.50, 36.50)  # $0.05 x 730 h
    assert figures["key"] == _pair(1.00, 1.00)  # per key-month, not per hour
    assert figures["dash"] == _pair(3.00, 3.00)
    assert figures["images"] == _pair(0.0, 0.50)  # 0-5 GB at $0.10 per GB-month


def test_an_alarm_bills_per_metric_and_only_sub_minute_periods_are_high_resolution() -> None:
    math = resource(
        "math",
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        inputs={
            "metricQueries": [
                {"id": "a", "metric": {"metricName": "A", "period": 60}},
                {"id": "b", "metric": {"metricName": "B", "period": 60}},
                {"id": "c", "metric": {"metricName": "C", "period": 300}},
                {"id": "ratio", "expression": "(a+b)/c"},
            ]
        },
    )
    minute = resource("minute", "aws:cloudwatch/metricAlarm:MetricAlarm", inputs={"period": 60})
    fast = resource("fast", "aws:cloudwatch/metricAlarm:MetricAlarm", inputs={"period": 10})

    figures = _figures(math, minute, fast)

    assert figures["math"] == _pair(0.30, 0.30)  # 3 metrics x $0.10 (the expression is free)
    assert figures["minute"] == _pair(0.10, 0.10)  # a 60 s period is standard resolution
    assert figures["fast"] == _pair(0.30, 0.30)


@pytest.mark.parametrize(
    "type_token",
    ["aws:sagemaker/monitoringSchedule:MonitoringSchedule", "aws-native:sagemaker:MonitoringSchedule"],
)
def test_a_monitoring_schedule_bills_runs_x_instances_x_runtime_in_hours(type_token: str) -> None:
    def schedule(name: str, max_runtime: int) -> RecordedResource:
        return resource(
            name,
            type_token,
            inputs={
                "monitoringScheduleConfig": {
                    "scheduleConfig": {"scheduleExpression": "cron(0 2 ? * * *)"},
                    "monitoringJobDefinition": {
                        "monitoringResources": {
                            "clusterConfig": {"instanceType": "ml.m5.xlarge", "instanceCount": 2}
                        },
                        "stoppingCondition": {"maxRuntimeInSeconds": max_runtime},
                    },
                }
            },
        )

    figures = _figures(schedule("half-hour", 1800), schedule("five-minutes", 300))

    hourly = 2 * 0.2  # two ml.m5.xlarge processing instances
    # Floor: a typical 10-minute run; ceiling: the job's max runtime.
    assert figures["half-hour"] == _pair(
        round(DAILY_RUNS * hourly * 600 / 3600, 2), round(DAILY_RUNS * hourly * 1800 / 3600, 2)
    )
    assert figures["half-hour"] == _pair(2.03, 6.08)
    # A max runtime below the typical run caps the floor too.
    assert figures["five-minutes"] == _pair(1.01, 1.01)


def test_a_scheduled_maximum_above_the_targets_raises_the_ceiling() -> None:
    config = resource(
        "config",
        "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
        inputs={
            "productionVariants": [
                {"variantName": "v", "instanceType": "ml.m5.large", "initialInstanceCount": 1}
            ]
        },
    )
    endpoint = dataclasses.replace(
        resource("endpoint", "aws:sagemaker/endpoint:Endpoint", inputs={"name": "e"}),
        property_dependencies={"endpointConfigName": (config.urn,)},
    )
    target = resource(
        "target",
        "aws:appautoscaling/target:Target",
        inputs={"resourceId": "endpoint/e/variant/v", "minCapacity": 1, "maxCapacity": 2},
    )
    action = resource(
        "peak",
        "aws:appautoscaling/scheduledAction:ScheduledAction",
        inputs={
            "resourceId": "endpoint/e/variant/v",
            "schedule": "cron(0 8 ? * * *)",
            "scalableTargetAction": {"minCapacity": 1, "maxCapacity": 4},
        },
    )

    figures = _figures(config, endpoint, target, action)

    assert figures["endpoint"] == _pair(73.00, 292.00)  # $0.10 x 730 h x 1 .. x 4 instances


def test_runs_per_month_counts_every_day_of_the_reference_year() -> None:
    assert runs_per_month("cron(0 2 ? * * *)") == pytest.approx(365 / 12, rel=1e-12)
    # The year's last day counts: New Year's Eve fires once a year.
    assert runs_per_month("cron(0 23 31 12 ? *)") == pytest.approx(1 / 12, rel=1e-12)


def _pipeline(*steps: dict) -> RecordedResource:
    definition = {"Version": "2020-12-01", "Parameters": [], "Steps": list(steps)}
    return resource(
        "pipeline", "aws:sagemaker/pipeline:Pipeline", inputs={"pipelineDefinition": json.dumps(definition)}
    )


JOB = {
    "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 2, "VolumeSizeInGB": 30},
    "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
}


def test_a_training_run_bills_every_instance_of_every_job_for_its_max_runtime() -> None:
    training = {"Name": "Train", "Type": "Training", "Arguments": {**JOB}}
    tuning = {
        "Name": "Tune",
        "Type": "Tuning",
        "Arguments": {
            "HyperParameterTuningJobConfig": {
                "Strategy": "Bayesian",
                "ResourceLimits": {
                    "MaxNumberOfTrainingJobs": 10,
                    "MaxParallelTrainingJobs": 3,
                    "MaxRuntimeInSeconds": 7200,
                },
            },
            "TrainingJobDefinition": {**JOB},
        },
    }

    runs = {run.step: run for run in training_run_costs(graph(_pipeline(training, tuning)), PRICES)}

    assert runs["Train"].max_per_run == pytest.approx(0.50)  # 2 instances x $0.25 x 1 h
    assert runs["Train"].max_wall_seconds == 3600
    assert runs["Tune"].max_per_run == pytest.approx(5.00)  # 10 jobs x 2 instances x $0.25 x 1 h
    # 4 waves of 3 jobs would take 4 h; the tuning job's own 2 h limit stops it first.
    assert runs["Tune"].max_wall_seconds == 7200


def test_an_estimate_equal_to_the_budget_does_not_exceed_it() -> None:
    at = BudgetCheck(monthly_limit=100.0, estimate_max=100.0, margin_percent=10, unpriced=0)
    above = BudgetCheck(monthly_limit=100.0, estimate_max=100.01, margin_percent=10, unpriced=0)

    assert not at.exceeded and at.warning is None
    assert above.exceeded and above.warning is not None


def test_one_unpriced_resource_makes_the_maximum_a_lower_bound() -> None:
    def lower_bound(unpriced: int) -> bool:
        check = BudgetCheck(monthly_limit=100.0, estimate_max=50.0, margin_percent=10, unpriced=unpriced)
        return check.to_json()["estimate_is_lower_bound"]

    assert [lower_bound(0), lower_bound(1), lower_bound(2)] == [False, True, True]


def test_only_mandatory_violations_count_as_mandatory() -> None:
    levels = ["advisory", "mandatory", "remediate", "disabled"]
    plan = Plan(graph=graph(), violations=[PlanViolation(f"p-{level}", level, "m") for level in levels])

    assert [v.policy_name for v in plan.mandatory_violations] == ["p-mandatory"]


def test_a_resource_waits_for_its_provider_and_what_the_provider_waits_for() -> None:
    cluster = resource("cluster", "test:slow:Slow")
    provider = resource("k8s", "pulumi:providers:kubernetes", data=[cluster])
    app = dataclasses.replace(resource("app", "test:fast:Fast"), provider=f"{provider.urn}::id")

    path = critical_path(graph(cluster, provider, app), TIMES)

    assert path.estimated_seconds == 110  # the cluster's 100 s, then the app's 10 s
    assert path.chain == ["cluster", "k8s", "app"]


def test_the_json_summary_counts_only_mandatory_violations() -> None:
    plan = Plan(
        graph=graph(),
        violations=[PlanViolation("a", "advisory", "m"), PlanViolation("b", "mandatory", "m")],
    )

    assert to_json(plan)["summary"]["mandatory_violations"] == 1


def test_the_policies_evaluated_are_the_pack_less_the_environments_disabled_ones() -> None:
    config = json.loads((PACK_DIR / "dev.json").read_text())
    disabled = [
        name
        for name, setting in config.items()
        if (setting if isinstance(setting, str) else setting.get("enforcementLevel")) == "disabled"
    ]
    dev = graph(config={"mlops-platform:platform": {"environment": "dev"}})

    assert check_policies(dev).evaluated == len(ALL_POLICIES) - len(disabled)
