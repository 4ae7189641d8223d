"""Last read of the mocks' regions (session 69): a provider's id holds no ``:`` at all, so a name
starting with one cannot make a reference's last ``::`` fall inside the id."""

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
