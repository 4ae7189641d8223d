"""The auto-names the upstream rules refuse, as a class: each rule's names on both sides of each boundary.

pulumi-aws names a resource whose name the program leaves unset ``<logical>-<7 hex>`` (not
lower-cased unless its override says so) and the bridge's Check runs the Terraform schema's
``ValidateFunc`` on it (``pulumi preview`` fails), or, where the schema has none, AWS's own
constraint refuses the create (``pulumi up`` fails part-way). Each case calls the judgement
directly; one recording shows the path from a program.
"""

from __future__ import annotations

import re

import pulumi_aws as aws
import pytest

from components.autonames import PULUMI_AWS_AUTONAMES, RDS_SQLSERVER_INSTANCE_AUTONAME
from planner.autonames import (
    UPSTREAM_VALIDATIONS,
    AutoNameInvalid,
    AutoNameRefused,
    AutoNameTooLong,
    refuse_too_long_autoname,
)
from planner.recorder import record_program


def refused(type_token: str, logical: str) -> str:
    with pytest.raises(AutoNameRefused) as raised:
        refuse_too_long_autoname(type_token, logical, {})
    assert isinstance(raised.value, AutoNameInvalid), raised.value
    return str(raised.value)


def problem(type_token: str, logical: str, reason: str) -> str:
    """A check failure as the engine prints it."""
    return f"{type_token} resource '{logical}' has a problem: {reason}. Examine values at '{logical}.name'."


PARAMETER_GROUPS = [
    "aws:rds/parameterGroup:ParameterGroup",
    "aws:rds/clusterParameterGroup:ClusterParameterGroup",
]


@pytest.mark.parametrize("type_token", PARAMETER_GROUPS)
@pytest.mark.parametrize(
    ("logical", "reasons"),
    [
        ("ordersPg", ["only lowercase alphanumeric characters, periods, and hyphens"]),
        ("Orders", ["only lowercase alphanumeric characters, periods, and hyphens", "first character"]),
        ("orders_pg", ["only lowercase alphanumeric characters, periods, and hyphens"]),
        ("orders pg", ["only lowercase alphanumeric characters, periods, and hyphens"]),
        ("1orders", ["first character"]),
        ("orders--pg", ["two consecutive hyphens"]),
        ("orders-", ["two consecutive hyphens"]),  # 'orders-' + '-' + hex
    ],
)
def test_an_rds_parameter_group_auto_name_breaking_valid_param_group_name_is_refused(
    type_token: str, logical: str, reasons: list[str]
) -> None:
    said = refused(type_token, logical)
    assert said.count(f"{type_token} resource '{logical}' has a problem: ") == len(reasons)
    for reason in reasons:
        assert reason in said
    assert "lower-case letters, digits, periods and single hyphens" in said


@pytest.mark.parametrize("type_token", PARAMETER_GROUPS)
@pytest.mark.parametrize("logical", ["orders-pg", "orders.pg.v1", "o", "orders1"])
def test_near_miss_rds_parameter_group_names_pass(type_token: str, logical: str) -> None:
    """Periods are allowed in a parameter group (not in an option group)."""
    refuse_too_long_autoname(type_token, logical, {})


def test_an_rds_parameter_group_reason_is_valid_param_group_name_s() -> None:
    pg = PARAMETER_GROUPS[0]
    assert refused(pg, "Pg").startswith(
        problem(
            pg,
            "Pg",
            'only lowercase alphanumeric characters, periods, and hyphens allowed in parameter group "name"',
        )
        + "\n"
        + problem(pg, "Pg", 'first character of parameter group "name" must be a letter')
    )


OPTION_GROUP = "aws:rds/optionGroup:OptionGroup"


@pytest.mark.parametrize(
    ("logical", "reason"),
    [
        ("orders.og", 'only lowercase alphanumeric characters and hyphens allowed in "name"'),
        ("OrdersOg", 'only lowercase alphanumeric characters and hyphens allowed in "name"'),
        ("1og", 'first character of "name" must be a letter'),
        ("og--x", '"name" cannot contain two consecutive hyphens'),
    ],
)
def test_an_rds_option_group_auto_name_breaking_valid_option_group_name_is_refused(
    logical: str, reason: str
) -> None:
    assert problem(OPTION_GROUP, logical, reason) in refused(OPTION_GROUP, logical)


