"""A refused value the file does not set where it is reported names where it came from.

Endpoints inherit ``deployment`` and ``data_capture`` from ``endpoint_defaults``, and each trained
family its compute from the stack's ``training``; the environment's built-in defaults
(``stacks/defaults.py``) are merged under the file. Validation reports the entry's key, which the
file does not contain when the value is inherited or a default: the message says where it was set.
"""

from __future__ import annotations

from typing import Any

import pytest

from stacks.config import CONFIG_KEY
from tests.config_problems import stack_file_problems
from tests.stack_edits import both

KEY = f"{CONFIG_KEY}.endpoints[0].deployment.latency_p99_slo_ms"


def _endpoint_slo(value: int):
    def edit(platform: dict[str, Any]) -> None:
        platform["endpoints"][0].setdefault("deployment", {})["latency_p99_slo_ms"] = value

    return edit


def test_a_refused_value_an_endpoint_inherits_names_the_defaults_key(write_stack) -> None:
    """The reported key is not in the file when the value comes from ``endpoint_defaults``."""

    def inherited(platform: dict[str, Any]) -> None:
        platform["endpoints"][0].get("deployment", {}).pop("latency_p99_slo_ms", None)
        platform.setdefault("endpoint_defaults", {})["deployment"] = {"latency_p99_slo_ms": 90_000}

    problems = stack_file_problems(write_stack("prod", inherited))
    assert list(problems) == [KEY]
    assert problems[KEY].endswith("(inherited from endpoint_defaults.deployment.latency_p99_slo_ms)")
    own = stack_file_problems(write_stack("prod", _endpoint_slo(90_000)))
    assert "inherited" not in own[KEY]


def test_a_familys_inherited_training_compute_names_the_stacks_key(write_stack) -> None:
    def stack_wide(platform: dict[str, Any]) -> None:
        platform.setdefault("training", {})["training_instance_count"] = 100
        platform["models"][0]["training"].pop("training_instance_count", None)

    problems = stack_file_problems(write_stack("prod", stack_wide))
    family = f"{CONFIG_KEY}.models[0].training.training_instance_count"
    assert problems[family].endswith("(inherited from training.training_instance_count)")


def test_a_cross_field_training_check_names_the_stacks_key_a_family_inherits(write_stack) -> None:
    """``max_wait_seconds`` must exceed ``max_run_seconds``: a family that raises its own limit
    above the stack's spot wait is told the key to change and where it is set."""

    def longer_run(platform: dict[str, Any]) -> None:
        platform.setdefault("training", {}).update(spot=True, max_run_seconds=3600, max_wait_seconds=7200)
        family = platform["models"][0]["training"]
        for key in ("spot", "max_wait_seconds"):
            family.pop(key, None)
        family["max_run_seconds"] = 10_800

    problems = stack_file_problems(write_stack("prod", longer_run))
    key = f"{CONFIG_KEY}.models[0].training.max_wait_seconds"
    assert list(problems) == [key]
    assert problems[key] == (
        "max_wait_seconds (7200) must be greater than max_run_seconds (10800): the difference is the "
        "time a spot job may wait for capacity (inherited from training.max_wait_seconds)"
    )


def _on_demand_family(platform: dict[str, Any]) -> None:
    family = platform["models"][0]["training"]
    family.pop("max_wait_seconds", None)
    family.update(spot=False, max_run_seconds=10_800)


def _on_demand_stack(platform: dict[str, Any]) -> None:
    platform["training"] = {"spot": False, "max_run_seconds": 10_800}
    for key in ("spot", "max_wait_seconds", "max_run_seconds"):
        platform["models"][0]["training"].pop(key, None)


@pytest.mark.parametrize("edit", [_on_demand_family, _on_demand_stack], ids=["family", "stack"])
def test_turning_spot_off_drops_the_spot_wait_it_would_inherit(write_stack, edit) -> None:
    """dev's defaults pair spot with a 7,200 s wait; a family or stack that turns spot off and runs
    longer is not held to a wait it no longer has (on demand, no wait is sent to SageMaker)."""
    assert stack_file_problems(write_stack("dev", edit)) == {}


