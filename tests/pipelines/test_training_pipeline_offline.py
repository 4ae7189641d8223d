"""Building the definition has no side effects, and what it builds is accepted by the SageMaker API.

No side effects is proved three ways: inside moto with every botocore request and every socket
connection refused (nothing attempted, nothing created); in a fresh interpreter with no AWS
configuration at all (the SDK's import-time clients included); and by the session handed to the
SDK, which refuses AWS calls outright. Acceptance is checked against moto (create, start with
overrides, describe) and against botocore's model of the SageMaker API for every job request.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import boto3
import botocore.endpoint
import botocore.session
import pytest
from moto import mock_aws

from components.training import _offline_sdk
from components.training.definition import build_definition
from tests.api_models import pipeline_step_errors
from tests.aws_sessions import mocked_aws
from tests.pipelines.churn_fixtures import BUCKET, REGION, steps_by_name


@pytest.fixture
def fake_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(variable, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)


@contextmanager
def _network_cut() -> Iterator[dict[str, list[str]]]:
    """Refuse, and record, every botocore request and every socket connection; record threads
    started too, since a fire-and-forget sender (the SDK's telemetry) may connect only later."""
    attempts: dict[str, list[str]] = {"aws": [], "sockets": [], "threads": []}
    start_thread = threading.Thread.start

    def record_thread(thread: threading.Thread) -> None:
        attempts["threads"].append(thread.name)
        start_thread(thread)

    def refuse_request(endpoint: Any, operation_model: Any, request_dict: Any) -> None:
        attempts["aws"].append(operation_model.name)
        raise AssertionError(f"AWS call while building: {operation_model.name}")

    def refuse_connection(sock: Any, address: Any, *args: Any) -> None:
        attempts["sockets"].append(repr(address))
        raise OSError(f"network is cut in this test: {address!r}")

    with (
        mock.patch.object(botocore.endpoint.Endpoint, "make_request", refuse_request),
        mock.patch.object(socket.socket, "connect", refuse_connection),
        mock.patch.object(socket.socket, "connect_ex", refuse_connection),
        mock.patch.object(threading.Thread, "start", record_thread),
    ):
        yield attempts


def test_building_inside_moto_with_the_network_cut_attempts_nothing_and_creates_nothing(
    fake_credentials: None, dev_settings, dev_json: str
) -> None:
    environment, root = dict(os.environ), logging.getLogger()
    handlers, default_session = list(root.handlers), boto3.DEFAULT_SESSION

    # Bare mock_aws, not tests.aws_sessions.mocked_aws: the build runs with the default session
    # moto leaves (none), which the offline SDK saves and restores; a prepared one would change that.
    with mock_aws():
        with _network_cut() as attempts:
            definition = build_definition(dev_settings)
        s3 = boto3.client("s3", region_name=REGION)
        sagemaker = boto3.client("sagemaker", region_name=REGION)
        buckets = s3.list_buckets()["Buckets"]
        pipelines = sagemaker.list_pipelines()["PipelineSummaries"]
        groups = sagemaker.list_model_package_groups()["ModelPackageGroupSummaryList"]

    assert attempts == {"aws": [], "sockets": [], "threads": []}
    assert (buckets, pipelines, groups) == ([], [], [])
    assert definition == dev_json
    assert dict(os.environ) == environment, "the sealed environment is restored"
    assert (root.handlers, boto3.DEFAULT_SESSION) == (handlers, default_session)


def test_a_fresh_interpreter_without_aws_configuration_builds_without_any_connection(
    fresh_process_build: dict[str, Any], dev_json: str
) -> None:
    """The SDK creates boto3 clients while it is imported (which needs a region and probes the EC2
    metadata endpoint for credentials): only a fresh process shows that the import is contained
    too. The process (see conftest) has no AWS_* or SAGEMAKER_* variables and an empty HOME."""
    # The fixture raises, with the process's stderr, when the build exits with another status than 0.
    report = json.loads(fresh_process_build["stdout"].strip().splitlines()[-1])
    assert (report["attempts"], report["threads"]) == ([], [])
    assert report["environment_restored"] and report["default_session"] == "None"
    assert report["definition"] == dev_json, "same settings, same JSON, whatever the machine's setup"
    # The SDK was first imported inside the seal: its models build when a build first uses them.
    defined, built = report["sdk_models"]
    assert defined > 500 and built < defined // 10, f"{built} of the SDK's {defined} models built"


def test_the_session_given_to_the_sdk_refuses_aws_calls() -> None:
    with _offline_sdk.sealed(REGION):
        session = _offline_sdk.pipeline_session(REGION, BUCKET)
        with pytest.raises(_offline_sdk.OfflineAwsError, match=r"\(sagemaker\.ListPipelines\)"):
            session.sagemaker_client.list_pipelines()
        with pytest.raises(_offline_sdk.OfflineAwsError, match=r"\(s3\."):
            session.default_bucket()


def test_moto_accepts_the_definition_and_runs_it_with_overrides(
    fake_credentials: None, prod_settings, prod_json: str
) -> None:
    overrides = [
        {"Name": "MetricThreshold", "Value": "0.9"},
        {"Name": "ModelApprovalStatus", "Value": "Approved"},
        {"Name": "TrainingInstanceType", "Value": "ml.g5.2xlarge"},
        {"Name": "InputDataUri", "Value": "s3://mlops-dev-data-123456789012/churn/backfill/"},
    ]
    with mocked_aws(REGION):
        sagemaker = boto3.client("sagemaker", region_name=REGION)
        sagemaker.create_pipeline(
            PipelineName=prod_settings.pipeline_name,
            PipelineDefinition=prod_json,
            RoleArn=prod_settings.role_arn,
        )
        execution = sagemaker.start_pipeline_execution(
            PipelineName=prod_settings.pipeline_name, PipelineParameters=overrides
        )["PipelineExecutionArn"]
        described = sagemaker.describe_pipeline(PipelineName=prod_settings.pipeline_name)
        recorded = sagemaker.list_pipeline_parameters_for_execution(PipelineExecutionArn=execution)

    assert described["PipelineDefinition"] == prod_json
    assert described["RoleArn"] == prod_settings.role_arn
    assert recorded["PipelineParameters"] == overrides


# --- every job request is one the SageMaker API accepts ---------------------------------------

_OPERATIONS = {
    "Processing": ("CreateProcessingJob", {"ProcessingJobName": "pipelines-placeholder"}),
    "Training": ("CreateTrainingJob", {"TrainingJobName": "pipelines-placeholder"}),
    "RegisterModel": ("CreateModelPackage", {}),
}


def test_every_job_request_validates_against_the_sagemaker_api_model(built) -> None:
    _, definition = built
    checked = []

    for name, step in steps_by_name(definition).items():
        if step["Type"] not in _OPERATIONS:
            continue
        operation, pipeline_supplied = _OPERATIONS[step["Type"]]
        errors = pipeline_step_errors(operation, {**step["Arguments"], **pipeline_supplied})
        assert errors == [], f"{name} ({operation}):\n" + "\n".join(errors)
        checked.append(name)

    assert checked == [
        "Preprocess",
        "DatasetManifest",
        "Train",
        "Evaluate",
        *(["TrackExperiment"] if built[0].experiment_tracking else []),
        "DataQualityBaseline",
        "ModelQualityBaseline",
        "RegisterModel",
    ]