@pytest.mark.parametrize("logical", ["orders-og", "o", "og1"])
def test_near_miss_rds_option_group_names_pass(logical: str) -> None:
    refuse_too_long_autoname(OPTION_GROUP, logical, {})


SAGEMAKER = [
    "aws:sagemaker/model:Model",
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
    "aws:sagemaker/endpoint:Endpoint",
    "aws:sagemaker/monitoringSchedule:MonitoringSchedule",  # its name's ValidateFunc is validName too
]


@pytest.mark.parametrize("type_token", SAGEMAKER)
def test_a_sagemaker_name_takes_63_so_a_logical_name_takes_55(type_token: str) -> None:
    refuse_too_long_autoname(type_token, "m" * 55, {})
    said = refused(type_token, "m" * 56)
    value = f'"{"m" * 56}-<7 random hex>"'
    assert said.startswith(
        problem(type_token, "m" * 56, f'"name" cannot be longer than 63 characters: {value}')
    )
    assert "at most 55 letters, digits and hyphens" in said


@pytest.mark.parametrize("type_token", SAGEMAKER)
@pytest.mark.parametrize(
    ("logical", "reason"),
    [
        ("churn_model", 'only alphanumeric characters and hyphens allowed in "name"'),
        ("churn.v2", 'only alphanumeric characters and hyphens allowed in "name"'),
        ("churn model", 'only alphanumeric characters and hyphens allowed in "name"'),
        ("-churn", '"name" cannot begin with a hyphen'),
    ],
)
def test_a_sagemaker_name_refuses_underscore_period_space_or_a_leading_hyphen(
    type_token: str, logical: str, reason: str
) -> None:
    assert f'has a problem: {reason}: "{logical}-<7 random hex>". Examine' in refused(type_token, logical)


@pytest.mark.parametrize("type_token", SAGEMAKER)
@pytest.mark.parametrize("logical", ["ChurnModel", "1churn", "churn--v2", "churn-"])
def test_near_miss_sagemaker_names_pass(type_token: str, logical: str) -> None:
    """Upper case, a leading digit and runs of hyphens are allowed (``^[0-9A-Za-z-]+$``)."""
    refuse_too_long_autoname(type_token, logical, {})


KMS_ALIAS = "aws:kms/alias:Alias"


@pytest.mark.parametrize(
    ("logical", "reason"),
    [
        ("orders.key", "\"name\" must begin with 'alias/' and be comprised of only [0-9A-Za-z_/-]"),
        ("orders key", "\"name\" must begin with 'alias/' and be comprised of only [0-9A-Za-z_/-]"),
        ("aws/orders", "\"name\" cannot begin with reserved AWS CMK prefix 'alias/aws/'"),
        ("alias/aws/orders", "\"name\" cannot begin with reserved AWS CMK prefix 'alias/aws/'"),
    ],
)
def test_a_kms_alias_auto_name_is_judged_with_its_alias_prefix(logical: str, reason: str) -> None:
    said = refused(KMS_ALIAS, logical)
    assert problem(KMS_ALIAS, logical, reason) in said


@pytest.mark.parametrize("logical", ["Orders_Key", "team/orders", "alias/orders", "awsorders", "aws"])
def test_near_miss_kms_alias_names_pass(logical: str) -> None:
    """Upper case, "_" and "/" are allowed; 'aws' makes 'alias/aws-<hex>', not 'alias/aws/'."""
    refuse_too_long_autoname(KMS_ALIAS, logical, {})


def test_a_kms_alias_auto_name_shows_its_prefix() -> None:
    assert "auto-names it 'alias/<logical name>-<7 random hex>'" in refused(KMS_ALIAS, "a.b")
    assert "auto-names it '<logical name>-<7 random hex>'" in refused(KMS_ALIAS, "alias/a.b")


LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


@pytest.mark.parametrize("logical", ["orders logs", "orders:logs", "orders+logs"])
def test_a_log_group_auto_name_outside_valid_log_group_name_is_refused(logical: str) -> None:
    reason = (
        '"name" isn\'t a valid log group name (alphanumeric characters, underscores, hyphens, slashes, '
        f'hash signs and dots are allowed): "{logical}-<7 random hex>"'
    )
    assert problem(LOG_GROUP, logical, reason) in refused(LOG_GROUP, logical)


@pytest.mark.parametrize("logical", ["/aws/Orders_logs.v1", "orders#1", "Orders"])
def test_near_miss_log_group_names_pass(logical: str) -> None:
    refuse_too_long_autoname(LOG_GROUP, logical, {})


STATE_MACHINE = "aws:sfn/stateMachine:StateMachine"


def test_a_state_machine_takes_80_so_a_logical_name_takes_72() -> None:
    refuse_too_long_autoname(STATE_MACHINE, "s" * 72, {})
    said = refused(STATE_MACHINE, "s" * 73)
    reason = f'expected length of name to be in the range (1 - 80), got "{"s" * 73}-<7 random hex>"'
    assert problem(STATE_MACHINE, "s" * 73, reason) in said
    assert "invalid value" not in said


@pytest.mark.parametrize("logical", ["train.pipeline", "train pipeline", "train/pipeline"])
def test_a_state_machine_auto_name_outside_its_alphabet_is_refused(logical: str) -> None:
    reason = "invalid value for name (the name should only contain 0-9, A-Z, a-z, - and _)"
    assert problem(STATE_MACHINE, logical, reason) in refused(STATE_MACHINE, logical)


@pytest.mark.parametrize("logical", ["Train_Pipeline-1", "1train"])
def test_near_miss_state_machine_names_pass(logical: str) -> None:
    refuse_too_long_autoname(STATE_MACHINE, logical, {})


LAMBDA = "aws:lambda/function:Function"


@pytest.mark.parametrize("logical", ["train.handler", "train handler", "train/handler"])
def test_a_lambda_function_auto_name_outside_valid_function_name_is_refused(logical: str) -> None:
    reason = "invalid value for function_name (must be valid function name or function ARN)"
    assert problem(LAMBDA, logical, reason) in refused(LAMBDA, logical)


@pytest.mark.parametrize(
    "logical",
    [
        "Train_Handler-1",
        "1train",
        "t" * 56,
        # validFunctionName takes a function ARN, a partial ARN or a qualified name as well: the
        # auto-name of such a logical name matches it (the hex ends the last part).
        "train:v1",
        "123456789012:function:train",
        "arn:aws:lambda:eu-west-1:123456789012:function:t",
    ],
)
def test_near_miss_lambda_function_names_pass(logical: str) -> None:
    refuse_too_long_autoname(LAMBDA, logical, {})


@pytest.mark.parametrize("logical", ["train:v1:x", "arn:aws:s3:::train", "train:$LATEST"])
def test_a_lambda_function_auto_name_no_arn_form_matches_is_refused(logical: str) -> None:
    """'train:$LATEST' makes 'train:$LATEST-<hex>', which neither qualifier form matches."""
    reason = "invalid value for function_name (must be valid function name or function ARN)"
    assert problem(LAMBDA, logical, reason) in refused(LAMBDA, logical)


def test_a_lambda_function_past_64_is_still_pulumi_aws_s_refusal() -> None:
    with pytest.raises(AutoNameTooLong, match="longer than maximum length 64"):
        refuse_too_long_autoname(LAMBDA, "t" * 57, {})


IAM_ROLE = "aws:iam/role:Role"
IAM_128 = ["aws:iam/policy:Policy", "aws:iam/instanceProfile:InstanceProfile"]
IAM_ALPHABET = "invalid value for name (must match [\\w+=,.@-])"


