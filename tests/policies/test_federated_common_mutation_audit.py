"""What ``iam-role-federated-trust-scoped`` and the shared matching helpers decide, where a mutation
audit found no test holding it.

A hand-mutation audit of policies/rules/iam_federated.py and of the helpers of policies/rules/_common.py
the rules match with (``iam_wildcard``, ``matches_every``, ``is_set``, ``number``, ``items``,
``to_plain``, ``each_resource``, ``UndecidedCollector``, ``of_type``, ``StackIndex`` lookups,
``principal_is_public``): 97 one-step mutations (57 and 40), each run against the tests of its rule
or helper, then, if it survived, against all of tests/policies. 47 were caught; 50 survived. Of
those, 36 are caught by a test here, 14 are equivalent (below) and none is left. Reading the
principal handling beside them exposed two product bugs that no mutation could show (missing cases,
not wrong lines): fixed, see CHANGELOG.md and the end of this docstring.

iam_federated.py (57 mutations, 31 survived: 22 caught now, 9 equivalent):

- a fixed claim (EKS aud) written with a literal ``*`` under StringEquals is pinned; under
  StringLike it is not (kills both "wildcards always" mutations);
- an unknown operator block (``"StringEquals": <unknown>``), an unknown Principal, a wildcard
  Federated entry whose action is unknown and a provider under an unknown Effect are undecided: not
  passed, not refused;
- a GitHub subject with an empty owner (``repo:/x``) or an empty name (``repo:o/``) names no
  repository (message in full);
- ``saml-provider``/``oidc-provider`` ARNs are recognised whatever their case; a GitHub issuer in
  capitals is GitHub; an issuer that only starts with GitHub's host is a generic OIDC provider;
- an OIDC provider ARN whose path is ``cognito-identity.amazonaws.com`` or ``accounts.google.com`` is
  a generic provider (it must pin ``sub`` too), not the built-in federation of that name;
- Google's claim is ``accounts.google.com:aud`` and holds no StringLike wildcard; SAML's ``SAML:aud``
  holds none either;
- ``Principal: "*"`` / ``NotPrincipal`` without a federated action is not this rule's business;
- ``?`` in a Federated entry is a wildcard; a ``federated`` key in lower case is read;
- a Sid that is not a string is not shown; a provider written with blanks around it is judged by its
  name.

Equivalent (no statement changes verdict or message):

- an ``exact`` claim without its wildcard test: the expected value (``sts.amazonaws.com``) holds no
  ``*`` or ``?``, so equality already excludes one;
- ``Claim.pinned`` answering False for an unknown statement: ``judge`` never passes it one;
- ``listed = as_list(values)`` for an unknown value: ``as_list`` wraps a non-list the same way;
- the ``repo:`` prefix compared case-sensitively: a subject ``REPO:...`` matches no GitHub token
  (claims compare case-sensitively), so refusing it too opens or closes nothing;
- ``judge`` without ``if allowed is False: return``: ``federated`` is then False and it returns next;
- ``judge`` without ``if federated is False: return``: ``findings.add(False, ...)`` reports nothing
  and each provider's ``applies`` is False too;
- the undecided Principal reported as the principal alone: ``federated`` is True or unknown there,
  one undecided check either way;
- ``_federated_entries`` not returning an unknown Federated value early: the loop judges the unknown
  entry undecided the same way;
- the operator handed to ``positive_operator`` without ``ForAnyValue:``: it strips that prefix itself.

_common.py (40 mutations, 19 survived: 14 caught now, 5 equivalent):

- ``iam_wildcard``: ``?`` is exactly one character;
- ``is_set``: 0 and False are set, "" / [] / {} / None are not; ``number``: a boolean is no number,
  numeric text is one;
- ``to_plain`` copies nested lists of maps into plain lists and dicts;
- ``UndecidedCollector`` keeps a resource's first reason and the first sentinel;
- ``StackIndex.having``: ``first`` returns one resource and raises no error of an unreadable resource
  after the match; a resource known twice by one value is found once; a value that cannot be hashed
  is scanned, skipping ``besides`` and stopping at the first match with ``first``; a value of a
  resource that cannot be hashed does not hide its next value;
- ``principal_is_public`` reads ``*`` inside a list under ``AWS``.

Equivalent: ``each_resource`` setting ``found = []`` for ``continue`` (it yields nothing for that
resource either way); ``position <= read_up_to`` for ``<`` (an unreadable resource has no values, so
it is never the match); the consumer index without de-duplication (``deps`` yields each dependency
once); ``deps`` ignoring property dependencies (the engine, and the offline plan, list every property
dependency among ``dependencies`` too); ``of_type`` also requiring a URN (every resource has one).

The product bugs: ``iam-role-federated-trust-scoped`` refused ``Principal: "*"`` with
``sts:AssumeRoleWithWebIdentity``/``sts:AssumeRoleWithSAML`` but passed ``{"AWS": "*"}`` (or an
``AWS`` list holding ``*``), which IAM reads as ``"*"``. Mutations of the fix (the ``aws`` key's case,
``*`` in a list, the dict branch, the verdict's tri-state under an unknown Effect) are caught below.
Next to it, an ``AWS`` principal unknown at preview (it may be ``*``) with those actions passed; it is
now undecided, and a Federated provider beside it is still judged. Of the fix's 9 mutations, 8 are
caught here; 1 is equivalent: the undecided verdict without ``federated`` (it is True or unknown
there, and an unknown AWS principal leaves the statement undecided either way).
"""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy.proxy import (
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
    unknown_checking_proxy,
)

