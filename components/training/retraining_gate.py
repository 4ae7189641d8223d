"""RetrainingGate: drift and model-quality alarms retrain a family at most once per cooldown.

An alarm's change to ALARM is an EventBridge event; several alarms (drift per endpoint, one per
quality metric) can fire within minutes of each other, and a flapping alarm fires again at every
monitoring run. Starting the pipeline straight from the rule would start a run for each. The gate is
a Standard Step Functions state machine (no code to ship or patch: AWS SDK integrations and
intrinsic functions only) that the retraining rule starts instead:

1. it lists its own RUNNING executions (again after a few seconds while the list, eventually
   consistent, shows none yet); only the oldest one goes on, every later one ends at once
   ("InCooldown"): an execution that started the pipeline stays RUNNING for the whole cooldown, so
   it holds the gate, and two alarms arriving together cannot both go through;
2. it skips when a run of the pipeline is already ``Executing`` (started by the schedule, new data
   or a person), paging through its runs newest first up to the 1,000 newest: that run will
   produce the next candidate anyway;
3. it starts the pipeline (idempotent: the client token is a hash of its own execution ARN, so a
   retried call cannot start a second run), then waits out the cooldown.

State data is the alarm's name and the gate's own execution ARN; nothing sensitive, so the state
machine keeps Step Functions' default encryption (an AWS-owned key) rather than coupling the
deployer, EventBridge and the gate to a customer-managed key. Execution history (kept 90 days
after an execution ends) is the record of what was skipped and why; a failed execution pages
through the failure alerts (``components/observability/failure_alerts.py``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import pulumi
import pulumi_aws.sfn as sfn

from ..foundation.execution_role import ExecutionRole, ExecutionRoleArgs
from ..limits import account_id_problem, iam_path_problem, in_range, region_problem, satisfies, tags_problem
from ..naming import fit

STATE_MACHINE_NAME_LIMIT: Final = 80
"""Step Functions' longest state machine name (botocore's CreateStateMachine ``name``)."""
MAX_COOLDOWN_SECONDS: Final = 30 * 24 * 3600
"""Longest cooldown: a Standard workflow may run a year, but a month without retraining on a
broken model is already longer than any team would want."""


def gate_name(pipeline_name: str) -> str:
    """The state machine's name: derived from the pipeline's (unique per account), so its ARN is
    known before it exists and the gate's role can name it."""
    return fit(f"{pipeline_name}-retraining", STATE_MACHINE_NAME_LIMIT)


LISTING_WAIT_SECONDS: Final = 5
"""How long the gate waits before listing its executions again when its own is not listed yet."""
RUNS_PER_PAGE: Final = 5
"""Runs per ListPipelineExecutions page. A task result must fit Step Functions' 256 KiB payload, as
UTF-8 JSON: a run's summary can hold a 3,072-character description and failure reason (each
character up to six bytes once JSON-escaped) and a 2,048-character ARN, about 42 KB, so five fit at
their longest (six barely, twenty would fail the execution instead of retraining)."""
MAX_RUN_PAGES: Final = 200
"""Pages the gate reads at most: the 1,000 newest runs. A run still executing behind more newer
runs than that is not seen; every page costs about ten events of the execution's 25,000 history
events and one ListPipelineExecutions call."""
API_RETRY: Final = [
    {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 10, "MaxAttempts": 3, "BackoffRate": 2}
]
"""Every AWS call of the gate: a throttled or briefly failing call is tried again (10, 20, 40 s)
before the execution fails and pages; the reads repeat harmlessly, the start is idempotent
(its client token)."""


