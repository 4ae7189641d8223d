"""What the AWS-side glue decides, not only that it calls AWS (against moto).

The other tests of these tools see the calls made; these pin the decisions a platform team relies
on in production, each of which once survived a mutation of its comparison or branch:

- promotion: a metric exactly at the bar passes (``>=`` / ``<=``, as the stack file documents),
  a JSON boolean is not a metric, and a version that cannot be judged exits 2 ("cannot judge"),
  never 1 ("rejected"), which CI would read as a verdict;
- model cards: a non-finite metric never reaches CreateModelCard's JSON, and a card over the
  content limit is refused before it is sent, leaving the version pending;
- ``promote status``: shadow variants are listed, only the first production variant of a
  monitored endpoint says what its monitors compare with, each variant reports the version it
  serves (not its endpoint's first), and a registry it cannot read is an
  error (exit 2), not "nothing approved";
- the model-approved dispatch: a model package group matches only the stack's group of the family;
- the post-deploy check: an instance-backed variant is not the serverless one planned, a pipeline
  or group in another state fails, a check that could not verify something (``skip``) does not
  turn the exit status into 1, a registry it cannot read is exit 2 (not 1), and ``--attempts 0`` is a usage error, not a traceback;
- lineage: a dataset version matches its manifest entry by content (not only size), whether or
  not the recorded URI ends in ``/``;
- the pull-request plan summary: an unknown exit status is never shown as clean, and JSON without
  a plan summary is "no verdict", not a crash.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.core import set_initial_no_auth_action_count
from moto.sagemaker.models import sagemaker_backends

from components.registry.model_family_spec import PromotionCriterion
from delivery.approved_model import DispatchError, approved_model
from delivery.checks import Clients, check
from delivery.expectations import ModelPackageGroupExpectation, PipelineExpectation, VariantExpectation
from delivery.lineage import dataset_versions
from delivery.plan_summary import main as plan_summary_main
from delivery.plan_summary import summarize
from delivery.promote import main as promote_main
from delivery.promote import promotion_status
from delivery.stacks import list_stacks
from delivery.verify import main as verify_main
from pipelines.model_card import MAX_CONTENT, data_key_alias, report_metrics
from pipelines.promotion import PromotionError, promote_model_package
from pipelines.promotion import main as promotion_main
from planner.recorder import ResourceGraph
from stacks.config import parse_platform_config
from stacks.model_packages import ModelResolutionError
from tests.aws_sessions import mocked_aws
from tests.conftest import FIXTURE_STACKS, load_stack_document, stack_path
from tests.delivery.cloud import provision
from tests.delivery.conftest import DATA_BUCKET, REGION, Cloud
from tests.delivery.test_approved_model import _event
from tests.delivery.test_promote import GROUP as STAGING_GROUP
from tests.delivery.test_promote import _register as register_in_staging
from tests.delivery.test_promote import _staging
from tests.pipelines.test_model_card import _settings
from tests.pipelines.test_promotion import BUCKET
from tests.pipelines.test_promotion import _register as register_version

DEV_GROUP = "dev-customer-churn"
"""The dev fixture's model package group (what the promotion CLI judges against)."""
CARD_GROUP = "staging-customer-churn"
"""The group of the model card tests' settings (staging's data key)."""
AUC = PromotionCriterion(metric="metrics.auc.value", threshold=0.8)
DEFAULT_ACCOUNT = "123456789012"  # moto's


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """A moto registry with the dev and staging groups, the reports' bucket and staging's data key."""
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(variable, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    # The dev fixture stack's account: the promotion CLI judges versions of the stack's account only.
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "111111111111")
    with mocked_aws(REGION):
        clients = {name: boto3.client(name, region_name=REGION) for name in ("sagemaker", "s3", "kms")}
        clients["s3"].create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        for group in (DEV_GROUP, CARD_GROUP):
            clients["sagemaker"].create_model_package_group(ModelPackageGroupName=group)
        key = clients["kms"].create_key(Description="data")["KeyMetadata"]
        clients["kms"].create_alias(AliasName=data_key_alias("staging"), TargetKeyId=key["KeyId"])
        yield clients


def _approval(registry: dict[str, Any], arn: str) -> str:
    return registry["sagemaker"].describe_model_package(ModelPackageName=arn)["ModelApprovalStatus"]


# Promotion: the gate.


