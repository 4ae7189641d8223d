"""``iam-role-federated-trust-scoped``: a role a federated identity provider's tokens assume pins their claims.

Each case is one role evaluated through ``policies.local.evaluate_report`` (the offline plan's path:
props behind the engine's unknown-checking proxy), and says whether the rule reports it, at which
level, and what the message names. Expected keys and values are written out here, not imported
from the rule.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.local import Report, evaluate_report
from policies.registry import get_policy
from tests.policies.conftest import build

RULE = "iam-role-federated-trust-scoped"
ROLE = "aws:iam/role:Role"
NATIVE_ROLE = "aws-native:iam:Role"
ACCOUNT = "111122223333"
GITHUB = "token.actions.githubusercontent.com"
GITHUB_PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{GITHUB}"
EKS = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
EKS_PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{EKS}"
SAML_PROVIDER = f"arn:aws:iam::{ACCOUNT}:saml-provider/corporate-idp"
COGNITO = "cognito-identity.amazonaws.com"
WEB = "sts:AssumeRoleWithWebIdentity"
SAML = "sts:AssumeRoleWithSAML"
REPO = "repo:my-org/churn-data:ref:refs/heads/main"
AUD = {f"{GITHUB}:aud": "sts.amazonaws.com"}


def federated(
    provider: Any, condition: dict[str, Any] | None = None, action: Any = WEB, **extra: Any
) -> dict[str, Any]:
    statement = {"Effect": "Allow", "Principal": {"Federated": provider}, "Action": action, **extra}
    return {**statement, "Condition": condition} if condition is not None else statement


def github(sub: Any, sub_operator: str = "StringLike", aud: dict[str, Any] | None = None) -> dict[str, Any]:
    """A GitHub trust: aud under StringEquals (unless ``aud`` replaces the condition), sub as given."""
    condition: dict[str, Any] = copy.deepcopy({"StringEquals": AUD} if aud is None else aud)
    if sub is not None:
        condition.setdefault(sub_operator, {})[f"{GITHUB}:sub"] = sub
    return federated(GITHUB_PROVIDER, condition)


def check(*statements: dict[str, Any], resource_type: str = ROLE, as_object: bool = False) -> Report:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    prop = "assumeRolePolicy" if resource_type == ROLE else "assumeRolePolicyDocument"
    value = document if as_object or resource_type == NATIVE_ROLE else json.dumps(document)
    return run({prop: value}, resource_type)


def run(inputs: dict[str, Any], resource_type: str = ROLE) -> Report:
    planned = build([{"type": resource_type, "name": "subject", "inputs": inputs}])
    return evaluate_report(planned, None, [get_policy(RULE)])


def messages(report: Report) -> list[str]:
    assert {v.policy_name for v in report.violations} <= {RULE}
    assert {v.enforcement_level for v in report.violations} <= {"mandatory"}
    assert report.undecided == [], report.undecided
    return [v.message for v in report.violations]


def passes(report: Report) -> bool:
    return messages(report) == []


def missing(report: Report) -> set[str]:
    """The condition keys the messages ask for."""
    found = set()
    for message in messages(report):
        key = message.split(" without a positive condition pinning ", 1)[1].split(": add ", 1)[0]
        found.add(key.rsplit(":", 1)[1])
    return found


# --- GitHub Actions ---------------------------------------------------------------------------------


def test_an_unscoped_github_trust_is_refused_naming_both_claims_and_the_statement() -> None:
    report = check(federated(GITHUB_PROVIDER, Sid="Deploy"))
    found = messages(report)
    assert len(found) == 2
    assert all(
        m.startswith("assumeRolePolicy Statement[0] (Sid 'Deploy') lets any GitHub Actions") for m in found
    )
    assert any(f'StringLike "{GITHUB}:sub": "repo:<owner>/<name>' in m for m in found)
    assert any(f'StringEquals "{GITHUB}:aud": "sts.amazonaws.com"' in m for m in found)


@pytest.mark.parametrize(
    "sub",
    [
        pytest.param(REPO, id="one-branch"),
        pytest.param("repo:my-org/churn-data:environment:prod", id="one-environment"),
        pytest.param("repo:my-org/churn-data:*", id="any-ref-of-one-repository"),
        pytest.param([REPO, "repo:my-org/other:pull_request"], id="two-repositories"),
        pytest.param("repo:my-org@218610429/churn-data@1324675810:ref:refs/heads/main", id="immutable-ids"),
    ],
)
def test_a_github_trust_pinned_to_a_repository_with_its_audience_passes(sub: Any) -> None:
    assert passes(check(github(sub)))


@pytest.mark.parametrize(
    "sub",
    [
        pytest.param("repo:my-org/*", id="every-repository-of-an-owner"),
        pytest.param("repo:my-org/*:ref:refs/heads/main", id="every-repository-main"),
        pytest.param("repo:*", id="every-repository"),
        pytest.param("*", id="wildcard-only"),
        pytest.param("repo:*/churn-data:ref:refs/heads/main", id="wildcard-owner"),
        pytest.param("repo:my-org/churn-?ata:*", id="question-mark-in-the-name"),
        pytest.param("repo:my-org/churn-data*", id="name-prefix"),
        pytest.param("repo:my-org:ref:refs/heads/main", id="no-name"),
        pytest.param(
            "job_workflow_ref:my-org/churn-data/.github/workflows/x.yml@refs/heads/main", id="not-a-repo"
        ),
        pytest.param([REPO, "repo:my-org/*"], id="one-of-two-values-open"),
        pytest.param([], id="no-value"),
    ],
)
def test_a_github_subject_that_names_no_one_repository_is_refused(sub: Any) -> None:
    assert missing(check(github(sub))) == {"sub"}


def test_a_wildcard_owner_is_refused_under_string_equals_too() -> None:
    assert missing(check(github("repo:my-org/*", sub_operator="StringEquals"))) == {"sub"}


@pytest.mark.parametrize(
    ("aud", "refused"),
    [
        pytest.param({}, True, id="missing"),
        pytest.param({"StringEquals": {f"{GITHUB}:aud": "sts.*"}}, True, id="other-value"),
        pytest.param({"StringLike": {f"{GITHUB}:aud": "sts.*"}}, True, id="wildcard-under-string-like"),
        pytest.param({"StringLike": {f"{GITHUB}:aud": "*"}}, True, id="only-wildcard"),
        pytest.param({"StringEquals": {f"{GITHUB}:aud": "my-client"}}, True, id="not-sts"),
        pytest.param({"StringNotEquals": AUD}, True, id="negated"),
        pytest.param({"StringEqualsIfExists": AUD}, True, id="if-exists"),
        pytest.param({"ForAllValues:StringEquals": AUD}, True, id="for-all-values"),
        pytest.param({"StringLike": AUD}, False, id="string-like-exact"),
        pytest.param({"ForAnyValue:StringEquals": AUD}, False, id="for-any-value"),
    ],
)
def test_the_github_audience_must_be_sts(aud: dict[str, Any], refused: bool) -> None:
    assert missing(check(github(REPO, aud=aud))) == ({"aud"} if refused else set())


@pytest.mark.parametrize(
    "operator",
    ["StringNotEquals", "StringNotLike", "StringLikeIfExists", "ForAllValues:StringLike", "ArnLike", "Null"],
)
def test_an_operator_that_does_not_restrict_leaves_the_subject_unpinned(operator: str) -> None:
    assert missing(check(github(REPO, sub_operator=operator))) == {"sub"}


def test_condition_keys_compare_case_insensitively_and_values_exactly() -> None:
    upper = {
        "StringEquals": {"Token.Actions.GitHubUserContent.com:AUD": "sts.amazonaws.com"},
        "stringlike": {"TOKEN.ACTIONS.GITHUBUSERCONTENT.COM:Sub": REPO},
    }
    assert passes(check(federated(GITHUB_PROVIDER, upper)))
    shouting = {"StringEquals": {f"{GITHUB}:aud": "STS.AMAZONAWS.COM", f"{GITHUB}:sub": REPO}}
    assert missing(check(federated(GITHUB_PROVIDER, shouting))) == {"aud"}


def test_a_github_enterprise_issuer_path_is_judged_as_github() -> None:
    issuer = f"{GITHUB}/my-enterprise"
    provider = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{issuer}"
    open_trust = {
        "StringEquals": {f"{issuer}:aud": "sts.amazonaws.com"},
        "StringLike": {f"{issuer}:sub": "repo:*"},
    }
    assert missing(check(federated(provider, open_trust))) == {"sub"}
    open_trust["StringLike"][f"{issuer}:sub"] = REPO
    assert passes(check(federated(provider, open_trust)))


# --- other providers --------------------------------------------------------------------------------

IRSA_SUB = {f"{EKS}:sub": "system:serviceaccount:ml-serving:churn"}
IRSA_AUD = {f"{EKS}:aud": "sts.amazonaws.com"}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        pytest.param(None, {"sub", "aud"}, id="nothing"),
        pytest.param({"StringEquals": IRSA_AUD}, {"sub"}, id="aud-only-any-service-account"),
        pytest.param({"StringEquals": IRSA_SUB}, {"aud"}, id="sub-only"),
        pytest.param({"StringEquals": {**IRSA_SUB, **IRSA_AUD}}, set(), id="sub-and-aud"),
        pytest.param(
            {"StringLike": {f"{EKS}:sub": "system:serviceaccount:ml-serving:*"}, "StringEquals": IRSA_AUD},
            set(),
            id="one-namespace",
        ),
        pytest.param({"StringLike": {f"{EKS}:sub": "*", **IRSA_AUD}}, {"sub"}, id="sub-wildcard-only"),
        pytest.param({"StringLike": {**IRSA_SUB, f"{EKS}:aud": "sts.*"}}, {"aud"}, id="aud-wildcard"),
    ],
)
def test_an_eks_irsa_trust_pins_the_service_account(condition: Any, expected: set[str]) -> None:
    assert missing(check(federated(EKS_PROVIDER, condition))) == expected


@pytest.mark.parametrize(
    ("condition", "refused"),
    [
        pytest.param(None, True, id="no-identity-pool"),
        pytest.param({"StringLike": {f"{COGNITO}:aud": "eu-west-1:*"}}, True, id="wildcard-pool"),
        pytest.param({"StringNotEquals": {f"{COGNITO}:aud": "eu-west-1:abc"}}, True, id="negated"),
        pytest.param(
            {"StringEquals": {f"{COGNITO}:aud": "eu-west-1:0f1e2d3c-aaaa-bbbb-cccc-000000000000"}},
            False,
            id="one-identity-pool",
        ),
    ],
)
def test_a_cognito_trust_names_its_identity_pool(condition: Any, refused: bool) -> None:
    found = messages(check(federated(COGNITO, condition)))
    assert [f"{COGNITO}:aud" in m for m in found] == ([True] if refused else [])


@pytest.mark.parametrize(
    ("condition", "refused"),
    [
        pytest.param(None, True, id="no-audience"),
        pytest.param({"StringLike": {"SAML:aud": "*"}}, True, id="wildcard-audience"),
        pytest.param(
            {"StringEqualsIfExists": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}, True, id="if-exists"
        ),
        pytest.param(
            {"StringEquals": {"saml:AUD": "https://signin.aws.amazon.com/saml"}}, False, id="fixed-audience"
        ),
    ],
)
def test_a_saml_trust_pins_its_audience(condition: Any, refused: bool) -> None:
    found = messages(check(federated(SAML_PROVIDER, condition, action=SAML)))
    assert [("SAML:aud" in m and "corporate-idp" in m) for m in found] == ([True] if refused else [])


def test_the_action_decides_which_provider_claims_apply() -> None:
    assert passes(check(federated(SAML_PROVIDER)))  # web identity is not SAML's action
    assert passes(check(federated(GITHUB_PROVIDER, action=SAML)))
    assert passes(check(federated(GITHUB_PROVIDER, action="sts:AssumeRole")))
    for action in ("sts:*", "*", "sts:AssumeRoleWith*", ["sts:TagSession", WEB]):
        assert missing(check(federated(GITHUB_PROVIDER, action=action))) == {"sub", "aud"}, action
    assert missing(check(federated(GITHUB_PROVIDER, action=None, NotAction="sts:AssumeRole"))) == {
        "sub",
        "aud",
    }
    assert passes(check(federated(GITHUB_PROVIDER, action=None, NotAction=WEB)))


def test_each_provider_of_a_list_is_judged_on_its_own_claims() -> None:
    condition = {"StringEquals": {**AUD, **IRSA_AUD}, "StringLike": {f"{GITHUB}:sub": REPO}}
    assert missing(check(federated([GITHUB_PROVIDER, EKS_PROVIDER], condition))) == {"sub"}


# --- principals ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param(
            {"Effect": "Allow", "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": WEB},
            id="not-principal",
        ),
        pytest.param({"Effect": "Allow", "Principal": "*", "Action": "sts:*"}, id="principal-star"),
        pytest.param(federated(f"arn:aws:iam::{ACCOUNT}:oidc-provider/*"), id="wildcard-federated"),
    ],
)
def test_a_principal_that_reaches_every_provider_is_refused(statement: dict[str, Any]) -> None:
    found = messages(check({**statement, "Condition": {"StringEquals": {**AUD, f"{GITHUB}:sub": REPO}}}))
    assert len(found) == 1 and "Federated" in found[0]


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "sts:AssumeRole",
            },
            id="account-root",
        ),
        pytest.param(
            {
                "Effect": "Allow",
                "Principal": {"Service": "sagemaker.amazonaws.com"},
                "Action": "sts:AssumeRole",
            },
            id="service",
        ),
        pytest.param(
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"},
            id="any-aws-principal-is-trust-not-public-s-business",
        ),
        pytest.param({**federated(GITHUB_PROVIDER), "Effect": "Deny"}, id="deny"),
        pytest.param(
            {"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:*"},
            id="service-with-every-sts-action",
        ),
    ],
)
def test_a_trust_without_a_federated_principal_is_not_this_rules_business(statement: dict[str, Any]) -> None:
    assert passes(check(statement))


# --- document shapes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource_type", "as_object"),
    [(ROLE, False), (ROLE, True), (NATIVE_ROLE, True)],
    ids=["json-string", "object", "aws-native-role"],
)
def test_every_role_type_and_document_shape_is_read(resource_type: str, as_object: bool) -> None:
    assert missing(check(federated(GITHUB_PROVIDER), resource_type=resource_type, as_object=as_object)) == {
        "sub",
        "aud",
    }
    assert passes(check(github(REPO), resource_type=resource_type, as_object=as_object))


def test_the_native_message_names_its_property() -> None:
    found = messages(check(federated(GITHUB_PROVIDER), resource_type=NATIVE_ROLE))
    assert all(m.startswith("assumeRolePolicyDocument Statement[0] ") for m in found)


def test_the_platforms_dvc_remote_trust_passes() -> None:
    from components.data.dvc_remote import DvcRemoteArgs, trust_policy

    args = DvcRemoteArgs(
        account_id=ACCOUNT,
        region="eu-west-1",
        bucket_name="datasets",
        bucket_arn="arn:aws:s3:::datasets",
        kms_key_arn=f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/abcd",
        prefix="dvc",
        trusted_principals=[f"arn:aws:iam::{ACCOUNT}:role/data-science"],
        github_subjects=[
            "repo:my-org/churn-data:ref:refs/heads/main",
            "repo:my-org/churn-data:environment:*",
        ],
        role_path="/mlops/",
        tags={},
    )
    document = trust_policy(args)
    assert any("Federated" in s["Principal"] for s in document["Statement"])
    assert passes(run({"assumeRolePolicy": json.dumps(document)}))


# --- unknown values (preview) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "inputs",
    [
        pytest.param({"assumeRolePolicy": UNKNOWN_STRING_VALUE}, id="unknown-json-document"),
        pytest.param(
            {"assumeRolePolicy": {"Statement": [federated(UNKNOWN_STRING_VALUE)]}}, id="unknown-provider"
        ),
        pytest.param(
            {"assumeRolePolicy": {"Statement": [github(UNKNOWN_STRING_VALUE)]}}, id="unknown-subject"
        ),
        pytest.param(
            {
                "assumeRolePolicy": {
                    "Statement": [github(REPO, aud={"StringEquals": {f"{GITHUB}:aud": UNKNOWN_STRING_VALUE}})]
                }
            },
            id="unknown-audience-under-string-equals",
        ),
        pytest.param(
            {"assumeRolePolicy": {"Statement": [federated(GITHUB_PROVIDER, UNKNOWN_STRING_VALUE)]}},
            id="unknown-condition",
        ),
        pytest.param(
            {
                "assumeRolePolicy": {
                    "Statement": [
                        {"Effect": UNKNOWN_STRING_VALUE, "NotPrincipal": {"AWS": "x"}, "Action": WEB}
                    ]
                }
            },
            id="unknown-effect-of-a-not-principal",
        ),
        pytest.param(
            {"assumeRolePolicy": {"Statement": [federated(GITHUB_PROVIDER, action=UNKNOWN_STRING_VALUE)]}},
            id="unknown-action-of-an-unscoped-trust",
        ),
    ],
)
def test_an_unknown_value_is_undecided_not_passed(inputs: dict[str, Any]) -> None:
    report = run(inputs)
    assert report.violations == []
    assert len(report.undecided) == 1
    assert "can't be known during preview" in report.undecided[0].reason


def test_a_pinned_trust_passes_whatever_its_unknown_action() -> None:
    report = run({"assumeRolePolicy": {"Statement": [{**github(REPO), "Action": UNKNOWN_STRING_VALUE}]}})
    assert report.violations == [] and report.undecided == []


def test_what_the_known_values_prove_is_reported_beside_an_unknown() -> None:
    report = run(
        {
            "assumeRolePolicy": {
                "Statement": [github("repo:*", aud={"StringEquals": {f"{GITHUB}:aud": UNKNOWN_STRING_VALUE}})]
            }
        }
    )
    assert [("repo:<owner>/<name>" in v.message) for v in report.violations] == [True]
    assert len(report.undecided) == 1
