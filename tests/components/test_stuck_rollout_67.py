"""ModelServerRolloutStuck: a rollout whose new pod never becomes ready pages, a healthy one never does.

maxSurge 1 / maxUnavailable 0 keeps every old pod serving while the surge pod waits for a GPU, crash-loops
or never loads its model: no replica is unavailable, so ModelServerPodsNotReady stays silent. The rule's
expression is evaluated here against kube-state-metrics' series as it exports them (one series per
condition status, 1 for the current one and 0 for the others), and its wait against the progress
deadline the recorded Deployments carry and the serving's start allowance.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pytest

import tests.components.test_kubernetes_semantics_67 as recorded_serving
from components.kubernetes.kubernetes_alerts import (
    KUBE_STATE_CONDITION,
    KUBERNETES_DEFAULT_PROGRESS_DEADLINE_SECONDS,
    ROUTE_LABEL,
    progress_deadline_seconds,
    serving_alert_rules,
)
from components.kubernetes.kubernetes_monitoring_spec import ServingMetricNames
from components.kubernetes.kubernetes_serving_spec import KubernetesServingSpec
from planner.recorder import ResourceGraph

graph = recorded_serving.graph  # the module's one recording of a canaried serving (cached, shared)
IMAGE = recorded_serving.IMAGE
CANARY = {"image": recorded_serving.CANARY_IMAGE, "replicas": 1}
ALERT = "ModelServerRolloutStuck"


def _rule(**changes: Any) -> dict[str, Any]:
    spec = KubernetesServingSpec.model_validate({"name": "churn", "image": IMAGE, **changes})
    [rule] = [r for r in serving_alert_rules(spec, ServingMetricNames()) if r["alert"] == ALERT]
    return rule


def _firing(expr: str, series: list[tuple[dict[str, str], float]]) -> list[dict[str, str]]:
    """Evaluate ``metric{matchers} == value`` (PromQL: regex matchers are fully anchored, a filter
    comparison keeps the series whose value holds)."""
    match = re.fullmatch(r"([a-z_:]+)\{([^}]*)\} == ([0-9.]+)", expr)
    assert match is not None, expr
    metric, matchers, value = match[1], match[2], float(match[3])
    parsed = re.findall(r'([a-z_]+)(=~|=)"([^"]*)"', matchers)
    assert ",".join(f'{k}{op}"{v}"' for k, op, v in parsed) == matchers, matchers

    def selected(labels: dict[str, str]) -> bool:
        return labels["__name__"] == metric and all(
            re.fullmatch(v, labels.get(k, "")) if op == "=~" else labels.get(k, "") == v
            for k, op, v in parsed
        )

    return [labels for labels, sample in series if selected(labels) and sample == value]


def _conditions(
    deployment: str, progressing: str, reason: str, namespace: str = "ml-serving", available: str = "true"
) -> list[tuple[dict[str, str], float]]:
    """kube-state-metrics' kube_deployment_status_condition series of one Deployment."""
    series = []
    for condition, current, why in (
        ("Progressing", progressing, reason),
        ("Available", available, "MinimumReplicasAvailable"),
    ):
        for status in ("true", "false", "unknown"):
            labels = {
                "__name__": KUBE_STATE_CONDITION,
                "namespace": namespace,
                "deployment": deployment,
                "condition": condition,
                "status": status,
                "reason": why,
            }
            series.append((labels, 1.0 if status == current else 0.0))
    return series


