"""Promotion helpers: deployed vs. latest approved version (moto), and starting the deploy workflow."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
import yaml

from delivery.promote import DEPLOY_WORKFLOW, deploy_command, main, promotion_status
from stacks.config import parse_platform_config
from tests.conftest import REPO, load_stack_document, stack_path
from tests.delivery.conftest import Cloud

FAMILY = "customer-churn"
GROUP = f"staging-{FAMILY}"
"""The staging fixture's model package group and endpoint: the family's name after the stack's prefix."""


def _register(cloud: Cloud, status: str, baselines: dict | None = None) -> str:
    return cloud.clients.sagemaker.create_model_package(
        ModelPackageGroupName=GROUP,
        ModelApprovalStatus=status,
        **({"DriftCheckBaselines": baselines} if baselines else {}),
        InferenceSpecification={
            "Containers": [{"Image": "111111111111.dkr.ecr.eu-west-1.amazonaws.com/churn:1"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    )["ModelPackageArn"]


def _serve(cloud: Cloud, package_arn: str) -> None:
    """The endpoint `staging-customer-churn`, whose variant `primary` runs a model built from ``package_arn``."""
    sagemaker = cloud.clients.sagemaker
    sagemaker.create_model(
        ModelName="churn-model",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/inference",
        PrimaryContainer={"ModelPackageName": package_arn},
    )
    sagemaker.create_endpoint_config(
        EndpointConfigName="churn-config",
        ProductionVariants=[
            {
                "VariantName": "primary",
                "ModelName": "churn-model",
                "InstanceType": "ml.g5.xlarge",
                "InitialInstanceCount": 1,
            }
        ],
    )
    sagemaker.create_endpoint(EndpointName=GROUP, EndpointConfigName="churn-config")


def _staging():
    return parse_platform_config(
        load_stack_document("staging")["config"]["mlops-platform:platform"], "staging"
    )


def test_a_newer_approved_version_is_what_the_next_deploy_rolls_out(cloud: Cloud) -> None:
    cloud.clients.sagemaker.create_model_package_group(ModelPackageGroupName=GROUP)
    deployed = _register(cloud, "Approved")
    _serve(cloud, deployed)
    _register(cloud, "Rejected")
    newer = _register(cloud, "Approved")
    _register(cloud, "PendingManualApproval")

    [status] = promotion_status(_staging(), cloud.clients.sagemaker)

    assert (status.endpoint, status.variant, status.family) == ("customer-churn", "primary", FAMILY)
    assert (status.deployed, status.latest_approved) == (deployed, newer)
    assert status.action == f"pulumi up deploys {newer}"


def test_up_to_date_when_the_newest_approved_version_is_served(cloud: Cloud) -> None:
    cloud.clients.sagemaker.create_model_package_group(ModelPackageGroupName=GROUP)
    only = _register(cloud, "Approved")
    _serve(cloud, only)

    [status] = promotion_status(_staging(), cloud.clients.sagemaker)

    assert status.action == "up to date"


def test_nothing_deployed_and_nothing_approved(cloud: Cloud) -> None:
    cloud.clients.sagemaker.create_model_package_group(ModelPackageGroupName=GROUP)
    _register(cloud, "PendingManualApproval")

    [status] = promotion_status(_staging(), cloud.clients.sagemaker)

    assert (status.deployed, status.latest_approved) == (None, None)
    assert status.action.startswith("nothing to deploy: no Approved version")


def test_the_status_cli_prints_each_variant(cloud: Cloud, capsys) -> None:
    cloud.clients.sagemaker.create_model_package_group(ModelPackageGroupName=GROUP)
    newer = _register(cloud, "Approved")

    code = main(["status", "--stack-file", str(stack_path("staging"))], sagemaker=cloud.clients.sagemaker)

    out = capsys.readouterr().out
    assert code == 0
    assert "customer-churn/primary (family customer-churn)" in out
    assert f"latest approved: {newer}" in out
    assert f"next pulumi up:  pulumi up deploys {newer}" in out


def _baselines(folder: str) -> dict:
    def files(at: str) -> dict:
        return {
            "Statistics": {"ContentType": "application/json", "S3Uri": f"{at}/statistics.json"},
            "Constraints": {"ContentType": "application/json", "S3Uri": f"{at}/constraints.json"},
        }

    return {"ModelDataQuality": files(folder), "ModelQuality": files(f"{folder}/model_quality")}


@pytest.mark.parametrize(
    ("baselines", "shown"),
    [
        (
            _baselines(f"s3://artifacts/baselines/{GROUP}/run-7"),
            f"s3://artifacts/baselines/{GROUP}/run-7/",
        ),
        (None, "no baselines registered: the monitors read the family's baselines/<group>/ folder"),
        (_baselines("s3://artifacts/baselines/other/run-7"), "unusable baselines: model package arn:"),
    ],
    ids=["registered", "none", "outside-the-family-folder"],
)
def test_the_status_says_what_the_monitors_will_compare_with(cloud: Cloud, capsys, baselines, shown) -> None:
    cloud.clients.sagemaker.create_model_package_group(ModelPackageGroupName=GROUP)
    _register(cloud, "Approved", baselines)

    [status] = promotion_status(_staging(), cloud.clients.sagemaker)
    assert (
        main(["status", "--stack-file", str(stack_path("staging"))], sagemaker=cloud.clients.sagemaker) == 0
    )

    assert status.monitored_against is not None and status.monitored_against.startswith(shown)
    assert f"  monitored against: {shown}" in capsys.readouterr().out


def test_the_status_cli_exits_2_for_an_invalid_stack_file(write_stack, capsys) -> None:
    path = write_stack(text="config: {}\n")

    assert main(["status", "--stack-file", str(path)]) == 2
    assert str(path) in capsys.readouterr().err


def test_deploy_starts_the_deploy_workflow_with_gh(capsys) -> None:
    calls: list[Sequence[str]] = []

    def runner(command: Sequence[str]) -> int:
        calls.append(list(command))
        return 0

    assert main(["deploy", "--ref", "release-7"], runner=runner) == 0
    assert calls == [["gh", "workflow", "run", "deploy.yml", "--ref", "release-7"]]
    captured = capsys.readouterr()
    assert captured.out == "", "stdout is the gh call's own output alone (a script may read it)"
    assert captured.err.splitlines()[0] == "$ gh workflow run deploy.yml --ref release-7"
    assert "prod waits for a required reviewer" in captured.err


@pytest.mark.parametrize(("args", "runner_code", "exit_code", "ran"), [
    (["deploy", "--dry-run"], 0, 0, False),
    (["deploy"], 1, 2, True),
])  # fmt: skip
def test_deploy_dry_run_and_failure(args, runner_code, exit_code, ran, capsys) -> None:
    calls: list[Sequence[str]] = []

    def runner(command: Sequence[str]) -> int:
        calls.append(command)
        return runner_code

    assert main(args, runner=runner) == exit_code
    assert bool(calls) is ran
    captured = capsys.readouterr()
    assert captured.out == "", "the echoed command is a diagnostic: stderr, never stdout"
    assert captured.err.splitlines()[0] == "$ gh workflow run deploy.yml --ref main"


def test_the_command_names_a_workflow_that_can_be_dispatched() -> None:
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / DEPLOY_WORKFLOW).read_text())
    assert "workflow_dispatch" in workflow[True]  # YAML 1.1 reads `on` as True
    assert deploy_command("main")[:4] == ["gh", "workflow", "run", DEPLOY_WORKFLOW]
