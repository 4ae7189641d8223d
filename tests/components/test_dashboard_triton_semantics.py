"""What the monitoring dashboard's graphs and the Triton settings mean, not only that they are there.

A mutation audit of components/observability/monitoring_dashboard.py and components/serving/triton.py
(68 one-step mutants, 40 surviving the existing tests) found the dashboard's graphs checked for which
metrics they name, and little more: a graph in a fixed region instead of the stack's, a single value
instead of a time series, invocations or errors averaged instead of summed, invocations per instance
averaged or summed over 5 minutes (no longer the per-minute number the scaling target line means),
p99 latency replaced by p95 or p50 by the average, CPU, memory and disk read from the invocation
namespace (an empty graph), disk replaced by memory, the GPU graph dropped when the GPU variant shares
the endpoint with CPU variants, drift averaged or read every 5 minutes, model quality taken at its
maximum, empty drift or quality graphs for a schedule with nothing to graph, a scaling-target line
at the wrong value, missing, or drawn (valueless) for a variant scaled on another metric, no
comparison row for a champion with a single challenger or shadow, an error rate on 1-minute periods
or invocations averaged, a heading without its "serverless / fixed" fallback, and any widget moved,
narrowed or stacked on another (layout is what the user reads). The Triton releases in the unknown-
version message could be listed in any order (the tests compared the message with the same function).

It also found a product bug, fixed with this file: the "Model latency (µs): p50 / p90 / p99" graph
labelled a variant's three percentile lines alike (``<variant> ModelLatency``), so the legend could not
tell p50 from p99; the label now carries the statistic.

Left alive, as equivalent: a heading listing the variants that have a minimum capacity rather than a
maximum (the stack sets both from one scaling section, or neither), and asking the SDK for Triton's
"training" image scope (its table has the one scope, "inference", which the SDK then uses).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from components.observability.monitoring_dashboard import (
    DashboardEndpoint,
    DashboardVariant,
    MonitoringDashboard,
    MonitoringDashboardArgs,
)
from components.serving import triton
from planner.recorder import ResourceGraph, record_program

DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
REGION = "ap-southeast-2"
"""Not the recorder's mock region: a graph that ignores the args' region shows another region's metrics."""
AB = "churn-ab"
SINGLE = "churn-cpu"

# The metrics' namespaces as SageMaker publishes them (docs: "Monitor Amazon SageMaker with CloudWatch").
INVOCATIONS = "AWS/SageMaker"
INSTANCE = "/aws/sagemaker/Endpoints"
DRIFT = "aws/sagemaker/Endpoints/data-metrics"
QUALITY = "aws/sagemaker/Endpoints/model-metrics"


def _endpoints() -> list[DashboardEndpoint]:
    return [
        DashboardEndpoint(
            name=AB,
            variants=[
                DashboardVariant(
                    name="champ", gpu=True, min_capacity=2, max_capacity=6, invocations_target=150
                ),
                # Autoscaled on another metric (GPU utilisation): limits, but no invocations target.
                DashboardVariant(name="chall", gpu=False, min_capacity=1, max_capacity=3, role="challenger"),
                DashboardVariant(name="shad", gpu=False, role="shadow"),
            ],
            latency_slo_ms=200,
            monitoring_schedule_name="churn-ab-data-quality",
            drift_features=["tenure", "charges"],
            model_quality_schedule_name="churn-ab-model-quality",
            model_quality_metrics=["auc", "f1"],
        ),
        DashboardEndpoint(
            name=SINGLE,
            variants=[DashboardVariant(name="only", gpu=False)],
            latency_slo_ms=80,
            # Schedules without anything to graph: no empty drift or quality graph.
            monitoring_schedule_name="churn-cpu-data-quality",
            model_quality_schedule_name="churn-cpu-model-quality",
        ),
    ]


@pytest.fixture(scope="module")
def widgets() -> list[dict[str, Any]]:
    graph: ResourceGraph = record_program(
        lambda: MonitoringDashboard(
            "mon", MonitoringDashboardArgs(dashboard_name="ops", region=REGION, endpoints=_endpoints())
        )
    )
    [dashboard] = graph.of_type(DASHBOARD)
    assert dashboard.inputs["dashboardName"] == "ops"
    return json.loads(dashboard.inputs["dashboardBody"])["widgets"]


