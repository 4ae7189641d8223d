"""ExtractFeatures: the training set from a feature group's offline store, at a point in time.

The platform's own step (no model family writes it), run before Preprocess when the family's
``training.data.feature_group`` is set. It asks SageMaker where the group's offline store table is
(``DescribeFeatureGroup``: the Glue database and table Feature Store created), then Athena, through
the stack's workgroup (which enforces its KMS-encrypted results location), for the group as it was
at the snapshot time:

- every record whose event time is at or before the snapshot time and that the offline store had
  at that time (``api_invocation_time`` and ``write_time`` at or before it): a record ingested later
  but back-dated (an event time before the snapshot time) is not in the snapshot, so rerunning with
  the same snapshot time gives the same rows;
- of those, the latest per record identifier (ties broken by the later ``api_invocation_time``,
  then ``write_time``: a record written twice with the same event time counts once, as written last);
- left out when that latest record is a deletion (``is_deleted``): a record deleted before the
  snapshot time is not in the snapshot, one deleted after it is.

The rows are written as CSV with a header (the selected features, in order) to ``--output-dir``,
which SageMaker uploads KMS-encrypted to the execution's prefix; Preprocess and DatasetManifest read
it from there. ``snapshot.json`` in ``--snapshot-dir`` is the property file RegisterModel reads:

    {"feature_group": <name>, "as_of": <ISO 8601 UTC, milliseconds>, "rows": <n>,
     "table": <database.table>, "query_execution_id": <id>}

``--as-of`` is the ``FeatureSnapshotTime`` parameter: an ISO 8601 time, or ``execution-start``
(its default) for the execution's start (``--execution-start``). A time without an offset is UTC.
Feature Store writes a ``PutRecord`` to the offline store within 15 minutes: records put in the
last minutes before the snapshot time may not be in the offline store yet, and are then not in
the snapshot (on a rerun either: ``write_time`` is after it).

Runs on the SageMaker Distribution image (boto3 is there), not network-isolated: it reaches Athena
and SageMaker through the VPC's interface endpoints, as its own role.

    python3 extract_features.py --feature-group NAME --workgroup NAME --region REGION
        --as-of TIME --execution-start TIME [--column NAME ...] --output-dir DIR --snapshot-dir DIR
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

AT_START = "execution-start"
"""``--as-of`` value meaning the execution's start (the parameter's default)."""
DATA_FILE, SNAPSHOT_FILE = "features.csv", "snapshot.json"
RANK_COLUMN = "_snapshot_rank"
"""Helper column of the query; no feature can be named so (a feature name starts with a letter or digit)."""
OFFLINE_STORE_COLUMNS = ("write_time", "api_invocation_time", "is_deleted")
"""What the offline store adds to every record."""
# FeatureName: 1-64 characters (its pattern alone bounds only the letters and digits).
_FEATURE = re.compile(r"^(?=.{1,64}\Z)[a-zA-Z0-9]([_-]*[a-zA-Z0-9]){0,63}\Z")
_GLUE_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,255}\Z")
_TIME = re.compile(
    r"^(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[T ](?P<time>[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?)"
    r"(?P<zone>Z|[+-][0-9]{2}:?[0-9]{2})?\Z"
)
FINISHED = ("SUCCEEDED", "FAILED", "CANCELLED")
FLOATING_TYPES = ("double", "float", "real")
"""Athena result column types rendered as Java doubles (``1.7672256E9``)."""
MAX_ROWS = 2_000_000
"""Rows ExtractFeatures reads at most: 2,000 GetQueryResults calls (1,000 rows each, about 0.2-0.5 s
apiece), some 7-17 minutes, inside the job's MaxRuntimeInSeconds (the training max runtime). The
query's own result CSV in S3 would have no such limit, but moto (the tests' Athena) writes none
for a workgroup-enforced results location, so the step is tested as it pages."""


class ExtractError(Exception):
    """The extract cannot produce a training set; the message says why (the job's failure reason)."""


def parse_time(text: str) -> datetime:
    """An ISO 8601 date-time as an aware UTC datetime; without an offset it is UTC."""
    match = _TIME.match(text.strip())
    if not match:
        raise ExtractError(f"{text!r} is not an ISO 8601 time such as 2026-01-31T00:00:00Z")
    time_part = match["time"]
    if time_part.count(":") == 1:
        time_part += ":00"
    seconds, _, fraction = time_part.partition(".")
    zone = match["zone"] or "Z"
    zone = "+00:00" if zone == "Z" else (zone if ":" in zone else f"{zone[:3]}:{zone[3:]}")
    fraction = f".{fraction[:6]:0<6}" if fraction else ""
    try:
        parsed = datetime.fromisoformat(f"{match['date']}T{seconds}{fraction}{zone}")
    except ValueError as error:
        raise ExtractError(f"{text!r} is not a valid time: {error}") from None
    return parsed.astimezone(UTC)


def iso(moment: datetime) -> str:
    """``2026-01-31T00:00:00.000Z``: what the model version records as the snapshot time."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def resolve_as_of(as_of: str, execution_start: str) -> datetime:
    """The snapshot time: ``as_of``, or the execution's start for ``execution-start``."""
    return parse_time(execution_start if as_of.strip() == AT_START else as_of)


def _quoted(name: str) -> str:
    return '"' + name + '"'


def point_in_time_query(
    *,
    database: str,
    table: str,
    record_identifier: str,
    event_time: str,
    event_time_type: str,
    columns: Sequence[str],
    as_of: datetime,
) -> str:
    """Athena (Trino) SQL for the group's records as of ``as_of`` (see the module docstring).

    Names are checked against Feature Store's and Glue's patterns before they are quoted, and the
    time is a literal this function formats, so nothing of the input reaches the SQL unchecked.
    """
    for name in (record_identifier, event_time, *columns):
        if not _FEATURE.match(name):
            raise ExtractError(f"{name!r} is not a feature name")
    for name in (database, table):
        if not _GLUE_NAME.match(name):
            raise ExtractError(f"{name!r} is not a Glue database or table name")
    if event_time_type == "String":
        event = f"from_iso8601_timestamp({_quoted(event_time)})"
        limit = f"from_iso8601_timestamp('{iso(as_of)}')"
    elif event_time_type == "Fractional":
        event = _quoted(event_time)
        limit = repr(as_of.timestamp())
    else:
        raise ExtractError(
            f"event time feature {event_time!r} is {event_time_type}, not String or Fractional"
        )
    # api_invocation_time and write_time are timestamps (Glue and Iceberg tables alike).
    known_by = f"CAST(from_iso8601_timestamp('{iso(as_of)}') AS timestamp)"
    ranking = ", ".join(
        [f"{event} DESC", f"{_quoted('api_invocation_time')} DESC", f"{_quoted('write_time')} DESC"]
    )
    return (
        f"SELECT {', '.join(map(_quoted, columns))}\n"
        f"FROM (\n"
        f"  SELECT *, row_number() OVER (PARTITION BY {_quoted(record_identifier)} ORDER BY {ranking})"
        f" AS {_quoted(RANK_COLUMN)}\n"
        f"  FROM {_quoted(database)}.{_quoted(table)}\n"
        f"  WHERE {event} <= {limit}\n"
        f"    AND {_quoted('api_invocation_time')} <= {known_by}"
        f" AND {_quoted('write_time')} <= {known_by}\n"
        f") AS {_quoted('latest')}\n"
        f"WHERE {_quoted(RANK_COLUMN)} = 1 AND NOT {_quoted('is_deleted')}\n"
        f"ORDER BY {_quoted(record_identifier)}"
    )


def offline_table(description: dict[str, Any]) -> tuple[str, str, str]:
    """(catalog, database, table) of a DescribeFeatureGroup response's offline store."""
    name = description.get("FeatureGroupName", "?")
    catalog = (description.get("OfflineStoreConfig") or {}).get("DataCatalogConfig")
    if not catalog:
        raise ExtractError(
            f"feature group {name} has no offline store table in the Glue catalog (an offline store "
            "with glue_catalog: managed is needed)"
        )
    status = description.get("OfflineStoreStatus", {}).get("Status")
    if status not in (None, "Active"):
        raise ExtractError(f"feature group {name}'s offline store is {status}, not Active")
    return catalog.get("Catalog", "AwsDataCatalog"), catalog["Database"], catalog["TableName"]


def selected_columns(description: dict[str, Any], requested: Sequence[str]) -> list[str]:
    """The requested features in order (each must be one of the group's), else all of them."""
    features = [d["FeatureName"] for d in description.get("FeatureDefinitions", [])]
    unknown = [column for column in requested if column not in features]
    if unknown:
        raise ExtractError(
            f"feature group {description.get('FeatureGroupName')} has no feature(s) {', '.join(unknown)}"
        )
    return list(requested) or features


def run_query(
    athena: Any,
    sql: str,
    *,
    workgroup: str,
    catalog: str,
    database: str,
    sleep: Callable[[float], None] = time.sleep,
    poll_seconds: float = 2.0,
    timeout_seconds: float = 3000.0,
) -> str:
    """Run ``sql`` in ``workgroup`` and wait for it; the execution id, or ExtractError on failure.

    No ResultConfiguration: the workgroup enforces its own (KMS-encrypted, in the artifact bucket)."""
    execution_id = athena.start_query_execution(
        QueryString=sql,
        QueryExecutionContext={"Catalog": catalog, "Database": database},
        WorkGroup=workgroup,
    )["QueryExecutionId"]
    waited = 0.0
    while True:
        status = athena.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]["Status"]
        if status["State"] in FINISHED:
            break
        if waited >= timeout_seconds:
            athena.stop_query_execution(QueryExecutionId=execution_id)
            raise ExtractError(f"Athena query {execution_id} did not finish in {timeout_seconds:.0f} s")
        sleep(poll_seconds)
        waited += poll_seconds
    if status["State"] != "SUCCEEDED":
        reason = status.get("StateChangeReason") or status.get("AthenaError", {}).get("ErrorMessage", "")
        raise ExtractError(f"Athena query {execution_id} {status['State']}: {reason}")
    return execution_id


