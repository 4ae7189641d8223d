"""PSS restricted's "Volume Types": ``k8s-restricted-volume-types`` (policies/rules/kubernetes_pod_security.py).

pod-security-admission's check_restrictedVolumes.go admits a volume only of configMap, csi, downwardAPI,
emptyDir, ephemeral, persistentVolumeClaim, projected or secret (and image since 1.33,
kubernetes#130394); every other source is a "restricted volume type". Each allowed source passes alone
and each restricted one is named; a key that is no core/v1 volume source (a typo admission never sees)
is named as no source; a volume naming no source passes (the API
server defaults it to an emptyDir); hostPath is left to the mandatory ``k8s-no-host-path-volumes``.
Every pod-bearing kind and path is read, a Patch on what it sets, an unknown at preview undecided only
where it could change the verdict. Direct evaluations of the one rule on built resources.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pulumi_policy import EnforcementLevel
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.local import Report, evaluate_report
from policies.registry import get_policy
from policies.rules.kubernetes_pod_security import ALLOWED_VOLUME_SOURCES, VOLUME_SOURCES
from tests.policies.conftest import build

RULE = "k8s-restricted-volume-types"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
AT = "spec.template.spec"
FIX = (
    "which the restricted Pod Security profile refuses: mount the storage through a PersistentVolume and a "
    "persistentVolumeClaim, or use a configMap, csi, downwardAPI, emptyDir, ephemeral, image, projected or "
    "secret volume."
)

#: One valid volume of each source the restricted profile allows.
ALLOWED: dict[str, Any] = {
    "configMap": {"name": "server"},
    "csi": {"driver": "s3.csi.aws.com", "volumeAttributes": {"bucketName": "models"}},
    "downwardAPI": {"items": [{"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]},
    "emptyDir": {"medium": "Memory", "sizeLimit": "1Gi"},
    "ephemeral": {
        "volumeClaimTemplate": {
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}
        }
    },
    "image": {"reference": "registry.example/models/m@sha256:" + "b" * 64, "pullPolicy": "IfNotPresent"},
    "persistentVolumeClaim": {"claimName": "models"},
    "projected": {"sources": [{"serviceAccountToken": {"path": "token", "audience": "sts.amazonaws.com"}}]},
    "secret": {"secretName": "tls"},
}
#: One volume of each source the profile refuses (but hostPath, the baseline rule's).
RESTRICTED: dict[str, Any] = {
    "nfs": {"server": "fs-1.efs.eu-west-1.amazonaws.com", "path": "/"},
    "awsElasticBlockStore": {"volumeID": "vol-0123"},
    "gcePersistentDisk": {"pdName": "disk"},
    "gitRepo": {"repository": "https://example.com/repo.git"},
    "iscsi": {"targetPortal": "10.0.0.1:3260", "iqn": "iqn.2001-04.com.example:storage", "lun": 0},
    "glusterfs": {"endpoints": "glusterfs", "path": "vol"},
    "rbd": {"monitors": ["10.0.0.1:6789"], "image": "foo"},
    "flexVolume": {"driver": "example/lvm"},
    "cinder": {"volumeID": "v"},
    "cephfs": {"monitors": ["10.0.0.1:6789"]},
    "flocker": {"datasetName": "d"},
    "fc": {"wwids": ["w"]},
    "azureFile": {"secretName": "s", "shareName": "s"},
    "vsphereVolume": {"volumePath": "[ds] v.vmdk"},
    "quobyte": {"registry": "r:7861", "volume": "v"},
    "azureDisk": {"diskName": "d", "diskURI": "uri"},
    "photonPersistentDisk": {"pdID": "p"},
    "portworxVolume": {"volumeID": "v"},
    "scaleIO": {"gateway": "g", "system": "s", "secretRef": {"name": "s"}},
    "storageos": {"volumeName": "v"},
}


def pod(*volumes: dict[str, Any]) -> dict[str, Any]:
    return {
        "containers": [{"name": "server", "image": "serve@sha256:" + "a" * 64}],
        "volumes": list(volumes),
    }


def deployment(spec: dict[str, Any], namespace: str = "serving") -> dict[str, Any]:
    return {
        "metadata": {"name": "model", "namespace": namespace},
        "spec": {"template": {"spec": copy.deepcopy(spec)}},
    }


def report(inputs: dict[str, Any], resource_type: str = DEPLOYMENT, rule: str = RULE) -> Report:
    return evaluate_report(
        build([{"type": resource_type, "name": "w", "inputs": inputs}]), None, [get_policy(rule)]
    )


def found(inputs: dict[str, Any], resource_type: str = DEPLOYMENT, rule: str = RULE) -> list[str]:
    result = report(inputs, resource_type, rule)
    assert result.undecided == []
    return [v.message for v in result.violations]


def test_the_rule_is_advisory_and_allows_admissions_set() -> None:
    assert get_policy(RULE).enforcement_level == EnforcementLevel.ADVISORY
    assert set(ALLOWED) == ALLOWED_VOLUME_SOURCES


@pytest.mark.parametrize("source", sorted(ALLOWED))
def test_each_allowed_source_passes_alone_and_beside_the_others(source: str) -> None:
    assert found(deployment(pod({"name": "v", source: ALLOWED[source]}))) == []
    every = [{"name": f"v{i}", key: value} for i, (key, value) in enumerate(ALLOWED.items())]
    assert found(deployment(pod(*every))) == []


@pytest.mark.parametrize("source", sorted(RESTRICTED))
def test_each_restricted_source_is_named_with_its_volume(source: str) -> None:
    spec = pod({"name": "tmp", "emptyDir": {}}, {"name": "data", source: RESTRICTED[source]})
    assert found(deployment(spec)) == [f"{AT}.volumes[1] ('data') is of type {source}, {FIX}"]


#: What the rule says of a key that is no volume source (after the volume and the key).
NO_SOURCE = (
    ": no Kubernetes volume source (misspelt?); server-side apply refuses it, client-side apply drops it and the "
    "volume becomes an emptyDir. Spell the source as Kubernetes does, or mount the storage through a "
    "PersistentVolume and a persistentVolumeClaim, or use a configMap, csi, downwardAPI, emptyDir, ephemeral, "
    "image, projected or secret volume."
)
#: The same beside a source the volume keeps: client-side apply drops the key, the source stays.
NO_SOURCE_BESIDE_ONE = NO_SOURCE.replace(" drops it and the volume becomes an emptyDir.", " drops it.")


@pytest.mark.parametrize("source", sorted(ALLOWED))
def test_an_allowed_source_misspelt_is_no_allowed_source(source: str) -> None:
    """A key that is no volume source (a typo) is refused, named as written, and said to be no source:
    admission never sees it (session 70's second read: it was said a type the profile refuses)."""
    wrong = source.lower() if source != source.lower() else source.upper()
    assert found(deployment(pod({"name": "v", wrong: ALLOWED[source]}))) == [
        f"{AT}.volumes[0] ('v') sets {wrong}{NO_SOURCE}"
    ]


def test_the_sources_known_are_core_v1s_thirty() -> None:
    """k8s.io/api core/v1 VolumeSource: 30 fields (``image`` the 30th): the allowed, hostPath, the restricted."""
    assert set(ALLOWED) | set(RESTRICTED) | {"hostPath"} == VOLUME_SOURCES
    assert len(VOLUME_SOURCES) == 30


def test_a_restricted_type_and_a_key_that_is_no_source_are_each_said() -> None:
    spec = pod({"name": "d", "nfs": RESTRICTED["nfs"], "NFS": {}, "persistentVolume": {}})
    assert found(deployment(spec)) == [
        f"{AT}.volumes[0] ('d') is of type nfs, {FIX}",
        f"{AT}.volumes[0] ('d') sets NFS, persistentVolume{NO_SOURCE_BESIDE_ONE}",
    ]
    # A null key that is no source sets nothing.
    assert found(deployment(pod({"name": "d", "emptyDir": {}, "emptydir": None}))) == []


@pytest.mark.parametrize(
    ("beside", "said"),
    [
        pytest.param({"secret": ALLOWED["secret"]}, NO_SOURCE_BESIDE_ONE, id="an-allowed-source-stays"),
        pytest.param({"secret": None}, NO_SOURCE, id="a-null-source-is-none-so-an-empty-dir"),
        pytest.param({}, NO_SOURCE, id="alone-an-empty-dir"),
    ],
)
def test_what_client_side_apply_leaves_of_a_volume_with_a_key_that_is_no_source(
    beside: dict[str, Any], said: str
) -> None:
    """Client-side apply drops the key: the volume keeps the source written beside it, and only a
    volume left with none becomes an emptyDir (session 70's last read: it said emptyDir always)."""
    spec = pod({"name": "d", **beside, "configmap": {"name": "server"}})
    assert found(deployment(spec)) == [f"{AT}.volumes[0] ('d') sets configmap{said}"]


def test_a_volume_naming_no_source_is_an_empty_dir_and_passes() -> None:
    """SetDefaults_Volume (pkg/apis/core/v1/defaults.go) makes it an emptyDir before admission reads it;
    a null source is no source."""
    assert found(deployment(pod({"name": "scratch"}))) == []
    assert found(deployment(pod({"name": "scratch", "nfs": None}))) == []


def test_host_path_is_left_to_the_mandatory_rule() -> None:
    spec = pod({"name": "host", "hostPath": {"path": "/"}}, {"name": "nfs", "nfs": RESTRICTED["nfs"]})
    assert found(deployment(spec)) == [f"{AT}.volumes[1] ('nfs') is of type nfs, {FIX}"]
    assert len(found(deployment(spec), rule="k8s-no-host-path-volumes")) == 1


def test_a_volume_that_is_no_map_is_refused() -> None:
    assert found(deployment(pod("tmp"))) == [  # type: ignore[arg-type]
        f"{AT}.volumes[0] is 'tmp', not a volume: mount the storage through a PersistentVolume and a "
        "persistentVolumeClaim, or use a configMap, csi, downwardAPI, emptyDir, ephemeral, image, projected or "
        "secret volume."
    ]


@pytest.mark.parametrize(
    ("resource_type", "inputs", "at"),
    [
        pytest.param(
            "kubernetes:core/v1:Pod",
            {"metadata": {"name": "p", "namespace": "serving"}, "spec": pod({"name": "d", "nfs": {}})},
            "spec",
            id="pod",
        ),
        pytest.param(
            "kubernetes:apps/v1:StatefulSet",
            {"metadata": {"name": "s"}, "spec": {"template": {"spec": pod({"name": "d", "nfs": {}})}}},
            "spec.template.spec",
            id="statefulset",
        ),
        pytest.param(
            "kubernetes:batch/v1:Job",
            {"metadata": {"name": "j"}, "spec": {"template": {"spec": pod({"name": "d", "nfs": {}})}}},
            "spec.template.spec",
            id="job",
        ),
        pytest.param(
            "kubernetes:batch/v1:CronJob",
            {
                "metadata": {"name": "c"},
                "spec": {"jobTemplate": {"spec": {"template": {"spec": pod({"name": "d", "nfs": {}})}}}},
            },
            "spec.jobTemplate.spec.template.spec",
            id="cronjob",
        ),
        pytest.param(
            "kubernetes:apps/v1:DeploymentList",
            {
                "items": [
                    deployment(pod({"name": "d", "emptyDir": {}})),
                    deployment(pod({"name": "d", "nfs": {}})),
                ]
            },
            "items[1].spec.template.spec",
            id="list",
        ),
        pytest.param(
            "kubernetes:serving.kserve.io/v1beta1:InferenceService",
            {
                "metadata": {"name": "m", "namespace": "serving"},
                "spec": {
                    "predictor": {
                        "model": {"modelFormat": {"name": "sklearn"}},
                        "volumes": [{"name": "e", "emptyDir": {}}],
                    },
                    "transformer": {"containers": [{"name": "t"}], "volumes": [{"name": "d", "nfs": {}}]},
                },
            },
            "spec.transformer",
            id="inferenceservice-transformer",
        ),
        pytest.param(
            "kubernetes:serving.kserve.io/v1alpha1:ServingRuntime",
            {
                "metadata": {"name": "rt", "namespace": "serving"},
                "spec": {"volumes": [{"name": "d", "nfs": {}}]},
            },
            "spec",
            id="servingruntime",
        ),
        pytest.param(
            "kubernetes:serving.kserve.io/v1alpha1:ClusterServingRuntime",
            {"metadata": {"name": "rt"}, "spec": {"volumes": [{"name": "d", "nfs": {}}]}},
            "spec",
            id="clusterservingruntime",
        ),
    ],
)
def test_every_pod_bearing_kind_and_path_is_read(resource_type: str, inputs: dict[str, Any], at: str) -> None:
    assert found(inputs, resource_type) == [f"{at}.volumes[0] ('d') is of type nfs, {FIX}"]


def test_a_patch_is_judged_on_the_volumes_it_sets() -> None:
    patch = "kubernetes:apps/v1:DeploymentPatch"
    assert found(deployment(pod({"name": "d", "nfs": {}})), patch) == [
        f"{AT}.volumes[0] ('d') is of type nfs, {FIX}"
    ]
    # A volume named without a source keeps the one it has; a patch leaving volumes alone sets none.
    assert found(deployment(pod({"name": "d"})), patch) == []
    assert found(deployment({"containers": [{"name": "server", "image": "x"}]}), patch) == []


def test_an_exempt_namespace_is_skipped() -> None:
    assert found(deployment(pod({"name": "d", "nfs": {}}), namespace="kube-system")) == []


def test_an_unknown_is_undecided_only_where_it_could_change_the_verdict() -> None:
    # An allowed source's value unknown at preview: the volume passes whatever it is.
    assert found(deployment(pod({"name": "c", "configMap": UNKNOWN_STRING_VALUE}))) == []
    assert found(deployment(pod({"name": UNKNOWN_STRING_VALUE, "secret": {"secretName": "tls"}}))) == []
    # A restricted source's value unknown may be null (no source): undecided, not refused or passed.
    for inputs in (
        deployment(pod({"name": "d", "nfs": UNKNOWN_STRING_VALUE})),
        deployment(pod(UNKNOWN_STRING_VALUE)),  # type: ignore[arg-type]
        {"metadata": {"name": "m"}, "spec": {"template": {"spec": {"volumes": UNKNOWN_STRING_VALUE}}}},
    ):
        result = report(inputs)
        assert (bool(result.undecided), result.violations) == (True, []), inputs
    # The name is only for the message: unknown, it is left out.
    assert found(deployment(pod({"name": UNKNOWN_STRING_VALUE, "nfs": {}}))) == [
        f"{AT}.volumes[0] is of type nfs, {FIX}"
    ]
