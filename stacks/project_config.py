"""What Pulumi merges into a stack's configuration before the program runs, besides the stack file.

Two sources, both read from files the offline plan has:

* the project's ``config:`` block in ``Pulumi.yaml`` (Pulumi's ``workspace.mergeConfig``, second
  loop): a key the stack does not set takes the project's ``default`` (else its ``value``); a key of
  the project's namespace with neither, and not set by the stack, makes Pulumi refuse to run
  (``Stack 'dev' is missing configuration value 'x'``); a key declared with a ``type`` is
  type-checked against the stack's value, and one declared ``secret: true`` must be set encrypted;
* the stack file's ``environment:`` (Pulumi ESC environments), whose ``pulumiConfig`` values Pulumi
  merges in too (mergeConfig's first loop, the stack's values winning). Evaluating an environment
  needs Pulumi Cloud, so this module only names them: the plan says it planned without them.

The project file is read as Pulumi loads it (``workspace.LoadProjectBytes``): shorthand values
rewritten (``RewriteShorthandConfigValues``: a bare value under a key of the project's namespace is
its ``default``, under another namespace its ``value``), the declarations checked as the project's
JSON schema and ``Project.Validate`` check them. Problems name ``Pulumi.yaml`` (or the stack file,
for a stack value the project refuses) and the key.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stacks.config import ConfigError
from stacks.engine_yaml import config_key, go_float_text, program_value
from stacks.project import CONFIG_KEY as PLATFORM_KEY
from stacks.project import PROJECT, engine_config_values, holds_secure, is_secure, meant_key

PROJECT_FILE = "Pulumi.yaml"

_TYPES = ("string", "integer", "boolean", "array", "object")
_DECLARATION_KEYS = frozenset({"type", "items", "description", "secret", "default", "value"})
# strconv.Atoi: an optional sign, then decimal digits, within a 64-bit int.
_GO_INT = re.compile(r"[+-]?[0-9]+")
_INT64 = 2**63


@dataclass(frozen=True)
class ItemsType:
    """A declaration's ``items:`` (``ProjectConfigItemsType``): the type of an array's items."""

    type: str
    items: ItemsType | None = None

    @property
    def full_name(self) -> str:
        return _full_type_name(self.type, self.items)


@dataclass(frozen=True)
class Declaration:
    """One key of the project's ``config:`` block, its shorthand rewritten."""

    written: str
    """The key as Pulumi.yaml writes it (``platform``, ``aws:region``)."""
    key: str
    """The key as the engine names it (``mlops-platform:platform``)."""
    in_project_namespace: bool
    type: str | None = None
    items: ItemsType | None = None
    default: Any = None
    value: Any = None
    secret: bool = False
    path: tuple[str, ...] = ()
    """The key's name as the property path mergeConfig reads it (``platform.region``: two
    segments); empty for a name of one segment, the usual case."""

    @property
    def root(self) -> str:
        """The config key the value is in (``mlops-platform:platform`` for ``platform.region``)."""
        return f"{self.key.split(':', 1)[0]}:{self.path[0]}" if self.path else self.key


@dataclass(frozen=True)
class ProjectConfig:
    """A project file's name and its ``config:`` declarations, in Pulumi's (sorted) order."""

    path: str
    name: str
    declarations: tuple[Declaration, ...]

    def declares(self, key: str) -> bool:
        """Whether a declaration names ``key``, or a path inside it (``platform.region``)."""
        return any(key in (declaration.key, declaration.root) for declaration in self.declarations)


def _full_type_name(type_name: str, items: ItemsType | None) -> str:
    """``InferFullTypeName``: ``array<string>``, ``array<array<integer>>``."""
    return f"array<{items.full_name}>" if items is not None else type_name


def _is_go_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Encrypted:
    """An encrypted leaf of an object or array value: its decrypted text, whose type Pulumi checks,
    is not known offline, so it passes for any type."""


_ENCRYPTED = _Encrypted()


