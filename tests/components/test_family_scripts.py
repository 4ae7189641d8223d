"""A model family's step scripts as an adopter edits them: one Python cannot read or compile stops
the plan, naming the stack file, the entry point's key, the script and the line; what Python runs
(a byte-order mark, CRLF line ends, a declared encoding) plans. Each test builds its own family in
tmp_path from a copy of a shipped family's scripts."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from components.training.family_scripts import image_python, script_problem
from planner.__main__ import main
from stacks.config import CONFIG_KEY, ConfigError, parse_platform_config
from tests.conftest import REPO, load_stack_document


def _family(tmp_path: Path) -> Path:
    folder = tmp_path / "models" / "my-model"
    shutil.copytree(REPO / "models" / "customer-churn", folder)
    return folder


def _platform(folder: Path) -> dict[str, Any]:
    platform = load_stack_document("dev")["config"][CONFIG_KEY]
    platform["models"][0]["training"]["code"] = str(folder)
    return platform


def _append(text: str) -> Callable[[bytes], bytes]:
    return lambda source: source + text.encode()


BROKEN: dict[str, tuple[str, Callable[[bytes], bytes], str]] = {
    "a-syntax-error": ("train", _append("\ndef broken(:\n"), "Python cannot compile it (invalid syntax)"),
    "python-2-print": ("evaluate", _append("\nprint 'done'\n"), "Missing parentheses in call to 'print'"),
    "tabs-and-spaces": (
        "preprocess",
        _append("\nif True:\n        x = 1\n\ty = 2\n"),
        "inconsistent use of tabs and spaces",
    ),
    "a-latin-1-comment": ("evaluate", lambda source: source + b"\n# caf\xe9\n", "is not utf-8 text"),
    "a-nul-byte": ("train", lambda source: source + b"\nx = 1\x00\n", "a NUL character"),
    "an-unknown-coding": ("train", lambda source: b"# coding: nope\n" + source, "unknown encoding: nope"),
    # Python runs it, but ruff (make test's lint of family scripts) reads UTF-8 only: E902.
    "latin-1-declared": (
        "train",
        lambda source: b"# -*- coding: latin-1 -*-\n" + source + b"\n# caf\xe9\n",
        "its coding declaration names iso-8859-1, not UTF-8: save it as UTF-8 and drop the declaration",
    ),
    "a-future-import-moved-down": (
        "preprocess",
        _append("\nfrom __future__ import annotations\n"),
        "from __future__ imports must occur at the beginning of the file",
    ),
}


@pytest.mark.parametrize(("step", "edit", "fragment"), BROKEN.values(), ids=BROKEN.keys())
def test_a_step_script_python_cannot_run_is_a_config_error_naming_the_file_key_and_line(
    tmp_path: Path, step: str, edit: Callable[[bytes], bytes], fragment: str
) -> None:
    folder = _family(tmp_path)
    script = folder / f"{step}.py"
    script.write_bytes(edit(script.read_bytes()))
    line = script.read_bytes().rstrip(b"\n").count(b"\n") + 1 if "coding" not in fragment else None

    with pytest.raises(ConfigError) as raised:
        parse_platform_config(_platform(folder), "stacks/Pulumi.dev.yaml")

    [(key, message)] = raised.value.problems
    assert key == f"{CONFIG_KEY}.models[0].training.entry_points.{step}"
    assert message.startswith(str(script)) and fragment in message, message
    if line is not None:
        assert f" line {line}:" in message, message


def test_each_broken_script_is_named_at_once(tmp_path: Path) -> None:
    folder = _family(tmp_path)
    for step in ("train", "evaluate"):
        (folder / f"{step}.py").write_text("def broken(:\n")

    with pytest.raises(ConfigError) as raised:
        parse_platform_config(_platform(folder), "stacks/Pulumi.dev.yaml")

    assert sorted(key.rsplit(".", 1)[1] for key, _ in raised.value.problems) == ["evaluate", "train"]


ALLOWED: dict[str, tuple[str, Callable[[bytes], bytes]]] = {
    "a-byte-order-mark-and-crlf": ("train", lambda source: b"\xef\xbb\xbf" + source.replace(b"\n", b"\r\n")),
    "utf-8-declared": (
        "train",
        lambda source: b"# -*- coding: utf-8 -*-\n" + source + "\n# caf\u00e9\n".encode(),
    ),
    # Not the train script: an empty one defines no model_fn to serve (test_family_serving_76.py).
    "an-empty-script": ("evaluate", lambda source: b""),
}


@pytest.mark.parametrize(("step", "edit"), ALLOWED.values(), ids=ALLOWED.keys())
def test_a_script_python_runs_plans(tmp_path: Path, step: str, edit: Callable[[bytes], bytes]) -> None:
    folder = _family(tmp_path)
    script = folder / f"{step}.py"
    script.write_bytes(edit(script.read_bytes()))

    config = parse_platform_config(_platform(folder), "stacks/Pulumi.dev.yaml")

    training = config.models[0].training
    assert training is not None and training.scripts[step] == script


def test_an_image_python_newer_than_the_planners_is_not_judged(tmp_path: Path) -> None:
    """Its syntax may be newer than the planner's Python knows (3.12's nested f-string quotes on 3.11)."""
    script = tmp_path / "train.py"
    script.write_text("def broken(:\n")
    assert script_problem(script, (3, 99)) is None
    assert "invalid syntax" in (script_problem(script, (3, 9)) or "")
    assert "invalid syntax" in (script_problem(script) or "")
    # Still read: bytes no Python decodes are refused whatever the image.
    script.write_bytes(b"# caf\xe9\n")
    assert "is not utf-8 text" in (script_problem(script, (3, 99)) or "")


@pytest.mark.parametrize(
    ("version", "py_version", "python"),
    [
        pytest.param("2.5", "py311", (3, 11), id="pytorch-py311"),
        pytest.param("1.4-2-py312", None, (3, 12), id="in-the-version"),
        pytest.param("1.2-1", None, None, id="the-images-own"),
        pytest.param("1.2-1", "py3", None, id="py3-names-no-minor"),
    ],
)
def test_the_image_python_is_read_from_the_framework(version, py_version, python) -> None:
    assert image_python(version, py_version) == python


def test_the_plan_of_a_stack_whose_family_script_does_not_compile_exits_2_printing_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _family(tmp_path)
    (folder / "train.py").write_text((folder / "train.py").read_text() + "\ndef broken(:\n")
    document = load_stack_document("dev")
    document["config"][CONFIG_KEY] = _platform(folder)
    stack_file = tmp_path / "Pulumi.dev.yaml"
    stack_file.write_text(json.dumps(document))
    before = sorted(tmp_path.rglob("*"))

    assert main(["--config", str(stack_file)]) == 2

    out, err = capsys.readouterr()
    assert out == ""
    assert (
        f"{stack_file}: {CONFIG_KEY}.models[0].training.entry_points.train: {folder / 'train.py'} line" in err
    )
    assert sorted(tmp_path.rglob("*")) == before


def test_a_script_nested_too_deep_for_python_to_compile_is_refused(tmp_path: Path) -> None:
    """Python's compiler stops with a RecursionError, as the job's would: a problem, not a crash."""
    script = tmp_path / "train.py"
    script.write_text("x = " + "+".join(["a"] * 200_000) + "\n")
    assert "nested too deep for Python to compile" in (script_problem(script) or "")


def _with_lines(folder: Path, step: str, text: str) -> int:
    """``text`` appended to the step's script; the line number of its first line."""
    script = folder / f"{step}.py"
    source = script.read_text(encoding="utf-8")
    script.write_text(source + text, encoding="utf-8")
    return source.count("\n") + 1


