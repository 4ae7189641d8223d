"""An audit of the first `pulumi up` on an empty account: hidden dependencies between resources.

Pulumi creates resources in parallel unless one depends on the other (an input that is another
resource's Output, or ``depends_on``; a parent's dependencies do not order its children). A
resource whose input names another resource of the same stack by a plain string (a physical name,
ARN, id or URL built from config) has no ordering edge: on the first `up` it may be created before
what it names, and where AWS checks at create time that the named thing exists (or allows it), that
first `up` fails.

How the audit was run: the graphs below were recorded under the mocks (planner/mocks.py gives each
resource its physical name, ARN, id or URL); every input string (JSON documents parsed) was searched
for another resource's identifier, whole (not inside a longer name), and each hit whose resource has
no dependency path to the identifier's owner (the transitive closure of the recorded dependencies)
was classified. Graphs: the prod, dev and staging fixtures (batch scoring, approval dispatch, budget,
audit trail, DVC remote, retraining triggers, async inference in dev), prod with a champion, a
challenger and a shadow variant, prod with a shared endpoint (inference components), and prod cut to
Kubernetes with a KServe Triton serving and a Deployment serving that follow a family (their
artifact roles bound by EKS Pod Identity) and Alertmanager paging through SNS. During the audit two
more were searched and are not kept here (same kinds, no new finding): prod with a serverless and an
uncaptured endpoint (tests/stacks/test_alarms_without_capture.py's variant), and the whole prod
fixture with Kubernetes monitoring.

Counts over the six graphs kept here (one reference: one input string of one resource naming one
identifier of another resource; counted with this module's ``references`` and ``benign_kind``, on
the code of this commit: they move with the fixtures):

=========================================================  =====
references found                                            5,132
  with a dependency path                                    4,742
  hidden (no dependency path)                                 390
hidden and resolved by AWS at create (first-up bugs)            0
hidden and benign, by kind (``BENIGN``)                       390
  iam-statement: a policy's Resource or Condition value       125
  free-text: a description                                     82
  event-pattern: an EventBridge rule's pattern                 51
  object-key: an S3 key's folder named after a pipeline        47
  metric-dimension: an alarm's dimension                       43
  tag-key: a tag key a CostAllocationTag activates             20
  registry-version: a version resolved before the up           17
  same-name: the audit key's alias named like the trail         5
pods and the Pod Identity association of their account          3
  created in parallel before the fixes (first-up bugs)          3
  fixed (two bugs: the servings', Alertmanager's)               3
=========================================================  =====

Per graph (resources / references / hidden): prod 271 / 1,087 / 84, dev 163 / 457 / 23, staging
210 / 663 / 48, champion-challenger 289 / 1,229 / 114, shared-endpoint 281 / 1,147 / 91,
kubernetes 178 / 549 / 30.

What AWS resolves at create time was checked for each kind (AWS and provider docs, via the tool
library): IAM policies may name resources that do not exist yet (only principals are checked: every
principal here is an account root, with the role path as a condition, precisely so that no key,
bucket or topic policy waits for a role); EventBridge matches patterns against events and never
looks up the names in them; CloudWatch accepts an alarm on a metric nobody publishes yet
(INSUFFICIENT_DATA); descriptions, S3 keys and tag keys are text. Every reference AWS does resolve
at create already had its dependency path: Application Auto Scaling targets, policies and scheduled
actions naming an endpoint variant (and the policies their target); monitoring schedules naming
their job definitions; job definitions, models and inference components naming their endpoint, role
and bucket; KMS aliases and every key ARN; the alarms an endpoint's rollback or an
inference component names; SNS subscriptions; EventBridge targets, Pipes and Scheduler schedules. The
property test does catch one that loses it: an autoscaling policy naming its target's resource id,
namespace and dimension as plain strings (the endpoint's name still an Output) fails
``test_every_hidden_reference_is_one_aws_does_not_resolve_at_create[prod]`` (applied and reverted
during the audit).

The string search cannot see the other kind of hidden dependency, where what is checked at create
is not a name but a grant. Those were listed by hand, each with its dependency in the graphs: the
trail after its bucket policy and key (CloudTrail checks both); the budget after its topic policy;
a feature group, the MLflow server, a pipe, a flow log and an endpoint after their role's policy; a
log group after its key (its policy inline). Not needed: Cost Anomaly Detection checks its topic only
when it publishes; the one S3 bucket notification is EventBridge-only. Two were missing, both
fixed (commits "Kubernetes serving: ..." and "Kubernetes monitoring: ...", CHANGELOG.md
``### Fixed:``):

- A Kubernetes serving that follows a family reads its artifact with a role bound to its service
  account by a Pod Identity association, which named the service account and namespace by their
  configured names and was created in parallel with the Deployment (or InferenceService). EKS sets
  a pod's credentials when the pod is created ("If a pod uses a service account that has an
  association, Amazon EKS sets environment variables in the containers of the pod", EKS user guide,
  Pod Identity), so the first `up`'s pods could start without any: the artifact download fails and
  the rollout times out. ``test_a_registry_backed_servings_pods_wait_for_their_artifact_role``.
- Alertmanager's SNS role, likewise: kube-prometheus-stack (which starts Alertmanager) did not wait
  for the association, and a first `up` could leave Alertmanager unable to page until its pod
  restarted. ``test_alertmanager_waits_for_its_sns_role``.

``TestFirstUpOrdering`` holds the property over every graph: every hidden reference is of a benign
kind (the list below, each with its reason), and every pod that runs as a service account with a Pod
Identity association in the graph is created after it. ``test_the_search_finds_a_hidden_reference``
shows the search flags a subscription that names its topic by ARN and not one that takes the ARN
from the topic; ``test_the_search_sees_a_scaling_target_name_its_endpoint_variant`` that it sees
the reference it exists for, ordered.

Left alone: the DVC remote role trusts GitHub's OIDC provider, which IAM checks at create; it is not
a resource of this stack (docs/ci-cd.md has it created once per account). A model package version
named by a Model exists before the up (the program read it from the registry), so the package group
this stack creates is not what the Model waits for. Cost Anomaly Detection's topic policy
(``components/observability/cost_guardrails.py`` says why the subscription does not wait for it).
EKS does not look into the cluster for an association's namespace or service account ("There isn't
any data or metadata about the associations inside the cluster in any Kubernetes objects", EKS user
guide; CreatePodIdentityAssociation names no error for a missing one), so associations do not wait
for the Namespace or ServiceAccount they name (the servings' never did; Alertmanager's now names the
monitoring namespace from the stack file instead of waiting for it). An association is eventually
consistent ("may take several seconds to be effective after the initial API call returns"): pods
created in those seconds can still miss it; the ordering closes the race of minutes (a Helm install,
a first rollout), not that one.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pulumi_aws as aws
import pytest

from planner.recorder import (
    DEFAULT_ACCOUNT,
    DEFAULT_REGION,
    RecordedResource,
    ResourceGraph,
    record_program,
    record_stack_file,
)
from stacks.config import CONFIG_KEY
from tests.conftest import load_stack_document, stack_path
from tests.recorded import computed_once, recorded_stack
from tests.stack_edits import ranker_shared_endpoint
from tests.stacks.conftest import kubernetes_cut
from tests.yaml_text import dump_document

ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
INFERENCE_SERVICE = "kubernetes:serving.kserve.io/v1beta1:InferenceService"
RELEASE = "kubernetes:helm.sh/v3:Release"
CLUSTER = "arn:aws:eks:eu-west-1:333333333333:cluster/ml"
IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn-server@sha256:" + "a" * 64
TRITON = "nvcr.io/nvidia/tritonserver@sha256:" + "a" * 64
ARTIFACT = "s3://prod-artifacts-1a2b/models/prod-customer-churn-training/7/output/model.tar.gz"

# -- the search ---------------------------------------------------------------------------------

# Outputs that name the resource itself; other outputs the provider computes (not echoed inputs)
# whose key ends in Name/Arn/Url/Id count too. Account ids and regions are everyone's.
_OWN_KEYS = frozenset({"id", "arn", "name", "url", "bucket"})
_NOT_IDENTIFIERS = frozenset({"ownerId", "registryId", "region"})
_BOUNDARY = "A-Za-z0-9_-"


def _leaves(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string in ``value`` with its path; a string holding a JSON document is searched inside."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}[{index}]")
    elif isinstance(value, str):
        if value.strip()[:1] in ("{", "["):
            try:
                yield from _leaves(json.loads(value), f"{path}<json>")
                return
            except ValueError:
                pass
        yield path, value


def _identifiers(resource: RecordedResource) -> set[str]:
    found = {resource.id} if resource.id else set()
    for key, value in resource.outputs.items():
        if not isinstance(value, str) or key in _NOT_IDENTIFIERS:
            continue
        if key in _OWN_KEYS or (key not in resource.inputs and re.search(r"(Name|Arn|Url|Id)$", key)):
            found.add(value)
    return {value for value in found if len(value) >= 6 and not value.isdigit()}


def dependency_closure(graph: ResourceGraph) -> dict[str, frozenset[str]]:
    """Each resource's URN → every URN it waits for: its recorded dependencies (a component's
    expanded to the component's resources, as the engine does), transitively."""
    components = {r.urn: r for r in graph if not r.custom}
    inside: dict[str, set[str]] = {}
    for resource in graph:
        parent = resource.parent
        while parent in components:
            inside.setdefault(parent, set()).add(resource.urn)
            parent = components[parent].parent
    direct = {
        r.urn: {urn for dependency in r.dependencies for urn in (dependency, *inside.get(dependency, ()))}
        for r in graph
    }
    closure: dict[str, frozenset[str]] = {}
    for urn in direct:
        seen: set[str] = set()
        todo = list(direct[urn])
        while todo:
            step = todo.pop()
            if step not in seen:
                seen.add(step)
                todo.extend(direct.get(step, ()))
        closure[urn] = frozenset(seen)
    return closure


