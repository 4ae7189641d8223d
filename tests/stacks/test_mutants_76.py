"""What session 76's mutation sweep of ``stacks/project.py`` and ``stacks/config_defaults.py`` found no
test asserting: the judge of misspelt configuration keys (one for the offline plan and for the
program) and of a spot wait written where training runs on demand.
"""

from __future__ import annotations

from typing import Any

import pytest

from stacks.config_defaults import spot_wait_problems
from stacks.project import (
    CONFIG_KEY,
    KUBECONFIG_KEY,
    PROJECT,
    TOKEN_KEY,
    meant_key,
    misspelt_key,
    set_command_key,
)

# --- misspelt_key -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [CONFIG_KEY, KUBECONFIG_KEY, TOKEN_KEY])
@pytest.mark.parametrize("project", [PROJECT, "acme-ml"])
def test_a_key_the_program_reads_is_never_misspelt(key: str, project: str) -> None:
    assert misspelt_key(key, project) is None


def test_the_right_name_in_the_wrong_namespace_is_meant_not_misspelt() -> None:
    """``acme-ml:platform`` (a bare ``platform:`` in a project named acme-ml) is the program's key in
    the wrong namespace (:func:`meant_key`), not a misspelling of it."""
    assert meant_key("acme-ml:platform", "acme-ml") == CONFIG_KEY
    assert misspelt_key("acme-ml:platform", "acme-ml") is None


@pytest.mark.parametrize(("written", "meant"), [("PLATFORM", CONFIG_KEY), ("KubeConfig", KUBECONFIG_KEY)])
def test_a_lookalike_is_compared_without_case(written: str, meant: str) -> None:
    assert misspelt_key(f"{PROJECT}:{written}", PROJECT) == meant
    assert misspelt_key(f"acme-ml:{written}", "acme-ml") == meant


@pytest.mark.parametrize("written", ["approval_token", "plat", "region"])
def test_a_name_only_somewhat_like_one_the_program_reads_is_no_misspelling(written: str) -> None:
    """``approval_token`` (0.76 like ``approval_dispatch_token``) is another key, not a typo of it."""
    assert misspelt_key(f"{PROJECT}:{written}", PROJECT) is None
    assert misspelt_key(f"acme-ml:{written}", "acme-ml") is None


def test_the_set_command_names_the_whole_key_outside_the_shipped_project() -> None:
    """In a project named otherwise, ``pulumi config set kubeconfig`` would set ``acme-ml:kubeconfig``,
    which the program never reads: the command must name the whole key."""
    assert set_command_key(KUBECONFIG_KEY, PROJECT) == "kubeconfig"
    assert set_command_key(KUBECONFIG_KEY, "acme-ml") == KUBECONFIG_KEY


# --- spot_wait_problems -------------------------------------------------------------------------------------

STACK_WAIT = "training.max_wait_seconds"
FAMILY_WAIT = "models[0].training.max_wait_seconds"


def _keys(raw: dict[str, Any], environment: object) -> list[str]:
    return [key for key, _ in spot_wait_problems(raw, environment)]


def test_the_stacks_wait_is_refused_where_the_only_spot_family_writes_its_own() -> None:
    """A family on spot with its own wait does not run with the stack's: that one is still ignored."""
    raw: dict[str, Any] = {
        "training": {"spot": False, "max_wait_seconds": 7200},
        "models": [{"training": {"spot": True, "max_wait_seconds": 3600}}],
    }
    assert _keys(raw, "prod") == [STACK_WAIT]
    del raw["models"][0]["training"]["max_wait_seconds"]
    assert _keys(raw, "prod") == []


def test_spot_is_off_where_nothing_turns_it_on() -> None:
    """No environment (or one without defaults) and no ``spot`` written: training runs on demand."""
    assert _keys({"training": {"max_wait_seconds": 7200}}, None) == [STACK_WAIT]
    assert _keys({"models": [{"training": {"max_wait_seconds": 7200}}]}, None) == [FAMILY_WAIT]


def test_a_stack_wait_without_spot_keeps_the_environments_spot() -> None:
    """dev's defaults run training on spot: a stack that writes only its wait stays on spot."""
    assert _keys({"training": {"max_wait_seconds": 9000}}, "dev") == []
    raw = {"training": {"max_wait_seconds": 9000}, "models": [{"training": {"max_wait_seconds": 100}}]}
    assert _keys(raw, "dev") == []


def test_training_null_drops_the_environments_spot_default() -> None:
    raw = {"training": None, "models": [{"training": {"max_wait_seconds": 7200}}]}
    [(key, message)] = spot_wait_problems(raw, "dev")
    assert key == FAMILY_WAIT
    assert "(spot false, inherited from training.spot: its default)" in message
