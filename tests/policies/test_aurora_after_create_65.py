"""An Aurora cluster's ``publiclyAccessible`` after create, in the tests' after-create records
(tests/policies/engine_shapes.py).

DescribeDBClusters returns ``PubliclyAccessible`` "only for non-Aurora Multi-AZ DB clusters"
(botocore's rds model, ``DBCluster.PubliclyAccessible``; pulumi-aws's ``publicly_accessible``:
"Valid only for Multi-AZ DB clusters"), so the provider reads an Aurora cluster's back as SDKv2's
zero value, false. The records gave every ``aws:rds/cluster:Cluster`` the Multi-AZ default, true,
so an Aurora cluster that passes ``public-access-switches-kept-on`` at preview was refused after
create. A Multi-AZ DB cluster left unset with no DB subnet group still reads back public.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies import engine_shapes
from tests.policies.conftest import build
from tests.policies.one_resource import assert_decided, findings

RULE = "public-access-switches-kept-on"
CLUSTER = "aws:rds/cluster:Cluster"
AURORA = {"engine": "aurora-postgresql", "masterUsername": "admin", "manageMasterUserPassword": True}
MULTI_AZ = {"engine": "postgres", "dbClusterInstanceClass": "db.m6gd.large", "allocatedStorage": 100}


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
@pytest.mark.parametrize(
    ("inputs", "fragment"),
    [
        pytest.param(AURORA, None, id="aurora-passes"),
        pytest.param({**AURORA, "engine": "aurora-mysql"}, None, id="aurora-mysql-passes"),
        pytest.param(MULTI_AZ, "publiclyAccessible is", id="multi-az-unset-refused"),
    ],
)
def test_an_aurora_cluster_passes_at_preview_and_after_create(
    inputs: dict[str, Any], fragment: str | None, outputs: bool
) -> None:
    assert_decided(findings(RULE, CLUSTER, inputs, outputs=outputs), fragment)


def test_the_record_reads_an_aurora_clusters_switch_back_as_false_and_a_multi_az_ones_as_true() -> None:
    aurora, multi_az, explicit = engine_shapes.as_outputs(
        build(
            [
                {"type": CLUSTER, "name": "aurora", "inputs": AURORA},
                {"type": CLUSTER, "name": "multi-az", "inputs": MULTI_AZ},
                {"type": CLUSTER, "name": "explicit", "inputs": {**AURORA, "publiclyAccessible": True}},
            ]
        )
    )
    assert aurora.inputs["publiclyAccessible"] is False
    assert multi_az.inputs["publiclyAccessible"] is True
    assert explicit.inputs["publiclyAccessible"] is True  # what was set is read back
