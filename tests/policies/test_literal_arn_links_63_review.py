"""Second read of the literal-ARN links (session 63, tests/policies/test_literal_arn_links_63.py).

1. ``alarm-topic-key-usable`` reads the last KeyPolicy of the stack naming a key, in the stack's
   order, whether it names the key through a dependency or by its literal id: the dependency-linked
   ones are no longer all taken before the literal ones.
2. A KeyPolicy naming a key by a literal id or ARN leaves a key whose id is unknown at preview
   undecided only when that key is a replica key and the literal is the multi-Region key id of its
   primary: KMS generates a new key's id when it creates it, so no literal written before names a
   key the update creates; a replica takes its primary's id, which may exist already.
3. ``pipeline-starts-keep-manual-approval``: a starter naming a pipeline only by the name a literal
   ARN holds, while the pipeline's ARN is unknown (preview), is undecided rather than refused: a
   pipeline of that name in another account or Region may be the one it starts (as
   ``alarm-topic-key-usable`` treats a topic matched by name only).
4. ``scale-out-steps-add-capacity``: likewise an alarm running a step scaling policy named only by the
   namespace, resource id and name its literal ARN holds, while the policy's ARN is unknown.
5. Branches of the first change no test pinned (each perturbed in a scratch copy, no test failed): a
   pipeline of unknown name not claiming a literal a differently cased pipeline holds; a policy name
   compared in its case; aws-native's ``policyName`` and ``scalingTargetId``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.policies.test_literal_arn_links_63 import (
    KEY_ID,
    STARTERS,
    STARTS,
    STEPS,
    TOPIC_KEY,
    _approval_stack,
    _literal_step_stack,
    _naming,
    _outputs_with_key_id,
    _report,
)
from tests.policies.test_policy_alarm_rules import CLOUDWATCH_KEY_GRANT, KEY_ADMIN, topic_key_stack
from tests.policies.test_policy_job_rules import STACK_CASES

LEFT_OUT = "whose key policy does not let cloudwatch.amazonaws.com use it"


def _key_policy(name: str, *grants: dict[str, Any], linked: bool) -> dict[str, Any]:
    """A KeyPolicy of the topic's key holding the account's administration and ``grants``: through
    a dependency on the key (its ARN), or by the key's literal id."""
    spec: dict[str, Any] = {
        "type": "aws:kms/keyPolicy:KeyPolicy",
        "name": name,
        "inputs": {
            "keyId": f"arn:aws:kms:eu-west-1:111122223333:key/{KEY_ID}" if linked else KEY_ID,
            "policy": json.dumps({"Version": "2012-10-17", "Statement": [KEY_ADMIN, *grants]}),
        },
    }
    if linked:
        spec["deps"] = {"keyId": ["notifications-key"]}
    return spec


# --- 1. the last KeyPolicy in the stack's order ---------------------------------------------------


@pytest.mark.parametrize(
    ("first_linked", "last_grants", "fragment"),
    [
        # Before: the dependency-linked KeyPolicy came first whatever its place, so the literal one
        # earlier in the stack won over the later linked one.
        pytest.param(False, (), LEFT_OUT, id="literal-first-linked-last-leaving-cloudwatch-out-fails"),
        pytest.param(False, (CLOUDWATCH_KEY_GRANT,), None, id="literal-first-linked-last-granting-passes"),
        pytest.param(True, (), LEFT_OUT, id="linked-first-literal-last-leaving-cloudwatch-out-fails"),
        pytest.param(True, (CLOUDWATCH_KEY_GRANT,), None, id="linked-first-literal-last-granting-passes"),
    ],
)
def test_the_last_key_policy_in_stack_order_is_read(
    first_linked: bool, last_grants: tuple[dict[str, Any], ...], fragment: str | None
) -> None:
    first_grants = () if last_grants else (CLOUDWATCH_KEY_GRANT,)  # the opposite verdict
    specs = [
        *topic_key_stack(CLOUDWATCH_KEY_GRANT),
        _key_policy("first", *first_grants, linked=first_linked),
        _key_policy("last", *last_grants, linked=not first_linked),
    ]
    report = _outputs_with_key_id(specs, KEY_ID)
    assert report.undecided == []
    if fragment is None:
        assert report.violations == []
    else:
        assert [v.policy_name for v in report.violations] == [TOPIC_KEY]
        assert fragment in report.violations[0].message


# --- 2. which keys a literal KeyPolicy may name at preview --------------------------------------

