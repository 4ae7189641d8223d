"""DVC remote: a managed policy scoped to one prefix of the datasets bucket and to the data key's use
through S3, a role only the listed principals and GitHub subjects assume, and the remote's settings
as stack outputs."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from components.data.dvc_remote import DvcRemoteArgs
from components.data.dvc_remote_spec import (
    MAX_TRUST_POLICY,
    PLATFORM_PREFIXES,
    DvcRemoteSpec,
    policy_size,
    trust_policy_document,
)
from components.training.training_spec import training_data_prefix
from planner.policy_check import evaluate_policies
from planner.recorder import ResourceGraph
from stacks.config import ConfigError
from tests.aws_sessions import mocked_aws
from tests.graph_helpers import policy_of, within
from tests.recorded import recorded_stack
from tests.stacks.conftest import foundation_cut

POLICY = "aws:iam/policy:Policy"
ROLE = "aws:iam/role:Role"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
SSO_DATA_SCIENTISTS = (
    "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_DataScientist_*"
)
GITHUB = "token.actions.githubusercontent.com"


def _remote(graph: ResourceGraph) -> tuple[dict[str, Any], dict[str, Any]]:
    [policy] = within(graph, "dvc-remote", POLICY)
    [role] = within(graph, "dvc-remote", ROLE)
    return policy_of(policy), policy_of(role, "assumeRolePolicy")


def _expected_policy(bucket_arn: str, key_arn: str, prefix: str = "dvc") -> list[dict[str, Any]]:
    objects = [f"{bucket_arn}/{prefix}/*"]
    return [
        {
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": bucket_arn,
            "Condition": {"StringLike": {"s3:prefix": [f"{prefix}/*"]}},
        },
        {"Effect": "Allow", "Action": "s3:GetBucketLocation", "Resource": bucket_arn},
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion"], "Resource": objects},
        {
            "Effect": "Allow",
            "Action": [
                "s3:PutObject",
                "s3:DeleteObject",
                "s3:AbortMultipartUpload",
                "s3:ListMultipartUploadParts",
            ],
            "Resource": objects,
        },
        {
            "Sid": "UseTheDataKeyThroughS3ForTheRemote",
            "Effect": "Allow",
            "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
            "Resource": key_arn,
            "Condition": {
                "StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"},
                # S3 Bucket Keys (the datasets bucket's default) use the bucket's ARN as the context.
                "StringLike": {"kms:EncryptionContext:aws:s3:arn": [bucket_arn, f"{bucket_arn}/{prefix}/*"]},
            },
        },
    ]


def test_the_policy_reaches_only_the_prefix_and_the_data_key_through_s3(stack_graphs) -> None:
    graph = stack_graphs["dev"]
    bucket_arn = graph.named("datasets-bucket").outputs["arn"]
    key_arn = graph.named("kms-data-key").outputs["arn"]
    policy, _ = _remote(graph)

    assert policy["Statement"] == _expected_policy(bucket_arn, key_arn)
    # Nothing on "*": the only bucket-wide actions are the prefix-conditioned list and the location.
    for statement in policy["Statement"]:
        resources = (
            statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        )
        assert "*" not in resources
        if statement["Action"] == "s3:ListBucket":
            assert statement["Condition"]
        assert not any(action.endswith("*") for action in [statement["Action"]] if isinstance(action, str))


def test_the_role_trusts_exactly_the_listed_principals_and_subjects(stack_graphs) -> None:
    _, trust = _remote(stack_graphs["dev"])
    assert trust["Statement"] == [
        {
            "Sid": "TrustedPrincipals",
            "Effect": "Allow",
            "Principal": {"AWS": ["arn:aws:iam::111111111111:root"]},
            "Action": "sts:AssumeRole",
            "Condition": {"ArnLike": {"aws:PrincipalArn": [SSO_DATA_SCIENTISTS]}},
        },
        {
            "Sid": "GitHubActions",
            "Effect": "Allow",
            "Principal": {"Federated": f"arn:aws:iam::111111111111:oidc-provider/{GITHUB}"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"},
                "StringLike": {f"{GITHUB}:sub": ["repo:my-org/churn-data:ref:refs/heads/main"]},
            },
        },
    ]


def test_the_role_holds_the_policy_alone_under_the_platform_role_path(stack_graphs) -> None:
    graph = stack_graphs["dev"]
    [policy] = within(graph, "dvc-remote", POLICY)
    [role] = within(graph, "dvc-remote", ROLE)
    [attachment] = within(graph, "dvc-remote", ATTACHMENT)
    assert attachment.inputs == {"role": role.outputs["name"], "policyArn": policy.outputs["arn"]}
    # The data key's policy lets roles under the platform's path use it (and any role of the account
    # through S3, for a team attaching the managed policy to its own role).
    assert role.inputs["path"] == policy.inputs["path"] == "/mlops-platform/dev/"
    assert "managedPolicyArns" not in role.inputs and "inlinePolicies" not in role.inputs
    assert not [r for r in graph.referenced(role, "role") if r.type == "aws:iam/rolePolicy:RolePolicy"]


def test_the_remote_settings_are_stack_outputs(stack_graphs) -> None:
    graph = stack_graphs["dev"]
    [role] = within(graph, "dvc-remote", ROLE)
    [policy] = within(graph, "dvc-remote", POLICY)
    bucket = graph.named("datasets-bucket").outputs["bucket"]
    exports = {key: value for key, value in graph.exports.items() if key.startswith("dvc_remote")}
    assert exports == {
        "dvc_remote_url": f"s3://{bucket}/dvc",
        "dvc_remote_role_arn": role.outputs["arn"],
        "dvc_remote_policy_arn": policy.outputs["arn"],
        "dvc_remote_region": "eu-west-1",
        "dvc_remote_sse": "aws:kms",
        "dvc_remote_sse_kms_key_id": graph.named("kms-data-key").outputs["arn"],
    }


def test_off_by_default_nothing_is_created_or_exported(stack_graphs) -> None:
    graph = stack_graphs["staging"]
    assert not [r for r in graph if r.name.startswith("dvc-remote")]
    assert not [key for key in graph.exports if key.startswith("dvc_remote")]


def test_a_nested_prefix_and_only_a_workflow(write_stack) -> None:
    def edit(platform: dict[str, Any]) -> None:
        # Cut to the foundation (the datasets bucket and the data key stay as they are), with the
        # budget the prod pack asks for (no stack-wide violation).
        budget = platform["budget"]
        foundation_cut(platform)
        platform["budget"] = budget
        platform["dvc_remote"] = {
            "enabled": True,
            "prefix": "teams/churn/dvc",
            "github_subjects": ["repo:my-org/churn-data:environment:prod"],
        }

    graph = recorded_stack(str(write_stack("prod", edit)))
    bucket_arn = graph.named("datasets-bucket").outputs["arn"]
    policy, trust = _remote(graph)
    assert policy["Statement"] == _expected_policy(
        bucket_arn, graph.named("kms-data-key").outputs["arn"], "teams/churn/dvc"
    )
    assert [statement["Sid"] for statement in trust["Statement"]] == ["GitHubActions"]
    assert graph.exports["dvc_remote_url"].endswith("/teams/churn/dvc")
    violations, _ = evaluate_policies(graph)
    assert [v for v in violations if v.resource_name.startswith("dvc-remote")] == []


def test_principals_of_another_account_are_trusted_through_its_root(write_stack) -> None:
    other = "arn:aws:iam::444444444444:role/data-science"

    def edit(platform: dict[str, Any]) -> None:
        remote = platform["dvc_remote"]
        foundation_cut(platform)  # the datasets bucket and the data key stay as they are
        platform["dvc_remote"] = {
            **remote,
            "trusted_principals": [other, SSO_DATA_SCIENTISTS],
            "github_subjects": [],
        }

    _, trust = _remote(recorded_stack(str(write_stack("dev", edit))))
    [statement] = trust["Statement"]
    assert statement["Principal"] == {
        "AWS": ["arn:aws:iam::111111111111:root", "arn:aws:iam::444444444444:root"]
    }
    assert statement["Condition"] == {"ArnLike": {"aws:PrincipalArn": [other, SSO_DATA_SCIENTISTS]}}


def test_iam_accepts_the_recorded_documents(stack_graphs) -> None:
    """moto applies IAM's own document checks (syntax, principals, condition operators)."""
    policy, trust = _remote(stack_graphs["dev"])
    with mocked_aws("eu-west-1"):
        iam = boto3.client("iam", region_name="eu-west-1")
        arn = iam.create_policy(
            PolicyName="dvc-remote", Path="/mlops-platform/dev/", PolicyDocument=json.dumps(policy)
        )["Policy"]["Arn"]
        iam.create_role(
            RoleName="dvc-remote", Path="/mlops-platform/dev/", AssumeRolePolicyDocument=json.dumps(trust)
        )
        iam.attach_role_policy(RoleName="dvc-remote", PolicyArn=arn)
        attached = iam.list_attached_role_policies(RoleName="dvc-remote")["AttachedPolicies"]
    assert [a["PolicyArn"] for a in attached] == [arn]


