"""What the registry, data and experiment-tracking resources' arguments mean, not only that they exist.

A mutation audit (one change at a time to the model registry, approval dispatch, feature store,
feature query workgroup, DVC remote and experiment tracking components) found values whose change
passed every test: the approval topic's and dead-letter queue's TLS-only statements, the
dead-letter queue's retention, the approval payload's environment and event type where they differ
from the fixtures' defaults, the connection's token marked secret whatever the caller passes, the
destination's rate limit, the feature groups' roles (actions, trust, online storage type), the
workgroup's metrics, requester-pays and force-destroy flags and Athena's smallest scan cutoff, the
DVC role handed out only once its policy is attached, and the tracking server's role (key use,
trust, model-registry writes only with automatic registration) and MLflow settings. These tests pin
what each value does on the recorded resource graph (fixture stacks, or a component recorded alone
where the fixtures cannot tell the values apart).
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws.ssm as ssm
import pytest

from components.data.dvc_remote import DvcRemote, DvcRemoteArgs
from components.data.feature_query_workgroup import FeatureQueryWorkgroupArgs
from components.experiments.experiment_tracking import ExperimentTracking, ExperimentTrackingArgs
from components.experiments.experiment_tracking_spec import ExperimentTrackingSpec
from components.registry.approval_dispatch import ApprovalDispatch, ApprovalDispatchArgs
from components.registry.dispatch_target import event_type_problem, repository_problem
from components.registry.model_family_spec import ModelFamilySpec
from components.registry.model_registry import ModelRegistry, ModelRegistryArgs
from planner.recorder import RecordedResource, ResourceGraph, record_program
from tests.components.test_model_registry import _state_change
from tests.conftest import load_stack_document
from tests.graph_helpers import as_list, grants, only, policy_of, statements, within

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
TLS_ONLY = {"Bool": {"aws:SecureTransport": "false"}}


def _deny_insecure(resource: RecordedResource) -> list[dict[str, Any]]:
    return [s for s in statements(policy_of(resource)) if s["Effect"] == "Deny"]


# --- Model registry -------------------------------------------------------------------------------


def test_the_approval_rule_pattern_is_sagemaker_approvals_of_the_group_literally(
    stack_graph: ResourceGraph,
) -> None:
    """The registry test compares the rule with ``approval_event_pattern`` itself: pin the pattern."""
    [rule] = within(stack_graph, "model-registry", "aws:cloudwatch/eventRule:EventRule")
    assert json.loads(rule.inputs["eventPattern"]) == {
        "source": ["aws.sagemaker"],
        "detail-type": ["SageMaker Model Package State Change"],
        "detail": {
            "ModelPackageGroupName": [f"{stack_graph.stack}-customer-churn"],
            "ModelApprovalStatus": ["Approved"],
        },
    }


def test_the_approval_topic_refuses_publishing_without_tls(stack_graph: ResourceGraph) -> None:
    [topic] = within(stack_graph, "model-registry", "aws:sns/topic:Topic")
    [policy] = within(stack_graph, "model-registry", "aws:sns/topicPolicy:TopicPolicy")
    assert _deny_insecure(policy) == [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "sns:Publish",
            "Resource": topic.outputs["arn"],
            "Condition": TLS_ONLY,
        }
    ]


# --- Approval dispatch ----------------------------------------------------------------------------


def test_the_dead_letter_queue_keeps_approvals_14_days_and_refuses_requests_without_tls(
    stack_graphs: dict[str, ResourceGraph],
) -> None:
    prod = stack_graphs["prod"]
    [queue] = within(prod, "approval-dispatch", "aws:sqs/queue:Queue")
    assert queue.inputs["messageRetentionSeconds"] == 1209600, "SQS's default (4 days) loses a long outage"
    [policy] = within(prod, "approval-dispatch", "aws:sqs/queuePolicy:QueuePolicy")
    assert _deny_insecure(policy) == [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "sqs:*",
            "Resource": queue.outputs["arn"],
            "Condition": TLS_ONLY,
        }
    ]


def test_the_destination_calls_github_at_most_once_a_second(stack_graphs) -> None:
    [destination] = within(
        stack_graphs["prod"], "approval-dispatch", "aws:cloudwatch/eventApiDestination:EventApiDestination"
    )
    assert destination.inputs["invocationRateLimitPerSecond"] == 1


def _dispatch(token: pulumi.Input[str] = "ghp_plain", **changes: Any) -> ResourceGraph:
    args: dict[str, Any] = dict(
        repository="my-org/mlops-platform",
        approval_rules={"fraud": ("fraud-approved", "arn:aws:events:eu-west-1:111111111111:rule/fraud")},
        token=token,
        connection_kms_key_arn="arn:aws:kms:eu-west-1:111111111111:key/connection",
        queue_kms_key_arn="arn:aws:kms:eu-west-1:111111111111:key/queue",
        account_id="111111111111",
        role_path="/mlops-platform/eu-sandbox/",
        source_stack="eu-sandbox",
        environment="dev",
        tags={"owner": "t"},
    )
    return record_program(lambda: ApprovalDispatch("dispatch", ApprovalDispatchArgs(**{**args, **changes})))


def _render(template: str, paths: dict[str, str], event: dict[str, Any]) -> dict[str, Any]:
    for name, path in paths.items():
        template = template.replace(f"<{name}>", str(event["detail"][path.removeprefix("$.detail.")]))
    return json.loads(template)


def test_the_payload_names_the_stack_and_its_environment_apart_with_the_configured_event_type() -> None:
    """The fixtures' stacks are named after their environments and keep the default event type."""
    graph = _dispatch(event_type="deploy-model")
    target = only(graph, "aws:cloudwatch/eventTarget:EventTarget")
    transformer = target.inputs["inputTransformer"]
    event = _state_change("eu-sandbox-fraud", "Approved")
    body = _render(transformer["inputTemplate"], transformer["inputPaths"], event)
    assert body["event_type"] == "deploy-model"
    assert (body["client_payload"]["source_stack"], body["client_payload"]["source_environment"]) == (
        "eu-sandbox",
        "dev",
    )
    assert body["client_payload"]["family"] == "fraud"
    assert target.inputs["rule"] == "fraud-approved"


