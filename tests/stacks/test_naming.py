"""Stacks are not environments: two stacks of one environment share an account without a collision.

Every name the platform chooses itself (not one Pulumi generates with a random suffix) starts
with the stack's name prefix, which defaults to the stack's name; AWS's length limits on those
names are checked when the stack file is read, naming the key.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from planner.policy_check import evaluate_policies
from planner.recorder import RecordedResource, ResourceGraph
from stacks.config import CONFIG_KEY, ConfigError, parse_platform_config
from tests.conftest import load_stack_document, stack_path
from tests.graph_helpers import policy_of, statements
from tests.recorded import recorded_stack
from tests.stacks.conftest import serving_cut
from tests.yaml_text import dump_document

OWN_NAME_KEYS = (
    "name",
    "namePrefix",
    "alarmName",
    "dashboardName",
    "endpointName",
    "featureGroupName",
    "modelPackageGroupName",
    "pipelineName",
    "trackingServerName",
    "jobDefinitionName",
    "monitoringScheduleName",
    "path",
)
"""Inputs that hold a resource's own account-wide name (or, for roles, the path its key policies
trust). A reference to another resource's name is prefixed when that name is."""
BUCKET_KEYS = ("bucket", "bucketPrefix")
"""A bucket's own name; on every other resource ``bucket`` refers to one."""


def _physical_names(resource: RecordedResource) -> set[str]:
    if not resource.is_cloud_resource or resource.type.startswith("kubernetes:"):
        return set()
    keys = BUCKET_KEYS if resource.type.startswith("aws:s3/bucket:Bucket") else OWN_NAME_KEYS
    return {value for key in keys if isinstance(value := resource.inputs.get(key), str)}


def physical_names(graph: ResourceGraph) -> set[str]:
    return {name for resource in graph for name in _physical_names(resource)}


def _write(
    tmp_path: Path, stack: str, edit: Callable[[dict[str, Any]], None] | None = None, base: str = "dev"
) -> Path:
    """A fixture stack as ``Pulumi.<stack>.yaml``, its name prefix left to default to the stack's name."""
    document = load_stack_document(base)
    platform = document["config"][CONFIG_KEY]
    del platform["name_prefix"]
    if edit is not None:
        edit(platform)
    path = tmp_path / f"Pulumi.{stack}.yaml"
    path.write_text(dump_document(document))
    return path


def _every_monitor(platform: dict[str, Any]) -> None:
    platform["monitoring"]["model_monitors"] |= {"bias": True, "explainability": True}


