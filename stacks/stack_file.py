"""Reading a Pulumi stack file (``Pulumi.<stack>.yaml``) the way the Pulumi CLI would.

The offline plan and the tests start from the stack file itself, so YAML mistakes (syntax errors,
an empty file, a duplicated key, a misspelt ``mlops-platform:`` key) are reported here with the
same :class:`~stacks.config.ConfigError` the program raises for semantic mistakes.

The input is bounded before anything is built from it (``stacks.input_limits``): the file's size,
then its encoding (UTF-8; a UTF-16 or Latin-1 file is named as such), then, from the parser's
event stream and before any value is constructed, its nesting depth and its number of values
once YAML aliases are expanded. Each problem names the file and the dotted key where it is.
"""

from __future__ import annotations

import bisect
import codecs
import contextlib
import difflib
import functools
import json
import os
import stat
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from stacks.config import ConfigError, default_prefix_problem, parse_platform_config, project_dir
from stacks.delivery_config import TOKEN_KEY
from stacks.engine_yaml import (
    NULL_TAG,
    NULL_WORDS,
    STR_TAG,
    TAGS_READ,
    EngineValueError,
    config_key,
    engine_key,
    plain_scalar,
    program_value,
    tagged_scalar,
)
from stacks.input_limits import (
    MAX_NESTING_DEPTH,
    MAX_STACK_FILE_BYTES,
    MAX_VALUES,
    depth_problem,
    echo,
    forget_lists,
    json_text_problem,
    listed,
    shorten,
    size_problem,
    values_problem,
)
from stacks.naming import STACK_NAME, stack_name_of
from stacks.project import CONFIG_KEY, KUBECONFIG_KEY, PROJECT, engine_config_values
from stacks.project_config import (
    PROJECT_FILE,
    TAGS_KEY,
    ProjectConfig,
    esc_environments,
    merged_project_config,
    project_config,
    pulumi_tags_problems,
)
from stacks.secret_stand_ins import (
    LeafPath,
    compared_encrypted,
    platform_stand_ins,
    refused_encrypted,
    with_stand_ins,
)

if TYPE_CHECKING:
    from stacks.config import PlatformConfig

# Top-level keys Pulumi itself understands in a stack file.
_STACK_FILE_KEYS = frozenset({"config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment"})
# Project-namespace keys this program reads; anything else under `mlops-platform:` is a typo.
_PROJECT_KEYS = frozenset({CONFIG_KEY, KUBECONFIG_KEY, TOKEN_KEY})
# libyaml's parser when PyYAML has it (fast, and not recursive); the pure-Python one otherwise.
_BaseLoader: Any = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
# Byte-order marks of encodings a stack file must not use (UTF-32's first: it starts like UTF-16's).
_FOREIGN_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32 (little-endian)"),
    (codecs.BOM_UTF32_BE, "UTF-32 (big-endian)"),
    (codecs.BOM_UTF16_LE, "UTF-16 (little-endian)"),
    (codecs.BOM_UTF16_BE, "UTF-16 (big-endian)"),
)


@dataclass(frozen=True)
class StackFile:
    """A parsed stack file: its path, stack name and its ``config:`` map as the program receives
    it (the project's ``Pulumi.yaml`` config merged in, :mod:`stacks.project_config`)."""

    path: str
    stack: str
    config: dict[str, Any]
    environments: tuple[str, ...] = ()
    """The Pulumi ESC environments its ``environment:`` imports: `pulumi up` merges their
    ``pulumiConfig`` values into ``config``, which the offline plan cannot read (Pulumi Cloud)."""

    @property
    def platform(self) -> Any:
        return self.config.get(CONFIG_KEY)

    @functools.cached_property
    def stand_ins(self) -> dict[LeafPath, str]:
        """What each encrypted leaf of the platform map reads as offline
        (:func:`~stacks.secret_stand_ins.platform_stand_ins`), chosen once per stack file read: the
        plan's validation (:func:`offline_platform_config`) and its recording (:func:`offline_config`)
        get the same choice without making it twice."""
        return platform_stand_ins(self.config, self.path)


