"""YAML or JSON text a Kubernetes policy reads (patches, chart values), and JSON Patch operations.

Read without YAML aliases: the text is searched at every depth, and aliases nested in aliases make a
small text an exponentially large tree ("billion laughs"). JSON is YAML.

Imports nothing from ``components/`` or ``stacks/``: the pack governs any Pulumi program.
"""

from __future__ import annotations

import json
import re
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


#: The most nodes Helm values text may expand to through its aliases: Helm's YAML reader (go-yaml)
#: refuses text whose aliases expand excessively ("billion laughs"), so text past this is not searched.
MAX_EXPANDED_NODES = 100_000


class ExcessiveAliasingError(yaml.YAMLError):
    """Text whose aliases expand past :data:`MAX_EXPANDED_NODES` nodes (or into themselves): not read."""

    problem = "excessive aliasing"


class TooDeepError(yaml.YAMLError):
    """Text nested deeper than the YAML reader recurses (``[[[[...]]]]``): not read."""

    problem = "nested too deeply"


#: The largest JSON Patch list index read as written: one further past the items a partial object has is
#: read as the next item (a pod has no such number of containers, and padding to it would blow up).
MAX_INDEX = 1000
#: The deepest JSON Patch path read: no object nests a pod field deeper (a pod's securityContext in a
#: CronJob is 7 keys down); an operation at a deeper path sets nothing a rule reads, and is left out.
MAX_PATH_DEPTH = 64
#: A Kyverno variable, ``{{ ... }}`` (possibly nesting others: ``{{ f('{{element.name}}') }}``).
_VARIABLE_OPEN, _VARIABLE_CLOSE = "{{", "}}"


