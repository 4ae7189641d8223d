"""ModelMonitoring: scheduled SageMaker Model Monitor data-quality checks of one endpoint."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws.sagemaker as sagemaker

from ..foundation.execution_role import ExecutionRole, ExecutionRoleArgs
from ..instance_types import has_instance_store
from ..limits import (
    account_id_problem,
    instance_problem,
    region_problem,
    satisfies,
    service_role_path_problem,
    tags_problem,
)
from ..naming import child_name
from ..output_text import concat
from ..policy_documents import (
    Statement,
    ecr_pull_images,
    kms_use,
    s3_read,
    s3_read_write,
    sagemaker_logs_and_metrics,
    vpc_network_interfaces,
)
from ..prebuilt_images import ANALYZER, prebuilt_image_uri
from ..serving.inference_endpoint_spec import endpoint_name_problem
from .monitoring_baselines import MonitoringBaselines as MonitoringBaselines
from .monitoring_spec import (
    DATA_CAPTURE_PREFIX,
    MONITORING_PREFIX,
    MonitoringSpec,
)


@dataclass(frozen=True)
class JobPlacement:
    """Where an endpoint's monitoring jobs run and what they may touch (shared by every monitor)."""

    account_id: str
    """The 12-digit account the jobs run in; baselines registered in another account are read
    from that account's bucket."""
    region: str
    """The jobs' AWS region (also the region of the analyzer and Clarify images they run)."""
    artifact_bucket_name: pulumi.Input[str]
    """The stack's artifact bucket: jobs read captured data and baselines there and write their
    reports under ``monitoring/<endpoint>/`` (their role may write no other endpoint's)."""
    artifact_bucket_arn: pulumi.Input[str]
    """ARN of the same bucket, which scopes the jobs' role."""
    kms_key_arn: pulumi.Input[str]
    """Key that encrypts the reports and the job volumes (no volume key for instance types with
    local NVMe storage); the role may use it."""
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Private subnets the jobs run in (with network isolation)."""
    security_group_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Security groups of the jobs' network interfaces in ``subnet_ids``."""
    role_path: str
    """IAM path of the jobs' execution role, e.g. ``/mlops-platform/dev/``."""
    tags: Mapping[str, str]
    """Tags on the jobs' role, job definitions and schedules."""

    def __post_init__(self) -> None:
        satisfies(self, "account_id", account_id_problem)
        satisfies(self, "region", region_problem)
        satisfies(self, "role_path", service_role_path_problem)
        satisfies(self, "tags", tags_problem)


def monitoring_job_role(
    name: str,
    description: str,
    args: JobPlacement,
    *,
    reads: Sequence[str],
    reports: pulumi.Input[str],
    parent: pulumi.Resource,
    images: Sequence[str],
    shared_reads: Sequence[Statement] = (),
    calls: Sequence[Statement] = (),
) -> ExecutionRole:
    """The role of an endpoint's monitoring jobs: read ``reads`` of the artifact bucket, write only
    ``reports`` (its endpoint's ``monitoring/<endpoint>/`` folder: not another endpoint's
    reports, which their alarms, dashboards and retraining read), use the key, run in the private subnets, write logs and metrics, pull the
    ``images`` its jobs run (AWS's analyzer and Clarify: SageMaker pulls them with this role), and
    make the SageMaker ``calls`` its jobs make themselves (Clarify's shadow endpoints)."""
    return ExecutionRole(
        name,
        ExecutionRoleArgs(
            description=description,
            trusted_service="sagemaker.amazonaws.com",
            account_id=args.account_id,
            path=args.role_path,
            statements=[
                *s3_read(args.artifact_bucket_arn, list(reads)),
                *s3_read_write(args.artifact_bucket_arn, [reports]),
                *kms_use([args.kms_key_arn]),
                *vpc_network_interfaces(
                    args.region, args.account_id, args.subnet_ids, args.security_group_ids
                ),
                *sagemaker_logs_and_metrics(args.region, args.account_id),
                *ecr_pull_images(images),
                *shared_reads,
                *calls,
            ],
            tags=args.tags,
        ),
        opts=pulumi.ResourceOptions(parent=parent),
    )


