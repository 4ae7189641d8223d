"""``pulumi:disable-default-providers``: the packages whose default provider the engine refuses.

Read as the engine reads it (pulumi/pulumi pkg/resource/deploy/default_providers.go,
``shouldDenyRequest``): the key's value as the engine passes config (a YAML list as its JSON text,
a text as written, null as the empty text), the empty text disabling nothing, otherwise JSON text
of a list (``null`` disabling nothing too), each item a string, trimmed, naming a package or ``*``
for every package but ``pulumi`` itself. A bare ``*`` is no list: the engine fails to parse it.

The engine reads the value only when a default provider is asked for, so a malformed one goes
unnoticed by a program that names a provider everywhere; the stack file's checks refuse it anyway
(exit 2), as the first resource without one would fail `pulumi up` on it. One written in
Pulumi.yaml alone while the stack file imports ESC environments is neither refused nor enforced,
well-formed or not (stacks/stack_file.py): an environment may set the key, and Pulumi.yaml's value
is then never merged in.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from stacks.input_limits import json_text_problem, shorten
from stacks.project import engine_config_values, holds_secure

DISABLE_DEFAULT_PROVIDERS_KEY = "pulumi:disable-default-providers"
EVERY_PACKAGE = "*"
_WHAT = "must be a list of package names (`[aws, kubernetes]`; `['*']` for every package)"


def disabled_default_providers(config: Mapping[str, Any]) -> frozenset[str]:
    """The packages (or :data:`EVERY_PACKAGE`) ``config``'s ``pulumi:disable-default-providers``
    lists; empty when it is absent or encrypted (its text is not known offline: left to `pulumi
    up`, as ``pulumi:tags``). Raises ValueError saying what is wrong with a malformed one."""
    value = config.get(DISABLE_DEFAULT_PROVIDERS_KEY)
    if DISABLE_DEFAULT_PROVIDERS_KEY not in config or holds_secure(value):
        return frozenset()
    text = engine_config_values({DISABLE_DEFAULT_PROVIDERS_KEY: value})[DISABLE_DEFAULT_PROVIDERS_KEY]
    if text == "":  # an empty list is passed as the empty text, not `[]`
        return frozenset()
    items = _parsed(text)
    if items is None:  # `null`: Go's Unmarshal leaves the list nil, no error
        return frozenset()
    if not isinstance(items, list):
        bare = "; a bare `*` is no list: write `['*']`" if text.strip() == EVERY_PACKAGE else ""
        raise ValueError(f"{_WHAT}{bare}; the engine fails to parse {shorten(text, 80)!r}")
    for index, item in enumerate(items):
        if not isinstance(item, str):
            raise ValueError(
                f"{_WHAT}; the engine refuses item {index} "
                f'("{DISABLE_DEFAULT_PROVIDERS_KEY}[{index}] must be a string")'
            )
    return frozenset(item.strip() for item in items)


_UNPARSED = object()


def _parsed(text: str) -> Any:
    """``text`` as JSON, or :data:`_UNPARSED` where it is none (or larger or deeper than the plan
    reads: ``json_text_problem``), which the caller refuses as the engine's parse error."""
    if json_text_problem(text):
        return _UNPARSED
    try:
        return json.loads(text)
    except ValueError:
        return _UNPARSED


def default_provider_problems(config: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A malformed ``pulumi:disable-default-providers`` as a stack file's problem; else none."""
    try:
        disabled_default_providers(config)
    except ValueError as error:
        return [(DISABLE_DEFAULT_PROVIDERS_KEY, str(error))]
    return []


def disables(disabled: frozenset[str], package: str) -> bool:
    """Whether ``disabled`` refuses ``package``'s default provider (``pulumi``'s never is)."""
    return package != "pulumi" and (EVERY_PACKAGE in disabled or package in disabled)
