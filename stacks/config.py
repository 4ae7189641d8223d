"""The typed configuration of one platform stack, and the errors bad configuration produces.

A stack file (``stacks/Pulumi.<stack>.yaml``) holds one structured value under the key
``mlops-platform:platform``. :func:`parse_platform_config` merges the environment defaults from
``stacks.defaults`` under it and validates the result with :class:`PlatformConfig` (strict types,
unknown keys rejected). Every problem becomes one line of a :class:`ConfigError` that names the
stack file and the dotted key path and says what is allowed.

Later capabilities plug in by adding a section model in their own module and a field here; the
loader, the error rendering and the defaults merge need no change.
"""

from __future__ import annotations

import functools
import ipaddress
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Final, TypeGuard, get_origin

from pydantic import (
    BaseModel,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from components.data.dvc_remote_spec import DvcRemoteSpec
from components.data.feature_store_spec import FeatureGroupSpec
from components.experiments.experiment_tracking_spec import (
    ExperimentTrackingSpec,
    tracking_server_arn,
    tracking_server_name,
)
from components.foundation.audit_trail_spec import AuditTrailSpec
from components.kubernetes.kubernetes_monitoring_spec import KubernetesMonitoringSpec
from components.kubernetes.kubernetes_serving_spec import LABEL_RULES, KubernetesServingSpec, invalid_labels
from components.limits import (
    LOG_RETENTION_DAYS,
    MAX_TAGS_PER_RESOURCE,
    SPEC_CONFIG,
    aws_tag_problem,
    case_collision,
    case_collision_problem,
    fail_at,
    fail_at_each,
)
from components.naming import prefixed
from components.observability.alarm_thresholds import MAX_DRIFT_FEATURES
from components.observability.alert_subscription import AlertSubscription, duplicate_subscription
from components.observability.budget_spec import BudgetSpec
from components.observability.explainability_config import TemplateError, read_template
from components.observability.model_quality_spec import quality_alarms_problems, quality_metric_problem
from components.observability.monitoring_spec import DriftFeatures, MonitoringSpec
from components.prebuilt_images import (
    ANALYZER,
    CLARIFY,
    DISTRIBUTION,
    prebuilt_region_problem,
    regions_with_all,
)
from components.registry.model_family_spec import ApprovalMode, ModelFamilySpec, consumer_accounts_problem
from components.serving.batch_scoring_spec import EVIDENTLY_NEEDS_CSV, BatchScoringSpec, is_csv
from components.serving.inference_endpoint_spec import (
    DataCaptureSpec,
    DeploymentSpec,
    EndpointSpec,
    VariantSpec,
    dotted_key,
    joined_name_collision,
    joined_names,
)
from components.serving.shared_endpoint_spec import SharedEndpointSpec
from components.serving.triton import triton_region_problem
from components.training.definition import (
    MAX_CONTAINER_ARGUMENTS,
    TRACK_FIXED_ARGUMENTS,
    tracking_argument_count,
)
from components.training.evidently import EvidentlySpec
from components.training.frameworks import framework_problems, instance_problems
from components.training.training_spec import COMPUTE_KEYS, FamilyTrainingSpec, TrainingSpec
from stacks import naming
from stacks.arns import Arn, ArnError, parse_model_package_group_arn, parse_model_package_version_arn
from stacks.aws_regions import PARTITION as STACK_PARTITION
from stacks.aws_regions import SAGEMAKER_REGIONS, usable_zone_count, zones_of
from stacks.defaults import ENVIRONMENT_DEFAULTS, ENVIRONMENTS, REQUIRED_TAG_KEYS, Environment, merge_defaults
from stacks.delivery_config import DeliveryConfig, delivery_problems
from stacks.input_limits import ECHO_LIMIT, echo, listed, lists_said_once, shorten, structure_problems
from stacks.model_cards import ModelCardSpec
from stacks.partial_validation import isolated, model_check_errors, partial_instance, refused

# The project's names live in stacks.project (the recorder needs them without this model); still
# importable from here, as they always were.
from stacks.project import CONFIG_KEY
from stacks.project import KUBECONFIG_KEY as KUBECONFIG_KEY
from stacks.project import PROJECT as PROJECT

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

# Keys the loader fills in when a stack file leaves them out, and from what (shown in the reference).
LOADER_DEFAULTS: Final[dict[str, str]] = {
    "name_prefix": "the stack's name",
    **{f"models[].training.{key}": f"the stack's `training.{key}`" for key in COMPUTE_KEYS},
}

PLATFORM_TAG_KEYS: Final[tuple[str, ...]] = ("environment", "managed-by", "stack")
"""Tags the platform adds to every resource (:attr:`PlatformConfig.resource_tags`); ``stack`` (the
name prefix, unique in an account) is what the stack's budget and cost anomaly monitor filter on."""
COMPONENT_TAG_PREFIX: Final = "mlops:"
"""Components add at most one tag of their own to a resource (``mlops:endpoint``, ``mlops:model-family``,
``mlops:feature-group``)."""
MAX_STACK_TAGS: Final = MAX_TAGS_PER_RESOURCE - len(PLATFORM_TAG_KEYS) - 1


class ConfigError(Exception):
    """Invalid stack configuration. ``str()`` is the complete, user-facing message.

    It is bounded whatever the input: at most :data:`MAX_PROBLEMS_SHOWN` problems, each key path
    and message cut short (a 5 MB value never floods a terminal or a CI log) past bounds no message
    the platform composes reaches (:data:`MAX_MESSAGE_CHARS`): those echo values
    (:func:`~stacks.input_limits.echo`) and list names (:func:`~stacks.input_limits.listed`) bounded.
    Each such list is said once per file (:func:`~components.text_limits.lists_said_once`): the
    first problem holding it lists it, the later ones say ``listed at <its key>``, so 500 unknown
    keys of one map list the keys allowed there once.
    """

    def __init__(
        self, source: str, problems: list[tuple[str, str]], *, sources: Sequence[str] | None = None
    ) -> None:
        self.source = source
        self.sources: tuple[str, ...] = tuple(sources) if sources is not None else (source,) * len(problems)
        """The file of each of ``problems`` (``source`` unless :meth:`joined` gathered several files')."""
        # Each list of names (the stack's families, a map's allowed keys...) said once per file,
        # the later problems pointing to the key of the first: whichever check listed it.
        said = lists_said_once(
            [
                (where, _shown_key(path), message)
                for where, (path, message) in zip(self.sources, problems, strict=True)
            ],
            MAX_PROBLEMS_SHOWN,
            MAX_MESSAGE_CHARS,
        )
        self.problems = [(path, message) for (path, _), message in zip(problems, said, strict=True)]
        """The problems as shown, each list of names said once (later ones ``listed at <key>``)."""
        self.written: list[tuple[str, str]] = list(problems)
        """The problems as the checks wrote them, each list whole: what a caller that rewrites,
        drops, adds or compares problems starts from (the new error says the lists once again
        over its own problems, so no pointer is left to a problem rewritten or dropped, and the
        same problem found by two validations reads alike)."""
        problems = self.problems
        lines = [
            f"{source}: invalid configuration ({len(problems)} problem{'s' if len(problems) != 1 else ''})"
        ]
        lines += [
            f"  {where}: {_one_line(shorten(path, 160)) or '<file>'}: {_one_line(shorten(message, MAX_MESSAGE_CHARS))}"
            for where, (path, message) in zip(
                self.sources[:MAX_PROBLEMS_SHOWN], problems[:MAX_PROBLEMS_SHOWN], strict=True
            )
        ]
        if len(problems) > MAX_PROBLEMS_SHOWN:
            lines.append(f"  {source}: … and {len(problems) - MAX_PROBLEMS_SHOWN} more problems")
        super().__init__("\n".join(lines))

    @classmethod
    def joined(cls, source: str, errors: Sequence[ConfigError]) -> ConfigError:
        """The problems of ``errors`` (found reading stack file ``source`` and the files beside it,
        such as ``Pulumi.yaml``) as one error, each problem naming its own file; the one error
        itself when there is one."""
        if len(errors) == 1:
            return errors[0]
        problems = [problem for error in errors for problem in error.written]
        return cls(source, problems, sources=[where for error in errors for where in error.sources])


MAX_PROBLEMS_SHOWN: Final = 50
MAX_MESSAGE_CHARS: Final = 4_000
"""A problem's message is cut past this: a bound against floods (a validator quoting a huge value
whole), above the longest message the platform composes from bounded parts (an explainability
template's faults are each a problem; a list of names (:func:`~stacks.input_limits.listed`) is cut
at 30 names of at most 80 characters each; an encrypted leaf's note wraps another message): 1,000
cut such messages."""


def _not_a_family(family: str, families: Iterable[str]) -> str:
    """``'<family>' is not a model family of this stack (<the stack's families>)``: the families
    listed (:func:`listed`), so said once per file (:class:`ConfigError`)."""
    return f"'{family}' is not a model family of this stack ({listed(sorted(families)) or 'none'})"


def _shown_key(path: str) -> str:
    """A problem's key as a later problem points to it: as shown, less the platform value's key."""
    return _one_line(shorten(path, 160)).removeprefix(f"{CONFIG_KEY}.") or "<file>"


def _one_line(text: str) -> str:
    """One problem, one line: line breaks inside an echoed value are shown escaped."""
    return text.replace("\r", "\\r").replace("\n", "\\n")


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


class ModelFamilyConfig(ModelFamilySpec):
    """A model family of the stack: its registry entry, and how it trains."""

    training: FamilyTrainingSpec | None = Field(
        default=None,
        description="How the family trains (its code folder, framework, schema, metrics); required in a "
        "stack that trains (training.enabled). The stack's training compute applies where it is silent.",
    )
    model_card: ModelCardSpec | None = Field(
        default=None,
        description="What each approved version's SageMaker Model Card says of the family (intended use, "
        "risk rating); `pipelines.promotion` adds the version's training details and evaluation metrics. "
        "Required where `model_registry.require_model_card`.",
    )
    quality_alarms: dict[str, float] = Field(
        default_factory=dict,
        description="Model-quality metric -> threshold: an alarm each on the endpoints serving the family, "
        "paging the alert topic (and retraining the family where `training.drift_retraining`) when the "
        "metric is worse: `auc`, `f1`, `accuracy`... below it, `mae`, `rmse`, `mse` above it (`r2` below). "
        "Metrics of the family's problem type (docs/monitoring.md); needs `monitoring.model_monitors.model_quality` (with `monitoring.enabled` false there are no alarms).",
    )
    drift_features: DriftFeatures | None = Field(
        default=None,
        description="Features the drift alarm of each endpoint monitored as the family watches, in place of "
        "`monitoring.drift_features` (one list for the whole stack) and of the inputs derived from its "
        "feature group: for a stack serving families of different features, or one whose family has no "
        "feature group of this stack. `[]`: no drift alarm on its endpoints (the plan warns).",
    )
    batch_scoring: BatchScoringSpec | None = Field(
        default=None,
        description="Scheduled batch scoring of `batch-input/<family>/` (datasets bucket) into "
        "`batch-output/<family>/<execution id>/` with the family's latest Approved (or a pinned) "
        "version: a network-isolated transform job in the private subnets (docs/batch-scoring.md).",
    )

    evidently: EvidentlySpec | None = Field(
        default=None,
        description="An Evidently drift and data-quality report of the family's data against its reference "
        "dataset: in the training pipeline (the run's training features) and the batch-scoring pipeline "
        "(the batch input), HTML and JSON under the execution's prefix, `DriftedColumnsShare` and "
        "`DatasetDrift` to CloudWatch, an alarm to the alert topic (docs/evidently.md). Needs `training` "
        "(with `training.enabled`) or `batch_scoring`.",
    )

    explainability_config: str | None = Field(
        default=None,
        description="Path (relative to the project directory, where Pulumi.yaml is) of the family's Clarify "
        "analysis config template for the explainability monitor (`monitoring.model_monitors.explainability`): "
        "JSON with `headers`, `methods.shap` and a `predictor` giving the shadow endpoint's `instance_type` and "
        "`initial_instance_count` and the `content_type` the model takes (inferred for a CSV model; `accept_type`... where needed), without "
        "`model_name` or `endpoint_name`; a SHAP `baseline` is rows or a file name, read in each stack at "
        "`baselines/<group>/model_explainability/<name>`, never an `s3://` URI. The platform writes each "
        "endpoint serving the family its own copy naming the model the endpoint serves, rewritten at each "
        "deploy (docs/monitoring.md). Required for each family an endpoint with that monitor is monitored as.",
    )

    @field_validator("explainability_config")
    @classmethod
    def _readable_template(cls, value: str | None, info: ValidationInfo) -> str | None:
        """Read and checked here, so a bad template stops the plan before anything is created; relative
        to the project directory, as ``training.code``."""
        if value is None:
            return None
        root = Path((info.context or {}).get("project_dir") or Path.cwd())
        path = Path(value) if Path(value).is_absolute() else root / value
        # With the template's other faults: headers naming the label or an identifier (a family whose
        # training failed its own checks is not in info.data; that fault is named there).
        training = info.data.get("training")
        try:
            read_template(path, (training.label, *training.identifiers) if training is not None else ())
        except TemplateError as error:  # each fault its own problem: one line each, none cut short
            fail_at_each("ModelFamilyConfig", [((), value, problem) for problem in error.problems])
        return value if root.resolve() == Path.cwd().resolve() else str(path)

    @field_validator("quality_alarms")
    @classmethod
    def _known_quality_metrics(cls, value: dict[str, float]) -> dict[str, float]:
        for metric, problem in quality_alarms_problems(value):
            fail_at("ModelFamilyConfig", (metric,), value[metric], problem)
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


class PlatformConfig(_Section):
    """The whole ``mlops-platform:platform`` value of one stack, after environment defaults."""

    environment: Environment = Field(
        description="Selects the environment defaults (stacks/defaults.py) and the policy pack's "
        "configuration (policies/<environment>.json). Any number of stacks may share an environment."
    )
    name_prefix: str = Field(
        description="Starts every physical name the platform sets (endpoints, feature groups, model package "
        "groups, pipelines, alarms, KMS aliases, role paths...), so stacks sharing an account never collide. "
        f"Default: the stack's name. Lower-case letters, digits and hyphens, at most {naming.MAX_NAME_PREFIX_LENGTH}."
    )
    region: str = Field(
        description="AWS region of every resource (commercial partition, SageMaker available)."
    )
    account_id: Annotated[str, Field(pattern=r"^[0-9]{12}$")] = Field(
        description="The 12-digit AWS account this stack may deploy to (quote it); the provider refuses any other."
    )
    tags: dict[str, str] = Field(
        description=f"Cost-allocation tags on every resource; must include {', '.join(REQUIRED_TAG_KEYS)}. "
        f"At most {MAX_STACK_TAGS} (AWS allows {MAX_TAGS_PER_RESOURCE} per resource, the platform adds "
        f"{', '.join(PLATFORM_TAG_KEYS)} and one `{COMPONENT_TAG_PREFIX}*` tag); keys 1-128 and values "
        "0-256 letters, digits, spaces or `_.:/=+-@` (at least 1 where the stack creates its audit trail: "
        "CloudTrail refuses an empty value); keys starting with `aws:` or "
        f"`{COMPONENT_TAG_PREFIX}` are reserved, and keys may not differ only in case (IAM)."
    )
    network: NetworkConfig
    storage: StorageConfig = StorageConfig()
    encryption: EncryptionConfig = EncryptionConfig()
    audit_trail: AuditTrailSpec = Field(
        default=AuditTrailSpec(),
        description="A CloudTrail trail: the account's management events and the datasets and artifact "
        "buckets' object events, log files validated, KMS-encrypted, in a locked-down bucket "
        "(docs/architecture.md, Audit trail).",
    )
    trusted_image_registry_accounts: list[Annotated[str, Field(pattern=r"^[0-9]{12}$")]] = Field(
        default_factory=list,
        description="Accounts (besides this one) whose ECR images the execution roles may pull. AWS's "
        "SageMaker images the stack runs (framework, Model Monitor, Clarify, SageMaker Distribution) "
        "need no entry: each role may pull exactly those repositories. A model version of another "
        "account's registry needs its image's registry here.",
    )
    feature_groups: list[FeatureGroupSpec] = Field(
        default_factory=list,
        description="Feature groups of the feature store (docs/architecture.md, Feature store).",
    )
    feature_queries: FeatureQueriesConfig = Field(
        default=FeatureQueriesConfig(),
        description="Athena workgroup of the training pipelines' offline-store reads "
        "(docs/feature-store.md): the workgroup only where a family trains from a feature group, "
        "results_retention_days on every stack's artifact bucket.",
    )
    dvc_remote: DvcRemoteSpec = Field(
        default=DvcRemoteSpec(),
        description="A DVC remote under a prefix of the datasets bucket, with a role scoped to it "
        "(docs/ecosystem.md, DVC).",
    )
    model_registry: ModelRegistryConfig = ModelRegistryConfig()
    models: list[ModelFamilyConfig] = Field(
        default_factory=list,
        description="Model families: one model package group each (docs/architecture.md, Model registry).",
    )
    experiment_tracking: ExperimentTrackingSpec = ExperimentTrackingSpec()
    training: TrainingSpec = Field(
        default=TrainingSpec(), description="Continuous training: one SageMaker pipeline per model family."
    )
    endpoint_defaults: EndpointDefaults = EndpointDefaults()
    endpoints: list[EndpointSpec] = Field(
        default_factory=list,
        description="SageMaker inference endpoints (docs/architecture.md, Inference endpoints).",
    )
    shared_endpoints: list[SharedEndpointSpec] = Field(
        default_factory=list,
        description="Endpoints hosting several models as inference components on one fleet of instances, "
        "each with its own compute, copies and scaling (docs/shared-endpoints.md).",
    )
    alerts: AlertsConfig = AlertsConfig()
    budget: BudgetSpec = Field(
        default=BudgetSpec(),
        description="Cost guardrails: a monthly AWS Budget and a Cost Anomaly Detection monitor on the "
        "stack's `stack` tag, paging the alert topic, and the stack's cost-allocation tags (docs/cost.md).",
    )
    kubernetes_serving: KubernetesServingConfig = KubernetesServingConfig()
    monitoring: MonitoringSpec = Field(
        default=MonitoringSpec(),
        description="Model Monitor data-quality checks of endpoints that capture data.",
    )
    protect_stateful_resources: bool = Field(
        default=True, description="Protect and retain keys and buckets (on by default outside dev)."
    )
    delivery: DeliveryConfig = DeliveryConfig()

    @field_validator("name_prefix")
    @classmethod
    def _valid_prefix(cls, value: str) -> str:
        problem = naming.name_prefix_problem(value)
        if problem:
            raise ValueError(f"'{value}': {problem}")
        return value

    @field_validator("region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        if value not in SAGEMAKER_REGIONS:
            raise ValueError(
                f"'{value}' is not an AWS commercial region with SageMaker; allowed: {', '.join(sorted(SAGEMAKER_REGIONS))}"
            )
        return value

    @field_validator("tags")
    @classmethod
    def _valid_tags(cls, value: dict[str, str]) -> dict[str, str]:
        missing = [key for key in REQUIRED_TAG_KEYS if not value.get(key, "").strip()]
        if missing:
            raise ValueError(f"missing required tag(s) {', '.join(missing)}")
        if len(value) > MAX_STACK_TAGS:
            raise ValueError(
                f"{len(value)} tags; AWS allows {MAX_TAGS_PER_RESOURCE} per resource and the platform adds "
                f"up to {MAX_TAGS_PER_RESOURCE - MAX_STACK_TAGS} ({', '.join(PLATFORM_TAG_KEYS)} and one "
                f"{COMPONENT_TAG_PREFIX}* tag), so a stack sets at most {MAX_STACK_TAGS}"
            )
        for key, tag_value in value.items():
            problem = tag_problem(key, tag_value)
            if problem:
                fail_at("tags", (key,), tag_value, problem)
        for key in value:
            if key.lower() in PLATFORM_TAG_KEYS:
                fail_at("tags", (key,), value[key], f"tag '{key.lower()}' is set by the platform; remove it")
        # IAM (every role carries these tags) refuses keys that differ only in case.
        collision = case_collision(value)
        if collision:
            fail_at("tags", (collision[1],), value[collision[1]], case_collision_problem(*collision))
        return value

    @field_validator("feature_groups", "models", "endpoints", "shared_endpoints")
    @classmethod
    def _unique_names(cls, value: list[Any]) -> list[Any]:
        # SageMaker names are case-insensitive (its ARNs are lower-case): Churn and churn collide.
        names = [item.name.lower() for item in value]
        duplicates = sorted({item.name for item in value if names.count(item.name.lower()) > 1})
        if duplicates:
            raise ValueError(
                f"duplicate name(s) {listed(duplicates)}; names must be unique, whatever their case"
            )
        return value

    @model_validator(mode="after")
    def _joined_names_are_distinct(self) -> PlatformConfig:
        """Children of an endpoint are named ``<endpoint>-<variant>[-<action>]`` (Pulumi resources,
        alarms): endpoint ``a-b`` with variant ``c`` and endpoint ``a`` with variant ``b-c`` would
        register the same resources twice (duplicate URNs) and share alarm names."""
        seen: dict[str, str] = {}
        problems: list[tuple[tuple[str | int, ...], object, str]] = []
        for index, endpoint in enumerate(self.endpoints):
            for name, within in joined_names(endpoint):
                location = ("endpoints", index, *within)
                if name.lower() in seen:
                    problems.append((location, name, joined_name_collision(name, seen[name.lower()])))
                seen[name.lower()] = dotted_key(location)
        fail_at_each("PlatformConfig", problems)
        return self

    @model_validator(mode="after")
    def _trail_tags_have_values(self) -> PlatformConfig:
        """The audit trail carries the stack's tags, and CloudTrail refuses a tag with an empty
        value (its TagValue is 1-256 characters) where every other service takes one."""
        if self.audit_trail.creates_trail:
            fail_at_each(
                "PlatformConfig",
                [
                    (
                        ("tags", key),
                        value,
                        f"tag '{key}' has an empty value, which CloudTrail refuses on the audit trail "
                        "(every resource carries the stack's tags): give it a value, or remove the tag",
                    )
                    for key, value in self.tags.items()
                    if value == ""
                ],
            )
        return self

    @model_validator(mode="after")
    def _consumer_accounts_fit_the_bucket_policy(self) -> PlatformConfig:
        """Every family's consumer accounts are named in the one artifacts bucket policy (S3: 20 KB)."""
        problem = consumer_accounts_problem(self.models)
        if problem:
            index, message = problem
            fail_at(
                "PlatformConfig",
                ("models", index, "consumer_accounts"),
                self.models[index].consumer_accounts,
                f"{message}. Share with fewer accounts, or deploy from fewer (a staging and a prod account "
                "per family)",
            )
        return self

    @model_validator(mode="after")
    def _tracked_runs_fit_one_job(self) -> PlatformConfig:
        """With experiment tracking, each family's TrackExperiment step passes its hyperparameters,
        label and metrics as container arguments: a processing job takes 100."""
        if not (self.experiment_tracking.enabled and self.trains_models):
            return self
        problems: list[tuple[tuple[str | int, ...], object, str]] = []
        for index, family in enumerate(self.models):
            training = family.training
            if training is None:
                continue
            count = tracking_argument_count(training.hyperparameters, training.metrics)
            if count > MAX_CONTAINER_ARGUMENTS:
                most = (MAX_CONTAINER_ARGUMENTS - TRACK_FIXED_ARGUMENTS) // 2
                problems.append(
                    (
                        ("models", index, "training", "hyperparameters"),
                        training.hyperparameters,
                        f"with experiment_tracking enabled, TrackExperiment passes each hyperparameter, the label "
                        f"and each of the {len(training.metrics)} metrics as two container arguments: {count} with "
                        f"its {TRACK_FIXED_ARGUMENTS} others, and a processing job takes {MAX_CONTAINER_ARGUMENTS} "
                        f"(at most {most} hyperparameters, label and metrics together)",
                    )
                )
        fail_at_each("PlatformConfig", problems)
        return self

    @model_validator(mode="after")
    def _rollouts_bake_long_enough(self) -> PlatformConfig:
        bake = self.endpoint_defaults.minimum_bake_seconds
        waits = [
            (
                ("endpoints", index, "deployment", "wait_interval_seconds"),
                endpoint.deployment.wait_interval_seconds,
            )
            for index, endpoint in enumerate(self.endpoints)
        ] + [
            (("shared_endpoints", index, "update_wait_seconds"), shared.update_wait_seconds)
            for index, shared in enumerate(self.shared_endpoints)
        ]
        fail_at_each(
            "PlatformConfig",
            [
                (
                    location,
                    seconds,
                    f"bakes {seconds} s, under endpoint_defaults.minimum_bake_seconds ({bake}): a rollback alarm "
                    "sees a per-minute metric, so a shorter bake shifts traffic before it can judge the new fleet",
                )
                for location, seconds in waits
                if seconds < bake
            ],
        )
        return self

    @model_validator(mode="after")
    def _endpoints_meet_the_minimum(self) -> PlatformConfig:
        minimum = self.endpoint_defaults.minimum_instances
        fail_at_each(
            "PlatformConfig",
            [
                (
                    ("endpoints", index, "variants", position, *_below_the_minimum(variant, minimum)),
                    variant.minimum_instances,
                    f"variant '{variant.name}' runs fewer than endpoint_defaults.minimum_instances ({minimum}) "
                    "instances; raise initial_instance_count, scaling.min_capacity and every scheduled "
                    "min_capacity, or lower the minimum",
                )
                for index, endpoint in enumerate(self.endpoints)
                for position, variant in enumerate(endpoint.variants)
                if variant.serverless is None and variant.minimum_instances < minimum
            ],
        )
        return self

    @model_validator(mode="after")
    def _endpoints_follow_families_of_the_stack(self) -> PlatformConfig:
        families = {model.name for model in self.models}
        fail_at_each(
            "PlatformConfig",
            [
                (
                    ("endpoints", index, kind, position, "model", "latest_approved_of"),
                    family,
                    f"{_not_a_family(family, families)}; use a group ARN for another account's registry",
                )
                for index, endpoint in enumerate(self.endpoints)
                for kind in ("variants", "shadow_variants")
                for position, variant in enumerate(getattr(endpoint, kind))
                if (family := variant.model.latest_approved_of)
                and family not in families
                and not family.startswith("arn:")
            ],
        )
        return self

    @model_validator(mode="after")
    def _shared_endpoint_names_are_apart(self) -> PlatformConfig:
        """Shared endpoints' names apart from the endpoints' (both are SageMaker endpoints)."""
        endpoints = {endpoint.name.lower(): index for index, endpoint in enumerate(self.endpoints)}
        fail_at_each(
            "PlatformConfig",
            [
                (
                    ("shared_endpoints", index, "name"),
                    shared.name,
                    f"'{shared.name}' is also endpoints[{endpoints[shared.name.lower()]}]'s name: both would be "
                    "the same SageMaker endpoint",
                )
                for index, shared in enumerate(self.shared_endpoints)
                if shared.name.lower() in endpoints
            ],
        )
        return self

    @model_validator(mode="after")
    def _shared_endpoints_meet_the_minimum(self) -> PlatformConfig:
        minimum = self.endpoint_defaults.minimum_instances
        fail_at_each(
            "PlatformConfig",
            [
                (
                    ("shared_endpoints", index)
                    + (
                        ("managed_scaling", "min_instances")
                        if shared.managed_scaling
                        else ("initial_instance_count",)
                    ),
                    shared.min_instances,
                    f"shared endpoint '{shared.name}' runs fewer than endpoint_defaults.minimum_instances "
                    f"({minimum}) instances",
                )
                for index, shared in enumerate(self.shared_endpoints)
                if shared.min_instances < minimum
            ],
        )
        return self

    @model_validator(mode="after")
    def _shared_endpoints_follow_families_of_the_stack(self) -> PlatformConfig:
        families = {model.name for model in self.models}
        fail_at_each(
            "PlatformConfig",
            [
                (
                    ("shared_endpoints", index, "components", position, "model", "latest_approved_of"),
                    family,
                    f"{_not_a_family(family, families)}; use a group ARN for another account's registry",
                )
                for index, shared in enumerate(self.shared_endpoints)
                for position, component in enumerate(shared.components)
                if (family := component.model.latest_approved_of)
                and family not in families
                and not family.startswith("arn:")
            ],
        )
        return self

    @model_validator(mode="after")
    def _tags_are_labels_where_kubernetes_serves(self) -> PlatformConfig:
        if not self.kubernetes_serving.servings:
            return self
        problems: list[tuple[tuple[str | int, ...], object, str]] = []
        for key, value in self.tags.items():
            if invalid_labels({key: value}):
                label = "value" if not invalid_labels({key: "x"}) else "key"
                problems.append(
                    (
                        ("tags", key),
                        value,
                        f"{key if label == 'key' else value!r} is not a valid Kubernetes label {label}, which "
                        f"kubernetes_serving needs every tag to be ({LABEL_RULES})",
                    )
                )
        fail_at_each("PlatformConfig", problems)
        return self

    @model_validator(mode="after")
    def _servings_follow_families_of_the_stack(self) -> PlatformConfig:
        families = {model.name for model in self.models}
        fail_at_each(
            "PlatformConfig",
            [
                (
                    ("kubernetes_serving", "servings", index, "latest_approved_of"),
                    spec.latest_approved_of,
                    _not_a_family(spec.latest_approved_of, families),
                )
                for index, spec in enumerate(self.kubernetes_serving.servings)
                if spec.latest_approved_of is not None and spec.latest_approved_of not in families
            ],
        )
        return self

    @model_validator(mode="after")
    def _pod_identity_cluster_is_ours(self) -> PlatformConfig:
        # Alertmanager (alerting to SNS) and registry-backed servings (reading their artifact) use roles
        # EKS Pod Identity binds on the cluster: the associations are created with this stack's AWS
        # provider, so the cluster must be in its account and region.
        serving = self.kubernetes_serving
        needs = ["monitoring.alerting.destination sns"] if self.kubernetes_alerts_to_sns else []
        needs += [
            f"servings[{index}].latest_approved_of"
            for index, spec in enumerate(serving.servings)
            if spec.latest_approved_of is not None
        ]
        if not needs:
            return self
        where = ("kubernetes_serving", "cluster_arn")
        if serving.cluster_arn is None:
            fail_at(
                "PlatformConfig",
                where,
                None,
                f"{needs[0]} needs the cluster's ARN: its IAM role is bound to a service account by an EKS "
                "Pod Identity association on that cluster",
            )
        _, _, _, region, account, _ = serving.cluster_arn.split(":", 5)
        if (region, account) != (self.region, self.account_id):
            fail_at(
                "PlatformConfig",
                where,
                serving.cluster_arn,
                f"{needs[0]} needs a cluster in this stack's account and region ({self.account_id}, "
                f"{self.region}): its EKS Pod Identity association is created there",
            )
        return self

    @property
    def kubernetes_alerts_to_sns(self) -> bool:
        """Whether Alertmanager on the cluster publishes to the stack's alert topic."""
        monitoring = self.kubernetes_serving.monitoring
        return (
            monitoring is not None
            and monitoring.alerting is not None
            and monitoring.alerting.destination == "sns"
        )

    @model_validator(mode="after")
    def _zones_in_region(self) -> PlatformConfig:
        zones = self.network.availability_zones or []
        problems: list[tuple[tuple[str | int, ...], object, str]] = [
            (
                ("network", "availability_zones", index),
                zone,
                f"'{zone}' is not an availability zone of region {self.region}; it has "
                f"{', '.join(zones_of(self.region))}",
            )
            for index, zone in enumerate(zones)
            if zone not in zones_of(self.region)
        ]
        duplicates = sorted({zone for zone in zones if zones.count(zone) > 1})
        if duplicates:
            problems.append(
                (
                    ("network", "availability_zones"),
                    zones,
                    f"zone(s) {', '.join(duplicates)} listed twice; each private subnet needs its own zone",
                )
            )
        usable = usable_zone_count(self.region)
        if self.network.existing_vpc is None and self.network.az_count > usable:
            problems.append(
                (
                    ("network", "az_count"),
                    self.network.az_count,
                    f"region {self.region} offers an account {usable} availability zones; az_count is "
                    f"{self.network.az_count}",
                )
            )
        fail_at_each("PlatformConfig", problems)
        return self

    @property
    def resource_tags(self) -> dict[str, str]:
        """The tags every taggable resource carries."""
        platform = dict(zip(PLATFORM_TAG_KEYS, (self.environment, "pulumi", self.name_prefix), strict=True))
        return {**self.tags, **platform}

    # -- physical names (stacks.naming) ------------------------------------------------------
    def physical_name(self, name: str) -> str:
        """``<name_prefix>-<name>``."""
        return prefixed(self.name_prefix, name)

    def model_package_group(self, family: str) -> str:
        """The model package group a ``latest_approved_of`` value names: a family of this stack by
        its prefixed group name, another account's group (an ARN) as it is."""
        return family if family.startswith("arn:") else self.physical_name(family)

    def endpoint_name(self, endpoint: str) -> str:
        """The SageMaker endpoint's name (what clients invoke) for ``endpoints[].name``."""
        return self.physical_name(endpoint)

    @property
    def trains_models(self) -> bool:
        """Whether this stack has a training pipeline per model family."""
        return self.training.enabled and bool(self.models)

    @property
    def feature_training(self) -> list[tuple[int, FeatureGroupSpec]]:
        """(model index, feature group) of each trained family that reads a feature group of this
        stack (``models[].training.data.feature_group``); the cross checks report a missing group."""
        if not self.trains_models:
            return []
        groups = {group.name: group for group in self.feature_groups}
        return [
            (index, groups[family.training.data.feature_group])
            for index, family in enumerate(self.models)
            if family.training is not None
            and family.training.data is not None
            and family.training.data.feature_group in groups
        ]

    @property
    def role_path(self) -> str:
        """IAM path of every role of this stack; its KMS key policies trust exactly this path."""
        return naming.role_path(self.name_prefix)

    @property
    def computes_model_monitor_baselines(self) -> bool:
        """Whether the training pipelines run Model Monitor's baselining jobs and register their
        baselines: ``training.model_monitor_baselines``; unset, as ``monitoring.model_monitor``, and
        always while a family shares its versions with other accounts (``consumer_accounts``), whose
        monitors read the baselines those versions register."""
        explicit = self.training.model_monitor_baselines
        if explicit is not None:
            return explicit
        return self.monitoring.model_monitor or any(family.consumer_accounts for family in self.models)

    @property
    def live_drift_endpoints(self) -> list[EndpointSpec]:
        """Endpoints whose captured traffic gets an Evidently live-drift pipeline: monitoring on,
        ``monitoring.evidently`` on, and traffic captured."""
        if not (self.monitoring.enabled and self.monitoring.evidently):
            return []
        return [spec for spec in self.endpoints if spec.data_capture.enabled]

    @property
    def monitored_endpoints(self) -> list[EndpointSpec]:
        """Endpoints that get Model Monitor schedules (and a drift alarm): monitoring on, Model
        Monitor on, and traffic captured. Every endpoint gets the other alarms while monitoring is on."""
        if not (self.monitoring.enabled and self.monitoring.model_monitor):
            return []
        return [spec for spec in self.endpoints if spec.data_capture.enabled]

    def drift_features_of(self, family: str) -> list[str]:
        """The features the drift alarm of an endpoint monitored as ``family`` (:func:`monitored_family_of`)
        watches: the family's ``drift_features``, else ``monitoring.drift_features``, else
        :meth:`derived_drift_features`."""
        model = next((model for model in self.models if model.name == family), None)
        if model is not None and model.drift_features is not None:
            return list(model.drift_features)
        if self.monitoring.drift_features is not None:
            return list(self.monitoring.drift_features)
        return self.derived_drift_features(family)

    def derived_drift_features(self, family: str) -> list[str]:
        """The features an endpoint serving ``family`` (a ``latest_approved_of`` value) gets a drift
        alarm on without ``monitoring.drift_features``: the model inputs of its feature group, the
        one it trains from (``training.data.feature_group``, its ``columns`` where set), else the one
        of its name; never the record identifier, event time, label or identifiers. ``[]`` for
        another account's group (an ARN names no family of this stack) and a family with neither."""
        model = next((model for model in self.models if model.name == family), None)
        training = model.training if model is not None else None
        data = training.data if training is not None else None
        source = data.feature_group if data is not None else family
        group = next((group for group in self.feature_groups if group.name == source), None)
        if group is None:
            return []
        keys = {group.record_identifier, group.event_time}
        if training is not None:
            keys |= {training.label, *training.identifiers}
        names = list(data.columns) if data is not None and data.columns else [f.name for f in group.features]
        return [name for name in names if name not in keys]


def model_family_of(spec: EndpointSpec) -> str:
    """The family an endpoint follows (its first production variant's ``latest_approved_of``: a
    family of this stack or another account's group ARN; a pinned version or an image by the
    endpoint's name): the one it retrains, and whose baselines folder its monitors fall back to."""
    return spec.variants[0].model.latest_approved_of or spec.name


def monitored_family_of(spec: EndpointSpec) -> str:
    """The family an endpoint is monitored and alarmed as (problem type, drift features, quality
    thresholds, live drift): the family of this stack its first production variant's ``family``
    names for another account's group, else :func:`model_family_of`. Never the one it retrains: a
    local family's training registers versions in this stack's group, which an endpoint following
    another account's group never serves."""
    return spec.variants[0].model.family or model_family_of(spec)


def _below_the_minimum(variant: VariantSpec, minimum: int) -> tuple[str | int, ...]:
    """The key of a variant's instance count that is below ``minimum``: its initial count, the
    autoscaler's minimum, or the first scheduled minimum."""
    if variant.initial_instance_count < minimum or variant.scaling is None:
        return ("initial_instance_count",)
    if variant.scaling.min_capacity < minimum:
        return ("scaling", "min_capacity")
    for number, action in enumerate(variant.scaling.scheduled):
        if action.min_capacity < minimum:
            return ("scaling", "scheduled", number, "min_capacity")
    return ()


def parse_platform_config(raw: Any, source: str) -> PlatformConfig:
    """Validate the raw ``mlops-platform:platform`` value of stack file ``source``.

    ``name_prefix`` defaults to the stack's name, taken from ``source`` (``Pulumi.<stack>.yaml``).
    Raises :class:`ConfigError` naming ``source`` and each offending dotted key.
    """
    if raw is None:
        raise ConfigError(source, [(CONFIG_KEY, "missing; the stack file must set this structured value")])
    if not isinstance(raw, Mapping):
        raise ConfigError(source, [(CONFIG_KEY, f"must be a map of settings, got {_type_name(raw)}")])
    # Bounded before anything walks it (a stack file is checked as it is read; a value from
    # elsewhere, such as the program's JSON, here): no consumer recurses too deep or for too long.
    bounds = [(_dotted(path), message) for path, message in structure_problems(raw)]
    if bounds:
        raise ConfigError(source, bounds)
    unset_prefix = None
    if "name_prefix" not in raw:
        # The stack's name, which fails name_prefix's own check where it cannot start names: that
        # field is then failed, reported as unset below, and the rest of the value still checked.
        unset_prefix = default_prefix_problem(source)
        raw = {**raw, "name_prefix": naming.stack_name_of(source)}
    context = {"project_dir": project_dir(source)}
    merged: dict[str, Any] = dict(raw)
    environment = raw.get("environment")
    defaults = _environment_defaults(environment)
    try:
        if defaults:
            merged = merge_defaults(defaults, merged)
        merged = _merge_training_defaults(_merge_endpoint_defaults(merged))
        config = PlatformConfig.model_validate(merged, context=context)
    except ValidationError as error:
        problems = _every_problem(error, raw, merged, context)
        if unset_prefix is not None:
            problems = [(key, unset_prefix[1] if key == unset_prefix[0] else text) for key, text in problems]
        raise ConfigError(source, problems) from None
    except _UNEXPECTED as error:  # a validator's own bug: still a message naming the key, no traceback
        raise ConfigError(source, [(_failing_key(merged, context), _unexpected(error))]) from None
    try:
        problems = [(f"{CONFIG_KEY}.{key}", message) for key, message in _cross_checks(config)]
    except _UNEXPECTED as error:
        raise ConfigError(source, [(CONFIG_KEY, _unexpected(error))]) from None
    if problems:
        raise ConfigError(source, problems)
    return config


def default_prefix_problem(source: str) -> tuple[str, str] | None:
    """The problem of a platform value of stack file ``source`` that leaves ``name_prefix`` unset,
    when the stack's name (its default) cannot start physical names: its key and message; None
    when the stack's name can."""
    stack = naming.stack_name_of(source)
    problem = naming.name_prefix_problem(stack)
    if problem is None:
        return None
    return (
        f"{CONFIG_KEY}.name_prefix",
        f"not set, so the stack's name '{stack}' would start every physical name, but it "
        f"cannot ({problem}); set name_prefix",
    )


def _every_problem(
    error: ValidationError, raw: Mapping[str, Any], merged: dict[str, Any], context: dict[str, Any]
) -> list[tuple[str, str]]:
    """The problems of a platform value that failed validation, in one round: the validation's own
    (every field, and each model's checks across its fields where those are valid), then each check
    across fields or sections that reads no value refused before it, run on what is left of the
    value (:mod:`stacks.partial_validation`): the models' checks (those the validation did not
    reach), then :data:`CROSS_CHECKS`. Each problem once."""
    errors: list[Any] = list(error.errors())
    document = refused(merged, [_error_location(merged, item) for item in errors])
    # An environment that failed chose no defaults: no value the file leaves out is known.
    known_defaults = bool(_environment_defaults(raw.get("environment")))
    partial = partial_instance(PlatformConfig, document, context) if known_defaults else None
    if partial is not None:
        later = list(model_check_errors(partial))
        if later:
            errors += later
            document = refused(document, [_error_location(merged, item) for item in later])
            partial = partial_instance(PlatformConfig, document, context)
    problems = _merge_branches(
        [(_describe(item, merged), len(_error_location(merged, item)) < len(item["loc"])) for item in errors]
    )
    problems = _with_value_sources(raw, raw.get("environment"), merged, errors, problems)
    if partial is not None:
        problems += [(f"{CONFIG_KEY}.{key}", message) for key, message in isolated(CROSS_CHECKS, partial)]
    return list(dict.fromkeys(problems))


# What a validator or helper raises on input it did not expect (pydantic turns only ValueError and
# AssertionError into validation errors): reported as a problem of the key, never as a traceback.
_UNEXPECTED = (TypeError, ValueError, LookupError, AttributeError, ArithmeticError, RecursionError)


def _unexpected(error: BaseException) -> str:
    return (
        f"cannot be validated ({type(error).__name__}: {shorten(str(error))}); this is a bug of the "
        "validation, please report it with this value"
    )


def _failing_key(merged: Mapping[str, Any], context: dict[str, Any]) -> str:
    """The section (or list item) whose validation alone raises unexpectedly; the whole value when
    only a check across sections does."""
    for name, field in PlatformConfig.model_fields.items():
        if name not in merged:
            continue
        try:
            # A type built at run time from the field's annotation and metadata: mypy checks only type
            # expressions written out in the source, so this one is Any to it.
            annotation: Any = (
                Annotated[field.annotation, *field.metadata] if field.metadata else field.annotation
            )
            TypeAdapter(annotation).validate_python(merged[name], context=context)
        except ValidationError:
            continue
        except _UNEXPECTED:
            try:
                return f"{CONFIG_KEY}.{name}{_failing_item(field.annotation, merged[name], context)}"
            except _UNEXPECTED:
                return f"{CONFIG_KEY}.{name}"
    return CONFIG_KEY


def _failing_item(annotation: Any, value: Any, context: dict[str, Any]) -> str:
    arguments = getattr(annotation, "__args__", ())
    if getattr(annotation, "__origin__", None) is not list or not isinstance(value, list) or not arguments:
        return ""
    item: TypeAdapter[Any] = TypeAdapter(arguments[0])
    for index, element in enumerate(value):
        try:
            item.validate_python(element, context=context)
        except ValidationError:
            continue
        except _UNEXPECTED:
            return f"[{index}]"
    return ""


def project_dir(source: str) -> Path:
    """The Pulumi project of stack file ``source``: its nearest folder holding Pulumi.yaml (Pulumi
    runs the program there), else the current directory. Paths in a stack file start here."""
    for folder in Path(source).resolve().parents:
        if (folder / "Pulumi.yaml").is_file():
            return folder
    return Path.cwd()


def _group_arn_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """The model ARNs of endpoint variants and shared endpoints' components, parsed field by field
    (the resolver and the IAM grants take their account, group and version from them):
    ``latest_approved_of`` naming another account's registry is a model package group ARN, a pinned
    ``model_package_arn`` a version's; either in the stack's region, where SageMaker creates the
    model (the resolver looks a group up there: another region's would read as never approved)."""
    models = [
        (f"endpoints[{index}].{kind}[{position}].model", variant.model)
        for index, endpoint in enumerate(config.endpoints)
        for kind in ("variants", "shadow_variants")
        for position, variant in enumerate(getattr(endpoint, kind))
    ] + [
        (f"shared_endpoints[{index}].components[{position}].model", component.model)
        for index, shared in enumerate(config.shared_endpoints)
        for position, component in enumerate(shared.components)
    ]
    # SageMaker names are case-insensitive and its ARNs lower-case (the console shows
    # model-package-group/prod-churn for family Churn): compare whatever the case.
    own_groups = {config.physical_name(family.name).lower(): family.name for family in config.models}
    for key, model in models:
        family, pinned = model.latest_approved_of, model.model_package_arn
        field = f"{key}.{'model_package_arn' if pinned else 'latest_approved_of'}"
        try:
            if pinned:
                arn = parse_model_package_version_arn(pinned).arn
            elif family and family.startswith("arn:"):
                group = parse_model_package_group_arn(family)
                arn = group.arn
                own = own_groups.get(group.group.lower())
                if own is not None and (arn.account, arn.region) == (config.account_id, config.region):
                    yield (
                        field,
                        f"this stack's own group of model family {own}: write latest_approved_of: {own}, "
                        "so the endpoint retrains the family and is monitored as it (an ARN is another "
                        "account's group, which this stack's training never registers into)",
                    )
                    continue
            else:
                continue
        except ArnError as error:
            yield field, str(error)
            continue
        if problem := _other_partition(arn):
            yield field, problem
        elif arn.region != config.region:
            yield (
                field,
                f"a model package in region {arn.region}; SageMaker creates a model only from a version in "
                f"the stack's region ({config.region}): copy it there, or follow a group of the stack's region",
            )


def _other_partition(arn: Arn) -> str | None:
    """Why an ARN of another partition cannot be the stack's: its regions are the commercial
    partition's (stacks/aws_regions.py), and no AWS call crosses partitions."""
    if arn.partition == STACK_PARTITION:
        return None
    return (
        f"an ARN of the {arn.partition} partition; the stack's regions are in the {STACK_PARTITION} "
        f"partition (arn:{STACK_PARTITION}:...), and AWS does not reach across partitions"
    )


def _batch_scoring_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """A pinned batch-scoring version, parsed; SageMaker creates a model only from a version of
    its own region's registry."""
    for index, family in enumerate(config.models):
        pinned = family.batch_scoring.model_package_arn if family.batch_scoring else None
        if pinned is None:
            continue
        key = f"models[{index}].batch_scoring.model_package_arn"
        try:
            version = parse_model_package_version_arn(pinned)
        except ArnError as error:
            yield key, str(error)
            continue
        if problem := _other_partition(version.arn):
            yield key, problem
        elif version.arn.region != config.region:
            yield (
                key,
                f"a version in region {version.arn.region}; SageMaker creates the scoring model only from "
                f"a version in the stack's region ({config.region}): copy it there or pin one of that region",
            )


def _live_drift_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """A live-drift pipeline compares an endpoint's traffic with the reference of the family its
    first variant follows: that family must be this stack's and have ``evidently``."""
    families = {family.name: family for family in config.models}
    positions = {spec.name: index for index, spec in enumerate(config.endpoints)}
    for spec in config.live_drift_endpoints:
        index = positions[spec.name]
        model = spec.variants[0].model
        family = model.family or model.latest_approved_of
        if family is None:
            yield (
                f"endpoints[{index}].variants[0].model",
                "monitoring.evidently compares an endpoint's traffic with the reference of the family "
                "it serves: its first variant must follow one (latest_approved_of), or capture nothing",
            )
        elif model.family is not None and model.family not in families:
            continue  # reported at its key by _monitored_family_problems
        elif family not in families or families[family].evidently is None:
            where = (
                f": set models[{list(families).index(family)}].evidently (image_tag: the Evidently image you "
                "pushed, docs/evidently.md)"
                if family in families
                else ""
            )
            yield (
                f"endpoints[{index}].variants[0].model.{'family' if model.family else 'latest_approved_of'}",
                f"monitoring.evidently needs model family {family}'s `evidently` (image, reference) in "
                f"this stack's models{where}"
                + (
                    "; for another account's group, name the family of this stack its versions are "
                    "(model.family)"
                    if family.startswith("arn:")
                    else ""
                ),
            )


def _monitored_family_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """``model.family`` (another account's versions monitored as a family of this stack): a family of
    this stack, on an endpoint's first production variant only, which is what the endpoint is
    monitored as (ModelSource refuses it without a group ARN)."""
    families = sorted(model.name for model in config.models)
    for index, endpoint in enumerate(config.endpoints):
        for kind in ("variants", "shadow_variants"):
            for position, variant in enumerate(getattr(endpoint, kind)):
                family = variant.model.family
                if family is None:
                    continue
                key = f"endpoints[{index}].{kind}[{position}].model.family"
                if (kind, position) != ("variants", 0):
                    yield (
                        key,
                        f"only an endpoint's first production variant says which family it is monitored "
                        f"as (endpoints[{index}].variants[0].model.family); a challenger or shadow is "
                        "judged by its own variant metrics: remove family",
                    )
                elif family not in families:
                    yield (
                        key,
                        f"{_not_a_family(family, families)}: name the one whose problem type, drift "
                        "features and quality_alarms the endpoint's monitors use, or remove family",
                    )
    for index, shared in enumerate(config.shared_endpoints):
        for position, component in enumerate(shared.components):
            if component.model.family is not None:
                yield (
                    f"shared_endpoints[{index}].components[{position}].model.family",
                    "a shared endpoint's components are not monitored as a family (no Model Monitor, drift "
                    "or quality alarms): remove family",
                )


def _explainability_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """Each endpoint an explainability monitor runs on is monitored as a family of this stack with an
    analysis config template (``models[].explainability_config``): the platform writes the endpoint's
    config from it, naming the model the endpoint serves."""
    if not config.monitoring.model_monitors.explainability:
        return
    families = {model.name: index for index, model in enumerate(config.models)}
    for spec in config.monitored_endpoints:
        family = monitored_family_of(spec)
        index = families.get(family)
        if index is None:
            yield (
                "monitoring.model_monitors.explainability",
                f"endpoint {spec.name} is monitored as '{family}', not a model family of this stack, so no "
                "models[].explainability_config says how Clarify explains its model: serve a family of this "
                "stack (another account's versions: name one with variants[0].model.family), or switch the "
                "explainability monitor off",
            )
        elif config.models[index].explainability_config is None:
            yield (
                f"models[{index}].explainability_config",
                f"missing: endpoint {spec.name}'s explainability monitor (monitoring.model_monitors."
                "explainability) explains this family's model with it: the path of a JSON analysis config "
                "template (headers, methods.shap, predictor.instance_type and initial_instance_count; the "
                "platform adds the model), see docs/monitoring.md",
            )


def _evidently_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """An Evidently report needs a pipeline to run in: the family's training or batch scoring; in
    batch scoring it reads the batch input, which it can only read as CSV."""
    for index, family in enumerate(config.models):
        if family.evidently is None:
            continue
        trains = config.trains_models and family.training is not None
        if not (trains or family.batch_scoring is not None):
            yield (
                f"models[{index}].evidently",
                "no pipeline would run the report: give the family `training` (in a stack with "
                "`training.enabled`) or `batch_scoring`, or remove `evidently`",
            )
        batch = family.batch_scoring
        if batch is not None and not is_csv(batch.content_type):
            yield (
                f"models[{index}].batch_scoring.content_type",
                f"{batch.content_type!r}: {EVIDENTLY_NEEDS_CSV}",
            )


def _prebuilt_image_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """Model Monitor's analyzer, Clarify and SageMaker Distribution, where the stack runs them,
    published in its region: the training pipeline's build resolves the analyzer and SageMaker
    Distribution from the SDK's tables and fails where a table does not list the region, and the
    monitors' image URIs come from the repository's copy of the same maps
    (:mod:`components.prebuilt_images`). The regions suggested have every image the stack runs,
    not just the missing one."""
    monitors = config.monitoring.model_monitors
    uses = (
        (
            config.trains_models and config.computes_model_monitor_baselines,
            ANALYZER,
            "the training pipelines' baseline steps (training.enabled, training.model_monitor_baselines)",
        ),
        (
            bool(config.monitored_endpoints),
            ANALYZER,
            "the endpoints' Model Monitor jobs (monitoring.enabled)",
        ),
        (
            bool(config.monitored_endpoints) and (monitors.bias or monitors.explainability),
            CLARIFY,
            "the bias and explainability monitors (monitoring.model_monitors)",
        ),
        (
            config.trains_models and config.experiment_tracking.enabled,
            DISTRIBUTION,
            "the training pipelines' TrackExperiment steps (experiment_tracking.enabled)",
        ),
        (
            bool(config.feature_training),
            DISTRIBUTION,
            "the training pipelines' ExtractFeatures steps (models[].training.data.feature_group)",
        ),
    )
    used = [(repository, used_by) for on, repository, used_by in uses if on]
    alternatives = regions_with_all((repository for repository, _ in used), SAGEMAKER_REGIONS)
    for repository, used_by in used:
        problem = prebuilt_region_problem(repository, config.region, used_by, alternatives)
        if problem:
            yield "region", problem
            return


def _triton_region_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """Triton variants whose SageMaker image release is not published in the stack's region."""
    for index, endpoint in enumerate(config.endpoints):
        for kind in ("variants", "shadow_variants"):
            for position, variant in enumerate(getattr(endpoint, kind)):
                triton = variant.model.triton
                problem = triton_region_problem(triton.version, config.region) if triton else None
                if problem:
                    yield f"endpoints[{index}].{kind}[{position}].model.triton.version", problem


MODEL_PACKAGE_METADATA_VALUE_LIMIT = 256
"""CreateModelPackage's CustomerMetadataProperties: each value at most 256 characters."""


def _tracking_server_arn_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """A trained family's versions record the tracking server's ARN (``mlflow_tracking_server_arn``):
    a server name AWS accepts (256 characters) can still make that ARN too long for the registry."""
    if not (config.experiment_tracking.enabled and config.trains_models):
        return
    name = tracking_server_name(config.experiment_tracking, config.name_prefix)
    arn = tracking_server_arn(config.region, config.account_id, name)
    if len(arn) > MODEL_PACKAGE_METADATA_VALUE_LIMIT:
        yield (
            "experiment_tracking.name",
            f"the tracking server's ARN would be {len(arn)} characters; each model version records it "
            f"and the registry keeps at most {MODEL_PACKAGE_METADATA_VALUE_LIMIT}: shorten the name or "
            f"name_prefix by {len(arn) - MODEL_PACKAGE_METADATA_VALUE_LIMIT}",
        )


def _training_data_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """A family trained from a feature group: the group is this stack's, has an offline store with
    its Glue table (what Athena queries), and holds every column the family's scripts are given.
    What the version records is bounded by the group's name (64 characters) and the snapshot time
    ExtractFeatures formats itself."""
    groups = {group.name: group for group in config.feature_groups}
    for index, family in enumerate(config.models):
        training = family.training
        if training is None or training.data is None:
            continue
        key = f"models[{index}].training.data"
        group = groups.get(training.data.feature_group)
        if group is None:
            yield (
                f"{key}.feature_group",
                f"'{training.data.feature_group}' is not a feature group of this stack (feature_groups[].name: "
                f"{listed(sorted(groups)) or 'none'})",
            )
            continue
        if not group.offline:
            yield (
                f"{key}.feature_group",
                f"feature group '{group.name}' has no offline store (offline: false): the pipeline reads the "
                "offline store",
            )
        elif group.glue_catalog != "managed":
            yield (
                f"{key}.feature_group",
                f"feature group '{group.name}' has glue_catalog: disabled: Athena reads the offline store "
                "through the Glue table Feature Store creates (glue_catalog: managed)",
            )
        features = [feature.name for feature in group.features]
        # Each column its own problem (one line each), the features listed (said once per file).
        for position, column in enumerate(training.data.columns):
            if column not in features:
                yield (
                    f"{key}.columns[{position}]",
                    f"{column} not a feature of '{group.name}' (its features: {listed(features)})",
                )
        columns = training.data.columns or features
        wanted = [("label", training.label)] + [
            (f"identifiers[{position}]", column) for position, column in enumerate(training.identifiers)
        ]
        for name, column in wanted:
            if column not in columns:
                yield (
                    f"models[{index}].training.{name}",
                    f"{column} not in the training set read from feature group '{group.name}' "
                    f"(its columns: {listed(columns)})",
                )


def _derived_name_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """Physical names (name_prefix + name) within AWS's limits."""
    for derived in naming.derived_names(config):
        if len(derived.name) > derived.limit:
            yield (
                derived.key,
                f"the {derived.what} name '{derived.name}' (name_prefix + name) is {len(derived.name)} "
                f"characters; AWS allows at most {derived.limit}: shorten the name or name_prefix",
            )


def _family_training_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """Every family says how it trains in a stack that trains, with a framework and instances
    offered in the region."""
    for index, family in enumerate(config.models):
        training = family.training
        if training is None:
            if config.training.enabled:
                yield (
                    f"models[{index}].training",
                    "missing: this stack trains (training.enabled), so each model family says how: its "
                    "code folder, framework, label, problem type and metrics (see models/README.md)",
                )
            continue
        for problem in framework_problems(
            training.framework.name, training.framework.version, training.framework.py_version, config.region
        ):
            yield f"models[{index}].training.framework", problem
        for key in ("training_instance_type", "processing_instance_type"):
            for problem in instance_problems(
                training.framework.name, training.framework.version, getattr(training, key)
            ):
                yield f"models[{index}].training.{key}", problem


def _promotion_metric_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """Every trained family's promotion metric is one its evaluation reports."""
    for index, family in enumerate(config.models):
        training = family.training
        if training is not None and family.promotion.metric_name not in training.metrics:
            yield (
                f"models[{index}].promotion.metric",
                f"'{family.promotion.metric}' is not in the evaluation report: the family's evaluation "
                f"reports {listed(training.metrics)} (models[{index}].training.metrics)",
            )


def _model_card_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """Where versions need a model card: one the pipeline can create, and each family's content."""
    if (
        config.model_registry.require_model_card
        and config.model_registry.approval == "auto"
        and config.trains_models
    ):
        yield (
            "model_registry.require_model_card",
            "versions the training pipeline approves itself (model_registry.approval: auto) get no model "
            "card, so none could be deployed: set model_registry.approval: manual (pipelines.promotion "
            "approves and creates the card) or require_model_card: false",
        )
    if config.model_registry.require_model_card:
        for index, family in enumerate(config.models):
            if family.model_card is None:
                yield (
                    f"models[{index}].model_card",
                    "missing: this stack deploys only versions with a model card "
                    "(model_registry.require_model_card, on by default in staging and prod), whose intended "
                    "use and risk rating come from here: set {intended_use: ..., risk_rating: High|Medium|Low|Unknown}",
                )


def _cross_checks(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """Rules that span sections (:data:`CROSS_CHECKS`), each naming the key to change."""
    for check in CROSS_CHECKS:
        yield from check(config)


def _model_quality_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    monitors = config.monitoring.model_monitors
    for index, model in enumerate(config.models):
        if not model.quality_alarms:
            continue
        if not config.monitoring.enabled:
            continue  # nothing is monitored, so no monitor's alarm exists
        if not config.monitoring.model_monitor:
            yield (
                f"models[{index}].quality_alarms",
                "no model-quality monitor publishes these metrics: monitoring.model_monitor is false (no "
                "Model Monitor schedules); remove quality_alarms, or set model_monitor: true",
            )
            continue
        if not monitors.model_quality:
            yield (
                f"models[{index}].quality_alarms",
                "no model-quality monitor publishes these metrics: set monitoring.model_monitors.model_quality: true",
            )
            continue
        source = "training.problem_type" if model.training else "monitoring.model_monitors.problem_type"
        problem_type = model.training.problem_type if model.training else monitors.problem_type
        for metric in model.quality_alarms:
            problem = quality_metric_problem(problem_type, metric)
            if problem:
                yield f"models[{index}].quality_alarms.{metric}", f"{problem} (the family's {source})"


def _drift_feature_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """A drift alarm reads at most MAX_DRIFT_FEATURES metrics: the features derived from a wide
    feature group are refused here, naming the key that chooses them, not in the middle of a plan."""
    if config.monitoring.drift_features is not None:
        return  # the field itself is bounded
    chosen = {model.name for model in config.models if model.drift_features is not None}
    for spec in config.monitored_endpoints:
        family = monitored_family_of(spec)
        if family in chosen:
            continue  # the family's own drift_features, bounded as the field
        features = config.derived_drift_features(family)
        if len(features) > MAX_DRIFT_FEATURES:
            yield (
                "monitoring.drift_features",
                f"unset, so endpoint {spec.name}'s drift alarm would watch the {len(features)} model inputs of "
                f"model family {family}'s feature group ({listed(features)}), but an alarm reads at "
                f"most {MAX_DRIFT_FEATURES}: list the {MAX_DRIFT_FEATURES} or fewer that matter most (here, or "
                "in the family's models[].drift_features)",
            )


def _prediction_attribute_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """``monitoring.model_monitors.inference_attribute`` / ``probability_attribute`` say where one
    problem type's prediction is in a response: an endpoint serving a family trained here as another
    type is monitored as that type, from the defaults (column 0), never from the other's attribute."""
    monitors = config.monitoring.model_monitors
    if not monitors.kinds:
        return
    trained = {model.name: model.training for model in config.models if model.training}
    for key in ("inference_attribute", "probability_attribute"):
        if getattr(monitors, key) is None:
            continue
        for spec in config.monitored_endpoints:
            family = monitored_family_of(spec)  # the family the endpoint is monitored as
            training = trained.get(family)
            if training is not None and training.problem_type != monitors.problem_type:
                yield (
                    f"monitoring.model_monitors.{key}",
                    f"{getattr(monitors, key)!r} says where a {monitors.problem_type} model's prediction is, but "
                    f"endpoint {spec.name} serves model family {family}, a {training.problem_type} (its "
                    "training.problem_type) that is monitored as one: leave it unset (column 0 of each "
                    f"response), or serve only {monitors.problem_type} families from this stack",
                )
                break


CROSS_CHECKS: Final[tuple[Callable[[PlatformConfig], Iterable[tuple[str, str]]], ...]] = (
    _group_arn_problems,
    _prebuilt_image_problems,
    _triton_region_problems,
    _batch_scoring_problems,
    _evidently_problems,
    _monitored_family_problems,
    _explainability_problems,
    _live_drift_problems,
    _tracking_server_arn_problems,
    _training_data_problems,
    _derived_name_problems,
    _family_training_problems,
    _promotion_metric_problems,
    _model_card_problems,
    _model_quality_problems,
    _prediction_attribute_problems,
    _drift_feature_problems,
    delivery_problems,
)
"""Rules that span sections, in the order they report: physical names within AWS's limits, every
trained family's training complete and consistent with its promotion metric, a model-quality
monitor computing what the served family predicts... Each yields (key below the platform value,
message) and reads the configuration only: :func:`parse_platform_config` runs each alone on what is
left of an invalid one (:mod:`stacks.partial_validation`)."""


def _merge_training_defaults(raw: dict[str, Any]) -> dict[str, Any]:
    """Merge the stack's training compute (instances, spot, limits) under each family's ``training``."""
    training, models = raw.get("training"), raw.get("models")
    if not isinstance(models, list):
        return raw
    stack = training if isinstance(training, dict) else {}
    inherited = {key: value for key, value in stack.items() if key in COMPUTE_KEYS}
    merged = [
        {**model, "training": merge_defaults(inherited, model["training"])}
        if isinstance(model, dict) and isinstance(model.get("training"), dict)
        else model
        for model in models
    ]
    return {**raw, "models": merged}


def _merge_endpoint_defaults(raw: dict[str, Any]) -> dict[str, Any]:
    """Merge ``endpoint_defaults`` (deployment, data capture) under each entry of ``endpoints``, and
    its data capture under each entry of ``shared_endpoints``."""
    defaults = raw.get("endpoint_defaults")
    if not isinstance(defaults, dict):
        return raw
    merged = dict(raw)
    for section, keys in _INHERITED.items():
        entries = raw.get(section)
        if not isinstance(entries, list):
            continue
        inherited = {key: value for key, value in defaults.items() if key in keys}
        merged[section] = [
            merge_defaults(inherited, entry) if isinstance(entry, dict) else entry for entry in entries
        ]
    return merged


def _environment_defaults(environment: object) -> dict[str, Any]:
    """The built-in defaults of the stack's ``environment`` (:data:`ENVIRONMENT_DEFAULTS`), merged
    under the file's values: empty for a missing or unknown environment."""
    if isinstance(environment, str) and environment in ENVIRONMENTS:
        return ENVIRONMENT_DEFAULTS.get(environment, {})
    return {}


def _with_value_sources(
    raw: Mapping[str, Any],
    environment: object,
    merged: Mapping[str, Any],
    errors: list[Any],
    problems: list[tuple[str, str]],
) -> list[tuple[str, str]]:
    """Each problem at a key the file does not set ends with where its value came from, once: the
    key an entry inherits it from (``endpoint_defaults``, or the stack's ``training`` for a
    family's compute), and whether that is the environment's built-in default."""
    notes: dict[str, str] = {}
    for error in errors:
        source = _value_source(raw, environment, _error_location(merged, error))
        if source:
            notes[_describe(error, merged)[0]] = source
    return [(path, f"{message} ({notes[path]})" if path in notes else message) for path, message in problems]


def _value_source(raw: Mapping[str, Any], environment: object, location: tuple[Any, ...]) -> str | None:
    """Where the value at ``location`` came from when the file does not set it there: "inherited
    from <key>" (set in the file, or "<key>: the <environment> environment's default"), or "the
    <environment> environment's default"; None when the file sets it, nothing does, or the file
    replaced a section on the way with something that is not a section (the default never got
    there: the value is the model's own default)."""
    if _has_path(raw, location) or not _reachable(raw, location):
        return None
    # The note names the environment only once a default is found: it is then one of
    # ENVIRONMENT_DEFAULTS' names (an invalid one may be a list of any size).
    default = "the {} environment's default"
    inherited = _inherited_key(location)
    if inherited is None:
        return default.format(environment) if _is_default_leaf(environment, location) else None
    source_path = (*inherited[0], *inherited[1])
    source = ".".join(inherited[0]) + _key_text(inherited[1])
    if _has_path(raw, source_path):
        return f"inherited from {source}"
    if _reachable(raw, source_path) and _is_default_leaf(environment, source_path):
        return f"inherited from {source}: {default.format(environment)}"
    return None


def _is_default_leaf(environment: object, path: tuple[Any, ...]) -> bool:
    """Whether the environment's defaults set a value at ``path``, not a whole section (the file
    may have filled the rest of it)."""
    defaults = _environment_defaults(environment)
    return _has_path(defaults, path) and not isinstance(
        functools.reduce(operator.getitem, path, defaults), dict
    )


def _reachable(raw: Mapping[str, Any], path: tuple[Any, ...]) -> bool:
    """Whether a value merged under the file's could arrive at ``path``: no key on the way is set
    in the file to something other than a section (``training: null`` drops every training
    default) or a list holding the entry."""
    node: Any = raw
    for part in path:
        if not _holds(node, part):
            return isinstance(node, dict)  # a key the section lacks: defaults fill it from here
        node = node[part]
    return True


def _inherited_key(location: tuple[Any, ...]) -> tuple[tuple[str, ...], tuple[Any, ...]] | None:
    """For a key an entry inherits, where every entry's value is set and the key below it."""
    for section, within, keys, source in _INHERITED_FROM:
        start = 2 + len(within)
        if (
            len(location) > start
            and location[0] == section
            and isinstance(location[1], int)
            and location[2:start] == within
            and location[start] in keys
        ):
            return source, location[start:]
    return None


_INHERITED: Final = {"endpoints": ("deployment", "data_capture"), "shared_endpoints": ("data_capture",)}
"""What each entry inherits from ``endpoint_defaults`` (:func:`_merge_endpoint_defaults`)."""
_INHERITED_FROM: Final = (
    *((section, (), keys, ("endpoint_defaults",)) for section, keys in _INHERITED.items()),
    ("models", ("training",), COMPUTE_KEYS, ("training",)),
)
"""(section, path within an entry, keys, where the file sets them for every entry) of each value an
entry inherits (:func:`_merge_endpoint_defaults`, :func:`_merge_training_defaults`)."""


def _holds(node: object, part: Any) -> TypeGuard[dict[Any, Any] | list[Any]]:
    """Whether ``node`` (a mapping or list of the stack file's document) has the key or index."""
    return (isinstance(node, dict) and part in node) or (
        isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
    )


def _has_path(node: object, path: tuple[Any, ...]) -> bool:
    for part in path:
        if not _holds(node, part):
            return False
        node = node[part]
    return True


def _key_text(location: tuple[Any, ...]) -> str:
    """``[0].deployment.canary_percent``: a location as the problem keys write it (long keys shortened)."""
    return "".join(f"[{part}]" if isinstance(part, int) else f".{shorten(str(part))}" for part in location)


def _dotted(path: str) -> str:
    return f"{CONFIG_KEY}.{path}" if path and not path.startswith("[") else f"{CONFIG_KEY}{path}"


# How pydantic names the members of a union in an error's location (``threshold.float``,
# ``threshold.int``): not keys of the stack file, so left out of the dotted path.
_UNION_MEMBERS = frozenset({"int", "float", "str", "bool", "none", "bytes"})
_UNION_MEMBER_PREFIXES = (
    "function-",
    "literal[",
    "list[",
    "dict[",
    "tagged-union[",
    "nullable[",
    "constrained-",
)


def _is_union_member(part: Any) -> bool:
    return isinstance(part, str) and (part in _UNION_MEMBERS or part.startswith(_UNION_MEMBER_PREFIXES))


def _merge_branches(problems: list[tuple[tuple[str, str], bool]]) -> list[tuple[str, str]]:
    """One problem per key for what the members of a union refused (each problem flagged as a
    member's or not), joined (``a finite number; or: an integer``), instead of one line per member.
    Several faults one check finds at one key (an explainability template's) stay one line each."""
    merged: dict[tuple[str, str | None], list[str]] = {}
    for (path, message), branch in problems:
        messages = merged.setdefault((path, None) if branch else (path, message), [])
        if message not in messages:
            messages.append(message)
    return [(path, "; or: ".join(messages)) for (path, _), messages in merged.items()]


def _error_location(document: object, error: Any) -> tuple[Any, ...]:
    """:func:`_key_location` of a validation error (its location and the value it refused)."""
    return _key_location(document, tuple(error["loc"]), error.get("input", _NO_INPUT))


_NO_INPUT: Final = object()


def _key_location(document: object, loc: tuple[Any, ...], refused: object = _NO_INPUT) -> tuple[Any, ...]:
    """An error's location as keys of the validated document: pydantic's names of union members
    (``int``, ``function-after[...]``) left out, but never a key the document has (a key named
    ``int`` stays), unless the error refused the map holding that key (``refused``): a map written
    where a scalar goes (``weight: {int: 1}``) is refused at the key the user wrote (``weight``),
    not at the member pydantic tried (``weight.int``), which names the map's key only by chance."""
    node, location = document, []
    for number, part in enumerate(loc):
        if (
            number == len(loc) - 1
            and part in _UNION_MEMBERS
            and isinstance(node, dict)
            and refused is not _NO_INPUT
            and refused == node
        ):
            continue
        if _holds(node, part):
            node = node[part]
        elif _is_union_member(part):
            continue
        else:
            node = None
        location.append(part)
    return tuple(location)


def _describe(error: Any, document: object = None) -> tuple[str, str]:
    location = _error_location(document, error)
    path = CONFIG_KEY + _key_text(location)
    kind = error["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(location[:-1])
        # Every key (a schema's few dozen at most), listed: said once per file, however many are unknown.
        return path, f"unknown key; allowed keys here: {listed(allowed, limit=len(allowed))}"
    if kind == "missing":
        return path, "missing required key"
    message = error["msg"].removeprefix("Value error, ")
    if (
        kind not in {"value_error", "assertion_error"}
        and "input" in error
        and not isinstance(error["input"], dict)
    ):
        message += f" (got {echo(error['input'])})"
    elif isinstance(error.get("input"), dict) and _expects_no_map(kind):
        message += " (got a mapping)"  # the map is not echoed: its keys are not where the problem is
    if kind == "string_type":
        message += _unquoted_scalar_hint(error.get("input"))
    refused = error.get("input")
    if isinstance(refused, str) and len(refused) > ECHO_LIMIT and refused in message:
        message = message.replace(refused, shorten(refused))  # a validator repeating what it refuses
    return path, message


_MAP_KINDS: Final = frozenset(
    {"dict_type", "model_type", "model_attributes_type", "dataclass_type", "typed_dict_type"}
)


def _expects_no_map(kind: str) -> bool:
    """Whether an error of pydantic type ``kind`` refuses a value for not being of a scalar type
    (or a list): a map given there is said to be one."""
    return (kind.endswith(("_type", "_parsing")) and kind not in _MAP_KINDS) or kind in {
        "literal_error",
        "enum",
        "none_required",
    }


def _unquoted_scalar_hint(value: object) -> str:
    """For text that YAML read as another type (an unquoted ``true``, ``1.10``): how to keep it
    text. The echo alone (``got True``, ``got 1.1``) hides what was written. The readings named are
    Pulumi's (:mod:`stacks.engine_yaml`), which the plan shares."""
    if isinstance(value, bool):
        read = "true and false as booleans"
    elif isinstance(value, int | float):
        read = "numbers as numbers (1.10 as 1.1, 1e3 as 1000; 0123, 0o17 and 0x1f in base 8, 8 and 16)"
    elif value is None:
        read = "an empty value, ~ and null as null"
    else:
        return ""
    return f"; unquoted, YAML reads {read}: quote the value to keep it as text"


def _allowed_keys(location: tuple[Any, ...]) -> list[str]:
    """The field names of the model found by walking ``location`` from :class:`PlatformConfig`
    (list positions and the keys of a map field, ``tuning.parameters.<name>``, passed over)."""
    model: Any = PlatformConfig
    in_map = False  # the next key is one of a map's, not a field
    for part in location:
        if isinstance(part, int):
            continue
        if in_map:
            in_map = False
            continue
        field = model.model_fields.get(part)
        if field is None:
            return []
        model = model_in(field.annotation)
        if model is None:
            return []
        in_map = _holds_map(field.annotation)
    return sorted(model.model_fields)


def _holds_map(annotation: Any) -> bool:
    """Whether a field's annotation is a map (``dict[str, X]``, ``X | None`` or a list of them)."""
    if get_origin(annotation) in (dict, Mapping):
        return True
    return any(_holds_map(argument) for argument in getattr(annotation, "__args__", ()))


def model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model a field's annotation holds (``X | None``, ``list[X]``...), or None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in getattr(annotation, "__args__", ()):
        found = model_in(argument)
        if found is not None:
            return found
    return None


def tag_problem(key: str, value: str) -> str | None:
    """Why AWS would refuse the tag ``key: value`` (components.limits.aws_tag_problem), or why the
    platform does (its own ``mlops:`` prefix), or None."""
    problem = aws_tag_problem(key, value)
    if problem is None and key.lower().startswith(COMPONENT_TAG_PREFIX):
        return f"tag key '{key}': the {COMPONENT_TAG_PREFIX} prefix is the platform's own"
    return problem


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


def _type_name(value: Any) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )
