"""Validate the raw customer-churn extract and split it into train, validation and test sets.

Runs as the ``Preprocess`` processing job (SageMaker scikit-learn container, Python 3.9); the
platform passes the label and identifier columns the stack file declares for the family
(``models[].training.label`` / ``identifiers``, see models/README.md):

    python3 preprocess.py --label churned --identifiers customer_id,event_time
                          [--input-dir /opt/ml/processing/input/data]
                          [--output-dir /opt/ml/processing/output] [--seed 42]

Every CSV under the input directory is read as text and checked before anything is trained on it:
required columns, types, allowed categories, label values, nulls, and one row per record (no two
rows with the same identifiers). Bad data stops the pipeline here with a message naming the
column and the offending rows, instead of surfacing later as a confusing training error or, worse,
as a model trained on garbage. The split is seeded and made
after sorting by the identifiers, so the same extract always yields the same sets; it splits
customers, not rows (every snapshot of a customer in one set).

Besides the splits it writes ``<output-dir>/baseline/baseline.csv``: the train split's model inputs
in request order, with a header and no label or identifiers. ``evaluate.py`` puts the model's
prediction in front of them to make the dataset of the data-quality baseline (Model Monitor puts
the captured response first and the request's columns after it).

Exit status: 0 written, 2 invalid data. The script is self-contained (the job downloads only this
file), so the feature schema below is repeated in train.py and evaluate.py; the tests keep them in
step.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

INTEGRAL_FEATURES = ("tenure_months", "support_calls_90d")
FRACTIONAL_FEATURES = ("monthly_charges", "total_charges")
CATEGORICAL_FEATURES = {"contract_type": ("month-to-month", "one-year", "two-year")}
FEATURES = ("tenure_months", "monthly_charges", "total_charges", "contract_type", "support_calls_90d")
"""Model inputs in request order (train.py's FEATURES)."""
NUMERIC_IDENTIFIERS = ("event_time",)
"""Identifiers that must be numbers when the stack file lists them (the feature store's event time)."""
NON_NEGATIVE = ("tenure_months", "monthly_charges", "total_charges", "support_calls_90d")
SPLITS = ("train", "validation", "test")
BASELINE = "baseline"
"""Output directory of the train split's model inputs (FEATURES), the data-quality baseline's columns."""
MIN_ROWS_PER_CLASS = 5
"""Below this the stratified three-way split cannot put both classes in every set (checked up
front; ``split`` refuses a class still too small for the fractions it is given)."""
EXAMPLES = 3
"""How many offending rows an error message quotes."""


class DataValidationError(ValueError):
    """The extract cannot be trained on; the message names the column and rows at fault."""


@dataclass(frozen=True)
class Schema:
    """What the stack file says of the data: the label, and the identifier columns (kept in the
    outputs for traceability, never used as features)."""

    label: str
    identifiers: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.identifiers, *FEATURES, self.label)

    def __post_init__(self) -> None:
        overlap = sorted({*self.identifiers, self.label} & set(FEATURES))
        if overlap:
            raise DataValidationError(
                f"the stack file's label/identifiers {', '.join(overlap)} are model inputs of this "
                f"family ({', '.join(FEATURES)})"
            )
        if self.label in self.identifiers:
            raise DataValidationError(f"label '{self.label}' is also an identifier")


def read_extract(input_dir: Path) -> pd.DataFrame:
    """Read every ``*.csv`` under ``input_dir`` (sorted, recursively) as text.

    Reading as text keeps the raw values, so a bad cell is reported as written in the file rather
    than after pandas has guessed a dtype for it. ``_source`` records ``<file> row <n>`` (data rows, 1-based) for messages.
    """
    files = sorted(path for path in input_dir.rglob("*.csv") if path.is_file())
    if not files:
        raise DataValidationError(f"no CSV files under {input_dir}")
    frames = []
    for path in files:
        frame = pd.read_csv(path, dtype=str, skipinitialspace=True)
        frame["_source"] = [f"{path.name} row {row}" for row in range(1, len(frame) + 1)]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _where(frame: pd.DataFrame, mask: pd.Series) -> str:
    rows = frame.loc[mask, "_source"].head(EXAMPLES).tolist()
    more = int(mask.sum()) - len(rows)
    return ", ".join(rows) + (f" and {more} more" if more > 0 else "")


