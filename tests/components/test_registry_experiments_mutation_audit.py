"""Hand-mutation audit of the model registry, experiment tracking and four observability modules:
the tests that kill the mutations the existing suite let live.

Modules audited and one-step mutations tried (180 in all), each run against the tests that mention
the module, survivors again against a wider set (test_training_pipeline_tracking.py,
test_failure_alerts.py, test_deploy_time_rules.py, the stack-level config and lifecycle tests):

- components/registry/approval_dispatch.py: 33 (input paths, payload fields, bearer header and its
  secrecy, connection/queue keys, endpoint, rate limit, queue policy principal/action/resource/
  source ARNs, TLS deny, invoker role action/resource/trust, target rule/role/dead letter, retry
  bounds and defaults); survived 4 (retry bounds 185 -> 186 and 86400 -> 86401, queue policy
  Resource -> "*", default retries 24 -> 0): caught now, 4.
- components/registry/dispatch_target.py: 8 (owner/name lengths and classes, ".."/".", event-type
  pattern, fullmatch -> match); survived 3: fullmatch -> match twice (a trailing line break passed):
  caught now, 2; the event type's first-character class: left alone (below).
- components/registry/model_registry.py: 27 (event pattern source/detail-type/status/group,
  unprefixed group, consumer principals of another family or of this account, group/package
  resources, region, extra actions, topic key/policy/principal/action/source ARNs, retention and
  protection, family -> rule mapping, default approval status); survived 2 (approval_mode check
  dropped, duplicate family check dropped): caught now, 2.
- components/registry/model_family_spec.py: 17 (approval statuses, consumer actions, metric pattern,
  finite threshold, >=/<=, direction, account bounds and comparisons, description category, account
  pattern, unique accounts, default direction); survived 5: caught now 3 (ListModelPackages dropped,
  metric pattern unanchored, account pattern unanchored), equivalent 2 (below).
- components/experiments/experiment_tracking.py: 17 (prefix, key, registration switch, region,
  Allow/Deny actions and resources, lower-casing, Deny -> Allow, trust, artifact store, size,
  registration flag, the logging statement's resource and actions); survived 2 (logging statement
  resource "*", actions "sagemaker-mlflow:*"): both killed by test_training_pipeline_tracking.py.
- components/experiments/experiment_tracking_spec.py: 8 (enabled/registration defaults, name,
  window and version bounds, logging actions added/dropped, server ARN, name prefix, MLFLOW_PREFIX);
  survived 3 (logging actions +Delete/-UpdateRun, server ARN "/*"): killed by
  test_training_pipeline_tracking.py.
- components/observability/cost_guardrails.py: 28 (key grants' account/source/topic conditions and
  actions, limit/threshold/notification bounds, tag filter, budget type/time unit/limit,
  ACTUAL/FORECASTED, comparison, threshold type, subscribers, percent scale, monitor type/tag/match,
  frequency, impact key and match, amount format, tag activation/retention, budget ordering);
  survived 3 (limit == MAX refused, 10 notifications refused, threshold checks dropped): caught now, 3.
- components/observability/alert_subscription.py: 9; survived 6: 5 killed by test_failure_alerts.py
  and test_deploy_time_rules.py, 1 equivalent (below).
- components/observability/live_drift.py: 21 (pipeline tag, schedule age, drift share, kind
  dimension, capture prefix, run hours, roles swapped, lister condition/prefix/script read, writes,
  data role reads, passed roles, JsonGet reads, KMS, trust, variants, tag budget, publisher);
  survived 6 (pipeline tagged with the family, data role reading every endpoint's capture or the
  whole datasets bucket, pipeline role without the key, roles trusting events.amazonaws.com, no
  production variant accepted): caught now, 6. The fixture stack's endpoint and family share a name
  (customer-churn), which is why the tag mutation lived: the tests here name them apart.
- components/observability/live_drift_definition.py: 12 (capture URI, isolation of each job,
  run hours, variants, manifest type, condition bound and path, roles, if-steps); survived 0.

Survived the first pass 34; killed by existing tests outside it 10; caught now 20; equivalent 3;
left alone 1.

Bug found (while reviewing what the survivors guard, not by a mutant) and fixed:
components/experiments/experiment_tracking.py: the Deny that keeps MLflow's automatic registration
out of the platform's own groups named each group only lower-cased (``prod-fraud`` for
``prod-Fraud``). IAM compares ARNs as written, and a model package ARN has been seen keeping its
group's capitals (AccessDenied on ``model-package/modelPackageGroupTurbine/1``,
aws-samples/ml-edge-getting-started#18), so a family named with capitals was left writable and
approvable. Now each group as named and lower-cased; see
test_mlflow_may_not_write_or_approve_in_a_platform_group_named_with_capitals.

Equivalent:
- model_family_spec ``not math.isfinite`` -> ``math.isnan``: SPEC_CONFIG already refuses inf and NaN
  (pydantic's finite_number) before the validator runs.
- MAX_FAMILY_CONSUMER_ACCOUNTS 500 -> 501: a round, conservative bound (about 573 accounts fit
  SageMaker's 20,480 characters); test_model_registry checks the policy fits at the bound and is
  not loose.
- alert_subscription ``endswith(f".{known}")`` -> ``endswith(known)``: a host ending in
  ``hooks.slack.com``, ``webhook.office.com`` or ``hooks.chime.aws`` without the dot is still a
  host of slack.com, office.com or chime.aws, never a relay of the team's.

Left alone:
- dispatch_target's event type first character ``[a-z0-9]`` widened to ``[a-z0-9_.-]``: GitHub puts
  no such rule on event types and a leading ``.``/``_``/``-`` breaks nothing; a test would pin the
  regex, not a behaviour.
- ModelRegistry's consumer policy names the group as written. Kept so (the same evidence as the bug
  above says model package ARNs keep their case); if SageMaker lower-cases them after all, a family
  named with capitals would be unreadable from its consumer accounts (fails closed).
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from components.experiments.experiment_tracking import ExperimentTracking, ExperimentTrackingArgs
from components.experiments.experiment_tracking_spec import ExperimentTrackingSpec
from components.observability.budget_spec import MAX_LIMIT_USD, MAX_NOTIFICATIONS, BudgetSpec
from components.observability.cost_guardrails import CostGuardrailsArgs
from components.observability.live_drift import LiveDrift, LiveDriftArgs
from components.registry.approval_dispatch import ApprovalDispatch, ApprovalDispatchArgs
from components.registry.dispatch_target import event_type_problem, repository_problem
from components.registry.model_family_spec import ModelFamilySpec
from components.registry.model_registry import ModelRegistry, ModelRegistryArgs
from components.training.evidently import EvidentlySpec
from planner.recorder import ResourceGraph, record_program
from stacks.delivery_config import ApprovalDispatchConfig
from tests.graph_helpers import as_list, grants, only, policy_of, statements
from tests.recorded import computed_once

ACCOUNT = "111111111111"
REGION = "eu-west-1"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ARTIFACTS = "arn:aws:s3:::artifacts"
DATASETS = "arn:aws:s3:::datasets"
DATA_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/data"

# --- Approval dispatch ----------------------------------------------------------------------------


def _dispatch_args(**changes: Any) -> ApprovalDispatchArgs:
    args: dict[str, Any] = dict(
        repository="my-org/mlops-platform",
        approval_rules={"fraud": ("fraud-approved", f"arn:aws:events:{REGION}:{ACCOUNT}:rule/fraud")},
        token="ghp_plain",
        connection_kms_key_arn=f"arn:aws:kms:{REGION}:{ACCOUNT}:key/connection",
        queue_kms_key_arn=f"arn:aws:kms:{REGION}:{ACCOUNT}:key/queue",
        account_id=ACCOUNT,
        role_path="/mlops-platform/sbx/",
        source_stack="sbx",
        environment="dev",
        tags={"owner": "t"},
    )
    return ApprovalDispatchArgs(**{**args, **changes})


def _dispatch(**changes: Any) -> ResourceGraph:
    # Once per version of the code and of this file: the changes as written are the key.
    return computed_once(
        "dispatch",
        lambda: record_program(lambda: ApprovalDispatch("dispatch", _dispatch_args(**changes))),
        key=[repr(changes)],
    )


@pytest.mark.parametrize(
    ("field", "accepted", "refused"),
    [
        ("maximum_retry_attempts", [0, 185], [-1, 186]),
        ("maximum_event_age_seconds", [60, 86400], [59, 86401]),
    ],
)
def test_the_args_take_exactly_the_retry_policy_the_stack_file_does(
    field: str, accepted: list[int], refused: list[int]
) -> None:
    """EventBridge's bounds (0-185 retries, 60-86400 s): the stack file's ApprovalDispatchConfig and
    the component's args agree, so a direct caller cannot plan a retry policy AWS refuses."""
    for value in accepted:
        ApprovalDispatchConfig(repository="my-org/mlops-platform", **{field: value})
        assert getattr(_dispatch_args(**{field: value}), field) == value
    for value in refused:
        with pytest.raises(ValidationError):
            ApprovalDispatchConfig(repository="my-org/mlops-platform", **{field: value})
        with pytest.raises(ValueError, match=rf"ApprovalDispatchArgs\.{field}: {value} is not an integer"):
            _dispatch_args(**{field: value})


