"""A hand-mutation audit of the component argument checks (components/limits.py and each args class).

The checks added for teams reusing the components in their own programs: IAM paths (a role's and a
managed policy's), region codes and the other partitions' regions, KMS aliases, role descriptions,
the tags a component adds (``own_tags``/``tags_problem``, a trail's ``trail_tags_problem``), account
ids, specs passed as dicts, ``MonitoringBaselines``' folder and keys, and IAM's escapes of ``*``,
``?`` and ``$`` in ARNs written from S3 URLs and paths (``literal_arn_text``). One-step mutations,
applied one at a time against the tests that cover them (tests/components/
test_consumer_walkthrough_fixes.py, test_consumer_walkthrough_review.py, test_limits.py): 87 by
hand, and 115 deletions of one ``satisfies(self, "<field>", ...)`` line of an args class (``D``),
each audited field of each class in turn:

========================================  =========  ========  ==========  ==========  ==========
module (components/)                      mutations  survived  caught now  equivalent  left alone
========================================  =========  ========  ==========  ==========  ==========
limits.py                                        37         8           7           1           0
foundation/encryption_key.py                     14         3           3           0           0
observability/model_monitoring.py                14         4           4           0           0
foundation/execution_role.py                     10         4           4           0           0
policy_documents.py (the IAM escapes)             9         0           0           0           0
kubernetes/model_artifact_access.py               9         2           2           0           0
foundation/audit_trail.py                         8         1           1           0           0
serving/inference_endpoint.py                     7         1           1           0           0
serving/shared_endpoint.py                        7         3           3           0           0
serving/batch_scoring.py                          6         2           2           0           0
training/training_pipeline.py                     6         3           3           0           0
data/feature_store.py                             6         1           1           0           0
foundation/private_network.py                     5         1           1           0           0
observability/live_drift.py                       5         1           1           0           0
registry/model_registry.py                        5         2           2           0           0
20 other args classes (``D`` only)               54         0           0           0           0
total                                           202        36          35           1           0
========================================  =========  ========  ==========  ==========  ==========

Every escape mutation (``$``, ``?`` or ``*`` left out of ``_IAM_SPECIAL``, an unescaped model URL,
baselines folder, key-policy role path or artifact bucket/key) was caught by the review file's
tests of keys spelt with wildcards. Caught now (each test below fails under its mutation and passes
on the code as it is; each was applied again to check):

- ``test_each_args_class_refuses_a_bad_value_naming_its_field`` and
  ``test_the_table_lists_every_check``: a deleted ``satisfies`` call of AuditTrailArgs.user_role_path
  (the trail's key policy would trust ``role/my team/*``), ModelMonitoringArgs.spec and .placement,
  ModelRegistryArgs.families, BatchScoringArgs and SharedEndpointArgs.image_registry_accounts,
  SharedEndpointArgs.spec, TrainingPipelineArgs.spec and .promotion. ``CHECKS`` lists each args
  class's audited calls; the first test builds each class valid (as the dev and prod programs build
  them, the rest by hand) and replaces one field with a value AWS refuses, expecting
  ``^<ArgsClass>.<field>:``; the second holds the table to the source, so a new check needs a row.
- ``test_each_args_class_counts_the_tag_its_component_adds``: ``own=1`` dropped from the seven
  classes whose resources get a tag of the component's (O01-O07), and PrivateNetworkArgs' Name tag
  not counted (N01): 50 of a caller's tags would make 51 on a resource.
- limits.py: a trail's empty tag value taken (L07, L08); ``eu-west-1x`` taken as a region
  (``match`` for ``fullmatch``, L21); ``cn-north-12`` not in aws-cn (L37); Arabic-Indic digits taken
  as an account id (L31); one account id or one string given for a list named by its first
  character (L32, L35).
- encryption_key.py: ``alias/awsome-data`` refused as AWS's own (E05); ``.`` taken in an alias (E06);
  the alias refusal not naming ``EncryptionKeyArgs.alias_prefix, purpose`` (E09).
- execution_role.py: Latin-1 letters (X03) or tab and newlines (X05) refused in a role description,
  C1 controls taken (X04), a description that is no string a TypeError (X06).
- model_monitoring.py: a baselines folder ``/baselines/...`` (MB2) or a baseline key equal to the
  folder (MB4) taken.
- model_artifact_access.py: the artifact URL checked only in the component, after it registered
  (MA4), and a folder URL (``.../``) taken as the one object (MA5).

Bug found and fixed (CHANGELOG): PrivateNetworkArgs counted its Name tag with ``"Name" in tags``
before ``tags`` was checked, so ``tags=None`` raised a TypeError naming no field; it now uses
``own_tags`` (``test_a_private_network_without_tags_names_its_tags_field``).

Equivalent: L17, the managed policy path's trailing ``/`` made optional: DvcRemoteArgs, its only
caller, checks the same value with ``iam_path_problem`` first, which refuses ``/team``.

Left alone: KubernetesMonitoringArgs' region (checked only when set) has its row in ``CHECKS`` but
no valid instance here (no program here builds one), so its behavioural row is skipped; test_limits.py's
``test_every_args_with_the_field_checks_it`` killed its deletion (D043).
The late ``MonitoringBaselines.uri`` refusal of baselines in another bucket runs when the artifact
bucket's name resolves (it may be an output), so it cannot move into the args.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import os
import re
from pathlib import Path
from typing import Any

import pytest

from components.foundation import AuditTrailArgs, EncryptionKeyArgs, SecureBucketArgs
from components.kubernetes.alertmanager_sns_access import AlertmanagerSnsAccessArgs
from components.kubernetes.model_artifact_access import ModelArtifactAccessArgs
from components.limits import account_id_problem, region_problem
from components.observability import MonitoringBaselines
from components.serving import EndpointSpec
from components.serving.shadow_test import ShadowTestArgs
from components.serving.shared_endpoint import SharedEndpointArgs
from components.serving.shared_endpoint_spec import SharedEndpointSpec
from planner.recorder import record_stack_file
from tests.components.serving_args import SERVING_CONTEXT
from tests.components.test_batch_shadow_capture_mutation_audit import SHADOW_VARIANT
from tests.components.test_registry_experiments_mutation_audit import _live_drift_args
from tests.conftest import stack_path

ACCOUNT, REGION = "123456789012", "eu-west-1"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TAGS = {"owner": "team", "cost-center": "cc-1", "environment": "dev"}


COMPONENTS = Path(__file__).resolve().parents[2] / "components"


def _checked_classes() -> dict[type, tuple[str, ...]]:
    """Each args class of the components whose ``__post_init__`` calls ``satisfies``, with the
    fields it checks that way, read from its source (held to CHECKS by test_the_table_lists_every_check)."""
    found: dict[type, tuple[str, ...]] = {}
    for source in sorted(COMPONENTS.rglob("*.py")):
        if "satisfies(self" not in source.read_text():
            continue
        module = ".".join(source.relative_to(COMPONENTS.parent).with_suffix("").parts)
        loaded = importlib.import_module(module)
        for value in vars(loaded).values():
            if (
                inspect.isclass(value)
                and dataclasses.is_dataclass(value)
                and value.__module__ == loaded.__name__
                and "__post_init__" in vars(value)
            ):
                fields = re.findall(
                    r'satisfies\(self, "(\w+)"', inspect.getsource(vars(value)["__post_init__"])
                )
                if fields:
                    found[value] = tuple(dict.fromkeys(fields))
    return found


CHECKED = _checked_classes()

# The fields of this audit, each with a value AWS (or the component) refuses and the words of the
# refusal; the checks of other fields (schedules, names) have their own tests.
BAD: dict[str, tuple[object, str]] = {
    "account_id": ("12345678901", "is not a 12-digit AWS account id"),
    "region": ("eu-west1", "is not an AWS region code"),
    "role_path": ("/my team/", "is not an IAM path"),
    "path": ("/my team/", "is not an IAM path"),
    "user_role_path": ("/my team/", "is not an IAM path"),
    "tags": ({"aws:owner": "team"}, "the aws: prefix is reserved by AWS"),
    "alias_prefix": ("team.x", "is not one KMS takes"),
    "description": ("d" * 1001, "IAM takes at most 1000"),
    "image_registry_accounts": (
        [f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"],
        "is not a 12-digit AWS account id",
    ),
    "spec": ({}, "a dict is not an instance of"),
    "baselines": ({}, "a dict is not an instance of"),
    "placement": ({}, "a dict is not an instance of"),
    "promotion": ({}, "a dict is not an instance of"),
    "families": ([{}], r"\[0\]: a dict is not an instance of"),
    "groups": ([{}], r"\[0\]: a dict is not an instance of"),
    "purpose": ("raw, curated", "tag"),
    # The endpoint an alarm or monitor watches (session 61): an underscore is no SageMaker name.
    "endpoint_name": ("churn_v2", "is not a valid endpoint name: 1-63 letters or digits"),
    "physical_endpoint_name": ("churn_v2", "is not a valid endpoint name: 1-63 letters or digits"),
}
CHECKS: dict[str, tuple[str, ...]] = {
    # Each args class and the fields of this audit it checks with ``satisfies``, in its order: a
    # deleted call fails its row below, and a new one fails test_the_table_lists_every_check.
    "AccessLogBucketArgs": ("account_id", "tags"),
    "AlertTopicArgs": ("account_id", "tags"),
    "AlertmanagerSnsAccessArgs": ("account_id", "region", "role_path", "tags"),
    "ApprovalDispatchArgs": ("account_id", "role_path", "tags"),
    "AuditTrailArgs": ("account_id", "region", "user_role_path", "alias_prefix", "tags"),
    "BatchScoringArgs": ("account_id", "image_registry_accounts", "region", "role_path", "tags"),
    "CostGuardrailsArgs": ("account_id", "tags"),
    "DriftReportAlarmArgs": ("tags",),
    "DvcRemoteArgs": ("account_id", "region", "role_path", "tags"),
    "EncryptionKeyArgs": ("account_id", "user_role_path", "tags", "region"),
    "EndpointAlarmsArgs": ("endpoint_name", "tags"),
    "ExecutionRoleArgs": ("account_id", "path", "tags", "description"),
    "ExperimentTrackingArgs": ("account_id", "region", "role_path", "tags"),
    "FailureAlertsArgs": ("account_id", "region", "role_path", "tags"),
    "FeatureQueryWorkgroupArgs": ("account_id", "tags"),
    "FeatureStoreArgs": ("groups", "account_id", "region", "role_path", "tags"),
    "ImageRepositoryArgs": ("tags",),
    "InferenceEndpointArgs": (
        "spec",
        "account_id",
        "image_registry_accounts",
        "region",
        "role_path",
        "tags",
        "endpoint_name",
    ),
    "JobPlacement": ("account_id", "region", "role_path", "tags"),
    "KubernetesMonitoringArgs": ("region",),
    "LiveDriftArgs": ("account_id", "region", "role_path", "tags", "endpoint_name"),
    "ModelArtifactAccessArgs": ("account_id", "region", "role_path", "tags"),
    "ModelMonitoringArgs": ("spec", "baselines", "placement", "endpoint_name"),
    "ModelQualityAlarmsArgs": ("endpoint_name", "tags"),
    "ModelQualityMonitoringArgs": ("spec", "baselines", "placement", "endpoint_name"),
    "ModelRegistryArgs": ("families", "account_id", "region", "tags"),
    "MonitoringDashboardArgs": ("region",),
    "PipelineTriggersArgs": ("account_id", "region", "role_path", "tags"),
    "PrivateNetworkArgs": ("account_id", "region", "role_path", "tags"),
    "RetrainingGateArgs": ("account_id", "region", "role_path", "tags"),
    "SecureBucketArgs": ("tags", "purpose"),
    "ShadowTestArgs": (
        "spec",
        "account_id",
        "region",
        "role_path",
        "tags",
        "endpoint_name",
        "physical_endpoint_name",
    ),
    "SharedEndpointArgs": (
        "spec",
        "account_id",
        "image_registry_accounts",
        "region",
        "role_path",
        "tags",
        "endpoint_name",
    ),
    "TrainingPipelineArgs": ("spec", "promotion", "account_id", "region", "tags"),
}
AUDITED = sorted((name, field) for name, fields in CHECKS.items() for field in fields)
ADDS_A_TAG = {
    # Each of their resources also gets one tag of the component's (mlops:data-class, Name, or
    # mlops:family / mlops:endpoint...): 49 of a caller's tags at most.
    "AccessLogBucketArgs",
    "AuditTrailArgs",
    "BatchScoringArgs",
    "FeatureStoreArgs",
    "InferenceEndpointArgs",
    "LiveDriftArgs",
    "ModelRegistryArgs",
    "PrivateNetworkArgs",
    "SecureBucketArgs",
    "SharedEndpointArgs",
    "TrainingPipelineArgs",
}
# Not built by the shipped stacks' programs: KubernetesMonitoringArgs checks only an optional region.
UNBUILT = {"KubernetesMonitoringArgs"}


def _by_hand() -> list[object]:
    """The args classes the dev and prod programs do not build."""
    shared = SharedEndpointSpec.model_validate(
        {
            "name": "shared",
            "instance_type": "ml.m5.xlarge",
            "components": [
                {
                    "name": "own",
                    "model": {
                        "image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/ranker:1",
                        "model_data_url": "s3://vision-team/ranker/model.tar.gz",
                    },
                    "compute": {"cpu_cores": 1, "memory_mb": 1024},
                }
            ],
        }
    )
    return [
        _artifact_access("s3://models/churn/model.tar.gz"),
        AlertmanagerSnsAccessArgs(
            account_id=ACCOUNT,
            region=REGION,
            cluster_name="c",
            namespace="monitoring",
            service_account="alertmanager",
            topic_arn=f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts",
            kms_key_arn=KEY,
            role_path="/team/",
            tags=TAGS,
        ),
        _live_drift_args(),
        SharedEndpointArgs(spec=shared, endpoint_name="team-shared", **SERVING_CONTEXT),
        ShadowTestArgs(
            spec=EndpointSpec.model_validate(
                {
                    "name": "churn",
                    "variants": [{**SHADOW_VARIANT, "name": "champion"}],
                    "shadow_variants": [{**SHADOW_VARIANT, "name": "challenger"}],
                    "shadow_test": {"start": "2027-03-01T00:00:00Z", "end": "2027-03-15T00:00:00Z"},
                }
            ),
            endpoint_name="test-churn",
            physical_endpoint_name="test-churn",
            model_names={"champion": "churn-champion-model", "challenger": "churn-challenger-model"},
            account_id=ACCOUNT,
            region=REGION,
            kms_key_arn=KEY,
            artifact_bucket_name="artifacts",
            artifact_bucket_arn="arn:aws:s3:::artifacts",
            capture_prefix="data-capture/churn/",
            role_path="/team/",
            tags=TAGS,
        ),
    ]


def _artifact_access(url: str, **changes: Any) -> ModelArtifactAccessArgs:
    fields: dict[str, Any] = {
        "account_id": ACCOUNT,
        "region": REGION,
        "cluster_name": "c",
        "namespace": "models",
        "service_account": "server",
        "model_data_url": url,
        "kms_key_arn": KEY,
        "role_path": "/team/",
        "tags": TAGS,
    }
    return ModelArtifactAccessArgs(**(fields | changes))


@pytest.fixture(scope="module")
def built() -> dict[str, object]:
    """A valid instance of every checked args class: those the dev and prod programs build (each
    ``__post_init__`` wrapped, while they are recorded, to keep its instance), and the others by hand."""
    kept: dict[str, object] = {}
    originals = {cls: vars(cls)["__post_init__"] for cls in CHECKED}

    def keeping(original: Any) -> Any:
        def post_init(self: object) -> None:
            original(self)
            kept.setdefault(type(self).__name__, self)

        return post_init

    for cls, original in originals.items():
        cls.__post_init__ = keeping(original)
    region = os.environ.get("AWS_DEFAULT_REGION")
    os.environ["AWS_DEFAULT_REGION"] = REGION
    try:
        for stack in ("dev", "prod"):
            record_stack_file(str(stack_path(stack)))
    finally:
        for cls, original in originals.items():
            cls.__post_init__ = original
        if region is None:
            del os.environ["AWS_DEFAULT_REGION"]
        else:
            os.environ["AWS_DEFAULT_REGION"] = region
    for args in _by_hand():
        kept.setdefault(type(args).__name__, args)
    return kept


def _instance(built: dict[str, object], name: str) -> Any:
    if name not in built:
        pytest.fail(f"no valid {name} to mutate: build one in _by_hand")
    return built[name]


def test_every_checked_args_class_is_built_here(built: dict[str, object]) -> None:
    assert set(CHECKS) - UNBUILT <= set(built)


def test_the_table_lists_every_check() -> None:
    """The audited ``satisfies`` calls of the args classes' source are the table's, neither more nor less."""
    found = {
        cls.__name__: tuple(field for field in fields if field in BAD) for cls, fields in CHECKED.items()
    }
    assert {name: fields for name, fields in found.items() if fields} == CHECKS


@pytest.mark.parametrize(("name", "field"), AUDITED)
def test_each_args_class_refuses_a_bad_value_naming_its_field(
    built: dict[str, object], name: str, field: str
) -> None:
    """Each ``satisfies`` call of the args classes, one at a time: the value is refused when the args
    are built, before the component registers anything, naming ``<ArgsClass>.<field>``."""
    if name in UNBUILT:
        pytest.skip(f"{name} is built by no program here")
    args = _instance(built, name)
    bad, words = BAD[field]
    with pytest.raises(ValueError, match=rf"^{name}\.{field}: .*{words}"):
        dataclasses.replace(args, **{field: bad})


@pytest.mark.parametrize("name", sorted(name for name, fields in CHECKS.items() if "tags" in fields))
def test_each_args_class_counts_the_tag_its_component_adds(built: dict[str, object], name: str) -> None:
    if name in UNBUILT:
        pytest.skip(f"{name} is built by no program here")
    args = _instance(built, name)
    base = dict(args.tags)
    fill = [f"t{i}" for i in range(60) if f"t{i}" not in base]

    def tagged(count: int) -> dict[str, str]:
        return {**base, **{key: "v" for key in fill[: count - len(base)]}}

    most = 49 if name in ADDS_A_TAG else 50
    dataclasses.replace(args, tags=tagged(most))
    with pytest.raises(ValueError, match=rf"^{name}\.tags: {most + 1} tags; AWS takes at most 50"):
        dataclasses.replace(args, tags=tagged(most + 1))


# --- limits.py ---------------------------------------------------------------------------------------


def _trail(tags: dict[str, str]) -> AuditTrailArgs:
    return AuditTrailArgs(
        trail_name="team-trail",
        region=REGION,
        account_id=ACCOUNT,
        user_role_path="/team/",
        access_log_bucket="logs",
        tags=tags,
    )


def test_a_trail_refuses_an_empty_tag_value_other_resources_take() -> None:
    """CloudTrail's TagValue is 1-256 characters; S3's, KMS's and IAM's are 0-256 (L07, L08)."""
    with pytest.raises(ValueError, match=r"^AuditTrailArgs\.tags: tag 'owner' has an empty value"):
        _trail({**TAGS, "owner": ""})
    _trail({**TAGS, "owner": " "})
    SecureBucketArgs(purpose="data", kms_key_arn=KEY, access_log_bucket="logs", tags={**TAGS, "owner": ""})


@pytest.mark.parametrize("region", ["eu-west-1x", "eu-west-1 ", "eu-west-123", "eu-west-1/"])
def test_a_region_code_with_anything_after_its_number_is_refused(region: str) -> None:
    """The whole value is the code: ``eu-west-1x`` would go into every ARN as it is (L21)."""
    assert region_problem(region) == f"{region!r} is not an AWS region code (e.g. 'eu-west-1', 'us-east-1')"


def test_a_china_region_of_two_digits_is_still_another_partitions() -> None:
    """botocore's ``cn-\\w+-\\d+``: a number of any length (L37)."""
    assert "aws-cn partition" in (region_problem("cn-north-12") or "")


