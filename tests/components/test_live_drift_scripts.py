"""The live-drift pipeline's capture steps (``monitoring.evidently``, docs/evidently.md):
ListCapture lists one interval of an endpoint's data capture in S3 (moto) as a SageMaker manifest,
CollectCapture turns the capture files it names into one CSV under the reference's header."""

from __future__ import annotations

import base64
import csv
import datetime
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from components.observability.steps import collect_capture, list_capture
from tests.aws_sessions import mocked_aws
from tests.shared_clients import shared_client

REGION = "eu-west-1"
BUCKET = "artifacts"
PREFIX = "data-capture/churn/"
ENDPOINT = "prod-churn"
VARIANTS = ("AllTraffic", "canary")
"""The endpoint's production variants."""
HOURLY = ",".join(str(hour) for hour in range(24))
"""``cron(0 * ? * * *)``'s run hours."""
HEADER = ["tenure", "monthly_charges", "contract"]


@pytest.fixture
def s3() -> Iterator[Any]:
    with mocked_aws(REGION):
        client = shared_client("s3", REGION)
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        yield client


def _capture_key(variant: str, hour: str, name: str = "part.jsonl") -> str:
    """``hour`` as ``YYYY/MM/DD/HH``, SageMaker's capture path."""
    return f"{PREFIX}{ENDPOINT}/{variant}/{hour}/{name}"


def _put(key: str, body: bytes) -> None:
    """An object in the bucket, straight into moto's store: a PUT through botocore costs a few
    CPU-ms, and a test here writes up to 51; the listing under test still goes through the client."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    s3_backends[DEFAULT_ACCOUNT_ID]["aws"].put_object(BUCKET, key, body)


def _listed(
    s3: Any, tmp_path: Path, end: str, run_hours: str = HOURLY, variants: tuple[str, ...] = VARIANTS
) -> tuple[list[Any], int]:
    status = list_capture.main(
        [
            "--region",
            REGION,
            "--capture-uri",
            f"s3://{BUCKET}/{PREFIX}{ENDPOINT}/",
            *(item for variant in variants for item in ("--variant", variant)),
            "--end",
            end,
            "--run-hours",
            run_hours,
            "--output-dir",
            str(tmp_path),
        ],
        s3=s3,
    )
    assert status == 0
    manifest = json.loads((tmp_path / list_capture.MANIFEST_FILE).read_text())
    count = json.loads((tmp_path / list_capture.COUNT_FILE).read_text())["objects"]
    return manifest, count


def test_an_hourly_run_lists_the_hour_before_last_of_every_variant(s3, tmp_path) -> None:
    for variant, hour in [
        ("AllTraffic", "2026/12/05/06"),
        ("AllTraffic", "2026/12/05/07"),
        ("AllTraffic", "2026/12/05/08"),
        ("canary", "2026/12/05/07"),
    ]:
        _put(_capture_key(variant, hour), b"{}\n")
    _put(_capture_key("AllTraffic", "2026/12/05/07", "notes.txt"), b"x")

    # Scheduled at 09:00: hour 08's files may still be landing, so it is the next run's.
    manifest, count = _listed(s3, tmp_path, "2026-12-05T09:07:31Z")

    assert manifest == [
        {"prefix": f"s3://{BUCKET}/"},
        _capture_key("AllTraffic", "2026/12/05/07"),
        _capture_key("canary", "2026/12/05/07"),
    ]
    assert count == 2


def test_a_destination_that_adds_an_empty_segment_is_walked_by_what_is_below(s3, tmp_path) -> None:
    key = f"{PREFIX}/prod-churn/AllTraffic/2026/12/05/07/part.jsonl"  # data-capture/churn//prod-churn/...
    _put(key, b"{}\n")

    manifest, count = _listed(s3, tmp_path, "1796461200000")  # 2026-12-05T09:00:00Z in epoch ms

    assert manifest[1:] == [key] and count == 1


def test_only_the_endpoints_own_files_are_listed(s3, tmp_path) -> None:
    """Under the same destination: an earlier endpoint of the same stack-file name (another name
    prefix), a shadow test's capture, and an endpoint named like a year read as none of them."""
    hour = "2026/12/05/07"
    own = [_capture_key("AllTraffic", hour), f"{PREFIX}/{ENDPOINT}/canary/{hour}/part.jsonl"]
    others = [
        f"{PREFIX}team-churn/AllTraffic/{hour}/part.jsonl",
        f"{PREFIX}shadow-test/{ENDPOINT}/AllTraffic/{hour}/part.jsonl",
        f"{PREFIX}{ENDPOINT}-v2/AllTraffic/{hour}/part.jsonl",
        f"{PREFIX}{hour}/part.jsonl",
        f"{PREFIX}{ENDPOINT}/{hour}/part.jsonl",
    ]
    for key in own + others:
        _put(key, b"{}\n")

    manifest, count = _listed(s3, tmp_path, "2026-12-05T09:00:00Z")

    assert manifest[1:] == sorted(own) and count == 2


