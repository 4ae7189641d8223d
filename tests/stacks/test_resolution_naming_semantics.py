"""What ``resolve_serving`` decides and which names ``stacks.naming`` derives, on parsed configs.

Resolution is driven by a resolver that knows some versions (the registry's answer, as
``stacks.model_packages`` gives it) and a lookup of what deployed endpoints serve: no stack is
recorded. Each test pins one decision: which endpoint serves which version, which waits and why,
which names the platform chooses and the config key a name reports.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

import pulumi
import pytest

from stacks import naming
from stacks.config import CONFIG_KEY, PlatformConfig, parse_platform_config
from stacks.model_packages import (
    DeployedEndpoint,
    ModelResolutionError,
    NoApprovedVersion,
    ResolvedModelPackage,
)
from stacks.resolution import resolve_serving
from stacks.stack_file import read_stack_file
from tests.config_problems import stack_file_problems
from tests.stack_edits import at, both
from tests.stacks.test_shared_endpoint_config import GPU_ENDPOINT

REGION = "eu-west-1"
ACCOUNT = "333333333333"  # the prod fixture's


def _version(group: str, number: int) -> str:
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/{group}/{number}"


def _config(write_stack, base: str = "prod", edit=None) -> PlatformConfig:
    path = write_stack(base, edit, name=f"Pulumi.{base}.yaml")
    return parse_platform_config(read_stack_file(str(path)).platform, str(path))


def _registry(approved: Mapping[str, str], *, existing: tuple[str, ...] = ()) -> Callable[[str], Any]:
    """A resolver: a group's latest Approved version from ``approved`` (group → version ARN), a
    version ARN as itself; a group not in ``approved`` has nothing approved (and exists when it is
    in ``existing``)."""

    def resolve(source: str) -> ResolvedModelPackage:
        if ":model-package/" in source:
            return ResolvedModelPackage(arn=source, baselines=None)
        if source in approved:
            return ResolvedModelPackage(arn=approved[source], baselines=None)
        raise NoApprovedVersion(source, group_exists=source in existing)

    return resolve


def _deployed(**serving: Mapping[str, str]) -> Callable[[str], DeployedEndpoint | None]:
    """Endpoints that exist, by physical name → variant → the version it runs."""
    return lambda name: DeployedEndpoint(versions=serving[name]) if name in serving else None


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    logged: list[str] = []
    monkeypatch.setattr(pulumi.log, "warn", lambda message, *_, **__: logged.append(message))
    return logged


def _challenger(platform: dict[str, Any]) -> None:
    """A second family, `churn-challenger`, shadowing the prod endpoint's primary."""
    family = copy.deepcopy(platform["models"][0])
    family["name"] = "churn-challenger"
    platform["models"].append(family)
    platform["endpoints"][0]["shadow_variants"] = [
        {
            "name": "challenger",
            "model": {"latest_approved_of": "churn-challenger"},
            "instance_type": "ml.g5.2xlarge",
            "initial_instance_count": 2,
        }
    ]


# -- endpoints -------------------------------------------------------------------------------------


def test_a_deployed_endpoint_moves_the_approved_variant_on_and_keeps_the_waiting_one_where_it_is(
    write_stack, warnings
) -> None:
    """The primary's family has a new approved version; the challenger's has none now. The
    endpoint exists: the primary deploys the new version, the challenger keeps *its own* version."""
    config = _config(write_stack, edit=_challenger)
    new_primary = _version("prod-customer-churn", 5)
    running = {
        "primary": _version("prod-customer-churn", 4),
        "challenger": _version("prod-churn-challenger", 2),
    }

    serving = resolve_serving(
        config,
        _registry({"prod-customer-churn": new_primary}, existing=("prod-churn-challenger",)),
        _deployed(**{"prod-customer-churn": running}),
    )

    assert [spec.name for spec in serving.endpoints] == ["customer-churn"]
    assert serving.deferred == {}
    versions = {variant: package.arn for variant, package in serving.packages["customer-churn"].items()}
    assert versions == {"primary": new_primary, "challenger": running["challenger"]}
    [warning] = warnings
    assert warning.startswith(
        "endpoint customer-churn: model package group prod-churn-challenger has no Approved version now; "
        f"variant challenger keeps serving {running['challenger']}"
    )


