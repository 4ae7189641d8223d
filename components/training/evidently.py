"""The Evidently report steps of a pipeline: settings, names and their checks (no SDK import).

With ``evidently`` settings, the training pipeline (on the run's training features) and the
batch-scoring pipeline (on the batch input) get two steps, built by
``components.training._evidently_steps``:

- ``EvidentlyReport``: the platform's ``steps/evidently_report.py`` on the platform's Evidently image
  (``images/evidently/Dockerfile``, pushed to the stack's ECR repository). It reads the dataset and
  the family's reference dataset and writes ``report.html``, ``report.json`` and ``summary.json``
  under the execution's prefix. A data step like every other: the pipeline's execution role,
  network-isolated (where the pipeline's jobs are), in the VPC, KMS on volume and output.
- ``PublishDriftMetrics``: ``steps/publish_drift_metrics.py`` puts the summary's
  ``DriftedColumnsShare`` and ``DatasetDrift`` to CloudWatch (namespace :data:`NAMESPACE`,
  dimensions ``Family`` and ``Pipeline``). It must reach CloudWatch, so it is not network-isolated,
  and is given no data for it: no input but its script (the two numbers arrive as arguments, from
  the summary by ``JsonGet``) and its own role (``publisher_role_arn``: PutMetricData in
  :data:`NAMESPACE` only). That is the policy pack's ``pipeline-steps-network-isolated`` exception
  as it stands, the same shape as TrackExperiment's; the data never leaves the isolated step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Final, Literal

from pydantic import BaseModel, Field, field_validator

from ..limits import PROCESSING_MAX_RUNTIME_SECONDS, SPEC_CONFIG

STEP_EVIDENTLY: Final = "EvidentlyReport"
STEP_PUBLISH_DRIFT: Final = "PublishDriftMetrics"
EVIDENTLY_SUMMARY: Final = "EvidentlySummary"
"""PropertyFile name of EvidentlyReport's ``summary.json`` (read by PublishDriftMetrics)."""
NAMESPACE: Final = "MLOpsPlatform/Evidently"
"""CloudWatch namespace of the Evidently summary metrics (the publisher role's only namespace)."""
DRIFT_SHARE_METRIC: Final = "DriftedColumnsShare"
"""Share (0-1) of the compared columns in which Evidently detected drift."""
DATASET_DRIFT_METRIC: Final = "DatasetDrift"
"""1 when the share reached the report's ``drift_share``, else 0."""
FAMILY_DIMENSION, PIPELINE_DIMENSION = "Family", "Pipeline"
PIPELINE_KINDS: Final = ("training", "batch-scoring")
"""Values of the ``Pipeline`` dimension: which pipeline's data the report was about (and
``endpoint-<endpoint>`` for an endpoint's live-drift pipeline, :func:`is_pipeline_kind`)."""
ENDPOINT_KIND_PREFIX: Final = "endpoint-"
"""The ``Pipeline`` dimension of an endpoint's live-drift reports: ``endpoint-<endpoint spec name>``."""
REPORTS: Final[tuple[Literal["data_drift", "data_quality"], ...]] = ("data_drift", "data_quality")
"""What a report may contain: Evidently's DataDriftPreset and DataSummaryPreset."""
PUBLISH_INSTANCE_TYPE: Final = "ml.t3.medium"
"""PublishDriftMetrics makes one API call: the smallest processing instance."""
PUBLISH_MAX_RUNTIME_SECONDS: Final = 600
SUMMARY_FILE: Final = "summary.json"
"""EvidentlyReport's summary in its output: the numbers PublishDriftMetrics is given (``JsonGet``)."""
REPORT_OUTPUT: Final = "report"
"""Output name (and folder) of EvidentlyReport: ``<execution prefix>/EvidentlyReport/report/``."""

REFERENCE_PREFIX: Final = "evidently-reference/"
"""Datasets-bucket prefix of the reference datasets: ``evidently-reference/<family>/`` by default."""
IMAGE_TAG_PATTERN: Final = r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$"
"""An ECR image tag (CreateRepository/PutImage: at most 128 characters)."""


def drift_report_alarm_name(pipeline_name: str) -> str:
    """The alarm on a pipeline's ``DriftedColumnsShare``: deterministic, so the retraining trigger
    can name it before it exists."""
    return f"{pipeline_name}-evidently-drift"


