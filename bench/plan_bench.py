"""Benchmark of the offline plan: wall time and peak memory per stack file, and how it scales.

Each stack is planned in a fresh Python process (as `make plan` does). The first run of a stack
starts with an empty pipeline-definition cache (it pays the SageMaker SDK import once: "cold");
then ``--repeat`` runs reuse that cache ("warm"), as every later plan in a checkout does. The
table reports the cold plan time and the medians of the warm runs: import time, plan time (record
the program + evaluate the policy pack), the whole process's wall time, and peak resident memory.

The second table plans synthetic prod stacks: the reference prod stack
(``tests/fixtures/stacks/Pulumi.prod.yaml``, the sample as shipped) with its endpoint
copied N times under distinct names (each copy brings its autoscaling, alarms and, because prod
captures data, its monitoring). It prints the least-squares slope of the plan time per endpoint
and says whether growth is linear, so an accidental quadratic (a scan of the whole graph per
resource) shows up long before a team has fifty endpoints.

    python bench/plan_bench.py                      # the shipped stacks, then 1/10/25/50 endpoints
    python bench/plan_bench.py --repeat 5 stacks/Pulumi.prod.yaml --endpoints ''
    python bench/plan_bench.py --no-shipped --endpoints 1,50

Targets (issues 2 and 9): the plan under 3 s for each shipped stack (warm), under 10 s for 50
endpoints. Timing is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHIPPED = sorted((REPO / "stacks").glob("Pulumi.*.yaml"))
"""Every sample stack file, whatever a team named or added."""
PLAN_TARGET_SECONDS = 3.0
SCALE_TARGET_SECONDS = 10.0
SCALE_TARGET_ENDPOINTS = 50
# Growth counts as linear when the marginal cost of an endpoint over the last step of the series
# is at most this multiple of the fitted slope (a quadratic term makes it climb with N).
LINEARITY_TOLERANCE = 1.5


def _child(path: str) -> None:
    """Runs inside the measured process: time the imports, then the plan itself."""
    started = time.perf_counter()
    from planner.__main__ import build_plan, exit_now, prepare_one_shot_process

    imported = time.perf_counter()
    prepare_one_shot_process()  # as `python -m planner` does
    plan = build_plan(path)
    planned = time.perf_counter()
    print(
        json.dumps(
            {
                "imports_s": imported - started,
                "plan_s": planned - imported,
                "resources": len(plan.graph.cloud_resources),
                "violations": len(plan.violations),
            }
        )
    )
    exit_now(0)


def _measure(path: Path, definition_cache: str) -> dict[str, float]:
    started = time.perf_counter()
    environment = {**os.environ, "MLOPS_DEFINITION_CACHE": definition_cache}
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", str(path)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        env=environment,
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"planning {path} failed")
    result = json.loads(output.strip().splitlines()[-1])
    return {**result, "wall_s": wall, "peak_mib": usage.ru_maxrss / 1024}


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def _display(path: Path) -> str:
    return str(path.relative_to(REPO) if path.is_relative_to(REPO) else path)


def bench_shipped(stack_files: list[Path], repeat: int) -> int:
    """Cold and warm plan of each stack file; returns how many miss the target."""
    header = f"{'stack file':<28} {'resources':>9} {'cold plan':>10} {'imports':>8} {'plan':>7} {'wall':>7} {'peak MiB':>9}"
    print(f"{header}  target (warm plan)")
    over = 0
    for path in stack_files:
        with tempfile.TemporaryDirectory(prefix="definition-cache-") as definition_cache:
            cold = _measure(path, definition_cache)
            median = _median([_measure(path, definition_cache) for _ in range(repeat)])
        verdict = "ok" if median["plan_s"] < PLAN_TARGET_SECONDS else f"OVER {PLAN_TARGET_SECONDS:.0f} s"
        over += verdict != "ok"
        print(
            f"{_display(path):<28} {median['resources']:>9.0f} {cold['plan_s']:>9.2f}s {median['imports_s']:>7.2f}s "
            f"{median['plan_s']:>6.2f}s {median['wall_s']:>6.2f}s {median['peak_mib']:>9.0f}  {verdict}"
        )
    print(
        f"cold = first plan with an empty definition cache; the other columns are medians of {repeat} "
        "warm fresh processes; plan = record the program + evaluate the policy pack"
    )
    return over


def synthetic_stack_text(base: Path, endpoints: int) -> str:
    """``base`` (a prod stack file) with its first endpoint copied ``endpoints`` times, distinct names."""
    import yaml

    document = yaml.safe_load(base.read_text())
    platform = document["config"]["mlops-platform:platform"]
    [template, *_] = platform["endpoints"]
    platform["endpoints"] = [
        {**template, "name": f"{template['name']}-{index:02d}"} for index in range(endpoints)
    ]
    return yaml.safe_dump(document, sort_keys=False)


def least_squares(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Slope and intercept of the least-squares line through the points."""
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    return slope, mean_y - slope * mean_x


