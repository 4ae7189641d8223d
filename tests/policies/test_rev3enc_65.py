"""Third read of ``data-stores-encrypted-at-rest`` (session 65): an unknown leaves undecided only what it
decides, never hides a known off elsewhere in the resource, and a known input that decides is not made
undecided by an unknown one beside it; each through the same one-resource helpers the rule's tests use."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_BOOLEAN_VALUE, UNKNOWN_STRING_VALUE

from policies.local import evaluate_report
from policies.registry import get_policy
from policies.rules._encryption_switches import ENCRYPTION_SWITCHES, Switch
from tests.policies import engine_shapes
from tests.policies.conftest import build
from tests.policies.one_resource import findings

RULE = "data-stores-encrypted-at-rest"
INSTANCE = "aws:ec2/instance:Instance"
WORKSPACE = "aws:workspaces/workspace:Workspace"
CLUSTER = "aws:rds/cluster:Cluster"
NATIVE_CLUSTER = "aws-native:rds:DbCluster"
GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
SPOT_FLEET = "aws:ec2/spotFleetRequest:SpotFleetRequest"
OFF_DEVICE = {"deviceName": "/dev/sdb", "encrypted": False}


@pytest.mark.parametrize(
    ("resource_type", "inputs", "fragment"),
    [
        # An unknown element of a list read before or after a known off: the off is refused either way.
        pytest.param(
            INSTANCE,
            {"ebsBlockDevices": [OFF_DEVICE, UNKNOWN_STRING_VALUE]},
            "ebsBlockDevices[0].encrypted is False",
            id="off-device-then-unknown-device",
        ),
        pytest.param(
            INSTANCE,
            {"ebsBlockDevices": [UNKNOWN_STRING_VALUE, OFF_DEVICE]},
            "ebsBlockDevices[1].encrypted is False",
            id="unknown-device-then-off-device",
        ),
        pytest.param(
            INSTANCE,
            {"rootBlockDevice": UNKNOWN_STRING_VALUE, "ebsBlockDevices": [OFF_DEVICE]},
            "ebsBlockDevices[0].encrypted is False",
            id="unknown-root-then-off-device",
        ),
        pytest.param(
            INSTANCE,
            {"rootBlockDevice": {"encrypted": UNKNOWN_BOOLEAN_VALUE}, "ebsBlockDevices": [OFF_DEVICE]},
            "ebsBlockDevices[0].encrypted is False",
            id="unknown-root-switch-then-off-device",
        ),
        pytest.param(
            SPOT_FLEET,
            {
                "launchSpecifications": [
                    UNKNOWN_STRING_VALUE,
                    {"ami": "ami-1", "instanceType": "m5.large", "ebsBlockDevices": [OFF_DEVICE]},
                ]
            },
            "launchSpecifications[1].ebsBlockDevices[0].encrypted is False",
            id="unknown-spec-then-off-device",
        ),
        # An unknown first switch of two: the second's known off is refused.
        pytest.param(
            WORKSPACE,
            {"rootVolumeEncryptionEnabled": UNKNOWN_BOOLEAN_VALUE, "userVolumeEncryptionEnabled": False},
            "userVolumeEncryptionEnabled is False",
            id="workspace-unknown-root-off-user",
        ),
    ],
)
def test_an_unknown_never_hides_a_known_off(
    resource_type: str, inputs: dict[str, Any], fragment: str
) -> None:
    messages, undecided = findings(RULE, resource_type, inputs)
    assert len(messages) == 1 and fragment in messages[0] and "Fix: set " in messages[0], messages
    assert messages[0].startswith("subject: ")
    assert undecided == 1  # the unknown is still reported undecided, not read as on or off


@pytest.mark.parametrize(
    ("resource_type", "inputs"),
    [
        # A known serverless mode encrypts an unset switch whatever the unknown source says.
        pytest.param(
            CLUSTER, {"engineMode": "serverless", "snapshotIdentifier": UNKNOWN_STRING_VALUE}, id="serverless"
        ),
        pytest.param(
            NATIVE_CLUSTER,
            {"engineMode": "serverless", "sourceDbClusterIdentifier": UNKNOWN_STRING_VALUE},
            id="native-serverless",
        ),
        # A known source decides (the cluster follows it) whatever another, unknown one says.
        pytest.param(
            CLUSTER,
            {"snapshotIdentifier": UNKNOWN_STRING_VALUE, "replicationSourceIdentifier": "arn:aws:rds:x"},
            id="known-second-source",
        ),
        pytest.param(
            GROUP, {"engine": "valkey", "globalReplicationGroupId": UNKNOWN_STRING_VALUE}, id="valkey"
        ),
    ],
)
def test_a_known_input_that_decides_is_decided_beside_an_unknown(
    resource_type: str, inputs: dict[str, Any]
) -> None:
    assert findings(RULE, resource_type, inputs) == ([], 0)


@pytest.mark.parametrize(
    ("resource_type", "inputs"),
    [
        # What would decide is unknown: undecided, never a refusal or a pass.
        pytest.param(
            CLUSTER,
            {"engineMode": "provisioned", "snapshotIdentifier": UNKNOWN_STRING_VALUE},
            id="provisioned",
        ),
        pytest.param(CLUSTER, {"engineMode": UNKNOWN_STRING_VALUE, "snapshotIdentifier": None}, id="mode"),
        pytest.param(
            GROUP, {"engine": "redis", "globalReplicationGroupId": UNKNOWN_STRING_VALUE}, id="redis"
        ),
        pytest.param(INSTANCE, {"ebsBlockDevices": [UNKNOWN_STRING_VALUE, {"encrypted": True}]}, id="device"),
        pytest.param(INSTANCE, {"ebsBlockDevices": UNKNOWN_STRING_VALUE}, id="device-list"),
        pytest.param(
            "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
            {"destination": "extended_s3", "kinesisSourceConfiguration": UNKNOWN_STRING_VALUE},
            id="firehose-source",
        ),
        # The marker is never a value: an unknown Kinesis encryptionType is not read as "not NONE".
        pytest.param(
            "aws:kinesis/stream:Stream", {"encryptionType": UNKNOWN_STRING_VALUE}, id="marker-not-on"
        ),
        pytest.param(
            "aws:codebuild/project:Project",
            {"artifacts": {"type": "S3", "encryptionDisabled": UNKNOWN_BOOLEAN_VALUE}},
            id="marker-not-off",
        ),
    ],
)
def test_an_unknown_that_decides_stays_undecided(resource_type: str, inputs: dict[str, Any]) -> None:
    assert findings(RULE, resource_type, inputs) == ([], 1)


ECS = "aws:ecs/service:Service"
MANAGED = {"name": "data", "managedEbsVolume": {"roleArn": "arn:aws:iam::111122223333:role/ecs"}}


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
def test_an_ecs_managed_volume_left_unset_reads_back_encrypted(outputs: bool) -> None:
    # pulumi-aws's schema default is true: the provider sends and reads back true; the after-create
    # records read it false (the SDK's zero value) and the rule refused there what it passes at preview.
    assert findings(RULE, ECS, {"volumeConfiguration": MANAGED}, outputs=outputs) == ([], 0)


def _after_create(resource_type: str, inputs: dict[str, Any], read_back: dict[str, Any]) -> list[str]:
    records = engine_shapes.as_outputs(
        build([{"type": resource_type, "name": "subject", "inputs": inputs}]), {"subject": read_back}
    )
    report = evaluate_report(records, None, [get_policy(RULE)])
    assert report.undecided == []
    return [v.message for v in report.violations]


@pytest.mark.parametrize(
    ("resource_type", "inputs", "switch"),
    [
        pytest.param(
            "aws:rds/instance:Instance", {"replicateSourceDb": "source-db"}, "storageEncrypted", id="replica"
        ),
        pytest.param(CLUSTER, {"engineMode": "serverless"}, "storageEncrypted", id="serverless"),
        pytest.param(
            CLUSTER, {"globalClusterIdentifier": "global"}, "storageEncrypted", id="global-secondary"
        ),
        pytest.param(GROUP, {"engine": "valkey", "description": "d"}, "atRestEncryptionEnabled", id="valkey"),
    ],
)
def test_after_create_reads_what_aws_reports_of_a_store_following_its_source_or_engine(
    resource_type: str, inputs: dict[str, Any], switch: str
) -> None:
    # Unset at preview, these follow a source or their engine; after create the provider reads back
    # AWS's state (DescribeDBInstances/DBClusters StorageEncrypted, DescribeReplicationGroups
    # AtRestEncryptionEnabled): true passes, false (an unencrypted source) is refused, as data at rest
    # unencrypted. The records' false for an unset boolean is the SDK's zero, not AWS's answer.
    assert _after_create(resource_type, inputs, {switch: True}) == []
    [message] = _after_create(resource_type, inputs, {switch: False})
    assert f"subject: {switch} is False" in message and "Fix: set " in message


def _nested(path: str, value: Any) -> dict[str, Any]:
    """Inputs setting ``path`` (dotted, ``[]`` a one-element list) to ``value``."""
    head, sep, rest = path.partition("[].")
    if sep:
        return {**_nested(head, [_nested(rest, value)])}
    first, dot, tail = path.partition(".")
    return {first: _nested(tail, value) if dot else value}


def _with_gate(switch: Switch, value: Any) -> dict[str, Any]:
    """Inputs setting the switch to ``value`` (None: leaving it unset) where its object stores something
    (its ``stores_when`` true beside it)."""
    if switch.stores_when is None:
        # An unset switch in a list is read in an element that exists (a DLM copy rule without it).
        return {} if value is None and "[]" not in switch.path else _nested(switch.path, value)
    prefix, _, last = switch.path.rpartition(".")
    leaf = {switch.stores_when: True, **({} if value is None else {last: value})}
    if prefix.endswith("[]"):
        return _nested(prefix.removesuffix("[]"), [leaf]) if "." in prefix else {prefix[:-2]: [leaf]}
    return _nested(prefix, leaf) if prefix else leaf


def _off(switch: Switch) -> Any:
    if switch.on == (False,):
        return True
    return False if True in switch.on else "DISABLED"


SWITCHES = [
    pytest.param(resource_type, switch, id=f"{resource_type}:{switch.path}")
    for resource_type, switches in ENCRYPTION_SWITCHES.items()
    for switch in switches
]


@pytest.mark.parametrize(("resource_type", "switch"), SWITCHES)
def test_each_refusal_names_the_resource_the_input_path_and_the_fix(
    resource_type: str, switch: Switch
) -> None:
    shown_path = switch.path.replace("[]", "[0]")
    messages, undecided = findings(RULE, resource_type, _with_gate(switch, _off(switch)))
    mine = [m for m in messages if m.startswith(f"subject: {shown_path} is ")]
    assert undecided == 0
    assert len(mine) == 1, messages  # (a WorkSpace's other flag, unset, is refused on its own)
    assert mine[0].endswith(f"Fix: set {switch.fix}.")
    if switch.unset is not None:  # unset refused where the default is unencrypted
        [message] = [
            m
            for m in findings(RULE, resource_type, _with_gate(switch, None))[0]
            if m.startswith(f"subject: {shown_path} ")
        ]
        assert message.startswith(f"subject: {shown_path} is unset and {switch.unset}: ")
        assert message.endswith(f"Fix: set {switch.fix}.")
