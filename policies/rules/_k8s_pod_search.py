"""Pod specs found by their shape in Kubernetes objects whose kind the pack does not list.

:mod:`.kubernetes` reads pods at the paths of the kinds it knows (``POD_KINDS``). Operators embed the
same core/v1 ``PodTemplateSpec`` (``{metadata, spec: PodSpec}``) in their own kinds, which reach a
cluster through pulumi-kubernetes' ``apiextensions.CustomResource`` (type token
``kubernetes:<group>/<version>:<Kind>``), ``yaml/v2`` or a Helm chart Pulumi renders: Knative
Serving's ``Service`` (``spec.template.spec``, a RevisionTemplateSpec), KubeRay's
``RayCluster``/``RayService``/``RayJob`` (``headGroupSpec.template``, ``workerGroupSpecs[].template``,
``submitterPodTemplate``), Kubeflow's ``PyTorchJob``/``TFJob``
(``spec.<framework>ReplicaSpecs.<role>.template``), ``LeaderWorkerSet``
(``leaderWorkerTemplate.leaderTemplate``/``workerTemplate``), ``JobSet``
(``replicatedJobs[].template.spec.template``, a JobTemplateSpec's), Kubeflow Trainer's runtimes (a
JobSet template), Seldon (``componentSpecs[].spec``)... Argo Workflows embeds bare containers instead
(io.argoproj.workflow.v1alpha1.Template: ``container``, ``script``, ``containerSet.containers``,
``initContainers``, ``sidecars``), and so does Tekton (a Task's ``steps``, ``sidecars`` and
``stepTemplate``).

Rather than a list of kinds, :func:`find_pods` reads the shape, at any depth:

- a **pod spec** is a map whose ``containers`` is a list of maps, one a container map at least; its siblings
  (``initContainers``, ``ephemeralContainers``, ``hostNetwork``, ``volumes``, ``securityContext``...)
  are the pod's;
- a **bare-container holder** is a map with a list of container maps under ``sidecars``, ``steps`` or a
  key ending in ``Containers`` (a chart's ``extraContainers``, ``sidecarContainers``...),
  or one container under ``container``, ``script`` or ``stepTemplate``; its own ``securityContext``,
  ``volumes`` and host flags are read as the pod's, as an Argo template's are;
- a map under a key naming a pod's settings (:data:`POD_TEMPLATE_SUFFIXES`: Tekton's ``podTemplate``)
  holding pod-level fields is judged on them, with no container of its own;
- a **pod spec patch written as text** (Argo's ``podSpecPatch``, :data:`TEXT_PATCH_KEYS`) is parsed as YAML
  (JSON is YAML) and judged like a Patch; text that is no map (an expression chosen at submission) is
  said by ``k8s-container-security-context`` to leave the pod unjudged;
- a **Kustomize patch written as text** (a Flux Kustomization's or Argo CD Application's ``patches[].patch``,
  :data:`TEXT_OBJECT_PATCH_LISTS`) is parsed: an object patch searched by shape, JSON Patch operations
  read as the values they set, both judged like a Patch; text that is neither is said to leave the pods
  unjudged;
- Helm **values written as YAML text** (an Argo CD Application's ``helm.values``) are searched as the map
  they are (text that is no YAML, or holds an alias, is not); chart values (under ``values`` or
  ``valuesObject``) are read as the chart renders them (:mod:`._k8s_charts`): a section whose ``enabled``
  is false is left out, a pod flag written as a switch (``hostNetwork: {enabled: false}``) is its value;
- a **pod with its main container inline** (Spark's SparkPodSpec: ``spec.driver``, ``spec.executor``) is a
  map with ``podSecurityContext`` or Spark's sizes (``cores``, ``coreLimit``, ``memoryOverhead``...) beside
  a container's or pod's field: the map is its main container (``image``, ``securityContext``), its
  ``podSecurityContext`` the pod's, its ``sidecars``/``initContainers`` containers too;
- a map **above** a pod spec or bare container holding pod-level fields (or a default ``image``: a
  SparkApplication's ``spec.image``) (``hostNetwork``, ``hostPID``,
  ``hostIPC``, ``hostUsers``, ``securityContext``, ``volumes``, ``automountServiceAccountToken``) gives
  them to the pods below, as an Argo WorkflowSpec does every template's pod: judged as a pod with no
  containers, on what it sets (a map with such fields and no pod below is not judged);
- a **container map** has an ``image`` (a string where known) or a ``name`` beside another core/v1
  ``Container`` field: a map that merely has a key named ``containers`` whose items are not such maps
  (``[{"count": 3}]``, ``["a"]``, ``{"image": {"repository": ...}}``) is not judged.

A pod spec that is the ``spec`` of its parent (a ``PodTemplateSpec``, or the object's own spec) and
names every container's image is the pod as written, judged in full, its annotations read from the
``metadata`` beside it. Any other (a ``containers`` list elsewhere, Argo's ``containerSet``, a bare
container, an override naming no image such as a Kubeflow TrainJob's ``podTemplateOverrides[].spec``)
is a fragment its operator merges into a pod built from more than the map (Argo adds the workflow's
``securityContext``, ``templateDefaults`` and ``podSpecPatch``; Tekton the TaskRun's ``podTemplate``):
judged like a Patch, on what it sets.

A value unknown at preview may hide a pod where its key (or its parent's) is one pods sit under
(:func:`_may_hold_pods`: ``spec``, ``template``, ``containers``, ``*Spec(s)``, ``*Template(s)``,
``*Jobs``...): the rule is then undecided on the object after judging what is known; an unknown leaf
elsewhere (a name, an ARN) hides none. The object's own ``metadata`` is not searched.

Sources: core/v1 PodTemplateSpec and Container (kubernetes.io/docs/reference/kubernetes-api/
workload-resources/pod-template-v1/; a container without an image is refused, pkg/apis/core/validation
``field.Required(idxPath.Child("image"))``); KubeRay's RayCluster configuration
(docs.ray.io/en/latest/cluster/kubernetes/user-guides/config.html: ``headGroupSpec.template`` "Pod
template"); Knative's secure-pod-defaults (knative.dev/docs/serving/configuration/secure-pod-defaults:
``disabled`` by default, so a Service's template is the pod as written); Argo's
io.argoproj.workflow.v1alpha1.Template (argo-workflows docs/fields.md: ``container`` a v1.Container,
``initContainers``/``sidecars`` UserContainers, ``securityContext`` a PodSecurityContext, ``podSpecPatch``);
Kubeflow Trainer's job template (kubeflow.org/docs/components/trainer/operator-guides/job-template:
``replicatedJobs[].template.spec.template.spec``); LeaderWorkerSet (``leaderWorkerTemplate.leaderTemplate``
and ``workerTemplate``, PodTemplateSpecs); Tekton's Task (tekton.dev/docs/pipelines/tasks: ``steps``,
``sidecars``, ``stepTemplate``).

Imports nothing from ``components/`` or ``stacks/``: the pack governs any Pulumi program.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import yaml
from pulumi_policy.proxy import UnknownValueError

from ._common import is_map, is_seq
from ._k8s_charts import CHART_VALUES_KEYS, ChartValues
from ._k8s_text import json_patch_body, load_text, load_values_text, problem_of, string_keys

#: The fields of a core/v1 ``Container`` (k8s.io/api core/v1 types.go), ``targetContainerName`` an
#: ephemeral container's: a map with a ``name`` and one of these is a container.
CONTAINER_FIELDS = frozenset(
    {
        "name", "image", "command", "args", "workingDir", "ports", "envFrom", "env", "resources",
        "resizePolicy", "restartPolicy", "restartPolicyRules", "volumeMounts", "volumeDevices",
        "livenessProbe", "readinessProbe", "startupProbe", "lifecycle", "terminationMessagePath",
        "terminationMessagePolicy", "imagePullPolicy", "securityContext", "stdin", "stdinOnce", "tty",
        "targetContainerName",
    }
)  # fmt: skip
#: core/v1 PodSpec's lists of containers.
POD_SPEC_LISTS = ("containers", "initContainers", "ephemeralContainers")
#: Lists of containers: a PodSpec's, and those kinds run in one pod without a pod spec: Argo's and
#: Tekton's ``sidecars`` (beside a template's or task's main containers), Tekton's ``steps`` (a Task's
#: containers, run in order in its pod).
CONTAINER_LISTS = (*POD_SPEC_LISTS, "sidecars", "steps")
#: Keys holding one container where a kind embeds it without a pod spec: Argo's ``container`` and
#: ``script`` (a container with ``source``), Tekton's ``stepTemplate`` (merged into every step).
SINGLE_CONTAINER_KEYS = ("container", "script", "stepTemplate")
#: core/v1 PodSpec fields a kind may set for the pods below the map holding them (an Argo WorkflowSpec's,
#: given every template's pod): a map with one of them above a pod spec or bare container is judged too.
POD_LEVEL_KEYS = frozenset(
    {
        "hostNetwork",
        "hostPID",
        "hostIPC",
        "hostUsers",
        "securityContext",
        "volumes",
        "automountServiceAccountToken",
    }
)
#: Keys holding a pod spec patch written as text (YAML or JSON), merged into the pod: Argo's
#: ``podSpecPatch`` (a Template's and a WorkflowSpec's; argo-workflows docs/fields.md, "podSpecPatch holds
#: strategic merge patch to apply against the pod spec"). Parsed and judged like a Patch.
TEXT_PATCH_KEYS = frozenset({"podSpecPatch"})
#: Lists of Kustomize patches written as text (each a string, or an entry's ``patch``): a Flux
#: Kustomization's ``spec.patches[].patch``, an Argo CD Application's ``spec.source.kustomize.patches[].patch``,
#: Kustomize's ``patchesStrategicMerge[]`` and ``patchesJson6902[].patch``. Each is a strategic merge patch
#: of an object or JSON Patch operations, applied to the objects its ``target`` selects.
TEXT_OBJECT_PATCH_LISTS = frozenset({"patches", "patchesStrategicMerge", "patchesJson6902"})
#: Keys holding Helm chart values written as YAML text: an Argo CD Application's
#: ``spec.source.helm.values`` (its map form ``valuesObject`` is searched as any map). Searched by shape
#: like a Flux HelmRelease's ``spec.values`` and a ``helm.sh/v3`` Release's ``values``.
TEXT_VALUES_KEYS = frozenset({"values"})
#: Fields of a map that is a pod and its main container in one, Spark's SparkPodSpec (the Spark operator's
#: ``spec.driver`` and ``spec.executor``, sparkoperator.k8s.io/v1beta2): its ``podSecurityContext`` (a
#: PodSecurityContext) and Spark's sizes, beside the container's ``image``, ``securityContext`` (a
#: container SecurityContext), ``env``... and the pod's ``hostNetwork``, ``sidecars``, ``initContainers``.
INLINE_POD_MARKERS = frozenset({"podSecurityContext", "cores", "coreRequest", "coreLimit", "memoryOverhead"})
#: What a map above pods may give them besides :data:`POD_LEVEL_KEYS`: a default ``image`` (a
#: SparkApplication's ``spec.image``, its driver's and executors' unless they name their own).
SETTINGS_KEYS = POD_LEVEL_KEYS | {"image"}
#: Suffixes (lower-cased) of keys naming the settings of a pod an operator makes: a map there that sets
#: pod-level fields is judged on them (like a Patch) with no container below it. Tekton's TaskRun and
#: PipelineRun ``podTemplate`` (``spec.podTemplate``, ``spec.taskRunTemplate.podTemplate``,
#: ``spec.taskRunSpecs[].podTemplate``; v1beta1's ``taskPodTemplate``) is no pod spec: its
#: ``securityContext`` (a PodSecurityContext), ``hostNetwork``, ``volumes`` and
#: ``automountServiceAccountToken`` are the pod's, its containers the Task's (tekton.dev/docs/pipelines/podtemplates).
POD_TEMPLATE_SUFFIXES = ("pod", "pods", "podtemplate", "podtemplates", "podspec", "podspecs")
#: Keys (exactly) a pod or a container may sit under; and suffixes of such keys (lower-cased).
_POD_KEYS = frozenset(
    {"spec", "template", "templates", "containers", "initContainers", "ephemeralContainers", "sidecars",
     "container", "script", "containerSet", "items", "steps", "stepTemplate", "podSpecPatch"}
)  # fmt: skip
_POD_KEY_SUFFIXES = ("spec", "specs", "template", "templates", "jobs", "pod", "pods")


#: The API groups of Kubernetes' built-in kinds, as pulumi-kubernetes spells them in type tokens: the
#: API server's schema for each kind without a pod (ConfigMap, Service, RBAC...) has no place for one.
BUILT_IN_GROUPS = frozenset(
    {
        "core", "apps", "batch", "extensions", "autoscaling", "policy", "admissionregistration.k8s.io",
        "apiextensions.k8s.io", "apiregistration.k8s.io", "auditregistration.k8s.io", "certificates.k8s.io",
        "coordination.k8s.io", "discovery.k8s.io", "events.k8s.io", "flowcontrol.apiserver.k8s.io",
        "lifecycle.k8s.io", "meta", "networking.k8s.io", "node.k8s.io", "rbac.authorization.k8s.io",
        "resource.k8s.io", "scheduling.k8s.io", "settings.k8s.io", "storage.k8s.io",
        "storagemigration.k8s.io",
    }
)  # fmt: skip
#: pulumi-kubernetes' own tokens that are no Kubernetes object: a ``helm.v3.Release`` (never searched as a
#: whole: its chart ``values`` are, apart, :mod:`._k8s_objects`), and the ``yaml``/``kustomize``/``helm`` components whose objects are
#: registered (and checked) as resources of their own.
PULUMI_GROUPS = frozenset({"helm", "helm.sh", "kustomize", "yaml"})
#: Groups whose objects quote pod specs as patterns to match or patches to apply, not pods to run:
#: Kyverno's policies (``validate.pattern: {spec: {containers: [{securityContext: {privileged:
#: "false"}}]}}``) and their reports: never searched as a whole. What a Kyverno policy's ``generate`` and
#: ``mutate`` rules make is read apart (:mod:`._k8s_kyverno`, through :mod:`._k8s_objects`).
QUOTING_GROUPS = frozenset({"kyverno.io", "policies.kyverno.io", "reports.kyverno.io", "wgpolicyk8s.io"})
#: Suffixes of the groups of controllers that make cloud resources from their objects, never a pod:
#: AWS Controllers for Kubernetes (``sagemaker.services.k8s.aws``, whose ``Model`` lists SageMaker
#: container definitions as ``containers[].image`` beside ``modelDataURL`` and ``environment``) and
#: Crossplane's AWS providers (``sagemaker.aws.upbound.io``, ``*.aws.crossplane.io``; their
#: namespaced ``*.aws.m.upbound.io``). What they describe runs in AWS, under the pack's AWS rules
#: where a program registers it itself; judging a SageMaker container as a pod's (seccomp,
#: runAsNonRoot) would refuse every one. Crossplane's provider-kubernetes (``kubernetes.crossplane.io``),
#: whose ``Object`` does make Kubernetes objects, is not one of them.
CLOUD_RESOURCE_GROUP_SUFFIXES = (
    ".services.k8s.aws",
    ".aws.upbound.io",
    ".aws.m.upbound.io",
    ".aws.crossplane.io",
)


def cloud_resource_group(group: str) -> bool:
    """Whether ``group`` is one of a controller of cloud resources (:data:`CLOUD_RESOURCE_GROUP_SUFFIXES`)."""
    return group.endswith(CLOUD_RESOURCE_GROUP_SUFFIXES)


@dataclass(frozen=True)
class FoundPod:
    """A pod spec or bare-container holder found by :func:`find_pods`."""

    path: str
    """Where it sits in the object (``spec.workerGroupSpecs[0].template.spec``)."""
    spec: Mapping[str, Any]
    partial: bool
    """A fragment merged into a pod built from more (judged like a Patch): not a PodTemplateSpec's spec."""
    singles: tuple[str, ...]
    """Keys of it holding one container (``container``, ``script``)."""
    lists: tuple[str, ...]
    """Further container lists counted with ``containers`` (``sidecars``, ``steps``)."""
    root: Any
    """The map holding its ``metadata`` (a PodTemplateSpec), or None."""
    prefix: str
    """``root``'s place in the object (``spec.template.``), for messages."""
    unreadable: str | None = None
    """Why a patch written as text (Argo's ``podSpecPatch``) could not be read as a map: its pod is not judged."""
    inline: bool = False
    """A pod and its main container in one map (Spark's SparkPodSpec): the map is a container too, its
    ``securityContext`` the container's and ``podSecurityContext`` the pod's."""
    settings: bool = False
    """A map above pods giving them pod-level fields (an Argo WorkflowSpec) and a default ``image`` (a
    SparkApplication's ``spec.image``)."""


