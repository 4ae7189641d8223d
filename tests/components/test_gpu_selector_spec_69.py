"""A serving's or the monitoring's ``gpu_node_selector`` that names a GPU label with a value that says
"no GPU" (``nvidia.com/gpu.present: "false"``, a count of ``0``, an empty value) is refused at the
stack file, naming it and the key: the pods would wait for GPUs on nodes without any, and the policy
pack refuses them too (tests/policies/test_gpu_values_69.py). The defaults' placement passes the pack."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from components.kubernetes import _gpu_labels
from components.kubernetes.kubernetes_serving_spec import GpuPlacement
from policies.rules import _gpu_placement
from stacks.config import ConfigError, parse_platform_config
from tests.conftest import load_stack_document
from tests.policies.conftest import run_policy

FILE = "stacks/Pulumi.prod.yaml"
IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn-server@sha256:" + "a" * 64
RULE = "k8s-gpu-pods-well-formed"


@pytest.mark.parametrize(
    "selector",
    [
        pytest.param({"nvidia.com/gpu.present": "false"}, id="present-false"),
        pytest.param({"nvidia.com/gpu.present": "False"}, id="present-False"),
        pytest.param({"nvidia.com/gpu.present": ""}, id="present-empty"),
        pytest.param({"nvidia.com/gpu.count": "0"}, id="count-0"),
        pytest.param({"karpenter.k8s.aws/instance-gpu-count": "0"}, id="karpenter-count-0"),
        pytest.param({"nvidia.com/gpu.product": "Tesla-T4", "nvidia.com/gpu.present": "false"}, id="beside-a-gpu-value"),
    ],
)  # fmt: skip
def test_a_gpu_label_with_a_no_gpu_value_is_refused(selector: dict[str, str]) -> None:
    with pytest.raises(ValidationError) as raised:
        GpuPlacement(gpu_node_selector=selector)
    assert "select nodes without GPUs" in str(raised.value), str(raised.value)


@pytest.mark.parametrize(
    "selector",
    [
        pytest.param({"nvidia.com/gpu.present": "true"}, id="present-true"),
        pytest.param({"nvidia.com/gpu.present": "True"}, id="present-True"),
        pytest.param({"nvidia.com/gpu.count": "1"}, id="count-1"),
        pytest.param({"nvidia.com/gpu.product": "Tesla-T4"}, id="product"),
        pytest.param({"example.com/spot": "false"}, id="another-label-may-say-false"),
    ],
)
def test_a_gpu_value_or_another_label_is_accepted(selector: dict[str, str]) -> None:
    assert GpuPlacement(gpu_node_selector=selector).gpu_node_selector == selector


def _platform(edit: Any) -> dict[str, Any]:
    platform = load_stack_document("prod")["config"]["mlops-platform:platform"]
    platform["kubernetes_serving"] = {
        "cluster_arn": "arn:aws:eks:eu-west-1:333333333333:cluster/ml",
        "servings": [{"name": "churn-gpu", "image": IMAGE}],
        "monitoring": {"grafana_admin_secret": {"name": "grafana-admin"}},
    }
    edit(platform["kubernetes_serving"])
    return platform


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        pytest.param(lambda k: k["servings"][0].update(gpu_node_selector={"nvidia.com/gpu.present": "false"}), "servings[0].gpu_node_selector", id="serving"),
        pytest.param(lambda k: k["monitoring"].update(gpu_node_selector={"nvidia.com/gpu.count": "0"}), "monitoring.gpu_node_selector", id="monitoring"),
    ],
)  # fmt: skip
def test_the_refusal_names_the_stack_file_and_the_key(edit: Any, key: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(_platform(edit), FILE)
    at = f"{FILE}: mlops-platform:platform.kubernetes_serving.{key}: "
    lines = [line.strip() for line in str(raised.value).splitlines()]
    assert [line for line in lines if line.startswith(at) and "select nodes without GPUs" in line], lines


@pytest.mark.parametrize("taint_value", [None, "true", ""], ids=["unknown", "true", "empty"])
def test_the_default_placement_passes_the_pack(taint_value: str | None) -> None:
    """The defaults, as the serving and the DCGM exporter set them: a GPU nodeSelector and an
    ``Exists`` toleration, which counts whatever the taint's value."""
    placement = GpuPlacement()
    container = {
        "name": "server",
        "image": "model@sha256:abc",
        "resources": {"limits": {"nvidia.com/gpu": 1}},
    }
    tolerations = [t.model_dump(exclude_none=True) for t in placement.gpu_tolerations]
    for spec in (
        {"nodeSelector": dict(placement.gpu_node_selector)},
        {"tolerations": tolerations},
    ):
        pod = {"metadata": {"namespace": "serving"}, "spec": {"containers": [container], **spec}}
        resources = [{"type": "kubernetes:core/v1:Pod", "name": "subject", "inputs": pod}]
        assert run_policy(RULE, resources, {RULE: {"gpuTaintValue": taint_value}}) == []


