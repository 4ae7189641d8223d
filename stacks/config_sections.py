"""The section models of a stack's platform value (network, storage, encryption, registry, endpoint
defaults, alerts, Kubernetes serving, feature queries) and their shared validators.

:class:`~stacks.config.PlatformConfig` holds them; :mod:`stacks.config` still exports every public name.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Final

from pydantic import (
    BaseModel,
    Field,
    field_validator,
    model_validator,
)

from components.kubernetes.kubernetes_monitoring_spec import KubernetesMonitoringSpec
from components.kubernetes.kubernetes_serving_spec import KubernetesServingSpec
from components.limits import (
    LOG_RETENTION_DAYS,
    SPEC_CONFIG,
    fail_at,
)
from components.observability.alert_subscription import AlertSubscription, duplicate_subscription
from components.registry.model_family_spec import ApprovalMode
from components.serving.inference_endpoint_spec import (
    DataCaptureSpec,
    DeploymentSpec,
)
from stacks.input_limits import listed

# Interface endpoints every VPC gets, so that no SageMaker job or endpoint needs the internet.
REQUIRED_INTERFACE_ENDPOINTS: Final[tuple[str, ...]] = (
    "sagemaker.api",
    "sagemaker.runtime",
    "sts",
    "logs",
    "monitoring",
    "ecr.api",
    "ecr.dkr",
)
# Further interface endpoints a stack may add (each costs an hourly fee per AZ).
OPTIONAL_INTERFACE_ENDPOINTS: Final[tuple[str, ...]] = (
    "sagemaker.featurestore-runtime",
    "kms",
    "events",
    "sns",
    "sqs",
    "glue",
    "athena",
    "secretsmanager",
    "ssm",
    "elasticloadbalancing",
    "autoscaling",
    "application-autoscaling",
)


class _Section(BaseModel):
    model_config = SPEC_CONFIG


class ExistingVpcConfig(_Section):
    """A VPC the platform does not own; it still gets the platform's security groups and endpoints."""

    vpc_id: Annotated[str, Field(pattern=r"^vpc-[0-9a-f]{8,17}$")] = Field(
        description="Id of the VPC (vpc-…)."
    )
    cidr: str = Field(
        description="The VPC's primary IPv4 CIDR (used for the HTTPS-only security group rules)."
    )
    private_subnet_ids: Annotated[
        list[Annotated[str, Field(pattern=r"^subnet-[0-9a-f]{8,17}$")]], Field(min_length=2)
    ] = Field(description="At least two private subnets in different AZs.")
    route_table_ids: Annotated[
        list[Annotated[str, Field(pattern=r"^rtb-[0-9a-f]{8,17}$")]], Field(min_length=1)
    ] = Field(description="Route tables of those subnets (they get the S3 gateway endpoint).")

    @field_validator("cidr")
    @classmethod
    def _private_cidr(cls, value: str) -> str:
        return _validate_cidr(value)


class NetworkConfig(_Section):
    """Private networking: either a VPC the platform creates (``cidr``) or an ``existing_vpc``."""

    cidr: str | None = Field(default=None, description="IPv4 CIDR of the VPC to create, /16 to /22.")
    az_count: Annotated[int, Field(ge=2, le=6)] = Field(
        default=2, description="How many availability zones get a private subnet (when the VPC is created)."
    )
    availability_zones: list[str] | None = Field(
        default=None,
        description="Explicit AZ names (e.g. eu-west-1a); by default the first `az_count` available AZs.",
    )
    existing_vpc: ExistingVpcConfig | None = None
    additional_interface_endpoints: list[str] = Field(
        default_factory=list,
        description=f"Interface endpoints beyond the required {', '.join(REQUIRED_INTERFACE_ENDPOINTS)}.",
    )
    flow_log_retention_days: int = Field(
        default=90, description="Retention of the VPC flow-log group (a CloudWatch Logs retention value)."
    )

    @field_validator("cidr")
    @classmethod
    def _cidr_in_range(cls, value: str | None) -> str | None:
        if value is None:
            return None
        network = _validate_cidr(value)
        prefix = ipaddress.ip_network(network).prefixlen
        if not 16 <= prefix <= 22:
            raise ValueError(
                f"prefix length must be /16 to /22 to fit one private subnet per AZ (got /{prefix})"
            )
        return network

    @field_validator("additional_interface_endpoints")
    @classmethod
    def _known_endpoints(cls, value: list[str]) -> list[str]:
        for service in value:
            if service in REQUIRED_INTERFACE_ENDPOINTS:
                raise ValueError(f"'{service}' is always created; remove it from the list")
            if service not in OPTIONAL_INTERFACE_ENDPOINTS:
                raise ValueError(
                    f"unknown service '{service}'; allowed: {', '.join(OPTIONAL_INTERFACE_ENDPOINTS)}"
                )
        if len(set(value)) != len(value):
            raise ValueError("duplicate service names")
        return value

    @field_validator("flow_log_retention_days")
    @classmethod
    def _cloudwatch_retention(cls, value: int) -> int:
        return _validate_log_retention(value)

    @model_validator(mode="after")
    def _one_vpc_source(self) -> NetworkConfig:
        if self.existing_vpc is not None and self.cidr is not None:
            raise ValueError("set either `cidr` (create a VPC) or `existing_vpc`, not both")
        if self.existing_vpc is None and self.cidr is None:
            raise ValueError("missing `cidr` (the VPC to create) or `existing_vpc` (a VPC to use)")
        if self.availability_zones is not None and len(self.availability_zones) != self.az_count:
            raise ValueError(
                f"availability_zones lists {len(self.availability_zones)} zones but az_count is {self.az_count}"
            )
        return self


