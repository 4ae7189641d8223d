"""What session 76's mutation sweep of ``components/training/family_scripts.py`` found no test asserting.

Each test kills a mutant that survived ``test_family_scripts.py`` and ``test_family_serving_76.py``:
which imports a job runs unguarded, which Python the planner judges a script for, and which names a
module binds at import (the serving container looks its handlers up there).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from components.training.family_scripts import script_problem, serving_problem


def _script(tmp_path: Path, text: str, name: str = "train.py") -> Path:
    script = tmp_path / name
    script.write_text(text)
    (tmp_path / "helper.py").write_text("VALUE = 1\n")  # a module of the family's folder
    return script


# --- script_problem: imports the job runs alone ------------------------------------------------------------


def test_a_script_importing_itself_by_name_runs_alone(tmp_path: Path) -> None:
    """The job downloads the script itself: ``import train`` in ``train.py`` finds it there."""
    assert script_problem(_script(tmp_path, "import train\n")) is None


def test_an_import_in_the_else_of_a_guarded_try_is_unguarded(tmp_path: Path) -> None:
    """The ``else`` of ``try: ... except ImportError`` runs when the import succeeded: nothing guards it."""
    text = "try:\n    import mlflow\nexcept ImportError:\n    mlflow = None\nelse:\n    import helper\n"
    assert "line 6: imports 'helper'" in (script_problem(_script(tmp_path, text)) or "")


def test_a_bare_except_guards_an_import(tmp_path: Path) -> None:
    text = "try:\n    import helper\nexcept:\n    helper = None\n"
    assert script_problem(_script(tmp_path, text)) is None


def test_a_script_is_compiled_for_an_image_python_no_newer_than_the_planners(tmp_path: Path) -> None:
    """Only a newer image Python (whose syntax the planner may not know) leaves the script unjudged."""
    broken = _script(tmp_path, "def broken(:\n")
    assert "Python cannot compile it" in (script_problem(broken, sys.version_info[:2]) or "")
    assert script_problem(broken, (sys.version_info[0], sys.version_info[1] + 1)) is None


# --- serving_problem: the names the module binds at import -----------------------------------------------

BOUND_MODEL_FN = {
    "in-an-except-handler": "try:\n    import joblib\nexcept ImportError:\n    def model_fn(model_dir):\n        return None\n",
    "in-a-match-case": (
        "import os\nmatch os.environ.get('MODE'):\n    case 'a':\n        def model_fn(model_dir):\n"
        "            return None\n    case _:\n        pass\n"
    ),
}


@pytest.mark.parametrize("text", BOUND_MODEL_FN.values(), ids=BOUND_MODEL_FN.keys())
def test_a_model_fn_bound_at_import_through_any_statement_serves(tmp_path: Path, text: str) -> None:
    assert serving_problem(_script(tmp_path, text), "sklearn") is None


def test_a_model_fn_bound_through_the_modules_own_entry_in_sys_modules_is_not_judged(tmp_path: Path) -> None:
    """``setattr(sys.modules[__name__], ...)`` may bind any name: the module's names cannot be told."""
    text = "import sys\nsetattr(sys.modules[__name__], 'model_' + 'fn', lambda model_dir: None)\n"
    assert serving_problem(_script(tmp_path, text), "sklearn") is None


def test_the_refusal_names_the_line_transform_fn_is_first_bound_at(tmp_path: Path) -> None:
    text = (
        "def transform_fn(model, body, content_type, accept):\n    return body\n\n"
        "def input_fn(body, content_type):\n    return body\n\n"
        "transform_fn = transform_fn\n"
    )
    assert (serving_problem(_script(tmp_path, text), "xgboost") or "").startswith(
        f"{tmp_path / 'train.py'} line 1:"
    )


def test_a_script_python_cannot_compile_has_no_serving_problem(tmp_path: Path) -> None:
    """:func:`script_problem` names what is wrong with the file itself; serving says nothing of it."""
    assert serving_problem(_script(tmp_path, "def broken(:\n"), "sklearn") is None
    assert serving_problem(_script(tmp_path, "x = 1\0\n"), "sklearn") is None
