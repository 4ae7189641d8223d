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

A new botocore session also registers botocore's ~200 built-in event handlers one by one (6-7 ms of
CPU, in every ``mocked_aws`` and ``fresh_session``); :func:`fresh_session` starts its session from a
copy of an emitter that holds them (``HierarchicalEmitter``'s copy, which botocore itself makes for
every client), so each session still has its own handlers: 1.2 ms.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any
from unittest import mock

import boto3
import botocore.handlers
import botocore.hooks
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
def _builtin_handlers(count: int) -> botocore.hooks.HierarchicalEmitter:
    """An emitter holding botocore's built-in handlers (moto's among them once it is imported), as
    ``botocore.session.Session()`` registers them; never used itself, only copied. Keyed by how many
    there are, so a library that adds one later gets a new emitter."""
    emitter = botocore.hooks.HierarchicalEmitter()
    botocore.session.Session(event_hooks=emitter)
    return emitter


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
    builtin = _builtin_handlers(len(botocore.handlers.BUILTIN_HANDLERS))
    session = botocore.session.Session(event_hooks=copy.copy(builtin), include_builtin_handlers=False)
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
