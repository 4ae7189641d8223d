"""No rule reads NaN or an infinity as a number (policies/rules/_props.py ``number``).

Python's ``float()`` turns ``"nan"``, ``"inf"``, ``"-Infinity"`` (any case) into values no AWS or
Kubernetes count, size or duration takes (their APIs take integers or finite doubles; JSON spells
neither), and every comparison with NaN is false: ``initialInstanceCount: "nan"`` passed
``endpoint-config-min-instance-count`` (``nan < 2`` is false), ``"inf"`` passed it as more than enough, and
one ``"nan"`` count made ``gpu-instance-quota``'s whole total NaN, so no number of GPUs exceeded the quota
(session 71's brief). ``number`` now reads them as it reads other text that is no number: unreadable.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from policies.rules._props import number
from policies.rules.governance_prod import _too_short_wait
from tests.policies.conftest import run_policy
from tests.policies.one_resource import assert_decided, findings

CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
NON_FINITE = ["nan", "NaN", " nan ", "inf", "-inf", "Infinity", "-INFINITY", "+inf"]


@pytest.mark.parametrize("value", [*NON_FINITE, math.nan, math.inf, -math.inf])
def test_a_non_finite_value_is_no_number(value: Any) -> None:
    assert number(value) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2", 2.0), (" 3 ", 3.0), ("1e3", 1000.0), ("-0", 0.0), (4, 4.0), (2.5, 2.5), ("1.7976931348623157e308", 1.7976931348623157e308)],
    ids=["text", "blanks", "exponent", "minus-zero", "int", "float", "largest-finite"],
)  # fmt: skip
def test_a_finite_value_is_still_read(value: Any, expected: float) -> None:
    assert number(value) == expected


@pytest.mark.parametrize("value", ["1e309", "-1e309"], ids=["overflows-to-inf", "overflows-to-minus-inf"])
def test_text_that_overflows_to_an_infinity_is_no_number(value: str) -> None:
    assert number(value) is None


def _config(*counts: Any, instance_type: str = "ml.m5.large") -> dict[str, Any]:
    variants = [
        {
            "variantName": f"v{i}",
            "modelName": "m",
            "instanceType": instance_type,
            "initialInstanceCount": count,
        }
        for i, count in enumerate(counts)
    ]
    return {"productionVariants": variants, "kmsKeyArn": "arn:aws:kms:eu-west-1:111122223333:key/k"}


@pytest.mark.parametrize("count", NON_FINITE)
def test_a_non_finite_instance_count_does_not_meet_the_minimum(count: str) -> None:
    assert_decided(
        findings("endpoint-config-min-instance-count", CONFIG, _config(count)),
        f"productionVariants[0].initialInstanceCount is {count!r}: set initial_instance_count >= 2",
    )


@pytest.mark.parametrize("count", ["2", 2, "3"])
def test_a_finite_instance_count_at_the_minimum_still_passes(count: Any) -> None:
    assert_decided(findings("endpoint-config-min-instance-count", CONFIG, _config(count)), None)


def test_a_nan_gpu_count_no_longer_hides_the_others_from_the_quota() -> None:
    """The quota is 4: a ``"nan"`` variant is refused as no count (tests/policies/
    test_unreadable_gpu_counts_71.py; pack71 read it as one instance, so ``"nan"`` beside 3 passed) and
    5 more GPU instances still exceed the quota; before pack71 the total was NaN and ``nan > 4`` false."""
    resources = [
        {"type": CONFIG, "name": "gpu", "inputs": _config("nan", 5, instance_type="ml.p4d.24xlarge")}
    ]
    found = sorted(v.message for v in run_policy("gpu-instance-quota", resources))
    assert len(found) == 2 and "asks for 5 GPU instances, over maxGpuInstances=4" in found[1], found
    assert found[0].startswith("gpu.productionVariants[0].initialInstanceCount is 'nan', not a number"), found
    within = [{"type": CONFIG, "name": "gpu", "inputs": _config("nan", 3, instance_type="ml.p4d.24xlarge")}]
    assert [v.message for v in run_policy("gpu-instance-quota", within) if "asks for" in v.message] == []


def test_a_nan_target_value_is_not_a_positive_target() -> None:
    policy = {
        "policyType": "TargetTrackingScaling",
        "serviceNamespace": "sagemaker",
        "scalableDimension": "sagemaker:variant:DesiredInstanceCount",
        "resourceId": "endpoint/e/variant/v",
        "targetTrackingScalingPolicyConfiguration": {"targetValue": "nan"},
    }
    result, _ = findings("sagemaker-target-tracking-sound", "aws:appautoscaling/policy:Policy", policy)
    assert any(
        "targetTrackingScalingPolicyConfiguration.targetValue is 'nan': set a positive target" in m
        for m in result
    ), result


def test_a_nan_log_retention_is_named_as_written() -> None:
    found, _ = findings("log-group-retention", "aws:cloudwatch/logGroup:LogGroup", {"retentionInDays": "nan"})
    assert found and found[0].startswith("retentionInDays is 'nan': set retention_in_days >= "), found
    unset, _ = findings("log-group-retention", "aws:cloudwatch/logGroup:LogGroup", {})
    assert unset and unset[0].startswith("retentionInDays is unset: set retention_in_days >= "), unset


@pytest.mark.parametrize(
    ("wait", "refused"),
    [("nan", "is 'nan' on endpoint 'e': not a number of seconds"), ("inf", "is 'inf'"), ("59", "is '59'"), ("60", None), (None, None)],
    ids=["nan", "inf", "too-short", "the-minimum", "unset"],
)  # fmt: skip
def test_a_rollout_wait_that_is_no_number_is_refused(wait: Any, refused: str | None) -> None:
    """``"nan"`` failed ``seconds >= 60`` before; read as no number it must not pass as unset does."""
    message = _too_short_wait("deploymentConfig.x", wait, "endpoint 'e'")
    assert message is None if refused is None else message is not None and refused in message, message
