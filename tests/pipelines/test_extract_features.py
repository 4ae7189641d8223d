"""ExtractFeatures' script: the point-in-time SQL run on real rows, and the whole step against moto.

The SQL is the exact string the step sends to Athena, run by SQLite with Athena's one function it
uses (``from_iso8601_timestamp``) registered in Python, returning Unix seconds, as which the
offline store's timestamp columns (``write_time``, ``api_invocation_time``) are stored: SQLite has the window functions, the
quoting and the boolean arithmetic the query relies on, so a wrong ranking, a deletion filtered
before ranking, or a strict ``<`` gives wrong rows here."""

from __future__ import annotations

import csv
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from components.training.steps import extract_features as step
from tests.aws_sessions import mocked_aws
from tests.shared_clients import shared_client

DATABASE, TABLE = "sagemaker_featurestore", "prod_customer_churn_labelled_1764547200"
COLUMNS = ["customer_id", "event_time", "tenure_months", "churned"]
AS_OF = "2026-06-30T00:00:00Z"


def _iso_epoch(text: str) -> float:
    return step.parse_time(text).timestamp()


def _store(rows: list[tuple], event_time_type: str) -> sqlite3.Connection:
    """An offline-store table: the features, then what the offline store adds to every record."""
    connection = sqlite3.connect(":memory:")
    connection.create_function("from_iso8601_timestamp", 1, _iso_epoch, deterministic=True)
    connection.execute(f"ATTACH DATABASE ':memory:' AS {DATABASE}")
    event_type = "TEXT" if event_time_type == "String" else "REAL"
    connection.execute(
        f'CREATE TABLE {DATABASE}."{TABLE}" (customer_id TEXT, event_time {event_type}, tenure_months '
        "INTEGER, churned INTEGER, write_time TIMESTAMP, api_invocation_time TIMESTAMP, is_deleted BOOLEAN)"
    )
    connection.executemany(f'INSERT INTO {DATABASE}."{TABLE}" VALUES (?, ?, ?, ?, ?, ?, ?)', rows)
    return connection


def _snapshot(connection: sqlite3.Connection, event_time_type: str, as_of: str = AS_OF) -> list[tuple]:
    sql = step.point_in_time_query(
        database=DATABASE,
        table=TABLE,
        record_identifier="customer_id",
        event_time="event_time",
        event_time_type=event_time_type,
        columns=COLUMNS,
        as_of=step.parse_time(as_of),
    )
    return connection.execute(sql).fetchall()


def _row(
    customer: str,
    event: str,
    tenure: int,
    churned: int,
    invoked: str,
    deleted: bool = False,
    written: str = "",
) -> tuple:
    """A record put at ``invoked`` and written to the offline store at ``written`` (default: then)."""
    return (customer, event, tenure, churned, _iso_epoch(written or invoked), _iso_epoch(invoked), deleted)


STRING_HISTORY = [
    # a: updated after the snapshot time: the snapshot has the earlier record.
    _row("a", "2026-01-01T00:00:00Z", 1, 0, "2026-01-01T00:00:01Z"),
    _row("a", "2026-07-01T00:00:00Z", 7, 1, "2026-07-01T00:00:01Z"),
    # b: deleted before the snapshot time: not in it (an earlier record must not come back).
    _row("b", "2026-02-01T00:00:00Z", 2, 0, "2026-02-01T00:00:01Z"),
    _row("b", "2026-03-01T00:00:00Z", 2, 0, "2026-03-01T00:00:01Z", deleted=True),
    # c: deleted after the snapshot time: still in it.
    _row("c", "2026-02-01T00:00:00Z", 3, 1, "2026-02-01T00:00:01Z"),
    _row("c", "2026-08-01T00:00:00Z", 3, 1, "2026-08-01T00:00:01Z", deleted=True),
    # d: first seen after the snapshot time: absent.
    _row("d", "2026-07-15T00:00:00Z", 4, 0, "2026-07-15T00:00:01Z"),
    # e: written twice with one event time: the later write wins.
    _row("e", "2026-04-01T00:00:00Z", 5, 0, "2026-04-01T00:00:01Z"),
    _row("e", "2026-04-01T00:00:00Z", 50, 1, "2026-04-02T00:00:00Z"),
    # f: exactly at the snapshot time, written in another offset: included (at or before).
    _row("f", "2026-06-30T02:00:00+02:00", 6, 1, "2026-06-30T00:00:00Z"),
    # g: deleted, then put again before the snapshot time: in it, as put again.
    _row("g", "2026-01-01T00:00:00Z", 8, 0, "2026-01-01T00:00:01Z", deleted=True),
    _row("g", "2026-05-01T00:00:00Z", 9, 1, "2026-05-01T00:00:01Z"),
    # h: one millisecond after the snapshot time: absent.
    _row("h", "2026-06-30T00:00:00.001Z", 10, 0, "2026-06-30T00:00:01Z"),
    # i: back-dated, ingested after the snapshot time: absent (a rerun at the same time must not see it).
    _row("i", "2026-03-01T00:00:00Z", 11, 1, "2026-09-01T00:00:00Z"),
    # c: a back-dated correction ingested after the snapshot time does not replace what it had.
    _row("c", "2026-05-01T00:00:00Z", 30, 0, "2026-09-02T00:00:00Z"),
    # j: put before the snapshot time, in the offline store only after it (its write lag): absent.
    _row("j", "2026-06-29T23:55:00Z", 12, 0, "2026-06-29T23:55:00Z", written="2026-06-30T00:07:00Z"),
]


