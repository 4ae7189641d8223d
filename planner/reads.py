"""Resource reads in a recording: ``Resource.get``, ``opts.id`` and ``pulumi.StackReference``.

A read registers nothing: the engine asks the provider for the state of a resource that exists.
Offline there is no provider, so a read's outputs are unknown, as the engine's are at a preview it
cannot read (:func:`read_response`), except:

- the state the program passed itself (``Vpc.get("vpc", id, cidr_block=...)``), which the SDK keeps
  as the read's outputs whatever the engine answers, and the id it asked for;
- a StackReference (``pulumi:pulumi:StackReference``, read by the engine's builtin provider from the
  referenced stack's last deployment) whose stack's outputs the caller supplied
  (``record_program(..., stack_outputs={"org/network/prod": {"vpc_id": "vpc-0abc"}})``): its
  ``outputs`` are those, as plain (not secret) values, a name missing from them is absent
  (``get_output`` None, ``require_output`` fails), as the engine reads a deployed stack. A stack
  not supplied is one the offline plan cannot read: its outputs, and all read from them, are
  unknown, and a policy reading one is undecided.

A read whose id is unknown (an output of a resource not yet created) is not read at all: the
engine skips it and its outputs, the id among them, are unknown. The SDK (pulumi 3.272) resolves
the id of such a read, outside a preview, as the id it asked for, the unknown marker, known
(``read_resource``): :func:`unknown_ids_read_as_unknown` makes that id unknown while a program is
recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator, Mapping
from typing import Any

import pulumi
import pulumi.resource as pulumi_resource_module
from pulumi.output import _OutputData
from pulumi.runtime import rpc
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.sync_await import _sync_await

STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference"

StackOutputs = Mapping[str, Mapping[str, Any]]
"""Referenced stack name (as the program names it, ``org/project/stack``) → its outputs."""


def read_response(
    request: Any, urn: str, stack_outputs: StackOutputs
) -> tuple[resource_pb2.ReadResourceResponse, dict[str, Any]]:
    """The engine's answer to a read, and the state it reads (the recording's ``outputs``)."""
    state: dict[str, Any] = {}
    unknown = True
    if request.type == STACK_REFERENCE_TYPE and request.id in stack_outputs:
        state = {
            "name": request.id,
            "outputs": dict(stack_outputs[request.id]),
            "secretOutputNames": [],
        }
        unknown = False
    properties = _sync_await(rpc.serialize_properties(state, {}))
    # A read with an unknown id is skipped: no id comes back (the SDK keeps the one it asked for).
    read_id = "" if request.id == rpc.UNKNOWN else request.id
    response = resource_pb2.ReadResourceResponse(urn=urn, properties=properties, unknown=unknown, id=read_id)
    return response, state


def _read_id_unknown_when_asked_unknown(original: Any) -> Any:
    def read_resource(res: Any, ty: str, name: str, props: Any, opts: Any, *args: Any, **kwargs: Any) -> None:
        original(res, ty, name, props, opts, *args, **kwargs)
        asked = opts.id
        if isinstance(asked, str):
            return  # a plain id is known
        read_id: pulumi.Output[Any] = res.__dict__["id"]
        asked_output = pulumi.Output.from_input(asked)

        async def data() -> _OutputData[Any]:
            asked_data = await asked_output._data
            got = await read_id._data
            if asked_data.is_known:
                return got
            return _OutputData(resources=got.resources, value=None, is_known=False, is_secret=got.is_secret)

        res.__dict__["id"] = pulumi.Output._from_data(asyncio.ensure_future(data()))

    return read_resource


_WRAP_LOCK = threading.Lock()
_wrap_users = 0
_unwrapped: Any = None


@contextlib.contextmanager
def unknown_ids_read_as_unknown() -> Iterator[None]:
    """While a program is recorded, a read whose requested id is unknown has an unknown id.

    The SDK's ``read_resource`` is wrapped once for all the recordings under way, whatever their
    order of ending (nested, or in other threads), and restored when the last one ends: one ending
    first neither unwraps another's nor leaves its own wrapper behind."""
    global _wrap_users, _unwrapped
    with _WRAP_LOCK:
        if _wrap_users == 0:
            _unwrapped = pulumi_resource_module.read_resource
            pulumi_resource_module.read_resource = _read_id_unknown_when_asked_unknown(_unwrapped)
        _wrap_users += 1
    try:
        yield
    finally:
        with _WRAP_LOCK:
            _wrap_users -= 1
            if _wrap_users == 0:
                pulumi_resource_module.read_resource = _unwrapped
                _unwrapped = None