def test_a_direct_caller_gets_the_stack_files_default_retry_policy() -> None:
    """Left out, the args retry as a stack file's defaults do: a day of GitHub retries within an hour,
    not a first failure sent straight to the dead-letter queue."""
    config = ApprovalDispatchConfig(repository="my-org/mlops-platform")
    target = only(_dispatch(), "aws:cloudwatch/eventTarget:EventTarget")
    assert target.inputs["retryPolicy"] == {
        "maximumRetryAttempts": config.maximum_retry_attempts,
        "maximumEventAgeInSeconds": config.maximum_event_age_seconds,
    }
    assert config.maximum_retry_attempts > 0


def test_only_the_rules_may_send_to_the_dead_letter_queue_and_only_to_it() -> None:
    graph = _dispatch()
    queue = only(graph, "aws:sqs/queue:Queue")
    [allow] = [
        s
        for s in statements(policy_of(only(graph, "aws:sqs/queuePolicy:QueuePolicy")))
        if s["Effect"] == "Allow"
    ]
    assert allow["Resource"] == queue.outputs["arn"]
    assert allow["Action"] == "sqs:SendMessage"
    assert allow["Condition"] == {
        "ArnEquals": {"aws:SourceArn": [f"arn:aws:events:{REGION}:{ACCOUNT}:rule/fraud"]}
    }