def read_as(stack_file: StackFile, stand_ins: Mapping[LeafPath, str]) -> StackFile:
    """``stack_file`` with its encrypted leaves read as ``stand_ins`` instead of the offline
    reading's own choice (:attr:`StackFile.stand_ins`): which leaf a command uses, when several
    read alike (:func:`~stacks.secret_stand_ins.require_no_stand_in`)."""
    copy = replace(stack_file)  # a new StackFile: its own choice is not cached yet
    copy.__dict__["stand_ins"] = dict(stand_ins)  # what functools.cached_property would have cached
    return copy


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
    """A key written twice: noted on a loader gathering them (:func:`load_yaml`'s), which reads on
    so that one run names every duplicate of the file; raised at once by another."""
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
    :func:`load_yaml`) reads back as ``document``: ``yaml.safe_dump`` leaves text such as ``1e3``
    or ``012345678901`` unquoted, which the engine reads as a number."""
    return yaml.dump(document, Dumper=_StackFileDumper, sort_keys=False, allow_unicode=True)


def _key_of(path: str) -> str:
    """A document path as errors name it: relative to ``config:`` (``mlops-platform:platform.tags``)."""
    return path.removeprefix("config.")


def _where(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


@dataclass
class _Collection:
    """A map or list the scan is inside of."""

    path: str
    is_map: bool
    anchor: str | None
    values: int = 1
    """Values of this collection so far, itself included, aliases expanded."""
    height: int = 1
    """Levels of maps and lists from this one down, aliases expanded."""
    index: int = 0
    key: str = "?"
    """In a map: the last key."""
    in_value: bool = False
    """In a map: whether the next node is the value of ``key`` (else it is a key)."""


@dataclass
class _Scan:
    """One pass over the parser's events, before anything is constructed: it bounds the nesting
    depth and the number of values after alias expansion, and it knows the dotted path of every
    key, so that a later error at a line and column can name its key."""

    open: list[_Collection] = field(default_factory=list)
    anchors: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Anchor → (values, height) of the node it names."""
    total: int = 0
    aliased: bool = False
    key_marks: list[tuple[int, int]] = field(default_factory=list)
    key_paths: list[str] = field(default_factory=list)
    last: tuple[str, str | int | None] = ("", None)
    """Where the last node was: its collection's path and its key or index there (a path string is
    built only when an error needs one: most nodes never need theirs)."""

    def run(self, text: str) -> None:
        scalar = yaml.ScalarEvent
        for event in yaml.parse(text, Loader=_BaseLoader):
            # The common case inline (a plain value in a list, or a map's value): large files are
            # mostly that, and this pass should cost less than building the document.
            if type(event) is scalar and not event.anchor and self.open:
                parent = self.open[-1]
                if not parent.is_map or parent.in_value:
                    self.total += 1
                    if self.total > MAX_VALUES:
                        self.last = self._here()
                        self._fail(event.start_mark, values_problem(self.aliased))
                    if parent.is_map:
                        self.last = (parent.path, parent.key)
                        parent.in_value = False
                    else:
                        self.last = (parent.path, parent.index)
                        parent.index += 1
                    parent.values += 1
                    continue
            self._event(event)

    def key_at(self, mark: Any) -> str:
        """The key nearest before ``mark`` (the one whose value holds it, usually)."""
        if mark is None or not self.key_marks:
            return ""
        index = bisect.bisect_right(self.key_marks, (mark.line, mark.column)) - 1
        return self.key_paths[index] if index >= 0 else ""

    @property
    def path(self) -> str:
        """The dotted path of the last node."""
        collection, place = self.last
        if place is None:
            return collection
        if isinstance(place, int):
            return f"{collection}[{place}]"
        return f"{collection}.{place}" if collection else place

    def _here(self) -> tuple[str, str | int | None]:
        if not self.open:
            return ("", None)
        parent = self.open[-1]
        if not parent.is_map:
            return (parent.path, parent.index)
        # A key itself: errors in it belong to the map.
        return (parent.path, parent.key) if parent.in_value else (parent.path, None)

    def _fail(self, mark: Any, message: str) -> None:
        raise _ScanError(self.path, f"{_where(mark)}: {message}" if mark is not None else message)

    def _event(self, event: yaml.Event) -> None:
        if isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent, yaml.CollectionStartEvent)):
            self.last = self._here()
        if isinstance(event, yaml.ScalarEvent):
            parent = self.open[-1] if self.open else None
            if parent is not None and parent.is_map and not parent.in_value:
                self._record_key(parent, event)
                return
            if event.anchor:
                self.anchors[event.anchor] = (1, 0)
            self._add(1, event.start_mark)
            self._finished(1, 0)
        elif isinstance(event, yaml.AliasEvent):
            self._alias(event)
        elif isinstance(event, yaml.CollectionStartEvent):
            parent = self.open[-1] if self.open else None
            if parent is not None and parent.is_map and not parent.in_value:
                parent.key = "?"  # a complex key: the constructor refuses it when it is unhashable
            self.open.append(_Collection(self.path, isinstance(event, yaml.MappingStartEvent), event.anchor))
            if len(self.open) > MAX_NESTING_DEPTH:
                self._fail(event.start_mark, depth_problem(len(self.open)))
            self._add(1, event.start_mark)
        elif isinstance(event, yaml.CollectionEndEvent):
            done = self.open.pop()
            if done.anchor:
                self.anchors[done.anchor] = (done.values, done.height)
            self._finished(done.values, done.height)

    def _record_key(self, parent: _Collection, event: yaml.ScalarEvent) -> None:
        parent.key, parent.in_value = shorten(event.value), True
        path = f"{parent.path}.{parent.key}" if parent.path else parent.key
        self.key_marks.append((event.start_mark.line, event.start_mark.column))
        self.key_paths.append(path)
        self.last = (parent.path, parent.key)
        self._add(1, event.start_mark)

    def _alias(self, event: yaml.AliasEvent) -> None:
        anchor = event.anchor
        if anchor not in self.anchors:
            if any(collection.anchor == anchor for collection in self.open):
                self._fail(
                    event.start_mark, f"alias *{shorten(anchor)} refers to a map or list it is inside of"
                )
            self._fail(event.start_mark, f"alias *{shorten(anchor)} refers to no anchor defined before it")
        values, height = self.anchors[anchor]
        self.aliased = True
        if len(self.open) + height > MAX_NESTING_DEPTH:
            self._fail(
                event.start_mark, depth_problem(len(self.open) + height) + " once aliases are expanded"
            )
        parent = self.open[-1] if self.open else None
        if parent is not None and parent.is_map and not parent.in_value:
            parent.key, parent.in_value = f"*{shorten(anchor)}", True
            self._add(values, event.start_mark)
            return
        self._add(values, event.start_mark)
        self._finished(values, height)

    def _add(self, values: int, mark: Any) -> None:
        self.total += values
        if self.total > MAX_VALUES:
            self._fail(mark, values_problem(self.aliased))

    def _finished(self, values: int, height: int) -> None:
        """A node of the innermost open collection is complete: a list item, a map's key or value."""
        if not self.open:
            return
        parent = self.open[-1]
        parent.values += values
        parent.height = max(parent.height, height + 1)
        if parent.is_map:
            parent.in_value = not parent.in_value
        else:
            parent.index += 1