class EvidentlySpec(BaseModel):
    """A model family's Evidently report (``models[].evidently``): in its training pipeline on the
    run's training features, and in its batch-scoring pipeline on the batch input, each against the
    family's reference dataset; summary metrics to CloudWatch and an alarm on the drifted share."""

    model_config = SPEC_CONFIG

    image_tag: str = Field(
        pattern=IMAGE_TAG_PATTERN,
        description="Tag of the Evidently image in the stack's ECR repository (`images/evidently/`, "
        "built and pushed by you; tags are immutable, so a rebuild is a new tag), e.g. `0.7.23-1`.",
    )
    reports: list[Literal["data_drift", "data_quality"]] = Field(
        default_factory=lambda: list(REPORTS),
        min_length=1,
        max_length=2,
        description="What the report holds: `data_drift` (Evidently's DataDriftPreset, the summary "
        "metrics) and/or `data_quality` (DataSummaryPreset). Without `data_drift` the metrics are 0.",
    )
    drift_share: Annotated[float, Field(gt=0, le=1)] = Field(
        default=0.5,
        description="Share of drifted columns (0-1] from which the dataset counts as drifted: Evidently's "
        "threshold, and the alarm's (DriftedColumnsShare >= it).",
    )
    reference_prefix: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*/$",
        max_length=512,
        description="Datasets-bucket prefix of the reference dataset (CSV with a header, the model's request "
        "columns: what Preprocess writes as the train split's baseline). Default "
        "`evidently-reference/<family>/`.",
    )
    instance_type: str = Field(
        default="ml.m5.large",
        description="Processing instance of the report job (pandas in memory: size it for both datasets): "
        "one SageMaker processing jobs offer.",
    )
    max_runtime_seconds: Annotated[int, Field(ge=60, le=PROCESSING_MAX_RUNTIME_SECONDS)] = Field(
        default=3600,
        description="Longest a report job may run before SageMaker stops it (at most 9 days, SageMaker's "
        "limit for a processing job).",
    )

    @field_validator("instance_type")
    @classmethod
    def _processing_instance(cls, value: str) -> str:
        # Imported here: components.instance_types reads policies/ and botocore lazily.
        from ..instance_types import offered_instance_type

        return offered_instance_type(value, "ProcessingInstanceType")

    @field_validator("reports")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError(f"list each report once, not {value}")
        return value

    def reference(self, family: str) -> str:
        """The reference dataset's datasets-bucket prefix."""
        return self.reference_prefix or f"{REFERENCE_PREFIX}{family}/"

    def settings(
        self,
        family: str,
        *,
        image_uri: str,
        datasets_bucket: str,
        report_script_uri: str,
        publish_script_uri: str,
        publisher_role_arn: str,
    ) -> EvidentlySettings:
        """The two steps' settings for ``family``, with the resolved image, bucket, scripts and role."""
        return EvidentlySettings(
            image_uri=image_uri,
            reference_uri=f"s3://{datasets_bucket}/{self.reference(family)}",
            report_script_uri=report_script_uri,
            publish_script_uri=publish_script_uri,
            publisher_role_arn=publisher_role_arn,
            family=family,
            reports=tuple(self.reports),
            drift_share=float(self.drift_share),
            instance_type=self.instance_type,
            max_runtime_seconds=self.max_runtime_seconds,
        )


