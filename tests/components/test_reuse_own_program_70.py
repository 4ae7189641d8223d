"""An adopting team's own program (docs/reuse.md): the components under its own ``aws.Provider`` in
us-east-1, its names, tags and policy pack settings, recorded offline with ``record_program`` in a
stack whose configured region is another. Every child must be in that provider's region, parented,
tagged and within AWS's name limits, whatever names the team gives its components."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import json
import re
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from components.limits import PHYSICAL_NAME_LIMITS
from components.naming import AUTONAME_SUFFIX, child_name
from planner.recorder import STACK_TYPE, ResourceGraph, record_program
from policies.local import evaluate_report
from policies.registry import load_pack_config
from policies.taggable_types import taggable_types
from tests.components.model_quality_args import model_quality_args
from tests.conftest import REPO

ACCOUNT, REGION = "444455556666", "us-east-1"
STACK_CONFIG = {
    "aws:region": "eu-west-1",
    "aws-native:region": "eu-west-1",
    "aws:allowedAccountIds": [ACCOUNT],
}
"""The stack's own region is another: only the team's providers put resources in us-east-1."""
PREFIX = "fraud-ops-prod"
ROLE_PATH = "/fraud-ops/"
TAGS = {"owner": "fraud-ops", "cost-center": "cc-7781", "environment": "prod", "team": "fraud"}
SUBNETS = ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"]
SGS = ["sg-0123456789abcdef0"]
PIPELINE = f"{PREFIX}-fraud-train"
MODEL_VERSION = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/{PREFIX}-fraud/3"
LONG = "fraud-ops-model-artifacts-for-realtime-scoring-us"
"""A component name a team may well choose (49 characters): its bucket's auto-name would be 64."""
LONG_LOGS = "fraud-ops-access-logs-for-realtime-scoring-models"
SCHEDULE = "cron(0 * ? * * *)"


def _provider() -> aws.Provider:
    return aws.Provider("fraud-aws", region=REGION, allowed_account_ids=[ACCOUNT])


def _native_provider() -> pulumi.ProviderResource:
    import pulumi_aws_native

    return pulumi_aws_native.Provider("fraud-aws-native", region=REGION, allowed_account_ids=[ACCOUNT])


