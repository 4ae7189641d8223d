"""The cross-policy publicByDesign check where `pulumi preview --policy-pack` configures the pack.

``unnoted_exemptions`` (an exemption listed for the rule but not for the note) ran only in
``registry.validate_pack_config``, i.e. ``bin/plan`` and ``policies.local``. The CLI checks each
policy's config against that policy's schema alone and the engine gives each policy only its own
config, so under the real CLI a config in the shape the README documented until session 66 (the
list under ``public-access-switches-kept-on`` only) exempted the public resource with no note at
all. ``policies.analyzer.PackAnalyzer`` (what ``__main__`` serves) refuses that config in
``Configure``, the one call that sees every policy's config.
"""

from __future__ import annotations

import json
from typing import Any

import grpc
import pytest
from pulumi.runtime.proto import analyzer_pb2 as pb
from pulumi_policy.policy import EnforcementLevel

from policies.analyzer import PackAnalyzer, PackConfigRefused
from policies.local import resolve_config
from policies.registry import ALL_POLICIES

RULE = "public-access-switches-kept-on"
NOTE = "public-by-design-noted"
APP_RUNNER = "aws:apprunner/service:Service"
ENTRY = {"resource": "public-api", "reason": "customer-facing API, WAF in front (ADR-12)"}
LISTED = {"publicByDesign": [ENTRY]}
WIRE = {"advisory": pb.ADVISORY, "mandatory": pb.MANDATORY, "disabled": pb.DISABLED}


class Context:
    """The part of a gRPC servicer context ``Configure`` uses: ``abort`` records and raises."""

    def __init__(self) -> None:
        self.aborted: tuple[Any, str] | None = None

    def abort(self, code: Any, details: str) -> None:
        self.aborted = (code, details)
        raise RuntimeError(details)  # grpc's abort raises too: nothing after it runs


def configure(config: dict[str, Any], context: Any) -> PackAnalyzer:
    """Configured as the CLI configures the pack: every policy's level and properties."""
    servicer = PackAnalyzer("revpol", "0.0.1", list(ALL_POLICIES), EnforcementLevel.ADVISORY)
    request = pb.ConfigureAnalyzerRequest()
    for name, (level, props) in resolve_config(config, ALL_POLICIES).items():
        request.policyConfig[name].enforcementLevel = WIRE[level.value]
        request.policyConfig[name].properties.update(json.loads(json.dumps(props)))
    servicer.Configure(request, context)
    return servicer


def reported(servicer: PackAnalyzer, name: str) -> list[tuple[str, int]]:
    request = pb.AnalyzeRequest(type=APP_RUNNER, urn=f"urn:pulumi:s::p::{APP_RUNNER}::{name}", name=name)
    found = servicer.Analyze(request, None).diagnostics
    return [(d.policyName, d.enforcementLevel) for d in found if d.policyName in (RULE, NOTE)]


@pytest.mark.parametrize("context", [Context(), None], ids=["grpc", "no-context"])
def test_configure_refuses_an_exemption_listed_for_the_rule_only(context: Context | None) -> None:
    # The documented shape until session 66: the list under the rule only. Served as is, the App
    # Runner service would be neither refused nor noted.
    with pytest.raises((RuntimeError, PackConfigRefused)) as error:
        configure({RULE: LISTED}, context)
    message = str(error.value)
    assert message.startswith(f"policy pack config: {NOTE}.publicByDesign: ")
    assert "'resource': 'public-api'" in message and "list each for both policies" in message
    if context is not None:
        assert context.aborted is not None and context.aborted[0] is grpc.StatusCode.INVALID_ARGUMENT


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        pytest.param({RULE: LISTED, NOTE: LISTED}, [(NOTE, pb.ADVISORY)], id="listed-for-both-noted"),
        pytest.param(
            {NOTE: LISTED}, [(RULE, pb.MANDATORY), (NOTE, pb.ADVISORY)], id="note-only-still-refused"
        ),
        pytest.param({}, [(RULE, pb.MANDATORY)], id="unlisted-refused"),
    ],
)
def test_a_config_the_policies_agree_on_is_served(config: dict[str, Any], expected: list[Any]) -> None:
    servicer = configure(config, Context())
    assert sorted(reported(servicer, "public-api")) == sorted(expected)
    assert reported(servicer, "other-api") == [(RULE, pb.MANDATORY)]
