"""Validate the weekly sales extract and split it, oldest weeks first, into train, validation and test.

Runs as the ``Preprocess`` processing job on the SageMaker XGBoost image (Python 3.10); the
platform passes the label and identifier columns the stack file declares for the family
(``models[].training.label`` / ``identifiers``, see models/README.md):

    python3 preprocess.py --label units_sold --identifiers store_id,sku,week_start
                          [--input-dir /opt/ml/processing/input/data]
                          [--output-dir /opt/ml/processing/output]

Every CSV under the input directory is read as text and checked: required columns, nulls, number
formats, non-negative quantities, 0/1 flags, known categories, ISO week dates and one row per record
(no two rows with the same identifiers). Bad data stops
the pipeline here with the column and rows at fault. A forecast is judged on weeks it has not
seen, so the split is by time: the oldest weeks train, the next validate, the latest test; the
same extract always yields the same sets.

Besides the splits it writes ``<output-dir>/baseline/baseline.csv``: the train split's model inputs
in request order (FEATURES), with a header, which evaluate.py puts the model's prediction in front
of for the data-quality baseline.

Exit status: 0 written, 2 invalid data. Self-contained: the job downloads only this file.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

WEEK = "week_start"
"""The identifier that orders the data in time (ISO date of the week's Monday)."""
NUMERIC_FEATURES = ("price", "units_last_week", "units_4wk_avg")
FLAG_FEATURES = ("on_promotion", "holiday_week")
CATEGORIES = ("grocery", "household", "personal-care", "electronics")
FEATURES = ("price", "on_promotion", "holiday_week", "units_last_week", "units_4wk_avg", "category")
"""Model inputs in request order (train.py's FEATURES)."""
SPLITS = ("train", "validation", "test")
BASELINE = "baseline"
MIN_WEEKS = 6
"""Each split needs at least one week of its own."""
EXAMPLES = 3


class DataValidationError(ValueError):
    """The extract cannot be trained on; the message names the column and rows at fault."""


@dataclass(frozen=True)
class Schema:
    """The stack file's label and identifiers; the identifiers must include WEEK."""

    label: str
    identifiers: tuple[str, ...]

    def __post_init__(self) -> None:
        if WEEK not in self.identifiers:
            raise DataValidationError(
                f"this family splits by time: the stack file's identifiers must include '{WEEK}'"
            )
        overlap = sorted({*self.identifiers, self.label} & set(FEATURES))
        if overlap:
            raise DataValidationError(
                f"label/identifiers {', '.join(overlap)} are model inputs of this family"
            )

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.identifiers, *FEATURES, self.label)


def read_extract(input_dir: Path) -> pd.DataFrame:
    """Every ``*.csv`` under ``input_dir`` (sorted), as text, with ``_source`` for messages."""
    files = sorted(path for path in input_dir.rglob("*.csv") if path.is_file())
    if not files:
        raise DataValidationError(f"no CSV files under {input_dir}")
    frames = []
    for path in files:
        frame = pd.read_csv(path, dtype=str, skipinitialspace=True, keep_default_na=False)
        frame["_source"] = [f"{path.name} row {row}" for row in range(1, len(frame) + 1)]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _where(frame: pd.DataFrame, mask: pd.Series) -> str:
    rows = frame.loc[mask, "_source"].head(EXAMPLES).tolist()
    more = int(mask.sum()) - len(rows)
    return ", ".join(rows) + (f" and {more} more" if more > 0 else "")


def _number(text: pd.DataFrame, column: str) -> pd.Series:
    values = pd.to_numeric(text[column], errors="coerce").astype(float)
    bad = values.isna() | ~values.map(math.isfinite) | (values < 0)
    if bad.any():
        raise DataValidationError(
            f"column '{column}' must be a non-negative number; found {text.loc[bad, column].iloc[0]!r} "
            f"at {_where(text, bad)}"
        )
    return values


def _one_row_per_record(typed: pd.DataFrame, text: pd.DataFrame, identifiers: tuple[str, ...]) -> None:
    """The identifiers identify a record: two rows with the same values (compared as typed, so
    ``2026-9-28`` and ``2026-09-28`` are one week) are one record written twice, or two records the
    extract cannot tell apart; either would weigh or contradict the training set unseen."""
    if not identifiers:
        return
    repeated = typed.duplicated(list(identifiers), keep=False)
    if repeated.any():
        first = ", ".join(repr(value) for value in text.loc[repeated, list(identifiers)].iloc[0])
        raise DataValidationError(
            f"identifiers {', '.join(identifiers)} must be unique per row; {int(repeated.sum())} rows "
            f"share values with another (first: {first}) at {_where(text, repeated)}"
        )


