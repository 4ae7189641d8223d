"""An AWS managed key is named ``alias/aws/<service>`` exactly (policies/rules/_props.py
``AWS_MANAGED_ALIAS``), in every rule that refuses one.

Session 71's brief asked whether ``alias/AWS/sqs`` should count as the AWS managed key. AWS names those
aliases ``aws/<service-name>`` (KMS Developer Guide, "Aliases in AWS KMS") and reserves the prefix
``alias/aws/`` (CreateAlias: "The alias name cannot begin with alias/aws/"): ``alias/AWS/sqs`` is another
alias name, a customer's key if one was given it or no key at all, never the AWS managed key, so the
rules keep reading it as a customer's key (refusing it would refuse a customer's key and protect
nothing). One pattern now serves every rule: the SNS topic-key rules matched ``"alias/aws/" in value``
anywhere in the text, so a customer alias such as ``alias/team/alias/aws/x`` read as AWS's.
"""

from __future__ import annotations

from typing import Any

import pytest

from policies.rules._props import is_aws_managed_alias
from tests.policies.one_resource import assert_decided, findings
from tests.policies.test_policy_alarm_rules import topic_key_stack
from tests.policies.test_policy_leftovers import _by_name, _topic_key

ARN = "arn:aws:kms:eu-west-1:111122223333:"


@pytest.mark.parametrize(
    "key",
    [
        "alias/aws/sqs",
        "alias/aws/sns",
        f"{ARN}alias/aws/s3",
        "arn:aws-cn:kms:cn-north-1:111122223333:alias/aws/sqs",
    ],
    ids=["bare-sqs", "bare-sns", "arn", "china-arn"],
)
def test_the_aws_managed_alias_is_recognised(key: str) -> None:
    assert is_aws_managed_alias(key)


@pytest.mark.parametrize(
    "key",
    [
        "alias/AWS/sqs",
        "alias/Aws/sqs",
        f"{ARN}alias/AWS/sqs",
        "alias/awsome",
        "alias/aws",
        "alias/team/aws/sqs",
        "alias/team/alias/aws/sqs",
        f"{ARN}key/1234abcd-12ab-34cd-56ef-1234567890ab",
        None,
        ["alias/aws/sqs"],
    ],
    ids=[
        "upper-case", "mixed-case", "upper-case-arn", "a-longer-word", "no-service", "aws-deeper",
        "the-prefix-inside-a-customer-alias", "a-key-arn", "unset", "not-text",
    ],
)  # fmt: skip
def test_anything_else_is_not_the_aws_managed_key(key: Any) -> None:
    assert not is_aws_managed_alias(key)


@pytest.mark.parametrize(
    ("rule", "resource_type", "field", "service"),
    [
        ("sqs-queue-kms-encrypted", "aws:sqs/queue:Queue", "kmsMasterKeyId", "sqs"),
        ("sns-topic-kms-encrypted", "aws:sns/topic:Topic", "kmsMasterKeyId", "sns"),
    ],
)
def test_each_rule_refuses_the_managed_alias_and_takes_another_case(
    rule: str, resource_type: str, field: str, service: str
) -> None:
    managed = findings(rule, resource_type, {field: f"alias/aws/{service}"})
    assert_decided(managed, f"'alias/aws/{service}'")
    assert_decided(findings(rule, resource_type, {field: f"alias/AWS/{service}"}), None)
    assert_decided(findings(rule, resource_type, {field: f"alias/team/alias/aws/{service}"}), None)


def test_a_customer_alias_holding_the_prefix_is_judged_by_the_topic_key_rule() -> None:
    """``alarm-topic-key-usable`` left AWS's key (and an unencrypted topic) to sns-topic-kms-encrypted by
    ``"alias/aws/" in value``: a customer alias holding those characters was left unjudged too."""
    specs = topic_key_stack()
    topic = _by_name(specs, "alerts")
    topic["deps"] = {}
    topic["inputs"]["kmsMasterKeyId"] = "alias/aws/sns"
    assert _topic_key(specs) == ([], [])
    topic["inputs"]["kmsMasterKeyId"] = "alias/team/alias/aws/sns"
    assert _topic_key(specs) != ([], [])
