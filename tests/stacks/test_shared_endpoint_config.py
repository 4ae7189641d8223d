"""``shared_endpoints``: the config's checks of inference components against AWS's rules and the
instance type's hardware, each error naming the stack file and the dotted key."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from components.serving.shared_endpoint_spec import SharedEndpointSpec, fits
from planner.__main__ import EXIT_INVALID_CONFIG, main
from stacks.config import CONFIG_KEY, ConfigError, parse_platform_config
from stacks.stack_file import read_stack_file
from tests.config_problems import program_refusal

P = CONFIG_KEY
S = f"{P}.shared_endpoints[0]"
GPU_ENDPOINT: dict[str, Any] = {
    "name": "gpu-models",
    "instance_type": "ml.g5.12xlarge",  # 48 vCPUs, 192 GiB, 4 GPUs
    "initial_instance_count": 2,
    "managed_scaling": {"min_instances": 2, "max_instances": 3},
    "components": [
        {
            "name": "churn",
            "model": {"latest_approved_of": "customer-churn"},
            "compute": {"cpu_cores": 4, "memory_mb": 16384, "accelerators": 1},
            "copies": 2,
            "scaling": {"min_copies": 2, "max_copies": 6},
        },
        {
            "name": "ranker",
            "model": {
                "model_package_arn": "arn:aws:sagemaker:eu-west-1:333333333333:model-package/prod-ranker/2"
            },
            "compute": {"cpu_cores": 2, "memory_mb": 8192, "accelerators": 1},
            "copies": 2,
        },
    ],
}


def _shared(change: Callable[[dict[str, Any]], None] | None = None) -> Callable[[dict[str, Any]], None]:
    """A prod-stack edit: the GPU shared endpoint replaces the fixture's, then ``change`` bends it."""

    def edit(platform: dict[str, Any]) -> None:
        shared = copy.deepcopy(GPU_ENDPOINT)
        if change is not None:
            change(shared)
        platform["shared_endpoints"] = [shared]

    return edit


def _component(index: int, **values: Any) -> Callable[[dict[str, Any]], None]:
    def change(shared: dict[str, Any]) -> None:
        shared["components"][index] |= values

    return change


def _compute(index: int, **values: Any) -> Callable[[dict[str, Any]], None]:
    def change(shared: dict[str, Any]) -> None:
        shared["components"][index]["compute"] |= values

    return change


def _top(**values: Any) -> Callable[[dict[str, Any]], None]:
    def change(shared: dict[str, Any]) -> None:
        shared.update(values)

    return change


MALFORMED = [
    ("gpus-beyond-the-instance", _compute(0, accelerators=5), f"{S}.components[0].compute.accelerators", "reserves 5 accelerator devices (GPUs) a copy; ml.g5.12xlarge has 4"),
    ("memory-beyond-the-instance", _compute(1, memory_mb=200_000), f"{S}.components[1].compute.memory_mb", "ml.g5.12xlarge has 196608"),
    ("cpus-beyond-the-instance", _compute(0, cpu_cores=64), f"{S}.components[0].compute.cpu_cores", "ml.g5.12xlarge has 48"),
    ("gpu-on-a-cpu-instance", _top(instance_type="ml.m5.4xlarge"), f"{S}.components[0].compute.accelerators", "ml.m5.4xlarge has 0"),
    ("most-copies-do-not-fit", _component(0, scaling={"min_copies": 2, "max_copies": 11}), f"{S}.managed_scaling.max_instances", "maximum copies (churn x 11, ranker x 2) do not fit on 3 ml.g5.12xlarge"),
    ("unknown-hardware", _top(instance_type="ml.c6i.large"), f"{S}.instance_type", "no known vCPU/memory/GPU sizes"),
    ("cpu-below-a-quarter", _compute(0, cpu_cores=0.1), f"{S}.components[0].compute.cpu_cores", "greater than or equal to 0.25"),
    ("memory-below-128", _compute(0, memory_mb=64), f"{S}.components[0].compute.memory_mb", "greater than or equal to 128"),
    ("max-memory-below-min", _compute(0, max_memory_mb=1024), f"{S}.components[0].compute.max_memory_mb", "is below memory_mb 16384"),
    ("copies-outside-scaling", _component(0, copies=8), f"{S}.components[0].copies", "must lie within scaling.min_copies 2 and max_copies 6"),
    ("min-copies-above-max", _component(0, scaling={"min_copies": 7, "max_copies": 6}), f"{S}.components[0].scaling.min_copies", "min_copies 7 > max_copies 6"),
    ("duplicate-component", _component(1, name="Churn"), f"{S}.components[1].name", "duplicate component name"),
    ("bad-component-name", _component(0, name="churn_model"), f"{S}.components[0].name", "not a valid inference component name"),
    ("triton-component", _component(0, model={"triton": {"model_data_url": "s3://a/models/t.tar.gz", "default_model_name": "m"}}), f"{S}.components[0].model.triton", "not a Triton repository"),
    ("initial-outside-managed", _top(initial_instance_count=4), f"{S}.initial_instance_count", "within managed_scaling's min_instances 2 and max_instances 3"),
    ("below-prod-minimum", _top(initial_instance_count=1, managed_scaling={"min_instances": 1, "max_instances": 3}), f"{S}.managed_scaling.min_instances", "fewer than endpoint_defaults.minimum_instances (2)"),
    ("unknown-family", _component(0, model={"latest_approved_of": "fraud"}), f"{S}.components[0].model.latest_approved_of", "'fraud' is not a model family of this stack"),
    ("bad-pinned-version", _component(1, model={"model_package_arn": "arn:aws:sagemaker:eu-west-1:333333333333:model-package/prod-ranker"}), f"{S}.components[1].model.model_package_arn", "model package version ARN"),
    ("routing-unknown", _top(routing="round_robin"), f"{S}.routing", "least_outstanding_requests"),
    ("name-of-an-endpoint", _top(name="customer-churn"), f"{S}.name", "also endpoints[0]'s name"),
    ("named-batch", _top(name="batch"), f"{S}.name", "'batch' is reserved: data-capture/batch/ holds the batch-scoring jobs' captures"),
    ("component-name-too-long", _component(1, name="r" * 60), f"{S}.components[1].name", "AWS allows at most 63"),
    ("update-timeout-too-short", _top(update_timeout_seconds=300), f"{S}.update_timeout_seconds", "greater than or equal to 600"),
    # CreateInferenceComponent's Environment keys match [a-zA-Z_][a-zA-Z0-9_]* (botocore's EnvironmentKey).
    ("environment-key-hyphen", _component(0, environment={"MODEL-NAME": "churn"}), f"{S}.components[0].environment", "[a-zA-Z_][a-zA-Z0-9_]*"),
    ("environment-key-digit-first", _component(0, environment={"1_THREADS": "4"}), f"{S}.components[0].environment", "not starting with a digit"),
    ("environment-too-many", _component(0, environment={f"VAR_{i}": "x" for i in range(101)}), f"{S}.components[0].environment", "at most 100"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "change", "key", "fragment"), MALFORMED, ids=[case[0] for case in MALFORMED]
)
def test_malformed_shared_endpoint_is_rejected_naming_file_and_key(
    write_stack, case, change, key, fragment
) -> None:
    path = write_stack("prod", _shared(change))

    with pytest.raises(ConfigError) as raised:
        parse_platform_config(read_stack_file(path).platform, str(path))

    message = str(raised.value)
    line = next((line for line in message.splitlines() if f": {key}: " in line), None)
    assert line is not None, f"no problem reported at key {key!r}:\n{message}"
    assert line.strip().startswith(f"{path}: ")
    assert fragment in line, f"expected {fragment!r} in {line!r}"


