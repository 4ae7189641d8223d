"""InferenceEndpoint: a SageMaker real-time, async or serverless endpoint with safe rollout and autoscaling."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypedDict

import pulumi
import pulumi_aws.cloudwatch as cloudwatch
import pulumi_aws.sagemaker as sagemaker
import pulumi_aws.sns as sns

from ..foundation.execution_role import ExecutionRole, ExecutionRoleArgs
from ..instance_types import has_instance_store
from ..limits import (
    account_id_problem,
    account_ids_problem,
    instance_problem,
    region_problem,
    satisfies,
    service_role_path_problem,
    tags_problem,
)
from ..naming import child_name
from ..output_text import concat
from ..policy_documents import (
    SharedObjects,
    ecr_pull,
    ecr_pull_images,
    kms_use,
    model_artifacts_read,
    s3_read,
    s3_read_write,
    sagemaker_logs_and_metrics,
    shared_s3_read,
    vpc_network_interfaces,
)
from .data_capture import DATA_CAPTURE_PREFIX, data_capture_config
from .endpoint_autoscaling import scale_variant
from .inference_endpoint_spec import (
    EndpointSpec,
    VariantSpec,
    resolved_packages_problem,
    sagemaker_name_problem,
)
from .rollback_alarms import rollback_alarms
from .triton import DEFAULT_MODEL_ENV, TRITON_IMAGE, triton_image_uri

MODEL_PREFIX = "models/"
ASYNC_PREFIX = "async-inference/"
_TRAFFIC_ROUTING = {"all_at_once": "ALL_AT_ONCE", "canary": "CANARY", "linear": "LINEAR"}


@dataclass(frozen=True)
class InferenceEndpointArgs:
    spec: EndpointSpec
    """The validated endpoint: its variants, async inference, data capture and rollout plan."""
    endpoint_name: str
    """The SageMaker endpoint's name, what clients invoke (account-wide: the stack's prefix keeps it
    apart); it also starts the names of the endpoint's alarms. ``spec.name`` names its S3 prefixes."""
    resolved_model_packages: Mapping[str, str]
    """Variant name → model package version ARN (``…:model-package/<group>/<n>``), for variants whose
    source is ``latest_approved_of``."""
    account_id: str
    """The 12-digit AWS account the endpoint lives in (scopes the models' role's permissions)."""
    region: str
    """The endpoint's AWS region (scopes the models' role's permissions, ECR pulls included)."""
    artifact_bucket_name: pulumi.Input[str]
    """The stack's artifact bucket: captured data goes to ``data-capture/<spec.name>/``, async
    results and failures to ``async-inference/<spec.name>/``."""
    artifact_bucket_arn: pulumi.Input[str]
    """ARN of the same bucket: the models' role reads ``models/`` and writes the endpoint's
    data-capture prefix (where it captures) and, for an async endpoint, its async-inference prefix
    (it also reads each ``model_data_url`` the spec names, wherever it is)."""
    kms_key_arn: pulumi.Input[str]
    """Key that encrypts captured data, async results and the storage volumes (serverless
    configurations too; no volume key when any variant uses local NVMe storage); the role may use it."""
    notification_key_arn: pulumi.Input[str]
    """Key of the async success and error SNS topics (created when
    ``spec.async_inference.notifications``); the role may use it only then."""
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Private subnets the models run in (serverless variants run outside the VPC)."""
    security_group_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Security groups of the models' network interfaces in ``subnet_ids``."""
    image_registry_accounts: Sequence[str]
    """Accounts whose ECR repositories in ``region`` the models' role may pull images from (the
    stack's own and trusted ones)."""
    alarm_topic_arn: pulumi.Input[str]
    """SNS topic the rollback alarms (5xx errors, p99 latency) notify on ALARM and on OK."""
    role_path: str
    """IAM path of the models' execution role, e.g. ``/mlops-platform/dev/``."""
    tags: Mapping[str, str]
    """Tags on the taggable resources the endpoint creates (its models also get ``mlops:endpoint``)."""
    shared_model_objects: Sequence[SharedObjects] = ()
    """Model artifacts of versions from other accounts' registries (cross-account promotion): the
    models' role may read them and decrypt them through S3."""

    aws_images: Sequence[str] = ()
    """ECR repositories of the SageMaker-provided images the models run from AWS's registry accounts
    (the served families' framework inference images, ``<account>.dkr.ecr.<region>...``): SageMaker
    pulls them with the models' role, which may pull exactly these besides ``image_registry_accounts``."""

    def __post_init__(self) -> None:
        satisfies(self, "spec", lambda value: instance_problem(value, EndpointSpec))
        satisfies(self, "account_id", account_id_problem)
        satisfies(self, "image_registry_accounts", account_ids_problem)
        satisfies(self, "region", region_problem)
        satisfies(self, "role_path", service_role_path_problem)
        satisfies(self, "tags", lambda tags: tags_problem(tags, own=1))
        satisfies(self, "endpoint_name", lambda name: sagemaker_name_problem(name, "endpoint name"))
        satisfies(self, "resolved_model_packages", resolved_packages_problem)
        missing = [
            variant.name
            for variant in [*self.spec.variants, *self.spec.shadow_variants]
            if variant.model.latest_approved_of and variant.name not in self.resolved_model_packages
        ]
        if missing:
            raise ValueError(
                f"InferenceEndpointArgs.resolved_model_packages: lacks the package of variant(s) "
                f"{', '.join(missing)} (their model is latest_approved_of a family: resolve its latest "
                "Approved version and pass its ARN under the variant's name)"
            )


