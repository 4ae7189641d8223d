"""Pod Security Standards controls the other Kubernetes hygiene rules do not cover.

The Pod Security Standards (kubernetes.io/docs/concepts/security/pod-security-standards/) forbid, in
their *baseline* profile, hostPath volumes, host ports, an ``Unconfined`` seccomp or AppArmor
profile, custom SELinux types, users and roles, an unmasked ``/proc``, Windows HostProcess
containers, sysctls outside a namespaced safe set and (Kubernetes 1.34+, KEP-4940) a ``host`` in a
probe's or lifecycle handler's ``httpGet``/``tcpSocket``; their *restricted* profile also demands a
seccomp profile (``RuntimeDefault`` or ``Localhost``) on every container and volumes of the core,
non-node types only (configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim,
projected, secret). None of these is needed by an inference pod, and each lets it reach the node or
storage past the cluster's PersistentVolumes. Baseline's controls are mandatory here,
restricted's advisory.

Every check reads the pod as Kubernetes does: a pod-level ``securityContext`` field applies to each
container that does not set its own, and the pod-security admission controller checks the pod-level
field, ``containers``, ``initContainers`` and ``ephemeralContainers`` alike; the legacy seccomp and
AppArmor annotations of the pods' metadata count where the API server or admission reads them. The
checks follow pod-security-admission's newest policy version (check_*.go). The pod specs, the kinds
carrying them, the namespaces exempted and the reading of a Patch (judged only on what it sets) are
:mod:`.kubernetes`'s; every rule here also judges the pods found by shape in kinds the pack does not
list (``any_kind``: Knative, KubeRay, Kubeflow, LeaderWorkerSet, JobSet, Argo, Tekton...). A value unknown at preview leaves the rule undecided on that resource (reading
it raises, as in the other rules).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._common import (
    ADVISORY,
    HIGH,
    MANDATORY,
    MEDIUM,
    get,
    get_or_none,
    is_map,
    items,
    number,
    shown,
)
from ._k8s_booleans import holds, malformed, said
from .kubernetes import ALL, Check, PodSpec, _workload_rule


def _pod_context(pod: PodSpec) -> tuple[str, Any]:
    return f"{pod.path}.{pod.context_key}", pod.get(pod.context_key)


def _contexts(pod: PodSpec) -> list[tuple[str, Any]]:
    """``(path, securityContext)`` of the pod and of each container, init and ephemeral container:
    every place the admission controller reads a container-or-pod field."""
    return [_pod_context(pod)] + [
        (f"{path}.securityContext", get(container, "securityContext"))
        for path, container in pod.containers(*ALL)
    ]


@dataclass(frozen=True)
class NoHostPathVolumes:
    """PSS baseline, "HostPath Volumes": ``spec.volumes[*].hostPath`` must be undefined. A hostPath
    volume mounts a node directory into the pod: ``/`` or ``/etc`` is the node, ``/var/run/docker.sock``
    or the containerd socket starts privileged containers, ``/proc`` reads every process. Checkov's
    CKV_K8S_27 refuses only the Docker socket; the profile refuses every path, and so does this rule."""

    def __call__(self, pod: PodSpec, _: Mapping[str, Any]) -> Check:
        for i, volume in enumerate(items(pod.get("volumes"))):
            host_path = get(volume, "hostPath")
            if host_path is not None:
                # The volume is refused whatever its path: one unknown at preview leaves nothing undecided.
                path = get_or_none(host_path, "path")
                named = f" (path {path!r})" if isinstance(path, str) else ""
                yield (
                    f"{pod.path}.volumes[{i}].hostPath{named} mounts a directory of the node: remove it; "
                    "use an emptyDir for scratch space, a configMap, secret or projected volume for files, or a "
                    "persistentVolumeClaim for data."
                )


@dataclass(frozen=True)
class NoHostPorts:
    """PSS baseline, "Host Ports": ``ports[*].hostPort`` of every container undefined or 0. A host port
    binds the node's address, past the Service and its NetworkPolicy, and pins one pod per node."""

    def __call__(self, pod: PodSpec, _: Mapping[str, Any]) -> Check:
        for path, container in pod.containers(*ALL):
            for i, port in enumerate(items(get(container, "ports"))):
                host_port = get(port, "hostPort")
                if host_port is not None and number(host_port) != 0:
                    yield (
                        f"{path}.ports[{i}].hostPort is {shown(host_port)}: remove it; expose the container "
                        "through a Service."
                    )


