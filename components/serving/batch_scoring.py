"""BatchScoring: scheduled batch transform of a model family's approved version.

A SageMaker model (from the resolved model package: the family's latest approved version or a
pinned one) with network isolation in the private subnets; a SageMaker pipeline whose one
Transform step scores every object under the input prefix and writes KMS-encrypted results under
``<output prefix><execution id>/``; an EventBridge Scheduler schedule that starts the pipeline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws.s3 as s3
import pulumi_aws.sagemaker as sagemaker

from ..extras import require
from ..foundation.execution_role import ExecutionRole, ExecutionRoleArgs
from ..instance_types import has_instance_store
from ..limits import (
    account_id_problem,
    account_ids_problem,
    region_problem,
    satisfies,
    service_role_path_problem,
    tags_problem,
)
from ..naming import child_name, pipeline_name_problem
from ..output_text import concat
from ..pipeline_schedule import scheduled_pipeline_start
from ..pipeline_scripts import upload_pipeline_script
from ..policy_documents import (
    SharedObjects,
    Statement,
    ecr_pull,
    ecr_pull_images,
    kms_use,
    processing_jobs_as,
    s3_read,
    s3_read_write,
    sagemaker_logs_and_metrics,
    shared_s3_read,
    vpc_network_interfaces,
)
from ..training.evidently import REPORT_OUTPUT, STEP_EVIDENTLY, SUMMARY_FILE, EvidentlySpec
from .batch_definition import BatchDefinitionSettings, build_batch_definition
from .batch_scoring_spec import EVIDENTLY_NEEDS_CSV, BatchScoringSpec, is_csv
from .inference_endpoint_spec import model_package_version_arn_problem

BATCH_INPUT_PREFIX, BATCH_OUTPUT_PREFIX = "batch-input/", "batch-output/"
"""Datasets-bucket prefixes: ``batch-input/<family>/`` is scored, ``batch-output/<family>/`` holds results."""
BATCH_CAPTURE_PREFIX = "data-capture/batch/"
"""Artifact-bucket prefix of the transform jobs' data capture: ``data-capture/batch/<family>/``."""
STEPS = Path(__file__).resolve().parents[1] / "training" / "steps"
EVIDENTLY_SCRIPTS = {"report": STEPS / "evidently_report.py", "publish": STEPS / "publish_drift_metrics.py"}
"""The platform's Evidently step scripts (shared with the training pipeline)."""
MODEL_PREFIX = "models/"
"""Where the training pipelines write model artifacts in the artifact bucket."""


@dataclass(frozen=True)
class BatchEvidently:
    """The family's Evidently report of each batch input (``components/training/evidently.py``)."""

    spec: EvidentlySpec
    """What to report, the drift share, the reference prefix (datasets bucket) and the job size."""
    image_uri: pulumi.Input[str]
    """The Evidently image with its tag, in the pipeline's account."""
    publisher_role_arn: pulumi.Input[str]
    """Role of PublishDriftMetrics (PutMetricData in the Evidently namespace only)."""


