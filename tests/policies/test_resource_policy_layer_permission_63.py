"""``resource-policy-not-public`` reads a Lambda layer version permission as the statement it adds.

``principal: "*"`` without ``organizationId`` shares a layer version (its code, and whatever the
code holds) with every AWS account; with ``organizationId`` Lambda adds ``aws:PrincipalOrgID`` and
only that organization may use it; an account id names one account. The rule read Lambda and
EventBridge permissions this way but not layer permissions, so a public layer passed.
"""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.rules.resource_policies import PublicResourcePolicy
from tests.policies.one_resource import findings

RULE = "resource-policy-not-public"
LAYERS = [
    pytest.param(
        "aws:lambda/layerVersionPermission:LayerVersionPermission",
        {
            "layerName": "shared",
            "versionNumber": 3,
            "statementId": "share",
            "action": "lambda:GetLayerVersion",
        },
        id="aws",
    ),
    pytest.param(
        "aws-native:lambda:LayerVersionPermission",
        {
            "layerVersionArn": "arn:aws:lambda:eu-west-1:111122223333:layer:shared:3",
            "action": "lambda:GetLayerVersion",
        },
        id="aws-native",
    ),
]


def test_the_rule_reads_both_layer_permission_types() -> None:
    assert set(PublicResourcePolicy.LAYER_PERMISSIONS) <= set(PublicResourcePolicy.resource_types())


@pytest.mark.parametrize(("token", "others"), LAYERS)
@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
def test_a_layer_shared_with_every_account_is_refused_and_one_account_or_organization_passes(
    token: str, others: dict[str, Any], outputs: bool
) -> None:
    messages, undecided = findings(RULE, token, {**others, "principal": "*"}, outputs=outputs)
    assert undecided == 0 and len(messages) == 1
    assert messages[0].startswith(
        "principal Statement[0] allows Principal '*' without a restricting condition"
    )
    org = {**others, "principal": "*", "organizationId": "o-abc123def4"}
    assert findings(RULE, token, org, outputs=outputs) == ([], 0)
    assert findings(RULE, token, {**others, "principal": "111122223333"}, outputs=outputs) == ([], 0)
    # An organization id that pins nothing leaves the layer public: "*" alone is never trusted. (Lambda
    # writes the id under StringEquals, which compares literally: "o-*" would name no organization.)
    loose = {**others, "principal": "*", "organizationId": "*"}
    assert len(findings(RULE, token, loose, outputs=outputs)[0]) == 1


@pytest.mark.parametrize(("token", "others"), LAYERS)
def test_at_preview_an_unknown_principal_or_organization_is_undecided(
    token: str, others: dict[str, Any]
) -> None:
    assert findings(RULE, token, {**others, "principal": UNKNOWN_STRING_VALUE}) == ([], 1)
    pending = {**others, "principal": "*", "organizationId": UNKNOWN_STRING_VALUE}
    assert findings(RULE, token, pending) == ([], 1)
