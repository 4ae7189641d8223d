"""The API requests a recorded resource's inputs become, one explicit table per Pulumi type.

Each table maps every top-level camelCase input of the type to the API member the provider sends
it as (or to a small function for the few that change shape: a map of dimensions, an attribute
map, tags). Nested values follow the API's shape case-insensitively (``tests/sagemaker_requests``'s
walk). An input no table of its type names raises: a new setting cannot slip past the check. What
the provider itself fills in (client tokens, a target's id) is in ``provider_fills``.

Use::

    for service, operation, params in requests(resource):
        assert request_errors(service, operation, params) == []
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import botocore.model

from planner.recorder import RecordedResource
from tests.api_models import service_model
from tests.aws_calls import Call, UnmappedInput, tag_list
from tests.foundation_requests import FOUNDATION_REQUESTS
from tests.sagemaker_requests import convert

# --- shape changes -----------------------------------------------------------------------------


def _tag_map(member: str) -> Callable[[Any], dict[str, Any]]:
    return lambda value: {member: dict(value)}


def _dimensions(value: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"Name": name, "Value": item} for name, item in value.items()]


def _attribute(name: str) -> Callable[[Any], dict[str, Any]]:
    """One entry of an SNS/SQS ``Attributes`` map: every value travels as a string."""

    def build(value: Any) -> dict[str, Any]:
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, float) and value.is_integer():
            text = str(int(value))
        else:
            text = str(value)
        return {"Attributes": {name: text}}

    return build


def _metric_queries(value: list[Mapping[str, Any]]) -> dict[str, Any]:
    """The provider's flat ``metricQueries[].metric`` is the API's ``Metrics[].MetricStat``."""
    metrics = []
    for query in value:
        entry = {
            api: query[provider]
            for provider, api in (
                ("id", "Id"),
                ("expression", "Expression"),
                ("label", "Label"),
                ("returnData", "ReturnData"),
                ("period", "Period"),
                ("accountId", "AccountId"),
            )
            if query.get(provider) is not None
        }
        unknown = set(query) - {"id", "expression", "label", "returnData", "period", "accountId", "metric"}
        if unknown:
            raise UnmappedInput(f"metricQueries[]: {sorted(unknown)}")
        metric = query.get("metric")
        if metric:
            entry["MetricStat"] = {
                "Metric": {
                    "Namespace": metric.get("namespace"),
                    "MetricName": metric["metricName"],
                    "Dimensions": _dimensions(metric.get("dimensions") or {}),
                },
                "Period": metric["period"],
                "Stat": metric["stat"],
                **({"Unit": metric["unit"]} if metric.get("unit") else {}),
            }
        metrics.append(entry)
    return {"Metrics": metrics}


# --- the tables ----------------------------------------------------------------------------------


def _native_monitor_definition(kind: str) -> Call:
    """A model-quality, bias or explainability job definition (pulumi-aws-native): its members
    are the API's, camelCased; tags are already a list of ``{key, value}``."""
    lower = kind[0].lower() + kind[1:]
    return Call(
        "sagemaker",
        f"Create{kind}JobDefinition",
        {
            "jobDefinitionName": "JobDefinitionName",
            f"{lower}AppSpecification": f"{kind}AppSpecification",
            f"{lower}BaselineConfig": f"{kind}BaselineConfig",
            f"{lower}JobInput": f"{kind}JobInput",
            f"{lower}JobOutputConfig": f"{kind}JobOutputConfig",
            "jobResources": "JobResources",
            "networkConfig": "NetworkConfig",
            "roleArn": "RoleArn",
            "stoppingCondition": "StoppingCondition",
            "tags": "Tags",
        },
    )


_SAGEMAKER_TAGS = {"tags": tag_list}


def _production_variants(value: list[dict[str, Any]]) -> dict[str, Any]:
    """pulumi-aws's ``routingConfigs`` (a list of at most one) is the API's ``RoutingConfig`` structure."""
    variants = [
        {
            ("routingConfig" if key == "routingConfigs" else key): (
                item[0] if key == "routingConfigs" and isinstance(item, list) else item
            )
            for key, item in variant.items()
        }
        for variant in value
    ]
    shape = service_model("sagemaker").operation_model("CreateEndpointConfig").input_shape
    return {
        "ProductionVariants": convert(
            variants,
            shape.members["ProductionVariants"],
            "CreateEndpointConfig.ProductionVariants",
            {"kmsKeyArn": "KmsKeyId"},
        )
    }


