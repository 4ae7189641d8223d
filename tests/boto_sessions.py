"""One boto3 session per region for the moto tests, so each service's model is parsed once.

A boto3 session reads and parses the JSON model of every service it builds a client for
(SageMaker's takes 0.2-0.3 s, more on a loaded machine), and ``mock_aws`` resets boto3's default
session when it starts, so a test that built its clients afresh paid that in every test. A client
built from :func:`shared_session` costs milliseconds. Each client is still new, with its own event
handlers: what a test registers on one (a stubbed error response) never reaches another test. The
session holds only dummy credentials (moto accepts any; the account is ``MOTO_ACCOUNT_ID``'s, read
on each request) and the region, and the tests never change it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any
from unittest import mock

import boto3

# moto adds its request hook to botocore's built-in handlers when it is imported: a session built
# before that would send its requests to AWS.
from moto import mock_aws


@cache
def shared_session(region: str) -> boto3.Session:
    """The session of ``region`` (built once per process)."""
    return boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region)


def client(service: str, region: str) -> Any:
    """A new client of ``service`` in ``region``, from the shared session."""
    return shared_session(region).client(service)


@contextmanager
def mocked_aws(region: str, **mock_options: Any) -> Iterator[boto3.Session]:
    """``mock_aws(**mock_options)``, with the shared session as boto3's default: code under test
    that calls ``boto3.client`` (a resolver, moto's Step Functions interpreter) gets its clients
    from it too. Starting the mock resets the default session; leaving restores it."""
    session = shared_session(region)
    with mock_aws(**mock_options), mock.patch.object(boto3, "DEFAULT_SESSION", session):
        yield session
