"""Score the trained demand forecaster on the latest weeks and write the evaluation report.

Runs as the ``Evaluate`` processing job on the SageMaker XGBoost image (Python 3.10); the platform
passes the stack file's label, identifiers and metrics (models/README.md):

    python3 evaluate.py --label units_sold --metrics rmse,mae,r2 [--identifiers ...]
                        [--model /opt/ml/processing/model] [--test /opt/ml/processing/test]
                        [--features /opt/ml/processing/features]
                        [--output-dir /opt/ml/processing/evaluation]
                        [--predictions-dir /opt/ml/processing/predictions]
                        [--baseline-dir /opt/ml/processing/baseline]

The model is scored the way the endpoint will serve it: through the inference functions of the
``code/train.py`` inside the model archive (``model_fn``, ``predict_fn``), not a re-implementation.

Writes ``<output-dir>/evaluation.json`` (``{"metrics": {"rmse": {"value": ...}, ...}}``, exactly the
metrics ``--metrics`` asks for; a name this family cannot compute, or a metric the test split leaves
undefined, stops the job),
``<predictions-dir>/predictions.csv`` (``prediction,label``: the regression contract the
model-quality baseline reads) and ``<baseline-dir>/baseline.csv`` (the forecast, then the request's
features: what Model Monitor captures, the data-quality baseline's dataset).

Exit status: 0 written, 2 unusable model or test data, or a metric this family cannot compute.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import math
import os
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

ARCHIVE = "model.tar.gz"
SERVING_MODULE = Path("code") / "train.py"
REPORT_FILE = "evaluation.json"
PREDICTIONS_FILE = "predictions.csv"
BASELINE_FILE = "baseline.csv"
RESPONSE_COLUMN = "prediction"


class EvaluationError(ValueError):
    """The model or the test split cannot be evaluated; the message says which and why."""


def _ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``; NaN (undefined, which ``report`` refuses) where the denominator is 0."""
    return float(numerator) / float(denominator) if denominator else math.nan


def _r2(label: Any, prediction: Any) -> float:
    """1 - residual / total sum of squares; NaN when every actual is the same. Tested on the values,
    not the sum: rounding leaves a tiny total for equal fractions (0.1 three times), and r2 would be
    a made-up -2e34 instead of undefined."""
    if np.ptp(label) == 0:
        return math.nan
    return 1 - _ratio(np.sum((label - prediction) ** 2), np.sum((label - label.mean()) ** 2))


METRICS = {
    "rmse": lambda p: float(np.sqrt(np.mean((p["prediction"] - p["label"]) ** 2))),
    "mae": lambda p: float(np.mean(np.abs(p["prediction"] - p["label"]))),
    "r2": lambda p: _r2(p["label"], p["prediction"]),
    "wape": lambda p: _ratio(np.sum(np.abs(p["prediction"] - p["label"])), np.sum(p["label"])),
}
"""What this family can report: rmse, mae and wape are lower-is-better, r2 higher-is-better. r2 is
undefined when every actual is the same, wape when the actuals sum to 0."""


def _extract(archive: Path, into: Path) -> Path:
    """Unpack a model archive, refusing members that would land outside ``into``."""
    root = into.resolve()
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar.getmembers():
            target = (root / member.name).resolve()
            if (target != root and root not in target.parents) or member.issym() or member.islnk():
                raise EvaluationError(f"{archive}: refusing unsafe archive member {member.name!r}")
        if hasattr(tarfile, "data_filter"):  # Python >= 3.10.12 / 3.11.4; older ones rely on the check
            tar.extractall(root, filter="data")
        else:
            tar.extractall(root)
    return root


class ServedModel:
    """The model as the endpoint serves it: its own inference module and model_fn."""

    def __init__(self, directory: Path) -> None:
        module_path = directory / SERVING_MODULE
        if not module_path.is_file():
            raise EvaluationError(f"the model has no {SERVING_MODULE} (its inference script)")
        spec = importlib.util.spec_from_file_location("served_model", module_path)
        assert spec is not None and spec.loader is not None
        self.module: ModuleType = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = self.module  # its dataclasses resolve annotations through sys.modules
        spec.loader.exec_module(self.module)
        self.model = self.module.model_fn(str(directory))
        self.features: tuple[str, ...] = tuple(self.module.FEATURES)

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.module.predict_fn(frame[list(self.features)], self.model), dtype=float)


def load_model(location: Path, scratch: Path) -> ServedModel:
    """From a directory holding ``model.tar.gz`` (what SageMaker hands the job), the archive, or
    an unpacked model directory."""
    location = Path(location)
    if location.is_dir() and (location / SERVING_MODULE).is_file():
        return ServedModel(location)
    archive = location / ARCHIVE if location.is_dir() else location
    if not archive.is_file():
        raise EvaluationError(f"no model or {ARCHIVE} at {location}")
    return ServedModel(_extract(archive, scratch))


def _read_csvs(directory: Path) -> pd.DataFrame:
    files = sorted(path for path in Path(directory).rglob("*.csv") if path.is_file())
    if not files:
        raise EvaluationError(f"no CSV files under {directory}")
    return pd.concat([pd.read_csv(path) for path in files], ignore_index=True)


def predict(model: ServedModel, test: pd.DataFrame, label: str) -> pd.DataFrame:
    missing = [column for column in (*model.features, label) if column not in test.columns]
    if missing:
        raise EvaluationError(f"the test split is missing column(s) {', '.join(missing)}")
    return pd.DataFrame({"prediction": model.predict(test), "label": test[label].astype(float).to_numpy()})