def _graphs(widgets: list[dict[str, Any]], endpoint: str) -> dict[str, dict[str, Any]]:
    """Title → properties of the metric widgets whose lines are all on ``endpoint``."""
    found: dict[str, dict[str, Any]] = {}
    for widget in widgets:
        if widget["type"] != "metric":
            continue
        lines = [m for m in widget["properties"]["metrics"] if isinstance(m[0], str)]
        if all(m[3] == endpoint for m in lines):
            found[widget["properties"]["title"]] = widget["properties"]
    return found


def _lines(properties: dict[str, Any]) -> list[tuple[Any, ...]]:
    """(namespace, metric, dimensions as a dict's sorted items, stat or None) of each metric line."""
    result = []
    for line in properties["metrics"]:
        if not isinstance(line[0], str):
            continue
        options = line[-1] if isinstance(line[-1], dict) else {}
        dims = line[2:-1] if isinstance(line[-1], dict) else line[2:]
        result.append((line[0], line[1], tuple(zip(dims[::2], dims[1::2], strict=True)), options.get("stat")))
    return result


# --- the dashboard ---------------------------------------------------------------------------------


def test_every_graph_shows_the_stacks_region_as_a_time_series(widgets) -> None:
    graphs = [w for w in widgets if w["type"] == "metric"]
    assert len(graphs) == 16
    assert {(w["properties"]["region"], w["properties"]["view"]) for w in graphs} == {(REGION, "timeSeries")}


def test_each_graph_plots_the_statistic_and_period_that_give_its_numbers_their_meaning(widgets) -> None:
    """Counts are sums per minute (the scaling target is invocations per instance a minute: a
    SageMakerVariantInvocationsPerInstance Sum over 60 s), latency is percentiles (an average hides
    the tail the SLO is about), utilisation an average over 5 minutes, drift the worst an hourly
    monitoring run measured, quality the hourly value."""
    graphs = _graphs(widgets, AB)
    expected = {
        "Invocations": (60, {(INVOCATIONS, "Invocations", "Sum")}),
        "Invocations per instance (autoscaling metric)": (
            60,
            {(INVOCATIONS, "InvocationsPerInstance", "Sum")},
        ),
        "Model latency (µs): p50 / p90 / p99": (
            60,
            {(INVOCATIONS, "ModelLatency", stat) for stat in ("p50", "p90", "p99")},
        ),
        "Errors": (
            60,
            {(INVOCATIONS, "Invocation4XXErrors", "Sum"), (INVOCATIONS, "Invocation5XXErrors", "Sum")},
        ),
        "CPU (100 % per vCPU), memory and disk (%)": (
            300,
            {(INSTANCE, m, None) for m in ("CPUUtilization", "MemoryUtilization", "DiskUtilization")},
        ),
        "GPU and GPU memory (100 % per GPU)": (
            300,
            {(INSTANCE, m, None) for m in ("GPUUtilization", "GPUMemoryUtilization")},
        ),
    }
    for title, (period, metrics) in expected.items():
        properties = graphs[title]
        assert properties["period"] == period, title
        assert {(ns, metric, stat) for ns, metric, _, stat in _lines(properties)} == metrics, title
        # One line per variant and metric (and statistic), on the variant's own dimensions.
        assert sorted(dims for *_, dims, _ in _lines(properties)) == sorted(
            (("EndpointName", AB), ("VariantName", v)) for v in ("champ", "chall", "shad") for _ in metrics
        ), title
    drift = graphs["Feature drift from the training baseline (monitor)"]
    assert (drift["period"], drift["stat"]) == (3600, "Maximum")
    assert _lines(drift) == [
        (
            DRIFT,
            f"feature_baseline_drift_{f}",
            (("Endpoint", AB), ("MonitoringSchedule", "churn-ab-data-quality")),
            None,
        )
        for f in ("tenure", "charges")
    ]
    quality = graphs["Model quality against ground truth (monitor; the endpoint's traffic, all variants)"]
    assert (quality["period"], quality["stat"]) == (3600, "Average")
    assert _lines(quality) == [
        (QUALITY, m, (("Endpoint", AB), ("MonitoringSchedule", "churn-ab-model-quality")), None)
        for m in ("auc", "f1")
    ]


