"""The offline plan's mocked state of the services whose ids, names and ARNs flow into other
resources' API requests: SNS, SQS, EventBridge, EventBridge Scheduler, Pipes, Application Auto
Scaling, CloudWatch and SageMaker (see :mod:`planner.mocks`).

Each handler takes the mocks (region, account, :class:`~planner.arns.Arns`), the logical name, the
physical name the provider would auto-generate and the inputs, and returns the resource's id and
computed state, as the provider's create would: the configured name where the program sets one.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from planner.mocks import PlatformMocks

State = dict[str, Any]
Handler = Callable[["PlatformMocks", str, str, State], tuple[str, State]]


def digest(*parts: str, length: int = 17) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


def uuid(*parts: str) -> str:
    hexes = digest(*parts, length=32)
    return f"{hexes[:8]}-{hexes[8:12]}-{hexes[12:16]}-{hexes[16:20]}-{hexes[20:32]}"


def kebab(class_name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", class_name).lower()


def _tags_all(inputs: State) -> State:
    return {"tagsAll": inputs["tags"]} if "tags" in inputs else {}


def _sns_topic(mocks: PlatformMocks, name: str, physical: str, inputs: State) -> tuple[str, State]:
    topic = inputs.get("name") or _fifo_name(physical, inputs.get("fifoTopic"))
    arn = mocks.arns.sns_topic(topic)
    return arn, {"name": topic, "arn": arn, "owner": mocks.account_id, **_tags_all(inputs)}


def _sns_topic_policy(mocks: PlatformMocks, name: str, physical: str, inputs: State) -> tuple[str, State]:
    return str(inputs.get("arn")), {"owner": mocks.account_id}


def _sns_subscription(mocks: PlatformMocks, name: str, physical: str, inputs: State) -> tuple[str, State]:
    arn = f"{inputs.get('topic')}:{uuid('subscription', name)}"
    return arn, {
        "arn": arn,
        "ownerId": mocks.account_id,
        "pendingConfirmation": _pending_confirmation(inputs),
    }


def _pending_confirmation(inputs: State) -> bool:
    """The provider waits for a subscription's confirmation except an e-mail one (its recipient
    confirms) and an HTTP(S) one whose endpoint does not confirm by itself: those stay pending."""
    protocol = str(inputs.get("protocol"))
    web = protocol in ("http", "https") and not inputs.get("endpointAutoConfirms")
    return protocol in ("email", "email-json") or web


def _fifo_name(physical: str, fifo: Any) -> str:
    """The provider keeps a FIFO resource's ``.fifo`` suffix last when it auto-names."""
    return f"{physical.replace('.fifo-', '-')}.fifo" if fifo else physical


def _sqs_queue(mocks: PlatformMocks, name: str, physical: str, inputs: State) -> tuple[str, State]:
    queue = inputs.get("name") or _fifo_name(physical, inputs.get("fifoQueue"))
    url = mocks.arns.sqs_queue_url(queue)
    return url, {"name": queue, "arn": mocks.arns.sqs_queue(queue), "url": url, **_tags_all(inputs)}


def _ecr_repository(mocks: PlatformMocks, name: str, physical: str, inputs: State) -> tuple[str, State]:
    """ECR's id is the repository name; its URL is what ``docker push`` and the jobs' images use."""
    repository = inputs.get("name") or physical
    return repository, {
        "name": repository,
        "arn": mocks.arns.ecr_repository(repository),
        "registryId": mocks.arns.account,
        "repositoryUrl": mocks.arns.ecr_repository_url(repository),
        **_tags_all(inputs),
    }


def _sqs_queue_policy(mocks: PlatformMocks, name: str, physical: str, inputs: State) -> tuple[str, State]:
    return str(inputs.get("queueUrl")), {}


def _event_rule(mocks: PlatformMocks, name: str, physical: str, inputs: State) -> tuple[str, State]:
    rule, bus = inputs.get("name", physical), inputs.get("eventBusName")
    resource_id = f"{bus}/{rule}" if bus and bus != "default" else rule
    return resource_id, {"name": rule, "arn": mocks.arns.events("rule", rule, bus=bus), **_tags_all(inputs)}


def _event_target(mocks: PlatformMocks, name: str, physical: str, inputs: State) -> tuple[str, State]:
    """The provider's id: ``<rule>-<target id>``, prefixed by ``<bus>-`` on a custom bus."""
    target_id, bus = inputs.get("targetId", physical), inputs.get("eventBusName")
    parts = [bus] if bus and bus != "default" else []
    return "-".join([*parts, str(inputs.get("rule")), target_id]), {"targetId": target_id}


def _events_named(kind: str) -> Handler:
    """An event bus, archive, connection or API destination (the last two end in a uuid)."""

    def handler(mocks: PlatformMocks, name: str, physical: str, inputs: State) -> tuple[str, State]:
        resource_name = inputs.get("name", physical)
        path = (
            f"{resource_name}/{uuid(kind, name)}"
            if kind in ("connection", "api-destination")
            else resource_name
        )
        return resource_name, {
            "name": resource_name,
            "arn": mocks.arns.events(kind, path),
            **_tags_all(inputs),
        }

    return handler


