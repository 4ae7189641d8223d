"""TrainingPipeline: a SageMaker pipeline (continuous training) with its step scripts shipped by Pulumi."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import pulumi
import pulumi_aws.s3 as s3
import pulumi_aws.sagemaker as sagemaker
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from components.model_registry import PromotionCriterion

STEPS_DIR = Path(__file__).resolve().parent.parent / "pipelines" / "steps"
STEP_SCRIPTS = ("preprocess", "train", "evaluate")
_INSTANCE_TYPE = re.compile(r"^ml\.[a-z0-9-]+\.(small|medium|large|[0-9]*xlarge)$")
_SCHEDULE = re.compile(r"^(cron\([^)]+\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\))$")


class NewDataTrigger(BaseModel):
    """Start a run when objects land under the family's training-data prefix."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    enabled: bool = Field(default=False, description="Start a run when new training data arrives.")
    batching_window_seconds: Annotated[int, Field(ge=0, le=300)] = Field(
        default=300,
        description="Uploads within this window start one run (EventBridge Pipes batching window).",
    )


class TrainingSpec(BaseModel):
    """How every model family is trained (one pipeline per family)."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    enabled: bool = Field(default=True, description="Create a training pipeline per model family.")
    processing_instance_type: str = Field(default="ml.m5.xlarge", description="Preprocess and evaluate jobs.")
    training_instance_type: str = Field(
        default="ml.m5.xlarge", description="Training job (GPU types allowed)."
    )
    training_instance_count: Annotated[int, Field(ge=1, le=64)] = 1
    spot: bool = Field(default=False, description="Managed spot training with checkpoints in S3.")
    max_run_seconds: Annotated[int, Field(ge=60, le=2419200)] = Field(
        default=3600, description="Training time limit."
    )
    max_wait_seconds: Annotated[int, Field(ge=60, le=2419200)] | None = Field(
        default=None, description="With spot: total time including waiting for capacity (> max_run_seconds)."
    )
    max_parallel_steps: Annotated[int, Field(ge=1, le=50)] = Field(
        default=2, description="Steps running at once."
    )
    schedule: str | None = Field(
        default=None, description="EventBridge schedule, e.g. `cron(0 3 ? * MON *)`."
    )
    new_data: NewDataTrigger = NewDataTrigger()
    drift_retraining: bool = Field(
        default=False,
        description="Retrain when a drift (monitor violation) alarm fires (wired by monitoring).",
    )

    @field_validator("processing_instance_type", "training_instance_type")
    @classmethod
    def _sagemaker_instance_type(cls, value: str) -> str:
        if not _INSTANCE_TYPE.match(value):
            raise ValueError(
                f"'{value}' is not a SageMaker instance type such as ml.m5.xlarge or ml.g5.2xlarge"
            )
        return value

    @field_validator("schedule")
    @classmethod
    def _schedule_expression(cls, value: str | None) -> str | None:
        if value is not None and not _SCHEDULE.match(value):
            raise ValueError(f"'{value}' is not an EventBridge schedule: use cron(...) or rate(N unit)")
        return value

    @model_validator(mode="after")
    def _spot_needs_wait(self) -> TrainingSpec:
        if self.spot and self.max_wait_seconds is None:
            raise ValueError("spot training needs max_wait_seconds (greater than max_run_seconds)")
        if self.max_wait_seconds is not None and self.max_wait_seconds <= self.max_run_seconds:
            raise ValueError(
                f"max_wait_seconds ({self.max_wait_seconds}) must be greater than max_run_seconds ({self.max_run_seconds})"
            )
        return self


def training_data_prefix(family: str) -> str:
    """Where a family's training data lands in the datasets bucket (the new-data trigger watches it)."""
    return f"training-data/{family}/"


