"""A hand-mutation audit of the scripts that run inside the SageMaker jobs.

Modules audited, one-step mutations applied one at a time against their covering tests
(tests/pipelines/test_lineage.py, tests/delivery/test_promote_lineage.py and
test_promote_feature_lineage.py for dataset_manifest; tests/pipelines/test_evidently_scripts.py for
evidently_report and publish_drift_metrics; tests/pipelines/test_extract_features.py,
test_feature_input.py and tests/delivery/test_promote_feature_lineage.py for extract_features;
tests/pipelines/test_track_experiment_step.py for track_experiment;
tests/components/test_live_drift_scripts.py for collect_capture and list_capture). AWS is moto
(S3, CloudWatch, Athena with its results queue and its state manager), MLflow a local file store.

=====================================  =========  ========  ==========  ==========  ==========
module (components/)                   mutations  survived  caught now  equivalent  left alone
=====================================  =========  ========  ==========  ==========  ==========
training/steps/dataset_manifest.py            29        12          10           2           0
training/steps/publish_drift_metrics.py       16         7           5           1           1
training/steps/evidently_report.py            26        13           9           3           1
training/steps/extract_features.py            60        25          17           7           1
training/steps/track_experiment.py            24        14           9           3           2
observability/steps/collect_capture.py        41        10          10           0           0
observability/steps/list_capture.py           39        12           5           7           0
total                                        235        93          65          23           5
=====================================  =========  ========  ==========  ==========  ==========

Caught now (each test below names the mutations it kills; each fails under its mutation and
passes on the code as it is):

- dataset_manifest.py: the manifest's canonical form (dm06 keys unsorted, dm07 spaces, dm08 no
  final newline, dm26 non-ASCII written raw: each changes ``manifest_sha256`` for unchanged data);
  only the first 1 MiB of a file hashed (dm28); the recorded URI not made a metadata value (dm13),
  a value of exactly 256 characters cut (dm16), ``@`` replaced (dm23), a comma kept (dm29, which
  CreateModelPackage refuses); an unreadable job configuration failing the job (dm19).
- publish_drift_metrics.py: the 30-dimension limit lowered (pd01) or made strict (pd02); no
  ``--metric`` reported as success (pd03); a unit other than None (pd06); NAME=VALUE split at the
  last ``=`` (pd11).
- evidently_report.py: the default drift share (er01); a share of 1 refused (er03); the columns
  sorted instead of in the reference's order (er10); a DriftedColumnsCount value without its share
  a KeyError (er17); report.json holding the page (er18); main's row counts swapped (er20), every
  column given to Evidently (er21), only the first CSV read (er22), no outputs written (er23).
- extract_features.py: fractions cut to milliseconds (ef03); times not returned (ef06) or not
  written (ef08) in UTC; a padded ``execution-start`` (ef10); the write_time tie-break dropped (ef14)
  or put before api_invocation_time (ef54); a Fractional snapshot time cut to whole seconds (ef20);
  an offline store that is not Active accepted (ef24, ef55); the group's catalog ignored (ef25); a
  query at its timeout not stopped (ef30), waited for longer (ef31) or returned as a success
  (ef49); a CANCELLED query taken for a success (ef32) or waited on until the timeout (ef33); a
  query not waited for (ef56); ``--as-of`` made required (ef60).
- track_experiment.py: an empty key accepted (te01); one entry of every 101 dropped when chunking
  (te07); a failed run left RUNNING (te08); the metric's timestamp (te10) and step (te11); the run
  name left out of the property file (te12); the job source tag (te14); KEY=VALUE split at the last
  ``=`` (te19); an experiment created meanwhile by another execution failing the job (te23).
- collect_capture.py: the header from the last reference file (cc01); an empty reference accepted
  (cc03); content types read case-sensitively (cc05); base64 of non-UTF-8 bytes failing the whole
  interval (cc09) or its reason cut at its last ``: `` (cc34); a blank line inside a CSV body
  refusing the record (cc20) or one in a capture file counted as a refusal (cc25); a JSON line that
  is no object failing the interval (cc27); ``application/jsonl`` not read (cc32); a null ``data``
  failing the interval or read as no rows (cc40).
- list_capture.py: an end in another offset read in that offset's hours (lc11); a run by hand
  before a daily schedule's hour failing (lc12, the two days looked back); only the first page of
  an hour's listing read (lc17: 1,001 files in moto); a variant's name deeper below the endpoint
  taken for the variant (lc20); the S3 client not in the job's region (lc30).

Bugs found: none. No script writes to S3 itself (SageMaker uploads the jobs' outputs with their
KmsKeyId, which the definition tests hold), and both listings page (list_capture's
ListObjectsV2 and extract_features' GetQueryResults use botocore's paginators).

Equivalent mutations:

- dm01 the ``is_file`` check dropped: SageMaker downloads objects as regular files only. dm27 the
  read size changed.
- pd16 ``client or``: no caller passes a client.
- er05 an empty name in ``--exclude``: pandas names an empty header cell ``Unnamed: n``, never "".
  er13 ``bool(drifted)`` dropped: without the metric the share is 0.0 and ``--drift-share`` is > 0.
  er25 ``drifted[-1]``: at most one, checked just before.
- ef02 an offset without a colon, ef05 a time without seconds passed as they are: the image's
  Python (3.11 and later) reads both. ef17 the api_invocation_time condition dropped: a record's
  write_time is never before its api_invocation_time. ef36 no PageSize: Athena's default page is
  1,000 rows. ef51 the column type not lower-cased and ef52 the float columns read from every
  page: Athena's types are lower case and every page carries the same metadata. ef59 the reason
  written without checking its folder: the OSError is caught either way.
- te04 CreateExperiment tried first: refused when it exists, then the lookup (same run, one more
  call). te06 100 entries a LogBatch raised to 1,000: the MLflow client splits a batch to the
  server's limits itself. te22 ``set_tracking_uri`` dropped: the client is built with the URI.
- lc02 a year of any digits, lc22 the year check dropped: below ``<endpoint>/<variant>/`` SageMaker
  writes only years. lc15 the end not cut to its hour, lc32 midnight from the end: scheduled runs
  are on the hour, so the same runs and hours. lc25 no ``/`` after the hour: the hour is two
  digits. lc28 keys not sorted: they are listed already in order (variants sorted, hours
  ascending, each listing sorted). lc31 descending below a variant found: more List calls, the
  same manifest.

Left alone:

- pd15 a repeated ``--dimension`` or ``--metric`` keeping its first value, not its last: the
  pipelines never repeat a name, and neither order is more right than the other.
- er26 ``Report.run(reference, current)``: Evidently is not installed here (the end-to-end test
  skips); the code matches Evidently 0.7's ``run(current_data, reference_data)``.
- ef37 only the first GetQueryResults page read: moto's GetQueryResults returns every row in one
  page (no NextToken), so no moto test can tell; the code pages with botocore's paginator.
- te05 a failed race lookup raising AttributeError instead of MlflowException, te17 ``except
  Exception`` for ``BaseException``: the job fails either way (a stopped job is SIGTERMed, no
  exception reaches the handler).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest

from components.observability.steps import collect_capture, list_capture
from components.training.steps import (
    dataset_manifest,
    evidently_report,
    extract_features,
    publish_drift_metrics,
)
from tests.aws_sessions import mocked_aws
from tests.shared_clients import shared_client

# --- DatasetManifest ---------------------------------------------------------------------------


def _job_config(path: Path, uri: str) -> Path:
    path.write_text(json.dumps({"ProcessingInputs": [{"InputName": "raw", "S3Input": {"S3Uri": uri}}]}))
    return path


def test_the_manifest_is_the_documented_canonical_json_byte_for_byte(tmp_path: Path) -> None:
    """dm06, dm07, dm08, dm26: ``manifest_sha256`` is recorded in every model version, so the same
    files must give the same bytes in every platform version (keys sorted, no spaces, ASCII escapes,
    one newline); otherwise a retrained version on unchanged data looks like new data."""
    data = tmp_path / "data"
    (data / "sub").mkdir(parents=True)
    (data / "b.csv").write_bytes(b"x\n1\n")
    (data / "sub" / "\u00e9t\u00e9.csv").write_bytes(b"x\n2\n")

    summary = dataset_manifest.write_manifest(data, tmp_path / "out", tmp_path / "none.json")

    one, two = hashlib.sha256(b"x\n1\n").hexdigest(), hashlib.sha256(b"x\n2\n").hexdigest()
    expected = (
        '{"format":1,"objects":[{"key":"b.csv","sha256":"' + one + '","size":4},'
        '{"key":"sub/\\u00e9t\\u00e9.csv","sha256":"' + two + '","size":4}]}\n'
    ).encode()
    assert (tmp_path / "out" / "manifest.json").read_bytes() == expected
    assert summary["manifest_sha256"] == hashlib.sha256(expected).hexdigest()


def test_a_file_larger_than_one_read_is_hashed_whole(tmp_path: Path) -> None:
    """dm28: the hash is of every byte, not of the first 1 MiB read."""
    big = tmp_path / "big.csv"
    content = b"a" * (dataset_manifest.CHUNK + 1)
    big.write_bytes(content)
    assert dataset_manifest.file_sha256(big) == hashlib.sha256(content).hexdigest()
    big.write_bytes(b"a" * dataset_manifest.CHUNK + b"b")
    assert dataset_manifest.file_sha256(big) != hashlib.sha256(content).hexdigest()


def test_the_summary_records_the_input_uri_as_a_valid_metadata_value(tmp_path: Path) -> None:
    """dm13: the URI read from the job's configuration goes through ``metadata_value`` (a comma or a
    tilde would make CreateModelPackage refuse the registration at the end of the run)."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.csv").write_text("x\n1\n")
    config = _job_config(tmp_path / "job.json", "s3://data/extracts/2026,11~final/")

    summary = dataset_manifest.write_manifest(tmp_path / "data", tmp_path / "out", config)

    assert summary["input_uri"] == "s3://data/extracts/2026_11_final/"


