"""What the plan can tell of a model family's step scripts before any job runs one.

Each script is uploaded and run alone, on its framework's image: ``python3 preprocess.py`` in a
processing job, ``train.py`` as the training job's entry point (and the endpoint's inference
module), ``evaluate.py`` in another processing job. A script Python cannot read or compile fails
its job at the first line, after the deploy, the data upload and the job's start-up, and so does
one importing a module of its family's folder (``from common import FEATURES``), which its job never
downloads; here either stops the plan instead, naming the file and the line.

The scripts are compiled with the planner's Python (3.11 or newer), which reads every script an
older image's Python reads; a script for an image whose Python is newer than the planner's (a
``py312`` image planned with 3.11) is not compiled: its syntax may be newer than the planner knows.
"""

from __future__ import annotations

import ast
import codecs
import io
import os
import re
import sys
import tokenize
from functools import lru_cache
from pathlib import Path

_IMAGE_PYTHON = re.compile(r"(?:^|-)py(3)([0-9]+)\Z")
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
    """Why Python cannot run the script at ``path`` alone (it cannot be read, it is not text in its
    declared encoding, it does not compile, it imports a module of its own folder or a relative
    one), naming the line; None when it compiles, or when ``python`` (the image's) is newer than
    the planner's, which then cannot judge its syntax."""
    try:
        data = path.read_bytes()
    except OSError as error:
        return f"{path}: cannot be read ({error.strerror or error})"
    # Kept while it is a script's size, not a generated file's (which is compiled each time).
    cached = len(data) <= _CACHED_BYTES
    problem = (_source_problem if cached else _source_problem.__wrapped__)(str(path), data, python)
    if problem is not None or (python is not None and python > sys.version_info[:2]):
        return problem
    listing: tuple[frozenset[str], frozenset[str]] | None = None
    for line, module, level in (_imports if cached else _imports.__wrapped__)(data):
        if level:
            return (
                f"{path} line {line}: a relative import (from {'.' * level}{module or ''} import ...): the job "
                "runs the script alone, in no package; copy what it needs into the script (models/README.md, "
                "The contract)"
            )
        top = module.split(".")[0]
        if top == path.stem:
            continue
        if listing is None:  # read once a script: a script imports a dozen modules, each looked up
            listing = _listing(path.parent)
        if _is_module(path.parent, top, listing):
            return (
                f"{path} line {line}: imports '{module}', a module of the family's folder: each job downloads "
                "its own script only, so the import fails there; copy what it needs into the script "
                "(models/README.md, The contract)"
            )
    return None


def _listing(folder: Path) -> tuple[frozenset[str], frozenset[str]]:
    """The names of ``folder``'s files and of its folders (none where it cannot be read)."""
    files: set[str] = set()
    folders: set[str] = set()
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                try:
                    if entry.is_dir():
                        folders.add(entry.name)
                    elif entry.is_file():
                        files.add(entry.name)
                except OSError:
                    continue
    except OSError:
        pass
    return frozenset(files), frozenset(folders)


def _is_module(folder: Path, name: str, listing: tuple[frozenset[str], frozenset[str]]) -> bool:
    """Whether ``import <name>`` would find ``name`` in ``folder`` (``listing``: its files and
    folders): a module or a package of modules."""
    files, folders = listing
    if f"{name}.py" in files:
        return True
    try:
        return name in folders and any((folder / name).glob("*.py"))
    except OSError:
        return False


_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


@lru_cache(maxsize=64)
def _imports(data: bytes) -> tuple[tuple[int, str, int], ...]:
    """(line, module, relative level) of each import the script runs unguarded: not in the body of a
    ``try`` that handles ``ImportError`` (an optional module, as ``mlflow`` in the shipped scripts),
    nor under ``if TYPE_CHECKING:``."""
    found: list[tuple[int, str, int]] = []
    try:
        pending: list[ast.AST] = [ast.parse(data)]
    except RecursionError:  # compiled, yet too deep for Python's own AST objects: nothing judged
        return ()
    while pending:  # not recursive: a script Python compiles may nest deeper than a Python stack
        node = pending.pop()
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name, 0) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.append((node.lineno, node.module or "", node.level))
        elif isinstance(node, ast.Try | ast.TryStar) and any(_handles_import(h) for h in node.handlers):
            pending.extend((*node.handlers, *node.orelse, *node.finalbody))
        elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            pending.extend(node.orelse)
        else:
            pending.extend(ast.iter_child_nodes(node))
    return tuple(sorted(found))


