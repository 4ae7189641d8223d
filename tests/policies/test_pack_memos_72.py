"""The policy pack's shortcuts of session 72 give the answers of the readings they replace.

Each shortcut (an exact-type answer, a memo, a skipped substitution) is compared with the plain
reading it stands in for, over values of the kinds a stack's props and policy documents hold.
"""

from __future__ import annotations

import array
import collections
import itertools
import json
import re
import types
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from pulumi_policy.proxy import (
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
    _DictProxy,
    _ListProxy,
    unknown_checking_proxy,
)

from policies.rules import _iam_patterns, _iam_statements, iam
from policies.rules._iam_documents import _parsed_json_document, parse_document, statements
from policies.rules._iam_patterns import arn_fields, iam_wildcard
from policies.rules._props import is_map, is_seq
from policies.rules._three_valued import Unknown
from tests.policies.one_resource import findings, json_document


def _unknown() -> Unknown:
    return Unknown(UnknownValueError(UNKNOWN_STRING_VALUE, ["policy"]))


PROPS = {
    "name": "x",
    "count": 3,
    "ratio": 0.5,
    "on": True,
    "nothing": None,
    "tags": {"team": "ml"},
    "list": [1, "a", {"b": [2]}],
    "rows": [[1], []],
    "empty": {},
    "bytes": b"x",
}


def _values() -> list[Any]:
    proxy = unknown_checking_proxy(PROPS)
    found: list[Any] = [PROPS, proxy, (), (1,), "", "text", b"", 0, 1.5, False, None]
    pending: list[Any] = [PROPS, proxy]
    while pending:  # every map and list inside, plain and proxied
        value = pending.pop()
        items = value.values() if isinstance(value, Mapping) else value if isinstance(value, list) else ()
        if isinstance(value, Sequence) and not isinstance(value, str | bytes | list):
            items = [value[index] for index in range(len(value))]
        for item in items:
            found.append(item)
            if isinstance(item, Mapping | Sequence) and not isinstance(item, str | bytes):
                pending.append(item)
    return found


class _SubDictProxy(_DictProxy):
    """A proxy subclass: not the exact type, so it must be asked through the ABCs."""


class _SubListProxy(_ListProxy):
    """A proxy subclass: not the exact type, so it must be asked through the ABCs."""


class _Text(str):
    """Text of a subclass: never a sequence of props."""


class _Bytes(bytes):
    """Bytes of a subclass: never a sequence of props."""


class _MapAndSequence(Mapping[Any, Any]):
    """A mapping registered as a sequence too: both readers say yes."""

    def __getitem__(self, key: Any) -> Any:
        raise KeyError(key)

    def __len__(self) -> int:
        return 0

    def __iter__(self) -> Any:
        return iter(())


Sequence.register(_MapAndSequence)


def _other_containers() -> list[Any]:
    """Values of every other kind the ABC checks answered: subclasses of the proxies and of the
    built-ins, the standard library's other mappings and sequences, and things that are neither."""
    return [
        _SubDictProxy({"a": 1}, []),
        _SubListProxy([1], []),
        _Text("a"),
        _Bytes(b"a"),
        collections.OrderedDict(a=1),
        collections.defaultdict(list),
        collections.ChainMap({}),
        collections.UserDict(),
        collections.UserList(),
        collections.UserString("a"),
        collections.deque([1]),
        types.MappingProxyType({}),
        range(2),
        bytearray(b"a"),
        memoryview(b"a"),
        array.array("i", [1]),
        {1},
        frozenset(),
        _MapAndSequence(),
        _unknown(),
        object(),
    ]


def test_is_map_and_is_seq_answer_as_the_abc_checks_for_plain_and_proxied_values() -> None:
    values = [*_values(), *_other_containers()]
    proxied = [value for value in values if type(value).__module__ == "pulumi_policy.proxy"]
    assert {type(value).__name__ for value in proxied} == {"_DictProxy", "_ListProxy"}
    for value in values:
        assert is_map(value) is isinstance(value, Mapping), value
        assert is_seq(value) is (isinstance(value, Sequence) and not isinstance(value, str | bytes)), value


PATTERNS = [
    "*",
    "*:*",
    "iam:*",
    "IAM:PassRole",
    "iam:Pass*",
    "iam:P?ssRole",
    "iam:passrole",
    " iam:PassRole",
    "iam:Put*Policy",
    "s3:GetObject",
    "iam:${*}",
    "kms:GenerateDataKey*",
    "lambda:*Code",
    "",
    "iam:Pass${?}ole",
    "iam:${$}*",
    "?am:PassRole",
    "iam:PassRole?",
    "\u017f3:GetObject",  # a long s: IGNORECASE matches it with s, str.lower() does not
    "\u212ams:Decrypt",  # the Kelvin sign K
    "\u0130am:PassRole",  # a dotted capital I, lower-cased to two characters
    "IAM:PASSROLE\n",
]
ACTIONS = [
    "iam:PassRole",
    "iam:PutRolePolicy",
    "kms:GenerateDataKey",
    "kms:Decrypt",
    "lambda:UpdateFunctionCode",
    "iam:*",
    "s3:GetObject",
    "iam:Pass?ole",
    "iam:$PassRole",
]


