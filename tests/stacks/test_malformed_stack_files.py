"""Every malformed stack file gets a clear error: the file named, the key named, no traceback,
and output of bounded size (tests/stacks/malformed.py generates the cases from the fixtures).

Most cases go through the reader and the parser in-process (a :class:`ConfigError` is what every
CLI turns into exit 2), in slices of :data:`SLICE` cases whose outcomes are computed once per
version of the code and of the tests' support files (tests.recorded.computed_once); a sample, one
case of each kind of protection, goes through the planner's command line
(``planner.__main__.run``, what ``python -m planner`` runs) for the exit status and the output a
user sees, and two of them through ``python -m planner`` in subprocesses: a file that fails as it
is read and one that fails deep in its structure, in a fresh interpreter as a user runs it.
How long the worst cases take is measured by ``make bench`` (bench/malformed_bench.py), never
asserted here.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

import pytest
import yaml

from planner.__main__ import EXIT_INVALID_CONFIG, run
from stacks.config import ConfigError, parse_platform_config
from stacks.stack_file import read_stack_file
from tests.conftest import REPO
from tests.log_records import log_records
from tests.recorded import computed_once
from tests.stacks.malformed import BASES, Case, all_cases, dump_document

CASES = all_cases()
MAX_OUTPUT = 20_000
"""Characters of error output any case may produce (a 5 MB value must not flood the terminal)."""
PLANNER_SAMPLE = (
    "utf16-le-bom",
    "latin1-tag-value",
    "alias-bomb-in-tags",
    "nesting-flow-lists",
    "size-60000-tags",
    "platform-is-string",
    "dev-latest-approved-of-arn-too-few-fields",
    "dev-nan-models.0.promotion.threshold",
    "duplicate-key-cidr",
    "prod-name-prefix-huge",
    "yaml-nan-value",
)
"""Through the planner's command line: one of each kind of protection."""
PROCESS_SAMPLE = ("utf16-le-bom", "nesting-flow-lists")
"""Also through ``python -m planner`` in a fresh interpreter: each process costs about a second of
imports, and the command line's handling of an invalid file is the same for every kind."""


SLICE = 64
"""Cases whose outcomes one computation holds: consecutive cases, so each xdist worker, handed a run
of consecutive tests, computes slices of its own on a first run of the code."""
TMP = "@TMP@"
"""In a computed outcome: the temporary folder that held the cases' files."""
INDEX = {case.id: index for index, case in enumerate(CASES)}


def _param(case: Case) -> object:
    return pytest.param(case, id=case.id)


def _write(case: Case, directory: Path) -> Path:
    path = directory / f"Pulumi.{case.base}.yaml"
    path.write_bytes(_contents()[case.id])
    return path


@cache
def _contents() -> dict[str, bytes]:
    """Every case's file bytes (``Case.content``), made once per version of the code and of the
    tests' support files (tests/recorded.py, computed_once: tests/stacks/malformed.py and the
    fixtures are support files) and read by every worker: writing the ~870 documents (PyYAML's
    representer) cost a millisecond or more per case, as much as reading one back."""
    return computed_once("case-contents", lambda: {case.id: case.content() for case in CASES})


def _parent(key: str) -> str:
    if key.endswith("]"):
        return key[: key.rindex("[")]
    return key.rsplit(".", 1)[0] if "." in key else ""


def names_the_key(case: Case, problems: list[tuple[str, str]]) -> bool:
    """A problem is at the mutated key (or below it, or, for a dropped key, at the map missing it),
    or, for an error found at a line and column, its message says which key that is."""
    for reported, message in problems:
        if not case.key:
            if reported == "":
                return True
            continue
        if (
            reported == case.key
            or reported.startswith((f"{case.key}.", f"{case.key}["))
            or (case.parent_ok and reported == _parent(case.key))
            or f"(at {case.key}" in message
        ):
            return True
    return False


def test_the_generator_covers_every_section_with_enough_cases() -> None:
    from stacks.config import PlatformConfig

    assert len(CASES) >= 150
    mutated = {
        case.key.removeprefix("mlops-platform:platform.").split(".")[0].split("[")[0] for case in CASES
    }
    assert set(PlatformConfig.model_fields) - mutated <= {
        # Sections the fixtures leave at their defaults: mutated through the unknown-key and type
        # cases of the maps holding them only when a fixture sets them.
        "storage", "encryption", "trusted_image_registry_accounts", "model_registry", "experiment_tracking",
        "training", "endpoint_defaults", "kubernetes_serving", "protect_stateful_resources", "audit_trail",
        "shared_endpoints", "feature_queries",
    }  # fmt: skip


def test_the_fast_emitter_writes_what_pyyaml_writes() -> None:
    """The cases are dumped with libyaml's emitter (tests/stacks/malformed.py, dump_document): the
    base documents, and every case whose text or bytes are edited after the dump (those edits
    expect PyYAML's layout), come out as ``yaml.safe_dump`` writes them."""
    documents = [Case(id=base, key="", base=base).document() for base in BASES]
    documents += [case.document() for case in CASES if case.text is not None or case.data is not None]
    [emoji] = [case for case in CASES if case.id == "prod-tag-value-emoji"]  # beyond the BMP
    documents.append(emoji.document())
    # Strings libyaml writes differently from PyYAML: each must send its document to PyYAML.
    documents += [
        {"config": {"k": "x\N{NEXT LINE}y"}},
        {"config": {"a\rb": 1}},
        {"config": {"k" * 128: 1, "v": "k" * 300}},
        {"config": {"tag": "\N{GRINNING FACE}", "nbsp": "a\u00a0b"}},
    ]
    assert len(documents) > 40
    for document in documents:
        expected = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=1_000_000)
        assert dump_document(document) == expected


