"""The components as a Pulumi component package, for programs in any Pulumi language.

``provider/`` hosts these classes with ``pulumi.provider.experimental.component_provider_host``;
a TypeScript, Go, C#, Java or YAML program adds them with ``pulumi package add <repo>/provider@<tag>``.
The schema is inferred from the type annotations below (no ``from __future__ import annotations``
here: the analyzer reads the annotations as types).

Each class is a thin boundary: its inputs are what the schema can express (strings, numbers,
booleans, lists and maps of them, ``pulumi.Input``), and it builds the Python component of the
same name as its only child. Where a component takes a typed spec (an endpoint, a feature group,
a model family's training), the input is that spec as JSON in the shape of the stack file's entry
(docs/configuration.md), validated by the same pydantic model, so a mistake is reported with the
same message a stack file would get.
"""

import argparse
import json
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any, NotRequired, TypedDict, TypeVar, get_args, get_origin

import pulumi
from pydantic import TypeAdapter, ValidationError

from . import data, foundation, observability, registry, serving, training
from .extras import require
from .whole_file import write_whole

PACKAGE = "mlops-platform"
"""The package name other languages import (``pulumi package add`` generates its SDK)."""


_T = TypeVar("_T")


def _token(component: str) -> str:
    return f"{PACKAGE}:index:{component}"


def _child(parent: pulumi.Resource) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(parent=parent)


_STATEMENTS: TypeAdapter[list[dict[str, Any]]] = TypeAdapter(list[dict[str, Any]])
_MONITORING_SETTINGS = ("schedule", "instance_type", "volume_size_gb", "max_runtime_seconds")
"""The MonitoringSpec fields a data-quality monitor reads (the rest are the stack's concerns)."""


def _wire(args: Any, inputs: type) -> dict[str, Any]:
    """The inputs as the component's args take them. Numbers cross the engine's wire as floats, so
    an integer input arrives as ``30.0``: a whole number is made an ``int`` again where the input is
    declared ``int`` (a fraction is left for the args' own check to reject)."""
    hints = inputs.__annotations__  # the objects themselves: this module defers no annotation
    values = dict(args)
    for key, value in values.items():
        declared = hints.get(key)
        if get_origin(declared) is NotRequired:
            declared = get_args(declared)[0]
        if declared is int and isinstance(value, float) and value.is_integer():
            values[key] = int(value)
    return values


def _from_json(adapter: TypeAdapter[_T], text: str, input_name: str) -> _T:
    """Parse and validate a JSON input; a mistake names the input as well as the field."""
    try:
        return adapter.validate_json(text)
    except ValidationError as error:
        raise ValueError(f"{input_name}: {error}") from None


# -- foundation ------------------------------------------------------------------------------------


class EncryptionKeyInputs(TypedDict):
    purpose: str
    """What the key protects, e.g. ``data``: its description and alias (``alias/<alias_prefix>-<purpose>``)."""
    account_id: str
    """The 12-digit account that owns the key."""
    user_role_path: str
    """IAM path (e.g. ``/team-x/``) whose roles may encrypt and decrypt with the key."""
    tags: dict[str, str]
    """Tags of the key and alias."""
    alias_prefix: NotRequired[str]
    """Starts the alias (default ``mlops-platform``)."""
    via_services: NotRequired[list[str]]
    """Services (``sagemaker``, ``s3``) through which the account's principals may use the key."""
    region: NotRequired[str]
    """Region of ``via_services`` and ``service_grants`` (required with them)."""
    service_grants: NotRequired[list[str]]
    """AWS services that may use the key for this account's resources: ``cloudwatch-alarms``
    (alarms notifying an SNS topic encrypted with it: the key of an endpoint's ``alarmTopicArn``),
    ``eventbridge`` (rules delivering to encrypted topics and queues), ``cloudwatch-logs``
    (encrypted log groups). Default: none."""
    deletion_window_days: NotRequired[int]
    """7-30 (default 30)."""
    rotation_period_days: NotRequired[int]
    """90-2560 (default 365); rotation is always on."""
    retain: NotRequired[bool]
    """Protect the key and keep it on delete (default true)."""


