"""Second review of the policy-leftovers round (``git log 1a783ec..e687858``): each test here failed
on the merged rules and passes on the fix in the commit that adds it.

=====================================================  =====  ==========  ==========================
finding (rule)                                          cases  fail on     kind
                                                               the merge
=====================================================  =====  ==========  ==========================
1. service principals' own keys read as absent           16          14   false positive
   (alarm-topic-key-usable)
=====================================================  =====  ==========  ==========================

1. ``_topic_keys.request`` modelled a service principal's request to KMS as ``aws:SourceAccount``,
   ``aws:SourceArn`` and the SNS encryption context only. Every signed request also carries
   ``aws:PrincipalIsAWSService`` (``true`` for cloudwatch.amazonaws.com / events.amazonaws.com) and
   ``aws:PrincipalServiceName``, so AWS's data-perimeter Deny (``StringNotEqualsIfExists
   aws:PrincipalOrgID`` with ``BoolIfExists aws:PrincipalIsAWSService: false``), which exempts
   service principals, was read as denying CloudWatch: a correct key was refused, mandatory in
   staging and prod. ``Bool`` was not evaluated at all (an Allow on it failed). ``aws:SourceOrgID``
   is carried only when the account is in an organization, which the stack does not say: now
   undecided, the note saying why, rather than refused. Twins: a Deny that names service principals
   by ``Bool aws:PrincipalIsAWSService: true`` still refuses, an Allow to another service name
   still does not count.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.test_policy_alarm_rules import CLOUDWATCH_KEY_GRANT, topic_key_stack
from tests.policies.test_policy_leftovers import ACCOUNT, _grant, _topic_key

# --- 1. what a service principal's request to KMS carries -----------------------------------------

#: AWS's data perimeter statement (data-perimeter-policy-examples, resource_based_policies): anyone
#: outside the organization is denied, service principals exempt.
PERIMETER = {
    "Sid": "EnforceIdentityPerimeter",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "kms:*",
    "Resource": "*",
    "Condition": {
        "StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"},
        "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
    },
}


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
@pytest.mark.parametrize(
    "grants",
    [
        pytest.param([CLOUDWATCH_KEY_GRANT, PERIMETER], id="data-perimeter-exempting-services"),
        pytest.param(
            [
                CLOUDWATCH_KEY_GRANT,
                {
                    **PERIMETER,
                    "Condition": {
                        **PERIMETER["Condition"],
                        "BoolIfExists": {"aws:PrincipalIsAWSService": False},
                    },
                },
            ],
            id="perimeter-with-a-json-boolean",
        ),
        pytest.param(
            [_grant(Condition={"Bool": {"aws:PrincipalIsAWSService": "TRUE"}})], id="allow-on-is-aws-service"
        ),
        pytest.param(
            [_grant(Condition={"StringEquals": {"aws:PrincipalServiceName": "cloudwatch.amazonaws.com"}})],
            id="allow-on-service-name",
        ),
    ],
)
def test_a_key_exempting_service_principals_by_their_own_keys_passes(
    outputs: bool, grants: list[dict[str, Any]]
) -> None:
    """Refused on the merge: the perimeter's Deny read ``aws:PrincipalIsAWSService`` as absent, so
    its ``BoolIfExists`` held and CloudWatch was denied; an Allow on the key (``Bool``, not
    evaluated) or on ``aws:PrincipalServiceName`` (absent) never applied."""
    assert _topic_key(topic_key_stack(*grants), outputs=outputs) == ([], [])


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
@pytest.mark.parametrize(
    "grants",
    [
        pytest.param(
            [
                CLOUDWATCH_KEY_GRANT,
                {**PERIMETER, "Condition": {"Bool": {"aws:PrincipalIsAWSService": "true"}}},
            ],
            id="deny-to-every-service-principal",
        ),
        pytest.param(
            [_grant(Condition={"StringEquals": {"aws:PrincipalServiceName": "events.amazonaws.com"}})],
            id="allow-to-another-service-name",
        ),
    ],
)
def test_a_key_shutting_service_principals_out_by_their_own_keys_is_refused(
    outputs: bool, grants: list[dict[str, Any]]
) -> None:
    """The twins: a Deny naming every service principal refuses (passed on the merge: the key was
    absent, so the Deny never applied), an Allow to another service's name does not count."""
    found, undecided = _topic_key(topic_key_stack(*grants), outputs=outputs)
    assert undecided == [] and len(found) == 1, (found, undecided)


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
@pytest.mark.parametrize("key", ["aws:SourceOrgID", "aws:SourceOrgPaths"])
def test_a_grant_on_the_source_organization_is_undecided_saying_why(outputs: bool, key: str) -> None:
    """Refused on the merge (the key read as absent); CloudWatch's request carries it when the
    account belongs to an organization, which the stack cannot tell: undecided, after create too."""
    found, undecided = _topic_key(
        topic_key_stack(_grant(Condition={"StringEquals": {key: "o-a1b2c3d4e5"}})), outputs=outputs
    )
    assert found == []
    assert len(undecided) == 1 and "belongs to an AWS Organization" in undecided[0], undecided
    assert f"{ACCOUNT}" not in undecided[0]
