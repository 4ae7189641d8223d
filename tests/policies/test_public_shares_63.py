"""``resource-policy-not-public`` reads grants to everyone that are not policy documents (session 63).

Some inputs share a resource with every AWS account, or the public, by a value rather than a
document: an AMI launch permission's group ``all`` (pulumi-aws's ``AmiLaunchPermission``, Image
Builder's distributed ``userGroups``), a DB or cluster snapshot's ``sharedAccounts`` ``all`` (RDS's
``restore`` attribute), an endpoint service's allowed principal ``*`` ("To grant permissions to all
principals, specify an asterisk") and an SSM document shared with account ``All``. Each is refused
before and after create; naming accounts passes; a value unknown at preview is undecided.

The class is found by a scan of the installed SDKs' input descriptions ("Use `all` to make the
snapshot public", a group whose valid value is ``"all"``, "grant permissions to all principals"):
each hit is in the rule's ``SHARES`` table or in ``NOT_SHARES`` with why. The scan must still find
the hits it found when written (an upgrade rewording a description fails rather than shrinks it),
and each ``SHARES`` path is an input of the installed SDK's ``...Args`` class (wire names, lists
where marked ``[]``) holding a string or a list of strings.

Not in the class (the report says why): ``aws:ebs/snapshotCreateVolumePermission`` (an account id
only), ``aws:ram/resourceShare``'s ``allowExternalPrincipals`` (accounts outside the organization,
still each named by an association), Lake Formation's ``IAM_ALLOWED_PRINCIPALS`` (the account's own
IAM principals), ``aws:lambda/layerVersionPermission`` (read by the rule already) and ECR Public
(public by design: its pulls are the point, its policy is read for the rest).
"""

from __future__ import annotations

import collections.abc
import functools
import re
import typing
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws
import pulumi_aws_native
import pytest
from pulumi import _types as pulumi_types
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.rules._resource_policy_types import SHARES
from tests.policies.one_resource import findings
from tests.policies.test_resource_policy_class_63 import provider_sources
from tests.recorded import computed_once

RULE = "resource-policy-not-public"
ACCOUNT = "111122223333"

# --- semantics ---------------------------------------------------------------------------------------

#: (type, inputs sharing with everyone, inputs naming one account, the path the message names)
CASES = [
    pytest.param(
        "aws:ec2/amiLaunchPermission:AmiLaunchPermission",
        {"imageId": "ami-1", "group": "all"},
        {"imageId": "ami-1", "accountId": ACCOUNT},
        "group",
        id="ami-launch-group",
    ),
    pytest.param(
        "aws:imagebuilder/distributionConfiguration:DistributionConfiguration",
        {
            "name": "d",
            "distributions": [
                {
                    "region": "eu-west-1",
                    "amiDistributionConfiguration": {"launchPermission": {"userGroups": ["all"]}},
                }
            ],
        },
        {
            "name": "d",
            "distributions": [
                {
                    "region": "eu-west-1",
                    "amiDistributionConfiguration": {"launchPermission": {"userIds": [ACCOUNT]}},
                }
            ],
        },
        "distributions[0].amiDistributionConfiguration.launchPermission.userGroups",
        id="image-builder",
    ),
    pytest.param(
        "aws-native:imagebuilder:DistributionConfiguration",
        {
            "distributions": [
                {
                    "region": "eu-west-1",
                    "amiDistributionConfiguration": {
                        "launchPermissionConfiguration": {"userGroups": ["all"]}
                    },
                }
            ]
        },
        {
            "distributions": [
                {
                    "region": "eu-west-1",
                    "amiDistributionConfiguration": {"launchPermissionConfiguration": {"userIds": [ACCOUNT]}},
                }
            ]
        },
        "launchPermissionConfiguration.userGroups",
        id="native-image-builder",
    ),
    pytest.param(
        "aws:rds/snapshot:Snapshot",
        {"dbInstanceIdentifier": "db", "dbSnapshotIdentifier": "s", "sharedAccounts": [ACCOUNT, "all"]},
        {"dbInstanceIdentifier": "db", "dbSnapshotIdentifier": "s", "sharedAccounts": [ACCOUNT]},
        "sharedAccounts",
        id="db-snapshot",
    ),
    pytest.param(
        "aws:rds/clusterSnapshotCopy:ClusterSnapshotCopy",
        {
            "sourceDbClusterSnapshotIdentifier": "a",
            "targetDbClusterSnapshotIdentifier": "b",
            "sharedAccounts": ["ALL"],
        },
        {
            "sourceDbClusterSnapshotIdentifier": "a",
            "targetDbClusterSnapshotIdentifier": "b",
            "sharedAccounts": [],
        },
        "sharedAccounts",
        id="cluster-snapshot-copy",
    ),
    pytest.param(
        "aws:ec2/vpcEndpointServiceAllowedPrinciple:VpcEndpointServiceAllowedPrinciple",
        {"vpcEndpointServiceId": "vpce-svc-1", "principalArn": "*"},
        {"vpcEndpointServiceId": "vpce-svc-1", "principalArn": f"arn:aws:iam::{ACCOUNT}:root"},
        "principalArn",
        id="endpoint-service-principal",
    ),
    pytest.param(
        "aws:ec2/vpcEndpointService:VpcEndpointService",
        {"acceptanceRequired": False, "allowedPrincipals": ["arn:aws:iam::*:root"]},
        {"acceptanceRequired": False, "allowedPrincipals": [f"arn:aws:iam::{ACCOUNT}:root"]},
        "allowedPrincipals",
        id="endpoint-service",
    ),
    pytest.param(
        "aws-native:ec2:VpcEndpointServicePermissions",
        {"serviceId": "vpce-svc-1", "allowedPrincipals": ["*"]},
        {"serviceId": "vpce-svc-1", "allowedPrincipals": [f"arn:aws:iam::{ACCOUNT}:root"]},
        "allowedPrincipals",
        id="native-endpoint-service",
    ),
    pytest.param(
        "aws:signer/signingProfilePermission:SigningProfilePermission",
        {"profileName": "p", "action": "signer:StartSigningJob", "principal": "*"},
        {"profileName": "p", "action": "signer:StartSigningJob", "principal": ACCOUNT},
        "principal",
        id="signing-profile",
    ),
    pytest.param(
        "aws-native:signer:ProfilePermission",
        {"profileName": "p", "action": "signer:StartSigningJob", "principal": "*", "statementId": "s"},
        {"profileName": "p", "action": "signer:StartSigningJob", "principal": ACCOUNT, "statementId": "s"},
        "principal",
        id="native-signing-profile",
    ),
    pytest.param(
        "aws:ssm/document:Document",
        {
            "name": "d",
            "documentType": "Command",
            "content": "{}",
            "permissions": {"type": "Share", "account_ids": "All"},
        },
        {
            "name": "d",
            "documentType": "Command",
            "content": "{}",
            "permissions": {"type": "Share", "account_ids": f"{ACCOUNT},444455556666"},
        },
        "permissions.account_ids",
        id="ssm-document",
    ),
]


