"""Resources a stack rule could not decide: the error naming them (:class:`UndecidedResources`),
a verdict no value settles (:class:`Undeterminable`), their collector and :func:`each_resource`.

Imports nothing from ``components/`` or ``stacks/``: the pack governs any Pulumi program.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from ._stack_index import of_type

# --- resources a stack rule could not decide -------------------------------------------


class UndecidedResources(UnknownValueError):
    """Raised by a stack rule *after* it reported everything it could decide.

    ``reasons`` maps the URN of each resource whose verdict needs a value unknown at preview
    to what was unknown. The engine shows the message as an advisory "can't run policy during
    preview" note and keeps the violations reported before; ``policies.local`` counts one
    undecided check per URN. A resource in ``settled_by_nothing`` has a note no value settles
    (shown whole); one also in ``waits`` needs values known after apply as well, and is named
    among those too (``waits`` defaults to every resource not settled by nothing).
    """

    def __init__(
        self,
        reasons: Mapping[str, str],
        sentinel: str,
        settled_by_nothing: Iterable[str] = (),
        notes: Mapping[str, str] | None = None,
        waits: Iterable[str] | None = None,
    ) -> None:
        super().__init__(sentinel, [])
        self.reasons = dict(reasons)
        beyond = set(settled_by_nothing)
        pending = set(waits) if waits is not None else {urn for urn in self.reasons if urn not in beyond}
        notes = notes if notes is not None else self.reasons
        later = [urn.rsplit("::", 1)[-1] for urn in self.reasons if urn in pending]
        parts = (
            [
                f"{len(later)} resource(s) need values known only after apply ({', '.join(later)}); "
                "they are checked when stack policies re-run on outputs"
            ]
            if later
            else []
        )
        parts += [f"{urn.rsplit('::', 1)[-1]}: {notes[urn]}" for urn in self.reasons if urn in beyond]
        self.message = "; ".join(parts)


class Undeterminable(UnknownValueError):
    """A verdict no value settles, at preview or after create: what AWS does is not documented.

    Raised (or added to an :class:`UndecidedCollector`) with ``message`` saying why; the engine shows
    it as its advisory note and ``policies.local`` counts one undecided check, as for a value
    unknown at preview, rather than passing the resource silently.
    """

    def __init__(self, message: str) -> None:
        super().__init__(UNKNOWN_STRING_VALUE, [])  # the engine reads only the message
        self.message = message


class UndecidedCollector:
    """Collects undecided resources while a stack rule runs; :meth:`raise_if_any` at its end.

    Per resource it keeps the first value known only after apply and every distinct note no value
    settles (:class:`Undeterminable`): a resource waiting on both is shown with both, not with
    whichever was added first."""

    def __init__(self) -> None:
        self.reasons: dict[str, str] = {}
        self.sentinel = ""
        self.settled_by_nothing: set[str] = set()
        self._waits: dict[str, str] = {}  # urn -> the first message of a value known after apply
        self._notes: dict[str, list[str]] = {}  # urn -> the notes no value settles

    def add(self, resource: PolicyResource, error: UnknownValueError) -> None:
        urn = resource.urn
        if isinstance(error, Undeterminable):
            self.settled_by_nothing.add(urn)
            notes = self._notes.setdefault(urn, [])
            if error.message not in notes:
                notes.append(error.message)
        else:
            self._waits.setdefault(urn, error.message)
        first = [self._waits[urn]] if urn in self._waits else []
        self.reasons[urn] = "; ".join([*first, *self._notes.get(urn, [])])
        self.sentinel = self.sentinel or error.unknown_type_sentinel

    def raise_if_any(self) -> None:
        if self.reasons:
            raise UndecidedResources(
                self.reasons,
                self.sentinel,
                self.settled_by_nothing,
                {urn: "; ".join(notes) for urn, notes in self._notes.items()},
                self._waits,
            )


def each_resource(
    resources: Iterable[PolicyResource],
    types: Iterable[str],
    check: Callable[[PolicyResource], Iterable[tuple[str, str | None]]],
) -> Iterator[tuple[str, str | None]]:
    """Run ``check`` per resource of ``types``; the resources an unknown value stops are counted.

    A stack rule sees every resource at once, so one unknown value must not abort the whole rule:
    every decidable resource is checked and reported first; then, if any resource could not be
    decided, :class:`UndecidedResources` names them (one undecided check each). ``pulumi up``
    re-runs stack policies on final outputs, where they are decided.
    """
    undecided = UndecidedCollector()
    for resource in of_type(resources, types):
        try:
            found = list(check(resource))
        except UnknownValueError as error:
            undecided.add(resource, error)
            continue
        yield from found
    undecided.raise_if_any()
