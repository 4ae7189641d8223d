"""The recorder's walk of a registration's inputs and state (``_plain``, ``_holds_secret``), read
again after it began telling text, numbers and dicts by their exact type (515319b): every other
value must take the path it took before, through the ABC checks.

Review (2026-12-06, review-perf-plan): no product bug found. The dev and prod recordings (every resource's fields,
the exports) are the same with the recorder before 515319b and after, but for the addresses in
the ``repr`` of the ``FileAsset`` objects an input holds (passed through as before). What each test holds, and the change
that breaks it:

- a secret inside a map inside a list of an input (an inline policy's ``policy``) makes that input
  secret and is recorded unwrapped (``_holds_secret`` not recursing into a list's maps, or
  ``_plain`` not unwrapping a nested secret, fails it);
- the values that are not of the exact scalar types (a ``str`` subclass, an ``IntEnum``, a mapping
  that is not a dict, a tuple, a ``pulumi.Resource``) keep their old answers; a bool stays a bool,
  not 1/0;
- an unknown (``rpc.UNKNOWN``, the SDK's ``Unknown`` object), at any depth and inside a secret, is
  recorded as the text the engine sends a policy pack for one (it was None, which a rule read as
  unset: tests/planner/test_unknown_outputs_65.py);
- a map whose values merely look like the secret signature (a text equal to it, not under its key)
  is not a secret.
"""

from __future__ import annotations

import enum
import types
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from pulumi.output import Unknown
from pulumi.runtime import rpc
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from planner.recorder import _holds_secret, _plain, record_program


def _secret(value: Any) -> dict[str, Any]:
    return {rpc._special_sig_key: rpc._special_secret_sig, "value": value}


def _role_with_a_secret_inline_policy() -> None:
    aws.iam.Role(
        "r",
        assume_role_policy='{"Version": "2012-10-17", "Statement": []}',
        inline_policies=[
            aws.iam.RoleInlinePolicyArgs(name="open", policy='{"Statement": []}'),
            aws.iam.RoleInlinePolicyArgs(name="hidden", policy=pulumi.Output.secret('{"Statement": [1]}')),
        ],
    )


def test_a_secret_in_a_map_in_a_list_makes_the_input_secret_and_is_recorded_unwrapped() -> None:
    role = record_program(_role_with_a_secret_inline_policy).named("r")
    assert role.secret_inputs == {"inlinePolicies"}
    assert role.inputs["inlinePolicies"] == [
        {"name": "open", "policy": '{"Statement": []}'},
        {"name": "hidden", "policy": '{"Statement": [1]}'},
    ]


@pytest.mark.parametrize(
    "value",
    [
        {"a": [{"b": _secret("x")}]},
        [{"a": ({"b": _secret("x")},)}],
        types.MappingProxyType({"a": _secret("x")}),
        _secret(None),
        # After values that hold none: every item is asked, not only the first.
        {"a": "x", "b": 1, "c": [None, 2.5, {"d": True}, ("e", _secret("x"))]},
        ["x", {"a": [1]}, (False, _secret(0))],
    ],
    ids=[
        "map-list-map",
        "list-map-tuple-map",
        "mapping-proxy",
        "secret-of-none",
        "last-of-a-map",
        "last-of-a-list",
    ],
)
def test_a_nested_secret_is_found_wherever_it_is(value: Any) -> None:
    assert _holds_secret(value) is True


def test_values_that_only_look_like_a_secret_are_not_one() -> None:
    assert (
        _holds_secret({"a": rpc._special_secret_sig, "b": [rpc._special_sig_key, 1, 2.0, True, None]})
        is False
    )
    assert _holds_secret(rpc._special_secret_sig) is False
    assert _holds_secret({rpc._special_sig_key: "another-signature", "value": "x"}) is False


class _Text(str):
    pass


class _Size(enum.IntEnum):
    SMALL = 1


def test_plain_answers_as_before_for_values_of_other_types_than_the_exact_scalars() -> None:
    text = _Text("t")
    assert _plain(text) is text  # a str subclass is returned as it is
    assert _plain(_Size.SMALL) is _Size.SMALL
    assert _plain(True) is True and _plain(0) == 0 and _plain(None) is None
    assert _plain(types.MappingProxyType({1: _secret("s")})) == {"1": "s"}  # keys as text
    assert _plain(("a", (rpc.UNKNOWN, 2))) == ["a", [UNKNOWN_STRING_VALUE, 2]]
    resource = object.__new__(pulumi.CustomResource)
    assert _plain({"ref": resource, "refs": [resource]}) == {"ref": None, "refs": [None]}


@pytest.mark.parametrize("unknown", [rpc.UNKNOWN, Unknown()], ids=["wire-text", "sdk-object"])
def test_an_unknown_is_recorded_as_the_text_a_policy_pack_reads_as_unknown(unknown: Any) -> None:
    assert _plain(unknown) == UNKNOWN_STRING_VALUE
    assert _plain({"a": [unknown, "b"], "c": {"d": unknown}}) == {
        "a": [UNKNOWN_STRING_VALUE, "b"],
        "c": {"d": UNKNOWN_STRING_VALUE},
    }
    assert _plain(_secret(_secret(unknown))) == UNKNOWN_STRING_VALUE  # a secret's unknown value