def test_every_waiting_variant_of_a_deployed_endpoint_keeps_its_version_with_its_own_warning(
    write_stack, warnings
) -> None:
    config = _config(write_stack, edit=_challenger)
    running = {
        "primary": _version("prod-customer-churn", 4),
        "challenger": _version("prod-churn-challenger", 2),
    }

    serving = resolve_serving(config, _registry({}), _deployed(**{"prod-customer-churn": running}))

    versions = {variant: package.arn for variant, package in serving.packages["customer-churn"].items()}
    assert versions == running
    assert [warning.split("; ")[1].split(",")[0] for warning in warnings] == [
        f"variant primary keeps serving {running['primary']}",
        f"variant challenger keeps serving {running['challenger']}",
    ]


def test_an_endpoint_is_looked_up_by_its_physical_name(write_stack, warnings) -> None:
    """Only ``prod-customer-churn`` exists in the account: a lookup by the config name would find
    nothing and defer (delete) the serving endpoint."""
    config = _config(write_stack)
    running = _version("prod-customer-churn", 4)

    serving = resolve_serving(
        config,
        _registry({}, existing=("prod-customer-churn",)),
        _deployed(**{"prod-customer-churn": {"primary": running}}),
    )

    assert serving.deferred == {}
    assert serving.packages["customer-churn"]["primary"].arn == running


def test_a_deferred_endpoint_is_neither_served_nor_monitored_and_its_warning_says_why(
    write_stack, warnings
) -> None:
    config = _config(write_stack, edit=_challenger)
    assert [spec.name for spec in config.monitored_endpoints] == ["customer-churn"], "non-vacuous"

    serving = resolve_serving(config, _registry({}, existing=("prod-customer-churn",)))

    assert serving.endpoints == []
    assert serving.monitored == []
    assert "customer-churn" not in serving.packages
    message = serving.deferred["customer-churn"]
    assert warnings == [message]
    # Every waiting variant, each with its own reason; the physical endpoint that is not created.
    assert (
        "variant primary follows model package group prod-customer-churn, which has no Approved version yet"
        in message
    )
    assert (
        "variant challenger follows model package group prod-churn-challenger, which does not exist yet"
        in message
    )
    assert "creates everything else and no endpoint prod-customer-churn." in message


@pytest.mark.parametrize(
    ("edit", "says", "never"),
    [
        pytest.param(
            None,
            "approve the version it registers (python -m pipelines.promotion",
            "approved automatically",
            id="manual-approval-names-the-promotion-command",
        ),
        pytest.param(
            both(at("model_registry.approval", "auto"), at("model_registry.require_model_card", False)),
            "a version that passes evaluation is approved automatically in this stack",
            "pipelines.promotion",
            id="auto-approval-says-no-step",
        ),
        pytest.param(
            at("training.enabled", False),
            "register a version in model package group prod-customer-churn and approve it",
            "start-pipeline-execution",
            id="no-training-names-no-pipeline",
        ),
    ],
)
def test_the_deferral_names_the_steps_this_stack_takes(write_stack, warnings, edit, says, never) -> None:
    config = _config(write_stack, edit=edit)

    message = resolve_serving(config, _registry({})).deferred["customer-churn"]

    assert says in message
    assert never not in message


def test_the_deferral_starts_the_familys_pipeline_by_its_physical_name(write_stack, warnings) -> None:
    message = resolve_serving(_config(write_stack), _registry({})).deferred["customer-churn"]

    assert "training-data/customer-churn/ of the datasets bucket" in message
    assert "--pipeline-name prod-customer-churn-training)" in message


def test_a_family_of_another_account_is_approved_there(write_stack, warnings) -> None:
    group = "arn:aws:sagemaker:eu-west-1:444444444444:model-package-group/central-churn"
    config = _config(write_stack, edit=at("endpoints.0.variants.0.model", {"latest_approved_of": group}))

    message = resolve_serving(config, _registry({})).deferred["customer-churn"]

    assert (
        f"approve a version in the registry that owns {group} (its own stack's training pipeline)" in message
    )
    assert "start-pipeline-execution" not in message


# -- shared endpoints --------------------------------------------------------------------------------


def _shared(platform: dict[str, Any]) -> None:
    platform["shared_endpoints"] = [copy.deepcopy(GPU_ENDPOINT)]


