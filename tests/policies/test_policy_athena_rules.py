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
    pytest.param(
        RULE,
        WORKGROUP,
        _with("configuration.enforceWorkgroupConfiguration", None),
        "is not true",
        id="enforce-unset",
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
    pytest.param(RULE, WORKGROUP, {"name": "adhoc"}, "is not true", id="no-configuration"),
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
