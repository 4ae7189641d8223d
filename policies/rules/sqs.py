"""SQS rules: queues are encrypted at rest with a customer-managed KMS key.

Checkov's CKV_AWS_27 (and Security Hub SQS.1) also accept SSE-SQS (``sqsManagedSseEnabled``),
where SQS owns the key: no key policy, no CloudTrail record of key use, no way to revoke
access by disabling the key. The platform encrypts its queues with its own KMS key, so SSE-SQS
is accepted only with ``allowSqsManagedSse: true``; ``alias/aws/sqs`` (the AWS-managed key) is
never a customer key.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from ._common import CHECKOV, HIGH, MANDATORY, framework, get, is_set, is_true, resource_rule, shown
from ._props import AWS_MANAGED_ALIAS

QUEUE = "aws:sqs/queue:Queue"
NATIVE_QUEUE = "aws-native:sqs:Queue"
#: An AWS-managed key (``alias/aws/sqs``, or any other ``alias/aws/*``), bare or as an alias ARN in any partition.
AWS_MANAGED_KEY = AWS_MANAGED_ALIAS

Check = Iterator[str]


def _queue_kms_encrypted(args: ResourceValidationArgs, cfg: Mapping[str, Any]) -> Check:
    key = get(args.props, "kmsMasterKeyId")
    if is_set(key):
        if isinstance(key, str) and AWS_MANAGED_KEY.search(key):
            yield (
                f"kmsMasterKeyId is {shown(key)}, the AWS-managed key: set kms_master_key_id to a "
                "customer-managed KMS key whose policy lets the producers use it."
            )
        return
    if is_true(cfg["allowSqsManagedSse"]) and is_true(get(args.props, "sqsManagedSseEnabled")):
        return
    yield (
        "kmsMasterKeyId is unset: set kms_master_key_id to a customer-managed KMS key (SSE-SQS, "
        "sqsManagedSseEnabled, is accepted only with allowSqsManagedSse: true)."
    )


sqs_queue_kms_encrypted = resource_rule(
    name="sqs-queue-kms-encrypted",
    description=(
        "SQS queues must be encrypted with a customer-managed KMS key (not alias/aws/sqs). Fix: set "
        "kmsMasterKeyId; SSE-SQS (sqsManagedSseEnabled) passes only with allowSqsManagedSse: true."
    ),
    resource_types=[QUEUE, NATIVE_QUEUE],
    check=_queue_kms_encrypted,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(CHECKOV, "CKV_AWS_27", "FSBP SQS.1"),
    config={
        "allowSqsManagedSse": {
            "type": "boolean",
            "default": False,
            "description": "Accept SSE-SQS (sqsManagedSseEnabled) as Checkov does; the platform uses KMS.",
        }
    },
    tags=["sqs", "encryption"],
)

POLICIES = [sqs_queue_kms_encrypted]
