"""The case of a switch's value, as AWS reads it (session 66, item 5).

* SSM ``/ssm/documents/console/public-sharing-permission``: ``SettingValue`` is free text (botocore's
  ``ServiceSettingValue``: a string of 1 to 4096 characters, no enum) and ``UpdateServiceSetting``
  documents exactly ``Enable`` or ``Disable``. The rule lower-cased and stripped the value, so
  ``disable``, `` Disable `` and ``DISABLE`` passed: values AWS does not document as blocking, which
  no model validates before SSM stores them. Only ``Disable`` passes now.
* Lightsail ``accessRules.getObject``: botocore's ``AccessType`` enum is ``public``/``private``; the
  rule refuses ``public`` in any case (``Public`` is public if AWS takes it, and refused by AWS if
  not): right either way, unchanged.
"""

from __future__ import annotations

from typing import Any

import pytest

from policies.rules.public_switches import SSM_PUBLIC_SHARING
from tests.policies.one_resource import assert_decided, findings

RULE = "public-access-switches-kept-on"


@pytest.mark.parametrize(
    ("resource_type", "inputs", "fragment"),
    [
        *[
            pytest.param(
                token,
                {"settingId": SSM_PUBLIC_SHARING, "settingValue": value},
                f"settingValue is {value!r}",
                id=f"{token.split(':')[0]}-ssm-{value.strip() or 'blank'}-refused",
            )
            for token in ("aws:ssm/serviceSetting:ServiceSetting", "aws-native:ssm:ServiceSetting")
            for value in ("disable", " Disable ", "DISABLE")
        ],
        pytest.param(
            "aws:ssm/serviceSetting:ServiceSetting",
            {"settingId": SSM_PUBLIC_SHARING, "settingValue": "Disable"},
            None,
            id="ssm-documented-disable-passes",
        ),
        *[
            pytest.param(
                "aws-native:lightsail:Bucket",
                {"accessRules": {"getObject": value}},
                "accessRules.getObject is 'public'",
                id=f"lightsail-{value}-refused",
            )
            for value in ("public", "Public", "PUBLIC")
        ],
        pytest.param(
            "aws-native:lightsail:Bucket",
            {"accessRules": {"getObject": "private"}},
            None,
            id="lightsail-private-passes",
        ),
    ],
)
def test_only_the_documented_closed_value_passes(
    resource_type: str, inputs: dict[str, Any], fragment: str | None
) -> None:
    also = ("setting_value='Disable'",) if resource_type.endswith("ServiceSetting") and fragment else ()
    assert_decided(findings(RULE, resource_type, inputs), fragment, *also)
