"""Kubernetes boolean fields as the API server reads them: only a JSON ``true`` or ``false``.

pulumi-aws's bridge converts a string given for a bool input (``_props.is_true``), but
pulumi-kubernetes sends the object as written, and the API server's decoder refuses anything but a
boolean in a bool field ("Pod in version "v1" cannot be handled as a Pod: v1.Pod: Spec: v1.PodSpec:
HostNetwork: ReadBool: expect t or f", kubeflow/kubeflow#1748). So ``hostUsers: "false"``,
``privileged: "true"``, ``runAsNonRoot: 1`` never deploy; the pack must not let one count as the safe
value either, or a change that fixes the type (``"false"`` to ``false``, ``"False"`` to ``true`` by a
templating default...) reaches the cluster unjudged. Every Kubernetes rule reads its bool fields
through :func:`holds`: a value that is not a real boolean is *malformed*, never the safe value, and the
message says so (:func:`said`, :func:`malformed_note`).

Imports nothing from ``components/`` or ``stacks/``: the pack governs any Pulumi program.
"""

from __future__ import annotations

from typing import Any

from ._common import shown


def holds(value: Any, wanted: bool) -> bool:
    """Whether a Kubernetes bool field is ``wanted``, written as a boolean: ``"false"``, ``0``, ``1``,
    ``"true"`` and None hold neither value."""
    return isinstance(value, bool) and value == wanted


def malformed(value: Any) -> bool:
    """Set, but not a boolean: the API server refuses the object."""
    return value is not None and not isinstance(value, bool)


def said(value: Any) -> str:
    """A bool field's value for a message: ``true``, ``false``, ``unset``, or a malformed value said so."""
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"{shown(value)}, not a boolean, so malformed and refused by the API server"


def malformed_note(value: Any) -> str:
    """`` (it is 'true', not a boolean ...)`` for a malformed value, else nothing: for messages that say
    what a field is not (``is not true``)."""
    return f" (it is {said(value)})" if malformed(value) else ""
