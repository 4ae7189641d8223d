"""The rules an auto-name must also meet: the upstream Terraform schema's, or AWS's own.

:data:`UPSTREAM_VALIDATIONS` holds, by name, each rule set :attr:`components.autonames.AutoName.validation`
names, with the source it is read from: a terraform-provider-aws ``ValidateFunc`` the bridge's
Check runs (``pulumi preview`` fails), a ``CustomizeDiff`` the provider runs when it plans the
create (``pulumi preview`` fails too, after the Check), or, where the schema has neither, the AWS
API's own constraint (``pulumi up`` fails at create). :mod:`planner.autonames` judges an auto-name
against them; this module holds only the table (standard library only).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final, NamedTuple


class UpstreamValidation(NamedTuple):
    """A rule set an auto-name must meet: a Terraform ``ValidateFunc`` the bridge's Check runs on it
    (``pulumi preview`` fails), where ``at_diff`` a ``CustomizeDiff`` (preview fails too), or, where
    ``at_create``, only the AWS API's own constraint (the
    schema has none: ``pulumi preview`` passes and AWS refuses the create, so ``pulumi up`` fails
    part-way). Its ``rules`` (whether a name breaks it, the reason it gives with ``{prop}`` and
    ``{value}``) are in the validator's order; ``advice`` says what to do; ``source`` cites the
    validator (file and function, or the API reference) every entry is read from."""

    rules: tuple[tuple[Callable[[str], bool], str], ...]
    advice: str
    source: str
    at_create: bool = False
    at_diff: bool = False
    """Where the rule is the resource's ``CustomizeDiff``, not a ``ValidateFunc``: the Check passes
    the name, and the provider refuses it when it plans the create, so ``pulumi preview`` still
    fails, with the error itself rather than a check failure."""


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


def _lower_param_group_rules(where: str) -> tuple[tuple[Callable[[str], bool], str], ...]:
    """docdb's and neptune's ``validParamGroupName`` (validate.go), in their order: RDS's without
    its periods; ``where`` is what docdb's reasons say before ``"{prop}"`` ("parameter group ") and
    neptune's do not. Their 255 never meets an auto-name (pulumi-aws's 255 refuses first)."""
    return (
        (
            lambda name: re.fullmatch(r"[0-9a-z-]+", name) is None,
            f'only lowercase alphanumeric characters and hyphens allowed in {where}"{{prop}}"',
        ),
        (
            lambda name: re.match(r"[a-z]", name) is None,
            f'first character of {where}"{{prop}}" must be a letter',
        ),
        (lambda name: "--" in name, f'{where}"{{prop}}" cannot contain two consecutive hyphens'),
        (lambda name: name.endswith("-"), f'{where}"{{prop}}" cannot end with a hyphen'),
    )


_LOWER_SUBNET_GROUP_RULES: Final[tuple[tuple[Callable[[str], bool], str], ...]] = (
    (
        lambda name: re.fullmatch(r"[0-9a-z_ .-]+", name) is None,
        "only lowercase alphanumeric characters, hyphens, underscores, periods, and spaces "
        'allowed in "{prop}"',
    ),
)
"""rds's, docdb's and neptune's ``validSubnetGroupName`` (each service's validate.go, the same
function): its 255 and its refusal of "default" never meet an auto-name (hex follows)."""

_LOWER_HYPHENATED_ADVICE: Final = (
    "Give it a logical name of lower-case letters, digits and single hyphens that starts with a "
    "letter (pulumi-aws does not lower-case it)"
)

_SAGEMAKER_TUNING_JOB_NAME: Final = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}")
"""aws_sagemaker_hyper_parameter_tuning_job's ``name`` validator (``stringvalidator.RegexMatches``,
``^...$``; botocore's ``HyperParameterTuningJobName`` pattern): each repetition takes its hyphens
with it, so it counts 32 alphanumerics and any hyphens between them, not 32 characters (AWS's
``max`` 32 is :attr:`components.autonames.AutoName.aws_max_length`)."""

_SAGEMAKER_MLFLOW_APP_NAME: Final = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9])*")
"""botocore sagemaker service-2.json's ``MlflowAppName`` pattern (its 256 never meets pulumi-aws's
255), whole-name match as AWS validates."""


def _queue_or_topic_rules(noun: str, most: int) -> tuple[tuple[Callable[[str], bool], str], ...]:
    """sqs ``resourceQueueCustomizeDiff`` / sns ``resourceTopicCustomizeDiff``: on create, the name
    must match ``^[0-9A-Za-z_-]{1,most}$``, or, for a FIFO one (whose auto-name pulumi-aws ends in
    ``.fifo``), ``^[0-9A-Za-z_-]{1,most-5}\\.fifo$``; either error is "invalid <noun> name: <name>"."""
    plain = re.compile(rf"[0-9A-Za-z_-]{{1,{most}}}")
    fifo = re.compile(rf"[0-9A-Za-z_-]{{1,{most - 5}}}\.fifo")

    def broken(name: str) -> bool:
        return (fifo if name.endswith(".fifo") else plain).fullmatch(name) is None

    return ((broken, f"invalid {noun} name: {{value}}"),)


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
        "aws_sagemaker_endpoint_configuration, aws_sagemaker_endpoint, "
        "aws_sagemaker_monitoring_schedule, and sagemaker/data_quality_job_definition.go, "
        "notebook_instance.go and notebook_instance_lifecycle_configuration.go's name)",
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
    # DocumentDB and Neptune: their parameter groups take no period (RDS's do), their subnet
    # groups RDS's alphabet; all lower case, which pulumi-aws does not make the auto-name.
    "docdb-parameter-group": UpstreamValidation(
        _lower_param_group_rules("parameter group "),
        _LOWER_HYPHENATED_ADVICE,
        _TF + "docdb/validate.go validParamGroupName (aws_docdb_cluster_parameter_group's name)",
    ),
    "neptune-parameter-group": UpstreamValidation(
        _lower_param_group_rules(""),
        _LOWER_HYPHENATED_ADVICE,
        _TF + "neptune/validate.go validParamGroupName (the name of aws_neptune_parameter_group and "
        "aws_neptune_cluster_parameter_group)",
    ),
    "docdb-neptune-subnet-group": UpstreamValidation(
        _LOWER_SUBNET_GROUP_RULES,
        "Give it a logical name of lower-case letters, digits, hyphens, underscores, periods and "
        "spaces (pulumi-aws does not lower-case it)",
        _TF + "docdb/validate.go and neptune/validate.go validSubnetGroupName (aws_docdb_subnet_group's "
        "and aws_neptune_subnet_group's name)",
    ),
    # validation.All(StringLenBetween(1, 255), StringMatch(^[0-9a-z-]+$), StringMatch((?i)^[a-z]),
    # StringDoesNotMatch(--), StringDoesNotMatch(-$)), each failing "invalid value for name (...)".
    "redshift-parameter-group": UpstreamValidation(
        (
            (
                lambda name: re.fullmatch(r"[0-9a-z-]+", name) is None,
                "invalid value for {prop} (must contain only lowercase alphanumeric characters and hyphens)",
            ),
            (
                lambda name: re.match(r"[A-Za-z]", name) is None,
                "invalid value for {prop} (first character must be a letter)",
            ),
            (lambda name: "--" in name, "invalid value for {prop} (cannot contain two consecutive hyphens)"),
            (lambda name: name.endswith("-"), "invalid value for {prop} (cannot end with a hyphen)"),
        ),
        _LOWER_HYPHENATED_ADVICE,
        _TF + "redshift/parameter_group.go, aws_redshift_parameter_group's name ValidateFunc",
    ),
    # Then StringNotInSlice "default", which the hex never meets.
    "redshift-subnet-group": UpstreamValidation(
        (
            (
                lambda name: re.fullmatch(r"[0-9a-z-]+", name) is None,
                "invalid value for {prop} (must contain only lowercase alphanumeric characters and hyphens)",
            ),
        ),
        "Give it a logical name of lower-case letters, digits and hyphens (pulumi-aws does not "
        "lower-case it)",
        _TF + "redshift/subnet_group.go, aws_redshift_subnet_group's name ValidateFunc",
    ),
    # StringLenBetween(0, 64) on Terraform's creation_token (CreateFileSystem's CreationToken takes
    # 64 too), below pulumi-aws's 255: a logical name of 56 bytes.
    "efs-creation-token": UpstreamValidation(
        (
            (
                lambda name: len(name.encode()) > 64,
                "expected length of creation_token to be in the range (0 - 64), got {value}",
            ),
        ),
        "Give it a logical name of at most 56 bytes",
        _TF + "efs/file_system.go, aws_efs_file_system's creation_token ValidateFunc "
        "(validation.StringLenBetween(0, 64))",
    ),
    # The queue's and topic's CustomizeDiff: a logical name with ".", a space or ":" fails, and a
    # FIFO queue's past 67 characters (pulumi-aws's 80 is checked before ".fifo", the regex's 75
    # after); a topic's 256 (251 + .fifo) never meets pulumi-aws's 80.
    "sqs-queue-name": UpstreamValidation(
        _queue_or_topic_rules("queue", 80),
        'Give it a logical name of letters, digits, "_" and "-" (a FIFO queue\'s of at most 67)',
        _TF + "sqs/queue.go resourceQueueCustomizeDiff (aws_sqs_queue's name on create)",
        at_diff=True,
    ),
    "sns-topic-name": UpstreamValidation(
        _queue_or_topic_rules("topic", 256),
        'Give it a logical name of letters, digits, "_" and "-"',
        _TF + "sns/topic.go resourceTopicCustomizeDiff (aws_sns_topic's name on create)",
        at_diff=True,
    ),
    # aws_sagemaker_hyper_parameter_tuning_job is a Plugin Framework resource (pulumi-aws 7.51 bridges
    # it with `name` and `config`, as the SDK shows); its `name` validator refuses "_", ".", a
    # leading hyphen or a 33rd alphanumeric (a 33rd character that is a hyphen it passes, and AWS
    # refuses at create: aws_max_length). The bridge's Check calls the provider's
    # ValidateResourceConfig on the auto-name and turns the attribute's diagnostic into a check
    # failure ("<Summary>. <Detail>"), so `pulumi preview` fails it.
    "sagemaker-tuning-job-name": UpstreamValidation(
        (
            (
                lambda name: _SAGEMAKER_TUNING_JOB_NAME.fullmatch(name) is None,
                "Invalid Attribute Value Match. Must be 1-32 characters long, start and end with an "
                "alphanumeric character, and contain only letters, numbers, and hyphens, got: {value}",
            ),
        ),
        "Give it a logical name of at most 24 letters, digits and hyphens, not first",
        _TF + "sagemaker/hyper_parameter_tuning_job.go, aws_sagemaker_hyper_parameter_tuning_job's "
        "name Validators (stringvalidator.RegexMatches `^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}$`), run by "
        "pulumi-terraform-bridge pkg/pf/tfbridge/provider_check.go validateResourceConfig "
        "(terraform-plugin-framework-validators validatordiag.InvalidAttributeValueMatchDiagnostic)",
    ),
    # mlflow_app.go's `name` is Required with no validator: only CreateMlflowApp's pattern refuses
    # "_", "." or a leading hyphen, at create.
    "sagemaker-mlflow-app-name": UpstreamValidation(
        (
            (
                lambda name: _SAGEMAKER_MLFLOW_APP_NAME.fullmatch(name) is None,
                "the name {value} does not satisfy the pattern [a-zA-Z0-9](-*[a-zA-Z0-9])*",
            ),
        ),
        "Give it a logical name of letters, digits and hyphens, not first",
        "Amazon SageMaker API Reference, CreateMlflowApp's Name (Pattern, Length 1-256), botocore "
        "sagemaker service-2.json MlflowAppName; " + _TF + "sagemaker/mlflow_app.go sets no validator "
        "on name",
        at_create=True,
    ),
    # ElastiCache stores both names lower-cased (Terraform's StateFunc lower-cases them too), so the
    # case is no matter; neither schema validates the name, and AWS refuses at create.
    "elasticache-parameter-group": UpstreamValidation(
        (
            (
                lambda name: re.match(r"[A-Za-z]", name) is None,
                "CacheParameterGroupName {value} must begin with an ASCII letter",
            ),
            (
                lambda name: re.fullmatch(r"[0-9A-Za-z-]+", name) is None,
                "CacheParameterGroupName {value} can only contain ASCII letters, digits, and hyphens",
            ),
            (
                lambda name: "--" in name,
                "CacheParameterGroupName {value} can't contain two consecutive hyphens",
            ),
        ),
        "Give it a logical name of letters, digits and single hyphens that starts with a letter",
        "Amazon ElastiCache User Guide, Creating an ElastiCache parameter group (naming constraints: "
        "an ASCII letter first, ASCII letters, digits and hyphens, 1-255, no two consecutive hyphens, "
        "no hyphen last); " + _TF + "elasticache/parameter_group.go sets no ValidateFunc on name",
        at_create=True,
    ),
    "elasticache-subnet-group": UpstreamValidation(
        (
            (
                lambda name: re.fullmatch(r"[0-9A-Za-z-]+", name) is None,
                "CacheSubnetGroupName {value} must contain no more than 255 alphanumeric characters "
                "or hyphens",
            ),
        ),
        "Give it a logical name of letters, digits and hyphens",
        "Amazon ElastiCache API Reference, CreateCacheSubnetGroup's CacheSubnetGroupName (Constraints: "
        "no more than 255 alphanumeric characters or hyphens; botocore elasticache service-2.json); "
        + _TF
        + "elasticache/subnet_group.go sets no ValidateFunc on name",
        at_create=True,
    ),
}
"""The upstream validations of :attr:`components.autonames.AutoName.validation`, by name."""
