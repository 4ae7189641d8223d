"""models[].evidently through the stack (the prod fixture's customer-churn): the stack's ECR
repository for the image (KMS, immutable tags, scan on push), the training pipeline's two steps on
that image with the family's reference, the publisher role (PutMetricData in the Evidently namespace
only, its script, nothing of the data) that the pipeline role may pass, the alarm on the drifted
share to the alert topic; bad input names the file and key and creates nothing; without it (dev)
none of it exists."""

from __future__ import annotations

import json
from typing import Any

import pytest

from planner.__main__ import main
from planner.recorder import ResourceGraph, record_stack_file
from stacks.config import ConfigError
from tests.graph_helpers import as_list, only, policy_of, statements, training_pipelines
from tests.recorded import computed_once, recorded_stack
from tests.stacks.conftest import batch_scoring_cut

REPOSITORY = "aws:ecr/repository:Repository"
LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


@pytest.fixture(scope="module")
def prod(stack_graphs: dict[str, ResourceGraph]) -> ResourceGraph:
    return stack_graphs["prod"]


def _role_statements(graph: ResourceGraph, role: str) -> list[dict[str, Any]]:
    return _policy_statements(graph, f"{role}-role")


def _policy_statements(graph: ResourceGraph, role: str) -> list[dict[str, Any]]:
    (policy,) = [r for r in graph.of_type(ROLE_POLICY) if r.name == f"{role}-permissions"]
    return statements(policy_of(policy))


def _role_arn(graph: ResourceGraph, role: str) -> str:
    (resource,) = [r for r in graph.of_type("aws:iam/role:Role") if r.name == f"{role}-role-role"]
    return resource.outputs["arn"]


def _steps(graph: ResourceGraph) -> dict[str, dict[str, Any]]:
    [pipeline] = training_pipelines(graph)
    return {step["Name"]: step for step in json.loads(pipeline.inputs["pipelineDefinition"])["Steps"]}


def test_the_image_repository_is_encrypted_immutable_and_scanned(prod: ResourceGraph) -> None:
    repository = only(prod, REPOSITORY)
    data_key = next(k for k in prod.of_type("aws:kms/key:Key") if k.name.startswith("kms-data"))
    assert repository.inputs["name"] == "mlops-platform-prod-evidently"
    assert repository.inputs["imageTagMutability"] == "IMMUTABLE"
    assert repository.inputs["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repository.inputs["encryptionConfigurations"] == [
        {"encryptionType": "KMS", "kmsKey": data_key.outputs["arn"]}
    ]
    assert repository.inputs["forceDelete"] is False
    lifecycle = only(prod, LIFECYCLE)
    assert lifecycle.inputs["repository"] == repository.outputs["name"]
    [rule] = json.loads(lifecycle.inputs["policy"])["rules"]
    assert rule["selection"]["tagStatus"] == "untagged" and rule["action"] == {"type": "expire"}


def test_the_data_key_lets_ecr_encrypt_only_where_a_family_uses_evidently(prod, stack_graphs) -> None:
    def via(graph: ResourceGraph) -> list[str]:
        key = next(k for k in graph.of_type("aws:kms/key:Key") if k.name.startswith("kms-data"))
        [statement] = [
            s
            for s in statements(policy_of(key))
            if s.get("Sid") == "AccountPrincipalsThroughPlatformServices"
        ]
        return statement["Condition"]["StringEquals"]["kms:ViaService"]

    assert "ecr.eu-west-1.amazonaws.com" in via(prod)
    assert not any(service.startswith("ecr.") for service in via(stack_graphs["dev"]))


def test_the_training_pipeline_runs_the_report_on_the_stacks_image(prod: ResourceGraph) -> None:
    steps = _steps(prod)
    repository = only(prod, REPOSITORY)
    image = f"{repository.outputs['repositoryUrl']}:0.7.23-1"
    datasets = next(b for b in prod.of_type("aws:s3/bucket:Bucket") if b.name.startswith("datasets"))
    report, publish = steps["EvidentlyReport"]["Arguments"], steps["PublishDriftMetrics"]["Arguments"]
    assert report["AppSpecification"]["ImageUri"] == publish["AppSpecification"]["ImageUri"] == image
    inputs = {i["InputName"]: i["S3Input"]["S3Uri"] for i in report["ProcessingInputs"]}
    assert inputs["reference"] == f"s3://{datasets.outputs['bucket']}/evidently-reference/customer-churn/"
    assert report["AppSpecification"]["ContainerArguments"][:4] == [
        "--reports", "data_drift,data_quality", "--drift-share", "0.3",
    ]  # fmt: skip
    assert report["RoleArn"] == _role_arn(prod, "training")
    assert publish["RoleArn"] == _role_arn(prod, "drift-metrics-job")
    assert publish["NetworkConfig"]["EnableNetworkIsolation"] is False
    assert report["NetworkConfig"]["EnableNetworkIsolation"] is True


