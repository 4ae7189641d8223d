"""The pod settings OPA Gatekeeper's mutators write into every pod they match.

Gatekeeper's ``mutations.gatekeeper.sh`` kinds change objects at admission, as Kyverno's ``mutate`` rules
do (:mod:`._k8s_kyverno`), but name the field as a ``spec.location`` path instead of writing a patch:

- ``Assign`` sets ``spec.parameters.assign.value`` at the location (a value taken from the object's
  metadata or an external provider is no literal: not read);
- ``ModifySet`` merges ``spec.parameters.values.fromList`` into the list at the location (``prune``
  removes, and sets nothing);
- ``AssignImage`` rewrites the image at the location: an ``assignTag`` that is no ``@sha256:`` digest
  makes every matched image a tagged one.

The location (``spec.containers[name: *].securityContext.privileged``: dot-separated keys, ``"quoted"``
ones, a ``[key: value]`` list selector) and its value make the partial object the mutator writes,
judged like a Patch, by shape, in every namespace it matches (``spec.match.namespaces``, any where it
names none). Sources: open-policy-agent.github.io/gatekeeper/website/docs/mutation ("Assign",
"ModifySet", "AssignImage", "Location").

Imports nothing from ``components/`` or ``stacks/``: the pack governs any Pulumi program.
"""

from __future__ import annotations

from typing import Any

from ._common import get, is_map, items

#: Gatekeeper's mutators that write a value into the objects they match.
MUTATOR_KINDS = frozenset({"Assign", "ModifySet", "AssignImage"})
#: The group of Gatekeeper's mutators.
MUTATION_GROUP = "mutations.gatekeeper.sh"
#: What a matched namespace reads as where the mutator names none: never exempt.
ANY_NAMESPACE = "<any namespace>"


def is_gatekeeper_mutator(resource_type: str) -> bool:
    """Whether ``resource_type`` is a Gatekeeper ``Assign``, ``ModifySet`` or ``AssignImage``."""
    prefix, _, rest = resource_type.partition(":")
    module, _, kind = rest.partition(":")
    return prefix == "kubernetes" and module.startswith(MUTATION_GROUP + "/") and kind in MUTATOR_KINDS


def parse_location(text: str) -> list[tuple[str, tuple[str, str] | None]] | None:
    """A location's segments: ``(key, (selector key, selector value) or None)``; None where malformed."""
    segments: list[tuple[str, tuple[str, str] | None]] = []
    i = 0
    while i < len(text):
        if text[i] == '"':
            end = text.find('"', i + 1)
            if end < 0:
                return None
            key, i = text[i + 1 : end], end + 1
        else:
            end = i
            while end < len(text) and text[end] not in ".[":
                end += 1
            key, i = text[i:end].strip(), end
        selector = None
        if i < len(text) and text[i] == "[":
            end = text.find("]", i)
            if end < 0 or ":" not in text[i + 1 : end]:
                return None
            field, _, value = text[i + 1 : end].partition(":")
            selector, i = (field.strip(), value.strip().strip('"')), end + 1
        if not key:
            return None
        segments.append((key, selector))
        if i < len(text):
            if text[i] != ".":
                return None
            i += 1
    return segments or None


def written_object(location: Any, value: Any) -> dict[str, Any] | None:
    """The partial object a mutator writing ``value`` at ``location`` makes; None where it makes none."""
    segments = parse_location(location) if isinstance(location, str) else None
    if segments is None:
        return None
    root: dict[str, Any] = {}
    node = root
    for index, (key, selector) in enumerate(segments):
        last = index == len(segments) - 1
        if selector is not None:
            item: dict[str, Any] = {selector[0]: selector[1]}
            if last and is_map(value):
                item.update({str(k): value[k] for k in value})
            node[key] = [item]
            node = item
        elif last:
            node[key] = value
        else:
            node[key] = {}
            node = node[key]
    return root


def mutator_value(kind: str, parameters: Any) -> tuple[bool, Any]:
    """``(writes, value)``: whether the mutator writes a literal value, and which."""
    if kind == "Assign":
        assign = get(parameters, "assign")
        return (is_map(assign) and "value" in [str(k) for k in assign]), get(assign, "value")
    if kind == "ModifySet":
        if get(parameters, "operation") == "prune":
            return False, None
        return True, list(items(get(parameters, "values.fromList")))
    tag = get(parameters, "assignTag")  # AssignImage
    if isinstance(tag, str) and tag and not tag.startswith("@sha256:"):
        return True, f"<image>{tag}"
    return False, None


def matched_namespaces(props: Any) -> list[str]:
    """The namespaces a mutator matches: those ``spec.match.namespaces`` names, else any."""
    names = [n for n in items(get(props, "spec.match.namespaces")) if isinstance(n, str) and n]
    return names or [ANY_NAMESPACE]
