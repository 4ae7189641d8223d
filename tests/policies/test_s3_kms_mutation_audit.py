"""What the S3 and KMS rules decide, where a mutation audit found no test holding it.

A hand-mutation audit of policies/rules/_s3_buckets.py, policies/rules/s3.py and
policies/rules/kms.py: 171 one-step mutations of the decision logic (52, 79 and 40; 19 of them
read a value unknown at preview as unset, or the reverse), each run against the tests of their
rules. 102 were caught; 69 survived. Of those, 58 are caught by a test here, 1 exposed a product
bug (fixed, see CHANGELOG.md), 9 are equivalent and 1 is left alone (below). Reading the
key-policy rule against KMS's API found a second bug no mutation could show (fixed too). Of 5
further mutations of the fixed lines, all 5 are caught (one only by a test added for it).

_s3_buckets.py (52 mutations, 24 survived: 18 caught now, 5 equivalent, 1 left alone):

- the access-log tag counts in ``tagsAll`` alone (the default provider's default tags after
  create), and a bucket's own tag overrides its provider's default tag;
- a companion naming a bucket's ``id`` configures it; a dependency on a bucket with no known name
  is trusted whatever name the companion carries; a linked companion whose ``bucket`` is unknown
  leaves the other buckets decided; a ``""`` name is no name (no ``arn:aws:s3:::`` to match);
- a bucket's ARN output decides its partition; before it, its name's ARN in each of the six
  partitions is its own;
- only ``alias/aws/...`` is the AWS-managed key (not ``alias/aws-data``, ``alias/awsome``,
  ``alias/team-alias/aws/s3``);
- a BucketV2's ``serverSideEncryptionConfigurations: []`` is no configuration, and its
  ``loggings: []`` no logging;
- each of the four public access flags is demanded on its own; ``BucketVersioningV2`` is a
  versioning companion;
- unknown at preview, hence undecided: a bucket policy document, an aws-native
  ``loggingConfiguration``, a bucket's ``logging.targetBucket``.

s3.py (79 mutations, 34 survived: 30 caught now, 1 bug, 3 equivalent):

- ``s3-public-access-blocked``: an omitted flag is off (bucket and account blocks); an aws-native
  bucket without ``publicAccessBlockConfiguration`` is left to the baseline, and one with it is
  named under that prefix; the baseline reads an omitted flag as off too;
- ``s3-bucket-policy-tls-only``: an empty document (``{}``, ``""``) is not TLS-only; a bucket's
  ``policy: ""`` (pulumi-aws's unset, after create) is no policy; a ``""`` literal name pins no
  ARN; a BucketPolicy's literal name is read in every partition; a BucketV2's inline policy is
  judged;
- ``s3-bucket-policy-not-public``: ``policy: ""`` is neither public nor invalid; a document that is
  not JSON is refused;
- ``s3-sse-kms-encrypted``: a configuration with no rules (or an aws-native empty list) is refused;
  a ``kmsMasterKeyId`` of ``""`` (after create) is the AWS-managed key; the access-log exemption is
  for AES256 only, not for a rule that names no algorithm;
- ``s3-bucket-security-baseline``: a bucket's ``versioning: {enabled: false}`` is not versioning;
  the access-log bucket needs no encryption configuration; an aws-native bucket's own
  ``bucketEncryption`` is its configuration whatever the algorithm (``s3-sse-kms-encrypted``
  judges that); an unresolved companion leaves a complete bucket decided, and makes a bucket that
  lacks one of its kind (each of the five types) undecided, not refused;
- unknown at preview, hence undecided rather than read as unset: a public access flag (both rules)
  or an aws-native bucket's whole block, an encryption rule's algorithm or key, a bucket's inline
  encryption algorithm or policy, a versioning status (companion or aws-native); and the reverse:
  a BucketPolicy whose ``bucket`` is unknown is judged on the bucket its deny names, not left
  undecided.

kms.py (40 mutations, 11 survived: 10 caught now, 1 equivalent):

- ``enableKeyRotation: "false"`` (a string) is off; a Deny to ``*`` is no grant; an unpinned
  ``kms:*`` to ``*`` is one finding, not also an 'administer' one; an unknown principal with a
  pinned administration action is undecided; every one of the seven key types has its policy read
  (aws-native ``ReplicaKey`` under ``keyPolicy``); a key spec, origin or custom key store unknown
  at preview leaves rotation undecided (the key may be one that cannot rotate).

The bug: ``s3-sse-kms-encrypted`` judged a configuration's AES256 by the first bucket its ``bucket``
input depended on (mutation: the last), so a configuration whose ``bucket`` was computed from the
access-log bucket and a data bucket (unknown at preview) passed AES256 when the engine listed the
log bucket first. AES256 now needs every bucket it may configure to be an access-log bucket.

The second bug: ``kms-key-policy-no-public-principal`` let a wildcard principal pinned to the account
(``kms:CallerAccount``) call ``kms:DeleteImportedKeyMaterial`` (or ``kms:Delete*``) on an
``ExternalKey``/``ReplicaExternalKey``. KMS documents that deleting the material makes the key
unusable at once, a way to halt its use as disabling it is (``kms:DisableKey``, already refused),
and for good if the material was not kept. It is now an administration action.

Equivalent (no input changes the verdict or message):

- ``bucket_arns`` returning ``[]`` rather than ``None`` for a bucket with no known name:
  ``_covers_bucket_and_objects`` treats both as unknown;
- ``Companions.of`` without ``dict.fromkeys``: a companion listed twice for a bucket changes neither
  the truthiness nor the ``all()`` it feeds;
- keeping non-map entries of ``serverSideEncryptionConfigurations`` or of a configuration's
  ``rules``: the engine sends these lists as objects (an unknown entry raises either way), and a
  non-object rule would be refused either way, as empty or as naming no algorithm;
- aws-native ``loggingConfiguration`` taken when not None rather than when a map: the property is an
  object (``{}`` is logging into the bucket itself, which both count);
- reading only the first of a BucketV2's ``loggings``: the provider's schema allows one;
- reading ``publicAccessBlockConfiguration`` or an inline ``policy`` on every bucket type: pulumi-aws
  buckets have no such block and aws-native buckets no ``policy`` property (SDK property lists);
- ``enableKeyRotation`` read with ``get_or_none``: the message reads it again with ``get``, which
  raises for the unknown value, so the key is undecided either way.

Left alone: a bucket whose whole ``tags`` map is unknown at preview is read as untagged, so it is
not the access-log bucket (mutation: let the unknown raise, making it undecided). Failing closed
there is a choice, not an AWS fact: ``tagsAll`` is often unknown at preview and must not make
every bucket undecided, and the data-class tag is a literal in practice.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.local import Violation, evaluate_report
from policies.registry import get_policy
from tests.policies.conftest import build, run_policy
from tests.policies.test_policy_s3_network_hardening_rules import (
    ARN,
    BUCKET_POLICY,
    BUCKET_V2,
    FLAGS,
    KEY,
    LOG_TAGS,
    LOGGING,
    NAME,
    NATIVE_POLICY,
    PAB,
    SSE,
    TAGS,
    VERSIONING,
    bucket_stack,
    companion,
    doc,
    inputs_bucket,
    native_bucket,
    native_policy,
    outputs_bucket,
    sse_rule,
    tls,
)

UNKNOWN = UNKNOWN_STRING_VALUE
LOGGING_RULE = "s3-bucket-access-logging"
SSE_RULE = "s3-sse-kms-encrypted"
BASELINE_RULE = "s3-bucket-security-baseline"
AWS_PROVIDER = "pulumi:providers:aws"
TLS_RULE = "s3-bucket-policy-tls-only"
PUBLIC_RULE = "s3-bucket-policy-not-public"
KEY_POLICY_RULE = "kms-key-policy-no-public-principal"
ROTATION_RULE = "kms-key-rotation-enabled"
PARTITIONS = ["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-eusc"]
PAB_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
ACCOUNT = "111122223333"
PINNED = {"StringEquals": {"kms:CallerAccount": ACCOUNT}}


def messages(policy: str, specs: list[dict[str, Any]]) -> list[str]:
    return [v.message for v in run_policy(policy, specs)]


def flagged(violations: list[Violation]) -> list[str]:
    return sorted((v.urn or "").rsplit("::", 1)[-1] for v in violations)


def provider(tags: dict[str, str], name: str = "aws") -> dict[str, Any]:
    return {
        "type": AWS_PROVIDER,
        "name": name,
        "inputs": {"region": "eu-west-1", "defaultTags": json.dumps({"tags": tags})},
    }


# --- the access-log tag ---------------------------------------------------------------------------


def test_the_access_log_tag_counts_when_only_tags_all_carries_it() -> None:
    """After create, a tag from the default provider's default tags (no provider resource in the
    stack) is only in ``tagsAll``: that bucket is the access-log bucket and needs no logging."""
    bucket = outputs_bucket("logs", tags=TAGS)
    bucket["inputs"]["tagsAll"] = LOG_TAGS
    assert messages(LOGGING_RULE, [bucket]) == []
    bucket["inputs"]["tagsAll"] = TAGS
    assert [m.split(" has ")[0] for m in messages(LOGGING_RULE, [bucket])] == ["bucket 'logs'"]


def test_a_bucket_tag_overrides_the_providers_default_tag() -> None:
    """pulumi-aws merges default tags under the resource's own: a bucket that sets
    ``mlops:data-class`` to something else is not the access-log bucket, whatever its provider says."""
    data = {**inputs_bucket(tags={**TAGS, "mlops:data-class": "training-data"}), "provider": "aws"}
    found = messages(LOGGING_RULE, [provider(LOG_TAGS), data])
    assert len(found) == 1 and found[0].startswith("bucket 'data' has no server access logging")
    logs = {**inputs_bucket("logs", tags=TAGS), "provider": "aws"}
    assert messages(LOGGING_RULE, [provider(LOG_TAGS), logs]) == []


# --- matching companions to buckets ---------------------------------------------------------------


def test_a_companion_naming_the_buckets_id_configures_it() -> None:
    """A bucket whose outputs carry its name only as ``id`` is still the one a companion names."""
    bucket = outputs_bucket("data")
    del bucket["inputs"]["bucket"]
    log = {"type": LOGGING, "name": "log", "inputs": {"bucket": f"{NAME}-data", "targetBucket": "logs"}}
    assert messages(LOGGING_RULE, [bucket, log]) == []
    assert len(messages(LOGGING_RULE, [bucket])) == 1


def test_a_dependency_on_a_bucket_with_no_known_name_is_trusted() -> None:
    """The engine recorded that the companion's ``bucket`` came from this bucket, whose name is not
    known yet: a literal name on the companion cannot contradict it."""
    bucket = inputs_bucket("data")
    log = {
        "type": LOGGING,
        "name": "log",
        "inputs": {"bucket": "some-other-name", "targetBucket": "logs"},
        "deps": {"bucket": ["data"]},
    }
    assert messages(LOGGING_RULE, [bucket, log]) == []
    named = inputs_bucket("data", bucket="mlops-data-data")
    assert len(messages(LOGGING_RULE, [named, log])) == 1  # a known, different name: not this bucket


def test_a_linked_companion_with_an_unknown_name_leaves_other_buckets_decided() -> None:
    """Only a companion with no dependency and an unknown ``bucket`` might configure any bucket: one
    whose dependency names its bucket does not make a bucket without encryption undecided."""
    specs = [
        inputs_bucket("data"),
        inputs_bucket("bare"),
        {
            "type": SSE,
            "name": "sse",
            "inputs": {"bucket": UNKNOWN, "rules": [sse_rule()]},
            "deps": {"bucket": ["data"]},
        },
    ]
    report = evaluate_report(build(specs), None, [get_policy(SSE_RULE)])
    assert report.undecided == []
    assert flagged(report.violations) == ["bare"]


# --- public access blocks -------------------------------------------------------------------------


@pytest.mark.parametrize("flag", PAB_FLAGS)
def test_each_public_access_flag_is_demanded_on_its_own(flag: str) -> None:
    """Each of the four flags closes a different door (new ACLs, new public policies, existing
    ACLs, existing public policies): any one off is a finding that names it, in both rules."""
    off = {**FLAGS, flag: False}
    [message] = messages("s3-public-access-blocked", [{"type": PAB, "name": "pab", "inputs": off}])
    assert message.startswith(f"{flag} not true")
    specs = bucket_stack("inputs")
    specs[1]["inputs"] = {**specs[1]["inputs"], **off}
    [message] = messages(BASELINE_RULE, specs)
    assert "lacks a BucketPublicAccessBlock with all four flags true:" in message


@pytest.mark.parametrize("kind", [PAB, "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"])
def test_an_omitted_public_access_flag_is_off(kind: str) -> None:
    """pulumi-aws defaults every flag of a (bucket or account) public access block to false."""
    partial = {k: v for k, v in FLAGS.items() if k != "blockPublicPolicy"}
    [message] = messages("s3-public-access-blocked", [{"type": kind, "name": "pab", "inputs": partial}])
    assert message.startswith("blockPublicPolicy not true")


def test_the_baseline_reads_an_omitted_flag_as_off() -> None:
    specs = bucket_stack("inputs")
    specs[1]["inputs"] = {k: v for k, v in specs[1]["inputs"].items() if k != "restrictPublicBuckets"}
    [message] = messages(BASELINE_RULE, specs)
    assert "lacks a BucketPublicAccessBlock with all four flags true:" in message


def test_an_aws_native_bucket_without_a_block_is_left_to_the_baseline() -> None:
    """The resource rule judges a native bucket's ``publicAccessBlockConfiguration`` when it has one;
    without one (a BucketPublicAccessBlock may supply it) the baseline asks for it."""
    bucket = native_bucket(publicAccessBlockConfiguration=None)
    assert messages("s3-public-access-blocked", [bucket]) == []
    [message] = messages(BASELINE_RULE, [bucket, native_policy(tls())])
    assert "lacks a BucketPublicAccessBlock with all four flags true:" in message
    [message] = messages(
        "s3-public-access-blocked",
        [native_bucket(publicAccessBlockConfiguration={**FLAGS, "ignorePublicAcls": False})],
    )
    assert message.startswith("publicAccessBlockConfiguration.ignorePublicAcls not true")


# --- s3-bucket-policy-tls-only and the baseline's TLS deny ----------------------------------------


def tls_policy(arn: str) -> dict[str, Any]:
    return tls(Resource=[arn, f"{arn}/*"])


def baseline_with_policy(bucket: dict[str, Any], arn: str) -> list[str]:
    specs = bucket_stack("inputs", policy=[tls_policy(arn)])
    specs[0] = {**bucket, "name": "data"}
    return messages(BASELINE_RULE, specs)


@pytest.mark.parametrize("partition", PARTITIONS)
def test_a_tls_deny_on_the_buckets_arn_in_any_partition_counts(partition: str) -> None:
    """At preview a bucket's partition is not known: its literal name's ARN in any partition is its ARN."""
    bucket = inputs_bucket("data", bucket="mlops-data-data")
    assert baseline_with_policy(bucket, f"arn:{partition}:s3:::mlops-data-data") == []
    [message] = baseline_with_policy(bucket, f"arn:{partition}:s3:::another-bucket")
    assert "lacks a TLS-only BucketPolicy" in message


def test_after_create_the_buckets_own_arn_decides_the_partition() -> None:
    """The ARN in the outputs is the bucket's: a deny naming the same name in another partition
    protects another bucket."""
    bucket = outputs_bucket("data")
    bucket["inputs"]["arn"] = "arn:aws-cn:s3:::mlops-data-data"
    assert baseline_with_policy(bucket, "arn:aws-cn:s3:::mlops-data-data") == []
    [message] = baseline_with_policy(bucket, "arn:aws:s3:::mlops-data-data")
    assert "lacks a TLS-only BucketPolicy" in message


def test_an_empty_bucket_name_is_no_name() -> None:
    """pulumi-aws spells an unset string ``""``: a bucket whose ``bucket`` reads ``""`` has no known
    ARN, so its linked TLS policy is judged on the bucket it names, not on ``arn:aws:s3:::``."""
    bucket = inputs_bucket("data", bucket="")
    assert baseline_with_policy(bucket, "arn:aws:s3:::mlops-data-data") == []


def test_an_empty_bucket_policy_document_is_not_tls_only() -> None:
    """A BucketPolicy exists to carry a policy: an empty document denies nothing over plain HTTP."""
    policy = {"type": NATIVE_POLICY, "name": "p", "inputs": {"bucket": NAME, "policyDocument": {}}}
    [message] = messages(TLS_RULE, [policy])
    assert message.startswith("policy is not TLS-only: there is no Deny statement")
    policy = {"type": BUCKET_POLICY, "name": "p", "inputs": {"bucket": NAME, "policy": ""}}
    [message] = messages(TLS_RULE, [policy])
    assert message.startswith("policy is not TLS-only: there is no Deny statement")


def test_a_buckets_empty_inline_policy_is_no_policy() -> None:
    """After create pulumi-aws reports a bucket without an inline policy as ``policy: ""``: the
    resource rule has nothing to judge (the baseline asks for a BucketPolicy)."""
    assert messages(TLS_RULE, [outputs_bucket("data")]) == []
    assert messages(TLS_RULE, [{**outputs_bucket("data"), "type": BUCKET_V2}]) == []


def test_an_empty_literal_bucket_name_pins_no_arn() -> None:
    """A bucket whose name reads ``""`` has no ARN yet: its inline TLS deny is judged on the bucket it names."""
    inline = doc(tls_policy(ARN))
    assert messages(TLS_RULE, [inputs_bucket("data", bucket="", policy=inline)]) == []
    [message] = messages(TLS_RULE, [inputs_bucket("data", bucket="other", policy=inline)])
    assert "not both the bucket ARN and its objects" in message


@pytest.mark.parametrize("partition", PARTITIONS)
def test_a_bucket_policy_naming_its_bucket_accepts_that_name_in_any_partition(partition: str) -> None:
    arn = f"arn:{partition}:s3:::{NAME}"
    policy = {"type": BUCKET_POLICY, "name": "p", "inputs": {"bucket": NAME, "policy": doc(tls_policy(arn))}}
    assert messages(TLS_RULE, [policy]) == []
    policy["inputs"]["bucket"] = "another-bucket"
    [message] = messages(TLS_RULE, [policy])
    assert "not both the bucket ARN and its objects" in message


@pytest.mark.parametrize("kind", [BUCKET_V2, "aws:s3/bucket:Bucket"])
def test_a_buckets_inline_policy_must_be_tls_only(kind: str) -> None:
    allow_only = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": "s3:GetObject",
            "Resource": f"{ARN}/*",
        }
    )
    [message] = messages(
        TLS_RULE, [{"type": kind, "name": "b", "inputs": {"bucket": NAME, "policy": allow_only}}]
    )
    assert message.startswith("policy is not TLS-only: there is no Deny statement")


# --- s3-bucket-policy-not-public ------------------------------------------------------------------


def test_a_buckets_empty_inline_policy_is_not_public_nor_invalid() -> None:
    assert messages(PUBLIC_RULE, [outputs_bucket("data")]) == []
    assert messages(PUBLIC_RULE, [{**outputs_bucket("data"), "type": BUCKET_V2}]) == []


def test_a_bucket_policy_that_is_not_json_is_refused() -> None:
    """IAM would reject it; the rule cannot vouch for what it cannot read."""
    policy = {"type": BUCKET_POLICY, "name": "p", "inputs": {"bucket": NAME, "policy": '{"Statement": ['}}
    assert messages(PUBLIC_RULE, [policy]) == [
        "policy is not valid JSON (or repeats a key in one object, which AWS may read either way): fix the document."
    ]


# --- s3-sse-kms-encrypted -------------------------------------------------------------------------


@pytest.mark.parametrize("customer", ["alias/team-alias/aws/s3", "alias/aws-data", "alias/awsome"])
def test_a_customer_alias_near_alias_aws_is_not_the_aws_managed_key(customer: str) -> None:
    """Only aliases that begin with ``alias/aws/`` are reserved for AWS-managed keys."""
    assert messages(SSE_RULE, bucket_stack("inputs", sse=[sse_rule(key=customer)])) == []
    [message] = messages(SSE_RULE, bucket_stack("inputs", sse=[sse_rule(key="alias/aws/s3")]))
    assert "'alias/aws/s3', the AWS-managed key" in message


def test_an_encryption_configuration_without_rules_is_refused() -> None:
    [message] = messages(
        SSE_RULE, [*bucket_stack("inputs", sse=[]), companion(SSE, "sse", "data", "inputs", {"rules": []})]
    )
    assert message.startswith("rules is empty: add a rule with sse_algorithm='aws:kms'")
    bucket = native_bucket(bucketEncryption={"serverSideEncryptionConfiguration": []})
    [message] = messages(SSE_RULE, [bucket])
    assert message.startswith("bucketEncryption.serverSideEncryptionConfiguration is empty")


def test_an_empty_kms_key_after_create_is_the_aws_managed_key() -> None:
    """After create pulumi-aws reports an unset ``kmsMasterKeyId`` as ``""``: S3 uses aws/s3."""
    rule = {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": ""}}
    [message] = messages(SSE_RULE, bucket_stack("outputs", sse=[rule]))
    assert message == (
        "rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId is unset (the AWS-managed aws/s3 key): "
        "set kms_master_key_id to a customer-managed KMS key."
    )


def test_the_access_log_exemption_is_for_aes256_only() -> None:
    """The tagged bucket may say AES256; a rule that names no algorithm is still refused, as elsewhere."""
    no_algorithm = {"bucketKeyEnabled": False}
    [message] = messages(SSE_RULE, bucket_stack("inputs", tags=LOG_TAGS, sse=[no_algorithm]))
    assert message.startswith("rules[0].applyServerSideEncryptionByDefault.sseAlgorithm is unset")
    assert messages(SSE_RULE, bucket_stack("inputs", tags=LOG_TAGS, sse=[sse_rule("AES256", None)])) == []


def test_an_empty_v2_inline_encryption_list_is_no_configuration() -> None:
    """``serverSideEncryptionConfigurations: []`` (what a BucketV2 declares without the block) is
    S3's default SSE-S3: what an access-log bucket needs, and the 'no configuration' finding on others."""
    logs = {**inputs_bucket("logs", tags=LOG_TAGS, serverSideEncryptionConfigurations=[]), "type": BUCKET_V2}
    assert messages(SSE_RULE, [logs]) == []
    data = {**inputs_bucket("data", serverSideEncryptionConfigurations=[]), "type": BUCKET_V2}
    [message] = messages(SSE_RULE, [data])
    assert message.startswith("bucket 'data' has no default-encryption configuration")


