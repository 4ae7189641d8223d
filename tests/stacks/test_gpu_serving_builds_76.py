"""A PyTorch family's versions register the inference image build (CPU or GPU) of the instances that
serve it in the stack, not of its training instance (stacks/serving_builds.py): PyTorch's
``pytorch-inference`` has a ``-cpu-`` and a ``-gpu-`` build of each version and a model package holds
one image, which every endpoint variant, inference component and batch transform serving the
family runs. A family trained on a GPU and served on CPU instances (a cheap dev endpoint) pulled the
GPU build; one trained on a CPU and served on GPU instances ran on the CPU, its GPUs idle. A stack
serving one such family on both kinds is a config error naming the key."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from components.training.definition import iter_steps
from planner.recorder import record_stack_file
from stacks.config import CONFIG_KEY, ConfigError, parse_platform_config
from stacks.model_packages import resolve_latest_approved
from stacks.program import run
from stacks.serving_builds import build_mismatch, inference_instance_type
from tests.aws_sessions import mocked_aws
from tests.conftest import load_stack_document
from tests.recorded import recorded_stack
from tests.stacks.conftest import batch_scoring_cut, serving_cut
from tests.yaml_text import dump_document

PYTORCH = {"name": "pytorch", "version": "2.6", "py_version": "py312"}


def _pytorch(training_instance_type: str) -> Callable[[dict[str, Any]], None]:
    def edit(platform: dict[str, Any]) -> None:
        platform["models"][0]["training"] |= {
            "framework": PYTORCH,
            "training_instance_type": training_instance_type,
        }

    return edit


def _platform(*edits: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    platform = load_stack_document("dev")["config"][CONFIG_KEY]
    for edit in edits:
        edit(platform)
    return platform


def _endpoint_on(instance_type: str, position: int = 0) -> Callable[[dict[str, Any]], None]:
    def edit(platform: dict[str, Any]) -> None:
        platform["endpoints"][position]["variants"][0]["instance_type"] = instance_type

    return edit


def _batch_on(instance_type: str) -> Callable[[dict[str, Any]], None]:
    def edit(platform: dict[str, Any]) -> None:
        platform["models"][0]["batch_scoring"] = {
            "schedule": "cron(0 3 * * ? *)",
            "instance_type": instance_type,
        }

    return edit


def _serverless(platform: dict[str, Any]) -> None:
    endpoint = platform["endpoints"][0]
    endpoint.pop("async_inference", None)
    endpoint["variants"][0] = {
        "name": "primary",
        "model": endpoint["variants"][0]["model"],
        "serverless": {"memory_mb": 4096, "max_concurrency": 5},
    }


def _shadow_on(instance_type: str) -> Callable[[dict[str, Any]], None]:
    def edit(platform: dict[str, Any]) -> None:
        endpoint = platform["endpoints"][0]
        endpoint.pop("async_inference", None)
        endpoint["variants"][0].pop("scaling", None)
        endpoint["shadow_variants"] = [
            {"name": "shadow", "model": endpoint["variants"][0]["model"], "instance_type": instance_type}
        ]

    return edit


@pytest.mark.parametrize(
    ("edits", "expected"),
    [
        pytest.param(
            (_pytorch("ml.g5.xlarge"), _endpoint_on("ml.m5.xlarge")),
            "ml.m5.xlarge",
            id="gpu-trained-cpu-served",
        ),
        pytest.param(
            (_pytorch("ml.m5.xlarge"), _endpoint_on("ml.g5.xlarge")),
            "ml.g5.xlarge",
            id="cpu-trained-gpu-served",
        ),
        pytest.param((_pytorch("ml.g5.xlarge"), _serverless), "ml.m5.large", id="serverless-is-cpu"),
        pytest.param(
            (_pytorch("ml.g5.xlarge"), lambda p: p.pop("endpoints")),
            None,
            id="served-nowhere-follows-training",
        ),
    ],
)
def test_the_registered_build_is_the_serving_instances(edits, expected) -> None:
    config = parse_platform_config(_platform(*edits), "stacks/Pulumi.dev.yaml")

    assert inference_instance_type(config, config.models[0]) == expected


def test_a_gpu_trained_family_batch_scored_on_cpu_registers_the_cpu_inference_image(tmp_path) -> None:
    """Recorded: the training pipeline's RegisterModel carries the CPU build that the batch
    transform (ml.m5.xlarge) runs, while Train keeps the GPU training build."""
    document = load_stack_document("dev")
    platform = document["config"][CONFIG_KEY]
    _pytorch("ml.g5.xlarge")(platform)
    _batch_on("ml.m5.xlarge")(platform)
    batch_scoring_cut(platform)
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(json.dumps(document))
    graph = recorded_stack(str(path))
    [training] = [
        json.loads(p.inputs["pipelineDefinition"])
        for p in graph.of_type("aws:sagemaker/pipeline:Pipeline")
        if p.inputs["pipelineName"].endswith("-training")
    ]
    steps = {step["Name"]: step for step in iter_steps(training["Steps"])}

    [container] = steps["RegisterModel"]["Arguments"]["InferenceSpecification"]["Containers"]
    assert container["Image"].endswith("/pytorch-inference:2.6-cpu-py312")
    assert steps["Train"]["Arguments"]["AlgorithmSpecification"]["TrainingImage"].endswith(
        "/pytorch-training:2.6-gpu-py312"
    )


MIXED = {
    "endpoint-cpu-batch-gpu": (
        (_pytorch("ml.g5.xlarge"), _endpoint_on("ml.m5.xlarge"), _batch_on("ml.g5.xlarge")),
        "models[0].batch_scoring.instance_type",
        "serves model family 'customer-churn' on a GPU instance, but endpoints[0].variants[0].instance_type "
        "(ml.m5.xlarge, CPU) serves it on a CPU one",
    ),
    "gpu-variant-cpu-shadow": (
        (_pytorch("ml.g5.xlarge"), _endpoint_on("ml.p3.2xlarge"), _shadow_on("ml.m5.xlarge")),
        "endpoints[0].shadow_variants[0].instance_type",
        "serves model family 'customer-churn' on a CPU instance, but endpoints[0].variants[0].instance_type "
        "(ml.p3.2xlarge, GPU) serves it on a GPU one",
    ),
    "serverless-and-gpu-batch": (
        (_pytorch("ml.g5.xlarge"), _serverless, _batch_on("ml.g5.2xlarge")),
        "models[0].batch_scoring.instance_type",
        "endpoints[0].variants[0].serverless (serverless, CPU)",
    ),
}


@pytest.mark.parametrize(("edits", "key", "fragment"), MIXED.values(), ids=MIXED.keys())
def test_a_pytorch_family_served_on_cpu_and_gpu_in_one_stack_is_a_config_error(edits, key, fragment) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(_platform(*edits), "stacks/Pulumi.dev.yaml")

    problems = list(raised.value.problems)
    assert any(path == f"{CONFIG_KEY}.{key}" and fragment in message for path, message in problems), problems
    assert str(raised.value).startswith("stacks/Pulumi.dev.yaml: invalid configuration")


@pytest.mark.parametrize(
    "framework",
    [
        pytest.param({"name": "sklearn", "version": "1.2-1"}, id="sklearn-has-one-cpu-build"),
        pytest.param({"name": "xgboost", "version": "3.0-5"}, id="xgboost-has-one-image"),
    ],
)
def test_a_family_with_one_inference_image_may_be_served_on_both_kinds(framework) -> None:
    def edit(platform: dict[str, Any]) -> None:
        platform["models"][0]["training"]["framework"] = framework

    config = parse_platform_config(
        _platform(edit, _endpoint_on("ml.m5.xlarge"), _batch_on("ml.g5.xlarge")), "stacks/Pulumi.dev.yaml"
    )
    assert config.models[0].batch_scoring is not None


# --- deploy time: a version of the other build -------------------------------------------------

REGION, PROD_ACCOUNT = "eu-west-1", "333333333333"
IMAGES = {
    "cpu": f"763104351884.dkr.ecr.{REGION}.amazonaws.com/pytorch-inference:2.6-cpu-py312",
    "gpu": f"763104351884.dkr.ecr.{REGION}.amazonaws.com/pytorch-inference:2.6-gpu-py312",
}


def _deployed_warnings(
    tmp_path, monkeypatch, build: str, cut: Callable[[dict[str, Any]], None] = serving_cut
) -> list[str]:
    """The prod fixture cut to what the registry reaches (by default its endpoint, on
    ml.g5.2xlarge), deployed against a (moto) registry whose approved version of customer-churn
    runs ``build``'s PyTorch image."""
    monkeypatch.setenv("MOTO_ACCOUNT_ID", PROD_ACCOUNT)
    document = load_stack_document("prod")
    platform = document["config"][CONFIG_KEY]
    cut(platform)
    group = f"{platform.get('name_prefix', 'prod')}-customer-churn"
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(dump_document(document))
    with mocked_aws(REGION) as session:
        sagemaker = session.client("sagemaker")
        sagemaker.create_model_package_group(ModelPackageGroupName=group)
        sagemaker.create_model_package(
            ModelPackageGroupName=group,
            ModelApprovalStatus="Approved",
            InferenceSpecification={
                "Containers": [{"Image": IMAGES[build]}],
                "SupportedContentTypes": ["text/csv"],
                "SupportedResponseMIMETypes": ["text/csv"],
            },
        )
        graph = record_stack_file(
            str(path),
            program=lambda source: run(
                source,
                resolver_factory=lambda config: lambda group: resolve_latest_approved(sagemaker, group),
            ),
        )
    return [w for w in graph.warnings if "pytorch-inference" in w]