def test_the_snapshot_is_the_latest_live_record_per_identifier_at_the_time() -> None:
    rows = _snapshot(_store(STRING_HISTORY, "String"), "String")

    assert rows == [
        ("a", "2026-01-01T00:00:00Z", 1, 0),
        ("c", "2026-02-01T00:00:00Z", 3, 1),
        ("e", "2026-04-01T00:00:00Z", 50, 1),
        ("f", "2026-06-30T02:00:00+02:00", 6, 1),
        ("g", "2026-05-01T00:00:00Z", 9, 1),
    ]


def test_a_later_snapshot_sees_the_later_updates_and_deletions() -> None:
    rows = _snapshot(_store(STRING_HISTORY, "String"), "String", as_of="2026-12-31T00:00:00Z")

    assert [row[0] for row in rows] == ["a", "d", "e", "f", "g", "h", "i", "j"]
    assert rows[0] == ("a", "2026-07-01T00:00:00Z", 7, 1)


def test_fractional_event_times_compare_as_unix_seconds() -> None:
    def at(text: str) -> float:
        return step.parse_time(text).timestamp()

    history = [(c, at(e), t, y, w, i, d) for c, e, t, y, w, i, d in STRING_HISTORY if "+" not in e]
    rows = _snapshot(_store(history, "Fractional"), "Fractional")

    assert [(row[0], row[2]) for row in rows] == [("a", 1), ("c", 3), ("e", 50), ("g", 9)]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("a column with a quote", 'churned" FROM x; --'),
        ("a column with a space", "churned x"),
        ("a table with a dot", "t.x"),
    ],
)
def test_names_that_are_not_feature_or_glue_names_never_reach_the_sql(name: str, value: str) -> None:
    columns, table = COLUMNS, TABLE
    if "column" in name:
        columns = [*COLUMNS, value]
    else:
        table = value
    with pytest.raises(step.ExtractError):
        step.point_in_time_query(
            database=DATABASE,
            table=table,
            record_identifier="customer_id",
            event_time="event_time",
            event_time_type="String",
            columns=columns,
            as_of=step.parse_time(AS_OF),
        )


@pytest.mark.parametrize(
    ("as_of", "start", "expected"),
    [
        ("execution-start", "2026-12-02T06:00:00.123Z", "2026-12-02T06:00:00.123Z"),
        ("execution-start", "2026-12-02T06:00:00.123456+00:00", "2026-12-02T06:00:00.123Z"),
        ("2026-06-30T02:00:00+02:00", "2026-12-02T06:00:00Z", "2026-06-30T00:00:00.000Z"),
        ("2026-06-30", "2026-12-02T06:00:00Z", None),
        ("2026-06-30 12:30", "2026-12-02T06:00:00Z", "2026-06-30T12:30:00.000Z"),
        ("yesterday", "2026-12-02T06:00:00Z", None),
    ],
)
def test_the_snapshot_time_is_the_parameter_or_the_executions_start(
    as_of: str, start: str, expected: str | None
) -> None:
    if expected is None:
        with pytest.raises(step.ExtractError, match="ISO 8601"):
            step.resolve_as_of(as_of, start)
    else:
        assert step.iso(step.resolve_as_of(as_of, start)) == expected


# --- the whole step against moto ------------------------------------------------------------------

REGION, ACCOUNT = "eu-west-1", "123456789012"
GROUP = "prod-customer-churn-labelled"
WORKGROUP = "mlops-platform-prod-feature-queries"
RESULTS = f"s3://prod-artifacts-{ACCOUNT}/athena-results/{WORKGROUP}/"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _cell(value: str | None) -> dict[str, str]:
    return {} if value is None else {"VarCharValue": value}


