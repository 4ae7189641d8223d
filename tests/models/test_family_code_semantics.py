"""What the model families' step scripts mean, pinned where a mutation audit found nothing
checking it: the reported metrics are the standard ones on the held-out split (the positive class's
probability, binary averages), the split honours its fractions and stratification whatever the
extract's row order, the validation metric a tuning job reads is computed on the validation split,
and the data checks hold at their boundaries. Small synthetic extracts, few boosting rounds."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import pytest
from threadpoolctl import threadpool_limits

from tests.family_steps import churn_steps, load_step
from tests.models.test_demand_forecast_steps import REQUEST_ROW, weekly_extract
from tests.pipelines.churn_fixtures import churn_extract, write_csv

CHURN_ARGS = ["--label", "churned", "--identifiers", "customer_id,event_time"]
FORECAST_ARGS = ["--label", "units_sold", "--identifiers", "store_id,sku,week_start"]


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """HistGradientBoosting's OpenMP start-up dominates on a few hundred rows (see the churn steps'
    tests); the scripts are loaded first so the limit reaches their libraries."""
    churn_steps()
    load_step("demand-forecast", "train")
    with threadpool_limits(limits=1):
        yield


def _preprocess(module: ModuleType, args: list[str], extract, root: Path, *extra: str) -> int:
    write_csv(extract, root / "raw" / "extract.csv")
    return module.main([*args, "--input-dir", str(root / "raw"), "--output-dir", str(root / "out"), *extra])


def _read_splits(module: ModuleType, out: Path) -> dict:
    import pandas as pd

    return {name: pd.read_csv(out / name / f"{name}.csv") for name in module.SPLITS}


# --- customer-churn ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def churn(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """preprocess + train (few iterations) + evaluate of the churn family, all under one root."""
    preprocess, train, evaluate = churn_steps()
    root = tmp_path_factory.mktemp("churn-semantics")
    assert _preprocess(preprocess, CHURN_ARGS, churn_extract(), root) == 0
    out = root / "out"
    argv = ["--train", str(out / "train"), "--validation", str(out / "validation")]
    assert (
        train.main([*argv, "--model-dir", str(root / "model"), "--label", "churned", "--max-iter", "30"]) == 0
    )
    assert (
        evaluate.main(
            [
                *CHURN_ARGS,
                *("--metrics", "auc,accuracy,f1,precision,recall"),
                *("--model", str(root / "model"), "--test", str(out / "test")),
                *("--features", str(out / preprocess.BASELINE), "--output-dir", str(root / "eval")),
                *("--predictions-dir", str(root / "predictions"), "--baseline-dir", str(root / "baseline")),
            ]
        )
        == 0
    )
    return root


def test_churn_metrics_are_sklearns_on_the_test_splits_churn_probability(churn: Path) -> None:
    """Recomputed from the model and the test split alone, not from Evaluate's own predictions: AUC
    on the positive class's probability, the rest binary (positive class 1) at 0.5."""
    from sklearn import metrics

    _, train, _ = churn_steps()
    test = _read_splits(churn_steps()[0], churn / "out")["test"]
    probability = train.model_fn(str(churn / "model")).predict_proba(test[list(train.FEATURES)])[:, 1]
    label, prediction = test["churned"].astype(int), (probability >= 0.5).astype(int)
    expected = {
        "auc": metrics.roc_auc_score(label, probability),
        "accuracy": metrics.accuracy_score(label, prediction),
        "f1": metrics.f1_score(label, prediction),
        "precision": metrics.precision_score(label, prediction),
        "recall": metrics.recall_score(label, prediction),
    }

    report = json.loads((churn / "eval" / "evaluation.json").read_text())

    assert report == {"metrics": {name: {"value": pytest.approx(value)} for name, value in expected.items()}}
    assert len(set(expected.values())) == len(expected), "the metrics differ, so a swap would show"


