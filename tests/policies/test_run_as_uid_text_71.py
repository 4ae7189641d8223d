"""``k8s-run-as-high-uid`` reads ``runAsUser`` as the API server does: an integer, never text.

The rule read the UID through ``number``, which reads text: ``runAsUser: "20000"`` passed as a high
UID, and an unreadable container value fell back to the pod's. Kubernetes decodes ``runAsUser`` as an
int64 and refuses a string or a fraction there (a CRD's ``type: integer`` schema does too), so such a
value is now said malformed where it is set (the pod's even where every container sets its own: the
API server refuses the pod for it), and a container inheriting it is not judged again.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.policies.one_resource import assert_decided, findings

RULE = "k8s-run-as-high-uid"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
AT = "spec.template.spec"


def _deployment(own: Any = None, pod: Any = None, patch: bool = False) -> tuple[str, dict[str, Any]]:
    container: dict[str, Any] = {"name": "server", "image": "model@sha256:abc"}
    if own is not None:
        container["securityContext"] = {"runAsUser": own}
    spec: dict[str, Any] = {"containers": [container]}
    if pod is not None:
        spec["securityContext"] = {"runAsUser": pod}
    inputs = {"metadata": {"namespace": "serving"}, "spec": {"template": {"spec": copy.deepcopy(spec)}}}
    return DEPLOYMENT + ("Patch" if patch else ""), inputs


@pytest.mark.parametrize("value", ["20000", " 20000 ", "2e4", 20000.5, True, "inf", {"a": 1}], ids=repr)
def test_a_container_uid_that_is_no_integer_is_malformed(value: Any) -> None:
    kind, inputs = _deployment(own=value, pod=20000)
    assert_decided(
        findings(RULE, kind, inputs), f"{AT}.containers[0].securityContext.runAsUser is ", "not an integer"
    )


@pytest.mark.parametrize("patch", [False, True], ids=["object", "patch"])
def test_a_pod_uid_that_is_no_integer_is_malformed(patch: bool) -> None:
    kind, inputs = _deployment(pod="20000", patch=patch)
    assert_decided(findings(RULE, kind, inputs), f"{AT}.securityContext.runAsUser is '20000': not an integer")


@pytest.mark.parametrize(
    ("own", "pod", "fragment"),
    [
        (20000, None, None),
        (20000.0, None, None),
        (10000, None, None),
        (9999, None, "runAsUser is 9999"),
        (None, 20000, None),
        (None, 9999, "runAsUser is 9999"),
        (20000, "abc", f"{AT}.securityContext.runAsUser is 'abc': not an integer"),
        (None, None, "runAsUser is unset"),
    ],
    ids=[
        "int",
        "whole-float",
        "the-minimum",
        "below",
        "pod-int",
        "pod-below",
        "a-malformed-pod-value-is-said-though-overridden",
        "unset",
    ],
)
def test_an_integer_uid_is_judged_as_before(own: Any, pod: Any, fragment: str | None) -> None:
    kind, inputs = _deployment(own=own, pod=pod)
    assert_decided(findings(RULE, kind, inputs), fragment)


@pytest.mark.parametrize(
    ("own", "pod", "fragment"),
    [
        (UNKNOWN_STRING_VALUE, "abc", f"{AT}.securityContext.runAsUser is 'abc': not an integer"),
        (
            "abc",
            UNKNOWN_STRING_VALUE,
            f"{AT}.containers[0].securityContext.runAsUser is 'abc': not an integer",
        ),
        (UNKNOWN_STRING_VALUE, 20000, None),
    ],
    ids=["known-pod-beside-unknown-container", "known-container-beside-unknown-pod", "near-miss-integer-pod"],
)
def test_a_uid_unknown_at_preview_hides_no_malformed_one_beside_it(
    own: Any, pod: Any, fragment: str | None
) -> None:
    """At preview the rule stays undecided (the unknown UID may be low), but a malformed value known
    in the same pod is still said: the API server refuses the pod whatever the unknown one becomes."""
    kind, inputs = _deployment(own=own, pod=pod)
    messages, undecided = findings(RULE, kind, inputs)
    assert undecided == 1
    if fragment is None:
        assert messages == []
    else:
        assert len(messages) == 1 and fragment in messages[0], messages
