"""The live-drift pipeline's definition (``monitoring.evidently``, docs/evidently.md): the SDK
composes it offline, every policy of the pack that judges pipelines passes it, ListCapture is the
pack's network exception (its own role, its script only) and CollectCapture reads exactly the
manifest it wrote, isolated."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.observability.live_drift_definition import (
    STEP_CAPTURED,
    STEP_COLLECT,
    STEP_LIST,
    LiveDriftDefinitionSettings,
    build_live_drift_definition,
)
from policies.local import resource_types_of
from policies.registry import ALL_POLICIES
from tests.pipelines.churn_fixtures import ACCOUNT, BUCKET, REGION
from tests.pipelines.evidently_fixtures import evidently_settings
from tests.policies.conftest import run_policy

PIPELINE = "aws:sagemaker/pipeline:Pipeline"
PIPELINE_NAME = "mlops-prod-churn-live-drift"
LIST_ROLE = f"arn:aws:iam::{ACCOUNT}:role/mlops-prod-churn-capture-lister"
DATA_ROLE = f"arn:aws:iam::{ACCOUNT}:role/mlops-prod-churn-live-drift"


def _settings(**changes: Any) -> LiveDriftDefinitionSettings:
    values: dict[str, Any] = {
        "region": REGION,
        "pipeline_name": PIPELINE_NAME,
        "job_name_prefix": PIPELINE_NAME,
        "capture_bucket": BUCKET,
        "capture_prefix": "data-capture/churn/",
        "endpoint_name": "prod-churn",
        "variants": ("AllTraffic",),
        "run_hours": tuple(range(24)),
        "list_script_uri": f"s3://{BUCKET}/pipelines/{PIPELINE_NAME}/code/0a1b2c3d/list_capture.py",
        "collect_script_uri": f"s3://{BUCKET}/pipelines/{PIPELINE_NAME}/code/4e5f6a7b/collect_capture.py",
        "list_role_arn": LIST_ROLE,
        "data_role_arn": DATA_ROLE,
        "kms_key_arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/00000000-0000-4000-8000-000000000000",
        "subnet_ids": ("subnet-0a", "subnet-0b"),
        "security_group_ids": ("sg-0a",),
        "work_uri": f"s3://{BUCKET}/pipelines/{PIPELINE_NAME}/",
        "endpoint_dimension": "endpoint-churn",
        "evidently": evidently_settings(),
    }
    return LiveDriftDefinitionSettings(**(values | changes))


@pytest.fixture(scope="module")
def definition() -> dict[str, Any]:
    return json.loads(build_live_drift_definition(_settings()))


def _steps(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    [listing, captured] = definition["Steps"]
    return {step["Name"]: step for step in [listing, captured, *captured["Arguments"]["IfSteps"]]}


def _pipeline(definition: dict[str, Any]) -> dict[str, Any]:
    return {
        "pipelineName": PIPELINE_NAME,
        "roleArn": f"arn:aws:iam::{ACCOUNT}:role/pipeline",
        "pipelineDefinition": json.dumps(definition),
        # What every resource of a stack carries (the tag rule judges the resource, not its steps).
        "tags": {"owner": "ml-platform", "cost-center": "cc-1", "environment": "prod"},
    }


def _pipeline_rules() -> list[str]:
    return [
        policy.name
        for policy in ALL_POLICIES
        if (types := resource_types_of(policy)) is not None and PIPELINE in types
    ]


def test_every_pipeline_rule_of_the_pack_passes_it(definition) -> None:
    rules = _pipeline_rules()
    assert "pipeline-steps-network-isolated" in rules

    for rule in rules:
        violations = run_policy(
            rule, [{"type": PIPELINE, "name": "live-drift", "inputs": _pipeline(definition)}]
        )
        assert violations == [], (rule, [v.message for v in violations])


def test_list_capture_reaches_s3_with_its_script_and_its_own_role_only(definition) -> None:
    listing = _steps(definition)[STEP_LIST]["Arguments"]

    assert listing["NetworkConfig"]["EnableNetworkIsolation"] is False
    assert listing["RoleArn"] == LIST_ROLE
    assert [i["S3Input"]["S3Uri"] for i in listing["ProcessingInputs"]] == [_settings().list_script_uri]
    arguments = listing["AppSpecification"]["ContainerArguments"]
    assert arguments[arguments.index("--end") + 1] == {"Get": "Execution.StartDateTime"}
    assert arguments[arguments.index("--run-hours") + 1] == ",".join(str(hour) for hour in range(24))
    assert arguments[arguments.index("--variant") + 1] == "AllTraffic"
    assert arguments[arguments.index("--capture-uri") + 1] == f"s3://{BUCKET}/data-capture/churn/prod-churn/"


def test_the_rest_runs_only_when_the_interval_captured_something(definition) -> None:
    steps = _steps(definition)
    [condition] = steps[STEP_CAPTURED]["Arguments"]["Conditions"]

    assert condition["Type"] == "GreaterThan" and condition["RightValue"] == 0
    assert condition["LeftValue"]["Std:JsonGet"]["Path"] == "objects"
    assert [s["Name"] for s in steps[STEP_CAPTURED]["Arguments"]["IfSteps"]] == [
        STEP_COLLECT,
        "EvidentlyReport",
        "PublishDriftMetrics",
    ]
    assert steps[STEP_CAPTURED]["Arguments"]["ElseSteps"] == []


def test_collect_capture_reads_the_manifest_isolated_and_the_report_reads_what_it_wrote(definition) -> None:
    steps = _steps(definition)
    collect = steps[STEP_COLLECT]["Arguments"]
    inputs = {i["InputName"]: i["S3Input"] for i in collect["ProcessingInputs"]}

    assert collect["NetworkConfig"]["EnableNetworkIsolation"] is True
    assert collect["RoleArn"] == DATA_ROLE
    assert inputs["capture"]["S3DataType"] == "ManifestFile"
    assert inputs["capture"]["S3Uri"]["Std:Join"]["Values"] == [
        {"Get": f"Steps.{STEP_LIST}.ProcessingOutputConfig.Outputs['manifest'].S3Output.S3Uri"},
        "manifest.json",
    ]
    assert inputs["reference"]["S3Uri"] == evidently_settings().reference_uri
    report_inputs = {
        i["InputName"]: i["S3Input"]["S3Uri"]
        for i in steps["EvidentlyReport"]["Arguments"]["ProcessingInputs"]
    }
    assert report_inputs["current"] == {
        "Get": f"Steps.{STEP_COLLECT}.ProcessingOutputConfig.Outputs['current'].S3Output.S3Uri"
    }
    publish = steps["PublishDriftMetrics"]["Arguments"]["AppSpecification"]["ContainerArguments"]
    assert "Pipeline=endpoint-churn" in publish and "Family=customer-churn" in publish


def test_list_capture_with_the_data_role_would_break_the_packs_exception() -> None:
    shared = json.loads(build_live_drift_definition(_settings(list_role_arn=DATA_ROLE)))

    violations = run_policy(
        "pipeline-steps-network-isolated",
        [{"type": PIPELINE, "name": "live-drift", "inputs": _pipeline(shared)}],
    )

    assert any("runs as the role of another job" in v.message and STEP_LIST in v.message for v in violations)


def test_every_job_request_validates_against_the_sagemaker_api_model(definition) -> None:
    from tests.api_models import pipeline_step_errors

    checked = []
    for name, step in _steps(definition).items():
        if step["Type"] != "Processing":
            continue
        request = {**step["Arguments"], "ProcessingJobName": "pipelines-placeholder"}
        errors = pipeline_step_errors("CreateProcessingJob", request)
        assert errors == [], f"{name}:\n" + "\n".join(errors)
        checked.append(name)

    assert checked == [STEP_LIST, STEP_COLLECT, "EvidentlyReport", "PublishDriftMetrics"]
