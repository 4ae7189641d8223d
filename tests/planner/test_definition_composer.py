"""A cold plan's definitions composed by a forked child (planner/definition_composer.py).

The child is forked from a single-threaded process only, so everything that forks runs in a fresh
interpreter started by the test (a pytest worker runs threads), never in the test's own process.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import planner.definition_composer as composer
from components.definition_cache_dir import DEFAULT_DIR, cache_dir
from components.training import definition_cache
from planner.__main__ import EXIT_OK, main
from tests.conftest import REPO, stack_path
from tests.recorded import computed_once


def _python(script: str, environment: dict[str, str], *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *flags, "-c", textwrap.dedent(script)],
        cwd=REPO,
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,  # a child that hangs the plan fails the test instead of hanging it
    )


def _python_once(name: str, script: str, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """:func:`_python` for a script whose output is a pure function of the code, this module and its
    environment (no clocks or files of the test's own; process ids only compared with each other,
    as each run's own): run once per version of them (tests.recorded.computed_once, keyed by the
    script, the environment given and the ``PYTHON*`` variables the child inherits, which
    computed_once does not key); a run killed by a signal or timed out raises and is not kept."""

    def run() -> subprocess.CompletedProcess[str]:
        result = _python(script, environment)
        assert result.returncode >= 0, f"killed by signal {-result.returncode}: {result.stderr[-2000:]}"
        return result

    inherited = sorted((k, v) for k, v in os.environ.items() if k.startswith("PYTHON"))
    return computed_once(name, run, key=[script, repr(sorted(environment.items())), repr(inherited)])


@pytest.fixture
def no_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail loudly instead of forking this (threaded) test process."""

    def refuse() -> int:
        raise AssertionError("forked where no child was due")

    monkeypatch.setattr(os, "fork", refuse)


# --- when a child is forked ---------------------------------------------------------------------


