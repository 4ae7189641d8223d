"""The demand-forecast family's step scripts (XGBoost regression), run locally end to end on a
seeded weekly extract with the arguments the platform passes them."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import pytest

from tests.family_steps import archive, load_step

if TYPE_CHECKING:  # pandas and numpy are imported where used: collecting this module needs neither
    import pandas as pd

LABEL, IDENTIFIERS = "units_sold", ("store_id", "sku", "week_start")
SCHEMA_ARGS = ["--label", LABEL, "--identifiers", ",".join(IDENTIFIERS)]
METRICS = ("rmse", "mae", "r2", "wape")
FAST = ["--label", LABEL, "--num-round", "60", "--max-depth", "4"]


REQUEST_ROW = {
    "price": 9.99,
    "on_promotion": 1,
    "holiday_week": 0,
    "units_last_week": 40.0,
    "units_4wk_avg": 35.5,
    "category": "grocery",
}
"""One week's model inputs as a request names them (the serving tests' record)."""


def weekly_extract(weeks: int = 20, stores: int = 4, skus: int = 5, seed: int = 11) -> pd.DataFrame:
    """Sales with a learnable signal: promotions and holidays sell more, higher prices less, and
    last week's and the 4-week average units carry over."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    rows = []
    for week in pd.date_range("2026-01-05", periods=weeks, freq="7D"):
        for store in range(stores):
            for sku in range(skus):
                price = round(float(rng.uniform(2, 40)), 2)
                promotion, holiday = int(rng.uniform() < 0.2), int(rng.uniform() < 0.1)
                average = float(rng.uniform(10, 80))
                last = max(0.0, average + rng.normal(0, 5))
                units = max(0.0, 0.6 * average + 0.3 * last + 15 * promotion + 10 * holiday - 0.5 * price)
                rows.append(
                    {
                        "store_id": f"s{store}",
                        "sku": f"sku-{sku}",
                        "week_start": week.strftime("%Y-%m-%d"),
                        "price": price,
                        "on_promotion": promotion,
                        "holiday_week": holiday,
                        "units_last_week": round(last, 1),
                        "units_4wk_avg": round(average, 2),
                        "category": ("grocery", "household", "personal-care", "electronics")[sku % 4],
                        "units_sold": round(max(0.0, units + rng.normal(0, 2)), 1),
                    }
                )
    return pd.DataFrame(rows)