def plain_number(value: str) -> str:
    """A double as Athena renders it (Java's ``Double.toString``: ``1.7672256E9``) in Python's
    shortest exact form (``1767225600.0``); non-finite values and ''(NULL) as they are."""
    if not value:
        return value
    try:
        number = float(value)
    except ValueError:
        raise ExtractError(f"Athena returned {value!r} for a floating-point column") from None
    return repr(number) if math.isfinite(number) else value


def result_rows(athena: Any, execution_id: str, max_rows: int = MAX_ROWS) -> Iterator[list[str]]:
    """Every row of the results, the header first (Athena's first row of a SELECT); NULL is '';
    floating-point columns (``ResultSetMetadata``) as :func:`plain_number`. GetQueryResults pages
    1,000 rows a call: more than ``max_rows`` data rows is an ExtractError (see ``MAX_ROWS``)."""
    paginator = athena.get_paginator("get_query_results")
    seen = 0
    floating: list[bool] = []
    for page in paginator.paginate(QueryExecutionId=execution_id, PaginationConfig={"PageSize": 1000}):
        if not floating:
            columns = page["ResultSet"].get("ResultSetMetadata", {}).get("ColumnInfo", [])
            floating = [column.get("Type", "").lower() in FLOATING_TYPES for column in columns] or [False]
        for row in page["ResultSet"]["Rows"]:
            values = [datum.get("VarCharValue", "") for datum in row["Data"]]
            if seen:
                values = [plain_number(v) if f else v for v, f in zip(values, floating, strict=False)]
            if seen > max_rows:
                raise ExtractError(
                    f"the snapshot has more than {max_rows:,} rows, more than ExtractFeatures reads through "
                    "Athena's GetQueryResults (1,000 rows a call) within a training job's runtime: "
                    "select fewer columns or train from a narrower feature group"
                )
            seen += 1
            yield values


