"""Policy-pack leftovers closed in session 64 (each confirmed by a test failing first).

1. ``StringEquals`` and ``StringEqualsIgnoreCase`` compare literally (IAM User Guide, condition
   operators): a ``*`` or ``?`` in their value is the character, not a wildcard. The bucket and
   resource-policy rules (``_bucket_policy._fixed``) read it as a wildcard and refused an Allow to
   ``*`` pinned to ``aws:SourceArn = arn:aws:s3:::my-bucket*`` (that very text, which no bucket's
   ARN is: it lets no request in), which the key and trust rules already passed. A value
   of nothing but ``*``/``?`` is still not trusted (as ``_iam_documents`` reads it), a caller's
   policy variable still pins nothing, and the same text under ``StringLike`` or ``ArnEquals``
   (both wildcard operators) is still refused.
2. ``scale-out-steps-add-capacity`` matched an alarm's literal scaling-policy ARN at preview by the
   name after its last ``:`` (``...:policyName/<name>``, the name read as ``[^:]+``): a policy named
   ``scale:out`` (Application Auto Scaling takes any printable name) was run by no alarm. The text after
   ``resource/<namespace>/`` is now compared whole with ``<resource id>:policyName/<name>``.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.one_resource import CALLER_PINS, assert_decided, findings, open_to_anyone
from tests.policies.test_literal_arn_links_63 import STEPS, _literal_step_stack, _report

# --- 1. StringEquals compares literally ----------------------------------------------------------

BUCKET_STAR = "arn:aws:s3:::my-bucket*"
#: A topic ARN with a ``*`` before its account: the character under StringEquals, any text (colons
#: too, so any account) under StringLike.
TOPIC_ANY_REGION = "arn:aws:sns:*:111122223333:alerts"
REFUSALS = {
    "resource-policy-not-public": "allows Principal",
    "s3-bucket-policy-not-public": "allows Principal",
    "kms-key-policy-no-public-principal": "Principal",
    "iam-role-trust-not-public": "lets any principal",
}


@pytest.mark.parametrize(("resource_type", "prop", "policy", "action"), CALLER_PINS)
@pytest.mark.parametrize(
    ("condition", "public"),
    [
        pytest.param({"StringEquals": {"aws:SourceArn": BUCKET_STAR}}, False, id="equals-star-literal"),
        pytest.param(
            {"StringEqualsIgnoreCase": {"aws:SourceAccount": "11112222333?"}},
            False,
            id="equals-ignore-case-question-mark-literal",
        ),
        pytest.param(
            {"ForAnyValue:StringEquals": {"aws:SourceAccount": ["1111*", "111122223333"]}},
            False,
            id="for-any-value-equals-literal",
        ),
        pytest.param(
            {"StringEquals": {"aws:SourceArn": TOPIC_ANY_REGION}}, False, id="equals-region-star-literal"
        ),
        pytest.param(
            {"StringLike": {"aws:SourceArn": TOPIC_ANY_REGION}}, True, id="like-region-star-wildcard"
        ),
        pytest.param({"StringEquals": {"aws:SourceAccount": "*"}}, True, id="equals-only-star-untrusted"),
        pytest.param(
            {"StringEquals": {"aws:SourceAccount": ["111122223333", "?*"]}},
            True,
            id="equals-only-wildcard-characters-among-values-untrusted",
        ),
        pytest.param(
            {"StringEquals": {"aws:SourceAccount": "${aws:PrincipalAccount}"}},
            True,
            id="equals-caller-variable-pins-nothing",
        ),
    ],
)
def test_string_equals_compares_literally(
    resource_type: str, prop: str, policy: str, action: str, condition: dict[str, Any], public: bool
) -> None:
    """Every rule reading a caller pin takes a ``*``/``?`` under ``StringEquals`` as the character
    (pinned), under ``StringLike`` as a wildcard (open); ``"*"`` alone and a caller's variable never pin."""
    inputs = {prop: open_to_anyone(action, condition)}
    if resource_type == "aws:iam/role:Role":
        inputs[prop] = inputs[prop].replace('"Resource": "*", ', "")
    assert_decided(findings(policy, resource_type, inputs), REFUSALS[policy] if public else None)


def test_arn_equals_still_reads_wildcards() -> None:
    """``ArnEquals`` matches each ARN field with wildcards, as ``ArnLike`` does: not a literal operator."""
    inputs = {"policy": open_to_anyone("s3:GetObject", {"ArnEquals": {"aws:SourceArn": BUCKET_STAR}})}
    result = findings("s3-bucket-policy-not-public", "aws:s3/bucketPolicy:BucketPolicy", inputs)
    assert_decided(result, "allows Principal '*' without a restricting condition")


# --- 2. a scaling policy named with ":" by a literal ARN -----------------------------------------


def _alarm_naming(named: str, policy_name: str) -> list[dict[str, Any]]:
    """The literal-ARN step stack whose alarm names the policy called ``named`` (by that policy's ARN
    after create), the stack's policy called ``policy_name`` and removing capacity."""
    stack = _literal_step_stack(-1, name=named)
    stack[0]["inputs"] = {**stack[0]["inputs"], "name": policy_name}
    return stack


@pytest.mark.parametrize(
    ("named", "policy_name"),
    [
        pytest.param("scale:out", "scale:out", id="a-colon"),
        pytest.param("a:policyName/b", "a:policyName/b", id="the-arns-own-separator"),
        pytest.param("scale:out", "out", id="not-the-part-after-the-last-colon"),
        pytest.param("scale:out", "scale", id="not-the-part-before-it"),
        pytest.param("scale:out:v2", "scale:out", id="not-a-longer-name"),
        pytest.param("a:policyName/b", "b", id="not-the-part-after-a-separator-in-the-name"),
    ],
)
@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
def test_a_policy_name_holding_a_colon_matches_its_own_arn_only(
    named: str, policy_name: str, outputs: bool
) -> None:
    """Its own: undecided at preview (the literal may be a namesake's elsewhere), refused once the ARN
    is known; any other name: neither (before: a name with ``:`` matched nothing at preview)."""
    report = _report(STEPS, _alarm_naming(named, policy_name), outputs)
    own = named == policy_name
    if not outputs:
        assert report.violations == []
        assert [u.urn.rsplit("::", 1)[-1] for u in report.undecided] == (["from-zero"] if own else [])
        return
    assert report.undecided == []
    assert [v.resource_name for v in report.violations] == (["from-zero"] if own else [])