#: The handlers the admission controller reads a ``host`` in: the three probes, then the lifecycle hooks.
_HOST_HANDLERS = (
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "lifecycle.postStart",
    "lifecycle.preStop",
)


@dataclass(frozen=True)
class NoHostProbes:
    """PSS baseline (Kubernetes 1.34+, KEP-4940), "Host Probes / Lifecycle Hooks": ``httpGet.host`` and
    ``tcpSocket.host`` of every container's probes and ``lifecycle`` postStart/preStop handlers
    undefined or ``""`` (pod-security-admission's check_hostProbesAndHostLifecycle.go refuses any other
    string, ``localhost`` included). The kubelet sends the request from the node to whatever address
    is named, so a pod author can make the node reach addresses the pod's own network cannot. A
    ``tcpSocket`` lifecycle handler is deprecated but still read. ``exec`` and ``grpc`` have no host."""

    def __call__(self, pod: PodSpec, _: Mapping[str, Any]) -> Check:
        for path, container in pod.containers(*ALL):
            for handler in _HOST_HANDLERS:
                for action in ("httpGet", "tcpSocket"):
                    host = get(container, f"{handler}.{action}.host")
                    if host is not None and host != "":
                        yield (
                            f"{path}.{handler}.{action}.host is {shown(host)}: remove host; the kubelet "
                            "probes the pod's own IP."
                        )


#: The pre-1.19 seccomp annotations: the pod's, and each container's (the prefix and its name).
SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_CONTAINER_ANNOTATION = "container.seccomp.security.alpha.kubernetes.io/"


def _annotations(pod: PodSpec, *prefixes: str) -> list[tuple[str, str, Any]]:
    """``(path, key, value)`` of each annotation of the pods' metadata whose key starts with one of
    ``prefixes``: only those values are read, so another annotation unknown at preview decides nothing.
    Of a key in more than one map (an InferenceService's and its component's), the winning map's."""
    found: list[tuple[str, str, Any]] = []
    seen: set[str] = set()
    for at, source in pod.annotation_sources():
        keys = [key for key in (source if is_map(source) else {}) if str(key).startswith(prefixes)]
        found += [(f"{at}[{key!r}]", key, source[key]) for key in keys if key not in seen]
        seen.update(keys)
    return found


@dataclass(frozen=True)
class SeccompNotUnconfined:
    """PSS baseline, "Seccomp": ``seccompProfile.type`` must not be ``Unconfined`` at pod level nor in
    any container (the admission controller refuses the pod-level value even where every container
    overrides it). Unconfined lets the container make every system call the kernel has.

    The legacy annotations count too: ``seccomp.security.alpha.kubernetes.io/pod`` and
    ``container.seccomp.security.alpha.kubernetes.io/<container>`` set to ``unconfined``. The API
    server copies them into an unset field before admission (``applySeccompVersionSkew`` in the pod
    strategy), so the pod is refused (or, unenforced, runs Unconfined). Admission's own annotation
    check (``seccompProfileBaseline_1_0``) is only for policy versions before 1.19. The annotation is
    refused whether or not the field is set: it has no use left beside the field. A container's
    annotation counts when the pod has a container of that name, or may have one the object does not
    list: a Patch's pods keep the containers it leaves alone, and KServe merges a serving runtime's
    containers into an InferenceService's predictor pod."""

    def __call__(self, pod: PodSpec, _: Mapping[str, Any]) -> Check:
        for at, context in _contexts(pod):
            if get(context, "seccompProfile.type") == "Unconfined":
                yield f"{at}.seccompProfile.type is 'Unconfined': set it to RuntimeDefault."
        for at, key, value in _annotations(pod, SECCOMP_POD_ANNOTATION, SECCOMP_CONTAINER_ANNOTATION):
            # The API server copies a container's annotation only into the container it names. A pod
            # read in part (a Patch, a serving runtime) or an InferenceService component's (KServe names
            # its model container and merges a serving runtime's in) may hold containers not listed here.
            container = key.removeprefix(SECCOMP_CONTAINER_ANNOTATION)
            applies = (
                key == SECCOMP_POD_ANNOTATION
                or pod.partial
                or bool(pod.singles)
                or any(get(c, "name") == container for _, c in pod.containers(*ALL))
            )
            if applies and value == "unconfined":
                yield (
                    f"{at} is 'unconfined': remove the annotation and set securityContext.seccompProfile.type "
                    "to RuntimeDefault."
                )