_ECR_IMAGE = re.compile(
    r"^(?P<account>[0-9]{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?/"
    r"[a-z0-9]+(?:[._/-][a-z0-9]+)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\Z"
)
_S3_PREFIX = re.compile(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/(.+/)?\Z")
_SCRIPT = re.compile(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+\.py\Z")
_ROLE = re.compile(r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9_+=,.@/-]+\Z")
_INSTANCE_TYPE = re.compile(r"^ml\.[a-z0-9-]+\.[a-z0-9]+\Z")
_DIMENSION_VALUE = re.compile(r"^[A-Za-z0-9._-]{1,255}\Z")


def is_pipeline_kind(kind: str) -> bool:
    """A ``Pipeline`` dimension value this platform publishes: a kind of :data:`PIPELINE_KINDS`, or
    ``endpoint-<endpoint>`` within CloudWatch's dimension-value limits."""
    return kind in PIPELINE_KINDS or (
        kind.startswith(ENDPOINT_KIND_PREFIX)
        and len(kind) > len(ENDPOINT_KIND_PREFIX)
        and _DIMENSION_VALUE.match(kind) is not None
    )


@dataclass(frozen=True)
class EvidentlySettings:
    """Where the two steps find their image, scripts, reference and role (resolved values)."""

    image_uri: str
    """``<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>`` of the Evidently image, in the
    pipeline's own account and region (the jobs pull it through the VPC's ECR endpoints)."""
    reference_uri: str
    """S3 prefix (ending in ``/``) of the reference dataset: CSV with a header, the model's request
    columns (the layout of Preprocess's ``baseline`` output)."""
    report_script_uri: str
    """s3:// URI of the uploaded evidently_report.py."""
    publish_script_uri: str
    """s3:// URI of the uploaded publish_drift_metrics.py."""
    publisher_role_arn: str
    """Role of PublishDriftMetrics: PutMetricData in :data:`NAMESPACE`, its own script; never the
    data steps' role."""
    family: str
    """The ``Family`` dimension of the metrics."""
    reports: tuple[str, ...] = REPORTS
    drift_share: float = 0.5
    """Share of drifted columns from which Evidently reports dataset drift."""
    instance_type: str = "ml.m5.large"
    """Instance of EvidentlyReport (pandas in memory: size it for reference + current)."""
    max_runtime_seconds: int = 3600

    def __post_init__(self) -> None:
        if isinstance(self.reports, list):
            object.__setattr__(self, "reports", tuple(self.reports))


def evidently_problems(
    settings: EvidentlySettings | None, *, region: str, account_id: str, data_role_arn: str
) -> list[str]:
    """Every problem of ``settings`` at once (empty when valid or absent)."""
    if settings is None:
        return []
    if not isinstance(settings, EvidentlySettings):
        return [f"evidently {settings!r} must be EvidentlySettings or None"]
    image = _ECR_IMAGE.match(settings.image_uri) if isinstance(settings.image_uri, str) else None
    reports = settings.reports if isinstance(settings.reports, tuple) else ()
    checks = [
        (
            image is not None,
            f"evidently.image_uri {settings.image_uri!r} must be an ECR image with a tag "
            "(<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>)",
        ),
        (
            image is None or (image["account"], image["region"]) == (account_id, region),
            f"evidently.image_uri is not in the pipeline's account and region ({account_id}, {region})",
        ),
        (
            _fits(_S3_PREFIX, settings.reference_uri),
            f"evidently.reference_uri {settings.reference_uri!r} must be an s3:// prefix ending in '/'",
        ),
        (
            _fits(_SCRIPT, settings.report_script_uri) and _fits(_SCRIPT, settings.publish_script_uri),
            "evidently.report_script_uri and publish_script_uri must be s3:// URIs of .py objects",
        ),
        (
            _fits(_ROLE, settings.publisher_role_arn),
            f"evidently.publisher_role_arn {settings.publisher_role_arn!r} must be an IAM role ARN",
        ),
        (
            settings.publisher_role_arn != data_role_arn,
            "evidently.publisher_role_arn must not be the data steps' role: the step that reaches "
            "CloudWatch must not hold the credentials that read the data",
        ),
        (
            _fits(_DIMENSION_VALUE, settings.family),
            f"evidently.family {settings.family!r} is not a dimension value",
        ),
        (
            bool(reports) and set(reports) <= set(REPORTS) and len(set(reports)) == len(reports),
            f"evidently.reports {settings.reports!r} must be a tuple of distinct names from {REPORTS}",
        ),
        (
            isinstance(settings.drift_share, (int, float))
            and not isinstance(settings.drift_share, bool)
            and 0 < settings.drift_share <= 1,
            f"evidently.drift_share {settings.drift_share!r} must be in (0, 1]",
        ),
        (
            _fits(_INSTANCE_TYPE, settings.instance_type),
            f"evidently.instance_type {settings.instance_type!r} must be a SageMaker instance type",
        ),
        (
            isinstance(settings.max_runtime_seconds, int)
            and 0 < settings.max_runtime_seconds <= PROCESSING_MAX_RUNTIME_SECONDS,
            f"evidently.max_runtime_seconds {settings.max_runtime_seconds!r} must be 1 to "
            f"{PROCESSING_MAX_RUNTIME_SECONDS} (SageMaker's limit for a processing job)",
        ),
    ]
    return [message for ok, message in checks if not ok]


def _fits(pattern: re.Pattern[str], value: object) -> bool:
    return isinstance(value, str) and pattern.match(value) is not None