def _team_program() -> None:
    from components.data import FeatureGroupSpec, FeatureStore, FeatureStoreArgs
    from components.foundation import (
        AccessLogBucket,
        AccessLogBucketArgs,
        EncryptionKey,
        EncryptionKeyArgs,
        SecureBucket,
        SecureBucketArgs,
        cloudwatch_alarms_grant,
        eventbridge_grants,
    )
    from components.observability import (
        AlarmThresholds,
        AlertTopic,
        AlertTopicArgs,
        CostGuardrails,
        CostGuardrailsArgs,
        EndpointAlarms,
        EndpointAlarmsArgs,
        JobPlacement,
        ModelMonitoring,
        ModelMonitoringArgs,
        MonitoringBaselines,
        MonitoringSpec,
        VariantAlarms,
        budgets_key_grant,
        cost_anomaly_key_grant,
    )
    from components.registry import ModelFamilySpec, ModelRegistry, ModelRegistryArgs
    from components.serving import EndpointSpec, InferenceEndpoint, InferenceEndpointArgs
    from components.training import PipelineTriggers, PipelineTriggersArgs

    opts = pulumi.ResourceOptions(providers=[_provider()])
    key = EncryptionKey(
        "fraud-data",
        EncryptionKeyArgs(
            purpose="data",
            account_id=ACCOUNT,
            user_role_path=ROLE_PATH,
            tags=TAGS,
            via_services=["sagemaker", "s3"],
            region=REGION,
            alias_prefix=PREFIX,
        ),
        opts=opts,
    )
    grants = [
        cloudwatch_alarms_grant(REGION, ACCOUNT),
        *eventbridge_grants(REGION, ACCOUNT),
        budgets_key_grant(REGION, ACCOUNT),
        cost_anomaly_key_grant(REGION, ACCOUNT),
    ]
    alerts_key = EncryptionKey(
        "fraud-alerts",
        EncryptionKeyArgs(
            purpose="alerts",
            account_id=ACCOUNT,
            user_role_path=ROLE_PATH,
            tags=TAGS,
            alias_prefix=PREFIX,
            service_grants=grants,
        ),
        opts=opts,
    )
    logs = AccessLogBucket(LONG_LOGS, AccessLogBucketArgs(account_id=ACCOUNT, tags=TAGS), opts=opts)
    artifacts = SecureBucket(
        LONG,
        SecureBucketArgs(
            purpose="artifacts", kms_key_arn=key.key_arn, access_log_bucket=logs.bucket_name, tags=TAGS
        ),
        opts=opts,
    )
    alerts = AlertTopic(
        "fraud-alerts",
        AlertTopicArgs(
            account_id=ACCOUNT, kms_key_arn=alerts_key.key_arn, subscriptions=[], tags=TAGS, cost_alerts=True
        ),
        opts=opts,
    )
    registry = ModelRegistry(
        "fraud-registry",
        ModelRegistryArgs(
            families=[
                ModelFamilySpec.model_validate(
                    {"name": "fraud", "promotion": {"metric": "metrics.auc.value", "threshold": 0.9}}
                )
            ],
            approval_mode="manual",
            account_id=ACCOUNT,
            region=REGION,
            notification_key_arn=alerts_key.key_arn,
            tags=TAGS,
            name_prefix=PREFIX,
        ),
        opts=opts,
    )
    features = FeatureStore(
        "fraud-features",
        FeatureStoreArgs(
            groups=[
                FeatureGroupSpec.model_validate(
                    {
                        "name": "card-txn",
                        "record_identifier": "card_id",
                        "event_time": "event_time",
                        "features": [
                            {"name": "card_id", "type": "String"},
                            {"name": "event_time", "type": "String"},
                            {"name": "amount_7d", "type": "Fractional"},
                        ],
                    }
                )
            ],
            account_id=ACCOUNT,
            region=REGION,
            data_bucket_name=artifacts.bucket_name,
            data_bucket_arn=artifacts.bucket_arn,
            kms_key_arn=key.key_arn,
            role_path=ROLE_PATH,
            tags=TAGS,
            name_prefix=PREFIX,
        ),
        opts=opts,
    )
    spec = EndpointSpec.model_validate(
        {
            "name": "fraud",
            "variants": [
                {
                    "name": "primary",
                    "model": {"model_package_arn": MODEL_VERSION},
                    "instance_type": "ml.m5.xlarge",
                    "initial_instance_count": 2,
                    "scaling": {"min_capacity": 2, "max_capacity": 6, "invocations_per_instance": 200},
                }
            ],
            "data_capture": {"enabled": True, "sampling_percent": 20},
            "deployment": {"strategy": "canary", "canary_percent": 50},
        }
    )
    endpoint_name = f"{PREFIX}-fraud"
    endpoint = InferenceEndpoint(
        "fraud-endpoint",
        InferenceEndpointArgs(
            spec=spec,
            endpoint_name=endpoint_name,
            resolved_model_packages={},
            account_id=ACCOUNT,
            region=REGION,
            artifact_bucket_name=artifacts.bucket_name,
            artifact_bucket_arn=artifacts.bucket_arn,
            kms_key_arn=key.key_arn,
            notification_key_arn=alerts_key.key_arn,
            subnet_ids=SUBNETS,
            security_group_ids=SGS,
            image_registry_accounts=[ACCOUNT],
            alarm_topic_arn=alerts.topic_arn,
            role_path=ROLE_PATH,
            tags=TAGS,
        ),
        opts=opts,
    )
    monitor = ModelMonitoring(
        "fraud-monitoring",
        ModelMonitoringArgs(
            spec=MonitoringSpec(enabled=True, schedule=SCHEDULE),
            endpoint_name=endpoint.endpoint_name,
            baselines=MonitoringBaselines.in_folder("baselines/fraud/3/"),
            placement=JobPlacement(
                account_id=ACCOUNT,
                region=REGION,
                artifact_bucket_name=artifacts.bucket_name,
                artifact_bucket_arn=artifacts.bucket_arn,
                kms_key_arn=key.key_arn,
                subnet_ids=SUBNETS,
                security_group_ids=SGS,
                role_path=ROLE_PATH,
                tags=TAGS,
            ),
            endpoint_label="fraud",
        ),
        opts=opts,
    )
    alarms = EndpointAlarms(
        "fraud-alarms",
        EndpointAlarmsArgs(
            endpoint_name=endpoint_name,
            variants=[VariantAlarms(name="primary", gpus=0, instance_based=True)],
            thresholds=AlarmThresholds(),
            alarm_topic_arn=alerts.topic_arn,
            tags=TAGS,
            monitoring_schedule_name=monitor.schedule_name,
            drift_features=["amount_7d"],
            monitoring_schedule=SCHEDULE,
        ),
        opts=opts,
    )
    assert alarms.drift_alarm is not None
    PipelineTriggers(
        "fraud-retraining",
        PipelineTriggersArgs(
            pipeline_name=PIPELINE,
            pipeline_arn=f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/{PIPELINE}",
            account_id=ACCOUNT,
            region=REGION,
            role_path=ROLE_PATH,
            tags=TAGS,
            drift_alarm_names=[alarms.drift_alarm],
        ),
        opts=opts,
    )
    CostGuardrails(
        "fraud-cost",
        CostGuardrailsArgs(
            account_id=ACCOUNT,
            name_prefix=PREFIX,
            scope_tag=("team", "fraud"),
            topic_arn=alerts.topic_arn,
            anomaly_threshold_usd=100.0,
            tags=TAGS,
            monthly_limit_usd=5000.0,
            publish_permission=[alerts.topic_policy],
        ),
        opts=opts,
    )
    pulumi.export("drift_alarm", alarms.drift_alarm)
    pulumi.export("groups", registry.model_package_group_names)
    pulumi.export("feature_groups", features.feature_group_names)


