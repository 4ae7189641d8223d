"""Hand-mutation audit of how a stack resolves what it deploys and the names and limits it checks.

Each one-step mutation of decision logic (a flipped comparison, an off-by-one, a dropped branch,
swapped operands, a changed constant or limit, and/or swapped, a wrong key or status string) was
run alone against the tests that cover its module, then restored. 168 mutations:

- ``stacks/model_packages.py``: 56, 9 survived (mp12 any ValidationException taken for a missing
  group, mp13 ResourceNotFound not a missing group, mp16 an empty ModelDataQuality block refused,
  mp23 the baselines folder taken from the constraints, mp25 an s3:// URI without a key let
  through, mp26 a family named by group ARN looked for under the ARN, mp33/mp34 a deployed
  endpoint's shadow variants and multi-container models not read, mp50 any ValidationException of
  DescribeEndpoint taken for "not deployed"); all 9 are caught now.
- ``stacks/resolution.py``: 31, 4 survived. Caught now: rs09 (a deferred endpoint kept its
  live-drift pipeline), rs23 (a deferred shared endpoint's warning lost its next steps). rs28
  (the card error's family always derived from the group) showed a bug, fixed: a variant that
  follows its own account's group by ARN got that ARN as ``--model`` in the command the error
  gives, which pipelines.promotion refuses; the test below fails on the old code (since then the
  stack's own group written as an ARN is refused at ``latest_approved_of``, naming the family to
  write: it read as another account's group, which retrains nothing). Left alone
  here: rs25 (a deployed shared endpoint with several waiting components named the last, not the
  first); since then the error names every waiting component, held by
  tests/stacks/test_resolution_naming_semantics.py.
- ``stacks/naming.py``: 32, 3 survived the covering tests first run; nm18 (the live-drift pipeline
  name) is caught by tests/stacks/test_live_drift.py and nm24 (the audit trail name) by
  tests/components/test_audit_trail.py. Equivalent: nm08 (dropping ``.lower()`` of the Evidently
  repository name: the name prefix is validated lower-case and the product name is lower-case).
- ``stacks/input_limits.py``: 24, 9 survived; caught now: il04, il05, il06 (echo bounds at and
  around 80 characters or items), il13 (list indexes in a problem's path), il16 (sibling brackets
  counted as nesting), il21 (more than one problem reported). Equivalent: il18 (``repr`` of the
  first 80 instead of 81 characters before cutting to 80: only the quote character of a cut echo
  can differ), il20 and il23 (tuples no longer walked: every value comes from YAML or JSON, which
  build dicts and lists only).
- ``stacks/arns.py``: 25, 18 survived (nothing exercised the parser directly); 17 are caught now
  (partitions, region and account shapes matched whole, the 63-character group, versions from 1,
  a resource keeping its colons, the resource kind, a non-string, the ARN read back). Left alone:
  ar02 (a region number of one digit only): no AWS region has two digits today, so a test would
  assert a region that does not exist.

Survived 43; caught now 35 (one of them through the bug fixed), covered by tests outside the
first covering set 2, equivalent 4, left alone 2. No test reads the shipped sample stacks: configs
are the suite's fixtures (tests/fixtures) edited in the test.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import botocore.awsrequest
import pulumi
import pytest

from stacks.arns import ArnError, parse_arn, parse_model_package_group_arn, parse_model_package_version_arn
from stacks.config import ConfigError, PlatformConfig, parse_platform_config
from stacks.input_limits import (
    ECHO_LIMIT,
    echo,
    json_depth_exceeds,
    json_text_problem,
    shorten,
    structure_problems,
)
from stacks.model_packages import (
    DeployedEndpoint,
    ModelResolutionError,
    NoApprovedVersion,
    ResolvedModelPackage,
    deployed_endpoint,
    latest_approved_package,
    resolve_latest_approved,
    version_baselines,
)
from stacks.resolution import resolve_serving
from stacks.stack_file import read_stack_file
from tests.aws_sessions import mocked_aws
from tests.stack_edits import at
from tests.stacks.test_shared_endpoint_config import GPU_ENDPOINT

REGION, ACCOUNT = "eu-west-1", "333333333333"
GROUP = "prod-customer-churn"
VERSION_ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/{GROUP}/1"
IMAGE = f"141502667606.dkr.ecr.{REGION}.amazonaws.com/sklearn:1.2-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/endpoint"


@pytest.fixture
def sagemaker(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A moto registry in the prod fixture's account, holding the (empty) group ``GROUP``."""
    monkeypatch.setenv("MOTO_ACCOUNT_ID", ACCOUNT)
    with mocked_aws(REGION) as session:
        client = session.client("sagemaker")
        client.create_model_package_group(ModelPackageGroupName=GROUP)
        yield client


