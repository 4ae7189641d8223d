"""What the CloudTrail, cost, Athena, SQS and serving-graph rules decide, where a mutation audit found no test holding it.

A hand-mutation audit of policies/rules/cloudtrail.py, policies/rules/cost.py, policies/rules/athena.py,
policies/rules/sqs.py and policies/rules/_serving.py: 132 one-step mutations of the decision logic
(16, 24, 23, 14 and 55), each run against the tests of its rules. 107 were caught; 25 survived. Of
those, 11 are caught by a test here and 14 are equivalent (below). No survivor exposed a product bug; a
review of the same rules for adversarial resources (aws-native updates, outputs after apply) found
two (fixed, see CHANGELOG.md and below). Of 7 further mutations of the fixed lines, 6 are caught
(3 only here) and 1 is equivalent.

cloudtrail.py (16 mutations, 1 survived, caught now):

- a single-region trail whose logging is stopped is told both things, not the first only.

cost.py (``stack-cost-budget``; 24 mutations, 5 survived: 1 caught now, 4 equivalent):

- an aws-native notification to an inbox and to an SNS topic pages through the topic (one SNS
  subscriber is enough; the e-mail one does not spoil it).

athena.py (23 mutations, 4 survived: 2 caught now, 2 equivalent):

- a results key of ``""`` (an output after create, or a blank literal) names no key: SSE_KMS/CSE_KMS
  results on both workgroup types, and Athena-owned managed results.

The bug: aws-native's deprecated ``workGroupConfigurationUpdates`` was held to enforcement, the
removal of the results encryption and a non-KMS option, but not to its
``managedQueryResultsConfiguration``, so an update moving the results to Athena-owned storage with
no ``kmsKey`` (an AWS-owned key) passed on a workgroup whose configuration named a customer key.
The same setting in ``workGroupConfiguration`` was already refused; the update is now refused too.

The second bug (_serving.py): after ``pulumi up`` stack policies see outputs, where pulumi-aws
reports a variant's unset ``modelName`` as ``""`` (tests/policies/engine_shapes.py). That read as
a model, so a compliant endpoint of inference components was refused by the monitoring, autoscaling
and rollout rules after apply though preview passed it; a blank ``modelName`` now names no model.

sqs.py (14 mutations, 5 survived: 4 caught now, 1 equivalent):

- every ``alias/aws/*`` alias (bare or as an alias ARN) is an AWS-managed key, not only
  ``alias/aws/sqs``; a customer alias merely containing ``aws`` is not;
- a ``kmsMasterKeyId`` of ``""`` leaves the queue without KMS;
- ``allowSqsManagedSse: true`` accepts SSE-SQS, not a queue with ``sqsManagedSseEnabled: false``
  and no key (an unencrypted queue).

_serving.py (55 mutations, 10 survived: 3 caught now, 7 equivalent):

- an endpoint whose name is unknown at preview is followed to its scaling target, policy and
  monitoring job by dependency and decided (``name_of`` reads an unknown name as None);
- a scheduled pipeline over the capture of an endpoint whose name is unknown leaves the monitoring
  check undecided, not "unwatched" (``checked_name_of`` raises);
- a serverless variant naming no model does not make its endpoint an inference-component host, so
  its monitoring is still demanded.

Equivalent (no input a provider accepts changes the verdict or message):

- cost: ``_on_overspend`` (``_pages`` since session 70) without the notification-type test, and the
  aws-native type read as ``ACTUAL``: Budgets' ``NotificationType`` is ``ACTUAL`` or ``FORECASTED``, both in the set;
- cost: ``budgetType`` unset read as COST: the property is required by both providers, so the
  engine's provider check fails such a budget before any policy sees it;
- cost: stopping ``_sns_notifications`` at its first match: callers only ask whether it found any
  (session 70: it is ``_notifies_sns`` now, which stops there on purpose, so one paging notification
  decides beside another unknown at preview: tests/policies/test_adversarial_sagemaker_cost_70.py);
- athena: an aws-native update's ``encryptionOption`` refused only when ``SSE_S3``: the option's
  enum is ``SSE_S3``, ``SSE_KMS``, ``CSE_KMS``, so that is the only non-KMS value;
- athena: enforcement refused only when false rather than when not true: the flag is a boolean
  (``is_true``/``is_false`` also read ``"true"``/``"false"``), an unset one takes the type's default
  first, and an unknown one raises before either test;
- sqs: the ``isinstance(key, str)`` guard dropped: ``kmsMasterKeyId`` is a string in both SDKs;
- _serving: ``endpoint_config_of`` without ``first=True``: the names are read with ``name_of``,
  which never raises, so no later unreadable configuration can change the answer, and only the
  first match is used;
- _serving: ``if endpoint_name is not None`` for ``if endpoint_name``: they differ only for ``""``,
  which is no SageMaker endpoint name (``^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}``);
- _serving: ``scaling_policies_of`` without ``besides=linked``: ``in_stack_order`` merges by
  position and ``_resource_id`` never raises, so the same policies come back;
- _serving: ``hosts_inference_components`` without the ``is_map`` filter: a variant is a struct,
  and an element unknown at preview raises while the list is read, before the filter;
- _serving: ``_scaled_endpoint`` without its ``is_variant_target`` test: ``variant_targets`` keeps
  only variant targets afterwards;
- _serving: the last unknown variant raised rather than the first: the verdict (undecided) is the
  same, and the engine's unknown-value message does not name the variant;
- _serving: the "computed from several configurations" read done when the name is known too:
  reading a known name raises nothing.
- _serving (fixed line): ``modelName`` taken when truthy rather than ``is_set``: it is a string,
  for which the two agree, and an unknown one raises before either.
"""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.local import evaluate_report
from policies.registry import get_policy
from tests.policies.conftest import build
from tests.policies.engine_shapes import as_outputs
from tests.policies.test_capture_watchers import pipeline, scheduler
from tests.policies.test_policy_inference_component_rules import ic_graph
from tests.policies.test_policy_prod_stack_rules import PROD, prod_graph

