"""Physical names: every account-wide name the platform sets derives from the stack's name prefix.

A stack is not an environment: two stacks of one environment (a team sandbox next to dev) may
share an account, so no physical name may come from the environment or from a config name alone.
Each one is ``<name_prefix>-<name>`` (or carries the prefix in its path), where ``name_prefix``
defaults to the stack's name. Names Pulumi generates (buckets, roles, topics, rules, queues...)
get a random suffix and never collide; the names below are the ones the platform chooses itself.
:func:`derived_names` lists each with the config key it comes from and AWS's length limit, so
config validation can reject a name AWS would refuse before anything is created.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from components.limits import PHYSICAL_NAME_LIMITS
from components.observability.model_quality_spec import job_definition_name
from components.serving.shared_endpoint_spec import inference_component_name

if TYPE_CHECKING:
    from stacks.config import PlatformConfig

NAME_PREFIX: Final = re.compile(r"^[a-z0-9](-?[a-z0-9])*\Z")
"""Lower-case letters and digits, single hyphens inside: valid in every AWS name it starts."""
MAX_NAME_PREFIX_LENGTH: Final = 24
PRODUCT: Final = "mlops-platform"
"""Leads the names that list well beside other products' (KMS aliases, IAM paths, log groups)."""


STACK_NAME: Final = re.compile(r"[a-zA-Z0-9_.-]{1,100}")
"""The stack names Pulumi accepts (its stackNameAndProjectRegexp): ``pulumi stack init`` refuses
any other, so a stack file named for one could be planned and listed but never deployed."""


def stack_name_of(path: str | Path) -> str:
    """``Pulumi.prod.yaml`` → ``prod``; any other file name → its stem."""
    name = Path(path).name
    for suffix in (".yaml", ".yml"):
        if name.startswith("Pulumi.") and name.endswith(suffix):
            return name[len("Pulumi.") : -len(suffix)]
    return Path(path).stem


def name_prefix_problem(prefix: str) -> str | None:
    """Why ``prefix`` cannot start the platform's physical names, or None."""
    if not NAME_PREFIX.match(prefix):
        return "use lower-case letters, digits and single hyphens, starting and ending with a letter or digit"
    if len(prefix) > MAX_NAME_PREFIX_LENGTH:
        return f"at most {MAX_NAME_PREFIX_LENGTH} characters (it starts names AWS limits to 63)"
    return None


def role_path(prefix: str) -> str:
    """IAM path of every role of the stack; its KMS key policies trust exactly this path."""
    return f"/{PRODUCT}/{prefix}/"


def kms_alias_prefix(prefix: str) -> str:
    """Aliases are ``alias/<this>-<purpose>``."""
    return f"{PRODUCT}-{prefix}"


def evidently_repository_name(prefix: str) -> str:
    """The stack's ECR repository of the Evidently image (lowercase: ECR's rule)."""
    return f"{PRODUCT}-{prefix}-evidently".lower()


def log_group_prefix(prefix: str) -> str:
    """Log groups the platform names itself live under this path."""
    return f"/{PRODUCT}/{prefix}/"


def audit_trail_name(prefix: str) -> str:
    """The stack's CloudTrail trail (its ARN is built from it before the trail exists)."""
    return f"{PRODUCT}-{prefix}-audit"


def dashboard_name(prefix: str) -> str:
    return f"{PRODUCT}-{prefix}"


def feature_query_workgroup_name(prefix: str) -> str:
    """The stack's Athena workgroup of offline-store reads (the extraction role is scoped to it)."""
    return f"{PRODUCT}-{prefix}-feature-queries"


def training_pipeline_name(group_name: str) -> str:
    """The family's SageMaker pipeline, named after its (prefixed) model package group."""
    return f"{group_name}-training"


@dataclass(frozen=True)
class DerivedName:
    key: str
    """Dotted config key the name derives from, e.g. ``endpoints[0].name``."""
    name: str
    type_token: str
    """The Pulumi type of the resource it names: its limit is in PHYSICAL_NAME_LIMITS."""
    what: str

    @property
    def limit(self) -> int:
        return PHYSICAL_NAME_LIMITS[self.type_token][1]


def live_drift_pipeline_name(endpoint_name: str) -> str:
    """An endpoint's live-drift pipeline: ``<endpoint's physical name>-live-drift``; its alarm is
    ``<pipeline>-evidently-drift``."""
    return f"{endpoint_name}-live-drift"


def derived_names(config: PlatformConfig) -> Iterator[DerivedName]:
    """Every physical name the platform sets itself from a config name (``<prefix>-<name>``...).

    Names Pulumi generates from logical names are kept within their limits by
    components.naming.child_name instead; tests/stacks/test_name_limits.py checks both kinds on
    the recorded program of a stack with the longest names the config accepts.
    """
    for index, group in enumerate(config.feature_groups):
        yield DerivedName(
            f"feature_groups[{index}].name",
            config.physical_name(group.name),
            "aws:sagemaker/featureGroup:FeatureGroup",
            "feature group",
        )
    for index, family in enumerate(config.models):
        group_name = config.model_package_group(family.name)
        key = f"models[{index}].name"
        yield DerivedName(
            key, group_name, "aws:sagemaker/modelPackageGroup:ModelPackageGroup", "model package group"
        )
        if config.trains_models:
            yield DerivedName(
                key,
                training_pipeline_name(group_name),
                "aws:sagemaker/pipeline:Pipeline",
                "training pipeline",
            )
    monitored = {spec.name for spec in config.monitored_endpoints}
    for index, endpoint in enumerate(config.endpoints):
        name = config.endpoint_name(endpoint.name)
        key = f"endpoints[{index}].name"
        yield DerivedName(key, name, "aws:sagemaker/endpoint:Endpoint", "SageMaker endpoint")
        for kind in config.monitoring.model_monitors.kinds if endpoint.name in monitored else ():
            yield DerivedName(
                key,
                job_definition_name(name, kind),
                f"aws-native:sagemaker:{kind}JobDefinition",
                "monitoring job definition",
            )
    if config.feature_training:
        yield DerivedName(
            "name_prefix",
            feature_query_workgroup_name(config.name_prefix),
            "aws:athena/workgroup:Workgroup",
            "Athena workgroup",
        )
    for index, shared in enumerate(config.shared_endpoints):
        name = config.endpoint_name(shared.name)
        yield DerivedName(
            f"shared_endpoints[{index}].name", name, "aws:sagemaker/endpoint:Endpoint", "SageMaker endpoint"
        )
        for position, component in enumerate(shared.components):
            yield DerivedName(
                f"shared_endpoints[{index}].components[{position}].name",
                inference_component_name(name, component.name),
                "aws-native:sagemaker:InferenceComponent",
                f"inference component (<shared_endpoints[{index}].name>-<components[{position}].name>)",
            )
    if config.experiment_tracking.enabled:
        yield DerivedName(
            "experiment_tracking.name",
            config.physical_name(config.experiment_tracking.name),
            "aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer",
            "MLflow tracking server",
        )
