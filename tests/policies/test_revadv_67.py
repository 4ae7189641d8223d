"""A second read of the adversary's policy-pack commits (session 67): what it left open or misread.

- ``kms:ViaService`` names a service only when the pattern's first label (the service) is fixed:
  ``s*.amazonaws.com`` is S3, SageMaker, Secrets Manager, SSM, SQS, SNS... as open as ``*.amazonaws.com``.
- The GPU quota's EC2 capacity counts EC2's own GPU families (g5g, gr6, g6f...: no ``ml.`` type of
  them exists, so the SageMaker list lacked them): a node group of 5 Graviton T4G nodes passed a quota of 4.
- The after-create shape (``engine_shapes.as_outputs``) reads a trail's unset ``enableLogging`` and
  ``includeGlobalServiceEvents`` back as pulumi-aws's schema defaults, true, not SDKv2's zero value:
  a trail that never set them is logging, not "stopped".
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.policies import engine_shapes
from tests.policies.conftest import build, run_policy
from tests.policies.one_resource import assert_decided, findings
from tests.policies.test_adversary_67 import _gpu_fleet

TRAIL = "aws:cloudtrail/trail:Trail"
TRAIL_INPUTS = {
    "s3BucketName": "b",
    "kmsKeyId": "k",
    "enableLogFileValidation": True,
    "isMultiRegionTrail": True,
}


@pytest.mark.parametrize(
    ("via", "scoped"),
    [
        pytest.param("s*.amazonaws.com", False, id="services-starting-with-s"),
        pytest.param("s?.eu-west-1.amazonaws.com", False, id="two-letter-s-services"),
        pytest.param("s3*", False, id="no-dot"),
        pytest.param(["s3.*.amazonaws.com", "sagemaker.eu-west-1.amazonaws.com"], True, id="named-services"),
    ],
)
def test_a_via_service_pattern_with_a_wildcard_service_scopes_nothing(via: Any, scoped: bool) -> None:
    statement = {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*", "Condition": {"StringLike": {"kms:ViaService": via}}}  # fmt: skip
    policy = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    result = findings("iam-no-unscoped-sensitive-actions", "aws:iam/policy:Policy", {"policy": policy})
    assert_decided(result, None if scoped else "kms:Decrypt (reads data or secrets) on every resource")


@pytest.mark.parametrize(
    ("logging", "fragment"),
    [pytest.param({}, None, id="unset-is-logging"), pytest.param({"enableLogging": False}, "enableLogging is false", id="stopped")],
)  # fmt: skip
def test_a_trail_that_never_set_enable_logging_is_logging_after_create(logging: dict[str, Any], fragment: str | None) -> None:  # fmt: skip
    assert_decided(
        findings("cloudtrail-multi-region", TRAIL, {**TRAIL_INPUTS, **logging}, outputs=True), fragment
    )
    (record,) = engine_shapes.as_outputs(build([{"type": TRAIL, "name": "t", "inputs": TRAIL_INPUTS}]))
    assert record.inputs["includeGlobalServiceEvents"] is True


@pytest.mark.parametrize(
    ("instance_type", "over"),
    [
        pytest.param("g5g.xlarge", True, id="graviton-t4g"),
        pytest.param("gr6.4xlarge", True, id="l4-memory"),
        pytest.param("g6f.large", True, id="fractional-l4"),
        pytest.param("vt1.3xlarge", False, id="video-transcoder-is-no-gpu"),
    ],
)
def test_ec2_only_gpu_families_count_against_the_quota(instance_type: str, over: bool) -> None:
    found = run_policy("gpu-instance-quota", _gpu_fleet("node-group", instance_type, 5))
    assert [
        v.message for v in found if "over maxGpuInstances=4" in v.message and instance_type in v.message
    ] == ([found[0].message] if over else []), found
    assert len(found) == int(over)
