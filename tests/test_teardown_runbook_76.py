"""Day-2 operations: what `pulumi destroy` of a dev stack cannot delete, held against docs/teardown.md.

The platform never force-deletes data (tests/components/test_secure_bucket.py holds that no bucket
is force-destroyed), so a dev stack's destroy stops at every bucket and model package group that
still holds data: S3 refuses DeleteBucket while any object version or delete marker is left (S3 API
Reference, DeleteBucket), SageMaker answers DeleteModelPackageGroup with ConflictException while
the group has versions. docs/teardown.md is the runbook; these tests hold it to the recorded graphs
of the suite's fixture stacks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.recorder import RecordedResource, ResourceGraph

REPO = Path(__file__).resolve().parent.parent
RUNBOOK = REPO / "docs" / "teardown.md"

BUCKET = "aws:s3/bucket:Bucket"
GROUP = "aws:sagemaker/modelPackageGroup:ModelPackageGroup"
KEY = "aws:kms/key:Key"
ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"

# What AWS refuses to delete while it holds data, and the command that empties it.
EMPTIED_BY = {
    BUCKET: "aws s3api delete-objects",
    GROUP: "aws sagemaker delete-model-package",
}
# What staging and prod protect and retain (README "First deploy", docs/teardown.md).
STATEFUL = (KEY, BUCKET, GROUP, "aws:sagemaker/featureGroup:FeatureGroup", "aws:cloudtrail/trail:Trail")


def runbook() -> str:
    return RUNBOOK.read_text(encoding="utf-8")


def refused_while_full(graph: ResourceGraph) -> list[RecordedResource]:
    """Resources a destroy deletes (not protected) that AWS refuses to delete while they hold data."""
    return [
        resource
        for resource in graph.resources
        if resource.is_cloud_resource
        and not resource.protect
        and resource.type in EMPTIED_BY
        and resource.inputs.get("forceDestroy") is not True
    ]


def test_each_resource_a_dev_destroy_stops_at_is_emptied_by_the_runbook(
    stack_graphs: dict[str, ResourceGraph],
) -> None:
    found = refused_while_full(stack_graphs["dev"])
    assert {resource.type for resource in found} == set(EMPTIED_BY)  # the check reads something
    text = runbook()
    for resource in found:
        assert EMPTIED_BY[resource.type] in text, resource.name
    # Each bucket by the name the stack gives it (datasets, artifacts, access-logs, audit-logs).
    bucket_row = next(line for line in text.splitlines() if line.startswith("| S3 buckets"))
    for bucket in (resource for resource in found if resource.type == BUCKET):
        assert f"`{bucket.name.removesuffix('-bucket')}`" in bucket_row, bucket.name


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_a_key_outlives_every_bucket_it_encrypts(stack: str, stack_graphs: dict[str, ResourceGraph]) -> None:
    """A bucket's encryption setting depends on its key, the bucket itself did not: a destroy that S3
    refused at a full bucket scheduled the key's deletion all the same, and the objects left became
    unreadable after the window. The engine deletes a component's children before it and a
    component before what it depends on, so the bucket's component waiting for the key keeps the
    key until the bucket is gone."""
    graph = stack_graphs[stack]
    by_urn = {resource.urn: resource for resource in graph.resources}
    checked = 0
    for setting in graph.of_type(ENCRYPTION):
        [rule] = setting.inputs["rules"]
        if rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] != "aws:kms":
            continue  # the access-log bucket: SSE-S3, no key of the stack
        [key] = [by_urn[urn] for urn in setting.dependencies if by_urn[urn].type == KEY]
        [bucket] = [by_urn[urn] for urn in setting.dependencies if by_urn[urn].type == BUCKET]
        component = by_urn[bucket.parent]
        assert key.urn in component.dependencies or key.parent in component.dependencies, bucket.name
        checked += 1
    assert checked == 3  # datasets, artifacts, audit-logs
    text = runbook()
    assert "leaves the key alone" in text
    assert "aws kms cancel-key-deletion" in text and "aws kms enable-key" in text


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_staging_and_prod_protect_and_retain_what_the_runbook_says(
    stack: str, stack_graphs: dict[str, ResourceGraph]
) -> None:
    stateful = [r for r in stack_graphs[stack].resources if r.is_cloud_resource and r.type in STATEFUL]
    assert {r.type for r in stateful} == set(STATEFUL)
    assert [r.name for r in stateful if not (r.protect and r.retain_on_delete)] == []
    assert refused_while_full(stack_graphs[stack]) == []  # nothing a destroy would stop at unprotected


def test_removing_an_endpoint_deletes_what_uses_it_first(stack_graphs: dict[str, ResourceGraph]) -> None:
    """The engine deletes a resource's dependents before it: the scaling target (Application Auto
    Scaling) and the monitoring schedule's job definition before the endpoint, the schedule before
    its job definition, as the runbook says."""
    graph = stack_graphs["prod"]
    [endpoint] = graph.of_type("aws:sagemaker/endpoint:Endpoint")
    [target] = graph.of_type("aws:appautoscaling/target:Target")
    assert endpoint.urn in target.dependencies
    schedules = graph.of_type("aws:sagemaker/monitoringSchedule:MonitoringSchedule")
    assert schedules
    by_urn = {resource.urn: resource for resource in graph.resources}
    for schedule in schedules:
        [definition] = [by_urn[urn] for urn in schedule.dependencies if "JobDefinition" in by_urn[urn].type]
        assert endpoint.urn in definition.dependencies, definition.name
    assert "schedule before job definition before endpoint; scaling target before endpoint" in runbook()


def test_the_runbook_is_linked_where_a_stack_is_destroyed() -> None:
    assert "(docs/teardown.md)" in (REPO / "README.md").read_text(encoding="utf-8")
    ci_cd = (REPO / "docs" / "ci-cd.md").read_text(encoding="utf-8")
    deleting = ci_cd[ci_cd.index("- **Deleting** a stack file") :]
    assert "[teardown.md](teardown.md)" in deleting[: deleting.index("\n\n")]
