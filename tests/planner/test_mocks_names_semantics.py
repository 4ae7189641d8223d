"""What the offline plan's mocks hand the program, and the naming rules the components apply.

The mocks' ARNs, ids and computed outputs flow into other resources' inputs, which the policy pack
and the tests then read: each fake here is pinned to the shape AWS itself returns (the services'
"Actions, resources, and condition keys" ARN formats, the provider's ids), so a drifted fake fails
here instead of letting a test pass on a value no real deployment would produce. The mocks are
called directly, outside any Pulumi program, so nothing here depends on an event loop.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from pulumi.runtime import MockCallArgs, MockResourceArgs

from planner.arns import Arns
from planner.mocks import PlatformMocks
from stacks.aws_regions import SAGEMAKER_REGIONS, usable_zone_count, zones_of
from tests.recorded import computed_once

REGION = "eu-west-1"
ACCOUNT = "123456789012"
ARNS = Arns(REGION, ACCOUNT)
ID = "0123abcd-4567-89ef-0123-456789abcdef"
ON_VARIANT = "resource/sagemaker/endpoint/prod-churn/variant/AllTraffic"


# -- ARNs: one format per service -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("arn", "expected"),
    [
        (ARNS.sns_topic("alerts"), "arn:aws:sns:eu-west-1:123456789012:alerts"),
        (ARNS.sqs_queue("q"), "arn:aws:sqs:eu-west-1:123456789012:q"),
        (ARNS.sqs_queue_url("q"), "https://sqs.eu-west-1.amazonaws.com/123456789012/q"),
        (ARNS.ecr_repository("mlops/churn"), "arn:aws:ecr:eu-west-1:123456789012:repository/mlops/churn"),
        (ARNS.ecr_repository_url("mlops/churn"), "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mlops/churn"),
        (ARNS.events("rule", "r"), "arn:aws:events:eu-west-1:123456789012:rule/r"),
        (ARNS.events("rule", "r", bus="default"), "arn:aws:events:eu-west-1:123456789012:rule/r"),
        (ARNS.events("rule", "r", bus="ops"), "arn:aws:events:eu-west-1:123456789012:rule/ops/r"),
        (ARNS.events("event-bus", "ops"), "arn:aws:events:eu-west-1:123456789012:event-bus/ops"),
        (ARNS.scheduler("s"), "arn:aws:scheduler:eu-west-1:123456789012:schedule/default/s"),
        (ARNS.scheduler("s", group="g"), "arn:aws:scheduler:eu-west-1:123456789012:schedule/g/s"),
        (ARNS.scheduler_group("g"), "arn:aws:scheduler:eu-west-1:123456789012:schedule-group/g"),
        (ARNS.pipe("p"), "arn:aws:pipes:eu-west-1:123456789012:pipe/p"),
        (ARNS.state_machine("m"), "arn:aws:states:eu-west-1:123456789012:stateMachine:m"),
        (
            ARNS.scaling_policy(ID, "sagemaker", "endpoint/prod-churn/variant/AllTraffic", "p"),
            f"arn:aws:autoscaling:eu-west-1:123456789012:scalingPolicy:{ID}:{ON_VARIANT}:policyName/p",
        ),
        (
            ARNS.scalable_target(ID),
            f"arn:aws:application-autoscaling:eu-west-1:123456789012:scalable-target/{ID}",
        ),
        (
            ARNS.scheduled_action(ID, "sagemaker", "endpoint/prod-churn/variant/AllTraffic", "a"),
            f"arn:aws:autoscaling:eu-west-1:123456789012:scheduledAction:{ID}:{ON_VARIANT}:scheduledActionName/a",
        ),
        (ARNS.cloudwatch_alarm("a"), "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:a"),
        (ARNS.cloudwatch_dashboard("d"), "arn:aws:cloudwatch::123456789012:dashboard/d"),
        (
            ARNS.sagemaker("endpoint", "Prod-Churn"),
            "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/prod-churn",
        ),
        (ARNS.iam_role("r"), "arn:aws:iam::123456789012:role/r"),
        (ARNS.iam_role("r", "/mlops/"), "arn:aws:iam::123456789012:role/mlops/r"),
        (ARNS.iam_policy("p", "/mlops/"), "arn:aws:iam::123456789012:policy/mlops/p"),
        (ARNS.kms_key(ID), f"arn:aws:kms:eu-west-1:123456789012:key/{ID}"),
        (ARNS.kms_alias("alias/mlops-data"), "arn:aws:kms:eu-west-1:123456789012:alias/mlops-data"),
        (ARNS.budget("b"), "arn:aws:budgets::123456789012:budget/b"),
        (ARNS.cost_explorer("anomalymonitor", ID), f"arn:aws:ce::123456789012:anomalymonitor/{ID}"),
        (ARNS.s3_bucket("b"), "arn:aws:s3:::b"),
        (ARNS.log_group("/mlops/x"), "arn:aws:logs:eu-west-1:123456789012:log-group:/mlops/x"),
    ],
)
def test_each_fake_arn_has_its_services_format(arn: str, expected: str) -> None:
    assert arn == expected


def test_the_partition_reaches_every_arn() -> None:
    arns = Arns("cn-north-1", ACCOUNT, "aws-cn")
    assert arns.s3_bucket("b") == "arn:aws-cn:s3:::b"
    assert arns.iam_role("r") == "arn:aws-cn:iam::123456789012:role/r"
    assert arns.sns_topic("t") == "arn:aws-cn:sns:cn-north-1:123456789012:t"


# -- mocked resources ------------------------------------------------------------------------------
MOCKS = PlatformMocks(REGION, ACCOUNT)


def _create(
    typ: str, name: str, inputs: dict[str, Any] | None = None, *, custom: bool = True
) -> tuple[str, dict]:
    return MOCKS.new_resource(MockResourceArgs(typ, name, dict(inputs or {}), custom=custom))


def _invoke(token: str) -> dict[str, Any]:
    state, failures = MOCKS.call(MockCallArgs(token, {}, ""))
    assert failures == []
    return state


def test_a_component_has_no_cloud_state() -> None:
    assert _create("mlops:foundation:Box", "box", {"name": "x"}, custom=False) == ("", {})


def test_an_auto_named_resource_gets_the_logical_name_and_seven_hex() -> None:
    resource_id, state = _create("aws:sfn/activity:Activity", "jobs")
    assert re.fullmatch(r"jobs-[0-9a-f]{7}", resource_id), resource_id
    assert state["name"] == resource_id and state["id"] == resource_id


def test_a_generic_resource_keeps_its_configured_name_and_a_kebab_arn() -> None:
    resource_id, state = _create("aws:sfn/activity:Activity", "jobs", {"name": "mlops-jobs"})
    assert resource_id == state["name"] == "mlops-jobs"
    assert state["arn"] == "arn:aws:sfn:eu-west-1:123456789012:activity/mlops-jobs"
    _, state = _create("aws:ec2/subnet:Subnet", "private-a", {"tags": {"a": "b"}})
    assert re.fullmatch(r"subnet-[0-9a-f]{17}", state["id"]) and state["tagsAll"] == {"a": "b"}
    assert state["arn"] == f"arn:aws:ec2:eu-west-1:123456789012:subnet/{state['id']}"


def test_only_the_aws_provider_reports_tags_all() -> None:
    _, state = _create("aws-native:s3:AccessPoint", "ap", {"tags": [{"key": "a", "value": "b"}]})
    assert "tagsAll" not in state


def test_an_auto_named_bucket_is_lowercase_with_its_regions_domain() -> None:
    bucket, state = _create("aws:s3/bucket:Bucket", "Data")
    assert bucket == bucket.lower() and bucket.startswith("data-")
    assert state["arn"] == f"arn:aws:s3:::{bucket}"
    assert state["bucketRegionalDomainName"] == f"{bucket}.s3.eu-west-1.amazonaws.com"


def test_a_kms_alias_points_at_its_keys_arn() -> None:
    alias, state = _create("aws:kms/alias:Alias", "data", {"name": "alias/mlops-data", "targetKeyId": ID})
    assert alias == "alias/mlops-data"
    assert state["targetKeyArn"] == f"arn:aws:kms:eu-west-1:123456789012:key/{ID}"


def test_iam_ids_are_the_providers() -> None:
    role, state = _create("aws:iam/role:Role", "training", {"name": "training", "path": "/mlops/"})
    assert state["arn"] == "arn:aws:iam::123456789012:role/mlops/training"
    assert re.fullmatch(r"AROA[0-9A-F]{17}", state["uniqueId"]), "a role's unique id starts AROA"
    policy_id, _ = _create("aws:iam/rolePolicy:RolePolicy", "inline", {"role": role, "name": "read"})
    assert policy_id == "training:read", "an inline policy's id is <role>:<policy name>"
    managed_id, state = _create("aws:iam/policy:Policy", "managed", {"name": "read", "path": "/mlops/"})
    assert managed_id == state["arn"] == "arn:aws:iam::123456789012:policy/mlops/read"


def test_a_log_groups_arn_has_no_wildcard_suffix() -> None:
    _, state = _create("aws:cloudwatch/logGroup:LogGroup", "logs", {"name": "/mlops/x"})
    assert state["arn"] == "arn:aws:logs:eu-west-1:123456789012:log-group:/mlops/x"


def test_a_gateway_endpoint_has_a_prefix_list_and_an_interface_endpoint_dns_names() -> None:
    _, gateway = _create("aws:ec2/vpcEndpoint:VpcEndpoint", "s3", {"vpcEndpointType": "Gateway"})
    assert re.fullmatch(r"pl-[0-9a-f]{8}", gateway["prefixListId"]) and "dnsEntries" not in gateway
    _, interface = _create(
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "sagemaker-api",
        {"vpcEndpointType": "Interface", "serviceName": "com.amazonaws.eu-west-1.sagemaker.api"},
    )
    [entry] = interface["dnsEntries"]
    assert re.fullmatch(
        rf"{interface['id']}-[0-9a-f]{{8}}\.sagemaker\.api\.eu-west-1\.vpce\.amazonaws\.com", entry["dnsName"]
    )
    assert "prefixListId" not in interface


# -- mocked invokes --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("region", "letters", "zone_id"),
    [
        ("eu-west-1", "abc", "euw1-az1"),
        ("us-east-1", "abcdef", "use1-az1"),
        ("eu-central-1", "abc", "euc1-az1"),
        ("ap-southeast-2", "abc", "apse2-az1"),
        ("ap-northeast-1", "abc", "apne1-az1"),
        ("ca-central-1", "abd", "cac1-az1"),
        ("us-west-1", "ab", "usw1-az1"),
    ],
)
def test_availability_zones_are_the_regions_with_real_zone_ids(
    region: str, letters: str, zone_id: str
) -> None:
    state, _ = PlatformMocks(region, ACCOUNT).call(
        MockCallArgs("aws:index/getAvailabilityZones:getAvailabilityZones", {}, "")
    )
    assert state["names"] == [f"{region}{letter}" for letter in letters]
    assert state["zoneIds"] == [f"{zone_id[:-1]}{index}" for index in range(1, len(letters) + 1)]


def test_every_az_count_a_stack_file_accepts_the_plan_can_meet() -> None:
    """stacks/config.py accepts an az_count up to the zones an account sees; the foundation takes
    that many from getAvailabilityZones, so the mock must offer as many, and only real ones."""
    for region in sorted(SAGEMAKER_REGIONS):
        state, _ = PlatformMocks(region, ACCOUNT).call(
            MockCallArgs("aws:index/getAvailabilityZones:getAvailabilityZones", {}, "")
        )
        assert len(state["names"]) == usable_zone_count(region), region
        assert set(state["names"]) <= set(zones_of(region)), region


def test_the_caller_partition_and_region_are_the_commercial_accounts() -> None:
    assert _invoke("aws:index/getCallerIdentity:getCallerIdentity")["arn"] == (
        "arn:aws:iam::123456789012:user/offline-plan"
    )
    assert _invoke("aws:index/getPartition:getPartition")["dnsSuffix"] == "amazonaws.com"
    assert _invoke("aws:index/getRegion:getRegion")["endpoint"] == "ec2.eu-west-1.amazonaws.com"


def test_an_invoke_without_a_mock_is_refused_by_name() -> None:
    with pytest.raises(NotImplementedError, match="aws:index/getBillingServiceAccount"):
        _invoke("aws:index/getBillingServiceAccount:getBillingServiceAccount")


# -- physical names -------------------------------------------------------------------------------
def test_no_prefix_or_an_empty_one_leaves_the_name_alone() -> None:
    from components.naming import prefixed

    assert prefixed(None, "churn") == prefixed("", "churn") == "churn"
    assert prefixed("dev", "churn") == "dev-churn"


@pytest.mark.parametrize("type_token", ["aws:iam/role:Role", "aws:sqs/queue:Queue", "aws:s3/bucket:Bucket"])
def test_a_child_names_pulumi_auto_name_fits_exactly_at_the_limit(type_token: str) -> None:
    """Pulumi appends '-' and 7 random hex digits to the logical name (the mocks do the same): a
    long logical name is cut so that the auto-name is exactly AWS's longest, never one more."""
    from components.limits import PHYSICAL_NAME_LIMITS
    from components.naming import child_name

    _, limit = PHYSICAL_NAME_LIMITS[type_token]
    logical = child_name("monitoring-" + "e" * 300 + "-jobs", type_token)
    _, state = _create(type_token, logical)
    physical = state.get("bucket") or state["name"]
    assert re.fullmatch(rf"{re.escape(logical.lower())}-[0-9a-f]{{7}}", physical), physical
    assert len(physical) == limit


