"""Stack configuration values that every fixture stack leaves at their default reach their resources.

``stacks/composition/*`` copies the typed configuration into each component's args. A value taken
from the wrong place (a constant, a neighbouring field, the first family's instead of each family's,
the environment instead of the stack name) records the same graph as long as the fixture stacks hold
the default, so the fixture-based tests cannot tell. This module records ONE prod fixture stack
edited to non-default values everywhere such a slip went unnoticed (storage and key lifecycles, flow
logs, trusted image registries, monitoring jobs, budget thresholds, pipeline parallelism and
new-data batching, the Athena scan limit, the approval dispatch, Evidently's image tag in batch
scoring, a family and an endpoint not named like the fixtures' ones, a shadow test, a shared
endpoint), and checks each reaches the resource input AWS reads. Each value's own semantics are tested with its component.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from planner.recorder import RecordedResource, ResourceGraph
from stacks.config import CONFIG_KEY
from tests.conftest import load_stack_document
from tests.graph_helpers import as_list
from tests.pipelines.churn_fixtures import steps_by_name
from tests.recorded import recorded_stack
from tests.stack_edits import at, both
from tests.yaml_text import dump_document

FAMILY = "churn-v2"
TRUSTED_REGISTRY = "444444444444"
EVIDENTLY_TAG = "0.7.24-2"
ENDPOINT = "churn-live"


def _rename_family(platform: dict[str, Any]) -> None:
    """The prod fixture's one family (and what serves it) renamed: not ``customer-churn``."""
    [model] = platform["models"]
    model["name"] = FAMILY
    for endpoint in platform["endpoints"]:
        for variant in endpoint["variants"]:
            if variant.get("model", {}).get("latest_approved_of") == "customer-churn":
                variant["model"]["latest_approved_of"] = FAMILY


def _shadow_test_on_a_renamed_endpoint(platform: dict[str, Any]) -> None:
    """The endpoint, not named like its family, with a shadow of its champion and a shadow test."""
    [endpoint] = platform["endpoints"]
    endpoint["name"] = ENDPOINT
    shadow = {key: value for key, value in copy.deepcopy(endpoint["variants"][0]).items() if key != "scaling"}
    endpoint["shadow_variants"] = [{**shadow, "name": "shadow", "weight": 1}]
    endpoint["shadow_test"] = {
        "start": "2027-01-04T08:00:00Z",
        "end": "2027-01-18T08:00:00Z",
        "sampling_percent": 25,
    }


EDIT = both(
    at("encryption.rotation_period_days", 730),
    at("storage.abort_incomplete_multipart_upload_days", 3),
    at("storage.access_log_retention_days", 400),
    at("storage.noncurrent_version_expiration_days", 200),
    at("network.flow_log_retention_days", 180),
    at("trusted_image_registry_accounts", [TRUSTED_REGISTRY]),
    at("monitoring.instance_type", "ml.m5.2xlarge"),
    at("monitoring.max_runtime_seconds", 1500),
    at("budget.actual_thresholds_percent", [50, 90]),
    at("budget.forecast_thresholds_percent", [110]),
    at("budget.anomaly_threshold_usd", 75),
    at("training.max_parallel_steps", 3),
    at("training.baseline_instance_type", "ml.m5.4xlarge"),
    at("training.new_data.batching_window_seconds", 120),
    at("feature_queries.scan_limit_gb", 250),
    at(
        "delivery.approval_dispatch",
        {
            "repository": "other-org/churn-platform",
            "event_type": "churn-approved",
            "maximum_retry_attempts": 5,
            "maximum_event_age_seconds": 7200,
        },
    ),
    at("models.0.evidently.image_tag", EVIDENTLY_TAG),
    _rename_family,
    _shadow_test_on_a_renamed_endpoint,
    at(
        "shared_endpoints",
        [
            {
                "name": "small-models",
                "instance_type": "ml.m5.2xlarge",
                "initial_instance_count": 2,
                "components": [
                    {
                        "name": "churn",
                        "model": {"latest_approved_of": FAMILY},
                        "compute": {"cpu_cores": 2, "memory_mb": 4096},
                    }
                ],
            }
        ],
    ),
)


