"""How invalid stack configuration is reported: :class:`ConfigError` (one bounded line per problem,
naming the stack file and the dotted key) and the reading of pydantic's validation errors into those
problems (the key a problem is at, its message, the keys allowed there).

Moved out of :mod:`stacks.config`, which still exports every public name (and ``_allowed_keys``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, TypeGuard, get_origin

from pydantic import (
    BaseModel,
)

from stacks.input_limits import ECHO_LIMIT, echo, listed, lists_said_once, shorten
from stacks.project import CONFIG_KEY


class ConfigError(Exception):
    """Invalid stack configuration. ``str()`` is the complete, user-facing message.

    It is bounded whatever the input: at most :data:`MAX_PROBLEMS_SHOWN` problems, each key path
    and message cut short (a 5 MB value never floods a terminal or a CI log) past bounds no message
    the platform composes reaches (:data:`MAX_MESSAGE_CHARS`): those echo values
    (:func:`~stacks.input_limits.echo`) and list names (:func:`~stacks.input_limits.listed`) bounded.
    Each such list is said once per file (:func:`~components.text_limits.lists_said_once`): the
    first problem holding it lists it, the later ones say ``listed at <its key>``, so 500 unknown
    keys of one map list the keys allowed there once.
    """

    def __init__(
        self, source: str, problems: list[tuple[str, str]], *, sources: Sequence[str] | None = None
    ) -> None:
        self.source = source
        self.sources: tuple[str, ...] = tuple(sources) if sources is not None else (source,) * len(problems)
        """The file of each of ``problems`` (``source`` unless :meth:`joined` gathered several files')."""
        # Each list of names (the stack's families, a map's allowed keys...) said once per file,
        # the later problems pointing to the key of the first: whichever check listed it.
        said = lists_said_once(
            [
                (where, _shown_key(path), message)
                for where, (path, message) in zip(self.sources, problems, strict=True)
            ],
            MAX_PROBLEMS_SHOWN,
            MAX_MESSAGE_CHARS,
        )
        self.problems = [(path, message) for (path, _), message in zip(problems, said, strict=True)]
        """The problems as shown, each list of names said once (later ones ``listed at <key>``)."""
        self.written: list[tuple[str, str]] = list(problems)
        """The problems as the checks wrote them, each list whole: what a caller that rewrites,
        drops, adds or compares problems starts from (the new error says the lists once again
        over its own problems, so no pointer is left to a problem rewritten or dropped, and the
        same problem found by two validations reads alike)."""
        problems = self.problems
        lines = [
            f"{source}: invalid configuration ({len(problems)} problem{'s' if len(problems) != 1 else ''})"
        ]
        lines += [
            f"  {where}: {_one_line(shorten(path, 160)) or '<file>'}: {_one_line(shorten(message, MAX_MESSAGE_CHARS))}"
            for where, (path, message) in zip(
                self.sources[:MAX_PROBLEMS_SHOWN], problems[:MAX_PROBLEMS_SHOWN], strict=True
            )
        ]
        if len(problems) > MAX_PROBLEMS_SHOWN:
            lines.append(f"  {source}: … and {len(problems) - MAX_PROBLEMS_SHOWN} more problems")
        super().__init__("\n".join(lines))

    @classmethod
    def joined(cls, source: str, errors: Sequence[ConfigError]) -> ConfigError:
        """The problems of ``errors`` (found reading stack file ``source`` and the files beside it,
        such as ``Pulumi.yaml``) as one error, each problem naming its own file; the one error
        itself when there is one."""
        if len(errors) == 1:
            return errors[0]
        problems = [problem for error in errors for problem in error.written]
        return cls(source, problems, sources=[where for error in errors for where in error.sources])


MAX_PROBLEMS_SHOWN: Final = 50
MAX_MESSAGE_CHARS: Final = 4_000
"""A problem's message is cut past this: a bound against floods (a validator quoting a huge value
whole), above the longest message the platform composes from bounded parts (an explainability
template's faults are each a problem; a list of names (:func:`~stacks.input_limits.listed`) is cut
at 30 names of at most 80 characters each; an encrypted leaf's note wraps another message): 1,000
cut such messages."""


def _not_a_family(family: str, families: Iterable[str]) -> str:
    """``'<family>' is not a model family of this stack (<the stack's families>)``: the families
    listed (:func:`listed`), so said once per file (:class:`ConfigError`)."""
    return f"'{family}' is not a model family of this stack ({listed(sorted(families)) or 'none'})"


def _shown_key(path: str) -> str:
    """A problem's key as a later problem points to it: as shown, less the platform value's key."""
    return _one_line(shorten(path, 160)).removeprefix(f"{CONFIG_KEY}.") or "<file>"


def _one_line(text: str) -> str:
    """One problem, one line: line breaks inside an echoed value are shown escaped."""
    return text.replace("\r", "\\r").replace("\n", "\\n")


def _holds(node: object, part: Any) -> TypeGuard[dict[Any, Any] | list[Any]]:
    """Whether ``node`` (a mapping or list of the stack file's document) has the key or index."""
    return (isinstance(node, dict) and part in node) or (
        isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
    )


def _has_path(node: object, path: tuple[Any, ...]) -> bool:
    for part in path:
        if not _holds(node, part):
            return False
        node = node[part]
    return True


def _key_text(location: tuple[Any, ...]) -> str:
    """``[0].deployment.canary_percent``: a location as the problem keys write it (long keys shortened)."""
    return "".join(f"[{part}]" if isinstance(part, int) else f".{shorten(str(part))}" for part in location)


def _dotted(path: str) -> str:
    return f"{CONFIG_KEY}.{path}" if path and not path.startswith("[") else f"{CONFIG_KEY}{path}"


# How pydantic names the members of a union in an error's location (``threshold.float``,
# ``threshold.int``): not keys of the stack file, so left out of the dotted path.
_UNION_MEMBERS = frozenset({"int", "float", "str", "bool", "none", "bytes"})
_UNION_MEMBER_PREFIXES = (
    "function-",
    "literal[",
    "list[",
    "dict[",
    "tagged-union[",
    "nullable[",
    "constrained-",
)


def _is_union_member(part: Any) -> bool:
    return isinstance(part, str) and (part in _UNION_MEMBERS or part.startswith(_UNION_MEMBER_PREFIXES))


def _merge_branches(problems: list[tuple[tuple[str, str], bool]]) -> list[tuple[str, str]]:
    """One problem per key for what the members of a union refused (each problem flagged as a
    member's or not), joined (``a finite number; or: an integer``), instead of one line per member.
    Several faults one check finds at one key (an explainability template's) stay one line each."""
    merged: dict[tuple[str, str | None], list[str]] = {}
    for (path, message), branch in problems:
        messages = merged.setdefault((path, None) if branch else (path, message), [])
        if message not in messages:
            messages.append(message)
    return [(path, "; or: ".join(messages)) for (path, _), messages in merged.items()]


def _error_location(document: object, error: Any) -> tuple[Any, ...]:
    """:func:`_key_location` of a validation error (its location and the value it refused)."""
    return _key_location(document, tuple(error["loc"]), error.get("input", _NO_INPUT))


_NO_INPUT: Final = object()


def _key_location(document: object, loc: tuple[Any, ...], refused: object = _NO_INPUT) -> tuple[Any, ...]:
    """An error's location as keys of the validated document: pydantic's names of union members
    (``int``, ``function-after[...]``) left out, but never a key the document has (a key named
    ``int`` stays), unless the error refused the map holding that key (``refused``): a map written
    where a scalar goes (``weight: {int: 1}``) is refused at the key the user wrote (``weight``),
    not at the member pydantic tried (``weight.int``), which names the map's key only by chance."""
    node, location = document, []
    for number, part in enumerate(loc):
        if (
            number == len(loc) - 1
            and part in _UNION_MEMBERS
            and isinstance(node, dict)
            and refused is not _NO_INPUT
            and refused == node
        ):
            continue
        if _holds(node, part):
            node = node[part]
        elif _is_union_member(part):
            continue
        else:
            node = None
        location.append(part)
    return tuple(location)


def _describe(error: Any, document: object = None) -> tuple[str, str]:
    location = _error_location(document, error)
    path = CONFIG_KEY + _key_text(location)
    kind = error["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(location[:-1])
        # Every key (a schema's few dozen at most), listed: said once per file, however many are unknown.
        return path, f"unknown key; allowed keys here: {listed(allowed, limit=len(allowed))}"
    if kind == "missing":
        return path, "missing required key"
    message = error["msg"].removeprefix("Value error, ")
    if (
        kind not in {"value_error", "assertion_error"}
        and "input" in error
        and not isinstance(error["input"], dict)
    ):
        message += f" (got {echo(error['input'])})"
    elif isinstance(error.get("input"), dict) and _expects_no_map(kind):
        message += " (got a mapping)"  # the map is not echoed: its keys are not where the problem is
    if kind == "string_type":
        message += _unquoted_scalar_hint(error.get("input"))
    refused = error.get("input")
    if isinstance(refused, str) and len(refused) > ECHO_LIMIT and refused in message:
        message = message.replace(refused, shorten(refused))  # a validator repeating what it refuses
    return path, message


_MAP_KINDS: Final = frozenset(
    {"dict_type", "model_type", "model_attributes_type", "dataclass_type", "typed_dict_type"}
)


def _expects_no_map(kind: str) -> bool:
    """Whether an error of pydantic type ``kind`` refuses a value for not being of a scalar type
    (or a list): a map given there is said to be one."""
    return (kind.endswith(("_type", "_parsing")) and kind not in _MAP_KINDS) or kind in {
        "literal_error",
        "enum",
        "none_required",
    }


def _unquoted_scalar_hint(value: object) -> str:
    """For text that YAML read as another type (an unquoted ``true``, ``1.10``): how to keep it
    text. The echo alone (``got True``, ``got 1.1``) hides what was written. The readings named are
    Pulumi's (:mod:`stacks.engine_yaml`), which the plan shares."""
    if isinstance(value, bool):
        read = "true and false as booleans"
    elif isinstance(value, int | float):
        read = "numbers as numbers (1.10 as 1.1, 1e3 as 1000; 0123, 0o17 and 0x1f in base 8, 8 and 16)"
    elif value is None:
        read = "an empty value, ~ and null as null"
    else:
        return ""
    return f"; unquoted, YAML reads {read}: quote the value to keep it as text"


def _allowed_keys(location: tuple[Any, ...]) -> list[str]:
    """The field names of the model found by walking ``location`` from :class:`PlatformConfig`
    (list positions and the keys of a map field, ``tuning.parameters.<name>``, passed over)."""
    from stacks.config import PlatformConfig  # here, not at the top: stacks.config imports this module

    model: Any = PlatformConfig
    in_map = False  # the next key is one of a map's, not a field
    for part in location:
        if isinstance(part, int):
            continue
        if in_map:
            in_map = False
            continue
        field = model.model_fields.get(part)
        if field is None:
            return []
        model = model_in(field.annotation)
        if model is None:
            return []
        in_map = _holds_map(field.annotation)
    return sorted(model.model_fields)


def _holds_map(annotation: Any) -> bool:
    """Whether a field's annotation is a map (``dict[str, X]``, ``X | None`` or a list of them)."""
    if get_origin(annotation) in (dict, Mapping):
        return True
    return any(_holds_map(argument) for argument in getattr(annotation, "__args__", ()))


def model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model a field's annotation holds (``X | None``, ``list[X]``...), or None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in getattr(annotation, "__args__", ()):
        found = model_in(argument)
        if found is not None:
            return found
    return None


def _type_name(value: Any) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )
