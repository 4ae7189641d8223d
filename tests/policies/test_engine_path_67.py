"""Stack rules at a real preview, where the engine gives them the provider's *planned* state.

``AnalyzeStack`` reads each resource's outputs at preview too (pulumi's step generator,
``AnalyzeResources``: "AnalyzeStack is called on the final outputs of each resource"); for a
resource to create, pulumi-terraform-bridge's ``Create`` with ``preview`` returns
``diff.ProposedState``: the inputs, plus every Optional+Computed property the program left unset
as *unknown* (a pulumi-aws bucket's deprecated ``policy``, ``versioning``, ``logging`` and
``serverSideEncryptionConfiguration``, a KMS key's ``policy``, a security group's ``ingress``).
The offline plan sees those as absent. After create they read back what AWS has (no bucket
policy, no logging, versioning off, S3's SSE-S3 default, KMS's default key policy, no inline
ingress), so a stack rule that stopped at the placeholder said nothing at preview and failed
the ``pulumi up`` after everything was created. An unknown that nothing the resource depends
on computes (no property dependency) is that placeholder; one computed from another resource's
output stays undecided.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_ARRAY_VALUE, UNKNOWN_OBJECT_VALUE, UNKNOWN_STRING_VALUE

from policies.local import evaluate_report
from policies.registry import get_policy
from tests.policies.conftest import build
from tests.policies.engine_shapes import as_outputs
from tests.policies.test_policy_alarm_rules import CLOUDWATCH_KEY_GRANT, topic_key_stack
from tests.policies.test_policy_s3_network_hardening_rules import bucket_stack

#: What a Create preview reports for a pulumi-aws bucket's inline blocks the program left unset.
BUCKET_PLACEHOLDERS = {
    "policy": UNKNOWN_STRING_VALUE,
    "logging": UNKNOWN_OBJECT_VALUE,
    "versioning": UNKNOWN_OBJECT_VALUE,
    "serverSideEncryptionConfiguration": UNKNOWN_OBJECT_VALUE,
}


def previewed(specs: list[dict[str, Any]], name: str, placeholders: dict[str, Any]) -> list[dict[str, Any]]:
    """``specs`` with ``name``'s unset ``placeholders`` unknown, as the planned state reports them."""
    specs = copy.deepcopy(specs)
    for spec in specs:
        if spec["name"] == name:
            spec["inputs"] = {**placeholders, **spec["inputs"]}
    return specs


KEY_PLACEHOLDER = {"policy": UNKNOWN_STRING_VALUE}
"""What a Create preview reports for a KMS key's ``policy`` the program left unset."""


def report(policy: str, specs: list[dict[str, Any]], *, outputs: bool = False) -> tuple[list[str], int]:
    records: Any = build(specs)
    if outputs:
        records = as_outputs(records)
    result = evaluate_report(records, None, [get_policy(policy)])
    return [v.message for v in result.violations if v.policy_name == policy], len(result.undecided)


def assert_decided_alike(
    policy: str, specs: list[dict[str, Any]], name: str, placeholders: dict[str, Any], fragment: str | None
) -> None:
    """``policy`` decides ``specs`` at preview (``name``'s unset ``placeholders`` unknown) as it does
    after create (the outputs): both decided, refused once with ``fragment`` (None: both pass)."""
    at_preview = report(policy, previewed(specs, name, placeholders))
    after_create = report(policy, specs, outputs=True)
    for messages, undecided in (at_preview, after_create):
        assert undecided == 0
        if fragment is None:
            assert messages == []
        else:
            assert len(messages) == 1 and fragment in messages[0], messages


#: The same for a ``BucketV2``, whose inline blocks are lists.
BUCKET_V2_PLACEHOLDERS = {
    "policy": UNKNOWN_STRING_VALUE,
    "loggings": UNKNOWN_ARRAY_VALUE,
    "versionings": UNKNOWN_ARRAY_VALUE,
    "serverSideEncryptionConfigurations": UNKNOWN_ARRAY_VALUE,
}


def bare(resource_type: str) -> list[dict[str, Any]]:
    """A bucket with no companion at all: no block, no policy, no versioning, no SSE-KMS, no logging."""
    return [{"type": resource_type, "name": "data", "inputs": {"bucket": "acme-data"}}]