@pytest.mark.parametrize(("resource_type", "public", "named", "path"), CASES)
@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
def test_a_share_with_everyone_is_refused_and_one_with_named_accounts_passes(
    resource_type: str, public: dict[str, Any], named: dict[str, Any], path: str, outputs: bool
) -> None:
    messages, undecided = findings(RULE, resource_type, public, outputs=outputs)
    assert undecided == 0 and len(messages) == 1, messages
    assert path in messages[0] and "every AWS account" in messages[0]
    assert findings(RULE, resource_type, named, outputs=outputs) == ([], 0)


def test_a_share_unknown_at_preview_is_undecided() -> None:
    snapshot = {"dbInstanceIdentifier": "db", "dbSnapshotIdentifier": "s"}
    assert findings(
        RULE, "aws:rds/snapshot:Snapshot", {**snapshot, "sharedAccounts": UNKNOWN_STRING_VALUE}
    ) == ([], 1)
    pending = {**snapshot, "sharedAccounts": [ACCOUNT, UNKNOWN_STRING_VALUE]}
    assert findings(RULE, "aws:rds/snapshot:Snapshot", pending) == ([], 1)
    # A known public entry is reported even beside an unknown one.
    messages, _ = findings(
        RULE, "aws:rds/snapshot:Snapshot", {**snapshot, "sharedAccounts": ["all", UNKNOWN_STRING_VALUE]}
    )
    assert len(messages) == 1


# --- the class ---------------------------------------------------------------------------------------

#: What a description says when a value shares with every account or the public (each phrase starts
#: with a letter).
_PHRASES = (
    r"Use `all` to",
    r"Valid values: `\"all\"`",
    r"public AMI",
    r"make the \w+ public",
    r"grant permissions to all principals",
)
EVERYONE = re.compile("|".join(_PHRASES), re.I)
#: :data:`EVERYONE` behind a lookahead for the phrases' first letters (the same matches): ``re``
#: then skips to a candidate position instead of trying the five phrases at each of the ~150,000
#: descriptions' every character (the scan's searches 0.49 -> 0.24 CPU-s).
_EVERYONE_FROM_A_FIRST_LETTER = re.compile(
    f"(?=[{''.join(sorted({phrase[0] for phrase in _PHRASES}))}])(?:{EVERYONE.pattern})", re.I
)
assert all(phrase[0].isalpha() for phrase in _PHRASES)
_PARAM = re.compile(r":param [^:\n]*? (\w+): ([^\n]*)")
#: (package, input) hits of the scan that share nothing, and why.
_LIFECYCLE_FILTER = "a lifecycle policy filter (whether public AMIs are left out), not a grant"
_INGRESS = (
    "an App Runner service's network ingress (a public endpoint; callers authenticate as the service "
    "decides): a network exposure, not a share with other accounts"
)
NOT_SHARES = {
    ("imagebuilder", "is_public"): _LIFECYCLE_FILTER,
    ("apprunner", "is_publicly_accessible"): _INGRESS,
}


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part.title() for part in rest)


