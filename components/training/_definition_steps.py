"""Compose a model family's training pipeline with the SageMaker Python SDK v3.

Imported only inside ``components.training._offline_sdk.sealed`` (importing the SDK has side effects, see
there); :func:`components.training.definition.build_definition` is the public entry point.

SDK classes: ``ScriptProcessor`` (sagemaker-core) for the two script jobs, ``Processor`` running
the Model Monitor analyzer image for the two baselining jobs, ``ModelTrainer`` (sagemaker-train)
for the training job, ``ModelBuilder.register`` (sagemaker-serve) for the model package, and
``Pipeline``/``ProcessingStep``/``TrainingStep``/``ModelStep``/``ConditionStep``/``FailStep``
(sagemaker-mlops). Every URI is given explicitly (scripts, data, outputs, model artifacts,
checkpoints, baselines), so the SDK never needs its default bucket or an upload.

Why not ``QualityCheckStep``: in sagemaker-mlops 1.27 its request builder
(``_check_job_request._build_check_job_request``) puts the ``NetworkConfig`` *object* into the
request, so ``Pipeline.definition()`` raises ``TypeError: Object of type NetworkConfig is not JSON
serializable``; without a network config the job would run outside the VPC. The baselining jobs
are therefore plain processing jobs with the request ``QualityCheckStep`` would send (same image,
same analyzer environment, same container paths; ``tests/pipelines/test_baselines.py`` checks the
equivalence against the SDK), which also keeps the check-step semantics (drift check against the
model package group's last baseline, its extra permissions) out of the pipeline.

Experiment tracking (``settings.experiment_tracking``): the TrackExperiment step runs the platform's
``steps/track_experiment.py`` on the SageMaker Distribution image (``sagemaker-distribution-prod``
in the region's SageMaker ECR account, from the SDK's bundled ``image_uris`` table, the image
``ModelBuilder`` itself uses for inference): its 3.2 release ships ``mlflow`` (>=2.22,<3) and the
``sagemaker-mlflow`` plugin (aws/sagemaker-distribution ``build_artifacts/v3/v3.2/v3.2.0/cpu.env.in``),
the plugin AWS documents for connecting to a tracking server by its ARN ("Integrate MLflow with
your environment", docs.aws.amazon.com/sagemaker/latest/dg/mlflow-track-experiments.html). The
image's ``PATH`` starts with the conda environment (``/opt/conda/bin``, aws/sagemaker-distribution
``template/v3/Dockerfile``), so the ``python3`` entrypoint runs that environment; the image's user
is ``sagemaker-user`` (uid 1000), not root.
"""

from __future__ import annotations

import functools
import json
from pathlib import PurePosixPath
from typing import Any, Literal

from sagemaker.core import image_uris
from sagemaker.core.drift_check_baselines import DriftCheckBaselines
from sagemaker.core.model_metrics import MetricsSource, ModelMetrics
from sagemaker.core.model_monitor.dataset_format import DatasetFormat
from sagemaker.core.network import NetworkConfig
from sagemaker.core.parameter import CategoricalParameter, ContinuousParameter, IntegerParameter
from sagemaker.core.processing import Processor, ScriptProcessor
from sagemaker.core.shapes import (
    HyperbandStrategyConfig,
    HyperParameterTuningJobStrategyConfig,
)
from sagemaker.core.training.configs import (
    CheckpointConfig,
    Compute,
    InputData,
    MetricDefinition,
    Networking,
    OutputDataConfig,
    StoppingCondition,
)
from sagemaker.core.workflow.conditions import ConditionGreaterThanOrEqualTo, ConditionLessThanOrEqualTo
from sagemaker.core.workflow.execution_variables import ExecutionVariables
from sagemaker.core.workflow.functions import Join, JsonGet
from sagemaker.core.workflow.parameters import ParameterFloat, ParameterString
from sagemaker.core.workflow.properties import PropertyFile
from sagemaker.mlops.workflow import (
    ConditionStep,
    FailStep,
    ModelStep,
    Pipeline,
    ProcessingStep,
    TrainingStep,
    TuningStep,
)
from sagemaker.serve.model_builder import ModelBuilder
from sagemaker.train.model_trainer import ModelTrainer
from sagemaker.train.tuner import HyperparameterTuner