class StorageConfig(_Section):
    """Lifecycle of the platform's buckets (encryption, versioning and TLS are not optional)."""

    noncurrent_version_expiration_days: Annotated[int, Field(ge=1, le=3650)] = Field(
        default=90, description="Days a replaced or deleted object version is kept."
    )
    access_log_retention_days: Annotated[int, Field(ge=1, le=3650)] = Field(
        default=365, description="Days S3 server access logs are kept."
    )
    abort_incomplete_multipart_upload_days: Annotated[int, Field(ge=1, le=30)] = Field(
        default=7, description="Days before an unfinished multipart upload is cleaned up."
    )


class EncryptionConfig(_Section):
    """Customer-managed KMS keys (rotation is always on)."""

    key_deletion_window_days: Annotated[int, Field(ge=7, le=30)] = Field(
        default=30, description="Waiting period before a scheduled key deletion happens."
    )
    rotation_period_days: Annotated[int, Field(ge=90, le=2560)] = Field(
        default=365, description="Days between automatic key rotations."
    )


class ModelRegistryConfig(_Section):
    """How new model versions enter the registry."""

    approval: ApprovalMode = Field(
        default="manual",
        description="`auto`: new versions that pass evaluation are Approved; `manual`: PendingManualApproval.",
    )
    require_model_card: bool = Field(
        default=False,
        description="Deploy only versions that have a SageMaker Model Card (created when `pipelines.promotion` "
        "approves a version; docs/promotion.md, Model cards): `pulumi up` stops on a version without one. "
        "Needs `models[].model_card` on every family. On by default in staging and prod.",
    )


class EndpointDefaults(_Section):
    """Defaults merged under every entry of `endpoints` (an endpoint's own values win)."""

    deployment: DeploymentSpec = DeploymentSpec()
    data_capture: DataCaptureSpec = DataCaptureSpec()
    minimum_instances: Annotated[int, Field(ge=0, le=10)] = Field(
        default=1,
        description="Least instances an instance-based variant may run (initial count and scaling minimum); "
        "async variants may still scale to zero where this is 0.",
    )
    minimum_bake_seconds: Annotated[int, Field(ge=0, le=3600)] = Field(
        default=0,
        description="Least baking time of a traffic shift: every endpoint's `deployment.wait_interval_seconds` "
        "and every shared endpoint's `update_wait_seconds`. 60 in prod, where the policy pack's "
        "`endpoint-safe-rollout` requires it (endpoint metrics are per minute: a shorter bake ends "
        "before a rollback alarm sees the new fleet).",
    )


class AlertsConfig(_Section):
    """Who is paged when an alarm fires."""

    subscriptions: list[AlertSubscription] = Field(default_factory=list)

    @field_validator("subscriptions")
    @classmethod
    def _unique(cls, value: list[AlertSubscription]) -> list[AlertSubscription]:
        index = duplicate_subscription(value)
        if index is not None:
            fail_at(
                "subscriptions", (index, "endpoint"), value[index].endpoint, "subscribed twice; remove one"
            )
        return value


EKS_CLUSTER_ARN: Final = r"^arn:aws:eks:[a-z0-9-]+:[0-9]{12}:cluster/[0-9A-Za-z][A-Za-z0-9_-]{0,99}$"
"""An EKS cluster's ARN; the name is CreateCluster's: a letter or digit, then letters, digits, ``-``
and ``_``, at most 100 characters."""


DERIVED_DEPLOYMENT_SUFFIXES = ("-canary", "-predictor")
"""Deployments a serving brings besides its own: its canary's, and the KServe predictor's."""