@pytest.fixture(scope="module", params=["dev", "prod"])
def pair(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[ResourceGraph, ResourceGraph]:
    """Two stacks of one environment in one account: the fixture's stack and a team sandbox beside
    it. The prod pair runs every kind of named resource: MLflow, every monitor, the dashboard,
    drift, GPU and no-traffic alarms, scheduled scaling.

    The dev pair's first stack is the dev fixture's own file (``stack_path("dev")``), the recording
    every reader of that fixture shares: its explicit ``name_prefix: dev`` is what the default
    would give a stack named dev (recorded both ways, the two graphs hold the same physical names,
    account, environment and key policies; they differ only in how the family's script assets
    spell their path). The sandbox beside it still leaves its prefix to default."""
    base = request.param
    edit = _every_monitor if base == "prod" else None
    folder = tmp_path_factory.mktemp(f"stacks-{base}")
    first = (
        recorded_stack(stack_path("dev"))
        if base == "dev"
        else recorded_stack(str(_write(folder, base, edit, base)))
    )
    return first, recorded_stack(str(_write(folder, "sandbox", edit, base)))


@pytest.fixture(scope="module")
def dev_and_sandbox(tmp_path_factory: pytest.TempPathFactory) -> tuple[ResourceGraph, ResourceGraph]:
    """The dev pair above (the same two documents, so the same two recordings)."""
    folder = tmp_path_factory.mktemp("stacks")
    return (
        recorded_stack(stack_path("dev")),
        recorded_stack(str(_write(folder, "sandbox"))),
    )


def test_two_stacks_of_one_environment_in_one_account_share_no_physical_name(pair) -> None:
    first, sandbox = pair
    assert first.config[CONFIG_KEY]["account_id"] == sandbox.config[CONFIG_KEY]["account_id"]
    assert first.environment == sandbox.environment

    shared = physical_names(first) & physical_names(sandbox)

    assert shared == set()


def test_the_names_compared_are_the_ones_that_collided_before(pair) -> None:
    """The comparison above is not vacuous: each kind of chosen name is in it, with its prefix."""
    first, sandbox = pair
    expected = [
        "alias/mlops-platform-sandbox-data",  # KMS aliases
        "/mlops-platform/sandbox/",  # role paths (the key policies trust them)
        "/mlops-platform/sandbox/vpc-flow-logs",  # log groups
        "sandbox-customer-churn",  # endpoint, feature group, model package group
        "sandbox-customer-churn-training",  # pipeline
        "sandbox-customer-churn-primary-5xx-errors",  # rollback alarms
    ]
    if first.environment == "prod":
        expected += [
            "mlops-platform-sandbox",  # dashboard
            "sandbox-mlflow",  # MLflow tracking server
            "sandbox-customer-churn-data-drift",  # monitoring alarms
            "sandbox-customer-churn-primary-gpu",
            "sandbox-customer-churn-primary-no-traffic",
            "sandbox-customer-churn-model-quality",  # monitoring job definitions
            "sandbox-customer-churn-model-bias",
            "sandbox-customer-churn-model-explainability",
            "sandbox-customer-churn-primary-business-hours",  # scheduled scaling
        ]
    names = physical_names(sandbox)
    for name in expected:
        assert name in names, name


def test_each_stacks_keys_trust_only_its_own_roles(dev_and_sandbox) -> None:
    dev, sandbox = dev_and_sandbox
    for graph, own, other in ((dev, "dev", "sandbox"), (sandbox, "sandbox", "dev")):
        policy = policy_of(graph.named("kms-data-key"), "policy")
        trusted = str(statements(policy))
        assert f"/mlops-platform/{own}/" in trusted
        assert f"/mlops-platform/{other}/" not in trusted


def test_the_policy_pack_config_is_the_environments_for_any_stack(dev_and_sandbox) -> None:
    """A stack named `sandbox` is governed by policies/dev.json: dev's instance types pass."""
    violations, evaluated = evaluate_policies(dev_and_sandbox[1])
    assert evaluated > 30
    assert [v for v in violations if v.enforcement_level == "mandatory"] == []


def test_an_explicit_name_prefix_wins_over_the_stack_name(tmp_path) -> None:
    """Only the endpoint's name is read: the dev fixture cut to what serves (``serving_cut``, whose
    endpoints keep the whole fixture's inputs; recorded whole and cut, the endpoint is the same)."""

    def edit(platform: dict[str, Any]) -> None:
        serving_cut(platform)
        platform.update(name_prefix="team-a")

    path = _write(tmp_path, "sandbox", edit)
    graph = recorded_stack(str(path))
    [endpoint] = graph.of_type("aws:sagemaker/endpoint:Endpoint")
    assert endpoint.inputs["name"] == "team-a-customer-churn"


# -- config validation ---------------------------------------------------------------------------


def _raw(**changes: Any) -> dict[str, Any]:
    platform = load_stack_document("prod")["config"][CONFIG_KEY]
    platform.update(changes)
    return platform


def _problems(raw: dict[str, Any], source: str) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(raw, source)
    assert raised.value.source == source
    return [f"{path}: {message}" for path, message in raised.value.problems]


def test_the_prefix_defaults_to_the_stack_name() -> None:
    raw = _raw()
    del raw["name_prefix"]
    assert parse_platform_config(raw, "stacks/Pulumi.team-b.yaml").name_prefix == "team-b"


@pytest.mark.parametrize("stack", ["Team_A", "ml.dev", "-dev", "a" * 25])
def test_a_stack_name_that_cannot_be_a_prefix_asks_for_one(stack: str) -> None:
    raw = _raw()
    del raw["name_prefix"]
    [problem] = _problems(raw, f"stacks/Pulumi.{stack}.yaml")
    assert problem.startswith(f"{CONFIG_KEY}.name_prefix: not set, so the stack's name '{stack}'")
    assert problem.endswith("set name_prefix")


@pytest.mark.parametrize("prefix", ["Prod", "prod_1", "prod--1", "prod-", "", "a" * 25])
def test_an_invalid_name_prefix_is_refused(prefix: str) -> None:
    [problem] = _problems(_raw(name_prefix=prefix), "stacks/Pulumi.prod.yaml")
    assert problem.startswith(f"{CONFIG_KEY}.name_prefix: ")


def _long(name_length: int) -> str:
    return "e" * name_length


def _rename_family(platform: dict[str, Any], name: str) -> None:
    platform["models"][0]["name"] = name
    platform["endpoints"][0]["variants"][0]["model"] = {"latest_approved_of": name}


@pytest.mark.parametrize(
    ("edit", "key", "what", "limit"),
    [
        pytest.param(
            lambda p: p["endpoints"][0].update(name=_long(60)),
            "endpoints[0].name",
            "SageMaker endpoint",
            63,
            id="endpoint",
        ),
        pytest.param(
            # Fits an endpoint (63) but not `<endpoint>-model-quality`: prod monitors model quality.
            lambda p: p["endpoints"][0].update(name=_long(45)),
            "endpoints[0].name",
            "monitoring job definition",
            63,
            id="model-quality-job-definition",
        ),
        pytest.param(
            lambda p: _rename_family(p, _long(60)),
            "models[0].name",
            "model package group",
            63,
            id="model-package-group",
        ),
        pytest.param(
            lambda p: p["feature_groups"][0].update(name=_long(60)),
            "feature_groups[0].name",
            "feature group",
            64,
            id="feature-group",
        ),
    ],
)
def test_a_physical_name_aws_would_refuse_is_a_config_error_naming_the_key(edit, key, what, limit) -> None:
    raw = _raw(name_prefix="prod-eu")
    edit(raw)
    problems = _problems(raw, "stacks/Pulumi.prod.yaml")
    assert any(
        problem.startswith(f"{CONFIG_KEY}.{key}: the {what} name 'prod-eu-e")
        and f"AWS allows at most {limit}" in problem
        for problem in problems
    ), problems


def test_names_at_the_limit_are_accepted() -> None:
    raw = _raw(name_prefix="prod")
    raw["endpoints"][0]["name"] = _long(63 - len("prod-") - len("-model-quality"))
    raw["feature_groups"][0]["name"] = _long(64 - len("prod-"))
    config = parse_platform_config(raw, "stacks/Pulumi.prod.yaml")
    assert len(config.endpoint_name(config.endpoints[0].name)) + len("-model-quality") == 63