@dataclass(frozen=True)
class Reference:
    resource: RecordedResource
    path: str
    """Where in its inputs (``policy<json>.Statement[0].Resource``)."""
    value: str
    """The identifier named."""
    owners: tuple[RecordedResource, ...]
    """The resources whose identifier it is (one name may be an endpoint's and a feature group's)."""
    hidden: bool
    """No dependency path to any of them."""


def references(graph: ResourceGraph) -> list[Reference]:
    """Every input string of a cloud resource that names another resource's identifier."""
    cloud = [r for r in graph if r.is_cloud_resource]
    owners: dict[str, list[RecordedResource]] = {}
    for resource in cloud:
        for identifier in _identifiers(resource):
            owners.setdefault(identifier, []).append(resource)
    closure = dependency_closure(graph)
    found = []
    for resource in cloud:
        waits_for = closure[resource.urn]
        for path, text in _leaves(dict(resource.inputs)):
            for value, named in owners.items():
                if value not in text or any(owner.urn == resource.urn for owner in named):
                    continue
                if not re.search(rf"(?<![{_BOUNDARY}]){re.escape(value)}(?![{_BOUNDARY}])", text):
                    continue
                hidden = not any(owner.urn in waits_for for owner in named)
                found.append(Reference(resource, path, value, tuple(named), hidden))
    return found