@pytest.mark.parametrize(
    ("text", "recorded"),
    [
        pytest.param("s3://b/" + "k" * 249, "s3://b/" + "k" * 249, id="exactly-256-kept"),  # dm16
        pytest.param(
            "s3://b/user@example/a+b=c", "s3://b/user@example/a+b=c", id="allowed-punctuation"
        ),  # dm23
        pytest.param("s3://b/a,b;c", "s3://b/a_b_c", id="comma-and-semicolon"),  # dm29
    ],
)
def test_metadata_value_keeps_what_the_pattern_allows_and_replaces_the_rest(text: str, recorded: str) -> None:
    value = dataset_manifest.metadata_value(text)
    assert value == recorded
    # CreateModelPackage's CustomerMetadataProperties value: [\p{L}\p{Z}\p{N}_.:/=+\-@]*, 1-256.
    assert 1 <= len(value) <= 256 and re.fullmatch(r"[\w .:/=+\-@]*", value) and "," not in value


def test_an_unreadable_job_configuration_is_an_unknown_uri_not_a_failed_job(tmp_path: Path) -> None:
    """dm19: a configuration that is not JSON costs the URI, never the execution."""
    (tmp_path / "job.json").write_text("{not json")
    assert dataset_manifest.input_uri(tmp_path / "job.json") == "unknown"