def test_threshold_lines_sit_at_the_scaling_target_and_the_latency_slo_in_microseconds(widgets) -> None:
    graphs = _graphs(widgets, AB)
    # Only the autoscaled variant has a target; ModelLatency is in microseconds, the SLO in ms.
    assert graphs["Invocations per instance (autoscaling metric)"]["annotations"] == {
        "horizontal": [{"label": "champ scaling target", "value": 150}]
    }
    slo = {"horizontal": [{"label": "p99 SLO", "value": 200_000}]}
    assert graphs["Model latency (µs): p50 / p90 / p99"]["annotations"] == slo
    assert graphs["Champion vs challenger: p99 model latency (µs)"]["annotations"] == slo
    single = _graphs(widgets, SINGLE)
    assert single["Invocations per instance (autoscaling metric)"]["annotations"] == {"horizontal": []}
    assert single["Model latency (µs): p50 / p90 / p99"]["annotations"]["horizontal"][0]["value"] == 80_000


def test_each_line_of_a_graph_has_its_own_legend_label(widgets) -> None:
    """Three percentiles of one variant's latency, or its 4xx and 5xx, under one label cannot be told apart."""
    for widget in widgets:
        if widget["type"] == "metric":
            labels = [line[-1]["label"] for line in widget["properties"]["metrics"] if "label" in line[-1]]
            assert len(labels) == len(set(labels)), (widget["properties"]["title"], labels)
    latency = _graphs(widgets, AB)["Model latency (µs): p50 / p90 / p99"]
    assert {line[-1]["label"] for line in latency["metrics"]} == {
        f"{v} ModelLatency {stat}" for v in ("champ", "chall", "shad") for stat in ("p50", "p90", "p99")
    }


def test_gpu_graph_when_any_variant_runs_on_gpu_and_monitor_graphs_only_with_something_to_show(
    widgets,
) -> None:
    assert "GPU and GPU memory (100 % per GPU)" in _graphs(widgets, AB)  # a GPU champion, CPU challengers
    single = _graphs(widgets, SINGLE)
    assert not any(
        title.startswith(("GPU", "Feature drift", "Model quality", "Champion")) for title in single
    )


def test_headings_state_the_autoscaling_limits_or_that_there_are_none(widgets) -> None:
    headings = [w["properties"]["markdown"] for w in widgets if w["type"] == "text"]
    assert headings == [
        f"## {AB} — capacity: **champ**: 2-6 instances; **chall**: 1-3 instances",
        f"### {AB} — champion vs challenger: champ (champion), chall (challenger), shad (shadow)",
        f"## {SINGLE} — capacity: serverless / fixed",
    ]


def test_the_comparison_row_compares_rates_and_sums_labelled_by_role(widgets) -> None:
    graphs = _graphs(widgets, AB)
    rate = graphs["Champion vs challenger: 5xx error rate (%)"]
    assert rate["period"] == 300
    hidden = [line for line in rate["metrics"] if isinstance(line[0], str)]
    assert {(line[1], line[-1]["stat"], line[-1]["visible"]) for line in hidden} == {
        ("Invocation5XXErrors", "Sum", False),
        ("Invocations", "Sum", False),
    }
    ids = {(line[1], line[5]): line[-1]["id"] for line in hidden}
    assert len(set(ids.values())) == len(ids) == 6
    expressions = [line[0] for line in rate["metrics"] if isinstance(line[0], dict)]
    assert [e["label"] for e in expressions] == [
        "champ (champion) 5xx %",
        "chall (challenger) 5xx %",
        "shad (shadow) 5xx %",
    ]
    for e, variant in zip(expressions, ("champ", "chall", "shad"), strict=True):
        errors, calls = ids[("Invocation5XXErrors", variant)], ids[("Invocations", variant)]
        assert e["expression"] == f"100 * FILL({errors}, 0) / {calls}"
    invocations = graphs["Champion vs challenger: invocations"]
    assert {(line[5], line[-1]["stat"], line[-1]["label"]) for line in invocations["metrics"]} == {
        ("champ", "Sum", "champ (champion)"),
        ("chall", "Sum", "chall (challenger)"),
        ("shad", "Sum", "shad (shadow)"),
    }
    latency = graphs["Champion vs challenger: p99 model latency (µs)"]
    assert {line[-1]["stat"] for line in latency["metrics"]} == {"p99"}


def test_a_variant_is_a_champion_unless_told_otherwise() -> None:
    assert DashboardVariant(name="v", gpu=False).role == "champion"