def test_the_cached_action_match_answers_as_the_compiled_pattern() -> None:
    _iam_statements._wildcard_text_match.cache_clear()
    for _ in range(2):  # a miss, then a hit
        for pattern, action in itertools.product(PATTERNS, ACTIONS):
            expected = bool(iam_wildcard(pattern, ignore_case=True).fullmatch(action))
            assert _iam_statements.wildcard_match(pattern, action) is expected, (pattern, action)
    unknown = _unknown()
    assert _iam_statements.wildcard_match(unknown, "iam:PassRole") is unknown
    for other in (3, None, ["iam:PassRole"], ("iam:PassRole",), b"iam:PassRole", {"iam:PassRole": 1}):
        assert _iam_statements.wildcard_match(other, "iam:PassRole") is False, other  # unhashable too
    assert _iam_statements.wildcard_match(_Text("iam:Pass*"), "iam:passrole") is True


#: :func:`arn_fields`'s token before its split reading: a policy variable or escape.
_OLD_VARIABLE_TOKEN = re.compile(r"\$\{[^}]*\}")


def _arn_fields_substituting_always(value: str) -> list[str] | None:
    """:func:`arn_fields` before session 72: each token taken out for a NUL-delimited mark, the
    marks substituted back into every field (a value holding a NUL mark of its own fails it, or
    reads as a variable: :func:`test_arn_fields_reads_a_nul_as_the_character_it_is`)."""
    tokens: list[str] = []

    def mark(match: re.Match[str]) -> str:
        tokens.append(match.group(0))
        return f"\x00{len(tokens) - 1}\x00"

    fields = _OLD_VARIABLE_TOKEN.sub(mark, value).split(":", 5)
    if len(fields) != 6 or not iam_wildcard(fields[0]).fullmatch("arn"):
        return None
    return [re.sub(r"\x00(\d+)\x00", lambda m: tokens[int(m.group(1))], field) for field in fields]


@pytest.mark.parametrize(
    "value",
    [
        "arn:aws:sns:eu-west-1:111122223333:alerts",
        "arn:aws:sns:*:${aws:ResourceAccount}:*",
        "arn:aws:${aws:ResourceTag/s}:111122223333:*:*",
        "arn:aws:iam::111122223333:role/a:b:c",
        "arn:aws:s3:::bucket/${aws:username}/*",
        "arn:aws:iam::111122223333:user/${*}${?}${$}",
        "arn:${*}:iam::${aws:PrincipalAccount}:role/${aws:username, 'none'}:x",
        "arn:aws:x:${a:b}:${c:d}:e:f:g",
        "arn:aws:sns:eu-west-1:${unclosed:111122223333:t",
        "arn:aws:sns:eu-west-1:${}:t",
        "arn:aws:sns:${a}${b}:1:${c}:d",
        "a*:aws:s3:::b",
        "arn:aws:kms:eu-west-1:111122223333:key/\x00x",
        "ARN:aws:s3:::b",
        "arn:aws:s3::",
        "arn:aws:s3:::${x",
        "*",
        "",
    ],
)
def test_arn_fields_reads_as_the_substituting_reading(value: str) -> None:
    assert arn_fields(value) == _arn_fields_substituting_always(value)


def test_arn_fields_reads_as_the_substituting_reading_over_generated_text() -> None:
    """Every text of the pieces an ARN pattern is made of, up to five pieces (variables, escapes,
    colons, braces and dollars apart), reads as it did: the split reading only drops the marks."""
    pieces = ["arn", ":", "${", "}", "$", "a", "*", "${aws:x}", "${*}"]
    for size in range(6):
        for parts in itertools.product(pieces, repeat=size):
            value = "".join(parts)
            for text in (value, "arn:aws:" + value):
                assert arn_fields(text) == _arn_fields_substituting_always(text), text


@pytest.mark.parametrize(
    ("value", "fields"),
    [
        (
            "arn:aws:kms:eu-west-1:111122223333:key/\x000\x00",
            ["arn", "aws", "kms", "eu-west-1", "111122223333", "key/\x000\x00"],
        ),
        (
            "arn:aws:sns:*:\x000\x00:t${aws:ResourceAccount}",
            ["arn", "aws", "sns", "*", "\x000\x00", "t${aws:ResourceAccount}"],
        ),
        ("arn:aws:sns:*:\x001\x00:t${a}", ["arn", "aws", "sns", "*", "\x001\x00", "t${a}"]),
    ],
)
def test_arn_fields_reads_a_nul_as_the_character_it_is(value: str, fields: list[str]) -> None:
    """A NUL-delimited number in the value (``\\u0000`` in a JSON document) is text: the marks of the
    reading before failed it with an ``IndexError`` (no variable taken out) or put a variable in its
    place, and an account read as ``${aws:ResourceAccount}`` pins the pattern to one owner."""
    assert arn_fields(value) == fields
    assert (
        _iam_patterns.arn_pattern_pins_account(
            "arn:aws:sns:*:\x000\x00:t${aws:ResourceAccount}", as_text=False
        )
        is False
    )


