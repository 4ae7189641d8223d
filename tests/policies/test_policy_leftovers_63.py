"""Policy-pack leftovers of session 62, closed in session 63 (each confirmed by a test failing first).

1. White space around a policy entry. What IAM does with it is not documented: its validator refuses
   a vendor holding a space (``Vendor  s3 is not valid``, which moto reproduces), KMS and S3 validate
   their own policies, and an entry taken untrimmed matches literally, which no action name,
   principal or key ARN does. Each reader now takes the reading against the rule
   (``_iam_documents.read_entry``): a statement reaches the most with its listed entries trimmed and
   its ``Not*`` entries literal, the least the other way round. The identity-policy rules ask what an
   Allow may reach (as before); ``alarm-topic-key-usable`` asks whether a key policy surely lets
   CloudWatch in, so its Allow is read by what it surely reaches and its Deny by what it may reach:
   a padded ``Action``/``Resource``/``Principal`` of the grant, or a padded ``NotResource`` of a
   Deny, passed before and KMS may refuse every notification.
2. Policy variables in a key policy's conditions were compared as literal text: the confused-deputy
   guard ``Deny ... StringNotEqualsIfExists aws:SourceAccount ${aws:ResourceAccount}`` was read as
   denying CloudWatch (a false violation). IAM fills variables in from the request before comparing;
   the request now carries ``aws:ResourceAccount`` (the key's account, from its ARN or the ARN the
   topic names it by; not known at preview otherwise: undecided), a variable's default when its key
   is absent; one whose key the request lacks with no default is null (matching nothing, its
   negations matching: tests/policies/test_policy_review_63.py).
   ``...IfExists`` on a key the request lacks holds (IAM User Guide, condition operators), as before:
   for a Deny that is the Deny applying, and the request model calls absent only the keys a service
   principal's request never carries.
3. ``${aws:userid}`` scoped nothing anywhere (session 62). On a policy only a role holds (its inline
   policies, a RolePolicy, a permission set's) every session's userid is ``<role id>:<session
   name>``: the name is the assumer's, the role id fixed, so ``aws:ResourceTag/owner =
   ${aws:userid}`` reaches only resources tagged for this role (any of its sessions): the holder's
   own, as a principal tag of the role is. Kept scoping nothing on managed, user and group policies
   (``_iam_patterns._HOLDERS_OWN`` says why).
4. A stack rule's undecided note showed one reason per resource, the first added
   (``UndecidedCollector``), and ``alarm-topic-key-usable`` passed it only its first; a verdict
   (``all3``/``any3``) kept its first :class:`Unknown`. An alarm notifying a topic whose key policy
   is unknown at preview and a topic outside the stack was noted only for the outside one, as if
   nothing were left to judge after apply. Now every distinct reason is kept; a resource with a
   value known after apply and a note no value settles is named in both parts of the engine's note.
   The resource rules' ``Findings`` raise one error, as the engine takes one per resource; their
   unknowns are all values known after apply, so the first says what the others would.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from policies.local import evaluate_report
from policies.registry import get_policy
from policies.rules._common import UndecidedCollector, UndecidedResources, Undeterminable
from policies.rules._iam_documents import covers
from tests.policies import engine_shapes
from tests.policies.conftest import build
from tests.policies.one_resource import CALLER_PINS, findings, json_document
from tests.policies.test_policy_alarm_rules import CLOUDWATCH_KEY_GRANT, topic_key_stack

TOPIC_KEY = "alarm-topic-key-usable"
REFUSED = "does not let cloudwatch.amazonaws.com use it"


def _grant(**changes: Any) -> dict[str, Any]:
    grant = {**copy.deepcopy(CLOUDWATCH_KEY_GRANT), **changes}
    return {k: v for k, v in grant.items() if v is not None}


def _judge(specs: list[dict[str, Any]], *, outputs: bool = False) -> tuple[list[str], list[str]]:
    records: Any = build(specs)
    if outputs:
        records = engine_shapes.as_outputs(records)
    report = evaluate_report(records, None, [get_policy(TOPIC_KEY)])
    return [v.message for v in report.violations], [u.reason for u in report.undecided]


# --- 1. white space: the reading against the rule ------------------------------------------------


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"Action": [" kms:Decrypt", "kms:GenerateDataKey*"]}, id="action-leading"),
        pytest.param({"Action": ["kms:Decrypt", "kms:GenerateDataKey* "]}, id="action-trailing"),
        pytest.param({"Resource": " *"}, id="resource"),
        pytest.param({"Principal": {"Service": "cloudwatch.amazonaws.com "}}, id="principal"),
    ],
)
def test_a_padded_entry_of_the_grant_is_no_sure_grant(outputs: bool, changes: dict[str, Any]) -> None:
    """Read literally (or refused) the padded entry names nothing: the grant may not let CloudWatch
    in, so KMS may refuse every notification. Passed before (the entry was trimmed)."""
    found, undecided = _judge(topic_key_stack(_grant(**changes)), outputs=outputs)
    assert undecided == []
    assert len(found) == 1 and REFUSED in found[0], found


def _deny(**fields: Any) -> dict[str, Any]:
    return {"Sid": "Guard", "Effect": "Deny", **fields}


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
@pytest.mark.parametrize(
    "deny",
    [
        pytest.param(_deny(Principal="*", Action="kms:*", NotResource="* "), id="not-resource"),
        pytest.param(
            _deny(Principal="*", NotAction=["kms:Decrypt ", "kms:GenerateDataKey*"], Resource="*"),
            id="not-action",
        ),
        pytest.param(
            _deny(NotPrincipal={"Service": " cloudwatch.amazonaws.com"}, Action="kms:*", Resource="*"),
            id="not-principal",
        ),
        pytest.param(_deny(Principal=" *", Action="kms:*", Resource="*"), id="principal"),
    ],
)
def test_a_deny_whose_padded_entry_may_reach_cloudwatch_refuses_it(
    outputs: bool, deny: dict[str, Any]
) -> None:
    """A Deny is read by what it may reach: a padded ``Not*`` entry may exclude nothing, a padded
    listed entry may name what it says. The ``NotResource`` Deny passed before (trimmed: it excluded
    the key, so applied to nothing) though KMS may apply it to every request."""
    found, undecided = _judge(topic_key_stack(CLOUDWATCH_KEY_GRANT, deny), outputs=outputs)
    assert undecided == []
    assert len(found) == 1 and REFUSED in found[0], found


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
@pytest.mark.parametrize(
    "deny",
    [
        pytest.param(_deny(Principal="*", Action="kms:*", NotResource="*"), id="not-resource"),
        pytest.param(
            _deny(Principal="*", NotAction=["kms:Decrypt", "kms:GenerateDataKey*"], Resource="*"),
            id="not-action",
        ),
        pytest.param(
            _deny(NotPrincipal={"Service": "cloudwatch.amazonaws.com"}, Action="kms:*", Resource="*"),
            id="not-principal",
        ),
        pytest.param(
            _deny(Principal={"Service": "events.amazonaws.com "}, Action="kms:*", Resource="*"), id="other"
        ),
    ],
)
def test_the_same_denies_unpadded_leave_the_grant(outputs: bool, deny: dict[str, Any]) -> None:
    """The twins: unpadded, each Deny excludes CloudWatch's request (or names another service even
    trimmed), and the grant stands; the unpadded grant passes."""
    assert _judge(topic_key_stack(CLOUDWATCH_KEY_GRANT, deny), outputs=outputs) == ([], [])
    assert _judge(topic_key_stack(CLOUDWATCH_KEY_GRANT), outputs=outputs) == ([], [])


@pytest.mark.parametrize(
    ("statement", "widest", "expected"),
    [
        pytest.param({"Effect": "Deny", "NotAction": " kms:Decrypt"}, True, True, id="not-action-may-reach"),
        pytest.param({"Effect": "Deny", "NotAction": " kms:Decrypt"}, False, False, id="not-action-surely"),
        pytest.param({"Effect": "Deny", "Action": "kms:Decrypt "}, True, True, id="action-may-reach"),
        pytest.param({"Effect": "Deny", "Action": "kms:Decrypt "}, False, False, id="action-surely"),
        pytest.param({"Effect": "Deny", "Action": "kms:Decrypt"}, False, True, id="unpadded-surely"),
        pytest.param({"Effect": "Deny", "NotAction": "kms:Decrypt"}, True, False, id="unpadded-excluded"),
    ],
)
def test_covers_reads_a_padded_entry_both_ways(
    statement: dict[str, Any], widest: bool, expected: bool
) -> None:
    """The reader a rule relying on a Deny asks (``widest=False``): a padded ``NotAction`` may
    exclude the action (trimmed), so the Deny does not surely cover it; the rules refusing an Allow
    ask ``widest=True``, as before."""
    assert covers(statement, "kms:Decrypt", widest=widest) is expected


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        pytest.param({"Effect": "Allow", "Action": " iam:PassRole", "Resource": "*"}, 1, id="action"),
        pytest.param({"Effect": "Allow", "NotAction": "iam:PassRole ", "Resource": "*"}, 1, id="not-action"),
        pytest.param(
            {"Effect": "Allow", "NotAction": "iam:PassRole", "Resource": "*"}, 0, id="not-action-unpadded"
        ),
    ],
)
def test_identity_rules_still_read_an_allow_by_what_it_may_reach(
    statement: dict[str, Any], expected: int
) -> None:
    """``iam-pass-role-scoped`` on a padded Allow: its ``Action`` trimmed, its ``NotAction`` literal
    (excluding nothing, so passing every role)."""
    found, undecided = findings(
        "iam-pass-role-scoped", "aws:iam/policy:Policy", {"policy": json_document(statement)}
    )
    assert (len(found), undecided) == (expected, 0), found


@pytest.mark.parametrize(("resource_type", "prop", "policy", "action"), CALLER_PINS)
@pytest.mark.parametrize("effect", [" Allow", "allow "])
def test_a_padded_allow_open_to_anyone_is_refused(
    resource_type: str, prop: str, policy: str, action: str, effect: str
) -> None:
    """``Effect`` is an entry too: a padded ``Allow`` may be one, so the rules refusing an Allow to
    anyone read it as one. Passed before (not ``"allow"`` exactly)."""
    statement = {"Effect": effect, "Principal": "*", "Action": action, "Resource": "*"}
    for outputs in (False, True):
        found, undecided = findings(policy, resource_type, {prop: json_document(statement)}, outputs=outputs)
        assert undecided == 0 and len(found) == 1, (effect, found)


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
def test_a_padded_effect_of_the_key_policy_is_read_against_the_grant(outputs: bool) -> None:
    """A padded ``Deny`` may deny (CloudWatch refused: passed before); a padded ``Allow`` is no sure
    grant (refused, as before)."""
    deny = _deny(Principal="*", Action="kms:*", Resource="*")
    found, undecided = _judge(
        topic_key_stack(CLOUDWATCH_KEY_GRANT, {**deny, "Effect": "Deny "}), outputs=outputs
    )
    assert undecided == [] and len(found) == 1 and REFUSED in found[0], found
    found, undecided = _judge(topic_key_stack(_grant(Effect=" Allow")), outputs=outputs)
    assert undecided == [] and len(found) == 1 and REFUSED in found[0], found


# --- 2. policy variables in a key policy's conditions -----------------------------------------------

CONFUSED_DEPUTY = _deny(
    Principal="*",
    Action="kms:*",
    Resource="*",
    Condition={
        "StringNotEqualsIfExists": {"aws:SourceAccount": "${aws:ResourceAccount}"},
        "Bool": {"aws:PrincipalIsAWSService": "true"},
    },
)


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
@pytest.mark.parametrize(
    "condition",
    [
        pytest.param(CONFUSED_DEPUTY["Condition"], id="source-account-is-the-keys"),
        pytest.param(
            {"ArnNotLike": {"aws:SourceArn": "arn:aws:cloudwatch:*:${aws:ResourceAccount}:alarm:*"}},
            id="source-arn-in-the-keys-account",
        ),
        pytest.param(
            {"StringNotEquals": {"aws:SourceAccount": "${aws:PrincipalAccount, '111122223333'}"}},
            id="absent-key-takes-the-default",
        ),
        pytest.param(
            {"StringNotEquals": {"aws:ResourceAccount": "${aws:SourceAccount}"}}, id="resource-account-key"
        ),
    ],
)
def test_a_guard_filled_in_from_the_request_leaves_cloudwatch_in(
    outputs: bool, condition: dict[str, Any]
) -> None:
    """The topic, the alarm and the key are of one account: the guard does not apply. Refused before
    (the variable compared as its literal text)."""
    deny = {**CONFUSED_DEPUTY, "Condition": condition}
    assert _judge(topic_key_stack(CLOUDWATCH_KEY_GRANT, deny), outputs=outputs) == ([], [])


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
def test_a_guard_on_a_key_of_another_account_still_refuses(outputs: bool) -> None:
    """The twin: the key of another account than the topic's (and so the alarm's): the guard
    applies. At preview the account is the one of the ARN the topic names the key by, after create
    the key's own ARN's."""
    other = "arn:aws:kms:eu-west-1:999999999999:key/0b6e4c1a-1111-2222-3333-444455556666"
    specs = topic_key_stack(CLOUDWATCH_KEY_GRANT, CONFUSED_DEPUTY)
    next(spec for spec in specs if spec["name"] == "alerts")["inputs"]["kmsMasterKeyId"] = other
    records: Any = build(specs)
    if outputs:
        records = engine_shapes.as_outputs(records, {"notifications-key": {"arn": other}})
    report = evaluate_report(records, None, [get_policy(TOPIC_KEY)])
    found = [v.message for v in report.violations]
    assert report.undecided == [] and len(found) == 1 and REFUSED in found[0], found


def test_the_keys_account_unknown_at_preview_is_undecided_then_decided() -> None:
    """A topic naming its key only through a dependency (its ARN unknown at preview): the key's
    account is not known yet, so the guard is undecided, not a violation; after create it holds."""
    specs = topic_key_stack(CLOUDWATCH_KEY_GRANT, CONFUSED_DEPUTY)
    topic = next(spec for spec in specs if spec["name"] == "alerts")
    topic["inputs"]["kmsMasterKeyId"] = "04da6b54-80a4-46f7-8a81-3ae0e0a0d2b1"  # a key id: no account
    found, undecided = _judge(specs)
    assert found == [] and len(undecided) == 1 and "aws:ResourceAccount" in undecided[0], undecided
    assert _judge(specs, outputs=True) == ([], [])


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
def test_a_filled_in_value_is_no_wildcard(outputs: bool) -> None:
    """A grant ``StringLike aws:SourceAccount ${aws:ResourceAccount}`` compares the key's account as
    text; an escaped ``${*}`` stays the character (no account), so that grant lets nothing in."""
    grant = _grant(Condition={"StringLike": {"aws:SourceAccount": "${aws:ResourceAccount}"}})
    assert _judge(topic_key_stack(grant), outputs=outputs) == ([], [])
    grant = _grant(Condition={"StringLike": {"aws:SourceAccount": "${*}"}})
    found, undecided = _judge(topic_key_stack(grant), outputs=outputs)
    assert undecided == [] and len(found) == 1 and REFUSED in found[0], found


# --- 4. every undecided reason of a resource is shown -------------------------------------------------

PAGER = "arn:aws:sns:eu-west-1:999999999999:central-pager"
OWN = "arn:aws:sns:eu-west-1:111122223333:alerts"


def _pager_beside_a_key_policy_unknown_at_preview() -> list[dict[str, Any]]:
    """The alarm notifies the stack's topic (by ARN and dependency), whose key's policy is built from
    values unknown at preview, and a central pager outside the stack."""
    specs = topic_key_stack(CLOUDWATCH_KEY_GRANT)
    key = next(spec for spec in specs if spec["name"] == "notifications-key")
    key["inputs"]["policy"] = UNKNOWN_STRING_VALUE
    key["deps"] = {"policy": ["key-admin"]}  # built from the key administrators' role ARN
    specs.append({"type": "aws:iam/role:Role", "name": "key-admin", "inputs": {"assumeRolePolicy": "{}"}})
    next(spec for spec in specs if spec["name"] == "errors")["inputs"]["alarmActions"] = [OWN, PAGER]
    return specs


def _engine_notes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The messages of the ``UndecidedResources`` stack rules raise (the engine's advisory note)."""
    notes: list[str] = []
    original = UndecidedCollector.raise_if_any

    def spy(self: UndecidedCollector) -> None:
        try:
            original(self)
        except UndecidedResources as error:
            notes.append(error.message)
            raise

    monkeypatch.setattr(UndecidedCollector, "raise_if_any", spy)
    return notes


