"""Session 67 mutation audit of the stack-file and CLI checks this session added: each test here
kills a mutant the earlier tests let live (a branch dropped, a bound moved, a case not read).

- Which secret values the program reads (``secret_text_problems``): a platform value that is no map
  as written (absent, from an ESC environment) may read both, a ``kubernetes_serving`` that is no
  map reads the kubeconfig, one with ``servings: []`` does not; a boolean is named as one.
- The platform value under a lookalike namespace is named with the ESC note too, and only where it
  holds a map and is spelt within one or two letters of the platform key.
- A ``runtime`` naming no runtime (null, empty, a map whose name is empty or no text, ``options``
  no map, a key beside ``name`` and ``options``) is refused.
- An oversized project file is called one; 1 MiB is kept and one byte more refused (JSON values too).
- ``INT32_MAX`` is 2**31 - 1 itself (replicas, the HPA's bounds, a feature group's TTL).
- ``Factory`` is never hinted at; without the tzdata package the system's zones less ``localtime``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from components.data.feature_store_spec import OnlineTtl
from components.kubernetes.kubernetes_serving_spec import KubernetesServingSpec
from components.schedules import time_zone_problem
from stacks.config import CONFIG_KEY, ConfigError
from stacks.input_limits import MAX_STACK_FILE_BYTES, json_text_problem, size_problem
from stacks.stack_file import read_stack_file
from stacks.stack_file_keys import secret_text_problems
from tests.conftest import load_stack_document
from tests.yaml_text import dump_document

KUBECONFIG, TOKEN = "mlops-platform:kubeconfig", "mlops-platform:approval_dispatch_token"
ABSENT = object()


@pytest.mark.parametrize(
    ("platform", "read"),
    [
        pytest.param(ABSENT, [KUBECONFIG, TOKEN], id="no-platform-value-esc-may-read-both"),
        pytest.param("from-esc", [KUBECONFIG, TOKEN], id="platform-not-a-map-may-read-both"),
        pytest.param({"kubernetes_serving": ["x"]}, [KUBECONFIG], id="serving-not-a-map-reads-kubeconfig"),
        pytest.param({"kubernetes_serving": {"servings": []}}, [], id="no-servings-no-kubeconfig"),
        pytest.param({"delivery": "x"}, [TOKEN], id="delivery-not-a-map-reads-token"),
        pytest.param({"delivery": {"approval_dispatch": None}}, [], id="no-dispatch-no-token"),
    ],
)
def test_an_empty_secret_is_refused_where_the_platform_value_may_read_it(
    platform: Any, read: list[str]
) -> None:
    config: dict[str, Any] = {KUBECONFIG: "", TOKEN: " "}
    if platform is not ABSENT:
        config[CONFIG_KEY] = platform

    problems = secret_text_problems(config)

    assert [key for key, _ in problems] == read
    assert all(said.startswith("is empty, and ") for _, said in problems)


def test_a_boolean_kubeconfig_is_named_as_one() -> None:
    problems = secret_text_problems(
        {KUBECONFIG: True, CONFIG_KEY: {"kubernetes_serving": {"servings": ["x"]}}}
    )

    assert problems == [
        (
            KUBECONFIG,
            "must be text, the kubeconfig file's contents, not true or false: pulumi config set --secret "
            'kubeconfig "$(cat kubeconfig)"',
        )
    ]


def _without_platform(tmp_path: Path, key: str, value: Any, environments: list[str] | None = None) -> Path:
    document = load_stack_document("prod")
    platform = document["config"].pop(CONFIG_KEY)
    document["config"][key] = platform if value is None else value
    if environments:
        document["environment"] = environments
    (tmp_path / "Pulumi.yaml").write_text("name: mlops-platform\nruntime: python\n")
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(dump_document(document))
    return path


def test_a_lookalike_platform_value_is_named_beside_the_esc_note(tmp_path: Path) -> None:
    path = _without_platform(tmp_path, "MLOPS-PLATFORM:platform", None, ["team/prod"])

    with pytest.raises(ConfigError) as raised:
        read_stack_file(str(path))

    [(key, said)] = raised.value.problems
    assert key == CONFIG_KEY
    assert said.startswith(
        "missing required key; MLOPS-PLATFORM:platform holds a map, but in a namespace other than "
        "mlops-platform"
    )
    assert ": the stack imports the Pulumi ESC environment(s) team/prod (`environment:`)" in said


@pytest.mark.parametrize(
    ("key", "value"),
    [
        pytest.param("MLOPS-PLATFORM:platform", "text", id="lookalike-holding-no-map"),
        pytest.param("mlops-pletfurm:platferm", None, id="three-letters-off-another-project"),
        pytest.param("my-platform:platform", None, id="another-projects-namespace"),
    ],
)
def test_a_missing_platform_value_names_no_key_unlike_it(tmp_path: Path, key: str, value: Any) -> None:
    path = _without_platform(tmp_path, key, value)

    with pytest.raises(ConfigError) as raised:
        read_stack_file(str(path))

    assert raised.value.problems == [(CONFIG_KEY, "missing required key")]


RUNTIME = (
    "must be the runtime's name (`python`) or a map with it and nothing but `options` (`{name: python, "
    "options: {...}}`), as Pulumi's project schema says"
)


@pytest.mark.parametrize(
    "runtime",
    [
        pytest.param("null", id="runtime-null-written-but-no-name"),
        pytest.param("''", id="runtime-empty-text"),
        pytest.param("{name: ''}", id="runtime-map-empty-name"),
        pytest.param("{name: 5}", id="runtime-map-name-a-number"),
        pytest.param("{name: python, options: uv}", id="runtime-options-not-a-map"),
        pytest.param("{name: python, virtualenv: venv}", id="runtime-virtualenv-outside-options"),
    ],
)
def test_a_runtime_naming_no_runtime_is_refused(tmp_path: Path, runtime: str) -> None:
    (tmp_path / "Pulumi.yaml").write_text(f"name: mlops-platform\nruntime: {runtime}\n")
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(dump_document(load_stack_document("prod")))

    with pytest.raises(ConfigError) as raised:
        read_stack_file(str(path))

    assert raised.value.problems == [("runtime", RUNTIME)]
    assert raised.value.sources == (str(tmp_path / "Pulumi.yaml"),)


@pytest.mark.parametrize(
    ("size_known", "says"),
    [
        pytest.param(
            True, "is 1,048,577 bytes; a project file may be at most 1,048,576 bytes", id="by-its-size"
        ),
        pytest.param(
            False, "is larger than 1,048,576 bytes, the most a project file may be", id="size-unknown-read"
        ),
    ],
)
def test_an_oversized_project_file_is_named_as_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size_known: bool, says: str
) -> None:
    """A project file is read as stack files are, but its refusals call it what it is."""
    from stacks import stack_file_text

    (tmp_path / "Pulumi.yaml").write_bytes(b"#" * (MAX_STACK_FILE_BYTES + 1))
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(dump_document(load_stack_document("prod")))
    if not size_known:  # a file whose size fstat does not know (or one still growing)
        real = os.fstat
        monkeypatch.setattr(
            stack_file_text.os, "fstat", lambda fd: os.stat_result((*real(fd)[:6], 0, *real(fd)[7:]))
        )

    with pytest.raises(ConfigError) as raised:
        read_stack_file(str(path))

    [(key, said)] = raised.value.problems
    assert (raised.value.sources, key) == ((str(tmp_path / "Pulumi.yaml"),), "")
    assert said.startswith(says)


def test_a_json_config_value_is_bounded_as_a_stack_file_is() -> None:
    """1 MiB is the most a stack file, and a configuration value Pulumi passes as JSON, may be."""
    assert size_problem(MAX_STACK_FILE_BYTES) is None

    said = json_text_problem('"' + "x" * (MAX_STACK_FILE_BYTES - 1) + '"')

    assert said is not None
    assert said.startswith("the value 1,048,577 bytes; a stack file may be at most 1,048,576 bytes (1 MiB)")


SERVING_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn@sha256:" + "0123456789abcdef" * 4


@pytest.mark.parametrize(
    ("fields", "refused"),
    [
        pytest.param({"replicas": 2147483647, "max_replicas": 2147483647}, set(), id="int32-max-kept"),
        pytest.param(
            {"replicas": 2147483648, "max_replicas": 2147483648},
            {("replicas",), ("max_replicas",)},
            id="replicas-past-int32",
        ),
        pytest.param(
            {"min_replicas": 2147483648, "replicas": 2147483648, "max_replicas": 2147483648},
            {("replicas",), ("min_replicas",), ("max_replicas",)},
            id="min-replicas-past-int32",
        ),
    ],
)
def test_kubernetes_replica_counts_are_int32(fields: dict[str, int], refused: set[tuple[str, ...]]) -> None:
    """Kubernetes types replicas and the HPA's bounds ``int32``: 2**31 - 1 is the most it stores."""
    spec = {"name": "churn", "image": SERVING_IMAGE, "gpus": 0, "min_replicas": 1, **fields}

    if not refused:
        assert KubernetesServingSpec.model_validate(spec).max_replicas == 2147483647
        return
    with pytest.raises(ValidationError) as raised:
        KubernetesServingSpec.model_validate(spec)

    assert {error["loc"] for error in raised.value.errors()} == refused
    assert "less than or equal to 2147483647" in str(raised.value)