def test_a_cpu_build_version_deployed_on_gpu_instances_is_said(tmp_path, monkeypatch) -> None:
    """A version another stack registered (served there on CPU) reaches a GPU endpoint: the plan
    says which image and why, at `pulumi up`, when the version is known."""
    [variant] = load_stack_document("prod")["config"][CONFIG_KEY]["endpoints"][0]["variants"]
    assert variant["instance_type"] == "ml.g5.2xlarge"
    assert _deployed_warnings(tmp_path, monkeypatch, "cpu") == [
        f"endpoint customer-churn, variant primary: version arn:aws:sagemaker:{REGION}:{PROD_ACCOUNT}:"
        "model-package/prod-customer-churn/1: its image "
        f"{IMAGES['cpu']} is the CPU build on ml.g5.2xlarge, a GPU instance: the model runs on the CPU and "
        "the GPUs stay idle; retrain it where the stack serves the family on this kind of instance (its "
        "RegisterModel takes the build of the family's serving instances), or serve it on the other kind"
    ]


def test_a_gpu_build_version_batch_scored_on_cpu_instances_is_said(tmp_path, monkeypatch) -> None:
    def batch_on_cpu(platform: dict[str, Any]) -> None:
        platform["models"][0]["batch_scoring"] = {
            "schedule": "cron(0 3 * * ? *)",
            "instance_type": "ml.m5.xlarge",
        }
        batch_scoring_cut(platform)

    assert _deployed_warnings(tmp_path, monkeypatch, "gpu", batch_on_cpu) == [
        f"batch scoring of model family customer-churn: version arn:aws:sagemaker:{REGION}:{PROD_ACCOUNT}:"
        f"model-package/prod-customer-churn/1: its image {IMAGES['gpu']} is the GPU build on ml.m5.xlarge, "
        "which has no GPU; retrain it where the stack serves the family on this kind of instance (its "
        "RegisterModel takes the build of the family's serving instances), or serve it on the other kind"
    ]