def test_aes256_needs_every_bucket_a_configuration_may_configure_to_be_the_access_log_bucket() -> None:
    """At preview a configuration whose ``bucket`` was computed from two buckets (an ``apply`` over
    both ids) may configure either: AES256 there is allowed only if both are access-log buckets,
    whichever dependency the engine lists first."""
    logs = inputs_bucket("logs", tags=LOG_TAGS)
    data = inputs_bucket("data")
    for order in (["logs", "data"], ["data", "logs"]):
        config = {
            "type": SSE,
            "name": "sse",
            "inputs": {"bucket": UNKNOWN, "rules": [sse_rule("AES256", None)]},
            "deps": {"bucket": order},
        }
        found = run_policy(SSE_RULE, [logs, data, config])
        assert flagged(found) == ["sse"]
        assert found[0].message.startswith(
            "rules[0].applyServerSideEncryptionByDefault.sseAlgorithm is 'AES256'"
        )
    both_logs = {**config, "deps": {"bucket": ["logs", "other-logs"]}}
    assert run_policy(SSE_RULE, [logs, inputs_bucket("other-logs", tags=LOG_TAGS), both_logs]) == []


def test_aes256_on_a_configuration_whose_bucket_is_computed_from_no_bucket_is_undecided() -> None:
    """A ``bucket`` unknown at preview and computed from no bucket of the stack (the log bucket's name
    built from a random suffix, as the bucket's own) may name the access-log bucket: its AES256 is
    decided after create, when the name finds the bucket; a KMS rule is judged at preview all the same."""
    logs = inputs_bucket("logs", tags=LOG_TAGS)
    config = {"type": SSE, "name": "sse", "inputs": {"bucket": UNKNOWN, "rules": [sse_rule("AES256", None)]}}
    report = evaluate_report(build([logs, config]), None, [get_policy(SSE_RULE)])
    assert report.violations == [] and report.undecided != []
    unset_key = {**config, "inputs": {"bucket": UNKNOWN, "rules": [sse_rule("aws:kms", None)]}}
    [message] = messages(SSE_RULE, [logs, unset_key])
    assert message.startswith("rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId is unset")
    named = {**config, "inputs": {"bucket": "logs", "rules": [sse_rule("AES256", None)]}}
    assert run_policy(SSE_RULE, [inputs_bucket("logs", tags=LOG_TAGS, bucket="logs"), named]) == []


