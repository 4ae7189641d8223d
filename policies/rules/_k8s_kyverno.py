"""The pods a Kyverno policy makes or changes: its ``generate`` and ``mutate`` rules.

A Kyverno ``ClusterPolicy`` or ``Policy`` (``kyverno.io``) quotes pods in its ``validate`` patterns, which
are not pods (:data:`~._k8s_pod_search.QUOTING_GROUPS`), but two of its rule types put pods in the cluster:

- ``generate`` (and each of its ``foreach``) creates the object its ``data`` holds, of its ``apiVersion``
  and ``kind``, in its ``namespace`` (one with a ``{{...}}`` variable, chosen per triggering request,
  is any namespace; a namespaced ``Policy`` generates in its own): judged as that object;
- ``mutate`` patches the pods (or pod controllers) it matches, or its ``targets``:
  ``patchStrategicMerge`` (a partial object; Kyverno's anchors read as Kyverno does: ``+(key)`` adds
  ``key``, a conditional, equality, negation or global anchor ``(key)``, ``=(key)``, ``X(key)``,
  ``<(key)``, ``^(key)`` is a condition and sets nothing) and ``patchesJson6902`` (RFC 6902 operations as
  YAML or JSON text: each ``add``/``replace`` value set at its path), each also under ``foreach``. A patch
  is judged like a Patch, by shape, on what it sets, in every namespace its rule matches (any, unless
  every ``match`` entry names its namespaces); text that is no list of operations, or a ``copy``/``move``
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
    """A strategic merge patch as Kyverno applies it: ``+(key)`` sets ``key``; a condition sets nothing."""
    if is_map(value):
        result: dict[str, Any] = {}
        for key in [str(k) for k in value]:
            added = _ADD_ANCHOR.match(key)
            if added is None and _CONDITION_ANCHOR.match(key):
                continue
            result[added[1] if added else key] = without_anchors(value[key])
        return result
    if is_seq(value):
        return [without_anchors(value[i]) for i in range(len(value))]
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
