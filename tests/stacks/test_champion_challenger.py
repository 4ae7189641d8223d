"""A/B and shadow: every variant of a two-variant endpoint with a shadow is watched on its own
``VariantName``, and compared with the others on the dashboard (a prod fixture variant)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import yaml

from planner.policy_check import evaluate_policies
from planner.recorder import ResourceGraph
from stacks.config import CONFIG_KEY, ConfigError, parse_platform_config
from tests.conftest import load_stack_document
from tests.graph_helpers import inference_endpoints
from tests.recorded import recorded_stack
from tests.yaml_text import dump_document

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
ENDPOINT = "prod-customer-churn"
ACCOUNT = load_stack_document("prod")["config"][CONFIG_KEY]["account_id"]


def champion_challenger(platform: dict[str, Any]) -> None:
    """The prod fixture's endpoint with a 90/10 challenger and a shadow of the same family."""
    [endpoint] = platform["endpoints"]
    champion = endpoint["variants"][0]
    # Smaller than the champion: the prod pack's GPU quota (16 instances) covers all three.
    scaling = {"min_capacity": 2, "max_capacity": 4, "invocations_per_instance": 200}
    challenger = {**copy.deepcopy(champion), "name": "challenger", "weight": 0.1, "scaling": scaling}
    champion["weight"] = 0.9
    endpoint["variants"].append(challenger)
    # A shadow variant is not autoscaled (refused): it runs its initial instances.
    shadow = {key: value for key, value in copy.deepcopy(champion).items() if key != "scaling"}
    endpoint["shadow_variants"] = [{**shadow, "name": "shadow", "weight": 1}]


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    document = load_stack_document("prod")
    champion_challenger(document["config"][CONFIG_KEY])
    path = tmp_path_factory.mktemp("champion-challenger") / "Pulumi.prod.yaml"
    path.write_text(dump_document(document))
    return recorded_stack(str(path))


def _alarms(graph: ResourceGraph) -> dict[str, dict[str, Any]]:
    return {alarm.inputs["name"]: alarm.inputs for alarm in graph.of_type(ALARM)}


@pytest.mark.parametrize("variant", ["primary", "challenger", "shadow"])
def test_every_variant_has_its_own_alarms_on_its_variant_name(graph, variant) -> None:
    alarms = _alarms(graph)
    for suffix in ("4xx", "disk", "gpu", "gpu-memory", "5xx-errors", "model-latency-p99"):
        alarm = alarms[f"{ENDPOINT}-{variant}-{suffix}"]
        assert alarm["dimensions"] == {"EndpointName": ENDPOINT, "VariantName": variant}, suffix
        assert alarm["comparisonOperator"] == "GreaterThanThreshold"


def test_the_shadow_pages_on_errors_and_latency_but_never_rolls_back(graph) -> None:
    alarms = _alarms(graph)
    [endpoint] = inference_endpoints(graph)
    rollback = {
        a["alarmName"] for a in endpoint.inputs["deploymentConfig"]["autoRollbackConfiguration"]["alarms"]
    }
    assert {
        f"{ENDPOINT}-{v}-{s}" for v in ("primary", "challenger") for s in ("5xx-errors", "model-latency-p99")
    } == rollback
    errors, latency = alarms[f"{ENDPOINT}-shadow-5xx-errors"], alarms[f"{ENDPOINT}-shadow-model-latency-p99"]
    assert (errors["metricName"], errors["statistic"], errors["period"], errors["threshold"]) == (
        "Invocation5XXErrors",
        "Sum",
        60,
        5,
    )
    assert (latency["metricName"], latency["extendedStatistic"], latency["threshold"]) == (
        "ModelLatency",
        "p99",
        250_000,
    )
    topic = graph.named("alerts-topic").outputs["arn"]
    assert errors["alarmActions"] == latency["alarmActions"] == [topic]
    assert errors["treatMissingData"] == latency["treatMissingData"] == "notBreaching"


def _widgets(graph: ResourceGraph) -> list[dict[str, Any]]:
    [dashboard] = graph.of_type("aws:cloudwatch/dashboard:Dashboard")
    return json.loads(dashboard.inputs["dashboardBody"])["widgets"]


def _variant_lines(widget: dict[str, Any], metric: str) -> dict[str, dict[str, Any]]:
    """VariantName → the options of the widget's ``metric`` line of that variant."""
    return {
        line[5]: line[6]
        for line in widget["properties"]["metrics"]
        if isinstance(line[0], str)
        and line[1] == metric
        and line[2:5] == ["EndpointName", ENDPOINT, "VariantName"]
    }


def test_every_variant_is_graphed_on_the_endpoint_row(graph) -> None:
    widgets = {w["properties"]["title"]: w for w in _widgets(graph) if w["type"] == "metric"}
    for title, metric in [
        ("Invocations", "Invocations"),
        ("Errors", "Invocation5XXErrors"),
        ("GPU and GPU memory (100 % per GPU)", "GPUUtilization"),
    ]:
        assert set(_variant_lines(widgets[title], metric)) == {"primary", "challenger", "shadow"}, title