def is_linear(xs: list[float], ys: list[float], slope: float) -> bool:
    """Linear when the last step's marginal cost per endpoint stays near the fitted slope."""
    if len(xs) < 3 or slope <= 0:
        return True
    last_step = (ys[-1] - ys[-2]) / (xs[-1] - xs[-2])
    return last_step <= LINEARITY_TOLERANCE * slope


def bench_synthetic(base: Path, counts: list[int], repeat: int) -> int:
    """Plan ``base`` with 1..N endpoints (warm cache); returns 1 when a target is missed."""
    print(f"\nSynthetic prod stacks ({_display(base)} with N copies of its endpoint + their monitoring)")
    print(f"{'endpoints':>9} {'resources':>9} {'plan':>7} {'wall':>7} {'peak MiB':>9}  per resource")
    points: list[tuple[int, dict[str, float]]] = []
    with (
        tempfile.TemporaryDirectory(prefix="synthetic-stacks-") as directory,
        tempfile.TemporaryDirectory(prefix="definition-cache-") as definition_cache,
    ):
        for count in counts:
            path = Path(directory) / f"Pulumi.prod-{count}ep.yaml"
            path.write_text(synthetic_stack_text(base, count))
            if not points:
                _measure(path, definition_cache)  # warm the definition cache (shared by every N)
            median = _median([_measure(path, definition_cache) for _ in range(repeat)])
            points.append((count, median))
            print(
                f"{count:>9} {median['resources']:>9.0f} {median['plan_s']:>6.2f}s {median['wall_s']:>6.2f}s "
                f"{median['peak_mib']:>9.0f}  {1000 * median['plan_s'] / median['resources']:>5.1f} ms"
            )
    if len(points) < 2:
        return 0
    xs = [float(count) for count, _ in points]
    plan_times = [median["plan_s"] for _, median in points]
    slope, intercept = least_squares(xs, plan_times)
    resource_slope, _ = least_squares(xs, [median["resources"] for _, median in points])
    memory_slope, _ = least_squares(xs, [median["peak_mib"] for _, median in points])
    linear = is_linear(xs, plan_times, slope)
    print(
        f"least squares: plan ≈ {intercept:.2f} s + {slope * 1000:.0f} ms x endpoints "
        f"({resource_slope:.1f} resources and {memory_slope:.1f} MiB per endpoint); growth "
        + ("is linear" if linear else f"is NOT linear (last step costs > {LINEARITY_TOLERANCE}x the slope)")
    )
    missed = 0 if linear else 1
    largest, at_largest = points[-1]
    if largest >= SCALE_TARGET_ENDPOINTS and at_largest["plan_s"] >= SCALE_TARGET_SECONDS:
        print(
            f"OVER target: {largest} endpoints plan in {at_largest['plan_s']:.2f} s (target {SCALE_TARGET_SECONDS:.0f} s)"
        )
        missed = 1
    return missed


def _counts(text: str) -> list[int]:
    return sorted({int(part) for part in text.split(",") if part.strip()})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("stack_files", nargs="*", type=Path, default=SHIPPED)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--endpoints", type=_counts, default=[1, 10, 25, 50], help="synthetic endpoint counts ('' to skip)"
    )
    # The reference prod stack (the sample as shipped): the scale series must not depend on edits.
    parser.add_argument(
        "--base", type=Path, default=REPO / "tests" / "fixtures" / "stacks" / "Pulumi.prod.yaml"
    )
    parser.add_argument("--no-shipped", action="store_true", help="only the synthetic stacks")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child)
        return 0

    over = 0 if args.no_shipped else bench_shipped(args.stack_files, args.repeat)
    if args.endpoints:
        over += bench_synthetic(args.base, args.endpoints, args.repeat)
    return 1 if over else 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