def _inference_component() -> tuple[Call, ...]:
    """An inference component (pulumi-aws-native): created with its specification and copies; its
    ``deploymentConfig`` is what CloudFormation sends with each UpdateInferenceComponent."""
    return (
        Call(
            "sagemaker",
            "CreateInferenceComponent",
            {
                "inferenceComponentName": "InferenceComponentName",
                "endpointName": "EndpointName",
                "variantName": "VariantName",
                "specification": "Specification",
                "specifications": "Specifications",
                "runtimeConfig": "RuntimeConfig",
                "tags": "Tags",
            },
        ),
        Call(
            "sagemaker",
            "UpdateInferenceComponent",
            {"inferenceComponentName": "InferenceComponentName", "deploymentConfig": "DeploymentConfig"},
        ),
    )


def _budget(members: Callable[[Any], dict[str, Any]]) -> Callable[[Any], dict[str, Any]]:
    """A member of CreateBudget's ``Budget`` structure."""
    return lambda value: {"Budget": members(value)}


def _budget_notifications(value: list[Mapping[str, Any]]) -> dict[str, Any]:
    """The provider's flat ``notifications[]`` is the API's notification and its subscribers."""
    return {
        "NotificationsWithSubscribers": [
            {
                "Notification": {
                    "NotificationType": item["notificationType"],
                    "ComparisonOperator": item["comparisonOperator"],
                    "Threshold": item["threshold"],
                    "ThresholdType": item["thresholdType"],
                },
                "Subscribers": [
                    *(
                        {"SubscriptionType": "SNS", "Address": arn}
                        for arn in item.get("subscriberSnsTopicArns", [])
                    ),
                    *(
                        {"SubscriptionType": "EMAIL", "Address": address}
                        for address in item.get("subscriberEmailAddresses", [])
                    ),
                ],
            }
            for item in value
        ]
    }


def _within(member: str, inner: str) -> Callable[[Any], dict[str, Any]]:
    """A member of the request's ``member`` structure (CreateAnomalyMonitor's ``AnomalyMonitor``...)."""
    return lambda value: {member: {inner: value}}


_TOKEN = "00000000-0000-4000-8000-000000000000"