from policies.local import _Providers, _stack_resources
from policies.rules._common import (
    StackIndex,
    UndecidedCollector,
    iam_wildcard,
    is_set,
    number,
    principal_is_public,
    to_plain,
)
from tests.policies.conftest import build
from tests.policies.test_federated_trust_semantics import (
    ACCOUNT,
    AUD,
    EKS,
    EKS_PROVIDER,
    GITHUB,
    GITHUB_PROVIDER,
    REPO,
    SAML,
    WEB,
    check,
    federated,
    github,
    messages,
    missing,
    passes,
    run,
)

IRSA_SUB = {f"{EKS}:sub": "system:serviceaccount:ml-serving:churn"}


def undecided_only(inputs: dict[str, Any]) -> None:
    report = run(inputs)
    assert report.violations == []
    assert len(report.undecided) == 1
    assert "can't be known during preview" in report.undecided[0].reason


# --- iam_federated.py: claims ----------------------------------------------------------------------


def test_a_fixed_claim_written_with_a_star_under_string_equals_is_pinned() -> None:
    """``*`` is literal under StringEquals: the audience ``my-client*`` names one client id."""
    condition = {"StringEquals": {**IRSA_SUB, f"{EKS}:aud": "my-client*"}}
    assert passes(check(federated(EKS_PROVIDER, condition)))
    condition = {"StringEquals": IRSA_SUB, "StringLike": {f"{EKS}:aud": "my-client*"}}
    assert missing(check(federated(EKS_PROVIDER, condition))) == {"aud"}


@pytest.mark.parametrize(
    "sub",
    [
        pytest.param("repo:/churn-data:ref:refs/heads/main", id="empty-owner"),
        pytest.param("repo:my-org/:ref:refs/heads/main", id="empty-name"),
    ],
)
def test_a_github_subject_with_an_empty_owner_or_name_names_no_repository(sub: str) -> None:
    found = messages(check(github(sub)))
    assert len(found) == 1
    assert found[0] == (
        f"assumeRolePolicy Statement[0] lets any GitHub Actions workflow of any repository assume the role "
        f"through {GITHUB_PROVIDER} without a positive condition pinning {GITHUB}:sub: add StringLike "
        f'"{GITHUB}:sub": "repo:<owner>/<name>:ref:refs/heads/main" (owner and name without wildcards; '
        ":environment:<name> to pin an environment)."
    )


def test_a_saml_provider_arn_is_recognised_whatever_its_case() -> None:
    provider = f"ARN:AWS:IAM::{ACCOUNT}:SAML-PROVIDER/corporate-idp"
    assert messages(check(federated(provider, action=SAML))) == [
        f"assumeRolePolicy Statement[0] lets any user of the SAML provider corporate-idp assume the role "
        f"through {provider} without a positive condition pinning SAML:aud: add StringEquals "
        '"SAML:aud": "https://signin.aws.amazon.com/saml".'
    ]


def test_a_github_issuer_in_capitals_is_github() -> None:
    issuer = "Token.Actions.GitHubUserContent.com"
    provider = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{issuer}"
    condition = {
        "StringEquals": {f"{issuer}:aud": "sts.amazonaws.com"},
        "StringLike": {f"{issuer}:sub": "repo:*"},
    }
    found = messages(check(federated(provider, condition)))
    assert len(found) == 1
    assert "lets any GitHub Actions workflow of any repository" in found[0]
    assert f"pinning {issuer}:sub: add StringLike" in found[0]


