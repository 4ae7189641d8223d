"""IAM and KMS escapes closed (issue #15): each control with a violating case and a compliant near miss.

Props reach the rules through ``policies.local``, wrapped in ``unknown_checking_proxy`` as the
engine wraps them at preview; unknown values use the engine's sentinels.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_ARRAY_VALUE, UNKNOWN_OBJECT_VALUE, UNKNOWN_STRING_VALUE

from policies.local import evaluate_report
from policies.registry import get_policy

UNKNOWN = UNKNOWN_STRING_VALUE
ACCOUNT = "111122223333"

ROLE = "aws:iam/role:Role"
NATIVE_ROLE = "aws-native:iam:Role"
NATIVE_USER = "aws-native:iam:User"
NATIVE_GROUP = "aws-native:iam:Group"
POLICY = "aws:iam/policy:Policy"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
USER_POLICY = "aws:iam/userPolicy:UserPolicy"
GROUP_POLICY = "aws:iam/groupPolicy:GroupPolicy"
NATIVE_MANAGED = "aws-native:iam:ManagedPolicy"
NATIVE_ROLE_POLICY = "aws-native:iam:RolePolicy"
NATIVE_USER_POLICY = "aws-native:iam:UserPolicy"
NATIVE_GROUP_POLICY = "aws-native:iam:GroupPolicy"
ROLE_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
USER_ATTACHMENT = "aws:iam/userPolicyAttachment:UserPolicyAttachment"
GROUP_ATTACHMENT = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment"
ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment"
ROLE_ATTACHMENTS_EXCLUSIVE = "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive"
USER_ATTACHMENTS_EXCLUSIVE = "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive"
KEY = "aws:kms/key:Key"
REPLICA_KEY = "aws:kms/replicaKey:ReplicaKey"
NATIVE_KEY = "aws-native:kms:Key"

ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"


def doc(*statements: dict[str, Any]) -> str:
    """A policy document as the wire carries pulumi-aws documents: a JSON string."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def obj(*statements: dict[str, Any]) -> dict[str, Any]:
    """A policy document as aws-native carries it: an object."""
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def trust(principal: Any, condition: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole", **extra}
    return {**statement, "Condition": condition} if condition is not None else statement


def anyone(action: Any, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    """A key-policy statement for Principal '*'."""
    statement = {"Effect": "Allow", "Principal": "*", "Action": action, "Resource": "*"}
    return {**statement, "Condition": condition} if condition is not None else statement


ORG = {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}
ROOT = {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
SAGEMAKER = {"Service": "sagemaker.amazonaws.com"}
EXEC_ROLE = f"arn:aws:iam::{ACCOUNT}:role/mlops-platform/prod/training"
POD_IDENTITY = {"Service": "pods.eks.amazonaws.com"}
GITHUB_TRUST = {
    "Effect": "Allow",
    "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"},
    "Action": "sts:AssumeRoleWithWebIdentity",
}
POD_ACTIONS = ["sts:AssumeRole", "sts:TagSession"]
POD_TAGS = {
    "aws:SourceAccount": ACCOUNT,
    "aws:RequestTag/eks-cluster-name": "ml",
    "aws:RequestTag/kubernetes-namespace": "ml-serving",
    "aws:RequestTag/kubernetes-service-account": "churn",
}

CASES = [
    # --- aws:userid pins the caller only with a fixed unique id ("AROAEXAMPLEID:*" = one role) -
    pytest.param(
        "iam-role-trust-not-public",
        ROLE,
        {"assumeRolePolicy": doc(trust({"AWS": "*"}, {"StringLike": {"aws:userid": "*:*"}}))},
        "lets any principal",
        id="trust-userid-any-role-session-fails",
    ),
    pytest.param(
        "iam-role-trust-not-public",
        ROLE,
        {"assumeRolePolicy": doc(trust({"AWS": "*"}, {"StringLike": {"aws:userid": "AROA*"}}))},
        "lets any principal",
        id="trust-userid-any-role-id-fails",
    ),
    pytest.param(
        "iam-role-trust-not-public",
        ROLE,
        {"assumeRolePolicy": doc(trust({"AWS": "*"}, {"StringLike": {"aws:userid": "AROAEXAMPLEID:*"}}))},
        None,
        id="trust-userid-one-role-any-session-passes",
    ),
    pytest.param(
        "kms-key-policy-no-public-principal",
        KEY,
        {"policy": doc(anyone("kms:Decrypt", {"StringLike": {"aws:userid": "*:*"}}))},
        "allows Principal '*'",
        id="key-policy-userid-any-role-session-fails",
    ),
    pytest.param(
        "kms-key-policy-no-public-principal",
        KEY,
        {"policy": doc(anyone("kms:Decrypt", {"StringEquals": {"aws:userid": "AIDAEXAMPLEUSERID"}}))},
        None,
        id="key-policy-userid-one-user-passes",
    ),
    # --- EKS Pod Identity: the trust names the namespace and service account ---------------
    pytest.param(
        "iam-pod-identity-trust-scoped",
        ROLE,
        {"assumeRolePolicy": doc(trust(POD_IDENTITY, {"StringEquals": POD_TAGS}, Action=POD_ACTIONS))},
        None,
        id="pod-identity-trust-with-namespace-and-service-account-passes",
    ),
    pytest.param(
        "iam-pod-identity-trust-scoped",
        ROLE,
        {"assumeRolePolicy": doc(trust(POD_IDENTITY, {"StringEquals": {"aws:SourceAccount": ACCOUNT}}))},
        "lets EKS Pod Identity assume the role for any namespace",
        id="pod-identity-trust-with-source-account-only-fails",
    ),
    pytest.param(
        "iam-pod-identity-trust-scoped",
        NATIVE_ROLE,
        {
            "assumeRolePolicyDocument": obj(
                trust(
                    {"Service": ["ec2.amazonaws.com", "pods.eks.amazonaws.com"]},
                    {"StringEquals": {"aws:RequestTag/kubernetes-namespace": "ml-serving"}},
                )
            )
        },
        "for any service account",
        id="pod-identity-among-services-without-service-account-fails",
    ),
    pytest.param(
        "iam-pod-identity-trust-scoped",
        ROLE,
        {
            "assumeRolePolicy": doc(
                trust(
                    POD_IDENTITY,
                    {
                        "StringLike": {
                            "aws:RequestTag/kubernetes-namespace": "*",
                            "aws:RequestTag/kubernetes-service-account": "churn",
                        }
                    },
                )
            )
        },
        "for any namespace",
        id="pod-identity-wildcard-namespace-fails",
    ),
    pytest.param(
        "iam-pod-identity-trust-scoped",
        ROLE,
        {
            "assumeRolePolicy": doc(
                trust(
                    POD_IDENTITY,
                    {
                        "StringLike": {
                            "aws:RequestTag/kubernetes-namespace": "ml-serving",
                            "aws:RequestTag/kubernetes-service-account": "churn-*",
                        }
                    },
                )
            )
        },
        "for any service account",
        id="pod-identity-service-account-prefix-fails",
    ),
    pytest.param(
        "iam-pod-identity-trust-scoped",
        ROLE,
        {
            "assumeRolePolicy": doc(
                trust(
                    POD_IDENTITY,
                    {
                        "StringNotEquals": {"aws:RequestTag/kubernetes-namespace": "kube-system"},
                        "StringEquals": {"aws:RequestTag/kubernetes-service-account": "churn"},
                    },
                )
            )
        },
        "for any namespace",
        id="pod-identity-negated-namespace-fails",
    ),
    pytest.param(
        "iam-pod-identity-trust-scoped",
        ROLE,
        {"assumeRolePolicy": doc(trust(SAGEMAKER, {"StringEquals": {"aws:SourceAccount": ACCOUNT}}))},
        None,
        id="other-service-trust-is-not-pod-identitys",
    ),
    pytest.param(
        "iam-pod-identity-trust-scoped",
        ROLE,
        {"assumeRolePolicy": doc({**trust(POD_IDENTITY), "Effect": "Deny"})},
        None,
        id="pod-identity-deny-statement-passes",
    ),
    # --- CKV_AWS_358: federated trust (tests/policies/test_federated_trust_semantics.py has the rest)
    pytest.param(
        "iam-role-federated-trust-scoped",
        ROLE,
        {"assumeRolePolicy": doc(GITHUB_TRUST)},
        "token.actions.githubusercontent.com:sub",
        id="federated-github-trust-without-subject-fails",
    ),
    pytest.param(
        "iam-role-federated-trust-scoped",
        ROLE,
        {
            "assumeRolePolicy": doc(
                {
                    **GITHUB_TRUST,
                    "Condition": {
                        "StringEquals": {
                            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                            "token.actions.githubusercontent.com:sub": "repo:my-org/churn-data:ref:refs/heads/main",
                        }
                    },
                }
            )
        },
        None,
        id="federated-github-trust-pinned-to-a-repository-passes",
    ),
    # --- CKV_AWS_60: trust policies -----------------------------------------------------
    pytest.param(
        "iam-role-trust-not-public",
        ROLE,
        {"assumeRolePolicy": doc(trust(SAGEMAKER, {"StringEquals": {"aws:SourceAccount": ACCOUNT}}))},
        None,
        id="trust-service-principal-with-source-account-passes",
    ),
    pytest.param(
        "iam-role-trust-not-public",
        ROLE,
        {"assumeRolePolicy": doc(trust("*"))},
        "assumeRolePolicy Statement[0] lets any principal",
        id="trust-principal-star-string-fails",
    ),
    pytest.param(
        "iam-role-trust-not-public",
        NATIVE_ROLE,
        {"assumeRolePolicyDocument": obj(trust({"AWS": "*"}))},
        "assumeRolePolicyDocument Statement[0]",
        id="native-trust-aws-star-object-fails",
    ),
    pytest.param(
        "iam-role-trust-not-public",
        ROLE,
        {"assumeRolePolicy": obj(trust({"AWS": [f"arn:aws:iam::{ACCOUNT}:root", "*"]}))},
        "any principal",
        id="trust-star-among-accounts-in-object-document-fails",
    ),
    pytest.param(
        "iam-role-trust-not-public",
        ROLE,
        {"assumeRolePolicy": doc(trust({"AWS": "arn:aws:iam::*:root"}))},
        "any principal",
        id="trust-wildcard-account-principal-fails",
    ),
    pytest.param(
        "iam-role-trust-not-public",
        ROLE,
        {"assumeRolePolicy": doc(trust({"AWS": "444455556666"}, {"StringEquals": {"sts:ExternalId": "x"}}))},
        None,
        id="trust-another-named-account-passes",
    ),
    pytest.param(
        "iam-role-trust-not-public",
        ROLE,
        {"assumeRolePolicy": doc(trust("*", ORG))},
        None,
        id="trust-star-restricted-to-organization-passes",
    ),
    pytest.param(
        "iam-role-trust-not-public",
        NATIVE_ROLE,
        {"assumeRolePolicyDocument": obj(trust({"AWS": "*"}, {"StringEquals": {"sts:ExternalId": "x-1"}}))},
        None,
        id="native-trust-star-with-external-id-passes",
    ),
    pytest.param(
        "iam-role-trust-not-public",
        ROLE,
        {
            "assumeRolePolicy": doc(
                trust("*", {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/ci-*"}})
            )
        },
        None,
        id="trust-star-with-principal-arn-in-one-account-passes",
    ),
    pytest.param(
        "iam-role-trust-not-public",
        ROLE,
        {"assumeRolePolicy": doc(trust("*", {"Bool": {"aws:SecureTransport": "true"}}))},
        "without a condition",
        id="trust-star-with-irrelevant-condition-key-fails",
    ),
    pytest.param(
        "iam-role-trust-not-public",
        ROLE,
        {
            "assumeRolePolicy": doc(
                trust("*", {"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})
            )
        },
        "any principal",
        id="trust-star-with-if-exists-organization-fails",
    ),
    pytest.param(
        "iam-role-trust-not-public",
        ROLE,
        {"assumeRolePolicy": doc(trust("*", {"StringNotEquals": {"aws:PrincipalAccount": "444455556666"}}))},
        "any principal",
        id="trust-star-with-negated-account-fails",
    ),
    pytest.param(
        "iam-role-trust-not-public",
        ROLE,
        {"assumeRolePolicy": doc(trust("*", {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/admin"}}))},
        "any principal",
        id="trust-star-with-principal-arn-in-any-account-fails",
    ),
    pytest.param(
        "iam-role-trust-not-public",
        ROLE,
        {"assumeRolePolicy": doc(trust("*", {"StringLike": {"aws:PrincipalOrgID": "o-*"}}))},
        "any principal",
        id="trust-star-with-wildcard-organization-fails",
    ),
    pytest.param(
        "iam-role-trust-not-public",
        ROLE,
        {
            "assumeRolePolicy": doc(
                trust("*", {"StringEquals": {"aws:PrincipalOrgID": ["o-a1b2c3d4e5", "*"]}})
            )
        },
        "any principal",
        id="trust-star-with-a-star-among-organizations-fails",
    ),
    pytest.param(
        "iam-role-trust-not-public",
        ROLE,
        {"assumeRolePolicy": doc({"Effect": "Allow", "NotPrincipal": ROOT, "Action": "sts:AssumeRole"})},
        "any principal",
        id="trust-allow-not-principal-fails",
    ),
    pytest.param(
        "iam-role-trust-not-public",
        ROLE,
        {"assumeRolePolicy": doc({"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"})},
        None,
        id="trust-deny-star-passes",
    ),
    # --- CKV_AWS_62/63: admin documents on every carrier -----------------------------------
    pytest.param(
        "iam-no-admin-access",
        NATIVE_MANAGED,
        {"policyDocument": obj(allow("s3:GetObject", "arn:aws:s3:::data/*"))},
        None,
        id="native-managed-policy-scoped-passes",
    ),
    pytest.param(
        "iam-no-admin-access",
        NATIVE_MANAGED,
        {"policyDocument": obj(allow("*"))},
        "policyDocument Statement[0] allows Action '*'",
        id="native-managed-policy-admin-fails",
    ),
    pytest.param(
        "iam-no-admin-access",
        NATIVE_MANAGED,
        {"policyDocument": obj(allow("?*:?*"))},
        "policyDocument Statement[0] allows Action",
        id="every-action-spelt-with-question-marks-fails",
    ),
    pytest.param(
        "iam-no-admin-access",
        NATIVE_ROLE_POLICY,
        {"roleName": "r", "policyName": "p", "policyDocument": obj(allow(["*:*"]))},
        "allows Action '*'",
        id="native-role-policy-star-star-fails",
    ),
    pytest.param(
        "iam-no-admin-access",
        NATIVE_USER_POLICY,
        {"userName": "u", "policyName": "p", "policyDocument": doc(allow("*", "arn:aws:s3:::data"))},
        "allows Action '*'",
        id="native-user-policy-admin-on-one-resource-fails",
    ),
    pytest.param(
        "iam-no-admin-access",
        NATIVE_GROUP_POLICY,
        {
            "groupName": "g",
            "policyName": "p",
            "policyDocument": obj({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
        },
        "NotAction",
        id="native-group-policy-allow-not-action-fails",
    ),
    pytest.param(
        "iam-no-admin-access",
        NATIVE_ROLE,
        {
            "assumeRolePolicyDocument": obj(trust(SAGEMAKER)),
            "policies": [{"policyName": "all", "policyDocument": obj(allow("*"))}],
        },
        "policies[0].policyDocument Statement[0]",
        id="native-role-inline-admin-fails",
    ),
    pytest.param(
        "iam-no-admin-access",
        NATIVE_USER,
        {"policies": [{"policyName": "all", "policyDocument": doc(allow("*"))}]},
        "policies[0].policyDocument",
        id="native-user-inline-admin-fails",
    ),
    pytest.param(
        "iam-no-admin-access",
        NATIVE_GROUP,
        {
            "policies": [
                {"policyName": "read", "policyDocument": obj(allow("s3:GetObject", "arn:aws:s3:::d/*"))}
            ]
        },
        None,
        id="native-group-inline-scoped-passes",
    ),
    pytest.param(
        "iam-no-admin-access",
        GROUP_POLICY,
        {"group": "g", "policy": doc({"Effect": "Deny", "Action": "*", "Resource": "*"})},
        None,
        id="deny-everything-passes",
    ),
    # --- managed admin policies, every attachment path -----------------------------------
    pytest.param(
        "iam-no-admin-managed-policy",
        ROLE_ATTACHMENT,
        {"role": "r", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
        None,
        id="read-only-aws-managed-policy-passes",
    ),
    pytest.param(
        "iam-no-admin-managed-policy",
        ROLE_ATTACHMENT,
        {"role": "r", "policyArn": f"arn:aws:iam::{ACCOUNT}:policy/AdministratorAccess"},
        None,
        id="customer-policy-named-like-admin-is-judged-by-content-passes",
    ),
    pytest.param(
        "iam-no-admin-managed-policy",
        ROLE_ATTACHMENT,
        {"role": "r", "policyArn": ADMIN_ARN},
        "policyArn attaches the AWS-managed AdministratorAccess",
        id="role-attachment-administrator-access-fails",
    ),
    pytest.param(
        "iam-no-admin-managed-policy",
        USER_ATTACHMENT,
        {"user": "u", "policyArn": "arn:aws-cn:iam::aws:policy/AdministratorAccess"},
        "arn:aws-cn:",
        id="user-attachment-china-partition-fails",
    ),
    pytest.param(
        "iam-no-admin-managed-policy",
        GROUP_ATTACHMENT,
        {"group": "g", "policyArn": "arn:aws-us-gov:iam::aws:policy/AdministratorAccess"},
        "arn:aws-us-gov:",
        id="group-attachment-govcloud-partition-fails",
    ),
    pytest.param(
        "iam-no-admin-managed-policy",
        ROLE_ATTACHMENT,
        {"role": "r", "policyArn": "arn:aws:iam::aws:policy/administratoraccess"},
        "AdministratorAccess",
        id="managed-policy-names-compare-case-insensitively",
    ),
    pytest.param(
        "iam-no-admin-managed-policy",
        ROLE_ATTACHMENT,
        {"role": "r", "policyArn": f"{ADMIN_ARN}\n"},
        "attaches the AWS-managed AdministratorAccess",
        id="trailing-line-break-does-not-hide-administrator-access",
    ),
    pytest.param(
        "iam-no-admin-managed-policy",
        ROLE_ATTACHMENT,
        {"role": "r", "policyArn": f" {ADMIN_ARN} "},
        "attaches the AWS-managed AdministratorAccess",
        id="surrounding-spaces-do-not-hide-administrator-access",
    ),
    pytest.param(
        "iam-no-admin-managed-policy",
        ATTACHMENT,
        {"roles": ["r"], "users": [], "groups": [], "policyArn": "arn:aws:iam::aws:policy/PowerUserAccess"},
        "PowerUserAccess",
        id="policy-attachment-power-user-fails",
    ),
    pytest.param(
        "iam-no-admin-managed-policy",
        ROLE,
        {
            "assumeRolePolicy": doc(trust(SAGEMAKER)),
            "managedPolicyArns": ["arn:aws:iam::aws:policy/ReadOnlyAccess", ADMIN_ARN],
        },
        "managedPolicyArns[1]",
        id="role-managed-policy-arns-admin-fails",
    ),
    pytest.param(
        "iam-no-admin-managed-policy",
        ROLE_ATTACHMENTS_EXCLUSIVE,
        {"roleName": "r", "policyArns": ["arn:aws:iam::aws:policy/IAMFullAccess"]},
        "IAMFullAccess",
        id="role-attachments-exclusive-iam-full-access-fails",
    ),
    pytest.param(
        "iam-no-admin-managed-policy",
        USER_ATTACHMENTS_EXCLUSIVE,
        {"userName": "u", "policyArns": [ADMIN_ARN]},
        "policyArns[0]",
        id="user-attachments-exclusive-admin-fails",
    ),
    pytest.param(
        "iam-no-admin-managed-policy",
        NATIVE_ROLE,
        {"assumeRolePolicyDocument": obj(trust(SAGEMAKER)), "managedPolicyArns": [ADMIN_ARN]},
        "managedPolicyArns[0]",
        id="native-role-managed-admin-fails",
    ),
    pytest.param(
        "iam-no-admin-managed-policy",
        NATIVE_USER,
        {"managedPolicyArns": ["arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"]},
        None,
        id="native-user-view-only-passes",
    ),
    pytest.param(
        "iam-no-admin-managed-policy",
        NATIVE_GROUP,
        {"managedPolicyArns": [ADMIN_ARN]},
        "AdministratorAccess",
        id="native-group-managed-admin-fails",
    ),
    pytest.param(
        "iam-no-admin-managed-policy",
        "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment",
        {"instanceArn": "i", "permissionSetArn": "ps", "managedPolicyArn": ADMIN_ARN},
        "managedPolicyArn attaches",
        id="identity-center-permission-set-admin-fails",
    ),
    pytest.param(
        "iam-no-admin-managed-policy",
        "aws-native:sso:PermissionSet",
        {"instanceArn": "i", "name": "ps", "managedPolicies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]},
        None,
        id="native-permission-set-read-only-passes",
    ),
    pytest.param(
        "iam-no-admin-access",
        "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy",
        {"instanceArn": "i", "permissionSetArn": "ps", "inlinePolicy": doc(allow("*"))},
        "inlinePolicy Statement[0] allows Action '*'",
        id="identity-center-inline-admin-fails",
    ),
    # --- escalation list, extended -------------------------------------------------------
    pytest.param(
        "iam-no-privilege-escalation",
        NATIVE_MANAGED,
        {
            "policyDocument": obj(
                allow("lambda:UpdateFunctionCode", f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:f")
            )
        },
        None,
        id="update-one-function-code-passes",
    ),
    pytest.param(
        "iam-no-privilege-escalation",
        NATIVE_MANAGED,
        {"policyDocument": obj(allow(["lambda:UpdateFunctionCode", "iam:PutRolePermissionsBoundary"]))},
        "iam:PutRolePermissionsBoundary, lambda:UpdateFunctionCode on Resource '*'",
        id="native-escalation-actions-on-star-fails",
    ),
    pytest.param(
        "iam-no-privilege-escalation",
        ROLE_POLICY,
        {"role": "r", "policy": doc({"Effect": "Allow", "Action": "iam:PassRole", "NotResource": EXEC_ROLE})},
        "iam:PassRole",
        id="pass-role-with-not-resource-fails",
    ),
    # --- CKV_AWS_286-290/355: sensitive actions on every resource ---------------------------
    pytest.param(
        "iam-no-unscoped-sensitive-actions",
        ROLE_POLICY,
        {
            "role": "r",
            "policy": doc(
                allow("ecr:GetAuthorizationToken"),
                allow("cloudwatch:PutMetricData", Condition={"StringLike": {"cloudwatch:namespace": "ml/*"}}),
                allow(
                    [
                        "sagemaker:Search",
                        "logs:DescribeLogGroups",
                        "ec2:Describe*",
                        "ec2:CreateNetworkInterface",
                    ]
                ),
                allow(["s3:ListAllMyBuckets", "iam:GetRole", "kms:DescribeKey", "sts:GetCallerIdentity"]),
            ),
        },
        None,
        id="actions-aws-only-grants-on-star-pass",
    ),
    pytest.param(
        "iam-no-unscoped-sensitive-actions",
        POLICY,
        {"policy": doc(allow(["s3:PutObject", "s3:GetObject"], "arn:aws:s3:::data/*"))},
        None,
        id="object-access-scoped-to-one-bucket-passes",
    ),
    pytest.param(
        "iam-no-unscoped-sensitive-actions",
        POLICY,
        {"policy": doc(allow("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:*:*:secret*"))},
        "secretsmanager:GetSecretValue (reads data or secrets)",
        id="secret-read-on-every-secret-by-a-type-wildcard-fails",
    ),
    pytest.param(
        "iam-no-unscoped-sensitive-actions",
        POLICY,
        {"policy": doc(allow("secretsmanager:getsecretvalue"))},
        "secretsmanager:getsecretvalue (reads data or secrets)",
        id="action-names-compare-case-insensitively",
    ),
    pytest.param(
        "iam-no-unscoped-sensitive-actions",
        POLICY,
        {"policy": doc(allow("secretsmanager:GetSecretValue\n"))},
        "secretsmanager:GetSecretValue (reads data or secrets)",
        id="white-space-around-an-action-does-not-hide-it",
    ),
    pytest.param(
        "iam-no-unscoped-sensitive-actions",
        POLICY,
        {"policy": doc(allow("s3:GetObject", "arn:aws:s3:::* "))},
        "s3:GetObject (reads data or secrets)",
        id="white-space-around-a-resource-does-not-narrow-it",
    ),
    pytest.param(
        "iam-no-unscoped-sensitive-actions",
        POLICY,
        {"policy": doc(allow("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:*"))},
        "secretsmanager:GetSecretValue (reads data or secrets)",
        id="a-wildcard-across-the-arns-fields-is-every-resource",
    ),
    pytest.param(
        "iam-no-unscoped-sensitive-actions",
        POLICY,
        {"policy": doc(allow("secretsmanager*"))},
        "secretsmanager* (",
        id="a-wildcard-across-the-colon-is-judged-as-a-pattern",
    ),
    pytest.param(
        "iam-no-unscoped-sensitive-actions",
        POLICY,
        {"policy": doc(allow("kms:Decrypt", "arn:aws:kms:*:*:k?y/*"))},
        "kms:Decrypt (reads data or secrets)",
        id="decrypt-with-every-key-by-a-type-wildcard-fails",
    ),
    pytest.param(
        "iam-no-unscoped-sensitive-actions",
        POLICY,
        {
            "policy": doc(
                allow("ssm:GetParameter", ["arn:aws:ssm:*:*:parameter/app/*", "arn:aws:kms:*:*:k*y"])
            )
        },
        None,
        id="parameter-path-and-partial-key-pattern-are-not-every-resource-passes",
    ),
    pytest.param(
        "iam-no-unscoped-sensitive-actions",
        POLICY,
        {"policy": doc(allow("s3:Put*"))},
        "s3:Put* (manages permissions)",
        id="s3-put-wildcard-on-star-fails",
    ),
    pytest.param(
        "iam-no-unscoped-sensitive-actions",
        USER_POLICY,
        {"user": "u", "policy": doc(allow("secretsmanager:GetSecretValue"))},
        "secretsmanager:GetSecretValue (reads data or secrets)",
        id="secret-read-on-star-fails",
    ),
    pytest.param(
        "iam-no-unscoped-sensitive-actions",
        ROLE_POLICY,
        {"role": "r", "policy": doc(allow(["ssm:GetParameter*", "kms:Decrypt"]))},
        "ssm:GetParameter* (reads data or secrets), kms:Decrypt",
        id="parameter-and-decrypt-on-star-fail",
    ),
    pytest.param(
        "iam-no-unscoped-sensitive-actions",
        NATIVE_MANAGED,
        {"policyDocument": obj(allow("iam:*"))},
        "iam:* (manages permissions)",
        id="native-iam-star-on-star-fails",
    ),
    pytest.param(
        "iam-no-unscoped-sensitive-actions",
        GROUP_POLICY,
        {"group": "g", "policy": doc(allow("sts:AssumeRole"))},
        "sts:AssumeRole (returns credentials)",
        id="assume-any-role-fails",
    ),
    pytest.param(
        "iam-no-unscoped-sensitive-actions",
        POLICY,
        {"policy": doc(allow(["dynamodb:BatchWriteItem", "ec2:De*"]))},
        "dynamodb:BatchWriteItem (writes), ec2:De* (writes)",
        id="write-and-wildcard-reaching-delete-fail",
    ),
    pytest.param(
        "iam-no-unscoped-sensitive-actions",
        POLICY,
        {"policy": doc(allow("s3:getobject", "arn:aws:s3:::*/*"))},
        "s3:getobject",
        id="lowercase-action-on-every-bucket-arn-fails",
    ),
    pytest.param(
        "iam-no-unscoped-sensitive-actions",
        POLICY,
        {"policy": doc(allow("kms:Decrypt", "arn:aws:kms:*:*:key/*"))},
        "kms:Decrypt",
        id="decrypt-every-key-of-every-account-fails",
    ),
    pytest.param(
        "iam-no-unscoped-sensitive-actions",
        POLICY,
        {"policy": doc(allow("kms:Decrypt", f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/*"))},
        None,
        id="decrypt-keys-of-one-account-passes",
    ),
    pytest.param(
        "iam-no-unscoped-sensitive-actions",
        POLICY,
        {"policy": doc({"Effect": "Allow", "Action": "s3:PutObject", "NotResource": "arn:aws:s3:::logs/*"})},
        "s3:PutObject (writes)",
        id="write-with-not-resource-fails",
    ),
    pytest.param(
        "iam-no-unscoped-sensitive-actions",
        POLICY,
        {"policy": doc(allow("s3:PutObject", Condition={"StringEquals": {"aws:ResourceTag/team": "ml"}}))},
        None,
        id="write-on-star-scoped-by-resource-tag-passes",
    ),
    pytest.param(
        "iam-no-unscoped-sensitive-actions",
        POLICY,
        {
            "policy": doc(
                allow(
                    "kms:Decrypt",
                    Condition={"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}},
                )
            )
        },
        None,
        id="decrypt-on-star-via-one-service-passes",
    ),
    pytest.param(
        "iam-no-unscoped-sensitive-actions",
        POLICY,
        {
            "policy": doc(
                allow(
                    "s3:PutObject",
                    Condition={"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}},
                )
            )
        },
        "s3:PutObject",
        id="another-services-condition-key-does-not-scope-fails",
    ),
    pytest.param(
        "iam-no-unscoped-sensitive-actions",
        POLICY,
        {
            "policy": doc(
                allow("s3:PutObject", Condition={"StringEqualsIfExists": {"aws:ResourceTag/team": "ml"}})
            )
        },
        "s3:PutObject",
        id="if-exists-tag-condition-does-not-scope-fails",
    ),
    pytest.param(
        "iam-no-unscoped-sensitive-actions",
        POLICY,
        {
            "policy": doc(
                allow("secretsmanager:GetSecretValue", Condition={"Bool": {"aws:SecureTransport": "true"}})
            )
        },
        "secretsmanager:GetSecretValue",
        id="irrelevant-condition-does-not-scope-fails",
    ),
    # --- iam:PassRole on role wildcards --------------------------------------------------
    pytest.param(
        "iam-pass-role-scoped",
        ROLE_POLICY,
        {"role": "r", "policy": doc(allow("iam:PassRole", EXEC_ROLE))},
        None,
        id="pass-named-role-passes",
    ),
    pytest.param(
        "iam-pass-role-scoped",
        ROLE_POLICY,
        {"role": "r", "policy": doc(allow("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role*"))},
        "every role",
        id="pass-role-with-a-wildcard-in-the-resource-type-fails",
    ),
    pytest.param(
        "iam-pass-role-scoped",
        ROLE_POLICY,
        {"role": "r", "policy": doc(allow("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:ro?e/*"))},
        "every role",
        id="pass-role-with-a-single-character-wildcard-in-the-type-fails",
    ),
    pytest.param(
        "iam-pass-role-scoped",
        ROLE_POLICY,
        {
            "role": "r",
            "policy": doc(
                allow(
                    "iam:PassRole",
                    f"arn:aws:iam::{ACCOUNT}:role/*/*",
                    Condition={"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
                )
            ),
        },
        "every role",
        id="pass-role-on-every-pathed-role-is-every-role-even-with-passed-to-service-fails",
    ),
    pytest.param(
        "iam-pass-role-scoped",
        ROLE_POLICY,
        {"role": "r", "policy": doc(allow("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:user/*"))},
        None,
        id="pass-role-on-users-only-matches-no-role-passes",
    ),
    pytest.param(
        "iam-pass-role-scoped",
        ROLE_POLICY,
        {
            "role": "r",
            "policy": doc(
                allow(
                    "iam:PassRole",
                    f"arn:aws:iam::{ACCOUNT}:role/mlops-platform/*",
                    Condition={"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
                )
            ),
        },
        None,
        id="pass-path-wildcard-to-one-service-passes",
    ),
    pytest.param(
        "iam-pass-role-scoped",
        ROLE_POLICY,
        {"role": "r", "policy": doc(allow("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/mlops-platform/*"))},
        "without an iam:PassedToService condition",
        id="pass-path-wildcard-without-service-condition-fails",
    ),
    pytest.param(
        "iam-pass-role-scoped",
        POLICY,
        {
            "policy": doc(
                allow(
                    "iam:PassRole",
                    f"arn:aws:iam::{ACCOUNT}:role/ml-*",
                    Condition={"StringLike": {"iam:PassedToService": "*"}},
                )
            )
        },
        "iam:PassedToService",
        id="pass-name-wildcard-to-any-service-fails",
    ),
    pytest.param(
        "iam-pass-role-scoped",
        POLICY,
        {"policy": doc(allow("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/*"))},
        "every role",
        id="pass-every-role-of-the-account-fails",
    ),
    pytest.param(
        "iam-pass-role-scoped",
        POLICY,
        {
            "policy": doc(
                allow(
                    "iam:PassRole",
                    "arn:aws:iam::*:role/*",
                    Condition={"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
                )
            )
        },
        "every role",
        id="pass-every-role-of-every-account-fails-even-with-service-condition",
    ),
    pytest.param(
        "iam-pass-role-scoped",
        NATIVE_MANAGED,
        {"policyDocument": obj(allow("iam:*", "*"))},
        "every role",
        id="native-iam-star-passes-every-role-fails",
    ),
    pytest.param(
        "iam-pass-role-scoped",
        POLICY,
        {"policy": doc(allow("iam:GetRole", f"arn:aws:iam::{ACCOUNT}:role/*"))},
        None,
        id="read-every-role-is-not-pass-role-passes",
    ),
    # --- KMS rotation on the aws-native key ---------------------------------------------
    pytest.param(
        "kms-key-rotation-enabled",
        NATIVE_KEY,
        {"enableKeyRotation": True},
        None,
        id="native-rotating-key-passes",
    ),
    pytest.param(
        "kms-key-rotation-enabled",
        NATIVE_KEY,
        {"keySpec": "RSA_2048", "keyUsage": "SIGN_VERIFY"},
        None,
        id="native-asymmetric-key-is-exempt",
    ),
    pytest.param(
        "kms-key-rotation-enabled",
        NATIVE_KEY,
        {"keyPolicy": obj({"Effect": "Allow", "Principal": ROOT, "Action": "kms:*", "Resource": "*"})},
        "enableKeyRotation",
        id="native-key-without-rotation-fails",
    ),
    pytest.param(
        "kms-key-rotation-enabled",
        KEY,
        {"customKeyStoreId": "cks-1234567890abcdef0"},
        None,
        id="custom-key-store-key-is-exempt",
    ),
    pytest.param(
        "kms-key-rotation-enabled",
        KEY,
        {"customKeyStoreId": "cks-1234567890abcdef0", "xksKeyId": "external-key-1"},
        None,
        id="external-key-store-key-is-exempt",
    ),
    pytest.param(
        "kms-key-rotation-enabled",
        KEY,
        {"customKeyStoreId": ""},
        "enableKeyRotation",
        id="empty-custom-key-store-is-not-an-exemption",
    ),
    # --- KMS key policies ----------------------------------------------------------------
    pytest.param(
        "kms-key-policy-no-public-principal",
        NATIVE_KEY,
        {"keyPolicy": obj({"Effect": "Allow", "Principal": ROOT, "Action": "kms:*", "Resource": "*"})},
        None,
        id="native-key-root-administers-passes",
    ),
    pytest.param(
        "kms-key-policy-no-public-principal",
        NATIVE_KEY,
        {"keyPolicy": obj(anyone("kms:Decrypt"))},
        "keyPolicy Statement[0] allows Principal '*'",
        id="native-key-policy-star-without-condition-fails",
    ),
    pytest.param(
        "kms-key-policy-no-public-principal",
        KEY,
        {"policy": doc(anyone("kms:Decrypt", {"Bool": {"aws:SecureTransport": "true"}}))},
        "allows Principal '*'",
        id="key-policy-star-with-irrelevant-condition-fails",
    ),
    pytest.param(
        "kms-key-policy-no-public-principal",
        KEY,
        {
            "policy": doc(
                anyone("kms:Decrypt", {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}})
            )
        },
        "allows Principal '*'",
        id="key-policy-star-via-service-only-fails",
    ),
    pytest.param(
        "kms-key-policy-no-public-principal",
        KEY,
        {"policy": doc(anyone("kms:*", {"StringEquals": {"kms:CallerAccount": ACCOUNT}}))},
        "administer the key",
        id="key-policy-kms-star-to-anyone-in-account-fails",
    ),
    pytest.param(
        "kms-key-policy-no-public-principal",
        KEY,
        {
            "policy": doc(
                anyone(
                    ["kms:Decrypt", "kms:GenerateDataKey*", "kms:CreateGrant"],
                    {
                        "StringEquals": {
                            "kms:CallerAccount": ACCOUNT,
                            "kms:ViaService": "ebs.eu-west-1.amazonaws.com",
                        }
                    },
                )
            )
        },
        None,
        id="aws-managed-style-key-policy-passes",
    ),
    pytest.param(
        "kms-key-policy-no-public-principal",
        REPLICA_KEY,
        {"policy": doc({"Effect": "Allow", "NotPrincipal": ROOT, "Action": "kms:Decrypt", "Resource": "*"})},
        "allows Principal '*'",
        id="replica-key-allow-not-principal-fails",
    ),
]


def _role_with_native_policy(action: str) -> list[dict[str, Any]]:
    """An aws-native managed policy allowing ``action`` on ``*``, attached to a role through its
    ``managedPolicyArns`` dependency."""
    return [
        {"type": NATIVE_MANAGED, "name": "native-admin", "inputs": {"policyDocument": obj(allow(action))}},
        {
            "type": ROLE,
            "name": "role",
            "inputs": {"assumeRolePolicy": doc(trust(SAGEMAKER)), "managedPolicyArns": ["arn"]},
            "deps": {"managedPolicyArns": ["native-admin"]},
        },
    ]


ADMIN_POLICY = {"type": POLICY, "name": "admin", "inputs": {"name": "admin", "policy": doc(allow("*"))}}
SCOPED_POLICY = {
    "type": POLICY,
    "name": "scoped",
    "inputs": {"name": "scoped", "policy": doc(allow("s3:GetObject", "arn:aws:s3:::d/*"))},
}
ROLE_SPEC = {"type": ROLE, "name": "role", "inputs": {"assumeRolePolicy": doc(trust(SAGEMAKER))}}


def attach(
    policy: str, attachment: str = ROLE_ATTACHMENT, prop: str = "policyArn", literal: str | None = None
) -> dict[str, Any]:
    arn = literal or f"arn:aws:iam::{ACCOUNT}:policy/{policy}"
    value: Any = [arn] if prop.endswith("s") else arn
    spec: dict[str, Any] = {"type": attachment, "name": f"attach-{policy}", "inputs": {prop: value}}
    if literal is None:
        spec["deps"] = {prop: [policy]}
    return spec


STACK_CASES = [
    pytest.param(
        "iam-admin-policy-not-attached",
        [ROLE_SPEC, SCOPED_POLICY, attach("scoped")],
        None,
        id="scoped-stack-policy-attached-passes",
    ),
    pytest.param(
        "iam-admin-policy-not-attached",
        [ROLE_SPEC, ADMIN_POLICY],
        None,
        id="unattached-admin-policy-is-left-to-the-document-rule",
    ),
    pytest.param(
        "iam-admin-policy-not-attached",
        [ROLE_SPEC, ADMIN_POLICY, attach("admin")],
        "policyArn attaches admin",
        id="stack-admin-policy-attached-by-dependency-fails",
    ),
    pytest.param(
        "iam-admin-policy-not-attached",
        [ROLE_SPEC, ADMIN_POLICY, attach("admin", literal=f"arn:aws:iam::{ACCOUNT}:policy/team/admin")],
        "attaches admin",
        id="stack-admin-policy-attached-by-literal-name-fails",
    ),
    pytest.param(
        "iam-admin-policy-not-attached",
        _role_with_native_policy("iam:*"),
        "managedPolicyArns attaches native-admin",
        id="native-managed-iam-star-through-role-managed-arns-fails",
    ),
    pytest.param(
        "iam-admin-policy-not-attached",
        _role_with_native_policy("i?m:?*"),
        "managedPolicyArns attaches native-admin",
        id="iam-star-spelt-with-other-wildcards-fails",
    ),
    pytest.param(
        "iam-admin-policy-not-attached",
        _role_with_native_policy("IAM:**"),
        "managedPolicyArns attaches native-admin",
        id="iam-star-in-capitals-with-a-double-star-fails",
    ),
    pytest.param(
        "iam-admin-policy-not-attached",
        _role_with_native_policy("iam:Get*"),
        None,
        id="iam-reads-only-are-not-admin-passes",
    ),
    pytest.param(
        "iam-admin-policy-not-attached",
        _role_with_native_policy("iam*"),
        "managedPolicyArns attaches native-admin",
        id="iam-star-without-a-colon-fails",
    ),
    pytest.param(
        "iam-admin-policy-not-attached",
        [ADMIN_POLICY, attach("admin", ROLE_ATTACHMENTS_EXCLUSIVE, "policyArns")],
        "policyArns attaches admin",
        id="stack-admin-policy-in-exclusive-attachments-fails",
    ),
    pytest.param(
        "iam-admin-policy-not-attached",
        [
            SCOPED_POLICY,
            ADMIN_POLICY,
            {
                "type": ROLE,
                "name": "role",
                "inputs": {
                    "assumeRolePolicy": doc(trust(SAGEMAKER)),
                    # scoped.arn (an Output, hence the dependency) next to a literal ARN
                    "managedPolicyArns": [
                        f"arn:aws:iam::{ACCOUNT}:policy/scoped",
                        f"arn:aws:iam::{ACCOUNT}:policy/admin",
                    ],
                },
                "deps": {"managedPolicyArns": ["scoped"]},
            },
        ],
        "managedPolicyArns attaches admin",
        id="literal-admin-arn-next-to-a-linked-one-fails",
    ),
    pytest.param(
        "iam-admin-policy-not-attached",
        # computed from scoped.arn (the dependency) but naming the admin policy
        [
            ROLE_SPEC,
            SCOPED_POLICY,
            ADMIN_POLICY,
            {**attach("scoped"), "inputs": {"policyArn": attach("admin")["inputs"]["policyArn"]}},
        ],
        "policyArn attaches admin",
        id="arn-naming-admin-despite-a-dependency-on-another-policy-fails",
    ),
    pytest.param(
        "iam-admin-policy-not-attached",
        # the twin: computed from admin.arn but naming the scoped policy, which is what AWS attaches
        [
            ROLE_SPEC,
            SCOPED_POLICY,
            ADMIN_POLICY,
            {**attach("admin"), "inputs": {"policyArn": attach("scoped")["inputs"]["policyArn"]}},
        ],
        None,
        id="arn-naming-scoped-despite-a-dependency-on-admin-passes",
    ),
    # At preview admin.arn is an unknown element of a known list: the dependency is what is known.
    *[
        pytest.param(
            "iam-admin-policy-not-attached",
            [
                ADMIN_POLICY,
                {
                    "type": ROLE,
                    "name": "role",
                    "inputs": {"assumeRolePolicy": doc(trust(SAGEMAKER)), "managedPolicyArns": arns},
                    "deps": {"managedPolicyArns": ["admin"]},
                },
            ],
            "managedPolicyArns attaches admin",
            id=f"preview-{case}-fails",
        )
        for case, arns in [
            ("unknown-admin-arn", [UNKNOWN]),
            (
                "unknown-admin-arn-next-to-an-aws-managed-one",
                [UNKNOWN, "arn:aws:iam::aws:policy/ReadOnlyAccess"],
            ),
        ]
    ],
]


@pytest.mark.parametrize(("policy_name", "resource_type", "inputs", "fragment"), CASES)
def test_rule(check_resource, outcome, policy_name, resource_type, inputs, fragment):
    outcome(check_resource(policy_name, resource_type, inputs), policy_name, fragment)


@pytest.mark.parametrize(("policy_name", "specs", "fragment"), STACK_CASES)
def test_stack_rule(check_stack, outcome, policy_name, specs, fragment):
    outcome(check_stack(policy_name, specs), policy_name, fragment)


# --- unknown values at preview ------------------------------------------------------------

UNKNOWN_CASES = [
    # (policy, type, inputs, violated, undecided)
    pytest.param(
        "iam-pod-identity-trust-scoped",
        NATIVE_ROLE,
        {
            "assumeRolePolicyDocument": obj(
                trust(
                    POD_IDENTITY,
                    {"StringEquals": {**POD_TAGS, "aws:RequestTag/kubernetes-namespace": UNKNOWN}},
                )
            )
        },
        False,
        False,
        id="pod-identity-namespace-known-after-create-passes",
    ),
    pytest.param(
        "iam-pod-identity-trust-scoped",
        NATIVE_ROLE,
        {"assumeRolePolicyDocument": obj(trust({"Service": UNKNOWN}))},
        False,
        True,
        id="unknown-trusted-service-is-undecided",
    ),
    pytest.param(
        "iam-no-admin-access",
        NATIVE_MANAGED,
        {"policyDocument": obj(allow("*", UNKNOWN))},
        True,
        False,
        id="admin-action-with-unknown-resource-is-a-violation",
    ),
    pytest.param(
        "iam-no-admin-access",
        NATIVE_MANAGED,
        {"policyDocument": obj(allow(UNKNOWN, "*"))},
        False,
        True,
        id="unknown-action-on-star-is-undecided",
    ),
    pytest.param(
        "iam-no-privilege-escalation",
        NATIVE_MANAGED,
        {"policyDocument": obj(allow(["s3:GetObject", UNKNOWN], "*"))},
        False,
        True,
        id="one-unknown-action-among-known-is-undecided",
    ),
    pytest.param(
        "iam-no-unscoped-sensitive-actions",
        NATIVE_MANAGED,
        {"policyDocument": obj(allow("s3:PutObject", UNKNOWN))},
        False,
        True,
        id="write-on-unknown-resource-is-undecided",
    ),
    pytest.param(
        "iam-no-unscoped-sensitive-actions",
        NATIVE_MANAGED,
        {"policyDocument": obj(allow("s3:PutObject", ["arn:aws:s3:::d/*", UNKNOWN]))},
        False,
        True,
        id="unknown-resource-among-scoped-is-undecided",
    ),
    pytest.param(
        "iam-no-admin-access",
        NATIVE_MANAGED,
        {"policyDocument": obj(allow("*"), UNKNOWN_OBJECT_VALUE)},
        True,
        True,
        id="known-admin-statement-reported-next-to-an-unknown-one",
    ),
    pytest.param(
        "iam-no-admin-access",
        POLICY,
        {"policy": UNKNOWN},
        False,
        True,
        id="json-string-unknown-as-a-whole-is-undecided",
    ),
    pytest.param(
        "iam-no-admin-access",
        NATIVE_MANAGED,
        {"policyDocument": obj(allow("s3:GetObject", UNKNOWN))},
        False,
        False,
        id="known-narrow-action-with-unknown-resource-is-decided",
    ),
    pytest.param(
        "iam-pass-role-scoped",
        ROLE_POLICY,
        {"role": "r", "policy": obj(allow("iam:PassRole", UNKNOWN))},
        False,
        True,
        id="pass-role-on-unknown-role-is-undecided",
    ),
    pytest.param(
        "iam-role-trust-not-public",
        NATIVE_ROLE,
        {"assumeRolePolicyDocument": obj(trust({"AWS": UNKNOWN}))},
        False,
        True,
        id="trust-with-unknown-principal-is-undecided",
    ),
    pytest.param(
        "iam-role-trust-not-public",
        NATIVE_ROLE,
        {"assumeRolePolicyDocument": obj(trust("*", {"StringEquals": {"aws:PrincipalOrgID": UNKNOWN}}))},
        False,
        False,
        id="trust-star-pinned-to-an-organization-output-is-decided-compliant",
    ),
    pytest.param(
        "iam-role-trust-not-public",
        NATIVE_ROLE,
        {"assumeRolePolicyDocument": obj(trust("*", UNKNOWN_OBJECT_VALUE))},
        False,
        True,
        id="trust-star-with-unknown-condition-is-undecided",
    ),
    pytest.param(
        "iam-role-trust-not-public",
        ROLE,
        {"assumeRolePolicy": UNKNOWN},
        False,
        True,
        id="trust-json-string-unknown-is-undecided",
    ),
    pytest.param(
        "iam-no-admin-managed-policy",
        ROLE,
        {"assumeRolePolicy": doc(trust(SAGEMAKER)), "managedPolicyArns": [UNKNOWN, ADMIN_ARN]},
        True,
        True,
        id="known-admin-arn-reported-next-to-an-unknown-arn",
    ),
    pytest.param(
        "iam-no-admin-managed-policy",
        NATIVE_ROLE,
        {"assumeRolePolicyDocument": obj(trust(SAGEMAKER)), "managedPolicyArns": UNKNOWN_ARRAY_VALUE},
        False,
        True,
        id="unknown-managed-policy-list-is-undecided",
    ),
    pytest.param(
        "kms-key-policy-no-public-principal",
        NATIVE_KEY,
        {"keyPolicy": obj(anyone("kms:Decrypt", UNKNOWN_OBJECT_VALUE))},
        False,
        True,
        id="key-policy-star-with-unknown-condition-is-undecided",
    ),
    pytest.param(
        "kms-key-policy-no-public-principal",
        NATIVE_KEY,
        {"keyPolicy": obj({**anyone(UNKNOWN), "Principal": UNKNOWN}, anyone("kms:Decrypt"))},
        True,
        True,
        id="key-policy-known-public-statement-reported-next-to-unknown-one",
    ),
]


@pytest.mark.parametrize(("policy_name", "resource_type", "inputs", "violated", "undecided"), UNKNOWN_CASES)
def test_unknown_values(records, policy_name, resource_type, inputs, violated, undecided):
    planned = records([{"type": resource_type, "name": "subject", "inputs": inputs}])
    report = evaluate_report(planned, None, [get_policy(policy_name)])
    assert bool(report.violations) is violated, [v.message for v in report.violations]
    assert bool(report.undecided) is undecided, report.undecided
    assert all("can't be known during preview" in u.reason for u in report.undecided)


def test_stack_rule_leaves_an_unknown_policy_document_undecided(records):
    planned = records(
        [
            {"type": NATIVE_MANAGED, "name": "pending", "inputs": {"policyDocument": obj(allow(UNKNOWN))}},
            {**attach("pending"), "name": "attach-pending"},
            ADMIN_POLICY,
            attach("admin"),
        ]
    )
    report = evaluate_report(planned, None, [get_policy("iam-admin-policy-not-attached")])
    assert [v.resource_name for v in report.violations] == ["attach-admin"]
    assert [u.urn.rsplit("::", 1)[-1] for u in report.undecided] == ["attach-pending"]
