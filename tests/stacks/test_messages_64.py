"""Session 64: long validation messages and many encrypted names.

- A check that finds several faults reports each as its own problem, one line each naming the
  stack file and the key: an explainability template's (each naming the template and the key in
  it), a family's training columns that are no feature of its group (``columns[<i>]``). A message
  lists at most 30 of the names a key may take (a group's features), counting the rest: no
  message the platform composes reaches the per-message flood bound (4,000 characters; it was
  1,000 and cut such messages), which still cuts a flood. A framework version SageMaker lacks is
  refused listing the versions it has (XGBoost's, listing ``latest``, raised instead).
- Encrypted feature names (``secure:``) of one feature group, read offline as stand-ins: each is
  read as a text of its own, so twenty distinct names plan (three or more were all read as the one
  plain stand-in and refused as possible duplicates), while a real duplicate of plain names beside
  them is still refused at the features list, naming the stack file, as that duplicate (it was
  refused as an encrypted leaf's: reading the leaf as another leaf's stand-in changed the message).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from stacks.config import (
    CONFIG_KEY,
    MAX_MESSAGE_CHARS,
    MAX_PROBLEMS_SHOWN,
    ConfigError,
    parse_platform_config,
)
from stacks.input_limits import LISTED_LIMIT, listed
from stacks.stack_file import offline_platform_config, read_stack_file
from tests.conftest import load_stack_document
from tests.recorded import computed_once
from tests.stacks.project_folder import project_folder

T = TypeVar("T")
TMP = "@TMP@"
"""In a computed result's text: the test's own project folder."""

TEMPLATE_FAULTS = {
    "methods.shap.agg_method": ("max", "must be one of mean_abs, median, mean_sq"),
    "methods.shap.num_samples": (0, "must be a whole number, 1 or more"),
    "methods.shap.baseline": ("s3://b/rows.csv", "an s3:// URI names one bucket"),
    "predictor.model_name": ("m", "remove it: the platform sets it"),
    "predictor.endpoint_name": ("e", "remove it: Clarify would call that endpoint"),
    "predictor.accept_type": ("text/x", "must be one of text/csv"),
    "predictor.endpoint_name_prefix": ("sm-clarify-customer-churn", "25 characters: 23 characters at most"),
    "predictor.content_type": (None, "required with a content_template"),
}
"""Template key: the value written there (None: left out) and what its problem says."""


def _problems(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(read_stack_file(str(path)).platform, str(path))
    return raised.value


@pytest.mark.parametrize("count", [1, len(TEMPLATE_FAULTS)])
def test_each_fault_of_a_template_is_its_own_problem_whole(tmp_path: Path, count: int) -> None:
    template: dict[str, Any] = {
        "headers": ["tenure_months", "monthly_charges"],
        "methods": {"shap": {"baseline": [[24, 65.0]], "num_samples": 50}},
        "predictor": {
            "instance_type": "ml.m5.large",
            "initial_instance_count": 1,
            "content_type": "text/csv",
            "content_template": '{"features":$features}',
        },
    }
    faults = dict(list(TEMPLATE_FAULTS.items())[:count])
    for key, (value, _) in faults.items():
        section, name = key.rsplit(".", 1)
        holder = template["predictor"] if section == "predictor" else template["methods"]["shap"]
        if value is None:
            del holder[name]
        else:
            holder[name] = value
    (tmp_path / "churn.json").write_text(json.dumps(template))
    document = load_stack_document("prod")
    platform = document["config"][CONFIG_KEY]
    platform["monitoring"]["model_monitors"] = {"model_quality": True, "explainability": True}
    platform["models"][0]["explainability_config"] = "churn.json"
    stack = project_folder(tmp_path, stack="prod", document=document)

    error = _problems(stack)

    key = f"{CONFIG_KEY}.models[0].explainability_config"
    messages = {message.split(": ", 2)[1]: message for where, message in error.problems if where == key}
    assert set(messages) == set(faults)
    lines = str(error).splitlines()[1:]
    for template_key, (_, words) in faults.items():
        line = f"  {stack}: {key}: {messages[template_key]}"
        assert line in lines and f"{tmp_path / 'churn.json'}: {template_key}: {words}" in line
        assert "characters)" not in line


def _long_features(platform: dict[str, Any]) -> None:
    """60 more features of 60 characters in the labelled group; columns naming 3 that are none."""
    platform["feature_groups"][1]["features"] += [
        {"name": f"f{n:02d}_" + "x" * 56, "type": "Integral"} for n in range(60)
    ]
    platform["models"][0]["training"]["data"] = {
        "feature_group": "customer-churn-labelled",
        "columns": ["churned", "customer_id", "event_time", "age", "income", "tenure_months", "region"],
    }


def test_each_unknown_column_is_its_own_problem_listing_30_features_whole(tmp_path: Path) -> None:
    document = load_stack_document("prod")
    _long_features(document["config"][CONFIG_KEY])
    stack = project_folder(tmp_path, stack="prod", document=document)

    error = _problems(stack)

    key = f"{CONFIG_KEY}.models[0].training.data.columns"
    unknown = {where: message for where, message in error.problems if where.startswith(key)}
    assert list(unknown) == [f"{key}[3]", f"{key}[4]", f"{key}[6]"]
    first, *others = unknown.items()
    assert first[1].startswith("age not a feature of 'customer-churn-labelled' (its features: customer_id, ")
    # 68 features: 30 listed (the 30th is the 22nd long one), the rest counted; nothing cut.
    assert first[1].endswith(f"f21_{'x' * 56} and 38 more)"), first[1]
    for (_, message), column in zip(others, ["income", "region"], strict=True):
        # Session 65: the list said once, in the first column's problem (session 66: one pointer wording).
        assert message == (
            f"{column} not a feature of 'customer-churn-labelled' (its features: listed at "
            "models[0].training.data.columns[3])"
        )
    for where, message in unknown.items():
        assert f"  {stack}: {where}: {message}" in str(error).splitlines()
    assert LISTED_LIMIT == 30


def test_a_flood_stays_bounded() -> None:
    flood = [(f"{CONFIG_KEY}.tags.t{n}", "m" * 1_000_000) for n in range(MAX_PROBLEMS_SHOWN + 10)]

    lines = str(ConfigError("Pulumi.dev.yaml", flood)).splitlines()

    assert len(lines) == 1 + MAX_PROBLEMS_SHOWN + 1 and lines[-1].endswith("… and 10 more problems")
    assert all(line.endswith(f"{'m' * MAX_MESSAGE_CHARS}… (1,000,000 characters)") for line in lines[1:-1])


def test_a_flood_of_one_list_says_it_once() -> None:
    """Session 66: 500 unknown families in a stack of 40 (or any check's list, repeated by 500
    problems): the list shown once, the other lines pointing to its key."""
    families = listed([f"family-{n:02d}-" + "f" * 50 for n in range(40)])
    where = f"{CONFIG_KEY}.endpoints[{{}}].variants[0].model.latest_approved_of"
    flood = [
        (where.format(n), f"'nope-{n}' is not a model family of this stack ({families})") for n in range(500)
    ]

    text = str(ConfigError("Pulumi.dev.yaml", flood))

    lines = text.splitlines()
    assert len(lines) == 1 + MAX_PROBLEMS_SHOWN + 1 and lines[-1].endswith("… and 450 more problems")
    assert text.count(families) == 1
    assert lines[2].endswith(
        "'nope-1' is not a model family of this stack (listed at endpoints[0].variants[0].model.latest_approved_of)"
    )
    assert len(text) < 12_500, len(text)  # 12,000 (listed whole on each line: 100,800)


def _with_encrypted_features(count: int, duplicate: bool, copied: bool = False) -> Any:
    def edit(document: dict[str, Any]) -> None:
        group = document["config"][CONFIG_KEY]["feature_groups"][0]
        group["features"] += [
            {"name": {"secure": f"v1:ciphertext{n:02d}=="}, "type": "Integral"} for n in range(count)
        ]
        if duplicate:
            group["features"].append({"name": "tenure_months", "type": "Integral"})
        if copied:  # one ciphertext twice: one value (Pulumi gives each value a nonce of its own)
            group["features"].append({"name": {"secure": "v1:ciphertext05=="}, "type": "Integral"})

    return edit


def _read_once(name: str, tmp_path: Path, path: Path, compute: Callable[[], T]) -> T:
    """``compute()`` (reading the stack file at ``path`` of the project in ``tmp_path``) once per
    version of the code, this module and the project's files (tests.recorded.computed_once, keyed
    by Pulumi.yaml's and the stack file's bytes and paths in the project): what the offline
    validation makes of encrypted names is a pure function of them. Text that names the project's
    folder reads it as ``TMP``; a ``compute`` that raises is not kept."""
    files = [tmp_path / "Pulumi.yaml", path]
    return computed_once(
        name,
        compute,
        key=[item for file in files for item in (str(file.relative_to(tmp_path)), file.read_bytes())],
    )


def _refused(path: Path, tmp_path: Path) -> tuple[list[tuple[str, str]], str]:
    """The problems and text of the error the offline validation of ``path`` raises (the
    project's folder read as ``TMP``)."""
    with pytest.raises(ConfigError) as raised:
        offline_platform_config(read_stack_file(str(path)))
    return raised.value.problems, str(raised.value).replace(str(tmp_path), TMP)


@pytest.mark.parametrize("count", [3, 20])
def test_distinct_encrypted_feature_names_plan(tmp_path: Path, count: int) -> None:
    path = project_folder(tmp_path, edit=_with_encrypted_features(count, False))

    def planned() -> tuple[list[str], list[str]]:
        stack = read_stack_file(str(path))
        config = offline_platform_config(stack)
        return [feature.name for feature in config.feature_groups[0].features], list(stack.stand_ins.values())

    names, stand_ins = _read_once(f"distinct-{count}", tmp_path, path, planned)

    assert len(names) == 7 + count and len(set(names)) == len(names)
    assert len(set(stand_ins)) == count


def test_a_duplicate_plain_name_beside_them_is_still_refused(tmp_path: Path) -> None:
    path = project_folder(tmp_path, edit=_with_encrypted_features(20, True))

    problems, text = _read_once("plain-duplicate", tmp_path, path, lambda: _refused(path, tmp_path))

    assert problems == [
        (f"{CONFIG_KEY}.feature_groups[0].features", "duplicate feature names: tenure_months")
    ]
    assert f"{TMP}/{path.relative_to(tmp_path)}" in text


def test_a_copied_ciphertext_is_refused_as_a_duplicate(tmp_path: Path) -> None:
    path = project_folder(tmp_path, edit=_with_encrypted_features(20, False, copied=True))

    problems, _ = _read_once("copied-ciphertext", tmp_path, path, lambda: _refused(path, tmp_path))

    [(key, message)] = problems
    assert key == f"{CONFIG_KEY}.feature_groups[0].features"
    assert "is encrypted (`secure:`)" in message and "duplicate feature names: <encrypted>" in message


@pytest.mark.parametrize(("framework", "version"), [("xgboost", "9.9-9"), ("sklearn", "9.9-9")])
def test_a_version_sagemaker_lacks_is_refused_listing_its_versions(
    tmp_path: Path, framework: str, version: str
) -> None:
    # XGBoost's table lists "latest" beside numbered versions: sorting them raised a TypeError,
    # reported as "cannot be validated ... a bug of the validation" at the whole platform value.
    document = load_stack_document("dev")
    document["config"][CONFIG_KEY]["models"][0]["training"]["framework"] = {
        "name": framework,
        "version": version,
    }

    error = _problems(project_folder(tmp_path, document=document))

    key = f"{CONFIG_KEY}.models[0].training.framework"
    assert [where for where, _ in error.problems] == [key, key]
    training, inference = (message for _, message in error.problems)
    assert training.startswith(f"{framework} {version} has no training image; SageMaker has 0.")
    assert inference.startswith(f"{framework} {version} has no inference image; SageMaker has 0.")
    if framework == "xgboost":
        assert training.endswith(", 1.7-1, 3.0-5, 3.2-0, latest")