@dataclass(frozen=True)
class BatchScoringArgs:
    spec: BatchScoringSpec
    """Schedule, compute and request settings (the stack file's ``models[].batch_scoring``)."""
    family: str
    """The model family scored (names the prefixes, the tags and the descriptions)."""
    pipeline_name: str
    """Physical name of the batch-scoring pipeline."""
    model_package_arn: pulumi.Input[str]
    """The version to score with: the resolved latest approved one, or the pinned one
    (``arn:<partition>:sagemaker:<region>:<account>:model-package/<group>/<n>``, checked when text)."""
    account_id: str
    """The 12-digit account of the pipeline (scopes the roles and their trust)."""
    region: str
    """Region of the pipeline (scopes the roles; the SDK builds the definition for it)."""
    datasets_bucket_name: pulumi.Input[str]
    """Bucket holding ``batch-input/<family>/`` and receiving ``batch-output/<family>/``."""
    datasets_bucket_arn: pulumi.Input[str]
    """ARN of the datasets bucket (the model role's reads and writes)."""
    artifact_bucket_name: pulumi.Input[str]
    """Bucket of the model artifacts and of ``data-capture/batch/<family>/``."""
    artifact_bucket_arn: pulumi.Input[str]
    """ARN of the artifact bucket (the model role's reads and capture writes)."""
    kms_key_arn: pulumi.Input[str]
    """Encrypts the job's volumes, results and capture (the data key of both buckets)."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """Private subnets the model's containers run in."""
    security_group_ids: Sequence[pulumi.Input[str]]
    """Security groups of the model's containers."""
    image_registry_accounts: Sequence[str]
    """Accounts whose ECR the model's image may come from."""
    role_path: str
    """IAM path of the three roles (model, pipeline, scheduler)."""
    tags: Mapping[str, str]
    """Tags of the model, the pipeline and the roles."""
    data_capture: bool = False
    """Capture the jobs' inputs and outputs under ``data-capture/batch/<family>/`` (monitoring on)."""
    shared_model_objects: Sequence[SharedObjects] = ()
    """The version's model artifacts another account's registry holds (a pinned producer version)."""
    object_tag_keys: Sequence[str] = ()
    """Keys of ``tags`` the uploaded Evidently scripts carry first (S3 keeps at most 10 per object)."""
    evidently: BatchEvidently | None = None
    """With it: EvidentlyReport (as the model's role, which reads the batch input) and
    PublishDriftMetrics beside the Transform step; the report goes under
    ``pipelines/<pipeline>/<execution id>/EvidentlyReport/report/`` of the artifact bucket; needs
    CSV input (``spec.content_type``)."""

    aws_images: Sequence[str] = ()
    """ECR repositories of the SageMaker-provided images the model runs from AWS's registry accounts
    (the served families' framework inference images, ``<account>.dkr.ecr.<region>...``): SageMaker
    pulls them with the model's role, which may pull exactly these besides ``image_registry_accounts``."""

    def __post_init__(self) -> None:
        satisfies(self, "account_id", account_id_problem)
        satisfies(self, "image_registry_accounts", account_ids_problem)
        satisfies(self, "region", region_problem)
        satisfies(self, "role_path", service_role_path_problem)
        satisfies(self, "tags", lambda tags: tags_problem(tags, own=1))
        satisfies(self, "pipeline_name", pipeline_name_problem)
        if isinstance(self.model_package_arn, str):  # an Output is SageMaker's to check
            satisfies(self, "model_package_arn", model_package_version_arn_problem)
        if self.evidently is not None and not is_csv(self.spec.content_type):
            raise ValueError(
                f"BatchScoringArgs.spec.content_type: {self.spec.content_type!r}: {EVIDENTLY_NEEDS_CSV}"
            )