def test_a_shared_endpoint_serves_each_components_version(write_stack, warnings) -> None:
    config = _config(write_stack, edit=_shared)
    churn = _version("prod-customer-churn", 3)
    ranker = GPU_ENDPOINT["components"][1]["model"]["model_package_arn"]

    serving = resolve_serving(config, _registry({"prod-customer-churn": churn}))

    assert [spec.name for spec in serving.shared_endpoints] == ["gpu-models"]
    versions = {name: package.arn for name, package in serving.shared_packages["gpu-models"].items()}
    assert versions == {"churn": churn, "ranker": ranker}
    assert warnings == []


def test_a_shared_endpoint_waiting_for_a_version_is_deferred_with_a_warning(write_stack, warnings) -> None:
    config = _config(write_stack, edit=_shared)

    serving = resolve_serving(config, _registry({}, existing=("prod-customer-churn",)))

    assert serving.shared_endpoints == []
    assert "gpu-models" not in serving.shared_packages
    message = serving.deferred["gpu-models"]
    assert message in warnings
    assert (
        "component churn follows model package group prod-customer-churn, which has no Approved version yet"
        in message
    )
    assert "no endpoint prod-gpu-models." in message


def test_a_deployed_shared_endpoint_waiting_for_a_version_stops_the_run(write_stack, warnings) -> None:
    """Deferring it would delete the endpoint with every model on it; looked up by its physical name."""
    config = _config(write_stack, edit=_shared)

    with pytest.raises(
        ModelResolutionError, match=r"^shared endpoint gpu-models is deployed, and its component churn"
    ):
        resolve_serving(
            config,
            _registry({}, existing=("prod-customer-churn",)),
            _deployed(**{"prod-gpu-models": {}}),
        )


RANKER_GROUP = "arn:aws:sagemaker:eu-west-1:333333333333:model-package-group/prod-ranker"


def test_a_deployed_shared_endpoint_names_every_waiting_component(write_stack, warnings) -> None:
    """Both components follow groups with nothing approved: the error names each, in stack-file order."""

    def edit(platform: dict[str, Any]) -> None:
        _shared(platform)
        platform["shared_endpoints"][0]["components"][1]["model"] = {"latest_approved_of": RANKER_GROUP}

    config = _config(write_stack, edit=edit)
    with pytest.raises(ModelResolutionError) as raised:
        resolve_serving(
            config,
            _registry({}, existing=("prod-customer-churn",)),
            _deployed(**{"prod-gpu-models": {}}),
        )
    assert str(raised.value) == (
        "shared endpoint gpu-models is deployed, and its component churn follows model package group "
        "prod-customer-churn, which has no Approved version; component ranker follows model package group "
        f"{RANKER_GROUP}, which has no Approved version: approve a version of each group, or remove "
        "those components from the stack file (deferring would delete the endpoint and every model on it)"
    )


def test_a_shared_components_version_without_a_card_stops_a_stack_that_requires_cards(
    write_stack, warnings
) -> None:
    """The endpoint's family has its card; the ranker's pinned version (this account's) has none."""
    config = _config(write_stack, edit=_shared)
    assert config.model_registry.require_model_card, "prod requires cards"
    ranker = GPU_ENDPOINT["components"][1]["model"]["model_package_arn"]

    def resolve(source: str) -> ResolvedModelPackage:
        arn = _version("prod-customer-churn", 3) if source == "prod-customer-churn" else source
        card = None if arn == ranker else f"{arn}-card"
        return ResolvedModelPackage(arn=arn, baselines=None, model_card=card, model_card_checked=True)

    with pytest.raises(ModelResolutionError) as refused:
        resolve_serving(config, resolve)

    # prod-ranker is no family of this stack (its models are customer-churn's): the card is made with
    # the stack file whose family it is (pipelines.promotion refuses --model ranker here).
    assert str(refused.value).startswith(
        f"endpoint gpu-models, variant ranker: version 2 of model package group prod-ranker ({ranker}) has "
        "no model card prod-ranker-v2"
    )
    assert (
        "The group is no family of this stack: create the card with the stack file whose family it is"
        in str(refused.value)
    )


# -- names -------------------------------------------------------------------------------------------


