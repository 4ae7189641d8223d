"""SageMaker customer-managed keys as a class: every key-named input of a SageMaker type of the installed
providers is judged by ``sagemaker-stores-customer-managed-key`` (``STORE_KEYS``), by the per-type rule
``JUDGED_BY_OTHER_RULES`` names (each checked here by running that rule), or listed in ``NOT_JUDGED``
with why; and the new rule's semantics per store: unset refused naming the path and the fix, keyed
passes, no store (block absent, ``given`` unset) passes, unknown at preview undecided."""

from __future__ import annotations

import copy
import functools
import re
from pathlib import Path
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.local import evaluate_report
from policies.registry import get_policy
from policies.rules._common import ADVISORY, resource_types_of
from policies.rules.sagemaker_keys import JUDGED_BY_OTHER_RULES, NOT_JUDGED, STORE_KEYS, StoreKey
from tests.policies import test_resource_policy_class_63 as class_scan
from tests.policies.conftest import build
from tests.policies.one_resource import assert_decided, findings
from tests.policies.test_resource_policy_class_63 import inputs_named, provider_sources
from tests.recorded import computed_once

RULE = "sagemaker-stores-customer-managed-key"
KEY = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

# --- the class scan -------------------------------------------------------------------------------

#: An input named like a KMS key, at any depth: ``kmsKeyId``, ``kmsKeyArn``, ``kmsKey``,
#: ``volumeKmsKeyId``, ``s3KmsKeyId``... (``encryptionKey`` too, which no SageMaker type has yet).
KEY_INPUT = re.compile(r"(?i)^(?:\w*kms\w*|\w*encryptionKey\w*)$")


def is_sagemaker(token: str) -> bool:
    return token.startswith(("aws:sagemaker/", "aws-native:sagemaker:"))


def scan(root: Path) -> set[str]:
    """``type path`` of each key-named input of a SageMaker type of the providers under ``root``."""
    return {key for key in inputs_named(root, KEY_INPUT, 8) if is_sagemaker(key.split(" ", 1)[0])}


@functools.cache
def installed() -> frozenset[str]:
    root, key = provider_sources()
    return computed_once(
        "sagemaker-keys",
        lambda: frozenset(scan(root)),
        key=[*key, Path(class_scan.__file__).read_bytes(), KEY_INPUT.pattern],
    )


def judged() -> set[str]:
    """What a rule reads, from the rules' own tables."""
    mine = {f"{token} {spec.path}" for token, specs in STORE_KEYS.items() for spec in specs}
    others = {f"{token} {path}" for token, paths in JUDGED_BY_OTHER_RULES.items() for path in paths}
    return mine | others


def unclassified(candidates: set[str] | frozenset[str]) -> list[str]:
    known = judged() | set(NOT_JUDGED)
    return sorted(key for key in candidates if key not in known)


def test_every_sagemaker_key_input_of_the_installed_providers_is_classified() -> None:
    missing = unclassified(installed())
    assert not missing, (
        "SageMaker key inputs no rule judges: add each to STORE_KEYS (sagemaker-stores-customer-managed-key), "
        "or to JUDGED_BY_OTHER_RULES when a per-type rule reads it, or to NOT_JUDGED with why "
        "(policies/rules/sagemaker_keys.py):\n" + "\n".join(missing)
    )


def test_the_scan_finds_each_shape_a_key_takes() -> None:
    candidates = installed()
    for shape in [
        "aws:sagemaker/modelCard:ModelCard securityConfig.kmsKeyId",  # nested
        "aws:sagemaker/endpointConfiguration:EndpointConfiguration kmsKeyArn",  # an ARN
        "aws-native:sagemaker:InferenceExperiment kmsKey",  # bare
        "aws:sagemaker/trainingJob:TrainingJob resourceConfig.volumeKmsKeyId",  # a volume's
        "aws:sagemaker/userProfile:UserProfile userSettings.sharingSettings.s3KmsKeyId",  # an S3 output's
        # two lists deep
        "aws-native:sagemaker:Cluster instanceGroups[].instanceStorageConfigs[].ebsVolumeConfig.volumeKmsKeyId",
    ]:
        assert shape in candidates, shape


