"""Benchmark of the worst malformed stack files: how long until the error, and how much memory.

Each case is a hostile or broken variant of the reference dev stack
(``tests/fixtures/stacks/Pulumi.dev.yaml``): a YAML alias bomb, a 5 MB file of 60,000 tags,
thousands of nested brackets, the largest file the size limit still lets through, a value just
under the values limit... Each runs in a fresh Python process, which reads and validates the file
exactly as every CLI does (``read_stack_file`` + ``offline_platform_config``), and reports the time
to the error (imports excluded) and the process's peak resident memory. A second column times the
real ``python -m planner --config`` end to end (with its imports), and checks it exits 2.

    python bench/malformed_bench.py                 # every case
    python bench/malformed_bench.py --repeat 3 --no-planner

Target (issue 15): each error within 2 s, never a hang or a memory blow-up. Timing is measured
here, never asserted in tests (tests/stacks/test_malformed_stack_files.py checks the messages).
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
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BASE = REPO / "tests" / "fixtures" / "stacks" / "Pulumi.dev.yaml"
TARGET_SECONDS = 2.0
TAGS = "    tags:\n"
CIDR = "      cidr: 10.20.0.0/16\n"
OWNER = "      owner: ml-platform-team\n"


def _after(line: str, extra: str) -> Callable[[str], str]:
    return lambda text: text.replace(line, line + extra, 1)


def _alias_bomb(indent: str, levels: int) -> str:
    lines = [f"{indent}bomb0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"{indent}bomb{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]" for n in range(1, levels)]
    return "\n".join(lines) + "\n"


def _tags(count: int, width: int = 70) -> str:
    return "".join(f"      t{n}: {'v' * width}\n" for n in range(count))


def _largest_accepted_tags(text: str) -> str:
    """As many tags as fit under the 1 MiB limit: the most a file can make the parser construct."""
    from stacks.input_limits import MAX_STACK_FILE_BYTES

    line = len(_tags(1).encode())
    room = MAX_STACK_FILE_BYTES - len(text.encode()) - 64
    return _after(TAGS, _tags(room // (line + 4)))(text)


CASES: dict[str, Callable[[str], str]] = {
    "alias bomb (10 levels, 10^10 values)": _after(TAGS, _alias_bomb("      ", 10)),
    "alias bomb (30 levels, 10^30 values)": _after(TAGS, _alias_bomb("      ", 30)),
    "5 MB file: 60,000 tags": _after(TAGS, _tags(60_000)),
    "nesting: 100,000 flow brackets": lambda text: text.replace(
        CIDR, f"      cidr: {'[' * 100_000}{']' * 100_000}\n", 1
    ),
    "nesting: 200 block maps": lambda text: text.replace(
        OWNER,
        "      owner:\n" + "".join(" " * (8 + 2 * n) + f"k{n}:\n" for n in range(200)) + " " * 408 + "x\n",
        1,
    ),
    "recursive alias": lambda text: text.replace(CIDR, "      cidr: &r [1, *r]\n", 1),
    "largest accepted file: 1 MiB of tags": _largest_accepted_tags,
    "one 1,000,000-character value": lambda text: text.replace(OWNER, f"      owner: {'o' * 1_000_000}\n", 1),
    "49,000-item list (just under the values limit)": lambda text: text.replace(
        CIDR, CIDR + "      additional_interface_endpoints: [" + ", ".join(["kms"] * 49_000) + "]\n", 1
    ),
    "250,000-item list (over the values limit)": lambda text: text.replace(
        CIDR, CIDR + "      additional_interface_endpoints: [" + ", ".join(["a"] * 250_000) + "]\n", 1
    ),
}


def _child(path: str) -> None:
    """Runs inside the measured process: read and validate, report the time to the error."""
    from stacks.config import ConfigError
    from stacks.stack_file import offline_platform_config, read_stack_file

    started = time.perf_counter()
    try:
        offline_platform_config(read_stack_file(path))
        outcome, size = "accepted", 0
    except ConfigError as error:
        outcome, size = "ConfigError", len(str(error))
    elapsed = time.perf_counter() - started
    print(json.dumps({"seconds": elapsed, "outcome": outcome, "message_chars": size}))


def _measure(path: Path) -> dict[str, float | str]:
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", str(path)], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        return {
            "seconds": float("nan"),
            "outcome": "CRASHED",
            "message_chars": 0,
            "peak_mib": usage.ru_maxrss / 1024,
        }
    return {**json.loads(output.strip().splitlines()[-1]), "peak_mib": usage.ru_maxrss / 1024}


def _planner(path: Path) -> tuple[float, int]:
    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "planner", "--config", str(path)], cwd=REPO, capture_output=True, check=False
    )
    return time.perf_counter() - started, run.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per case (the median is shown)")
    parser.add_argument("--no-planner", action="store_true", help="skip the end-to-end planner runs")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child)
        return 0

    base = BASE.read_text()
    print(
        f"Malformed stack files ({BASE.relative_to(REPO)} mutated): time to the error, target < {TARGET_SECONDS:.0f} s"
    )
    print(
        f"{'case':<48} {'file':>9} {'to error':>9} {'peak MiB':>9} {'message':>8}  {'planner (exit)':>14}  verdict"
    )
    missed = 0
    worst = 0.0
    with tempfile.TemporaryDirectory(prefix="malformed-") as directory:
        for name, mutate in CASES.items():
            path = Path(directory) / "Pulumi.dev.yaml"
            path.write_text(mutate(base))
            runs = [_measure(path) for _ in range(args.repeat)]
            seconds = statistics.median(float(run["seconds"]) for run in runs)
            peak = max(float(run["peak_mib"]) for run in runs)
            outcome = str(runs[0]["outcome"])
            planner = ""
            exit_ok = True
            if not args.no_planner:
                planner_seconds, code = _planner(path)
                planner = f"{planner_seconds:.2f}s ({code})"
                exit_ok = code == 2
            ok = outcome == "ConfigError" and seconds < TARGET_SECONDS and exit_ok
            missed += not ok
            worst = max(worst, seconds)
            verdict = (
                "ok" if ok else (outcome if outcome != "ConfigError" else f"OVER {TARGET_SECONDS:.0f} s")
            )
            size = path.stat().st_size
            print(
                f"{name:<48} {size / 1024:>7.0f}Ki {seconds:>8.3f}s {peak:>9.0f} {runs[0]['message_chars']:>8}  "
                f"{planner:>14}  {verdict}"
            )
    print(
        f"worst: {worst:.3f} s to the error (target {TARGET_SECONDS:.0f} s); 'to error' excludes imports, "
        "'planner' is the whole `python -m planner --config` process, which must exit 2"
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
