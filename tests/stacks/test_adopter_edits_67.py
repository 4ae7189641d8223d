"""Session 67: what an adopting team's edits of a stack file meet that AWS or Kubernetes would refuse.

A count or size AWS's API types as ``Integer`` (a Java ``int``), or Kubernetes as ``int32``, with no
upper bound in the model, passed validation and the plan at any size: ``online_ttl: {value:
10000000000, unit: Seconds}`` planned clean and failed at ``pulumi up``. Each such field is now
bounded by ``components.limits.INT32_MAX``: the largest value is accepted, one more is refused
naming the stack file and the key, and ``bin/plan`` exits 2 with nothing on stdout.
"""

from __future__ import annotations

import contextlib
import copy
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from components.limits import INT32_MAX
from planner.__main__ import EXIT_FAILED, EXIT_INVALID_CONFIG, main
from stacks.config import CONFIG_KEY, ConfigError, parse_platform_config
from stacks.stack_file import read_stack_file
from tests.conftest import load_stack_document
from tests.yaml_text import dump_document

SOURCE = "stacks/Pulumi.prod.yaml"
IMAGE = "333333333333.dkr.ecr.eu-west-1.amazonaws.com/churn-server@sha256:" + "a" * 64
SHARED: dict[str, Any] = {
    "name": "small-models",
    "instance_type": "ml.g5.12xlarge",
    "initial_instance_count": 2,
    "managed_scaling": {"min_instances": 2, "max_instances": 3},
    "components": [
        {
            "name": "churn",
            "model": {"latest_approved_of": "customer-churn"},
            "compute": {"cpu_cores": 4, "memory_mb": 16384, "accelerators": 1},
        }
    ],
}

Edit = Callable[[dict[str, Any], int], None]


def _ttl(platform: dict[str, Any], value: int) -> None:
    platform["feature_groups"][0]["online_ttl"] = {"value": value, "unit": "Seconds"}


def _max_memory(platform: dict[str, Any], value: int) -> None:
    shared = copy.deepcopy(SHARED)
    shared["components"][0]["compute"]["max_memory_mb"] = value
    platform["shared_endpoints"] = [shared]


def _serving(*counts: str) -> Edit:
    """A Kubernetes serving whose replica ``counts`` take the value (the others 1)."""

    def edit(platform: dict[str, Any], value: int) -> None:
        serving: dict[str, Any] = {"name": "churn-gpu", "image": IMAGE, "replicas": 1, "min_replicas": 1}
        serving["max_replicas"] = 1
        serving.update(dict.fromkeys(counts, value))
        platform["kubernetes_serving"] = {
            "cluster_arn": "arn:aws:eks:eu-west-1:333333333333:cluster/ml",
            "servings": [serving],
        }

    return edit


CASES = [
    pytest.param(_ttl, "feature_groups[0].online_ttl.value", id="feature-group-ttl-TtlDuration.Value"),
    pytest.param(
        _max_memory,
        "shared_endpoints[0].components[0].compute.max_memory_mb",
        id="inference-component-MaxMemoryRequiredInMb",
    ),
    pytest.param(
        _serving("max_replicas"), "kubernetes_serving.servings[0].max_replicas", id="hpa-maxReplicas"
    ),
    pytest.param(
        _serving("replicas", "max_replicas"),
        "kubernetes_serving.servings[0].replicas",
        id="deployment-replicas",
    ),
    pytest.param(
        _serving("min_replicas", "replicas", "max_replicas"),
        "kubernetes_serving.servings[0].min_replicas",
        id="hpa-minReplicas",
    ),
]


def _platform(edit: Edit, value: int) -> dict[str, Any]:
    platform: dict[str, Any] = load_stack_document("prod")["config"][CONFIG_KEY]
    edit(platform, value)
    return platform


@pytest.mark.parametrize(("edit", "key"), CASES)
def test_a_32_bit_integer_is_bounded_at_its_type(edit: Edit, key: str) -> None:
    config = parse_platform_config(_platform(edit, INT32_MAX), SOURCE)  # the largest: accepted
    assert config.region == "eu-west-1"

    with pytest.raises(ConfigError) as raised:
        parse_platform_config(_platform(edit, INT32_MAX + 1), SOURCE)

    messages = dict(raised.value.problems)
    assert messages[f"{CONFIG_KEY}.{key}"] == (
        f"Input should be less than or equal to {INT32_MAX} (got {INT32_MAX + 1})"
    )
    assert f"{SOURCE}: {CONFIG_KEY}.{key}: " in str(raised.value)


