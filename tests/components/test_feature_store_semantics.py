"""What the feature store's arguments mean, beyond the fixture stacks' one shape of feature group.

A mutation audit of ``components/data/feature_store.py``, its spec and the stack composition that
builds it (71 changes, one at a time) found these let through by every feature store test: the
component's own check that group names are unique, its ARN output (the names served instead), the
roles' trust limited to the account, the offline table format, the derived description's
128-character cap, the ``mlops:feature-group`` tag, either of the roles' key statements dropped, the
Glue table prefix of a group name with capitals, the spec's limits (reserved names in any case, all
three of them, a TTL of at least 1, 2,500 features, a 128-character description), the stack's
``feature_group_names`` export and an empty store built for a stack without feature groups. It also
found the spec accepting ``glue_catalog: disabled`` with the default Iceberg table format, which
CreateFeatureGroup rejects: the spec now says so. These tests pin each on one recording of two
stores whose groups differ where the fixtures' do not (tests/components/test_feature_store.py and
test_registry_data_semantics.py cover the fixture stacks' groups).
"""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from pydantic import ValidationError

from components.data.feature_store import FeatureStore, FeatureStoreArgs
from components.data.feature_store_spec import FeatureGroupSpec
from components.policy_documents import KMS_USE_ACTIONS
from planner.recorder import RecordedResource, ResourceGraph, record_program
from stacks.composition.data import build_feature_store
from stacks.config import CONFIG_KEY, ConfigError, parse_platform_config
from tests.conftest import load_stack_document
from tests.graph_helpers import policy_of, statements
from tests.recorded import computed_once

GROUP = "aws:sagemaker/featureGroup:FeatureGroup"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ACCOUNT = "123456789012"
REGION = "eu-central-1"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/feature-store"
BUCKET_ARN = "arn:aws:s3:::team-data"
TAGS = {"owner": "team-a"}
LONG_NAME = "x" * 60
LONG_ID = "r" * 64


def _spec(name: str, record_identifier: str = "session_id", **changes: Any) -> FeatureGroupSpec:
    return FeatureGroupSpec.model_validate(
        {
            "name": name,
            "record_identifier": record_identifier,
            "event_time": "ts",
            "features": [{"name": record_identifier, "type": "String"}, {"name": "ts", "type": "Fractional"}],
            **changes,
        }
    )


# Both stores, online store with a TTL in hours, offline Glue-format table: the fixtures' group has
# Days and Iceberg. A capital and a '-' in the name: the Glue table prefix lower-cases both.
SESSIONS = _spec("Sessions-V2", online_ttl={"value": 12, "unit": "Hours"}, table_format="Glue")
CLICKS = _spec("clicks", offline=False)
ORDERS = _spec("orders", online=False, glue_catalog="disabled", table_format="Glue")
# The derived description "<name>: one record per <record identifier>" is 141 characters here.
WIDE = _spec(LONG_NAME, record_identifier=LONG_ID)


def _args(groups: list[FeatureGroupSpec], **changes: Any) -> FeatureStoreArgs:
    return FeatureStoreArgs(
        **{
            "groups": groups,
            "account_id": ACCOUNT,
            "region": REGION,
            "data_bucket_name": "team-data",
            "data_bucket_arn": BUCKET_ARN,
            "kms_key_arn": KEY_ARN,
            "role_path": "/mlops-platform/test/",
            "tags": TAGS,
            **changes,
        }
    )


def _program() -> None:
    team = FeatureStore("fs", _args([SESSIONS, CLICKS, ORDERS], name_prefix="team-a"))
    # No prefix: the long name is the group's own.
    other = FeatureStore("other", _args([WIDE]))
    pulumi.export("fs_names", team.feature_group_names)
    pulumi.export("fs_arns", team.feature_group_arns)
    pulumi.export("other_names", other.feature_group_names)


@pytest.fixture(scope="module")
def graph() -> ResourceGraph:
    """Recorded once per version of the code (tests.recorded.computed_once): the program is this
    module's constants."""
    return computed_once("graph", lambda: record_program(_program))


def _group(graph: ResourceGraph, name: str) -> RecordedResource:
    [group] = [g for g in graph.of_type(GROUP) if g.inputs["featureGroupName"] == name]
    return group


def _role_and_policy(graph: ResourceGraph, group: RecordedResource) -> tuple[RecordedResource, Any]:
    referenced = {r.type: r for r in graph.referenced(group, "roleArn")}
    return referenced[ROLE], statements(policy_of(referenced[ROLE_POLICY]))


