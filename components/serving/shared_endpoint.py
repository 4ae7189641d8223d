"""SharedEndpoint: several models on one SageMaker endpoint's instances, as inference components.

pulumi-aws has no inference component, so the components come from pulumi-aws-native (the
CloudFormation resource model): the caller passes an aws-native provider through ``opts.providers``
beside the AWS one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws.appautoscaling as appautoscaling
import pulumi_aws.cloudwatch as cloudwatch
import pulumi_aws.sagemaker as sagemaker
import pulumi_aws_native.sagemaker as native

from ..foundation.execution_role import ExecutionRole, ExecutionRoleArgs
from ..instance_types import has_instance_store
from ..limits import (
    PHYSICAL_NAME_LIMITS,
    account_id_problem,
    account_ids_problem,
    instance_problem,
    region_problem,
    satisfies,
    service_role_path_problem,
    tags_problem,
)
from ..naming import child_name
from ..native_provider import warn_without_native_provider
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
from .inference_endpoint_spec import resolved_packages_problem, sagemaker_name_problem
from .rollback_alarms import rollback_alarms
from .shared_endpoint_spec import (
    ROUTING_STRATEGIES,
    InferenceComponentSpec,
    SharedEndpointSpec,
    inference_component_name,
)

MODEL_PREFIX = "models/"
VARIANT = "AllTraffic"
"""The endpoint's one production variant, which every component is placed on."""
COPY_DIMENSION = "sagemaker:inference-component:DesiredCopyCount"
COPY_METRIC = "SageMakerInferenceComponentInvocationsPerCopy"


@dataclass(frozen=True)
class SharedEndpointArgs:
    spec: SharedEndpointSpec
    """The validated endpoint: instance type and count, managed scaling, routing and components."""
    endpoint_name: str
    """The SageMaker endpoint's physical name; components are named ``<endpoint_name>-<component>``."""
    resolved_model_packages: Mapping[str, str]
    """Component name → model package version ARN (``…:model-package/<group>/<n>``), for components
    whose source is ``latest_approved_of``."""
    account_id: str
    """The 12-digit account of the endpoint (scopes the role's permissions)."""
    region: str
    """The endpoint's region (scopes the role's permissions, ECR pulls included)."""
    artifact_bucket_name: pulumi.Input[str]
    """Captured data goes to ``data-capture/<spec.name>/`` of this bucket."""
    artifact_bucket_arn: pulumi.Input[str]
    """ARN of the same bucket: the role reads ``models/`` and writes the capture prefix (it also
    reads each ``model_data_url`` the components name, wherever it is)."""
    kms_key_arn: pulumi.Input[str]
    """Key of the storage volumes (none on local-NVMe instance types) and of captured data."""
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Private subnets the models run in."""
    security_group_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Security groups of the models' network interfaces."""
    image_registry_accounts: Sequence[str]
    """Accounts whose ECR repositories in ``region`` the role may pull images from."""
    alarm_topic_arn: pulumi.Input[str]
    """SNS topic each component's 5xx and latency alarms notify on ALARM and on OK."""
    role_path: str
    """IAM path of the endpoint's execution role."""
    tags: Mapping[str, str]
    """Tags on every taggable resource (models also get ``mlops:endpoint``)."""
    shared_model_objects: Sequence[SharedObjects] = ()
    """Model artifacts of versions from other accounts' registries the role may read."""

    aws_images: Sequence[str] = ()
    """ECR repositories of the SageMaker-provided images the components' models run from AWS's registry accounts
    (the served families' framework inference images, ``<account>.dkr.ecr.<region>...``): SageMaker
    pulls them with the role, which may pull exactly these besides ``image_registry_accounts``."""

    def __post_init__(self) -> None:
        satisfies(self, "spec", lambda value: instance_problem(value, SharedEndpointSpec))
        satisfies(self, "account_id", account_id_problem)
        satisfies(self, "image_registry_accounts", account_ids_problem)
        satisfies(self, "region", region_problem)
        satisfies(self, "role_path", service_role_path_problem)
        satisfies(self, "tags", lambda tags: tags_problem(tags, own=1))
        satisfies(self, "endpoint_name", lambda name: sagemaker_name_problem(name, "endpoint name"))
        satisfies(self, "resolved_model_packages", resolved_packages_problem)
        _, limit = PHYSICAL_NAME_LIMITS["aws-native:sagemaker:InferenceComponent"]
        for component in self.spec.components:
            physical = inference_component_name(self.endpoint_name, component.name)
            if len(physical) > limit:
                raise ValueError(
                    f"SharedEndpointArgs.endpoint_name: component {component.name!r} would be named "
                    f"'{physical}', which has {len(physical)} characters; SageMaker takes at most {limit} "
                    "for an InferenceComponentName: shorten the endpoint's or the component's name"
                )
        missing = [
            c.name
            for c in self.spec.components
            if c.model.latest_approved_of and c.name not in self.resolved_model_packages
        ]
        if missing:
            raise ValueError(
                f"SharedEndpoint {self.spec.name}: resolved_model_packages lacks component(s) {', '.join(missing)}"
            )