def test_a_destination_at_the_buckets_root_is_read_below_the_endpoints_name(s3, tmp_path) -> None:
    key = f"{ENDPOINT}/AllTraffic/2026/12/05/07/part.jsonl"
    _put(key, b"{}\n")
    _put("other/AllTraffic/2026/12/05/07/part.jsonl", b"{}\n")

    status = list_capture.main(
        [
            "--region",
            REGION,
            "--capture-uri",
            f"s3://{BUCKET}/{ENDPOINT}/",
            "--variant",
            "AllTraffic",
            "--end",
            "2026-12-05T09:00:00Z",
            "--run-hours",
            HOURLY,
            "--output-dir",
            str(tmp_path),
        ],
        s3=s3,
    )

    assert status == 0
    assert json.loads((tmp_path / list_capture.MANIFEST_FILE).read_text())[1:] == [key]


def test_successive_runs_read_every_hour_once(s3, tmp_path) -> None:
    for hour in range(24):
        _put(_capture_key("AllTraffic", f"2026/12/05/{hour:02d}"), b"{}\n")

    seen: list[str] = []
    for start in ("2026-12-05T04:00:00Z", "2026-12-05T08:19:59+00:00", "2026-12-05T12:00:01Z"):
        manifest, _ = _listed(s3, tmp_path / start[:13], start, "0,4,8,12,16,20")
        seen += manifest[1:]

    assert seen == [_capture_key("AllTraffic", f"2026/12/05/{hour:02d}") for hour in range(11)]


def test_a_daily_run_lists_the_previous_day_across_the_month(s3, tmp_path) -> None:
    hours = [datetime.datetime(2026, 11, 30, 23) - datetime.timedelta(hours=n) for n in range(25)]
    for hour in hours:
        _put(_capture_key("AllTraffic", f"{hour:%Y/%m/%d/%H}"), b"{}\n")

    manifest, count = _listed(s3, tmp_path, "2026-12-01T00:12:00Z", "0")

    assert count == 24
    assert manifest[1] == _capture_key("AllTraffic", "2026/11/29/23")
    assert manifest[-1] == _capture_key("AllTraffic", "2026/11/30/22")


def test_an_uneven_schedule_reads_every_hour_once(s3, tmp_path) -> None:
    """``cron(0 0/7 ? * * *)`` runs at 0, 7, 14 and 21 UTC: each run reads the hours since the run
    before (three across midnight, seven otherwise), so two days of runs read every hour once."""
    day = datetime.datetime(2026, 12, 4)
    every_hour = [day + datetime.timedelta(hours=n) for n in range(-4, 47)]
    for hour in every_hour:
        _put(_capture_key("AllTraffic", f"{hour:%Y/%m/%d/%H}"), b"{}\n")

    seen: list[str] = []
    sizes = []
    for run in [day + datetime.timedelta(hours=h) for h in (0, 7, 14, 21, 24, 31, 38, 45)]:
        manifest, count = _listed(s3, tmp_path / f"{run:%d%H}", f"{run:%Y-%m-%dT%H}:03:00Z", "0,7,14,21")
        seen += manifest[1:]
        sizes.append(count)

    assert sizes == [3, 7, 7, 7, 3, 7, 7, 7]
    # From 20:00 the day before the first run to 19:00 of the last run's day, an hour behind each.
    assert seen == [_capture_key("AllTraffic", f"{hour:%Y/%m/%d/%H}") for hour in every_hour[:48]]


def test_a_run_started_between_scheduled_hours_reads_the_last_scheduled_runs_hours(s3, tmp_path) -> None:
    for hour in range(24):
        _put(_capture_key("AllTraffic", f"2026/12/05/{hour:02d}"), b"{}\n")

    by_hand, _ = _listed(s3, tmp_path / "by-hand", "2026-12-05T10:40:00Z", "0,6,12,18")
    scheduled, _ = _listed(s3, tmp_path / "scheduled", "2026-12-05T06:02:00Z", "0,6,12,18")

    assert by_hand == scheduled
    # Six hours, each an hour late: 23:00 of the day before (nothing captured then) to 04:00.
    assert scheduled[1:] == [_capture_key("AllTraffic", f"2026/12/05/{hour:02d}") for hour in range(5)]