def gate_definition(
    pipeline_name: str, cooldown_seconds: int, *, max_run_pages: int = MAX_RUN_PAGES
) -> dict[str, Any]:
    """The Amazon States Language definition (JSONPath). AWS SDK integrations take and return
    PascalCase names even where the service API is camelCase (Step Functions' own)."""
    list_runs = {
        "PipelineName": pipeline_name,
        "SortBy": "CreationTime",
        "SortOrder": "Descending",
        "MaxResults": RUNS_PER_PAGE,
    }
    return {
        "Comment": f"Retrain {pipeline_name} on an alarm, at most once per {cooldown_seconds} s",
        "StartAt": "Identify",
        "States": {
            "Identify": {
                "Type": "Pass",
                "Parameters": {
                    "alarm.$": "$.detail.alarmName",
                    "self.$": "$$.Execution.Id",
                    "runs": {"pages": 0},
                },
                "Next": "ListRunningGates",
            },
            "ListRunningGates": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sfn:listExecutions",
                "Parameters": {
                    "StateMachineArn.$": "$$.StateMachine.Id",
                    "StatusFilter": "RUNNING",
                    "MaxResults": 1000,
                },
                # Newest first (the API's order): the last one is the gate holding the cooldown.
                "ResultSelector": {"running.$": "$.Executions[*].ExecutionArn"},
                "Retry": API_RETRY,
                "ResultPath": "$.gate",
                "Next": "AnyGateListed",
            },
            # ListExecutions is eventually consistent: right after it started, this execution may
            # not be listed yet (nor another one that started with it). While none is listed, list
            # again, so two gates that started together see each other and only the older goes on.
            "AnyGateListed": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.gate.running[0]", "IsPresent": False, "Next": "WaitToBeListed"}],
                "Default": "OldestRunningGate",
            },
            "WaitToBeListed": {"Type": "Wait", "Seconds": LISTING_WAIT_SECONDS, "Next": "ListRunningGates"},
            "OldestRunningGate": {
                "Type": "Pass",
                "Parameters": {
                    "oldest.$": "States.ArrayGetItem($.gate.running, "
                    "States.MathAdd(States.ArrayLength($.gate.running), -1))"
                },
                "ResultPath": "$.gate",
                "Next": "HoldsTheGate",
            },
            "HoldsTheGate": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.gate.oldest", "StringEqualsPath": "$.self", "Next": "ListPipelineRuns"}
                ],
                "Default": "InCooldown",
            },
            "InCooldown": {
                "Type": "Succeed",
                "Comment": "Another alarm started a retraining run less than the cooldown ago",
            },
            # A long run still executing can sit behind newer, short ones (failed, stopped): the
            # gate pages through the runs, newest first, until it sees one Executing or none is left.
            "ListPipelineRuns": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sagemaker:listPipelineExecutions",
                "Parameters": list_runs,
                "Retry": API_RETRY,
                "ResultPath": "$.page",
                "Next": "ReadRunStatuses",
            },
            "ListMorePipelineRuns": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sagemaker:listPipelineExecutions",
                "Parameters": {**list_runs, "NextToken.$": "$.page.NextToken"},
                "Retry": API_RETRY,
                "ResultPath": "$.page",
                "Next": "ReadRunStatuses",
            },
            "ReadRunStatuses": {
                "Type": "Pass",
                "Parameters": {
                    "statuses.$": "$.page.PipelineExecutionSummaries[*].PipelineExecutionStatus",
                    "pages.$": "States.MathAdd($.runs.pages, 1)",
                },
                "ResultPath": "$.runs",
                "Next": "IsAPipelineRunExecuting",
            },
            "IsAPipelineRunExecuting": {
                "Type": "Pass",
                "Parameters": {
                    "executing.$": "States.ArrayContains($.runs.statuses, 'Executing')",
                    "pages.$": "$.runs.pages",
                },
                "ResultPath": "$.runs",
                "Next": "AlreadyRetraining",
            },
            "AlreadyRetraining": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.runs.executing", "BooleanEquals": True, "Next": "RunInProgress"},
                    {
                        # NextToken is absent from the last page: a Choice may test a field that
                        # is not there, a parameter path may not.
                        "And": [
                            {"Variable": "$.page.NextToken", "IsPresent": True},
                            {"Variable": "$.runs.pages", "NumericLessThan": max_run_pages},
                        ],
                        "Next": "ListMorePipelineRuns",
                    },
                ],
                "Default": "StartRetraining",
            },
            "RunInProgress": {
                "Type": "Succeed",
                "Comment": "A run of the pipeline is executing already; it will produce the next candidate",
            },
            "StartRetraining": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sagemaker:startPipelineExecution",
                "Parameters": {
                    "PipelineName": pipeline_name,
                    "PipelineExecutionDescription.$": "States.Format('Retraining: alarm {} entered ALARM', $.alarm)",
                    "ClientRequestToken.$": "States.Hash($.self, 'SHA-256')",
                },
                "Retry": API_RETRY,
                "ResultPath": "$.started",
                "Next": "Cooldown",
            },
            "Cooldown": {"Type": "Wait", "Seconds": cooldown_seconds, "End": True},
        },
    }


