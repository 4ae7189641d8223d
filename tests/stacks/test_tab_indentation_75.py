"""A tab in a stack file's indentation: the message names the line the tab is on, not the key the
reader read before it (an adopter's walkthrough found "(at mlops-platform:platform.environment)"
for a tab on the `region` line after it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stacks.config import ConfigError
from stacks.stack_file_text import load_yaml

HEAD = "config:\n  mlops-platform:platform:\n    environment: dev\n"


@pytest.mark.parametrize(
    ("document", "line", "shown"),
    [
        pytest.param(HEAD + "\tregion: eu-west-1\n", 4, "region: eu-west-1", id="a-tab-alone"),
        pytest.param(HEAD + "  \tregion: eu-west-1\n", 4, "region: eu-west-1", id="spaces-then-a-tab"),
        pytest.param(HEAD + "    tags:\n\t  team: ml\n", 5, "team: ml", id="a-tab-then-spaces"),
        pytest.param(
            "config:\n\tmlops-platform:platform: {}\n", 2, "mlops-platform:platform: {}", id="under-config"
        ),
        pytest.param(HEAD + "    models:\n    \t- name: churn\n", 5, "- name: churn", id="a-list-item"),
    ],
)
def test_a_tab_indented_line_is_named_by_its_line(document: str, line: int, shown: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_yaml(document, "stacks/Pulumi.t.yaml")
    message = str(raised.value)
    assert f"YAML syntax error at line {line}, column " in message
    assert f"a tab indents the line `{shown}`; YAML indents with spaces only" in message
    assert "(at " not in message  # the key before the line is not named as where it is


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(HEAD + "    region:\teu-west-1\n", id="a-tab-after-the-colon"),
        pytest.param(HEAD + "    region: eu-west-1\t\n", id="a-trailing-tab"),
        pytest.param(HEAD + '    region: "eu\twest"\n', id="a-tab-in-a-quoted-value"),
    ],
)
def test_a_tab_that_is_no_indentation_is_read_as_yaml_reads_it(document: str) -> None:
    assert load_yaml(document, "stacks/Pulumi.t.yaml")["config"]["mlops-platform:platform"]["region"]


def test_another_syntax_error_still_names_the_key_near_it() -> None:
    with pytest.raises(ConfigError, match=r"YAML syntax error at line 5, column \d+ \(at "):
        load_yaml(HEAD + "    region: [eu-west-1\n", "stacks/Pulumi.t.yaml")


def test_the_plan_of_a_tab_indented_stack_file_exits_2_with_nothing_on_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from planner.__main__ import main  # in process: the CLI's real processes exit 2 in test_config_first

    shipped = (Path(__file__).resolve().parents[1] / "fixtures" / "stacks" / "Pulumi.dev.yaml").read_text()
    stack = tmp_path / "Pulumi.tabbed.yaml"
    stack.write_text(shipped.replace("\n    region:", "\n\tregion:", 1))
    assert "\tregion:" in stack.read_text()
    assert main(["--config", str(stack), "--format", "json"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert f"{stack}: " in err and "a tab indents the line `region: " in err