def test_a_shadow_variants_capture_is_not_read(s3, tmp_path) -> None:
    """A shadow variant gets copies of the production variants' requests: read once, not twice."""
    for variant in ("AllTraffic", "shadow"):
        _put(_capture_key(variant, "2026/12/05/07"), b"{}\n")

    manifest, count = _listed(s3, tmp_path, "2026-12-05T09:00:00Z", variants=("AllTraffic",))

    assert manifest[1:] == [_capture_key("AllTraffic", "2026/12/05/07")] and count == 1


def test_an_interval_without_traffic_is_an_empty_manifest_and_a_zero_count(s3, tmp_path) -> None:
    manifest, count = _listed(s3, tmp_path, "2026-12-05T09:00:00Z")

    assert manifest == [{"prefix": f"s3://{BUCKET}/"}] and count == 0


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--end", "2026-12-05T09:00:00", "no time zone"),
        ("--end", "yesterday", "not an ISO 8601 time"),
        ("--run-hours", "", "comma-separated hours, 0 to 23"),
        ("--run-hours", "0,24", "comma-separated hours, 0 to 23"),
        ("--run-hours", "-1", "comma-separated hours, 0 to 23"),
        ("--run-hours", "0;6", "comma-separated hours, 0 to 23"),
        ("--variant", "all/traffic", "without /"),
        ("--capture-uri", f"s3://{BUCKET}/data-capture/churn/prod-churn", "ending in /"),
        ("--capture-uri", "data-capture/churn/prod-churn/", "must be s3://<bucket>/<prefix><endpoint name>/"),
        (
            "--capture-uri",
            "s3:///data-capture/churn/prod-churn/",
            "must be s3://<bucket>/<prefix><endpoint name>/",
        ),
        ("--capture-uri", f"s3://{BUCKET}/", "must be s3://<bucket>/<prefix><endpoint name>/"),
    ],
)
def test_list_capture_refuses_what_names_no_interval(s3, tmp_path, option, value, message) -> None:
    argv = {
        "--region": REGION,
        "--capture-uri": f"s3://{BUCKET}/{PREFIX}{ENDPOINT}/",
        "--end": "2026-12-05T09:00:00Z",
        "--run-hours": HOURLY,
        "--variant": "AllTraffic",
        "--output-dir": str(tmp_path),
    } | {option: value}

    with pytest.raises(SystemExit, match=message):
        list_capture.main([item for pair in argv.items() for item in pair], s3=s3)


# --- CollectCapture ------------------------------------------------------------------------------


def _record(body: str, *, encoding: str = "CSV", content_type: str = "text/csv") -> str:
    data = base64.b64encode(body.encode()).decode() if encoding == "BASE64" else body
    return json.dumps(
        {
            "captureData": {
                "endpointInput": {
                    "observedContentType": content_type,
                    "mode": "INPUT",
                    "data": data,
                    "encoding": encoding,
                },
                "endpointOutput": {
                    "observedContentType": "text/csv",
                    "mode": "OUTPUT",
                    "data": "0.8",
                    "encoding": "CSV",
                },
            },
            "eventMetadata": {"eventId": "e", "inferenceTime": "2026-12-05T08:01:02Z"},
            "eventVersion": "0",
        }
    )


def _json(body: str, *, content_type: str = "application/json", encoding: str = "JSON") -> str:
    return _record(body, content_type=content_type, encoding=encoding)


def _folders(tmp_path: Path, capture: dict[str, list[str]]) -> tuple[Path, Path, Path]:
    capture_dir, reference_dir, output_dir = (tmp_path / name for name in ("capture", "reference", "current"))
    (reference_dir / "part").mkdir(parents=True)
    (reference_dir / "part" / "reference.csv").write_text(",".join(HEADER) + "\n1,20.5,monthly\n")
    for name, lines in capture.items():
        path = capture_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(line + "\n" for line in lines))
    return capture_dir, reference_dir, output_dir


def _argv(folders: tuple[Path, Path, Path]) -> list[str]:
    capture_dir, reference_dir, output_dir = folders
    return [f"--capture-dir={capture_dir}", f"--reference-dir={reference_dir}", f"--output-dir={output_dir}"]


