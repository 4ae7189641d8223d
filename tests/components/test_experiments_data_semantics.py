"""What the experiment tracking, DVC remote and feature query workgroup arguments mean.

A mutation audit of components/experiments/experiment_tracking.py (and its spec),
components/data/dvc_remote.py (and its spec) and components/data/feature_query_workgroup.py found
changes every test let through: the tracking server's role reaching the whole artifact bucket, the
artifact store URI without its ``mlflow/`` prefix, the server given something other than its role's
ARN, its size and maintenance window replaced by the defaults, ``AddTags`` missing from the deny on
the platform's model package groups, its registered outputs; the DVC remote's region, registered
outputs and leading-slash check, its spec's 200-character prefix, wildcard accounts, other
partitions, groups, wildcard owners and empty refs; the tracking spec's bounds, pinned only by the
generated reference's text; and the workgroup's enforced configuration, result location,
encryption, owner, name, engine version and outputs. It also found the workgroup refusing
Athena's smallest scan cutoff (10000000 bytes), now taken. Each component is recorded
alone here with values the fixture stacks do not use, so a value copied from a default or another
argument shows.
"""

from __future__ import annotations

from typing import Any

import botocore.session
import pulumi
import pytest
from pydantic import ValidationError

from components.data.dvc_remote import DvcRemote, DvcRemoteArgs
from components.data.dvc_remote_spec import DvcRemoteSpec
from components.data.feature_query_workgroup import FeatureQueryWorkgroup, FeatureQueryWorkgroupArgs
from components.experiments.experiment_tracking import ExperimentTracking, ExperimentTrackingArgs
from components.experiments.experiment_tracking_spec import ExperimentTrackingSpec
from planner.recorder import RecordedResource, ResourceGraph, record_program
from tests.graph_helpers import as_list, only, policy_of, registered_outputs, statements
from tests.recorded import computed_once

ACCOUNT = "222233334444"
REGION = "ap-southeast-2"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/team-key"
TAGS = {"owner": "team-b", "cost-center": "42"}
SERVER = "aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
WORKGROUP = "aws:athena/workgroup:Workgroup"


# --- Experiment tracking --------------------------------------------------------------------------


def _tracking_args(spec: ExperimentTrackingSpec, **changes: Any) -> ExperimentTrackingArgs:
    return ExperimentTrackingArgs(
        **{
            "spec": spec,
            "account_id": ACCOUNT,
            "region": REGION,
            "artifact_bucket_name": "team-artifacts",
            "artifact_bucket_arn": "arn:aws:s3:::team-artifacts",
            "kms_key_arn": KEY_ARN,
            "role_path": "/mlops-platform/sbx/",
            "tags": TAGS,
            "name_prefix": "sbx",
            **changes,
        }
    )


def _tracking(automatic: bool = False, *, recorded_here: bool = False) -> ResourceGraph:
    """The component's graph, recorded once per version of the code and of this file (the one
    switch is the key), or ``recorded_here``: in this process, for a test that watches the run."""

    def program() -> None:
        tracking = ExperimentTracking(
            "tracking",
            _tracking_args(
                ExperimentTrackingSpec(
                    enabled=True,
                    name="team-mlflow",
                    size="Large",
                    weekly_maintenance_window="Thu:22:45",
                    automatic_model_registration=automatic,
                ),
                protected_model_package_groups=("sbx-churn",),
            ),
        )
        pulumi.export("tracking_server_arn", tracking.tracking_server_arn)
        pulumi.export("role_arn", tracking.role_arn)

    if recorded_here:
        return record_program(program)
    return computed_once("tracking", lambda: record_program(program), key=[repr(automatic)])


def test_the_server_has_the_specs_prefixed_name_size_window_and_tags() -> None:
    server = only(_tracking(), SERVER)
    assert server.inputs["trackingServerName"] == "sbx-team-mlflow"
    assert server.inputs["trackingServerSize"] == "Large"
    assert server.inputs["weeklyMaintenanceWindowStart"] == "Thu:22:45"
    assert server.inputs["tags"] == TAGS


