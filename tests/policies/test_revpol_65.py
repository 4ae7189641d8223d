"""Second read of session 65's policy changes: the false refusals it found, each as a semantic test.

1. ``public-access-switches-kept-on`` refused an unset ``publiclyAccessible`` that is private:
   pulumi-aws's DMS replication instance sends ``false`` when it is unset (Terraform's
   ``aws.Bool(d.Get("publicly_accessible").(bool))``: DMS's API default never applies), and an RDS
   Multi-AZ DB cluster or aws-native DB instance with a named DB subnet group other than ``default``
   defaults to private (both installed providers' docs; ``CreateDBCluster``/``CreateDBInstance``), as
   does an aws-native Aurora instance without one. Each still fails when the switch is ``true``, and
   with no subnet group (or the ``default`` one) when it is unset.
2. An ``aws:SourceArn`` pattern of one fixed bucket's objects (``arn:aws:s3:::ml-data/*``) pins the
   caller: bucket names are unique in a partition and hold no ``/``, so only that bucket's owner
   matches. Since ``_common.arn_pattern_pins_account`` the key-policy and trust rules refused it (they
   credited it before), as the bucket and resource-policy rules did; a bucket *prefix*, a wildcard
   partition or service, or a wildcard in the bucket name still pins nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.policies.one_resource import CALLER_PINS, assert_decided, findings, open_to_anyone

SWITCH_RULE = "public-access-switches-kept-on"
DMS = "aws:dms/replicationInstance:ReplicationInstance"
CLUSTER = "aws:rds/cluster:Cluster"
NATIVE_CLUSTER = "aws-native:rds:DbCluster"
NATIVE_INSTANCE = "aws-native:rds:DbInstance"
MULTI_AZ = {"engine": "postgres", "dbClusterInstanceClass": "db.m5d.large"}
REFUSED = "publiclyAccessible is"
FIX = "set publiclyAccessible=false"

# --- 1. an unset switch the inputs show to be private ----------------------------------------------


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        pytest.param(None, None, id="unset-provider-sends-false"),
        pytest.param(False, None, id="false"),
        pytest.param(True, "publiclyAccessible is True", id="true-refused"),
    ],
)
def test_a_dms_replication_instance_left_unset_is_private(
    value: bool | None, fragment: str | None, outputs: bool
) -> None:
    """pulumi-aws sends ``PubliclyAccessible=false`` for an unset input (and reads false back)."""
    inputs: dict[str, Any] = {"replicationInstanceClass": "dms.t3.micro", "replicationInstanceId": "ingest"}
    if value is not None:
        inputs["publiclyAccessible"] = value
    result = findings(SWITCH_RULE, DMS, inputs, outputs=outputs)
    assert_decided(result, fragment, *((FIX,) if fragment else ()))


@pytest.mark.parametrize(
    ("resource_type", "inputs", "fragment"),
    [
        pytest.param(
            CLUSTER, {**MULTI_AZ, "dbSubnetGroupName": "ml-private"}, None, id="cluster-named-group"
        ),
        pytest.param(
            NATIVE_CLUSTER,
            {**MULTI_AZ, "dbSubnetGroupName": "ml-private"},
            None,
            id="native-cluster-named-group",
        ),
        pytest.param(
            NATIVE_INSTANCE,
            {"engine": "postgres", "dbInstanceClass": "db.t3.micro", "dbSubnetGroupName": "ml-private"},
            None,
            id="native-instance-named-group",
        ),
        pytest.param(
            NATIVE_INSTANCE,
            {"engine": "aurora-postgresql", "dbInstanceClass": "db.r6g.large", "dbClusterIdentifier": "ml"},
            None,
            id="native-aurora-instance-without-group",
        ),
        pytest.param(CLUSTER, MULTI_AZ, "publiclyAccessible is unset", id="cluster-no-group-refused"),
        pytest.param(
            CLUSTER,
            {**MULTI_AZ, "dbSubnetGroupName": "default"},
            "publiclyAccessible is unset",
            id="cluster-default",
        ),
        pytest.param(
            NATIVE_CLUSTER,
            {**MULTI_AZ, "dbSubnetGroupName": "Default"},
            "publiclyAccessible is unset",
            id="native-cluster-default-any-case",
        ),
        pytest.param(
            NATIVE_INSTANCE,
            {"engine": "mysql", "dbInstanceClass": "db.t3.micro"},
            "publiclyAccessible is unset",
            id="native-instance-no-group-refused",
        ),
        pytest.param(
            NATIVE_INSTANCE,
            {"engine": "mysql", "dbSubnetGroupName": "default"},
            "publiclyAccessible is unset",
            id="native-instance-default-group-refused",
        ),
        pytest.param(
            CLUSTER,
            {**MULTI_AZ, "dbSubnetGroupName": "ml-private", "publiclyAccessible": True},
            "publiclyAccessible is True",
            id="named-group-true-still-refused",
        ),
        pytest.param(
            "aws:rds/shardGroup:ShardGroup",
            {"dbClusterIdentifier": "c", "dbShardGroupIdentifier": "s", "maxAcu": 768},
            "publiclyAccessible is unset",
            id="shard-group-takes-its-clusters-vpc",
        ),
    ],
)
def test_an_rds_switch_left_unset_follows_the_db_subnet_group(
    resource_type: str, inputs: dict[str, Any], fragment: str | None
) -> None:
    """RDS: "If DBSubnetGroup is specified, PubliclyAccessible defaults to false unless the value of
    DBSubnetGroup is default" (and an Aurora instance's is false without one)."""
    result = findings(SWITCH_RULE, resource_type, inputs)
    assert_decided(result, fragment, *((FIX,) if fragment else ()))