@functools.cache  # the installed SDKs' sources: one read per version of them for both tests
def _scan() -> frozenset[tuple[str, str, str]]:
    _, key = provider_sources()
    return computed_once("scan", _read_descriptions, key=key)


def _read_descriptions() -> frozenset[tuple[str, str, str]]:
    found = set()
    for package in (pulumi_aws, pulumi_aws_native):
        root = Path(package.__file__).parent
        for path in root.glob("*/*.py"):
            if path.name.startswith("get_") or path.name in ("outputs.py", "__init__.py"):
                continue
            for name, text in _PARAM.findall(path.read_text()):
                if _EVERYONE_FROM_A_FIRST_LETTER.search(text):
                    found.add((package.__name__, path.parent.name, name))
    return frozenset(found)


def _covered(provider: str, package: str, name: str) -> bool:
    prefix = "aws:" if provider == "pulumi_aws" else "aws-native:"
    for token, shares in SHARES.items():
        if not token.startswith(prefix):
            continue
        module = token.split(":")[1].split("/")[0]
        if module == package and any(
            path.split(".")[-1].removesuffix("[]") == _camel(name) for path, _ in shares
        ):
            return True
    return False


def test_every_input_described_as_sharing_with_everyone_is_read() -> None:
    hits = _scan()
    assert ("pulumi_aws", "rds", "shared_accounts") in hits  # the scan finds what it is for
    missing = {hit for hit in hits if not _covered(*hit) and hit[1:] not in NOT_SHARES}
    assert not missing, f"classify these share inputs in SHARES or NOT_SHARES: {sorted(missing)}"


#: Today's hits of the scan: a pulumi-aws or aws-native upgrade rewording one of these descriptions
#: must fail here (and widen ``EVERYONE``) rather than shrink the scan unnoticed.
SCANNED = {
    ("pulumi_aws", "ec2", "group"),
    ("pulumi_aws", "imagebuilder", "user_groups"),
    ("pulumi_aws", "rds", "shared_accounts"),
    ("pulumi_aws_native", "ec2", "allowed_principals"),
    ("pulumi_aws", "imagebuilder", "is_public"),
    ("pulumi_aws", "apprunner", "is_publicly_accessible"),
}


def test_the_scan_still_finds_what_it_found_when_written() -> None:
    assert sorted(SCANNED - _scan()) == []


def _unwrapped(hint: Any) -> Any:
    """``T`` of ``Input[T]`` (``Union[T, Awaitable[T], Output[T]]``) and of ``Optional[T]``."""
    while typing.get_origin(hint) is typing.Union:
        hint = next(
            arg
            for arg in typing.get_args(hint)
            if arg is not type(None)
            and typing.get_origin(arg) not in (collections.abc.Awaitable, pulumi.Output)
            and arg is not pulumi.Output
        )
    return hint


def _input_type(token: str, path: str) -> Any:
    """The SDK's type of the input at ``path`` (wire names; ``[]`` a list element; a step after a
    map is a key of it) of the resource ``token``, from its ``...Args`` class."""
    provider, module, name = token.split(":")
    package = pulumi_aws if provider == "aws" else pulumi_aws_native
    hint: Any = getattr(getattr(package, module.split("/")[0]), f"{name}Args")
    for step in path.split("."):
        key = step.removesuffix("[]")
        if typing.get_origin(hint) is collections.abc.Mapping:
            hint = _unwrapped(typing.get_args(hint)[1])  # a map's key is data, not a wire name
        else:
            assert isinstance(hint, type), f"{token}: {path} steps into {hint!r}"
            fields = pulumi_types.input_type_types(hint)
            assert key in fields, f"{token}: no input {key!r} in {hint.__name__} ({sorted(fields)})"
            hint = _unwrapped(fields[key])
        if step.endswith("[]"):
            assert typing.get_origin(hint) is collections.abc.Sequence, f"{token}: {step} is no list"
            hint = _unwrapped(typing.get_args(hint)[0])
    return hint


@pytest.mark.parametrize(
    ("token", "path"), [pytest.param(t, p, id=f"{t}:{p}") for t, shares in SHARES.items() for p, _ in shares]
)
def test_each_share_path_is_an_input_of_the_installed_sdk_holding_strings(token: str, path: str) -> None:
    hint = _input_type(token, path)
    if typing.get_origin(hint) is collections.abc.Sequence:
        hint = _unwrapped(typing.get_args(hint)[0])
    assert hint is str, f"{token}: {path} holds {hint!r}, not strings"
