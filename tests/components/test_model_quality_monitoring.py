"""Model-quality, bias and explainability monitors (pulumi-aws-native job definitions)."""

from __future__ import annotations

import dataclasses
import fnmatch

import boto3
import pytest

from components.observability.model_monitoring import MonitoringBaselines
from components.observability.model_quality_monitoring import (
    ModelQualityMonitoring,
    ModelQualityMonitoringArgs,
)
from components.observability.model_quality_spec import ModelQualitySpec
from planner.policy_check import evaluate_policies
from planner.recorder import ResourceGraph, record_program
from tests.aws_sessions import mocked_aws
from tests.components.model_quality_args import model_quality_args
from tests.graph_helpers import as_list, grants, policy_of, statements
from tests.sagemaker_requests import to_request

KINDS = ("ModelQuality", "ModelBias", "ModelExplainability")


@pytest.fixture
def all_monitors(all_monitors_graph: ResourceGraph) -> ResourceGraph:
    return all_monitors_graph


def _definitions(graph: ResourceGraph) -> dict[str, dict]:
    return {
        kind: r.inputs for kind in KINDS for r in graph.of_type(f"aws-native:sagemaker:{kind}JobDefinition")
    }


def test_prod_compares_predictions_with_ground_truth(stack_graphs) -> None:
    graph = stack_graphs["prod"]
    definitions = _definitions(graph)
    assert set(definitions) == {"ModelQuality"}
    quality = definitions["ModelQuality"]
    bucket = graph.named("artifacts-bucket").outputs["bucket"]
    job_input = quality["modelQualityJobInput"]
    assert job_input["groundTruthS3Input"] == {"s3Uri": f"s3://{bucket}/ground-truth/customer-churn/"}
    assert (job_input["endpointInput"]["startTimeOffset"], job_input["endpointInput"]["endTimeOffset"]) == (
        "-PT25H",
        "-PT24H",
    )
    assert quality["modelQualityAppSpecification"]["problemType"] == "BinaryClassification"
    [provider] = graph.of_type("pulumi:providers:aws-native")
    assert graph.of_type("aws-native:sagemaker:ModelQualityJobDefinition")[0].provider.startswith(
        provider.urn + "::"
    )


def test_staging_and_dev_do_not_load_aws_native(stack_graphs) -> None:
    for stack in ("dev", "staging"):
        assert stack_graphs[stack].of_type("pulumi:providers:aws-native") == []


def test_every_monitor_kind_is_isolated_encrypted_and_scheduled(all_monitors) -> None:
    definitions = _definitions(all_monitors)
    assert set(definitions) == set(KINDS)
    key_arn = all_monitors.named("kms-data-key").outputs["arn"]
    subnets = sorted(s.id for s in all_monitors.of_type("aws:ec2/subnet:Subnet"))
    for kind, inputs in definitions.items():
        network = inputs["networkConfig"]
        # The explainability job calls the model (Clarify's shadow endpoint), which isolation forbids:
        # test_clarify_monitor_runtime_audit.py.
        assert network["enableNetworkIsolation"] is (kind != "ModelExplainability"), kind
        assert network["enableInterContainerTrafficEncryption"] is True, kind
        assert sorted(network["vpcConfig"]["subnets"]) == subnets, kind
        prefix = kind[0].lower() + kind[1:]
        assert inputs[f"{prefix}JobOutputConfig"]["kmsKeyId"] == key_arn, kind
        assert inputs["jobResources"]["clusterConfig"]["volumeKmsKeyId"] == key_arn, kind
    types = sorted(
        s.inputs["monitoringScheduleConfig"]["monitoringType"]
        for s in all_monitors.of_type("aws:sagemaker/monitoringSchedule:MonitoringSchedule")
    )
    assert types == sorted(["DataQuality", *KINDS])


def test_only_quality_and_bias_read_ground_truth(all_monitors) -> None:
    definitions = _definitions(all_monitors)
    assert "groundTruthS3Input" in definitions["ModelQuality"]["modelQualityJobInput"]
    assert "groundTruthS3Input" in definitions["ModelBias"]["modelBiasJobInput"]
    assert "groundTruthS3Input" not in definitions["ModelExplainability"]["modelExplainabilityJobInput"]
    assert definitions["ModelBias"]["modelBiasAppSpecification"]["configUri"].endswith(
        "/baselines/prod-customer-churn/model_bias/analysis_config.json"
    )
    assert "clarify" in definitions["ModelExplainability"]["modelExplainabilityAppSpecification"]["imageUri"]


