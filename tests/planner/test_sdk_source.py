"""planner/sdk_source.py: the release check the SDK shortcuts share (sdk_unknowns, sdk_serialize)."""

from __future__ import annotations

import hashlib
import inspect

from pulumi.runtime import rpc

from planner.sdk_source import source_sha256


def test_it_is_the_sha256_of_the_functions_source() -> None:
    expected = hashlib.sha256(inspect.getsource(rpc.resolve_outputs).encode()).hexdigest()
    assert source_sha256(rpc.resolve_outputs) == expected


def test_a_function_without_source_is_no_known_release() -> None:
    assert source_sha256(len) == ""  # a builtin
