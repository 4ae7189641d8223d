"""``k8s-image-pinned-by-digest`` reads KServe models stored as OCI images (policies/rules/kubernetes.py
``_model_image_digests``).

KServe's "modelcars" take a model packaged as an OCI image: ``storageUri: oci://registry/model:tag``
(and ``oci+modelcar://``, ``oci+native://``, ``oci+fetch://``, pkg/utils/storage.go ``ParseOciScheme``)
becomes the image of a sidecar container or an image volume with the scheme cut, so a tag can change the
model served as a container's tag can change the server. The rule read containers and image volumes only:
an unpinned ``oci://registry/model:latest`` passed (session 71's brief). Each one-container field's
``storageUri`` (PredictorExtensionSpec, ExplainerExtensionSpec) and each component's ``storageUris[].uri``
(PredictorSpec, TransformerSpec, ExplainerSpec) with an OCI scheme is judged; other schemes are no images.
Direct evaluations of the one rule on built resources.
"""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.local import Report, evaluate_report
from policies.registry import get_policy
from tests.policies.conftest import build

RULE = "k8s-image-pinned-by-digest"
ISVC = "kubernetes:serving.kserve.io/v1beta1:InferenceService"
SERVER = "kserve/sklearnserver@sha256:" + "a" * 64
PINNED = "oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/models/churn@sha256:" + "b" * 64
FIX = "is an OCI image (KServe modelcar) not pinned by digest: use oci://<repository>@sha256:<digest>."


def isvc(predictor: dict[str, Any], **components: dict[str, Any]) -> dict[str, Any]:
    return {"metadata": {"name": "churn"}, "spec": {"predictor": predictor, **components}}


def model(uri: Any) -> dict[str, Any]:
    return {"model": {"modelFormat": {"name": "sklearn"}, "image": SERVER, "storageUri": uri}}


def report(inputs: dict[str, Any], resource_type: str = ISVC) -> Report:
    return evaluate_report(
        build([{"type": resource_type, "name": "m", "inputs": inputs}]), None, [get_policy(RULE)]
    )


def found(inputs: dict[str, Any], resource_type: str = ISVC) -> list[str]:
    result = report(inputs, resource_type)
    assert result.undecided == []
    return [v.message for v in result.violations]


@pytest.mark.parametrize(
    "uri",
    [
        "oci://registry.example.com/models/churn:latest",
        "oci://registry.example.com/models/churn",
        "oci+native://registry.example.com/models/churn:v3",
        "oci+modelcar://registry.example.com/models/churn:v3",
        "oci+fetch://registry.example.com/models/churn:v3",
        "oci+model_car.v2://registry.example.com/models/churn:v3",
        "oci+x://registry.example.com/models/churn:v3@sha257:" + "d" * 64,
    ],
    ids=[
        "tag",
        "no-tag",
        "native",
        "modelcar",
        "fetch",
        "any-other-mode-is-a-modelcar",
        "not-a-sha256-digest",
    ],
)
def test_an_oci_model_by_tag_is_refused_naming_the_field(uri: str) -> None:
    assert found(isvc(model(uri))) == [f"spec.predictor.model.storageUri {uri!r} {FIX}"]


@pytest.mark.parametrize(
    "uri",
    [
        PINNED,
        "oci+native://registry.example.com/models/churn@sha256:" + "c" * 64,
        "s3://models/churn/v3",
        "pvc://models/churn",
        "hf://org/churn",
        "gs://models/churn:latest",
        "OCI://registry.example.com/models/churn:latest",
        "registry.example.com/models/oci://churn:latest",
        "oci://registry.example.com/models/churn:v3@sha256:" + "e" * 64,
        "oci+://registry.example.com/models/churn:latest",
        "oci+native:/registry.example.com/models/churn:latest",
    ],
    ids=[
        "oci-by-digest", "native-by-digest", "s3", "pvc", "hf", "gs-with-colon",
        "upper-case-scheme-is-not-kserve-oci", "oci-not-at-the-start", "tag-and-digest",
        "empty-mode-is-not-oci", "no-scheme-separator",
    ],
)  # fmt: skip
def test_a_pinned_or_non_oci_model_uri_passes(uri: str) -> None:
    """KServe compares the scheme with ``strings.HasPrefix(uri, "oci://")``: another spelling is not
    pulled as an image (and no other scheme is an image)."""
    assert found(isvc(model(uri))) == []


def test_every_framework_field_and_explainer_is_read() -> None:
    tagged = "oci://registry.example.com/m:1"
    spec = isvc(
        {"sklearn": {"image": SERVER, "storageUri": tagged}},
        explainer={"art": {"image": SERVER, "storageUri": tagged}},
    )
    assert found(spec) == [
        f"spec.predictor.sklearn.storageUri {tagged!r} {FIX}",
        f"spec.explainer.art.storageUri {tagged!r} {FIX}",
    ]


def test_each_storage_uris_entry_of_each_component_is_read() -> None:
    tagged = "oci://registry.example.com/adapter:v2"
    transformer = {
        "containers": [{"name": "t", "image": SERVER}],
        "storageUris": [{"uri": "oci://registry.example.com/vocab:1", "mountPath": "/mnt/vocab"}],
    }
    predictor = model(PINNED)
    predictor["storageUris"] = [
        {"uri": PINNED, "mountPath": "/mnt/a"},
        {"uri": tagged, "mountPath": "/mnt/b"},
        {"uri": "s3://bucket/c", "mountPath": "/mnt/c"},
        "not-a-map",
    ]
    assert found(isvc(predictor, transformer=transformer)) == [
        f"spec.predictor.storageUris[1].uri {tagged!r} {FIX}",
        f"spec.transformer.storageUris[0].uri 'oci://registry.example.com/vocab:1' {FIX}",
    ]


def test_a_storage_uri_outside_an_inference_service_is_not_read() -> None:
    """Only KServe's kinds carry model URIs: the same key elsewhere is no field of the API."""
    deployment = {
        "metadata": {"name": "d"},
        "spec": {
            "template": {
                "spec": {
                    "containers": [{"name": "c", "image": SERVER}],
                    "storageUris": [{"uri": "oci://r/m:1"}],
                }
            }
        },
    }
    assert found(deployment, "kubernetes:apps/v1:Deployment") == []


def test_a_list_and_a_patch_are_read_on_what_they_set() -> None:
    tagged = "oci://registry.example.com/m:1"
    listed = {"items": [isvc(model(PINNED)), isvc(model(tagged))]}
    assert found(listed, ISVC + "List") == [f"items[1].spec.predictor.model.storageUri {tagged!r} {FIX}"]
    patch = {"metadata": {"name": "churn"}, "spec": {"predictor": {"model": {"storageUri": tagged}}}}
    assert found(patch, ISVC + "Patch") == [f"spec.predictor.model.storageUri {tagged!r} {FIX}"]
    assert (
        found({"metadata": {"name": "churn"}, "spec": {"predictor": {"minReplicas": 2}}}, ISVC + "Patch")
        == []
    )


def test_an_unknown_storage_uri_is_undecided() -> None:
    result = report(isvc(model(UNKNOWN_STRING_VALUE)))
    assert (bool(result.undecided), result.violations) == (True, [])
