"""Builders shared by the training-pipeline tests: settings, a synthetic churn extract, JSON helpers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from components.training.definition import (
    ExperimentTrackingSettings,
    LineageSettings,
    TrainingPipelineSettings,
    iter_steps,
)

if TYPE_CHECKING:  # pandas and numpy are imported where used: importing these helpers needs neither
    import pandas as pd

REGION = "eu-west-1"
ACCOUNT = "123456789012"
PIPELINE = "customer-churn-training"
BUCKET = "mlops-dev-artifacts-123456789012"
KMS_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/mlops-dev-training-pipeline"
SUBNETS = ("subnet-0a1b2c3d", "subnet-0e4f5a6b")
SECURITY_GROUPS = ("sg-0123abcd",)
SCRIPT_URIS = {
    name: f"s3://{BUCKET}/pipelines/{PIPELINE}/code/5f3c9e2a/{name}.py"
    for name in ("preprocess", "train", "evaluate")
}
CONTRACT_TYPES = ("month-to-month", "one-year", "two-year")
HYPERPARAMETERS = {
    "max_iter": 200,
    "learning_rate": 0.05,
    "max_leaf_nodes": 15,
    "min_samples_leaf": 20,
    "l2_regularization": 1.0,
    "random_state": 42,
    "checkpoint_every": 25,
}
LONG_HYPERPARAMETER = ",".join(f"feature_{n:03d}" for n in range(30))
"""359 characters: longer than a container argument (256), well within a hyperparameter (2,500)."""


TRACKING_SERVER = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:mlflow-tracking-server/mlops-dev-tracking"
TRACKING_ROLE = f"arn:aws:iam::{ACCOUNT}:role/mlops-dev-experiment-tracking-job"
TRACK_SCRIPT = f"s3://{BUCKET}/pipelines/{PIPELINE}/code/9a8b7c6d/track_experiment.py"


PLATFORM_COMMIT = "0123456789abcdef0123456789abcdef01234567"
FAMILY_CODE = "5f3c9e2a" * 8
MANIFEST_SCRIPT = f"s3://{BUCKET}/pipelines/{PIPELINE}/code/7e6d5c4b/dataset_manifest.py"


def lineage_settings(**overrides: Any) -> LineageSettings:
    values: dict[str, Any] = {
        "platform_commit": PLATFORM_COMMIT,
        "family_code_sha256": FAMILY_CODE,
        "manifest_script_uri": MANIFEST_SCRIPT,
    }
    values.update(overrides)
    return LineageSettings(**values)


def tracking_settings(**overrides: Any) -> ExperimentTrackingSettings:
    values: dict[str, Any] = {
        "tracking_server_arn": TRACKING_SERVER,
        "role_arn": TRACKING_ROLE,
        "script_uri": TRACK_SCRIPT,
    }
    values.update(overrides)
    return ExperimentTrackingSettings(**values)


def make_settings(**overrides: Any) -> TrainingPipelineSettings:
    values: dict[str, Any] = {
        "pipeline_name": PIPELINE,
        "region": REGION,
        "account_id": ACCOUNT,
        "role_arn": ROLE,
        "artifact_bucket": BUCKET,
        "kms_key_arn": KMS_KEY,
        "subnet_ids": SUBNETS,
        "security_group_ids": SECURITY_GROUPS,
        "model_package_group_name": "customer-churn",
        "approval_status": "Approved",
        "metric_path": "metrics.auc.value",
        "metric_threshold": 0.75,
        "input_data_uri": f"s3://mlops-dev-data-{ACCOUNT}/churn/extract/",
        "script_uris": SCRIPT_URIS,
        # What the churn family's stack-file training says (models/customer-churn).
        "framework": "sklearn",
        "framework_version": "1.2-1",
        "label_column": "churned",
        "identifier_columns": ("customer_id", "event_time"),
        "problem_type": "BinaryClassification",
        "evaluation_metrics": ("auc", "accuracy", "f1"),
        "hyperparameters": HYPERPARAMETERS,
        "metric_definitions": (("validation:auc", "validation_auc=([0-9.]+);"),),
        # What TrainingPipeline always passes: every registered version records its lineage.
        "lineage": lineage_settings(),
    }
    values.update(overrides)
    return TrainingPipelineSettings(**values)


def forecast_settings(**overrides: Any) -> TrainingPipelineSettings:
    """The demand-forecast family's stack-file training (models/demand-forecast): XGBoost, regression."""
    pipeline = "demand-forecast-training"
    values: dict[str, Any] = {
        "pipeline_name": pipeline,
        "model_package_group_name": "demand-forecast",
        "approval_status": "PendingManualApproval",
        "metric_path": "metrics.rmse.value",
        "metric_threshold": 12.0,
        "metric_direction": "minimize",
        "input_data_uri": f"s3://mlops-dev-data-{ACCOUNT}/training-data/demand-forecast/",
        "script_uris": {
            name: f"s3://{BUCKET}/pipelines/{pipeline}/code/9a8b7c6d/{name}.py"
            for name in ("preprocess", "train", "evaluate")
        },
        "framework": "xgboost",
        "framework_version": "3.0-5",
        "label_column": "units_sold",
        "identifier_columns": ("store_id", "sku", "week_start"),
        "problem_type": "Regression",
        "evaluation_metrics": ("rmse", "mae", "r2", "wape"),
        "hyperparameters": {"num_round": 300, "max_depth": 6, "eta": 0.1},
        "metric_definitions": (("validation:rmse", "validation_rmse=([0-9.]+);"),),
        "enable_network_isolation": True,
    }
    values.update(overrides)
    return make_settings(**values)


