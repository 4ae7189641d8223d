"""The arguments a ModelQualityMonitoring is given in the component tests (a project using the
package without a stack file): one endpoint of the customer-churn family in account 333333333333."""

from __future__ import annotations

from typing import Any

from components.observability.model_monitoring import JobPlacement, MonitoringBaselines
from components.observability.model_quality_monitoring import ModelQualityMonitoringArgs
from components.observability.model_quality_spec import ModelQualitySpec

KEY_ARN = "arn:aws:kms:eu-west-1:333333333333:key/k"


def model_quality_args(
    spec: ModelQualitySpec,
    *,
    endpoint_name: str = "customer-churn",
    tags: dict[str, str] | None = None,
    **changes: Any,
) -> ModelQualityMonitoringArgs:
    """``ModelQualityMonitoringArgs`` for ``spec`` on ``endpoint_name``, its baselines in
    ``baselines/<endpoint_name>/exec-1/``; ``changes`` replace any other argument."""
    arguments: dict[str, Any] = {
        "spec": spec,
        "endpoint_name": endpoint_name,
        "endpoint_label": "customer-churn",
        "job_definition_prefix": "prod-customer-churn",
        "model_family": "prod-customer-churn",
        "baselines": MonitoringBaselines.in_folder(f"baselines/{endpoint_name}/exec-1/"),
        "schedule": "cron(0 * ? * * *)",
        "instance_type": "ml.m5.xlarge",
        "max_runtime_seconds": 1800,
        "placement": JobPlacement(
            account_id="333333333333",
            region="eu-west-1",
            artifact_bucket_name="artifacts",
            artifact_bucket_arn="arn:aws:s3:::artifacts",
            kms_key_arn=KEY_ARN,
            subnet_ids=["subnet-1"],
            security_group_ids=["sg-1"],
            role_path="/mlops-platform/prod/",
            tags=tags or {},
        ),
    }
    return ModelQualityMonitoringArgs(**(arguments | changes))
