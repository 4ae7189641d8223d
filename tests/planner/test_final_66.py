"""Session 66, final read: what the day's policy changes left for an adopting team.

1. A pack config whose note covers every exemption is not refused.

``bin/plan`` reads ``policies/<environment>.json`` (``registry.load_pack_config``) and ``pulumi
preview --policy-pack policies`` configures ``policies.analyzer.PackAnalyzer``: both refuse an entry
of ``public-access-switches-kept-on.publicByDesign`` that ``public-by-design-noted`` would not note
(``public_switches.unnoted_exemptions``). That check compared entries whole, so an exemption the note
does cover was refused as "exempted without a note": a rule entry narrowed to one ``type`` beside a
note entry for the same resource of any type, or the same resource with another wording of its
reason (the note reports its own). A note entry narrower than the exemption is still refused.

2. An S3 access point's policy is public as S3 reads it. Session 66 made ``s3-bucket-policy-not-public``
read a ``*`` or ``?`` under ``StringEquals`` (and a Deny's ``StringNotEquals``) as a wildcard, as S3's
Block Public Access does, while ``resource-policy-not-public`` kept IAM's literal reading for every
type it reads, S3 access points and Multi-Region Access Points included: the same policy refused as
a bucket policy passed as an access point policy, and ``BlockPublicPolicy`` ("bucket and access point
policies") refused it at ``pulumi up``. Those types are now read as S3 reads them; SQS and the other
services keep the literal reading.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pulumi.runtime.proto import analyzer_pb2 as pb

from policies.registry import PackConfigError, load_pack_config
from policies.rules._resource_policy_types import DOCUMENTS, S3_JUDGED
from tests.policies.one_resource import assert_decided, findings
from tests.policies.test_pack_analyzer_66 import Context, configure, reported

RULE = "public-access-switches-kept-on"
NOTE = "public-by-design-noted"
APP_RUNNER = "aws:apprunner/service:Service"
ENTRY = {"resource": "public-api", "reason": "customer-facing API, WAF in front (ADR-12)"}
TYPED = {**ENTRY, "type": APP_RUNNER}


def _config(exempted: dict[str, Any], noted: dict[str, Any]) -> dict[str, Any]:
    return {RULE: {"publicByDesign": [exempted]}, NOTE: {"publicByDesign": [noted]}}


@pytest.mark.parametrize(
    ("exempted", "noted", "refused"),
    [
        pytest.param(TYPED, ENTRY, False, id="exemption-narrowed-by-type-note-of-any-type"),
        pytest.param(ENTRY, {**ENTRY, "reason": "public API (ADR-12)"}, False, id="note-with-its-own-reason"),
        pytest.param(ENTRY, TYPED, True, id="note-narrower-than-the-exemption-refused"),
        pytest.param(ENTRY, {**ENTRY, "resource": "public-api-2"}, True, id="another-resource-refused"),
    ],
)
def test_an_exemption_the_note_covers_is_accepted(
    tmp_path: Path, exempted: dict[str, Any], noted: dict[str, Any], refused: bool
) -> None:
    config = _config(exempted, noted)
    path = tmp_path / "prod.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    if refused:
        with pytest.raises(PackConfigError) as error:
            load_pack_config(path)
        assert "exempted without a note" in dict(error.value.keyed())[f"{NOTE}.publicByDesign"]
        return
    load_pack_config(path)
    # Under the CLI too: served, the listed App Runner service noted, not refused.
    assert reported(configure(config, Context()), "public-api") == [(NOTE, pb.ADVISORY)]


ACCESS_POINTS = [
    "aws:s3control/accessPointPolicy:AccessPointPolicy",
    "aws-native:s3:AccessPoint",
    "aws:s3control/multiRegionAccessPointPolicy:MultiRegionAccessPointPolicy",
]


def _policy(statement_condition: dict[str, Any] | None, deny_condition: dict[str, Any] | None) -> str:
    """Allow anyone s3:GetObject (with ``statement_condition``), and Deny everyone under ``deny_condition``."""
    allow = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}
    statements = [{**allow, "Condition": statement_condition} if statement_condition else allow]
    if deny_condition:
        statements.append({**allow, "Effect": "Deny", "Condition": deny_condition})
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


@pytest.mark.parametrize(
    ("allow_condition", "deny_condition", "public"),
    [
        pytest.param(
            {"StringEquals": {"aws:SourceVpce": "vpce-1a2b*"}}, None, True, id="equals-star-not-fixed"
        ),
        pytest.param(
            None, {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b*"}}, True, id="deny-star-not-fixed"
        ),
        pytest.param({"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}, None, False, id="fixed-endpoint"),
    ],
)
def test_an_access_point_policy_is_public_as_s3_reads_it(
    allow_condition: dict[str, Any] | None, deny_condition: dict[str, Any] | None, public: bool
) -> None:
    assert S3_JUDGED.issubset(DOCUMENTS)
    document = _policy(allow_condition, deny_condition)
    for resource_type in ACCESS_POINTS:
        inputs: dict[str, Any] = {"policy": document}
        if "multiRegion" in resource_type:
            inputs = {"details": {"name": "shared", "policy": document}}
        result = findings("resource-policy-not-public", resource_type, inputs)
        assert_decided(result, "allows Principal" if public else None)
    # Another service's policy is evaluated by IAM: StringEquals compares literally.
    assert_decided(
        findings("resource-policy-not-public", "aws:sqs/queuePolicy:QueuePolicy", {"policy": document}), None
    )
