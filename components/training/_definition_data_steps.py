"""The steps that read the training data and the model's predictions of it: ExtractFeatures,
Preprocess, DatasetManifest and Evaluate.

Imported only inside ``components.training._offline_sdk.sealed``, through ``_definition_steps``
(importing the SDK has side effects, see there).
"""

from __future__ import annotations

from typing import Any

from sagemaker.core.network import NetworkConfig
from sagemaker.core.processing import ScriptProcessor
from sagemaker.core.workflow.execution_variables import ExecutionVariables
from sagemaker.core.workflow.properties import PropertyFile
from sagemaker.mlops.workflow import (
    ProcessingStep,
    TrainingStep,
    TuningStep,
)

from ._definition_jobs import (
    BASELINE_DATASET,
    BASELINE_OUTPUT,
    EVALUATION_OUTPUT,
    FEATURES_INPUT,
    MANIFEST_INPUT_NAME,
    MANIFEST_OUTPUT,
    MODEL_INPUT,
    PREDICTIONS_OUTPUT,
    PROCESSING,
    RAW_DATA,
    REPORT_FILE,
    SPLIT_SEED,
    SPLITS,
    SUMMARY_FILE,
    TEST_INPUT,
    VOLUME_SIZE_GB,
    _distribution_image,
    _job_name,
    _output_uri,
    _Parameters,
    _processor,
    _run_uri,
    _schema_arguments,
    supports_volume_kms,
)
from ._definition_training import (
    _model_artifacts,
)
from ._evidently_steps import s3_output, s3_prefix_input
from .definition import (
    DATASET_MANIFEST,
    EVALUATION_REPORT,
    EXTRACT_INSTANCE_TYPE,
    FEATURE_SNAPSHOT,
    STEP_EVALUATE,
    STEP_EXTRACT,
    STEP_MANIFEST,
    STEP_PREPROCESS,
    TrainingPipelineSettings,
    processing_runtime,
)


def _preprocess_step(
    settings: TrainingPipelineSettings, session: Any, parameters: _Parameters
) -> ProcessingStep:
    step_args = _processor(settings, session, parameters, "preprocess").run(
        code=settings.script_uris["preprocess"],
        inputs=[s3_prefix_input("raw", parameters.training_data, RAW_DATA)],
        outputs=[
            s3_output(name, _run_uri(settings, STEP_PREPROCESS, name), PROCESSING / "output" / name)
            for name in (*SPLITS, BASELINE_DATASET)
        ],
        arguments=["--seed", str(SPLIT_SEED), *_schema_arguments(settings)],
    )
    return ProcessingStep(name=STEP_PREPROCESS, step_args=step_args)


def _manifest_step(
    settings: TrainingPipelineSettings, session: Any, parameters: _Parameters
) -> tuple[ProcessingStep, PropertyFile]:
    """Fingerprint the training data beside Preprocess: the same input (InputDataUri, downloaded at
    the same time), the same processor (image, instance, network isolation, KMS), the platform's
    ``steps/dataset_manifest.py``; its ``summary.json`` is what RegisterModel records."""
    assert settings.lineage is not None
    step_args = _processor(settings, session, parameters, "dataset-manifest").run(
        code=settings.lineage.manifest_script_uri,
        inputs=[s3_prefix_input(MANIFEST_INPUT_NAME, parameters.training_data, RAW_DATA)],
        outputs=[s3_output("manifest", _run_uri(settings, STEP_MANIFEST, "manifest"), MANIFEST_OUTPUT)],
        arguments=["--input-dir", str(RAW_DATA), "--output-dir", str(MANIFEST_OUTPUT)],
    )
    summary = PropertyFile(name=DATASET_MANIFEST, output_name="manifest", path=SUMMARY_FILE)
    return ProcessingStep(name=STEP_MANIFEST, step_args=step_args, property_files=[summary]), summary