def test_the_gpu_endpoint_is_accepted_with_its_defaults(write_stack) -> None:
    path = write_stack("prod", _shared())
    config = parse_platform_config(read_stack_file(path).platform, str(path))
    [shared] = config.shared_endpoints
    assert (shared.min_instances, shared.max_instances) == (2, 3)
    assert shared.routing == "least_outstanding_requests"
    # endpoint_defaults' data capture (prod: on) reaches the shared endpoint too.
    assert shared.data_capture.enabled is True
    assert [c.max_copies for c in shared.components] == [6, 2]


def test_a_bad_shared_endpoint_exits_2_and_creates_nothing(write_stack, capsys) -> None:
    path = write_stack("prod", _shared(_compute(0, accelerators=5)))

    assert main(["--config", str(path)]) == EXIT_INVALID_CONFIG
    captured = capsys.readouterr()
    assert captured.out == ""
    assert (
        str(path) in captured.err and "shared_endpoints[0].components[0].compute.accelerators" in captured.err
    )

    program_refusal(path)


def _spec(**components: tuple[float, int, int, int]) -> SharedEndpointSpec:
    """A spec on one ml.g5.12xlarge (48 vCPUs, 196608 MiB, 4 GPUs): component → (cpus, MiB, GPUs, copies)."""
    return SharedEndpointSpec.model_validate(
        {
            "name": "e",
            "instance_type": "ml.g5.12xlarge",
            "components": [
                {
                    "name": name,
                    "model": {"image": "1.dkr.ecr.eu-west-1.amazonaws.com/m:1"},
                    "compute": {
                        "cpu_cores": cpus,
                        "memory_mb": memory,
                        **({"accelerators": gpus} if gpus else {}),
                    },
                    "copies": copies,
                }
                for name, (cpus, memory, gpus, copies) in components.items()
            ],
        }
    )


def test_copies_are_packed_per_instance_not_only_in_total() -> None:
    """Three copies of 20 vCPUs each add up to 60 of two instances' 96 vCPUs, yet only two fit on
    an instance: the third needs a second one."""
    spec = _spec(a=(20, 1024, 0, 2))
    demand = [(spec.components[0], 3)]
    assert fits(demand, (48, 196608, 4), 2)
    assert not fits(demand, (48, 196608, 4), 1)


def test_gpus_bound_the_copies_an_instance_holds() -> None:
    spec = _spec(a=(1, 1024, 1, 4))
    assert fits([(spec.components[0], 4)], (48, 196608, 4), 1)
    assert not fits([(spec.components[0], 5)], (48, 196608, 4), 1)
    with pytest.raises(ValueError, match=r"do not fit on 1 ml\.g5\.12xlarge"):
        _spec(a=(1, 1024, 1, 5))


def test_a_first_deploy_defers_the_shared_endpoint_and_says_what_to_do(
    cached_recordings, write_stack, capsys
) -> None:
    """With nothing approved (the offline plan's empty registry), the shared endpoint waits like an
    endpoint: nothing of it is created, one warning names the group and the next steps. The
    planner's recording is the suite's of the same file and registry (cached_recordings)."""
    import json

    path = write_stack("prod", _shared())
    assert main(["--config", str(path), "--registry", "empty", "--format", "json"]) == 0
    plan = json.loads(capsys.readouterr().out)

    assert "gpu-models" in plan["summary"]["deferred_endpoints"]
    [warning] = [w for w in plan["warnings"] if w.startswith("shared endpoint gpu-models is deferred")]
    assert "component churn follows model package group prod-customer-churn" in warning
    assert "start-pipeline-execution --pipeline-name prod-customer-churn-training" in warning
    assert not [r for r in plan["resources"] if r["type"] == "aws-native:sagemaker:InferenceComponent"]
