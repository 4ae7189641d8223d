"""Which pack rule implements each external SageMaker control: a data table the tests hold to the registry.

Two catalogues: AWS Security Hub's SageMaker controls (SageMaker.1 ... SageMaker.25, the "Security
Hub CSPM controls for SageMaker AI" reference) and the AWS Config managed rules whose names start
with ``sagemaker-`` (the "List of AWS Config Managed Rules"). Each maps to the pack rule(s) that
implement it; ``tests/policies/test_policy_sagemaker_coverage_rules.py`` fails when a row names a
rule the registry lacks, when a rule's ``framework`` or README row does not mention the control, or
when a Security Hub control is missing. Pure data: importing it needs no pulumi-policy.

Deliberate differences from the AWS checks (a control still counts as covered):

- SageMaker.16/.19 (private registry in VPC): images in ECR are exempt; ``repositoryAccessMode``
  ``Vpc`` is for bring-your-own registries, and SageMaker pulls ECR images itself.
- SageMaker.14/.22 (monitoring schedules): a schedule that references a job definition by name is
  checked at that definition (same four settings), not at the schedule.
- SageMaker.20 (explainability jobs network-isolated): met only by running in a VPC (private
  subnets and security groups) instead. Clarify computes SHAP values by creating, invoking and
  deleting a shadow endpoint from inside the job's container, which isolation (no network, no
  credentials) forbids; an isolated explainability job fails every run.
- Every control is checked on the pulumi-aws type and on its aws-native twin; where pulumi-aws has
  no type (model bias/quality/explainability job definitions, inference experiments, processing
  jobs) the aws-native type is the only one.
"""

from __future__ import annotations

#: Security Hub control id -> (what it demands, pack rules that implement it).
SECURITY_HUB: dict[str, tuple[str, tuple[str, ...]]] = {
    "SageMaker.1": ("notebook instances have no direct internet access", ("notebook-no-direct-internet",)),
    "SageMaker.2": ("notebook instances run in a custom VPC", ("notebook-in-vpc",)),
    "SageMaker.3": ("no root access on notebook instances", ("notebook-root-access-disabled",)),
    "SageMaker.4": (
        "production variants start with more than one instance",
        ("endpoint-config-min-instance-count",),
    ),
    "SageMaker.5": ("models have network isolation", ("model-network-isolation",)),
    "SageMaker.6": ("app image configurations are tagged", ("required-cost-allocation-tags",)),
    "SageMaker.7": ("images are tagged", ("required-cost-allocation-tags",)),
    "SageMaker.8": ("notebook instances run a supported platform", ("notebook-supported-platform",)),
    "SageMaker.9": (
        "data-quality jobs encrypt inter-container traffic",
        ("data-quality-job-encrypted-isolated",),
    ),
    "SageMaker.10": (
        "explainability jobs encrypt inter-container traffic",
        ("model-monitor-job-encrypted-isolated",),
    ),
    "SageMaker.11": ("data-quality jobs are network-isolated", ("data-quality-job-encrypted-isolated",)),
    "SageMaker.12": ("bias jobs are network-isolated", ("model-monitor-job-encrypted-isolated",)),
    "SageMaker.13": (
        "model-quality jobs encrypt inter-container traffic",
        ("model-monitor-job-encrypted-isolated",),
    ),
    "SageMaker.14": (
        "monitoring schedules are network-isolated",
        ("monitoring-schedule-encrypted-isolated",),
    ),
    "SageMaker.15": (
        "bias jobs with 2+ instances encrypt inter-container traffic",
        ("model-monitor-job-encrypted-isolated",),
    ),
    "SageMaker.16": (
        "primary containers pull from a private registry in the VPC",
        ("model-private-registry-via-vpc",),
    ),
    "SageMaker.17": ("feature-group offline stores are KMS-encrypted", ("feature-group-kms-encrypted",)),
    "SageMaker.18": ("standard online stores are KMS-encrypted", ("feature-group-kms-encrypted",)),
    "SageMaker.19": (
        "multi-container models pull from a private registry in the VPC",
        ("model-private-registry-via-vpc",),
    ),
    "SageMaker.20": ("explainability jobs are network-isolated", ("model-monitor-job-encrypted-isolated",)),
    "SageMaker.21": ("notebook volumes use a customer-managed KMS key", ("notebook-kms-encrypted",)),
    "SageMaker.22": (
        "monitoring schedules encrypt inter-container traffic",
        ("monitoring-schedule-encrypted-isolated",),
    ),
    "SageMaker.23": (
        "inference experiments encrypt instance storage with KMS",
        ("inference-experiment-kms-encrypted",),
    ),
    "SageMaker.24": (
        "inference experiments encrypt captured data with KMS",
        ("inference-experiment-kms-encrypted",),
    ),
    "SageMaker.25": ("model-quality jobs are network-isolated", ("model-monitor-job-encrypted-isolated",)),
}

