"""`make bench`'s inputs and table: the scale series' synthetic stacks are valid stacks of the
intended shape, and each figure's median is compared with its target. Timing itself is measured
by `make bench`, never asserted here."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bench import plan_bench, run
from stacks.config import parse_platform_config
from stacks.stack_file import read_stack_file


@pytest.mark.parametrize(("endpoints", "families"), [(1, 1), (10, 1), (50, 5), (200, 20)])
def test_the_scale_series_stacks_are_valid_with_every_family_trained_and_served(
    tmp_path: Path, endpoints: int, families: int
) -> None:
    assert plan_bench.families_for(endpoints) == families
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(plan_bench.synthetic_stack_text(plan_bench.REFERENCE_PROD, endpoints, families))

    config = parse_platform_config(read_stack_file(path).platform, str(path))

    assert len(config.endpoints) == endpoints
    assert len({endpoint.name for endpoint in config.endpoints}) == endpoints
    assert len(config.models) == families
    assert all(model.training is not None and model.batch_scoring is not None for model in config.models)
    served = Counter(endpoint.variants[0].model.latest_approved_of for endpoint in config.endpoints)
    # Round-robin: every family serves its share of the endpoints.
    assert set(served) == {model.name for model in config.models}
    assert max(served.values()) - min(served.values()) <= 1
    # Each copy keeps the reference endpoint's settings (its autoscaling and instance type).
    reference = parse_platform_config(
        read_stack_file(plan_bench.REFERENCE_PROD).platform, str(plan_bench.REFERENCE_PROD)
    ).endpoints[0]
    assert {endpoint.variants[0].instance_type for endpoint in config.endpoints} == {
        reference.variants[0].instance_type
    }


def _figure(values: list[float], target: object, unit: str = "s") -> dict:
    return {"figure": "f", "unit": unit, "values": values, "target": target, "note": ""}


@pytest.mark.parametrize(
    ("values", "target", "met"),
    [
        ([1.4, 1.6, 1.2], 1.5, "yes"),  # the median, 1.4, is under the bound: one slow run does not fail it
        ([1.6, 1.4, 1.7], 1.5, "no"),
        ([1.5, 1.5, 1.5], 1.5, "no"),  # the bound itself is not under it
        ([50.0, 70.0, 55.0], "< 60", "yes"),  # another module's target written as text
        ([62.0, 61.0, 70.0], "60 s", "no"),
        ([12.0], None, "report"),  # reported, no target
    ],
)
def test_a_figure_meets_its_target_when_its_median_is_below_it(values, target, met) -> None:
    assert run.verdict(_figure(values, target)) == met


def test_the_table_shows_median_spread_runs_and_target() -> None:
    [row] = run.rows([_figure([2.0, 1.0, 3.5], 1.5)])
    assert row == ("f", "2.00 s", "1.00-3.50", "3", "< 1.50 s", "no")
    [row] = run.rows([_figure([210.0, 190.0, 200.0], None, "MiB")])
    assert row == ("f", "200 MiB", "190-210", "3", "-", "report")


def test_make_bench_runs_without_the_other_modules_and_includes_them_when_present(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    calls = []

    def plan_measure(runs: int, *, slow: bool = True) -> list[dict]:
        calls.append(("plan", runs, slow))
        return [_figure([1.0] * runs, 1.5)]

    monkeypatch.setattr(plan_bench, "measure", plan_measure)
    monkeypatch.setitem(__import__("sys").modules, "plan_bench", plan_bench)
    monkeypatch.setattr(run, "BENCH", tmp_path)  # no suite_bench.py nor setup_bench.py there
    assert run.main(["--runs", "3", "--strict"]) == 0
    assert calls == [("plan", 3, True)]
    assert "f       1.00 s  1.00-1.00         3     < 1.50 s  yes" in capsys.readouterr().out

    (tmp_path / "suite_bench.py").write_text(
        "def measure(runs):\n"
        "    return [{'figure': 'make test', 'unit': 's', 'values': [70.0] * runs, 'target': 60, 'note': 'n'}]\n"
    )
    assert run.main(["--runs", "3", "--strict"]) == 1  # the suite misses its target
    assert "make test" in capsys.readouterr().out
    # --quick: the plan without its slow figures, and a module without a `slow` switch skipped.
    assert run.main(["--runs", "3", "--quick", "--strict"]) == 0
    assert calls[-1] == ("plan", 3, False)
    assert "skipped with --quick: bench/suite_bench.py" in capsys.readouterr().out


def test_the_sdk_floor_program_is_plain_resources_of_ten_inputs_and_nothing_else() -> None:
    """The floor figure divides CPU by resources: it must record exactly the alarms it names,
    with no component or other resource around them."""
    from planner.recorder import record_program

    graph = record_program(plan_bench.floor_program(7))

    assert [r.type for r in graph.cloud_resources] == ["aws:cloudwatch/metricAlarm:MetricAlarm"] * 7
    assert graph.components == []
    assert {len(r.inputs) for r in graph.cloud_resources} == {10}
    assert graph.cloud_resources[0].inputs["comparisonOperator"] == "GreaterThanThreshold"


def test_the_process_floor_registers_what_the_plan_registers_in_a_fresh_process() -> None:
    """The process floor compares with the warm prod plan: its child must register exactly the
    plan's resources and components (a mismatch exits), one fresh process per run after a run
    that writes the byte-code."""
    from planner.recorder import record_program

    graph = record_program(plan_bench.floor_program(3, components=2))
    assert [r.type for r in graph.cloud_resources] == ["aws:cloudwatch/metricAlarm:MetricAlarm"] * 3
    assert [c.type for c in graph.components] == ["bench:floor:Group"] * 2

    from tests.recorded import computed_once

    # Three fresh processes: once per version of the code (bench/ and planner/ are in the cache's
    # fingerprint) and of this module (tests.recorded.computed_once). Only the figure's shape and
    # note are asserted, not its times; a child that registers other counts exits, and is not kept.
    [figure] = computed_once("process-floor", lambda: plan_bench.measure_process_floor(2, 3, 2))
    assert figure["figure"] == "SDK floor, a process of the prod plan's size"
    assert figure["target"] is None and figure["unit"] == "s"
    assert len(figure["values"]) == 2 and all(0 < seconds < 600 for seconds in figure["values"])
    assert "registers 3 plain CloudWatch alarms and 2 empty components" in figure["note"]


def test_the_process_floor_imports_neither_the_configuration_model_nor_a_component() -> None:
    """What the floor leaves out is the platform: the recorder must not import it."""
    import ast
    import subprocess
    import sys

    from tests.recorded import computed_once

    # A fresh interpreter's imports: once per version of the code (tests.recorded.computed_once).
    loaded = computed_once(
        "floor-imports",
        lambda: (
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "import sys, planner.process, planner.recorder; print(sorted(sys.modules))",
                ],
                cwd=plan_bench.REPO,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        ),
    )
    modules = set(ast.literal_eval(loaded))
    assert "pulumi" in modules and "stacks.config" not in modules and "pydantic" not in modules
    # The modules of components/ the stack-file reader and the recorder share (standard library
    # only: how much of a value or a list of names a message repeats; pulumi-aws's auto-name limits,
    # which the recorder enforces); no component and no spec.
    assert {name for name in modules if name.partition(".")[0] == "components"} <= {
        "components",
        "components.text_limits",
        "components.autonames",
    }


def test_the_scale_series_stack_is_written_where_make_bench_runs_it() -> None:
    """`make bench` runs bench/run.py as a script: its folder is on the path, the checkout's root is
    not (the scale series' stack writer imported stacks.stack_file and failed there)."""
    import subprocess
    import sys

    from tests.recorded import computed_once

    script = (
        "import sys; sys.path.insert(0, 'bench'); import plan_bench; "
        "print(plan_bench.synthetic_stack_text(plan_bench.REFERENCE_PROD, 2).count('  - name: '))"
    )

    def run_script() -> tuple[int, str, str]:
        result = subprocess.run(
            [sys.executable, "-I", "-c", script], cwd=plan_bench.REPO, capture_output=True, text=True
        )
        return result.returncode, result.stdout, result.stderr

    # An isolated interpreter (-I: no PYTHON* variables, no user site): what it prints is a function
    # of the code (the fingerprint, bench/ included) and the fixture stack (the tests' support
    # files); run once per version of them (tests.recorded.computed_once).
    returncode, stdout, stderr = computed_once("scale-series-script", run_script)
    assert returncode == 0, stderr
    assert int(stdout) >= 2


def test_the_measured_plan_runs_in_the_order_python_m_planner_runs_it(monkeypatch, capsys) -> None:
    """The plan as ``python -m planner`` runs it (``plan_once``, which forks the composer, then
    validates the stack file and imports); the "imports" figure ends where ``plan_once`` says its
    imports are done."""
    import json
    import types

    import planner.__main__ as cli
    import planner.process

    order: list[str] = []
    graph = types.SimpleNamespace(cloud_resources=[1, 2], components=[1])

    def plan_once(path, *, imported):
        order.append(f"plan {path}: fork, validate, import")
        imported()
        order.append("plan")
        return types.SimpleNamespace(graph=graph, violations=[])

    monkeypatch.setattr(cli, "plan_once", plan_once)
    monkeypatch.setattr(planner.process, "exit_now", lambda status: order.append(f"exit {status}"))

    plan_bench._child("stacks/Pulumi.x.yaml")

    assert order == ["plan stacks/Pulumi.x.yaml: fork, validate, import", "plan", "exit 0"]
    report = json.loads(capsys.readouterr().out)
    assert report["resources"] == 2
    assert report["imports_s"] >= 0 and report["plan_s"] >= 0 and report["plan_cpu_s"] >= 0


def test_the_suite_bench_alternates_first_and_cached_runs_and_reports_each_with_its_spread(
    monkeypatch,
) -> None:
    """Each round empties the recorded-stacks cache for one run and keeps it for the next, so the
    first-run figure has as many values as the everyday one, measured under the same load."""
    from bench import suite_bench

    calls: list[bool] = []

    def one_run(*, record_again: bool = False) -> dict[str, float]:
        calls.append(record_again)
        total = 70.0 + len(calls) if record_again else 50.0 + len(calls)
        return {"total": total, "pytest": total - 2, "lint": 2.0, "cpu": 2 * total, "tests": 10.0}

    monkeypatch.setattr(suite_bench, "_one_run", one_run)
    rows = {row["figure"]: row for row in suite_bench.measure(3)}

    assert calls == [True, False, True, False, True, False]
    assert rows["make test, first run of the code"]["values"] == [71.0, 73.0, 75.0]
    assert rows["make test, first run of the code"]["target"] == suite_bench.TARGET_SECONDS
    assert rows["make test, first run: CPU time"]["values"] == [142.0, 146.0, 150.0]
    assert rows["make test (lint + pytest)"]["values"] == [52.0, 54.0, 56.0]
    assert rows["make test: CPU time"]["values"] == [104.0, 108.0, 112.0]
