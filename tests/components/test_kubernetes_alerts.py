"""Kubernetes serving alerts: a PrometheusRule per serving with the spec's thresholds over the series the
server and the exporters really expose, and Alertmanager routing them to the SNS topic or a webhook."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import pulumi
import pytest
from pydantic import ValidationError

from components.kubernetes.kubernetes_alerts import (
    ALERTMANAGER_SERVICE_ACCOUNT,
    KUBE_STATE_UNAVAILABLE,
    RECEIVER,
    ROUTE_LABEL,
    serving_alert_rules,
)
from components.kubernetes.kubernetes_monitoring import (
    KubernetesMonitoring,
    KubernetesMonitoringArgs,
    KubernetesMonitoringSpec,
)
from components.kubernetes.kubernetes_monitoring_spec import ServingMetricNames
from components.kubernetes.kubernetes_serving import kubernetes_provider
from components.kubernetes.kubernetes_serving_spec import GPU_UTILIZATION_METRIC, KubernetesServingSpec
from planner.recorder import RecordedResource, ResourceGraph, record_program
from policies.local import evaluate_report
from policies.registry import load_pack_config
from tests.recorded import computed_once

RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
RELEASE = "kubernetes:helm.sh/v3:Release"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn@sha256:" + "0123456789abcdef" * 4
TOPIC = "arn:aws:sns:eu-west-1:111111111111:alerts"
PROMQL_FUNCTIONS = {"sum", "rate", "avg", "by", "histogram_quantile", "le"}


def _serving(**changes: Any) -> KubernetesServingSpec:
    return KubernetesServingSpec.model_validate({"name": "churn", "image": IMAGE, **changes})


def _spec(**changes: Any) -> KubernetesMonitoringSpec:
    return KubernetesMonitoringSpec.model_validate(
        {"grafana_admin_secret": {"name": "grafana-admin"}, "scrape": [{"name": "churn"}], **changes}
    )


def _record(
    spec: KubernetesMonitoringSpec, servings: list[KubernetesServingSpec], **args: Any
) -> ResourceGraph:
    def program() -> None:
        provider = kubernetes_provider("eks", "kubeconfig", cluster_identifier="arn:aws:eks:cluster")
        KubernetesMonitoring(
            "monitoring",
            KubernetesMonitoringArgs(spec=spec, servings=servings, **args),
            pulumi.ResourceOptions(providers=[provider]),
        )

    # Once per version of the code and of this file: the arguments as written are the key.
    return computed_once("monitoring", lambda: record_program(program), key=[repr((spec, servings, args))])


def _stack_values(graph: ResourceGraph) -> dict[str, Any]:
    [release] = [r for r in graph.of_type(RELEASE) if r.inputs["chart"] == "kube-prometheus-stack"]
    return release.inputs["values"]


def _rules(resource: RecordedResource) -> dict[str, dict[str, Any]]:
    [group] = resource.inputs["spec"]["groups"]
    return {rule["alert"]: rule for rule in group["rules"]}


@pytest.fixture(scope="module")
def graph() -> ResourceGraph:
    """A GPU serving with its own thresholds, and a CPU one with the defaults, paging through SNS."""
    servings = [
        _serving(
            alerts={
                "error_rate_percent": 2.5,
                "p99_latency_seconds": 0.8,
                "gpu_saturation_percent": 90,
                "gpu_saturation_minutes": 20,
                "not_ready_minutes": 5,
            }
        ),
        _serving(name="fraud", namespace="risk-serving", gpus=0),
    ]
    spec = _spec(
        scrape=[{"name": "churn"}, {"name": "fraud", "namespace": "risk-serving"}],
        alerting={"destination": "sns"},
    )
    return _record(spec, servings, alert_topic_arn=TOPIC, region="eu-west-1")


# --- the rules -----------------------------------------------------------------------------------


def test_each_serving_gets_a_prometheus_rule_that_waits_for_the_crd(graph: ResourceGraph) -> None:
    [stack] = [r for r in graph.of_type(RELEASE) if r.inputs["chart"] == "kube-prometheus-stack"]
    rules = {r.inputs["metadata"]["name"]: r for r in graph.of_type(RULE)}
    assert set(rules) == {"ml-serving-churn-alerts", "risk-serving-fraud-alerts"}
    for rule in rules.values():
        # Beside the ServiceMonitors; Prometheus selects rules of every namespace.
        assert rule.inputs["metadata"]["namespace"] == "monitoring"
        assert stack.urn in rule.explicit_dependencies
    assert _stack_values(graph)["prometheus"]["prometheusSpec"]["ruleSelectorNilUsesHelmValues"] is False


def test_thresholds_and_durations_come_from_the_serving_spec(graph: ResourceGraph) -> None:
    [churn] = [r for r in graph.of_type(RULE) if r.inputs["metadata"]["name"] == "ml-serving-churn-alerts"]
    rules = _rules(churn)
    assert rules["ModelServerHighErrorRate"]["expr"].endswith("> 2.5")
    assert rules["ModelServerHighErrorRate"]["for"] == "5m"
    assert rules["ModelServerHighLatencyP99"]["expr"].endswith("> 0.8")
    assert rules["ModelServerHighLatencyP99"]["for"] == "10m"
    assert rules["ModelServerGpuSaturated"]["expr"].endswith("> 90")
    assert rules["ModelServerGpuSaturated"]["for"] == "20m"
    assert rules["ModelServerPodsNotReady"]["for"] == "5m"
    assert rules["ModelServerPodsNotReady"]["expr"].endswith(" > 0")  # one pod not ready is one too many
    assert {name: rule["labels"]["severity"] for name, rule in rules.items()} == {
        "ModelServerHighErrorRate": "critical",
        "ModelServerHighLatencyP99": "warning",
        "ModelServerGpuSaturated": "warning",
        "ModelServerPodsNotReady": "critical",
        "ModelServerRolloutStuck": "critical",
    }
    for rule in rules.values():
        assert rule["labels"][ROUTE_LABEL[0]] == ROUTE_LABEL[1]
        assert rule["labels"]["namespace"] == "ml-serving"
        assert rule["labels"]["serving"] == "churn"
        assert rule["annotations"]["summary"].startswith("ml-serving/churn: ")


def test_a_cpu_serving_has_no_gpu_alert_and_the_default_thresholds(graph: ResourceGraph) -> None:
    [fraud] = [r for r in graph.of_type(RULE) if r.inputs["metadata"]["name"] == "risk-serving-fraud-alerts"]
    rules = _rules(fraud)
    assert set(rules) == {
        "ModelServerHighErrorRate",
        "ModelServerHighLatencyP99",
        "ModelServerPodsNotReady",
        "ModelServerRolloutStuck",
    }
    assert rules["ModelServerHighErrorRate"]["expr"].endswith("> 5")
    assert rules["ModelServerHighLatencyP99"]["expr"].endswith("> 2")
    # The pods' start allowance: the default 600 s startup timeout plus 15 minutes for a new node and
    # the image pull; a healthy scale-out never pages.
    assert rules["ModelServerPodsNotReady"]["for"] == "25m"


def _metric_names(expr: str) -> set[str]:
    without_strings = re.sub(r'"[^"]*"', '""', expr)
    without_matchers = re.sub(r"\{[^}]*\}", "", without_strings)
    without_ranges = re.sub(r"\[[^\]]*\]", "", without_matchers)
    names = set(re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", without_ranges))
    return names - PROMQL_FUNCTIONS


def test_expressions_query_only_series_the_server_and_exporters_expose() -> None:
    metrics = ServingMetricNames()
    rules = {r["alert"]: r["expr"] for r in serving_alert_rules(_serving(), metrics)}
    assert _metric_names(rules["ModelServerHighErrorRate"]) == {metrics.requests_total}
    assert _metric_names(rules["ModelServerHighLatencyP99"]) == {f"{metrics.duration_histogram}_bucket"}
    assert _metric_names(rules["ModelServerGpuSaturated"]) == {GPU_UTILIZATION_METRIC}
    assert _metric_names(rules["ModelServerPodsNotReady"]) == {KUBE_STATE_UNAVAILABLE}
    for expr in rules.values():
        assert expr.count("(") == expr.count(")") and expr.count("{") == expr.count("}"), expr
    # The ServiceMonitor's target labels: the serving's namespace and its Service (named after it).
    for name in ("ModelServerHighErrorRate", "ModelServerHighLatencyP99"):
        assert 'namespace="ml-serving",service="churn"' in rules[name]
    assert 'status=~"5.."' in rules["ModelServerHighErrorRate"]
    assert rules["ModelServerHighLatencyP99"].startswith("histogram_quantile(0.99, sum by (le) (rate(")
    assert 'pod=~"churn-[a-z0-9]+-[a-z0-9]+"' in rules["ModelServerGpuSaturated"]
    assert 'deployment="churn"' in rules["ModelServerPodsNotReady"]


def test_a_canarys_pods_not_ready_page_like_the_stable_ones() -> None:
    canary = {"image": IMAGE[:-4] + "beef", "replicas": 1}
    [with_canary] = [
        r
        for r in serving_alert_rules(_serving(canary=canary), ServingMetricNames())
        if r["alert"] == "ModelServerPodsNotReady"
    ]
    # Both Deployments, and nothing else of the namespace (PromQL anchors the regex).
    assert with_canary["expr"] == (
        f'{KUBE_STATE_UNAVAILABLE}{{namespace="ml-serving",deployment=~"churn|churn-canary"}} > 0'
    )
    assert "{{ $labels.deployment }}" in with_canary["annotations"]["description"]
    [without] = [
        r
        for r in serving_alert_rules(_serving(), ServingMetricNames())
        if r["alert"] == "ModelServerPodsNotReady"
    ]
    assert without["expr"] == f'{KUBE_STATE_UNAVAILABLE}{{namespace="ml-serving",deployment="churn"}} > 0'
    # The canary Deployment the serving creates is the one the alert names.
    assert _serving(canary=canary).canary_deployment_name == "churn-canary"
    assert _serving().canary_deployment_name is None


def test_expressions_use_the_servers_own_metric_names() -> None:
    metrics = ServingMetricNames(
        requests_total="vllm:request_success_total",
        duration_histogram="vllm:e2e_request_latency_seconds",
        status_label="code",
    )
    rules = {r["alert"]: r["expr"] for r in serving_alert_rules(_serving(), metrics)}
    assert _metric_names(rules["ModelServerHighErrorRate"]) == {"vllm:request_success_total"}
    assert 'code=~"5.."' in rules["ModelServerHighErrorRate"]
    assert "vllm:e2e_request_latency_seconds_bucket{" in rules["ModelServerHighLatencyP99"]


@pytest.mark.parametrize(
    ("changes", "wait"),
    [
        pytest.param({}, "25m", id="default-startup-600s"),
        # 1800 s to load the model plus 15 minutes for a node and the image: 45 minutes.
        pytest.param({"startup_timeout_seconds": 1800}, "45m", id="slow-model-1800s"),
        pytest.param({"startup_timeout_seconds": 1830}, "46m", id="rounded-up"),
        pytest.param({"alerts": {"not_ready_minutes": 3}}, "3m", id="set-by-the-stack"),
    ],
)
def test_pods_not_ready_pages_only_after_a_new_pod_may_take_to_start(changes: dict, wait: str) -> None:
    """A scale-out's new pods are unavailable while a GPU node joins, the image is pulled and the
    model loads: the Deployment's own allowance (its progress deadline). Paging before it would page
    on every healthy scale-out; a stack may choose a shorter wait."""
    [rule] = [
        r
        for r in serving_alert_rules(_serving(**changes), ServingMetricNames())
        if r["alert"] == "ModelServerPodsNotReady"
    ]
    assert rule["for"] == wait
    assert f"for {wait.removesuffix('m')} minutes" in rule["annotations"]["summary"]


def test_the_gpu_pod_pattern_matches_the_servings_pods_only() -> None:
    [gpu] = [r for r in serving_alert_rules(_serving(), ServingMetricNames()) if "Gpu" in r["alert"]]
    pattern = re.search(r'pod=~"([^"]+)"', gpu["expr"]).group(1)  # type: ignore[union-attr]
    assert re.fullmatch(pattern, "churn-7d9c8b6f5-x2x7k")  # PromQL regexes are fully anchored
    assert not re.fullmatch(pattern, "churn-canary-7d9c8b6f5-x2x7k")
    assert not re.fullmatch(pattern, "fraud-7d9c8b6f5-x2x7k")


def test_disabled_alerts_render_no_rule() -> None:
    graph = _record(_spec(), [_serving(alerts={"enabled": False})])
    assert graph.of_type(RULE) == []


# A PrometheusRule is a custom resource: a hand-written subset of the monitoring.coreos.com/v1 CRD schema,
# closed so a misspelt field fails; the duration pattern is the CRD's.
_DURATION = r"^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$"
_STRINGS = {"type": "object", "additionalProperties": {"type": "string"}}
PROMETHEUS_RULE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "monitoring.coreos.com/v1"},
        "kind": {"const": "PrometheusRule"},
        "metadata": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "namespace"],
            "properties": {"name": {"type": "string"}, "namespace": {"type": "string"}, "labels": _STRINGS},
        },
        "spec": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "groups": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["name", "rules"],
                        "properties": {
                            "name": {"type": "string", "minLength": 1},
                            "rules": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "additionalProperties": False,
                                    "required": ["alert", "expr"],
                                    "properties": {
                                        "alert": {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_]*$"},
                                        "expr": {"type": "string", "minLength": 1},
                                        "for": {"type": "string", "pattern": _DURATION},
                                        "labels": {
                                            **_STRINGS,
                                            "propertyNames": {"pattern": r"^[A-Za-z_][A-Za-z0-9_]*$"},
                                        },
                                        "annotations": _STRINGS,
                                    },
                                },
                            },
                        },
                    },
                }
            },
        },
    },
}


def test_prometheus_rules_have_the_shape_of_the_crd(graph: ResourceGraph) -> None:
    for rule in graph.of_type(RULE):
        jsonschema.validate(dict(rule.inputs), PROMETHEUS_RULE_SCHEMA)
    broken = dict(graph.of_type(RULE)[0].inputs)
    broken["spec"] = {"groups": [{"name": "x", "rules": [{"alert": "A", "expr": "up", "for": "5 min"}]}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, PROMETHEUS_RULE_SCHEMA)


# --- Alertmanager --------------------------------------------------------------------------------


def test_alertmanager_routes_serving_alerts_to_the_sns_topic(graph: ResourceGraph) -> None:
    alertmanager = _stack_values(graph)["alertmanager"]
    assert alertmanager["enabled"] is True
    assert alertmanager["serviceAccount"] == {"create": True, "name": ALERTMANAGER_SERVICE_ACCOUNT}
    assert set(alertmanager["alertmanagerSpec"]["resources"]) == {"requests", "limits"}
    config = alertmanager["config"]
    # Everything else (the chart's cluster rules, Watchdog) goes to the receiver that sends nothing.
    assert config["route"]["receiver"] == "null"
    [route] = config["route"]["routes"]
    assert route["receiver"] == RECEIVER
    assert route["matchers"] == [f'{ROUTE_LABEL[0]}="{ROUTE_LABEL[1]}"']
    receivers = {receiver["name"]: receiver for receiver in config["receivers"]}
    assert receivers["null"] == {"name": "null"}
    [sns] = receivers[RECEIVER]["sns_configs"]
    assert sns["topic_arn"] == TOPIC
    assert sns["sigv4"] == {"region": "eu-west-1"}  # no keys: Pod Identity's credentials
    assert sns["send_resolved"] is True


def test_alertmanager_routes_to_a_webhook_when_configured() -> None:
    url = "https://hooks.example.com/alerts"
    graph = _record(
        _spec(alerting={"destination": "webhook", "webhook_url": url, "repeat_interval": "1h"}), [_serving()]
    )
    config = _stack_values(graph)["alertmanager"]["config"]
    [receiver] = [r for r in config["receivers"] if r["name"] == RECEIVER]
    assert receiver == {"name": RECEIVER, "webhook_configs": [{"url": url, "send_resolved": True}]}
    assert config["route"]["routes"][0]["repeat_interval"] == "1h"


def test_without_alerting_alertmanager_stays_off_and_rules_still_render() -> None:
    graph = _record(_spec(), [_serving()])
    assert _stack_values(graph)["alertmanager"] == {"enabled": False}
    assert len(graph.of_type(RULE)) == 1


def test_sns_alerting_needs_the_topic() -> None:
    with pytest.raises(ValueError, match="needs alert_topic_arn and region"):
        KubernetesMonitoringArgs(spec=_spec(alerting={"destination": "sns"}), servings=[_serving()])


@pytest.mark.parametrize(
    ("alerting", "message"),
    [
        pytest.param(
            {"destination": "webhook"}, "set webhook_url with destination webhook", id="webhook-no-url"
        ),
        pytest.param(
            {"destination": "sns", "webhook_url": "https://x.example.com"},
            "set webhook_url with destination webhook",
            id="sns-with-url",
        ),
        pytest.param(
            {"destination": "webhook", "webhook_url": "http://x.example.com"},
            "must start with https://",
            id="plain-http",
        ),
        pytest.param({"destination": "pager"}, "'sns' or 'webhook'", id="unknown-destination"),
        pytest.param(
            {"destination": "sns", "repeat_interval": "4 hours"}, "is not a Prometheus duration", id="repeat"
        ),
    ],
)
def test_malformed_alerting_is_rejected(alerting: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _spec(alerting=alerting)


@pytest.mark.parametrize(
    ("alerts", "message"),
    [
        pytest.param({"error_rate_percent": 0}, "greater than 0", id="zero-error-rate"),
        pytest.param({"error_rate_percent": 150}, "less than or equal to 100", id="error-rate-over-100"),
        pytest.param({"gpu_saturation_percent": 101}, "less than or equal to 100", id="gpu-over-100"),
        pytest.param({"not_ready_minutes": 0}, "greater than or equal to 1", id="not-ready-zero"),
        pytest.param({"p99_latency": 1}, "Extra inputs are not permitted", id="misspelt"),
    ],
)
def test_malformed_thresholds_are_rejected(alerts: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _serving(alerts=alerts)


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_policy_pack_reports_nothing_for_the_rendered_resources(
    graph: ResourceGraph, environment: str
) -> None:
    report = evaluate_report(graph.resources, load_pack_config(environment))
    assert report.violations == []
    assert report.undecided == []