@pytest.fixture(scope="module")
def team_graph() -> ResourceGraph:
    return record_program(_team_program, config=STACK_CONFIG)


def _provider_refs(graph: ResourceGraph) -> set[str]:
    return {f"{r.urn}::{r.id}" for r in graph if r.is_provider}


def test_every_child_is_created_by_the_teams_provider_in_its_region(team_graph: ResourceGraph) -> None:
    [provider] = [r for r in team_graph if r.is_provider]
    assert provider.inputs["region"] == REGION
    assert {r.provider for r in team_graph.cloud_resources} == _provider_refs(team_graph)
    arns = [r.outputs["arn"] for r in team_graph.cloud_resources if isinstance(r.outputs.get("arn"), str)]
    assert len(arns) > 30
    for arn in arns:
        _, _, _, region, account, _ = arn.split(":", 5)
        assert (region, account) in {(REGION, ACCOUNT), ("", ACCOUNT), ("", ""), (REGION, "")}, arn
    assert "eu-west-1" not in json.dumps([dict(r.outputs) for r in team_graph], default=str)


def test_every_child_is_parented_and_carries_the_teams_tags(team_graph: ResourceGraph) -> None:
    taggable = taggable_types()
    for resource in team_graph.cloud_resources:
        assert team_graph.component_of(resource) is not None, resource.urn
        if resource.type in taggable:
            assert TAGS.items() <= dict(resource.inputs.get("tags") or {}).items(), resource.urn
    assert {r.type for r in team_graph.components} >= {
        "mlops:registry:ModelRegistry",
        "mlops:data:FeatureStore",
        "mlops:serving:InferenceEndpoint",
        "mlops:observability:ModelMonitoring",
        "mlops:training:PipelineTriggers",
    }
    assert not [r for r in team_graph.cloud_resources if team_graph.get(r.parent or "").type == STACK_TYPE]


def test_every_physical_name_is_within_its_aws_limit(team_graph: ResourceGraph) -> None:
    """The names the provider generates from the team's component names included: S3 takes 63."""
    checked = 0
    for resource in team_graph.cloud_resources:
        if resource.type not in PHYSICAL_NAME_LIMITS:
            continue
        field, limit = PHYSICAL_NAME_LIMITS[resource.type]
        name = resource.outputs.get(field)
        if isinstance(name, str):
            checked += 1
            assert len(name) <= limit, (resource.type, name)
    assert checked > 20
    buckets = team_graph.of_type("aws:s3/bucket:Bucket")
    assert sorted(len(b.outputs["bucket"]) for b in buckets) == [63, 63]


def test_the_monitoring_drift_alarm_starts_the_teams_pipeline(team_graph: ResourceGraph) -> None:
    drift = team_graph.exports["drift_alarm"]
    assert drift == f"{PREFIX}-fraud-data-drift"
    [alarm] = [
        a for a in team_graph.of_type("aws:cloudwatch/metricAlarm:MetricAlarm") if a.inputs["name"] == drift
    ]
    [rule] = [r for r in team_graph.of_type("aws:cloudwatch/eventRule:EventRule") if "drift" in r.name]
    pattern = json.loads(rule.inputs["eventPattern"])
    assert pattern["detail"]["alarmName"] == [alarm.inputs["name"]]
    assert pattern["detail"]["state"]["value"] == ["ALARM"]


