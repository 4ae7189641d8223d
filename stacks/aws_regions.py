"""AWS commercial-partition regions where SageMaker is available.

The platform builds `arn:aws:...` ARNs, so GovCloud and China regions (other partitions) are
deliberately not accepted; extend ``partition`` handling before adding them.
"""

from __future__ import annotations

from typing import Final

PARTITION: Final = "aws"
"""The partition of every region below: the only one a stack file's ARNs may name."""

SAGEMAKER_REGIONS: Final[frozenset[str]] = frozenset(
    {
        "af-south-1",
        "ap-east-1",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-south-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-3",
        "ap-southeast-4",
        "ap-southeast-5",
        "ap-southeast-7",
        "ca-central-1",
        "ca-west-1",
        "eu-central-1",
        "eu-central-2",
        "eu-north-1",
        "eu-south-1",
        "eu-south-2",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "il-central-1",
        "me-central-1",
        "me-south-1",
        "mx-central-1",
        "sa-east-1",
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
    }
)

ZONE_LETTERS: Final[dict[str, str]] = {
    **{region: "abc" for region in SAGEMAKER_REGIONS},
    "us-east-1": "abcdef",
    "us-west-2": "abcd",
    "ap-northeast-1": "abcd",
    "ap-northeast-2": "abcd",
    "ca-central-1": "abd",
}
"""The availability-zone letters each region has (``<region><letter>``, e.g. ``eu-west-1a``);
from the EC2 DescribeAvailabilityZones listing of each region. Letters map to different physical
zones in each account, but the set of letters is the region's."""
ZONES_PER_ACCOUNT: Final[dict[str, int]] = {"us-west-1": 2, "ap-northeast-1": 3}
"""Regions where an account sees fewer zones than the region has letters: us-west-1 two of a-c,
ap-northeast-1 three of a-d (accounts created before 2012 still see ap-northeast-1b, newer ones
do not), so a letter is refused only when no account can have it."""


def zones_of(region: str) -> tuple[str, ...]:
    """The zone names ``region`` may have, e.g. ``("eu-west-1a", "eu-west-1b", "eu-west-1c")``."""
    return tuple(f"{region}{letter}" for letter in ZONE_LETTERS.get(region, ""))


def usable_zone_count(region: str) -> int:
    """How many zones one account can use in ``region``."""
    return ZONES_PER_ACCOUNT.get(region, len(ZONE_LETTERS.get(region, "")))
