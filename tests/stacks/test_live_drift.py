"""``monitoring.evidently``: each endpoint that captures traffic gets an Evidently live-drift
pipeline (the replacement AWS names for Model Monitor), run on the monitoring schedule, whose alarm
watches exactly the metric its publish step puts and starts the served family's retraining; the
step that reaches S3 may list the capture but never read it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from components.limits import MAX_TAGS_PER_RESOURCE
from components.observability.live_drift_definition import STEP_CAPTURED, STEP_COLLECT, STEP_LIST
from components.schedules import monitor_run_hours
from planner.recorder import RecordedResource, ResourceGraph
from policies.local import evaluate_report
from policies.registry import load_pack_config
from stacks.config import CONFIG_KEY, MAX_STACK_TAGS, ConfigError, parse_platform_config
from tests.conftest import load_stack_document
from tests.graph_helpers import as_list, policy_of, statements
from tests.recorded import recorded_stack
from tests.stacks.conftest import serving_cut
from tests.stacks.test_model_monitor_switch import without_model_monitor
from tests.yaml_text import dump_document

ENDPOINT = "customer-churn"
FAMILY = "customer-churn"
ENDPOINT_PIPELINE = f"prod-{ENDPOINT}-live-drift"
"""The pipeline's physical name: the endpoint's (``<name_prefix>-<endpoint>``) and ``-live-drift``."""
PIPELINE = "aws:sagemaker/pipeline:Pipeline"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


def live_drift_instead_of_model_monitor(platform: dict[str, Any]) -> None:
    """Model Monitor off (as test_model_monitor_switch turns it off), Evidently live drift on."""
    without_model_monitor(platform)
    platform["monitoring"]["evidently"] = True


@pytest.fixture(scope="module")
def prod(tmp_path_factory: pytest.TempPathFactory) -> tuple[ResourceGraph, dict[str, Any]]:
    document = load_stack_document("prod")
    live_drift_instead_of_model_monitor(document["config"][CONFIG_KEY])
    path = tmp_path_factory.mktemp("live-drift") / "Pulumi.prod.yaml"
    path.write_text(dump_document(document))
    return recorded_stack(path), document["config"][CONFIG_KEY]


def _live_drift_cut(platform: dict[str, Any]) -> None:
    """The prod fixture cut to what its endpoints read (:func:`tests.stacks.conftest.serving_cut`:
    no batch scoring, budget, delivery, DVC remote, audit trail or retraining triggers), with live
    drift instead of Model Monitor: for the tests below that record a variant to read one endpoint's
    live-drift pipeline, schedule and endpoint configuration, which the cut keeps as they are (the
    module's ``prod`` graph, which the pack and request tests read whole, stays the whole fixture)."""
    serving_cut(platform)
    live_drift_instead_of_model_monitor(platform)


def _named(graph: ResourceGraph, type_token: str, name: str) -> RecordedResource:
    [found] = [r for r in graph.of_type(type_token) if r.name == name]
    return found


def _definition(graph: ResourceGraph) -> dict[str, dict[str, Any]]:
    pipeline = _named(graph, PIPELINE, f"live-drift-{ENDPOINT}-pipeline")
    definition = json.loads(pipeline.inputs["pipelineDefinition"])
    [listing, captured] = definition["Steps"]
    return {
        step["Name"]: step["Arguments"] for step in [listing, captured, *captured["Arguments"]["IfSteps"]]
    }


def _role_arn(graph: ResourceGraph, suffix: str) -> str:
    return _named(graph, "aws:iam/role:Role", f"live-drift-{ENDPOINT}-{suffix}-role").outputs["arn"]


def _permissions(graph: ResourceGraph, suffix: str) -> list[dict[str, Any]]:
    return statements(policy_of(_named(graph, ROLE_POLICY, f"live-drift-{ENDPOINT}-{suffix}-permissions")))


def _arguments(step: dict[str, Any]) -> dict[str, Any]:
    values = step["AppSpecification"]["ContainerArguments"]
    found: dict[str, Any] = {}
    for option, value in zip(values[::2], values[1::2], strict=True):
        found.setdefault(option, []).append(value)
    return found


def test_list_capture_reads_one_schedule_interval_of_the_endpoints_capture_as_its_own_role(prod) -> None:
    graph, platform = prod
    listing = _definition(graph)[STEP_LIST]
    arguments = _arguments(listing)
    endpoint = _named(graph, "aws:sagemaker/endpoint:Endpoint", f"endpoint-{ENDPOINT}-endpoint")
    [config] = [
        r
        for r in graph.of_type("aws:sagemaker/endpointConfiguration:EndpointConfiguration")
        if r.urn in endpoint.property_dependencies["endpointConfigName"]
    ]

    # Exactly where the endpoint captures, and only the deployed endpoint's own files below it.
    destination = config.inputs["dataCaptureConfig"]["destinationS3Uri"]
    assert destination.endswith(f"/data-capture/{ENDPOINT}/")
    assert endpoint.inputs["name"] == f"prod-{ENDPOINT}"
    assert arguments["--capture-uri"] == [f"{destination}{endpoint.inputs['name']}/"]
    schedule = platform.get("monitoring", {}).get("schedule") or "cron(0 * ? * * *)"
    assert arguments["--run-hours"] == [",".join(str(hour) for hour in monitor_run_hours(schedule))]
    # The production variants' capture (a shadow variant's requests are copies of theirs).
    assert arguments["--variant"] == [v["variantName"] for v in config.inputs["productionVariants"]]
    assert listing["RoleArn"] == _role_arn(graph, "lister")
    assert listing["NetworkConfig"]["EnableNetworkIsolation"] is False


def test_the_lister_may_list_the_capture_but_never_read_it(prod) -> None:
    graph, _ = prod
    granted = _permissions(graph, "lister")
    reads = [s for s in granted if {"s3:GetObject", "s3:GetObjectVersion"} & set(as_list(s["Action"]))]

    [listing] = [s for s in granted if "s3:ListBucket" in as_list(s["Action"])]
    assert f"data-capture/{ENDPOINT}/*" in listing["Condition"]["StringLike"]["s3:prefix"]
    assert reads and all(
        resource.endswith(f"pipelines/{ENDPOINT_PIPELINE}/code/*")
        for s in reads
        for resource in as_list(s["Resource"])
    ), "only its own script"


def test_the_pipeline_passes_exactly_its_three_job_roles(prod) -> None:
    graph, _ = prod
    [passing] = [s for s in _permissions(graph, "pipeline") if "iam:PassRole" in as_list(s["Action"])]
    publisher = next(r for r in graph.of_type("aws:iam/role:Role") if r.name == "drift-metrics-job-role-role")

    assert sorted(as_list(passing["Resource"])) == sorted(
        [_role_arn(graph, "lister"), _role_arn(graph, "data"), publisher.outputs["arn"]]
    )
    steps = _definition(graph)
    assert steps[STEP_COLLECT]["RoleArn"] == steps["EvidentlyReport"]["RoleArn"] == _role_arn(graph, "data")


def test_the_schedule_starts_the_pipeline_on_the_monitoring_schedule(prod) -> None:
    graph, platform = prod
    schedule = _named(graph, "aws:scheduler/schedule:Schedule", f"live-drift-{ENDPOINT}-schedule")
    pipeline = _named(graph, PIPELINE, f"live-drift-{ENDPOINT}-pipeline")

    expected = platform.get("monitoring", {}).get("schedule") or "cron(0 * ? * * *)"
    assert schedule.inputs["scheduleExpression"] == expected
    assert schedule.inputs["scheduleExpressionTimezone"] == "UTC"
    assert schedule.inputs["target"]["arn"] == pipeline.outputs["arn"]
    assert schedule.inputs["target"]["roleArn"] == _role_arn(graph, "scheduler")


def test_the_alarm_watches_what_the_publish_step_puts_and_retrains_the_family(prod) -> None:
    graph, platform = prod
    alarm = _named(graph, "aws:cloudwatch/metricAlarm:MetricAlarm", f"live-drift-{ENDPOINT}-drift-alarm")
    published = _arguments(_definition(graph)["PublishDriftMetrics"])
    drift_share = next(f for f in platform["models"] if f["name"] == FAMILY)["evidently"]["drift_share"]

    dimensions = dict(value.split("=", 1) for value in published["--dimension"])
    assert alarm.inputs["dimensions"] == dimensions == {"Family": FAMILY, "Pipeline": f"endpoint-{ENDPOINT}"}
    assert published["--namespace"] == [alarm.inputs["namespace"]] == ["MLOpsPlatform/Evidently"]
    assert alarm.inputs["metricName"] == "DriftedColumnsShare"
    assert (alarm.inputs["comparisonOperator"], alarm.inputs["threshold"]) == (
        "GreaterThanOrEqualToThreshold",
        drift_share,
    )
    assert alarm.inputs["name"] == f"{ENDPOINT_PIPELINE}-evidently-drift"
    [trigger] = [
        r for r in graph.of_type("aws:cloudwatch/eventRule:EventRule") if r.name == f"triggers-{FAMILY}-drift"
    ]
    assert alarm.inputs["name"] in json.loads(trigger.inputs["eventPattern"])["detail"]["alarmName"]


def test_the_rest_of_the_run_waits_for_captured_traffic(prod) -> None:
    graph, _ = prod
    steps = _definition(graph)

    [condition] = steps[STEP_CAPTURED]["Conditions"]
    assert condition["Type"] == "GreaterThan" and condition["RightValue"] == 0
    assert [s["Name"] for s in steps[STEP_CAPTURED]["IfSteps"]] == [
        STEP_COLLECT,
        "EvidentlyReport",
        "PublishDriftMetrics",
    ]


def test_the_pipeline_depends_on_the_endpoint_it_watches(prod) -> None:
    """The endpoint's name Output in the definition: what the pack follows to this pipeline."""
    graph, _ = prod
    pipeline = _named(graph, PIPELINE, f"live-drift-{ENDPOINT}-pipeline")
    endpoint = _named(graph, "aws:sagemaker/endpoint:Endpoint", f"endpoint-{ENDPOINT}-endpoint")

    assert endpoint.urn in pipeline.property_dependencies["pipelineDefinition"]


def test_the_pack_passes_every_mandatory_rule_with_live_drift_watching_the_endpoints(prod) -> None:
    """Model Monitor off: the live-drift pipelines are the endpoints' watchers
    (``endpoint-monitoring-schedule`` counts a scheduled pipeline over an endpoint's capture)."""
    graph, _ = prod
    report = evaluate_report(graph.resources, load_pack_config("prod"))

    assert [v for v in report.violations if v.enforcement_level == "mandatory"] == []
    assert report.undecided == []


def test_without_the_switch_no_endpoint_gets_a_live_drift_pipeline(stack_graphs) -> None:
    for graph in stack_graphs.values():
        assert [r.name for r in graph.resources if r.type == "mlops:observability:LiveDrift"] == []


def _staging(edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    platform = load_stack_document("staging")["config"][CONFIG_KEY]
    platform.setdefault("monitoring", {})["evidently"] = True
    edit(platform)
    return platform


def _no_evidently(platform: dict[str, Any]) -> None:
    for family in platform["models"]:
        family.pop("evidently", None)


def _serves_an_image(platform: dict[str, Any]) -> None:
    platform["endpoints"][0]["variants"][0]["model"] = {
        "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn:1"
    }


@pytest.mark.parametrize(
    ("edit", "key", "fragment"),
    [
        (
            _no_evidently,
            "endpoints[0].variants[0].model.latest_approved_of",
            "set models[0].evidently (image_tag",
        ),
        (_serves_an_image, "endpoints[0].variants[0].model", "must follow one"),
    ],
    ids=["family-without-evidently", "variant-follows-no-family"],
)
def test_an_endpoint_live_drift_cannot_compare_is_a_config_error(edit, key, fragment) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(_staging(edit), "stacks/Pulumi.staging.yaml")

    problems = dict(raised.value.problems)
    assert fragment in problems[f"{CONFIG_KEY}.{key}"], problems


def test_an_endpoint_that_captures_nothing_needs_no_family() -> None:
    def edit(platform: dict[str, Any]) -> None:
        _serves_an_image(platform)
        platform["endpoints"][0]["data_capture"] = {"enabled": False}

    config = parse_platform_config(_staging(edit), "stacks/Pulumi.staging.yaml")
    assert config.live_drift_endpoints == []


def test_every_live_drift_resource_is_a_request_the_apis_accept(prod) -> None:
    from tests.api_models import request_errors
    from tests.aws_requests import requests

    graph, _ = prod
    owner = next(r for r in graph.resources if r.type == "mlops:observability:LiveDrift")
    checked = [r for r in graph.descendants(owner) if r.custom]
    assert {r.type for r in checked} >= {
        PIPELINE,
        "aws:scheduler/schedule:Schedule",
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "aws:iam/role:Role",
        ROLE_POLICY,
    }

    problems = [
        f"{r.name}: {service} {error}"
        for r in checked
        for service, operation, params in requests(r)
        for error in request_errors(service, operation, params)
    ]
    assert problems == []


def test_a_run_reads_the_hours_since_the_run_before_on_an_uneven_schedule(tmp_path: Path) -> None:
    document = load_stack_document("prod")
    platform = document["config"][CONFIG_KEY]
    _live_drift_cut(platform)
    platform["monitoring"]["schedule"] = "cron(0 0/7 ? * * *)"
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(dump_document(document))
    graph = recorded_stack(path)

    assert _arguments(_definition(graph)[STEP_LIST])["--run-hours"] == ["0,7,14,21"]
    schedule = _named(graph, "aws:scheduler/schedule:Schedule", f"live-drift-{ENDPOINT}-schedule")
    assert schedule.inputs["scheduleExpression"] == "cron(0 0/7 ? * * *)"


@pytest.mark.parametrize(
    ("role", "steps"), [("lister", ["ListCapture"]), ("data", ["CollectCapture", "EvidentlyReport"])]
)
def test_each_role_writes_only_its_own_steps_outputs(prod, role: str, steps: list[str]) -> None:
    graph, _ = prod
    artifacts = next(r for r in graph.of_type("aws:s3/bucket:Bucket") if r.name == "artifacts-bucket")
    writes = [
        resource
        for s in _permissions(graph, role)
        if {"s3:PutObject", "s3:DeleteObject"} & set(as_list(s["Action"]))
        for resource in as_list(s["Resource"])
    ]

    assert sorted(writes) == sorted(
        f"{artifacts.outputs['arn']}/pipelines/{ENDPOINT_PIPELINE}/*/{step}/*" for step in steps
    )


def test_the_dashboard_graphs_the_metric_the_alarm_watches(prod) -> None:
    graph, _ = prod
    alarm = _named(graph, "aws:cloudwatch/metricAlarm:MetricAlarm", f"live-drift-{ENDPOINT}-drift-alarm")
    [dashboard] = graph.of_type("aws:cloudwatch/dashboard:Dashboard")
    body = json.loads(dashboard.inputs["dashboardBody"])
    graphed = [
        metric
        for widget in body["widgets"]
        for metric in widget.get("properties", {}).get("metrics", [])
        if metric and metric[0] == alarm.inputs["namespace"]
    ]

    dimensions = alarm.inputs["dimensions"]
    assert graphed == [
        [
            alarm.inputs["namespace"],
            alarm.inputs["metricName"],
            "Family",
            dimensions["Family"],
            "Pipeline",
            dimensions["Pipeline"],
        ]
    ]


def test_the_pipeline_role_reads_only_the_numbers_its_steps_are_given(prod) -> None:
    """SageMaker Pipelines resolves JsonGet (the condition on ListCapture's count, the publish step's
    arguments from EvidentlyReport's summary) as the pipeline's role: it must read those two files,
    and nothing else of the bucket."""
    graph, _ = prod
    artifacts = next(r for r in graph.of_type("aws:s3/bucket:Bucket") if r.name == "artifacts-bucket")
    reads = [
        resource
        for s in _permissions(graph, "pipeline")
        if "s3:GetObject" in as_list(s["Action"])
        for resource in as_list(s["Resource"])
    ]
    prefix = f"{artifacts.outputs['arn']}/pipelines/{ENDPOINT_PIPELINE}/*"

    assert sorted(reads) == [
        f"{prefix}/EvidentlyReport/report/summary.json",
        f"{prefix}/ListCapture/manifest/count.json",
    ]
    assert not [
        s
        for s in _permissions(graph, "pipeline")
        if {"s3:ListBucket", "s3:PutObject"} & set(as_list(s["Action"]))
    ]


def test_a_failed_run_pages_and_a_late_start_is_dropped(prod) -> None:
    graph, _ = prod
    [rule] = [
        r
        for r in graph.of_type("aws:cloudwatch/eventRule:EventRule")
        if r.name.endswith("pipeline-executions")
    ]
    schedule = _named(graph, "aws:scheduler/schedule:Schedule", f"live-drift-{ENDPOINT}-schedule")

    assert ENDPOINT_PIPELINE in json.dumps(json.loads(rule.inputs["eventPattern"]))
    # A start retried past a quarter of an hour could read the next run's interval.
    assert schedule.inputs["target"]["retryPolicy"] == {
        "maximumRetryAttempts": 3,
        "maximumEventAgeInSeconds": 900,
    }


def test_an_ab_endpoint_with_a_shadow_reads_every_production_variant_and_not_the_shadow(
    tmp_path: Path,
) -> None:
    from tests.stacks.test_champion_challenger import champion_challenger

    document = load_stack_document("prod")
    platform = document["config"][CONFIG_KEY]
    _live_drift_cut(platform)
    champion_challenger(platform)
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(dump_document(document))
    graph = recorded_stack(path)
    [config] = graph.of_type("aws:sagemaker/endpointConfiguration:EndpointConfiguration")
    production = [v["variantName"] for v in config.inputs["productionVariants"]]

    assert len(production) == 2 and [v["variantName"] for v in config.inputs["shadowProductionVariants"]]
    assert _arguments(_definition(graph)[STEP_LIST])["--variant"] == production


def test_a_stack_with_every_tag_it_may_set_plans_live_drift_within_aws_tag_limit(
    tmp_path: Path,
) -> None:
    """A stack sets at most MAX_STACK_TAGS tags because a component adds at most one of its own to a
    resource; the live-drift pipeline added two (mlops:model-family and mlops:endpoint): 46 tags, the
    platform's 3 and those 2 made 51, which CreatePipeline refuses (botocore TagList: at most 50)."""
    document = load_stack_document("prod")
    platform = document["config"][CONFIG_KEY]
    _live_drift_cut(platform)
    platform["tags"] |= {f"tag-{i}": "x" for i in range(MAX_STACK_TAGS - len(platform["tags"]))}
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(dump_document(document))
    graph = recorded_stack(path)
    pipeline = _named(graph, PIPELINE, f"live-drift-{ENDPOINT}-pipeline")
    assert len(pipeline.inputs["tags"]) == MAX_TAGS_PER_RESOURCE
    assert pipeline.inputs["tags"]["mlops:endpoint"] == ENDPOINT
