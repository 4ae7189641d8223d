"""The typed stack configuration: defaults per environment and clear errors for bad input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from planner.__main__ import EXIT_INVALID_CONFIG, main
from stacks.config import CONFIG_KEY, ConfigError, parse_platform_config
from stacks.defaults import ENVIRONMENT_DEFAULTS
from stacks.stack_file import read_stack_file
from tests.config_problems import program_refusal, stack_file_problems
from tests.conftest import STACKS, load_stack_document, stack_path
from tests.stack_edits import both


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(platform: dict[str, Any]) -> None:
        *parents, leaf = path.split(".")
        node = platform
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value

    return edit


def _delete(path: str) -> Callable[[dict[str, Any]], None]:
    def edit(platform: dict[str, Any]) -> None:
        *parents, leaf = path.split(".")
        node = platform
        for part in parents:
            node = node[part]
        del node[leaf]

    return edit


P = CONFIG_KEY
VALID_DEV = stack_path("dev").read_text()

# (case id, edit of the dev platform dict OR raw YAML text, expected key path, expected message fragment)
MALFORMED: list[tuple[str, Any, str, str]] = [
    ("yaml-syntax-error", "config:\n  mlops-platform:platform: {environment: dev\n", "<file>", "YAML syntax error at line"),
    ("empty-file", "", "<file>", "the file is empty"),
    ("comments-only-file", "# nothing here yet\n", "<file>", "the file is empty"),
    ("top-level-list", "- config\n", "<file>", "must be a YAML map"),
    ("unknown-top-level-key", VALID_DEV.replace("config:", "configuration:", 1), "configuration", "unknown top-level key"),
    ("missing-platform-key", "config:\n  aws:region: eu-west-1\n", P, "missing required key"),
    ("misspelt-project-key", VALID_DEV.replace(P, "mlops-platform:platfrom"), "mlops-platform:platfrom", f"did you mean {P}"),
    (
        "duplicate-key",
        VALID_DEV.replace("    environment: dev\n", "    environment: dev\n    environment: prod\n"),
        f"{P}.environment",
        "duplicate key 'environment'",
    ),
    ("list-as-a-key", "config:\n  ? [a, b]\n  : 1\n", "<file>", "found unhashable key"),
    ("map-as-a-key", f"config:\n  {P}:\n    ? {{environment: dev}}\n    : 1\n", "<file>", "found unhashable key"),
    ("platform-not-a-map", f"config:\n  {P}: dev\n", P, "must be a map of settings, got a string"),
    ("unknown-environment", _set("environment", "production"), f"{P}.environment", "'dev', 'staging' or 'prod'"),
    ("missing-environment", _delete("environment"), f"{P}.environment", "missing required key"),
    ("unknown-region", _set("region", "eu-west-9"), f"{P}.region", "not an AWS commercial region"),
    ("region-wrong-type", _set("region", 42), f"{P}.region", "valid string"),
    ("account-id-too-short", _set("account_id", "1234"), f"{P}.account_id", "match pattern"),
    ("account-id-unquoted-number", _set("account_id", 111111111111), f"{P}.account_id", "valid string"),
    ("unknown-top-key", _set("enviroment", "dev"), f"{P}.enviroment", "allowed keys here: account_id, alerts"),
    ("unknown-nested-key", _set("network.cidrs", "10.0.0.0/16"), f"{P}.network.cidrs", "allowed keys here: additional_interface_endpoints"),
    ("missing-required-tag", _delete("tags.cost-center"), f"{P}.tags", "missing required tag(s) cost-center"),
    ("reserved-tag-prefix", _set("tags.aws:team", "x"), f"{P}.tags.aws:team", "aws: prefix is reserved"),
    ("environment-tag-set-by-hand", _set("tags.environment", "dev"), f"{P}.tags.environment", "set by the platform"),
    ("cidr-not-a-network", _set("network.cidr", "10.20.0.0/33"), f"{P}.network.cidr", "not an IPv4 network"),
    ("cidr-public-range", _set("network.cidr", "8.8.0.0/16"), f"{P}.network.cidr", "not a private"),
    ("cidr-too-small", _set("network.cidr", "10.20.0.0/26"), f"{P}.network.cidr", "/16 to /22"),
    ("cidr-just-too-small", _set("network.cidr", "10.20.0.0/23"), f"{P}.network.cidr", "/16 to /22"),
    ("az-count-too-high", _set("network.az_count", 7), f"{P}.network.az_count", "less than or equal to 6"),
    (
        "cidr-and-existing-vpc",
        _set(
            "network.existing_vpc",
            {
                "vpc_id": "vpc-0123456789abcdef0",
                "cidr": "10.1.0.0/16",
                "private_subnet_ids": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
                "route_table_ids": ["rtb-0123456789abcdef0"],
            },
        ),
        f"{P}.network",
        "either `cidr`",
    ),
    ("missing-network-section", _delete("network"), f"{P}.network", "missing `cidr` (the VPC to create) or `existing_vpc`"),
    ("unknown-interface-endpoint", _set("network.additional_interface_endpoints", ["s3"]), f"{P}.network.additional_interface_endpoints", "unknown service 's3'; allowed: sagemaker.featurestore-runtime"),
    ("required-endpoint-listed", _set("network.additional_interface_endpoints", ["sts"]), f"{P}.network.additional_interface_endpoints", "always created"),
    ("bool-as-string", _set("protect_stateful_resources", "yes"), f"{P}.protect_stateful_resources", "valid boolean"),
    ("flow-log-retention-not-allowed", _set("network.flow_log_retention_days", 100), f"{P}.network.flow_log_retention_days", "allowed: 1, 3, 5"),
    (
        "zones-of-another-region",
        both(_set("network.az_count", 2), _set("network.availability_zones", ["us-east-1a", "us-east-1b"])),
        f"{P}.network.availability_zones[0]",
        "'us-east-1a' is not an availability zone of region eu-west-1",
    ),
    ("zones-count-mismatch", _set("network.availability_zones", ["eu-west-1a"]), f"{P}.network", "lists 1 zones but az_count is 2"),
    ("tracking-server-arn-too-long-for-the-registry", both(_set("experiment_tracking.enabled", True), _set("experiment_tracking.name", "m" * 250)), f"{P}.experiment_tracking.name", "registry keeps at most 256"),
    ("retraining-cooldown-zero", _set("training.retraining_cooldown_hours", 0), f"{P}.training.retraining_cooldown_hours", "greater than or equal to 1"),
    ("retraining-cooldown-over-a-month", _set("training.retraining_cooldown_hours", 721), f"{P}.training.retraining_cooldown_hours", "less than or equal to 720"),
    ("key-deletion-window-too-short", _set("encryption.key_deletion_window_days", 3), f"{P}.encryption.key_deletion_window_days", "greater than or equal to 7"),
    ("existing-vpc-bad-subnet-id", both(_delete("network.cidr"), _set("network.existing_vpc", {"vpc_id": "vpc-0123456789abcdef0", "cidr": "10.1.0.0/16", "private_subnet_ids": ["subnet-1", "subnet-0123456789abcdef1"], "route_table_ids": ["rtb-0123456789abcdef0"]})), f"{P}.network.existing_vpc.private_subnet_ids[0]", "match pattern"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "change", "key", "fragment"), MALFORMED, ids=[case[0] for case in MALFORMED]
)
def test_malformed_stack_file_is_rejected_naming_file_and_key(
    write_stack, case, change, key, fragment
) -> None:
    path = write_stack(text=change) if isinstance(change, str) else write_stack("dev", change)

    with pytest.raises(ConfigError) as raised:
        parse_platform_config(read_stack_file(path).platform, str(path))

    message = str(raised.value)
    line = next((line for line in message.splitlines() if f": {key}: " in line), None)
    assert line is not None, f"no problem reported at key {key!r}:\n{message}"
    assert line.strip().startswith(f"{path}: "), "each problem line names the stack file"
    assert fragment in line, f"expected {fragment!r} in {line!r}"


@pytest.mark.parametrize("case", ["unknown-environment", "empty-file", "unknown-nested-key"])
def test_plan_exits_2_and_prints_the_problem(write_stack, capsys, case) -> None:
    _, change, key, fragment = next(item for item in MALFORMED if item[0] == case)
    path = write_stack(text=change) if isinstance(change, str) else write_stack("dev", change)

    assert main(["--config", str(path)]) == EXIT_INVALID_CONFIG

    captured = capsys.readouterr()
    assert captured.out == ""
    assert str(path) in captured.err and key in captured.err and fragment in captured.err


def test_invalid_config_registers_no_resource(write_stack) -> None:
    path = write_stack("prod", _set("environment", "production"))
    assert "environment" in str(program_refusal(path))


@pytest.mark.parametrize("stack", STACKS)
def test_shipped_stack_files_are_valid(stack: str) -> None:
    config = parse_platform_config(read_stack_file(stack_path(stack)).platform, f"stacks/Pulumi.{stack}.yaml")
    assert config.environment == stack


@pytest.mark.parametrize("stack", STACKS)
def test_environment_defaults_apply_where_the_stack_file_is_silent(stack: str) -> None:
    raw = load_stack_document(stack)["config"][CONFIG_KEY]
    config = parse_platform_config(raw, "stack")
    defaults = ENVIRONMENT_DEFAULTS[stack]

    assert "protect_stateful_resources" not in raw
    assert config.protect_stateful_resources is defaults["protect_stateful_resources"]
    assert config.network.az_count == defaults["network"]["az_count"]
    assert (
        config.storage.noncurrent_version_expiration_days
        == defaults["storage"]["noncurrent_version_expiration_days"]
    )


def test_stack_file_value_wins_over_the_environment_default() -> None:
    raw = {
        **load_stack_document("prod")["config"][CONFIG_KEY],
        "network": {"cidr": "10.9.0.0/16", "az_count": 2},
    }
    config = parse_platform_config(raw, "stack")
    assert config.network.az_count == 2
    assert (
        config.network.flow_log_retention_days
        == ENVIRONMENT_DEFAULTS["prod"]["network"]["flow_log_retention_days"]
    )


def test_environments_differ_by_protection() -> None:
    assert ENVIRONMENT_DEFAULTS["dev"]["protect_stateful_resources"] is False
    assert ENVIRONMENT_DEFAULTS["staging"]["protect_stateful_resources"] is True
    assert ENVIRONMENT_DEFAULTS["prod"]["protect_stateful_resources"] is True


@pytest.mark.parametrize("name", ["int", "str", "float", "none"])
def test_an_unknown_key_named_like_a_type_is_reported_where_it_is(write_stack, name: str) -> None:
    """pydantic names a union's members ``int``, ``str``...: a real key of that name stays in the path."""

    def edit(platform: dict[str, Any]) -> None:
        platform["endpoints"][0].setdefault("deployment", {})[name] = 2

    problems = stack_file_problems(write_stack("prod", edit))
    key = f"{CONFIG_KEY}.endpoints[0].deployment.{name}"
    assert list(problems) == [key]
    assert problems[key].startswith("unknown key; allowed keys here: canary_percent")
