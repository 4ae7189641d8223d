"""Train the weekly demand forecaster (XGBoost regression) and serve it.

Runs as the ``Train`` training job on the SageMaker XGBoost image in script mode (Python 3.10);
the training toolkit passes hyperparameters as ``--name value``. The family's hyperparameters come
from the stack file (``models[].training.hyperparameters``); the platform adds ``label``:

    python3 train.py --label units_sold [--train DIR] [--validation DIR] [--model-dir DIR]
                     [--num-round 300] [--max-depth 6] [--eta 0.1] ...

Features are encoded here and only here (``encode``): numbers as they are, the category one-hot
over a fixed list, so training, evaluation and serving see the same columns. The validation RMSE
is printed as ``validation_rmse=<value>;`` for the stack file's metric definition.

This file is also the inference script of the registered model: training copies it to
``<model-dir>/code`` and the model package points ``SAGEMAKER_SUBMIT_DIRECTORY`` there, so serving
needs no code download (endpoints run network-isolated); evaluate.py scores through the same
functions (``model_fn``, ``input_fn``, ``predict_fn``).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import io
import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xgboost as xgb

FEATURES = ("price", "on_promotion", "holiday_week", "units_last_week", "units_4wk_avg", "category")
"""Model inputs, in the order a header-less CSV request lists them."""
NUMERIC = ("price", "on_promotion", "holiday_week", "units_last_week", "units_4wk_avg")
CATEGORIES = ("grocery", "household", "personal-care", "electronics")
MODEL_FILE = "xgboost-model.json"


@dataclasses.dataclass(frozen=True)
class Hyperparameters:
    num_round: int = 300
    max_depth: int = 6
    eta: float = 0.1
    subsample: float = 0.8
    colsample_bytree: float = 0.8
    min_child_weight: float = 1.0
    objective: str = "reg:squarederror"
    seed: int = 42

    def params(self) -> dict[str, object]:
        values = dataclasses.asdict(self)
        values.pop("num_round")
        return {**values, "eval_metric": "rmse", "nthread": os.cpu_count() or 1}


def encode(frame: pd.DataFrame) -> pd.DataFrame:
    """The model's input matrix: numeric features, then one column per known category."""
    missing = [column for column in FEATURES if column not in frame.columns]
    if missing:
        raise ValueError(f"missing feature(s): {', '.join(missing)}")
    encoded = frame[list(NUMERIC)].apply(pd.to_numeric).astype(float)
    category = frame["category"].astype(str)
    for value in CATEGORIES:
        encoded[f"category={value}"] = (category == value).astype(float)
    return encoded.reset_index(drop=True)


def read_split(directory: Path, label: str) -> pd.DataFrame:
    files = sorted(path for path in Path(directory).rglob("*.csv") if path.is_file())
    if not files:
        raise FileNotFoundError(f"no CSV files under {directory}")
    frame = pd.concat([pd.read_csv(path) for path in files], ignore_index=True)
    missing = [column for column in (*FEATURES, label) if column not in frame.columns]
    if missing:
        raise ValueError(f"{directory}: missing column(s) {', '.join(missing)}")
    return frame


def train(
    frame: pd.DataFrame, label: str, hyperparameters: Hyperparameters, validation: pd.DataFrame | None = None
) -> tuple[xgb.Booster, float | None]:
    """The booster, and its validation RMSE when a validation split is given."""
    train_matrix = xgb.DMatrix(encode(frame), label=frame[label].astype(float).to_numpy())
    evals = []
    if validation is not None:
        evals.append(
            (xgb.DMatrix(encode(validation), label=validation[label].astype(float).to_numpy()), "validation")
        )
    history: dict = {}
    booster = xgb.train(
        hyperparameters.params(),
        train_matrix,
        num_boost_round=hyperparameters.num_round,
        evals=evals,
        evals_result=history,
        verbose_eval=False,
    )
    rmse = history["validation"]["rmse"][-1] if validation is not None else None
    return booster, rmse


def save_model(booster: xgb.Booster, model_dir: Path) -> Path:
    """Write the booster plus this script as ``code/`` (the inference entry point)."""
    model_dir.mkdir(parents=True, exist_ok=True)
    path = model_dir / MODEL_FILE
    booster.save_model(str(path))
    code_dir = model_dir / "code"
    code_dir.mkdir(exist_ok=True)
    shutil.copy2(Path(__file__), code_dir / Path(__file__).name)
    return path