def test_a_configuration_whose_name_comes_from_a_random_suffix_may_configure_any_bucket() -> None:
    """A ``bucket`` computed from a ``RandomId`` depends on no bucket: the configuration may be any
    bucket's, so a bucket with no linked configuration is undecided at preview (not refused as
    unconfigured), as the configuration's own AES256 is."""
    rand = {"type": "random:index/randomId:RandomId", "name": "rand", "inputs": {"byteLength": 4}}
    data = {**inputs_bucket("data"), "deps": {"bucket": ["rand"]}}
    data["inputs"] = {**data["inputs"], "bucket": UNKNOWN}
    config = {
        "type": SSE,
        "name": "sse",
        "inputs": {"bucket": UNKNOWN, "rules": [sse_rule()]},
        "deps": {"bucket": ["rand"]},
    }
    report = evaluate_report(build([rand, data, config]), None, [get_policy(SSE_RULE)])
    assert report.violations == [] and report.undecided != []


def test_an_undecided_aes256_rule_does_not_hide_another_rule_s_finding() -> None:
    """Beside an AES256 rule that waits for the bucket's name, a KMS rule without its key is refused
    at preview, in either order."""
    logs = inputs_bucket("logs", tags=LOG_TAGS)
    for rules in (
        [sse_rule("aws:kms", None), sse_rule("AES256", None)],
        [sse_rule("AES256", None), sse_rule("aws:kms", None)],
    ):
        config = {"type": SSE, "name": "sse", "inputs": {"bucket": UNKNOWN, "rules": rules}}
        found = messages(SSE_RULE, [logs, config])
        assert len(found) == 1 and "kmsMasterKeyId is unset" in found[0]


