"""Policy-pack gaps closed in session 65, each as a class (each confirmed by a test failing first).

1. An ``aws:SourceArn`` (or ``aws:PrincipalArn``) *pattern* pins the caller only with a fixed account.
   S3 bucket ARNs carry no account (``arn:aws:s3:::name``; the bucket namespace "is shared by all AWS
   accounts", IAM Access Analyzer's "ARN account not allowed"), so ``StringLike``/``ArnLike``
   ``arn:aws:s3:::my-bucket*`` is met by a bucket another account creates with that prefix. The bucket
   and resource-policy rules refused it; the key-policy and trust rules (``_iam_documents``'
   ``ConditionKey(..., "arn")``) credited it. One reading now (``_common.arn_pattern_pins_account``):
   an exact ARN pins, a pattern only with a 12-digit account (or ``aws``, the resource owner's
   variable, an escape); a companion ``aws:SourceAccount`` still pins the statement.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_BOOLEAN_VALUE

from policies.rules.public_switches import NOT_SWITCHES
from tests.policies.one_resource import CALLER_PINS, assert_decided, findings, open_to_anyone
from tests.policies.test_default_true_66 import DEFAULT_TRUE
from tests.policies.test_public_switches_63 import SWITCH_INPUT, judged_types
from tests.policies.test_resource_policy_class_63 import (
    _NESTED_HINT,
    _classes,
    _getters,
    provider_sources,
    resource_args,
)
from tests.recorded import computed_once

# --- 1. an ARN pattern pins only with a fixed account ---------------------------------------------

ACCOUNT = "111122223333"
#: What each caller-pinning rule's refusal starts with.
REFUSALS = {
    "resource-policy-not-public": "allows Principal",
    "s3-bucket-policy-not-public": "allows Principal",
    "kms-key-policy-no-public-principal": "allows Principal '*' without a condition that pins the caller",
    "iam-role-trust-not-public": "lets any principal",
}
#: The fix every refusal names: the account a bucket pattern lacks.
FIX = ("S3 bucket ARNs have none", "aws:SourceAccount")


@pytest.mark.parametrize(("resource_type", "prop", "policy", "action"), CALLER_PINS)
@pytest.mark.parametrize(
    ("condition", "public"),
    [
        pytest.param(
            {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::my-bucket*"}}, True, id="arn-like-bucket-prefix"
        ),
        pytest.param(
            {"StringLike": {"aws:SourceArn": "arn:aws:s3:::ml-data-?"}}, True, id="string-like-bucket-name"
        ),
        pytest.param({"ArnLike": {"aws:SourceArn": "arn:aws:s3:::*"}}, True, id="arn-like-every-bucket"),
        pytest.param(
            {"ArnEquals": {"aws:SourceArn": ["arn:aws:s3:::ml-data", "arn:aws:s3:::ml-logs-*"]}},
            True,
            id="one-pattern-among-exact-bucket-arns",
        ),
        pytest.param(
            {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam:::role/deploy-*"}},
            True,
            id="principal-arn-pattern-without-account",
        ),
        pytest.param(
            {
                "ArnLike": {"aws:SourceArn": "arn:aws:s3:::my-bucket*"},
                "StringEquals": {"aws:SourceAccount": ACCOUNT},
            },
            False,
            id="bucket-prefix-with-source-account",
        ),
        pytest.param({"ArnLike": {"aws:SourceArn": "arn:aws:s3:::ml-data"}}, False, id="exact-bucket-arn"),
        pytest.param(
            {"ArnLike": {"aws:SourceArn": f"arn:aws:sns:eu-west-1:{ACCOUNT}:*"}},
            False,
            id="account-pinned-topic-pattern",
        ),
        pytest.param(
            {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:${aws:ResourceAccount}:*"}},
            False,
            id="resource-owner-account-variable",
        ),
    ],
)
def test_an_arn_pattern_pins_the_caller_only_with_a_fixed_account(
    resource_type: str, prop: str, policy: str, action: str, condition: dict[str, Any], public: bool
) -> None:
    """Bucket, resource, key and trust policies read one ``aws:SourceArn`` pattern alike: refused
    (naming aws:SourceAccount) without a fixed account, passed with one or with ``aws:SourceAccount``."""
    inputs = {prop: open_to_anyone(action, condition)}
    if resource_type == "aws:iam/role:Role":
        inputs[prop] = inputs[prop].replace('"Resource": "*", ', "")
    expected = (REFUSALS[policy], *FIX) if public else (None,)
    assert_decided(findings(policy, resource_type, inputs), *expected)


@pytest.mark.parametrize(
    ("inputs", "public"),
    [
        pytest.param({"sourceArn": "arn:aws:s3:::ml-data*"}, True, id="bucket-prefix"),
        pytest.param(
            {"sourceArn": "arn:aws:s3:::ml-data*", "sourceAccount": ACCOUNT}, False, id="with-account"
        ),
    ],
)
def test_a_lambda_permission_to_anyone_from_a_bucket_prefix(inputs: dict[str, Any], public: bool) -> None:
    """A Lambda permission's ``sourceArn`` is the same condition (Lambda writes it as ``aws:SourceArn``)."""
    result = findings(
        "resource-policy-not-public",
        "aws:lambda/permission:Permission",
        {"action": "lambda:InvokeFunction", "function": "scorer", "principal": "*", **inputs},
    )
    assert_decided(result, *(("allows Principal", *FIX) if public else (None,)))