@pytest.mark.parametrize(
    ("check", "value"),
    [(repository_problem, "my-org/mlops-platform\n"), (event_type_problem, "model-approved\n")],
    ids=["repository", "event-type"],
)
def test_a_trailing_line_break_is_refused(check: Any, value: str) -> None:
    """A YAML block scalar ends with a line break: the repository would go into the dispatch URL
    and the event type into the payload with it, and the deploy workflow would never start."""
    assert check(value.rstrip("\n")) is None
    assert check(value) is not None


# --- Model registry -------------------------------------------------------------------------------


def _family(name: str, accounts: list[str] | None = None, **promotion: Any) -> ModelFamilySpec:
    return ModelFamilySpec.model_validate(
        {
            "name": name,
            "promotion": {"metric": "metrics.auc.value", "threshold": 0.8, **promotion},
            "consumer_accounts": accounts or [],
        }
    )


def _registry_args(*families: ModelFamilySpec, **changes: Any) -> ModelRegistryArgs:
    args: dict[str, Any] = dict(
        families=families,
        approval_mode="manual",
        account_id=ACCOUNT,
        region=REGION,
        notification_key_arn=f"arn:aws:kms:{REGION}:{ACCOUNT}:key/n",
        tags={"owner": "t"},
        retain=False,
        name_prefix="sbx",
    )
    return ModelRegistryArgs(**{**args, **changes})


def test_an_unknown_approval_mode_is_refused_by_the_args() -> None:
    assert _registry_args(_family("churn"), approval_mode="auto").approval_mode == "auto"
    with pytest.raises(ValueError, match=r"ModelRegistryArgs\.approval_mode"):
        _registry_args(_family("churn"), approval_mode="automatic")


def test_two_families_of_one_name_are_refused_before_anything_is_planned() -> None:
    """They would share one model package group and one approval rule name."""
    # The args refuse them, before the component registers anything.
    with pytest.raises(ValueError, match=r"ModelRegistryArgs\.families: model family names must be unique"):
        _registry_args(_family("churn"), _family("churn", ["222222222222"]))