def recorded_graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    """The prod fixture with :data:`EDIT`, recorded once per run (test_composition_mutation_audit.py
    reads the same document)."""
    document = load_stack_document("prod")
    EDIT(document["config"][CONFIG_KEY])
    # The stack is "variant", its environment prod: the two must not be confused.
    path: Path = tmp_path_factory.mktemp("config-reach") / "Pulumi.variant.yaml"
    path.write_text(dump_document(document))
    return recorded_stack(path)


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    return recorded_graph(tmp_path_factory)


def _rules(graph: ResourceGraph, name: str) -> dict[str, dict[str, Any]]:
    lifecycle = graph.named(f"{name}-lifecycle")
    return {rule["id"]: rule for rule in lifecycle.inputs["rules"]}


def _one(graph: ResourceGraph, type_: str, name: str) -> RecordedResource:
    [resource] = [r for r in graph.of_type(type_) if r.name == name]
    return resource


def _statements(resource: RecordedResource) -> list[dict[str, Any]]:
    return json.loads(resource.inputs["policy"])["Statement"]


def test_every_key_rotates_on_the_configured_period(graph: ResourceGraph) -> None:
    keys = graph.of_type("aws:kms/key:Key")
    # The data, logs and notifications keys, the approval dispatch's and the audit trail's own.
    assert {key.name for key in keys} >= {
        "kms-data-key",
        "kms-logs-key",
        "kms-notifications-key",
        "kms-deliveries-key",
        "audit-key-key",
    }
    assert {key.name: key.inputs["rotationPeriodInDays"] for key in keys} == {key.name: 730 for key in keys}