def test_the_store_rejects_two_groups_of_one_name() -> None:
    """The stack's config model checks this too; the component is also built from other programs
    (components.component_package), and two groups of one name would share a role and a prefix."""
    with pytest.raises(ValueError, match=r"FeatureStoreArgs.groups: feature group names must be unique"):
        record_program(lambda: FeatureStore("fs", _args([CLICKS, CLICKS])))


def test_the_outputs_are_the_groups_names_and_arns_in_spec_order(graph: ResourceGraph) -> None:
    names = ["team-a-Sessions-V2", "team-a-clicks", "team-a-orders"]
    assert graph.exports["fs_names"] == names
    arns = [_group(graph, name).outputs["arn"] for name in names]
    assert graph.exports["fs_arns"] == arns
    assert all(arn.startswith("arn:aws:sagemaker:") for arn in arns)
    assert graph.exports["other_names"] == [LONG_NAME]


def test_stores_follow_each_groups_spec(graph: ResourceGraph) -> None:
    sessions = _group(graph, "team-a-Sessions-V2")
    assert sessions.inputs["onlineStoreConfig"] == {
        "enableOnlineStore": True,
        "storageType": "Standard",
        "securityConfig": {"kmsKeyId": KEY_ARN},
        "ttlDuration": {"value": 12, "unit": "Hours"},
    }
    assert sessions.inputs["offlineStoreConfig"] == {
        "s3StorageConfig": {"s3Uri": "s3://team-data/feature-store/Sessions-V2/", "kmsKeyId": KEY_ARN},
        "disableGlueTableCreation": False,
        "tableFormat": "Glue",
    }
    orders = _group(graph, "team-a-orders")
    assert "onlineStoreConfig" not in orders.inputs
    assert orders.inputs["offlineStoreConfig"]["disableGlueTableCreation"] is True
    assert orders.inputs["offlineStoreConfig"]["tableFormat"] == "Glue"
    assert "offlineStoreConfig" not in _group(graph, "team-a-clicks").inputs


def test_the_derived_description_ends_at_sagemakers_128_characters(graph: ResourceGraph) -> None:
    wide = _group(graph, LONG_NAME)
    assert wide.inputs["description"] == f"{LONG_NAME}: one record per {LONG_ID}"[:128]
    assert len(f"{LONG_NAME}: one record per {LONG_ID}") > 128


def test_each_group_is_tagged_with_its_spec_name(graph: ResourceGraph) -> None:
    """``mlops:feature-group`` is the spec's name (what the stack file says), not the prefixed one."""
    for physical, spec in (("team-a-Sessions-V2", "Sessions-V2"), ("team-a-orders", "orders")):
        group = _group(graph, physical)
        assert group.inputs["tags"] == {**TAGS, "mlops:feature-group": spec}
        role, _ = _role_and_policy(graph, group)
        assert role.inputs["tags"] == TAGS


def test_a_groups_role_is_sagemakers_for_this_account_only(graph: ResourceGraph) -> None:
    role, _ = _role_and_policy(graph, _group(graph, "team-a-clicks"))
    assert statements(policy_of(role, "assumeRolePolicy")) == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "sagemaker.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        }
    ]
    assert role.inputs["path"] == "/mlops-platform/test/"


KEY_STATEMENTS = [
    {"Effect": "Allow", "Action": KMS_USE_ACTIONS, "Resource": [KEY_ARN]},
    {
        "Effect": "Allow",
        "Action": "kms:CreateGrant",
        "Resource": [KEY_ARN],
        "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
    },
]


def _offline(spec_name: str) -> list[dict[str, Any]]:
    return [
        {
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:PutObjectAcl", "s3:GetObject"],
            "Resource": f"{BUCKET_ARN}/feature-store/{spec_name}/*",
        },
        {"Effect": "Allow", "Action": "s3:GetBucketAcl", "Resource": BUCKET_ARN},
    ]


GLUE = f"arn:aws:glue:{REGION}:{ACCOUNT}"