# --- PublishDriftMetrics -----------------------------------------------------------------------

_PUBLISH = ["--region", "eu-west-1", "--namespace", "MLOpsPlatform/Evidently"]


def test_thirty_dimensions_are_put_and_a_thirty_first_is_refused_before_any_call() -> None:
    """pd01, pd02: PutMetricData's limit is 30 dimensions a datum (botocore's Dimensions max)."""
    limit = (
        botocore.session.get_session().get_service_model("cloudwatch").shape_for("Dimensions").metadata["max"]
    )
    assert publish_drift_metrics.MAX_DIMENSIONS == limit == 30
    dimensions = [item for n in range(30) for item in ("--dimension", f"D{n:02d}=v{n}")]
    with mocked_aws("eu-west-1"):
        assert publish_drift_metrics.main([*_PUBLISH, *dimensions, "--metric", "DatasetDrift=1"]) == 0
        cloudwatch = boto3.client("cloudwatch", region_name="eu-west-1")
        [metric] = cloudwatch.list_metrics(Namespace="MLOpsPlatform/Evidently")["Metrics"]
        assert len(metric["Dimensions"]) == 30
    with mocked_aws("eu-west-1"):
        with pytest.raises(SystemExit, match="31 dimensions"):
            publish_drift_metrics.main(
                [*_PUBLISH, *dimensions, "--dimension", "D30=v", "--metric", "DatasetDrift=1"]
            )
        cloudwatch = boto3.client("cloudwatch", region_name="eu-west-1")
        assert cloudwatch.list_metrics(Namespace="MLOpsPlatform/Evidently")["Metrics"] == []


def test_no_metric_is_an_error_not_an_empty_put() -> None:
    """pd03: a step given no --metric fails rather than report success having published nothing."""
    with mocked_aws("eu-west-1"), pytest.raises(SystemExit, match="no --metric"):
        publish_drift_metrics.main([*_PUBLISH, "--dimension", "Family=churn"])


def test_the_metrics_are_put_without_a_unit() -> None:
    """pd06: the share and the 0/1 flag are unitless (an alarm on another unit never matches)."""
    with mocked_aws("eu-west-1"):
        publish_drift_metrics.main([*_PUBLISH, "--dimension", "Family=churn", "--metric", "DatasetDrift=1"])
        cloudwatch = boto3.client("cloudwatch", region_name="eu-west-1")
        now = datetime.now(UTC)
        [point] = cloudwatch.get_metric_statistics(
            Namespace="MLOpsPlatform/Evidently", MetricName="DatasetDrift",
            Dimensions=[{"Name": "Family", "Value": "churn"}], StartTime=now - timedelta(minutes=5),
            EndTime=now + timedelta(minutes=5), Period=60, Statistics=["Maximum"],
        )["Datapoints"]  # fmt: skip
        assert point["Unit"] == "None"


def test_a_dimension_value_may_hold_an_equals_sign() -> None:
    """pd11: NAME=VALUE splits at the first ``=`` (a CloudWatch dimension value may hold one)."""
    assert publish_drift_metrics._pairs(["Pipeline=a=b"], "--dimension") == {"Pipeline": "a=b"}


# --- EvidentlyReport ---------------------------------------------------------------------------


def test_the_drift_share_defaults_to_evidentlys_and_may_be_one() -> None:
    """er01, er03: Evidently's own default share is 0.5; a share of 1 (every column) is valid."""
    assert evidently_report.parse_args([]).drift_share == 0.5
    assert evidently_report.parse_args(["--drift-share", "1"]).drift_share == 1.0


def test_shared_columns_follow_the_reference_not_the_alphabet() -> None:
    """er10: the report's columns are in the reference's order."""
    assert evidently_report.shared_columns(["z", "a", "m"], ["a", "m", "z"], set()) == ["z", "a", "m"]


