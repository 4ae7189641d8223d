"""Args reject values outside AWS's limits when they are built, naming the field: components are
also built without a stack file (from Python, or from another language through the package)."""

from __future__ import annotations

from typing import Any

import pytest

from components.foundation import EncryptionKeyArgs, ExecutionRoleArgs, NewVpc
from components.limits import LOG_RETENTION_DAYS
from components.training import NewDataSource

KEY = {"purpose": "data", "account_id": "123456789012", "user_role_path": "/x/", "tags": {}}
ROLE = {
    "description": "d",
    "trusted_service": "sagemaker.amazonaws.com",
    "account_id": "123456789012",
    "path": "/x/",
    "statements": [],
    "tags": {},
}
VPC = {
    "cidr": "10.0.0.0/16",
    "availability_zones": ["eu-west-1a"],
    "flow_log_kms_key_arn": "arn:aws:kms:eu-west-1:123456789012:key/k",
    "flow_log_group_name": "/x/flow-logs",
}
SOURCE = {"bucket_name": "b", "prefix": "p/", "queue_kms_key_arn": "arn:aws:kms:eu-west-1:123456789012:key/k"}

CASES: list[tuple[type, dict[str, Any], str, list[Any], list[Any]]] = [
    (EncryptionKeyArgs, KEY, "deletion_window_days", [7, 30], [6, 31, 0, True, "30"]),
    (EncryptionKeyArgs, KEY, "rotation_period_days", [90, 2560], [89, 2561, 365.0]),
    (ExecutionRoleArgs, ROLE, "max_session_duration_seconds", [3600, 43200], [3599, 43201]),
    (NewVpc, VPC, "flow_log_retention_days", [1, 30, 3653], [0, 2, 31, 5000]),
    (NewDataSource, SOURCE, "batching_window_seconds", [0, 300], [-1, 301]),
]


@pytest.mark.parametrize(
    ("args", "base", "field", "good", "bad"), CASES, ids=lambda c: getattr(c, "__name__", None)
)
def test_limits_are_enforced_at_the_edges(
    args: type, base: dict[str, Any], field: str, good: list[Any], bad: list[Any]
) -> None:
    for value in good:
        assert getattr(args(**{**base, field: value}), field) == value
    for value in bad:
        with pytest.raises(ValueError, match=rf"^{args.__name__}\.{field}: "):
            args(**{**base, field: value})


def test_log_retention_is_cloudwatchs_list() -> None:
    assert LOG_RETENTION_DAYS[0] == 1 and LOG_RETENTION_DAYS[-1] == 3653
    assert 30 in LOG_RETENTION_DAYS and 31 not in LOG_RETENTION_DAYS
    assert list(LOG_RETENTION_DAYS) == sorted(set(LOG_RETENTION_DAYS))


def test_approval_settings_take_only_their_values() -> None:
    from components.registry import ModelRegistryArgs

    registry = {
        "families": [],
        "account_id": "123456789012",
        "region": "eu-west-1",
        "notification_key_arn": "arn:aws:kms:eu-west-1:123456789012:key/k",
        "tags": {},
    }
    assert ModelRegistryArgs(approval_mode="manual", **registry).approval_mode == "manual"
    with pytest.raises(
        ValueError, match=r"^ModelRegistryArgs\.approval_mode: 'Auto' is not one of auto, manual$"
    ):
        ModelRegistryArgs(approval_mode="Auto", **registry)