def test_aes256_on_a_configuration_of_a_bucket_outside_the_stack_is_refused() -> None:
    """Nothing shows that a bucket the stack does not hold is an access-log bucket."""
    config = {
        "type": SSE,
        "name": "sse",
        "inputs": {"bucket": "elsewhere", "rules": [sse_rule("AES256", None)]},
    }
    [message] = messages(SSE_RULE, [inputs_bucket("logs", tags=LOG_TAGS), config])
    assert message.startswith("rules[0].applyServerSideEncryptionByDefault.sseAlgorithm is 'AES256'")


# --- s3-bucket-access-logging ---------------------------------------------------------------------


def test_a_v2_bucket_with_an_empty_loggings_list_has_no_access_logging() -> None:
    bare = {**inputs_bucket("data", loggings=[]), "type": BUCKET_V2}
    [message] = messages(LOGGING_RULE, [bare])
    assert message.startswith("bucket 'data' has no server access logging")
    logged = {
        **inputs_bucket("data", loggings=[{"targetBucket": "logs", "targetPrefix": "data/"}]),
        "type": BUCKET_V2,
    }
    assert messages(LOGGING_RULE, [logged]) == []


# --- s3-bucket-security-baseline: versioning, encryption, undecided -------------------------------


def test_a_bucket_versioning_v2_companion_decides_versioning() -> None:
    """``BucketVersioningV2`` (pulumi-aws v6's name, still an alias in v7) is a versioning companion:
    Enabled versions the bucket, Suspended undoes it."""
    for status, expected in (("Enabled", 0), ("Suspended", 1)):
        specs = bucket_stack("inputs")
        specs[3] = {**specs[3], "type": "aws:s3/bucketVersioningV2:BucketVersioningV2"}
        specs[3]["inputs"] = {"versioningConfiguration": {"status": status}}
        found = messages(BASELINE_RULE, specs)
        assert len(found) == expected
        assert all(
            "lacks a BucketVersioning with versioningConfiguration.status='Enabled'" in m for m in found
        )