def test_the_publisher_role_may_put_metrics_in_the_evidently_namespace_and_read_no_data(prod) -> None:
    granted = _role_statements(prod, "drift-metrics-job")
    put = [s for s in granted if "cloudwatch:PutMetricData" in as_list(s["Action"])]
    evidently = [
        s
        for s in put
        if s["Condition"] == {"StringEquals": {"cloudwatch:namespace": "MLOpsPlatform/Evidently"}}
    ]
    assert len(evidently) == 1 and evidently[0]["Resource"] == "*"
    # The other PutMetricData grant is every SageMaker job's own (/aws/sagemaker/* namespaces).
    assert all("/aws/sagemaker/*" in json.dumps(s["Condition"]) for s in put if s not in evidently)
    reads = [r for s in granted if "s3:GetObject" in as_list(s["Action"]) for r in as_list(s["Resource"])]
    assert reads and all(r.endswith("/pipelines/*/code/*") for r in reads), reads
    assert not any("s3:PutObject" in as_list(s["Action"]) for s in granted)


def test_the_pipeline_role_may_pass_the_publisher_role(prod: ResourceGraph) -> None:
    [passing] = [s for s in _role_statements(prod, "pipeline") if s["Action"] == "iam:PassRole"]
    assert _role_arn(prod, "drift-metrics-job") in as_list(passing["Resource"])
    assert _role_arn(prod, "training") in as_list(passing["Resource"])