@pytest.mark.parametrize("logical", ["é", "équipe-role", "team role", "team/role", "team:role"])
def test_an_iam_role_auto_name_outside_valid_resource_name_s_ascii_alphabet_is_refused(
    logical: str,
) -> None:
    """Go's \\w is ASCII: a logical name with "é" passes pulumi-aws's 64 (in bytes) and fails the Check."""
    said = refused(IAM_ROLE, logical)
    assert problem(IAM_ROLE, logical, IAM_ALPHABET) in said
    assert said.count("has a problem") == 1


@pytest.mark.parametrize("logical", ["Team_Role+=,.@-1", "1role", "r" * 56])
def test_near_miss_iam_role_names_pass(logical: str) -> None:
    refuse_too_long_autoname(IAM_ROLE, logical, {})


@pytest.mark.parametrize("type_token", IAM_128)
def test_an_iam_policy_or_instance_profile_takes_128_so_a_logical_name_takes_120(type_token: str) -> None:
    """validResourceName(128), below pulumi-aws's 255."""
    refuse_too_long_autoname(type_token, "p" * 120, {})
    said = refused(type_token, "p" * 121)
    reason = f'expected length of name to be in the range (1 - 128), got "{"p" * 121}-<7 random hex>"'
    assert problem(type_token, "p" * 121, reason) in said
    assert "invalid value" not in said
    assert "at most 120" in said


@pytest.mark.parametrize("type_token", IAM_128)
def test_an_iam_policy_s_128_counts_bytes_and_its_alphabet_is_ascii(type_token: str) -> None:
    """'é' * 60 is 120 bytes: only the alphabet fails; 'é' * 61 is 122 bytes + 8: both, length first."""
    said = refused(type_token, "é" * 60)
    assert said.count("has a problem") == 1 and IAM_ALPHABET in said
    said = refused(type_token, "é" * 61)
    assert said.count("has a problem") == 2
    assert said.index("expected length of name to be in the range (1 - 128)") < said.index(IAM_ALPHABET)


@pytest.mark.parametrize("type_token", ["aws:iam/user:User", "aws:iam/group:Group"])
@pytest.mark.parametrize("logical", ["é", "ci user", "ci/user"])
def test_an_iam_user_or_group_auto_name_outside_its_alphabet_is_refused(
    type_token: str, logical: str
) -> None:
    reason = (
        "invalid value for name (must only contain alphanumeric characters, hyphens, underscores, "
        "commas, periods, @ symbols, plus and equals signs)"
    )
    assert problem(type_token, logical, reason) in refused(type_token, logical)


@pytest.mark.parametrize("type_token", ["aws:iam/user:User", "aws:iam/group:Group"])
@pytest.mark.parametrize("logical", ["Ci_User+=,.@-1", "u" * 56])
def test_near_miss_iam_user_and_group_names_pass(type_token: str, logical: str) -> None:
    refuse_too_long_autoname(type_token, logical, {})


@pytest.mark.parametrize(("type_token", "aws_max"), [("aws:iam/user:User", 64), ("aws:iam/group:Group", 128)])
def test_an_iam_user_takes_64_and_a_group_128_at_create(type_token: str, aws_max: int) -> None:
    """Their schema sets no length (the preview passes pulumi-aws's 255); CreateUser's UserName and
    CreateGroup's GroupName take 64 and 128 (botocore iam userNameType, groupNameType)."""
    refuse_too_long_autoname(type_token, "u" * (aws_max - 8), {})
    said = refused(type_token, "u" * (aws_max - 7))
    assert f"AWS takes at most {aws_max} and refuses it at create" in said
    assert f"at most {aws_max - 8} characters" in said and "has a problem" not in said


def test_the_recording_refuses_an_iam_role_whose_logical_name_is_not_ascii() -> None:
    policy = '{"Version": "2012-10-17", "Statement": []}'
    config = {"aws:region": "eu-west-1"}
    assert (
        len(
            record_program(lambda: aws.iam.Role("equipe", assume_role_policy=policy), config=config).of_type(
                IAM_ROLE
            )
        )
        == 1
    )
    with pytest.raises(AutoNameInvalid, match="resource 'équipe' has a problem: invalid value for name"):
        record_program(lambda: aws.iam.Role("équipe", assume_role_policy=policy), config=config)