from ..instance_types import has_instance_store
from ..prebuilt_images import ANALYZER, DISTRIBUTION, DISTRIBUTION_VERSION, sdk_table
from . import _offline_sdk, frameworks
from ._evidently_steps import s3_output, s3_prefix_input
from .definition import (
    APPROVAL_STATUSES,
    CONSTRAINTS_FILE,
    DATA_MANIFEST_KEY,
    DATA_URI_KEY,
    DATASET_MANIFEST,
    EVALUATION_REPORT,
    EXECUTION_ARN_KEY,
    EXPERIMENT_RUN,
    EXTRACT_INSTANCE_TYPE,
    FAMILY_CODE_KEY,
    FEATURE_GROUP_KEY,
    FEATURE_SNAPSHOT,
    FEATURE_SNAPSHOT_KEY,
    GROUND_TRUTH_COLUMN,
    MLFLOW_RUN_ID_KEY,
    MLFLOW_SERVER_KEY,
    MODEL_QUALITY_DIR,
    PLATFORM_COMMIT_KEY,
    PREDICTION_COLUMN,
    PROBABILITY_COLUMN,
    PROBABILITY_THRESHOLD,
    SNAPSHOT_AT_START,
    SNAPSHOT_PARAMETER,
    STATISTICS_FILE,
    STEP_CHECK,
    STEP_DATA_BASELINE,
    STEP_EVALUATE,
    STEP_EXTRACT,
    STEP_FAIL,
    STEP_MANIFEST,
    STEP_MODEL_BASELINE,
    STEP_PREPROCESS,
    STEP_REGISTER,
    STEP_TRACK,
    STEP_TRAIN,
    STEP_TUNE,
    TRACKING_INSTANCE_TYPE,
    TrainingPipelineSettings,
    processing_runtime,
)
from .tuning import ParameterRange, tuning_runtime

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


_PASSES = {"maximize": ConditionGreaterThanOrEqualTo, "minimize": ConditionLessThanOrEqualTo}
"""CheckMetric per the promotion direction: the metric must reach MetricThreshold from its side."""


def supports_volume_kms(instance_type: str) -> bool:
    """False for instance types with NVMe instance storage (*d families, g5, p5...).

    The platform's one list (``components.instance_types``, shared with the policy pack), not the
    SDK's heuristic: the key the builder sets is then exactly the key the pack demands.
    """
    return not has_instance_store(instance_type)


