"""Second read of session 63's policy-pack change (13915dd..6db8e36), each case failing before its fix.

1. A padded ``Principal`` string (``" *"``) is anyone to the rules refusing an Allow to anyone, as a
   padded ``Effect`` and a padded ``{"AWS": " *"}`` already were: ``kms-key-policy-no-public-principal``,
   ``iam-role-trust-not-public`` and ``iam-role-federated-trust-scoped`` compared it with ``"*"``
   exactly and passed it.
2. A policy variable whose key the request lacks, with no default, was undecided ("what IAM compares
   then is not documented"). It is documented (IAM User Guide, "Policy variables with no value"): the
   value is effectively null, ``StringEquals``/``StringLike`` (and the ARN operators) do not match
   it, their negations do, and a ``Resource``/``NotResource`` entry holding one matches no resource.
   The confused-deputy Deny ``StringNotEquals aws:SourceAccount ${aws:PrincipalAccount}`` (a service
   principal has no principal account) applies, as it was refused before session 63, and a grant
   conditioned on such a variable lets nothing in.
3. IAM fills variables in only under the string and ARN operators ("You can't use a policy variable
   with other operators, such as ... Boolean"): a grant conditioned on ``Bool
   aws:PrincipalIsAWSService ${aws:PrincipalIsAWSService}`` compares ``true`` with that text, so it
   lets nothing in. It was filled in and passed.
4. IAM fills variables in only in an ARN's resource part, after its fifth colon ("You can't use a
   variable to replace parts of the ARN before the fifth colon, such as the service or account"). A
   grant on ``arn:aws:kms:eu-west-1:${aws:ResourceAccount}:key/*`` was filled in and passed after
   create, and a Deny with that ``NotResource`` excluded the key; whether KMS refuses, reads
   literally or fills in such an entry is not said, so it is read against the grant: a grant's
   ``Resource`` literal (no key), a Deny's ``NotResource`` literal (excluding nothing).
5. ``engine_shapes`` gave an SNS topic the ARN ``arn:aws:sns:<region>:<account>:topic/<name>``; SNS's
   is ``...:<account>:<name>``, so after create an alarm naming the stack's topic by its literal ARN
   alone saw it as a topic outside the stack (undecided), and tests had to pass the real ARN.
6. Mutations of the change no test caught (each now fails a case below): an undecided note keeping
   only the first of two notes no value settles, a grant's padded ``Principal`` string read trimmed,
   ``StringEquals`` comparing the escapes ``${*}``/``${$}`` as text, a filled-in ``$`` left
   unescaped, ``aws:ResourceOrgID`` read as absent, ``any3`` keeping the first of two reasons.
7. Two more readings IAM does not document, now taken against the grant as padded entries are: a
   condition key padded with white space (a Deny ``StringEquals {" aws:SourceAccount": <the
   account>}`` was read as on a key the request lacks, so as applying to nothing, and passed), and a
   ``*`` a variable fills in under ``StringLike``/``ArnLike`` or in a ``Resource`` (a Deny
   ``StringLike aws:SourceArn ${aws:PrincipalTag/x, '*'}`` read the ``*`` only as the character,
   and passed).
8. A listed condition value a variable leaves unknown (``${aws:SourceOrgID}``) made the whole
   comparison undecided even when another listed value matched: a Deny ``StringEquals
   aws:SourceAccount ["${aws:SourceOrgID}", <the account>]`` applies whatever the organization is,
   and was refused before session 63 (the variable compared as text); it was undecided.
9. A principal's padded type key (``{" AWS": "*"}``, ``{"Service ": ...}``, ``{" Federated": ...}``)
   is read against the rule as its entries are: a key policy's Deny to ``{" AWS": "*"}`` may deny
   CloudWatch (it passed), a grant to ``{"Service ": "cloudwatch.amazonaws.com"}`` is no sure grant,
   and ``iam-role-federated-trust-scoped`` judges a ``{" Federated": <provider>}`` trust (it found
   no provider and passed it).
10. Item 2 reads a variable as null only for keys a service principal's request surely lacks (its
    principal's identity, tags and session, request tags, KMS's caller keys). A key the request model
    merely does not carry, such as ``aws:RequestedRegion`` (in every request), may be filled in by
    IAM: reading it as null let a Deny ``StringEquals aws:SourceArn
    arn:aws:cloudwatch:${aws:RequestedRegion}:<account>:alarm:<the alarm>`` pass; it is undecided.
"""

