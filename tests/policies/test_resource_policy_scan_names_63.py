"""The scan of resource-based policies reaches documents not named ``...policy``.

AWS Organizations' resource policy (delegated administration: which accounts may read the
organization or manage its policies) holds its document in ``content``; the scan looked only at
inputs named ``...policy``/``...policyDocument``/``...policyText`` and missed it, so an Allow to
``*`` there passed unchecked. The scan now also reads ``policyBody``/``policyTemplate`` and the
``content``/``document``/``statement`` of a type named for a policy or permission.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policies.rules.resource_policies import PublicResourcePolicy
from tests.policies.one_resource import findings
from tests.policies.test_resource_policy_class_63 import STATEMENT_INPUTS, installed, scan, unclassified

RULE = "resource-policy-not-public"
ORG_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DelegatingNecessaryDescribeListActions",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": ["organizations:DescribeOrganization", "organizations:ListAccounts"],
            "Resource": "*",
        }
    ],
}


def test_the_scan_finds_the_organizations_resource_policy_and_other_plainly_named_documents() -> None:
    candidates = installed()
    for shape in [
        ("aws:organizations/resourcePolicy:ResourcePolicy", "content"),
        ("aws-native:organizations:ResourcePolicy", "content"),
        ("aws:organizations/policy:Policy", "content"),
        ("aws:ram/permission:Permission", "policyTemplate"),
        ("aws:cloudformation/stack:Stack", "policyBody"),
        ("aws-native:events:EventBusPolicy", "statement"),
    ]:
        assert shape in candidates, shape
    # The statement input is read by the rule as an EventBridge permission.
    assert {token for token, _ in STATEMENT_INPUTS} <= set(PublicResourcePolicy.EVENT_PERMISSIONS)


def test_a_plainly_named_document_of_a_policy_type_is_flagged_and_of_another_type_is_not(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "pulumi_aws" / "newservice"
    folder.mkdir(parents=True)
    for module, name, token in (
        ("vault_policy.py", "VaultPolicy", "aws:newservice/vaultPolicy:VaultPolicy"),
        ("document.py", "Document", "aws:newservice/document:Document"),
    ):
        (folder / module).write_text(
            "@pulumi.input_type\n"
            f"class {name}Args:\n"
            "    @_builtins.property\n"
            "    @pulumi.getter\n"
            "    def content(self) -> pulumi.Input[_builtins.str]:\n"
            '        """\n'
            "        JSON text.\n"
            '        """\n'
            '        return pulumi.get(self, "content")\n'
            "\n"
            f"class {name}(pulumi.CustomResource):\n"
            "    def _internal_init(__self__):\n"
            f"        super({name}, __self__).__init__(\n"
            f"            '{token}',\n"
            "            resource_name)\n"
        )
    (tmp_path / "pulumi_aws_native").mkdir()
    assert unclassified(scan(tmp_path)) == ["aws:newservice/vaultPolicy:VaultPolicy content: JSON text."]


@pytest.mark.parametrize(
    "token", ["aws:organizations/resourcePolicy:ResourcePolicy", "aws-native:organizations:ResourcePolicy"]
)
@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
def test_an_organizations_resource_policy_open_to_anyone_is_refused(token: str, outputs: bool) -> None:
    assert findings(RULE, token, {"content": json.dumps(ORG_POLICY)}, outputs=outputs) == ([], 0)
    anyone = json.loads(json.dumps(ORG_POLICY))
    anyone["Statement"][0]["Principal"] = "*"
    messages, undecided = findings(RULE, token, {"content": json.dumps(anyone)}, outputs=outputs)
    assert undecided == 0 and len(messages) == 1
    assert messages[0].startswith(
        "content Statement[0] (Sid 'DelegatingNecessaryDescribeListActions') allows"
    )
    pinned = json.loads(json.dumps(anyone))
    pinned["Statement"][0]["Condition"] = {"StringEquals": {"aws:PrincipalOrgID": "o-abc123def4"}}
    assert findings(RULE, token, {"content": json.dumps(pinned)}, outputs=outputs) == ([], 0)