def test_a_drift_count_without_its_share_is_a_clear_error() -> None:
    """er17: an Evidently version that changed the metric's value fails saying so, not with KeyError."""
    snapshot = {
        "metrics": [{"config": {"type": evidently_report.DRIFTED_COLUMNS_TYPE}, "value": {"count": 2}}]
    }
    with pytest.raises(ValueError, match="lacks count/share"):
        evidently_report.summarise(snapshot, 0.5, (1, 1))


def test_each_output_holds_what_its_name_says(tmp_path: Path) -> None:
    """er18: report.json is the snapshot, report.html the page."""
    evidently_report.write_outputs(tmp_path, "<html>page</html>", '{"metrics": []}', {"dataset_drift": 0})
    assert (tmp_path / "report.json").read_text() == '{"metrics": []}'
    assert (tmp_path / "report.html").read_text() == "<html>page</html>"


def test_main_reports_on_every_file_and_the_shared_columns_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """er20-er23: main reads every CSV of each folder, gives Evidently only the shared columns less
    the excluded ones (reference first), and writes the three outputs with each side's row count.
    Evidently is not installed here: run_report is replaced by one returning a real 0.7 snapshot."""
    for name, files in {
        "reference": {"a.csv": "x,y,label\n1,2,0\n3,4,1\n", "b/c.csv": "x,y,label\n5,6,0\n"},
        "current": {"part.csv": "y,x,extra,label\n7,8,9,1\n"},
    }.items():
        for relative, text in files.items():
            (tmp_path / name / relative).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name / relative).write_text(text)
    snapshot = (
        Path(__file__).resolve().parents[1] / "fixtures" / "evidently" / "drift-and-quality.json"
    ).read_text()
    seen: dict[str, Any] = {}

    def run_report(reference: Any, current: Any, reports: list[str], drift_share: float) -> tuple[str, str]:
        seen.update(reference=reference.to_dict("list"), current=current.to_dict("list"))
        return snapshot, "<html></html>"

    monkeypatch.setattr(evidently_report, "run_report", run_report)
    argv = ["--reference", str(tmp_path / "reference"), "--current", str(tmp_path / "current"),
            "--output", str(tmp_path / "out"), "--exclude", "label"]  # fmt: skip

    assert evidently_report.main(argv) == 0

    assert seen == {"reference": {"x": [1, 3, 5], "y": [2, 4, 6]}, "current": {"x": [8], "y": [7]}}
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert (summary["reference_rows"], summary["current_rows"]) == (3, 1)
    assert (tmp_path / "out" / "report.json").read_text() == snapshot


# --- ExtractFeatures ---------------------------------------------------------------------------

_DB, _TABLE = "sagemaker_featurestore", "prod_churn_1764547200"


def _offline_store(rows: list[tuple], event_type: str) -> sqlite3.Connection:
    """An offline-store table in SQLite (as tests/pipelines/test_extract_features.py runs the SQL):
    Athena's from_iso8601_timestamp as Unix seconds, the store's timestamps as Unix seconds."""
    connection = sqlite3.connect(":memory:")
    connection.create_function(
        "from_iso8601_timestamp", 1, lambda text: extract_features.parse_time(text).timestamp()
    )
    connection.execute(f"ATTACH DATABASE ':memory:' AS {_DB}")
    connection.execute(
        f'CREATE TABLE {_DB}."{_TABLE}" (id TEXT, event_time {event_type}, value INTEGER, '
        "write_time TIMESTAMP, api_invocation_time TIMESTAMP, is_deleted BOOLEAN)"
    )
    connection.executemany(f'INSERT INTO {_DB}."{_TABLE}" VALUES (?, ?, ?, ?, ?, ?)', rows)
    return connection


def _point_in_time(connection: sqlite3.Connection, event_type: str, as_of: str) -> list[tuple]:
    sql = extract_features.point_in_time_query(
        database=_DB, table=_TABLE, record_identifier="id", event_time="event_time",
        event_time_type="Fractional" if event_type == "REAL" else "String",
        columns=["id", "value"], as_of=extract_features.parse_time(as_of),
    )  # fmt: skip
    return connection.execute(sql).fetchall()


def test_a_fractional_snapshot_time_keeps_its_fraction() -> None:
    """ef20: at 12:00:00.500 a record of 12:00:00.250 is in the snapshot, one of 12:00:00.750 is not
    (the limit is not cut to whole seconds)."""
    base = extract_features.parse_time("2026-06-30T12:00:00Z").timestamp()
    rows = [("a", base + 0.25, 1, base, base, False), ("b", base + 0.75, 2, base, base, False)]
    assert _point_in_time(_offline_store(rows, "REAL"), "REAL", "2026-06-30T12:00:00.500Z") == [("a", 1)]


@pytest.mark.parametrize("later_first", [True, False], ids=["later-inserted-first", "later-inserted-last"])
def test_a_record_delivered_twice_counts_as_written_last(later_first: bool) -> None:
    """ef14: the same event and invocation time written twice to the offline store: the later
    ``write_time`` wins, whatever order the table holds them in."""
    at = extract_features.parse_time("2026-06-01T00:00:00Z").timestamp()
    earlier, later = ("a", at, 1, at + 60, at, False), ("a", at, 2, at + 120, at, False)
    rows = [later, earlier] if later_first else [earlier, later]
    assert _point_in_time(_offline_store(rows, "REAL"), "REAL", "2026-06-30T00:00:00Z") == [("a", 2)]


