"""CollectCapture: an endpoint's captured requests of one interval, as one CSV for EvidentlyReport.

The second step of an endpoint's live-drift pipeline, network-isolated: SageMaker downloads the
capture files ListCapture's manifest names to ``/opt/ml/processing/capture`` and the family's
reference dataset to ``/opt/ml/processing/reference``. Each capture line is a JSON record whose
``captureData.endpointInput`` holds one request body, captured as text (``encoding`` ``CSV`` or
``JSON``) or ``BASE64``. A body may hold several rows:

- ``text/csv``: its CSV rows, the reference's columns in order;
- ``application/json``: an object of every reference column (one row, or a row per position when
  each column holds a list of the same length), a list of values in the reference's column order
  (one row), a list of objects or lists of values (a row each), or an object whose ``instances`` is
  such a list (SageMaker's and TensorFlow Serving's request form); a cell is one value (text, a
  number, a boolean or null), never a list or an object. Only a whole body is read by column: an
  element of a list is one instance, so a list in it is one cell holding a list (a tensor input),
  refused rather than read as rows;
- ``application/jsonlines``: one such JSON value per line.

The rows are written under the reference's header (the model's request columns, in order) to
``/opt/ml/processing/current/capture.csv``; a row with another number of columns, an object without
a reference column, a cell that is not one value, a body of another content type or a line that is
no capture record is left out and counted (the first place of each reason is printed); the step
fails only when no row is left.

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
JSON_CONTENT_TYPE = "application/json"
JSON_LINES_CONTENT_TYPES = frozenset(
    {"application/jsonlines", "application/x-jsonlines", "application/jsonl"}
)
READABLE = "text/csv, application/json or application/jsonlines"


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
    with files[0].open(newline="", encoding="utf-8-sig") as handle:  # a byte-order mark is no name
        header = next(csv.reader(handle), [])
    if not header:
        raise CaptureError(f"{files[0]}: no header row")
    return header


def request_body(record: dict, where: str) -> tuple[str, str]:
    """The request a capture record holds: its content type and its body as text."""
    captured = (record.get("captureData") or {}).get("endpointInput")
    if not isinstance(captured, dict):
        raise CaptureError(f"{where}: no captureData.endpointInput")
    content_type = str(captured.get("observedContentType", "")).split(";")[0].strip().lower()
    if (
        content_type != CSV_CONTENT_TYPE
        and content_type != JSON_CONTENT_TYPE
        and (content_type not in JSON_LINES_CONTENT_TYPES)
    ):
        raise CaptureError(
            f"{where}: a request of type {content_type or 'none'}; CollectCapture reads {READABLE}"
        )
    data, encoding = captured.get("data"), captured.get("encoding")
    if not isinstance(data, str):
        raise CaptureError(f"{where}: endpointInput.data is not text")
    if encoding in ("CSV", "JSON"):
        return content_type, data
    if encoding == "BASE64":
        try:
            return content_type, base64.b64decode(data, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as error:
            raise CaptureError(f"{where}: endpointInput.data is not base64 of UTF-8 text ({error})") from None
    raise CaptureError(f"{where}: endpointInput.encoding {encoding!r} (CSV, JSON or BASE64 expected)")


def _cell(value: object, where: str) -> str:
    """A JSON value as a CSV cell: text as it is, numbers and booleans as JSON writes them, null
    empty. A list or an object is no one value: refused rather than written as JSON text."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        raise CaptureError(
            f"{where}: a JSON value that is a list or an object where a column holds one value"
        )
    return value if isinstance(value, str) else json.dumps(value)


def _object_rows(value: dict, header: list[str], where: str, *, by_column: bool) -> list[list[str]]:
    """An object of every reference column: one row or, ``by_column``, a row per position when every
    column holds a list of the same length (a batch by column, as ``pandas.DataFrame.to_dict("list")``
    writes)."""
    missing = [column for column in header if column not in value]
    if missing:
        named = ", ".join(missing[:3]) + (", ..." if len(missing) > 3 else "")
        raise CaptureError(f"{where}: a JSON object without the reference's column(s) {named}")
    columns = [value[column] for column in header]
    if by_column and all(isinstance(column, list) for column in columns):
        if len({len(column) for column in columns}) != 1:
            raise CaptureError(f"{where}: a JSON batch by column whose columns differ in length")
        if not columns[0]:
            raise CaptureError(f"{where}: a JSON batch by column of no rows")
        return [[_cell(column[row], where) for column in columns] for row in range(len(columns[0]))]
    return [[_cell(cell, where) for cell in columns]]


def json_rows(value: object, header: list[str], where: str) -> list[list[str]]:
    """The rows a JSON request holds (the forms in the module's docstring)."""
    if isinstance(value, dict):
        if isinstance(value.get("instances"), list):
            return [_json_row(item, header, where) for item in value["instances"]]
        return _object_rows(value, header, where, by_column=True)
    if isinstance(value, list):
        if all(not isinstance(item, dict | list) for item in value):
            return [[_cell(item, where) for item in value]]
        return [_json_row(item, header, where) for item in value]
    raise CaptureError(f"{where}: a JSON request that is neither an object nor a list")


def _json_row(item: object, header: list[str], where: str) -> list[str]:
    """One element of a list of rows: an object or a list of values, one row, nothing deeper."""
    if isinstance(item, dict) and "instances" not in item:
        [row] = _object_rows(item, header, where, by_column=False)
        return row
    if isinstance(item, list) and all(not isinstance(value, dict | list) for value in item):
        return [_cell(value, where) for value in item]
    raise CaptureError(f"{where}: a JSON row that is neither an object nor a list of values")


def body_rows(content_type: str, body: str, header: list[str], where: str) -> list[list[str]]:
    """The rows of one request body of ``content_type``."""
    if content_type == CSV_CONTENT_TYPE:
        return [row for row in csv.reader(io.StringIO(body)) if row]
    texts = (
        [line for line in body.split("\n") if line.strip()]  # JSON text may hold U+2028
        if content_type in JSON_LINES_CONTENT_TYPES
        else [body]
    )
    found = []
    for text in texts:
        try:
            value = json.loads(text)
        except ValueError:
            raise CaptureError(f"{where}: a request of type {content_type} that is not JSON") from None
        found += json_rows(value, header, where)
    return found


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


def rows(capture_dir: Path, header: list[str], collected: Collected) -> Iterator[list[str]]:
    """Every captured request row the reference describes, file by file (sorted by path) and line
    by line; the others are counted in ``collected``."""
    for path in sorted(p for p in capture_dir.rglob("*.jsonl") if p.is_file()):
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                where = f"{path.relative_to(capture_dir)}:{number}"
                try:
                    yield from _record_rows(line, where, header)
                except CaptureError as error:
                    collected.refuse(error)


def _record_rows(line: str, where: str, header: list[str]) -> list[list[str]]:
    try:
        record = json.loads(line)
    except ValueError:
        raise CaptureError(f"{where}: not a JSON record") from None
    if not isinstance(record, dict):
        raise CaptureError(f"{where}: not a JSON record")
    found = body_rows(*request_body(record, where), header, where)
    for row in found:
        if len(row) != len(header):
            raise CaptureError(f"{where}: a row of {len(row)} columns; the reference has {len(header)}")
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
        for row in rows(capture_dir, header, collected):
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
