"""The pods a Kyverno policy makes or changes: its ``generate`` and ``mutate`` rules.

A Kyverno ``ClusterPolicy`` or ``Policy`` (``kyverno.io``) quotes pods in its ``validate`` patterns, which
are not pods (:data:`~._k8s_pod_search.QUOTING_GROUPS`), but two of its rule types put pods in the cluster:

- ``generate`` (and each of its ``foreach``) creates the object its ``data`` holds, of its ``apiVersion``
  and ``kind``, in its ``namespace`` (one with a ``{{...}}`` variable, chosen per triggering request,
  is any namespace; a namespaced ``Policy`` generates in its own): judged as that object;
- ``mutate`` patches the pods (or pod controllers) it matches, or its ``targets``:
  ``patchStrategicMerge`` (a partial object; Kyverno's anchors read as Kyverno does: ``+(key)`` adds
  ``key``, a conditional, equality, negation or global anchor ``(key)``, ``=(key)``, ``X(key)``,
  ``<(key)``, ``^(key)`` is a condition and sets nothing, nor does a map holding conditions only) and
  ``patchesJson6902`` (RFC 6902 operations as YAML or JSON text: each ``add``/``replace`` value set at its
  path; Kyverno's ``{{ ... }}`` variables, substituted before the text is parsed, read as the text they
  are, a JMESPath literal (``{{ 'hostNetwork' }}``) as the text it stands for, a path token that is one,
  ``{{elementIndex}}``, as a list item), each also under ``foreach``. An
  ``image`` whose tag or digest a variable fills in (a registry rewrite, a digest resolved at admission)
  is the pod's own and not judged; a value a variable fills in elsewhere is judged as the text it is. A patch
  is judged like a Patch, by shape, on what it sets, in every namespace its rule matches (any, unless
  every ``match`` entry names its namespaces) and every one of its ``targets`` (its ``namespace``, any
  where it names none); text that is no list of operations, or a ``copy``/``move``
  into the pod, is said to leave the pods unjudged.

Kyverno's CEL policies (``policies.kyverno.io``: ``MutatingPolicy``, ``GeneratingPolicy``) write their
patches as CEL expressions, which the pack does not evaluate: not judged.

Sources: kyverno.io/docs/policy-types/cluster-policy/generate (``data``, ``namespace``, ``foreach``),
kyverno.io/docs/policy-types/cluster-policy/mutate (``patchStrategicMerge``, ``patchesJson6902``,
``foreach``, ``targets``; "Anchors": add ``+()``, conditional ``()``, equality ``=()``, negation ``X()``,
global ``<()``, existence ``^()``).

Imports nothing from ``components/`` or ``stacks/``: the pack governs any Pulumi program.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ._common import get, is_map, is_seq, items
from ._k8s_text import literal_variables

#: Kyverno's policy kinds with generate and mutate rules (kyverno.io/v1, v2beta1).
POLICY_KINDS = frozenset({"ClusterPolicy", "Policy"})
_ADD_ANCHOR = re.compile(r"^\+\((.+)\)$", re.DOTALL)
_CONDITION_ANCHOR = re.compile(r"^(?:\(|=\(|X\(|<\(|\^\().+\)$", re.DOTALL)
#: What a namespace chosen per request (a ``{{...}}`` variable) or any namespace reads as: never exempt.
ANY_NAMESPACE = "<any namespace>"


def is_kyverno_policy(resource_type: str) -> bool:
    """Whether ``resource_type`` is a Kyverno ``ClusterPolicy`` or ``Policy``."""
    prefix, _, rest = resource_type.partition(":")
    module, _, kind = rest.partition(":")
    return prefix == "kubernetes" and module.startswith("kyverno.io/") and kind in POLICY_KINDS


def without_anchors(value: Any) -> Any:
    """A strategic merge patch as Kyverno applies it: ``+(key)`` sets ``key``; a condition sets nothing,
    nor does a map or list item holding conditions only (``volumes: [{hostPath: {<(path): "*"}}]``, which
    selects pods with a hostPath volume and adds no volume: kyverno/policies add-safe-to-evict)."""
    if is_map(value):
        result: dict[str, Any] = {}
        for key in [str(k) for k in value]:
            added = _ADD_ANCHOR.match(key)
            if added is None and _CONDITION_ANCHOR.match(key):
                continue
            child = value[key]
            kept = without_anchors(child)
            if _only_conditions(child, kept):
                continue
            result[added[1] if added else key] = kept
        return result
    if is_seq(value):
        kept_items = [(value[i], without_anchors(value[i])) for i in range(len(value))]
        return [kept for item, kept in kept_items if not _only_conditions(item, kept)]
    return value


def _only_conditions(written: Any, kept: Any) -> bool:
    """Whether a map as written held something and, its conditions left out, holds nothing (at any depth)."""
    return is_map(written) and len(written) > 0 and kept == {}


def _variable_tag(image: str) -> bool:
    """Whether an image's tag or digest is a Kyverno variable's: no literal ``:tag``/``@digest`` after the
    last ``}}`` (``{{ resolvedRef }}``, ``harbor.example.com/{{repo}}:{{identifier}}``)."""
    image = literal_variables(image)  # a literal's text is the policy's own: judged
    if "{{" not in image:
        return False
    tail = image.rsplit("}}", 1)[1] if "}}" in image else image
    return ":" not in tail and "@" not in tail


def without_variable_images(value: Any) -> Any:
    """A patch without the ``image`` strings whose tag or digest a Kyverno variable fills in
    (:func:`_variable_tag`): the object's own (a registry rewrite keeps its tag or digest) or one
    resolved at admission (kyverno/policies resolve-image-to-digest); the image a pod is written with is
    judged where it is written. A tag the patch writes literally (``vault:1.5.4``, ``{{repo}}:latest``) is
    kept and judged."""
    if is_map(value):
        return {
            str(k): without_variable_images(value[k])
            for k in value
            if not (str(k) == "image" and isinstance(value[k], str) and _variable_tag(value[k]))
        }
    if is_seq(value):
        return [without_variable_images(value[i]) for i in range(len(value))]
    return value


def literal_namespace(value: Any) -> str | None:
    """A namespace as written, :data:`ANY_NAMESPACE` where a ``{{...}}`` variable chooses it per request."""
    if isinstance(value, str) and value:
        return ANY_NAMESPACE if "{{" in value else value
    return None


def matched_namespaces(rule: Any, own: str | None) -> list[str]:
    """The namespaces a rule's patches reach: a namespaced Policy's own; else each ``match`` entry's
    ``resources.namespaces`` where every entry names some, :data:`ANY_NAMESPACE` where one does not."""
    if own is not None:
        return [own]
    match = get(rule, "match")
    entries = [get(match, "resources")] if is_map(get(match, "resources")) else []
    entries += [get(e, "resources") for key in ("any", "all") for e in items(get(match, key)) if is_map(e)]
    found: list[str] = []
    for resources in entries or [None]:
        names = [literal_namespace(n) for n in items(get(resources, "namespaces"))]
        if not names or get(resources, "namespaceSelector") is not None:
            return [ANY_NAMESPACE]
        found += [n or ANY_NAMESPACE for n in names]
    return found


def rule_parts(props: Any) -> Iterator[tuple[int, Any]]:
    """``(index, rule)`` of every rule of a Kyverno policy's ``spec.rules``."""
    for i, rule in enumerate(items(get(props, "spec.rules"))):
        if is_map(rule):
            yield i, rule
