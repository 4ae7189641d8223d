"""Reading a Pulumi stack file (``Pulumi.<stack>.yaml``) the way the Pulumi CLI would.

The offline plan and the tests start from the stack file itself, so YAML mistakes (syntax errors,
an empty file, a duplicated key, a misspelt ``mlops-platform:`` key) are reported here with the
same :class:`~stacks.config.ConfigError` the program raises for semantic mistakes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from stacks.config import CONFIG_KEY, KUBECONFIG_KEY, PROJECT, ConfigError
from stacks.naming import stack_name_of

# Top-level keys Pulumi itself understands in a stack file.
_STACK_FILE_KEYS = frozenset({"config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment"})
# Project-namespace keys this program reads; anything else under `mlops-platform:` is a typo.
_PROJECT_KEYS = frozenset({CONFIG_KEY, KUBECONFIG_KEY})


@dataclass(frozen=True)
class StackFile:
    """A parsed stack file: its path, stack name and the raw ``config:`` map."""

    path: str
    stack: str
    config: dict[str, Any]

    @property
    def platform(self) -> Any:
        return self.config.get(CONFIG_KEY)


class _UniqueKeyLoader(yaml.SafeLoader):
    """A SafeLoader that rejects duplicated keys instead of silently keeping the last one."""


def _construct_unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping)


def read_stack_file(path: str | Path) -> StackFile:
    """Parse ``path`` and check its shape; raises :class:`ConfigError` naming the file."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(source, [("", "file not found")]) from None
    except OSError as error:
        raise ConfigError(source, [("", f"cannot be read: {error.strerror}")]) from None
    try:
        document = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ConfigError(source, [("", f"YAML syntax error at {where}{problem}")]) from None
    if document is None:
        raise ConfigError(source, [("", f"the file is empty; expected `config:` with `{CONFIG_KEY}`")])
    if not isinstance(document, dict):
        raise ConfigError(source, [("", "the file must be a YAML map with a top-level `config:` key")])
    unknown = sorted(str(key) for key in document if key not in _STACK_FILE_KEYS)
    if unknown:
        raise ConfigError(
            source,
            [
                (key, f"unknown top-level key; allowed: {', '.join(sorted(_STACK_FILE_KEYS))}")
                for key in unknown
            ],
        )
    config = document.get("config")
    if not isinstance(config, dict):
        raise ConfigError(source, [("config", f"missing or not a map; it must hold `{CONFIG_KEY}`")])
    problems = [
        (str(key), f"unknown key in the {PROJECT} namespace; did you mean {CONFIG_KEY}?")
        for key in config
        if str(key).startswith(f"{PROJECT}:") and key not in _PROJECT_KEYS
    ]
    if problems:
        raise ConfigError(source, problems)
    if CONFIG_KEY not in config:
        raise ConfigError(source, [(CONFIG_KEY, "missing required key")])
    return StackFile(path=source, stack=stack_name_of(path), config=config)


__all__ = ["StackFile", "read_stack_file", "stack_name_of"]
