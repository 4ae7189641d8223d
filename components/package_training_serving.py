"""The component package's training, serving and monitoring classes
(:mod:`components.component_package`): the training pipeline, the inference endpoint and the
data-quality monitoring, each taking its specs as the stack file's JSON.

No ``from __future__ import annotations`` here: the SDK's analyzer reads the annotations as types.
"""

from typing import Any, NotRequired, TypedDict

import pulumi
from pydantic import TypeAdapter

from . import observability, registry, serving, training
from .extras import require
from .package_boundary import _child, _from_json, _token, _wire

_MONITORING_SETTINGS = ("schedule", "instance_type", "volume_size_gb", "max_runtime_seconds")
"""The MonitoringSpec fields a data-quality monitor reads (the rest are the stack's concerns)."""


# -- training, serving, monitoring ---------------------------------------------------------------


class TrainingPipelineInputs(TypedDict):
    family: str
    """The model family's name (its model package group)."""
    pipeline_name: str
    """Name of the SageMaker pipeline (max 256 characters)."""
    training_json: str
    """The family's training as a stack file's ``models[].training`` (JSON). ``code`` must be an
    absolute path: the provider does not run in your program's folder. Compute keys left out take
    the documented defaults, not a stack's ``training``."""
    promotion_json: str
    """The family's ``models[].promotion``."""
    approval_status: str
    """``Approved`` or ``PendingManualApproval``: what new versions are registered with."""
    account_id: str
    """The 12-digit AWS account the resources live in."""
    region: str
    """The AWS region, e.g. ``eu-west-1``."""
    datasets_bucket_name: pulumi.Input[str]
    """Bucket the training data is read from."""
    artifact_bucket_name: pulumi.Input[str]
    """The artifact bucket (model artifacts, baselines, captured data)."""
    kms_key_arn: pulumi.Input[str]
    """The customer-managed KMS key that encrypts data at rest."""
    subnet_ids: pulumi.Input[list[str]]
    """Private subnets the jobs or endpoint run in."""
    security_group_ids: pulumi.Input[list[str]]
    """Security groups of the jobs or endpoint."""
    execution_role_arn: pulumi.Input[str]
    """Role the pipeline's jobs run as."""
    pipeline_role_arn: pulumi.Input[str]
    """Role SageMaker Pipelines assumes to run the pipeline."""
    model_package_group_name: pulumi.Input[str]
    """Model package group new versions are registered in."""
    tags: dict[str, str]
    """Tags of every resource; must include the platform's required tags (``owner``, ``cost-center``...)."""
    max_parallel_steps: NotRequired[int]
    """At most this many steps run at once, 1-50 (default 2)."""
    model_monitor_baselines: NotRequired[bool]
    """Compute Model Monitor baselines and register them as each version's DriftCheckBaselines
    (default true); false in an account Model Monitor is closed to (two processing jobs a run fewer)."""


