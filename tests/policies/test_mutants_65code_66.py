"""Mutation audit (session 66) of session 65's policy code: what the earlier tests let survive
(public-by-default switches, ARN patterns that pin an account, the pack config's schema checks)."""

from __future__ import annotations

from typing import Any

import pytest

from policies.rules._common import arn_pattern_pins_account
from tests.policies.one_resource import assert_decided, findings

SWITCH_RULE = "public-access-switches-kept-on"
CLUSTER = "aws:rds/cluster:Cluster"
NATIVE_INSTANCE = "aws-native:rds:DbInstance"
MULTI_AZ = {"engine": "postgres", "dbClusterInstanceClass": "db.m5d.large"}


@pytest.mark.parametrize(
    ("resource_type", "inputs", "fragment"),
    [
        # A value read as neither true nor false is refused, whatever the subnet group says of unset.
        pytest.param(
            CLUSTER,
            {**MULTI_AZ, "dbSubnetGroupName": "ml-private", "publiclyAccessible": "maybe"},
            "publiclyAccessible is 'maybe': ",
            id="unreadable-value-beside-a-named-group",
        ),
        # A blank subnet group name names none (AWS then uses the default VPC's).
        pytest.param(
            CLUSTER, {**MULTI_AZ, "dbSubnetGroupName": "  "}, "publiclyAccessible is unset", id="blank-group"
        ),
        pytest.param(
            CLUSTER,
            {**MULTI_AZ, "dbSubnetGroupName": " default "},
            "publiclyAccessible is unset",
            id="padded-default-group",
        ),
        # The Aurora reading (no subnet group: private) is an aws-native instance's only: a Multi-AZ
        # cluster (an instance class set) without a group is public whatever its engine says.
        pytest.param(
            CLUSTER,
            {"engine": "aurora-postgresql", "dbClusterInstanceClass": "db.m5d.large"},
            "publiclyAccessible is unset",
            id="multi-az-cluster-engine-not-read",
        ),
        pytest.param(NATIVE_INSTANCE, {"engine": "Aurora-PostgreSQL"}, None, id="aurora-engine-any-case"),
    ],
)
def test_a_public_by_default_switchs_reading(
    resource_type: str, inputs: dict[str, Any], fragment: str | None
) -> None:
    assert_decided(findings(SWITCH_RULE, resource_type, inputs), fragment)


@pytest.mark.parametrize(
    ("pattern", "as_text", "pins"),
    [
        # Read as text (StringLike), a wildcard in the first field takes colons too: it may end in
        # another account's ARN holding `:111122223333:`; ArnLike matches that field as "arn" only.
        pytest.param(
            "*:aws:sns:eu-west-1:111122223333:*", True, False, id="text-wildcard-in-the-first-field"
        ),
        pytest.param("*:aws:sns:eu-west-1:111122223333:*", False, True, id="arn-wildcard-in-the-first-field"),
        # An escape is a literal character: an account field of `$` matches no account, so no outsider.
        pytest.param("arn:aws:sns:*:${$}:*", False, True, id="escaped-account"),
    ],
)
def test_an_arn_pattern_pins_the_account_only_where_its_account_field_is_fixed(
    pattern: str, as_text: bool, pins: bool
) -> None:
    assert arn_pattern_pins_account(pattern, as_text=as_text) is pins
