"""The customer-churn family's step scripts, run locally on a small seeded extract with every
container path overridden and the arguments the platform passes (the stack file's label,
identifiers and metrics)."""

from __future__ import annotations

import json
import re
import tarfile
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from threadpoolctl import threadpool_limits

from tests.family_steps import archive, churn_steps
from tests.pipelines.churn_fixtures import churn_extract, write_csv

if TYPE_CHECKING:  # pandas and numpy are imported where used: collecting this module needs neither
    import pandas as pd

LABEL, IDENTIFIERS = "churned", ("customer_id", "event_time")
SCHEMA_ARGS = ["--label", LABEL, "--identifiers", ",".join(IDENTIFIERS)]
"""What the platform passes Preprocess and Evaluate for the churn family's stack-file training."""
METRICS = ("auc", "accuracy", "f1")
FAST = ["--label", LABEL, "--max-iter", "40", "--checkpoint-every", "20"]


# The step scripts are fixtures, not module globals: loading them imports pandas and scikit-learn,
# which a pytest-xdist worker collecting this module without running its tests should not pay.
@pytest.fixture(scope="module")
def preprocess() -> ModuleType:
    return churn_steps()[0]


@pytest.fixture(scope="module")
def train() -> ModuleType:
    return churn_steps()[1]


@pytest.fixture(scope="module")
def evaluate() -> ModuleType:
    return churn_steps()[2]


@pytest.fixture(autouse=True, scope="module")
def _one_thread(preprocess: ModuleType, train: ModuleType, evaluate: ModuleType):
    """On a few hundred rows HistGradientBoosting's OpenMP start-up dominates, badly so on a small
    CI runner (a hundredfold here); the result does not depend on the thread count.

    threadpoolctl limits the libraries loaded when the block starts: the scripts (scikit-learn and
    its OpenMP runtime) are loaded first."""
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="module")
def schema(preprocess: ModuleType) -> Any:
    """The churn family's schema for the stack file's label and identifiers (a frozen dataclass)."""
    return preprocess.Schema(LABEL, IDENTIFIERS)


@pytest.fixture(scope="module")
def splits(tmp_path_factory: pytest.TempPathFactory, preprocess: ModuleType) -> Path:
    """preprocess.py output for the standard extract: <dir>/{train,validation,test}/<split>.csv."""
    root = tmp_path_factory.mktemp("preprocess")
    write_csv(churn_extract(), root / "raw" / "extract.csv")
    assert (
        preprocess.main([*SCHEMA_ARGS, "--input-dir", str(root / "raw"), "--output-dir", str(root / "out")])
        == 0
    )
    return root / "out"


@pytest.fixture(scope="module")
def model_dir(splits: Path, tmp_path_factory: pytest.TempPathFactory, train: ModuleType) -> Path:
    model_dir = tmp_path_factory.mktemp("model")
    argv = ["--train", str(splits / "train"), "--validation", str(splits / "validation")]
    assert train.main([*argv, "--model-dir", str(model_dir), *FAST]) == 0
    return model_dir


def _run_evaluate(model: Path, splits: Path, out: Path, features: Path | None = None) -> int:
    """evaluate.py as the Evaluate job runs it, writing its eval/, predictions/ and baseline/ under ``out``."""
    preprocess, _, evaluate = churn_steps()
    return evaluate.main(
        [
            *SCHEMA_ARGS,
            *("--metrics", ",".join(METRICS)),
            *("--model", str(model), "--test", str(splits / "test")),
            *("--features", str(features or splits / preprocess.BASELINE)),
            *("--output-dir", str(out / "eval"), "--predictions-dir", str(out / "predictions")),
            *("--baseline-dir", str(out / "baseline")),
        ]
    )


# --- preprocess ------------------------------------------------------------------------------


def test_preprocess_splits_deterministically_and_stratified(
    splits: Path, tmp_path: Path, schema: Any, preprocess: ModuleType
) -> None:
    import pandas as pd

    write_csv(churn_extract(), tmp_path / "raw" / "extract.csv")
    assert (
        preprocess.main(
            [*SCHEMA_ARGS, "--input-dir", str(tmp_path / "raw"), "--output-dir", str(tmp_path / "out")]
        )
        == 0
    )

    frames = {name: pd.read_csv(splits / name / f"{name}.csv") for name in preprocess.SPLITS}
    for name in preprocess.SPLITS:
        again = (tmp_path / "out" / name / f"{name}.csv").read_text()
        assert again == (splits / name / f"{name}.csv").read_text(), f"{name} split changed between runs"
        assert list(frames[name].columns) == list(schema.columns)
        assert set(frames[name]["churned"]) == {0, 1}
    assert [len(frames[name]) for name in preprocess.SPLITS] == [280, 60, 60]
    ids = [set(frame["customer_id"]) for frame in frames.values()]
    assert not (ids[0] & ids[1] or ids[0] & ids[2] or ids[1] & ids[2]), "a customer is in two splits"