class TrainingPipeline(pulumi.ComponentResource):
    """A family's SageMaker pipeline (preprocess, train, evaluate, register if the metric passes)."""

    pipeline_arn: pulumi.Output[str]
    """ARN of the SageMaker pipeline."""
    pipeline_name: pulumi.Output[str]
    """Name of the SageMaker pipeline."""

    def __init__(
        self, name: str, args: TrainingPipelineInputs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        spec = _from_json(TypeAdapter(training.FamilyTrainingSpec), args["training_json"], "training_json")
        promotion = _from_json(
            TypeAdapter(registry.PromotionCriterion), args["promotion_json"], "promotion_json"
        )
        # As the other components' wire values: checked by the args class, not by mypy.
        values: dict[str, Any] = {
            key: value
            for key, value in _wire(args, TrainingPipelineInputs).items()
            if key not in ("training_json", "promotion_json")
        }
        pipeline_args = training.TrainingPipelineArgs(spec=spec, promotion=promotion, **values)
        require("sagemaker", "TrainingPipeline (its pipeline definition)")
        super().__init__(_token("TrainingPipeline"), name, {}, opts)
        pipeline = training.TrainingPipeline(name, pipeline_args, _child(self))
        self.pipeline_arn, self.pipeline_name = pipeline.pipeline_arn, pipeline.pipeline_name
        self.register_outputs({"pipeline_arn": self.pipeline_arn, "pipeline_name": self.pipeline_name})


class InferenceEndpointInputs(TypedDict):
    spec_json: str
    """The endpoint as a stack file's ``endpoints[]`` entry (JSON)."""
    endpoint_name: str
    """Name of the SageMaker endpoint (max 63 characters)."""
    resolved_model_packages: NotRequired[dict[str, str]]
    """Variant → model package version ARN, for variants whose source is ``latest_approved_of``."""
    account_id: str
    """The 12-digit AWS account the resources live in."""
    region: str
    """The AWS region, e.g. ``eu-west-1``."""
    artifact_bucket_name: pulumi.Input[str]
    """The artifact bucket (model artifacts, baselines, captured data)."""
    artifact_bucket_arn: pulumi.Input[str]
    """ARN of the artifact bucket."""
    kms_key_arn: pulumi.Input[str]
    """The customer-managed KMS key that encrypts data at rest."""
    notification_key_arn: pulumi.Input[str]
    """KMS key of SNS topics (EventBridge and CloudWatch may use it)."""
    subnet_ids: pulumi.Input[list[str]]
    """Private subnets the jobs or endpoint run in."""
    security_group_ids: pulumi.Input[list[str]]
    """Security groups of the jobs or endpoint."""
    image_registry_accounts: list[str]
    """Accounts whose ECR repositories the endpoint may pull images from."""
    aws_images: NotRequired[list[str]]
    """ECR repositories (``<account>.dkr.ecr.<region>.amazonaws.com/<repository>``, no tag) of the
    SageMaker-provided images the models run from AWS's registry accounts: a version TrainingPipeline
    registered runs its framework's inference image (e.g. ``sagemaker-scikit-learn``), which the
    models' role pulls. Default: none."""
    alarm_topic_arn: pulumi.Input[str]
    """SNS topic that receives the endpoint's alarms."""
    role_path: str
    """IAM path of the roles created (e.g. ``/team-x/``); the KMS keys trust this path."""
    tags: dict[str, str]
    """Tags of every resource; must include the platform's required tags (``owner``, ``cost-center``...)."""


class InferenceEndpoint(pulumi.ComponentResource):
    """Models, configuration and endpoint: private, isolated, KMS, blue/green with rollback alarms."""

    endpoint_name: pulumi.Output[str]
    """Name of the SageMaker endpoint."""
    endpoint_arn: pulumi.Output[str]
    """ARN of the SageMaker endpoint."""
    role_arn: pulumi.Output[str]
    """ARN of the endpoint's execution role."""

    def __init__(
        self, name: str, args: InferenceEndpointInputs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        values: dict[str, Any] = {"resolved_model_packages": {}, **_wire(args, InferenceEndpointInputs)}
        spec = _from_json(TypeAdapter(serving.EndpointSpec), values.pop("spec_json"), "spec_json")
        endpoint_args = serving.InferenceEndpointArgs(spec=spec, **values)
        super().__init__(_token("InferenceEndpoint"), name, {}, opts)
        endpoint = serving.InferenceEndpoint(name, endpoint_args, _child(self))
        self.endpoint_name, self.endpoint_arn, self.role_arn = (
            endpoint.endpoint_name,
            endpoint.endpoint_arn,
            endpoint.role_arn,
        )
        self.register_outputs(
            {
                "endpoint_name": self.endpoint_name,
                "endpoint_arn": self.endpoint_arn,
                "role_arn": self.role_arn,
            }
        )


class ModelMonitoringInputs(TypedDict):
    endpoint_name: pulumi.Input[str]
    """Name of the SageMaker endpoint (max 63 characters)."""
    baselines_folder: str
    """Key prefix of the served version's baselines in the artifact bucket (``baselines/<group>/<run>/``)."""
    schedule: NotRequired[str]
    """When a monitoring job runs: ``cron(...)`` at most hourly (default daily, ``cron(0 0 ? * * *)``)."""
    instance_type: NotRequired[str]
    """Instance of the monitoring jobs (default ``ml.m5.xlarge``)."""
    volume_size_gb: NotRequired[int]
    """Processing volume of each job, 1-512 GB (default 20)."""
    max_runtime_seconds: NotRequired[int]
    """Limit of each job, from 60 seconds to the time between the schedule's two closest runs (86400
    daily, 3600 hourly; default 1800)."""
    account_id: str
    """The 12-digit AWS account the resources live in."""
    region: str
    """The AWS region, e.g. ``eu-west-1``."""
    artifact_bucket_name: pulumi.Input[str]
    """The artifact bucket (model artifacts, baselines, captured data)."""
    artifact_bucket_arn: pulumi.Input[str]
    """ARN of the artifact bucket."""
    kms_key_arn: pulumi.Input[str]
    """The customer-managed KMS key that encrypts data at rest."""
    subnet_ids: pulumi.Input[list[str]]
    """Private subnets the jobs or endpoint run in."""
    security_group_ids: pulumi.Input[list[str]]
    """Security groups of the jobs or endpoint."""
    role_path: str
    """IAM path of the roles created (e.g. ``/team-x/``); the KMS keys trust this path."""
    tags: dict[str, str]
    """Tags of every resource; must include the platform's required tags (``owner``, ``cost-center``...)."""


class ModelMonitoring(pulumi.ComponentResource):
    """A data-quality monitoring schedule comparing the endpoint's traffic with its baselines."""

    schedule_name: pulumi.Output[str]
    """Name of the monitoring schedule."""
    job_definition_name: pulumi.Output[str]
    """Name of the data-quality job definition."""

    def __init__(
        self, name: str, args: ModelMonitoringInputs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        values = _wire(args, ModelMonitoringInputs)
        settings = {key: values.pop(key) for key in _MONITORING_SETTINGS if key in values}
        spec = observability.MonitoringSpec(enabled=True, **settings)
        monitor_args = observability.ModelMonitoringArgs(
            spec=spec,
            endpoint_name=values.pop("endpoint_name"),
            baselines=observability.MonitoringBaselines.in_folder(values.pop("baselines_folder")),
            placement=observability.JobPlacement(**values),
        )
        super().__init__(_token("ModelMonitoring"), name, {}, opts)
        monitor = observability.ModelMonitoring(name, monitor_args, _child(self))
        self.schedule_name, self.job_definition_name = monitor.schedule_name, monitor.job_definition_name
        self.register_outputs(
            {"schedule_name": self.schedule_name, "job_definition_name": self.job_definition_name}
        )
