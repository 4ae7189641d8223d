"""The families' Train and Evaluate steps log one MLflow run per pipeline execution when the platform
sets the tracking variables, and nothing otherwise (also when the image has no mlflow).

The store is a local MLflow file store (``file://``), the run name a pipeline execution id; the
scripts run as the pipeline runs them (same arguments, container paths overridden).
"""

from __future__ import annotations

import inspect
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest
from threadpoolctl import threadpool_limits

from tests.family_steps import archive, load_step
from tests.models.test_demand_forecast_steps import weekly_extract
from tests.pipelines.churn_fixtures import churn_extract, write_csv

EXECUTION_ID = "a1b2c3d4e5f6"
"""What the platform passes as MLFLOW_RUN_NAME: the pipeline execution id."""


@dataclass(frozen=True)
class Family:
    name: str
    label: str
    identifiers: tuple[str, ...]
    metrics: tuple[str, ...]
    train_args: tuple[str, ...]
    validation_metric: str
    model_file: str
    extract: Callable[[], object]

    def step(self, step: str) -> ModuleType:
        return load_step(self.name, step)

    @property
    def schema_args(self) -> list[str]:
        return ["--label", self.label, "--identifiers", ",".join(self.identifiers)]


FAMILIES = {
    "customer-churn": Family(
        "customer-churn",
        "churned",
        ("customer_id", "event_time"),
        ("auc", "accuracy", "f1"),
        ("--max-iter", "20", "--checkpoint-every", "20", "--learning-rate", "0.2"),
        "validation_auc",
        "model.joblib",
        churn_extract,
    ),
    "demand-forecast": Family(
        "demand-forecast",
        "units_sold",
        ("store_id", "sku", "week_start"),
        ("rmse", "mae"),
        ("--num-round", "30", "--max-depth", "4"),
        "validation_rmse",
        "xgboost-model.json",
        weekly_extract,
    ),
}


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    # threadpoolctl limits the libraries loaded when the block starts: the step scripts (their
    # OpenMP and BLAS runtimes) are loaded first, here rather than when the module is collected.
    for family in FAMILIES.values():
        for step in ("preprocess", "train", "evaluate"):
            family.step(step)
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(autouse=True)
def _no_active_run():
    # mlflow is imported by the tests (about a second of CPU), not by collecting this module.
    import mlflow

    yield
    while mlflow.active_run() is not None:  # a failed assertion must not leak a run into the next test
        mlflow.end_run()