def valid_config_value(type_name: str, items: ItemsType | None, value: Any) -> bool:
    """Pulumi's ``ValidateConfigValue`` on a value as Go decodes it (text, int, float, bool, map, list)."""
    if value is _ENCRYPTED:
        return True
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "integer":
        if _is_go_int(value):
            return True
        if isinstance(value, float):  # YAML and JSON numbers: a whole one counts
            return value.is_integer()
        return isinstance(value, str) and bool(_GO_INT.fullmatch(value)) and -_INT64 <= int(value) < _INT64
    if type_name == "boolean":
        return value in ("true", "false") if isinstance(value, str) else isinstance(value, bool)
    if type_name == "object":
        return isinstance(value, dict)
    if not isinstance(value, list) or items is None:
        return False
    return all(valid_config_value(items.type, items.items, item) for item in value)


def _go_json_value(value: Any) -> Any:
    """``value`` as it reads back from the JSON Go's ``json.Marshal`` writes: a whole float within
    1e21 is written without a fraction (``5``), which the program's JSON reader takes as an int
    (:func:`~stacks.engine_yaml.program_value`, the stack file's own values' reading)."""
    if isinstance(value, float) and math.isfinite(value):
        return program_value(value)
    if isinstance(value, dict):
        return {key: _go_json_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_go_json_value(item) for item in value]
    return value


def config_value(raw: Any) -> Any:
    """The stack value a project ``default`` or ``value`` becomes (``createConfigValue``): text for
    a string, int or bool (Go's ``%v``: ``true``, ``5``), JSON for anything else (a float, a list,
    a map), here the value itself, which the engine passes as JSON."""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, (str, int)):
        return str(raw)
    if isinstance(raw, float):
        return go_float_text(raw)
    return _go_json_value(raw)


def _items_type(raw: Any, where: str, problems: list[tuple[str, str]]) -> ItemsType | None:
    """A declaration's ``items:`` (the schema's ``configItemsType``): a map with a ``type``, and
    ``items`` when that type is ``array``."""
    if not isinstance(raw, dict) or "type" not in raw:
        problems.append((where, "must be a map with a `type` (string, integer, boolean, array or object)"))
        return None
    kind, nested = raw["type"], raw.get("items")
    if kind not in _TYPES:  # a map here (the schema allows one) is no type Pulumi's loader reads
        problems.append((f"{where}.type", f"must be one of {', '.join(_TYPES)}"))
        return None
    if kind == "array" and nested is None:
        problems.append((where, "declares `type: array` without `items:` (the type of its items)"))
        return None
    return ItemsType(kind, _items_type(nested, f"{where}.items", problems) if nested is not None else None)


def _declaration(name: str, written: str, raw: Any, problems: list[tuple[str, str]]) -> Declaration | None:
    where = f"config.{written}"
    if ":" in written:
        key = config_key(written, name)
        if key is None:
            problems.append((where, "is not a configuration key Pulumi can read: keys are `<name>` "
                                    "(the project's) or `<namespace>:<name>`"))  # fmt: skip
            return None
    else:
        key = f"{name}:{written}"
    ours = ":" not in written or written.startswith(f"{name}:")
    path = _key_path(key.split(":", 1)[1])
    if path is None:
        problems.append((where, "is a property path this plan does not read (an index `[0]`, a quoted "
                                "`[\"name\"]`, or a `.` first or last): Pulumi merges a dotted key's value "
                                "inside the key its first segment names; write the path as dotted names "
                                "(`platform.region`) or set the value in the stack files"))  # fmt: skip
        return None
    if isinstance(raw, (list, str, int)):
        # RewriteShorthandConfigValues: the project's key gets a default, another namespace's a value
        return Declaration(
            written, key, ours, default=raw if ours else None, value=None if ours else raw, path=path
        )
    if not isinstance(raw, dict):
        problems.append((where, "must be a string, integer, boolean, list, or a map declaring the key "
                                "(type, items, description, secret, default, value)"))  # fmt: skip
        return None
    unknown = sorted(set(raw) - _DECLARATION_KEYS)
    if unknown:
        problems.append((where, f"{', '.join(map(repr, unknown))} not allowed: a declaration takes "
                                f"{', '.join(sorted(_DECLARATION_KEYS))}"))  # fmt: skip
        return None
    kind = raw.get("type")
    if kind is not None and kind not in _TYPES:
        problems.append((f"{where}.type", f"must be one of {', '.join(_TYPES)}"))
        return None
    secret = raw.get("secret", False)
    if not isinstance(secret, bool):
        problems.append((f"{where}.secret", "must be true or false"))
        return None
    if not isinstance(raw.get("description", ""), str):
        problems.append((f"{where}.description", "must be text"))
        return None
    items = _items_type(raw["items"], f"{where}.items", problems) if raw.get("items") is not None else None
    default, value = raw.get("default"), raw.get("value")
    if default is not None and value is not None:  # Project.Validate
        problems.append((where, "cannot have both a `default` and a `value`"))
        return None
    if ours:
        if kind == "array" and raw.get("items") is None:
            problems.append((where, "declares `type: array` but not the type of its items (`items:`)"))
            return None
        if kind is not None and default is not None and not valid_config_value(kind, items, default):
            problems.append(
                (f"{where}.default", f"is not of the declared type {_full_type_name(kind, items)!r}")
            )
            return None
    else:
        if kind is not None:
            problems.append((where, "is not in the project's namespace and must not declare a `type`"))
            return None
        if default is not None:
            problems.append((where, "is not in the project's namespace and must not declare a `default`: "
                                    "did you mean `value`?"))  # fmt: skip
            return None
        if value is None:
            problems.append((where, "is not in the project's namespace and must give a `value`"))
            return None
    return Declaration(written, key, ours, kind, items, default, value, secret, path)