def compose(settings: TrainingPipelineSettings) -> Pipeline:
    """The Pipeline object for ``settings``; call ``.definition()`` for the JSON."""
    session = _offline_sdk.pipeline_session(settings.region, settings.artifact_bucket)
    parameters = _Parameters(settings)
    extract = _extract_step(settings, session, parameters) if settings.feature_input else None
    if extract:
        parameters.training_data = _output_uri(extract[0], EXTRACT_DATASET)
    preprocess = _preprocess_step(settings, session, parameters)
    manifest = _manifest_step(settings, session, parameters) if settings.lineage else None
    train = (_tune_step if settings.tuning else _train_step)(settings, session, parameters, preprocess)
    evaluate, report = _evaluate_step(settings, session, parameters, preprocess, train)
    baselines = _baseline_steps(settings, session, evaluate) if settings.model_monitor_baselines else []
    tracked = (
        _track_step(settings, session, train, evaluate, report) if settings.experiment_tracking else None
    )
    evidently = _evidently_steps(settings, session, preprocess) if settings.evidently else []
    register = _register_step(
        settings,
        session,
        parameters,
        train,
        _output_uri(evaluate, "evaluation", REPORT_FILE),
        # A registered version (which may be auto-approved and deployed) always finds its family's
        # baselines in place; a failed baselining job fails the execution before any version exists.
        depends_on=[*baselines, *([tracked[0]] if tracked else [])],
        run=tracked,
        manifest=manifest,
        features=extract,
    )
    fail = FailStep(
        name=STEP_FAIL,
        error_message=Join(
            on="",
            values=[
                f"{settings.metric_path} in the evaluation report does not reach MetricThreshold ("
                f"{'at least' if settings.metric_direction == 'maximize' else 'at most'} ",
                parameters.threshold,
                "), so the model was not registered. Report: ",
                _output_uri(evaluate, "evaluation"),
                f"/{REPORT_FILE}",
            ],
        ),
    )
    check = ConditionStep(
        name=STEP_CHECK,
        conditions=[
            _PASSES[settings.metric_direction](
                left=JsonGet(step_name=evaluate.name, property_file=report, json_path=settings.metric_path),
                right=parameters.threshold,
            )
        ],
        if_steps=[*baselines, register],
        else_steps=[fail],
    )
    return Pipeline(
        name=settings.pipeline_name,
        parameters=parameters.all(),
        # TrackExperiment logs every execution, also one whose model misses the threshold.
        steps=[
            *([extract[0]] if extract else []),
            preprocess,
            *([manifest[0]] if manifest else []),
            train,
            evaluate,
            *([tracked[0]] if tracked else []),
            *evidently,
            check,
        ],
        sagemaker_session=session,
        # No SageMaker Experiments trial per execution: tracking lives in MLflow, and this keeps
        # sagemaker:CreateExperiment/CreateTrial out of the execution role.
        pipeline_experiment_config=None,
    )


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


def _lineage_properties(
    settings: TrainingPipelineSettings, manifest: tuple[ProcessingStep, PropertyFile] | None
) -> dict[str, Any]:
    """Where the version came from (docs/lineage.md): always the execution ARN; with ``lineage``
    the platform's commit, the family code's hash and the training data's URI and manifest hash.
    The feature-group pair is :func:`_feature_lineage`'s."""
    properties: dict[str, Any] = {EXECUTION_ARN_KEY: ExecutionVariables.PIPELINE_EXECUTION_ARN}
    lineage = settings.lineage
    if lineage is None or manifest is None:
        return properties
    step, summary = manifest
    return {
        PLATFORM_COMMIT_KEY: lineage.platform_commit,
        FAMILY_CODE_KEY: lineage.family_code_sha256,
        **properties,
        DATA_URI_KEY: JsonGet(step_name=step.name, property_file=summary, json_path="input_uri"),
        DATA_MANIFEST_KEY: JsonGet(step_name=step.name, property_file=summary, json_path="manifest_sha256"),
    }


def _schema_arguments(settings: TrainingPipelineSettings) -> list[str]:
    """What the family's stack file says of its data, for the scripts (models/README.md)."""
    arguments = ["--label", settings.label_column]
    if settings.identifier_columns:
        arguments += ["--identifiers", ",".join(settings.identifier_columns)]
    return arguments


