"""Benchmark of `make test`: the lint, the pytest run and the whole target, per run.

Runs exactly what `make test` runs (the Makefile's recipe, through make) and reports wall time
per run plus the CPU time of all child processes (a fairer figure on a loaded machine). The
pytest figure is pytest's own "in N s" from its summary line; lint is the rest.

The suite records each stack document once per version of the code (tests/recorded.py keeps the
graphs in .cache/recorded-stacks/). So the first run after a code change records every document
and later runs record none. Each of the ``runs`` rounds is a run that starts without that cache
("first run of the code": every recording and computed_once result made again) and then one that
finds it filled (the everyday case), so both figures have their spread under the same load.

    python bench/suite_bench.py            # 3 rounds (6 runs of make test), a table
    python bench/suite_bench.py --runs 1 --json

Target (issue 18): `make test` under 60 s on a quiet 2-core machine. Timing is measured here,
never asserted in tests. `measure(runs)` is what `make bench`'s table reads.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 60.0
SUMMARY = re.compile(r"\b(\d+) passed\b.* in ([0-9.]+)s")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _one_run(*, record_again: bool = False) -> dict[str, float]:
    if record_again:
        shutil.rmtree(REPO / ".cache" / "recorded-stacks", ignore_errors=True)
    cpu_before, started = _children_cpu(), time.perf_counter()
    result = subprocess.run(["make", "test"], cwd=REPO, capture_output=True, text=True, check=False)
    wall, cpu = time.perf_counter() - started, _children_cpu() - cpu_before
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit(f"make test failed (exit {result.returncode}): nothing to measure")
    found = SUMMARY.findall(result.stdout)
    if not found:
        raise SystemExit("make test printed no pytest summary line")
    passed, pytest_seconds = int(found[-1][0]), float(found[-1][1])
    return {
        "total": wall,
        "pytest": pytest_seconds,
        "lint": wall - pytest_seconds,
        "cpu": cpu,
        "tests": passed,
    }


def measure(runs: int = 3) -> list[dict[str, Any]]:
    """`make test` ``runs`` times from an empty cache and ``runs`` times with it filled, alternating:
    one row per figure, one value per run."""
    firsts: list[dict[str, float]] = []
    results: list[dict[str, float]] = []
    for _ in range(runs):
        firsts.append(_one_run(record_again=True))
        results.append(_one_run())
    load = os.getloadavg()[0]
    note = f"{os.cpu_count()} CPUs, load {load:.1f} at the end; {results[-1]['tests']:.0f} tests"
    return [
        {
            "figure": "make test (lint + pytest)",
            "unit": "s",
            "values": [r["total"] for r in results],
            "target": TARGET_SECONDS,
            "note": f"{note}; recorded graphs cached by an earlier run of the same code",
        },
        {
            "figure": "make test, first run of the code",
            "unit": "s",
            "values": [r["total"] for r in firsts],
            "target": TARGET_SECONDS,
            "note": "every stack document recorded, every computed_once result made (as after a change)",
        },
        {
            "figure": "make test, first run: CPU time",
            "unit": "s",
            "values": [r["cpu"] for r in firsts],
            "target": None,
            "note": "user + system of every process it ran",
        },
        {
            "figure": "make test: pytest -n auto",
            "unit": "s",
            "values": [r["pytest"] for r in results],
            "target": None,
            "note": "pytest's own figure (after start-up and collection in the workers)",
        },
        {
            "figure": "make test: lint and start-up",
            "unit": "s",
            "values": [r["lint"] for r in results],
            "target": None,
            "note": "ruff check, ruff format --check, make and pytest start-up",
        },
        {
            "figure": "make test: CPU time",
            "unit": "s",
            "values": [r["cpu"] for r in results],
            "target": None,
            "note": "user + system of every process it ran",
        },
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)
    rows = measure(args.runs)
    try:
        from run import render_text  # run as a script: bench/ is on the path
    except ImportError:
        from bench.run import render_text
    print(json.dumps(rows, indent=2) if args.json else render_text(rows), end="\n" if args.json else "")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
