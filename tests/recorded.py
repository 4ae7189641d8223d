"""Recorded stack graphs shared by every test: each distinct stack document is recorded once.

Recording a stack runs the whole platform program (6-12 s of CPU for a fixture stack); many tests
read the same document (a fixture stack, or the same variant of one). :func:`recorded_stack` is
:func:`planner.recorder.record_stack_file` for the offline program, keyed by what the recording
depends on: the stack file's bytes and name, the registry stand-in, the environment the program
reads (``MLOPS_*``, ``AWS_*``, ``PULUMI_*``, ``MOTO_*``), the working directory and the stack
file's project file (its ``Pulumi.yaml``, whose ``config:`` is merged into the stack's). The first
caller records; every other caller, in any pytest-xdist worker, unpickles the same graph (a fresh
copy: a test that mutates an input cannot change what another test reads), with ``source``
naming its own file.

The cache is ``.cache/recorded-stacks/<fingerprint>/``: the fingerprint hashes every file of the
code a recording runs (components, stacks, planner, policies, models, packaging: tracked or not),
``uv.lock``, ``pyproject.toml``, ``Pulumi.yaml``, this module and the Python version, and the rest of
the repository's code (delivery, pipelines, bin, bench, examples, provider, images, .github, .ci,
the Makefile: :data:`SOURCE_FOLDERS`), what is installed and the API models botocore reads from
``~/.aws/models``, so any change to them starts an empty cache and nothing served is stale; a later
run of unchanged code records nothing.
One change is finer: a recording runs only part of ``planner/`` and ``policies/`` (what the
recorder and the folders above import: not the plan's report, cost or CLI, nor the policy pack but
its instance-type data), so a new folder whose code differs from another's only in the rest of them (the same
:func:`recording_fingerprint`, kept in each folder) starts with that folder's graphs (linked in: an
edited rule or report records nothing again); its ``computed_once`` results are its own. Other
versions' folders are removed after an hour unchanged (a session of other code may still be
running in this checkout; if its folder goes, it records again). A stack file that fails to
record (ConfigError...) is not cached: the error is raised again for every caller.

Only for tests that read the offline recording of a document: a test that patches the program,
the resolver or the recorder (monkeypatch) calls ``record_stack_file`` itself.

:func:`computed_once` is the same cache for any other deterministic, picklable result (a module
fixture's recording with a custom program, a subprocess's report): computed once per version of the
code and of the tests' support files, the module that computes it and an explicit key, whichever
worker asks first; every caller unpickles its own copy.
"""

from __future__ import annotations

import dataclasses
import fcntl
import functools
import hashlib
import importlib.metadata
import os
import pickle
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from planner.recorder import ResourceGraph, record_stack_file
from stacks.config import project_dir
from stacks.project_config import PROJECT_FILE
from stacks.stack_file import StackFile

_ENVIRONMENT_PREFIXES = ("MLOPS_", "AWS_", "PULUMI_", "MOTO_")

# Everything the offline program runs or reads besides the stack file and the environment.
PROGRAM_SOURCE_FOLDERS = ("components", "stacks", "planner", "policies", "models", "packaging")
# The rest of the repository's code, which a `computed_once` result may run or read (a command of
# delivery/ or bin/ in a subprocess, a test's import of delivery.checks, a workflow's step, the
# bench's scripts, the provider's schema): in the fingerprint, so no result of old code is served
# after an edit there. Not in a recording's (:func:`recording_fingerprint`): the graphs are kept.
OTHER_SOURCE_FOLDERS = (
    "delivery",
    "pipelines",
    "bin",
    "bench",
    "examples",
    "provider",
    "images",
    ".github",
    ".ci",
)
SOURCE_FOLDERS = PROGRAM_SOURCE_FOLDERS + OTHER_SOURCE_FOLDERS
# Pulumi.yaml: where it is decides the project folder, where a stack file's paths start
# (stacks.config.project_dir).
RECORDING_FILES = ("uv.lock", "pyproject.toml", "Pulumi.yaml", "tests/recorded.py")
SOURCE_FILES = (*RECORDING_FILES, "Makefile", "__main__.py")
# The repository's other top-level entries, and why no result depends on them: prose, the tests'
# own files (their support files are in support_digest, a result's module in its key), tools'
# state. tests/test_recorded.py fails on a tracked top-level entry in none of these three lists.
NOT_SOURCE = {
    "tests": "test modules: a computed_once key names its module; support files: support_digest",
    "docs": "prose (a test reading it reads it itself, never through a cached result)",
    "README.md": "prose",
    "CHANGELOG.md": "prose",
    "LICENSE": "prose",
    ".gitignore": "git's list of untracked files, read by no command",
}

