"""Benchmark of the offline plan: wall time and peak memory per stack file, and how it scales.

Each stack is planned in a fresh Python process (as `make plan` does). The first run of a stack
starts with an empty pipeline-definition cache (it pays the SageMaker SDK import once: "cold");
then ``--repeat`` runs reuse that cache ("warm"), as every later plan in a checkout does. The
table reports the cold plan time and the medians of the warm runs: import time (reading and
validating the stack file, then importing Pulumi, the recorder and the program's modules, as
`python -m planner` does before it plans; until 2026-12-03 the program's modules counted in the
plan), plan time (record the program + evaluate the policy pack), the whole process's wall time,
and peak resident memory.

The second table plans synthetic prod stacks: the reference prod stack
(``tests/fixtures/stacks/Pulumi.prod.yaml``, the sample as shipped) with its model family copied
into N/10 families under distinct names (each with its training and batch-scoring pipelines) and
its endpoint copied N times, spread over the families (each copy brings its autoscaling, alarms
and, because prod captures data, its monitoring). It prints the least-squares slope of the plan
time per endpoint and per resource and says whether growth is linear, so an accidental quadratic
(a scan of the whole graph per resource) shows up long before a team has two hundred endpoints.

    python bench/plan_bench.py                      # the shipped stacks, then 10/50/100/200 endpoints
    python bench/plan_bench.py --repeat 5 stacks/Pulumi.prod.yaml --endpoints ''
    python bench/plan_bench.py --no-shipped --endpoints 10,200

:func:`measure` gives the figures `make bench` (``bench/run.py``) compares with the targets of
issue 18: the reference prod plan warm (< 1.5 s) and cold (< 3 s: a fresh copy of the checkout
with no ``__pycache__`` and an empty pipeline-definition cache, as in a fresh CI job), and 200
endpoints across 20 families (< 15 s, linear; ms per resource and peak memory reported), and two
SDK floors: the CPU per plain resource, and a fresh process that registers what the warm prod plan
registers without any of the platform. Timing is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SHIPPED = sorted((REPO / "stacks").glob("Pulumi.*.yaml"))
"""Every sample stack file, whatever a team named or added."""
REFERENCE_PROD = REPO / "tests" / "fixtures" / "stacks" / "Pulumi.prod.yaml"
"""The scale series and :func:`measure` plan this one: the sample stacks are the users' to edit."""
WARM_TARGET_SECONDS = 1.5
COLD_TARGET_SECONDS = 3.0
SCALE_TARGET_SECONDS = 15.0
SCALE_TARGET_ENDPOINTS = 200
ENDPOINTS_PER_FAMILY = 10
SCALE_SERIES = (10, 50, 100, 200)
# Growth counts as linear when the marginal cost of an endpoint over the last step of the series
# is at most this multiple of the fitted slope (a quadratic term makes it climb with N).
LINEARITY_TOLERANCE = 1.5


def _child(path: str) -> None:
    """Runs inside the measured process: time the imports, then the plan itself."""
    started = time.perf_counter()
    from planner.__main__ import plan_once
    from planner.process import exit_now

    # As `python -m planner` does: (cold) the composer forked, the stack file read and validated,
    # what the plan needs imported ("imports" ends there: the program's modules too), and the plan
    # with its collector settings.
    marks: list[tuple[float, float]] = []
    plan = plan_once(path, imported=lambda: marks.append((time.perf_counter(), time.process_time())))
    planned = time.perf_counter()
    [(imported, cpu_before)] = marks
    plan_cpu = time.process_time() - cpu_before
    print(
        json.dumps(
            {
                "imports_s": imported - started,
                "plan_s": planned - imported,
                "plan_cpu_s": plan_cpu,
                "resources": len(plan.graph.cloud_resources),
                "components": len(plan.graph.components),
                "violations": len(plan.violations),
            }
        )
    )
    exit_now(0)


FLOOR_RESOURCES = 500


