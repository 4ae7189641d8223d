"""Last read of the mocks' regions (session 69): a provider's id holds no ``:`` at all, so a name
starting with one cannot make a reference's last ``::`` fall inside the id; and each warning of a
provider whose region the mocks guess says what to do, an unknown region's too."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pytest
from pulumi.runtime import MockResourceArgs

from planner.critical_path import provider_urn
from planner.mocks import PlatformMocks
from planner.recorder import record_program

STACK_REGION = "eu-west-1"
ACCOUNT = "123456789012"
CONFIG = {"aws:region": STACK_REGION, "aws:allowedAccountIds": f'["{ACCOUNT}"]'}


@pytest.mark.parametrize("name", [":use1", "use1:", "team:use1", "team::use1"])
def test_a_provider_named_with_colons_is_found(name: str) -> None:
    """``<urn>::<id>`` with an id starting ``:`` (a name ``:use1``) has its last ``::`` one colon
    into the id: the reference then named no provider the mocks or the critical path know."""

    def program() -> None:
        provider = aws.Provider(name, region="us-east-1")
        aws.sns.Topic("topic", opts=pulumi.ResourceOptions(provider=provider))

    graph = record_program(program, config=CONFIG)
    (provider,) = [r for r in graph.resources if r.is_provider]
    topic = graph.named("topic")
    assert topic.outputs["arn"].startswith(f"arn:aws:sns:us-east-1:{ACCOUNT}:")
    assert topic.provider == f"{provider.urn}::{provider.id}"
    assert provider_urn(topic.provider) == provider.urn


@pytest.mark.parametrize("typ", ["pulumi:providers:aws", "pulumi:providers:kubernetes"])
@pytest.mark.parametrize("name", [":a", "a:", "a:::b"])
def test_no_provider_id_holds_a_colon(typ: str, name: str) -> None:
    mocks = PlatformMocks(region=STACK_REGION, account_id=ACCOUNT)
    provider_id, _ = mocks.new_resource(
        MockResourceArgs(typ, name, {"region": "us-east-1:"}, provider="", resource_id="", custom=True)
    )
    assert ":" not in provider_id


@pytest.mark.parametrize(
    ("region", "advice"),
    [
        pytest.param(None, "give it region=...", id="unset"),
        pytest.param("", "give it region=...", id="empty"),
        pytest.param("unknown", "give it a region known before deployment", id="unknown"),
    ],
)
def test_a_warned_provider_is_named_and_told_what_to_do(region: str | None, advice: str) -> None:
    """Each warning of a provider the mocks answer for in a guessed region says how to end the
    guess, an unknown region's too (it only said the mocks guess)."""

    def program() -> None:
        source = aws.sns.Topic("source")
        # The topic's policy is not returned by the mocks: unknown, as at a preview.
        pinned = source.policy if region == "unknown" else region
        aws.Provider("guessed", region=pinned)

    with pytest.MonkeyPatch.context() as patch:
        for variable in ("AWS_REGION", "AWS_DEFAULT_REGION"):
            patch.delenv(variable, raising=False)
        warnings = record_program(program, config=CONFIG).warnings
    (message,) = [w for w in warnings if w.startswith("provider 'guessed'")]
    assert f"the stack's region {STACK_REGION!r}" in message
    assert advice in message
