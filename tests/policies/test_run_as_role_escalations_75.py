"""Session 75: ``iam-no-privilege-escalation`` and the actions that make an existing resource run code
of the caller's choosing as the resource's role, and its message on an every-account ARN.

* ``sagemaker:UpdateNotebookInstance`` (attaches a lifecycle configuration) and
  ``sagemaker:UpdateNotebookInstanceLifecycleConfig`` (rewrites one): "Lifecycle configuration scripts
  execute with root access and the notebook instance's IAM execution role privileges" (SageMaker API
  Reference). Studio lifecycle configurations attached through ``UpdateDomain``/``UpdateUserProfile``/
  ``UpdateSpace`` run in the apps as the profile's or space's execution role. ``glue:UpdateJob``
  (the job's script), ``codebuild:UpdateProject`` (the buildspec), ``states:UpdateStateMachine`` (a
  definition calling any AWS API) and ``lambda:UpdateFunctionConfiguration`` (``AWS_LAMBDA_EXEC_WRAPPER``,
  ``NODE_OPTIONS``, layers) run as the job's, project's, state machine's or function's role. On ``*`` or
  every one of the kind in an account each was allowed before.
* Each but the notebook lifecycle configuration (whose resource type takes no condition key) is scoped
  by a resource tag condition of its service, as the SageMaker presigned URLs are; a condition on the
  resource's account or organization is not a scope (it leaves every one of the kind).
* On an ARN naming every resource of its kind in every account the message said "on Resource '*'" and
  advised "role/policy ARNs (e.g. iam:PassRole ...)" for any action; it now names the resource as written.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.one_resource import assert_decided, findings, json_document

IAM_POLICY = "aws:iam/policy:Policy"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ESCALATION = "iam-no-privilege-escalation"
ACCOUNT = "111122223333"
REGION = "eu-west-1"


def _arn(service: str, resource: str) -> str:
    return f"arn:aws:{service}:{REGION}:{ACCOUNT}:{resource}"


#: (action, every one of the kind in an account, the kind in the message, one named resource)
RUN_AS_ROLE = [
    pytest.param(
        "sagemaker:UpdateNotebookInstance",
        _arn("sagemaker", "notebook-instance/*"),
        "every notebook-instance of the account",
        _arn("sagemaker", "notebook-instance/team-a-notebook"),
        id="notebook-instance",
    ),
    pytest.param(
        "sagemaker:UpdateNotebookInstanceLifecycleConfig",
        _arn("sagemaker", "notebook-instance-lifecycle-config/*"),
        "every notebook-instance-lifecycle-config of the account",
        _arn("sagemaker", "notebook-instance-lifecycle-config/team-a-setup"),
        id="notebook-lifecycle-config",
    ),
    pytest.param(
        "sagemaker:UpdateDomain",
        _arn("sagemaker", "domain/*"),
        "every domain of the account",
        _arn("sagemaker", "domain/d-abc123def456"),
        id="studio-domain",
    ),
    pytest.param(
        "sagemaker:UpdateUserProfile",
        _arn("sagemaker", "user-profile/*/*"),
        "every user-profile of the account",
        _arn("sagemaker", "user-profile/d-abc123def456/alice"),
        id="studio-user-profile",
    ),
    pytest.param(
        "sagemaker:UpdateSpace",
        _arn("sagemaker", "space/d-*"),
        "every space of the account",
        _arn("sagemaker", "space/d-abc123def456/team-a"),
        id="studio-space",
    ),
    pytest.param(
        "glue:UpdateJob",
        _arn("glue", "job/*"),
        "every job of the account",
        _arn("glue", "job/nightly-etl"),
        id="glue-job",
    ),
    pytest.param(
        "codebuild:UpdateProject",
        _arn("codebuild", "project/*"),
        "every project of the account",
        _arn("codebuild", "project/model-build"),
        id="codebuild-project",
    ),
    pytest.param(
        "states:UpdateStateMachine",
        _arn("states", "stateMachine:*"),
        "every stateMachine of the account",
        _arn("states", "stateMachine:training-pipeline"),
        id="state-machine",
    ),
    pytest.param(
        "lambda:UpdateFunctionConfiguration",
        _arn("lambda", "function:*"),
        "every function of the account",
        _arn("lambda", "function:score"),
        id="lambda-configuration",
    ),
]


def _policy(statement: dict[str, Any]) -> dict[str, str]:
    return {"policy": json_document(statement)}


def _grant(action: Any, resource: Any, condition: dict[str, Any] | None = None) -> dict[str, str]:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition is not None:
        statement["Condition"] = condition
    return _policy(statement)


@pytest.mark.parametrize(("action", "every", "kind", "one"), RUN_AS_ROLE)
@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
def test_a_run_as_role_update_on_every_resource_is_refused(
    action: str, every: str, kind: str, one: str, outputs: bool
) -> None:
    del every, kind, one
    result = findings(ESCALATION, IAM_POLICY, _grant(action, "*"), outputs=outputs)
    assert_decided(result, f"allows {action} on Resource '*'")


@pytest.mark.parametrize(("action", "every", "kind", "one"), RUN_AS_ROLE)
def test_a_run_as_role_update_on_every_one_of_its_kind_in_an_account_is_refused(
    action: str, every: str, kind: str, one: str
) -> None:
    del one
    assert_decided(
        findings(ESCALATION, IAM_POLICY, _grant(action, every)), f"allows {action} on {every!r}", kind
    )


@pytest.mark.parametrize(("action", "every", "kind", "one"), RUN_AS_ROLE)
def test_a_run_as_role_update_on_one_named_resource_passes(
    action: str, every: str, kind: str, one: str
) -> None:
    del every, kind
    assert_decided(findings(ESCALATION, IAM_POLICY, _grant(action, one)), None)
    assert_decided(findings(ESCALATION, ROLE_POLICY, _grant(action, one)), None)


@pytest.mark.parametrize(
    ("action", "every"),
    [
        pytest.param("sagemaker:Update*", _arn("sagemaker", "*"), id="sagemaker-update-star"),
        pytest.param("glue:Update*", _arn("glue", "job/*"), id="glue-update-star-on-jobs"),
        pytest.param("states:*StateMachine", _arn("states", "stateMachine:*"), id="states-wildcard"),
        pytest.param("lambda:UpdateFunction*", "*", id="lambda-update-function-star"),
    ],
)
def test_a_wildcard_reaching_a_run_as_role_update_is_refused(action: str, every: str) -> None:
    messages, undecided = findings(ESCALATION, IAM_POLICY, _grant(action, every))
    assert undecided == 0 and len(messages) == 1, messages


@pytest.mark.parametrize(
    "action",
    [
        "sagemaker:DescribeNotebookInstance",
        "sagemaker:DescribeNotebookInstanceLifecycleConfig",
        "sagemaker:DescribeUserProfile",
        "sagemaker:DescribeDomain",
        "sagemaker:DescribeSpace",
        "glue:GetJob",
        "glue:StartJobRun",
        "codebuild:BatchGetProjects",
        "states:DescribeStateMachine",
        "lambda:GetFunctionConfiguration",
        "sagemaker:UpdateEndpoint",
        "glue:UpdateTable",
    ],
)
def test_reads_and_other_updates_on_every_resource_are_not_run_as_role_escalations(action: str) -> None:
    """Reading a job or a notebook, starting one as it is, and updates that run nothing of the caller's
    (an endpoint's variants, a table's schema: the platform's own roles hold these two) stay this
    rule's passes (``iam-no-unscoped-sensitive-actions`` judges writes on ``*``)."""
    assert_decided(findings(ESCALATION, IAM_POLICY, _grant(action, "*")), None)


TEAM_TAG = {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}


@pytest.mark.parametrize(
    ("action", "condition"),
    [
        pytest.param("sagemaker:UpdateNotebookInstance", TEAM_TAG, id="notebook"),
        pytest.param(
            "sagemaker:UpdateUserProfile",
            {"StringEquals": {"sagemaker:ResourceTag/studiouserid": "${aws:username}"}},
            id="own-studio-profile",
        ),
        pytest.param("sagemaker:UpdateSpace", TEAM_TAG, id="space"),
        pytest.param("sagemaker:UpdateDomain", TEAM_TAG, id="domain"),
        pytest.param("codebuild:UpdateProject", TEAM_TAG, id="codebuild-project"),
        pytest.param("states:UpdateStateMachine", TEAM_TAG, id="state-machine"),
    ],
)
def test_a_resource_tag_condition_scopes_a_run_as_role_update(action: str, condition: dict[str, Any]) -> None:
    """ABAC as the services document it: only the resources tagged for the caller's team."""
    assert_decided(findings(ESCALATION, IAM_POLICY, _grant(action, "*", condition)), None)


@pytest.mark.parametrize(
    ("action", "condition"),
    [
        pytest.param(
            "sagemaker:UpdateNotebookInstanceLifecycleConfig",
            TEAM_TAG,
            id="lifecycle-configs-take-no-condition-key",
        ),
        pytest.param(
            "glue:UpdateJob",
            {"StringEquals": {"codebuild:ResourceTag/team": "a"}},
            id="another-services-tag-key",
        ),
        # As their services' other escalations (glue:UpdateDevEndpoint, lambda:UpdateFunctionCode),
        # which ignore conditions: one grant of a service's run-as-role actions is judged alike.
        pytest.param("glue:UpdateJob", TEAM_TAG, id="glue-job-as-update-dev-endpoint"),
        pytest.param(
            "lambda:UpdateFunctionConfiguration", TEAM_TAG, id="lambda-configuration-as-update-code"
        ),
        pytest.param(
            "codebuild:UpdateProject",
            {"StringEquals": {"aws:ResourceAccount": ACCOUNT}},
            id="the-account-is-every-project-of-it",
        ),
        pytest.param(
            "sagemaker:CreatePresignedDomainUrl",
            {"StringEquals": {"aws:ResourceOrgID": "o-abc123"}},
            id="the-organization-is-every-profile-of-it",
        ),
        pytest.param(
            "states:UpdateStateMachine",
            {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
            id="a-condition-on-the-caller",
        ),
    ],
)
def test_a_condition_that_leaves_every_resource_of_the_kind_is_no_scope(
    action: str, condition: dict[str, Any]
) -> None:
    assert_decided(
        findings(ESCALATION, IAM_POLICY, _grant(action, "*", condition)), f"allows {action} on Resource '*'"
    )


# --- the message on an every-account ARN ---------------------------------------------------------

ADVICE = "scope Resource to the specific glue job ARNs it needs."
"""glue:UpdateJob's advice: the ARNs of the kind it acts on (session 76; it said any specific ARNs)."""


@pytest.mark.parametrize(
    ("action", "resource", "expected", "kind"),
    [
        pytest.param(
            "iam:AttachRolePolicy",
            "arn:aws:iam::*:role/*",
            "iam:AttachRolePolicy on Resource 'arn:aws:iam::*:role/*', every resource of its kind in every account",
            "iam role",
            id="every-role-of-every-account",
        ),
        pytest.param(
            "lambda:UpdateFunctionCode",
            "arn:aws:lambda:*:*:function:*",
            "lambda:UpdateFunctionCode on Resource 'arn:aws:lambda:*:*:function:*', every resource of its kind in "
            "every account",
            "lambda function",
            id="every-function-of-every-account",
        ),
        pytest.param(
            "glue:UpdateJob",
            "arn:aws:glue:eu-west-1:111122223333:*",
            "glue:UpdateJob on Resource 'arn:aws:glue:eu-west-1:111122223333:*', every glue resource of the account",
            "glue job",
            id="every-glue-resource-of-an-account",
        ),
        pytest.param(
            "iam:PassRole",
            "arn:aws:iam::*",
            "iam:PassRole on Resource 'arn:aws:iam::*', as broad as '*'",
            "iam role",
            id="a-wildcard-across-the-fields",
        ),
    ],
)
def test_an_escalation_on_an_every_account_arn_names_the_resource_as_written(
    action: str, resource: str, expected: str, kind: str
) -> None:
    messages, undecided = findings(ESCALATION, IAM_POLICY, _grant(action, resource))
    assert undecided == 0
    assert messages == [
        f"policy Statement[0] allows {expected}: scope Resource to the specific {kind} ARNs it needs."
    ]


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param({"Effect": "Allow", "Action": "glue:UpdateJob", "Resource": "*"}, id="star"),
        pytest.param({"Effect": "Allow", "Action": "glue:UpdateJob", "Resource": " *"}, id="padded-star"),
        pytest.param(
            {"Effect": "Allow", "Action": "glue:UpdateJob", "Resource": ["arn:aws:glue:*:*:job/*", "*"]},
            id="star-among-every-account-arns",
        ),
    ],
)
def test_an_escalation_on_star_keeps_resource_star(statement: dict[str, Any]) -> None:
    messages, undecided = findings(ESCALATION, IAM_POLICY, _policy(statement))
    assert undecided == 0
    assert messages == [f"policy Statement[0] allows glue:UpdateJob on Resource '*': {ADVICE}"]


def test_an_escalation_on_not_resource_names_it_as_written() -> None:
    """Session 76: said "on Resource '*'" before (Allow + NotResource reaches every resource but those)."""
    statement = {"Effect": "Allow", "Action": "glue:UpdateJob", "NotResource": "arn:aws:glue:*:*:job/x"}
    messages, undecided = findings(ESCALATION, IAM_POLICY, _policy(statement))
    assert undecided == 0
    assert messages == [
        "policy Statement[0] allows glue:UpdateJob on NotResource 'arn:aws:glue:*:*:job/x', every resource but "
        f"that one: {ADVICE}"
    ]
