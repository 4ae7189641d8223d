"""EvidentlyReport: an Evidently drift and data-quality report of a dataset against a reference.

The platform's own step (no model family writes it), run by the training pipeline on the run's
training features (Preprocess's ``baseline`` output) and by the batch-scoring pipeline on the
batch input, each against the family's reference dataset. It runs on the platform's Evidently
image (``images/evidently/Dockerfile``: Evidently, pandas and boto3 pinned), network-isolated:
it reads two local folders and writes one, and SageMaker moves them from and to S3.

    python3 evidently_report.py --reports data_drift,data_quality --drift-share 0.5 \\
        [--exclude label,customer_id]

Inputs: every ``*.csv`` (with a header) under ``/opt/ml/processing/reference`` and under
``/opt/ml/processing/current``; only the columns both share are compared, less ``--exclude``.
Outputs in ``/opt/ml/processing/report``: ``report.html`` (Evidently's own page), ``report.json``
(the snapshot as ``Snapshot.json()`` writes it) and ``summary.json``, the property file the
pipeline reads to publish the metrics (PublishDriftMetrics, the one step that calls CloudWatch)::

    {"drifted_columns_share": 0.5, "drifted_columns": 2, "dataset_drift": 1,
     "drift_share": 0.5, "reference_rows": 300, "current_rows": 300}

``dataset_drift`` is 1 when ``drifted_columns_share`` reaches ``drift_share`` (Evidently's own
definition of dataset drift); without the ``data_drift`` report both are 0 and only the quality
page is written. Only :func:`run_report` needs Evidently; the rest is plain Python and tested
against a real Evidently 0.7 snapshot (``tests/fixtures/evidently/``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

PROCESSING = Path("/opt/ml/processing")
REFERENCE, CURRENT, OUTPUT = PROCESSING / "reference", PROCESSING / "current", PROCESSING / "report"
REPORT_HTML, REPORT_JSON, SUMMARY_FILE = "report.html", "report.json", "summary.json"
REPORTS = ("data_drift", "data_quality")
DRIFTED_COLUMNS_TYPE = "evidently:metric_v2:DriftedColumnsCount"
"""``config.type`` of the metric DataDriftPreset adds: its value is ``{"count": n, "share": s}``."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--reports", default="data_drift,data_quality", help="Comma-separated: " + ", ".join(REPORTS)
    )
    parser.add_argument(
        "--drift-share", type=float, default=0.5, help="Share of drifted columns that is dataset drift"
    )
    parser.add_argument("--exclude", default="", help="Comma-separated columns never compared (label, ids)")
    parser.add_argument("--reference", type=Path, default=REFERENCE)
    parser.add_argument("--current", type=Path, default=CURRENT)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    args.reports = [name for name in args.reports.split(",") if name]
    unknown = sorted(set(args.reports) - set(REPORTS))
    if unknown or not args.reports:
        parser.error(f"--reports {unknown or '(none)'}: choose from {', '.join(REPORTS)}")
    if not 0 < args.drift_share <= 1:
        parser.error(f"--drift-share {args.drift_share}: must be in (0, 1]")
    args.exclude = {name for name in args.exclude.split(",") if name}
    return args


def csv_files(folder: Path) -> list[Path]:
    """Every CSV under ``folder`` in a stable order; none is an error (an empty input is a mistake)."""
    files = sorted(path for path in folder.rglob("*.csv") if path.is_file())
    if not files:
        raise SystemExit(f"no .csv file under {folder}: nothing to compare")
    return files


def shared_columns(reference: Iterable[str], current: Iterable[str], exclude: set[str]) -> list[str]:
    """The reference's columns (in its order) that the current data has too, less ``exclude``."""
    present = set(current)
    columns = [name for name in reference if name in present and name not in exclude]
    if not columns:
        raise SystemExit("the reference and the current data share no column to compare")
    return columns


def summarise(snapshot: Mapping[str, Any], drift_share: float, rows: tuple[int, int]) -> dict[str, Any]:
    """The summary of an Evidently snapshot (``Snapshot.json()``, parsed): the drifted columns' count
    and share from DataDriftPreset's DriftedColumnsCount, and dataset drift as 0/1."""
    drifted = [
        metric.get("value")
        for metric in snapshot.get("metrics", [])
        if isinstance(metric, Mapping) and (metric.get("config") or {}).get("type") == DRIFTED_COLUMNS_TYPE
    ]
    if len(drifted) > 1:
        raise ValueError(f"the report has {len(drifted)} DriftedColumnsCount metrics; expected at most one")
    value = drifted[0] if drifted else {"count": 0, "share": 0.0}
    if not (isinstance(value, Mapping) and {"count", "share"} <= set(value)):
        raise ValueError(f"DriftedColumnsCount value {value!r} lacks count/share")
    share = float(value["share"])
    return {
        "drifted_columns_share": share,
        "drifted_columns": int(value["count"]),
        "dataset_drift": int(bool(drifted) and share >= drift_share),
        "drift_share": drift_share,
        "reference_rows": rows[0],
        "current_rows": rows[1],
    }


def write_outputs(output: Path, html: str, snapshot_json: str, summary: Mapping[str, Any]) -> None:
    output.mkdir(parents=True, exist_ok=True)
    (output / REPORT_HTML).write_text(html)
    (output / REPORT_JSON).write_text(snapshot_json)
    (output / SUMMARY_FILE).write_text(json.dumps(summary, sort_keys=True))


def run_report(reference: Any, current: Any, reports: list[str], drift_share: float) -> tuple[str, str]:
    """Run Evidently (0.7 API): the snapshot's JSON (``Snapshot.json()``) and its HTML page."""
    import tempfile

    from evidently import Report
    from evidently.presets import DataDriftPreset, DataSummaryPreset

    presets = {
        "data_drift": lambda: DataDriftPreset(drift_share=drift_share),
        "data_quality": DataSummaryPreset,
    }
    snapshot = Report([presets[name]() for name in reports]).run(current, reference)
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / REPORT_HTML
        snapshot.save_html(str(page))
        html = page.read_text()
    return snapshot.json(), html


def _read(folder: Path) -> Any:
    import pandas as pd

    return pd.concat([pd.read_csv(path) for path in csv_files(folder)], ignore_index=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    reference, current = _read(args.reference), _read(args.current)
    columns = shared_columns(reference.columns, current.columns, args.exclude)
    snapshot_json, html = run_report(reference[columns], current[columns], args.reports, args.drift_share)
    summary = summarise(json.loads(snapshot_json), args.drift_share, (len(reference), len(current)))
    write_outputs(args.output, html, snapshot_json, summary)
    print(json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
