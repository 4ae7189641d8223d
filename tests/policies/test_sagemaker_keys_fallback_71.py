"""``sagemaker-stores-customer-managed-key`` says, per store, what encrypts it without the customer's key
(policies/rules/sagemaker_keys.py ``StoreKey.fallback``).

The message said "SageMaker falls back on the S3 bucket's default encryption or an AWS owned key" for
every store, but the SageMaker API reference says otherwise for some (session 71's brief): core dumps
(ProductionVariantCoreDumpConfig) and labeling jobs' output (LabelingJobOutputConfig) fall back on "the
default KMS key for Amazon S3 for your role's account", the AWS managed key aws/s3; only HyperPod volumes
(ClusterEbsVolumeConfig) name "an Amazon Web Services owned key"; the other S3 outputs name no key (their
bucket's default encryption), nor do model cards and packages. Each store's message now names its own.
"""

from __future__ import annotations

import pytest

from policies.rules.sagemaker_keys import STORE_KEYS, StoreKey
from tests.policies.one_resource import findings
from tests.policies.test_sagemaker_keys_class_70 import STORE_CASES, store_props

RULE = "sagemaker-stores-customer-managed-key"
AWS_MANAGED = (
    '(without it: the AWS managed key aws/s3 ("the default KMS key for Amazon S3 for your role\'s account"))'
)
AWS_OWNED = "(without it: an AWS owned key)"
BUCKET = "(without it: the bucket's default encryption (SSE-S3 at least; SageMaker names no key))"
SAGEMAKER = "(without it: encryption SageMaker chooses (it documents no key))"


def expected(token: str, spec: StoreKey) -> str:
    """The documented fallback of a store, from its place in the API (not from the rule's table)."""
    if "coreDumpConfig" in spec.block or token.endswith(":LabelingJob"):
        return AWS_MANAGED
    if "ebsVolumeConfig" in spec.block:
        return AWS_OWNED
    if spec.path == "securityConfig.kmsKeyId":
        return SAGEMAKER
    return BUCKET


@pytest.mark.parametrize(("token", "spec"), STORE_CASES)
def test_each_store_names_its_own_fallback(token: str, spec: StoreKey) -> None:
    messages, undecided = findings(RULE, token, store_props(spec, None))
    assert undecided == 0 and len(messages) == 1, messages
    assert expected(token, spec) in messages[0], messages[0]
    # The near miss: no other store's fallback is claimed.
    others = {AWS_MANAGED, AWS_OWNED, BUCKET, SAGEMAKER} - {expected(token, spec)}
    assert not any(other in messages[0] for other in others), messages[0]


def test_only_hyperpod_volumes_are_said_to_use_an_aws_owned_key() -> None:
    owned = sorted(
        f"{token} {spec.path}"
        for token, specs in STORE_KEYS.items()
        for spec in specs
        if "owned" in spec.fallback
    )
    assert owned == [
        "aws-native:sagemaker:Cluster instanceGroups[].instanceStorageConfigs[].ebsVolumeConfig.volumeKmsKeyId",
        "aws-native:sagemaker:Cluster restrictedInstanceGroups[].instanceStorageConfigs[].ebsVolumeConfig.volumeKmsKeyId",
    ]


def test_the_core_dump_and_label_stores_are_said_to_use_the_aws_managed_key() -> None:
    managed = {
        (token, spec.path)
        for token, specs in STORE_KEYS.items()
        for spec in specs
        if "aws/s3" in spec.fallback
    }
    assert managed == {
        (
            "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
            "productionVariants[].coreDumpConfig.kmsKeyId",
        ),
        (
            "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
            "shadowProductionVariants[].coreDumpConfig.kmsKeyId",
        ),
        ("aws-native:sagemaker:EndpointConfig", "productionVariants[].coreDumpConfig.kmsKeyId"),
        ("aws-native:sagemaker:EndpointConfig", "shadowProductionVariants[].coreDumpConfig.kmsKeyId"),
        ("aws:sagemaker/labelingJob:LabelingJob", "outputConfig.kmsKeyId"),
    }