def test_the_token_is_a_secret_input_even_when_passed_in_clear() -> None:
    connection = only(_dispatch(), "aws:cloudwatch/eventConnection:EventConnection")
    assert "authParameters" in connection.secret_inputs


@pytest.mark.parametrize(
    ("repository", "valid"),
    [("a" * 39 + "/x", True), ("a" * 40 + "/x", False), ("o/" + "n" * 100, True), ("o/" + "n" * 101, False)],
    ids=["owner-39", "owner-40", "name-100", "name-101"],
)
def test_repository_names_end_where_githubs_do(repository: str, valid: bool) -> None:
    assert (repository_problem(repository) is None) is valid


@pytest.mark.parametrize(("event_type", "valid"), [("a" * 100, True), ("a" * 101, False)], ids=["100", "101"])
def test_event_types_end_at_100_characters(event_type: str, valid: bool) -> None:
    assert (event_type_problem(event_type) is None) is valid


# --- Feature store --------------------------------------------------------------------------------


def _churn_role(graph: ResourceGraph) -> tuple[RecordedResource, list[dict[str, Any]]]:
    [group] = [
        g
        for g in graph.of_type("aws:sagemaker/featureGroup:FeatureGroup")
        if g.inputs["featureGroupName"] == f"{graph.stack}-customer-churn"
    ]
    referenced = {r.type: r for r in graph.referenced(group, "roleArn")}
    return group, [referenced[ROLE], statements(policy_of(referenced[ROLE_POLICY]))]


