"""Helpers for the tests that record the platform program against a (moto) model registry."""

from __future__ import annotations

from typing import Any


def serving_cut(platform: dict[str, Any]) -> None:
    """Cut a fixture stack's ``mlops-platform:platform`` value, in place, to what a registry test
    of the endpoints reads: no DVC remote, approval dispatch, budget (cost guardrails), audit
    trail, extra VPC interface endpoints, retraining triggers (schedule, new data, drift) or batch
    scoring. A third of the prod fixture's resources (271 to 182; dev 165 to 125, staging 212 to
    147) and about 40 % of the CPU of recording it.

    What stays is everything a resolved version flows into: the foundation's network (with its
    required endpoints), buckets, keys and roles, the feature groups (the family's own names the
    monitors' drift features), each family's registry group and training pipeline (the same
    definition, hence the same definition-cache entry, as the whole fixture's), the alerts, and
    the endpoints with their models, monitors, alarms and dashboard. Of what goes, only batch
    scoring reads the registry: it resolves each family again, after the endpoints
    (``stacks.resolution.resolve_batch_scoring``), into a model and roles of its own, and reads no
    baselines; the drift trigger reads the endpoints' alarm names; nothing that goes feeds an
    endpoint or its monitors. Recorded whole and cut (offline: the prod, dev and staging fixtures
    and prod with a second family; against moto: an approved and a pending version), every
    resource both graphs hold has the same type, parent and inputs but three: the alerts topic's
    policy and the notifications key's (they name the budget's and the dispatch's publishers) and
    the failed-pipeline rule (it names the batch-scoring pipeline). The cut stack warns once more
    (approvals are not wired to a deployment), and exports no DVC remote, trail, dispatch queue or
    batch pipelines. A test that asserts over the whole graph (the policy pack, every warning or
    export, the triggers) records the whole fixture.
    """
    for key in ("dvc_remote", "delivery", "budget"):
        platform.pop(key, None)
    platform.get("network", {}).pop("additional_interface_endpoints", None)
    platform["audit_trail"] = {"enabled": False}
    platform.setdefault("training", {}).update(
        schedule=None, new_data={"enabled": False}, drift_retraining=False
    )
    for family in platform.get("models", []):
        family.pop("batch_scoring", None)


def budgeted_serving_cut(platform: dict[str, Any]) -> None:
    """:func:`serving_cut` keeping the fixture's budget: for a test that also asks the policy pack
    for no mandatory violation (the prod pack's ``stack-cost-budget`` asks a stack for a budget,
    which serving_cut removes)."""
    budget = platform.get("budget")
    serving_cut(platform)
    if budget is not None:
        platform["budget"] = budget


def retraining_serving_cut(platform: dict[str, Any]) -> None:
    """:func:`serving_cut` keeping the fixture's retraining triggers (``training``: schedule, new
    data, drift retraining): for a test of what drift or model quality starts (the retraining gate,
    the drift rule) or of a warning that says whether it retrains."""
    training = platform.get("training")
    serving_cut(platform)
    if training is None:
        del platform["training"]
    else:
        platform["training"] = training


def kubernetes_cut(platform: dict[str, Any]) -> None:
    """:func:`serving_cut`, and no SageMaker endpoints either: a fixture stack's
    ``mlops-platform:platform`` value cut, in place, to what its Kubernetes servings read, for the
    tests of ``kubernetes_serving`` (tests/stacks/test_kubernetes_wiring.py,
    test_kubernetes_presets_wiring.py). The prod fixture with a serving: 280 resources to 150, and
    about 55 % of the CPU of recording it.

    The servings and their monitoring (``stacks.composition.kubernetes``) read the stack's config
    (tags as labels, region, account), the foundation (the data key, the role path), the alert topic
    and the notifications key, and the registry (a family's latest approved version); no SageMaker
    endpoint, model, monitor or alarm feeds them, and nothing the cut removes does. What stays is
    :func:`serving_cut`'s (the network, buckets, keys, roles, feature groups, each family with its
    registry group and training pipeline, the alerts) and the Kubernetes resources.

    Recorded whole and cut (offline and with a resolver that returns an approved artifact: a plain
    serving, monitoring in the default and a named namespace, with a namespace override, GPU
    autoscaling, SNS and webhook alerting, a serving following a family, deferred on an empty
    registry, and KServe Triton), every resource both graphs hold has the same type, parent, provider,
    dependencies and inputs but :func:`serving_cut`'s three (the alerts topic's policy, the
    notifications key's policy and the failed-pipeline rule); every Kubernetes and EKS resource of
    the whole graph is in the cut one, and the policy pack's verdicts on the Alertmanager's role,
    policy and Pod Identity association and on the InferenceService are the same. The cut stack
    does not warn about SageMaker endpoints (it has none) and warns once more (approvals are not
    wired to a deployment). A test that asserts over the whole graph records the whole fixture.
    """
    endpointless_cut(platform)


def endpointless_cut(platform: dict[str, Any]) -> None:
    """:func:`serving_cut`, and no SageMaker endpoints either (what :func:`kubernetes_cut` keeps): a
    fixture stack's ``mlops-platform:platform`` value cut, in place, to its foundation (network,
    buckets, keys, roles), feature groups, families with their registry groups and training
    pipelines, and alerts, for a test of one of those that records a variant (the prod fixture: 271
    resources to 139, about half the CPU of recording it). Nothing it removes feeds what stays but
    :func:`serving_cut`'s three (the alerts topic's and the notifications key's policies, the
    failed-pipeline rule); a test that reads an endpoint, a monitor, a warning about either or the
    whole graph records more."""
    serving_cut(platform)
    platform.pop("endpoints", None)


def batch_scoring_cut(platform: dict[str, Any]) -> None:
    """:func:`endpointless_cut` keeping the families' ``batch_scoring``: a fixture stack's
    ``mlops-platform:platform`` value cut, in place, to its foundation, families (registry groups,
    training and batch-scoring pipelines) and alerts, for a test of batch scoring that records a
    variant. Batch scoring resolves its family itself (``stacks.resolution.resolve_batch_scoring``)
    and reads no endpoint; nothing else the cut removes feeds it."""
    kept = {
        family["name"]: family["batch_scoring"]
        for family in platform.get("models", [])
        if "batch_scoring" in family
    }
    endpointless_cut(platform)
    for family in platform.get("models", []):
        if family["name"] in kept:
            family["batch_scoring"] = kept[family["name"]]


def foundation_cut(platform: dict[str, Any]) -> None:
    """:func:`endpointless_cut`, and no model family or training either: a fixture stack's
    ``mlops-platform:platform`` value cut, in place, to its foundation (network, buckets, keys,
    roles), feature groups and alerts, for a test of a foundation component (the audit trail, the
    DVC remote) that records a variant (the prod fixture: 271 resources to 91, about a third of the
    CPU of recording it). What those components read (the stack's config, the buckets and keys)
    stays as it is."""
    endpointless_cut(platform)
    platform["models"] = []
    platform["training"]["enabled"] = False
