"""The refusing session's clients are made once per region and environment, never handed across.

Every build asks the refusing session (components/training/_offline_sdk.py) for the same eight
botocore clients; they are reused, but only in the region, under the environment (the seal's
unreachable endpoint, or another) and with the arguments they were made with, and each refuses
every call.
"""

from __future__ import annotations

import pytest

from components.training import _offline_sdk


def test_a_regions_clients_serve_its_later_builds_and_no_other_region_or_environment(monkeypatch) -> None:
    with _offline_sdk.sealed("eu-west-1"):
        first = _offline_sdk.pipeline_session("eu-west-1", "bucket-a")
        second = _offline_sdk.pipeline_session("eu-west-1", "bucket-b")
    with _offline_sdk.sealed("us-east-1"):
        other = _offline_sdk.pipeline_session("us-east-1", "bucket-a")

    # Each build has a session of its own (its own bucket) on the region's clients.
    assert (first._default_bucket_name_override, second._default_bucket_name_override) == (
        "bucket-a",
        "bucket-b",
    )
    assert (second.sagemaker_client, second.s3_client) == (first.sagemaker_client, first.s3_client)
    for session, region in ((first, "eu-west-1"), (other, "us-east-1")):
        for client in (session.sagemaker_client, session.sagemaker_metrics_client, session.s3_client):
            assert (client.meta.region_name, client.meta.endpoint_url) == (
                region,
                _offline_sdk.UNREACHABLE_ENDPOINT,
            )

    # Outside the seal, under another endpoint: a client of its own, aimed where that says; it
    # refuses calls all the same.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:10")
    outside = _offline_sdk._refusing_boto_session("eu-west-1").client("s3", region_name="eu-west-1")
    assert outside.meta.endpoint_url == "http://127.0.0.1:10"
    with pytest.raises(_offline_sdk.OfflineAwsError, match=r"\(s3\.ListBuckets\)"):
        outside.list_buckets()

    # Sealed again: sealed clients (made anew: a region keeps only the clients of the environment
    # it was last asked under), never the one made outside, still refusing.
    with _offline_sdk.sealed("eu-west-1"):
        again = _offline_sdk.pipeline_session("eu-west-1", "bucket-a")
    assert again.s3_client is not outside
    assert again.s3_client.meta.endpoint_url == _offline_sdk.UNREACHABLE_ENDPOINT
    with pytest.raises(_offline_sdk.OfflineAwsError, match=r"\(sagemaker\.ListPipelines\)"):
        again.sagemaker_client.list_pipelines()