def test_the_teams_own_pack_settings_find_nothing_to_fix(team_graph: ResourceGraph, tmp_path: Any) -> None:
    config = load_pack_config("prod")
    config["required-cost-allocation-tags"]["requiredTags"] = [*TAGS]
    own = tmp_path / "fraud-pack.json"
    own.write_text(json.dumps(config), encoding="utf-8")
    report = evaluate_report(team_graph.resources, load_pack_config(own))
    assert not report.violations
    assert not report.undecided
    # The team's extra required tag is checked: a resource without it is refused.
    topic = next(r for r in team_graph.resources if r.type == "aws:sns/topic:Topic")
    untagged = dataclasses.replace(topic, inputs={**topic.inputs, "tags": {**TAGS, "team": ""}})
    resources = [untagged if r is topic else r for r in team_graph.resources]
    refused = evaluate_report(resources, load_pack_config(own))
    assert [v.policy_name for v in refused.violations] == ["required-cost-allocation-tags"]


# --- children auto-named from the component's name ------------------------------------------------

BUCKET_LIMIT = PHYSICAL_NAME_LIMITS["aws:s3/bucket:Bucket"][1]
FITS = "b" * (BUCKET_LIMIT - AUTONAME_SUFFIX - len("-bucket"))
"""The longest component name whose ``<name>-bucket`` Pulumi auto-names within S3's 63 characters."""


def _bucket_program(kind: str, name: str) -> Callable[[], None]:
    from components.foundation import AccessLogBucket, AccessLogBucketArgs, SecureBucket, SecureBucketArgs

    def program() -> None:
        if kind == "secure":
            SecureBucket(
                name,
                SecureBucketArgs(
                    purpose="artifacts",
                    kms_key_arn="arn:aws:kms:us-east-1:444455556666:key/k",
                    access_log_bucket="logs",
                    tags={},
                ),
            )
        else:
            AccessLogBucket(name, AccessLogBucketArgs(account_id=ACCOUNT, tags={}))

    return program


@pytest.mark.parametrize("kind", ["secure", "access-log"])
@pytest.mark.parametrize(
    ("name", "kept"),
    [
        pytest.param(FITS, True, id="longest-name-that-fits-is-kept"),
        pytest.param(FITS + "b", False, id="one-longer-is-shortened"),
        pytest.param("c" * 120, False, id="far-longer-is-shortened"),
    ],
)
def test_a_buckets_auto_name_fits_s3s_limit_whatever_the_component_is_called(
    kind: str, name: str, kept: bool
) -> None:
    """pulumi-aws auto-names a bucket ``<logical>-<7 hex>`` and refuses the resource at preview when
    that exceeds the bucket name's 63 characters (the bridge's AutoName max length)."""
    graph = record_program(_bucket_program(kind, name))
    [bucket] = graph.of_type("aws:s3/bucket:Bucket")
    assert len(bucket.outputs["bucket"]) <= BUCKET_LIMIT
    assert (bucket.name == f"{name}-bucket") is kept
    assert bucket.name.startswith(name[:40])
    if kept:
        assert len(bucket.outputs["bucket"]) == BUCKET_LIMIT


def test_two_long_bucket_names_that_share_a_start_stay_apart() -> None:
    def program() -> None:
        _bucket_program("secure", "d" * 70 + "-one")()
        _bucket_program("secure", "d" * 70 + "-two")()

    names = [b.outputs["bucket"] for b in record_program(program).of_type("aws:s3/bucket:Bucket")]
    assert len(set(names)) == 2
    assert all(len(n) <= BUCKET_LIMIT for n in names)


