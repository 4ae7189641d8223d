"""The auto-names pulumi-aws 7's sources make that the table lacked, and the Athena database's bare message.

- ``aws:rds/instance:Instance``'s ``identifier`` (provider/resource_overrides.go ``aws_db_instance``):
  ``ComputeAutoNameDefault`` with Randlen 7, Maxlen 255, no Separator and no Transform, so
  ``<logical><7 hex>``, not lower-cased; Randlen 3 and Maxlen 15 when ``engine`` contains
  ``sqlserver``. The upstream schema validates it (terraform-provider-aws rds/validate.go
  ``validIdentifier``: lower-case letters, digits and hyphens, first a letter, no ``--``), which
  the bridge's Check runs at preview; AWS takes 63 characters and refuses a longer one at create.
- ``aws:lb/targetGroup:TargetGroup``'s ``name``: ``AutoName("name", 32, "-")`` (provider/aliases.go).
- ``aws:athena/database:Database``: a ``From`` of its own calling ``resource.NewUniqueHex``, whose
  error the bridge's Check returns bare, without "could not make instance of".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi_aws as aws
import pytest

from planner.autonames import AutoNameInvalid, AutoNameRefused, AutoNameTooLong, refuse_too_long_autoname
from planner.recorder import ResourceGraph, record_program

RDS = "aws:rds/instance:Instance"


def record(program: Callable[[], Any]) -> ResourceGraph:
    return record_program(program, config={"aws:region": "eu-west-1"})


def refused(type_token: str, logical: str, inputs: dict[str, object] | None = None) -> AutoNameRefused:
    with pytest.raises(AutoNameRefused) as raised:
        refuse_too_long_autoname(type_token, logical, inputs or {})
    return raised.value


def test_an_rds_identifier_is_the_logical_name_and_7_hex_with_no_separator_up_to_aws_63() -> None:
    refuse_too_long_autoname(RDS, "a" * 56, {})  # 56 + 7 = 63
    said = str(refused(RDS, "a" * 57))
    assert isinstance(refused(RDS, "a" * 57), AutoNameInvalid)
    assert "'<logical name><7 random hex>', 64 characters" in said
    assert "AWS takes at most 63 and refuses it at create" in said
    assert "at most 56 characters" in said
    assert "could not make instance" not in said, "pulumi-aws makes the name; AWS refuses it"


def test_an_rds_identifier_past_pulumi_aws_255_is_refused_at_preview_unwrapped_by_separator() -> None:
    said = str(refused(RDS, "a" * 249))
    assert said.startswith(
        f"could not make instance of '{RDS}': name '{'a' * 249}' plus 7 random chars is longer than maximum length 255."
    )
    assert isinstance(refused(RDS, "a" * 248), AutoNameInvalid), "248 + 7 = 255: AWS's 63 only"


@pytest.mark.parametrize("engine", ["sqlserver-ex", "SQLServer-SE", "custom-sqlserver-web"])
def test_a_sql_server_identifier_is_3_hex_within_15(engine: str) -> None:
    refuse_too_long_autoname(RDS, "a" * 12, {"engine": engine})
    said = str(refused(RDS, "a" * 13, {"engine": engine}))
    assert said.startswith(
        f"could not make instance of '{RDS}': name '{'a' * 13}' plus 3 random chars is longer than maximum length 15."
    )
    assert "'<logical name><3 random hex>'" in said and "at most 12 characters" in said


@pytest.mark.parametrize("engine", ["postgres", None, 7])
def test_another_or_unknown_engine_keeps_the_7_hex(engine: object) -> None:
    """An engine unknown at preview is no string in pulumi-aws's ComputeDefault: 255 applies."""
    refuse_too_long_autoname(RDS, "a" * 13, {"engine": engine})
    refuse_too_long_autoname(RDS, "a" * 56, {"engine": engine})


@pytest.mark.parametrize(
    ("logical", "reason"),
    [
        ("MyDb", 'only lowercase alphanumeric characters and hyphens allowed in "identifier"'),
        ("my_db", 'only lowercase alphanumeric characters and hyphens allowed in "identifier"'),
        ("1db", 'first character of "identifier" must be a letter'),
        ("-db", 'first character of "identifier" must be a letter'),
        ("my--db", '"identifier" cannot contain two consecutive hyphens'),
    ],
)
def test_an_rds_identifier_breaking_terraform_s_rules_is_refused_at_preview(
    logical: str, reason: str
) -> None:
    said = str(refused(RDS, logical))
    assert (
        f"{RDS} resource '{logical}' has a problem: {reason}. Examine values at '{logical}.identifier'."
        in said
    )
    assert "pulumi-aws does not lower-case it" in said


@pytest.mark.parametrize("logical", ["mydb", "my-db", "db1", "a", "my-db-"])
def test_near_miss_rds_identifiers_pass(logical: str) -> None:
    """'my-db-' is followed by hex: the identifier never ends with a hyphen."""
    refuse_too_long_autoname(RDS, logical, {})