@pytest.mark.parametrize(
    ("section", "key", "message"),
    [
        ({"prefix": "/dvc"}, "dvc_remote.prefix", "no '/' at either end"),
        ({"prefix": "DVC"}, "dvc_remote.prefix", "lower-case"),
        ({"prefix": "feature-store/dvc"}, "dvc_remote.prefix", "overlaps 'feature-store/'"),
        ({"prefix": "training-data"}, "dvc_remote.prefix", "overlaps 'training-data/'"),
        (
            {"trusted_principals": ["data-scientists"]},
            "dvc_remote.trusted_principals[0]",
            "IAM role or user ARN",
        ),
        (
            {"trusted_principals": ["arn:aws:iam::111111111111:role/*"]},
            "dvc_remote.trusted_principals[0]",
            "admits every role of account 111111111111",
        ),
        (
            {"github_subjects": ["repo:my-org/*:ref:refs/heads/main"]},
            "dvc_remote.github_subjects[0]",
            "one repository",
        ),
        (
            {"trusted_principals": [], "github_subjects": []},
            "dvc_remote.trusted_principals",
            "nobody may assume",
        ),
        ({"role_arn": "arn:aws:iam::111111111111:role/x"}, "dvc_remote.role_arn", "unknown key"),
    ],
    ids=[
        "leading-slash",
        "upper-case",
        "feature-store",
        "training-data",
        "not-an-arn",
        "every-role",
        "wildcard-repository",
        "nobody",
        "unknown-key",
    ],
)
def test_invalid_sections_name_the_file_and_the_key(write_stack, section, key, message) -> None:
    def edit(platform: dict[str, Any]) -> None:
        platform["dvc_remote"].update(section)

    path = write_stack("dev", edit)
    with pytest.raises(ConfigError) as raised:
        recorded_stack(str(path))
    text = str(raised.value)
    line = next((line for line in text.splitlines() if f": mlops-platform:platform.{key}: " in line), None)
    assert line is not None, text
    assert line.strip().startswith(f"{path}: ") and message in line