def _trainer(settings: TrainingPipelineSettings, session: Any, parameters: _Parameters) -> ModelTrainer:
    """The training job's settings, shared by Train and (with ``tuning``) every job Tune starts."""
    script = settings.script_uris["train"]
    spot = settings.use_spot_instances
    compute: dict[str, Any] = {
        "instance_type": parameters.training_instance_type,
        "instance_count": settings.training_instance_count,
        "volume_size_in_gb": VOLUME_SIZE_GB,
        "enable_managed_spot_training": spot,
    }
    if supports_volume_kms(settings.training_instance_type):
        compute["volume_kms_key_id"] = settings.kms_key_arn
    stopping: dict[str, Any] = {"max_runtime_in_seconds": settings.max_run_seconds}
    if spot:
        stopping["max_wait_time_in_seconds"] = settings.max_wait_seconds
    trainer = ModelTrainer(
        sagemaker_session=session,
        role=settings.role_arn,
        training_image=_image(settings, "training", settings.training_instance_type),
        base_job_name=f"{settings.pipeline_name}-train"[:50],
        compute=Compute(**compute),
        networking=Networking(
            subnets=list(settings.subnet_ids),
            security_group_ids=list(settings.security_group_ids),
            enable_network_isolation=settings.enable_network_isolation,
            enable_inter_container_traffic_encryption=True,
        ),
        stopping_condition=StoppingCondition(**stopping),
        output_data_config=OutputDataConfig(
            s3_output_path=_models_uri(settings),
            kms_key_id=settings.kms_key_arn,
        ),
        checkpoint_config=(
            CheckpointConfig(s3_uri=_run_uri(settings, "checkpoints"), local_path=CHECKPOINT_DIR)
            if spot
            else None
        ),
        # Script mode of the framework container's training toolkit, fed from the ``code``
        # channel rather than an S3 URL: the container is network-isolated and cannot download.
        # The family's own hyperparameters, then the platform's (RESERVED_HYPERPARAMETERS).
        hyperparameters={
            **settings.hyperparameters,
            "label": settings.label_column,
            "sagemaker_program": PurePosixPath(script).name,
            "sagemaker_submit_directory": CODE_CHANNEL_DIR,
        },
    )
    if settings.metric_definitions:
        trainer = trainer.with_metric_definitions(
            [MetricDefinition(name=name, regex=regex) for name, regex in settings.metric_definitions]
        )
    return trainer


def _models_uri(settings: TrainingPipelineSettings) -> str:
    """Where training jobs write ``<job name>/output/model.tar.gz``."""
    return f"s3://{settings.artifact_bucket}/{_models_prefix(settings)}"


def _models_prefix(settings: TrainingPipelineSettings) -> str:
    return f"models/{settings.pipeline_name}"


def _training_inputs(settings: TrainingPipelineSettings, preprocess: ProcessingStep) -> list[InputData]:
    return [
        InputData(channel_name="code", data_source=settings.script_uris["train"]),
        InputData(channel_name="train", data_source=_output_uri(preprocess, "train")),
        InputData(channel_name="validation", data_source=_output_uri(preprocess, "validation")),
    ]


def _train_step(
    settings: TrainingPipelineSettings, session: Any, parameters: _Parameters, preprocess: ProcessingStep
) -> TrainingStep:
    step_args = _trainer(settings, session, parameters).train(
        input_data_config=_training_inputs(settings, preprocess)
    )
    return TrainingStep(name=STEP_TRAIN, step_args=step_args)


def _model_artifacts(train: TrainingStep | TuningStep, settings: TrainingPipelineSettings) -> Any:
    """The model Evaluate, TrackExperiment and RegisterModel take: Train's, or Tune's best job's
    (``<S3OutputPath>/<job name>/output/model.tar.gz``, where OutputDataConfig puts it)."""
    if isinstance(train, TuningStep):
        return Join(
            on="/",
            values=[
                "s3:/",
                settings.artifact_bucket,
                _models_prefix(settings),
                _training_job_name(train),
                "output/model.tar.gz",
            ],
        )
    return train.properties.ModelArtifacts.S3ModelArtifacts


def _training_job_name(train: TrainingStep | TuningStep) -> Any:
    """Train's job, or Tune's best (DescribeHyperParameterTuningJob's ``BestTrainingJob``: best by
    the objective in its direction; the order of ``TrainingJobSummaries``, which the SDK's
    ``get_top_model_s3_uri`` reads, is not documented)."""
    if isinstance(train, TuningStep):
        return train.properties.BestTrainingJob.TrainingJobName
    return train.properties.TrainingJobName