def test_the_artifact_store_is_the_mlflow_prefix_and_the_role_reaches_only_that() -> None:
    graph = _tracking()
    assert only(graph, SERVER).inputs["artifactStoreUri"] == "s3://team-artifacts/mlflow/"
    s3 = [s for s in statements(policy_of(only(graph, ROLE_POLICY))) if "s3:" in str(s["Action"])]
    objects = {r for s in s3 for r in as_list(s["Resource"]) if r != "arn:aws:s3:::team-artifacts"}
    assert objects == {"arn:aws:s3:::team-artifacts/mlflow/*"}
    [listing] = [s for s in s3 if "s3:ListBucket" in as_list(s["Action"])]
    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["mlflow/*"]}}


def test_the_server_runs_as_its_role_once_the_roles_permissions_exist() -> None:
    graph = _tracking()
    server = only(graph, SERVER)
    assert server.inputs["roleArn"] == only(graph, ROLE).outputs["arn"]
    assert only(graph, ROLE_POLICY).urn in server.property_dependencies["roleArn"]


def test_the_outputs_are_the_servers_arn_and_its_roles(monkeypatch: pytest.MonkeyPatch) -> None:
    registered = registered_outputs(monkeypatch, ExperimentTracking)
    graph = _tracking(recorded_here=True)
    assert graph.exports == {
        "tracking_server_arn": only(graph, SERVER).outputs["arn"],
        "role_arn": only(graph, ROLE).outputs["arn"],
    }
    assert set(registered["tracking"]) == {"tracking_server_arn", "role_arn"}


def test_every_registry_write_granted_is_denied_on_the_platforms_groups() -> None:
    """AddTags too: tags are what other tooling (and tag-based conditions) read of a version."""
    granted = statements(policy_of(only(_tracking(automatic=True), ROLE_POLICY)))
    [allow] = [s for s in granted if s["Effect"] == "Allow" and "sagemaker:CreateModelPackage" in s["Action"]]
    [deny] = [s for s in granted if s["Effect"] == "Deny"]
    writes = {a for a in allow["Action"] if not a.startswith("sagemaker:Describe")}
    assert set(deny["Action"]) == writes


@pytest.mark.parametrize(
    ("changes", "valid"),
    [
        ({"name": "a" * 256}, True),
        ({"name": "a" * 257}, False),
        ({"name": "a--b"}, True),
        ({"name": "-ab"}, False),
        ({"name": "ab-"}, False),
        ({"name": "a_b"}, False),
        ({"weekly_maintenance_window": "Sat:23:59"}, True),
        ({"weekly_maintenance_window": "Sat:24:00"}, False),
        ({"weekly_maintenance_window": "Sat:12:60"}, False),
        ({"weekly_maintenance_window": "SAT:12:00"}, False),
        ({"size": "Large"}, True),
        ({"size": "XLarge"}, False),
        ({"mlflow_version": "3.0"}, True),
        ({"mlflow_version": "2.16.2"}, True),
        ({"mlflow_version": "12345.12345.1234"}, True),
        ({"mlflow_version": "12345.12345.12345"}, False),
        ({"mlflow_version": "latest"}, False),
        ({"mlflow_version": "v2.16.2"}, False),
    ],
    ids=[
        "name-256",
        "name-257",
        "name-inner-hyphens",
        "name-leading-hyphen",
        "name-trailing-hyphen",
        "name-underscore",
        "window-last-minute",
        "window-hour-24",
        "window-minute-60",
        "window-upper-case-day",
        "size-large",
        "size-xlarge",
        "version-two-parts",
        "version-three-parts",
        "version-16-characters",
        "version-17-characters",
        "version-a-word",
        "version-with-a-v",
    ],
)
def test_the_spec_takes_what_create_mlflow_tracking_server_takes(
    changes: dict[str, Any], valid: bool
) -> None:
    """Bounds from CreateMlflowTrackingServer: TrackingServerName 1-256 of
    ``[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}``, WeeklyMaintenanceWindowStart
    ``(Mon|...|Sun):([01]\\d|2[0-3]):([0-5]\\d)``, TrackingServerSize Small | Medium | Large,
    MlflowVersion at most 16 of ``[0-9]*.[0-9]*.[0-9]*``."""
    if valid:
        ExperimentTrackingSpec.model_validate(changes)
    else:
        with pytest.raises(ValidationError):
            ExperimentTrackingSpec.model_validate(changes)