def test_the_tables_name_only_what_the_providers_have() -> None:
    candidates = installed()
    # A misspelt path would judge nothing and pass every resource.
    assert sorted(judged() - candidates) == []
    assert sorted(set(NOT_JUDGED) - candidates) == []
    assert sorted(judged() & set(NOT_JUDGED)) == []
    mine = {(token, spec.path) for token, specs in STORE_KEYS.items() for spec in specs}
    others = {(token, path) for token, paths in JUDGED_BY_OTHER_RULES.items() for path in paths}
    assert sorted(mine & others) == []
    assert all(reason.strip() for reason in NOT_JUDGED.values())


def test_a_provider_adding_an_unclassified_key_fails_the_check(tmp_path: Path) -> None:
    folder = tmp_path / "pulumi_aws" / "sagemaker"
    folder.mkdir(parents=True)
    (folder / "lake.py").write_text(
        "@pulumi.input_type\n"
        "class LakeArgs:\n"
        "    @_builtins.property\n"
        '    @pulumi.getter(name="kmsKeyId")\n'
        "    def kms_key_id(self) -> pulumi.Input[_builtins.str]:\n"
        '        return pulumi.get(self, "kms_key_id")\n'
        "\n"
        "class Lake(pulumi.CustomResource):\n"
        "    def _internal_init(__self__):\n"
        "        super(Lake, __self__).__init__(\n"
        "            'aws:sagemaker/lake:Lake',\n"
        "            resource_name)\n"
    )
    (tmp_path / "pulumi_aws_native").mkdir()
    assert unclassified(scan(tmp_path)) == ["aws:sagemaker/lake:Lake kmsKeyId"]


# --- the other rules judge what JUDGED_BY_OTHER_RULES says -----------------------------------------


def nested(path: str, leaf: Any) -> dict[str, Any]:
    """Props holding ``leaf`` at ``path`` (``[]``: a one-item list); ``leaf`` None leaves the key out
    but its block present (another input set), so the store exists without its key."""
    head, _, rest = path.partition(".")
    name = head.removesuffix("[]")
    if rest:
        inner: Any = nested(rest, leaf)
    elif leaf is None:
        return {"otherInput": "x"}
    else:
        return {name: leaf}
    return {name: [inner] if head.endswith("[]") else inner}