def write_training_set(rows: Iterator[list[str]], columns: Sequence[str], path: Path) -> int:
    """Write the CSV (header = ``columns``); the number of records. Refuses a header that is not the
    selected columns and an empty snapshot (nothing to train on)."""
    header = next(rows, None)
    if header is not None and header != list(columns):
        raise ExtractError(f"Athena returned columns {header}, expected {list(columns)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def extract(
    sagemaker: Any,
    athena: Any,
    *,
    feature_group: str,
    workgroup: str,
    as_of: str,
    execution_start: str,
    columns: Sequence[str],
    output_dir: Path,
    snapshot_dir: Path,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """The whole step; returns what it writes to ``snapshot.json``."""
    moment = resolve_as_of(as_of, execution_start)
    description = sagemaker.describe_feature_group(FeatureGroupName=feature_group)
    catalog, database, table = offline_table(description)
    selected = selected_columns(description, columns)
    types = {d["FeatureName"]: d["FeatureType"] for d in description["FeatureDefinitions"]}
    event_time = description["EventTimeFeatureName"]
    sql = point_in_time_query(
        database=database,
        table=table,
        record_identifier=description["RecordIdentifierFeatureName"],
        event_time=event_time,
        event_time_type=types[event_time],
        columns=selected,
        as_of=moment,
    )
    execution_id = run_query(
        athena, sql, workgroup=workgroup, catalog=catalog, database=database, sleep=sleep
    )
    count = write_training_set(result_rows(athena, execution_id), selected, output_dir / DATA_FILE)
    if count == 0:
        raise ExtractError(
            f"feature group {feature_group} has no record at or before {iso(moment)}: nothing to train on"
        )
    snapshot = {
        "feature_group": feature_group,
        "as_of": iso(moment),
        "rows": count,
        "table": f"{database}.{table}",
        "query_execution_id": execution_id,
    }
    snapshot_dir.mkdir(parents=True, exist_ok=True)
    (snapshot_dir / SNAPSHOT_FILE).write_text(json.dumps(snapshot, sort_keys=True))
    return snapshot


FAILURE_MESSAGE = Path("/opt/ml/output/message")


def write_failure_reason(reason: str, path: Path | None = None) -> None:
    """Best effort: an image whose user may not write there (or a full disk) must not turn the real
    failure into an OSError traceback; the reason is on stderr (the job's log) either way."""
    path = path or FAILURE_MESSAGE
    try:
        if path.parent.is_dir():
            path.write_text(reason[:1024])
    except OSError as error:
        print(f"could not write the failure reason to {path}: {error}", file=sys.stderr)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feature-group", required=True)
    parser.add_argument("--workgroup", required=True)
    parser.add_argument("--region", required=True)
    parser.add_argument("--as-of", default=AT_START)
    parser.add_argument("--execution-start", required=True)
    parser.add_argument("--column", action="append", default=[], dest="columns")
    parser.add_argument("--output-dir", type=Path, required=True)
    parser.add_argument("--snapshot-dir", type=Path, required=True)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    import boto3

    args = parse_args(argv)
    session = boto3.Session(region_name=args.region)
    try:
        snapshot = extract(
            session.client("sagemaker"),
            session.client("athena"),
            feature_group=args.feature_group,
            workgroup=args.workgroup,
            as_of=args.as_of,
            execution_start=args.execution_start,
            columns=args.columns,
            output_dir=args.output_dir,
            snapshot_dir=args.snapshot_dir,
        )
    except ExtractError as error:
        # SageMaker shows the last lines of /opt/ml/output/message as the job's FailureReason.
        print(f"ExtractFeatures failed: {error}", file=sys.stderr)
        write_failure_reason(str(error))
        return 1
    print(json.dumps(snapshot, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