MRK = "mrk-1234abcd12ab34cd56ef1234567890ab"
PRIMARY = f"arn:aws:kms:us-east-1:111122223333:key/{MRK}"


def _stack(key_type: str, literal: str, *, own_grants: bool, primary: Any = PRIMARY) -> list[dict[str, Any]]:
    """The topic-key stack with its key of ``key_type`` (a replica's primary ``primary``), its own
    policy letting CloudWatch in or not, and a KeyPolicy naming ``literal`` doing the opposite."""
    specs = topic_key_stack(*((CLOUDWATCH_KEY_GRANT,) if own_grants else ()))
    key = {**specs[0], "type": key_type}
    if "replica" in key_type.lower():
        key["inputs"] = {**key["inputs"], "primaryKeyArn": primary}
    if key_type.startswith("aws-native:"):
        key["inputs"] = {**key["inputs"], "keyPolicy": json.loads(key["inputs"].pop("policy"))}
    other = () if own_grants else (CLOUDWATCH_KEY_GRANT,)
    return [
        key,
        *specs[1:],
        _key_policy("literal", *other, linked=False)
        | {
            "inputs": {
                "keyId": literal,
                "policy": json.dumps({"Version": "2012-10-17", "Statement": [KEY_ADMIN, *other]}),
            }
        },
    ]


KEY, NATIVE_KEY = "aws:kms/key:Key", "aws-native:kms:Key"
REPLICA, NATIVE_REPLICA = "aws:kms/replicaKey:ReplicaKey", "aws-native:kms:ReplicaKey"


@pytest.mark.parametrize("key_type", [KEY, NATIVE_KEY])
@pytest.mark.parametrize("literal", [KEY_ID, MRK, f"arn:aws:kms:eu-west-1:111122223333:key/{KEY_ID}"])
@pytest.mark.parametrize("own_grants", [True, False])
def test_a_new_key_is_judged_by_its_own_policy_at_preview(
    key_type: str, literal: str, own_grants: bool
) -> None:
    """Before: undecided, though the key does not exist yet and no literal can hold its id."""
    report = _report(TOPIC_KEY, _stack(key_type, literal, own_grants=own_grants), outputs=False)
    assert report.undecided == []
    assert [v.policy_name for v in report.violations] == ([] if own_grants else [TOPIC_KEY])
    if not own_grants:
        assert LEFT_OUT in report.violations[0].message


@pytest.mark.parametrize("key_type", [REPLICA, NATIVE_REPLICA])
@pytest.mark.parametrize(
    ("literal", "primary"),
    [
        pytest.param(MRK, PRIMARY, id="the-primarys-id"),
        pytest.param(
            f"arn:aws:kms:eu-west-1:111122223333:key/{MRK}", PRIMARY, id="an-arn-of-the-primarys-id"
        ),
        pytest.param(MRK, UNKNOWN_STRING_VALUE, id="a-multi-region-id-while-the-primary-is-unknown"),
    ],
)
def test_a_replica_key_named_by_its_primarys_id_is_undecided_at_preview(
    key_type: str, literal: str, primary: Any
) -> None:
    report = _report(TOPIC_KEY, _stack(key_type, literal, own_grants=True, primary=primary), outputs=False)
    assert report.violations == []
    assert [u.policy_name for u in report.undecided] == [TOPIC_KEY]
    assert f"a KeyPolicy's keyId is {literal!r}" in report.undecided[0].reason


@pytest.mark.parametrize(
    "literal",
    [
        pytest.param("mrk-99990000111122223333444455556666", id="another-multi-region-id"),
        pytest.param(KEY_ID, id="a-single-region-id"),
        pytest.param(f"arn:aws:kms:eu-west-1:111122223333:key/{KEY_ID}", id="a-single-region-arn"),
    ],
)
@pytest.mark.parametrize("own_grants", [True, False])
def test_a_replica_key_not_named_by_its_primarys_id_is_judged_by_its_own_policy(
    literal: str, own_grants: bool
) -> None:
    report = _report(TOPIC_KEY, _stack(REPLICA, literal, own_grants=own_grants), outputs=False)
    assert report.undecided == []
    assert [v.policy_name for v in report.violations] == ([] if own_grants else [TOPIC_KEY])


@pytest.mark.parametrize("own_grants", [True, False])
def test_after_create_the_replicas_key_policy_is_read(own_grants: bool) -> None:
    report = _outputs_with_key_id(_stack(REPLICA, MRK, own_grants=own_grants), MRK)
    assert report.undecided == []
    # The KeyPolicy does the opposite of the replica's own policy, and it is what applies.
    assert [v.policy_name for v in report.violations] == ([TOPIC_KEY] if own_grants else [])