def test_a_cpu_build_version_on_a_shared_gpu_components_accelerators_is_said(tmp_path, monkeypatch) -> None:
    def shared_only(platform: dict[str, Any]) -> None:
        serving_cut(platform)
        platform.pop("endpoints")
        platform["shared_endpoints"] = [
            {
                "name": "gpu-models",
                "instance_type": "ml.g5.12xlarge",
                "initial_instance_count": 2,
                "components": [
                    {
                        "name": "churn",
                        "model": {"latest_approved_of": "customer-churn"},
                        "compute": {"cpu_cores": 4, "memory_mb": 16384, "accelerators": 1},
                        "copies": 2,
                    }
                ],
            }
        ]

    [warning] = _deployed_warnings(tmp_path, monkeypatch, "cpu", shared_only)
    assert warning.startswith("shared endpoint gpu-models, component churn: version ")
    assert f"its image {IMAGES['cpu']} is the CPU build on ml.g5.12xlarge, a GPU instance" in warning


@pytest.mark.parametrize(
    ("image", "instance_type"),
    [
        pytest.param(IMAGES["gpu"], "ml.g5.xlarge", id="gpu-on-gpu"),
        pytest.param(IMAGES["cpu"], "ml.m5.xlarge", id="cpu-on-cpu"),
        pytest.param(
            f"141502667606.dkr.ecr.{REGION}.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3",
            "ml.g5.xlarge",
            id="scikit-learn-has-no-gpu-build",
        ),
    ],
)
def test_the_build_that_fits_is_not_a_mismatch(image, instance_type) -> None:
    assert build_mismatch(image, instance_type) is None


