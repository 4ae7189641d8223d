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
provider's Check runs (preview: an IAM name's ASCII alphabet, an RDS identifier's, parameter or
option group's lower case, a SageMaker name's 63 and no ``_``, a KMS alias's alphabet, a load
balancer's 32), or the AWS API's own constraint where the schema has none (``pulumi up`` at
create: an ECR repository's lower case, a DynamoDB table's or Kinesis stream's alphabet, an RDS
identifier past 63, a stream past 128, an IAM user past 64 or group past 128):
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
    """A rule set an auto-name must meet: a Terraform ``ValidateFunc`` the bridge's Check runs on it
    (``pulumi preview`` fails), or, where ``at_create``, only the AWS API's own constraint (the
    schema has none: ``pulumi preview`` passes and AWS refuses the create, so ``pulumi up`` fails
    part-way). Its ``rules`` (whether a name breaks it, the reason it gives with ``{prop}`` and
    ``{value}``) are in the validator's order; ``advice`` says what to do; ``source`` cites the
    validator (file and function, or the API reference) every entry is read from."""

    rules: tuple[tuple[Callable[[str], bool], str], ...]
    advice: str
    source: str
    at_create: bool = False


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

_TF: Final = "terraform-provider-aws internal/service/"

_SAGEMAKER_ALPHABET: Final = re.compile(r"[0-9A-Za-z-]+")

_LAMBDA_FUNCTION_NAME: Final = re.compile(
    r"(arn:[\w-]+:lambda:)?([a-z]{2}-(?:[a-z]+-){1,2}\d{1}:)?(\d{12}:)?(function:)?([0-9A-Za-z_-]+)"
    r"(:(\$LATEST|[0-9A-Za-z_-]+))?",
    re.ASCII,
)
"""lambda ``validFunctionName``'s pattern (Go's ``\\w`` is ASCII)."""

_RDS_PARAMETER_GROUP_RULES: Final[tuple[tuple[Callable[[str], bool], str], ...]] = (
    (
        lambda name: re.fullmatch(r"[0-9a-z.-]+", name) is None,
        'only lowercase alphanumeric characters, periods, and hyphens allowed in parameter group "{prop}"',
    ),
    (
        lambda name: re.match(r"[a-z]", name) is None,
        'first character of parameter group "{prop}" must be a letter',
    ),
    (lambda name: "--" in name, 'parameter group "{prop}" cannot contain two consecutive hyphens'),
    (lambda name: name.endswith("-"), 'parameter group "{prop}" cannot end with a hyphen'),
)
"""rds ``validParamGroupName``, in its order (its 255 never meets an auto-name: pulumi-aws's 255
refuses first)."""

_IAM_NAME_ALPHABET: Final = re.compile(r"[0-9A-Za-z_+=,.@-]*")
"""iam ``validResourceName``'s ``^[\\w+=,.@-]*$``: Go's ``\\w`` is ASCII, so "é" or a space fails."""


def _iam_resource_name_rules(maximum: int) -> tuple[tuple[Callable[[str], bool], str], ...]:
    """iam ``validResourceName(maximum)``: ``validation.All(StringLenBetween(1, maximum),
    StringMatch(^[\\w+=,.@-]*$))``, in that order (Go's ``len``: UTF-8 bytes)."""
    return (
        (
            lambda name: len(name.encode()) > maximum,
            f"expected length of {{prop}} to be in the range (1 - {maximum}), got {{value}}",
        ),
        (
            lambda name: _IAM_NAME_ALPHABET.fullmatch(name) is None,
            "invalid value for {prop} (must match [\\w+=,.@-])",
        ),
    )


