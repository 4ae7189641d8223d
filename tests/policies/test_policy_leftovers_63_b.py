"""Session 63's second batch of policy-pack leftovers, each case failing before its fix.

1. ``alarm-topic-key-usable`` read every condition key its request model did not name as absent
   from the request CloudWatch makes to KMS for SNS. Per the IAM User Guide ("AWS global condition
   context keys", each key's Availability) some are in every request (``aws:SecureTransport``,
   ``aws:CurrentTime``, ``aws:EpochTime``, ``aws:UserAgent``, ``aws:PrincipalType``,
   ``aws:RequestedRegion``), ``aws:SourceIp`` in every request not made through a VPC endpoint, and
   others may be (``aws:ViaAWSService``, ``aws:PrincipalServiceNamesList``, ``aws:ResourceTag/...``).
   Read as absent, a grant conditioned on one was refused (a false violation), a Deny on one passed
   unseen, and a Deny under ``...IfExists`` or a negated operator was refused. Now the request
   model sorts keys into three classes (``policies/rules/_kms_request.py``): carried with a value
   the stack settles (``aws:RequestedRegion`` is the key's Region, the topic's), surely absent (an
   IAM principal's identity, the VPC endpoint keys, ``aws:CalledVia*``, ``aws:Referer``...), and
   every other key undecided, in an Allow and a Deny alike.
2. (``_topic_keys.py`` split into ``_kms_request.py``, ``_key_conditions.py`` and the walk: no
   behaviour change, every test of tests/policies passes unchanged.)
3. (``engine_shapes._arn`` gives each type read after create its real ARN shape: the reports of
   every test of tests/policies are the same before and after.)
4. ``''`` in a policy variable's default value: see :func:`test_a_doubled_quote_in_a_default`.
"""

from __future__ import annotations

from typing import Any

import pytest

from policies.local import evaluate_report
from policies.registry import get_policy
from tests.policies import engine_shapes
from tests.policies.conftest import build
from tests.policies.test_policy_alarm_rules import CLOUDWATCH_KEY_GRANT, topic_key_stack

TOPIC_KEY = "alarm-topic-key-usable"
REFUSED = "does not let cloudwatch.amazonaws.com use it"
KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/0b6e4c1a-1111-2222-3333-444455556666"
OUTPUTS = pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])


def _judge(grants: list[dict[str, Any]], *, outputs: bool) -> tuple[list[str], list[str]]:
    records: Any = build(topic_key_stack(*grants))
    if outputs:
        records = engine_shapes.as_outputs(records, {"notifications-key": {"arn": KEY_ARN}})
    report = evaluate_report(records, None, [get_policy(TOPIC_KEY)])
    return [v.message for v in report.violations], [u.reason for u in report.undecided]


def _grant_also(operator: str, key: str, value: Any) -> dict[str, Any]:
    """The CloudWatch grant with one more condition."""
    return {
        **CLOUDWATCH_KEY_GRANT,
        "Condition": {**CLOUDWATCH_KEY_GRANT["Condition"], operator: {key: value}},
    }


def _deny(operator: str, key: str, value: Any) -> dict[str, Any]:
    return {
        "Sid": "Guard",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "kms:*",
        "Resource": "*",
        "Condition": {operator: {key: value}},
    }


def _refused(verdict: tuple[list[str], list[str]]) -> bool:
    found, undecided = verdict
    return undecided == [] and len(found) == 1 and REFUSED in found[0]


def _undecided_on(verdict: tuple[list[str], list[str]], key: str) -> bool:
    found, undecided = verdict
    return found == [] and len(undecided) == 1 and f"conditions on {key}," in undecided[0]


# --- 1. keys every request (or some) carries, valued by the request: undecided ------------------

UNSETTLED = [
    pytest.param("Bool", "aws:SecureTransport", "true", "false", id="secure-transport"),
    pytest.param("DateLessThan", "aws:CurrentTime", "2030-01-01T00:00:00Z", None, id="current-time"),
    pytest.param("NumericLessThan", "aws:EpochTime", "1900000000", None, id="epoch-time"),
    pytest.param("IpAddress", "aws:SourceIp", "203.0.113.0/24", None, id="source-ip"),
    pytest.param("StringLike", "aws:UserAgent", "*", None, id="user-agent"),
    pytest.param("StringEquals", "aws:PrincipalType", "AWSService", None, id="principal-type"),
    pytest.param("Bool", "aws:ViaAWSService", "false", "true", id="via-aws-service"),
    pytest.param(
        "ForAnyValue:StringEquals",
        "aws:PrincipalServiceNamesList",
        "cloudwatch.amazonaws.com",
        None,
        id="service-names-list",
    ),
    pytest.param("StringEquals", "aws:ResourceTag/team", "ml", None, id="resource-tag"),
    pytest.param("StringEquals", "kms:EncryptionContextKeys", "aws:sns:topicArn", None, id="context-keys"),
]


