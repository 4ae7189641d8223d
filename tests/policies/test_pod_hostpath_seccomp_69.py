"""The Pod Security Standards controls of ``policies/rules/kubernetes_pod_security.py``.

Each rule refuses the values the standards' baseline (mandatory here) or restricted (advisory) profile
forbids, and admits the near misses on the other side: hostPath volumes against emptyDir, configMap,
projected and PVC ones; a seccomp profile read as Kubernetes does (the pod's applies to each container
that sets none; a container's own overrides it); host ports, /proc mounts, Windows HostProcess,
SELinux options, AppArmor profiles, sysctls and a host in probes and lifecycle handlers. Pods go through the offline evaluator (the engine's
unknown-checking proxy), so a value unknown at preview is undecided, never passed.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pulumi_policy import EnforcementLevel
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.local import Report, evaluate_report
from policies.registry import POLICY_NAMES, get_policy
from policies.rules import kubernetes_pod_security
from tests.policies.conftest import build

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
PATCH = "kubernetes:apps/v1:DeploymentPatch"
POD_KIND = "kubernetes:core/v1:Pod"
AT = "spec.template.spec"
DIGEST = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/serve@sha256:" + "a" * 64
CONTEXT = {
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "runAsNonRoot": True,
    "capabilities": {"drop": ["ALL"]},
}
RUNTIME_DEFAULT = {"type": "RuntimeDefault"}
RULES = {
    "k8s-no-host-path-volumes": EnforcementLevel.MANDATORY,
    "k8s-no-host-ports": EnforcementLevel.MANDATORY,
    "k8s-no-host-probes": EnforcementLevel.MANDATORY,
    "k8s-seccomp-not-unconfined": EnforcementLevel.MANDATORY,
    "k8s-seccomp-profile-set": EnforcementLevel.ADVISORY,
    "k8s-restricted-volume-types": EnforcementLevel.ADVISORY,
    "k8s-default-proc-mount": EnforcementLevel.MANDATORY,
    "k8s-no-windows-host-process": EnforcementLevel.MANDATORY,
    "k8s-selinux-options-default": EnforcementLevel.MANDATORY,
    "k8s-apparmor-not-unconfined": EnforcementLevel.MANDATORY,
    "k8s-safe-sysctls-only": EnforcementLevel.MANDATORY,
}


def container(name: str = "server", **context: Any) -> dict[str, Any]:
    """A hardened container; ``context`` changes its securityContext (a value of None removes a key)."""
    merged = {k: v for k, v in {**CONTEXT, **context}.items() if v is not None}
    return {"name": name, "image": DIGEST, "securityContext": merged}


def pod(*containers: dict[str, Any], seccomp: Any = RUNTIME_DEFAULT, **fields: Any) -> dict[str, Any]:
    """A hardened pod spec (``seccomp`` None: no pod-level profile); ``fields`` are added to it, a
    ``securityContext`` one merged into the pod's."""
    context: dict[str, Any] = {"runAsNonRoot": True, "runAsUser": 10001}
    if seccomp is not None:
        context["seccompProfile"] = seccomp
    context.update(fields.pop("securityContext", {}))
    return {
        "containers": list(containers) or [container()],
        "automountServiceAccountToken": False,
        "securityContext": context,
        **fields,
    }


def deployment(spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "metadata": {"name": "model", "namespace": "serving"},
        "spec": {"template": {"spec": copy.deepcopy(spec)}},
    }


def report(rule: str, inputs: dict[str, Any], resource_type: str = DEPLOYMENT) -> Report:
    return evaluate_report(
        build([{"type": resource_type, "name": "w", "inputs": inputs}]), None, [get_policy(rule)]
    )


def found(rule: str, inputs: dict[str, Any], resource_type: str = DEPLOYMENT) -> list[str]:
    """The rule's messages on the one resource, decided at this preview."""
    result = report(rule, inputs, resource_type)
    assert result.undecided == []
    return [v.message for v in result.violations]


def undecided(rule: str, inputs: dict[str, Any]) -> bool:
    result = report(rule, inputs)
    return bool(result.undecided) and result.violations == []


# --- the pack ----------------------------------------------------------------------------------


def test_the_rules_are_in_the_pack_at_their_levels() -> None:
    assert [p.name for p in kubernetes_pod_security.POLICIES] == list(RULES)
    assert set(RULES) <= POLICY_NAMES
    for rule, level in RULES.items():
        assert get_policy(rule).enforcement_level == level, rule


@pytest.mark.parametrize("rule", list(RULES))
def test_a_hardened_pod_passes_every_rule(rule: str) -> None:
    spec = pod(container(), initContainers=[container("fetch")], volumes=[{"name": "tmp", "emptyDir": {}}])
    assert found(rule, deployment(spec)) == []
    assert found(rule, {"metadata": {"name": "w", "namespace": "serving"}, "spec": spec}, POD_KIND) == []


# --- hostPath volumes (baseline) ---------------------------------------------------------------

