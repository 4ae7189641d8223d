"""A refusing session's reused clients (components/training/_offline_sdk.py) still refuse every call
however often they are reused, and under moto too; a region keeps only the clients of the
environment it last built under.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from moto import mock_aws

from components.training import _offline_sdk

REGION = "eu-west-1"


def _sealed_session(bucket: str) -> Any:
    """A build's session, and the IAM client ``ModelTrainer`` asks it for, made inside the seal."""
    with _offline_sdk.sealed(REGION):
        session = _offline_sdk.pipeline_session(REGION, bucket)
        session.iam_client = session.boto_session.client("iam")
        return session


def _calls(session: Any) -> list[tuple[str, Callable[[], Any]]]:
    """One call per client a build's session holds, named as the refusal names it."""
    return [
        ("sagemaker.ListPipelines", lambda: session.sagemaker_client.list_pipelines()),
        ("s3.CreateBucket", lambda: session.s3_client.create_bucket(Bucket="refused-bucket")),
        ("s3.ListBuckets", lambda: session.s3_resource.meta.client.list_buckets()),
        (
            "sagemaker-runtime.InvokeEndpoint",
            lambda: session.sagemaker_runtime_client.invoke_endpoint(EndpointName="e", Body=b"{}"),
        ),
        (
            "iam.SimulatePrincipalPolicy",
            lambda: session.iam_client.simulate_principal_policy(
                PolicySourceArn="arn:aws:iam::111111111111:role/r", ActionNames=["s3:GetObject"]
            ),
        ),
    ]


def test_a_reused_client_refuses_every_call_again_and_under_moto() -> None:
    first = _sealed_session("bucket-a")
    for _ in range(2):  # a refusal leaves the client refusing
        for operation, call in _calls(first):
            with pytest.raises(_offline_sdk.OfflineAwsError, match=rf"\({operation}\)"):
                call()

    with mock_aws():
        again = _sealed_session("bucket-b")
        # The build under moto is served the clients made without it, and they refuse before
        # moto (or AWS) sees a request: the bucket a refused call asked for does not exist.
        assert (again.s3_client, again.iam_client) == (first.s3_client, first.iam_client)
        for operation, call in _calls(again):
            with pytest.raises(_offline_sdk.OfflineAwsError, match=rf"\({operation}\)"):
                call()
        assert boto3.client("s3", region_name=REGION).list_buckets()["Buckets"] == []


def test_a_build_under_another_environment_releases_the_previous_clients(monkeypatch) -> None:
    # AWS_MAX_ATTEMPTS: read by botocore when it makes a client, left alone by the seal.
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "3")
    first = _sealed_session("bucket-a")
    previous = weakref.ref(first.sagemaker_client)
    assert first.sagemaker_client.meta.config.retries["total_max_attempts"] == 3

    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "7")
    second = _sealed_session("bucket-a")
    assert second.sagemaker_client.meta.config.retries["total_max_attempts"] == 7
    assert second.sagemaker_client.meta.endpoint_url == _offline_sdk.UNREACHABLE_ENDPOINT
    del first
    gc.collect()
    assert previous() is None, "the region still holds a client of an environment it no longer builds under"