def test_preprocess_reads_every_csv_under_the_input_prefix(tmp_path: Path, preprocess: ModuleType) -> None:
    import pandas as pd

    extract = churn_extract()
    write_csv(extract.iloc[:150], tmp_path / "raw" / "2024-01" / "part-0.csv")
    write_csv(extract.iloc[150:], tmp_path / "raw" / "2024-02" / "part-1.csv")

    assert (
        preprocess.main(
            [*SCHEMA_ARGS, "--input-dir", str(tmp_path / "raw"), "--output-dir", str(tmp_path / "out")]
        )
        == 0
    )

    total = sum(len(pd.read_csv(tmp_path / "out" / n / f"{n}.csv")) for n in preprocess.SPLITS)
    assert total == len(extract)


def _corrupt(frame: pd.DataFrame, column: str, row: int, value: object) -> pd.DataFrame:
    frame = frame.astype(object)
    frame.loc[row, column] = value
    return frame


BAD_EXTRACTS = {
    "missing-column": (
        lambda f: f.drop(columns="tenure_months"),
        "missing required column(s): tenure_months",
    ),
    "null-in-required-column": (
        lambda f: _corrupt(f, "monthly_charges", 3, None),
        "column 'monthly_charges' has 1 null value(s) at extract.csv row 4",
    ),
    "blank-identifier": (
        lambda f: _corrupt(f, "customer_id", 0, "   "),
        "column 'customer_id' has 1 null value(s) at extract.csv row 1",
    ),
    "unknown-contract-type": (
        lambda f: _corrupt(f, "contract_type", 10, "weekly"),
        "column 'contract_type' has unknown value(s) 'weekly' at extract.csv row 11; "
        "allowed: month-to-month, one-year, two-year",
    ),
    "label-not-0-or-1": (
        lambda f: _corrupt(f, "churned", 5, 2),
        "label 'churned' must be 0 or 1; found '2' at extract.csv row 6",
    ),
    "text-in-numeric-column": (
        lambda f: _corrupt(f, "tenure_months", 7, "twelve"),
        "column 'tenure_months' must be a finite number; found 'twelve' at extract.csv row 8",
    ),
    "fraction-in-integral-column": (
        lambda f: _corrupt(f, "support_calls_90d", 2, 1.5),
        "column 'support_calls_90d' must hold whole numbers; found '1.5' at extract.csv row 3",
    ),
    "text-event-time": (
        lambda f: _corrupt(f, "event_time", 0, "yesterday"),
        "column 'event_time' must be a finite number; found 'yesterday' at extract.csv row 1",
    ),
    "negative-charges": (
        lambda f: _corrupt(f, "total_charges", 9, -5.0),
        "column 'total_charges' must not be negative; found '-5.0' at extract.csv row 10",
    ),
    "one-class-only": (
        lambda f: f.assign(churned=0),
        "label 'churned' has 0 row(s) of class 1; need at least 5 of each class to split",
    ),
}


@pytest.mark.parametrize(("corrupt", "message"), BAD_EXTRACTS.values(), ids=BAD_EXTRACTS.keys())
def test_preprocess_rejects_malformed_data_naming_the_problem(
    corrupt, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], preprocess: ModuleType
) -> None:
    write_csv(corrupt(churn_extract(rows=60)), tmp_path / "raw" / "extract.csv")

    status = preprocess.main(
        [*SCHEMA_ARGS, "--input-dir", str(tmp_path / "raw"), "--output-dir", str(tmp_path / "out")]
    )

    assert status == 2
    assert capsys.readouterr().err.strip() == f"data validation failed: {message}"
    assert not (tmp_path / "out").exists(), "nothing may be written from invalid data"


def test_preprocess_rejects_an_empty_prefix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], preprocess: ModuleType
) -> None:
    (tmp_path / "raw").mkdir()
    assert (
        preprocess.main(
            [*SCHEMA_ARGS, "--input-dir", str(tmp_path / "raw"), "--output-dir", str(tmp_path / "out")]
        )
        == 2
    )
    assert "no CSV files under" in capsys.readouterr().err


