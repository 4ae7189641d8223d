"""IAM wildcards and ARNs as the policy pack reads them: whole values, any character under ``*``."""

import pytest

from policies.rules._iam_documents import (
    broad_resource,
    covers,
    is_every_action,
    on_broad_resources,
    wildcard_match,
)
from policies.rules._iam_patterns import iam_wildcard, matches_every


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        ("iam:PassRole", "iam:PassRole", True),
        ("IAM:passrole", "iam:PassRole", True),  # IAM action names are case-insensitive
        ("iam:*", "iam:PassRole", True),
        ("iam:Pass?ole", "iam:PassRole", True),
        ("*", "line\nbreak", True),  # IAM's * is any text, a line break included
        ("iam:Pass*", "iam:Pass\nRole", True),
        ("AdministratorAccess", "administratoraccess\n", False),  # a whole value, not a prefix line
        ("iam:PassRole", "iam:PassRole\n", False),
        ("iam:PassRole", "xiam:PassRole", False),
        ("iam:Pass", "iam:PassRole", False),
        ("s3:Get.bject", "s3:GetObject", False),  # regex characters in a pattern are literal
    ],
)
def test_wildcard_match_is_whole_value_and_case_insensitive(pattern, value, matches):
    assert wildcard_match(pattern, value) is matches


@pytest.mark.parametrize(
    ("resource", "broad"),
    [
        ("*", True),
        ("arn:aws:kms:*:*:key/*", True),
        ("arn:aws:kms:eu-west-1:111122223333:key/*", False),
        ("arn:aws:s3:::bucket/*", False),
        ("arn:aws:secretsmanager:*:*:secret*", True),
        # A wildcard that spans the ARN's fields reaches every account's resources.
        ("arn:aws:kms:*", True),
        ("arn:*:kms:*", True),
        ("arn:aws:kms:eu-west-1:*", True),
        ("arn:aws-cn:kms:*", True),
        ("arn:aws*", True),
        ("a*", True),
        ("arn:aws:kms:*:111122223333:key/abc", False),  # one name (in any region), not any resource
        ("arn:aws:kms:eu-west-1:111122223333:*", True),  # every resource of the service in one account
        ("arn:aws:logs:eu-west-1:111122223333:log-group:/aws/sagemaker/*", False),
        # The first * of a pattern with fewer than five colons may stand for the missing fields.
        ("arn:aws:iam::*", True),
        ("arn:aws:iam::*role/*", True),
        ("arn:aws:kms:*key/*", True),
        ("arn:aws:kms:eu-*", True),
        ("arn:aws:s3*", True),
        ("ar?:aws:s3:*", True),
        ("arn:aws:s3::*my-bucket/*", False),  # one bucket's objects, whatever the * stands for
        ("arn:aws:iam::*role/mlops/*", False),
        ("arn:aws:s3:::bucket*", False),
        ("arn:aws:kms:*:111122223333:key/*", False),
        ("arn:aws:iam::111122223333:role/service-role/*", False),
        # A line break in the resource part is still the resource part: the ARN parses whole.
        ("arn:aws:kms:*:*:key/\n*", False),
        ("arn:aws:kms:*:*:*\n", False),
    ],
)
def test_broad_resource_reads_the_whole_arn(resource, broad):
    assert broad_resource(resource) is broad


def test_white_space_never_widens_an_exclusion_nor_hides_a_grant() -> None:
    # Action and Resource entries are judged trimmed (white space cannot hide a grant); NotAction
    # and NotResource exactly (white space cannot widen what they exclude).
    assert covers({"Action": ["iam:PassRole\n"]}, "iam:PassRole") is True
    assert covers({"NotAction": ["iam:PassRole\n"]}, "iam:PassRole") is True
    assert covers({"NotAction": ["iam:PassRole"]}, "iam:PassRole") is False
    assert on_broad_resources({"Resource": [" *"]}) is True
    assert on_broad_resources({"NotResource": ["*\n"]}) is True
    assert on_broad_resources({"NotResource": ["*"]}) is False


@pytest.mark.parametrize(
    ("pattern", "every"),
    [
        ("*", True),
        ("*:*", True),
        ("?*:?*", True),  # any service, any action: as much as "*"
        ("**", True),
        ("*:?*", True),
        ("?:*", False),  # one-letter services only
        ("*:Get*", False),
        ("s3:*", False),
    ],
)
def test_every_spelling_of_every_action_is_every_action(pattern: str, every: bool) -> None:
    assert is_every_action(pattern) is every


@pytest.mark.parametrize(
    ("excluded", "reaches_every_resource"),
    [
        ("arn:aws:kms:*", True),  # everything but KMS is still granted
        ("arn:*:kms:*", True),
        ("arn:aws:s3:::*", True),
        ("*", False),
        ("arn:*", False),
        ("a*", False),
    ],
)
def test_not_resource_hides_the_grant_only_when_it_excludes_everything(
    excluded: str, reaches_every_resource: bool
) -> None:
    assert on_broad_resources({"NotResource": [excluded]}) is reaches_every_resource


_PROBES = (
    "arn:aws:kms:eu-west-1:111111111111:zz-any-type/zz-any-name",
    "arn:aws:kms:us-east-1:999999999999:zz-other-type:zz-other-name",
)


@pytest.mark.parametrize(
    "pattern",
    [
        "arn:aws:kms:*",  # matches both
        "arn:aws:kms:eu-west-1:*",  # the literal beginning fits one probe only
        "arn:aws:s3:::bucket/*",  # fits neither: decided before the pattern is compiled
        "arn:${*}:kms:*",  # an escape ends the literal beginning: it is read as IAM reads it
        "arn:${$}aws:kms:*",
        "ARN:aws:kms:*",  # case counts in an ARN
        "*",
        "",
        "arn:aws:kms:eu-west-1:111111111111:zz-any-type/zz-any-name",  # no wildcard at all
        "a?n:aws:*",
    ],
)
@pytest.mark.parametrize("ignore_case", [False, True])
def test_matches_every_is_the_compiled_pattern_s_verdict(pattern: str, ignore_case: bool) -> None:
    """``matches_every`` decides by a pattern's literal beginning where it can, without compiling it:
    always the verdict of the compiled pattern over each probe, and for every subset of them."""
    matcher = iam_wildcard(pattern, ignore_case=ignore_case)
    for probes in (_PROBES, _PROBES[:1], _PROBES[1:], (), ("arn",)):
        expected = all(matcher.fullmatch(probe) for probe in probes)
        assert matches_every(pattern, iter(probes), ignore_case=ignore_case) is expected