def _key_path(name: str) -> tuple[str, ...] | None:
    """A config key's name as mergeConfig's ``parseKeyPath`` reads it (``ParsePropertyPathStrict``):
    ``()`` for one segment, the dotted names for a path (``platform.region``), None for a path
    with an index or a quoted name (``[...]``), which this plan does not read, or starting or
    ending with a ``.``, which Pulumi refuses. A ``.`` after a ``.`` is skipped, as Pulumi skips it
    (``a..b`` is ``a.b``)."""
    if "." not in name and "[" not in name:
        return ()
    if "[" in name or name.startswith(".") or name.endswith("."):
        return None
    return tuple(segment for segment in name.split(".") if segment)


def project_config(document: Any, path: str) -> ProjectConfig | None:
    """The ``config:`` declarations of the project file ``document`` (read from ``path``); None
    when it declares none (no ``config:`` block, an empty one, or the older ``config: <folder>``
    that names the stack files' folder). Raises :class:`ConfigError` naming ``path`` where Pulumi
    refuses to load the project."""
    if not isinstance(document, dict):
        raise ConfigError(path, [("", "the project file must be a YAML map (name, runtime, config...)")])
    identity = _identity_problems(document)
    if identity:
        raise ConfigError(path, identity)
    block = document.get("config")
    if isinstance(block, str) and "stackConfigDir" in document:  # RewriteConfigPathIntoStackConfigDir
        raise ConfigError(
            path,
            [("config", "names the stack files' folder, and so does `stackConfigDir`: Pulumi refuses "
                        "both (\"Should not use both config and stackConfigDir\"); keep `stackConfigDir`")],
        )  # fmt: skip
    if block is None or isinstance(block, str) or block == {}:
        return None
    if not isinstance(block, dict):
        raise ConfigError(
            path, [("config", "must be a map of configuration keys to their values or declarations")]
        )
    name = document["name"]
    problems: list[tuple[str, str]] = []
    declarations = [_declaration(name, str(written), raw, problems) for written, raw in block.items()]
    problems += _misplaced_declarations(name, declarations)
    if problems:
        raise ConfigError(path, problems)
    # In Pulumi's order (sorted as written): of a key declared twice (`x` and `<project>:x`), the
    # first one's default or value lands on the stack, and the second finds it set.
    kept = sorted((d for d in declarations if d is not None), key=lambda d: d.written)
    return ProjectConfig(path=path, name=name, declarations=tuple(kept))


