"""`make bench`: every speed figure of issue 18 against its target, with its run-to-run spread.

    python bench/run.py                 # every figure, 3 runs each (the scale series takes minutes)
    python bench/run.py --quick         # skip the slow figures (the scale series, the suite, set-up)
    python bench/run.py --runs 5 --json bench.json --markdown

Each module below exposes ``measure(runs) -> list[dict]``, one dict per figure with ``figure``,
``unit``, ``values`` (one per run), ``target`` (an upper bound, or None for a figure only reported)
and ``note``. The plan's figures come from ``bench/plan_bench.py``; ``bench/suite_bench.py`` (the
test suite) and ``bench/setup_bench.py`` (a fresh clone's set-up) are included when present. The
table shows each figure's median, its min-max spread over the runs and whether the median meets
the target. Run it on a quiet machine: the header shows the load average before and after, since
other jobs sharing the cores inflate wall times (the notes give CPU times too). The exit status is
0 unless ``--strict`` and a target is missed, or a measurement failed.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import inspect
import json
import os
import platform
import statistics
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
OPTIONAL = ("suite_bench", "setup_bench")
"""Figures other modules provide, each included when its file exists."""
SLOW_OPTIONAL = frozenset(OPTIONAL)
"""Modules whose ``measure`` has no ``slow`` switch: --quick skips them (each runs for minutes)."""


def _load(name: str) -> Any | None:
    path = BENCH / f"{name}.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _measure(module: Any, runs: int, slow: bool) -> list[dict[str, Any]] | None:
    """``module.measure(runs)``; with --quick, its ``slow=False`` if it has one, else None (skipped)."""
    parameters = inspect.signature(module.measure).parameters
    if "slow" in parameters:
        return module.measure(runs, slow=slow)
    if not slow and module.__name__.removeprefix("bench_") in SLOW_OPTIONAL:
        return None
    return module.measure(runs)


def target_bound(target: Any) -> float | None:
    """A target as an upper bound: a number, or text such as ``"< 60"`` / ``"60 s"``; None: none."""
    if target is None:
        return None
    if isinstance(target, (int, float)):
        return float(target)
    text = str(target).strip().lstrip("<").strip()
    number = text.split()[0] if text else ""
    try:
        return float(number)
    except ValueError:
        return None


def verdict(figure: dict[str, Any]) -> str:
    bound = target_bound(figure.get("target"))
    if bound is None:
        return "report"
    return "yes" if statistics.median(figure["values"]) < bound else "no"


def _number(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"


def rows(figures: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    table = []
    for figure in figures:
        values, unit = figure["values"], figure.get("unit", "")
        bound = target_bound(figure.get("target"))
        table.append(
            (
                figure["figure"],
                f"{_number(statistics.median(values))} {unit}".strip(),
                f"{_number(min(values))}-{_number(max(values))}",
                str(len(values)),
                f"< {_number(bound)} {unit}".strip() if bound is not None else "-",
                verdict(figure),
            )
        )
    return table


HEADER = ("figure", "median", "spread (min-max)", "runs", "target", "met")


def render_text(figures: list[dict[str, Any]]) -> str:
    table = [HEADER, *rows(figures)]
    widths = [max(len(row[column]) for row in table) for column in range(len(HEADER))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in table
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    notes = [f"  {figure['figure']}: {figure['note']}" for figure in figures if figure.get("note")]
    return "\n".join([*lines, "notes:", *notes]) + "\n"


def render_markdown(figures: list[dict[str, Any]]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row) + " |" for row in rows(figures)]
    return "\n".join(lines) + "\n"


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor() or model
    return f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}, {platform.system()}"


def _load_average() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "n/a"


def _write_whole(path: str | Path, content: str | bytes) -> None:
    """:func:`components.whole_file.write_whole`: a failed or interrupted write leaves the old
    figures document whole. Imported here, when the figures are written (a script of its own
    folder: the checkout's root is on the path only once it is put there)."""
    if str(BENCH.parent) not in sys.path:
        sys.path.insert(0, str(BENCH.parent))
    from components.whole_file import write_whole

    write_whole(path, content)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (at least 3 for a spread)")
    parser.add_argument("--quick", action="store_true", help="skip the slow figures (minutes each)")
    parser.add_argument("--json", type=Path, help="also write every figure's values to this file")
    parser.add_argument("--markdown", action="store_true", help="also print the table as Markdown")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)

    started = datetime.datetime.now(datetime.UTC)
    load_before = _load_average()
    try:
        import plan_bench  # run as a script: bench/ is on the path
    except ImportError:
        from bench import plan_bench

    figures = plan_bench.measure(args.runs, slow=not args.quick)
    skipped = []
    for name in OPTIONAL:
        module = _load(name)
        if module is None:
            continue
        measured = _measure(module, args.runs, slow=not args.quick)
        if measured is None:
            skipped.append(name)
        else:
            figures += measured

    print(f"{started:%Y-%m-%d %H:%M} UTC, {machine()}")
    print(f"load average (1/5/15 min) before {load_before}, after {_load_average()}\n")
    print(render_text(figures), end="")
    if skipped:
        print(f"skipped with --quick: {', '.join(f'bench/{name}.py' for name in skipped)}")
    if args.quick:
        print("--quick: slow figures not measured")
    if args.markdown:
        print()
        print(render_markdown(figures), end="")
    if args.json:
        document = {"date": f"{started:%Y-%m-%dT%H:%MZ}", "machine": machine(), "figures": figures}
        _write_whole(args.json, json.dumps(document, indent=2) + "\n")
    missed = [figure["figure"] for figure in figures if verdict(figure) == "no"]
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