SAMPLES = ["", " ", "false", "FALSE", "no", "off", "none", "None", "0", "00", "0.0", "-0", "-1", ".0", "+0",
           "true", "1", "01", "0.5", "1e0", "Tesla-T4", "nvidia", "nonex", "0x0", "0-0"]  # fmt: skip
#: Numbers at the edges of the decimal pattern: a trailing point, a signed point, an exponent, a
#: non-ASCII zero (Python's float reads it; the pattern, ASCII only, does not), an underscore.
EDGES = [
    "0.",
    "-0.",
    "+.0",
    "-.5",
    "0e0",
    "-1e3",
    "\u0660",
    "-\u0661",
    "0_0",
    "1_0",
    " -0 ",
    "\t0\n",
    "nan",
    "-inf",
]


def test_the_spec_s_copy_reads_numbers_with_the_pack_s_pattern() -> None:
    """The pin above compares samples; the pattern and the words themselves are pinned too, so a
    change to one copy's number reading fails here, whatever the samples."""
    assert _gpu_labels._DECIMAL.pattern == _gpu_placement._DECIMAL.pattern
    assert _gpu_labels._DECIMAL.flags == _gpu_placement._DECIMAL.flags
    assert [_gpu_labels.says_no_gpu(v) for v in EDGES] == [_gpu_placement.says_no_gpu(v) for v in EDGES]
    assert [v for v in EDGES if _gpu_placement.says_no_gpu(v)] == ["0.", "-0.", "+.0", "-.5", " -0 ", "\t0\n"]


def test_the_spec_s_copy_is_the_pack_s() -> None:
    """The pack imports nothing from components/: the spec's copy must say "no GPU" of the same values."""
    assert _gpu_labels.GPU_NODE_LABELS == _gpu_placement.GPU_NODE_LABELS
    assert _gpu_labels.NO_GPU_WORDS == _gpu_placement.NO_GPU_WORDS
    assert [_gpu_labels.says_no_gpu(v) for v in SAMPLES] == [_gpu_placement.says_no_gpu(v) for v in SAMPLES]
    assert [v for v in SAMPLES if _gpu_placement.says_no_gpu(v)] == [
        "",
        " ",
        "false",
        "FALSE",
        "no",
        "off",
        "none",
        "None",
        "0",
        "00",
        "0.0",
        "-0",
        "-1",
        ".0",
        "+0",
    ]


@pytest.mark.parametrize(
    ("selector", "refused"),
    [
        pytest.param({"eks.amazonaws.com/instance-gpu-count": "0"}, True, id="auto-mode-count-0"),
        pytest.param({"eks.amazonaws.com/instance-gpu-memory": "0"}, True, id="auto-mode-memory-0"),
        pytest.param({"eks.amazonaws.com/instance-gpu-name": "l40s"}, False, id="auto-mode-gpu-name"),
        pytest.param({"karpenter.k8s.aws/instance-gpu-memory": "24576"}, False, id="karpenter-memory"),
    ],
)
def test_eks_auto_mode_gpu_labels_are_judged_like_the_others(selector: dict[str, str], refused: bool) -> None:
    if refused:
        with pytest.raises(ValidationError, match="select nodes without GPUs"):
            GpuPlacement(gpu_node_selector=selector)
    else:
        assert GpuPlacement(gpu_node_selector=selector).gpu_node_selector == selector


def test_the_refusal_names_the_labels_and_how_to_fix_a_count() -> None:
    with pytest.raises(ValidationError) as raised:
        GpuPlacement(gpu_node_selector={"nvidia.com/gpu.count": "0", "example.com/pool": "gpu"})
    message = str(raised.value)
    assert "gpu_node_selector ['nvidia.com/gpu.count=0'] select nodes without GPUs" in message, message
    assert "nvidia.com/gpu.present: 'true', or a GPU count of 1 or more" in message, message
