"""athena-workgroup-encrypted-enforced: the workgroup's configuration is enforced and its results
are KMS-encrypted with a named key (pulumi-aws and aws-native shapes)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

RULE = "athena-workgroup-encrypted-enforced"
WORKGROUP = "aws:athena/workgroup:Workgroup"
NATIVE_WORKGROUP = "aws-native:athena:WorkGroup"
KEY = "arn:aws:kms:eu-west-1:111122223333:key/abcd"
COMPLIANT = {
    "name": "mlops-platform-prod-feature-queries",
    "configuration": {
        "enforceWorkgroupConfiguration": True,
        "resultConfiguration": {
            "outputLocation": "s3://artifacts/athena-results/",
            "encryptionConfiguration": {"encryptionOption": "SSE_KMS", "kmsKeyArn": KEY},
        },
    },
}


def _with(path: str, value: Any) -> dict[str, Any]:
    inputs = copy.deepcopy(COMPLIANT)
    *parents, leaf = path.split(".")
    node = inputs
    for part in parents:
        node = node[part]
    if value is None:
        del node[leaf]
    else:
        node[leaf] = value
    return inputs


def _native(configuration: dict[str, Any]) -> dict[str, Any]:
    return {"name": "wg", "workGroupConfiguration": configuration}


def _managed(managed: dict[str, Any]) -> dict[str, Any]:
    """Results in Athena-owned storage (no S3 results location)."""
    return {
        "name": "wg",
        "configuration": {"enforceWorkgroupConfiguration": True, "managedQueryResultsConfiguration": managed},
    }


_NATIVE_ENCRYPTED = {"encryptionConfiguration": {"encryptionOption": "SSE_KMS", "kmsKey": KEY}}
_OPTION = "configuration.resultConfiguration.encryptionConfiguration.encryptionOption"

CASES = [
    pytest.param(RULE, WORKGROUP, COMPLIANT, None, id="enforced-sse-kms-passes"),
    pytest.param(RULE, WORKGROUP, _with(_OPTION, "CSE_KMS"), None, id="cse-kms-passes"),
    pytest.param(
        RULE,
        WORKGROUP,
        _with("configuration.enforceWorkgroupConfiguration", False),
        "is not true",
        id="not-enforced",
    ),
    # pulumi-aws defaults enforce_workgroup_configuration to true (pulumi_aws/athena/_inputs.py).
    pytest.param(
        RULE,
        WORKGROUP,
        _with("configuration.enforceWorkgroupConfiguration", None),
        None,
        id="enforce-unset-defaults-true",
    ),
    # CloudFormation (aws-native) defaults EnforceWorkGroupConfiguration to false.
    pytest.param(
        RULE,
        NATIVE_WORKGROUP,
        _native({"resultConfiguration": _NATIVE_ENCRYPTED}),
        "is not true",
        id="native-enforce-unset",
    ),
    pytest.param(
        RULE,
        WORKGROUP,
        _managed({"enabled": True, "encryptionConfiguration": {"kmsKey": KEY}}),
        None,
        id="managed-results-kms",
    ),
    pytest.param(
        RULE,
        WORKGROUP,
        _managed({"enabled": True}),
        "managedQueryResultsConfiguration.encryptionConfiguration.kmsKey is unset",
        id="managed-results-no-key",
    ),
    pytest.param(
        RULE,
        NATIVE_WORKGROUP,
        _native(
            {
                "enforceWorkGroupConfiguration": True,
                "managedQueryResultsConfiguration": {
                    "enabled": True,
                    "encryptionConfiguration": {"kmsKey": KEY},
                },
            }
        ),
        None,
        id="native-managed-results-kms",
    ),
    pytest.param(
        RULE,
        NATIVE_WORKGROUP,
        _native(
            {"enforceWorkGroupConfiguration": True, "managedQueryResultsConfiguration": {"enabled": True}}
        ),
        "encryptionConfiguration.kmsKey is unset",
        id="native-managed-results-no-key",
    ),
    # Disabled managed results: the S3 results location is what is judged.
    pytest.param(
        RULE,
        WORKGROUP,
        _managed({"enabled": False, "encryptionConfiguration": {"kmsKey": KEY}}),
        "encrypt them with KMS",
        id="managed-results-disabled",
    ),
    pytest.param(RULE, WORKGROUP, _with(_OPTION, "SSE_S3"), "encrypt them with KMS", id="sse-s3"),
    pytest.param(
        RULE,
        WORKGROUP,
        _with("configuration.resultConfiguration.encryptionConfiguration", None),
        "encrypt them with KMS",
        id="results-unencrypted",
    ),
    pytest.param(
        RULE,
        WORKGROUP,
        _with("configuration.resultConfiguration.encryptionConfiguration.kmsKeyArn", None),
        "kmsKeyArn is unset",
        id="kms-without-a-key",
    ),
    pytest.param(RULE, WORKGROUP, {"name": "adhoc"}, "encrypt them with KMS", id="no-configuration"),
    pytest.param(
        RULE,
        NATIVE_WORKGROUP,
        _native({"enforceWorkGroupConfiguration": True, "resultConfiguration": _NATIVE_ENCRYPTED}),
        None,
        id="native-compliant",
    ),
    pytest.param(
        RULE,
        NATIVE_WORKGROUP,
        _native({"enforceWorkGroupConfiguration": False, "resultConfiguration": _NATIVE_ENCRYPTED}),
        "is not true",
        id="native-not-enforced",
    ),
    pytest.param(
        RULE,
        NATIVE_WORKGROUP,
        _native({"enforceWorkGroupConfiguration": True, "resultConfiguration": {}}),
        "encrypt them with KMS",
        id="native-unencrypted",
    ),
]


@pytest.mark.parametrize(("policy_name", "resource_type", "inputs", "fragment"), CASES)
def test_rule(check_resource, outcome, policy_name, resource_type, inputs, fragment) -> None:
    outcome(check_resource(policy_name, resource_type, inputs), policy_name, fragment)
