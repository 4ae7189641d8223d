"""Session 65: stack-file error messages, bounded and at the key the user wrote.

- Unknown training columns (``models[].training.data.columns``) and label or identifiers missing
  from the training set: each its own problem naming its column, the group's features (columns)
  listed once per group, in the first problem, the others pointing there (40 unknown columns
  repeated a list of 30 features 40 times: 87 KB of stderr).
- Long lists in a message (duplicate feature names, a tuning objective's metric definitions, the
  evaluation's metrics) name 30, each cut at 80 characters, and count the rest: the instruction
  after the list is never cut by the per-message bound.
- A map written where a scalar goes is refused at the key written, saying it got a mapping: a
  number that may be an integer (``weight: {int: 1}``) was refused at ``weight.int``, a key the
  user did not write as a location, because pydantic names the union member it tried ``int``.
- Keys written twice: the reader stopped at the first, so each run named one; every one is named
  in one run, each at its key with its line (a value problem after them too), the message bounded
  by the problems shown.
- One ``secure:`` ciphertext copied is one value: a label whose ciphertext is its feature's names
  that feature and plans, as the same name in clear does (each copy was read as a value of its
  own, and the label refused as not in the training set); a label copied from an identifier's
  ciphertext is refused as the clear one is, once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from planner.__main__ import EXIT_INVALID_CONFIG, main
from stacks.config import CONFIG_KEY, MAX_PROBLEMS_SHOWN, ConfigError, parse_platform_config
from stacks.input_limits import listed
from stacks.stack_file import offline_platform_config, read_stack_file
from tests.conftest import load_stack_document
from tests.stacks.project_folder import project_folder
from tests.yaml_text import dump_document


def _problems(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(read_stack_file(str(path)).platform, str(path))
    return raised.value


def _plan_refuses(path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """What the planner (bin/plan) prints refusing stack file ``path``: exit 2, stdout empty."""
    assert main(["--config", str(path), "--format", "json"]) == EXIT_INVALID_CONFIG
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err


def _wide_training(document: dict[str, Any]) -> tuple[list[str], list[str]]:
    """30 more long features in the labelled group; a family reading 40 columns that are none of
    them and naming 5 identifiers that are not in its training set. Returns the unknown columns and
    identifiers."""
    platform = document["config"][CONFIG_KEY]
    platform["feature_groups"][1]["features"] += [
        {"name": f"f{n:02d}_" + "x" * 56, "type": "Integral"} for n in range(30)
    ]
    unknown = [f"u{n:02d}_" + "y" * 56 for n in range(40)]
    identifiers = [f"i{n}" for n in range(5)]
    training = platform["models"][0]["training"]
    training["data"] = {
        "feature_group": "customer-churn-labelled",
        "columns": ["churned", "customer_id", "event_time", *unknown],
    }
    training["identifiers"] = identifiers
    return unknown, identifiers


def test_unknown_columns_each_named_with_the_features_listed_once(tmp_path: Path) -> None:
    document = load_stack_document("prod")
    unknown, identifiers = _wide_training(document)
    stack = project_folder(tmp_path, stack="prod", document=document)

    error = _problems(stack)

    key = f"{CONFIG_KEY}.models[0].training"
    features = listed([f["name"] for f in document["config"][CONFIG_KEY]["feature_groups"][1]["features"]])
    columns = listed(["churned", "customer_id", "event_time", *unknown])
    expected = [
        (
            f"{key}.data.columns[{3 + n}]",
            f"{column} not a feature of 'customer-churn-labelled' "
            + (
                f"(its features: {features})"
                if n == 0
                else "(its features: listed at models[0].training.data.columns[3])"
            ),
        )
        for n, column in enumerate(unknown)
    ] + [
        (
            f"{key}.identifiers[{n}]",
            f"{column} not in the training set read from feature group 'customer-churn-labelled' "
            + (
                f"(its columns: {columns})"
                if n == 0
                else "(its columns: listed at models[0].training.identifiers[0])"
            ),
        )
        for n, column in enumerate(identifiers)
    ]
    assert [problem for problem in error.problems if problem[0].startswith(key)] == expected
    text = str(error)
    assert text.count(features) == 1 and text.count(columns) == 1
    # Every problem shown whole, each list said once: some 20,000 characters (it was 100,000).
    assert all(f"  {stack}: {where}: {message}" in text.splitlines() for where, message in expected)
    assert len(text) < 25_000


def test_the_plan_refuses_them_naming_file_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = load_stack_document("prod")
    _wide_training(document)
    stack = project_folder(tmp_path, stack="prod", document=document)

    stderr = _plan_refuses(stack, capsys)

    assert f"{stack}: {CONFIG_KEY}.models[0].training.data.columns[42]: u39_" in stderr
    assert len(stderr) < 25_000


def _duplicate_features(platform: dict[str, Any]) -> None:
    platform["feature_groups"][0]["features"] += [
        {"name": f"d{n:03d}_" + "x" * 59, "type": "Integral"} for n in range(100) for _ in range(2)
    ]


def _unknown_tuning_objective(platform: dict[str, Any]) -> None:
    training = platform["models"][0]["training"]
    training["metric_definitions"] = [
        {"name": f"m{n:02d}:" + "v" * 251, "regex": f"m{n}=([0-9.]+);"} for n in range(40)
    ]
    training["tuning"]["objective"]["metric"] = "validation:nope"


def _unknown_promotion_metric(platform: dict[str, Any]) -> None:
    family = platform["models"][0]
    family["training"]["metrics"] = ["auc", *(f"m{n:03d}_" + "z" * 58 for n in range(300))]
    family["promotion"]["metric"] = "metrics.nope.value"


@pytest.mark.parametrize(
    ("edit", "key", "head", "tail"),
    [
        pytest.param(
            _duplicate_features,
            "feature_groups[0].features",
            f"duplicate feature names: d000_{'x' * 59}, d001_",
            " and 70 more",
            id="duplicate-feature-names",
        ),
        pytest.param(
            _unknown_tuning_objective,
            "models[0].training.tuning.objective.metric",
            f"'validation:nope' is not one of the family's metric_definitions (m00:{'v' * 76}… (255 characters), ",
            " and 10 more); the tuning job reads its objective from the training log",
            id="tuning-objective-metrics",
        ),
        pytest.param(
            _unknown_promotion_metric,
            "models[0].promotion.metric",
            "'metrics.nope.value' is not in the evaluation report: the family's evaluation reports auc, m000_",
            " and 271 more (models[0].training.metrics)",
            id="training-metrics",
        ),
    ],
)
def test_long_lists_are_bounded_keeping_the_instruction(
    tmp_path: Path, edit: Any, key: str, head: str, tail: str
) -> None:
    document = load_stack_document("staging")
    edit(document["config"][CONFIG_KEY])
    stack = project_folder(tmp_path, stack="staging", document=document)

    error = _problems(stack)

    [message] = [message for where, message in error.problems if where == f"{CONFIG_KEY}.{key}"]
    assert message.startswith(head) and message.endswith(tail), message
    # 30 names listed, each of at most 80 characters: never cut by the flood bound.
    assert len(message) < 3_500
    assert f"  {stack}: {CONFIG_KEY}.{key}: {message}" in str(error).splitlines()


SCALARS = [
    pytest.param(
        ("endpoints", 0, "variants", 0, "weight"),
        {"int": 1},
        "Input should be a valid number (got a mapping); or: Input should be a valid integer (got a mapping)",
        id="float-or-int-weight",
    ),
    pytest.param(
        ("models", 0, "promotion", "threshold"),
        {"float": 0.5},
        "Input should be a valid number (got a mapping); or: Input should be a valid integer (got a mapping)",
        id="float-or-int-threshold",
    ),
    pytest.param(
        ("network", "az_count"), {"int": 2}, "Input should be a valid integer (got a mapping)", id="int"
    ),
    pytest.param(
        ("models", 0, "training", "label"),
        {"str": "churned"},
        "Input should be a valid string (got a mapping)",
        id="str",
    ),
    pytest.param(
        ("budget", "enabled"), {"bool": True}, "Input should be a valid boolean (got a mapping)", id="bool"
    ),
    pytest.param(
        ("models", 0, "training", "problem_type"),
        {"str": "Regression"},
        "Input should be 'BinaryClassification', 'MulticlassClassification' or 'Regression' (got a mapping)",
        id="literal",
    ),
    pytest.param(
        ("tags", "int"),
        5,
        "Input should be a valid string (got 5); unquoted, YAML reads numbers as numbers",
        id="a-map-key-named-int-stays",
    ),
]


def _key(path: tuple[Any, ...]) -> str:
    return CONFIG_KEY + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)


@pytest.mark.parametrize(("path", "value", "message"), SCALARS)
def test_a_map_where_a_scalar_goes_is_refused_at_the_key_written(
    tmp_path: Path, path: tuple[Any, ...], value: Any, message: str
) -> None:
    document = load_stack_document("dev")
    node = document["config"][CONFIG_KEY]
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value

    error = _problems(project_folder(tmp_path, document=document))

    [(where, text)] = error.problems
    assert where == _key(path)
    assert text.startswith(message), text


def test_the_plan_refuses_a_weight_map_at_weight(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = load_stack_document("dev")
    document["config"][CONFIG_KEY]["endpoints"][0]["variants"][0]["weight"] = {"int": 1}
    stack = project_folder(tmp_path, document=document)

    stderr = _plan_refuses(stack, capsys)

    key = f"{CONFIG_KEY}.endpoints[0].variants[0].weight"
    assert f"  {stack}: {key}: Input should be a valid number (got a mapping)" in stderr
    assert f"{key}.int" not in stderr


def _written_twice() -> tuple[str, list[tuple[str, str]]]:
    """The dev fixture's text with three keys written twice (a top-level config key, a platform
    key, a tag) and a value Pulumi refuses after them; the problems each must give."""
    text = dump_document(load_stack_document("dev"))
    for line, twice in [
        ("  mlops-platform:approval_dispatch_token:\n", "  pulumi:disable-default-providers: []\n"),
        ("    region: eu-west-1\n", "    name_prefix: again\n"),
        ("      project: customer-churn\n", "      owner: someone-else\n"),
        ("      monthly_limit_usd: 1000\n", "      alert_percent: .nan\n"),
    ]:
        assert text.count(line) == 1
        text = text.replace(line, twice + line)
    lines = text.splitlines()

    def at(written: str) -> str:
        number = lines.index(written) + 1
        return f"line {number}, column {len(written) - len(written.lstrip()) + 1}"

    platform = CONFIG_KEY
    return text, [
        (
            "pulumi:disable-default-providers",
            f"duplicate key 'pulumi:disable-default-providers' ({at('  pulumi:disable-default-providers: []')})",
        ),
        (f"{platform}.name_prefix", f"duplicate key 'name_prefix' ({at('    name_prefix: again')})"),
        (f"{platform}.tags.owner", f"duplicate key 'owner' ({at('      owner: someone-else')})"),
    ]


def test_every_key_written_twice_is_named_in_one_run(tmp_path: Path) -> None:
    text, expected = _written_twice()
    stack = project_folder(tmp_path, text=text)

    with pytest.raises(ConfigError) as raised:
        read_stack_file(str(stack))

    *duplicates, (key, message) = raised.value.problems
    assert duplicates == expected
    # The value problem after them still said, at its key.
    assert key == f"{CONFIG_KEY}.budget.alert_percent" and "'.nan' is NaN" in message
    assert all(f"  {stack}: {where}: {text}" in str(raised.value) for where, text in expected)


def test_the_plan_names_every_duplicate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text, expected = _written_twice()
    stack = project_folder(tmp_path, text=text)

    stderr = _plan_refuses(stack, capsys)

    assert all(f"  {stack}: {where}: {message}\n" in stderr for where, message in expected)


def test_many_duplicates_stay_bounded(tmp_path: Path) -> None:
    text = dump_document(load_stack_document("dev"))
    line = "      project: customer-churn\n"
    text = text.replace(line, line + "".join(f"      t{n}: a\n      t{n}: b\n" for n in range(200)))
    stack = project_folder(tmp_path, text=text)

    with pytest.raises(ConfigError) as raised:
        read_stack_file(str(stack))

    assert [key for key, _ in raised.value.problems] == [f"{CONFIG_KEY}.tags.t{n}" for n in range(200)]
    lines = str(raised.value).splitlines()
    assert len(lines) == 1 + MAX_PROBLEMS_SHOWN + 1 and lines[-1].endswith("… and 150 more problems")


def _label_named(document: dict[str, Any], encrypted: bool, also_identifier: bool) -> None:
    """Family 0's label names feature ``segment`` of its group (and an identifier does too): in
    clear, or as copies of one ciphertext, beside another encrypted feature."""
    platform = document["config"][CONFIG_KEY]
    features = platform["feature_groups"][1]["features"]
    training = platform["models"][0]["training"]

    def name() -> Any:
        return {"secure": "v1:c2VnbWVudA==:c2VnbWVudA=="} if encrypted else "segment"

    features.append({"name": name(), "type": "String"})
    if encrypted:
        features.append({"name": {"secure": "v1:b3RoZXI=:b3RoZXI="}, "type": "Integral"})
    training["label"] = name()
    if also_identifier:
        training["identifiers"].append(name())


@pytest.mark.parametrize("encrypted", [False, True], ids=["clear", "one-ciphertext"])
def test_a_label_naming_its_feature_plans_encrypted_or_not(tmp_path: Path, encrypted: bool) -> None:
    document = load_stack_document("prod")
    _label_named(document, encrypted, also_identifier=False)
    stack = read_stack_file(str(project_folder(tmp_path, stack="prod", document=document)))

    config = offline_platform_config(stack)

    features = config.feature_groups[1].features
    assert config.models[0].training is not None
    assert config.models[0].training.label == features[8].name
    if encrypted:  # the other encrypted feature is another value
        assert features[9].name != features[8].name


@pytest.mark.parametrize("encrypted", [False, True], ids=["clear", "one-ciphertext"])
def test_a_label_that_is_also_an_identifier_is_refused_encrypted_or_not(
    tmp_path: Path, encrypted: bool
) -> None:
    document = load_stack_document("prod")
    _label_named(document, encrypted, also_identifier=True)
    path = project_folder(tmp_path, stack="prod", document=document)

    with pytest.raises(ConfigError) as raised:
        offline_platform_config(read_stack_file(str(path)))

    [(key, message)] = raised.value.problems
    assert key == f"{CONFIG_KEY}.models[0].training"
    label = "<encrypted>" if encrypted else "segment"
    assert f"label '{label}' is also listed in identifiers" in message