def test_a_cache_that_is_off_missing_empty_or_only_holds_other_files_is_cold(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("MLOPS_DEFINITION_CACHE", "OFF")
    assert composer.is_cold()
    monkeypatch.setenv("MLOPS_DEFINITION_CACHE", str(tmp_path / "absent"))
    assert composer.is_cold()
    monkeypatch.setenv("MLOPS_DEFINITION_CACHE", str(tmp_path))
    (tmp_path / "closures").mkdir()
    (tmp_path / "closures" / "x.json").write_text("{}")  # memos below it are not definitions
    (tmp_path / "entry.json.tmp").write_text("")  # nor is a half-written one
    assert composer.is_cold()
    (tmp_path / "0123.json").write_text("{}")
    assert not composer.is_cold()


def test_the_planner_reads_the_cache_where_the_cache_writes(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("MLOPS_DEFINITION_CACHE", raising=False)
    assert cache_dir() == DEFAULT_DIR == Path(".cache/pipeline-definitions")
    assert composer.cache_dir is definition_cache.cache_dir is cache_dir


@pytest.mark.parametrize(
    ("switch", "cores", "threads", "entry"),
    [
        ("0", 2, 1, False),  # switched off
        (" Off", 2, 1, False),
        ("false", 2, 1, False),
        ("", 1, 1, False),  # no spare core
        ("", 2, 2, False),  # a second thread: a fork would copy only this one
        ("", 2, 0, False),  # threads unknown
        ("", 2, 1, True),  # the cache holds definitions
    ],
)
def test_no_child_is_forked_when_it_would_not_pay_or_not_be_safe(
    monkeypatch, tmp_path, no_fork, switch: str, cores: int, threads: int, entry: bool
) -> None:
    monkeypatch.setenv("MLOPS_PARALLEL_COMPOSER", switch)
    monkeypatch.setenv("MLOPS_DEFINITION_CACHE", str(tmp_path))
    if entry:
        (tmp_path / "0123.json").write_text("{}")
    monkeypatch.setattr(composer, "_cores", lambda: cores)
    monkeypatch.setattr(composer, "_threads", lambda: threads)
    assert composer.start_if_cold() is None


def test_a_cgroup_cpu_quota_caps_the_cores(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0, 1, 2, 3})
    limit = tmp_path / "cpu.max"
    monkeypatch.setattr(composer, "CGROUP_CPU_MAX", str(limit))
    assert composer._cores() == 4  # no cgroup file
    limit.write_text("max 100000\n")
    assert composer._cores() == 4
    limit.write_text("150000 100000\n")
    assert composer._cores() == 1  # one and a half CPUs: no spare core for a second process
    limit.write_text("200000 100000\n")
    assert composer._cores() == 2
    limit.write_text("800000 100000\n")
    assert composer._cores() == 4


def test_the_cli_is_single_threaded_where_it_forks_and_a_thread_stops_the_fork() -> None:
    result = _python_once(
        "single-threaded",
        """
        import threading, time
        import planner.__main__
        planner.__main__.import_plan_modules()  # more than the CLI has imported where it forks
        from planner.definition_composer import _threads
        before = _threads()
        started = threading.Event()
        threading.Thread(target=lambda: (started.set(), time.sleep(5)), daemon=True).start()
        started.wait()
        print(before, _threads())
        """,
        {},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1", "2"]


# --- what the plan's side and the child do -----------------------------------------------------


@dataclass(frozen=True)
class _Settings:
    names: types.MappingProxyType[str, tuple[str, ...]]


def test_settings_with_read_only_mappings_travel_to_the_child_unchanged() -> None:
    settings = _Settings(types.MappingProxyType({"train": ("a", "b")}))
    import pickle

    copy = pickle.loads(composer._dumps((definition_cache.build_here, settings)))
    assert copy == (definition_cache.build_here, settings)
    assert type(copy[1].names) is types.MappingProxyType


PROTOCOL = """
import json, os, signal, sys
from dataclasses import dataclass
from typing import Any
import planner.definition_composer as composer

composer._warm_up = lambda: None  # the protocol is under test here; the CLI test imports the SDK

@dataclass(frozen=True)
class Settings:
    text: str
    plan_pid: int = 0
    extra: Any = None

def compose(settings):
    # Must reach neither the channel nor the plan's output (flushed: os._exit drops buffers).
    print("a builder's stray print", flush=True)
    print("a builder's stray print", file=sys.stderr, flush=True)
    return f"{settings.text} by {os.getpid()}"

def fails_in_the_child(settings):
    if os.getpid() != settings.plan_pid:
        raise RuntimeError("only in the child")
    return f"{settings.text} by {os.getpid()}"

def fails_everywhere(settings):
    raise ValueError(f"bad setting {settings.text}")

child = composer.start_if_cold()
assert child is not None, "no child forked"
report = {"plan": os.getpid(), "child": child.pid}
report["composed"] = child.build(Settings("one"), compose)
large = "x" * 1_000_000  # both ways larger than a pipe holds
report["large"] = child.build(Settings(large), compose) == f"{large} by {child.pid}"
report["fallback on a child failure"] = child.build(Settings("two", os.getpid()), fails_in_the_child)
report["fallback on unpicklable settings"] = child.build(Settings("three", 0, lambda: 0), compose)
try:
    child.build(Settings("four"), fails_everywhere)
except ValueError as error:
    report["error"] = str(error)
report["count"] = child.composed
report["running"] = child.running
os.kill(child.pid, signal.SIGKILL)
os.waitpid(child.pid, 0)
report["after the child died"] = child.build(Settings("five"), compose)
report["running after"] = child.running
child.close()
second = composer.start_if_cold()
report["second"] = second.build(Settings("six"), compose)
second.close()
report["second reaped"] = not os.path.exists(f"/proc/{second.pid}")
try:
    os.waitpid(second.pid, os.WNOHANG)
    report["second reaped"] = False
except ChildProcessError:
    pass
sys.stdout.write(json.dumps(report))
"""


def test_the_child_composes_and_everything_it_cannot_do_is_composed_in_the_plan() -> None:
    result = _python_once(
        "protocol", PROTOCOL, {"MLOPS_DEFINITION_CACHE": "off", "MLOPS_PARALLEL_COMPOSER": ""}
    )
    assert result.returncode == 0, result.stderr
    *prints, last = result.stdout.splitlines()
    report = json.loads(last)
    # The plan's own two builds ("three", "five") printed; the child's ("one", "six") went nowhere.
    assert prints == ["a builder's stray print"] * 2
    assert result.stderr.count("stray") == 2
    plan, child = report["plan"], report["child"]
    assert plan != child
    assert report["composed"] == f"one by {child}"
    assert report["fallback on a child failure"] == f"two by {plan}"
    assert report["fallback on unpicklable settings"].endswith(f"by {plan}")
    assert report["error"] == "bad setting four"  # raised by the plan's own build, as without a child
    assert report["large"] is True
    assert report["count"] == 2
    assert report["running"] is True  # a failed build leaves the child serving
    assert report["after the child died"].endswith(f"by {plan}")
    assert report["running after"] is False
    assert report["second"].startswith("six by ") and report["second"] != f"six by {plan}"
    assert report["second reaped"] is True


def test_a_region_told_gets_no_reply_and_one_that_fails_to_open_changes_no_build() -> None:
    """The plan tells the child its region (``open_region``) without waiting; the child opens it
    with the SDK's seal (``_offline_sdk.open_region``) between builds, in the order it was told,
    and one that fails to open changes no reply. What the child opened is written to a file of the
    run's own, read once the child is closed."""
    result = _python_once(
        "region-told",
        """
        import json, os, tempfile
        import planner.definition_composer as composer
        from components.training import _offline_sdk
        composer._warm_up = lambda: None
        handle, opened = tempfile.mkstemp(prefix="opened-")
        os.close(handle)
        def open_region(region):
            if region == "nowhere":
                raise RuntimeError("cannot open")
            with open(opened, "a") as record:
                record.write(f"{region} {os.getpid()}\\n")
        _offline_sdk.open_region = open_region
        def compose(settings):
            return f"{settings} by {os.getpid()}"
        child = composer.start_if_cold()
        child.open_region("nowhere")
        child.open_region("eu-west-1")
        first = child.build("x", compose)
        child.open_region("us-east-1")
        second = child.build("y", compose)
        report = [child.pid, first, second, child.composed, child.running]
        child.close()
        with open(opened) as record:
            report.append(record.read().splitlines())
        os.remove(opened)
        print(json.dumps(report))
        """,
        COLD,
    )
    assert result.returncode == 0, result.stderr
    pid, first, second, composed, running, opened = json.loads(result.stdout)
    assert [first, second, composed, running] == [f"x by {pid}", f"y by {pid}", 2, True]
    assert opened == [f"eu-west-1 {pid}", f"us-east-1 {pid}"]


def test_an_interrupt_while_a_region_opens_ends_the_child_and_every_build_keeps_its_own_reply() -> None:
    """Anything but an error while the child opens a region (an interrupt sent to it alone) ends
    the child, without a reply the plan would take for its next build's: every definition is then
    composed in the plan, each its own."""
    result = _python_once(
        "interrupt-while-opening",
        """
        import json, os
        import planner.definition_composer as composer
        from components.training import _offline_sdk
        composer._warm_up = lambda: None
        def open_region(region):
            raise KeyboardInterrupt
        _offline_sdk.open_region = open_region
        def compose(settings):
            return f"{settings} by {os.getpid()}"
        child = composer.start_if_cold()
        child.open_region("eu-west-1")
        built = [child.build(name, compose) for name in ("x", "y", "z")]
        print(json.dumps([os.getpid(), built, child.composed, child.running]))
        """,
        COLD,
    )
    assert result.returncode == 0, result.stderr
    plan, built, composed, running = json.loads(result.stdout)
    assert built == [f"x by {plan}", f"y by {plan}", f"z by {plan}"]
    assert composed == 0 and running is False


def test_the_child_leaves_a_failure_to_open_a_region_to_the_build_and_an_interrupt_ends_it(
    monkeypatch,
) -> None:
    from components.training import _offline_sdk

    asked: list[str] = []

    def fails(region: str) -> None:
        asked.append(region)
        raise RuntimeError("cannot open")

    monkeypatch.setattr(_offline_sdk, "open_region", fails)
    composer.open_region("eu-central-1")
    assert asked == ["eu-central-1"]

    def interrupted(region: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(_offline_sdk, "open_region", interrupted)
    with pytest.raises(KeyboardInterrupt):
        composer.open_region("eu-central-1")


def test_a_child_that_is_gone_is_closed_when_told_a_region() -> None:
    result = _python_once(
        "gone-told-a-region",
        """
        import json, os, signal
        import planner.definition_composer as composer
        composer._warm_up = lambda: None
        child = composer.start_if_cold()
        os.kill(child.pid, signal.SIGKILL)
        os.waitpid(child.pid, 0)
        child.open_region("eu-west-1")
        child.open_region("eu-west-1")
        print(json.dumps([child.running, child.build("x", str)]))
        """,
        COLD,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [False, "x"]


def test_a_child_that_fails_to_import_leaves_the_plan_composing_itself() -> None:
    result = _python_once(
        "fails-to-import",
        """
        import json, os
        import planner.definition_composer as composer
        def warm_up():
            import no_such_module_anywhere
        composer._warm_up = warm_up
        def compose(settings):
            return f"{settings} by {os.getpid()}"
        child = composer.start_if_cold()
        built = child.build("x", compose)
        print(json.dumps([os.getpid(), built, child.running]))
        child.close()
        """,
        {"MLOPS_DEFINITION_CACHE": "off", "MLOPS_PARALLEL_COMPOSER": ""},
    )
    assert result.returncode == 0, result.stderr
    plan, built, running = json.loads(result.stdout)
    assert built == f"x by {plan}" and running is False


def test_a_child_that_hangs_is_killed_and_the_plan_composes_itself() -> None:
    result = _python(
        """
        import json, os, time
        import planner.definition_composer as composer
        composer._warm_up = lambda: time.sleep(600)
        composer.REPLY_TIMEOUT = 0.5
        def compose(settings):
            return f"{settings} by {os.getpid()}"
        child = composer.start_if_cold()
        started = time.monotonic()
        built = child.build("x", compose)
        waited = time.monotonic() - started
        print(json.dumps([os.getpid(), built, child.running, os.path.exists(f"/proc/{child.pid}"), waited]))
        """,
        {"MLOPS_DEFINITION_CACHE": "off", "MLOPS_PARALLEL_COMPOSER": ""},
    )
    assert result.returncode == 0, result.stderr
    plan, built, running, child_left, waited = json.loads(result.stdout)
    assert built == f"x by {plan}" and running is False and child_left is False
    assert waited >= 0.5  # it did wait for the reply first


COLD = {"MLOPS_DEFINITION_CACHE": "off", "MLOPS_PARALLEL_COMPOSER": ""}


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


def test_the_child_runs_none_of_the_plans_exit_handlers(tmp_path) -> None:
    exits = tmp_path / "exits"
    result = _python(
        f"""
        import atexit, os
        import planner.definition_composer as composer
        composer._warm_up = lambda: None
        atexit.register(lambda: open({str(exits)!r}, "a").write(f"{{os.getpid()}}\\n"))
        child = composer.start_if_cold()
        assert child.build("x", str) == "x"
        requests, _ = child._channel
        requests.close()  # the plan is done: the child sees the end of the channel and exits
        _, status = os.waitpid(child.pid, 0)
        print(os.getpid(), os.waitstatus_to_exitcode(status))
        """,
        COLD,
    )
    assert result.returncode == 0, result.stderr
    plan, child_status = map(int, result.stdout.split())
    assert child_status == 0
    assert exits.read_text().split() == [str(plan)]  # the plan's handler ran once, in the plan


@pytest.mark.parametrize("child_state", ["importing", "idle"])
def test_a_plan_that_dies_leaves_no_child_behind(child_state: str) -> None:
    result = _python(
        f"""
        import os, time
        import planner.definition_composer as composer
        composer._warm_up = (lambda: time.sleep(600)) if {child_state!r} == "importing" else (lambda: None)
        child = composer.start_if_cold()
        if {child_state!r} == "idle":
            assert child.build("x", str) == "x"
        print(child.pid, flush=True)
        os._exit(0)  # killed mid-plan: no close()
        """,
        COLD,
    )
    child = int(result.stdout)
    deadline = time.monotonic() + 10
    while not _gone(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = not _gone(child)
    if alive:
        os.kill(child, signal.SIGKILL)
    assert not alive, "the child outlived the plan"


def test_a_child_that_dies_is_noticed_at_once_not_after_the_reply_timeout() -> None:
    result = _python(
        """
        import json, os, time
        import planner.definition_composer as composer
        composer._warm_up = lambda: os._exit(1)
        composer.REPLY_TIMEOUT = 30.0
        child = composer.start_if_cold()
        started = time.monotonic()
        built = child.build("x", str)
        print(json.dumps([built, child.running, time.monotonic() - started]))
        """,
        COLD,
    )
    assert result.returncode == 0, result.stderr
    built, running, waited = json.loads(result.stdout)
    assert built == "x" and running is False
    assert waited < 5, f"waited {waited:.1f} s for a dead child"


def test_the_warm_up_imports_under_the_seal_and_unseals(monkeypatch, tmp_path) -> None:
    # In this process: the seal imports the SDK, which this worker's other tests import anyway.
    probe = tmp_path / "warm_up_probe.py"
    probe.write_text("import os\nSEEN = os.environ.get('AWS_ACCESS_KEY_ID')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(composer, "WARM_UP_MODULES", ("warm_up_probe",))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "the-plans-own")
    monkeypatch.delitem(sys.modules, "warm_up_probe", raising=False)
    composer._warm_up()
    from components.training._offline_sdk import PLACEHOLDER_KEY

    assert sys.modules["warm_up_probe"].SEEN == PLACEHOLDER_KEY  # imported inside the seal
    assert os.environ["AWS_ACCESS_KEY_ID"] == "the-plans-own"  # and the seal is gone after it


def test_the_shipped_warm_up_names_the_builders_and_the_sdk_they_compose_with() -> None:
    assert set(composer.WARM_UP_MODULES) >= {
        "components.training._definition_steps",
        "components.serving.batch_definition",
    }


def test_a_build_that_exits_in_the_child_leaves_it_serving() -> None:
    result = _python_once(
        "exits-in-the-child",
        """
        import json, os
        import planner.definition_composer as composer
        composer._warm_up = lambda: None
        def exits_in_the_child(plan):
            if os.getpid() != plan:
                raise SystemExit(3)
            return "here"
        child = composer.start_if_cold()
        built = child.build(os.getpid(), exits_in_the_child)
        print(json.dumps([built, child.running, child.build("y", str)]))
        child.close()
        """,
        COLD,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["here", True, "y"]


def test_an_interrupted_exchange_does_not_leave_the_channel_out_of_step() -> None:
    result = _python(
        """
        import json, os, signal, time
        import planner.definition_composer as composer
        composer._warm_up = lambda: None
        def slow(settings):
            # Only the first: the alarm must end the exchange before the child replies. (The
            # second is composed here; were the child still answering, its late reply would be
            # "first by <child>".)
            if settings == "first":
                time.sleep(1)
            return f"{settings} by {os.getpid()}"
        def interrupt(*_):
            raise KeyboardInterrupt
        child = composer.start_if_cold()
        signal.signal(signal.SIGALRM, interrupt)
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        try:
            child.build("first", slow)
        except KeyboardInterrupt:
            pass
        second = child.build("second", slow)
        child.close()
        print(json.dumps([second, os.getpid()]))
        """,
        COLD,
    )
    assert result.returncode == 0, result.stderr
    second, plan = json.loads(result.stdout)
    assert second == f"second by {plan}"  # composed here: the interrupted child was ended


class _Composer:
    def __init__(self) -> None:
        self.closed = False

    def build(self, settings: Any, build: Any) -> str:
        return build(settings)

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize("outcome", [None, SystemExit(3), KeyboardInterrupt()])
def test_parallel_composition_installs_the_child_and_always_ends_it(monkeypatch, outcome) -> None:
    child = _Composer()
    monkeypatch.setattr(composer, "start_if_cold", lambda: child)
    try:
        with composer.parallel_composition() as installed:
            assert installed is child and definition_cache._builder == child.build
            if outcome is not None:
                raise outcome
    except (SystemExit, KeyboardInterrupt) as error:
        assert error is outcome
    assert child.closed
    assert definition_cache._builder is definition_cache.build_here


def test_the_child_is_forked_before_pydantic_and_the_training_specs_are_imported() -> None:
    """``parallel_composition`` forks first: what installing the child imports (the definition
    cache, and with it pydantic and the training specs) is imported after, in a fresh interpreter
    as ``python -m planner`` has it."""
    result = _python_once(
        "forked-before-pydantic",
        """
        import json, sys
        import planner.definition_composer as composer
        WATCHED = ("pydantic", "components.training.definition_cache", "stacks.config", "pulumi", "sagemaker")
        seen = []
        class Child:
            def build(self, settings, build):
                return build(settings)
            def close(self):
                seen.append("closed")
        def start_if_cold():
            seen.append([name for name in WATCHED if name in sys.modules])
            return Child()
        composer.start_if_cold = start_if_cold
        with composer.parallel_composition() as child:
            from components.training import definition_cache
            seen.append(definition_cache._builder == child.build)
        print(json.dumps(seen))
        """,
        COLD,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [[], True, "closed"]


def test_a_child_is_ended_when_installing_it_fails_after_the_fork(monkeypatch) -> None:
    """The definition cache is imported after the fork: should that import fail, the child
    already forked is still ended."""
    child = _Composer()
    monkeypatch.setattr(composer, "start_if_cold", lambda: child)
    monkeypatch.setitem(sys.modules, "components.training.definition_cache", None)  # import fails
    with pytest.raises(ImportError), composer.parallel_composition():
        pass
    assert child.closed


def _plan_with_an_unusable_cache_directory() -> tuple[int, str]:
    """``python -m planner`` of dev whose definition cache directory cannot be made: its exit status
    and stderr. Checked here, before ``computed_once`` keeps anything (a run that timed out or
    was killed under load is raised and run again next time, never served from the cache)."""
    result = subprocess.run(
        [sys.executable, "-m", "planner", "--config", str(stack_path("dev")), "--format", "json"],
        cwd=REPO,
        env={**os.environ, "MLOPS_DEFINITION_CACHE": "/tmp/" + "a" * 300, "MLOPS_PARALLEL_COMPOSER": ""},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 3, result.stderr[-500:]
    assert "File name too long" in result.stderr
    return result.returncode, result.stderr


def test_an_unusable_cache_directory_is_exit_status_3_as_without_the_child() -> None:
    # A real process, run once per version of the code (tests.recorded.computed_once): whether the
    # plan forks a composer depends on a spare core, which the key therefore holds.
    spare_core = composer._cores() >= 2
    returncode, stderr = computed_once(
        "unusable-cache-directory", _plan_with_an_unusable_cache_directory, key=[f"spare-core={spare_core}"]
    )
    assert returncode == 3, stderr[-500:]
    assert "File name too long" in stderr


def test_without_a_child_the_plan_composes_in_its_own_process(monkeypatch) -> None:
    monkeypatch.setattr(composer, "start_if_cold", lambda: None)
    with composer.parallel_composition() as child:
        assert child is None
        assert definition_cache._builder is definition_cache.build_here
        assert definition_cache._builder("x", str.upper) == "X"
    assert definition_cache._builder is definition_cache.build_here


def test_building_with_restores_the_inline_builder_even_after_an_error() -> None:
    def builder(settings: Any, build: Any) -> str:
        return "elsewhere"

    assert definition_cache._builder is definition_cache.build_here
    with pytest.raises(RuntimeError), definition_cache.building_with(builder):
        assert definition_cache._builder is builder
        raise RuntimeError
    assert definition_cache._builder is definition_cache.build_here


def test_a_miss_is_composed_by_the_builder_and_kept_a_hit_is_not(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("MLOPS_DEFINITION_CACHE", str(tmp_path))
    calls: list[Any] = []

    def builder(settings: Any, build: Any) -> str:
        calls.append(settings)
        return build(settings) + " (elsewhere)"

    settings = _Settings(types.MappingProxyType({"train": ("a",)}))
    with definition_cache.building_with(builder):
        first = definition_cache.cached_definition(settings, lambda s: "definition")
        again = definition_cache.cached_definition(settings, lambda s: "never built")
    assert first == again == "definition (elsewhere)"
    assert calls == [settings]
    monkeypatch.setenv("MLOPS_DEFINITION_CACHE", "off")
    with definition_cache.building_with(builder):
        assert definition_cache.cached_definition(settings, lambda s: "uncached") == "uncached (elsewhere)"


# --- the CLI -----------------------------------------------------------------------------------


def _cold_cli_plan(spare_core: bool) -> str:
    """``python -m planner`` of prod with an empty definition cache, checked: with a ``spare_core``
    its child composes the definitions and the plan's own process never imports the SDK; without
    one (no child, by design) the plan composes them itself. Its JSON plan is returned. Every check
    runs here, before ``computed_once`` keeps anything: a failing run is raised and run again next
    time, never served from the cache (a child that timed out under load is not a verdict)."""
    with tempfile.TemporaryDirectory(prefix="cold-definitions-") as cache:
        cold = subprocess.run(
            [
                sys.executable,
                "-X",
                "importtime",
                "-m",
                "planner",
                "--config",
                str(stack_path("prod")),
                "--format",
                "json",
            ],
            cwd=REPO,
            env={**os.environ, "MLOPS_DEFINITION_CACHE": cache, "MLOPS_PARALLEL_COMPOSER": ""},
            capture_output=True,
            text=True,
            check=False,
        )
        assert cold.returncode == EXIT_OK, cold.stderr[-3000:]
        imported = [
            line.split("|")[-1].strip()
            for line in cold.stderr.splitlines()
            if line.startswith("import time:")
        ]
        assert "pulumi" in imported and "components.training.definition_cache" in imported
        sdk = [module for module in imported if module.split(".")[0] == "sagemaker"]
        if spare_core:
            assert not sdk, "the plan imported the SDK"
        else:
            assert sdk, "one core: the plan composes its definitions itself"
        # prod's training and batch-scoring definitions, both composed by this cold plan
        assert len(list(Path(cache).glob("*.json"))) == 2
        return cold.stdout


def test_a_cold_cli_plan_is_the_warm_plan_with_the_sdk_imported_only_by_its_child(
    cached_recordings, capsys
) -> None:
    # Computed and checked once per version of the code (tests.recorded.computed_once); whether the
    # plan forks a composer depends on a spare core, which the key therefore holds.
    spare_core = composer._cores() >= 2
    cold = computed_once(
        "cold-cli-plan", lambda: _cold_cli_plan(spare_core), key=[f"spare-core={spare_core}"]
    )

    assert main(["--config", str(stack_path("prod")), "--format", "json"]) == EXIT_OK
    warm = capsys.readouterr().out
    assert cold == warm
    assert '"pipelineDefinition"' in warm
