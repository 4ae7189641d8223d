"""Serving: the SageMaker endpoints, with the versions this run resolved for them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pulumi

from components.observability.alert_topic import AlertTopic
from components.policy_documents import SharedObjects, s3_url_arn
from components.serving.inference_endpoint import (
    DATA_CAPTURE_PREFIX,
    InferenceEndpoint,
    InferenceEndpointArgs,
)
from components.serving.inference_endpoint_spec import EndpointSpec
from stacks.composition.foundation import (
    Foundation,
    framework_images,
    native_provider,
    served_families,
)
from stacks.config import PlatformConfig, model_family_of
from stacks.model_packages import ResolvedModelPackage, family_name
from stacks.resolution import ResolvedPackages, Serving

if TYPE_CHECKING:
    from components.serving.shadow_test import ShadowTest
    from components.serving.shared_endpoint import SharedEndpoint


def build_endpoints(
    config: PlatformConfig,
    foundation: Foundation,
    alerts: AlertTopic | None,
    serving: Serving,
    opts: pulumi.ResourceOptions,
) -> tuple[dict[str, InferenceEndpoint], dict[str, SharedEndpoint]]:
    """The endpoints, their shadow tests and the shared endpoints (inference components) served this run."""
    if alerts is None:
        return {}, {}
    network = foundation.network
    packages = serving.packages
    endpoints = {}
    for spec in serving.endpoints:
        endpoints[spec.name] = InferenceEndpoint(
            f"endpoint-{spec.name}",
            InferenceEndpointArgs(
                spec=spec,
                endpoint_name=config.endpoint_name(spec.name),
                resolved_model_packages={
                    variant: package.arn for variant, package in packages.get(spec.name, {}).items()
                },
                shared_model_objects=shared_model_objects(spec, packages, config.account_id),
                account_id=config.account_id,
                region=config.region,
                artifact_bucket_name=foundation.artifacts.bucket_name,
                artifact_bucket_arn=foundation.artifacts.bucket_arn,
                kms_key_arn=foundation.data_key.key_arn,
                notification_key_arn=foundation.notifications_key.key_arn,
                subnet_ids=network.private_subnet_ids,
                security_group_ids=[network.workload_security_group_id],
                image_registry_accounts=[config.account_id, *config.trusted_image_registry_accounts],
                aws_images=framework_images(
                    config,
                    ("inference",),
                    served_families(config, [v.model for v in (*spec.variants, *spec.shadow_variants)]),
                ),
                alarm_topic_arn=alerts.topic_arn,
                role_path=config.role_path,
                tags=config.resource_tags,
            ),
            opts,
        )
    native = _NativeOptions(config, foundation, opts)
    build_shadow_tests(config, foundation, serving, endpoints, opts, native)
    return endpoints, build_shared_endpoints(config, foundation, alerts, serving, native)


class _NativeOptions:
    """Resource options with the stack's aws-native provider beside the AWS one, made on first use."""

    def __init__(self, config: PlatformConfig, foundation: Foundation, opts: pulumi.ResourceOptions) -> None:
        self._config, self._foundation, self._opts = config, foundation, opts
        self._merged: pulumi.ResourceOptions | None = None

    def __call__(self) -> pulumi.ResourceOptions:
        if self._merged is None:
            native = native_provider(self._config, self._foundation)
            self._merged = pulumi.ResourceOptions.merge(
                self._opts, pulumi.ResourceOptions(providers=[self._foundation.provider, native])
            )
        return self._merged


def build_shared_endpoints(
    config: PlatformConfig,
    foundation: Foundation,
    alerts: AlertTopic,
    serving: Serving,
    native_opts: _NativeOptions,
) -> dict[str, SharedEndpoint]:
    """A SharedEndpoint (inference components) per served entry of ``shared_endpoints``."""
    if not serving.shared_endpoints:
        return {}
    from components.serving.shared_endpoint import SharedEndpoint, SharedEndpointArgs

    network = foundation.network
    built = {}
    for spec in serving.shared_endpoints:
        packages = serving.shared_packages.get(spec.name, {})
        built[spec.name] = SharedEndpoint(
            f"shared-endpoint-{spec.name}",
            SharedEndpointArgs(
                spec=spec,
                endpoint_name=config.endpoint_name(spec.name),
                resolved_model_packages={component: package.arn for component, package in packages.items()},
                shared_model_objects=_shared_objects(packages.values(), config.account_id),
                account_id=config.account_id,
                region=config.region,
                artifact_bucket_name=foundation.artifacts.bucket_name,
                artifact_bucket_arn=foundation.artifacts.bucket_arn,
                kms_key_arn=foundation.data_key.key_arn,
                subnet_ids=network.private_subnet_ids,
                security_group_ids=[network.workload_security_group_id],
                image_registry_accounts=[config.account_id, *config.trusted_image_registry_accounts],
                aws_images=framework_images(
                    config, ("inference",), served_families(config, [c.model for c in spec.components])
                ),
                alarm_topic_arn=alerts.topic_arn,
                role_path=config.role_path,
                tags=config.resource_tags,
            ),
            native_opts(),
        )
    return built


def build_shadow_tests(
    config: PlatformConfig,
    foundation: Foundation,
    serving: Serving,
    endpoints: dict[str, InferenceEndpoint],
    opts: pulumi.ResourceOptions,
    native_opts: _NativeOptions | None = None,
) -> dict[str, ShadowTest]:
    """A SageMaker shadow test per endpoint that schedules one (``endpoints[].shadow_test``)."""
    tested = [spec for spec in serving.endpoints if spec.shadow_test is not None and spec.name in endpoints]
    if not tested:
        return {}
    from components.serving.shadow_test import ShadowTest, ShadowTestArgs

    native_opts = native_opts or _NativeOptions(config, foundation, opts)
    return {
        spec.name: ShadowTest(
            f"shadow-test-{spec.name}",
            ShadowTestArgs(
                spec=spec,
                endpoint_name=endpoints[spec.name].endpoint_name,
                physical_endpoint_name=config.endpoint_name(spec.name),
                model_names=endpoints[spec.name].model_names,
                account_id=config.account_id,
                region=config.region,
                kms_key_arn=foundation.data_key.key_arn,
                artifact_bucket_name=foundation.artifacts.bucket_name,
                artifact_bucket_arn=foundation.artifacts.bucket_arn,
                capture_prefix=f"{DATA_CAPTURE_PREFIX}{spec.name}/",
                role_path=config.role_path,
                tags=config.resource_tags,
            ),
            native_opts(),
        )
        for spec in tested
    }


def shared_model_objects(
    spec: EndpointSpec, packages: ResolvedPackages, account_id: str
) -> list[SharedObjects]:
    """The model artifacts of an endpoint's versions that other accounts' registries hold."""
    return _shared_objects(packages.get(spec.name, {}).values(), account_id)


def _shared_objects(packages: Iterable[ResolvedModelPackage], account_id: str) -> list[SharedObjects]:
    shared: dict[str, list[str]] = {}
    for package in packages:
        if package.account != account_id:
            shared.setdefault(package.account, []).extend(s3_url_arn(url) for url in package.model_data_urls)
    return [
        SharedObjects(account, tuple(sorted(set(objects)))) for account, objects in sorted(shared.items())
    ]


def model_group_of(config: PlatformConfig, spec: EndpointSpec) -> str:
    """The model package group's name of the family an endpoint serves: its baselines folder
    (``baselines/<group>/``) is named after it, as the training pipeline writes it."""
    return family_name(config.model_package_group(model_family_of(spec)))