UNKNOWN = UNKNOWN_STRING_VALUE
KEY = "arn:aws:kms:eu-west-1:111122223333:key/abcd"
TOPIC_ARN = "arn:aws:sns:eu-west-1:111122223333:alerts"
TRAIL = "aws:cloudtrail/trail:Trail"
NATIVE_TRAIL = "aws-native:cloudtrail:Trail"
WORKGROUP = "aws:athena/workgroup:Workgroup"
NATIVE_WORKGROUP = "aws-native:athena:WorkGroup"
QUEUE = "aws:sqs/queue:Queue"
NATIVE_QUEUE = "aws-native:sqs:Queue"


def verdicts(
    policy: str, specs: list[dict[str, Any]], config: dict[str, Any] | None = None
) -> tuple[list[str], int]:
    """The messages ``policy`` reports over ``specs`` (inputs behind the engine's unknown-checking
    proxy) and how many of its checks were undecided."""
    report = evaluate_report(build(specs), config, [get_policy(policy)])
    assert {v.policy_name for v in report.violations} <= {policy}
    return [v.message for v in report.violations], len(report.undecided)


def one(
    policy: str, resource_type: str, inputs: dict[str, Any], config: dict[str, Any] | None = None
) -> tuple[list[str], int]:
    return verdicts(policy, [{"type": resource_type, "name": "subject", "inputs": inputs}], config)


# --- cloudtrail-multi-region ---------------------------------------------------------------------

SINGLE_REGION = (
    "isMultiRegionTrail is not true: set is_multi_region_trail=True so activity in every "
    "region (including ones nobody uses yet) is recorded."
)


@pytest.mark.parametrize(
    ("trail_type", "logging", "fix"),
    [
        pytest.param(TRAIL, "enableLogging", "remove enable_logging=False", id="pulumi-aws"),
        pytest.param(NATIVE_TRAIL, "isLogging", "set is_logging=True", id="aws-native"),
    ],
)
def test_a_single_region_stopped_trail_is_told_both_things(trail_type: str, logging: str, fix: str) -> None:
    inputs = {
        "s3BucketName": "audit-logs",
        "enableLogFileValidation": True,
        "kmsKeyId": KEY,
        "isMultiRegionTrail": False,
        logging: False,
    }
    messages, undecided = one("cloudtrail-multi-region", trail_type, inputs)
    assert undecided == 0
    assert messages[0] == SINGLE_REGION
    assert len(messages) == 2 and messages[1].startswith(
        f"{logging} is false: a stopped trail records no region"
    )
    assert fix in messages[1]


# --- stack-cost-budget -----------------------------------------------------------------------------

BUCKET = {"type": "aws:s3/bucket:Bucket", "name": "data", "inputs": {"bucket": "data"}}


def native_budget(*subscribers: dict[str, str]) -> dict[str, Any]:
    return {
        "type": "aws-native:budgets:Budget",
        "name": "budget",
        "inputs": {
            "budget": {
                "budgetType": "COST",
                "timeUnit": "MONTHLY",
                "budgetLimit": {"amount": 1000, "unit": "USD"},
            },
            "notificationsWithSubscribers": [
                {
                    "notification": {
                        "notificationType": "ACTUAL",
                        "comparisonOperator": "GREATER_THAN",
                        "threshold": 100,
                    },
                    "subscribers": list(subscribers),
                }
            ],
        },
    }


