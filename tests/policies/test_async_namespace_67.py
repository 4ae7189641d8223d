"""endpoint-autoscaling-configured judges an async endpoint's customized tracking metric by
SageMaker's names only in SageMaker's namespace: an application's own metric that happens to be
named Invocations (a queue depth it publishes itself, say) tracks what the team publishes."""

from __future__ import annotations

import pytest

RULE = "endpoint-autoscaling-configured"


@pytest.mark.parametrize(
    ("namespace", "refused"),
    [
        pytest.param("AWS/SageMaker", True, id="sagemakers-invocations-unpublished-for-async"),
        pytest.param("Shop", False, id="an-applications-metric-of-that-name"),
    ],
)
def test_only_sagemakers_metric_names_are_judged(namespace: str, refused: bool) -> None:
    from policies.local import evaluate_report
    from policies.registry import get_policy
    from tests.components.test_async_metrics_67 import ASYNC_CONFIG
    from tests.policies.conftest import build
    from tests.policies.test_policy_false_positive_audit import _serving

    metric = {
        "metricName": "Invocations",
        "namespace": namespace,
        "statistic": "Sum",
        "dimensions": [{"name": "EndpointName", "value": "churn"}],
    }
    tracking = {"targetValue": 5, "customizedMetricSpecification": metric}
    specs = _serving(config=ASYNC_CONFIG, scaling={"targetTrackingScalingPolicyConfiguration": tracking})
    report = evaluate_report(
        build(specs), {RULE: {"enforcementLevel": "mandatory", "minCapacity": 2}}, [get_policy(RULE)]
    )
    found = [v.message for v in report.violations if "does not publish" in v.message]
    assert bool(found) is refused, [v.message for v in report.violations]
