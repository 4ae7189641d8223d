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

from typing import Any

import pytest

from tests.policies.one_resource import CALLER_PINS, assert_decided, findings, open_to_anyone

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
