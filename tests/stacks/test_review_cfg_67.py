"""Session 67, second read of the adopter-edit fixes: what they still let through that AWS or Pulumi
refuses, or read silently as something else.

- ``Factory``, in tzdata's list, is its placeholder for a zone not yet set; Application Auto Scaling
  takes Joda-Time's zones, which omit it: it planned clean and failed at ``pulumi up``.
- A ``runtime`` map with a key besides ``name`` and ``options`` is refused by Pulumi's project schema
  (``additionalProperties: false``).
- ``inference_attribute: ""`` was column 0 to the monitor but "set" to the stack's checks.
- A trusted registry listed twice, or the stack's own account, only repeated ARNs in every role: IAM
  takes it and an adopter may paste a shared list, so it plans and each account's ARN is listed once.
- An empty kubeconfig or token in clear was refused even where the platform value never reads it
  (no Kubernetes servings, no approval dispatch): Pulumi takes any value there, so a placeholder stays.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from components.policy_documents import ecr_pull
from stacks.config import CONFIG_KEY, ConfigError, parse_platform_config
from stacks.stack_file import read_stack_file
from tests.conftest import load_stack_document
from tests.yaml_text import dump_document

SOURCE = "stacks/Pulumi.prod.yaml"
SCHEDULED = "endpoints[0].variants[0].scaling.scheduled[0].timezone"
FACTORY = (
    "'Factory' is tzdata's placeholder for a zone not yet set, which AWS does not take: name the zone the "
    "schedule keeps (e.g. UTC, Europe/Berlin, America/New_York)"
)
EMPTY_ATTRIBUTE = (
    "is empty: name the response's field or CSV column index (e.g. '0', the first column), or leave the "
    "key out for column 0"
)


def _zone(zone: str) -> Any:
    def edit(platform: dict[str, Any]) -> None:
        platform["endpoints"][0]["variants"][0]["scaling"]["scheduled"][0]["timezone"] = zone

    return edit


def _monitor(**attributes: str) -> Any:
    def edit(platform: dict[str, Any]) -> None:
        platform.setdefault("monitoring", {}).setdefault("model_monitors", {}).update(attributes)

    return edit


def _trusted(*accounts: str) -> Any:
    def edit(platform: dict[str, Any]) -> None:
        platform["trusted_image_registry_accounts"] = list(accounts)

    return edit


@pytest.mark.parametrize(
    ("edit", "problems"),
    [
        pytest.param(_zone("Factory"), [(SCHEDULED, FACTORY)], id="tzdata-Factory-no-aws-zone"),
        pytest.param(_zone("Etc/GMT+5"), [], id="Etc-GMT-offset-zone-kept"),
        pytest.param(_zone("UTC"), [], id="UTC-kept"),
        pytest.param(
            _monitor(inference_attribute=""),
            [("monitoring.model_monitors.inference_attribute", EMPTY_ATTRIBUTE)],
            id="empty-inference-attribute",
        ),
        pytest.param(
            _monitor(probability_attribute=" "),
            [("monitoring.model_monitors.probability_attribute", EMPTY_ATTRIBUTE)],
            id="blank-probability-attribute",
        ),
        pytest.param(_monitor(inference_attribute="0"), [], id="inference-attribute-column-0-kept"),
        pytest.param(_trusted("444444444444", "555555555555"), [], id="trusted-registries-distinct-kept"),
    ],
)
def test_a_stack_value_aws_refuses_or_reads_otherwise_is_named(
    edit: Any, problems: list[tuple[str, str]]
) -> None:
    platform: dict[str, Any] = load_stack_document("prod")["config"][CONFIG_KEY]
    edit(platform)

    if not problems:
        assert parse_platform_config(platform, SOURCE).account_id == "333333333333"
        return
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(platform, SOURCE)

    assert raised.value.problems == [(f"{CONFIG_KEY}.{key}", said) for key, said in problems]
    assert f"{SOURCE}: {CONFIG_KEY}.{problems[0][0]}: " in str(raised.value)


def test_a_trusted_registry_repeated_or_the_stacks_own_plans_and_is_pulled_once() -> None:
    """IAM takes a repeated resource ARN, and a team may paste one list of its accounts into every
    stack file: a repeat, or the stack's own account, plans, and the roles' pull statement (every
    execution role's, through ``ecr_pull``) names each registry once."""
    platform: dict[str, Any] = load_stack_document("prod")["config"][CONFIG_KEY]
    _trusted("444444444444", "555555555555", "444444444444", "333333333333")(platform)
    config = parse_platform_config(platform, SOURCE)

    _, pull = ecr_pull(config.region, [config.account_id, *config.trusted_image_registry_accounts])
    assert pull["Resource"] == [
        f"arn:aws:ecr:{config.region}:{account}:repository/*"
        for account in ("333333333333", "444444444444", "555555555555")
    ]


RUNTIME = (
    "must be the runtime's name (`python`) or a map with it and nothing but `options` (`{name: python, "
    "options: {...}}`), as Pulumi's project schema says"
)


@pytest.mark.parametrize(
    ("runtime", "refused"),
    [
        pytest.param("{name: python, toolchain: uv}", True, id="runtime-map-unknown-key"),
        pytest.param("{name: python}", False, id="runtime-map-name-only-kept"),
    ],
)
def test_a_runtime_map_holds_only_name_and_options(tmp_path: Path, runtime: str, refused: bool) -> None:
    (tmp_path / "Pulumi.yaml").write_text(f"name: mlops-platform\nruntime: {runtime}\n")
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(dump_document(load_stack_document("prod")))

    if not refused:
        assert read_stack_file(str(path)).stack == "prod"
        return
    with pytest.raises(ConfigError) as raised:
        read_stack_file(str(path))

    assert raised.value.problems == [("runtime", RUNTIME)]
    assert raised.value.sources == (str(tmp_path / "Pulumi.yaml"),)


KUBECONFIG, TOKEN = "mlops-platform:kubeconfig", "mlops-platform:approval_dispatch_token"
SERVING = {
    "cluster_arn": "arn:aws:eks:eu-west-1:333333333333:cluster/ml",
    "servings": [
        {
            "name": "churn-gpu",
            "image": "333333333333.dkr.ecr.eu-west-1.amazonaws.com/churn-server@sha256:" + "a" * 64,
            "replicas": 1,
            "min_replicas": 1,
            "max_replicas": 1,
        }
    ],
}


@pytest.mark.parametrize(
    ("serves_on_kubernetes", "refused"),
    [
        pytest.param(False, [], id="unread-placeholders-kept"),
        pytest.param(True, [KUBECONFIG], id="kubeconfig-read-by-servings-refused-token-unread-kept"),
    ],
)
def test_a_secret_placeholder_is_refused_only_where_the_program_reads_it(
    tmp_path: Path, serves_on_kubernetes: bool, refused: list[str]
) -> None:
    document = load_stack_document("prod")
    document["config"].update({KUBECONFIG: "", TOKEN: ""})
    document["config"][CONFIG_KEY].pop("delivery")  # no approval dispatch: the token is never read
    if serves_on_kubernetes:
        document["config"][CONFIG_KEY]["kubernetes_serving"] = SERVING
    (tmp_path / "Pulumi.yaml").write_text("name: mlops-platform\nruntime: python\n")
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(dump_document(document))

    if not refused:
        assert read_stack_file(str(path)).config[TOKEN] == ""
        return
    with pytest.raises(ConfigError) as raised:
        read_stack_file(str(path))

    assert [key for key, _ in raised.value.problems] == refused
    assert raised.value.problems[0][1].startswith(
        "is empty, and the Kubernetes provider reads an empty kubeconfig"
    )