def _keys(value: Mapping[str, Any]) -> list[str]:
    # Iterating a proxied map reads no value: ``key in proxy`` would read it, and raise when unknown.
    return [str(key) for key in value]


def _known(value: Mapping[str, Any], key: str) -> Any:
    """``value[key]``, None where it is unknown at preview."""
    try:
        return value[key]
    except UnknownValueError:
        return None


def is_container(value: Any, keyed: bool = False) -> bool:
    """A core/v1 Container by its shape: an ``image`` (a string where known), or a ``name`` beside
    another Container field; a ``name`` that is known is a string. ``keyed``: the map sits under a key
    that holds one container (:data:`SINGLE_CONTAINER_KEYS`), which says what it is: any Container
    field will do (a Tekton ``stepTemplate`` names no image)."""
    if not is_map(value):
        return False
    keys = set(_keys(value))
    if "name" in keys and not isinstance(_known(value, "name"), str | None):
        return False
    if "image" in keys:
        return isinstance(_known(value, "image"), str | None)
    return ("name" in keys or keyed) and bool(keys & (CONTAINER_FIELDS - {"name"}))


def _container_list(holder: Mapping[str, Any], key: str, patch: bool = False) -> bool:
    """Whether ``holder[key]`` is a list of maps one of which at least is a container (raises when it is
    unknown): every map of it is then judged as a container, so a privileged one is not hidden by a
    sibling the shape does not recognise (``{"name": "x"}``, which no pod would run)."""
    value = holder[key]
    return (
        is_seq(value)
        and all(is_map(item) for item in value)
        and any(is_container(item, patch) for item in value)
    )


