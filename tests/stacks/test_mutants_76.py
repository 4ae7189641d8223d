"""What session 76's mutation sweep of ``stacks/project.py`` and ``stacks/config_defaults.py`` found no
test asserting: the judge of misspelt configuration keys (one for the offline plan and for the
program) and of a spot wait written where training runs on demand.
"""

from __future__ import annotations

import pytest

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