VOLUMES = [
    {"name": "tmp", "emptyDir": {"medium": "Memory", "sizeLimit": "1Gi"}},
    {"name": "config", "configMap": {"name": "server"}},
]
HOST_PATH_FIX = (
    "mounts a directory of the node: remove it; use an emptyDir for scratch space, a configMap, secret or "
    "projected volume for files, or a persistentVolumeClaim for data."
)


@pytest.mark.parametrize(
    "path", ["/", "/var/run/docker.sock", "/etc", "/proc", "/run/containerd/containerd.sock"]
)
def test_a_host_path_volume_is_refused_whatever_its_path(path: str) -> None:
    spec = pod(volumes=[*VOLUMES, {"name": "host", "hostPath": {"path": path, "type": ""}}])
    assert found("k8s-no-host-path-volumes", deployment(spec)) == [
        f"{AT}.volumes[2].hostPath (path {path!r}) {HOST_PATH_FIX}"
    ]


def test_a_patch_adding_a_host_path_volume_is_refused() -> None:
    spec = {"volumes": [{"name": "root", "hostPath": {"path": "/"}}]}
    assert found("k8s-no-host-path-volumes", deployment(spec), PATCH) == [
        f"{AT}.volumes[0].hostPath (path '/') {HOST_PATH_FIX}"
    ]


def test_a_host_path_whose_path_is_unknown_at_preview_is_still_refused() -> None:
    spec = pod(volumes=[{"name": "host", "hostPath": {"path": UNKNOWN_STRING_VALUE}}])
    assert found("k8s-no-host-path-volumes", deployment(spec)) == [
        f"{AT}.volumes[0].hostPath {HOST_PATH_FIX}"
    ]


@pytest.mark.parametrize(
    "volume",
    [
        pytest.param({"emptyDir": {}}, id="emptyDir"),
        pytest.param({"configMap": {"name": "server"}}, id="configMap"),
        pytest.param(
            {
                "projected": {
                    "sources": [{"serviceAccountToken": {"path": "token", "audience": "sts.amazonaws.com"}}]
                }
            },
            id="projected",
        ),
        pytest.param({"persistentVolumeClaim": {"claimName": "models"}}, id="persistentVolumeClaim"),
        pytest.param({"secret": {"secretName": "tls"}}, id="secret"),
    ],
)
def test_volumes_that_do_not_reach_the_node_pass(volume: dict[str, Any]) -> None:
    assert found("k8s-no-host-path-volumes", deployment(pod(volumes=[{"name": "v", **volume}]))) == []


# --- seccomp (baseline: not Unconfined; restricted: set) ---------------------------------------

UNCONFINED = "k8s-seccomp-not-unconfined"
SET = "k8s-seccomp-profile-set"
NOT_UNCONFINED_FIX = "seccompProfile.type is 'Unconfined': set it to RuntimeDefault."


def test_an_unconfined_pod_profile_is_refused() -> None:
    spec = pod(seccomp={"type": "Unconfined"})
    assert found(UNCONFINED, deployment(spec)) == [f"{AT}.securityContext.{NOT_UNCONFINED_FIX}"]


def test_an_unconfined_pod_profile_is_refused_even_where_every_container_overrides_it() -> None:
    """The admission controller refuses the pod-level field itself: a container added later inherits it."""
    spec = pod(container(seccompProfile=RUNTIME_DEFAULT), seccomp={"type": "Unconfined"})
    assert found(UNCONFINED, deployment(spec)) == [f"{AT}.securityContext.{NOT_UNCONFINED_FIX}"]


@pytest.mark.parametrize("key", ["containers", "initContainers", "ephemeralContainers"])
def test_an_unconfined_container_overriding_a_good_pod_profile_is_refused(key: str) -> None:
    spec = pod()
    spec[key] = [*spec.get(key, []), container("x", seccompProfile={"type": "Unconfined"})]
    index = len(spec[key]) - 1
    assert found(UNCONFINED, deployment(spec)) == [
        f"{AT}.{key}[{index}].securityContext.{NOT_UNCONFINED_FIX}"
    ]
    # The advisory rule leaves a profile set to Unconfined to the mandatory one.
    assert found(SET, deployment(spec)) == []


def test_a_patch_setting_an_unconfined_container_is_refused() -> None:
    spec = {"containers": [{"name": "server", "securityContext": {"seccompProfile": {"type": "Unconfined"}}}]}
    assert found(UNCONFINED, deployment(spec), PATCH) == [
        f"{AT}.containers[0].securityContext.{NOT_UNCONFINED_FIX}"
    ]


def test_a_seccomp_profile_unknown_at_preview_is_undecided() -> None:
    assert undecided(UNCONFINED, deployment(pod(seccomp={"type": UNKNOWN_STRING_VALUE})))
    assert undecided(
        SET, deployment(pod(container(seccompProfile={"type": UNKNOWN_STRING_VALUE}), seccomp=None))
    )


def test_a_pod_with_no_profile_anywhere_is_flagged_per_container() -> None:
    spec = pod(container(), seccomp=None, initContainers=[container("fetch")])
    fix = f"seccompProfile is unset, as is {AT}.securityContext.seccompProfile: set {AT}.securityContext.seccompProfile.type to RuntimeDefault."
    assert found(SET, deployment(spec)) == [
        f"{AT}.containers[0].securityContext.{fix}",
        f"{AT}.initContainers[0].securityContext.{fix}",
    ]
    assert found(UNCONFINED, deployment(spec)) == []