def test_model_quality_compares_with_the_served_version_bias_and_explainability_with_the_family(
    all_monitors,
) -> None:
    definitions = _definitions(all_monitors)
    family = f"s3://{all_monitors.named('artifacts-bucket').outputs['bucket']}/baselines/prod-customer-churn"

    def constraints(kind: str) -> str:
        prefix = kind[0].lower() + kind[1:]
        return definitions[kind][f"{prefix}BaselineConfig"]["constraintsResource"]["s3Uri"]

    assert constraints("ModelQuality") == f"{family}/latest-approved/model_quality/constraints.json"
    assert constraints("ModelBias") == f"{family}/model_bias/constraints.json"
    assert constraints("ModelExplainability") == f"{family}/model_explainability/constraints.json"


@pytest.mark.parametrize(("monitors", "reads_family_folder"), [("prod", False), ("all", True)])
def test_the_jobs_read_the_family_folder_only_for_bias_and_explainability(
    stack_graphs, all_monitors, monitors, reads_family_folder
) -> None:
    graph = all_monitors if monitors == "all" else stack_graphs[monitors]
    artifacts = graph.named("artifacts-bucket").outputs["arn"]
    policy = graph.named("model-monitors-customer-churn-jobs-permissions")
    reads = {
        resource
        for statement in statements(policy_of(policy))
        if "s3:GetObject" in as_list(statement["Action"])
        for resource in as_list(statement["Resource"])
    }
    assert f"{artifacts}/baselines/prod-customer-churn/latest-approved/*" in reads
    assert (f"{artifacts}/baselines/prod-customer-churn/*" in reads) is reads_family_folder


def _args(spec: ModelQualitySpec, baselines: MonitoringBaselines) -> ModelQualityMonitoringArgs:
    return model_quality_args(spec, baselines=baselines)


SERVED = MonitoringBaselines.in_folder("baselines/customer-churn/exec-1/")


@pytest.mark.parametrize(
    ("spec", "baselines", "message"),
    [
        (ModelQualitySpec(), SERVED, "enable at least one of model_quality, bias, explainability"),
        (
            ModelQualitySpec(model_quality=True),
            dataclasses.replace(SERVED, model_constraints=None),
            "registered no model-quality baseline",
        ),
    ],
    ids=["nothing-to-monitor", "no-model-quality-baseline"],
)
def test_monitors_that_cannot_run_are_refused_before_any_resource(spec, baselines, message) -> None:
    with pytest.raises(ValueError, match=message):
        _args(spec, baselines)


def test_bias_alone_needs_no_model_quality_baseline() -> None:
    args = _args(ModelQualitySpec(bias=True), dataclasses.replace(SERVED, model_constraints=None))
    graph = record_program(lambda: ModelQualityMonitoring("monitors", args))
    assert [r.type for r in graph if r.type.startswith("aws-native:")] == [
        "aws-native:sagemaker:ModelBiasJobDefinition"
    ]


def test_the_policy_pack_finds_nothing_to_fix_in_them(all_monitors) -> None:
    violations, _ = evaluate_policies(all_monitors)
    assert [v for v in violations if v.enforcement_level == "mandatory"] == []


def test_sagemaker_accepts_the_model_quality_job_definition(stack_graphs, monkeypatch) -> None:
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(variable, "testing")
    [definition] = stack_graphs["prod"].of_type("aws-native:sagemaker:ModelQualityJobDefinition")
    request = to_request("CreateModelQualityJobDefinition", dict(definition.inputs), skip=("tags",))
    with mocked_aws("eu-west-1"):
        client = boto3.client("sagemaker", region_name="eu-west-1")
        client.create_model_quality_job_definition(**request)
        described = client.describe_model_quality_job_definition(
            JobDefinitionName="prod-customer-churn-model-quality"
        )
        assert described["ModelQualityAppSpecification"]["ProblemType"] == "BinaryClassification"