from __future__ import annotations

from typing import Any

import pytest

from policies.local import evaluate_report
from policies.registry import get_policy
from tests.policies import engine_shapes
from tests.policies.conftest import build
from tests.policies.one_resource import findings, json_document
from tests.policies.test_policy_alarm_rules import CLOUDWATCH_KEY_GRANT, topic_key_stack

TOPIC_KEY = "alarm-topic-key-usable"
REFUSED = "does not let cloudwatch.amazonaws.com use it"
KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/0b6e4c1a-1111-2222-3333-444455556666"


def _judge(grants: list[dict[str, Any]], *, outputs: bool) -> tuple[list[str], list[str]]:
    """``alarm-topic-key-usable`` on the 5xx alarm's stack whose key policy holds ``grants`` (after
    create the key's ARN is :data:`KEY_ARN`)."""
    records: Any = build(topic_key_stack(*grants))
    if outputs:
        records = engine_shapes.as_outputs(records, {"notifications-key": {"arn": KEY_ARN}})
    report = evaluate_report(records, None, [get_policy(TOPIC_KEY)])
    return [v.message for v in report.violations], [u.reason for u in report.undecided]


def _grant(**changes: Any) -> dict[str, Any]:
    return {**CLOUDWATCH_KEY_GRANT, **changes}


def _deny(**fields: Any) -> dict[str, Any]:
    return {"Sid": "Guard", "Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*", **fields}


def _refused(verdict: tuple[list[str], list[str]]) -> bool:
    found, undecided = verdict
    return undecided == [] and len(found) == 1 and REFUSED in found[0]


# --- 1. a padded Principal string is anyone -----------------------------------------------------

