"""``stateful-resources-protected`` covers the stateful types of the installed providers, as a class
(policies/rules/_stateful_types.py).

The rule listed KMS keys, buckets, feature groups, model package groups and trails, not a CloudTrail Lake
event data store (``aws:cloudtrail/eventDataStore:EventDataStore``, whose ``terminationProtectionEnabled``
says AWS thinks it worth keeping) nor any database (session 71's brief). A type whose AWS API has a
deletion or termination protection input is now either protected by default or named not stateful with
why; the scan below reads the installed pulumi-aws and aws-native, so a provider upgrade adding one is a
failing test.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import pytest

from policies.registry import get_policy
from policies.rules._stateful_types import NOT_STATEFUL, PROTECTED_TYPES
from tests.policies import test_resource_policy_class_63 as class_scan
from tests.policies.conftest import run_policy
from tests.policies.test_resource_policy_class_63 import inputs_named, provider_sources
from tests.recorded import computed_once

RULE = "stateful-resources-protected"
#: Inputs by which an AWS API keeps a resource from deletion or termination (any depth up to 2:
#: aws-native's GlobalTable has it per replica).
PROTECTION = re.compile(
    r"(?i)^(deletionProtection|deletionProtectionEnabled|terminationProtectionEnabled|terminationProtection|"
    r"disableApiTermination|enableDeletionProtection|enableTerminationProtection|deleteProtection)$"
)


@functools.cache
def installed() -> frozenset[str]:
    """The type tokens of the installed providers with a protection input."""
    root, key = provider_sources()
    return computed_once(
        "stateful-protection",
        lambda: frozenset(found.split(" ", 1)[0] for found in inputs_named(root, PROTECTION, 2)),
        key=[*key, Path(class_scan.__file__).read_bytes(), PROTECTION.pattern],
    )


def test_every_type_with_a_protection_input_is_classified() -> None:
    missing = sorted(installed() - set(PROTECTED_TYPES) - set(NOT_STATEFUL))
    assert missing == [], f"classify in policies/rules/_stateful_types.py: {missing}"


def test_the_scan_finds_the_event_data_store_and_the_databases() -> None:
    """The scan's near miss: it finds what it must (a scan finding nothing would pass the test above)."""
    assert {
        "aws:cloudtrail/eventDataStore:EventDataStore",
        "aws-native:cloudtrail:EventDataStore",
        "aws:rds/instance:Instance",
        "aws-native:dynamodb:GlobalTable",
        "aws:ec2/instance:Instance",
    } <= installed()


def test_no_type_is_both_protected_and_not_stateful() -> None:
    assert set(PROTECTED_TYPES) & set(NOT_STATEFUL) == set()
    assert len(PROTECTED_TYPES) == len(set(PROTECTED_TYPES))


def test_the_rule_defaults_to_the_table() -> None:
    schema: Any = get_policy(RULE).config_schema
    assert schema.properties["protectedTypes"]["default"] == list(PROTECTED_TYPES)


@pytest.mark.parametrize(
    "resource_type",
    [
        "aws:cloudtrail/eventDataStore:EventDataStore",
        "aws-native:cloudtrail:EventDataStore",
        "aws:dynamodb/table:Table",
        "aws-native:dynamodb:GlobalTable",
        "aws:rds/cluster:Cluster",
        "aws-native:rds:DbInstance",
        "aws:qldb/ledger:Ledger",
        "aws:cognito/userPool:UserPool",
        "aws-native:opensearchserverless:Collection",
    ],
)
def test_a_new_stateful_type_must_be_protected(resource_type: str) -> None:
    assert run_policy(RULE, [{"type": resource_type, "name": "r", "protect": True}]) == []
    found = run_policy(RULE, [{"type": resource_type, "name": "r"}])
    assert [(v.policy_name, v.enforcement_level) for v in found] == [(RULE, "mandatory")]
    assert f"{resource_type} 'r' is not protected" in found[0].message
    assert (
        run_policy(RULE, [{"type": resource_type, "name": "r"}], {RULE: {"requireProtection": False}}) == []
    )


@pytest.mark.parametrize(
    "resource_type",
    ["aws:cloudwatch/logGroup:LogGroup", "aws:ec2/instance:Instance", "aws-native:cloudtrail:Dashboard"],
)
def test_a_type_named_not_stateful_needs_no_protection(resource_type: str) -> None:
    assert run_policy(RULE, [{"type": resource_type, "name": "r"}]) == []