ENVIRONMENT_DEFAULT_CASES = {
    # prod's endpoint_defaults capture data; a serverless endpoint cannot.
    "inherited-prod-default": (
        "prod",
        lambda platform: (
            _serverless(platform),
            platform.pop("endpoint_defaults", None),
        ),
        f"{CONFIG_KEY}.endpoints[0].data_capture.enabled",
        "(inherited from endpoint_defaults.data_capture.enabled: the prod environment's default)",
    ),
    # dev trains on spot with a 7,200 s wait; a family that runs longer inherits too short a wait.
    "inherited-dev-default": (
        "dev",
        lambda platform: (
            platform.pop("training", None),
            platform["models"][0]["training"].update(max_run_seconds=10_800),
            [platform["models"][0]["training"].pop(key, None) for key in ("spot", "max_wait_seconds")],
        ),
        f"{CONFIG_KEY}.models[0].training.max_wait_seconds",
        "(inherited from training.max_wait_seconds: the dev environment's default)",
    ),
    # The stack's own training: the default is reported at the stack's key.
    "stack-dev-default": (
        "dev",
        lambda platform: (
            platform.__setitem__("training", {"max_run_seconds": 10_800}),
            [platform["models"][0]["training"].pop(key, None) for key in ("spot", "max_wait_seconds")],
        ),
        f"{CONFIG_KEY}.training.max_wait_seconds",
        "(the dev environment's default)",
    ),
}


@pytest.mark.parametrize(
    ("stack", "edit", "key", "note"),
    ENVIRONMENT_DEFAULT_CASES.values(),
    ids=ENVIRONMENT_DEFAULT_CASES.keys(),
)
def test_a_refused_environment_default_says_so(write_stack, stack: str, edit, key: str, note: str) -> None:
    problems = stack_file_problems(write_stack(stack, edit))
    assert key in problems, problems
    assert problems[key].endswith(note), problems[key]
    assert problems[key].count("environment's default") == 1


def _no_network(platform: dict[str, Any]) -> None:
    platform.pop("network")


def _training_replaced_by_null(platform: dict[str, Any]) -> None:
    platform["training"] = None  # drops dev's spot and max_wait_seconds defaults
    family = platform["models"][0]["training"]
    family.pop("max_wait_seconds", None)
    family["spot"] = True


def _serverless_without_endpoint_defaults(platform: dict[str, Any]) -> None:
    _serverless(platform)
    platform["endpoint_defaults"] = None  # dev's data_capture default (off) never reaches it
    platform["endpoints"][0]["data_capture"] = {"sampling_percent": 10}


def _environment_as_a_list(platform: dict[str, Any]) -> None:
    platform["environment"] = ["dev", "prod"]
    platform.pop("network")


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        # A whole section the defaults fill only in part (az_count, not cidr or existing_vpc).
        (_no_network, f"{CONFIG_KEY}.network"),
        # The file replaced the section holding the default: the value is the model's own.
        (_training_replaced_by_null, f"{CONFIG_KEY}.models[0].training.max_wait_seconds"),
        (_serverless_without_endpoint_defaults, f"{CONFIG_KEY}.endpoints[0].data_capture.enabled"),
        # No environment, no environment defaults.
        (_environment_as_a_list, f"{CONFIG_KEY}.network"),
    ],
    ids=["whole-section", "training-null", "endpoint-defaults-null", "no-environment"],
)
def test_no_default_is_claimed_where_none_reached_the_value(write_stack, edit, key: str) -> None:
    problems = stack_file_problems(write_stack("dev", edit))
    assert key in problems, problems
    assert not [message for message in problems.values() if "default)" in message], problems


def _defaults(**deployment: Any):
    def edit(platform: dict[str, Any]) -> None:
        platform.setdefault("endpoint_defaults", {})["deployment"] = deployment

    return edit