def _collected(output_dir: Path) -> list[list[str]]:
    with (output_dir / collect_capture.OUTPUT_FILE).open(newline="") as handle:
        return list(csv.reader(handle))


def test_requests_of_every_encoding_become_rows_under_the_references_header(tmp_path) -> None:
    folders = _folders(
        tmp_path,
        {
            "AllTraffic/2026/12/05/08/b.jsonl": [_record('3,70.1,"two, year"', encoding="BASE64")],
            "AllTraffic/2026/12/05/08/a.jsonl": [
                _record("1,29.9,monthly"),
                "",
                _record("2,45.0,yearly\n5,10,monthly\n", content_type="text/csv; charset=utf-8"),
            ],
        },
    )

    assert collect_capture.main(_argv(folders)) == 0

    assert _collected(folders[2]) == [
        HEADER,
        ["1", "29.9", "monthly"],
        ["2", "45.0", "yearly"],
        ["5", "10", "monthly"],
        ["3", "70.1", "two, year"],
    ]


def test_json_requests_of_every_form_become_rows_under_the_references_header(tmp_path) -> None:
    """Objects by column name (a column left out is empty, others ignored), lists of values in the
    reference's order, lists and ``instances`` of either, JSON Lines, and JSON captured as base64."""
    folders = _folders(
        tmp_path,
        {
            "AllTraffic/2026/12/05/08/a.jsonl": [
                _json('{"contract": "monthly", "tenure": 1, "monthly_charges": 29.9, "id": "c-1"}'),
                _json('[2, 45.0, "yearly"]'),
                _json('[{"tenure": 3, "monthly_charges": null, "contract": "two, year"}, [4, 1.5, true]]'),
                _json(
                    '{"instances": [[5, 10, "monthly"], {"tenure": 6, "monthly_charges": null, "contract": null}]}',
                    encoding="BASE64",
                ),
                _json(
                    '{"tenure": 7, "monthly_charges": 1, "contract": "m"}\n\n[8, 2, "y"]\n',
                    content_type="application/jsonlines",
                ),
            ]
        },
    )

    assert collect_capture.main(_argv(folders)) == 0

    assert _collected(folders[2]) == [
        HEADER,
        ["1", "29.9", "monthly"],
        ["2", "45.0", "yearly"],
        ["3", "", "two, year"],
        ["4", "1.5", "true"],
        ["5", "10", "monthly"],
        ["6", "", ""],
        ["7", "1", "m"],
        ["8", "2", "y"],
    ]


def test_a_json_batch_by_column_is_a_row_per_position(tmp_path) -> None:
    folders = _folders(
        tmp_path,
        {
            "AllTraffic/2026/12/05/08/a.jsonl": [
                _json('{"tenure": [1, 2], "monthly_charges": [29.9, 45.0], "contract": ["m", "y"]}')
            ]
        },
    )

    assert collect_capture.main(_argv(folders)) == 0

    assert _collected(folders[2]) == [HEADER, ["1", "29.9", "m"], ["2", "45.0", "y"]]


def test_a_batch_of_texts_for_a_one_column_reference_is_a_row_each(tmp_path) -> None:
    """A text model's ``{"inputs": [...]}`` against a reference whose one column is ``inputs``."""
    folders = _folders(
        tmp_path, {"AllTraffic/2026/12/05/08/a.jsonl": [_json('{"inputs": ["good movie", "bad"]}')]}
    )
    (folders[1] / "part" / "reference.csv").write_text("inputs\nsome text\n")

    assert collect_capture.main(_argv(folders)) == 0

    assert _collected(folders[2]) == [["inputs"], ["good movie"], ["bad"]]


def test_a_reference_saved_with_a_byte_order_mark_names_its_first_column(tmp_path) -> None:
    folders = _folders(
        tmp_path,
        {"AllTraffic/2026/12/05/08/a.jsonl": [_json('{"tenure": 1, "monthly_charges": 2, "contract": "m"}')]},
    )
    (folders[1] / "part" / "reference.csv").write_bytes(("\ufeff" + ",".join(HEADER) + "\n1,2,m\n").encode())

    assert collect_capture.main(_argv(folders)) == 0

    assert _collected(folders[2]) == [HEADER, ["1", "2", "m"]]