def _clean(value: object) -> str | None:
    """Strip a cell; empty and missing cells become None (null)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _numeric(text: pd.DataFrame, column: str, integral: bool) -> pd.Series:
    values = pd.to_numeric(text[column], errors="coerce").astype(float)
    bad = ~np.isfinite(values)
    if bad.any():
        raise DataValidationError(
            f"column '{column}' must be a finite number; found {text.loc[bad, column].iloc[0]!r} "
            f"at {_where(text, bad)}"
        )
    if integral:
        fractional = values % 1 != 0
        if fractional.any():
            raise DataValidationError(
                f"column '{column}' must hold whole numbers; found {text.loc[fractional, column].iloc[0]!r} "
                f"at {_where(text, fractional)}"
            )
        return values.astype("int64")
    return values


def _one_row_per_record(typed: pd.DataFrame, text: pd.DataFrame, identifiers: tuple[str, ...]) -> None:
    """The identifiers identify a record: two rows with the same values (compared as typed, so
    ``1.0`` and ``1`` are one event time) are one record written twice, or two records the
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
    """Check the raw extract and return it typed; raise :class:`DataValidationError` on bad data.

    Checks run column by column in schema order and stop at the first problem, so the message is
    about one thing the data owner has to fix.
    """
    columns, label_column = schema.columns, schema.label
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise DataValidationError(f"missing required column(s): {', '.join(missing)}")
    if frame.empty:
        raise DataValidationError("the extract has no rows")
    sources = frame["_source"] if "_source" in frame.columns else [f"row {i + 1}" for i in range(len(frame))]
    text = pd.DataFrame({column: frame[column].astype(object).map(_clean) for column in columns})
    text["_source"] = list(sources)
    for column in columns:
        nulls = text[column].isna()
        if nulls.any():
            raise DataValidationError(
                f"column '{column}' has {int(nulls.sum())} null value(s) at {_where(text, nulls)}"
            )
    typed = pd.DataFrame(
        {
            column: _numeric(text, column, integral=False) if column in NUMERIC_IDENTIFIERS else text[column]
            for column in schema.identifiers
        },
        index=text.index,
    )
    _one_row_per_record(typed, text, schema.identifiers)
    for column in INTEGRAL_FEATURES:
        typed[column] = _numeric(text, column, integral=True)
    for column in FRACTIONAL_FEATURES:
        typed[column] = _numeric(text, column, integral=False)
    for column in NON_NEGATIVE:
        negative = typed[column] < 0
        if negative.any():
            raise DataValidationError(
                f"column '{column}' must not be negative; found {text.loc[negative, column].iloc[0]!r} "
                f"at {_where(text, negative)}"
            )
    for column, allowed in CATEGORICAL_FEATURES.items():
        unknown = ~text[column].isin(allowed)
        if unknown.any():
            found = ", ".join(repr(value) for value in sorted(set(text.loc[unknown, column]))[:EXAMPLES])
            raise DataValidationError(
                f"column '{column}' has unknown value(s) {found} at {_where(text, unknown)}; "
                f"allowed: {', '.join(allowed)}"
            )
        typed[column] = text[column]
    label = pd.to_numeric(text[label_column], errors="coerce")
    not_binary = ~label.isin((0, 1))
    if not_binary.any():
        raise DataValidationError(
            f"label '{label_column}' must be 0 or 1; found {text.loc[not_binary, label_column].iloc[0]!r} "
            f"at {_where(text, not_binary)}"
        )
    typed[label_column] = label.astype("int64")
    for value in (0, 1):
        count = int((typed[label_column] == value).sum())
        if count < MIN_ROWS_PER_CLASS:
            raise DataValidationError(
                f"label '{label_column}' has {count} row(s) of class {value}; "
                f"need at least {MIN_ROWS_PER_CLASS} of each class to split"
            )
    return typed[list(columns)]


