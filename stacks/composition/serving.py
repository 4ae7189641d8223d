"""Serving: the SageMaker endpoints, with the versions this run resolved for them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pulumi

from components.observability.alert_topic import AlertTopic
from components.policy_documents import SharedObjects
from components.serving.inference_endpoint import (
    DATA_CAPTURE_PREFIX,
    InferenceEndpoint,
    InferenceEndpointArgs,
)
from components.serving.inference_endpoint_spec import EndpointSpec
from stacks.composition.foundation import Foundation
from stacks.config import PlatformConfig
from stacks.model_packages import family_name
from stacks.resolution import ResolvedPackages, Serving

if TYPE_CHECKING:
    from components.serving.shadow_test import ShadowTest


def build_endpoints(
    config: PlatformConfig,
    foundation: Foundation,
    alerts: AlertTopic | None,
    serving: Serving,
    opts: pulumi.ResourceOptions,
) -> dict[str, InferenceEndpoint]:
    if alerts is None:
        return {}
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
                alarm_topic_arn=alerts.topic_arn,
                role_path=config.role_path,
                tags=config.resource_tags,
            ),
            opts,
        )
    build_shadow_tests(config, foundation, serving, endpoints, opts)
    return endpoints


def build_shadow_tests(
    config: PlatformConfig,
    foundation: Foundation,
    serving: Serving,
    endpoints: dict[str, InferenceEndpoint],
    opts: pulumi.ResourceOptions,
) -> dict[str, ShadowTest]:
    """A SageMaker shadow test per endpoint that schedules one (``endpoints[].shadow_test``)."""
    tested = [spec for spec in serving.endpoints if spec.shadow_test is not None and spec.name in endpoints]
    if not tested:
        return {}
    # Imported only where used: pulumi_aws_native is large, and most stacks do not need it.
    import pulumi_aws_native

    from components.serving.shadow_test import ShadowTest, ShadowTestArgs

    native = pulumi_aws_native.Provider(
        "aws-native-serving", region=config.region, allowed_account_ids=[config.account_id]
    )
    native_opts = pulumi.ResourceOptions.merge(
        opts, pulumi.ResourceOptions(providers=[foundation.provider, native])
    )
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
            native_opts,
        )
        for spec in tested
    }


def shared_model_objects(
    spec: EndpointSpec, packages: ResolvedPackages, account_id: str
) -> list[SharedObjects]:
    """The model artifacts of an endpoint's versions that other accounts' registries hold."""
    shared: dict[str, list[str]] = {}
    for package in packages.get(spec.name, {}).values():
        if package.account != account_id:
            shared.setdefault(package.account, []).extend(
                f"arn:aws:s3:::{url.removeprefix('s3://')}" for url in package.model_data_urls
            )
    return [
        SharedObjects(account, tuple(sorted(set(objects)))) for account, objects in sorted(shared.items())
    ]


def model_family_of(spec: EndpointSpec) -> str:
    """The family an endpoint serves (its first production variant's), which is also the one it retrains."""
    return spec.variants[0].model.latest_approved_of or spec.name


def model_group_of(config: PlatformConfig, spec: EndpointSpec) -> str:
    """The model package group's name of the family an endpoint serves: its baselines folder
    (``baselines/<group>/``) is named after it, as the training pipeline writes it."""
    return family_name(config.model_package_group(model_family_of(spec)))