@dataclass(frozen=True)
class SeccompProfileSet:
    """PSS restricted, "Seccomp": every container runs with a ``RuntimeDefault`` or ``Localhost``
    profile, its own or, where it sets none, the pod's (pod-security-admission's
    ``seccompProfile_restricted``: container-level fields may be undefined if the pod-level one is
    set). Kubernetes' default is Unconfined. ``Localhost`` needs its ``localhostProfile``. Values set
    to ``Unconfined`` are :class:`SeccompNotUnconfined`'s (mandatory); a Patch is judged on what it sets.
    Where the fields are unset, a legacy annotation the API server turns into a confined field
    (``runtime/default``, ``docker/default``, ``localhost/*``, by ``applySeccompVersionSkew``) counts
    as that field: the pod's, or the container's it names."""

    def __call__(self, pod: PodSpec, _: Mapping[str, Any]) -> Check:
        pod_at, pod_context = _pod_context(pod)
        pod_profile = get(pod_context, "seccompProfile")
        yield from self._localhost(pod_at, pod_profile)
        for path, container in pod.containers(*ALL):
            at = f"{path}.securityContext"
            own = get(container, "securityContext.seccompProfile")
            yield from self._localhost(at, own)
            if get(own, "type") is None and get(pod_profile, "type") is None and not pod.partial:
                if self._annotated(pod, get(container, "name")):
                    continue
                yield (
                    f"{at}.seccompProfile is unset, as is {pod_at}.seccompProfile: set "
                    f"{pod_at}.seccompProfile.type to RuntimeDefault."
                )

    @staticmethod
    def _annotated(pod: PodSpec, name: Any) -> bool:
        keys = (SECCOMP_POD_ANNOTATION, f"{SECCOMP_CONTAINER_ANNOTATION}{name}")
        return any(
            key in keys
            and isinstance(value, str)
            and (value in ("runtime/default", "docker/default") or value.startswith("localhost/"))
            for _, key, value in _annotations(pod, *keys)
        )

    @staticmethod
    def _localhost(at: str, profile: Any) -> Check:
        if get(profile, "type") == "Localhost" and not get(profile, "localhostProfile"):
            yield f"{at}.seccompProfile.type is 'Localhost' without localhostProfile: name the node's profile file."


@dataclass(frozen=True)
class DefaultProcMount:
    """PSS baseline, "/proc Mount Type": ``securityContext.procMount`` of every container undefined or
    ``Default``. ``Unmasked`` exposes the node's ``/proc`` paths the runtime masks (``/proc/kcore``,
    ``/proc/sysrq-trigger``...). Except in a pod with ``hostUsers: false``: its user namespace keeps
    those paths from the node, and pod-security admission admits any procMount there (check_procMount.go,
    ``procMount_1_34``: ``relaxPolicyForUserNamespacePod``; before 1.34 behind the
    UserNamespacesPodSecurityStandards gate). A Patch is judged on what it sets: one that unmasks
    /proc without setting ``hostUsers: false`` is refused."""

    def __call__(self, pod: PodSpec, _: Mapping[str, Any]) -> Check:
        unmasked = [
            (path, proc_mount)
            for path, container in pod.containers(*ALL)
            if (proc_mount := get(container, "securityContext.procMount")) is not None
            and proc_mount != "Default"
        ]
        # hostUsers is read only where a /proc is unmasked: one unknown at preview decides nothing else.
        # Only a real false is a user namespace ("false" is refused by the API server: _k8s_booleans).
        host_users = pod.get("hostUsers") if unmasked else None
        if not unmasked or holds(host_users, False):
            return
        note = (
            f" ({pod.path}.hostUsers is {said(host_users)}; it makes no user namespace)"
            if malformed(host_users)
            else ""
        )
        for path, proc_mount in unmasked:
            yield f"{path}.securityContext.procMount is {shown(proc_mount)}: remove it (Default masks /proc){note}."