def test_a_json_line_may_hold_a_unicode_line_separator(tmp_path) -> None:
    body = '{"tenure": 1, "monthly_charges": 2, "contract": "a\u2028b"}\n'
    folders = _folders(
        tmp_path,
        {
            "AllTraffic/2026/12/05/08/a.jsonl": [
                _json(body, content_type="application/jsonlines", encoding="BASE64")
            ]
        },
    )

    assert collect_capture.main(_argv(folders)) == 0

    assert _collected(folders[2]) == [HEADER, ["1", "2", "a\u2028b"]]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (_record("1,2"), "a row of 2 columns; the reference has 3"),
        (
            _json('{"age": 1}'),
            "a JSON object without the reference's column(s) tenure, monthly_charges, contract",
        ),
        (
            _json('{"contract": "m", "dataframe_split": {"columns": ["tenure"], "data": [[1]]}}'),
            "a JSON object without the reference's column(s) tenure, monthly_charges",
        ),
        (
            _json('{"tenure": {"value": 1}, "monthly_charges": 1, "contract": "m"}'),
            "a JSON value that is a list or an object where a column holds one value",
        ),
        (
            _json('{"tenure": [1, 2], "monthly_charges": [1], "contract": ["m", "y"]}'),
            "a JSON batch by column whose columns differ in length",
        ),
        (_json('{"tenure": [], "monthly_charges": [], "contract": []}'), "a JSON batch by column of no rows"),
        (
            _json('{"tenure": [1, 2], "monthly_charges": 1, "contract": "m"}'),
            "a JSON value that is a list or an object where a column holds one value",
        ),
        (_json("[1, 2]"), "a row of 2 columns; the reference has 3"),
        (_json("[[[1, 2, 3]]]"), "a JSON row that is neither an object nor a list of values"),
        (_json('{"instances": [{"instances": [[1, 2, 3]]}]}'), "neither an object nor a list of values"),
        # An instance is one row: a list in it is one input holding a tensor, not rows by column.
        (
            _json('{"instances": [{"tenure": [1, 2], "monthly_charges": [1, 2], "contract": ["m", "y"]}]}'),
            "a JSON value that is a list or an object where a column holds one value",
        ),
        (
            _json('[{"tenure": [1, 2], "monthly_charges": [1, 2], "contract": ["m", "y"]}]'),
            "a JSON value that is a list or an object where a column holds one value",
        ),
        (_json("3"), "a JSON request that is neither an object nor a list"),
        (_json("{"), "a request of type application/json that is not JSON"),
        (
            _record("<a>1</a>", content_type="application/xml"),
            "a request of type application/xml; CollectCapture reads",
        ),
        (_record("1,2,3", encoding="BASE64").replace('"data": "', '"data": "!'), "not base64"),
        (_record("1,2,3", encoding="XML"), "encoding 'XML'"),
        ("not json", "not a JSON record"),
        (json.dumps({"captureData": {}}), "no captureData.endpointInput"),
    ],
)
def test_a_request_the_reference_does_not_describe_is_left_out_and_counted(
    tmp_path, capsys, line, message
) -> None:
    folders = _folders(
        tmp_path, {"AllTraffic/2026/12/05/08/a.jsonl": [_record("1,2,3"), line, _record("4,5,6")]}
    )

    status = collect_capture.main(_argv(folders))

    assert status == 0
    assert _collected(folders[2]) == [HEADER, ["1", "2", "3"], ["4", "5", "6"]]
    out = capsys.readouterr().out
    assert "2 captured rows" in out
    [left_out] = [line for line in out.splitlines() if line.startswith("left out 1: ")]
    assert message in left_out and left_out.endswith("(first at AllTraffic/2026/12/05/08/a.jsonl:2)")


def test_a_run_where_no_request_is_described_fails_saying_why(tmp_path, capsys) -> None:
    folders = _folders(
        tmp_path, {"AllTraffic/2026/12/05/08/a.jsonl": [_record("1,2"), _record("3,4"), "not json"]}
    )

    assert collect_capture.main(_argv(folders)) == 2

    error = capsys.readouterr().err
    assert "no captured request the reference describes" in error
    assert "a.jsonl:1: a row of 2 columns; the reference has 3 (2)" in error
    assert "a.jsonl:3: not a JSON record (1)" in error


def test_without_a_reference_nothing_is_collected(tmp_path, capsys) -> None:
    capture_dir = tmp_path / "capture"
    capture_dir.mkdir()

    status = collect_capture.main(
        [
            f"--capture-dir={capture_dir}",
            f"--reference-dir={tmp_path / 'none'}",
            f"--output-dir={tmp_path / 'out'}",
        ]
    )

    assert status == 2 and "no .csv file under" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
