"""The mocks' answers in each partition, and get_region against the provider's table of regions.

- A SageMaker MLflow tracking server's URL was ``https://t-<id>.<region>.experiments.sagemaker.aws``
  in every partition. AWS's own MLflow plugin (aws/sagemaker-mlflow,
  ``SageMakerMLflowHostMetadataProvider._get_dns_suffix``/``_get_endpoint``) knows the MLflow host
  ``<region>.experiments.sagemaker.aws`` in ``aws`` and ``aws-us-gov`` only and refuses every other
  partition ("Partition ... Not supported."): there the URL is unknown in the recording, as an
  output the mocks cannot know, not a host under another partition's name.
- ``aws.get_region`` accepted a made-up region (``name``/``region`` ``eu-west-9``, an endpoint
  ``ec2.eu-west-9.amazonaws.com``, a provider in ``xx-west-1``), and ``name`` with ``region``.
  Terraform's aws_region data source (internal/service/meta/region_data_source.go, provider v6)
  looks regions up in aws-sdk-go-base's table (``findRegionByName``, ``findRegionByEC2Endpoint``) and
  fails "finding Region by name (<name>): couldn't find resource" (retry.NotFoundError), and its
  ``ConfigValidators`` refuse ``name`` with ``region`` (``Conflicting``: "Invalid Attribute
  Combination", an attribute diagnostic the bridge returns as a check failure on ``name``). An
  endpoint and a ``name``/``region`` selecting different regions fail "multiple Regions matched".
  Each failure reads as the Python SDK raises it: ``invoke of aws:index/getRegion:getRegion failed: ...``,
  a Read error with the engine's ``invocation of aws:index/getRegion:getRegion returned an error: ``
  before it (source_eval.go ``resmon.Invoke``), which the mocks left out (review 72); the validator's
  check failure has none (the bridge answers it as a failure, not an error).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import botocore
import pulumi
import pulumi_aws as aws
import pytest
from pulumi.runtime import MockCallArgs

from planner.__main__ import EXIT_FAILED, run
from planner.arns import REGIONS, partition_of
from planner.mocks import InvokeFailed, PlatformMocks
from planner.recorder import UNKNOWN, record_program
from stacks.aws_regions import SAGEMAKER_REGIONS

FAILED = "invoke of aws:index/getRegion:getRegion failed: "
"""A check failure's prefix: the Python SDK's for an invoke answered with failures (runtime/invoke.py)."""
READ_FAILED = f"{FAILED}invocation of aws:index/getRegion:getRegion returned an error: "
"""An error of the data source's Read: the engine wraps the provider's error (source_eval.go
``resmon.Invoke``: "invocation of <tok> returned an error: %w") before the SDK prefixes it."""


def region_of(arguments: dict[str, Any], provider_region: str = "eu-west-1") -> dict[str, Any]:
    state, failures = PlatformMocks(provider_region, "123456789012").call(
        MockCallArgs("aws:index/getRegion:getRegion", arguments, "")
    )
    assert failures == []
    return state


def failure_of(arguments: dict[str, Any], provider_region: str = "eu-west-1") -> str:
    with pytest.raises(InvokeFailed) as caught:
        region_of(arguments, provider_region)
    return str(caught.value)


# --- MLflow tracking server URLs by partition ---------------------------------------------------------


def _tracking_server_url(region: str) -> Any:
    def program() -> None:
        server = aws.sagemaker.MlflowTrackingServer(
            "mlflow",
            tracking_server_name="mlflow",
            artifact_store_uri="s3://artifacts/mlflow",
            role_arn=f"arn:{(partition_of(region) or ('aws', ''))[0]}:iam::123456789012:role/mlflow",
        )
        pulumi.export("url", server.tracking_server_url)
        pulumi.export("arn", server.arn)

    graph = record_program(program, config={"aws:region": region})
    return graph.exports["url"], graph.exports["arn"]


@pytest.mark.parametrize("region", ["eu-west-1", "us-gov-west-1", "us-gov-east-1"])
def test_a_tracking_server_has_an_experiments_host_where_aws_publishes_one(region: str) -> None:
    url, arn = _tracking_server_url(region)
    assert re.fullmatch(rf"https://t-[0-9a-z]{{12}}\.{region}\.experiments\.sagemaker\.aws", url), url
    assert arn.startswith(f"arn:{partition_of(region)[0]}:sagemaker:{region}:")  # type: ignore[index]


@pytest.mark.parametrize(
    "region", ["cn-north-1", "cn-northwest-1", "us-iso-east-1", "us-isob-east-1", "eu-isoe-west-1", "us-isof-south-1", "eusc-de-east-1"]
)  # fmt: skip
def test_a_tracking_servers_url_is_unknown_where_aws_publishes_no_host(region: str) -> None:
    url, arn = _tracking_server_url(region)
    assert url == UNKNOWN, url
    assert arn.startswith(f"arn:{partition_of(region)[0]}:sagemaker:{region}:")  # type: ignore[index]


# --- get_region: the table of regions -----------------------------------------------------------------


def test_the_region_table_is_the_bridged_provider_s_not_the_newest_sdk_s() -> None:
    """The table is the one pulumi-aws 7.51's provider was built with: aws-sdk-go-base's
    endpoints_gen.go (the same 46 regions in every release from v2.0.0-beta.68 to beta.73 and on its
    main branch), which pulumi-aws copies into its ``Region`` enum ("synced with
    hashicorp/aws-sdk-go-base", provider/resources.go ``extraTypes``), shipped in the installed SDK.
    Upgrading pulumi-aws to a release that knows a new region fails this until REGIONS has it.
    botocore's endpoints.json, generated from the same source, may already list regions the
    bridged provider does not know (its get_region fails there): it must hold every one of ours,
    not equal them, or upgrading botocore would ask for regions pulumi up refuses."""
    assert {region.value for region in aws.Region} == REGIONS
    data = json.loads((Path(botocore.__file__).parent / "data" / "endpoints.json").read_text())
    assert set().union(*(partition["regions"] for partition in data["partitions"])) >= REGIONS


@pytest.mark.parametrize("region", sorted(SAGEMAKER_REGIONS))
def test_every_region_a_stack_file_may_name_is_one_get_region_answers(region: str) -> None:
    """A region the stack file's validation accepts (``stacks.aws_regions.SAGEMAKER_REGIONS``) must
    not fail a program reading ``get_region()`` under its provider: adding one the provider's table
    lacks fails here first."""
    assert region_of({}, region)["region"] == region


@pytest.mark.parametrize("region", sorted(REGIONS))
def test_each_known_region_is_found_by_name_and_by_its_own_ec2_host(region: str) -> None:
    found = region_of({"region": region})
    assert (found["region"], found["name"], found["id"]) == (region, region, region)
    assert region_of({"endpoint": found["endpoint"]})["region"] == region
    assert region_of({}, region)["endpoint"] == found["endpoint"]


@pytest.mark.parametrize(
    "arguments",
    [
        pytest.param({"region": "eu-west-9"}, id="region"),
        pytest.param({"name": "eu-west-9"}, id="name"),
        pytest.param(
            {"region": "eu-west-9", "endpoint": "ec2.eu-west-1.amazonaws.com"}, id="with-an-endpoint"
        ),
    ],
)
def test_a_made_up_region_name_fails_the_invoke_as_the_provider_does(arguments: dict[str, Any]) -> None:
    """``eu-west-9`` matches the aws partition's regionRegex but is no region of the table."""
    assert failure_of(arguments) == f"{READ_FAILED}finding Region by name (eu-west-9): couldn't find resource"


@pytest.mark.parametrize("region", ["eu-west-9", "us-gov-west-3", "cn-south-1", "eusc-de-west-1"])
def test_a_made_up_regions_ec2_host_is_no_endpoint(region: str) -> None:
    endpoint = f"ec2.{region}.{partition_of(region)[1]}"  # type: ignore[index]
    assert failure_of({"endpoint": endpoint}) == (
        f"{READ_FAILED}finding Region by endpoint ({endpoint}): couldn't find resource"
    )


def test_an_empty_endpoint_is_set_and_matches_no_region() -> None:
    """Read looks the endpoint up whenever it is not null (``!data.Endpoint.IsNull()``) and the bridge
    sends ``""`` as the empty string, not null: no region's EC2 host is ``""``. An empty ``name`` or
    ``region`` selects nothing instead (Read's ``if name != ""``): the provider's region."""
    assert (
        failure_of({"endpoint": ""}) == f"{READ_FAILED}finding Region by endpoint (): couldn't find resource"
    )
    assert failure_of({"endpoint": "", "region": "eu-west-1"}).endswith(
        "finding Region by endpoint (): couldn't find resource"
    )
    assert region_of({"region": ""})["region"] == region_of({"name": ""})["region"] == "eu-west-1"
    assert region_of({"endpoint": pulumi.runtime.rpc.UNKNOWN})["region"] == "eu-west-1"


def test_a_provider_in_a_region_of_no_table_makes_resources_but_fails_get_region() -> None:
    """skipRegionValidation (pulumi-aws's default) lets the provider in; the data source's default
    is the provider's region, looked up like a name."""
    assert (
        failure_of({}, "xx-west-1")
        == f"{READ_FAILED}finding Region by name (xx-west-1): couldn't find resource"
    )
    assert region_of({"region": "ap-south-1"}, "xx-west-1")["region"] == "ap-south-1"

    def program() -> None:
        other = aws.Provider("custom", region="xx-west-1")
        topic = aws.sns.Topic("t", opts=pulumi.ResourceOptions(provider=other))
        pulumi.export("arn", topic.arn)

    assert (
        record_program(program, config={"aws:region": "eu-west-1"})
        .exports["arn"]
        .startswith("arn:aws:sns:xx-west-1:")
    )


@pytest.mark.parametrize(
    "arguments",
    [
        pytest.param({"name": "eu-west-1", "region": "eu-west-1"}, id="the-same-region"),
        pytest.param({"name": "eu-west-1", "region": "us-east-1"}, id="two-regions"),
        pytest.param({"name": "eu-west-1", "region": ""}, id="an-empty-region-is-set"),
    ],
)
def test_name_with_region_is_refused_by_the_config_validator(arguments: dict[str, Any]) -> None:
    """``datasourcevalidator.Conflicting(name, region)``: a null or unknown value is not configured,
    an empty one is; the bridge's check failure names ``name``, the first path configured."""
    assert failure_of(arguments) == (
        f"{FAILED}Invalid Attribute Combination: These attributes cannot be configured together: "
        "[name,region] (name)"
    )


def test_an_unknown_name_or_region_is_not_configured() -> None:
    assert region_of({"name": "us-east-1", "region": pulumi.runtime.rpc.UNKNOWN})["region"] == "us-east-1"


@pytest.mark.parametrize("key", ["name", "region"])
def test_an_endpoint_and_another_named_region_match_two_regions(key: str) -> None:
    arguments = {"endpoint": "ec2.eu-west-2.amazonaws.com", key: "eu-west-1"}
    assert failure_of(arguments) == (
        f"{READ_FAILED}multiple Regions matched: use additional constraints to reduce matches to a single Region"
    )
    assert region_of({**arguments, key: "eu-west-2"})["region"] == "eu-west-2"


def test_a_failed_get_region_fails_the_plan_with_no_verdict_and_no_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def program() -> None:
        pulumi.export("region", aws.get_region(region="eu-west-9").region)

    monkeypatch.setattr("planner.__main__.validated_stack_file", lambda path: path)
    monkeypatch.setattr(
        "planner.__main__.build_plan",
        lambda stack_file, registry: record_program(program, config={"aws:region": "eu-west-1"}),
    )
    assert run(["--config", "any/Pulumi.x.yaml"]) == EXIT_FAILED
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"error: {READ_FAILED}finding Region by name (eu-west-9): couldn't find resource\n"