OPEN_TO_ANYONE = [
    pytest.param(
        "kms-key-policy-no-public-principal", "aws:kms/keyPolicy:KeyPolicy", "policy", "kms:Decrypt", id="key"
    ),
    pytest.param(
        "iam-role-trust-not-public", "aws:iam/role:Role", "assumeRolePolicy", "sts:AssumeRole", id="trust"
    ),
    pytest.param(
        "iam-role-federated-trust-scoped",
        "aws:iam/role:Role",
        "assumeRolePolicy",
        "sts:AssumeRoleWithWebIdentity",
        id="federated",
    ),
]


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
@pytest.mark.parametrize("principal", [" *", "* ", "*"])
@pytest.mark.parametrize(("policy", "resource_type", "prop", "action"), OPEN_TO_ANYONE)
def test_a_padded_principal_string_is_anyone(
    policy: str, resource_type: str, prop: str, action: str, principal: str, outputs: bool
) -> None:
    """Trimmed, ``" *"`` is ``"*"``: the widest reading, which a rule refusing an Allow takes."""
    statement = {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": "*"}
    found, undecided = findings(policy, resource_type, {prop: json_document(statement)}, outputs=outputs)
    assert undecided == 0 and len(found) == 1, (principal, found)


@pytest.mark.parametrize("principal", [{"AWS": " *"}, {"AWS": ["arn:aws:iam::111122223333:root", "* "]}])
def test_a_padded_aws_wildcard_lets_any_identity_provider_in(principal: dict[str, Any]) -> None:
    """``iam-role-federated-trust-scoped`` reads ``{"AWS": " *"}`` as ``"*"`` too (it compared the list
    entries with ``"*"`` exactly, and found no provider to judge)."""
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRoleWithWebIdentity"}
    found, undecided = findings(
        "iam-role-federated-trust-scoped", "aws:iam/role:Role", {"assumeRolePolicy": json_document(statement)}
    )
    assert undecided == 0 and len(found) == 1 and "any identity provider" in found[0], found


@pytest.mark.parametrize(("policy", "resource_type", "prop", "action"), OPEN_TO_ANYONE)
def test_a_named_principal_padded_is_still_no_one_else(
    policy: str, resource_type: str, prop: str, action: str
) -> None:
    """The twin: a padded account principal is not anyone (the trust pins its account)."""
    principal = {"AWS": " arn:aws:iam::111122223333:root"}
    statement = {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": "*"}
    assert findings(policy, resource_type, {prop: json_document(statement)}) == ([], 0)


# --- 2. a policy variable with no value is null -------------------------------------------------

NOBODYS = "${aws:PrincipalAccount}"  # a service principal's request carries no principal account


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
@pytest.mark.parametrize(
    "grants",
    [
        pytest.param(
            [CLOUDWATCH_KEY_GRANT, _deny(Condition={"StringNotEquals": {"aws:SourceAccount": NOBODYS}})],
            id="deny-not-equals",
        ),
        pytest.param(
            [
                CLOUDWATCH_KEY_GRANT,
                _deny(Condition={"ArnNotLike": {"aws:SourceArn": f"arn:aws:*:*:{NOBODYS}:*"}}),
            ],
            id="deny-arn-not-like",
        ),
        pytest.param([_grant(Condition={"StringEquals": {"aws:SourceAccount": NOBODYS}})], id="grant-equals"),
        pytest.param(
            [_grant(Condition={"StringLike": {"aws:SourceArn": "${aws:PrincipalTag/alarms}"}})],
            id="grant-like-a-tag",
        ),
        pytest.param(
            [_grant(Resource="arn:aws:kms:eu-west-1:111122223333:key/${aws:PrincipalTag/key}")],
            id="grant-resource",
        ),
        pytest.param(
            [
                CLOUDWATCH_KEY_GRANT,
                _deny(
                    Resource=None,
                    NotResource="arn:aws:kms:eu-west-1:111122223333:key/${aws:PrincipalTag/key}",
                ),
            ],
            id="deny-not-resource",
        ),
    ],
)
def test_a_variable_with_no_value_matches_nothing(outputs: bool, grants: list[dict[str, Any]]) -> None:
    """Null equals and is like nothing: a negated Deny applies, a positive grant does not, a
    ``NotResource`` holding it excludes nothing. Each was undecided before (after create too)."""
    grants = [{k: v for k, v in g.items() if v is not None} for g in grants]
    assert _refused(_judge(grants, outputs=outputs))


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
@pytest.mark.parametrize(
    "grants",
    [
        pytest.param(
            [CLOUDWATCH_KEY_GRANT, _deny(Condition={"StringEquals": {"aws:SourceAccount": NOBODYS}})],
            id="deny-equals",
        ),
        pytest.param(
            [
                CLOUDWATCH_KEY_GRANT,
                _deny(Resource="arn:aws:kms:eu-west-1:111122223333:key/${aws:PrincipalTag/key}"),
            ],
            id="deny-resource",
        ),
        pytest.param(
            [_grant(Condition={"StringNotEquals": {"aws:SourceAccount": NOBODYS}})], id="grant-not-equals"
        ),
        pytest.param(
            [
                CLOUDWATCH_KEY_GRANT,
                _deny(
                    Condition={
                        "StringNotEquals": {"aws:SourceAccount": "${aws:PrincipalAccount, '111122223333'}"}
                    }
                ),
            ],
            id="deny-with-the-default",
        ),
    ],
)
def test_the_twins_with_no_value_leave_cloudwatch_in(outputs: bool, grants: list[dict[str, Any]]) -> None:
    """A positive Deny on null applies to nothing, a Deny on a resource named by null to no key, a
    grant on "not null" lets CloudWatch in; a default stands in for the absent key."""
    assert _judge(grants, outputs=outputs) == ([], [])


# --- 3. no policy variables under Bool ----------------------------------------------------------


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
def test_a_bool_compares_a_variable_as_its_text(outputs: bool) -> None:
    grant = _grant(Condition={"Bool": {"aws:PrincipalIsAWSService": "${aws:PrincipalIsAWSService}"}})
    assert _refused(_judge([grant], outputs=outputs))


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
@pytest.mark.parametrize(
    "condition",
    [
        pytest.param({"Bool": {"aws:PrincipalIsAWSService": "TRUE"}}, id="bool-fixed"),
        pytest.param(
            {"StringEqualsIgnoreCase": {"aws:PrincipalServiceName": "${aws:PrincipalServiceName}"}},
            id="string-ignoring-case-filled-in",
        ),
    ],
)
def test_the_twins_a_fixed_bool_and_a_string_operator_fill_in(
    outputs: bool, condition: dict[str, Any]
) -> None:
    assert _judge([_grant(Condition=condition)], outputs=outputs) == ([], [])


# --- 4. variables only in an ARN's resource part ------------------------------------------------

ACCOUNT_VARIABLE = "arn:aws:kms:eu-west-1:${aws:ResourceAccount}:key/*"


@pytest.mark.parametrize(
    "grants",
    [
        pytest.param([_grant(Resource=ACCOUNT_VARIABLE)], id="grant-resource"),
        pytest.param(
            [CLOUDWATCH_KEY_GRANT, {**_deny(NotResource=ACCOUNT_VARIABLE), "Resource": None}],
            id="deny-not-resource",
        ),
        pytest.param([CLOUDWATCH_KEY_GRANT, _deny(Resource=ACCOUNT_VARIABLE)], id="deny-resource"),
    ],
)
def test_a_variable_before_the_resource_part_is_read_against_the_grant(grants: list[dict[str, Any]]) -> None:
    """After create (the key's ARN known): the grant names no key, the ``NotResource`` Deny applies
    to it, the ``Resource`` Deny may (filled in). The first two passed before; at preview each waits
    for the key's ARN."""
    grants = [{k: v for k, v in g.items() if v is not None} for g in grants]
    assert _refused(_judge(grants, outputs=True))
    found, undecided = _judge(grants, outputs=False)
    assert found == [] and len(undecided) == 1, (found, undecided)


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
def test_the_twin_a_variable_in_the_resource_part_is_filled_in(outputs: bool) -> None:
    """After the fifth colon IAM fills it in (here the default of a key the request lacks): the
    grant names the key. Undecided at preview (the key's ARN), as any ARN ``Resource`` is."""
    resource = "arn:aws:kms:eu-west-1:111122223333:key/${aws:PrincipalTag/key, '0b6e4c1a-1111-2222-3333-444455556666'}"
    found, undecided = _judge([_grant(Resource=resource)], outputs=outputs)
    assert found == [] and len(undecided) == (0 if outputs else 1), (found, undecided)


# --- 5. the engine's SNS topic ARN ----------------------------------------------------------------


def test_after_create_a_topic_has_snss_arn() -> None:
    [topic] = [
        r
        for r in engine_shapes.as_outputs(build(topic_key_stack(CLOUDWATCH_KEY_GRANT)))
        if r.type == "aws:sns/topic:Topic"
    ]
    assert topic.inputs["arn"] == "arn:aws:sns:eu-west-1:111122223333:alerts"


def test_after_create_a_literal_topic_arn_names_the_stacks_topic() -> None:
    """The alarm names the topic by its ARN alone (no property dependency), and the key lets
    CloudWatch nothing: at preview it waits for the topic's ARN, after create it is refused.
    Undecided after create too ("outside the stack") with the old shape."""
    specs = topic_key_stack()  # the account's administration alone
    next(spec for spec in specs if spec["name"] == "errors").pop("deps")
    found, undecided = _judge_specs(specs, outputs=False)
    assert found == [] and len(undecided) == 1 and "the ARN of SNS topic 'alerts'" in undecided[0], undecided
    assert _refused(_judge_specs(specs, outputs=True))


def _judge_specs(specs: list[dict[str, Any]], *, outputs: bool) -> tuple[list[str], list[str]]:
    records: Any = build(specs)
    if outputs:
        records = engine_shapes.as_outputs(records)
    report = evaluate_report(records, None, [get_policy(TOPIC_KEY)])
    return [v.message for v in report.violations], [u.reason for u in report.undecided]


# --- 6. mutations of the change that no test caught ------------------------------------------------

PAGERS = ["arn:aws:sns:eu-west-1:999999999999:central-pager", "arn:aws:sns:eu-west-1:999999999999:on-call"]


def _named(specs: list[dict[str, Any]], alarm_name: str) -> list[dict[str, Any]]:
    next(spec for spec in specs if spec["name"] == "errors")["inputs"]["name"] = alarm_name
    return specs


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
def test_two_topics_outside_the_stack_are_both_noted(outputs: bool) -> None:
    specs = topic_key_stack(CLOUDWATCH_KEY_GRANT)
    errors = next(spec for spec in specs if spec["name"] == "errors")
    errors.pop("deps")
    errors["inputs"]["alarmActions"] = PAGERS
    found, undecided = _judge_specs(specs, outputs=outputs)
    assert found == [] and len(undecided) == 1 and all(p in undecided[0] for p in PAGERS), undecided


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
def test_a_grant_to_a_padded_principal_string_is_no_sure_grant(outputs: bool) -> None:
    assert _refused(_judge([_grant(Principal=" *")], outputs=outputs))
    assert _judge([_grant(Principal="*")], outputs=outputs) == ([], [])


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
def test_string_equals_reads_an_escape_as_its_character(outputs: bool) -> None:
    """``${*}`` is ``*`` under ``StringEquals`` too; a filled-in ``$`` stays a ``$`` (an alarm named
    ``churn${?}5xx`` is not ``churn?5xx``)."""
    arn = "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:churn${*}5xx"
    grant = _grant(Condition={"StringEquals": {"aws:SourceArn": arn}})
    assert _judge_specs(_named(topic_key_stack(grant), "churn*5xx"), outputs=outputs) == ([], [])
    grant = _grant(Condition={"StringEquals": {"aws:SourceArn": "${aws:SourceArn}"}})
    assert _judge_specs(_named(topic_key_stack(grant), "churn${?}5xx"), outputs=outputs) == ([], [])


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
def test_a_grant_on_the_keys_organization_is_undecided_saying_so(outputs: bool) -> None:
    grant = _grant(Condition={"StringEquals": {"aws:ResourceOrgID": "o-abcdef1234"}})
    found, undecided = _judge([grant], outputs=outputs)
    assert found == [] and len(undecided) == 1 and "aws:ResourceOrgID" in undecided[0], undecided


def test_two_grants_waiting_on_different_values_keep_both_reasons() -> None:
    """At preview one grant waits on the organization (no value settles it), the other on the key's
    ARN: the note gives both (``any3`` over the statements kept the first)."""
    grants = [
        _grant(Condition={"StringEquals": {"aws:SourceOrgID": "o-abcdef1234"}}),
        _grant(Sid="ByArn", Resource="arn:aws:kms:eu-west-1:111122223333:key/*"),
    ]
    found, undecided = _judge(grants, outputs=False)
    assert found == [] and len(undecided) == 1, undecided
    assert "aws:SourceOrgID" in undecided[0] and "can't be known during preview" in undecided[0], undecided


# --- 7. a padded condition key, a wildcard a variable fills in: read against the grant --------------


def _resolved(grants: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in g.items() if v is not None} for g in grants]


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
@pytest.mark.parametrize(
    "grants",
    [
        pytest.param(
            [CLOUDWATCH_KEY_GRANT, _deny(Condition={"StringEquals": {" aws:SourceAccount": "111122223333"}})],
            id="deny-padded-key",
        ),
        pytest.param(
            [_grant(Condition={"StringNotEquals": {"aws:SourceAccount ": "111122223333"}})],
            id="grant-padded-key-negated",
        ),
        pytest.param(
            [
                CLOUDWATCH_KEY_GRANT,
                _deny(Condition={"StringLike": {"aws:SourceArn": "${aws:PrincipalTag/x, '*'}"}}),
            ],
            id="deny-like-a-filled-in-star",
        ),
        pytest.param(
            [
                CLOUDWATCH_KEY_GRANT,
                _deny(
                    Condition={
                        "ArnLike": {
                            "aws:SourceArn": "arn:aws:cloudwatch:*:*:alarm:${aws:PrincipalTag/x, '*'}"
                        }
                    }
                ),
            ],
            id="deny-arn-like-a-filled-in-star",
        ),
        pytest.param(
            [
                _grant(
                    Condition={
                        "StringLike": {
                            "kms:EncryptionContext:aws:sns:topicArn": "arn:aws:sns:eu-west-1:111122223333:${aws:PrincipalTag/t, '*'}"
                        }
                    }
                )
            ],
            id="grant-like-a-filled-in-star",
        ),
    ],
)
def test_an_undocumented_reading_of_a_condition_is_taken_against_the_grant(
    outputs: bool, grants: list[dict[str, Any]]
) -> None:
    """Each Deny may apply and each grant may not: KMS may refuse every notification. The two Denies
    on a padded key or a filled-in ``*`` and the negated grant passed before."""
    assert _refused(_judge(grants, outputs=outputs))


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
@pytest.mark.parametrize(
    "grants",
    [
        pytest.param(
            [CLOUDWATCH_KEY_GRANT, _deny(Condition={"StringEquals": {" aws:SourceAccount": "999999999999"}})],
            id="deny-padded-key-other-account",
        ),
        pytest.param(
            [_grant(Condition={"StringNotEquals": {"aws:SourceAccount ": "999999999999"}})],
            id="grant-padded-key-negated-other-account",
        ),
        pytest.param(
            [
                CLOUDWATCH_KEY_GRANT,
                _deny(
                    Condition={
                        "StringLike": {
                            "aws:SourceArn": "${aws:PrincipalTag/x, 'arn:aws:cloudwatch:*:999999999999:*'}"
                        }
                    }
                ),
            ],
            id="deny-like-a-filled-in-pattern-of-another-account",
        ),
    ],
)
def test_the_twins_no_reading_lets_the_deny_apply_or_the_grant_fail(
    outputs: bool, grants: list[dict[str, Any]]
) -> None:
    assert _judge(grants, outputs=outputs) == ([], [])


@pytest.mark.parametrize(
    ("grants", "refused"),
    [
        pytest.param(
            [
                CLOUDWATCH_KEY_GRANT,
                _deny(Resource="arn:aws:kms:eu-west-1:111122223333:key/${aws:PrincipalTag/k, '*'}"),
            ],
            True,
            id="deny-resource-a-filled-in-star",
        ),
        pytest.param(
            [
                CLOUDWATCH_KEY_GRANT,
                _deny(Resource="arn:aws:kms:${aws:PrincipalTag/r, '*'}:111122223333:key/*"),
            ],
            True,
            id="deny-resource-a-filled-in-star-before-the-resource-part",
        ),
        pytest.param(
            [_grant(Resource="arn:aws:kms:eu-west-1:111122223333:key/${aws:PrincipalTag/k, '*'}")],
            True,
            id="grant-resource-a-filled-in-star",
        ),
        pytest.param(
            [
                CLOUDWATCH_KEY_GRANT,
                _deny(Resource="arn:aws:kms:eu-west-1:999999999999:key/${aws:PrincipalTag/k, '*'}"),
            ],
            False,
            id="deny-resource-of-another-account",
        ),
    ],
)
def test_a_filled_in_star_of_a_resource_is_read_against_the_grant(
    grants: list[dict[str, Any]], refused: bool
) -> None:
    """After create (the key's ARN known): the Deny may name every key (passed before), the grant may
    name only a key called ``*``; a Deny on another account's keys names none of them."""
    verdict = _judge(_resolved(grants), outputs=True)
    assert _refused(verdict) if refused else verdict == ([], []), verdict


# --- 8. a known value that matches decides a comparison with an unknown one -------------------------

ORG_OR_ACCOUNT = ["${aws:SourceOrgID}", "111122223333"]


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
def test_a_deny_matching_a_fixed_value_applies_whatever_the_variable(outputs: bool) -> None:
    deny = _deny(Condition={"StringEquals": {"aws:SourceAccount": ORG_OR_ACCOUNT}})
    assert _refused(_judge([CLOUDWATCH_KEY_GRANT, deny], outputs=outputs))


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
def test_the_twins_a_matching_grant_passes_and_no_match_stays_undecided(outputs: bool) -> None:
    """A grant matching the fixed value lets CloudWatch in (undecided before); a Deny whose fixed
    value is another account's still waits on the organization, saying so."""
    grant = _grant(Condition={"StringEquals": {"aws:SourceAccount": ORG_OR_ACCOUNT}})
    assert _judge([grant], outputs=outputs) == ([], [])
    deny = _deny(Condition={"StringEquals": {"aws:SourceAccount": ["${aws:SourceOrgID}", "999999999999"]}})
    found, undecided = _judge([CLOUDWATCH_KEY_GRANT, deny], outputs=outputs)
    assert found == [] and len(undecided) == 1 and "aws:SourceOrgID" in undecided[0], undecided


# --- 9. a principal's padded type key ------------------------------------------------------------

GITHUB = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
@pytest.mark.parametrize(
    "grants",
    [
        pytest.param([CLOUDWATCH_KEY_GRANT, _deny(Principal={" AWS": "*"})], id="deny-padded-aws"),
        pytest.param(
            [CLOUDWATCH_KEY_GRANT, _deny(Principal={"Service ": "cloudwatch.amazonaws.com"})],
            id="deny-padded-service",
        ),
        pytest.param(
            [
                CLOUDWATCH_KEY_GRANT,
                {**_deny(NotPrincipal={" Service": "cloudwatch.amazonaws.com"}), "Principal": None},
            ],
            id="deny-not-principal-padded-service",
        ),
        pytest.param([_grant(Principal={"Service ": "cloudwatch.amazonaws.com"})], id="grant-padded-service"),
    ],
)
def test_a_padded_principal_type_is_read_against_the_grant(
    outputs: bool, grants: list[dict[str, Any]]
) -> None:
    """The Denies to a padded type passed before (it named no one); a padded type of a Deny's
    ``NotPrincipal`` excludes no one, and one of a grant names no one (both refused before too)."""
    assert _refused(_judge(_resolved(grants), outputs=outputs))


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
def test_the_twin_a_padded_type_naming_another_service(outputs: bool) -> None:
    deny = _deny(Principal={" Service": "events.amazonaws.com"})
    assert _judge([CLOUDWATCH_KEY_GRANT, deny], outputs=outputs) == ([], [])


@pytest.mark.parametrize("principal", [{" Federated": GITHUB}, {"Federated ": [GITHUB]}])
def test_a_padded_federated_type_is_judged(principal: dict[str, Any]) -> None:
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRoleWithWebIdentity"}
    found, undecided = findings(
        "iam-role-federated-trust-scoped", "aws:iam/role:Role", {"assumeRolePolicy": json_document(statement)}
    )
    assert undecided == 0 and len(found) == 2 and all(":sub" in f or ":aud" in f for f in found), found


def test_a_padded_aws_type_wildcard_lets_any_identity_provider_in() -> None:
    statement = {"Effect": "Allow", "Principal": {" AWS": "*"}, "Action": "sts:AssumeRoleWithWebIdentity"}
    found, undecided = findings(
        "iam-role-federated-trust-scoped", "aws:iam/role:Role", {"assumeRolePolicy": json_document(statement)}
    )
    assert undecided == 0 and len(found) == 1 and "any identity provider" in found[0], found


# --- 10. null only for a key the request surely lacks ---------------------------------------------

# ``aws:RequestedRegion`` is modelled since (the key's Region: test_policy_leftovers_63_b.py); a
# resource tag of the key may be in the request, its value nowhere in the stack.
REGIONAL = "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:${aws:ResourceTag/alarm}"


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
@pytest.mark.parametrize(
    "grants",
    [
        pytest.param(
            [CLOUDWATCH_KEY_GRANT, _deny(Condition={"StringEquals": {"aws:SourceArn": REGIONAL}})], id="deny"
        ),
        pytest.param(
            [_grant(Condition={"StringEquals": {"aws:SourceAccount": "${aws:CurrentTime, '111122223333'}"}})],
            id="grant-with-a-default",
        ),
    ],
)
def test_a_variable_of_a_key_the_request_may_carry_is_undecided(
    outputs: bool, grants: list[dict[str, Any]]
) -> None:
    found, undecided = _judge(grants, outputs=outputs)
    assert found == [] and len(undecided) == 1, (found, undecided)
    assert "${aws:" in undecided[0] and "not known here" in undecided[0], undecided