def test_an_issuer_that_only_starts_with_githubs_host_is_a_generic_provider() -> None:
    issuer = f"{GITHUB}.example.com"
    provider = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{issuer}"
    condition = {"StringEquals": {f"{issuer}:sub": "system:serviceaccount:a:b", f"{issuer}:aud": "client"}}
    assert passes(check(federated(provider, condition)))


@pytest.mark.parametrize("issuer", ["cognito-identity.amazonaws.com", "accounts.google.com"])
def test_an_oidc_provider_arn_named_like_a_built_in_federation_is_a_generic_provider(issuer: str) -> None:
    provider = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{issuer}"
    audience_only = {"StringEquals": {f"{issuer}:aud": "client"}}
    found = messages(check(federated(provider, audience_only)))
    assert found == [
        f"assumeRolePolicy Statement[0] lets any token {issuer} issues assume the role through {provider} "
        f'without a positive condition pinning {issuer}:sub: add StringEquals "{issuer}:sub": "<subject>" '
        '(for EKS: "system:serviceaccount:<namespace>:<name>").'
    ]


def test_google_federation_pins_the_aud_claim_without_a_wildcard() -> None:
    google = "accounts.google.com"
    assert passes(
        check(federated(google, {"StringEquals": {f"{google}:aud": "1234.apps.googleusercontent.com"}}))
    )
    found = messages(check(federated(google, {"StringLike": {f"{google}:aud": "1234.*"}})))
    assert found == [
        f"assumeRolePolicy Statement[0] lets any {google} user of any application assume the role through "
        f'{google} without a positive condition pinning {google}:aud: add StringEquals "{google}:aud": '
        '"<your application id>".'
    ]
    assert len(messages(check(federated(google, {"StringEquals": {f"{google}:sub": "1"}})))) == 1


def test_a_saml_audience_may_not_hold_a_string_like_wildcard() -> None:
    provider = f"arn:aws:iam::{ACCOUNT}:saml-provider/corporate-idp"
    condition = {"StringLike": {"SAML:aud": "https://signin.aws.amazon.com/*"}}
    assert len(messages(check(federated(provider, condition, action=SAML)))) == 1
    condition = {"StringLike": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}
    assert passes(check(federated(provider, condition, action=SAML)))


# --- iam_federated.py: principals, actions, unknowns -----------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}, id="principal-star"),
        pytest.param(
            {
                "Effect": "Allow",
                "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "sts:AssumeRole",
            },
            id="not-principal",
        ),
    ],
)
def test_an_open_principal_without_a_federated_action_is_not_this_rules_business(
    statement: dict[str, Any],
) -> None:
    assert passes(check(statement))


def test_a_question_mark_in_a_federated_entry_is_a_wildcard() -> None:
    provider = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.co?"
    assert messages(check(federated(provider, {"StringEquals": {**AUD, f"{GITHUB}:sub": REPO}}))) == [
        f"assumeRolePolicy Statement[0] trusts the wildcard Federated principal {provider!r}, every identity "
        "provider: name the provider's ARN and pin its token's claims."
    ]


def test_a_lower_case_federated_key_is_read() -> None:
    statement = {"Effect": "Allow", "Principal": {"federated": GITHUB_PROVIDER}, "Action": WEB}
    assert missing(check(statement)) == {"sub", "aud"}


def test_a_sid_that_is_not_a_string_is_not_shown() -> None:
    found = messages(check(federated(GITHUB_PROVIDER, Sid=7)))
    assert len(found) == 2 and all(
        m.startswith("assumeRolePolicy Statement[0] lets any GitHub") for m in found
    )


