"""GPU alarms and GPU scaling targets are in percent of an instance's GPUs.

SageMaker reports an endpoint's ``GPUUtilization`` and ``GPUMemoryUtilization`` as 0-100 per GPU,
summed over the instance's GPUs (0-400 % on a four-GPU ml.g5.12xlarge). A threshold of 90 on such
an instance pages at 22.5 % use and a scaling target of 70 scales out at 17.5 %, so the stack
file's percentages are multiplied by the instance type's GPU count
(``policies/aws_instance_types.GPU_COUNTS``), and a GPU type without a known count is refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from components.instance_types import INSTANCE_RESOURCES, gpu_count, is_gpu
from components.observability.alarm_thresholds import AlarmThresholds
from components.sdk_image_tables import sdk_image_table
from planner.__main__ import EXIT_INVALID_CONFIG, main
from planner.recorder import ResourceGraph
from policies.aws_instance_types import GPU_COUNTS, family_of
from stacks.config import CONFIG_KEY
from tests.config_problems import stack_file_problems
from tests.recorded import recorded_stack

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
POLICY = "aws:appautoscaling/policy:Policy"
VARIANT = f"{CONFIG_KEY}.endpoints[0].variants[0]"


UNCONFIRMED_FAMILIES = {"g7"}
"""GPU families whose sizes' GPU counts are not confirmed yet: refused where a stack names them."""


def _sagemaker_gpu_types() -> set[str]:
    """Every g*/p* type SageMaker hosts, trains or processes on, by name alone: independent of
    GPU_FAMILIES, so a family missing there is found too."""
    model = botocore.session.get_session().get_service_model("sagemaker")
    shapes = ("ProductionVariantInstanceType", "TrainingInstanceType", "ProcessingInstanceType")
    return {
        t
        for shape in shapes
        for t in model.shape_for(shape).enum
        if re.match(r"[gp][0-9]", family_of(t) or "")
    }


def test_every_gpu_type_sagemaker_hosts_or_trains_on_is_a_gpu_with_a_count() -> None:
    types = _sagemaker_gpu_types()
    assert {"ml.g5.12xlarge", "ml.p2.8xlarge"} <= types
    not_gpu = sorted(t for t in types if not is_gpu(t))
    assert not not_gpu, f"add their families to policies/aws_instance_types.GPU_FAMILIES: {not_gpu}"
    missing = sorted(t for t in types - set(GPU_COUNTS) if family_of(t) not in UNCONFIRMED_FAMILIES)
    assert not missing, f"add their GPU counts to policies/aws_instance_types.GPU_COUNTS: {missing}"
    assert all(is_gpu(t) for t in GPU_COUNTS), "a GPU_COUNTS type outside GPU_FAMILIES gets no GPU alarm"
    for unconfirmed in sorted(t for t in types if family_of(t) in UNCONFIRMED_FAMILIES):
        with pytest.raises(ValueError, match="no known GPU count"):
            gpu_count(unconfirmed)


PINNED = {
    # AWS's sagemaker-hyperpod-cli instance table (not in the SDK's instance_gpu_info).
    "ml.g6.12xlarge": 4,
    "ml.g6.48xlarge": 8,
    "ml.g6e.xlarge": 1,
    "ml.g6e.48xlarge": 8,
    "ml.p5.4xlarge": 1,
    "ml.p5e.48xlarge": 8,
    "ml.p5en.48xlarge": 8,
    "ml.p6-b200.48xlarge": 8,
    "ml.p6e-gb200.36xlarge": 4,
    "ml.g7e.2xlarge": 1,
    # AWS's accelerated-computing specifications.
    "ml.g7e.12xlarge": 2,
    "ml.g7e.24xlarge": 4,
    "ml.g7e.48xlarge": 8,
    "ml.p6-b300.48xlarge": 8,
}


def test_the_counts_no_table_here_covers_are_pinned_with_their_source() -> None:
    assert {t: GPU_COUNTS[t] for t in PINNED} == PINNED


def test_the_counts_agree_with_the_sdk_and_the_inference_component_table() -> None:
    table = sdk_image_table("instance_gpu_info") or {}
    sdk = {t: info["Count"] for region in table.values() for t, info in region.items()}
    assert sdk, "the SageMaker SDK's instance_gpu_info.json was not found"
    disagreements = {t: (GPU_COUNTS[t], n) for t, n in sdk.items() if t in GPU_COUNTS and GPU_COUNTS[t] != n}
    assert disagreements == {}
    resources = {t: r[2] for t, r in INSTANCE_RESOURCES.items() if is_gpu(t)}
    assert {t: GPU_COUNTS[t] for t in resources} == resources


def test_gpu_count_is_zero_without_gpus_and_refuses_an_unknown_gpu_type() -> None:
    assert gpu_count("ml.m5.xlarge") == 0 and gpu_count("ml.inf2.xlarge") == 0
    assert gpu_count("ml.g5.12xlarge") == 4 and gpu_count("ml.p4d.24xlarge") == 8
    with pytest.raises(ValueError, match=r"no known GPU count.*GPU_COUNTS"):
        gpu_count("ml.g5.96xlarge")


