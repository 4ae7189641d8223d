"""The EventBridge Scheduler schedule that starts a SageMaker pipeline, and the role it starts it as."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws.sagemaker as sagemaker
import pulumi_aws.scheduler as scheduler

from .foundation.execution_role import ExecutionRole, ExecutionRoleArgs
from .naming import child_name


def scheduled_pipeline_start(
    parent: pulumi.Resource,
    name: str,
    pipeline: sagemaker.Pipeline,
    *,
    expression: str,
    timezone: str,
    description: str,
    starter_description: str,
    account_id: str,
    role_path: str,
    tags: Mapping[str, str],
    max_event_age_seconds: int = 3600,
) -> scheduler.Schedule:
    """``<name>-schedule`` starting ``pipeline`` (no parameters, the definition's defaults) as
    ``<name>-scheduler``, a role that may start this one pipeline only; a start is retried three
    times within ``max_event_age_seconds``, never later."""
    child = pulumi.ResourceOptions(parent=parent)
    starter = ExecutionRole(
        f"{name}-scheduler",
        ExecutionRoleArgs(
            description=starter_description,
            trusted_service="scheduler.amazonaws.com",
            account_id=account_id,
            path=role_path,
            statements=[
                {"Effect": "Allow", "Action": "sagemaker:StartPipelineExecution", "Resource": pipeline.arn}
            ],
            tags=tags,
        ),
        opts=child,
    )
    return scheduler.Schedule(
        child_name(f"{name}-schedule", "aws:scheduler/schedule:Schedule"),
        description=description,
        schedule_expression=expression,
        schedule_expression_timezone=timezone,
        flexible_time_window=scheduler.ScheduleFlexibleTimeWindowArgs(mode="OFF"),
        target=scheduler.ScheduleTargetArgs(
            arn=pipeline.arn,
            role_arn=starter.role_arn,
            sagemaker_pipeline_parameters=scheduler.ScheduleTargetSagemakerPipelineParametersArgs(
                pipeline_parameters=[]
            ),
            retry_policy=scheduler.ScheduleTargetRetryPolicyArgs(
                maximum_retry_attempts=3, maximum_event_age_in_seconds=max_event_age_seconds
            ),
        ),
        opts=child,
    )