def test_a_pod_profile_covers_containers_that_set_none() -> None:
    spec = pod(container(), initContainers=[container("fetch")], ephemeralContainers=[container("debug")])
    assert found(SET, deployment(spec)) == []


def test_a_localhost_profile_needs_its_file() -> None:
    good = pod(seccomp={"type": "Localhost", "localhostProfile": "profiles/serve.json"})
    assert found(SET, deployment(good)) == []
    bad = pod(seccomp={"type": "Localhost"})
    assert found(SET, deployment(bad)) == [
        f"{AT}.securityContext.seccompProfile.type is 'Localhost' without localhostProfile: name the node's "
        "profile file."
    ]


def test_container_profiles_stand_in_for_the_pod_profile_only_when_every_container_sets_one() -> None:
    every = pod(
        container(seccompProfile=RUNTIME_DEFAULT),
        seccomp=None,
        initContainers=[
            container("fetch", seccompProfile={"type": "Localhost", "localhostProfile": "p.json"})
        ],
    )
    assert found(SET, deployment(every)) == []
    one_missing = copy.deepcopy(every)
    del one_missing["initContainers"][0]["securityContext"]["seccompProfile"]
    assert [m.split(":")[0] for m in found(SET, deployment(one_missing))] == [
        f"{AT}.initContainers[0].securityContext.seccompProfile is unset, as is {AT}.securityContext.seccompProfile"
    ]


def test_a_patch_silent_on_seccomp_is_not_judged_on_it() -> None:
    spec = {"containers": [{"name": "server", "image": DIGEST}]}
    assert found(SET, deployment(spec), PATCH) == []
    assert len(found(SET, deployment(spec))) == 1


# --- host ports, /proc, HostProcess, SELinux, AppArmor, sysctls (baseline) ---------------------


def _ports(*ports: dict[str, Any]) -> dict[str, Any]:
    return deployment(pod({**container(), "ports": list(ports)}))


def test_a_host_port_is_refused_and_zero_or_unset_passes() -> None:
    rule = "k8s-no-host-ports"
    assert found(rule, _ports({"containerPort": 8080, "hostPort": 8080})) == [
        f"{AT}.containers[0].ports[0].hostPort is 8080: remove it; expose the container through a Service."
    ]
    assert found(rule, _ports({"containerPort": 8080}, {"containerPort": 9090, "hostPort": 0})) == []
    assert found(rule, _ports({"containerPort": 8080}, {"containerPort": 9090, "hostPort": "9090"})) == [
        f"{AT}.containers[0].ports[1].hostPort is '9090': remove it; expose the container through a Service."
    ]


HOST_PROBES = "k8s-no-host-probes"
PROBE_FIX = "remove host; the kubelet probes the pod's own IP."
HANDLERS = ["livenessProbe", "readinessProbe", "startupProbe", "lifecycle.postStart", "lifecycle.preStop"]


def _with_handler(handler: str, action: str, **fields: Any) -> dict[str, Any]:
    """A hardened container whose ``handler`` (a dotted path: ``lifecycle.preStop``) runs ``action``."""
    body: dict[str, Any] = {action: {"port": 8080, **fields}}
    *parents, leaf = handler.split(".")
    nested: dict[str, Any] = {leaf: body}
    for parent in reversed(parents):
        nested = {parent: nested}
    return {**container(), **nested}


@pytest.mark.parametrize("handler", HANDLERS)
@pytest.mark.parametrize("action", ["httpGet", "tcpSocket"])
def test_a_host_in_a_probe_or_lifecycle_handler_is_refused_and_empty_or_unset_passes(
    handler: str, action: str
) -> None:
    """check_hostProbesAndHostLifecycle.go allows only "" and undefined, whatever the host: a node
    address, a name, ``localhost`` (the node's own loopback, as the kubelet sends the request)."""
    for host in ["10.0.0.1", "169.254.169.254", "localhost", "metadata.internal"]:
        spec = pod(_with_handler(handler, action, host=host))
        assert found(HOST_PROBES, deployment(spec)) == [
            f"{AT}.containers[0].{handler}.{action}.host is {host!r}: {PROBE_FIX}"
        ], host
    assert found(HOST_PROBES, deployment(pod(_with_handler(handler, action, host="")))) == []
    assert found(HOST_PROBES, deployment(pod(_with_handler(handler, action)))) == []


def test_exec_and_grpc_probes_name_no_host_and_pass() -> None:
    probes = {
        "livenessProbe": {"exec": {"command": ["/bin/health"]}},
        "readinessProbe": {"grpc": {"port": 8081, "service": "ready"}},
        "startupProbe": {"httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"}},
        "lifecycle": {
            "preStop": {"exec": {"command": ["/bin/drain"]}},
            "postStart": {"sleep": {"seconds": 1}},
        },
    }
    assert found(HOST_PROBES, deployment(pod({**container(), **probes}))) == []