def test_a_provider_written_with_blanks_around_it_is_judged_by_its_name() -> None:
    found = messages(check(federated(f" {GITHUB_PROVIDER} ")))
    assert len(found) == 2 and all("lets any GitHub Actions workflow of any repository" in m for m in found)
    found = messages(check(federated(" cognito-identity.amazonaws.com ")))
    assert len(found) == 1 and "pinning cognito-identity.amazonaws.com:aud" in found[0]


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param(
            federated(
                GITHUB_PROVIDER, {"StringEquals": UNKNOWN_STRING_VALUE, "StringLike": {f"{GITHUB}:sub": REPO}}
            ),
            id="unknown-operator-block",
        ),
        pytest.param(
            {"Effect": "Allow", "Principal": UNKNOWN_STRING_VALUE, "Action": WEB}, id="unknown-principal"
        ),
        pytest.param(
            federated(f"arn:aws:iam::{ACCOUNT}:oidc-provider/*", action=UNKNOWN_STRING_VALUE),
            id="wildcard-provider-unknown-action",
        ),
        pytest.param({**federated(GITHUB_PROVIDER), "Effect": UNKNOWN_STRING_VALUE}, id="unknown-effect"),
        pytest.param(
            {"Effect": UNKNOWN_STRING_VALUE, "Principal": {"AWS": "*"}, "Action": WEB},
            id="unknown-effect-aws-star",
        ),
    ],
)
def test_these_unknowns_are_undecided_not_passed_nor_refused(statement: dict[str, Any]) -> None:
    undecided_only({"assumeRolePolicy": {"Statement": [statement]}})


# --- _common.py ------------------------------------------------------------------------------------


def test_a_question_mark_is_exactly_one_character() -> None:
    assert iam_wildcard("a?c").fullmatch("abc")
    assert not iam_wildcard("a?c").fullmatch("ac")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, True), (False, True), (0.0, True), ("", False), ([], False), ({}, False), (None, False)],
)
def test_is_set_means_present_and_not_empty(value: Any, expected: bool) -> None:
    assert is_set(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"), [(True, None), (False, None), ("2", 2.0), ("1.5", 1.5), ("x", None), (3, 3.0)]
)
def test_number_reads_numbers_and_numeric_text_but_not_booleans(value: Any, expected: float | None) -> None:
    assert number(value) == expected


def test_to_plain_copies_nested_lists_of_maps() -> None:
    plain = to_plain(unknown_checking_proxy({"a": [{"b": [1, {"c": 2}]}]}))
    assert plain == {"a": [{"b": [1, {"c": 2}]}]}
    assert type(plain["a"]) is list and type(plain["a"][0]) is dict and type(plain["a"][0]["b"][1]) is dict


def test_the_undecided_collector_keeps_the_first_reason_and_sentinel() -> None:
    [resource] = stack([{"type": "aws:sns/topic:Topic", "name": "t"}])
    collector = UndecidedCollector()
    first, second = (
        UnknownValueError(UNKNOWN_STRING_VALUE, ["a"]),
        UnknownValueError(UNKNOWN_NUMBER_VALUE, ["b"]),
    )
    collector.add(resource, first)
    collector.add(resource, second)
    assert collector.reasons == {resource.urn: first.message}
    assert collector.sentinel == UNKNOWN_STRING_VALUE


TOPIC = "aws:sns/topic:Topic"


def stack(specs: list[dict[str, Any]]) -> list[Any]:
    records = build(specs)
    return _stack_resources(records, _Providers({r.urn: r for r in records}))


def names(resource: Any) -> list[Any]:
    return [resource.props.get("name"), resource.props.get("alias")]


def test_a_first_lookup_returns_one_resource_and_reads_none_after_it() -> None:
    resources = stack(
        [
            {"type": TOPIC, "name": "a", "inputs": {"name": "x", "alias": "x"}},
            {"type": TOPIC, "name": "b", "inputs": {"name": UNKNOWN_STRING_VALUE}},
            {"type": TOPIC, "name": "c", "inputs": {"name": "x"}},
        ]
    )
    index = StackIndex(resources)
    found = index.having([TOPIC], names, "x", first=True)
    assert [r.name for _, r in found] == ["a"]
    with pytest.raises(UnknownValueError):
        index.having([TOPIC], names, "x")
    assert [r.name for _, r in index.having([TOPIC], names, "x", besides=[(1, resources[1])])] == ["a", "c"]


def test_a_first_lookup_of_a_value_that_cannot_be_hashed_stops_at_the_first_match() -> None:
    resources = stack([{"type": TOPIC, "name": n, "inputs": {"name": {"k": 1}}} for n in ("a", "b")])
    found = StackIndex(resources).having([TOPIC], names, {"k": 1}, first=True)
    assert [r.name for _, r in found] == ["a"]


def test_a_scan_skips_what_was_already_found() -> None:
    resources = stack([{"type": TOPIC, "name": n, "inputs": {"name": {"k": 1}}} for n in ("a", "b")])
    found = StackIndex(resources).having([TOPIC], names, {"k": 1}, besides=[(0, resources[0])])
    assert [r.name for _, r in found] == ["b"]


