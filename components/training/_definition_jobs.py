"""What the jobs of a model family's training pipeline share: the container paths and limits, the
execution-time parameters, the images, the S3 locations of a run, the VPC network and the
processor of the family's script jobs.

Imported only inside ``components.training._offline_sdk.sealed``, through ``_definition_steps``
(importing the SDK has side effects, see there).
"""

from __future__ import annotations

import functools
from pathlib import PurePosixPath
from typing import Any, Literal

from sagemaker.core import image_uris
from sagemaker.core.network import NetworkConfig
from sagemaker.core.processing import ScriptProcessor
from sagemaker.core.workflow.execution_variables import ExecutionVariables
from sagemaker.core.workflow.functions import Join
from sagemaker.core.workflow.parameters import ParameterFloat, ParameterString
from sagemaker.mlops.workflow import (
    ProcessingStep,
)

from ..instance_types import has_instance_store
from ..prebuilt_images import DISTRIBUTION, DISTRIBUTION_VERSION, sdk_table
from . import frameworks
from .definition import (
    APPROVAL_STATUSES,
    SNAPSHOT_AT_START,
    SNAPSHOT_PARAMETER,
    TRACKING_INSTANCE_TYPE,
    TrainingPipelineSettings,
    processing_runtime,
)

# Container paths: the family step scripts' defaults are the same (the contract in models/README.md).
PROCESSING = PurePosixPath("/opt/ml/processing")
RAW_DATA = PROCESSING / "input" / "data"
SPLITS = ("train", "validation", "test")
BASELINE_DATASET = "baseline"
"""Preprocess output: the train split's model inputs (header, request column order, no label or
ids); Evaluate's output: the same rows with the model's probability in front, the dataset of the
data-quality baseline (Model Monitor captures the response first, then the request)."""
MODEL_INPUT = PROCESSING / "model"
TEST_INPUT = PROCESSING / "test"
FEATURES_INPUT = PROCESSING / "features"
EVALUATION_OUTPUT = PROCESSING / "evaluation"
PREDICTIONS_OUTPUT = PROCESSING / "predictions"
"""Evaluate output: ``predictions.csv`` (probability, prediction, label) of the test split."""
BASELINE_OUTPUT = PROCESSING / "baseline"
REPORT_FILE = "evaluation.json"
# The analyzer's container contract (the paths QualityCheckStep uses).
ANALYZER_INPUT = PROCESSING / "input" / "baseline_dataset_input"
ANALYZER_OUTPUT = PROCESSING / "output"
CODE_CHANNEL_DIR = "/opt/ml/input/data/code"
"""Where the training job's ``code`` channel (the train script) lands; see ``sagemaker_program``."""
SERVING_CODE_DIR = "/opt/ml/model/code"
"""train.py copies itself there, so the served model needs no code download."""
CHECKPOINT_DIR = "/opt/ml/checkpoints"
TRACKING_OUTPUT = PROCESSING / "tracking"
RUN_FILE = "run.json"
"""TrackExperiment's property file: ``{"run_id": ..., "experiment_id": ..., "run_name": ...}``."""
MANIFEST_INPUT_NAME = "raw"
"""DatasetManifest's input has Preprocess's input name (its script finds the URI under it)."""
MANIFEST_OUTPUT = PROCESSING / "manifest"
SUMMARY_FILE = "summary.json"
"""DatasetManifest's property file: ``{"manifest_sha256", "objects", "bytes", "input_uri"}``."""
MAX_ARGUMENT_LENGTH = 256
"""CreateProcessingJob's limit on each ContainerArguments entry."""
CUT_MARK = "..."


def container_argument(text: str) -> str:
    """``text`` as one container argument: cut to :data:`MAX_ARGUMENT_LENGTH`, ending in
    :data:`CUT_MARK` when it was cut, so a tracked value never passes for the whole one."""
    if len(text) <= MAX_ARGUMENT_LENGTH:
        return text
    return text[: MAX_ARGUMENT_LENGTH - len(CUT_MARK)] + CUT_MARK


SPLIT_SEED = 42
VOLUME_SIZE_GB = 30
CONTENT_TYPES = ["text/csv", "application/json"]
REGISTRATION_INSTANCE_TYPE = "ml.m5.large"
"""Only stops ModelBuilder from guessing one; it does not appear in the model package."""


def supports_volume_kms(instance_type: str) -> bool:
    """False for instance types with NVMe instance storage (*d families, g5, p5...).

    The platform's one list (``components.instance_types``, shared with the policy pack), not the
    SDK's heuristic: the key the builder sets is then exactly the key the pack demands.
    """
    return not has_instance_store(instance_type)