def test_rows_tile_the_24_column_grid_in_order_without_overlap(widgets) -> None:
    """Endpoints top to bottom in the args' order, each endpoint's comparison row under its own
    graphs, graphs three abreast; none on top of another."""
    cells: set[tuple[int, int]] = set()
    for w in widgets:
        assert w["x"] >= 0 and w["x"] + w["width"] <= 24
        for x in range(w["x"], w["x"] + w["width"]):
            for y in range(w["y"], w["y"] + w["height"]):
                assert (x, y) not in cells, w["properties"].get("title")
                cells.add((x, y))

    def place(w: dict[str, Any]) -> tuple[str, int, int, int, int]:
        text = w["properties"].get("title") or w["properties"]["markdown"]
        return (
            text.split(" ")[0] if w["type"] == "metric" else text.split(" — ")[0],
            w["x"],
            w["y"],
            w["width"],
            w["height"],
        )

    assert [place(w) for w in widgets] == [
        (f"## {AB}", 0, 0, 24, 1),
        ("Invocations", 0, 1, 8, 6),
        ("Invocations", 8, 1, 8, 6),
        ("Model", 16, 1, 8, 6),
        ("Errors", 0, 7, 8, 6),
        ("CPU", 8, 7, 8, 6),
        ("GPU", 16, 7, 8, 6),
        ("Feature", 0, 13, 8, 6),
        ("Model", 8, 13, 8, 6),
        (f"### {AB}", 0, 19, 24, 1),
        ("Champion", 0, 20, 8, 6),
        ("Champion", 8, 20, 8, 6),
        ("Champion", 16, 20, 8, 6),
        (f"## {SINGLE}", 0, 26, 24, 1),
        ("Invocations", 0, 27, 8, 6),
        ("Invocations", 8, 27, 8, 6),
        ("Model", 16, 27, 8, 6),
        ("Errors", 0, 33, 8, 6),
        ("CPU", 8, 33, 8, 6),
    ]


def test_two_variants_are_enough_for_a_comparison_row() -> None:
    pair = DashboardEndpoint(
        name="pair",
        variants=[
            DashboardVariant(name="a", gpu=False),
            DashboardVariant(name="b", gpu=False, role="shadow"),
        ],
        latency_slo_ms=100,
    )
    graph = record_program(
        lambda: MonitoringDashboard(
            "mon", MonitoringDashboardArgs(dashboard_name="ops", region=REGION, endpoints=[pair])
        )
    )
    [dashboard] = graph.of_type(DASHBOARD)
    titles = [w["properties"].get("title") for w in json.loads(dashboard.inputs["dashboardBody"])["widgets"]]
    assert titles[-3:] == [
        "Champion vs challenger: p99 model latency (µs)",
        "Champion vs challenger: 5xx error rate (%)",
        "Champion vs challenger: invocations",
    ]


# --- Triton ------------------------------------------------------------------------------------------


def _sdk_triton_table() -> dict[str, Any]:
    spec = importlib.util.find_spec("sagemaker")
    assert spec is not None and spec.submodule_search_locations
    folder = Path(next(iter(spec.submodule_search_locations))) / "core" / "image_uri_config"
    return json.loads((folder / "sagemaker-tritonserver.json").read_text(encoding="utf-8"))


def test_triton_releases_are_listed_oldest_first_in_the_unknown_version_message() -> None:
    """The SDK's table is not in release order (a new release is appended); the message lists the
    releases oldest first, so the newest one a stack may pin is the last."""
    oldest_first = sorted(_sdk_triton_table()["versions"], key=lambda v: tuple(int(p) for p in v.split(".")))
    assert triton.triton_versions() == oldest_first
    assert triton.triton_version_problem("22.01") == (
        "Triton 22.01 has no SageMaker image; the SDK lists " + ", ".join(oldest_first)
    )
    assert triton.triton_version_problem(oldest_first[-1]) is None


@pytest.mark.parametrize(
    "name", ["ops dashboard", "ops.dashboard", "x" * 256, ""], ids=["space", "dot", "256 characters", "empty"]
)
def test_args_refuse_a_dashboard_name_cloudwatch_refuses(name: str) -> None:
    """PutDashboard's DashboardName: 1-255 characters of A-Z, a-z, 0-9, ``-`` and ``_`` (botocore's
    documentation; its model sets no pattern): the stack names its dashboard itself, a program does not."""
    with pytest.raises(ValueError, match=r"MonitoringDashboardArgs\.dashboard_name: "):
        MonitoringDashboardArgs(dashboard_name=name, region=REGION, endpoints=[])
    assert MonitoringDashboardArgs(dashboard_name="mlops-platform_" + "x" * 240, region=REGION, endpoints=[])