def test_a_host_is_refused_in_init_and_ephemeral_containers_and_each_is_named() -> None:
    liveness = _with_handler("livenessProbe", "httpGet", host="10.0.0.1")
    stop = _with_handler("lifecycle.preStop", "tcpSocket", host="node")
    both = {**liveness, "readinessProbe": {"tcpSocket": {"port": 8080, "host": "10.0.0.2"}}}
    spec = pod(
        container(),
        initContainers=[{**liveness, "name": "fetch"}],
        ephemeralContainers=[{**stop, "name": "debug"}],
    )
    assert found(HOST_PROBES, deployment(spec)) == [
        f"{AT}.initContainers[0].livenessProbe.httpGet.host is '10.0.0.1': {PROBE_FIX}",
        f"{AT}.ephemeralContainers[0].lifecycle.preStop.tcpSocket.host is 'node': {PROBE_FIX}",
    ]
    assert found(HOST_PROBES, deployment(pod(both))) == [
        f"{AT}.containers[0].livenessProbe.httpGet.host is '10.0.0.1': {PROBE_FIX}",
        f"{AT}.containers[0].readinessProbe.tcpSocket.host is '10.0.0.2': {PROBE_FIX}",
    ]


def test_a_probe_host_is_judged_on_what_a_patch_sets_and_undecided_when_unknown() -> None:
    patch = deployment(
        {"containers": [{"name": "server", "livenessProbe": {"httpGet": {"port": 8080, "host": "n"}}}]}
    )
    assert found(HOST_PROBES, patch, PATCH) == [
        f"{AT}.containers[0].livenessProbe.httpGet.host is 'n': {PROBE_FIX}"
    ]
    assert found(HOST_PROBES, deployment({"containers": [{"name": "server", "image": DIGEST}]}), PATCH) == []
    unknown = pod(_with_handler("startupProbe", "httpGet", host=UNKNOWN_STRING_VALUE))
    assert undecided(HOST_PROBES, deployment(unknown))


@pytest.mark.parametrize(("proc_mount", "refused"), [("Unmasked", True), ("Default", False), (None, False)])
def test_only_the_default_proc_mount_passes(proc_mount: str | None, refused: bool) -> None:
    spec = pod(container(), initContainers=[container("fetch", procMount=proc_mount)])
    assert found("k8s-default-proc-mount", deployment(spec)) == (
        [f"{AT}.initContainers[0].securityContext.procMount is 'Unmasked': remove it (Default masks /proc)."]
        if refused
        else []
    )


@pytest.mark.parametrize(
    ("host_users", "refused"), [(False, False), ("false", True), (True, True), (None, True)]
)
def test_an_unmasked_proc_passes_only_in_a_user_namespace(host_users: Any, refused: bool) -> None:
    """check_procMount.go (1.34+) admits any procMount in a pod with ``hostUsers: false``; the string
    ``"false"`` is no user namespace (the API server refuses it: tests/policies/test_k8s_boolean_fields_70.py)."""
    spec = pod(container(procMount="Unmasked"), hostUsers=host_users)
    assert bool(found("k8s-default-proc-mount", deployment(spec))) == refused


def test_a_patch_unmasking_proc_is_judged_on_what_it_sets() -> None:
    rule = "k8s-default-proc-mount"
    unmasked = {"containers": [{"name": "server", "securityContext": {"procMount": "Unmasked"}}]}
    assert found(rule, deployment(unmasked), PATCH) == [
        f"{AT}.containers[0].securityContext.procMount is 'Unmasked': remove it (Default masks /proc)."
    ]
    assert found(rule, deployment({**unmasked, "hostUsers": False}), PATCH) == []


def test_a_host_users_unknown_at_preview_leaves_an_unmasked_proc_undecided() -> None:
    spec = pod(container(procMount="Unmasked"), hostUsers=UNKNOWN_STRING_VALUE)
    assert undecided("k8s-default-proc-mount", deployment(spec))


def test_a_windows_host_process_is_refused_at_pod_and_container_level() -> None:
    rule = "k8s-no-windows-host-process"
    spec = pod(
        container(windowsOptions={"hostProcess": "true"}),
        securityContext={"windowsOptions": {"hostProcess": True}},
    )
    assert found(rule, deployment(spec)) == [
        f"{AT}.securityContext.windowsOptions.hostProcess is true: remove it.",
        f"{AT}.containers[0].securityContext.windowsOptions.hostProcess is 'true', not a boolean, so malformed and "
        "refused by the API server: remove it.",
    ]
    spec = pod(container(windowsOptions={"hostProcess": False, "runAsUserName": "ContainerUser"}))
    assert found(rule, deployment(spec)) == []


def test_selinux_options_admit_the_container_types_and_levels_only() -> None:
    rule = "k8s-selinux-options-default"
    spec = pod(
        container(seLinuxOptions={"type": "spc_t", "role": "system_r"}),
        securityContext={"seLinuxOptions": {"user": "system_u", "level": "s0:c1,c2"}},
    )
    assert found(rule, deployment(spec)) == [
        f"{AT}.securityContext.seLinuxOptions.user is 'system_u': remove it.",
        f"{AT}.containers[0].securityContext.seLinuxOptions.type is 'spc_t': remove it or use "
        "['container_engine_t', 'container_init_t', 'container_kvm_t', 'container_t'].",
        f"{AT}.containers[0].securityContext.seLinuxOptions.role is 'system_r': remove it.",
    ]
    spec = pod(
        container(seLinuxOptions={"type": "container_init_t", "level": "s0:c3"}),
        securityContext={"seLinuxOptions": {"type": "container_t", "level": "s0:c1,c2"}},
    )
    assert found(rule, deployment(spec)) == []