def test_args_built_directly_refuse_a_prefixed_name_longer_than_aws_takes() -> None:
    _tracking_args(ExperimentTrackingSpec(name="a" * 252))  # sbx-aaa...: 256, TrackingServerName's maximum
    with pytest.raises(ValueError, match=r"^ExperimentTrackingArgs\.spec\.name: 'sbx-a+' has 257 characters"):
        _tracking_args(ExperimentTrackingSpec(name="a" * 253))


def test_the_spec_is_off_small_and_without_registry_writes_by_default() -> None:
    """It bills per hour (off unless asked), Small is the service's default size, and automatic
    registration writes the model registry only when asked."""
    spec = ExperimentTrackingSpec()
    assert (spec.enabled, spec.size, spec.automatic_model_registration) == (False, "Small", False)


# --- DVC remote -----------------------------------------------------------------------------------


def test_the_remote_names_its_region_and_uses_the_key_only_through_s3_there() -> None:
    remotes: list[DvcRemote] = []

    def program() -> None:
        remotes.append(
            DvcRemote(
                "dvc",
                DvcRemoteArgs(
                    account_id=ACCOUNT,
                    region=REGION,
                    bucket_name="team-datasets",
                    bucket_arn="arn:aws:s3:::team-datasets",
                    kms_key_arn=KEY_ARN,
                    prefix="teams/b/dvc",
                    trusted_principals=[f"arn:aws:iam::{ACCOUNT}:role/data-science"],
                    github_subjects=[],
                    role_path="/mlops-platform/sbx/",
                    tags=TAGS,
                ),
            )
        )

    graph = record_program(program)
    assert remotes[0].region == REGION
    [key] = [s for s in statements(policy_of(only(graph, "aws:iam/policy:Policy"))) if "Sid" in s]
    assert key["Condition"]["StringEquals"] == {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}
    assert only(graph, ROLE).inputs["tags"] == only(graph, "aws:iam/policy:Policy").inputs["tags"] == TAGS


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("trusted_principals", ["arn:aws:iam::111111111111:role/*/*"]),
        ("trusted_principals", ["arn:aws:iam::111111111111:user/?*/"]),
        ("github_subjects", ["repo:*/churn-data:ref:refs/heads/main"]),
        ("github_subjects", ["repo:my-org/churn-data:"]),
        ("trusted_principals", ["arn:aws:iam::111111111111:group/data-science"]),
        ("prefix", "Teams/dvc"),
        ("prefix", "d" * 201),
        ("trusted_principals", ["arn:aws:iam::************:role/data-science"]),
        ("trusted_principals", ["arn:aws-cn:iam::111111111111:role/data-science"]),
    ],
    ids=[
        "every-role-with-a-path",
        "every-user-with-a-path",
        "every-owners-repository",
        "any-ref",
        "a-group-cannot-assume",
        "upper-case-prefix",
        "prefix-201",
        "any-account",
        "another-partition",
    ],
)
def test_the_spec_refuses_what_admits_too_much_or_cannot_work(field: str, value: Any) -> None:
    with pytest.raises(ValidationError):
        DvcRemoteSpec.model_validate({"enabled": True, "github_subjects": ["repo:o/n:ref:x"], field: value})


def test_a_200_character_prefix_is_the_longest() -> None:
    assert DvcRemoteSpec(prefix="d" * 200).prefix == "d" * 200


