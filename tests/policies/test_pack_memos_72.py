"""The policy pack's shortcuts of session 72 give the answers of the readings they replace.

Each shortcut (an exact-type answer, a memo, a skipped substitution) is compared with the plain
reading it stands in for, over values of the kinds a stack's props and policy documents hold.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from policies.rules import _iam_patterns, _iam_statements, iam
from policies.rules._iam_documents import parse_document, statements
from policies.rules._iam_patterns import arn_fields, iam_wildcard
from policies.rules._props import is_map, is_seq
from policies.rules._three_valued import Unknown


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


def test_is_map_and_is_seq_answer_as_the_abc_checks_for_plain_and_proxied_values() -> None:
    values = _values()
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
]
ACTIONS = [
    "iam:PassRole",
    "iam:PutRolePolicy",
    "kms:GenerateDataKey",
    "kms:Decrypt",
    "lambda:UpdateFunctionCode",
    "iam:*",
]


def test_the_cached_action_match_answers_as_the_compiled_pattern() -> None:
    _iam_statements._wildcard_text_match.cache_clear()
    for _ in range(2):  # a miss, then a hit
        for pattern, action in itertools.product(PATTERNS, ACTIONS):
            expected = bool(iam_wildcard(pattern, ignore_case=True).fullmatch(action))
            assert _iam_statements.wildcard_match(pattern, action) is expected, (pattern, action)
    unknown = _unknown()
    assert _iam_statements.wildcard_match(unknown, "iam:PassRole") is unknown
    assert _iam_statements.wildcard_match(3, "iam:PassRole") is False


def _arn_fields_substituting_always(value: str) -> list[str] | None:
    """:func:`arn_fields` before the shortcut: every field's marks substituted back."""
    tokens: list[str] = []

    def mark(match: re.Match[str]) -> str:
        tokens.append(match.group(0))
        return f"\x00{len(tokens) - 1}\x00"

    fields = _iam_patterns._VARIABLE_TOKEN.sub(mark, value).split(":", 5)
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
        "arn:aws:kms:eu-west-1:111122223333:key/\x00x",
        "arn:aws:kms:eu-west-1:111122223333:key/\x000\x00${a:b}",
        "arn:aws:s3",
        "*",
        "",
    ],
)
def test_arn_fields_without_variables_reads_as_the_substituting_reading(value: str) -> None:
    assert arn_fields(value) == _arn_fields_substituting_always(value)


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