def _handles_import(handler: ast.ExceptHandler) -> bool:
    caught = handler.type
    names = caught.elts if isinstance(caught, ast.Tuple) else [caught] if caught is not None else []
    return caught is None or any(
        (name.id if isinstance(name, ast.Name) else name.attr if isinstance(name, ast.Attribute) else "")
        in _IMPORT_ERRORS
        for name in names
    )


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
    if codecs.lookup(encoding).name not in ("utf-8", "utf-8-sig"):
        # Python and the job take it (PEP 263), but `make test` lints every family script with ruff,
        # which reads UTF-8 only (E902): the family would turn the suite red, so it is said here.
        return (
            f"{path}: its coding declaration names {encoding}, not UTF-8: save it as UTF-8 and drop the declaration "
            f"(ruff, which `make test` runs on family scripts, reads UTF-8 only)"
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


_SERVING_STEPS = ("input_fn", "predict_fn", "output_fn")
_SERVED = ("model_fn", *_SERVING_STEPS, "transform_fn")
"""The functions a serving container looks up in the inference module and calls."""
_OPAQUE_BINDING = re.compile(r"\bglobals\(\)|\bsys\.modules\[\s*__name__\s*\]")


def serving_problem(path: Path, framework: str) -> str | None:
    """Why the framework's serving container cannot serve the family with the train script at
    ``path`` as its inference module (``SAGEMAKER_PROGRAM``), naming the line: the scikit-learn
    container has no default ``model_fn`` (its default raises NotImplementedError at the first
    request), and every framework container refuses ``transform_fn`` beside ``input_fn``,
    ``predict_fn`` or ``output_fn``, and calls each of them as a plain function (an ``async def``
    returns a coroutine, not its answer). None when it serves, or when the module's names cannot be
    told from its text (a ``from ... import *``, names bound through ``globals()``); XGBoost's and
    PyTorch's containers load a model without a ``model_fn`` of their own (the saved booster, a
    TorchScript ``model.pt``). Only for a script :func:`script_problem` passes."""
    try:
        data = path.read_bytes()
        bound = _module_names(data)
    except (OSError, SyntaxError, ValueError, RecursionError):
        return None  # script_problem names what is wrong with the file itself
    if bound is None:
        return None
    coroutines = [name for name in _SERVED if isinstance(bound.get(name), ast.AsyncFunctionDef)]
    if coroutines:
        return (
            f"{path} line {bound[coroutines[0]].lineno}: {coroutines[0]} is an async def: the serving "
            "container calls it as a plain function and gets a coroutine, not its result (every request "
            "fails); define it with def (models/README.md, The contract)"
        )
    if "transform_fn" in bound and (steps := [name for name in _SERVING_STEPS if name in bound]):
        return (
            f"{path} line {bound['transform_fn'].lineno}: defines transform_fn and {', '.join(steps)}: the "
            "serving container refuses a transform_fn beside input_fn, predict_fn or output_fn (every "
            "request fails); keep transform_fn alone or drop it (models/README.md, The contract)"
        )
    if framework == "sklearn" and "model_fn" not in bound:
        return (
            f"{path}: defines no model_fn(model_dir): the scikit-learn serving container has no default "
            "(it raises NotImplementedError), so every request to the endpoint and every batch transform "
            "fails; define model_fn in the train script, which is also the inference module "
            "(models/README.md, The contract)"
        )
    return None


@lru_cache(maxsize=64)
def _module_names(data: bytes) -> dict[str, ast.stmt] | None:
    """Each name the module binds at import (its top level, through ``if``, ``try``, ``with`` and
    loops, not inside functions or classes) with the statement that first binds it; None when an
    import of ``*`` or a binding through ``globals()`` or ``sys.modules[__name__]`` may bind any name."""
    tree = ast.parse(data)
    bound: dict[str, ast.stmt] = {}
    pending: list[ast.stmt] = list(reversed(tree.body))
    while pending:
        node = pending.pop()
        names: list[str] = []
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names = [node.name]
        elif isinstance(node, ast.Import):
            names = [alias.asname or alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if any(alias.name == "*" for alias in node.names):
                return None
            names = [alias.asname or alias.name for alias in node.names]
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [name for target in targets for name in _target_names(target)]
        else:
            for field in ("body", "orelse", "finalbody"):
                pending.extend(reversed(getattr(node, field, [])))
            for handler in getattr(node, "handlers", []):
                pending.extend(reversed(handler.body))
            if isinstance(node, ast.Match):
                for case in node.cases:
                    pending.extend(reversed(case.body))
        for name in names:
            bound.setdefault(name, node)
    if _OPAQUE_BINDING.search(data.decode("utf-8", "replace")):
        return None
    return bound


def _target_names(target: ast.expr) -> list[str]:
    """The names an assignment to ``target`` binds (``a``, ``a, (b, *c)``; not ``a[0]`` or ``a.b``)."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    if isinstance(target, ast.Tuple | ast.List):
        return [name for element in target.elts for name in _target_names(element)]
    return []