def test_a_buckets_inline_versioning_block_counts_only_when_enabled() -> None:
    """After create a pulumi-aws bucket always reports ``versioning: {enabled: false}``: the block's
    presence is not versioning."""
    specs = [s for s in bucket_stack("outputs") if s["name"] != "versioning"]
    [message] = messages(BASELINE_RULE, specs)
    assert "lacks a BucketVersioning with versioningConfiguration.status='Enabled'" in message
    specs[0]["inputs"]["versioning"] = {"enabled": True, "mfaDelete": False}
    assert messages(BASELINE_RULE, specs) == []


def test_the_access_log_bucket_needs_no_encryption_configuration_in_the_baseline() -> None:
    """S3's default SSE-S3 is what access-log delivery needs: no configuration resource is demanded,
    before or after create (when the outputs report S3's AES256)."""
    for shape in ("inputs", "outputs"):
        specs = bucket_stack(shape, tags=LOG_TAGS, sse=[])
        assert messages(BASELINE_RULE, specs) == []
        specs = bucket_stack(shape, tags=TAGS, sse=[])
        [message] = messages(BASELINE_RULE, specs)
        assert "lacks a BucketServerSideEncryptionConfiguration:" in message


def test_an_aws_native_buckets_own_encryption_block_is_its_configuration() -> None:
    """The baseline asks an aws-native bucket for its ``bucketEncryption``; which algorithm it names
    is ``s3-sse-kms-encrypted``'s question."""
    aes = {
        "serverSideEncryptionConfiguration": [{"serverSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]
    }
    bucket = native_bucket(bucketEncryption=aes)
    assert messages(BASELINE_RULE, [bucket, native_policy(tls())]) == []
    [message] = messages(SSE_RULE, [bucket])
    assert message.startswith(
        "bucketEncryption.serverSideEncryptionConfiguration[0].serverSideEncryptionByDefault.sseAlgorithm is 'AES256'"
    )
    [message] = messages(BASELINE_RULE, [native_bucket(bucketEncryption=None), native_policy(tls())])
    assert "lacks a BucketServerSideEncryptionConfiguration" in message


def test_an_unresolved_companion_leaves_a_complete_bucket_decided() -> None:
    """A companion whose bucket is unknown can only add to a bucket: one that already has all four
    passes, and only a bucket that lacks something waits for it."""
    stray = {"type": PAB, "name": "stray", "inputs": {"bucket": UNKNOWN, **FLAGS}}
    report = evaluate_report(build([*bucket_stack("inputs"), stray]), None, [get_policy(BASELINE_RULE)])
    assert (report.violations, report.undecided) == ([], [])
    lacking = [s for s in bucket_stack("inputs") if s["name"] != "pab"]
    report = evaluate_report(build([*lacking, stray]), None, [get_policy(BASELINE_RULE)])
    assert report.violations == []
    assert [u.urn.rsplit("::", 1)[-1] for u in report.undecided] == ["data"]


@pytest.mark.parametrize(
    ("missing", "stray"),
    [
        ("pab", {"type": PAB, "inputs": FLAGS}),
        ("policy", {"type": BUCKET_POLICY, "inputs": {"policy": doc(tls())}}),
        ("policy", {"type": NATIVE_POLICY, "inputs": {"policyDocument": {"Statement": [tls()]}}}),
        ("versioning", {"type": VERSIONING, "inputs": {"versioningConfiguration": {"status": "Enabled"}}}),
        ("sse", {"type": SSE, "inputs": {"rules": [sse_rule()]}}),
    ],
    ids=["public-access-block", "bucket-policy", "native-bucket-policy", "versioning", "encryption"],
)
def test_a_bucket_lacking_a_companion_waits_for_an_unresolved_one_of_that_kind(
    missing: str, stray: dict[str, Any]
) -> None:
    specs = [s for s in bucket_stack("inputs") if s["name"] != missing]
    unresolved = {**stray, "name": "stray", "inputs": {**stray["inputs"], "bucket": UNKNOWN}}
    report = evaluate_report(build([*specs, unresolved]), None, [get_policy(BASELINE_RULE)])
    assert report.violations == []
    assert [u.urn.rsplit("::", 1)[-1] for u in report.undecided] == ["data"]


# --- kms-key-rotation-enabled ---------------------------------------------------------------------


def test_rotation_written_as_a_string_is_read_as_a_boolean() -> None:
    [message] = messages(
        ROTATION_RULE, [{"type": "aws:kms/key:Key", "name": "k", "inputs": {"enableKeyRotation": "false"}}]
    )
    assert message == "enableKeyRotation is 'false': set enable_key_rotation=True."
    assert (
        messages(
            ROTATION_RULE, [{"type": "aws:kms/key:Key", "name": "k", "inputs": {"enableKeyRotation": "true"}}]
        )
        == []
    )


# --- kms-key-policy-no-public-principal -----------------------------------------------------------


def key_policy(kind: str, action: str, condition: dict[str, Any] | None = None) -> list[str]:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": "*", "Action": action, "Resource": "*"}
    if condition is not None:
        statement["Condition"] = condition
    prop = "keyPolicy" if kind.startswith("aws-native:") else "policy"
    document = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    return messages(KEY_POLICY_RULE, [{"type": kind, "name": "key", "inputs": {prop: document}}])


@pytest.mark.parametrize(
    "kind",
    [
        "aws:kms/key:Key",
        "aws:kms/keyPolicy:KeyPolicy",
        "aws:kms/replicaKey:ReplicaKey",
        "aws:kms/externalKey:ExternalKey",
        "aws:kms/replicaExternalKey:ReplicaExternalKey",
        "aws-native:kms:Key",
        "aws-native:kms:ReplicaKey",
    ],
)
def test_every_key_type_has_its_policy_judged(kind: str) -> None:
    prop = "keyPolicy" if kind.startswith("aws-native:") else "policy"
    [message] = key_policy(kind, "kms:Decrypt")
    assert message.startswith(
        f"{prop} Statement[0] allows Principal '*' without a condition that pins the caller"
    )
    assert key_policy(kind, "kms:Decrypt", PINNED) == []


def test_a_deny_to_everyone_is_no_grant() -> None:
    """A Deny to ``*`` (a guard such as 'no use outside the organisation') takes access away."""
    guard = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "kms:*",
        "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-abc123"}},
    }
    document = json.dumps({"Version": "2012-10-17", "Statement": [guard]})
    assert (
        messages(KEY_POLICY_RULE, [{"type": "aws:kms/key:Key", "name": "k", "inputs": {"policy": document}}])
        == []
    )
    allow = json.dumps({"Version": "2012-10-17", "Statement": [{**guard, "Effect": "Allow"}]})
    [message] = messages(
        KEY_POLICY_RULE, [{"type": "aws:kms/key:Key", "name": "k", "inputs": {"policy": allow}}]
    )
    assert message.startswith(
        "policy Statement[0] allows Principal '*' without a condition that pins the caller"
    )


