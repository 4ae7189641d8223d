"""Application Auto Scaling of one SageMaker endpoint variant (used by ``InferenceEndpoint``).

Not a component of its own: the scalable target, policies and scheduled actions are children of
the endpoint component that calls :func:`scale_variant`.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws.appautoscaling as appautoscaling
import pulumi_aws.cloudwatch as cloudwatch

from ..naming import child_name
from ..output_text import concat
from .endpoint_metrics import endpoint_kind
from .inference_endpoint_spec import ScalingSpec, VariantSpec
from .step_scaling_spec import NAME_SUFFIX, StepScalingSpec
from .variant_spec import INVOCATIONS_PER_INSTANCE

DIMENSION = "sagemaker:variant:DesiredInstanceCount"
_TrackingConfig = appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs
_CustomMetric = appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationArgs
_Dimension = (
    appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationDimensionArgs
)
_PredefinedMetric = (
    appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs
)
_StepConfig = appautoscaling.PolicyStepScalingPolicyConfigurationArgs
_Step = appautoscaling.PolicyStepScalingPolicyConfigurationStepAdjustmentArgs


def scale_variant(
    name: str,
    *,
    endpoint_name: pulumi.Output[str],
    variant: VariantSpec,
    asynchronous: bool,
    tags: Mapping[str, str],
    parent: pulumi.Resource,
) -> appautoscaling.Target:
    """Register the variant's scalable target with its target-tracking, step and scheduled policies."""
    scaling = variant.scaling
    assert scaling is not None  # callers only scale variants with a scaling spec
    child = pulumi.ResourceOptions(parent=parent)
    target = appautoscaling.Target(
        f"{name}-scaling",
        service_namespace="sagemaker",
        scalable_dimension=DIMENSION,
        # Built from the endpoint's output: the target is registered once the endpoint exists.
        resource_id=concat("endpoint/", endpoint_name, "/variant/", variant.name),
        min_capacity=scaling.min_capacity,
        max_capacity=scaling.max_capacity,
        tags=dict(tags),
        opts=child,
    )

    def tracking(
        kind: str,
        value: float,
        *,
        predefined: _PredefinedMetric | None = None,
        customized: _CustomMetric | None = None,
    ) -> None:
        # One of the two metrics; the Args class leaves an argument that is None unset.
        appautoscaling.Policy(
            child_name(f"{name}-{kind}", "aws:appautoscaling/policy:Policy"),
            policy_type="TargetTrackingScaling",
            service_namespace=target.service_namespace,
            scalable_dimension=target.scalable_dimension,
            resource_id=target.resource_id,
            target_tracking_scaling_policy_configuration=_TrackingConfig(
                target_value=value,
                scale_in_cooldown=scaling.scale_in_cooldown_seconds,
                scale_out_cooldown=scaling.scale_out_cooldown_seconds,
                predefined_metric_specification=predefined,
                customized_metric_specification=customized,
            ),
            opts=child,
        )

    # The spec decides which target-tracking policies there are (and counts them against the
    # quota): one per metric it sets that this kind of endpoint publishes (endpoint_metrics.py).
    # An async endpoint publishes no InvocationsPerInstance, so the default target is not applied.
    kind = endpoint_kind(asynchronous=asynchronous, serverless=False)
    tracked = scaling.target_tracking(kind)
    if "invocations" in tracked:
        tracking(
            "invocations",
            tracked["invocations"],
            predefined=_PredefinedMetric(predefined_metric_type=INVOCATIONS_PER_INSTANCE),
        )
    if "gpu" in tracked:
        tracking(
            "gpu",
            # GPUUtilization is 0-100 per GPU, summed over the instance's GPUs.
            tracked["gpu"] * variant.gpus,
            customized=_CustomMetric(
                metric_name="GPUUtilization",
                namespace="/aws/sagemaker/Endpoints",
                statistic="Average",
                unit="Percent",
                dimensions=[
                    _Dimension(name="EndpointName", value=endpoint_name),
                    _Dimension(name="VariantName", value=variant.name),
                ],
            ),
        )
    if "backlog" in tracked:
        tracking(
            "backlog",
            tracked["backlog"],
            customized=_CustomMetric(
                metric_name="ApproximateBacklogSizePerInstance",
                namespace="AWS/SageMaker",
                statistic="Average",
                dimensions=[_Dimension(name="EndpointName", value=endpoint_name)],
            ),
        )
    if scaling.scales_from_zero(kind):
        _scale_from_zero(name, endpoint_name, target, scaling, tags, child)
    for policy in scaling.step:
        _user_step(name, endpoint_name, variant, policy, target, tags, child)
    for action in scaling.scheduled:
        appautoscaling.ScheduledAction(
            f"{name}-{action.name}",
            name=concat(endpoint_name, f"-{variant.name}-{action.name}"),
            service_namespace=target.service_namespace,
            scalable_dimension=target.scalable_dimension,
            resource_id=target.resource_id,
            schedule=action.schedule,
            timezone=action.timezone,
            scalable_target_action=appautoscaling.ScheduledActionScalableTargetActionArgs(
                min_capacity=action.min_capacity, max_capacity=action.max_capacity
            ),
            opts=child,
        )
    return target