def test_error_messages_count_the_rest_of_the_offending_rows(schema: Any, preprocess: ModuleType) -> None:
    frame = churn_extract(rows=40).astype(object)
    frame.loc[[1, 2, 3, 4, 5], "contract_type"] = "monthly"
    with pytest.raises(preprocess.DataValidationError, match=r"at row 2, row 3, row 4 and 2 more; allowed"):
        preprocess.validate(frame, schema)


# --- train -----------------------------------------------------------------------------------


def test_train_writes_a_model_and_its_inference_code(
    model_dir: Path, splits: Path, train: ModuleType
) -> None:
    import pandas as pd

    model = train.model_fn(str(model_dir))
    test = pd.read_csv(splits / "test" / "test.csv")

    scores = model.predict_proba(test[list(train.FEATURES)])[:, 1]

    assert scores.shape == (len(test),) and ((scores >= 0) & (scores <= 1)).all()
    assert (model_dir / "code" / "train.py").read_text() == Path(train.__file__).read_text()
    assert model.named_steps["classifier"].n_iter_ == 40


def test_hyperparameters_come_from_cli_over_sm_hps_over_defaults(
    monkeypatch: pytest.MonkeyPatch, train: ModuleType
) -> None:
    monkeypatch.setenv("SM_HPS", json.dumps({"max_iter": 30, "learning_rate": 0.3, "sagemaker_program": "x"}))
    monkeypatch.setenv("SM_MODEL_DIR", "/tmp/model-from-env")

    args, hyperparameters = train.parse_args(
        ["--label", LABEL, "--learning_rate", "0.2", "--max-leaf-nodes", "7", "--unknown", "1"]
    )

    assert hyperparameters.max_iter == 30, "SM_HPS value"
    assert hyperparameters.learning_rate == 0.2, "toolkit-style CLI flag beats SM_HPS"
    assert hyperparameters.max_leaf_nodes == 7, "hyphenated CLI flag"
    assert hyperparameters.l2_regularization == train.Hyperparameters().l2_regularization, "default"
    assert args.model_dir == Path("/tmp/model-from-env")


def test_an_interrupted_training_resumes_from_its_checkpoint(
    splits: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, train: ModuleType
) -> None:
    import numpy as np

    frame = train.read_split(splits / "train", LABEL)
    hyperparameters = train.Hyperparameters(max_iter=40, checkpoint_every=15)
    real_save = train.save_checkpoint

    class SpotInterruption(Exception):
        pass

    def save_then_interrupt(*args, **kwargs):
        real_save(*args, **kwargs)
        raise SpotInterruption

    monkeypatch.setattr(train, "save_checkpoint", save_then_interrupt)
    with pytest.raises(SpotInterruption):
        train.train(frame, LABEL, hyperparameters, tmp_path / "checkpoints")
    monkeypatch.setattr(train, "save_checkpoint", real_save)

    resumed = train.train(frame, LABEL, hyperparameters, tmp_path / "checkpoints")
    uninterrupted = train.train(frame, LABEL, hyperparameters)

    assert (resumed.resumed_from, resumed.iterations) == (15, 40)
    features = frame[list(train.FEATURES)]
    np.testing.assert_allclose(
        resumed.model.predict_proba(features), uninterrupted.model.predict_proba(features), rtol=1e-9
    )
    assert (
        train.load_checkpoint(tmp_path / "checkpoints", train.fingerprint(frame, LABEL, hyperparameters))[1]
        == 40
    )


def test_a_checkpoint_from_other_data_is_not_resumed(splits: Path, tmp_path: Path, train: ModuleType) -> None:
    frame = train.read_split(splits / "train", LABEL)
    hyperparameters = train.Hyperparameters(max_iter=20, checkpoint_every=10)
    train.train(frame.iloc[:100], LABEL, hyperparameters, tmp_path / "checkpoints")

    result = train.train(frame, LABEL, hyperparameters, tmp_path / "checkpoints")

    assert result.resumed_from == 0


