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

The steps are built beside this module (their names still importable from here): what the jobs
share (``_definition_jobs``), ExtractFeatures, Preprocess, DatasetManifest and Evaluate
(``_definition_data_steps``), Train and Tune (``_definition_training``), the baselining jobs
(``_definition_baselines``), TrackExperiment (``_definition_tracking``) and RegisterModel
(``_definition_registration``); this module composes them into the pipeline.
"""

from __future__ import annotations

from typing import Any

from sagemaker.core.workflow.conditions import ConditionGreaterThanOrEqualTo, ConditionLessThanOrEqualTo
from sagemaker.core.workflow.functions import Join, JsonGet
from sagemaker.mlops.workflow import (
    ConditionStep,
    FailStep,
    Pipeline,
    ProcessingStep,
)

from . import _offline_sdk
from ._definition_baselines import (
    _analyzer_image,
    _baseline_steps,
)
from ._definition_data_steps import (
    EXTRACT_DATASET,
    EXTRACT_OUTPUT,
    EXTRACT_SNAPSHOT,
    SNAPSHOT_FILE,
    SNAPSHOT_OUTPUT,
    _evaluate_step,
    _extract_step,
    _manifest_step,
    _preprocess_step,
)
from ._definition_jobs import (
    ANALYZER_INPUT,
    ANALYZER_OUTPUT,
    BASELINE_DATASET,
    BASELINE_OUTPUT,
    CHECKPOINT_DIR,
    CODE_CHANNEL_DIR,
    CONTENT_TYPES,
    CUT_MARK,
    EVALUATION_OUTPUT,
    FEATURES_INPUT,
    MANIFEST_INPUT_NAME,
    MANIFEST_OUTPUT,
    MAX_ARGUMENT_LENGTH,
    MODEL_INPUT,
    PREDICTIONS_OUTPUT,
    PROCESSING,
    RAW_DATA,
    REGISTRATION_INSTANCE_TYPE,
    REPORT_FILE,
    RUN_FILE,
    SERVING_CODE_DIR,
    SPLIT_SEED,
    SPLITS,
    SUMMARY_FILE,
    TEST_INPUT,
    TRACKING_OUTPUT,
    VOLUME_SIZE_GB,
    _distribution_image,
    _framework_image,
    _output_uri,
    _Parameters,
    _run_uri,
    container_argument,
    supports_volume_kms,
)
from ._definition_registration import (
    _register_step,
)
from ._definition_tracking import (
    TRACKING_MAX_RUNTIME_SECONDS,
    _key_value,
    _track_step,
)
from ._definition_training import (
    _train_step,
    _tune_step,
)
from .definition import (
    STEP_CHECK,
    STEP_FAIL,
    TrainingPipelineSettings,
)

# What this module has always offered (the definition builder, the composer's warm-up, tests).
__all__ = [
    "ANALYZER_INPUT",
    "ANALYZER_OUTPUT",
    "BASELINE_DATASET",
    "BASELINE_OUTPUT",
    "CHECKPOINT_DIR",
    "CODE_CHANNEL_DIR",
    "CONTENT_TYPES",
    "CUT_MARK",
    "EVALUATION_OUTPUT",
    "EXTRACT_DATASET",
    "EXTRACT_OUTPUT",
    "EXTRACT_SNAPSHOT",
    "FEATURES_INPUT",
    "MANIFEST_INPUT_NAME",
    "MANIFEST_OUTPUT",
    "MAX_ARGUMENT_LENGTH",
    "MODEL_INPUT",
    "PREDICTIONS_OUTPUT",
    "PROCESSING",
    "RAW_DATA",
    "REGISTRATION_INSTANCE_TYPE",
    "REPORT_FILE",
    "RUN_FILE",
    "SERVING_CODE_DIR",
    "SNAPSHOT_FILE",
    "SNAPSHOT_OUTPUT",
    "SPLITS",
    "SPLIT_SEED",
    "SUMMARY_FILE",
    "TEST_INPUT",
    "TRACKING_MAX_RUNTIME_SECONDS",
    "TRACKING_OUTPUT",
    "VOLUME_SIZE_GB",
    "_analyzer_image",
    "_distribution_image",
    "_framework_image",
    "_key_value",
    "compose",
    "container_argument",
    "supports_volume_kms",
]


_PASSES = {"maximize": ConditionGreaterThanOrEqualTo, "minimize": ConditionLessThanOrEqualTo}
"""CheckMetric per the promotion direction: the metric must reach MetricThreshold from its side."""


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
