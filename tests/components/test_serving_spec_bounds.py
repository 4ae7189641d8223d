"""Serving specs keep AWS's limits (and the project's documented ranges) exactly at their edges.

A mutation audit moved each bound of the serving specs by one (``le=3600`` -> ``le=3601``,
``ge=1`` -> ``ge=0``, ``>`` -> ``>=``) and found these survived the suite: nothing accepted the
edge value and refused the next one. Each case here does both, and checks that the refusal names
the key (and, for pydantic bounds, the bound), so a bound that drifts from AWS's fails here.

The limits are botocore's ``sagemaker`` service model (``CreateEndpointConfig``'s
``ProductionVariant``, ``DataCaptureConfig``, ``AsyncInferenceClientConfig``, ``ServerlessConfig``,
``BlueGreenUpdatePolicy``, ``InferenceComponent*``, ``CreateTransformJob``) or, where AWS sets none,
the range docs/configuration.md and docs/components.md give. Endpoints and shared endpoints are
checked through a stack file (the key as the CLI reports it); batch scoring and Kubernetes servings
through their spec models, naming the field.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import ValidationError

from components.kubernetes.kubernetes_serving_spec import KubernetesServingSpec
from components.serving.batch_scoring_spec import BatchScoringSpec
from stacks.config import CONFIG_KEY
from tests.config_problems import stack_file_problems

Edit = Callable[[dict[str, Any]], None]
Path_ = tuple[str | int, ...]

ENDPOINT: dict[str, Any] = {
    "name": "customer-churn",
    "variants": [
        {
            "name": "primary",
            "model": {"latest_approved_of": "customer-churn"},
            "instance_type": "ml.m5.xlarge",
        }
    ],
    "deployment": {"strategy": "all_at_once"},  # prod's default is linear, which needs a bigger fleet
}
SHARED: dict[str, Any] = {
    "name": "shared-cpu",
    "instance_type": "ml.m5.4xlarge",
    "components": [
        {
            "name": "churn",
            "model": {"latest_approved_of": "customer-churn"},
            "compute": {"cpu_cores": 1, "memory_mb": 1024},
        }
    ],
}


def _set(document: dict[str, Any], path: Path_, value: Any) -> None:
    *parents, last = path
    for step in parents:
        document = document[step]
    document[last] = value  # type: ignore[index]


def _dotted(path: Path_) -> str:
    return "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in path)


def _setup(**top: Any) -> Edit:
    """A change of the endpoint (or shared endpoint) before the value under test is set."""

    def change(spec: dict[str, Any]) -> None:
        for dotted, value in top.items():
            _set(spec, tuple(int(s) if s.isdigit() else s for s in dotted.split("__")), copy.deepcopy(value))

    return change


FLEET_OF_100 = _setup(variants__0__initial_instance_count=100, deployment__strategy="canary")
SCALED = _setup(variants__0__scaling={"min_capacity": 1, "max_capacity": 100})
GPU_SCALED = _setup(
    variants__0__instance_type="ml.g5.xlarge", variants__0__scaling={"min_capacity": 1, "max_capacity": 4}
)
SERVERLESS = _setup(
    variants__0={
        "name": "primary",
        "model": {"latest_approved_of": "customer-churn"},
        "serverless": {"memory_mb": 2048, "max_concurrency": 200},
    }
)
ASYNC = _setup(async_inference={})
SHADOWED = _setup(
    shadow_variants=[
        {"name": "shadow", "model": {"latest_approved_of": "customer-churn"}, "instance_type": "ml.m5.xlarge"}
    ],
    shadow_test={"start": "2027-03-01T00:00:00Z", "end": "2027-03-31T00:00:00Z"},
)


def _variants(count: int) -> list[dict[str, Any]]:
    return [{**ENDPOINT["variants"][0], "name": f"v{index}"} for index in range(count)]


GE = "greater than or equal to {}"
LE = "less than or equal to {}"

# (id, setup, path in the endpoint, accepted values, [(refused value, message fragment)])
ENDPOINT_CASES: list[tuple[str, Edit | None, Path_, list[Any], list[tuple[Any, str]]]] = [
    ("canary_percent", FLEET_OF_100, ("deployment", "canary_percent"), [1, 50], [(0, GE.format(1)), (51, LE.format(50))]),
    ("wait_interval", None, ("deployment", "wait_interval_seconds"), [0, 3600], [(-1, GE.format(0)), (3601, LE.format(3600))]),
    ("termination_wait", None, ("deployment", "termination_wait_seconds"), [0, 3600], [(-1, GE.format(0)), (3601, LE.format(3600))]),
    ("initial_instance_count", None, ("variants", 0, "initial_instance_count"), [1, 100], [(0, GE.format(1)), (101, LE.format(100))]),
    ("weight", None, ("variants", 0, "weight"), [1000], [(-1, GE.format(0)), (1001, LE.format(1000))]),
    ("volume_size_gb", None, ("variants", 0, "volume_size_gb"), [1, 512], [(0, GE.format(1)), (513, LE.format(512))]),
    ("model_download_timeout", None, ("variants", 0, "model_download_timeout_seconds"), [60, 3600], [(59, GE.format(60)), (3601, LE.format(3600))]),
    ("startup_health_check_timeout", None, ("variants", 0, "container_startup_health_check_timeout_seconds"), [60, 3600], [(59, GE.format(60)), (3601, LE.format(3600))]),
    ("scaling.max_capacity", SCALED, ("variants", 0, "scaling", "max_capacity"), [1, 100], [(101, LE.format(100))]),
    ("scaling.min_capacity", _setup(variants__0__scaling={"min_capacity": 1, "max_capacity": 2, "backlog_per_instance": 5}, async_inference={}), ("variants", 0, "scaling", "min_capacity"), [0], [(-1, GE.format(0))]),
    ("scaling.scale_in_cooldown", SCALED, ("variants", 0, "scaling", "scale_in_cooldown_seconds"), [0, 3600], [(3601, LE.format(3600))]),
    ("scaling.scale_out_cooldown", SCALED, ("variants", 0, "scaling", "scale_out_cooldown_seconds"), [0, 3600], [(3601, LE.format(3600))]),
    ("scaling.invocations_per_instance", SCALED, ("variants", 0, "scaling", "invocations_per_instance"), [1], [(0, GE.format(1))]),
    ("scaling.gpu_utilization", GPU_SCALED, ("variants", 0, "scaling", "gpu_utilization_percent"), [0.5, 100], [(0, "greater than 0"), (101, LE.format(100))]),
    ("serverless.max_concurrency", SERVERLESS, ("variants", 0, "serverless", "max_concurrency"), [1, 200], [(0, GE.format(1)), (201, LE.format(200))]),
    ("serverless.provisioned_concurrency", SERVERLESS, ("variants", 0, "serverless", "provisioned_concurrency"), [1, 200], [(201, LE.format(200))]),
    ("async.max_concurrent_invocations", ASYNC, ("async_inference", "max_concurrent_invocations_per_instance"), [1, 1000], [(0, GE.format(1)), (1001, LE.format(1000))]),
    ("data_capture.sampling_percent", _setup(data_capture={}), ("data_capture", "sampling_percent"), [1, 100], [(0, GE.format(1)), (101, LE.format(100))]),
    ("scaling.scheduled.name", _setup(variants__0__scaling={"min_capacity": 1, "max_capacity": 2, "scheduled": [{"name": "s", "schedule": "cron(0 7 ? * MON-FRI *)", "min_capacity": 1, "max_capacity": 2}]}), ("variants", 0, "scaling", "scheduled", 0, "name"), ["s" * 64], [("s" * 65, "")]),
    # ProductionVariantList takes 10, but each variant adds two of the endpoint's at most 10 rollback alarms.
    ("variants", None, ("variants",), [_variants(1), _variants(5)], [([], "at least 1 item"), (_variants(6), "at most 10 rollback alarms"), (_variants(11), "at most 10 items")]),
    ("shadow_variants", SHADOWED, ("shadow_variants",), [], [(_variants(2), "at most 1 item")]),
    ("shadow_test.end", SHADOWED, ("shadow_test", "end"), ["2027-03-31T00:00:00Z"], [("2027-03-31T00:00:01Z", "")]),
]  # fmt: skip

SHARED_CASES: list[tuple[str, Edit | None, Path_, list[Any], list[tuple[Any, str]]]] = [
    ("managed_scaling.max_instances", _setup(managed_scaling={"min_instances": 1, "max_instances": 1}), ("managed_scaling", "max_instances"), [1, 100], [(101, LE.format(100))]),
    ("managed_scaling.min_equals_max", _setup(initial_instance_count=2, managed_scaling={"min_instances": 1, "max_instances": 2}), ("managed_scaling", "min_instances"), [2], [(3, "")]),
    ("initial_instance_count", None, ("initial_instance_count",), [1, 100], [(0, GE.format(1)), (101, LE.format(100))]),
    ("components", None, ("components",), [], [([copy.deepcopy(SHARED["components"][0]) | {"name": f"c{i}"} for i in range(51)], "at most 50 items")]),
    ("update_wait_seconds", None, ("update_wait_seconds",), [0, 3600], [(3601, LE.format(3600))]),
    ("update_timeout_seconds", None, ("update_timeout_seconds",), [600, 28800], [(599, GE.format(600)), (28801, LE.format(28800))]),
    ("copies", None, ("components", 0, "copies"), [1], [(1001, LE.format(1000))]),
    ("scaling.max_copies", None, ("components", 0, "scaling"), [{"min_copies": 1, "max_copies": 1}], [({"min_copies": 1, "max_copies": 1001}, LE.format(1000)), ({"min_copies": 2, "max_copies": 1}, "")]),
    ("scaling.cooldowns", None, ("components", 0, "scaling"), [{"min_copies": 1, "max_copies": 2, "scale_in_cooldown_seconds": 3600, "scale_out_cooldown_seconds": 3600}], [({"min_copies": 1, "max_copies": 2, "scale_in_cooldown_seconds": 3601}, LE.format(3600)), ({"min_copies": 1, "max_copies": 2, "scale_out_cooldown_seconds": 3601}, LE.format(3600))]),
    ("environment", None, ("components", 0, "environment"), [{f"K{i}": "v" for i in range(100)}, {"K" * 1024: "v" * 1024}], [({f"K{i}": "v" for i in range(101)}, "at most 100"), ({"K" * 1025: "v"}, ""), ({"K": "v" * 1025}, "")]),
    ("model_download_timeout", None, ("components", 0, "model_download_timeout_seconds"), [60, 3600], [(3601, LE.format(3600))]),
    ("startup_health_check_timeout", None, ("components", 0, "container_startup_health_check_timeout_seconds"), [60, 3600], [(3601, LE.format(3600))]),
]  # fmt: skip


def _stack_with(write_stack: Callable[..., Any], section: str, base: dict[str, Any], change: Edit | None):
    def stack(path: Path_, value: Any) -> Any:
        def edit(platform: dict[str, Any]) -> None:
            spec = copy.deepcopy(base)
            if change is not None:
                change(spec)
            _set(spec, path, copy.deepcopy(value))
            platform[section] = [spec]

        return write_stack("dev", edit)

    return stack


def _assert_edges(stack, key: str, path: Path_, good: list[Any], bad: list[tuple[Any, str]]) -> None:
    for value in good:
        assert stack_file_problems(stack(path, value)) == {}, f"{key}: {value!r} is within AWS's limit"
    for value, fragment in bad:
        problems = stack_file_problems(stack(path, value))
        refusals = {k: m for k, m in problems.items() if k.startswith(key)}
        assert refusals, f"{key}: {str(value)[:40]!r} must be refused naming the key; got {problems}"
        assert any(fragment in message for message in refusals.values()), refusals


@pytest.mark.parametrize(
    ("case", "change", "path", "good", "bad"), ENDPOINT_CASES, ids=[case[0] for case in ENDPOINT_CASES]
)
def test_endpoint_bounds_hold_at_their_edges(write_stack, case, change, path, good, bad) -> None:
    stack = _stack_with(write_stack, "endpoints", ENDPOINT, change)
    _assert_edges(stack, f"{CONFIG_KEY}.endpoints[0]{_dotted(path)}", path, good, bad)


@pytest.mark.parametrize(
    ("case", "change", "path", "good", "bad"), SHARED_CASES, ids=[case[0] for case in SHARED_CASES]
)
def test_shared_endpoint_bounds_hold_at_their_edges(write_stack, case, change, path, good, bad) -> None:
    stack = _stack_with(write_stack, "shared_endpoints", SHARED, change)
    _assert_edges(stack, f"{CONFIG_KEY}.shared_endpoints[0]{_dotted(path)}", path, good, bad)


def test_an_endpoint_refuses_all_zero_weights_but_takes_a_zero_among_others(write_stack) -> None:
    stack = _stack_with(write_stack, "endpoints", ENDPOINT, None)
    two = [{**_variants(2)[0], "weight": 0}, _variants(2)[1]]
    assert stack_file_problems(stack(("variants",), two)) == {}
    problems = stack_file_problems(stack(("variants", 0, "weight"), 0))
    assert any("must not all be 0" in message for message in problems.values()), problems
    assert all(key.startswith(f"{CONFIG_KEY}.endpoints[0]") for key in problems), problems


def test_a_deployment_must_finish_before_aws_s_28800_second_timeout(write_stack) -> None:
    """BlueGreenUpdatePolicy.MaximumExecutionTimeoutInSeconds is at most 28800: a linear rollout of
    10 steps of 2400 s plus a CPU fleet's 300 s launch, 3600 s download and the startup check must
    stay below it. Startup 840 s: 28740 s in all (timeout 28800); 900 s: exactly 28800, refused."""
    key = f"{CONFIG_KEY}.endpoints[0].deployment.maximum_execution_timeout_seconds"
    change = _setup(
        variants__0__initial_instance_count=10,
        variants__0__model_download_timeout_seconds=3600,
        deployment={
            "strategy": "linear",
            "linear_step_percent": 10,
            "wait_interval_seconds": 2400,
            "termination_wait_seconds": 0,
        },
    )
    stack = _stack_with(write_stack, "endpoints", ENDPOINT, change)
    path = ("variants", 0, "container_startup_health_check_timeout_seconds")
    assert stack_file_problems(stack(path, 840)) == {}
    problems = stack_file_problems(stack(path, 900))
    assert key in problems and "28800" in problems[key], problems


BATCH = {"schedule": "cron(0 2 * * ? *)", "max_payload_mb": 1}
BATCH_CASES = [
    ("instance_count", [1, 100], [(0, GE.format(1)), (101, LE.format(100))]),
    ("max_concurrent_transforms", [1, 100], [(101, LE.format(100))]),
    ("content_type", ["t" * 256], [("t" * 257, "at most 256")]),
    ("accept", ["t" * 256], [("t" * 257, "at most 256")]),
]


@pytest.mark.parametrize(("field", "good", "bad"), BATCH_CASES, ids=[case[0] for case in BATCH_CASES])
def test_batch_scoring_bounds_hold_at_their_edges(field: str, good: list[Any], bad: list[Any]) -> None:
    for value in good:
        assert getattr(BatchScoringSpec.model_validate({**BATCH, field: value}), field) == value
    for value, fragment in bad:
        with pytest.raises(ValidationError) as raised:
            BatchScoringSpec.model_validate({**BATCH, field: value})
        assert [e["loc"] for e in raised.value.errors()] == [(field,)] and fragment in str(raised.value)


def test_batch_payload_times_transforms_may_reach_100_mb_but_not_pass_it() -> None:
    """AWS: MaxPayloadInMB x MaxConcurrentTransforms must not exceed 100 MB."""
    spec = BatchScoringSpec.model_validate({**BATCH, "max_payload_mb": 4, "max_concurrent_transforms": 25})
    assert spec.max_payload_mb * spec.max_concurrent_transforms == 100
    with pytest.raises(ValidationError, match="100 MB"):
        BatchScoringSpec.model_validate({**BATCH, "max_payload_mb": 3, "max_concurrent_transforms": 34})


IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn@sha256:" + "0123456789abcdef" * 4
CPU = {"gpus": 0}
KUBERNETES_CASES: list[tuple[str, dict[str, Any], Path_, list[Any], list[tuple[Any, str]]]] = [
    ("canary.replicas", {"canary": {"image": IMAGE.replace("0123", "4567")}}, ("canary", "replicas"), [1, 16], [(17, LE.format(16))]),
    ("metrics_port", CPU, ("metrics_port",), [1024, 65535], [(1023, GE.format(1024))]),
    ("gpus", {"gpu_node_selector": {"nvidia.com/gpu.present": "true"}}, ("gpus",), [16], [(17, LE.format(16))]),
    ("startup_timeout", CPU, ("startup_timeout_seconds",), [10, 3600], [(9, GE.format(10)), (3601, LE.format(3600))]),
    ("target_cpu_utilization", CPU, ("target_cpu_utilization",), [1, 100], [(101, LE.format(100))]),
    ("scale_down_stabilization", CPU, ("scale_down_stabilization_seconds",), [0, 3600], [(3601, LE.format(3600))]),
    ("min_replicas", {**CPU, "replicas": 4, "max_replicas": 4}, ("min_replicas",), [4], [(5, "")]),
    ("toleration.key", {"gpu_tolerations": [{"key": "k"}]}, ("gpu_tolerations", 0, "key"), ["k" * 253], [("k" * 254, "at most 253")]),
    ("alerts.p99_latency", CPU, ("alerts", "p99_latency_seconds"), [600], [(601, LE.format(600))]),
    ("alerts.gpu_saturation_minutes", {"gpu_node_selector": {"nvidia.com/gpu.present": "true"}}, ("alerts", "gpu_saturation_minutes"), [1440], [(1441, LE.format(1440))]),
    ("alerts.not_ready_minutes", CPU, ("alerts", "not_ready_minutes"), [1440], [(1441, LE.format(1440))]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "base", "path", "good", "bad"), KUBERNETES_CASES, ids=[case[0] for case in KUBERNETES_CASES]
)
def test_kubernetes_serving_bounds_hold_at_their_edges(case, base, path, good, bad) -> None:
    def spec(value: Any) -> dict[str, Any]:
        document = {"name": "churn", "image": IMAGE, **copy.deepcopy(base)}
        node: Any = document
        for step in path[:-1]:
            node = node.setdefault(step, {}) if isinstance(step, str) else node[step]
        node[path[-1]] = value
        return document

    for value in good:
        KubernetesServingSpec.model_validate(spec(value))
    for value, fragment in bad:
        with pytest.raises(ValidationError) as raised:
            KubernetesServingSpec.model_validate(spec(value))
        # A field's bound names the field; a rule between fields (min_replicas) the spec itself.
        locs = [e["loc"][: len(path)] for e in raised.value.errors()]
        assert path in locs or () in locs, raised.value
        assert fragment in str(raised.value)
