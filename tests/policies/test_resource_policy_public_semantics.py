"""``resource-policy-not-public``: what makes a resource-based policy outside S3 and KMS public.

Every type of the rule's table is exercised through the offline evaluator (one resource, no stack):
an Allow to ``*`` with no condition is refused, the same pinned to ``aws:SourceAccount`` passes, a
service principal passes. Then the edges of "public" (NotPrincipal, a ``*`` among named principals,
conditions that do not restrict, a Deny, JSON string or object, unknown values at preview), the
Lambda and EventBridge permissions, and that S3/KMS types stay with their own rules. The table's type
tokens and property names are checked against the installed SDKs (the whole class is scanned in
``test_resource_policy_class_63.py``).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.local import evaluate_report
from policies.registry import get_policy
from policies.rules.resource_policies import PublicResourcePolicy, document_paths
from tests.graph_helpers import accepts, resource_class
from tests.policies.conftest import build
from tests.policies.one_resource import findings

RULE = "resource-policy-not-public"
ACCOUNT = "111122223333"
#: The table before it became a class (test_resource_policy_class_63.py), written out so a dropped
#: entry fails here.
DOCUMENTS = {
    "aws:sqs/queue:Queue": "policy",
    "aws:sqs/queuePolicy:QueuePolicy": "policy",
    "aws-native:sqs:QueueInlinePolicy": "policyDocument",
    "aws:sns/topic:Topic": "policy",
    "aws:sns/topicPolicy:TopicPolicy": "policy",
    "aws-native:sns:TopicPolicy": "policyDocument",
    "aws-native:sns:TopicInlinePolicy": "policyDocument",
    "aws:ecr/repositoryPolicy:RepositoryPolicy": "policy",
    "aws:ecr/registryPolicy:RegistryPolicy": "policy",
    "aws-native:ecr:Repository": "repositoryPolicyText",
    "aws-native:ecr:RegistryPolicy": "policyText",
    "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate": "repositoryPolicy",
    "aws-native:ecr:RepositoryCreationTemplate": "repositoryPolicy",
    "aws:secretsmanager/secret:Secret": "policy",
    "aws:secretsmanager/secretPolicy:SecretPolicy": "policy",
    "aws-native:secretsmanager:ResourcePolicy": "resourcePolicy",
    "aws:s3/accessPoint:AccessPoint": "policy",
    "aws:s3control/accessPointPolicy:AccessPointPolicy": "policy",
    "aws-native:s3:AccessPoint": "policy",
    "aws:s3control/multiRegionAccessPointPolicy:MultiRegionAccessPointPolicy": "details.policy",
    "aws-native:s3:MultiRegionAccessPointPolicy": "policy",
    "aws:s3control/objectLambdaAccessPointPolicy:ObjectLambdaAccessPointPolicy": "policy",
    "aws-native:s3objectlambda:AccessPointPolicy": "policyDocument",
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy": "policy",
    "aws-native:events:EventBus": "policy",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "policyDocument",
    "aws-native:logs:ResourcePolicy": "policyDocument",
    "aws:glue/resourcePolicy:ResourcePolicy": "policy",
    "aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy": "resourcePolicy",
    "aws-native:sagemaker:ModelPackageGroup": "modelPackageGroupPolicy",
    "aws:lambda/resourcePolicy:ResourcePolicy": "policy",
    "aws-native:lambda:ResourcePolicy": "policyDocument",
}
LAMBDA = ("aws:lambda/permission:Permission", "aws-native:lambda:Permission")
EVENTS = ("aws:cloudwatch/eventPermission:EventPermission", "aws-native:events:EventBusPolicy")
QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"


def check(resource_type: str, inputs: dict[str, Any]) -> tuple[list[str], int]:
    """(violation messages, undecided count) of the rule on one resource."""
    records = build([{"type": resource_type, "name": "subject", "inputs": inputs}])
    report = evaluate_report(records, None, [get_policy(RULE)])
    assert {v.enforcement_level for v in report.violations} <= {"mandatory"}
    return [v.message for v in report.violations], len(report.undecided)


def statement(**fields: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*", **fields}


def document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def queue(*statements: dict[str, Any], as_json: bool = True) -> list[str]:
    found, undecided = check(
        QUEUE_POLICY, {"policy": json.dumps(document(*statements)) if as_json else document(*statements)}
    )
    assert undecided == 0
    return found


# --- the table ----------------------------------------------------------------------------------


#: Every (type, input) of the rule's table whose document is not in a list (GlobalTable replicas:
#: test_resource_policy_class_63.py).
ALL_DOCUMENTS = [
    (token, path)
    for token in PublicResourcePolicy.DOCUMENTS
    for path in document_paths(token)
    if "[]" not in path
]


def test_the_table_keeps_every_earlier_type_and_the_rule_checks_it() -> None:
    assert {t: document_paths(t) for t in DOCUMENTS} == {t: (p,) for t, p in DOCUMENTS.items()}
    assert set(DOCUMENTS) <= set(PublicResourcePolicy.DOCUMENTS)
    assert set(PublicResourcePolicy.DOCUMENTS) <= set(PublicResourcePolicy.resource_types())
    assert set(PublicResourcePolicy.LAMBDA_PERMISSIONS) == set(LAMBDA)
    assert set(PublicResourcePolicy.EVENT_PERMISSIONS) == set(EVENTS)


def _wire_names(type_token: str) -> dict[str, str]:
    """camelCase wire name -> snake_case argument, from the class's ``@pulumi.getter(name=...)``."""
    cls = resource_class(type_token)
    return {
        getattr(member.fget, "_pulumi_name", name): name
        for name, member in vars(cls).items()
        if isinstance(member, property)
    }