def test_a_pod_identity_roles_auto_names_fit_iams_limits() -> None:
    from components.kubernetes._pod_identity import pod_identity_role

    class Owner(pulumi.ComponentResource):
        def __init__(self, name: str) -> None:
            super().__init__("test:index:Owner", name)

    def program() -> None:
        owner = Owner("owner")
        for name in ("short", "p" * 51, "p" * 52):  # "<name>-role" of 56, 57: 64 with the auto-name suffix
            pod_identity_role(
                name,
                description="test",
                account_id=ACCOUNT,
                cluster_name="gpu",
                namespace="serving",
                service_account="model",
                role_path=ROLE_PATH,
                policy_name="q" * 70,
                statements=[{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}],
                tags={},
                parent=owner,
            )

    graph = record_program(program)
    roles = graph.of_type("aws:iam/role:Role")
    assert [len(r.outputs["name"]) <= 64 for r in roles] == [True] * 3
    assert [r.name for r in roles][:2] == ["short-role", "p" * 51 + "-role"]  # fits: kept
    assert roles[2].name != "p" * 52 + "-role"
    assert all(len(p.outputs["name"]) <= 128 for p in graph.of_type("aws:iam/rolePolicy:RolePolicy"))


# --- components with pulumi-aws-native children ---------------------------------------------------


def _model_quality(opts: pulumi.ResourceOptions) -> None:
    from components.observability import ModelQualityMonitoring, ModelQualitySpec

    ModelQualityMonitoring("fraud-quality", model_quality_args(ModelQualitySpec(bias=True)), opts=opts)


def _shared_endpoint(opts: pulumi.ResourceOptions) -> None:
    from components.serving import SharedEndpoint, SharedEndpointArgs, SharedEndpointSpec
    from tests.components.serving_args import SERVING_CONTEXT

    spec = SharedEndpointSpec.model_validate(
        {
            "name": "shared",
            "instance_type": "ml.g5.12xlarge",
            "initial_instance_count": 1,
            "components": [
                {
                    "name": "ranker",
                    "model": {"model_package_arn": MODEL_VERSION},
                    "compute": {"cpu_cores": 2, "memory_mb": 8192, "accelerators": 1},
                }
            ],
        }
    )
    SharedEndpoint(
        "fraud-shared", SharedEndpointArgs(spec=spec, endpoint_name="shared", **SERVING_CONTEXT), opts=opts
    )


def _shadow_test(opts: pulumi.ResourceOptions) -> None:
    from components.serving import EndpointSpec, ShadowTest, ShadowTestArgs

    variant = {"model": {"model_package_arn": MODEL_VERSION}, "instance_type": "ml.m5.xlarge"}
    spec = EndpointSpec.model_validate(
        {
            "name": "fraud",
            "variants": [{**variant, "name": "champion"}],
            "shadow_variants": [{**variant, "name": "challenger"}],
            "shadow_test": {"start": "2027-03-01T00:00:00Z", "end": "2027-03-31T00:00:00Z"},
        }
    )
    ShadowTest(
        "fraud-shadow",
        ShadowTestArgs(
            spec=spec,
            endpoint_name="fraud",
            physical_endpoint_name="fraud",
            model_names={"champion": "m-champion", "challenger": "m-challenger"},
            account_id=ACCOUNT,
            region=REGION,
            kms_key_arn="arn:aws:kms:us-east-1:444455556666:key/k",
            artifact_bucket_name="artifacts",
            artifact_bucket_arn="arn:aws:s3:::artifacts",
            capture_prefix="data-capture/fraud/",
            role_path=ROLE_PATH,
            tags={},
        ),
        opts=opts,
    )


NATIVE_USERS = {
    "ModelQualityMonitoring": _model_quality,
    "SharedEndpoint": _shared_endpoint,
    "ShadowTest": _shadow_test,
}


def _record_under(build: Callable[[pulumi.ResourceOptions], None], providers: str) -> ResourceGraph:
    def program() -> None:
        chosen = {
            "none": list,
            "aws": lambda: [_provider()],
            "both": lambda: [_provider(), _native_provider()],
        }
        build(pulumi.ResourceOptions(providers=chosen[providers]()))

    return record_program(program, config=STACK_CONFIG)


def _native_warnings(graph: ResourceGraph) -> list[str]:
    return [w for w in graph.warnings if "aws-native" in w]


@pytest.mark.parametrize("component", sorted(NATIVE_USERS))
def test_an_aws_provider_without_an_aws_native_one_is_warned_about(component: str) -> None:
    graph = _record_under(NATIVE_USERS[component], "aws")
    [warning] = _native_warnings(graph)
    assert re.match(
        rf"{component} 'fraud-\w+': opts.providers has an aws provider but no aws-native one", warning
    )
    assert "pass a pulumi_aws_native.Provider" in warning
    # What it warns of: the aws-native children are not in the team's region.
    native = [r for r in graph.cloud_resources if r.type.startswith("aws-native:")]
    assert native and all(r.provider is None for r in native)