def parse_args(argv: list[str] | None) -> tuple[argparse.Namespace, Hyperparameters]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--label", required=True, help="the label column (training.label)")
    parser.add_argument(
        "--train", type=Path, default=Path(os.environ.get("SM_CHANNEL_TRAIN", "/opt/ml/input/data/train"))
    )
    parser.add_argument(
        "--validation",
        type=Path,
        default=Path(os.environ.get("SM_CHANNEL_VALIDATION", "/opt/ml/input/data/validation")),
    )
    parser.add_argument(
        "--model-dir", type=Path, default=Path(os.environ.get("SM_MODEL_DIR", "/opt/ml/model"))
    )
    for field in dataclasses.fields(Hyperparameters):
        parser.add_argument(
            f"--{field.name.replace('_', '-')}",
            f"--{field.name}",
            dest=field.name,
            type=type(field.default),
            default=field.default,
        )
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        print(f"ignoring unknown arguments: {' '.join(unknown)}")
    hyperparameters = Hyperparameters(
        **{field.name: getattr(args, field.name) for field in dataclasses.fields(Hyperparameters)}
    )
    return args, hyperparameters


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


def main(argv: list[str] | None = None) -> int:
    args, hyperparameters = parse_args(argv)
    validation = read_split(args.validation, args.label) if args.validation.is_dir() else None
    with tracked_run() as mlflow:
        booster, rmse = train(read_split(args.train, args.label), args.label, hyperparameters, validation)
        if mlflow is not None:
            mlflow.log_params({"label": args.label, **dataclasses.asdict(hyperparameters)})
        if rmse is not None:
            # The stack file's metric definition (validation:rmse) publishes this line to CloudWatch.
            print(f"validation_rmse={rmse:.6f};")
            if mlflow is not None:
                mlflow.log_metrics({"validation_rmse": float(rmse)})
        print(f"model written to {save_model(booster, args.model_dir)}")
        if mlflow is not None:
            mlflow.log_artifacts(str(args.model_dir), artifact_path="model")
    return 0


# --- Inference: the SageMaker XGBoost serving container calls these (script mode) ------------


def model_fn(model_dir: str) -> xgb.Booster:
    booster = xgb.Booster()
    booster.load_model(os.path.join(model_dir, MODEL_FILE))
    return booster


def input_fn(request_body: str | bytes, content_type: str) -> pd.DataFrame:
    """CSV (header with feature names, or header-less in FEATURES order) or JSON records."""
    text = request_body.decode("utf-8") if isinstance(request_body, bytes) else request_body
    media_type = content_type.split(";")[0].strip().lower()
    if media_type == "text/csv":
        first_row = pd.read_csv(io.StringIO(text), header=None, dtype=str, nrows=1).iloc[0]
        has_header = set(FEATURES) <= {str(cell).strip() for cell in first_row}
        frame = pd.read_csv(io.StringIO(text), header=0 if has_header else None, skipinitialspace=True)
        if not has_header:
            if frame.shape[1] != len(FEATURES):
                raise ValueError(f"a CSV without header needs {len(FEATURES)} columns: {', '.join(FEATURES)}")
            frame.columns = list(FEATURES)
    elif media_type == "application/json":
        payload = json.loads(text)
        records = payload.get("instances", payload) if isinstance(payload, dict) else payload
        frame = pd.DataFrame(records if isinstance(records, list) else [records])
    else:
        raise ValueError(f"unsupported content type {content_type!r}; use text/csv or application/json")
    return frame[list(FEATURES)]


def predict_fn(input_data: pd.DataFrame, model: xgb.Booster) -> np.ndarray:
    """Forecast units per row (never negative)."""
    return np.clip(model.predict(xgb.DMatrix(encode(input_data))), 0, None)


def output_fn(prediction: np.ndarray, accept: str) -> tuple[str, str]:
    """(body, content type): a JSON list when JSON is asked for, else one forecast per CSV line
    (what Model Monitor captures), labelled as what it is whatever ``accept`` said."""
    if accept.split(";")[0].strip().lower() == "application/json":
        return json.dumps([float(value) for value in prediction]), "application/json"
    return "\n".join(f"{float(value):.6g}" for value in prediction), "text/csv"


if __name__ == "__main__":
    sys.exit(main())