def _endpoint(**deployment: Any):
    def edit(platform: dict[str, Any]) -> None:
        platform["endpoints"][0]["deployment"] = deployment

    return edit


EP = f"{CONFIG_KEY}.endpoints[0]"


def _serverless(platform: dict[str, Any]) -> None:
    endpoint = platform["endpoints"][0]
    endpoint.pop("data_capture", None)
    endpoint.pop("deployment", None)  # rollout strategies need instances
    endpoint.pop("async_inference", None)
    [variant] = endpoint["variants"]
    endpoint["variants"] = [{"name": variant["name"], "model": variant["model"], "serverless": {}}]
    endpoint.pop("shadow_variants", None)


def _captured_by_default(platform: dict[str, Any]) -> None:
    platform.setdefault("endpoint_defaults", {})["data_capture"] = {"enabled": True}


@pytest.mark.parametrize(
    ("edit", "key", "source"),
    [
        # The endpoint sets part of its deployment and inherits the refused part.
        (
            both(_endpoint(strategy="all_at_once"), _defaults(latency_p99_slo_ms=90_000)),
            f"{EP}.deployment.latency_p99_slo_ms",
            "endpoint_defaults.deployment.latency_p99_slo_ms",
        ),
        # A problem computed across fields (fail_at), at the inherited key.
        (
            both(_endpoint(strategy="canary"), _defaults(canary_percent=5)),
            f"{EP}.deployment.canary_percent",
            "endpoint_defaults.deployment.canary_percent",
        ),
        # A list item.
        (
            both(_endpoint(), _defaults(extra_rollback_alarms=["a", 7])),
            f"{EP}.deployment.extra_rollback_alarms[1]",
            "endpoint_defaults.deployment.extra_rollback_alarms[1]",
        ),
        # An endpoint-wide check (a serverless endpoint captures nothing) at the inherited key.
        (
            both(_serverless, _captured_by_default),
            f"{EP}.data_capture.enabled",
            "endpoint_defaults.data_capture.enabled",
        ),
    ],
    ids=["partly-set", "across-fields", "list-item", "endpoint-wide"],
)
def test_the_note_names_the_inherited_key(write_stack, edit, key: str, source: str) -> None:
    problems = stack_file_problems(write_stack("prod", edit))
    assert key in problems, problems
    assert problems[key].endswith(f"(inherited from {source})")
    assert problems[key].count("inherited from") == 1


@pytest.mark.parametrize(
    "edit",
    [
        both(_endpoint(strategy="canary", canary_percent=5), _defaults(canary_percent=40)),
        _endpoint(strategy="linear", linear_step_percent=60),
    ],
    ids=["the-endpoint-sets-it", "no-defaults-in-the-file"],
)
def test_no_note_where_the_entry_sets_the_value_or_the_file_has_no_default(write_stack, edit) -> None:
    problems = stack_file_problems(write_stack("prod", edit))
    assert problems and not [message for message in problems.values() if "inherited from" in message]


def test_a_family_that_sets_its_own_compute_gets_no_note(write_stack) -> None:
    def own(platform: dict[str, Any]) -> None:
        platform.setdefault("training", {})["training_instance_count"] = 100
        platform["models"][0]["training"]["training_instance_count"] = 100

    problems = stack_file_problems(write_stack("prod", own))
    assert "inherited" not in problems[f"{CONFIG_KEY}.models[0].training.training_instance_count"]


def test_a_long_inherited_key_is_shortened_in_the_note_as_in_the_key(write_stack) -> None:
    long_key = "k" * 3000
    problems = stack_file_problems(write_stack("prod", both(_endpoint(), _defaults(**{long_key: 1}))))
    [(key, message)] = [(k, m) for k, m in problems.items() if "inherited from" in m]
    assert long_key not in key and long_key not in message
    assert message.endswith(")") and len(message) < 1000