def test_an_empty_monitor_selection_is_no_monitor() -> None:
    assert ModelQualitySpec().kinds == []
    assert ModelQualitySpec(bias=True, explainability=True).kinds == ["ModelBias", "ModelExplainability"]


@pytest.mark.parametrize(
    ("spec", "reading"),
    [
        pytest.param(
            ModelQualitySpec(model_quality=True),
            {"probabilityAttribute": "0", "probabilityThresholdAttribute": 0.5},
            id="binary-reads-the-probability",
        ),
        pytest.param(
            ModelQualitySpec(model_quality=True, problem_type="Regression"),
            {"inferenceAttribute": "0"},
            id="regression-reads-the-predicted-value",
        ),
        pytest.param(
            ModelQualitySpec(
                model_quality=True, problem_type="MulticlassClassification", inference_attribute="1"
            ),
            {"inferenceAttribute": "1"},
            id="multiclass-reads-the-predicted-class",
        ),
    ],
)
def test_the_monitor_reads_the_prediction_the_problem_type_produces(spec, reading) -> None:
    graph = record_program(lambda: ModelQualityMonitoring("monitors", _args(spec, SERVED)))
    [definition] = graph.of_type("aws-native:sagemaker:ModelQualityJobDefinition")
    endpoint_input = definition.inputs["modelQualityJobInput"]["endpointInput"]

    prediction_keys = {"inferenceAttribute", "probabilityAttribute", "probabilityThresholdAttribute"}
    assert {key: endpoint_input[key] for key in prediction_keys & set(endpoint_input)} == reading
    assert definition.inputs["modelQualityAppSpecification"]["problemType"] == spec.problem_type
    request = to_request("CreateModelQualityJobDefinition", dict(definition.inputs), skip=("tags",))
    assert request["ModelQualityJobInput"]["EndpointInput"]["EndpointName"]


def test_a_probability_attribute_for_a_regression_monitor_is_refused() -> None:
    with pytest.raises(ValueError, match="probability_attribute applies to BinaryClassification only"):
        ModelQualitySpec(model_quality=True, problem_type="Regression", probability_attribute="0")


def _granted(graph: ResourceGraph, definition, action: str) -> list[str]:
    """The resources the job definition's role may ``action`` (its permissions policies: the
    definition waits for them, so they are among what its ``roleArn`` references)."""
    return [
        resource
        for policy in graph.referenced(definition, "roleArn")
        if policy.type == "aws:iam/rolePolicy:RolePolicy"
        for statement in statements(policy_of(policy))
        if grants(statement, action)
        for resource in as_list(statement["Resource"])
    ]


def _may(graph: ResourceGraph, definition, action: str, s3_uri: str) -> bool:
    """Whether the role may ``action`` an object under the folder ``s3_uri`` (``s3://bucket/prefix/``)."""
    assert s3_uri.startswith("s3://") and s3_uri.endswith("/"), s3_uri
    some_object = "arn:aws:s3:::" + s3_uri.removeprefix("s3://") + "report.json"
    return any(fnmatch.fnmatchcase(some_object, pattern) for pattern in _granted(graph, definition, action))


@pytest.mark.parametrize("monitors", ["prod", "all"])
def test_every_monitoring_job_writes_where_its_role_may_and_reads_its_ground_truth(
    stack_graphs, all_monitors, monitors
) -> None:
    """A job whose report folder or labels its role cannot reach fails every run, silently: no
    report, no metric, no alarm, no retraining."""
    graph = all_monitors if monitors == "all" else stack_graphs[monitors]
    kinds = {"DataQuality": "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition"} | {
        kind: f"aws-native:sagemaker:{kind}JobDefinition" for kind in KINDS
    }
    checked = []
    for kind, type_token in kinds.items():
        prefix = kind[0].lower() + kind[1:]
        for definition in graph.of_type(type_token):
            outputs = as_list(definition.inputs[f"{prefix}JobOutputConfig"]["monitoringOutputs"])
            for output in outputs:
                assert _may(graph, definition, "s3:PutObject", output["s3Output"]["s3Uri"]), kind
            ground_truth = definition.inputs[f"{prefix}JobInput"].get("groundTruthS3Input")
            if ground_truth is not None:
                assert _may(graph, definition, "s3:GetObject", ground_truth["s3Uri"]), kind
            checked.append(kind)
    assert sorted(checked) == sorted(["DataQuality", "ModelQuality"] if monitors == "prod" else kinds)


