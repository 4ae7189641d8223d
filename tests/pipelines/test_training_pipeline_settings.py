"""Settings validation: every invalid value is refused with a message that says how to fix it."""

from __future__ import annotations

from typing import Any

import pytest

from components.training.definition import build_definition
from tests.pipelines.churn_fixtures import ACCOUNT, SCRIPT_URIS, make_settings

INVALID = {
    "spot-without-max-wait": (
        {"use_spot_instances": True},
        "use_spot_instances needs max_wait_seconds",
    ),
    "max-wait-not-above-max-run": (
        {"use_spot_instances": True, "max_run_seconds": 3600, "max_wait_seconds": 3600},
        "max_wait_seconds (3600) must be greater than max_run_seconds (3600)",
    ),
    "max-wait-without-spot": (
        {"max_wait_seconds": 7200},
        "max_wait_seconds only applies with use_spot_instances",
    ),
    "missing-script-uri": (
        {"script_uris": {k: v for k, v in SCRIPT_URIS.items() if k != "train"}},
        "script_uris is missing 'train'; it needs preprocess, train, evaluate",
    ),
    "unknown-script-key": (
        {"script_uris": {**SCRIPT_URIS, "inference": "s3://b/inference.py"}},
        "script_uris has unknown key(s) 'inference'",
    ),
    "script-not-a-python-object": (
        {"script_uris": {**SCRIPT_URIS, "evaluate": "s3://bucket/code/"}},
        "script_uris['evaluate'] 's3://bucket/code/' must be the s3:// URI of a .py object",
    ),
    "train-script-not-importable": (
        {"script_uris": {**SCRIPT_URIS, "train": "s3://bucket/code/train-v2.py"}},
        "script_uris['train'] must end in an importable module name such as train.py",
    ),
    "empty-subnets": (
        {"subnet_ids": ()},
        "subnet_ids is empty: jobs must run in the platform's private subnets",
    ),
    "subnets-as-a-string": (
        {"subnet_ids": "subnet-0a1b2c3d"},
        "subnet_ids must be a sequence of ids, not 'subnet-0a1b2c3d'",
    ),
    "not-a-security-group": (
        {"security_group_ids": ["vpc-123"]},
        "security_group_ids ['vpc-123'] are not security group ids (sg-...)",
    ),
    "unknown-approval-status": (
        {"approval_status": "approved"},
        "approval_status 'approved' must be one of Approved, PendingManualApproval",
    ),
    "metric-not-in-the-report": (
        {"metric_path": "metrics.rmse.value"},
        "metric_path 'metrics.rmse.value' is not in the evaluation report; use one of metrics.auc.value",
    ),
    "threshold-not-a-number": (
        {"metric_threshold": float("nan")},
        "metric_threshold nan must be a finite number",
    ),
    "bucket-given-as-uri": (
        {"artifact_bucket": "s3://artifacts"},
        "artifact_bucket 's3://artifacts' must be a bucket name, not a URI",
    ),
    "kms-key-in-another-region": (
        {"kms_key_arn": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/abc"},
        "kms_key_arn is in region 'us-east-1', but the jobs run in 'eu-west-1'",
    ),
    "kms-alias-instead-of-key": (
        {"kms_key_arn": "alias/platform"},
        "kms_key_arn 'alias/platform' must be a KMS key ARN",
    ),
    "role-name-instead-of-arn": (
        {"role_arn": "training-role"},
        "role_arn 'training-role' must be an IAM role ARN",
    ),
    "input-not-in-s3": (
        {"input_data_uri": "/data/churn"},
        "input_data_uri '/data/churn' must be an s3:// URI",
    ),
    "instance-type-without-ml-prefix": (
        {"training_instance_type": "g5.xlarge"},
        "training_instance_type 'g5.xlarge' must be a SageMaker instance type such as 'ml.g5.xlarge'",
    ),
    "baseline-instance-type-without-ml-prefix": (
        {"baseline_instance_type": "m5.xlarge"},
        "baseline_instance_type 'm5.xlarge' must be a SageMaker instance type such as 'ml.m5.xlarge'",
    ),
    "no-training-instances": (
        {"training_instance_count": 0},
        "training_instance_count 0 must be an integer >= 1",
    ),
    "pipeline-name-with-underscores": (
        {"pipeline_name": "customer_churn"},
        "pipeline_name 'customer_churn': use letters, digits and hyphens",
    ),
}


@pytest.mark.parametrize(("overrides", "message"), INVALID.values(), ids=INVALID.keys())
def test_invalid_settings_are_refused_with_a_clear_message(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match="invalid training pipeline settings") as raised:
        make_settings(**overrides)

    assert message in str(raised.value)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ValueError) as raised:
        make_settings(subnet_ids=(), approval_status="Auto", use_spot_instances=True)

    assert str(raised.value).count("\n- ") == 3


def test_pulumi_outputs_resolve_to_lists_and_dicts_which_are_accepted_and_frozen() -> None:
    settings = make_settings(subnet_ids=["subnet-0a1b2c3d"], security_group_ids=["sg-0123abcd"])

    assert settings.subnet_ids == ("subnet-0a1b2c3d",)
    assert settings.security_group_ids == ("sg-0123abcd",)
    with pytest.raises(TypeError):
        settings.script_uris["train"] = "s3://elsewhere/train.py"  # type: ignore[index]


def test_gpu_and_spot_settings_are_accepted() -> None:
    settings = make_settings(
        training_instance_type="ml.g5.xlarge", use_spot_instances=True, max_wait_seconds=7200
    )

    assert settings.training_instance_type == "ml.g5.xlarge"


def test_an_unknown_framework_version_is_named_in_the_error() -> None:
    with pytest.raises(ValueError, match=r"framework sklearn 9\.9: Unsupported sklearn version"):
        build_definition(make_settings(framework_version="9.9"))
