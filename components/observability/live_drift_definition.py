"""An endpoint's live-drift pipeline definition: Evidently over one interval of its data capture,
built with the SageMaker SDK offline (as the batch-scoring pipeline's).

    definition = build_live_drift_definition(LiveDriftDefinitionSettings(...))

The replacement AWS names for Model Monitor's data-quality schedules: four processing steps on the
platform's Evidently image, run by a schedule of the monitoring cadence.

- ``ListCapture`` (``steps/list_capture.py``) lists the production variants' capture files of the
  hours since the run before (an hour late) and writes a SageMaker manifest of them. It must call
  S3, so it is not network-isolated; it fits the pack's one exception (in the VPC, transit
  encryption, no input but its script, a role of its own) and its role may only list the capture
  prefix: keys, never data.
- A condition ends the run when the interval captured nothing (an empty manifest fails a job).
- ``CollectCapture`` (``steps/collect_capture.py``, isolated, the data role) takes the manifest as a
  ``ManifestFile`` input (SageMaker downloads exactly those files) and the family's reference, and
  writes the requests as one CSV under the reference's header.
- ``EvidentlyReport`` and ``PublishDriftMetrics`` as in the other pipelines
  (``components/training/_evidently_steps.py``), the metrics' ``Pipeline`` dimension naming the
  endpoint.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..training.evidently import EvidentlySettings

STEP_LIST, STEP_COLLECT, STEP_CAPTURED = "ListCapture", "CollectCapture", "AnyCaptured"
MANIFEST_OUTPUT, CURRENT_OUTPUT = "manifest", "current"
CAPTURE_COUNT, COUNT_FILE = "CaptureCount", "count.json"
"""PropertyFile of ListCapture's ``count.json`` (the pipeline's role reads it: JsonGet)."""
LIST_INSTANCE_TYPE = "ml.t3.medium"
"""ListCapture makes a few List calls: the smallest processing instance."""
LIST_MAX_RUNTIME_SECONDS = 900


@dataclass(frozen=True)
class LiveDriftDefinitionSettings:
    """Everything the four steps' requests hold (resolved values, no Pulumi outputs)."""

    region: str
    pipeline_name: str
    job_name_prefix: str
    capture_bucket: str
    """The artifact bucket, where the endpoint captures."""
    capture_prefix: str
    """``data-capture/<endpoint>/``: SageMaker adds ``<endpoint name>/<variant>/YYYY/MM/DD/HH/``."""
    endpoint_name: str
    """The deployed endpoint's name: ListCapture reads only the files below it."""
    variants: tuple[str, ...]
    """The endpoint's production variants: ListCapture reads their capture (a shadow variant's
    requests are copies of theirs)."""
    run_hours: tuple[int, ...]
    """The UTC hours the monitoring schedule runs at: a run reads the hours since the one before."""
    list_script_uri: str
    collect_script_uri: str
    list_role_arn: str
    """ListCapture's role: list the capture prefix, write its manifest; never a data role."""
    data_role_arn: str
    """CollectCapture's and EvidentlyReport's role: reads the capture and the reference."""
    kms_key_arn: str
    subnet_ids: tuple[str, ...]
    security_group_ids: tuple[str, ...]
    work_uri: str
    """``s3://<artifacts>/pipelines/<pipeline>/``: each step's output under ``<execution id>/<step>/``."""
    endpoint_dimension: str
    """The metrics' ``Pipeline`` dimension: which endpoint's traffic the report is about."""
    evidently: EvidentlySettings

    @property
    def capture_uri(self) -> str:
        """Where SageMaker writes the endpoint's capture: its destination
        (``s3://<bucket>/data-capture/<endpoint>/``) and the deployed endpoint's name."""
        return f"s3://{self.capture_bucket}/{self.capture_prefix}{self.endpoint_name}/"


def build_live_drift_definition(settings: LiveDriftDefinitionSettings) -> str:
    """The pipeline definition JSON: deterministic, no AWS call; served from the definition cache
    when built before with the same settings, builder and SDK."""
    from ..training.definition_cache import cached_definition

    return cached_definition(settings, _build, extra_sources=(Path(__file__).resolve(),))


def _build(settings: LiveDriftDefinitionSettings) -> str:
    from ..training import _offline_sdk

    return _offline_sdk.definition_json(settings.region, lambda: _compose(settings))


