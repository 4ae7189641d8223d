"""ModelQualityMonitoring: model-quality, bias and explainability monitors of one endpoint (aws-native).

pulumi-aws has no resource for these job definitions, so they come from pulumi-aws-native (the
CloudFormation resource model); their schedules are ordinary ``aws.sagemaker.MonitoringSchedule``s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws.s3 as s3
import pulumi_aws.sagemaker as sagemaker
import pulumi_aws_native.sagemaker as native

from ..instance_types import has_instance_store, offered_instance_type_problem
from ..limits import instance_problem, object_tags, satisfies
from ..naming import child_name
from ..native_provider import warn_without_native_provider
from ..output_text import concat
from ..policy_documents import clarify_shadow_endpoints
from ..prebuilt_images import ANALYZER, CLARIFY, prebuilt_image_uri
from ..schedules import model_monitor_schedule_problem, schedule_interval_seconds
from ..serving.inference_endpoint_spec import endpoint_name_problem
from .explainability_config import analysis_config_key, dotted, features_attribute, render, template_problems
from .model_monitoring import (
    DATA_CAPTURE_PREFIX,
    JobPlacement,
    MonitoringBaselines,
    monitoring_job_role,
)
from .model_quality_spec import (
    JOB_DEFINITION_NAME_LIMIT,
    SNAKE_NAMES,
    Kind,
    ModelQualitySpec,
    job_definition_name,
)
from .monitoring_spec import baseline_prefix

GROUND_TRUTH_PREFIX = "ground-truth/"
# Model quality compares predictions with ground truth using the Model Monitor analyzer; bias
# and explainability are SageMaker Clarify analyses.
PREBUILT_IMAGE: dict[Kind, str] = {
    "ModelQuality": ANALYZER,
    "ModelBias": CLARIFY,
    "ModelExplainability": CLARIFY,
}
CALLS_THE_MODEL: frozenset[Kind] = frozenset({"ModelExplainability"})
"""Kinds whose job calls the model itself. Clarify computes SHAP values by sending perturbed copies
of the captured records to the model: from inside its container, with the job's role, it creates a
shadow endpoint of the analysis config's ``predictor.model_name`` (the model the endpoint serves,
which the platform writes there: ``explainability_config``), invokes it and deletes it. So
these jobs run without network isolation (it removes the container's network and credentials; they
still run only in the private subnets, whose interface endpoints reach SageMaker's API and runtime)
and their role may run those endpoints. Bias jobs read the captured predictions (their analysis
config has no ``predictor``) and stay isolated."""


@dataclass(frozen=True)
class ModelQualityMonitoringArgs:
    spec: ModelQualitySpec
    """Which monitors run (at least one), and how predictions are read from the captured data."""
    endpoint_name: pulumi.Input[str]
    """The SageMaker endpoint whose captured data every job reads."""
    endpoint_label: str
    """The endpoint's configured name: its ``ground-truth/<label>/`` and ``monitoring/<label>/`` folders."""
    job_definition_prefix: str
    """Starts each job definition's name (``<prefix>-model-quality``...): account-wide, so give it the
    endpoint's physical name."""
    model_family: str
    """Whose ``baselines/<family>/<kind>/`` hold the bias analysis config and the bias and
    explainability constraints (provided by the team)."""
    baselines: MonitoringBaselines
    """The baselines of the model version the endpoint serves (the model-quality constraints)."""
    schedule: str
    """Model Monitor cron expression shared by the monitors, e.g. ``cron(0 * ? * * *)`` (hourly)."""
    instance_type: str
    """Instance type of the jobs (one instance each, with a 20 GB volume): one SageMaker processing
    jobs offer (botocore's ``ProcessingInstanceType``: ml.c5.xlarge, not ml.c5.large)."""
    max_runtime_seconds: int
    """Seconds after which a job is stopped; keep it below the schedule's interval."""
    placement: JobPlacement
    """Where the jobs run and what they may touch."""
    model_name: pulumi.Input[str] | None = None
    """With the explainability monitor: the SageMaker model the endpoint serves (its first production
    variant's), the one Clarify's shadow endpoint runs. Pass the model's ``name`` output: each deploy
    of a new version (a new model, under a new generated name) rewrites the analysis config. Pass
    ``endpoint_name`` as the endpoint's ``name`` output too: the config is written once the endpoint
    is updated (a plain string writes it before, so a failed deploy would name a model not served)."""
    explainability_template: Mapping[str, Any] | None = None
    """With the explainability monitor: the team's Clarify analysis config without the model
    (``headers``, ``methods.shap``, and a ``predictor`` with the shadow endpoint's ``instance_type``
    and ``initial_instance_count``, no ``model_name`` or ``endpoint_name``; a SHAP baseline given as a
    file name is read at ``baselines/<model_family>/model_explainability/<name>`` of the artifact
    bucket, never an ``s3://`` URI). The component writes it, with ``predictor.model_name``, to ``monitoring-config/<endpoint_label>/model_explainability/
    analysis_config.json`` (KMS-encrypted), which the explainability job reads."""
    object_tag_keys: Sequence[str] = ()
    """Tag keys of ``placement.tags`` the analysis config object keeps first (an S3 object takes 10 tags)."""

    def __post_init__(self) -> None:
        satisfies(self, "spec", lambda value: instance_problem(value, ModelQualitySpec))
        satisfies(self, "baselines", lambda value: instance_problem(value, MonitoringBaselines))
        satisfies(self, "placement", lambda value: instance_problem(value, JobPlacement))
        satisfies(self, "schedule", model_monitor_schedule_problem)
        satisfies(self, "endpoint_name", endpoint_name_problem)
        # Every job definition's ClusterConfig.InstanceType, as MonitoringSpec.instance_type checks it.
        satisfies(
            self,
            "instance_type",
            lambda value: offered_instance_type_problem(value, "ProcessingInstanceType"),
        )
        if not self.spec.kinds:
            raise ValueError(
                f"ModelQualityMonitoring of {self.endpoint_label}: enable at least one of model_quality, "
                "bias, explainability"
            )
        too_long = [
            name
            for name in map(self.job_definition_name, self.spec.kinds)
            if len(name) > JOB_DEFINITION_NAME_LIMIT
        ]
        if too_long:
            raise ValueError(
                f"ModelQualityMonitoring of {self.endpoint_label}: job definition names {too_long} exceed "
                f"{JOB_DEFINITION_NAME_LIMIT} characters; shorten job_definition_prefix"
            )
        if "ModelExplainability" in self.spec.kinds:
            self._check_explainability()
        if "ModelQuality" in self.spec.kinds and self.baselines.model_constraints is None:
            raise ValueError(
                f"ModelQualityMonitoring of {self.endpoint_label}: the served model version registered no "
                "model-quality baseline (DriftCheckBaselines.ModelQuality.Constraints) to compare with"
            )

    def job_definition_name(self, kind: Kind) -> str:
        return job_definition_name(self.job_definition_prefix, kind)

    def _check_explainability(self) -> None:
        where = f"ModelQualityMonitoring of {self.endpoint_label}"
        if self.model_name is None or self.explainability_template is None:
            raise ValueError(
                f"{where}: the explainability monitor needs model_name (the model the endpoint serves) and "
                "explainability_template (the team's analysis config without the model)"
            )
        problems = [
            f"{'.'.join(['explainability_template', dotted(location)]).rstrip('.')}: {problem}"
            for location, problem in template_problems(self.explainability_template)
        ]
        if problems:  # every key to change at once, as the plan names a stack file's template
            raise ValueError(f"{where}: {'; '.join(problems)}")


class ModelQualityMonitoring(pulumi.ComponentResource):
    """Scheduled model-quality (against ground truth under ``ground-truth/<endpoint>/``), bias and
    explainability jobs in the private subnets with KMS on volumes and reports, each network-isolated
    but the explainability job, which calls the model (Clarify's shadow endpoint: CALLS_THE_MODEL)
    named in the analysis config the component writes (KMS-encrypted; the jobs' role may read it, not write it)."""

    schedule_names: pulumi.Output[list[str]]
    """Names of the monitoring schedules created."""
    model_quality_schedule_name: pulumi.Output[str] | None
    """Name of the model-quality schedule (the ``MonitoringSchedule`` dimension of its metrics), if on."""

    def __init__(
        self, name: str, args: ModelQualityMonitoringArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:observability:ModelQualityMonitoring", name, None, opts)
        warn_without_native_provider(self, name)
        self._name, self._args = name, args
        family_folder = baseline_prefix(args.model_family)
        # Only this endpoint's capture and labels (data-capture/<endpoint>/, ground-truth/<endpoint>/).
        reads = [
            f"{DATA_CAPTURE_PREFIX}{args.endpoint_label}/",
            f"{GROUND_TRUTH_PREFIX}{args.endpoint_label}/",
            *args.baselines.own_folders(args.placement),
        ]
        if set(args.spec.kinds) - {"ModelQuality"}:
            reads.append(family_folder)
        analysis_config = self._explainability_config() if "ModelExplainability" in args.spec.kinds else None
        if analysis_config is not None:
            # The one object the platform wrote for this endpoint, nothing else under the prefix.
            reads.append(analysis_config_key(args.endpoint_label))
        role = monitoring_job_role(
            f"{name}-jobs",
            "Runs model-quality, bias and explainability monitoring jobs of one endpoint",
            args.placement,
            reads=reads,
            reports=f"monitoring/{args.endpoint_label}/",
            shared_reads=args.baselines.read_statements(args.placement),
            parent=self,
            images=sorted(
                {prebuilt_image_uri(PREBUILT_IMAGE[kind], args.placement.region) for kind in args.spec.kinds}
            ),
            calls=clarify_shadow_endpoints(args.placement.region, args.placement.account_id)
            if CALLS_THE_MODEL & set(args.spec.kinds)
            else (),
        )
        schedules = {
            kind: self._monitor(kind, role.role_arn, family_folder, analysis_config)
            for kind in args.spec.kinds
        }
        self.schedule_names = pulumi.Output.all(*[schedule.name for schedule in schedules.values()])
        quality = schedules.get("ModelQuality")
        self.model_quality_schedule_name = quality.name if quality is not None else None
        self.register_outputs(
            {
                "schedule_names": self.schedule_names,
                "model_quality_schedule_name": self.model_quality_schedule_name,
            }
        )

    def _explainability_config(self) -> s3.BucketObjectv2:
        """The explainability job's analysis config: the team's template naming the model the endpoint
        serves. Under one key per endpoint, so the job definition (replaced on any change, as every
        aws-native job definition) keeps its ConfigUri, and a deploy of a new version only rewrites
        the object. Written once the endpoint is updated (its name is an input): a deploy that fails
        or rolls back leaves it naming the model the endpoint still serves."""
        args, placement = self._args, self._args.placement
        template = args.explainability_template
        assert template is not None and args.model_name is not None  # checked by the args
        # A baseline file name resolves in this stack's bucket, under the family's folder the role reads.
        baselines_uri = concat(
            "s3://", placement.artifact_bucket_name, "/", baseline_prefix(args.model_family)
        )
        content = pulumi.Output.all(args.model_name, args.endpoint_name, baselines_uri).apply(
            lambda served: render(template, served[0], served[2])
        )
        return s3.BucketObjectv2(
            f"{self._name}-explainability-config",
            bucket=placement.artifact_bucket_name,
            key=analysis_config_key(args.endpoint_label),
            content=content,
            content_type="application/json",
            server_side_encryption="aws:kms",
            kms_key_id=placement.kms_key_arn,
            tags=object_tags(placement.tags, {"mlops:endpoint": args.endpoint_label}, args.object_tag_keys),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _constraints_uri(self, kind: Kind, family_folder: str) -> pulumi.Output[str]:
        """Model quality: the served version's; bias and explainability: the family's (hand-made)."""
        placement, baselines = self._args.placement, self._args.baselines
        if kind == "ModelQuality":
            assert baselines.model_constraints is not None  # checked by the args
            return baselines.uri(placement, baselines.model_constraints)
        return concat(
            "s3://",
            placement.artifact_bucket_name,
            "/",
            family_folder,
            f"{SNAKE_NAMES[kind]}/constraints.json",
        )

    def _monitor(
        self,
        kind: Kind,
        role_arn: pulumi.Input[str],
        family_folder: str,
        analysis_config: s3.BucketObjectv2 | None,
    ) -> sagemaker.MonitoringSchedule:
        args, spec = self._args, self._args.spec

        def arg_type(part: str) -> Any:
            # aws-native names each nested input type after its resource: <Kind>JobDefinition<Part>Args.
            return getattr(native, f"{kind}JobDefinition{part}Args")

        bucket = concat("s3://", args.placement.artifact_bucket_name, "/")
        image = prebuilt_image_uri(PREBUILT_IMAGE[kind], args.placement.region)
        delay = spec.ground_truth_delay_hours
        # One schedule interval per run (the longest gap of an uneven H/N schedule, so no hour is
        # left out): an hour's window under a daily schedule skipped 23 hours of predictions a day.
        window = schedule_interval_seconds(args.schedule) // 3600
        reading: dict[str, Any] = {
            "endpoint_name": args.endpoint_name,
            "local_path": "/opt/ml/processing/input/endpoint",
            **spec.prediction_attributes,
        }
        if kind != "ModelExplainability":
            # Predictions are joined with labels that arrive later: analyse an interval that has them.
            reading |= {"start_time_offset": f"-PT{delay + window}H", "end_time_offset": f"-PT{delay}H"}
            if spec.binary:
                reading["probability_threshold_attribute"] = spec.probability_threshold
        template = args.explainability_template if kind == "ModelExplainability" else None
        # Where Clarify reads a JSON Lines request's features (it requires it for JSON Lines data).
        if template is not None and (features := features_attribute(template)) is not None:
            reading["features_attribute"] = features
        endpoint_input = arg_type("EndpointInput")(**reading)
        job_input: dict[str, Any] = {"endpoint_input": endpoint_input}
        if kind != "ModelExplainability":
            job_input["ground_truth_s3_input"] = arg_type("MonitoringGroundTruthS3Input")(
                s3_uri=concat(bucket, GROUND_TRUTH_PREFIX, args.endpoint_label, "/")
            )
        snake = SNAKE_NAMES[kind]
        app: dict[str, Any] = {"image_uri": image}
        if kind == "ModelQuality":
            # Publish the metrics (aws/sagemaker/Endpoints/model-metrics) the quality alarms watch.
            app |= {
                "problem_type": spec.problem_type,
                "environment": {"publish_cloudwatch_metrics": "Enabled"},
            }
        elif kind == "ModelExplainability":
            # The platform's per-endpoint config (the served model in its predictor), not the family's.
            app["config_uri"] = concat(bucket, analysis_config_key(args.endpoint_label))
        else:
            app["config_uri"] = concat(bucket, family_folder, f"{snake}/analysis_config.json")
        definition = getattr(native, f"{kind}JobDefinition")(
            f"{self._name}-{snake.replace('_', '-')}",
            job_definition_name=args.job_definition_name(kind),
            role_arn=role_arn,
            **{
                f"{snake}_app_specification": arg_type(f"{kind}AppSpecification")(**app),
                f"{snake}_job_input": arg_type(f"{kind}JobInput")(**job_input),
                f"{snake}_job_output_config": arg_type("MonitoringOutputConfig")(
                    kms_key_id=args.placement.kms_key_arn,
                    monitoring_outputs=[
                        arg_type("MonitoringOutput")(
                            s3_output=arg_type("S3Output")(
                                local_path="/opt/ml/processing/output",
                                s3_uri=concat(bucket, "monitoring/", args.endpoint_label, f"/{snake}/"),
                                s3_upload_mode="EndOfJob",
                            )
                        )
                    ],
                ),
                f"{snake}_baseline_config": arg_type(f"{kind}BaselineConfig")(
                    constraints_resource=arg_type("ConstraintsResource")(
                        s3_uri=self._constraints_uri(kind, family_folder)
                    )
                ),
            },
            job_resources=arg_type("MonitoringResources")(
                cluster_config=arg_type("ClusterConfig")(
                    instance_count=1,
                    instance_type=args.instance_type,
                    volume_size_in_gb=20,
                    volume_kms_key_id=None
                    if has_instance_store(args.instance_type)
                    else args.placement.kms_key_arn,
                )
            ),
            network_config=arg_type("NetworkConfig")(
                enable_network_isolation=kind not in CALLS_THE_MODEL,
                enable_inter_container_traffic_encryption=True,
                vpc_config=arg_type("VpcConfig")(
                    subnets=args.placement.subnet_ids,
                    security_group_ids=args.placement.security_group_ids,
                ),
            ),
            stopping_condition=arg_type("StoppingCondition")(max_runtime_in_seconds=args.max_runtime_seconds),
            tags=[{"key": key, "value": value} for key, value in args.placement.tags.items()],
            # The config exists before a job can run (first deploy) and outlives the job definition.
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[analysis_config] if kind == "ModelExplainability" and analysis_config else None,
            ),
        )
        return sagemaker.MonitoringSchedule(
            child_name(
                f"{self._name}-{snake.replace('_', '-')}",
                "aws:sagemaker/monitoringSchedule:MonitoringSchedule",
            ),
            monitoring_schedule_config=sagemaker.MonitoringScheduleMonitoringScheduleConfigArgs(
                monitoring_type=kind,
                monitoring_job_definition_name=definition.job_definition_name,
                schedule_config=sagemaker.MonitoringScheduleMonitoringScheduleConfigScheduleConfigArgs(
                    schedule_expression=args.schedule
                ),
            ),
            tags=dict(args.placement.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