# -- what AWS does not resolve at create -----------------------------------------------------------


@dataclass(frozen=True)
class Benign:
    kind: str
    types: str
    """Regular expression on the referencing resource's type token."""
    paths: str
    """Regular expression on the input path."""
    reason: str


BENIGN = (
    Benign(
        "iam-statement",
        r"aws:iam/(rolePolicy:RolePolicy|policy:Policy|role:Role)|aws:kms/key:Key|aws:s3/bucketPolicy:BucketPolicy",
        r"^(policy|assumeRolePolicy)<json>\.Statement\[\d+\]\.(Resource|Condition)\b",
        "IAM (and KMS, S3 for their resource policies) validate a statement's grammar and its "
        "principals, not that the resources or condition values it names exist: a policy may grant "
        "on a resource before it is created. Every principal in these graphs is an account root.",
    ),
    Benign(
        "event-pattern",
        r"aws:cloudwatch/eventRule:EventRule",
        r"^eventPattern<json>",
        "EventBridge matches a pattern against the events it receives; it never looks up the "
        "endpoint, alarm, pipeline or state machine a pattern names.",
    ),
    Benign(
        "metric-dimension",
        r"aws:cloudwatch/metricAlarm:MetricAlarm",
        r"^(dimensions|metricQueries\[\d+\]\.metric\.dimensions)\.",
        "CloudWatch accepts an alarm on a metric nobody has published yet (INSUFFICIENT_DATA): "
        "the endpoint a dimension names need not exist.",
    ),
    Benign(
        "free-text",
        r".",
        r"^(description|alarmDescription)$",
        "Text for people; no service resolves a name in it.",
    ),
    Benign(
        "object-key",
        r"aws:s3/bucketObjectv2:BucketObjectv2",
        r"^key$",
        "An S3 key is a string: its folder is named after the pipeline that reads it.",
    ),
    Benign(
        "registry-version",
        r"aws:sagemaker/model:Model|kubernetes:apps/v1:Deployment|kubernetes:serving\.kserve\.io/v1beta1:InferenceService",
        r"^(primaryContainer\.modelPackageName|spec\.template\.metadata\.annotations\.|"
        r"spec\.template\.spec\.containers\[\d+\]\.env\[\d+\]\.value|spec\.predictor\.)",
        "A model package version (and its artifact) read from the registry when the program ran: it "
        "exists before the up starts, and with it its group; its ARN and S3 path merely contain the "
        "group's and the training pipeline's names.",
    ),
    Benign(
        "tag-key",
        r".",
        r"^tags\[\d+\]\.key$",
        "A tag key equal to the key a CostAllocationTag activates: the tag is what the activation "
        "is for, not a reference to it.",
    ),
    Benign(
        "same-name",
        r"aws:kms/alias:Alias",
        r"^name$",
        "The audit key's alias is named like the trail it encrypts (alias/<trail name>): a KMS alias "
        "and a CloudTrail trail live in different namespaces.",
    ),
)