# --- 3. a pipeline named only by the name a literal ARN holds, at preview ------------------------

OTHER_ACCOUNT = "arn:aws:sagemaker:us-east-1:444455556666:pipeline/churn"


@pytest.mark.parametrize("starter", STARTERS)
def test_a_literal_arn_of_a_namesake_elsewhere_is_undecided_at_preview_and_not_refused(starter: str) -> None:
    """Before: a mandatory violation at a first preview (the pipeline's ARN unknown, matched by name),
    though the starter starts another account's pipeline and passes once the ARN is known."""
    stack = _approval_stack("churn", "churn", starter)
    _naming(stack[1], OTHER_ACCOUNT)
    preview = _report(STARTS, stack, outputs=False)
    assert preview.violations == []
    assert [u.urn.rsplit("::", 1)[-1] for u in preview.undecided] == ["starter"]
    assert "arn (of SageMaker pipeline 'churn-pipeline')" in preview.undecided[0].reason
    after = _report(STARTS, stack, outputs=True)
    assert after.violations == [] and after.undecided == []


@pytest.mark.parametrize("starter", STARTERS)
def test_a_starter_linked_by_a_dependency_is_refused_at_preview(starter: str) -> None:
    """The dependency says which pipeline it starts: refused at preview, whatever its literal says."""
    stack = _approval_stack("churn", "churn", starter)
    key = next(iter(next(c for c in STACK_CASES if c.id == starter).values[1][1]["deps"]))
    stack[1]["deps"] = {key: ["churn-pipeline"]}
    _naming(stack[1], OTHER_ACCOUNT)
    report = _report(STARTS, stack, outputs=False)
    assert report.undecided == []
    assert [v.message.split(",")[0] for v in report.violations] == [
        "starter starts pipeline 'churn-pipeline' with ModelApprovalStatus='Approved'"
    ]


def test_a_starter_whose_literal_names_another_pipeline_is_not_undecided() -> None:
    report = _report(STARTS, _approval_stack("churn", "churn-v2"), outputs=False)
    assert report.violations == [] and report.undecided == []


# --- 4. a step scaling policy named only by what a literal ARN holds, at preview -----------------


def _other_account(arn: str) -> str:
    fields = arn.split(":")
    fields[3], fields[4] = "us-east-1", "444455556666"
    return ":".join(fields)


@pytest.mark.parametrize("where", [lambda arn: arn, _other_account], ids=["the-stacks", "another-accounts"])
def test_a_literal_scaling_policy_arn_is_undecided_at_preview_and_decided_after_create(where: Any) -> None:
    """Before: refused at preview by namespace, resource id and name, though another account's policy
    of that name passes once the ARN is known."""
    stack = _literal_step_stack(-1)
    stack[1]["inputs"]["alarmActions"] = [where(stack[1]["inputs"]["alarmActions"][0])]
    preview = _report(STEPS, stack, outputs=False)
    assert preview.violations == []
    assert [u.urn.rsplit("::", 1)[-1] for u in preview.undecided] == ["from-zero"]
    after = _report(STEPS, stack, outputs=True)
    assert after.undecided == []
    assert len(after.violations) == (1 if where is not _other_account else 0)


def test_a_literal_scaling_policy_arn_adding_capacity_is_decided_at_preview() -> None:
    report = _report(STEPS, _literal_step_stack(1), outputs=False)
    assert report.violations == [] and report.undecided == []


def test_an_alarm_linked_by_a_dependency_is_refused_at_preview() -> None:
    stack = _literal_step_stack(-1)
    stack[1]["deps"] = {"alarmActions": [stack[0]["name"]]}
    report = _report(STEPS, stack, outputs=False)
    assert report.undecided == [] and len(report.violations) == 1


# --- 2b. a replica key beside keys of the stack whose ids are known ------------------------------


def _known(spec: dict[str, Any], key_id: str) -> dict[str, Any]:
    """``spec`` (a key) as an existing key of the stack: its id and ARN known at preview."""
    arn = f"arn:aws:kms:us-east-1:111122223333:key/{key_id}"
    return {**spec, "inputs": {**spec["inputs"], "keyId": key_id, "id": key_id, "arn": arn}}


