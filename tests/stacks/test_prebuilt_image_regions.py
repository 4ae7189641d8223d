"""A stack whose region lacks a prebuilt image it runs is refused at ``platform.region``.

The training pipeline's baseline steps and the endpoints' Model Monitor jobs run AWS's
``sagemaker-model-monitor-analyzer`` image, the bias and explainability monitors
``sagemaker-clarify-processing``, the pipeline's TrackExperiment (experiment tracking) and
ExtractFeatures (training from a feature group) steps SageMaker Distribution
(``sagemaker-distribution-prod``). The definition build resolves the analyzer and SageMaker
Distribution from the SageMaker SDK's tables and fails in a region they do not list: checked in the
stack file, before anything runs.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from components.prebuilt_images import ANALYZER, CLARIFY, DISTRIBUTION, prebuilt_registries
from components.training import _offline_sdk
from planner.__main__ import EXIT_INVALID_CONFIG, main
from stacks.aws_regions import SAGEMAKER_REGIONS
from stacks.config import CONFIG_KEY
from tests.config_problems import stack_file_problems
from tests.conftest import load_stack_document
from tests.recorded import computed_once
from tests.yaml_text import dump_document

Edit = Callable[[dict[str, Any]], None]


def _in_region(tmp_path: Path, base: str, region: str, edit: Edit | None = None) -> Path:
    """The fixture stack ``base`` moved to ``region`` (every ARN, zone and name with it)."""
    path = tmp_path / f"Pulumi.{base}-{region}.yaml"
    path.write_text(_text(base, edit).replace("eu-west-1", region))
    return path


@cache
def _text(base: str, edit: Edit | None) -> str:
    """The fixture stack ``base`` edited by ``edit`` (a function making the same edit at every
    call), as YAML text: dumped once per process for every region a test moves it to (a string,
    which no caller can change)."""
    document = load_stack_document(base)
    if edit is not None:
        edit(document["config"][CONFIG_KEY])
    return dump_document(document)


def _region_problems(path: Path) -> list[str]:
    problem = stack_file_problems(path).get(f"{CONFIG_KEY}.region")
    return [problem] if problem else []


def _sdk_resolves(framework: str, region: str) -> bool:
    with _offline_sdk.sealed(region):
        from sagemaker.core import image_uris

        try:
            image_uris.retrieve(framework, region=region)
        except ValueError:
            return False
    return True


TMP = "@TMP@"
"""In a computed region problem: the temporary folder that held the stack files."""


@cache
def _by_region() -> dict[str, dict[str, Any]]:
    """For each SageMaker region: whether the SDK resolves the analyzer there (``monitor``), and,
    where it does, whether the training pipeline's build resolves SageMaker Distribution
    (``distribution``); and the region problems of the dev fixture moved there (``dev``), with
    experiment tracking on (``dev-_tracking``), and of the prod fixture with it off
    (``prod-_no_tracking``, a family trained from a feature group). Computed once per version of
    the code (the SDK's version is in uv.lock), this module and the fixtures, in a temporary folder
    of its own read back as ``TMP``, and read by every worker and later run
    (tests.recorded.computed_once); each region's tests judge its own facts."""
    return computed_once("by-region", _region_facts)


def _region_facts() -> dict[str, dict[str, Any]]:
    facts: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="regions-") as directory:
        folder = Path(directory)
        for region in sorted(SAGEMAKER_REGIONS):
            monitor = _sdk_resolves("model-monitor", region)
            facts[region] = {
                "monitor": monitor,
                "distribution": monitor and _builds_distribution_steps(region),
                **{
                    f"{base}{'-' + edit.__name__ if edit else ''}": [
                        problem.replace(directory, TMP)
                        for problem in _region_problems(_in_region(folder, base, region, edit))
                    ]
                    for base, edit in (("dev", None), ("dev", _tracking), ("prod", _no_tracking))
                },
            }
    return facts


@pytest.mark.parametrize("region", sorted(SAGEMAKER_REGIONS))
def test_a_training_stack_is_refused_exactly_where_the_sdk_cannot_build_its_baseline_steps(
    region: str,
) -> None:
    facts = _by_region()[region]
    problems = facts["dev"]
    if facts["monitor"]:
        assert problems == []
    else:
        [problem] = problems
        assert (
            "baseline steps (training.enabled, training.model_monitor_baselines)" in problem
            and ANALYZER in problem
        )
        assert "eu-west-1" in problem and region not in problem.split("(", 2)[-1]


def _no_training(platform: dict[str, Any]) -> None:
    platform["training"] = {"enabled": False}


def _no_monitoring(platform: dict[str, Any]) -> None:
    _no_training(platform)
    platform["monitoring"] = {"enabled": False}


def _bias(platform: dict[str, Any]) -> None:
    _no_training(platform)
    platform.setdefault("monitoring", {})["model_monitors"] = {"bias": True}


