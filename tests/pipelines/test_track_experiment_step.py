"""The platform's TrackExperiment step script against a local MLflow file store: one run with the
execution's parameters, metrics and tags, and the run id in the property file RegisterModel reads."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "components" / "training" / "steps" / "track_experiment.py"


def _script():
    spec = importlib.util.spec_from_file_location("track_experiment", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    uri = (tmp_path / "mlruns").as_uri()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    # MLflow 3 keeps the file store for local use behind this switch (the server is a database).
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    return uri


def _arguments(output: Path, run_name: str = "exec-1") -> list[str]:
    return [
        "--experiment", "dev-customer-churn",
        "--run-name", run_name,
        "--param", "label=churned",
        "--param", "max_iter=200",
        "--metric", "auc=0.91",
        "--metric", "f1=0.5",
        "--tag", "sagemaker.training_job=dev-churn-train-abc",
        "--tag", "model.artifact_uri=s3://artifacts/models/p/job/output/model.tar.gz",
        "--output", str(output),
    ]  # fmt: skip


def test_logs_one_run_and_writes_its_id_to_the_property_file(store: str, tmp_path: Path) -> None:
    from mlflow.tracking import MlflowClient  # here, not at collection: mlflow is a heavy import

    output = tmp_path / "tracking"
    assert _script().main(_arguments(output)) == 0

    record = json.loads((output / "run.json").read_text())
    run = MlflowClient(tracking_uri=store).get_run(record["run_id"])
    assert run.info.run_name == "exec-1"
    assert run.info.status == "FINISHED"
    assert run.info.experiment_id == record["experiment_id"]
    assert run.data.params == {"label": "churned", "max_iter": "200"}
    assert run.data.metrics == {"auc": 0.91, "f1": 0.5}
    assert run.data.tags["sagemaker.training_job"] == "dev-churn-train-abc"
    assert run.data.tags["model.artifact_uri"] == "s3://artifacts/models/p/job/output/model.tar.gz"
    experiment = MlflowClient(tracking_uri=store).get_experiment(record["experiment_id"])
    assert experiment.name == "dev-customer-churn"


def test_a_second_execution_is_a_second_run_of_the_same_experiment(store: str, tmp_path: Path) -> None:
    script = _script()
    script.main(_arguments(tmp_path / "one", "exec-1"))
    script.main(_arguments(tmp_path / "two", "exec-2"))
    first = json.loads((tmp_path / "one" / "run.json").read_text())
    second = json.loads((tmp_path / "two" / "run.json").read_text())
    assert first["experiment_id"] == second["experiment_id"]
    assert first["run_id"] != second["run_id"]


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--metric", "auc=high", "not a number"),
        ("--metric", "auc=nan", "not a finite number"),
        ("--param", "no-separator", "must be KEY=VALUE"),
    ],
)
def test_malformed_values_fail_the_step_without_a_property_file(
    store: str, tmp_path: Path, option: str, value: str, message: str
) -> None:
    output = tmp_path / "tracking"
    with pytest.raises(SystemExit, match=message):
        _script().main([*_arguments(output), option, value])
    assert not (output / "run.json").exists()


def test_without_a_tracking_uri_the_step_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    with pytest.raises(SystemExit, match="MLFLOW_TRACKING_URI"):
        _script().main(_arguments(tmp_path / "tracking"))