_cache_dir: Path | None = None


# Of the code's folders, those a recording may run or read any file of. Of the other two, planner/
# and policies/, a recording runs only what the recorder and these folders import (followed
# through their imports and their packages' __init__.py: :func:`recorder_imports`) and the two
# packages' own __init__.py: not the plan's report, cost, diagrams or CLI, nor the policy pack but
# its instance-type data (components/instance_types.py reads policies/aws_instance_types.py).
# tests/test_recorded.py checks that a fresh process recording the prod fixture imports or opens
# nothing else of either (an import by a computed name, a data file read).
RECORDED_FOLDERS = ("components", "stacks", "models", "packaging")
RECORDER = "planner/recorder.py"
# The program's packages: their modules are what a recording imports (models/ holds the training
# scripts the containers run, uploaded as files; packaging/ the wheel's layout).
PROGRAM_FOLDERS = ("components", "stacks")
RECORDER_PACKAGES = ("planner/__init__.py", "policies/__init__.py")


def source_fingerprint(repo: Path) -> str:
    """A hash of the code a recording runs and the tests' results depend on (see the module's
    docstring): the name of this code's cache folder."""
    return _digest(repo, _source_files(repo))


def recording_fingerprint(repo: Path, imports: set[str] | None = None) -> str:
    """:func:`source_fingerprint` of the files a recording can run or read: :data:`RECORDING_FILES`,
    the folders of :data:`RECORDED_FOLDERS` whole, and of the others (``planner/``, ``policies/``,
    ``delivery/``...) only what the recorder and
    those folders import (``imports``, else :func:`recorder_imports`) and the packages'
    ``__init__.py``. Two versions of the code with the same one record every stack document the
    same, so a graph recorded by either serves both (:func:`cache_dir_for`)."""
    reached = (recorder_imports(repo) if imports is None else imports) | set(RECORDER_PACKAGES)
    return _digest(
        repo,
        [
            path
            for path in _source_files(repo)
            if (relative := path.relative_to(repo)).as_posix() in RECORDING_FILES
            or relative.parts[0] in RECORDED_FOLDERS
            or relative.as_posix() in reached
        ],
    )


def recorder_imports(repo: Path) -> set[str]:
    """Every file below ``repo`` (relative, with slashes) a recording can import: :data:`RECORDER`
    and every Python file of the program's packages (:data:`PROGRAM_FOLDERS`: a component module
    may be loaded by name, ``components.extras.on_first_use``, which no import statement shows),
    followed through what they import, at module level or in a function (the definition cache's
    ``source_closure``), and the ``__init__.py`` of each package of what they reach (Python runs it
    first). Computed only for a new cache folder (0.5 CPU-s). Nothing where the recorder is absent;
    every file of ``planner/`` and ``policies/`` where a file cannot be parsed (code mid-edit: its
    imports are unknown, so no other code's graph is served; the recordings report the error)."""
    from components.training.definition_cache import source_closure

    if not (repo / RECORDER).is_file():
        return set()
    root = repo.resolve()
    files = _source_files(root)
    roots = {root / RECORDER} | {
        path for path in files if path.suffix == ".py" and path.relative_to(root).parts[0] in PROGRAM_FOLDERS
    }
    try:
        reached = set(source_closure(tuple(sorted(roots)), root))
        while (
            packages := {
                folder / "__init__.py"
                for path in reached
                for folder in path.parents
                if folder != root and folder.is_relative_to(root) and (folder / "__init__.py").is_file()
            }
            - reached
        ):
            reached |= set(source_closure(tuple(sorted(packages)), root))
    except (SyntaxError, ValueError, OSError):  # ValueError: UnicodeDecodeError, a NUL byte
        reached = {path for path in files if path.relative_to(root).parts[0] in ("planner", "policies")}
    return {path.relative_to(root).as_posix() for path in reached}