class KubernetesServingConfig(_Section):
    """Model servers on an existing EKS cluster (its kubeconfig is the secret `mlops-platform:kubeconfig`)."""

    servings: list[KubernetesServingSpec] = Field(default_factory=list)
    cluster_arn: Annotated[str, Field(pattern=EKS_CLUSTER_ARN)] | None = Field(
        default=None,
        description="EKS cluster ARN: identifies the cluster, so rotating kubeconfig credentials replaces nothing.",
    )

    monitoring: KubernetesMonitoringSpec | None = Field(
        default=None,
        description="kube-prometheus-stack + DCGM exporter via Helm, ServiceMonitors, a GPU dashboard; "
        "scrapes every serving unless `scrape` names them.",
    )

    @model_validator(mode="after")
    def _gpu_autoscaling_is_monitored(self) -> KubernetesServingConfig:
        # The HPA reads DCGM_FI_DEV_GPU_UTIL through prometheus-adapter, which `monitoring` installs;
        # without it the metric never arrives and the HPA can scale out on CPU but never back in.
        if self.monitoring is not None:
            return self
        for index, serving in enumerate(self.servings):
            if serving.target_gpu_utilization is not None:
                fail_at(
                    "KubernetesServingConfig",
                    ("servings", index, "target_gpu_utilization"),
                    serving.target_gpu_utilization,
                    f"serving '{serving.name}' scales on GPU utilisation, which only kubernetes_serving.monitoring "
                    "provides (DCGM exporter and prometheus-adapter): add monitoring, or remove "
                    "target_gpu_utilization",
                )
        return self

    @model_validator(mode="after")
    def _scrape_targets_are_servings(self) -> KubernetesServingConfig:
        if self.monitoring is None:
            return self
        servings = {(serving.namespace, serving.name) for serving in self.servings}
        unknown = [
            (position, f"{t.namespace}/{t.name}")
            for position, t in enumerate(self.monitoring.scrape)
            if (t.namespace, t.name) not in servings
        ]
        if unknown:
            position, first = unknown[0]
            fail_at(
                "KubernetesServingConfig",
                ("monitoring", "scrape", position),
                first,
                f"monitoring.scrape names no serving of this stack: {listed([name for _, name in unknown])}",
            )
        if not self.servings:
            raise ValueError("monitoring needs at least one serving to monitor")
        return self

    @property
    def scrape_targets(self) -> KubernetesMonitoringSpec | None:
        """The monitoring spec, scraping every serving when it names none."""
        if self.monitoring is None or self.monitoring.scrape:
            return self.monitoring
        targets = [{"name": serving.name, "namespace": serving.namespace} for serving in self.servings]
        # Re-validated (not model_copy): the filled-in targets go through the same checks.
        return KubernetesMonitoringSpec.model_validate({**self.monitoring.model_dump(), "scrape": targets})

    @field_validator("servings")
    @classmethod
    def _unique_names(cls, value: list[KubernetesServingSpec]) -> list[KubernetesServingSpec]:
        names = [(serving.namespace, serving.name) for serving in value]
        duplicates = sorted({f"{ns}/{name}" for ns, name in names if names.count((ns, name)) > 1})
        if duplicates:
            raise ValueError(f"duplicate serving(s) {listed(duplicates)}")
        # A serving's canary is the Deployment <name>-canary and a KServe serving's pods come from
        # <name>-predictor: a serving of either name beside it would share that Deployment (and the
        # GPU panel's and alerts' pod selection, which reads those suffixes).
        derived = sorted(
            f"{namespace}/{name}"
            for namespace, name in names
            for suffix in DERIVED_DEPLOYMENT_SUFFIXES
            if name.endswith(suffix) and (namespace, name.removesuffix(suffix)) in names
        )
        if derived:
            raise ValueError(
                f"serving(s) {listed(derived)} take the name of another serving's canary or KServe "
                f"predictor Deployment ({' or '.join('<name>' + s for s in DERIVED_DEPLOYMENT_SUFFIXES)}) "
                "in the same namespace: rename them"
            )
        return value


class FeatureQueriesConfig(_Section):
    """The Athena workgroup the training pipelines read feature groups' offline stores through
    (created when a family's ``training.data.feature_group`` is set), and how long its results
    are kept (on every stack)."""

    scan_limit_gb: Annotated[int, Field(ge=1, le=100_000)] = Field(
        default=100,
        description="A query that would scan more than this many GiB is cancelled (Athena's "
        "bytes-scanned cutoff per query; at $5 per TB scanned, 100 GiB is about $0.49).",
    )
    results_retention_days: Annotated[int, Field(ge=1, le=3650)] = Field(
        default=7,
        description="Days Athena's query results (a copy of each training set's features, under "
        "athena-results/ in the artifact bucket) are kept; the training pipeline copies what it needs "
        "within its run. Their replaced versions go a day later. The rule is on every stack (one that "
        "stops training from feature groups still expires what it wrote).",
    )


def _validate_cidr(value: str) -> str:
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except ValueError as error:
        raise ValueError(
            f"'{value}' is not an IPv4 network in CIDR form such as 10.20.0.0/16 ({error})"
        ) from None
    if not network.is_private:
        raise ValueError(f"'{value}' is not a private (RFC 1918) range")
    return str(network)


def _validate_log_retention(value: int) -> int:
    if value not in LOG_RETENTION_DAYS:
        raise ValueError(
            f"{value} is not a CloudWatch Logs retention; allowed: {', '.join(map(str, LOG_RETENTION_DAYS))}"
        )
    return value
