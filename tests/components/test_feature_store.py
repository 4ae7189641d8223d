"""Feature store: both stores encrypted with the platform key, offline store under the data bucket."""

from __future__ import annotations

from typing import Any

import pytest

from components.data.feature_store import FeatureGroupSpec, FeatureStore, FeatureStoreArgs
from planner.recorder import ResourceGraph, record_program
from stacks.config import ConfigError, parse_platform_config
from tests.conftest import load_stack_document
from tests.graph_helpers import as_list, policy_of, statements
from tests.recorded import computed_once

GROUP = "aws:sagemaker/featureGroup:FeatureGroup"


def _churn(graph: ResourceGraph) -> Any:
    """The fixtures' customer-churn group (prod also has customer-churn-labelled, offline only, which
    the churn pipeline trains from: tests/stacks/test_feature_training.py)."""
    [group] = [
        g for g in graph.of_type(GROUP) if g.inputs["featureGroupName"] == f"{graph.stack}-customer-churn"
    ]
    return group


def test_every_feature_group_encrypts_both_stores_with_the_platform_key(stack_graph: ResourceGraph) -> None:
    key_arn = stack_graph.named("kms-data-key").outputs["arn"]
    bucket = stack_graph.named("datasets-bucket").outputs["bucket"]
    groups = stack_graph.of_type(GROUP)
    specs = ["customer-churn", *(["customer-churn-labelled"] if stack_graph.stack == "prod" else [])]
    # Account-wide name: the stack's prefix keeps it apart from another stack's group of that name.
    assert [group.inputs["featureGroupName"] for group in groups] == [
        f"{stack_graph.stack}-{s}" for s in specs
    ]
    for group, spec in zip(groups, specs, strict=True):
        online = group.inputs.get("onlineStoreConfig")
        if spec == "customer-churn":
            assert online["enableOnlineStore"] is True
            assert online["securityConfig"] == {"kmsKeyId": key_arn}
        else:
            assert online is None, "online: false"
        offline = group.inputs["offlineStoreConfig"]
        assert offline["s3StorageConfig"] == {
            "s3Uri": f"s3://{bucket}/feature-store/{spec}/",
            "kmsKeyId": key_arn,
        }
        assert offline["tableFormat"] == "Iceberg"
        assert offline["disableGlueTableCreation"] is False


@pytest.mark.parametrize(("stack", "days"), [("dev", 7), ("staging", 30), ("prod", 30)])
def test_online_ttl_comes_from_the_spec(stack_graphs, stack: str, days: int) -> None:
    group = _churn(stack_graphs[stack])
    assert group.inputs["onlineStoreConfig"]["ttlDuration"] == {"value": days, "unit": "Days"}


def test_feature_definitions_and_keys_follow_the_spec(stack_graph: ResourceGraph) -> None:
    group = _churn(stack_graph)
    spec = load_stack_document(stack_graph.stack)["config"]["mlops-platform:platform"]["feature_groups"][0]
    assert group.inputs["recordIdentifierFeatureName"] == spec["record_identifier"]
    assert group.inputs["eventTimeFeatureName"] == spec["event_time"]
    assert group.inputs["featureDefinitions"] == [
        {"featureName": f["name"], "featureType": f["type"]} for f in spec["features"]
    ]


def test_group_role_touches_only_its_prefix_key_and_table(stack_graph: ResourceGraph) -> None:
    group = _churn(stack_graph)
    # role_arn resolves only after the role's permissions exist, so the group depends on both.
    role_and_policy = {r.type: r for r in stack_graph.referenced(group, "roleArn")}
    assert set(role_and_policy) == {"aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy"}
    policy = role_and_policy["aws:iam/rolePolicy:RolePolicy"]
    bucket_arn = stack_graph.named("datasets-bucket").outputs["arn"]
    key_arn = stack_graph.named("kms-data-key").outputs["arn"]
    resources = {r for s in statements(policy_of(policy)) for r in as_list(s["Resource"])}
    s3 = {r for r in resources if r.startswith("arn:aws:s3")}
    glue = {r.split(":", 5)[-1] for r in resources if r.startswith("arn:aws:glue")}
    assert s3 == {bucket_arn, f"{bucket_arn}/feature-store/customer-churn/*"}
    assert glue == {
        "catalog",
        "database/sagemaker_featurestore",
        f"table/sagemaker_featurestore/{stack_graph.stack}_customer_churn_*",
    }
    assert {r for r in resources if r.startswith("arn:aws:kms")} == {key_arn}


def test_protection_of_feature_groups_follows_the_environment(stack_graphs) -> None:
    assert [g.protect for g in stack_graphs["dev"].of_type(GROUP)] == [False]
    assert [g.protect for g in stack_graphs["prod"].of_type(GROUP)] == [True, True]


def _spec(**changes: Any) -> FeatureGroupSpec:
    base: dict[str, Any] = {
        "name": "sessions",
        "record_identifier": "session_id",
        "event_time": "ts",
        "features": [{"name": "session_id", "type": "Integral"}, {"name": "ts", "type": "String"}],
    }
    return FeatureGroupSpec.model_validate({**base, **changes})


def _record(spec: FeatureGroupSpec) -> ResourceGraph:
    """Recorded once per version of the code and of this file: the spec as built is the key."""
    return computed_once("feature-store", lambda: _feature_store_graph(spec), key=[repr(spec)])


def _feature_store_graph(spec: FeatureGroupSpec) -> ResourceGraph:
    return record_program(
        lambda: FeatureStore(
            "fs",
            FeatureStoreArgs(
                groups=[spec],
                account_id="123456789012",
                region="us-east-1",
                data_bucket_name="data",
                data_bucket_arn="arn:aws:s3:::data",
                kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/k",
                role_path="/mlops-platform/test/",
                tags={"owner": "t"},
            ),
        )
    )


