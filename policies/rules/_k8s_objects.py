"""The Kubernetes objects a resource puts in a cluster, each with its own type and namespace.

Most resources are one object: the resource itself. A ``*List`` (``kubernetes:core/v1:PodList``,
``apps/v1:DeploymentList``, an operator's ``RayClusterList``, any ``kubernetes:<group>/<version>:<Kind>List``
holding ``items``) is its items: each is an object of its own ``apiVersion`` and ``kind`` where it
states them (pulumi-kubernetes' ``yaml`` reader registers each item as its own kind:
``_parse_yaml_object``, ``if kind.endswith("List")``), else of the list's kind without ``List``; and
in its own ``metadata.namespace``, else the provider's: a list's metadata is a ``ListMeta``, which has
no namespace, so a ``namespace`` written there places (and exempts) nothing. A list inside a list is
read the same way; what a list holds beside ``items`` is read as the object itself (a custom kind
may be named ``...List``).

Imports nothing from ``components/`` or ``stacks/``: the pack governs any Pulumi program.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from ._common import get, is_map, items
from ._k8s_kyverno import (
    ANY_NAMESPACE,
    is_kyverno_policy,
    literal_namespace,
    matched_namespaces,
    rule_parts,
    without_anchors,
    without_variable_images,
)
from ._k8s_mutators import is_gatekeeper_mutator, mutator_value, written_object
from ._k8s_mutators import matched_namespaces as mutator_namespaces
from ._k8s_text import json_patch_body

#: What :func:`namespace_of` reads for a namespace unknown at preview: no namespace name (a DNS label)
#: can be spelled so, so no ``exemptNamespaces`` entry exempts it.
UNKNOWN_NAMESPACE = "<unknown at preview>"


@dataclass(frozen=True)
class K8sObject:
    """One object a resource holds: its type token, the object, its namespace and its place."""

    type: str
    """The type token it is judged as (``kubernetes:apps/v1:Deployment``)."""
    props: Any
    namespace: Any
    """Its own ``metadata.namespace``: None when unset (the provider's), :data:`UNKNOWN_NAMESPACE`."""
    prefix: str = ""
    """Its place in the resource (``items[2].``), for messages; "" for the resource itself."""
    rest: bool = False
    """A list read beside its items (``items`` left out): a kind named ``...List`` may be a kind of its own."""
    patch: bool = False
    """A patch another object makes (a Kyverno mutate rule's): searched by shape, judged on what it sets."""
    unreadable: str | None = None
    """Why a patch written as text could not be read: the pods it patches cannot be judged."""
    search: bool = False
    """Searched by shape whatever its type: a ``helm.sh/v3`` Release's chart values."""


def namespace_of(obj: Any) -> Any:
    """An object's ``metadata.namespace`` (None when unset); :data:`UNKNOWN_NAMESPACE` when it is
    unknown at preview (an Output of a new Namespace), which is never an exempt one, not even when
    ``default`` is exempt."""
    try:
        return get(obj, "metadata.namespace")
    except UnknownValueError:
        return UNKNOWN_NAMESPACE


def _split(resource_type: str) -> tuple[str, str] | None:
    """``(group/version, kind)`` of a Kubernetes type token, None for any other."""
    prefix, _, rest = resource_type.partition(":")
    module, _, kind = rest.partition(":")
    if prefix != "kubernetes" or "/" not in module or not kind:
        return None
    return module, kind


def is_list_type(resource_type: str) -> bool:
    """Whether ``resource_type`` is a Kubernetes ``<Kind>List`` token (its objects are its ``items``), the
    kind-less ``v1`` ``List`` (``kubectl``'s, through ``apiextensions.CustomResource``) among them."""
    parts = _split(resource_type)
    return parts is not None and parts[1].endswith("List")


def _module(api_version: str) -> str:
    """pulumi-kubernetes' spelling of an ``apiVersion``: the core group is ``core`` (``v1`` -> ``core/v1``)."""
    return api_version if "/" in api_version else f"core/{api_version}"


def item_type(list_type: str, item: Any) -> str:
    """The type token of a list item: its own ``apiVersion`` and ``kind`` where it states them, the
    list's group and kind (without ``List``) where it does not. Raises where either is unknown."""
    module, kind = _split(list_type) or ("", "")
    own_kind, own_version = get(item, "kind"), get(item, "apiVersion")
    if isinstance(own_version, str) and own_version:
        module = _module(own_version)
    fallback = kind.removesuffix("List") or "Object"  # an item of a kind-less List names its own, or none
    return f"kubernetes:{module}:{own_kind if isinstance(own_kind, str) and own_kind else fallback}"


#: pulumi-kubernetes' Helm releases: installed by the provider (Helm's own), their objects never
#: registered as resources; their ``values`` are searched by shape.
HELM_RELEASES = frozenset({"kubernetes:helm.sh/v3:Release"})


def expands(resource_type: str) -> bool:
    """Whether a resource of this type holds objects of other kinds (a List, a Kyverno policy, a
    Gatekeeper mutator, a Helm release's values)."""
    return (
        is_list_type(resource_type)
        or is_kyverno_policy(resource_type)
        or is_gatekeeper_mutator(resource_type)
        or resource_type in HELM_RELEASES
    )


def objects_of(resource_type: str, props: Any, prefix: str = "") -> Iterator[K8sObject]:
    """Every object the resource puts in the cluster (:mod:`this module's <._k8s_objects>` reading), and
    the patches a Kyverno policy applies (:mod:`._k8s_kyverno`). Raises where the items of a list, or an
    item's kind, are unknown at preview."""
    if is_kyverno_policy(resource_type):
        yield from _kyverno_objects(resource_type, props)
        return
    if is_gatekeeper_mutator(resource_type):
        yield from _mutator_objects(resource_type, props)
        return
    if resource_type in HELM_RELEASES:
        # The chart's values, searched by shape as a Flux HelmRelease's spec.values are; its objects go
        # to the Release's namespace (else the provider's). valueYamlFiles (assets) are not read.
        try:
            namespace = get(props, "namespace")
        except UnknownValueError:
            namespace = UNKNOWN_NAMESPACE
        yield K8sObject(resource_type, {"values": get(props, "values")}, namespace, prefix, search=True)
        return
    if not is_list_type(resource_type):
        yield K8sObject(resource_type, props, namespace_of(props), prefix)
        return
    for i, item in enumerate(items(get(props, "items"))):
        if is_map(item):
            yield from objects_of(item_type(resource_type, item), item, f"{prefix}items[{i}].")
    # What the list holds beside its items: nothing in a real list, but an operator's kind may be named
    # ``...List`` (a ``PlayList`` with a pod template): searched by shape as the object it then is.
    yield K8sObject(resource_type, props, namespace_of(props), prefix, rest=True)


def _kyverno_objects(resource_type: str, props: Any) -> Iterator[K8sObject]:
    """What a Kyverno policy's generate rules create and its mutate rules patch (:mod:`._k8s_kyverno`)."""
    own: str | None = None
    if resource_type.endswith(":Policy"):  # a namespaced Policy acts in its own namespace only
        written = namespace_of(props)
        own = written if isinstance(written, str) and written else ANY_NAMESPACE
    for i, rule in rule_parts(props):
        at = f"spec.rules[{i}]."
        generate = get(rule, "generate")
        if is_map(generate):
            yield from _generated(resource_type, generate, f"{at}generate.", own)
            for j, each in enumerate(items(get(generate, "foreach"))):
                if is_map(each):
                    yield from _generated(resource_type, each, f"{at}generate.foreach[{j}].", own)
        mutate = get(rule, "mutate")
        if is_map(mutate):
            namespaces = matched_namespaces(rule, own)
            if own is None:  # a mutate-existing rule patches its targets, in their namespaces
                targets = [t for t in items(get(mutate, "targets")) if is_map(t)]
                namespaces += [literal_namespace(get(t, "namespace")) or ANY_NAMESPACE for t in targets]
                namespaces = list(dict.fromkeys(namespaces))
            yield from _patches(resource_type, mutate, f"{at}mutate.", namespaces)


def _generated(resource_type: str, generate: Any, at: str, own: str | None) -> Iterator[K8sObject]:
    data = get(generate, "data")
    if not is_map(data):
        return  # a clone of an existing object, or nothing
    version, kind = (
        get(data, "apiVersion") or get(generate, "apiVersion"),
        get(data, "kind") or get(generate, "kind"),
    )
    module = _module(version) if isinstance(version, str) and version else "core/v1"
    token = f"kubernetes:{module}:{kind if isinstance(kind, str) and kind else 'Object'}"
    namespace = literal_namespace(get(generate, "namespace")) or own or ANY_NAMESPACE
    if token == resource_type or is_kyverno_policy(token):
        return  # a policy generating a policy: its own rules are the generated one's
    yield K8sObject(token, data, namespace, f"{at}data.")


def _patches(resource_type: str, mutate: Any, at: str, namespaces: list[str]) -> Iterator[K8sObject]:
    strategic = get(mutate, "patchStrategicMerge")
    if is_map(strategic):
        body = without_variable_images(without_anchors(strategic))
        for namespace in namespaces:
            yield K8sObject(resource_type, body, namespace, f"{at}patchStrategicMerge.", patch=True)
    text = get(mutate, "patchesJson6902")
    if isinstance(text, str):
        json_body, why = json_patch_body(text, variables=True)
        json_body = without_variable_images(json_body or {})
        for namespace in namespaces:
            yield K8sObject(
                resource_type, json_body, namespace, f"{at}patchesJson6902.", patch=True, unreadable=why
            )
    for j, each in enumerate(items(get(mutate, "foreach"))):
        if is_map(each):
            yield from _patches(resource_type, each, f"{at}foreach[{j}].", namespaces)


def _mutator_objects(resource_type: str, props: Any) -> Iterator[K8sObject]:
    """The partial object a Gatekeeper mutator writes (:mod:`._k8s_mutators`), in each namespace it matches."""
    writes, value = mutator_value(resource_type.rpartition(":")[2], get(props, "spec.parameters"))
    body = written_object(get(props, "spec.location"), value) if writes else None
    if body is None:
        return
    for namespace in mutator_namespaces(props):
        yield K8sObject(resource_type, body, namespace, "spec.location ", patch=True)