@dataclass(frozen=True)
class NoWindowsHostProcess:
    """PSS baseline, "HostProcess": ``securityContext.windowsOptions.hostProcess`` undefined or false,
    at pod level and in every container. A HostProcess container runs on the Windows node itself, as
    a host account."""

    def __call__(self, pod: PodSpec, _: Mapping[str, Any]) -> Check:
        for at, context in _contexts(pod):
            host_process = get(context, "windowsOptions.hostProcess")
            if host_process is not None and not holds(host_process, False):
                yield f"{at}.windowsOptions.hostProcess is {said(host_process)}: remove it."


#: SELinux types the baseline profile allows (container_engine_t since Kubernetes 1.31, kubernetes#126165).
_SELINUX_TYPES = frozenset({"container_t", "container_init_t", "container_kvm_t", "container_engine_t"})


@dataclass(frozen=True)
class SelinuxOptionsDefault:
    """PSS baseline, "SELinux": ``seLinuxOptions.type`` undefined or one of the container types
    (container_t, container_init_t, container_kvm_t, container_engine_t), ``user`` and ``role``
    undefined, at pod level and in every container; ``level`` (the MCS categories) is free. Another
    type (``spc_t``, ``unconfined_t``) lifts the SELinux confinement off the container."""

    def __call__(self, pod: PodSpec, _: Mapping[str, Any]) -> Check:
        for at, context in _contexts(pod):
            options = get(context, "seLinuxOptions")
            selinux_type = get(options, "type")
            if selinux_type and not (isinstance(selinux_type, str) and selinux_type in _SELINUX_TYPES):
                yield f"{at}.seLinuxOptions.type is {shown(selinux_type)}: remove it or use {sorted(_SELINUX_TYPES)}."
            for field in ("user", "role"):
                if get(options, field):
                    yield f"{at}.seLinuxOptions.{field} is {shown(get(options, field))}: remove it."


#: The per-container AppArmor annotation of Kubernetes before 1.30 (the prefix; the container's name follows).
APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"


@dataclass(frozen=True)
class AppArmorNotUnconfined:
    """PSS baseline, "AppArmor": ``appArmorProfile.type`` (Kubernetes 1.30+) undefined,
    ``RuntimeDefault`` or ``Localhost``, at pod level and in every container: not ``Unconfined``.
    The older annotations ``container.apparmor.security.beta.kubernetes.io/*`` in the pods' metadata
    are read as admission reads them (check_appArmorProfile.go): empty, ``runtime/default`` or
    ``localhost/<profile>``, any other value (``unconfined``) refused, whichever container it names.
    KServe adds an InferenceService component's and a serving runtime's own ``annotations`` to the
    pods it makes, and the InferenceService's own ``metadata.annotations`` under a component's: all
    are read."""

    def __call__(self, pod: PodSpec, _: Mapping[str, Any]) -> Check:
        for at, context in _contexts(pod):
            if get(context, "appArmorProfile.type") == "Unconfined":
                yield f"{at}.appArmorProfile.type is 'Unconfined': remove it or set RuntimeDefault."
        for at, _key, value in _annotations(pod, APPARMOR_ANNOTATION):
            allowed = value in ("", None, "runtime/default") or (
                isinstance(value, str) and value.startswith("localhost/")
            )
            if not allowed:
                yield (
                    f"{at} is {shown(value)}: remove the annotation or set it to 'runtime/default' "
                    "(or securityContext.appArmorProfile.type RuntimeDefault)."
                )


