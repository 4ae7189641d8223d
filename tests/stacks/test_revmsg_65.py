"""Second read of session 65's stack-file messages.

- Keys written twice are named in the order written: a map's keys are checked before the maps
  inside it are read, so a duplicate inside a map was named after a later duplicate of the map
  holding it (and, past the 50 problems shown, the ones named were not the first in the file).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stacks.config import CONFIG_KEY, ConfigError
from stacks.stack_file import read_stack_file
from tests.conftest import load_stack_document
from tests.stacks.project_folder import project_folder
from tests.yaml_text import dump_document

OWNER = "      owner: ml-platform-team\n"
PROJECT = "      project: customer-churn\n"


def _read_problems(path: Path) -> list[tuple[str, str]]:
    with pytest.raises(ConfigError) as raised:
        read_stack_file(str(path))
    return list(raised.value.problems)


def test_keys_written_twice_are_named_in_the_order_written(tmp_path: Path) -> None:
    text = dump_document(load_stack_document("dev"))
    assert text.count(OWNER) == 1 and text.count(PROJECT) == 1
    # tags.owner written twice after a map holding a key written twice (tags.team.lead).
    text = text.replace(OWNER, "      team: {lead: a, lead: b}\n" + OWNER + "      owner: again\n")
    lines = text.splitlines()
    team, owner = lines.index("      team: {lead: a, lead: b}") + 1, lines.index("      owner: again") + 1

    problems = _read_problems(project_folder(tmp_path, text=text))

    assert problems == [
        (f"{CONFIG_KEY}.tags.team.lead", f"duplicate key 'lead' (line {team}, column 23)"),
        (f"{CONFIG_KEY}.tags.owner", f"duplicate key 'owner' (line {owner}, column 7)"),
    ]
