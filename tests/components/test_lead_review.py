"""Second read of the lead's commits e8eda34, cbc3fa7/ee479b0, e9acf28/62dd6a6, 0fd4f35, 240ce22.

Each test here failed on the code before the fix it names.

- e8eda34 (stack files' config keys as Pulumi parses them) refused a key with no namespace
  (``platform:``) as one "Pulumi refuses to load". Pulumi's stack loader
  (``sdk/go/common/workspace/loaders.go``, ``stackConfigNamespacedWithProject``) puts such a key
  in the project's namespace before ``config.ParseKey``: ``platform`` is
  ``mlops-platform:platform``, and the file deploys. The plan now reads it so; a typo without a
  namespace (``platfrom``) is refused as an unknown key of the project's namespace, named as
  written, as ``mlops-platform:config:platfrom`` now is too (it was named ``mlops-platform:platfrom``).
"""

from __future__ import annotations

import pytest

from stacks.config import CONFIG_KEY, ConfigError
from stacks.engine_yaml import config_key
from stacks.project import PROJECT
from stacks.stack_file import offline_platform_config, read_stack_file

P = CONFIG_KEY


@pytest.mark.parametrize(
    ("written", "key"),
    [("platform", P), ("kubeconfig", f"{PROJECT}:kubeconfig"), ("", f"{PROJECT}:")],
)
def test_a_key_without_a_namespace_is_the_projects(written: str, key: str) -> None:
    assert config_key(written, PROJECT) == key


def test_a_stack_file_writing_platform_without_its_namespace_plans(write_stack) -> None:
    text = write_stack("dev").read_text()
    assert f"  {P}:\n" in text
    stack_file = read_stack_file(write_stack(text=text.replace(f"  {P}:\n", "  platform:\n")))
    assert P in stack_file.config and "platform" not in stack_file.config
    assert offline_platform_config(stack_file).environment == "dev"


@pytest.mark.parametrize("written", ["platfrom", f"{PROJECT}:config:platfrom"])
def test_an_unknown_project_key_is_refused_named_as_written(write_stack, written: str) -> None:
    text = write_stack("dev").read_text().replace("config:\n", f"config:\n  {written}: x\n", 1)
    with pytest.raises(ConfigError) as raised:
        read_stack_file(write_stack(text=text))
    assert raised.value.problems == [
        (written, f"unknown key in the {PROJECT} namespace; did you mean {CONFIG_KEY}?")
    ]


def test_platform_with_and_without_its_namespace_is_written_twice(write_stack) -> None:
    text = write_stack("dev").read_text()
    block = text[text.index(f"  {P}:\n") :]
    doubled = text + block.replace(f"  {P}:\n", "  platform:\n", 1)
    with pytest.raises(ConfigError) as raised:
        read_stack_file(write_stack(text=doubled))
    assert raised.value.problems == [("platform", f"is {P}, written twice (also as {P})")]