@OUTPUTS
@pytest.mark.parametrize(("operator", "key", "granted", "_denied"), UNSETTLED)
def test_a_grant_conditioned_on_a_key_the_stack_does_not_settle_is_undecided(
    outputs: bool, operator: str, key: str, granted: str, _denied: str | None
) -> None:
    """Read as absent, the grant failed and the alarm was refused (a false violation)."""
    assert _undecided_on(_judge([_grant_also(operator, key, granted)], outputs=outputs), key)


@OUTPUTS
@pytest.mark.parametrize(("operator", "key", "granted", "denied"), UNSETTLED)
def test_a_deny_conditioned_on_a_key_the_stack_does_not_settle_is_undecided(
    outputs: bool, operator: str, key: str, granted: str, denied: str | None
) -> None:
    """Read as absent, the Deny applied to nothing and the key policy passed."""
    deny = _deny(operator, key, denied or granted)
    assert _undecided_on(_judge([CLOUDWATCH_KEY_GRANT, deny], outputs=outputs), key)


@OUTPUTS
@pytest.mark.parametrize(
    ("operator", "key", "value"),
    [
        pytest.param("StringNotEqualsIfExists", "aws:UserAgent", "aws-internal", id="if-exists"),
        pytest.param("StringNotEquals", "aws:SourceIp", "203.0.113.7", id="negated"),
        pytest.param("Null", "aws:SecureTransport", "true", id="null"),
    ],
)
def test_a_deny_that_held_on_an_absent_key_is_undecided(
    outputs: bool, operator: str, key: str, value: str
) -> None:
    """Read as absent, ``...IfExists``, a negation or ``Null true`` held, and the alarm was refused."""
    assert _undecided_on(_judge([CLOUDWATCH_KEY_GRANT, _deny(operator, key, value)], outputs=outputs), key)


# --- 1. aws:RequestedRegion: the key's Region ----------------------------------------------------


@OUTPUTS
def test_a_grant_in_the_keys_region_lets_cloudwatch_in(outputs: bool) -> None:
    grant = _grant_also("StringEquals", "aws:RequestedRegion", "eu-west-1")
    assert _judge([grant], outputs=outputs) == ([], [])


@OUTPUTS
def test_a_grant_in_another_region_is_refused(outputs: bool) -> None:
    assert _refused(
        _judge([_grant_also("StringEquals", "aws:RequestedRegion", "us-east-1")], outputs=outputs)
    )


@OUTPUTS
@pytest.mark.parametrize(
    ("region", "refused"),
    [pytest.param("eu-west-1", False, id="its-region"), pytest.param("us-east-1", True, id="other")],
)
def test_a_region_deny_applies_only_outside_the_keys_region(
    outputs: bool, region: str, refused: bool
) -> None:
    """The data perimeter's ``StringNotEquals aws:RequestedRegion`` Deny: read as absent, the negation
    held and the alarm was refused in its own Region too."""
    verdict = _judge(
        [CLOUDWATCH_KEY_GRANT, _deny("StringNotEquals", "aws:RequestedRegion", region)], outputs=outputs
    )
    assert _refused(verdict) if refused else verdict == ([], [])


@OUTPUTS
def test_a_deny_whose_region_variable_is_the_keys_applies(outputs: bool) -> None:
    """``${aws:RequestedRegion}`` is filled in with the key's Region: the Deny names the alarm."""
    arn = "arn:aws:cloudwatch:${aws:RequestedRegion}:111122223333:alarm:churn-5xx"
    assert _refused(
        _judge([CLOUDWATCH_KEY_GRANT, _deny("StringEquals", "aws:SourceArn", arn)], outputs=outputs)
    )


@pytest.mark.parametrize(
    ("key_arn", "refused"),
    [
        pytest.param(KEY_ARN, False, id="key-in-eu-west-1"),
        pytest.param(KEY_ARN.replace("eu-west-1", "eu-west-2"), True, id="key-elsewhere"),
    ],
)
def test_after_create_the_region_is_read_from_the_keys_arn(key_arn: str, refused: bool) -> None:
    records = engine_shapes.as_outputs(
        build(topic_key_stack(_grant_also("StringEquals", "aws:RequestedRegion", "eu-west-1"))),
        {"notifications-key": {"arn": key_arn}},
    )
    report = evaluate_report(records, None, [get_policy(TOPIC_KEY)])
    verdict = ([v.message for v in report.violations], [u.reason for u in report.undecided])
    assert _refused(verdict) if refused else verdict == ([], [])


