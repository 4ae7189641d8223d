"""Second read of ``data-stores-encrypted-at-rest`` (session 65): false refusals an adopter would hit and
switches the class missed, each through the same one-resource helpers the rule's own tests use, at preview
and after create."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.one_resource import assert_decided, findings

RULE = "data-stores-encrypted-at-rest"
FIREHOSE = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"
KINESIS_SOURCE = {
    "kinesisSourceConfiguration": {
        "kinesisStreamArn": "arn:aws:kinesis:eu-west-1:111122223333:stream/events",
        "roleArn": "arn:aws:iam::111122223333:role/firehose",
    }
}
MSK_SOURCE = {
    "mskSourceConfiguration": {
        "mskClusterArn": "arn:aws:kafka:eu-west-1:111122223333:cluster/events/uuid",
        "topicName": "events",
        "authenticationConfiguration": {"connectivity": "PRIVATE", "roleArn": "r"},
    }
}


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
@pytest.mark.parametrize(
    ("inputs", "fragment"),
    [
        # A Kinesis or MSK source: Firehose stores nothing at rest and AWS refuses SSE on such a stream,
        # so neither an unset block nor the provider's own read-back `enabled: false` is a finding.
        pytest.param({"destination": "extended_s3", **KINESIS_SOURCE}, None, id="kinesis-source-unset"),
        pytest.param(
            {"destination": "extended_s3", **KINESIS_SOURCE, "serverSideEncryption": {"enabled": False}},
            None,
            id="kinesis-source-off",
        ),
        pytest.param({"destination": "extended_s3", **MSK_SOURCE}, None, id="msk-source-unset"),
        # Direct PUT (no source) still stores records at rest: unset and off are refused.
        pytest.param(
            {"destination": "extended_s3"}, "serverSideEncryption.enabled is unset", id="direct-put"
        ),
        pytest.param(
            {"destination": "extended_s3", "serverSideEncryption": {"enabled": False}},
            "serverSideEncryption.enabled is False",
            id="direct-put-off",
        ),
    ],
)
def test_firehose_with_a_stream_source_stores_nothing_at_rest(
    inputs: dict[str, Any], fragment: str | None, outputs: bool
) -> None:
    extra = () if fragment is None else ("subject: ", "Fix: set server_side_encryption=")
    assert_decided(findings(RULE, FIREHOSE, inputs, outputs=outputs), fragment, *extra)
