"""Session 64: many encrypted names.

- Encrypted feature names (``secure:``) of one feature group, read offline as stand-ins: each is
  read as a text of its own, so twenty distinct names plan (three or more were all read as the one
  plain stand-in and refused as possible duplicates), while a real duplicate of plain names beside
  them is still refused at the features list, naming the stack file, as that duplicate (it was
  refused as an encrypted leaf's: reading the leaf as another leaf's stand-in changed the message),
  and one ciphertext copied (one value) is still refused as a duplicate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stacks.config import CONFIG_KEY, ConfigError
from stacks.stack_file import offline_platform_config, read_stack_file
from tests.stacks.project_folder import project_folder


def _with_encrypted_features(count: int, duplicate: bool, copied: bool = False) -> Any:
    def edit(document: dict[str, Any]) -> None:
        group = document["config"][CONFIG_KEY]["feature_groups"][0]
        group["features"] += [
            {"name": {"secure": f"v1:ciphertext{n:02d}=="}, "type": "Integral"} for n in range(count)
        ]
        if duplicate:
            group["features"].append({"name": "tenure_months", "type": "Integral"})
        if copied:  # one ciphertext twice: one value (Pulumi gives each value a nonce of its own)
            group["features"].append({"name": {"secure": "v1:ciphertext05=="}, "type": "Integral"})

    return edit


@pytest.mark.parametrize("count", [3, 20])
def test_distinct_encrypted_feature_names_plan(tmp_path: Path, count: int) -> None:
    stack = read_stack_file(str(project_folder(tmp_path, edit=_with_encrypted_features(count, False))))

    config = offline_platform_config(stack)

    names = [feature.name for feature in config.feature_groups[0].features]
    assert len(names) == 7 + count and len(set(names)) == len(names)
    assert len(set(stack.stand_ins.values())) == count


def test_a_duplicate_plain_name_beside_them_is_still_refused(tmp_path: Path) -> None:
    path = project_folder(tmp_path, edit=_with_encrypted_features(20, True))

    with pytest.raises(ConfigError) as raised:
        offline_platform_config(read_stack_file(str(path)))

    assert raised.value.problems == [
        (f"{CONFIG_KEY}.feature_groups[0].features", "duplicate feature names: tenure_months")
    ]
    assert str(path) in str(raised.value)


def test_a_copied_ciphertext_is_refused_as_a_duplicate(tmp_path: Path) -> None:
    path = project_folder(tmp_path, edit=_with_encrypted_features(20, False, copied=True))

    with pytest.raises(ConfigError) as raised:
        offline_platform_config(read_stack_file(str(path)))

    [(key, message)] = raised.value.problems
    assert key == f"{CONFIG_KEY}.feature_groups[0].features"
    assert "is encrypted (`secure:`)" in message and "duplicate feature names: <encrypted>" in message
