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
3. ``alarm-topic-key-usable`` read the last KeyPolicy naming a key's id (through a dependency or
   literally) as that key's policy whatever Region it was managed in. A key id is Region-scoped (a
   multi-Region key's replicas share their primary's id): a KeyPolicy whose ``region``, provider's
   ``region`` or ``keyId`` ARN is another Region names another key (or fails to apply), and the key
   keeps its own policy. Two resources of one provider that set no Region share its default; a named
   Region against a provider's default, or one not known at preview, is undecided.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.policies.one_resource import CALLER_PINS, assert_decided, findings, open_to_anyone
from tests.policies.test_literal_arn_links_63 import STEPS, TOPIC_KEY, _literal_step_stack, _report
from tests.policies.test_literal_arn_links_63_review import LEFT_OUT, MRK, REPLICA, _stack
from tests.policies.test_policy_alarm_rules import CLOUDWATCH_KEY_GRANT, KEY_ADMIN, topic_key_stack

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
    """Every rule reading a caller pin but the bucket rule (S3's reading, session 66) takes a ``*``/``?``
    under ``StringEquals`` as the character (pinned), under ``StringLike`` as a wildcard (open); ``"*"``
    alone and a caller's variable never pin."""
    inputs = {prop: open_to_anyone(action, condition)}
    if resource_type == "aws:iam/role:Role":
        inputs[prop] = inputs[prop].replace('"Resource": "*", ', "")
    # S3 reads a wildcard character as a wildcard under every operator (its meaning of public:
    # tests/policies/test_s3_meaning_of_public_66.py): the bucket rule refuses each of these.
    if policy == "s3-bucket-policy-not-public" and any(c in str(condition) for c in "*?"):
        public = True
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


# --- 3. a KeyPolicy of another Region names another key --------------------------------------------

KEY_ARN = "arn:aws:kms:{}:111122223333:key/0b6e4c1a-1111-2222-3333-444455556666"
EU = {"type": "pulumi:providers:aws", "name": "eu", "inputs": {"region": "eu-west-1"}}
EU_2 = {"type": "pulumi:providers:aws", "name": "eu-2", "inputs": {"region": "eu-west-1"}}
US = {"type": "pulumi:providers:aws", "name": "us", "inputs": {"region": "us-west-2"}}


def _regional_stack(key_where: dict[str, Any], policy_where: dict[str, Any]) -> list[dict[str, Any]]:
    """The topic-key stack (its key's own policy lets CloudWatch in) with a KeyPolicy linked to the key
    that leaves CloudWatch out; ``*_where``: a ``region`` input, a ``provider`` or a ``keyId``."""

    def placed(spec: dict[str, Any], where: dict[str, Any]) -> dict[str, Any]:
        spec = {**spec, "inputs": {**spec["inputs"], **{k: v for k, v in where.items() if k != "provider"}}}
        return {**spec, "provider": where["provider"]} if "provider" in where else spec

    key, *rest = topic_key_stack(CLOUDWATCH_KEY_GRANT)
    policy = {
        "type": "aws:kms/keyPolicy:KeyPolicy",
        "name": "replaced",
        "deps": {"keyId": ["notifications-key"]},
        "inputs": {"keyId": UNKNOWN_STRING_VALUE, "policy": json.dumps({"Statement": [KEY_ADMIN]})},
    }
    return [EU, EU_2, US, placed(key, key_where), *rest, placed(policy, policy_where)]


@pytest.mark.parametrize(
    ("key_where", "policy_where", "verdict"),
    [
        pytest.param({}, {}, "applies", id="one-provider-no-region"),
        pytest.param({"region": "eu-west-1"}, {"region": "eu-west-1"}, "applies", id="same-region-input"),
        pytest.param({"provider": "eu"}, {"provider": "eu-2"}, "applies", id="two-providers-one-region"),
        pytest.param({"provider": "eu"}, {"region": "eu-west-1"}, "applies", id="provider-and-input-alike"),
        pytest.param({"region": "eu-west-1"}, {"region": "us-west-2"}, "another", id="other-region-input"),
        pytest.param({"provider": "eu"}, {"provider": "us"}, "another", id="other-regions-provider"),
        pytest.param(
            {"provider": "us"}, {"provider": "us", "region": "eu-west-1"}, "another", id="input-over-provider"
        ),
        pytest.param(
            {"region": "us-west-2"},
            {"keyId": KEY_ARN.format("eu-west-1")},
            "another",
            id="arn-of-another-region",
        ),
        pytest.param({}, {"region": UNKNOWN_STRING_VALUE}, "undecided", id="region-unknown-at-preview"),
        pytest.param({}, {"region": "us-west-2"}, "undecided", id="named-region-against-a-default"),
    ],
)
def test_a_key_policy_of_another_region_is_not_the_keys(
    key_where: dict[str, Any], policy_where: dict[str, Any], verdict: str
) -> None:
    """``applies``: the KeyPolicy is the key's policy (CloudWatch left out: refused); ``another``: it
    names a key of another Region, the key's own policy lets CloudWatch in (before: refused);
    ``undecided``: the Regions cannot be compared at preview."""
    report = _report(TOPIC_KEY, _regional_stack(key_where, policy_where), outputs=False)
    messages = [v.message for v in report.violations]
    assert len(messages) == (verdict == "applies") and all(LEFT_OUT in m for m in messages), messages
    assert [u.policy_name for u in report.undecided] == ([TOPIC_KEY] if verdict == "undecided" else [])
    if verdict == "undecided":
        assert "the Region of KeyPolicy 'replaced'" in report.undecided[0].reason


@pytest.mark.parametrize(("region", "refused"), [("eu-west-1", True), ("us-west-2", False)])
def test_after_create_the_keys_arn_says_its_region(region: str, refused: bool) -> None:
    """Once created, the key's ARN (``eu-west-1`` here) is compared with the KeyPolicy's ``region``."""
    specs = _regional_stack({"region": "eu-west-1"}, {"region": region})
    resolved = {"replaced": {"keyId": KEY_ARN.format("eu-west-1")}}
    report = _report(TOPIC_KEY, specs, outputs=True, resolved=resolved)
    assert report.undecided == []
    assert len(report.violations) == refused


@pytest.mark.parametrize(("policy_region", "undecided"), [("us-west-2", True), ("eu-west-1", False)])
def test_a_replica_is_not_named_by_its_primarys_id_from_another_region(
    policy_region: str, undecided: bool
) -> None:
    """A KeyPolicy naming the multi-Region id literally is maybe the new replica's only in its Region."""
    specs = _stack(REPLICA, MRK, own_grants=True)
    specs[0]["inputs"] = {**specs[0]["inputs"], "region": "us-west-2"}
    specs[-1]["inputs"] = {**specs[-1]["inputs"], "region": policy_region}
    report = _report(TOPIC_KEY, specs, outputs=False)
    assert report.violations == []
    assert [u.policy_name for u in report.undecided] == ([TOPIC_KEY] if undecided else [])