def test_a_consumer_account_may_make_every_registry_read_its_stack_makes() -> None:
    """A consumer (staging/prod) stack resolves its model from the registry account: ListModelPackages
    for the newest approved version, DescribeModelPackageGroup and DescribeModelPackage
    (stacks/model_packages.py). Each on its own family's group only."""
    graph = record_program(
        lambda: ModelRegistry("registry", _registry_args(_family("churn", ["222222222222"])))
    )
    policy = only(graph, "aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy")
    [statement] = statements(policy_of(policy, "resourcePolicy"))
    registry = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"
    for action in ("ListModelPackages", "DescribeModelPackageGroup", "DescribeModelPackage"):
        assert grants(statement, f"sagemaker:{action}"), action
    assert statement["Resource"] == [
        f"{registry}:model-package-group/sbx-churn",
        f"{registry}:model-package/sbx-churn/*",
    ]


@pytest.mark.parametrize("account", ["1111111111111", "11111111111x", "111111111111 "])
def test_a_consumer_account_is_twelve_digits_and_nothing_more(account: str) -> None:
    """The account becomes a principal ``arn:aws:iam::<account>:root`` of the group's policy."""
    assert _family("churn", ["222222222222"]).consumer_accounts == ["222222222222"]
    with pytest.raises(ValidationError, match="consumer_accounts"):
        _family("churn", [account])


@pytest.mark.parametrize("metric", ["metrics.auc.valuex", "metrics.auc.value.std", "metrics.auc.value\n"])
def test_a_promotion_metric_ends_at_value(metric: str) -> None:
    """The promotion step reads exactly ``metrics.<name>.value`` of the evaluation report."""
    assert _family("churn").promotion.metric == "metrics.auc.value"
    with pytest.raises(ValidationError, match="metric"):
        _family("churn", metric=metric)


# --- Experiment tracking --------------------------------------------------------------------------


def test_mlflow_may_not_write_or_approve_in_a_platform_group_named_with_capitals() -> None:
    """A family ``Fraud`` makes the group ``prod-Fraud``. IAM compares ARNs as written, and a model
    package ARN has been seen keeping its group's capitals (an AccessDenied on
    ``model-package/modelPackageGroupTurbine/1``, aws-samples/ml-edge-getting-started#18): a deny on
    the lower-cased name alone would leave MLflow free to register and approve there."""
    graph = record_program(
        lambda: ExperimentTracking(
            "tracking",
            ExperimentTrackingArgs(
                spec=ExperimentTrackingSpec(enabled=True, automatic_model_registration=True),
                account_id=ACCOUNT,
                region=REGION,
                artifact_bucket_name="artifacts",
                artifact_bucket_arn=ARTIFACTS,
                kms_key_arn=DATA_KEY,
                role_path="/mlops-platform/prod/",
                tags={"owner": "t"},
                protected_model_package_groups=("prod-Fraud",),
            ),
        )
    )
    [deny] = [s for s in statements(policy_of(only(graph, ROLE_POLICY))) if s["Effect"] == "Deny"]
    assert "sagemaker:UpdateModelPackage" in deny["Action"]
    registry = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"
    for name in ("prod-Fraud", "prod-fraud"):
        assert f"{registry}:model-package-group/{name}" in deny["Resource"], name
        assert f"{registry}:model-package/{name}/*" in deny["Resource"], name


# --- Cost guardrails ------------------------------------------------------------------------------


def _guardrails(**changes: Any) -> CostGuardrailsArgs:
    args: dict[str, Any] = dict(
        account_id=ACCOUNT,
        name_prefix="dev",
        scope_tag=("stack", "dev"),
        topic_arn=f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts",
        anomaly_threshold_usd=50.0,
        tags={},
        monthly_limit_usd=100.0,
    )
    return CostGuardrailsArgs(**{**args, **changes})


def test_what_the_budget_section_accepts_the_args_accept() -> None:
    """The largest limit and as many notifications as Budgets takes: a stack file that passes its
    checks must not fail later building the component."""
    spec = BudgetSpec(
        monthly_limit_usd=MAX_LIMIT_USD,
        actual_thresholds_percent=[10.0, 20, 30, 40, 50],
        forecast_thresholds_percent=[60.0, 70, 80, 90, 100],
    )
    args = _guardrails(
        monthly_limit_usd=spec.monthly_limit_usd,
        anomaly_threshold_usd=MAX_LIMIT_USD,
        actual_thresholds_percent=tuple(spec.actual_thresholds_percent),
        forecast_thresholds_percent=tuple(spec.forecast_thresholds_percent),
    )
    assert len(args.actual_thresholds_percent) + len(args.forecast_thresholds_percent) == MAX_NOTIFICATIONS