def test_a_native_notification_to_an_inbox_and_a_topic_pages_through_the_topic() -> None:
    budget = native_budget(
        {"subscriptionType": "EMAIL", "address": "finops@example.com"},
        {"subscriptionType": "SNS", "address": TOPIC_ARN},
    )
    assert verdicts("stack-cost-budget", [BUCKET, budget]) == ([], 0)
    inbox_only = native_budget({"subscriptionType": "EMAIL", "address": "finops@example.com"})
    messages, _ = verdicts("stack-cost-budget", [BUCKET, inbox_only])
    assert len(messages) == 1 and messages[0].startswith(
        "no notification on ACTUAL or FORECASTED spend goes to an SNS topic"
    )


# --- athena-workgroup-encrypted-enforced -----------------------------------------------------------

ATHENA = "athena-workgroup-encrypted-enforced"


@pytest.mark.parametrize(
    ("resource_type", "configuration", "key_path"),
    [
        pytest.param(
            WORKGROUP,
            {
                "configuration": {
                    "enforceWorkgroupConfiguration": True,
                    "resultConfiguration": {
                        "outputLocation": "s3://results/",
                        "encryptionConfiguration": {"encryptionOption": "SSE_KMS", "kmsKeyArn": ""},
                    },
                }
            },
            "configuration.resultConfiguration.encryptionConfiguration.kmsKeyArn",
            id="pulumi-aws-results",
        ),
        pytest.param(
            NATIVE_WORKGROUP,
            {
                "workGroupConfiguration": {
                    "enforceWorkGroupConfiguration": True,
                    "resultConfiguration": {
                        "outputLocation": "s3://results/",
                        "encryptionConfiguration": {"encryptionOption": "CSE_KMS", "kmsKey": ""},
                    },
                }
            },
            "workGroupConfiguration.resultConfiguration.encryptionConfiguration.kmsKey",
            id="aws-native-results",
        ),
        pytest.param(
            WORKGROUP,
            {
                "configuration": {
                    "enforceWorkgroupConfiguration": True,
                    "managedQueryResultsConfiguration": {
                        "enabled": True,
                        "encryptionConfiguration": {"kmsKey": ""},
                    },
                }
            },
            "configuration.managedQueryResultsConfiguration.encryptionConfiguration.kmsKey",
            id="pulumi-aws-managed-results",
        ),
    ],
)
def test_a_blank_results_key_names_no_key(
    resource_type: str, configuration: dict[str, Any], key_path: str
) -> None:
    messages, undecided = one(ATHENA, resource_type, {"name": "wg", **configuration})
    assert undecided == 0
    assert len(messages) == 1 and messages[0].startswith(f"{key_path} is unset")


# --- sqs-queue-kms-encrypted -----------------------------------------------------------------------

SQS = "sqs-queue-kms-encrypted"
UNSET = (
    "kmsMasterKeyId is unset: set kms_master_key_id to a customer-managed KMS key (SSE-SQS, "
    "sqsManagedSseEnabled, is accepted only with allowSqsManagedSse: true)."
)


@pytest.mark.parametrize("queue_type", [QUEUE, NATIVE_QUEUE])
@pytest.mark.parametrize(
    "key", ["alias/aws/s3", "arn:aws:kms:eu-west-1:111122223333:alias/aws/lambda"], ids=["bare", "arn"]
)
def test_any_aws_managed_alias_is_refused_not_only_the_sqs_one(queue_type: str, key: str) -> None:
    messages, _ = one(SQS, queue_type, {"kmsMasterKeyId": key})
    assert messages == [
        f"kmsMasterKeyId is {key!r}, the AWS-managed key: set kms_master_key_id to a "
        "customer-managed KMS key whose policy lets the producers use it."
    ]


def test_a_customer_alias_merely_containing_aws_is_a_customer_key() -> None:
    assert one(SQS, QUEUE, {"kmsMasterKeyId": "alias/platform-aws/queues"}) == ([], 0)


@pytest.mark.parametrize("queue_type", [QUEUE, NATIVE_QUEUE])
def test_a_blank_key_leaves_the_queue_without_kms(queue_type: str) -> None:
    assert one(SQS, queue_type, {"kmsMasterKeyId": ""}) == ([UNSET], 0)


def test_allowing_sse_sqs_does_not_accept_a_queue_that_turns_it_off() -> None:
    allowed = {SQS: {"allowSqsManagedSse": True}}
    assert one(SQS, QUEUE, {"sqsManagedSseEnabled": False}, allowed) == ([UNSET], 0)
    assert one(SQS, QUEUE, {"sqsManagedSseEnabled": True}, allowed) == ([], 0)


# --- serving graph (_serving.py) -------------------------------------------------------------------