def test_times_keep_their_microseconds_and_read_in_utc() -> None:
    """ef03, ef06, ef08, ef10: six fractional digits are kept (not three); a time is returned in UTC
    and written in UTC whatever its offset; a padded ``execution-start`` is still the start."""
    parsed = extract_features.parse_time("2026-06-30T02:00:00.123456+02:00")
    assert parsed == datetime(2026, 6, 30, 0, 0, 0, 123456, tzinfo=UTC)
    assert parsed.utcoffset() == timedelta(0) and parsed.tzinfo == UTC
    assert extract_features.iso(
        datetime(2026, 6, 30, 2, 0, 0, 5000, tzinfo=timezone(timedelta(hours=2)))
    ) == ("2026-06-30T00:00:00.005Z")
    assert extract_features.resolve_as_of(" execution-start ", "2026-12-02T06:00:00Z") == datetime(
        2026, 12, 2, 6, tzinfo=UTC
    )


def test_an_offline_store_that_is_not_active_is_refused_and_its_catalog_is_the_groups() -> None:
    """ef24, ef25: a Blocked or Disabled offline store is refused (Athena would read a stale or
    empty table); the catalog is the one the group's DataCatalogConfig names."""
    description = {
        "FeatureGroupName": "g",
        "OfflineStoreConfig": {"DataCatalogConfig": {"Catalog": "Other", "Database": "d", "TableName": "t"}},
        "OfflineStoreStatus": {"Status": "Active"},
    }
    assert extract_features.offline_table(description) == ("Other", "d", "t")
    description["OfflineStoreStatus"] = {"Status": "Blocked", "BlockedReason": "the role lost its grant"}
    with pytest.raises(extract_features.ExtractError, match="offline store is Blocked, not Active"):
        extract_features.offline_table(description)


@pytest.fixture
def athena() -> Any:
    with mocked_aws("eu-west-1") as session:
        client = session.client("athena")
        client.create_work_group(
            Name="wg",
            Configuration={"ResultConfiguration": {"OutputLocation": "s3://results/wg/"}},
        )
        yield client


def test_a_query_that_does_not_finish_in_time_is_stopped_and_fails(athena: Any) -> None:
    """ef30, ef31, ef49: a query still queued at the timeout is stopped (StopQueryExecution, so it
    stops costing) and the step fails; it waited the timeout, no longer."""
    from moto.moto_api import state_manager

    state_manager.set_transition("athena::execution", {"progression": "manual", "times": 1_000})
    slept: list[float] = []
    try:
        with pytest.raises(extract_features.ExtractError, match="did not finish in 4 s"):
            extract_features.run_query(
                athena, "SELECT 1", workgroup="wg", catalog="AwsDataCatalog", database="d",
                sleep=slept.append, poll_seconds=2.0, timeout_seconds=4.0,
            )  # fmt: skip
        [execution_id] = athena.list_query_executions(WorkGroup="wg")["QueryExecutionIds"]
        status = athena.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]["Status"]
        assert status["State"] == "CANCELLED"
        assert slept == [2.0, 2.0]
    finally:
        state_manager.unset_transition("athena::execution")


def test_a_cancelled_query_is_a_failure_not_a_training_set(athena: Any) -> None:
    """ef32, ef33: a query cancelled by someone else (the workgroup's data limit, a console user)
    fails the step at once, naming the state."""

    def cancel(parsed: dict, **_: Any) -> None:
        athena.stop_query_execution(QueryExecutionId=parsed["QueryExecutionId"])

    athena.meta.events.register("after-call.athena.StartQueryExecution", cancel)
    slept: list[float] = []
    with pytest.raises(extract_features.ExtractError, match="CANCELLED"):
        extract_features.run_query(
            athena, "SELECT 1", workgroup="wg", catalog="AwsDataCatalog", database="d", sleep=slept.append
        )
    assert slept == []


def test_of_two_puts_with_one_event_time_the_later_put_wins_whenever_it_was_written() -> None:
    """ef54: the offline store may write two puts out of order (the earlier put landing later): the
    later ``api_invocation_time`` wins, ``write_time`` only breaks a tie of it."""
    at = extract_features.parse_time("2026-06-01T00:00:00Z").timestamp()
    first_put = ("a", at, 1, at + 600, at, False)  # put first, written ten minutes later
    second_put = ("a", at, 2, at + 120, at + 60, False)  # put a minute later, written first
    rows = [first_put, second_put]
    assert _point_in_time(_offline_store(rows, "REAL"), "REAL", "2026-06-30T00:00:00Z") == [("a", 2)]


def test_a_query_is_waited_for_until_it_succeeds(athena: Any) -> None:
    """ef56: a query that is queued, then running, is polled until it succeeds."""
    from moto.moto_api import state_manager

    state_manager.set_transition("athena::execution", {"progression": "manual", "times": 2})
    slept: list[float] = []
    try:
        execution_id = extract_features.run_query(
            athena, "SELECT 1", workgroup="wg", catalog="AwsDataCatalog", database="d", sleep=slept.append
        )
    finally:
        state_manager.unset_transition("athena::execution")
    status = athena.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]["Status"]
    assert status["State"] == "SUCCEEDED" and slept and set(slept) == {2.0}