def test_a_topic_unknown_at_preview_beside_one_outside_shows_both(monkeypatch: pytest.MonkeyPatch) -> None:
    """At preview the stack topic's key policy is not known yet and the pager is outside the stack:
    the note named only the pager (the reason added first), so nobody learnt the alarm is judged again
    after apply. Both now, in the engine's note and in the local report."""
    notes = _engine_notes(monkeypatch)
    found, undecided = _judge(_pager_beside_a_key_policy_unknown_at_preview())
    assert found == [] and len(undecided) == 1, undecided
    assert PAGER in undecided[0] and "can't be known during preview" in undecided[0], undecided
    [note] = notes
    assert "1 resource(s) need values known only after apply (errors)" in note, note
    assert f"errors: alarm 'errors' notifies SNS topic {PAGER!r}" in note, note


def test_after_create_only_the_outside_topic_stays(monkeypatch: pytest.MonkeyPatch) -> None:
    """The twin: after create the key policy is known (it lets CloudWatch in); the pager alone
    stays undecided, and the note no longer says the alarm waits for values."""
    notes = _engine_notes(monkeypatch)
    records = engine_shapes.as_outputs(
        build(_pager_beside_a_key_policy_unknown_at_preview()),
        {
            "notifications-key": {
                "policy": json.dumps({"Version": "2012-10-17", "Statement": [CLOUDWATCH_KEY_GRANT]})
            },
            "alerts": {"arn": OWN},  # SNS's ARN shape (no ``topic/``)
        },
    )
    report = evaluate_report(records, None, [get_policy(TOPIC_KEY)])
    assert report.violations == [] and len(report.undecided) == 1
    assert PAGER in report.undecided[0].reason and "during preview" not in report.undecided[0].reason
    assert OWN not in report.undecided[0].reason
    [note] = notes
    assert "known only after apply" not in note and PAGER in note, note


