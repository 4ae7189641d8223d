"""Session 75's outside check: an adopter's own resources that set a governed property by a path the
pack did not read, one class per section (docs/ and CHANGELOG.md, "Session 75").

* SageMaker's presigned URLs (``CreatePresignedNotebookInstanceUrl``, ``CreatePresignedDomainUrl``)
  open a Jupyter session that runs as the notebook's or the Studio user profile's execution role, and
  "no additional permission is required to access this URL" (SageMaker API Reference): granted on
  every notebook instance or user profile of an account they reach a more privileged role, as
  ``lambda:UpdateFunctionCode`` on every function does.
"""

from __future__ import annotations

import pytest

from tests.policies.one_resource import assert_decided, findings, json_document

IAM_POLICY = "aws:iam/policy:Policy"
ESCALATION = "iam-no-privilege-escalation"
SAGEMAKER_ARN = "arn:aws:sagemaker:eu-west-1:111122223333:"


def _grant(action: str, resource: str) -> dict[str, str]:
    return {"policy": json_document({"Effect": "Allow", "Action": action, "Resource": resource})}


@pytest.mark.parametrize(
    ("action", "resource", "fragment"),
    [
        pytest.param(
            "sagemaker:CreatePresignedNotebookInstanceUrl", "*", "on Resource '*'", id="notebook-url-on-star"
        ),
        pytest.param(
            "sagemaker:CreatePresignedNotebookInstanceUrl",
            f"{SAGEMAKER_ARN}notebook-instance/*",
            "every notebook-instance of the account",
            id="notebook-url-on-every-notebook",
        ),
        pytest.param(
            "sagemaker:CreatePresigned*",
            f"{SAGEMAKER_ARN}notebook-instance/*",
            "every notebook-instance of the account",
            id="wildcard-action-on-every-notebook",
        ),
        pytest.param("sagemaker:CreatePresignedDomainUrl", "*", "on Resource '*'", id="studio-url-on-star"),
        pytest.param(
            "sagemaker:createpresigneddomainurl",
            f"{SAGEMAKER_ARN}user-profile/*/*",
            "every user-profile of the account",
            id="studio-url-on-every-profile-lower-case",
        ),
        pytest.param(
            "sagemaker:CreatePresignedDomainUrl",
            f"{SAGEMAKER_ARN}user-profile/d-*",
            "every user-profile of the account",
            id="studio-url-on-every-domain-id",
        ),
    ],
)
def test_a_presigned_sagemaker_url_on_every_notebook_or_profile_is_an_escalation(
    action: str, resource: str, fragment: str
) -> None:
    assert_decided(findings(ESCALATION, IAM_POLICY, _grant(action, resource)), fragment)


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        pytest.param(
            "sagemaker:CreatePresignedNotebookInstanceUrl",
            f"{SAGEMAKER_ARN}notebook-instance/team-a-*",
            id="notebook-url-on-a-team-prefix",
        ),
        pytest.param(
            "sagemaker:CreatePresignedDomainUrl",
            f"{SAGEMAKER_ARN}user-profile/d-abc123/alice",
            id="studio-url-on-one-profile",
        ),
        pytest.param(
            "sagemaker:DescribeNotebookInstance",
            f"{SAGEMAKER_ARN}notebook-instance/*",
            id="describe-every-notebook",
        ),
    ],
)
def test_a_presigned_url_on_named_notebooks_or_profiles_passes(action: str, resource: str) -> None:
    assert_decided(findings(ESCALATION, IAM_POLICY, _grant(action, resource)), None)
