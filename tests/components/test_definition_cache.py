"""The pipeline-definition cache: a hit returns exactly what the builder would, and a changed
input (a setting, the builder's source, the kind of definition) is a different key, never a stale
hit. Batch-scoring definitions are cached like training ones (composing them imports the SDK)."""

from __future__ import annotations

import dataclasses
import json
import os
import site
import subprocess
import sys
import tempfile
import types
from pathlib import Path

import pytest

from components.serving import batch_definition
from components.serving.batch_definition import BatchDefinitionSettings, build_batch_definition
from components.training import definition_cache
from components.training.definition_cache import cache_key, cached_definition
from planner.recorder import record_stack_file

BATCH_SOURCE = Path(batch_definition.__file__).resolve()
PROD_FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "stacks" / "Pulumi.prod.yaml"


def _batch_settings(**changes: object) -> BatchDefinitionSettings:
    settings = BatchDefinitionSettings(
        region="eu-west-1",
        model_name="prod-customer-churn-batch",
        job_name_prefix="prod-customer-churn-batch",
        input_uri="s3://prod-datasets/batch-input/customer-churn/",
        output_uri="s3://prod-datasets/batch-output/customer-churn/",
        kms_key_arn="arn:aws:kms:eu-west-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        instance_type="ml.m5.xlarge",
        instance_count=2,
        split_type="Line",
        batch_strategy="MultiRecord",
        max_payload_mb=6,
        max_concurrent_transforms=4,
        content_type="text/csv",
        accept="text/csv",
        assemble_with="Line",
    )
    return dataclasses.replace(settings, **changes)


