"""A hand-mutation audit of the model families' step scripts.

Modules audited (models/customer-churn/ and models/demand-forecast/, the scripts SageMaker runs in
the training pipeline), one-step mutations applied one at a time against their covering tests
(tests/models/test_customer_churn_steps.py or test_demand_forecast_steps.py, and
test_family_code_semantics.py, test_record_uniqueness.py, test_experiment_tracking.py, the two
script-running tests of tests/pipelines/test_baselines.py, and for churn the two of
tests/pipelines/test_training_pipeline.py that parse the definition's arguments):

=====================================  =========  ========  ==========  ==========  ==========
module (models/)                       mutations  survived  caught now  equivalent  left alone
=====================================  =========  ========  ==========  ==========  ==========
customer-churn/preprocess.py                  49        12          12           0           0
customer-churn/train.py                       50        21          14           6           1
customer-churn/evaluate.py                    32         5           4           1           0
demand-forecast/preprocess.py                 36        11          11           0           0
demand-forecast/train.py                      27        13           9           4           0
demand-forecast/evaluate.py                   30        12          12           0           0
total                                        224        74          62          11           1
=====================================  =========  ========  ==========  ==========  ==========

Caught now (each test below fails under its mutation and passes on the code as it is; every one
was re-run with the mutation applied):

- Where the definition mounts and what it passes, for BOTH families (the churn family's step tests
  checked churn only): the forecast's preprocess/evaluate container defaults (FP34, FP35, FE19,
  FE20, FE21, FE26-FE28), the train scripts' SM_CHANNEL_TRAIN /
  SM_CHANNEL_VALIDATION / SM_MODEL_DIR variables and their /opt/ml defaults (CT25-CT27: a model
  written to /opt/ml/output is never packed into model.tar.gz; FT11-FT14), the definition's string
  hyperparameters typed (the churn SM_HPS path: CT22 values kept as strings, CT23 hyphenated keys).
- churn preprocess: the seed the pipeline passes deciding the whole split (CP34 first draw seeded
  with a constant, CP44 seed ignored); cells read as text and stripped (CP09 dtype guessing turned
  ``07`` and ``7`` into one customer, CP10 and CP49 blank and trailing-blank cells), ``inf``
  refused (CP11), integral features and 0/1 labels written as integers to the splits and the
  data-quality baseline (CP13, CP24); the empty extract and the per-class minimum named (CP16,
  CP25); ``split`` refusing a holdout left with one class when scikit-learn's stratified split
  succeeds (CP38) and a fraction of 0 as a caller's ValueError (CP29).
- churn train: nested channel files (CT09), a split without the label named (CT10), a checkpoint
  written atomically (CT14) and never into ``.``/``..`` (CT16), the run recording the final chunk's
  validation AUC, not the first (CT36), a report after every default chunk of 25 (CT45), the
  checkpoint folder used by default when spot training syncs it (CT47: an interrupted job would
  start over), the serving errors naming the CSV width and a missing feature (CT39, CT48).
- churn evaluate: a test split without the label named (CE15), integer labels in predictions.csv
  (CE16), link members in the model archive refused (CE20), nested test CSVs read (CE31).
- forecast preprocess: a feature as label or identifier refused (FP03), ``inf`` (FP05), the empty
  extract named (FP08), non-ISO dates refused (FP10), holdout fractions leaving no train weeks
  (FP16: 0.6 + 0.6 gave a negative end that trained on the test weeks), at least one week held
  out (FP18), weeks ordered by date when the first store starts late (FP23: weeks 1-5 went to the
  test set), flags as integers in the baseline (FP31), no identifiers no run (FP33).
- forecast train: the metric line from the validation channel, not the train channel (FT17),
  JSON for ``Accept: application/json; charset=utf-8`` (FT20, FT21), a split without the label
  named (FT27), an unknown hyperparameter ignored rather than failing the job (FT16).
- forecast evaluate: a member escaping the archive refused (FE15; Python's data filter would
  raise its own error, exit 1, instead of exit 2 naming it), scoring through the archive's own
  ``predict_fn`` rather than the booster (FE18), a test split without the label named (FE22),
  nested test CSVs read (FE25), and the fix below (FE29 its check dropped, FE30 its undefined
  ratio taken as 0).

Bug found and fixed (its own commit, CHANGELOG): demand-forecast's evaluate.py wrote ``NaN`` or
``-Infinity`` for r2 when every actual in the test split is the same, and about 1e13 for WAPE when
the actuals sum to 0 (a 1e-12 floor), into the evaluation.json that CheckMetric, the registry and
``pipelines.promotion`` read (the gate refuses a non-finite value; a strict JSON reader refuses
the file). The contract says a metric the script cannot compute fails the job: it now exits 2
naming the metric (``test_forecast_evaluate_fails_on_a_metric_the_test_split_leaves_undefined``).

Equivalent mutations:

- CT02 the classifier's random_state fixed: without early stopping or subsampling, scikit-learn
  uses it only to subsample the binning of more than 200,000 rows.
- CT03 warm_start off: each chunk refits from scratch to the same model; only the time differs.
- CT08 the contract types learned instead of listed: a type absent from training is an all-zero
  column either way (handle_unknown="ignore"), and the learned order is the listed one.
- CT19 labels not cast to int in training: preprocess writes 0/1 integers; a float 0.0/1.0 label
  gives the same probabilities.
- CT41 no ``to_numeric`` on request columns, CT43 extra request columns kept: the
  ColumnTransformer selects by name and scikit-learn converts numeric strings itself (the test of
  numbers sent as strings stays, as behaviour, but kills neither).
- CE32 f1_score's arguments swapped: F1 is symmetric in precision and recall.
- FT02 num_round left in the booster params (XGBoost warns and ignores it), FT07 the one-hot
  inverted and FT08 the index kept (trees split the same; DMatrix ignores the index), FT30
  ``astype(float)`` instead of ``to_numeric`` (the same on every value the features hold).

Left alone: CT46, the churn default max_iter (200 to 100): a modelling default the stack file's
hyperparameters set in practice (the definition passes every one given), not a contract.
Not run: the other defaults of the forecast's Hyperparameters (FT24-FT26, same reasoning).
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from types import ModuleType
from typing import Any

import pytest
from threadpoolctl import threadpool_limits

from tests.family_steps import churn_steps, load_step
from tests.pipelines.churn_fixtures import (
    churn_extract,
    forecast_settings,
    make_settings,
    steps_by_name,
    write_csv,
)
from tests.pipelines.definitions import built_definition

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
    return request.param, settings, steps_by_name(json.loads(built_definition(settings)))


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


# --- customer-churn preprocess ----------------------------------------------------------------


def _churn_preprocess(extract, root: Path, *extra: str) -> int:
    preprocess, _, _ = churn_steps()
    write_csv(extract, root / "raw" / "extract.csv")
    return preprocess.main(
        [*CHURN_ARGS, "--input-dir", str(root / "raw"), "--output-dir", str(root / "out"), *extra]
    )


def test_the_seed_the_pipeline_passes_decides_the_whole_churn_split(tmp_path: Path) -> None:
    """Preprocess gets ``--seed``: another seed is another draw of the train set itself, not only of
    which holdout half validates, and the same seed is the same sets."""
    import pandas as pd

    trains = {}
    for seed in ("1", "2", "1"):
        root = tmp_path / f"seed-{seed}-{len(trains)}"
        assert _churn_preprocess(churn_extract(), root, "--seed", seed) == 0
        trains[(seed, len(trains))] = set(pd.read_csv(root / "out" / "train" / "train.csv")["customer_id"])
    first, second, again = trains.values()
    assert first == again
    assert first != second


def test_churn_cells_are_read_as_written_and_stripped(tmp_path: Path) -> None:
    """Cells are read as text and stripped: identifiers keep their leading zeros (``07`` and ``7`` are
    two customers, not one record written twice), trailing blanks do not make a category unknown,
    and whole numbers and 0/1 labels written as ``12.0`` / ``1.0`` reach the splits and the baseline
    as integers (an integral column of the data-quality baseline, as the endpoint's requests are)."""
    import pandas as pd

    extract = churn_extract().astype(object)
    extract["customer_id"] = [f"{index:05d}" for index in range(len(extract))]  # a numeric-looking column
    extract.loc[0, "customer_id"], extract.loc[1, "customer_id"] = "07", "7"
    extract.loc[1, "event_time"] = extract.loc[0, "event_time"]
    extract.loc[2, "contract_type"] = "one-year\t"
    extract.loc[3, "tenure_months"] = "12.0"
    extract["churned"] = [f"{value}.0" for value in extract["churned"]]
    assert _churn_preprocess(extract, tmp_path) == 0

    out = tmp_path / "out"
    splits = pd.concat(
        [pd.read_csv(out / name / f"{name}.csv", dtype=str) for name in ("train", "validation", "test")]
    )
    assert {"07", "7"} <= set(splits["customer_id"])
    assert len(splits) == len(extract)
    assert "one-year" in set(splits.loc[splits["customer_id"] == "00002", "contract_type"])
    for column in ("tenure_months", "support_calls_90d", "churned"):
        assert not splits[column].str.contains(".", regex=False).any(), column
    baseline = pd.read_csv(out / "baseline" / "baseline.csv", dtype=str)
    assert not baseline["tenure_months"].str.contains(".", regex=False).any()


def test_churn_refuses_blank_and_infinite_cells(tmp_path: Path) -> None:
    """A cell of blanks is a null (a blank customer id is no identifier), and ``inf`` is no charge."""
    preprocess, _, _ = churn_steps()
    schema = preprocess.Schema("churned", ("customer_id", "event_time"))
    frame = churn_extract().astype(str)
    blank = frame.copy()
    blank.loc[5, "customer_id"] = " \t "
    with pytest.raises(preprocess.DataValidationError, match="column 'customer_id' has 1 null"):
        preprocess.validate(blank, schema)
    infinite = frame.copy()
    infinite.loc[5, "monthly_charges"] = "inf"
    with pytest.raises(preprocess.DataValidationError, match="'monthly_charges' must be a finite number"):
        preprocess.validate(infinite, schema)


def test_churn_names_an_empty_extract_and_a_class_below_the_minimum(tmp_path: Path) -> None:
    """An extract of a header only is named as such (not as a class of 0 rows), and a class below
    MIN_ROWS_PER_CLASS is refused before splitting, with the minimum in the message."""
    preprocess, _, _ = churn_steps()
    schema = preprocess.Schema("churned", ("customer_id", "event_time"))
    extract = churn_extract().astype(str)
    with pytest.raises(preprocess.DataValidationError, match="the extract has no rows"):
        preprocess.validate(extract.iloc[:0], schema)
    positives = extract[extract["churned"] == "1"].head(preprocess.MIN_ROWS_PER_CLASS - 1)
    few = pd_concat([extract[extract["churned"] == "0"], positives])
    with pytest.raises(
        preprocess.DataValidationError, match=f"need at least {preprocess.MIN_ROWS_PER_CLASS}"
    ):
        preprocess.validate(few, schema)


def pd_concat(frames: list[Any]) -> Any:
    import pandas as pd

    return pd.concat(frames, ignore_index=True)


def test_churn_split_refuses_a_split_left_with_one_class_and_fractions_out_of_range() -> None:
    """``split`` itself (not only ``validate``'s minimum) refuses a class too rare to reach every
    set, and a fraction of 0 is a caller's error (ValueError), not bad data."""
    preprocess, _, _ = churn_steps()
    schema = preprocess.Schema("churned", ("customer_id", "event_time"))
    typed = preprocess.validate(churn_extract().astype(str), schema)
    rare = pd_concat([typed[typed["churned"] == 0], typed[typed["churned"] == 1].head(3)])
    # At these fractions scikit-learn's stratified split succeeds, leaving the holdout without churners.
    with pytest.raises(preprocess.DataValidationError, match="too few to put both classes"):
        preprocess.split(rare, schema, 42, 0.05, 0.05)
    for fractions in ((0.0, 0.15), (0.15, 0.0), (0.5, 0.5)):
        with pytest.raises(ValueError, match="fractions must be in"):
            preprocess.split(typed, schema, 42, *fractions)


# --- customer-churn train -----------------------------------------------------------------------


def test_churn_train_reads_nested_channel_files_and_names_a_missing_label(tmp_path: Path) -> None:
    """A channel is an S3 prefix copied as is: CSVs in sub-folders are part of the split; a split
    without the label column is refused naming it (not a KeyError deep in training)."""
    _, train, _ = churn_steps()
    extract = churn_extract(rows=40)
    write_csv(extract.iloc[:20], tmp_path / "channel" / "a.csv")
    write_csv(extract.iloc[20:], tmp_path / "channel" / "part" / "b.csv")
    assert len(train.read_split(tmp_path / "channel", "churned")) == 40
    write_csv(extract.drop(columns="churned"), tmp_path / "unlabelled" / "a.csv")
    with pytest.raises(ValueError, match="missing column\\(s\\) churned"):
        train.read_split(tmp_path / "unlabelled", "churned")


def test_a_checkpoint_is_written_whole_and_stays_in_its_jobs_folder(tmp_path: Path) -> None:
    """SageMaker uploads /opt/ml/checkpoints as files appear: no partial file is left behind, and a
    job name of ``.`` or ``..`` cannot put a job's checkpoints in the shared root or above it."""
    _, train, _ = churn_steps()
    model = train.build_model(train.Hyperparameters(max_iter=1))
    train.save_checkpoint(tmp_path / "job", model, 1, "identity")
    assert sorted(path.name for path in (tmp_path / "job").iterdir()) == [train.CHECKPOINT_FILE]
    for name in (".", ".."):
        with pytest.raises(ValueError, match="is not a training job name"):
            train.job_checkpoint_dir(tmp_path, name)
    assert train.job_checkpoint_dir(tmp_path, "job-1") == tmp_path / "job-1"


class _RunRecorder:
    """What a step logs to its MLflow run (``tracked_run`` replaced by this)."""

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}
        self.metrics: dict[str, float] = {}

    def log_params(self, params: dict[str, Any]) -> None:
        self.params.update(params)

    def log_metrics(self, metrics: dict[str, float]) -> None:
        self.metrics.update(metrics)

    def log_artifacts(self, *args: Any, **kwargs: Any) -> None:
        pass

    def log_artifact(self, *args: Any, **kwargs: Any) -> None:
        pass