def test_bin_plan_refuses_a_ttl_past_32_bits_naming_file_and_key(tmp_path: Path) -> None:
    document = load_stack_document("prod")
    _ttl(document["config"][CONFIG_KEY], 10**10)
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(dump_document(document))
    out, err = io.StringIO(), io.StringIO()

    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["--config", str(path), "--format", "json"])

    assert (status, out.getvalue()) == (EXIT_INVALID_CONFIG, "")
    assert (
        f"  {path}: {CONFIG_KEY}.feature_groups[0].online_ttl.value: Input should be less than or equal to"
        in (err.getvalue())
    )
    assert "Traceback" not in err.getvalue()


@pytest.mark.parametrize(
    ("offline", "refused"),
    [
        pytest.param(True, True, id="offline-store-one-glue-column"),
        pytest.param(False, False, id="online-store-only-names-kept-apart"),
    ],
)
def test_feature_names_differing_in_case_collide_in_the_offline_store(offline: bool, refused: bool) -> None:
    platform: dict[str, Any] = load_stack_document("prod")["config"][CONFIG_KEY]
    group = platform["feature_groups"][0]
    group["offline"] = offline
    group["features"].append({"name": "Tenure_Months", "type": "Integral"})  # beside tenure_months

    if not refused:
        config = parse_platform_config(platform, SOURCE)
        assert [f.name for f in config.feature_groups[0].features][-1] == "Tenure_Months"
        return
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(platform, SOURCE)

    assert raised.value.problems == [
        (
            f"{CONFIG_KEY}.feature_groups[0].features",
            "feature names Tenure_Months, tenure_months differ only in case, but the offline store's Glue "
            "table lower-cases its column names (Athena reads them that way), so they would be one column: "
            "rename one",
        )
    ]


KUBECONFIG_SET = 'pulumi config set --secret kubeconfig "$(cat kubeconfig)"'
EMPTY_KUBECONFIG = (
    "is empty, and the Kubernetes provider reads an empty kubeconfig as none and falls back to "
    f"$KUBECONFIG or ~/.kube/config, whichever cluster that is: set it ({KUBECONFIG_SET}) or remove it"
)
EMPTY_TOKEN = (
    "is empty, and the approval dispatch would call GitHub with no token: set it (pulumi config set "
    "--secret approval_dispatch_token <token>) or remove it"
)


KUBECONFIG, TOKEN = "mlops-platform:kubeconfig", "mlops-platform:approval_dispatch_token"


@pytest.mark.parametrize(
    ("written", "value", "problem"),
    [
        pytest.param(
            KUBECONFIG,
            5,
            f"must be text, the kubeconfig file's contents, not a number: {KUBECONFIG_SET}",
            id="kubeconfig-number",
        ),
        pytest.param(
            "kubeconfig",  # the project's namespace alone: the same key
            {"clusters": []},
            f"must be text, the kubeconfig file's contents, not a map: {KUBECONFIG_SET}",
            id="kubeconfig-map",
        ),
        pytest.param(KUBECONFIG, "", EMPTY_KUBECONFIG, id="kubeconfig-empty"),
        pytest.param(KUBECONFIG, None, EMPTY_KUBECONFIG, id="kubeconfig-null-read-as-empty"),
        pytest.param(TOKEN, "  ", EMPTY_TOKEN, id="token-blank"),
        pytest.param(KUBECONFIG, "apiVersion: v1", None, id="kubeconfig-text"),
        pytest.param(KUBECONFIG, {"secure": "v1:abc"}, None, id="kubeconfig-encrypted"),
    ],
)
def test_a_secret_stack_value_is_text_that_is_not_empty(
    tmp_path: Path, written: str, value: Any, problem: str | None
) -> None:
    document = load_stack_document("prod")
    document["config"].pop(TOKEN, None)
    platform = document["config"][
        CONFIG_KEY
    ]  # reads both (unread, a placeholder is kept: test_review_cfg_67)
    _serving()(platform, 1)
    platform["delivery"] = {"approval_dispatch": {"repository": "example-org/mlops-deploy"}}
    document["config"][written] = value
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(dump_document(document))

    if problem is None:
        assert read_stack_file(str(path)).config[KUBECONFIG] == value
        return
    with pytest.raises(ConfigError) as raised:
        read_stack_file(str(path))

    key = TOKEN if written == TOKEN else KUBECONFIG
    assert raised.value.problems == [(key, problem)]
    assert f"  {path}: {key}: " in str(raised.value)