@pytest.mark.parametrize(
    ("profile", "refused"),
    [
        ({"type": "Unconfined"}, True),
        ({"type": "RuntimeDefault"}, False),
        ({"type": "Localhost", "localhostProfile": "k8s-serve"}, False),
    ],
)
def test_an_unconfined_apparmor_profile_is_refused(profile: dict[str, Any], refused: bool) -> None:
    rule = "k8s-apparmor-not-unconfined"
    spec = pod(container(appArmorProfile=profile), securityContext={"appArmorProfile": profile})
    message = "appArmorProfile.type is 'Unconfined': remove it or set RuntimeDefault."
    assert found(rule, deployment(spec)) == (
        [f"{AT}.securityContext.{message}", f"{AT}.containers[0].securityContext.{message}"]
        if refused
        else []
    )


@pytest.mark.parametrize(
    ("name", "refused"),
    [
        ("kernel.msgmax", True),
        ("net.core.somaxconn", True),
        ("vm.overcommit_memory", True),
        ("net.ipv4.tcp_syncookies", False),
        ("net.ipv4.ip_unprivileged_port_start", False),
        ("net.ipv4.tcp_rmem", False),
        ("net.ipv4.tcp_wmem", False),
        ("net.ipv4.ip_local_reserved_ports", False),
        ("net.ipv4.tcp_mem", True),
        # Kubernetes 1.37's additions (kubernetes#138389), and a TCP sysctl still outside the set.
        ("net.ipv4.tcp_slow_start_after_idle", False),
        ("net.ipv4.tcp_notsent_lowat", False),
        ("net.ipv4.tcp_no_metrics_save", True),
        ("kernel.shm_rmid_forced", False),
        ("kernel/shm_rmid_forced", True),
    ],
)
def test_only_safe_sysctls_pass(name: str, refused: bool) -> None:
    spec = pod(
        securityContext={
            "sysctls": [{"name": "net.ipv4.tcp_keepalive_time", "value": "60"}, {"name": name, "value": "1"}]
        }
    )
    messages = found("k8s-safe-sysctls-only", deployment(spec))
    assert [m.split(":")[0] for m in messages] == (
        [f"{AT}.securityContext.sysctls[1].name is {name!r}"] if refused else []
    )


def test_a_safe_sysctl_spelt_with_slashes_is_refused_as_the_admission_controller_does() -> None:
    """check_sysctls.go looks ``name`` up as written: ``kernel/shm_rmid_forced`` is forbidden there
    though the kubelet reads it as ``kernel.shm_rmid_forced``; the fix names the dotted spelling."""
    spec = pod(securityContext={"sysctls": [{"name": "net/ipv4/tcp_syncookies", "value": "1"}]})
    assert found("k8s-safe-sysctls-only", deployment(spec)) == [
        f"{AT}.securityContext.sysctls[0].name is 'net/ipv4/tcp_syncookies': write it 'net.ipv4.tcp_syncookies'; "
        "the Pod Security admission controller refuses the slash-separated spelling of a safe sysctl."
    ]


# --- the legacy seccomp and AppArmor annotations (the API server copies them into the fields) ----


def _annotated(annotations: dict[str, Any], spec: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "metadata": {"name": "model", "namespace": "serving"},
        "spec": {"template": {"metadata": {"annotations": annotations}, "spec": spec or pod()}},
    }


ANNOTATIONS = f"{AT.removesuffix('spec')}metadata.annotations"
SECCOMP_FIX = "remove the annotation and set securityContext.seccompProfile.type to RuntimeDefault."
APPARMOR_FIX = "remove the annotation or set it to 'runtime/default' (or securityContext.appArmorProfile.type RuntimeDefault)."


def test_an_unconfined_seccomp_annotation_is_refused_for_the_pod_and_a_container_it_names() -> None:
    rule = "k8s-seccomp-not-unconfined"
    pod_key = "seccomp.security.alpha.kubernetes.io/pod"
    server = "container.seccomp.security.alpha.kubernetes.io/server"
    assert found(rule, _annotated({pod_key: "unconfined", server: "unconfined"})) == [
        f"{ANNOTATIONS}[{pod_key!r}] is 'unconfined': {SECCOMP_FIX}",
        f"{ANNOTATIONS}[{server!r}] is 'unconfined': {SECCOMP_FIX}",
    ]
    init = pod(container(), initContainers=[container("fetch")])
    fetch = "container.seccomp.security.alpha.kubernetes.io/fetch"
    assert found(rule, _annotated({fetch: "unconfined"}, init)) == [
        f"{ANNOTATIONS}[{fetch!r}] is 'unconfined': {SECCOMP_FIX}"
    ]
    # A container annotation naming no container of the pod is copied nowhere; the other values
    # become RuntimeDefault or Localhost.
    assert (
        found(rule, _annotated({"container.seccomp.security.alpha.kubernetes.io/other": "unconfined"})) == []
    )
    for value in ("runtime/default", "docker/default", "localhost/serve.json"):
        assert found(rule, _annotated({pod_key: value, server: value})) == []


