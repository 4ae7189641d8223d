"""Provider docs saying a switch defaults to on, read as a class.

``test_policy_gaps_65`` fails on a switch-named input whose provider documents a ``true`` default and
that nobody judges. Its reading knew ``Default is `true``` and ``defaults to `true``` only, so
``The default value is true``, ``Default value: `true```, ``defaults to ``true``(aws-native's double
backticks), ``true`` by default`` and the other wordings of the installed providers' docs (a census of
every sentence holding "default" and "true") read as no default. :data:`DEFAULT_TRUE` is every wording
the census found. Of the switch-named inputs, one changes classification: ``aws-native:rds:DbCluster
publiclyAccessible`` ("If ``DBSubnetGroup`` isn't specified, ``PubliclyAccessible`` defaults to
``true``"), already judged (``PUBLIC_BY_DEFAULT``), so no rule changes.
"""

from __future__ import annotations

import re

import pytest

#: A quote, backtick or blank around the value (aws-native writes ````true````, some docs ``"true"``).
_Q = r"[`'\"\s]*"
#: A provider docstring saying the input's default is true, in every wording of the installed docs.
DEFAULT_TRUE = re.compile(
    # "Default: `true`", "defaults to true", "The default value is ``true``", "Default value of `true`",
    # "By default, this value is set to `true`", "The default value for this parameter is true".
    r"(?i)\bdefaults?\b(?:\s+value)?(?:\s+for\s+this\s+parameter)?(?:\s*,)?"
    r"(?:\s+(?:it|this(?:\s+value)?|the\s+value))?(?:\s+(?:is|to|of))?(?:\s+set\s+to)?\s*[:(]?"
    + _Q
    + r"true\b"
    # "`true` by default"; "true, the default", "set to `true`, which is the default", "`true` (the default)".
    + r"|\btrue[`'\"]*\s+by\s+default\b"
    + r"|\btrue[`'\"]*\s*[,(]\s*(?:which\s+is\s+)?the\s+default\b"
    # "The default for Application Load Balancers is ``true``".
    + r"|\bdefault\s+for\s+[\w ]{1,60}?\s+is\s*"
    + _Q
    + r"true\b"
)


@pytest.mark.parametrize(
    ("text", "says_true"),
    [
        *[
            pytest.param(text, True, id=text)
            for text in (
                "Default is `true`.",
                "Defaults to `true`.",
                "defaults to true.",
                "The default value is true",
                "Default value: `true`",
                "The default value is `` ``true``",
                "``PubliclyAccessible`` defaults to ``true``.",
                "Defaults true",
                "Default `true`",
                "Default (`true`)",
                "`true` by default",
                "By default, it is set to `true`",
                "By default this is set to true",
                "default value of `true`",
                "The default value for this parameter is true, which",
                "Defaults to 'true'",
                "When set to true, which is the default, Firehose converts",
                "The default for Application Load Balancers is ``true``",
                "`true` (the default) or 2 otherwise",
            )
        ],
        *[
            pytest.param(text, False, id=text)
            for text in (
                "Default is `false`.",
                "Default `false`.",
                "Set to `false` by default, if no value is provided.",
                "The default is false, and cannot be true unless",
                "Set to `true` to delete the default VPC.",
                "If set to false (the default) the grants will be revoked",
                "`default_key`: true",
                "is enabled for encryption by default, or *Encrypted* is set to ``true``",
                "When `true`, applies the default branding style options.",
            )
        ],
    ],
)
def test_every_wording_of_a_true_default_reads_as_one(text: str, says_true: bool) -> None:
    assert bool(DEFAULT_TRUE.search(text)) is says_true