def _schedule(mocks: PlatformMocks, name: str, physical: str, inputs: State) -> tuple[str, State]:
    schedule, group = inputs.get("name", physical), inputs.get("groupName") or "default"
    return f"{group}/{schedule}", {
        "name": schedule,
        "groupName": group,
        "arn": mocks.arns.scheduler(schedule, group=group),
    }


def _schedule_group(mocks: PlatformMocks, name: str, physical: str, inputs: State) -> tuple[str, State]:
    group = inputs.get("name", physical)
    return group, {
        "name": group,
        "arn": mocks.arns.scheduler_group(group),
        "state": "ACTIVE",
        **_tags_all(inputs),
    }


def _pipe(mocks: PlatformMocks, name: str, physical: str, inputs: State) -> tuple[str, State]:
    pipe = inputs.get("name", physical)
    return pipe, {"name": pipe, "arn": mocks.arns.pipe(pipe), **_tags_all(inputs)}


def _scalable_target(mocks: PlatformMocks, name: str, physical: str, inputs: State) -> tuple[str, State]:
    arn = mocks.arns.scalable_target(digest("scalable-target", name, length=36))
    return str(inputs.get("resourceId")), {"arn": arn, **_tags_all(inputs)}


def _scaling_policy(mocks: PlatformMocks, name: str, physical: str, inputs: State) -> tuple[str, State]:
    policy = inputs.get("name", physical)
    arn = mocks.arns.scaling_policy(
        uuid("scaling-policy", name),
        str(inputs.get("serviceNamespace")),
        str(inputs.get("resourceId")),
        policy,
    )
    return policy, {"name": policy, "arn": arn, "alarmArns": []}


def _scheduled_action(mocks: PlatformMocks, name: str, physical: str, inputs: State) -> tuple[str, State]:
    action = inputs.get("name", physical)
    arn = mocks.arns.scheduled_action(
        uuid("scheduled-action", name),
        str(inputs.get("serviceNamespace")),
        str(inputs.get("resourceId")),
        action,
    )
    # The provider's id joins the name, namespace and resource id with '-'.
    resource_id = f"{action}-{inputs.get('serviceNamespace')}-{inputs.get('resourceId')}"
    return resource_id, {"name": action, "arn": arn}


def _state_machine(mocks: PlatformMocks, name: str, physical: str, inputs: State) -> tuple[str, State]:
    """The provider identifies a state machine by its ARN."""
    machine = inputs.get("name", physical)
    arn = mocks.arns.state_machine(machine)
    return arn, {"name": machine, "arn": arn, "status": "ACTIVE", **_tags_all(inputs)}


def _metric_alarm(mocks: PlatformMocks, name: str, physical: str, inputs: State) -> tuple[str, State]:
    alarm = inputs.get("name", physical)
    return alarm, {"name": alarm, "arn": mocks.arns.cloudwatch_alarm(alarm), **_tags_all(inputs)}


def _dashboard(mocks: PlatformMocks, name: str, physical: str, inputs: State) -> tuple[str, State]:
    dashboard = inputs.get("dashboardName", physical)
    return dashboard, {"dashboardName": dashboard, "dashboardArn": mocks.arns.cloudwatch_dashboard(dashboard)}


MLFLOW_PARTITIONS: Final = frozenset({"aws", "aws-us-gov"})
"""The partitions whose SageMaker MLflow hosts AWS publishes: ``<region>.experiments.sagemaker.aws``
in both, GovCloud's too (aws/sagemaker-mlflow ``SageMakerMLflowHostMetadataProvider._get_dns_suffix``
and ``_get_endpoint``, AWS's own MLflow plugin); it refuses every other partition (aws-cn, the ISO
ones, aws-eusc: "Partition ... Not supported."). There a tracking server's URL is left out, unknown
in the recording, not a made-up host."""


def _sagemaker(kind: str, name_input: str = "name", *, arn_output: str = "arn") -> Handler:
    """A SageMaker resource named by ``name_input`` (the provider's auto-name where unset); its id
    is the name, its ARN ``<kind>/<name>``. aws-native resources are identified by their ARN."""

    def handler(mocks: PlatformMocks, name: str, physical: str, inputs: State) -> tuple[str, State]:
        resource_name = inputs.get(name_input, physical)
        arn = mocks.arns.sagemaker(kind, resource_name)
        state: State = {name_input: resource_name, arn_output: arn}
        if kind == "mlflow-tracking-server" and mocks.arns.partition in MLFLOW_PARTITIONS:
            state["trackingServerUrl"] = (
                f"https://t-{digest(kind, name, length=12)}.{mocks.region}.experiments.sagemaker.aws"
            )
        if arn_output != "arn":  # aws-native: identified by the ARN, no tagsAll
            return arn, state
        return resource_name, {**state, **_tags_all(inputs)}

    return handler


