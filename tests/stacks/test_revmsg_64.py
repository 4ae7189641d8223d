"""Session 64, second read of the long-message and encrypted-name fixes.

- The drift alarm's refusal of a wide feature group (``monitoring.drift_features`` unset) listed
  every model input: 150 features of 40 characters cut the line at the 4,000-character flood bound,
  and with it the fix it ends with. It lists 30 and counts the rest, whole.
- Encrypted feature names now read as stand-ins of their own: a label compared with them (one
  encrypted too) was refused showing the other names' stand-ins (``offline-plan-secret-stand-in-1``)
  as the adopter's columns and naming only the one feature that happened to read as the label.
  Every stand-in shows as ``<encrypted>`` and each encrypted feature the label may name is named.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stacks.config import CONFIG_KEY, MAX_MESSAGE_CHARS, ConfigError
from stacks.input_limits import LISTED_LIMIT
from stacks.project import SECRET_STAND_IN
from stacks.stack_file import offline_platform_config, read_stack_file
from tests.conftest import load_stack_document
from tests.stacks.project_folder import project_folder


def _refused(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as raised:
        offline_platform_config(read_stack_file(str(path)))
    return raised.value


def test_a_wide_group_drift_refusal_lists_30_inputs_and_keeps_its_fix(tmp_path: Path) -> None:
    document = load_stack_document("prod")
    platform = document["config"][CONFIG_KEY]
    wide = [f"f{n:03d}_" + "x" * 35 for n in range(150)]
    platform["feature_groups"][1]["features"] += [{"name": name, "type": "Integral"} for name in wide]
    assert "drift_features" not in platform.get("monitoring", {})
    stack = project_folder(tmp_path, stack="prod", document=document)

    error = _refused(stack)

    [(key, message)] = error.problems
    assert key == f"{CONFIG_KEY}.monitoring.drift_features"
    assert "watch the 155 model inputs" in message and f"{wide[LISTED_LIMIT - 6]} and 125 more)" in message
    assert wide[LISTED_LIMIT - 5] not in message and len(message) < MAX_MESSAGE_CHARS
    assert f"  {stack}: {key}: {message}" in str(error).splitlines()
    assert str(error).endswith("(here, or in the family's models[].drift_features)")


def _encrypted_label(extra: int) -> Any:
    def edit(document: dict[str, Any]) -> None:
        platform = document["config"][CONFIG_KEY]
        features = platform["feature_groups"][1]["features"]
        features[7]["name"] = {"secure": "v1:label-feature=="}  # churned, the label's feature
        features += [{"name": {"secure": f"v1:other{n}=="}, "type": "Integral"} for n in range(extra)]
        platform["models"][0]["training"]["label"] = {"secure": "v1:label=="}

    return edit


@pytest.mark.parametrize("extra", [1, 3])
def test_an_encrypted_label_beside_encrypted_features_shows_and_names_each(
    tmp_path: Path, extra: int
) -> None:
    document = load_stack_document("prod")
    _encrypted_label(extra)(document)
    stack = project_folder(tmp_path, stack="prod", document=document)

    error = _refused(stack)

    [(key, message)] = error.problems
    assert key == f"{CONFIG_KEY}.models[0].training.label"
    assert SECRET_STAND_IN not in str(error)
    assert "(its columns: customer_id, event_time, " in message
    assert message.count("<encrypted>") == 2 + extra  # the label, then each encrypted column
    features = [f"feature_groups[1].features[{n}].name" for n in range(7, 8 + extra)]
    both = " and ".join([*features, "models[0].training.label"])
    assert f": {both} are encrypted (`secure:`)" in message and f"set {both} without --secret" in message