def _capture_of(endpoint_label: str | None) -> str:
    """The capture prefix an endpoint's monitors read: its own folder, where known."""
    return f"{DATA_CAPTURE_PREFIX}{endpoint_label}/" if endpoint_label else DATA_CAPTURE_PREFIX


@dataclass(frozen=True)
class ModelMonitoringArgs:
    spec: MonitoringSpec
    """Schedule, instance type, runtime limit and volume of the data-quality job."""
    endpoint_name: pulumi.Input[str]
    """The SageMaker endpoint whose captured data is checked; reports go to
    ``monitoring/<endpoint_name>/data-quality/``. An endpoint of your own (not ``InferenceEndpoint``)
    must capture under ``data-capture/`` of the placement's artifact bucket, the only capture the
    jobs may read."""
    baselines: MonitoringBaselines
    """The baselines of the model version the endpoint serves."""
    placement: JobPlacement
    """Where the job runs and what it may touch."""
    endpoint_label: str | None = None
    """The endpoint's name in the stack file: it captures under ``data-capture/<endpoint_label>/``,
    the only capture the jobs may then read. None (a caller that does not know where the endpoint
    captures, e.g. the component package's ModelMonitoring): all of ``data-capture/``."""

    def __post_init__(self) -> None:
        satisfies(self, "spec", lambda value: instance_problem(value, MonitoringSpec))
        if not self.spec.model_monitor:
            raise ValueError(
                "ModelMonitoringArgs: spec.model_monitor is false, and this component creates the Model "
                "Monitor schedule it turns off: create no ModelMonitoring for such a spec"
            )
        satisfies(self, "baselines", lambda value: instance_problem(value, MonitoringBaselines))
        satisfies(self, "placement", lambda value: instance_problem(value, JobPlacement))
        satisfies(self, "endpoint_name", endpoint_name_problem)


