"""The foundation's private network: its arguments from ``network`` and the region's zones."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.foundation.encryption_key import EncryptionKey
from components.foundation.private_network import ExistingVpc, NewVpc, PrivateNetworkArgs
from stacks import naming
from stacks.config import REQUIRED_INTERFACE_ENDPOINTS, PlatformConfig


def _network_args(
    config: PlatformConfig, logs_key: EncryptionKey, path: str, provider: aws.Provider
) -> PrivateNetworkArgs:
    network = config.network
    vpc: NewVpc | ExistingVpc
    if network.existing_vpc is not None:
        existing = network.existing_vpc
        vpc = ExistingVpc(
            vpc_id=existing.vpc_id,
            cidr=existing.cidr,
            private_subnet_ids=existing.private_subnet_ids,
            route_table_ids=existing.route_table_ids,
        )
    else:
        assert network.cidr is not None  # guaranteed by NetworkConfig
        vpc = NewVpc(
            cidr=network.cidr,
            availability_zones=network.availability_zones or _available_zones(config, provider),
            flow_log_retention_days=network.flow_log_retention_days,
            flow_log_kms_key_arn=logs_key.key_arn,
            flow_log_group_name=f"{naming.log_group_prefix(config.name_prefix)}vpc-flow-logs",
        )
    return PrivateNetworkArgs(
        region=config.region,
        account_id=config.account_id,
        vpc=vpc,
        interface_endpoint_services=[
            *REQUIRED_INTERFACE_ENDPOINTS,
            *network.additional_interface_endpoints,
            # The MLflow tracking server, reached from the private subnets (TrackExperiment, notebooks).
            *(["sagemaker.experiments"] if config.experiment_tracking.enabled else []),
            # ExtractFeatures' Athena calls (SageMaker's DescribeFeatureGroup goes to sagemaker.api;
            # Athena itself reads Glue and S3 service-side, so the job needs no glue endpoint).
            *(
                ["athena"]
                if config.feature_training and "athena" not in network.additional_interface_endpoints
                else []
            ),
        ],
        role_path=path,
        tags=config.resource_tags,
    )


def _available_zones(config: PlatformConfig, provider: aws.Provider) -> list[str]:
    """The first ``az_count`` standard (not Local/Wavelength) zones of the region."""
    zones = aws.get_availability_zones(
        state="available",
        filters=[aws.GetAvailabilityZonesFilterArgs(name="opt-in-status", values=["opt-in-not-required"])],
        opts=pulumi.InvokeOptions(provider=provider),
    ).names
    if len(zones) < config.network.az_count:
        raise ValueError(
            f"region {config.region} has {len(zones)} zones; network.az_count asks for {config.network.az_count}"
        )
    return sorted(zones)[: config.network.az_count]
