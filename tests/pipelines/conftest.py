"""Definitions of the shapes the stacks use, built once per session (the JSON is immutable): the
churn family on dev and prod settings, and the demand-forecast family (XGBoost regression)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from components.training.definition import TrainingPipelineSettings
from pipelines.model_card import data_key_alias
from tests.aws_sessions import mocked_aws
from tests.pipelines.churn_fixtures import (
    HYPERPARAMETERS,
    LONG_HYPERPARAMETER,
    forecast_settings,
    make_settings,
    tracking_settings,
)
from tests.pipelines.definitions import built_definition
from tests.recorded import computed_once
from tests.shared_clients import shared_client

CARD_REGION = "eu-west-1"
CARD_ACCOUNT = "222222222222"
"""The staging fixture stack's account, whose registry ``card_aws`` stands for."""
CARD_BUCKET = "artifacts-test"
"""Where the versions of ``card_aws`` keep their evaluation reports."""
CARD_GROUP = "staging-customer-churn"
"""The model package group of ``card_aws``: the staging fixture's churn family (staging's data key)."""


@pytest.fixture
def card_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """A moto account for model cards: its ``sagemaker``, ``s3`` and ``kms`` clients, the group
    :data:`CARD_GROUP`, the reports' bucket :data:`CARD_BUCKET`, staging's data key under its alias
    (``key_arn``), and ``requests``: the parameters of every CreateModelCard call made."""
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(variable, "testing")
    # The staging fixture's account: the CLI refuses a version of another account than the stack's.
    monkeypatch.setenv("MOTO_ACCOUNT_ID", CARD_ACCOUNT)
    with mocked_aws(CARD_REGION):
        clients = {name: shared_client(name, CARD_REGION) for name in ("sagemaker", "s3", "kms")}
        clients["s3"].create_bucket(
            Bucket=CARD_BUCKET, CreateBucketConfiguration={"LocationConstraint": CARD_REGION}
        )
        clients["sagemaker"].create_model_package_group(ModelPackageGroupName=CARD_GROUP)
        key = clients["kms"].create_key(Description="data")["KeyMetadata"]
        clients["kms"].create_alias(AliasName=data_key_alias("staging"), TargetKeyId=key["KeyId"])
        clients["key_arn"] = key["Arn"]
        requests: list[dict[str, Any]] = []
        clients["sagemaker"].meta.events.register(
            "provide-client-params.sagemaker.CreateModelCard",
            lambda params, **_: requests.append(dict(params)),
        )
        clients["requests"] = requests
        yield clients


@pytest.fixture(scope="session")
def dev_settings() -> TrainingPipelineSettings:
    """On-demand CPU training, auto-approval, network isolation switched off."""
    return make_settings(approval_status="Approved", enable_network_isolation=False)


@pytest.fixture(scope="session")
def prod_settings() -> TrainingPipelineSettings:
    """Managed spot on a GPU instance, manual approval, network isolation on."""
    return make_settings(
        approval_status="PendingManualApproval",
        metric_threshold=0.8,
        training_instance_type="ml.g5.xlarge",
        use_spot_instances=True,
        max_run_seconds=3600,
        max_wait_seconds=7200,
        enable_network_isolation=True,
    )


_FRESH_BUILD = """
import json, os, socket, threading
attempts, threads, start_thread = [], [], threading.Thread.start
def refuse(sock, address, *args):
    attempts.append(repr(address))
    raise OSError("network is cut")
def record_thread(thread):
    threads.append(thread.name)
    start_thread(thread)
socket.socket.connect = socket.socket.connect_ex = refuse
threading.Thread.start = record_thread
environment = dict(os.environ)
from components.training.definition import build_definition
from tests.pipelines.churn_fixtures import forecast_settings, make_settings
definition = build_definition(make_settings(approval_status="Approved", enable_network_isolation=False))
import boto3, pydantic, sys
sdk_models = {id(value): value for name, module in list(sys.modules.items())
              if name.startswith("sagemaker") and module is not None for value in vars(module).values()
              if isinstance(value, type) and issubclass(value, pydantic.BaseModel)
              and value.__module__.startswith("sagemaker")}
print(json.dumps({"attempts": attempts, "threads": threads, "definition": definition,
                  "environment_restored": dict(os.environ) == environment,
                  "default_session": repr(boto3.DEFAULT_SESSION),
                  "sdk_models": [len(sdk_models), sum(m.__pydantic_complete__ for m in sdk_models.values())]}))
"""


def _build_in_a_fresh_process(home: Path) -> dict[str, Any]:
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith(("AWS_", "SAGEMAKER_"))
    }
    environment.update(HOME=str(home), PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    environment.pop("XDG_CONFIG_HOME", None)
    result = subprocess.run(
        [sys.executable, "-c", _FRESH_BUILD],
        cwd=home,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # A failure is raised, not returned: computed_once caches only what returns.
    assert result.returncode == 0, f"exit status {result.returncode}: {result.stderr[-3000:]}"
    return {"stdout": result.stdout, "stderr": result.stderr}


@pytest.fixture(scope="session")
def fresh_process_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The dev definition built by a new interpreter with every socket refused (and every thread
    start recorded), no AWS_* or SAGEMAKER_* variables and an empty HOME (see
    test_training_pipeline_offline): its output, computed once per version of the code and of this
    file and shared by the workers and later runs (tests.recorded.computed_once); a build that exits
    with another status than 0 is raised to every test that asks, and built again in the next run."""
    return computed_once(
        "fresh-process-build", lambda: _build_in_a_fresh_process(tmp_path_factory.mktemp("empty-home"))
    )


@pytest.fixture(scope="session")
def forecast_settings_() -> TrainingPipelineSettings:
    """XGBoost regression gated on RMSE (lower is better), manual approval, network isolation on."""
    return forecast_settings()


@pytest.fixture(scope="session")
def forecast_json(forecast_settings_: TrainingPipelineSettings) -> str:
    return built_definition(forecast_settings_)


@pytest.fixture(scope="session")
def dev_json(dev_settings: TrainingPipelineSettings) -> str:
    return built_definition(dev_settings)


@pytest.fixture(scope="session")
def prod_json(prod_settings: TrainingPipelineSettings) -> str:
    return built_definition(prod_settings)


@pytest.fixture(scope="session")
def tracked_settings() -> TrainingPipelineSettings:
    """The prod shape with an MLflow tracking server: TrackExperiment and the package's run link."""
    return make_settings(
        approval_status="PendingManualApproval",
        training_instance_type="ml.g5.xlarge",
        enable_network_isolation=True,
        experiment_tracking=tracking_settings(),
        # Longer than a container argument may be: the training job gets it whole, the run a cut copy.
        hyperparameters={**HYPERPARAMETERS, "columns": LONG_HYPERPARAMETER},
    )


@pytest.fixture(scope="session")
def tracked_json(tracked_settings: TrainingPipelineSettings) -> str:
    return built_definition(tracked_settings)


@pytest.fixture(params=["dev", "prod", "forecast", "tracked"])
def built(request: pytest.FixtureRequest) -> tuple[TrainingPipelineSettings, dict[str, Any]]:
    """(settings, parsed definition) for each shape."""
    name = {"forecast": "forecast_settings_"}.get(request.param, f"{request.param}_settings")
    settings = request.getfixturevalue(name)
    return settings, json.loads(request.getfixturevalue(f"{request.param}_json"))