def test_an_account_id_of_other_scripts_digits_is_refused() -> None:
    """``str.isdigit`` takes Arabic-Indic or full-width digits, which no ARN takes (L31)."""
    arabic = "\u0661" * 12
    assert account_id_problem(arabic) == f"{arabic!r} is not a 12-digit AWS account id"
    assert account_id_problem("\uff11" * 12) is not None


def test_one_account_id_given_where_a_list_goes_is_named_as_such(built: dict[str, object]) -> None:
    """A string is a sequence of characters: the refusal names the list, not its first character (L32)."""
    with pytest.raises(
        ValueError, match=rf"^InferenceEndpointArgs\.image_registry_accounts: '{ACCOUNT}' is not a list"
    ):
        dataclasses.replace(_instance(built, "InferenceEndpointArgs"), image_registry_accounts=ACCOUNT)


def test_a_string_given_where_a_list_of_specs_goes_is_named_as_such(built: dict[str, object]) -> None:
    """``families="churn"``: named as no list, not as a string of characters that are no specs (L35)."""
    with pytest.raises(
        ValueError, match=r"^ModelRegistryArgs\.families: a str is not a list of ModelFamilySpec$"
    ):
        dataclasses.replace(_instance(built, "ModelRegistryArgs"), families="churn")


# --- encryption_key.py, audit_trail.py ------------------------------------------------------------