class BatchScoring(pulumi.ComponentResource):
    """Scheduled, network-isolated batch scoring of one model family.

    Security posture: the model runs with network isolation in the private subnets and reads only
    ``batch-input/<family>/`` and the model artifacts; results and capture are KMS-encrypted; the
    pipeline's role may run transform jobs only, and the scheduler's role may start this one pipeline.
    """

    pipeline_arn: pulumi.Output[str]
    """ARN of the batch-scoring pipeline."""
    model_name: pulumi.Output[str]
    """The SageMaker model the transform jobs run."""
    schedule_arn: pulumi.Output[str]
    """ARN of the EventBridge Scheduler schedule that starts the pipeline."""

    def __init__(self, name: str, args: BatchScoringArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        # Before any resource: the definition is built inside an apply, where a missing SDK would
        # surface as a bare import error once the model, roles and scripts exist (docs/reuse.md).
        require("sagemaker", "BatchScoring (its pipeline definition)")
        super().__init__("mlops:serving:BatchScoring", name, None, opts)
        self._name, self._args = name, args
        child = pulumi.ResourceOptions(parent=self)
        family, spec = args.family, args.spec
        model_role = self._model_role()
        model = sagemaker.Model(
            child_name(f"{name}-model", "aws:sagemaker/model:Model"),
            execution_role_arn=model_role.role_arn,
            primary_container=sagemaker.ModelPrimaryContainerArgs(model_package_name=args.model_package_arn),
            enable_network_isolation=True,
            vpc_config=sagemaker.ModelVpcConfigArgs(
                subnets=list(args.subnet_ids), security_group_ids=list(args.security_group_ids)
            ),
            tags={**args.tags, "mlops:model-family": family},
            opts=child,
        )
        evidently_inputs: dict[str, pulumi.Input] = {}
        if args.evidently is not None:
            scripts = {step: self._upload_script(path) for step, path in EVIDENTLY_SCRIPTS.items()}
            evidently_inputs = {
                **{
                    f"{step}_script": concat("s3://", obj.bucket, "/", obj.key)
                    for step, obj in scripts.items()
                },
                "image": args.evidently.image_uri,
                "publisher": args.evidently.publisher_role_arn,
                "report_role": model_role.role_arn,
                "subnets": pulumi.Output.from_input(list(args.subnet_ids)),
                "groups": pulumi.Output.from_input(list(args.security_group_ids)),
            }
        definition = pulumi.Output.all(
            model=model.name,
            datasets=args.datasets_bucket_name,
            artifacts=args.artifact_bucket_name,
            key=args.kms_key_arn,
            **evidently_inputs,
        ).apply(lambda resolved: self._definition(resolved))
        pipeline_role = self._pipeline_role(model_role)
        pipeline = sagemaker.Pipeline(
            f"{name}-pipeline",
            pipeline_name=args.pipeline_name,
            pipeline_display_name=args.pipeline_name,
            pipeline_description=f"Batch scoring of model family {family}",
            pipeline_definition=definition,
            role_arn=pipeline_role.role_arn,
            tags={**args.tags, "mlops:model-family": family},
            opts=child,
        )
        schedule = scheduled_pipeline_start(
            self,
            name,
            pipeline,
            expression=spec.schedule,
            timezone=spec.schedule_timezone,
            description=f"Batch scoring of model family {family}: {spec.schedule}",
            starter_description=f"Starts batch-scoring pipeline {args.pipeline_name} (EventBridge Scheduler)",
            account_id=args.account_id,
            role_path=args.role_path,
            tags=args.tags,
        )

        self.pipeline_arn = pipeline.arn
        self.model_name = model.name
        self.schedule_arn = schedule.arn
        self.register_outputs(
            {
                "pipeline_arn": self.pipeline_arn,
                "model_name": self.model_name,
                "schedule_arn": self.schedule_arn,
            }
        )

    def _definition(self, resolved: Mapping[str, str]) -> str:
        args, spec, family = self._args, self._args.spec, self._args.family
        return build_batch_definition(
            BatchDefinitionSettings(
                region=args.region,
                model_name=resolved["model"],
                job_name_prefix=args.pipeline_name[:40],
                input_uri=f"s3://{resolved['datasets']}/{BATCH_INPUT_PREFIX}{family}/",
                output_uri=f"s3://{resolved['datasets']}/{BATCH_OUTPUT_PREFIX}{family}/",
                kms_key_arn=resolved["key"],
                instance_type=spec.instance_type,
                instance_count=spec.instance_count,
                split_type=spec.split_type,
                batch_strategy=spec.batch_strategy,
                max_payload_mb=spec.max_payload_mb,
                max_concurrent_transforms=spec.max_concurrent_transforms,
                content_type=spec.content_type,
                accept=spec.accept,
                assemble_with=spec.assemble_with,
                capture_uri=(
                    f"s3://{resolved['artifacts']}/{BATCH_CAPTURE_PREFIX}{family}/"
                    if args.data_capture
                    else None
                ),
                volume_kms=not has_instance_store(spec.instance_type),
                **self._evidently_settings(resolved),
            )
        )

    def _evidently_settings(self, resolved: Mapping[str, Any]) -> dict[str, Any]:
        args = self._args
        if args.evidently is None:
            return {}
        spec = args.evidently.spec
        return {
            "evidently": spec.settings(
                args.family,
                image_uri=resolved["image"],
                datasets_bucket=resolved["datasets"],
                report_script_uri=resolved["report_script"],
                publish_script_uri=resolved["publish_script"],
                publisher_role_arn=resolved["publisher"],
            ),
            "report_role_arn": resolved["report_role"],
            "report_uri": f"s3://{resolved['artifacts']}/{self._pipeline_prefix()}",
            "subnet_ids": tuple(resolved["subnets"]),
            "security_group_ids": tuple(resolved["groups"]),
        }

    def _pipeline_prefix(self) -> str:
        """``pipelines/<pipeline>/``: the scripts under ``code/``, each execution's report under its id."""
        return f"pipelines/{self._args.pipeline_name}/"

    def _upload_script(self, path: Path) -> s3.BucketObjectv2:
        args = self._args
        return upload_pipeline_script(
            self,
            f"{self._name}-{path.stem.replace('_', '-')}-script",
            path,
            bucket=args.artifact_bucket_name,
            pipeline_name=args.pipeline_name,
            family=args.family,
            kms_key_arn=args.kms_key_arn,
            tags=args.tags,
            object_tag_keys=args.object_tag_keys,
        )

    def _model_role(self) -> ExecutionRole:
        """The transform job runs as the model's role: it reads the input and writes results and capture."""
        args, family = self._args, self._args.family
        capture = [f"{BATCH_CAPTURE_PREFIX}{family}/"] if args.data_capture else []
        statements = [
            *s3_read(args.datasets_bucket_arn, [f"{BATCH_INPUT_PREFIX}{family}/"]),
            *s3_read_write(args.datasets_bucket_arn, [f"{BATCH_OUTPUT_PREFIX}{family}/"]),
            *s3_read(args.artifact_bucket_arn, [MODEL_PREFIX]),
            *(s3_read_write(args.artifact_bucket_arn, capture) if capture else []),
            *self._report_statements(),
            *kms_use([args.kms_key_arn]),
            *vpc_network_interfaces(args.region, args.account_id, args.subnet_ids, args.security_group_ids),
            *sagemaker_logs_and_metrics(args.region, args.account_id),
            *ecr_pull(args.region, args.image_registry_accounts),
            *ecr_pull_images(args.aws_images),
            *(
                statement
                for shared in args.shared_model_objects
                for statement in shared_s3_read(args.region, shared.owner_account, shared.object_arns)
            ),
        ]
        return ExecutionRole(
            f"{self._name}-model",
            ExecutionRoleArgs(
                description=f"Runs the batch-scoring model of family {family}",
                trusted_service="sagemaker.amazonaws.com",
                account_id=args.account_id,
                path=args.role_path,
                statements=statements,
                tags=args.tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _report_statements(self) -> list[dict[str, Any]]:
        """With Evidently, the model's role also runs EvidentlyReport: the family's reference, the
        step's script, and its report under the pipeline's prefix."""
        args = self._args
        if args.evidently is None:
            return []
        prefix = self._pipeline_prefix()
        return [
            *s3_read(args.datasets_bucket_arn, [args.evidently.spec.reference(args.family)]),
            *s3_read(args.artifact_bucket_arn, [f"{prefix}code/"]),
            {
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:AbortMultipartUpload"],
                "Resource": concat(args.artifact_bucket_arn, f"/{prefix}*/{STEP_EVIDENTLY}/*"),
            },
        ]

    def _pipeline_role(self, model_role: ExecutionRole) -> ExecutionRole:
        """SageMaker Pipelines creates, watches and stops the transform jobs (and, with Evidently,
        the two processing jobs, passing them their roles, and reads the report's summary for the
        publish step's arguments); nothing else."""
        args = self._args
        jobs = f"arn:aws:sagemaker:{args.region}:{args.account_id}:transform-job/*"
        evidently: list[Statement] = (
            [
                *processing_jobs_as(
                    args.region, args.account_id, [model_role.role_arn, args.evidently.publisher_role_arn]
                ),
                {
                    # JsonGet: SageMaker Pipelines reads EvidentlyReport's summary (numbers, never
                    # the data) as this role to give PublishDriftMetrics its arguments.
                    "Effect": "Allow",
                    "Action": "s3:GetObject",
                    "Resource": concat(
                        args.artifact_bucket_arn,
                        f"/{self._pipeline_prefix()}*/{STEP_EVIDENTLY}/{REPORT_OUTPUT}/{SUMMARY_FILE}",
                    ),
                },
            ]
            if args.evidently is not None
            else []
        )
        return ExecutionRole(
            f"{self._name}-pipeline",
            ExecutionRoleArgs(
                description=f"Orchestrates batch-scoring pipeline {args.pipeline_name}",
                trusted_service="sagemaker.amazonaws.com",
                account_id=args.account_id,
                path=args.role_path,
                statements=[
                    {
                        "Effect": "Allow",
                        "Action": [
                            "sagemaker:CreateTransformJob",
                            "sagemaker:DescribeTransformJob",
                            "sagemaker:StopTransformJob",
                            "sagemaker:AddTags",
                        ],
                        "Resource": jobs,
                    },
                    *evidently,
                    *kms_use([args.kms_key_arn]),
                ],
                tags=args.tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