def benign_kind(reference: Reference) -> Benign | None:
    for benign in BENIGN:
        if re.match(benign.types, reference.resource.type) and re.match(benign.paths, reference.path):
            return benign
    return None


# -- the pods and their Pod Identity associations ---------------------------------------------------


def _pod_runners(graph: ResourceGraph) -> Iterator[tuple[RecordedResource, str, str]]:
    """Every workload that starts pods, with the (namespace, service account) they run as."""
    for deployment in graph.of_type(DEPLOYMENT):
        namespace = deployment.inputs["metadata"].get("namespace", "default")
        pod = deployment.inputs["spec"]["template"]["spec"]
        yield deployment, namespace, pod.get("serviceAccountName", "default")
    for service in graph.of_type(INFERENCE_SERVICE):
        namespace = service.inputs["metadata"].get("namespace", "default")
        yield service, namespace, service.inputs["spec"]["predictor"].get("serviceAccountName", "default")
    for release in graph.of_type(RELEASE):
        alertmanager = release.inputs.get("values", {}).get("alertmanager", {})
        account = alertmanager.get("serviceAccount", {}).get("name")
        if alertmanager.get("enabled", True) and account:
            yield release, release.inputs["namespace"], account


def pods_without_their_association(graph: ResourceGraph) -> list[tuple[str, str]]:
    """(workload, association) pairs where the workload's pods may start before the association
    that gives them credentials: EKS sets a pod's credentials when the pod is created."""
    closure = dependency_closure(graph)
    associations = {
        (a.inputs["namespace"], a.inputs["serviceAccount"]): a for a in graph.of_type(ASSOCIATION)
    }
    return [
        (workload.name, association.name)
        for workload, namespace, account in _pod_runners(graph)
        if (association := associations.get((namespace, account))) is not None
        and association.urn not in closure[workload.urn]
    ]


def bound_pod_runners(graph: ResourceGraph) -> list[tuple[str, str]]:
    associations = {
        (a.inputs["namespace"], a.inputs["serviceAccount"]): a.name for a in graph.of_type(ASSOCIATION)
    }
    return sorted(
        (workload.name, associations[(namespace, account)])
        for workload, namespace, account in _pod_runners(graph)
        if (namespace, account) in associations
    )


# -- the graphs ----------------------------------------------------------------------------------


def _champion_challenger(platform: dict[str, Any]) -> None:
    [endpoint] = platform["endpoints"]
    champion = endpoint["variants"][0]
    scaling = {"min_capacity": 2, "max_capacity": 4, "invocations_per_instance": 200}
    endpoint["variants"].append(
        {**copy.deepcopy(champion), "name": "challenger", "weight": 0.1, "scaling": scaling}
    )
    champion["weight"] = 0.9
    shadow = {key: value for key, value in copy.deepcopy(champion).items() if key != "scaling"}
    endpoint["shadow_variants"] = [{**shadow, "name": "shadow", "weight": 1}]