EVENT_RULE = "aws:cloudwatch/eventRule:EventRule"


@pytest.mark.parametrize("logical", ["nightly retrain", "team/retrain", "retrain:nightly", "é"])
def test_an_event_rule_auto_name_outside_validate_rule_name_s_alphabet_is_refused(logical: str) -> None:
    reason = f'"name" doesn\'t comply with restrictions ("^[0-9A-Za-z_.-]+$"): "{logical}-<7 random hex>"'
    said = refused(EVENT_RULE, logical)
    assert problem(EVENT_RULE, logical, reason) in said
    assert said.count("has a problem") == 1


@pytest.mark.parametrize("logical", ["Nightly_Retrain.v1-2", "1rule", "r" * 56])
def test_near_miss_event_rule_names_pass(logical: str) -> None:
    refuse_too_long_autoname(EVENT_RULE, logical, {})


DYNAMODB_TABLE = "aws:dynamodb/table:Table"
KINESIS_STREAM = "aws:kinesis/stream:Stream"


@pytest.mark.parametrize(
    ("type_token", "logical", "reason"),
    [
        (
            DYNAMODB_TABLE,
            "My Table",
            'TableName "My Table-<7 random hex>": table names contain only a-z, A-Z, 0-9',
        ),
        (DYNAMODB_TABLE, "orders/v1", 'TableName "orders/v1-<7 random hex>"'),
        (
            KINESIS_STREAM,
            "click stream",
            'StreamName "click stream-<7 random hex>" does not satisfy the pattern [a-zA-Z0-9_.-]+',
        ),
        (KINESIS_STREAM, "clicks:v1", 'StreamName "clicks:v1-<7 random hex>"'),
    ],
)
def test_a_dynamodb_table_or_kinesis_stream_auto_name_outside_its_alphabet_fails_at_create(
    type_token: str, logical: str, reason: str
) -> None:
    """No ValidateFunc on either name: the preview passes, CreateTable or CreateStream refuses."""
    said = refused(type_token, logical)
    assert said.startswith(f"The {type_token} '{logical}' sets no `name`")
    assert "AWS refuses it at create" in said and reason in said
    assert "has a problem" not in said


@pytest.mark.parametrize("type_token", [DYNAMODB_TABLE, KINESIS_STREAM])
@pytest.mark.parametrize("logical", ["My.Table_1-x", "1orders", "-orders"])
def test_near_miss_dynamodb_table_and_kinesis_stream_names_pass(type_token: str, logical: str) -> None:
    refuse_too_long_autoname(type_token, logical, {})


def test_a_kinesis_stream_takes_128_at_create_and_a_dynamodb_table_pulumi_aws_s_255() -> None:
    refuse_too_long_autoname(KINESIS_STREAM, "k" * 120, {})
    said = refused(KINESIS_STREAM, "k" * 121)
    assert "AWS takes at most 128 and refuses it at create" in said and "at most 120" in said
    refuse_too_long_autoname(DYNAMODB_TABLE, "t" * 247, {})
    with pytest.raises(AutoNameTooLong):
        refuse_too_long_autoname(DYNAMODB_TABLE, "t" * 248, {})


ECR = "aws:ecr/repository:Repository"


@pytest.mark.parametrize(
    "logical",
    [
        "ModelServer",
        "model___server",
        "model._server",
        "model server",
        "-model",
        "team//model",
        "team/",
    ],
)
def test_an_ecr_repository_auto_name_outside_create_repository_s_pattern_fails_at_create(
    logical: str,
) -> None:
    """No ValidateFunc on aws_ecr_repository's name: the preview passes, CreateRepository refuses."""
    said = refused(ECR, logical)
    assert said.startswith(f"The {ECR} '{logical}' sets no `name`")
    assert "`pulumi preview` passes it" in said and "AWS refuses it at create" in said
    assert f'repositoryName "{logical}-<7 random hex>" does not satisfy the pattern' in said
    assert "has a problem" not in said, "not a check failure: the engine prints none"


