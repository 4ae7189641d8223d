"""Evidently settings for the training-pipeline tests (the churn fixtures' account and bucket)."""

from __future__ import annotations

from typing import Any

from components.training.evidently import EvidentlySettings
from tests.pipelines.churn_fixtures import ACCOUNT, BUCKET, PIPELINE, REGION

EVIDENTLY_IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/mlops-dev-evidently:0.7.23-1"
REFERENCE = f"s3://mlops-dev-datasets-{ACCOUNT}/evidently-reference/customer-churn/"
REPORT_SCRIPT = f"s3://{BUCKET}/pipelines/{PIPELINE}/code/3c2b1a09/evidently_report.py"
PUBLISH_SCRIPT = f"s3://{BUCKET}/pipelines/{PIPELINE}/code/8d7e6f50/publish_drift_metrics.py"
PUBLISHER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/mlops-dev-drift-metrics-job"


def evidently_settings(**overrides: Any) -> EvidentlySettings:
    values: dict[str, Any] = {
        "image_uri": EVIDENTLY_IMAGE,
        "reference_uri": REFERENCE,
        "report_script_uri": REPORT_SCRIPT,
        "publish_script_uri": PUBLISH_SCRIPT,
        "publisher_role_arn": PUBLISHER_ROLE,
        "family": "customer-churn",
    }
    values.update(overrides)
    return EvidentlySettings(**values)