def _evaluate_step(
    settings: TrainingPipelineSettings,
    session: Any,
    parameters: _Parameters,
    preprocess: ProcessingStep,
    train: TrainingStep | TuningStep,
) -> tuple[ProcessingStep, PropertyFile]:
    step_args = _processor(settings, session, parameters, "evaluate").run(
        code=settings.script_uris["evaluate"],
        arguments=[*_schema_arguments(settings), "--metrics", ",".join(settings.evaluation_metrics)],
        inputs=[
            s3_prefix_input("model", _model_artifacts(train, settings), MODEL_INPUT),
            s3_prefix_input("test", _output_uri(preprocess, "test"), TEST_INPUT),
            s3_prefix_input("features", _output_uri(preprocess, BASELINE_DATASET), FEATURES_INPUT),
        ],
        outputs=[
            s3_output("evaluation", _run_uri(settings, STEP_EVALUATE, "evaluation"), EVALUATION_OUTPUT),
            s3_output("predictions", _run_uri(settings, STEP_EVALUATE, "predictions"), PREDICTIONS_OUTPUT),
            s3_output(BASELINE_DATASET, _run_uri(settings, STEP_EVALUATE, BASELINE_DATASET), BASELINE_OUTPUT),
        ],
    )
    report = PropertyFile(name=EVALUATION_REPORT, output_name="evaluation", path=REPORT_FILE)
    return ProcessingStep(name=STEP_EVALUATE, step_args=step_args, property_files=[report]), report


EXTRACT_DATASET, EXTRACT_SNAPSHOT = "features", "snapshot"
"""ExtractFeatures' outputs: the training set (what Preprocess reads) and ``snapshot.json``, kept
apart so the property file never lands among the training data."""
EXTRACT_OUTPUT = PROCESSING / "output" / EXTRACT_DATASET
SNAPSHOT_OUTPUT = PROCESSING / "output" / EXTRACT_SNAPSHOT
SNAPSHOT_FILE = "snapshot.json"
"""ExtractFeatures' property file: ``{"feature_group", "as_of", "rows", "table", "query_execution_id"}``."""


def _extract_step(
    settings: TrainingPipelineSettings, session: Any, parameters: _Parameters
) -> tuple[ProcessingStep, PropertyFile]:
    """Query the feature group's offline store at ``FeatureSnapshotTime`` (the execution's start by
    default) and write the training set: the platform's ``steps/extract_features.py`` on the
    SageMaker Distribution image (it has boto3), as the extraction role, through the stack's
    Athena workgroup. Not network-isolated (it calls Athena and SageMaker through the VPC
    endpoints), so, like TrackExperiment, its only input is its script; its outputs are encrypted
    with the platform key like every job's."""
    features = settings.feature_input
    assert features is not None and parameters.snapshot_time is not None
    volume_kms = supports_volume_kms(EXTRACT_INSTANCE_TYPE)
    processor = ScriptProcessor(
        role=features.role_arn,
        image_uri=_distribution_image(settings.region),
        command=["python3"],
        instance_count=1,
        instance_type=EXTRACT_INSTANCE_TYPE,
        volume_size_in_gb=VOLUME_SIZE_GB,
        volume_kms_key=settings.kms_key_arn if volume_kms else None,
        output_kms_key=settings.kms_key_arn,
        max_runtime_in_seconds=processing_runtime(settings.max_run_seconds),
        base_job_name=_job_name(settings, "extract-features"),
        sagemaker_session=session,
        network_config=NetworkConfig(
            enable_network_isolation=False,
            security_group_ids=list(settings.security_group_ids),
            subnets=list(settings.subnet_ids),
            encrypt_inter_container_traffic=True,
        ),
    )
    step_args = processor.run(
        code=features.script_uri,
        arguments=[
            "--feature-group",
            features.feature_group_name,
            "--workgroup",
            features.workgroup,
            "--region",
            settings.region,
            "--as-of",
            parameters.snapshot_time,
            "--execution-start",
            ExecutionVariables.START_DATETIME,
            *(item for column in features.columns for item in ("--column", column)),
            "--output-dir",
            str(EXTRACT_OUTPUT),
            "--snapshot-dir",
            str(SNAPSHOT_OUTPUT),
        ],
        outputs=[
            s3_output(EXTRACT_DATASET, _run_uri(settings, STEP_EXTRACT, EXTRACT_DATASET), EXTRACT_OUTPUT),
            s3_output(EXTRACT_SNAPSHOT, _run_uri(settings, STEP_EXTRACT, EXTRACT_SNAPSHOT), SNAPSHOT_OUTPUT),
        ],
    )
    snapshot = PropertyFile(name=FEATURE_SNAPSHOT, output_name=EXTRACT_SNAPSHOT, path=SNAPSHOT_FILE)
    return ProcessingStep(name=STEP_EXTRACT, step_args=step_args, property_files=[snapshot]), snapshot