def _key(**changes: Any) -> EncryptionKeyArgs:
    fields: dict[str, Any] = {
        "purpose": "data",
        "account_id": ACCOUNT,
        "user_role_path": "/team/",
        "tags": TAGS,
    }
    return EncryptionKeyArgs(**(fields | changes))


def test_only_aliases_under_alias_aws_slash_are_awss() -> None:
    """``alias/aws/`` is AWS's own; ``alias/awsome-data`` is a team's (E05)."""
    assert _key(alias_prefix="awsome").alias_prefix == "awsome"
    assert dataclasses.replace(_trail(TAGS), alias_prefix="awsome").alias_prefix == "awsome"
    with pytest.raises(
        ValueError, match=r"^EncryptionKeyArgs\.alias_prefix, purpose: .*not under alias/aws/"
    ):
        _key(alias_prefix="aws/team")


@pytest.mark.parametrize("prefix", ["team.x", "team x", "team*"])
def test_a_key_refuses_an_alias_character_kms_refuses(prefix: str) -> None:
    """KMS's alias names are letters, digits, ``/``, ``_`` and ``-``: no dot, space or wildcard (E06)."""
    with pytest.raises(
        ValueError, match=r"^EncryptionKeyArgs\.alias_prefix, purpose: the alias .* is not one KMS takes"
    ):
        _key(alias_prefix=prefix)


