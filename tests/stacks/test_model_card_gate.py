"""Staging and prod deploy only versions with a model card: the resolver looks the card up (moto),
`pulumi up` stops with the command that creates a missing one, and the stack file must say what
the cards state (config errors naming the file and key)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from planner.recorder import record_stack_file
from stacks.config import ConfigError, PlatformConfig, parse_platform_config
from stacks.model_cards import model_card_name
from stacks.model_packages import ModelResolutionError, ResolvedModelPackage, offline_resolver, resolve
from stacks.program import run
from stacks.resolution import resolve_serving
from stacks.stack_file import read_stack_file
from tests.aws_sessions import mocked_aws
from tests.conftest import stack_path
from tests.recorded import computed_once
from tests.stacks.conftest import serving_cut

REGION = "eu-west-1"
GROUP = "staging-customer-churn"


def _config(write_stack, stack: str, edit=None) -> PlatformConfig:
    path = write_stack(stack, edit, name=f"Pulumi.{stack}.yaml")
    return parse_platform_config(read_stack_file(str(path)).platform, str(path))


@pytest.fixture
def sagemaker(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(variable, "testing")
    with mocked_aws(REGION) as session:
        sagemaker = session.client("sagemaker")
        sagemaker.create_model_package_group(ModelPackageGroupName=GROUP)
        yield sagemaker


def _approved_version(sagemaker: Any) -> str:
    return sagemaker.create_model_package(
        ModelPackageGroupName=GROUP,
        ModelApprovalStatus="Approved",
        InferenceSpecification={
            "Containers": [{"Image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn:1"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    )["ModelPackageArn"]


def test_the_resolver_finds_a_versions_card_in_its_own_account(sagemaker) -> None:
    arn = _approved_version(sagemaker)
    account = arn.split(":")[4]

    missing = resolve(sagemaker, GROUP, cards_in=account)
    sagemaker.create_model_card(
        ModelCardName=model_card_name(GROUP, 1), Content="{}", ModelCardStatus="Approved"
    )
    found = resolve(sagemaker, GROUP, cards_in=account)

    assert (missing.model_card, missing.model_card_checked) == (None, True)
    assert found.model_card and found.model_card.endswith(f":model-card/{GROUP}-v1")
    # Cards are not read across accounts, nor where the stack does not require them.
    assert not resolve(sagemaker, GROUP, cards_in="999999999999").model_card_checked
    assert not resolve(sagemaker, GROUP).model_card_checked


def _resolver(arn: str, *, card: str | None, checked: bool = True):
    return lambda source: ResolvedModelPackage(
        arn=arn, baselines=None, model_card=card, model_card_checked=checked
    )


def test_staging_refuses_a_version_without_a_card_and_says_how_to_create_it(write_stack) -> None:
    config = _config(write_stack, "staging")
    arn = f"arn:aws:sagemaker:{REGION}:{config.account_id}:model-package/{GROUP}/7"

    with pytest.raises(ModelResolutionError) as refused:
        resolve_serving(config, _resolver(arn, card=None))

    message = str(refused.value)
    assert "version 7 of model family customer-churn" in message
    assert f"no model card {GROUP}-v7" in message
    assert "model_registry.require_model_card" in message
    assert (
        f"python -m pipelines.promotion --stack-file <this stack file> --model customer-churn "
        f"--package-arn {arn} --model-card-only" in message
    )


def test_staging_deploys_a_version_with_a_card(write_stack) -> None:
    config = _config(write_stack, "staging")
    arn = f"arn:aws:sagemaker:{REGION}:{config.account_id}:model-package/{GROUP}/7"
    card = f"arn:aws:sagemaker:{REGION}:{config.account_id}:model-card/{GROUP}-v7"

    serving = resolve_serving(config, _resolver(arn, card=card))

    assert [spec.name for spec in serving.endpoints] == ["customer-churn"]


@pytest.mark.parametrize(
    ("stack", "checked"),
    [("dev", True), ("staging", False)],
    ids=["dev does not require cards", "a card nobody looked up (offline, another account)"],
)
def test_a_version_without_a_card_deploys_where_no_card_is_required_or_known(
    write_stack, stack: str, checked: bool
) -> None:
    config = _config(write_stack, stack)
    arn = f"arn:aws:sagemaker:{REGION}:{config.account_id}:model-package/{stack}-customer-churn/3"

    assert resolve_serving(config, _resolver(arn, card=None, checked=checked)).endpoints


def test_the_offline_plan_of_prod_resolves_without_a_registry() -> None:
    source = str(stack_path("prod"))
    config = parse_platform_config(read_stack_file(source).platform, source)

    serving = resolve_serving(config, offline_resolver(config.region, config.account_id))

    assert config.model_registry.require_model_card and serving.endpoints


def _drop_card(platform: dict[str, Any]) -> None:
    del platform["models"][0]["model_card"]


@pytest.mark.parametrize(
    ("edit", "key", "says"),
    [
        (_drop_card, "models[0].model_card", "missing: this stack deploys only versions with a model card"),
        (
            lambda platform: platform["models"][0]["model_card"].update(risk_rating="Severe"),
            "models[0].model_card.risk_rating",
            "'High', 'Medium', 'Low' or 'Unknown'",
        ),
        (
            lambda platform: platform["models"][0]["model_card"].update(intended_use=""),
            "models[0].model_card.intended_use",
            "at least 1 character",
        ),
        (
            lambda platform: platform["models"][0]["model_card"].update(audience="x"),
            "models[0].model_card.audience",
            "",
        ),
    ],
    ids=["no card in prod", "unknown risk rating", "empty intended use", "unknown key"],
)
def test_model_card_config_errors_name_the_file_and_key(write_stack, edit, key: str, says: str) -> None:
    path = write_stack("prod", edit, name="Pulumi.prod.yaml")

    with pytest.raises(ConfigError) as error:
        parse_platform_config(read_stack_file(str(path)).platform, str(path))

    line = next(line for line in str(error.value).splitlines() if f"platform.{key}:" in line)
    assert str(path) in line and says in line


def test_requiring_cards_of_versions_the_pipeline_approves_itself_is_an_error(write_stack) -> None:
    path = write_stack(
        "prod", lambda p: p.update(model_registry={"approval": "auto"}), name="Pulumi.prod.yaml"
    )

    with pytest.raises(
        ConfigError, match=r"model_registry.require_model_card: versions the training pipeline"
    ):
        parse_platform_config(read_stack_file(str(path)).platform, str(path))


def test_a_stack_may_turn_the_requirement_off(write_stack) -> None:
    def edit(platform: dict[str, Any]) -> None:
        _drop_card(platform)
        platform["model_registry"] = {"require_model_card": False}

    config = _config(write_stack, "prod", edit)

    assert not config.model_registry.require_model_card and config.models[0].model_card is None


# -- end to end: the program as `pulumi up` runs it, against moto's registry ----------------------


@contextmanager
def _staging_registry() -> Iterator[Any]:
    """The staging fixture's account, its family's group holding one Approved version."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MOTO_ACCOUNT_ID", "222222222222")
        for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            patch.setenv(variable, "testing")
        with mocked_aws(REGION) as session:
            sagemaker = session.client("sagemaker")
            sagemaker.create_model_package_group(ModelPackageGroupName=GROUP)
            _approved_version(sagemaker)
            yield sagemaker