class _IsolatedTuner(HyperparameterTuner):
    """The SDK's tuner, keeping what its training job definition drops.

    sagemaker-train 1.27's ``_build_training_job_definition`` copies the trainer's VPC, spot,
    checkpoint, stopping condition and output KMS key, but builds ``ResourceConfig`` from the
    instance type, count and volume size only (the volume KMS key is lost) and never sets
    ``EnableNetworkIsolation`` or ``EnableInterContainerTrafficEncryption``: the tuned jobs would
    run with network access, unencrypted inter-node traffic and an AWS-managed volume key. This
    puts the trainer's values back; ``definition.verify`` refuses a Tune step without them.
    """

    def _build_training_job_definition(self, inputs: Any) -> Any:
        definition = super()._build_training_job_definition(inputs)
        trainer = self.model_trainer
        volume_key = trainer.compute.volume_kms_key_id
        if isinstance(volume_key, str):
            definition.resource_config.volume_kms_key_id = volume_key
        definition.enable_network_isolation = bool(trainer.networking.enable_network_isolation)
        definition.enable_inter_container_traffic_encryption = bool(
            trainer.networking.enable_inter_container_traffic_encryption
        )
        return definition


def _tune_step(
    settings: TrainingPipelineSettings, session: Any, parameters: _Parameters, preprocess: ProcessingStep
) -> TuningStep:
    """A hyperparameter tuning job over the Train step's exact trainer (same inputs, image,
    instance, VPC, isolation, encryption, spot and checkpoints); its best job's model goes on."""
    tuning = settings.tuning
    assert tuning is not None
    hyperband = (tuning.hyperband_min_resource, tuning.hyperband_max_resource)
    tuner = _IsolatedTuner(
        model_trainer=_trainer(settings, session, parameters),
        objective_metric_name=tuning.objective_metric,
        objective_type=tuning.objective_type,
        hyperparameter_ranges={name: _range(tuning.parameters[name]) for name in tuning.parameter_order},
        metric_definitions=[{"Name": name, "Regex": regex} for name, regex in settings.metric_definitions],
        strategy=tuning.strategy,
        max_jobs=tuning.max_jobs,
        max_parallel_jobs=tuning.max_parallel_jobs,
        max_runtime_in_seconds=tuning_runtime(
            tuning,
            (settings.max_wait_seconds or settings.max_run_seconds)
            if settings.use_spot_instances
            else settings.max_run_seconds,
        ),
        early_stopping_type=tuning.early_stopping,
        base_tuning_job_name=f"{settings.pipeline_name}-tune"[:32],
        strategy_config=(
            HyperParameterTuningJobStrategyConfig(
                hyperband_strategy_config=HyperbandStrategyConfig(
                    **{
                        key: value
                        for key, value in zip(("min_resource", "max_resource"), hyperband, strict=True)
                        if value is not None
                    }
                )
            )
            if tuning.strategy == "Hyperband" and hyperband != (None, None)
            else None
        ),
    )
    step_args = tuner.tune(inputs=_training_inputs(settings, preprocess))
    return TuningStep(name=STEP_TUNE, step_args=step_args)


def _range(r: ParameterRange) -> Any:
    if r.kind == "categorical":
        return CategoricalParameter(list(r.values))
    kind = IntegerParameter if r.kind == "integer" else ContinuousParameter
    return kind(r.min_value, r.max_value, scaling_type=r.scaling)


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


def _baseline_steps(
    settings: TrainingPipelineSettings, session: Any, evaluate: ProcessingStep
) -> list[ProcessingStep]:
    """Data quality of the training features behind the model's predictions of them; model quality
    of the test-split predictions. Both datasets come from Evaluate, the first step with the model."""
    model_quality = {
        "analysis_type": "MODEL_QUALITY",
        "problem_type": settings.problem_type,
        **_prediction_attributes(settings.problem_type),
        "ground_truth_attribute": GROUND_TRUTH_COLUMN,
    }
    return [
        _baseline_step(
            settings,
            session,
            STEP_DATA_BASELINE,
            job="data-quality-baseline",
            dataset=_output_uri(evaluate, BASELINE_DATASET),
            destination=_baseline_uri(settings),
            analysis={},
        ),
        _baseline_step(
            settings,
            session,
            STEP_MODEL_BASELINE,
            job="model-quality-baseline",
            dataset=_output_uri(evaluate, "predictions"),
            destination=_baseline_uri(settings, MODEL_QUALITY_DIR),
            analysis=model_quality,
        ),
    ]