# --- 2. switches whose unset position is public ---------------------------------------------------

SWITCH_RULE = "public-access-switches-kept-on"
APP_RUNNER = ["aws:apprunner/service:Service", "aws-native:apprunner:Service"]
INGRESS = "networkConfiguration.ingressConfiguration.isPubliclyAccessible"


def _at(path: str, value: Any) -> dict[str, Any]:
    """``{"a": {"b": value}}`` for ``path`` ``a.b``; nothing for an unset ``value``."""
    if value is None:
        return {}
    head, _, rest = path.partition(".")
    return {head: _at(rest, value) if rest else value}


#: (type, the inputs beside the switch): each type whose switch is public when unset.
PUBLIC_WHEN_UNSET = [
    *[pytest.param(token, INGRESS, {"serviceName": "scorer"}, id=token) for token in APP_RUNNER],
    pytest.param(
        "aws:dms/instanceProfile:InstanceProfile", "publiclyAccessible", {}, id="dms-instance-profile"
    ),
    pytest.param(
        "aws-native:dms:InstanceProfile", "publiclyAccessible", {}, id="native-dms-instance-profile"
    ),
    pytest.param(
        "aws:rds/cluster:Cluster",
        "publiclyAccessible",
        {"engine": "postgres", "dbClusterInstanceClass": "db.m5d.large"},
        id="multi-az-db-cluster",
    ),
    pytest.param(
        "aws-native:rds:DbCluster",
        "publiclyAccessible",
        {"engine": "mysql", "dbClusterInstanceClass": "db.m5d.large"},
        id="native-multi-az-db-cluster",
    ),
    pytest.param(
        "aws-native:rds:DbInstance", "publiclyAccessible", {"dbInstanceClass": "db.t3.micro"}, id="native-db"
    ),
    pytest.param(
        "aws:rds/shardGroup:ShardGroup",
        "publiclyAccessible",
        {"dbClusterIdentifier": "c", "dbShardGroupIdentifier": "s", "maxAcu": 768},
        id="shard-group",
    ),
    pytest.param(
        "aws-native:rds:DbShardGroup",
        "publiclyAccessible",
        {"dbClusterIdentifier": "c"},
        id="native-shard-group",
    ),
]


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
@pytest.mark.parametrize(("resource_type", "path", "inputs"), PUBLIC_WHEN_UNSET)
@pytest.mark.parametrize(
    ("value", "public"),
    [
        pytest.param(None, True, id="unset"),
        pytest.param(True, True, id="true"),
        pytest.param(False, False, id="false"),
    ],
)
def test_a_switch_public_when_unset_must_be_false(
    resource_type: str, path: str, inputs: dict[str, Any], value: bool | None, public: bool, outputs: bool
) -> None:
    """Unset is AWS's public default (App Runner: "By default ... accessible over the internet"; DMS:
    "The default value is true"; RDS: public in a VPC with an internet gateway): only false passes."""
    result = findings(SWITCH_RULE, resource_type, {**inputs, **_at(path, value)}, outputs=outputs)
    # After create an unset switch reads as AWS chose it (true), or unset where the provider reports none.
    shown = "True" if value is True else "" if outputs else "unset"
    expected = (f"{path} is {shown}", f"set {path}=false") if public else (None,)
    assert_decided(result, *expected)