@pytest.mark.parametrize(
    "providers", ["both", "none"], ids=["both-providers-given", "default-providers-only"]
)
def test_no_warning_when_both_packages_or_neither_have_explicit_providers(providers: str) -> None:
    graph = _record_under(_model_quality, providers)
    assert _native_warnings(graph) == []
    native = [r for r in graph.cloud_resources if r.type.startswith("aws-native:")]
    assert native
    if providers == "both":
        [aws_native] = [r for r in graph if r.type == "pulumi:providers:aws-native"]
        assert {r.provider for r in native} == {f"{aws_native.urn}::{aws_native.id}"}
        assert all(f":{REGION}:" in r.outputs.get("arn", f":{REGION}:") for r in native)


def test_the_component_reference_lists_the_drift_alarm_a_team_wires_to_retraining() -> None:
    """docs/components.md listed only ``pulumi.Output`` attributes, so ``EndpointAlarms.drift_alarm``
    (a plain name) was nowhere a team reads; a union type in a row must not end its cell."""
    from stacks.component_reference import components_of
    from tests.conftest import REPO

    [alarms] = [c for c in components_of("observability") if c.name == "EndpointAlarms"]
    assert [output.name for output in alarms.outputs] == ["alarm_names", "drift_alarm"]
    reference = (REPO / "docs" / "components.md").read_text(encoding="utf-8")
    assert "| `drift_alarm` | `str \\| None` | Name of the drift alarm" in reference
    assert "| `budget_name` | `pulumi.Output[str] \\| None` |" in reference


# --- every auto-named child, not only the buckets and pod-identity roles ---------------------------