def _up(path: Any) -> Any:
    """`pulumi up` of the stack file at ``path``: the live resolver (``stacks.program``'s own) and
    endpoints."""
    return record_stack_file(str(path), program=run)


def test_pulumi_up_stops_on_a_version_without_a_card_and_deploys_it_once_it_has_one(write_stack) -> None:
    """The staging fixture cut (``serving_cut``): the card gate is the endpoint's resolution, and no
    section cut registers an endpoint or a model (staging scores no batches).

    Each `up` (without the card, then once the card exists) runs on a registry of its own holding
    the same version (and the card), once per version of the code for every xdist worker and later
    run (tests.recorded.computed_once): made and thrown away inside the computation, so the error's
    message and the graph are pure functions of the code (moto's in uv.lock), this module, the
    support files, the environment and the stack file (its bytes keyed). The first computation
    checks the error's type and message itself: an `up` that raises no such error fails there and
    is not kept."""
    path = write_stack("staging", serving_cut, name="Pulumi.staging.yaml")
    pattern = f"no model card {GROUP}-v1"

    def uncarded_up() -> str:
        with _staging_registry(), pytest.raises(ModelResolutionError, match=pattern) as raised:
            _up(path)
        return str(raised.value)

    assert re.search(pattern, computed_once("uncarded-up", uncarded_up, key=[path.read_bytes()]))

    def carded_up() -> Any:
        with _staging_registry() as registry:
            registry.create_model_card(ModelCardName=f"{GROUP}-v1", Content="{}", ModelCardStatus="Approved")
            return _up(path)

    graph = computed_once("carded-up", carded_up, key=[path.read_bytes()])

    [endpoint] = graph.of_type("aws:sagemaker/endpoint:Endpoint")
    [model] = graph.of_type("aws:sagemaker/model:Model")
    assert model.inputs["primaryContainer"]["modelPackageName"].endswith(f"model-package/{GROUP}/1")
    assert endpoint
