"""EvidentlyReport and PublishDriftMetrics with the SageMaker Python SDK v3 (see ``evidently.py``).

Imported only inside ``components.training._offline_sdk.sealed``, by the training pipeline's
``_definition_steps.compose`` and the batch-scoring pipeline's ``batch_definition._compose``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from sagemaker.core.network import NetworkConfig
from sagemaker.core.processing import ScriptProcessor
from sagemaker.core.shapes import ProcessingInput, ProcessingOutput, ProcessingS3Input, ProcessingS3Output
from sagemaker.core.workflow.functions import Join, JsonGet
from sagemaker.core.workflow.properties import PropertyFile
from sagemaker.mlops.workflow import ProcessingStep

from ..instance_types import has_instance_store
from .evidently import (
    DATASET_DRIFT_METRIC,
    DRIFT_SHARE_METRIC,
    EVIDENTLY_SUMMARY,
    FAMILY_DIMENSION,
    NAMESPACE,
    PIPELINE_DIMENSION,
    PUBLISH_INSTANCE_TYPE,
    PUBLISH_MAX_RUNTIME_SECONDS,
    REPORT_OUTPUT,
    STEP_EVIDENTLY,
    STEP_PUBLISH_DRIFT,
    SUMMARY_FILE,
    EvidentlySettings,
)

PROCESSING = PurePosixPath("/opt/ml/processing")
REFERENCE_INPUT, CURRENT_INPUT = PROCESSING / "reference", PROCESSING / "current"
REPORT_DIR = PROCESSING / REPORT_OUTPUT
VOLUME_SIZE_GB = 30


@dataclass(frozen=True)
class JobContext:
    """What the two jobs share with the rest of their pipeline."""

    session: Any
    region: str
    role_arn: str
    """The pipeline's data role (EvidentlyReport's)."""
    kms_key_arn: str
    subnet_ids: Sequence[str]
    security_group_ids: Sequence[str]
    isolated: bool
    """EvidentlyReport's network isolation: the pipeline's other data jobs' setting."""
    job_name_prefix: str
    pipeline_kind: str
    """``training`` or ``batch-scoring``: the metrics' ``Pipeline`` dimension."""


def evidently_steps(
    settings: EvidentlySettings,
    context: JobContext,
    current: Any,
    output_uri: Any,
    exclude: Sequence[str] = (),
) -> list[ProcessingStep]:
    """EvidentlyReport over ``current`` (an S3 prefix or a step's output) against the reference,
    writing to ``output_uri``; then PublishDriftMetrics with the summary's two numbers."""
    report, summary = _report_step(settings, context, current, output_uri, exclude)
    return [report, _publish_step(settings, context, report, summary)]


def job_network(context: JobContext, isolated: bool) -> NetworkConfig:
    return NetworkConfig(
        enable_network_isolation=isolated,
        security_group_ids=list(context.security_group_ids),
        subnets=list(context.subnet_ids),
        encrypt_inter_container_traffic=True,
    )


def script_processor(
    settings: EvidentlySettings,
    context: JobContext,
    *,
    role: str,
    instance_type: str,
    max_runtime: int,
    job: str,
    isolated: bool,
) -> ScriptProcessor:
    return ScriptProcessor(
        role=role,
        image_uri=settings.image_uri,
        command=["python3"],
        instance_count=1,
        instance_type=instance_type,
        volume_size_in_gb=VOLUME_SIZE_GB,
        volume_kms_key=None if has_instance_store(instance_type) else context.kms_key_arn,
        output_kms_key=context.kms_key_arn,
        max_runtime_in_seconds=max_runtime,
        base_job_name=f"{context.job_name_prefix}-{job}"[:50],
        sagemaker_session=context.session,
        network_config=job_network(context, isolated),
    )


def _report_step(
    settings: EvidentlySettings, context: JobContext, current: Any, output_uri: Any, exclude: Sequence[str]
) -> tuple[ProcessingStep, PropertyFile]:
    processor = script_processor(
        settings,
        context,
        role=context.role_arn,
        instance_type=settings.instance_type,
        max_runtime=settings.max_runtime_seconds,
        job="evidently-report",
        isolated=context.isolated,
    )
    step_args = processor.run(
        code=settings.report_script_uri,
        arguments=[
            "--reports",
            ",".join(settings.reports),
            "--drift-share",
            str(settings.drift_share),
            *(["--exclude", ",".join(exclude)] if exclude else []),
        ],
        inputs=[
            s3_prefix_input("reference", settings.reference_uri, REFERENCE_INPUT),
            s3_prefix_input("current", current, CURRENT_INPUT),
        ],
        outputs=[s3_output(REPORT_OUTPUT, output_uri, REPORT_DIR)],
    )
    summary = PropertyFile(name=EVIDENTLY_SUMMARY, output_name=REPORT_OUTPUT, path=SUMMARY_FILE)
    return ProcessingStep(name=STEP_EVIDENTLY, step_args=step_args, property_files=[summary]), summary


def _publish_step(
    settings: EvidentlySettings, context: JobContext, report: ProcessingStep, summary: PropertyFile
) -> ProcessingStep:
    """Not network-isolated (CloudWatch), hence its own role and nothing to read but its script."""
    processor = script_processor(
        settings,
        context,
        role=settings.publisher_role_arn,
        instance_type=PUBLISH_INSTANCE_TYPE,
        max_runtime=PUBLISH_MAX_RUNTIME_SECONDS,
        job="publish-drift",
        isolated=False,
    )

    def metric(name: str, field: str) -> Join:
        value = JsonGet(step_name=report.name, property_file=summary, json_path=field)
        return Join(on="=", values=[name, value])

    step_args = processor.run(
        code=settings.publish_script_uri,
        arguments=[
            "--region",
            context.region,
            "--namespace",
            NAMESPACE,
            "--dimension",
            f"{FAMILY_DIMENSION}={settings.family}",
            "--dimension",
            f"{PIPELINE_DIMENSION}={context.pipeline_kind}",
            "--metric",
            metric(DRIFT_SHARE_METRIC, "drifted_columns_share"),
            "--metric",
            metric(DATASET_DRIFT_METRIC, "dataset_drift"),
        ],
    )
    return ProcessingStep(name=STEP_PUBLISH_DRIFT, step_args=step_args)


def s3_prefix_input(name: str, uri: Any, local_path: PurePosixPath) -> ProcessingInput:
    return ProcessingInput(
        input_name=name,
        s3_input=ProcessingS3Input(
            s3_uri=uri, local_path=str(local_path), s3_data_type="S3Prefix", s3_input_mode="File"
        ),
    )


def s3_output(name: str, uri: Any, local_path: PurePosixPath) -> ProcessingOutput:
    """A job's output uploaded to ``uri`` once the job ends."""
    return ProcessingOutput(
        output_name=name,
        s3_output=ProcessingS3Output(s3_uri=uri, local_path=str(local_path), s3_upload_mode="EndOfJob"),
    )
