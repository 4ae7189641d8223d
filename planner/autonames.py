"""The offline plan refuses an auto-name pulumi-aws refuses at preview.

A pulumi-aws resource whose name the program leaves unset is named ``<logical name>-<7 random
hex>`` by the provider's Check, which fails rather than cut a name longer than the type allows
(:class:`components.autonames.AutoName`: pulumi-terraform-bridge ``ComputeAutoNameDefault``, message
``could not make instance of '<type>': name '<logical>-' plus 7 random chars is longer than
maximum length N``; the Athena database's bare, without "could not make instance of", its own
default calling ``resource.NewUniqueHex``, whose error the bridge's Check returns as it is). The
mocks would answer such a resource with a name nobody would create, so the recording fails
instead, as ``pulumi preview`` does. An RDS instance's identifier (``<logical><7 hex>``, no
separator, not lower-cased) also fails where the upstream schema's ``validIdentifier`` refuses it
in the provider's Check (preview), or where it is longer than AWS's 63 (``pulumi up`` at create):
:class:`AutoNameInvalid`.

Judged only as Pulumi names by default: with ``pulumi:autonaming`` in the stack's config the
engine sends the provider a proposed name (a pattern, verbatim, or ``mode: disabled``: pulumi
pkg/resource/autonaming ``AutonamingForResource``; without it, none, and the provider's own
auto-name above applies), which the plan does not model, so it judges none then, nor under a stack
file that imports an ESC environment (whose ``pulumiConfig`` the engine merges into the config
before reading that key, and the plan cannot read). A registration is judged as its transforms
left it (the engine runs them before the provider's Check, and the recording runs them as it does:
:mod:`planner.transforms`): a name a transform sets is set, one a transform only tags is judged.
Nor does it judge an imported resource (``import_=``: the engine's import step passes the inputs it
read as the Check's olds, and the bridge's auto-name returns the name the resource has),
pulumi-aws-native's auto-names (its own schema's limits), nor the length of a name the program
sets (AWS's limits: components.limits, stacks.naming).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Final, NamedTuple

from components.autonames import (
    PULUMI_AWS_AUTONAMES,
    PULUMI_AWS_DEFAULT_AUTONAME,
    RDS_SQLSERVER_INSTANCE_AUTONAME,
    AutoName,
)
from planner.program_failure import ProgramFailure
from planner.schema_numbers import resource_input_types

AUTONAMING_KEY: Final = "pulumi:autonaming"
"""The engine's auto-naming config; where a stack sets it, auto-names are not judged."""


class AutoNameRefused(ProgramFailure):
    """A resource whose auto-name pulumi-aws refuses at preview, or AWS at create. ``str()`` is
    the message the engine prints (or AWS's reason) and what to do."""


class AutoNameTooLong(AutoNameRefused):
    """A resource pulumi-aws cannot auto-name: its logical name is too long for the type's
    maximum. ``str()`` is the provider's message and what to do."""


class AutoNameInvalid(AutoNameRefused):
    """A resource whose auto-name the upstream Terraform schema's validation refuses in the
    provider's Check (an RDS identifier with an upper-case letter), or AWS at create (longer than
    AWS takes)."""


class UpstreamValidation(NamedTuple):
    """A Terraform ``ValidateFunc`` the bridge's Check runs on an auto-name: its ``rules``
    (whether a name breaks it, the reason it gives with ``{prop}`` and ``{value}``), in its order,
    and what to do."""

    rules: tuple[tuple[Callable[[str], bool], str], ...]
    advice: str


_ELB_ALPHABET: Final = re.compile(r"[0-9A-Za-z-]+")