Outcome = tuple[str, str, list[tuple[str, str]], int] | str
"""What reading and parsing a case's file did: the :class:`ConfigError` it raised (its source, its
text and its problems, the folder read as ``TMP``; and its text's length as raised, the real folder
in each line), or, as text, that it raised nothing or another error."""


@cache
def _outcomes(first: int) -> dict[str, Outcome]:
    """The outcomes of the :data:`SLICE` cases from ``CASES[first]``, each case's file in its own
    folder (named by its id) of a temporary folder read back as ``TMP``: computed once per version
    of the code and of the tests' support files (tests/stacks/malformed.py and the fixtures make
    the cases) and read by every worker and later run (tests.recorded.computed_once)."""
    return computed_once(f"case-outcomes-{first}", lambda: _read_and_parse(CASES[first : first + SLICE]))


def _read_and_parse(cases: list[Case]) -> dict[str, Outcome]:
    outcomes: dict[str, Outcome] = {}
    with tempfile.TemporaryDirectory(prefix="malformed-") as directory:
        for case in cases:
            folder = Path(directory) / case.id
            folder.mkdir()
            path = _write(case, folder)
            try:
                parse_platform_config(read_stack_file(path).platform, str(path))
            except ConfigError as error:
                text = str(error)
                outcomes[case.id] = (
                    error.source.replace(directory, TMP),
                    text.replace(directory, TMP),
                    [(key, message.replace(directory, TMP)) for key, message in error.problems],
                    len(text),  # the bound is on what a user sees, the folder's whole path in it
                )
            except Exception as error:  # a crash: that case's test fails, naming it
                outcomes[case.id] = f"raised {type(error).__name__}, not ConfigError: {error}"
            else:
                outcomes[case.id] = "raised nothing, not ConfigError"
    return outcomes


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_a_malformed_stack_file_is_a_clear_error(case: Case) -> None:
    index = INDEX[case.id]
    outcome = _outcomes(index - index % SLICE)[case.id]
    path = f"{TMP}/{case.id}/Pulumi.{case.base}.yaml"

    assert not isinstance(outcome, str), outcome
    source, message, problems, length = outcome
    assert length <= MAX_OUTPUT, f"{length} characters of error output"
    assert source == path
    assert all(
        line.startswith(f"{path}: ") or line.startswith(f"  {path}: ") for line in message.splitlines()
    )
    assert names_the_key(case, problems), f"expected the key {case.key or '<file>'!r}:\n{message}"
    assert case.fragment in message


def _assert_exits_2_naming_file_and_key(case_id: str, path: Path, status: int, out: str, err: str) -> None:
    case = next(case for case in CASES if case.id == case_id)
    assert status == EXIT_INVALID_CONFIG, err[-2000:]
    assert out == ""
    assert "Traceback" not in err
    assert len(err) <= MAX_OUTPUT
    assert str(path) in err
    assert (case.key or "<file>") in err


@pytest.mark.parametrize("case_id", PLANNER_SAMPLE)
def test_the_planner_command_line_exits_2_naming_file_and_key(
    case_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], recwarn: pytest.WarningsRecorder
) -> None:
    path = _write(next(case for case in CASES if case.id == case_id), tmp_path)

    with log_records() as records:
        status = run(["--config", str(path)])

    captured = capsys.readouterr()
    _assert_exits_2_naming_file_and_key(case_id, path, status, captured.out, captured.err)
    # What a process would also print on stderr, captured apart in-process: nothing.
    assert (records, recwarn.list) == ([], [])


@pytest.fixture(scope="module")
def planner_processes(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, tuple[Path, subprocess.CompletedProcess[str]]]:
    """The process sample, planned by ``python -m planner`` in parallel processes (each fails
    before planning).

    Run once per version of the code for every xdist worker and later run (tests.recorded.computed_once):
    what a process prints and its exit status are a pure function of the code (planner, stacks,
    Pulumi.yaml: the cache folder's fingerprint), the case's bytes (made from tests/stacks/malformed.py
    and the fixtures, support files; keyed too), the MLOPS_/AWS_/PULUMI_... environment, the
    working directory and the interpreter, and of the path it is given, which comes back with
    the result: each test checks the output names the file that process read. A process killed
    by a signal raises, so it is run again next time, never served from the cache."""
    contents = _contents()
    results = computed_once(
        "planner-processes",
        lambda: _run_planner_processes(tmp_path_factory.mktemp("malformed")),
        key=[item for case_id in PROCESS_SAMPLE for item in (case_id, contents[case_id])],
    )
    return {case_id: (Path(path), process) for case_id, (path, process) in results.items()}


def _run_planner_processes(directory: Path) -> dict[str, tuple[str, subprocess.CompletedProcess[str]]]:
    by_id = {case.id: case for case in CASES}
    processes = {}
    for case_id in PROCESS_SAMPLE:
        folder = directory / case_id
        folder.mkdir()
        path = _write(by_id[case_id], folder)
        command = [sys.executable, "-m", "planner", "--config", str(path)]
        processes[case_id] = (
            path,
            subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True),
        )
    results = {}
    for case_id, (path, process) in processes.items():
        out, err = process.communicate(timeout=120)
        # Killed by a signal: raised, so run again next time, never served from the cache.
        assert process.returncode >= 0, f"killed by signal {-process.returncode}: {err}"
        results[case_id] = (
            str(path),
            subprocess.CompletedProcess(process.args, process.returncode, out, err),
        )
    return results


@pytest.mark.parametrize("case_id", PROCESS_SAMPLE)
def test_the_planner_process_exits_2_naming_file_and_key(case_id: str, planner_processes) -> None:
    path, process = planner_processes[case_id]

    _assert_exits_2_naming_file_and_key(case_id, path, process.returncode, process.stdout, process.stderr)
