"""Another team's stack, built only from the installed mlops-platform package.

One KMS key, an access-logged SSE-KMS bucket for artifacts, a SageMaker endpoint serving a pinned
model version in two existing private subnets, its alert topic, and a data-quality monitor that
compares its traffic with that version's baselines. Nothing here comes from the blueprint's
repository: every import is ``mlops_platform``.
"""

import pulumi
from mlops_platform.components.foundation import (
    AccessLogBucket,
    AccessLogBucketArgs,
    EncryptionKey,
    EncryptionKeyArgs,
    SecureBucket,
    SecureBucketArgs,
    cloudwatch_alarms_grant,
    eventbridge_grants,
)
from mlops_platform.components.observability import (
    AlertTopic,
    AlertTopicArgs,
    JobPlacement,
    ModelMonitoring,
    ModelMonitoringArgs,
    MonitoringBaselines,
    MonitoringSpec,
)
from mlops_platform.components.serving import EndpointSpec, InferenceEndpoint, InferenceEndpointArgs

ACCOUNT, REGION = "123456789012", "eu-west-1"
ROLE_PATH = "/churn-serving/"
TAGS = {"owner": "churn-team", "cost-center": "cc-42", "environment": "dev"}
SUBNETS = ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"]
SECURITY_GROUPS = ["sg-0123456789abcdef0"]
MODEL_VERSION = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/churn/7"

key = EncryptionKey(
    "data",
    EncryptionKeyArgs(
        purpose="data",
        account_id=ACCOUNT,
        user_role_path=ROLE_PATH,
        tags=TAGS,
        via_services=["sagemaker", "s3"],
        region=REGION,
        alias_prefix="churn-serving",
    ),
)
# The alert topic's key: CloudWatch alarms (and EventBridge rules) of this account publish with it.
alerts_key = EncryptionKey(
    "alerts",
    EncryptionKeyArgs(
        purpose="alerts",
        account_id=ACCOUNT,
        user_role_path=ROLE_PATH,
        tags=TAGS,
        alias_prefix="churn-serving",
        service_grants=[cloudwatch_alarms_grant(REGION, ACCOUNT), *eventbridge_grants(REGION, ACCOUNT)],
    ),
)
logs = AccessLogBucket("access-logs", AccessLogBucketArgs(account_id=ACCOUNT, tags=TAGS))
artifacts = SecureBucket(
    "artifacts",
    SecureBucketArgs(
        purpose="artifacts", kms_key_arn=key.key_arn, access_log_bucket=logs.bucket_name, tags=TAGS
    ),
)
alerts = AlertTopic(
    "alerts", AlertTopicArgs(account_id=ACCOUNT, kms_key_arn=alerts_key.key_arn, subscriptions=[], tags=TAGS)
)
spec = EndpointSpec.model_validate(
    {
        "name": "churn",
        "variants": [
            {
                "name": "primary",
                "model": {"model_package_arn": MODEL_VERSION},
                "instance_type": "ml.m5.xlarge",
                "initial_instance_count": 2,
                "scaling": {"min_capacity": 2, "max_capacity": 4, "invocations_per_instance": 100},
            }
        ],
        "data_capture": {"enabled": True, "sampling_percent": 20},
    }
)
endpoint = InferenceEndpoint(
    "churn",
    InferenceEndpointArgs(
        spec=spec,
        endpoint_name="churn-serving-churn",
        resolved_model_packages={},
        account_id=ACCOUNT,
        region=REGION,
        artifact_bucket_name=artifacts.bucket_name,
        artifact_bucket_arn=artifacts.bucket_arn,
        kms_key_arn=key.key_arn,
        notification_key_arn=alerts_key.key_arn,
        subnet_ids=SUBNETS,
        security_group_ids=SECURITY_GROUPS,
        image_registry_accounts=[ACCOUNT],
        alarm_topic_arn=alerts.topic_arn,
        role_path=ROLE_PATH,
        tags=TAGS,
    ),
)
monitor = ModelMonitoring(
    "churn-monitoring",
    ModelMonitoringArgs(
        spec=MonitoringSpec(enabled=True, schedule="cron(0 * ? * * *)"),
        endpoint_name=endpoint.endpoint_name,
        baselines=MonitoringBaselines.in_folder("baselines/churn/7/"),
        placement=JobPlacement(
            account_id=ACCOUNT,
            region=REGION,
            artifact_bucket_name=artifacts.bucket_name,
            artifact_bucket_arn=artifacts.bucket_arn,
            kms_key_arn=key.key_arn,
            subnet_ids=SUBNETS,
            security_group_ids=SECURITY_GROUPS,
            role_path=ROLE_PATH,
            tags=TAGS,
        ),
    ),
)

pulumi.export("endpoint_name", endpoint.endpoint_name)
pulumi.export("monitoring_schedule", monitor.schedule_name)
