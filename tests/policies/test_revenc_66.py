"""Second read of ``data-stores-encrypted-at-rest``'s session-66 changes: a copy's ``encrypted`` false is
an off (a copy of an unencrypted snapshot stays unencrypted), through the rule's one-resource helpers."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_BOOLEAN_VALUE, UNKNOWN_STRING_VALUE

from tests.policies.one_resource import assert_decided, findings

RULE = "data-stores-encrypted-at-rest"
SNAPSHOT_COPY = "aws:ebs/snapshotCopy:SnapshotCopy"
AMI_COPY = "aws:ec2/amiCopy:AmiCopy"
DLM = "aws:dlm/lifecyclePolicy:LifecyclePolicy"
NATIVE_DLM = "aws-native:dlm:LifecyclePolicy"
SNAPSHOT = {"sourceSnapshotId": "snap-1", "sourceRegion": "eu-west-1"}
AMI = {"sourceAmiId": "ami-1", "sourceAmiRegion": "eu-west-1"}


def _schedule(encrypted: Any) -> dict[str, Any]:
    rule = (
        {"target": "eu-central-1"}
        if encrypted is None
        else {"target": "eu-central-1", "encrypted": encrypted}
    )
    return {"name": "daily", "createRule": {"interval": 24}, "crossRegionCopyRules": [rule]}


def _dlm(*schedules: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": "d",
        "executionRoleArn": "arn:aws:iam::1:role/dlm",
        "policyDetails": {
            "resourceTypes": ["VOLUME"],
            "targetTags": {"a": "b"},
            "schedules": list(schedules),
        },
    }


def _event(encryption: dict[str, Any]) -> dict[str, Any]:
    # An event policy copying snapshots another account shares: no source the stack declares.
    return {
        "description": "d",
        "executionRoleArn": "arn:aws:iam::1:role/dlm",
        "policyDetails": {
            "policyType": "EVENT_BASED_POLICY",
            "action": {
                "name": "copy",
                "crossRegionCopies": [{"target": "eu-central-1", "encryptionConfiguration": encryption}],
            },
        },
    }


@pytest.mark.parametrize(
    ("resource_type", "inputs", "fragment"),
    [
        # "To encrypt a copy of an unencrypted snapshot if encryption by default is not enabled, enable
        # encryption using this parameter" (EC2 CopySnapshot, Encrypted): false keeps it unencrypted.
        pytest.param(
            SNAPSHOT_COPY, {**SNAPSHOT, "encrypted": False}, "encrypted is False", id="snapshot-false"
        ),
        pytest.param(SNAPSHOT_COPY, {**SNAPSHOT, "encrypted": True}, None, id="snapshot-true"),
        # Unset: the copy follows the snapshot it names (encrypted stays encrypted), as a restore does.
        pytest.param(SNAPSHOT_COPY, SNAPSHOT, None, id="snapshot-unset-follows-source"),
        # "You can encrypt a copy of an unencrypted snapshot" (EC2 CopyImage, Encrypted).
        pytest.param(AMI_COPY, {**AMI, "encrypted": False}, "encrypted is False", id="ami-false"),
        pytest.param(AMI_COPY, AMI, None, id="ami-unset-follows-source"),
        # "Copies of encrypted snapshots are encrypted, even if this parameter is false" (DLM): only
        # those; the policy's targets are tagged volumes, not a source the stack names.
        pytest.param(
            DLM,
            _dlm(_schedule(True), _schedule(False)),
            "policyDetails.schedules[1].crossRegionCopyRules[0].encrypted is False",
            id="dlm-second-schedule-false",
        ),
        pytest.param(DLM, _dlm(_schedule(True)), None, id="dlm-true"),
        pytest.param(
            DLM,
            _event({"cmkArn": "arn:aws:kms:eu-central-1:1:key/k"}),
            "policyDetails.action.crossRegionCopies[0].encryptionConfiguration.encrypted is unset",
            id="dlm-event-unset",
        ),
        pytest.param(
            NATIVE_DLM,
            {
                "policyDetails": {
                    "actions": [
                        {
                            "name": "copy",
                            "crossRegionCopy": [
                                {"target": "eu-central-1", "encryptionConfiguration": {"encrypted": False}}
                            ],
                        }
                    ]
                }
            },
            "policyDetails.actions[0].crossRegionCopy[0].encryptionConfiguration.encrypted is False",
            id="native-dlm-event-false",
        ),
    ],
)
def test_a_copy_explicitly_unencrypted_is_refused(
    resource_type: str, inputs: dict[str, Any], fragment: str | None
) -> None:
    extra = () if fragment is None else ("subject: ", "Fix: set encrypted=True")
    assert_decided(findings(RULE, resource_type, inputs), fragment, *extra)


def test_an_unknown_copy_flag_is_undecided_and_hides_no_known_off() -> None:
    assert findings(RULE, DLM, _dlm(_schedule(UNKNOWN_BOOLEAN_VALUE))) == ([], 1)
    messages, undecided = findings(RULE, DLM, _dlm(_schedule(UNKNOWN_BOOLEAN_VALUE), _schedule(False)))
    assert [m for m in messages if "schedules[1].crossRegionCopyRules[0].encrypted is False" in m] == messages
    assert len(messages) == 1 and undecided == 1


GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        # "Durability for ElastiCache is supported on Valkey 9.0 or later" (ElastiCache, Durability
        # limitations): a Redis OSS group's durability encrypts nothing, its flag decides, known or not.
        pytest.param(
            {"engine": "redis", "durability": UNKNOWN_STRING_VALUE, "atRestEncryptionEnabled": False},
            (["atRestEncryptionEnabled is False"], 0),
            id="redis-false-unknown-durability",
        ),
        pytest.param(
            {"durability": UNKNOWN_STRING_VALUE},  # engine unset: pulumi-aws's redis
            (["atRestEncryptionEnabled is unset"], 0),
            id="redis-unset-unknown-durability",
        ),
        pytest.param(
            {"engine": "redis", "durability": "sync", "atRestEncryptionEnabled": False},
            (["atRestEncryptionEnabled is False"], 0),
            id="redis-false-durable",
        ),
        # A known non-durable setting decides whatever the engine.
        pytest.param(
            {"engine": UNKNOWN_STRING_VALUE, "durability": "disabled", "atRestEncryptionEnabled": False},
            (["atRestEncryptionEnabled is False"], 0),
            id="unknown-engine-not-durable",
        ),
        # Durable only if the engine is Valkey: undecided, never passed or refused.
        pytest.param(
            {"engine": UNKNOWN_STRING_VALUE, "durability": "sync", "atRestEncryptionEnabled": False},
            ([], 1),
            id="unknown-engine-durable",
        ),
        pytest.param(
            {"engine": "valkey", "durability": "async", "atRestEncryptionEnabled": False},
            ([], 0),
            id="valkey-durable",
        ),
    ],
)
def test_durability_encrypts_a_valkey_group_only(
    inputs: dict[str, Any], expected: tuple[list[str], int]
) -> None:
    messages, undecided = findings(RULE, GROUP, {"description": "d", **inputs})
    fragments, count = expected
    assert undecided == count
    assert len(messages) == len(fragments)
    assert all(f"subject: {fragment}" in m for fragment, m in zip(fragments, messages, strict=True))


METHOD = "aws:apigateway/methodSettings:MethodSettings"


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        # A method known not to cache stores nothing: an unknown flag decides nothing there.
        pytest.param(
            {"cachingEnabled": False, "cacheDataEncrypted": UNKNOWN_BOOLEAN_VALUE}, 0, id="not-caching"
        ),
        pytest.param({"cachingEnabled": True, "cacheDataEncrypted": UNKNOWN_BOOLEAN_VALUE}, 1, id="caching"),
        pytest.param(
            {"cachingEnabled": UNKNOWN_BOOLEAN_VALUE, "cacheDataEncrypted": UNKNOWN_BOOLEAN_VALUE},
            1,
            id="both",
        ),
        pytest.param({"cachingEnabled": UNKNOWN_BOOLEAN_VALUE}, 1, id="unknown-gate-unset-flag"),
    ],
)
def test_an_unknown_cache_flag_is_undecided_only_where_the_method_may_cache(
    settings: dict[str, Any], expected: int
) -> None:
    assert findings(RULE, METHOD, {"methodPath": "*/*", "settings": settings}) == ([], expected)
