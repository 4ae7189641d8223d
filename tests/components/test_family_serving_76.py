"""The train script is also the endpoint's inference module (``SAGEMAKER_PROGRAM``): what its
framework's serving container refuses stops the plan, naming the stack file, the train entry
point's key, the script and the line, not the first request after a deploy.

The containers' rules (their source): scikit-learn's ``default_model_fn`` raises
NotImplementedError (aws/sagemaker-scikit-learn-container, handler_service.py), and every container
refuses ``transform_fn`` beside ``input_fn``, ``predict_fn`` or ``output_fn`` (sagemaker-inference
toolkit's Transformer, the scikit-learn and XGBoost containers' ``_user_module_transformer``).
XGBoost's and PyTorch's containers load a model without a ``model_fn`` (the booster, a TorchScript
``model.pt``). Each test builds its own family in tmp_path from a shipped family's scripts."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from components.training.family_scripts import serving_problem
from planner.__main__ import main
from stacks.config import CONFIG_KEY, ConfigError, parse_platform_config
from tests.conftest import REPO, load_stack_document

TRAIN_KEY = f"{CONFIG_KEY}.models[0].training.entry_points.train"


def _family(tmp_path: Path, source: str = "customer-churn") -> Path:
    folder = tmp_path / "models" / "my-model"
    shutil.copytree(REPO / "models" / source, folder)
    return folder


def _platform(folder: Path, framework: dict[str, str] | None = None) -> dict[str, Any]:
    platform = load_stack_document("dev")["config"][CONFIG_KEY]
    training = platform["models"][0]["training"]
    training["code"] = str(folder)
    if framework is not None:
        training["framework"] = framework
    return platform


def _without(source: str, function: str, replacement: str = "") -> str:
    """``source`` with the top-level ``def function(...)`` (to the next top-level line) replaced."""
    pattern = re.compile(rf"^def {function}\(.*?(?=^\S)", re.S | re.M)
    assert pattern.search(source), f"no def {function} in the shipped script"
    return pattern.sub(replacement, source, count=1)


def _problem(folder: Path, framework: dict[str, str] | None = None) -> tuple[str, str]:
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(_platform(folder, framework), "stacks/Pulumi.dev.yaml")
    [(key, message)] = raised.value.problems
    return key, message


def test_a_scikit_learn_train_script_without_model_fn_is_refused_at_the_train_key(tmp_path: Path) -> None:
    folder = _family(tmp_path)
    script = folder / "train.py"
    script.write_text(_without(script.read_text(), "model_fn"))

    key, message = _problem(folder)

    assert key == TRAIN_KEY
    assert message.startswith(f"{script}: defines no model_fn(model_dir)"), message
    assert "scikit-learn serving container has no default" in message


def test_transform_fn_beside_the_step_functions_is_refused_naming_its_line(tmp_path: Path) -> None:
    folder = _family(tmp_path)
    script = folder / "train.py"
    text = script.read_text() + "\n\ndef transform_fn(model, body, content_type, accept):\n    return body\n"
    script.write_text(text)
    line = text.splitlines().index("def transform_fn(model, body, content_type, accept):") + 1

    key, message = _problem(folder)

    assert key == TRAIN_KEY
    assert message.startswith(f"{script} line {line}: defines transform_fn and input_fn, predict_fn"), message


@pytest.mark.parametrize(
    "framework",
    [
        pytest.param({"name": "xgboost", "version": "3.0-5"}, id="xgboost"),
        pytest.param({"name": "pytorch", "version": "2.5", "py_version": "py311"}, id="pytorch"),
    ],
)
def test_transform_fn_beside_the_step_functions_is_refused_on_every_framework(
    tmp_path: Path, framework: dict[str, str]
) -> None:
    folder = _family(tmp_path, "demand-forecast")
    script = folder / "train.py"
    script.write_text(script.read_text() + "\n\ntransform_fn = None\n")

    key, message = _problem(folder, framework)

    assert key == TRAIN_KEY
    assert "defines transform_fn and input_fn, predict_fn, output_fn" in message


@pytest.mark.parametrize(
    "framework",
    [
        pytest.param({"name": "xgboost", "version": "3.0-5"}, id="xgboost-loads-the-booster"),
        pytest.param(
            {"name": "pytorch", "version": "2.5", "py_version": "py311"}, id="pytorch-loads-torchscript"
        ),
    ],
)
def test_frameworks_with_a_default_model_fn_plan_without_one(
    tmp_path: Path, framework: dict[str, str]
) -> None:
    folder = _family(tmp_path, "demand-forecast")
    script = folder / "train.py"
    script.write_text(_without(script.read_text(), "model_fn"))

    config = parse_platform_config(_platform(folder, framework), "stacks/Pulumi.dev.yaml")

    assert config.models[0].training is not None


SERVES: dict[str, str] = {
    # Each binds model_fn at import, as the container's getattr(user_module, "model_fn") finds it.
    "an-assignment": "model_fn = _load\n",
    "a-tuple-assignment": "model_fn, other = _load, None\n",
    "an-annotated-assignment": "model_fn: object = _load\n",
    "an-import-from-a-package": "from joblib import load as model_fn\n",
    "a-conditional-definition": "if True:\n    def model_fn(model_dir):\n        return None\n",
    "in-a-try": "try:\n    model_fn = _load\nexcept NameError:\n    model_fn = None\n",
    "in-a-with": "import contextlib\nwith contextlib.suppress(Exception):\n    model_fn = _load\n",
    "a-star-import": "from joblib import *\n",  # may bind anything: not judged
    "through-globals": "globals()['model_fn'] = _load\n",  # not judged either
    "a-transform-fn-alone": "",  # replaced below: transform_fn, no input/predict/output_fn
}


@pytest.mark.parametrize("addition", SERVES.values(), ids=SERVES.keys())
def test_a_train_script_the_container_serves_plans(tmp_path: Path, addition: str) -> None:
    folder = _family(tmp_path)
    script = folder / "train.py"
    text = _without(script.read_text(), "model_fn", "def _load(model_dir):\n    return None\n\n\n")
    if not addition:
        for function in ("input_fn", "predict_fn"):
            text = _without(text, function)
        addition = "model_fn = _load\ndef transform_fn(model, body, content_type, accept):\n    return body\n"
    script.write_text(text + "\n" + addition)

    config = parse_platform_config(_platform(folder), "stacks/Pulumi.dev.yaml")

    assert config.models[0].training is not None


BINDS_NOTHING: dict[str, str] = {
    "inside-a-function": "def setup():\n    model_fn = None\n    return model_fn\n",
    "an-attribute": "import types\nholder = types.SimpleNamespace()\nholder.model_fn = None\n",
    "a-subscript": "table = {}\ntable['model_fn'] = None\n",
    "a-comment-and-a-string": "# def model_fn(model_dir)\nNOTE = 'model_fn'\n",
    "in-a-class": "class Server:\n    def model_fn(self, model_dir):\n        return None\n",
}


@pytest.mark.parametrize("addition", BINDS_NOTHING.values(), ids=BINDS_NOTHING.keys())
def test_a_model_fn_not_bound_at_the_modules_top_is_none(tmp_path: Path, addition: str) -> None:
    script = tmp_path / "train.py"
    script.write_text("import json\n" + addition)

    assert "defines no model_fn" in (serving_problem(script, "sklearn") or "")
    assert serving_problem(script, "xgboost") is None


def test_a_script_with_another_problem_is_named_once_for_it(tmp_path: Path) -> None:
    """A train script Python cannot compile is refused for that, not also for its serving functions."""
    folder = _family(tmp_path)
    (folder / "train.py").write_text("def broken(:\n")

    key, message = _problem(folder)

    assert key == TRAIN_KEY and "Python cannot compile it" in message


def test_the_plan_of_a_family_the_container_cannot_serve_exits_2_printing_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _family(tmp_path)
    script = folder / "train.py"
    script.write_text(_without(script.read_text(), "model_fn"))
    document = load_stack_document("dev")
    document["config"][CONFIG_KEY] = _platform(folder)
    stack_file = tmp_path / "Pulumi.dev.yaml"
    stack_file.write_text(json.dumps(document))
    before = sorted(tmp_path.rglob("*"))

    assert main(["--config", str(stack_file)]) == 2

    out, err = capsys.readouterr()
    assert out == ""
    assert f"{stack_file}: {TRAIN_KEY}: {script}: defines no model_fn(model_dir)" in err
    assert sorted(tmp_path.rglob("*")) == before


def test_the_shipped_families_serve() -> None:
    for family, framework in (("customer-churn", "sklearn"), ("demand-forecast", "xgboost")):
        assert serving_problem(REPO / "models" / family / "train.py", framework) is None


@pytest.mark.parametrize("function", ["model_fn", "predict_fn", "transform_fn"])
def test_an_async_serving_function_is_refused_naming_its_line(tmp_path: Path, function: str) -> None:
    """The containers call each function as a plain one (``model_fn(model_dir)``): an ``async def``
    hands them a coroutine, not a model or a prediction."""
    script = tmp_path / "train.py"
    script.write_text(f"import json\n\n\nasync def {function}(*args):\n    return None\n")

    for framework in ("sklearn", "xgboost", "pytorch"):
        problem = serving_problem(script, framework) or ""
        assert problem.startswith(f"{script} line 4: {function} is an async def"), problem

    script.write_text(
        f"import json\n\n\ndef {function}(*args):\n    async def helper():\n        return None\n"
    )
    assert serving_problem(script, "xgboost") is None