def test_every_name_the_platform_chooses_is_checked_with_its_key_and_limit(write_stack) -> None:
    """The prod fixture with a shared endpoint and every monitor: each kind of chosen name is in
    the list the config's length check walks, prefixed, reporting the key a user shortens."""

    def edit(platform: dict[str, Any]) -> None:
        _shared(platform)
        platform["monitoring"]["model_monitors"] |= {"bias": True, "explainability": True}

    config = _config(write_stack, edit=edit)

    derived = [(name.key, name.name, name.type_token, name.limit) for name in naming.derived_names(config)]

    assert derived == [
        ("feature_groups[0].name", "prod-customer-churn", "aws:sagemaker/featureGroup:FeatureGroup", 64),
        (
            "feature_groups[1].name",
            "prod-customer-churn-labelled",
            "aws:sagemaker/featureGroup:FeatureGroup",
            64,
        ),
        ("models[0].name", "prod-customer-churn", "aws:sagemaker/modelPackageGroup:ModelPackageGroup", 63),
        ("models[0].name", "prod-customer-churn-training", "aws:sagemaker/pipeline:Pipeline", 256),
        ("endpoints[0].name", "prod-customer-churn", "aws:sagemaker/endpoint:Endpoint", 63),
        (
            "endpoints[0].name",
            "prod-customer-churn-model-quality",
            "aws-native:sagemaker:ModelQualityJobDefinition",
            63,
        ),
        (
            "endpoints[0].name",
            "prod-customer-churn-model-bias",
            "aws-native:sagemaker:ModelBiasJobDefinition",
            63,
        ),
        (
            "endpoints[0].name",
            "prod-customer-churn-model-explainability",
            "aws-native:sagemaker:ModelExplainabilityJobDefinition",
            63,
        ),
        ("name_prefix", "mlops-platform-prod-feature-queries", "aws:athena/workgroup:Workgroup", 128),
        ("shared_endpoints[0].name", "prod-gpu-models", "aws:sagemaker/endpoint:Endpoint", 63),
        (
            "shared_endpoints[0].components[0].name",
            "prod-gpu-models-churn",
            "aws-native:sagemaker:InferenceComponent",
            63,
        ),
        (
            "shared_endpoints[0].components[1].name",
            "prod-gpu-models-ranker",
            "aws-native:sagemaker:InferenceComponent",
            63,
        ),
        (
            "experiment_tracking.name",
            "prod-mlflow",
            "aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer",
            256,
        ),
    ]


@pytest.mark.parametrize(
    ("path", "stack"),
    [
        ("stacks/Pulumi.team-b.yaml", "team-b"),
        ("Pulumi.team-b.yml", "team-b"),
        ("stacks/team-b.yaml", "team-b"),
        ("/tmp/Pulumi.prod.eu.yaml", "prod.eu"),
    ],
    ids=["pulumi-yaml", "pulumi-yml", "any-other-file-its-stem", "dots-inside-the-stack-name"],
)
def test_the_stack_name_comes_from_the_file_name(path: str, stack: str) -> None:
    assert naming.stack_name_of(path) == stack


@pytest.mark.parametrize(
    ("prefix", "accepted"),
    [
        ("a" * naming.MAX_NAME_PREFIX_LENGTH, True),
        ("a" * (naming.MAX_NAME_PREFIX_LENGTH + 1), False),
        ("prod\n", False),
    ],
    ids=["longest", "one-too-long", "a-trailing-newline-would-end-up-in-every-name"],
)
def test_a_name_prefix_is_accepted_up_to_its_length_and_nothing_after_it(prefix: str, accepted: bool) -> None:
    assert (naming.name_prefix_problem(prefix) is None) is accepted


def test_a_component_name_too_long_for_aws_names_its_own_key(write_stack) -> None:
    """``<prefix>-<shared endpoint>-<component>`` over 63: the error points at that component."""

    def edit(platform: dict[str, Any]) -> None:
        _shared(platform)
        platform["shared_endpoints"][0]["components"][1]["name"] = "r" * 50

    problems = stack_file_problems(write_stack("prod", edit, name="Pulumi.prod.yaml"))

    key = f"{CONFIG_KEY}.shared_endpoints[0].components[1].name"
    assert problems[key].startswith(
        "the inference component (<shared_endpoints[0].name>-<components[1].name>) name 'prod-gpu-models-rrr"
    )
    assert "AWS allows at most 63" in problems[key]
