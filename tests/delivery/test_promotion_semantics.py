"""What ``promote status`` reports, against moto, pinned where a mutation of ``delivery/promote.py``
once went unnoticed:

- every variant that follows a model family is listed, shadow variants too, after the production
  ones; only the monitored endpoint's first production variant says what its monitors compare with;
- with nothing Approved and nothing deployed the status says so in words (no ``None``);
- a registry that refuses the read of the family's versions (access denied) is an error, exit 2 with
  one line on stderr, never "no Approved version" (which would read as "nothing to deploy");
- a ``model-approved`` event for a family with capitals in its name is accepted with the ARN
  SageMaker gives its versions (the group lower-cased), and refused with another group's; one whose
  version is not SageMaker's (0, a leading zero, 11 digits) or whose family is longer than a
  group's name may be (63) is refused;
- the post-deploy check reads every page of an endpoint's monitoring schedules: the Scheduled one
  on the second page counts;
- ``deploy`` where the GitHub CLI is not installed fails (exit 2), saying so, and never says it started.
"""

from __future__ import annotations

from typing import Any

import pytest
from moto.core import set_initial_no_auth_action_count

from delivery.approved_model import DispatchError, approved_model
from delivery.checks import check
from delivery.expectations import MonitoringScheduleExpectation
from delivery.promote import main, promotion_status
from delivery.stacks import list_stacks
from stacks.stack_file import offline_platform_config, read_stack_file
from tests.aws_sessions import denied_one_action
from tests.conftest import FIXTURE_STACKS, stack_path
from tests.delivery.conftest import Cloud, keyed_session
from tests.delivery.test_promote import GROUP, _register


def _with_a_shadow(platform: dict[str, Any]) -> None:
    platform["endpoints"][0]["shadow_variants"] = [
        {
            "name": "challenger",
            "model": {"latest_approved_of": "customer-churn"},
            "instance_type": "ml.g5.xlarge",  # local NVMe, as the primary
            "initial_instance_count": 1,
        }
    ]


def test_a_shadow_variant_is_listed_and_only_the_first_production_variant_is_monitored(
    cloud: Cloud, write_stack, capsys
) -> None:
    cloud.clients.sagemaker.create_model_package_group(ModelPackageGroupName=GROUP)
    newest = _register(cloud, "Approved")
    path = write_stack("staging", _with_a_shadow, name="Pulumi.staging.yaml")

    statuses = promotion_status(offline_platform_config(read_stack_file(str(path))), cloud.clients.sagemaker)

    assert [(s.endpoint, s.variant, s.latest_approved) for s in statuses] == [
        ("customer-churn", "primary", newest),
        ("customer-churn", "challenger", newest),
    ]
    primary, shadow = statuses
    assert primary.monitored_against is not None and primary.monitored_against.startswith("no baselines")
    assert shadow.monitored_against is None
    assert main(["status", "--stack-file", str(path)], sagemaker=cloud.clients.sagemaker) == 0
    out = capsys.readouterr().out
    assert "customer-churn/challenger (family customer-churn)" in out
    assert out.count("monitored against:") == 1


def test_the_status_says_in_words_that_nothing_is_deployed_or_approved(cloud: Cloud, capsys) -> None:
    cloud.clients.sagemaker.create_model_package_group(ModelPackageGroupName=GROUP)
    _register(cloud, "PendingManualApproval")
    _register(cloud, "Rejected")

    assert (
        main(["status", "--stack-file", str(stack_path("staging"))], sagemaker=cloud.clients.sagemaker) == 0
    )

    out = capsys.readouterr().out.splitlines()
    assert out[1:5] == [
        "customer-churn/primary (family customer-churn)",
        "  deployed:        nothing (endpoint or variant not deployed)",
        "  latest approved: none",
        "  next pulumi up:  nothing to deploy: no Approved version (pulumi up defers the endpoint until one is approved)",
    ]


@set_initial_no_auth_action_count(3)  # the IAM calls that make the identity; then moto checks all
def test_a_denied_read_of_the_versions_is_an_error_not_nothing_to_deploy(
    cloud: Cloud, aws_session, write_stack, capsys
) -> None:
    key = denied_one_action(aws_session[0].client("iam"), "auditor", "sagemaker:ListModelPackages")
    auditor = keyed_session(key["AccessKeyId"], key["SecretAccessKey"]).client("sagemaker")
    auditor.create_model_package_group(ModelPackageGroupName=GROUP)
    path = write_stack("staging", name="Pulumi.staging.yaml")

    assert main(["status", "--stack-file", str(path)], sagemaker=auditor) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.splitlines()
    assert line.startswith(f"{path}: access denied calling ListModelPackages ")


