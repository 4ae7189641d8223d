"""The offline plan refuses an auto-name pulumi-aws refuses at preview, or AWS at create.

A pulumi-aws resource whose name the program leaves unset is named ``<logical name>-<7 random
hex>`` by the provider's Check, which fails rather than cut a name longer than the type allows
(:class:`components.autonames.AutoName`: pulumi-terraform-bridge ``ComputeAutoNameDefault``, message
``could not make instance of '<type>': name '<logical>-' plus 7 random chars is longer than
maximum length N``; the Athena database's bare, without "could not make instance of", its own
default calling ``resource.NewUniqueHex``, whose error the bridge's Check returns as it is). The
mocks would answer such a resource with a name nobody would create, so the recording fails
instead, as ``pulumi preview`` does. An auto-name that fits also fails where the rules of
:data:`UPSTREAM_VALIDATIONS` refuse it: the upstream Terraform schema's ``ValidateFunc``, which the
provider's Check runs (preview: an IAM name's ASCII alphabet, an RDS, DocumentDB, Neptune or
Redshift parameter or subnet group's lower case, a SageMaker name's 63 and no ``_``, a SageMaker
tuning job's alphabet and 32 alphanumerics (a Plugin Framework validator), a KMS alias's alphabet,
a load balancer's 32, an EFS creation token's 64), the ``CustomizeDiff`` it runs when it plans the
create (preview too: an SQS queue's or SNS topic's alphabet, a FIFO queue's 75 before
``.fifo``), or the AWS API's own constraint where the schema has none (``pulumi up`` at create: an
ECR repository's lower case, a DynamoDB table's or Kinesis stream's alphabet, an ElastiCache
parameter or subnet group's, an RDS identifier past 63, a stream past 128, an IAM user past 64 or
group past 128, a SageMaker tuning job past 32 characters or an MLflow app's alphabet):
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

from collections.abc import Mapping
from typing import Final

from components.autonames import (
    FIFO_AUTONAMES,
    PULUMI_AWS_AUTONAMES,
    PULUMI_AWS_DEFAULT_AUTONAME,
    RDS_SQLSERVER_INSTANCE_AUTONAME,
    AutoName,
)
from planner.program_failure import ProgramFailure
from planner.schema_numbers import resource_input_types

# Re-exported: the table lived here until it outgrew the module.
from planner.upstream_validations import UPSTREAM_VALIDATIONS as UPSTREAM_VALIDATIONS
from planner.upstream_validations import UpstreamValidation as UpstreamValidation

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
    if type_token in FIFO_AUTONAMES:
        # pulumi-aws puts ".fifo" after the auto-name only where the flag is the boolean true (its
        # PostTransform's `fifo.IsBool() && fifo.BoolValue()`); unknown at preview, it does not.
        flag, fifo = FIFO_AUTONAMES[type_token]
        if isinstance(inputs, Mapping) and inputs.get(flag) is True:
            return fifo
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
    shown_prefix = "" if logical.startswith(autoname.post_prefix) else autoname.post_prefix
    made = f"'{shown_prefix}<logical name>{autoname.separator}<{random} random hex>{autoname.post_suffix}'"
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
        # The random part is hex; the rules judge the name as the provider sends it (a KMS alias's
        # "alias/" prefix and a FIFO queue's ".fifo" added after the length check).
        made_prefix = prefix if prefix.startswith(autoname.post_prefix) else autoname.post_prefix + prefix
        value = f'"{made_prefix}<{random} random hex>{autoname.post_suffix}"'
        reasons = [
            reason.format(prop=autoname.property, value=value)
            for broken, reason in validation.rules
            if broken(made_prefix + "0" * random + autoname.post_suffix)
        ]
        if reasons and validation.at_diff:
            # A CustomizeDiff's error is no check failure: the provider returns it when it plans the
            # create, which `pulumi preview` asks for after the Check passed.
            raise AutoNameInvalid(
                f"The {type_token} {logical!r} sets no `{autoname.property}`, so pulumi-aws auto-names "
                f"it {made}: the provider's Check passes it, but Terraform's CustomizeDiff refuses it "
                f"when the provider plans the create, so `pulumi preview` fails: "
                f"{'; '.join(reasons)}. {validation.advice}, or set `{autoname.property}` yourself."
            )
        if reasons and validation.at_create:
            raise AutoNameInvalid(
                f"The {type_token} {logical!r} sets no `{autoname.property}`, so pulumi-aws auto-names "
                f"it {made}: `pulumi preview` passes it (the provider's schema does not validate it), "
                f"but AWS refuses it at create, so `pulumi up` fails part-way: "
                f"{'; '.join(reasons)}. {validation.advice}, or set `{autoname.property}` yourself."
            )
        if reasons:
            # The bridge turns each failed rule into a check failure; the engine prints each as
            # "<type> resource '<name>' has a problem: <reason>" (pulumi-terraform-bridge
            # check_failures.go NewCheckFailure adds "Examine values at ...").
            problems = [
                f"{type_token} resource '{logical}' has a problem: {reason}. "
                f"Examine values at '{logical}.{autoname.property}'."
                for reason in reasons
            ]
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
