"""Gaps an adopter calling the components from their own program would hit (session 61's leftovers).

1. Tag and label maps: a YAML ``yes: x``, ``1: x`` or ``x: 1.10`` in an adopter's own config reaches
   Python as ``True``, ``1`` or ``1.1``. ``tags_problem`` already refused them, with a message
   printing the whole map and naming no key; the Kubernetes components' ``labels`` crashed with an
   ``AttributeError`` (``'bool' object has no attribute 'rpartition'``) naming no field. One shared
   check (``limits.string_map_problem``) now names the field, the key or value, its type and what is
   accepted, for every args class with ``tags`` and both ``labels``.
"""

from __future__ import annotations

from typing import Any

import pytest

from components.kubernetes.kubernetes_monitoring import KubernetesMonitoringArgs
from components.kubernetes.kubernetes_monitoring_spec import KubernetesMonitoringSpec
from components.kubernetes.kubernetes_serving import KubernetesServingArgs
from components.kubernetes.kubernetes_serving_spec import KubernetesServingSpec
from components.limits import string_map_problem, tags_problem
from tests.components.test_limits import TAGGED

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn@sha256:" + "0123456789abcdef" * 4
SECRET = {"name": "grafana-admin"}

# (map, the start of what the refusal says after "<Args>.<field>: ")
NOT_STRINGS: list[tuple[dict[Any, Any], str]] = [
    ({True: "x"}, r"{what} key True is a bool, not a string: {what} keys and values are strings"),
    ({1: "x"}, r"{what} key 1 is a int, not a string"),
    ({"owner": "me", 1.5: "x"}, r"{what} key 1\.5 is a float, not a string"),
    ({"owner": True}, r"{what} 'owner' has the value True, a bool, not a string: {what} values are strings"),
    ({"version": 1.1}, r"{what} 'version' has the value 1\.1, a float, not a string"),
    ({"owner": None}, r"{what} 'owner' has the value None, a NoneType, not a string"),
]
NOT_STRING_IDS = ["bool-key", "int-key", "float-key", "bool-value", "float-value", "none-value"]


@pytest.mark.parametrize(("tags", "message"), NOT_STRINGS, ids=NOT_STRING_IDS)
@pytest.mark.parametrize(("args", "base"), TAGGED, ids=lambda c: getattr(c, "__name__", None))
def test_args_refuse_tags_that_are_not_strings_naming_the_key(
    args: type, base: dict[str, Any], tags: dict[Any, Any], message: str
) -> None:
    """A tag key or value that is not a string is refused naming the field, the key and its type,
    and saying tags are strings (not a dump of the whole map); the rest of the tags are fine."""
    with pytest.raises(ValueError, match=rf"^{args.__name__}\.tags: {message.format(what='tag')}"):
        args(**{**base, "tags": {"team": "ml", **tags}})


@pytest.mark.parametrize(("labels", "message"), NOT_STRINGS, ids=NOT_STRING_IDS)
def test_kubernetes_labels_that_are_not_strings_are_refused_naming_the_field(
    labels: dict[Any, Any], message: str
) -> None:
    """The Kubernetes components' extra labels: refused naming ``labels`` and the key, where the
    label check crashed on ``key.rpartition`` or its regex (AttributeError, TypeError)."""
    serving = KubernetesServingSpec.model_validate({"name": "churn", "image": IMAGE})
    monitoring = KubernetesMonitoringSpec.model_validate({"grafana_admin_secret": SECRET})
    expected = message.format(what="label")
    with pytest.raises(ValueError, match=rf"^KubernetesServingArgs\.labels: {expected}"):
        KubernetesServingArgs(spec=serving, labels=labels)
    with pytest.raises(ValueError, match=rf"^KubernetesMonitoringArgs\.labels: {expected}"):
        KubernetesMonitoringArgs(spec=monitoring, labels=labels)
    # The same labels as strings are valid Kubernetes labels.
    as_text = {str(key).lower(): str(value).lower() for key, value in labels.items() if value is not None}
    assert KubernetesServingArgs(spec=serving, labels=as_text).labels == as_text
    assert KubernetesMonitoringArgs(spec=monitoring, labels=as_text).labels == as_text


def test_the_shared_check_keeps_string_maps_and_refuses_what_is_no_map() -> None:
    assert string_map_problem({}, "tag") is None
    assert string_map_problem({"owner": "", "cost-center": "cc-1"}, "tag") is None
    assert string_map_problem(None, "tag") == "None is not a mapping of tag keys to values (strings)"
    assert string_map_problem([("owner", "me")], "label") == (
        "[('owner', 'me')] is not a mapping of label keys to values (strings)"
    )
    # tags_problem checks the types first: a bool key is named as such, not as a bad character.
    assert tags_problem({True: "x"}, own=1) == (
        "tag key True is a bool, not a string: tag keys and values are strings (quote a yes, no, on, off "
        "or number written as a YAML key)"
    )