def report(predictions: pd.DataFrame, metrics: tuple[str, ...]) -> dict:
    unknown = [name for name in metrics if name not in METRICS]
    if unknown:
        raise EvaluationError(
            f"the stack file asks for metric(s) {', '.join(unknown)}; this family's evaluation computes "
            f"{', '.join(METRICS)} (models[].training.metrics)"
        )
    if len(predictions) < 2:
        raise EvaluationError("the test split has fewer than 2 rows")
    values = {name: METRICS[name](predictions) for name in metrics}
    undefined = [name for name, value in values.items() if not math.isfinite(value)]
    if undefined:
        # NaN or Infinity is no JSON number: CheckMetric, the registry and the promotion gate read it.
        raise EvaluationError(
            f"metric(s) {', '.join(undefined)} cannot be computed on this test split (r2 needs actuals "
            "that vary, wape actuals that sum to more than 0)"
        )
    return {"metrics": {name: {"value": value} for name, value in values.items()}}


def data_quality_baseline(model: ServedModel, features: pd.DataFrame) -> pd.DataFrame:
    """Each row as Model Monitor captures it: the served forecast, then the request."""
    if list(features.columns) != list(model.features):
        raise EvaluationError(f"the baseline features must be {', '.join(model.features)} in this order")
    return pd.concat([pd.DataFrame({RESPONSE_COLUMN: model.predict(features)}), features], axis=1)


def _write(frame_or_report: pd.DataFrame | dict, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(frame_or_report, dict):
        path.write_text(json.dumps(frame_or_report, indent=2, sort_keys=True) + "\n")
    else:
        frame_or_report.to_csv(path, index=False)
    return path


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--label", required=True)
    parser.add_argument("--identifiers", default="")
    parser.add_argument("--metrics", required=True, help="comma-separated metrics to report")
    parser.add_argument("--model", type=Path, default=Path("/opt/ml/processing/model"))
    parser.add_argument("--test", type=Path, default=Path("/opt/ml/processing/test"))
    parser.add_argument("--features", type=Path, default=Path("/opt/ml/processing/features"))
    parser.add_argument("--output-dir", type=Path, default=Path("/opt/ml/processing/evaluation"))
    parser.add_argument("--predictions-dir", type=Path, default=Path("/opt/ml/processing/predictions"))
    parser.add_argument("--baseline-dir", type=Path, default=Path("/opt/ml/processing/baseline"))
    return parser.parse_args(argv)


# --- Experiment tracking: MLflow, where the platform asks for it ------------------------------


@contextlib.contextmanager
def tracked_run() -> Iterator[Any]:
    """The pipeline execution's MLflow run (the ``mlflow`` module, inside it), or None.

    Where ``MLFLOW_TRACKING_URI`` (a server's ARN, which the sagemaker-mlflow plugin resolves, or
    a local store), ``MLFLOW_EXPERIMENT_NAME`` and ``MLFLOW_RUN_NAME`` are set (a notebook, a local
    run, a step that is not network-isolated), this logs. The platform's own pipeline steps are
    network-isolated and never get them: its TrackExperiment step logs each execution instead. Train and Evaluate of one execution log to one
    run: the first creates it, the second finds it by name. Without the variables, or without
    mlflow in the image (the scikit-learn and XGBoost framework images have none), nothing is
    logged and the step runs as it would untracked. An unreachable server fails the step: a model
    whose run is missing would be registered with a link to nothing.
    """
    uri = os.environ.get("MLFLOW_TRACKING_URI")
    if not uri:
        yield None
        return
    try:
        import mlflow
    except ImportError:
        print("MLFLOW_TRACKING_URI is set but mlflow is not installed in this image: not tracking")
        yield None
        return
    mlflow.set_tracking_uri(uri)
    experiment = mlflow.set_experiment(os.environ.get("MLFLOW_EXPERIMENT_NAME") or "Default")
    name = os.environ.get("MLFLOW_RUN_NAME") or None
    found = []
    if name:
        found = mlflow.search_runs(
            [experiment.experiment_id],
            filter_string="attributes.run_name = '{}'".format(name.replace("'", "")),
            max_results=1,
            output_format="list",
        )
    run_id = found[0].info.run_id if found else None
    with mlflow.start_run(run_id=run_id, run_name=None if run_id else name):
        yield mlflow


def log_evaluation(report: dict, report_path: Path) -> None:
    """The report's metrics (``test_<name>``) and the report itself, on the execution's MLflow run."""
    with tracked_run() as mlflow:
        if mlflow is not None:
            mlflow.log_metrics({f"test_{name}": entry["value"] for name, entry in report["metrics"].items()})
            mlflow.log_artifact(str(report_path), artifact_path="evaluation")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        try:
            model = load_model(args.model, Path(scratch))
            predictions = predict(model, _read_csvs(args.test), args.label)
            metrics = report(predictions, tuple(name for name in args.metrics.split(",") if name))
            baseline = data_quality_baseline(model, _read_csvs(args.features))
        except EvaluationError as error:
            print(f"evaluation failed: {error}", file=sys.stderr)
            return 2
    summary = ", ".join(f"{name}={entry['value']:.4f}" for name, entry in metrics["metrics"].items())
    report_path = _write(metrics, args.output_dir / REPORT_FILE)
    print(f"{summary} -> {report_path}")
    log_evaluation(metrics, report_path)
    print(f"{len(predictions)} predictions -> {_write(predictions, args.predictions_dir / PREDICTIONS_FILE)}")
    print(f"{len(baseline)} baseline rows -> {_write(baseline, args.baseline_dir / BASELINE_FILE)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