def test_a_gpu_build_on_copies_without_accelerators_is_a_mismatch() -> None:
    """A shared endpoint's component reserving no accelerator devices: its copies see no GPU."""
    assert build_mismatch(IMAGES["gpu"], "ml.g5.12xlarge", accelerated=False) == (
        f"its image {IMAGES['gpu']} is the GPU build on ml.g5.12xlarge without accelerators, which gives "
        "its copies no GPU"
    )
    assert build_mismatch(IMAGES["cpu"], "ml.g5.12xlarge", accelerated=False) is None


def _shared_component(accelerators: int | None) -> Callable[[dict[str, Any]], None]:
    def edit(platform: dict[str, Any]) -> None:
        compute: dict[str, Any] = {"cpu_cores": 4, "memory_mb": 16384}
        if accelerators:
            compute["accelerators"] = accelerators
        platform["shared_endpoints"] = [
            {
                "name": "gpu-models",
                "instance_type": "ml.g5.12xlarge",
                "initial_instance_count": 2,
                "components": [
                    {"name": "churn", "model": {"latest_approved_of": "customer-churn"}, "compute": compute}
                ],
            }
        ]

    return edit


@pytest.mark.parametrize(
    ("accelerators", "expected"),
    [
        pytest.param(1, "ml.g5.12xlarge", id="with-accelerators-gpu"),
        pytest.param(None, "ml.m5.large", id="without-cpu"),
    ],
)
def test_a_shared_components_build_follows_its_accelerators(accelerators, expected) -> None:
    config = parse_platform_config(
        _platform(_pytorch("ml.g5.xlarge"), lambda p: p.pop("endpoints"), _shared_component(accelerators)),
        "stacks/Pulumi.dev.yaml",
    )
    assert inference_instance_type(config, config.models[0]) == expected


@pytest.mark.parametrize(
    ("image", "instance_type", "fragment"),
    [
        pytest.param(
            IMAGES["gpu"],
            "ml.m5.xlarge",
            "is the GPU build on ml.m5.xlarge, which has no GPU",
            id="gpu-on-cpu",
        ),
        pytest.param(
            IMAGES["gpu"], None, "is the GPU build on serverless, which has no GPU", id="gpu-on-serverless"
        ),
        pytest.param(
            IMAGES["cpu"],
            "ml.p4d.24xlarge",
            "is the CPU build on ml.p4d.24xlarge, a GPU instance",
            id="cpu-on-gpu",
        ),
    ],
)
def test_the_other_build_is_a_mismatch(image, instance_type, fragment) -> None:
    problem = build_mismatch(image, instance_type)
    assert problem is not None and fragment in problem