def test_a_literal_naming_the_known_primary_of_a_replica_leaves_the_replica_undecided() -> None:
    """The primary, a key of the stack, is known by the id its new replica takes: the KeyPolicy's
    Region says which of them it names."""
    specs = _stack(REPLICA, MRK, own_grants=True)
    primary = _known({"type": KEY, "name": "primary", "inputs": {"multiRegion": True}}, MRK)
    report = _report(TOPIC_KEY, [primary, *specs], outputs=False)
    assert report.violations == []
    assert [u.policy_name for u in report.undecided] == [TOPIC_KEY]


@pytest.mark.parametrize("own_grants", [True, False])
def test_a_literal_naming_another_known_key_leaves_a_replica_of_a_new_primary_to_its_own_policy(
    own_grants: bool,
) -> None:
    """A primary created now (its ARN unknown) has a new id: a key the stack already has is the one
    a literal of its id names."""
    other = "mrk-99990000111122223333444455556666"
    existing = _known({"type": KEY, "name": "existing", "inputs": {"multiRegion": True}}, other)
    specs = _stack(REPLICA, other, own_grants=own_grants, primary=UNKNOWN_STRING_VALUE)
    report = _report(TOPIC_KEY, [existing, *specs], outputs=False)
    assert report.undecided == []
    assert [v.policy_name for v in report.violations] == ([] if own_grants else [TOPIC_KEY])


@pytest.mark.parametrize("literal", [KEY_ID, f"arn:aws:kms:eu-west-1:111122223333:key/{KEY_ID}"])
def test_a_single_region_id_never_names_a_replica(literal: str) -> None:
    report = _report(
        TOPIC_KEY, _stack(REPLICA, literal, own_grants=False, primary=UNKNOWN_STRING_VALUE), outputs=False
    )
    assert report.undecided == [] and len(report.violations) == 1


# --- 5. what the literal links compare, pinned ----------------------------------------------------


@pytest.mark.parametrize("starter", STARTERS)
def test_a_pipeline_of_unknown_name_does_not_claim_a_literal_a_differently_cased_pipeline_holds(
    starter: str,
) -> None:
    """``Churn`` is known by ``churn`` (SageMaker's case): a pipeline whose name is unknown at preview
    is not the one the literal names, so the starter, linked to ``Churn``, is refused, not undecided."""
    stack = _approval_stack("Churn", "churn", starter)
    key = next(iter(next(c for c in STACK_CASES if c.id == starter).values[1][1]["deps"]))
    stack[1]["deps"] = {key: ["churn-pipeline"]}
    unknown = {
        **stack[0],
        "name": "other-pipeline",
        "inputs": {**stack[0]["inputs"], "pipelineName": UNKNOWN_STRING_VALUE},
    }
    report = _report(STARTS, [*stack, unknown], outputs=False)
    assert report.undecided == []
    assert [v.message.split(",")[0] for v in report.violations] == [
        "starter starts pipeline 'churn-pipeline' with ModelApprovalStatus='Approved'"
    ]


def test_a_mixed_case_policy_name_written_alike_is_matched_at_preview() -> None:
    stack = _literal_step_stack(-1, name="From-Zero")
    report = _report(STEPS, stack, outputs=False)
    assert report.violations == []
    assert [u.urn.rsplit("::", 1)[-1] for u in report.undecided] == ["from-zero"]


def test_an_aws_native_policy_is_matched_by_its_policy_name_and_scaling_target_id_at_preview() -> None:
    """aws-native names the policy ``policyName`` and may give only ``scalingTargetId``
    (``<resource id>|<dimension>|<namespace>``) for what it scales."""
    stack = _literal_step_stack(-1)
    inputs = dict(stack[0]["inputs"])
    for dropped in ("name", "serviceNamespace", "resourceId", "scalableDimension"):
        inputs.pop(dropped)
    inputs |= {
        "policyName": "from-zero",
        "scalingTargetId": "endpoint/churn/variant/primary|sagemaker:variant:DesiredInstanceCount|sagemaker",
    }
    stack[0] = {**stack[0], "type": "aws-native:applicationautoscaling:ScalingPolicy", "inputs": inputs}
    report = _report(STEPS, stack, outputs=False)
    assert report.violations == []
    assert [u.urn.rsplit("::", 1)[-1] for u in report.undecided] == ["from-zero"]
    stack[1]["inputs"]["alarmActions"] = [
        stack[1]["inputs"]["alarmActions"][0].replace("from-zero", "to-zero")
    ]
    assert _report(STEPS, stack, outputs=False).undecided == []
