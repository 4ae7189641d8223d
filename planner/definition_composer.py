"""A cold plan's pipeline definitions, composed in a second process while the plan records.

A plan whose definitions are not in the cache (:mod:`components.training.definition_cache`; the
first plan of every CI job) spends about half its time importing the SageMaker SDK and composing
with it, yet needs the first definition only late in the recording: the definitions are built
inside ``apply``\\ s, once the roles, buckets and subnets they name resolve. So on a machine with a
second core, the CLI (``python -m planner``), as soon as it has read its arguments, forks a child
when the cache holds no definition (or is off). The child imports the SDK (under the offline seal,
as a build in the plan does) while the plan validates the stack file, imports Pulumi, the
providers and the program and records, then composes each definition the plan misses and sends it
back. It needs nothing the plan imports (the builders and their settings import no Pulumi), so it
is forked before any of those imports, even the configuration model's: its SDK import, the
longest wait of a cold plan, starts that much sooner, and the pydantic models both processes
import are imported on both cores at once. An invalid stack file ends the child with the plan.
The collector stays off while the child imports: everything it imports lives until it exits.

The plan waits for each definition where it needs it, as it waits for an inline build, so the
recorded graph, its order and the cache's entries are what composing in the plan's own process
gives. Whatever the child cannot do (start, import, receive a request, compose) is composed in
the plan's process instead, so an error surfaces exactly as it would without the child; the plan
kills and reaps the child before it exits, and the kernel kills the child should the plan die
first. Nothing is forked when the cache holds a definition, on one core (affinity or cgroup
quota), or when the process already runs a second thread (a fork copies only the calling one);
``MLOPS_PARALLEL_COMPOSER=0`` switches it off. ``pulumi up`` never imports the planner: the
deploy path composes inline.
"""

from __future__ import annotations

import copyreg
import gc
import importlib
import io
import os
import pickle
import select
import signal
import struct
import time
import traceback
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

from components.definition_cache_dir import cache_dir
from planner.process import prepare_one_shot_process

SWITCH = "MLOPS_PARALLEL_COMPOSER"
"""``0`` (or ``off``, ``false``, ``no``) forks no child: every missed definition is composed in the
plan's process."""
CGROUP_CPU_MAX = "/sys/fs/cgroup/cpu.max"
WARM_UP_REGION = "us-east-1"
"""The seal's region while the child imports the SDK. The SDK reads it at import only for clients
it makes then and composing never uses; a definition names its own region (its settings), which is
why the definition cache serves one process's builds to plans of any region."""
WARM_UP_MODULES = (
    "components.training._definition_steps",
    "components.serving.batch_definition",
    "sagemaker.core.transformer",
)
"""The builders and the SDK modules they compose with (a module missing here is imported on
first use, as in the plan's process)."""
REPLY_TIMEOUT = 300.0
"""Seconds the plan waits for a definition (the child may still be importing the SDK) before it
kills the child and composes in its own process: a child that hangs must not hang the plan. A
cold prod plan's whole wait is a second or two; a heavily loaded machine stretches it tenfold."""
_HEADER = struct.Struct(">Q")
OPEN_REGION = b"open-region:"
"""A request that starts so names a region for the child to open ahead of its builds; it gets no
reply. A build request never starts so: it is pickled at protocol 2 or higher (:func:`_dumps`),
which starts with ``\\x80``."""
_PR_SET_PDEATHSIG = 1


def _send(stream: IO[bytes], payload: bytes) -> None:
    stream.write(_HEADER.pack(len(payload)) + payload)
    stream.flush()


def _receive(descriptor: int, timeout: float | None = None) -> bytes:
    """One message from the pipe ``descriptor``; :class:`EOFError` when the other side closed its
    end (or died) first, :class:`TimeoutError` when it is not complete within ``timeout``
    seconds."""
    deadline = None if timeout is None else time.monotonic() + timeout
    (size,) = _HEADER.unpack(_read(descriptor, _HEADER.size, deadline))
    return _read(descriptor, size, deadline)


