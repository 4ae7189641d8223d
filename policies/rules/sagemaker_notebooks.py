"""SageMaker notebook instance and Studio domain rules: the interactive workbench stays in the VPC.

Sources: AWS Security Hub SageMaker.1/.2/.3/.8/.21 (FSBP), AWS Config managed rules and Checkov.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from ._common import (
    ADVISORY,
    AWS_CONFIG,
    CHECKOV,
    FSBP,
    HIGH,
    MANDATORY,
    MEDIUM,
    each_part,
    framework,
    get,
    is_set,
    number,
    resource_rule,
    shown,
    str_list,
)

NOTEBOOK = "aws:sagemaker/notebookInstance:NotebookInstance"
DOMAIN = "aws:sagemaker/domain:Domain"
NATIVE_NOTEBOOK = "aws-native:sagemaker:NotebookInstance"
NATIVE_DOMAIN = "aws-native:sagemaker:Domain"
NOTEBOOKS = (NOTEBOOK, NATIVE_NOTEBOOK)
DOMAINS = (DOMAIN, NATIVE_DOMAIN)
#: The notebook's security groups: pulumi-aws ``securityGroups``, aws-native ``securityGroupIds``.
SECURITY_GROUPS = {NOTEBOOK: "securityGroups", NATIVE_NOTEBOOK: "securityGroupIds"}

Check = Iterator[str]


# --- notebook instances ----------------------------------------------------------------


def _notebook_no_direct_internet(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    value = get(args.props, "directInternetAccess")
    if value != "Disabled":
        yield (
            f"directInternetAccess is {shown(value)} (unset means Enabled): set "
            "direct_internet_access='Disabled' and reach AWS through the VPC's endpoints."
        )


def _notebook_in_vpc(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    path = SECURITY_GROUPS[args.resource_type]

    def subnet() -> Check:
        if not is_set(get(args.props, "subnetId")):
            yield "subnetId is unset: set subnet_id to a private subnet of the platform VPC."

    def security_groups() -> Check:
        if not is_set(get(args.props, path)):
            yield f"{path} is empty: set it to a security group of the platform VPC."

    yield from each_part(subnet, security_groups)


def _notebook_root_access_disabled(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    value = get(args.props, "rootAccess")
    if value != "Disabled":
        yield f"rootAccess is {shown(value)} (unset means Enabled): set root_access='Disabled'."


def _notebook_supported_platform(args: ResourceValidationArgs, cfg: Mapping[str, Any]) -> Check:
    value = get(args.props, "platformIdentifier")
    prefixes = str_list(cfg["allowedPlatformPrefixes"])
    if not (isinstance(value, str) and any(value.startswith(p) for p in prefixes)):
        yield (
            f"platformIdentifier is {shown(value)}: set platform_identifier to a supported platform "
            f"starting with one of {prefixes} (for example 'notebook-al2023-v1')."
        )


def _notebook_kms_encrypted(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    if not is_set(get(args.props, "kmsKeyId")):
        yield "kmsKeyId is unset: set kms_key_id to a customer-managed KMS key to encrypt the notebook volume."


def _notebook_imdsv2_only(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    path = "instanceMetadataServiceConfiguration.minimumInstanceMetadataServiceVersion"
    value = get(args.props, path)
    if not (value == "2" or number(value) == 2):
        yield (
            f"{path} is {shown(value)}: set instance_metadata_service_configuration="
            "{'minimum_instance_metadata_service_version': '2'} to allow IMDSv2 only."
        )


_NOTEBOOK_TAGS = ["sagemaker", "notebook"]

notebook_no_direct_internet = resource_rule(
    name="notebook-no-direct-internet",
    description=(
        "SageMaker notebook instances must not have direct internet access. Fix: set "
        "directInternetAccess='Disabled' and place the notebook in a VPC subnet with endpoints."
    ),
    resource_types=NOTEBOOKS,
    check=_notebook_no_direct_internet,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(
        FSBP, "SageMaker.1", "AWS Config sagemaker-notebook-no-direct-internet-access; Checkov CKV_AWS_122"
    ),
    tags=_NOTEBOOK_TAGS,
)

notebook_in_vpc = resource_rule(
    name="notebook-in-vpc",
    description=(
        "SageMaker notebook instances must run in a custom VPC. Fix: set subnetId and "
        "securityGroups to the platform VPC's private subnet and security group."
    ),
    resource_types=NOTEBOOKS,
    check=_notebook_in_vpc,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(
        FSBP, "SageMaker.2", "AWS Config sagemaker-notebook-instance-inside-vpc; Checkov CKV_AWS_306"
    ),
    tags=_NOTEBOOK_TAGS,
)

notebook_root_access_disabled = resource_rule(
    name="notebook-root-access-disabled",
    description="SageMaker notebook users must not have root access. Fix: set rootAccess='Disabled'.",
    resource_types=NOTEBOOKS,
    check=_notebook_root_access_disabled,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(
        FSBP, "SageMaker.3", "AWS Config sagemaker-notebook-instance-root-access-check; Checkov CKV_AWS_307"
    ),
    tags=_NOTEBOOK_TAGS,
)

notebook_supported_platform = resource_rule(
    name="notebook-supported-platform",
    description=(
        "SageMaker notebook instances must run a supported platform. Fix: set platformIdentifier "
        "to a current platform such as 'notebook-al2023-v1' (configurable prefixes)."
    ),
    resource_types=NOTEBOOKS,
    check=_notebook_supported_platform,
    enforcement_level=ADVISORY,
    severity=MEDIUM,
    framework=framework(FSBP, "SageMaker.8", "AWS Config sagemaker-notebook-instance-platform-version"),
    config={
        "allowedPlatformPrefixes": {
            "type": "array",
            "items": {"type": "string"},
            "default": ["notebook-al2023-"],
            "description": "platformIdentifier prefixes that count as supported.",
        }
    },
    tags=_NOTEBOOK_TAGS,
)

notebook_kms_encrypted = resource_rule(
    name="notebook-kms-encrypted",
    description=(
        "SageMaker notebook volumes must be encrypted with a customer-managed KMS key. Fix: set kmsKeyId."
    ),
    resource_types=NOTEBOOKS,
    check=_notebook_kms_encrypted,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(
        FSBP,
        "SageMaker.21",
        "AWS Config sagemaker-notebook-instance-storage-vol-kms-encrypted, "
        "sagemaker-notebook-instance-kms-key-configured; Checkov CKV_AWS_22, CKV_AWS_187",
    ),
    tags=_NOTEBOOK_TAGS,
)

notebook_imdsv2_only = resource_rule(
    name="notebook-imdsv2-only",
    description=(
        "SageMaker notebook instances must allow IMDSv2 only. Fix: set "
        "instanceMetadataServiceConfiguration.minimumInstanceMetadataServiceVersion='2'."
    ),
    resource_types=NOTEBOOKS,
    check=_notebook_imdsv2_only,
    enforcement_level=MANDATORY,
    severity=MEDIUM,
    framework=framework(CHECKOV, "CKV_AWS_371"),
    tags=_NOTEBOOK_TAGS,
)


# --- Studio domains ----------------------------------------------------------------


def _studio_domain_vpc_only_encrypted(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    def network() -> Check:
        mode = get(args.props, "appNetworkAccessType")
        if mode != "VpcOnly":
            yield f"appNetworkAccessType is {shown(mode)} (unset means PublicInternetOnly): set app_network_access_type='VpcOnly'."

    def key() -> Check:
        if not is_set(get(args.props, "kmsKeyId")):
            yield "kmsKeyId is unset: set kms_key_id to a customer-managed KMS key for the domain's EFS volume."

    yield from each_part(network, key)


studio_domain_vpc_only_encrypted = resource_rule(
    name="studio-domain-vpc-only-encrypted",
    description=(
        "SageMaker Studio domains must be VPC-only and KMS-encrypted. Fix: set "
        "appNetworkAccessType='VpcOnly' and kmsKeyId."
    ),
    resource_types=DOMAINS,
    check=_studio_domain_vpc_only_encrypted,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(AWS_CONFIG, "sagemaker-domain-in-vpc", "Checkov CKV_AWS_187"),
    tags=["sagemaker", "network", "encryption"],
)


POLICIES = [
    notebook_no_direct_internet,
    notebook_in_vpc,
    notebook_root_access_disabled,
    notebook_supported_platform,
    notebook_kms_encrypted,
    notebook_imdsv2_only,
    studio_domain_vpc_only_encrypted,
]
