"""Stack documents as YAML text, written by libyaml's emitter where it writes what PyYAML writes.

Tests write hundreds of stack files (variants of the fixture stacks); PyYAML's pure-Python
emitter took about 8 ms per fixture document and libyaml's (``CSafeDumper``) about a fifth of it.
The two differ on some values: characters beyond the Basic Multilingual Plane (libyaml escapes
them), NEL and other non-printable characters, a key holding a line break, an empty key and keys
written in 123 characters or more (PyYAML writes them as ``? `` keys). A document holding any
string outside printable ASCII, an empty key, a key of 100 characters or more, or a value that is not
a dict, list, string, number, boolean or None (a date, bytes, a set: libyaml tags or folds some of
them otherwise) keeps PyYAML's emitter, and a ``default_style`` is PyYAML's alone, so every file's
bytes are what ``yaml.safe_dump`` with the same options writes (tests/test_yaml_text.py and
tests/test_yaml_text_66.py compare the two).

Either emitter is fed by :class:`_PlainRepresenter`, which builds PyYAML's node tree for plain data
(dicts, lists, text, integers, booleans and None) without its generic dispatch, and hands every
other value to PyYAML's own: the same nodes, shared dicts and lists included (an anchor and alias),
in about a third of the time.
"""

from __future__ import annotations

from typing import Any

import yaml

_LONG_KEY = 100
_PLAIN_SCALARS = (int, float, bool, type(None))
_STR, _NULL, _BOOL, _INT = (f"tag:yaml.org,2002:{kind}" for kind in ("str", "null", "bool", "int"))
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


class _PlainRepresenter:
    """``SafeRepresenter.represent`` for plain data: the nodes its ``represent_data`` makes for
    ``dict``, ``list``, ``str``, ``int``, ``bool`` and ``None`` (exact types), one node per dict or
    list object (a second occurrence is the same node, which the serializer writes as an alias, as
    PyYAML's ``represented_objects`` does); any other value goes through PyYAML's ``represent_data``.
    Mixed into a PyYAML dumper (the attributes below are the dumper's)."""

    represented_objects: dict[int, Any]
    object_keeper: list[Any]
    alias_key: Any
    default_flow_style: bool | None
    serialize: Any
    represent_data: Any

    def represent(self, data: Any) -> None:
        self.serialize(self._node(data))
        self.represented_objects, self.object_keeper, self.alias_key = {}, [], None

    def _node(self, data: Any) -> Any:
        kind = type(data)
        if kind is str:
            return yaml.ScalarNode(_STR, data)
        if kind is dict or kind is list:
            seen = self.represented_objects.get(id(data))
            if seen is not None:
                return seen
            self.object_keeper.append(data)
            return self._mapping(data) if kind is dict else self._sequence(data)
        if kind is bool:
            return yaml.ScalarNode(_BOOL, "true" if data else "false")
        if kind is int:
            return yaml.ScalarNode(_INT, str(data))
        if data is None:
            return yaml.ScalarNode(_NULL, "null")
        return self.represent_data(data)

    def _sequence(self, data: list[Any]) -> Any:
        items: list[Any] = []
        node = self.represented_objects[id(data)] = yaml.SequenceNode(_SEQ, items)
        best_style = True
        for item in data:
            item_node = self._node(item)
            best_style = best_style and type(item_node) is yaml.ScalarNode and not item_node.style
            items.append(item_node)
        node.flow_style = best_style if self.default_flow_style is None else self.default_flow_style
        return node

    def _mapping(self, data: dict[Any, Any]) -> Any:
        pairs: list[tuple[Any, Any]] = []
        node = self.represented_objects[id(data)] = yaml.MappingNode(_MAP, pairs)
        best_style = True
        for key, value in data.items():
            key_node, value_node = self._node(key), self._node(value)
            best_style = (
                best_style
                and type(key_node) is yaml.ScalarNode
                and not key_node.style
                and type(value_node) is yaml.ScalarNode
                and not value_node.style
            )
            pairs.append((key_node, value_node))
        node.flow_style = best_style if self.default_flow_style is None else self.default_flow_style
        return node


class _PlainSafeDumper(_PlainRepresenter, yaml.SafeDumper):
    """PyYAML's emitter."""


class _PlainCSafeDumper(_PlainRepresenter, getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """libyaml's emitter (PyYAML's where PyYAML is built without libyaml)."""


def dump_document(document: dict[str, Any], **options: Any) -> str:
    """``yaml.safe_dump(document, sort_keys=False, **options)``, faster where that is the same text.
    With a ``default_style`` or ``canonical``, ``yaml.safe_dump`` itself: libyaml writes such a
    document's tags (``! "1"`` for ``!!int "1"``) or folds its double-quoted strings otherwise."""
    if options.get("default_style") is not None or options.get("canonical"):
        return yaml.safe_dump(document, sort_keys=False, **options)
    plain = _PlainSafeDumper if emitters_may_differ(document) else _PlainCSafeDumper
    return yaml.dump(document, Dumper=plain, sort_keys=False, **options)


def emitters_may_differ(value: Any, *, key: bool = False) -> bool:
    """Whether libyaml's emitter might write ``value`` differently from PyYAML's."""
    if isinstance(value, str):
        # Printable ASCII (" " to "~"): what isascii() and isprintable() say together.
        return (key and (value == "" or len(value) >= _LONG_KEY)) or not (
            value.isascii() and value.isprintable()
        )
    if isinstance(value, dict):
        return any(
            emitters_may_differ(name, key=True) or emitters_may_differ(item) for name, item in value.items()
        )
    if isinstance(value, list):
        return any(emitters_may_differ(item) for item in value)
    if type(value) in _PLAIN_SCALARS:
        return key and len(str(value)) >= _LONG_KEY  # a number written as a long key
    # Dates, bytes, sets, tuples...: libyaml writes a date's or a set's tag in a flow collection
    # as `! ` and folds a binary value otherwise, and their text is not checked.
    return True