@pytest.mark.parametrize(
    ("changes", "series", "stuck"),
    [
        pytest.param({}, _conditions("churn", "true", "NewReplicaSetAvailable"), [], id="rolled-out"),
        pytest.param(
            {}, _conditions("churn", "true", "ReplicaSetUpdated"), [], id="rolling-out-within-deadline"
        ),
        pytest.param(
            {},
            _conditions("churn", "false", "ProgressDeadlineExceeded"),
            ["churn"],
            id="surge-pod-never-ready",
        ),
        pytest.param(
            {}, _conditions("churn", "false", "FailedRSCreate"), ["churn"], id="replicaset-not-created"
        ),
        pytest.param({}, _conditions("churn", "unknown", "DeploymentPaused"), [], id="paused-by-hand"),
        # Pods unavailable (ModelServerPodsNotReady's case) while the rollout itself is not stuck.
        pytest.param(
            {}, _conditions("churn", "true", "ReplicaSetUpdated", available="false"), [], id="not-stuck"
        ),
        pytest.param(
            {}, _conditions("churn-batch", "false", "ProgressDeadlineExceeded"), [], id="another-deployment"
        ),
        pytest.param(
            {},
            _conditions("churn", "false", "ProgressDeadlineExceeded", namespace="staging"),
            [],
            id="same-name-other-namespace",
        ),
        pytest.param(
            {"canary": CANARY},
            _conditions("churn", "true", "NewReplicaSetAvailable")
            + _conditions("churn-canary", "false", "ProgressDeadlineExceeded"),
            ["churn-canary"],
            id="canary-stuck",
        ),
        pytest.param(
            {"kserve": {}},
            _conditions("churn", "false", "ProgressDeadlineExceeded")
            + _conditions("churn-predictor", "false", "ProgressDeadlineExceeded"),
            ["churn-predictor"],
            id="kserve-predictor-stuck",
        ),
    ],
)
def test_the_alert_selects_exactly_a_stalled_rollout_of_the_servings_deployments(
    changes: dict[str, Any], series: list[tuple[dict[str, str], float]], stuck: list[str]
) -> None:
    rule = _rule(**changes)
    assert [labels["deployment"] for labels in _firing(rule["expr"], series)] == stuck
    assert rule["labels"] == {
        "namespace": "ml-serving",
        "serving": "churn",
        ROUTE_LABEL[0]: ROUTE_LABEL[1],
        "severity": "critical",
    }
    assert "{{ $labels.deployment }}" in rule["annotations"]["description"]


def _wait_seconds(rule: dict[str, Any]) -> int:
    match = re.fullmatch(r"([0-9]+)m", rule["for"])
    assert match is not None, rule["for"]
    return int(match[1]) * 60


def test_it_pages_after_one_start_allowance_of_no_progress_on_the_recorded_deployments(
    graph: ResourceGraph,
) -> None:
    """The condition turns False after the Deployment's progress deadline without progress (per step:
    it restarts with each pod that becomes ready); the platform sets that deadline to the start
    allowance, so a short wait past it pages a stuck step, and a healthy one never turns it False."""
    spec = KubernetesServingSpec.model_validate(recorded_serving.SPEC)
    allowance = spec.start_allowance_seconds
    [rule] = [r for r in serving_alert_rules(spec, ServingMetricNames()) if r["alert"] == ALERT]
    deadlines = {
        d.inputs["metadata"]["name"]: d.inputs["spec"]["progressDeadlineSeconds"]
        for d in graph.of_type(recorded_serving.DEPLOYMENT)
    }
    assert (
        deadlines
        == {"churn": allowance, "churn-canary": allowance}
        == dict.fromkeys(spec.deployment_names, progress_deadline_seconds(spec))
    )
    for deadline in deadlines.values():
        assert allowance <= deadline + _wait_seconds(rule) <= allowance + 600
    assert rule["annotations"]["summary"] == (
        f"ml-serving/churn: rollout made no progress for {math.ceil(allowance / 60) + _wait_seconds(rule) // 60} minutes"
    )


@pytest.mark.parametrize("startup", [600, 605, 1800], ids=["default", "rounded-up", "slow-model"])
def test_kserves_shorter_default_deadline_is_waited_out_to_the_start_allowance(startup: int) -> None:
    """KServe writes the predictor's Deployment with Kubernetes' default 600 s deadline, shorter than
    any start allowance (a node and the image pull alone get 15 minutes): the condition may turn False
    during a slow but healthy start, so ``for`` covers the rest of the allowance."""
    spec = KubernetesServingSpec.model_validate(
        {"name": "churn", "image": IMAGE, "kserve": {}, "startup_timeout_seconds": startup}
    )
    [rule] = [r for r in serving_alert_rules(spec, ServingMetricNames()) if r["alert"] == ALERT]
    assert progress_deadline_seconds(spec) == KUBERNETES_DEFAULT_PROGRESS_DEADLINE_SECONDS
    fires_after = KUBERNETES_DEFAULT_PROGRESS_DEADLINE_SECONDS + _wait_seconds(rule)
    assert spec.start_allowance_seconds <= fires_after <= spec.start_allowance_seconds + 600
