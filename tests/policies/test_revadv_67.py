"""A second read of the adversary's policy-pack commits (session 67): what it left open or misread.

- The after-create shape (``engine_shapes.as_outputs``) reads a trail's unset ``enableLogging`` and
  ``includeGlobalServiceEvents`` back as pulumi-aws's schema defaults, true, not SDKv2's zero value:
  a trail that never set them is logging, not "stopped".
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies import engine_shapes
from tests.policies.conftest import build
from tests.policies.one_resource import assert_decided, findings

TRAIL = "aws:cloudtrail/trail:Trail"
TRAIL_INPUTS = {
    "s3BucketName": "b",
    "kmsKeyId": "k",
    "enableLogFileValidation": True,
    "isMultiRegionTrail": True,
}


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
