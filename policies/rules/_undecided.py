"""Counting what a stack rule could not decide at preview (S3 and network stack rules).

A stack rule sees every resource at once. At preview some inputs are unknown; a resource
whose verdict depends on one must neither fail the whole rule nor pass silently. The rule
checks the other resources, reports their violations, and then raises
``_common.UndecidedResources`` naming the resources it could not decide (the pack's
convention: the engine shows an advisory "can't run policy during preview" note and keeps the
violations reported before; ``policies.local`` counts one undecided check per resource).
``pulumi up`` re-runs stack policies on final outputs, where nothing is unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError

from ._common import UndecidedCollector, of_type

Findings = Iterator[tuple[str, str | None]]


class Undecided(UndecidedCollector):
    """An :class:`UndecidedCollector` that can also drive several per-resource passes of one rule."""

    def each(
        self,
        resources: Iterable[PolicyResource],
        types: Iterable[str],
        check: Callable[[PolicyResource], Iterable[tuple[str, str | None]]],
    ) -> Findings:
        """Run ``check`` per resource of ``types``; an unknown value marks that resource undecided.

        Call :meth:`raise_if_any` once after the last pass.
        """
        for resource in of_type(resources, types):
            try:
                found = list(check(resource))
            except UnknownValueError as error:
                self.add(resource, error)
                continue
            yield from found