def merged(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    result = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result[key] = value
    return result


#: What else a judged store needs to exist (an online store is judged when enabled).
CONTEXT: dict[tuple[str, str], dict[str, Any]] = {
    (token, "onlineStoreConfig.securityConfig.kmsKeyId"): {"onlineStoreConfig": {"enableOnlineStore": True}}
    for token in JUDGED_BY_OTHER_RULES
}


def names(messages: list[str], path: str) -> bool:
    concrete = re.escape(path.replace("[]", "[0]"))
    return any(re.search(rf"(?<![\w.\]]){concrete}(?!\w)", message) for message in messages)


OTHER_CASES = [
    pytest.param(token, path, rule, id=f"{token.rsplit(':', 1)[-1]}-{path}")
    for token, paths in JUDGED_BY_OTHER_RULES.items()
    for path, rule in paths.items()
]


#: Stack rules among them: they judge an endpoint configuration through the endpoint serving it.
SERVED_BY = {
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": ("aws:sagemaker/endpoint:Endpoint", "name"),
    "aws-native:sagemaker:EndpointConfig": ("aws-native:sagemaker:Endpoint", "endpointConfigName"),
}


def rule_messages(rule: str, token: str, props: dict[str, Any]) -> list[str]:
    if resource_types_of(get_policy(rule)) is not None:
        return findings(rule, token, props)[0]
    endpoint, name = SERVED_BY[token]
    records = build(
        [
            {"type": token, "name": "config", "inputs": {**props, name: "cfg"}},
            {"type": endpoint, "name": "endpoint", "inputs": {"endpointConfigName": "cfg"}},
        ]
    )
    report = evaluate_report(records, None, [get_policy(rule)])
    return [v.message for v in report.violations if v.policy_name == rule]


@pytest.mark.parametrize(("token", "path", "rule"), OTHER_CASES)
def test_each_key_judged_elsewhere_is_read_by_that_rule(token: str, path: str, rule: str) -> None:
    context = CONTEXT.get((token, path), {})
    unset = rule_messages(rule, token, merged(nested(path, None), context))
    keyed = rule_messages(rule, token, merged(nested(path, KEY), context))
    assert names(unset, path), unset
    assert not names(keyed, path), keyed


# --- sagemaker-stores-customer-managed-key -----------------------------------------------------------


def store_props(spec: StoreKey, key: Any, *, given: bool = True) -> dict[str, Any]:
    """A resource whose ``spec`` store exists (its block set, its ``given`` input set), with ``key``."""
    block: dict[str, Any] = {"otherInput": "x"}
    if spec.given and given:
        block[spec.given] = "s3://bucket/prefix/"
    if spec.when:
        block[spec.when[0]] = spec.when[1]
    if key is not None:
        block = merged(block, nested(spec.key, key))
    if not spec.block:
        return block
    return _at(spec.block, block)


def _at(path: str, value: dict[str, Any]) -> dict[str, Any]:
    head, _, rest = path.partition(".")
    name = head.removesuffix("[]")
    inner = _at(rest, value) if rest else value
    return {name: [inner] if head.endswith("[]") else inner}


def fix_of(path: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", path.replace("[]", "[0]")).lower()


STORE_CASES = [
    pytest.param(token, spec, id=f"{token.rsplit(':', 1)[-1]}-{spec.path}")
    for token, specs in STORE_KEYS.items()
    for spec in specs
]


def test_the_rule_is_registered_advisory_on_the_tables_types() -> None:
    policy = get_policy(RULE)
    assert policy.enforcement_level == ADVISORY
    assert resource_types_of(policy) == frozenset(STORE_KEYS)
    assert set(STORE_KEYS) >= {"aws:sagemaker/modelCard:ModelCard", "aws-native:sagemaker:ModelCard"}


@pytest.mark.parametrize(("token", "spec"), STORE_CASES)
def test_an_unkeyed_store_is_named_with_its_fix_and_a_keyed_one_passes(token: str, spec: StoreKey) -> None:
    concrete = spec.path.replace("[]", "[0]")
    assert_decided(findings(RULE, token, store_props(spec, None)), f"{concrete} is unset", fix_of(spec.path))
    assert_decided(findings(RULE, token, store_props(spec, KEY)), None)
    # After create too (the outputs' shape).
    assert_decided(findings(RULE, token, store_props(spec, KEY), outputs=True), None)


@pytest.mark.parametrize(("token", "spec"), STORE_CASES)
def test_an_unknown_key_is_undecided(token: str, spec: StoreKey) -> None:
    messages, undecided = findings(RULE, token, store_props(spec, UNKNOWN_STRING_VALUE))
    assert messages == [] and undecided == 1


@pytest.mark.parametrize(("token", "spec"), [case for case in STORE_CASES if case.values[1].block])
def test_no_store_no_demand(token: str, spec: StoreKey) -> None:
    assert_decided(findings(RULE, token, {"tags": {"team": "ml"}}), None)
    # An empty block (how a provider may read an absent one back) is no store either.
    assert_decided(findings(RULE, token, {spec.block.split(".")[0].removesuffix("[]"): {}}), None)


@pytest.mark.parametrize(("token", "spec"), [case for case in STORE_CASES if case.values[1].given])
def test_a_sharing_setting_without_an_s3_path_stores_nothing(token: str, spec: StoreKey) -> None:
    assert_decided(findings(RULE, token, store_props(spec, None, given=False)), None)
    # An S3 path unknown at preview may turn out set: undecided, not passed.
    props = store_props(spec, None, given=False)
    block = props
    for step in spec.block.split("."):
        block = block[step]
    block[spec.given] = UNKNOWN_STRING_VALUE
    messages, undecided = findings(RULE, token, props)
    assert messages == [] and undecided == 1


def test_each_item_of_a_list_is_judged_on_its_own() -> None:
    token = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
    props = {
        "productionVariants": [
            {"variantName": "a", "coreDumpConfig": {"destinationS3Uri": "s3://b/a", "kmsKeyId": KEY}},
            {"variantName": "b", "coreDumpConfig": {"destinationS3Uri": "s3://b/b"}},
            {"variantName": "c"},
        ]
    }
    assert_decided(findings(RULE, token, props), "productionVariants[1].coreDumpConfig.kmsKeyId is unset")
    # An unknown key on one item does not hide another's missing key.
    props["productionVariants"][0]["coreDumpConfig"]["kmsKeyId"] = UNKNOWN_STRING_VALUE
    messages, undecided = findings(RULE, token, props)
    assert len(messages) == 1 and "productionVariants[1]" in messages[0] and undecided == 1


def test_two_lists_deep_each_volume_is_named() -> None:
    token = "aws-native:sagemaker:Cluster"
    volume = {"volumeSizeInGb": 100}
    props = {
        "instanceGroups": [
            {"instanceStorageConfigs": [{"ebsVolumeConfig": {**volume, "volumeKmsKeyId": KEY}}]},
            {"instanceStorageConfigs": [{"ebsVolumeConfig": volume}, {"ebsVolumeConfig": volume}]},
        ]
    }
    messages, undecided = findings(RULE, token, props)
    assert undecided == 0
    assert sorted(m.split(" ", 1)[0] for m in messages) == [
        "instanceGroups[1].instanceStorageConfigs[0].ebsVolumeConfig.volumeKmsKeyId",
        "instanceGroups[1].instanceStorageConfigs[1].ebsVolumeConfig.volumeKmsKeyId",
    ]


def test_a_model_card_is_a_store_whatever_else_it_sets() -> None:
    for token in ("aws:sagemaker/modelCard:ModelCard", "aws-native:sagemaker:ModelCard"):
        assert_decided(
            findings(RULE, token, {"modelCardName": "churn", "modelCardStatus": "Draft"}),
            "securityConfig.kmsKeyId is unset",
            "the model card's content",
            "security_config.kms_key_id",
        )
        assert_decided(findings(RULE, token, {"securityConfig": {"kmsKeyId": "alias/cards"}}), None)
        assert_decided(findings(RULE, token, {"securityConfig": {"kmsKeyId": ""}}), "securityConfig.kmsKeyId")


def _sharing(props: dict[str, Any], spec: StoreKey) -> dict[str, Any]:
    block = props
    for step in spec.block.split("."):
        block = block[step]
    return block


@pytest.mark.parametrize(("token", "spec"), [case for case in STORE_CASES if case.values[1].when])
def test_shared_notebooks_store_cell_output_only_when_it_is_allowed(token: str, spec: StoreKey) -> None:
    """SharingSettings: S3OutputPath and S3KmsKeyId apply when NotebookOutputOption is Allowed, and
    the default is Disabled (SageMaker API reference): unset or Disabled, nothing is asked; Allowed
    (test_an_unkeyed_store_is_named_with_its_fix_and_a_keyed_one_passes) is; unknown is undecided."""
    assert spec.when == ("notebookOutputOption", "Allowed")
    unset = store_props(spec, None)
    del _sharing(unset, spec)["notebookOutputOption"]
    assert_decided(findings(RULE, token, unset), None)
    for near_miss in ("Disabled",):
        props = store_props(spec, None)
        _sharing(props, spec)["notebookOutputOption"] = near_miss
        assert_decided(findings(RULE, token, props), None)
    unknown = store_props(spec, None)
    _sharing(unknown, spec)["notebookOutputOption"] = UNKNOWN_STRING_VALUE
    messages, undecided = findings(RULE, token, unknown)
    assert messages == [] and undecided == 1