# --- 1. keys the request surely lacks stay decided ------------------------------------------------


@OUTPUTS
@pytest.mark.parametrize(
    ("operator", "key", "value"),
    [
        pytest.param("StringEquals", "aws:SourceVpc", "vpc-0123456789abcdef0", id="source-vpc"),
        pytest.param("StringEquals", "aws:SourceVpce", "vpce-0123456789abcdef0", id="source-vpce"),
        pytest.param("IpAddress", "aws:VpcSourceIp", "10.0.0.0/8", id="vpc-source-ip"),
        pytest.param("ForAnyValue:StringEquals", "aws:CalledVia", "sns.amazonaws.com", id="called-via"),
        pytest.param("StringLike", "aws:Referer", "*", id="referer"),
        pytest.param("StringEquals", "aws:CalledViaLast", "sns.amazonaws.com", id="called-via-last"),
        pytest.param("StringEquals", "aws:VpceAccount", "111122223333", id="vpce-account"),
        pytest.param("ArnLike", "aws:SourceVpcArn", "arn:aws:ec2:*:111122223333:vpc/*", id="source-vpc-arn"),
        pytest.param(
            "StringEquals", "aws:Ec2InstanceSourceVpc", "vpc-0123456789abcdef0", id="ec2-instance-vpc"
        ),
        pytest.param("StringEquals", "kms:CallerAccount", "111122223333", id="caller-account"),
    ],
)
def test_a_grant_on_a_key_a_service_principal_lacks_is_refused(
    outputs: bool, operator: str, key: str, value: str
) -> None:
    assert _refused(_judge([_grant_also(operator, key, value)], outputs=outputs))


@OUTPUTS
def test_the_network_perimeter_deny_without_a_service_exemption_is_refused(outputs: bool) -> None:
    """``StringNotEquals aws:SourceVpce`` holds for a request carrying no VPC endpoint: KMS refuses CloudWatch."""
    deny = _deny("StringNotEquals", "aws:SourceVpce", "vpce-0123456789abcdef0")
    assert _refused(_judge([CLOUDWATCH_KEY_GRANT, deny], outputs=outputs))
    exempt = {
        **deny,
        "Condition": {**deny["Condition"], "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}},
    }
    assert _judge([CLOUDWATCH_KEY_GRANT, exempt], outputs=outputs) == ([], [])


# --- 4. '' in a variable's default: undocumented, read both ways against the grant -------------

QUOTED = "${aws:SourceAccount, 'it''s'}"  # the key is in the request: its value, if a variable at all


@OUTPUTS
def test_a_grant_holding_a_doubled_quote_in_a_default_is_no_sure_grant(outputs: bool) -> None:
    """Read as one quote the variable is the account and the grant holds; read as the default's end,
    ``${...}`` is text and the grant fails. It passed."""
    assert _refused(_judge([_grant_also("StringEquals", "aws:SourceAccount", QUOTED)], outputs=outputs))


@OUTPUTS
def test_a_deny_holding_a_doubled_quote_in_a_default_may_apply(outputs: bool) -> None:
    """``StringNotEquals`` the account: no match read as one quote, a match read as text. It passed."""
    assert _refused(
        _judge([CLOUDWATCH_KEY_GRANT, _deny("StringNotEquals", "aws:SourceAccount", QUOTED)], outputs=outputs)
    )


@OUTPUTS
@pytest.mark.parametrize(
    "statements",
    [
        pytest.param(
            [
                CLOUDWATCH_KEY_GRANT,
                _deny("StringEquals", "aws:SourceAccount", "${aws:PrincipalAccount, 'it''s'}"),
            ],
            id="deny-matching-neither-way",
        ),
        pytest.param(
            [_grant_also("StringEquals", "aws:SourceAccount", "${aws:SourceAccount, 'its'}")],
            id="grant-without-a-quote",
        ),
    ],
)
def test_what_both_readings_agree_on_stays_decided(outputs: bool, statements: list[dict[str, Any]]) -> None:
    assert _judge(statements, outputs=outputs) == ([], [])


def test_a_deny_resource_holding_a_doubled_quote_applies_if_either_reading_names_the_key() -> None:
    """A guard, not a fix (a key's ARN holds no quote, so the readings differ only where a carried
    key fills the variable): read as one quote the Region is the key's and the Deny names it; read
    as text it names no key. A Deny reaching the key either way applies (after create: at preview
    the key's ARN is not known)."""
    deny = {**_deny("StringLike", "aws:SourceAccount", "*"), "Condition": {}}
    deny["Resource"] = "arn:aws:kms:${aws:RequestedRegion, 'x''y'}:111122223333:key/*"
    assert _refused(_judge([CLOUDWATCH_KEY_GRANT, deny], outputs=True))
