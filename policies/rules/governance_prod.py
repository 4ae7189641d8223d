"""Production MLOps stack rules: every SageMaker endpoint is observed, scaled and rolled out safely.

These are stack rules because each demand spans resources: an endpoint, its endpoint
configuration, monitoring schedules and job definitions, autoscaling targets and
policies, CloudWatch alarms. Links are followed through the engine's property
dependencies (what passing ``other.name`` Outputs records) and, failing that, by literal
names. They default to advisory; ``policies/prod.json`` makes them mandatory.
Serverless variants are exempt from the autoscaling demand (they scale by themselves).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import PolicyResource, StackValidationArgs
from pulumi_policy.proxy import UnknownValueError

from ._alarm_metrics import ASYNC_ENDPOINT_ONLY, ASYNC_UNPUBLISHED, INVOCATION_METRICS
from ._capture_watchers import CaptureWatchers
from ._common import (
    ADVISORY,
    HIGH,
    MEDIUM,
    StackIndex,
    deps,
    each_resource,
    get,
    get_or_none,
    is_false,
    is_map,
    is_serverless,
    is_set,
    is_true,
    items,
    number,
    own_or_unset,
    reaches_within,
    shown,
    stack_rule,
    str_list,
)
from ._serving import (
    ENDPOINTS,
    NATIVE_ENDPOINT_CONFIG,
    components_of,
    copy_targets,
    endpoint_config_of,
    hosts_inference_components,
    name_of,
    scaled_target_actions,
    scaling_policies_of,
    variant_targets,
)
from .sagemaker_jobs import (
    DATA_QUALITY_JOB,
    MONITORING_SCHEDULE,
    NATIVE_DATA_QUALITY_JOB,
    NATIVE_MODEL_MONITOR_JOBS,
    NATIVE_MONITORING_SCHEDULE,
)

METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
ALARMS = (METRIC_ALARM, "aws-native:cloudwatch:Alarm")
SCHEDULES = (MONITORING_SCHEDULE, NATIVE_MONITORING_SCHEDULE)
JOB_DEFINITIONS = (DATA_QUALITY_JOB, NATIVE_DATA_QUALITY_JOB, *NATIVE_MODEL_MONITOR_JOBS)
_ENDPOINT_NAME_PATHS = (
    "endpointName",
    "monitoringScheduleConfig.monitoringJobDefinition.monitoringInputs.endpointInput.endpointName",
    "dataQualityJobInput.endpointInput.endpointName",
    "modelQualityJobInput.endpointInput.endpointName",
    "modelBiasJobInput.endpointInput.endpointName",
    "modelExplainabilityJobInput.endpointInput.endpointName",
)

Findings = Iterator[tuple[str, str | None]]


def _no_config(endpoint: PolicyResource) -> tuple[str, str | None]:
    return (
        f"endpoint {endpoint.name!r}: its EndpointConfiguration is not in this stack; pass "
        "endpoint_config_name=<config>.name so the link is recorded."
    ), endpoint.urn


# --- data capture ------------------------------------------------------------------------


def _data_capture(args: StackValidationArgs, _: Mapping[str, Any]) -> Findings:
    stack = StackIndex(args.resources)

    def check(endpoint: PolicyResource) -> Findings:
        config = endpoint_config_of(endpoint, stack)
        if config is None:
            yield _no_config(endpoint)
            return
        capture = get(config.props, "dataCaptureConfig")
        where = f"on {config.name!r} (serving endpoint {endpoint.name!r})"
        if not is_set(capture):
            yield (
                (
                    f"dataCaptureConfig is unset {where}: set data_capture_config with enable_capture=True, "
                    "destination_s3_uri, kms_key_id and capture_options (serverless variants cannot capture)."
                ),
                config.urn,
            )
            return
        enabled = get(capture, "enableCapture")
        if enabled is None and config.resource_type != NATIVE_ENDPOINT_CONFIG:
            # pulumi-aws sends enable_capture=false when it is unset (and reports false after apply).
            # aws-native passes an unset EnableCapture on to SageMaker, whose default is enabled.
            yield (
                f"dataCaptureConfig.enableCapture is unset {where}, which pulumi-aws sends as false: "
                "set enable_capture=True.",
                config.urn,
            )
        elif is_false(enabled):
            yield f"dataCaptureConfig.enableCapture is false {where}: set enable_capture=True.", config.urn
        sampling = get(capture, "initialSamplingPercentage")
        if number(sampling) == 0:
            # SageMaker accepts 0 (the range is 0-100) and then records no request at all.
            yield (
                f"dataCaptureConfig.initialSamplingPercentage is {shown(sampling)} {where}, which records "
                "nothing: set initial_sampling_percentage above 0 (100 for low-traffic endpoints).",
                config.urn,
            )
        if not is_set(get(capture, "kmsKeyId")):
            yield (
                f"dataCaptureConfig.kmsKeyId is unset {where}: set it to a customer-managed KMS key.",
                config.urn,
            )

    yield from each_resource(args.resources, ENDPOINTS, check)


endpoint_data_capture_encrypted = stack_rule(
    name="endpoint-data-capture-encrypted",
    description=(
        "Every endpoint's configuration must capture requests and responses, encrypted with KMS, "
        "for monitoring. Fix: set dataCaptureConfig (enableCapture not false, initialSamplingPercentage "
        "above 0, kmsKeyId) on the "
        "EndpointConfiguration named by endpointConfigName."
    ),
    check=_data_capture,
    enforcement_level=ADVISORY,
    severity=HIGH,
    tags=["sagemaker", "prod", "monitoring"],
)


# --- monitoring ----------------------------------------------------------------------------


def _definition_names(definition: PolicyResource) -> tuple[object, object]:
    return get_or_none(definition.props, "name"), get_or_none(definition.props, "jobDefinitionName")


def _named_endpoints(schedule: PolicyResource, stack: StackIndex) -> set[str]:
    """Endpoint names a schedule (or the job definitions it uses) reads, when they are literal."""
    definition_name = get_or_none(schedule.props, "monitoringScheduleConfig.monitoringJobDefinitionName")
    sources = [schedule] + [d for d in deps(schedule) if d.resource_type in JOB_DEFINITIONS]
    if definition_name is not None:
        sources += [j for _, j in stack.having(JOB_DEFINITIONS, _definition_names, definition_name)]
    names: set[str] = set()
    for source in sources:
        for path in _ENDPOINT_NAME_PATHS:
            value = get_or_none(source.props, path)
            if isinstance(value, str):
                names.add(value)
    return names


def _does_not_watch(schedule: PolicyResource) -> bool:
    """A schedule that runs no monitoring job from now on: an aws-native one created (or set)
    ``Stopped`` (CloudFormation stops it), or one whose ``scheduleExpression`` is ``NOW`` (SageMaker's
    one-time run, immediately, then never again). Values unknown at preview are not taken for either."""
    if get_or_none(schedule.props, "monitoringScheduleStatus") == "Stopped":
        return True
    expression = get_or_none(schedule.props, "monitoringScheduleConfig.scheduleConfig.scheduleExpression")
    return isinstance(expression, str) and expression.strip().upper() == "NOW"


def _monitoring(args: StackValidationArgs, _: Mapping[str, Any]) -> Findings:
    stack = StackIndex(args.resources)
    schedules = [schedule for schedule in stack.of_type(SCHEDULES) if not _does_not_watch(schedule)]
    pipelines = CaptureWatchers(stack)
    # The first schedule (in the stack's order) that reaches each URN, and (read on first need) the
    # first that names each endpoint literally and the first whose names cannot be read at preview:
    # the scan asked the schedules in order and stopped at the first that watched the endpoint.
    # A schedule reaching an endpoint by dependency (an explicit depends_on too) watches it unless
    # the endpoint names it reads are known and it is not among them: a dependency only records
    # ordering or what a value was computed from; the name read is what Model Monitor watches.
    reaching: dict[str, list[int]] = {}
    for index, schedule in enumerate(schedules):
        for urn in reaches_within(schedule):
            reaching.setdefault(urn, []).append(index)

    @functools.cache
    def names_of(index: int) -> set[str] | None:
        """The endpoint names schedule ``index`` reads; None when they cannot be read yet."""
        try:
            return _named_endpoints(schedules[index], stack)
        except UnknownValueError:
            return None

    def first_reaching(endpoint: PolicyResource, name: object) -> int:
        for index in reaching.get(endpoint.urn, []):
            named = names_of(index)
            if not named or not isinstance(name, str) or name in named:
                return index
        return len(schedules)

    @functools.cache
    def names() -> tuple[dict[str, int], tuple[int, UnknownValueError] | None]:
        first_naming: dict[str, int] = {}
        failed: tuple[int, UnknownValueError] | None = None
        for index, schedule in enumerate(schedules):
            try:
                found = _named_endpoints(schedule, stack)
            except UnknownValueError as error:
                failed = failed or (index, error)
                continue
            for value in found:
                first_naming.setdefault(value, index)
        return first_naming, failed

    def check(endpoint: PolicyResource) -> Findings:
        config = endpoint_config_of(endpoint, stack)
        if config is not None and hosts_inference_components(config):
            # Model Monitor watches endpoints that host a single model; an endpoint of inference
            # components hosts several (their data capture is still demanded, for ground truth).
            return
        name = name_of(endpoint)
        watched_by = first_reaching(endpoint, name)
        if name:  # a name written as a map names nothing, but the schedules before are still read
            first_naming, failed = names()
            if isinstance(name, str):  # the schedules name endpoints with strings: nothing else matches
                watched_by = min(watched_by, first_naming.get(name, len(schedules)))
            if failed is not None and failed[0] < watched_by:
                raise failed[1]
        if watched_by < len(schedules) or pipelines.watches(endpoint, config):
            return
        yield (
            (
                f"endpoint {endpoint.name!r} has no MonitoringSchedule: add one whose job definition reads "
                "endpoint_input.endpoint_name=<endpoint>.name, or a scheduled pipeline that takes the "
                "endpoint's name Output and reads its data capture (monitoring.evidently)."
            ),
            endpoint.urn,
        )

    yield from each_resource(args.resources, ENDPOINTS, check)


endpoint_monitoring_schedule = stack_rule(
    name="endpoint-monitoring-schedule",
    description=(
        "Every endpoint must be watched: by a model-monitor schedule, or by a scheduled SageMaker "
        "pipeline over its data capture (what AWS names instead of Model Monitor, closed to new "
        "customers). Fix: create a MonitoringSchedule (and job definition) whose "
        "endpointInput.endpointName is the endpoint's name Output, or a pipeline whose definition "
        "takes that Output (or names the endpoint) and reads at or below the endpoint's "
        "dataCaptureConfig.destinationS3Uri, started by an enabled EventBridge Scheduler schedule or "
        "scheduled rule (the platform's monitoring.evidently). Endpoints of inference components "
        "are exempt (Model Monitor watches endpoints hosting one model)."
    ),
    check=_monitoring,
    enforcement_level=ADVISORY,
    severity=HIGH,
    tags=["sagemaker", "prod", "monitoring"],
)


# --- autoscaling ---------------------------------------------------------------------------


def _capacity_kept(target: PolicyResource, stack: StackIndex, minimum: float, unit: str) -> Findings:
    """What undoes a target's minimum once it is created: a scheduled action that lowers its
    ``minCapacity`` or ``maxCapacity`` below the minimum (pulumi-aws ``ScheduledAction``, or the
    aws-native target's own ``scheduledActions``), and a ``suspendedState`` that stops scaling out
    (the target tracking policy then never adds capacity). A bound of 0 reads as unset. A
    pulumi-aws target's ``suspendedState`` is Optional+Computed: at preview the planned state's
    placeholder of one left unset, which reads back nothing suspended (``own_or_unset``)."""
    if is_true(get(own_or_unset(target, "suspendedState"), "dynamicScalingOutSuspended")):
        yield (
            (
                f"scaling target {target.name!r} has suspendedState.dynamicScalingOutSuspended true: its "
                "scaling policies cannot add capacity; remove the suspension."
            ),
            target.urn,
        )
    for where, urn, action in scaled_target_actions(target, stack):
        for bound in ("minCapacity", "maxCapacity"):
            value = get(action, f"scalableTargetAction.{bound}")
            # 0 is how pulumi-aws reports an unset bound after create (an action may set one bound
            # only), so it reads as unset: a scale to zero is left to the service's own limits. A bound
            # no number reads ("one", "nan") is not unset: it may be any size, so it is refused.
            if is_set(value) and number(value) is None:
                yield (
                    (
                        f"{where} sets scalableTargetAction.{bound} to {shown(value)} on scaling target "
                        f"{target.name!r}: not a number of {unit}; keep at least {int(minimum)}."
                    ),
                    urn,
                )
            elif 0.0 < (number(value) or 0.0) < minimum:
                yield (
                    (
                        f"{where} sets scalableTargetAction.{bound} to {shown(value)} on scaling target "
                        f"{target.name!r}: keep at least {int(minimum)} {unit} (scheduled actions resize "
                        "the target when they run)."
                    ),
                    urn,
                )


def _autoscaling(args: StackValidationArgs, cfg: Mapping[str, Any]) -> Findings:
    minimum = number(cfg["minCapacity"]) or 2.0
    stack = StackIndex(args.resources)

    def check(endpoint: PolicyResource) -> Findings:
        config = endpoint_config_of(endpoint, stack)
        if config is None:
            yield _no_config(endpoint)
            return
        if hosts_inference_components(config):
            yield from _component_scaling(endpoint, config, stack, minimum)
            return
        variants = [
            v for v in items(get(config.props, "productionVariants")) if is_map(v) and not is_serverless(v)
        ]
        asynchronous = is_set(get(config.props, "asyncInferenceConfig"))
        targets = variant_targets(endpoint, stack)
        for variant in variants:
            name = get(variant, "variantName")
            matching = [t for t, v in targets if v is None or name is None or v == name]
            if not matching:
                yield (
                    (
                        f"variant {name!r} of endpoint {endpoint.name!r} has no autoscaling target: create "
                        "aws.appautoscaling.Target(service_namespace='sagemaker', scalable_dimension="
                        f"'sagemaker:variant:DesiredInstanceCount', resource_id='endpoint/<name>/variant/{name}', "
                        f"min_capacity>={int(minimum)})."
                    ),
                    endpoint.urn,
                )
            for target in matching:
                low = get(target.props, "minCapacity")
                if (number(low) or 0.0) < minimum:
                    yield (
                        (
                            f"minCapacity of scaling target {target.name!r} is {shown(low)}: set min_capacity >= "
                            f"{int(minimum)}."
                        ),
                        target.urn,
                    )
                yield from _capacity_kept(target, stack, minimum, "instances")
                policies = scaling_policies_of(target, stack)
                tracking = [p for p in policies if get(p.props, "policyType") == "TargetTrackingScaling"]
                if not tracking:
                    yield (
                        (
                            f"scaling target {target.name!r} has no TargetTrackingScaling policy: add "
                            "aws.appautoscaling.Policy(policy_type='TargetTrackingScaling', "
                            "resource_id=<target>.resource_id, ...)."
                        ),
                        target.urn,
                    )
                elif asynchronous and not any(_tracks_published_async(p) for p in tracking):
                    yield (
                        (
                            f"scaling target {target.name!r} of async endpoint {endpoint.name!r} tracks only "
                            f"metrics an async endpoint does not publish ({', '.join(ASYNC_UNPUBLISHED)}, or its queue "
                            "metrics by dimensions other than EndpointName alone, none or such as VariantName), so it never "
                            "scales: add a TargetTrackingScaling policy on ApproximateBacklogSizePerInstance "
                            "(customized_metric_specification, namespace AWS/SageMaker, dimension EndpointName)."
                        ),
                        target.urn,
                    )

    yield from each_resource(args.resources, ENDPOINTS, check)


#: The predefined target-tracking metric that reads InvocationsPerInstance, which an async
#: endpoint does not publish (ASYNC_UNPUBLISHED).
_ASYNC_UNPUBLISHED_PREDEFINED = ("SageMakerVariantInvocationsPerInstance",)


def _tracks_published_async(policy: PolicyResource) -> bool:
    """Whether a target-tracking policy reads a metric an async endpoint publishes (an unknown
    value counts as one: the rule judges what it can see)."""
    config = get(policy.props, "targetTrackingScalingPolicyConfiguration")
    predefined = get_or_none(get_or_none(config, "predefinedMetricSpecification"), "predefinedMetricType")
    if isinstance(predefined, str):
        return predefined not in _ASYNC_UNPUBLISHED_PREDEFINED
    customized = get_or_none(config, "customizedMetricSpecification")
    name = get_or_none(customized, "metricName")
    namespace = get_or_none(customized, "namespace")
    # SageMaker's names only in SageMaker's namespace: an application's own metric of the same name
    # (a queue it publishes itself) is the team's to judge.
    if not isinstance(name, str) or (isinstance(namespace, str) and namespace != INVOCATION_METRICS):
        return True
    if name in ASYNC_UNPUBLISHED:
        return False
    if name in ASYNC_ENDPOINT_ONLY:
        # Published with EndpointName alone: another dimension (VariantName), or none, matches no data.
        try:
            dimensions = get(customized, "dimensions")
        except UnknownValueError:
            return True
        names = {get_or_none(d, "name") for d in items(dimensions)}
        return None in names or names == {"EndpointName"}
    return True


def _component_scaling(
    endpoint: PolicyResource, config: PolicyResource, stack: StackIndex, minimum: float
) -> Findings:
    """An endpoint of inference components scales twice: its instances by SageMaker's managed
    instance scaling, each component's copies by an Application Auto Scaling target."""
    for variant in items(get(config.props, "productionVariants")):
        if not is_map(variant):
            continue
        managed = get(variant, "managedInstanceScaling")
        low = get(managed, "minInstanceCount")
        if get(managed, "status") != "ENABLED":
            yield (
                (
                    f"variant {get(variant, 'variantName')!r} of endpoint {endpoint.name!r} hosts inference "
                    "components without managed instance scaling: set managed_instance_scaling with "
                    f"status='ENABLED' and min_instance_count>={int(minimum)}."
                ),
                config.urn,
            )
        elif (number(low) or 0.0) < minimum:
            yield (
                (
                    f"managedInstanceScaling.minInstanceCount of variant {get(variant, 'variantName')!r} is "
                    f"{shown(low)}: set min_instance_count >= {int(minimum)}."
                ),
                config.urn,
            )
    components = components_of(endpoint, stack)
    if not components:
        yield (
            (
                f"endpoint {endpoint.name!r} is configured for inference components but none is placed on "
                "it: create aws-native InferenceComponents with endpoint_name=<endpoint>.name."
            ),
            endpoint.urn,
        )
    for component in components:
        targets = copy_targets(component, stack)
        if not targets:
            yield (
                (
                    f"inference component {component.name!r} has no copy-count scaling target: create "
                    "aws.appautoscaling.Target(service_namespace='sagemaker', scalable_dimension="
                    "'sagemaker:inference-component:DesiredCopyCount', resource_id='inference-component/<name>', "
                    f"min_capacity>={int(minimum)})."
                ),
                component.urn,
            )
        for target in targets:
            low = get(target.props, "minCapacity")
            if (number(low) or 0.0) < minimum:
                yield (
                    (
                        f"minCapacity of scaling target {target.name!r} is {shown(low)}: keep at least "
                        f"{int(minimum)} copies (min_capacity)."
                    ),
                    target.urn,
                )
            yield from _capacity_kept(target, stack, minimum, "copies")
            if not any(
                get(p.props, "policyType") == "TargetTrackingScaling"
                for p in scaling_policies_of(target, stack)
            ):
                yield (
                    (
                        f"scaling target {target.name!r} has no TargetTrackingScaling policy: add one on "
                        "SageMakerInferenceComponentInvocationsPerCopy."
                    ),
                    target.urn,
                )


endpoint_autoscaling_configured = stack_rule(
    name="endpoint-autoscaling-configured",
    description=(
        "Every instance-backed production variant must have an Application Auto Scaling target "
        "(serviceNamespace sagemaker, scalableDimension sagemaker:variant:DesiredInstanceCount, "
        "resourceId endpoint/<endpoint>/variant/<variant>) with minCapacity >= minCapacity (default 2) "
        "and a TargetTrackingScaling policy, and no scheduled action or suspended scale-out that undoes "
        "them; on an async endpoint at least one such policy must track a metric it publishes (not "
        "SageMakerVariantInvocationsPerInstance: async endpoints publish no InvocationsPerInstance; use "
        "ApproximateBacklogSizePerInstance with the dimension EndpointName alone: it is published per "
        "endpoint, and a VariantName matches no data). Serverless variants are exempt. An endpoint of inference "
        "components instead needs managedInstanceScaling ENABLED with minInstanceCount >= minCapacity, "
        "and each component a target on sagemaker:inference-component:DesiredCopyCount "
        "(inference-component/<name>) with the same minimum and a TargetTrackingScaling policy. Fix: add "
        "the targets and policies, built from the endpoint's (component's) name Output."
    ),
    check=_autoscaling,
    enforcement_level=ADVISORY,
    severity=HIGH,
    config={
        "minCapacity": {
            "type": "integer",
            "minimum": 1,
            "default": 2,
            "description": "Lowest acceptable minCapacity of a variant's scaling target.",
        }
    },
    tags=["sagemaker", "prod", "availability"],
)


# --- safe rollout --------------------------------------------------------------------------


def _alarm_name(alarm: PolicyResource) -> str | None:
    """A CloudWatch alarm's name: pulumi-aws ``name``, aws-native ``alarmName``; a value that is no
    string (a map, a list: refused by the provider) names no alarm."""
    name = get_or_none(alarm.props, "name") or get_or_none(alarm.props, "alarmName")
    return name if isinstance(name, str) else None


#: The shortest baking period the rollback alarms can judge: SageMaker publishes endpoint metrics
#: once a minute, so a shorter wait shifts the traffic (or ends the update) before any alarm sees a
#: datapoint of the new fleet, a canary or linear rollout then being all at once without a rollback.
MIN_WAIT_SECONDS = 60


def _too_short_wait(where: str, wait: Any, owner: str) -> str | None:
    seconds = number(wait)
    if seconds is None and wait is not None:
        return (
            f"{where}.waitIntervalInSeconds is {shown(wait)} on {owner}: not a number of seconds; bake at "
            f"least {MIN_WAIT_SECONDS} seconds."
        )
    if seconds is None or seconds >= MIN_WAIT_SECONDS:
        return None
    return (
        f"{where}.waitIntervalInSeconds is {shown(wait)} on {owner}: bake at least {MIN_WAIT_SECONDS} seconds "
        "(endpoint metrics are per minute, so the rollback alarms cannot judge a shorter step)."
    )


def _safe_rollout(args: StackValidationArgs, cfg: Mapping[str, Any]) -> Findings:
    stack = StackIndex(args.resources)
    alarm_names = {n for n in (_alarm_name(a) for a in stack.of_type(ALARMS)) if n is not None}
    routings = str_list(cfg["allowedTrafficRoutingTypes"])

    def check(endpoint: PolicyResource) -> Findings:
        endpoint_config = endpoint_config_of(endpoint, stack)
        if endpoint_config is not None and hosts_inference_components(endpoint_config):
            # Models reach an endpoint of inference components through the components' updates.
            for component in components_of(endpoint, stack):
                yield from _component_rollout(component, alarm_names)
            return
        config = get(endpoint.props, "deploymentConfig")
        blue_green = get(config, "blueGreenUpdatePolicy")
        if not is_set(blue_green):
            yield (
                (
                    f"deploymentConfig.blueGreenUpdatePolicy is unset on endpoint {endpoint.name!r}: set "
                    "deployment_config.blue_green_update_policy with canary or linear traffic routing."
                ),
                endpoint.urn,
            )
        else:
            routing = get(blue_green, "trafficRoutingConfiguration.type")
            if routing not in routings:
                yield (
                    (
                        f"deploymentConfig.blueGreenUpdatePolicy.trafficRoutingConfiguration.type is {shown(routing)}: "
                        f"use one of {routings}."
                    ),
                    endpoint.urn,
                )
            short = _too_short_wait(
                "deploymentConfig.blueGreenUpdatePolicy.trafficRoutingConfiguration",
                get(blue_green, "trafficRoutingConfiguration.waitIntervalInSeconds"),
                f"endpoint {endpoint.name!r}",
            )
            if short:
                yield short, endpoint.urn
        names: list[Any] = []
        unknown: UnknownValueError | None = None  # names not known at preview (alarm name Outputs)
        pending = 0
        for alarm in items(get(config, "autoRollbackConfiguration.alarms")):
            try:
                name = get(alarm, "alarmName")
            except UnknownValueError as error:
                unknown, pending = error, pending + 1
                continue
            if is_set(name):
                names.append(name)
        if not names and not pending:
            yield (
                (
                    f"deploymentConfig.autoRollbackConfiguration.alarms is empty on endpoint {endpoint.name!r}: "
                    "list the CloudWatch alarms (latency, 5xx) that roll a deployment back."
                ),
                endpoint.urn,
            )
            return
        unmatched = [n for n in names if n not in alarm_names]
        linked = [
            d
            for d in deps(endpoint, "deploymentConfig")
            if d.resource_type in ALARMS and _alarm_name(d) not in names
        ]
        # A known name is only stood in for by a linked alarm whose name is not known: one known by
        # another name is a different alarm, whatever the deployment config was computed from.
        if len(unmatched) > sum(1 for d in linked if _alarm_name(d) is None):
            yield (
                (
                    f"deploymentConfig.autoRollbackConfiguration.alarms names {unmatched} that match no CloudWatch "
                    "alarm in this stack: create the alarms and pass their name Outputs."
                ),
                endpoint.urn,
            )
        elif unknown is not None and len(unmatched) + pending > len(linked):
            raise unknown  # names known only after apply, and not all from alarms of this stack

    yield from each_resource(args.resources, ENDPOINTS, check)


def _component_rollout(component: PolicyResource, alarm_names: set[Any]) -> Findings:
    """An inference component's update: a rolling update rolled back by alarms of this stack."""
    config = get(component.props, "deploymentConfig")
    short = _too_short_wait(
        "deploymentConfig.rollingUpdatePolicy",
        get(config, "rollingUpdatePolicy.waitIntervalInSeconds"),
        f"inference component {component.name!r}",
    )
    if short:
        yield short, component.urn
    if not is_set(get(config, "rollingUpdatePolicy")):
        yield (
            (
                f"deploymentConfig.rollingUpdatePolicy is unset on inference component {component.name!r}: "
                "set deployment_config.rolling_update_policy (maximum_batch_size, wait_interval_in_seconds)."
            ),
            component.urn,
        )
    names = [get(alarm, "alarmName") for alarm in items(get(config, "autoRollbackConfiguration.alarms"))]
    if not names:
        yield (
            (
                f"deploymentConfig.autoRollbackConfiguration.alarms is empty on inference component "
                f"{component.name!r}: list the alarms (latency, 5xx) that roll its update back."
            ),
            component.urn,
        )
    nameless = [f"alarms[{index}]" for index, name in enumerate(names) if not is_set(name)]
    if nameless:
        yield (
            (
                f"deploymentConfig.autoRollbackConfiguration.{', '.join(nameless)} of inference component "
                f"{component.name!r} has no alarmName: name the alarm by its name Output."
            ),
            component.urn,
        )
    linked = [
        d for d in deps(component, "deploymentConfig") if d.resource_type in ALARMS and _alarm_name(d) is None
    ]  # an alarm known by another name is not the one a listed name means
    unmatched = [n for n in names if is_set(n) and n not in alarm_names]
    if len(unmatched) > len(linked):
        yield (
            (
                f"deploymentConfig.autoRollbackConfiguration.alarms of inference component {component.name!r} "
                f"names {unmatched} that match no CloudWatch alarm in this stack: pass the alarms' name Outputs."
            ),
            component.urn,
        )


endpoint_safe_rollout = stack_rule(
    name="endpoint-safe-rollout",
    description=(
        "Every endpoint must deploy blue/green (traffic routing in allowedTrafficRoutingTypes, baking "
        "each step at least 60 seconds) with "
        "auto-rollback on CloudWatch alarms that exist in the stack (MetricAlarm or aws-native Alarm; "
        "aws-native endpoints too). Fix: set deploymentConfig.blueGreenUpdatePolicy and "
        "deploymentConfig.autoRollbackConfiguration.alarms[].alarmName from the alarms' name Outputs. "
        "On an endpoint of inference components each component must instead set "
        "deploymentConfig.rollingUpdatePolicy and autoRollbackConfiguration.alarms the same way."
    ),
    check=_safe_rollout,
    enforcement_level=ADVISORY,
    severity=MEDIUM,
    config={
        "allowedTrafficRoutingTypes": {
            "type": "array",
            "items": {"type": "string", "enum": ["ALL_AT_ONCE", "CANARY", "LINEAR"]},
            "default": ["ALL_AT_ONCE", "CANARY", "LINEAR"],
            "description": "Accepted blueGreenUpdatePolicy.trafficRoutingConfiguration.type values.",
        }
    },
    tags=["sagemaker", "prod", "deployment"],
)

POLICIES = [
    endpoint_data_capture_encrypted,
    endpoint_monitoring_schedule,
    endpoint_autoscaling_configured,
    endpoint_safe_rollout,
]