def test_a_verdict_waiting_on_two_values_keeps_both_reasons(monkeypatch: pytest.MonkeyPatch) -> None:
    """The class inside a verdict: a grant conditioned on aws:SourceOrgID (no value settles it) whose
    key policy also names the key's ARN, unknown at preview. ``all3`` kept whichever came first."""
    notes = _engine_notes(monkeypatch)
    grant = _grant(
        Resource="arn:aws:kms:eu-west-1:111122223333:key/*",
        Condition={"StringEquals": {"aws:SourceOrgID": "o-abcdef1234"}},
    )
    found, undecided = _judge(topic_key_stack(grant))
    assert found == [] and len(undecided) == 1, undecided
    assert "aws:SourceOrgID" in undecided[0] and "can't be known during preview" in undecided[0], undecided
    [note] = notes
    assert "need values known only after apply (errors)" in note and "aws:SourceOrgID" in note, note
    found, undecided = _judge(topic_key_stack(grant), outputs=True)
    assert found == [] and len(undecided) == 1 and "during preview" not in undecided[0], undecided


def test_the_collector_shows_a_resource_in_both_parts_of_its_note() -> None:
    """Added in either order, a value known after apply and a note no value settles: the resource
    is named among those waiting for values and its note is shown; the same note twice, once."""
    [resource] = [
        PolicyResource(
            "aws:sns/topic:Topic",
            {},
            "urn:pulumi:s::p::aws:sns/topic:Topic::t",
            "t",
            None,
            None,
            None,
            [],
            {},
        )
    ]
    later = UnknownValueError(UNKNOWN_STRING_VALUE, ["arn"])
    note = Undeterminable("outside the stack")
    for order in ([later, note, note], [note, later, note]):
        collector = UndecidedCollector()
        for error in order:
            collector.add(resource, error)
        with pytest.raises(UndecidedResources) as raised:
            collector.raise_if_any()
        assert raised.value.message == (
            "1 resource(s) need values known only after apply (t); they are checked when stack policies "
            "re-run on outputs; t: outside the stack"
        )
        assert raised.value.reasons == {resource.urn: f"{later.message}; outside the stack"}


