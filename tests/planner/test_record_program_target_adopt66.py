"""docs/reuse.md, "Recording your program offline": another team's program recorded with its provider's
region and account, and a StackReference answered from ``stack_outputs``; the page's snippet runs as
written."""

from __future__ import annotations

import re

import pytest

from tests.conftest import REPO

REUSE = REPO / "docs" / "reuse.md"


def _recording_snippet() -> str:
    section = REUSE.read_text(encoding="utf-8").split("### Recording your program offline", 1)[1]
    [snippet] = re.findall(r"^```python\n(.*?)^```", section.split("\n## ", 1)[0], flags=re.S | re.M)
    return snippet


def test_the_recording_snippet_answers_in_the_programs_account_and_reads_the_referenced_stack() -> None:
    namespace: dict[str, object] = {}
    exec(compile(_recording_snippet(), str(REUSE), "exec"), namespace)
    graph, report = namespace["graph"], namespace["report"]

    assert graph.exports["vpc_id"] == "vpc-0abc"  # type: ignore[attr-defined]
    assert [(r.type, r.name) for r in graph.reads] == [  # type: ignore[attr-defined]
        ("pulumi:pulumi:StackReference", "acme/network/prod")
    ]
    # The key is in the account and region the provider config names, as `pulumi up` would make it.
    assert graph.exports["key_arn"].startswith("arn:aws:kms:eu-west-1:444455556666:key/")  # type: ignore[attr-defined]
    assert not [v for v in report.violations if v.enforcement_level == "mandatory"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("config", "arn_prefix"),
    [
        pytest.param(
            {"aws:region": "eu-north-1", "aws:allowedAccountIds": '["444455556666"]'},
            "arn:aws:kms:eu-north-1:444455556666:",
            id="the-engine-passes-the-account-list-as-json-text",
        ),
        pytest.param(
            {"aws:region": "eu-north-1", "aws:allowedAccountIds": ["444455556666", "555566667777"]},
            "arn:aws:kms:eu-north-1:123456789012:",
            id="two-allowed-accounts-name-no-single-account",
        ),
        pytest.param(
            {
                "aws:region": "eu-north-1",
                "mlops-platform:platform": {"region": "eu-west-1", "account_id": "111111111111"},
            },
            "arn:aws:kms:eu-west-1:111111111111:",
            id="the-platform-config-wins-over-the-provider-config",
        ),
    ],
)
def test_the_mocks_answer_in_the_configured_region_and_account(
    config: dict[str, object], arn_prefix: str
) -> None:
    import pulumi

    from components.foundation import EncryptionKey, EncryptionKeyArgs
    from planner.recorder import record_program

    def program() -> None:
        key = EncryptionKey(
            "data",
            EncryptionKeyArgs(purpose="data", account_id="444455556666", user_role_path="/team-x/", tags={}),
        )
        pulumi.export("key_arn", key.key_arn)

    graph = record_program(program, config=config)
    assert graph.exports["key_arn"].startswith(arn_prefix)
