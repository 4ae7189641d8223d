"""Component leftovers of session 61, closed in session 62 (each confirmed by a test failing first).

1. An awaitable that is not a Pulumi Output (a coroutine, an ``asyncio`` future or task) given
   where a plain SageMaker name is needed (an endpoint's alarms, a model family's group) was refused
   as "is a Pulumi Output": an adopter who passed ``get_name()`` un-awaited was sent looking for an
   Output in code that has none. The refusal now says what the value is (a coroutine, a Future...),
   and still says an Output is one when it is.
2. Model package version ARNs: ``MODEL_PACKAGE_VERSION_ARN`` (``ModelSource.model_package_arn``,
   and what the resolvers take as pinned) and ``BatchScoringSpec.model_package_arn``'s pattern took
   any run of letters, digits and ``-`` as the group, and any digits as the version. A group is a
   model package group name, botocore's ``EntityName`` (``[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}``, at
   most 63 characters), and a version is ``ModelPackageVersion`` (at least 1) written as
   CreateModel's ``VersionedArnOrName`` takes it (``/[0-9]{1,9}``): an adopter's ``ModelSource``
   or ``BatchScoringSpec`` with a 64-character group, ``-churn``, ``churn-`` or version ``0``
   passed, and SageMaker refused the model at ``pulumi up``. Both now take what SageMaker has and
   say which part is wrong; a stack file naming such an ARN is refused naming the file and the key
   (it was already, by ``stacks/arns.py``, whose version bound now agrees with botocore's too).

Mutations run over the changes (one at a time, this file's tests):

=============================================== ========= ======== ========== ========== ==========
module                                          mutations survived caught now equivalent left alone
=============================================== ========= ======== ========== ========== ==========
components/serving/inference_endpoint_spec.py   7         2        1          1          0
components/serving/batch_scoring_spec.py        1         0        0          0          0
stacks/arns.py                                  1         0        0          0          0
=============================================== ========= ======== ========== ========== ==========

Caught now: the article of an awaitable's type (``an AsyncName``), by the adopter's own awaitable.
Equivalent: a coroutine branch naming "a coroutine", its type's own name (the branch is gone).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml

from components.observability.alarm_thresholds import AlarmThresholds
from components.observability.endpoint_alarms import EndpointAlarmsArgs, VariantAlarms
from components.serving.batch_scoring_spec import BatchScoringSpec
from components.serving.inference_endpoint_spec import (
    MODEL_PACKAGE_VERSION_ARN,
    ModelSource,
    endpoint_name_problem,
    sagemaker_name_problem,
)
from stacks.arns import ArnError, parse_model_package_version_arn
from stacks.config import CONFIG_KEY, ConfigError, parse_platform_config
from stacks.stack_file import read_stack_file
from tests.components.test_model_quality_alarms import _args as quality_alarms
from tests.conftest import load_stack_document

PLAIN = (
    "must be a plain string: it names resources, and {whose} value is known only {when}; pass the name itself"
)
AWAITED = {"whose": "an awaitable's", "when": "once awaited"}


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    """A loop for the futures and Outputs the tests make (an Output is made in one)."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        asyncio.set_event_loop(None)
        loop.close()


async def _name() -> str:
    return "churn"


class AsyncName:
    """An awaitable of an adopter's own (as a client library's pending result may be)."""

    def __await__(self) -> Generator[None, None, str]:
        yield
        return "churn"


def _endpoint_alarms(name: object) -> EndpointAlarmsArgs:
    return EndpointAlarmsArgs(
        endpoint_name=name,  # type: ignore[arg-type]
        variants=[VariantAlarms(name="blue", gpus=0, instance_based=True)],
        thresholds=AlarmThresholds(),
        alarm_topic_arn="arn:aws:sns:eu-west-1:123456789012:alerts",
        tags={"owner": "t"},
    )


def test_an_awaitable_that_is_no_output_is_refused_as_what_it_is(loop: asyncio.AbstractEventLoop) -> None:
    """A coroutine is called a coroutine, a future a Future, an Output an Output; each is still
    refused where the name must be plain, and left alone where a monitor takes an Input."""
    coroutine = _name()
    future = loop.create_future()
    output = pulumi.Output.from_input("churn")
    try:
        for value, what, tail in (
            (coroutine, "a coroutine (an awaitable, not yet awaited)", AWAITED),
            (future, "a Future (an awaitable, not yet awaited)", AWAITED),
            (AsyncName(), "an AsyncName (an awaitable, not yet awaited)", AWAITED),
            (output, "a Pulumi Output", {"whose": "an Output's", "when": "as the program runs"}),
        ):
            expected = f"is {what}, but this endpoint name {PLAIN.format(**tail)}"
            assert sagemaker_name_problem(value, "endpoint name") == expected
            with pytest.raises(
                ValueError, match=rf"^EndpointAlarmsArgs\.endpoint_name: {re.escape(expected)}$"
            ):
                _endpoint_alarms(value)
            with pytest.raises(
                ValueError, match=rf"^ModelQualityAlarmsArgs\.endpoint_name: {re.escape(expected)}$"
            ):
                quality_alarms(endpoint_name=value)
            assert endpoint_name_problem(value) is None
        assert "Pulumi Output" not in (sagemaker_name_problem(coroutine, "model package group name") or "")
    finally:
        coroutine.close()