def _prod_on(
    tmp_path: Path,
    instance_type: str,
    edit: Callable[[dict[str, Any]], None] | None = None,
    *,
    cut: bool = False,
) -> Path:
    """The prod fixture with its endpoint's primary variant on ``instance_type``; ``cut`` to what
    an endpoint's alarms and scaling read (:func:`tests.stacks.conftest.serving_cut`, and no training:
    the families keep their registry groups and lose their training, Evidently report and quality
    alarms; the endpoints' GPU, disk and error alarms and their scaling policies are the whole
    fixture's, 180 resources to 148) for the tests that record it and read only those."""
    from tests.conftest import load_stack_document
    from tests.stacks.conftest import serving_cut
    from tests.yaml_text import dump_document

    document = load_stack_document("prod")
    platform = document["config"][CONFIG_KEY]
    if cut:
        serving_cut(platform)
        platform["training"] = {"enabled": False}
        for family in platform["models"]:
            for key in ("training", "evidently", "quality_alarms"):
                family.pop(key, None)
    platform["endpoints"][0]["variants"][0]["instance_type"] = instance_type
    if edit is not None:
        edit(platform)
    path = tmp_path / f"Pulumi.prod-{instance_type.replace('.', '-')}.yaml"
    path.write_text(dump_document(document))
    return path


def _gpu_settings(graph: ResourceGraph) -> tuple[float, float, float, str]:
    alarms = {a.inputs["name"]: a.inputs for a in graph.of_type(ALARM)}
    utilisation = alarms["prod-customer-churn-primary-gpu"]
    memory = alarms["prod-customer-churn-primary-gpu-memory"]
    [policy] = [p for p in graph.of_type(POLICY) if p.name.endswith("-primary-gpu")]
    target = policy.inputs["targetTrackingScalingPolicyConfiguration"]["targetValue"]
    return utilisation["threshold"], memory["threshold"], target, utilisation["alarmDescription"]


@pytest.mark.parametrize(("instance_type", "gpus"), [("ml.g5.2xlarge", 1), ("ml.g5.12xlarge", 4)])
def test_alarm_thresholds_and_the_scaling_target_scale_with_the_gpus(
    tmp_path: Path, instance_type: str, gpus: int
) -> None:
    defaults = AlarmThresholds()
    graph = recorded_stack(_prod_on(tmp_path, instance_type, cut=True))
    utilisation, memory, target, description = _gpu_settings(graph)
    assert utilisation == defaults.gpu_utilization_percent * gpus
    assert memory == defaults.gpu_memory_percent * gpus
    assert target == 70 * gpus  # the fixture's gpu_utilization_percent
    disk = next(a.inputs for a in graph.of_type(ALARM) if a.inputs["name"].endswith("-primary-disk"))
    assert disk["threshold"] == defaults.disk_percent  # DiskUtilization is 0-100 on any instance
    assert (f"(an average of 90% over its {gpus} GPUs)" in description) is (gpus > 1)


def test_a_gpu_type_without_a_known_count_is_refused_at_the_variant(tmp_path: Path, capsys) -> None:
    # A GPU type endpoints are offered on (botocore's ProductionVariantInstanceType) that the table
    # does not list.
    path = _prod_on(tmp_path, "ml.g7.12xlarge")
    problems = stack_file_problems(path)
    assert (
        list(problems) == [f"{VARIANT}.instance_type"]
        and "GPU_COUNTS" in problems[f"{VARIANT}.instance_type"]
    )
    assert main(["--config", str(path), "--format", "json"]) == EXIT_INVALID_CONFIG
    out, err = capsys.readouterr()
    assert out == "" and f"{path}: {VARIANT}.instance_type: " in err


@pytest.mark.parametrize("key", ["gpu_utilization_percent", "gpu_memory_percent"])
def test_alarm_percentages_above_100_are_refused(tmp_path: Path, key: str) -> None:
    def edit(platform: dict[str, Any]) -> None:
        platform.setdefault("monitoring", {}).setdefault("alarms", {})[key] = 360

    problems = stack_file_problems(_prod_on(tmp_path, "ml.g5.12xlarge", edit))
    assert list(problems) == [f"{CONFIG_KEY}.monitoring.alarms.{key}"], json.dumps(problems)


def test_a_shadow_variant_on_more_gpus_gets_its_own_count(tmp_path: Path) -> None:
    """A shadow's alarms page from EndpointAlarms on its own VariantName and instance type."""

    def shadow(platform: dict[str, Any]) -> None:
        endpoint = platform["endpoints"][0]
        primary = endpoint["variants"][0]
        endpoint["shadow_variants"] = [
            {
                "name": "shadow",
                "model": primary["model"],
                "instance_type": "ml.g5.48xlarge",
                "initial_instance_count": 1,
            }
        ]

    graph = recorded_stack(_prod_on(tmp_path, "ml.g5.2xlarge", shadow, cut=True))
    alarms = {a.inputs["name"]: a.inputs for a in graph.of_type(ALARM)}
    defaults = AlarmThresholds()
    assert alarms["prod-customer-churn-shadow-gpu"]["threshold"] == defaults.gpu_utilization_percent * 8
    assert alarms["prod-customer-churn-shadow-gpu-memory"]["threshold"] == defaults.gpu_memory_percent * 8
    assert alarms["prod-customer-churn-primary-gpu"]["threshold"] == defaults.gpu_utilization_percent