def test_a_value_that_cannot_be_hashed_does_not_hide_the_next_one() -> None:
    resources = stack([{"type": TOPIC, "name": "a", "inputs": {"name": {"k": 1}, "alias": "x"}}])
    assert [r.name for _, r in StackIndex(resources).having([TOPIC], names, "x")] == ["a"]


@pytest.mark.parametrize(
    ("principal", "public"),
    [
        ("*", True),
        ({"AWS": "*"}, True),
        ({"AWS": ["*"]}, True),
        ({"AWS": [f"arn:aws:iam::{ACCOUNT}:root", "*"]}, True),
        ({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, False),
        ({"Service": "*"}, False),
    ],
)
def test_principal_is_public_reads_a_list_of_aws_principals(principal: Any, public: bool) -> None:
    assert principal_is_public(principal) is public


# --- the fix: {"AWS": "*"} reaches every provider, as "*" does ---------------------------------------


@pytest.mark.parametrize(
    ("principal", "action"),
    [
        pytest.param({"AWS": "*"}, WEB, id="aws-star-web-identity"),
        pytest.param({"AWS": [f"arn:aws:iam::{ACCOUNT}:root", "*"]}, "sts:*", id="aws-list-with-star"),
        pytest.param({"Federated": GITHUB_PROVIDER, "AWS": "*"}, WEB, id="federated-beside-aws-star"),
        pytest.param({"aws": "*"}, SAML, id="lower-case-key-saml"),
    ],
)
def test_any_aws_principal_with_a_federated_action_is_refused_like_principal_star(
    principal: Any, action: str
) -> None:
    statement = {
        "Effect": "Allow",
        "Principal": principal,
        "Action": action,
        "Condition": {"StringEquals": {**AUD, f"{GITHUB}:sub": REPO}},
    }
    assert messages(check(statement)) == [
        "assumeRolePolicy Statement[0] lets any identity provider's users assume the role (Principal "
        "{'AWS': '*'} with sts:AssumeRoleWithWebIdentity or sts:AssumeRoleWithSAML): name the provider "
        "under Principal.Federated and pin its token's claims (for GitHub: repo:<owner>/<name> in "
        "<issuer>:sub, and <issuer>:aud)."
    ]


def test_any_aws_principal_with_assume_role_only_is_left_to_the_public_trust_rule() -> None:
    assert passes(check({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}))


@pytest.mark.parametrize(
    "aws",
    [
        pytest.param(UNKNOWN_STRING_VALUE, id="unknown-value"),
        pytest.param(["arn:x", UNKNOWN_STRING_VALUE], id="unknown-entry"),
    ],
)
def test_an_unknown_aws_principal_with_a_federated_action_is_undecided(aws: Any) -> None:
    statement = {"Effect": "Allow", "Principal": {"aws": aws}, "Action": WEB}
    undecided_only({"assumeRolePolicy": {"Statement": [statement]}})
    statement["Action"] = "sts:AssumeRole"
    assert passes(run({"assumeRolePolicy": {"Statement": [statement]}}))


def test_an_unknown_aws_principal_beside_an_unscoped_provider_reports_the_provider_too() -> None:
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": UNKNOWN_STRING_VALUE, "Federated": GITHUB_PROVIDER},
        "Action": WEB,
    }
    report = run({"assumeRolePolicy": {"Statement": [statement]}})
    assert len(report.violations) == 2 and len(report.undecided) == 1


# --- an organisation-wide trust lets no identity provider in ----------------------------------------


@pytest.mark.parametrize(
    "principal", ["*", {"AWS": "*"}, {"AWS": ["*"]}], ids=["star", "aws-star", "aws-list"]
)
@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
        {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}},
        {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/ci-*"}},
    ],
    ids=["org", "account", "principal-arn"],
)
def test_a_trust_pinned_to_aws_callers_lets_no_identity_provider_in(principal: Any, condition: Any) -> None:
    """``sts:AssumeRole*`` to every principal of the organisation: a web-identity or SAML request has
    no AWS principal, so the condition fails for it (iam-role-trust-not-public judges the rest)."""
    statement = {
        "Effect": "Allow",
        "Principal": principal,
        "Action": "sts:AssumeRole*",
        "Condition": condition,
    }
    assert passes(check(statement))


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}], ids=["star", "aws-star"])
def test_a_condition_on_something_a_web_identity_request_carries_does_not_help(principal: Any) -> None:
    statement = {
        "Effect": "Allow",
        "Principal": principal,
        "Action": WEB,
        "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
    }
    assert not passes(check(statement))