@pytest.mark.parametrize(
    ("group_name", "expected"),
    [
        pytest.param(
            "team-a-Sessions-V2",
            [
                *KEY_STATEMENTS,
                *_offline("Sessions-V2"),
                {
                    "Effect": "Allow",
                    "Action": ["glue:GetTable", "glue:UpdateTable"],
                    "Resource": [
                        f"{GLUE}:catalog",
                        f"{GLUE}:database/sagemaker_featurestore",
                        # Feature Store lower-cases the table name and replaces '-' with '_'.
                        f"{GLUE}:table/sagemaker_featurestore/team_a_sessions_v2_*",
                    ],
                },
            ],
            id="both-stores-managed-catalog",
        ),
        pytest.param("team-a-clicks", KEY_STATEMENTS, id="online-only-key-alone"),
        pytest.param("team-a-orders", [*KEY_STATEMENTS, *_offline("orders")], id="catalog-disabled-no-glue"),
    ],
)
def test_a_groups_role_has_exactly_its_key_prefix_and_table(
    graph: ResourceGraph, group_name: str, expected: list[dict[str, Any]]
) -> None:
    _, granted = _role_and_policy(graph, _group(graph, group_name))
    assert granted == expected


# --- The spec's limits ----------------------------------------------------------------------------


def _features(count: int) -> list[dict[str, str]]:
    return [{"name": "id", "type": "String"}, {"name": "ts", "type": "Fractional"}] + [
        {"name": f"f{i}", "type": "Integral"} for i in range(count - 2)
    ]


SPEC_CASES: list[tuple[str, dict[str, Any], str | None]] = [
    ("reserved-name-in-capitals", {"features": [*_features(2), {"name": "Write_Time", "type": "String"}]}, "reserved by the offline store"),
    ("reserved-api-invocation-time", {"features": [*_features(2), {"name": "api_invocation_time", "type": "String"}]}, "reserved by the offline store"),
    ("ttl-of-zero", {"online_ttl": {"value": 0, "unit": "Days"}}, "greater than or equal to 1"),
    ("ttl-of-one", {"online_ttl": {"value": 1, "unit": "Seconds"}}, None),
    ("2500-features", {"features": _features(2500)}, None),
    ("2501-features", {"features": _features(2501)}, "at most 2500 items"),
    ("128-character-description", {"description": "d" * 128}, None),
    ("129-character-description", {"description": "d" * 129}, "at most 128 characters"),
    # CreateFeatureGroup supports Iceberg only with DisableGlueTableCreation false.
    ("iceberg-without-glue-table", {"glue_catalog": "disabled"}, "table_format Iceberg needs glue_catalog: managed"),
    ("glue-format-without-glue-table", {"glue_catalog": "disabled", "table_format": "Glue"}, None),
    ("no-offline-store-no-table", {"glue_catalog": "disabled", "offline": False}, None),
]  # fmt: skip


@pytest.mark.parametrize(("case", "changes", "problem"), SPEC_CASES, ids=[c[0] for c in SPEC_CASES])
def test_the_spec_holds_sagemakers_limits(case: str, changes: dict[str, Any], problem: str | None) -> None:
    raw = {
        "name": "group",
        "record_identifier": "id",
        "event_time": "ts",
        "features": _features(2),
        **changes,
    }
    if problem is None:
        FeatureGroupSpec.model_validate(raw)
    else:
        with pytest.raises(ValidationError, match=problem):
            FeatureGroupSpec.model_validate(raw)


def test_a_stack_file_with_an_iceberg_store_and_no_glue_table_names_the_key() -> None:
    """Refused when the stack file is read, at the key to change, not by SageMaker at `pulumi up`."""
    raw = load_stack_document("dev")["config"][CONFIG_KEY]
    raw["feature_groups"][0]["glue_catalog"] = "disabled"
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(raw, "stacks/Pulumi.dev.yaml")
    assert (
        f"{CONFIG_KEY}.feature_groups[0].table_format: table_format Iceberg needs glue_catalog: managed"
        in str(raised.value)
    )


# --- The stack composition ------------------------------------------------------------------------


def test_the_stack_exports_its_feature_group_names_in_spec_order(stack_graphs) -> None:
    """`pulumi stack output feature_group_names`: what the feature pipelines write to."""
    assert stack_graphs["prod"].exports["feature_group_names"] == [
        "prod-customer-churn",
        "prod-customer-churn-labelled",
    ]
    assert stack_graphs["dev"].exports["feature_group_names"] == ["dev-customer-churn"]


def test_a_stack_without_feature_groups_builds_no_store() -> None:
    """No empty FeatureStore component and no ``feature_group_names: []`` export: the composition
    returns before it reads the foundation (None here)."""
    raw = load_stack_document("dev")["config"][CONFIG_KEY]
    raw["feature_groups"] = []
    assert build_feature_store(parse_platform_config(raw, "stacks/Pulumi.dev.yaml"), None, None) is None  # type: ignore[arg-type]