def churn_extract(rows: int = 400, seed: int = 7) -> pd.DataFrame:
    """A raw extract with a learnable signal: month-to-month contracts, short tenure, high charges
    and many support calls churn more."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    contract = rng.choice(CONTRACT_TYPES, rows, p=[0.5, 0.3, 0.2])
    tenure = rng.integers(0, 72, rows)
    monthly = rng.uniform(20, 120, rows).round(2)
    calls = rng.poisson(1.5, rows)
    logit = -0.5 + 2.5 * (contract == "month-to-month") - 0.06 * tenure + 0.02 * (monthly - 70) + 0.7 * calls
    churned = (rng.uniform(size=rows) < 1 / (1 + np.exp(-logit))).astype(int)
    return pd.DataFrame(
        {
            "customer_id": [f"cust-{index:05d}" for index in range(rows)],
            "event_time": (1.7e9 + rng.uniform(0, 3e7, rows)).round(3),
            "tenure_months": tenure,
            "monthly_charges": monthly,
            "total_charges": (monthly * np.maximum(tenure, 1)).round(2),
            "contract_type": contract,
            "support_calls_90d": calls,
            "churned": churned,
        }
    )


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    return path


def steps_by_name(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {step["Name"]: step for step in iter_steps(definition["Steps"])}


def job_steps(definition: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for step in iter_steps(definition["Steps"]) if step["Type"] in ("Processing", "Training")]


_STEP_REFERENCE = re.compile(r"^Steps\.(?P<step>[A-Za-z0-9-]+)\.")


def expressions(node: Any) -> Iterator[str]:
    """Every ``{"Get": ...}`` expression below ``node``."""
    if isinstance(node, dict):
        if isinstance(node.get("Get"), str):
            yield node["Get"]
        for value in node.values():
            yield from expressions(value)
    elif isinstance(node, list):
        for item in node:
            yield from expressions(item)


def referenced_steps(step: dict[str, Any]) -> set[str]:
    """Steps whose properties ``step`` reads: the data dependencies SageMaker orders by. A
    condition's branches are their own steps, so they are not searched here."""
    arguments = dict(step.get("Arguments", {}))
    arguments.pop("IfSteps", None)
    arguments.pop("ElseSteps", None)
    names = {match["step"] for match in map(_STEP_REFERENCE.match, expressions(arguments)) if match}
    return names | set(step.get("DependsOn", []))


EXECUTION_ID = "k4fz8a2x1c9q"
"""A pipeline execution id, as SageMaker generates them, for rendering execution-scoped URIs."""


def rendered(node: Any, execution_id: str = EXECUTION_ID) -> Any:
    """``node`` as SageMaker evaluates it in execution ``execution_id``: ``Std:Join``s joined and
    the execution id filled in. Any other ``Get`` (a step property, a parameter) is an error here."""
    if isinstance(node, dict) and "Std:Join" in node:
        join = node["Std:Join"]
        return join["On"].join(str(rendered(value, execution_id)) for value in join["Values"])
    if isinstance(node, dict) and "Get" in node:
        if node["Get"] != "Execution.PipelineExecutionId":
            raise ValueError(f"cannot render {node['Get']} offline")
        return execution_id
    if isinstance(node, dict):
        return {key: rendered(value, execution_id) for key, value in node.items()}
    if isinstance(node, list):
        return [rendered(item, execution_id) for item in node]
    return node