def _queue_results(rows: list[list[str | None]], types: list[str] | None = None) -> None:
    """moto's documented way to give the next query its results (``/moto-api/static/athena/query-results``)."""
    response = requests.post(
        "http://motoapi.amazonaws.com/moto-api/static/athena/query-results",
        json={
            "account_id": ACCOUNT,
            "region": REGION,
            "results": [
                {
                    "rows": [{"Data": [_cell(value) for value in row]} for row in rows],
                    "column_info": [
                        {"Name": name, "Type": kind}
                        for name, kind in zip(rows[0], types or ["varchar"] * len(rows[0]), strict=True)
                    ],
                }
            ],
        },
        timeout=5,
    )
    assert response.status_code == 201


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Any:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "MOTO_ACCOUNT_ID": ACCOUNT,
    }.items():
        monkeypatch.setenv(name, value)
    with mocked_aws(REGION):
        sagemaker, athena, s3 = (shared_client(name, REGION) for name in ("sagemaker", "athena", "s3"))
        s3.create_bucket(
            Bucket=f"prod-artifacts-{ACCOUNT}", CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        sagemaker.create_feature_group(
            FeatureGroupName=GROUP,
            RecordIdentifierFeatureName="customer_id",
            EventTimeFeatureName="event_time",
            FeatureDefinitions=[
                {"FeatureName": "customer_id", "FeatureType": "String"},
                {"FeatureName": "event_time", "FeatureType": "Fractional"},
                {"FeatureName": "tenure_months", "FeatureType": "Integral"},
                {"FeatureName": "churned", "FeatureType": "Integral"},
            ],
            OfflineStoreConfig={
                "S3StorageConfig": {
                    "S3Uri": "s3://prod-datasets/feature-store/customer-churn-labelled/",
                    "KmsKeyId": KEY,
                },
                "TableFormat": "Iceberg",
            },
            RoleArn=f"arn:aws:iam::{ACCOUNT}:role/mlops-platform/prod/feature-store",
        )
        # The workgroup as FeatureQueryWorkgroup creates it: its configuration enforced.
        athena.create_work_group(
            Name=WORKGROUP,
            Configuration={
                "EnforceWorkGroupConfiguration": True,
                "ResultConfiguration": {
                    "OutputLocation": RESULTS,
                    "EncryptionConfiguration": {"EncryptionOption": "SSE_KMS", "KmsKey": KEY},
                },
            },
        )
        yield sagemaker, athena


def _run(sagemaker: Any, athena: Any, tmp_path: Path, **overrides: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "feature_group": GROUP,
        "workgroup": WORKGROUP,
        "as_of": "execution-start",
        "execution_start": "2026-12-02T06:00:00.250Z",
        "columns": [],
        "output_dir": tmp_path / "features",
        "snapshot_dir": tmp_path / "snapshot",
        "sleep": lambda seconds: None,
    }
    arguments.update(overrides)
    return step.extract(sagemaker, athena, **arguments)


def test_the_step_queries_the_groups_table_in_the_workgroup_and_writes_the_training_set(
    aws: Any, tmp_path: Path
) -> None:
    sagemaker, athena = aws
    header = ["customer_id", "event_time", "tenure_months", "churned"]
    # As Athena renders them: a double as Java's Double.toString, a bigint in decimal, NULL as no value.
    _queue_results(
        [header, ["a", "1.7672256E9", "12", "0"], ["b", "1.7672256015E9", None, "1"]],
        types=["varchar", "double", "bigint", "bigint"],
    )

    snapshot = _run(sagemaker, athena, tmp_path)

    [execution_id] = athena.list_query_executions(WorkGroup=WORKGROUP)["QueryExecutionIds"]
    execution = athena.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]
    table = sagemaker.describe_feature_group(FeatureGroupName=GROUP)["OfflineStoreConfig"][
        "DataCatalogConfig"
    ]
    assert execution["WorkGroup"] == WORKGROUP
    assert execution["QueryExecutionContext"] == {"Catalog": "AwsDataCatalog", "Database": table["Database"]}
    assert execution["Query"] == step.point_in_time_query(
        database=table["Database"],
        table=table["TableName"],
        record_identifier="customer_id",
        event_time="event_time",
        event_time_type="Fractional",
        columns=header,
        as_of=datetime(2026, 12, 2, 6, 0, 0, 250000, tzinfo=UTC),
    )
    with (tmp_path / "features" / "features.csv").open() as handle:
        assert list(csv.reader(handle)) == [
            header,
            ["a", "1767225600.0", "12", "0"],
            ["b", "1767225601.5", "", "1"],
        ]
    written = json.loads((tmp_path / "snapshot" / "snapshot.json").read_text())
    assert (
        written
        == snapshot
        == {
            "feature_group": GROUP,
            "as_of": "2026-12-02T06:00:00.250Z",
            "rows": 2,
            "table": f"{table['Database']}.{table['TableName']}",
            "query_execution_id": execution_id,
        }
    )


