"""Train the customer-churn classifier, resumably, and serve it.

Runs as the ``Train`` training job in the SageMaker scikit-learn container (Python 3.9) through the
SageMaker training toolkit, which passes hyperparameters as ``--name value`` and sets ``SM_*``. The
family's hyperparameters come from the stack file (``models[].training.hyperparameters``); the
platform adds ``label``, the stack file's ``training.label``:

    python3 train.py --label churned [--train DIR] [--validation DIR] [--model-dir DIR]
                     [--checkpoint-dir DIR] [--max-iter 200] [--learning-rate 0.1] ...

The model is a scikit-learn Pipeline (one-hot contract type, numeric features passed through) in
front of a HistGradientBoostingClassifier grown with ``warm_start`` in chunks of
``checkpoint_every`` iterations. After each chunk the pipeline is written to the checkpoint
directory, so a managed-spot job that is interrupted resumes where it stopped instead of
starting over. A checkpoint made from other data or other hyperparameters is ignored.

Checkpoints live in a sub-folder named by the training job (``/opt/ml/checkpoints/<job name>``,
the job name from ``TRAINING_JOB_NAME``, which SageMaker sets in every training container):
SageMaker syncs the whole checkpoint S3 path into every job's ``/opt/ml/checkpoints`` and back, and
the jobs of one tuning run share that path, so without the sub-folder parallel jobs would overwrite
one another's checkpoints and a restarted job could resume from a sibling's.

With a validation channel, ``validation_auc=<value>;`` is printed after every checkpoint chunk,
not only at the end: a tuning job's early stopping (and Hyperband) judges a job by its objective
metric as training goes. The last line printed is the final model's.

This file is also the inference script of the registered model: training copies it to
``<model-dir>/code`` and the model package points ``SAGEMAKER_SUBMIT_DIRECTORY`` there, so serving
needs no code download (endpoints run network-isolated). See ``model_fn`` and below.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import hashlib
import io
import json
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

NUMERIC_FEATURES = ("tenure_months", "monthly_charges", "total_charges", "support_calls_90d")
CONTRACT_TYPES = ("month-to-month", "one-year", "two-year")
FEATURES = ("tenure_months", "monthly_charges", "total_charges", "contract_type", "support_calls_90d")
"""Model inputs, in the order a header-less CSV request lists them. Identifiers are not features."""
MODEL_FILE = "model.joblib"
CHECKPOINT_FILE = "checkpoint.joblib"
DEFAULT_CHECKPOINT_DIR = Path("/opt/ml/checkpoints")
JOB_NAME_VARIABLE = "TRAINING_JOB_NAME"
"""Set by SageMaker in every training container: the job's TrainingJobName."""


@dataclasses.dataclass(frozen=True)
class Hyperparameters:
    max_iter: int = 200
    learning_rate: float = 0.1
    max_leaf_nodes: int = 31
    min_samples_leaf: int = 20
    l2_regularization: float = 0.0
    random_state: int = 42
    checkpoint_every: int = 25
    """Iterations per chunk: a checkpoint and a validation metric line after each; does not change
    the model, so it is left out of the fingerprint."""

    def identity(self) -> dict[str, Any]:
        values = dataclasses.asdict(self)
        values.pop("checkpoint_every")
        return values


@dataclasses.dataclass(frozen=True)
class TrainingResult:
    model: Pipeline
    resumed_from: int
    """Iterations restored from a checkpoint (0: trained from scratch)."""
    iterations: int


def build_model(hyperparameters: Hyperparameters) -> Pipeline:
    """Only scikit-learn classes, so evaluation and serving need nothing but this container."""
    features = ColumnTransformer(
        [
            ("numeric", "passthrough", list(NUMERIC_FEATURES)),
            (
                "contract",
                OneHotEncoder(
                    categories=[list(CONTRACT_TYPES)], handle_unknown="ignore", sparse_output=False
                ),
                ["contract_type"],
            ),
        ],
        sparse_threshold=0.0,
    )
    classifier = HistGradientBoostingClassifier(
        max_iter=hyperparameters.max_iter,
        learning_rate=hyperparameters.learning_rate,
        max_leaf_nodes=hyperparameters.max_leaf_nodes,
        min_samples_leaf=hyperparameters.min_samples_leaf,
        l2_regularization=hyperparameters.l2_regularization,
        early_stopping=False,
        random_state=hyperparameters.random_state,
        warm_start=True,
    )
    return Pipeline([("features", features), ("classifier", classifier)])


