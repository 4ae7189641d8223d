"""Reading a stack file's text and YAML within bounds (:mod:`stacks.input_limits`): its size, its
encoding, then, from the parser's event stream and before any value is constructed, its nesting
depth and its number of values once aliases are expanded, each problem named at its dotted key.
Part of :mod:`stacks.stack_file`, which re-exports :func:`load_yaml`.
"""

from __future__ import annotations

import bisect
import codecs
import contextlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from stacks.config import ConfigError
from stacks.input_limits import (
    MAX_NESTING_DEPTH,
    MAX_STACK_FILE_BYTES,
    MAX_VALUES,
    depth_problem,
    shorten,
    size_problem,
    values_problem,
)
from stacks.project_config import PROJECT_FILE
from stacks.stack_file_names import _unread_twin_hint
from stacks.stack_file_yaml import _BaseLoader, _StackFileLoader, _ValueProblem

# Byte-order marks of encodings a stack file must not use (UTF-32's first: it starts like UTF-16's).
_FOREIGN_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32 (little-endian)"),
    (codecs.BOM_UTF32_BE, "UTF-32 (big-endian)"),
    (codecs.BOM_UTF16_LE, "UTF-16 (little-endian)"),
    (codecs.BOM_UTF16_BE, "UTF-16 (big-endian)"),
)


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
                [("", f"is encoded as {encoding} (it starts with that byte-order mark); {_what(source)} must be "
                      "UTF-8: re-save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8)")],
            )  # fmt: skip
    data = data.removeprefix(codecs.BOM_UTF8)  # allowed by YAML, and harmless
    if b"\x00" in data:
        offset = data.index(b"\x00")
        raise ConfigError(
            source,
            [("", f"has a NUL byte at {_byte_position(data, offset)}: it looks UTF-16 or UTF-32 encoded, or "
                  f"binary; {_what(source)} must be UTF-8 text")],
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
                  f"{_what(source)} must be UTF-8: re-save it as UTF-8")],
        ) from None  # fmt: skip


def _what(source: str) -> str:
    """What the file ``source`` is, as its refusals say: the project's ``Pulumi.yaml`` is read as
    stack files are (:func:`~stacks.stack_file_keys.read_project_config`), but it is none."""
    return "a project file" if Path(source).name == PROJECT_FILE else "a stack file"


def _byte_position(data: bytes, offset: int) -> str:
    line_start = data.rfind(b"\n", 0, offset) + 1
    line = data.count(b"\n", 0, offset) + 1
    return f"line {line}, column {offset - line_start + 1} (byte {offset})"


def _read_text(path: str | Path, source: str) -> str:
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a pipe or device could block or never end
            raise ConfigError(source, [("", "is not a regular file (a directory, pipe or device?)")])
        with open(path, "rb") as stream:
            problem = size_problem(os.fstat(stream.fileno()).st_size, _what(source))
            if problem:
                raise ConfigError(source, [("", problem)])
            data = stream.read(MAX_STACK_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(source, [("", "file not found" + _unread_twin_hint(Path(path)))]) from None
    except OSError as error:
        raise ConfigError(source, [("", f"cannot be read: {error.strerror}")]) from None
    except ValueError:  # os.stat refuses a path holding a NUL byte, which no file's name holds
        raise ConfigError(source, [("", "cannot be read: its path holds a NUL byte")]) from None
    if len(data) > MAX_STACK_FILE_BYTES:  # a pipe or special file, whose size fstat does not know
        raise ConfigError(
            source, [("", f"is larger than {MAX_STACK_FILE_BYTES:,} bytes, the most {_what(source)} may be")]
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
        raise ConfigError(source, [("", _yaml_problem(error, scan.path, text))]) from None
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
        problems.append(("", _yaml_problem(error, scan.key_at(mark), text)))
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


def _tab_indented(text: str, mark: Any) -> str | None:
    """The line at ``mark``, stripped, where the error is a tab in its indentation (before any other
    character of it, up to the error's column); None otherwise."""
    if mark is None or not text:
        return None
    lines = text.split("\n")
    if mark.line >= len(lines):
        return None
    line = lines[mark.line].rstrip("\r")
    indentation = line[: len(line) - len(line.lstrip(" \t"))]
    if "\t" not in indentation[: mark.column + 1]:
        return None
    return line.strip()


def _near(path: str) -> str:
    """Where a problem found at a line and column is, as a key: a hint, so it goes in the message."""
    return f" (at {_key_of(path)})" if path else ""


def _yaml_problem(error: yaml.YAMLError, path: str, text: str = "") -> str:
    mark = getattr(error, "problem_mark", None)
    tabbed = _tab_indented(text, mark)
    if tabbed is not None:
        # The key the scan read last is the one before this line: naming it misled.
        return (
            f"YAML syntax error at {_where(mark)}: a tab indents the line `{shorten(tabbed, 80)}`; YAML "
            "indents with spaces only"
        )
    where = f"{_where(mark)}{_near(path)}: " if mark is not None else ""
    problem = getattr(error, "problem", None) or str(error)
    kind = "YAML error" if isinstance(error, yaml.constructor.ConstructorError) else "YAML syntax error"
    return f"{kind} at {where}{shorten(problem, 200)}"