#: The sysctls the baseline profile allows: namespaced to the pod, they cannot reach the node or
#: other pods. The newest policy version's set: ip_local_reserved_ports since 1.27 (kubernetes#115374),
#: the keepalive and fin_timeout ones since 1.29 (kubernetes#121240), tcp_rmem/wmem since 1.32
#: (kubernetes#127489), tcp_slow_start_after_idle/notsent_lowat since 1.37 (kubernetes#138389); a
#: cluster enforcing an older version refuses those.
SAFE_SYSCTLS = frozenset(
    {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
        "net.ipv4.tcp_rmem",
        "net.ipv4.tcp_wmem",
        "net.ipv4.tcp_slow_start_after_idle",
        "net.ipv4.tcp_notsent_lowat",
    }
)


@dataclass(frozen=True)
class SafeSysctlsOnly:
    """PSS baseline, "Sysctls": ``spec.securityContext.sysctls[*].name`` in the safe set, as written.
    The kubelet also takes ``/`` as the separator (``kernel/shm_rmid_forced``), but the admission
    controller does not: pod-security-admission's check_sysctls.go looks the name up unchanged in its
    allowed set, so it refuses the slash spelling, and so does this rule (its message gives the dotted one)."""

    def __call__(self, pod: PodSpec, _: Mapping[str, Any]) -> Check:
        at, context = _pod_context(pod)
        for i, sysctl in enumerate(items(get(context, "sysctls"))):
            name = get(sysctl, "name") if is_map(sysctl) else None
            if isinstance(name, str) and name in SAFE_SYSCTLS:  # a map for a name is not hashable
                continue
            dotted = name.replace("/", ".") if isinstance(name, str) else None
            if dotted in SAFE_SYSCTLS:
                yield (
                    f"{at}.sysctls[{i}].name is {shown(name)}: write it {dotted!r}; the Pod Security admission "
                    "controller refuses the slash-separated spelling of a safe sysctl."
                )
            else:
                yield f"{at}.sysctls[{i}].name is {shown(name)}: remove it; only {sorted(SAFE_SYSCTLS)} are safe."


#: The volume sources the restricted profile allows: pod-security-admission's check_restrictedVolumes.go
#: (``restrictedVolumes_1_0``, the one version, applied to every policy version since 1.0), plus
#: ``image`` since Kubernetes 1.33 (kubernetes#130394: an image volume is no more than the images the
#: pod may run anyway; added to ``restrictedVolumes_1_0`` itself, so a 1.33+ API server allows it at every
#: policy version). Every other source (nfs, iscsi, cephfs, rbd, gitRepo, flexVolume, the in-tree
#: cloud disks...) is restricted, and so would be a source the API adds that admission does not list: its
#: switch names such a volume as one of "restricted types". Those are reached through a PersistentVolume
#: and a persistentVolumeClaim.
ALLOWED_VOLUME_SOURCES = frozenset(
    {
        "configMap",
        "csi",
        "downwardAPI",
        "emptyDir",
        "ephemeral",
        "image",
        "persistentVolumeClaim",
        "projected",
        "secret",
    }
)
#: Every source a core/v1 ``Volume`` can name (``VolumeSource``'s 30 fields, k8s.io/api core/v1 types.go,
#: ``image`` the 30th): those the restricted profile allows, ``hostPath`` and those it refuses. A key
#: outside it is no volume type admission could judge: server-side apply (pulumi-kubernetes' default) refuses it
#: ("field not declared in schema", pulumi/pulumi-kubernetes#2125) and client-side apply drops it, leaving
#: the source written beside it, or a volume with no source, which the API server makes an emptyDir
#: (``SetDefaults_Volume``).
VOLUME_SOURCES = ALLOWED_VOLUME_SOURCES | frozenset(
    {
        "hostPath", "nfs", "iscsi", "glusterfs", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "fc",
        "gitRepo", "gcePersistentDisk", "awsElasticBlockStore", "azureFile", "azureDisk", "vsphereVolume",
        "quobyte", "photonPersistentDisk", "portworxVolume", "scaleIO", "storageos",
    }
)  # fmt: skip


