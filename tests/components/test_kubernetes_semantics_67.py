"""What the Kubernetes serving's rollout, autoscaling, probes and placement mean across its objects.

One recording of a scaled, canaried GPU serving with non-default values (so a value taken from the wrong
field, or swapped with another, shows): Pulumi's wait covers a rollout of every pod the HPA may run, one
at a time, not one pod's start; the HPA slows scale-down only, by the spec's window, and scales only the
stable Deployment; the startup probe outlasts the model's load before liveness may restart the pod, on
the container's own port; a stopping pod keeps serving while its endpoint leaves the proxies, then has
time for its requests; the canary's pods are placed and sized like the stable ones; the default
not-ready alert waits out a new pod's progress deadline; and the GPU saturation alert sits above the
utilisation the HPA holds the pods at, or it would page while the HPA works as intended.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from components.kubernetes.kubernetes_alerts import serving_alert_rules
from components.kubernetes.kubernetes_monitoring_spec import ServingMetricNames
from components.kubernetes.kubernetes_serving import (
    KubernetesServing,
    KubernetesServingArgs,
    KubernetesServingSpec,
)
from planner.recorder import RecordedResource, ResourceGraph, record_program
from stacks.config import CONFIG_KEY
from tests.config_problems import stack_file_problems
from tests.recorded import computed_once
from tests.stack_edits import at

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn@sha256:" + "0" * 64
CANARY_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn@sha256:" + "1" * 64
SPEC = {
    "name": "churn",
    "image": IMAGE,
    "gpus": 2,
    "replicas": 3,
    "min_replicas": 2,
    "max_replicas": 5,
    "startup_timeout_seconds": 605,  # not a multiple of the probe period
    "scale_down_stabilization_seconds": 900,
    "readiness_path": "/ready",
    "liveness_path": "/live",
    "port": 8081,
    "canary": {"image": CANARY_IMAGE, "replicas": 2},
}


def _seconds(timeout: str) -> int:
    match = re.fullmatch(r"([0-9]+)s", timeout)
    assert match is not None, timeout
    return int(match[1])


@pytest.fixture(scope="module")
def graph() -> ResourceGraph:
    spec = KubernetesServingSpec.model_validate(SPEC)

    def program() -> None:
        KubernetesServing("churn-serving", KubernetesServingArgs(spec=spec))

    return computed_once("serving-67", lambda: record_program(program), key=[repr(spec)])


def _deployments(graph: ResourceGraph) -> dict[str, RecordedResource]:
    return {d.inputs["metadata"]["name"]: d for d in graph.of_type(DEPLOYMENT)}


def _container(deployment: RecordedResource) -> dict[str, Any]:
    [container] = deployment.inputs["spec"]["template"]["spec"]["containers"]
    return container


def test_pulumi_waits_for_a_rollout_of_every_pod_one_at_a_time(graph: ResourceGraph) -> None:
    deployments = _deployments(graph)
    [hpa] = graph.of_type(HPA)
    # The stable Deployment may hold max_replicas pods (the HPA's) when a rollout starts; the canary its own.
    pods = {"churn": hpa.inputs["spec"]["maxReplicas"], "churn-canary": SPEC["canary"]["replicas"]}
    assert set(deployments) == set(pods)
    for name, deployment in deployments.items():
        spec = deployment.inputs["spec"]
        # One new pod at a time, none taken away before it is ready: the rollout is sequential.
        assert spec["strategy"]["rollingUpdate"] == {"maxSurge": 1, "maxUnavailable": 0}
        step = spec["progressDeadlineSeconds"]
        timeouts = deployment.custom_timeouts
        assert timeouts is not None
        create, update = _seconds(timeouts["create"]), _seconds(timeouts["update"])
        # A create starts every pod at once: one step. An update: one step per pod, each given what
        # Kubernetes' progress deadline gives it, since Pulumi does not stop at that deadline.
        assert step < create <= step + 600, name
        assert pods[name] * step < update <= pods[name] * step + 600, name


def test_the_hpa_slows_only_scale_down_by_the_specs_window_and_scales_the_stable_pods(
    graph: ResourceGraph,
) -> None:
    [hpa] = graph.of_type(HPA)
    spec = hpa.inputs["spec"]
    assert spec["scaleTargetRef"]["name"] == "churn"  # never the canary: its share of traffic is fixed
    assert (spec["minReplicas"], spec["maxReplicas"]) == (2, 5)
    # Scale-up keeps Kubernetes' default (no window, fast): a GPU pod is slow enough to start.
    assert set(spec["behavior"]) == {"scaleDown"}
    down = spec["behavior"]["scaleDown"]
    assert down["stabilizationWindowSeconds"] == SPEC["scale_down_stabilization_seconds"]
    assert down.get("selectPolicy", "Max") != "Disabled"
    # The CPU target is a share of the request (Utilization), the GPU one a per-pod average percentage.
    [cpu] = [m for m in spec["metrics"] if m["type"] == "Resource"]
    assert cpu["resource"]["target"]["type"] == "Utilization"


@pytest.mark.parametrize("name", ["churn", "churn-canary"])
def test_the_startup_probe_outlasts_the_load_on_the_containers_own_port(
    graph: ResourceGraph, name: str
) -> None:
    container = _container(_deployments(graph)[name])
    [http] = [p for p in container["ports"] if p["name"] == "http"]
    assert http["containerPort"] == SPEC["port"]
    startup, ready, live = (container[f"{kind}Probe"] for kind in ("startup", "readiness", "liveness"))
    # Liveness only starts once the startup probe passed: the load gets the whole timeout, not much more.
    allowed = startup["periodSeconds"] * startup["failureThreshold"]
    assert (
        SPEC["startup_timeout_seconds"]
        <= allowed
        < SPEC["startup_timeout_seconds"] + startup["periodSeconds"]
    )
    assert startup["httpGet"]["path"] == live["httpGet"]["path"] == SPEC["liveness_path"]
    assert ready["httpGet"]["path"] == SPEC["readiness_path"]
    for probe in (startup, ready, live):
        assert probe["httpGet"]["port"] == "http"
        assert probe["timeoutSeconds"] < probe["periodSeconds"]


@pytest.mark.parametrize("name", ["churn", "churn-canary"])
def test_a_stopping_pod_serves_until_its_endpoint_is_gone_then_finishes_its_requests(
    graph: ResourceGraph, name: str
) -> None:
    pod = _deployments(graph)[name].inputs["spec"]["template"]["spec"]
    [container] = pod["containers"]
    # The kubelet's own sleep (no binary in a distroless image), before SIGTERM: long enough for every
    # node's proxy to drop the endpoint, short enough to leave most of the grace period to the requests.
    wait = container["lifecycle"]["preStop"]["sleep"]["seconds"]
    assert set(container["lifecycle"]["preStop"]) == {"sleep"}
    assert 5 <= wait <= pod["terminationGracePeriodSeconds"] - 30


def test_the_canarys_pods_are_placed_and_sized_like_the_stable_ones(graph: ResourceGraph) -> None:
    pods = {name: d.inputs["spec"]["template"]["spec"] for name, d in _deployments(graph).items()}
    for name, pod in pods.items():
        [container] = pod["containers"]
        resources = container["resources"]
        assert resources["limits"]["nvidia.com/gpu"] == resources["requests"]["nvidia.com/gpu"] == "2", name
        assert pod["tolerations"] == [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
        assert pod["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
    stable, canary = pods["churn"], pods["churn-canary"]
    assert stable["containers"][0]["resources"] == canary["containers"][0]["resources"]


def test_the_default_not_ready_alert_waits_out_a_new_pods_progress_deadline(graph: ResourceGraph) -> None:
    deadline = _deployments(graph)["churn"].inputs["spec"]["progressDeadlineSeconds"]
    rules = serving_alert_rules(KubernetesServingSpec.model_validate(SPEC), ServingMetricNames())
    [not_ready] = [r for r in rules if r["alert"] == "ModelServerPodsNotReady"]
    minutes = int(not_ready["for"].removesuffix("m"))
    # A pod of a healthy scale-out is unavailable until it is ready: no page before its deadline.
    assert deadline <= minutes * 60 < deadline + 60
    assert not_ready["expr"].endswith("> 0")


@pytest.mark.parametrize(
    ("saturation", "refused"),
    # Target 70: the HPA leaves the pods anywhere up to 77 (its 10% tolerance) without scaling out.
    [(70, True), (76, True), (77, False)],
    ids=["at-the-target", "within-the-hpas-tolerance", "at-the-tolerance"],
)
def test_the_gpu_saturation_alert_lies_above_the_hpas_target(saturation: int, refused: bool) -> None:
    gpu = {**SPEC, "target_gpu_utilization": 70, "alerts": {"gpu_saturation_percent": saturation}}
    if not refused:
        KubernetesServingSpec.model_validate(gpu)
        return
    with pytest.raises(
        ValueError, match=r"must be at least 1.1 x target_gpu_utilization \(70\), i.e. 77"
    ) as error:
        KubernetesServingSpec.model_validate(gpu)
    [problem] = error.value.errors()  # type: ignore[attr-defined]
    assert problem["loc"] == ("alerts", "gpu_saturation_percent")
    # No alert to misfire: a CPU serving, or one whose alerts are off, keeps its thresholds.
    KubernetesServingSpec.model_validate(
        {**gpu, "alerts": {"gpu_saturation_percent": saturation, "enabled": False}}
    )


def test_a_stack_file_with_the_saturation_alert_within_the_hpas_tolerance_is_refused_naming_the_key(
    write_stack,
) -> None:
    serving = {
        "name": "churn",
        "image": IMAGE,
        "target_gpu_utilization": 75,  # the HPA holds up to 82.5
        "alerts": {"gpu_saturation_percent": 82},
    }
    monitored = {"servings": [serving], "monitoring": {"grafana_admin_secret": {"name": "grafana-admin"}}}
    problems = stack_file_problems(write_stack("prod", at("kubernetes_serving", monitored)))
    key = f"{CONFIG_KEY}.kubernetes_serving.servings[0].alerts.gpu_saturation_percent"
    assert list(problems) == [key]
    assert "must be at least 1.1 x target_gpu_utilization (75), i.e. 83" in problems[key]