def _prediction_attributes(problem_type: str) -> dict[str, str]:
    """Where the model-quality analyzer finds the prediction in Evaluate's predictions.csv: a binary
    classifier's probability and its threshold, else the predicted value or class."""
    if problem_type == "BinaryClassification":
        return {
            "probability_attribute": PROBABILITY_COLUMN,
            "probability_threshold_attribute": str(PROBABILITY_THRESHOLD),
        }
    return {"inference_attribute": PREDICTION_COLUMN}


def _baseline_step(
    settings: TrainingPipelineSettings,
    session: Any,
    name: str,
    *,
    job: str,
    dataset: Any,
    destination: Join,
    analysis: dict[str, str],
) -> ProcessingStep:
    """A Model Monitor baselining job: the analyzer reads the CSV (with header) under ``dataset``
    and writes ``statistics.json`` and ``constraints.json`` to ``destination``.

    ``analysis`` is empty for data quality, or the model-quality variables. The environment is the
    analyzer's documented contract, exactly as the SDK's own ``QualityCheckStep`` sets it.
    """
    volume_kms = supports_volume_kms(settings.baseline_instance_type)
    analyzer = Processor(
        role=settings.role_arn,
        image_uri=_analyzer_image(settings.region),
        instance_count=1,
        instance_type=settings.baseline_instance_type,
        volume_size_in_gb=VOLUME_SIZE_GB,
        volume_kms_key=settings.kms_key_arn if volume_kms else None,
        output_kms_key=settings.kms_key_arn,
        max_runtime_in_seconds=processing_runtime(settings.max_run_seconds),
        base_job_name=_job_name(settings, job),
        sagemaker_session=session,
        env={
            "dataset_format": json.dumps(DatasetFormat.csv(header=True)),
            "dataset_source": str(ANALYZER_INPUT),
            "output_path": str(ANALYZER_OUTPUT),
            # CloudWatch metrics belong to the monitoring schedules, not to baselining.
            "publish_cloudwatch_metrics": "Disabled",
            **analysis,
        },
        network_config=_network(settings),
    )
    step_args = analyzer.run(
        inputs=[s3_prefix_input("baseline_dataset_input", dataset, ANALYZER_INPUT)],
        outputs=[s3_output("baseline", destination, ANALYZER_OUTPUT)],
    )
    return ProcessingStep(name=name, step_args=step_args)


@functools.cache
def _analyzer_image(region: str) -> str:
    """sagemaker-model-monitor-analyzer of the region, from the SDK's bundled table."""
    return image_uris.retrieve(sdk_table(ANALYZER), region=region)


def _json_source(uri: Join) -> MetricsSource:
    return MetricsSource(content_type="application/json", s3_uri=uri)


