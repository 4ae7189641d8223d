"""YAML or JSON text a Kubernetes policy reads (patches, chart values), and JSON Patch operations.

Read without YAML aliases: the text is searched at every depth, and aliases nested in aliases make a
small text an exponentially large tree ("billion laughs"). JSON is YAML.

Imports nothing from ``components/`` or ``stacks/``: the pack governs any Pulumi program.
"""

from __future__ import annotations

from typing import Any

import yaml


class _NoAliasLoader(yaml.SafeLoader):
    """YAML without anchors and aliases: text a policy reads (a patch, chart values) is searched at every
    depth, and aliases nested in aliases make a small text an exponentially large tree ("billion laughs")."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, "an alias (*name): not read", self.peek_event().start_mark
            )
        return super().compose_node(parent, index)


def load_text(text: str) -> Any:
    """YAML (or JSON) text as data, without aliases (:class:`_NoAliasLoader`); raises ``yaml.YAMLError``."""
    return yaml.load(text, Loader=_NoAliasLoader)


def json_patch_body(text: str) -> tuple[dict[str, Any] | None, str | None]:
    """``(body, None)``: the values RFC 6902 operations in ``text`` set, as the partial object they make;
    ``(None, why)`` where the text is no list of operations, or copies or moves a value into the object."""
    try:
        operations = load_text(text)
    except yaml.YAMLError as error:
        return None, f"YAML: {getattr(error, 'problem', None) or type(error).__name__}"
    if operations is None:
        return {}, None
    if not isinstance(operations, list) or not all(isinstance(op, dict) for op in operations):
        return None, f"a {type(operations).__name__}, not a list of operations"
    body: dict[str, Any] = {}
    for op in operations:
        kind, path = op.get("op"), op.get("path")
        if not isinstance(path, str) or not path.startswith("/"):
            return None, f"an operation's path {path!r}"
        if kind in ("copy", "move"):
            return None, f"a {kind} into {path}: its value is taken from the object itself"
        if kind in ("add", "replace"):
            _set(
                body, [t.replace("~1", "/").replace("~0", "~") for t in path[1:].split("/")], op.get("value")
            )
    return body, None


def _set(holder: Any, tokens: list[str], value: Any) -> None:
    token, rest = tokens[0], tokens[1:]
    if isinstance(holder, list):
        index = len(holder) if token == "-" else int(token) if token.isdigit() else None
        if index is None:
            return
        while len(holder) <= index:
            holder.append({})
        if rest:
            if not isinstance(holder[index], dict | list):
                holder[index] = {}
            _set(holder[index], rest, value)
        else:
            holder[index] = value
        return
    if not rest:
        holder[token] = value
        return
    if not isinstance(holder.get(token), dict | list):
        holder[token] = [] if rest[0].isdigit() or rest[0] == "-" else {}
    _set(holder[token], rest, value)
