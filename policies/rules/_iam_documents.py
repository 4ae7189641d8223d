"""IAM policy documents read with three-valued logic: true, false or not known at preview.

At preview the engine wraps props in ``unknown_checking_proxy``: reading a value that is not
known yet raises ``UnknownValueError``. A document given as an *object* (aws-native, or a
mock) may hold one unknown field among known ones, so it is copied here with :class:`Unknown`
markers in place of the unknown values, and every question asked of a statement answers
``True``, ``False`` or an :class:`Unknown` (undecided). A rule reports what the known values
already prove (``Action: "*"`` with an unknown ``Resource`` is still admin access) and raises
the kept ``UnknownValueError`` at the end when something stayed undecided, so the evaluator
records it as undecided rather than as a pass. A JSON *string* is unknown as a whole or not
at all.

The parts live beside this module, each name still importable from here: :class:`Unknown`, the
three-valued logic and the reading of proxied props in ``_three_valued``, the questions asked of a
statement in ``_iam_statements`` and those asked of its ``Condition`` in ``_iam_conditions``.

Used by the IAM and KMS rules; imports nothing from ``components/``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ._common import unique_keys
from ._iam_conditions import (
    PRINCIPAL_KEYS,
    ConditionKey,
    condition_restricts,
    is_wildcard_operator,
    positive_operator,
)
from ._iam_statements import (
    action_patterns,
    broad_resource,
    covers,
    covers_any,
    excludes_everything,
    granted,
    grants_everything,
    is_allow,
    is_every_action,
    on_broad_resources,
    only_wildcards,
    principal_is_anyone,
    read_entry,
    wildcard_match,
)
from ._three_valued import Tri, Unknown, all3, any3, as_list, not3, plain, read

INVALID = object()  # a document that is neither a JSON object nor a JSON string of one


def parse_document(raw: Any) -> Any:
    """A policy document: a dict, :class:`Unknown`, ``None`` (absent) or :data:`INVALID`."""
    if raw is None or isinstance(raw, Unknown):
        return raw
    if isinstance(raw, str):
        return _parsed_json_document(raw)
    return raw if isinstance(raw, dict) else INVALID


@functools.lru_cache(maxsize=4096)
def _parsed_json_document(raw: str) -> Any:
    """A JSON document read once for every rule that asks (five IAM rules read each policy of a
    stack): the rules only read what they are given, so the same dict is handed to each."""
    try:
        document = plain(json.loads(raw, object_pairs_hook=unique_keys))  # a repeated key: INVALID
    except ValueError:
        return INVALID
    return document if isinstance(document, dict) else INVALID


#: Where each resource type keeps its identity-policy documents: a property holding one
#: document, or ``(list property, document property)`` for a list of inline policies.
IDENTITY_DOCUMENTS: Mapping[str, tuple[str, ...] | tuple[str, str, str]] = {
    "aws:iam/policy:Policy": ("policy",),
    "aws:iam/rolePolicy:RolePolicy": ("policy",),
    "aws:iam/userPolicy:UserPolicy": ("policy",),
    "aws:iam/groupPolicy:GroupPolicy": ("policy",),
    "aws:iam/role:Role": ("inlinePolicies", "policy", "list"),
    "aws-native:iam:ManagedPolicy": ("policyDocument",),
    "aws-native:iam:RolePolicy": ("policyDocument",),
    "aws-native:iam:UserPolicy": ("policyDocument",),
    "aws-native:iam:GroupPolicy": ("policyDocument",),
    "aws-native:iam:Role": ("policies", "policyDocument", "list"),
    "aws-native:iam:User": ("policies", "policyDocument", "list"),
    "aws-native:iam:Group": ("policies", "policyDocument", "list"),
    # IAM Identity Center permission sets become roles in every assigned account
    "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy": ("inlinePolicy",),
    "aws-native:sso:PermissionSet": ("inlinePolicy",),
}


#: The types whose identity-policy documents only a role holds (an IAM Identity Center permission
#: set becomes a role in each account): their holder's ``${aws:userid}`` is ``<role id>:<session>``.
ROLE_HELD = frozenset(
    {
        "aws:iam/rolePolicy:RolePolicy",
        "aws:iam/role:Role",
        "aws-native:iam:RolePolicy",
        "aws-native:iam:Role",
        "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy",
        "aws-native:sso:PermissionSet",
    }
)


def identity_documents(resource_type: str, props: Any) -> Iterator[tuple[str, Any]]:
    """``(path, document)`` for every identity-policy document ``props`` carries."""
    where = IDENTITY_DOCUMENTS.get(resource_type)
    if where is None:
        return
    if len(where) == 1:
        raw = read(props, where[0])
        if raw is not None:
            yield where[0], parse_document(raw)
        return
    list_prop, document_prop = where[0], where[1]
    inline = read(props, list_prop)
    if isinstance(inline, Unknown):
        yield list_prop, inline
        return
    for index, item in enumerate(as_list(inline)):
        path = f"{list_prop}[{index}].{document_prop}"
        if isinstance(item, Unknown):
            yield path, item
        elif isinstance(item, dict) and item.get(document_prop) is not None:
            yield path, parse_document(item[document_prop])


def statements(document: Any) -> list[tuple[str, Any]]:
    """``("Statement[i]", statement)`` where a statement is a dict or :class:`Unknown`."""
    if isinstance(document, Unknown):
        return [("Statement", document)]
    if not isinstance(document, dict):
        return []
    found = document.get("Statement")
    if isinstance(found, Unknown):
        return [("Statement", found)]
    return [
        (f"Statement[{index}]", statement)
        for index, statement in enumerate(as_list(found))
        if isinstance(statement, dict | Unknown)
    ]


# --- collecting findings ---------------------------------------------------------------


class Findings:
    """Violation messages, and the first undecided question (raised once they are reported)."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.pending: Unknown | None = None

    def add(self, verdict: Tri, message: str | Callable[[], str]) -> None:
        if verdict is True:
            self.messages.append(message() if callable(message) else message)
        else:
            self.undecided(verdict)

    def undecided(self, verdict: Any) -> None:
        if isinstance(verdict, Unknown) and self.pending is None:
            self.pending = verdict

    def report(self) -> Iterator[str]:
        """Yield the violations, then raise ``UnknownValueError`` if something stayed undecided."""
        yield from self.messages
        if self.pending is not None:
            raise self.pending.error


__all__ = [
    "IDENTITY_DOCUMENTS",
    "INVALID",
    "PRINCIPAL_KEYS",
    "ROLE_HELD",
    "ConditionKey",
    "Findings",
    "Tri",
    "Unknown",
    "action_patterns",
    "all3",
    "any3",
    "as_list",
    "broad_resource",
    "condition_restricts",
    "covers",
    "covers_any",
    "excludes_everything",
    "granted",
    "grants_everything",
    "identity_documents",
    "is_allow",
    "is_every_action",
    "is_wildcard_operator",
    "not3",
    "on_broad_resources",
    "only_wildcards",
    "parse_document",
    "plain",
    "positive_operator",
    "principal_is_anyone",
    "read",
    "read_entry",
    "statements",
    "wildcard_match",
]
