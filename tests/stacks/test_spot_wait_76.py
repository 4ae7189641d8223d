"""A ``max_wait_seconds`` the stack file writes where the training runs on demand (``spot`` false).

The pipeline sends a wait only to spot jobs (SageMaker refuses one for on-demand training), so an
explicit wait with spot off was silently ignored; a custom definition refuses it
(``use_spot_instances``). It is now refused at the key the file writes it at, naming the stack file;
a wait the environment's defaults pair with spot is never refused (a family or stack that turns
spot off is not held to it, session 75), nor the stack's wait a family that turns spot on runs with.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from planner.__main__ import EXIT_INVALID_CONFIG, main
from stacks.config import CONFIG_KEY
from tests.config_problems import program_refusal, stack_file_problems

FAMILY_KEY = f"{CONFIG_KEY}.models[0].training.max_wait_seconds"
STACK_KEY = f"{CONFIG_KEY}.training.max_wait_seconds"
REFUSAL = "max_wait_seconds only applies with spot training ({}); SageMaker rejects it for on-demand training"


def _family(**settings: Any):
    def edit(platform: dict[str, Any]) -> None:
        platform["models"][0]["training"].update(settings)

    return edit


def _stack(family: dict[str, Any] | None = None, **settings: Any):
    def edit(platform: dict[str, Any]) -> None:
        platform["training"] = {**platform.get("training", {}), **settings}
        if family:
            platform["models"][0]["training"].update(family)

    return edit


REFUSED = {
    "family-turns-spot-off-and-writes-a-wait": (
        "dev",
        _family(spot=False, max_wait_seconds=7200),
        FAMILY_KEY,
        "spot: false at models[0].training.spot",
    ),
    "family-writes-a-wait-under-the-environments-on-demand-default": (
        "prod",
        _family(max_wait_seconds=7200),
        FAMILY_KEY,
        "spot false, inherited from training.spot: the prod environment's default",
    ),
    "family-writes-a-wait-under-the-stacks-spot-off": (
        "dev",
        _stack(family={"max_wait_seconds": 9000}, spot=False),
        FAMILY_KEY,
        "spot false, inherited from training.spot",
    ),
    "stack-turns-spot-off-and-writes-a-wait": (
        "dev",
        _stack(spot=False, max_wait_seconds=7200),
        STACK_KEY,
        "spot false, from training.spot",
    ),
    "stack-writes-a-wait-under-the-environments-on-demand-default": (
        "prod",
        _stack(max_wait_seconds=7200),
        STACK_KEY,
        "spot false, from training.spot: the prod environment's default",
    ),
}


@pytest.mark.parametrize(("base", "edit", "key", "spot"), REFUSED.values(), ids=REFUSED.keys())
def test_an_explicit_wait_with_spot_off_is_refused_at_its_key(
    write_stack, base: str, edit, key: str, spot: str
) -> None:
    problems = stack_file_problems(write_stack(base, edit))

    assert list(problems) == [key]
    assert problems[key] == (
        f"{REFUSAL.format(spot)}, so the pipeline would ignore it: remove it, or set spot: true"
    )


def test_the_refusal_names_the_file_exits_2_and_creates_nothing(
    write_stack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_stack("dev", _family(spot=False, max_wait_seconds=7200))
    before = sorted(tmp_path.rglob("*"))

    assert main(["--config", str(path)]) == EXIT_INVALID_CONFIG
    out, err = capsys.readouterr()
    assert out == ""
    assert f"  {path}: {FAMILY_KEY}: max_wait_seconds only applies with spot training" in err
    assert sorted(tmp_path.rglob("*")) == before

    # `pulumi up`'s path (the program's own validation) refuses it the same way, registering nothing.
    refused = program_refusal(path)
    assert refused.source == str(path)
    assert [key for key, _ in refused.problems] == [FAMILY_KEY]


def test_it_is_reported_with_the_values_other_problems(write_stack) -> None:
    def both(platform: dict[str, Any]) -> None:
        _family(spot=False, max_wait_seconds=7200)(platform)
        platform["models"][0]["training"]["training_instance_count"] = 100

    problems = stack_file_problems(write_stack("dev", both))

    assert set(problems) == {FAMILY_KEY, f"{CONFIG_KEY}.models[0].training.training_instance_count"}


ACCEPTED = {
    # dev's defaults pair spot with a 7,200 s wait: turning spot off inherits it, and is not refused.
    "family-turns-spot-off-inheriting-the-default-wait": ("dev", _family(spot=False, max_run_seconds=10_800)),
    "stack-turns-spot-off-inheriting-the-default-wait": ("dev", _stack(spot=False, max_run_seconds=10_800)),
    "family-on-spot-with-its-own-wait": ("prod", _family(spot=True, max_wait_seconds=7200)),
    "stack-wait-a-spot-family-runs-with": (
        "prod",
        _stack(family={"spot": True}, spot=False, max_wait_seconds=7200),
    ),
    "stack-on-spot-with-its-wait": ("prod", _stack(spot=True, max_wait_seconds=7200)),
    "a-null-wait-is-no-wait": ("prod", _family(spot=False, max_wait_seconds=None)),
}


@pytest.mark.parametrize(("base", "edit"), ACCEPTED.values(), ids=ACCEPTED.keys())
def test_a_wait_that_spot_uses_or_the_file_does_not_write_is_accepted(write_stack, base: str, edit) -> None:
    assert stack_file_problems(write_stack(base, edit)) == {}
