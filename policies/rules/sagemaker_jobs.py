"""SageMaker job hardening: training jobs, model-monitor jobs and pipeline steps.

Every job must isolate its container from the network, encrypt traffic between its
instances, run in the VPC and encrypt its output and storage volume with a KMS key (the
``sagemaker:NetworkIsolation`` / ``sagemaker:VolumeKmsKey`` IAM condition keys and the
Security Hub SageMaker.9-.25 controls).

Storage-volume keys (``VolumeKmsKeyId``) are exempt, and must stay unset, for instance
types with local NVMe storage: SageMaker encrypts that storage in hardware and rejects a
volume key (see ``INSTANCE_STORE_FAMILIES``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from ._common import (
    FSBP,
    HIGH,
    IAM_CONDITION_KEYS,
    MANDATORY,
    framework,
    get,
    has_instance_store,
    is_set,
    is_true,
    items,
    resource_rule,
    shown,
)
from ._pipeline import NETWORKED_KINDS, PipelineDefinition, PipelineJob, is_expression

TRAINING_JOB = "aws:sagemaker/trainingJob:TrainingJob"
PIPELINE = "aws:sagemaker/pipeline:Pipeline"
DATA_QUALITY_JOB = "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition"
MONITORING_SCHEDULE = "aws:sagemaker/monitoringSchedule:MonitoringSchedule"
NATIVE_DATA_QUALITY_JOB = "aws-native:sagemaker:DataQualityJobDefinition"
NATIVE_MONITORING_SCHEDULE = "aws-native:sagemaker:MonitoringSchedule"
#: aws-native job definitions pulumi-aws lacks, with the property holding their output config.
NATIVE_MODEL_MONITOR_JOBS: dict[str, str] = {
    "aws-native:sagemaker:ModelQualityJobDefinition": "modelQualityJobOutputConfig",
    "aws-native:sagemaker:ModelBiasJobDefinition": "modelBiasJobOutputConfig",
    "aws-native:sagemaker:ModelExplainabilityJobDefinition": "modelExplainabilityJobOutputConfig",
}

Check = Iterator[str]


def _volume_key(props: Any, key_path: str, instance_types: list[Any]) -> Check:
    """A volume key is required, except on instance-store types where it must be absent."""
    key = get(props, key_path)
    local = sorted({str(t) for t in instance_types if has_instance_store(t)})
    if local and is_set(key):
        yield (
            f"{key_path} is set but the job uses instance-store types ({', '.join(local)}): remove it; "
            "SageMaker hardware-encrypts their NVMe storage and rejects a volume KMS key."
        )
    elif not local and not is_set(key):
        yield f"{key_path} is unset: set it to a customer-managed KMS key for the job's storage volume."


# --- training jobs ---------------------------------------------------------------------


def _training_job_network_isolated(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    props = args.props
    if not is_true(get(props, "enableNetworkIsolation")):
        yield "enableNetworkIsolation is not true: set enable_network_isolation=True."
    if not is_true(get(props, "enableInterContainerTrafficEncryption")):
        yield "enableInterContainerTrafficEncryption is not true: set enable_inter_container_traffic_encryption=True."
    for path in ("vpcConfig.subnets", "vpcConfig.securityGroupIds"):
        if not is_set(get(props, path)):
            yield f"{path} is empty: set vpc_config with the platform VPC's private subnets and security group."


def _training_job_kms_encrypted(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    props = args.props
    if not is_set(get(props, "outputDataConfig.kmsKeyId")):
        yield "outputDataConfig.kmsKeyId is unset: set it to a customer-managed KMS key for model artifacts."
    types = [get(props, "resourceConfig.instanceType")]
    types += [get(g, "instanceType") for g in items(get(props, "resourceConfig.instanceGroups"))]
    yield from _volume_key(props, "resourceConfig.volumeKmsKeyId", types)


training_job_network_isolated = resource_rule(
    name="training-job-network-isolated",
    description=(
        "Training jobs must run network-isolated, in the VPC, with inter-container traffic "
        "encryption. Fix: set enableNetworkIsolation, enableInterContainerTrafficEncryption and "
        "vpcConfig (subnets, securityGroupIds)."
    ),
    resource_types=[TRAINING_JOB],
    check=_training_job_network_isolated,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(
        IAM_CONDITION_KEYS,
        "sagemaker:NetworkIsolation",
        "sagemaker:InterContainerTrafficEncryption; sagemaker:VpcSubnets",
    ),
    tags=["sagemaker", "training", "network"],
)

training_job_kms_encrypted = resource_rule(
    name="training-job-kms-encrypted",
    description=(
        "Training jobs must encrypt output and storage volumes with KMS. Fix: set "
        "outputDataConfig.kmsKeyId and resourceConfig.volumeKmsKeyId (leave the volume key unset "
        "on instance-store types such as ml.g5/ml.p4d, which SageMaker encrypts in hardware)."
    ),
    resource_types=[TRAINING_JOB],
    check=_training_job_kms_encrypted,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(IAM_CONDITION_KEYS, "sagemaker:VolumeKmsKey", "sagemaker:OutputKmsKey"),
    tags=["sagemaker", "training", "encryption"],
)


# --- model-monitor jobs ----------------------------------------------------------------


def _monitoring_job(props: Any, base: str, output_config: str, resources: str) -> Check:
    """The four settings every monitoring job needs, under the given property names."""
    for flag in ("enableInterContainerTrafficEncryption", "enableNetworkIsolation"):
        path = f"{base}networkConfig.{flag}"
        if not is_true(get(props, path)):
            yield f"{path} is {shown(get(props, path))}: set it to true."
    output_key = f"{base}{output_config}.kmsKeyId"
    if not is_set(get(props, output_key)):
        yield f"{output_key} is unset: set it to a customer-managed KMS key for monitoring reports."
    cluster = f"{base}{resources}.clusterConfig"
    yield from _volume_key(props, f"{cluster}.volumeKmsKeyId", [get(props, f"{cluster}.instanceType")])


def _data_quality_job(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    yield from _monitoring_job(args.props, "", "dataQualityJobOutputConfig", "jobResources")


def _model_monitor_job(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    yield from _monitoring_job(args.props, "", NATIVE_MODEL_MONITOR_JOBS[args.resource_type], "jobResources")


def _monitoring_schedule(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    base = "monitoringScheduleConfig.monitoringJobDefinition"
    if is_set(get(args.props, base)):  # schedules that reference a job definition are checked there
        yield from _monitoring_job(args.props, base + ".", "monitoringOutputConfig", "monitoringResources")


_MONITORING_FIX = (
    "Fix: set networkConfig.enableInterContainerTrafficEncryption=true, "
    "networkConfig.enableNetworkIsolation=true, the output config's kmsKeyId and "
    "clusterConfig.volumeKmsKeyId (unset on instance-store types)."
)

data_quality_job_encrypted_isolated = resource_rule(
    name="data-quality-job-encrypted-isolated",
    description="Data-quality job definitions must encrypt traffic, output and volumes and run isolated. "
    + _MONITORING_FIX,
    resource_types=[DATA_QUALITY_JOB, NATIVE_DATA_QUALITY_JOB],
    check=_data_quality_job,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(FSBP, "SageMaker.9", "SageMaker.11; Checkov CKV_AWS_367, CKV_AWS_368, CKV_AWS_369"),
    tags=["sagemaker", "monitoring"],
)

model_monitor_job_encrypted_isolated = resource_rule(
    name="model-monitor-job-encrypted-isolated",
    description=(
        "Model-quality, bias and explainability job definitions (aws-native) must encrypt traffic, "
        "output and volumes and run isolated. " + _MONITORING_FIX
    ),
    resource_types=list(NATIVE_MODEL_MONITOR_JOBS),
    check=_model_monitor_job,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(
        FSBP, "SageMaker.10", "SageMaker.12, .13, .15, .20, .23, .24, .25 (bias/quality/explainability jobs)"
    ),
    tags=["sagemaker", "monitoring"],
)

monitoring_schedule_encrypted_isolated = resource_rule(
    name="monitoring-schedule-encrypted-isolated",
    description=(
        "Monitoring schedules that embed a job definition must encrypt traffic, output and volumes "
        "and run isolated. Fix: under monitoringScheduleConfig.monitoringJobDefinition set "
        "networkConfig.enableInterContainerTrafficEncryption/enableNetworkIsolation=true, "
        "monitoringOutputConfig.kmsKeyId and monitoringResources.clusterConfig.volumeKmsKeyId."
    ),
    resource_types=[MONITORING_SCHEDULE, NATIVE_MONITORING_SCHEDULE],
    check=_monitoring_schedule,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(FSBP, "SageMaker.14", "SageMaker.22"),
    tags=["sagemaker", "monitoring"],
)


# --- pipeline steps --------------------------------------------------------------------


def _definition(args: ResourceValidationArgs) -> tuple[PipelineDefinition | None, str | None]:
    raw = get(args.props, "pipelineDefinition")
    if raw is None:  # pipelineDefinitionS3Location: the body is not visible to the pack
        return None, None
    parsed = PipelineDefinition.parse(raw)
    if parsed is None:
        return (
            None,
            "pipelineDefinition is not a JSON object: pass the sagemaker SDK's Pipeline.definition().",
        )
    return parsed, None


def _enabled(value: Any) -> bool:
    """True, or an expression we do not evaluate (undecidable at preview counts as compliant)."""
    return is_true(value) or is_expression(value)


def _step_network(job: PipelineJob) -> Check:
    if job.kind not in NETWORKED_KINDS:
        return
    for setting, fix in (("isolation", "true"), ("transit", "true")):
        if not _enabled(job.value(setting)):
            yield f"{job.path(setting)} is {shown(job.value(setting))}: set it to {fix}."
    vpc = job.value("vpc")
    if not (is_expression(vpc) or (is_set(get(vpc, "Subnets")) and is_set(get(vpc, "SecurityGroupIds")))):
        yield (
            f"{job.path('vpc')} lacks Subnets/SecurityGroupIds: pass the platform VPC's subnets and "
            "security group (network_config / subnets+security_group_ids in the sagemaker SDK)."
        )


def _step_kms(job: PipelineJob) -> Check:
    if is_set(job.value("output")) and not is_set(job.value("output_kms")):
        yield f"{job.path('output_kms')} is unset: set output_kms_key to a customer-managed KMS key."
    types = [instance_type for _, instance_type, _ in job.instances()]
    local = sorted({str(t) for t in types if has_instance_store(t)})
    key = job.value("volume_kms")
    if local and is_set(key):
        yield (
            f"{job.path('volume_kms')} is set but the step uses instance-store types ({', '.join(local)}): "
            "remove volume_kms_key; SageMaker rejects it there."
        )
    elif not local and not is_set(key):
        yield f"{job.path('volume_kms')} is unset: set volume_kms_key to a customer-managed KMS key."


def _pipeline_steps(args: ResourceValidationArgs, check: Callable[[PipelineJob], Check]) -> Check:
    definition, error = _definition(args)
    if error:
        yield error
    if definition is not None:
        for job in definition.jobs():
            yield from check(job)


def _pipeline_network(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    yield from _pipeline_steps(args, _step_network)


def _pipeline_kms(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    yield from _pipeline_steps(args, _step_kms)


pipeline_steps_network_isolated = resource_rule(
    name="pipeline-steps-network-isolated",
    description=(
        "Training, tuning and processing steps of SageMaker pipelines must run network-isolated, "
        "in the VPC, with inter-container encryption. Fix: in the step's job set "
        "EnableNetworkIsolation, EnableInterContainerTrafficEncryption and VpcConfig (NetworkConfig "
        "for processing). Pipeline expressions count as set; {'Get': 'Parameters.X'} uses X's default."
    ),
    resource_types=[PIPELINE],
    check=_pipeline_network,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(
        IAM_CONDITION_KEYS,
        "sagemaker:NetworkIsolation",
        "sagemaker:InterContainerTrafficEncryption; sagemaker:VpcSubnets",
    ),
    tags=["sagemaker", "pipeline", "network"],
)

pipeline_steps_kms_encrypted = resource_rule(
    name="pipeline-steps-kms-encrypted",
    description=(
        "Job steps of SageMaker pipelines must encrypt outputs and volumes with KMS. Fix: set "
        "OutputDataConfig.KmsKeyId / ProcessingOutputConfig.KmsKeyId / TransformOutput.KmsKeyId and "
        "ResourceConfig.VolumeKmsKeyId / ProcessingResources.ClusterConfig.VolumeKmsKeyId "
        "(unset on instance-store types)."
    ),
    resource_types=[PIPELINE],
    check=_pipeline_kms,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(IAM_CONDITION_KEYS, "sagemaker:VolumeKmsKey", "sagemaker:OutputKmsKey"),
    tags=["sagemaker", "pipeline", "encryption"],
)

POLICIES = [
    training_job_network_isolated,
    training_job_kms_encrypted,
    data_quality_job_encrypted_isolated,
    model_monitor_job_encrypted_isolated,
    monitoring_schedule_encrypted_isolated,
    pipeline_steps_network_isolated,
    pipeline_steps_kms_encrypted,
]
