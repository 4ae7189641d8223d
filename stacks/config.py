"""The typed configuration of one platform stack, and the errors bad configuration produces.

A stack file (``stacks/Pulumi.<stack>.yaml``) holds one structured value under the key
``mlops-platform:platform``. :func:`parse_platform_config` merges the environment defaults from
``stacks.defaults`` under it and validates the result with :class:`PlatformConfig` (strict types,
unknown keys rejected). Every problem becomes one line of a :class:`ConfigError` that names the
stack file and the dotted key path and says what is allowed.

Later capabilities plug in by adding a section model in their own module and a field here; the
loader, the error rendering and the defaults merge need no change.

The parts live beside this module, each name still importable from here: the section models in
:mod:`stacks.config_sections` (the model families in :mod:`stacks.config_families`), the error
and its reading of validation errors in :mod:`stacks.config_errors`, the defaults merge in
:mod:`stacks.config_defaults`, and the checks across sections (:data:`CROSS_CHECKS`) in
:mod:`stacks.config_checks_serving` and :mod:`stacks.config_checks_training`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any, Final

from pydantic import (
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from components.data.dvc_remote_spec import DvcRemoteSpec
from components.data.feature_store_spec import FeatureGroupSpec
from components.experiments.experiment_tracking_spec import (
    ExperimentTrackingSpec,
)
from components.foundation.audit_trail_spec import AuditTrailSpec
from components.kubernetes.kubernetes_serving_spec import LABEL_RULES, invalid_labels
from components.limits import (
    MAX_TAGS_PER_RESOURCE,
    aws_tag_problem,
    case_collision,
    case_collision_problem,
    fail_at,
    fail_at_each,
)
from components.naming import prefixed
from components.observability.budget_spec import BudgetSpec
from components.observability.monitoring_spec import MonitoringSpec
from components.registry.model_family_spec import consumer_accounts_problem
from components.serving.inference_endpoint_spec import (
    EndpointSpec,
    VariantSpec,
    dotted_key,
    joined_name_collision,
    joined_names,
)
from components.serving.shared_endpoint_spec import SharedEndpointSpec
from components.training.definition import (
    MAX_CONTAINER_ARGUMENTS,
    TRACK_FIXED_ARGUMENTS,
    tracking_argument_count,
)
from components.training.training_spec import COMPUTE_KEYS, TrainingSpec
from stacks import naming
from stacks.aws_regions import SAGEMAKER_REGIONS, usable_zone_count, zones_of
from stacks.config_checks_serving import (
    _batch_scoring_problems,
    _drift_feature_problems,
    _evidently_problems,
    _explainability_problems,
    _group_arn_problems,
    _live_drift_problems,
    _model_quality_problems,
    _monitored_family_problems,
    _prebuilt_image_problems,
    _prediction_attribute_problems,
    _triton_region_problems,
)
from stacks.config_checks_training import (
    MODEL_PACKAGE_METADATA_VALUE_LIMIT as MODEL_PACKAGE_METADATA_VALUE_LIMIT,
)
from stacks.config_checks_training import (
    _derived_name_problems,
    _family_training_problems,
    _model_card_problems,
    _promotion_metric_problems,
    _tracking_server_arn_problems,
    _training_data_problems,
)
from stacks.config_defaults import (
    _environment_defaults,
    _merge_endpoint_defaults,
    _merge_training_defaults,
    _with_value_sources,
    spot_wait_problems,
)
from stacks.config_errors import MAX_MESSAGE_CHARS as MAX_MESSAGE_CHARS
from stacks.config_errors import MAX_PROBLEMS_SHOWN as MAX_PROBLEMS_SHOWN
from stacks.config_errors import (
    ConfigError,
    _describe,
    _dotted,
    _error_location,
    _merge_branches,
    _not_a_family,
    _type_name,
)
from stacks.config_errors import _allowed_keys as _allowed_keys
from stacks.config_errors import model_in as model_in
from stacks.config_families import ModelFamilyConfig
from stacks.config_families import model_family_of as model_family_of
from stacks.config_families import monitored_family_of as monitored_family_of
from stacks.config_sections import DERIVED_DEPLOYMENT_SUFFIXES as DERIVED_DEPLOYMENT_SUFFIXES
from stacks.config_sections import EKS_CLUSTER_ARN as EKS_CLUSTER_ARN
from stacks.config_sections import OPTIONAL_INTERFACE_ENDPOINTS as OPTIONAL_INTERFACE_ENDPOINTS
from stacks.config_sections import REQUIRED_INTERFACE_ENDPOINTS as REQUIRED_INTERFACE_ENDPOINTS
from stacks.config_sections import (
    AlertsConfig,
    EncryptionConfig,
    EndpointDefaults,
    FeatureQueriesConfig,
    KubernetesServingConfig,
    ModelRegistryConfig,
    NetworkConfig,
    StorageConfig,
    _Section,
)
from stacks.config_sections import ExistingVpcConfig as ExistingVpcConfig
from stacks.defaults import REQUIRED_TAG_KEYS, Environment, merge_defaults
from stacks.delivery_config import DeliveryConfig, delivery_problems
from stacks.input_limits import listed, shorten, structure_problems
from stacks.partial_validation import isolated, model_check_errors, partial_instance, refused

# The project's names live in stacks.project (the recorder needs them without this model); still
# importable from here, as they always were.
from stacks.project import CONFIG_KEY
from stacks.project import KUBECONFIG_KEY as KUBECONFIG_KEY
from stacks.project import PROJECT as PROJECT
from stacks.serving_builds import serving_build_problems

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
    # Read as the file writes it: the validated value no longer says which wait the file wrote.
    spot_waits = [(f"{CONFIG_KEY}.{key}", message) for key, message in spot_wait_problems(raw, environment)]
    try:
        if defaults:
            merged = merge_defaults(defaults, merged)
        merged = _merge_training_defaults(_merge_endpoint_defaults(merged))
        config = PlatformConfig.model_validate(merged, context=context)
    except ValidationError as error:
        problems = list(dict.fromkeys([*_every_problem(error, raw, merged, context), *spot_waits]))
        if unset_prefix is not None:
            problems = [(key, unset_prefix[1] if key == unset_prefix[0] else text) for key, text in problems]
        raise ConfigError(source, problems) from None
    except _UNEXPECTED as error:  # a validator's own bug: still a message naming the key, no traceback
        raise ConfigError(source, [(_failing_key(merged, context), _unexpected(error))]) from None
    try:
        problems = [
            *spot_waits,
            *((f"{CONFIG_KEY}.{key}", message) for key, message in _cross_checks(config)),
        ]
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


def _cross_checks(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """Rules that span sections (:data:`CROSS_CHECKS`), each naming the key to change."""
    for check in CROSS_CHECKS:
        yield from check(config)


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
    serving_build_problems,
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


def tag_problem(key: str, value: str) -> str | None:
    """Why AWS would refuse the tag ``key: value`` (components.limits.aws_tag_problem), or why the
    platform does (its own ``mlops:`` prefix), or None."""
    problem = aws_tag_problem(key, value)
    if problem is None and key.lower().startswith(COMPONENT_TAG_PREFIX):
        return f"tag key '{key}': the {COMPONENT_TAG_PREFIX} prefix is the platform's own"
    return problem