def _source_files(repo: Path) -> list[Path]:
    files = [repo / name for name in SOURCE_FILES]
    for folder in SOURCE_FOLDERS:
        files += sorted(
            path
            for path in (repo / folder).rglob("*")
            if path.is_file()
            and "__pycache__" not in path.parts
            and path.suffix != ".pyc"
            # Tools' caches (ruff keeps models/.ruff_cache): they change with every lint run.
            # Below the folder only: .github and .ci are folders of the code.
            and not any(part.startswith(".") for part in path.relative_to(repo / folder).parts)
        )
    return files


def _digest(repo: Path, files: list[Path]) -> str:
    digest = hashlib.sha256(sys.version.encode())
    # What is installed, not only what uv.lock asks for: an environment changed by hand
    # (`uv pip install pulumi==...`) must not be served results of the locked one.
    digest.update("\n".join(installed_distributions()).encode() + b"\0")
    # API models botocore reads besides its own (components.botocore_enums checks values against
    # them): a model added there changes what a plan accepts.
    for path in user_models():
        digest.update(f"{path}\0".encode() + path.read_bytes() + b"\0")
    for path in files:
        digest.update(str(path.relative_to(repo)).encode() + b"\0")
        if path.exists():
            # In pieces: a family's data file (a 300 MB CSV) is hashed without being held whole.
            with path.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def user_models(home: Path | None = None) -> list[Path]:
    """Every file under ``~/.aws/models``, where botocore also looks for API models (none on most
    machines; ``AWS_DATA_PATH``, the other place, is in the keyed environment)."""
    folder = (Path.home() if home is None else home) / ".aws" / "models"
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.is_dir() else []


@functools.cache
def installed_distributions() -> tuple[str, ...]:
    """``name==version`` of every distribution the interpreter can import, sorted. Read once per
    process (0.15 s of metadata files; the fingerprint's tests ask for it again and again): an
    environment changed while a test session runs is not one the session's results describe anyway."""
    return tuple(
        sorted({f"{dist.metadata['Name']}=={dist.version}" for dist in importlib.metadata.distributions()})
    )


# Another version's folder unchanged for this long belongs to no running session: it is removed.
STALE_SECONDS = 3600


def cache_folder(repo: Path) -> Path:
    """This code's cache folder: ``repo/.cache/recorded-stacks/<fingerprint>``."""
    return repo / ".cache" / "recorded-stacks" / source_fingerprint(repo)


# In each cache folder: the recording fingerprint of its code (a new folder starts with the graphs
# of another that has the same: :func:`cache_dir_for`).
RECORDING_MARK = "recording-fingerprint"
RECORDER_IMPORTS = "recorder-imports"


def cache_dir_for(repo: Path) -> Path:
    """This code's cache folder, made; other versions' are removed once stale (a session of other
    code may still be running in this checkout). A new folder starts with the graphs of the newest
    folder whose code records the same (:func:`recording_fingerprint`), before any is removed."""
    directory = cache_folder(repo)
    base = directory.parent
    directory.mkdir(parents=True, exist_ok=True)
    mark = directory / RECORDING_MARK
    if not mark.is_file():
        with locked(directory / f"{RECORDING_MARK}.lock"):  # one worker follows the imports
            if not mark.is_file():
                imports = recorder_imports(repo)
                recording = recording_fingerprint(repo, imports).encode()
                _take_graphs(directory, [other for other in base.iterdir() if _mark(other) == recording])
                # What the fingerprint held of planner/ and policies/ (tests/test_recorded.py reads it).
                write_whole(directory / RECORDER_IMPORTS, "\n".join(sorted(imports)).encode())
                write_whole(mark, recording)
    for other in base.iterdir():
        try:
            stale = time.time() - other.stat().st_mtime > STALE_SECONDS
        except FileNotFoundError:
            continue
        if other != directory and stale:
            shutil.rmtree(other, ignore_errors=True)
    return directory


def _mark(directory: Path) -> bytes | None:
    try:
        return (directory / RECORDING_MARK).read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None


def _take_graphs(directory: Path, sources: list[Path]) -> None:
    """Link into a new ``directory`` the graphs of the newest of ``sources``, folders of code that
    records every document the same (a policy pack edited: :func:`recording_fingerprint`). Only
    graphs (``<key>.pickle``): a ``computed_once`` result (``<module>.<name>-<key>.pickle``) may
    depend on the whole code. A hard link, as an entry is never written again in place
    (:func:`write_whole` replaces it); another worker's link of the same entry is the same file."""
    try:
        newest = max(sources, key=lambda folder: folder.stat().st_mtime)
    except (ValueError, FileNotFoundError):  # none, or one removed meanwhile: record what is needed
        return
    for entry in newest.glob("*.pickle"):
        if "." in entry.stem:
            continue
        try:
            os.link(entry, directory / entry.name)
        except FileExistsError:
            pass
        except OSError:  # another filesystem, or the entry went meanwhile: it is recorded again
            continue