@pytest.mark.parametrize(
    "written",
    [
        pytest.param("MLOPS-PLATFORM:platform", id="namespace-upper-case"),
        pytest.param("mlops_platform:platform", id="namespace-underscore"),
        pytest.param("mlops-platfrom:platform", id="namespace-letters-swapped"),
    ],
)
def test_the_platform_value_under_a_lookalike_namespace_is_named(tmp_path: Path, written: str) -> None:
    document = load_stack_document("prod")
    document["config"][written] = document["config"].pop(CONFIG_KEY)
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(dump_document(document))

    with pytest.raises(ConfigError) as raised:
        read_stack_file(str(path))

    assert raised.value.problems == [
        (
            CONFIG_KEY,
            f"missing required key; {written} holds a map, but in a namespace other than mlops-platform "
            "(Pulumi compares keys with their case), which the program never reads: rename it to "
            f"{CONFIG_KEY}",
        )
    ]


def test_a_missing_platform_value_names_no_unlike_map(tmp_path: Path) -> None:
    document = load_stack_document("prod")
    document["config"]["aws:defaultTags"] = document["config"].pop(CONFIG_KEY)  # a map, unlike the key
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(dump_document(document))

    with pytest.raises(ConfigError) as raised:
        read_stack_file(str(path))

    assert raised.value.problems == [(CONFIG_KEY, "missing required key")]


@pytest.mark.parametrize(
    ("project", "stack", "refused", "says"),
    [
        pytest.param(
            b"name: x\x00\n", None, "Pulumi.yaml", "a project file must be UTF-8 text", id="project-nul"
        ),
        pytest.param(
            "name: mlops-platform\n".encode("utf-16"),
            None,
            "Pulumi.yaml",
            "a project file must be UTF-8: re-save it as UTF-8",
            id="project-utf16",
        ),
        pytest.param(
            b"name: mlops-platform\ndescription: caf\xe9\n",
            None,
            "Pulumi.yaml",
            "a project file must be UTF-8: re-save it as UTF-8",
            id="project-latin1",
        ),
        pytest.param(
            None, b"config: {}\x00", "Pulumi.prod.yaml", "a stack file must be UTF-8 text", id="stack-nul"
        ),
    ],
)
def test_an_unreadable_encoding_names_the_kind_of_file(
    tmp_path: Path, project: bytes | None, stack: bytes | None, refused: str, says: str
) -> None:
    document = load_stack_document("prod")
    (tmp_path / "Pulumi.yaml").write_bytes(project or b"name: mlops-platform\nruntime: python\n")
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_bytes(stack or dump_document(document).encode())

    with pytest.raises(ConfigError) as raised:
        read_stack_file(str(path))

    [(key, message)] = raised.value.problems
    assert (raised.value.sources, key) == ((str(tmp_path / refused),), "")
    assert message.endswith(says) or f"{says} (e.g." in message
    assert "a stack file" not in message if refused == "Pulumi.yaml" else "a project file" not in message


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        pytest.param(
            ["--stack", ""], "--stack is empty: give one (--stack prod), or leave --stack out", id="stack"
        ),
        pytest.param(
            ["--config", " "],
            "--config is empty: give one (--config stacks/Pulumi.prod.yaml), or leave --config out",
            id="config",
        ),
    ],
)
def test_an_empty_stack_option_plans_nothing_rather_than_dev(argv: list[str], says: str) -> None:
    """`make plan STACK=` or `bin/plan --config "$UNSET"`: dev's verdict was reported as this one's."""
    out, err = io.StringIO(), io.StringIO()

    with (
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        pytest.raises(SystemExit) as exited,
    ):
        main([*argv, "--format", "json"])

    assert (exited.value.code, out.getvalue()) == (EXIT_FAILED, "")
    assert f"error: {says} to plan dev\n" in err.getvalue()


