"""Adversarial review, second round: resources shaped to slip past a rule while breaking its
control (evasions), and compliant resources in a shape a rule did not expect (false refusals).

Each case names what it proves; the compliant twin of each evasion passes, so a fix does not
over-reach.
"""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.local import evaluate_report
from policies.registry import get_policy

ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
NATIVE_ENDPOINT_CONFIG = "aws-native:sagemaker:EndpointConfig"


def _gpu_variant(**extra: Any) -> dict[str, Any]:
    return {"variantName": "primary", "instanceType": "ml.g5.xlarge", "initialInstanceCount": 1, **extra}


# --- gpu-instance-quota: a variant's managed instance scaling ceiling is what it can run ---------


@pytest.mark.parametrize(
    ("resource_type", "scaling", "violated"),
    [
        pytest.param(
            ENDPOINT_CONFIG,
            {"status": "ENABLED", "minInstanceCount": 1, "maxInstanceCount": 10},
            True,
            id="managed-scaling-to-ten-gpus-is-over-quota",
        ),
        pytest.param(
            NATIVE_ENDPOINT_CONFIG,
            {"status": "ENABLED", "minInstanceCount": 1, "maxInstanceCount": 10},
            True,
            id="native-managed-scaling-to-ten-gpus-is-over-quota",
        ),
        pytest.param(
            ENDPOINT_CONFIG,
            {"status": "DISABLED", "minInstanceCount": 1, "maxInstanceCount": 10},
            False,
            id="disabled-managed-scaling-counts-the-initial-instance",
        ),
        pytest.param(
            ENDPOINT_CONFIG,
            {"status": "ENABLED", "minInstanceCount": 1, "maxInstanceCount": 3},
            False,
            id="managed-scaling-within-quota-passes",
        ),
    ],
)
def test_gpu_quota_counts_managed_instance_scaling_ceiling(
    check_resource, resource_type, scaling, violated
) -> None:
    violations = check_resource(
        "gpu-instance-quota",
        resource_type,
        {"productionVariants": [_gpu_variant(managedInstanceScaling=scaling)]},
    )
    assert bool(violations) is violated, [v.message for v in violations]
    if violated:
        assert "x10" in violations[0].message


def test_gpu_quota_unknown_managed_ceiling_is_undecided(records) -> None:
    variant = _gpu_variant(
        managedInstanceScaling={"status": "ENABLED", "maxInstanceCount": UNKNOWN_STRING_VALUE}
    )
    specs = [{"type": ENDPOINT_CONFIG, "name": "subject", "inputs": {"productionVariants": [variant]}}]
    report = evaluate_report(records(specs), None, [get_policy("gpu-instance-quota")])
    assert report.violations == []
    assert [u.policy_name for u in report.undecided] == ["gpu-instance-quota"]


# --- cloudtrail-multi-region: a stopped trail records no region --------------------------------

TRAIL = "aws:cloudtrail/trail:Trail"
NATIVE_TRAIL = "aws-native:cloudtrail:Trail"
TRAIL_OK = {"s3BucketName": "audit", "isMultiRegionTrail": True, "enableLogFileValidation": True}


@pytest.mark.parametrize(
    ("resource_type", "inputs", "fragment"),
    [
        pytest.param(
            TRAIL, {**TRAIL_OK, "enableLogging": False}, "enableLogging", id="stopped-trail-refused"
        ),
        pytest.param(
            NATIVE_TRAIL, {**TRAIL_OK, "isLogging": False}, "isLogging", id="stopped-native-trail-refused"
        ),
        pytest.param(TRAIL, TRAIL_OK, None, id="trail-logging-by-default-passes"),
        pytest.param(NATIVE_TRAIL, {**TRAIL_OK, "isLogging": True}, None, id="native-trail-logging-passes"),
    ],
)
def test_cloudtrail_multi_region_trail_must_be_logging(
    check_resource, outcome, resource_type, inputs, fragment
) -> None:
    outcome(
        check_resource("cloudtrail-multi-region", resource_type, inputs), "cloudtrail-multi-region", fragment
    )
