"""Lineage in the definition: what RegisterModel records, and the DatasetManifest step beside Preprocess."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from components.training.definition import (
    LINEAGE_KEYS,
    execution_arn_length,
    verify,
)
from components.training.steps import dataset_manifest
from tests.pipelines.churn_fixtures import (
    FAMILY_CODE,
    MANIFEST_SCRIPT,
    PLATFORM_COMMIT,
    lineage_settings,
    make_settings,
    steps_by_name,
)
from tests.pipelines.definitions import built_definition

SUMMARY = {"Get": "Steps.DatasetManifest.PropertyFiles.DatasetManifestSummary"}


def test_registration_records_the_versions_lineage(built) -> None:
    _, definition = built
    properties = steps_by_name(definition)["RegisterModel"]["Arguments"]["CustomerMetadataProperties"]

    assert {key: properties[key] for key in LINEAGE_KEYS if key in properties} == {
        "platform_commit": PLATFORM_COMMIT,
        "family_code_sha256": FAMILY_CODE,
        "pipeline_execution_arn": {"Get": "Execution.PipelineExecutionArn"},
        "training_data_uri": {"Std:JsonGet": {"PropertyFile": SUMMARY, "Path": "input_uri"}},
        "training_data_manifest_sha256": {
            "Std:JsonGet": {"PropertyFile": SUMMARY, "Path": "manifest_sha256"}
        },
    }
    # The service's limits: at most 50 entries, keys of 1-128 characters.
    assert len(properties) <= 50 and all(1 <= len(key) <= 128 for key in properties)


def test_the_manifest_step_reads_what_preprocess_reads_isolated_and_encrypted_like_it(built) -> None:
    settings, definition = built
    steps = steps_by_name(definition)
    manifest, preprocess = steps["DatasetManifest"], steps["Preprocess"]
    inputs = {i["InputName"]: i["S3Input"] for i in manifest["Arguments"]["ProcessingInputs"]}
    preprocess_inputs = {i["InputName"]: i["S3Input"] for i in preprocess["Arguments"]["ProcessingInputs"]}

    assert inputs["raw"] == preprocess_inputs["raw"], "the same InputDataUri, at the same local path"
    assert inputs["code"]["S3Uri"] == MANIFEST_SCRIPT
    assert manifest["Arguments"]["NetworkConfig"] == preprocess["Arguments"]["NetworkConfig"]
    assert manifest["Arguments"]["ProcessingOutputConfig"]["KmsKeyId"] == settings.kms_key_arn
    assert manifest["PropertyFiles"] == [
        {"PropertyFileName": "DatasetManifestSummary", "OutputName": "manifest", "FilePath": "summary.json"}
    ]
    args = dataset_manifest.parse_args(manifest["Arguments"]["AppSpecification"]["ContainerArguments"])
    (output,) = manifest["Arguments"]["ProcessingOutputConfig"]["Outputs"]
    assert str(args.input_dir) == inputs["raw"]["LocalPath"]
    assert str(args.output_dir) == output["S3Output"]["LocalPath"]
    assert output["S3Output"]["S3Uri"]["Std:Join"]["Values"][-3:] == [
        {"Get": "Execution.PipelineExecutionId"},
        "DatasetManifest",
        "manifest",
    ]
    # It runs beside Preprocess: nothing waits on it but registration.
    assert "DependsOn" not in manifest and "DatasetManifest" not in json.dumps(steps["Train"])


def test_without_lineage_settings_the_execution_arn_is_still_recorded() -> None:
    definition = json.loads(built_definition(make_settings(lineage=None)))
    steps = steps_by_name(definition)

    assert "DatasetManifest" not in steps
    assert steps["RegisterModel"]["Arguments"]["CustomerMetadataProperties"] == {
        "pipeline_execution_arn": {"Get": "Execution.PipelineExecutionArn"}
    }


@pytest.mark.parametrize(
    "key", ["platform_commit", "training_data_manifest_sha256", "pipeline_execution_arn"]
)
def test_a_definition_that_lost_a_lineage_key_is_refused(dev_json: str, dev_settings, key: str) -> None:
    definition = copy.deepcopy(json.loads(dev_json))
    del steps_by_name(definition)["RegisterModel"]["Arguments"]["CustomerMetadataProperties"][key]

    with pytest.raises(RuntimeError, match=f"(?s)lost the model version's lineage.*'{key}'"):
        verify(
            definition,
            dev_settings,
            processing_volume_kms=True,
            training_volume_kms=True,
            baseline_volume_kms=True,
        )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"lineage": lineage_settings(platform_commit="main")}, "lineage.platform_commit 'main'"),
        ({"lineage": lineage_settings(family_code_sha256="ABC")}, "lineage.family_code_sha256 'ABC'"),
        ({"lineage": lineage_settings(manifest_script_uri="manifest.py")}, "lineage.manifest_script_uri"),
        ({"pipeline_name": "p" * 160}, "too long for lineage: its execution ARNs reach"),
    ],
    ids=["commit-is-a-branch", "hash-not-sha256", "script-not-s3", "pipeline-name-too-long"],
)
def test_lineage_settings_that_registration_would_refuse_are_rejected(overrides, message) -> None:
    with pytest.raises(ValueError, match=message):
        make_settings(**overrides)


def test_the_longest_accepted_pipeline_name_leaves_an_execution_arn_within_256_characters() -> None:
    name = "p" * 150
    assert execution_arn_length(name, "eu-west-1", "123456789012") <= 256
    make_settings(pipeline_name=name)


# --- the manifest script ----------------------------------------------------------------------


def _job_config(path: Path, uri: str) -> Path:
    path.write_text(json.dumps({"ProcessingInputs": [{"InputName": "raw", "S3Input": {"S3Uri": uri}}]}))
    return path


def test_the_manifest_lists_every_file_with_its_hash_and_the_summary_hashes_the_manifest(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    (data / "2026" / "11").mkdir(parents=True)
    (data / "extract.csv").write_text("customer_id,churned\n1,0\n")
    (data / "2026" / "11" / "part-0.csv").write_text("customer_id,churned\n2,1\n")
    config = _job_config(tmp_path / "job.json", "s3://data/training-data/customer-churn/")

    summary = dataset_manifest.write_manifest(data, tmp_path / "out", config)

    manifest = (tmp_path / "out" / "manifest.json").read_bytes()
    document = json.loads(manifest)
    assert [entry["key"] for entry in document["objects"]] == ["2026/11/part-0.csv", "extract.csv"]
    assert document["objects"][1] == {
        "key": "extract.csv",
        "size": 24,
        "sha256": dataset_manifest.file_sha256(data / "extract.csv"),
    }
    assert json.loads((tmp_path / "out" / "summary.json").read_text()) == summary
    assert summary == {
        "manifest_sha256": dataset_manifest.hashlib.sha256(manifest).hexdigest(),
        "objects": 2,
        "bytes": 48,
        "input_uri": "s3://data/training-data/customer-churn/",
    }


def test_the_manifest_hash_depends_on_the_data_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.csv").write_text("x\n1\n")
    first = dataset_manifest.write_manifest(
        data, tmp_path / "1", _job_config(tmp_path / "1.json", "s3://a/p/")
    )
    second = dataset_manifest.write_manifest(
        data, tmp_path / "2", _job_config(tmp_path / "2.json", "s3://b/q/")
    )
    (data / "a.csv").write_text("x\n2\n")
    changed = dataset_manifest.write_manifest(data, tmp_path / "3", tmp_path / "missing.json")

    assert first["manifest_sha256"] == second["manifest_sha256"] != changed["manifest_sha256"]
    assert changed["input_uri"] == "unknown", "no job configuration: no URI, and no guess"


def test_no_data_is_an_error_not_an_empty_fingerprint(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    with pytest.raises(SystemExit, match="no training data"):
        dataset_manifest.write_manifest(tmp_path / "data", tmp_path / "out", tmp_path / "job.json")


def _metadata_value_ok(value: str) -> bool:
    """CreateModelPackage's value pattern ``[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*``, 1-256 characters."""
    return 1 <= len(value) <= 256 and all(c.isalnum() or c in "_.:/=+-@ " for c in value)


@pytest.mark.parametrize(
    ("uri", "recorded"),
    [
        ("s3://data/training-data/customer-churn/", "s3://data/training-data/customer-churn/"),
        ("s3://data/extracts/2026-11 (final)/", "s3://data/extracts/2026-11 _final_/"),
        ("s3://data/" + "k" * 300, "s3://data/" + "k" * 243 + "..."),
        ("", "unknown"),
    ],
    ids=["plain", "parentheses", "longer-than-256", "empty"],
)
def test_the_recorded_uri_is_a_valid_metadata_value(uri: str, recorded: str) -> None:
    assert dataset_manifest.metadata_value(uri) == recorded
    assert _metadata_value_ok(recorded)


def test_the_definition_cache_is_keyed_by_the_lineage() -> None:
    """A new commit or changed family code is a new definition, never a stale cache hit."""
    from components.training.definition_cache import cache_key

    base = cache_key(make_settings())
    assert cache_key(make_settings()) == base
    assert cache_key(make_settings(lineage=lineage_settings(platform_commit="89abcdef"))) != base
    assert cache_key(make_settings(lineage=lineage_settings(family_code_sha256="0" * 64))) != base
    assert cache_key(make_settings(lineage=None)) != base