def test_the_remote_registers_its_settings_and_its_args_refuse_a_leading_slash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registered = registered_outputs(monkeypatch, DvcRemote)
    args: dict[str, Any] = dict(
        account_id=ACCOUNT,
        region=REGION,
        bucket_name="team-datasets",
        bucket_arn="arn:aws:s3:::team-datasets",
        kms_key_arn=KEY_ARN,
        trusted_principals=[],
        github_subjects=["repo:o/n:ref:refs/heads/main"],
        role_path="/p/",
        tags={},
    )
    record_program(lambda: DvcRemote("dvc", DvcRemoteArgs(prefix="dvc", **args)))
    assert set(registered["dvc"]) == {"remote_url", "role_arn", "policy_arn", "kms_key_arn"}
    with pytest.raises(ValueError, match="no '/' at either end"):
        DvcRemoteArgs(prefix="/dvc", **args)


# --- Feature query workgroup ----------------------------------------------------------------------


def _workgroup(monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[RecordedResource, ResourceGraph]:
    def program() -> None:
        workgroup = FeatureQueryWorkgroup(
            "queries",
            FeatureQueryWorkgroupArgs(
                workgroup_name="team-b.features",
                account_id=ACCOUNT,
                results_bucket_name="team-results",
                kms_key_arn=KEY_ARN,
                bytes_scanned_cutoff_per_query=3 * 1024**3,
                tags=TAGS,
            ),
        )
        pulumi.export("workgroup_name", workgroup.workgroup_name)
        pulumi.export("workgroup_arn", workgroup.workgroup_arn)

    graph = record_program(program)
    return only(graph, WORKGROUP), graph


def test_every_query_writes_kms_encrypted_results_to_the_workgroups_folder_of_the_owned_bucket() -> None:
    workgroup, _ = _workgroup()
    configuration = workgroup.inputs["configuration"]
    # Enforced: a query cannot name another location or drop the encryption.
    assert configuration["enforceWorkgroupConfiguration"] is True
    assert configuration["resultConfiguration"] == {
        "outputLocation": "s3://team-results/athena-results/team-b.features/",
        "expectedBucketOwner": ACCOUNT,
        "encryptionConfiguration": {"encryptionOption": "SSE_KMS", "kmsKeyArn": KEY_ARN},
    }


def test_the_workgroup_is_named_runs_engine_3_stops_at_the_cutoff_and_is_tagged() -> None:
    workgroup, _ = _workgroup()
    configuration = workgroup.inputs["configuration"]
    assert workgroup.inputs["name"] == "team-b.features"
    # Iceberg offline stores and from_iso8601_timestamp need the Trino-based engine.
    assert configuration["engineVersion"] == {"selectedEngineVersion": "Athena engine version 3"}
    assert configuration["bytesScannedCutoffPerQuery"] == 3 * 1024**3
    assert workgroup.inputs["tags"] == TAGS


def test_the_workgroup_outputs_are_its_name_and_arn(monkeypatch: pytest.MonkeyPatch) -> None:
    registered = registered_outputs(monkeypatch, FeatureQueryWorkgroup)
    workgroup, graph = _workgroup()
    assert graph.exports == {"workgroup_name": "team-b.features", "workgroup_arn": workgroup.outputs["arn"]}
    assert set(registered["queries"]) == {"workgroup_name", "workgroup_arn"}
    assert workgroup.parent == graph.named("queries").urn


def test_the_smallest_scan_cutoff_is_the_one_athenas_api_documents() -> None:
    """WorkGroupConfiguration.BytesScannedCutoffPerQuery: minimum 10000000 (10 MB, decimal)."""
    athena = botocore.session.get_session().get_service_model("athena")
    minimum = athena.shape_for("WorkGroupConfiguration").members["BytesScannedCutoffPerQuery"].metadata["min"]

    def build(cutoff: int) -> FeatureQueryWorkgroupArgs:
        return FeatureQueryWorkgroupArgs(
            workgroup_name="wg",
            account_id=ACCOUNT,
            results_bucket_name="results",
            kms_key_arn=KEY_ARN,
            bytes_scanned_cutoff_per_query=cutoff,
            tags={},
        )

    assert build(minimum).bytes_scanned_cutoff_per_query == minimum
    with pytest.raises(ValueError, match="bytes_scanned_cutoff_per_query"):
        build(minimum - 1)
