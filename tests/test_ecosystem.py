"""docs/ecosystem.md: every tool the lifecycle documents name has its section, its status, and links
to files that exist; what it says is provided matches what the platform builds."""

from __future__ import annotations

import re

import pytest

from tests.conftest import REPO

DOCUMENT = REPO / "docs" / "ecosystem.md"
# The systems the lifecycle documents (../shared/seeds) name, and the status each has today.
SYSTEMS = {
    "DVC": "provided",
    "Evidently": "provided",
    "Triton": "provided",
    "TorchServe": "instead",
    "KServe": "provided",
    "Seldon": "instead",
    "BentoML": "instead",
    "Airflow": "instead",
    "Kubeflow": "instead",
    "Feast": "instead",
    "Tecton": "instead",
    "Weights & Biases": "instead",
    "Neptune": "instead",
    "Jenkins": "instead",
    "GitLab": "instead",
    "Datadog": "instead",
    "ELK": "instead",
}


@pytest.fixture(scope="module")
def sections() -> dict[str, str]:
    """``### <title>`` → its text, up to the next heading."""
    text = DOCUMENT.read_text(encoding="utf-8")
    parts = re.split(r"^#{2,3} (.+)$", text, flags=re.M)
    return {title.strip(): body for title, body in zip(parts[1::2], parts[2::2], strict=True)}


def _section(sections: dict[str, str], system: str) -> str:
    found = [
        body for title, body in sections.items() if system in [name.strip() for name in title.split(" and ")]
    ]
    assert len(found) == 1, f"docs/ecosystem.md has no section of its own for {system}"
    return found[0]


@pytest.mark.parametrize("system", SYSTEMS)
def test_every_named_system_links_files_that_exist(sections: dict[str, str], system: str) -> None:
    links = [link for link in re.findall(r"\]\(([^)#\s]+)", _section(sections, system)) if "://" not in link]
    assert links, f"{system}: link the files that do the work"
    for link in links:
        assert (DOCUMENT.parent / link).resolve().exists(), f"{system}: {link} does not exist"


@pytest.mark.parametrize(("system", "status"), SYSTEMS.items())
def test_every_named_system_states_its_status(sections: dict[str, str], system: str, status: str) -> None:
    assert f"**Status: {status}" in _section(sections, system)
    row = re.search(rf"^\| {re.escape(system)} \| (\w+) \|", DOCUMENT.read_text(encoding="utf-8"), flags=re.M)
    assert row is not None and row[1] == status, f"{system}: the summary table says otherwise"


def test_the_dvc_commands_use_the_stack_outputs_the_platform_exports(sections: dict[str, str]) -> None:
    text = _section(sections, "DVC")
    outputs = set(re.findall(r"pulumi stack output (\w+)", text))
    assert outputs == {"dvc_remote_url", "dvc_remote_region", "dvc_remote_sse", "dvc_remote_sse_kms_key_id"}
    exported = set(
        re.findall(r'pulumi\.export\("(dvc_remote_\w+)"', (REPO / "stacks" / "platform.py").read_text())
    )
    assert outputs <= exported
    # DVC's own S3 remote options (dvc/config_schema.py): region, sse, sse_kms_key_id, profile.
    assert set(re.findall(r"dvc remote modify (?:--local )?platform (\w+)", text)) == {
        "region",
        "sse",
        "sse_kms_key_id",
        "profile",
    }
