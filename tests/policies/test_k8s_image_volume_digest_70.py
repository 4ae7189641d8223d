"""``k8s-image-pinned-by-digest`` reads image volumes too (policies/rules/kubernetes.py ``_image_digest``).

An image volume (core/v1 ``ImageVolumeSource``, Kubernetes 1.33+) mounts an image's files into the pod;
its ``reference`` "behaves in the same way as pod.spec.containers[*].image", so a tag can change what the
pod reads as it can what a container runs. The rule named only containers' images (session 70's second
read of the restricted volume types found the gap). Each volume's reference is judged as a container's
image: pinned by ``@sha256:`` or refused (unset too, outside a Patch), a Patch on what it sets, an unknown
at preview undecided. Direct evaluations of the one rule on built resources.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.local import Report, evaluate_report
from policies.registry import get_policy
from tests.policies.conftest import build

RULE = "k8s-image-pinned-by-digest"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
AT = "spec.template.spec"
PINNED = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/models/churn@sha256:" + "b" * 64
TAGGED = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/models/churn:v3"
FIX = "is not pinned by digest: use <repository>@sha256:<digest>."


def pod(*volumes: Any) -> dict[str, Any]:
    return {
        "containers": [{"name": "server", "image": "serve@sha256:" + "a" * 64}],
        "volumes": list(volumes),
    }


def deployment(spec: dict[str, Any]) -> dict[str, Any]:
    return {"metadata": {"name": "model"}, "spec": {"template": {"spec": copy.deepcopy(spec)}}}


def report(inputs: dict[str, Any], resource_type: str = DEPLOYMENT) -> Report:
    return evaluate_report(
        build([{"type": resource_type, "name": "w", "inputs": inputs}]), None, [get_policy(RULE)]
    )


def found(inputs: dict[str, Any], resource_type: str = DEPLOYMENT) -> list[str]:
    result = report(inputs, resource_type)
    assert result.undecided == []
    return [v.message for v in result.violations]


def test_an_image_volume_pinned_by_digest_passes() -> None:
    assert (
        found(
            deployment(pod({"name": "model", "image": {"reference": PINNED, "pullPolicy": "IfNotPresent"}}))
        )
        == []
    )


@pytest.mark.parametrize("reference", [TAGGED, "churn", "churn:latest", ""])
def test_an_image_volume_by_tag_is_refused_naming_the_volume(reference: str) -> None:
    spec = pod({"name": "tmp", "emptyDir": {}}, {"name": "model", "image": {"reference": reference}})
    assert found(deployment(spec)) == [f"{AT}.volumes[1].image.reference {reference!r} {FIX}"]


def test_an_image_volume_without_a_reference_is_refused_outside_a_patch() -> None:
    assert found(deployment(pod({"name": "model", "image": {"pullPolicy": "Always"}}))) == [
        f"{AT}.volumes[0].image.reference '' {FIX}"
    ]


def test_a_container_and_an_image_volume_are_each_said() -> None:
    spec = pod({"name": "model", "image": {"reference": TAGGED}})
    spec["containers"][0]["image"] = "serve:1.0"
    assert found(deployment(spec)) == [
        f"{AT}.containers[0].image 'serve:1.0' {FIX}",
        f"{AT}.volumes[0].image.reference {TAGGED!r} {FIX}",
    ]


@pytest.mark.parametrize(
    "volume",
    [{"name": "v", "image": None}, {"name": "v"}, {"name": "v", "rbd": {"image": "foo"}}, "v"],
    ids=["null-image", "no-source", "rbd-image-is-no-image-volume", "not-a-map"],
)
def test_what_is_no_image_volume_is_not_read(volume: Any) -> None:
    """``rbd.image`` names a Ceph image, not a container image; a malformed volume is another rule's."""
    assert found(deployment(pod(volume))) == []


def test_a_patch_is_judged_on_the_references_it_sets() -> None:
    patch = "kubernetes:apps/v1:DeploymentPatch"
    assert found(deployment(pod({"name": "model", "image": {"pullPolicy": "Always"}})), patch) == []
    assert found(deployment(pod({"name": "model", "image": {"reference": TAGGED}})), patch) == [
        f"{AT}.volumes[0].image.reference {TAGGED!r} {FIX}"
    ]


def test_a_pod_kind_reads_its_own_spec() -> None:
    inputs = {"metadata": {"name": "p"}, "spec": pod({"name": "model", "image": {"reference": TAGGED}})}
    assert found(inputs, "kubernetes:core/v1:Pod") == [f"spec.volumes[0].image.reference {TAGGED!r} {FIX}"]


def test_an_unknown_reference_is_undecided() -> None:
    result = report(deployment(pod({"name": "model", "image": {"reference": UNKNOWN_STRING_VALUE}})))
    assert (bool(result.undecided), result.violations) == (True, [])