class SharedEndpoint(pulumi.ComponentResource):
    """One endpoint whose instances host several models, each an inference component with its own
    compute reservation, copies, copy autoscaling, alarms and rolling updates.

    Security posture: every model runs in the private subnets with network isolation under the
    endpoint's least-privilege role; storage volumes and captured data are KMS-encrypted; a
    component's update rolls back when its 5xx or p99-latency alarm fires.
    """

    endpoint_name: pulumi.Output[str]
    """Name of the endpoint."""
    endpoint_arn: pulumi.Output[str]
    """ARN of the endpoint."""
    role_arn: pulumi.Output[str]
    """Execution role of the endpoint and its models."""
    component_names: dict[str, pulumi.Output[str]]
    """Component name → the inference component's name (what clients pass as ``InferenceComponentName``)."""

    def __init__(
        self, name: str, args: SharedEndpointArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:serving:SharedEndpoint", name, None, opts)
        warn_without_native_provider(self, name)
        self._name, self._args = name, args
        spec = args.spec
        child = pulumi.ResourceOptions(parent=self)
        role = self._role()
        config = sagemaker.EndpointConfiguration(
            child_name(f"{name}-config", "aws:sagemaker/endpointConfiguration:EndpointConfiguration"),
            # No model in the variant: the inference components bring theirs; the role is what
            # SageMaker acts with for them.
            production_variants=[self._variant()],
            execution_role_arn=role.role_arn,
            kms_key_arn=None if has_instance_store(spec.instance_type) else args.kms_key_arn,
            data_capture_config=self._data_capture(),
            tags=dict(args.tags),
            opts=child,
        )
        endpoint = sagemaker.Endpoint(
            f"{name}-endpoint",
            name=args.endpoint_name,
            endpoint_config_name=config.name,
            tags=dict(args.tags),
            opts=child,
        )
        components = {
            component.name: self._component(component, endpoint, role.role_arn)
            for component in spec.components
        }
        self.endpoint_name = endpoint.name
        self.endpoint_arn = endpoint.arn
        self.role_arn = role.role_arn
        self.component_names = {
            key: component.inference_component_name.apply(lambda value: value or "")
            for key, component in components.items()
        }
        self.register_outputs(
            {
                "endpoint_name": self.endpoint_name,
                "endpoint_arn": self.endpoint_arn,
                "role_arn": self.role_arn,
                "component_names": self.component_names,
            }
        )

    # -- identity ------------------------------------------------------------------------------
    def _role(self) -> ExecutionRole:
        args, spec = self._args, self._args.spec
        statements = [
            *s3_read(args.artifact_bucket_arn, [MODEL_PREFIX]),
            # The capture prefix only where the endpoint captures (SageMaker writes to
            # DataCaptureConfig.DestinationS3Uri as this role): least privilege.
            *(
                s3_read_write(args.artifact_bucket_arn, [f"{DATA_CAPTURE_PREFIX}{spec.name}/"])
                if spec.data_capture.enabled
                else []
            ),
            *kms_use([args.kms_key_arn]),
            *vpc_network_interfaces(args.region, args.account_id, args.subnet_ids, args.security_group_ids),
            *sagemaker_logs_and_metrics(args.region, args.account_id),
            *ecr_pull(args.region, args.image_registry_accounts),
            *ecr_pull_images(args.aws_images),
            *model_artifacts_read(
                args.account_id, (component.model.model_data_url for component in spec.components)
            ),
            *(
                statement
                for shared in args.shared_model_objects
                for statement in shared_s3_read(args.region, shared.owner_account, shared.object_arns)
            ),
        ]
        return ExecutionRole(
            f"{self._name}-models",
            ExecutionRoleArgs(
                description=f"Serves the inference components of SageMaker endpoint {args.endpoint_name}",
                trusted_service="sagemaker.amazonaws.com",
                account_id=args.account_id,
                path=args.role_path,
                statements=statements,
                tags=args.tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    # -- endpoint ------------------------------------------------------------------------------
    def _variant(self) -> sagemaker.EndpointConfigurationProductionVariantArgs:
        spec = self._args.spec
        scaling = spec.managed_scaling
        return sagemaker.EndpointConfigurationProductionVariantArgs(
            variant_name=VARIANT,
            instance_type=spec.instance_type,
            initial_instance_count=spec.initial_instance_count,
            managed_instance_scaling=(
                sagemaker.EndpointConfigurationProductionVariantManagedInstanceScalingArgs(
                    status="ENABLED",
                    min_instance_count=scaling.min_instances,
                    max_instance_count=scaling.max_instances,
                )
                if scaling
                else None
            ),
            routing_configs=[
                sagemaker.EndpointConfigurationProductionVariantRoutingConfigArgs(
                    routing_strategy=ROUTING_STRATEGIES[spec.routing]
                )
            ],
        )

    def _data_capture(self) -> sagemaker.EndpointConfigurationDataCaptureConfigArgs | None:
        args = self._args
        return data_capture_config(
            args.spec.data_capture, args.spec.name, args.artifact_bucket_name, args.kms_key_arn
        )

    # -- components ----------------------------------------------------------------------------
    def _model(self, component: InferenceComponentSpec, role_arn: pulumi.Input[str]) -> sagemaker.Model:
        args, source = self._args, component.model
        environment = component.environment or None
        package = args.resolved_model_packages.get(component.name) or source.model_package_arn
        if package:
            container = sagemaker.ModelPrimaryContainerArgs(
                model_package_name=package, environment=environment
            )
        else:
            container = sagemaker.ModelPrimaryContainerArgs(
                image=source.image,
                model_data_url=source.model_data_url,
                environment=environment,
                image_config=sagemaker.ModelPrimaryContainerImageConfigArgs(
                    repository_access_mode="Platform"
                ),
            )
        return sagemaker.Model(
            child_name(f"{self._name}-{component.name}-model", "aws:sagemaker/model:Model"),
            execution_role_arn=role_arn,
            primary_container=container,
            enable_network_isolation=True,
            vpc_config=sagemaker.ModelVpcConfigArgs(
                subnets=args.subnet_ids, security_group_ids=args.security_group_ids
            ),
            tags={**args.tags, "mlops:endpoint": args.spec.name},
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _component(
        self, component: InferenceComponentSpec, endpoint: sagemaker.Endpoint, role_arn: pulumi.Input[str]
    ) -> native.InferenceComponent:
        args, spec = self._args, self._args.spec
        model = self._model(component, role_arn)
        physical = inference_component_name(args.endpoint_name, component.name)
        alarms = self._alarms(component, physical)
        compute = component.compute
        startup = (
            native.InferenceComponentStartupParametersArgs(
                model_data_download_timeout_in_seconds=component.model_download_timeout_seconds,
                container_startup_health_check_timeout_in_seconds=component.container_startup_health_check_timeout_seconds,
            )
            if component.model_download_timeout_seconds
            or component.container_startup_health_check_timeout_seconds
            else None
        )
        one_copy = native.InferenceComponentCapacitySizeArgs(
            type=native.InferenceComponentCapacitySizeType.COPY_COUNT, value=1
        )
        inference_component = native.InferenceComponent(
            f"{self._name}-{component.name}",
            inference_component_name=physical,
            endpoint_name=endpoint.name,
            variant_name=VARIANT,
            specification=native.InferenceComponentSpecificationArgs(
                model_name=model.name,
                compute_resource_requirements=native.InferenceComponentComputeResourceRequirementsArgs(
                    min_memory_required_in_mb=compute.memory_mb,
                    max_memory_required_in_mb=compute.max_memory_mb,
                    number_of_cpu_cores_required=compute.cpu_cores,
                    number_of_accelerator_devices_required=compute.accelerators,
                ),
                startup_parameters=startup,
            ),
            runtime_config=native.InferenceComponentRuntimeConfigArgs(copy_count=component.copies),
            # An update replaces one copy at a time and rolls back on the component's own alarms.
            deployment_config=native.InferenceComponentDeploymentConfigArgs(
                rolling_update_policy=native.InferenceComponentRollingUpdatePolicyArgs(
                    maximum_batch_size=one_copy,
                    rollback_maximum_batch_size=one_copy,
                    wait_interval_in_seconds=spec.update_wait_seconds,
                    maximum_execution_timeout_in_seconds=spec.update_timeout_seconds,
                ),
                auto_rollback_configuration=native.InferenceComponentAutoRollbackConfigurationArgs(
                    alarms=[native.InferenceComponentAlarmArgs(alarm_name=alarm.name) for alarm in alarms]
                ),
            ),
            tags=[{"key": key, "value": value} for key, value in args.tags.items()],
            opts=pulumi.ResourceOptions(parent=self),
        )
        if component.scaling is not None:
            self._scale(component, inference_component)
        return inference_component

    def _scale(
        self, component: InferenceComponentSpec, inference_component: native.InferenceComponent
    ) -> None:
        scaling = component.scaling
        assert scaling is not None  # only components with a scaling spec
        child = pulumi.ResourceOptions(parent=self)
        target = appautoscaling.Target(
            f"{self._name}-{component.name}-scaling",
            service_namespace="sagemaker",
            scalable_dimension=COPY_DIMENSION,
            # From the component's output: registered once the component exists.
            resource_id=concat(
                "inference-component/", inference_component.inference_component_name.apply(lambda n: n or "")
            ),
            min_capacity=scaling.min_copies,
            max_capacity=scaling.max_copies,
            tags=dict(self._args.tags),
            opts=child,
        )
        appautoscaling.Policy(
            child_name(f"{self._name}-{component.name}-invocations", "aws:appautoscaling/policy:Policy"),
            policy_type="TargetTrackingScaling",
            service_namespace=target.service_namespace,
            scalable_dimension=target.scalable_dimension,
            resource_id=target.resource_id,
            target_tracking_scaling_policy_configuration=appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                target_value=float(scaling.invocations_per_copy),
                scale_in_cooldown=scaling.scale_in_cooldown_seconds,
                scale_out_cooldown=scaling.scale_out_cooldown_seconds,
                predefined_metric_specification=appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                    predefined_metric_type=COPY_METRIC
                ),
            ),
            opts=child,
        )

    def _alarms(self, component: InferenceComponentSpec, physical: str) -> list[cloudwatch.MetricAlarm]:
        args, spec = self._args, self._args.spec
        return rollback_alarms(
            self,
            f"{self._name}-{component.name}",
            physical,
            physical,
            {"InferenceComponentName": physical},
            max_5xx_per_minute=spec.max_5xx_per_minute,
            latency_p99_slo_ms=spec.latency_p99_slo_ms,
            topic_arn=args.alarm_topic_arn,
            tags=args.tags,
        )