def test_a_disabled_section_needs_nobody() -> None:
    assert DvcRemoteSpec(enabled=False).trusted_principals == []


def test_the_platform_prefixes_cover_the_training_data() -> None:
    assert training_data_prefix("churn").startswith(PLATFORM_PREFIXES)


def test_args_refuse_a_role_nobody_may_assume_and_a_slashed_prefix() -> None:
    common = {
        "account_id": "111111111111",
        "region": "eu-west-1",
        "bucket_name": "b",
        "bucket_arn": "arn:aws:s3:::b",
        "kms_key_arn": "arn:aws:kms:eu-west-1:111111111111:key/k",
        "role_path": "/p/",
        "tags": {},
    }
    with pytest.raises(ValueError, match="nobody could assume"):
        DvcRemoteArgs(prefix="dvc", trusted_principals=[], github_subjects=[], **common)
    with pytest.raises(ValueError, match="prefix"):
        DvcRemoteArgs(prefix="dvc/", trusted_principals=[], github_subjects=["repo:o/n:ref:x"], **common)
    with pytest.raises(ValueError, match="not an IAM role or user ARN"):
        DvcRemoteArgs(prefix="dvc", trusted_principals=["root"], github_subjects=[], **common)


def _subjects_of_size(size: int) -> list[str]:
    """GitHub subjects whose trust policy (beside SSO_DATA_SCIENTISTS) has exactly ``size`` characters."""
    subjects = [f"repo:my-org/churn-data:environment:e{i:02}" for i in range(20)]
    base = policy_size(trust_policy_document("0" * 12, [SSO_DATA_SCIENTISTS], subjects))
    subjects[-1] += "x" * (size - base)
    return subjects


def test_the_trust_policy_fits_iams_default_quota_and_one_character_more_is_refused() -> None:
    at_limit = _subjects_of_size(MAX_TRUST_POLICY)
    assert policy_size(trust_policy_document("1" * 12, [SSO_DATA_SCIENTISTS], at_limit)) == 2048
    DvcRemoteSpec(enabled=True, trusted_principals=[SSO_DATA_SCIENTISTS], github_subjects=at_limit)

    with pytest.raises(ValueError, match=r"2049 characters .* IAM refuses more than 2048"):
        DvcRemoteSpec(
            enabled=True, trusted_principals=[SSO_DATA_SCIENTISTS], github_subjects=_subjects_of_size(2049)
        )
