"""What the plan can tell of a model family's step scripts before any job runs one.

Each script is uploaded and run alone, on its framework's image: ``python3 preprocess.py`` in a
processing job, ``train.py`` as the training job's entry point (and the endpoint's inference
module), ``evaluate.py`` in another processing job. A script Python cannot read or compile fails
its job at the first line, after the deploy, the data upload and the job's start-up; here it stops
the plan instead, naming the file and the line.

The scripts are compiled with the planner's Python (3.11 or newer), which reads every script an
older image's Python reads; a script for an image whose Python is newer than the planner's (a
``py312`` image planned with 3.11) is not compiled: its syntax may be newer than the planner knows.
"""

from __future__ import annotations

import io
import re
import sys
import tokenize
from functools import lru_cache
from pathlib import Path

_IMAGE_PYTHON = re.compile(r"(?:^|-)py(3)(\d+)\Z")
_CACHED_BYTES = 1_000_000


def image_python(version: str, py_version: str | None) -> tuple[int, int] | None:
    """The Python of a framework image where its ``py_version`` (``py311``) or its version
    (``1.4-2-py312``) names one, else None (``py3``, or nothing: the image's own Python 3)."""
    for text in (py_version or "", version):
        match = _IMAGE_PYTHON.search(text)
        if match:
            return int(match[1]), int(match[2])
    return None


def script_problem(path: Path, python: tuple[int, int] | None = None) -> str | None:
    """Why Python cannot run the script at ``path`` (it cannot be read, it is not text in its
    declared encoding, it does not compile), naming the line; None when it compiles, or when
    ``python`` (the image's) is newer than the planner's, which then cannot judge its syntax."""
    try:
        data = path.read_bytes()
    except OSError as error:
        return f"{path}: cannot be read ({error.strerror or error})"
    # Kept while it is a script's size, not a generated file's (which is compiled each time).
    cached = len(data) <= _CACHED_BYTES
    return (_source_problem if cached else _source_problem.__wrapped__)(str(path), data, python)


@lru_cache(maxsize=64)
def _source_problem(path: str, data: bytes, python: tuple[int, int] | None) -> str | None:
    """:func:`script_problem` of a script's bytes, once per content: a stack file is validated more
    than once a plan, and each time its families' scripts are read again (an edit is seen)."""
    declared: SyntaxError | None = None
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:  # an unknown codec, or the first two lines' bytes not UTF-8
        declared, encoding = error, "utf-8"
    try:
        text = data.decode(encoding)
        if declared is not None:
            return (
                f"{path}: its coding declaration: {declared.msg}; declare a codec Python has, or none (UTF-8)"
            )
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return (
            f"{path} line {line}: byte {data[error.start : error.start + 1]!r} is not {encoding} text, so "
            f"Python refuses the whole script (PEP 263); save the file as UTF-8"
        )
    if "\0" in text:
        line = text.count("\n", 0, text.index("\0")) + 1
        return f"{path} line {line}: a NUL character: this is not a Python source file"
    if python is not None and python > sys.version_info[:2]:
        return None
    try:
        compile(text, str(path), "exec", dont_inherit=True)
    except RecursionError:
        return f"{path}: nested too deep for Python to compile: its job would fail before running a line"
    except SyntaxError as error:  # TabError and IndentationError are SyntaxErrors too
        where = f" line {error.lineno}" if error.lineno else ""
        return (
            f"{path}{where}: Python cannot compile it ({error.msg}): its job would fail before running a line"
        )
    return None
