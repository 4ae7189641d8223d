"""CloudTrail rules: trails validate their log files, encrypt them with a KMS key and record every region.

The three settings AWS Security Hub checks on a trail (FSBP CloudTrail.4, CloudTrail.2,
CloudTrail.1) and Checkov on the Terraform/Pulumi resource (CKV_AWS_36, CKV_AWS_35, CKV_AWS_67),
on ``aws:cloudtrail/trail:Trail`` and its aws-native twin (the same property names). CloudTrail.1
also asks that some multi-region trail record read and write management events; that is the
account's concern (an organisation trail may do it), so here each trail is held to the
multi-region part only, and a trail whose logging is stopped (``enableLogging`` /
``isLogging`` false) records no region at all. CloudTrail Lake event data stores (pulumi-aws and
aws-native ``EventDataStore``, ``kmsKeyId`` on both) keep the same events: the KMS rule holds them to a
customer-managed key too (AWS Config event-data-store-cmk-encryption-enabled).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from ._common import (
    FSBP,
    HIGH,
    MANDATORY,
    MEDIUM,
    each_part,
    framework,
    get,
    is_false,
    is_set,
    is_true,
    resource_rule,
)

TRAIL = "aws:cloudtrail/trail:Trail"
NATIVE_TRAIL = "aws-native:cloudtrail:Trail"
TRAILS = [TRAIL, NATIVE_TRAIL]
#: CloudTrail Lake event data stores: the same events, kept queryable in CloudTrail's own storage,
#: encrypted with a CloudTrail-owned key unless ``kmsKeyId`` names one (pulumi-aws and aws-native alike;
#: AWS Config event-data-store-cmk-encryption-enabled).
EVENT_DATA_STORES = ["aws:cloudtrail/eventDataStore:EventDataStore", "aws-native:cloudtrail:EventDataStore"]

Check = Iterator[str]


def _log_file_validation(args: ResourceValidationArgs, cfg: Mapping[str, Any]) -> Check:
    if not is_true(get(args.props, "enableLogFileValidation")):
        yield (
            "enableLogFileValidation is not true: set enable_log_file_validation=True so CloudTrail "
            "writes signed digest files and a changed or deleted log file can be detected."
        )


def _kms_encrypted(args: ResourceValidationArgs, cfg: Mapping[str, Any]) -> Check:
    if is_set(get(args.props, "kmsKeyId")):
        return
    if args.resource_type in EVENT_DATA_STORES:
        # The key cannot be removed or changed once set, and one CloudTrail may not use stops the
        # store's ingestion (CloudTrail API Reference, CreateEventDataStore KmsKeyId): the fix names
        # the key policy CloudTrail needs.
        yield (
            "kmsKeyId is unset, so CloudTrail encrypts the event data store with its own key: set "
            "kms_key_id to a customer-managed KMS key whose policy lets cloudtrail.amazonaws.com use it "
            "and your auditors decrypt."
        )
    else:
        yield (
            "kmsKeyId is unset, so log files are only SSE-S3 encrypted: set kms_key_id to a "
            "customer-managed KMS key whose policy lets cloudtrail.amazonaws.com encrypt for this "
            "trail (aws:SourceArn) and your auditors decrypt."
        )


#: Whether the trail is logging: pulumi-aws ``enableLogging`` (default true), aws-native ``isLogging``.
LOGGING = {TRAIL: "enableLogging", NATIVE_TRAIL: "isLogging"}


def _multi_region(args: ResourceValidationArgs, cfg: Mapping[str, Any]) -> Check:
    logging = LOGGING[args.resource_type]

    def every_region() -> Check:
        if not is_true(get(args.props, "isMultiRegionTrail")):
            yield (
                "isMultiRegionTrail is not true: set is_multi_region_trail=True so activity in every "
                "region (including ones nobody uses yet) is recorded."
            )

    def logging_on() -> Check:
        if is_false(get(args.props, logging)):
            yield (
                f"{logging} is false: a stopped trail records no region at all; remove enable_logging=False "
                "(aws-native: set is_logging=True)."
            )

    yield from each_part(every_region, logging_on)


cloudtrail_log_file_validation = resource_rule(
    name="cloudtrail-log-file-validation",
    description=(
        "CloudTrail trails must validate their log files (signed digests). Fix: set "
        "enableLogFileValidation to true."
    ),
    resource_types=TRAILS,
    check=_log_file_validation,
    enforcement_level=MANDATORY,
    severity=MEDIUM,
    framework=framework(FSBP, "CloudTrail.4", "CKV_AWS_36"),
    tags=["cloudtrail", "audit"],
)

cloudtrail_kms_encrypted = resource_rule(
    name="cloudtrail-kms-encrypted",
    description=(
        "CloudTrail log files and CloudTrail Lake event data stores must be encrypted with a "
        "customer-managed KMS key. Fix: set kmsKeyId to a key whose policy grants "
        "cloudtrail.amazonaws.com kms:GenerateDataKey* for the trail or event data store."
    ),
    resource_types=[*TRAILS, *EVENT_DATA_STORES],
    check=_kms_encrypted,
    enforcement_level=MANDATORY,
    severity=MEDIUM,
    framework=framework(
        FSBP, "CloudTrail.2", "CKV_AWS_35; AWS Config event-data-store-cmk-encryption-enabled"
    ),
    tags=["cloudtrail", "audit", "encryption"],
)

cloudtrail_multi_region = resource_rule(
    name="cloudtrail-multi-region",
    description=(
        "CloudTrail trails must record every region, and be logging. Fix: set isMultiRegionTrail to "
        "true and leave enableLogging (aws-native: isLogging) true."
    ),
    resource_types=TRAILS,
    check=_multi_region,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(FSBP, "CloudTrail.1", "CKV_AWS_67"),
    tags=["cloudtrail", "audit"],
)

POLICIES = [cloudtrail_log_file_validation, cloudtrail_kms_encrypted, cloudtrail_multi_region]
