"""Scheduled batch scoring's settings as a stack file declares them (no Pulumi: the stack file's
configuration model reads them before anything is planned)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from ..botocore_enums import botocore_installed, sagemaker_instance_types
from ..instance_types import validate_instance_type
from ..limits import SPEC_CONFIG, fail_at
from ..schedules import eventbridge_schedule_problem, time_zone_problem
from .inference_endpoint_spec import model_package_version_arn_problem

MAX_PAYLOAD_MB = 100
"""CreateTransformJob: MaxPayloadInMB at most 100, and MaxConcurrentTransforms x MaxPayloadInMB too."""


EVIDENTLY_NEEDS_CSV = (
    "the Evidently report (`evidently`) reads the batch input as CSV files with a header, so every "
    "batch run would fail at its report: score `text/csv` input, or remove `evidently`"
)


def is_csv(content_type: str) -> bool:
    """Whether batch input of ``content_type`` is CSV (any parameters, such as a charset, aside)."""
    return content_type.split(";")[0].strip().lower() == "text/csv"


class BatchScoringSpec(BaseModel):
    """Scheduled batch scoring of a model family (``models[].batch_scoring``)."""

    model_config = SPEC_CONFIG

    schedule: str = Field(
        description="EventBridge Scheduler expression starting a run, `cron(...)` or `rate(N unit)`, "
        "e.g. `cron(0 2 * * ? *)`."
    )
    schedule_timezone: str = Field(
        default="UTC", description="IANA time zone the cron expression is read in, e.g. `Europe/Berlin`."
    )
    model_package_arn: str | None = Field(
        default=None,
        description="A pinned version (`arn:aws:sagemaker:<region>:<account>:model-package/<group>/<n>`: "
        "a group name of 1-63 letters or digits separated by `-`, a version of 1-9 digits); unset: the family's latest "
        "Approved version at `pulumi up` (batch scoring waits, with a warning, until one is approved).",
    )
    instance_type: str = Field(default="ml.m5.xlarge", description="Transform instance type.")
    instance_count: Annotated[int, Field(ge=1, le=100)] = Field(
        default=1, description="Instances the job spreads the input objects over, 1-100."
    )
    content_type: str = Field(
        default="text/csv", min_length=1, max_length=256, description="MIME type of the input objects."
    )
    accept: str = Field(
        default="text/csv", min_length=1, max_length=256, description="MIME type the model answers in."
    )
    split_type: Literal["None", "Line", "RecordIO", "TFRecord"] = Field(
        default="Line", description="How an input object is split into records."
    )
    batch_strategy: Literal["MultiRecord", "SingleRecord"] = Field(
        default="MultiRecord",
        description="Records per request: as many as fit `max_payload_mb` (MultiRecord) or one.",
    )
    assemble_with: Literal["None", "Line"] = Field(
        default="Line", description="How results are joined in an output object (`Line`: one per line)."
    )
    max_payload_mb: Annotated[int, Field(ge=0, le=MAX_PAYLOAD_MB)] = Field(
        default=6,
        description="Largest request to the container, 0-100 MB (0: chunked, for models that stream).",
    )
    max_concurrent_transforms: Annotated[int, Field(ge=1, le=100)] = Field(
        default=1,
        description="Parallel requests per instance; times `max_payload_mb` at most 100 MB.",
    )

    @field_validator("schedule")
    @classmethod
    def _schedule_expression(cls, value: str) -> str:
        problem = eventbridge_schedule_problem(value)
        if problem:
            raise ValueError(f"not an EventBridge Scheduler expression: {problem}")
        return value

    @field_validator("model_package_arn")
    @classmethod
    def _version_arn(cls, value: str | None) -> str | None:
        if value is not None and (problem := model_package_version_arn_problem(value)):
            raise ValueError(problem)
        return value

    @field_validator("schedule_timezone")
    @classmethod
    def _time_zone(cls, value: str) -> str:
        problem = time_zone_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("instance_type")
    @classmethod
    def _transform_instance(cls, value: str) -> str:
        if not botocore_installed():  # the package's base install: the form only
            return validate_instance_type(value)
        if value not in sagemaker_instance_types("TransformInstanceType"):
            raise ValueError(
                f"'{value}' is not an instance type SageMaker batch transform offers "
                "(botocore's TransformInstanceType), e.g. ml.m5.xlarge, ml.c5.2xlarge, ml.g4dn.xlarge"
            )
        return value

    @model_validator(mode="after")
    def _aws_limits(self) -> BatchScoringSpec:
        if self.max_payload_mb * self.max_concurrent_transforms > MAX_PAYLOAD_MB:
            fail_at(
                "BatchScoringSpec",
                ("max_concurrent_transforms",),
                self.max_concurrent_transforms,
                f"max_concurrent_transforms x max_payload_mb is "
                f"{self.max_concurrent_transforms * self.max_payload_mb} MB; SageMaker allows at most "
                f"{MAX_PAYLOAD_MB} MB: lower one of them",
            )
        if self.batch_strategy == "MultiRecord" and self.split_type == "None":
            fail_at(
                "BatchScoringSpec",
                ("batch_strategy",),
                self.batch_strategy,
                "MultiRecord needs records to batch: set split_type to Line, RecordIO or TFRecord, or "
                "use SingleRecord",
            )
        if self.max_payload_mb == 0 and self.batch_strategy == "MultiRecord":
            fail_at(
                "BatchScoringSpec",
                ("max_payload_mb",),
                0,
                "0 (chunked, unlimited) works only with SingleRecord: set a size in MB, or SingleRecord",
            )
        return self
