"""Execution roles: trusted by one service of this account, least privilege, under the platform path."""

from __future__ import annotations

import pytest

from components.foundation.execution_role import ExecutionRole, ExecutionRoleArgs
from planner.recorder import ResourceGraph, record_program
from tests.graph_helpers import as_list, grants, policy_of, statements

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
# The only actions AWS authorises on "Resource": "*" that the platform grants (each commented in code).
WILDCARD_RESOURCE_ACTIONS = {
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeVpcs",
    "ec2:DescribeDhcpOptions",
    "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups",
    "cloudwatch:PutMetricData",
    "ecr:GetAuthorizationToken",
    "logs:DescribeLogGroups",  # the VPC flow-logs role (AWS's flow-logs IAM page lists it)
}


def _allow_statements(graph: ResourceGraph):
    for policy in graph.of_type(ROLE_POLICY):
        for statement in statements(policy_of(policy)):
            if statement["Effect"] == "Allow":
                yield policy, statement


def test_no_statement_grants_every_action(stack_graph: ResourceGraph) -> None:
    for policy, statement in _allow_statements(stack_graph):
        assert "NotAction" not in statement
        for action in as_list(statement["Action"]):
            assert action != "*" and not action.endswith(":*"), f"{policy.name}: {action}"


def test_wildcard_resources_only_where_aws_requires_them(stack_graph: ResourceGraph) -> None:
    for policy, statement in _allow_statements(stack_graph):
        if "*" in as_list(statement["Resource"]):
            assert set(as_list(statement["Action"])) <= WILDCARD_RESOURCE_ACTIONS, (
                f"{policy.name}: {statement}"
            )


def test_put_metric_data_is_limited_to_sagemaker_namespaces(stack_graph: ResourceGraph) -> None:
    metrics = [
        s for _, s in _allow_statements(stack_graph) if "cloudwatch:PutMetricData" in as_list(s["Action"])
    ]
    assert metrics
    # The one other namespace: the Evidently publisher's own (tests/components/test_evidently_wiring.py).
    evidently = {"StringEquals": {"cloudwatch:namespace": "MLOpsPlatform/Evidently"}}
    assert all(
        s["Condition"] == evidently
        or s["Condition"]["StringLike"]["cloudwatch:namespace"] == ["/aws/sagemaker/*", "aws/sagemaker/*"]
        for s in metrics
    )


def test_roles_live_under_the_platform_path_and_trust_one_service_of_this_account(
    stack_graph: ResourceGraph,
) -> None:
    account = stack_graph.config["mlops-platform:platform"]["account_id"]
    # The DVC remote's role is for people and workflows, not a service (tests/components/test_dvc_remote.py).
    roles = [
        r for r in stack_graph.of_type(ROLE) if stack_graph.component_of(r).type != "mlops:data:DvcRemote"
    ]
    # The service each foundation role is for: another service could not assume it (a job that
    # cannot start, flow logs that never arrive).
    foundation_roles = {
        "training-role-role": "sagemaker.amazonaws.com",
        "pipeline-role-role": "sagemaker.amazonaws.com",
        "inference-role-role": "sagemaker.amazonaws.com",
        "network-flow-logs-role": "vpc-flow-logs.amazonaws.com",
    }
    trusted = {role.name: statements(policy_of(role, "assumeRolePolicy"))[0]["Principal"] for role in roles}
    assert {name: trusted.get(name) for name in foundation_roles} == {
        name: {"Service": service} for name, service in foundation_roles.items()
    }
    # Every role belongs to an ExecutionRole component: none is created ad hoc.
    assert all(stack_graph.component_of(role).type == "mlops:foundation:ExecutionRole" for role in roles)
    for role in roles:
        assert role.inputs["path"] == f"/mlops-platform/{stack_graph.environment}/"
        [trust] = statements(policy_of(role, "assumeRolePolicy"))
        assert trust["Action"] == "sts:AssumeRole"
        assert len(trust["Principal"]["Service"].split()) == 1
        assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": account}}
        assert not role.inputs.get("managedPolicyArns")


def test_inference_role_reads_only_models_and_writes_only_data_capture(stack_graph: ResourceGraph) -> None:
    artifacts = stack_graph.named("artifacts-bucket").outputs["arn"]
    datasets = stack_graph.named("datasets-bucket").outputs["arn"]
    policy = next(p for p in stack_graph.of_type(ROLE_POLICY) if p.name == "inference-role-permissions")
    s3 = [s for s in statements(policy_of(policy)) if any(a.startswith("s3:") for a in as_list(s["Action"]))]
    object_resources = {r for s in s3 for r in as_list(s["Resource"]) if r.startswith(f"{artifacts}/")}
    writes = {r for s in s3 if "s3:PutObject" in as_list(s["Action"]) for r in as_list(s["Resource"])}
    assert object_resources == {f"{artifacts}/models/*", f"{artifacts}/data-capture/*"}
    assert writes == {f"{artifacts}/data-capture/*"}
    assert not any(datasets in str(s["Resource"]) for s in s3)