def test_without_as_of_the_snapshot_is_at_the_executions_start(tmp_path: Path) -> None:
    """ef60: ``--as-of`` is optional and defaults to the execution's start (the parameter's default)."""
    args = extract_features.parse_args(
        ["--feature-group", "g", "--workgroup", "w", "--region", "eu-west-1", "--execution-start",
         "2026-12-02T06:00:00Z", "--output-dir", str(tmp_path), "--snapshot-dir", str(tmp_path)]
    )  # fmt: skip
    assert args.as_of == extract_features.AT_START
    assert extract_features.resolve_as_of(args.as_of, args.execution_start) == datetime(
        2026, 12, 2, 6, tzinfo=UTC
    )


# --- TrackExperiment (a local MLflow file store, as tests/pipelines/test_track_experiment_step.py) --


@pytest.fixture
def mlflow_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    uri = (tmp_path / "mlruns").as_uri()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    return uri


def _track(output: Path, *extra: str) -> list[str]:
    return ["--experiment", "dev-churn", "--run-name", "exec-1", *extra, "--output", str(output)]


def test_every_entry_of_a_long_run_is_logged_at_the_runs_start_and_step_zero(
    mlflow_store: str, tmp_path: Path
) -> None:
    """te07, te10, te11, te12, te14, te19: 150 parameters (more than one LogBatch) all logged, a
    value holding ``=`` kept whole, the metric at the run's start time and step 0 (what the MLflow
    UI compares runs by), the job source tag, and the run name in the property file."""
    from mlflow.tracking import MlflowClient

    from components.training.steps import track_experiment

    params = [item for n in range(150) for item in ("--param", f"p{n:03d}=v{n}")]
    argv = _track(tmp_path / "out", *params, "--param", "query=a=b", "--metric", "auc=0.9", "--tag", "k=v")

    assert track_experiment.main(argv) == 0

    record = json.loads((tmp_path / "out" / "run.json").read_text())
    assert record["run_name"] == "exec-1"
    client = MlflowClient(tracking_uri=mlflow_store)
    run = client.get_run(record["run_id"])
    assert len(run.data.params) == 151 and run.data.params["p100"] == "v100"
    assert run.data.params["query"] == "a=b"
    assert run.data.tags["mlflow.source.type"] == "JOB" and run.data.tags["k"] == "v"
    [point] = client.get_metric_history(record["run_id"], "auc")
    assert (point.value, point.step, point.timestamp) == (0.9, 0, run.info.start_time)


def test_a_run_whose_logging_fails_is_marked_failed(mlflow_store: str, tmp_path: Path) -> None:
    """te08: a parameter name MLflow refuses (a ``!`` in it) fails the job and leaves the run FAILED,
    not RUNNING forever in the experiment's list."""
    from mlflow.exceptions import MlflowException
    from mlflow.tracking import MlflowClient

    from components.training.steps import track_experiment

    with pytest.raises(MlflowException):
        track_experiment.main(_track(tmp_path / "out", "--param", "learning!rate=0.1"))

    client = MlflowClient(tracking_uri=mlflow_store)
    experiment = client.get_experiment_by_name("dev-churn")
    assert experiment is not None
    [run] = client.search_runs([experiment.experiment_id])
    assert run.info.status == "FAILED"
    assert not (tmp_path / "out" / "run.json").exists()


