"""The prebuilt images' URIs and tables mean what AWS publishes, checked against the SageMaker SDK.

The monitors' image URIs are built from the repository's copy of the SDK's maps
(``components/prebuilt_image_registries.json``) with the platform's own host and tag rules; the
SDK's ``image_uris.retrieve`` builds the same URI from its bundled tables and botocore's partition
data. They must agree in every region either knows (an image pulled from the wrong account, host or
tag fails the first deploy there), and refuse the same regions.
"""

from __future__ import annotations

import pytest

from components import prebuilt_images
from components.limits import region_problem
from components.prebuilt_images import (
    ANALYZER,
    CLARIFY,
    CLARIFY_VERSION,
    DISTRIBUTION,
    prebuilt_image_uri,
    prebuilt_region_problem,
    prebuilt_registries,
    regions_with_all,
)
from components.sdk_image_tables import image_version_key, sdk_image_table
from components.training import _offline_sdk
from components.versions import TRITON_SAGEMAKER_VERSION
from stacks.aws_regions import SAGEMAKER_REGIONS
from tests.recorded import computed_once

_SDK_ARGS = {
    ANALYZER: {"framework": "model-monitor"},
    CLARIFY: {"framework": "clarify", "version": CLARIFY_VERSION, "image_scope": "processing"},
}


def _sdk_uri(repository: str, region: str) -> str | None:
    """The SDK's URI of ``repository`` in ``region``, with the implicit ``latest`` tag spelled out;
    None where the SDK refuses the region."""
    from sagemaker.core import image_uris

    try:
        uri = image_uris.retrieve(region=region, **_SDK_ARGS[repository])
    except ValueError:
        return None
    return uri if ":" in uri.rsplit("/", 1)[1] else f"{uri}:latest"


def _regions(repository: str) -> list[str]:
    return sorted(SAGEMAKER_REGIONS | set(prebuilt_registries(repository)))


def _sdk_uris() -> dict[str, dict[str, str | None]]:
    """The SDK's answer for each monitor image in each region (importing the SDK takes seconds:
    kept per version of the code and of uv.lock)."""
    with _offline_sdk.sealed("eu-west-1"):
        return {repository: {region: _sdk_uri(repository, region) for region in _regions(repository)}
                for repository in (ANALYZER, CLARIFY)}  # fmt: skip


@pytest.mark.parametrize("repository", [ANALYZER, CLARIFY])
def test_a_monitor_image_uri_is_the_one_the_sdk_resolves_in_every_region(repository: str) -> None:
    """Every region the stack file accepts; the other partitions' regions the table lists (China's,
    GovCloud's, the isolated ones) are refused naming their partition, as every component refuses
    them (the components write only ``arn:aws:`` ARNs and ``amazonaws.com`` hosts)."""
    sdk = computed_once("sdk-uris", _sdk_uris)[repository]
    assert any(region.startswith("cn-") for region in sdk)
    assert any(region.startswith("us-iso") for region in sdk)
    mismatched = {}
    for region, expected in sdk.items():
        if region_problem(region):
            with pytest.raises(ValueError, match=rf"^'{region}' is in the aws-[a-z-]+ partition"):
                prebuilt_image_uri(repository, region)
            continue
        if expected is None:
            with pytest.raises(ValueError, match="publishes no"):
                prebuilt_image_uri(repository, region)
            continue
        if prebuilt_image_uri(repository, region) != expected:
            mismatched[region] = (prebuilt_image_uri(repository, region), expected)
    assert mismatched == {}


def test_every_kept_region_is_one_the_sdk_resolves_and_the_stack_regions_it_lacks_are_the_sdks() -> None:
    """The regions the platform refuses for the monitors are exactly those the SDK's tables lack."""
    answers = computed_once("sdk-uris", _sdk_uris)
    for repository in (ANALYZER, CLARIFY):
        sdk_regions = {region for region in SAGEMAKER_REGIONS if answers[repository][region]}
        assert SAGEMAKER_REGIONS & set(prebuilt_registries(repository)) == sdk_regions, repository


