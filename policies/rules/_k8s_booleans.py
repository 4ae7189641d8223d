"""Kubernetes boolean fields as the API server reads them: only a JSON ``true`` or ``false``.

pulumi-aws's bridge converts a string given for a bool input (``_props.is_true``), but
pulumi-kubernetes sends the object as written, and the API server refuses anything but a boolean in a
bool field: its JSON decoder ("cannot unmarshal string into Go struct field ... of type bool"; in older
releases "ReadBool: expect t or f", kubeflow/kubeflow#1748) and server-side apply's schema check
(structured-merge-diff's ``validateScalar``: "expected boolean"). So ``hostUsers: "false"``,
``privileged: "true"``, ``runAsNonRoot: 1`` never deploy, and the pack does not guess what one meant:
it is never the safe value (fail closed), and the message says it is malformed so the fix is its type.
Every Kubernetes rule reads its bool fields through :func:`holds` (:func:`said`, :func:`malformed_note`).

No manifest written in YAML arrives here with a string the API would take as a bool: pulumi-kubernetes
decodes ``ConfigFile``/``ConfigGroup`` (v1 through its ``kubernetes:yaml:decode`` invoke, v2 in the
provider) and rendered Helm charts with apimachinery's ``NewYAMLOrJSONDecoder`` (sigs.k8s.io/yaml, a
YAML 1.1 parser, as kubectl's), so an unquoted ``true``, ``yes`` or ``on`` is already the boolean
``true`` (``no``/``off``: ``false``) and only a quoted ``"false"`` stays a string, which kubectl's
API server refuses too.

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