def use_cache_dir(directory: Path | None) -> None:
    """Where the graphs are kept (set once per session by tests/conftest.py)."""
    global _cache_dir
    _cache_dir = directory


def _environment() -> str:
    """The environment the program reads (``MLOPS_*``, ``AWS_*``, ``PULUMI_*``, ``MOTO_*``)."""
    return repr(sorted((k, v) for k, v in os.environ.items() if k.startswith(_ENVIRONMENT_PREFIXES)))


def _key(path: Path, registry: str, *, located: bool) -> str:
    digest = hashlib.sha256()
    where = str(path.resolve().parent) if located else ""
    for part in (path.name, registry, _environment(), os.getcwd(), where):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(path.read_bytes())
    # The project's Pulumi.yaml: its `config:` is merged into the stack's (stacks.project_config),
    # so a stack file recorded in two projects is two recordings.
    project_file = project_dir(str(path)) / PROJECT_FILE
    digest.update(b"\0" + (project_file.read_bytes() if project_file.is_file() else b""))
    return digest.hexdigest()


def _record(source: str, path: Path, registry: str) -> tuple[ResourceGraph, bytes, bool]:
    """Record, and tell whether the graph depends on the file's folder beyond ``source``."""
    graph = record_stack_file(source, registry=registry)
    data = pickle.dumps(dataclasses.replace(graph, source=""), protocol=pickle.HIGHEST_PROTOCOL)
    return graph, data, str(path.resolve().parent).encode() in data


def _cached(directory: Path, path: Path, registry: str, source: str) -> ResourceGraph | None:
    for located in (False, True):
        entry = directory / f"{_key(path, registry, located=located)}.pickle"
        graph = _read(entry)
        if graph is not _MISSING:
            return dataclasses.replace(graph, source=source)
    return None


_MISSING = object()


def _read(entry: Path) -> Any:
    """The value pickled in ``entry``, or ``_MISSING`` when there is none or it cannot be read (a
    damaged file is computed again and replaced, never an error in every later run). Damage shows
    as any error of ``pickle.loads``: a truncated file raises ``UnpicklingError`` or ``EOFError``,
    random bytes mostly ``UnicodeDecodeError``, else ``TypeError``, ``AttributeError``..."""
    try:
        data = entry.read_bytes()
    except FileNotFoundError:
        return _MISSING
    try:
        return pickle.loads(data)
    except Exception:  # damaged (a graph's classes are the fingerprint's code: never renamed)
        return _MISSING