def test_the_comparison_row_sets_champion_challenger_and_shadow_side_by_side(graph) -> None:
    widgets = _widgets(graph)
    comparison = {
        w["properties"]["title"]: w
        for w in widgets
        if w["type"] == "metric" and w["properties"]["title"].startswith("Champion vs challenger")
    }
    roles = {
        "primary": "primary (champion)",
        "challenger": "challenger (challenger)",
        "shadow": "shadow (shadow)",
    }
    latency = comparison["Champion vs challenger: p99 model latency (µs)"]
    assert {v: o["label"] for v, o in _variant_lines(latency, "ModelLatency").items()} == roles
    assert {o["stat"] for o in _variant_lines(latency, "ModelLatency").values()} == {"p99"}
    assert latency["properties"]["annotations"]["horizontal"] == [{"label": "p99 SLO", "value": 250_000}]
    invocations = comparison["Champion vs challenger: invocations"]
    assert {v: o["label"] for v, o in _variant_lines(invocations, "Invocations").items()} == roles
    # The error rate: each variant's 5xx over its own invocations, the inputs hidden.
    rate = comparison["Champion vs challenger: 5xx error rate (%)"]["properties"]["metrics"]
    ids = {line[1] + ":" + line[5]: line[6]["id"] for line in rate if isinstance(line[0], str)}
    assert all(not line[6]["visible"] for line in rate if isinstance(line[0], str))
    expressions = {line[0]["label"]: line[0]["expression"] for line in rate if isinstance(line[0], dict)}
    for variant, label in roles.items():
        errors, calls = ids[f"Invocation5XXErrors:{variant}"], ids[f"Invocations:{variant}"]
        assert expressions[f"{label} 5xx %"] == f"100 * FILL({errors}, 0) / {calls}"
    # Below the endpoint's row, not on top of it.
    row = [w for w in widgets if not w["properties"].get("title", "").startswith("Champion vs challenger")]
    assert min(w["y"] for w in comparison.values()) >= max(
        w["y"] + w["height"] for w in row if w["type"] == "metric"
    )


def test_a_one_variant_endpoint_has_no_comparison_row(stack_graphs) -> None:
    [dashboard] = stack_graphs["prod"].of_type("aws:cloudwatch/dashboard:Dashboard")
    assert "Champion vs challenger" not in dashboard.inputs["dashboardBody"]


# -- the shadow run as a scheduled SageMaker shadow test ----------------------------------------

EXPERIMENT = "aws-native:sagemaker:InferenceExperiment"
SHADOW_TEST = {"start": "2027-01-04T08:00:00Z", "end": "2027-01-18T08:00:00+01:00", "sampling_percent": 25}