def floor_program(count: int, components: int = 0) -> Any:
    """A Pulumi program of ``count`` plain CloudWatch alarms (ten inputs each, no apply) and
    ``components`` empty component resources: what registering and recording costs the real SDK's
    mock path, with nothing of the platform's own code around it."""
    import pulumi
    import pulumi_aws as aws

    def program() -> None:
        for index in range(components):
            pulumi.ComponentResource("bench:floor:Group", f"group-{index}").register_outputs({})
        for index in range(count):
            aws.cloudwatch.MetricAlarm(
                f"floor-{index}",
                name=f"floor-{index}",
                comparison_operator="GreaterThanThreshold",
                evaluation_periods=1,
                metric_name="Invocations",
                namespace="AWS/SageMaker",
                period=60,
                statistic="Sum",
                threshold=1.0,
                alarm_actions=["arn:aws:sns:eu-west-1:123456789012:alerts"],
                tags={"owner": "bench"},
            )

    return program


def _floor_child(count: int) -> None:
    """Runs inside the measured process: CPU per resource of :func:`floor_program` (after a
    small warm-up recording, so imports and first-use caches are not counted), with the
    collector settings of a plan (:func:`_child`)."""
    from planner.process import prepare_one_shot_process
    from planner.recorder import record_program

    record_program(floor_program(20))
    prepare_one_shot_process()
    started = time.process_time()
    graph = record_program(floor_program(count))
    cpu = time.process_time() - started
    print(json.dumps({"ms_per_resource": 1000 * cpu / len(graph.cloud_resources)}))


def _process_floor_child(count: int, components: int) -> None:
    """Runs inside the measured process: the recorder's imports (the Pulumi SDK and its mocks, no
    configuration model, no component package), then ``count`` plain resources and ``components``
    empty components through the SDK's mock path, with a plan's process settings and exit
    (:func:`_child`)."""
    from planner.process import exit_now, prepare_one_shot_process
    from planner.recorder import record_program

    prepare_one_shot_process()
    graph = record_program(floor_program(count, components))
    print(json.dumps({"resources": len(graph.cloud_resources), "components": len(graph.components)}))
    exit_now(0)


def _floor_process(flag: str, counts: list[int], what: str) -> tuple[dict[str, Any], float]:
    """Run this script's ``flag`` child with ``counts`` in a fresh process (byte-code written
    and kept, as a user's checkout does): its JSON report and the process's wall time."""
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    started = time.perf_counter()
    process = subprocess.run(
        [sys.executable, str(REPO / "bench" / "plan_bench.py"), flag, *map(str, counts)],
        cwd=REPO,
        check=False,
        stdout=subprocess.PIPE,
        text=True,
        env=environment,
    )
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"the {what} recording failed (exit {process.returncode})")
    return json.loads(process.stdout.strip().splitlines()[-1]), wall


def measure_process_floor(runs: int, resources: int, components: int) -> list[dict[str, Any]]:
    """What a fresh process that registers as much as a plan (``resources`` plain resources and
    ``components`` empty components) takes in the real SDK's mock path: the interpreter, the
    Pulumi SDK, the recorder and its mocks, and the registrations; no configuration model,
    component package, composition or policy. One unmeasured run first writes the byte-code."""
    expected = {"resources": resources, "components": components}
    walls = []
    for _ in range(runs + 1):
        report, wall = _floor_process("--process-floor-child", [resources, components], "process floor")
        if report != expected:
            raise SystemExit(f"the process floor recorded {report}, not {expected}")
        walls.append(wall)
    values = walls[1:]  # the first run wrote the byte-code
    return [
        _figure(
            "SDK floor, a process of the prod plan's size",
            "s",
            values,
            None,
            f"wall time of a fresh process that imports the SDK and the recorder (not the platform) and "
            f"registers {resources} plain CloudWatch alarms and {components} empty components, the warm "
            "prod plan's counts",
        )
    ]


def measure_floor(runs: int) -> list[dict[str, Any]]:
    """The Pulumi SDK's own cost per resource (:func:`floor_program`), one fresh process per run."""
    values = [
        _floor_process("--floor-child", [FLOOR_RESOURCES], "SDK floor")[0]["ms_per_resource"]
        for _ in range(runs)
    ]
    return [
        _figure(
            "SDK floor per resource",
            "ms",
            values,
            None,
            f"CPU to register and record one plain resource through the real Pulumi SDK's mock path "
            f"({FLOOR_RESOURCES} CloudWatch alarms, no component code, no policies): no plan costs "
            "less per resource",
        )
    ]