DOCUMENTS = [
    '{"Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}',
    '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}',
    '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}',
    '{"Statement": [{"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]}',
    '{"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}',
    '{"Statement": [{"Effect": "Allow", "Action": "iam:*", "NotResource": "arn:aws:iam::1:role/x"}]}',
    '{"Statement": [{"Effect": " Allow", "Action": ["kms:*", "iam:Put*"], "Resource": ["arn:aws:kms:*"]}]}',
    '{"Statement": {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::1:role/*"}}',
]


def test_the_statement_memo_answers_as_the_reading_it_keeps() -> None:
    iam._SCOPES.clear()
    found = [statement for document in DOCUMENTS for _, statement in statements(parse_document(document))]
    assert len(found) == len(DOCUMENTS)
    expected = [iam._statement_on_every_resource(statement) for statement in found]
    assert True in expected and False in expected
    for _ in range(2):  # worked out, then kept
        assert [iam._on_every_resource(statement) for statement in found] == expected
    assert {id(statement) for statement in found} == set(iam._SCOPES)
    # An equal statement that is another object is worked out again, never answered by another's entry.
    copy = dict(found[0])
    copy["Resource"] = "arn:aws:s3:::b/*"
    assert iam._on_every_resource(copy) == iam._statement_on_every_resource(copy) is False
    assert iam._on_every_resource(found[0]) is expected[0]


def test_the_statement_memo_keeps_no_unknown_and_starts_again_when_full(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    iam._SCOPES.clear()
    unknown_resource = {"Effect": "Allow", "Action": "iam:PassRole", "Resource": _unknown()}
    verdict = iam._on_every_resource(unknown_resource)
    assert isinstance(verdict, Unknown)
    assert iam._SCOPES == {}
    monkeypatch.setattr(iam, "_SCOPES_KEPT", 2)
    found = [statement for document in DOCUMENTS[:3] for _, statement in statements(parse_document(document))]
    for statement in found:
        iam._on_every_resource(statement)
    assert list(iam._SCOPES) == [id(found[2])]
    assert [iam._on_every_resource(statement) for statement in found] == [
        iam._statement_on_every_resource(statement) for statement in found
    ]


#: The rules that ask :func:`iam._on_every_resource` (and two that read the same parsed statements).
_STATEMENT_RULES = (
    "iam-no-admin-access",
    "iam-no-privilege-escalation",
    "iam-no-service-wildcard",
    "iam-no-unscoped-sensitive-actions",
    "iam-pass-role-scoped",
)

_PACK_STATEMENTS: list[dict[str, Any]] = [
    {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
    {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/exec"},
    {"Effect": "Allow", "Action": ["s3:*", "kms:Decrypt"], "Resource": "*"},
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
    {"Effect": "Deny", "Action": "iam:*", "Resource": "*"},
    {"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "NotResource": "arn:aws:iam::1:policy/x"},
    {"Effect": "Allow", "Action": "iam:PutUserPolicy", "Resource": "arn:aws:iam::1:user/${aws:username}"},
    {"Effect": "Allow", "Action": "*", "Resource": "*"},
]


def _pack_resources() -> list[tuple[str, dict[str, Any]]]:
    """Each statement as a JSON string (one parsed dict shared by every rule and evaluation) and as
    an object (a fresh copy for each rule's reading, freed after it: its ``id`` is taken again)."""
    return [
        *(
            ("aws:iam/rolePolicy:RolePolicy", {"role": "r", "policy": json_document(s)})
            for s in _PACK_STATEMENTS
        ),
        *(
            (
                "aws-native:iam:RolePolicy",
                {"roleName": "r", "policyName": "p", "policyDocument": {"Statement": [s]}},
            )
            for s in _PACK_STATEMENTS
        ),
    ]


def _pack_verdicts(resource_type: str, inputs: dict[str, Any]) -> list[tuple[list[str], int]]:
    return [findings(rule, resource_type, inputs) for rule in _STATEMENT_RULES]


def test_the_statement_memo_gives_each_evaluation_the_verdicts_of_a_fresh_process() -> None:
    """Evaluations one after another in one process (the tests, a long-lived process) read each
    document as a process that evaluated nothing before: the memo holds no verdict another
    statement, or another object at a freed statement's ``id``, would be answered with; and no rule
    changes a statement the parse cache shares with the next reading."""
    resources = _pack_resources()
    fresh = []
    for resource_type, inputs in resources:
        iam._SCOPES.clear()
        _parsed_json_document.cache_clear()
        fresh.append(_pack_verdicts(resource_type, inputs))
    assert any(messages for verdicts in fresh for messages, _ in verdicts)
    assert any(not messages for verdicts in fresh for messages, _ in verdicts)
    for order in (resources, resources[::-1], resources + resources):
        seen = {id(inputs): _pack_verdicts(resource_type, inputs) for resource_type, inputs in order}
        assert [seen[id(inputs)] for _, inputs in resources] == fresh
    for _, inputs in resources[: len(_PACK_STATEMENTS)]:
        raw = inputs["policy"]
        assert _parsed_json_document(raw) == json.loads(raw)  # read by every rule, changed by none