def _snake(wire_name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", wire_name).lower()


def _provider_names(tree: ast.Module) -> dict[str, Any]:
    """What a module's imports of the provider SDKs (``import pulumi_aws.s3 as s3``, ``from
    pulumi_aws import iam``) and of ``child_name`` bind, without importing the module itself (some
    import the SageMaker SDK, which needs a region and seconds)."""
    names: dict[str, Any] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("pulumi_aws"):
                    top = alias.asname or alias.name.split(".")[0]
                    names[top] = importlib.import_module(alias.name if alias.asname else top)
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                bound = alias.asname or alias.name
                if (node.module or "").startswith("pulumi_aws") and not node.level:
                    package = importlib.import_module(node.module or "")
                    names[bound] = getattr(package, alias.name, None) or importlib.import_module(
                        f"{node.module}.{alias.name}"
                    )
                elif alias.name == "child_name" and (node.module or "").endswith("naming"):
                    names[bound] = child_name
    return names


def _resolve(expression: ast.expr, namespace: dict[str, Any]) -> Any:
    """The object ``s3.Bucket`` or ``Bucket`` names in ``namespace``, or None."""
    if isinstance(expression, ast.Name):
        return namespace.get(expression.id)
    if isinstance(expression, ast.Attribute):
        base = _resolve(expression.value, namespace)
        return getattr(base, expression.attr, None) if base is not None else None
    return None


def _dynamic_class_package(expression: ast.expr, namespace: dict[str, Any]) -> str | None:
    """The package (``aws``, ``aws-native``) of a provider SDK module ``getattr(module, ...)`` reads a
    class from, when ``expression`` is such a call; else None."""
    if not (
        isinstance(expression, ast.Call)
        and isinstance(expression.func, ast.Name)
        and expression.func.id == "getattr"
        and expression.args
    ):
        return None
    module = _resolve(expression.args[0], namespace)
    name = getattr(module, "__name__", "") if isinstance(module, types.ModuleType) else ""
    if name.startswith("pulumi_aws_native"):
        return "aws-native"
    return "aws" if name.startswith("pulumi_aws") else None


def auto_named_children(root: Path, base: Path = REPO) -> list[tuple[str, str, str]]:
    """Each resource a module under ``root`` creates whose type has an AWS name limit
    (PHYSICAL_NAME_LIMITS), leaves its name field (and its ``*_prefix``) unset, so pulumi-aws
    auto-names it from the logical name, and does not pass that logical name through child_name:
    (file:line relative to ``base``, type token, logical-name source). A class read with ``getattr``
    from a provider module (its type unknown here) is one unless it sets a name field of its package."""
    found = []
    for path in sorted(root.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        names = _provider_names(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            cls = _resolve(node.func, names)
            given = {keyword.arg for keyword in node.keywords}
            if isinstance(cls, type) and issubclass(cls, pulumi.CustomResource):
                token = getattr(cls, "pulumi_type", "")
                if token not in PHYSICAL_NAME_LIMITS:
                    continue
                fields = {_snake(PHYSICAL_NAME_LIMITS[token][0])}
            elif package := _dynamic_class_package(node.func, names):
                # ``getattr(native, f"{kind}JobDefinition")(...)``: the type is not known here, so it
                # must set a name field of some name-limited type of its package.
                token = f"{package}:<getattr>"
                fields = {
                    _snake(field)
                    for t, (field, _) in PHYSICAL_NAME_LIMITS.items()
                    if t.startswith(package + ":")
                }
            else:
                continue
            if given & {*fields, *(f"{field}_prefix" for field in fields), "name_prefix"}:
                continue
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Call) and _resolve(first.func, names) is child_name:
                continue
            logical = ast.get_source_segment(source, first) if first is not None else "?"
            found.append((f"{path.relative_to(base)}:{node.lineno}", token, logical or "?"))
    return found


def test_every_auto_named_child_goes_through_child_name() -> None:
    """A component's name is the caller's: any ``f"{name}-..."`` child pulumi-aws auto-names can pass
    its type's limit (an SNS topic, a security group, a scaling policy, an EventBridge connection
    as well as a bucket or role), and is refused at preview, or by AWS at create."""
    assert auto_named_children(REPO / "components") == []


def test_the_scan_finds_an_auto_named_child_without_child_name(tmp_path: Path) -> None:
    package = tmp_path / "scan_probe_70"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "probe.py").write_text(
        "import pulumi_aws.sns as sns\n"
        "from components.naming import child_name\n"
        "def build(name):\n"
        "    sns.Topic(f'{name}-raw')\n"
        "    sns.Topic(child_name(f'{name}-fitted', 'aws:sns/topic:Topic'))\n"
        "    sns.Topic(f'{name}-named', name='fixed')\n"
        "    sns.Topic(f'{name}-prefixed', name_prefix='team-')\n"
        "    sns.TopicPolicy(f'{name}-policy', arn='a', policy='{}')\n"
        "    getattr(sns, 'Topic')(f'{name}-dynamic')\n"
        "    getattr(sns, 'Topic')(f'{name}-dynamic-named', name='fixed')\n"
        "    getattr(sns, 'Topic')(child_name(f'{name}-dynamic-fitted', 'aws:sns/topic:Topic'))\n"
    )
    assert auto_named_children(package, tmp_path) == [
        ("scan_probe_70/probe.py:4", "aws:sns/topic:Topic", "f'{name}-raw'"),
        ("scan_probe_70/probe.py:9", "aws:<getattr>", "f'{name}-dynamic'"),
    ]


DEFAULT_BUDGET = 255 - AUTONAME_SUFFIX
"""A scaling policy's name may have 256 characters, but pulumi-aws auto-names one within its default
255 (provider/autonaming.go) and refuses a longer one at preview."""
TOPIC_BUDGET = 80 - AUTONAME_SUFFIX
"""An SNS topic's name may have 256 characters, but pulumi-aws auto-names one within 80
(provider/resource_overrides.go ``aws_sns_topic``: ``Maxlen: 80``) and refuses a longer one at preview."""


@pytest.mark.parametrize(
    ("type_token", "longest"),
    [
        ("aws:s3/bucket:Bucket", 63 - AUTONAME_SUFFIX),
        ("aws:iam/role:Role", 64 - AUTONAME_SUFFIX),
        ("aws:iam/rolePolicy:RolePolicy", 128 - AUTONAME_SUFFIX),
        ("aws:cloudwatch/eventConnection:EventConnection", 64 - AUTONAME_SUFFIX),
        ("aws:ec2/securityGroup:SecurityGroup", 255 - AUTONAME_SUFFIX),
        ("aws:sns/topic:Topic", TOPIC_BUDGET),
        ("aws:appautoscaling/policy:Policy", DEFAULT_BUDGET),
    ],
)
def test_child_name_keeps_every_name_that_fits_and_shortens_one_more(type_token: str, longest: int) -> None:
    fits, over = "a" * longest, "a" * (longest + 1)
    assert child_name(fits, type_token) == fits  # deployed names never change
    shortened = child_name(over, type_token)
    assert len(shortened) == longest
    assert shortened != child_name("a" * (longest + 2), type_token)


def _topic_program(name: str) -> Callable[[], None]:
    from components.observability import AlertTopic, AlertTopicArgs

    def program() -> None:
        AlertTopic(
            name,
            AlertTopicArgs(
                account_id=ACCOUNT,
                kms_key_arn="arn:aws:kms:us-east-1:444455556666:key/k",
                subscriptions=[],
                tags={},
            ),
        )

    return program


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        pytest.param("t" * (TOPIC_BUDGET - len("-topic")), True, id="longest-that-fits-is-kept"),
        pytest.param("t" * (TOPIC_BUDGET - len("-topic") + 1), False, id="one-longer-is-shortened"),
    ],
)
def test_an_alert_topics_auto_name_fits_whatever_the_component_is_called(name: str, kept: bool) -> None:
    [topic] = record_program(_topic_program(name)).of_type("aws:sns/topic:Topic")
    assert (topic.name == f"{name}-topic") is kept
    assert len(topic.name) + AUTONAME_SUFFIX == 80 if kept else len(topic.name) == TOPIC_BUDGET