def test_an_rds_identifier_the_program_sets_is_not_judged() -> None:
    refuse_too_long_autoname(RDS, "My" + "a" * 300, {"identifier": "db"})
    refuse_too_long_autoname(RDS, "My" + "a" * 300, {"identifierPrefix": "db-"})


def test_the_recording_refuses_an_rds_instance_as_the_preview_would() -> None:
    def instance(logical: str, engine: str) -> Callable[[], object]:
        return lambda: aws.rds.Instance(
            logical,
            engine=engine,
            instance_class="db.t3.micro",
            allocated_storage=20,
            skip_final_snapshot=True,
        )

    assert len(record(instance("orders-db", "postgres")).of_type(RDS)) == 1
    with pytest.raises(AutoNameInvalid, match="resource 'OrdersDb' has a problem"):
        record(instance("OrdersDb", "postgres"))
    # The engine's value reaches the judgement: 13 characters fit postgres's 255, not SQL Server's 15.
    assert len(record(instance("orders-db-one", "postgres")).of_type(RDS)) == 1
    with pytest.raises(AutoNameTooLong, match="plus 3 random chars is longer than maximum length 15"):
        record(instance("orders-db-one", "sqlserver-ex"))


def test_an_lb_target_group_takes_32_as_pulumi_aws_refuses_it() -> None:
    lb = "aws:lb/targetGroup:TargetGroup"
    record(lambda: aws.lb.TargetGroup("t" * 24, port=80, protocol="HTTP", vpc_id="vpc-1"))
    with pytest.raises(
        AutoNameTooLong, match=f"could not make instance of '{lb}': name '{'t' * 25}-' plus 7"
    ):
        record(lambda: aws.lb.TargetGroup("t" * 25, port=80, protocol="HTTP", vpc_id="vpc-1"))


ELB_TYPES = [
    ("aws:alb/targetGroup:TargetGroup", ""),
    ("aws:lb/loadBalancer:LoadBalancer", ': "{prefix}<7 random hex>"'),
    ("aws:alb/loadBalancer:LoadBalancer", ': "{prefix}<7 random hex>"'),
    ("aws:elb/loadBalancer:LoadBalancer", ': "{prefix}<7 random hex>"'),
]


@pytest.mark.parametrize(("type_token", "quoted"), ELB_TYPES)
def test_terraform_s_32_refuses_what_pulumi_aws_s_255_makes(type_token: str, quoted: str) -> None:
    """pulumi-aws gives these setAutonaming's 255; Terraform's validName/validTargetGroupName
    refuses past 32 in the Check, so `pulumi preview` fails the 33rd character."""
    refuse_too_long_autoname(type_token, "e" * 24, {})
    said = str(refused(type_token, "e" * 25))
    reason = '"name" cannot be longer than 32 characters' + quoted.format(prefix="e" * 25 + "-")
    assert said.startswith(
        f"{type_token} resource '{'e' * 25}' has a problem: {reason}. Examine values at '{'e' * 25}.name'."
    )
    assert "at most 24 letters, digits and hyphens" in said
    refuse_too_long_autoname(type_token, "e" * 300, {"namePrefix": "x"})


@pytest.mark.parametrize(("type_token", "quoted"), [*ELB_TYPES, ("aws:lb/targetGroup:TargetGroup", "")])
@pytest.mark.parametrize(
    ("logical", "rule"),
    [
        ("my_lb", 'only alphanumeric characters and hyphens allowed in "name"'),
        ("-lb", '"name" cannot begin with a hyphen'),
    ],
)
def test_terraform_s_alphabet_refuses_an_underscore_or_a_leading_hyphen(
    type_token: str, quoted: str, logical: str, rule: str
) -> None:
    said = str(refused(type_token, logical))
    assert f"has a problem: {rule}{quoted.format(prefix=logical + '-')}. Examine values" in said


@pytest.mark.parametrize("type_token", [t for t, _ in ELB_TYPES] + ["aws:lb/targetGroup:TargetGroup"])
@pytest.mark.parametrize("logical", ["My-LB", "lb-", "a1"])
def test_near_miss_elb_names_pass(type_token: str, logical: str) -> None:
    """Upper case is allowed; 'lb-' is followed by '-' and hex: it ends with neither."""
    refuse_too_long_autoname(type_token, logical, {})


def test_the_athena_database_s_refusal_is_newuniquehex_s_bare_error() -> None:
    athena = "aws:athena/database:Database"
    said = str(refused(athena, "d" * 248))
    assert said.startswith(f"name '{'d' * 248}_' plus 7 random chars is longer than maximum length 255. ")
    assert "could not make instance" not in said
    refuse_too_long_autoname(athena, "d" * 247, {})
    # A FromName type keeps the wrapper (info.FromName wraps NewUniqueName's error).
    codedeploy = "aws:codedeploy/deploymentConfig:DeploymentConfig"
    assert str(refused(codedeploy, "c" * 93)).startswith(f"could not make instance of '{codedeploy}': name ")