_ELB_NAME_RULES: Final[tuple[tuple[Callable[[str], bool], str], ...]] = (
    (lambda name: len(name) > 32, '"{prop}" cannot be longer than 32 characters: {value}'),
    (
        lambda name: _ELB_ALPHABET.fullmatch(name) is None,
        'only alphanumeric characters and hyphens allowed in "{prop}": {value}',
    ),
    (lambda name: name.startswith("-"), '"{prop}" cannot begin with a hyphen: {value}'),
    (lambda name: name.endswith("-"), '"{prop}" cannot end with a hyphen: {value}'),
)
"""The rules elb's and elbv2's ``validName`` share, in their order (the value quoted in each reason)."""

UPSTREAM_VALIDATIONS: Final[dict[str, UpstreamValidation]] = {
    # terraform-provider-aws internal/service/rds/validate.go validIdentifier.
    "rds-identifier": UpstreamValidation(
        (
            (
                lambda name: re.fullmatch(r"[0-9a-z-]+", name) is None,
                'only lowercase alphanumeric characters and hyphens allowed in "{prop}"',
            ),
            (lambda name: re.match(r"[a-z]", name) is None, 'first character of "{prop}" must be a letter'),
            (lambda name: "--" in name, '"{prop}" cannot contain two consecutive hyphens'),
            (lambda name: name.endswith("-"), '"{prop}" cannot end with a hyphen'),
        ),
        "Give it a logical name of lower-case letters, digits and single hyphens that starts with a "
        "letter (pulumi-aws does not lower-case it)",
    ),
    # internal/service/rds/validate.go validSubnetGroupName (aws_db_subnet_group's name); its 255 and
    # its refusal of "default" never meet an auto-name (pulumi-aws's 255 refuses first; hex follows).
    "rds-subnet-group": UpstreamValidation(
        (
            (
                lambda name: re.fullmatch(r"[0-9a-z_ .-]+", name) is None,
                "only lowercase alphanumeric characters, hyphens, underscores, periods, and spaces "
                'allowed in "{prop}"',
            ),
        ),
        "Give it a logical name of lower-case letters, digits, hyphens, underscores, periods and "
        "spaces (pulumi-aws does not lower-case it)",
    ),
    # internal/service/elbv2/validate.go validTargetGroupName.
    "elbv2-target-group": UpstreamValidation(
        (
            (lambda name: len(name) > 32, '"{prop}" cannot be longer than 32 characters'),
            (
                lambda name: _ELB_ALPHABET.fullmatch(name) is None,
                'only alphanumeric characters and hyphens allowed in "{prop}"',
            ),
            (lambda name: name.startswith("-"), '"{prop}" cannot begin with a hyphen'),
            (lambda name: name.endswith("-"), '"{prop}" cannot end with a hyphen'),
        ),
        "Give it a logical name of at most 24 letters, digits and hyphens, not first",
    ),
    # internal/service/elb/validate.go validName (the classic load balancer).
    "elb-name": UpstreamValidation(
        _ELB_NAME_RULES, "Give it a logical name of at most 24 letters, digits and hyphens, not first"
    ),
    # internal/service/elbv2/validate.go validName (aws_lb, aws_alb): elb's rules, then a name
    # may not begin "internal-" (terraform-provider-aws PR 10693, CreateLoadBalancer's Name), so a
    # logical name "internal" or "internal-..." fails the preview.
    "elbv2-name": UpstreamValidation(
        (
            *_ELB_NAME_RULES,
            (lambda name: name.startswith("internal-"), '"{prop}" cannot begin with "internal-": {value}'),
        ),
        "Give it a logical name of at most 24 letters, digits and hyphens, not first, that does not "
        'begin with "internal-"',
    ),
}
"""The upstream validations of :attr:`components.autonames.AutoName.validation`, by name."""