def _model_package_group_policy(
    mocks: PlatformMocks, name: str, physical: str, inputs: State
) -> tuple[str, State]:
    return str(inputs.get("modelPackageGroupName")), {}


def _budget(mocks: PlatformMocks, name: str, physical: str, inputs: State) -> tuple[str, State]:
    budget = inputs.get("name", physical)
    # The provider's id of a budget is "<account id>:<budget name>".
    return f"{mocks.account_id}:{budget}", {
        "name": budget,
        "arn": mocks.arns.budget(budget),
        "accountId": inputs.get("accountId", mocks.account_id),
        **_tags_all(inputs),
    }


def _cost_explorer(kind: str) -> Handler:
    """Anomaly monitors and subscriptions: identified by their ARN, ``<kind>/<uuid>``."""

    def handler(mocks: PlatformMocks, name: str, physical: str, inputs: State) -> tuple[str, State]:
        arn = mocks.arns.cost_explorer(kind, uuid(kind, name))
        return arn, {"arn": arn, "name": inputs.get("name", physical), **_tags_all(inputs)}

    return handler


def _cost_allocation_tag(mocks: PlatformMocks, name: str, physical: str, inputs: State) -> tuple[str, State]:
    return str(inputs.get("tagKey")), {"type": "UserDefined"}


SERVICE_OUTPUTS: dict[str, Handler] = {
    "aws:budgets/budget:Budget": _budget,
    "aws:costexplorer/anomalyMonitor:AnomalyMonitor": _cost_explorer("anomalymonitor"),
    "aws:costexplorer/anomalySubscription:AnomalySubscription": _cost_explorer("anomalysubscription"),
    "aws:costexplorer/costAllocationTag:CostAllocationTag": _cost_allocation_tag,
    "aws:sns/topic:Topic": _sns_topic,
    "aws:sns/topicPolicy:TopicPolicy": _sns_topic_policy,
    "aws:sns/topicSubscription:TopicSubscription": _sns_subscription,
    "aws:sqs/queue:Queue": _sqs_queue,
    "aws:sqs/queuePolicy:QueuePolicy": _sqs_queue_policy,
    "aws:ecr/repository:Repository": _ecr_repository,
    "aws:cloudwatch/eventRule:EventRule": _event_rule,
    "aws:cloudwatch/eventTarget:EventTarget": _event_target,
    "aws:cloudwatch/eventBus:EventBus": _events_named("event-bus"),
    "aws:cloudwatch/eventArchive:EventArchive": _events_named("archive"),
    "aws:cloudwatch/eventConnection:EventConnection": _events_named("connection"),
    "aws:cloudwatch/eventApiDestination:EventApiDestination": _events_named("api-destination"),
    "aws:scheduler/schedule:Schedule": _schedule,
    "aws:scheduler/scheduleGroup:ScheduleGroup": _schedule_group,
    "aws:pipes/pipe:Pipe": _pipe,
    "aws:sfn/stateMachine:StateMachine": _state_machine,
    "aws:appautoscaling/target:Target": _scalable_target,
    "aws:appautoscaling/policy:Policy": _scaling_policy,
    "aws:appautoscaling/scheduledAction:ScheduledAction": _scheduled_action,
    "aws:cloudwatch/metricAlarm:MetricAlarm": _metric_alarm,
    "aws:cloudwatch/dashboard:Dashboard": _dashboard,
    "aws:sagemaker/endpoint:Endpoint": _sagemaker("endpoint"),
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": _sagemaker("endpoint-config"),
    "aws:sagemaker/model:Model": _sagemaker("model"),
    "aws:sagemaker/pipeline:Pipeline": _sagemaker("pipeline", "pipelineName"),
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup": _sagemaker(
        "model-package-group", "modelPackageGroupName"
    ),
    "aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy": _model_package_group_policy,
    "aws:sagemaker/featureGroup:FeatureGroup": _sagemaker("feature-group", "featureGroupName"),
    "aws:sagemaker/monitoringSchedule:MonitoringSchedule": _sagemaker("monitoring-schedule"),
    "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition": _sagemaker(
        "data-quality-job-definition"
    ),
    "aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer": _sagemaker(
        "mlflow-tracking-server", "trackingServerName"
    ),
    "aws:sagemaker/notebookInstance:NotebookInstance": _sagemaker("notebook-instance"),
    **{
        f"aws-native:sagemaker:{kind}JobDefinition": _sagemaker(
            f"{kebab(kind)}-job-definition", "jobDefinitionName", arn_output="jobDefinitionArn"
        )
        for kind in ("DataQuality", "ModelQuality", "ModelBias", "ModelExplainability")
    },
    "aws-native:sagemaker:InferenceComponent": _sagemaker(
        "inference-component", "inferenceComponentName", arn_output="inferenceComponentArn"
    ),
    "aws-native:sagemaker:MonitoringSchedule": _sagemaker(
        "monitoring-schedule", "monitoringScheduleName", arn_output="monitoringScheduleArn"
    ),
}