def test_the_model_serves_csv_and_json_requests(model_dir: Path, train: ModuleType) -> None:
    model = train.model_fn(str(model_dir))
    row = {
        "tenure_months": 3,
        "monthly_charges": 99.5,
        "total_charges": 298.5,
        "contract_type": "month-to-month",
        "support_calls_90d": 4,
    }
    header_less = ",".join(str(row[name]) for name in train.FEATURES)
    with_header = ",".join(train.FEATURES) + "\n" + header_less

    scores = [
        train.predict_fn(train.input_fn(header_less.encode(), "text/csv"), model),
        train.predict_fn(train.input_fn(with_header, "text/csv; charset=utf-8"), model),
        train.predict_fn(train.input_fn(json.dumps({"instances": [row]}), "application/json"), model),
    ]

    assert all(score.shape == (1,) for score in scores)
    assert scores[0][0] == scores[1][0] == scores[2][0]
    with pytest.raises(ValueError, match="unsupported content type 'text/plain'"):
        train.input_fn("x", "text/plain")


def test_the_explainability_sample_is_what_the_served_model_takes(model_dir: Path, train: ModuleType) -> None:
    """models/customer-churn/explainability.json against the serving functions. Clarify's shadow
    endpoint gets header-less CSV rows (``content_type``) in ``headers``' order, Kernel SHAP's
    synthetic records, each feature from the baseline or a captured request, and reads one score per
    row from the response (``accept_type``; no ``probability``/``label``: the single value the model
    answers, the churn probability, is the score explained)."""
    import csv
    import io

    from tests.conftest import REPO

    template = json.loads((REPO / "models" / "customer-churn" / "explainability.json").read_text())
    assert template["headers"] == list(train.FEATURES)
    predictor = template["predictor"]
    assert predictor["content_type"] == predictor["accept_type"] == "text/csv"
    assert not {"label", "probability", "label_headers"} & set(predictor)
    [baseline] = template["methods"]["shap"]["baseline"]
    captured = [3, 99.5, 298.5, "two-year", 4]
    coalitions = [
        [captured[i] if mask >> i & 1 else baseline[i] for i in range(len(baseline))]
        for mask in range(2 ** len(baseline))
    ]
    body = io.StringIO()
    csv.writer(body, lineterminator="\n").writerows(coalitions)

    scores = train.predict_fn(
        train.input_fn(body.getvalue(), predictor["content_type"]), train.model_fn(str(model_dir))
    )

    assert scores.shape == (len(coalitions),)
    assert ((scores >= 0) & (scores <= 1)).all()


# --- evaluate --------------------------------------------------------------------------------


def test_evaluate_writes_the_report_the_pipeline_reads(model_dir: Path, splits: Path, tmp_path: Path) -> None:
    handed_over = archive(model_dir, tmp_path / "processing" / "model")

    status = _run_evaluate(handed_over, splits, tmp_path)

    assert status == 0
    report = json.loads((tmp_path / "eval" / "evaluation.json").read_text())
    assert set(report) == {"metrics"}
    assert set(report["metrics"]) == {"auc", "accuracy", "f1"}
    assert all(set(entry) == {"value"} and 0 <= entry["value"] <= 1 for entry in report["metrics"].values())
    assert report["metrics"]["auc"]["value"] > 0.7, "the synthetic signal is learnable"


def test_evaluate_loads_the_archive_the_directory_or_the_unpacked_model(
    model_dir: Path, splits: Path, tmp_path: Path, evaluate: ModuleType
) -> None:
    handed_over = archive(model_dir, tmp_path / "handed-over")
    test = evaluate.read_test(splits / "test", LABEL)

    reports = [
        evaluate.evaluate(evaluate.load_model(location), test, LABEL)
        for location in (handed_over, handed_over / "model.tar.gz", model_dir)
    ]

    assert reports[0] == reports[1] == reports[2]


def test_evaluate_refuses_an_archive_escaping_its_directory(tmp_path: Path, capsys) -> None:
    payload = tmp_path / "model.joblib"
    payload.write_text("not a model")
    (tmp_path / "model").mkdir()
    with tarfile.open(tmp_path / "model" / "model.tar.gz", "w:gz") as tar:
        tar.add(payload, arcname="../../model.joblib")
    write_csv(churn_extract(rows=20), tmp_path / "test" / "test.csv")

    status = _run_evaluate(tmp_path / "model", tmp_path, tmp_path, features=tmp_path / "test")

    assert status == 2
    assert not (tmp_path / "predictions").exists()
    assert "refusing unsafe archive member '../../model.joblib'" in capsys.readouterr().err


# --- baseline datasets -----------------------------------------------------------------------