def test_a_batch_definition_is_built_once_then_served_from_the_cache(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("MLOPS_DEFINITION_CACHE", str(tmp_path))
    settings = _batch_settings()

    built = build_batch_definition(settings)
    [entry] = tmp_path.glob("*.json")
    assert entry.name == f"{cache_key(settings, (BATCH_SOURCE,))}.json"
    assert entry.read_text() == built
    [step] = json.loads(built)["Steps"]
    assert step["Arguments"]["TransformResources"] == {
        "InstanceType": "ml.m5.xlarge",
        "InstanceCount": 2,
        "VolumeKmsKeyId": settings.kms_key_arn,
    }

    # A hit is read, not rebuilt: what the entry holds is what the next build returns.
    entry.write_text('{"served": "from the cache"}')
    assert build_batch_definition(settings) == '{"served": "from the cache"}'
    # Another setting is another key: built afresh, next to the first entry.
    other = build_batch_definition(_batch_settings(instance_count=3))
    assert json.loads(other)["Steps"][0]["Arguments"]["TransformResources"]["InstanceCount"] == 3
    assert len(list(tmp_path.glob("*.json"))) == 2


def test_off_disables_the_cache(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("MLOPS_DEFINITION_CACHE", "off")
    monkeypatch.chdir(tmp_path)
    built = cached_definition(_batch_settings(), lambda settings: f"built {settings.instance_count}")
    assert built == "built 2"
    assert not any(tmp_path.rglob("*.json"))


def test_the_key_covers_the_builder_source_and_the_kind_of_settings(tmp_path) -> None:
    settings = _batch_settings()
    sources = {}
    for name, text in (("first", "VERSION = 1\n"), ("edited", "VERSION = 2\n"), ("copy", "VERSION = 1\n")):
        sources[name] = tmp_path / f"{name}.py"
        sources[name].write_text(text)

    # The builder's content, not its path, is in the key.
    assert cache_key(settings, (sources["first"],)) != cache_key(settings, (sources["edited"],))
    assert cache_key(settings, (sources["first"],)) == cache_key(settings, (sources["copy"],))
    assert cache_key(settings, (sources["first"],)) != cache_key(settings)

    @dataclasses.dataclass(frozen=True)
    class SameFieldsOtherBuilder:
        region: str

    @dataclasses.dataclass(frozen=True)
    class RegionOnly:
        region: str

    assert cache_key(RegionOnly("eu-west-1")) != cache_key(SameFieldsOtherBuilder("eu-west-1"))


@pytest.mark.parametrize(
    "change",
    [{"kms_key_arn": "arn:aws:kms:eu-west-1:333333333333:key/other"}, {"capture_uri": "s3://a/capture/"}],
)
def test_every_setting_is_part_of_the_key(change) -> None:
    assert cache_key(_batch_settings(**change), (BATCH_SOURCE,)) != cache_key(
        _batch_settings(), (BATCH_SOURCE,)
    )


def _prod_plans_pipelines_and_cache() -> tuple[list[str], list[str]]:
    """The prod fixture recorded with an empty definition cache: its pipelines' definitions, and
    the texts the cache then holds."""
    previous = os.environ.get("MLOPS_DEFINITION_CACHE")
    with tempfile.TemporaryDirectory(prefix="definitions-") as folder:
        os.environ["MLOPS_DEFINITION_CACHE"] = folder
        try:
            graph = record_stack_file(str(PROD_FIXTURE))
        finally:
            if previous is None:
                del os.environ["MLOPS_DEFINITION_CACHE"]
            else:
                os.environ["MLOPS_DEFINITION_CACHE"] = previous
        cached = sorted(path.read_text() for path in Path(folder).glob("*.json"))
    pipelines = graph.of_type("aws:sagemaker/pipeline:Pipeline")
    return [pipeline.inputs["pipelineDefinition"] for pipeline in pipelines], cached


def test_every_pipeline_definition_of_a_plan_is_served_by_the_cache() -> None:
    """A warm plan composes nothing: every pipeline the prod stack defines (training, batch
    scoring) goes through the cache, so none pays the SageMaker SDK's import on every plan.
    Recorded once per version of the code and of this file (the cache folder is a new one each
    time, so the recording is not the suite's shared one)."""
    from tests.recorded import computed_once

    definitions, cached = computed_once("prod-pipelines-and-cache", _prod_plans_pipelines_and_cache)

    kinds = {json.loads(definition)["Steps"][0]["Type"] for definition in definitions}
    assert len(definitions) >= 2 and "Transform" in kinds  # training and batch scoring at least
    assert sorted(definitions) == cached


# -- what the key covers: the builders' sources, found by following their imports ----------------


def test_the_training_builders_key_covers_every_first_party_module_it_imports() -> None:
    root = definition_cache.PACKAGE_DIR.parent
    closure = definition_cache.source_closure(
        tuple(definition_cache.BUILDER_DIR / name for name in definition_cache.BUILDER_ROOTS), root
    )
    names = {str(path.relative_to(root.resolve())) for path in closure}

    # The instance-store families decide the volume keys (components/instance_types.py re-exports
    # policies/aws_instance_types.py); limits and extras the settings' checks.
    assert {"components/instance_types.py", "policies/aws_instance_types.py"} <= names
    assert {"components/limits.py", "components/extras.py", "components/training/_offline_sdk.py"} <= names
    assert {"components/training/frameworks.py", "components/training/tuning.py"} <= names
    assert "components/training/_evidently_steps.py" in names
    assert "components/training/training_pipeline.py" not in names  # a component, not the builder
    batch = definition_cache.source_closure((BATCH_SOURCE,), root)
    assert definition_cache.BUILDER_DIR / "_offline_sdk.py" in batch
    assert "sagemaker-serve" in definition_cache.SDK_DISTRIBUTIONS  # ModelBuilder registers the model


def _tree(root: Path) -> Path:
    """``root/pkg`` (the builder's package) beside ``root/data`` (another first-party package)."""
    package = root / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("from .unrelated import thing\n")
    (package / "sub" / "__init__.py").write_text("import heavy\n")
    (package / "sub" / "root.py").write_text(
        "import json\nfrom .helper import f\n\ndef build():\n    from ..shared import g\n    from . import sibling\n"
    )
    (package / "sub" / "helper.py").write_text("from ..deep.leaf import h\nfrom ...data import table\n")
    (package / "sub" / "sibling.py").write_text("from data.other import VALUE\n")
    (package / "shared.py").write_text("g = 1\n")
    (package / "deep").mkdir()
    (package / "deep" / "__init__.py").write_text("")
    (package / "deep" / "leaf.py").write_text("h = 1\n")
    (package / "unrelated.py").write_text("thing = 1\n")
    (root / "data").mkdir()
    (root / "data" / "__init__.py").write_text("import pkg\n")
    (root / "data" / "table.py").write_text("ROWS = 1\n")
    (root / "data" / "other.py").write_text("VALUE = 1\n")
    return package


def test_the_closure_follows_first_party_imports_at_any_depth_and_inside_functions(tmp_path: Path) -> None:
    _tree(tmp_path)
    closure = definition_cache.source_closure((tmp_path / "pkg" / "sub" / "root.py",), tmp_path)

    assert {str(path.relative_to(tmp_path.resolve())) for path in closure} == {
        "pkg/sub/root.py",
        "pkg/sub/helper.py",
        "pkg/sub/sibling.py",
        "pkg/shared.py",
        "pkg/deep/leaf.py",
        "data/table.py",  # relatively, from beyond the builder's package
        "data/other.py",  # absolutely
    }


def test_editing_a_module_the_builder_imports_is_a_new_key_and_another_module_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = _tree(tmp_path)
    monkeypatch.setattr(definition_cache, "PACKAGE_DIR", package)
    monkeypatch.setattr(definition_cache, "BUILDER_DIR", package / "sub")
    monkeypatch.setattr(definition_cache, "BUILDER_ROOTS", ("root.py",))

    def fingerprint() -> str:
        definition_cache.builder_fingerprint.cache_clear()
        return definition_cache.builder_fingerprint()

    try:
        before = fingerprint()
        (package / "unrelated.py").write_text("thing = 2\n")
        assert fingerprint() == before
        (package / "deep" / "leaf.py").write_text("h = 2\n")
        after_leaf = fingerprint()
        assert after_leaf != before
        (tmp_path / "data" / "other.py").write_text("VALUE = 2\n")
        assert fingerprint() != after_leaf
    finally:
        definition_cache.builder_fingerprint.cache_clear()


def test_the_closure_digest_is_kept_while_its_files_are_unchanged_and_follows_any_edit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tree(tmp_path / "src")
    monkeypatch.setenv("MLOPS_DEFINITION_CACHE", str(tmp_path / "definitions"))
    roots = (tmp_path / "src" / "pkg" / "sub" / "root.py",)

    first = definition_cache.sources_digest(roots, tmp_path / "src")
    [memo] = (tmp_path / "definitions" / "closures").glob("*.json")
    # A kept digest is what the memo says, without following the imports again.
    data = json.loads(memo.read_text())
    memo.write_text(json.dumps({**data, "digest": "kept"}))
    assert definition_cache.sources_digest(roots, tmp_path / "src") == "kept"

    # An edit to an imported file, or an import added to one, is a new digest.
    (tmp_path / "src" / "pkg" / "shared.py").write_text("g = 2\n")
    edited = definition_cache.sources_digest(roots, tmp_path / "src")
    assert edited not in ("kept", first)
    (tmp_path / "src" / "pkg" / "shared.py").write_text("from .unrelated import thing\n")
    imports = definition_cache.sources_digest(roots, tmp_path / "src")
    assert imports not in (edited, first)
    (tmp_path / "src" / "pkg" / "unrelated.py").write_text("thing = 3\n")  # now in the closure
    with_import = definition_cache.sources_digest(roots, tmp_path / "src")
    assert with_import != imports
    assert definition_cache.sources_digest(roots, tmp_path / "src") == with_import

    memo.write_text("{not json")  # damaged: followed again, same answer
    assert definition_cache.sources_digest(roots, tmp_path / "src") == with_import


def test_any_installed_distribution_or_python_version_is_a_new_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A definition's JSON also follows what the SDK runs with (botocore's partitions in image URIs,
    pydantic's serialisation): an upgrade of any installed package, or another Python, is a new key
    (the SDK's own five versions alone left a ``uv sync`` of a new botocore on old entries)."""

    def fingerprint() -> str:
        definition_cache.builder_fingerprint.cache_clear()
        return definition_cache.builder_fingerprint()

    try:
        before = fingerprint()
        site = tmp_path / "site-packages"
        (site / "botocore-9.9.9.dist-info").mkdir(parents=True)
        real_paths = definition_cache.sysconfig.get_paths
        monkeypatch.setattr(
            definition_cache.sysconfig, "get_paths", lambda: {**real_paths(), "purelib": str(site)}
        )
        upgraded = fingerprint()
        assert upgraded != before
        assert "botocore-9.9.9.dist-info" in definition_cache.installed_distributions()
        (site / "botocore-9.9.9.dist-info").rename(site / "botocore-9.9.10.dist-info")
        assert fingerprint() not in {before, upgraded}
        monkeypatch.undo()
        assert fingerprint() == before
        other_python = types.SimpleNamespace(version_info=(3, 99, 0))
        monkeypatch.setattr(definition_cache, "sys", other_python)
        assert fingerprint() != before
    finally:
        monkeypatch.undo()
        definition_cache.builder_fingerprint.cache_clear()


def _fresh_fingerprint() -> str:
    definition_cache.builder_fingerprint.cache_clear()
    return definition_cache.builder_fingerprint()


def test_a_distribution_in_any_site_folder_the_interpreter_imports_from_is_a_new_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not only the environment's own ``site-packages``: a virtual environment made with
    ``--system-site-packages`` imports the base interpreter's too (botocore preinstalled in a
    notebook image), Debian's Python imports ``/usr/lib/python3/dist-packages`` beside ``purelib``,
    and a Python outside any environment imports the user's site (``pip install --user``). An
    upgrade there is what the SDK runs with as much as one in the environment."""
    system = tmp_path / "system-site"
    (system / "botocore-9.9.9.dist-info").mkdir(parents=True)
    user = tmp_path / "user-site"
    (user / "pydantic-9.9.9.dist-info").mkdir(parents=True)
    monkeypatch.setattr(site, "getusersitepackages", lambda: str(user))
    try:
        monkeypatch.setattr(site, "ENABLE_USER_SITE", False)
        before = _fresh_fingerprint()
        real = site.getsitepackages()
        monkeypatch.setattr(site, "getsitepackages", lambda: [*real, str(system)])
        with_system = _fresh_fingerprint()
        assert with_system != before
        assert "botocore-9.9.9.dist-info" in definition_cache.installed_distributions()
        (system / "botocore-9.9.9.dist-info").rename(system / "botocore-9.9.10.dist-info")
        upgraded = _fresh_fingerprint()
        assert upgraded not in {before, with_system}
        # The user's site counts only where the interpreter imports from it (never in a venv).
        assert "pydantic-9.9.9.dist-info" not in definition_cache.installed_distributions()
        monkeypatch.setattr(site, "ENABLE_USER_SITE", True)
        assert "pydantic-9.9.9.dist-info" in definition_cache.installed_distributions()
        assert _fresh_fingerprint() not in {before, with_system, upgraded}
    finally:
        monkeypatch.undo()
        definition_cache.builder_fingerprint.cache_clear()


def test_every_process_of_the_environment_computes_the_same_key(tmp_path: Path) -> None:
    """A plan (``python -m planner``, whose ``sys.path`` starts with its working directory), its
    composer and a pytest worker (whose ``sys.path`` has the test folders) must compute one key, or
    no process would ever read what another cached: the distributions listed are the interpreter's
    site folders, never what happens to be on ``sys.path``. Here a process started in another
    folder, holding a stray ``.dist-info`` it has on its path, computes this process's key."""
    repo = Path(definition_cache.__file__).resolve().parents[2]
    (tmp_path / "stray-1.0.dist-info").mkdir()
    script = tmp_path / "plan.py"  # its folder starts the child's sys.path, as a plan's does
    script.write_text(
        "from components.training import definition_cache as d\nprint(d.builder_fingerprint())\n"
    )
    environment = {**os.environ, "PYTHONPATH": str(repo), "MLOPS_DEFINITION_CACHE": str(tmp_path / "cache")}
    child = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    assert child.stdout.strip() == _fresh_fingerprint()
