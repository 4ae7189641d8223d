"""Follow-up of the run-time permission audit (``test_runtime_permissions_audit``): its leftovers.

1. AWS-published images are pulled with the execution role (see the module's tests below).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from components.policy_documents import ecr_pull_images, ecr_repository_arn
from stacks.config import CONFIG_KEY
from tests.components.test_runtime_permissions_audit import (
    PIPELINE,
    VARIANTS,
    Definition,
    Need,
    Stack,
    all_needs,
)


@pytest.fixture(scope="module")
def stacks(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Stack]:
    """``stacks(name)``: the audit's variant, recorded through the shared cache, read once here."""
    found: dict[str, Stack] = {}

    def get(name: str) -> Stack:
        if name not in found:
            found[name] = Stack(VARIANTS[name](tmp_path_factory.mktemp(name)))
        return found[name]

    return get


_ECR_PULL = ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")


def _statements(stack: Stack, role: str) -> list[dict[str, Any]]:
    return [
        statement
        for document in stack.identity[role]
        for statement in (
            document["Statement"] if isinstance(document["Statement"], list) else [document["Statement"]]
        )
    ]


def _resources(statement: dict[str, Any]) -> list[str]:
    resources = statement.get("Resource", [])
    return [resources] if isinstance(resources, str) else list(resources)


def _actions(statement: dict[str, Any]) -> list[str]:
    actions = statement.get("Action", [])
    return [actions] if isinstance(actions, str) else list(actions)


def _pullable(stack: Stack, role: str) -> set[str]:
    """The ECR repositories outside the stack's own and trusted registries ``role`` may pull."""
    own = {
        stack.account,
        *stack.graph.config[CONFIG_KEY].get("trusted_image_registry_accounts", []),
    }
    return {
        resource
        for statement in _statements(stack, role)
        if statement.get("Effect") == "Allow" and "ecr:BatchGetImage" in _actions(statement)
        for resource in _resources(statement)
        if resource.split(":")[4] not in own
    }


def _exported_inference_role(stack: Stack) -> str | None:
    """The foundation's inference role (exported as ``inference_role_arn``)."""
    found = [arn for arn, role in stack.roles.items() if role.name == "inference-role-role"]
    return found[0] if found else None


# -- 1. SageMaker pulls AWS's own images with the execution role ----------------------------------------


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_every_aws_image_a_job_or_model_runs_is_pullable_by_its_role(
    stacks: Callable[[str], Stack], variant: str
) -> None:
    """Every image of a pipeline step, a monitoring job or a model (AWS's framework, analyzer,
    Clarify and SageMaker Distribution images included) is pullable by the role that runs it."""
    stack = stacks(variant)
    pulls = [
        n for n in all_needs(stack) if n.action in _ECR_PULL and n.resource.split(":")[4] != stack.account
    ]
    assert pulls, "the fixture runs AWS-published images"
    assert [f"{n} -> {why}" for n in pulls if (why := stack.denial(n))] == []


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_a_role_may_pull_only_the_aws_repositories_its_jobs_and_models_run(
    stacks: Callable[[str], Stack], variant: str
) -> None:
    """Exact, not ecr:* on *: a role's grants on AWS's registries name repositories (no wildcard),
    each one an image a job or model of the role runs (the exported inference role: the families'
    inference images, which the endpoints' models run)."""
    stack = stacks(variant)
    needs = [n for n in all_needs(stack) if n.action == "ecr:BatchGetImage"]
    registered = {
        ecr_repository_arn(image)
        for pipeline in stack.graph.of_type(PIPELINE)
        for step in Definition(json.loads(pipeline.inputs["pipelineDefinition"])).steps.values()
        if step["Type"] == "RegisterModel"
        for container in step["Arguments"]["InferenceSpecification"]["Containers"]
        for image in [container["Image"]]
        if isinstance(image, str)
    }
    for role, resource in stack.roles.items():
        granted = _pullable(stack, role)
        assert not any("*" in arn for arn in granted), resource.name
        wanted = {
            n.resource for n in needs if n.principal == role and n.resource.split(":")[4] != stack.account
        }
        if role == _exported_inference_role(stack):
            wanted = registered  # what adopters serve with it: the families' registered versions
        assert granted == wanted, resource.name


def test_ecr_pull_images_names_each_repository_once_without_tags() -> None:
    statements = ecr_pull_images(
        [
            "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer:latest",
            "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer",
            "763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference@sha256:0123",
            "453000072557.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-scikit-learn:1.2-1-cpu-py3",
        ]
    )
    assert statements[0] == {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}
    assert statements[1]["Resource"] == [
        "arn:aws-cn:ecr:cn-north-1:453000072557:repository/sagemaker-scikit-learn",
        "arn:aws:ecr:eu-west-1:763104351884:repository/pytorch-inference",
        "arn:aws:ecr:us-east-1:156813124566:repository/sagemaker-model-monitor-analyzer",
    ]
    assert "ecr:BatchGetImage" in statements[1]["Action"]
    assert ecr_pull_images([]) == []
    with pytest.raises(ValueError, match="not an Amazon ECR image URI"):
        ecr_repository_arn("docker.io/library/python:3.11")