# --- private_network.py ---------------------------------------------------------------------------


def test_a_private_network_without_tags_names_its_tags_field(built: dict[str, object]) -> None:
    """The ``Name`` tag was counted with ``"Name" in tags`` before ``tags`` was checked: ``None``
    raised a TypeError naming nothing (a bug fixed with this audit)."""
    network = _instance(built, "PrivateNetworkArgs")
    with pytest.raises(ValueError, match=r"^PrivateNetworkArgs\.tags: None is not a mapping of tag keys"):
        dataclasses.replace(network, tags=None)


# --- execution_role.py ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "description", ["Équipe données: modèles", "runs\tthe jobs\r\nof team x", "d" * 1000]
)
def test_a_role_takes_every_description_iam_takes(built: dict[str, object], description: str) -> None:
    """CreateRole's Description: tab, newlines, printable ASCII and Latin-1 U+00A1-U+00FF (X03, X05)."""
    role = _instance(built, "ExecutionRoleArgs")
    assert dataclasses.replace(role, description=description).description == description


@pytest.mark.parametrize("description", ["team\x85jobs", "team\xa0jobs", "team\u2013jobs", "team\x00"])
def test_a_role_refuses_a_description_character_iam_refuses(
    built: dict[str, object], description: str
) -> None:
    """C1 controls, the no-break space U+00A0 and characters past Latin-1 are outside IAM's pattern (X04)."""
    role = _instance(built, "ExecutionRoleArgs")
    with pytest.raises(ValueError, match=r"^ExecutionRoleArgs\.description: .* has characters IAM refuses"):
        dataclasses.replace(role, description=description)