ELBV2_LOAD_BALANCERS = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"]


@pytest.mark.parametrize("type_token", ELBV2_LOAD_BALANCERS)
@pytest.mark.parametrize("logical", ["internal-api", "internal"])
def test_an_elbv2_load_balancer_named_internal_dash_is_refused_at_preview(
    type_token: str, logical: str
) -> None:
    """elbv2's validName (aws_lb and aws_alb) refuses a name beginning "internal-" (AWS's own DNS
    prefix of an internal load balancer); 'internal' is auto-named 'internal-<hex>'."""
    said = str(refused(type_token, logical))
    value = f'"{logical}-<7 random hex>"'
    assert said.startswith(
        f"{type_token} resource '{logical}' has a problem: "
        f'"name" cannot begin with "internal-": {value}. Examine values at \'{logical}.name\'.'
    )
    assert 'does not begin with "internal-"' in said


@pytest.mark.parametrize("type_token", ELBV2_LOAD_BALANCERS)
@pytest.mark.parametrize("logical", ["interna", "Internal-api", "api-internal", "internalapi"])
def test_near_miss_internal_names_pass_an_elbv2_load_balancer(type_token: str, logical: str) -> None:
    """The rule is case-sensitive and anchored at the start; 'interna' makes 'interna-<hex>'."""
    refuse_too_long_autoname(type_token, logical, {})


@pytest.mark.parametrize(
    "type_token",
    [
        "aws:elb/loadBalancer:LoadBalancer",
        "aws:lb/targetGroup:TargetGroup",
        "aws:alb/targetGroup:TargetGroup",
    ],
)
def test_a_classic_elb_or_a_target_group_may_begin_internal_dash(type_token: str) -> None:
    """elb's validName and elbv2's validTargetGroupName have no "internal-" rule."""
    refuse_too_long_autoname(type_token, "internal-api", {})


def test_the_recording_refuses_an_lb_named_internal_dash() -> None:
    with pytest.raises(AutoNameInvalid, match='cannot begin with "internal-"'):
        record(lambda: aws.lb.LoadBalancer("internal-api", internal=True, subnets=["subnet-1"]))
    record(lambda: aws.lb.LoadBalancer("api-internal", internal=True, subnets=["subnet-1"]))


def test_an_upper_case_initial_breaks_two_of_valididentifier_s_rules_as_the_engine_prints() -> None:
    """validIdentifier's first-letter rule is ``^[a-z]``: an upper-case initial fails it and the
    alphabet rule, each a check failure of its own (as pulumi-aws printed both for a logical name
    starting 'D' in DefangLabs/pulumi-defang PR 534); an upper-case letter further on fails only the
    alphabet."""
    first = 'first character of "identifier" must be a letter'
    alphabet = 'only lowercase alphanumeric characters and hyphens allowed in "identifier"'
    said = str(refused(RDS, "Postgres"))
    assert said.index(alphabet) < said.index(first), "in validIdentifier's order"
    assert said.count(f"{RDS} resource 'Postgres' has a problem: ") == 2
    later = str(refused(RDS, "postGres"))
    assert alphabet in later and first not in later


SUBNET_GROUP = "aws:rds/subnetGroup:SubnetGroup"


@pytest.mark.parametrize("logical", ["OrdersSubnets", "orders+subnets", "ordersSubnets"])
def test_an_rds_subnet_group_auto_name_breaking_terraform_s_alphabet_is_refused_at_preview(
    logical: str,
) -> None:
    """pulumi-aws sets only the description of aws_db_subnet_group (resource_overrides.go), so its
    name is setAutonaming's ``<logical>-<7 hex>``, not lower-cased; rds validSubnetGroupName
    (``^[0-9a-z_ .-]+$``) fails it in the Check, as pulumi-aws issue 3808 printed it."""
    said = str(refused(SUBNET_GROUP, logical))
    assert said.startswith(
        f"{SUBNET_GROUP} resource '{logical}' has a problem: only lowercase alphanumeric characters, "
        f"hyphens, underscores, periods, and spaces allowed in \"name\". Examine values at '{logical}.name'."
    )
    assert "lower-case letters, digits, hyphens, underscores, periods and spaces" in said


@pytest.mark.parametrize(
    "logical", ["orders-subnets", "orders_subnets.v1", "orders subnets", "1st", "default"]
)
def test_near_miss_rds_subnet_group_names_pass(logical: str) -> None:
    """Its alphabet takes underscores, periods, spaces and a leading digit; 'default' (refused as
    the whole name) is followed by '-' and hex."""
    refuse_too_long_autoname(SUBNET_GROUP, logical, {})
    refuse_too_long_autoname(SUBNET_GROUP, "Orders", {"name": "orders"})
    refuse_too_long_autoname(SUBNET_GROUP, "Orders", {"namePrefix": "orders-"})