def test_an_online_only_group_has_no_offline_store_and_no_s3_access() -> None:
    graph = _record(_spec(offline=False))
    [group] = graph.of_type(GROUP)
    assert "offlineStoreConfig" not in group.inputs
    assert "ttlDuration" not in group.inputs["onlineStoreConfig"]
    [policy] = graph.of_type("aws:iam/rolePolicy:RolePolicy")
    assert not [
        s for s in statements(policy_of(policy)) if "s3" in str(s["Action"]) or "glue" in str(s["Action"])
    ]


def test_a_group_without_managed_catalog_gets_no_glue_access() -> None:
    graph = _record(_spec(online=False, glue_catalog="disabled", table_format="Glue"))
    [group] = graph.of_type(GROUP)
    assert "onlineStoreConfig" not in group.inputs
    assert group.inputs["offlineStoreConfig"]["disableGlueTableCreation"] is True
    [policy] = graph.of_type("aws:iam/rolePolicy:RolePolicy")
    assert not [s for s in statements(policy_of(policy)) if "glue" in str(s["Action"])]


def _group(**changes: Any) -> dict[str, Any]:
    base = load_stack_document("dev")["config"]["mlops-platform:platform"]["feature_groups"][0]
    return {**base, **changes}


FEATURES = _group()["features"]
MALFORMED_GROUPS: list[tuple[str, Any, str, str]] = [
    ("record-id-not-declared", [_group(record_identifier="account_id")], "feature_groups[0].record_identifier", "record_identifier 'account_id' is not a declared feature"),
    ("event-time-not-declared", [_group(event_time="ts")], "feature_groups[0].event_time", "event_time 'ts' is not a declared feature"),
    ("event-time-integral", [_group(event_time="tenure_months")], "feature_groups[0].event_time", "must be String or Fractional, not Integral"),
    ("record-id-fractional", [_group(record_identifier="monthly_charges")], "feature_groups[0].record_identifier", "must be Integral or String, not Fractional"),
    ("duplicate-feature", [_group(features=[*FEATURES, {"name": "tenure_months", "type": "Integral"}])], "feature_groups[0].features", "duplicate feature names: tenure_months"),
    ("group-name-charset", [_group(name="customer churn!")], "feature_groups[0].name", "not a valid feature group name"),
    ("group-name-too-long", [_group(name="x" * 65)], "feature_groups[0].name", "not a valid feature group name"),
    ("feature-name-charset", [_group(features=[*FEATURES, {"name": "bad--name$", "type": "String"}])], "feature_groups[0].features[7].name", "not a valid feature name"),
    ("reserved-feature-name", [_group(features=[*FEATURES, {"name": "write_time", "type": "String"}])], "feature_groups[0].features[7].name", "reserved by the offline store"),
    ("unknown-feature-type", [_group(features=[*FEATURES, {"name": "score", "type": "Float"}])], "feature_groups[0].features[7].type", "'Integral', 'Fractional' or 'String'"),
    ("no-store-at-all", [_group(online=False, offline=False)], "feature_groups[0]", "needs an online store, an offline store, or both"),
    ("ttl-without-online-store", [_group(online=False)], "feature_groups[0].online_ttl", "online_ttl needs the online store"),
    ("ttl-unit-unknown", [_group(online_ttl={"value": 3, "unit": "Months"})], "feature_groups[0].online_ttl.unit", "'Seconds', 'Minutes', 'Hours', 'Days' or 'Weeks'"),
    ("unknown-spec-key", [_group(ttl=3)], "feature_groups[0].ttl", "allowed keys here: description, event_time, features"),
    ("duplicate-group-names", [_group(), _group()], "feature_groups", "duplicate name(s) customer-churn"),
    ("single-feature", [_group(features=[FEATURES[0]], event_time="customer_id")], "feature_groups[0].features", "at least 2 items"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "groups", "key", "fragment"), MALFORMED_GROUPS, ids=[c[0] for c in MALFORMED_GROUPS]
)
def test_malformed_feature_group_spec_is_rejected(case, groups, key, fragment) -> None:
    raw = {**load_stack_document("dev")["config"]["mlops-platform:platform"], "feature_groups": groups}
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(raw, "stacks/Pulumi.dev.yaml")
    lines = [line for line in str(raised.value).splitlines() if f"mlops-platform:platform.{key}: " in line]
    assert lines, str(raised.value)
    assert fragment in lines[0]
    assert lines[0].strip().startswith("stacks/Pulumi.dev.yaml: ")


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        pytest.param("Customer activity", "Customer activity", id="configured-description-is-kept"),
        pytest.param("", "SPEC_NAME: one record per RECORD_ID", id="empty-description-gets-a-derived-one"),
    ],
)
def test_every_feature_group_has_a_description(description: str, expected: str) -> None:
    spec = _spec(description=description)
    [group] = _record(spec).of_type(GROUP)
    assert group.inputs["description"] == expected.replace("SPEC_NAME", spec.name).replace(
        "RECORD_ID", spec.record_identifier
    )
    assert 0 < len(group.inputs["description"]) <= 128


def test_a_feature_groups_description_is_set_once_never_replacing_it() -> None:
    """SageMaker cannot update a feature group's description (UpdateFeatureGroup has no such
    field; the provider replaces the group for it): the derived description reaches new groups
    only, and neither it nor a later edit replaces a deployed group and its online store."""
    [group] = _record(_spec(description="")).of_type(GROUP)
    assert "description" in group.ignore_changes
