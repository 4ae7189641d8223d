"""Experiment tracking wired through the stack: with a tracking server (the prod fixture), the
training pipeline's TrackExperiment runs as its own role, allowed exactly the MLflow logging actions
on that one server, reaches the server through an interface endpoint in the private subnets, and the
pipeline role may pass that role; without one (the dev fixture) none of it exists."""

from __future__ import annotations

import json
from typing import Any

import pytest

from planner.recorder import ResourceGraph
from tests.graph_helpers import as_list, only, policy_of, statements, training_pipelines

SERVER = "aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer"
PIPELINE = "aws:sagemaker/pipeline:Pipeline"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
MLFLOW_ACTIONS = [
    "sagemaker-mlflow:GetExperimentByName",
    "sagemaker-mlflow:CreateExperiment",
    "sagemaker-mlflow:CreateRun",
    "sagemaker-mlflow:LogBatch",
    "sagemaker-mlflow:UpdateRun",
]


@pytest.fixture(scope="module")
def prod(stack_graphs: dict[str, ResourceGraph]) -> ResourceGraph:
    return stack_graphs["prod"]


@pytest.fixture(scope="module")
def dev(stack_graphs: dict[str, ResourceGraph]) -> ResourceGraph:
    return stack_graphs["dev"]


def _role_statements(graph: ResourceGraph, role: str) -> list[dict[str, Any]]:
    (policy,) = [r for r in graph.of_type(ROLE_POLICY) if r.name == f"{role}-role-permissions"]
    return statements(policy_of(policy))


def _role_arn(graph: ResourceGraph, role: str) -> str:
    (resource,) = [r for r in graph.of_type("aws:iam/role:Role") if r.name == f"{role}-role-role"]
    return resource.outputs["arn"]


def _definitions(graph: ResourceGraph) -> list[dict[str, Any]]:
    return [json.loads(p.inputs["pipelineDefinition"]) for p in training_pipelines(graph)]


def _step(definition: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((step for step in definition["Steps"] if step["Name"] == name), None)


def test_the_tracking_role_may_log_to_that_one_server_only(prod: ResourceGraph) -> None:
    server_arn = only(prod, SERVER).outputs["arn"]
    mlflow = [
        s for s in _role_statements(prod, "tracking-job") if "sagemaker-mlflow" in json.dumps(s["Action"])
    ]
    assert mlflow == [{"Effect": "Allow", "Action": MLFLOW_ACTIONS, "Resource": server_arn}]
    # No other role of the stack holds an MLflow action.
    others = [r for r in prod.of_type(ROLE_POLICY) if r.name != "tracking-job-role-permissions"]
    assert not any("sagemaker-mlflow" in r.inputs["policy"] for r in others)


def test_the_tracking_role_reads_no_data(prod: ResourceGraph) -> None:
    s3 = [
        s
        for s in _role_statements(prod, "tracking-job")
        if any(a.startswith("s3:") for a in as_list(s["Action"]))
    ]
    resources = {r for s in s3 for r in as_list(s["Resource"])}
    artifacts = {r.split("/")[0] for r in resources}
    assert len(artifacts) == 1, "one bucket: the artifact bucket"
    objects = sorted(r for r in resources if "/" in r)
    assert [o.split("/", 1)[1] for o in objects] == ["pipelines/*/TrackExperiment/*", "pipelines/*/code/*"]
    reads = [s for s in s3 if "s3:GetObject" in as_list(s["Action"])]
    assert [as_list(s["Resource"]) for s in reads] == [[r for r in objects if r.endswith("/code/*")]]
    writes = [s for s in s3 if "s3:PutObject" in as_list(s["Action"])]
    assert [s["Resource"] for s in writes] == [next(o for o in objects if "TrackExperiment" in o)]


def test_the_pipeline_role_may_pass_the_tracking_role(prod: ResourceGraph) -> None:
    (passing,) = [s for s in _role_statements(prod, "pipeline") if s["Action"] == "iam:PassRole"]
    # The prod fixture also trains from a feature group and has an Evidently report: ExtractFeatures'
    # role, then PublishDriftMetrics' (tests/components/test_evidently_wiring.py).
    assert passing["Resource"] == [
        _role_arn(prod, "training"),
        _role_arn(prod, "tracking-job"),
        _role_arn(prod, "feature-extraction"),
        _role_arn(prod, "drift-metrics-job"),
    ]
    assert passing["Condition"] == {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}


def test_the_step_runs_as_the_tracking_role_against_the_server(prod: ResourceGraph) -> None:
    server_arn = only(prod, SERVER).outputs["arn"]
    definitions = _definitions(prod)
    assert definitions
    for definition in definitions:
        track = _step(definition, "TrackExperiment")
        assert track is not None
        arguments = track["Arguments"]
        assert arguments["RoleArn"] == _role_arn(prod, "tracking-job")
        assert arguments["Environment"] == {"MLFLOW_TRACKING_URI": server_arn}
        (script,) = arguments["ProcessingInputs"]
        assert script["S3Input"]["S3Uri"].endswith("/track_experiment.py")
        register = next(
            s for s in definition["Steps"][-1]["Arguments"]["IfSteps"] if s["Type"] == "RegisterModel"
        )
        assert register["Arguments"]["CustomerMetadataProperties"]["mlflow_tracking_server_arn"] == server_arn


def test_the_step_script_is_uploaded_kms_encrypted(prod: ResourceGraph) -> None:
    scripts = [
        r
        for r in prod.of_type("aws:s3/bucketObjectv2:BucketObjectv2")
        if r.name.endswith("-track-experiment-script")
    ]
    assert scripts
    for script in scripts:
        assert script.inputs["key"].endswith("/track_experiment.py")
        assert script.inputs["serverSideEncryption"] == "aws:kms"


def test_the_private_subnets_reach_the_mlflow_service_through_an_interface_endpoint(
    prod: ResourceGraph,
) -> None:
    (endpoint,) = [r for r in prod.of_type(ENDPOINT) if r.inputs["serviceName"].endswith(".experiments")]
    assert endpoint.inputs["serviceName"] == "aws.sagemaker.eu-west-1.experiments"
    assert endpoint.inputs["vpcEndpointType"] == "Interface"
    assert endpoint.inputs["privateDnsEnabled"] is True
    api = next(r for r in prod.of_type(ENDPOINT) if r.inputs["serviceName"].endswith(".sagemaker.api"))
    assert endpoint.inputs["subnetIds"] == api.inputs["subnetIds"]
    assert endpoint.inputs["securityGroupIds"] == api.inputs["securityGroupIds"]
    assert endpoint.inputs["policy"] == api.inputs["policy"]


def test_without_a_tracking_server_there_is_no_step_role_permission_or_endpoint(dev: ResourceGraph) -> None:
    assert not dev.of_type(SERVER)
    assert not [r for r in dev.of_type(ENDPOINT) if "experiments" in r.inputs["serviceName"]]
    assert not [r for r in dev.of_type(ROLE_POLICY) if r.name.startswith("tracking-job")]
    assert not any("sagemaker-mlflow" in r.inputs["policy"] for r in dev.of_type(ROLE_POLICY))
    (passing,) = [s for s in _role_statements(dev, "pipeline") if s["Action"] == "iam:PassRole"]
    assert passing["Resource"] == _role_arn(dev, "training")
    definitions = _definitions(dev)
    assert definitions
    for definition in definitions:
        assert _step(definition, "TrackExperiment") is None
        assert "mlflow" not in json.dumps(definition).lower()
