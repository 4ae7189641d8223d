"""CloudTrail rules: log-file validation, KMS encryption and multi-region recording, on both trail types."""

from __future__ import annotations

from typing import Any

import pytest

TRAIL = "aws:cloudtrail/trail:Trail"
NATIVE_TRAIL = "aws-native:cloudtrail:Trail"
KEY = "arn:aws:kms:eu-west-1:111122223333:key/abcd"
COMPLIANT: dict[str, Any] = {
    "name": "audit",
    "s3BucketName": "audit-logs",
    "enableLogFileValidation": True,
    "kmsKeyId": KEY,
    "isMultiRegionTrail": True,
}


def _without(key: str) -> dict[str, Any]:
    return {name: value for name, value in COMPLIANT.items() if name != key}


CASES = [
    pytest.param("cloudtrail-log-file-validation", COMPLIANT, None, id="validation-on-passes"),
    pytest.param(
        "cloudtrail-log-file-validation",
        {**COMPLIANT, "enableLogFileValidation": False},
        "enableLogFileValidation",
        id="validation-off-violates",
    ),
    pytest.param(
        "cloudtrail-log-file-validation",
        _without("enableLogFileValidation"),
        "enable_log_file_validation=True",
        id="validation-unset-violates-its-default-is-off",
    ),
    pytest.param("cloudtrail-kms-encrypted", COMPLIANT, None, id="customer-key-passes"),
    pytest.param("cloudtrail-kms-encrypted", _without("kmsKeyId"), "kms_key_id", id="no-key-violates"),
    pytest.param(
        "cloudtrail-kms-encrypted", {**COMPLIANT, "kmsKeyId": ""}, "kmsKeyId", id="empty-key-violates"
    ),
    pytest.param("cloudtrail-multi-region", COMPLIANT, None, id="multi-region-passes"),
    pytest.param(
        "cloudtrail-multi-region",
        {**COMPLIANT, "isMultiRegionTrail": False},
        "is_multi_region_trail=True",
        id="single-region-violates",
    ),
    pytest.param(
        "cloudtrail-multi-region",
        _without("isMultiRegionTrail"),
        "isMultiRegionTrail",
        id="region-unset-violates-its-default-is-single",
    ),
]


@pytest.mark.parametrize(("policy", "inputs", "fragment"), CASES)
@pytest.mark.parametrize("trail_type", [TRAIL, NATIVE_TRAIL])
def test_cloudtrail_rules(check_resource, outcome, trail_type: str, policy: str, inputs, fragment) -> None:
    outcome(check_resource(policy, trail_type, inputs), policy, fragment)


@pytest.mark.parametrize(
    "policy", ["cloudtrail-log-file-validation", "cloudtrail-kms-encrypted", "cloudtrail-multi-region"]
)
def test_cloudtrail_rules_ignore_other_types(check_resource, outcome, policy: str) -> None:
    outcome(check_resource(policy, "aws:s3/bucket:Bucket", {"bucket": "audit-logs"}), policy, None)


def test_the_platform_trail_passes_every_cloudtrail_rule(stack_graphs) -> None:
    from planner.policy_check import evaluate_policies

    for stack, graph in stack_graphs.items():
        assert graph.of_type(TRAIL), f"the {stack} fixture stack has no trail"
        violations, _ = evaluate_policies(graph)
        assert [v for v in violations if v.policy_name.startswith("cloudtrail-")] == [], stack