def _recording(monkeypatch: pytest.MonkeyPatch, module: ModuleType) -> _RunRecorder:
    import contextlib

    recorder = _RunRecorder()

    @contextlib.contextmanager
    def tracked_run():
        yield recorder

    monkeypatch.setattr(module, "tracked_run", tracked_run)
    return recorder


@pytest.fixture(scope="module")
def churn_splits(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("churn-audit")
    assert _churn_preprocess(churn_extract(), root) == 0
    return root / "out"


def test_the_churn_run_records_the_final_models_validation_auc(
    churn_splits: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Training reports after every chunk of ``checkpoint_every`` (25 unless set) iterations, for a
    tuning job's early stopping; the run records the last line, the final model's (the tracking
    test trains one chunk, where first and last are one)."""
    _, train, _ = churn_steps()
    recorder = _recording(monkeypatch, train)
    argv = ["--train", str(churn_splits / "train"), "--validation", str(churn_splits / "validation")]
    assert (
        train.main([*argv, "--model-dir", str(tmp_path / "model"), "--label", "churned", "--max-iter", "50"])
        == 0
    )

    printed = [
        float(line.split("validation_auc=")[1].rstrip(";"))
        for line in capsys.readouterr().out.splitlines()
        if "validation_auc=" in line
    ]
    assert len(printed) == 2 and len(set(printed)) == 2
    assert recorder.metrics["validation_auc"] == pytest.approx(printed[-1], abs=1e-6)
    assert recorder.params["label"] == "churned" and recorder.params["max_iter"] == 50


def test_the_churn_endpoint_reads_numbers_sent_as_strings_and_names_a_short_row(
    churn_splits: Path, tmp_path: Path
) -> None:
    """JSON clients often send numbers as strings: they score as the numbers; a header-less CSV row of
    the wrong width is refused naming the columns it needs."""
    import numpy as np

    _, train, _ = churn_steps()
    frame = train.read_split(churn_splits / "train", "churned")
    model = train.train(frame, "churned", train.Hyperparameters(max_iter=10, checkpoint_every=10)).model
    record = {
        "tenure_months": 3,
        "monthly_charges": 99.5,
        "total_charges": 298.5,
        "contract_type": "month-to-month",
        "support_calls_90d": 4,
    }
    as_strings = {key: str(value) for key, value in record.items()}
    scored = [
        train.predict_fn(train.input_fn(json.dumps(body), "application/json"), model)
        for body in (record, as_strings)
    ]
    np.testing.assert_allclose(scored[0], scored[1])
    with pytest.raises(ValueError, match="a CSV without header needs 5 columns"):
        train.input_fn("3,99.5,298.5,month-to-month", "text/csv")
    without_calls = {key: value for key, value in record.items() if key != "support_calls_90d"}
    with pytest.raises(ValueError, match="request is missing feature\\(s\\): support_calls_90d"):
        train.input_fn(json.dumps(without_calls), "application/json")


def test_churn_training_checkpoints_where_spot_training_syncs_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ``spot`` the definition syncs CHECKPOINT_DIR, and passes no ``--checkpoint-dir``: the
    script must checkpoint there by default whenever the folder exists (else an interrupted job
    starts over), into the job's own sub-folder. The builder is imported sealed and offline, as
    tests/components/test_instance_storage.py does: the SageMaker SDK makes a client at import,
    which needs the region the sealed environment sets (a worker that built no definition before
    this test has not imported it)."""
    from components.training import _offline_sdk

    with _offline_sdk.sealed("eu-west-1"):
        from components.training._definition_steps import CHECKPOINT_DIR

    _, train, _ = churn_steps()
    assert str(train.DEFAULT_CHECKPOINT_DIR) == CHECKPOINT_DIR
    monkeypatch.setattr(train, "DEFAULT_CHECKPOINT_DIR", tmp_path)
    monkeypatch.setenv("TRAINING_JOB_NAME", "job-7")
    args, _ = train.parse_args(["--label", "churned"])
    assert (args.checkpoint_dir, args.job_name) == (tmp_path, "job-7")
    monkeypatch.setattr(train, "DEFAULT_CHECKPOINT_DIR", tmp_path / "absent")
    assert train.parse_args(["--label", "churned"])[0].checkpoint_dir is None


# --- customer-churn evaluate --------------------------------------------------------------------


def test_churn_evaluate_names_a_test_split_without_the_label_and_writes_integer_labels(
    churn_splits: Path, tmp_path: Path
) -> None:
    """A test split without the label stops the job naming it (an EvaluationError, exit 2, not a
    KeyError's traceback); CSVs in sub-folders of the input are part of the split; the predictions'
    label column is 0/1 integers even where the split wrote ``1.0`` (the model-quality baseline's
    ground truth)."""
    import pandas as pd

    _, train, evaluate = churn_steps()
    test = pd.read_csv(churn_splits / "test" / "test.csv")
    write_csv(test.drop(columns="churned"), tmp_path / "unlabelled" / "test.csv")
    with pytest.raises(evaluate.EvaluationError, match="missing column\\(s\\) churned"):
        evaluate.read_test(tmp_path / "unlabelled", "churned")
    write_csv(test.iloc[:30], tmp_path / "nested" / "a.csv")
    write_csv(test.iloc[30:], tmp_path / "nested" / "part" / "b.csv")
    assert len(evaluate.read_test(tmp_path / "nested", "churned")) == len(test)
    frame = train.read_split(churn_splits / "train", "churned")
    model = train.train(frame, "churned", train.Hyperparameters(max_iter=5, checkpoint_every=5)).model
    predictions = evaluate.predict(model, test.assign(churned=test["churned"].astype(float)), "churned")
    assert predictions["label"].dtype.kind == "i"
    assert predictions["label"].tolist() == test["churned"].tolist()


def test_churn_evaluate_refuses_links_in_the_model_archive(tmp_path: Path) -> None:
    """A link member could make joblib read (and unpickle) a file outside the archive."""
    import io
    import tarfile

    _, _, evaluate = churn_steps()
    for kind in (tarfile.SYMTYPE, tarfile.LNKTYPE):
        archive = tmp_path / f"{kind!r}.tar.gz"
        with tarfile.open(archive, "w:gz") as tar:
            tar.addfile(tarfile.TarInfo("data.bin"), io.BytesIO(b""))
            link = tarfile.TarInfo("model.joblib")
            link.type, link.linkname = kind, "data.bin"
            tar.addfile(link)
        with pytest.raises(evaluate.EvaluationError, match=r"refusing unsafe archive member 'model\.joblib'"):
            evaluate.load_model(archive)


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
    [(7.0, "r2"), (0.1, "r2"), (0.0, "wape")],
    ids=["r2-of-constant-units", "r2-of-constant-fractional-units", "wape-of-no-units"],
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


def _as_read(extract: Any) -> Any:
    """An extract as the forecast's ``read_extract`` returns it: text, with ``_source``."""
    text = extract.astype(str)
    text["_source"] = [f"extract.csv row {row}" for row in range(1, len(text) + 1)]
    return text


def test_forecast_preprocess_refuses_a_feature_as_label_or_identifier_and_infinite_numbers() -> None:
    """A label or identifier that is also a model input would leak it (the label) or make an id a
    feature; ``inf`` is not a price or a quantity."""
    from tests.models.test_demand_forecast_steps import weekly_extract

    preprocess = load_step(FORECAST, "preprocess")
    for label, identifiers in (
        ("price", ("store_id", "week_start")),
        ("units_sold", ("category", "week_start")),
    ):
        with pytest.raises(preprocess.DataValidationError, match="are model inputs of this family"):
            preprocess.Schema(label, identifiers)
    schema = preprocess.Schema("units_sold", ("store_id", "sku", "week_start"))
    extract = _as_read(weekly_extract())
    for column in ("price", "units_sold"):
        infinite = extract.copy()
        infinite.loc[3, column] = "inf"
        with pytest.raises(
            preprocess.DataValidationError, match=f"column '{column}' must be a non-negative number"
        ):
            preprocess.validate(infinite, schema)
    with pytest.raises(preprocess.DataValidationError, match="the extract has no rows"):
        preprocess.validate(extract.iloc[:0], schema)
    ambiguous = extract.copy()
    # Only ISO dates are read (pandas would guess a format from the first cell, and 03/04 is March or April).
    ambiguous["week_start"] = ambiguous["week_start"].str.replace("-", "/")
    with pytest.raises(preprocess.DataValidationError, match="column 'week_start' must be a date like"):
        preprocess.validate(ambiguous, schema)


def test_forecast_split_refuses_fractions_that_leave_no_training_weeks_and_holds_out_a_week_at_least() -> (
    None
):
    """Holdout fractions summing to 1 or more would leave no train weeks, or (a negative end) train
    on the very weeks validation and test hold."""
    from tests.models.test_demand_forecast_steps import weekly_extract

    preprocess = load_step(FORECAST, "preprocess")
    schema = preprocess.Schema("units_sold", ("store_id", "sku", "week_start"))
    typed = preprocess.validate(_as_read(weekly_extract()), schema)
    for fractions in ((0.5, 0.5), (0.6, 0.6), (0.0, 0.2), (0.2, 1.0)):
        with pytest.raises(ValueError, match="fractions must be in"):
            preprocess.split(typed, schema, *fractions)
    tiny = preprocess.split(typed, schema, 0.02, 0.02)  # 0.4 of a week each: one week, never none
    assert [tiny[name]["week_start"].nunique() for name in ("validation", "test")] == [1, 1]


def test_the_forecast_split_is_by_time_when_the_first_store_starts_late() -> None:
    """The weeks are ordered by date, not by where they first appear: a store or SKU that first sells
    in week 6 (sorted first by its identifiers) must not move weeks 1 to 5 to the test set."""
    from tests.models.test_demand_forecast_steps import weekly_extract

    preprocess = load_step(FORECAST, "preprocess")
    schema = preprocess.Schema("units_sold", ("store_id", "sku", "week_start"))
    extract = _as_read(weekly_extract())
    first = extract.sort_values(["store_id", "sku"]).iloc[0][["store_id", "sku"]]
    weeks = sorted(extract["week_start"].unique())
    late = (extract["store_id"] == first["store_id"]) & (extract["sku"] == first["sku"])
    extract = extract[~(late & extract["week_start"].isin(weeks[:5]))]
    splits = preprocess.split(preprocess.validate(extract, schema), schema, 0.15, 0.15)
    assert max(splits["train"]["week_start"]) < min(splits["validation"]["week_start"])
    assert max(splits["validation"]["week_start"]) < min(splits["test"]["week_start"])
    assert sorted(splits["test"]["week_start"].unique()) == weeks[-3:]


def test_forecast_flags_written_as_decimals_reach_the_baseline_as_integers(tmp_path: Path) -> None:
    """0/1 flags written ``1.0`` are integral columns of the data-quality baseline, as the requests
    the endpoint receives (``1``) are."""
    import pandas as pd

    from tests.models.test_demand_forecast_steps import weekly_extract

    preprocess = load_step(FORECAST, "preprocess")
    extract = weekly_extract().astype(str)
    for flag in ("on_promotion", "holiday_week"):
        extract[flag] = [f"{value}.0" for value in extract[flag]]
    write_csv(extract, tmp_path / "raw" / "extract.csv")
    assert (
        preprocess.main(
            [*FORECAST_ARGS, "--input-dir", str(tmp_path / "raw"), "--output-dir", str(tmp_path / "out")]
        )
        == 0
    )
    for name in ("train", "baseline"):
        written = pd.read_csv(tmp_path / "out" / name / f"{name}.csv", dtype=str)
        for flag in ("on_promotion", "holiday_week"):
            assert set(written[flag]) <= {"0", "1"}, (name, flag)
    # Without the stack file's identifiers (the definition passes none) the family cannot split by time.
    assert (
        preprocess.main(
            [
                "--label",
                "units_sold",
                "--input-dir",
                str(tmp_path / "raw"),
                "--output-dir",
                str(tmp_path / "none"),
            ]
        )
        == 2
    )
    assert not (tmp_path / "none").exists()


def test_the_forecast_job_prints_and_records_the_validation_splits_rmse(
    forecast: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``main`` reads the validation channel for the metric line a tuning job's objective reads (not
    the train channel, on which the model always looks better) and records it, with the label, on
    the run."""
    import numpy as np

    train = load_step(FORECAST, "train")
    recorder = _recording(monkeypatch, train)
    out = forecast / "out"
    argv = [
        "--train",
        str(out / "train"),
        "--validation",
        str(out / "validation"),
        "--model-dir",
        str(tmp_path),
    ]
    assert train.main([*argv, "--label", "units_sold", "--num-round", "10", "--max-depth", "3"]) == 0

    (line,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith("validation_rmse=")]
    validation = train.read_split(out / "validation", "units_sold")
    import xgboost as xgb

    # Unclipped, as XGBoost's own evaluation scores them.
    forecasts = train.model_fn(str(tmp_path)).predict(xgb.DMatrix(train.encode(validation)))
    rmse = float(np.sqrt(np.mean((np.asarray(forecasts) - validation["units_sold"].to_numpy()) ** 2)))
    assert float(line.removeprefix("validation_rmse=").rstrip(";")) == pytest.approx(rmse, rel=1e-3)
    assert recorder.metrics["validation_rmse"] == pytest.approx(rmse, rel=1e-3)
    assert recorder.params["label"] == "units_sold" and recorder.params["num_round"] == 10


def test_the_forecast_endpoint_answers_json_whatever_the_accept_headers_parameters() -> None:
    """``Accept: application/json; charset=utf-8`` (what many HTTP clients send) is JSON, not CSV."""
    import numpy as np

    train = load_step(FORECAST, "train")
    for accept in ("application/json; charset=utf-8", "Application/JSON"):
        body, content_type = train.output_fn(np.array([1.5, 2.0]), accept)
        assert (content_type, json.loads(body)) == ("application/json", [1.5, 2.0])
    assert train.output_fn(np.array([1.5, 2.0]), "text/csv") == ("1.5\n2", "text/csv")


def test_forecast_train_names_a_split_without_the_label(forecast: Path, tmp_path: Path) -> None:
    """A channel without the label column is refused naming it, not a KeyError deep in training."""
    import pandas as pd

    train = load_step(FORECAST, "train")
    split = pd.read_csv(forecast / "out" / "train" / "train.csv").drop(columns="units_sold")
    write_csv(split, tmp_path / "train.csv")
    with pytest.raises(ValueError, match="missing column\\(s\\) units_sold"):
        train.read_split(tmp_path, "units_sold")


def test_forecast_evaluate_refuses_an_archive_member_outside_its_folder(tmp_path: Path) -> None:
    """The forecast's Evaluate imports and runs ``code/train.py`` from the archive: a member that
    would land outside the scratch folder is refused before anything is extracted."""
    import io
    import tarfile

    evaluate = load_step(FORECAST, "evaluate")
    archive = tmp_path / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        member = tarfile.TarInfo("../outside.py")
        member.size = 3
        tar.addfile(member, io.BytesIO(b"x=1"))
    (tmp_path / "scratch").mkdir()
    with pytest.raises(evaluate.EvaluationError, match=r"refusing unsafe archive member '\.\./outside\.py'"):
        evaluate.load_model(archive, tmp_path / "scratch")
    assert not (tmp_path / "outside.py").exists()


def test_forecast_evaluate_names_a_test_split_without_the_label(forecast: Path, tmp_path: Path) -> None:
    """A test split without the label stops the job naming it (exit 2), not a KeyError's traceback;
    nested CSVs are read."""
    import pandas as pd

    evaluate = load_step(FORECAST, "evaluate")
    model = evaluate.load_model(forecast / "model", tmp_path)
    test = pd.read_csv(forecast / "out" / "test" / "test.csv")
    with pytest.raises(evaluate.EvaluationError, match="missing column\\(s\\) units_sold"):
        evaluate.predict(model, test.drop(columns="units_sold"), "units_sold")
    assert len(evaluate.predict(model, test, "units_sold")) == len(test)
    # A processing input is an S3 prefix copied as is: CSVs in its sub-folders are part of the split.
    write_csv(test.iloc[:10], tmp_path / "nested" / "a.csv")
    write_csv(test.iloc[10:], tmp_path / "nested" / "part" / "b.csv")
    assert len(evaluate._read_csvs(tmp_path / "nested")) == len(test)


def test_forecast_train_ignores_a_hyperparameter_it_does_not_know(capsys: pytest.CaptureFixture[str]) -> None:
    """A stack file's hyperparameter this script does not read (or one a newer toolkit adds) is
    reported and ignored, not a usage error that fails the training job, like the churn script."""
    train = load_step(FORECAST, "train")
    args, hyperparameters = train.parse_args(["--label", "units_sold", "--gamma", "1", "--eta", "0.3"])
    assert (args.label, hyperparameters.eta) == ("units_sold", 0.3)
    assert "ignoring unknown arguments: --gamma 1" in capsys.readouterr().out


def test_forecast_evaluate_scores_through_the_archives_own_predict_fn(tmp_path: Path) -> None:
    """Evaluate scores the model as the endpoint serves it, through the archive's ``predict_fn`` (which
    clips the forecast at 0, among what a family may add), never its own re-implementation."""
    import pandas as pd

    evaluate = load_step(FORECAST, "evaluate")
    code = tmp_path / "model" / "code"
    code.mkdir(parents=True)
    (code / "train.py").write_text(
        "import numpy as np\n"
        "FEATURES = ('price',)\n"
        "class Raw:\n"
        "    def predict(self, matrix):\n"
        "        return np.full(matrix.num_row(), -3.0)\n"
        "def model_fn(model_dir):\n"
        "    return Raw()\n"
        "def encode(frame):\n"
        "    return frame.astype(float)\n"
        "def predict_fn(frame, model):\n"
        "    return np.full(len(frame), 7.0)\n"
    )
    model = evaluate.load_model(tmp_path / "model", tmp_path / "scratch")
    test = pd.DataFrame({"price": [1.0, 2.0], "units_sold": [7.0, 9.0]})
    assert evaluate.predict(model, test, "units_sold")["prediction"].tolist() == [7.0, 7.0]


def test_churn_report_refuses_a_metric_the_test_split_leaves_undefined() -> None:
    """AUC of a test split holding one class is NaN (scikit-learn warns and returns it): the report
    held ``NaN``, no JSON number, for the family's promotion metric. It fails naming the metric."""
    import pandas as pd

    evaluate = load_step(CHURN, "evaluate")
    one_class = pd.DataFrame({"label": [1, 1, 1], "probability": [0.2, 0.6, 0.9], "prediction": [0, 1, 1]})
    with (
        pytest.warns(UserWarning),
        pytest.raises(evaluate.EvaluationError, match=r"^metric\(s\) auc cannot be computed"),
    ):
        evaluate.report(one_class, ("auc", "accuracy"))
    both = one_class.assign(label=[0, 1, 1])
    assert evaluate.report(both, ("auc", "accuracy")) == {
        "metrics": {"auc": {"value": 1.0}, "accuracy": {"value": 1.0}}
    }
