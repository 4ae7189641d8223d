"""The auto-names refused as a class, continued: SageMaker's other auto-named types, DocumentDB,
Neptune, Redshift and ElastiCache parameter and subnet groups, an EFS creation token, SQS queues and
SNS topics (Terraform's CustomizeDiff), and which types pulumi-aws does not auto-name at all.

pulumi-aws auto-names only an input called ``name`` (provider/autonaming.go ``setAutonaming``:
``HasInputName``, the schema's ``name`` Optional or Required) and the overrides in
resource_overrides.go; each rule here cites the validator that judges the ``<logical>-<7 hex>`` it
makes. Each case calls the judgement directly; the recordings show the path from a program.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi_aws as aws
import pytest

from components.autonames import FIFO_AUTONAMES, PULUMI_AWS_AUTONAMES
from planner.autonames import (
    AutoNameInvalid,
    AutoNameRefused,
    AutoNameTooLong,
    autoname_of,
    refuse_too_long_autoname,
)
from planner.recorder import record_program
from planner.schema_numbers import resource_input_types

CONFIG = {"aws:region": "eu-west-1"}


def refused(type_token: str, logical: str, inputs: Mapping[str, object] | None = None) -> str:
    with pytest.raises(AutoNameRefused) as raised:
        refuse_too_long_autoname(type_token, logical, inputs or {})
    assert isinstance(raised.value, AutoNameInvalid), raised.value
    return str(raised.value)


def problem(type_token: str, logical: str, reason: str, prop: str = "name") -> str:
    """A check failure as the engine prints it."""
    return f"{type_token} resource '{logical}' has a problem: {reason}. Examine values at '{logical}.{prop}'."


# SageMaker: the platform's DataQualityJobDefinition (ModelMonitoring) and an adopter's notebook
# instance and its lifecycle configuration have a `name` input pulumi-aws auto-names up to 255,
# which their schema's validName (sagemaker/validate.go) judges: letters, digits and hyphens, not
# first, at most 63.
SAGEMAKER_VALID_NAME = [
    "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition",
    "aws:sagemaker/notebookInstance:NotebookInstance",
    "aws:sagemaker/notebookInstanceLifecycleConfiguration:NotebookInstanceLifecycleConfiguration",
]


@pytest.mark.parametrize("type_token", SAGEMAKER_VALID_NAME)
@pytest.mark.parametrize(
    ("logical", "reason"),
    [
        ("drift_check", 'only alphanumeric characters and hyphens allowed in "name"'),
        ("drift.v2", 'only alphanumeric characters and hyphens allowed in "name"'),
        ("drift check", 'only alphanumeric characters and hyphens allowed in "name"'),
        ("-drift", '"name" cannot begin with a hyphen'),
    ],
)
def test_a_sagemaker_valid_name_type_refuses_underscore_period_space_or_a_leading_hyphen(
    type_token: str, logical: str, reason: str
) -> None:
    said = refused(type_token, logical)
    assert said.startswith(problem(type_token, logical, f'{reason}: "{logical}-<7 random hex>"'))
    assert "at most 55 letters, digits and hyphens, not first" in said


@pytest.mark.parametrize("type_token", SAGEMAKER_VALID_NAME)
def test_a_sagemaker_valid_name_type_takes_63_so_a_logical_name_takes_55(type_token: str) -> None:
    refuse_too_long_autoname(type_token, "d" * 55, {})
    said = refused(type_token, "d" * 56)
    assert f'"name" cannot be longer than 63 characters: "{"d" * 56}-<7 random hex>"' in said


@pytest.mark.parametrize("type_token", SAGEMAKER_VALID_NAME)
@pytest.mark.parametrize("logical", ["DriftCheck", "1drift", "drift--v2", "churn-data-quality"])
def test_near_miss_sagemaker_valid_name_types_pass(type_token: str, logical: str) -> None:
    refuse_too_long_autoname(type_token, logical, {})


TUNING_JOB = "aws:sagemaker/hyperParameterTuningJob:HyperParameterTuningJob"
MLFLOW_APP = "aws:sagemaker/mlflowApp:MlflowApp"


TUNING_JOB_REASON = (
    "Invalid Attribute Value Match. Must be 1-32 characters long, start and end with an alphanumeric "
    "character, and contain only letters, numbers, and hyphens, got: "
)


def test_a_tuning_job_s_validator_counts_32_alphanumerics_so_26_fail_the_preview() -> None:
    """pulumi-aws 7.51 bridges the Plugin Framework aws_sagemaker_hyper_parameter_tuning_job, whose
    `name` carries stringvalidator.RegexMatches(`^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}$`): the bridge's
    Check calls ValidateResourceConfig on the auto-name, so a name of 33 alphanumerics (hyphens
    aside: each repetition takes its hyphens with it) fails the preview."""
    said = refused(TUNING_JOB, "t" * 26)
    assert said.startswith(problem(TUNING_JOB, "t" * 26, f'{TUNING_JOB_REASON}"{"t" * 26}-<7 random hex>"'))
    assert said.count("has a problem") == 1
    assert "the provider's Check refuses it at preview" in said and "at create" not in said
    assert "at most 24 letters, digits and hyphens, not first" in said


@pytest.mark.parametrize("logical", ["t" * 25, "t-" * 12 + "t"])
def test_a_tuning_job_name_of_33_the_validator_passes_fails_at_create(logical: str) -> None:
    """The validator's regex does not count hyphens, CreateHyperParameterTuningJob's 32 does: 25
    characters and the 8 pulumi-aws adds pass the preview and fail `pulumi up` (botocore sagemaker
    HyperParameterTuningJobName, Length 1-32)."""
    said = refused(TUNING_JOB, logical)
    assert "33 characters" in said and "AWS takes at most 32 and refuses it at create" in said
    assert "at most 24 characters" in said and "has a problem" not in said


def test_a_tuning_job_logical_name_of_24_passes() -> None:
    refuse_too_long_autoname(TUNING_JOB, "t" * 24, {})
    refuse_too_long_autoname(TUNING_JOB, "t-" * 11 + "tt", {})


@pytest.mark.parametrize("logical", ["churn_tune", "churn.v2", "-churn", "churn tune"])
def test_a_tuning_job_outside_its_validator_s_pattern_fails_the_preview(logical: str) -> None:
    said = refused(TUNING_JOB, logical)
    assert said.startswith(problem(TUNING_JOB, logical, f'{TUNING_JOB_REASON}"{logical}-<7 random hex>"'))
    assert "at create" not in said


@pytest.mark.parametrize("logical", ["churn_tune", "churn.v2", "-churn"])
def test_an_mlflow_app_outside_the_api_pattern_fails_at_create(logical: str) -> None:
    """mlflow_app.go's `name` is Required with no validator: only CreateMlflowApp's pattern refuses."""
    said = refused(MLFLOW_APP, logical)
    assert said.startswith(f"The {MLFLOW_APP} '{logical}' sets no `name`")
    assert "AWS refuses it at create" in said
    assert (
        f'the name "{logical}-<7 random hex>" does not satisfy the pattern [a-zA-Z0-9](-*[a-zA-Z0-9])*'
        in said
    )
    assert "has a problem" not in said


@pytest.mark.parametrize("type_token", [TUNING_JOB, MLFLOW_APP])
@pytest.mark.parametrize("logical", ["Churn-Tune1", "1churn", "churn--v2", "churn-"])
def test_near_miss_tuning_job_and_mlflow_app_names_pass(type_token: str, logical: str) -> None:
    refuse_too_long_autoname(type_token, logical, {})


def test_an_mlflow_app_takes_pulumi_aws_s_255_below_the_api_s_256() -> None:
    refuse_too_long_autoname(MLFLOW_APP, "m" * 247, {})
    with pytest.raises(AutoNameTooLong):
        refuse_too_long_autoname(MLFLOW_APP, "m" * 248, {})


# The SageMaker types the platform registers, and those adopters add, whose name input is called
# otherwise (feature_group_name, pipeline_name, ...): pulumi-aws auto-names none of them (no `name`
# input, no override), so the SDK requires the name and nothing is judged.
NOT_AUTO_NAMED = [
    "aws:sagemaker/featureGroup:FeatureGroup",
    "aws:sagemaker/pipeline:Pipeline",
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup",
    "aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer",
    "aws:sagemaker/domain:Domain",
    "aws:sagemaker/userProfile:UserProfile",
    "aws:sagemaker/workteam:Workteam",
    "aws:sagemaker/codeRepository:CodeRepository",
    "aws:sagemaker/project:Project",
    "aws:sagemaker/space:Space",
    "aws:redshift/cluster:Cluster",  # cluster_identifier, Required
    "aws:docdb/cluster:Cluster",  # cluster_identifier: Terraform makes it, not pulumi-aws
    "aws:neptune/clusterInstance:ClusterInstance",
]


@pytest.mark.parametrize("type_token", NOT_AUTO_NAMED)
def test_types_with_no_name_input_are_not_auto_named(type_token: str) -> None:
    module, cls = type_token.split(":")[1].split("/")[0], type_token.rsplit(":", 1)[1]
    assert isinstance(getattr(getattr(aws, module), cls), type)  # imports the SDK module
    assert resource_input_types(type_token), f"{type_token}: the SDK registers it"
    assert "name" not in resource_input_types(type_token)
    assert autoname_of(type_token, {}) is None
    refuse_too_long_autoname(type_token, "Not_A.Valid Name" * 20, {})


DOCDB_PG = "aws:docdb/clusterParameterGroup:ClusterParameterGroup"
NEPTUNE_PGS = [
    "aws:neptune/clusterParameterGroup:ClusterParameterGroup",
    "aws:neptune/parameterGroup:ParameterGroup",
]


@pytest.mark.parametrize(
    ("logical", "reasons"),
    [
        ("Docs", ["only lowercase alphanumeric characters and hyphens", "first character"]),
        ("docs.pg", ["only lowercase alphanumeric characters and hyphens"]),  # no period, unlike RDS
        ("1docs", ["first character"]),
        ("docs--pg", ["two consecutive hyphens"]),
    ],
)
def test_a_docdb_or_neptune_parameter_group_breaking_valid_param_group_name_is_refused(
    logical: str, reasons: list[str]
) -> None:
    said = refused(DOCDB_PG, logical)
    assert said.count("has a problem") == len(reasons) == said.count('parameter group "name"')
    assert all(reason in said for reason in reasons)
    for type_token in NEPTUNE_PGS:
        said = refused(type_token, logical)
        assert said.count("has a problem") == len(reasons)
        assert all(reason in said for reason in reasons) and "parameter group" not in said


def test_neptune_s_reasons_name_no_parameter_group_and_docdb_s_do() -> None:
    assert problem(
        DOCDB_PG,
        "docs.pg",
        'only lowercase alphanumeric characters and hyphens allowed in parameter group "name"',
    ) in refused(DOCDB_PG, "docs.pg")
    assert problem(
        NEPTUNE_PGS[1], "g.pg", 'only lowercase alphanumeric characters and hyphens allowed in "name"'
    ) in refused(NEPTUNE_PGS[1], "g.pg")


@pytest.mark.parametrize("type_token", [DOCDB_PG, *NEPTUNE_PGS])
@pytest.mark.parametrize("logical", ["docs-pg", "d", "docs1-v2"])
def test_near_miss_docdb_and_neptune_parameter_group_names_pass(type_token: str, logical: str) -> None:
    refuse_too_long_autoname(type_token, logical, {})


SUBNET_GROUPS = ["aws:docdb/subnetGroup:SubnetGroup", "aws:neptune/subnetGroup:SubnetGroup"]


@pytest.mark.parametrize("type_token", SUBNET_GROUPS)
@pytest.mark.parametrize("logical", ["Graph", "graph/net", "graph:net"])
def test_a_docdb_or_neptune_subnet_group_outside_valid_subnet_group_name_is_refused(
    type_token: str, logical: str
) -> None:
    reason = (
        'only lowercase alphanumeric characters, hyphens, underscores, periods, and spaces allowed in "name"'
    )
    assert refused(type_token, logical).startswith(problem(type_token, logical, reason))


@pytest.mark.parametrize("type_token", SUBNET_GROUPS)
@pytest.mark.parametrize("logical", ["graph_net.v1 a", "1graph", "graph--net"])
def test_near_miss_docdb_and_neptune_subnet_group_names_pass(type_token: str, logical: str) -> None:
    refuse_too_long_autoname(type_token, logical, {})


REDSHIFT_PG = "aws:redshift/parameterGroup:ParameterGroup"
REDSHIFT_SG = "aws:redshift/subnetGroup:SubnetGroup"


@pytest.mark.parametrize(
    ("logical", "reasons"),
    [
        ("Warehouse", ["(must contain only lowercase alphanumeric characters and hyphens)"]),
        ("wh_pg", ["(must contain only lowercase alphanumeric characters and hyphens)"]),
        ("1wh", ["(first character must be a letter)"]),
        ("wh--pg", ["(cannot contain two consecutive hyphens)"]),
    ],
)
def test_a_redshift_parameter_group_breaking_its_validate_func_is_refused(
    logical: str, reasons: list[str]
) -> None:
    said = refused(REDSHIFT_PG, logical)
    for reason in reasons:
        assert problem(REDSHIFT_PG, logical, f"invalid value for name {reason}") in said
    assert said.count("has a problem") == len(reasons)


@pytest.mark.parametrize("logical", ["Warehouse", "wh_sub", "wh.sub"])
def test_a_redshift_subnet_group_outside_its_alphabet_is_refused(logical: str) -> None:
    reason = "invalid value for name (must contain only lowercase alphanumeric characters and hyphens)"
    assert refused(REDSHIFT_SG, logical).startswith(problem(REDSHIFT_SG, logical, reason))


@pytest.mark.parametrize("type_token", [REDSHIFT_PG, REDSHIFT_SG])
@pytest.mark.parametrize("logical", ["wh-pg", "w", "wh2"])
def test_near_miss_redshift_group_names_pass(type_token: str, logical: str) -> None:
    refuse_too_long_autoname(type_token, logical, {})


def test_a_redshift_subnet_group_may_begin_with_a_digit_its_parameter_group_not() -> None:
    refuse_too_long_autoname(REDSHIFT_SG, "1wh", {})
    assert "first character must be a letter" in refused(REDSHIFT_PG, "1wh")


ELASTICACHE_PG = "aws:elasticache/parameterGroup:ParameterGroup"
ELASTICACHE_SG = "aws:elasticache/subnetGroup:SubnetGroup"


@pytest.mark.parametrize(
    ("type_token", "logical", "reason"),
    [
        (
            ELASTICACHE_PG,
            "cache_pg",
            'CacheParameterGroupName "cache_pg-<7 random hex>" can only contain ASCII',
        ),
        (
            ELASTICACHE_PG,
            "1cache",
            'CacheParameterGroupName "1cache-<7 random hex>" must begin with an ASCII letter',
        ),
        (ELASTICACHE_PG, "cache--pg", "can't contain two consecutive hyphens"),
        (
            ELASTICACHE_SG,
            "cache.net",
            'CacheSubnetGroupName "cache.net-<7 random hex>" must contain no more than 255',
        ),
        (ELASTICACHE_SG, "cache net", "alphanumeric characters or hyphens"),
    ],
)
def test_an_elasticache_group_outside_aws_s_constraints_fails_at_create(
    type_token: str, logical: str, reason: str
) -> None:
    """Neither schema validates the name: the preview passes, AWS refuses the create."""
    said = refused(type_token, logical)
    assert said.startswith(f"The {type_token} '{logical}' sets no `name`")
    assert "AWS refuses it at create" in said and reason in said
    assert "has a problem" not in said


@pytest.mark.parametrize("type_token", [ELASTICACHE_PG, ELASTICACHE_SG])
@pytest.mark.parametrize("logical", ["CachePg", "cache-pg2"])
def test_near_miss_elasticache_group_names_pass(type_token: str, logical: str) -> None:
    """ElastiCache stores the name lower-cased: upper case is no matter."""
    refuse_too_long_autoname(type_token, logical, {})


def test_an_elasticache_subnet_group_may_begin_with_a_digit_its_parameter_group_not() -> None:
    refuse_too_long_autoname(ELASTICACHE_SG, "1cache", {})
    assert "must begin with an ASCII letter" in refused(ELASTICACHE_PG, "1cache")


EFS = "aws:efs/fileSystem:FileSystem"


def test_an_efs_creation_token_takes_64_so_a_logical_name_takes_56_bytes() -> None:
    """pulumi-aws's creationToken is AutoName 255; Terraform's StringLenBetween(0, 64) counts bytes."""
    refuse_too_long_autoname(EFS, "e" * 56, {})
    said = refused(EFS, "e" * 57)
    reason = f'expected length of creation_token to be in the range (0 - 64), got "{"e" * 57}-<7 random hex>"'
    assert said.startswith(problem(EFS, "e" * 57, reason, prop="creationToken"))
    refuse_too_long_autoname(EFS, "é" * 28, {})  # 56 bytes
    assert "creation_token" in refused(EFS, "é" * 29)
    refuse_too_long_autoname(EFS, "e" * 57, {"creationToken": "set"})


QUEUE = "aws:sqs/queue:Queue"
TOPIC = "aws:sns/topic:Topic"


@pytest.mark.parametrize(
    ("type_token", "noun", "logical"),
    [
        (QUEUE, "queue", "jobs.v1"),
        (QUEUE, "queue", "jobs queue"),
        (QUEUE, "queue", "jobs:dlq"),
        (TOPIC, "topic", "My Topic"),
        (TOPIC, "topic", "alerts.v1"),
    ],
)
def test_a_queue_or_topic_outside_its_customize_diff_alphabet_fails_the_preview(
    type_token: str, noun: str, logical: str
) -> None:
    """No ValidateFunc: the Check passes; the CustomizeDiff refuses when the create is planned."""
    said = refused(type_token, logical)
    assert said.startswith(f"The {type_token} '{logical}' sets no `name`")
    assert "Terraform's CustomizeDiff refuses it" in said and "`pulumi preview` fails" in said
    assert f'invalid {noun} name: "{logical}-<7 random hex>"' in said
    assert "has a problem" not in said and "at create" not in said


@pytest.mark.parametrize("type_token", [QUEUE, TOPIC])
@pytest.mark.parametrize("logical", ["Jobs_Queue-1", "1jobs", "-jobs", "j" * 72])
def test_near_miss_queue_and_topic_names_pass(type_token: str, logical: str) -> None:
    refuse_too_long_autoname(type_token, logical, {})


def test_a_fifo_queue_takes_75_before_fifo_so_a_logical_name_takes_67() -> None:
    """pulumi-aws checks its 80 before adding ".fifo"; the CustomizeDiff's FIFO regex takes 75 then."""
    fifo = {"fifoQueue": True}
    refuse_too_long_autoname(QUEUE, "q" * 67, fifo)
    said = refused(QUEUE, "q" * 68, fifo)
    assert "auto-names it '<logical name>-<7 random hex>.fifo'" in said
    assert f'invalid queue name: "{"q" * 68}-<7 random hex>.fifo"' in said
    refuse_too_long_autoname(QUEUE, "q" * 72, {})  # not FIFO: 80
    with pytest.raises(AutoNameTooLong):
        refuse_too_long_autoname(QUEUE, "q" * 73, fifo)  # pulumi-aws's 80 first