def read_split(directory: Path, label: str) -> pd.DataFrame:
    """Read every CSV in a channel directory (sorted): the split written by preprocess.py."""
    files = sorted(path for path in Path(directory).rglob("*.csv") if path.is_file())
    if not files:
        raise FileNotFoundError(f"no CSV files under {directory}")
    frame = pd.concat([pd.read_csv(path) for path in files], ignore_index=True)
    missing = [column for column in (*FEATURES, label) if column not in frame.columns]
    if missing:
        raise ValueError(f"{directory}: missing column(s) {', '.join(missing)}")
    return frame


def fingerprint(frame: pd.DataFrame, label: str, hyperparameters: Hyperparameters) -> str:
    digest = hashlib.sha256(json.dumps(hyperparameters.identity(), sort_keys=True).encode())
    digest.update(pd.util.hash_pandas_object(frame[[*FEATURES, label]], index=False).to_numpy().tobytes())
    return digest.hexdigest()


def save_checkpoint(directory: Path, model: Pipeline, iterations: int, identity: str) -> Path:
    """Write atomically: SageMaker uploads the directory while training, never a half-written file."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / CHECKPOINT_FILE
    partial = directory / f".{CHECKPOINT_FILE}.partial"
    joblib.dump({"fingerprint": identity, "iterations": iterations, "model": model}, partial)
    os.replace(partial, path)
    return path


def load_checkpoint(directory: Path, identity: str) -> tuple[Pipeline, int] | None:
    path = directory / CHECKPOINT_FILE
    if not path.is_file():
        return None
    state = joblib.load(path)
    if state.get("fingerprint") != identity:
        print(f"ignoring {path}: it was made from other data or hyperparameters")
        return None
    return state["model"], int(state["iterations"])


def job_checkpoint_dir(root: Path, job_name: str | None) -> Path:
    """This job's own checkpoint folder under the synced ``root``: ``<root>/<job name>``."""
    if not job_name:
        return root
    if "/" in job_name or job_name in (".", ".."):
        raise ValueError(f"{job_name!r} is not a training job name")
    return root / job_name


def train(
    frame: pd.DataFrame,
    label: str,
    hyperparameters: Hyperparameters,
    checkpoint_dir: Path | None = None,
    on_chunk: Callable[[Pipeline, int], None] | None = None,
) -> TrainingResult:
    """Fit (or finish fitting) the model on ``frame``'s ``label``, checkpointing after every chunk
    and then calling ``on_chunk(model, iterations)``."""
    identity = fingerprint(frame, label, hyperparameters)
    restored = load_checkpoint(checkpoint_dir, identity) if checkpoint_dir is not None else None
    model, done = restored if restored is not None else (build_model(hyperparameters), 0)
    resumed_from = done
    if resumed_from:
        print(f"resuming from checkpoint at iteration {resumed_from}")
    # Chunks with or without a checkpoint folder: the metric is reported after each (warm-started
    # chunks grow the same trees as one fit).
    chunk = max(1, hyperparameters.checkpoint_every)
    features, labels = frame[list(FEATURES)], frame[label].astype(int)
    while done < hyperparameters.max_iter:
        done = min(done + chunk, hyperparameters.max_iter)
        model.set_params(classifier__max_iter=done)
        model.fit(features, labels)
        if checkpoint_dir is not None:
            save_checkpoint(checkpoint_dir, model, done, identity)
        if on_chunk is not None:
            on_chunk(model, done)
    return TrainingResult(model=model, resumed_from=resumed_from, iterations=done)


def save_model(model: Pipeline, model_dir: Path) -> Path:
    """Write model.joblib plus this script as ``code/`` (the inference entry point)."""
    model_dir.mkdir(parents=True, exist_ok=True)
    path = model_dir / MODEL_FILE
    joblib.dump(model, path)
    code_dir = model_dir / "code"
    code_dir.mkdir(exist_ok=True)
    shutil.copy2(Path(__file__), code_dir / Path(__file__).name)
    return path