@pytest.fixture
def sdk_without_distribution(monkeypatch: pytest.MonkeyPatch):
    """The SDK's SageMaker Distribution table missing (the SDK extra not installed, as far as the
    platform's maps can tell); the monitors' maps are the repository's copy."""
    real = prebuilt_images.sdk_image_table
    monkeypatch.setattr(
        prebuilt_images,
        "sdk_image_table",
        lambda name: None if name == "sagemaker-distribution" else real(name),
    )
    prebuilt_images._registries.cache_clear()
    yield
    prebuilt_images._registries.cache_clear()


@pytest.mark.usefixtures("sdk_without_distribution")
def test_an_image_whose_table_is_not_installed_restricts_no_region() -> None:
    assert prebuilt_registries(DISTRIBUTION) == {}
    analyzer = set(prebuilt_registries(ANALYZER))
    assert regions_with_all([ANALYZER, DISTRIBUTION], SAGEMAKER_REGIONS) == SAGEMAKER_REGIONS & analyzer
    assert regions_with_all([DISTRIBUTION], SAGEMAKER_REGIONS) == SAGEMAKER_REGIONS
    missing = sorted(SAGEMAKER_REGIONS - analyzer)[0]
    assert prebuilt_region_problem(DISTRIBUTION, missing, "steps", ["eu-west-1"]) is None
    assert prebuilt_region_problem(ANALYZER, missing, "steps", ["eu-west-1"]) is not None


def test_an_image_the_platform_does_not_run_has_no_registries() -> None:
    assert prebuilt_registries("sagemaker-xgboost") == {}


def test_a_region_without_the_image_is_refused_naming_the_alternatives_sorted() -> None:
    missing = sorted(SAGEMAKER_REGIONS - set(prebuilt_registries(CLARIFY)))[0]
    problem = prebuilt_region_problem(CLARIFY, missing, "the monitors", ["eu-west-2", "eu-west-1"])
    assert problem is not None
    assert problem.startswith(
        f"the monitors run AWS's {CLARIFY} image, which AWS does not publish in {missing}"
    )
    assert "(eu-west-1, eu-west-2)" in problem
    assert "no region has every prebuilt image" in (prebuilt_region_problem(CLARIFY, missing, "x", []) or "")
    assert prebuilt_region_problem(CLARIFY, "eu-west-1", "the monitors", []) is None


def test_table_versions_sort_numerically_by_part() -> None:
    versions = ["1.10", "1.9", "1.2-1", "1.0-1", "0.23-1", "2.0"]
    assert sorted(versions, key=image_version_key) == ["0.23-1", "1.0-1", "1.2-1", "1.9", "1.10", "2.0"]
    triton = list((sdk_image_table("sagemaker-tritonserver") or {})["versions"])
    assert sorted(triton, key=image_version_key) == sorted(
        triton, key=lambda v: tuple(int(p) for p in v.split("."))
    )


def test_the_default_triton_release_is_published_in_every_region_the_stack_file_accepts() -> None:
    """A Triton variant that leaves ``models[].triton.version`` out runs this release: it must be
    one the SDK lists, in every region a stack may name (older releases lack eu-central-2 and
    other newer regions)."""
    versions = (sdk_image_table("sagemaker-tritonserver") or {})["versions"]
    assert TRITON_SAGEMAKER_VERSION in versions
    assert SAGEMAKER_REGIONS - set(versions[TRITON_SAGEMAKER_VERSION]["registries"]) == set()


def test_the_kept_maps_are_never_copied_from_a_missing_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """``--write`` without the SDK's tables refuses instead of writing empty maps, which would
    refuse every region for the monitors."""
    from components import sdk_image_tables

    monkeypatch.setattr(sdk_image_tables, "sdk_image_table", lambda name: None)
    monkeypatch.setattr(prebuilt_images, "sdk_image_table", lambda name: None)
    with pytest.raises(FileNotFoundError, match="model-monitor"):
        prebuilt_images.kept_registries_text()