# --- 2. model package version ARNs ------------------------------------------------------------------

PREFIX = "arn:aws:sagemaker:eu-west-1:333333333333:model-package/"
LONGEST = "a" + "-b" * 31  # 63 characters: the longest group name
ACCEPTED = [("churn", "3"), (LONGEST, "3"), ("a--b", "1"), ("Churn9", "999999999"), ("c" * 63, "12")]
REFUSED_GROUPS = ["a" * 64, LONGEST + "c", "a" * 200, "-churn", "churn-", "ch_urn"]
REFUSED_VERSIONS = ["0", "03", "1234567890", ""]


def _version_arn_refusal(arn: str) -> str | None:
    """What ``ModelSource`` says of a pinned ``arn`` (None: taken)."""
    try:
        ModelSource(model_package_arn=arn)
    except ValueError as error:
        return str(error)
    return None


@pytest.mark.parametrize(("group", "version"), ACCEPTED)
def test_a_version_arn_sagemaker_can_have_is_taken(group: str, version: str) -> None:
    arn = f"{PREFIX}{group}/{version}"
    match = MODEL_PACKAGE_VERSION_ARN.match(arn)
    assert match is not None and (match["group"], match["version"]) == (group, version)
    assert _version_arn_refusal(arn) is None
    assert BatchScoringSpec(schedule="rate(1 day)", model_package_arn=arn).model_package_arn == arn
    assert parse_model_package_version_arn(arn).group == group


@pytest.mark.parametrize("group", REFUSED_GROUPS)
def test_a_version_arn_whose_group_sagemaker_cannot_have_is_refused_naming_the_group(group: str) -> None:
    """botocore's EntityName (CreateModelPackageGroup's ModelPackageGroupName, the group a
    version's ARN names): 1-63 letters or digits, separated by ``-``."""
    arn = f"{PREFIX}{group}/3"
    assert MODEL_PACKAGE_VERSION_ARN.match(arn) is None
    reason = f"its group {group!r} is not a model package group name: 1-63 letters or digits, separated by -"
    assert reason in (_version_arn_refusal(arn) or "")
    with pytest.raises(ValueError, match=re.escape(reason)):
        BatchScoringSpec(schedule="rate(1 day)", model_package_arn=arn)
    with pytest.raises(ArnError):
        parse_model_package_version_arn(arn)


@pytest.mark.parametrize("version", REFUSED_VERSIONS)
def test_a_version_arn_whose_version_sagemaker_cannot_have_is_refused_naming_it(version: str) -> None:
    """ModelPackageVersion is at least 1; CreateModel's ModelPackageName (VersionedArnOrName) takes
    at most 9 digits of it."""
    arn = f"{PREFIX}churn/{version}"
    assert MODEL_PACKAGE_VERSION_ARN.match(arn) is None
    assert _version_arn_refusal(arn) is not None
    with pytest.raises(ValueError):
        BatchScoringSpec(schedule="rate(1 day)", model_package_arn=arn)
    with pytest.raises(ArnError):
        parse_model_package_version_arn(arn)


def test_the_bounds_are_botocores() -> None:
    """The source of the bounds: the sagemaker model's EntityName, ModelPackageVersion and the
    version part of VersionedArnOrName (CreateModel's ContainerDefinition.ModelPackageName)."""
    import botocore.session

    shapes = botocore.session.get_session().get_service_model("sagemaker")
    entity = shapes.shape_for("EntityName").metadata
    assert (entity["min"], entity["max"], entity["pattern"]) == (1, 63, "[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")
    assert shapes.shape_for("ModelPackageVersion").metadata["min"] == 1
    assert shapes.shape_for("VersionedArnOrName").metadata["pattern"].endswith(r"(\/[0-9]{1,9})?")
    request = shapes.operation_model("CreateModelPackageGroup").input_shape.members
    assert request["ModelPackageGroupName"].name == "EntityName"


def _stack_problem(tmp_path: Path, edit: Any) -> str:
    document = load_stack_document("prod")
    edit(document["config"][CONFIG_KEY])
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(read_stack_file(path).platform, str(path))
    return str(raised.value)


@pytest.mark.parametrize("group", ["a" * 64, "churn-"])
def test_a_stack_file_pinning_such_a_version_is_refused_naming_the_file_and_key(
    tmp_path: Path, group: str
) -> None:
    arn = f"{PREFIX}{group}/3"

    def pin_endpoint(platform: dict[str, Any]) -> None:
        platform["endpoints"][0]["variants"][0]["model"] = {"model_package_arn": arn}

    def pin_batch(platform: dict[str, Any]) -> None:
        platform["models"][0]["batch_scoring"]["model_package_arn"] = arn

    for edit, key in (
        (pin_endpoint, "endpoints[0].variants[0].model.model_package_arn"),
        (pin_batch, "models[0].batch_scoring.model_package_arn"),
    ):
        message = _stack_problem(tmp_path, edit)
        assert f"{tmp_path / 'Pulumi.prod.yaml'}: {CONFIG_KEY}.{key}: " in message, message
        assert f"its group {group!r} is not a model package group name" in message, message
