"""Triton and KServe servings wired from a stack file: the approved artifact reaches KServe's storage
initializer through the serving's Pod Identity role, and preset errors name the file and key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner.recorder import record_stack_file
from policies.local import evaluate_report
from policies.registry import load_pack_config
from stacks.config import ConfigError
from tests.recorded import computed_once, recorded_stack
from tests.stacks.conftest import kubernetes_cut

TRITON = "nvcr.io/nvidia/tritonserver@sha256:" + "a" * 64
ARTIFACT = "s3://prod-artifacts-1a2b/models/prod-customer-churn-training/7/output/model.tar.gz"
ISVC = "kubernetes:serving.kserve.io/v1beta1:InferenceService"


def _triton(**serving: object):
    def edit(platform: dict) -> None:
        platform["kubernetes_serving"] = {
            "cluster_arn": "arn:aws:eks:eu-west-1:333333333333:cluster/ml",
            "servings": [{"name": "churn-triton", "image": TRITON, "server": "triton", **serving}],
        }

    return edit


def _with_kubeconfig(path) -> str:
    path.write_text(
        path.read_text().replace("config:\n", "config:\n  mlops-platform:kubeconfig: 'apiVersion: v1'\n", 1)
    )
    return str(path)


def _program_with(resolve):
    from stacks.model_packages import nothing_deployed
    from stacks.program import run

    return lambda source: run(
        source, resolver_factory=lambda config: resolve, deployed_factory=lambda config: nothing_deployed
    )


def test_kserve_triton_serves_the_approved_artifact_read_through_its_role(write_stack) -> None:
    from stacks.model_packages import ResolvedModelPackage

    def resolve(source: str) -> ResolvedModelPackage:
        arn = f"arn:aws:sagemaker:eu-west-1:333333333333:model-package/{source}/7"
        return ResolvedModelPackage(arn=arn, baselines=None, model_data_urls=(ARTIFACT,))

    serving = _triton(kserve={}, latest_approved_of="customer-churn")

    # The prod fixture cut to what its Kubernetes servings read (tests.stacks.conftest.kubernetes_cut):
    # the InferenceService, its role and policy and the pack's verdict on it are the whole fixture's.
    def edit(platform: dict) -> None:
        kubernetes_cut(platform)
        serving(platform)

    path = _with_kubeconfig(write_stack("prod", edit))
    # Recorded once per version of the code, of this module (its resolver) and of the document
    # (tests/recorded.py, computed_once); the graph holds nothing of the file's folder.
    text = Path(path).read_text()
    graph = computed_once(
        "kserve-triton", lambda: record_stack_file(path, _program_with(resolve)), key=[text]
    )

    assert graph.of_type("kubernetes:apps/v1:Deployment") == []
    [isvc] = graph.of_type(ISVC)
    predictor = isvc.inputs["spec"]["predictor"]
    [container] = predictor["containers"]
    env = {item["name"]: item["value"] for item in container["env"]}
    assert env["STORAGE_URI"] == ARTIFACT
    assert container["args"][0] == "--model-repository=/mnt/models"
    assert predictor["serviceAccountName"] == "churn-triton"
    [association] = graph.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert (association.inputs["namespace"], association.inputs["serviceAccount"]) == (
        "ml-serving",
        "churn-triton",
    )
    [policy] = [
        p for p in graph.of_type("aws:iam/rolePolicy:RolePolicy") if p.name.endswith("-artifact-read")
    ]
    read, _, _ = json.loads(policy.inputs["policy"])["Statement"]
    assert read["Resource"] == "arn:aws:s3:::" + ARTIFACT.removeprefix("s3://")
    report = evaluate_report(graph.resources, load_pack_config("prod"))
    assert [v for v in report.violations if v.resource_type == ISVC] == []


@pytest.mark.parametrize(
    ("serving", "message"),
    [
        pytest.param({"port": 8080}, "server triton sets port to 8000", id="triton-port"),
        pytest.param(
            {"latest_approved_of": "customer-churn"},
            "server triton with latest_approved_of needs kserve",
            id="triton-registry-without-kserve",
        ),
        pytest.param(
            {"kserve": {"deployment_mode": "Serverless"}}, "'RawDeployment' or 'Standard'", id="kserve-mode"
        ),
        pytest.param(
            {"kserve": {}, "target_gpu_utilization": 60},
            "kserve does not take target_gpu_utilization",
            id="kserve-gpu-hpa",
        ),
    ],
)
def test_preset_errors_name_the_file_and_key(write_stack, serving, message) -> None:
    path = write_stack("prod", _triton(**serving))
    with pytest.raises(ConfigError) as error:
        recorded_stack(_with_kubeconfig(path))
    assert f"{path}: mlops-platform:platform.kubernetes_serving.servings[0]" in str(error.value)
    assert message in str(error.value)