def test_the_feature_groups_role_writes_its_prefix_updates_its_table_and_is_sagemakers(
    stack_graph: ResourceGraph,
) -> None:
    group, (role, granted) = _churn_role(stack_graph)
    assert group.inputs["onlineStoreConfig"]["storageType"] == "Standard"
    trust = statements(policy_of(role, "assumeRolePolicy"))
    assert [s["Principal"] for s in trust] == [{"Service": "sagemaker.amazonaws.com"}]
    bucket_arn = stack_graph.named("datasets-bucket").outputs["arn"]
    by_resource = {
        json.dumps(s["Resource"]): as_list(s["Action"])
        for s in granted
        if not any(a.startswith("kms:") for a in as_list(s["Action"]))
    }
    platform = load_stack_document(stack_graph.stack)["config"]["mlops-platform:platform"]
    glue = f"arn:aws:glue:{platform['region']}:{platform['account_id']}"
    assert by_resource == {
        json.dumps(f"{bucket_arn}/feature-store/customer-churn/*"): [
            "s3:PutObject",
            "s3:PutObjectAcl",
            "s3:GetObject",
        ],
        json.dumps(bucket_arn): ["s3:GetBucketAcl"],
        json.dumps(
            [
                f"{glue}:catalog",
                f"{glue}:database/sagemaker_featurestore",
                f"{glue}:table/sagemaker_featurestore/{stack_graph.stack}_customer_churn_*",
            ]
        ): ["glue:GetTable", "glue:UpdateTable"],
    }


# --- Feature query workgroup ----------------------------------------------------------------------


def test_the_workgroup_publishes_metrics_pays_its_own_scans_and_is_not_force_destroyed(
    stack_graphs,
) -> None:
    workgroup = only(stack_graphs["prod"], "aws:athena/workgroup:Workgroup")
    configuration = workgroup.inputs["configuration"]
    assert configuration["publishCloudwatchMetricsEnabled"] is True
    assert configuration["requesterPaysEnabled"] is False
    assert workgroup.inputs["forceDestroy"] is False


@pytest.mark.parametrize(("cutoff", "valid"), [(10_000_000, True), (9_999_999, False)])
def test_the_scan_cutoff_is_at_least_athenas_10_mb(cutoff: int, valid: bool) -> None:
    def build() -> FeatureQueryWorkgroupArgs:
        return FeatureQueryWorkgroupArgs(
            workgroup_name="wg",
            account_id="111111111111",
            results_bucket_name="results",
            kms_key_arn="arn:aws:kms:eu-west-1:111111111111:key/k",
            bytes_scanned_cutoff_per_query=cutoff,
            tags={},
        )

    if valid:
        build()
    else:
        with pytest.raises(ValueError, match="bytes_scanned_cutoff_per_query"):
            build()


# --- DVC remote -----------------------------------------------------------------------------------