@pytest.mark.parametrize("description", [None, 5, b"jobs"])
def test_a_role_description_that_is_no_string_is_named(built: dict[str, object], description: object) -> None:
    """Not a TypeError from ``len`` or the pattern (X06)."""
    role = _instance(built, "ExecutionRoleArgs")
    with pytest.raises(ValueError, match=r"^ExecutionRoleArgs\.description: .* is not a string$"):
        dataclasses.replace(role, description=description)


# --- model_monitoring.py: MonitoringBaselines ---------------------------------------------------------


def test_a_baselines_folder_is_a_relative_key_prefix() -> None:
    """``/baselines/...`` names the keys under ``s3://bucket//baselines/``, which no training wrote (MB2)."""
    with pytest.raises(
        ValueError, match=r"^MonitoringBaselines\.folder: '/baselines/churn/7/' is not a key prefix"
    ):
        MonitoringBaselines.in_folder("/baselines/churn/7/")


@pytest.mark.parametrize("field", ["data_statistics", "data_constraints", "model_constraints"])
def test_a_baseline_is_an_object_in_the_folder_not_the_folder(field: str) -> None:
    """The folder's own key is no file a job reads (MB4)."""
    keys = {
        "data_statistics": "b/statistics.json",
        "data_constraints": "b/constraints.json",
        "model_constraints": "b/model_quality/constraints.json",
    }
    with pytest.raises(ValueError, match=rf"^MonitoringBaselines\.{field}: 'b/' is not an object key under"):
        MonitoringBaselines(folder="b/", **(keys | {field: "b/"}))
    assert MonitoringBaselines(folder="b/", **keys).model_constraints == keys["model_constraints"]


# --- model_artifact_access.py -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["models/churn/model.tar.gz", "s3://models", "s3://models/churn/", "https://models/churn/model.tar.gz"],
)
def test_a_model_servers_artifact_is_one_object_checked_in_the_args(url: str) -> None:
    """A bucket, a folder or no s3:// URI is refused when the args are built, before the component
    registers its role (MA4); a folder (``/`` at the end) is no object the server downloads (MA5)."""
    with pytest.raises(ValueError, match=r"is not an s3://bucket/key URI of one object$"):
        _artifact_access(url)