@pytest.mark.parametrize("monitors", ["prod", "all"])
def test_every_monitor_runs_on_the_stacks_hourly_schedule(stack_graphs, all_monitors, monitors) -> None:
    """Every kind on the stack's schedule (hourly by default, as in the prod fixture): the quality
    alarms' periods cover one run of it, and a monitor that ran daily would leave them judging a
    day-old report (or no data)."""
    graph = all_monitors if monitors == "all" else stack_graphs[monitors]
    expressions = {
        s.inputs["monitoringScheduleConfig"]["monitoringType"]: s.inputs["monitoringScheduleConfig"][
            "scheduleConfig"
        ]["scheduleExpression"]
        for s in graph.of_type("aws:sagemaker/monitoringSchedule:MonitoringSchedule")
    }
    kinds = ["DataQuality", "ModelQuality"] if monitors == "prod" else ["DataQuality", *KINDS]
    assert sorted(expressions) == sorted(kinds)
    assert set(expressions.values()) == {"cron(0 * ? * * *)"}, expressions


@pytest.mark.parametrize("monitors", ["prod", "all"])
def test_every_monitoring_role_reaches_only_its_own_endpoints_report_folder(
    stack_graphs, all_monitors, monitors
) -> None:
    """Least privilege: a monitoring job writes its report under its ``monitoring/<endpoint>/``
    folder (the job definition's ``MonitoringOutputs[].S3Output.S3Uri``, SageMaker API Reference
    ``MonitoringS3Output``); its role neither reads, lists nor overwrites the reports of another
    endpoint's monitors (which alarms, dashboards and retraining read)."""
    graph = all_monitors if monitors == "all" else stack_graphs[monitors]
    kinds = {"DataQuality": "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition"} | {
        kind: f"aws-native:sagemaker:{kind}JobDefinition" for kind in KINDS
    }
    folders: dict[str, set[str]] = {}
    policies = {}
    for kind, type_token in kinds.items():
        prefix = kind[0].lower() + kind[1:]
        for definition in graph.of_type(type_token):
            [policy] = [
                p
                for p in graph.referenced(definition, "roleArn")
                if p.type == "aws:iam/rolePolicy:RolePolicy"
            ]
            policies[policy.name] = policy
            for output in as_list(definition.inputs[f"{prefix}JobOutputConfig"]["monitoringOutputs"]):
                bucket, key = output["s3Output"]["s3Uri"].removeprefix("s3://").split("/", 1)
                assert key.startswith("monitoring/"), key
                folders.setdefault(policy.name, set()).add(f"{bucket}/monitoring/{key.split('/')[1]}/")
    assert policies
    for name, policy in policies.items():
        [own] = folders[name]
        bucket = own.split("/")[0]
        for statement in statements(policy_of(policy)):
            actions = as_list(statement["Action"])
            if not any(a.startswith("s3:") for a in actions):
                continue
            for resource in as_list(statement["Resource"]):
                if resource.startswith(f"arn:aws:s3:::{bucket}/monitoring/"):
                    assert resource.startswith(f"arn:aws:s3:::{own}"), (name, resource)
            listed = statement.get("Condition", {}).get("StringLike", {}).get("s3:prefix", [])
            for prefix in as_list(listed):
                if prefix.startswith("monitoring/"):
                    assert f"{bucket}/{prefix}".startswith(own), (name, prefix)
        other = f"arn:aws:s3:::{bucket}/monitoring/another-endpoint/data-quality/report.json"
        for action in ("s3:PutObject", "s3:GetObject", "s3:DeleteObject"):
            granted = [
                r for s in statements(policy_of(policy)) if grants(s, action) for r in as_list(s["Resource"])
            ]
            assert granted and not any(fnmatch.fnmatchcase(other, p) for p in granted), (name, action)