def _explainability(platform: dict[str, Any]) -> None:
    _no_training(platform)
    platform.setdefault("monitoring", {})["model_monitors"] = {"explainability": True}


def test_monitored_endpoints_need_the_analyzer_and_nothing_does_with_both_off(tmp_path: Path) -> None:
    [region] = sorted(SAGEMAKER_REGIONS - set(prebuilt_registries(ANALYZER)))[:1]
    [problem] = _region_problems(_in_region(tmp_path, "staging", region, _no_training))
    assert "Model Monitor jobs (monitoring.enabled)" in problem
    assert _region_problems(_in_region(tmp_path, "staging", region, _no_monitoring)) == []


@pytest.mark.parametrize("monitor", [_bias, _explainability], ids=["bias", "explainability"])
def test_bias_and_explainability_monitors_need_clarify(tmp_path: Path, monitor: Edit) -> None:
    analyzer_only = sorted(
        (SAGEMAKER_REGIONS & set(prebuilt_registries(ANALYZER))) - set(prebuilt_registries(CLARIFY))
    )
    assert analyzer_only, "every region with the analyzer has Clarify: pick another way to test this"
    region = analyzer_only[0]
    assert not _sdk_resolves("clarify", region)
    [problem] = _region_problems(_in_region(tmp_path, "staging", region, monitor))
    assert CLARIFY in problem and "monitoring.model_monitors" in problem
    assert _region_problems(_in_region(tmp_path, "staging", region, _no_training)) == []


def test_the_plan_exits_2_naming_the_file_and_the_key_and_prints_nothing(tmp_path: Path, capsys) -> None:
    [region] = sorted(SAGEMAKER_REGIONS - set(prebuilt_registries(ANALYZER)))[:1]
    path = _in_region(tmp_path, "dev", region)
    assert main(["--config", str(path), "--format", "json"]) == EXIT_INVALID_CONFIG
    out, err = capsys.readouterr()
    assert out == ""
    assert f"{path}: mlops-platform:platform.region: the training pipelines' baseline steps" in err


def _tracking(platform: dict[str, Any]) -> None:
    platform["experiment_tracking"] = {"enabled": True}


def _no_tracking(platform: dict[str, Any]) -> None:
    platform["experiment_tracking"] = {"enabled": False}


def _builds_distribution_steps(region: str) -> bool:
    """Whether the training pipeline's build resolves SageMaker Distribution's image (TrackExperiment,
    ExtractFeatures) in ``region``."""
    with _offline_sdk.sealed(region):
        from components.training._definition_steps import _distribution_image

        try:
            _distribution_image(region)
        except ValueError:
            return False
    return True


def test_a_region_without_sagemaker_distribution_serves_a_stack_that_does_not_track(tmp_path: Path) -> None:
    gaps = sorted(
        (SAGEMAKER_REGIONS & set(prebuilt_registries(ANALYZER))) - set(prebuilt_registries(DISTRIBUTION))
    )
    assert gaps, "every region with the analyzer has SageMaker Distribution: pick another way to test this"
    assert _region_problems(_in_region(tmp_path, "dev", gaps[0], _tracking))
    assert _region_problems(_in_region(tmp_path, "dev", gaps[0])) == []


@pytest.mark.parametrize("region", sorted(SAGEMAKER_REGIONS))
@pytest.mark.parametrize(
    ("base", "edit", "step"),
    [
        ("dev", _tracking, "TrackExperiment steps (experiment_tracking.enabled)"),
        ("prod", _no_tracking, "ExtractFeatures steps (models[].training.data.feature_group)"),
    ],
    ids=["tracking", "feature-training"],
)
def test_sagemaker_distribution_steps_are_refused_exactly_where_the_build_cannot_resolve_it(
    region: str, base: str, edit: Edit, step: str
) -> None:
    """TrackExperiment (experiment tracking) and ExtractFeatures (a family trained from a feature
    group) both run SageMaker Distribution."""
    facts = _by_region()[region]
    problems = facts[f"{base}-{edit.__name__}"]
    if not facts["monitor"]:
        assert problems and "baseline steps" in problems[0]
    elif facts["distribution"]:
        assert problems == []
    else:
        [problem] = problems
        assert step in problem and DISTRIBUTION in problem
        assert "eu-west-1" in problem


def _suggested(problem: str) -> list[str]:
    listing = problem.split("this stack runs (", 1)[1].split(")", 1)[0]
    return listing.split(", ")


