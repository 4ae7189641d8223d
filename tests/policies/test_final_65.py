"""Final read (session 65) of ``public-access-switches-kept-on``'s switches whose unset position is
public: what an adopter writes is judged by the switch it sets, through the one-resource helpers the
rule's tests use."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.policies.one_resource import assert_decided, findings

RULE = "public-access-switches-kept-on"
CLUSTER = "aws:rds/cluster:Cluster"
NATIVE_CLUSTER = "aws-native:rds:DbCluster"


@pytest.mark.parametrize("resource_type", [CLUSTER, NATIVE_CLUSTER])
@pytest.mark.parametrize(
    ("inputs", "fragment"),
    [
        pytest.param({"publiclyAccessible": False}, None, id="false-passes"),
        pytest.param({"publiclyAccessible": True}, "publiclyAccessible is True", id="true-refused"),
    ],
)
def test_an_explicit_switch_decides_beside_an_unknown_instance_class(
    resource_type: str, inputs: dict[str, Any], fragment: str | None
) -> None:
    """Whether the cluster is Multi-AZ (``dbClusterInstanceClass``) matters only where the switch is
    unset: ``false`` is private and ``true`` refused (Aurora's too) either way, so an instance class
    known only after create (an output of another resource) leaves neither undecided at preview."""
    class_unknown = {"engine": "postgres", "dbClusterInstanceClass": UNKNOWN_STRING_VALUE, **inputs}
    assert_decided(
        findings(RULE, resource_type, class_unknown), fragment, "Fix: set publiclyAccessible=false"
    )


def test_an_empty_instance_class_is_an_aurora_cluster() -> None:
    """``dbClusterInstanceClass: ''`` is unset: pulumi-aws sends no class for it (``GetOk``), so AWS
    creates an Aurora cluster, whose instances hold the switch; it was refused as a Multi-AZ DB cluster
    left public. A Multi-AZ cluster (a class named) left unset is still refused."""
    aurora = {"engine": "aurora-postgresql", "dbClusterInstanceClass": ""}
    assert_decided(findings(RULE, CLUSTER, aurora), None)
    multi_az = {"engine": "postgres", "dbClusterInstanceClass": "db.m6gd.large"}
    assert_decided(
        findings(RULE, CLUSTER, multi_az), "publiclyAccessible is unset", "Fix: set publiclyAccessible=false"
    )