@pytest.mark.parametrize("logical", ["orders.v1", "orders queue", "orders.fifo"])
def test_a_fifo_queue_s_prefix_takes_the_standard_alphabet_too(logical: str) -> None:
    """The FIFO regex `^[0-9A-Za-z_-]{1,75}\\.fifo$` allows "." only in the suffix pulumi-aws adds:
    a logical name that already ends in ".fifo" is refused, not doubled into a valid one."""
    said = refused(QUEUE, logical, {"fifoQueue": True})
    assert f'invalid queue name: "{logical}-<7 random hex>.fifo"' in said
    refuse_too_long_autoname(QUEUE, "orders_v1-a", {"fifoQueue": True})


@pytest.mark.parametrize("flag", [False, None, "true", 1])
def test_only_the_boolean_true_makes_a_fifo_auto_name(flag: object) -> None:
    """pulumi-aws's PostTransform adds ".fifo" only where fifoQueue IsBool and true."""
    assert autoname_of(QUEUE, {"fifoQueue": flag}) == PULUMI_AWS_AUTONAMES[QUEUE]
    refuse_too_long_autoname(QUEUE, "q" * 72, {"fifoQueue": flag})
    assert autoname_of(QUEUE, {"fifoQueue": True}) == FIFO_AUTONAMES[QUEUE][1]
    assert autoname_of(TOPIC, {"fifoTopic": True}) == FIFO_AUTONAMES[TOPIC][1]
    assert autoname_of(TOPIC, {"fifoQueue": True}) == PULUMI_AWS_AUTONAMES[TOPIC], "the topic's own flag"


