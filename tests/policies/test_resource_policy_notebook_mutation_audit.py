"""What the resource-policy, bucket-policy and notebook rules decide, where a mutation audit found no test holding it.

A hand-mutation audit of policies/rules/resource_policies.py, policies/rules/_bucket_policy.py and
policies/rules/sagemaker_notebooks.py: 107 one-step mutations of the decision logic (40, 46 and 21),
each run against the tests of its rules. 77 were caught; 30 survived. Of those, 22 are caught by a
test here, 1 exposed a product bug (fixed, see CHANGELOG.md) and 7 are equivalent (below). Of 3
further mutations of the fixed lines, all 3 are caught (one only here).

resource_policies.py (``resource-policy-not-public``; 40 mutations, 7 survived: 6 caught now, 1
equivalent):

- a principal unknown at preview inside a list (``{"AWS": [<account>, <unknown>]}``) leaves the
  statement undecided, not passed;
- a ``*`` beside an unknown principal is public as it stands: refused at preview, not undecided;
- a statement wholly unknown at preview (``"Statement": [<unknown>]``) is undecided, not passed;
- an EventBridge permission whose condition ``key`` is unknown at preview is undecided (the
  unknown key might be ``aws:PrincipalOrgID``), not refused;
- an aws-native EventBridge ``statement`` of ``""`` is refused as invalid JSON, not read as absent;
- an empty ``Sid`` is not named in the message.

_bucket_policy.py (``s3-bucket-policy-not-public``, ``s3-bucket-policy-tls-only`` and the shared
reading of "public"; 46 mutations, 22 survived: 15 caught now, 1 bug, 6 equivalent):

- ``Principal: ["*"]`` (a list) is anyone;
- fixed ``aws:PrincipalAccount`` pins the caller; ``StringLike`` without a wildcard pins;
  ``ForAnyValue:StringEquals`` pins; a ``?`` in an account is a wildcard; one wildcard value among
  fixed ones (``[<account>, "*"]``) pins nothing; a blank value (``" "``) pins nothing; a string
  operator on ``aws:SourceIp`` is not read as a pin (IP keys take the IP operators, and the rule
  vouches for no other reading); two IPv6 halves (``::/1``, ``8000::/1``) are the whole internet;
- a TLS deny using ``NotResource`` is refused for that, by name; one narrowed by a second key under
  ``Bool`` (``aws:MultiFactorAuthPresent``) is refused as narrowed; an ``Allow`` on
  ``aws:SecureTransport = false`` is no TLS deny; a deny whose ``aws:SecureTransport`` values
  include ``false`` among others (``["false", "true"]``) denies plain HTTP and counts; a deny on
  the bucket ARN alone leaves the objects open over HTTP; with several partial denies, every
  one's problems are reported, not the first's only.

The bug: a TLS deny counted as reaching every principal when a ``*`` stood under any Principal key,
so a Deny to ``{"Service": "*"}`` or ``{"Federated": "*"}`` made a policy TLS-only while IAM users
and roles still read over plain HTTP (mutation: read a Deny's principal as ``"*"`` or
``{"AWS": "*"}`` only, which the module and the README already documented). A Deny now needs
``"*"`` or a ``*`` under ``AWS``; an Allow is still public with a ``*`` under any key.

sagemaker_notebooks.py (21 mutations, 1 survived, caught now):

- a Studio domain's ``kmsKeyId`` of ``""`` (an output after create, or a blank literal) is unset,
  on both the pulumi-aws and the aws-native domain.

Equivalent (no input changes the verdict or message):

- Lambda permission conditions taken when truthy rather than not-None: the only falsy values
  Lambda's string inputs take are ``""`` (which pins nothing either way) and an unknown is truthy;
- ``_candidate_buckets`` keeping ``*`` rather than writing ``x``: a ``*`` in the pattern matches the
  literal ``*`` of the probe, so the probe matches the same patterns;
- an ``aws:SourceIp`` network with prefix length 0 counted as fixed: it is the whole address
  space, which ``_whole_space`` refuses right after;
- ``aws:userid`` without the colon test: without a colon the unique id is the whole value, which
  holds the wildcard that brought it there, so it is refused anyway;
- dropping the ``ForAllValues:`` skip, or the ``...IfExists`` skip: neither prefixed or suffixed
  operator is in the matching-operator set, so the next test skips it;
- ``_principal_is_anyone`` without ``principal == "*"``: ``items("*")`` is ``["*"]``, which the
  next test finds.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.local import evaluate_report
from policies.registry import get_policy
from tests.policies.conftest import build
from tests.policies.test_resource_policy_public_semantics import (
    ACCOUNT,
    QUEUE_POLICY,
    check,
    document,
    queue,
    statement,
)

UNKNOWN = UNKNOWN_STRING_VALUE
FIX = (
    "name the principals (accounts, roles or a service), or add a condition on fixed values of "
    "aws:SourceArn, aws:SourceAccount or aws:PrincipalOrgID (or aws:SourceVpce/aws:SourceVpc); an ARN "
    "pattern pins only with a fixed account (S3 bucket ARNs have none: pin arn:aws:s3:::name* with "
    "aws:SourceAccount too)."
)
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
TLS_RULE = "s3-bucket-policy-tls-only"
NAME = "mlops-data"
ARN = f"arn:aws:s3:::{NAME}"
TLS_FIX = (
    ". Fix: add a statement Deny, Principal '*', Action 's3:*', Resource [<bucket ARN>, <bucket ARN>/*], "
    "Condition {'Bool': {'aws:SecureTransport': 'false'}} and nothing else."
)


def public_message(who: str, label: str = "Statement[0]", prop: str = "policy") -> str:
    return (
        f"{prop} {label} allows {who} without a restricting condition, which makes the resource public: {FIX}"
    )


# --- resource-policy-not-public: unknown values ------------------------------------------------------


def test_an_unknown_principal_inside_a_list_leaves_the_statement_undecided() -> None:
    named_and_unknown = statement(Principal={"AWS": [f"arn:aws:iam::{ACCOUNT}:root", UNKNOWN]})
    assert check(QUEUE_POLICY, {"policy": document(named_and_unknown)}) == ([], 1)


def test_a_star_beside_an_unknown_principal_is_public_at_preview() -> None:
    found, undecided = check(QUEUE_POLICY, {"policy": document(statement(Principal={"AWS": ["*", UNKNOWN]}))})
    assert (found, undecided) == ([public_message("Principal {'AWS': ['*', <unknown>]}")], 0)


def test_an_event_permission_whose_condition_key_is_unknown_is_undecided() -> None:
    inputs = {
        "action": "events:PutEvents",
        "principal": "*",
        "statementId": "s",
        "condition": {"type": "StringEquals", "key": UNKNOWN, "value": "o-abc123def4"},
    }
    assert check("aws:cloudwatch/eventPermission:EventPermission", inputs) == ([], 1)


def test_a_statement_unknown_at_preview_is_undecided() -> None:
    assert check(QUEUE_POLICY, {"policy": {"Version": "2012-10-17", "Statement": [UNKNOWN]}}) == ([], 1)


def test_a_blank_native_event_bus_statement_is_not_valid_json() -> None:
    """A ``statement`` of ``""`` is read as a (broken) statement, not as no statement at all."""
    assert check("aws-native:events:EventBusPolicy", {"statement": "", "principal": "*"}) == (
        [
            "statement is not valid JSON (or repeats a key in one object, which AWS may read either way): pass one JSON policy statement."
        ],
        0,
    )


def test_an_empty_sid_is_not_named() -> None:
    assert queue(statement(Sid="", Principal="*")) == [public_message("Principal '*'")]


# --- who is anyone and which conditions pin (shared with the S3 rule) ---------------------------------


def test_a_star_principal_written_as_a_list_is_anyone() -> None:
    assert queue(statement(Principal=["*"])) == [public_message("Principal ['*']")]


@pytest.mark.parametrize(
    ("condition", "public"),
    [
        pytest.param({"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}, False, id="principal-account-pins"),
        pytest.param(
            {"StringLike": {"aws:SourceAccount": ACCOUNT}}, False, id="string-like-without-wildcard-pins"
        ),
        pytest.param(
            {"ForAnyValue:StringEquals": {"aws:SourceAccount": ACCOUNT}}, False, id="for-any-value-pins"
        ),
        pytest.param(
            {"StringLike": {"aws:SourceAccount": ACCOUNT[:-1] + "?"}}, True, id="question-mark-is-a-wildcard"
        ),
        pytest.param(
            {"StringLike": {"aws:SourceAccount": [ACCOUNT, "*"]}}, True, id="one-wildcard-among-fixed-values"
        ),
        pytest.param(
            {"StringEquals": {"aws:SourceIp": "203.0.113.7"}}, True, id="string-operator-on-source-ip"
        ),
        pytest.param({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, False, id="ip-operator-on-source-ip"),
        pytest.param({"StringEquals": {"aws:SourceAccount": " "}}, True, id="blank-value-pins-nothing"),
        pytest.param(
            {"IpAddress": {"aws:SourceIp": ["::/1", "8000::/1"]}},
            True,
            id="ipv6-halves-are-the-whole-internet",
        ),
    ],
)
def test_which_conditions_pin_an_allow_to_anyone(condition: dict[str, Any], public: bool) -> None:
    expected = [public_message("Principal '*'")] if public else []
    assert queue(statement(Principal="*", Condition=condition)) == expected


# --- s3-bucket-policy-tls-only -------------------------------------------------------------------------


def tls(**changes: Any) -> dict[str, Any]:
    deny = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [ARN, f"{ARN}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    return {k: v for k, v in {**deny, **changes}.items() if v is not None}


def tls_messages(*statements: dict[str, Any]) -> list[str]:
    policy = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    records = build(
        [{"type": BUCKET_POLICY, "name": "subject", "inputs": {"bucket": NAME, "policy": policy}}]
    )
    report = evaluate_report(records, None, [get_policy(TLS_RULE)])
    assert report.undecided == []
    return [v.message for v in report.violations]


@pytest.mark.parametrize(
    ("principal", "problem"),
    [
        pytest.param("*", None, id="star"),
        pytest.param({"AWS": "*"}, None, id="aws-star"),
        pytest.param({"AWS": [f"arn:aws:iam::{ACCOUNT}:root", "*"]}, None, id="star-among-named-aws"),
        pytest.param(
            {"Service": "*"}, "Principal is {'Service': '*'}, not '*'", id="service-star-denies-no-user"
        ),
        pytest.param(
            {"Federated": "*"}, "Principal is {'Federated': '*'}, not '*'", id="federated-star-denies-no-user"
        ),
    ],
)
def test_a_tls_deny_must_reach_every_aws_principal(principal: Any, problem: str | None) -> None:
    """Fixed: a ``*`` under any Principal key counted, so a Deny to ``{"Service": "*"}`` passed."""
    expected = (
        []
        if problem is None
        else [f"policy is not TLS-only: the aws:SecureTransport Deny statement {problem}{TLS_FIX}"]
    )
    assert tls_messages(tls(Principal=principal)) == expected


def test_every_partial_tls_deny_is_reported() -> None:
    one_action = tls(Action="s3:GetObject")
    one_account = tls(Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"})
    assert tls_messages(one_action, one_account) == [
        "policy is not TLS-only: the aws:SecureTransport Deny statement Action is 's3:GetObject', not 's3:*'; "
        "the aws:SecureTransport Deny statement Principal is {'AWS': 'arn:aws:iam::111122223333:root'}, "
        f"not '*'{TLS_FIX}"
    ]


@pytest.mark.parametrize(
    ("statement_", "problem"),
    [
        pytest.param(tls(), None, id="the-full-deny-passes"),
        pytest.param(
            tls(Resource=None, NotResource=f"{ARN}/public/*"),
            "the aws:SecureTransport Deny statement uses NotResource",
            id="not-resource-is-named",
        ),
        pytest.param(
            tls(Condition={"Bool": {"aws:SecureTransport": "false", "aws:MultiFactorAuthPresent": "false"}}),
            "the aws:SecureTransport Deny statement is narrowed by the condition(s) Bool aws:MultiFactorAuthPresent",
            id="second-key-under-bool-narrows",
        ),
        pytest.param(
            tls(Effect="Allow"),
            "there is no Deny statement with Condition {'Bool': {'aws:SecureTransport': 'false'}}",
            id="an-allow-is-no-deny",
        ),
        pytest.param(
            tls(Condition={"Bool": {"aws:SecureTransport": ["false", "true"]}}),
            None,
            id="false-among-the-values-still-denies-http",
        ),
        pytest.param(
            tls(Resource=ARN),
            f"the aws:SecureTransport Deny covers Resource {[ARN]!r}, not both the bucket ARN and its "
            "objects (<bucket ARN>/*)",
            id="bucket-arn-alone-leaves-objects-open",
        ),
    ],
)
def test_what_a_tls_deny_covers(statement_: dict[str, Any], problem: str | None) -> None:
    expected = [] if problem is None else [f"policy is not TLS-only: {problem}{TLS_FIX}"]
    assert tls_messages(statement_) == expected


# --- studio-domain-vpc-only-encrypted ----------------------------------------------------------------


@pytest.mark.parametrize("resource_type", ["aws:sagemaker/domain:Domain", "aws-native:sagemaker:Domain"])
def test_a_domain_key_of_empty_string_is_unset(resource_type: str) -> None:
    rule = "studio-domain-vpc-only-encrypted"
    inputs = {"appNetworkAccessType": "VpcOnly", "kmsKeyId": ""}
    records = build([{"type": resource_type, "name": "subject", "inputs": inputs}])
    report = evaluate_report(records, None, [get_policy(rule)])
    assert [v.message for v in report.violations] == [
        "kmsKeyId is unset: set kms_key_id to a customer-managed KMS key for the domain's EFS volume."
    ]
    key = "arn:aws:kms:eu-west-1:111122223333:key/abcd"
    records = build([{"type": resource_type, "name": "subject", "inputs": {**inputs, "kmsKeyId": key}}])
    assert evaluate_report(records, None, [get_policy(rule)]).violations == []
