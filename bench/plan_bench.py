"""Benchmark of the offline plan: wall time and peak memory per stack file.

Each stack is planned in a fresh Python process (as `make plan` does). The first run of a stack
starts with an empty pipeline-definition cache (it pays the SageMaker SDK import once: "cold");
then ``--repeat`` runs reuse that cache ("warm"), as every later plan in a checkout does. The
table reports the cold plan time and the medians of the warm runs: import time, plan time (record
the program + evaluate the policy pack), the whole process's wall time, and peak resident memory.

    python bench/plan_bench.py                      # the shipped stacks
    python bench/plan_bench.py --repeat 5 stacks/Pulumi.prod.yaml

Targets (issue 2): the plan itself under 3 s for each shipped stack (warm). Timing is measured
here, never asserted in tests.
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
SHIPPED = [REPO / "stacks" / f"Pulumi.{stack}.yaml" for stack in ("dev", "staging", "prod")]
PLAN_TARGET_SECONDS = 3.0


def _child(path: str) -> None:
    """Runs inside the measured process: time the imports, then the plan itself."""
    started = time.perf_counter()
    from planner.__main__ import build_plan

    imported = time.perf_counter()
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("stack_files", nargs="*", type=Path, default=SHIPPED)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child)
        return 0

    header = f"{'stack file':<28} {'resources':>9} {'cold plan':>10} {'imports':>8} {'plan':>7} {'wall':>7} {'peak MiB':>9}"
    print(f"{header}  target (warm plan)")
    over = 0
    for path in args.stack_files:
        with tempfile.TemporaryDirectory(prefix="definition-cache-") as definition_cache:
            cold = _measure(path, definition_cache)
            runs = [_measure(path, definition_cache) for _ in range(args.repeat)]
        median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        verdict = "ok" if median["plan_s"] < PLAN_TARGET_SECONDS else f"OVER {PLAN_TARGET_SECONDS:.0f} s"
        over += verdict != "ok"
        name = path.relative_to(REPO) if path.is_relative_to(REPO) else path
        print(
            f"{name!s:<28} {median['resources']:>9.0f} {cold['plan_s']:>9.2f}s {median['imports_s']:>7.2f}s "
            f"{median['plan_s']:>6.2f}s {median['wall_s']:>6.2f}s {median['peak_mib']:>9.0f}  {verdict}"
        )
    print(
        f"cold = first plan with an empty definition cache; the other columns are medians of {args.repeat} "
        "warm fresh processes; plan = record the program + evaluate the policy pack"
    )
    return 1 if over else 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