def test_an_endpoint_whose_name_is_unknown_is_followed_by_its_dependencies_at_preview() -> None:
    """Its scaling target, policy and monitoring job name it through Outputs, all unknown at preview:
    the links are the dependencies, and the endpoint is decided, not left undecided."""
    specs = prod_graph(
        endpoint={"name": UNKNOWN},
        target={"resourceId": UNKNOWN},
        scaling={"resourceId": UNKNOWN},
        dq={"dataQualityJobInput": {"endpointInput": {"endpointName": UNKNOWN}}},
    )
    for rule in ("endpoint-autoscaling-configured", "endpoint-monitoring-schedule"):
        assert verdicts(rule, specs, PROD) == ([], 0), rule


def test_a_pipeline_cannot_be_judged_to_read_the_capture_of_an_endpoint_whose_name_is_unknown() -> None:
    """The capture files sit under the endpoint's name: with the name unknown the pipeline's reading
    is undecided, not "reads nothing"."""
    specs = [*prod_graph(drop=("dq", "schedule"), endpoint={"name": UNKNOWN}), pipeline(), scheduler()]
    assert verdicts("endpoint-monitoring-schedule", specs) == ([], 1)


def test_a_serverless_variant_naming_no_model_does_not_make_an_inference_component_host() -> None:
    """Only an instance variant without a model hosts inference components (and exempts the endpoint
    from single-model monitoring); a serverless one without a model is still a single-model endpoint."""
    serverless = {
        "variantName": "primary",
        "serverlessConfig": {"maxConcurrency": 10, "memorySizeInMb": 4096},
    }
    specs = prod_graph(drop=("dq", "schedule"), config={"productionVariants": [serverless]})
    messages, undecided = verdicts("endpoint-monitoring-schedule", specs, PROD)
    assert undecided == 0
    assert len(messages) == 1 and messages[0].startswith("endpoint 'endpoint' has no MonitoringSchedule")


NATIVE_ENCRYPTED = {
    "enforceWorkGroupConfiguration": True,
    "resultConfiguration": {
        "outputLocation": "s3://results/",
        "encryptionConfiguration": {"encryptionOption": "SSE_KMS", "kmsKey": KEY},
    },
}
MOVED_OUT = (
    "workGroupConfigurationUpdates.managedQueryResultsConfiguration enables Athena-owned results storage "
    "without encryptionConfiguration.kmsKey: the update moves query results out of the KMS-encrypted "
    "location; remove it and set workGroupConfiguration instead."
)


@pytest.mark.parametrize(
    ("managed", "expected"),
    [
        pytest.param({"enabled": True}, [MOVED_OUT], id="managed-without-a-key-refused"),
        pytest.param(
            {"enabled": True, "encryptionConfiguration": {"kmsKey": ""}}, [MOVED_OUT], id="blank-key-refused"
        ),
        pytest.param(
            {"enabled": True, "encryptionConfiguration": {"kmsKey": KEY}}, [], id="managed-with-a-key-passes"
        ),
        pytest.param({"enabled": False}, [], id="managed-off-passes"),
    ],
)
def test_a_native_update_cannot_move_results_to_unencrypted_managed_storage(
    managed: dict[str, Any], expected: list[str]
) -> None:
    """The bug: an update enabling Athena-owned results storage with no KMS key passed, though the same
    setting in ``workGroupConfiguration`` is refused."""
    inputs = {
        "name": "wg",
        "workGroupConfiguration": NATIVE_ENCRYPTED,
        "workGroupConfigurationUpdates": {"managedQueryResultsConfiguration": managed},
    }
    assert one(ATHENA, NATIVE_WORKGROUP, inputs) == (expected, 0)


def test_a_native_update_unknown_at_preview_is_undecided() -> None:
    inputs = {
        "name": "wg",
        "workGroupConfiguration": NATIVE_ENCRYPTED,
        "workGroupConfigurationUpdates": {"managedQueryResultsConfiguration": {"enabled": UNKNOWN}},
    }
    assert one(ATHENA, NATIVE_WORKGROUP, inputs) == ([], 1)


PROD_STACK_RULES = (
    "endpoint-data-capture-encrypted",
    "endpoint-monitoring-schedule",
    "endpoint-autoscaling-configured",
    "endpoint-safe-rollout",
)


@pytest.mark.parametrize("shape", ["inputs", "outputs"])
def test_an_endpoint_of_inference_components_is_exempt_from_single_model_checks_after_apply_too(
    shape: str,
) -> None:
    """The bug: after ``pulumi up`` the engine reports the variant's unset ``modelName`` as ``""``,
    which was read as a model, so the compliant shared endpoint was refused for want of a Model
    Monitor schedule, variant autoscaling and a blue/green rollout once its stack policies re-ran."""
    records = build(ic_graph())
    report = evaluate_report(
        records if shape == "inputs" else as_outputs(records), PROD, [get_policy(p) for p in PROD_STACK_RULES]
    )
    assert (report.violations, report.undecided) == ([], [])