@pytest.mark.parametrize(
    ("type_token", "wire"),
    [
        *ALL_DOCUMENTS,
        *((t, p) for t in LAMBDA for p in ("principal", "sourceArn", "sourceAccount", "principalOrgId")),
        *((t, p) for t in EVENTS for p in ("principal", "condition")),
        ("aws-native:events:EventBusPolicy", "statement"),
    ],
)
def test_type_tokens_and_properties_exist_in_the_installed_sdks(type_token: str, wire: str) -> None:
    wire = wire.split(".")[0]  # a nested document (``details.policy``): its block is the input
    wire_names = _wire_names(type_token)
    assert wire in wire_names, f"{type_token} has no input {wire!r}: {sorted(wire_names)}"
    assert accepts(type_token, wire_names[wire])


# --- every type: public refused, pinned or service principal accepted --------------------------

PUBLIC = statement(Principal="*")
PINNED = statement(Principal={"AWS": "*"}, Condition={"StringEquals": {"aws:SourceAccount": ACCOUNT}})
SERVICE = statement(Principal={"Service": "events.amazonaws.com"})


@pytest.mark.parametrize(("type_token", "prop"), ALL_DOCUMENTS, ids=[f"{t}:{p}" for t, p in ALL_DOCUMENTS])
def test_every_listed_type_refuses_a_public_statement_and_accepts_pinned_or_service(
    type_token: str, prop: str
) -> None:
    found, undecided = check(type_token, at(prop, json.dumps(document(SERVICE, PUBLIC))))
    assert undecided == 0 and len(found) == 1
    assert found[0].startswith(f"{prop} Statement[1] allows Principal '*'")
    assert "aws:SourceArn" in found[0] and "aws:PrincipalOrgID" in found[0]
    assert check(type_token, at(prop, json.dumps(document(PINNED, SERVICE)))) == ([], 0)
    assert check(type_token, at(prop, document(PINNED))) == ([], 0)  # an object, as aws-native takes it
    assert check(type_token, {}) == ([], 0)  # no policy: nothing to judge


def at(path: str, value: Any) -> dict[str, Any]:
    """Inputs holding ``value`` at a dotted ``path`` (``details.policy``)."""
    result: Any = value
    for key in reversed(path.split(".")):
        result = {key: result}
    return result


# --- who is anyone -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("principal", "public"),
    [
        pytest.param("*", True, id="star"),
        pytest.param({"AWS": "*"}, True, id="aws-star"),
        pytest.param({"AWS": [f"arn:aws:iam::{ACCOUNT}:root", "*"]}, True, id="star-among-named"),
        pytest.param({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, False, id="named-account"),
        pytest.param({"Service": "events.amazonaws.com"}, False, id="service-principal"),
        pytest.param({"Service": ["sns.amazonaws.com", "events.amazonaws.com"]}, False, id="services"),
    ],
)
def test_principal(principal: Any, public: bool) -> None:
    assert bool(queue(statement(Principal=principal))) is public


