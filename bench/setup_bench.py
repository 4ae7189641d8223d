"""Benchmark of set-up: a fresh clone to its first offline plan, with a warm uv package cache.

Each run clones this repository's committed HEAD into a temporary folder (`git clone`, no
`.venv`), then times what a newcomer runs: `bin/bootstrap` (uv sync --locked from uv's cache) and
the first `make plan` (STACK=dev), then a second `make plan` (every import now cached). The clone
is removed afterwards. uv's cache must already hold the locked packages (any earlier `make
bootstrap` on this machine fills it); nothing else is shared with this checkout.

    python bench/setup_bench.py            # 3 runs, a table
    python bench/setup_bench.py --runs 1 --json

Target (issue 18): fresh clone to first plan under 60 s with a warm package cache. Timing is
measured here, never asserted in tests. `measure(runs)` is what `make bench`'s table reads.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 60.0
# What would point uv or Python at another environment than the clone's own .venv.
_FOREIGN = ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "PYTHONPATH", "PYTHONPYCACHEPREFIX")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (every process the command ran) of ``command``."""
    cpu, started = _children_cpu(), time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed, cpu = time.perf_counter() - started, _children_cpu() - cpu
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-3000:] + result.stderr[-3000:])
        raise SystemExit(f"{' '.join(command)} failed in {cwd} (exit {result.returncode})")
    return elapsed, cpu


def _one_run() -> dict[str, tuple[float, float]]:
    env = {name: value for name, value in os.environ.items() if name not in _FOREIGN}
    folder = Path(tempfile.mkdtemp(prefix="setup-bench-"))
    try:
        clone = folder / "clone"
        cloned = _timed(["git", "clone", "--quiet", str(REPO), str(clone)], folder, env)
        synced = _timed(["bin/bootstrap"], clone, env)
        first = _timed(["make", "plan", "STACK=dev"], clone, env)
        second = _timed(["make", "plan", "STACK=dev"], clone, env)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {"clone": cloned, "sync": synced, "first_plan": first, "second_plan": second}


def _cpu(results: list[dict[str, tuple[float, float]]], *steps: str) -> str:
    return f"CPU {statistics.median(sum(r[step][1] for step in steps) for r in results):.0f} s"


def measure(runs: int = 3) -> list[dict[str, Any]]:
    """Fresh clone to first plan ``runs`` times: one row per figure, one value per run."""
    results = [_one_run() for _ in range(runs)]
    load = os.getloadavg()[0]
    return [
        {
            "figure": "fresh clone to first plan",
            "unit": "s",
            "values": [sum(r[step][0] for step in ("clone", "sync", "first_plan")) for r in results],
            "target": TARGET_SECONDS,
            "note": f"git clone + bin/bootstrap + make plan STACK=dev; {os.cpu_count()} CPUs, load "
            f"{load:.1f}; {_cpu(results, 'clone', 'sync', 'first_plan')}",
        },
        {
            "figure": "set-up: uv sync --locked",
            "unit": "s",
            "values": [r["sync"][0] for r in results],
            "target": None,
            "note": f"bin/bootstrap from uv's warm cache; {_cpu(results, 'sync')}",
        },
        {
            "figure": "set-up: first make plan",
            "unit": "s",
            "values": [r["first_plan"][0] for r in results],
            "target": None,
            "note": "compiles what it imports, builds the pipeline definitions (empty caches); "
            f"{_cpu(results, 'first_plan')}",
        },
        {
            "figure": "set-up: second make plan",
            "unit": "s",
            "values": [r["second_plan"][0] for r in results],
            "target": None,
            "note": f"imports from cached bytecode, definitions cached; {_cpu(results, 'second_plan')}",
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
