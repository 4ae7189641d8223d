"""The pulumi-aws-native provider of a component that creates resources of both AWS packages.

A component takes its providers from the caller (``opts.providers``, inherited by every child),
one per package: an ``aws.Provider`` there is not used for a pulumi-aws-native child, which falls
back to the stack's default aws-native provider (``aws-native:region``, or where the engine runs).
A program that pins its AWS resources to an explicit provider and forgets the aws-native one gets
those children in another region (or account) with no error, so the component says so.
"""

from __future__ import annotations

import pulumi

_AWS = "aws:index:Provider"
_AWS_NATIVE = "aws-native:index:Provider"


def warn_without_native_provider(component: pulumi.ComponentResource, name: str) -> None:
    """Warn (``pulumi.log.warn``, shown at preview and up) when ``component`` got an explicit
    pulumi-aws provider but no pulumi-aws-native one: its aws-native children would be created by
    the default aws-native provider, not in the region and account of the caller's provider."""
    # get_provider looks the package up in the providers the component inherited and was given.
    if component.get_provider(_AWS) is None or component.get_provider(_AWS_NATIVE) is not None:
        return
    pulumi.log.warn(
        f"{type(component).__name__} {name!r}: opts.providers has an aws provider but no aws-native one, "
        "so its pulumi-aws-native resources use the default aws-native provider (aws-native:region), "
        "not your provider's region and account: pass a pulumi_aws_native.Provider with the same "
        "region (and allowed_account_ids) in opts.providers too",
        resource=component,
    )