def test_the_data_quality_baseline_is_what_model_monitor_captures_from_the_endpoint(
    model_dir: Path, splits: Path, tmp_path: Path, preprocess: ModuleType, train: ModuleType
) -> None:
    """Model Monitor captures the response first, then the request's columns: the baseline is the
    probability the serving code returns for each train-split row, then that row's model inputs, in
    request order, named; no label or identifiers (preprocess writes the inputs, evaluate the rest)."""
    import pandas as pd

    features = pd.read_csv(splits / preprocess.BASELINE / f"{preprocess.BASELINE}.csv")
    train_split = pd.read_csv(splits / "train" / "train.csv")
    assert list(features.columns) == list(train.FEATURES)
    pd.testing.assert_frame_equal(features, train_split[list(train.FEATURES)])

    assert _run_evaluate(model_dir, splits, tmp_path) == 0
    baseline = pd.read_csv(tmp_path / "baseline" / "baseline.csv")

    assert list(baseline.columns) == ["probability", *train.FEATURES]
    assert not {LABEL, *IDENTIFIERS} & set(baseline.columns)
    pd.testing.assert_frame_equal(baseline[list(train.FEATURES)], features)
    # Each row as the endpoint would answer it: the serving functions on the header-less request.
    model = train.model_fn(str(model_dir))
    request = features.head(5).to_csv(index=False, header=False)
    served = train.predict_fn(train.input_fn(request, "text/csv"), model)
    assert baseline["probability"].head(5).tolist() == pytest.approx(served.tolist())
    assert baseline["probability"].dtype == float and baseline["probability"].between(0, 1).all()


def test_evaluate_refuses_features_that_are_not_the_request_columns(
    model_dir: Path, splits: Path, tmp_path: Path, capsys
) -> None:
    import pandas as pd

    write_csv(pd.read_csv(splits / "train" / "train.csv"), tmp_path / "features" / "train.csv")

    assert _run_evaluate(model_dir, splits, tmp_path, features=tmp_path / "features") == 2
    assert "expected the columns tenure_months, monthly_charges" in capsys.readouterr().err
    assert not (tmp_path / "baseline").exists()


def test_evaluate_writes_the_predictions_its_report_is_computed_from(
    model_dir: Path, splits: Path, tmp_path: Path, evaluate: ModuleType
) -> None:
    """The model-quality baseline: probability, prediction at the threshold, and the true label."""
    import pandas as pd

    assert _run_evaluate(model_dir, splits, tmp_path) == 0

    predictions = pd.read_csv(tmp_path / "predictions" / "predictions.csv")
    test = pd.read_csv(splits / "test" / "test.csv")
    report = json.loads((tmp_path / "eval" / "evaluation.json").read_text())

    assert list(predictions.columns) == ["probability", "prediction", "label"]
    assert predictions["label"].tolist() == test["churned"].tolist()
    assert predictions["probability"].between(0, 1).all()
    assert (predictions["prediction"] == (predictions["probability"] >= 0.5).astype(int)).all()
    assert set(predictions["prediction"]) == {0, 1}, "a useful baseline has both outcomes"
    assert evaluate.report(predictions, METRICS) == report, "the baseline scores what CheckMetric gated on"


def test_the_scripts_agree_on_the_schema(
    schema: Any, preprocess: ModuleType, train: ModuleType, evaluate: ModuleType
) -> None:
    """Each script is uploaded alone, so the schema is repeated; this keeps the copies equal."""
    assert train.FEATURES == evaluate.FEATURES == preprocess.FEATURES
    assert set(train.FEATURES) == set(schema.columns) - {*IDENTIFIERS, LABEL}
    assert preprocess.CATEGORICAL_FEATURES["contract_type"] == train.CONTRACT_TYPES
    assert set(train.NUMERIC_FEATURES) == {*preprocess.INTEGRAL_FEATURES, *preprocess.FRACTIONAL_FEATURES}


def test_evaluate_reports_exactly_the_metrics_the_stack_file_asks_for(
    model_dir: Path, splits: Path, tmp_path: Path, preprocess: ModuleType, evaluate: ModuleType
) -> None:
    status = evaluate.main(
        [
            *SCHEMA_ARGS,
            *("--metrics", "auc,recall", "--model", str(model_dir), "--test", str(splits / "test")),
            *("--features", str(splits / preprocess.BASELINE), "--output-dir", str(tmp_path / "eval")),
            *("--predictions-dir", str(tmp_path / "p"), "--baseline-dir", str(tmp_path / "b")),
        ]
    )

    assert status == 0
    report = json.loads((tmp_path / "eval" / "evaluation.json").read_text())
    assert sorted(report["metrics"]) == ["auc", "recall"]