@pytest.fixture(scope="module")
def splits(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """preprocess.py output of each family's seeded extract."""
    result = {}
    for name, family in FAMILIES.items():
        root = tmp_path_factory.mktemp(name)
        write_csv(family.extract(), root / "raw" / "extract.csv")
        argv = [*family.schema_args, "--input-dir", str(root / "raw"), "--output-dir", str(root / "out")]
        assert family.step("preprocess").main(argv) == 0
        result[name] = root / "out"
    return result


def _run_steps(family: Family, splits: Path, work: Path) -> None:
    """Train, then Evaluate on the archived model, as one pipeline execution."""
    model_dir = work / "model"
    train_argv = ["--train", str(splits / "train"), "--validation", str(splits / "validation")]
    assert (
        family.step("train").main(
            [*train_argv, "--model-dir", str(model_dir), "--label", family.label, *family.train_args]
        )
        == 0
    )
    preprocess = family.step("preprocess")
    evaluate_argv = [
        *family.schema_args,
        *("--metrics", ",".join(family.metrics)),
        *("--model", str(archive(model_dir, work / "archive")), "--test", str(splits / "test")),
        *("--features", str(splits / preprocess.BASELINE), "--output-dir", str(work / "eval")),
        *("--predictions-dir", str(work / "predictions"), "--baseline-dir", str(work / "baseline")),
    ]
    assert family.step("evaluate").main(evaluate_argv) == 0


def _track(
    monkeypatch: pytest.MonkeyPatch, store: Path, experiment: str, run_name: str = EXECUTION_ID
) -> str:
    uri = "file://" + str(store)
    # MLflow 3 keeps the file store for tests like this one only on request.
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("MLFLOW_EXPERIMENT_NAME", experiment)
    monkeypatch.setenv("MLFLOW_RUN_NAME", run_name)
    return uri


@pytest.mark.parametrize("name", FAMILIES)
def test_train_and_evaluate_log_one_run_with_params_metrics_and_the_model(
    name: str, splits: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlflow.tracking import MlflowClient

    family = FAMILIES[name]
    uri = _track(monkeypatch, tmp_path / "mlruns", family.name)
    _run_steps(family, splits[name], tmp_path / "work")

    client = MlflowClient(tracking_uri=uri)
    experiment = client.get_experiment_by_name(family.name)
    [run] = client.search_runs([experiment.experiment_id])
    assert run.info.run_name == EXECUTION_ID
    assert run.info.status == "FINISHED"
    hyperparameters = family.step("train").Hyperparameters()
    assert set(run.data.params) == {"label", *vars(hyperparameters)}
    assert run.data.params["label"] == family.label
    report = (tmp_path / "work" / "eval" / "evaluation.json").read_text()
    values = {m: entry["value"] for m, entry in json.loads(report)["metrics"].items()}
    assert set(run.data.metrics) == {family.validation_metric, *(f"test_{m}" for m in family.metrics)}
    for metric, value in values.items():
        assert run.data.metrics[f"test_{metric}"] == pytest.approx(value)
    model = {a.path for a in client.list_artifacts(run.info.run_id, "model")}
    assert model == {f"model/{family.model_file}", "model/code"}
    assert {a.path for a in client.list_artifacts(run.info.run_id, "model/code")} == {"model/code/train.py"}
    assert [a.path for a in client.list_artifacts(run.info.run_id, "evaluation")] == [
        "evaluation/evaluation.json"
    ]


def test_each_execution_gets_its_own_run_in_the_familys_experiment(
    splits: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlflow.tracking import MlflowClient

    family = FAMILIES["customer-churn"]
    for execution in ("first0execution", "second0execution"):
        uri = _track(monkeypatch, tmp_path / "mlruns", family.name, execution)
        _run_steps(family, splits[family.name], tmp_path / execution)
    client = MlflowClient(tracking_uri=uri)
    runs = client.search_runs([client.get_experiment_by_name(family.name).experiment_id])
    assert sorted(run.info.run_name for run in runs) == ["first0execution", "second0execution"]
    assert all(len(run.data.metrics) == 1 + len(family.metrics) for run in runs)


@pytest.mark.parametrize("name", FAMILIES)
def test_without_a_tracking_uri_nothing_is_logged(
    name: str, splits: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlflow

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.chdir(tmp_path)
    _run_steps(FAMILIES[name], splits[name], tmp_path / "work")
    assert not (tmp_path / "mlruns").exists()
    assert mlflow.active_run() is None


@pytest.mark.parametrize("name", FAMILIES)
def test_an_image_without_mlflow_runs_the_steps_untracked(
    name: str, splits: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    _track(monkeypatch, tmp_path / "mlruns", name)
    monkeypatch.setitem(sys.modules, "mlflow", None)  # `import mlflow` raises ImportError
    _run_steps(FAMILIES[name], splits[name], tmp_path / "work")
    assert "mlflow is not installed in this image: not tracking" in capsys.readouterr().out
    assert not (tmp_path / "mlruns").exists()


def test_the_four_scripts_share_one_tracking_helper() -> None:
    """Each script is self-contained (one file per job): the copies must stay equal."""
    sources = {
        (family, step): inspect.getsource(load_step(family, step).tracked_run)
        for family in FAMILIES
        for step in ("train", "evaluate")
    }
    assert len(set(sources.values())) == 1, sorted(sources)
