"""``k8s-image-pinned-by-digest`` does not refuse an image KServe takes from another object
(policies/rules/kubernetes.py ``_image_digest``).

An InferenceService predictor's one-container fields (``model``, the per-framework predictors) inline a
v1.Container whose ``image`` is optional (PredictorExtensionSpec, serving.kserve.io/v1beta1): the
ServingRuntime/ClusterServingRuntime serving the model format gives the image. The rule read the absent
image as ``''`` and reported it unpinned (session 71's brief); the runtime's image is judged on the
runtime. An image the field does set is still judged, and a custom ``containers[]`` entry, which has no
other source, still is without one. So is an ``alibi``/``art`` explainer field (the review of session 71):
KServe gives it ``<inferenceservice-config image>:<runtimeVersion>`` (explainer_art.go GetContainer), a
tag, never a digest, and no runtime; and a predictor field's ``runtimeVersion``, which KServe's
UpdateImageTag makes the runtime image's tag. Direct evaluations of the one rule on built resources.
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
RUNTIME = "kubernetes:serving.kserve.io/v1alpha1:ClusterServingRuntime"
PINNED = "kserve/sklearnserver@sha256:" + "a" * 64
FIX = "is not pinned by digest: use <repository>@sha256:<digest>."


def report(resource_type: str, inputs: dict[str, Any]) -> Report:
    return evaluate_report(
        build([{"type": resource_type, "name": "m", "inputs": inputs}]), None, [get_policy(RULE)]
    )


def found(resource_type: str, inputs: dict[str, Any]) -> list[str]:
    result = report(resource_type, inputs)
    assert result.undecided == []
    return [v.message for v in result.violations]


def isvc(**spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": "churn"}, "spec": spec}


MODEL = {"modelFormat": {"name": "sklearn"}, "storageUri": "s3://models/churn"}


@pytest.mark.parametrize("image", [None, ""], ids=["absent", "empty"])
@pytest.mark.parametrize(
    "component,field",
    [
        ("predictor", "model"),
        ("predictor", "sklearn"),
        ("predictor", "triton"),
        ("predictor", "huggingface"),
    ],
)
def test_a_one_container_field_without_an_image_takes_it_elsewhere(
    component: str, field: str, image: Any
) -> None:
    container: dict[str, Any] = dict(MODEL)
    if image is not None:
        container["image"] = image
    spec = {"predictor": {"model": MODEL}, component: {field: container}}
    assert found(ISVC, isvc(**spec)) == []


@pytest.mark.parametrize("image", [None, ""], ids=["absent", "empty"])
@pytest.mark.parametrize("field", ["alibi", "art"])
def test_an_explainer_field_without_an_image_is_still_refused(field: str, image: Any) -> None:
    # Review of session 71: KServe gives it ``<explainers.<field>.image>:<runtimeVersion>`` from
    # inferenceservice-config (explainer_art.go GetContainer), a tag whatever the config says; no runtime.
    container: dict[str, Any] = dict(MODEL)
    if image is not None:
        container["image"] = image
    spec = {"predictor": {"model": MODEL}, "explainer": {field: container}}
    assert found(ISVC, isvc(**spec)) == [f"spec.explainer.{field}.image '' {FIX}"]


@pytest.mark.parametrize("field", ["model", "sklearn"])
def test_a_field_of_another_component_takes_no_runtime_image(field: str) -> None:
    # Only the predictor is served by a runtime (no TransformerSpec field is one; read as before the exemption).
    spec = {"predictor": {"model": MODEL}, "transformer": {field: dict(MODEL)}}
    assert found(ISVC, isvc(**spec)) == [f"spec.transformer.{field}.image '' {FIX}"]


def test_a_listed_inference_service_takes_its_runtime_image_too() -> None:
    inputs = {
        "items": [isvc(predictor={"model": MODEL}), isvc(predictor={"model": {**MODEL, "image": "s:1"}})]
    }
    assert found(ISVC + "List", inputs) == [f"items[1].spec.predictor.model.image 's:1' {FIX}"]


@pytest.mark.parametrize("field", ["model", "sklearn", "alibi"])
def test_an_image_the_field_sets_is_still_judged(field: str) -> None:
    component = "explainer" if field == "alibi" else "predictor"
    spec = {"predictor": {"model": MODEL}, component: {field: {**MODEL, "image": "kserve/server:latest"}}}
    assert found(ISVC, isvc(**spec)) == [f"spec.{component}.{field}.image 'kserve/server:latest' {FIX}"]
    spec[component][field]["image"] = PINNED
    assert found(ISVC, isvc(**spec)) == []


@pytest.mark.parametrize("image", [None, ""], ids=["absent", "empty"])
@pytest.mark.parametrize("component", ["predictor", "transformer"])
def test_a_custom_container_without_an_image_is_still_refused(component: str, image: Any) -> None:
    container: dict[str, Any] = {"name": "kserve-container"}
    if image is not None:
        container["image"] = image
    spec = {"predictor": {"model": MODEL}, component: {"containers": [container]}}
    assert found(ISVC, isvc(**spec)) == [f"spec.{component}.containers[0].image '' {FIX}"]


def test_a_sidecar_beside_a_model_without_an_image_is_still_refused() -> None:
    spec = {"predictor": {"model": MODEL, "containers": [{"name": "proxy"}]}}
    assert found(ISVC, isvc(**spec)) == [f"spec.predictor.containers[0].image '' {FIX}"]


def test_the_runtime_that_supplies_the_image_is_judged_on_it() -> None:
    runtime = {
        "spec": {"supportedModelFormats": [{"name": "sklearn"}], "containers": [{"name": "kserve-container"}]}
    }
    runtime["spec"]["containers"][0]["image"] = "kserve/sklearnserver:latest"
    assert found(RUNTIME, runtime) == [f"spec.containers[0].image 'kserve/sklearnserver:latest' {FIX}"]


def test_an_unknown_image_is_undecided() -> None:
    result = report(ISVC, isvc(predictor={"model": {**MODEL, "image": UNKNOWN_STRING_VALUE}}))
    assert [v.message for v in result.violations] == []
    assert result.undecided != []


@pytest.mark.parametrize("field", ["model", "sklearn"])
def test_a_runtime_version_without_an_image_runs_a_tag(field: str) -> None:
    # Review of session 71: KServe's UpdateImageTag replaces the runtime image's tag with runtimeVersion.
    spec = {"predictor": {field: {**MODEL, "runtimeVersion": "1.5.0"}}}
    retagged = [
        f"spec.predictor.{field}.runtimeVersion '1.5.0' runs the serving runtime's image by that tag, not by "
        f"digest: drop it and pin the runtime's image (or spec.predictor.{field}.image) by @sha256:<digest>."
    ]
    assert found(ISVC, isvc(**spec)) == retagged
    spec["predictor"][field]["image"] = ""
    assert found(ISVC, isvc(**spec)) == retagged
    # Last read of session 71: UpdateImageTag retags the merged container, the field's own image too:
    # a digest it pins becomes `repo@sha256:1.5.0` (the regexp replaces the last `:<word>`).
    spec["predictor"][field]["image"] = PINNED
    assert found(ISVC, isvc(**spec)) == retagged
    del spec["predictor"][field]["runtimeVersion"]
    assert found(ISVC, isvc(**spec)) == []
    spec["predictor"][field]["image"] = ""
    assert found(ISVC, isvc(**spec)) == []


def test_an_explainer_fields_runtime_version_is_judged_by_its_image() -> None:
    # An alibi/art field is not retagged by UpdateImageTag (no runtime merge): its image is judged.
    spec = {
        "predictor": {"model": MODEL},
        "explainer": {"alibi": {**MODEL, "runtimeVersion": "1", "image": PINNED}},
    }
    assert found(ISVC, isvc(**spec)) == []