# -- 2. The VPC flow-logs role ----------------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["prod", "dev"])
def test_the_flow_logs_role_has_what_aws_lists_and_only_describe_groups_on_every_resource(
    stacks: Callable[[str], Stack], variant: str
) -> None:
    """ "IAM role for publishing flow logs to CloudWatch Logs": CreateLogGroup, CreateLogStream,
    PutLogEvents, DescribeLogGroups, DescribeLogStreams. DescribeLogGroups has no resource type (the
    Service Authorization Reference; cfn-lint's copy of it: ``describeloggroups: {}``), so it alone
    is on "*"; the others are on the flow logs' own group (another group is refused)."""
    stack = stacks(variant)
    [flow_log] = stack.graph.of_type("aws:ec2/flowLog:FlowLog")
    role, group = flow_log.inputs["iamRoleArn"], flow_log.inputs["logDestination"]
    listed = [
        ("logs:DescribeLogGroups", "*"),
        ("logs:CreateLogGroup", group),
        ("logs:DescribeLogStreams", group),
        ("logs:CreateLogStream", f"{group}:log-stream:eni-0123-all"),
        ("logs:PutLogEvents", f"{group}:log-stream:eni-0123-all"),
    ]
    assert [a for a, r in listed if stack.denial(Need(role, a, r, "flow logs"))] == []
    other = group.rsplit(":", 1)[0] + ":other-group"
    assert [a for a, r in listed[1:] if not stack.denial(Need(role, a, r.replace(group, other), "x"))] == []
    on_everything = {
        action
        for statement in _statements(stack, role)
        if "*" in _resources(statement)
        for action in _actions(statement)
    }
    assert on_everything == {"logs:DescribeLogGroups"}


# -- 3. Over-broad grants, tightened where the stack file says the exact scope ---------------------------

_MONITOR_TYPES = (
    "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition",
    "aws-native:sagemaker:ModelQualityJobDefinition",
    "aws-native:sagemaker:ModelBiasJobDefinition",
    "aws-native:sagemaker:ModelExplainabilityJobDefinition",
)


def _artifacts(stack: Stack) -> str:
    [bucket] = [b for b in stack.bucket_keys if b.startswith("artifacts")]
    return bucket


@pytest.mark.parametrize("variant", ["prod", "shadow-test"])
def test_a_monitor_role_reads_only_its_own_endpoints_capture_and_labels(
    stacks: Callable[[str], Stack], variant: str
) -> None:
    """The Model Monitor roles read ``data-capture/<endpoint>/`` and ``ground-truth/<endpoint>/``
    of their endpoint (the audit derives those reads), not another endpoint's."""
    stack = stacks(variant)
    bucket = _artifacts(stack)
    roles = {job.inputs["roleArn"] for token in _MONITOR_TYPES for job in stack.graph.of_type(token)}
    assert roles
    for role in roles:
        for prefix in ("data-capture", "ground-truth"):
            other = Need(
                role, "s3:GetObject", f"arn:aws:s3:::{bucket}/{prefix}/another-endpoint/x.jsonl", "x"
            )
            assert stack.denial(other) is not None, (role, prefix)
            listing = Need(role, "s3:ListBucket", f"arn:aws:s3:::{bucket}", "x", {"s3:prefix": f"{prefix}/"})
            assert stack.denial(listing) is not None, (role, prefix)


def _training_role(stack: Stack) -> str:
    [arn] = [arn for arn, role in stack.roles.items() if role.name == "training-role-role"]
    return arn


@pytest.mark.parametrize("variant", ["prod", "staging"])
def test_the_training_role_reads_only_the_families_training_data_of_the_datasets_bucket(
    stacks: Callable[[str], Stack], variant: str
) -> None:
    """Each trained family's ``training-data/<family>/`` and Evidently reference (the audit derives
    those reads from the pipelines), not the DVC remote's files or another prefix of the bucket."""
    stack = stacks(variant)
    role = _training_role(stack)
    [datasets] = [b for b in stack.bucket_keys if b.startswith("datasets")]
    families = [f["name"] for f in stack.graph.config[CONFIG_KEY]["models"] if f.get("training")]
    assert families
    for family in families:
        own = Need(role, "s3:GetObject", f"arn:aws:s3:::{datasets}/training-data/{family}/part.csv", "x")
        assert stack.denial(own) is None
    for key in ("dvc/files/md5/ab/cdef", "training-data-not-a-family/x.csv", "raw/export.csv"):
        assert stack.denial(Need(role, "s3:GetObject", f"arn:aws:s3:::{datasets}/{key}", "x")) is not None, (
            key
        )
    listing = Need(role, "s3:ListBucket", f"arn:aws:s3:::{datasets}", "x", {"s3:prefix": ""})
    assert stack.denial(listing) is not None
