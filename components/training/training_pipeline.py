"""TrainingPipeline: a SageMaker pipeline (continuous training) with its step scripts shipped by Pulumi."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws.s3 as s3
import pulumi_aws.sagemaker as sagemaker

from ..extras import require
from ..instance_types import instance_type_form_problem
from ..limits import (
    account_id_problem,
    in_range,
    instance_problem,
    one_of,
    region_problem,
    satisfies,
    tags_problem,
)
from ..naming import pipeline_name_problem
from ..output_text import concat
from ..pipeline_scripts import upload_pipeline_script
from ..registry.model_family_spec import PromotionCriterion
from .definition import APPROVAL_STATUSES, COMMIT_PATTERN, UNKNOWN_COMMIT
from .evidently import EvidentlySpec
from .training_spec import MAX_PARALLEL_STEPS, FamilyTrainingSpec, TrainingSpec, training_data_prefix

__all__ = [
    "FamilyTrainingSpec",
    "PipelineEvidently",
    "PipelineExperimentTracking",
    "PipelineFeatureInput",
    "TrainingPipeline",
    "TrainingPipelineArgs",
    "TrainingSpec",
    "family_code_sha256",
    "training_data_prefix",
]

TRACK_EXPERIMENT_SCRIPT = Path(__file__).resolve().parent / "steps" / "track_experiment.py"
"""The platform's TrackExperiment step script, uploaded beside the family's scripts."""
DATASET_MANIFEST_SCRIPT = Path(__file__).resolve().parent / "steps" / "dataset_manifest.py"
"""The platform's DatasetManifest step script (the training data's fingerprint, for lineage)."""
EXTRACT_FEATURES_SCRIPT = Path(__file__).resolve().parent / "steps" / "extract_features.py"
"""The platform's ExtractFeatures step script (the training set from a feature group's offline store)."""

EVIDENTLY_REPORT_SCRIPT = Path(__file__).resolve().parent / "steps" / "evidently_report.py"
PUBLISH_DRIFT_SCRIPT = Path(__file__).resolve().parent / "steps" / "publish_drift_metrics.py"
"""The platform's Evidently step scripts (EvidentlyReport, PublishDriftMetrics)."""


def family_code_sha256(scripts: Mapping[str, Path]) -> str:
    """The family code's fingerprint that every registered version records (``family_code_sha256``).

    SHA-256 of what ``sha256sum`` prints for the family's step scripts in file-name order, so
    ``cd models/<family> && sha256sum evaluate.py preprocess.py train.py | sha256sum`` gives it
    back: the code of the uploaded scripts, whichever commit or working tree it came from.
    """
    files = sorted({Path(path) for path in scripts.values()}, key=lambda path: (path.name, str(path)))
    lines = "".join(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}\n" for path in files)
    return hashlib.sha256(lines.encode()).hexdigest()


@dataclass(frozen=True)
class PipelineExperimentTracking:
    """Where TrackExperiment logs each execution, and the role it runs as."""

    tracking_server_arn: pulumi.Input[str]
    """ARN of the MLflow tracking server (the step's ``MLFLOW_TRACKING_URI``)."""
    role_arn: pulumi.Input[str]
    """Role of the TrackExperiment job: the server's logging actions, its script and output; never
    the execution role (the step is not network-isolated, so it must not hold the data role). The
    pipeline role must be allowed to pass it."""


@dataclass(frozen=True)
class PipelineFeatureInput:
    """The feature group the family's training set comes from (``spec.data``), and how it is read."""

    feature_group_name: pulumi.Input[str]
    """Physical name of the feature group (the model versions record it)."""
    workgroup: pulumi.Input[str]
    """Athena workgroup of the ExtractFeatures query (its results location and key are enforced)."""
    role_arn: pulumi.Input[str]
    """Role of the ExtractFeatures job: Athena on the workgroup, read of the group's offline store;
    never the execution role (the step is not network-isolated). The pipeline role must be allowed
    to pass it."""


@dataclass(frozen=True)
class PipelineEvidently:
    """The family's Evidently report of each run's training features (``components/training/evidently.py``)."""

    spec: EvidentlySpec
    """What to report, the drift share, the reference prefix (in the datasets bucket) and the job size."""
    image_uri: pulumi.Input[str]
    """The Evidently image with its tag (``<repository url>:<image_tag>``), in the pipeline's account."""
    publisher_role_arn: pulumi.Input[str]
    """Role of PublishDriftMetrics (PutMetricData in the Evidently namespace); never the execution
    role. The pipeline role must be allowed to pass it."""


