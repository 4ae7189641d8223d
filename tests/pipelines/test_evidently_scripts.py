"""The Evidently steps' scripts: the summary read from real Evidently 0.7.23 snapshots (committed
under tests/fixtures/evidently/, made by evidently_report.run_report with images/evidently's pins),
the outputs the job uploads, the input checks, and the metrics PublishDriftMetrics puts to
CloudWatch (moto). The Evidently run itself is exercised where the package is installed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest

from components.training.steps import evidently_report, publish_drift_metrics
from tests.aws_sessions import mocked_aws

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "evidently"


def _snapshot(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


@pytest.mark.parametrize(
    ("drift_share", "dataset_drift"),
    [pytest.param(0.5, 1, id="share-reaches-threshold"), pytest.param(0.51, 0, id="share-below-threshold")],
)
def test_summary_of_a_drift_report(drift_share: float, dataset_drift: int) -> None:
    # Two of the four columns (monthly_charges, support_calls_90d) were shifted when it was made.
    summary = evidently_report.summarise(_snapshot("drift-and-quality.json"), drift_share, (300, 280))
    assert summary == {
        "drifted_columns_share": 0.5,
        "drifted_columns": 2,
        "dataset_drift": dataset_drift,
        "drift_share": drift_share,
        "reference_rows": 300,
        "current_rows": 280,
    }


def test_a_quality_only_report_has_no_drift() -> None:
    summary = evidently_report.summarise(_snapshot("quality-only.json"), 0.5, (300, 300))
    assert (summary["drifted_columns_share"], summary["drifted_columns"], summary["dataset_drift"]) == (
        0.0,
        0,
        0,
    )


def test_two_drift_counts_are_ambiguous() -> None:
    snapshot = _snapshot("drift-and-quality.json")
    drifted = next(
        m for m in snapshot["metrics"] if m["config"]["type"] == evidently_report.DRIFTED_COLUMNS_TYPE
    )
    snapshot["metrics"].append(drifted)
    with pytest.raises(ValueError, match="2 DriftedColumnsCount"):
        evidently_report.summarise(snapshot, 0.5, (1, 1))


def test_outputs_are_the_page_the_snapshot_and_the_summary(tmp_path: Path) -> None:
    summary = evidently_report.summarise(_snapshot("drift-and-quality.json"), 0.5, (300, 300))
    evidently_report.write_outputs(tmp_path / "report", "<html></html>", '{"metrics": []}', summary)
    assert sorted(p.name for p in (tmp_path / "report").iterdir()) == [
        "report.html",
        "report.json",
        "summary.json",
    ]
    assert json.loads((tmp_path / "report" / "summary.json").read_text())["dataset_drift"] == 1


def test_shared_columns_keep_the_reference_order_and_drop_excluded() -> None:
    columns = evidently_report.shared_columns(["a", "label", "b", "c"], ["c", "b", "label", "z"], {"label"})
    assert columns == ["b", "c"]
    with pytest.raises(SystemExit, match="share no column"):
        evidently_report.shared_columns(["a"], ["b"], set())


def test_an_empty_input_folder_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(SystemExit, match=r"no \.csv file"):
        evidently_report.csv_files(tmp_path)
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.csv").write_text("a\n1\n")
    (tmp_path / "1.csv").write_text("a\n1\n")
    assert [p.name for p in evidently_report.csv_files(tmp_path)] == ["1.csv", "2.csv"]


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["--reports", "model_quality"], id="unknown-report"),
        pytest.param(["--reports", ""], id="no-report"),
        pytest.param(["--drift-share", "0"], id="zero-share"),
    ],
)
def test_bad_report_arguments_exit(argv: list[str]) -> None:
    with pytest.raises(SystemExit):
        evidently_report.parse_args(argv)


def test_report_end_to_end_with_evidently(tmp_path: Path) -> None:
    """Only where the image's packages are installed (not in the default environment, see
    docs/evidently.md); the glue above is tested everywhere against the real snapshots."""
    pytest.importorskip("evidently")
    pd = pytest.importorskip("pandas")
    reference = pd.DataFrame({"x": range(200), "y": [i % 3 for i in range(200)], "label": 1})
    current = reference.assign(x=reference["x"] + 1000)
    for name, frame in (("reference", reference), ("current", current)):
        (tmp_path / name).mkdir()
        frame.to_csv(tmp_path / name / "part.csv", index=False)
    argv = ["--reference", str(tmp_path / "reference"), "--current", str(tmp_path / "current"),
            "--output", str(tmp_path / "out"), "--exclude", "label", "--drift-share", "0.5"]  # fmt: skip
    assert evidently_report.main(argv) == 0
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert (summary["drifted_columns"], summary["drifted_columns_share"], summary["dataset_drift"]) == (
        1,
        0.5,
        1,
    )


ARGS = ["--region", "eu-west-1", "--namespace", "MLOpsPlatform/Evidently",
        "--dimension", "Family=customer-churn", "--dimension", "Pipeline=training",
        "--metric", "DriftedColumnsShare=0.5", "--metric", "DatasetDrift=1"]  # fmt: skip


def test_publisher_puts_both_metrics_with_both_dimensions() -> None:
    with mocked_aws("eu-west-1"):
        assert publish_drift_metrics.main(ARGS) == 0
        cloudwatch = boto3.client("cloudwatch", region_name="eu-west-1")
        dimensions = [
            {"Name": "Family", "Value": "customer-churn"},
            {"Name": "Pipeline", "Value": "training"},
        ]
        listed = cloudwatch.list_metrics(Namespace="MLOpsPlatform/Evidently")["Metrics"]
        assert sorted(m["MetricName"] for m in listed) == ["DatasetDrift", "DriftedColumnsShare"]
        assert all(sorted(m["Dimensions"], key=lambda d: d["Name"]) == dimensions for m in listed)
        now = datetime.now(UTC)
        values = {}
        for name in ("DriftedColumnsShare", "DatasetDrift"):
            points = cloudwatch.get_metric_statistics(
                Namespace="MLOpsPlatform/Evidently", MetricName=name, Dimensions=dimensions,
                StartTime=now - timedelta(minutes=5), EndTime=now + timedelta(minutes=5), Period=60,
                Statistics=["Maximum"],
            )["Datapoints"]  # fmt: skip
            values[name] = [p["Maximum"] for p in points]
        assert values == {"DriftedColumnsShare": [0.5], "DatasetDrift": [1.0]}


@pytest.mark.parametrize(
    ("metric", "message"),
    [
        pytest.param("DatasetDrift=nan", "not a finite number", id="nan"),
        pytest.param("DatasetDrift=true", "not a number", id="boolean-text"),
        pytest.param("DatasetDrift=", "must be NAME=VALUE", id="empty"),
    ],
)
def test_publisher_refuses_what_is_not_a_number(metric: str, message: str) -> None:
    with mocked_aws("eu-west-1"):
        with pytest.raises(SystemExit, match=message):
            publish_drift_metrics.main([*ARGS[:8], "--metric", metric])
        cloudwatch = boto3.client("cloudwatch", region_name="eu-west-1")
        assert cloudwatch.list_metrics(Namespace="MLOpsPlatform/Evidently")["Metrics"] == []
