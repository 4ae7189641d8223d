"""A hand-mutation audit of the component argument checks (components/limits.py and each args class).

DOCSTRING-TABLE
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
                fields = re.findall(r'satisfies\(self, "(\w+)"', inspect.getsource(value.__post_init__))
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
    "EndpointAlarmsArgs": ("tags",),
    "ExecutionRoleArgs": ("account_id", "path", "tags", "description"),
    "ExperimentTrackingArgs": ("account_id", "region", "role_path", "tags"),
    "FailureAlertsArgs": ("account_id", "region", "role_path", "tags"),
    "FeatureQueryWorkgroupArgs": ("account_id", "tags"),
    "FeatureStoreArgs": ("groups", "account_id", "region", "role_path", "tags"),
    "ImageRepositoryArgs": ("tags",),
    "InferenceEndpointArgs": ("spec", "account_id", "image_registry_accounts", "region", "role_path", "tags"),
    "JobPlacement": ("account_id", "region", "role_path", "tags"),
    "KubernetesMonitoringArgs": ("region",),
    "LiveDriftArgs": ("account_id", "region", "role_path", "tags"),
    "ModelArtifactAccessArgs": ("account_id", "region", "role_path", "tags"),
    "ModelMonitoringArgs": ("spec", "baselines", "placement"),
    "ModelQualityAlarmsArgs": ("tags",),
    "ModelQualityMonitoringArgs": ("spec", "baselines", "placement"),
    "ModelRegistryArgs": ("families", "account_id", "region", "tags"),
    "MonitoringDashboardArgs": ("region",),
    "PipelineTriggersArgs": ("account_id", "region", "role_path", "tags"),
    "PrivateNetworkArgs": ("account_id", "region", "role_path", "tags"),
    "RetrainingGateArgs": ("account_id", "region", "role_path", "tags"),
    "SecureBucketArgs": ("tags", "purpose"),
    "ShadowTestArgs": ("spec", "account_id", "region", "role_path", "tags"),
    "SharedEndpointArgs": ("spec", "account_id", "image_registry_accounts", "region", "role_path", "tags"),
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
        cls.__post_init__ = keeping(original)  # type: ignore[attr-defined]
    region = os.environ.get("AWS_DEFAULT_REGION")
    os.environ["AWS_DEFAULT_REGION"] = REGION
    try:
        for stack in ("dev", "prod"):
            record_stack_file(str(stack_path(stack)))
    finally:
        for cls, original in originals.items():
            cls.__post_init__ = original  # type: ignore[attr-defined]
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
        dataclasses.replace(args, **{field: bad})  # type: ignore[type-var]


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
    dataclasses.replace(args, tags=tagged(most))  # type: ignore[type-var]
    with pytest.raises(ValueError, match=rf"^{name}\.tags: {most + 1} tags; AWS takes at most 50"):
        dataclasses.replace(args, tags=tagged(most + 1))  # type: ignore[type-var]


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
        dataclasses.replace(_instance(built, "InferenceEndpointArgs"), image_registry_accounts=ACCOUNT)  # type: ignore[type-var]


def test_a_string_given_where_a_list_of_specs_goes_is_named_as_such(built: dict[str, object]) -> None:
    """``families="churn"``: named as no list, not as a string of characters that are no specs (L35)."""
    with pytest.raises(
        ValueError, match=r"^ModelRegistryArgs\.families: a str is not a list of ModelFamilySpec$"
    ):
        dataclasses.replace(_instance(built, "ModelRegistryArgs"), families="churn")  # type: ignore[type-var]


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
    """KMS's AliasName is ``^[a-zA-Z0-9:/_-]+$``: no dot, space or wildcard (E06)."""
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
        dataclasses.replace(network, tags=None)  # type: ignore[type-var]


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
        MonitoringBaselines(folder="b/", **(keys | {field: "b/"}))  # type: ignore[arg-type]
    assert MonitoringBaselines(folder="b/", **keys).model_constraints == keys["model_constraints"]  # type: ignore[arg-type]