def test_an_unpinned_grant_of_administration_is_reported_once() -> None:
    """``kms:*`` to ``*`` with no condition is one finding (no pin); the 'administer' finding is for a
    pinned statement, which the first does not already cover."""
    [message] = key_policy("aws:kms/key:Key", "kms:*")
    assert message.startswith(
        "policy Statement[0] allows Principal '*' without a condition that pins the caller"
    )
    [message] = key_policy("aws:kms/key:Key", "kms:*", PINNED)
    assert message.startswith("policy Statement[0] lets Principal '*' administer the key")


def test_an_unknown_principal_with_administration_is_undecided() -> None:
    """At preview a principal not known yet may or may not be ``*``: a pinned statement granting
    ``kms:PutKeyPolicy`` to it is undecided, not refused."""
    statement = {
        "Effect": "Allow",
        "Principal": UNKNOWN,
        "Action": "kms:PutKeyPolicy",
        "Resource": "*",
        "Condition": PINNED,
    }
    specs = [{"type": "aws:kms/key:Key", "name": "k", "inputs": {"policy": {"Statement": [statement]}}}]
    report = evaluate_report(build(specs), None, [get_policy(KEY_POLICY_RULE)])
    assert report.violations == []
    assert [u.policy_name for u in report.undecided] == [KEY_POLICY_RULE]


