"""Block-public-access switches as a class: ``public-access-switches-kept-on`` refuses a stack that
turns an account- or resource-level switch to its open position (EBS snapshot and AMI block public
access, VPC block public access, EMR block public access, the SSM documents public-sharing setting,
Lightsail bucket access rules), and ``s3-public-access-blocked`` now reads the blocks of S3 access
points and Multi-Region Access Points (pulumi-aws and aws-native). Each at preview (inputs, an
unknown value undecided) and after create (outputs). The installed providers are scanned for every
type and input named like such a switch: each must be judged by one of the two rules or listed in
``NOT_SWITCHES`` with why, so a provider upgrade adding one fails here.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_BOOLEAN_VALUE, UNKNOWN_STRING_VALUE

from policies.registry import get_policy
from policies.rules._common import resource_types_of
from policies.rules.public_switches import NOT_SWITCHES, SSM_PUBLIC_SHARING, SWITCHES
from tests.policies import test_resource_policy_class_63 as class_scan
from tests.policies.one_resource import assert_decided, findings
from tests.policies.test_resource_policy_class_63 import inputs_named, provider_sources
from tests.recorded import computed_once

RULE = "public-access-switches-kept-on"
S3_RULE = "s3-public-access-blocked"
SSM_ARN = f"arn:aws:ssm:eu-west-1:111122223333:servicesetting{SSM_PUBLIC_SHARING}"
FLAGS = {
    "blockPublicAcls": True,
    "blockPublicPolicy": True,
    "ignorePublicAcls": True,
    "restrictPublicBuckets": True,
}

# --- the scan -------------------------------------------------------------------------------------

#: A type named for a public-access switch (or an account setting that may hold one).
SWITCH_TYPE = re.compile(
    r"(?i)(?:BlockPublicAccess\w*|PublicAccessBlock|SerialConsoleAccess|ServiceSetting)$"
)
#: An input named like one, at any depth.
SWITCH_INPUT = re.compile(
    r"(?i)^(?:blockPublic\w*|restrictPublic\w*|ignorePublic\w*|allowPublic\w*|publicSharing\w*|isPubliclyAccessible|publiclyAccessible)$"
)


def scan(root: Path) -> set[str]:
    """``type`` for a type named like a switch, ``type path`` for a switch-named input of any other."""
    types: set[str] = set()

    def named_like_a_switch(token: str) -> None:
        if SWITCH_TYPE.search(token.rsplit(":", 1)[-1]):
            types.add(token)

    return inputs_named(root, SWITCH_INPUT, 3, every_type=named_like_a_switch) | types


@functools.cache
def installed() -> frozenset[str]:
    """:func:`scan` of the installed providers, read once per version of them (computed_once; the
    scan's walk and patterns are the resource-policy scan's module too)."""
    root, key = provider_sources()
    return computed_once(
        "installed", lambda: frozenset(scan(root)), key=[*key, Path(class_scan.__file__).read_bytes()]
    )


def judged_types() -> set[str]:
    types: set[str] = set()
    for rule in (RULE, S3_RULE):
        checked = resource_types_of(get_policy(rule))
        assert checked is not None
        types |= checked
    return types


def unclassified(candidates: set[str] | frozenset[str]) -> list[str]:
    judged = judged_types()
    return sorted(key for key in candidates if key.split(" ", 1)[0] not in judged and key not in NOT_SWITCHES)


def test_every_public_access_switch_of_the_installed_providers_is_classified() -> None:
    missing = unclassified(installed())
    assert not missing, (
        "public-access switches nobody classified: judge each in public-access-switches-kept-on "
        "(SWITCHES) or s3-public-access-blocked, or list it in NOT_SWITCHES with why "
        "(policies/rules/public_switches.py):\n" + "\n".join(missing)
    )


def test_the_scan_finds_each_shape_a_switch_takes() -> None:
    candidates = installed()
    for shape in [
        "aws:ebs/snapshotBlockPublicAccess:SnapshotBlockPublicAccess",  # a type named for it
        "aws-native:ec2:SnapshotBlockPublicAccess",
        "aws:ssm/serviceSetting:ServiceSetting",  # an account setting
        "aws:s3/accessPoint:AccessPoint publicAccessBlockConfiguration.blockPublicAcls",  # nested
        "aws:s3control/multiRegionAccessPoint:MultiRegionAccessPoint details.publicAccessBlock.blockPublicPolicy",
        "aws-native:lightsail:Bucket accessRules.allowPublicOverrides",
        "aws:apprunner/service:Service networkConfiguration.ingressConfiguration.isPubliclyAccessible",
    ]:
        assert shape in candidates, shape


def test_the_tables_name_only_what_the_providers_have() -> None:
    candidates = installed()
    assert [key for key in NOT_SWITCHES if key not in candidates] == []
    assert [token for token in SWITCHES if not any(c.split(" ", 1)[0] == token for c in candidates)] == []
    assert not set(SWITCHES) & {key.split(" ", 1)[0] for key in NOT_SWITCHES}


def test_a_provider_adding_an_unclassified_switch_fails_the_check(tmp_path: Path) -> None:
    folder = tmp_path / "pulumi_aws" / "newservice"
    folder.mkdir(parents=True)
    (folder / "vault.py").write_text(
        "@pulumi.input_type\n"
        "class VaultArgs:\n"
        "    @_builtins.property\n"
        '    @pulumi.getter(name="blockPublicSharing")\n'
        "    def block_public_sharing(self) -> pulumi.Input[_builtins.bool]:\n"
        '        return pulumi.get(self, "block_public_sharing")\n'
        "\n"
        "class Vault(pulumi.CustomResource):\n"
        "    def _internal_init(__self__):\n"
        "        super(Vault, __self__).__init__(\n"
        "            'aws:newservice/vault:Vault',\n"
        "            resource_name)\n"
        "\n"
        "class ImageBlockPublicAccess(pulumi.CustomResource):\n"
        "    def _internal_init(__self__):\n"
        "        super(ImageBlockPublicAccess, __self__).__init__(\n"
        "            'aws:newservice/imageBlockPublicAccess:ImageBlockPublicAccess',\n"
        "            resource_name)\n"
    )
    (tmp_path / "pulumi_aws_native").mkdir()
    assert unclassified(scan(tmp_path)) == [
        "aws:newservice/imageBlockPublicAccess:ImageBlockPublicAccess",
        "aws:newservice/vault:Vault blockPublicSharing",
    ]


# --- semantics ------------------------------------------------------------------------------------

EBS = "aws:ebs/snapshotBlockPublicAccess:SnapshotBlockPublicAccess"
NATIVE_EBS = "aws-native:ec2:SnapshotBlockPublicAccess"
AMI = "aws:ec2/imageBlockPublicAccess:ImageBlockPublicAccess"
VPC = "aws:ec2/vpcBlockPublicAccessOptions:VpcBlockPublicAccessOptions"
NATIVE_VPC = "aws-native:ec2:VpcBlockPublicAccessOptions"
EMR = "aws:emr/blockPublicAccessConfiguration:BlockPublicAccessConfiguration"
SSM = "aws:ssm/serviceSetting:ServiceSetting"
NATIVE_SSM = "aws-native:ssm:ServiceSetting"
LIGHTSAIL = "aws-native:lightsail:Bucket"

#: (type, inputs, a fragment of the finding, or None: passes).
CASES = [
    pytest.param(EBS, {"state": "unblocked"}, "state is 'unblocked'", id="ebs-unblocked-refused"),
    pytest.param(EBS, {"state": "block-all-sharing"}, None, id="ebs-block-all-passes"),
    pytest.param(EBS, {"state": "block-new-sharing"}, None, id="ebs-block-new-passes"),
    pytest.param(
        NATIVE_EBS, {"state": "unblocked"}, "set state='block-all-sharing'", id="native-ebs-unblocked"
    ),
    pytest.param(NATIVE_EBS, {"state": "block-all-sharing"}, None, id="native-ebs-block-all-passes"),
    pytest.param(AMI, {"state": "unblocked"}, "set state='block-new-sharing'", id="ami-unblocked-refused"),
    pytest.param(AMI, {"state": "block-new-sharing"}, None, id="ami-block-new-passes"),
    pytest.param(VPC, {"internetGatewayBlockMode": "off"}, "internetGatewayBlockMode is 'off'", id="vpc-off"),
    pytest.param(VPC, {"internetGatewayBlockMode": "block-ingress"}, None, id="vpc-block-ingress-passes"),
    pytest.param(
        NATIVE_VPC, {"internetGatewayBlockMode": "block-bidirectional"}, None, id="native-vpc-passes"
    ),
    pytest.param(
        EMR, {"blockPublicSecurityGroupRules": False}, "blockPublicSecurityGroupRules is False", id="emr"
    ),
    pytest.param(EMR, {"blockPublicSecurityGroupRules": True}, None, id="emr-on-passes"),
    pytest.param(
        EMR,
        {
            "blockPublicSecurityGroupRules": True,
            "permittedPublicSecurityGroupRuleRanges": [{"minRange": 22, "maxRange": 22}],
        },
        None,
        id="emr-on-with-named-port-passes",
    ),
    pytest.param(
        SSM, {"settingId": SSM_PUBLIC_SHARING, "settingValue": "Enable"}, "'Disable'", id="ssm-enable"
    ),
    pytest.param(
        SSM, {"settingId": SSM_ARN, "settingValue": "Enable"}, "settingValue is 'Enable'", id="ssm-arn"
    ),
    pytest.param(
        SSM, {"settingId": SSM_PUBLIC_SHARING, "settingValue": "Disable"}, None, id="ssm-disable-passes"
    ),
    pytest.param(
        SSM,
        {"settingId": "/ssm/parameter-store/high-throughput-enabled", "settingValue": "true"},
        None,
        id="ssm-other-setting-passes",
    ),
    pytest.param(
        NATIVE_SSM, {"settingId": SSM_PUBLIC_SHARING, "settingValue": "Enable"}, "'Disable'", id="native-ssm"
    ),
    pytest.param(
        LIGHTSAIL, {"accessRules": {"getObject": "public"}}, "getObject is 'public'", id="lightsail"
    ),
    pytest.param(
        LIGHTSAIL,
        {"accessRules": {"getObject": "private", "allowPublicOverrides": True}},
        "allowPublicOverrides is true",
        id="lightsail-overrides",
    ),
    pytest.param(
        LIGHTSAIL,
        {"accessRules": {"getObject": "private", "allowPublicOverrides": False}},
        None,
        id="lightsail-private-passes",
    ),
    pytest.param(
        LIGHTSAIL, {"bucketName": "b", "bundleId": "small_1_0"}, None, id="lightsail-default-passes"
    ),
]


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
@pytest.mark.parametrize(("resource_type", "inputs", "fragment"), CASES)
def test_switch(resource_type: str, inputs: dict[str, Any], fragment: str | None, outputs: bool) -> None:
    assert_decided(findings(RULE, resource_type, inputs, outputs=outputs), fragment)


@pytest.mark.parametrize(
    ("resource_type", "inputs"),
    [
        pytest.param(EBS, {"state": UNKNOWN_STRING_VALUE}, id="ebs-state"),
        pytest.param(EMR, {"blockPublicSecurityGroupRules": UNKNOWN_BOOLEAN_VALUE}, id="emr-flag"),
        pytest.param(SSM, {"settingId": UNKNOWN_STRING_VALUE, "settingValue": "Enable"}, id="ssm-id"),
        pytest.param(
            SSM, {"settingId": SSM_PUBLIC_SHARING, "settingValue": UNKNOWN_STRING_VALUE}, id="ssm-value"
        ),
    ],
)
def test_an_unknown_switch_is_undecided_at_preview(resource_type: str, inputs: dict[str, Any]) -> None:
    assert findings(RULE, resource_type, inputs) == ([], 1)


def test_an_unknown_other_input_does_not_hide_an_open_switch() -> None:
    messages, undecided = findings(RULE, EBS, {"state": "unblocked", "region": UNKNOWN_STRING_VALUE})
    assert undecided == 0 and len(messages) == 1 and "state is 'unblocked'" in messages[0]


# --- S3 access points -----------------------------------------------------------------------------

ACCESS_POINT = "aws:s3/accessPoint:AccessPoint"
NATIVE_ACCESS_POINT = "aws-native:s3:AccessPoint"
EXPRESS_ACCESS_POINT = "aws-native:s3express:AccessPoint"
NATIVE_MRAP = "aws-native:s3:MultiRegionAccessPoint"
MRAP = "aws:s3control/multiRegionAccessPoint:MultiRegionAccessPoint"
REGIONS = {"regions": [{"bucket": "b"}]}

S3_CASES = [
    pytest.param(
        ACCESS_POINT,
        {"bucket": "b", "publicAccessBlockConfiguration": {**FLAGS, "blockPublicPolicy": False}},
        "publicAccessBlockConfiguration.blockPublicPolicy not true",
        id="access-point-policy-open",
    ),
    pytest.param(
        ACCESS_POINT, {"bucket": "b", "publicAccessBlockConfiguration": FLAGS}, None, id="access-point-on"
    ),
    pytest.param(ACCESS_POINT, {"bucket": "b"}, None, id="access-point-unset-is-blocked"),
    pytest.param(
        NATIVE_ACCESS_POINT,
        {"bucket": "b", "publicAccessBlockConfiguration": {"restrictPublicBuckets": False}},
        "publicAccessBlockConfiguration.restrictPublicBuckets not true",
        id="native-access-point-open",
    ),
    pytest.param(
        NATIVE_ACCESS_POINT,
        {"bucket": "b", "publicAccessBlockConfiguration": {"blockPublicAcls": True}},
        None,
        id="native-access-point-unset-flags-are-true",
    ),
    pytest.param(
        EXPRESS_ACCESS_POINT,
        {"bucket": "b", "publicAccessBlockConfiguration": {"ignorePublicAcls": False}},
        "ignorePublicAcls not true",
        id="express-access-point-open",
    ),
    pytest.param(
        NATIVE_MRAP,
        {**REGIONS, "publicAccessBlockConfiguration": {"blockPublicAcls": False}},
        "publicAccessBlockConfiguration.blockPublicAcls not true",
        id="native-mrap-open",
    ),
    pytest.param(NATIVE_MRAP, REGIONS, None, id="native-mrap-unset"),
    pytest.param(
        MRAP,
        {"details": {"name": "m", "publicAccessBlock": {**FLAGS, "blockPublicPolicy": False}, **REGIONS}},
        "details.publicAccessBlock.blockPublicPolicy not true",
        id="mrap-open",
    ),
    pytest.param(MRAP, {"details": {"name": "m", "publicAccessBlock": FLAGS, **REGIONS}}, None, id="mrap-on"),
]


@pytest.mark.parametrize(("resource_type", "inputs", "fragment"), S3_CASES)
def test_access_point_block_at_preview(
    resource_type: str, inputs: dict[str, Any], fragment: str | None
) -> None:
    assert_decided(findings(S3_RULE, resource_type, inputs), fragment)


@pytest.mark.parametrize(
    ("resource_type", "inputs", "fragment"),
    [
        case
        for case in S3_CASES
        if case.id in {"access-point-policy-open", "access-point-on", "mrap-open", "mrap-on"}
    ],
)
def test_access_point_block_after_create(
    resource_type: str, inputs: dict[str, Any], fragment: str | None
) -> None:
    messages, undecided = findings(S3_RULE, resource_type, inputs, outputs=True)
    assert undecided == 0
    assert (messages == []) if fragment is None else (len(messages) == 1 and fragment in messages[0])


def test_an_unknown_access_point_flag_is_undecided() -> None:
    inputs = {
        "bucket": "b",
        "publicAccessBlockConfiguration": {**FLAGS, "blockPublicPolicy": UNKNOWN_BOOLEAN_VALUE},
    }
    assert findings(S3_RULE, ACCESS_POINT, inputs) == ([], 1)