class ModelMonitoring(pulumi.ComponentResource):
    """A data-quality job definition (captured requests vs. the training baseline) and its schedule.

    Security posture: jobs run in the private subnets with network isolation and encrypted
    inter-container traffic; volumes and reports are KMS-encrypted; the role reads only the
    endpoint's capture and the served version's baselines, and writes only the endpoint's reports.
    """

    schedule_name: pulumi.Output[str]
    """Name of the monitoring schedule (the dimension of its CloudWatch metrics)."""
    job_definition_name: pulumi.Output[str]
    """Name of the data-quality job definition."""

    def __init__(
        self, name: str, args: ModelMonitoringArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:observability:ModelMonitoring", name, None, opts)
        spec = args.spec
        child = pulumi.ResourceOptions(parent=self)
        bucket = concat("s3://", args.placement.artifact_bucket_name, "/")
        endpoint = pulumi.Output.from_input(args.endpoint_name)
        role = monitoring_job_role(
            f"{name}-jobs",
            "Runs SageMaker Model Monitor data-quality jobs of one endpoint",
            args.placement,
            reads=[_capture_of(args.endpoint_label), *args.baselines.own_folders(args.placement)],
            reports=concat(MONITORING_PREFIX, endpoint, "/"),
            shared_reads=args.baselines.read_statements(args.placement),
            parent=self,
            images=[prebuilt_image_uri(ANALYZER, args.placement.region)],
        )
        baselines, placement = args.baselines, args.placement
        definition = sagemaker.DataQualityJobDefinition(
            child_name(
                f"{name}-data-quality", "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition"
            ),
            role_arn=role.role_arn,
            data_quality_app_specification=sagemaker.DataQualityJobDefinitionDataQualityAppSpecificationArgs(
                image_uri=prebuilt_image_uri(ANALYZER, args.placement.region),
                # Publish per-feature drift metrics, so alarms (and retraining) can act on them.
                environment={"publish_cloudwatch_metrics": "Enabled"},
            ),
            data_quality_baseline_config=sagemaker.DataQualityJobDefinitionDataQualityBaselineConfigArgs(
                constraints_resource=sagemaker.DataQualityJobDefinitionDataQualityBaselineConfigConstraintsResourceArgs(
                    s3_uri=baselines.uri(placement, baselines.data_constraints)
                ),
                statistics_resource=sagemaker.DataQualityJobDefinitionDataQualityBaselineConfigStatisticsResourceArgs(
                    s3_uri=baselines.uri(placement, baselines.data_statistics)
                ),
            ),
            data_quality_job_input=sagemaker.DataQualityJobDefinitionDataQualityJobInputArgs(
                endpoint_input=sagemaker.DataQualityJobDefinitionDataQualityJobInputEndpointInputArgs(
                    endpoint_name=endpoint,
                    local_path="/opt/ml/processing/input/endpoint",
                    s3_input_mode="File",
                    s3_data_distribution_type="FullyReplicated",
                )
            ),
            data_quality_job_output_config=sagemaker.DataQualityJobDefinitionDataQualityJobOutputConfigArgs(
                kms_key_id=args.placement.kms_key_arn,
                monitoring_outputs=sagemaker.DataQualityJobDefinitionDataQualityJobOutputConfigMonitoringOutputsArgs(
                    s3_output=sagemaker.DataQualityJobDefinitionDataQualityJobOutputConfigMonitoringOutputsS3OutputArgs(
                        s3_uri=concat(bucket, MONITORING_PREFIX, endpoint, "/data-quality/"),
                        local_path="/opt/ml/processing/output",
                        s3_upload_mode="EndOfJob",
                    )
                ),
            ),
            job_resources=sagemaker.DataQualityJobDefinitionJobResourcesArgs(
                cluster_config=sagemaker.DataQualityJobDefinitionJobResourcesClusterConfigArgs(
                    instance_count=1,
                    instance_type=spec.instance_type,
                    volume_size_in_gb=spec.volume_size_gb,
                    # Local NVMe volumes are hardware-encrypted; SageMaker rejects a KMS key for them.
                    volume_kms_key_id=None
                    if has_instance_store(spec.instance_type)
                    else args.placement.kms_key_arn,
                )
            ),
            network_config=sagemaker.DataQualityJobDefinitionNetworkConfigArgs(
                enable_network_isolation=True,
                enable_inter_container_traffic_encryption=True,
                vpc_config=sagemaker.DataQualityJobDefinitionNetworkConfigVpcConfigArgs(
                    subnets=args.placement.subnet_ids,
                    security_group_ids=args.placement.security_group_ids,
                ),
            ),
            stopping_condition=sagemaker.DataQualityJobDefinitionStoppingConditionArgs(
                max_runtime_in_seconds=spec.max_runtime_seconds
            ),
            tags=dict(args.placement.tags),
            opts=child,
        )
        schedule = sagemaker.MonitoringSchedule(
            child_name(f"{name}-data-quality", "aws:sagemaker/monitoringSchedule:MonitoringSchedule"),
            monitoring_schedule_config=sagemaker.MonitoringScheduleMonitoringScheduleConfigArgs(
                monitoring_type="DataQuality",
                monitoring_job_definition_name=definition.name,
                schedule_config=sagemaker.MonitoringScheduleMonitoringScheduleConfigScheduleConfigArgs(
                    schedule_expression=spec.schedule
                ),
            ),
            tags=dict(args.placement.tags),
            opts=child,
        )

        self.schedule_name = schedule.name
        self.job_definition_name = definition.name
        self.register_outputs(
            {"schedule_name": self.schedule_name, "job_definition_name": self.job_definition_name}
        )
