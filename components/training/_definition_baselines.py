"""The Model Monitor baselining steps (DataQualityBaseline, ModelQualityBaseline): plain processing
jobs on the analyzer image (why not ``QualityCheckStep``: see ``_definition_steps``).

Imported only inside ``components.training._offline_sdk.sealed``, through ``_definition_steps``
(importing the SDK has side effects, see there).
"""

from __future__ import annotations

import functools
import json
from typing import Any

from sagemaker.core import image_uris
from sagemaker.core.model_monitor.dataset_format import DatasetFormat
from sagemaker.core.processing import Processor
from sagemaker.core.workflow.functions import Join
from sagemaker.mlops.workflow import (
    ProcessingStep,
)

from ..prebuilt_images import ANALYZER, sdk_table
from ._definition_jobs import (
    ANALYZER_INPUT,
    ANALYZER_OUTPUT,
    BASELINE_DATASET,
    VOLUME_SIZE_GB,
    _baseline_uri,
    _job_name,
    _network,
    _output_uri,
    supports_volume_kms,
)
from ._evidently_steps import s3_output, s3_prefix_input
from .definition import (
    GROUND_TRUTH_COLUMN,
    MODEL_QUALITY_DIR,
    PREDICTION_COLUMN,
    PROBABILITY_COLUMN,
    PROBABILITY_THRESHOLD,
    STEP_DATA_BASELINE,
    STEP_MODEL_BASELINE,
    TrainingPipelineSettings,
    processing_runtime,
)


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