def _bound(value: float | None) -> str | None:
    """A step bound as the provider takes it (text, parsed as a double); None: open-ended."""
    if value is None:
        return None
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _user_step(
    name: str,
    endpoint_name: pulumi.Output[str],
    variant: VariantSpec,
    spec: StepScalingSpec,
    target: appautoscaling.Target,
    tags: Mapping[str, str],
    child: pulumi.ResourceOptions,
) -> None:
    """One ``scaling.step`` entry: its StepScaling policy on the variant's target and the alarm that
    runs it, on the variant's metric (dimensions EndpointName and VariantName)."""
    scaling = variant.scaling
    assert scaling is not None
    physical = concat(endpoint_name, f"-{variant.name}{NAME_SUFFIX}{spec.name}")
    out = spec.direction == "out"
    cooldown = spec.cooldown_seconds
    if cooldown is None:
        cooldown = scaling.scale_out_cooldown_seconds if out else scaling.scale_in_cooldown_seconds
    policy = appautoscaling.Policy(
        f"{name}-step-{spec.name}",
        name=physical,
        policy_type="StepScaling",
        # The target's outputs: the policy is put once the variant is registered as scalable.
        service_namespace=target.service_namespace,
        scalable_dimension=target.scalable_dimension,
        resource_id=target.resource_id,
        step_scaling_policy_configuration=_StepConfig(
            adjustment_type=spec.adjustment_type,
            cooldown=cooldown,
            metric_aggregation_type=spec.aggregation,
            min_adjustment_magnitude=spec.min_adjustment_magnitude,
            step_adjustments=[
                _Step(
                    metric_interval_lower_bound=_bound(step.lower_bound),
                    metric_interval_upper_bound=_bound(step.upper_bound),
                    scaling_adjustment=step.adjustment,
                )
                for step in spec.ordered_steps()
            ],
        ),
        opts=child,
    )
    side = "at or above" if out else "at or below"
    cloudwatch.MetricAlarm(
        f"{name}-step-{spec.name}",
        name=physical,
        alarm_description=(
            f"Scale {variant.name} {spec.direction} while {spec.metric} {spec.statistic} is {side} "
            f"{spec.threshold:g} (step policy {spec.name})"
        ),
        namespace=spec.namespace,
        metric_name=spec.metric,
        dimensions={"EndpointName": endpoint_name, "VariantName": variant.name},
        statistic=None if spec.percentile else spec.statistic,
        extended_statistic=spec.statistic if spec.percentile else None,
        period=spec.period,
        evaluation_periods=spec.evaluation_periods,
        datapoints_to_alarm=spec.datapoints_to_alarm or spec.evaluation_periods,
        threshold=float(spec.threshold),
        comparison_operator=spec.comparison_operator,
        # A variant without traffic publishes zeros (SageMaker: "if a variant's traffic becomes zero
        # ... SageMaker emits metrics with a value of zero"), which a scale-in alarm on invocations
        # reads at or below its threshold. Missing data (no instance reporting, a metric outage) is
        # no reason to add instances, nor to remove them.
        treat_missing_data="notBreaching",
        # A scaling trigger, not an alert: its only action runs the policy.
        alarm_actions=[policy.arn],
        tags=dict(tags),
        opts=child,
    )


def _scale_from_zero(
    name: str,
    endpoint_name: pulumi.Output[str],
    target: appautoscaling.Target,
    scaling: ScalingSpec,
    tags: Mapping[str, str],
    child: pulumi.ResourceOptions,
) -> None:
    """Target tracking cannot leave zero instances (no per-instance metric exists at zero): a step
    policy adds the first instance when requests wait with no capacity to serve them."""
    step = appautoscaling.Policy(
        child_name(f"{name}-from-zero", "aws:appautoscaling/policy:Policy"),
        policy_type="StepScaling",
        service_namespace=target.service_namespace,
        scalable_dimension=target.scalable_dimension,
        resource_id=target.resource_id,
        step_scaling_policy_configuration=appautoscaling.PolicyStepScalingPolicyConfigurationArgs(
            adjustment_type="ChangeInCapacity",
            cooldown=scaling.scale_out_cooldown_seconds,
            metric_aggregation_type="Average",
            step_adjustments=[
                appautoscaling.PolicyStepScalingPolicyConfigurationStepAdjustmentArgs(
                    metric_interval_lower_bound="0", scaling_adjustment=1
                )
            ],
        ),
        opts=child,
    )
    cloudwatch.MetricAlarm(
        f"{name}-backlog-without-capacity",
        name=concat(endpoint_name, "-backlog-without-capacity"),
        alarm_description="Async requests are waiting and no instance is running: start one",
        namespace="AWS/SageMaker",
        metric_name="HasBacklogWithoutCapacity",
        dimensions={"EndpointName": endpoint_name},
        statistic="Average",
        period=60,
        evaluation_periods=2,
        datapoints_to_alarm=2,
        threshold=1,
        comparison_operator="GreaterThanOrEqualToThreshold",
        # While the endpoint is idle the metric is absent: that is the normal state, not a breach.
        treat_missing_data="notBreaching",
        alarm_actions=[step.arn],
        tags=dict(tags),
        opts=child,
    )
