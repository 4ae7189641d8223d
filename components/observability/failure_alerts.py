"""FailureAlerts: EventBridge rules that page the alert topic when the stack's work fails.

What pages, and how each rule is scoped to this stack only:

- a training pipeline execution ``Failed`` or ``Stopped``: its ``pipelineArn`` is one of the
  stack's pipelines (compared ignoring case: SageMaker lower-cases names in ARNs);
- a training or processing job ``Failed``: its ``RoleArn`` lies under the stack's IAM role path.
  A pipeline names its jobs ``pipelines-<execution>-<step>-...`` (no stack prefix), but every job
  the stack starts runs as one of its roles, and the path ends in ``/`` so ``dev`` never matches
  ``dev-sandbox``. Model Monitor executions are processing jobs run by the stack's monitoring
  roles: a failed execution pages through the same rule;
- a monitoring execution ``CompletedWithViolations``: the processing job ``Completed`` with an
  ``ExitMessage`` starting ``CompletedWithViolations`` (how Model Monitor reports it);
- a transform job ``Failed``: it runs one of the stack's batch-scoring models (``ModelName``). The
  event carries no role, and its name is the pipeline's ``pipelines-<execution>-<step>-...``;
- an endpoint update rolled back or failed: ``SageMaker Endpoint State Change`` of one of the
  stack's endpoints entering ``ROLLING_BACK``, ``UPDATE_ROLLBACK_FAILED`` or ``FAILED``, or back
  ``IN_SERVICE`` with a ``FailureReason`` (DescribeEndpoint's "in service, but the update failed":
  what a rolled-back blue/green deployment or a failed UpdateEndpoint leaves).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws.cloudwatch as cloudwatch

from ..limits import account_id_problem, region_problem, satisfies, service_role_path_problem, tags_problem
from ..naming import child_name, pipeline_name_problem
from ..output_text import json_text
from ..serving.inference_endpoint_spec import sagemaker_name_problem

SOURCE = ["aws.sagemaker"]
PIPELINE_EXECUTION = "SageMaker Model Building Pipeline Execution Status Change"
TRAINING_JOB = "SageMaker Training Job State Change"
PROCESSING_JOB = "SageMaker Processing Job State Change"
TRANSFORM_JOB = "SageMaker Transform Job State Change"
ENDPOINT = "SageMaker Endpoint State Change"
MODEL_PACKAGE = "SageMaker Model Package State Change"
# The endpoint event spells statuses upper-case with underscores (``IN_SERVICE``), DescribeEndpoint
# in Pascal case (``InService``): both spellings match.
ENDPOINT_FAILURE_STATUSES = [
    "ROLLING_BACK",
    "UPDATE_ROLLBACK_FAILED",
    "FAILED",
    "RollingBack",
    "UpdateRollbackFailed",
    "Failed",
]
VIOLATIONS_EXIT_MESSAGE = "CompletedWithViolations"


def console(region: str, fragment: str) -> str:
    """The SageMaker console page ``fragment`` (``jobs/<name>``) in ``region``."""
    return f"https://{region}.console.aws.amazon.com/sagemaker/home?region={region}#/{fragment}"


def pipeline_execution_pattern(pipeline_arns: Sequence[str]) -> dict[str, Any]:
    return {
        "source": SOURCE,
        "detail-type": [PIPELINE_EXECUTION],
        "detail": {
            "currentPipelineExecutionStatus": ["Failed", "Stopped"],
            "pipelineArn": [{"equals-ignore-case": arn} for arn in pipeline_arns],
        },
    }


def job_failure_pattern(detail_type: str, status_field: str, role_arn_prefix: str) -> dict[str, Any]:
    return {
        "source": SOURCE,
        "detail-type": [detail_type],
        "detail": {status_field: ["Failed"], "RoleArn": [{"prefix": role_arn_prefix}]},
    }


def monitoring_violations_pattern(role_arn_prefix: str) -> dict[str, Any]:
    return {
        "source": SOURCE,
        "detail-type": [PROCESSING_JOB],
        "detail": {
            "ProcessingJobStatus": ["Completed"],
            "ExitMessage": [{"prefix": VIOLATIONS_EXIT_MESSAGE}],
            "RoleArn": [{"prefix": role_arn_prefix}],
        },
    }


def transform_failure_pattern(model_names: Sequence[pulumi.Input[str]]) -> dict[str, Any]:
    return {
        "source": SOURCE,
        "detail-type": [TRANSFORM_JOB],
        "detail": {"TransformJobStatus": ["Failed"], "ModelName": list(model_names)},
    }


def endpoint_failure_pattern(endpoint_names: Sequence[str]) -> dict[str, Any]:
    return {
        "source": SOURCE,
        "detail-type": [ENDPOINT],
        "detail": {
            "EndpointName": list(endpoint_names),
            "$or": [
                {"EndpointStatus": ENDPOINT_FAILURE_STATUSES},
                # An update that failed or was rolled back (a blue/green deployment whose alarms
                # fired) leaves the endpoint in service on its old configuration, with the reason.
                {"EndpointStatus": ["IN_SERVICE", "InService"], "FailureReason": [{"exists": True}]},
            ],
        },
    }


def retraining_gate_pattern(state_machine_arns: Sequence[str]) -> dict[str, Any]:
    """A retraining gate's execution that failed, timed out or was aborted: an alarm that should
    have started retraining did not (a gate that skips in its cooldown *succeeds*)."""
    return {
        "source": ["aws.states"],
        "detail-type": ["Step Functions Execution Status Change"],
        "detail": {"stateMachineArn": list(state_machine_arns), "status": ["FAILED", "TIMED_OUT", "ABORTED"]},
    }


def model_rejection_pattern(group_names: Sequence[str]) -> dict[str, Any]:
    """A version of one of the stack's model package groups set to ``Rejected`` (by
    ``pipelines.promotion`` or a person): it will not be deployed, or is rolled back."""
    return {
        "source": SOURCE,
        "detail-type": [MODEL_PACKAGE],
        "detail": {"ModelPackageGroupName": list(group_names), "ModelApprovalStatus": ["Rejected"]},
    }


@dataclass(frozen=True)
class FailureRule:
    """One rule: what it matches, and the message its target publishes."""

    key: str
    """Short name of the rule, unique in the component (``training-jobs``)."""
    description: str
    pattern: Mapping[str, Any]
    """The EventBridge event pattern; its values may be outputs (the transform rule's model names)."""
    input_paths: Mapping[str, str]
    """Placeholder → JSONPath into the event; every path exists in the event AWS documents."""
    message: str
    """The page's text, with ``<placeholder>`` for each input path."""

    @property
    def input_template(self) -> str:
        # EventBridge substitutes inside a JSON string, escaping what it inserts: the SNS message is
        # that string.
        return json.dumps(self.message)


def _job_rule(key: str, what: str, prefix: str, pattern: dict[str, Any], region: str) -> FailureRule:
    status = f"{prefix}JobStatus"
    return FailureRule(
        key=f"{key}-jobs",
        description=f"A {what} job of this stack failed",
        pattern=pattern,
        input_paths={
            "name": f"$.detail.{prefix}JobName",
            "status": f"$.detail.{status}",
            "reason": "$.detail.FailureReason",
        },
        message=(
            f"SageMaker {what} job <name> is <status>: <reason>. "
            f"{console(region, f'{key}-jobs/<name>' if key != 'training' else 'jobs/<name>')}"
        ),
    )


def _names_problem(names: object, problem_of: Callable[[object], str | None]) -> str | None:
    """The first of ``names`` that ``problem_of`` refuses, or why ``names`` is no list of names (a
    plain string would be read as its characters, each a name no resource has)."""
    if isinstance(names, str) or not isinstance(names, Sequence):
        return f"{names!r} is not a list of names"
    return next(filter(None, map(problem_of, names)), None)


@dataclass(frozen=True)
class FailureAlertsArgs:
    topic_arn: pulumi.Input[str]
    """The alert topic: its policy must let this account's EventBridge rules publish, its key let
    EventBridge encrypt (``eventbridge_grants``)."""
    region: str
    """Region of the stack: the console links point there."""
    account_id: str
    """The 12-digit account of the stack's roles and pipelines."""
    role_path: str
    """IAM path (``/mlops-platform/dev/``) of every role the stack's jobs run as."""
    pipeline_names: Sequence[str] = ()
    """The stack's SageMaker pipelines (plain names, as CreatePipeline takes them: a misspelt one
    makes a rule no execution matches); none: no pipeline rule."""
    endpoint_names: Sequence[str] = ()
    """The stack's SageMaker endpoints (plain names, 1-63 letters or digits separated by ``-``: a
    misspelt one makes a rule no endpoint event matches); none: no endpoint rule."""
    model_package_group_names: Sequence[str] = ()
    """The stack's model package groups, whose rejected versions page; none: no rejection rule."""
    retraining_gate_names: Sequence[str] = ()
    """The stack's retraining gates (Step Functions state machines); none: no gate rule."""
    new_data_starter_names: Sequence[str] = ()
    """The stack's new-data starters (Step Functions state machines that start a training run per
    batch of new data); their failed executions page through the gates' rule."""
    transform_model_names: Sequence[pulumi.Input[str]] = ()
    """The SageMaker models the stack's transform jobs run (batch scoring), whose failed jobs page;
    none: no transform rule. Matched by model, not job name: a pipeline names its jobs."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags of the rules."""

    def __post_init__(self) -> None:
        satisfies(self, "account_id", account_id_problem)
        satisfies(self, "region", region_problem)
        satisfies(self, "role_path", service_role_path_problem)
        satisfies(self, "tags", tags_problem)
        satisfies(self, "pipeline_names", lambda names: _names_problem(names, pipeline_name_problem))
        satisfies(
            self,
            "endpoint_names",
            lambda names: _names_problem(names, lambda name: sagemaker_name_problem(name, "endpoint name")),
        )

    def rules(self) -> list[FailureRule]:
        """Every rule of the stack, in a stable order."""
        region, roles = self.region, f"arn:aws:iam::{self.account_id}:role{self.role_path}"
        rules = []
        if self.pipeline_names:
            arns = [f"arn:aws:sagemaker:{region}:{self.account_id}:pipeline/{n}" for n in self.pipeline_names]
            rules.append(
                FailureRule(
                    key="pipeline-executions",
                    description="A pipeline execution (training or batch scoring) of this stack failed or was stopped",
                    pattern=pipeline_execution_pattern(arns),
                    input_paths={
                        "pipeline": "$.detail.pipelineArn",
                        "execution": "$.detail.pipelineExecutionArn",
                        "status": "$.detail.currentPipelineExecutionStatus",
                    },
                    message=(
                        "SageMaker pipeline execution <execution> is <status> (pipeline <pipeline>); "
                        "its failed step says why in SageMaker Studio > Pipelines. "
                        f"{console(region, 'pipelines')}"
                    ),
                )
            )
        rules += [
            _job_rule(
                "training", "training", "Training",
                job_failure_pattern(TRAINING_JOB, "TrainingJobStatus", roles), region,
            ),
            _job_rule(
                "processing", "processing (or Model Monitor)", "Processing",
                job_failure_pattern(PROCESSING_JOB, "ProcessingJobStatus", roles), region,
            ),
            FailureRule(
                key="monitoring-violations",
                description="A Model Monitor execution of this stack found violations",
                pattern=monitoring_violations_pattern(roles),
                input_paths={"name": "$.detail.ProcessingJobName", "message": "$.detail.ExitMessage"},
                message=(
                    "Model Monitor execution <name>: <message>. The constraint violations report is "
                    f"in the execution's output. {console(region, 'processing-jobs/<name>')}"
                ),
            ),
        ]  # fmt: skip
        if self.transform_model_names:
            rules.append(
                _job_rule(
                    "transform", "transform", "Transform",
                    transform_failure_pattern(self.transform_model_names), region,
                )
            )  # fmt: skip
        if self.endpoint_names:
            rules.append(
                FailureRule(
                    key="endpoint-updates",
                    description="An endpoint update of this stack rolled back or failed",
                    pattern=endpoint_failure_pattern(self.endpoint_names),
                    input_paths={
                        "name": "$.detail.EndpointName",
                        "status": "$.detail.EndpointStatus",
                        "reason": "$.detail.FailureReason",
                    },
                    message=(
                        "SageMaker endpoint <name> is <status>: <reason>. "
                        f"{console(region, 'endpoints/<name>')}"
                    ),
                )
            )
        if self.retraining_gate_names or self.new_data_starter_names:
            gates = [
                f"arn:aws:states:{region}:{self.account_id}:stateMachine:{n}"
                for n in (*self.retraining_gate_names, *self.new_data_starter_names)
            ]
            rules.append(
                FailureRule(
                    key="retraining-gates",
                    description="An alarm or new training data of this stack could not start retraining",
                    pattern=retraining_gate_pattern(gates),
                    input_paths={"execution": "$.detail.executionArn", "status": "$.detail.status"},
                    message=(
                        "Retraining trigger execution <execution> is <status>: an alarm or new training "
                        "data did not start retraining; the execution's history shows the failed step. "
                        f"https://{region}.console.aws.amazon.com/states/home?region={region}#/v2/executions/details/<execution>"
                    ),
                )
            )
        if self.model_package_group_names:
            rules.append(
                FailureRule(
                    key="model-rejections",
                    description="A model version of this stack's registry was rejected",
                    pattern=model_rejection_pattern(self.model_package_group_names),
                    input_paths={
                        "group": "$.detail.ModelPackageGroupName",
                        "version": "$.detail.ModelPackageVersion",
                        "arn": "$.detail.ModelPackageArn",
                    },
                    message=(
                        "Model version <version> of <group> was Rejected: it is not deployed, and an "
                        "endpoint serving it returns to the newest Approved version on the next deploy "
                        "(python -m delivery.promote status shows what that is). Version <arn>. "
                        f"{console(region, '')}"
                    ),
                )
            )
        return rules


class FailureAlerts(pulumi.ComponentResource):
    """EventBridge rules, one per kind of failure, each publishing a one-line page (what failed,
    its status and reason, a console link) to the alert topic.

    Security posture: the rules match only this stack's pipelines, roles, models and endpoints; they
    publish to the caller's KMS-encrypted topic and create no role (SNS targets need none).
    """

    rule_arns: pulumi.Output[list[str]]
    """ARNs of the rules, in ``FailureAlertsArgs.rules()`` order."""

    def __init__(
        self, name: str, args: FailureAlertsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:observability:FailureAlerts", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        rules = []
        for spec in args.rules():
            rule = cloudwatch.EventRule(
                child_name(f"{name}-{spec.key}", "aws:cloudwatch/eventRule:EventRule"),
                description=spec.description,
                # A pattern may name outputs of other resources (the batch-scoring models).
                event_pattern=json_text(spec.pattern),
                tags=dict(args.tags),
                opts=child,
            )
            cloudwatch.EventTarget(
                f"{name}-{spec.key}",
                rule=rule.name,
                arn=args.topic_arn,
                input_transformer=cloudwatch.EventTargetInputTransformerArgs(
                    input_paths=dict(spec.input_paths), input_template=spec.input_template
                ),
                opts=child,
            )
            rules.append(rule)
        self.rule_arns = pulumi.Output.all(*[rule.arn for rule in rules])
        self.register_outputs({"rule_arns": self.rule_arns})