def test_the_churn_split_honours_its_fractions_and_stratifies_every_split(tmp_path: Path) -> None:
    preprocess = churn_steps()[0]
    extract = churn_extract(rows=400)

    status = _preprocess(
        preprocess, CHURN_ARGS, extract, tmp_path, "--validation-fraction", "0.1", "--test-fraction", "0.25"
    )

    assert status == 0
    splits = _read_splits(preprocess, tmp_path / "out")
    assert {name: len(frame) for name, frame in splits.items()} == {
        "train": 260,
        "validation": 40,
        "test": 100,
    }
    rate = extract["churned"].mean()
    for name, frame in splits.items():
        # Stratified: each split's churners are its share of the extract's, up to rounding.
        assert abs(frame["churned"].sum() - rate * len(frame)) <= 1, name


def test_the_churn_split_does_not_depend_on_the_extracts_row_order(tmp_path: Path) -> None:
    """The same records, in another order (another export, other file names): the same sets."""
    preprocess = churn_steps()[0]
    extract = churn_extract(rows=200)

    assert _preprocess(preprocess, CHURN_ARGS, extract, tmp_path / "a") == 0
    assert _preprocess(preprocess, CHURN_ARGS, extract.sample(frac=1, random_state=3), tmp_path / "b") == 0

    for name in preprocess.SPLITS:
        first, second = (_read_splits(preprocess, tmp_path / run / "out")[name] for run in ("a", "b"))
        assert first.equals(second), f"the {name} split depends on the row order"


def _snapshots(customers: int, per_customer: int, churners: int | None = None):
    """``customers`` customers with ``per_customer`` monthly snapshots each; a churner is labelled
    churned in its last snapshot only (the earlier ones predate the churn). ``churners``: the first
    that many customers churn, instead of the extract's own labels."""
    import pandas as pd

    base = churn_extract(rows=customers)
    if churners is not None:
        base = base.assign(churned=[1] * churners + [0] * (customers - churners))
    frames = []
    for month in range(per_customer):
        last = month == per_customer - 1
        frames.append(
            base.assign(
                event_time=base["event_time"] + month * 2_592_000,
                tenure_months=base["tenure_months"] + month,
                churned=base["churned"] if last else 0,
            )
        )
    return pd.concat(frames, ignore_index=True)


def test_every_snapshot_of_a_customer_is_in_one_split(tmp_path: Path) -> None:
    """A customer's later snapshot in the test split would grade the model on what it trained on."""
    preprocess = churn_steps()[0]
    extract = _snapshots(customers=200, per_customer=3)

    assert _preprocess(preprocess, CHURN_ARGS, extract, tmp_path) == 0

    splits = _read_splits(preprocess, tmp_path / "out")
    customers = {name: set(frame["customer_id"]) for name, frame in splits.items()}
    assert not customers["train"] & customers["validation"]
    assert not customers["train"] & customers["test"]
    assert not customers["validation"] & customers["test"]
    assert sum(len(frame) for frame in splits.values()) == len(extract)  # every row kept
    for name, frame in splits.items():
        assert frame.groupby("customer_id").size().eq(3).all(), f"{name} holds a customer's snapshots partly"
    # Stratified by customer: each split's churned customers are its share of all of them.
    churners = set(extract.loc[extract["churned"] == 1, "customer_id"])
    rate = len(churners) / 200
    for name, ids in customers.items():
        assert abs(len(ids & churners) - rate * len(ids)) <= 1, name