REQUESTS: dict[str, tuple[Call, ...]] = {
    # SageMaker
    "aws:sagemaker/endpoint:Endpoint": (
        Call(
            "sagemaker",
            "CreateEndpoint",
            {
                "name": "EndpointName",
                "endpointConfigName": "EndpointConfigName",
                "deploymentConfig": "DeploymentConfig",
                **_SAGEMAKER_TAGS,
            },
        ),
    ),
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": (
        Call(
            "sagemaker",
            "CreateEndpointConfig",
            {
                "name": "EndpointConfigName",
                "productionVariants": _production_variants,
                "executionRoleArn": "ExecutionRoleArn",
                "shadowProductionVariants": "ShadowProductionVariants",
                "dataCaptureConfig": "DataCaptureConfig",
                "asyncInferenceConfig": "AsyncInferenceConfig",
                "kmsKeyArn": "KmsKeyId",
                **_SAGEMAKER_TAGS,
            },
        ),
    ),
    "aws:sagemaker/model:Model": (
        Call(
            "sagemaker",
            "CreateModel",
            {
                "name": "ModelName",
                "primaryContainer": "PrimaryContainer",
                "containers": "Containers",
                "inferenceExecutionConfig": "InferenceExecutionConfig",
                "executionRoleArn": "ExecutionRoleArn",
                "vpcConfig": "VpcConfig",
                "enableNetworkIsolation": "EnableNetworkIsolation",
                **_SAGEMAKER_TAGS,
            },
        ),
    ),
    "aws:sagemaker/pipeline:Pipeline": (
        Call(
            "sagemaker",
            "CreatePipeline",
            {
                "pipelineName": "PipelineName",
                "pipelineDisplayName": "PipelineDisplayName",
                "pipelineDescription": "PipelineDescription",
                "pipelineDefinition": "PipelineDefinition",
                "roleArn": "RoleArn",
                "parallelismConfiguration": "ParallelismConfiguration",
                **_SAGEMAKER_TAGS,
            },
            provider_fills={"ClientRequestToken": _TOKEN},
        ),
    ),
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup": (
        Call(
            "sagemaker",
            "CreateModelPackageGroup",
            {
                "modelPackageGroupName": "ModelPackageGroupName",
                "modelPackageGroupDescription": "ModelPackageGroupDescription",
                **_SAGEMAKER_TAGS,
            },
        ),
    ),
    "aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy": (
        Call(
            "sagemaker",
            "PutModelPackageGroupPolicy",
            {"modelPackageGroupName": "ModelPackageGroupName", "resourcePolicy": "ResourcePolicy"},
        ),
    ),
    "aws:sagemaker/featureGroup:FeatureGroup": (
        Call(
            "sagemaker",
            "CreateFeatureGroup",
            {
                "featureGroupName": "FeatureGroupName",
                "recordIdentifierFeatureName": "RecordIdentifierFeatureName",
                "eventTimeFeatureName": "EventTimeFeatureName",
                "featureDefinitions": "FeatureDefinitions",
                "onlineStoreConfig": "OnlineStoreConfig",
                "offlineStoreConfig": "OfflineStoreConfig",
                "throughputConfig": "ThroughputConfig",
                "roleArn": "RoleArn",
                "description": "Description",
                **_SAGEMAKER_TAGS,
            },
        ),
    ),
    "aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer": (
        Call(
            "sagemaker",
            "CreateMlflowTrackingServer",
            {
                "trackingServerName": "TrackingServerName",
                "artifactStoreUri": "ArtifactStoreUri",
                "trackingServerSize": "TrackingServerSize",
                "mlflowVersion": "MlflowVersion",
                "roleArn": "RoleArn",
                "automaticModelRegistration": "AutomaticModelRegistration",
                "weeklyMaintenanceWindowStart": "WeeklyMaintenanceWindowStart",
                **_SAGEMAKER_TAGS,
            },
        ),
    ),
    "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition": (
        Call(
            "sagemaker",
            "CreateDataQualityJobDefinition",
            {
                "name": "JobDefinitionName",
                "dataQualityAppSpecification": "DataQualityAppSpecification",
                "dataQualityBaselineConfig": "DataQualityBaselineConfig",
                "dataQualityJobInput": "DataQualityJobInput",
                "dataQualityJobOutputConfig": "DataQualityJobOutputConfig",
                "jobResources": "JobResources",
                "networkConfig": "NetworkConfig",
                "roleArn": "RoleArn",
                "stoppingCondition": "StoppingCondition",
                **_SAGEMAKER_TAGS,
            },
        ),
    ),
    "aws:sagemaker/monitoringSchedule:MonitoringSchedule": (
        Call(
            "sagemaker",
            "CreateMonitoringSchedule",
            {
                "name": "MonitoringScheduleName",
                "monitoringScheduleConfig": "MonitoringScheduleConfig",
                **_SAGEMAKER_TAGS,
            },
        ),
    ),
    "aws-native:sagemaker:InferenceComponent": _inference_component(),
    # A shadow test (pulumi-aws-native): the API's members camelCased, tags already a list of
    # ``{key, value}``; the schedule's times are the API's timestamps, as ISO 8601 text.
    "aws-native:sagemaker:InferenceExperiment": (
        Call(
            "sagemaker",
            "CreateInferenceExperiment",
            {
                "name": "Name",
                "type": "Type",
                "schedule": "Schedule",
                "description": "Description",
                "roleArn": "RoleArn",
                "endpointName": "EndpointName",
                "modelVariants": "ModelVariants",
                "dataStorageConfig": "DataStorageConfig",
                "shadowModeConfig": "ShadowModeConfig",
                "kmsKey": "KmsKey",
                "tags": "Tags",
            },
        ),
    ),
    **{
        f"aws-native:sagemaker:{kind}JobDefinition": (_native_monitor_definition(kind),)
        for kind in ("ModelQuality", "ModelBias", "ModelExplainability")
    },
    # CloudWatch
    "aws:cloudwatch/metricAlarm:MetricAlarm": (
        Call(
            "cloudwatch",
            "PutMetricAlarm",
            {
                "name": "AlarmName",
                "alarmDescription": "AlarmDescription",
                "actionsEnabled": "ActionsEnabled",
                "okActions": "OKActions",
                "alarmActions": "AlarmActions",
                "insufficientDataActions": "InsufficientDataActions",
                "metricName": "MetricName",
                "namespace": "Namespace",
                "statistic": "Statistic",
                "extendedStatistic": "ExtendedStatistic",
                "dimensions": lambda value: {"Dimensions": _dimensions(value)},
                "period": "Period",
                "unit": "Unit",
                "evaluationPeriods": "EvaluationPeriods",
                "datapointsToAlarm": "DatapointsToAlarm",
                "threshold": "Threshold",
                "thresholdMetricId": "ThresholdMetricId",
                "comparisonOperator": "ComparisonOperator",
                "treatMissingData": "TreatMissingData",
                "evaluateLowSampleCountPercentiles": "EvaluateLowSampleCountPercentile",
                "metricQueries": _metric_queries,
                "tags": tag_list,
            },
        ),
    ),
    "aws:cloudwatch/dashboard:Dashboard": (
        Call(
            "cloudwatch", "PutDashboard", {"dashboardName": "DashboardName", "dashboardBody": "DashboardBody"}
        ),
    ),
    "aws:cloudwatch/logGroup:LogGroup": (
        Call(
            "logs",
            "CreateLogGroup",
            {
                "name": "logGroupName",
                "kmsKeyId": "kmsKeyId",
                "logGroupClass": "logGroupClass",
                "tags": _tag_map("tags"),
            },
        ),
        Call("logs", "PutRetentionPolicy", {"name": "logGroupName", "retentionInDays": "retentionInDays"}),
    ),
    # EventBridge
    "aws:cloudwatch/eventRule:EventRule": (
        Call(
            "events",
            "PutRule",
            {
                "name": "Name",
                "scheduleExpression": "ScheduleExpression",
                "eventPattern": "EventPattern",
                "state": "State",
                "description": "Description",
                "roleArn": "RoleArn",
                "eventBusName": "EventBusName",
                "tags": tag_list,
            },
        ),
    ),
    "aws:cloudwatch/eventTarget:EventTarget": (
        Call(
            "events",
            "PutTargets",
            {"rule": "Rule", "eventBusName": "EventBusName", "targetId": "Targets[].Id"}
            | {
                key: f"Targets[].{member}"
                for key, member in {
                    "arn": "Arn",
                    "roleArn": "RoleArn",
                    "input": "Input",
                    "inputPath": "InputPath",
                    "inputTransformer": "InputTransformer",
                    "sqsTarget": "SqsParameters",
                    "sagemakerPipelineTarget": "SageMakerPipelineParameters",
                    "deadLetterConfig": "DeadLetterConfig",
                    "retryPolicy": "RetryPolicy",
                }.items()
            },
            provider_fills={"Targets[].Id": "terraform-20260101000000000000000001"},
            renames={"pipelineParameterLists": "PipelineParameterList", "inputPaths": "InputPathsMap"},
        ),
    ),
    "aws:cloudwatch/eventConnection:EventConnection": (
        Call(
            "events",
            "CreateConnection",
            {
                "name": "Name",
                "description": "Description",
                "authorizationType": "AuthorizationType",
                "authParameters": "AuthParameters",
                "invocationConnectivityParameters": "InvocationConnectivityParameters",
                "kmsKeyIdentifier": "KmsKeyIdentifier",
            },
            renames={
                "apiKey": "ApiKeyAuthParameters",
                "key": "ApiKeyName",
                "value": "ApiKeyValue",
                "basic": "BasicAuthParameters",
                "oauth": "OAuthParameters",
                "headers": "HeaderParameters",
                "queryStrings": "QueryStringParameters",
                "bodies": "BodyParameters",
            },
        ),
    ),
    "aws:cloudwatch/eventApiDestination:EventApiDestination": (
        Call(
            "events",
            "CreateApiDestination",
            {
                "name": "Name",
                "description": "Description",
                "connectionArn": "ConnectionArn",
                "invocationEndpoint": "InvocationEndpoint",
                "httpMethod": "HttpMethod",
                "invocationRateLimitPerSecond": "InvocationRateLimitPerSecond",
            },
        ),
    ),
    "aws:scheduler/schedule:Schedule": (
        Call(
            "scheduler",
            "CreateSchedule",
            {
                "name": "Name",
                "groupName": "GroupName",
                "scheduleExpression": "ScheduleExpression",
                "scheduleExpressionTimezone": "ScheduleExpressionTimezone",
                "startDate": "StartDate",
                "endDate": "EndDate",
                "description": "Description",
                "state": "State",
                "kmsKeyArn": "KmsKeyArn",
                "target": "Target",
                "flexibleTimeWindow": "FlexibleTimeWindow",
                "actionAfterCompletion": "ActionAfterCompletion",
            },
            renames={"pipelineParameters": "PipelineParameterList"},
        ),
    ),
    "aws:scheduler/scheduleGroup:ScheduleGroup": (
        Call("scheduler", "CreateScheduleGroup", {"name": "Name", "tags": tag_list}),
    ),
    # Budgets and Cost Explorer
    "aws:budgets/budget:Budget": (
        Call(
            "budgets",
            "CreateBudget",
            {
                "accountId": "AccountId",
                "name": _budget(lambda value: {"BudgetName": value}),
                "budgetType": _budget(lambda value: {"BudgetType": value}),
                "timeUnit": _budget(lambda value: {"TimeUnit": value}),
                "limitAmount": _budget(lambda value: {"BudgetLimit": {"Amount": value}}),
                "limitUnit": _budget(lambda value: {"BudgetLimit": {"Unit": value}}),
                "costFilters": _budget(
                    lambda value: {"CostFilters": {item["name"]: item["values"] for item in value}}
                ),
                "notifications": _budget_notifications,
                "tags": lambda value: {"ResourceTags": tag_list(value)["Tags"]},
            },
        ),
    ),
    "aws:costexplorer/anomalyMonitor:AnomalyMonitor": (
        Call(
            "ce",
            "CreateAnomalyMonitor",
            {
                "name": _within("AnomalyMonitor", "MonitorName"),
                "monitorType": _within("AnomalyMonitor", "MonitorType"),
                "monitorDimension": _within("AnomalyMonitor", "MonitorDimension"),
                "monitorSpecification": lambda value: {
                    "AnomalyMonitor": {"MonitorSpecification": json.loads(value)}
                },
                "tags": lambda value: {"ResourceTags": tag_list(value)["Tags"]},
            },
        ),
    ),
    "aws:costexplorer/anomalySubscription:AnomalySubscription": (
        Call(
            "ce",
            "CreateAnomalySubscription",
            {
                "name": _within("AnomalySubscription", "SubscriptionName"),
                "accountId": _within("AnomalySubscription", "AccountId"),
                "frequency": _within("AnomalySubscription", "Frequency"),
                "monitorArnLists": _within("AnomalySubscription", "MonitorArnList"),
                "subscribers": lambda value: {
                    "AnomalySubscription": {
                        "Subscribers": [{"Address": item["address"], "Type": item["type"]} for item in value]
                    }
                },
                # The provider's singular ``dimension`` is the API's ``Dimensions``.
                "thresholdExpression": lambda value: {
                    "AnomalySubscription": {
                        "ThresholdExpression": {
                            "Dimensions": {
                                "Key": value["dimension"]["key"],
                                "MatchOptions": value["dimension"]["matchOptions"],
                                "Values": value["dimension"]["values"],
                            }
                        }
                    }
                },
                "tags": lambda value: {"ResourceTags": tag_list(value)["Tags"]},
            },
        ),
    ),
    "aws:costexplorer/costAllocationTag:CostAllocationTag": (
        Call(
            "ce",
            "UpdateCostAllocationTagsStatus",
            {
                "tagKey": lambda value: {"CostAllocationTagsStatus": [{"TagKey": value}]},
                "status": lambda value: {"CostAllocationTagsStatus": [{"Status": value}]},
            },
        ),
    ),
    # Athena: the workgroup and its configuration in one CreateWorkGroup (the provider's
    # force_destroy only decides how it deletes; the workgroup is created ENABLED).
    "aws:athena/workgroup:Workgroup": (
        Call(
            "athena",
            "CreateWorkGroup",
            {
                "name": "Name",
                "description": "Description",
                "configuration": "Configuration",
                "tags": tag_list,
                "forceDestroy": lambda value: {},
            },
            renames={
                "enforceWorkgroupConfiguration": "EnforceWorkGroupConfiguration",
                "publishCloudwatchMetricsEnabled": "PublishCloudWatchMetricsEnabled",
                "kmsKeyArn": "KmsKey",
            },
        ),
    ),
    # CloudTrail: the trail, then its advanced event selectors and logging state (the provider's
    # separate calls after CreateTrail).
    "aws:cloudtrail/trail:Trail": (
        Call(
            "cloudtrail",
            "CreateTrail",
            {
                "name": "Name",
                "s3BucketName": "S3BucketName",
                "s3KeyPrefix": "S3KeyPrefix",
                "snsTopicName": "SnsTopicName",
                "includeGlobalServiceEvents": "IncludeGlobalServiceEvents",
                "isMultiRegionTrail": "IsMultiRegionTrail",
                "enableLogFileValidation": "EnableLogFileValidation",
                "cloudWatchLogsGroupArn": "CloudWatchLogsLogGroupArn",
                "cloudWatchLogsRoleArn": "CloudWatchLogsRoleArn",
                "kmsKeyId": "KmsKeyId",
                "isOrganizationTrail": "IsOrganizationTrail",
                "tags": lambda value: {"TagsList": [{"Key": k, "Value": v} for k, v in value.items()]},
            },
        ),
        Call(
            "cloudtrail",
            "PutEventSelectors",
            {"name": "TrailName", "advancedEventSelectors": "AdvancedEventSelectors"},
            renames={
                "startsWiths": "StartsWith",
                "endsWiths": "EndsWith",
                "notStartsWiths": "NotStartsWith",
                "notEndsWiths": "NotEndsWith",
            },
        ),
        Call("cloudtrail", "StartLogging", {"name": "Name", "enableLogging": lambda value: {}}),
    ),
    # SNS
    "aws:sns/topic:Topic": (
        Call(
            "sns",
            "CreateTopic",
            {
                "name": "Name",
                "displayName": _attribute("DisplayName"),
                "kmsMasterKeyId": _attribute("KmsMasterKeyId"),
                "policy": _attribute("Policy"),
                "deliveryPolicy": _attribute("DeliveryPolicy"),
                "fifoTopic": _attribute("FifoTopic"),
                "contentBasedDeduplication": _attribute("ContentBasedDeduplication"),
                "signatureVersion": _attribute("SignatureVersion"),
                "tracingConfig": _attribute("TracingConfig"),
                "tags": tag_list,
            },
        ),
    ),
    "aws:sns/topicPolicy:TopicPolicy": (
        Call(
            "sns",
            "SetTopicAttributes",
            {"arn": "TopicArn", "policy": lambda value: {"AttributeName": "Policy", "AttributeValue": value}},
        ),
    ),
    "aws:sns/topicSubscription:TopicSubscription": (
        Call(
            "sns",
            "Subscribe",
            {
                "topic": "TopicArn",
                "protocol": "Protocol",
                "endpoint": "Endpoint",
                "filterPolicy": _attribute("FilterPolicy"),
                "filterPolicyScope": _attribute("FilterPolicyScope"),
                "rawMessageDelivery": _attribute("RawMessageDelivery"),
                "redrivePolicy": _attribute("RedrivePolicy"),
                "subscriptionRoleArn": _attribute("SubscriptionRoleArn"),
                "deliveryPolicy": _attribute("DeliveryPolicy"),
                # The provider's wait for an HTTP(S) confirmation: no part of the request.
                "endpointAutoConfirms": lambda value: {},
                "confirmationTimeoutInMinutes": lambda value: {},
            },
            provider_fills={"ReturnSubscriptionArn": True},
        ),
    ),
    # ECR
    "aws:ecr/repository:Repository": (
        Call(
            "ecr",
            "CreateRepository",
            {
                "name": "repositoryName",
                "imageTagMutability": "imageTagMutability",
                "imageScanningConfiguration": "imageScanningConfiguration",
                # The provider sends the one block as the request's single structure.
                "encryptionConfigurations": lambda value: {"encryptionConfiguration": value[0]},
                # The provider's own switch for DeleteRepository: no part of the request.
                "forceDelete": lambda value: {},
                "tags": lambda value: {"tags": [{"Key": key, "Value": item} for key, item in value.items()]},
            },
        ),
    ),
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": (
        Call(
            "ecr",
            "PutLifecyclePolicy",
            {"repository": "repositoryName", "policy": "lifecyclePolicyText"},
        ),
    ),
    # SQS
    "aws:sqs/queue:Queue": (
        Call(
            "sqs",
            "CreateQueue",
            {
                "name": "QueueName",
                "delaySeconds": _attribute("DelaySeconds"),
                "maxMessageSize": _attribute("MaximumMessageSize"),
                "messageRetentionSeconds": _attribute("MessageRetentionPeriod"),
                "receiveWaitTimeSeconds": _attribute("ReceiveMessageWaitTimeSeconds"),
                "visibilityTimeoutSeconds": _attribute("VisibilityTimeout"),
                "policy": _attribute("Policy"),
                "redrivePolicy": _attribute("RedrivePolicy"),
                "redriveAllowPolicy": _attribute("RedriveAllowPolicy"),
                "fifoQueue": _attribute("FifoQueue"),
                "contentBasedDeduplication": _attribute("ContentBasedDeduplication"),
                "deduplicationScope": _attribute("DeduplicationScope"),
                "fifoThroughputLimit": _attribute("FifoThroughputLimit"),
                "kmsMasterKeyId": _attribute("KmsMasterKeyId"),
                "kmsDataKeyReusePeriodSeconds": _attribute("KmsDataKeyReusePeriodSeconds"),
                "sqsManagedSseEnabled": _attribute("SqsManagedSseEnabled"),
                "tags": _tag_map("tags"),
            },
        ),
    ),
    "aws:sqs/queuePolicy:QueuePolicy": (
        Call("sqs", "SetQueueAttributes", {"queueUrl": "QueueUrl", "policy": _attribute("Policy")}),
    ),
    # Pipes
    "aws:pipes/pipe:Pipe": (
        Call(
            "pipes",
            "CreatePipe",
            {
                "name": "Name",
                "description": "Description",
                "desiredState": "DesiredState",
                "source": "Source",
                "sourceParameters": "SourceParameters",
                "enrichment": "Enrichment",
                "enrichmentParameters": "EnrichmentParameters",
                "target": "Target",
                "targetParameters": "TargetParameters",
                "roleArn": "RoleArn",
                "logConfiguration": "LogConfiguration",
                "kmsKeyIdentifier": "KmsKeyIdentifier",
                "tags": _tag_map("Tags"),
            },
            renames={"pipelineParameters": "PipelineParameterList"},
        ),
    ),
    # Step Functions (its API is camelCase, tags included)
    "aws:sfn/stateMachine:StateMachine": (
        Call(
            "stepfunctions",
            "CreateStateMachine",
            {
                "name": "name",
                "definition": "definition",
                "roleArn": "roleArn",
                "type": "type",
                "loggingConfiguration": "loggingConfiguration",
                "tracingConfiguration": "tracingConfiguration",
                "encryptionConfiguration": "encryptionConfiguration",
                "publish": "publish",
                "tags": lambda value: {"tags": [{"key": key, "value": item} for key, item in value.items()]},
            },
        ),
    ),
    # Application Auto Scaling
    "aws:appautoscaling/target:Target": (
        Call(
            "application-autoscaling",
            "RegisterScalableTarget",
            {
                "serviceNamespace": "ServiceNamespace",
                "resourceId": "ResourceId",
                "scalableDimension": "ScalableDimension",
                "minCapacity": "MinCapacity",
                "maxCapacity": "MaxCapacity",
                "roleArn": "RoleARN",
                "suspendedState": "SuspendedState",
                "tags": _tag_map("Tags"),
            },
        ),
    ),
    "aws:appautoscaling/policy:Policy": (
        Call(
            "application-autoscaling",
            "PutScalingPolicy",
            {
                "name": "PolicyName",
                "serviceNamespace": "ServiceNamespace",
                "resourceId": "ResourceId",
                "scalableDimension": "ScalableDimension",
                "policyType": "PolicyType",
                "stepScalingPolicyConfiguration": "StepScalingPolicyConfiguration",
                "targetTrackingScalingPolicyConfiguration": "TargetTrackingScalingPolicyConfiguration",
                "predictiveScalingPolicyConfiguration": "PredictiveScalingPolicyConfiguration",
            },
        ),
    ),
    "aws:appautoscaling/scheduledAction:ScheduledAction": (
        Call(
            "application-autoscaling",
            "PutScheduledAction",
            {
                "name": "ScheduledActionName",
                "serviceNamespace": "ServiceNamespace",
                "resourceId": "ResourceId",
                "scalableDimension": "ScalableDimension",
                "schedule": "Schedule",
                "timezone": "Timezone",
                "startTime": "StartTime",
                "endTime": "EndTime",
                "scalableTargetAction": "ScalableTargetAction",
            },
        ),
    ),
    # EKS: the pod identity of a Kubernetes serving's (or Alertmanager's) service account.
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": (
        Call(
            "eks",
            "CreatePodIdentityAssociation",
            {
                "clusterName": "clusterName",
                "namespace": "namespace",
                "serviceAccount": "serviceAccount",
                "roleArn": "roleArn",
                "targetRoleArn": "targetRoleArn",
                "disableSessionTags": "disableSessionTags",
                "policy": "policy",
                "tags": _tag_map("tags"),
            },
            provider_fills={"clientRequestToken": _TOKEN},
        ),
    ),
    **FOUNDATION_REQUESTS,
}

