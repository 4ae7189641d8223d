"""A registry-backed Kubernetes serving: the approved version and its artifact reach the container, and
its role reads exactly that artifact."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest
from pydantic import ValidationError

from components.kubernetes.kubernetes_serving import (
    MODEL_PACKAGE_ANNOTATION,
    KubernetesServing,
    KubernetesServingArgs,
    KubernetesServingSpec,
    RegistryModel,
    kubernetes_provider,
)
from components.kubernetes.model_artifact_access import (
    ModelArtifactAccess,
    ModelArtifactAccessArgs,
    s3_object_arn,
)
from planner.recorder import ResourceGraph, record_program
from policies.local import evaluate_report
from policies.registry import load_pack_config
from tests.components.kubernetes_schema import validate_manifest
from tests.recorded import computed_once

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn@sha256:" + "0123456789abcdef" * 4
PACKAGE = "arn:aws:sagemaker:eu-west-1:111111111111:model-package/dev-customer-churn/7"
ARTIFACT = "s3://dev-artifacts-abc/models/dev-customer-churn-training/7/output/model.tar.gz"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"


def _spec(**changes: Any) -> KubernetesServingSpec:
    return KubernetesServingSpec.model_validate(
        {"name": "churn", "image": IMAGE, "latest_approved_of": "customer-churn", **changes}
    )


def _record(model: RegistryModel, spec: KubernetesServingSpec | None = None) -> ResourceGraph:
    def program() -> None:
        provider = kubernetes_provider("eks", "kubeconfig", cluster_identifier="arn:aws:eks:cluster")
        KubernetesServing(
            "churn",
            KubernetesServingArgs(spec=spec or _spec(), model=model),
            pulumi.ResourceOptions(providers=[provider]),
        )

    # Once per version of the code and of this file: the model and the spec as written are the key.
    return computed_once("serving", lambda: record_program(program), key=[repr((model, spec))])


def test_the_container_gets_the_approved_version_and_its_artifact() -> None:
    graph = _record(RegistryModel(package_arn=PACKAGE, model_data_url=ARTIFACT))
    [deployment] = graph.of_type(DEPLOYMENT)
    template = deployment.inputs["spec"]["template"]
    [container] = template["spec"]["containers"]
    env = {item["name"]: item["value"] for item in container["env"]}
    assert env["MODEL_PACKAGE_ARN"] == PACKAGE
    assert env["MODEL_DATA_URL"] == ARTIFACT
    # A new version changes the pod template: the Deployment rolls its pods (readiness-gated).
    assert template["metadata"]["annotations"] == {MODEL_PACKAGE_ANNOTATION: PACKAGE}


@pytest.mark.parametrize("version", ["1.31", "1.34"])
def test_the_deployment_stays_valid_against_the_kubernetes_schema(version: str) -> None:
    graph = _record(RegistryModel(package_arn=PACKAGE, model_data_url=ARTIFACT))
    [deployment] = graph.of_type(DEPLOYMENT)
    manifest = json.loads(json.dumps(dict(deployment.inputs)))
    manifest = _ints(manifest)
    assert validate_manifest(manifest, version) == version


def _ints(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _ints(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_ints(item) for item in value]
    return value


def test_a_version_without_an_artifact_sets_only_its_arn() -> None:
    graph = _record(RegistryModel(package_arn=PACKAGE))
    [deployment] = graph.of_type(DEPLOYMENT)
    [container] = deployment.inputs["spec"]["template"]["spec"]["containers"]
    names = {item["name"] for item in container["env"]}
    assert "MODEL_PACKAGE_ARN" in names and "MODEL_DATA_URL" not in names


def test_a_registry_backed_spec_needs_the_resolved_model_and_only_it() -> None:
    with pytest.raises(ValueError, match=r"exactly when spec\.latest_approved_of is set"):
        KubernetesServingArgs(spec=_spec())
    with pytest.raises(ValueError, match=r"exactly when spec\.latest_approved_of is set"):
        KubernetesServingArgs(spec=_spec(latest_approved_of=None), model=RegistryModel(package_arn=PACKAGE))


def test_the_registry_variables_cannot_be_set_by_hand() -> None:
    with pytest.raises(ValidationError, match=r"env \['MODEL_DATA_URL'\] are set from the registry"):
        _spec(env={"MODEL_DATA_URL": "s3://other/model.tar.gz"})


def test_the_artifact_role_reads_exactly_that_object_through_pod_identity() -> None:
    def program() -> None:
        ModelArtifactAccess(
            "churn-artifact",
            ModelArtifactAccessArgs(
                account_id="111111111111",
                region="eu-west-1",
                cluster_name="ml",
                namespace="ml-serving",
                service_account="churn",
                model_data_url=ARTIFACT,
                kms_key_arn="arn:aws:kms:eu-west-1:111111111111:key/1234",
                role_path="/dev/",
                tags={"owner": "ml", "cost-center": "cc-1", "project": "churn", "environment": "prod"},
            ),
        )

    graph = record_program(program)
    [role] = graph.of_type("aws:iam/role:Role")
    [trust] = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    # Only the association's cluster, namespace and service account (EKS Pod Identity's session tags).
    assert trust["Condition"] == {
        "StringEquals": {
            "aws:SourceAccount": "111111111111",
            "aws:RequestTag/eks-cluster-name": "ml",
            "aws:RequestTag/kubernetes-namespace": "ml-serving",
            "aws:RequestTag/kubernetes-service-account": "churn",
        }
    }
    [association] = graph.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert (association.inputs["clusterName"], association.inputs["namespace"]) == ("ml", "ml-serving")
    assert association.inputs["serviceAccount"] == "churn"
    # The trust matches the session tags, so they must stay on.
    assert association.inputs["disableSessionTags"] is False
    [policy] = graph.of_type("aws:iam/rolePolicy:RolePolicy")
    read, listing, decrypt = json.loads(policy.inputs["policy"])["Statement"]
    assert read == {
        "Sid": "ReadTheApprovedArtifact",
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::dev-artifacts-abc/models/dev-customer-churn-training/7/output/model.tar.gz",
    }
    # KServe's storage initializer lists the URI's key before it downloads: that key only.
    assert listing == {
        "Sid": "ListTheApprovedArtifact",
        "Effect": "Allow",
        "Action": "s3:ListBucket",
        "Resource": "arn:aws:s3:::dev-artifacts-abc",
        "Condition": {
            "StringEquals": {"s3:prefix": "models/dev-customer-churn-training/7/output/model.tar.gz"}
        },
    }
    assert decrypt["Action"] == "kms:Decrypt"
    assert decrypt["Condition"] == {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}
    [association] = graph.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert (association.inputs["namespace"], association.inputs["serviceAccount"]) == ("ml-serving", "churn")
    report = evaluate_report(graph.resources, load_pack_config("prod"))
    # One component's resources, not a stack: the stack-level budget rule has nothing to judge.
    violations = [v for v in report.violations if v.policy_name != "stack-cost-budget"]
    assert violations == [] and report.undecided == []


@pytest.mark.parametrize("url", ["s3://bucket", "s3://bucket/", "https://bucket/key", "s3://bucket/models/"])
def test_only_one_object_can_be_granted(url: str) -> None:
    with pytest.raises(ValueError, match="is not an s3://bucket/key URI of one object"):
        s3_object_arn(url)