@dataclass(frozen=True)
class RestrictedVolumeTypes:
    """PSS restricted, "Volume Types": every ``spec.volumes[*]`` uses one of
    :data:`ALLOWED_VOLUME_SOURCES`. A volume that names no source at all is an emptyDir (the API
    server's ``SetDefaults_Volume`` makes it one before admission reads it), so it passes; another
    volume type is refused, naming it. A key that is no volume source (one misspelt: ``configmap``) is
    refused too, said so: admission never sees it (:data:`VOLUME_SOURCES`), but the volume is not what
    was written either way. ``hostPath`` is restricted too, but refused by :class:`NoHostPathVolumes`
    (mandatory), so it is left to that rule, as :class:`SeccompProfileSet` leaves ``Unconfined`` to its
    baseline rule. Only a restricted key's value is read (unset when null): an allowed source unknown
    at preview decides nothing; a restricted one leaves the rule undecided (it may be null). A Patch is
    judged on the volumes it sets (a volume it names without a source keeps its source: nothing to
    judge)."""

    def __call__(self, pod: PodSpec, _: Mapping[str, Any]) -> Check:
        for i, volume in enumerate(items(pod.get("volumes"))):
            if not is_map(volume):
                yield f"{pod.path}.volumes[{i}] is {shown(volume)}, not a volume: {_VOLUME_FIX}"
                continue
            refused = [
                key
                for key in volume
                if key != "name"
                and key != "hostPath"
                and key not in ALLOWED_VOLUME_SOURCES
                and volume[key] is not None
            ]
            if not refused:
                continue
            name = get_or_none(volume, "name")
            at = f"{pod.path}.volumes[{i}]" + (f" ({name!r})" if isinstance(name, str) else "")
            if types := [str(key) for key in refused if key in VOLUME_SOURCES]:
                yield (
                    f"{at} is of type {', '.join(types)}, which the restricted Pod Security profile refuses: "
                    f"{_VOLUME_FIX}"
                )
            if unknown := [str(key) for key in refused if key not in VOLUME_SOURCES]:
                # What client-side apply leaves: the source written beside the key, or none (an emptyDir).
                kept = any(key in VOLUME_SOURCES and volume[key] is not None for key in volume)
                left = "it" if kept else "it and the volume becomes an emptyDir"
                yield (
                    f"{at} sets {', '.join(unknown)}: no Kubernetes volume source (misspelt?); server-side "
                    f"apply refuses it, client-side apply drops {left}. Spell the source as Kubernetes does, "
                    f"or {_VOLUME_FIX}"
                )


_VOLUME_FIX = (
    "mount the storage through a PersistentVolume and a persistentVolumeClaim, or use a configMap, csi, "
    "downwardAPI, emptyDir, ephemeral, image, projected or secret volume."
)


# --- rules -----------------------------------------------------------------------------

k8s_no_host_path_volumes = _workload_rule(
    "k8s-no-host-path-volumes",
    "Pods must not mount hostPath volumes (PSS baseline). Fix: remove volumes[].hostPath; use emptyDir, "
    "configMap, secret, projected or persistentVolumeClaim volumes.",
    NoHostPathVolumes(),
    level=MANDATORY,
    severity=HIGH,
    any_kind=True,
    reference="CKV_K8S_27",
)

k8s_no_host_ports = _workload_rule(
    "k8s-no-host-ports",
    "Containers must not bind host ports (PSS baseline). Fix: remove ports[].hostPort; expose a Service.",
    NoHostPorts(),
    level=MANDATORY,
    severity=MEDIUM,
    any_kind=True,
    reference="CKV_K8S_26",
)

k8s_no_host_probes = _workload_rule(
    "k8s-no-host-probes",
    "Probes and lifecycle handlers must not name a host (PSS baseline, Kubernetes 1.34+). Fix: remove "
    "httpGet.host and tcpSocket.host; the kubelet probes the pod's own IP.",
    NoHostProbes(),
    level=MANDATORY,
    severity=MEDIUM,
    any_kind=True,
    reference=None,
)

