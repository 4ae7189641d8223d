"""Why ``stateful-resources-protected`` leaves log groups out (policies/rules/_stateful_types.py) says
where that stops being true: its reason said "the audit record is the trail's", but EKS delivers its
control-plane audit logs to CloudWatch Logs only, and deleting a log group deletes its events. The
enforcement is unchanged: a log group still needs no protection from the rule."""

from __future__ import annotations

import pytest

from policies.rules._stateful_types import NOT_STATEFUL
from tests.policies.conftest import run_policy

LOG_GROUPS = ["aws:cloudwatch/logGroup:LogGroup", "aws-native:logs:LogGroup"]


@pytest.mark.parametrize("resource_type", LOG_GROUPS)
def test_the_reason_names_the_audit_logs_a_log_group_alone_holds(resource_type: str) -> None:
    reason = NOT_STATEFUL[resource_type]
    assert "EKS control-plane audit logs go to CloudWatch Logs only" in reason
    assert "deleting one deletes its events" in reason and "protect=True" in reason


@pytest.mark.parametrize("resource_type", LOG_GROUPS)
def test_a_log_group_still_needs_no_protection(resource_type: str) -> None:
    assert run_policy("stateful-resources-protected", [{"type": resource_type, "name": "r"}]) == []
