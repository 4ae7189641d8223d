"""Review of the role-path check by service (``service_role_path_problem``) against botocore.

Which APIs a component's roles are given to, and the pattern each one's role-ARN member has in
botocore's models (the ground truth of what AWS accepts):

- SageMaker (CreateModel, CreateProcessingJob, CreateFeatureGroup, CreateMlflowTrackingServer,
  CreatePipeline...), Pipes, Lambda and Firehose: ``role/?[a-zA-Z_0-9+=,.@\\-_/]+``; EventBridge
  Scheduler ``role\\/[\\w+=,.@\\/-]+``, whose ``\\w`` is no wider in ASCII (and IAM paths are ASCII):
  no path the check refuses is one of these patterns' (held below).
- Step Functions' CreateStateMachine ``roleArn``, EventBridge PutTargets' ``Target.RoleArn``, EC2
  CreateFlowLogs' ``DeliverLogsPermissionArn``, CloudTrail's ``CloudWatchLogsRoleArn`` and EKS
  CreatePodIdentityAssociation's ``roleArn``: no pattern.

Found wrong and fixed: ``RetrainingGateArgs`` (roles given to Step Functions and an EventBridge
rule target) and ``ApprovalDispatchArgs`` (a role given to EventBridge rule targets only) refused
``/team~x/``, which no model of the APIs their roles go to refuses; they keep IAM's rule now.
``ExecutionRoleArgs`` checked IAM's rule whatever it trusts: a SageMaker role under ``/team~x/``
built and was refused by every model and job given it; its path is now checked by its service.

Checked and found right: the other components' classification (endpoints, shadow tests, batch
scoring, monitoring, live drift, feature store, experiment tracking: SageMaker; pipeline triggers:
Pipes for new data; failure alerts: its path is the SageMaker job roles'); ``/a//b/`` matches every
pattern above and IAM's ``pathType``.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import botocore.loaders
import pytest

from components.foundation.execution_role import ExecutionRoleArgs
from components.limits import PATTERNED_ROLE_SERVICES, iam_path_problem, service_role_path_problem
from components.registry.approval_dispatch import ApprovalDispatchArgs
from components.training.retraining_gate import RetrainingGateArgs

ACCOUNT = "111111111111"
REGION = "eu-west-1"
OUTSIDE = ["/team~x/", "/team!/", "/a/(b)/", "/team/*/", "/team#1/", "/a:b/", "/a$b/"]
INSIDE = ["/", "/a//b/", "/a,b+c@d=e_f-g/", "/team.x/dev/", "/Team_9/"]


@cache
def _model(service: str) -> dict[str, Any]:
    return botocore.loaders.Loader().load_service_model(service, "service-2")


def _member(service: str, operation: str, *members: str) -> dict[str, Any]:
    model = _model(service)
    shape = model["operations"][operation]["input"]["shape"]
    for member in members:
        shape = model["shapes"][shape]["members"][member]["shape"]
    return dict(model["shapes"][shape])


PATTERNED = {
    "sagemaker.amazonaws.com": ("sagemaker", "CreateModel", "ExecutionRoleArn"),
    "scheduler.amazonaws.com": ("scheduler", "CreateSchedule", "Target", "RoleArn"),
    "pipes.amazonaws.com": ("pipes", "CreatePipe", "RoleArn"),
    "lambda.amazonaws.com": ("lambda", "CreateFunction", "Role"),
    "firehose.amazonaws.com": (
        "firehose",
        "CreateDeliveryStream",
        "ExtendedS3DestinationConfiguration",
        "RoleARN",
    ),
}
UNPATTERNED = {
    "states.amazonaws.com": ("stepfunctions", "CreateStateMachine", "roleArn"),
    "events.amazonaws.com": ("events", "PutTargets", "Targets"),
    "vpc-flow-logs.amazonaws.com": ("ec2", "CreateFlowLogs", "DeliverLogsPermissionArn"),
    "cloudtrail.amazonaws.com": ("cloudtrail", "CreateTrail", "CloudWatchLogsRoleArn"),
    "pods.eks.amazonaws.com": ("eks", "CreatePodIdentityAssociation", "roleArn"),
}


def test_the_patterned_services_are_those_whose_role_arn_botocore_patterns() -> None:
    assert set(PATTERNED) == PATTERNED_ROLE_SERVICES
    for service, (api, operation, *members) in UNPATTERNED.items():
        shape = _member(api, operation, *members)
        if shape["type"] == "list":  # EventBridge's targets: the RoleArn of one
            target = _model(api)["shapes"][shape["member"]["shape"]]
            shape = _model(api)["shapes"][target["members"]["RoleArn"]["shape"]]
        assert "pattern" not in shape, service


@pytest.mark.parametrize("service", sorted(PATTERNED))
def test_the_check_takes_exactly_the_paths_each_patterned_service_takes(service: str) -> None:
    api, operation, *members = PATTERNED[service]
    pattern = re.compile(_member(api, operation, *members)["pattern"], re.ASCII)
    for path in INSIDE + OUTSIDE:
        assert iam_path_problem(path) is None, path
        arn = f"arn:aws:iam::{ACCOUNT}:role{path}name"
        assert bool(pattern.fullmatch(arn)) == (service_role_path_problem(path) is None), (service, path)


def _role(service: str, path: str) -> ExecutionRoleArgs:
    return ExecutionRoleArgs(
        description="the team's jobs",
        trusted_service=service,
        account_id=ACCOUNT,
        path=path,
        statements=[{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}],
        tags={"owner": "t"},
    )


@pytest.mark.parametrize("path", OUTSIDE)
@pytest.mark.parametrize("service", sorted(PATTERNED))
def test_an_execution_role_a_patterned_service_is_given_refuses_a_path_it_refuses(
    service: str, path: str
) -> None:
    with pytest.raises(
        ValueError, match=r"^ExecutionRoleArgs\.path: .* not one of a role a service is given"
    ):
        _role(service, path)


@pytest.mark.parametrize("path", OUTSIDE)
@pytest.mark.parametrize("service", sorted(UNPATTERNED))
def test_an_execution_role_of_another_service_keeps_iams_rule(service: str, path: str) -> None:
    _role(service, path)


@pytest.mark.parametrize("path", OUTSIDE)
def test_the_retraining_gate_and_approval_dispatch_take_any_path_iam_takes(path: str) -> None:
    """Their roles go to Step Functions and EventBridge rule targets, whose role ARNs have no pattern."""
    RetrainingGateArgs(
        pipeline_name="churn",
        pipeline_arn=f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/churn",
        account_id=ACCOUNT,
        region=REGION,
        role_path=path,
        tags={"owner": "t"},
        cooldown_seconds=86400,
    )
    ApprovalDispatchArgs(
        repository="my-org/mlops-platform",
        approval_rules={"fraud": ("fraud-approved", f"arn:aws:events:{REGION}:{ACCOUNT}:rule/fraud")},
        token="ghp_plain",
        connection_kms_key_arn=f"arn:aws:kms:{REGION}:{ACCOUNT}:key/connection",
        queue_kms_key_arn=f"arn:aws:kms:{REGION}:{ACCOUNT}:key/queue",
        account_id=ACCOUNT,
        role_path=path,
        source_stack="sbx",
        environment="dev",
        tags={"owner": "t"},
    )


@pytest.mark.parametrize("path", ["team", "/team", "/my team/"])
def test_they_still_refuse_what_iam_refuses(path: str) -> None:
    with pytest.raises(ValueError, match=r"^RetrainingGateArgs\.role_path: .* is not an IAM path"):
        RetrainingGateArgs(
            pipeline_name="churn",
            pipeline_arn=f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/churn",
            account_id=ACCOUNT,
            region=REGION,
            role_path=path,
            tags={"owner": "t"},
            cooldown_seconds=86400,
        )
