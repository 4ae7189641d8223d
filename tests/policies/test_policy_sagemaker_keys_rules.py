"""``sagemaker-stores-customer-managed-key``'s and ``sagemaker-keys-customer-managed``'s passing and violating cases in the pack's table shape
(tests/policies/test_policy_pack.py collects them); the class scan and the rule's semantics per store
are in tests/policies/test_sagemaker_keys_class_70.py."""

from __future__ import annotations

import pytest

RULE = "sagemaker-stores-customer-managed-key"
KEY = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
CARD = "aws:sagemaker/modelCard:ModelCard"
CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
ASYNC = {"outputConfig": {"s3OutputPath": "s3://artifacts/async/results/"}}

CASES = [
    pytest.param(
        RULE, CARD, {"modelCardStatus": "Draft"}, "securityConfig.kmsKeyId is unset", id="card-unkeyed"
    ),
    pytest.param(RULE, CARD, {"securityConfig": {"kmsKeyId": KEY}}, None, id="card-keyed"),
    pytest.param(
        RULE,
        CONFIG,
        {"asyncInferenceConfig": ASYNC},
        "asyncInferenceConfig.outputConfig.kmsKeyId is unset",
        id="async-output-unkeyed",
    ),
    pytest.param(
        RULE,
        CONFIG,
        {"asyncInferenceConfig": {"outputConfig": {**ASYNC["outputConfig"], "kmsKeyId": KEY}}},
        None,
        id="async-output-keyed",
    ),
    pytest.param(RULE, CONFIG, {"kmsKeyArn": KEY}, None, id="no-async-no-demand"),
    pytest.param(
        "sagemaker-keys-customer-managed",
        CONFIG,
        {"kmsKeyArn": "alias/aws/sagemaker"},
        "kmsKeyArn is 'alias/aws/sagemaker', an AWS managed key",
        id="storage-key-aws-managed",
    ),
    pytest.param(
        "sagemaker-keys-customer-managed", CONFIG, {"kmsKeyArn": KEY}, None, id="storage-key-customer"
    ),
]


@pytest.mark.parametrize(("policy_name", "resource_type", "inputs", "fragment"), CASES)
def test_rule(check_resource, outcome, policy_name, resource_type, inputs, fragment):
    outcome(check_resource(policy_name, resource_type, inputs), policy_name, fragment)
