"""boto3 clients for moto-backed fixtures, made once per process (``shared_client``).

Making a client costs a few CPU-ms (about 8 for SageMaker's, whose methods it builds one per
operation), and the fixtures that set up moto for each test make two or three. A client holds no
moto state: moto resets its backends for each ``mocked_aws`` and serves whichever client calls.
"""

from __future__ import annotations

import copy
import os
from typing import Any

import boto3

_CLIENTS: dict[tuple[object, ...], tuple[Any, Any]] = {}


def shared_client(name: str, region: str) -> Any:
    """The client of service ``name`` in ``region``, made once per process and ``AWS_*``
    environment (its credentials and settings come from there; a fixture calls it inside
    ``mocked_aws``, whose default session it uses): each call gives it with the event handlers it
    was made with, so none an earlier test registered on it (its own, or a fixture's) runs again.
    The handlers are put back into the client's one emitter (``meta.events``, which its endpoint
    and signer share), not into a second one. For a fixture's own clients only: the code under
    test makes its own."""
    key = (name, region, *sorted((k, v) for k, v in os.environ.items() if k.startswith("AWS_")))
    if key not in _CLIENTS:
        client = boto3.client(name, region_name=region)
        _CLIENTS[key] = (client, copy.copy(client.meta.events._emitter))
    client, handlers = _CLIENTS[key]
    client.meta.events._emitter = copy.copy(handlers)
    return client