def test_a_metric_the_churn_family_cannot_compute_stops_evaluate_naming_it(
    model_dir: Path,
    splits: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    preprocess: ModuleType,
    evaluate: ModuleType,
) -> None:
    status = evaluate.main(
        [
            *SCHEMA_ARGS,
            *("--metrics", "auc,rmse", "--model", str(model_dir), "--test", str(splits / "test")),
            *("--features", str(splits / preprocess.BASELINE), "--output-dir", str(tmp_path / "eval")),
        ]
    )

    assert status == 2
    assert (
        "the stack file asks for metric(s) rmse; this family's evaluation computes auc"
        in capsys.readouterr().err
    )
    assert not (tmp_path / "eval").exists()


def test_the_stack_files_label_is_what_the_scripts_use(tmp_path: Path, preprocess: ModuleType) -> None:
    """Another label column name in the data and the stack file: the scripts follow the stack file."""
    import pandas as pd

    extract = churn_extract(rows=80).rename(columns={"churned": "left_within_90d"})
    write_csv(extract, tmp_path / "raw" / "extract.csv")
    args = ["--label", "left_within_90d", "--identifiers", "customer_id,event_time"]

    assert (
        preprocess.main([*args, "--input-dir", str(tmp_path / "raw"), "--output-dir", str(tmp_path / "out")])
        == 0
    )
    assert "left_within_90d" in pd.read_csv(tmp_path / "out" / "train" / "train.csv").columns
    with pytest.raises(preprocess.DataValidationError, match="model inputs of this family"):
        preprocess.Schema("tenure_months", IDENTIFIERS)


def test_jobs_sharing_one_checkpoint_path_each_resume_only_their_own(
    splits: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    train: ModuleType,
) -> None:
    """The jobs of a tuning run share one checkpoint S3 path, synced whole into each job's
    /opt/ml/checkpoints: each keeps its checkpoint under its own job name (TRAINING_JOB_NAME)."""
    shared = tmp_path / "checkpoints"
    data = ["--train", str(splits / "train"), "--model-dir", str(tmp_path / "model")]
    jobs = {
        "tune-001-a": ["--label", LABEL, "--max-iter", "40", "--checkpoint-every", "20"],
        "tune-002-b": ["--label", LABEL, "--max-iter", "20", "--checkpoint-every", "10", "--learning-rate", "0.3"],
    }  # fmt: skip

    def run(job: str) -> str:
        monkeypatch.setenv("TRAINING_JOB_NAME", job)
        assert train.main([*data, "--checkpoint-dir", str(shared), *jobs[job]]) == 0
        return capsys.readouterr().out

    for job in jobs:
        assert "resumed from 0)" in run(job)
    assert sorted(path.name for path in shared.iterdir()) == sorted(jobs)
    # Restarted (a spot interruption), each job finds its own finished checkpoint, not its sibling's.
    assert "trained 40 iterations (resumed from 40)" in run("tune-001-a")
    assert "trained 20 iterations (resumed from 20)" in run("tune-002-b")


def test_train_reports_the_objective_metric_after_every_chunk(
    splits: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], train: ModuleType
) -> None:
    """Early stopping and Hyperband judge a tuned job by its objective as it trains: the staging
    fixture's metric regex must match once per chunk, the last match being the final model's."""
    import pandas as pd
    from sklearn.metrics import roc_auc_score  # a heavy import: here, not at collection

    fixture = Path(__file__).parents[1] / "fixtures" / "stacks" / "Pulumi.staging.yaml"
    platform = yaml.safe_load(fixture.read_text())["config"]["mlops-platform:platform"]
    churn = next(m for m in platform["models"] if m["training"].get("tuning"))
    [regex] = [d["regex"] for d in churn["training"]["metric_definitions"] if d["name"] == "validation:auc"]
    argv = ["--train", str(splits / "train"), "--validation", str(splits / "validation")]

    assert train.main([*argv, "--model-dir", str(tmp_path), "--label", LABEL, "--max-iter", "40", "--checkpoint-every", "10"]) == 0  # fmt: skip

    values = [float(v) for v in re.findall(regex, capsys.readouterr().out)]
    assert len(values) == 4 and all(0.5 < v <= 1 for v in values)
    validation = pd.read_csv(splits / "validation" / "validation.csv")
    final = train.model_fn(str(tmp_path)).predict_proba(validation[list(train.FEATURES)])[:, 1]
    assert values[-1] == pytest.approx(roc_auc_score(validation[LABEL].astype(int), final), abs=1e-6)