def test_a_bare_pod_is_judged_on_its_own_annotations() -> None:
    key = "container.apparmor.security.beta.kubernetes.io/server"
    inputs = {
        "metadata": {"name": "w", "namespace": "serving", "annotations": {key: "unconfined"}},
        "spec": pod(),
    }
    assert found("k8s-apparmor-not-unconfined", inputs, POD_KIND) == [
        f"metadata.annotations[{key!r}] is 'unconfined': {APPARMOR_FIX}"
    ]


@pytest.mark.parametrize(
    ("value", "refused"),
    [
        ("unconfined", True),
        ("runtime/default", False),
        ("localhost/k8s-serve", False),
        ("", False),
        ("docker/default", True),
        ("localhost", True),
    ],
)
def test_an_apparmor_annotation_is_read_as_admission_reads_it(value: str, refused: bool) -> None:
    """check_appArmorProfile.go: empty, runtime/default or localhost/*, whatever container the key names."""
    key = "container.apparmor.security.beta.kubernetes.io/any-name"
    messages = found("k8s-apparmor-not-unconfined", _annotated({key: value, "team": "ml"}))
    assert messages == ([f"{ANNOTATIONS}[{key!r}] is {value!r}: {APPARMOR_FIX}"] if refused else [])


def test_an_annotation_unknown_at_preview_is_undecided_only_where_it_counts() -> None:
    unknown = {"container.apparmor.security.beta.kubernetes.io/server": UNKNOWN_STRING_VALUE}
    assert undecided("k8s-apparmor-not-unconfined", _annotated(unknown))
    assert found("k8s-seccomp-not-unconfined", _annotated(unknown)) == []
    assert found("k8s-apparmor-not-unconfined", _annotated({"config-hash": UNKNOWN_STRING_VALUE})) == []
    assert undecided("k8s-apparmor-not-unconfined", _annotated(UNKNOWN_STRING_VALUE))  # type: ignore[arg-type]


def test_a_cron_job_and_a_list_name_their_annotations_path() -> None:
    key = "seccomp.security.alpha.kubernetes.io/pod"
    template = {"metadata": {"annotations": {key: "unconfined"}}, "spec": pod()}
    cron = {
        "metadata": {"name": "w", "namespace": "serving"},
        "spec": {"jobTemplate": {"spec": {"template": template}}},
    }
    assert found("k8s-seccomp-not-unconfined", cron, "kubernetes:batch/v1:CronJob") == [
        f"spec.jobTemplate.spec.template.metadata.annotations[{key!r}] is 'unconfined': {SECCOMP_FIX}"
    ]
    listed = {"items": [{"metadata": {"name": "a", "namespace": "serving"}, "spec": {"template": template}}]}
    assert found("k8s-seccomp-not-unconfined", listed, "kubernetes:apps/v1:DeploymentList") == [
        f"items[0].spec.template.metadata.annotations[{key!r}] is 'unconfined': {SECCOMP_FIX}"
    ]


def test_a_patch_is_judged_on_the_annotations_it_sets() -> None:
    key = "container.apparmor.security.beta.kubernetes.io/server"
    patch = {
        "metadata": {"name": "model"},
        "spec": {"template": {"metadata": {"annotations": {key: "unconfined"}}}},
    }
    assert found("k8s-apparmor-not-unconfined", patch, PATCH) == [
        f"{ANNOTATIONS}[{key!r}] is 'unconfined': {APPARMOR_FIX}"
    ]
    unknown = {
        "metadata": {"name": "model"},
        "spec": {"template": {"metadata": {"annotations": UNKNOWN_STRING_VALUE}}},
    }
    assert report("k8s-apparmor-not-unconfined", unknown, PATCH).undecided
    assert found("k8s-no-host-path-volumes", unknown, PATCH) == []
    silent = {
        "metadata": {"name": "model"},
        "spec": {"template": {"spec": {"containers": [{"name": "server"}]}}},
    }
    assert found("k8s-apparmor-not-unconfined", silent, PATCH) == []