@pytest.fixture(scope="module")
def tested(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    document = load_stack_document("prod")
    platform = document["config"][CONFIG_KEY]
    champion_challenger(platform)
    platform["endpoints"][0]["shadow_test"] = SHADOW_TEST
    path = tmp_path_factory.mktemp("shadow-test") / "Pulumi.prod.yaml"
    path.write_text(dump_document(document))
    return recorded_stack(str(path))


def test_the_shadow_test_runs_the_shadow_against_the_champion_on_its_schedule(tested) -> None:
    [experiment] = tested.of_type(EXPERIMENT)
    inputs = experiment.inputs
    [endpoint] = inference_endpoints(tested)
    assert inputs["type"] == "ShadowMode" and inputs["name"] == f"{ENDPOINT}-shadow-test"
    assert inputs["endpointName"] == endpoint.outputs["name"]
    assert inputs["schedule"] == {"startTime": "2027-01-04T08:00:00Z", "endTime": "2027-01-18T07:00:00Z"}
    assert inputs["shadowModeConfig"] == {
        "sourceModelVariantName": "primary",
        "shadowModelVariants": [{"shadowModelVariantName": "shadow", "samplingPercentage": 25}],
    }
    models = {m.name: m.outputs["name"] for m in tested.of_type("aws:sagemaker/model:Model")}
    variants = {v["variantName"]: v for v in inputs["modelVariants"]}
    assert set(variants) == {"primary", "shadow"}
    for name, variant in variants.items():
        assert variant["modelName"] == models[f"endpoint-customer-churn-{name}-model"]
        assert variant["infrastructureConfig"] == {
            "infrastructureType": "RealTimeInference",
            "realTimeInferenceConfig": {"instanceType": "ml.g5.2xlarge", "instanceCount": 2},
        }
    # The test deploys the shadow itself: the endpoint configuration has none.
    [config] = tested.referenced(endpoint, "endpointConfigName")
    assert "shadowProductionVariants" not in config.inputs


def test_the_shadow_test_is_kms_encrypted_and_captures_to_its_own_folder(tested) -> None:
    [experiment] = tested.of_type(EXPERIMENT)
    [endpoint] = inference_endpoints(tested)
    [config] = tested.referenced(endpoint, "endpointConfigName")
    key = config.inputs["dataCaptureConfig"]["kmsKeyId"]  # the stack's data key
    assert key.startswith("arn:aws:kms:")
    # ml.g5 instances serve from local NVMe storage: SageMaker takes no volume key for them, as
    # for the endpoint's own configuration (tests/components/test_shadow_test.py: EBS types get it).
    assert "kmsKeyArn" not in config.inputs and "kmsKey" not in experiment.inputs
    storage = experiment.inputs["dataStorageConfig"]
    assert storage["kmsKey"] == key
    assert storage["destination"].endswith("/data-capture/customer-churn/shadow-test/")


def test_the_stacks_with_ab_variants_and_a_shadow_test_pass_the_policy_pack(graph, tested) -> None:
    for recorded in (graph, tested):
        violations, _ = evaluate_policies(recorded)
        assert [
            (v.policy_name, v.resource_name, v.message)
            for v in violations
            if v.enforcement_level == "mandatory"
        ] == []


def test_the_shadow_test_gets_the_stacks_aws_native_provider_and_no_warning(tested) -> None:
    [experiment] = tested.of_type("aws-native:sagemaker:InferenceExperiment")
    assert experiment.provider
    assert [w for w in tested.warnings if "aws-native" in w] == []


def test_the_shadow_test_role_may_update_this_endpoint_and_write_only_its_folder(tested) -> None:
    [experiment] = tested.of_type(EXPERIMENT)
    [role] = [
        r for r in tested.of_type("aws:iam/role:Role") if r.outputs["arn"] == experiment.inputs["roleArn"]
    ]
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert {s["Principal"]["Service"] for s in trust["Statement"]} == {"sagemaker.amazonaws.com"}
    [policy] = [
        p for p in tested.of_type("aws:iam/rolePolicy:RolePolicy") if p.inputs["role"] == role.outputs["id"]
    ]
    statements = json.loads(policy.inputs["policy"])["Statement"]
    by_action = {
        a: s for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert (
        by_action["sagemaker:UpdateEndpoint"]["Resource"]
        == f"arn:aws:sagemaker:eu-west-1:{ACCOUNT}:endpoint/{ENDPOINT}"
    )
    writes = by_action["s3:PutObject"]["Resource"]
    assert all(
        r.endswith("/data-capture/customer-churn/shadow-test/*")
        for r in ([writes] if isinstance(writes, str) else writes)
    )
    assert "iam:PassRole" not in by_action and "*" not in by_action


@pytest.mark.parametrize(
    ("change", "key", "fragment"),
    [
        ({"end": "2027-01-04T08:00:00Z"}, "shadow_test.end", "end must be after start"),
        ({"end": "2027-02-04T08:00:01Z"}, "shadow_test.end", "at most 30 days"),
        ({"start": "2027-01-04T08:00:00"}, "shadow_test.start", "no UTC offset"),
        ({"sampling_percent": 0}, "shadow_test.sampling_percent", "greater than or equal to 1"),
        ({"sampling_percent": 101}, "shadow_test.sampling_percent", "less than or equal to 100"),
    ],
    ids=["end-not-after-start", "longer-than-30-days", "no-offset", "sampling-0", "sampling-101"],
)
def test_a_malformed_shadow_test_is_refused_at_its_key(write_stack, change, key, fragment) -> None:
    def edit(platform: dict[str, Any]) -> None:
        champion_challenger(platform)
        platform["endpoints"][0]["shadow_test"] = {**SHADOW_TEST, **change}

    with pytest.raises(ConfigError) as raised:
        parse_platform_config(
            yaml.safe_load(write_stack("prod", edit).read_text())["config"][CONFIG_KEY], "Pulumi.prod.yaml"
        )
    lines = [line for line in str(raised.value).splitlines() if f"endpoints[0].{key}: " in line]
    assert lines and fragment in lines[0], str(raised.value)


def test_a_shadow_test_needs_a_shadow_variant(write_stack) -> None:
    def edit(platform: dict[str, Any]) -> None:
        platform["endpoints"][0]["shadow_test"] = SHADOW_TEST

    with pytest.raises(ConfigError, match=r"endpoints\[0\]\.shadow_test: .*add one to shadow_variants"):
        parse_platform_config(
            yaml.safe_load(write_stack("prod", edit).read_text())["config"][CONFIG_KEY], "Pulumi.prod.yaml"
        )


def test_model_quality_against_ground_truth_is_graphed_for_the_endpoint(graph) -> None:
    [widget] = [
        w
        for w in _widgets(graph)
        if w["type"] == "metric" and w["properties"]["title"].startswith("Model quality")
    ]
    [schedule] = [
        s.outputs["name"]
        for s in graph.of_type("aws:sagemaker/monitoringSchedule:MonitoringSchedule")
        if s.inputs["monitoringScheduleConfig"]["monitoringType"] == "ModelQuality"
    ]
    platform = load_stack_document("prod")["config"][CONFIG_KEY]
    [family] = [m for m in platform["models"] if m["name"] == "customer-churn"]
    metrics = list(family.get("quality_alarms") or ["auc"])
    assert widget["properties"]["metrics"] == [
        [
            "aws/sagemaker/Endpoints/model-metrics",
            metric,
            "Endpoint",
            ENDPOINT,
            "MonitoringSchedule",
            schedule,
        ]
        for metric in metrics
    ]
    assert widget["properties"]["period"] == 3600