def test_not_principal_is_everyone_but_the_listed() -> None:
    found = queue(statement(NotPrincipal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"}))
    assert len(found) == 1 and "NotPrincipal" in found[0]


def test_a_deny_to_anyone_is_fine_and_effect_is_case_insensitive() -> None:
    assert queue(statement(Effect="Deny", Principal="*")) == []
    assert len(queue(statement(Effect="allow", Principal="*"))) == 1


def test_message_names_the_sid() -> None:
    found = queue(SERVICE, statement(Sid="OpenToAll", Principal="*"))
    assert found and found[0].startswith("policy Statement[1] (Sid 'OpenToAll') allows Principal '*'")


# --- which conditions restrict -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "public"),
    [
        pytest.param({"StringEquals": {"aws:SourceAccount": ACCOUNT}}, False, id="source-account"),
        pytest.param(
            {"ArnLike": {"aws:SourceArn": f"arn:aws:events:eu-west-1:{ACCOUNT}:rule/*"}},
            False,
            id="source-arn",
        ),
        pytest.param({"StringEquals": {"aws:PrincipalOrgID": "o-abc123def4"}}, False, id="org-id"),
        pytest.param({"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}, False, id="source-vpce"),
        pytest.param({"StringNotEquals": {"aws:SourceAccount": ACCOUNT}}, True, id="negated"),
        pytest.param({"StringEqualsIfExists": {"aws:SourceAccount": ACCOUNT}}, True, id="if-exists"),
        pytest.param(
            {"ForAllValues:StringEquals": {"aws:SourceAccount": ACCOUNT}}, True, id="for-all-values"
        ),
        pytest.param({"StringLike": {"aws:SourceAccount": "*"}}, True, id="wildcard-value"),
        pytest.param(
            {"ArnLike": {"aws:SourceArn": "arn:aws:events:*:*:rule/*"}}, True, id="wildcard-account"
        ),
        pytest.param({"StringEquals": {"aws:SecureTransport": "true"}}, True, id="unrelated-key"),
        pytest.param(
            {"StringEquals": {"s3:DataAccessPointAccount": ACCOUNT}},
            True,
            id="s3-only-key-does-not-count-here",
        ),
    ],
)
def test_condition(condition: dict[str, Any], public: bool) -> None:
    assert bool(queue(statement(Principal="*", Condition=condition))) is public


@pytest.mark.parametrize("as_json", [True, False], ids=["json-string", "object"])
def test_json_string_and_object_read_alike(as_json: bool) -> None:
    assert len(queue(PUBLIC, as_json=as_json)) == 1
    assert queue(PINNED, as_json=as_json) == []


@pytest.mark.parametrize(("type_token", "prop"), ALL_DOCUMENTS, ids=[f"{t}:{p}" for t, p in ALL_DOCUMENTS])
def test_an_unset_policy_after_create_is_no_policy(type_token: str, prop: str) -> None:
    """After create the provider reports an unset string policy as "" (``engine_shapes``): nothing
    to judge, as at preview (it was refused as invalid JSON on every pulumi-aws type)."""
    assert findings(RULE, type_token, {}, outputs=True) == ([], 0)
    assert findings(RULE, type_token, at(prop, " "), outputs=False) == ([], 0)
    found, _ = findings(RULE, type_token, at(prop, json.dumps(document(PUBLIC))), outputs=True)
    assert len(found) == 1


def test_a_document_that_is_not_json_is_reported() -> None:
    found, _ = check(QUEUE_POLICY, {"policy": "{not json"})
    assert found == [
        "policy is not valid JSON (or repeats a key in one object, which AWS may read either way): pass a JSON policy document."
    ]


# --- unknown at preview ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "policy",
    [
        pytest.param(UNKNOWN_STRING_VALUE, id="whole-document"),
        pytest.param(document(statement(Principal=UNKNOWN_STRING_VALUE)), id="principal"),
        pytest.param(document(statement(Effect=UNKNOWN_STRING_VALUE, Principal="*")), id="effect"),
        pytest.param(
            document(
                statement(
                    Principal="*", Condition={"StringEquals": {"aws:SourceAccount": UNKNOWN_STRING_VALUE}}
                )
            ),
            id="condition-value",
        ),
    ],
)
def test_unknown_parts_that_decide_are_undecided_not_passed(policy: Any) -> None:
    assert check(QUEUE_POLICY, {"policy": policy}) == ([], 1)


def test_unknown_parts_that_do_not_decide_are_ignored_and_known_publics_still_reported() -> None:
    named = statement(Principal={"Service": "sns.amazonaws.com"}, Resource=UNKNOWN_STRING_VALUE)
    assert check(QUEUE_POLICY, {"policy": document(named)}) == ([], 0)
    pinned = statement(
        Principal="*",
        Resource=UNKNOWN_STRING_VALUE,
        Condition={"StringEquals": {"aws:SourceAccount": ACCOUNT}},
    )
    assert check(QUEUE_POLICY, {"policy": document(pinned)}) == ([], 0)
    found, undecided = check(
        QUEUE_POLICY, {"policy": document(PUBLIC, statement(Principal=UNKNOWN_STRING_VALUE))}
    )
    assert len(found) == 1 and undecided == 1


# --- Lambda and EventBridge permissions ------------------------------------------------------------


@pytest.mark.parametrize("type_token", LAMBDA)
def test_lambda_permission_to_anyone_needs_a_source(type_token: str) -> None:
    base = {"action": "lambda:InvokeFunction", "functionName": "f", "principal": "*"}
    found, _ = check(type_token, base)
    assert len(found) == 1 and found[0].startswith("principal Statement[0] allows Principal '*'")
    for source in (
        {"sourceAccount": ACCOUNT},
        {"sourceArn": f"arn:aws:s3:::bucket-of-{ACCOUNT}"},
        {"principalOrgId": "o-abc123def4"},
    ):
        assert check(type_token, {**base, **source}) == ([], 0), source
    assert check(type_token, {**base, "sourceAccount": "*"})[0]  # a wildcard pins nothing
    assert check(type_token, {**base, "principal": "s3.amazonaws.com"}) == ([], 0)
    assert check(type_token, {**base, "principal": ACCOUNT}) == ([], 0)
    assert check(type_token, {**base, "principal": UNKNOWN_STRING_VALUE}) == ([], 1)


@pytest.mark.parametrize("type_token", EVENTS)
def test_event_bus_permission_to_anyone_needs_an_org_condition(type_token: str) -> None:
    base = {"action": "events:PutEvents", "principal": "*", "statementId": "s"}
    assert len(check(type_token, base)[0]) == 1
    org = {"type": "StringEquals", "key": "aws:PrincipalOrgID", "value": "o-abc123def4"}
    assert check(type_token, {**base, "condition": org}) == ([], 0)
    assert check(type_token, {**base, "condition": {**org, "value": "*"}})[0]
    assert check(type_token, {**base, "principal": ACCOUNT}) == ([], 0)
    assert check(type_token, {**base, "condition": UNKNOWN_STRING_VALUE}) == ([], 1)


def test_native_event_bus_policy_statement_is_one_statement() -> None:
    native = "aws-native:events:EventBusPolicy"
    open_statement = {"Effect": "Allow", "Principal": "*", "Action": "events:PutEvents", "Resource": "*"}
    found, _ = check(native, {"eventBusName": "b", "statementId": "s", "statement": open_statement})
    assert len(found) == 1 and found[0].startswith("statement Statement[0] allows Principal '*'")
    assert check(native, {"statement": json.dumps(open_statement)})[0]
    assert check(native, {"statement": json.dumps(PINNED)}) == ([], 0)
    assert check(native, {"statement": "{"})[0] == [
        "statement is not valid JSON (or repeats a key in one object, which AWS may read either way): pass one JSON policy statement."
    ]


# --- S3 and KMS stay with their own rules ------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_token", "prop"),
    [
        ("aws:s3/bucketPolicy:BucketPolicy", "policy"),
        ("aws:s3/bucket:Bucket", "policy"),
        ("aws:kms/key:Key", "policy"),
        ("aws-native:kms:Key", "keyPolicy"),
    ],
)
def test_buckets_and_keys_are_not_reported_twice(type_token: str, prop: str) -> None:
    assert type_token not in PublicResourcePolicy.resource_types()
    assert check(type_token, {prop: json.dumps(document(PUBLIC))}) == ([], 0)