def recorded_stack(path: str | Path | StackFile, *, registry: str = "stand-in") -> ResourceGraph:
    """The offline recording of the stack file at ``path`` (see the module's docstring), or of one
    the caller has read (the CLI hands the recorder the stack file it validated)."""
    source = path.path if isinstance(path, StackFile) else str(path)
    path = Path(source)
    directory = _cache_dir
    if directory is None:
        return record_stack_file(source, registry=registry)
    found = _cached(directory, path, registry, source)
    if found is not None:
        return found
    # Another session (of other code, in this checkout) may have removed the folder: make it again.
    directory.mkdir(parents=True, exist_ok=True)
    # One recorder per document across the workers: the others wait for its graph.
    with locked(directory / f"{_key(path, registry, located=False)}.lock"):
        found = _cached(directory, path, registry, source)
        if found is not None:
            return found
        graph, data, located = _record(source, path, registry)
        write_whole(directory / f"{_key(path, registry, located=located)}.pickle", data)
        return graph


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Held by one process (or thread) at a time: the others wait in ``open``'s flock."""
    with open(path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def write_whole(target: Path, data: bytes) -> None:
    """Write ``target`` whole (readers never see part of it), unless its folder was removed."""
    partial = target.with_suffix(f".{os.getpid()}.partial")
    try:
        partial.write_bytes(data)
        partial.replace(target)
    except FileNotFoundError:
        pass  # the folder was removed meanwhile: the result is still this caller's


T = TypeVar("T")

TESTS = Path(__file__).resolve().parent


@cache
def support_digest(tests: Path = TESTS) -> str:
    """A hash of the tests' own code and data besides the test modules: every file under ``tests``
    not named ``test_*.py`` (conftest.py, helpers such as this one, fixtures/)."""
    digest = hashlib.sha256()
    for path in sorted(tests.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix == ".pyc":
            continue
        if path.name.startswith("test_") and path.suffix == ".py":
            continue
        digest.update(str(path.relative_to(tests)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


# `from tests.a.b import c, d` (names in brackets may span lines) and `import tests.a.b`, at any
# indentation (an import inside a function runs as much as one at the top).
_TESTS_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+(tests(?:\.\w+)*)[ \t]+import[ \t]+(\([^)]*\)|[^\n]*)|import[ \t]+(tests(?:\.\w+)+))",
    re.MULTILINE,
)


@cache
def imported_test_modules(module: Path, tests: Path = TESTS) -> tuple[Path, ...]:
    """The test modules (``test_*.py`` under ``tests``) that ``module`` imports, directly or through
    other modules of ``tests`` (test modules, support files and the packages' ``__init__.py``,
    which Python runs first), sorted: code a ``computed_once`` result may run that neither its own
    module's bytes nor :func:`support_digest` (the other files of ``tests``, but not what they
    import) hold. Read from the import statements' text (no parse; a name that is not a module is
    not a file, so it adds nothing), once per process."""
    seen: set[Path] = {module}
    pending = [module]
    while pending:
        for path in _imported_files(pending.pop(), tests):
            if path not in seen:
                seen.add(path)
                pending.append(path)
    return tuple(sorted(path for path in seen - {module} if path.name.startswith("test_")))


@cache
def _imported_files(module: Path, tests: Path) -> tuple[Path, ...]:
    """The files of ``tests`` that ``module``'s import statements name: each module and the
    ``__init__.py`` of each package on its way (read once per process, whoever imports it)."""
    files: set[Path] = set()
    for match in _TESTS_IMPORT.finditer(module.read_text()):
        package, names, imported = match.groups()
        dotted = [imported] if imported else [package]
        if names:
            dotted += [f"{package}.{word}" for word in re.findall(r"\w+", names) if word != "as"]
        for name in dotted:
            parts = name.split(".")
            for end in range(1, len(parts) + 1):
                folder = tests.parent.joinpath(*parts[:end])
                files |= {
                    path for path in (folder / "__init__.py", folder.with_suffix(".py")) if path.is_file()
                }
    return tuple(sorted(files))


def _entry(directory: Path, name: str, compute: Callable[[], object], key: Iterable[str | bytes]) -> Path:
    module = Path(compute.__code__.co_filename)  # type: ignore[attr-defined]
    digest = hashlib.sha256()
    parts = [
        name,
        str(module),
        module.read_bytes(),
        *(part for other in imported_test_modules(module) for part in (str(other), other.read_bytes())),
        support_digest(),
        _environment(),
        os.getcwd(),
        sys.executable,
    ]
    for part in [*parts, *key]:  # each part typed and sized: no two keys hash the same bytes
        data = part if isinstance(part, bytes) else part.encode()
        digest.update(f"{type(part).__name__}:{len(data)}:".encode() + data)
    return directory / f"{module.stem}.{name}-{digest.hexdigest()[:40]}.pickle"


def computed_once(name: str, compute: Callable[[], T], *, key: Iterable[str | bytes] = ()) -> T:
    """``compute()``, computed once per version of what decides it and served to every caller, in
    any xdist worker and any later run, as its own unpickled copy (the first caller too).

    The result must be picklable and a pure function of: the code (the cache folder's fingerprint:
    every folder of the repository's code, delivery/ and bin/ included, uv.lock, the Makefile, the
    Python version), the tests' support files
    (:func:`support_digest`), the file that defines ``compute``, the environment the program reads
    (``MLOPS_*``, ``AWS_*``, ``PULUMI_*``, ``MOTO_*``), the working directory, the interpreter, and
    the test modules that file imports (:func:`imported_test_modules`), and ``key``: everything
    else it depends on (input files' bytes, a test module it reads without importing it, installed
    packages beyond uv.lock, and for a run of bin/ or the Makefile the machine it runs on: PATH,
    HOME, the tools it runs and their settings, variables outside those prefixes such as ``UV_*``,
    ``HATCH_*``, ``SOURCE_DATE_EPOCH``: :func:`tests.bin.sandbox.machine_key`...). ``name`` tells
    apart the results of one module. Never for live objects (clients, moto state): a copy of one is
    not the same thing. A ``compute`` that raises is not cached: the error reaches every caller.
    Without a cache folder (outside the suite's session), every call computes.
    """
    directory = _cache_dir
    if directory is None:
        return compute()
    entry = _entry(directory, name, compute, key)
    found = _read(entry)
    if found is not _MISSING:
        return found
    # Another session (of other code, in this checkout) may have removed the folder: make it again.
    directory.mkdir(parents=True, exist_ok=True)
    with locked(entry.with_suffix(".lock")):
        found = _read(entry)  # another worker computed it meanwhile
        if found is not _MISSING:
            return found
        data = pickle.dumps(compute(), protocol=pickle.HIGHEST_PROTOCOL)
        write_whole(entry, data)
        _remove_stale_versions(entry)
        return pickle.loads(data)


def _remove_stale_versions(entry: Path) -> None:
    """Other keys' results of the same name (an edited test module...), once unchanged for an hour."""
    prefix = entry.name.rsplit("-", 1)[0]
    versions = re.compile(re.escape(prefix) + r"-[0-9a-f]{40}\.(pickle|lock)")
    for other in entry.parent.glob(f"{prefix}-*"):
        if not versions.fullmatch(other.name):
            continue  # another name that begins with this one's
        try:
            stale = time.time() - other.stat().st_mtime > STALE_SECONDS
        except FileNotFoundError:
            continue
        if other.with_suffix(".pickle") != entry and stale:
            other.unlink(missing_ok=True)


def cache_dir_command() -> tuple[int, str, str]:
    """``python -m tests.recorded --cache-dir`` as pull-request.yml runs it: a real process in the
    repository root, its exit status, stdout and stderr. What it prints is a pure function of the
    code and this module (the cache folder's fingerprint), so the tests that read it (its format,
    and that it is the folder the tests use) share one run through :func:`computed_once`."""
    return _command_once("--cache-dir", "cache-dir-command")


def recording_fingerprint_command() -> tuple[int, str, str]:
    """``python -m tests.recorded --recording-fingerprint`` as both workflows run it (the key of
    main's whole ``.cache/recorded-stacks``): a real process in the repository root, its exit
    status, stdout and stderr, run once per version of the code (:func:`computed_once`), shared by
    the tests of its format and of its value."""
    return _command_once("--recording-fingerprint", "recording-fingerprint-command")


def _command_once(flag: str, name: str) -> tuple[int, str, str]:
    """``python -m tests.recorded <flag>`` in the repository root, once per version of the code."""
    repo = Path(__file__).resolve().parent.parent

    def run() -> tuple[int, str, str]:
        result = subprocess.run(
            [sys.executable, "-m", "tests.recorded", flag],
            cwd=repo,
            capture_output=True,
            text=True,
            check=False,
        )
        return result.returncode, result.stdout, result.stderr

    return computed_once(name, run)


def main(argv: list[str] | None = None) -> int:
    """``python -m tests.recorded --cache-dir``: this code's cache folder, relative to the
    repository. CI's test job restores and saves it, keyed also by the tests, between runs of one
    pull request (docs/ci-cd.md): a re-run, or a push of docs, records nothing.
    ``--recording-fingerprint``: this code's recording fingerprint, as its folder's mark holds it:
    main-caches.yml saves the whole ``.cache/recorded-stacks`` under it, and a pull request whose
    own folder is not cached restores that, so a new folder of code that records the same starts
    with main's graphs (an edit to the policy pack records nothing again)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m tests.recorded", description=main.__doc__)
    printed = parser.add_mutually_exclusive_group(required=True)
    printed.add_argument("--cache-dir", action="store_true", help="print the folder")
    printed.add_argument(
        "--recording-fingerprint", action="store_true", help="print the recording fingerprint"
    )
    arguments = parser.parse_args(argv)
    repo = Path(__file__).resolve().parent.parent
    if arguments.recording_fingerprint:
        print(recording_fingerprint(repo))
    else:
        print(cache_folder(repo).relative_to(repo))
    return 0


if __name__ == "__main__":
    sys.exit(main())