def test_a_class_of_too_few_customers_is_refused_naming_entities(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Five churned customers with three snapshots each: 15 rows, but five customers, too few for a
    15 % + 15 % holdout of 60 customers."""
    preprocess = churn_steps()[0]
    extract = _snapshots(customers=60, per_customer=3, churners=5)

    assert _preprocess(preprocess, CHURN_ARGS, extract, tmp_path) == 2
    assert "label 'churned' has 5 entities (rows of one identifier) of class 1" in capsys.readouterr().err


REFUSED = {
    "negative-tenure": (lambda f: f.assign(tenure_months=f["tenure_months"].where(f.index != 4, -1)), "column 'tenure_months' must not be negative"),
    "fractional-tenure": (lambda f: f.astype({"tenure_months": float}).assign(tenure_months=lambda g: g["tenure_months"].where(g.index != 4, 2.5)), "column 'tenure_months' must hold whole numbers"),
    "four-churners": (lambda f: f.assign(churned=[1] * 4 + [0] * (len(f) - 4)), "label 'churned' has 4 row(s) of class 1"),
}  # fmt: skip


@pytest.mark.parametrize(("corrupt", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_churn_preprocess_refuses_data_at_the_boundary_of_its_rules(
    corrupt, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    preprocess = churn_steps()[0]
    assert _preprocess(preprocess, CHURN_ARGS, corrupt(churn_extract(rows=60)), tmp_path) == 2
    assert message in capsys.readouterr().err


def test_a_class_too_small_for_the_fractions_is_refused_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Five churners pass the up-front minimum, but the 15 % + 15 % holdout of 60 rows keeps one
    churner for validation and test together: refused as bad data (exit 2, nothing written), not a
    stack trace from the splitter, nor a one-class split that would stop Evaluate."""
    preprocess = churn_steps()[0]
    extract = churn_extract(rows=60).assign(churned=[1] * 5 + [0] * 55)

    assert _preprocess(preprocess, CHURN_ARGS, extract, tmp_path) == 2
    assert "label 'churned' has 5 row(s) of class 1: too few to put both classes" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("churners", [6, 7])
def test_a_few_more_rows_of_a_class_reach_every_split(churners: int, tmp_path: Path) -> None:
    preprocess = churn_steps()[0]
    extract = churn_extract(rows=60).assign(churned=[1] * churners + [0] * (60 - churners))

    assert _preprocess(preprocess, CHURN_ARGS, extract, tmp_path) == 0
    for name, frame in _read_splits(preprocess, tmp_path / "out").items():
        assert set(frame["churned"]) == {0, 1}, name


def test_churn_preprocess_refuses_a_label_that_is_also_an_identifier(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    preprocess = churn_steps()[0]
    args = ["--label", "customer_id", "--identifiers", "customer_id,event_time"]
    assert _preprocess(preprocess, args, churn_extract(rows=60), tmp_path) == 2
    assert "label 'customer_id' is also an identifier" in capsys.readouterr().err


def test_churn_preprocess_refuses_holdout_fractions_leaving_nothing_to_train_on(tmp_path: Path) -> None:
    preprocess = churn_steps()[0]
    fractions = ["--validation-fraction", "0.5", "--test-fraction", "0.5"]
    with pytest.raises(ValueError, match="sum to less than 1"):
        _preprocess(preprocess, CHURN_ARGS, churn_extract(rows=60), tmp_path, *fractions)


def test_a_checkpoint_of_the_same_features_with_other_labels_is_not_resumed(tmp_path: Path) -> None:
    """The checkpoint's fingerprint covers the label column: relabelled data retrains."""
    _, train, _ = churn_steps()
    frame = churn_extract(rows=120)
    hyperparameters = train.Hyperparameters(max_iter=10, checkpoint_every=5)
    train.train(frame.assign(churned=1 - frame["churned"]), "churned", hyperparameters, tmp_path)

    assert train.train(frame, "churned", hyperparameters, tmp_path).resumed_from == 0
    assert train.train(frame, "churned", hyperparameters, tmp_path).resumed_from == 10, "its own resumes"


def test_the_checkpoint_interval_does_not_invalidate_a_checkpoint(tmp_path: Path) -> None:
    """checkpoint_every chunks the same trees (it is left out of the fingerprint on purpose)."""
    _, train, _ = churn_steps()
    frame = churn_extract(rows=120)
    train.train(frame, "churned", train.Hyperparameters(max_iter=10, checkpoint_every=5), tmp_path)

    resumed = train.train(frame, "churned", train.Hyperparameters(max_iter=10, checkpoint_every=2), tmp_path)

    assert resumed.resumed_from == 10


def test_churn_evaluate_refuses_a_test_split_of_one_class(
    churn: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    preprocess, _, evaluate = churn_steps()
    test = _read_splits(preprocess, churn / "out")["test"]
    write_csv(test[test["churned"] == 0], tmp_path / "test" / "test.csv")

    status = evaluate.main(
        [
            *CHURN_ARGS,
            *("--metrics", "auc", "--model", str(churn / "model"), "--test", str(tmp_path / "test")),
            *("--features", str(churn / "out" / preprocess.BASELINE), "--output-dir", str(tmp_path / "eval")),
        ]
    )

    assert status == 2
    assert "the test split holds one class only" in capsys.readouterr().err
    assert not (tmp_path / "eval").exists()


def test_churn_evaluate_refuses_baseline_features_in_another_order(
    churn: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Model Monitor matches the baseline's columns to a header-less request by position."""
    import pandas as pd

    preprocess, train, evaluate = churn_steps()
    features = pd.read_csv(churn / "out" / preprocess.BASELINE / f"{preprocess.BASELINE}.csv")
    write_csv(features[list(reversed(train.FEATURES))], tmp_path / "features" / "baseline.csv")

    status = evaluate.main(
        [
            *CHURN_ARGS,
            *("--metrics", "auc", "--model", str(churn / "model"), "--test", str(churn / "out" / "test")),
            *("--features", str(tmp_path / "features"), "--output-dir", str(tmp_path / "eval")),
        ]
    )

    assert status == 2
    assert "in this order" in capsys.readouterr().err


ROW = {
    "tenure_months": 3,
    "monthly_charges": 99.5,
    "total_charges": 298.5,
    "contract_type": "month-to-month",
    "support_calls_90d": 4,
}


def test_the_churn_endpoint_reads_requests_as_named_wherever_the_columns_are(churn: Path) -> None:
    """A CSV header naming more columns than the features (an identifier too), in another order; a
    media type in capitals; a bare JSON record or list: all are the same request."""
    _, train, _ = churn_steps()
    model = train.model_fn(str(churn / "model"))
    header_less = ",".join(str(ROW[name]) for name in train.FEATURES)
    named = {"customer_id": "cust-1", **dict(reversed(ROW.items()))}
    extra_header = ",".join(named) + "\n" + ",".join(str(value) for value in named.values())

    def score(body: str, content_type: str) -> float:
        [value] = train.predict_fn(train.input_fn(body, content_type), model)
        return float(value)

    expected = score(header_less, "text/csv")
    assert score(extra_header, "text/csv") == expected
    assert score(header_less, "Text/CSV; charset=UTF-8") == expected
    assert score(json.dumps(ROW), "application/json") == expected
    assert score(json.dumps([ROW]), "application/json") == expected


def test_an_unknown_contract_type_is_still_scored(churn: Path) -> None:
    """Preprocess refuses unknown categories in training data; the endpoint scores them (no contract
    column set) rather than failing the caller's request."""
    _, train, _ = churn_steps()
    model = train.model_fn(str(churn / "model"))
    [score] = train.predict_fn(
        train.input_fn(json.dumps({**ROW, "contract_type": "weekly"}), "application/json"), model
    )
    assert 0 <= score <= 1


def test_the_stack_files_hyperparameters_reach_the_classifier(churn: Path, tmp_path: Path) -> None:
    _, train, _ = churn_steps()
    argv = ["--train", str(churn / "out" / "train"), "--model-dir", str(tmp_path), "--label", "churned"]
    chosen = {
        "max_iter": 5,
        "learning_rate": 0.3,
        "max_leaf_nodes": 7,
        "min_samples_leaf": 9,
        "l2_regularization": 0.5,
    }
    flags = [item for name, value in chosen.items() for item in (f"--{name.replace('_', '-')}", str(value))]

    assert train.main([*argv, *flags]) == 0

    classifier = train.model_fn(str(tmp_path)).named_steps["classifier"]
    assert {name: classifier.get_params()[name] for name in chosen} == chosen
    assert classifier.n_iter_ == 5


def test_a_job_resumed_after_its_last_chunk_still_reports_its_objective_metric(
    churn: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Interrupted after the last checkpoint, the restarted job trains nothing: it must still print
    the final model's validation_auc, or the tuning job has no objective value for it."""
    _, train, _ = churn_steps()
    monkeypatch.setenv("TRAINING_JOB_NAME", "job-1")
    out = churn / "out"
    argv = ["--train", str(out / "train"), "--validation", str(out / "validation"), "--label", "churned"]
    argv += [
        "--model-dir",
        str(tmp_path / "model"),
        "--checkpoint-dir",
        str(tmp_path / "ckpt"),
        "--max-iter",
        "10",
    ]
    assert train.main(argv) == 0
    first = capsys.readouterr().out.count("validation_auc=")

    assert train.main(argv) == 0

    again = capsys.readouterr().out
    assert "(resumed from 10)" in again
    assert (first, again.count("validation_auc=")) == (1, 1)


# --- demand-forecast --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def forecast(tmp_path_factory: pytest.TempPathFactory) -> Path:
    preprocess, train, evaluate = (
        load_step("demand-forecast", s) for s in ("preprocess", "train", "evaluate")
    )
    root = tmp_path_factory.mktemp("forecast-semantics")
    assert _preprocess(preprocess, FORECAST_ARGS, weekly_extract(weeks=12, stores=3, skus=4), root) == 0
    out = root / "out"
    argv = [
        "--train",
        str(out / "train"),
        "--validation",
        str(out / "validation"),
        "--model-dir",
        str(root / "model"),
    ]
    assert train.main([*argv, "--label", "units_sold", "--num-round", "30", "--max-depth", "3"]) == 0
    assert (
        evaluate.main(
            [
                *FORECAST_ARGS,
                *(
                    "--metrics",
                    "rmse,mae,r2,wape",
                    "--model",
                    str(root / "model"),
                    "--test",
                    str(out / "test"),
                ),
                *("--features", str(out / preprocess.BASELINE), "--output-dir", str(root / "eval")),
                *("--predictions-dir", str(root / "predictions"), "--baseline-dir", str(root / "baseline")),
            ]
        )
        == 0
    )
    return root


def test_forecast_metrics_are_the_standard_ones_on_the_latest_weeks(forecast: Path) -> None:
    """Recomputed from the served forecasts of the test split: RMSE, MAE, R² and WAPE
    (sum of absolute errors over the sum of actual units)."""
    import numpy as np
    from sklearn import metrics

    train = load_step("demand-forecast", "train")
    test = _read_splits(load_step("demand-forecast", "preprocess"), forecast / "out")["test"]
    forecasts = train.predict_fn(test[list(train.FEATURES)], train.model_fn(str(forecast / "model")))
    actual = test["units_sold"].to_numpy(dtype=float)
    expected = {
        "rmse": float(np.sqrt(metrics.mean_squared_error(actual, forecasts))),
        "mae": metrics.mean_absolute_error(actual, forecasts),
        "r2": metrics.r2_score(actual, forecasts),
        "wape": float(np.abs(forecasts - actual).sum() / actual.sum()),
    }

    report = json.loads((forecast / "eval" / "evaluation.json").read_text())

    assert report == {"metrics": {name: {"value": pytest.approx(value)} for name, value in expected.items()}}


def test_the_validation_rmse_a_tuning_job_reads_is_the_models_on_the_validation_split(forecast: Path) -> None:
    import numpy as np
    import xgboost as xgb

    preprocess, train = (load_step("demand-forecast", s) for s in ("preprocess", "train"))
    splits = _read_splits(preprocess, forecast / "out")
    validation = splits["validation"]

    booster, rmse = train.train(
        splits["train"], "units_sold", train.Hyperparameters(num_round=20), validation
    )

    raw = booster.predict(xgb.DMatrix(train.encode(validation)))  # unclipped: what XGBoost's metric scores
    assert rmse == pytest.approx(float(np.sqrt(np.mean((raw - validation["units_sold"]) ** 2))), rel=1e-5)


def test_the_forecast_split_honours_its_fractions_in_whole_weeks(tmp_path: Path) -> None:
    preprocess = load_step("demand-forecast", "preprocess")
    extract = weekly_extract(weeks=20, stores=1, skus=2)

    status = _preprocess(
        preprocess,
        FORECAST_ARGS,
        extract,
        tmp_path,
        "--validation-fraction",
        "0.1",
        "--test-fraction",
        "0.25",
    )

    assert status == 0
    weeks = {
        name: frame["week_start"].nunique()
        for name, frame in _read_splits(preprocess, tmp_path / "out").items()
    }
    assert weeks == {"train": 13, "validation": 2, "test": 5}


def test_the_forecast_holdout_is_the_nearest_whole_number_of_weeks(tmp_path: Path) -> None:
    """12 weeks at the default 15 % + 15 %: 1.8 weeks each, so 2 (not 1, as truncating would give)."""
    preprocess = load_step("demand-forecast", "preprocess")
    assert _preprocess(preprocess, FORECAST_ARGS, weekly_extract(weeks=12, stores=1, skus=2), tmp_path) == 0
    splits = _read_splits(preprocess, tmp_path / "out")
    assert {name: frame["week_start"].nunique() for name, frame in splits.items()} == {
        "train": 8,
        "validation": 2,
        "test": 2,
    }


def test_the_forecast_split_does_not_depend_on_the_extracts_row_order(tmp_path: Path) -> None:
    preprocess = load_step("demand-forecast", "preprocess")
    extract = weekly_extract(weeks=8, stores=2, skus=2)

    assert _preprocess(preprocess, FORECAST_ARGS, extract, tmp_path / "a") == 0
    assert _preprocess(preprocess, FORECAST_ARGS, extract.sample(frac=1, random_state=3), tmp_path / "b") == 0

    for name in preprocess.SPLITS:
        first, second = (_read_splits(preprocess, tmp_path / run / "out")[name] for run in ("a", "b"))
        assert first.equals(second), f"the {name} split depends on the row order"


@pytest.mark.parametrize(("weeks", "status"), [(5, 2), (6, 0)], ids=["five-weeks-refused", "six-weeks-split"])
def test_the_forecast_needs_six_weeks_of_data(weeks: int, status: int, tmp_path: Path) -> None:
    preprocess = load_step("demand-forecast", "preprocess")
    assert (
        _preprocess(preprocess, FORECAST_ARGS, weekly_extract(weeks=weeks, stores=1, skus=2), tmp_path)
        == status
    )


def test_the_served_forecast_is_never_negative() -> None:
    """A booster that forecasts below zero (trained on negative targets) is served as zero units."""
    import numpy as np
    import xgboost as xgb

    train = load_step("demand-forecast", "train")
    frame = weekly_extract(weeks=2, stores=1, skus=4)
    booster = xgb.train({"max_depth": 2}, xgb.DMatrix(train.encode(frame), label=-np.ones(len(frame))), 5)
    assert (booster.predict(xgb.DMatrix(train.encode(frame))) < 0).all(), "the premise: raw forecasts < 0"

    assert (train.predict_fn(frame, booster) == 0).all()


def test_forecast_evaluate_refuses_baseline_features_in_another_order(
    forecast: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import pandas as pd

    preprocess, train, evaluate = (
        load_step("demand-forecast", s) for s in ("preprocess", "train", "evaluate")
    )
    features = pd.read_csv(forecast / "out" / preprocess.BASELINE / f"{preprocess.BASELINE}.csv")
    write_csv(features[list(reversed(train.FEATURES))], tmp_path / "features" / "baseline.csv")

    status = evaluate.main(
        [
            *FORECAST_ARGS,
            *(
                "--metrics",
                "rmse",
                "--model",
                str(forecast / "model"),
                "--test",
                str(forecast / "out" / "test"),
            ),
            *("--features", str(tmp_path / "features"), "--output-dir", str(tmp_path / "eval")),
        ]
    )

    assert status == 2
    assert "in this order" in capsys.readouterr().err


def test_the_forecast_endpoint_takes_a_bare_json_record_like_an_instances_list(forecast: Path) -> None:
    train = load_step("demand-forecast", "train")
    model = train.model_fn(str(forecast / "model"))
    row = dict(REQUEST_ROW)

    bare = train.predict_fn(train.input_fn(json.dumps(row), "application/json"), model)
    listed = train.predict_fn(train.input_fn(json.dumps({"instances": [row]}), "application/json"), model)

    assert bare.tolist() == listed.tolist() and len(bare) == 1


def test_forecast_evaluate_refuses_a_test_split_too_small_to_score(
    forecast: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """R² of one week-row is undefined: the job stops rather than report a NaN the condition reads."""
    preprocess, evaluate = (load_step("demand-forecast", s) for s in ("preprocess", "evaluate"))
    write_csv(_read_splits(preprocess, forecast / "out")["test"].head(1), tmp_path / "test" / "test.csv")

    status = evaluate.main(
        [
            *FORECAST_ARGS,
            *("--metrics", "rmse,r2", "--model", str(forecast / "model"), "--test", str(tmp_path / "test")),
            *(
                "--features",
                str(forecast / "out" / preprocess.BASELINE),
                "--output-dir",
                str(tmp_path / "eval"),
            ),
        ]
    )

    assert status == 2
    assert "fewer than 2 rows" in capsys.readouterr().err
    assert not (tmp_path / "eval").exists()