class _ScanError(Exception):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def _decode(data: bytes, source: str) -> str:
    for bom, encoding in _FOREIGN_BOMS:
        if data.startswith(bom):
            raise ConfigError(
                source,
                [("", f"is encoded as {encoding} (it starts with that byte-order mark); a stack file must be "
                      "UTF-8: re-save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8)")],
            )  # fmt: skip
    data = data.removeprefix(codecs.BOM_UTF8)  # allowed by YAML, and harmless
    if b"\x00" in data:
        offset = data.index(b"\x00")
        raise ConfigError(
            source,
            [("", f"has a NUL byte at {_byte_position(data, offset)}: it looks UTF-16 or UTF-32 encoded, or "
                  "binary; a stack file must be UTF-8 text")],
        )  # fmt: skip
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start].decode("utf-8")
        scan = _Scan()  # where the bad byte is: the path of the last value before it
        with contextlib.suppress(yaml.YAMLError, _ScanError):
            scan.run(before)
        byte = data[error.start]
        hint = " (Latin-1 or Windows-1252 text?)" if 0x80 <= byte <= 0xFF else ""
        raise ConfigError(
            source,
            [("", f"{_byte_position(data, error.start)}{_near(scan.path)}: byte 0x{byte:02x} is not valid UTF-8{hint}; "
                  "a stack file must be UTF-8: re-save it as UTF-8")],
        ) from None  # fmt: skip


def _byte_position(data: bytes, offset: int) -> str:
    line_start = data.rfind(b"\n", 0, offset) + 1
    line = data.count(b"\n", 0, offset) + 1
    return f"line {line}, column {offset - line_start + 1} (byte {offset})"