def test_a_fifo_topic_is_judged_with_its_fifo() -> None:
    said = refused(TOPIC, "alerts.v1", {"fifoTopic": True})
    assert 'invalid topic name: "alerts.v1-<7 random hex>.fifo"' in said
    refuse_too_long_autoname(TOPIC, "a" * 72, {"fifoTopic": True})  # 251 before .fifo: never met


# Lambda: validFunctionName takes an ARN of any partition (`arn:[\w-]+:lambda:`) and a region of
# `[a-z]{2}-(?:[a-z]+-){1,2}\d`; CreateFunction's pattern takes `aws[a-zA-Z-]*` and a region that may
# begin `eusc-`. Every real partition fits both but the European Sovereign Cloud's region, which
# Terraform refuses at preview (as the plan does); a full ARN in GovCloud or ISO-B is past
# pulumi-aws's 64 anyway. No rule is added: these pin that the plan judges them as both do.
LAMBDA = "aws:lambda/function:Function"


@pytest.mark.parametrize(
    "logical",
    [
        "arn:aws-cn:lambda:cn-north-1:123456789012:function:t",
        "arn:aws-us-gov:lambda:123456789012:function:t",
        "arn:aws-iso-b:lambda:123456789012:function:t",
        "123456789012:function:t",
    ],
)
def test_an_arn_shaped_lambda_logical_name_in_another_partition_passes(logical: str) -> None:
    refuse_too_long_autoname(LAMBDA, logical, {})