@dataclass(frozen=True)
class TrainingPipelineArgs:
    family: str
    """Model family this pipeline trains (its training-data prefix and tags)."""
    pipeline_name: str
    """The SageMaker pipeline's name (account-wide: the stack's prefix keeps it apart)."""
    spec: FamilyTrainingSpec
    """The family's code, framework, schema, metrics and compute (the stack's defaults merged in)."""
    promotion: PromotionCriterion
    """The metric, threshold and direction the CheckMetric step applies: only a passing version is
    registered (the threshold is the default of the ``MetricThreshold`` parameter)."""
    approval_status: str
    """Status new versions are registered with (``ModelRegistry.default_approval_status``)."""
    account_id: str
    """The 12-digit AWS account of the pipeline."""
    region: str
    """Region of the pipeline; picks the framework's images."""
    datasets_bucket_name: pulumi.Input[str]
    """Bucket of the training data; the default input is ``s3://<bucket>/training-data/<family>/``."""
    artifact_bucket_name: pulumi.Input[str]
    """Bucket of the step scripts, job outputs, model artifacts and baselines."""
    kms_key_arn: pulumi.Input[str]
    """Customer-managed KMS key of the scripts, job outputs and (where the instance type allows) volumes."""
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Private subnets every job runs in."""
    security_group_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Security groups of every job."""
    execution_role_arn: pulumi.Input[str]
    """Role of every processing and training job."""
    pipeline_role_arn: pulumi.Input[str]
    """Role SageMaker Pipelines assumes to orchestrate (create jobs, pass the execution role, register)."""
    model_package_group_name: pulumi.Input[str]
    """Model package group that passing versions are registered in (and whose baselines folder is used)."""
    tags: Mapping[str, str]
    """Tags of the pipeline and the uploaded scripts (plus ``mlops:model-family``)."""
    max_parallel_steps: int = 2
    """At most this many steps of one execution run at once (1-50, as a stack's
    ``training.max_parallel_steps``)."""
    experiment_tracking: PipelineExperimentTracking | None = None
    """With a tracking server: every execution is logged to it (the TrackExperiment step) and each
    registered version records its MLflow run id; without one, the pipeline has neither."""
    feature_input: PipelineFeatureInput | None = None
    """With ``spec.data``: the ExtractFeatures step reads the training set from this feature group's
    offline store (its columns from ``spec.data.columns``); required exactly when ``spec.data`` is set."""
    platform_commit: str = UNKNOWN_COMMIT
    """Git commit of the platform code running `pulumi up` (the stack reads it, see
    ``stacks/provenance.py``); recorded on every version the pipeline registers."""
    evidently: PipelineEvidently | None = None
    """With it: EvidentlyReport and PublishDriftMetrics after Preprocess (the run's training features
    against the family's reference); without, neither."""
    object_tag_keys: Sequence[str] = ()
    """Keys of ``tags`` the uploaded scripts carry first: S3 takes at most ``S3_OBJECT_MAX_TAGS``
    per object, so a script gets ``mlops:model-family``, these, then the other tags while they fit."""
    inference_instance_type: str | None = None
    """An instance type of the kind (CPU or GPU) that serves the family's versions: where the
    framework has both builds (PyTorch) it picks their inference image's. None: the kind of
    ``spec.training_instance_type``."""
    model_monitor_baselines: bool = True
    """With them: the DataQualityBaseline and ModelQualityBaseline steps (Model Monitor's analyzer)
    and each version's DriftCheckBaselines; without (an account Model Monitor is closed to), neither:
    a stack that serves such a version with Model Monitor reads its family's baselines folder."""

    def __post_init__(self) -> None:
        satisfies(self, "spec", lambda value: instance_problem(value, FamilyTrainingSpec))
        satisfies(self, "promotion", lambda value: instance_problem(value, PromotionCriterion))
        satisfies(self, "account_id", account_id_problem)
        satisfies(self, "region", region_problem)
        satisfies(self, "tags", lambda tags: tags_problem(tags, own=1))
        satisfies(self, "pipeline_name", pipeline_name_problem)
        satisfies(self, "inference_instance_type", _optional_instance_type_problem)
        in_range(self, "max_parallel_steps", 1, MAX_PARALLEL_STEPS)
        one_of(self, "approval_status", APPROVAL_STATUSES)
        if (self.spec.data is None) != (self.feature_input is None):
            raise ValueError(
                "TrainingPipelineArgs.feature_input must be given exactly when spec.data names a feature group"
            )
        if not isinstance(self.platform_commit, str) or not re.match(COMMIT_PATTERN, self.platform_commit):
            raise ValueError(
                f"platform_commit {self.platform_commit!r} must be a git commit id (7-40 lowercase hex "
                f"digits, optionally ending in -dirty) or {UNKNOWN_COMMIT!r}"
            )


