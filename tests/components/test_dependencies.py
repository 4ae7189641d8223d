"""No component serialises the deployment without need.

Every ``depends_on`` edge (a dependency no input's value implies) makes Pulumi wait, and a wait on
the critical path is minutes of every `pulumi up`. The edges that exist are listed below, each with
the reason AWS needs the order; a new one fails here until it is justified. And the endpoint, the
slowest resource of a stack, must never wait for its own monitoring.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.critical_path import WaitGraph
from planner.recorder import STACK_TYPE, RecordedResource, ResourceGraph
from tests.planner.test_critical_path import component, graph, resource

ENDPOINT = "aws:sagemaker/endpoint:Endpoint"


@dataclass(frozen=True)
class Allowed:
    dependent: str
    dependency: str
    why: str
    in_shipped_stacks: bool = True


ALLOWED_EXPLICIT_DEPENDENCIES = (
    Allowed(
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "S3 refuses a bucket policy (AccessDenied / OperationAborted) while the bucket's public-access "
        "block is still being applied; nothing in the policy's value refers to the block.",
    ),
    Allowed(
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketVersioning:BucketVersioning",
        "Lifecycle rules on noncurrent versions are rejected until versioning is configured (the AWS "
        "provider documents depends_on for exactly this pair).",
    ),
    Allowed(
        "aws:cloudwatch/eventRule:EventRule",
        "aws:sagemaker/modelPackageGroup:ModelPackageGroup",
        "The approval rule matches the group by name in a literal event pattern, so no output links "
        "them; created first, the rule would watch a group that does not exist yet.",
    ),
    Allowed(
        "aws:budgets/budget:Budget",
        "aws:sns/topicPolicy:TopicPolicy",
        "AWS Budgets checks that it may publish to a notification's SNS topic when the budget is "
        "created; the topic's ARN is an input, its policy (which grants budgets.amazonaws.com) is not.",
    ),
    Allowed(
        "aws:cloudtrail/trail:Trail",
        "aws:s3/bucketPolicy:BucketPolicy",
        "CreateTrail checks that CloudTrail may write to the log bucket (InsufficientS3BucketPolicy"
        "Exception); the bucket's name is an input, its policy (granting cloudtrail.amazonaws.com) is not.",
    ),
    Allowed(
        "mlops:foundation:SecureBucket",
        "aws:kms/key:Key",
        "Only the bucket's encryption setting refers to its key: a destroy that S3 refuses at a bucket "
        "still holding objects scheduled the key's deletion all the same, and the objects left became "
        "unreadable after the window. The component waiting for the key keeps it until the bucket goes.",
    ),
    Allowed(
        "kubernetes:helm.sh/v3:Release",
        "kubernetes:helm.sh/v3:Release",
        "dcgm-exporter's chart renders a ServiceMonitor, whose CRD the kube-prometheus-stack release "
        "installs: Helm fails with 'no matches for kind ServiceMonitor' otherwise.",
        in_shipped_stacks=False,
    ),
    Allowed(
        "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
        "kubernetes:helm.sh/v3:Release",
        "The ServiceMonitor CRD comes with the kube-prometheus-stack release; the API server rejects "
        "the object before it exists.",
        in_shipped_stacks=False,
    ),
)

# Components whose resources watch an endpoint; the endpoint must be deployable without them.
# (AlertTopic is not one: the endpoint's rollback alarms notify it.)
MONITORING_COMPONENTS = frozenset(
    {
        "mlops:observability:ModelMonitoring",
        "mlops:observability:ModelQualityMonitoring",
        "mlops:observability:EndpointAlarms",
        "mlops:observability:MonitoringDashboard",
        "mlops:kubernetes:KubernetesMonitoring",
    }
)
MONITORING_TYPES = frozenset(
    {
        "aws:sagemaker/monitoringSchedule:MonitoringSchedule",
        "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition",
        "aws:sagemaker/modelQualityJobDefinition:ModelQualityJobDefinition",
        "aws-native:sagemaker:MonitoringSchedule",
        "aws-native:sagemaker:ModelQualityJobDefinition",
        "aws-native:sagemaker:ModelBiasJobDefinition",
        "aws-native:sagemaker:ModelExplainabilityJobDefinition",
        "aws:cloudwatch/dashboard:Dashboard",
    }
)


def unjustified_explicit_dependencies(graph_: ResourceGraph) -> list[str]:
    allowed = {(entry.dependent, entry.dependency) for entry in ALLOWED_EXPLICIT_DEPENDENCIES}
    by_urn = {r.urn: r for r in graph_}
    return [
        f"{r.name} ({r.type}) depends_on {by_urn[u].name} ({by_urn[u].type})"
        for r in graph_
        for u in r.explicit_dependencies
        if (r.type, by_urn[u].type) not in allowed
    ]


def is_monitoring(graph_: ResourceGraph, target: RecordedResource) -> bool:
    if target.type in MONITORING_TYPES:
        return True
    by_urn = {r.urn: r for r in graph_}
    parent = by_urn.get(target.parent or "")
    while parent is not None and parent.type != STACK_TYPE:
        if parent.type in MONITORING_COMPONENTS:
            return True
        parent = by_urn.get(parent.parent or "")
    return False


def monitoring_the_endpoints_wait_for(graph_: ResourceGraph) -> list[str]:
    waits = WaitGraph(graph_)
    by_urn = {r.urn: r for r in graph_}
    return [
        f"{endpoint.name} waits for {by_urn[urn].name} ({by_urn[urn].type})"
        for endpoint in graph_.of_type(ENDPOINT)
        for urn in sorted(waits.closure(endpoint.urn))
        if is_monitoring(graph_, by_urn[urn])
    ]


def test_every_depends_on_edge_is_justified(stack_graph) -> None:
    assert unjustified_explicit_dependencies(stack_graph) == []


def test_the_allowlist_has_no_stale_entries(stack_graphs) -> None:
    seen = set()
    for graph_ in stack_graphs.values():
        by_urn = {r.urn: r for r in graph_}
        seen |= {(r.type, by_urn[u].type) for r in graph_ for u in r.explicit_dependencies}
    stale = [
        entry
        for entry in ALLOWED_EXPLICIT_DEPENDENCIES
        if entry.in_shipped_stacks and (entry.dependent, entry.dependency) not in seen
    ]
    assert stale == [], "a depends_on was removed: drop its allowlist entry"


def test_the_endpoint_does_not_wait_for_its_monitoring(stack_graph) -> None:
    assert stack_graph.of_type(ENDPOINT), "every shipped stack has an endpoint"
    assert monitoring_the_endpoints_wait_for(stack_graph) == []


def test_staging_and_prod_monitor_their_endpoints(stack_graphs) -> None:
    """Guards the test above: it proves something only where monitoring exists."""
    for stack in ("staging", "prod"):
        graph_ = stack_graphs[stack]
        assert any(is_monitoring(graph_, r) for r in graph_ if r.custom)


def test_the_checks_catch_an_unjustified_wait_on_monitoring() -> None:
    monitoring = component("monitoring-x", "mlops:observability:ModelMonitoring")
    schedule = resource(
        "x-schedule", "aws:sagemaker/monitoringSchedule:MonitoringSchedule", parent=monitoring
    )
    job_role = component("monitoring-x-jobs", "mlops:foundation:ExecutionRole", parent=monitoring)
    role = resource("x-role", "aws:iam/role:Role", parent=job_role)
    config = resource("x-config", "aws:sagemaker/endpointConfiguration:EndpointConfiguration")
    endpoint = resource("x", ENDPOINT, data=[config], depends_on=[monitoring])

    broken = graph(monitoring, schedule, job_role, role, config, endpoint)

    assert unjustified_explicit_dependencies(broken) == [
        f"x ({ENDPOINT}) depends_on monitoring-x (mlops:observability:ModelMonitoring)"
    ]
    waited_for = monitoring_the_endpoints_wait_for(broken)
    assert sorted(waited_for) == [
        "x waits for x-role (aws:iam/role:Role)",
        "x waits for x-schedule (aws:sagemaker/monitoringSchedule:MonitoringSchedule)",
    ]