def _shared_endpoint(platform: dict[str, Any]) -> None:
    platform["shared_endpoints"] = [ranker_shared_endpoint()]


def _kubernetes_document() -> str:
    """The prod fixture cut to its Kubernetes servings: a KServe Triton serving and a Deployment
    serving, both following the family (each reads its artifact through a Pod Identity role), and
    monitoring that pages through SNS (Alertmanager's Pod Identity role)."""
    document = load_stack_document("prod")
    platform = document["config"][CONFIG_KEY]
    kubernetes_cut(platform)
    platform["kubernetes_serving"] = {
        "cluster_arn": CLUSTER,
        "servings": [
            {
                "name": "churn-triton",
                "image": TRITON,
                "server": "triton",
                "kserve": {},
                "latest_approved_of": "customer-churn",
            },
            {"name": "churn-gpu", "image": IMAGE, "latest_approved_of": "customer-churn"},
        ],
        "monitoring": {"grafana_admin_secret": {"name": "grafana-admin"}, "alerting": {"destination": "sns"}},
    }
    return dump_document(document).replace(
        "config:\n", "config:\n  mlops-platform:kubeconfig: 'apiVersion: v1'\n", 1
    )


def _record_kubernetes(folder: Path, text: str) -> ResourceGraph:
    from stacks.model_packages import ResolvedModelPackage, nothing_deployed
    from stacks.program import run

    def resolve(source: str) -> ResolvedModelPackage:
        arn = f"arn:aws:sagemaker:eu-west-1:333333333333:model-package/{source}/7"
        return ResolvedModelPackage(arn=arn, baselines=None, model_data_urls=(ARTIFACT,))

    path = folder / "Pulumi.prod.yaml"
    path.write_text(text)
    return record_stack_file(
        str(path),
        lambda source: run(
            source, resolver_factory=lambda config: resolve, deployed_factory=lambda config: nothing_deployed
        ),
    )


def _variant(folder: Path, edit: Any) -> ResourceGraph:
    document = load_stack_document("prod")
    edit(document["config"][CONFIG_KEY])
    path = folder / "Pulumi.prod.yaml"
    path.write_text(dump_document(document))
    return recorded_stack(path)


GRAPHS = ("prod", "dev", "staging", "champion-challenger", "shared-endpoint", "kubernetes")


def _graph(name: str, folder: Path) -> ResourceGraph:
    if name in ("prod", "dev", "staging"):
        return recorded_stack(stack_path(name))
    if name == "champion-challenger":
        return _variant(folder, _champion_challenger)
    if name == "shared-endpoint":
        return _variant(folder, _shared_endpoint)
    text = _kubernetes_document()
    return computed_once("kubernetes", lambda: _record_kubernetes(folder, text), key=[text])


@cache
def _searched(name: str, folder: str) -> tuple[ResourceGraph, tuple[Reference, ...]]:
    graph = _graph(name, Path(folder))
    return graph, tuple(references(graph))


@pytest.fixture(scope="module")
def searched(tmp_path_factory: pytest.TempPathFactory):
    """``searched(name)``: the graph and its references, recorded and searched once per module."""
    folders: dict[str, Path] = {}

    def get(name: str) -> tuple[ResourceGraph, tuple[Reference, ...]]:
        folder = folders.setdefault(name, tmp_path_factory.mktemp(name))
        return _searched(name, str(folder))

    return get


@pytest.mark.parametrize("name", GRAPHS)
class TestFirstUpOrdering:
    def test_every_hidden_reference_is_one_aws_does_not_resolve_at_create(self, searched, name) -> None:
        _, found = searched(name)
        validated = sorted(
            {
                f"{r.resource.type} {r.resource.name} .{r.path} names "
                + ", ".join(f"{o.type} {o.name}" for o in r.owners)
                for r in found
                if r.hidden and benign_kind(r) is None
            }
        )
        assert validated == []

    def test_the_search_sees_the_references_that_are_ordered(self, searched, name) -> None:
        """Not vacuous: most references the search finds do have their dependency path (the
        bucket a policy names, the endpoint a scaling target names), and each graph has some."""
        _, found = searched(name)
        ordered = [r for r in found if not r.hidden]
        assert len(ordered) > 5 * len([r for r in found if r.hidden]) > 0

    def test_pods_start_after_the_pod_identity_association_of_their_service_account(
        self, searched, name
    ) -> None:
        graph, _ = searched(name)
        assert pods_without_their_association(graph) == []


