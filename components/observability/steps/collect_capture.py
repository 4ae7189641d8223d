"""CollectCapture: an endpoint's captured requests of one interval, as one CSV for EvidentlyReport.

The second step of an endpoint's live-drift pipeline, network-isolated: SageMaker downloads the
capture files ListCapture's manifest names to ``/opt/ml/processing/capture`` and the family's
reference dataset to ``/opt/ml/processing/reference``. Each capture line is a JSON record whose
``captureData.endpointInput`` holds one request body: ``encoding`` ``CSV`` (the endpoint's
``text/csv`` requests, captured as text) or ``BASE64``; its ``observedContentType`` must be
``text/csv``. A body may hold several rows. The rows are written under the reference's header (the
model's request columns, in order) to ``/opt/ml/processing/current/capture.csv``; a row with another
number of columns, a body of another content type or a line that is no capture record is left out
and counted (the first place of each reason is printed); the step fails only when no row is left.

    python3 collect_capture.py [--capture-dir DIR] [--reference-dir DIR] [--output-dir DIR]
"""

from __future__ import annotations

import argparse
import base64
import binascii
import csv
import io
import json
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

PROCESSING = Path("/opt/ml/processing")
CAPTURE, REFERENCE, OUTPUT = PROCESSING / "capture", PROCESSING / "reference", PROCESSING / "current"
OUTPUT_FILE = "capture.csv"
CSV_CONTENT_TYPE = "text/csv"


class CaptureError(Exception):
    """A capture record this step cannot turn into rows of the reference's columns."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--capture-dir", type=Path, default=CAPTURE)
    parser.add_argument("--reference-dir", type=Path, default=REFERENCE)
    parser.add_argument("--output-dir", type=Path, default=OUTPUT)
    return parser.parse_args(argv)


def reference_header(reference_dir: Path) -> list[str]:
    """The header of the reference dataset's first CSV file (in name order)."""
    files = sorted(path for path in reference_dir.rglob("*.csv") if path.is_file())
    if not files:
        raise CaptureError(f"no .csv file under {reference_dir}: the family's reference dataset")
    with files[0].open(newline="") as handle:
        header = next(csv.reader(handle), [])
    if not header:
        raise CaptureError(f"{files[0]}: no header row")
    return header


def request_body(record: dict, where: str) -> str:
    """The request body a capture record holds, as text."""
    captured = (record.get("captureData") or {}).get("endpointInput")
    if not isinstance(captured, dict):
        raise CaptureError(f"{where}: no captureData.endpointInput")
    content_type = str(captured.get("observedContentType", "")).split(";")[0].strip().lower()
    if content_type != CSV_CONTENT_TYPE:
        raise CaptureError(f"{where}: a {content_type or 'untyped'} request; the reference is text/csv")
    data, encoding = captured.get("data"), captured.get("encoding")
    if not isinstance(data, str):
        raise CaptureError(f"{where}: endpointInput.data is not text")
    if encoding == "CSV":
        return data
    if encoding == "BASE64":
        try:
            return base64.b64decode(data, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as error:
            raise CaptureError(f"{where}: endpointInput.data is not base64 of UTF-8 text ({error})") from None
    raise CaptureError(f"{where}: endpointInput.encoding {encoding!r} (CSV or BASE64 expected)")


@dataclass
class Collected:
    rows: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    """Why records were left out, and how many: a request the reference does not describe (another
    content type, another width, not a capture record) is counted, not fatal, so one odd caller
    does not cost the interval its report."""
    first: dict[str, str] = field(default_factory=dict)
    """The first place each reason was met (file:line)."""

    def refuse(self, error: CaptureError) -> None:
        where, _, reason = str(error).partition(": ")
        self.refused[reason] += 1
        self.first.setdefault(reason, where)


def rows(capture_dir: Path, columns: int, collected: Collected) -> Iterator[list[str]]:
    """Every captured request row the reference describes, file by file (sorted by path) and line
    by line; the others are counted in ``collected``."""
    for path in sorted(p for p in capture_dir.rglob("*.jsonl") if p.is_file()):
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                where = f"{path.relative_to(capture_dir)}:{number}"
                try:
                    yield from _record_rows(line, where, columns)
                except CaptureError as error:
                    collected.refuse(error)


def _record_rows(line: str, where: str, columns: int) -> list[list[str]]:
    try:
        record = json.loads(line)
    except ValueError:
        raise CaptureError(f"{where}: not a JSON record") from None
    if not isinstance(record, dict):
        raise CaptureError(f"{where}: not a JSON record")
    found = [row for row in csv.reader(io.StringIO(request_body(record, where))) if row]
    for row in found:
        if len(row) != columns:
            raise CaptureError(f"{where}: a row of {len(row)} columns; the reference has {columns}")
    return found


def collect(capture_dir: Path, reference_dir: Path, output_dir: Path) -> Collected:
    """Write the interval's rows under the reference's header; what was collected and left out.
    Fails when no row is left: there would be nothing to report on."""
    header = reference_header(reference_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    collected = Collected()
    with (output_dir / OUTPUT_FILE).open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows(capture_dir, len(header), collected):
            writer.writerow(row)
            collected.rows += 1
    if not collected.rows:
        reasons = "; ".join(f"{collected.first[r]}: {r} ({n})" for r, n in collected.refused.most_common())
        raise CaptureError(f"no captured request the reference describes{': ' + reasons if reasons else ''}")
    return collected


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        collected = collect(args.capture_dir, args.reference_dir, args.output_dir)
    except CaptureError as error:
        print(f"CollectCapture: {error}", file=sys.stderr)
        return 2
    print(f"{collected.rows} captured rows")
    for reason, count in collected.refused.most_common():
        print(f"left out {count}: {reason} (first at {collected.first[reason]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
