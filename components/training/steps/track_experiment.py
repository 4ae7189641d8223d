"""TrackExperiment: log one training-pipeline execution to the stack's MLflow tracking server.

The platform's own step (no model family writes it), run by the training pipeline after Evaluate
when the stack has a tracking server. Every value arrives as an argument, resolved by SageMaker
Pipelines before the job starts: the evaluation report's metrics (``JsonGet`` of Evaluate's
property file), the family's hyperparameters, the training job's name and model artifact URI, the
pipeline execution's id and ARN. The job takes no input but this script, so it never reads a
dataset, a prediction or a model: it only talks to the tracking server.

    python3 track_experiment.py --experiment <name> --run-name <execution id> \\
        --param label=churned --metric auc=0.91 --tag sagemaker.training_job=<job> ...

It logs one run (parameters, metrics and tags, the model by reference: its artifact URI and
training job as tags) and writes ``{"run_id": ..., "experiment_id": ...}`` to
``/opt/ml/processing/tracking/run.json``, the property file RegisterModel reads to record the run
in the model package's metadata. ``MLFLOW_TRACKING_URI`` is the tracking server's ARN, which the
sagemaker-mlflow plugin (installed with mlflow in the job's image) turns into the server's URL and
signs requests for with the job role's credentials; any other MLflow URI (a local ``file://``
store in the tests) works the same.

MLflow calls, hence the job role's ``sagemaker-mlflow:`` actions: GetExperimentByName,
CreateExperiment (first run of a family), CreateRun, LogBatch, UpdateRun. A retried execution
step logs a new run; the property file always names the run this job logged.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path

OUTPUT = Path("/opt/ml/processing/tracking")
RUN_FILE = "run.json"
MAX_BATCH = 100
"""Entries per LogBatch call (MLflow accepts at most 1000 entries, 100 params, 100 tags)."""


def _pairs(values: list[str], option: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key:
            raise SystemExit(f"{option} {value!r} must be KEY=VALUE")
        pairs[key] = rest
    return pairs


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiment", required=True, help="MLflow experiment (the model package group)")
    parser.add_argument("--run-name", required=True, help="The pipeline execution id")
    parser.add_argument("--param", action="append", default=[], help="KEY=VALUE, repeatable")
    parser.add_argument("--metric", action="append", default=[], help="NAME=NUMBER, repeatable")
    parser.add_argument("--tag", action="append", default=[], help="KEY=VALUE, repeatable")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="Folder of the run property file")
    return parser.parse_args(argv)


def _metrics(raw: dict[str, str]) -> dict[str, float]:
    metrics = {}
    for name, value in raw.items():
        try:
            number = float(value)
        except ValueError:
            raise SystemExit(f"--metric {name}={value!r}: not a number") from None
        if not math.isfinite(number):
            raise SystemExit(f"--metric {name}={value!r}: not a finite number")
        metrics[name] = number
    return metrics


def _experiment_id(client, name: str) -> str:
    from mlflow.exceptions import MlflowException

    experiment = client.get_experiment_by_name(name)
    if experiment is not None:
        return experiment.experiment_id
    try:
        return client.create_experiment(name)
    except MlflowException:
        # Another family's execution created it meanwhile.
        experiment = client.get_experiment_by_name(name)
        if experiment is None:
            raise
        return experiment.experiment_id


def _chunks(items: list, size: int = MAX_BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def track(args: argparse.Namespace) -> dict[str, str]:
    """Log the run and return what the property file holds."""
    import mlflow
    from mlflow.entities import Metric, Param, RunTag
    from mlflow.tracking import MlflowClient

    uri = os.environ.get("MLFLOW_TRACKING_URI")
    if not uri:
        raise SystemExit("MLFLOW_TRACKING_URI is not set: the pipeline passes the tracking server's ARN")
    mlflow.set_tracking_uri(uri)
    client = MlflowClient(tracking_uri=uri)

    params = _pairs(args.param, "--param")
    metrics = _metrics(_pairs(args.metric, "--metric"))
    tags = _pairs(args.tag, "--tag")
    experiment_id = _experiment_id(client, args.experiment)
    run = client.create_run(experiment_id, run_name=args.run_name, tags={"mlflow.source.type": "JOB"})
    run_id = run.info.run_id
    try:
        timestamp = run.info.start_time
        entries = [
            *(Param(key, value) for key, value in sorted(params.items())),
            *(Metric(name, value, timestamp, 0) for name, value in sorted(metrics.items())),
            *(RunTag(key, value) for key, value in sorted(tags.items())),
        ]
        for chunk in _chunks(entries):
            client.log_batch(
                run_id,
                params=[e for e in chunk if isinstance(e, Param)],
                metrics=[e for e in chunk if isinstance(e, Metric)],
                tags=[e for e in chunk if isinstance(e, RunTag)],
            )
    except BaseException:
        client.set_terminated(run_id, status="FAILED")
        raise
    client.set_terminated(run_id, status="FINISHED")
    return {"run_id": run_id, "experiment_id": experiment_id, "run_name": args.run_name}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    record = track(args)
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / RUN_FILE).write_text(json.dumps(record))
    print(f"logged MLflow run {record['run_id']} in experiment {args.experiment}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
