"""moto for tests whose boto3 clients read botocore's service models once per process.

A new botocore session loads and parses each service's JSON model again (the SageMaker model alone
is megabytes): 0.15-0.5 s of CPU for a test's few clients, paid in every test, since
``mock_aws()`` resets boto3's default session. The loader is the cache of those parsed documents,
which botocore treats as read-only (it shares one loader between all the clients of a session);
credentials, configuration, event handlers and clients are still new in every session.

moto also makes a 2048-bit RSA key pair for every KMS key it creates, symmetric ones included
(``moto.kms.models.Key`` keeps it for Sign, Verify and GetPublicKey): 50-60 ms of CPU each, most of
what a test that creates a data key pays. Inside ``mocked_aws`` every KMS key of one key spec gets
the same pair, made once per process: a key pair is immutable (moto only signs, verifies and reads
the public key with it), each key keeps its own id, ARN and symmetric key material, and no test
compares two keys' public keys.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any
from unittest import mock

import boto3
import botocore.session
from moto import mock_aws

from tests import botocore_models


@contextmanager
def mocked_aws(region: str, **mock_options: Any) -> Iterator[boto3.Session]:
    """``mock_aws(**mock_options)`` whose default boto3 session (what ``boto3.client`` uses, in the
    test and in the code under test) is new but reads the shared loader; moto restores the
    previous default session on exit. Not nested: an inner block would neither reset moto nor
    restore the session."""
    with mock_aws(**mock_options), mock.patch("moto.kms.models.generate_private_key", shared_private_key):
        boto3.DEFAULT_SESSION = fresh_session(region)
        yield boto3.DEFAULT_SESSION


@cache
def shared_private_key(key_spec: str) -> Any:
    """moto's private key for a KMS key of ``key_spec``, made once per process (see the module's
    docstring): what ``mocked_aws`` gives every KMS key moto creates."""
    from moto.kms.utils import generate_private_key

    return generate_private_key(key_spec)


def fresh_session(region: str | None = None) -> boto3.Session:
    """A new boto3 session on the shared loader: its credentials and configuration are resolved
    anew, from the environment as it is when its clients are made (no moto); for tests that set
    ``boto3.DEFAULT_SESSION`` to it (monkeypatch) instead of to ``None``."""
    loader = botocore_models.loader()
    session = botocore.session.get_session()
    session.register_component("data_loader", loader)
    fresh = boto3.Session(botocore_session=session, region_name=region)
    # boto3 appends its own data folder to the loader's search paths for every session.
    loader.search_paths[:] = list(dict.fromkeys(loader.search_paths))
    return fresh


def denied_one_action(iam: Any, user: str, action: str) -> dict[str, str]:
    """An IAM user (made with ``iam``, moto's) allowed everything but ``action``: its access key
    (``AccessKeyId``, ``SecretAccessKey``). moto checks permissions only after the calls
    ``set_initial_no_auth_action_count(3)`` lets through: these three (user, policy, key)."""
    iam.create_user(UserName=user)
    statements = [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": action, "Resource": "*"},
    ]
    iam.put_user_policy(
        UserName=user,
        PolicyName=f"all-but-{action.replace(':', '-')}",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}),
    )
    key = iam.create_access_key(UserName=user)["AccessKey"]
    return {"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}