def test_named_columns_are_selected_in_their_order(aws: Any, tmp_path: Path) -> None:
    sagemaker, athena = aws
    _queue_results([["churned", "customer_id"], ["1", "a"]])

    _run(sagemaker, athena, tmp_path, columns=["churned", "customer_id"], as_of="2026-06-30T00:00:00Z")

    [execution_id] = athena.list_query_executions(WorkGroup=WORKGROUP)["QueryExecutionIds"]
    query = athena.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]["Query"]
    assert query.startswith('SELECT "churned", "customer_id"\n')
    assert f"<= {datetime(2026, 6, 30, tzinfo=UTC).timestamp()!r}" in query


@pytest.mark.parametrize(
    ("case", "overrides", "results", "message"),
    [
        ("an unknown column", {"columns": ["churned", "age"]}, None, "has no feature"),
        ("an empty snapshot", {}, [["customer_id", "event_time", "tenure_months", "churned"]], "no record"),
        ("columns Athena did not return", {}, [["customer_id"], ["a"]], "returned columns"),
        ("an unreadable snapshot time", {"as_of": "last tuesday"}, None, "ISO 8601"),
    ],
)
def test_the_step_fails_rather_than_write_a_wrong_training_set(
    aws: Any, tmp_path: Path, case: str, overrides: dict, results: list | None, message: str
) -> None:
    sagemaker, athena = aws
    if results is not None:
        _queue_results(results)
    with pytest.raises(step.ExtractError, match=message):
        _run(sagemaker, athena, tmp_path, **overrides)
    assert not (tmp_path / "snapshot" / "snapshot.json").exists()


def test_a_group_without_a_glue_table_is_refused(aws: Any) -> None:
    sagemaker, _ = aws
    description = sagemaker.describe_feature_group(FeatureGroupName=GROUP)
    del description["OfflineStoreConfig"]["DataCatalogConfig"]
    with pytest.raises(step.ExtractError, match="no offline store table"):
        step.offline_table(description)


def test_a_failure_reason_it_cannot_write_does_not_hide_the_failure(
    aws: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """/opt/ml/output/message may refuse the job's user: the step still exits 1 with the real reason
    on stderr (the job's log), not an OSError traceback."""
    unwritable = tmp_path / "output" / "message"
    unwritable.mkdir(parents=True)  # writing a file there fails with an OSError, even as root
    monkeypatch.setattr(step, "FAILURE_MESSAGE", unwritable)
    argv = ["--feature-group", GROUP, "--workgroup", WORKGROUP, "--region", REGION, "--as-of", "last tuesday"]

    status = step.main(
        [*argv, "--execution-start", "2026-12-02T06:00:00Z", "--output-dir", str(tmp_path / "f"),
         "--snapshot-dir", str(tmp_path / "s")]
    )  # fmt: skip

    assert status == 1
    stderr = capsys.readouterr().err
    assert "ExtractFeatures failed: 'last tuesday' is not an ISO 8601 time" in stderr
    assert "could not write the failure reason" in stderr


def test_the_failure_reason_is_written_where_sagemaker_reads_it(tmp_path: Path) -> None:
    message = tmp_path / "message"

    step.write_failure_reason("x" * 2000, message)

    assert message.read_text() == "x" * 1024


def test_athenas_doubles_are_written_in_plain_form() -> None:
    """Athena renders a double as Java does: 1.7672256E9, 1.5E-4; the training set gets Python's
    shortest exact form; NULL stays empty."""
    assert [step.plain_number(v) for v in ("1.7672256E9", "1.7672256015E9", "1.5E-4", "12.5", "", "NaN")] == [
        "1767225600.0", "1767225601.5", "0.00015", "12.5", "", "NaN"
    ]  # fmt: skip
    with pytest.raises(step.ExtractError, match="floating-point"):
        step.plain_number("twelve")


def test_more_rows_than_the_step_reads_is_a_clear_failure(aws: Any) -> None:
    _, athena = aws
    _queue_results([["customer_id"], ["a"], ["b"], ["c"]])
    execution_id = athena.start_query_execution(QueryString="SELECT 1", WorkGroup=WORKGROUP)[
        "QueryExecutionId"
    ]
    athena.get_query_execution(QueryExecutionId=execution_id)

    assert list(step.result_rows(athena, execution_id, max_rows=3)) == [["customer_id"], ["a"], ["b"], ["c"]]
    with pytest.raises(step.ExtractError, match="more than 2 rows"):
        list(step.result_rows(athena, execution_id, max_rows=2))