def inline_pod(keys: list[str]) -> bool:
    """Whether a map with ``keys`` is a pod and its main container in one (:data:`INLINE_POD_MARKERS`
    beside a container's or a pod's field): Spark's SparkPodSpec."""
    present = set(keys)
    return bool(present & INLINE_POD_MARKERS) and bool(
        present & (CONTAINER_FIELDS | POD_LEVEL_KEYS) - {"name"}
    )


def _names_containers(key: str) -> bool:
    """A key other than :data:`CONTAINER_LISTS` naming a list of containers: ``*Containers`` (Helm's
    ``extraContainers``, ``extraInitContainers``, ``sidecarContainers``, ``additionalContainers``...)."""
    return key not in CONTAINER_LISTS and key.lower().endswith("containers")


def names_a_pod(key: str) -> bool:
    """Whether ``key`` names a pod's settings (:data:`POD_TEMPLATE_SUFFIXES`): Tekton's ``podTemplate``
    and ``taskPodTemplate``, Strimzi's ``template.pod``..."""
    return key.lower().endswith(POD_TEMPLATE_SUFFIXES)


def _may_hold_pods(key: str) -> bool:
    lowered = key.lower()
    return key in _POD_KEYS or lowered.endswith(_POD_KEY_SUFFIXES)


def find_pods(
    props: Any, skipped: tuple[str, ...] = (), *, patch: bool = False
) -> tuple[list[FoundPod], UnknownValueError | None]:
    """Every pod spec and bare-container holder in an object's inputs, at any depth (list items too),
    in document order, and the first value unknown at preview that may hide one. ``skipped``: top-level
    keys not searched (besides ``metadata``: a List's ``items``, read as objects of their own). ``patch``: the
    object is a patch (a Kyverno mutate rule's): every pod found is judged on what it sets, a map of a
    container list is a container by any Container field (a patch names no image), and pod-level fields
    are judged with no pod below them (a patch of ``spec.hostNetwork`` alone)."""
    found: list[FoundPod] = []
    settings: set[str] = set()  # paths of maps holding pod-level fields: judged where pods sit below them
    unknown: UnknownValueError | None = None
    # (path, value, its key, its parent's key, its parent map, whether it is chart values)
    pending: list[tuple[str, Any, str, str, Any, bool]] = [("", props, "", "", None, False)]
    while pending:
        path, value, key, parent_key, parent, chart = pending.pop()
        if key in TEXT_PATCH_KEYS and isinstance(value, str):
            found.extend(_text_patch(path, value))
            continue
        if isinstance(value, str) and _text_object_patch_key(key, parent_key):
            found.extend(_text_object_patch(path, value))
            continue
        if key in TEXT_VALUES_KEYS and isinstance(value, str):
            value = _text_values(value)  # Helm values as YAML text: searched as the map they are
        if is_seq(value):
            entries: list[tuple[str, Any, str, str, Any, bool]] = []
            for i in range(len(value)):
                try:
                    # A chart renders a list of its values verbatim (toYaml: extraDeploy, sidecars): an
                    # item's ``enabled`` is no switch of the chart's, so its maps are read as written.
                    entries.append((f"{path}[{i}]", value[i], key, parent_key, parent, False))
                except UnknownValueError as error:
                    if _may_hold_pods(key) or _may_hold_pods(parent_key):
                        unknown = unknown or error
            pending.extend(reversed(entries))
            continue
        if not is_map(value):
            continue
        chart = chart or key in CHART_VALUES_KEYS
        if chart and not isinstance(value, ChartValues) and {"apiVersion", "kind"} <= set(_keys(value)):
            chart = False  # a manifest in the values (a chart's extraObjects), rendered verbatim: no switches
        if chart and not isinstance(value, ChartValues):
            value = ChartValues(value)
        keys = _keys(value)
        # The object's own ObjectMeta holds no pod.
        unsearched: set[str] = set() if path else {"metadata", *skipped}
        try:
            pod = _pod_at(path, value, keys, key, parent, patch)
        except UnknownValueError as error:
            unknown, pod = unknown or error, None
        if pod is not None and patch:
            pod = replace(pod, partial=True)
        if pod is not None:
            found.append(pod)
            unsearched.update(CONTAINER_LISTS + pod.singles + pod.lists)
        elif SETTINGS_KEYS.intersection(keys):
            found.append(FoundPod(path, value, True, (), (), None, "", settings=True))
            if not (patch or names_a_pod(key)):
                settings.add(path)
        children: list[tuple[str, Any, str, str, Any, bool]] = []
        for child_key in keys:
            if child_key in unsearched:
                continue
            where = f"{path}.{child_key}" if path else child_key
            try:
                child = value[child_key]
            except UnknownValueError as error:
                if _may_hold_pods(child_key) or _may_hold_pods(key):
                    unknown = unknown or error
                continue
            children.append((where, child, child_key, key, value, chart))
        pending.extend(reversed(children))
    # A map above a pod whose pod-level fields the operator gives that pod (Argo's WorkflowSpec:
    # hostNetwork, securityContext, volumes, automountServiceAccountToken for every template's pod).
    pods = [pod.path for pod in found if pod.path not in settings]
    return [
        pod
        for pod in found
        if pod.path not in settings or any(p.startswith(f"{pod.path}." if pod.path else "") for p in pods)
    ], unknown


