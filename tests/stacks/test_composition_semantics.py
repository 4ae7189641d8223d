"""How the stack composes serving, batch scoring, training triggers and observability
(stacks/composition/serving.py, batch_scoring.py, training.py, observability.py), pinned where one
family and one endpoint cannot tell which config value reached which component: the prod fixture
with a second family, ``churn-v2`` (its own quality alarm, Evidently drift share and image tag,
promotion threshold, and batch scoring of a pinned version), served by a second endpoint,
``scoring`` (its own latency SLO and scaling, and a challenger of customer-churn), beside ``customer-churn``.

Expected values are the ones the stack file below states; each test records it through
:func:`tests.recorded.recorded_stack` (cached per document and version of the code)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from planner.recorder import ResourceGraph, record_stack_file
from stacks.model_packages import NoApprovedVersion, ResolvedModelPackage, offline_resolver
from tests.recorded import computed_once, recorded_stack
from tests.stacks.conftest import batch_scoring_cut, serving_cut
from tests.stacks.test_kubernetes_wiring import _program_with

PINNED = "arn:aws:sagemaker:eu-west-1:333333333333:model-package/prod-churn-v2/3"
LATEST_CHURN = "arn:aws:sagemaker:eu-west-1:333333333333:model-package/prod-customer-churn/999999999"
LATEST_V2 = "arn:aws:sagemaker:eu-west-1:333333333333:model-package/prod-churn-v2/999999999"
V2_IMAGE_TAG = "0.7.24-1"


def _two_families(platform: dict[str, Any]) -> None:
    """The prod fixture with ``churn-v2`` (a copy of customer-churn's training) and its endpoint ``scoring``."""
    family = copy.deepcopy(platform["models"][0])
    family.update(
        name="churn-v2",
        promotion={"metric": "metrics.auc.value", "threshold": 0.85},
        quality_alarms={"auc": 0.7},
        evidently={"image_tag": V2_IMAGE_TAG, "drift_share": 0.5},
        batch_scoring={
            "schedule": "cron(0 4 * * ? *)",
            "instance_type": "ml.m5.large",
            "instance_count": 1,
            "model_package_arn": PINNED,
        },
    )
    platform["models"].append(family)
    platform.setdefault("training", {})["retraining_cooldown_hours"] = 6
    platform["monitoring"]["alarms"] = {"disk_percent": 70, "drift_threshold": 0.3}
    platform["endpoints"].append(
        {
            "name": "scoring",
            "variants": [
                {
                    "name": "main",
                    "model": {"latest_approved_of": "churn-v2"},
                    "instance_type": "ml.m5.xlarge",
                    "initial_instance_count": 2,
                    "scaling": {"min_capacity": 2, "max_capacity": 5, "invocations_per_instance": 100},
                    "weight": 0.9,
                },
                # A challenger of the other family: the endpoint still serves (and retrains) churn-v2.
                {
                    "name": "challenger",
                    "model": {"latest_approved_of": "customer-churn"},
                    "instance_type": "ml.m5.xlarge",
                    "initial_instance_count": 2,
                    "scaling": {"min_capacity": 2, "max_capacity": 3, "invocations_per_instance": 150},
                    "weight": 0.1,
                },
            ],
            "deployment": {"latency_p99_slo_ms": 400},
        }
    )


def _two_families_trimmed(platform: dict[str, Any]) -> None:
    """:func:`_two_families` without the DVC remote, the audit trail and the extra VPC interface
    endpoints, which no test of the stack reads and nothing it reads is fed by: recorded whole and
    trimmed (with the stand-in and the empty registry), every resource both graphs hold has the same
    type, parent, dependencies, provider and inputs, and the warnings are the same (366 resources
    to 344, 262 to 240). The approval dispatch and the budget stay: the alert topic's policy names
    their publishers."""
    platform.pop("dvc_remote", None)
    platform["network"].pop("additional_interface_endpoints", None)
    platform["audit_trail"] = {"enabled": False}
    _two_families(platform)


@pytest.fixture
def two_families(write_stack: Callable[..., Path]) -> ResourceGraph:
    return recorded_stack(write_stack("prod", _two_families_trimmed, name="Pulumi.prod.yaml"))


@pytest.fixture
def first_deploy(write_stack: Callable[..., Path]) -> ResourceGraph:
    """The same stack against an empty registry: only churn-v2's pinned batch scoring resolves."""
    return recorded_stack(
        write_stack("prod", _two_families_trimmed, name="Pulumi.prod.yaml"), registry="empty"
    )


def _rule(graph: ResourceGraph, name: str) -> dict[str, Any]:
    [rule] = [r for r in graph.of_type("aws:cloudwatch/eventRule:EventRule") if r.name == name]
    return json.loads(rule.inputs["eventPattern"])


def _named(graph: ResourceGraph, type_token: str, name: str):
    [resource] = [r for r in graph.of_type(type_token) if r.name == name]
    return resource


def _pipeline_arns(pattern: dict[str, Any]) -> set[str]:
    return {arn["equals-ignore-case"] for arn in pattern["detail"]["pipelineArn"]}


def _alarms(graph: ResourceGraph) -> dict[str, dict[str, Any]]:
    return {a.inputs["name"]: a.inputs for a in graph.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}


PIPELINE_ARN = "arn:aws:sagemaker:eu-west-1:333333333333:pipeline/"


# --- Failure alerts: every family's pipelines, every endpoint, group and gate ------------------------


def test_failure_alerts_name_every_familys_pipelines_endpoints_groups_and_gates(two_families) -> None:
    assert _pipeline_arns(_rule(two_families, "failure-alerts-pipeline-executions")) == {
        f"{PIPELINE_ARN}prod-customer-churn-training",
        f"{PIPELINE_ARN}prod-churn-v2-training",
        f"{PIPELINE_ARN}prod-customer-churn-batch-scoring",
        f"{PIPELINE_ARN}prod-churn-v2-batch-scoring",
    }
    endpoints = _rule(two_families, "failure-alerts-endpoint-updates")["detail"]["EndpointName"]
    assert sorted(endpoints) == ["prod-customer-churn", "prod-scoring"]
    groups = _rule(two_families, "failure-alerts-model-rejections")["detail"]["ModelPackageGroupName"]
    assert sorted(groups) == ["prod-churn-v2", "prod-customer-churn"]
    # prod retrains on drift and on new data: both families have a retraining gate and a new-data
    # starter, all four are watched.
    gates = _rule(two_families, "failure-alerts-retraining-gates")["detail"]["stateMachineArn"]
    state_machine = "arn:aws:states:eu-west-1:333333333333:stateMachine:"
    assert sorted(gates) == [
        f"{state_machine}prod-churn-v2-training-new-data",
        f"{state_machine}prod-churn-v2-training-retraining",
        f"{state_machine}prod-customer-churn-training-new-data",
        f"{state_machine}prod-customer-churn-training-retraining",
    ]


def test_failed_transform_jobs_of_every_scored_family_page(two_families) -> None:
    models = _rule(two_families, "failure-alerts-transform-jobs")["detail"]["ModelName"]
    assert sorted(name.rsplit("-", 1)[0] for name in models) == [
        "batch-churn-v2-model",
        "batch-customer-churn-model",
    ]


# --- Serving and batch scoring: the version each one runs --------------------------------------------


def _model_package(graph: ResourceGraph, model: str) -> str:
    resource = _named(graph, "aws:sagemaker/model:Model", model)
    container = resource.inputs.get("primaryContainer") or resource.inputs["containers"][0]
    return container["modelPackageName"]


def test_each_endpoint_serves_the_family_its_variant_follows(two_families) -> None:
    assert _model_package(two_families, "endpoint-customer-churn-primary-model") == LATEST_CHURN
    assert _model_package(two_families, "endpoint-scoring-main-model") == LATEST_V2
    assert _model_package(two_families, "endpoint-scoring-challenger-model") == LATEST_CHURN


def test_batch_scoring_runs_the_pinned_version_and_otherwise_the_latest_approved(two_families) -> None:
    assert _model_package(two_families, "batch-customer-churn-model") == LATEST_CHURN
    assert _model_package(two_families, "batch-churn-v2-model") == PINNED
    pipelines = {p.inputs["pipelineName"] for p in two_families.of_type("aws:sagemaker/pipeline:Pipeline")}
    assert {"prod-customer-churn-batch-scoring", "prod-churn-v2-batch-scoring"} <= pipelines


def test_a_family_with_nothing_approved_defers_its_batch_scoring_with_the_next_steps(first_deploy) -> None:
    models = {m.name for m in first_deploy.of_type("aws:sagemaker/model:Model")}
    assert models == {"batch-churn-v2-model"}  # endpoints deferred too; the pinned version resolves
    assert _model_package(first_deploy, "batch-churn-v2-model") == PINNED
    [warning] = [w for w in first_deploy.warnings if w.startswith("batch scoring of model family")]
    assert warning.startswith(
        "batch scoring of model family customer-churn is deferred: model package group "
        "prod-customer-churn does not exist yet. This `pulumi up` creates no pipeline "
        "prod-customer-churn-batch-scoring. Next: put training data under training-data/customer-churn/ "
    )
    assert "--pipeline-name prod-customer-churn-training" in warning
    assert "churn-v2" not in warning
    # What does not exist is not watched: only churn-v2's batch pipeline, model and Evidently report.
    arns = _pipeline_arns(_rule(first_deploy, "failure-alerts-pipeline-executions"))
    assert f"{PIPELINE_ARN}prod-churn-v2-batch-scoring" in arns
    assert f"{PIPELINE_ARN}prod-customer-churn-batch-scoring" not in arns
    transform = _rule(first_deploy, "failure-alerts-transform-jobs")["detail"]["ModelName"]
    assert [name.rsplit("-", 1)[0] for name in transform] == ["batch-churn-v2-model"]
    batch_alarms = sorted(n for n in _alarms(first_deploy) if n.endswith("batch-scoring-evidently-drift"))
    assert batch_alarms == ["prod-churn-v2-batch-scoring-evidently-drift"]
    # Nor does a deferred batch scoring's report start retraining (its alarm does not exist): with
    # its endpoint deferred too, customer-churn retrains on no alarm; churn-v2 on its batch report's.
    drift_rules = [r.name for r in first_deploy.of_type("aws:cloudwatch/eventRule:EventRule")]
    assert sorted(n for n in drift_rules if n.endswith("-drift")) == ["triggers-churn-v2-drift"]
    assert _rule(first_deploy, "triggers-churn-v2-drift")["detail"]["alarmName"] == [
        "prod-churn-v2-batch-scoring-evidently-drift"
    ]


def _unpinned(platform: dict[str, Any]) -> None:
    """:func:`_two_families` with churn-v2's batch scoring following its latest approved version."""
    _two_families(platform)
    del platform["models"][1]["batch_scoring"]["model_package_arn"]


def test_a_group_with_no_approved_version_yet_is_told_apart_from_a_missing_one(write_stack) -> None:
    """churn-v2's group exists but holds nothing approved: its batch scoring (the second family's)
    waits, saying so and what to do for churn-v2; customer-churn's is built. The stack is cut to
    what batch scoring reads (:func:`tests.stacks.conftest.batch_scoring_cut`)."""

    def unpinned_batch_scoring(platform: dict[str, Any]) -> None:
        _unpinned(platform)
        batch_scoring_cut(platform)

    path = write_stack("prod", unpinned_batch_scoring, name="Pulumi.prod.yaml")
    stand_in = offline_resolver("eu-west-1", "333333333333")

    def resolve(source: str) -> ResolvedModelPackage:
        if source == "prod-churn-v2":
            raise NoApprovedVersion(source, group_exists=True)
        return stand_in(source)

    graph = computed_once(
        "composition-unapproved-group",
        lambda: record_stack_file(str(path), _program_with(resolve)),
        key=[path.read_text()],
    )
    [warning] = [w for w in graph.warnings if w.startswith("batch scoring of model family")]
    assert warning.startswith(
        "batch scoring of model family churn-v2 is deferred: model package group "
        "prod-churn-v2 has no Approved version yet. This `pulumi up` creates no pipeline "
        "prod-churn-v2-batch-scoring. Next: put training data under training-data/churn-v2/ "
    )
    assert "customer-churn" not in warning
    batch_models = {m.name for m in graph.of_type("aws:sagemaker/model:Model") if m.name.startswith("batch-")}
    assert batch_models == {"batch-customer-churn-model"}
    assert _model_package(graph, "batch-customer-churn-model") == LATEST_CHURN


# --- Monitoring: each endpoint's baselines, job definitions and thresholds --------------------------


def test_each_endpoints_monitors_read_the_baselines_of_the_family_it_serves(two_families) -> None:
    for endpoint, group in (("customer-churn", "prod-customer-churn"), ("scoring", "prod-churn-v2")):
        data = _named(
            two_families,
            "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition",
            f"monitoring-{endpoint}-data-quality",
        ).inputs["dataQualityBaselineConfig"]
        assert data["statisticsResource"]["s3Uri"].endswith(
            f"/baselines/{group}/latest-approved/statistics.json"
        )
        quality = _named(
            two_families,
            "aws-native:sagemaker:ModelQualityJobDefinition",
            f"model-monitors-{endpoint}-model-quality",
        ).inputs
        assert quality["jobDefinitionName"] == f"prod-{endpoint}-model-quality"
        assert quality["modelQualityBaselineConfig"]["constraintsResource"]["s3Uri"].endswith(
            f"/baselines/{group}/latest-approved/model_quality/constraints.json"
        )


def test_each_endpoints_quality_alarms_are_its_familys_thresholds(two_families) -> None:
    quality = {
        name: (alarm["metricName"], alarm["threshold"], alarm["dimensions"]["Endpoint"])
        for name, alarm in _alarms(two_families).items()
        if "-model-quality-" in name
    }
    assert quality == {
        "prod-customer-churn-model-quality-auc": ("auc", 0.75, "prod-customer-churn"),
        "prod-customer-churn-model-quality-f1": ("f1", 0.6, "prod-customer-churn"),
        "prod-scoring-model-quality-auc": ("auc", 0.7, "prod-scoring"),
    }


def test_data_drift_is_alarmed_where_the_served_family_has_a_feature_group(two_families) -> None:
    """customer-churn's feature group names its drift features; churn-v2 has no group of its name
    but trains from customer-churn-labelled (a copy of customer-churn's training), whose model
    inputs its endpoint's drift alarm watches (tests/stacks/test_adopter_edits_audit.py)."""
    drift = sorted(name for name in _alarms(two_families) if name.endswith("-data-drift"))
    assert drift == ["prod-customer-churn-data-drift", "prod-scoring-data-drift"]


def test_each_familys_evidently_report_alarms_at_its_own_drift_share(two_families) -> None:
    shares = {
        name: alarm["threshold"]
        for name, alarm in _alarms(two_families).items()
        if name.endswith("-evidently-drift")
    }
    assert shares == {
        "prod-customer-churn-training-evidently-drift": 0.3,
        "prod-customer-churn-batch-scoring-evidently-drift": 0.3,
        "prod-churn-v2-training-evidently-drift": 0.5,
        "prod-churn-v2-batch-scoring-evidently-drift": 0.5,
    }


# --- Retraining: each family's trigger watches the alarms of the endpoints serving it ---------------


def test_each_family_retrains_on_the_alarms_of_what_serves_and_scores_it(two_families) -> None:
    def alarm_names(family: str) -> list[str]:
        return _rule(two_families, f"triggers-{family}-drift")["detail"]["alarmName"]

    assert sorted(alarm_names("customer-churn")) == [
        "prod-customer-churn-batch-scoring-evidently-drift",
        "prod-customer-churn-data-drift",
        "prod-customer-churn-model-quality-auc",
        "prod-customer-churn-model-quality-f1",
    ]
    assert sorted(alarm_names("churn-v2")) == [
        "prod-churn-v2-batch-scoring-evidently-drift",
        "prod-scoring-data-drift",
        "prod-scoring-model-quality-auc",
    ]
    for family in ("customer-churn", "churn-v2"):
        [prefix] = _rule(two_families, f"triggers-{family}-new-data")["detail"]["object"]["key"]
        assert prefix == {"prefix": f"training-data/{family}/"}


# --- Dashboard: every endpoint, with its own SLO, capacity and quality metrics ----------------------


def _dashboard_sections(graph: ResourceGraph) -> dict[str, list[dict[str, Any]]]:
    """The dashboard's widgets per endpoint: each endpoint's section opens with its text header."""
    [dashboard] = graph.of_type("aws:cloudwatch/dashboard:Dashboard")
    sections: dict[str, list[dict[str, Any]]] = {}
    current = None
    for widget in json.loads(dashboard.inputs["dashboardBody"])["widgets"]:
        markdown = widget["properties"].get("markdown", "")
        if widget["type"] == "text" and markdown.startswith("## "):
            current = markdown.removeprefix("## ").split(" ")[0]
            sections[current] = [widget]
        elif current is not None:
            sections[current].append(widget)
    return sections


def _titled(widgets: list[dict[str, Any]], prefix: str) -> dict[str, Any]:
    [widget] = [w for w in widgets if str(w["properties"].get("title", "")).startswith(prefix)]
    return widget["properties"]


def test_the_dashboard_shows_each_endpoint_with_its_own_slo_capacity_and_quality_metrics(
    two_families,
) -> None:
    [dashboard] = two_families.of_type("aws:cloudwatch/dashboard:Dashboard")
    assert dashboard.inputs["dashboardName"] == "mlops-platform-prod"
    sections = _dashboard_sections(two_families)
    assert sorted(sections) == ["prod-customer-churn", "prod-scoring"]
    expected = {
        "prod-customer-churn": ("primary", "2-8", 200, 250_000, ["auc", "f1"]),
        "prod-scoring": ("main", "2-5", 100, 400_000, ["auc"]),
    }
    for endpoint, (variant, capacity, target, slo_us, metrics) in expected.items():
        widgets = sections[endpoint]
        assert f"**{variant}**: {capacity} instances" in widgets[0]["properties"]["markdown"]
        scaling = _titled(widgets, "Invocations per instance")["annotations"]["horizontal"]
        assert {a["label"]: a["value"] for a in scaling}[f"{variant} scaling target"] == target
        latency = _titled(widgets, "Model latency")["annotations"]["horizontal"]
        assert [a["value"] for a in latency] == [slo_us]
        quality = _titled(widgets, "Model quality")["metrics"]
        assert [m[1] for m in quality] == metrics
        assert all(m[3] == endpoint for m in quality)


# --- Training: each family's pipeline registers into its own group with its own settings ------------


def _training_definition(graph: ResourceGraph, family: str) -> str:
    pipeline = _named(graph, "aws:sagemaker/pipeline:Pipeline", f"training-{family}-pipeline")
    return pipeline.inputs["pipelineDefinition"]


def test_each_familys_training_pipeline_registers_into_its_own_group(two_families) -> None:
    v2 = json.loads(_training_definition(two_families, "churn-v2"))
    churn = json.loads(_training_definition(two_families, "customer-churn"))
    assert '"ModelPackageGroupName": "prod-churn-v2"' in json.dumps(v2)
    assert '"ModelPackageGroupName": "prod-customer-churn"' not in json.dumps(v2)
    assert '"ModelPackageGroupName": "prod-customer-churn"' in json.dumps(churn)


def test_each_familys_pipeline_runs_its_own_evidently_image(two_families) -> None:
    assert f":{V2_IMAGE_TAG}" in _training_definition(two_families, "churn-v2")
    assert f":{V2_IMAGE_TAG}" not in _training_definition(two_families, "customer-churn")
    assert ":0.7.23-1" in _training_definition(two_families, "customer-churn")


def test_each_familys_pipeline_reads_the_feature_group_its_training_data_names(two_families) -> None:
    """Both families train on ``customer-churn-labelled``, the second of the stack's feature groups."""
    for family in ("customer-churn", "churn-v2"):
        assert "prod-customer-churn-labelled" in _training_definition(two_families, family)


def test_each_familys_pipeline_promotes_on_its_own_threshold(two_families) -> None:
    assert "0.85" in _training_definition(two_families, "churn-v2")
    assert "0.85" not in _training_definition(two_families, "customer-churn")


def test_each_familys_retraining_gate_keeps_the_stacks_cooldown(two_families) -> None:
    for family in ("customer-churn", "churn-v2"):
        gate = _named(two_families, "aws:sfn/stateMachine:StateMachine", f"triggers-{family}-retraining-gate")
        assert "at most once per 21600 s" in gate.inputs["definition"]


def test_the_stacks_alarm_thresholds_reach_every_endpoints_alarms(two_families) -> None:
    alarms = _alarms(two_families)
    disk = {name: alarm["threshold"] for name, alarm in alarms.items() if name.endswith("-disk")}
    assert disk == {
        "prod-customer-churn-primary-disk": 70,
        "prod-scoring-main-disk": 70,
        "prod-scoring-challenger-disk": 70,
    }
    assert alarms["prod-customer-churn-data-drift"]["threshold"] == 0.3


def _configured_drift_features(platform: dict[str, Any]) -> None:
    """:func:`_two_families` with ``monitoring.drift_features`` stated, cut to what the endpoints
    read (:func:`tests.stacks.conftest.serving_cut`: the endpoints' monitors, alarms and dashboard
    stay as they are)."""
    serving_cut(platform)
    _two_families(platform)
    platform["monitoring"]["drift_features"] = ["tenure_months", "support_calls_90d"]


def test_versions_without_baselines_are_monitored_from_their_familys_folder(write_stack) -> None:
    """Each version resolved registers no baselines: each endpoint's monitors read its family's
    ``baselines/<group>/`` (not one named after the endpoint), with a warning saying so; and the
    stated drift features are every endpoint's, feature group or not."""
    path = write_stack("prod", _configured_drift_features, name="Pulumi.prod.yaml")

    def resolve(source: str) -> ResolvedModelPackage:
        group = source.rsplit("/", 2)[-2] if source.startswith("arn:") else source
        return ResolvedModelPackage(
            arn=f"arn:aws:sagemaker:eu-west-1:333333333333:model-package/{group}/4", baselines=None
        )

    graph = computed_once(
        "composition-no-baselines",
        lambda: record_stack_file(str(path), _program_with(resolve)),
        key=[path.read_text()],
    )
    for endpoint, group in (("customer-churn", "prod-customer-churn"), ("scoring", "prod-churn-v2")):
        data = _named(
            graph,
            "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition",
            f"monitoring-{endpoint}-data-quality",
        ).inputs["dataQualityBaselineConfig"]
        assert data["statisticsResource"]["s3Uri"].endswith(f"/baselines/{group}/statistics.json")
        [warning] = [w for w in graph.warnings if w.startswith(f"endpoint {endpoint}: model version")]
        assert warning.endswith(
            f"s3://<artifact bucket>/baselines/{group}/ (put the version's baselines there)"
        )
    assert sorted(n for n in _alarms(graph) if n.endswith("-data-drift")) == [
        "prod-customer-churn-data-drift",
        "prod-scoring-data-drift",
    ]
    sections = _dashboard_sections(graph)
    assert sorted(sections) == ["prod-customer-churn", "prod-scoring"]
    for endpoint, widgets in sections.items():
        drift = _titled(widgets, "Feature drift")["metrics"]
        assert sorted(m[1] for m in drift) == [
            "feature_baseline_drift_support_calls_90d",
            "feature_baseline_drift_tenure_months",
        ], endpoint


def _with_bias(platform: dict[str, Any]) -> None:
    """:func:`_two_families` with a bias monitor beside model quality, cut to what the endpoints
    read (:func:`tests.stacks.conftest.serving_cut`: both families' registry groups, the endpoints
    and their monitors stay as they are)."""
    serving_cut(platform)
    _two_families(platform)
    platform["monitoring"]["model_monitors"]["bias"] = True


def test_each_endpoints_bias_monitor_reads_its_familys_baselines_folder(write_stack) -> None:
    graph = recorded_stack(write_stack("prod", _with_bias, name="Pulumi.prod.yaml"))
    for endpoint, group, other in (
        ("customer-churn", "prod-customer-churn", "prod-churn-v2"),
        ("scoring", "prod-churn-v2", "prod-customer-churn"),
    ):
        [bias] = [
            r
            for r in graph.of_type("aws-native:sagemaker:ModelBiasJobDefinition")
            if r.name == f"model-monitors-{endpoint}-model-bias"
        ]
        text = json.dumps(bias.inputs)
        assert f"/baselines/{group}/" in text
        assert f"/baselines/{other}/" not in text


def test_the_alert_topic_lets_the_stacks_budget_publish(two_families) -> None:
    """prod's fixture enables ``budget``: AWS Budgets may publish to the alert topic."""
    [policy] = [
        p for p in two_families.of_type("aws:sns/topicPolicy:TopicPolicy") if p.name.startswith("alerts")
    ]
    assert "budgets.amazonaws.com" in policy.inputs["policy"]