@pytest.mark.parametrize(
    ("field", "thresholds"),
    [
        ("actual_thresholds_percent", (80.0, 80.0)),
        ("actual_thresholds_percent", (0.0, 100.0)),
        ("forecast_thresholds_percent", (1000.5,)),
    ],
    ids=["twice", "zero", "above-1000"],
)
def test_the_args_refuse_thresholds_budgets_would(field: str, thresholds: tuple[float, ...]) -> None:
    with pytest.raises(ValueError, match=rf"CostGuardrailsArgs\.{field}"):
        _guardrails(**{field: thresholds})


# --- Live drift -----------------------------------------------------------------------------------


def _live_drift_args(**changes: Any) -> LiveDriftArgs:
    """An endpoint (``scoring``) named apart from the family it serves (``churn``)."""
    args: dict[str, Any] = dict(
        endpoint="scoring",
        endpoint_name="sbx-scoring",
        variants=["blue"],
        family="churn",
        pipeline_name="sbx-scoring-live-drift",
        schedule="cron(0 0 ? * * *)",
        evidently=EvidentlySpec(image_tag="0.7.23-1"),
        image_uri=f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/evidently:0.7.23-1",
        publisher_role_arn=f"arn:aws:iam::{ACCOUNT}:role/publisher",
        region=REGION,
        account_id=ACCOUNT,
        role_path="/mlops-platform/sbx/",
        artifact_bucket_name="artifacts",
        artifact_bucket_arn=ARTIFACTS,
        datasets_bucket_name="datasets",
        datasets_bucket_arn=DATASETS,
        kms_key_arn=DATA_KEY,
        subnet_ids=["subnet-1"],
        security_group_ids=["sg-1"],
        alarm_topic_arn=f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts",
        tags={"owner": "t"},
    )
    return LiveDriftArgs(**{**args, **changes})


@pytest.fixture(scope="module")
def live_drift() -> ResourceGraph:
    return record_program(lambda: LiveDrift("live", _live_drift_args()))


def _live_permissions(graph: ResourceGraph, role: str) -> list[dict[str, Any]]:
    [policy] = [r for r in graph.of_type(ROLE_POLICY) if r.name == f"live-{role}-permissions"]
    return statements(policy_of(policy))


def _reads(granted: list[dict[str, Any]], bucket: str) -> set[str]:
    return {
        resource
        for s in granted
        if s["Effect"] == "Allow" and "s3:GetObject" in as_list(s["Action"])
        for resource in as_list(s["Resource"])
        if resource.startswith(bucket)
    }


def test_the_pipeline_is_tagged_with_the_endpoint_it_watches_not_the_family(live_drift) -> None:
    pipeline = only(live_drift, "aws:sagemaker/pipeline:Pipeline")
    assert pipeline.inputs["tags"] == {"owner": "t", "mlops:endpoint": "scoring"}


def test_the_data_role_reads_this_endpoints_capture_and_this_familys_reference_only(live_drift) -> None:
    """Not another endpoint's captured requests, not the datasets bucket's other data."""
    granted = _live_permissions(live_drift, "data")
    assert _reads(granted, ARTIFACTS) == {
        f"{ARTIFACTS}/data-capture/scoring/*",
        f"{ARTIFACTS}/pipelines/sbx-scoring-live-drift/*",
    }
    assert _reads(granted, DATASETS) == {f"{DATASETS}/evidently-reference/churn/*"}


def test_every_live_drift_role_is_sagemakers_and_the_pipeline_may_decrypt_what_it_reads(live_drift) -> None:
    """SageMaker Pipelines reads ListCapture's count and EvidentlyReport's summary (JsonGet) as the
    pipeline's role: both are written under the data key."""
    for role in ("lister", "data", "pipeline"):
        [found] = [r for r in live_drift.of_type("aws:iam/role:Role") if r.name == f"live-{role}-role"]
        assert [s["Principal"] for s in statements(policy_of(found, "assumeRolePolicy"))] == [
            {"Service": "sagemaker.amazonaws.com"}
        ], role
    kms = [s for s in _live_permissions(live_drift, "pipeline") if grants(s, "kms:Decrypt")]
    assert kms and all(as_list(s["Resource"]) == [DATA_KEY] for s in kms)


def test_a_live_drift_without_production_variants_is_refused() -> None:
    with pytest.raises(ValueError, match=r"LiveDriftArgs\.variants"):
        _live_drift_args(variants=[])