@pytest.mark.parametrize(
    ("base", "edit", "lacks"),
    [("staging", _bias, CLARIFY), ("prod", None, DISTRIBUTION)],
    ids=["bias-without-clarify", "prod-without-distribution"],
)
def test_every_region_a_refusal_suggests_accepts_the_stack(
    tmp_path: Path, base: str, edit: Edit | None, lacks: str
) -> None:
    region = sorted(
        (SAGEMAKER_REGIONS & set(prebuilt_registries(ANALYZER))) - set(prebuilt_registries(lacks))
    )[0]
    [problem] = _region_problems(_in_region(tmp_path, base, region, edit))
    suggested = _suggested(problem)
    assert region not in suggested and "eu-west-1" in suggested
    refused = [r for r in suggested if _region_problems(_in_region(tmp_path, base, r, edit))]
    assert refused == []


def test_a_pinned_version_the_sdk_no_longer_lists_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    from components import prebuilt_images

    monkeypatch.setitem(prebuilt_images._TABLES, DISTRIBUTION, ("sagemaker-distribution", (), "0.0.1"))
    prebuilt_images._registries.cache_clear()
    try:
        with pytest.raises(LookupError, match=r"no longer lists 0\.0\.1.*pin the SDK in uv\.lock"):
            prebuilt_registries(DISTRIBUTION)
    finally:
        prebuilt_images._registries.cache_clear()


def test_the_kept_monitor_image_maps_are_the_installed_sdks() -> None:
    """``components/prebuilt_image_registries.json`` is the installed SDK's maps: after an SDK
    upgrade, ``python -m components.prebuilt_images --write`` copies them again."""
    from components import prebuilt_images

    kept = Path(prebuilt_images.__file__).with_name("prebuilt_image_registries.json").read_text()
    assert kept == prebuilt_images.kept_registries_text()


def test_the_monitors_run_the_image_of_the_stack_region_with_no_provider_lookup(tmp_path: Path) -> None:
    """The job definitions name the image the SDK's table has for the stack's region, not the
    provider's getPrebuiltEcrImage (its own maps lag: no eu-central-2 analyzer). The offline plan
    has no mock of that invoke any more, so a component calling it fails this recording."""
    from tests.recorded import recorded_stack

    region = "eu-central-2"
    assert region in prebuilt_registries(ANALYZER) and region in prebuilt_registries(CLARIFY)
    graph = recorded_stack(_in_region(tmp_path, "staging", region, _bias))
    quality = graph.of_type("aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition")
    assert quality, "the staging fixture monitors an endpoint"
    for definition in quality:
        uri = definition.inputs["dataQualityAppSpecification"]["imageUri"]
        assert (
            uri == f"{prebuilt_registries(ANALYZER)[region]}.dkr.ecr.{region}.amazonaws.com/{ANALYZER}:latest"
        )
    bias = graph.of_type("aws-native:sagemaker:ModelBiasJobDefinition")
    assert bias
    for definition in bias:
        uri = definition.inputs["modelBiasAppSpecification"]["imageUri"]
        assert uri == f"{prebuilt_registries(CLARIFY)[region]}.dkr.ecr.{region}.amazonaws.com/{CLARIFY}:1.0"


def test_a_monitor_image_uri_has_its_partitions_host_and_its_pinned_tag() -> None:
    from components.prebuilt_images import CLARIFY_VERSION, prebuilt_image_uri, prebuilt_repository_uri

    analyzer, clarify = prebuilt_registries(ANALYZER), prebuilt_registries(CLARIFY)
    assert prebuilt_image_uri(CLARIFY, "eu-west-1") == (
        f"{clarify['eu-west-1']}.dkr.ecr.eu-west-1.amazonaws.com/{CLARIFY}:{CLARIFY_VERSION}"
    )
    # The table lists other partitions' regions; every component refuses them, and so do the URIs
    # (one rule: the components build arn:aws: ARNs and amazonaws.com hosts only).
    assert "cn-north-1" in analyzer
    with pytest.raises(ValueError, match=r"^'cn-north-1' is in the aws-cn partition"):
        prebuilt_image_uri(ANALYZER, "cn-north-1")
    with pytest.raises(ValueError, match=r"^'cn-north-1' is in the aws-cn partition"):
        prebuilt_repository_uri(ANALYZER, "cn-north-1")
    with pytest.raises(ValueError, match=r"^'us-iso[a-z]*-[a-z]+-\d' is in the aws-iso"):
        prebuilt_image_uri(ANALYZER, next(r for r in analyzer if r.startswith("us-iso")))
    assert prebuilt_repository_uri(ANALYZER, "eu-west-1") == (
        f"{analyzer['eu-west-1']}.dkr.ecr.eu-west-1.amazonaws.com/{ANALYZER}"
    )
    assert prebuilt_repository_uri(ANALYZER, "ca-west-1") is None
    with pytest.raises(ValueError, match="publishes no"):
        prebuilt_image_uri(ANALYZER, "ca-west-1")
    with pytest.raises(TypeError):
        analyzer["eu-west-1"] = "000000000000"  # type: ignore[index]  # shared: read-only
