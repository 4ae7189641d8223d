"""How the typed stack configuration becomes component arguments, where a mutation audit found no test holding it.

A hand-mutation audit of stacks/composition/serving.py, observability.py, training.py, registry.py
and foundation.py (all but ``_pipeline_statements``: test_remaining_mutation_audit.py): how the
typed stack configuration becomes the components' arguments. Each mutation is one step with an
effect on the resource graph: a key or bucket swapped for its neighbour (data/notifications/logs
key, datasets/artifacts bucket, training/pipeline role), a config value dropped, replaced by a
constant or taken from a neighbouring field, a condition inverted or dropped, a list cut to its
first item, a name or tag dropped. Each ran against the tests that read its component's recordings
(tests/stacks, tests/components, tests/policies/test_policy_on_recorded_stacks.py...).

138 mutations (serving 17, observability 49, training 26, registry 11, foundation 35); 34 survived,
26 are caught now by the tests here, 7 are equivalent and 1 is left alone. (Two more survived the
narrow first run only: a challenger drawn as the champion on the dashboard and the baseline steps
forced on, caught by test_champion_challenger.py and test_model_monitor_switch.py.) Each test here
fails under its mutants:

- serving (5): an async endpoint's result topics with the data key instead of the notifications
  key; a shared endpoint encrypting with the notifications key; an endpoint's role off the stack's
  role path (the key policies trust that path only); one artifact of a multi-container version of
  another account shared; a shared endpoint given none of another account's artifacts;
- observability (6): a shadow variant without its 5xx/latency twins of the rollback alarms or its
  GPU alarms; a dashboard row for an endpoint that captures nothing; live drift reading the
  reference from the artifacts bucket; one alert subscription of two; ``drift_features: []`` read
  as unset (a drift alarm on the family's features);
- training (3): drift retraining on with either ``training.drift_retraining`` or
  ``training.enabled`` (a stack that turned it off retrains on drift); new data alone starting no
  run; the pipeline scripts' required tags (owner, cost-center) dropped when a stack has more tags
  than an S3 object takes;
- registry (3): the dispatch's ``source_environment`` from the name prefix; the deliveries key's
  deletion window fixed at 30 (dev's is 7); only the first family's approvals dispatched;
- foundation (9): object events from the datasets bucket with no new-data trigger; consumer
  accounts without ``baselines/`` or decrypting outside S3; the inference role reading the whole
  artifacts bucket; the training role writing the datasets; a feature group's ARN with capitals
  (SageMaker's is lower case); the TrackExperiment role in a stack that does not train; a disabled
  audit trail exporting the organization's trail; the aws-native provider not locked to the account.

Equivalent (7): a family without ``training`` in a stack that trains (stacks.config refuses it);
live drift for an endpoint that follows no family of the stack, and drift alarm names for such an
endpoint (the config refuses the first; triggers are built per pipeline, so names for other families
are never read); the budget's scope tag from ``name_prefix`` (the ``stack`` tag is the name prefix);
quality alarms without ``model_monitors.model_quality`` (refused with monitoring on; every reader
is gated on monitoring); an Evidently alarm for a family no pipeline runs (refused: "no pipeline would
run the report"); shadow tests only for endpoints built (every served endpoint is built).

Left alone (1): the dashboard's default model-quality metric for binary classification (``auc``,
mutated to ``accuracy``): Model Monitor publishes both; an undocumented choice, not a behaviour.

Bugs: none found in these modules; every survivor was a behaviour no test held, or equivalent.

Cost: the tests read the fixture stacks' recordings and four documents other tests record
(test_config_reaches_resources.py's, now through the shared cache, test_alarms_without_capture.py's,
test_live_drift.py's and test_endpoint_alarms.py's cut prod), and record two new ones: a dev variant
and a staging stack that serves without training.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from components.policy_documents import SharedObjects
from planner.recorder import RecordedResource, ResourceGraph
from stacks.composition.serving import _shared_objects
from stacks.config import CONFIG_KEY
from stacks.model_packages import ResolvedModelPackage
from tests.conftest import load_stack_document
from tests.graph_helpers import as_list, policy_of, statements
from tests.recorded import recorded_stack
from tests.stacks import test_alarms_without_capture as without_capture
from tests.stacks import test_config_reaches_resources as config_reach
from tests.stacks import test_live_drift as live_drift
from tests.stacks.conftest import serving_cut
from tests.yaml_text import dump_document

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
TOPIC = "aws:sns/topic:Topic"
NOTIFICATION = "aws:s3/bucketNotification:BucketNotification"


PRODUCER = "222222222222"
SHARED_GROUP = f"arn:aws:sagemaker:eu-west-1:{PRODUCER}:model-package-group/churn-shared"
LABELLED = "Churn-Labelled"
SECOND_FAMILY = "churn-second"
ORGANIZATION_TRAIL = "arn:aws:cloudtrail:eu-west-1:999999999999:trail/organization"
SUBSCRIPTIONS = [
    {"protocol": "email", "endpoint": "ml-oncall@example.com"},
    {"protocol": "https", "endpoint": "https://hooks.example.com/ml-alerts"},
]


def _dev_variant(platform: dict[str, Any]) -> None:
    """The dev fixture where a slip between neighbouring values shows: a name prefix that is not the
    environment's name, new data as the only retraining trigger, a family trained from a feature
    group named with capitals, a shared endpoint serving a version of another account's registry, and
    two alert subscriptions, more tags than an S3 object takes (the required ones last), and a
    second model family."""
    platform["name_prefix"] = "churn-dev"
    # More tags than an S3 object takes (10): the scripts keep the required ones.
    platform["tags"] = {**{f"team-{n}": f"value-{n}" for n in range(8)}, **platform["tags"]}
    platform["alerts"] = {"subscriptions": SUBSCRIPTIONS}
    platform["training"] = {"new_data": {"enabled": True}}
    labelled = copy.deepcopy(load_stack_document("prod")["config"][CONFIG_KEY]["feature_groups"][1])
    labelled["name"] = LABELLED
    platform["feature_groups"].append(labelled)
    platform["models"][0]["training"]["data"] = {"feature_group": LABELLED}
    second = copy.deepcopy(platform["models"][0])
    second.update(name=SECOND_FAMILY, consumer_accounts=[])
    platform["models"].append(second)
    platform["shared_endpoints"] = [
        {
            "name": "small-models",
            "instance_type": "ml.m5.xlarge",
            "components": [
                {
                    "name": "shared",
                    "model": {"latest_approved_of": SHARED_GROUP},
                    "compute": {"cpu_cores": 1, "memory_mb": 2048},
                }
            ],
        }
    ]


@pytest.fixture(scope="module")
def dev_variant(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    document = load_stack_document("dev")
    _dev_variant(document["config"][CONFIG_KEY])
    path = tmp_path_factory.mktemp("composition-audit") / "Pulumi.variant.yaml"
    path.write_text(dump_document(document))
    return recorded_stack(path)


def _staging_serving_only(platform: dict[str, Any]) -> None:
    """The staging fixture serving without training (its endpoint follows the registry's approved
    versions), experiment tracking on (staging's default), the drift alarm switched off
    (``monitoring.drift_features: []``) and the audit trail off, naming the organization's."""
    platform["training"] = {"enabled": False}
    platform.setdefault("monitoring", {})["drift_features"] = []
    platform["audit_trail"] = {"enabled": False, "existing_organization_trail": ORGANIZATION_TRAIL}


@pytest.fixture(scope="module")
def staging_serving(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    document = load_stack_document("staging")
    _staging_serving_only(document["config"][CONFIG_KEY])
    path = tmp_path_factory.mktemp("composition-audit") / "Pulumi.staging.yaml"
    path.write_text(dump_document(document))
    return recorded_stack(path)


@pytest.fixture(scope="module")
def reach_graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    """test_config_reaches_resources.py's document, byte-identical (recorded once per run)."""
    return config_reach.recorded_graph(tmp_path_factory)


def _key_arn(graph: ResourceGraph, purpose: str) -> Any:
    return graph.named(f"kms-{purpose}-key").outputs["arn"]


def _kms_resources(policy: RecordedResource) -> set[str]:
    """The keys an IAM policy lets its role use (the kms_use statements)."""
    found: set[str] = set()
    for statement in statements(policy_of(policy)):
        if "kms:Decrypt" in as_list(statement["Action"]):
            found |= set(as_list(statement["Resource"]))
    return found


# --- serving ---------------------------------------------------------------------------------------


def test_an_async_endpoints_result_topics_are_encrypted_with_the_notifications_key(
    stack_graphs: dict[str, ResourceGraph],
) -> None:
    """The dev fixture's async endpoint: SNS topics take the notifications key (whose policy lets
    SageMaker's publisher and the alert paths use it), not the data key."""
    graph = stack_graphs["dev"]
    topics = [t for t in graph.of_type(TOPIC) if "-async-" in t.name]
    assert {t.name.rsplit("-", 1)[-1] for t in topics} == {"success", "error"}
    notifications = _key_arn(graph, "notifications")
    assert notifications != _key_arn(graph, "data")
    for topic in topics:
        assert topic.inputs["kmsMasterKeyId"] == notifications, topic.name


def test_an_endpoints_model_role_uses_the_data_and_notifications_keys(
    stack_graphs: dict[str, ResourceGraph],
) -> None:
    """The data key always; the notifications key exactly where the endpoint publishes to its own
    async result topics (the dev fixture's async endpoint): a real-time endpoint's models have no
    use for the key of the stack's alert, approval and async topics and queues."""
    publishing = 0
    for stack, graph in stack_graphs.items():
        for policy in graph.of_type(ROLE_POLICY):
            if policy.name.startswith("endpoint-") and policy.name.endswith("-models-permissions"):
                endpoint = policy.name.removesuffix("-models-permissions")
                topics = [t for t in graph.of_type(TOPIC) if t.name.startswith(f"{endpoint}-async-")]
                publishing += bool(topics)
                assert _kms_resources(policy) == {
                    _key_arn(graph, "data"),
                    *([_key_arn(graph, "notifications")] if topics else []),
                }, (stack, policy.name)
    assert publishing, "no fixture endpoint publishes async results: the notifications key went unchecked"


def test_every_role_of_a_stack_is_on_the_stacks_role_path(stack_graphs: dict[str, ResourceGraph]) -> None:
    """The stack's KMS key policies trust the principals under its role path only: a role elsewhere
    (``/``) could not use the data key its jobs and endpoints read and write with."""
    from stacks.naming import role_path

    for stack, graph in stack_graphs.items():
        path = role_path(graph.config[CONFIG_KEY]["name_prefix"])
        roles = graph.of_type(ROLE)
        assert any(r.name.startswith("endpoint-") for r in roles), stack
        assert {r.name: r.inputs.get("path") for r in roles} == {r.name: path for r in roles}, stack


def test_a_shared_endpoint_encrypts_with_the_data_key(reach_graph: ResourceGraph) -> None:
    data = _key_arn(reach_graph, "data")
    [config] = [
        r
        for r in reach_graph.of_type("aws:sagemaker/endpointConfiguration:EndpointConfiguration")
        if r.name.startswith("shared-endpoint-small-models")
    ]
    assert config.inputs["kmsKeyArn"] == data
    [policy] = [
        p for p in reach_graph.of_type(ROLE_POLICY) if p.name.startswith("shared-endpoint-small-models")
    ]
    assert _kms_resources(policy) == {data}


def test_every_model_artifact_of_another_accounts_version_is_shared_once_per_account() -> None:
    """A version of another account's registry with two containers: both artifacts are read (a
    model whose second container's artifact cannot be read fails to start); this account's own
    versions are not listed, and a URL two versions share is listed once."""

    def version(account: str, number: int, *urls: str) -> ResolvedModelPackage:
        arn = f"arn:aws:sagemaker:eu-west-1:{account}:model-package/churn/{number}"
        return ResolvedModelPackage(arn=arn, baselines=None, model_data_urls=urls)

    packages = [
        version("222222222222", 3, "s3://b2/models/m/model.tar.gz", "s3://b2/models/pre/model.tar.gz"),
        version("111111111111", 1, "s3://own/models/m/model.tar.gz"),
        version("222222222222", 4, "s3://b2/models/m/model.tar.gz"),
    ]
    assert _shared_objects(packages, "111111111111") == [
        SharedObjects(
            "222222222222",
            ("arn:aws:s3:::b2/models/m/model.tar.gz", "arn:aws:s3:::b2/models/pre/model.tar.gz"),
        )
    ]


def test_a_shared_endpoint_reads_another_accounts_version_where_its_registry_keeps_it(
    dev_variant: ResourceGraph,
) -> None:
    """The component serves the producer's latest approved version: its role reads exactly that
    version's artifact in the producer's bucket, decrypted with the producer's keys through S3."""
    [policy] = [
        p
        for p in dev_variant.of_type(ROLE_POLICY)
        if p.name == "shared-endpoint-small-models-models-permissions"
    ]
    found = statements(policy_of(policy))
    artifact = f"arn:aws:s3:::mlops-artifacts-of-{PRODUCER}/models/churn-shared-training/latest-approved/output/model.tar.gz"
    reads = [s for s in found if any(f"-of-{PRODUCER}" in r for r in as_list(s["Resource"]))]
    assert [(s["Action"], s["Resource"]) for s in reads] == [
        (["s3:GetObject", "s3:GetObjectVersion"], [artifact])
    ]
    [decrypt] = [s for s in found if f":{PRODUCER}:key/" in str(s["Resource"])]
    assert decrypt["Action"] == "kms:Decrypt"
    assert decrypt["Condition"] == {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}


def test_a_shadow_variant_pages_on_its_own_5xx_errors_and_latency_as_the_rollback_alarms_would(
    reach_graph: ResourceGraph,
) -> None:
    """The config-reach stack's endpoint has a shadow of its champion: no deployment rolls back on
    it, so its 5xx and p99 latency alarms are the champion's rollback alarms' twins (same metric,
    threshold, period and statistic, from the endpoint's ``deployment``) on its own VariantName; it
    runs on the champion's GPU instance type, so its GPU alarms are the champion's too."""

    def on(variant: str, metric: str) -> list[dict[str, Any]]:
        return [
            a.inputs
            for a in reach_graph.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
            if a.inputs.get("metricName") == metric
            and (a.inputs.get("dimensions") or {}).get("VariantName") == variant
        ]

    def shape(alarm: dict[str, Any]) -> tuple[Any, ...]:
        statistic = alarm.get("statistic") or alarm.get("extendedStatistic")
        return alarm["threshold"], alarm["period"], statistic, alarm["comparisonOperator"]

    for metric in ("Invocation5XXErrors", "ModelLatency", "GPUUtilization", "GPUMemoryUtilization"):
        [rollback] = on("primary", metric)
        [shadow] = on("shadow", metric)
        assert shape(shadow) == shape(rollback), metric
        assert shadow["dimensions"]["EndpointName"] == rollback["dimensions"]["EndpointName"]


def test_the_dashboard_has_a_row_only_for_the_endpoints_that_capture_traffic(
    write_stack: Callable[..., Path],
) -> None:
    """test_alarms_without_capture.py's prod stack (byte-identical): ``uncaptured`` and
    ``serverless`` capture nothing, so their rows (drift, model quality) would graph nothing."""
    graph = recorded_stack(write_stack("prod", without_capture._three_endpoints, name="Pulumi.prod.yaml"))
    [dashboard] = graph.of_type("aws:cloudwatch/dashboard:Dashboard")
    body = dashboard.inputs["dashboardBody"]
    assert "prod-customer-churn" in body
    assert "prod-uncaptured" not in body and "prod-serverless" not in body


def test_live_drift_reads_the_familys_reference_from_the_datasets_bucket(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """test_live_drift.py's prod stack (byte-identical): the reference the report compares with is
    under ``evidently-reference/<family>/`` of the datasets bucket, where the training data is, and
    the report's role reads it there (the artifacts bucket holds no reference)."""
    document = load_stack_document("prod")
    live_drift.live_drift_instead_of_model_monitor(document["config"][CONFIG_KEY])
    path = tmp_path_factory.mktemp("live-drift") / "Pulumi.prod.yaml"
    path.write_text(dump_document(document))
    graph = recorded_stack(path)
    datasets = graph.named("datasets-bucket")
    reference = "evidently-reference/customer-churn/"
    [pipeline] = [
        r
        for r in graph.of_type("aws:sagemaker/pipeline:Pipeline")
        if r.name == "live-drift-customer-churn-pipeline"
    ]
    definition = pipeline.inputs["pipelineDefinition"]
    assert f"s3://{datasets.outputs['bucket']}/{reference}" in definition
    reads = _grants(graph, "live-drift-customer-churn-data-permissions")["s3:GetObject"]
    assert f"{datasets.outputs['arn']}/{reference}*" in reads
    assert not any(reference in r for r in reads - {f"{datasets.outputs['arn']}/{reference}*"})


def test_every_alert_subscription_is_subscribed(dev_variant: ResourceGraph) -> None:
    [topic] = [t for t in dev_variant.of_type(TOPIC) if t.name == "alerts-topic"]
    found = [
        {"protocol": s.inputs["protocol"], "endpoint": s.inputs["endpoint"]}
        for s in dev_variant.of_type("aws:sns/topicSubscription:TopicSubscription")
        if s.inputs["topic"] == topic.outputs["arn"]
    ]
    assert sorted(found, key=str) == sorted(SUBSCRIPTIONS, key=str)


def test_an_empty_drift_features_list_means_no_drift_alarm(staging_serving: ResourceGraph) -> None:
    """``drift_features: []`` is a choice (watch no feature), not "unset": no drift alarm, while the
    data-quality monitor and the other alarms stay."""
    names = {a.inputs["name"] for a in _named_alarms(staging_serving)}
    assert "staging-customer-churn-primary-4xx" in names
    assert not any("drift" in name for name in names), names
    assert staging_serving.of_type("aws:sagemaker/monitoringSchedule:MonitoringSchedule")


# --- training ----------------------------------------------------------------------------------------


def _cut_with_alarm_thresholds(platform: dict[str, Any]) -> None:
    """test_endpoint_alarms.py's ``test_thresholds_follow_a_stack_file_override`` edit, as it is."""
    serving_cut(platform)
    platform["monitoring"]["alarms"] = {"max_4xx_per_minute": 7, "drift_threshold": 0.35}


def test_without_schedule_new_data_or_drift_retraining_nothing_starts_a_pipeline(
    write_stack: Callable[..., Path], stack_graphs: dict[str, ResourceGraph]
) -> None:
    """The prod fixture cut (``training.drift_retraining: false``, no schedule, no new data): its
    endpoint's drift and quality alarms still page, but start no run; and the datasets bucket sends
    no object events (nothing listens). The whole prod fixture has both."""
    cut = recorded_stack(write_stack("prod", _cut_with_alarm_thresholds))
    assert [r.name for r in cut.resources if r.name.startswith("triggers-")] == []
    assert "prod-customer-churn-data-drift" in {a.inputs["name"] for a in _named_alarms(cut)}
    assert [r.name for r in cut.of_type(NOTIFICATION)] == []

    whole = stack_graphs["prod"]
    assert any(r.name.startswith("triggers-") for r in whole.resources)
    [events] = whole.of_type(NOTIFICATION)
    assert events.name == "datasets-events" and events.inputs["eventbridge"] is True


def _named_alarms(graph: ResourceGraph) -> list[RecordedResource]:
    return [a for a in graph.of_type("aws:cloudwatch/metricAlarm:MetricAlarm") if "name" in a.inputs]


def test_new_data_alone_starts_the_familys_pipeline(dev_variant: ResourceGraph) -> None:
    """No schedule and no drift alarm (dev monitors nothing): the new-data trigger is still built."""
    triggers = {(r.type, r.name) for r in dev_variant.resources if r.name.startswith("triggers-")}
    assert ("aws:pipes/pipe:Pipe", "triggers-customer-churn-new-data") in triggers
    [rule] = [
        r
        for r in dev_variant.of_type("aws:cloudwatch/eventRule:EventRule")
        if r.name == "triggers-customer-churn-new-data"
    ]
    pattern = json.loads(rule.inputs["eventPattern"])
    assert pattern["detail"]["bucket"]["name"] == [dev_variant.named("datasets-bucket").outputs["bucket"]]
    assert not any("schedule" in name or "drift" in name for _, name in triggers)


# --- registry ----------------------------------------------------------------------------------------


def test_every_familys_approvals_are_dispatched_naming_the_stacks_environment(
    dev_variant: ResourceGraph,
) -> None:
    """Each family's approval rule has its dispatch target; the payload names the environment, not
    the name prefix (``churn-dev``)."""
    targets = {
        t.name: t
        for t in dev_variant.of_type("aws:cloudwatch/eventTarget:EventTarget")
        if t.name.startswith("approval-dispatch-")
    }
    assert set(targets) == {"approval-dispatch-customer-churn", f"approval-dispatch-{SECOND_FAMILY}"}
    rules = {r.name: r for r in dev_variant.of_type("aws:cloudwatch/eventRule:EventRule")}
    for family, target in [("customer-churn", targets["approval-dispatch-customer-churn"]),
                           (SECOND_FAMILY, targets[f"approval-dispatch-{SECOND_FAMILY}"])]:  # fmt: skip
        template = target.inputs["inputTransformer"]["inputTemplate"]
        payload = json.loads(template.replace('"<', '"').replace('>"', '"'))["client_payload"]
        assert (payload["family"], payload["source_stack"], payload["source_environment"]) == (
            family,
            "variant",
            "dev",
        )
        [rule] = [r for name, r in rules.items() if r.outputs.get("name") == target.inputs["rule"]]
        assert f"churn-dev-{family}" in rule.inputs["eventPattern"]


# --- foundation --------------------------------------------------------------------------------------


def _grants(graph: ResourceGraph, policy_name: str) -> dict[str, set[str]]:
    """Action → resources an Allow statement of a role policy grants it on."""
    granted: dict[str, set[str]] = {}
    for statement in statements(policy_of(graph.named(policy_name))):
        assert statement["Effect"] == "Allow"
        for action in as_list(statement["Action"]):
            granted.setdefault(action, set()).update(as_list(statement["Resource"]))
    return granted


def test_the_inference_role_reads_models_and_writes_only_data_capture(
    stack_graphs: dict[str, ResourceGraph],
) -> None:
    for stack, graph in stack_graphs.items():
        artifacts = graph.named("artifacts-bucket").outputs["arn"]
        granted = _grants(graph, "inference-role-permissions")
        assert granted["s3:GetObject"] == {f"{artifacts}/models/*", f"{artifacts}/data-capture/*"}, stack
        assert granted["s3:PutObject"] == {f"{artifacts}/data-capture/*"}, stack


def test_the_training_role_reads_the_datasets_and_writes_only_the_artifacts(
    stack_graphs: dict[str, ResourceGraph],
) -> None:
    for stack, graph in stack_graphs.items():
        datasets = graph.named("datasets-bucket").outputs["arn"]
        artifacts = graph.named("artifacts-bucket").outputs["arn"]
        granted = _grants(graph, "training-role-permissions")
        # Of the datasets bucket, only each trained family's training data and Evidently reference.
        families = [f for f in graph.config[CONFIG_KEY]["models"] if f.get("training")]
        reads = {f"{datasets}/training-data/{f['name']}/*" for f in families}
        reads |= {
            f"{datasets}/{f['evidently'].get('reference_prefix') or 'evidently-reference/' + f['name'] + '/'}*"
            for f in families
            if f.get("evidently")
        }
        assert granted["s3:GetObject"] == {*reads, f"{artifacts}/*"}, stack
        assert granted["s3:PutObject"] == {f"{artifacts}/*"}, stack
        assert not any(datasets in r for a, rs in granted.items() if "Delete" in a for r in rs), stack


def test_consumer_accounts_read_models_and_baselines_and_decrypt_only_through_s3(
    stack_graphs: dict[str, ResourceGraph],
) -> None:
    """The dev fixture shares its versions with two accounts: their endpoints read the model
    artifacts and their monitors the baselines a version registered; the data key lets them
    decrypt only while reading through S3 in the stack's region."""
    graph = stack_graphs["dev"]
    platform = graph.config[CONFIG_KEY]
    consumers = [f"arn:aws:iam::{a}:root" for a in sorted(platform["models"][0]["consumer_accounts"])]
    artifacts = graph.named("artifacts-bucket").outputs["arn"]
    by_sid = {s.get("Sid"): s for s in statements(policy_of(graph.named("artifacts-policy")))}
    reads = by_sid["ReaderAccountsGetObjects"]
    assert reads["Principal"] == {"AWS": consumers}
    assert set(reads["Resource"]) == {f"{artifacts}/models/*", f"{artifacts}/baselines/*"}
    listing = by_sid["ReaderAccountsListTheirPrefixes"]
    assert set(listing["Condition"]["StringLike"]["s3:prefix"]) == {"models/*", "baselines/*"}
    key = {s.get("Sid"): s for s in statements(policy_of(graph.named("kms-data-key")))}
    decrypt = key["ConsumerAccountsDecryptModelArtifacts"]
    assert decrypt["Principal"] == {"AWS": consumers}
    assert decrypt["Condition"] == {
        "StringEquals": {"kms:ViaService": f"s3.{platform['region']}.amazonaws.com"}
    }


def test_the_extraction_role_describes_a_capitalised_feature_group_by_its_lower_cased_arn(
    dev_variant: ResourceGraph,
) -> None:
    """Feature group names may hold capitals; SageMaker's ARN of the group carries the name in lower
    case, so an IAM resource with the capitals would match no request."""
    granted = _grants(dev_variant, "feature-extraction-role-permissions")
    assert granted["sagemaker:DescribeFeatureGroup"] == {
        f"arn:aws:sagemaker:eu-west-1:111111111111:feature-group/churn-dev-{LABELLED.lower()}"
    }


def test_a_stack_that_does_not_train_has_no_training_step_roles(staging_serving: ResourceGraph) -> None:
    """Experiment tracking on, training off: the TrackExperiment step's role has no pipeline to run
    in (nor has the pipeline role anything to pass it to)."""
    roles = {r.name for r in staging_serving.of_type(ROLE)}
    assert "inference-role-role" in roles
    assert not any(name.startswith(("tracking-job", "feature-extraction")) for name in roles), roles
    assert not staging_serving.of_type("aws:sagemaker/pipeline:Pipeline")


def test_audit_trail_off_exports_no_trail(staging_serving: ResourceGraph) -> None:
    """``audit_trail.enabled: false`` creates no trail and exports none, even where the stack names
    the organization's (it is exported only while the stack records with it)."""
    assert "audit_trail_arn" not in staging_serving.exports
    assert not staging_serving.of_type("aws:cloudtrail/trail:Trail")


def test_the_aws_native_provider_is_locked_to_the_stacks_account(reach_graph: ResourceGraph) -> None:
    [native] = reach_graph.of_type("pulumi:providers:aws-native")
    platform = reach_graph.config[CONFIG_KEY]
    # Provider inputs travel as strings: the list as JSON.
    assert json.loads(native.inputs["allowedAccountIds"]) == [platform["account_id"]]
    assert native.inputs["region"] == platform["region"]


def test_a_pipelines_scripts_carry_the_required_tags_before_the_others(dev_variant: ResourceGraph) -> None:
    objects = [
        o
        for o in dev_variant.of_type("aws:s3/bucketObjectv2:BucketObjectv2")
        if o.name.startswith("training-customer-churn")
    ]
    assert objects
    for script in objects:
        tags = script.inputs["tags"]
        assert len(tags) == 10, script.name
        assert {"owner", "cost-center", "environment", "stack", "managed-by"} <= set(tags), script.name


@pytest.mark.parametrize(("stack", "days"), [("dev", 7), ("staging", 30), ("prod", 30)])
def test_every_key_waits_its_environments_deletion_window(
    stack_graphs: dict[str, ResourceGraph], stack: str, days: int
) -> None:
    """The approval dispatch's connection key and the audit trail's too: dev's keys go after 7
    days (``pulumi destroy`` must be able to remove everything), not the 30 of the others."""
    keys = stack_graphs[stack].of_type("aws:kms/key:Key")
    assert {"kms-deliveries-key", "audit-key-key", "kms-data-key"} <= {k.name for k in keys}
    assert {k.name: k.inputs["deletionWindowInDays"] for k in keys} == {k.name: days for k in keys}