@pytest.mark.parametrize(("value", "kept"), [(2147483647, True), (2147483648, False)])
def test_a_feature_groups_online_ttl_is_int32(value: int, kept: bool) -> None:
    """SageMaker's ``TtlDuration.Value`` is an ``Integer``."""
    if kept:
        assert OnlineTtl(value=value, unit="Seconds").value == value
        return
    with pytest.raises(ValidationError) as raised:
        OnlineTtl(value=value, unit="Seconds")

    assert [error["loc"] for error in raised.value.errors()] == [("value",)]


def test_factory_in_another_case_is_no_zone_and_no_hint_at_factory() -> None:
    """``Factory`` is left out of the zones, so no refusal suggests it as the zone meant."""
    assert time_zone_problem("factory") == (
        "'factory' is not an IANA time zone (e.g. UTC, Europe/Berlin, America/New_York)"
    )


def test_without_the_tzdata_package_the_systems_zones_are_read_less_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where the tzdata package is missing (ModuleNotFoundError from importlib.resources), the system's
    database is read, less Debian's ``localtime`` link and tzdata's ``Factory``."""
    import zoneinfo

    from components import schedules

    def no_package(name: str) -> Any:
        raise ModuleNotFoundError(f"No module named {name!r}")

    monkeypatch.setattr(schedules.resources, "files", no_package)
    monkeypatch.setattr(
        zoneinfo, "available_timezones", lambda: {"Europe/Dublin", "UTC", "localtime", "Factory"}
    )
    schedules.time_zones.cache_clear()
    try:
        zones = schedules.time_zones()
    finally:
        schedules.time_zones.cache_clear()

    assert zones == {"Europe/Dublin", "UTC"}


def test_a_map_under_a_key_the_project_declares_is_not_called_another_namespace(tmp_path: Path) -> None:
    """``platfrom``, declared in Pulumi.yaml, is a key of the project's own namespace: the refusal
    does not say it is in another namespace (nor name it: the project means it)."""
    path = _without_platform(tmp_path, "platfrom", None)
    (tmp_path / "Pulumi.yaml").write_text(
        "name: mlops-platform\nruntime: python\nconfig:\n  platfrom:\n    type: object\n"
    )

    with pytest.raises(ConfigError) as raised:
        read_stack_file(str(path))

    assert raised.value.problems == [(CONFIG_KEY, "missing required key")]
