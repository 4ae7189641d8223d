"""The YAML a stack file is read and written as: scalars resolved as Pulumi's engine resolves them
(:mod:`stacks.engine_yaml`), maps as it passes them on (text keys, merge keys, a key written twice
refused), and a writer whose text reads back the same. Part of :mod:`stacks.stack_file`, which
re-exports its public names.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import yaml

from stacks.engine_yaml import (
    NULL_TAG,
    NULL_WORDS,
    STR_TAG,
    TAGS_READ,
    EngineValueError,
    engine_key,
    plain_scalar,
    program_value,
    tagged_scalar,
)
from stacks.input_limits import echo

# libyaml's parser when PyYAML has it (fast, and not recursive); the pure-Python one otherwise.
_BaseLoader: Any = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader


_MERGE_TAG = "tag:yaml.org,2002:merge"
_ENGINE_SCALAR_TAG = "tag:mlops-platform,2026:engine-scalar"
"""The tag of every plain (unquoted, untagged) scalar: resolved by :mod:`stacks.engine_yaml`, as
Pulumi's engine resolves it, instead of by YAML 1.1's implicit resolvers."""


class _EngineResolution:
    """Plain scalars left to :func:`~stacks.engine_yaml.plain_scalar` (``<<`` stays a merge key)."""

    def resolve(self, kind: Any, value: str, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode and implicit[0]:
            return _MERGE_TAG if value == "<<" else _ENGINE_SCALAR_TAG
        return super().resolve(kind, value, implicit)  # type: ignore[misc]


class _ValueProblem(yaml.constructor.ConstructorError):
    """A value or key the engine would read otherwise or refuse: reported at its key, like the
    validator's problems, with its line and column."""


def _problem(node: yaml.Node, message: str) -> _ValueProblem:
    return _ValueProblem(None, None, message, node.start_mark)


def _program_value(node: yaml.Node, value: Any) -> Any:
    try:
        return program_value(value)
    except EngineValueError as error:
        raise _problem(node, f"{echo(node.value)} {error}") from None


def _short_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!", 1)


def _construct_plain(loader: Any, node: yaml.ScalarNode) -> Any:
    # `! "5"`: a quoted or block scalar under the non-specific tag is text to yaml.v3 (plain: None or '')
    if node.style:
        return node.value
    try:
        return plain_scalar(node.value)
    except EngineValueError as error:
        raise _problem(node, f"{echo(node.value)} {error}") from None


def _construct_tagged(loader: Any, node: yaml.ScalarNode) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise _problem(node, f"the tag {_short_tag(node.tag)} on a map or list: remove the tag")
    try:
        return tagged_scalar(node.tag, node.value)
    except EngineValueError as error:
        raise _problem(node, str(error)) from None


def _construct_merge_text(loader: Any, node: yaml.ScalarNode) -> str:
    return node.value  # `<<` anywhere but as a map's key is the text `<<` to Pulumi's reader too


def _refuse_tag(loader: Any, node: yaml.Node) -> Any:
    raise _problem(
        node,
        f"the tag {_short_tag(node.tag)} is not read by this plan: stack files take "
        "untagged values (and !!str, !!int, !!float, !!bool, !!null); remove the tag, quoting the value "
        "to keep it as text",
    )


def _construct_list(loader: Any, node: yaml.SequenceNode) -> list[Any]:
    return [_program_value(item, loader.construct_object(item, deep=True)) for item in node.value]


def _construct_unique_mapping(loader: Any, node: yaml.MappingNode, deep: bool = False) -> dict[str, Any]:
    """The map of ``node`` as the engine passes it on: keys as text (``true: x`` is the key
    ``"true"``), a key written twice refused (after that: ``yes`` and ``"yes"`` are one key), and
    merge keys (``<<: *anchor``, which Pulumi's YAML reader takes too) merging the anchored maps
    in, the keys written beside them winning."""

    def key_of(key_node: yaml.Node) -> str:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, Hashable):  # a list or map as a key: PyYAML's own error, not a crash
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark, "found unhashable key", key_node.start_mark
            )
        try:
            return engine_key(key)
        except EngineValueError as error:
            raise _problem(key_node, str(error)) from None

    seen: set[str] = set()
    for key_node, _ in node.value:
        if key_node.tag == _MERGE_TAG and key_node.style:
            # `! '<<'` is the text `<<` to yaml.v3, not a merge key (only a plain `<<` merges)
            key_node.tag = STR_TAG
        if key_node.tag == _MERGE_TAG:
            if "<<" in seen:  # yaml.v3 refuses a second `<<` as it does any key written twice
                _refuse_duplicate(
                    loader,
                    _problem(
                        key_node, "duplicate merge key `<<`: merge several maps with one `<<: [*a, *b]`"
                    ),
                )
            seen.add("<<")  # flatten_mapping merges it; `<<` is no key of the map
            continue
        key = key_of(key_node)
        if key in seen:
            _refuse_duplicate(loader, _problem(key_node, f"duplicate key {echo(key)}"))
        seen.add(key)
    # yaml.v3 decodes a map whose own keys are all text (or `<<`) into a map[string]any, and the
    # maps `<<` merges into that same map: every key is then the text written (a merged `0x10`,
    # not 16), and a merged null one is no text and is dropped. Another map's keys are resolved
    # and named as Go's `%v` names them.
    text_keyed = all(_is_text_key(key_node) for key_node, _ in node.value)
    # flatten_mapping flattens the maps merged in in place; yaml.v3 reads an alias of one of them
    # afresh, as written (its own keys, its own merges), so it flattens copies of them.
    node.value = [
        (key_node, _merge_source(value_node) if key_node.tag == _MERGE_TAG else value_node)
        for key_node, value_node in node.value
    ]
    loader.flatten_mapping(node)
    mapping: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if text_keyed and isinstance(key_node, yaml.ScalarNode):
            if _is_null_key(key_node):
                continue
            key = key_node.value
        else:
            key = key_of(key_node)
        mapping[key] = _program_value(value_node, loader.construct_object(value_node, deep=True))
    return mapping


