"""What session 76's mutation sweep of ``policies/rules/iam.py`` found no test asserting: a role's own
``${aws:userid}`` scoping a run-as-role escalation by a resource tag, and how broad a resource written
with a wildcard resource part (``*/*``) is said to be.
"""

from __future__ import annotations

import pytest

from tests.policies.one_resource import assert_decided, findings, json_document

ESCALATION = "iam-no-privilege-escalation"
PRESIGNED_OWN_NOTEBOOK = {
    "Effect": "Allow",
    "Action": "sagemaker:CreatePresignedNotebookInstanceUrl",
    "Resource": "*",
    "Condition": {"StringEquals": {"sagemaker:ResourceTag/owner": "${aws:userid}"}},
}


def test_a_roles_own_userid_in_a_tag_condition_scopes_an_escalation() -> None:
    """Only a role holds a RolePolicy: its ``${aws:userid}`` (``<role id>:<session>``) is the holder's own,
    so notebooks tagged with it are the role's; a managed policy may be a user's, where it is not so read."""
    document = json_document(PRESIGNED_OWN_NOTEBOOK)
    assert_decided(
        findings(ESCALATION, "aws:iam/rolePolicy:RolePolicy", {"role": "r", "policy": document}), None
    )
    assert_decided(
        findings(ESCALATION, "aws:iam/policy:Policy", {"policy": document}),
        "sagemaker:CreatePresignedNotebookInstanceUrl on Resource '*'",
    )


@pytest.mark.parametrize(
    ("resource", "breadth"),
    [
        ("arn:aws:sagemaker:*:*:*/*", "every sagemaker resource:"),
        ("arn:aws:sagemaker:*:123456789012:*/*", "every sagemaker resource of the account:"),
    ],
)
def test_a_resource_part_of_wildcards_and_separators_is_every_resource_of_the_service(
    resource: str, breadth: str
) -> None:
    statement = {"Effect": "Allow", "Action": "lambda:UpdateFunctionCode", "Resource": resource}
    assert_decided(
        findings(ESCALATION, "aws:iam/policy:Policy", {"policy": json_document(statement)}),
        f"on Resource '{resource}', {breadth}",
    )
