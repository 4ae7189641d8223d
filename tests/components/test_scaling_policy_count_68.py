"""The scaling-policy quota (50 per scalable target) counts the policies the endpoint component
makes, for each kind of endpoint: an async endpoint gets no invocations target (it publishes no
InvocationsPerInstance), so the default ``invocations_per_instance`` is not counted there.

One recording of three endpoints (real-time, async, async scaling from zero); the quota's edges go
through the stack file's reader, which names the file and the key.
"""

from __future__ import annotations

from typing import Any

import pytest

from components.serving.endpoint_metrics import EndpointKind
from components.serving.inference_endpoint import InferenceEndpoint
from components.serving.inference_endpoint_spec import EndpointSpec
from planner.recorder import ResourceGraph, record_program
from stacks.config import ConfigError, parse_platform_config
from tests.components.serving_args import endpoint_args
from tests.conftest import load_stack_document
from tests.recorded import computed_once

FILE = "stacks/Pulumi.dev.yaml"
POLICY = "aws:appautoscaling/policy:Policy"
PACKAGE = "arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn/3"
GPU = {"model": {"model_package_arn": PACKAGE}, "name": "primary", "instance_type": "ml.g5.xlarge"}
STEP = {
    "name": "errors-out",
    "direction": "out",
    "metric": "Invocation5XXErrors",
    "statistic": "Sum",
    "threshold": 5,
    "steps": [{"lower_bound": 0, "adjustment": 1}],
}
ASYNC = {"max_concurrent_invocations_per_instance": 4}


def _steps(count: int) -> list[dict[str, Any]]:
    return [{**STEP, "name": f"s{n}"} for n in range(count)]


def _endpoint(name: str, scaling: dict[str, Any], *, asynchronous: bool) -> dict[str, Any]:
    count = max(scaling["min_capacity"], 1)
    variant = {**GPU, "initial_instance_count": count, "scaling": {"max_capacity": 4, **scaling}}
    return {"name": name, "variants": [variant], **({"async_inference": ASYNC} if asynchronous else {})}


# (endpoint, its kind, the policies the component makes)
RECORDED: list[tuple[dict[str, Any], EndpointKind, set[str]]] = [
    # The default invocations target, a GPU target and two steps.
    (_endpoint("rt", {"min_capacity": 1, "gpu_utilization_percent": 60, "step": _steps(2)}, asynchronous=False), "real-time", {"invocations", "gpu", "step-s0", "step-s1"}),
    # The default invocations target is not applied: backlog, GPU, one step.
    (_endpoint("queue", {"min_capacity": 1, "backlog_per_instance": 5, "gpu_utilization_percent": 60, "step": _steps(1)}, asynchronous=True), "async", {"backlog", "gpu", "step-s0"}),
    # At min_capacity 0 the scale-from-zero step besides the backlog target.
    (_endpoint("zero", {"min_capacity": 0, "backlog_per_instance": 5, "step": _steps(1)}, asynchronous=True), "async", {"backlog", "from-zero", "step-s0"}),
]  # fmt: skip


def _graph() -> tuple[list[EndpointSpec], ResourceGraph]:
    specs = [EndpointSpec.model_validate(endpoint) for endpoint, _, _ in RECORDED]

    def program() -> None:
        for spec in specs:
            InferenceEndpoint(f"ep-{spec.name}", endpoint_args(spec))

    return specs, computed_once("scaling-policy-count-68", lambda: record_program(program))


@pytest.mark.parametrize("position", range(len(RECORDED)), ids=[e["name"] for e, _, _ in RECORDED])
def test_the_policy_count_is_the_policies_the_component_makes(position: int) -> None:
    specs, graph = _graph()
    spec, (_, kind, expected) = specs[position], RECORDED[position]
    prefix = f"ep-{spec.name}-primary-"
    made = {p.name.removeprefix(prefix) for p in graph.of_type(POLICY) if p.name.startswith(prefix)}
    assert made == expected
    scaling = spec.variants[0].scaling
    assert scaling is not None and scaling.policy_count(kind) == len(made)
    assert set(scaling.target_tracking(kind)) == made & {"invocations", "gpu", "backlog"}


def _parse(endpoint: dict[str, Any]) -> EndpointSpec:
    platform = load_stack_document("dev")["config"]["mlops-platform:platform"]
    return parse_platform_config({**platform, "endpoints": [endpoint]}, FILE).endpoints[0]


QUOTA = [
    # (case, scaling, steps that fit: one more is refused)
    ("real-time-invocations-default", {"min_capacity": 1}, 49),
    ("async-backlog", {"min_capacity": 1, "backlog_per_instance": 5}, 49),
    ("async-from-zero", {"min_capacity": 0, "backlog_per_instance": 5}, 48),
]


@pytest.mark.parametrize(("case", "scaling", "fit"), QUOTA, ids=[c[0] for c in QUOTA])
def test_the_quota_edge_is_where_the_component_would_make_a_51st_policy(
    case: str, scaling: dict[str, Any], fit: int
) -> None:
    asynchronous = case.startswith("async")
    kind: EndpointKind = "async" if asynchronous else "real-time"
    accepted = _parse(_endpoint("edge", {**scaling, "step": _steps(fit)}, asynchronous=asynchronous))
    variant_scaling = accepted.variants[0].scaling
    assert variant_scaling is not None and variant_scaling.policy_count(kind) == 50
    with pytest.raises(ConfigError) as raised:
        _parse(_endpoint("edge", {**scaling, "step": _steps(fit + 1)}, asynchronous=asynchronous))
    at = f"{FILE}: mlops-platform:platform.endpoints[0].variants[0].scaling.step: "
    lines = [line.strip() for line in str(raised.value).splitlines()]
    assert [line for line in lines if line.startswith(at) and "51 scaling policies" in line], str(
        raised.value
    )
