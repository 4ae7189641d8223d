"""The offline plan refuses an auto-name pulumi-aws refuses at preview.

pulumi-aws names a resource whose name the program leaves unset ``<logical name>-<7 random hex>``
and fails its Check, never cuts the name, when that is longer than the type's maximum: "could not
make instance of '<type>': name '<logical>-' plus 7 random chars is longer than maximum length N"
(pulumi-terraform-bridge ``ComputeAutoNameDefault`` → pulumi ``resource.NewUniqueName``; the
per-type maxima in pulumi-aws provider/resource_overrides.go, 255 for any other ``name``:
provider/autonaming.go). The mocks answered such a resource with a name, and the plan was clean;
now ``record_program`` fails as the preview would, and ``bin/plan`` exits 3 with the message.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_aws_native as aws_native
import pytest

from components.naming import AUTONAME_SUFFIX, PULUMI_AWS_AUTONAMES
from planner.__main__ import EXIT_FAILED, main
from planner.autonames import AutoNameInvalid, AutoNameTooLong, refuse_too_long_autoname
from planner.program_failure import ProgramFailure
from planner.recorder import ResourceGraph, record_program
from stacks.stack_file_yaml import dump_stack_document
from tests.conftest import load_stack_document
from tests.log_records import log_records

POLICY = '{"Version": "2012-10-17", "Statement": []}'
ROLE_ARN = "arn:aws:iam::123456789012:role/r"

# The pulumi-aws maxima of the types the platform auto-names, as its sources state them (not read
# from the table under test): resource_overrides.go's AutoName(...)/AutoNameWithCustomOptions
# Maxlen, compatibility.go's BucketV2.
SOURCE_MAXIMA = {
    "aws:s3/bucket:Bucket": ("bucket", 63),
    "aws:iam/role:Role": ("name", 64),
    "aws:cloudwatch/eventRule:EventRule": ("name", 64),
    "aws:cloudwatch/eventTarget:EventTarget": ("targetId", 255),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("name", 255),
    "aws:sqs/queue:Queue": ("name", 80),
    "aws:sns/topic:Topic": ("name", 80),
    "aws:kms/alias:Alias": ("name", 238),
    "aws:lambda/function:Function": ("name", 64),
}

# One resource of each type, named `logical`, with what else it requires and no name of its own.
MAKERS: dict[str, Callable[[str], object]] = {
    "aws:s3/bucket:Bucket": lambda logical: aws.s3.Bucket(logical),
    "aws:iam/role:Role": lambda logical: aws.iam.Role(logical, assume_role_policy=POLICY),
    "aws:cloudwatch/eventRule:EventRule": lambda logical: aws.cloudwatch.EventRule(
        logical, schedule_expression="rate(1 day)"
    ),
    "aws:cloudwatch/eventTarget:EventTarget": lambda logical: aws.cloudwatch.EventTarget(
        logical, rule="r", arn="arn:aws:sqs:us-east-1:123456789012:q"
    ),
    "aws:cloudwatch/metricAlarm:MetricAlarm": lambda logical: aws.cloudwatch.MetricAlarm(
        logical, comparison_operator="GreaterThanThreshold", evaluation_periods=1
    ),
    "aws:sqs/queue:Queue": lambda logical: aws.sqs.Queue(logical),
    "aws:sns/topic:Topic": lambda logical: aws.sns.Topic(logical),
    "aws:kms/alias:Alias": lambda logical: aws.kms.Alias(logical, target_key_id="k"),
    "aws:lambda/function:Function": lambda logical: aws.lambda_.Function(
        logical, role=ROLE_ARN, runtime="python3.12", handler="h.h", code=pulumi.FileArchive(".")
    ),
}


def record(program: Callable[[], Any], config: dict[str, Any] | None = None) -> ResourceGraph:
    return record_program(program, config={"aws:region": "eu-west-1", **(config or {})})


def refusal(program: Callable[[], Any], config: dict[str, Any] | None = None) -> str:
    with pytest.raises(AutoNameTooLong) as refused:
        record(program, config)
    return str(refused.value)


def test_the_maxima_are_pulumi_aws_s() -> None:
    for type_token, (prop, maximum) in SOURCE_MAXIMA.items():
        autoname = PULUMI_AWS_AUTONAMES[type_token]
        assert autoname is not None and (autoname.property, autoname.max_length) == (prop, maximum)
    bucket = PULUMI_AWS_AUTONAMES["aws:s3/bucket:Bucket"]
    assert bucket is not None and bucket.lowercase


@pytest.mark.parametrize("type_token", sorted(MAKERS))
def test_each_overridden_type_at_its_boundary(type_token: str) -> None:
    """The longest logical name whose auto-name fits is planned; one character more is refused."""
    prop, maximum = SOURCE_MAXIMA[type_token]
    longest = "a" * (maximum - AUTONAME_SUFFIX)
    graph = record(lambda: MAKERS[type_token](longest))
    [resource] = graph.of_type(type_token)
    assert resource.name == longest and prop not in resource.inputs

    said = refusal(lambda: MAKERS[type_token](longest + "b"))
    assert said.startswith(
        f"could not make instance of '{type_token}': name '{longest}b-' plus 7 random chars is "
        f"longer than maximum length {maximum}."
    )
    assert f"its logical name has {maximum - AUTONAME_SUFFIX + 1} characters" in said
    assert f"at most {maximum - AUTONAME_SUFFIX}" in said
    assert f"or set `{prop}` yourself" in said


@pytest.mark.parametrize(
    ("type_token", "make"),
    [
        # 255 where pulumi-aws applies its default (setAutonaming: a `name` the schema requires is
        # auto-named too), and Terraform's StringLenBetween(1, 2048) takes it. (An IAM policy's 128
        # and SageMaker's 63 are Terraform's validators, which the Check runs below the 255:
        # test_autoname_validators_71 and the case below.)
        (
            "aws:ssm/parameter:Parameter",
            lambda logical: aws.ssm.Parameter(logical, type="String", value="v"),
        ),
    ],
)
def test_a_type_without_an_override_takes_the_default_255(
    type_token: str, make: Callable[[str], object]
) -> None:
    assert PULUMI_AWS_AUTONAMES.get(type_token) is None
    record(lambda: make("p" * 247))
    said = refusal(lambda: make("p" * 248))
    assert f"could not make instance of '{type_token}': name '{'p' * 248}-' plus 7 random chars" in said
    assert "maximum length 255" in said


def test_a_sagemaker_model_takes_the_default_255_and_then_terraform_s_63() -> None:
    """pulumi-aws's default 255 is still what refuses past 247; below it sagemaker validName's 63
    (the Check's) refuses past 55."""
    make = lambda logical: aws.sagemaker.Model(logical, execution_role_arn=ROLE_ARN)  # noqa: E731
    autoname = PULUMI_AWS_AUTONAMES["aws:sagemaker/model:Model"]
    assert autoname is not None and autoname.max_length == 255
    said = refusal(lambda: make("p" * 248))
    assert (
        "could not make instance of 'aws:sagemaker/model:Model': name '"
        + "p" * 248
        + "-' plus 7 random chars"
        in said
    )
    assert "maximum length 255" in said
    with pytest.raises(AutoNameInvalid, match='"name" cannot be longer than 63 characters'):
        record(lambda: make("p" * 247))
    record(lambda: make("p" * 55))


def test_a_bucket_is_judged_lower_cased_as_pulumi_aws_names_it() -> None:
    upper = "B" * 55
    [bucket] = record(lambda: aws.s3.Bucket(upper)).of_type("aws:s3/bucket:Bucket")
    assert bucket.outputs["bucket"].startswith("b" * 55 + "-")
    said = refusal(lambda: aws.s3.Bucket(upper + "C"))
    assert f"name '{'b' * 55}c-' plus 7 random chars is longer than maximum length 63" in said
    assert repr(upper + "C") in said, "the logical name as the program wrote it"


def test_the_length_is_counted_in_bytes_as_go_counts_it() -> None:
    """124 characters fit a metric alarm's 255 as characters, but 'é' is two bytes: 248 + '-' + 7
    is 256. (A metric alarm's alarm_name takes any UTF-8, Terraform's StringLenBetween(1, 255)
    counting bytes; an IAM role's validResourceName refuses 'é' outright: test_autoname_validators_71.)"""
    make = MAKERS["aws:cloudwatch/metricAlarm:MetricAlarm"]
    record(lambda: make("é" * 123 + "a"))  # 247 bytes + 8 = 255
    said = refusal(lambda: make("é" * 124))
    assert "its logical name has 248 bytes in UTF-8" in said


def test_a_name_the_program_sets_is_not_judged_here_whatever_its_length() -> None:
    long = "n" * 300

    def program() -> None:
        aws.iam.Role(long, name=long, assume_role_policy=POLICY)
        aws.s3.Bucket(long, bucket=long)
        aws.sns.Topic(long, name=long)
        aws.cloudwatch.EventTarget(long, rule="r", arn="arn:aws:sqs:us-east-1:1:q", target_id=long)

    assert len(record(program).cloud_resources) == 4


def test_a_prefix_the_program_sets_makes_the_provider_skip_its_auto_name() -> None:
    """`name` conflicts with `namePrefix` in the schema: the bridge computes no default then."""
    long = "n" * 300

    def program() -> None:
        aws.iam.Role(long, name_prefix="team-", assume_role_policy=POLICY)
        aws.s3.Bucket(long, bucket_prefix="team-")

    assert len(record(program).cloud_resources) == 2


def test_a_name_unknown_until_deployment_is_set_not_auto_named() -> None:
    """The SDK passes an unknown input to the mocks as unset; the program did set it."""
    long = "u" * 300

    def program() -> None:
        source = aws.s3.Bucket("source")
        # hostedZoneId: an output the mocks do not return, so unknown at the plan as at a preview.
        aws.iam.Role(long, name=source.hosted_zone_id, assume_role_policy=POLICY)
        aws.sqs.Queue(long, name_prefix=source.hosted_zone_id)

    assert len(record(program).cloud_resources) == 3


def test_types_that_do_not_auto_name_are_unaffected() -> None:
    long = "v" * 300

    def program() -> None:
        aws.ec2.Vpc(long, cidr_block="10.0.0.0/16")  # no name at all
        aws.cloudwatch.Dashboard(long, dashboard_name="d", dashboard_body="{}")  # named by the program
        aws.route53.Record(long, zone_id="Z1", name="api.example.com", type="A", ttl=60, records=["1.2.3.4"])

        aws.glue.CatalogDatabase(long)  # auto-named with no maximum (FromName, no Maxlen)
        # pulumi-aws-native auto-names from its own schema: not judged here (an SDK `name` input).
        aws_native.events.Rule(long, schedule_expression="rate(1 day)")

    assert len(record(program).cloud_resources) == 5
    assert PULUMI_AWS_AUTONAMES["aws:route53/record:Record"] is None
    refuse_too_long_autoname("aws:route53/record:Record", long, set())
    refuse_too_long_autoname("aws-native:sagemaker:Endpoint", long, set())  # another provider
    refuse_too_long_autoname("aws:ec2/vpc:Vpc", long, set())


@pytest.mark.parametrize(
    ("type_token", "maximum", "separator"),
    [
        ("aws:elasticsearch/domain:Domain", 28, "-"),
        ("aws:elasticbeanstalk/environment:Environment", 40, "-"),
        ("aws:elasticache/replicationGroup:ReplicationGroup", 40, "-"),
        ("aws:elasticache/cluster:Cluster", 50, "-"),
        ("aws:mq/broker:Broker", 55, "-"),
        ("aws:lambda/permission:Permission", 100, "-"),
        ("aws:codedeploy/deploymentConfig:DeploymentConfig", 100, "_"),
        ("aws:athena/database:Database", 255, "_"),
    ],
)
def test_the_other_overrides_at_their_boundaries(type_token: str, maximum: int, separator: str) -> None:
    autoname = PULUMI_AWS_AUTONAMES[type_token]
    assert autoname is not None and autoname.max_length == maximum
    fits = "x" * (maximum - AUTONAME_SUFFIX)
    refuse_too_long_autoname(type_token, fits, set())
    with pytest.raises(AutoNameTooLong, match=f"name '{fits}y{separator}' plus 7 random chars"):
        refuse_too_long_autoname(type_token, fits + "y", set())
    refuse_too_long_autoname(type_token, fits + "y", {autoname.property})


def _named(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult:
    return pulumi.ResourceTransformResult(props={**args.props, "name": "short"}, opts=args.opts)


class Team(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("team:naming:Team", name, None, opts)


def test_a_name_a_transform_sets_is_not_judged() -> None:
    """The engine runs `transforms=` (its own or an ancestor's) and stack transforms before the
    provider's Check, and a transform may set the name; the recording runs them as it does. A
    sibling no transform reaches is still refused."""
    long = "t" * 100

    def own_and_inherited() -> None:
        aws.iam.Role(long, assume_role_policy=POLICY, opts=pulumi.ResourceOptions(transforms=[_named]))
        team = Team("team", pulumi.ResourceOptions(transforms=[_named]))
        aws.iam.Role(long + "-child", assume_role_policy=POLICY, opts=pulumi.ResourceOptions(parent=team))

    assert len(record(own_and_inherited).of_type("aws:iam/role:Role")) == 2

    def stack_transform() -> None:
        pulumi.runtime.register_resource_transform(_named)
        aws.iam.Role(long, assume_role_policy=POLICY)

    assert len(record(stack_transform).of_type("aws:iam/role:Role")) == 1

    def sibling() -> None:
        Team("team", pulumi.ResourceOptions(transforms=[_named]))
        aws.iam.Role(long, assume_role_policy=POLICY)

    refusal(sibling)


def test_pulumi_autonaming_config_leaves_the_names_to_the_engine_unjudged() -> None:
    """With it the engine proposes the name (pattern, verbatim, disabled), which the plan does not
    model; without it the engine sends none and the provider's auto-name above applies."""
    long = "w" * 100
    graph = record(
        lambda: aws.iam.Role(long, assume_role_policy=POLICY), {"pulumi:autonaming": {"mode": "verbatim"}}
    )
    assert [r.name for r in graph.of_type("aws:iam/role:Role")] == [long]


def test_a_refusal_is_a_program_failure_said_once() -> None:
    """The SDK fails each output of the refused resource with the refusal: none is logged as an
    unretrieved future's exception under the one error raised."""
    with log_records() as records:
        said = refusal(lambda: pulumi.export("arn", aws.sns.Topic("t" * 73).arn))
        gc.collect()

    assert issubclass(AutoNameTooLong, ProgramFailure)
    assert said.count("could not make instance") == 1
    assert [record.getMessage() for record in records if "never retrieved" in record.getMessage()] == []


# -- bin/plan: `python -m planner`'s main, on a stack file the test writes ---------------------------
def test_the_plan_fails_with_the_message_and_no_plan(tmp_path: Path, monkeypatch, capsys) -> None:
    document = load_stack_document("dev")
    path = tmp_path / "Pulumi.autoname.yaml"
    path.write_text(dump_stack_document(document))

    # The platform keeps its own children within the limits: a team's long name stands in for one.
    def program(source: str, registry: str) -> None:
        provider = aws.Provider("team", region="eu-west-1")
        aws.sqs.Queue("team-" + "q" * 68, opts=pulumi.ResourceOptions(provider=provider))

    monkeypatch.setattr("planner.recorder._offline_program", program)

    assert main(["--config", str(path), "--format", "json"]) == EXIT_FAILED

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(
        f"error: could not make instance of 'aws:sqs/queue:Queue': name 'team-{'q' * 68}-' plus 7 "
        "random chars is longer than maximum length 80."
    )
    assert "Traceback" not in captured.err


def test_an_imported_resource_keeps_the_name_it_has() -> None:
    """`import_=`: the engine's import step reads the resource and passes its inputs as the olds of
    the provider's Check (pulumi pkg/resource/deploy/step.go ImportStep.Apply), and the bridge's
    auto-name returns the prior value (pulumi-terraform-bridge info.ComputeAutoNameDefault: PriorState
    and PriorValue set by makeTerraformInputsWithOptions/applyDefaults): no name is made, none refused.
    The same program without import_ is refused."""
    long = "i" * 100

    def imported() -> None:
        aws.iam.Role(long, assume_role_policy=POLICY, opts=pulumi.ResourceOptions(import_="existing-role"))
        aws.sns.Topic(long, opts=pulumi.ResourceOptions(import_="arn:aws:sns:eu-west-1:123456789012:t"))

    assert len(record(imported).cloud_resources) == 2
    refusal(lambda: aws.iam.Role(long, assume_role_policy=POLICY))


def test_a_stack_importing_esc_environments_is_not_judged(tmp_path: Path, monkeypatch, capsys) -> None:
    """An ESC environment's pulumiConfig is merged into the stack's config before the engine reads
    `pulumi:autonaming` (pulumi operations/preview.go: ValidateStackConfigAndApplyProjectConfig, then
    autonaming.ParseAutonamingConfig(cfg.Config)); the plan cannot read the environment, so a stack
    that imports one may set it: its auto-names are left to the preview. The same stack file without
    the import is refused."""

    def program(source: str, registry: str) -> None:
        provider = aws.Provider("team", region="eu-west-1")
        aws.sqs.Queue("team-" + "q" * 68, opts=pulumi.ResourceOptions(provider=provider))

    monkeypatch.setattr("planner.recorder._offline_program", program)
    document = load_stack_document("dev")
    document.pop("environment", None)
    plain = tmp_path / "Pulumi.plain.yaml"
    plain.write_text(dump_stack_document(document))
    assert main(["--config", str(plain), "--format", "json"]) == EXIT_FAILED
    assert "maximum length 80" in capsys.readouterr().err

    document["environment"] = ["team/naming"]
    with_esc = tmp_path / "Pulumi.esc.yaml"
    with_esc.write_text(dump_stack_document(document))
    assert main(["--config", str(with_esc), "--format", "json"]) != EXIT_FAILED
    captured = capsys.readouterr()
    assert "could not make instance" not in captured.err
    assert json.loads(captured.out)["summary"]["resources"] >= 1