def test_every_benign_kind_is_met(searched) -> None:
    """The list of benign kinds holds no stale entry: each classifies a hidden reference of some graph."""
    met = {
        kind.kind
        for name in GRAPHS
        for reference in searched(name)[1]
        if reference.hidden and (kind := benign_kind(reference)) is not None
    }
    assert met == {benign.kind for benign in BENIGN}


def test_the_search_sees_a_scaling_target_name_its_endpoint_variant(searched) -> None:
    """The reference the brief of this audit starts from: Application Auto Scaling checks at
    RegisterScalableTarget that the variant exists; the target's resource id names the endpoint, and
    the target waits for it."""
    graph, found = searched("prod")
    [target] = graph.of_type("aws:appautoscaling/target:Target")
    [endpoint] = [r for r in found if r.resource.urn == target.urn and r.path == "resourceId"]
    assert (endpoint.value, endpoint.hidden) == ("prod-customer-churn", False)
    assert "aws:sagemaker/endpoint:Endpoint" in {owner.type for owner in endpoint.owners}


def test_the_search_finds_a_hidden_reference() -> None:
    """A subscription naming its topic by a configured ARN is found (and is of no benign kind); one
    taking the ARN from the topic is not."""

    def program() -> None:
        topic = aws.sns.Topic("alerts", name="alerts")
        # The recorder's default account and region: the ARN the topic gets.
        arn = f"arn:aws:sns:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:alerts"
        aws.sns.TopicSubscription("by-name", topic=arn, protocol="email", endpoint="a@example.com")
        aws.sns.TopicSubscription("by-output", topic=topic.arn, protocol="email", endpoint="a@example.com")

    graph = record_program(program)
    found = {(r.resource.name, r.path, r.hidden, benign_kind(r)) for r in references(graph)}
    assert found == {("by-name", "topic", True, None), ("by-output", "topic", False, None)}


# -- the fixes -----------------------------------------------------------------------------------


def test_a_registry_backed_servings_pods_wait_for_their_artifact_role(searched) -> None:
    """The Deployment serving and the KServe InferenceService are created after their artifact
    role's Pod Identity association and its read policy (before the fix, in parallel with them)."""
    graph, _ = searched("kubernetes")
    closure = dependency_closure(graph)
    for workload, artifact in (
        (DEPLOYMENT, "k8s-ml-serving-churn-gpu-artifact"),
        (INFERENCE_SERVICE, "k8s-ml-serving-churn-triton-artifact"),
    ):
        [pods] = graph.of_type(workload)
        for needed in (f"{artifact}-pod-identity", f"{artifact}-read"):
            assert graph.named(needed).urn in closure[pods.urn], (pods.name, needed)
    assert ("k8s-ml-serving-churn-gpu-deployment", "k8s-ml-serving-churn-gpu-artifact-pod-identity") in (
        bound_pod_runners(graph)
    )


def test_alertmanager_waits_for_its_sns_role(searched) -> None:
    """kube-prometheus-stack, which starts Alertmanager, is installed after Alertmanager's SNS role's
    Pod Identity association and its publish policy (before the fix, in parallel with them)."""
    graph, _ = searched("kubernetes")
    closure = dependency_closure(graph)
    release = graph.named("k8s-monitoring-kube-prometheus-stack")
    for needed in ("k8s-alertmanager-sns-pod-identity", "k8s-alertmanager-sns-publish"):
        assert graph.named(needed).urn in closure[release.urn], needed
    # The association names the monitoring namespace and Alertmanager's service account, which the
    # release's pods run as: the pair the property test above checks.
    assert ("k8s-monitoring-kube-prometheus-stack", "k8s-alertmanager-sns-pod-identity") in bound_pod_runners(
        graph
    )
