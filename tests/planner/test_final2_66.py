"""``record_program``'s target beside a program's explicit AWS provider, and its provider config read
safely.

The mocks answer every resource in ``config``'s region and account (``_mock_target``), whichever
provider it names; docs/reuse.md tells another team to pin region and account on an explicit
provider, whose resources were then answered in ``us-east-1``/``123456789012`` with nothing said.
The graph's ``warnings`` now names such a provider. (Session 69: the mocks answer in each
provider's own region now, tests/planner/test_mocks_provider_region_69.py, so only the account is
warned about.) And ``aws:allowedAccountIds`` given as JSON text
nested past the input limit raised ``RecursionError`` instead of reading as no account.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from planner.recorder import record_program

TEAM = "444455556666"


def program() -> None:
    provider = aws.Provider("team", region="eu-west-1", allowed_account_ids=[TEAM])
    aws.sns.Topic("alerts", opts=pulumi.ResourceOptions(provider=provider))


@pytest.mark.parametrize(
    ("config", "arn_prefix", "warned"),
    [
        pytest.param(
            {},
            "arn:aws:sns:eu-west-1:123456789012:",
            "pins allowedAccountIds",
            id="no-config",
        ),
        pytest.param(
            {"aws:allowedAccountIds": f'["{TEAM}"]'},
            f"arn:aws:sns:eu-west-1:{TEAM}:",
            None,
            id="same-account-another-region",
        ),
        pytest.param(
            {"aws:region": "eu-west-1"},
            "arn:aws:sns:eu-west-1:123456789012:",
            "pins allowedAccountIds",
            id="region-only",
        ),
        pytest.param(
            {"aws:region": "eu-west-1", "aws:allowedAccountIds": f'["{TEAM}"]'},
            f"arn:aws:sns:eu-west-1:{TEAM}:",
            None,
            id="same-target-as-json-text",
        ),
        pytest.param(
            {"aws:region": "eu-west-1", "aws:allowedAccountIds": "[" * 5000 + "]" * 5000},
            "arn:aws:sns:eu-west-1:123456789012:",
            "pins allowedAccountIds",
            id="deeply-nested-account-text-reads-as-none",
        ),
    ],
)
def test_an_explicit_provider_pinning_another_target_is_warned(
    config: dict[str, Any], arn_prefix: str, warned: str | None
) -> None:
    graph = record_program(program, config=config)
    (topic,) = [r for r in graph.resources if r.type == "aws:sns/topic:Topic"]
    assert topic.outputs["arn"].startswith(arn_prefix)
    about_provider = [w for w in graph.warnings if "provider 'team'" in w]
    if warned is None:
        assert about_provider == []
    else:
        (message,) = about_provider
        assert warned in message
        assert "give record_program's config the same aws:allowedAccountIds" in message