def _read_text(path: str | Path, source: str) -> str:
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a pipe or device could block or never end
            raise ConfigError(source, [("", "is not a regular file (a directory, pipe or device?)")])
        with open(path, "rb") as stream:
            problem = size_problem(os.fstat(stream.fileno()).st_size)
            if problem:
                raise ConfigError(source, [("", problem)])
            data = stream.read(MAX_STACK_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(source, [("", "file not found" + _unread_twin_hint(Path(path)))]) from None
    except OSError as error:
        raise ConfigError(source, [("", f"cannot be read: {error.strerror}")]) from None
    if len(data) > MAX_STACK_FILE_BYTES:  # a pipe or special file, whose size fstat does not know
        raise ConfigError(
            source, [("", f"is larger than {MAX_STACK_FILE_BYTES:,} bytes, the most a stack file may be")]
        )
    return _decode(data, source)


def load_yaml(text: str, source: str) -> Any:
    """The document in ``text`` (stack file ``source``), its size and depth checked before it is built."""
    scan = _Scan()
    try:
        scan.run(text)
    except _ScanError as error:
        raise ConfigError(source, [(_key_of(error.path), error.message)]) from None
    except yaml.YAMLError as error:
        raise ConfigError(source, [("", _yaml_problem(error, scan.path))]) from None
    # Every key written twice is named in one run (each at its key, with its line): the reader
    # reads on past one, the document it builds being refused whole.
    loader = _StackFileLoader(text)
    duplicates: list[_ValueProblem] = []
    loader.duplicate_keys = duplicates
    problems: list[tuple[str, str]] = []
    try:
        document = loader.get_single_data()
    except _ValueProblem as error:
        problems.append(_value_problem(error, scan))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problems.append(("", _yaml_problem(error, scan.key_at(mark))))
    finally:
        loader.dispose()
    # In the order written: a map's keys are checked before the maps inside it are read, so a
    # duplicate inside a map came after a later duplicate of the map that holds it.
    duplicates.sort(key=lambda error: error.problem_mark.index)
    problems = [_value_problem(error, scan) for error in duplicates] + problems
    if problems:
        raise ConfigError(source, list(dict.fromkeys(problems))) from None
    return document


def _value_problem(error: _ValueProblem, scan: _Scan) -> tuple[str, str]:
    mark = error.problem_mark
    return (_key_of(scan.key_at(mark)), f"{error.problem} ({_where(mark)})")


def _near(path: str) -> str:
    """Where a problem found at a line and column is, as a key: a hint, so it goes in the message."""
    return f" (at {_key_of(path)})" if path else ""


def _yaml_problem(error: yaml.YAMLError, path: str) -> str:
    mark = getattr(error, "problem_mark", None)
    where = f"{_where(mark)}{_near(path)}: " if mark is not None else ""
    problem = getattr(error, "problem", None) or str(error)
    kind = "YAML error" if isinstance(error, yaml.constructor.ConstructorError) else "YAML syntax error"
    return f"{kind} at {where}{shorten(problem, 200)}"


def platform_from_json(text: str | None, source: str) -> Any:
    """The ``mlops-platform:platform`` value as the Pulumi engine hands it to the program: JSON for
    a structured value, the text itself for a plain string. Bounded like a stack file (its size;
    its depth before parsing, which recurses once per level); :func:`~stacks.config.parse_platform_config`
    then says what is wrong with a value that is not a map."""
    if text is None:
        return None
    problem = json_text_problem(text)
    if problem:
        raise ConfigError(source, [(CONFIG_KEY, problem)])
    try:
        return json.loads(text)
    except ValueError:  # not JSON: the engine passes a plain string value as it is
        return text


def offline_platform_config(stack_file: StackFile) -> PlatformConfig:
    """The stack's ``mlops-platform:platform`` validated as the program validates it
    (:func:`stacks.program.load_config` on what the engine would pass it); raises
    :class:`~stacks.config.ConfigError` naming the file and key.

    The offline plan calls it before it imports Pulumi, the providers and the components, so an
    invalid stack file fails in a fraction of a plan's start-up; the program validates again (a
    few milliseconds) and raises what this cannot see (a missing secret).

    An encrypted leaf of the map (``pulumi config set --secret --path``), whose text the plan
    cannot read, is read as the stand-in its field's check accepts (:mod:`stacks.secret_stand_ins`),
    as :func:`offline_config` hands it to the program; one no stand-in passes is refused as
    encrypted."""
    forget_lists()  # said once per file: no list an earlier file listed
    config = offline_config(stack_file)
    text = engine_config_values({CONFIG_KEY: config[CONFIG_KEY]})[CONFIG_KEY]
    platform, stand_ins, source = stack_file.platform, stack_file.stand_ins, stack_file.path
    try:
        valid = parse_platform_config(platform_from_json(text, source), source)
    except ConfigError as raised:
        first: ConfigError = raised
        error = refused_encrypted(raised, platform, stand_ins, source)
        # Encrypted leaves read alike pass every check comparing them: each read as its own too.
        hidden = compared_encrypted(platform, stand_ins, source, raised.written)
        if hidden:
            error = ConfigError(error.source, [*error.written, *hidden])
    else:
        hidden = compared_encrypted(platform, stand_ins, source, [])
        if not hidden:
            return valid
        first = error = ConfigError(source, hidden)
    if not stack_file.environments:
        if error is first:
            raise error
        raise error from None
    # mergeConfig merges an environment's value under the stack's own (Value.Merge, a JSON
    # merge patch): ESC may set at `pulumi up` the fields this stack file leaves out. The
    # environments listed (said once per file).
    problems = [
        (
            key,
            f"{message}: {_esc_note(stack_file.environments, 'it')}"
            if message.startswith("missing")
            else message,
        )
        for key, message in error.written
    ]
    raise ConfigError(error.source, problems) from None


def offline_config(stack_file: StackFile) -> dict[str, Any]:
    """The stack's config as the offline plan hands it to the program: each encrypted leaf of the
    platform map as its stand-in (:func:`~stacks.secret_stand_ins.platform_stand_ins`), the rest as
    the stack file has it (a wholly encrypted value stays encrypted: the engine text of an
    encrypted value is :data:`~stacks.project.SECRET_STAND_IN`)."""
    platform = stack_file.config.get(CONFIG_KEY)
    stand_ins = stack_file.stand_ins
    if not stand_ins:
        return stack_file.config
    return {**stack_file.config, CONFIG_KEY: with_stand_ins(platform, stand_ins)}


STACK_FILE_SUFFIX = ".yaml"
"""A stack file's extension: the project file's (``Pulumi.yaml``), as Pulumi names it (its
workspace's DetectProjectStackPath); the program reads ``stacks/Pulumi.<stack>.yaml`` alone."""
UNREAD_SUFFIXES = frozenset({".yml", ".yaml"})
"""Compared in lower case: a YAML file Pulumi never reads as a stack's settings unless its
extension is exactly :data:`STACK_FILE_SUFFIX` (``.yml``, ``.YAML``...)."""


def is_unread_extension(name: str) -> bool:
    """``Pulumi.x.yml`` or ``Pulumi.x.YAML``: a stack file under a name Pulumi never reads. A file
    not named ``Pulumi.<stack>.*`` is no stack file Pulumi would look for under any extension
    (``--config candidate.yml`` plans as ``candidate.yaml`` does): False."""
    path = Path(name)
    return (
        path.stem.startswith("Pulumi.")
        and path.suffix.lower() in UNREAD_SUFFIXES
        and path.suffix != STACK_FILE_SUFFIX
    )


def _extension_problem(path: Path) -> str | None:
    """Why a stack file named with another extension than ``.yaml`` is refused: Pulumi never
    reads it, so planning, listing or skipping it would each mislead. None for any other name."""
    if not is_unread_extension(path.name):
        return None
    twin = path.with_name(path.name[: -len(path.suffix)] + STACK_FILE_SUFFIX)
    never = (
        f"is a {path.suffix} file, which Pulumi never reads as a stack's settings: it looks for "
        f"Pulumi.<stack>{STACK_FILE_SUFFIX}, the project file's (Pulumi.yaml) extension"
    )
    if twin.exists():
        return f"{never}; {twin.name} is the one Pulumi reads: move what this file holds into it and delete this one"
    return f"{never}: rename it to {twin.name}"


def _unread_twin_hint(path: Path) -> str:
    """For a missing ``Pulumi.<stack>.yaml``: the file beside it under another extension
    (``.yml``, ``.YAML``) that was meant, if any."""
    if path.suffix != STACK_FILE_SUFFIX or not path.stem.startswith("Pulumi."):
        return ""
    if path.is_symlink():  # there, but what it points to is not
        with contextlib.suppress(OSError):
            return f" ({path.name} is a symbolic link to {os.readlink(path)}, which does not exist)"
    stem = path.name[: -len(STACK_FILE_SUFFIX)]
    try:
        twins = sorted(
            other.name
            for other in path.parent.iterdir()
            if other.name != path.name
            and other.name.startswith(f"{stem}.")
            and other.name[len(stem) :].lower() in UNREAD_SUFFIXES
        )
    except OSError:  # no such folder: nothing beside it
        return ""
    if not twins:
        return _other_stacks_hint(path)
    return f" ({twins[0]} is there, but Pulumi reads only {path.name}: rename it)"


_LISTED_STACKS = 12  # a hint, not an inventory: a folder of many stacks is named by its first ones


def _other_stacks_hint(path: Path) -> str:
    """For a missing ``Pulumi.<stack>.yaml`` (a mistyped ``STACK=``): the stacks the folder has,
    the closest first when one is close."""
    prefix = "Pulumi."
    try:
        # Only names Pulumi takes as a stack's (an editor's backup or a file named with a space is
        # none), and never the missing file's own name (a symbolic link to nothing).
        stacks = sorted(
            stack
            for other in path.parent.iterdir()
            if other.name.startswith(prefix)
            and other.name.endswith(STACK_FILE_SUFFIX)
            and other.name != path.name
            and STACK_NAME.fullmatch(stack := other.name[len(prefix) : -len(STACK_FILE_SUFFIX)])
        )
    except OSError:
        return ""
    if not stacks:
        return ""
    wanted = path.name[len(prefix) : -len(STACK_FILE_SUFFIX)]
    # Compared without case: STACK=PROD means prod.
    by_folded = {stack.lower(): stack for stack in reversed(stacks)}
    close = difflib.get_close_matches(wanted.lower(), list(by_folded), n=1, cutoff=0.6)
    shown = ", ".join(stacks[:_LISTED_STACKS]) + (", ..." if len(stacks) > _LISTED_STACKS else "")
    guess = f"did you mean {by_folded[close[0]]}? " if close else ""
    return f" ({guess}{path.parent}/ has the stacks {shown})"


def _engine_config_keys(
    config: dict[str, Any],
    source: str,
    project: ProjectConfig | None,
    deferred: list[ConfigError],
    *,
    declarations_known: bool = True,
) -> dict[str, Any]:
    """``config`` under the keys Pulumi reads its keys as (:func:`~stacks.engine_yaml.config_key`);
    a key Pulumi cannot parse (Pulumi refuses to load such a file), one written in two forms
    (Pulumi would keep either) or one of the project's this program does not read (a typo) is
    refused, naming the key as written; a key ``project`` (Pulumi.yaml) declares is no typo, and
    none is judged a typo where the project's declarations are not known (``declarations_known``).
    The refusals go to ``deferred``, the platform value being read as written; raised at once where
    the platform value itself is written twice (which of the two Pulumi keeps is not known)."""
    written_as: dict[str, str] = {}
    ambiguous = False
    problems = []
    for written in config:
        key = config_key(written, PROJECT)
        if key is None:
            problems.append(
                (
                    written,
                    "is not a configuration key Pulumi can read: keys are `<namespace>:<name>` (e.g. "
                    f"`{CONFIG_KEY}`, `aws:region`) or a name of the {PROJECT} namespace alone "
                    "(`platform`), and Pulumi refuses to load a file with another",
                )
            )
        elif key in written_as:
            problems.append((written, f"is {key}, written twice (also as {written_as[key]})"))
            ambiguous = ambiguous or key == CONFIG_KEY
        elif (
            key.startswith(f"{PROJECT}:")
            and key not in _PROJECT_KEYS
            and declarations_known
            and not (project is not None and project.declares(key))
        ):
            problems.append((written, f"unknown key in the {PROJECT} namespace; did you mean {CONFIG_KEY}?"))
        else:
            written_as[key] = written
    if ambiguous:
        raise ConfigError.joined(source, [*deferred, ConfigError(source, problems)])
    if problems:
        deferred.append(ConfigError(source, problems))
    return {key: config[written] for key, written in written_as.items()}


def _may_be_misspelt(written: str, config: Mapping[str, Any], project: ProjectConfig | None) -> bool:
    """Whether the stack file's key ``written`` may be the platform key misspelt: refused (Pulumi
    cannot parse it, or it is not a key of the project's namespace this program reads), or one of
    that namespace a project file this program cannot read may declare (``config`` holds the
    keys kept, as Pulumi reads them)."""
    key = config_key(written, PROJECT)
    if key is None or key not in config:
        return True
    return (
        key.startswith(f"{PROJECT}:")
        and key not in _PROJECT_KEYS
        and not (project is not None and project.declares(key))
    )


def _missing_platform(environments: tuple[str, ...]) -> str:
    """Why a stack file without the platform value is refused; a stack importing ESC environments
    may get it from them at `pulumi up`, which the offline plan cannot see, so it says so."""
    if not environments:
        return "missing required key"
    return f"missing required key: {_esc_note(environments, CONFIG_KEY)}"


def _esc_note(environments: tuple[str, ...], what: str) -> str:
    """Why a key the stack file leaves out is refused though ESC may set it: the environments
    listed (:func:`listed`, so said once per file)."""
    return (
        f"the stack imports the Pulumi ESC environment(s) {listed(environments)} (`environment:`), "
        "which may set it at `pulumi up`, but the offline plan cannot read ESC (it needs Pulumi Cloud): "
        f"to plan this stack offline, set {what} in this stack file"
    )


def read_stack_file(path: str | Path) -> StackFile:
    """Parse ``path`` and check its shape; raises :class:`ConfigError` naming the file.

    A problem that leaves the platform value readable as Pulumi would read it (an unknown top-level
    or ``mlops-platform:`` key, a problem of ``Pulumi.yaml`` that declares nothing inside the
    platform value, ``pulumi:tags``, a stack name Pulumi refuses) is reported together with the
    platform value's own problems, in one error (:func:`_with_platform_problems`); what makes the
    platform value unknown (a ``config:`` that is no map, the platform key written twice or missing,
    a ``Pulumi.yaml`` path inside it Pulumi cannot set) stops with the problems found before it, the
    stack name checked first; YAML syntax and the size bounds stop alone."""
    source = str(path)
    forget_lists()  # said once per file: no list an earlier file listed
    problem = _extension_problem(Path(path))
    if problem:
        raise ConfigError(source, [("", problem)])
    document = load_yaml(_read_text(path, source), source)
    if document is None:
        raise ConfigError(source, [("", f"the file is empty; expected `config:` with `{CONFIG_KEY}`")])
    if not isinstance(document, dict):
        raise ConfigError(source, [("", "the file must be a YAML map with a top-level `config:` key")])
    deferred: list[ConfigError] = []
    stack = stack_name_of(path)
    # First, so that every stop below keeps it: the file's name is wrong whatever the file holds.
    if not STACK_NAME.fullmatch(stack):
        deferred.append(
            ConfigError(
                source,
                [
                    (
                        "",
                        f"the stack name {stack!r} (from the file name, Pulumi.<stack>.yaml) is not one Pulumi "
                        "accepts: 1 to 100 letters, digits, `_`, `.` or `-`; rename the file",
                    )
                ],
            )
        )
    unknown = sorted(str(key) for key in document if key not in _STACK_FILE_KEYS)
    if unknown:
        deferred.append(
            ConfigError(
                source,
                [
                    (key, f"unknown top-level key; allowed: {', '.join(sorted(_STACK_FILE_KEYS))}")
                    for key in unknown
                ],
            )
        )
    # A stack file without `config:` (or with it empty) sets no key, as Pulumi reads it: one that
    # imports ESC environments alone is the usual stack file of a platform value kept in ESC.
    config = {} if document.get("config") is None else document["config"]
    if not isinstance(config, dict):
        raise ConfigError.joined(
            source, [*deferred, ConfigError(source, [("config", f"not a map; it must hold `{CONFIG_KEY}`")])]
        )
    project, declarations_known = _project_of(source, deferred)
    written = config
    config = _engine_config_keys(config, source, project, deferred, declarations_known=declarations_known)
    # A map under an unknown key (`confg:`, `mlops-platform:platfrom`) may be the platform value
    # misspelt: without the platform key, what Pulumi would read there is then not known.
    misspelt = CONFIG_KEY not in config and (
        any(isinstance(document[key], dict) for key in unknown)
        or any(
            isinstance(value, dict) and _may_be_misspelt(key, config, project)
            for key, value in written.items()
        )
    )
    environments = esc_environments(document)
    tags_source = project.path if project is not None and TAGS_KEY not in config else source
    # An ESC environment setting pulumi:tags would land before the project's (mergeConfig).
    project_tags_only = tags_source != source and bool(environments)
    try:
        config, merge_errors = merged_project_config(config, project, stack, source, environments)
    except ConfigError as error:  # a Pulumi.yaml path inside the platform value Pulumi cannot set
        raise ConfigError.joined(source, [*deferred, error]) from None
    deferred += merge_errors
    tags_problems = [] if project_tags_only else pulumi_tags_problems(config)
    if tags_problems:
        deferred.append(ConfigError(tags_source, tags_problems))
    if misspelt:
        # Missing (or set in part by Pulumi.yaml) because its key is misspelt, maybe: not said.
        raise ConfigError.joined(source, deferred)
    if CONFIG_KEY not in config:
        raise ConfigError.joined(
            source, [*deferred, ConfigError(source, [(CONFIG_KEY, _missing_platform(environments))])]
        )
    stack_file = StackFile(path=source, stack=stack, config=config, environments=environments)
    if deferred:
        raise _with_platform_problems(
            stack_file, deferred, stack_name_refused=not STACK_NAME.fullmatch(stack)
        )
    return stack_file


def _with_platform_problems(
    stack_file: StackFile, deferred: list[ConfigError], *, stack_name_refused: bool
) -> ConfigError:
    """The problems of ``deferred`` (found reading ``stack_file`` and its project file, none making
    its platform value unknown) and its platform value's own, as one error. With the stack's name
    refused, an unset ``name_prefix`` (which defaults to it) is not said to be wrong too."""
    try:
        offline_platform_config(stack_file)
    except ConfigError as error:
        unset_prefix = default_prefix_problem(stack_file.path) if stack_name_refused else None
        problems = [problem for problem in error.written if problem != unset_prefix]
        if problems:
            deferred = [
                *deferred,
                ConfigError(error.source, problems) if problems != error.written else error,
            ]
    return ConfigError.joined(stack_file.path, deferred)


def _project_of(source: str, deferred: list[ConfigError]) -> tuple[ProjectConfig | None, bool]:
    """The project's config declarations (:func:`read_project_config`), and whether they are known.
    A project file Pulumi would refuse whose ``config:`` block declares nothing inside the platform
    value leaves that value as the stack file writes it: its problems go to ``deferred`` (None,
    False). A project file that is no valid YAML, or that may declare something inside the
    platform value, is refused at once."""
    path = project_dir(source) / PROJECT_FILE
    if not path.is_file():
        return None, True
    try:
        document = load_yaml(_read_text(path, str(path)), str(path))
    except ConfigError as error:
        raise ConfigError.joined(source, [*deferred, error]) from None
    try:
        return project_config(document, str(path)), True
    except ConfigError as error:
        if _may_set_platform(document):
            raise ConfigError.joined(source, [*deferred, error]) from None
        deferred.append(error)
        return None, False


def _may_set_platform(document: Any) -> bool:
    """Whether a project file's ``document`` (one Pulumi refuses) may declare a default or value
    inside the platform value: unless its ``config:`` block is absent, a folder's name, or a map
    none of whose keys names ``platform`` (in any namespace, as a path's first segment too)."""
    if not isinstance(document, dict):
        return True
    block = document.get("config")
    if block is None or isinstance(block, str):
        return False
    if not isinstance(block, dict):
        return True
    name = CONFIG_KEY.split(":", 1)[1]
    return any(
        str(written).rsplit(":", 1)[-1].split(".")[0].split("[")[0].strip() == name for written in block
    )


def read_project_config(source: str) -> ProjectConfig | None:
    """The ``config:`` declarations of the project of stack file ``source`` (the ``Pulumi.yaml``
    of :func:`~stacks.config.project_dir`, the folder Pulumi runs the program in), read as stack
    files are; None when there is no project file or it declares no config."""
    path = project_dir(source) / PROJECT_FILE
    if not path.is_file():
        return None
    return project_config(load_yaml(_read_text(path, str(path)), str(path)), str(path))


__all__ = [
    "MAX_STACK_FILE_BYTES",
    "STACK_FILE_SUFFIX",
    "StackFile",
    "dump_stack_document",
    "is_unread_extension",
    "load_yaml",
    "offline_config",
    "offline_platform_config",
    "platform_from_json",
    "read_project_config",
    "read_stack_file",
    "reading_loader",
    "stack_name_of",
    "writing_dumper",
]
