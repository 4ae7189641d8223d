"""A hand-mutation audit of the model families' step scripts (docstring completed below)."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from threadpoolctl import threadpool_limits

from components.training.definition import build_definition
from tests.family_steps import churn_steps, load_step
from tests.pipelines.churn_fixtures import (
    forecast_settings,
    make_settings,
    steps_by_name,
    write_csv,
)

CHURN = "customer-churn"
FORECAST = "demand-forecast"
CHURN_ARGS = ["--label", "churned", "--identifiers", "customer_id,event_time"]
SM_VARIABLES = ("SM_CHANNEL_TRAIN", "SM_CHANNEL_VALIDATION", "SM_MODEL_DIR", "SM_HPS", "TRAINING_JOB_NAME")


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """The scripts are loaded first so that the limit reaches their libraries (see the families'
    step tests: HistGradientBoosting's OpenMP start-up dominates on a few hundred rows)."""
    churn_steps()
    load_step(FORECAST, "train")
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(autouse=True)
def _outside_a_training_container(monkeypatch: pytest.MonkeyPatch) -> None:
    """No SageMaker variable leaks in from the environment the tests run in."""
    for variable in SM_VARIABLES:
        monkeypatch.delenv(variable, raising=False)


# --- what the pipeline definition gives the scripts, for both families -----------------------


@pytest.fixture(scope="module", params=[CHURN, FORECAST])
def family_definition(request: pytest.FixtureRequest) -> tuple[str, Any, dict[str, dict[str, Any]]]:
    settings = make_settings() if request.param == CHURN else forecast_settings()
    return request.param, settings, steps_by_name(json.loads(build_definition(settings)))


def _inputs(step: dict[str, Any]) -> dict[str, str]:
    """The job's data inputs (``code`` is the script itself)."""
    inputs = step["Arguments"]["ProcessingInputs"]
    return {i["InputName"]: i["S3Input"]["LocalPath"] for i in inputs if i["InputName"] != "code"}


def _outputs(step: dict[str, Any]) -> dict[str, str]:
    outputs = step["Arguments"]["ProcessingOutputConfig"]["Outputs"]
    return {o["OutputName"]: o["S3Output"]["LocalPath"] for o in outputs}


def _arguments(step: dict[str, Any]) -> list[str]:
    return list(step["Arguments"]["AppSpecification"].get("ContainerArguments", []))


def test_each_familys_processing_scripts_read_and_write_where_the_definition_mounts(
    family_definition: tuple[str, Any, dict[str, dict[str, Any]]],
) -> None:
    """Both families (the churn family's step tests check only churn): the scripts run with their
    defaults, so each default must be the container path the definition mounts, and each argument
    the definition passes must reach the script as the stack file says."""
    family, settings, steps = family_definition
    preprocess, evaluate = (load_step(family, step) for step in ("preprocess", "evaluate"))

    args = preprocess.parse_args(_arguments(steps["Preprocess"]))
    assert (args.label, args.identifiers) == (settings.label_column, ",".join(settings.identifier_columns))
    assert args.seed == 42 and (args.validation_fraction, args.test_fraction) == (0.15, 0.15)
    assert _inputs(steps["Preprocess"]) == {"raw": str(args.input_dir)}
    assert _outputs(steps["Preprocess"]) == {
        name: str(PurePosixPath(args.output_dir) / name) for name in (*preprocess.SPLITS, preprocess.BASELINE)
    }

    args = evaluate.parse_args(_arguments(steps["Evaluate"]))
    assert (args.label, args.metrics) == (settings.label_column, ",".join(settings.evaluation_metrics))
    assert _inputs(steps["Evaluate"]) == {
        "model": str(args.model),
        "test": str(args.test),
        "features": str(args.features),
    }
    assert _outputs(steps["Evaluate"]) == {
        "evaluation": str(args.output_dir),
        "predictions": str(args.predictions_dir),
        "baseline": str(args.baseline_dir),
    }
    # CheckMetric and RegisterModel read the report by this name in the evaluation output.
    (report,) = steps["Evaluate"]["PropertyFiles"]
    assert (report["OutputName"], report["FilePath"]) == ("evaluation", evaluate.REPORT_FILE)


def test_each_familys_train_script_reads_the_channels_and_writes_the_model_where_sagemaker_looks(
    family_definition: tuple[str, Any, dict[str, dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The training toolkit sets SM_CHANNEL_<CHANNEL> for each channel of the job and SM_MODEL_DIR
    (/opt/ml/model, the only folder SageMaker packs into model.tar.gz); without them (an older
    toolkit, a bare container) the defaults are the same paths."""
    family, settings, steps = family_definition
    train = load_step(family, "train")
    channels = [c["ChannelName"] for c in steps["Train"]["Arguments"]["InputDataConfig"]]
    assert sorted(channels) == ["code", "train", "validation"]

    args, _ = train.parse_args(["--label", settings.label_column])
    assert args.model_dir == Path("/opt/ml/model")
    assert (args.train, args.validation) == (
        Path("/opt/ml/input/data/train"),
        Path("/opt/ml/input/data/validation"),
    )

    for channel in ("train", "validation"):
        monkeypatch.setenv(f"SM_CHANNEL_{channel.upper()}", f"/elsewhere/{channel}")
    monkeypatch.setenv("SM_MODEL_DIR", "/elsewhere/model")
    args, _ = train.parse_args(["--label", settings.label_column])
    assert (args.train, args.validation, args.model_dir) == (
        Path("/elsewhere/train"),
        Path("/elsewhere/validation"),
        Path("/elsewhere/model"),
    )


def test_the_definitions_hyperparameters_reach_each_family_typed(
    family_definition: tuple[str, Any, dict[str, dict[str, Any]]],
) -> None:
    """CreateTrainingJob's hyperparameters are strings; the toolkit passes them as ``--name value``:
    each must come out as its field's type (a string "300" rounds or compares wrongly)."""
    family, settings, steps = family_definition
    train = load_step(family, "train")
    given = {
        key: value
        for key, value in steps["Train"]["Arguments"]["HyperParameters"].items()
        if not key.startswith("sagemaker_")
    }
    assert all(isinstance(value, str) for value in given.values())
    args, parsed = train.parse_args([item for key, value in given.items() for item in (f"--{key}", value)])
    assert args.label == settings.label_column
    for name, value in settings.hyperparameters.items():
        assert getattr(parsed, name) == value and type(getattr(parsed, name)) is type(value), name


def test_sm_hps_values_are_typed_whatever_the_toolkit_wrote(monkeypatch: pytest.MonkeyPatch) -> None:
    """hyperparameters.json holds strings, and SM_HPS keys may be spelled with hyphens: the churn
    script's SM_HPS defaults are cast to the fields' types and its keys read either way."""
    _, train, _ = churn_steps()
    monkeypatch.setenv(
        "SM_HPS", json.dumps({"max-iter": "30", "learning_rate": "0.25", "l2-regularization": 1})
    )

    _, hyperparameters = train.parse_args(["--label", "churned"])

    assert (hyperparameters.max_iter, hyperparameters.learning_rate) == (30, 0.25)
    assert hyperparameters.l2_regularization == 1.0
    assert type(hyperparameters.max_iter) is int and type(hyperparameters.l2_regularization) is float


# --- demand-forecast ------------------------------------------------------------------------------

FORECAST_ARGS = ["--label", "units_sold", "--identifiers", "store_id,sku,week_start"]


@pytest.fixture(scope="module")
def forecast(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """preprocess + train (few rounds) of the forecast family: <root>/out/<split>, <root>/model."""
    from tests.models.test_demand_forecast_steps import weekly_extract

    preprocess, train = (load_step(FORECAST, step) for step in ("preprocess", "train"))
    root = tmp_path_factory.mktemp("forecast-audit")
    write_csv(weekly_extract(), root / "raw" / "extract.csv")
    assert (
        preprocess.main([*FORECAST_ARGS, "--input-dir", str(root / "raw"), "--output-dir", str(root / "out")])
        == 0
    )
    out = root / "out"
    argv = [
        "--train",
        str(out / "train"),
        "--validation",
        str(out / "validation"),
        "--model-dir",
        str(root / "model"),
    ]
    assert train.main([*argv, "--label", "units_sold", "--num-round", "10", "--max-depth", "3"]) == 0
    return root


def _forecast_evaluate(root: Path, test: Path, out: Path, metrics: str) -> int:
    evaluate = load_step(FORECAST, "evaluate")
    return evaluate.main(
        [
            *FORECAST_ARGS,
            *("--metrics", metrics, "--model", str(root / "model"), "--test", str(test)),
            *("--features", str(root / "out" / "baseline"), "--output-dir", str(out / "eval")),
            *("--predictions-dir", str(out / "predictions"), "--baseline-dir", str(out / "baseline")),
        ]
    )


@pytest.mark.parametrize(
    ("units", "metric"),
    [(7.0, "r2"), (0.0, "wape")],
    ids=["r2-of-constant-units", "wape-of-no-units"],
)
def test_forecast_evaluate_fails_on_a_metric_the_test_split_leaves_undefined(
    units: float, metric: str, forecast: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """r2 is undefined when every actual is the same (no variance to explain), wape when the actuals
    sum to 0 (a few quiet weeks of one SKU). The report held ``NaN`` / ``-Infinity`` (not JSON to a
    strict reader; the promotion gate refuses it) or, for wape, 1e13 from a made-up floor: the job
    must fail naming the metric, as the contract says, and write no report."""
    import pandas as pd

    test = pd.read_csv(forecast / "out" / "test" / "test.csv").assign(units_sold=units)
    write_csv(test, tmp_path / "test" / "test.csv")

    assert _forecast_evaluate(forecast, tmp_path / "test", tmp_path, f"rmse,{metric}") == 2
    assert f"{metric}" in capsys.readouterr().err
    assert not (tmp_path / "eval").exists()


def test_forecast_reports_are_strict_json_with_every_requested_metric_finite(
    forecast: Path, tmp_path: Path
) -> None:
    """What CheckMetric's JsonGet and ``pipelines.promotion`` read: ``metrics.<m>.value``, a finite number."""
    import math

    from pipelines.promotion import _metric_in

    assert _forecast_evaluate(forecast, forecast / "out" / "test", tmp_path, "rmse,mae,r2,wape") == 0
    text = (tmp_path / "eval" / "evaluation.json").read_text()
    report = json.loads(text, parse_constant=lambda constant: pytest.fail(f"{constant} in the report"))
    assert sorted(report["metrics"]) == ["mae", "r2", "rmse", "wape"]
    for metric in report["metrics"]:
        assert math.isfinite(_metric_in(report, f"metrics.{metric}.value", "evaluation.json"))