def test_the_buckets_lifecycles_follow_storage(graph: ResourceGraph) -> None:
    # The audit trail's bucket too: its versions and its unfinished uploads as the others'.
    for bucket in ("datasets", "artifacts", "audit-logs"):
        rule = _rules(graph, bucket)["expire-noncurrent-versions"]
        assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": 200}, bucket
        assert rule["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 3}, bucket
    assert _rules(graph, "access-logs")["expire-access-logs"]["expiration"] == {"days": 400}


def test_the_flow_logs_are_kept_for_the_configured_days(graph: ResourceGraph) -> None:
    assert (
        _one(graph, "aws:cloudwatch/logGroup:LogGroup", "network-flow-logs").inputs["retentionInDays"] == 180
    )


def test_every_role_that_pulls_images_may_pull_from_the_trusted_registries(graph: ResourceGraph) -> None:
    pulling: dict[str, list[str]] = {}
    for policy in graph.of_type("aws:iam/rolePolicy:RolePolicy"):
        for statement in _statements(policy):
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if "ecr:BatchGetImage" in actions:
                pulling.setdefault(policy.name, []).extend(as_list(statement["Resource"]))
    # The monitors' roles pull only AWS's analyzer and Clarify images (named repositories).
    pulling = {name: resources for name, resources in pulling.items() if "-jobs-" not in name}
    # The foundation's job roles, the endpoint's model role and the batch scoring's.
    assert {
        "training-role-permissions",
        "inference-role-permissions",
        f"endpoint-{ENDPOINT}-models-permissions",
        f"batch-{FAMILY}-model-permissions",
    } <= set(pulling)
    # The shared endpoint's (inference components) too.
    assert [name for name in pulling if name.startswith("shared-endpoint-small-models")]
    for name, resources in pulling.items():
        assert f"arn:aws:ecr:eu-west-1:{TRUSTED_REGISTRY}:repository/*" in resources, name


def test_monitoring_jobs_run_on_the_configured_instance_and_runtime(graph: ResourceGraph) -> None:
    definitions = [
        *graph.of_type("aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition"),
        *graph.of_type("aws-native:sagemaker:ModelQualityJobDefinition"),
    ]
    assert len(definitions) == 2
    for definition in definitions:
        assert definition.inputs["jobResources"]["clusterConfig"]["instanceType"] == "ml.m5.2xlarge"
        assert definition.inputs["stoppingCondition"] == {"maxRuntimeInSeconds": 1500}


def test_the_budget_and_anomaly_alerts_use_the_configured_thresholds(graph: ResourceGraph) -> None:
    [budget] = graph.of_type("aws:budgets/budget:Budget")
    assert sorted((n["notificationType"], n["threshold"]) for n in budget.inputs["notifications"]) == [
        ("ACTUAL", 50.0),
        ("ACTUAL", 90.0),
        ("FORECASTED", 110.0),
    ]
    [subscription] = graph.of_type("aws:costexplorer/anomalySubscription:AnomalySubscription")
    assert subscription.inputs["thresholdExpression"]["dimension"]["values"] == ["75.00"]


def test_the_training_pipeline_and_its_new_data_trigger_follow_training(graph: ResourceGraph) -> None:
    pipeline = graph.named(f"training-{FAMILY}-pipeline")
    assert pipeline.inputs["parallelismConfiguration"] == {"maxParallelExecutionSteps": 3}
    [pipe] = [r for r in graph.of_type("aws:pipes/pipe:Pipe") if r.name == f"triggers-{FAMILY}-new-data"]
    assert pipe.inputs["sourceParameters"]["sqsQueueParameters"]["maximumBatchingWindowInSeconds"] == 120
    [rule] = [
        r
        for r in graph.of_type("aws:cloudwatch/eventRule:EventRule")
        if r.name == f"triggers-{FAMILY}-new-data"
    ]
    # The family's own training-data folder, not another family's.
    key = json.loads(rule.inputs["eventPattern"])["detail"]["object"]["key"]
    assert key == [{"prefix": f"training-data/{FAMILY}/"}]


def test_the_baselining_jobs_run_on_the_configured_instance(graph: ResourceGraph) -> None:
    pipeline = graph.named(f"training-{FAMILY}-pipeline")
    steps = steps_by_name(json.loads(pipeline.inputs["pipelineDefinition"]))
    branch = {step["Name"]: step for step in steps["CheckMetric"]["Arguments"]["IfSteps"]}
    for step in (branch["DataQualityBaseline"], branch["ModelQualityBaseline"]):
        assert step["Arguments"]["ProcessingResources"]["ClusterConfig"]["InstanceType"] == "ml.m5.4xlarge"
    # Not the preprocessing and evaluation jobs' type (a pipeline parameter, ml.m5.xlarge by default).
    evaluate = steps["Evaluate"]["Arguments"]["ProcessingResources"]["ClusterConfig"]["InstanceType"]
    assert evaluate == {"Get": "Parameters.ProcessingInstanceType"}


def test_batch_scoring_runs_the_configured_evidently_image(graph: ResourceGraph) -> None:
    definition = _one(graph, "aws:sagemaker/pipeline:Pipeline", f"batch-{FAMILY}-pipeline").inputs[
        "pipelineDefinition"
    ]
    assert f"-evidently:{EVIDENTLY_TAG}" in definition
    assert "-evidently:0.7.23-1" not in definition


def test_athena_queries_stop_at_the_configured_scan_limit(graph: ResourceGraph) -> None:
    [workgroup] = graph.of_type("aws:athena/workgroup:Workgroup")
    assert workgroup.inputs["configuration"]["bytesScannedCutoffPerQuery"] == 250 * 1024**3


def test_approvals_are_dispatched_as_configured_and_name_the_stack(graph: ResourceGraph) -> None:
    [destination] = graph.of_type("aws:cloudwatch/eventApiDestination:EventApiDestination")
    assert destination.inputs["invocationEndpoint"] == (
        "https://api.github.com/repos/other-org/churn-platform/dispatches"
    )
    [target] = [
        t
        for t in graph.of_type("aws:cloudwatch/eventTarget:EventTarget")
        if t.name == f"approval-dispatch-{FAMILY}"
    ]
    assert target.inputs["retryPolicy"] == {"maximumRetryAttempts": 5, "maximumEventAgeInSeconds": 7200}
    template = target.inputs["inputTransformer"]["inputTemplate"]
    body = json.loads(template.replace('"<', '"').replace('>"', '"'))
    assert body["event_type"] == "churn-approved"
    assert (body["client_payload"]["source_stack"], body["client_payload"]["source_environment"]) == (
        "variant",
        "prod",
    )


def test_the_shadow_test_captures_under_its_endpoints_folder(graph: ResourceGraph) -> None:
    [experiment] = graph.of_type("aws-native:sagemaker:InferenceExperiment")
    destination = experiment.inputs["dataStorageConfig"]["destination"]
    # Its own folder beside the endpoint's captures (data-capture/<endpoint>/), not another endpoint's.
    assert destination.endswith(f"/data-capture/{ENDPOINT}/shadow-test/"), destination