class _TeamStack(pulumi.ComponentResource):
    """A team's own component wrapping the platform's: the providers reach the children through it."""

    def __init__(self, name: str, opts: pulumi.ResourceOptions) -> None:
        super().__init__("fraud:index:Stack", name, None, opts)


def _record_passing(providers: str) -> ResourceGraph:
    """ModelQualityMonitoring with the team's providers passed each way a program may pass them."""

    def program() -> None:
        aws_only: dict[str, pulumi.ResourceOptions] = {
            "aws-as-a-dict": pulumi.ResourceOptions(providers={"aws": _provider()}),
            "aws-as-provider": pulumi.ResourceOptions(provider=_provider()),
            "both-as-a-dict": pulumi.ResourceOptions(
                providers={"aws": _provider(), "aws-native": _native_provider()}
            ),
        }
        if providers.startswith("parent-"):
            chosen = [_provider()] if providers == "parent-aws" else [_provider(), _native_provider()]
            parent = _TeamStack("fraud", pulumi.ResourceOptions(providers=chosen))
            _model_quality(pulumi.ResourceOptions(parent=parent))
        else:
            _model_quality(aws_only[providers])

    return record_program(program, config=STACK_CONFIG)


@pytest.mark.parametrize(
    ("providers", "warned"),
    [
        ("aws-as-a-dict", True),
        ("aws-as-provider", True),
        ("parent-aws", True),
        ("both-as-a-dict", False),
        ("parent-both", False),
    ],
)
def test_the_warning_follows_the_providers_however_they_are_passed(providers: str, warned: bool) -> None:
    """Once per component, whether the providers come as a list, a dict, ``provider=`` or from a
    parent (``get_provider`` reads what the component inherited), and never when both are there."""
    graph = _record_passing(providers)
    assert len(_native_warnings(graph)) == (1 if warned else 0)
    native = [r for r in graph.cloud_resources if r.type.startswith("aws-native:")]
    assert native and all((r.provider is None) is warned for r in native)


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("str | None", "str \\| None"),
        ("`^(Mon|Tue)$`", "`^(Mon\\|Tue)$`"),
        ("`custom` \\| `triton`", "`custom` \\| `triton`"),  # already escaped: left alone
        ("no bar", "no bar"),
    ],
)
def test_a_table_cell_escapes_every_bar_once(text: str, cell: str) -> None:
    from stacks.reference import table_cell

    assert table_cell(text) == cell


@pytest.mark.parametrize("generated", ["components.md", "configuration.md"])
def test_every_row_of_the_generated_references_has_its_headers_cells(generated: str) -> None:
    """A ``|`` in a pattern (``Mon|Tue``), a path (``ready|live``) or a union type ends a cell on
    GitHub, code span or not: every row must have as many cells as its table's header."""
    from stacks.component_reference import reference as component_reference
    from stacks.reference import reference as configuration_reference

    text = component_reference() if generated == "components.md" else configuration_reference()
    width, broken = None, []
    for line in text.splitlines():
        if not line.startswith("|"):
            width = None
            continue
        cells = len(re.split(r"(?<!\\)\|", line.strip())) - 2
        width = width or cells
        if cells != width:
            broken.append(line[:100])
    assert broken == []