def validate(frame: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """The extract, typed; raises :class:`DataValidationError` at the first problem."""
    missing = [column for column in schema.columns if column not in frame.columns]
    if missing:
        raise DataValidationError(f"missing required column(s): {', '.join(missing)}")
    if frame.empty:
        raise DataValidationError("the extract has no rows")
    text = frame[[*schema.columns, "_source"]].apply(lambda column: column.str.strip())
    for column in schema.columns:
        empty = text[column] == ""
        if empty.any():
            raise DataValidationError(
                f"column '{column}' has {int(empty.sum())} empty value(s) at {_where(text, empty)}"
            )
    weeks = pd.to_datetime(text[WEEK], format="%Y-%m-%d", errors="coerce")
    if weeks.isna().any():
        bad = weeks.isna()
        raise DataValidationError(
            f"column '{WEEK}' must be a date like 2026-11-23; found {text.loc[bad, WEEK].iloc[0]!r} at {_where(text, bad)}"
        )
    typed = pd.DataFrame({column: text[column] for column in schema.identifiers})
    # Written as ISO dates, so that 2026-9-28 and 2026-09-28 are one week and text order is time order.
    typed[WEEK] = weeks.dt.strftime("%Y-%m-%d")
    _one_row_per_record(typed, text, schema.identifiers)
    for column in (*NUMERIC_FEATURES, schema.label):
        typed[column] = _number(text, column)
    for column in FLAG_FEATURES:
        flags = pd.to_numeric(text[column], errors="coerce")
        bad = ~flags.isin((0, 1))
        if bad.any():
            raise DataValidationError(
                f"column '{column}' must be 0 or 1; found {text.loc[bad, column].iloc[0]!r} at {_where(text, bad)}"
            )
        typed[column] = flags.astype("int64")
    unknown = ~text["category"].isin(CATEGORIES)
    if unknown.any():
        raise DataValidationError(
            f"column 'category' has unknown value {text.loc[unknown, 'category'].iloc[0]!r} at "
            f"{_where(text, unknown)}; allowed: {', '.join(CATEGORIES)}"
        )
    typed["category"] = text["category"]
    if typed[WEEK].nunique() < MIN_WEEKS:
        raise DataValidationError(
            f"the extract spans {typed[WEEK].nunique()} week(s); need at least {MIN_WEEKS} to split by time"
        )
    return typed[list(schema.columns)]


def split(
    frame: pd.DataFrame, schema: Schema, validation_fraction: float, test_fraction: float
) -> dict[str, pd.DataFrame]:
    """By week: the oldest weeks train, then validation, the latest weeks test (whole weeks each)."""
    if not (
        0 < validation_fraction < 1 and 0 < test_fraction < 1 and validation_fraction + test_fraction < 1
    ):
        raise ValueError("validation and test fractions must be in (0, 1) and sum to less than 1")
    ordered = frame.sort_values(list(schema.identifiers), kind="mergesort").reset_index(drop=True)
    weeks = sorted(ordered[WEEK].unique())
    test_weeks = max(1, round(len(weeks) * test_fraction))
    validation_weeks = max(1, round(len(weeks) * validation_fraction))
    train_end = len(weeks) - test_weeks - validation_weeks
    boundaries = {
        "train": weeks[:train_end],
        "validation": weeks[train_end : train_end + validation_weeks],
        "test": weeks[train_end + validation_weeks :],
    }
    return {
        name: ordered[ordered[WEEK].isin(chosen)].reset_index(drop=True)
        for name, chosen in boundaries.items()
    }


def write_splits(splits: dict[str, pd.DataFrame], output_dir: Path) -> dict[str, Path]:
    written = {}
    for name, frame in splits.items():
        path = output_dir / name / f"{name}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(path, index=False)
        written[name] = path
    return written


def write_baseline(train: pd.DataFrame, output_dir: Path) -> Path:
    path = output_dir / BASELINE / f"{BASELINE}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    train[list(FEATURES)].to_csv(path, index=False)
    return path


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--label", required=True, help="the label column (training.label)")
    parser.add_argument("--identifiers", default="", help="comma-separated identifier columns")
    parser.add_argument("--input-dir", type=Path, default=Path("/opt/ml/processing/input/data"))
    parser.add_argument("--output-dir", type=Path, default=Path("/opt/ml/processing/output"))
    parser.add_argument(
        "--seed", type=int, default=42, help="accepted for the contract; the split is by time"
    )
    parser.add_argument("--validation-fraction", type=float, default=0.15)
    parser.add_argument("--test-fraction", type=float, default=0.15)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        schema = Schema(args.label, tuple(name for name in args.identifiers.split(",") if name))
        frame = validate(read_extract(args.input_dir), schema)
    except DataValidationError as error:
        print(f"data validation failed: {error}", file=sys.stderr)
        return 2
    splits = split(frame, schema, args.validation_fraction, args.test_fraction)
    written = write_splits(splits, args.output_dir)
    written[BASELINE] = write_baseline(splits["train"], args.output_dir)
    for name, path in written.items():
        print(f"{name}: {sum(1 for _ in path.open()) - 1} rows -> {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