def test_the_drift_alarm_pages_when_the_share_reaches_the_threshold(prod: ResourceGraph) -> None:
    [alarm] = [a for a in prod.of_type(ALARM) if a.name.startswith("evidently-training-")]
    [topic] = [t for t in prod.of_type("aws:sns/topic:Topic") if t.name.startswith("alerts")]
    assert alarm.inputs["name"] == "prod-customer-churn-training-evidently-drift"
    assert (alarm.inputs["namespace"], alarm.inputs["metricName"]) == (
        "MLOpsPlatform/Evidently",
        "DriftedColumnsShare",
    )
    assert alarm.inputs["dimensions"] == {"Family": "customer-churn", "Pipeline": "training"}
    assert alarm.inputs["statistic"] == "Maximum"
    assert alarm.inputs["comparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert alarm.inputs["threshold"] == 0.3
    assert (alarm.inputs["period"], alarm.inputs["evaluationPeriods"]) == (300, 1)
    # One value per run: between runs the alarm keeps the last report's verdict.
    assert alarm.inputs["treatMissingData"] == "ignore"
    assert alarm.inputs["alarmActions"] == alarm.inputs["okActions"] == [topic.outputs["arn"]]


def test_without_evidently_there_is_none_of_it(stack_graphs) -> None:
    dev = stack_graphs["dev"]
    assert dev.of_type(REPOSITORY) == [] and dev.of_type(LIFECYCLE) == []
    assert not [r for r in dev.of_type("aws:iam/role:Role") if "drift-metrics" in r.name]
    assert not [a for a in dev.of_type(ALARM) if a.name.startswith("evidently-")]


@pytest.mark.parametrize(
    ("settings", "key", "message"),
    [
        pytest.param({"image_tag": "latest tag"}, "image_tag", "pattern", id="tag-with-a-space"),
        pytest.param({"drift_share": 0}, "drift_share", "greater than 0", id="drift-share-zero"),
        pytest.param(
            {"drift_share": 1.5}, "drift_share", "less than or equal to 1", id="drift-share-above-one"
        ),
        pytest.param({"reports": ["model_quality"]}, "reports[0]", "data_drift", id="unknown-report"),
        pytest.param({"reports": []}, "reports", "at least 1", id="no-report"),
        pytest.param({"reports": ["data_drift", "data_drift"]}, "reports", "once", id="report-twice"),
        pytest.param(
            {"reference_prefix": "s3://bucket/ref/"}, "reference_prefix", "pattern", id="reference-as-uri"
        ),
        pytest.param(
            {"reference_prefix": "ref"}, "reference_prefix", "pattern", id="reference-without-slash"
        ),
        pytest.param(
            {"instance_type": "m5.large"},
            "instance_type",
            "not a SageMaker instance type",
            id="instance-type",
        ),
        pytest.param(
            {"max_runtime_seconds": 10}, "max_runtime_seconds", "greater than or equal to 60", id="runtime"
        ),
        pytest.param({"stattest": "psi"}, "stattest", "unknown key", id="unknown-key"),
    ],
)
def test_invalid_evidently_names_the_file_and_key(write_stack, settings, key, message) -> None:
    def edit(platform: dict[str, Any]) -> None:
        platform["models"][0]["evidently"].update(settings)

    path = write_stack("prod", edit)
    with pytest.raises(ConfigError) as raised:
        record_stack_file(str(path))
    text = str(raised.value)
    dotted = f": mlops-platform:platform.models[0].evidently.{key}: "
    line = next((line for line in text.splitlines() if dotted in line), None)
    assert line is not None, text
    assert line.strip().startswith(f"{path}: ") and message in line, line


def test_evidently_without_a_pipeline_to_run_it_is_refused_and_the_plan_exits_2(write_stack, capsys) -> None:
    def edit(platform: dict[str, Any]) -> None:
        family = platform["models"][0]
        del family["batch_scoring"]
        platform["training"] = {"enabled": False}

    path = write_stack("prod", edit)
    assert main(["--config", str(path)]) == 2
    captured = capsys.readouterr()
    assert (
        f"{path}: mlops-platform:platform.models[0].evidently: no pipeline would run the report"
        in captured.err
    )
    assert "aws.ecr.Repository" not in captured.out


@pytest.mark.parametrize("content_type", ["application/jsonlines", "application/x-recordio-protobuf"])
def test_evidently_over_a_batch_input_that_is_not_csv_is_refused(write_stack, capsys, content_type) -> None:
    def edit(platform: dict[str, Any]) -> None:
        platform["models"][0]["batch_scoring"]["content_type"] = content_type

    path = write_stack("prod", edit)
    assert main(["--config", str(path)]) == 2
    captured = capsys.readouterr()
    assert (
        f"{path}: mlops-platform:platform.models[0].batch_scoring.content_type: '{content_type}'"
        in captured.err
    )
    assert "reads the batch input as CSV" in captured.err and captured.out == ""


@pytest.mark.parametrize("content_type", ["text/csv", "Text/CSV; charset=utf-8"])
def test_evidently_over_a_csv_batch_input_is_planned(write_stack, content_type) -> None:
    def edit(platform: dict[str, Any]) -> None:
        platform["models"][0]["batch_scoring"]["content_type"] = content_type
        batch_scoring_cut(platform)  # what batch scoring reads (tests/stacks/conftest.py)

    graph = recorded_stack(write_stack("prod", edit))  # the offline recording, cached by its bytes
    arguments = {
        s["Name"]: s for s in json.loads(_batch_pipeline(graph).inputs["pipelineDefinition"])["Steps"]
    }
    assert arguments["BatchTransform"]["Arguments"]["TransformInput"]["ContentType"] == content_type
    assert "EvidentlyReport" in arguments


def _batch_pipeline(graph: ResourceGraph) -> Any:
    [pipeline] = [p for p in graph.of_type("aws:sagemaker/pipeline:Pipeline") if p.name.startswith("batch-")]
    return pipeline


def test_batch_scoring_reports_on_the_batch_input_as_the_models_role(prod: ResourceGraph) -> None:
    pipeline = _batch_pipeline(prod)
    steps = {s["Name"]: s for s in json.loads(pipeline.inputs["pipelineDefinition"])["Steps"]}
    assert set(steps) == {"BatchTransform", "EvidentlyReport", "PublishDriftMetrics"}
    report, publish = steps["EvidentlyReport"]["Arguments"], steps["PublishDriftMetrics"]["Arguments"]
    datasets = next(b for b in prod.of_type("aws:s3/bucket:Bucket") if b.name.startswith("datasets"))
    artifacts = next(b for b in prod.of_type("aws:s3/bucket:Bucket") if b.name.startswith("artifacts"))
    inputs = {i["InputName"]: i["S3Input"]["S3Uri"] for i in report["ProcessingInputs"]}
    bucket = datasets.outputs["bucket"]
    assert (
        inputs["current"]
        == steps["BatchTransform"]["Arguments"]["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"]
    )
    assert inputs["current"] == f"s3://{bucket}/batch-input/customer-churn/"
    assert inputs["reference"] == f"s3://{bucket}/evidently-reference/customer-churn/"
    [output] = report["ProcessingOutputConfig"]["Outputs"]
    assert output["S3Output"]["S3Uri"]["Std:Join"]["Values"] == [
        f"s3://{artifacts.outputs['bucket']}/pipelines/prod-customer-churn-batch-scoring",
        {"Get": "Execution.PipelineExecutionId"}, "EvidentlyReport", "report",
    ]  # fmt: skip
    [model] = [m for m in prod.of_type("aws:sagemaker/model:Model") if m.name.startswith("batch-")]
    assert report["RoleArn"] == model.inputs["executionRoleArn"]
    assert report["NetworkConfig"]["EnableNetworkIsolation"] is True
    assert publish["RoleArn"] == _role_arn(prod, "drift-metrics-job")
    assert "--dimension" in publish["AppSpecification"]["ContainerArguments"]
    assert "Pipeline=batch-scoring" in publish["AppSpecification"]["ContainerArguments"]


def test_batch_roles_read_the_reference_write_the_report_and_pass_only_the_two_roles(prod) -> None:
    model_statements = _policy_statements(prod, "batch-customer-churn-model")
    reads = [
        r for s in model_statements if "s3:GetObject" in as_list(s["Action"]) for r in as_list(s["Resource"])
    ]
    assert any(r.endswith("/evidently-reference/customer-churn/*") for r in reads), reads
    writes = [
        r for s in model_statements if "s3:PutObject" in as_list(s["Action"]) for r in as_list(s["Resource"])
    ]
    assert any(r.endswith("/pipelines/prod-customer-churn-batch-scoring/*/EvidentlyReport/*") for r in writes)
    pipeline_statements = _policy_statements(prod, "batch-customer-churn-pipeline")
    [passing] = [s for s in pipeline_statements if s["Action"] == "iam:PassRole"]
    [model] = [m for m in prod.of_type("aws:sagemaker/model:Model") if m.name.startswith("batch-")]
    assert sorted(as_list(passing["Resource"])) == sorted(
        [model.inputs["executionRoleArn"], _role_arn(prod, "drift-metrics-job")]
    )
    assert passing["Condition"] == {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}


def test_the_batch_drift_alarm_pages_and_retrains_the_family_the_training_one_only_pages(prod) -> None:
    """Drift in the training run's own data would be trained on again: that alarm retrains nothing."""
    from moto.events.models import EventPattern

    [alarm] = [a for a in prod.of_type(ALARM) if a.name.startswith("evidently-batch-scoring-")]
    assert alarm.inputs["name"] == "prod-customer-churn-batch-scoring-evidently-drift"
    assert alarm.inputs["dimensions"] == {"Family": "customer-churn", "Pipeline": "batch-scoring"}
    assert (alarm.inputs["comparisonOperator"], alarm.inputs["threshold"]) == (
        "GreaterThanOrEqualToThreshold",
        0.3,
    )
    rules = [
        r
        for r in prod.of_type("aws:cloudwatch/eventRule:EventRule")
        if r.name.startswith("triggers-customer-churn")
        and "aws.cloudwatch" in r.inputs.get("eventPattern", "")
    ]
    [rule] = rules
    pattern = EventPattern.load(rule.inputs["eventPattern"])

    def change(name: str, state: str) -> dict[str, Any]:
        return {
            "version": "0", "id": "1", "detail-type": "CloudWatch Alarm State Change", "source": "aws.cloudwatch",
            "account": "333333333333", "time": "2026-11-23T10:00:00Z", "region": "eu-west-1", "resources": [],
            "detail": {"alarmName": name, "state": {"value": state}, "previousState": {"value": "OK"}},
        }  # fmt: skip

    assert pattern.matches_event(change("prod-customer-churn-batch-scoring-evidently-drift", "ALARM"))
    assert not pattern.matches_event(change("prod-customer-churn-batch-scoring-evidently-drift", "OK"))
    assert not pattern.matches_event(change("prod-customer-churn-training-evidently-drift", "ALARM"))


def _drift_report_alarm(**changes: Any) -> dict[str, Any]:
    from components.observability.drift_report_alarm import DriftReportAlarm, DriftReportAlarmArgs
    from planner.recorder import record_program

    values: dict[str, Any] = {
        "pipeline_name": "churn-training",
        "family": "churn",
        "pipeline_kind": "training",
        "drift_share": 0.5,
        "alarm_topic_arn": "arn:aws:sns:eu-west-1:123456789012:alerts",
        "tags": {},
    } | changes
    # Once per version of the code and of this file: the arguments as written are the key.
    graph = computed_once(
        "drift-report-alarm",
        lambda: record_program(lambda: DriftReportAlarm("evidently", DriftReportAlarmArgs(**values))),
        key=[repr(values)],
    )
    return only(graph, ALARM).inputs


def test_one_report_decides_the_drift_alarm() -> None:
    """Each execution publishes one value: the alarm judges that one datapoint (a second datapoint
    out of one period cannot exist, and CloudWatch refuses more datapoints than periods)."""
    alarm = _drift_report_alarm()
    assert (alarm["evaluationPeriods"], alarm["datapointsToAlarm"]) == (1, 1)


def test_a_share_of_every_column_is_a_threshold_and_nonsense_is_refused() -> None:
    assert _drift_report_alarm(drift_share=1)["threshold"] == 1  # every column drifted
    for changes, message in (
        ({"drift_share": True}, r"drift_share: True must be in \(0, 1\]"),
        ({"drift_share": 0}, r"drift_share: 0 must be in \(0, 1\]"),
        ({"pipeline_kind": "inference"}, "'inference' is not one of training, batch-scoring"),
    ):
        with pytest.raises(ValueError, match=message):
            _drift_report_alarm(**changes)