def test_a_stack_file_path_holding_a_nul_is_refused_naming_it() -> None:
    out, err = io.StringIO(), io.StringIO()

    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["--config", "stacks/Pulumi.prod\x00.yaml"])

    assert (status, out.getvalue()) == (EXIT_INVALID_CONFIG, "")
    assert "stacks/Pulumi.prod\x00.yaml: <file>: cannot be read: its path holds a NUL byte" in err.getvalue()


def test_the_time_zones_a_stack_may_name_are_the_same_on_every_machine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Debian's /usr/share/zoneinfo holds `localtime`, a link to the machine's own zone: read from the
    system's database, it planned here and was refused where the folder lacks it (and AWS knows none)."""
    import zoneinfo

    from components import schedules

    machine = {"Europe/Dublin", "UTC", "localtime", "Mars/Olympus_Mons"}
    monkeypatch.setattr(zoneinfo, "available_timezones", lambda: set(machine))
    schedules.time_zones.cache_clear()
    try:
        zones = schedules.time_zones()
        platform: dict[str, Any] = load_stack_document("prod")["config"][CONFIG_KEY]
        platform["endpoints"][0]["variants"][0]["scaling"]["scheduled"][0]["timezone"] = "localtime"
        with pytest.raises(ConfigError) as raised:
            parse_platform_config(platform, SOURCE)
    finally:
        schedules.time_zones.cache_clear()

    assert {"Europe/Dublin", "Asia/Kolkata", "UTC"} <= zones
    assert not zones & {"localtime", "Mars/Olympus_Mons"}
    assert raised.value.problems == [
        (
            f"{CONFIG_KEY}.endpoints[0].variants[0].scaling.scheduled[0].timezone",
            "'localtime' is not an IANA time zone (e.g. UTC, Europe/Berlin, America/New_York)",
        )
    ]


NO_NAME = "missing: Pulumi refuses a project without a non-empty `name`"
NO_RUNTIME = "missing: Pulumi refuses a project without a `runtime` (this program's is `python`)"
BAD_RUNTIME = (
    "must be the runtime's name (`python`) or a map with it and nothing but `options` (`{name: python, "
    "options: {...}}`), as Pulumi's project schema says"
)


@pytest.mark.parametrize(
    ("project", "problems"),
    [
        pytest.param("runtime: python\n", [("name", NO_NAME)], id="no-name"),
        pytest.param("name: ''\nruntime: python\n", [("name", NO_NAME)], id="empty-name"),
        pytest.param("name: mlops-platform\n", [("runtime", NO_RUNTIME)], id="no-runtime"),
        pytest.param("description: x\n", [("name", NO_NAME), ("runtime", NO_RUNTIME)], id="neither"),
        pytest.param("name: mlops-platform\nruntime: 5\n", [("runtime", BAD_RUNTIME)], id="runtime-number"),
        pytest.param(
            "name: mlops-platform\nruntime: {options: {toolchain: uv}}\n",
            [("runtime", BAD_RUNTIME)],
            id="runtime-no-name",
        ),
        pytest.param(
            "name: mlops-platform\nruntime: {name: python, options: {toolchain: uv}}\n", [], id="runtime-map"
        ),
    ],
)
def test_a_project_file_pulumi_cannot_load_is_refused_beside_a_valid_stack_file(
    tmp_path: Path, project: str, problems: list[tuple[str, str]]
) -> None:
    """Pulumi's ValidateProject refuses a project without a name or runtime before any command runs."""
    (tmp_path / "Pulumi.yaml").write_text(project)
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(dump_document(load_stack_document("prod")))

    if not problems:
        assert read_stack_file(str(path)).stack == "prod"
        return
    with pytest.raises(ConfigError) as raised:
        read_stack_file(str(path))

    assert raised.value.problems == problems
    assert set(raised.value.sources) == {str(tmp_path / "Pulumi.yaml")}