@dataclass(frozen=True)
class RetrainingGateArgs:
    pipeline_name: pulumi.Input[str]
    """Name of the SageMaker pipeline the gate starts (the API calls take the name)."""
    pipeline_arn: pulumi.Input[str]
    """ARN of that pipeline: the only one the gate's role may list runs of and start."""
    account_id: str
    """The 12-digit AWS account of the pipeline and the gate (trust of both roles, the gate's ARN)."""
    region: str
    """Region of the pipeline and the gate (the gate's ARN)."""
    role_path: str
    """IAM path of the gate's role and of the role EventBridge assumes to start the gate."""
    tags: Mapping[str, str]
    """Tags of the state machine and the roles."""
    cooldown_seconds: int
    """Shortest time between two retraining runs the gate starts, 3600 s to 30 days."""

    def __post_init__(self) -> None:
        satisfies(self, "account_id", account_id_problem)
        satisfies(self, "region", region_problem)
        # its roles are given to Step Functions (roleArn) and EventBridge rule targets (RoleArn),
        # whose models state no pattern: IAM's rule, as for the roles the services are not given
        satisfies(self, "role_path", iam_path_problem)
        satisfies(self, "tags", tags_problem)
        in_range(self, "cooldown_seconds", 3600, MAX_COOLDOWN_SECONDS)


class RetrainingGate(pulumi.ComponentResource):
    """A Step Functions gate between the retraining rule and one pipeline (see the module doc).

    Security posture: the gate's role may list its own executions, list the runs of its one
    pipeline and start it; the role EventBridge assumes may start executions of this gate only.
    """

    state_machine_arn: pulumi.Output[str]
    """ARN of the gate: the retraining rule's target."""
    starter_role_arn: pulumi.Output[str]
    """ARN of the role EventBridge assumes to start the gate."""

    def __init__(
        self, name: str, args: RetrainingGateArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:training:RetrainingGate", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        state_machine_name = pulumi.Output.from_input(args.pipeline_name).apply(gate_name)
        gate_arn = state_machine_name.apply(
            lambda n: f"arn:aws:states:{args.region}:{args.account_id}:stateMachine:{n}"
        )
        role = ExecutionRole(
            f"{name}-runner",
            ExecutionRoleArgs(
                description="Retraining gate: starts one SageMaker pipeline at most once per cooldown",
                trusted_service="states.amazonaws.com",
                account_id=args.account_id,
                path=args.role_path,
                statements=[
                    {"Effect": "Allow", "Action": "states:ListExecutions", "Resource": gate_arn},
                    {
                        "Effect": "Allow",
                        "Action": ["sagemaker:ListPipelineExecutions", "sagemaker:StartPipelineExecution"],
                        "Resource": args.pipeline_arn,
                    },
                ],
                tags=args.tags,
            ),
            opts=child,
        )
        definition = pulumi.Output.from_input(args.pipeline_name).apply(
            lambda pipeline: json.dumps(gate_definition(pipeline, args.cooldown_seconds))
        )
        state_machine = sfn.StateMachine(
            f"{name}-gate",
            name=state_machine_name,
            type="STANDARD",
            role_arn=role.role_arn,
            definition=definition,
            tags=dict(args.tags),
            opts=child,
        )
        starter = ExecutionRole(
            f"{name}-starter",
            ExecutionRoleArgs(
                description="Lets EventBridge start the retraining gate of one SageMaker pipeline",
                trusted_service="events.amazonaws.com",
                account_id=args.account_id,
                path=args.role_path,
                statements=[{"Effect": "Allow", "Action": "states:StartExecution", "Resource": gate_arn}],
                tags=args.tags,
            ),
            opts=child,
        )

        self.state_machine_arn = state_machine.arn
        self.starter_role_arn = starter.role_arn
        self.register_outputs(
            {"state_machine_arn": self.state_machine_arn, "starter_role_arn": self.starter_role_arn}
        )