def _text_values(text: str) -> Any:
    """Helm values written as YAML text (:data:`TEXT_VALUES_KEYS`) as data, their aliases expanded as
    Helm's are (:func:`load_values_text`: an anchor hides no pod); None where they are no YAML."""
    try:
        return load_values_text(text)
    except yaml.YAMLError:
        return None  # not YAML, or aliased past what Helm expands: Helm refuses it, nothing is deployed


def _text_object_patch_key(key: str, parent_key: str) -> bool:
    """Whether a string at ``key`` (in a map under ``parent_key``) is a Kustomize patch written as text:
    an item of ``patchesStrategicMerge``, or the ``patch`` of an entry of ``patches``/``patchesJson6902``."""
    return key == "patchesStrategicMerge" or (key == "patch" and parent_key in TEXT_OBJECT_PATCH_LISTS)


def _text_object_patch(path: str, text: str) -> list[FoundPod]:
    """The pods a Kustomize patch written as text (:data:`TEXT_OBJECT_PATCH_LISTS`) sets: a strategic merge
    patch of an object (searched by shape, judged like a Patch) or JSON Patch operations (their values at
    their paths); text that is neither is :attr:`FoundPod.unreadable`."""
    try:
        patch = string_keys(load_text(text))  # Kustomize reads every key as a string
    except yaml.YAMLError as error:
        return [FoundPod(path, {}, True, (), (), None, "", unreadable=f"YAML: {problem_of(error)}")]
    why = None
    if isinstance(patch, list):
        patch, why = json_patch_body(text)
    elif patch is not None and not isinstance(patch, dict):
        why = f"a {type(patch).__name__}"
    if why is not None or patch is None:
        return [FoundPod(path, {}, True, (), (), None, "", unreadable=why)] if why else []
    pods, _ = find_pods(patch, patch=True)
    return [
        replace(pod, path=f"{path}.{pod.path}" if pod.path else path, prefix=f"{path}.{pod.prefix}")
        for pod in pods
    ]