def entities(frame: pd.DataFrame, schema: Schema) -> pd.Series:
    """Each row's entity: its identifiers other than the event time (a customer), so that every
    snapshot of one customer lands in the same split; without such identifiers, each row is one."""
    keys = [name for name in schema.identifiers if name not in NUMERIC_IDENTIFIERS]
    if not keys:
        return pd.Series(frame.index, index=frame.index)
    return frame[keys].astype(str).agg("\x1f".join, axis=1)


def split(
    frame: pd.DataFrame, schema: Schema, seed: int, validation_fraction: float, test_fraction: float
) -> dict[str, pd.DataFrame]:
    """Split deterministically, by entity and stratified on the label: same extract and seed, same
    sets, and no customer in two sets (a customer's later snapshot in the test set would grade the
    model on what it trained on). An entity counts as positive when any of its rows is.

    Raises :class:`DataValidationError` when a class has too few entities to reach all three sets
    at these fractions (a set of one class has no AUC, and would stop Evaluate instead)."""
    if (
        not 0 < validation_fraction < 1
        or not 0 < test_fraction < 1
        or validation_fraction + test_fraction >= 1
    ):
        raise ValueError("validation and test fractions must be in (0, 1) and sum to less than 1")
    order = list(schema.identifiers) or list(schema.columns)
    ordered = frame.sort_values(order, kind="mergesort").reset_index(drop=True)
    holdout = validation_fraction + test_fraction
    label = schema.label
    entity = entities(ordered, schema)
    rows_of = ordered.groupby(entity, sort=False).indices
    classes = ordered[label].groupby(entity, sort=False).max()
    try:
        train, rest = train_test_split(classes, test_size=holdout, random_state=seed, stratify=classes)
        validation, test = train_test_split(
            rest, test_size=test_fraction / holdout, random_state=seed, stratify=rest
        )
    except ValueError:  # a class too small to stratify at these fractions
        splits = None
    else:
        splits = {
            name: ordered.iloc[[row for key in part.index for row in rows_of[key]]]
            for name, part in (("train", train), ("validation", validation), ("test", test))
        }
    if splits is None or any(part[label].nunique() < 2 for part in splits.values()):
        counts = classes.value_counts()
        rare = int(counts.idxmin())
        unit = "row(s)" if len(classes) == len(ordered) else "entities (rows of one identifier)"
        raise DataValidationError(
            f"label '{label}' has {int(counts[rare])} {unit} of class {rare}: too few to put both classes "
            f"in the train, validation and test splits at validation fraction {validation_fraction} and "
            f"test fraction {test_fraction}"
        )
    return splits


def write_splits(splits: dict[str, pd.DataFrame], output_dir: Path) -> dict[str, Path]:
    """Write ``<output_dir>/<split>/<split>.csv`` with a header (the job uploads each directory)."""
    written = {}
    for name, frame in splits.items():
        path = output_dir / name / f"{name}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(path, index=False)
        written[name] = path
    return written


def write_baseline(train: pd.DataFrame, output_dir: Path) -> Path:
    """Write ``<output_dir>/baseline/baseline.csv``: the train split's FEATURES, in request order."""
    path = output_dir / BASELINE / f"{BASELINE}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    train[list(FEATURES)].to_csv(path, index=False)
    return path


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--label", required=True, help="the label column (the stack file's training.label)")
    parser.add_argument(
        "--identifiers", default="", help="comma-separated identifier columns (training.identifiers)"
    )
    parser.add_argument("--input-dir", type=Path, default=Path("/opt/ml/processing/input/data"))
    parser.add_argument("--output-dir", type=Path, default=Path("/opt/ml/processing/output"))
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--validation-fraction", type=float, default=0.15)
    parser.add_argument("--test-fraction", type=float, default=0.15)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        schema = Schema(args.label, tuple(name for name in args.identifiers.split(",") if name))
        frame = validate(read_extract(args.input_dir), schema)
        splits = split(frame, schema, args.seed, args.validation_fraction, args.test_fraction)
    except DataValidationError as error:
        print(f"data validation failed: {error}", file=sys.stderr)
        return 2
    written = write_splits(splits, args.output_dir)
    written[BASELINE] = write_baseline(splits["train"], args.output_dir)
    for name, path in written.items():
        print(f"{name}: {sum(1 for _ in path.open()) - 1} rows -> {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