@pytest.mark.parametrize(
    ("inputs", "fragment"),
    [
        pytest.param({"engine": "aurora-postgresql"}, None, id="aurora-unset-passes"),
        pytest.param(
            {"engine": "aurora-postgresql", "publiclyAccessible": True},
            "publiclyAccessible is True",
            id="aurora-true-refused",
        ),
    ],
)
def test_an_aurora_cluster_leaves_the_switch_to_its_instances(
    inputs: dict[str, Any], fragment: str | None
) -> None:
    """The cluster's switch is for Multi-AZ DB clusters (``dbClusterInstanceClass``); an Aurora
    cluster's instances hold their own, private by default (``aws:rds/clusterInstance``)."""
    assert_decided(findings(SWITCH_RULE, "aws:rds/cluster:Cluster", inputs), fragment)


def test_an_unknown_ingress_switch_is_undecided_at_preview() -> None:
    inputs = _at(INGRESS, UNKNOWN_BOOLEAN_VALUE)
    assert findings(SWITCH_RULE, APP_RUNNER[0], inputs) == ([], 1)


#: A provider docstring saying an input's default is true: every wording (tests/policies/test_default_true_66.py).
_DEFAULT_TRUE = DEFAULT_TRUE


def _documented_public_defaults(root: Path) -> list[str]:
    """``type path`` of each switch-named input of the providers under ``root`` whose docstring says
    its default is true."""
    found: list[str] = []
    nested: dict[Path, tuple[str, dict[str, tuple[int, int]]]] = {}

    def walk(token: str, text: str, span: tuple[int, int], folder: Path, prefix: str, depth: int) -> None:
        for wire, hint, doc in _getters(text, span):
            path = prefix + wire
            if SWITCH_INPUT.fullmatch(wire) and _DEFAULT_TRUE.search(doc):
                found.append(f"{token} {path}")
            match = _NESTED_HINT.fullmatch(hint)
            if match is None or depth >= 3:
                continue
            if folder not in nested:
                source = folder / "_inputs.py"
                inner = source.read_text() if source.exists() else ""
                nested[folder] = (inner, _classes(inner) if inner else {})
            inner_text, inner_classes = nested[folder]
            span_of = inner_classes.get(match.group(1) or match.group(2))
            if span_of is not None:
                step = f"{path}[]." if match.group(2) else f"{path}."
                walk(token, inner_text, span_of, folder, step, depth + 1)

    for token, text, args, folder in resource_args(root):
        walk(token, text, args, folder, "", 0)
    return sorted(found)


def test_no_switch_documented_public_by_default_is_left_unjudged() -> None:
    """The class's scan lists a switch as not one (``NOT_SWITCHES``) only with why; one whose provider
    says it defaults to true is public when left out, and must be judged."""
    root, key = provider_sources()
    documented = computed_once("public-defaults", lambda: _documented_public_defaults(root), key=key)
    assert "aws:dms/instanceProfile:InstanceProfile publiclyAccessible" in documented  # the scan reads docs
    # aws-native's double backticks ("defaults to ``true``"): read since the wordings are a class.
    assert "aws-native:rds:DbCluster publiclyAccessible" in documented
    judged = judged_types()
    assert [
        entry for entry in documented if entry.split(" ", 1)[0] not in judged or entry in NOT_SWITCHES
    ] == []
