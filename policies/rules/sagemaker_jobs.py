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
    ADVISORY,
    FSBP,
    HIGH,
    IAM_CONDITION_KEYS,
    MANDATORY,
    MEDIUM,
    framework,
    get,
    has_instance_store,
    is_aws_managed_alias,
    is_map,
    is_set,
    is_true,
    items,
    number,
    resource_rule,
    shown,
)
from ._pipeline import (
    NETWORKED_KINDS,
    PIPELINES,
    PipelineDefinition,
    PipelineJob,
    definition_body,
    is_expression,
    network_exception_problems,
)

TRAINING_JOB = "aws:sagemaker/trainingJob:TrainingJob"
TUNING_JOB = "aws:sagemaker/hyperParameterTuningJob:HyperParameterTuningJob"
TRAINING_JOBS = (TRAINING_JOB, TUNING_JOB)
NATIVE_PROCESSING_JOB = "aws-native:sagemaker:ProcessingJob"
PIPELINE = "aws:sagemaker/pipeline:Pipeline"
DATA_QUALITY_JOB = "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition"
MONITORING_SCHEDULE = "aws:sagemaker/monitoringSchedule:MonitoringSchedule"
NATIVE_DATA_QUALITY_JOB = "aws-native:sagemaker:DataQualityJobDefinition"
NATIVE_MONITORING_SCHEDULE = "aws-native:sagemaker:MonitoringSchedule"
#: Job definitions whose inter-container encryption matters only with 2+ instances (Security Hub
#: SageMaker.15; AWS Config sagemaker-model-bias/-explainability-job-encrypt-in-transit).
TRANSIT_WHEN_DISTRIBUTED = frozenset(
    {"aws-native:sagemaker:ModelBiasJobDefinition", "aws-native:sagemaker:ModelExplainabilityJobDefinition"}
)
#: Monitoring jobs that call the model themselves: Clarify computes SHAP values by invoking a shadow
#: endpoint it creates, which network isolation (no network, no credentials in the container) makes
#: impossible. They may run without isolation, but then only in a VPC (subnets and security groups).
CALLS_THE_MODEL = frozenset({"aws-native:sagemaker:ModelExplainabilityJobDefinition"})
#: aws-native job definitions pulumi-aws lacks, with the property holding their output config.
NATIVE_MODEL_MONITOR_JOBS: dict[str, str] = {
    "aws-native:sagemaker:ModelQualityJobDefinition": "modelQualityJobOutputConfig",
    "aws-native:sagemaker:ModelBiasJobDefinition": "modelBiasJobOutputConfig",
    "aws-native:sagemaker:ModelExplainabilityJobDefinition": "modelExplainabilityJobOutputConfig",
}

Check = Iterator[str]

#: ``StoppingCondition.MaxRuntimeInSeconds`` when unset: "The default value is 1 day" (SageMaker API).
DEFAULT_MAX_RUNTIME = 86_400


def _volume_key(props: Any, key_path: str, instance_types: list[Any]) -> Check:
    """A volume key is required, except on instance-store types where it must be absent."""
    key = get(props, key_path)
    local = sorted({str(t) for t in instance_types if has_instance_store(t)})
    backed = sorted({str(t) for t in instance_types if t is not None and not has_instance_store(t)})
    if local and backed:
        # One instance-store group must not exempt the EBS-backed ones, which need the key.
        yield (
            f"{key_path}: the job mixes instance-store types ({', '.join(local)}) with EBS-backed ones "
            f"({', '.join(backed)}) whose volumes need the key the former cannot take: use one kind."
        )
    elif local and is_set(key):
        yield (
            f"{key_path} is set but the job uses instance-store types ({', '.join(local)}): remove it; "
            "SageMaker hardware-encrypts their NVMe storage and rejects a volume KMS key."
        )
    elif not local and not is_set(key):
        yield f"{key_path} is unset: set it to a customer-managed KMS key for the job's storage volume."


# --- training and tuning jobs -------------------------------------------------------------


def training_specs(resource_type: str, props: Any) -> list[tuple[str, Any]]:
    """``(path prefix, training settings)``: a training job is one; a tuning job has one per definition."""
    if resource_type == TRAINING_JOB:
        return [("", props)]
    result = [("trainingJobDefinition.", get(props, "trainingJobDefinition"))]
    result += [
        (f"trainingJobDefinitions[{i}].", d)
        for i, d in enumerate(items(get(props, "trainingJobDefinitions")))
    ]
    return [(prefix, spec) for prefix, spec in result if is_map(spec)]