class _Parameters:
    """The execution-time knobs; defaults come from the settings."""

    def __init__(self, settings: TrainingPipelineSettings) -> None:
        # A family reading a feature group trains on ExtractFeatures' output: an InputDataUri it
        # declared would be accepted at StartPipelineExecution and change nothing.
        self.input_data = (
            None
            if settings.feature_input
            else ParameterString("InputDataUri", default_value=settings.input_data_uri)
        )
        self.processing_instance_type = ParameterString(
            "ProcessingInstanceType", default_value=settings.processing_instance_type
        )
        self.training_instance_type = ParameterString(
            "TrainingInstanceType", default_value=settings.training_instance_type
        )
        self.approval_status = ParameterString(
            "ModelApprovalStatus", default_value=settings.approval_status, enum_values=list(APPROVAL_STATUSES)
        )
        self.threshold = ParameterFloat("MetricThreshold", default_value=float(settings.metric_threshold))
        self.training_data: Any = self.input_data
        """What Preprocess (and DatasetManifest) read: InputDataUri, or ExtractFeatures' output."""
        self.snapshot_time = (
            ParameterString(SNAPSHOT_PARAMETER, default_value=SNAPSHOT_AT_START)
            if settings.feature_input
            else None
        )

    def all(self) -> list[Any]:
        return [
            *([self.input_data] if self.input_data is not None else []),
            self.processing_instance_type,
            self.training_instance_type,
            self.approval_status,
            self.threshold,
            *([self.snapshot_time] if self.snapshot_time is not None else []),
        ]


def _image(
    settings: TrainingPipelineSettings, scope: Literal["training", "inference"], instance_type: str
) -> str:
    """The family framework's image from the SDK's bundled table (no API call). The instance type
    picks the CPU or GPU build where the framework has both (PyTorch); scikit-learn and XGBoost
    images are the same on either (see ``frameworks.image_uri``)."""
    return _framework_image(
        settings.framework,
        settings.framework_version,
        settings.py_version,
        settings.region,
        scope,
        instance_type,
    )


@functools.cache
def _framework_image(
    framework: str,
    version: str,
    py_version: str | None,
    region: str,
    scope: Literal["training", "inference"],
    instance_type: str,
) -> str:
    return frameworks.image_uri(framework, version, py_version, region, scope, instance_type)


def _run_uri(settings: TrainingPipelineSettings, *parts: Any) -> Join:
    """s3://<bucket>/pipelines/<pipeline>/<execution id>/<parts...>: one prefix per execution."""
    return Join(
        on="/",
        values=[
            "s3:/",
            settings.artifact_bucket,
            "pipelines",
            settings.pipeline_name,
            ExecutionVariables.PIPELINE_EXECUTION_ID,
            *parts,
        ],
    )


def _baseline_uri(settings: TrainingPipelineSettings, *parts: str) -> Join:
    """s3://<bucket>/baselines/<family>/<execution id>/<parts...>: this execution's baselines."""
    return Join(on="/", values=[settings.baselines_uri, ExecutionVariables.PIPELINE_EXECUTION_ID, *parts])


def _output_uri(step: ProcessingStep, output: str, *suffix: str) -> Any:
    uri = step.properties.ProcessingOutputConfig.Outputs[output].S3Output.S3Uri
    return Join(on="/", values=[uri, *suffix]) if suffix else uri


def _network(settings: TrainingPipelineSettings) -> NetworkConfig:
    return NetworkConfig(
        enable_network_isolation=settings.enable_network_isolation,
        security_group_ids=list(settings.security_group_ids),
        subnets=list(settings.subnet_ids),
        encrypt_inter_container_traffic=True,
    )


def _job_name(settings: TrainingPipelineSettings, job: str) -> str:
    return f"{settings.pipeline_name}-{job}"[:50]


def _processor(
    settings: TrainingPipelineSettings, session: Any, parameters: _Parameters, job: str
) -> ScriptProcessor:
    volume_kms = supports_volume_kms(settings.processing_instance_type)
    return ScriptProcessor(
        role=settings.role_arn,
        image_uri=_image(settings, "training", settings.processing_instance_type),
        command=["python3"],
        instance_count=1,
        instance_type=parameters.processing_instance_type,
        volume_size_in_gb=VOLUME_SIZE_GB,
        volume_kms_key=settings.kms_key_arn if volume_kms else None,
        output_kms_key=settings.kms_key_arn,
        max_runtime_in_seconds=processing_runtime(settings.max_run_seconds),
        base_job_name=_job_name(settings, job),
        sagemaker_session=session,
        network_config=_network(settings),
    )


def _schema_arguments(settings: TrainingPipelineSettings) -> list[str]:
    """What the family's stack file says of its data, for the scripts (models/README.md)."""
    arguments = ["--label", settings.label_column]
    if settings.identifier_columns:
        arguments += ["--identifiers", ",".join(settings.identifier_columns)]
    return arguments


@functools.cache
def _distribution_image(region: str) -> str:
    """The SageMaker Distribution CPU image of the region (SDK's bundled table, no API call): runs
    ExtractFeatures and TrackExperiment."""
    return image_uris.retrieve(
        sdk_table(DISTRIBUTION),
        region=region,
        version=DISTRIBUTION_VERSION,
        image_scope="inference",
        instance_type=TRACKING_INSTANCE_TYPE,
    )