@dataclass(frozen=True)
class TrainingPipelineArgs:
    family: str
    """Model family this pipeline trains (its training-data prefix and tags)."""
    pipeline_name: str
    """The SageMaker pipeline's name (account-wide: the stack's prefix keeps it apart)."""
    spec: TrainingSpec
    promotion: PromotionCriterion
    approval_status: str
    """Status new versions are registered with (``ModelRegistry.default_approval_status``)."""
    account_id: str
    region: str
    datasets_bucket_name: pulumi.Input[str]
    artifact_bucket_name: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    security_group_ids: Sequence[pulumi.Input[str]]
    execution_role_arn: pulumi.Input[str]
    """Role of every processing and training job."""
    pipeline_role_arn: pulumi.Input[str]
    """Role SageMaker Pipelines assumes to orchestrate (create jobs, pass the execution role, register)."""
    model_package_group_name: pulumi.Input[str]
    tags: Mapping[str, str]


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
        super().__init__("mlops:training:TrainingPipeline", name, None, opts)
        pipeline_name = args.pipeline_name

        scripts = {step: self._upload_script(name, pipeline_name, step, args) for step in STEP_SCRIPTS}
        script_uris = {
            step: pulumi.Output.concat("s3://", script.bucket, "/", script.key)
            for step, script in scripts.items()
        }
        definition = pulumi.Output.all(
            artifact_bucket=args.artifact_bucket_name,
            datasets_bucket=args.datasets_bucket_name,
            kms_key_arn=args.kms_key_arn,
            subnet_ids=pulumi.Output.all(*args.subnet_ids),
            security_group_ids=pulumi.Output.all(*args.security_group_ids),
            role_arn=args.execution_role_arn,
            group=args.model_package_group_name,
            scripts=pulumi.Output.all(**script_uris),
        ).apply(lambda resolved: _definition(pipeline_name, args, resolved))

        pipeline = sagemaker.Pipeline(
            f"{name}-pipeline",
            pipeline_name=pipeline_name,
            pipeline_display_name=pipeline_name,
            pipeline_description=f"Continuous training of model family {args.family}",
            pipeline_definition=definition,
            role_arn=args.pipeline_role_arn,
            parallelism_configuration=sagemaker.PipelineParallelismConfigurationArgs(
                max_parallel_execution_steps=args.spec.max_parallel_steps
            ),
            tags={**args.tags, "mlops:model-family": args.family},
            opts=pulumi.ResourceOptions(parent=self),
        )

        self.pipeline_arn = pipeline.arn
        self.pipeline_name = pipeline.pipeline_name
        self.register_outputs({"pipeline_arn": self.pipeline_arn, "pipeline_name": self.pipeline_name})

    def _upload_script(
        self, name: str, pipeline_name: str, step: str, args: TrainingPipelineArgs
    ) -> s3.BucketObjectv2:
        path = STEPS_DIR / f"{step}.py"
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        return s3.BucketObjectv2(
            f"{name}-{step}-script",
            bucket=args.artifact_bucket_name,
            key=f"pipelines/{pipeline_name}/code/{digest}/{step}.py",
            source=pulumi.FileAsset(str(path)),
            content_type="text/x-python",
            server_side_encryption="aws:kms",
            kms_key_id=args.kms_key_arn,
            tags={**args.tags, "mlops:model-family": args.family},
            opts=pulumi.ResourceOptions(parent=self),
        )


def _definition(pipeline_name: str, args: TrainingPipelineArgs, resolved: dict) -> str:
    # Imported here: the sagemaker SDK is only needed once values are known, not to build the graph.
    from pipelines.definition_cache import cached_definition
    from pipelines.training_pipeline import TrainingPipelineSettings, build_definition

    spec = args.spec
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
            input_data_uri=f"s3://{resolved['datasets_bucket']}/{training_data_prefix(args.family)}",
            script_uris=dict(resolved["scripts"]),
            processing_instance_type=spec.processing_instance_type,
            training_instance_type=spec.training_instance_type,
            training_instance_count=spec.training_instance_count,
            use_spot_instances=spec.spot,
            max_run_seconds=spec.max_run_seconds,
            max_wait_seconds=spec.max_wait_seconds if spec.spot else None,
        ),
        build_definition,
    )