def _track_step(
    settings: TrainingPipelineSettings,
    session: Any,
    train: TrainingStep | TuningStep,
    evaluate: ProcessingStep,
    report: PropertyFile,
) -> tuple[ProcessingStep, PropertyFile]:
    """Log the execution to the MLflow tracking server; its ``run.json`` names the run.

    Not network-isolated (it calls the tracking server through the VPC endpoint), and therefore
    given nothing to read: its only input is its script. The metrics come from Evaluate's report
    by ``JsonGet``, the model by reference (artifact URI and training job name), the rest from the
    settings; each argument is one ContainerArguments entry (at most 256 characters, so a long
    hyperparameter value is cut). It runs as the tracking role, not the data steps' role.
    """
    tracking = settings.experiment_tracking
    assert tracking is not None
    volume_kms = supports_volume_kms(TRACKING_INSTANCE_TYPE)
    processor = ScriptProcessor(
        role=tracking.role_arn,
        image_uri=_distribution_image(settings.region),
        command=["python3"],
        instance_count=1,
        instance_type=TRACKING_INSTANCE_TYPE,
        volume_size_in_gb=VOLUME_SIZE_GB,
        volume_kms_key=settings.kms_key_arn if volume_kms else None,
        output_kms_key=settings.kms_key_arn,
        max_runtime_in_seconds=TRACKING_MAX_RUNTIME_SECONDS,
        base_job_name=_job_name(settings, "track-experiment"),
        sagemaker_session=session,
        env={"MLFLOW_TRACKING_URI": tracking.tracking_server_arn},
        network_config=NetworkConfig(
            enable_network_isolation=False,
            security_group_ids=list(settings.security_group_ids),
            subnets=list(settings.subnet_ids),
            encrypt_inter_container_traffic=True,
        ),
    )
    params = {**settings.hyperparameters, "label": settings.label_column}
    metrics: list[Any] = []
    for metric in settings.evaluation_metrics:
        value = JsonGet(step_name=evaluate.name, property_file=report, json_path=f"metrics.{metric}.value")
        metrics += ["--metric", Join(on="=", values=[metric, value])]
    tags = [
        ("sagemaker.pipeline", settings.pipeline_name),
        ("sagemaker.pipeline_execution_arn", ExecutionVariables.PIPELINE_EXECUTION_ARN),
        ("sagemaker.training_job", _training_job_name(train)),
        ("model.artifact_uri", _model_artifacts(train, settings)),
        ("model.package_group", settings.model_package_group_name),
        ("model.framework", f"{settings.framework} {settings.framework_version}"),
        ("evaluation.report_uri", _output_uri(evaluate, "evaluation", REPORT_FILE)),
    ]
    step_args = processor.run(
        code=tracking.script_uri,
        arguments=[
            "--experiment",
            settings.model_package_group_name,
            "--run-name",
            ExecutionVariables.PIPELINE_EXECUTION_ID,
            *(
                item
                for key, value in sorted(params.items())
                for item in ("--param", container_argument(f"{key}={value}"))
            ),
            *metrics,
            *(item for key, value in tags for item in ("--tag", _key_value(key, value))),
        ],
        outputs=[s3_output("tracking", _run_uri(settings, STEP_TRACK, "tracking"), TRACKING_OUTPUT)],
    )
    run = PropertyFile(name=EXPERIMENT_RUN, output_name="tracking", path=RUN_FILE)
    return ProcessingStep(name=STEP_TRACK, step_args=step_args, property_files=[run]), run


def _key_value(key: str, value: Any) -> Any:
    """``key=value``: a plain string when the value is known now, else a Join resolved at run time."""
    return (
        container_argument(f"{key}={value}") if isinstance(value, str) else Join(on="=", values=[key, value])
    )


TRACKING_MAX_RUNTIME_SECONDS = 900
"""A handful of API calls; a stuck job is stopped long before it costs anything."""


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


def _evidently_steps(
    settings: TrainingPipelineSettings, session: Any, preprocess: ProcessingStep
) -> list[ProcessingStep]:
    """EvidentlyReport of the run's training features (Preprocess's baseline dataset: the train
    split's request columns) against the family's reference, then PublishDriftMetrics. Neither
    gates registration: a drifted training set is reported (and alarmed on), not refused."""
    from ._evidently_steps import JobContext, evidently_steps
    from .evidently import REPORT_OUTPUT, STEP_EVIDENTLY

    assert settings.evidently is not None
    context = JobContext(
        session=session,
        region=settings.region,
        role_arn=settings.role_arn,
        kms_key_arn=settings.kms_key_arn,
        subnet_ids=settings.subnet_ids,
        security_group_ids=settings.security_group_ids,
        isolated=settings.enable_network_isolation,
        job_name_prefix=settings.pipeline_name,
        pipeline_kind="training",
    )
    return evidently_steps(
        settings.evidently,
        context,
        current=_output_uri(preprocess, BASELINE_DATASET),
        output_uri=_run_uri(settings, STEP_EVIDENTLY, REPORT_OUTPUT),
    )


