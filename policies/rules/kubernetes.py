"""Kubernetes workload hygiene for pods (Checkov CKV_K8S_* and GPU scheduling).

Every pod-bearing kind is checked through one extractor, :func:`pod_specs`: ``core/v1`` Pod
(``spec``), PodTemplate (``template.spec``) and ReplicationController, ``apps`` Deployment /
StatefulSet / DaemonSet / ReplicaSet and ``batch`` Job (``spec.template.spec``), CronJob
(``spec.jobTemplate.spec.template.spec``), in every API version pulumi-kubernetes has a token
for, plus their ``*List`` (each of ``items[]``, as its own kind: :mod:`._k8s_objects`) and ``*Patch`` variants, Argo Rollouts'
``argoproj.io/v1alpha1`` Rollout (``spec.template.spec``; one with a ``workloadRef`` instead runs the
referenced Deployment's pods, checked there), KServe's ``serving.kserve.io/v1alpha1`` ServingRuntime
and ClusterServingRuntime (``spec``: containers merged into the predictor pods that use the runtime,
read like a Patch, on what they set), and KServe's
``serving.kserve.io/v1beta1`` InferenceService (a custom resource: ``spec.predictor``, and
``spec.transformer`` and ``spec.explainer`` where present, each a pod spec whose one-container fields
such as ``model`` or ``triton`` count as containers; a multi-node predictor's ``spec.predictor.workerSpec``
and a runtime's ``spec.workerSpec``, merged, read like a Patch), and KServe's ``LLMInferenceService``
(``serving.kserve.io/v1alpha1``, KServe 0.16+, and ``v1alpha2``, 0.17+: the pod specs ``spec.template``,
``spec.worker``, ``spec.prefill.template``/``worker`` and ``spec.router.scheduler.template``, merged over
LLMInferenceServiceConfig templates, so read like a Patch, on what they set; its ``spec.model.uri`` may
name an OCI image). A Patch changes only
what it names, so presence demands (probes, limits, ``runAsNonRoot``...) are skipped there while
values it does set are still checked (``privileged: true`` in a patch is a violation). A bool field
counts only as a real boolean (:mod:`._k8s_booleans`): the API server refuses ``"false"``, ``0`` or
``1`` there, so none of them is the safe value, and the message says it is malformed.

Containers: ``containers`` always; ``initContainers`` wherever a setting applies to them
(resources, security context, image pinning, UID, GPUs; not probes, which only restartable
"sidecar" init containers take); ``ephemeralContainers`` (debug containers) for the security
context, image pinning and UID, the only settings Kubernetes lets them carry.

Pods in kinds the pack does not list are found by their shape (:mod:`._k8s_pod_search`): a pod spec
(a ``containers`` list of container maps) or a bare container (Argo's ``container``/``script``,
Tekton's ``steps``) at any depth of any custom resource (``kubernetes:<group>/<version>:<Kind>``
outside Kubernetes' built-in groups, :func:`searched_kind`): Knative Services, KubeRay, Kubeflow
training jobs, LeaderWorkerSet, JobSet, Seldon, Argo Workflows... The security rules
(``any_kind``: image pinning, the security context, host namespaces, the API token, the UID and every
Pod Security Standards rule) judge them; the availability rules (probes, resources, GPU placement)
keep to the listed kinds, whose pods they know to be long-running servers. A listed kind is read at
its own paths only, never searched too (one violation, not two). Any ``*List`` is its ``items``, each
judged as its own kind in its own namespace (:mod:`._k8s_objects`; a list's ``ListMeta`` has no namespace).

Workloads in ``exemptNamespaces`` (default ``kube-system``) are skipped: system add-ons such as
device plugins legitimately need host access. A ``helm.v3.Release``'s ``values`` are searched by shape
(:mod:`._k8s_objects`), in its ``namespace``, as a Flux HelmRelease's are;
charts Pulumi renders itself (``helm.v3.Chart``, ``helm.v4.Chart``) register their workloads,
which are checked like any other.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from pulumi_policy import ResourceValidationArgs
from pulumi_policy.proxy import UnknownValueError

from ._common import (
    ADVISORY,
    CHECKOV,
    HIGH,
    LOW,
    MANDATORY,
    MEDIUM,
    ConfigSchema,
    TypesMatching,
    each_part,
    framework,
    get,
    is_map,
    is_seq,
    is_set,
    items,
    number,
    resource_rule,
    shown,
    str_list,
)
from ._gpu_placement import GPU_NODE_LABELS, placement_problems
from ._k8s_booleans import holds, malformed, malformed_note, said
from ._k8s_objects import UNKNOWN_NAMESPACE as _UNKNOWN_NAMESPACE
from ._k8s_objects import K8sObject, expands, namespace_of, objects_of
from ._k8s_pod_search import BUILT_IN_GROUPS, PULUMI_GROUPS, QUOTING_GROUPS, cloud_resource_group, find_pods
from ._k8s_quantities import quantity

# --- which kinds carry a pod, and where -------------------------------------------------

#: Kind -> where its pod spec sits in the object.
POD_SPEC_PATHS: dict[str, str] = {
    "Pod": "spec",
    "PodTemplate": "template.spec",
    "ReplicationController": "spec.template.spec",
    "Deployment": "spec.template.spec",
    "StatefulSet": "spec.template.spec",
    "DaemonSet": "spec.template.spec",
    "ReplicaSet": "spec.template.spec",
    "Job": "spec.template.spec",
    "CronJob": "spec.jobTemplate.spec.template.spec",
    "InferenceService": "spec.predictor",
    "Rollout": "spec.template.spec",
    "ServingRuntime": "spec",
    "ClusterServingRuntime": "spec",
    "LLMInferenceService": "spec.template",
}
#: Kinds whose every pod spec holds its own pods' ``annotations`` (read as ``<pod spec>.annotations``):
#: KServe adds an InferenceService component's ``annotations`` (ComponentExtensionSpec) and a serving
#: runtime's (ServingRuntimePodSpec) to the pods they make.
ANNOTATED_POD_SPECS = frozenset({"InferenceService", "ServingRuntime", "ClusterServingRuntime"})
#: Kind -> where metadata sits whose annotations KServe adds to every pod of the object, under each
#: component's own (which override them): an InferenceService's own (components/predictor.go:
#: "Labels and annotations priority: predictor component > isvc > ServingRuntimePodSpec").
SHARED_POD_METADATA: dict[str, str] = {"InferenceService": "metadata"}
#: Kinds whose pod specs sit beside their pods' ``annotations``, read as ``<the pod spec's parent>.annotations``:
#: KServe's LLMInferenceService adds a WorkloadSpec's (``spec``, ``spec.prefill``) and its scheduler's
#: (``spec.router.scheduler``) ``annotations`` to the pods of their ``template`` and ``worker``.
SIBLING_ANNOTATED_POD_SPECS = frozenset({"LLMInferenceService"})
#: Kind -> where the metadata of its pods sits: beside the pod spec of a template, a Pod's own.
POD_METADATA_PATHS: dict[str, str] = {
    kind: path.removesuffix("spec") + "metadata"
    for kind, path in POD_SPEC_PATHS.items()
    if kind not in ANNOTATED_POD_SPECS | SIBLING_ANNOTATED_POD_SPECS
}
#: Kinds whose pod spec is a template merged into other pods, read like a Patch (only what it sets):
#: a KServe serving runtime's containers and pod fields are merged into the predictor pod of every
#: InferenceService that uses it, under the fields the InferenceService sets itself; an
#: LLMInferenceService's ``template``, ``worker`` and ``prefill`` are merged over its baseRefs'
#: LLMInferenceServiceConfigs, its runtime's container and KServe's default vLLM template
#: (``kserve-config-llm-template``), which give the image and the rest the object leaves unset.
PARTIAL_KINDS = frozenset({"ServingRuntime", "ClusterServingRuntime", "LLMInferenceService"})
#: Kind -> its optional pod specs that are merged over another's, read like a Patch (only what they set):
#: an InferenceService's ``spec.predictor.workerSpec`` over its serving runtime's ``workerSpec``, which
#: gives the worker containers (a workerSpec may set only ``tensorParallelSize``).
PARTIAL_POD_SPEC_PATHS: dict[str, frozenset[str]] = {
    "InferenceService": frozenset({"spec.predictor.workerSpec"})
}
#: Kind -> where the object may instead name another workload whose pods it runs (checked there):
#: an Argo Rollout's ``workloadRef`` to a Deployment.
POD_SPEC_ELSEWHERE: dict[str, str] = {"Rollout": "spec.workloadRef"}
#: Kind -> further optional pod specs in the object (KServe's other components).
OPTIONAL_POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    # A predictor's workerSpec: the pods of a multi-node predictor beside its head (v1beta1 WorkerSpec,
    # a PodSpec); a serving runtime's workerSpec (an inline ServingRuntimePodSpec) is merged into them.
    "InferenceService": ("spec.transformer", "spec.explainer", "spec.predictor.workerSpec"),
    "ServingRuntime": ("spec.workerSpec",),
    "ClusterServingRuntime": ("spec.workerSpec",),
    # The multi-node workers, the disaggregated prefill pods and the scheduler (endpoint picker) pods.
    "LLMInferenceService": (
        "spec.worker", "spec.prefill.template", "spec.prefill.worker", "spec.router.scheduler.template",
    ),
}  # fmt: skip
#: Kind -> fields of its pod specs that each hold one container: KServe's ``model`` (with a serving
#: runtime) and its per-framework predictors and explainers.
SINGLE_CONTAINERS: dict[str, tuple[str, ...]] = {
    "InferenceService": (
        "model", "sklearn", "xgboost", "tensorflow", "pytorch", "triton", "onnx", "pmml", "lightgbm",
        "paddle", "huggingface", "alibi", "art",
    ),
}  # fmt: skip
#: Kinds whose pod specs name their model by URI (``storageUri``, ``storageUris``), an OCI image among
#: them (KServe's modelcars): an image reference ``k8s-image-pinned-by-digest`` reads.
MODEL_URI_KINDS = frozenset({"InferenceService"})
#: Kind -> where, in the object, URIs of the model its pods serve sit (an OCI image among them), read
#: with its main pod spec, which is judged even when unset (the pods are made from templates elsewhere):
#: an LLMInferenceService's ``spec.model.uri`` (``hf://``, ``s3://``, ``pvc://`` or ``oci://``, the last
#: a modelcar image; llmisvc ``attachModelArtifacts``). LoRA adapters take no ``oci://``.
OBJECT_MODEL_URIS: dict[str, tuple[str, ...]] = {"LLMInferenceService": ("spec.model.uri",)}
#: API group/version -> the pod-bearing kinds pulumi-kubernetes has tokens for there.
_GROUP_KINDS: dict[str, tuple[str, ...]] = {
    "core/v1": ("Pod", "PodTemplate", "ReplicationController"),
    "apps/v1": ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"),
    "apps/v1beta1": ("Deployment", "StatefulSet"),
    "apps/v1beta2": ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"),
    "extensions/v1beta1": ("Deployment", "DaemonSet", "ReplicaSet"),
    "batch/v1": ("Job", "CronJob"),
    "batch/v1beta1": ("CronJob",),
    "batch/v2alpha1": ("CronJob",),
    "serving.kserve.io/v1beta1": ("InferenceService",),
    "serving.kserve.io/v1alpha1": ("ServingRuntime", "ClusterServingRuntime", "LLMInferenceService"),
    # KServe's later LLMInferenceService version, 0.17+ (the same WorkloadSpec, template and worker pod specs).
    "serving.kserve.io/v1alpha2": ("LLMInferenceService",),
    # Argo Rollouts: a Deployment's pod template under progressive delivery (canary, blue/green).
    "argoproj.io/v1alpha1": ("Rollout",),
}
#: Type token -> (kind, variant): variant "" (the object), "List" (``items[]``) or "Patch".
POD_KINDS: dict[str, tuple[str, str]] = {
    f"kubernetes:{group}:{kind}{variant}": (kind, variant)
    for group, kinds in _GROUP_KINDS.items()
    for kind in kinds
    for variant in ("", "List", "Patch")
}
WORKLOADS = tuple(POD_KINDS)


def searched_kind(resource_type: str) -> bool:
    """Whether pod specs are searched for by shape in a resource of this type (:mod:`._k8s_pod_search`):
    a Kubernetes object (``kubernetes:<group>/<version>:<Kind>``) of a kind the pack does not list
    (:data:`POD_KINDS`, read at their paths only: never judged twice), outside the built-in groups,
    pulumi-kubernetes' own tokens, the groups quoting pods (:data:`QUOTING_GROUPS`) and those of
    controllers making cloud resources (ACK, Crossplane's AWS providers: no pod)."""
    prefix, _, rest = resource_type.partition(":")
    module, _, kind = rest.partition(":")
    group, slash, _ = module.rpartition("/")
    if prefix != "kubernetes" or not slash or not kind or resource_type in POD_KINDS:
        return False
    return group not in _NOT_SEARCHED_GROUPS and not cloud_resource_group(group)


_NOT_SEARCHED_GROUPS = BUILT_IN_GROUPS | PULUMI_GROUPS | QUOTING_GROUPS


def _searched_or_expanded(resource_type: str) -> bool:
    return searched_kind(resource_type) or expands(resource_type)


#: What the security rules check: the listed pod kinds, every kind searched by shape, every ``*List``
#: (its items are judged as their own kinds) and Kyverno's policies (what they generate and patch:
#: :mod:`._k8s_objects`).
ANY_POD_KIND = TypesMatching(frozenset(WORKLOADS), _searched_or_expanded)
#: What the availability rules check: the listed pod kinds, and every ``*List`` and Kyverno policy
#: (their objects of those kinds).
LISTED_POD_KIND = TypesMatching(frozenset(WORKLOADS), expands)


@dataclass(frozen=True)
class PodSpec:
    """One pod spec in a resource: where it is, its namespace, and whether it is a partial patch."""

    path: str
    spec: Any
    namespace: Any
    partial: bool
    singles: tuple[str, ...] = ()
    """Fields that each hold one container, counted with ``containers``."""
    root: Any = None
    """The object the pod spec sits in (one ``items`` entry of a List), for :meth:`annotations`."""
    metadata_path: str | None = None
    """Where the pods' own metadata sits in ``root`` (a KServe pod spec: itself, which holds ``annotations``)."""
    prefix: str = ""
    """``root``'s place in the resource (``items[2].`` in a List), for messages."""
    shared_metadata_path: str | None = None
    """Where metadata sits whose annotations the pods get under their own (an InferenceService's)."""
    model_uris: bool = False
    """Whether the pod spec names its model by URI (KServe's ``storageUri``/``storageUris``), OCI images among them."""
    object_model_uris: tuple[str, ...] = ()
    """Paths in ``root`` of URIs of the model the pods serve (:data:`OBJECT_MODEL_URIS`)."""
    lists: tuple[str, ...] = ()
    """Further lists of containers counted with ``containers`` (Argo's and Tekton's ``sidecars``, Tekton's ``steps``)."""
    unreadable: str | None = None
    """Why a pod spec patch written as text could not be read (:mod:`._k8s_pod_search`): said once, by
    ``k8s-container-security-context``."""
    inline: bool = False
    """The pod spec is also its main container (Spark's SparkPodSpec: :mod:`._k8s_pod_search`)."""
    own_image: bool = False
    """The map's own ``image`` is a default image of the pods below it (a SparkApplication's ``spec.image``)."""

    @property
    def context_key(self) -> str:
        """The field holding the pod's PodSecurityContext: ``podSecurityContext`` in an inline pod."""
        return "podSecurityContext" if self.inline else "securityContext"

    def annotations(self) -> tuple[str, Any]:
        """``(path, annotations)`` of the pods' metadata: the legacy seccomp and AppArmor annotations
        live there (the API server copies them into the securityContext fields when those are unset).
        Read on demand, so an unknown value leaves only the rule that reads it undecided."""
        if self.metadata_path is None:
            return "", None
        path = f"{self.metadata_path}.annotations"
        return self.prefix + path, get(self.root, path)

    def annotation_sources(self) -> list[tuple[str, Any]]:
        """``(path, annotations)`` of every map the pods' annotations are made of, the one that wins a
        key first: the pods' own (:meth:`annotations`), then an InferenceService's, which KServe adds to
        each component's pods under the component's."""
        sources = [self.annotations()] if self.metadata_path is not None else []
        if self.shared_metadata_path is not None:
            path = f"{self.shared_metadata_path}.annotations"
            sources.append((self.prefix + path, get(self.root, path)))
        return sources

    def containers(self, *kinds: str) -> list[tuple[str, Any]]:
        """``(path, container)`` for the given lists (``containers``, ``initContainers``...)."""
        found = [
            (f"{self.path}.{key}[{i}]", c)
            for key in kinds
            for i, c in enumerate(items(get(self.spec, key)))
            if is_map(c)
        ]
        if "containers" in kinds:
            found += [
                (f"{self.path}.{key}[{i}]", c)
                for key in self.lists
                for i, c in enumerate(items(get(self.spec, key)))
            ]
            found += [(f"{self.path}.{key}", get(self.spec, key)) for key in self.singles]
            if self.inline:
                found.append((self.path, self.spec))
        return [(path, c) for path, c in found if is_map(c)]

    def get(self, path: str) -> Any:
        return get(self.spec, path)


ALL = ("containers", "initContainers", "ephemeralContainers")
RUNNING = ("containers", "initContainers")


#: What :func:`_namespace` reads for a namespace unknown at preview (:mod:`._k8s_objects`).
UNKNOWN_NAMESPACE = _UNKNOWN_NAMESPACE
_namespace = namespace_of


def _provider_namespace(args: ResourceValidationArgs) -> str:
    """Where pulumi-kubernetes puts an object that names no namespace: its provider's ``namespace``
    setting, else the namespace of the kubeconfig context it uses (``default`` if that names none).
    :data:`UNKNOWN_NAMESPACE` when a policy cannot tell: a value unknown at preview, a kubeconfig
    given as a path or taken from the environment. No provider (a bare offline record): ``default``."""
    if args.provider is None:
        return "default"
    props = args.provider.props
    try:
        namespace = get(props, "namespace")
        if isinstance(namespace, str) and namespace:
            return namespace
        return _kubeconfig_namespace(get(props, "kubeconfig"), get(props, "context"))
    except UnknownValueError:
        return UNKNOWN_NAMESPACE


def _kubeconfig_namespace(kubeconfig: Any, context_name: Any) -> str:
    """The namespace of a kubeconfig's context (the provider's ``context``, else ``current-context``)
    when the provider holds the kubeconfig's contents (JSON or YAML); the provider also takes a path."""
    try:
        document = yaml.safe_load(kubeconfig) if isinstance(kubeconfig, str) else None
    except yaml.YAMLError:
        document = None
    if not is_map(document):
        return UNKNOWN_NAMESPACE  # a path, the environment's kubeconfig, or nothing readable
    chosen = (
        context_name if isinstance(context_name, str) and context_name else document.get("current-context")
    )
    for entry in items(document.get("contexts")):
        if is_map(entry) and entry.get("name") == chosen:
            namespace = get(entry, "context.namespace")
            return namespace if isinstance(namespace, str) and namespace else "default"
    return UNKNOWN_NAMESPACE


def _sets_annotations(obj: Any, metadata: str) -> bool:
    """Whether a patch sets its pods' annotations (an unknown value counts: the rules reading them say so)."""
    try:
        return is_set(get(obj, f"{metadata}.annotations"))
    except UnknownValueError:
        return True


def pod_specs(resource_type: str, props: Any) -> list[PodSpec]:
    """Every pod spec a Kubernetes resource of a listed kind carries, a List's items each read as its own
    kind (:mod:`._k8s_objects`); none for other types."""
    return [
        pod
        for obj in objects_of(resource_type, props)
        if obj.type in POD_KINDS and not obj.rest
        for pod in _listed_pod_specs(obj)
    ]


def _listed_pod_specs(item: K8sObject) -> list[PodSpec]:
    """The pod specs of one object of a listed kind, at that kind's paths."""
    kind, variant = POD_KINDS[item.type]
    spec_path = POD_SPEC_PATHS[kind]
    singles = SINGLE_CONTAINERS.get(kind, ())
    obj, prefix, namespace = item.props, item.prefix, item.namespace
    elsewhere = POD_SPEC_ELSEWHERE.get(kind)
    result = []
    for path in (spec_path, *OPTIONAL_POD_SPEC_PATHS.get(kind, ())):
        spec = get(obj, path)
        metadata = (
            path
            if kind in ANNOTATED_POD_SPECS
            else path.rpartition(".")[0]
            if kind in SIBLING_ANNOTATED_POD_SPECS
            else POD_METADATA_PATHS.get(kind)
            if path == spec_path
            else None
        )
        shared = SHARED_POD_METADATA.get(kind)
        sets = [m for m in (metadata, shared if path == spec_path else None) if m]
        if spec is None and variant == "Patch" and any(_sets_annotations(obj, m) for m in sets):
            spec = {}  # a patch of the pods' annotations alone: judged on them, as a patch with an empty spec
        object_uris = OBJECT_MODEL_URIS.get(kind, ()) if path == spec_path else ()
        if spec is None and object_uris:
            spec = {}  # pods made from templates elsewhere: judged on the model and annotations it sets
        if spec is None and (variant == "Patch" or kind in PARTIAL_KINDS or path != spec_path):
            continue  # the patch leaves the pod alone, or the optional component is absent
        if spec is None and elsewhere is not None and is_set(get(obj, elsewhere)):
            continue  # the pods are the referenced workload's, checked as that workload
        partial = variant == "Patch" or kind in PARTIAL_KINDS or path in PARTIAL_POD_SPEC_PATHS.get(kind, ())
        result.append(
            PodSpec(
                prefix + path,
                spec,
                namespace,
                partial,
                singles,
                obj,
                metadata,
                prefix,
                shared,
                kind in MODEL_URI_KINDS,
                object_uris,
            )
        )
    return result


def searched_pod_specs(
    props: Any, namespace: Any, prefix: str = "", skipped: tuple[str, ...] = (), *, patch: bool = False
) -> tuple[list[PodSpec], UnknownValueError | None]:
    """The pod specs :func:`~._k8s_pod_search.find_pods` finds by shape in an object of a kind the pack
    does not list (at ``prefix`` in its resource, its top-level ``skipped`` keys left out), and the first
    value unknown at preview that may hide one."""
    found, unknown = find_pods(props, skipped, patch=patch)
    pods = [
        PodSpec(
            prefix + pod.path,
            pod.spec,
            namespace,
            pod.partial,
            pod.singles,
            pod.root,
            "metadata" if pod.root is not None else None,
            prefix + pod.prefix,
            lists=pod.lists,
            unreadable=pod.unreadable,
            inline=pod.inline,
            own_image=pod.settings,
        )
        for pod in found
    ]
    if patch:
        roots = {id(pod.root) for pod in found if pod.root is not None}
        pods += [
            PodSpec(
                prefix + path, {}, namespace, True, (), holder, "metadata", prefix + path.removesuffix("spec")
            )
            for path, holder in _annotating_templates(props)
            if id(holder) not in roots
        ]
    return pods, unknown


def _annotating_templates(props: Any) -> list[tuple[str, Any]]:
    """``(path of its spec, map)`` of each map in a patch whose ``metadata`` sets ``annotations`` (a Pod
    patch's root, a template's): its pods' annotations, whose legacy seccomp and AppArmor keys the rules
    read, whether or not the patch sets a container (a Kyverno rule adding only an annotation)."""
    found: list[tuple[str, Any]] = []
    pending: list[tuple[str, Any]] = [("", props)]
    while pending:
        path, value = pending.pop()
        try:
            keys = [str(key) for key in value] if is_map(value) else []
            if "metadata" in keys and is_map(get(value, "metadata.annotations")):
                found.append((f"{path}spec", value))
            children = [(key, value[key]) for key in keys] if keys else []
            if is_seq(value):
                children = [(f"[{i}]", item) for i, item in enumerate(value)]
        except UnknownValueError:
            continue  # what an unknown value sets, the rules reading it say when they read it
        for key, child in children:
            if is_map(child) or is_seq(child):
                pending.append(
                    (f"{path}{key}." if not key.startswith("[") else f"{path.rstrip('.')}{key}.", child)
                )
    return sorted(found, key=lambda entry: entry[0])


Check = Iterator[str]

_EXEMPT_NAMESPACES: ConfigSchema = {
    "exemptNamespaces": {
        "type": "array",
        "items": {"type": "string"},
        "default": ["kube-system"],
        "description": "Namespaces whose workloads this rule skips.",
    }
}

PodCheck = Any  # Callable[[PodSpec, Mapping[str, Any]], Iterator[str]]


def _once(messages: Check, seen: set[str]) -> Check:
    """``messages`` not said before (``seen``, updated)."""
    for message in messages:
        if message not in seen:
            seen.add(message)
            yield message


def _workload_rule(
    name: str,
    description: str,
    check: PodCheck,
    *,
    level: Any,
    severity: Any,
    reference: str | None,
    also: str | None = None,
    config: ConfigSchema | None = None,
    any_kind: bool = False,
) -> Any:
    """A resource rule run on every pod spec of every pod-bearing kind, honouring ``exemptNamespaces``.
    ``any_kind``: also on the pod specs found by shape in any other kind (:func:`searched_kind`), for
    the security rules; availability rules (probes, resources, GPU placement) keep to the listed kinds."""

    def checked(args: ResourceValidationArgs, cfg: Mapping[str, Any]) -> Check:
        # Each object of the resource (a List's items: :mod:`._k8s_objects`) in its own namespace, as its
        # own kind: a listed kind at its paths, any other searched by shape (``any_kind`` rules only).
        exempt = str_list(cfg["exemptNamespaces"])
        seen: set[str] = set()
        for obj in objects_of(args.resource_type, args.props):
            # An unknown namespace (an Output of a new Namespace) is never an exempt system namespace.
            if (obj.namespace or _provider_namespace(args)) in exempt:
                continue
            if obj.patch or obj.search:
                if any_kind:  # a patch another object makes, or chart values: judged by shape
                    yield from _searched(obj, cfg, seen)
            elif obj.type in POD_KINDS and not obj.rest:
                # An InferenceService's own annotations reach each component's pods: said once.
                for pod in _listed_pod_specs(obj):
                    yield from _once(check(pod, cfg), seen)
            elif any_kind and searched_kind(obj.type):
                yield from _searched(obj, cfg, seen)

    def _searched(obj: K8sObject, cfg: Mapping[str, Any], seen: set[str]) -> Check:
        # Each pod is judged apart: one's unknown value leaves the rule undecided on the object, after
        # every decided finding, as does an unknown value that may hide a pod (_k8s_pod_search).
        skipped = ("items",) if obj.rest else ()
        pods, unknown = searched_pod_specs(obj.props, obj.namespace, obj.prefix, skipped, patch=obj.patch)
        if obj.unreadable is not None:
            pods = [PodSpec(obj.prefix.removesuffix("."), {}, obj.namespace, True, unreadable=obj.unreadable)]
        for pod in pods:
            try:
                yield from _once(check(pod, cfg), seen)
            except UnknownValueError as error:
                unknown = unknown or error
        if unknown is not None:
            raise unknown

    return resource_rule(
        name=name,
        description=description,
        resource_types=ANY_POD_KIND if any_kind else LISTED_POD_KIND,
        check=checked,
        enforcement_level=level,
        severity=severity,
        framework=framework(CHECKOV, reference, also) if reference else None,
        config={**_EXEMPT_NAMESPACES, **(config or {})},
        tags=["kubernetes"],
    )


# --- checks ----------------------------------------------------------------------------


def _probes(pod: PodSpec, _: Mapping[str, Any]) -> Check:
    if pod.partial:
        return
    for path, container in pod.containers("containers"):
        for probe in ("readinessProbe", "livenessProbe"):
            if not is_set(get(container, probe)):
                yield f"{path}.{probe} is unset: add an HTTP or TCP {probe} for the model server."


def _resources(pod: PodSpec, _: Mapping[str, Any]) -> Check:
    for path, container in pod.containers(*RUNNING):
        yield from _not_quantities(path, container)
    if pod.partial:
        return
    for path, container in pod.containers(*RUNNING):
        for resource in ("cpu", "memory"):
            limit = get(container, f"resources.limits.{resource}")
            # Kubernetes copies a limit into an unset request: a positive limit alone schedules the pod.
            if not is_set(get(container, f"resources.requests.{resource}")) and not _bounds(limit):
                yield f"{path}.resources.requests.{resource} is unset: set it so the pod is scheduled and bounded."
            if not is_set(limit):
                yield f"{path}.resources.limits.{resource} is unset: set it so the pod is scheduled and bounded."
            elif quantity(limit) is not None and not _bounds(limit):
                yield (
                    f"{path}.resources.limits.{resource} is {shown(limit)}: a zero limit sets no limit at all; "
                    "set a positive one so the container is bounded."
                )


def _not_quantities(path: str, container: Any) -> Check:
    """Every request and limit (cpu, memory, ephemeral-storage, GPUs...) that is no quantity the API
    server takes (:mod:`._k8s_quantities`): it bounds nothing and stands in for no request. A value
    unknown at preview is not judged. Read on a patch too: what it sets is what the object gets."""
    for kind in ("requests", "limits"):
        amounts = get(container, f"resources.{kind}")
        if not is_map(amounts):
            continue
        for name in amounts:
            try:
                value = amounts[name]
            except UnknownValueError:
                continue
            if is_set(value) and quantity(value) is None:
                yield (
                    f"{path}.resources.{kind}['{name}'] is {shown(value)}: not a Kubernetes quantity (a number "
                    "and an optional suffix: 500m, 2Gi, 1e3), which the API server refuses; it bounds nothing."
                )


def _bounds(limit: Any) -> bool:
    """A limit that bounds the container: a quantity above zero (the kubelet sets no cgroup limit for
    ``0``, ``"0Mi"``, ``"-0"``; a negative one the API server rejects; so it does one that is no
    quantity: ``inf``, ``2GB``, a boolean)."""
    amount = quantity(limit)
    return amount is not None and amount > 0


#: Where an InferenceService's one-container fields may leave their image to a serving runtime: the
#: predictor's (``model``, ``sklearn``...), which KServe merges over the ServingRuntime's or
#: ClusterServingRuntime's container serving the model format (the framework fields are defaulted into
#: ``model`` first), judged on the runtime. Not the explainer's ``alibi``/``art``: KServe gives those
#: ``<explainers.<name>.image>:<runtimeVersion>`` from ``inferenceservice-config`` (explainer_art.go
#: ``GetContainer``), always a tag, never a digest; nor a transformer, which has no such field.
RUNTIME_IMAGE_POD_SPEC = "spec.predictor"


def _image_digest(pod: PodSpec, _: Mapping[str, Any]) -> Check:
    # A KServe predictor's one-container field (``model``, ``sklearn``...) may leave its image out
    # (PredictorExtensionSpec inlines a v1.Container whose ``image`` is optional, ``omitempty``: "" is
    # unset too): the runtime's is judged where it is set (the runtime, itself a workload here); one the
    # field does set is judged. A custom ``containers[]`` entry and an explainer field have no such
    # source (RUNTIME_IMAGE_POD_SPEC): without an image they stay refused.
    served = pod.path.removeprefix(pod.prefix) == RUNTIME_IMAGE_POD_SPEC
    supplied = {f"{pod.path}.{key}" for key in pod.singles} if served else set()
    for path, container in pod.containers(*ALL):
        image = get(container, "image")
        version = get(container, "runtimeVersion") if path in supplied else None
        if version is not None:
            # KServe's UpdateImageTag (inferenceservice/utils/utils.go) swaps the tag of the container it
            # merged (the runtime's, the field's own image over it) for ``runtimeVersion``: the pod then runs
            # that tag whatever digest either pins (``repo@sha256:<hex>`` becomes ``repo@sha256:<version>``).
            yield (
                f"{path}.runtimeVersion {str(version)!r} runs the serving runtime's image by that tag, "
                f"not by digest: drop it and pin the runtime's image (or {path}.image) by @sha256:<digest>."
            )
            continue
        if image in (None, "") and path in supplied:
            continue
        if pod.partial and (image is None or is_map(image)):
            continue  # unset, or a Helm-style {repository, tag} the chart assembles (values searched by shape)
        if "@sha256:" not in str(image or ""):
            yield f"{path}.image {str(image or '')!r} is not pinned by digest: use <repository>@sha256:<digest>."
    # A map above pods naming their default image (a SparkApplication's spec.image): a string only (a
    # Helm-values-style {repository, tag} map is a chart's to assemble).
    default = pod.get("image") if pod.own_image else None
    if isinstance(default, str) and "@sha256:" not in default:
        at = f"{pod.path}.image" if pod.path else "image"
        yield f"{at} {default!r} is not pinned by digest: use <repository>@sha256:<digest>."
    # An image volume (Kubernetes 1.33+) mounts an image's files into the pod: a tag can change them
    # as it can a container's. `reference` behaves as a container's `image` (core/v1 ImageVolumeSource).
    for i, volume in enumerate(items(pod.get("volumes"))):
        source = get(volume, "image") if is_map(volume) else None
        if not is_map(source):
            continue
        reference = get(source, "reference")
        if reference is None and pod.partial:
            continue
        if "@sha256:" not in str(reference or ""):
            yield (
                f"{pod.path}.volumes[{i}].image.reference {str(reference or '')!r} is not pinned by digest: "
                "use <repository>@sha256:<digest>."
            )
    yield from _model_image_digests(pod)


#: KServe storage URI schemes that name an OCI image, read as an image reference once the scheme is cut
#: (pkg/utils/storage.go ``ParseOciScheme``: ``oci://``, and ``oci+<mode>://`` for the modelcar, native
#: image volume and fetch modes; compared case-sensitively, as KServe's ``strings.HasPrefix`` does). The
#: mode is whatever comes between ``oci+`` and the first ``://``, not one of the three only: the pod
#: webhook (storage_initializer_injector.go ``InjectModelcar``) pulls any other mode as a modelcar.
_OCI_URI = re.compile(r"oci(\+.+?)?://", re.DOTALL)


def _model_image_digests(pod: PodSpec) -> Check:
    """KServe pulls a model given as an OCI image (``storageUri: oci://registry/model:tag``, a
    "modelcar") into the pod as a sidecar container's or image volume's image: a tag can change the
    model served as it can the server. Read on an InferenceService's predictor, transformer and
    explainer: each one-container field's ``storageUri`` (PredictorExtensionSpec, ExplainerExtensionSpec)
    and the component's ``storageUris[].uri`` (PredictorSpec, TransformerSpec, ExplainerSpec;
    serving.kserve.io/v1beta1). ``storage.path`` is not read: a storage spec names only s3, hdfs or
    webhdfs storage (SupportedStorageSpecURIPrefixList). Read on an LLMInferenceService too: its
    ``spec.model.uri`` (:data:`OBJECT_MODEL_URIS`). Other schemes (s3://, pvc://, hf://) are not images."""
    if not (pod.model_uris or pod.object_model_uris):
        return
    uris = [(f"{pod.path}.{key}.storageUri", get(pod.spec, f"{key}.storageUri")) for key in pod.singles]
    uris += [
        (f"{pod.path}.storageUris[{i}].uri", get(entry, "uri"))
        for i, entry in enumerate(items(pod.get("storageUris")))
        if is_map(entry)
    ]
    uris += [(pod.prefix + path, get(pod.root, path)) for path in pod.object_model_uris]
    for path, uri in uris:
        if isinstance(uri, str) and _OCI_URI.match(uri) and "@sha256:" not in uri:
            yield (
                f"{path} {uri!r} is an OCI image (KServe modelcar) not pinned by digest: use "
                "oci://<repository>@sha256:<digest>."
            )


def _security_context(pod: PodSpec, _: Mapping[str, Any]) -> Check:
    if pod.unreadable is not None:
        yield (
            f"{pod.path} is not a YAML or JSON patch the pack can read ({pod.unreadable}): the pods it patches "
            "(privileged, host namespaces, volumes...) cannot be judged; write the patch literally as YAML or "
            "JSON, or set those fields on the object itself."
        )
    # Every bool field counts only as a real boolean (_k8s_booleans): "true", 1 or "false" is malformed.
    pod_value = pod.get(f"{pod.context_key}.runAsNonRoot")
    for path, container in pod.containers(*ALL):
        sc, at = get(container, "securityContext"), f"{path}.securityContext"
        privileged = get(sc, "privileged")
        if privileged is not None and not holds(privileged, False):
            yield f"{at}.privileged is {said(privileged)}: remove it."
        escalation = get(sc, "allowPrivilegeEscalation")
        if not holds(escalation, False) and not (pod.partial and escalation is None):
            # shown() for a boolean or unset, as the message always said (True, unset).
            value = said(escalation) if malformed(escalation) else shown(escalation)
            yield f"{at}.allowPrivilegeEscalation is {value}: set it to false."
        read_only = get(sc, "readOnlyRootFilesystem")
        if not holds(read_only, True) and not (pod.partial and read_only is None):
            yield (
                f"{at}.readOnlyRootFilesystem is not true{malformed_note(read_only)}: set it and mount an emptyDir "
                "for scratch space."
            )
        own = get(sc, "runAsNonRoot")
        if not holds(own, True) and (own is not None or not (holds(pod_value, True) or pod.partial)):
            # The container's own value, or where it sets none the pod's, is the one said malformed.
            note = malformed_note(own if own is not None else pod_value)
            yield (
                f"{at}.runAsNonRoot is not true (nor {pod.path}.{pod.context_key}.runAsNonRoot){note}: set it to true."
            )
        drop = get(sc, "capabilities.drop")
        if "ALL" not in [c.upper() for c in str_list(drop)] and not (pod.partial and drop is None):
            yield f"{at}.capabilities.drop does not contain 'ALL': drop ALL capabilities."
        added = [c for c in str_list(get(sc, "capabilities.add")) if _capability(c) not in _MAY_ADD_BACK]
        if added:
            yield f"{at}.capabilities.add contains {added}: add none back but NET_BIND_SERVICE."
    yield from _fragment_pod_value(
        pod, "runAsNonRoot", lambda v: not holds(v, True), "is not true{note}", "set it to true"
    )


#: The capabilities a container may add back after dropping ALL, in :func:`_capability`'s spelling:
#: NET_BIND_SERVICE only, as the Pod Security Standards' restricted profile allows. Every other one
#: gives root in the container more of the node (SYS_MODULE loads kernel modules, SYS_PTRACE reads
#: other processes, DAC_READ_SEARCH opens host files by handle, NET_ADMIN rewrites the network).
_MAY_ADD_BACK = ("NET_BIND_SERVICE",)


def _capability(name: str) -> str:
    """A capability as runtimes read it: Docker (moby) and the CRI runtimes upper-case the name and
    add the ``CAP_`` prefix when it is missing, so ``sys_admin``, ``CAP_SYS_ADMIN`` and
    `` SYS_ADMIN `` all grant CAP_SYS_ADMIN."""
    return name.strip().upper().removeprefix("CAP_")


def _host_namespaces(pod: PodSpec, _: Mapping[str, Any]) -> Check:
    for flag in ("hostPID", "hostIPC", "hostNetwork"):
        value = pod.get(flag)
        if value is not None and not holds(value, False):
            yield f"{pod.path}.{flag} is {said(value)}: remove it; inference pods do not share host namespaces."


def _token_not_automounted(pod: PodSpec, _: Mapping[str, Any]) -> Check:
    value = pod.get("automountServiceAccountToken")
    if not holds(value, False) and not (pod.partial and value is None):
        yield (
            f"{pod.path}.automountServiceAccountToken is not false{malformed_note(value)}: set it to false unless "
            "the pod calls the Kubernetes API (IRSA web-identity tokens are mounted separately)."
        )


def _high_uid(pod: PodSpec, cfg: Mapping[str, Any]) -> Check:
    minimum = number(cfg["minUid"]) or 10000.0

    # A malformed value is said where it is set, even where every container sets its own: the API
    # server refuses the pod for it. Each place read apart (each_part), so one unknown at preview
    # leaves the rule undecided without hiding a malformed value known beside it.
    def malformed_at(at: str, holder: Any, context: str = "securityContext") -> Callable[[], Check]:
        def part() -> Check:
            value = get(holder, f"{context}.runAsUser")
            if value is not None and _uid(value) is None:
                yield (
                    f"{at}.{context}.runAsUser is {shown(value)}: not an integer, which the API "
                    f"server refuses there; run as a UID >= {int(minimum)}."
                )

        return part

    yield from each_part(
        malformed_at(pod.path, pod.spec, pod.context_key),
        *(malformed_at(p, c) for p, c in pod.containers(*ALL)),
    )
    pod_value = pod.get(f"{pod.context_key}.runAsUser")
    for path, container in pod.containers(*ALL):
        own = get(container, "securityContext.runAsUser")
        value = own if own is not None else pod_value
        if value is not None and _uid(value) is None:
            continue  # said above
        uid = _uid(value)
        if (uid is None and not pod.partial) or (uid is not None and uid < minimum):
            yield f"{path}.securityContext.runAsUser is {shown(uid)}: run as a UID >= {int(minimum)}."
    yield from _fragment_pod_value(
        pod,
        "runAsUser",
        lambda v: (uid := _uid(v)) is not None and uid < minimum,
        "is {value}",
        f"run as a UID >= {int(minimum)}",
    )


def _fragment_pod_value(pod: PodSpec, field: str, bad: Callable[[Any], bool], said_: str, fix: str) -> Check:
    """A fragment's (a Patch's, an operator's pod template's) pod-level ``securityContext.<field>`` that
    ``bad`` refuses: it applies to every container of the pod the fragment does not name, so it is said
    at the pod, where no container of the fragment says it already (one that inherits it). ``said_``:
    how the value is said, ``{value}`` and ``{note}`` (:func:`malformed_note`) filled in."""
    value = pod.get(f"{pod.context_key}.{field}")
    if not pod.partial or value is None or not bad(value):
        return
    if all(get(container, f"securityContext.{field}") is not None for _, container in pod.containers(*ALL)):
        said_value = said_.format(value=shown(value), note=malformed_note(value))
        yield f"{pod.path}.{pod.context_key}.{field} {said_value}: {fix}."


def _uid(value: Any) -> float | None:
    """A ``runAsUser`` as the API server takes it: a JSON integer (int64), which reaches a policy as an
    int or a whole float; None for anything else. Text (``"20000"``) is no UID: Kubernetes' JSON
    decoding refuses a string for an integer field, as a CRD's ``type: integer`` schema does, so it
    must not pass as a high UID (:func:`number` would read it); nor does a fraction, NaN or an infinity."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    amount = number(value)
    return amount if amount is not None and amount.is_integer() else None


def _quantity(value: Any) -> Any:
    """A GPU request or limit to compare: its amount (``1``, ``"1"`` and ``"1000m"`` are one GPU), or as
    written when it is no quantity (k8s-resources-bounded refuses it)."""
    amount = quantity(value)
    return str(value) if amount is None else amount


def _gpu_pods(pod: PodSpec, cfg: Mapping[str, Any]) -> Check:
    gpu = str(cfg["gpuResourceName"])
    uses_gpu = False
    for path, container in pod.containers(*RUNNING):
        requests, limits = get(container, "resources.requests"), get(container, "resources.limits")
        requested = requests.get(gpu) if is_map(requests) else None
        limited = limits.get(gpu) if is_map(limits) else None
        if requested is None and limited is None:
            # A patch's container without GPU resources may still get them from what it patches.
            visible = None if pod.partial else _visible_devices(container)
            if visible is not None:
                yield (
                    f"{path}.env NVIDIA_VISIBLE_DEVICES={visible!r} exposes the node's GPUs without allocating "
                    f"any (the NVIDIA runtime honours it): request them with limits['{gpu}'] instead, which "
                    "sets it to the allocated devices."
                )
            continue
        uses_gpu = True
        if limited is None:
            yield f"{path}.resources.limits['{gpu}'] is unset: GPUs are allocated from limits; set it."
        elif requested is not None and _quantity(requested) != _quantity(limited):
            yield f"{path}.resources.requests['{gpu}'] differs from limits['{gpu}']: make them equal."
    if not uses_gpu or pod.partial:
        return
    yield from placement_problems(pod.path, pod.get, cfg, set(str_list(cfg["gpuNodeSelectorKeys"])))


#: What ``NVIDIA_VISIBLE_DEVICES`` says when it exposes no GPU (the NVIDIA container runtime's own values).
_NO_DEVICES = frozenset({"", "void", "none"})


def _visible_devices(container: Any) -> str | None:
    """The GPUs a container's own ``NVIDIA_VISIBLE_DEVICES`` exposes (``all``, ``0,1``, UUIDs), or None.
    A value taken from elsewhere (``valueFrom``: a ConfigMap, Secret or field) is read as exposing
    them: the policy cannot see it, and a CPU container has no reason to set it."""
    for entry in items(get(container, "env")):
        if is_map(entry) and get(entry, "name") == "NVIDIA_VISIBLE_DEVICES":
            if get(entry, "valueFrom") is not None:
                return "<valueFrom>"
            value = get(entry, "value")
            if isinstance(value, str) and value.strip().lower() not in _NO_DEVICES:
                return value
    return None


# --- rules -----------------------------------------------------------------------------

k8s_probes_configured = _workload_rule(
    "k8s-probes-configured",
    "Inference containers must define readiness and liveness probes (in the pod kinds the pack lists; an operator's "
    "kind, often a batch one, is not judged on availability). Fix: add readinessProbe and livenessProbe.",
    _probes,
    level=MANDATORY,
    severity=MEDIUM,
    reference="CKV_K8S_9",
    also="CKV_K8S_8",
)

k8s_resources_bounded = _workload_rule(
    "k8s-resources-bounded",
    "Containers must set CPU and memory requests and limits, each request and limit a Kubernetes quantity (in the pod "
    "kinds the pack lists; an operator's kind is not judged on capacity). Fix: set "
    "resources.requests/limits cpu and memory (positive limits) as quantities such as 500m, 2Gi.",
    _resources,
    level=MANDATORY,
    severity=MEDIUM,
    reference="CKV_K8S_10",
    also="CKV_K8S_11, CKV_K8S_12, CKV_K8S_13",
)

k8s_image_pinned_by_digest = _workload_rule(
    "k8s-image-pinned-by-digest",
    "Container images, image volumes' references and KServe models stored as OCI images (storageUri, "
    "storageUris[].uri, an LLMInferenceService's spec.model.uri: oci://...) should be pinned by digest, not a mutable tag "
    "(a KServe predictor model field without an image takes its runtime's, judged on the runtime, "
    "unless its runtimeVersion retags it). Fix: use "
    "image@sha256:<digest> (oci://image@sha256:<digest>).",
    _image_digest,
    level=ADVISORY,
    severity=LOW,
    any_kind=True,
    reference="CKV_K8S_43",
    also="CKV_K8S_14",
)

k8s_container_security_context = _workload_rule(
    "k8s-container-security-context",
    (
        "Containers must run unprivileged, without privilege escalation, with a read-only root filesystem, as "
        "non-root and with all capabilities dropped (in every kind: an operator's pod templates and bare containers "
        "are found by shape, a fragment it merges judged on what it sets; a patch written as text, Argo's podSpecPatch or "
        "Kyverno's patchesJson6902, is read, and refused where it cannot be). Fix: set securityContext privileged=false, "
        "allowPrivilegeEscalation=false, readOnlyRootFilesystem=true, runAsNonRoot=true (container or pod) "
        "and capabilities.drop=['ALL']; write a text patch literally."
    ),
    _security_context,
    level=MANDATORY,
    severity=HIGH,
    any_kind=True,
    reference="CKV_K8S_16",
    also="CKV_K8S_20, CKV_K8S_22, CKV_K8S_23, CKV_K8S_28, CKV_K8S_37",
)

k8s_no_host_namespaces = _workload_rule(
    "k8s-no-host-namespaces",
    "Pods must not share the host's PID, IPC or network namespace. Fix: remove hostPID/hostIPC/hostNetwork.",
    _host_namespaces,
    level=MANDATORY,
    severity=HIGH,
    any_kind=True,
    reference="CKV_K8S_17",
    also="CKV_K8S_18, CKV_K8S_19",
)

k8s_service_account_token_not_automounted = _workload_rule(
    "k8s-service-account-token-not-automounted",
    "Pods should not mount a Kubernetes API token they do not use. Fix: set automountServiceAccountToken=false.",
    _token_not_automounted,
    level=ADVISORY,
    severity=LOW,
    any_kind=True,
    reference="CKV_K8S_38",
)

k8s_run_as_high_uid = _workload_rule(
    "k8s-run-as-high-uid",
    "Containers should run as a high UID to avoid clashing with host users. Fix: set runAsUser >= minUid (10000).",
    _high_uid,
    level=ADVISORY,
    severity=LOW,
    any_kind=True,
    reference="CKV_K8S_40",
    config={"minUid": {"type": "integer", "default": 10000, "description": "Lowest acceptable runAsUser."}},
)

k8s_gpu_pods_well_formed = _workload_rule(
    "k8s-gpu-pods-well-formed",
    (
        "Pods that use GPUs (in the pod kinds the pack lists) must set the GPU in limits (requests equal to limits when "
        "given) and target GPU nodes "
        "through a GPU nodeSelector/affinity label whose value is a string that names GPU nodes (not false, 0 or empty; an "
        "affinity In such values, Exists without values or Gt >= 0, in every term) or a toleration of the GPU taint (its key, "
        "its effect or none, and Exists or, once gpuTaintValue is set, Equal to that value). Fix: set "
        "resources.limits['nvidia.com/gpu'] and a nodeSelector such as nvidia.com/gpu.present: 'true' or a "
        "toleration of nvidia.com/gpu:NoSchedule."
    ),
    _gpu_pods,
    level=MANDATORY,
    severity=HIGH,
    reference=None,
    config={
        "gpuResourceName": {
            "type": "string",
            "default": "nvidia.com/gpu",
            "description": "Extended resource name of the GPU.",
        },
        "gpuNodeSelectorKeys": {
            "type": "array",
            "items": {"type": "string"},
            "default": list(GPU_NODE_LABELS),
            "description": "Node labels that select GPU nodes, with any value but one that says no GPU: "
            "empty, false, no, off, none (any case) or a number <= 0 (the GPU operator relabels a node "
            "that lost its GPUs `nvidia.com/gpu.present=false`; a count label says 0). In affinity: In "
            "such values, Exists, or Gt an integer >= 0 (Lt never: it admits a count of 0, or no GPU count). Not "
            "`eks.amazonaws.com/nodegroup` by default: a node group's name says nothing about its "
            "instances (add it where every node group a GPU pod may name is a GPU one).",
        },
        "gpuTaintEffect": {
            "type": "string",
            "enum": ["NoSchedule", "PreferNoSchedule", "NoExecute"],
            "default": "NoSchedule",
            "description": "Effect of the GPU nodes' taint (key `gpuResourceName`; EKS and the NVIDIA "
            "device plugin's convention: NoSchedule). Only a toleration of this effect, or of none, "
            "tolerates it (of NoExecute, one without tolerationSeconds: the pod is evicted once they pass).",
        },
        "gpuTaintValue": {
            "type": ["string", "null"],
            "default": None,
            "description": 'Value of the GPU nodes\' taint ("" for a taint without one), or null: not '
            "known, and then a toleration naming the key counts whatever its value. When set, an `Equal` "
            "toleration (or one without operator: Kubernetes' default) counts only with this value; "
            "`Exists` (with no value) still counts.",
        },
    },
)

POLICIES = [
    k8s_probes_configured,
    k8s_resources_bounded,
    k8s_image_pinned_by_digest,
    k8s_container_security_context,
    k8s_no_host_namespaces,
    k8s_service_account_token_not_automounted,
    k8s_run_as_high_uid,
    k8s_gpu_pods_well_formed,
]