def test_deleting_imported_key_material_is_key_administration() -> None:
    """Deleting imported key material makes the key unusable at once, as disabling it does (for good
    if the material was not kept): a wildcard principal may not do it, even pinned to the account."""
    for kind in ("aws:kms/externalKey:ExternalKey", "aws:kms/replicaExternalKey:ReplicaExternalKey"):
        [message] = key_policy(kind, "kms:DeleteImportedKeyMaterial", PINNED)
        assert message.startswith("policy Statement[0] lets Principal '*' administer the key")
        [message] = key_policy(kind, "kms:Delete*", PINNED)
        assert message.startswith("policy Statement[0] lets Principal '*' administer the key")
        assert key_policy(kind, "kms:Decrypt", PINNED) == []


# --- values unknown at preview ----------------------------------------------------------------------


def undecided(policy: str, specs: list[dict[str, Any]]) -> list[str]:
    """The resources ``policy`` could not decide; it must report no violation either."""
    report = evaluate_report(build(specs), None, [get_policy(policy)])
    assert [v.message for v in report.violations] == []
    return [u.urn.rsplit("::", 1)[-1] for u in report.undecided]


def test_a_public_access_flag_unknown_at_preview_is_undecided() -> None:
    block = {"type": PAB, "name": "pab", "inputs": {**FLAGS, "blockPublicAcls": UNKNOWN}}
    assert undecided("s3-public-access-blocked", [block]) == ["pab"]
    native = native_bucket(publicAccessBlockConfiguration=UNKNOWN)
    assert undecided("s3-public-access-blocked", [native]) == ["native"]
    specs = bucket_stack("inputs")
    specs[1]["inputs"] = {**specs[1]["inputs"], "restrictPublicBuckets": UNKNOWN}
    assert undecided(BASELINE_RULE, specs) == ["data"]