def _optional_instance_type_problem(value: object) -> str | None:
    return None if value is None else instance_type_form_problem(value)


class TrainingPipeline(pulumi.ComponentResource):
    """The family's SageMaker pipeline: preprocess → train → evaluate → register if the metric passes.

    Step scripts are uploaded as KMS-encrypted S3 objects under a content-hashed key, so a script
    change produces a new pipeline definition. The definition is built from resolved outputs and
    never calls AWS. Every job runs in the private subnets with KMS on volumes and outputs.
    """

    pipeline_arn: pulumi.Output[str]
    """ARN of the SageMaker pipeline (the triggers' target)."""
    pipeline_name: pulumi.Output[str]
    """Name of the SageMaker pipeline."""

    def __init__(
        self, name: str, args: TrainingPipelineArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        # Before any resource: the definition is built inside an apply, where a missing SDK would
        # surface as a bare import error in the middle of a preview.
        require("sagemaker", "TrainingPipeline (its pipeline definition)")
        super().__init__("mlops:training:TrainingPipeline", name, None, opts)
        pipeline_name = args.pipeline_name

        scripts = {
            step: self._upload_script(name, pipeline_name, step, path, args)
            for step, path in args.spec.scripts.items()
        }
        script_uris = {
            step: concat("s3://", script.bucket, "/", script.key) for step, script in scripts.items()
        }
        manifest_script = self._upload_script(
            name, pipeline_name, "dataset-manifest", DATASET_MANIFEST_SCRIPT, args
        )
        tracking = args.experiment_tracking
        tracking_inputs = {}
        if tracking is not None:
            script = self._upload_script(
                name, pipeline_name, "track-experiment", TRACK_EXPERIMENT_SCRIPT, args
            )
            tracking_inputs = {
                "tracking_script": concat("s3://", script.bucket, "/", script.key),
                "tracking_server_arn": tracking.tracking_server_arn,
                "tracking_role_arn": tracking.role_arn,
            }
        features = args.feature_input
        feature_inputs = {}
        if features is not None:
            script = self._upload_script(
                name, pipeline_name, "extract-features", EXTRACT_FEATURES_SCRIPT, args
            )
            feature_inputs = {
                "extract_script": concat("s3://", script.bucket, "/", script.key),
                "feature_group": features.feature_group_name,
                "feature_workgroup": features.workgroup,
                "feature_role_arn": features.role_arn,
            }
        evidently_inputs = {}
        if args.evidently is not None:
            report = self._upload_script(
                name, pipeline_name, "evidently-report", EVIDENTLY_REPORT_SCRIPT, args
            )
            publish = self._upload_script(name, pipeline_name, "publish-drift", PUBLISH_DRIFT_SCRIPT, args)
            evidently_inputs = {
                "evidently_report_script": concat("s3://", report.bucket, "/", report.key),
                "evidently_publish_script": concat("s3://", publish.bucket, "/", publish.key),
                "evidently_image": args.evidently.image_uri,
                "evidently_role_arn": args.evidently.publisher_role_arn,
            }
        definition = pulumi.Output.all(
            artifact_bucket=args.artifact_bucket_name,
            datasets_bucket=args.datasets_bucket_name,
            kms_key_arn=args.kms_key_arn,
            subnet_ids=pulumi.Output.from_input(args.subnet_ids),
            security_group_ids=pulumi.Output.from_input(args.security_group_ids),
            role_arn=args.execution_role_arn,
            group=args.model_package_group_name,
            scripts=pulumi.Output.all(**script_uris),
            manifest_script=concat("s3://", manifest_script.bucket, "/", manifest_script.key),
            **tracking_inputs,
            **feature_inputs,
            **evidently_inputs,
        ).apply(lambda resolved: _definition(pipeline_name, args, resolved))

        pipeline = sagemaker.Pipeline(
            f"{name}-pipeline",
            pipeline_name=pipeline_name,
            pipeline_display_name=pipeline_name,
            pipeline_description=f"Continuous training of model family {args.family}",
            pipeline_definition=definition,
            role_arn=args.pipeline_role_arn,
            parallelism_configuration=sagemaker.PipelineParallelismConfigurationArgs(
                max_parallel_execution_steps=args.max_parallel_steps
            ),
            tags={**args.tags, "mlops:model-family": args.family},
            opts=pulumi.ResourceOptions(parent=self),
        )

        self.pipeline_arn = pipeline.arn
        self.pipeline_name = pipeline.pipeline_name
        self.register_outputs({"pipeline_arn": self.pipeline_arn, "pipeline_name": self.pipeline_name})

    def _upload_script(
        self, name: str, pipeline_name: str, step: str, path: Path, args: TrainingPipelineArgs
    ) -> s3.BucketObjectv2:
        return upload_pipeline_script(
            self,
            f"{name}-{step}-script",
            path,
            bucket=args.artifact_bucket_name,
            pipeline_name=pipeline_name,
            family=args.family,
            kms_key_arn=args.kms_key_arn,
            tags=args.tags,
            object_tag_keys=args.object_tag_keys,
        )


def _definition(pipeline_name: str, args: TrainingPipelineArgs, resolved: dict) -> str:
    # Imported here: the sagemaker SDK is only needed once values are known, not to build the graph.
    from .definition import (
        ExperimentTrackingSettings,
        FeatureInputSettings,
        LineageSettings,
        TrainingPipelineSettings,
        build_definition,
    )
    from .definition_cache import cached_definition

    spec = args.spec
    tracking = (
        ExperimentTrackingSettings(
            tracking_server_arn=resolved["tracking_server_arn"],
            role_arn=resolved["tracking_role_arn"],
            script_uri=resolved["tracking_script"],
        )
        if "tracking_script" in resolved
        else None
    )
    evidently = None
    if args.evidently is not None and "evidently_image" in resolved:
        evidently = args.evidently.spec.settings(
            args.family,
            image_uri=resolved["evidently_image"],
            datasets_bucket=resolved["datasets_bucket"],
            report_script_uri=resolved["evidently_report_script"],
            publish_script_uri=resolved["evidently_publish_script"],
            publisher_role_arn=resolved["evidently_role_arn"],
        )
    return cached_definition(
        TrainingPipelineSettings(
            pipeline_name=pipeline_name,
            region=args.region,
            account_id=args.account_id,
            role_arn=resolved["role_arn"],
            artifact_bucket=resolved["artifact_bucket"],
            kms_key_arn=resolved["kms_key_arn"],
            subnet_ids=tuple(resolved["subnet_ids"]),
            security_group_ids=tuple(resolved["security_group_ids"]),
            model_package_group_name=resolved["group"],
            approval_status=args.approval_status,
            metric_path=args.promotion.metric,
            metric_threshold=float(args.promotion.threshold),
            metric_direction=args.promotion.direction,
            input_data_uri=f"s3://{resolved['datasets_bucket']}/{training_data_prefix(args.family)}",
            script_uris=dict(resolved["scripts"]),
            framework=spec.framework.name,
            framework_version=spec.framework.version,
            py_version=spec.framework.py_version,
            label_column=spec.label,
            identifier_columns=tuple(spec.identifiers),
            problem_type=spec.problem_type,
            evaluation_metrics=tuple(spec.metrics),
            hyperparameters=dict(spec.hyperparameters),
            metric_definitions=tuple((m.name, m.regex) for m in spec.metric_definitions),
            processing_instance_type=spec.processing_instance_type,
            baseline_instance_type=spec.baseline_instance_type,
            model_monitor_baselines=args.model_monitor_baselines,
            training_instance_type=spec.training_instance_type,
            inference_instance_type=args.inference_instance_type,
            training_instance_count=spec.training_instance_count,
            use_spot_instances=spec.spot,
            max_run_seconds=spec.max_run_seconds,
            max_wait_seconds=spec.max_wait_seconds if spec.spot else None,
            experiment_tracking=tracking,
            tuning=spec.tuning.as_settings() if spec.tuning else None,
            lineage=LineageSettings(
                platform_commit=args.platform_commit,
                family_code_sha256=family_code_sha256(spec.scripts),
                manifest_script_uri=resolved["manifest_script"],
            ),
            feature_input=(
                FeatureInputSettings(
                    feature_group_name=resolved["feature_group"],
                    workgroup=resolved["feature_workgroup"],
                    role_arn=resolved["feature_role_arn"],
                    script_uri=resolved["extract_script"],
                    columns=tuple(spec.data.columns),
                )
                if "extract_script" in resolved and spec.data is not None
                else None
            ),
            evidently=evidently,
        ),
        build_definition,
    )
