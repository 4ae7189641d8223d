"""Whether an IAM policy's action names a real action of its service, from botocore's service models.

Most IAM actions are the operation of the same name (``sagemaker:CreateTrainingJob``). The rest are
listed here, each with where AWS documents it: actions with no operation of that name (``s3:ListBucket``
authorises ListObjectsV2, ``iam:PassRole`` no call at all) and services botocore has no model of
(``sagemaker-mlflow``, the MLflow REST API of SageMaker's tracking servers). Operation names that are
*not* actions (``s3:ListObjectsV2``) are refused with the action to use instead. A wildcard must match
at least one action of its service. A botocore name that is not the service's IAM prefix
(``stepfunctions``, ``bedrock-runtime``) is refused with the prefix. IAM compares action names
case-insensitively, as here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from fnmatch import fnmatchcase
from functools import cache
from typing import Any

from planner.recorder import RecordedResource, ResourceGraph
from tests.api_models import _session, service_model

# IAM service prefix -> the botocore services whose operations are its actions.
SERVICES: dict[str, tuple[str, ...]] = {
    "states": ("stepfunctions",),
    # S3 Control's operations (access points, batch jobs...) are ``s3:`` actions too.
    "s3": ("s3", "s3control"),
    # InvokeEndpoint is sagemaker-runtime's, PutRecord sagemaker-featurestore-runtime's,
    # BatchPutMetrics sagemaker-metrics': all ``sagemaker:`` actions.
    "sagemaker": (
        "sagemaker",
        "sagemaker-runtime",
        "sagemaker-featurestore-runtime",
        "sagemaker-metrics",
        "sagemaker-a2i-runtime",
        "sagemaker-edge",
    ),
}

# Actions that are no operation's name (Service Authorization Reference, "Actions defined by ...").
ACTION_ONLY: dict[str, frozenset[str]] = {
    # Passing a role to a service is checked when the service is called: no API of its own.
    "iam": frozenset({"PassRole"}),
    # Session tags and the web identity's are part of AssumeRole*; TagSession authorises them.
    "sts": frozenset({"TagSession", "SetSourceIdentity"}),
    # ReEncrypt needs both: ReEncryptFrom on the source key, ReEncryptTo on the destination key.
    "kms": frozenset({"ReEncryptFrom", "ReEncryptTo"}),
    # EventBridge calling an API destination (a rule's target), not a call a principal makes.
    "events": frozenset({"InvokeApiDestination"}),
    # Amazon S3's actions for operations of other names, and for an object version's.
    "s3": frozenset(
        {
            "ListBucket",  # ListObjects, ListObjectsV2, HeadBucket
            "ListBucketVersions",  # ListObjectVersions
            "ListBucketMultipartUploads",  # ListMultipartUploads
            "ListMultipartUploadParts",  # ListParts
            "GetObjectVersion",  # GetObject with a VersionId
            "GetObjectVersionTagging",
            "DeleteObjectVersion",  # DeleteObject with a VersionId
            "PutObjectVersionAcl",
            "GetEncryptionConfiguration",  # GetBucketEncryption
            "PutEncryptionConfiguration",  # PutBucketEncryption
            "GetLifecycleConfiguration",  # GetBucketLifecycleConfiguration
            "PutLifecycleConfiguration",  # PutBucketLifecycleConfiguration
            "GetBucketPublicAccessBlock",  # GetPublicAccessBlock
            "PutBucketPublicAccessBlock",  # PutPublicAccessBlock
            "GetAccountPublicAccessBlock",  # S3 Control's GetPublicAccessBlock
            "PutAccountPublicAccessBlock",  # S3 Control's PutPublicAccessBlock
            # The actions NOT_ACTIONS names for S3's operations of other names (their botocore
            # documentation: "you must have the s3:... permission").
            "ListAllMyBuckets",  # ListBuckets
            "GetAccelerateConfiguration",
            "PutAccelerateConfiguration",
            "GetAnalyticsConfiguration",
            "PutAnalyticsConfiguration",
            "GetIntelligentTieringConfiguration",
            "PutIntelligentTieringConfiguration",
            "GetInventoryConfiguration",
            "PutInventoryConfiguration",
            "GetMetricsConfiguration",
            "PutMetricsConfiguration",
            "GetReplicationConfiguration",
            "PutReplicationConfiguration",
            "GetBucketObjectLockConfiguration",
            "PutBucketObjectLockConfiguration",
        }
    ),
    # IAM database authentication: connecting to the database, no API call.
    "rds-db": frozenset({"connect"}),
    # Amazon Chime's SCIM access key for the account (no operation in botocore's chime model).
    "chime": frozenset({"CreateApiKey"}),
    # Lambda's Invoke is the lambda:InvokeFunction action.
    "lambda": frozenset({"InvokeFunction"}),
    # SageMaker with MLflow: the tracking server's MLflow REST API (no botocore model); the
    # actions of the AWS managed policy SageMakerStudioProjectRoleMachineLearningPolicy.
    "sagemaker-mlflow": frozenset(
        {
            "AccessUI",
            "CreateExperiment",
            "SearchExperiments",
            "GetExperiment",
            "GetExperimentByName",
            "DeleteExperiment",
            "RestoreExperiment",
            "UpdateExperiment",
            "CreateRun",
            "DeleteRun",
            "RestoreRun",
            "GetRun",
            "SearchRuns",
            "UpdateRun",
            "LogMetric",
            "LogBatch",
            "LogModel",
            "LogInputs",
            "LogParam",
            "SetExperimentTag",
            "SetTag",
            "DeleteTag",
            "GetMetricHistory",
            "ListArtifacts",
        }
    ),
}

# Operations whose name is no action: the action that authorises them.
NOT_ACTIONS: dict[str, str] = {
    "s3:ListObjects": "s3:ListBucket",
    "s3:ListObjectsV2": "s3:ListBucket",
    "s3:HeadBucket": "s3:ListBucket",
    "s3:HeadObject": "s3:GetObject",
    "s3:ListObjectVersions": "s3:ListBucketVersions",
    "s3:ListMultipartUploads": "s3:ListBucketMultipartUploads",
    "s3:ListParts": "s3:ListMultipartUploadParts",
    "s3:CreateMultipartUpload": "s3:PutObject",
    "s3:UploadPart": "s3:PutObject",
    "s3:CompleteMultipartUpload": "s3:PutObject",
    "s3:CopyObject": "s3:GetObject and s3:PutObject",
    "s3:GetBucketEncryption": "s3:GetEncryptionConfiguration",
    "s3:PutBucketEncryption": "s3:PutEncryptionConfiguration",
    "s3:GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
    "s3:PutBucketLifecycleConfiguration": "s3:PutLifecycleConfiguration",
    "s3:PutBucketNotificationConfiguration": "s3:PutBucketNotification",
    "s3:GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
    "s3:PutPublicAccessBlock": "s3:PutBucketPublicAccessBlock",
    # S3's other operations whose permission has another name, as each one's documentation in
    # botocore's s3 and s3control models states (S3 on Outposts', S3 Express One Zone's and S3
    # Object Lambda's actions have prefixes of their own).
    "s3:ListBuckets": "s3:ListAllMyBuckets",
    "s3:ListDirectoryBuckets": "s3express:ListAllMyDirectoryBuckets",
    "s3:CreateSession": "s3express:CreateSession",
    "s3:UploadPartCopy": "s3:GetObject and s3:PutObject",
    "s3:SelectObjectContent": "s3:GetObject",
    "s3:DeleteObjects": "s3:DeleteObject",
    "s3:WriteGetObjectResponse": "s3-object-lambda:WriteGetObjectResponse",
    "s3:DeletePublicAccessBlock": "s3:PutBucketPublicAccessBlock (s3:PutAccountPublicAccessBlock for the account's)",
    "s3:DeleteBucketCors": "s3:PutBucketCORS",
    "s3:DeleteBucketEncryption": "s3:PutEncryptionConfiguration",
    "s3:DeleteBucketLifecycle": "s3:PutLifecycleConfiguration",
    "s3:DeleteBucketOwnershipControls": "s3:PutBucketOwnershipControls",
    "s3:DeleteBucketTagging": "s3:PutBucketTagging",
    "s3:GetBucketLifecycle": "s3:GetLifecycleConfiguration",
    "s3:PutBucketLifecycle": "s3:PutLifecycleConfiguration",
    "s3:GetBucketNotificationConfiguration": "s3:GetBucketNotification",
    "s3:GetBucketAccelerateConfiguration": "s3:GetAccelerateConfiguration",
    "s3:PutBucketAccelerateConfiguration": "s3:PutAccelerateConfiguration",
    "s3:GetBucketAnalyticsConfiguration": "s3:GetAnalyticsConfiguration",
    "s3:ListBucketAnalyticsConfigurations": "s3:GetAnalyticsConfiguration",
    "s3:PutBucketAnalyticsConfiguration": "s3:PutAnalyticsConfiguration",
    "s3:DeleteBucketAnalyticsConfiguration": "s3:PutAnalyticsConfiguration",
    "s3:GetBucketIntelligentTieringConfiguration": "s3:GetIntelligentTieringConfiguration",
    "s3:ListBucketIntelligentTieringConfigurations": "s3:GetIntelligentTieringConfiguration",
    "s3:PutBucketIntelligentTieringConfiguration": "s3:PutIntelligentTieringConfiguration",
    "s3:DeleteBucketIntelligentTieringConfiguration": "s3:PutIntelligentTieringConfiguration",
    "s3:GetBucketInventoryConfiguration": "s3:GetInventoryConfiguration",
    "s3:ListBucketInventoryConfigurations": "s3:GetInventoryConfiguration",
    "s3:PutBucketInventoryConfiguration": "s3:PutInventoryConfiguration",
    "s3:DeleteBucketInventoryConfiguration": "s3:PutInventoryConfiguration",
    "s3:GetBucketMetricsConfiguration": "s3:GetMetricsConfiguration",
    "s3:ListBucketMetricsConfigurations": "s3:GetMetricsConfiguration",
    "s3:PutBucketMetricsConfiguration": "s3:PutMetricsConfiguration",
    "s3:DeleteBucketMetricsConfiguration": "s3:PutMetricsConfiguration",
    "s3:GetBucketReplication": "s3:GetReplicationConfiguration",
    "s3:PutBucketReplication": "s3:PutReplicationConfiguration",
    "s3:DeleteBucketReplication": "s3:PutReplicationConfiguration",
    "s3:GetObjectLockConfiguration": "s3:GetBucketObjectLockConfiguration",
    "s3:PutObjectLockConfiguration": "s3:PutBucketObjectLockConfiguration",
    # S3 Control's operations on S3 on Outposts buckets and on directory buckets' access points.
    "s3:GetBucket": "s3-outposts:GetBucket",
    "s3:ListRegionalBuckets": "s3-outposts:ListRegionalBuckets",
    "s3:DeleteBucketLifecycleConfiguration": "s3:PutLifecycleConfiguration",
    "s3:GetAccessPointScope": "s3express:GetAccessPointScope",
    "s3:PutAccessPointScope": "s3express:PutAccessPointScope",
    "s3:DeleteAccessPointScope": "s3express:DeleteAccessPointScope",
    "s3:ListAccessPointsForDirectoryBuckets": "s3express:ListAccessPointsForDirectoryBuckets",
    "kms:ReEncrypt": "kms:ReEncryptFrom and kms:ReEncryptTo",
    "lambda:Invoke": "lambda:InvokeFunction",
}


#: botocore's names of services whose IAM prefix is another (``stepfunctions`` is ``states``), and
#: the prefix: those of SERVICES, and of services whose actions this module does not read.
SDK_NAMES: dict[str, str] = {
    service: prefix for prefix, services in SERVICES.items() for service in services if service != prefix
} | {
    "bedrock-runtime": "bedrock",
    "bedrock-agent": "bedrock",
    "bedrock-agent-runtime": "bedrock",
    "elb": "elasticloadbalancing",
    "elbv2": "elasticloadbalancing",
    "efs": "elasticfilesystem",
    "emr": "elasticmapreduce",
    "sesv2": "ses",
    "dynamodbstreams": "dynamodb",
    "iot-data": "iot",
    "apigatewaymanagementapi": "execute-api",
}
_NOT_ACTIONS = {operation.lower(): action for operation, action in NOT_ACTIONS.items()}


@cache
def service_actions(prefix: str) -> frozenset[str]:
    """Every action of the IAM service ``prefix``, lower-cased; empty for a service unknown here."""
    if prefix in SDK_NAMES:
        return frozenset()
    available = set(_session().get_available_services())
    services = SERVICES.get(prefix, (prefix,))
    operations = {
        operation
        for service in services
        if service in available
        for operation in service_model(service).operation_names
    }
    actions = {f"{prefix}:{operation}" for operation in operations} - set(NOT_ACTIONS)
    actions |= {f"{prefix}:{action}" for action in ACTION_ONLY.get(prefix, ())}
    return frozenset(action.lower() for action in actions)


def action_error(action: str) -> str | None:
    """What is wrong with ``action`` as an IAM policy's action (None: it names real actions)."""
    if action == "*":
        return None
    prefix, _, name = action.partition(":")
    if not name:
        return f"{action!r} is not <service>:<action>"
    if prefix in SDK_NAMES:
        return f"{action!r}: {prefix!r} is botocore's name of the service, its IAM prefix is {SDK_NAMES[prefix]!r}"
    known = service_actions(prefix)
    if not known:
        return f"{action!r}: no service {prefix!r} in botocore's models or this module's tables"
    if advice := _NOT_ACTIONS.get(action.lower()):
        return f"{action!r} is an operation, not an IAM action: use {advice}"
    pattern = action.lower()
    if any(fnmatchcase(known_action, pattern) for known_action in known):
        return None
    return f"{action!r} is no action of {prefix} (botocore's operations and tests/iam_actions.py's tables)"


def policy_documents(value: Any) -> Iterator[dict[str, Any]]:
    """The IAM policy documents in a resource input: JSON text or objects holding a ``Statement``."""
    if isinstance(value, str):
        if not value.lstrip().startswith("{"):
            return
        try:
            value = json.loads(value)
        except ValueError:
            return
    if isinstance(value, dict):
        if "Statement" in value:
            yield value
            return
        for item in value.values():
            yield from policy_documents(item)
    elif isinstance(value, list):
        for item in value:
            yield from policy_documents(item)


def policy_actions(graph: ResourceGraph) -> Iterator[tuple[RecordedResource, str]]:
    """Every ``Action`` and ``NotAction`` named by a policy document in the graph's resources."""
    for resource in graph.cloud_resources:
        for document in policy_documents(dict(resource.inputs)):
            statements = document["Statement"]
            for statement in statements if isinstance(statements, list) else [statements]:
                for key in ("Action", "NotAction"):
                    named = statement.get(key, [])
                    for action in named if isinstance(named, list) else [named]:
                        yield resource, action