@pytest.mark.parametrize(
    ("metric", "value", "criterion"),
    [
        ("auc", 0.8, AUC),
        ("rmse", 4.0, PromotionCriterion(metric="metrics.rmse.value", threshold=4, direction="minimize")),
    ],
    ids=["maximize", "minimize"],
)
def test_a_metric_exactly_at_the_bar_is_approved(registry, metric, value, criterion) -> None:
    arn = register_version(registry, {"metrics": {metric: {"value": value}}}, group=DEV_GROUP)

    result = promote_model_package(
        registry["sagemaker"],
        registry["s3"],
        group_name=DEV_GROUP,
        model_package_arn=arn,
        criterion=criterion,
    )

    assert result.approved
    assert _approval(registry, arn) == "Approved"


def test_a_boolean_metric_cannot_be_judged(registry) -> None:
    """JSON ``true`` is 1 to Python's comparisons: it would clear any bar up to 1."""
    arn = register_version(registry, {"metrics": {"auc": {"value": True}}}, group=DEV_GROUP)

    with pytest.raises(PromotionError, match="is not a number"):
        promote_model_package(
            registry["sagemaker"], registry["s3"], group_name=DEV_GROUP, model_package_arn=arn, criterion=AUC
        )
    assert _approval(registry, arn) == "PendingManualApproval"


def test_the_cli_exits_2_not_1_when_a_version_cannot_be_judged(registry, capsys) -> None:
    arn = register_version(registry, {"metrics": {"accuracy": {"value": 0.99}}}, group=DEV_GROUP)

    code = promotion_main(
        ["--stack-file", str(stack_path("dev")), "--model", "customer-churn", "--package-arn", arn]
    )

    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert (
        captured.err.startswith("promotion failed: ") and "has no metric 'metrics.auc.value'" in captured.err
    )
    assert _approval(registry, arn) == "PendingManualApproval"


# Model cards.


def test_non_finite_metrics_are_left_out_of_the_card() -> None:
    """json reads NaN and Infinity; CreateModelCard's Content must be standard JSON."""
    report = {
        "metrics": {
            "auc": {"value": 0.91},
            "loss": {"value": math.nan},
            "lift": {"value": math.inf},
            "drift": {"value": -math.inf},
        }
    }

    assert report_metrics(report, "s3://b/r.json") == [{"name": "auc", "type": "number", "value": 0.91}]


def test_a_card_over_the_content_limit_is_refused_and_the_version_stays_pending(registry) -> None:
    metrics = {f"segment-{index:05d}-{'x' * 40}": {"value": 0.9} for index in range(2_000)}
    report = {"metrics": {"auc": {"value": 0.91}, **metrics}}
    assert len(json.dumps(report)) > MAX_CONTENT
    arn = register_version(registry, report, group=CARD_GROUP)

    with pytest.raises(PromotionError, match=f"AWS allows {MAX_CONTENT}"):
        promote_model_package(
            registry["sagemaker"], registry["s3"], group_name=CARD_GROUP, model_package_arn=arn,
            criterion=AUC, card=_settings(), kms=registry["kms"],
        )  # fmt: skip
    assert _approval(registry, arn) == "PendingManualApproval"
    assert registry["sagemaker"].list_model_cards()["ModelCardSummaries"] == []


# promote status.


def _staging_with_more_variants():
    """The staging stack (monitored, data capture on) with a second production and a shadow variant."""
    platform = load_stack_document("staging")["config"]["mlops-platform:platform"]
    [endpoint] = platform["endpoints"]
    variant = {
        "model": {"latest_approved_of": "customer-churn"},
        "instance_type": "ml.g5.xlarge",
        "model_download_timeout_seconds": 600,
        "container_startup_health_check_timeout_seconds": 600,
    }
    endpoint["variants"].append({"name": "canary", **variant})
    endpoint["shadow_variants"] = [{"name": "challenger", **variant}]
    config = parse_platform_config(platform, "staging")
    assert config.monitoring.enabled and config.endpoints[0].data_capture.enabled
    return config


def test_status_lists_shadow_variants_and_monitors_only_the_first_production_variant(cloud: Cloud) -> None:
    cloud.clients.sagemaker.create_model_package_group(ModelPackageGroupName=STAGING_GROUP)
    approved = register_in_staging(cloud, "Approved")

    statuses = promotion_status(_staging_with_more_variants(), cloud.clients.sagemaker)

    assert [(s.variant, s.latest_approved) for s in statuses] == [
        ("primary", approved),
        ("canary", approved),
        ("challenger", approved),
    ]
    assert statuses[0].monitored_against is not None
    assert [s.monitored_against for s in statuses[1:]] == [None, None]