def test_the_dvc_role_is_handed_out_only_once_its_policy_is_attached() -> None:
    def program() -> None:
        remote = DvcRemote(
            "dvc",
            DvcRemoteArgs(
                account_id="111111111111",
                region="eu-west-1",
                bucket_name="datasets",
                bucket_arn="arn:aws:s3:::datasets",
                kms_key_arn="arn:aws:kms:eu-west-1:111111111111:key/k",
                prefix="dvc",
                trusted_principals=["arn:aws:iam::111111111111:role/ci"],
                github_subjects=[],
                role_path="/mlops-platform/test/",
                tags={},
            ),
        )
        ssm.Parameter("consumer", type="String", value=remote.role_arn)

    graph = record_program(program)
    attachment = only(graph, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    consumer = only(graph, "aws:ssm/parameter:Parameter")
    assert attachment.urn in consumer.property_dependencies["value"]


# --- Experiment tracking --------------------------------------------------------------------------


def _tracking(
    protected: tuple[str, ...] = (), **spec: Any
) -> tuple[RecordedResource, RecordedResource, list[dict[str, Any]]]:
    graph = record_program(
        lambda: ExperimentTracking(
            "tracking",
            ExperimentTrackingArgs(
                spec=ExperimentTrackingSpec.model_validate({"enabled": True, **spec}),
                account_id="111111111111",
                region="eu-west-1",
                artifact_bucket_name="artifacts",
                artifact_bucket_arn="arn:aws:s3:::artifacts",
                kms_key_arn="arn:aws:kms:eu-west-1:111111111111:key/k",
                role_path="/mlops-platform/test/",
                tags={"owner": "t"},
                protected_model_package_groups=protected,
            ),
        )
    )
    server = only(graph, "aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer")
    return server, only(graph, ROLE), statements(policy_of(only(graph, ROLE_POLICY)))


def _model_registry_writes(granted: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for s in granted if any(a.startswith("sagemaker:") for a in as_list(s["Action"]))]


def test_the_tracking_server_role_is_sagemakers_uses_the_key_and_writes_no_registry_by_default() -> None:
    server, role, granted = _tracking()
    assert [s["Principal"] for s in statements(policy_of(role, "assumeRolePolicy"))] == [
        {"Service": "sagemaker.amazonaws.com"}
    ]
    key = "arn:aws:kms:eu-west-1:111111111111:key/k"
    kms = [s for s in granted if any(a.startswith("kms:") for a in as_list(s["Action"]))]
    assert kms and all(as_list(s["Resource"]) == [key] for s in kms)
    assert any(grants(s, "kms:GenerateDataKey") for s in kms) and any(grants(s, "kms:Decrypt") for s in kms)
    assert _model_registry_writes(granted) == []
    assert server.inputs["automaticModelRegistration"] is False


def test_automatic_registration_writes_this_accounts_model_registry_only() -> None:
    server, _, granted = _tracking(automatic_model_registration=True, mlflow_version="2.16")
    assert server.inputs["automaticModelRegistration"] is True
    assert server.inputs["mlflowVersion"] == "2.16"
    [registry] = _model_registry_writes(granted)
    assert registry["Resource"] == [
        "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/*",
        "arn:aws:sagemaker:eu-west-1:111111111111:model-package/*",
    ]
    assert registry["Action"] == [
        "sagemaker:CreateModelPackageGroup",
        "sagemaker:DescribeModelPackageGroup",
        "sagemaker:CreateModelPackage",
        "sagemaker:UpdateModelPackage",
        "sagemaker:AddTags",
    ]


def test_automatic_registration_never_writes_or_approves_in_the_platforms_groups() -> None:
    """UpdateModelPackage sets a version's approval status, and an approved version of a platform
    group deploys: MLflow may register in any other group of the account, never in those."""
    registry = "arn:aws:sagemaker:eu-west-1:111111111111"
    _, _, granted = _tracking(("prod-churn", "prod-Fraud"), automatic_model_registration=True)
    [deny] = [s for s in granted if s["Effect"] == "Deny"]
    assert {
        "sagemaker:CreateModelPackageGroup",
        "sagemaker:CreateModelPackage",
        "sagemaker:UpdateModelPackage",
    } <= set(deny["Action"])
    # IAM compares ARNs as written: each group as named and lower-cased.
    assert deny["Resource"] == [
        f"{registry}:model-package-group/prod-churn",
        f"{registry}:model-package/prod-churn/*",
        f"{registry}:model-package-group/prod-Fraud",
        f"{registry}:model-package/prod-Fraud/*",
        f"{registry}:model-package-group/prod-fraud",
        f"{registry}:model-package/prod-fraud/*",
    ]
    # Without automatic registration there is nothing to deny.
    _, _, without = _tracking(("prod-churn",))
    assert [s for s in without if s["Effect"] == "Deny"] == []


# --- Several model families (the fixtures have one) -----------------------------------------------


def test_every_familys_rule_publishes_dispatches_and_dead_letters_its_own_approvals() -> None:
    [churn] = load_stack_document("prod")["config"]["mlops-platform:platform"]["models"][:1]
    families = [
        ModelFamilySpec.model_validate({"name": n, "promotion": churn["promotion"]})
        for n in ("churn", "fraud")
    ]

    def program() -> None:
        registry = ModelRegistry(
            "registry",
            ModelRegistryArgs(
                families=families,
                approval_mode="manual",
                account_id="111111111111",
                region="eu-west-1",
                notification_key_arn="arn:aws:kms:eu-west-1:111111111111:key/n",
                tags={},
                retain=False,
                name_prefix="sbx",
            ),
        )
        ApprovalDispatch(
            "dispatch",
            ApprovalDispatchArgs(
                repository="my-org/mlops-platform",
                approval_rules={
                    f: (registry.approval_rule_names[f], registry.approval_rule_arns[f])
                    for f in ("churn", "fraud")
                },
                token="t",
                connection_kms_key_arn="arn:aws:kms:eu-west-1:111111111111:key/c",
                queue_kms_key_arn="arn:aws:kms:eu-west-1:111111111111:key/n",
                account_id="111111111111",
                role_path="/mlops-platform/sbx/",
                source_stack="sbx",
                environment="dev",
                tags={},
            ),
        )

    graph = record_program(program)
    rules = {
        json.loads(r.inputs["eventPattern"])["detail"]["ModelPackageGroupName"][0]: r
        for r in graph.of_type("aws:cloudwatch/eventRule:EventRule")
    }
    assert sorted(rules) == ["sbx-churn", "sbx-fraud"]
    rule_arns = [rules["sbx-churn"].outputs["arn"], rules["sbx-fraud"].outputs["arn"]]
    [topic_policy] = graph.of_type("aws:sns/topicPolicy:TopicPolicy")
    [publish] = [s for s in statements(policy_of(topic_policy)) if s["Effect"] == "Allow"]
    assert publish["Condition"] == {"ArnEquals": {"aws:SourceArn": rule_arns}}
    [queue_policy] = graph.of_type("aws:sqs/queuePolicy:QueuePolicy")
    [dead_letter] = [s for s in statements(policy_of(queue_policy)) if s["Effect"] == "Allow"]
    assert dead_letter["Condition"] == {"ArnEquals": {"aws:SourceArn": rule_arns}}
    destination = only(graph, "aws:cloudwatch/eventApiDestination:EventApiDestination")
    dispatched = {
        t.inputs["rule"]: t.inputs["inputTransformer"]
        for t in graph.of_type("aws:cloudwatch/eventTarget:EventTarget")
        if t.inputs["arn"] == destination.outputs["arn"]
    }
    for group, rule in rules.items():
        transformer = dispatched[rule.outputs["name"]]
        body = _render(
            transformer["inputTemplate"], transformer["inputPaths"], _state_change(group, "Approved")
        )
        assert (body["client_payload"]["family"], body["client_payload"]["model_package_group"]) == (
            group.removeprefix("sbx-"),
            group,
        )
    assert len(dispatched) == 2


def test_a_configured_retry_policy_reaches_the_target() -> None:
    target = only(
        _dispatch(maximum_event_age_seconds=7200, maximum_retry_attempts=5),
        "aws:cloudwatch/eventTarget:EventTarget",
    )
    assert target.inputs["retryPolicy"] == {"maximumEventAgeInSeconds": 7200, "maximumRetryAttempts": 5}


# --- Retention and role paths ---------------------------------------------------------------------


def test_prod_keeps_model_package_and_feature_groups_when_they_leave_the_program(stack_graphs) -> None:
    for stack, kept in (("dev", False), ("prod", True)):
        graph = stack_graphs[stack]
        for group in [
            *graph.of_type("aws:sagemaker/modelPackageGroup:ModelPackageGroup"),
            *graph.of_type("aws:sagemaker/featureGroup:FeatureGroup"),
        ]:
            assert (group.protect, group.retain_on_delete) == (kept, kept), (stack, group.name)


def test_the_feature_group_and_dispatch_roles_live_under_the_platform_path(
    stack_graph: ResourceGraph,
) -> None:
    """The platform keys' policies trust roles by this path."""
    _, (role, _) = _churn_role(stack_graph)
    assert role.inputs["path"] == f"/mlops-platform/{stack_graph.stack}/"
    if stack_graph.stack == "prod":
        [invoker] = within(stack_graph, "approval-dispatch", ROLE)
        assert invoker.inputs["path"] == "/mlops-platform/prod/"


@pytest.mark.parametrize(("length", "valid"), [(128, True), (129, False)])
def test_workgroup_names_end_at_athenas_128_characters(length: int, valid: bool) -> None:
    def build() -> FeatureQueryWorkgroupArgs:
        return FeatureQueryWorkgroupArgs(
            workgroup_name="w" * length,
            account_id="111111111111",
            results_bucket_name="results",
            kms_key_arn="arn:aws:kms:eu-west-1:111111111111:key/k",
            bytes_scanned_cutoff_per_query=10 * 1024 * 1024,
            tags={},
        )

    if valid:
        build()
    else:
        with pytest.raises(ValueError, match="workgroup_name"):
            build()
