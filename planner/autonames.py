"""The offline plan refuses an auto-name pulumi-aws refuses at preview.

A pulumi-aws resource whose name the program leaves unset is named ``<logical name>-<7 random
hex>`` by the provider's Check, which fails rather than cut a name longer than the type allows
(:class:`components.autonames.AutoName`: pulumi-terraform-bridge ``ComputeAutoNameDefault``, message
``could not make instance of '<type>': name '<logical>-' plus 7 random chars is longer than
maximum length N``). The mocks would answer such a resource with a name nobody would create, so
the recording fails instead, as ``pulumi preview`` does.

Judged only as Pulumi names by default: with ``pulumi:autonaming`` in the stack's config the
engine sends the provider a proposed name (a pattern, verbatim, or ``mode: disabled``: pulumi
pkg/resource/autonaming ``AutonamingForResource``; without it, none, and the provider's own
auto-name above applies), which the plan does not model, so it judges none then, nor under a stack
file that imports an ESC environment (whose ``pulumiConfig`` the engine merges into the config
before reading that key, and the plan cannot read). Nor does it judge
a registration a transform may reach (``transforms=`` of its own or an ancestor's, a stack
transform: the engine runs them before the provider's Check, one may set the name, and the
recording runs none; :meth:`planner.default_providers.DefaultProviderGuard.transform_may_reach`),
an imported resource (``import_=``: the engine's import step passes the inputs it read as the
Check's olds, and the bridge's auto-name returns the name the resource has),
pulumi-aws-native's auto-names (its own schema's limits), nor the length of a name the program
sets (AWS's limits: components.limits, stacks.naming).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Final

from components.autonames import AUTONAME_SUFFIX, PULUMI_AWS_AUTONAMES, PULUMI_AWS_DEFAULT_AUTONAME, AutoName
from planner.program_failure import ProgramFailure
from planner.schema_numbers import resource_input_types

AUTONAMING_KEY: Final = "pulumi:autonaming"
"""The engine's auto-naming config; where a stack sets it, auto-names are not judged."""


class AutoNameTooLong(ProgramFailure):
    """A resource pulumi-aws cannot auto-name: its logical name is too long for the type's
    maximum. ``str()`` is the provider's message and what to do."""


def autoname_of(type_token: str) -> AutoName | None:
    """How pulumi-aws auto-names ``type_token``, or None where it does not (another package, a
    type with no ``name`` input and no override, one auto-named with no maximum)."""
    if not type_token.startswith("aws:"):
        return None
    if type_token in PULUMI_AWS_AUTONAMES:
        return PULUMI_AWS_AUTONAMES[type_token]
    # setAutonaming: every resource whose Terraform schema has an input `name`, which the SDK shows
    # as a `name` input of its own.
    return PULUMI_AWS_DEFAULT_AUTONAME if "name" in resource_input_types(type_token) else None


def refuse_too_long_autoname(type_token: str, logical: str, set_inputs: Collection[str]) -> None:
    """Raise :class:`AutoNameTooLong` where pulumi-aws would auto-name the resource (``set_inputs``:
    the wire names of the inputs the program set, unknown ones included, holds neither the named
    property nor its ``...Prefix``, which the provider's schema makes conflict with it) and
    ``<logical><separator>`` and 7 random characters are longer than the type's maximum."""
    autoname = autoname_of(type_token)
    if autoname is None or autoname.property in set_inputs or f"{autoname.property}Prefix" in set_inputs:
        return
    prefix = (logical.lower() if autoname.lowercase else logical) + autoname.separator
    if len(prefix.encode()) + AUTONAME_SUFFIX - 1 <= autoname.max_length:
        return
    fits = autoname.max_length - AUTONAME_SUFFIX
    unit = "characters" if logical.isascii() else "bytes in UTF-8"  # the provider counts bytes
    raise AutoNameTooLong(
        f"could not make instance of '{type_token}': name '{prefix}' plus 7 random chars is longer "
        f"than maximum length {autoname.max_length}. The {type_token} {logical!r} sets no "
        f"`{autoname.property}`, so pulumi-aws auto-names it '<logical name>{autoname.separator}<7 random "
        f"hex>': its logical name has {len(logical.encode())} {unit}, the type takes at most {fits}, "
        f"and `pulumi preview` fails it. Give it a logical name of at most {fits} {unit}, or set "
        f"`{autoname.property}` yourself."
    )
