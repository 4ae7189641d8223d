"""A second read of the async and serverless metric commits against AWS's pages: every metric the
platform reads for an endpoint is queried with exactly the dimensions SageMaker publishes it with
(the async queue metrics with EndpointName only: a VariantName too matches no data), the policy
pack's copies of the async lists are the table's, and a rollback alarm of a real-time endpoint on a
metric only an async endpoint publishes is refused (it never fires)."""

from __future__ import annotations

import pytest

from components.serving.endpoint_metrics import PREDEFINED_METRICS, PUBLISHED, publishes
from policies.rules import _alarm_metrics, governance_prod


def test_the_pack_s_async_lists_are_the_table_s() -> None:
    # The pack imports nothing from components/: its copies must follow the table.
    unpublished = PUBLISHED["real-time"] - PUBLISHED["async"]
    assert set(_alarm_metrics.ASYNC_UNPUBLISHED) == unpublished
    assert set(governance_prod.ASYNC_UNPUBLISHED) == unpublished
    assert set(governance_prod._ASYNC_UNPUBLISHED_PREDEFINED) == {
        p for p in PREDEFINED_METRICS if not publishes("async", p)
    }
    assert (
        set(_alarm_metrics.ASYNC_ONLY)
        == PUBLISHED["async"] - PUBLISHED["real-time"] - PUBLISHED["serverless"]
    )


@pytest.mark.parametrize(
    ("asynchronous", "traffic", "errors", "fragment"),
    [
        pytest.param(False, "InvocationsProcessed", "Invocation5XXErrors", "reads InvocationsProcessed, which only an async endpoint publishes", id="real-time-ratio-over-processed-never-fires"),
        pytest.param(False, "Invocations", "InvocationFailures", "reads InvocationFailures, which only an async endpoint publishes", id="real-time-async-failures-never-fire"),
        pytest.param(True, "InvocationsProcessed", "InvocationFailures", None, id="async-failure-ratio-over-processed"),
    ],
)  # fmt: skip
def test_a_rollback_alarm_of_a_real_time_endpoint_reads_no_async_only_metric(
    asynchronous: bool, traffic: str, errors: str, fragment: str | None
) -> None:
    from tests.components.test_async_metrics_67 import ASYNC_CONFIG
    from tests.policies.test_policy_false_positive_audit import (
        _messages,
        _query,
        _ratio_alarm,
        _rollback_stack,
    )

    stack = _rollback_stack(_ratio_alarm("100 * m1 / m2", errors=errors, traffic=_query("m2", traffic)))
    if asynchronous:
        stack[0]["inputs"] = {**stack[0]["inputs"], **ASYNC_CONFIG}
    found = _messages("rollback-alarms-can-fire", stack, outputs=False)
    if fragment is None:
        assert found == []
    else:
        assert [m for m in found if fragment in m], found