k8s_seccomp_not_unconfined = _workload_rule(
    "k8s-seccomp-not-unconfined",
    "Pods and containers must not set seccompProfile.type Unconfined, nor the legacy seccomp annotations "
    "'unconfined' (PSS baseline). Fix: set RuntimeDefault.",
    SeccompNotUnconfined(),
    level=MANDATORY,
    severity=HIGH,
    any_kind=True,
    reference="CKV_K8S_31",
)

k8s_seccomp_profile_set = _workload_rule(
    "k8s-seccomp-profile-set",
    "Every container should run with a RuntimeDefault or Localhost seccomp profile, its own or the pod's "
    "(PSS restricted). Fix: set the pod's securityContext.seccompProfile.type to RuntimeDefault.",
    SeccompProfileSet(),
    level=ADVISORY,
    severity=MEDIUM,
    any_kind=True,
    reference="CKV_K8S_31",
    also="CKV_K8S_32",
)

k8s_restricted_volume_types = _workload_rule(
    "k8s-restricted-volume-types",
    "Pods should use only the volume types of the restricted Pod Security profile: configMap, csi, "
    "downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret (PSS restricted; "
    "hostPath is k8s-no-host-path-volumes'). Fix: reach other storage (nfs, iscsi, cephfs, cloud disks...) "
    "through a PersistentVolume and a persistentVolumeClaim.",
    RestrictedVolumeTypes(),
    level=ADVISORY,
    severity=MEDIUM,
    any_kind=True,
    reference=None,
)

k8s_default_proc_mount = _workload_rule(
    "k8s-default-proc-mount",
    "Containers must not unmask /proc outside a user namespace (PSS baseline). Fix: remove "
    "securityContext.procMount or set Default (or run the pod with hostUsers: false).",
    DefaultProcMount(),
    level=MANDATORY,
    severity=HIGH,
    any_kind=True,
    reference=None,
)

k8s_no_windows_host_process = _workload_rule(
    "k8s-no-windows-host-process",
    "Pods must not run Windows HostProcess containers (PSS baseline). Fix: remove windowsOptions.hostProcess.",
    NoWindowsHostProcess(),
    level=MANDATORY,
    severity=HIGH,
    any_kind=True,
    reference=None,
)

k8s_selinux_options_default = _workload_rule(
    "k8s-selinux-options-default",
    "Pods and containers must not set a custom SELinux type, user or role (PSS baseline). Fix: remove "
    "seLinuxOptions.user/role and keep type unset or container_t (container_init_t, container_kvm_t, "
    "container_engine_t).",
    SelinuxOptionsDefault(),
    level=MANDATORY,
    severity=HIGH,
    any_kind=True,
    reference=None,
)

k8s_apparmor_not_unconfined = _workload_rule(
    "k8s-apparmor-not-unconfined",
    "Pods and containers must not set appArmorProfile.type Unconfined, nor a container.apparmor.security.beta."
    "kubernetes.io annotation other than runtime/default or localhost/* (PSS baseline). Fix: remove it or set "
    "RuntimeDefault.",
    AppArmorNotUnconfined(),
    level=MANDATORY,
    severity=HIGH,
    any_kind=True,
    reference=None,
)

k8s_safe_sysctls_only = _workload_rule(
    "k8s-safe-sysctls-only",
    "Pods must set only the safe, pod-namespaced sysctls, spelt with dots (PSS baseline). Fix: remove any other "
    "securityContext.sysctls entry.",
    SafeSysctlsOnly(),
    level=MANDATORY,
    severity=HIGH,
    any_kind=True,
    reference=None,
)

POLICIES = [
    k8s_no_host_path_volumes,
    k8s_no_host_ports,
    k8s_no_host_probes,
    k8s_seccomp_not_unconfined,
    k8s_seccomp_profile_set,
    k8s_restricted_volume_types,
    k8s_default_proc_mount,
    k8s_no_windows_host_process,
    k8s_selinux_options_default,
    k8s_apparmor_not_unconfined,
    k8s_safe_sysctls_only,
]