def test_deploy_without_the_github_cli_fails_and_says_so(monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no gh to run

    assert main(["deploy", "--ref", "release-7"]) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "$ gh workflow run deploy.yml --ref release-7",
        "the GitHub CLI (gh) is not installed: https://cli.github.com",
        "`gh workflow run deploy.yml --ref release-7` failed (exit 127)",
    ]


def test_an_approval_names_its_group_lower_cased_as_sagemaker_writes_it(write_stack) -> None:
    def capitalised(platform: dict[str, Any]) -> None:
        platform["models"][0]["name"] = "Customer-Churn"
        for endpoint in platform["endpoints"]:
            for variant in endpoint["variants"]:
                variant["model"] = {"latest_approved_of": "Customer-Churn"}

    path = write_stack("dev", capitalised, name="Pulumi.dev.yaml")
    listing = list_stacks(path.parent)
    assert listing.errors == []
    # SageMaker lower-cases the group's name in a version's ARN: dev-Customer-Churn's version 7.
    arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package/dev-customer-churn/7"
    event = {"client_payload": {"family": "Customer-Churn", "model_package_arn": arn, "source_stack": "dev"}}

    approval = approved_model(event, listing)

    # Its one stack is dev's: no later environment has stack files, so dev deploys it itself.
    assert (approval.family, approval.model_package_arn, approval.target_environment) == (
        "Customer-Churn",
        arn,
        "dev",
    )
    other = arn.replace("dev-customer-churn", "dev-customer-chum")
    with pytest.raises(DispatchError, match="group dev-customer-chum is not model family Customer-Churn's"):
        approved_model({"client_payload": event["client_payload"] | {"model_package_arn": other}}, listing)


@pytest.fixture(scope="module")
def listing() -> Any:
    found = list_stacks(FIXTURE_STACKS)
    assert found.errors == []
    return found


DEV_VERSION = "arn:aws:sagemaker:eu-west-1:111111111111:model-package/dev-customer-churn/"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"model_package_arn": DEV_VERSION + "0"}, "client_payload.model_package_arn: .* does not match"),
        ({"model_package_arn": DEV_VERSION + "07"}, "client_payload.model_package_arn: .* does not match"),
        (
            {"model_package_arn": DEV_VERSION + "12345678901"},
            "client_payload.model_package_arn: .* does not match",
        ),
        ({"family": "a" * 64}, "client_payload.family: .* does not match"),
        ({"family": "a" * 63}, "client_payload.family: 'a{63}' is not a model family of stack dev"),
    ],
    ids=["version-0", "leading-zero", "eleven-digits", "family-of-64", "family-of-63-is-well-formed"],
)
def test_an_approval_outside_sagemakers_formats_is_refused(listing, payload, message) -> None:
    # Versions count from 1 (9 digits at most, as stacks.arns reads them); a group's (family's) name is 1-63 characters.
    fields = {"family": "customer-churn", "model_package_arn": DEV_VERSION + "7", "source_stack": "dev"}
    assert approved_model({"client_payload": fields}, listing).model_package_arn == DEV_VERSION + "7"

    with pytest.raises(DispatchError, match=message):
        approved_model({"client_payload": fields | payload}, listing)


def test_the_check_reads_every_page_of_the_endpoints_schedules(cloud: Cloud) -> None:
    # ListMonitoringSchedules answers 10 a page by default: the 11th is on the second.
    for number in range(11):
        cloud.schedules.create(
            f"churn-data-quality-{number:02d}",
            endpoint="staging-customer-churn",
            monitoring_type="DataQuality",
            job_definition=f"churn-data-quality-{number:02d}",
            expression="cron(0 * ? * * *)",
            status="Scheduled" if number == 10 else "Stopped",
        )
    expected = MonitoringScheduleExpectation("staging-customer-churn", "DataQuality", "cron(0 * ? * * *)")

    [result] = check([expected], cloud.clients)

    assert result.status == "ok"
    assert result.actual.split("; ") == [*["Stopped, cron(0 * ? * * *)"] * 10, "Scheduled, cron(0 * ? * * *)"]