SIBLING_IMPORTS: dict[str, tuple[str, dict[str, str], str, str]] = {
    "a-module-of-the-folder": (
        "train",
        {"common.py": "FEATURES = ()\n"},
        "from common import FEATURES\n",
        "imports 'common', a module of the family's folder",
    ),
    "a-package-of-the-folder": (
        "preprocess",
        {"helpers/__init__.py": "", "helpers/io.py": "X = 1\n"},
        "import helpers.io\n",
        "imports 'helpers.io', a module of the family's folder",
    ),
    "another-step-script": (
        "evaluate",
        {},
        "def load():\n    from train import model_fn\n    return model_fn\n",
        "imports 'train', a module of the family's folder",
    ),
    "a-relative-import": ("train", {"common.py": ""}, "from .common import FEATURES\n", "a relative import"),
    "a-bare-relative-import": ("train", {}, "from . import common\n", "a relative import (from . import"),
}


@pytest.mark.parametrize(("step", "files", "text", "fragment"), SIBLING_IMPORTS.values(), ids=SIBLING_IMPORTS)
def test_a_step_script_importing_from_its_folder_is_a_config_error_naming_the_line(
    tmp_path: Path, step: str, files: dict[str, str], text: str, fragment: str
) -> None:
    """Each job downloads its own script only (models/README.md, The contract): the import would
    fail there, after the deploy, though it works on a laptop, in the family's folder."""
    folder = _family(tmp_path)
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(content)
    line = _with_lines(folder, step, text) + (1 if text.startswith("def ") else 0)

    with pytest.raises(ConfigError) as raised:
        parse_platform_config(_platform(folder), "stacks/Pulumi.dev.yaml")

    [(key, message)] = raised.value.problems
    assert key == f"{CONFIG_KEY}.models[0].training.entry_points.{step}"
    assert message.startswith(f"{folder / f'{step}.py'} line {line}: ") and fragment in message, message


OWN_IMPORTS: dict[str, tuple[dict[str, str], str]] = {
    "guarded-by-an-import-error-handler": (
        {"common.py": "X = 1\n"},
        "try:\n    from common import X\nexcept ImportError:\n    X = 1\n",
    ),
    "guarded-by-a-tuple-of-handlers": (
        {"common.py": "X = 1\n"},
        "try:\n    import common\nexcept (OSError, ModuleNotFoundError):\n    common = None\n",
    ),
    "for-the-type-checker-only": (
        {"common.py": "X = 1\n"},
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from common import X\n",
    ),
    "a-data-folder-named-as-a-module": ({"json/rows.json": "[]\n"}, "import json\n"),
    "a-test-of-the-family-imports-the-script": ({"test_train.py": "import train\n"}, ""),
}


@pytest.mark.parametrize(("files", "text"), OWN_IMPORTS.values(), ids=OWN_IMPORTS)
def test_imports_the_job_can_run_plan(tmp_path: Path, files: dict[str, str], text: str) -> None:
    folder = _family(tmp_path)
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(content)
    _with_lines(folder, "train", text)

    config = parse_platform_config(_platform(folder), "stacks/Pulumi.dev.yaml")

    assert config.models[0].training is not None