NO_REQUEST = ("region",)
"""Inputs that configure the provider's client, not the request."""


def requests(resource: RecordedResource) -> list[tuple[str, str, dict[str, Any]]]:
    """``(service, operation, params)`` for each call creating ``resource``, from its inputs.

    Names the provider would generate (auto-naming) come from the mocked state, as the provider
    puts them in the request.
    """
    calls = REQUESTS[resource.type]
    inputs = {
        key: value for key, value in resource.inputs.items() if key not in NO_REQUEST and value is not None
    }
    for call in calls:
        for key in call.members:
            if key not in inputs and key in _AUTO_NAMED and key in resource.outputs:
                inputs[key] = resource.outputs[key]
    unmapped = set(inputs) - {key for call in calls for key in call.members}
    if unmapped:
        raise UnmappedInput(f"{resource.type}: no API member for input(s) {sorted(unmapped)}")
    return [(call.service, call.operation, _params(call, inputs)) for call in calls]


_AUTO_NAMED = ("name", "bucket")
"""Inputs the provider auto-names (an S3 bucket's is ``bucket``) when the program leaves them out."""


def _params(call: Call, inputs: Mapping[str, Any]) -> dict[str, Any]:
    shape = service_model(call.service).operation_model(call.operation).input_shape
    renames = {"kmsKeyArn": "KmsKeyId", **call.renames}
    params: dict[str, Any] = {}
    for key, member in call.members.items():
        if key not in inputs:
            continue
        value = inputs[key]
        if callable(member):
            _merge(params, member(value))
        elif member.startswith("Targets[]."):
            target_member = member.removeprefix("Targets[].")
            target_shape = shape.members["Targets"].member.members[target_member]
            _merge(params, {"Targets": [{target_member: convert(value, target_shape, member, renames)}]})
        elif "." in member:
            _merge(params, _nested(shape, member, value, f"{call.operation}.{member}", renames))
        else:
            params[member] = convert(value, shape.members[member], f"{call.operation}.{member}", renames)
    if call.combined is not None:
        _merge(params, convert(call.combined(inputs), shape, call.operation, renames))
    for member, value in call.provider_fills.items():
        if member.startswith("Targets[]."):
            target = params.setdefault("Targets", [{}])[0]
            target.setdefault(member.removeprefix("Targets[]."), value)
        else:
            params.setdefault(member, value)
    return params


def _nested(
    shape: botocore.model.Shape, member: str, value: Any, path: str, renames: Mapping[str, str]
) -> dict[str, Any]:
    """A member inside the request's structures (``"PublicAccessBlockConfiguration.BlockPublicAcls"``)."""
    *outer, last = member.split(".")
    for part in outer:
        shape = shape.members[part]
    built = {last: convert(value, shape.members[last], path, renames)}
    for part in reversed(outer):
        built = {part: built}
    return built


def _merge(params: dict[str, Any], extra: Mapping[str, Any]) -> None:
    """Merge attribute maps, structures built member by member (a budget's ``Budget``) and the
    single entry of EventBridge's ``Targets`` (and of ``CostAllocationTagsStatus``) member by member."""
    for key, value in extra.items():
        if key in ("Targets", "CostAllocationTagsStatus") and key in params:
            _merge(params[key][0], value[0])
        elif isinstance(value, dict) and isinstance(params.get(key), dict):
            _merge(params[key], value)
        else:
            params[key] = value