@pytest.mark.parametrize(
    "logical",
    [
        "model-server",
        "team/model.server",
        "model_server1",
        "1model",
        "model__server",
        "model--server",
        "model-",
    ],
)
def test_near_miss_ecr_repository_names_pass(logical: str) -> None:
    refuse_too_long_autoname(ECR, logical, {})


def test_pulumi_aws_s_255_refuses_an_ecr_auto_name_before_create_repository_s_256() -> None:
    """pulumi-aws's 255 refuses first: 248 + 8 = 256 is CreateRepository's most."""
    refuse_too_long_autoname(ECR, "e" * 247, {})
    with pytest.raises(AutoNameTooLong):
        refuse_too_long_autoname(ECR, "e" * 248, {})


@pytest.mark.parametrize(
    ("type_token", "logical"),
    [
        (PARAMETER_GROUPS[0], "Orders"),
        (SAGEMAKER[0], "churn_model"),
        (KMS_ALIAS, "a.b"),
        (ECR, "Model"),
        (STATE_MACHINE, "a.b"),
        (IAM_ROLE, "é"),
        (IAM_128[0], "p" * 200),
    ],
)
def test_a_name_the_program_sets_is_not_judged(type_token: str, logical: str) -> None:
    refuse_too_long_autoname(type_token, logical, {"name": "set"})
    refuse_too_long_autoname(type_token, logical, {"namePrefix": "set-"})


@pytest.mark.parametrize(
    ("type_token", "logical"),
    [
        ("aws:elasticache/cluster:Cluster", "Cache_One"),  # lower-cased by pulumi-aws; no rule
        ("aws:s3/bucket:Bucket", "My Bucket"),  # lower-cased; no rule on it in the table
        # Glue's CreateJob takes any printable character in a Name (botocore glue NameString); an
        # SQS queue's and SNS topic's names are judged now (test_autoname_classes_72).
        ("aws:glue/job:Job", "nightly features.v1"),
    ],
)
def test_types_without_a_rule_are_not_judged(type_token: str, logical: str) -> None:
    """No refusal without a cited rule: a false one would stop a plan pulumi up runs."""
    refuse_too_long_autoname(type_token, logical, {})


def test_every_rule_cites_its_source_and_every_table_entry_names_a_rule() -> None:
    for key, validation in UPSTREAM_VALIDATIONS.items():
        assert re.search(r"valid\w+|ValidateFunc|CustomizeDiff|API Reference", validation.source), key
        assert validation.source.startswith(("terraform-provider-aws internal/service/", "Amazon ")), key
        assert validation.rules and validation.advice, key
    used = {
        autoname.validation
        for autoname in [*PULUMI_AWS_AUTONAMES.values(), RDS_SQLSERVER_INSTANCE_AUTONAME]
        if autoname is not None and autoname.validation
    }
    assert used == set(UPSTREAM_VALIDATIONS), "each rule is used and each used rule exists"
    for token, autoname in PULUMI_AWS_AUTONAMES.items():
        if autoname is not None and autoname.validation:
            assert not autoname.lowercase, f"{token}: a lower-cased auto-name's rule would need the case"


def test_the_recording_refuses_a_sagemaker_model_and_an_ecr_repository() -> None:
    def model(logical: str) -> None:
        aws.sagemaker.Model(
            logical,
            execution_role_arn="arn:aws:iam::123456789012:role/r",
            primary_container={"image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/i:1"},
        )

    config = {"aws:region": "eu-west-1"}
    assert len(record_program(lambda: model("churn-model"), config=config).of_type(SAGEMAKER[0])) == 1
    with pytest.raises(AutoNameInvalid, match="resource 'churn_model' has a problem"):
        record_program(lambda: model("churn_model"), config=config)
    with pytest.raises(AutoNameInvalid, match="AWS refuses it at create"):
        record_program(lambda: aws.ecr.Repository("ModelServer"), config=config)