def test_each_variant_reports_the_version_it_serves(cloud: Cloud) -> None:
    sagemaker = cloud.clients.sagemaker
    sagemaker.create_model_package_group(ModelPackageGroupName=STAGING_GROUP)
    older, newer = register_in_staging(cloud, "Approved"), register_in_staging(cloud, "Approved")
    for name, package in (("primary-model", older), ("canary-model", newer)):
        sagemaker.create_model(
            ModelName=name,
            ExecutionRoleArn="arn:aws:iam::123456789012:role/inference",
            PrimaryContainer={"ModelPackageName": package},
        )
    sagemaker.create_endpoint_config(
        EndpointConfigName="churn-config",
        ProductionVariants=[
            {"VariantName": variant, "ModelName": f"{variant}-model", "InstanceType": "ml.g5.xlarge",
             "InitialInstanceCount": 1}
            for variant in ("primary", "canary")
        ],
    )  # fmt: skip
    sagemaker.create_endpoint(EndpointName=STAGING_GROUP, EndpointConfigName="churn-config")

    statuses = promotion_status(_staging_with_more_variants(), sagemaker)

    assert [(s.variant, s.deployed, s.action) for s in statuses] == [
        ("primary", older, f"pulumi up deploys {newer}"),
        ("canary", newer, "up to date"),
        ("challenger", None, f"pulumi up deploys {newer}"),
    ]


def _denied_list_model_packages() -> Any:
    """A SageMaker client whose user may do everything but ListModelPackages (moto's IAM; three
    requests to set it up, which the test's ``set_initial_no_auth_action_count(3)`` lets through)."""
    iam = boto3.client("iam", region_name=REGION)
    iam.create_user(UserName="reader")
    iam.put_user_policy(
        UserName="reader",
        PolicyName="no-list",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"},
                    {"Effect": "Deny", "Action": "sagemaker:ListModelPackages", "Resource": "*"},
                ],
            }
        ),
    )
    key = iam.create_access_key(UserName="reader")["AccessKey"]
    return boto3.client(
        "sagemaker",
        region_name=REGION,
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
    )


@set_initial_no_auth_action_count(3)
def test_a_registry_that_cannot_be_read_is_an_error_not_nothing_approved(capsys) -> None:
    """Only a missing group or no Approved version is "nothing to deploy": a denied
    ListModelPackages must not tell the operator that the next `pulumi up` deploys nothing."""
    with mocked_aws(REGION):
        sagemaker = _denied_list_model_packages()
        sagemaker.create_model_package_group(ModelPackageGroupName=STAGING_GROUP)

        with pytest.raises(ModelResolutionError, match=f"cannot read model package group {STAGING_GROUP}"):
            promotion_status(_staging(), sagemaker)
        code = promote_main(["status", "--stack-file", str(stack_path("staging"))], sagemaker=sagemaker)

    captured = capsys.readouterr()
    assert code == 2
    assert "nothing to deploy" not in captured.out + captured.err
    assert "ListModelPackages" in captured.err


# The model-approved dispatch.


def test_a_group_matches_a_family_only_as_the_stacks_group_of_it() -> None:
    listing = list_stacks(FIXTURE_STACKS)
    # A family name that a group merely ends with is not one of the stack's families.
    event = _event("dev", family="churn")
    with pytest.raises(DispatchError, match="'churn' is not a model family of stack dev"):
        approved_model(event, listing)
    event = _event("dev")
    event["client_payload"]["model_package_arn"] = (
        "arn:aws:sagemaker:eu-west-1:111111111111:model-package/dev-customerchurn/7"
    )
    with pytest.raises(DispatchError, match="is not model family customer-churn's"):
        approved_model(event, listing)
    # Names compare ignoring case, as SageMaker lower-cases a group's name in a version's ARN.
    event["client_payload"]["model_package_arn"] = (
        "arn:aws:sagemaker:eu-west-1:111111111111:model-package/DEV-Customer-Churn/7"
    )
    assert approved_model(event, listing).family == "customer-churn"
    [dev] = [target for target in listing.targets if target.stack == "dev"]
    assert dev.model_package_group("customer-churn") == "dev-customer-churn"
    assert dev.model_package_group("churn") is None


# The post-deploy check.


def test_an_instance_backed_variant_is_not_the_serverless_one_planned(cloud: Cloud, stack_graphs) -> None:
    provision(stack_graphs["prod"], cloud.clients, cloud.schedules)

    [result] = check(
        [VariantExpectation("prod-customer-churn", "primary", instance_count=None)], cloud.clients
    )

    assert (result.status, result.actual) == ("FAIL", "instance-backed")


