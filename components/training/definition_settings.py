"""What a model family's training pipeline definition depends on: :class:`TrainingPipelineSettings`,
checked on construction (:mod:`components.training.definition_checks`).

Re-exported by :mod:`components.training.definition`, where it has always been importable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .definition_checks import _problems
from .definition_names import BASELINES_PREFIX
from .definition_sections import ExperimentTrackingSettings, FeatureInputSettings, LineageSettings
from .evidently import EvidentlySettings
from .tuning import TuningSettings


@dataclass(frozen=True)
class TrainingPipelineSettings:
    """Everything the definition depends on; invalid values raise ``ValueError`` on construction.

    Sequences and the script mapping are normalised to tuples and a read-only mapping, so a
    settings object is immutable and Pulumi outputs (lists, dicts) can be passed as they resolve.
    """

    pipeline_name: str
    region: str
    account_id: str
    role_arn: str
    """Execution role of every job (and of model registration)."""
    artifact_bucket: str
    """Bucket name. Job outputs go to s3://<bucket>/pipelines/<pipeline_name>/<execution-id>/...,
    model artifacts to s3://<bucket>/models/<pipeline_name>/<training-job>/output/model.tar.gz."""
    kms_key_arn: str
    """Output KMS key and volume KMS key of every job."""
    subnet_ids: tuple[str, ...]
    security_group_ids: tuple[str, ...]
    model_package_group_name: str
    approval_status: str
    """Default of the ModelApprovalStatus parameter: "Approved" or "PendingManualApproval"."""
    metric_path: str
    """JsonGet path in evaluation.json, e.g. "metrics.auc.value"; the metric is one of
    ``evaluation_metrics``."""
    metric_threshold: float
    input_data_uri: str
    """Default of the InputDataUri parameter: an S3 prefix holding the raw CSV extract."""
    script_uris: Mapping[str, str]
    """{"preprocess": "s3://.../preprocess.py", "train": "s3://.../train.py", "evaluate": ...}."""
    framework: str
    """The family's framework (sklearn, xgboost, pytorch): every step runs on its image."""
    framework_version: str
    label_column: str
    """Passed to Preprocess and Evaluate as ``--label`` and to Train as the ``label`` hyperparameter."""
    problem_type: str
    """BinaryClassification, MulticlassClassification or Regression: the model-quality baseline's."""
    evaluation_metrics: tuple[str, ...]
    """What Evaluate must report (passed as ``--metrics``); ``metric_path`` names one of them."""
    py_version: str | None = None
    identifier_columns: tuple[str, ...] = ()
    """Passed to Preprocess and Evaluate as ``--identifiers``: never features."""
    metric_direction: str = "maximize"
    """``maximize``: the metric must be >= MetricThreshold to register; ``minimize``: <=."""
    hyperparameters: Mapping[str, Any] = field(default_factory=dict)
    """The family's, passed to the training script with the platform's own (label, script mode)."""
    metric_definitions: tuple[tuple[str, str], ...] = ()
    """(name, regex) of the training-log metrics published to CloudWatch."""
    processing_instance_type: str = "ml.m5.xlarge"
    training_instance_type: str = "ml.m5.xlarge"
    inference_instance_type: str | None = None
    """An instance type of the kind (CPU or GPU) that serves the registered versions: it picks the
    build of their inference image where the framework has both (PyTorch). None: the training
    instance's kind."""
    training_instance_count: int = 1
    use_spot_instances: bool = False
    max_run_seconds: int = 3600
    """The training job's limit, and the processing jobs' (Preprocess, Evaluate, the baselining
    jobs...) up to their own ceiling of 9 days (:func:`processing_runtime`)."""
    max_wait_seconds: int | None = None
    """Required, and greater than max_run_seconds, with spot instances; rejected without them."""
    enable_network_isolation: bool = True
    baseline_instance_type: str = "ml.m5.xlarge"
    """Instance of the two Model Monitor baselining jobs (the Spark-based analyzer)."""
    model_monitor_baselines: bool = True
    """With them: DataQualityBaseline and ModelQualityBaseline (Model Monitor's analyzer image) run
    before RegisterModel, and the version registers them as its DriftCheckBaselines; without (an
    account Model Monitor is closed to), neither step runs and the version registers none."""
    experiment_tracking: ExperimentTrackingSettings | None = None
    """With a tracking server: the TrackExperiment step and the model package's link to its run;
    without, the pipeline has neither."""
    lineage: LineageSettings | None = None
    """With it: the DatasetManifest step and the version's full lineage; without, the execution ARN."""
    tuning: TuningSettings | None = None
    """With it: the Tune step (a hyperparameter tuning job over the Train step's exact training
    settings) replaces Train, and Evaluate, TrackExperiment and RegisterModel take its best job."""
    feature_input: FeatureInputSettings | None = None
    """With it: the training set comes from a feature group's offline store (the ExtractFeatures
    step, the ``FeatureSnapshotTime`` parameter) instead of ``input_data_uri`` (no ``InputDataUri``
    parameter then)."""
    evidently: EvidentlySettings | None = None
    """With it: EvidentlyReport on the run's training features against the family's reference, and
    PublishDriftMetrics (see ``components/training/evidently.py``); without, neither."""

    @property
    def baselines_uri(self) -> str:
        """The family's baselines folder. Each execution writes its own ``<execution id>/`` under it
        (``statistics.json`` and ``constraints.json`` of the training data, and of the test-split
        predictions in ``model_quality/``) and registers them with its model version as the
        version's DriftCheckBaselines: the monitors of an endpoint read the baselines of the version
        it serves, never those of a later version that is not (yet) approved."""
        return f"s3://{self.artifact_bucket}/{BASELINES_PREFIX}/{self.model_package_group_name}"

    def __post_init__(self) -> None:
        problems = []
        for name in ("subnet_ids", "security_group_ids"):
            value = getattr(self, name)
            if isinstance(value, str) or not isinstance(value, Iterable):
                problems.append(f"{name} must be a sequence of ids, not {value!r}")
                value = ()
            object.__setattr__(self, name, tuple(value))
        for name in ("identifier_columns", "evaluation_metrics", "metric_definitions"):
            value = getattr(self, name)
            if isinstance(value, str) or not isinstance(value, Iterable):
                problems.append(f"{name} must be a sequence, not {value!r}")
                value = ()
            object.__setattr__(self, name, tuple(tuple(v) if isinstance(v, list) else v for v in value))
        for name in ("script_uris", "hyperparameters"):
            mapping = getattr(self, name)
            if not isinstance(mapping, Mapping):
                problems.append(f"{name} must be a mapping, not {mapping!r}")
                mapping = {}
            object.__setattr__(self, name, MappingProxyType(dict(mapping)))
        problems += _problems(self)
        if problems:
            raise ValueError("invalid training pipeline settings:\n- " + "\n- ".join(problems))