def autoname_of(type_token: str, inputs: Mapping[str, object] | None = None) -> AutoName | None:
    """How pulumi-aws auto-names ``type_token`` given the ``inputs`` the program set, or None where
    it does not (another package, a type with no ``name`` input and no override, one auto-named with
    no maximum)."""
    if not type_token.startswith("aws:"):
        return None
    if type_token == "aws:rds/instance:Instance":
        engine = inputs.get("engine") if isinstance(inputs, Mapping) else None
        if isinstance(engine, str) and "sqlserver" in engine.lower():
            return RDS_SQLSERVER_INSTANCE_AUTONAME
    if type_token in PULUMI_AWS_AUTONAMES:
        return PULUMI_AWS_AUTONAMES[type_token]
    # setAutonaming: every resource whose Terraform schema has an input `name`, which the SDK shows
    # as a `name` input of its own.
    return PULUMI_AWS_DEFAULT_AUTONAME if "name" in resource_input_types(type_token) else None


def refuse_too_long_autoname(type_token: str, logical: str, set_inputs: Mapping[str, object]) -> None:
    """Raise :class:`AutoNameRefused` where pulumi-aws would auto-name the resource (``set_inputs``:
    the inputs the program set by wire name, unknown ones included, holds neither the named property
    nor its ``...Prefix``, which the provider's schema makes conflict with it) and ``<logical>``,
    the separator and the random characters are longer than the type's maximum
    (:class:`AutoNameTooLong`), or break the rules the provider's Check or AWS applies to the name
    (:class:`AutoNameInvalid`)."""
    autoname = autoname_of(type_token, set_inputs)
    if autoname is None or autoname.property in set_inputs or f"{autoname.property}Prefix" in set_inputs:
        return
    prefix = (logical.lower() if autoname.lowercase else logical) + autoname.separator
    random = autoname.random_length
    length = len(prefix.encode()) + random  # Go's len: UTF-8 bytes
    unit = "characters" if logical.isascii() else "bytes in UTF-8"
    made = f"'<logical name>{autoname.separator}<{random} random hex>'"
    if length > autoname.max_length:
        fits = autoname.max_length - len(autoname.separator) - random
        said = (
            f"name '{prefix}' plus {random} random chars is longer than maximum length {autoname.max_length}"
        )
        if autoname.wrapped:
            said = f"could not make instance of '{type_token}': {said}"
        raise AutoNameTooLong(
            f"{said}. The {type_token} {logical!r} sets no `{autoname.property}`, so pulumi-aws auto-names "
            f"it {made}: its logical name has {len(logical.encode())} {unit}, the type takes at most "
            f"{fits}, and `pulumi preview` fails it. Give it a logical name of at most {fits} {unit}, "
            f"or set `{autoname.property}` yourself."
        )
    validation = UPSTREAM_VALIDATIONS[autoname.validation] if autoname.validation else None
    if validation is not None:
        # The bridge turns each failed rule into a check failure; the engine prints each as
        # "<type> resource '<name>' has a problem: <reason>" (pulumi-terraform-bridge
        # check_failures.go NewCheckFailure adds "Examine values at ..."). The random part is hex.
        value = f'"{prefix}<{random} random hex>"'
        problems = [
            f"{type_token} resource '{logical}' has a problem: "
            f"{reason.format(prop=autoname.property, value=value)}. "
            f"Examine values at '{logical}.{autoname.property}'."
            for broken, reason in validation.rules
            if broken(prefix + "0" * random)
        ]
        if problems:
            raise AutoNameInvalid(
                "\n".join(problems) + f" The {type_token} {logical!r} sets no `{autoname.property}`, so "
                f"pulumi-aws auto-names it {made}, and the provider's Check refuses it at preview. "
                f"{validation.advice}, or set `{autoname.property}` yourself."
            )
    if autoname.aws_max_length is not None and length > autoname.aws_max_length:
        fits = autoname.aws_max_length - len(autoname.separator) - random
        raise AutoNameInvalid(
            f"The {type_token} {logical!r} sets no `{autoname.property}`, so pulumi-aws auto-names it "
            f"{made}, {length} characters: `pulumi preview` passes it, but AWS takes at most "
            f"{autoname.aws_max_length} and refuses it at create, so `pulumi up` fails part-way. Give it "
            f"a logical name of at most {fits} {unit}, or set `{autoname.property}` yourself."
        )
