"""Score the trained churn model on the held-out test split and write the evaluation report.

Runs as the ``Evaluate`` processing job (SageMaker scikit-learn container, Python 3.9); the
platform passes the stack file's label, identifiers and metrics (models/README.md):

    python3 evaluate.py --label churned --metrics auc,accuracy,f1 [--identifiers customer_id,...]
                        [--model /opt/ml/processing/model] [--test /opt/ml/processing/test]
                        [--features /opt/ml/processing/features]
                        [--output-dir /opt/ml/processing/evaluation]
                        [--predictions-dir /opt/ml/processing/predictions]
                        [--baseline-dir /opt/ml/processing/baseline]

``--model`` is what SageMaker hands a processing job: a directory holding the training job's
``model.tar.gz`` (or the archive itself, or an unpacked directory with ``model.joblib``). The report,
``<output-dir>/evaluation.json``, has exactly this shape, which the pipeline's ``CheckMetric``
condition (JsonGet ``metrics.auc.value``), the model registry (ModelQuality statistics) and
``pipelines.promotion`` all read; it holds exactly the metrics ``--metrics`` asks for (any of
METRICS; another name stops the job, so a stack file promising a metric this family does not
compute fails here, naming it):

    {"metrics": {"auc": {"value": 0.91}, "accuracy": {"value": 0.87}, "f1": {"value": 0.74}}}

The scores the report is computed from go to ``<predictions-dir>/predictions.csv`` (header
``probability,prediction,label``: churn probability, the 0/1 prediction at THRESHOLD, the true
label), the dataset of the pipeline's model-quality baseline.

The data-quality baseline's dataset, ``<baseline-dir>/baseline.csv``, is what Model Monitor will
capture for each request, in its order: the response (the churn probability, as ``predict_fn``
serves it) first, then the request's columns. The rows are the train split's model inputs
(``--features``, written by preprocess.py). With the label in the response's place instead, every
monitoring run would flag the probabilities the endpoint returns as a type and distribution
violation of an integral 0/1 column.

Exit status: 0 written, 2 unusable model or test data, or a metric this family cannot compute.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import joblib
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score, roc_auc_score

FEATURES = ("tenure_months", "monthly_charges", "total_charges", "contract_type", "support_calls_90d")
MODEL_FILE = "model.joblib"
ARCHIVE = "model.tar.gz"
REPORT_FILE = "evaluation.json"
PREDICTIONS_FILE = "predictions.csv"
BASELINE_FILE = "baseline.csv"
RESPONSE_COLUMN = "probability"
"""Header of the response column in the data-quality baseline (Model Monitor captures it first)."""
PREDICTION_COLUMNS = ("probability", "prediction", "label")
THRESHOLD = 0.5
"""Probability above which a customer counts as churning for accuracy and F1 (AUC needs none)."""


class EvaluationError(ValueError):
    """The model or the test split cannot be evaluated; the message says which and why."""


def _extract(archive: Path, into: Path) -> Path:
    """Unpack a model archive, refusing members that would land outside ``into``."""
    root = into.resolve()
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar.getmembers():
            target = (root / member.name).resolve()
            outside = target != root and root not in target.parents
            if outside or member.issym() or member.islnk():
                raise EvaluationError(f"{archive}: refusing unsafe archive member {member.name!r}")
        if hasattr(tarfile, "data_filter"):  # Python >= 3.9.17 / 3.11.4; older ones rely on the check
            tar.extractall(root, filter="data")
        else:
            tar.extractall(root)
    return root


def load_model(location: Path):
    """Load ``model.joblib`` from an archive, a directory holding one, or an unpacked directory."""
    location = Path(location)
    if location.is_dir() and (location / MODEL_FILE).is_file():
        return joblib.load(location / MODEL_FILE)
    archive = location / ARCHIVE if location.is_dir() else location
    if not archive.is_file():
        raise EvaluationError(f"no {MODEL_FILE} or {ARCHIVE} at {location}")
    with tempfile.TemporaryDirectory() as scratch:
        extracted = _extract(archive, Path(scratch))
        if not (extracted / MODEL_FILE).is_file():
            raise EvaluationError(f"{archive} has no {MODEL_FILE}")
        return joblib.load(extracted / MODEL_FILE)


def _read_csvs(directory: Path) -> pd.DataFrame:
    """Every CSV file under ``directory`` (a processing input may hold several), in name order."""
    files = sorted(path for path in Path(directory).rglob("*.csv") if path.is_file())
    if not files:
        raise EvaluationError(f"no CSV files under {directory}")
    return pd.concat([pd.read_csv(path) for path in files], ignore_index=True)


def read_test(directory: Path, label: str) -> pd.DataFrame:
    frame = _read_csvs(directory)
    missing = [column for column in (*FEATURES, label) if column not in frame.columns]
    if missing:
        raise EvaluationError(f"{directory}: missing column(s) {', '.join(missing)}")
    if frame[label].nunique() < 2:
        raise EvaluationError(f"{directory}: the test split holds one class only; AUC is undefined")
    return frame


def predict(model, test: pd.DataFrame, label: str) -> pd.DataFrame:
    """One row per test record: churn probability, the prediction at THRESHOLD, the true label."""
    scores = model.predict_proba(test[list(FEATURES)])[:, 1]
    return pd.DataFrame(
        {
            "probability": scores,
            "prediction": (scores >= THRESHOLD).astype(int),
            "label": test[label].astype(int).to_numpy(),
        },
        columns=list(PREDICTION_COLUMNS),
    )


def read_features(directory: Path) -> pd.DataFrame:
    frame = _read_csvs(directory)
    if list(frame.columns) != list(FEATURES):
        raise EvaluationError(f"{directory}: expected the columns {', '.join(FEATURES)} in this order")
    return frame


def data_quality_baseline(model, features: pd.DataFrame) -> pd.DataFrame:
    """Each row as Model Monitor captures it: the served churn probability, then the request."""
    return pd.concat([pd.DataFrame({RESPONSE_COLUMN: model.predict_proba(features)[:, 1]}), features], axis=1)


METRICS = {
    "auc": lambda p: roc_auc_score(p["label"], p["probability"]),
    "accuracy": lambda p: accuracy_score(p["label"], p["prediction"]),
    "f1": lambda p: f1_score(p["label"], p["prediction"], zero_division=0),
    "precision": lambda p: precision_score(p["label"], p["prediction"], zero_division=0),
    "recall": lambda p: recall_score(p["label"], p["prediction"], zero_division=0),
}
"""What this family can report (all higher-is-better), from the predictions."""


def report(predictions: pd.DataFrame, metrics: tuple[str, ...] = ("auc", "accuracy", "f1")) -> dict:
    """The report: ``{"metrics": {name: {"value": float}}}`` for each of ``metrics``."""
    unknown = [name for name in metrics if name not in METRICS]
    if unknown:
        raise EvaluationError(
            f"the stack file asks for metric(s) {', '.join(unknown)}; this family's evaluation computes "
            f"{', '.join(METRICS)} (models[].training.metrics)"
        )
    values = {name: float(METRICS[name](predictions)) for name in metrics}
    undefined = [name for name, value in values.items() if not math.isfinite(value)]
    if undefined:
        # NaN is no JSON number: CheckMetric, the registry and the promotion gate read the report.
        raise EvaluationError(
            f"metric(s) {', '.join(undefined)} cannot be computed on this test split (auc needs both "
            "classes in it)"
        )
    return {"metrics": {name: {"value": value} for name, value in values.items()}}


def evaluate(
    model, test: pd.DataFrame, label: str, metrics: tuple[str, ...] = ("auc", "accuracy", "f1")
) -> dict:
    return report(predict(model, test, label), metrics)


def write_report(report: dict, output_dir: Path) -> Path:
    output_dir.mkdir(parents=True, exist_ok=True)
    path = output_dir / REPORT_FILE
    path.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    return path


def _write_csv(frame: pd.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    return path


def write_predictions(predictions: pd.DataFrame, predictions_dir: Path) -> Path:
    return _write_csv(predictions, predictions_dir / PREDICTIONS_FILE)


def write_baseline(baseline: pd.DataFrame, baseline_dir: Path) -> Path:
    return _write_csv(baseline, baseline_dir / BASELINE_FILE)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--label", required=True, help="the label column (training.label)")
    parser.add_argument("--identifiers", default="", help="identifier columns (training.identifiers)")
    parser.add_argument(
        "--metrics", required=True, help="comma-separated metrics to report (training.metrics)"
    )
    parser.add_argument("--model", type=Path, default=Path("/opt/ml/processing/model"))
    parser.add_argument("--test", type=Path, default=Path("/opt/ml/processing/test"))
    parser.add_argument("--output-dir", type=Path, default=Path("/opt/ml/processing/evaluation"))
    parser.add_argument("--predictions-dir", type=Path, default=Path("/opt/ml/processing/predictions"))
    parser.add_argument("--features", type=Path, default=Path("/opt/ml/processing/features"))
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
    try:
        model = load_model(args.model)
        predictions = predict(model, read_test(args.test, args.label), args.label)
        metrics = report(predictions, tuple(name for name in args.metrics.split(",") if name))
        baseline = data_quality_baseline(model, read_features(args.features))
    except EvaluationError as error:
        print(f"evaluation failed: {error}", file=sys.stderr)
        return 2
    path = write_report(metrics, args.output_dir)
    summary = ", ".join(f"{name}={entry['value']:.4f}" for name, entry in metrics["metrics"].items())
    print(f"{summary} -> {path}")
    log_evaluation(metrics, path)
    print(f"{len(predictions)} predictions -> {write_predictions(predictions, args.predictions_dir)}")
    print(f"{len(baseline)} baseline rows -> {write_baseline(baseline, args.baseline_dir)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
