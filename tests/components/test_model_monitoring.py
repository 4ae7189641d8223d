"""Model monitoring: data-quality jobs on captured data, private and encrypted, on the environment's schedule."""

from __future__ import annotations

import boto3
import pytest

from components.observability.model_monitoring import MonitoringSpec
from tests.aws_sessions import mocked_aws
from tests.graph_helpers import as_list, inference_endpoints, policy_of, statements
from tests.sagemaker_requests import to_request

DEFINITION = "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition"
SCHEDULE = "aws:sagemaker/monitoringSchedule:MonitoringSchedule"


def test_dev_captures_nothing_so_monitors_nothing(stack_graphs) -> None:
    assert stack_graphs["dev"].of_type(DEFINITION) == [] == stack_graphs["dev"].of_type(SCHEDULE)


@pytest.mark.parametrize(
    ("stack", "expression"), [("staging", "cron(0 0 ? * * *)"), ("prod", "cron(0 * ? * * *)")]
)
def test_every_capturing_endpoint_has_a_scheduled_data_quality_job(stack_graphs, stack, expression) -> None:
    graph = stack_graphs[stack]
    [definition] = graph.of_type(DEFINITION)
    [schedule] = [
        s
        for s in graph.of_type(SCHEDULE)
        if s.inputs["monitoringScheduleConfig"]["monitoringType"] == "DataQuality"
    ]
    config = schedule.inputs["monitoringScheduleConfig"]
    assert config["monitoringType"] == "DataQuality"
    assert config["monitoringJobDefinitionName"] == definition.outputs["name"]
    assert config["scheduleConfig"] == {"scheduleExpression": expression}
    [endpoint] = inference_endpoints(graph)
    assert (
        definition.inputs["dataQualityJobInput"]["endpointInput"]["endpointName"] == endpoint.outputs["name"]
    )
    assert endpoint.urn in definition.dependencies, "the job definition waits for its endpoint"


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_monitoring_jobs_are_private_encrypted_and_compare_with_the_served_versions_baseline(
    stack_graphs, stack
) -> None:
    graph = stack_graphs[stack]
    [definition] = graph.of_type(DEFINITION)
    inputs = definition.inputs
    key_arn = graph.named("kms-data-key").outputs["arn"]
    bucket = graph.named("artifacts-bucket").outputs["bucket"]
    network = inputs["networkConfig"]
    assert (
        network["enableNetworkIsolation"] is True and network["enableInterContainerTrafficEncryption"] is True
    )
    assert sorted(network["vpcConfig"]["subnets"]) == sorted(
        s.id for s in graph.of_type("aws:ec2/subnet:Subnet")
    )
    assert inputs["dataQualityJobOutputConfig"]["kmsKeyId"] == key_arn
    assert inputs["jobResources"]["clusterConfig"]["volumeKmsKeyId"] == key_arn
    # The served version's own baselines; offline that version is decided at deploy time.
    # Named after the model package group, as the training pipeline writes them.
    served = f"s3://{bucket}/baselines/{graph.stack}-customer-churn/latest-approved"
    baseline = inputs["dataQualityBaselineConfig"]
    assert baseline["constraintsResource"]["s3Uri"] == f"{served}/constraints.json"
    assert baseline["statisticsResource"]["s3Uri"] == f"{served}/statistics.json"
    image = inputs["dataQualityAppSpecification"]["imageUri"]
    assert image == "468650794304.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-model-monitor-analyzer:latest"
    assert inputs["dataQualityAppSpecification"]["environment"] == {"publish_cloudwatch_metrics": "Enabled"}


def test_monitoring_role_reads_capture_and_the_served_baselines_and_writes_only_reports(stack_graphs) -> None:
    graph = stack_graphs["prod"]
    artifacts = graph.named("artifacts-bucket").outputs["arn"]
    policy = graph.named("monitoring-customer-churn-jobs-permissions")
    s3 = [s for s in statements(policy_of(policy)) if any(a.startswith("s3:") for a in as_list(s["Action"]))]
    writes = {r for s in s3 if "s3:PutObject" in as_list(s["Action"]) for r in as_list(s["Resource"])}
    reads = {r for s in s3 if "s3:GetObject" in as_list(s["Action"]) for r in as_list(s["Resource"])}
    # Its own endpoint's report folder only (the job writes monitoring/<endpoint>/data-quality/).
    assert writes == {f"{artifacts}/monitoring/prod-customer-churn/*"}
    # The served version's baselines only: not those of other versions of the family.
    # The endpoint's own capture only (data-capture/<endpoint>/), not every endpoint's.
    assert reads - writes == {
        f"{artifacts}/data-capture/customer-churn/*",
        f"{artifacts}/baselines/prod-customer-churn/latest-approved/*",
    }


@pytest.mark.parametrize(("change", "message"), [
    ({"schedule": "rate(1 hour)"}, "use cron"),
    ({"instance_type": "m5.xlarge"}, "not a SageMaker instance type"),
    ({"max_runtime_seconds": 86_401}, "less than or equal to 86400"),
    ({"schedule": "cron(0 0/2 ? * * *)", "max_runtime_seconds": 7201}, "2 hours apart: a job may run at most 7200 s"),
])  # fmt: skip
def test_malformed_monitoring_specs_are_rejected(change, message) -> None:
    with pytest.raises(ValueError, match=message):
        MonitoringSpec.model_validate(change)


def test_sagemaker_accepts_the_job_definition(stack_graphs, monkeypatch) -> None:
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(variable, "testing")
    [definition] = stack_graphs["prod"].of_type(DEFINITION)
    request = to_request("CreateDataQualityJobDefinition", dict(definition.inputs))
    with mocked_aws("eu-west-1"):
        client = boto3.client("sagemaker", region_name="eu-west-1")
        client.create_data_quality_job_definition(JobDefinitionName=definition.outputs["name"], **request)
        described = client.describe_data_quality_job_definition(JobDefinitionName=definition.outputs["name"])
        assert described["NetworkConfig"]["EnableNetworkIsolation"] is True
        assert described["DataQualityJobInput"]["EndpointInput"]["EndpointName"] == "prod-customer-churn"
