"""What the pipeline's role and the shared endpoint mean, where a mutation audit found no test holding it.

A hand-mutation audit of components/serving/shared_endpoint.py, components/training/
pipeline_triggers.py and the SageMaker pipeline's execution role (stacks/composition/foundation.py
``_pipeline_statements``). Each test here fails under a mutation every other test let through:

- the pipeline role without ``sagemaker:CreateTrainingJob`` or ``StopProcessingJob``, without
  ``CreateModelPackage``, with the jobs statement on processing jobs only, or without the data key
  (every run fails at its first step, its registration or its first read of an SSE-KMS object);
- a shared endpoint's bring-your-own image pulled in ``Vpc`` access mode (a private registry)
  instead of ``Platform`` (ECR).

Left alone: the pipeline role without ``AddTags`` on jobs (the definition drops job tags) or
without S3 writes: neither shown to be needed by a real run.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from planner.recorder import ResourceGraph
from tests.components import test_shared_endpoint as shared_endpoint
from tests.graph_helpers import as_list, policy_of, statements

ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


# --- the SageMaker pipeline's role: exactly what the pipeline's steps need -------------------------


def _pipeline_grants(graph: ResourceGraph) -> dict[str, set[str]]:
    """Action → the resources an Allow statement of the pipeline role's policy grants it on."""
    policy = next(p for p in graph.of_type(ROLE_POLICY) if p.name == "pipeline-role-permissions")
    granted: dict[str, set[str]] = defaultdict(set)
    for statement in statements(policy_of(policy)):
        assert statement["Effect"] == "Allow"
        for action in as_list(statement["Action"]):
            granted[action] |= set(as_list(statement["Resource"]))
    return dict(granted)  # a missing action is a KeyError, not an empty grant


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_the_pipeline_role_runs_jobs_registers_versions_and_reads_writes_only_the_artifacts(
    stack_graphs: dict[str, ResourceGraph], stack: str
) -> None:
    graph = stack_graphs[stack]
    config = graph.config["mlops-platform:platform"]
    sagemaker = f"arn:aws:sagemaker:{config['region']}:{config['account_id']}"
    jobs = {f"{sagemaker}:processing-job/*", f"{sagemaker}:training-job/*"}
    packages = {f"{sagemaker}:model-package/*", f"{sagemaker}:model-package-group/*"}
    tuning = {f"{sagemaker}:hyper-parameter-tuning-job/*"}
    artifacts = graph.named("artifacts-bucket").outputs["arn"]
    data_key = graph.named("kms-data-key").outputs["arn"]
    granted = _pipeline_grants(graph)

    # Every processing and training step: started, watched, stopped when the run is.
    for verb in ("Create", "Describe", "Stop"):
        for job in ("ProcessingJob", "TrainingJob"):
            assert granted[f"sagemaker:{verb}{job}"] == jobs, (verb, job)
    # Registration: a version into its group.
    for action in ("CreateModelPackage", "DescribeModelPackage", "DescribeModelPackageGroup"):
        assert granted[f"sagemaker:{action}"] == packages, action
    # Tags only on what the pipeline creates.
    assert granted.get("sagemaker:AddTags", set()) <= jobs | packages | tuning
    # The artifacts bucket: read (step inputs, property files); any write stays in it.
    assert granted["s3:GetObject"] == {f"{artifacts}/*"}
    assert granted.get("s3:PutObject", set()) <= {f"{artifacts}/*"}
    assert granted["s3:ListBucket"] == {artifacts}
    # The data key only: its jobs' volumes and outputs, and grants for the jobs' volumes.
    for action in ("kms:Decrypt", "kms:GenerateDataKey*", "kms:CreateGrant"):
        assert granted[action] == {data_key}, action
    # Nothing beyond those (the PassRole and tuning statements: other tests pin them).
    known = {
        "iam:PassRole",
        *(
            f"sagemaker:{v}{j}"
            for v in ("Create", "Describe", "Stop")
            for j in ("ProcessingJob", "TrainingJob")
        ),
        "sagemaker:CreateModelPackage",
        "sagemaker:DescribeModelPackage",
        "sagemaker:DescribeModelPackageGroup",
        "sagemaker:AddTags",
        "s3:ListBucket",
        "s3:GetBucketLocation",
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:AbortMultipartUpload",
        "s3:ListMultipartUploadParts",
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
        "kms:DescribeKey",
        "kms:CreateGrant",
    }
    tuning_actions = {a for a in granted if "HyperParameterTuningJob" in a}
    assert set(granted) - tuning_actions <= known
    assert all(resources == tuning for action, resources in granted.items() if action in tuning_actions)
    assert not any(r == "*" for resources in granted.values() for r in resources)


# --- the shared endpoint: a bring-your-own image is pulled from ECR by SageMaker ---------------------


def test_a_shared_endpoints_image_component_pulls_its_image_from_ecr_not_a_private_registry() -> None:
    """``Vpc`` access mode means a private Docker registry in the VPC (with credentials SageMaker
    would need a RepositoryAuthConfig for): an ECR image must be pulled with ``Platform``."""
    spec = shared_endpoint._spec()
    image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ranker:1"
    spec["components"][1]["model"] = {"image": image, "model_data_url": "s3://artifacts/models/ranker.tar.gz"}
    graph = shared_endpoint._record(spec)
    [model] = [
        m
        for m in graph.of_type("aws:sagemaker/model:Model")
        if "modelPackageName" not in m.inputs["primaryContainer"]
    ]
    container = model.inputs["primaryContainer"]
    assert container["image"] == image
    assert container["modelDataUrl"] == "s3://artifacts/models/ranker.tar.gz"
    assert container["imageConfig"] == {"repositoryAccessMode": "Platform"}
    assert model.inputs["enableNetworkIsolation"] is True