S3_CASES = [
    pytest.param("s3-bucket-security-baseline", "bucket 'data' lacks", id="baseline"),
    pytest.param("s3-sse-kms-encrypted", "bucket 'data'", id="sse-kms"),
    pytest.param("s3-bucket-access-logging", "bucket 'data' has no server access logging", id="logging"),
]


@pytest.mark.parametrize(
    ("resource_type", "placeholders"),
    [
        pytest.param("aws:s3/bucket:Bucket", BUCKET_PLACEHOLDERS, id="bucket"),
        pytest.param("aws:s3/bucketV2:BucketV2", BUCKET_V2_PLACEHOLDERS, id="bucket-v2"),
    ],
)
@pytest.mark.parametrize(("policy", "fragment"), S3_CASES)
def test_a_bare_bucket_fails_at_preview_as_it_fails_after_create(
    policy: str, fragment: str, resource_type: str, placeholders: dict[str, Any]
) -> None:
    assert_decided_alike(policy, bare(resource_type), "data", placeholders, fragment)


@pytest.mark.parametrize(("policy", "fragment"), S3_CASES)
def test_a_bucket_with_its_companions_passes_at_preview(policy: str, fragment: str) -> None:
    assert report(policy, previewed(bucket_stack("inputs"), "data", BUCKET_PLACEHOLDERS)) == ([], 0)


def test_an_inline_policy_computed_from_another_resource_stays_undecided() -> None:
    # The program sets the deprecated inline policy from a role's ARN: unknown at preview, and not S3's.
    specs = previewed(bucket_stack("inputs", policy=[]), "data", BUCKET_PLACEHOLDERS)
    specs.append({"type": "aws:iam/role:Role", "name": "reader", "inputs": {"assumeRolePolicy": "{}"}})
    specs[0]["deps"] = {"policy": ["reader"]}
    assert report("s3-bucket-security-baseline", specs) == ([], 1)


@pytest.mark.parametrize(
    ("grants", "fragment"),
    [
        pytest.param((), "does not let cloudwatch.amazonaws.com use it", id="default-key-policy-fails"),
        pytest.param((CLOUDWATCH_KEY_GRANT,), None, id="granting-policy-passes"),
    ],
)
def test_a_key_policy_left_unset_is_kms_default_at_preview(
    grants: tuple[Any, ...], fragment: str | None
) -> None:
    # A key without `policy` (KMS gives it its default, root only): the planned state's is unknown.
    specs = topic_key_stack(*grants, policy=bool(grants))
    assert_decided_alike("alarm-topic-key-usable", specs, "notifications-key", KEY_PLACEHOLDER, fragment)


def test_a_key_policy_computed_from_another_resource_stays_undecided() -> None:
    specs = previewed(topic_key_stack(policy=False), "notifications-key", KEY_PLACEHOLDER)
    specs.append({"type": "aws:iam/role:Role", "name": "admin", "inputs": {"assumeRolePolicy": "{}"}})
    specs[0]["deps"] = {"policy": ["admin"]}
    assert report("alarm-topic-key-usable", specs) == ([], 1)


def ingress_rule(name: str, cidr: str) -> dict[str, Any]:
    return {
        "type": "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "name": name,
        "deps": {"securityGroupId": ["web"]},
        "inputs": {"securityGroupId": UNKNOWN_STRING_VALUE, "ipProtocol": "-1", "cidrIpv4": cidr},
    }


@pytest.mark.parametrize(
    ("rules", "fragment"),
    [
        pytest.param([ingress_rule("vpc", "10.0.0.0/16")], None, id="vpc-only-passes"),
        pytest.param(
            [ingress_rule("low", "0.0.0.0/1"), ingress_rule("high", "128.0.0.0/1")],
            "security group 'web': ingress from high, low together covers 0.0.0.0/0",
            id="halves-covering-the-internet-fail",
        ),
    ],
)
def test_a_security_group_without_inline_ingress_is_decided_at_preview(
    rules: list[dict[str, Any]], fragment: str | None
) -> None:
    group = {
        "type": "aws:ec2/securityGroup:SecurityGroup",
        "name": "web",
        "inputs": {"vpcId": "vpc-1", "ingress": UNKNOWN_ARRAY_VALUE, "egress": UNKNOWN_ARRAY_VALUE},
    }
    messages, undecided = report("security-group-ingress-union-restricted", [group, *rules])
    assert undecided == 0
    if fragment is None:
        assert messages == []
    else:
        assert len(messages) == 1 and fragment in messages[0], messages