# --- 3. ${aws:userid} on a policy only a role holds ------------------------------------------------

UNSCOPED = "iam-no-unscoped-sensitive-actions"
OWNER_IS_THE_CALLER = {"StringEquals": {"aws:ResourceTag/owner": "${aws:userid}"}}


def _sensitive(condition: dict[str, Any]) -> str:
    return json_document(
        {
            "Effect": "Allow",
            "Action": ["s3:DeleteBucket", "kms:Decrypt"],
            "Resource": "*",
            "Condition": condition,
        }
    )


def _held(resource_type: str, document: str) -> dict[str, Any]:
    """The inputs of ``resource_type`` carrying ``document`` as an identity policy."""
    trust = json_document(
        {"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}
    )
    return {
        "aws:iam/rolePolicy:RolePolicy": {"role": "trainer", "policy": document},
        "aws:iam/role:Role": {
            "assumeRolePolicy": trust,
            "inlinePolicies": [{"name": "work", "policy": document}],
        },
        "aws-native:iam:RolePolicy": {
            "roleName": "trainer",
            "policyName": "work",
            "policyDocument": document,
        },
        "aws-native:iam:Role": {
            "assumeRolePolicyDocument": trust,
            "policies": [{"policyName": "work", "policyDocument": document}],
        },
        "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy": {
            "inlinePolicy": document,
            "instanceArn": "arn:aws:sso:::instance/ssoins-1111111111111111",
            "permissionSetArn": "arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-1111111111111111",
        },
        "aws-native:sso:PermissionSet": {
            "inlinePolicy": document,
            "instanceArn": "arn:aws:sso:::instance/ssoins-1111111111111111",
            "name": "data-scientists",
        },
        "aws:iam/policy:Policy": {"policy": document},
        "aws-native:iam:ManagedPolicy": {"policyDocument": document},
        "aws:iam/userPolicy:UserPolicy": {"user": "alice", "policy": document},
        "aws:iam/groupPolicy:GroupPolicy": {"group": "analysts", "policy": document},
        "aws-native:iam:User": {"policies": [{"policyName": "work", "policyDocument": document}]},
    }[resource_type]


ROLE_ONLY = [
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/role:Role",
    "aws-native:iam:RolePolicy",
    "aws-native:iam:Role",
    "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy",
    "aws-native:sso:PermissionSet",
]
ANY_HOLDER = [
    "aws:iam/policy:Policy",
    "aws-native:iam:ManagedPolicy",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
    "aws-native:iam:User",
]


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
@pytest.mark.parametrize("resource_type", ROLE_ONLY)
def test_a_roles_own_userid_scopes_to_resources_tagged_for_the_role(
    resource_type: str, outputs: bool
) -> None:
    """Every session of the role has the userid ``<role id>:<session name>``: a tag compared with it
    reaches only resources tagged for this role (any of its sessions, the assumers choosing the
    names), as a principal tag of the role would. Refused before as reaching every resource."""
    inputs = _held(resource_type, _sensitive(OWNER_IS_THE_CALLER))
    assert findings(UNSCOPED, resource_type, inputs, outputs=outputs) == ([], 0)


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
@pytest.mark.parametrize("resource_type", ANY_HOLDER)
def test_a_userid_on_a_policy_a_user_may_hold_still_scopes_nothing(resource_type: str, outputs: bool) -> None:
    """The twins: a user's policies apply to its federated sessions, whose userid is
    ``<account>:<name>`` with any name; a managed policy may be attached to a user or group."""
    inputs = _held(resource_type, _sensitive(OWNER_IS_THE_CALLER))
    found, undecided = findings(UNSCOPED, resource_type, inputs, outputs=outputs)
    assert undecided == 0 and len(found) == 1 and "on every resource" in found[0], found


@pytest.mark.parametrize("resource_type", ROLE_ONLY)
@pytest.mark.parametrize(
    "condition",
    [
        pytest.param(
            {"StringEquals": {"aws:ResourceTag/owner": "${aws:RequestTag/owner}"}}, id="request-tag"
        ),
        pytest.param({"StringNotEquals": {"aws:ResourceTag/owner": "${aws:userid}"}}, id="negated"),
    ],
)
def test_a_role_policy_scoped_by_no_own_value_is_still_unscoped(
    resource_type: str, condition: dict[str, Any]
) -> None:
    """The twins on a role: a request's value, a negated comparison."""
    found, undecided = findings(UNSCOPED, resource_type, _held(resource_type, _sensitive(condition)))
    assert undecided == 0 and len(found) == 1 and "on every resource" in found[0], found