def _register_step(
    settings: TrainingPipelineSettings,
    session: Any,
    parameters: _Parameters,
    train: TrainingStep | TuningStep,
    report_uri: Join,
    depends_on: list[ProcessingStep],
    run: tuple[ProcessingStep, PropertyFile] | None = None,
    manifest: tuple[ProcessingStep, PropertyFile] | None = None,
    features: tuple[ProcessingStep, PropertyFile] | None = None,
) -> ModelStep:
    builder = ModelBuilder(
        # A model trained on a GPU instance is served on one: its inference image is the GPU build.
        image_uri=_image(settings, "inference", settings.training_instance_type),
        s3_model_data_url=_model_artifacts(train, settings),
        role_arn=settings.role_arn,
        sagemaker_session=session,
        instance_type=REGISTRATION_INSTANCE_TYPE,
        # Falsy, or ModelBuilder packages and uploads inference code of its own.
        dependencies={},
        env_vars={
            "SAGEMAKER_PROGRAM": PurePosixPath(settings.script_uris["train"]).name,
            "SAGEMAKER_SUBMIT_DIRECTORY": SERVING_CODE_DIR,
            "SAGEMAKER_CONTAINER_LOG_LEVEL": "20",
            "SAGEMAKER_REGION": settings.region,
        },
        log_level=None,  # the default (DEBUG) would re-level the SDK's logger for the whole process
    )
    step_args = builder.register(
        model_package_group_name=settings.model_package_group_name,
        content_types=CONTENT_TYPES,
        response_types=CONTENT_TYPES,
        approval_status=parameters.approval_status,
        model_metrics=ModelMetrics(
            model_statistics=MetricsSource(content_type="application/json", s3_uri=report_uri)
        ),
        # What this version is monitored against once deployed (stacks/model_packages.py reads it).
        drift_check_baselines=DriftCheckBaselines(
            model_data_statistics=_json_source(_baseline_uri(settings, STATISTICS_FILE)),
            model_data_constraints=_json_source(_baseline_uri(settings, CONSTRAINTS_FILE)),
            model_statistics=_json_source(_baseline_uri(settings, MODEL_QUALITY_DIR, STATISTICS_FILE)),
            model_constraints=_json_source(_baseline_uri(settings, MODEL_QUALITY_DIR, CONSTRAINTS_FILE)),
        )
        if settings.model_monitor_baselines
        else None,
        # The version's lineage, and its MLflow run (what its metrics and parameters were) when
        # the stack tracks.
        customer_metadata_properties={
            **_lineage_properties(settings, manifest),
            **_feature_lineage(settings, features),
            **(
                {
                    MLFLOW_RUN_ID_KEY: JsonGet(
                        step_name=run[0].name, property_file=run[1], json_path="run_id"
                    ),
                    MLFLOW_SERVER_KEY: settings.experiment_tracking.tracking_server_arn,
                }
                if run is not None and settings.experiment_tracking is not None
                else {}
            ),
        },
    )
    return ModelStep(name=STEP_REGISTER, step_args=step_args, depends_on=list(depends_on))


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


def _feature_lineage(
    settings: TrainingPipelineSettings, features: tuple[ProcessingStep, PropertyFile] | None
) -> dict[str, Any]:
    """The feature group the training set came from and the snapshot time ExtractFeatures resolved
    (``FeatureSnapshotTime``, or the execution's start), from its ``snapshot.json``."""
    if settings.feature_input is None or features is None:
        return {}
    step, snapshot = features
    return {
        FEATURE_GROUP_KEY: settings.feature_input.feature_group_name,
        FEATURE_SNAPSHOT_KEY: JsonGet(step_name=step.name, property_file=snapshot, json_path="as_of"),
    }
