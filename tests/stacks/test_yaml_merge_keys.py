"""YAML merge keys (``<<: *anchor``) in a stack file, as Pulumi reads them (go-yaml supports them):
the anchored map's keys are merged in, keys written next to ``<<`` win, and a key written twice
is still refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stacks.config import ConfigError, parse_platform_config
from stacks.stack_file import read_stack_file

FIXTURE = Path(__file__).parents[1] / "fixtures" / "stacks" / "Pulumi.prod.yaml"
SHARED_SCALING = "            scaling:\n              min_capacity: 2\n"


def _with_second_endpoint(tmp_path: Path, scaling: str) -> Path:
    """The prod fixture with its first variant's scaling anchored and a second endpoint whose
    variant merges it (``scaling`` is the second variant's scaling block, 14 spaces deep)."""
    text = FIXTURE.read_text()
    assert SHARED_SCALING in text
    text = text.replace(SHARED_SCALING, SHARED_SCALING.replace("scaling:", "scaling: &scaling"), 1)
    second = (
        "      - name: churn-b\n"
        "        variants:\n"
        "          - name: primary\n"
        "            model: {latest_approved_of: customer-churn}\n"
        "            instance_type: ml.g5.2xlarge\n"
        "            initial_instance_count: 2\n"
        "            scaling:\n" + scaling
    )
    start = text.index("    endpoints:\n") + len("    endpoints:\n")
    end = re.compile(r"^    [a-z_]+:", re.MULTILINE).search(text, start)
    assert end is not None
    text = text[: end.start()] + second + text[end.start() :]
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(text)
    return path


def test_a_merge_key_merges_the_anchored_map_and_written_keys_win(tmp_path: Path) -> None:
    path = _with_second_endpoint(tmp_path, "              <<: *scaling\n              max_capacity: 10\n")

    config = parse_platform_config(read_stack_file(path).platform, str(path))

    anchored, merged = config.endpoints[0].variants[0].scaling, config.endpoints[1].variants[0].scaling
    assert merged is not None and anchored is not None
    assert (merged.min_capacity, merged.max_capacity) == (2, 10)
    assert merged.invocations_per_instance == anchored.invocations_per_instance
    assert [action.name for action in merged.scheduled] == [action.name for action in anchored.scheduled]


def test_a_key_written_twice_beside_a_merge_key_is_still_refused(tmp_path: Path) -> None:
    path = _with_second_endpoint(
        tmp_path,
        "              <<: *scaling\n              max_capacity: 10\n              max_capacity: 12\n",
    )

    with pytest.raises(ConfigError, match="duplicate key 'max_capacity'"):
        read_stack_file(path)