def test_pipeline_role_may_pass_only_the_training_role_to_sagemaker(stack_graph: ResourceGraph) -> None:
    """And, where the stack tracks experiments, trains from a feature group or has an Evidently
    report, the TrackExperiment, ExtractFeatures and PublishDriftMetrics steps' own roles."""
    policy = next(p for p in stack_graph.of_type(ROLE_POLICY) if p.name == "pipeline-role-permissions")
    [pass_role] = [s for s in statements(policy_of(policy)) if "iam:PassRole" in as_list(s["Action"])]
    training = stack_graph.named("training-role-role").outputs["arn"]
    networked = [
        r.outputs["arn"]
        for name in ("tracking-job-role-role", "feature-extraction-role-role", "drift-metrics-job-role-role")
        for r in stack_graph.of_type(ROLE)
        if r.name == name
    ]
    assert pass_role["Resource"] == ([training, *networked] if networked else training)
    assert pass_role["Condition"] == {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}


def test_role_arn_output_waits_for_the_permissions() -> None:
    import pulumi_aws as aws

    def program() -> None:
        role = ExecutionRole(
            "job",
            ExecutionRoleArgs(
                description="test",
                trusted_service="sagemaker.amazonaws.com",
                account_id="123456789012",
                path="/mlops-platform/test/",
                statements=[{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}],
                tags={"owner": "t"},
            ),
        )
        aws.ssm.Parameter("consumer", type="String", value=role.role_arn)

    graph = record_program(program)
    consumer = graph.named("consumer")
    assert graph.named("job-permissions").urn in consumer.dependencies
    assert (
        consumer.inputs["value"]
        == "arn:aws:iam::123456789012:role/mlops-platform/test/job-role-"
        + graph.named("job-role").id.split("-")[-1]
    )


@pytest.mark.parametrize(("path", "statements_given", "message"), [
    ("/mlops-platform/test/", [], "needs at least one permission statement"),
    ("mlops-platform", [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}], "is not an IAM path: '/' or '/<path>/'"),
])  # fmt: skip
def test_execution_role_rejects_bad_args(path, statements_given, message) -> None:
    def program() -> None:
        ExecutionRole(
            "bad",
            ExecutionRoleArgs("d", "sagemaker.amazonaws.com", "123456789012", path, statements_given, {}),
        )

    with pytest.raises(ValueError, match=message):
        record_program(program)


# -- GetBucketLocation is granted: never under an s3:prefix condition -------------------------------


def _condition_keys(statement: dict) -> set[str]:
    return {key for operator in statement.get("Condition", {}).values() for key in operator}


def _role_policies(graph: ResourceGraph):
    for policy in graph.of_type(ROLE_POLICY):
        yield policy, statements(policy_of(policy))


def _assert_bucket_location_is_granted(graph: ResourceGraph) -> int:
    """Every role policy that lists a bucket may also find its region: a GetBucketLocation request
    carries no ``s3:prefix``, so only a statement without that condition grants it."""
    checked = 0
    for policy, found in _role_policies(graph):
        for statement in found:
            if grants(statement, "s3:GetBucketLocation"):
                assert "s3:prefix" not in _condition_keys(statement), f"{policy.name}: {statement}"
        listed = {r for s in found if grants(s, "s3:ListBucket") for r in as_list(s["Resource"])}
        located = {
            r
            for s in found
            if grants(s, "s3:GetBucketLocation") and not _condition_keys(s)
            for r in as_list(s["Resource"])
        }
        assert listed <= located, f"{policy.name}: no region lookup for {listed - located}"
        checked += bool(listed)
    return checked


def test_every_role_that_lists_a_bucket_can_find_its_region(stack_graph: ResourceGraph) -> None:
    assert _assert_bucket_location_is_granted(stack_graph) >= 4


def test_monitoring_roles_can_find_their_buckets_region(all_monitors_graph: ResourceGraph) -> None:
    assert _assert_bucket_location_is_granted(all_monitors_graph) >= 5


@pytest.mark.parametrize(
    ("prefixes", "list_condition"),
    [
        pytest.param(("",), None, id="whole-bucket"),
        pytest.param(("models/", "baselines/"), {"StringLike": {"s3:prefix": ["models/*", "baselines/*"]}}, id="prefixes"),
    ],
)  # fmt: skip
def test_s3_read_lists_under_the_prefixes_and_locates_the_bucket_unconditionally(
    prefixes, list_condition
) -> None:
    from components.policy_documents import s3_read

    def program() -> None:
        ExecutionRole(
            "reader",
            ExecutionRoleArgs(
                "d", "sagemaker.amazonaws.com", "123456789012", "/p/", s3_read("arn:aws:s3:::b", prefixes), {}
            ),
        )

    listing, location, read = statements(policy_of(record_program(program).named("reader-permissions")))
    assert (listing["Action"], listing.get("Condition")) == ("s3:ListBucket", list_condition)
    assert location == {"Effect": "Allow", "Action": "s3:GetBucketLocation", "Resource": "arn:aws:s3:::b"}
    assert read["Resource"] == [f"arn:aws:s3:::b/{prefix}*" for prefix in prefixes]