def _answering(client: Any, operation: str, code: str, message: str) -> None:
    """Make the (moto) client answer ``operation`` with an AWS error that botocore parses."""

    def respond(request: Any, **_: Any) -> botocore.awsrequest.AWSResponse:
        headers = {"x-amzn-RequestId": "r", "Content-Type": "application/x-amz-json-1.1"}
        response = botocore.awsrequest.AWSResponse(request.url, 400, headers, None)
        response._content = json.dumps({"__type": code, "message": message}).encode()
        return response

    client.meta.events.register_first(f"before-send.sagemaker.{operation}", respond)


def _files(folder: str) -> dict[str, Any]:
    return {
        "Statistics": {"ContentType": "application/json", "S3Uri": f"{folder}/statistics.json"},
        "Constraints": {"ContentType": "application/json", "S3Uri": f"{folder}/constraints.json"},
    }


# -- stacks.model_packages: what the registry answers ----------------------------------------------


def test_a_validation_error_that_is_not_a_missing_group_is_an_error_not_a_deferral(sagemaker) -> None:
    """Only "the group does not exist" defers an endpoint; any other ValidationException (a
    malformed request, a group name SageMaker refuses) must stop the run, not silently defer
    (which on a deployed endpoint keeps an old version, on a new one skips it)."""
    _answering(
        sagemaker,
        "ListModelPackages",
        "ValidationException",
        "1 validation error detected: Value at 'modelPackageGroupName' failed to satisfy constraint",
    )

    with pytest.raises(ModelResolutionError, match="cannot read model package group") as raised:
        latest_approved_package(sagemaker, GROUP)
    assert not isinstance(raised.value, NoApprovedVersion)


@pytest.mark.parametrize("operation", ["ListModelPackages", "DescribeModelPackageGroup"])
def test_a_group_reported_missing_as_resource_not_found_does_not_exist_yet(sagemaker, operation) -> None:
    """SageMaker says a group is missing as ResourceNotFound too: a first deploy, not an error."""
    _answering(sagemaker, operation, "ResourceNotFound", f"Model Package Group {GROUP} does not exist.")

    with pytest.raises(NoApprovedVersion, match="does not exist yet") as raised:
        latest_approved_package(sagemaker, GROUP)
    assert raised.value.group_exists is False