def test_an_experiment_created_meanwhile_by_another_execution_is_used(
    mlflow_store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """te23: two executions' first runs race: CreateExperiment refuses the second (it exists), which
    then logs into the experiment the first created rather than fail."""
    from mlflow.tracking import MlflowClient

    from components.training.steps import track_experiment

    existing = MlflowClient(tracking_uri=mlflow_store).create_experiment("dev-churn")
    real = MlflowClient.get_experiment_by_name
    calls: list[str] = []

    def not_yet_on_first_call(self: Any, name: str) -> Any:
        calls.append(name)
        return None if len(calls) == 1 else real(self, name)

    monkeypatch.setattr(MlflowClient, "get_experiment_by_name", not_yet_on_first_call)

    assert track_experiment.main(_track(tmp_path / "out")) == 0
    assert json.loads((tmp_path / "out" / "run.json").read_text())["experiment_id"] == existing
    assert len(calls) == 2


@pytest.mark.parametrize(
    ("argv", "unset", "message"),
    [
        pytest.param(["--param", "=x"], False, "must be KEY=VALUE", id="empty-key"),  # te01
        pytest.param([], True, "MLFLOW_TRACKING_URI is not set", id="no-tracking-uri"),  # te13
    ],
)
def test_the_step_refuses_what_it_cannot_log(
    mlflow_store: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    unset: bool,
    message: str,
) -> None:
    from components.training.steps import track_experiment

    if unset:
        monkeypatch.delenv("MLFLOW_TRACKING_URI")
    with pytest.raises(SystemExit, match=message):
        track_experiment.main(_track(tmp_path / "out", *argv))
    assert not (tmp_path / "out" / "run.json").exists()


# --- CollectCapture ----------------------------------------------------------------------------


def _capture_record(data: str, *, encoding: str = "CSV", content_type: str = "text/csv") -> str:
    return json.dumps(
        {"captureData": {"endpointInput": {"observedContentType": content_type, "mode": "INPUT",
                                           "data": data, "encoding": encoding}}}
    )  # fmt: skip


def _collect(tmp_path: Path, lines: list[str], reference: dict[str, str] | None = None) -> Any:
    capture, ref, out = tmp_path / "capture", tmp_path / "reference", tmp_path / "current"
    (capture / "AllTraffic").mkdir(parents=True)
    (capture / "AllTraffic" / "part.jsonl").write_text("".join(line + "\n" for line in lines))
    ref.mkdir()
    for name, text in (reference or {"part.csv": "a,b\n1,2\n"}).items():
        (ref / name).write_text(text)
    collected = collect_capture.collect(capture, ref, out)
    return collected, (out / collect_capture.OUTPUT_FILE).read_text().splitlines()


def test_the_header_is_the_first_reference_file_in_name_order(tmp_path: Path) -> None:
    """cc01: of several reference files, the first by name gives the columns."""
    _, written = _collect(tmp_path, [_capture_record("1,2")], {"b.csv": "x,y\n1,2\n", "a.csv": "a,b\n3,4\n"})
    assert written == ["a,b", "1,2"]


def test_a_reference_without_a_header_row_is_refused(tmp_path: Path) -> None:
    """cc03: an empty reference file names no column: the step fails saying so, not a CSV of no
    columns that EvidentlyReport would fail on later."""
    with pytest.raises(collect_capture.CaptureError, match="no header row"):
        _collect(tmp_path, [_capture_record("1,2")], {"part.csv": ""})


def test_content_types_are_read_whatever_their_case(tmp_path: Path) -> None:
    """cc05: media types are case-insensitive (RFC 9110): ``Text/CSV`` is CSV."""
    collected, written = _collect(tmp_path, [_capture_record("1,2", content_type="Text/CSV; charset=UTF-8")])
    assert written == ["a,b", "1,2"] and collected.rows == 1 and not collected.refused


def test_base64_of_bytes_that_are_not_utf8_is_left_out_not_fatal(tmp_path: Path) -> None:
    """cc09: one request whose base64 body is not UTF-8 text (a binary payload) is counted and left
    out; it does not fail the interval's report."""
    binary = base64.b64encode(b"\xff\xfe1,2").decode()
    collected, written = _collect(
        tmp_path, [_capture_record(binary, encoding="BASE64"), _capture_record("3,4")]
    )
    assert written == ["a,b", "3,4"]
    [(reason, count)] = collected.refused.items()
    assert reason.startswith("endpointInput.data is not base64 of UTF-8 text") and count == 1


def test_blank_lines_of_a_body_or_of_a_capture_file_are_no_rows_and_no_refusals(tmp_path: Path) -> None:
    """cc20, cc25: a CSV body with a blank line between its rows keeps both rows (not refused as a
    row of no columns), and a blank line in a capture file is skipped, not counted as no record."""
    collected, written = _collect(tmp_path, [_capture_record("1,2\n\n3,4\n"), "", _capture_record("5,6")])
    assert written == ["a,b", "1,2", "3,4", "5,6"]
    assert collected.rows == 3 and not collected.refused


def test_a_line_that_is_json_but_no_record_is_counted_and_jsonl_is_json_lines(tmp_path: Path) -> None:
    """cc27, cc32: a capture line holding a JSON list is no record (counted, not an AttributeError that
    fails the interval); ``application/jsonl`` is read as JSON Lines, one row a line."""
    lines = [
        "[1, 2]",
        _capture_record('{"a": 1, "b": 2}\n[3, 4]', encoding="JSON", content_type="application/jsonl"),
    ]
    collected, written = _collect(tmp_path, lines)
    assert written == ["a,b", "1,2", "3,4"]
    assert dict(collected.refused) == {"not a JSON record": 1}


def test_a_record_without_text_data_is_counted_not_fatal_nor_silent(tmp_path: Path) -> None:
    """cc40: ``data`` null (a capture record cut short) is refused and counted, for base64 (not a
    TypeError failing the interval) as for CSV (not an empty body silently read as no rows)."""
    broken = [
        json.dumps(
            {
                "captureData": {
                    "endpointInput": {"observedContentType": "text/csv", "data": None, "encoding": encoding}
                }
            }
        )
        for encoding in ("BASE64", "CSV")
    ]
    collected, written = _collect(tmp_path, [*broken, _capture_record("1,2")])
    assert written == ["a,b", "1,2"]
    assert dict(collected.refused) == {"endpointInput.data is not text": 2}


# --- ListCapture (moto S3) ---------------------------------------------------------------------

_CAPTURE = "data-capture/churn/prod-churn/"


@pytest.fixture
def capture_bucket() -> Any:
    with mocked_aws("eu-west-1"):
        client = shared_client("s3", "eu-west-1")
        client.create_bucket(
            Bucket="artifacts", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        yield client


def _list(s3: Any, tmp_path: Path, end: str, run_hours: str = "0,6,12,18", *variants: str) -> list[Any]:
    argv = ["--region", "eu-west-1", "--capture-uri", f"s3://artifacts/{_CAPTURE}", "--end", end,
            "--run-hours", run_hours, "--output-dir", str(tmp_path)]  # fmt: skip
    for variant in variants or ("AllTraffic",):
        argv += ["--variant", variant]
    assert list_capture.main(argv, s3=s3) == 0
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert json.loads((tmp_path / "count.json").read_text()) == {"objects": len(manifest) - 1}
    return manifest


def test_an_hour_of_more_files_than_one_listing_page_is_listed_whole(
    capture_bucket: Any, tmp_path: Path
) -> None:
    """lc17: ListObjectsV2 returns at most 1,000 keys a call; a busy endpoint's hour holds more (a
    file per instance per few minutes): every page is read, not only the first."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    keys = [f"{_CAPTURE}AllTraffic/2026/12/05/07/{n:04d}.jsonl" for n in range(1001)]
    # Straight into moto's store: 1,001 PUTs through botocore cost seconds, and the listing under
    # test still goes through the client.
    backend = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
    for key in keys:
        backend.put_object("artifacts", key, b"{}\n")

    manifest = _list(capture_bucket, tmp_path, "2026-12-05T09:07:31Z", ",".join(map(str, range(24))))

    assert manifest == [{"prefix": "s3://artifacts/"}, *keys]


def test_an_end_given_in_another_offset_reads_the_same_utc_hours(capture_bucket: Any, tmp_path: Path) -> None:
    """lc11: the execution's start in +02:00 is the same instant: the run hours and the capture paths
    are UTC (SageMaker writes the capture under UTC hours). At 05:30Z the last run of 0,6,12,18 was
    00:00Z (hours 17-22 of the day before are read), though it is 07:30 at +02:00."""
    key = f"{_CAPTURE}AllTraffic/2026/12/04/20/part.jsonl"
    capture_bucket.put_object(Bucket="artifacts", Key=key, Body=b"{}\n")

    utc = _list(capture_bucket, tmp_path / "utc", "2026-12-05T05:30:00Z")
    offset = _list(capture_bucket, tmp_path / "offset", "2026-12-05T07:30:00+02:00")

    assert utc == offset == [{"prefix": "s3://artifacts/"}, key]


def test_a_run_by_hand_before_a_daily_schedules_hour_reads_the_last_scheduled_day(
    capture_bucket: Any, tmp_path: Path
) -> None:
    """lc12: daily at 06:00, started by hand at 03:00: the last scheduled run was yesterday's, whose
    interval began the day before (two days back), so that day's hours are read, not an error."""
    first, last = "2026/12/03/05", "2026/12/04/04"
    for hour in (first, last, "2026/12/03/04", "2026/12/04/05"):
        capture_bucket.put_object(
            Bucket="artifacts", Key=f"{_CAPTURE}AllTraffic/{hour}/p.jsonl", Body=b"{}\n"
        )

    manifest = _list(capture_bucket, tmp_path, "2026-12-05T03:00:00Z", "6")

    assert manifest[1:] == [f"{_CAPTURE}AllTraffic/{first}/p.jsonl", f"{_CAPTURE}AllTraffic/{last}/p.jsonl"]


def test_a_variants_name_deeper_below_the_endpoint_is_not_the_variant(
    capture_bucket: Any, tmp_path: Path
) -> None:
    """lc20: the variant is the segment right below the endpoint's name; a folder that merely ends in
    a variant's name further down (another writer's, a copy) is not read."""
    own = f"{_CAPTURE}AllTraffic/2026/12/05/07/p.jsonl"
    nested = f"{_CAPTURE}copies/AllTraffic/2026/12/05/07/p.jsonl"
    for key in (own, nested):
        capture_bucket.put_object(Bucket="artifacts", Key=key, Body=b"{}\n")

    assert _list(capture_bucket, tmp_path, "2026-12-05T09:07:31Z", ",".join(map(str, range(24))))[1:] == [own]


def test_list_capture_calls_s3_in_the_region_it_is_given(
    capture_bucket: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """lc30: the job reaches S3 through the VPC's endpoint of its region; a client of the image's
    default region would not get there. (moto serves a bucket to any region's client: a spy on
    boto3.client records the region and hands back the real moto client.)"""
    real, regions = boto3.client, []

    def spy(service: str, *args: Any, **kwargs: Any) -> Any:
        regions.append((service, kwargs.get("region_name")))
        return real(service, *args, **kwargs)

    monkeypatch.setattr(boto3, "client", spy)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    argv = ["--region", "eu-west-1", "--capture-uri", f"s3://artifacts/{_CAPTURE}", "--variant", "AllTraffic",
            "--end", "2026-12-05T09:07:31Z", "--run-hours", "9", "--output-dir", str(tmp_path)]  # fmt: skip

    assert list_capture.main(argv) == 0
    assert regions == [("s3", "eu-west-1")]