def _refuse_duplicate(loader: Any, problem: _ValueProblem) -> None:
    """A key written twice: noted on a loader gathering them
    (:func:`~stacks.stack_file_text.load_yaml`'s), which reads on so that one run names every
    duplicate of the file; raised at once by another."""
    gathered = getattr(loader, "duplicate_keys", None)
    if gathered is None:
        raise problem
    gathered.append(problem)


def _merge_source(node: yaml.Node) -> yaml.Node:
    """A copy of what ``<<`` merges (a map, or a list of maps), and of the maps those merge, for
    flatten_mapping to flatten: the nodes themselves are left as written."""
    if isinstance(node, yaml.MappingNode):
        pairs = [
            (key_node, _merge_source(value_node) if key_node.tag == _MERGE_TAG else value_node)
            for key_node, value_node in node.value
        ]
        return yaml.MappingNode(node.tag, pairs, node.start_mark, node.end_mark, node.flow_style)
    if isinstance(node, yaml.SequenceNode):
        items = [_merge_source(item) for item in node.value]
        return yaml.SequenceNode(node.tag, items, node.start_mark, node.end_mark, node.flow_style)
    return node


def _is_text_key(node: yaml.Node) -> bool:
    """Whether yaml.v3 tags the key ``node`` ``!!str`` or ``!!merge`` (its ``isStringMap``)."""
    if node.tag in (STR_TAG, _MERGE_TAG):
        return True
    if node.tag != _ENGINE_SCALAR_TAG:
        return False
    try:
        return isinstance(plain_scalar(node.value), str)
    except EngineValueError:  # a timestamp: !!timestamp
        return False


def _is_null_key(node: yaml.ScalarNode) -> bool:
    return node.tag == NULL_TAG or (node.tag == _ENGINE_SCALAR_TAG and node.value in NULL_WORDS)


def reading_loader(base: Any) -> Any:
    """A loader class over ``base`` (a PyYAML loader) reading a stack file as this module does:
    scalars resolved as Pulumi's engine resolves them, maps as it passes them on."""

    class Loader(_EngineResolution, base):
        pass

    Loader.add_constructor(_ENGINE_SCALAR_TAG, _construct_plain)
    Loader.add_constructor(_MERGE_TAG, _construct_merge_text)
    for tag in TAGS_READ:
        Loader.add_constructor(tag, _construct_tagged)
    for tag in ("timestamp", "binary", "set", "omap", "pairs", "value"):
        Loader.add_constructor(f"tag:yaml.org,2002:{tag}", _refuse_tag)
    Loader.add_constructor(None, _refuse_tag)
    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping)
    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_list)
    return Loader


_StackFileLoader = reading_loader(_BaseLoader)


def _represent_text(dumper: Any, value: str) -> yaml.ScalarNode:
    """``value`` as PyYAML writes text, quoted where Pulumi's engine would read the plain form as
    another value: PyYAML quotes what YAML 1.1 reads otherwise (``yes``, ``0x1f``), not ``1e3``,
    ``0o17`` or an account ID ``012345678901`` (a number to yaml.v3)."""
    node = dumper.represent_str(value)
    try:
        kept = plain_scalar(value) == value and isinstance(plain_scalar(value), str)
    except EngineValueError:  # a timestamp
        kept = False
    if not kept:
        node.style = "'"
    return node


def writing_dumper(base: Any) -> Any:
    """A dumper class over ``base`` (a PyYAML safe dumper) whose text reads back as the same text
    through :func:`reading_loader` (and Pulumi's engine)."""

    class Dumper(base):
        pass

    Dumper.add_representer(str, _represent_text)
    return Dumper


_StackFileDumper = writing_dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper))


def dump_stack_document(document: Any) -> str:
    """``document`` as stack-file text, keys in their order, that Pulumi's engine (and
    :func:`~stacks.stack_file_text.load_yaml`) reads back as ``document``: ``yaml.safe_dump``
    leaves text such as ``1e3`` or ``012345678901`` unquoted, which the engine reads as a number."""
    return yaml.dump(document, Dumper=_StackFileDumper, sort_keys=False, allow_unicode=True)