def test_a_family_named_by_its_group_arn_is_monitored_against_its_versions_baselines(sagemaker) -> None:
    """``latest_approved_of`` may name the group by ARN: its baselines are still looked for under
    the group's name, so the version's DriftCheckBaselines stay usable."""
    folder = f"s3://artifacts/baselines/{GROUP}/run-3"
    sagemaker.create_model_package(
        ModelPackageGroupName=GROUP,
        ModelApprovalStatus="Approved",
        InferenceSpecification={
            "Containers": [{"Image": IMAGE}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
        DriftCheckBaselines={"ModelDataQuality": _files(folder)},
    )
    group_arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package-group/{GROUP}"

    resolved = resolve_latest_approved(sagemaker, group_arn)

    assert resolved.arn == VERSION_ARN
    assert resolved.unusable_baselines is None
    assert resolved.baselines is not None and resolved.baselines.folder == f"baselines/{GROUP}/run-3/"


# -- stacks.model_packages: reading DriftCheckBaselines --------------------------------------------


def test_an_empty_data_quality_block_is_no_baselines_not_unusable_ones() -> None:
    """A version whose DriftCheckBaselines hold an empty ModelDataQuality registered no baselines:
    its monitors read the family folder's (None), it is not refused as incomplete."""
    assert version_baselines(VERSION_ARN, GROUP, {"ModelDataQuality": {}}) is None


def test_statistics_in_a_subfolder_of_the_constraints_are_not_one_folder() -> None:
    """The monitors read one folder, the statistics' one: constraints outside it are refused."""
    folder = f"s3://a/baselines/{GROUP}/run-1"
    baselines = {
        "ModelDataQuality": {
            "Statistics": {"S3Uri": f"{folder}/nested/statistics.json"},
            "Constraints": {"S3Uri": f"{folder}/constraints.json"},
        }
    }

    with pytest.raises(ModelResolutionError, match="in one folder"):
        version_baselines(VERSION_ARN, GROUP, baselines)


@pytest.mark.parametrize("uri", ["s3://a", "s3://a/"])
def test_an_s3_uri_without_an_object_key_is_named_as_such(uri) -> None:
    baselines = {
        "ModelDataQuality": _files(f"s3://a/baselines/{GROUP}/run-1"),
        "ModelQuality": {"Constraints": {"S3Uri": uri}},
    }

    with pytest.raises(ModelResolutionError, match=f"'{uri}' is not an s3:// object URI"):
        version_baselines(VERSION_ARN, GROUP, baselines)


# -- stacks.model_packages: what a deployed endpoint serves ----------------------------------------


def _model(client: Any, name: str, **containers: Any) -> str:
    client.create_model(ModelName=name, ExecutionRoleArn=ROLE, **containers)
    return name


def _variant(name: str, model: str) -> dict[str, Any]:
    return {"VariantName": name, "ModelName": model, "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}


def test_a_deployed_endpoint_serves_the_package_of_each_variant_shadow_and_multi_container_alike(
    sagemaker,
) -> None:
    """The production variant runs an inference pipeline (the package in its second container),
    the shadow variant another package: both are what the endpoint serves now. (moto drops
    ShadowProductionVariants from DescribeEndpointConfig; SageMaker returns them, added here.)"""
    primary = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/{GROUP}/4"
    shadow = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/prod-churn-challenger/2"
    pipeline = _model(sagemaker, "pipeline", Containers=[{"Image": IMAGE}, {"ModelPackageName": primary}])
    challenger = _model(sagemaker, "challenger", PrimaryContainer={"ModelPackageName": shadow})
    sagemaker.create_endpoint_config(
        EndpointConfigName="config", ProductionVariants=[_variant("primary", pipeline)]
    )
    sagemaker.create_endpoint(EndpointName=f"prod-{'customer-churn'}", EndpointConfigName="config")

    def with_shadow(parsed: dict[str, Any], **_: Any) -> None:
        parsed.setdefault("ShadowProductionVariants", [_variant("challenger", challenger)])

    sagemaker.meta.events.register("after-call.sagemaker.DescribeEndpointConfig", with_shadow)

    assert deployed_endpoint(sagemaker, "prod-customer-churn") == DeployedEndpoint(
        versions={"primary": primary, "challenger": shadow}
    )
    assert deployed_endpoint(sagemaker, "prod-never-deployed") is None


def test_an_endpoint_that_cannot_be_described_is_an_error_not_an_absent_endpoint(sagemaker) -> None:
    """Only "Could not find endpoint" says it does not exist: any other ValidationException taken
    for absence would defer, that is delete, an endpoint that serves traffic."""
    _answering(
        sagemaker,
        "DescribeEndpoint",
        "ValidationException",
        "1 validation error detected: Value at 'endpointName' failed to satisfy constraint",
    )

    with pytest.raises(ModelResolutionError, match="cannot tell what endpoint prod-customer-churn serves"):
        deployed_endpoint(sagemaker, "prod-customer-churn")


# -- stacks.resolution ---------------------------------------------------------------------------


def _parsed(
    write_stack: Callable[..., Path], edit: Callable[[dict[str, Any]], None] | None = None
) -> PlatformConfig:
    """The prod fixture (tests/fixtures), edited; no shipped sample stack is read."""
    path = write_stack("prod", edit, name="Pulumi.prod.yaml")
    return parse_platform_config(read_stack_file(str(path)).platform, str(path))


def _nothing_approved(source: str) -> ResolvedModelPackage:
    """A registry whose groups exist and hold no Approved version; a pinned version resolves."""
    if ":model-package/" in source:
        return ResolvedModelPackage(arn=source, baselines=None)
    raise NoApprovedVersion(source, group_exists=True)


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    logged: list[str] = []
    monkeypatch.setattr(pulumi.log, "warn", lambda message, *_, **__: logged.append(message))
    return logged


def test_a_deferred_endpoint_gets_no_live_drift_pipeline(write_stack, warnings) -> None:
    """A live-drift pipeline reads the traffic of an endpoint this run does not create: none."""
    config = _parsed(write_stack, at("monitoring.evidently", True))
    assert [spec.name for spec in config.live_drift_endpoints] == ["customer-churn"], "non-vacuous"

    serving = resolve_serving(config, _nothing_approved)

    assert set(serving.deferred) == {"customer-churn"}
    assert serving.live_drift == []


def test_a_deferred_shared_endpoints_warning_names_the_pipeline_that_ends_the_wait(
    write_stack, warnings
) -> None:
    """The next step of a family the platform trains is its training pipeline, by physical name."""
    config = _parsed(
        write_stack, lambda platform: platform.update(shared_endpoints=[copy.deepcopy(GPU_ENDPOINT)])
    )
    assert config.training.enabled, "non-vacuous: the prod fixture trains its families"

    serving = resolve_serving(config, _nothing_approved)

    message = serving.deferred["gpu-models"]
    assert "start-pipeline-execution --pipeline-name prod-customer-churn-training" in message
    assert "approve a version of each group" not in message


# -- stacks.input_limits --------------------------------------------------------------------------


def test_a_value_of_exactly_the_echo_limit_is_echoed_whole() -> None:
    assert shorten("x" * ECHO_LIMIT) == "x" * ECHO_LIMIT
    assert shorten("x" * (ECHO_LIMIT + 1)) == f"{'x' * ECHO_LIMIT}… ({ECHO_LIMIT + 1} characters)"


def test_a_short_string_whose_repr_is_long_is_still_echoed_bounded() -> None:
    """80 newlines are 80 characters but a 162-character repr: the echo stays bounded."""
    value = "\n" * ECHO_LIMIT

    echoed = echo(value)

    assert echoed == f"{repr(value)[:ECHO_LIMIT]}… ({ECHO_LIMIT} characters)"


def test_a_list_of_exactly_the_echo_limit_is_echoed_by_its_repr_and_a_longer_one_by_its_length() -> None:
    at_limit = [0] * ECHO_LIMIT
    assert echo(at_limit) == shorten(repr(at_limit))
    assert echo([0] * (ECHO_LIMIT + 1)) == f"a list of {ECHO_LIMIT + 1} items"


def test_the_path_of_a_problem_names_list_items_by_index() -> None:
    """A recursive alias reached through a list: the path is what the user finds in the file."""
    looped: dict[str, Any] = {}
    looped["again"] = looped

    assert list(structure_problems({"endpoints": [looped]})) == [
        ("endpoints[0].again", "contains itself (a recursive YAML alias)")
    ]


def test_sibling_brackets_are_not_nesting() -> None:
    """Depth is how deep brackets nest, not how many there are: a long flat list is fine."""
    flat = "[" + ",".join(["[]"] * 200) + "]"

    assert not json_depth_exceeds(flat)
    assert json_text_problem(flat) is None
    assert json_depth_exceeds("[" * 65 + "]" * 65)


def test_at_most_one_problem_is_reported_however_many_there_are() -> None:
    first: dict[str, Any] = {}
    first["again"] = first
    second: list[Any] = []
    second.append(second)

    assert len(list(structure_problems({"a": first, "b": second, "c": [first]}))) == 1


# -- stacks.arns ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "partition", "region"),
    [
        (f"arn:aws:sagemaker:eu-west-1:{ACCOUNT}:model-package-group/{GROUP}", "aws", "eu-west-1"),
        (f"arn:aws-cn:sagemaker:cn-north-1:{ACCOUNT}:model-package-group/{GROUP}", "aws-cn", "cn-north-1"),
        (
            f"arn:aws-us-gov:sagemaker:us-gov-west-1:{ACCOUNT}:model-package-group/{GROUP}",
            "aws-us-gov",
            "us-gov-west-1",
        ),
    ],
)
def test_a_group_arn_of_every_partition_and_region_shape_is_read(text, partition, region) -> None:
    parsed = parse_model_package_group_arn(text)

    assert (parsed.arn.partition, parsed.arn.region, parsed.arn.account, parsed.group) == (
        partition,
        region,
        ACCOUNT,
        GROUP,
    )


def test_an_arn_resource_keeps_its_colons() -> None:
    """Only the first five colons separate fields: a resource may hold more (log streams, ...)."""
    arn = parse_arn(f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/aws/sagemaker/Endpoints:*", "logs")

    assert arn.resource == "log-group:/aws/sagemaker/Endpoints:*"
    assert arn.account == ACCOUNT


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (f"arn::sagemaker:eu-west-1:{ACCOUNT}:model-package-group/g", "partition ''"),
        (f"arn:aws:sagemaker:eu-west-1x:{ACCOUNT}:model-package-group/g", "region 'eu-west-1x'"),
        (f"arn:aws:sagemaker:eur-west-1:{ACCOUNT}:model-package-group/g", "region 'eur-west-1'"),
        (f"arn:aws:sagemaker:eu-west-1\n:{ACCOUNT}:model-package-group/g", "region 'eu-west-1\n'"),
        ("arn:aws:sagemaker:eu-west-1:3333333333334:model-package-group/g", "account '3333333333334'"),
        ("arn:aws:sagemaker:eu-west-1:333333333333a:model-package-group/g", "account '333333333333a'"),
        (f"arn:aws:sagemaker:eu-west-1:{ACCOUNT}:", "the resource part after the account is empty"),
    ],
)
def test_an_arn_with_one_wrong_field_is_refused_naming_it(text, field) -> None:
    with pytest.raises(ArnError) as refused:
        parse_arn(text, "sagemaker")

    assert field in str(refused.value)


@pytest.mark.parametrize(
    "group",
    [
        "g" * 64,  # SageMaker's limit is 63
        "prod-churn/extra",
        "prod_churn",
        "prod-churn-",
    ],
)
def test_a_group_arn_naming_no_valid_group_is_refused(group) -> None:
    assert (
        parse_model_package_group_arn(
            f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package-group/{'g' * 63}"
        ).group
        == "g" * 63
    )
    with pytest.raises(ArnError, match="is not model-package-group/<group>"):
        parse_model_package_group_arn(f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package-group/{group}")


@pytest.mark.parametrize(
    "resource",
    [
        "model-package/prod_churn/3",
        "model-package/prod-churn-/3",
        "model-package/prod-churn/0",
        "model-package/prod-churn/03",
        "model-package/prod-churn/3x",
        "model-package/prod-churn/3/4",
        "model/prod-churn/3",
        "model-package-group/prod-churn/3",
    ],
)
def test_a_version_arn_naming_no_valid_group_or_version_is_refused_not_a_traceback(resource) -> None:
    """Refused as an ArnError (which config validation reports with its key), never a ValueError
    from int() nor a version number SageMaker never gives (versions start at 1)."""
    with pytest.raises(ArnError, match="is not model-package/<group>/<version>"):
        parse_model_package_version_arn(f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:{resource}")
    assert (
        parse_model_package_version_arn(
            f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/prod-churn/3"
        ).version
        == 3
    )


@pytest.mark.parametrize("text", [None, 42, ["arn:aws:sagemaker"]])
def test_a_value_that_is_not_a_string_is_refused_as_such(text) -> None:
    with pytest.raises(ArnError, match=f"an ARN is a string, got {type(text).__name__}"):
        parse_arn(text, "sagemaker")


def test_an_arn_reads_back_as_the_text_it_was_parsed_from() -> None:
    text = f"arn:aws-us-gov:sagemaker:us-gov-west-1:{ACCOUNT}:model-package/{GROUP}/12"

    assert str(parse_model_package_version_arn(text).arn) == text


def test_a_card_error_of_a_family_names_the_family_promotion_takes_and_its_own_group_arn_is_refused(
    write_stack,
) -> None:
    """The version to deploy has no card: the command the error gives must name the family
    (``--model customer-churn``), which pipelines.promotion takes (it refuses a group ARN as
    ``--model``: "no model family"). The stack's own group written as an ARN is refused before any
    resolution, naming the family to write instead (an ARN reads as another account's group)."""
    group_arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package-group/{GROUP}"
    with pytest.raises(ConfigError) as refused_arn:
        _parsed(write_stack, at("endpoints.0.variants.0.model", {"latest_approved_of": group_arn}))
    assert any(
        key.endswith("endpoints[0].variants[0].model.latest_approved_of")
        and "write latest_approved_of: customer-churn" in message
        for key, message in refused_arn.value.problems
    ), refused_arn.value.problems

    config = _parsed(
        write_stack, at("endpoints.0.variants.0.model", {"latest_approved_of": "customer-churn"})
    )
    assert config.model_registry.require_model_card, "non-vacuous: prod requires cards"
    version = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/{GROUP}/7"

    def without_card(source: str) -> ResolvedModelPackage:
        assert source == GROUP
        return ResolvedModelPackage(arn=version, baselines=None, model_card=None, model_card_checked=True)

    with pytest.raises(ModelResolutionError) as refused:
        resolve_serving(config, without_card)

    message = str(refused.value)
    assert "version 7 of model family customer-churn " in message
    assert f"--model customer-churn --package-arn {version} --model-card-only" in message


def test_a_card_error_of_another_stacks_group_in_this_account_names_no_family_of_this_stack(
    write_stack,
) -> None:
    """A prod variant following staging's group (same account) by ARN: no family of this stack owns
    it, so the command is the owning stack file's, not ``--model staging-customer-churn`` here."""
    other = GROUP.replace("prod-", "staging-", 1) if GROUP.startswith("prod-") else f"staging-{GROUP}"
    group_arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package-group/{other}"
    config = _parsed(write_stack, at("endpoints.0.variants.0.model", {"latest_approved_of": group_arn}))
    version = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/{other}/7"

    def without_card(source: str) -> ResolvedModelPackage:
        return ResolvedModelPackage(arn=version, baselines=None, model_card=None, model_card_checked=True)

    with pytest.raises(ModelResolutionError) as refused:
        resolve_serving(config, without_card)

    message = str(refused.value)
    assert f"version 7 of model package group {other} ({version})" in message
    assert (
        "The group is no family of this stack: create the card with the stack file whose family it is"
        in message
    )
    assert f"--stack-file <that stack file> --model <its family> --package-arn {version}" in message
    assert "model family" not in message


def test_a_card_error_finds_the_family_whatever_the_case_of_the_group_in_the_version_arn(
    write_stack,
) -> None:
    """SageMaker names are case-insensitive (its ARNs may carry another case than the stack file's
    name): the version is still the family's, and the command names the family."""
    config = _parsed(
        write_stack, at("endpoints.0.variants.0.model", {"latest_approved_of": "customer-churn"})
    )
    version = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/{GROUP.upper()}/7"

    def without_card(source: str) -> ResolvedModelPackage:
        return ResolvedModelPackage(arn=version, baselines=None, model_card=None, model_card_checked=True)

    with pytest.raises(ModelResolutionError) as refused:
        resolve_serving(config, without_card)

    assert f"--model customer-churn --package-arn {version} --model-card-only" in str(refused.value)
