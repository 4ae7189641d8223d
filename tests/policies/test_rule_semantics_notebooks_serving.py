"""Rule semantics the other policy tests left unpinned for the notebook and Studio rules and for how
the serving rules follow an endpoint through the stack (``policies/rules/_serving.py``) and count what
they cannot decide at preview (``policies/rules/_undecided.py``).

Written from a mutation audit of ``policies/rules/{sagemaker_notebooks,_serving,_undecided}.py``:
each case below fails under a mutant that passed every earlier test (an aws-native type dropped from
a rule's scope, an unset value treated as compliant, a prefix matched anywhere instead of at the
start, an unknown value at preview reported as a violation, a message no longer naming the property
to fix). Each case sits just inside or just outside a rule's condition and says which enforcement
level the violation carries. Expected values (types, property paths, levels) are written out from
``policies/README.md`` and POLICY-CONTROLS.md, not imported from the rules.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.local import evaluate_report
from policies.registry import get_policy
from tests.policies.conftest import build, run_policy
from tests.policies.test_policy_prod_stack_rules import prod_graph
from tests.policies.test_policy_sagemaker_rules import NOTEBOOK_OK
from tests.policies.test_rule_semantics_storage_network_jobs import SSE, bucket_stack

MANDATORY, ADVISORY = "mandatory", "advisory"
KEY = "arn:aws:kms:eu-west-1:111122223333:key/abcd"
NOTEBOOK = "aws:sagemaker/notebookInstance:NotebookInstance"
NATIVE_NOTEBOOK = "aws-native:sagemaker:NotebookInstance"
DOMAIN = "aws:sagemaker/domain:Domain"
NATIVE_DOMAIN = "aws-native:sagemaker:Domain"

#: A notebook every notebook rule accepts, per type (aws-native names its groups ``securityGroupIds``).
HARDENED_NOTEBOOK = {NOTEBOOK: NOTEBOOK_OK}
HARDENED_NOTEBOOK[NATIVE_NOTEBOOK] = {
    **{k: v for k, v in HARDENED_NOTEBOOK[NOTEBOOK].items() if k != "securityGroups"},
    "securityGroupIds": ["sg-1"],
}
HARDENED_DOMAIN = {
    "domainName": "studio",
    "authMode": "IAM",
    "appNetworkAccessType": "VpcOnly",
    "kmsKeyId": KEY,
}
NOTEBOOK_RULES = (
    "notebook-no-direct-internet",
    "notebook-in-vpc",
    "notebook-root-access-disabled",
    "notebook-supported-platform",
    "notebook-kms-encrypted",
    "notebook-imdsv2-only",
)


def one(policy: str, resource_type: str, inputs: dict[str, Any], config: dict[str, Any] | None = None):
    return run_policy(policy, [{"type": resource_type, "name": "subject", "inputs": inputs}], config)


def changed(base: dict[str, Any], **edits: Any) -> dict[str, Any]:
    """``base`` with ``edits`` (a value of None removes the key)."""
    result = {**base, **edits}
    return {k: v for k, v in result.items() if v is not None}


def verdict(violations: list[Any], policy: str) -> tuple[list[str], str]:
    assert {v.policy_name for v in violations} <= {policy}
    return [v.enforcement_level for v in violations], " | ".join(v.message for v in violations)


# --- notebooks: both types, each rule ----------------------------------------------------------------


@pytest.mark.parametrize("resource_type", [NOTEBOOK, NATIVE_NOTEBOOK])
@pytest.mark.parametrize("policy", NOTEBOOK_RULES)
def test_a_hardened_notebook_passes_every_rule(policy: str, resource_type: str) -> None:
    assert one(policy, resource_type, HARDENED_NOTEBOOK[resource_type]) == []


NOTEBOOK_CASES = [
    # (policy, edits, level, the property the message names)
    ("notebook-no-direct-internet", {"directInternetAccess": "Enabled"}, MANDATORY, "directInternetAccess"),
    ("notebook-no-direct-internet", {"directInternetAccess": None}, MANDATORY, "directInternetAccess"),
    ("notebook-root-access-disabled", {"rootAccess": "Enabled"}, MANDATORY, "rootAccess"),
    ("notebook-root-access-disabled", {"rootAccess": None}, MANDATORY, "rootAccess"),
    ("notebook-in-vpc", {"subnetId": None}, MANDATORY, "subnetId"),
    ("notebook-in-vpc", {"subnetId": ""}, MANDATORY, "subnetId"),
    ("notebook-kms-encrypted", {"kmsKeyId": None}, MANDATORY, "kmsKeyId"),
    (
        "notebook-supported-platform",
        {"platformIdentifier": "notebook-al2-v3"},
        ADVISORY,
        "platformIdentifier",
    ),
    ("notebook-supported-platform", {"platformIdentifier": None}, ADVISORY, "platformIdentifier"),
    (
        "notebook-imdsv2-only",
        {"instanceMetadataServiceConfiguration": {"minimumInstanceMetadataServiceVersion": "1"}},
        MANDATORY,
        "instanceMetadataServiceConfiguration.minimumInstanceMetadataServiceVersion",
    ),
    (
        "notebook-imdsv2-only",
        {"instanceMetadataServiceConfiguration": None},
        MANDATORY,
        "instanceMetadataServiceConfiguration.minimumInstanceMetadataServiceVersion",
    ),
]


@pytest.mark.parametrize("resource_type", [NOTEBOOK, NATIVE_NOTEBOOK])
@pytest.mark.parametrize(
    ("policy", "edits", "level", "names"),
    NOTEBOOK_CASES,
    ids=[f"{case[0]}-{next(iter(case[1]))}={next(iter(case[1].values()))!r}" for case in NOTEBOOK_CASES],
)
def test_a_notebook_outside_a_rule_is_refused_at_its_level(
    policy: str, edits: dict[str, Any], level: str, names: str, resource_type: str
) -> None:
    levels, message = verdict(
        one(policy, resource_type, changed(HARDENED_NOTEBOOK[resource_type], **edits)), policy
    )
    assert levels == [level]
    assert f"{names} is" in message


@pytest.mark.parametrize(
    ("resource_type", "groups", "named"),
    [
        pytest.param(NOTEBOOK, "securityGroups", "securityGroups", id="pulumi-aws-securityGroups"),
        pytest.param(
            NATIVE_NOTEBOOK, "securityGroupIds", "securityGroupIds", id="aws-native-securityGroupIds"
        ),
    ],
)
def test_a_notebook_needs_its_own_types_security_groups(resource_type: str, groups: str, named: str) -> None:
    without = changed(HARDENED_NOTEBOOK[resource_type], **{groups: []})
    levels, message = verdict(one("notebook-in-vpc", resource_type, without), "notebook-in-vpc")
    assert levels == [MANDATORY]
    assert message.startswith(f"{named} is empty")
    # The other type's property name does not count.
    other = "securityGroupIds" if groups == "securityGroups" else "securityGroups"
    assert verdict(one("notebook-in-vpc", resource_type, {**without, other: ["sg-1"]}), "notebook-in-vpc")[
        0
    ] == [MANDATORY]


@pytest.mark.parametrize(
    ("platform", "config", "passes"),
    [
        pytest.param("notebook-al2023-v1", None, True, id="default-prefix-passes"),
        pytest.param("notebook-al2-v3", None, False, id="al2-shares-the-first-letters-fails"),
        pytest.param("custom-notebook-al2023-v1", None, False, id="prefix-inside-not-at-start-fails"),
        pytest.param(
            "notebook-al2-v3",
            {
                "notebook-supported-platform": {
                    "allowedPlatformPrefixes": ["notebook-al2023-", "notebook-al2-"]
                }
            },
            True,
            id="any-of-several-configured-prefixes-passes",
        ),
    ],
)
def test_the_platform_starts_with_an_allowed_prefix(platform: str, config: Any, passes: bool) -> None:
    inputs = changed(HARDENED_NOTEBOOK[NOTEBOOK], platformIdentifier=platform)
    levels, _ = verdict(
        one("notebook-supported-platform", NOTEBOOK, inputs, config), "notebook-supported-platform"
    )
    assert levels == ([] if passes else [ADVISORY])


@pytest.mark.parametrize(
    ("policy", "path"),
    [
        ("notebook-no-direct-internet", "directInternetAccess"),
        ("notebook-root-access-disabled", "rootAccess"),
        ("notebook-in-vpc", "subnetId"),
        ("notebook-kms-encrypted", "kmsKeyId"),
        ("notebook-supported-platform", "platformIdentifier"),
    ],
)
@pytest.mark.parametrize("resource_type", [NOTEBOOK, NATIVE_NOTEBOOK])
def test_an_unknown_notebook_property_is_undecided_not_violated(
    policy: str, path: str, resource_type: str
) -> None:
    inputs = {**HARDENED_NOTEBOOK[resource_type], path: UNKNOWN_STRING_VALUE}
    report = evaluate_report(
        build([{"type": resource_type, "name": "nb", "inputs": inputs}]), None, [get_policy(policy)]
    )
    assert report.violations == []
    assert [(u.policy_name, u.urn.rsplit("::", 1)[-1]) for u in report.undecided] == [(policy, "nb")]


# --- Studio domains ------------------------------------------------------------------------------------


@pytest.mark.parametrize("resource_type", [DOMAIN, NATIVE_DOMAIN])
@pytest.mark.parametrize(
    ("edits", "names"),
    [
        pytest.param({}, None, id="vpc-only-with-key-passes"),
        pytest.param(
            {"appNetworkAccessType": "PublicInternetOnly"}, "appNetworkAccessType", id="public-fails"
        ),
        pytest.param({"appNetworkAccessType": None}, "appNetworkAccessType", id="unset-means-public-fails"),
        pytest.param({"kmsKeyId": None}, "kmsKeyId", id="no-key-fails"),
    ],
)
def test_a_studio_domain_is_vpc_only_and_encrypted(
    resource_type: str, edits: dict[str, Any], names: Any
) -> None:
    policy = "studio-domain-vpc-only-encrypted"
    levels, message = verdict(one(policy, resource_type, changed(HARDENED_DOMAIN, **edits)), policy)
    assert levels == ([] if names is None else [MANDATORY])
    if names:
        assert f"{names} is" in message


# --- following an endpoint through the stack (_serving) ------------------------------------------------


def _native_config_named_literally() -> list[dict[str, Any]]:
    """The compliant production graph with an aws-native EndpointConfig (named by its own
    ``endpointConfigName``) that the endpoint names by literal value only (no recorded dependency)."""
    specs = prod_graph(unlink=("endpoint.endpointConfigName",))
    [config] = [spec for spec in specs if spec["name"] == "config"]
    config["type"] = "aws-native:sagemaker:EndpointConfig"
    config["inputs"]["endpointConfigName"] = config["inputs"].pop("name")
    return specs


def test_an_aws_native_config_is_found_by_its_endpoint_config_name() -> None:
    policy = "endpoint-data-capture-encrypted"
    specs = _native_config_named_literally()
    assert run_policy(policy, specs) == []
    [config] = [spec for spec in specs if spec["name"] == "config"]
    del config["inputs"]["dataCaptureConfig"]
    levels, message = verdict(run_policy(policy, specs), policy)
    assert levels == [ADVISORY]
    assert message.startswith("dataCaptureConfig is unset on 'config'")


@pytest.mark.parametrize(
    ("namespace", "scaled"),
    [
        pytest.param("sagemaker", True, id="sagemaker-namespace-scales-the-variant"),
        pytest.param("ecs", False, id="another-namespace-does-not"),
    ],
)
def test_a_variant_target_is_in_the_sagemaker_namespace(namespace: str, scaled: bool) -> None:
    # POLICY-CONTROLS.md, prod autoscaling: serviceNamespace == "sagemaker" and the variant dimension.
    policy = "endpoint-autoscaling-configured"
    specs = prod_graph(target={"serviceNamespace": namespace}, scaling={"serviceNamespace": namespace})
    levels, _ = verdict(run_policy(policy, specs), policy)
    assert levels == ([] if scaled else [ADVISORY])


def test_a_config_is_for_inference_components_only_when_no_instance_variant_names_a_model() -> None:
    # policies/README.md (inference-component-endpoint-config-role): an endpoint of inference components
    # is one where no instance-backed variant names a model. Here "primary" names one and "blue" does
    # not: the variants scale as variants (each has its target and policy), not as components.
    policy = "endpoint-autoscaling-configured"
    specs = prod_graph()
    by_name = {spec["name"]: spec for spec in specs}
    blue = {"variantName": "blue", "instanceType": "ml.g5.xlarge", "initialInstanceCount": 2}
    by_name["config"]["inputs"]["productionVariants"].append(blue)
    for name in ("target", "scaling"):
        twin = copy.deepcopy(by_name[name])
        twin["name"] = f"{name}-blue"
        twin["inputs"]["resourceId"] = "endpoint/churn/variant/blue"
        if name == "scaling":
            twin["deps"] = {key: ["target-blue"] for key in twin["deps"]}
        specs.append(twin)
    assert run_policy(policy, specs) == []
    # Without blue's target (and policy) the verdict is about that variant, not about component scaling.
    unscaled = [s for s in specs if s["name"] not in ("target-blue", "scaling-blue")]
    levels, message = verdict(run_policy(policy, unscaled), policy)
    assert levels == [ADVISORY]
    assert message.startswith("variant 'blue' of endpoint 'endpoint' has no autoscaling target")


# --- stack rules that count undecided resources (_undecided) -------------------------------------------


def test_every_finding_of_one_resource_is_reported_not_only_the_first() -> None:
    # One SSE configuration with two bad rules: both are named (rules[0] and rules[1]), at the rule's level.
    policy = "s3-sse-kms-encrypted"
    bad = [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}},
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}},
    ]
    specs = [
        *bucket_stack(sse=False),
        {"type": SSE, "name": "sse", "inputs": {"rules": bad}, "deps": {"bucket": ["data"]}},
    ]
    levels, message = verdict(run_policy(policy, specs), policy)
    assert levels == [MANDATORY, MANDATORY]
    assert "rules[0].applyServerSideEncryptionByDefault.sseAlgorithm is 'AES256'" in message
    assert "rules[1].applyServerSideEncryptionByDefault.kmsMasterKeyId is unset" in message