def _key_text(key: Any) -> str:
    """A map key as Helm and Kustomize read it (YAML through JSON): a string (``1:`` is ``"1"``, YAML 1.1's
    ``on:`` is ``"true"``, ``~:`` is ``"null"``)."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool) or key is None:
        return {True: "true", False: "false", None: "null"}[key]
    return key.isoformat() if hasattr(key, "isoformat") else str(key)


def string_keys(data: Any) -> Any:
    """``data`` with every map key a string (:func:`_key_text`), as Helm reads values and Kustomize a patch:
    the rules read keys as strings, and a key that is none (``1:``, ``on:``) would otherwise be looked up
    by a string it does not equal. A copy, made without recursion: aliases nest a small text deeper than
    the YAML reader recurses."""
    if not isinstance(data, dict | list):
        return data
    root: list[Any] = [None]
    pending: list[tuple[Any, Any, Any]] = [(root, 0, data)]  # (new holder, its key or index, old value)
    while pending:
        holder, at, value = pending.pop()
        if isinstance(value, dict):
            copy: Any = {}
            for key, child in value.items():
                copy[_key_text(key)] = child
                pending.append((copy, _key_text(key), child))
        elif isinstance(value, list):
            copy = list(value)
            pending.extend((copy, i, child) for i, child in enumerate(value))
        else:
            copy = value
        holder[at] = copy
    return root[0]


def load_text(text: str) -> Any:
    """YAML (or JSON) text as data, without aliases (:class:`_NoAliasLoader`); raises ``yaml.YAMLError``
    (:class:`TooDeepError` for text nested deeper than the reader recurses)."""
    try:
        return yaml.load(text, Loader=_NoAliasLoader)
    except RecursionError:
        raise TooDeepError() from None


def load_values_text(text: str) -> Any:
    """Helm values written as YAML text, with their anchors and aliases expanded as Helm expands them
    (an anchor is plain YAML in a chart's values), as long as the whole expands to at most
    :data:`MAX_EXPANDED_NODES` nodes; raises ``yaml.YAMLError`` (:class:`ExcessiveAliasingError` past
    that, or for an alias of a node inside itself, which Helm refuses too)."""
    try:
        data = yaml.safe_load(text)
    except RecursionError:
        raise TooDeepError() from None
    budget = MAX_EXPANDED_NODES
    pending: list[Any] = [data]
    while pending:  # counts the tree an alias-sharing graph stands for (endless for a cycle), unbuilt
        value = pending.pop()
        budget -= 1
        if budget < 0:
            raise ExcessiveAliasingError(
                f"excessive aliasing: more than {MAX_EXPANDED_NODES} nodes once expanded"
            )
        if isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return string_keys(data)  # the tree counted above, its aliases copied out


def problem_of(error: yaml.YAMLError) -> str:
    """What the YAML reader says is wrong with a text: its ``problem`` (a parser's), ``reason`` (the
    reader's, of characters it refuses: "special characters are not allowed"), else the error's kind."""
    return getattr(error, "problem", None) or getattr(error, "reason", None) or type(error).__name__


#: A Kyverno variable that is a JMESPath literal, a raw string (``{{ 'nginx:latest' }}``) or a JSON one
#: (``{{ `"latest"` }}``, ``{{ `true` }}``): it stands for a value the policy writes, not one taken from
#: the object or a lookup.
_LITERAL_VARIABLE = re.compile(r"\{\{\s*(?:'((?:[^'\\]|\\.)*)'|`((?:[^`\\]|\\.)*)`)\s*\}\}")


def _literal_text(match: re.Match[str]) -> str:
    raw, literal = match[1], match[2]
    if raw is not None:
        return raw.replace("\\'", "'")
    try:
        value = json.loads(literal.replace("\\`", "`"))
    except ValueError:
        return match[0]  # no JSON: left as the variable it is
    return value if isinstance(value, str) else json.dumps(value)


def literal_variables(text: str) -> str:
    """``text`` with each Kyverno variable that is a JMESPath literal (:data:`_LITERAL_VARIABLE`) replaced by
    the text Kyverno substitutes for it: a value the policy writes is judged as written."""
    return _LITERAL_VARIABLE.sub(_literal_text, text) if "{{" in text else text


def variables_out(text: str) -> tuple[str, dict[str, str]]:
    """``text`` with each outermost Kyverno variable (``{{ ... }}``, which Kyverno substitutes before it
    parses a patch) replaced by a plain placeholder, and the placeholders' original texts. Unbalanced
    braces are left as they are."""
    out: list[str] = []
    found: dict[str, str] = {}
    i = 0
    while (start := text.find(_VARIABLE_OPEN, i)) >= 0:
        depth, j = 0, start
        while j < len(text):
            if text.startswith(_VARIABLE_OPEN, j):
                depth, j = depth + 1, j + 2
            elif text.startswith(_VARIABLE_CLOSE, j):
                depth, j = depth - 1, j + 2
                if depth == 0:
                    break
            else:
                j += 1
        if depth != 0:
            break
        placeholder = f"kyverno-variable-{len(found)}-x"
        found[placeholder] = text[start:j]
        out += [text[i:start], placeholder]
        i = j
    out.append(text[i:])
    return "".join(out), found


def _variables_in(value: Any, found: dict[str, str]) -> Any:
    """``value`` with the placeholders of :func:`variables_out` back to the variables they stand for."""
    if isinstance(value, str):
        for placeholder, original in found.items():
            value = value.replace(placeholder, original)
        return value
    if isinstance(value, list):
        return [_variables_in(v, found) for v in value]
    if isinstance(value, dict):
        return {_variables_in(k, found): _variables_in(v, found) for k, v in value.items()}
    return value


def is_variable(token: str) -> bool:
    """Whether ``token`` is one Kyverno variable as a whole (a JSON Patch path's ``{{elementIndex}}``)."""
    return token.startswith(_VARIABLE_OPEN) and token.endswith(_VARIABLE_CLOSE)


def json_patch_body(text: str, variables: bool = False) -> tuple[dict[str, Any] | None, str | None]:
    """``(body, None)``: the values RFC 6902 operations in ``text`` set, as the partial object they make;
    ``(None, why)`` where the text is no list of operations, or copies or moves a value into the object.
    ``variables``: the text is Kyverno's, whose ``{{ ... }}`` variables are substituted before it is parsed
    (:func:`variables_out`): each is read as the text it is (a value a variable fills in is that string; a
    path token that is one, ``{{elementIndex}}``, an item of a list)."""
    found: dict[str, str] = {}
    if variables:
        text, found = variables_out(literal_variables(text))
    try:
        operations = _variables_in(load_text(text), found) if found else load_text(text)
    except yaml.YAMLError as error:
        return None, f"YAML: {problem_of(error)}"
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
        tokens = path[1:].split("/")
        if kind in ("add", "replace") and len(tokens) <= MAX_PATH_DEPTH:
            value = string_keys(op.get("value"))  # as Kustomize and Kyverno read it: keys are strings
            _set(body, [t.replace("~1", "/").replace("~0", "~") for t in tokens], value)
    return body, None


def _set(body: dict[str, Any], tokens: list[str], value: Any) -> None:
    """Set ``value`` at ``tokens`` in ``body``, making the maps and lists on the way (a token that is a number,
    ``-`` or a Kyverno variable indexes a list); iterative, whatever the path's depth."""
    holder: Any = body
    for position, token in enumerate(tokens):
        last = position == len(tokens) - 1
        if isinstance(holder, list):
            if token.isdigit() and int(token) <= MAX_INDEX:
                index = int(token)
            elif token == "-" or token.isdigit() or is_variable(token):
                index = len(holder)
            else:
                return
            while len(holder) <= index:
                holder.append({})
            if last:
                holder[index] = value
                return
            if not isinstance(holder[index], dict | list):
                holder[index] = {}
            holder = holder[index]
            continue
        if last:
            holder[token] = value
            return
        if not isinstance(holder.get(token), dict | list):
            following = tokens[position + 1]
            holder[token] = [] if following.isdigit() or following == "-" or is_variable(following) else {}
        holder = holder[token]