def _write(frame: pd.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    return path


# The step scripts are fixtures, not module globals: loading them imports pandas and XGBoost, which
# a pytest-xdist worker collecting this module without running its tests should not pay.
@pytest.fixture(scope="module")
def preprocess() -> ModuleType:
    return load_step("demand-forecast", "preprocess")


@pytest.fixture(scope="module")
def train() -> ModuleType:
    return load_step("demand-forecast", "train")


@pytest.fixture(scope="module")
def evaluate() -> ModuleType:
    return load_step("demand-forecast", "evaluate")


@pytest.fixture(scope="module")
def splits(tmp_path_factory: pytest.TempPathFactory, preprocess: ModuleType) -> Path:
    root = tmp_path_factory.mktemp("forecast")
    _write(weekly_extract(), root / "raw" / "extract.csv")
    assert (
        preprocess.main([*SCHEMA_ARGS, "--input-dir", str(root / "raw"), "--output-dir", str(root / "out")])
        == 0
    )
    return root / "out"


@pytest.fixture(scope="module")
def training(splits: Path, tmp_path_factory: pytest.TempPathFactory, train: ModuleType) -> tuple[Path, str]:
    """The model directory of one training run on the splits and what it printed: the tests of the
    model and the one of its output line read the same run (a second one cost a quarter second)."""
    model_dir = tmp_path_factory.mktemp("forecast-model")
    argv = ["--train", str(splits / "train"), "--validation", str(splits / "validation")]
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        assert train.main([*argv, "--model-dir", str(model_dir), *FAST]) == 0
    return model_dir, printed.getvalue()


@pytest.fixture(scope="module")
def model_dir(training: tuple[Path, str]) -> Path:
    return training[0]


def _evaluate(model: Path, splits: Path, out: Path, metrics: tuple[str, ...] = METRICS) -> int:
    preprocess, evaluate = (load_step("demand-forecast", step) for step in ("preprocess", "evaluate"))
    return evaluate.main(
        [
            *SCHEMA_ARGS,
            *("--metrics", ",".join(metrics), "--model", str(model), "--test", str(splits / "test")),
            *("--features", str(splits / preprocess.BASELINE), "--output-dir", str(out / "eval")),
            *("--predictions-dir", str(out / "predictions"), "--baseline-dir", str(out / "baseline")),
        ]
    )


def test_the_split_is_by_time_whole_weeks_oldest_first(splits: Path, preprocess: ModuleType) -> None:
    import pandas as pd

    frames = {name: pd.read_csv(splits / name / f"{name}.csv") for name in preprocess.SPLITS}
    weeks = {name: set(frame["week_start"]) for name, frame in frames.items()}

    assert max(weeks["train"]) < min(weeks["validation"]) and max(weeks["validation"]) < min(weeks["test"])
    assert [len(weeks[name]) for name in preprocess.SPLITS] == [14, 3, 3]
    assert sum(len(frame) for frame in frames.values()) == 20 * 4 * 5
    assert list(frames["train"].columns) == [*IDENTIFIERS, *preprocess.FEATURES, LABEL]


def test_the_baseline_features_are_the_train_splits_model_inputs_in_request_order(
    splits: Path, preprocess: ModuleType, train: ModuleType
) -> None:
    import pandas as pd

    features = pd.read_csv(splits / "baseline" / "baseline.csv")
    train_split = pd.read_csv(splits / "train" / "train.csv")
    assert list(features.columns) == list(train.FEATURES) == list(preprocess.FEATURES)
    pd.testing.assert_frame_equal(features, train_split[list(train.FEATURES)])


def _first(frame: pd.DataFrame, column: str, value: object) -> pd.DataFrame:
    """``frame`` with ``value`` in the first row's ``column`` (extract.csv row 1)."""
    frame = frame.astype({column: object})
    frame.loc[0, column] = value
    return frame


BAD = {
    "missing-column": (lambda f: f.drop(columns="price"), "missing required column(s): price"),
    "empty-cell": (
        lambda f: _first(f, "sku", ""),
        "column 'sku' has 1 empty value(s) at extract.csv row 1",
    ),
    "negative-units": (
        lambda f: _first(f, "units_sold", -3.0),
        "column 'units_sold' must be a non-negative number; found '-3.0' at extract.csv row 1",
    ),
    "flag-not-0-or-1": (
        lambda f: _first(f, "on_promotion", 2),
        "column 'on_promotion' must be 0 or 1; found '2' at extract.csv row 1",
    ),
    "unknown-category": (
        lambda f: _first(f, "category", "toys"),
        "column 'category' has unknown value 'toys' at extract.csv row 1; allowed: grocery, household, "
        "personal-care, electronics",
    ),
    "not-a-date": (
        lambda f: _first(f, "week_start", "week 1"),
        "column 'week_start' must be a date like 2026-11-23; found 'week 1' at extract.csv row 1",
    ),
    "too-few-weeks": (
        lambda f: f[f["week_start"] < "2026-02-01"],
        "the extract spans 4 week(s); need at least 6 to split by time",
    ),
}


@pytest.mark.parametrize(("corrupt", "message"), BAD.values(), ids=BAD.keys())
def test_preprocess_rejects_bad_data_naming_the_problem(
    corrupt, message, tmp_path, capsys, preprocess: ModuleType
) -> None:
    _write(corrupt(weekly_extract(weeks=8, stores=2, skus=2)), tmp_path / "raw" / "extract.csv")

    status = preprocess.main(
        [*SCHEMA_ARGS, "--input-dir", str(tmp_path / "raw"), "--output-dir", str(tmp_path / "out")]
    )

    assert status == 2
    assert capsys.readouterr().err.strip() == f"data validation failed: {message}"
    assert not (tmp_path / "out").exists()


def test_the_family_needs_its_time_column_among_the_identifiers(
    tmp_path, capsys, preprocess: ModuleType
) -> None:
    _write(weekly_extract(weeks=8), tmp_path / "raw" / "extract.csv")
    status = preprocess.main(
        ["--label", LABEL, "--identifiers", "store_id,sku", "--input-dir", str(tmp_path / "raw")]
    )
    assert status == 2
    assert "identifiers must include 'week_start'" in capsys.readouterr().err


def test_training_learns_and_writes_the_model_with_its_serving_code(
    model_dir: Path, capsys, train: ModuleType
) -> None:
    assert (model_dir / train.MODEL_FILE).is_file()
    assert (model_dir / "code" / "train.py").read_text() == Path(train.__file__).read_text()


def test_the_validation_rmse_line_matches_the_stack_files_metric_definition(
    training: tuple[Path, str],
) -> None:
    import re

    [value] = re.findall(r"validation_rmse=([0-9.]+);", training[1])
    assert 0 < float(value) < 20


def test_evaluate_reports_exactly_the_requested_metrics_scored_as_served(
    model_dir: Path, splits: Path, tmp_path, train: ModuleType
) -> None:
    import numpy as np
    import pandas as pd

    assert _evaluate(archive(model_dir, tmp_path / "model"), splits, tmp_path / "out") == 0

    report = json.loads((tmp_path / "out" / "eval" / "evaluation.json").read_text())
    assert sorted(report["metrics"]) == sorted(METRICS)
    assert report["metrics"]["rmse"]["value"] < 8, "the model learned the signal (noise sd is 2)"
    assert report["metrics"]["r2"]["value"] > 0.8
    predictions = pd.read_csv(tmp_path / "out" / "predictions" / "predictions.csv")
    assert list(predictions.columns) == ["prediction", "label"]
    # The report is computed from exactly these predictions.
    rmse = float(np.sqrt(np.mean((predictions["prediction"] - predictions["label"]) ** 2)))
    assert rmse == pytest.approx(report["metrics"]["rmse"]["value"])
    # The served path: the archive's own inference script scores the same.
    served = train.predict_fn(
        train.input_fn(
            pd.read_csv(splits / "test" / "test.csv")[list(train.FEATURES)].to_csv(index=False), "text/csv"
        ),
        train.model_fn(str(model_dir)),
    )
    np.testing.assert_allclose(served, predictions["prediction"], rtol=1e-6)


def test_the_data_quality_baseline_is_the_forecast_then_the_request(
    model_dir: Path, splits: Path, tmp_path, train: ModuleType
) -> None:
    import pandas as pd

    assert _evaluate(model_dir, splits, tmp_path / "out") == 0
    baseline = pd.read_csv(tmp_path / "out" / "baseline" / "baseline.csv")
    assert list(baseline.columns) == ["prediction", *train.FEATURES]
    assert not {LABEL, *IDENTIFIERS} & set(baseline.columns)
    assert (baseline["prediction"] >= 0).all()


def test_a_metric_the_family_cannot_compute_stops_evaluate_naming_it(
    model_dir: Path, splits: Path, tmp_path, capsys
) -> None:
    assert _evaluate(model_dir, splits, tmp_path / "out", metrics=("rmse", "auc")) == 2
    error = capsys.readouterr().err
    assert "the stack file asks for metric(s) auc" in error and "rmse, mae, r2, wape" in error
    assert not (tmp_path / "out" / "eval").exists()


def test_serving_accepts_csv_with_and_without_header_and_json(model_dir: Path, train: ModuleType) -> None:
    import numpy as np

    model = train.model_fn(str(model_dir))
    row = dict(REQUEST_ROW)
    header_less = ",".join(str(row[name]) for name in train.FEATURES)
    with_header = ",".join(train.FEATURES) + "\n" + header_less
    answers = [
        train.predict_fn(train.input_fn(header_less.encode(), "text/csv"), model),
        train.predict_fn(train.input_fn(with_header, "text/csv; charset=utf-8"), model),
        train.predict_fn(train.input_fn(json.dumps({"instances": [row]}), "application/json"), model),
    ]
    np.testing.assert_allclose(answers[0], answers[1])
    np.testing.assert_allclose(answers[0], answers[2])
    body, content_type = train.output_fn(answers[0], "text/csv")
    assert (body.count("\n"), content_type) == (0, "text/csv")
    body, content_type = train.output_fn(answers[0], "application/json")
    assert json.loads(body) == pytest.approx(list(answers[0])) and content_type == "application/json"
    assert train.output_fn(answers[0], "*/*")[1] == "text/csv", "CSV is labelled CSV"
    with pytest.raises(ValueError, match="unsupported content type"):
        train.input_fn("x", "text/plain")
    with pytest.raises(ValueError, match="needs 6 columns"):
        train.input_fn("1,2,3", "text/csv")


def test_the_three_scripts_share_one_feature_schema(preprocess: ModuleType, train: ModuleType) -> None:
    assert preprocess.FEATURES == train.FEATURES
    assert preprocess.CATEGORIES == train.CATEGORIES
    assert set(train.NUMERIC) == set(preprocess.NUMERIC_FEATURES) | set(preprocess.FLAG_FEATURES)


def test_weeks_written_without_zero_padding_are_the_same_weeks_in_time_order(
    tmp_path, preprocess: ModuleType
) -> None:
    import pandas as pd

    extract = weekly_extract(weeks=8, stores=2, skus=2)
    # Half the rows spell the date without zero padding: "2026-02-02" and "2026-2-2" are one week.
    unpadded = extract["week_start"].map(lambda day: "-".join(str(int(part)) for part in day.split("-")))
    extract.loc[::2, "week_start"] = unpadded[::2]
    _write(extract, tmp_path / "raw" / "extract.csv")

    assert (
        preprocess.main(
            [*SCHEMA_ARGS, "--input-dir", str(tmp_path / "raw"), "--output-dir", str(tmp_path / "out")]
        )
        == 0
    )

    weeks = {
        name: set(pd.read_csv(tmp_path / "out" / name / f"{name}.csv")["week_start"])
        for name in preprocess.SPLITS
    }
    assert sum(len(w) for w in weeks.values()) == 8, "eight weeks, not sixteen"
    assert max(weeks["train"]) < min(weeks["validation"]) <= max(weeks["validation"]) < min(weeks["test"])
    assert all(len(day) == 10 for w in weeks.values() for day in w)