class InferenceEndpoint(pulumi.ComponentResource):
    """Models, an endpoint configuration and an endpoint, with its own least-privilege role.

    Security posture: models run in the private subnets with network isolation (serverless
    variants excepted: AWS supports neither there); storage, data capture and async results are
    KMS-encrypted. Every update is blue/green, rolled back automatically when the endpoint's 5xx or
    p99-latency alarms (or any extra alarm named in the spec) fire.
    """

    endpoint_name: pulumi.Output[str]
    """Name of the endpoint (clients invoke it by name)."""
    endpoint_arn: pulumi.Output[str]
    """ARN of the endpoint."""
    rollback_alarm_names: pulumi.Output[list[str]]
    """Alarms that roll a deployment back; monitoring reuses them instead of duplicating them."""
    role_arn: pulumi.Output[str]
    """Execution role of the endpoint's models."""
    model_names: dict[str, pulumi.Output[str]]
    """Variant name → name of the SageMaker model it serves (production and shadow variants)."""

    def __init__(
        self, name: str, args: InferenceEndpointArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:serving:InferenceEndpoint", name, None, opts)
        self._name, self._args = name, args
        spec = args.spec
        child = pulumi.ResourceOptions(parent=self)

        topics = self._async_topics() if spec.async_inference and spec.async_inference.notifications else {}
        role = self._role(list(topics.values()))
        models = {
            variant.name: self._model(variant, role.role_arn)
            for variant in [*spec.variants, *spec.shadow_variants]
        }
        config = sagemaker.EndpointConfiguration(
            child_name(f"{name}-config", "aws:sagemaker/endpointConfiguration:EndpointConfiguration"),
            production_variants=[self._variant(v, models[v.name]) for v in spec.variants],
            # A shadow test deploys its shadow variant itself, for the test's window only.
            shadow_production_variants=None
            if spec.shadow_test is not None
            else [self._shadow_variant(v, models[v.name]) for v in spec.shadow_variants] or None,
            kms_key_arn=None if self._storage_key_unsupported() else args.kms_key_arn,
            data_capture_config=self._data_capture(),
            async_inference_config=self._async_config(topics),
            tags=dict(args.tags),
            # Auto-named: a changed configuration is replaced (created first), and the endpoint
            # moves to it through the blue/green deployment below.
            opts=child,
        )
        alarms = [alarm for variant in spec.variants for alarm in self._rollback_alarms(variant)]
        rollback_alarm_names = [alarm.name for alarm in alarms] + list(spec.deployment.extra_rollback_alarms)
        endpoint = sagemaker.Endpoint(
            f"{name}-endpoint",
            name=args.endpoint_name,
            endpoint_config_name=config.name,
            deployment_config=self._deployment(rollback_alarm_names),
            tags=dict(args.tags),
            opts=child,
        )
        for variant in spec.variants:
            if variant.scaling is not None:
                scale_variant(
                    f"{name}-{variant.name}",
                    endpoint_name=endpoint.name,
                    variant=variant,
                    asynchronous=spec.async_inference is not None,
                    tags=args.tags,
                    parent=self,
                )

        self.endpoint_name = endpoint.name
        self.endpoint_arn = endpoint.arn
        self.rollback_alarm_names = pulumi.Output.all(*rollback_alarm_names)
        self.role_arn = role.role_arn
        self.model_names = {variant: model.name for variant, model in models.items()}
        self.register_outputs(
            {
                "endpoint_name": self.endpoint_name,
                "endpoint_arn": self.endpoint_arn,
                "rollback_alarm_names": self.rollback_alarm_names,
                "role_arn": self.role_arn,
                "model_names": self.model_names,
            }
        )

    # -- identity and models -----------------------------------------------------------------
    def _role(self, topic_arns: list[pulumi.Output[str]]) -> ExecutionRole:
        args, spec = self._args, self._args.spec
        # Least privilege: the capture prefix only where the endpoint captures (SageMaker writes
        # to DataCaptureConfig.DestinationS3Uri as this role), the async results prefix only for
        # an async endpoint, and the notifications key (the alert, approval and async topics'
        # and the queues') only for one that publishes to its own topics.
        written = [f"{DATA_CAPTURE_PREFIX}{spec.name}/"] if spec.data_capture.enabled else []
        if spec.async_inference is not None:
            written.append(f"{ASYNC_PREFIX}{spec.name}/")
        statements = [
            *s3_read(args.artifact_bucket_arn, [MODEL_PREFIX]),
            *(s3_read_write(args.artifact_bucket_arn, written) if written else []),
            *kms_use([args.kms_key_arn, *([args.notification_key_arn] if topic_arns else [])]),
            *vpc_network_interfaces(args.region, args.account_id, args.subnet_ids, args.security_group_ids),
            *sagemaker_logs_and_metrics(args.region, args.account_id),
            *ecr_pull(args.region, args.image_registry_accounts),
            *ecr_pull_images(args.aws_images),
            *self._triton_pull(),
            *model_artifacts_read(
                args.account_id,
                (
                    source.triton.model_data_url if source.triton else source.model_data_url
                    for source in (variant.model for variant in [*spec.variants, *spec.shadow_variants])
                ),
            ),
            *(
                statement
                for shared in args.shared_model_objects
                for statement in shared_s3_read(args.region, shared.owner_account, shared.object_arns)
            ),
        ]
        if topic_arns:
            statements.append({"Effect": "Allow", "Action": "sns:Publish", "Resource": topic_arns})
        return ExecutionRole(
            f"{self._name}-models",
            ExecutionRoleArgs(
                description=f"Serves the models of SageMaker endpoint {args.endpoint_name}",
                trusted_service="sagemaker.amazonaws.com",
                account_id=args.account_id,
                path=args.role_path,
                statements=statements,
                tags=args.tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _triton_images(self) -> dict[str, str]:
        """Variant name → its SageMaker Triton image, for the variants serving a Triton repository."""
        spec, region = self._args.spec, self._args.region
        return {
            variant.name: triton_image_uri(variant.model.triton.version, region, variant.instance_type or "")
            for variant in [*spec.variants, *spec.shadow_variants]
            if variant.model.triton is not None
        }

    def _triton_pull(self) -> list[dict[str, object]]:
        """Pulling SageMaker's Triton image: that one repository of the registry account the SDK names."""
        registries = sorted({image.split(".", 1)[0] for image in self._triton_images().values()})
        if not registries:
            return []
        return [
            {
                "Effect": "Allow",
                "Action": [
                    "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:BatchCheckLayerAvailability",
                ],
                "Resource": [
                    f"arn:aws:ecr:{self._args.region}:{account}:repository/{TRITON_IMAGE}"
                    for account in registries
                ],
            }
        ]

    def _model(self, variant: VariantSpec, role_arn: pulumi.Input[str]) -> sagemaker.Model:
        args = self._args
        source = variant.model
        if source.triton is not None:
            container = sagemaker.ModelPrimaryContainerArgs(
                image=self._triton_images()[variant.name],
                model_data_url=source.triton.model_data_url,
                environment={**variant.environment, DEFAULT_MODEL_ENV: source.triton.default_model_name},
                image_config=sagemaker.ModelPrimaryContainerImageConfigArgs(
                    repository_access_mode="Platform"
                ),
            )
        elif source.latest_approved_of:
            if variant.name not in args.resolved_model_packages:
                raise ValueError(
                    f"InferenceEndpoint {self._name}: variant {variant.name} needs the resolved package of "
                    f"{source.latest_approved_of} in resolved_model_packages"
                )
            container = sagemaker.ModelPrimaryContainerArgs(
                model_package_name=args.resolved_model_packages[variant.name],
                environment=variant.environment or None,
            )
        elif source.model_package_arn:
            container = sagemaker.ModelPrimaryContainerArgs(
                model_package_name=source.model_package_arn, environment=variant.environment or None
            )
        else:
            container = sagemaker.ModelPrimaryContainerArgs(
                image=source.image,
                model_data_url=source.model_data_url,
                environment=variant.environment or None,
                image_config=sagemaker.ModelPrimaryContainerImageConfigArgs(
                    repository_access_mode="Platform"
                ),
            )
        # Serverless inference supports neither a VPC nor network isolation (AWS limitation).
        private = variant.serverless is None
        return sagemaker.Model(
            child_name(f"{self._name}-{variant.name}-model", "aws:sagemaker/model:Model"),
            execution_role_arn=role_arn,
            primary_container=container,
            enable_network_isolation=private,
            vpc_config=(
                sagemaker.ModelVpcConfigArgs(
                    subnets=args.subnet_ids, security_group_ids=args.security_group_ids
                )
                if private
                else None
            ),
            tags={**args.tags, "mlops:endpoint": args.spec.name},
            opts=pulumi.ResourceOptions(parent=self),
        )

    # -- endpoint configuration --------------------------------------------------------------
    def _variant(
        self, variant: VariantSpec, model: sagemaker.Model
    ) -> sagemaker.EndpointConfigurationProductionVariantArgs:
        serverless = variant.serverless
        return sagemaker.EndpointConfigurationProductionVariantArgs(
            **_variant_settings(variant, model),
            serverless_config=(
                sagemaker.EndpointConfigurationProductionVariantServerlessConfigArgs(
                    memory_size_in_mb=serverless.memory_mb,
                    max_concurrency=serverless.max_concurrency,
                    provisioned_concurrency=serverless.provisioned_concurrency,
                )
                if serverless
                else None
            ),
        )

    def _shadow_variant(
        self, variant: VariantSpec, model: sagemaker.Model
    ) -> sagemaker.EndpointConfigurationShadowProductionVariantArgs:
        """A shadow variant: the same settings as :meth:`_variant`, in the shadow list's own types."""
        serverless = variant.serverless
        return sagemaker.EndpointConfigurationShadowProductionVariantArgs(
            **_variant_settings(variant, model),
            serverless_config=(
                sagemaker.EndpointConfigurationShadowProductionVariantServerlessConfigArgs(
                    memory_size_in_mb=serverless.memory_mb,
                    max_concurrency=serverless.max_concurrency,
                    provisioned_concurrency=serverless.provisioned_concurrency,
                )
                if serverless
                else None
            ),
        )

    def _storage_key_unsupported(self) -> bool:
        """No storage KMS key when a variant runs on local-NVMe (instance store) types: the key would
        not encrypt that storage, and SageMaker's API reference said the call fails with one.

        Serverless variants take the key: ``KmsKeyId`` is optional on a serverless endpoint
        configuration (the CreateEndpointConfig reference restricts it only for local storage), and
        the policy pack's ``endpoint-config-kms-encrypted`` demands it there as on instances.
        """
        variants = [*self._args.spec.variants, *self._args.spec.shadow_variants]
        return any(
            v.serverless is None and has_instance_store(v.instance_type or "ml.m5.large") for v in variants
        )

    def _data_capture(self) -> sagemaker.EndpointConfigurationDataCaptureConfigArgs | None:
        args = self._args
        return data_capture_config(
            args.spec.data_capture, args.spec.name, args.artifact_bucket_name, args.kms_key_arn
        )

    def _async_topics(self) -> dict[str, pulumi.Output[str]]:
        args = self._args
        return {
            outcome: sns.Topic(
                child_name(f"{self._name}-async-{outcome}", "aws:sns/topic:Topic"),
                display_name=f"{args.spec.name} async inference {outcome}",
                kms_master_key_id=args.notification_key_arn,
                tags=dict(args.tags),
                opts=pulumi.ResourceOptions(parent=self),
            ).arn
            for outcome in ("success", "error")
        }

    def _async_config(
        self, topics: Mapping[str, pulumi.Output[str]]
    ) -> sagemaker.EndpointConfigurationAsyncInferenceConfigArgs | None:
        args, spec = self._args, self._args.spec
        if spec.async_inference is None:
            return None
        prefix = concat("s3://", args.artifact_bucket_name, f"/{ASYNC_PREFIX}{spec.name}/")
        return sagemaker.EndpointConfigurationAsyncInferenceConfigArgs(
            output_config=sagemaker.EndpointConfigurationAsyncInferenceConfigOutputConfigArgs(
                s3_output_path=concat(prefix, "results/"),
                s3_failure_path=concat(prefix, "failures/"),
                kms_key_id=args.kms_key_arn,
                notification_config=(
                    sagemaker.EndpointConfigurationAsyncInferenceConfigOutputConfigNotificationConfigArgs(
                        success_topic=topics["success"], error_topic=topics["error"]
                    )
                    if topics
                    else None
                ),
            ),
            client_config=sagemaker.EndpointConfigurationAsyncInferenceConfigClientConfigArgs(
                max_concurrent_invocations_per_instance=spec.async_inference.max_concurrent_invocations_per_instance
            ),
        )

    # -- rollout -----------------------------------------------------------------------------
    def _rollback_alarms(self, variant: VariantSpec) -> list[cloudwatch.MetricAlarm]:
        args, deployment = self._args, self._args.spec.deployment
        return rollback_alarms(
            self,
            f"{self._name}-{variant.name}",
            f"{args.endpoint_name}-{variant.name}",
            f"{args.endpoint_name}/{variant.name}",
            {"EndpointName": args.endpoint_name, "VariantName": variant.name},
            max_5xx_per_minute=deployment.max_5xx_per_minute,
            latency_p99_slo_ms=deployment.latency_p99_slo_ms,
            topic_arn=args.alarm_topic_arn,
            tags=args.tags,
        )

    def _deployment(self, alarm_names: Sequence[pulumi.Input[str]]) -> sagemaker.EndpointDeploymentConfigArgs:
        deployment = self._args.spec.deployment
        routing = sagemaker.EndpointDeploymentConfigBlueGreenUpdatePolicyTrafficRoutingConfigurationArgs(
            type=_TRAFFIC_ROUTING[deployment.strategy],
            wait_interval_in_seconds=deployment.wait_interval_seconds,
            canary_size=(
                sagemaker.EndpointDeploymentConfigBlueGreenUpdatePolicyTrafficRoutingConfigurationCanarySizeArgs(
                    type="CAPACITY_PERCENT", value=deployment.canary_percent
                )
                if deployment.strategy == "canary"
                else None
            ),
            linear_step_size=(
                sagemaker.EndpointDeploymentConfigBlueGreenUpdatePolicyTrafficRoutingConfigurationLinearStepSizeArgs(
                    type="CAPACITY_PERCENT", value=deployment.linear_step_percent
                )
                if deployment.strategy == "linear"
                else None
            ),
        )
        return sagemaker.EndpointDeploymentConfigArgs(
            blue_green_update_policy=sagemaker.EndpointDeploymentConfigBlueGreenUpdatePolicyArgs(
                traffic_routing_configuration=routing,
                termination_wait_in_seconds=deployment.termination_wait_seconds,
                maximum_execution_timeout_in_seconds=self._args.spec.execution_timeout_seconds,
            ),
            auto_rollback_configuration=sagemaker.EndpointDeploymentConfigAutoRollbackConfigurationArgs(
                alarms=[
                    sagemaker.EndpointDeploymentConfigAutoRollbackConfigurationAlarmArgs(
                        alarm_name=alarm_name
                    )
                    for alarm_name in alarm_names
                ]
            ),
        )


class _VariantSettings(TypedDict):
    """The arguments a production variant and a shadow variant take alike."""

    variant_name: str
    model_name: pulumi.Output[str]
    instance_type: str | None
    initial_instance_count: int | None
    initial_variant_weight: float
    volume_size_in_gb: int | None
    model_data_download_timeout_in_seconds: int | None
    container_startup_health_check_timeout_in_seconds: int | None


def _variant_settings(variant: VariantSpec, model: sagemaker.Model) -> _VariantSettings:
    return {
        "variant_name": variant.name,
        "model_name": model.name,
        "instance_type": variant.instance_type,
        "initial_instance_count": None if variant.serverless else variant.initial_instance_count,
        "initial_variant_weight": float(variant.weight),
        "volume_size_in_gb": variant.volume_size_gb,
        "model_data_download_timeout_in_seconds": variant.model_download_timeout_seconds,
        "container_startup_health_check_timeout_in_seconds": (
            variant.container_startup_health_check_timeout_seconds
        ),
    }