def _misplaced_declarations(name: str, declarations: list[Declaration | None]) -> list[tuple[str, str]]:
    """The declarations of a project named ``name`` (not :data:`~stacks.project.PROJECT`) that land
    in its own namespace under the name of a key the program reads (``platform``, a path inside it,
    ``kubeconfig``): the program reads those keys in the ``mlops-platform`` namespace whatever the
    project's name, so Pulumi would merge the default or value where nothing reads it."""
    problems = []
    for declaration in declarations:
        meant = None if declaration is None else meant_key(declaration.root, name)
        if declaration is None or meant is None:
            continue
        instead = f"{PROJECT}:{declaration.key.split(':', 1)[1]}"
        problems.append(
            (
                f"config.{declaration.written}",
                f"is {declaration.key} to Pulumi (the project's namespace, and this file names the "
                f"project {name}), which the program never reads: it reads {meant}, whatever the "
                f"project's name; declare it as {instead} (with a `value:`: a key of another namespace "
                "than the project's takes no `default:` or `type:`) or set it in the stack files",
            )
        )
    return problems


_RUNTIME_KEYS = frozenset({"name", "options"})
"""The keys of a runtime map: Pulumi's project schema (``project.json``) allows no other
(``additionalProperties: false``)."""


def _identity_problems(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What Pulumi's ``ValidateProject`` refuses before it reads anything else of a project file,
    so that no command runs: no ``name`` (or one that is no non-empty text), no ``runtime``, or a
    runtime that is neither a name nor a map holding one (the project schema's ``runtime``)."""
    problems = []
    name = document.get("name")
    if not isinstance(name, str) or not name:
        problems.append(("name", "missing: Pulumi refuses a project without a non-empty `name`"))
    runtime = document.get("runtime")
    if "runtime" not in document:
        problems.append(
            ("runtime", "missing: Pulumi refuses a project without a `runtime` (this program's is `python`)")
        )
    elif not (
        (isinstance(runtime, str) and runtime)
        or (
            isinstance(runtime, dict)
            and isinstance(runtime.get("name"), str)
            and runtime["name"]
            and isinstance(runtime.get("options", {}), dict)
            and set(runtime) <= _RUNTIME_KEYS
        )
    ):
        problems.append(
            (
                "runtime",
                "must be the runtime's name (`python`) or a map with it and nothing but `options` "
                "(`{name: python, options: {...}}`), as Pulumi's project schema says",
            )
        )
    return problems


def _decrypted(value: Any) -> Any:
    """An object value as the engine decrypts it (JSON's types), each ``secure:`` leaf as
    :data:`_ENCRYPTED` (its text is not known offline)."""
    if is_secure(value):
        return _ENCRYPTED
    if isinstance(value, dict):
        return {key: _decrypted(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decrypted(item) for item in value]
    return json.loads(json.dumps(value))


_ABSENT: Any = object()


def _get(config: Mapping[str, Any], declaration: Declaration) -> Any:
    """``config.Map.Get(key, path=true)``: the value at the declaration's key, or at its path
    inside its root key's map; :data:`_ABSENT` when there is none (an encrypted value, a list or
    text on the way holds no path)."""
    value = config.get(declaration.root, _ABSENT)
    for segment in declaration.path[1:]:
        if not isinstance(value, dict) or is_secure(value) or segment not in value:
            return _ABSENT
        value = value[segment]
    return value


def _path_value(raw: Any) -> Any:
    """A project default or value as Pulumi sets it at a path: ``createConfigValue``, then
    ``Value.coerceObject`` (text that is ``true``/``false`` or base-10 digits not starting with
    0 becomes a boolean or a number; a float, list or map is its JSON, numbers read back)."""
    if isinstance(raw, (bool, int)):
        return raw
    if isinstance(raw, str):
        if raw in ("true", "false"):
            return raw == "true"
        if (
            not (len(raw) > 1 and raw[0] == "0")
            and _GO_INT.fullmatch(raw)
            and -_INT64 <= int(raw) < 2 * _INT64
        ):
            return int(raw)
        return raw
    return _go_json_value(raw)


def _set_path(merged: dict[str, Any], declaration: Declaration, new: Any) -> str | None:
    """``config.Map.Set(key, value, path=true)`` into ``merged``; what Pulumi refuses, if anything.
    A root that is no map or list (text, an encrypted value) is replaced by a map, as Pulumi's
    ``object.Set`` does; a list or a value that is no map deeper in is refused, as it refuses them."""
    root = merged.get(declaration.root)
    if isinstance(root, list):
        return f'names a path inside {declaration.root}, which is a list: Pulumi refuses it ("key for an array must be an int")'
    node = json.loads(json.dumps(root)) if isinstance(root, dict) and not is_secure(root) else {}
    top = node
    for depth, segment in enumerate(declaration.path[1:-1], start=1):
        child = node.get(segment)
        if child is None:
            child = node[segment] = {}
        elif isinstance(child, list):
            where = ".".join(declaration.path[: depth + 1])
            return f'names a path through {where}, which is a list: Pulumi refuses it ("key for an array must be an int")'
        elif not isinstance(child, dict) or is_secure(child):
            where = ".".join(declaration.path[: depth + 1])
            return f'names a path through {where}, which is not a map: Pulumi refuses it ("expected a map")'
        node = child
    last = declaration.path[-1]
    if not node and last == "secure" and isinstance(new, str):
        return "would set a map's only key `secure` to text, which reads as an encrypted value: Pulumi refuses it"
    node[last] = new
    merged[declaration.root] = top
    return None


def _path_text(value: Any) -> Any:
    """A value got at a path as ``validateStackConfigValue`` checks it: text as it is, a boolean or
    number as its JSON text (``Get`` marshals it so: ``5`` is the text ``"5"``), null as null."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, float):
        return go_float_text(value)
    return json.dumps(value)


def merge_project_config(
    config: Mapping[str, Any],
    project: ProjectConfig | None,
    stack: str,
    source: str,
    environments: tuple[str, ...] = (),
) -> dict[str, Any]:
    """``config`` (the stack file's, keys as the engine names them) with the project's config merged
    in as ``pulumi up`` merges it; raises :class:`ConfigError` where Pulumi refuses to run the
    stack (:func:`merged_project_config`'s problems, as one error)."""
    merged, errors = merged_project_config(config, project, stack, source, environments)
    if errors:
        raise ConfigError.joined(source, errors)
    return merged


def merged_project_config(
    config: Mapping[str, Any],
    project: ProjectConfig | None,
    stack: str,
    source: str,
    environments: tuple[str, ...] = (),
) -> tuple[dict[str, Any], list[ConfigError]]:
    """``config`` (the stack file's, keys as the engine names them) with the project's config merged
    in as ``pulumi up`` merges it, and what makes Pulumi refuse to run the stack: a declaration's
    path Pulumi cannot set, or a key of the project's namespace neither set nor defaulted (naming
    ``Pulumi.yaml``), or a stack value its declaration refuses (naming the stack file ``source``).
    A path Pulumi cannot set inside the platform value is raised at once (what Pulumi would read
    there is not known); any other, the merge goes on without it. A stack importing ESC
    ``environments`` may get a key from them, which this cannot see: a key it does not set is then
    not refused (the plan says it ran without the environments' values)."""
    merged = dict(config)
    errors: list[ConfigError] = []
    if project is None:
        return merged, errors
    missing: list[tuple[str, str]] = []
    # A project float lands as a JSON (object) value, which Pulumi type-checks as the number it
    # decodes to (a `type: string` key's `value: 0.5` is refused), not as its text.
    floats: dict[str, float] = {}
    for declaration in project.declarations:
        if _get(merged, declaration) is not _ABSENT:
            continue
        raw = declaration.default if declaration.default is not None else declaration.value
        if raw is not None and declaration.path:
            problem = _set_path(merged, declaration, _path_value(raw))
            if problem:
                error = ConfigError(project.path, [(f"config.{declaration.written}", problem)])
                if declaration.root == PLATFORM_KEY:
                    raise ConfigError.joined(project.path, [*errors, error])
                errors.append(error)
        elif raw is not None:
            merged[declaration.key] = config_value(raw)
            if isinstance(raw, float):
                floats[declaration.key] = raw
        elif declaration.in_project_namespace:
            missing.append(
                (
                    f"config.{declaration.written}",
                    f"is declared with no default or value and stack {stack!r} does not set it "
                    f"({declaration.key}): Pulumi refuses to run it (\"Stack '{stack}' is missing "
                    f"configuration value '{declaration.written}'\"); set it in {source} or give it "
                    f"a `default` here",
                )
            )
    if missing and not environments:
        errors.append(ConfigError(project.path, missing))
    problems: list[tuple[str, str]] = []
    for declaration in project.declarations:
        value = _get(merged, declaration)
        if value is _ABSENT:  # set by none (an ESC environment may set it)
            continue
        if declaration.type is None:
            continue  # validateStackConfigValues checks only explicitly typed keys (`secret:` too)
        if declaration.secret and not holds_secure(value):
            problems.append(
                (
                    declaration.key,
                    f"is declared `secret: true` in {project.path} ({declaration.written}), so Pulumi "
                    f"refuses it unencrypted (\"Stack '{stack}' with configuration key "
                    f"'{declaration.written}' must be encrypted as it's secret\"): set it with "
                    f"`pulumi config set --secret`",
                )
            )
            continue
        if is_secure(value):
            continue  # a secret's text is not known offline: `pulumi up` checks its type
        content = (
            floats[declaration.key]
            if declaration.key in floats
            else _decrypted(value)
            if isinstance(value, (dict, list))
            else _path_text(value)
            if declaration.path
            else engine_config_values({declaration.key: value})[declaration.key]
        )
        if not valid_config_value(declaration.type, declaration.items, content):
            type_name = _full_type_name(declaration.type, declaration.items)
            problems.append(
                (
                    declaration.key,
                    f"is declared of type {type_name!r} in {project.path} ({declaration.written}), and "
                    f"Pulumi refuses this value (\"Stack '{stack}' with configuration key "
                    f"'{declaration.written}' must be of type '{type_name}'\")",
                )
            )
    if problems:
        errors.append(ConfigError(source, problems))
    return merged, errors


TAGS_KEY = "pulumi:tags"


def pulumi_tags_problems(config: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What Pulumi Cloud (the default backend) refuses in ``pulumi:tags`` at `pulumi up`
    (``backend.GetEnvironmentTagsForCurrentStack``: the stack's tags): anything but a map of text
    (``cost-center: 1001`` is a number, refused; a text, JSON or not, is no map). Empty when the
    key is absent or has an encrypted part (left to `pulumi up`)."""
    if TAGS_KEY not in config or holds_secure(config[TAGS_KEY]):
        return []
    tags = config[TAGS_KEY]
    if not isinstance(tags, dict):
        return [(TAGS_KEY, "must be an object of strings (Pulumi Cloud refuses it at `pulumi up`: "
                           "\"pulumi:tags must be an object of strings\")")]  # fmt: skip
    return [
        (f"{TAGS_KEY}.{name}", f"must be a string: Pulumi Cloud refuses it at `pulumi up` "
                               f"(\"pulumi:tags[{name}] must be a string\"); quote it")
        for name, value in tags.items()
        if not isinstance(value, str)
    ]  # fmt: skip


def esc_environments(document: Mapping[str, Any]) -> tuple[str, ...]:
    """The Pulumi ESC environments a stack file's ``environment:`` imports, as Pulumi reads it
    (``ProjectStack.Environment``): a list of names, or an inline environment definition whose
    ``imports:`` are names or ``{name: {merge: false}}`` maps and whose ``values:`` make an
    anonymous environment (named ``yaml``, as Pulumi names it). Empty when there is none, and for
    an inline definition importing nothing and with no values (``{}``, ``{imports: []}``)."""
    raw = document.get("environment")
    if raw is None or raw == []:
        return ()
    if isinstance(raw, list) and all(isinstance(name, str) for name in raw):
        return tuple(raw)
    if not isinstance(raw, dict):
        return ("an environment definition this plan cannot read",)
    imports, values = raw.get("imports"), raw.get("values")
    if set(raw) <= {"imports", "values"} and imports in (None, []) and values in (None, {}):
        return ()  # `{}`, `{imports: []}`: Environment.Imports() is empty, nothing is merged
    names: list[str] = []
    for entry in imports if isinstance(imports, list) else ():
        if isinstance(entry, str):
            names.append(entry)
        elif isinstance(entry, dict) and len(entry) == 1:
            names.append(str(next(iter(entry))))
    if values:
        names.append("yaml")
    return tuple(names) or ("an environment definition this plan cannot read",)


__all__ = [
    "PROJECT_FILE",
    "Declaration",
    "ItemsType",
    "ProjectConfig",
    "config_value",
    "esc_environments",
    "merge_project_config",
    "merged_project_config",
    "project_config",
    "pulumi_tags_problems",
    "valid_config_value",
]