_SERVICE_GRANTS = ("cloudwatch-alarms", "cloudwatch-logs", "eventbridge")


def _service_grants(names: list[str], values: dict[str, Any]) -> list[Any]:
    """The key policy grants ``service_grants`` names, built as the platform's own keys' are."""
    from .foundation import encryption_key

    unknown = sorted(set(names) - set(_SERVICE_GRANTS))
    if unknown:
        raise ValueError(f"service_grants: {', '.join(unknown)}: use {', '.join(_SERVICE_GRANTS)}")
    if names and not values.get("region"):
        raise ValueError("service_grants: needs the key's region")
    region, account = values.get("region", ""), values.get("account_id", "")
    builders = {
        "cloudwatch-alarms": lambda: [encryption_key.cloudwatch_alarms_grant(region, account)],
        "cloudwatch-logs": lambda: [encryption_key.cloudwatch_logs_grant(region, account)],
        "eventbridge": lambda: encryption_key.eventbridge_grants(region, account),
    }
    return [grant for name in dict.fromkeys(names) for grant in builders[name]()]


class EncryptionKey(pulumi.ComponentResource):
    """A customer-managed KMS key with rotation, an alias and a least-privilege key policy."""

    key_arn: pulumi.Output[str]
    """ARN of the key."""
    key_id: pulumi.Output[str]
    """ID of the key."""
    alias_name: pulumi.Output[str]
    """The key's alias (``alias/...``)."""

    def __init__(
        self, name: str, args: EncryptionKeyInputs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        values = _wire(args, EncryptionKeyInputs)
        values["service_grants"] = _service_grants(values.pop("service_grants", []), values)
        key_args = foundation.EncryptionKeyArgs(**values)
        super().__init__(_token("EncryptionKey"), name, {}, opts)
        key = foundation.EncryptionKey(name, key_args, _child(self))
        self.key_arn, self.key_id, self.alias_name = key.key_arn, key.key_id, key.alias_name
        self.register_outputs({"key_arn": self.key_arn, "key_id": self.key_id, "alias_name": self.alias_name})


class AccessLogBucketInputs(TypedDict):
    account_id: str
    """The account whose S3 log delivery may write."""
    tags: dict[str, str]
    """Tags of every resource; must include the platform's required tags (``owner``, ``cost-center``...)."""
    retention_days: NotRequired[int]
    """Days access logs are kept (default 365)."""
    retain: NotRequired[bool]
    """Protect the resources and keep them on delete (default true)."""


class AccessLogBucket(pulumi.ComponentResource):
    """The S3 server-access-log bucket: private, TLS-only, SSE-S3 (log delivery needs it)."""

    bucket_name: pulumi.Output[str]
    """Name of the bucket."""
    bucket_arn: pulumi.Output[str]
    """ARN of the bucket."""

    def __init__(
        self, name: str, args: AccessLogBucketInputs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        bucket_args = foundation.AccessLogBucketArgs(**_wire(args, AccessLogBucketInputs))
        super().__init__(_token("AccessLogBucket"), name, {}, opts)
        bucket = foundation.AccessLogBucket(name, bucket_args, _child(self))
        self.bucket_name, self.bucket_arn = bucket.bucket_name, bucket.bucket_arn
        self.register_outputs({"bucket_name": self.bucket_name, "bucket_arn": self.bucket_arn})


class SecureBucketInputs(TypedDict):
    purpose: str
    """What the bucket holds (``datasets``, ``artifacts``)."""
    kms_key_arn: pulumi.Input[str]
    """The customer-managed key every object is encrypted with."""
    access_log_bucket: pulumi.Input[str]
    """Name of the bucket that receives this bucket's access logs."""
    tags: dict[str, str]
    """Tags of every resource; must include the platform's required tags (``owner``, ``cost-center``...)."""
    noncurrent_version_expiration_days: NotRequired[int]
    """Days a replaced object version is kept (default 90)."""
    retain: NotRequired[bool]
    """Protect the resources and keep them on delete (default true)."""
    reader_accounts: NotRequired[list[str]]
    """Other accounts that may read objects under ``reader_prefixes``."""
    reader_prefixes: NotRequired[list[str]]
    """Key prefixes ``reader_accounts`` may read (required with them)."""


class SecureBucket(pulumi.ComponentResource):
    """A versioned SSE-KMS bucket: public access blocked, TLS 1.2 only, access logged."""

    bucket_name: pulumi.Output[str]
    """Name of the bucket."""
    bucket_arn: pulumi.Output[str]
    """ARN of the bucket."""

    def __init__(
        self, name: str, args: SecureBucketInputs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        bucket_args = foundation.SecureBucketArgs(**_wire(args, SecureBucketInputs))
        super().__init__(_token("SecureBucket"), name, {}, opts)
        bucket = foundation.SecureBucket(name, bucket_args, _child(self))
        self.bucket_name, self.bucket_arn = bucket.bucket_name, bucket.bucket_arn
        self.register_outputs({"bucket_name": self.bucket_name, "bucket_arn": self.bucket_arn})


class ExecutionRoleInputs(TypedDict):
    description: str
    """What the role is for (its IAM description)."""
    trusted_service: str
    """Service principal that assumes the role, e.g. ``sagemaker.amazonaws.com``."""
    account_id: str
    """The 12-digit AWS account the resources live in."""
    path: str
    """IAM path the KMS keys trust (e.g. ``/team-x/``)."""
    statements_json: pulumi.Input[str]
    """The role's only permissions: a JSON list of IAM policy statements (may be built from other
    resources' outputs)."""
    tags: dict[str, str]
    """Tags of every resource; must include the platform's required tags (``owner``, ``cost-center``...)."""


class ExecutionRole(pulumi.ComponentResource):
    """A service role trusted by one service for this account, with exactly the statements given."""

    role_arn: pulumi.Output[str]
    """ARN of the role."""
    role_name: pulumi.Output[str]
    """Name of the role."""

    def __init__(
        self, name: str, args: ExecutionRoleInputs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        values = _wire(args, ExecutionRoleInputs)
        statements_json = values.pop("statements_json")
        statements = (
            statements_json.apply(lambda text: _from_json(_STATEMENTS, text, "statements_json"))
            if isinstance(statements_json, pulumi.Output)
            else _from_json(_STATEMENTS, statements_json, "statements_json")
        )
        role_args = foundation.ExecutionRoleArgs(statements=statements, **values)
        super().__init__(_token("ExecutionRole"), name, {}, opts)
        role = foundation.ExecutionRole(name, role_args, _child(self))
        self.role_arn, self.role_name = role.role_arn, role.role_name
        self.register_outputs({"role_arn": self.role_arn, "role_name": self.role_name})


class PrivateNetworkInputs(TypedDict):
    region: str
    """The AWS region, e.g. ``eu-west-1``."""
    account_id: str
    """The 12-digit AWS account the resources live in."""
    cidr: str
    """The VPC's IPv4 CIDR (private, /16 to /22)."""
    availability_zones: list[str]
    """One private subnet per zone."""
    interface_endpoint_services: list[str]
    """Short names (``sagemaker.api``, ``sts``...) of the interface endpoints."""
    flow_log_kms_key_arn: pulumi.Input[str]
    """KMS key of the flow-log group."""
    flow_log_group_name: str
    """CloudWatch log group of the VPC flow logs."""
    flow_log_retention_days: int
    """Days flow logs are kept (a CloudWatch retention value)."""
    role_path: str
    """IAM path of the roles created (e.g. ``/team-x/``); the KMS keys trust this path."""
    tags: dict[str, str]
    """Tags of every resource; must include the platform's required tags (``owner``, ``cost-center``...)."""


class PrivateNetwork(pulumi.ComponentResource):
    """A VPC with private subnets only, interface and S3 endpoints, flow logs, HTTPS-only groups."""

    vpc_id: pulumi.Output[str]
    """ID of the VPC."""
    private_subnet_ids: pulumi.Output[list[str]]
    """The private subnets, one per availability zone."""
    workload_security_group_id: pulumi.Output[str]
    """Security group for SageMaker jobs, models and endpoints (egress: HTTPS to the interface and S3
    endpoints, and traffic within the group)."""

    def __init__(
        self, name: str, args: PrivateNetworkInputs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        values = _wire(args, PrivateNetworkInputs)
        vpc = foundation.NewVpc(
            cidr=values["cidr"],
            availability_zones=values["availability_zones"],
            flow_log_retention_days=values["flow_log_retention_days"],
            flow_log_kms_key_arn=values["flow_log_kms_key_arn"],
            flow_log_group_name=values["flow_log_group_name"],
        )
        network_args = foundation.PrivateNetworkArgs(
            region=values["region"],
            account_id=values["account_id"],
            vpc=vpc,
            interface_endpoint_services=values["interface_endpoint_services"],
            role_path=values["role_path"],
            tags=values["tags"],
        )
        super().__init__(_token("PrivateNetwork"), name, {}, opts)
        network = foundation.PrivateNetwork(name, network_args, _child(self))
        self.vpc_id = network.vpc_id
        self.private_subnet_ids = pulumi.Output.all(*network.private_subnet_ids)
        self.workload_security_group_id = network.workload_security_group_id
        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "private_subnet_ids": self.private_subnet_ids,
                "workload_security_group_id": self.workload_security_group_id,
            }
        )


# -- data and registry -------------------------------------------------------------------------


class FeatureStoreInputs(TypedDict):
    groups_json: str
    """A JSON list of feature groups, each as a stack file's ``feature_groups[]`` entry."""
    account_id: str
    """The 12-digit AWS account the resources live in."""
    region: str
    """The AWS region, e.g. ``eu-west-1``."""
    data_bucket_name: pulumi.Input[str]
    """Bucket of the offline store."""
    data_bucket_arn: pulumi.Input[str]
    """ARN of the offline store's bucket."""
    kms_key_arn: pulumi.Input[str]
    """The customer-managed KMS key that encrypts data at rest."""
    role_path: str
    """IAM path of the roles created (e.g. ``/team-x/``); the KMS keys trust this path."""
    tags: dict[str, str]
    """Tags of every resource; must include the platform's required tags (``owner``, ``cost-center``...)."""
    retain: NotRequired[bool]
    """Protect the resources and keep them on delete (default true)."""
    name_prefix: NotRequired[str]
    """Starts each feature group's name (``<prefix>-<name>``)."""


class FeatureStore(pulumi.ComponentResource):
    """SageMaker feature groups: KMS-encrypted online and offline stores, one scoped role each."""

    feature_group_names: pulumi.Output[list[str]]
    """Feature group names, in input order."""
    feature_group_arns: pulumi.Output[list[str]]
    """Feature group ARNs, in input order."""

    def __init__(
        self, name: str, args: FeatureStoreInputs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        values = _wire(args, FeatureStoreInputs)
        groups = _from_json(
            TypeAdapter(list[data.FeatureGroupSpec]), values.pop("groups_json"), "groups_json"
        )
        store_args = data.FeatureStoreArgs(groups=groups, **values)
        super().__init__(_token("FeatureStore"), name, {}, opts)
        store = data.FeatureStore(name, store_args, _child(self))
        self.feature_group_names, self.feature_group_arns = (
            store.feature_group_names,
            store.feature_group_arns,
        )
        self.register_outputs(
            {"feature_group_names": self.feature_group_names, "feature_group_arns": self.feature_group_arns}
        )


class ModelRegistryInputs(TypedDict):
    families_json: str
    """A JSON list of model families, each as a stack file's ``models[]`` entry (without ``training``)."""
    approval_mode: str
    """``auto`` (versions that pass evaluation are Approved) or ``manual``."""
    account_id: str
    """The 12-digit AWS account the resources live in."""
    region: str
    """The AWS region, e.g. ``eu-west-1``."""
    notification_key_arn: pulumi.Input[str]
    """KMS key of SNS topics (EventBridge and CloudWatch may use it)."""
    tags: dict[str, str]
    """Tags of every resource; must include the platform's required tags (``owner``, ``cost-center``...)."""
    retain: NotRequired[bool]
    """Protect the resources and keep them on delete (default true)."""
    name_prefix: NotRequired[str]
    """Starts every physical name (``<prefix>-<name>``)."""


class ModelRegistry(pulumi.ComponentResource):
    """Model package groups, cross-account read for consumer accounts, approval events to SNS."""

    model_package_group_names: pulumi.Output[list[str]]
    """Model package group names, in input order."""
    model_package_group_arns: pulumi.Output[list[str]]
    """Model package group ARNs, in input order."""
    approval_topic_arn: pulumi.Output[str]
    """SNS topic that receives model package approval-state changes."""

    def __init__(
        self, name: str, args: ModelRegistryInputs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        values = _wire(args, ModelRegistryInputs)
        families = _from_json(
            TypeAdapter(list[registry.ModelFamilySpec]), values.pop("families_json"), "families_json"
        )
        registry_args = registry.ModelRegistryArgs(families=families, **values)
        super().__init__(_token("ModelRegistry"), name, {}, opts)
        groups = registry.ModelRegistry(name, registry_args, _child(self))
        self.model_package_group_names = groups.model_package_group_names
        self.model_package_group_arns = groups.model_package_group_arns
        self.approval_topic_arn = groups.approval_topic_arn
        self.register_outputs(
            {
                "model_package_group_names": self.model_package_group_names,
                "model_package_group_arns": self.model_package_group_arns,
                "approval_topic_arn": self.approval_topic_arn,
            }
        )


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


COMPONENTS: list[type[pulumi.ComponentResource]] = [
    EncryptionKey,
    AccessLogBucket,
    SecureBucket,
    ExecutionRole,
    PrivateNetwork,
    FeatureStore,
    ModelRegistry,
    TrainingPipeline,
    InferenceEndpoint,
    ModelMonitoring,
]
"""What the component package exposes."""


def schema(version: str) -> dict[str, Any]:
    """The package schema ``component_provider_host`` serves, inferred by the SDK's own analyzer."""
    from pulumi.provider.experimental.analyzer import Analyzer
    from pulumi.provider.experimental.schema import generate_schema

    result = Analyzer(PACKAGE).analyze(COMPONENTS)
    dependencies = sorted(result["dependencies"], key=lambda d: f"{d.name}{d.version}")
    return generate_schema(
        PACKAGE,
        version,
        None,
        result["component_definitions"],
        result["type_definitions"],
        dependencies,
    ).to_json()


def _version(root: Path) -> str:
    """The installed distribution's version, or the checkout's ``pyproject.toml`` (where the
    repository runs in place and nothing is installed)."""
    try:
        return metadata.version("mlops-platform")
    except metadata.PackageNotFoundError:
        return tomllib.loads((root / "pyproject.toml").read_text())["project"]["version"]


def _main(argv: list[str] | None = None) -> int:
    root = Path(__file__).resolve().parents[1]
    parser = argparse.ArgumentParser(
        prog="python -m components.component_package",
        description="Print the component package schema, or (in a checkout) write provider/schema.json.",
    )
    parser.add_argument("--write", action="store_true", help="write provider/schema.json")
    arguments = parser.parse_args(argv)
    text = json.dumps(schema(_version(root)), indent=2, sort_keys=True) + "\n"
    if not arguments.write:
        print(text, end="")
        return 0
    if not (root / "provider").is_dir():
        parser.error("--write needs a checkout of the repository (its provider/ folder)")
    write_whole(root / "provider" / "schema.json", text)  # never a half-written schema
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
