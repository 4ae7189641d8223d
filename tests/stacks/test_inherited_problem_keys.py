"""A refused value an entry inherits names the key it came from.

Endpoints inherit ``deployment`` and ``data_capture`` from ``endpoint_defaults``, and each trained
family its compute from the stack's ``training``. Validation reports the entry's key, which the file
does not contain when the value is inherited: the message says where it was set.
"""

from __future__ import annotations

from typing import Any

from stacks.config import CONFIG_KEY
from tests.config_problems import stack_file_problems

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