#: AWS Config managed rule -> pack rules that implement it.
AWS_CONFIG: dict[str, tuple[str, ...]] = {
    "sagemaker-app-image-config-tagged": ("required-cost-allocation-tags",),
    "sagemaker-data-quality-job-encrypt-in-transit": ("data-quality-job-encrypted-isolated",),
    "sagemaker-data-quality-job-isolation": ("data-quality-job-encrypted-isolated",),
    "sagemaker-domain-in-vpc": ("studio-domain-vpc-only-encrypted",),
    "sagemaker-domain-tagged": ("required-cost-allocation-tags",),
    "sagemaker-endpoint-config-kms-key-required": ("endpoint-config-kms-encrypted",),
    "sagemaker-endpoint-config-prod-instance-count": ("endpoint-config-min-instance-count",),
    "sagemaker-endpoint-configuration-kms-key-configured": ("endpoint-config-kms-encrypted",),
    "sagemaker-feature-group-tagged": ("required-cost-allocation-tags",),
    "sagemaker-featuregroup-description": ("sagemaker-resource-described",),
    "sagemaker-featuregroup-encryption-at-rest": ("feature-group-kms-encrypted",),
    "sagemaker-featuregroup-online-store-encryption": ("feature-group-kms-encrypted",),
    "sagemaker-image-description": ("sagemaker-resource-described",),
    "sagemaker-image-tagged": ("required-cost-allocation-tags",),
    "sagemaker-inf-experiment-data-storage-kms-encrypted": ("inference-experiment-kms-encrypted",),
    "sagemaker-inf-experiment-instance-storage-kms-encrypted": ("inference-experiment-kms-encrypted",),
    "sagemaker-inferenceexperiment-tagged": ("required-cost-allocation-tags",),
    "sagemaker-model-bias-job-encrypt-in-transit": ("model-monitor-job-encrypted-isolated",),
    "sagemaker-model-bias-job-isolation": ("model-monitor-job-encrypted-isolated",),
    "sagemaker-model-explainability-job-encrypt-in-transit": ("model-monitor-job-encrypted-isolated",),
    "sagemaker-model-explainability-job-network-isolation": ("model-monitor-job-encrypted-isolated",),
    "sagemaker-model-in-vpc": ("model-in-vpc",),
    "sagemaker-model-isolation-enabled": ("model-network-isolation",),
    "sagemaker-model-multicontainer-private-registry": ("model-private-registry-via-vpc",),
    "sagemaker-model-private-registry-required": ("model-private-registry-via-vpc",),
    "sagemaker-model-quality-job-definition-isolation": ("model-monitor-job-encrypted-isolated",),
    "sagemaker-model-quality-job-encrypt-in-transit": ("model-monitor-job-encrypted-isolated",),
    "sagemaker-monitoring-schedule-isolation": ("monitoring-schedule-encrypted-isolated",),
    "sagemaker-monitoring-schedule-traffic-encryption": ("monitoring-schedule-encrypted-isolated",),
    "sagemaker-notebook-instance-inside-vpc": ("notebook-in-vpc",),
    "sagemaker-notebook-instance-kms-key-configured": ("notebook-kms-encrypted",),
    "sagemaker-notebook-instance-platform-version": ("notebook-supported-platform",),
    "sagemaker-notebook-instance-root-access-check": ("notebook-root-access-disabled",),
    "sagemaker-notebook-instance-storage-vol-kms-encrypted": ("notebook-kms-encrypted",),
    "sagemaker-notebook-no-direct-internet-access": ("notebook-no-direct-internet",),
}

#: The AWS Config rule behind each Security Hub control (the control reference names it).
SECURITY_HUB_CONFIG_RULE: dict[str, str] = {
    "SageMaker.1": "sagemaker-notebook-no-direct-internet-access",
    "SageMaker.2": "sagemaker-notebook-instance-inside-vpc",
    "SageMaker.3": "sagemaker-notebook-instance-root-access-check",
    "SageMaker.4": "sagemaker-endpoint-config-prod-instance-count",
    "SageMaker.5": "sagemaker-model-isolation-enabled",
    "SageMaker.6": "sagemaker-app-image-config-tagged",
    "SageMaker.7": "sagemaker-image-tagged",
    "SageMaker.8": "sagemaker-notebook-instance-platform-version",
    "SageMaker.9": "sagemaker-data-quality-job-encrypt-in-transit",
    "SageMaker.10": "sagemaker-model-explainability-job-encrypt-in-transit",
    "SageMaker.11": "sagemaker-data-quality-job-isolation",
    "SageMaker.12": "sagemaker-model-bias-job-isolation",
    "SageMaker.13": "sagemaker-model-quality-job-encrypt-in-transit",
    "SageMaker.14": "sagemaker-monitoring-schedule-isolation",
    "SageMaker.15": "sagemaker-model-bias-job-encrypt-in-transit",
    "SageMaker.16": "sagemaker-model-private-registry-required",
    "SageMaker.17": "sagemaker-featuregroup-encryption-at-rest",
    "SageMaker.18": "sagemaker-featuregroup-online-store-encryption",
    "SageMaker.19": "sagemaker-model-multicontainer-private-registry",
    "SageMaker.20": "sagemaker-model-explainability-job-network-isolation",
    "SageMaker.21": "sagemaker-notebook-instance-storage-vol-kms-encrypted",
    "SageMaker.22": "sagemaker-monitoring-schedule-traffic-encryption",
    "SageMaker.23": "sagemaker-inf-experiment-instance-storage-kms-encrypted",
    "SageMaker.24": "sagemaker-inf-experiment-data-storage-kms-encrypted",
    "SageMaker.25": "sagemaker-model-quality-job-definition-isolation",
}