UPSTREAM_VALIDATIONS: Final[dict[str, UpstreamValidation]] = {
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
        _TF + "rds/validate.go validIdentifier (aws_db_instance's identifier)",
    ),
    # Its 255 and its refusal of "default" never meet an auto-name (pulumi-aws's 255 refuses first;
    # hex follows).
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
        _TF + "rds/validate.go validSubnetGroupName (aws_db_subnet_group's name)",
    ),
    "rds-parameter-group": UpstreamValidation(
        _RDS_PARAMETER_GROUP_RULES,
        "Give it a logical name of lower-case letters, digits, periods and single hyphens that starts "
        "with a letter (pulumi-aws does not lower-case it)",
        _TF + "rds/validate.go validParamGroupName (the name of aws_db_parameter_group and "
        "aws_rds_cluster_parameter_group)",
    ),
    "rds-option-group": UpstreamValidation(
        (
            (lambda name: re.match(r"[a-z]", name) is None, 'first character of "{prop}" must be a letter'),
            (
                lambda name: re.fullmatch(r"[0-9a-z-]+", name) is None,
                'only lowercase alphanumeric characters and hyphens allowed in "{prop}"',
            ),
            (lambda name: "--" in name, '"{prop}" cannot contain two consecutive hyphens'),
            (lambda name: name.endswith("-"), '"{prop}" cannot end with a hyphen'),
        ),
        "Give it a logical name of lower-case letters, digits and single hyphens that starts with a "
        "letter (pulumi-aws does not lower-case it)",
        _TF + "rds/validate.go validOptionGroupName (aws_db_option_group's name)",
    ),
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
        _TF + "elbv2/validate.go validTargetGroupName",
    ),
    "elb-name": UpstreamValidation(
        _ELB_NAME_RULES,
        "Give it a logical name of at most 24 letters, digits and hyphens, not first",
        _TF + "elb/validate.go validName (the classic load balancer)",
    ),
    # elb's rules, then a name may not begin "internal-" (terraform-provider-aws PR 10693,
    # CreateLoadBalancer's Name), so a logical name "internal" or "internal-..." fails the preview.
    "elbv2-name": UpstreamValidation(
        (
            *_ELB_NAME_RULES,
            (lambda name: name.startswith("internal-"), '"{prop}" cannot begin with "internal-": {value}'),
        ),
        "Give it a logical name of at most 24 letters, digits and hyphens, not first, that does not "
        'begin with "internal-"',
        _TF + "elbv2/validate.go validName (aws_lb, aws_alb)",
    ),
    # IAM: a role's, policy's and instance profile's name (ASCII letters, digits and "_+=,.@-"; a
    # role's 64 is pulumi-aws's too, a policy's or instance profile's 128 is below its 255).
    "iam-role-name": UpstreamValidation(
        _iam_resource_name_rules(64),
        'Give it a logical name of ASCII letters, digits and "_+=,.@-"',
        _TF + "iam/role.go, aws_iam_role's name ValidateFunc validResourceName(roleNameMaxLen = 64) "
        "(iam/validate.go)",
    ),
    "iam-name-128": UpstreamValidation(
        _iam_resource_name_rules(128),
        'Give it a logical name of at most 120 ASCII letters, digits and "_+=,.@-"',
        _TF + "iam/policy.go and iam/instance_profile.go, the name's ValidateFunc "
        "validResourceName(policyNameMaxLen, instanceProfileNameMaxLen = 128) (iam/validate.go)",
    ),
    # aws_iam_user's and aws_iam_group's name are Required, which pulumi-aws auto-names all the same.
    "iam-user-group-name": UpstreamValidation(
        (
            (
                lambda name: re.fullmatch(r"[0-9A-Za-z=,.@_+-]+", name) is None,
                "invalid value for {prop} (must only contain alphanumeric characters, hyphens, "
                "underscores, commas, periods, @ symbols, plus and equals signs)",
            ),
        ),
        'Give it a logical name of ASCII letters, digits and "_+=,.@-"',
        _TF + "iam/user.go and iam/group.go, the name's ValidateFunc (StringMatch ^[0-9A-Za-z=,.@\\-_+]+$)",
    ),
    # SageMaker's names: letters of either case, digits and hyphens (any number in a row), not
    # first, at most 63, so a logical name past 55 characters or with "_" or "." fails.
    "sagemaker-name": UpstreamValidation(
        (
            (
                lambda name: _SAGEMAKER_ALPHABET.fullmatch(name) is None,
                'only alphanumeric characters and hyphens allowed in "{prop}": {value}',
            ),
            (lambda name: len(name) > 63, '"{prop}" cannot be longer than 63 characters: {value}'),
            (lambda name: name.startswith("-"), '"{prop}" cannot begin with a hyphen: {value}'),
        ),
        "Give it a logical name of at most 55 letters, digits and hyphens, not first",
        _TF + "sagemaker/validate.go validName (the name of aws_sagemaker_model, "
        "aws_sagemaker_endpoint_configuration, aws_sagemaker_endpoint and "
        "aws_sagemaker_monitoring_schedule)",
    ),
    # The alias pulumi-aws makes is "alias/" + <logical>-<hex> (its PostTransform adds the prefix
    # unless the logical name has it), judged here whole: "." or a space in a logical name fails, and
    # so does a logical name "aws/..." (AWS's reserved prefix).
    "kms-alias": UpstreamValidation(
        (
            (
                lambda name: name.startswith("alias/aws/"),
                "\"{prop}\" cannot begin with reserved AWS CMK prefix 'alias/aws/'",
            ),
            (
                lambda name: re.fullmatch(r"alias/[0-9A-Za-z_/-]+", name) is None,
                "\"{prop}\" must begin with 'alias/' and be comprised of only [0-9A-Za-z_/-]",
            ),
        ),
        'Give it a logical name of letters, digits, "_", "/" and "-" that does not begin with "aws/"',
        _TF + "kms/validate.go validNameForResource (aws_kms_alias's name)",
    ),
    # Its 512 never meets an auto-name (pulumi-aws's 255 refuses first).
    "logs-group-name": UpstreamValidation(
        (
            (
                lambda name: re.fullmatch(r"[0-9A-Za-z_./#-]+", name) is None,
                '"{prop}" isn\'t a valid log group name (alphanumeric characters, underscores, hyphens, '
                "slashes, hash signs and dots are allowed): {value}",
            ),
        ),
        'Give it a logical name of letters, digits, "_", ".", "/", "#" and "-"',
        _TF + "logs/validate.go validLogGroupName (aws_cloudwatch_log_group's name)",
    ),
    # validation.All(StringLenBetween(1, 80), StringMatch(^[0-9A-Za-z_-]+$)): pulumi-aws's default
    # 255, so a logical name past 72 characters, or with "." or a space, fails.
    "sfn-state-machine": UpstreamValidation(
        (
            (
                lambda name: len(name) > 80,
                "expected length of {prop} to be in the range (1 - 80), got {value}",
            ),
            (
                lambda name: re.fullmatch(r"[0-9A-Za-z_-]+", name) is None,
                "invalid value for {prop} (the name should only contain 0-9, A-Z, a-z, - and _)",
            ),
        ),
        'Give it a logical name of at most 72 letters, digits, "_" and "-"',
        _TF + "sfn/state_machine.go, aws_sfn_state_machine's name ValidateFunc",
    ),
    # aws_lambda_function's function_name (pulumi-aws's `name`, AutoName 64): a name or an ARN, the
    # name [0-9A-Za-z_-]+, so a logical name with "." or a space fails; its 140 never meets the 64.
    "lambda-function-name": UpstreamValidation(
        (
            (
                lambda name: _LAMBDA_FUNCTION_NAME.fullmatch(name) is None,
                "invalid value for function_name (must be valid function name or function ARN)",
            ),
        ),
        'Give it a logical name of letters, digits, "_" and "-"',
        _TF + "lambda/validate.go validFunctionName (aws_lambda_function's function_name)",
    ),
    # aws_ecr_repository's name has no ValidateFunc, so `pulumi preview` passes; CreateRepository
    # refuses a repositoryName outside its pattern (lower case; ".", "_", "__" or hyphens only
    # between alphanumerics, "/" between path parts: the OCI distribution spec's path component, as
    # botocore's ecr service-2.json RepositoryName has it, whole-name match as AWS validates). Its
    # 2-256 never meets an auto-name (hex follows; pulumi-aws's 255 refuses first).
    "ecr-repository": UpstreamValidation(
        (
            (
                lambda name: (
                    re.fullmatch(
                        r"[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*",
                        name,
                    )
                    is None
                ),
                "repositoryName {value} does not satisfy the pattern "
                "[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(\\/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*",
            ),
        ),
        'Give it a logical name of lower-case letters and digits, ".", "_", "__" or hyphens only between them, '
        '"/" between path parts (pulumi-aws does not lower-case it)',
        "Amazon ECR API Reference, CreateRepository's repositoryName (Pattern, Length 2-256); "
        + _TF
        + "ecr/repository.go sets no ValidateFunc on name",
        at_create=True,
    ),
    # validateRuleName's 64 is pulumi-aws's too (both count bytes): only its alphabet meets an
    # auto-name, so a logical name with a space, "/" or ":" fails.
    "events-rule-name": UpstreamValidation(
        (
            (
                lambda name: re.fullmatch(r"[0-9A-Za-z_.-]+", name) is None,
                '"{prop}" doesn\'t comply with restrictions ("^[0-9A-Za-z_.-]+$"): {value}',
            ),
        ),
        'Give it a logical name of letters, digits, "_", "." and "-"',
        _TF + "events/validate.go validateRuleName (aws_cloudwatch_event_rule's name)",
    ),
    # aws_dynamodb_table's and aws_kinesis_stream's name have no ValidateFunc (Required, auto-named
    # all the same), so `pulumi preview` passes; CreateTable and CreateStream refuse a name outside
    # their alphabet (DynamoDB's 3-255 never meets an auto-name; a stream's 128 is aws_max_length).
    "dynamodb-table-name": UpstreamValidation(
        (
            (
                lambda name: re.fullmatch(r"[0-9A-Za-z_.-]+", name) is None,
                "TableName {value}: table names contain only a-z, A-Z, 0-9, _ (underscore), - (dash) "
                "and . (dot)",
            ),
        ),
        'Give it a logical name of letters, digits, "_", "." and "-"',
        "Amazon DynamoDB Developer Guide, Naming rules (table names 3-255 of a-z A-Z 0-9 _ - .); "
        + _TF
        + "dynamodb/table.go sets no ValidateFunc on name",
        at_create=True,
    ),
    "kinesis-stream-name": UpstreamValidation(
        (
            (
                lambda name: re.fullmatch(r"[0-9A-Za-z_.-]+", name) is None,
                "StreamName {value} does not satisfy the pattern [a-zA-Z0-9_.-]+",
            ),
        ),
        'Give it a logical name of letters, digits, "_", "." and "-"',
        "Amazon Kinesis Data Streams API Reference, CreateStream's StreamName (Pattern "
        "[a-zA-Z0-9_.-]+, Length 1-128); " + _TF + "kinesis/stream.go sets no ValidateFunc on name",
        at_create=True,
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
    shown_prefix = "" if logical.startswith(autoname.post_prefix) else autoname.post_prefix
    made = f"'{shown_prefix}<logical name>{autoname.separator}<{random} random hex>'"
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
        # "alias/" prefix added after the length check).
        made_prefix = prefix if prefix.startswith(autoname.post_prefix) else autoname.post_prefix + prefix
        value = f'"{made_prefix}<{random} random hex>"'
        reasons = [
            reason.format(prop=autoname.property, value=value)
            for broken, reason in validation.rules
            if broken(made_prefix + "0" * random)
        ]
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