def test_a_bucket_policy_unknown_at_preview_is_undecided() -> None:
    policy = {"type": BUCKET_POLICY, "name": "p", "inputs": {"bucket": NAME, "policy": UNKNOWN}}
    assert undecided(TLS_RULE, [policy]) == ["p"]
    assert undecided(PUBLIC_RULE, [policy]) == ["p"]
    specs = [s for s in bucket_stack("inputs") if s["name"] != "policy"]
    specs[0]["inputs"]["policy"] = UNKNOWN
    specs[0]["deps"] = {"policy": ["reader"]}  # an inline policy built from a role's ARN
    specs.append({"type": "aws:iam/role:Role", "name": "reader", "inputs": {"assumeRolePolicy": "{}"}})
    assert undecided(BASELINE_RULE, specs) == ["data"]


def test_a_bucket_policy_whose_bucket_is_unknown_is_judged_on_the_bucket_it_names() -> None:
    """At preview ``bucket=my_bucket.id`` is unknown: the deny must still cover some bucket and its objects."""
    policy = {"type": BUCKET_POLICY, "name": "p", "inputs": {"bucket": UNKNOWN, "policy": doc(tls())}}
    assert messages(TLS_RULE, [policy]) == []
    policy["inputs"]["policy"] = doc(tls(Resource=ARN))
    [message] = messages(TLS_RULE, [policy])
    assert "not both the bucket ARN and its objects" in message


def test_an_encryption_setting_unknown_at_preview_is_undecided() -> None:
    algorithm = {"applyServerSideEncryptionByDefault": {"sseAlgorithm": UNKNOWN, "kmsMasterKeyId": KEY}}
    assert undecided(SSE_RULE, bucket_stack("inputs", sse=[algorithm])) == ["sse"]
    key = {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": UNKNOWN}}
    assert undecided(SSE_RULE, bucket_stack("inputs", sse=[key])) == ["sse"]
    inline = inputs_bucket("data", serverSideEncryptionConfiguration={"rule": algorithm})
    specs = [inline, *bucket_stack("inputs", sse=[])[1:]]
    assert undecided(BASELINE_RULE, specs) == ["data"]


def test_a_versioning_status_unknown_at_preview_is_undecided() -> None:
    specs = bucket_stack("inputs")
    specs[3]["inputs"] = {"versioningConfiguration": {"status": UNKNOWN}}
    assert undecided(BASELINE_RULE, specs) == ["data"]
    native = native_bucket(versioningConfiguration={"status": UNKNOWN})
    assert undecided(BASELINE_RULE, [native, native_policy(tls())]) == ["native"]


def test_a_logging_target_unknown_at_preview_is_undecided() -> None:
    bucket = inputs_bucket("data", logging={"targetBucket": UNKNOWN})
    assert undecided(LOGGING_RULE, [bucket]) == ["data"]
    assert undecided(LOGGING_RULE, [native_bucket(loggingConfiguration=UNKNOWN)]) == ["native"]


@pytest.mark.parametrize(
    "unknown",
    [
        {"enableKeyRotation": UNKNOWN},
        {"customerMasterKeySpec": UNKNOWN},
        {"origin": UNKNOWN},
        {"customKeyStoreId": UNKNOWN},
    ],
    ids=["rotation", "key-spec", "origin", "custom-key-store"],
)
def test_a_rotation_setting_unknown_at_preview_is_undecided(unknown: dict[str, Any]) -> None:
    """An unknown spec, origin or key store may make the key one that cannot rotate."""
    key = {"type": "aws:kms/key:Key", "name": "k", "inputs": {"enableKeyRotation": False, **unknown}}
    assert undecided(ROTATION_RULE, [key]) == ["k"]