def _compose(settings: LiveDriftDefinitionSettings) -> dict[str, Any]:
    from sagemaker.core.shapes import ProcessingInput, ProcessingS3Input
    from sagemaker.core.workflow.conditions import ConditionGreaterThan
    from sagemaker.core.workflow.execution_variables import ExecutionVariables
    from sagemaker.core.workflow.functions import Join, JsonGet
    from sagemaker.core.workflow.properties import PropertyFile
    from sagemaker.mlops.workflow import ConditionStep, Pipeline, ProcessingStep

    from ..training import _offline_sdk
    from ..training._evidently_steps import (
        PROCESSING,
        JobContext,
        evidently_steps,
        s3_output,
        s3_prefix_input,
        script_processor,
    )
    from ..training.evidently import REPORT_OUTPUT, STEP_EVIDENTLY

    session = _offline_sdk.pipeline_session(settings.region, settings.capture_bucket)
    evidently = settings.evidently
    context = JobContext(
        session=session,
        region=settings.region,
        role_arn=settings.data_role_arn,
        kms_key_arn=settings.kms_key_arn,
        subnet_ids=settings.subnet_ids,
        security_group_ids=settings.security_group_ids,
        isolated=True,
        job_name_prefix=settings.job_name_prefix,
        pipeline_kind=settings.endpoint_dimension,
    )

    def output_uri(step: str, name: str) -> Any:
        return Join(
            on="/",
            values=[settings.work_uri.rstrip("/"), ExecutionVariables.PIPELINE_EXECUTION_ID, step, name],
        )

    manifest_dir, current_dir = PROCESSING / MANIFEST_OUTPUT, PROCESSING / CURRENT_OUTPUT
    lister = script_processor(
        evidently,
        context,
        role=settings.list_role_arn,
        instance_type=LIST_INSTANCE_TYPE,
        max_runtime=LIST_MAX_RUNTIME_SECONDS,
        job="list",
        isolated=False,
    )
    count = PropertyFile(name=CAPTURE_COUNT, output_name=MANIFEST_OUTPUT, path=COUNT_FILE)
    listing = ProcessingStep(
        name=STEP_LIST,
        step_args=lister.run(
            code=settings.list_script_uri,
            arguments=[
                "--region",
                settings.region,
                # The endpoint's own capture as one URI: the pack's endpoint-monitoring-schedule
                # counts a scheduled pipeline as an endpoint's watcher when a value of its
                # definition is at or below <destination>/<endpoint name>/.
                "--capture-uri",
                settings.capture_uri,
                *(item for variant in settings.variants for item in ("--variant", variant)),
                "--end",
                ExecutionVariables.START_DATETIME,
                "--run-hours",
                ",".join(str(hour) for hour in settings.run_hours),
                "--output-dir",
                str(manifest_dir),
            ],
            outputs=[s3_output(MANIFEST_OUTPUT, output_uri(STEP_LIST, MANIFEST_OUTPUT), manifest_dir)],
        ),
        property_files=[count],
    )
    collector = script_processor(
        evidently,
        context,
        role=settings.data_role_arn,
        instance_type=evidently.instance_type,
        max_runtime=evidently.max_runtime_seconds,
        job="collect",
        isolated=True,
    )
    manifest_uri = Join(
        on="/",
        values=[
            listing.properties.ProcessingOutputConfig.Outputs[MANIFEST_OUTPUT].S3Output.S3Uri,
            "manifest.json",
        ],
    )
    collect = ProcessingStep(
        name=STEP_COLLECT,
        step_args=collector.run(
            code=settings.collect_script_uri,
            arguments=["--output-dir", str(current_dir)],
            inputs=[
                ProcessingInput(
                    input_name="capture",
                    s3_input=ProcessingS3Input(
                        s3_uri=manifest_uri,
                        local_path=str(PROCESSING / "capture"),
                        s3_data_type="ManifestFile",
                        s3_input_mode="File",
                    ),
                ),
                s3_prefix_input("reference", evidently.reference_uri, PROCESSING / "reference"),
            ],
            outputs=[s3_output(CURRENT_OUTPUT, output_uri(STEP_COLLECT, CURRENT_OUTPUT), current_dir)],
        ),
    )
    current = collect.properties.ProcessingOutputConfig.Outputs[CURRENT_OUTPUT].S3Output.S3Uri
    report_and_publish = evidently_steps(
        evidently, context, current=current, output_uri=output_uri(STEP_EVIDENTLY, REPORT_OUTPUT)
    )
    captured = ConditionStep(
        name=STEP_CAPTURED,
        conditions=[
            ConditionGreaterThan(
                left=JsonGet(step_name=listing.name, property_file=count, json_path="objects"), right=0
            )
        ],
        if_steps=[collect, *report_and_publish],
        else_steps=[],
    )
    pipeline = Pipeline(
        name=settings.pipeline_name,
        steps=[listing, captured],
        sagemaker_session=session,
        # No Experiments trial per run (the SDK's default): an hourly pipeline would make thousands a
        # year, and the pipeline's role would need sagemaker:CreateExperiment/CreateTrial.
        pipeline_experiment_config=None,
    )
    return json.loads(pipeline.definition())