def test_a_pipeline_or_group_in_another_state_fails(cloud: Cloud, stack_graphs) -> None:
    provision(stack_graphs["prod"], cloud.clients, cloud.schedules)
    backend = sagemaker_backends[DEFAULT_ACCOUNT][REGION]
    [pipeline, *_] = backend.pipelines.values()
    [group] = backend.model_package_groups.values()
    pipeline.pipeline_status = "Deleting"
    group.model_package_group_status = "Failed"

    results = check(
        [
            PipelineExpectation(pipeline.pipeline_name),
            ModelPackageGroupExpectation(group.model_package_group_name),
        ],
        cloud.clients,
    )

    assert [(r.check, r.actual, r.status) for r in results] == [
        ("pipeline", "Deleting", "FAIL"),
        ("model package group", "Failed", "FAIL"),
    ]


def test_the_cli_exits_0_when_what_it_skips_is_all_that_is_not_ok(
    prod_first_deploy: ResourceGraph, cloud: Cloud, capsys
) -> None:
    """A first deploy: the deferred endpoint is ``skip``, not a failure of the deploy."""
    provision(prod_first_deploy, cloud.clients, cloud.schedules)

    code = verify_main(["--stack-file", str(stack_path("prod"))], clients=cloud.clients)

    out = capsys.readouterr().out
    assert code == 0, out
    assert " 0 failed, " in out.splitlines()[-1] and "not verifiable" in out.splitlines()[-1]


def test_the_cli_refuses_zero_attempts(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        verify_main(["--stack-file", str(stack_path("prod")), "--attempts", "0"])

    assert exit_.value.code == 2
    assert "--attempts must be at least 1" in capsys.readouterr().err


@set_initial_no_auth_action_count(3)
def test_the_cli_exits_2_when_the_registry_cannot_be_read(cloud: Cloud, capsys) -> None:
    """verify resolves the versions `pulumi up` deployed: not knowing them is "cannot run" (2),
    not a mismatch (1)."""
    sagemaker = _denied_list_model_packages()
    clients = Clients(sagemaker, cloud.clients.autoscaling, cloud.clients.s3)

    code = verify_main(["--stack-file", str(stack_path("prod"))], clients=clients)

    captured = capsys.readouterr()
    assert code == 2, captured.out + captured.err
    assert captured.out == ""
    assert "ListModelPackages" in captured.err


# Lineage.

PREFIX = "training-data/customer-churn"


def _manifest(*entries: tuple[str, bytes]) -> bytes:
    return json.dumps(
        {
            "objects": [
                {"key": key, "size": len(body), "sha256": hashlib.sha256(body).hexdigest()}
                for key, body in entries
            ]
        }
    ).encode()


def _put(s3: Any, key: str, body: bytes) -> str:
    return s3.put_object(Bucket=DATA_BUCKET, Key=f"{PREFIX}/{key}", Body=body)["VersionId"]


@pytest.mark.parametrize("uri", [f"s3://{DATA_BUCKET}/{PREFIX}/", f"s3://{DATA_BUCKET}/{PREFIX}"])
def test_a_version_of_the_same_size_but_other_content_is_not_the_one(datasets, uri) -> None:
    trained_on = b"customer_id,churned\n1,0\n"
    trained = _put(datasets, "extract.csv", trained_on)
    _put(datasets, "extract.csv", b"customer_id,churned\n1,1\n")  # same size, other content: current

    assert dataset_versions(datasets, uri, _manifest(("extract.csv", trained_on))) == {"extract.csv": trained}


# The pull request's plan summary.


@pytest.mark.parametrize("status", [4, 124, 137, -9])
def test_an_unknown_exit_status_is_never_shown_clean(stack_graphs, status) -> None:
    from tests.delivery.test_plan_summary import _plan_json

    markdown = summarize("prod", _plan_json(stack_graphs["prod"]), "", status)

    assert markdown.startswith(f"### Offline plan `prod`: ❌ plan failed (exit {status})")
    assert "✅" not in markdown


def test_json_without_a_plan_summary_is_no_verdict(tmp_path, capsys) -> None:
    """bin/plan's stdout can be JSON without being a plan (an error object)."""
    document = tmp_path / "plan-prod.json"
    document.write_text(json.dumps({"error": "the planner crashed"}))

    code = plan_summary_main(["--stack", "prod", "--json", str(document), "--status", "0"])

    assert code == 0
    out = capsys.readouterr().out
    assert out.startswith("### Offline plan `prod`: ❌ no verdict: no readable plan JSON (exit 0)")
