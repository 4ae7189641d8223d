"""tests/aws_sessions.py: each ``mocked_aws`` is a fresh moto and a fresh default session; only
botocore's parsed service models are shared."""

from __future__ import annotations

import boto3

from tests.aws_sessions import fresh_session, mocked_aws


def test_each_block_has_its_own_state_and_session_and_shares_only_the_loader(monkeypatch) -> None:
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(variable, "testing")
    before = boto3.DEFAULT_SESSION
    seen = []
    for bucket in ("first-bucket", "second-bucket"):
        with mocked_aws("eu-west-1") as session:
            s3 = boto3.client("s3")
            assert s3.meta.region_name == "eu-west-1"
            assert s3.list_buckets()["Buckets"] == []  # nothing left by the block before
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
            seen.append(session)
        assert boto3.DEFAULT_SESSION is before

    first, second = (session._session for session in seen)
    assert first is not second
    assert first.get_component("data_loader") is second.get_component("data_loader")


def test_a_fresh_session_resolves_credentials_anew_and_shares_only_the_loader(monkeypatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "first")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    first = fresh_session("eu-west-1")
    assert first.get_credentials().access_key == "first"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "second")
    second = fresh_session()

    assert second.get_credentials().access_key == "second"
    assert first._session is not second._session and first.region_name == "eu-west-1"
    assert first._session.get_component("data_loader") is second._session.get_component("data_loader")
