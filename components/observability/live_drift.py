"""LiveDrift: Evidently over one endpoint's captured traffic, on the monitoring schedule.

The replacement AWS names for Model Monitor's data-quality schedules, which it no longer opens to
new customers: a SageMaker pipeline (``live_drift_definition.py``: ListCapture, CollectCapture,
EvidentlyReport, PublishDriftMetrics) started by an EventBridge Scheduler schedule, and an alarm on
the share of drifted columns it publishes (``Pipeline`` dimension ``endpoint-<endpoint>``).
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
from ..limits import account_id_problem, region_problem, satisfies, service_role_path_problem, tags_problem
from ..naming import pipeline_name_problem
from ..output_text import concat
from ..pipeline_schedule import scheduled_pipeline_start
from ..pipeline_scripts import upload_pipeline_script
from ..policy_documents import (
    Statement,
    ecr_pull,
    kms_use,
    processing_jobs_as,
    s3_read,
    sagemaker_logs_and_metrics,
    vpc_network_interfaces,
)
from ..schedules import model_monitor_schedule_problem, monitor_run_hours
from ..serving.data_capture import DATA_CAPTURE_PREFIX
from ..serving.inference_endpoint_spec import endpoint_name_problem
from ..training.evidently import (
    ENDPOINT_KIND_PREFIX,
    REPORT_OUTPUT,
    STEP_EVIDENTLY,
    SUMMARY_FILE,
    EvidentlySpec,
)
from .drift_report_alarm import DriftReportAlarm, DriftReportAlarmArgs
from .live_drift_definition import (
    COUNT_FILE,
    MANIFEST_OUTPUT,
    STEP_COLLECT,
    STEP_LIST,
    LiveDriftDefinitionSettings,
    build_live_drift_definition,
)

_STEPS = Path(__file__).resolve().parent / "steps"
_TRAINING_STEPS = Path(__file__).resolve().parents[1] / "training" / "steps"
SCRIPTS = {
    "list": _STEPS / "list_capture.py",
    "collect": _STEPS / "collect_capture.py",
    "report": _TRAINING_STEPS / "evidently_report.py",
    "publish": _TRAINING_STEPS / "publish_drift_metrics.py",
}
"""The four steps' scripts, uploaded under the pipeline's ``code/`` prefix."""


@dataclass(frozen=True)
class LiveDriftArgs:
    endpoint: str
    """The endpoint's name in the stack file: its capture is under ``data-capture/<endpoint>/``."""
    endpoint_name: pulumi.Input[str]
    """The deployed endpoint's name, as the endpoint's Output: ListCapture reads only its files, and
    the definition then depends on the endpoint (how the pack's ``endpoint-monitoring-schedule``
    finds this pipeline watching it)."""
    variants: Sequence[str]
    """The endpoint's production variants (not its shadow variants, whose requests are copies)."""
    family: str
    """The model family the endpoint serves: its reference dataset, the metrics' ``Family``."""
    pipeline_name: str
    """The pipeline's name; its alarm is ``<pipeline_name>-evidently-drift``."""
    schedule: str
    """The monitoring schedule (Model Monitor's cron forms, valid for EventBridge Scheduler): each
    run reads the whole hours since the run before, an hour late."""
    evidently: EvidentlySpec
    """The family's Evidently settings: reference, reports, drift share, report instance."""
    image_uri: pulumi.Input[str]
    """The platform's Evidently image (``<repository>:<image_tag>``)."""
    publisher_role_arn: pulumi.Input[str]
    """PublishDriftMetrics' role (PutMetricData in the Evidently namespace only)."""
    region: str
    """The stack's region (the jobs' and the image's)."""
    account_id: str
    """The 12-digit account the roles trust their services for."""
    role_path: str
    """IAM path of the four roles (the stack's)."""
    artifact_bucket_name: pulumi.Input[str]
    """Where the endpoint captures, the scripts live and each execution writes."""
    artifact_bucket_arn: pulumi.Input[str]
    """ARN of that bucket (the roles' grants)."""
    datasets_bucket_name: pulumi.Input[str]
    """Where the family's reference dataset is (``evidently.reference_prefix``)."""
    datasets_bucket_arn: pulumi.Input[str]
    """ARN of that bucket."""
    kms_key_arn: pulumi.Input[str]
    """Encrypts the scripts, the jobs' volumes and their outputs."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """Private subnets of the jobs."""
    security_group_ids: Sequence[pulumi.Input[str]]
    """Security groups of the jobs."""
    alarm_topic_arn: pulumi.Input[str]
    """The alert topic the drift alarm notifies on ALARM and OK."""
    tags: Mapping[str, str]
    """Tags of every resource."""
    object_tag_keys: Sequence[str] = ()
    """Keys of ``tags`` the uploaded scripts carry first (S3 keeps at most 10 per object)."""

    def __post_init__(self) -> None:
        satisfies(self, "account_id", account_id_problem)
        satisfies(self, "region", region_problem)
        satisfies(self, "role_path", service_role_path_problem)
        satisfies(self, "tags", lambda tags: tags_problem(tags, own=1))
        satisfies(self, "pipeline_name", pipeline_name_problem)
        satisfies(self, "endpoint_name", endpoint_name_problem)
        problem = model_monitor_schedule_problem(self.schedule)
        if problem:
            raise ValueError(f"LiveDriftArgs.schedule: {problem}")
        if not self.variants:
            raise ValueError("LiveDriftArgs.variants: name at least one production variant")


class LiveDrift(pulumi.ComponentResource):
    """One endpoint's live-drift pipeline, its schedule and its drift alarm.

    Security posture: ListCapture, the one job that reaches the network (S3's endpoint), may only
    list the capture prefix (no object read) and write its manifest; CollectCapture and
    EvidentlyReport run network-isolated with a role that reads the capture and the reference and
    writes their outputs; PublishDriftMetrics only puts metrics; every job in the private subnets,
    KMS on volumes and outputs; the scheduler may start this pipeline only.
    """

    pipeline_arn: pulumi.Output[str]
    """ARN of the live-drift pipeline."""
    schedule_arn: pulumi.Output[str]
    """ARN of the EventBridge Scheduler schedule that starts it."""
    alarm_name: pulumi.Output[str]
    """The drift alarm (``<pipeline>-evidently-drift``): what starts the family's retraining."""

    def __init__(self, name: str, args: LiveDriftArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        # Before any resource: the definition is built inside an apply, where a missing SDK would
        # surface as a bare import error once the model, roles and scripts exist (docs/reuse.md).
        require("sagemaker", "LiveDrift (its pipeline definition)")
        super().__init__("mlops:observability:LiveDrift", name, None, opts)
        self._name, self._args = name, args
        child = pulumi.ResourceOptions(parent=self)
        scripts = {step: self._upload(path) for step, path in SCRIPTS.items()}
        lister, data = self._lister_role(), self._data_role()
        definition = pulumi.Output.all(
            artifacts=args.artifact_bucket_name,
            datasets=args.datasets_bucket_name,
            key=args.kms_key_arn,
            image=args.image_uri,
            publisher=args.publisher_role_arn,
            lister=lister.role_arn,
            data=data.role_arn,
            subnets=pulumi.Output.from_input(list(args.subnet_ids)),
            groups=pulumi.Output.from_input(list(args.security_group_ids)),
            endpoint_name=args.endpoint_name,
            **{f"{step}_script": concat("s3://", obj.bucket, "/", obj.key) for step, obj in scripts.items()},
        ).apply(self._definition)
        pipeline = sagemaker.Pipeline(
            f"{name}-pipeline",
            pipeline_name=args.pipeline_name,
            pipeline_display_name=args.pipeline_name,
            pipeline_description=f"Evidently drift of endpoint {args.endpoint}'s captured traffic",
            pipeline_definition=definition,
            role_arn=self._pipeline_role(lister, data).role_arn,
            # One tag of its own, as every component's resources (a stack's tags fill AWS's 50 but one).
            tags={**args.tags, "mlops:endpoint": args.endpoint},
            opts=child,
        )
        schedule = scheduled_pipeline_start(
            self,
            name,
            pipeline,
            expression=args.schedule,
            timezone="UTC",
            description=f"Live drift of endpoint {args.endpoint}: {args.schedule}",
            starter_description=f"Starts live-drift pipeline {args.pipeline_name} (EventBridge Scheduler)",
            account_id=args.account_id,
            role_path=args.role_path,
            tags=args.tags,
            # A start retried later than this could read the next run's interval.
            max_event_age_seconds=900,
        )
        alarm = DriftReportAlarm(
            f"{name}-drift",
            DriftReportAlarmArgs(
                pipeline_name=args.pipeline_name,
                family=args.family,
                pipeline_kind=self.pipeline_kind,
                drift_share=float(args.evidently.drift_share),
                alarm_topic_arn=args.alarm_topic_arn,
                tags=args.tags,
            ),
            opts=child,
        )
        self.pipeline_arn = pipeline.arn
        self.schedule_arn = schedule.arn
        self.alarm_name = alarm.alarm_name
        self.register_outputs(
            {
                "pipeline_arn": self.pipeline_arn,
                "schedule_arn": self.schedule_arn,
                "alarm_name": self.alarm_name,
            }
        )

    @property
    def pipeline_kind(self) -> str:
        return f"{ENDPOINT_KIND_PREFIX}{self._args.endpoint}"

    def _prefix(self) -> str:
        """``pipelines/<pipeline>/``: the scripts under ``code/``, each execution's outputs under its id."""
        return f"pipelines/{self._args.pipeline_name}/"

    def _definition(self, resolved: Mapping[str, Any]) -> str:
        args = self._args
        spec = args.evidently
        return build_live_drift_definition(
            LiveDriftDefinitionSettings(
                region=args.region,
                pipeline_name=args.pipeline_name,
                job_name_prefix=args.pipeline_name[:40],
                capture_bucket=resolved["artifacts"],
                capture_prefix=f"{DATA_CAPTURE_PREFIX}{args.endpoint}/",
                endpoint_name=resolved["endpoint_name"],
                variants=tuple(args.variants),
                run_hours=monitor_run_hours(args.schedule),
                list_script_uri=resolved["list_script"],
                collect_script_uri=resolved["collect_script"],
                list_role_arn=resolved["lister"],
                data_role_arn=resolved["data"],
                kms_key_arn=resolved["key"],
                subnet_ids=tuple(resolved["subnets"]),
                security_group_ids=tuple(resolved["groups"]),
                work_uri=f"s3://{resolved['artifacts']}/{self._prefix()}",
                endpoint_dimension=self.pipeline_kind,
                evidently=spec.settings(
                    args.family,
                    image_uri=resolved["image"],
                    datasets_bucket=resolved["datasets"],
                    report_script_uri=resolved["report_script"],
                    publish_script_uri=resolved["publish_script"],
                    publisher_role_arn=resolved["publisher"],
                ),
            )
        )

    def _upload(self, path: Path) -> s3.BucketObjectv2:
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

    def _job_basics(self) -> list[Statement]:
        """What every job of the pipeline needs: its image, logs and metrics, its VPC interfaces, the key."""
        args = self._args
        return [
            *kms_use([args.kms_key_arn]),
            *vpc_network_interfaces(args.region, args.account_id, args.subnet_ids, args.security_group_ids),
            *sagemaker_logs_and_metrics(args.region, args.account_id),
            *ecr_pull(args.region, [args.account_id]),
        ]

    def _writes(self, *steps: str) -> Statement:
        return {
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:AbortMultipartUpload"],
            "Resource": [
                concat(self._args.artifact_bucket_arn, f"/{self._prefix()}*/{step}/*") for step in steps
            ],
        }

    def _lister_role(self) -> ExecutionRole:
        """ListCapture reaches S3 without network isolation: it may list the capture prefix (keys,
        never an object) and read its own script; it writes only its manifest."""
        args = self._args
        capture = f"{DATA_CAPTURE_PREFIX}{args.endpoint}/"
        return self._role(
            "lister",
            f"Lists endpoint {args.endpoint}'s data capture for its live-drift pipeline (no object read)",
            [
                {
                    "Effect": "Allow",
                    "Action": "s3:ListBucket",
                    "Resource": args.artifact_bucket_arn,
                    "Condition": {"StringLike": {"s3:prefix": [f"{capture}*", f"{self._prefix()}code/*"]}},
                },
                {
                    "Effect": "Allow",
                    "Action": "s3:GetObject",
                    "Resource": concat(args.artifact_bucket_arn, f"/{self._prefix()}code/*"),
                },
                self._writes(STEP_LIST),
                *self._job_basics(),
            ],
        )

    def _data_role(self) -> ExecutionRole:
        """CollectCapture and EvidentlyReport (network-isolated): the capture, the reference and the
        scripts; their own outputs."""
        args = self._args
        return self._role(
            "data",
            f"Reads endpoint {args.endpoint}'s data capture and family {args.family}'s reference for its "
            "live-drift report",
            [
                *s3_read(
                    args.artifact_bucket_arn, [f"{DATA_CAPTURE_PREFIX}{args.endpoint}/", self._prefix()]
                ),
                *s3_read(args.datasets_bucket_arn, [args.evidently.reference(args.family)]),
                self._writes(STEP_COLLECT, STEP_EVIDENTLY),
                *self._job_basics(),
            ],
        )

    def _pipeline_role(self, lister: ExecutionRole, data: ExecutionRole) -> ExecutionRole:
        """SageMaker Pipelines creates, watches and stops the four processing jobs, passing them their
        roles, and reads the count and summary their arguments come from; nothing else."""
        args = self._args
        return self._role(
            "pipeline",
            f"Orchestrates live-drift pipeline {args.pipeline_name}",
            [
                *processing_jobs_as(
                    args.region, args.account_id, [lister.role_arn, data.role_arn, args.publisher_role_arn]
                ),
                {
                    # JsonGet: SageMaker Pipelines reads ListCapture's count and EvidentlyReport's
                    # summary (numbers, never the data) as this role.
                    "Effect": "Allow",
                    "Action": "s3:GetObject",
                    "Resource": [
                        concat(
                            args.artifact_bucket_arn,
                            f"/{self._prefix()}*/{STEP_LIST}/{MANIFEST_OUTPUT}/{COUNT_FILE}",
                        ),
                        concat(
                            args.artifact_bucket_arn,
                            f"/{self._prefix()}*/{STEP_EVIDENTLY}/{REPORT_OUTPUT}/{SUMMARY_FILE}",
                        ),
                    ],
                },
                *kms_use([args.kms_key_arn]),
            ],
        )

    def _role(self, suffix: str, description: str, statements: list[Statement]) -> ExecutionRole:
        args = self._args
        return ExecutionRole(
            f"{self._name}-{suffix}",
            ExecutionRoleArgs(
                description=description,
                trusted_service="sagemaker.amazonaws.com",
                account_id=args.account_id,
                path=args.role_path,
                statements=statements,
                tags=args.tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
