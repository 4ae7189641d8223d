"""Second read of ``public-access-switches-kept-on`` and the access-point blocks of
``s3-public-access-blocked``: the cases the first tests missed."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_NUMBER_VALUE

from tests.policies.one_resource import assert_decided, findings

RULE = "public-access-switches-kept-on"
EMR = "aws:emr/blockPublicAccessConfiguration:BlockPublicAccessConfiguration"


def _emr(*ranges: dict[str, Any]) -> dict[str, Any]:
    return {"blockPublicSecurityGroupRules": True, "permittedPublicSecurityGroupRuleRanges": list(ranges)}


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
@pytest.mark.parametrize(
    ("inputs", "fragment"),
    [
        pytest.param(
            _emr({"minRange": 22, "maxRange": 22}, {"minRange": 8888, "maxRange": 8888}),
            "permittedPublicSecurityGroupRuleRanges[1] is 8888-8888",
            id="another-port-refused",
        ),
        pytest.param(
            _emr({"minRange": 0, "maxRange": 65535}),
            "permittedPublicSecurityGroupRuleRanges[0] is 0-65535",
            id="every-port-refused",
        ),
        pytest.param(_emr({"minRange": 22, "maxRange": 23}), "is 22-23", id="a-range-beyond-ssh-refused"),
        pytest.param(_emr({"minRange": 21, "maxRange": 22}), "is 21-22", id="a-range-below-ssh-refused"),
        pytest.param(_emr({"minRange": 22, "maxRange": 22}), None, id="ssh-only-passes"),
        pytest.param(_emr(), None, id="no-exception-passes"),
    ],
)
def test_emr_permitted_ranges_other_than_ssh_are_refused(
    inputs: dict[str, Any], fragment: str | None, outputs: bool
) -> None:
    """FSBP EMR.2 fails on BPA off *or* a permitted public port other than 22."""
    assert_decided(findings(RULE, EMR, inputs, outputs=outputs), fragment, "port 22")


def test_emr_bpa_off_is_one_finding_not_one_per_range() -> None:
    inputs = {**_emr({"minRange": 80, "maxRange": 80}), "blockPublicSecurityGroupRules": False}
    messages, _ = findings(RULE, EMR, inputs)
    assert len(messages) == 1 and "blockPublicSecurityGroupRules is False" in messages[0]


def test_an_unknown_emr_port_is_undecided() -> None:
    assert findings(RULE, EMR, _emr({"minRange": UNKNOWN_NUMBER_VALUE, "maxRange": 22})) == ([], 1)


# --- access points after create -------------------------------------------------------------------

S3_RULE = "s3-public-access-blocked"
ACCESS_POINT = "aws:s3/accessPoint:AccessPoint"
MRAP = "aws:s3control/multiRegionAccessPoint:MultiRegionAccessPoint"
REGIONS = [{"bucket": "b"}]


@pytest.mark.parametrize(
    ("resource_type", "inputs", "fragment"),
    [
        pytest.param(
            ACCESS_POINT,
            {"bucket": "b", "publicAccessBlockConfiguration": {"blockPublicAcls": True}},
            None,
            id="access-point-one-flag-set-others-default-true",
        ),
        pytest.param(
            ACCESS_POINT,
            {"bucket": "b", "publicAccessBlockConfiguration": {"blockPublicPolicy": False}},
            "publicAccessBlockConfiguration.blockPublicPolicy not true",
            id="access-point-one-flag-false",
        ),
        pytest.param(
            MRAP,
            {"details": {"name": "m", "publicAccessBlock": {"ignorePublicAcls": True}, "regions": REGIONS}},
            None,
            id="mrap-one-flag-set-others-default-true",
        ),
        pytest.param(
            MRAP,
            {
                "details": {
                    "name": "m",
                    "publicAccessBlock": {"restrictPublicBuckets": False},
                    "regions": REGIONS,
                }
            },
            "details.publicAccessBlock.restrictPublicBuckets not true",
            id="mrap-one-flag-false",
        ),
    ],
)
def test_a_partly_set_access_point_block_reads_the_provider_defaults_after_create(
    resource_type: str, inputs: dict[str, Any], fragment: str | None
) -> None:
    """pulumi-aws reports an unset flag of a set block as its schema default (true), not false: a
    block setting one flag true is as closed after create as at preview."""
    for outputs in (False, True):
        messages, undecided = findings(S3_RULE, resource_type, inputs, outputs=outputs)
        assert undecided == 0
        if fragment is None:
            assert messages == [], (outputs, messages)
        else:
            assert (
                len(messages) == 1
                and fragment in messages[0]
                and "," not in messages[0].split(" not true")[0]
            )


# --- each closed state of each switch passes; VPC BPA's message names what it opens ---------------

EBS = "aws:ebs/snapshotBlockPublicAccess:SnapshotBlockPublicAccess"
NATIVE_EBS = "aws-native:ec2:SnapshotBlockPublicAccess"
VPC = "aws:ec2/vpcBlockPublicAccessOptions:VpcBlockPublicAccessOptions"
NATIVE_VPC = "aws-native:ec2:VpcBlockPublicAccessOptions"


@pytest.mark.parametrize(
    ("resource_type", "inputs"),
    [
        pytest.param(NATIVE_EBS, {"state": "block-new-sharing"}, id="native-ebs-block-new-sharing"),
        pytest.param(EBS, {"state": "block-new-sharing"}, id="ebs-block-new-sharing"),
        pytest.param(VPC, {"internetGatewayBlockMode": "block-bidirectional"}, id="vpc-bidirectional"),
        pytest.param(NATIVE_VPC, {"internetGatewayBlockMode": "block-ingress"}, id="native-vpc-ingress"),
    ],
)
def test_every_closed_state_passes(resource_type: str, inputs: dict[str, Any]) -> None:
    assert findings(RULE, resource_type, inputs) == ([], 0)
    assert findings(RULE, resource_type, inputs, outputs=True) == ([], 0)


def test_vpc_bpa_off_says_internet_gateway_traffic_not_sharing() -> None:
    messages, _ = findings(RULE, VPC, {"internetGatewayBlockMode": "off"})
    assert len(messages) == 1 and "internet gateways" in messages[0] and "sharing" not in messages[0]
    messages, _ = findings(RULE, EBS, {"state": "unblocked"})
    assert len(messages) == 1 and "public sharing open" in messages[0]


def test_a_vpc_origin_access_point_with_a_flag_false_is_refused() -> None:
    """FSBP S3.19 fails an access point whose block is not fully on, whatever its network origin."""
    inputs = {
        "bucket": "b",
        "vpcConfiguration": {"vpcId": "vpc-1"},
        "publicAccessBlockConfiguration": {"blockPublicPolicy": False},
    }
    messages, undecided = findings(S3_RULE, ACCESS_POINT, inputs)
    assert undecided == 0 and len(messages) == 1 and "blockPublicPolicy not true" in messages[0]