def _measure(path: Path, definition_cache: str, checkout: Path = REPO) -> dict[str, float]:
    """Plan ``path`` in a fresh process run from ``checkout``: its wall time, CPU time (user +
    system, what other jobs on the machine cannot inflate much) and peak resident memory."""
    started = time.perf_counter()
    environment = {**os.environ, "MLOPS_DEFINITION_CACHE": definition_cache}
    environment.pop("PYTHONDONTWRITEBYTECODE", None)  # a checkout keeps its byte-code, as a user's does
    process = subprocess.Popen(
        [sys.executable, str(checkout / "bench" / "plan_bench.py"), "--child", str(path)],
        cwd=checkout,
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
    cpu = usage.ru_utime + usage.ru_stime
    return {**result, "wall_s": wall, "cpu_s": cpu, "peak_mib": usage.ru_maxrss / 1024}


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def _display(path: Path) -> str:
    return str(path.relative_to(REPO) if path.is_relative_to(REPO) else path)


def bench_shipped(stack_files: list[Path], repeat: int) -> int:
    """Cold and warm plan of each stack file; returns how many miss the target."""
    header = f"{'stack file':<28} {'resources':>9} {'cold plan':>10} {'imports':>8} {'plan':>7} {'wall':>7} {'peak MiB':>9}"
    print(f"{header}  target (warm wall)")
    over = 0
    for path in stack_files:
        with tempfile.TemporaryDirectory(prefix="definition-cache-") as definition_cache:
            cold = _measure(path, definition_cache)
            median = _median([_measure(path, definition_cache) for _ in range(repeat)])
        verdict = "ok" if median["wall_s"] < WARM_TARGET_SECONDS else f"OVER {WARM_TARGET_SECONDS} s"
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


def families_for(endpoints: int) -> int:
    """The scale series' families: one per :data:`ENDPOINTS_PER_FAMILY` endpoints (at least one)."""
    return max(1, endpoints // ENDPOINTS_PER_FAMILY)


def synthetic_stack_text(base: Path, endpoints: int, families: int = 1) -> str:
    """``base`` (a prod stack file) with its first endpoint copied ``endpoints`` times and, when
    ``families`` > 1, the model family that endpoint serves copied ``families`` times (each copy
    with its own training and batch-scoring pipelines), the endpoints spread round-robin over them.
    Every copy has a distinct name."""
    if str(REPO) not in sys.path:  # run as bench/run.py, a script of its own folder: not on the path
        sys.path.insert(0, str(REPO))
    from stacks.engine_yaml import config_key
    from stacks.project import CONFIG_KEY, PROJECT
    from stacks.stack_file import dump_stack_document, load_yaml

    # Read and written as Pulumi's engine reads them: YAML 1.1's safe_load/safe_dump read `yes` as
    # true and write text such as an account ID 012345678901 unquoted (the number 12345678901).
    document = load_yaml(base.read_text(), str(base))
    # The key as written: `platform`, `mlops-platform:config:platform` are the same key to Pulumi.
    [written] = [key for key in document["config"] if config_key(key, PROJECT) == CONFIG_KEY]
    platform = document["config"][written]
    [template, *_] = platform["endpoints"]
    served = template["variants"][0]["model"]["latest_approved_of"]
    names = [served]
    if families > 1:
        [family] = [model for model in platform["models"] if model["name"] == served]
        names = [f"{served}-{index:02d}" for index in range(families)]
        platform["models"] = [{**copy.deepcopy(family), "name": name} for name in names]
    copies = []
    for index in range(endpoints):
        endpoint = {**copy.deepcopy(template), "name": f"{template['name']}-{index:03d}"}
        for variant in endpoint["variants"]:
            if variant.get("model") == {"latest_approved_of": served}:
                variant["model"] = {"latest_approved_of": names[index % len(names)]}
        copies.append(endpoint)
    platform["endpoints"] = copies
    return dump_stack_document(document)


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
    print(
        f"\nSynthetic prod stacks ({_display(base)} with N copies of its endpoint + their monitoring, "
        f"over N/{ENDPOINTS_PER_FAMILY} copies of its model family)"
    )
    print(
        f"{'endpoints':>9} {'resources':>9} {'plan':>7} {'plan CPU':>8} {'wall':>7} {'peak MiB':>9}  per resource"
    )
    points: list[tuple[int, dict[str, float]]] = []
    with (
        tempfile.TemporaryDirectory(prefix="synthetic-stacks-") as directory,
        tempfile.TemporaryDirectory(prefix="definition-cache-") as definition_cache,
    ):
        for count in counts:
            path = Path(directory) / f"Pulumi.prod-{count}ep.yaml"
            path.write_text(synthetic_stack_text(base, count, families_for(count)))
            if not points:  # warm the definition cache (every family of the series, one endpoint each)
                warm = Path(directory) / "Pulumi.prod-warm.yaml"
                families = families_for(max(counts))
                warm.write_text(synthetic_stack_text(base, families, families))
                _measure(warm, definition_cache)
            median = _median([_measure(path, definition_cache) for _ in range(repeat)])
            points.append((count, median))
            print(
                f"{count:>9} {median['resources']:>9.0f} {median['plan_s']:>6.2f}s {median['plan_cpu_s']:>7.2f}s "
                f"{median['wall_s']:>6.2f}s {median['peak_mib']:>9.0f}  "
                f"{1000 * median['plan_cpu_s'] / median['resources']:>5.1f} ms CPU"
            )
    if len(points) < 2:
        return 0
    xs = [float(count) for count, _ in points]
    plan_times = [median["plan_cpu_s"] for _, median in points]  # CPU: robust to other jobs' load
    slope, intercept = least_squares(xs, plan_times)
    resource_slope, _ = least_squares(xs, [median["resources"] for _, median in points])
    memory_slope, _ = least_squares(xs, [median["peak_mib"] for _, median in points])
    linear = is_linear(xs, plan_times, slope)
    print(
        f"least squares: plan CPU ≈ {intercept:.2f} s + {slope * 1000:.0f} ms x endpoints "
        f"({resource_slope:.1f} resources and {memory_slope:.1f} MiB per endpoint); growth "
        + ("is linear" if linear else f"is NOT linear (last step costs > {LINEARITY_TOLERANCE}x the slope)")
    )
    missed = 0 if linear else 1
    largest, at_largest = points[-1]
    if largest >= SCALE_TARGET_ENDPOINTS and at_largest["wall_s"] >= SCALE_TARGET_SECONDS:
        print(
            f"OVER target: {largest} endpoints plan in {at_largest['wall_s']:.2f} s (target {SCALE_TARGET_SECONDS:.0f} s)"
        )
        missed = 1
    return missed


def fresh_checkout(destination: Path) -> Path:
    """A copy of this checkout as a fresh clone has it: no ``__pycache__``, no definition cache."""
    ignored = shutil.ignore_patterns(
        ".git", ".venv", ".tools", ".cache", "__pycache__", "*.pyc", "dist", ".pytest_cache", ".ruff_cache"
    )
    shutil.copytree(REPO, destination, ignore=ignored)
    return destination


def _figure(figure: str, unit: str, values: list[float], target: float | None, note: str) -> dict[str, Any]:
    return {"figure": figure, "unit": unit, "values": values, "target": target, "note": note}


def measure_prod(runs: int) -> list[dict[str, Any]]:
    """The reference prod plan, cold then warm, ``runs`` fresh processes each."""
    stack = REFERENCE_PROD.relative_to(REPO)
    cold: list[dict[str, float]] = []
    warm: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="plan-bench-") as directory:
        for run in range(runs):
            # Each cold run: a fresh copy (its modules compile on import) and an empty cache.
            checkout = fresh_checkout(Path(directory) / f"checkout-{run}")
            cache = checkout / ".cache" / "pipeline-definitions"
            cold.append(_measure(checkout / stack, str(cache), checkout))
        # Warm: the last copy, its byte-code and definitions written by its cold run.
        warm = [_measure(checkout / stack, str(cache), checkout) for _ in range(runs)]
    resources = int(warm[0]["resources"])

    imports = statistics.median(point["imports_s"] for point in warm)
    return [
        _figure(
            "prod plan, warm",
            "s",
            [point["wall_s"] for point in warm],
            WARM_TARGET_SECONDS,
            f"wall time of the whole process ({resources} resources; imports {imports:.2f} s)",
        )
        | {"resources": resources, "components": int(warm[0]["components"])},
        _figure(
            "prod plan, warm, CPU",
            "s",
            [point["cpu_s"] for point in warm],
            None,
            "user + system CPU time of that process: what other jobs on the machine inflate least",
        ),
        _figure(
            "prod plan, cold",
            "s",
            [point["wall_s"] for point in cold],
            COLD_TARGET_SECONDS,
            "wall time; a fresh copy of the checkout (no __pycache__), empty definition cache",
        ),
        _figure("prod plan, cold, CPU", "s", [point["cpu_s"] for point in cold], None, ""),
    ]


def measure_scale(runs: int, counts: tuple[int, ...] = SCALE_SERIES) -> list[dict[str, Any]]:
    """The scale series (warm definition cache), ``runs`` times over: the largest stack's wall
    time and peak memory, and per run the marginal cost of a resource and the linearity ratio."""
    series: list[list[dict[str, float]]] = []  # per run, one point per count
    with (
        tempfile.TemporaryDirectory(prefix="synthetic-stacks-") as directory,
        tempfile.TemporaryDirectory(prefix="definition-cache-") as definition_cache,
    ):
        paths = []
        for count in counts:
            path = Path(directory) / f"Pulumi.prod-{count}ep.yaml"
            path.write_text(synthetic_stack_text(REFERENCE_PROD, count, families_for(count)))
            paths.append(path)
        warm = Path(directory) / "Pulumi.prod-warm.yaml"
        families = families_for(max(counts))
        warm.write_text(synthetic_stack_text(REFERENCE_PROD, families, families))
        _measure(warm, definition_cache)
        for _ in range(runs):
            series.append([_measure(path, definition_cache) for path in paths])
    slopes, ratios = [], []
    for points in series:
        resources = [point["resources"] for point in points]
        plan_times = [point["plan_cpu_s"] for point in points]
        slope, _ = least_squares(resources, plan_times)
        slopes.append(1000 * slope)
        last_step = (plan_times[-1] - plan_times[-2]) / (resources[-1] - resources[-2])
        ratios.append(last_step / slope)
    largest = [points[-1] for points in series]
    sizes = ", ".join(f"{count}/{families_for(count)}" for count in counts)
    return [
        _figure(
            f"plan, {counts[-1]} endpoints / {families_for(counts[-1])} families",
            "s",
            [point["wall_s"] for point in largest],
            SCALE_TARGET_SECONDS,
            f"wall time of the whole process, {int(largest[0]['resources'])} resources",
        ),
        _figure(
            f"plan, {counts[-1]} endpoints, CPU",
            "s",
            [point["cpu_s"] for point in largest],
            None,
            "user + system CPU time of that process",
        ),
        _figure(
            "cost per resource",
            "ms",
            slopes,
            None,
            f"least-squares slope of the plan's CPU time over resources, endpoints/families {sizes}",
        ),
        _figure(
            "linearity (last step / slope)",
            "x",
            ratios,
            LINEARITY_TOLERANCE,
            "marginal cost of the last step over the fitted slope: a quadratic term makes it climb",
        ),
        _figure(
            f"peak memory, {counts[-1]} endpoints",
            "MiB",
            [point["peak_mib"] for point in largest],
            None,
            "peak resident set of the planning process",
        ),
    ]


def measure(runs: int, *, slow: bool = True) -> list[dict[str, Any]]:
    """The plan's figures for `make bench`: each with one value per run (``slow``: with the scale
    series, minutes on a 2-core machine)."""
    prod = measure_prod(runs)
    [warm] = [figure for figure in prod if figure["figure"] == "prod plan, warm"]
    floors = measure_process_floor(runs, warm["resources"], warm["components"]) + measure_floor(runs)
    figures = prod + floors
    if slow:
        figures += measure_scale(runs)
    return figures


def _counts(text: str) -> list[int]:
    return sorted({int(part) for part in text.split(",") if part.strip()})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("stack_files", nargs="*", type=Path, default=SHIPPED)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--endpoints",
        type=_counts,
        default=list(SCALE_SERIES),
        help="synthetic endpoint counts ('' to skip)",
    )
    # The reference prod stack (the sample as shipped): the scale series must not depend on edits.
    parser.add_argument("--base", type=Path, default=REFERENCE_PROD)
    parser.add_argument("--no-shipped", action="store_true", help="only the synthetic stacks")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--floor-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--process-floor-child", type=int, nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child)
        return 0
    if args.floor_child:
        _floor_child(args.floor_child)
        return 0
    if args.process_floor_child:
        _process_floor_child(*args.process_floor_child)
        return 0

    over = 0 if args.no_shipped else bench_shipped(args.stack_files, args.repeat)
    if args.endpoints:
        over += bench_synthetic(args.base, args.endpoints, args.repeat)
    return 1 if over else 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