def _hyperparameter_defaults() -> dict[str, Any]:
    """SM_HPS (set by the training toolkit) over the dataclass defaults; CLI flags win over both."""
    defaults = {field.name: field.default for field in dataclasses.fields(Hyperparameters)}
    raw = os.environ.get("SM_HPS")
    if raw:
        for key, value in json.loads(raw).items():
            name = key.replace("-", "_")
            if name in defaults:
                defaults[name] = type(defaults[name])(value)
    return defaults


def _default_path(variable: str, fallback: str) -> Path:
    return Path(os.environ.get(variable, fallback))


def parse_args(argv: list[str] | None) -> tuple[argparse.Namespace, Hyperparameters]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--label",
        required=True,
        help="the label column (the platform passes the stack file's training.label)",
    )
    parser.add_argument(
        "--train", type=Path, default=_default_path("SM_CHANNEL_TRAIN", "/opt/ml/input/data/train")
    )
    parser.add_argument(
        "--validation",
        type=Path,
        default=_default_path("SM_CHANNEL_VALIDATION", "/opt/ml/input/data/validation"),
    )
    parser.add_argument("--model-dir", type=Path, default=_default_path("SM_MODEL_DIR", "/opt/ml/model"))
    parser.add_argument(
        "--checkpoint-dir",
        type=Path,
        default=DEFAULT_CHECKPOINT_DIR if DEFAULT_CHECKPOINT_DIR.is_dir() else None,
        help="the synced checkpoint folder (default: /opt/ml/checkpoints when it exists); this job's "
        "checkpoints go to its sub-folder named by --job-name",
    )
    parser.add_argument(
        "--job-name",
        default=os.environ.get(JOB_NAME_VARIABLE) or None,
        help=f"this training job's name (default: ${JOB_NAME_VARIABLE}, which SageMaker sets)",
    )
    defaults = _hyperparameter_defaults()
    for field in dataclasses.fields(Hyperparameters):
        flag = field.name.replace("_", "-")
        parser.add_argument(f"--{flag}", f"--{field.name}", dest=field.name, type=type(field.default))
    parser.set_defaults(**defaults)
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
    checkpoint_dir = (
        job_checkpoint_dir(args.checkpoint_dir, args.job_name) if args.checkpoint_dir is not None else None
    )
    validation = read_split(args.validation, args.label) if args.validation.is_dir() else None
    aucs: list[float] = []

    def report(model: Pipeline, iterations: int) -> None:
        if validation is None:
            return
        scores = model.predict_proba(validation[list(FEATURES)])[:, 1]
        aucs.append(float(roc_auc_score(validation[args.label].astype(int), scores)))
        # The stack file's metric definition (validation:auc) publishes this line to CloudWatch;
        # early stopping and Hyperband read it as training goes.
        print(f"iteration {iterations}: validation_auc={aucs[-1]:.6f};", flush=True)

    with tracked_run() as mlflow:
        result = train(
            read_split(args.train, args.label), args.label, hyperparameters, checkpoint_dir, report
        )
        print(f"trained {result.iterations} iterations (resumed from {result.resumed_from})")
        if mlflow is not None:
            mlflow.log_params({"label": args.label, **dataclasses.asdict(hyperparameters)})
        if validation is not None and not aucs:
            report(result.model, result.iterations)  # resumed at the end: no chunk left to train
        if mlflow is not None and aucs:
            mlflow.log_metrics({"validation_auc": aucs[-1]})
        print(f"model written to {save_model(result.model, args.model_dir)}")
        if mlflow is not None:
            mlflow.log_artifacts(str(args.model_dir), artifact_path="model")
    return 0


# --- Inference: the SageMaker scikit-learn serving container calls these ---------------------


def model_fn(model_dir: str) -> Pipeline:
    return joblib.load(os.path.join(model_dir, MODEL_FILE))


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
    missing = [column for column in FEATURES if column not in frame.columns]
    if missing:
        raise ValueError(f"request is missing feature(s): {', '.join(missing)}")
    for column in NUMERIC_FEATURES:
        frame[column] = pd.to_numeric(frame[column])
    return frame[list(FEATURES)]


def predict_fn(input_data: pd.DataFrame, model: Pipeline) -> np.ndarray:
    """Churn probability per row."""
    return model.predict_proba(input_data)[:, 1]


if __name__ == "__main__":
    sys.exit(main())