@pytest.mark.parametrize(
    ("annotations", "flagged"),
    [
        ({"seccomp.security.alpha.kubernetes.io/pod": "runtime/default"}, []),
        ({"seccomp.security.alpha.kubernetes.io/pod": "localhost/serve.json"}, []),
        ({"container.seccomp.security.alpha.kubernetes.io/server": "docker/default"}, ["fetch"]),
        ({"container.seccomp.security.alpha.kubernetes.io/server2": "runtime/default"}, ["server", "fetch"]),
        ({"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}, ["server", "fetch"]),
        ({"team": "ml"}, ["server", "fetch"]),
    ],
)
def test_a_legacy_seccomp_annotation_stands_in_for_an_unset_field(
    annotations: dict[str, str], flagged: list[str]
) -> None:
    """The API server copies a confining annotation into the unset field, which admission then reads."""
    spec = pod(container(), initContainers=[container("fetch")], seccomp=None)
    messages = found("k8s-seccomp-profile-set", _annotated(annotations, spec))
    paths = {"server": f"{AT}.containers[0]", "fetch": f"{AT}.initContainers[0]"}
    assert [m.split(".seccompProfile is unset")[0] for m in messages] == [
        f"{paths[name]}.securityContext" for name in flagged
    ]


def test_a_host_port_on_an_init_container_is_refused() -> None:
    """check_hostPorts.go visits init containers too (ephemeral ones may not declare ports at all)."""
    init = {**container("fetch"), "ports": [{"containerPort": 53, "hostPort": 53}]}
    assert found("k8s-no-host-ports", deployment(pod(container(), initContainers=[init]))) == [
        f"{AT}.initContainers[0].ports[0].hostPort is 53: remove it; expose the container through a Service."
    ]


@pytest.mark.parametrize("value", ["2026-12-07T08:00:00Z", UNKNOWN_STRING_VALUE])
def test_a_rollout_restart_patch_passes_every_policy(value: str) -> None:
    """``kubectl rollout restart``'s patch sets only a template annotation: now that such a patch is
    read as a pod (for the AppArmor and seccomp annotations), no other rule may judge its empty spec."""
    annotations = {"kubectl.kubernetes.io/restartedAt": value}
    patch = {"metadata": {"name": "model"}, "spec": {"template": {"metadata": {"annotations": annotations}}}}
    result = evaluate_report(
        build([{"type": PATCH, "name": "w", "inputs": patch}]),
        None,
        [get_policy(n) for n in sorted(POLICY_NAMES)],
    )
    assert (result.violations, result.undecided) == ([], [])


def test_an_inference_service_component_is_judged_on_its_own_pod_annotations() -> None:
    """KServe adds a component's ``annotations`` to its pods, over the InferenceService's own (here overridden)."""
    key = "container.apparmor.security.beta.kubernetes.io/kserve-container"
    isvc = "kubernetes:serving.kserve.io/v1beta1:InferenceService"
    model = {"modelFormat": {"name": "sklearn"}, "storageUri": "s3://models/m", "securityContext": CONTEXT}
    inputs = {
        "metadata": {"name": "m", "namespace": "serving", "annotations": {key: "runtime/default"}},
        "spec": {
            "predictor": {"model": model, "annotations": {key: "unconfined"}},
            "transformer": {"containers": [container()], "annotations": {key: "localhost/t"}},
            "explainer": {"containers": [container()], "annotations": {key: "unconfined"}},
        },
    }
    assert found("k8s-apparmor-not-unconfined", inputs, isvc) == [
        f"spec.predictor.annotations[{key!r}] is 'unconfined': {APPARMOR_FIX}",
        f"spec.explainer.annotations[{key!r}] is 'unconfined': {APPARMOR_FIX}",
    ]


@pytest.mark.parametrize(
    "kind",
    [
        "kubernetes:serving.kserve.io/v1alpha1:ServingRuntime",
        "kubernetes:serving.kserve.io/v1alpha1:ClusterServingRuntime",
    ],
)
def test_a_serving_runtime_is_judged_on_the_annotations_it_adds_to_its_pods(kind: str) -> None:
    """ServingRuntimePodSpec's ``annotations`` are added to every predictor pod that uses the runtime."""
    key = "seccomp.security.alpha.kubernetes.io/pod"
    runtime = {
        "metadata": {"name": "rt", "namespace": "serving"},
        "spec": {"containers": [container("kserve-container")]},
    }
    assert found("k8s-seccomp-not-unconfined", runtime, kind) == []
    runtime["spec"]["annotations"] = {key: "unconfined"}
    assert found("k8s-seccomp-not-unconfined", runtime, kind) == [
        f"spec.annotations[{key!r}] is 'unconfined': {SECCOMP_FIX}"
    ]


def test_a_container_seccomp_annotation_counts_where_the_pod_may_hold_containers_not_listed() -> None:
    """A Patch's pods keep the containers it leaves alone, a serving runtime's pods get the
    InferenceService's, and an InferenceService's predictor gets its runtime's and a container KServe
    names: an annotation naming a container none of them lists still reaches the pod."""
    rule = "k8s-seccomp-not-unconfined"
    key = "container.seccomp.security.alpha.kubernetes.io/kserve-container"
    message = f"{ANNOTATIONS}[{key!r}] is 'unconfined': {SECCOMP_FIX}"
    patch = {
        "metadata": {"name": "model"},
        "spec": {"template": {"metadata": {"annotations": {key: "unconfined"}}}},
    }
    assert found(rule, patch, PATCH) == [message]
    patch["spec"]["template"]["spec"] = {"containers": [container("sidecar")]}
    assert found(rule, patch, PATCH) == [message]
    assert (
        found(
            rule,
            {**patch, "spec": {"template": {"metadata": {"annotations": {key: "runtime/default"}}}}},
            PATCH,
        )
        == []
    )
    # A whole Deployment lists every container of its pods: one named by no annotation is left alone.
    assert found(rule, _annotated({key: "unconfined"})) == []
    runtime = {
        "metadata": {"name": "rt", "namespace": "serving"},
        "spec": {"containers": [container("server")], "annotations": {key: "unconfined"}},
    }
    runtime_kind = "kubernetes:serving.kserve.io/v1alpha1:ServingRuntime"
    assert found(rule, runtime, runtime_kind) == [f"spec.annotations[{key!r}] is 'unconfined': {SECCOMP_FIX}"]
    model = {"modelFormat": {"name": "sklearn"}, "storageUri": "s3://models/m", "securityContext": CONTEXT}
    isvc = {
        "metadata": {"name": "m", "namespace": "serving"},
        "spec": {"predictor": {"model": model, "annotations": {key: "unconfined"}}},
    }
    isvc_kind = "kubernetes:serving.kserve.io/v1beta1:InferenceService"
    assert found(rule, isvc, isvc_kind) == [
        f"spec.predictor.annotations[{key!r}] is 'unconfined': {SECCOMP_FIX}"
    ]
    isvc["spec"]["predictor"]["annotations"] = {key: "runtime/default"}
    assert found(rule, isvc, isvc_kind) == []


@pytest.mark.parametrize("value", [{"name": "kernel.shm_rmid_forced"}, {}])
def test_a_map_where_a_name_or_type_belongs_is_refused_not_a_failure(value: dict[str, Any]) -> None:
    """A sysctl's ``name`` or an ``seLinuxOptions.type`` given as a map (no string Kubernetes takes)
    is refused naming its path; the rule does not fail on it (a map cannot be looked up in a set)."""
    sysctls = pod(securityContext={"sysctls": [{"name": value, "value": "1"}]})
    assert [m.split(" is ")[0] for m in found("k8s-safe-sysctls-only", deployment(sysctls))] == [
        f"{AT}.securityContext.sysctls[0].name"
    ]
    selinux = pod(container(seLinuxOptions={"type": value}))
    expected = [f"{AT}.containers[0].securityContext.seLinuxOptions.type"] if value else []
    assert [m.split(" is ")[0] for m in found("k8s-selinux-options-default", deployment(selinux))] == expected
    known = pod(
        container(seLinuxOptions={"type": "container_t"}),
        securityContext={"sysctls": [{"name": "kernel.shm_rmid_forced"}]},
    )
    assert found("k8s-safe-sysctls-only", deployment(known)) == []
    assert found("k8s-selinux-options-default", deployment(known)) == []


def test_an_inference_services_own_annotations_reach_its_components_pods() -> None:
    """KServe's predictor.go makes each component's pod annotations of the serving runtime's, the
    InferenceService's own ``metadata.annotations`` and the component's, in rising priority: the
    InferenceService's are read (once, whatever the components), a component's own overrides them."""
    key = "container.apparmor.security.beta.kubernetes.io/kserve-container"
    isvc = "kubernetes:serving.kserve.io/v1beta1:InferenceService"
    model = {"modelFormat": {"name": "sklearn"}, "storageUri": "s3://models/m", "securityContext": CONTEXT}
    spec = {"predictor": {"model": model}, "transformer": {"containers": [container()]}}
    inputs = {
        "metadata": {"name": "m", "namespace": "serving", "annotations": {key: "unconfined"}},
        "spec": spec,
    }
    message = f"metadata.annotations[{key!r}] is 'unconfined': {APPARMOR_FIX}"
    assert found("k8s-apparmor-not-unconfined", inputs, isvc) == [message]
    spec["predictor"]["annotations"] = {key: "runtime/default"}
    assert found("k8s-apparmor-not-unconfined", inputs, isvc) == [message]  # the transformer's pods
    spec["transformer"]["annotations"] = {key: "localhost/serve"}
    assert found("k8s-apparmor-not-unconfined", inputs, isvc) == []
    pod_key = "seccomp.security.alpha.kubernetes.io/pod"
    seccomp = {
        "metadata": {"name": "m", "namespace": "serving", "annotations": {pod_key: "unconfined"}},
        "spec": spec,
    }
    assert found("k8s-seccomp-not-unconfined", seccomp, isvc) == [
        f"metadata.annotations[{pod_key!r}] is 'unconfined': {SECCOMP_FIX}"
    ]
    patch = {"metadata": {"name": "m", "annotations": {key: "unconfined"}}}
    assert found("k8s-apparmor-not-unconfined", patch, f"{isvc}Patch") == [message]
    patch["metadata"]["annotations"] = {key: "runtime/default"}
    assert found("k8s-apparmor-not-unconfined", patch, f"{isvc}Patch") == []


@pytest.mark.parametrize("proc_mount", [None, "Default"])
def test_a_host_users_unknown_at_preview_decides_nothing_where_no_proc_is_unmasked(
    proc_mount: str | None,
) -> None:
    """hostUsers matters only to an Unmasked /proc: a pod that unmasks none passes at preview."""
    spec = pod(container(procMount=proc_mount), hostUsers=UNKNOWN_STRING_VALUE)
    result = report("k8s-default-proc-mount", deployment(spec))
    assert (result.violations, result.undecided) == ([], [])