def _text_patch(path: str, text: str) -> list[FoundPod]:
    """The pod spec patch ``text`` holds (:data:`TEXT_PATCH_KEYS`), judged like a Patch; one that is no
    YAML or JSON map (an Argo expression chosen at submission, ``{{inputs.parameters.patch}}``) is
    :attr:`FoundPod.unreadable`: the pod it patches cannot be judged."""
    try:
        patch = load_text(text)
    except yaml.YAMLError as error:
        return [FoundPod(path, {}, True, (), (), None, "", unreadable=f"YAML: {problem_of(error)}")]
    if patch is None:
        return []  # an empty patch changes nothing
    if not isinstance(patch, dict) or not all(isinstance(k, str) for k in patch):
        return [FoundPod(path, {}, True, (), (), None, "", unreadable=f"a {type(patch).__name__}")]
    keys = list(patch)
    pod = _pod_at(path, patch, keys, "", None)
    return [pod or FoundPod(path, patch, True, (), (), None, "")]


def _pod_at(
    path: str, value: Mapping[str, Any], keys: list[str], key: str, parent: Any, patch: bool = False
) -> FoundPod | None:
    """The pod spec or bare-container holder ``value`` is, or None; raises where an unknown container
    list or container leaves it undecided."""
    named = [k for k in CONTAINER_LISTS if k in keys] + [k for k in keys if _names_containers(k)]
    lists = tuple(k for k in named if _container_list(value, k, patch))
    singles = tuple(k for k in SINGLE_CONTAINER_KEYS if k in keys and is_container(value[k], keyed=True))
    extra = tuple(k for k in lists if k not in POD_SPEC_LISTS)
    if "containers" not in lists and inline_pod(keys):
        return FoundPod(path, value, True, singles, extra, None, "", inline=True)
    if not lists and not singles:
        return None
    # A PodTemplateSpec's spec (or the object's own) naming every container's image: a pod as written.
    # Without an image it is an override merged over another template (a Kubeflow TrainJob's
    # podTemplateOverrides[].spec): the API server refuses a Pod whose container has none.
    spec_key = path == "spec" or path.endswith(".spec")  # the map itself, not an item of a list named spec
    template = spec_key and "containers" in lists and not (extra or singles) and is_map(parent)
    if template and all("image" in _keys(container) for container in value["containers"]):
        return FoundPod(path, value, False, (), (), parent, path.removesuffix("spec"))
    # A fragment in a template's shape (a patch's `metadata` beside its `spec`) sets its pods'
    # annotations too: the legacy seccomp and AppArmor ones are read as a Patch's are.
    holder = parent if spec_key and is_map(parent) and "metadata" in _keys(parent) else None
    return FoundPod(path, value, True, singles, extra, holder, path.removesuffix("spec") if holder else "")