def test_a_full_govcloud_lambda_arn_is_past_pulumi_aws_s_64() -> None:
    with pytest.raises(AutoNameTooLong, match="longer than maximum length 64"):
        refuse_too_long_autoname(LAMBDA, "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:t", {})


def test_a_european_sovereign_cloud_region_in_a_lambda_logical_name_fails_terraform_s_pattern() -> None:
    logical = "arn:aws-eusc:lambda:eusc-de-east-1:function:t"
    assert "invalid value for function_name (must be valid function name or function ARN)" in refused(
        LAMBDA, logical
    )


def test_the_recording_refuses_a_queue_and_a_notebook_instance_as_the_preview_would() -> None:
    def notebook(logical: str) -> None:
        aws.sagemaker.NotebookInstance(
            logical, instance_type="ml.t3.medium", role_arn="arn:aws:iam::123456789012:role/r"
        )

    assert len(record_program(lambda: notebook("research-nb"), config=CONFIG).cloud_resources) == 1
    with pytest.raises(AutoNameInvalid, match="resource 'research_nb' has a problem"):
        record_program(lambda: notebook("research_nb"), config=CONFIG)
    assert (
        len(record_program(lambda: aws.sqs.Queue("q" * 67, fifo_queue=True), config=CONFIG).cloud_resources)
        == 1
    )
    with pytest.raises(AutoNameInvalid, match=r"invalid queue name: .*\.fifo"):
        record_program(lambda: aws.sqs.Queue("q" * 68, fifo_queue=True), config=CONFIG)
    with pytest.raises(AutoNameInvalid, match="invalid queue name"):
        record_program(lambda: aws.sqs.Queue("jobs.v1"), config=CONFIG)


def test_the_recording_refuses_a_tuning_job_at_preview_or_at_create_as_pulumi_would() -> None:
    def tuning_job(logical: str) -> None:
        aws.sagemaker.HyperParameterTuningJob(
            logical,
            config=aws.sagemaker.HyperParameterTuningJobConfigArgs(
                strategy="Bayesian",
                resource_limits=aws.sagemaker.HyperParameterTuningJobConfigResourceLimitsArgs(
                    max_parallel_training_jobs=1
                ),
            ),
        )

    assert len(record_program(lambda: tuning_job("churn-tune"), config=CONFIG).cloud_resources) == 1
    with pytest.raises(
        AutoNameInvalid, match="resource 'churn_tune' has a problem: Invalid Attribute Value Match"
    ):
        record_program(lambda: tuning_job("churn_tune"), config=CONFIG)
    with pytest.raises(AutoNameInvalid, match="AWS takes at most 32 and refuses it at create"):
        record_program(lambda: tuning_job("t" * 25), config=CONFIG)