def _read(descriptor: int, size: int, deadline: float | None) -> bytes:
    chunks: list[bytes] = []
    missing = size
    while missing:
        if deadline is not None:
            ready, _, _ = select.select([descriptor], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise TimeoutError("no reply in time")
        chunk = os.read(descriptor, min(missing, 1 << 20))
        if not chunk:
            raise EOFError("the other process closed the channel")
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def _read_only(items: dict[Any, Any]) -> types.MappingProxyType[Any, Any]:
    return types.MappingProxyType(items)


def _dumps(value: Any) -> bytes:
    """``pickle.dumps``, also of the read-only mappings the settings hold (``MappingProxyType``,
    which pickle refuses; rebuilt as one around a copy of its items)."""
    stream = io.BytesIO()
    pickler = pickle.Pickler(stream, pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {
        **copyreg.dispatch_table,
        types.MappingProxyType: lambda proxy: (_read_only, (dict(proxy),)),
    }
    pickler.dump(value)
    return stream.getvalue()


class ParallelComposer:
    """The plan's side of the child: :meth:`build` is a
    :data:`~components.training.definition_cache.Builder`."""

    def __init__(self, pid: int, requests: IO[bytes], replies: int) -> None:
        self.pid = pid
        self._channel: tuple[IO[bytes], int] | None = (requests, replies)
        self.composed = 0
        """Definitions the child composed (the rest, if any, were composed in this process)."""

    @property
    def running(self) -> bool:
        return self._channel is not None

    def build(self, settings: Any, build: Callable[[Any], str]) -> str:
        """``build(settings)``, composed by the child; in this process when the child cannot."""
        definition = self._ask(settings, build)
        if definition is not None:
            self.composed += 1
            return definition
        return build(settings)

    def open_region(self, region: str) -> None:
        """Have the child open what the builds of ``region`` open first (:func:`open_region`)
        once its imports are done; nothing is answered. A child that is gone is closed."""
        if self._channel is None:
            return
        try:
            _send(self._channel[0], OPEN_REGION + region.encode())
        except OSError:
            self.close()

    def _ask(self, settings: Any, build: Callable[[Any], str]) -> str | None:
        if self._channel is None:
            return None
        requests, replies = self._channel
        try:
            request = _dumps((build, settings))
        except Exception:  # a builder or settings pickle cannot carry: compose here
            return None
        try:
            _send(requests, request)
            status, value = pickle.loads(_receive(replies, REPLY_TIMEOUT))
        except (OSError, EOFError, ValueError, pickle.UnpicklingError):
            self.close()  # the child is gone or out of step: everything from now on is composed here
            return None
        except BaseException:
            self.close()  # interrupted between request and reply: the next reply would be this one
            raise
        # A build that failed in the child runs here, where its error surfaces as it always has.
        return value if status == "ok" and isinstance(value, str) else None

    def close(self) -> None:
        """Kill the child (importing, idle or composing) and reap it, so nothing outlives the
        plan and the child's CPU time counts towards the plan's."""
        channel, self._channel = self._channel, None
        if channel is None:
            return
        requests, replies = channel
        with suppress(OSError):
            requests.close()
        with suppress(OSError):
            os.close(replies)
        with suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        with suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


@contextmanager
def parallel_composition() -> Iterator[ParallelComposer | None]:
    """In this block, the definitions a cold plan misses are composed by a forked child (None:
    no child, they are composed in this process). For a process that plans once (the CLI,
    the benchmark's measured runs), entered before the stack file is validated and the plan's
    imports: the child needs none of them."""
    composer = start_if_cold()
    if composer is None:
        yield None
        return
    try:
        # Imported after the fork (it imports pydantic and the training specs): the child's
        # import of the SDK starts that much sooner.
        from components.training.definition_cache import building_with

        with building_with(composer.build):
            yield composer
    finally:
        composer.close()


def is_cold() -> bool:
    """Whether a plan in this directory will compose definitions: the cache is off, or holds
    none (a fresh checkout, every CI job). A cache holding some is taken as warm: a plan that
    still misses one (an edited setting or builder) composes it in its own process."""
    directory = cache_dir()
    return directory is None or next(directory.glob("*.json"), None) is None


def _cores() -> int:
    """The cores this process may use: its CPU affinity, capped by a cgroup's CPU quota (a
    container limited to one CPU sees every core of the host in its affinity)."""
    affinity = getattr(os, "sched_getaffinity", None)
    cores = len(affinity(0)) if affinity is not None else os.cpu_count() or 1
    try:
        quota, period = Path(CGROUP_CPU_MAX).read_text().split()[:2]
        if quota != "max":
            cores = min(cores, max(1, int(int(quota) // int(period))))
    except (OSError, ValueError):
        pass  # no cgroup v2 limit to read: the affinity decides
    return cores


def _threads() -> int:
    """This process's threads, the runtime's own included (Python's ``threading`` lists only
    its own); 0 where the system does not say (then nothing is forked)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 0


def start_if_cold() -> ParallelComposer | None:
    """The child, forked when a cold plan would use it on a spare core; else None."""
    switched_off = os.environ.get(SWITCH, "").strip().lower() in ("0", "off", "false", "no")
    if switched_off or not hasattr(os, "fork") or _cores() < 2 or _threads() != 1:
        return None
    descriptors: list[int] = []
    try:  # an unreadable cache directory or no file descriptor left: compose in the plan
        if not is_cold():
            return None
        descriptors.extend(os.pipe())
        descriptors.extend(os.pipe())
        plan = os.getpid()
        pid = os.fork()
    except OSError:
        for descriptor in descriptors:
            os.close(descriptor)
        return None
    requests_read, requests_write, replies_read, replies_write = descriptors
    if pid == 0:  # the child: never returns
        _child(plan, requests_read, replies_write, (requests_write, replies_read))
    os.close(requests_read)
    os.close(replies_write)
    return ParallelComposer(pid, os.fdopen(requests_write, "wb"), replies_read)


def _child(plan: int, requests: int, replies: int, plans_ends: tuple[int, int]) -> None:
    """Import what composing needs, then serve the plan; exit without the interpreter's teardown,
    which would run the plan's exit handlers and flush its buffered output a second time."""
    status = 1
    try:
        for descriptor in plans_ends:
            os.close(descriptor)
        _end_with(plan)
        # Stray output (the SDK's, a builder's print) must not reach the plan's stdout or stderr.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        # The SDK's import allocates what lives until the child exits: collecting while it runs
        # finds next to nothing and took a fifth of the import's CPU. Then the child is a process
        # that composes and exits: its imports frozen, its garbage collected at a plan's thresholds.
        gc.disable()
        _warm_up()
        prepare_one_shot_process()
        gc.enable()
        serve(requests, os.fdopen(replies, "wb"))
        status = 0
    finally:
        os._exit(status)


def _end_with(plan: int) -> None:
    """Have the kernel kill this child when the plan dies (Linux ``prctl(PR_SET_PDEATHSIG)``),
    whatever it is doing; a plan already gone ends it now. Elsewhere it still ends at the end of
    the request channel, once its imports are done."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != plan:
        os._exit(1)


def _warm_up() -> None:
    """Import what composing needs, as a build imports it: inside the offline seal."""
    from components.training import _offline_sdk

    with _offline_sdk.sealed(WARM_UP_REGION):
        for module in WARM_UP_MODULES:
            importlib.import_module(module)


def open_region(region: str) -> None:
    """What the child does with an :data:`OPEN_REGION` request: open what the builds of
    ``region`` open first (:func:`components.training._offline_sdk.open_region`). An error is
    left to the region's first build, which meets it again and is composed in the plan if it
    fails; anything that is not an error (an interrupt) ends the child, whose builds the plan
    then composes itself."""
    from components.training import _offline_sdk

    with suppress(Exception):
        _offline_sdk.open_region(region)


def serve(requests: int, replies: IO[bytes]) -> None:
    """The child's loop: one reply per build request until the plan closes the channel; an
    :data:`OPEN_REGION` request is done (:func:`open_region`) and never answered, whatever happens
    while it is done, so every reply stays its own build's."""
    while True:
        try:
            request = _receive(requests)
        except EOFError:
            return
        if request.startswith(OPEN_REGION):
            open_region(request.removeprefix(OPEN_REGION).decode())
            continue
        try:
            build, settings = pickle.loads(request)
            reply: tuple[str, str] = ("ok", build(settings))
        except BaseException:  # reported, not raised: the plan composes it itself
            reply = ("error", traceback.format_exc())
        _send(replies, pickle.dumps(reply))
