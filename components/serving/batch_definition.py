"""A batch-scoring pipeline's definition: one Transform step, built with the SageMaker SDK offline.

    definition = build_batch_definition(BatchDefinitionSettings(...))   # SageMaker Pipelines JSON

The step is the SDK's ``TransformStep`` over ``Transformer.transform()`` (sagemaker-core and
sagemaker-mlops), composed inside ``components.training._offline_sdk.sealed`` with a session that
refuses every AWS call, so the same settings always give the same JSON and the function can run
inside a Pulumi ``apply``. Network isolation and the VPC of a transform job live on its *model*
(CreateModel's ``EnableNetworkIsolation``/``VpcConfig``); the step carries the volume and output
KMS keys, the split/batch strategy and payload limits, and, where monitoring is on, the job's data
capture (CreateTransformJob ``DataCaptureConfig``). Each execution writes under its own
``<output prefix><execution id>/``, so a run never overwrites the previous one's results.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..training.evidently import EvidentlySettings

STEP_TRANSFORM = "BatchTransform"


@dataclass(frozen=True)
class BatchDefinitionSettings:
    """Everything the Transform step's request holds (resolved values, no Pulumi outputs)."""

    region: str
    model_name: str
    """The SageMaker model the job runs (network-isolated, in the VPC)."""
    job_name_prefix: str
    """Base of the job names (the SDK would otherwise describe the model to derive one)."""
    input_uri: str
    """``s3://<datasets>/batch-input/<family>/``: every object under it is scored."""
    output_uri: str
    """``s3://<datasets>/batch-output/<family>/``: results go to ``<execution id>/`` below it."""
    kms_key_arn: str
    """Encrypts the job's volumes, its output and its capture."""
    instance_type: str
    instance_count: int
    split_type: str
    batch_strategy: str
    max_payload_mb: int
    max_concurrent_transforms: int
    content_type: str
    accept: str
    assemble_with: str
    capture_uri: str | None = None
    """``s3://<artifacts>/data-capture/batch/<family>/``: the job's inputs and outputs, for batch
    transform monitoring; None: no capture."""
    volume_kms: bool = True
    """False on instance-store types, where SageMaker refuses a volume key."""
    evidently: EvidentlySettings | None = None
    """With it: EvidentlyReport on ``input_uri`` against the family's reference, and
    PublishDriftMetrics, beside the Transform step (``components/training/evidently.py``)."""
    report_role_arn: str | None = None
    """Role of EvidentlyReport (the model's role: it already reads the batch input)."""
    report_uri: str | None = None
    """``s3://<artifacts>/pipelines/<pipeline>/``: the report goes to ``<execution id>/EvidentlyReport/report/``."""
    subnet_ids: tuple[str, ...] = ()
    """Private subnets of the Evidently jobs (the transform's live on its model)."""
    security_group_ids: tuple[str, ...] = ()


def build_batch_definition(settings: BatchDefinitionSettings) -> str:
    """The pipeline definition JSON: deterministic, no AWS call (see the module docstring).

    Served from the pipeline-definition cache when the same settings were built before, with the
    same builder and SDK (composing imports the SageMaker SDK: seconds).
    """
    from ..training.definition_cache import cached_definition

    return cached_definition(settings, _build, extra_sources=(Path(__file__).resolve(),))


def _build(settings: BatchDefinitionSettings) -> str:
    from ..training import _offline_sdk

    return _offline_sdk.definition_json(settings.region, lambda: _compose(settings))


def _compose(settings: BatchDefinitionSettings) -> dict[str, Any]:
    from sagemaker.core.shapes import BatchDataCaptureConfig
    from sagemaker.core.transformer import Transformer
    from sagemaker.core.workflow.execution_variables import ExecutionVariables
    from sagemaker.core.workflow.functions import Join
    from sagemaker.mlops.workflow import Pipeline
    from sagemaker.mlops.workflow.steps import TransformStep

    from ..training import _offline_sdk

    bucket = settings.output_uri.removeprefix("s3://").split("/", 1)[0]
    session = _offline_sdk.pipeline_session(settings.region, bucket)
    transformer = Transformer(
        model_name=settings.model_name,
        instance_count=settings.instance_count,
        instance_type=settings.instance_type,
        strategy=settings.batch_strategy,
        assemble_with=settings.assemble_with,
        output_path=Join(on="", values=[settings.output_uri, ExecutionVariables.PIPELINE_EXECUTION_ID, "/"]),
        output_kms_key=settings.kms_key_arn,
        accept=settings.accept,
        max_concurrent_transforms=settings.max_concurrent_transforms,
        max_payload=settings.max_payload_mb,
        base_transform_job_name=settings.job_name_prefix,
        sagemaker_session=session,
        volume_kms_key=settings.kms_key_arn if settings.volume_kms else None,
    )
    capture = (
        BatchDataCaptureConfig(
            destination_s3_uri=settings.capture_uri,
            kms_key_id=settings.kms_key_arn,
            generate_inference_id=True,
        )
        if settings.capture_uri
        else None
    )
    step_args = transformer.transform(
        data=settings.input_uri,
        data_type="S3Prefix",
        content_type=settings.content_type,
        split_type=settings.split_type,
        batch_data_capture_config=capture,
    )
    pipeline = Pipeline(
        name=settings.job_name_prefix,
        steps=[TransformStep(name=STEP_TRANSFORM, step_args=step_args), *_evidently(settings, session)],
        sagemaker_session=session,
        # No Experiments trial per run (the SDK's default), which the pipeline's role may not create.
        pipeline_experiment_config=None,
    )
    return json.loads(pipeline.definition())


def _evidently(settings: BatchDefinitionSettings, session: Any) -> list[Any]:
    """The batch input's Evidently report (beside the transform: drift never holds up scoring)."""
    if settings.evidently is None:
        return []
    from sagemaker.core.workflow.execution_variables import ExecutionVariables
    from sagemaker.core.workflow.functions import Join

    from ..training._evidently_steps import JobContext, evidently_steps
    from ..training.evidently import REPORT_OUTPUT, STEP_EVIDENTLY

    if not (
        settings.report_role_arn
        and settings.report_uri
        and settings.subnet_ids
        and settings.security_group_ids
    ):
        raise ValueError("evidently needs report_role_arn, report_uri, subnet_ids and security_group_ids")
    context = JobContext(
        session=session,
        region=settings.region,
        role_arn=settings.report_role_arn,
        kms_key_arn=settings.kms_key_arn,
        subnet_ids=settings.subnet_ids,
        security_group_ids=settings.security_group_ids,
        isolated=True,
        job_name_prefix=settings.job_name_prefix,
        pipeline_kind="batch-scoring",
    )
    output = Join(
        on="/",
        values=[
            settings.report_uri.rstrip("/"),
            ExecutionVariables.PIPELINE_EXECUTION_ID,
            STEP_EVIDENTLY,
            REPORT_OUTPUT,
        ],
    )
    return evidently_steps(settings.evidently, context, current=settings.input_uri, output_uri=output)