def _resources_path(spec: Any) -> str:
    """A tuning definition may size its jobs in hyperParameterTuningResourceConfig instead."""
    if not is_set(get(spec, "resourceConfig")) and is_set(get(spec, "hyperParameterTuningResourceConfig")):
        return "hyperParameterTuningResourceConfig"
    return "resourceConfig"


def training_instances(spec: Any) -> list[tuple[str, Any, Any]]:
    """``(path, instance type, count)`` of one training spec's cluster or instance groups/configs."""
    base = _resources_path(spec)
    group_key = "instanceConfigs" if base == "hyperParameterTuningResourceConfig" else "instanceGroups"
    groups = [
        (f"{base}.{group_key}[{i}].instanceType", get(g, "instanceType"), get(g, "instanceCount"))
        for i, g in enumerate(items(get(spec, f"{base}.{group_key}")))
    ]
    return groups or [
        (f"{base}.instanceType", get(spec, f"{base}.instanceType"), get(spec, f"{base}.instanceCount"))
    ]


def _training_job_network_isolated(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    for prefix, spec in training_specs(args.resource_type, args.props):
        if not is_true(get(spec, "enableNetworkIsolation")):
            yield f"{prefix}enableNetworkIsolation is not true: set enable_network_isolation=True."
        if not is_true(get(spec, "enableInterContainerTrafficEncryption")):
            yield (
                f"{prefix}enableInterContainerTrafficEncryption is not true: set "
                "enable_inter_container_traffic_encryption=True."
            )
        for path in ("vpcConfig.subnets", "vpcConfig.securityGroupIds"):
            if not is_set(get(spec, path)):
                yield (
                    f"{prefix}{path} is empty: set vpc_config with the platform VPC's private subnets and "
                    "security group."
                )


def _training_job_kms_encrypted(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    for prefix, spec in training_specs(args.resource_type, args.props):
        if not is_set(get(spec, "outputDataConfig.kmsKeyId")):
            yield (
                f"{prefix}outputDataConfig.kmsKeyId is unset: set it to a customer-managed KMS key for "
                "model artifacts."
            )
        types = [instance_type for _, instance_type, _ in training_instances(spec)]
        for message in _volume_key(spec, f"{_resources_path(spec)}.volumeKmsKeyId", types):
            yield prefix + message


training_job_network_isolated = resource_rule(
    name="training-job-network-isolated",
    description=(
        "Training jobs, and every training job definition of a hyperparameter tuning job, must run "
        "network-isolated, in the VPC, with inter-container traffic encryption. Fix: set "
        "enableNetworkIsolation, enableInterContainerTrafficEncryption and vpcConfig (subnets, "
        "securityGroupIds)."
    ),
    resource_types=TRAINING_JOBS,
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
        "Training jobs and tuning jobs' training definitions must encrypt output and storage volumes "
        "with KMS. Fix: set outputDataConfig.kmsKeyId and resourceConfig.volumeKmsKeyId (tuning: or "
        "hyperParameterTuningResourceConfig.volumeKmsKeyId); leave the volume key unset on "
        "instance-store types such as ml.g5/ml.p4d, which SageMaker encrypts in hardware."
    ),
    resource_types=TRAINING_JOBS,
    check=_training_job_kms_encrypted,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(IAM_CONDITION_KEYS, "sagemaker:VolumeKmsKey", "sagemaker:OutputKmsKey"),
    tags=["sagemaker", "training", "encryption"],
)


# --- model-monitor jobs ----------------------------------------------------------------


def _monitoring_job(
    props: Any,
    base: str,
    output_config: str,
    resources: str,
    transit_when_distributed: bool = False,
    calls_the_model: bool = False,
) -> Check:
    """The four settings every monitoring job needs, under the given property names.

    ``transit_when_distributed``: inter-container encryption is demanded only with 2+ instances
    (a single instance has no inter-container traffic; Security Hub SageMaker.15 says so).
    ``calls_the_model``: an explainability job, which cannot run isolated (see CALLS_THE_MODEL), must
    instead run in a VPC.
    """
    cluster = f"{base}{resources}.clusterConfig"
    count = get(props, f"{cluster}.instanceCount")
    instances = number(count)
    # A count no number reads ("abc", "nan") may be any number of instances: not exempt as one would be.
    distributed = instances >= 2 if instances is not None else count is not None
    for flag in ("enableInterContainerTrafficEncryption", "enableNetworkIsolation"):
        path = f"{base}networkConfig.{flag}"
        if flag.startswith("enableInter") and transit_when_distributed and not distributed:
            continue
        if is_true(get(props, path)):
            continue
        if flag == "enableNetworkIsolation" and calls_the_model:
            vpc = f"{base}networkConfig.vpcConfig"
            if is_set(get(props, f"{vpc}.subnets")) and is_set(get(props, f"{vpc}.securityGroupIds")):
                continue
            yield (
                f"{path} is {shown(get(props, path))} and {vpc} has no subnets and security groups: an "
                "explainability job calls the model (Clarify's shadow endpoint), so it cannot be isolated; "
                "run it in the platform VPC's private subnets and security group."
            )
            continue
        yield f"{path} is {shown(get(props, path))}: set it to true."
    output_key = f"{base}{output_config}.kmsKeyId"
    if not is_set(get(props, output_key)):
        yield f"{output_key} is unset: set it to a customer-managed KMS key for monitoring reports."
    yield from _volume_key(props, f"{cluster}.volumeKmsKeyId", [get(props, f"{cluster}.instanceType")])


def _data_quality_job(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    yield from _monitoring_job(args.props, "", "dataQualityJobOutputConfig", "jobResources")


def _model_monitor_job(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    yield from _monitoring_job(
        args.props,
        "",
        NATIVE_MODEL_MONITOR_JOBS[args.resource_type],
        "jobResources",
        transit_when_distributed=args.resource_type in TRANSIT_WHEN_DISTRIBUTED,
        calls_the_model=args.resource_type in CALLS_THE_MODEL,
    )


def _processing_job(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    props = args.props
    for flag in ("enableNetworkIsolation", "enableInterContainerTrafficEncryption"):
        path = f"networkConfig.{flag}"
        if not is_true(get(props, path)):
            yield f"{path} is {shown(get(props, path))}: set it to true."
    for path in ("networkConfig.vpcConfig.subnets", "networkConfig.vpcConfig.securityGroupIds"):
        if not is_set(get(props, path)):
            yield f"{path} is empty: run the job in the platform VPC's private subnets and security group."
    if is_set(get(props, "processingOutputConfig")) and not is_set(
        get(props, "processingOutputConfig.kmsKeyId")
    ):
        yield "processingOutputConfig.kmsKeyId is unset: set it to a customer-managed KMS key for the outputs."
    cluster = "processingResources.clusterConfig"
    yield from _volume_key(props, f"{cluster}.volumeKmsKeyId", [get(props, f"{cluster}.instanceType")])


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
    framework=framework(
        FSBP,
        "SageMaker.9",
        "SageMaker.11; AWS Config sagemaker-data-quality-job-encrypt-in-transit, "
        "sagemaker-data-quality-job-isolation; Checkov CKV_AWS_367, CKV_AWS_368, CKV_AWS_369",
    ),
    tags=["sagemaker", "monitoring"],
)

model_monitor_job_encrypted_isolated = resource_rule(
    name="model-monitor-job-encrypted-isolated",
    description=(
        "Model-quality, bias and explainability job definitions (aws-native) must encrypt traffic, "
        "output and volumes and run isolated (bias and explainability jobs: inter-container encryption "
        "only with 2+ instances; explainability jobs, which call the model through Clarify's shadow "
        "endpoint, may instead run in a VPC). " + _MONITORING_FIX
    ),
    resource_types=list(NATIVE_MODEL_MONITOR_JOBS),
    check=_model_monitor_job,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(
        FSBP,
        "SageMaker.10",
        "SageMaker.12, SageMaker.13, SageMaker.15, SageMaker.20, SageMaker.25 (bias/quality/explainability "
        "jobs); AWS Config sagemaker-model-explainability-job-encrypt-in-transit, "
        "sagemaker-model-bias-job-isolation, sagemaker-model-quality-job-encrypt-in-transit, "
        "sagemaker-model-bias-job-encrypt-in-transit, sagemaker-model-explainability-job-network-isolation, "
        "sagemaker-model-quality-job-definition-isolation",
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
    framework=framework(
        FSBP,
        "SageMaker.14",
        "SageMaker.22; AWS Config sagemaker-monitoring-schedule-isolation, "
        "sagemaker-monitoring-schedule-traffic-encryption",
    ),
    tags=["sagemaker", "monitoring"],
)


processing_job_encrypted_isolated = resource_rule(
    name="processing-job-encrypted-isolated",
    description=(
        "SageMaker processing jobs (aws-native ProcessingJob) must run network-isolated in the VPC with "
        "inter-container encryption and KMS-encrypted outputs and volumes, like pipeline processing "
        "steps. Fix: set networkConfig.enableNetworkIsolation/enableInterContainerTrafficEncryption=true, "
        "networkConfig.vpcConfig, processingOutputConfig.kmsKeyId and "
        "processingResources.clusterConfig.volumeKmsKeyId (unset on instance-store types)."
    ),
    resource_types=[NATIVE_PROCESSING_JOB],
    check=_processing_job,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(
        IAM_CONDITION_KEYS,
        "sagemaker:NetworkIsolation",
        "sagemaker:InterContainerTrafficEncryption; sagemaker:VpcSubnets; sagemaker:VolumeKmsKey; "
        "sagemaker:OutputKmsKey",
    ),
    tags=["sagemaker", "processing"],
)


# --- pipeline steps --------------------------------------------------------------------


def _definition(args: ResourceValidationArgs) -> tuple[PipelineDefinition | None, str | None]:
    raw = definition_body(args.props)
    if raw is None:  # pipelineDefinitionS3Location: the body is not visible to the pack
        return None, None
    parsed = PipelineDefinition.parse(raw)
    if parsed is None:
        return (
            None,
            "pipelineDefinition is not a JSON object: pass the sagemaker SDK's Pipeline.definition().",
        )
    if not isinstance(parsed.document.get("Steps"), list):
        # Nothing to check is not compliance: a misspelt key or a truncated document hides every step.
        return (
            None,
            "pipelineDefinition has no Steps list, so none of its steps can be checked: pass the sagemaker "
            "SDK's Pipeline.definition() (aws-native: pipelineDefinitionBody or pipelineDefinitionS3Location).",
        )
    return parsed, None


def _enabled(value: Any) -> bool:
    """True (a ``Parameters.X`` reference is read as its default). Any other pipeline expression
    (a parameter without a default, ``Std:Join``, ``Std:JsonGet``, a step's property) is evaluated
    only when the pipeline runs, never by Pulumi: it could turn isolation or encryption off, so it
    does not count as on (as ``model-package-group-manual-approval`` reads the approval status)."""
    return is_true(value)


def _shown_setting(value: Any) -> str:
    if is_expression(value):
        return (
            f"the pipeline expression {shown(value)}, evaluated only when the pipeline runs (write true, or a "
            "Parameters reference whose default is true)"
        )
    return shown(value)


def _step_network(job: PipelineJob) -> Check:
    if job.kind not in NETWORKED_KINDS:
        return
    isolation = job.value("isolation") if job.has("isolation") else True
    if not _enabled(isolation):
        # The narrow exception (see _pipeline.network_exception_problems): a processing step in the
        # VPC, encrypted, given nothing but its script and running as its own role.
        problems = network_exception_problems(job)
        if problems:
            yield (
                f"{job.path('isolation')} is {_shown_setting(isolation)}: set it to true. A processing step may "
                "run without isolation only in the VPC, with inter-container encryption, no input but "
                f"its .py script and a role no other step uses; this one fails that: {'; '.join(problems)}."
            )
    if job.has("transit") and not _enabled(job.value("transit")):
        yield f"{job.path('transit')} is {_shown_setting(job.value('transit'))}: set it to true."
    vpc = job.value("vpc")
    if not (is_expression(vpc) or (is_set(get(vpc, "Subnets")) and is_set(get(vpc, "SecurityGroupIds")))):
        yield (
            f"{job.path('vpc')} lacks Subnets/SecurityGroupIds: pass the platform VPC's subnets and "
            "security group (network_config / subnets+security_group_ids in the sagemaker SDK)."
        )


def _aws_managed(job: PipelineJob, setting: str, value: Any) -> str:
    """A step's key naming an AWS managed key by its alias, which SageMaker takes as any alias: the
    customer-managed key the rule asks for is not there (see sagemaker-keys-customer-managed)."""
    return (
        f"{job.path(setting)} is {shown(value)}, an AWS managed key (its policy and rotation are AWS's): "
        f"set {setting}_key to a customer-managed KMS key."
    )


def _step_kms(job: PipelineJob) -> Check:
    output_key = job.value("output_kms")
    if is_set(job.value("output")) and not is_set(output_key):
        yield f"{job.path('output_kms')} is unset: set output_kms_key to a customer-managed KMS key."
    elif is_aws_managed_alias(output_key):
        yield _aws_managed(job, "output_kms", output_key)
    if not job.has("volume_kms"):  # a Model step: no volume of its own
        return
    types = [instance_type for _, instance_type, _ in job.instances()]
    local = sorted({str(t) for t in types if has_instance_store(t)})
    backed = sorted({str(t) for t in types if t is not None and not has_instance_store(t)})
    key = job.value("volume_kms")
    if local and backed:
        # One instance-store group must not exempt the EBS-backed ones, which need the key.
        yield (
            f"{job.path('volume_kms')}: the step mixes instance-store types ({', '.join(local)}) with "
            f"EBS-backed ones ({', '.join(backed)}) whose volumes need the key the former cannot take: "
            "use one kind."
        )
    elif local and is_set(key):
        yield (
            f"{job.path('volume_kms')} is set but the step uses instance-store types ({', '.join(local)}): "
            "remove volume_kms_key; SageMaker rejects it there."
        )
    elif not local and not is_set(key):
        yield f"{job.path('volume_kms')} is unset: set volume_kms_key to a customer-managed KMS key."
    elif not local and is_aws_managed_alias(key):
        yield _aws_managed(job, "volume_kms", key)


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
        "Training, tuning (every training job definition), AutoML and processing steps of SageMaker "
        "pipelines (pulumi-aws and aws-native) must run network-isolated, in the VPC, with "
        "inter-container encryption; so must the models that Model steps create (what a Transform "
        "step runs: EnableNetworkIsolation and VpcConfig of CreateModel). One exception, by structure not name: a processing step in the "
        "VPC (literal subnets and security groups) with inter-container encryption, no input but its "
        ".py script and a role no other job of the pipeline uses may run without isolation (it can "
        "reach a service such as an MLflow tracking server but is given no data and no data role). "
        "Fix: in the step's job set EnableNetworkIsolation, "
        "EnableInterContainerTrafficEncryption and VpcConfig (NetworkConfig for processing; "
        "AutoMLJobConfig.SecurityConfig for AutoML, which has no isolation setting). {'Get': "
        "'Parameters.X'} uses X's default; isolation and encryption must then read true (any other "
        "pipeline expression is evaluated only when the pipeline runs and fails), a VpcConfig "
        "expression counts as set."
    ),
    resource_types=PIPELINES,
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
        "Job steps of SageMaker pipelines must encrypt outputs and volumes with a customer-managed KMS "
        "key (not an AWS managed key named by its alias, alias/aws/...). Fix: set "
        "OutputDataConfig.KmsKeyId / ProcessingOutputConfig.KmsKeyId / TransformOutput.KmsKeyId and "
        "ResourceConfig.VolumeKmsKeyId (tuning: or HyperParameterTuningResourceConfig.VolumeKmsKeyId) / "
        "ProcessingResources.ClusterConfig.VolumeKmsKeyId / AutoMLJobConfig.SecurityConfig.VolumeKmsKeyId "
        "(unset on instance-store types)."
    ),
    resource_types=PIPELINES,
    check=_pipeline_kms,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(IAM_CONDITION_KEYS, "sagemaker:VolumeKmsKey", "sagemaker:OutputKmsKey"),
    tags=["sagemaker", "pipeline", "encryption"],
)

# --- managed spot training --------------------------------------------------------------


def _spot_problems(
    path: Callable[[str], str], spot: Any, checkpoint: Any, max_run: Any, max_wait: Any
) -> Check:
    if not is_true(spot):
        return
    if not (is_set(checkpoint) or is_expression(checkpoint)):
        yield (
            f"{path('checkpoint')} is unset: a managed spot job that is interrupted starts over. Set "
            "checkpoint_config (an S3 URI under the artifact bucket) and have the script resume from "
            "/opt/ml/checkpoints."
        )
    if max_wait is None:
        yield (
            f"{path('max_wait')} is unset: managed spot training needs a wait limit greater than "
            f"{path('max_run')}."
        )
        return
    # Unset, MaxRuntimeInSeconds is SageMaker's default (a day), not unbounded.
    wait = _seconds(max_wait)
    run = _seconds(max_run) if max_run is not None else DEFAULT_MAX_RUNTIME
    for setting, value, read in (("max_wait", max_wait, wait), ("max_run", max_run, run)):
        # An expression is chosen when the pipeline runs (a parameter without a default, a step's property).
        if read is None and not is_expression(value):
            yield (
                f"{path(setting)} is {shown(value)}: not a number of seconds (StoppingCondition takes an "
                "integer of at least 1), so the wait cannot be judged; set both as whole seconds."
            )
    if wait is not None and run is not None and wait <= run:
        limit = (
            shown(max_run) if max_run is not None else f"unset: SageMaker's default, {DEFAULT_MAX_RUNTIME}"
        )
        yield (
            f"{path('max_wait')} ({shown(max_wait)}) must be greater than {path('max_run')} "
            f"({limit}): the time for spot capacity is what it leaves."
        )


def _seconds(value: Any) -> int | None:
    """A StoppingCondition duration as SageMaker takes it: an integer of at least 1 (botocore's
    sagemaker model: ``MaxRuntimeInSeconds`` and ``MaxWaitTimeInSeconds`` are ``integer``, ``min`` 1),
    written as a number or as its text (pulumi-aws converts ``"3600"``); else None: unreadable text,
    NaN or an infinity (:func:`number`), a fraction, zero or less."""
    amount = number(value)
    if amount is None or not amount.is_integer() or amount < 1:
        return None
    return int(amount)


def _pipeline_spot(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    def check(job: PipelineJob) -> Check:
        if job.kind not in ("Training", "Tuning"):
            return
        yield from _spot_problems(
            job.path, job.value("spot"), job.value("checkpoint"), job.value("max_run"), job.value("max_wait")
        )

    yield from _pipeline_steps(args, check)


def _training_job_spot(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    paths = {
        "checkpoint": "checkpointConfig.s3Uri",
        "max_run": "stoppingCondition.maxRuntimeInSeconds",
        "max_wait": "stoppingCondition.maxWaitTimeInSeconds",
    }
    for prefix, spec in training_specs(args.resource_type, args.props):

        def path(setting: str, prefix: str = prefix) -> str:
            return f"{prefix}{paths[setting]}"

        yield from _spot_problems(
            path,
            get(spec, "enableManagedSpotTraining"),
            get(spec, paths["checkpoint"]),
            _provider_number(get(spec, paths["max_run"])),
            _provider_number(get(spec, paths["max_wait"])),
        )


def _provider_number(value: Any) -> Any:
    """A number input of pulumi-aws's training and tuning jobs (Plugin Framework resources) as the
    provider reads it: an empty string is no value (pulumi-terraform-bridge pkg/convert/number.go reads
    ``""`` as a null number, pulumi-terraform-bridge#2921), so an unset limit, not an unreadable one. A
    pipeline definition's JSON goes to SageMaker as written, where ``""`` is no integer: not read so."""
    return None if value == "" else value


def _spot_checkpointed(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Check:
    if args.resource_type in PIPELINES:
        yield from _pipeline_spot(args, config)
    else:
        yield from _training_job_spot(args, config)


pipeline_spot_training_checkpointed = resource_rule(
    name="pipeline-spot-training-checkpointed",
    description=(
        "Managed spot training (pipeline Training and Tuning steps, training and tuning jobs) must "
        "checkpoint to S3 and wait longer than it runs, or an interrupted job starts over and every "
        "tuned job pays for it again. Fix: set CheckpointConfig.S3Uri and "
        "StoppingCondition.MaxWaitTimeInSeconds > MaxRuntimeInSeconds (the sagemaker SDK's "
        "checkpoint_config and max_wait_time_in_seconds); or train on demand."
    ),
    resource_types=(*PIPELINES, *TRAINING_JOBS),
    check=_spot_checkpointed,
    enforcement_level=ADVISORY,
    severity=MEDIUM,
    framework=framework("AWS Well-Architected Machine Learning Lens", "MLCOST-18"),
    tags=["sagemaker", "training", "cost"],
)

POLICIES = [
    training_job_network_isolated,
    training_job_kms_encrypted,
    data_quality_job_encrypted_isolated,
    model_monitor_job_encrypted_isolated,
    monitoring_schedule_encrypted_isolated,
    processing_job_encrypted_isolated,
    pipeline_steps_network_isolated,
    pipeline_steps_kms_encrypted,
    pipeline_spot_training_checkpointed,
]