# -- limits ---------------------------------------------------------------------------------------
def test_log_retention_is_exactly_the_values_the_logs_api_documents() -> None:
    """PutRetentionPolicy's model states the values only in prose ("Possible values are: ...")."""
    from components.limits import LOG_RETENTION_DAYS
    from tests.api_models import service_model

    member = (
        service_model("logs").operation_model("PutRetentionPolicy").input_shape.members["retentionInDays"]
    )
    documented = re.search(r"Possible values are: ([0-9, and]+)\.", member.documentation)
    assert documented, member.documentation
    assert tuple(int(days) for days in re.findall(r"[0-9]+", documented.group(1))) == LOG_RETENTION_DAYS


def test_one_of_refuses_a_bool_even_where_1_is_allowed() -> None:
    """True == 1 in Python: a retention of ``true`` must not pass as one day."""
    from types import SimpleNamespace

    from components.limits import LOG_RETENTION_DAYS, one_of

    one_of(SimpleNamespace(days=1), "days", LOG_RETENTION_DAYS)
    with pytest.raises(ValueError, match=r"^SimpleNamespace\.days: True is not one of 1, 3"):
        one_of(SimpleNamespace(days=True), "days", LOG_RETENTION_DAYS)


def _snake(wire_name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", wire_name).lower()


def _limit_fields_missing_from_their_resources() -> list[str]:
    from components.limits import PHYSICAL_NAME_LIMITS
    from tests.graph_helpers import accepts

    return [
        f"{type_token}: {field}"
        for type_token, (field, _) in PHYSICAL_NAME_LIMITS.items()
        if not accepts(type_token, _snake(field))
    ]


def test_each_name_limit_names_an_argument_of_its_resource() -> None:
    """The field of components.limits.PHYSICAL_NAME_LIMITS is the input holding the resource's own
    name (camelCase on the wire), so it must be one of the provider class's arguments. (Loading
    every provider class takes seconds: the answer is kept per version of the code and uv.lock.)"""
    assert not computed_once("limit-fields-missing", _limit_fields_missing_from_their_resources)


# -- instance types -------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["ml.m5.xlarge\n", "ml.g5.2xlarge\n", " ml.m5.xlarge", "ml.m5.xlarge "])
def test_an_instance_type_with_surrounding_whitespace_is_refused(value: str) -> None:
    """A YAML block scalar leaves a trailing newline that AWS's enums reject; ``$`` would take it."""
    from components.instance_types import validate_instance_type

    assert validate_instance_type(value.strip()) == value.strip()
    with pytest.raises(ValueError, match="is not a SageMaker instance type"):
        validate_instance_type(value)


# AWS's "Amazon EC2 instance types" specifications: GiB of memory per vCPU for each family (every
# size of these families has the same ratio), and one size per family pinned whole.
GIB_PER_VCPU = {"m5": 4, "c5": 2, "r5": 8, "g4dn": 4, "g5": 4, "g6": 4, "g6e": 8, "p4d": 12}
PUBLISHED = {
    "ml.m5.large": (2, 8, 0),
    "ml.m5.12xlarge": (48, 192, 0),
    "ml.c5.9xlarge": (36, 72, 0),
    "ml.r5.large": (2, 16, 0),
    "ml.g4dn.16xlarge": (64, 256, 1),
    "ml.g5.48xlarge": (192, 768, 8),
    "ml.g6.12xlarge": (48, 192, 4),
    "ml.g6e.xlarge": (4, 32, 1),
    "ml.p4d.24xlarge": (96, 1152, 8),
}


def test_instance_resources_are_the_published_sizes_in_mebibytes() -> None:
    from components.instance_types import INSTANCE_RESOURCES, instance_family, instance_resources

    for instance_type, (cpus, gib, gpus) in PUBLISHED.items():
        assert instance_resources(instance_type) == (cpus, gib * 1024, gpus), instance_type
    assert {instance_family(t) for t in INSTANCE_RESOURCES} == set(GIB_PER_VCPU)
    for instance_type, (cpus, mebibytes, _) in INSTANCE_RESOURCES.items():
        assert mebibytes == cpus * GIB_PER_VCPU[instance_family(instance_type)] * 1024, instance_type


def test_instance_resources_refuse_a_malformed_type_as_such() -> None:
    from components.instance_types import instance_resources

    with pytest.raises(ValueError, match="is not a SageMaker instance type"):
        instance_resources("m5.large")
    with pytest.raises(ValueError, match="no known vCPU/memory/GPU sizes"):
        instance_resources("ml.t2.medium")
