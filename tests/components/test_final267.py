"""Session 67's last read (final267): a GPU saturation threshold no value can satisfy names what to
change instead of a threshold above 100; an async endpoint's backlog tracking without EndpointName
reads no data; a rollback alarm on the application's metric of an async metric's name is
not SageMaker's."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_ARRAY_VALUE

from components.kubernetes.kubernetes_serving_spec import KubernetesServingSpec
from tests.components.test_kubernetes_semantics_67 import SPEC


@pytest.mark.parametrize(
    ("target", "message"),
    [
        # 1.1 x 85 = 93.5: the smallest threshold taken is 94, one the key can hold.
        (85, r"\(85\), i\.e\. 94:"),
        # 1.1 x 91 = 100.1: no gpu_saturation_percent (at most 100) clears the HPA's tolerance.
        (
            91,
            r"\(91\), 101, above the 100 it can take: set target_gpu_utilization to 90 or less, or "
            r"alerts\.enabled to false:",
        ),
    ],
    ids=["reachable", "unreachable"],
)
def test_the_saturation_message_names_a_threshold_the_key_can_take(target: int, message: str) -> None:
    gpu = {**SPEC, "target_gpu_utilization": target, "alerts": {"gpu_saturation_percent": 93}}
    with pytest.raises(ValueError) as error:
        KubernetesServingSpec.model_validate(gpu)
    [problem] = error.value.errors()  # type: ignore[attr-defined]
    assert problem["loc"] == ("alerts", "gpu_saturation_percent")
    assert re.search(message, problem["msg"]), problem["msg"]
    # The smallest value taken is accepted, for a target at which one exists.
    if target <= 90:
        KubernetesServingSpec.model_validate(
            {**gpu, "alerts": {"gpu_saturation_percent": (target * 11 + 9) // 10}}
        )


@pytest.mark.parametrize(
    ("dimensions", "violated"),
    [
        # SageMaker publishes the backlog with EndpointName: a query with no dimension matches no data.
        pytest.param([], True, id="backlog-without-dimensions-matches-no-data"),
        # Not known at preview: not refused on what the rule cannot see.
        pytest.param(UNKNOWN_ARRAY_VALUE, False, id="dimensions-unknown-at-preview"),
    ],
)
def test_an_async_endpoints_backlog_tracking_names_its_endpoint(dimensions: Any, violated: bool) -> None:
    from policies.local import evaluate_report
    from policies.registry import get_policy
    from tests.components.test_async_metrics_67 import ASYNC_CONFIG
    from tests.components.test_revasync_67 import BACKLOG
    from tests.policies.conftest import build
    from tests.policies.test_policy_false_positive_audit import _serving

    rule = "endpoint-autoscaling-configured"
    tracking = {"targetValue": 5, "customizedMetricSpecification": {**BACKLOG, "dimensions": dimensions}}
    specs = _serving(config=ASYNC_CONFIG, scaling={"targetTrackingScalingPolicyConfiguration": tracking})
    report = evaluate_report(
        build(specs), {rule: {"enforcementLevel": "mandatory", "minCapacity": 2}}, [get_policy(rule)]
    )
    found = [v.message for v in report.violations]
    if violated:
        assert len(found) == 1 and "other than EndpointName alone, none or such as VariantName" in found[0], (
            found
        )
    else:
        assert found == []


@pytest.mark.parametrize(
    ("namespace", "fragment"),
    [
        pytest.param(
            "AWS/SageMaker", "which only an async endpoint publishes", id="sagemakers-own-never-fires"
        ),
        # The application's own metric of that name (extraBadWhenHighMetrics) is its to publish.
        pytest.param("Shop", None, id="an-applications-metric-of-that-name"),
    ],
)
def test_only_sagemakers_async_metrics_are_async_only(namespace: str, fragment: str | None) -> None:
    from tests.policies.test_policy_false_positive_audit import _messages, _rollback_stack

    alarm = {
        "name": "churn-5xx-rate",
        "namespace": namespace,
        "metricName": "InvocationFailures",
        "dimensions": {"EndpointName": "churn"},
        "statistic": "Sum",
        "period": 60,
        "evaluationPeriods": 3,
        "threshold": 1,
        "comparisonOperator": "GreaterThanThreshold",
    }
    config = {"rollback-alarms-can-fire": {"extraBadWhenHighMetrics": ["Shop:InvocationFailures"]}}
    found = _messages("rollback-alarms-can-fire", _rollback_stack(alarm), config)
    if fragment is None:
        assert found == []
    else:
        assert len(found) == 1 and fragment in found[0], found
