"""A family's explainability template is JSON: a key written twice in one object, or NaN or
Infinity (which Python's ``json`` reads), is a config error naming the file and the key path, as
every other fault of the template; the template each test writes is its own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from components.observability.explainability_config import read_template
from stacks.config import CONFIG_KEY, ConfigError, parse_platform_config
from tests.conftest import load_stack_document

TEMPLATE = """{
  "headers": ["tenure", "plan"],
  "methods": {"shap": {"baseline": [[BASELINE, "basic"]], "num_samples": 100, "agg_method": "mean_abs"}},
  "predictor": {"instance_type": "ml.m5.large", "initial_instance_count": 1, "content_type": "text/csv"}
}
"""


def _template(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "explainability.json"
    path.write_text(text)
    return path


BAD: dict[str, tuple[str, list[str]]] = {
    "headers-twice": (
        TEMPLATE.replace("BASELINE", "12").replace(
            '"headers": ["tenure", "plan"],', '"headers": ["x"], "headers": ["tenure", "plan"],'
        ),
        ["headers: given more than once in its object"],
    ),
    "a-nested-key-twice": (
        TEMPLATE.replace("BASELINE", "12").replace(
            '"num_samples": 100,', '"num_samples": 100, "num_samples": 10,'
        ),
        ["methods.shap.num_samples: given more than once in its object"],
    ),
    "a-nan-baseline": (
        TEMPLATE.replace("BASELINE", "NaN"),
        ["methods.shap.baseline[0][0]: NaN: JSON has no NaN"],
    ),
    "an-infinite-baseline": (
        TEMPLATE.replace("BASELINE", "-Infinity"),
        ["methods.shap.baseline[0][0]: -Infinity: JSON has no NaN or Infinity"],
    ),
    "both-at-once": (
        TEMPLATE.replace("BASELINE", "Infinity").replace(
            '"plan"]', '"plan"], "headers": ["tenure", "plan"]', 1
        ),
        [
            "headers: given more than once in its object",
            "methods.shap.baseline[0][0]: Infinity: JSON has no NaN or Infinity",
        ],
    ),
}


@pytest.mark.parametrize(("text", "fragments"), BAD.values(), ids=BAD)
def test_json_only_python_reads_is_a_template_error_naming_the_key(
    tmp_path: Path, text: str, fragments: list[str]
) -> None:
    path = _template(tmp_path, text)

    with pytest.raises(ValueError) as raised:
        read_template(path)

    problems = getattr(raised.value, "problems", [str(raised.value)])
    assert len(problems) == len(fragments), problems
    for problem, fragment in zip(problems, fragments, strict=True):
        assert problem.startswith(f"{path}: {fragment}"), problems


def test_the_same_key_in_two_objects_is_no_repeat(tmp_path: Path) -> None:
    path = _template(tmp_path, TEMPLATE.replace("BASELINE", "12.5"))
    template = read_template(path)
    assert template["methods"]["shap"]["baseline"] == [[12.5, "basic"]]
    assert json.loads(path.read_text()) == template


def test_a_repeated_key_stops_the_plan_at_the_familys_key(tmp_path: Path) -> None:
    path = _template(
        tmp_path,
        TEMPLATE.replace("BASELINE", "12").replace(
            '"num_samples": 100,', '"num_samples": 100, "num_samples": 10,'
        ),
    )
    platform = load_stack_document("dev")["config"][CONFIG_KEY]
    platform["models"][0]["explainability_config"] = str(path)

    with pytest.raises(ConfigError) as raised:
        parse_platform_config(platform, "stacks/Pulumi.dev.yaml")

    [(key, message)] = raised.value.problems
    assert key == f"{CONFIG_KEY}.models[0].explainability_config"
    # The file's path as the stack file's messages echo a long value: its first 80 characters.
    assert message.startswith(str(path)[:60]), message
    assert ": methods.shap.num_samples: given more than once in its object" in message, message