def test_an_unknown_subnet_group_with_the_switch_unset_is_undecided_at_preview() -> None:
    result = findings(SWITCH_RULE, CLUSTER, {**MULTI_AZ, "dbSubnetGroupName": UNKNOWN_STRING_VALUE})
    assert result == ([], 1)


# --- 2. one fixed bucket's objects pin the caller ------------------------------------------------


@pytest.mark.parametrize(("resource_type", "prop", "policy", "action"), CALLER_PINS)
@pytest.mark.parametrize(
    ("condition", "public"),
    [
        pytest.param({"ArnLike": {"aws:SourceArn": "arn:aws:s3:::ml-data/*"}}, False, id="arn-like-objects"),
        pytest.param(
            {"StringLike": {"aws:SourceArn": "arn:aws:s3:::ml-data/logs/*"}},
            False,
            id="string-like-prefix-of-keys",
        ),
        pytest.param(
            {"ArnLike": {"aws:SourceArn": "arn:aws-cn:s3:::ml-data/*"}}, False, id="other-partition-objects"
        ),
        pytest.param(
            {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::ml-data*/*"}}, True, id="bucket-prefix-objects"
        ),
        pytest.param(
            {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::ml-?ata/*"}}, True, id="wildcard-in-bucket-name"
        ),
        pytest.param({"ArnLike": {"aws:SourceArn": "arn:*:s3:::ml-data/*"}}, True, id="every-partition"),
        pytest.param({"ArnLike": {"aws:SourceArn": "arn:aws:*:::ml-data/*"}}, True, id="every-service"),
        pytest.param(
            {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::${aws:PrincipalAccount}/*"}},
            True,
            id="caller-variable-as-bucket",
        ),
    ],
)
def test_one_fixed_buckets_objects_pin_the_caller(
    resource_type: str, prop: str, policy: str, action: str, condition: dict[str, Any], public: bool
) -> None:
    """Bucket, resource, key and trust policies: ``arn:aws:s3:::ml-data/*`` is one owner's objects."""
    inputs = {prop: open_to_anyone(action, condition)}
    if resource_type == "aws:iam/role:Role":
        inputs[prop] = inputs[prop].replace('"Resource": "*", ', "")
    refusal = "lets any principal" if resource_type == "aws:iam/role:Role" else "allows Principal"
    expected = (refusal, "aws:SourceAccount") if public else (None,)
    assert_decided(findings(policy, resource_type, inputs), *expected)
