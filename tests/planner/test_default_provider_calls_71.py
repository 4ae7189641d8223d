"""A method call (``pulumi.runtime.call``) is checked against ``pulumi:disable-default-providers``
as the engine's Call checks it (pulumi/pulumi pkg/resource/deploy/source_eval.go ``Call``): served
by the request's ``provider``, else by the provider the engine registered its ``__self__`` with (a
custom resource always has one, a local component none), else by the default provider of the
token's package, which the list denies. The recording had no Call at all (the SDK's mock monitor
defines none): every method call failed with an AttributeError, refused or not.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from planner import mocks
from planner.default_providers import DefaultProviderDenied
from planner.recorder import ResourceGraph, record_program
from stacks.config import ConfigError
from stacks.default_providers import DISABLE_DEFAULT_PROVIDERS_KEY
from stacks.stack_file import read_stack_file
from tests.stacks.project_folder import project_folder

SOURCE = "team/Pulumi.x.yaml"
METHOD = "eks:index:Cluster/getKubeconfig"


@pytest.fixture(autouse=True)
def _answered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(mocks._INVOKES, METHOD, lambda answering, arguments: {"kubeconfig": arguments})
    monkeypatch.setitem(
        mocks._INVOKES, "pulumi:providers:eks/kubeconfig", lambda answering, arguments: {"kubeconfig": "k"}
    )


def record(program: Callable[[], Any], disabled: list[str] | None = None) -> ResourceGraph:
    config: dict[str, Any] = {"aws:region": "eu-west-1", DISABLE_DEFAULT_PROVIDERS_KEY: disabled or ["eks"]}
    return record_program(program, config=config, source=SOURCE)


def refusal(program: Callable[[], Any], disabled: list[str] | None = None) -> str:
    with pytest.raises(DefaultProviderDenied) as denied:
        record(program, disabled)
    return str(denied.value)


class Team(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("eks:index:Team", name, None, opts)


class RemoteCluster(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("eks:index:Cluster", name, {}, opts, remote=True)


def _eks_provider() -> pulumi.ProviderResource:
    return pulumi.ProviderResource("eks", "main", {})


def _call(on: pulumi.Resource | None = None) -> None:
    props = {"__self__": on} if on is not None else {}
    pulumi.export("kubeconfig", pulumi.runtime.call(METHOD, {**props, "format": "yaml"}, on))


def test_a_call_without_a_provider_is_refused_as_the_engine_refuses_it() -> None:
    message = refusal(_call)

    assert message.startswith(
        f"Default provider for 'eks' disabled. '{METHOD}' must use an explicit provider. "
    )
    assert f"The method call {METHOD} names no eks provider" in message
    assert f"`pulumi:disable-default-providers` in {SOURCE} lists 'eks'" in message
    assert refusal(_call, ["*"]).startswith("Default provider for 'eks' disabled.")


def test_a_call_of_a_package_not_listed_is_answered_by_the_mocks() -> None:
    graph = record(_call, ["aws", "eksx"])

    assert graph.exports == {"kubeconfig": {"kubeconfig": {"format": "yaml"}}}


def test_a_call_on_a_local_component_is_refused_even_with_its_providers() -> None:
    """The engine keeps no provider for a local component and Call looks at no ``providers``."""

    def program() -> None:
        _call(Team("team", pulumi.ResourceOptions(providers=[_eks_provider()])))

    assert f"The method call {METHOD} names no eks provider" in refusal(program)


def test_a_call_on_a_resource_given_a_provider_is_answered() -> None:
    def on_a_remote_component() -> None:  # the SDK sends the provider the component was given
        _call(RemoteCluster("cluster", pulumi.ResourceOptions(provider=_eks_provider())))

    def on_a_custom_resource() -> None:  # the provider the engine registered it with (aws's)
        _call(aws.s3.Bucket("b", opts=pulumi.ResourceOptions(provider=aws.Provider("a", region="eu-west-1"))))

    for program in (on_a_remote_component, on_a_custom_resource):
        assert record(program, ["eks", "aws"]).exports["kubeconfig"] == {"kubeconfig": {"format": "yaml"}}


def test_a_call_on_a_custom_resource_with_its_default_provider_is_answered() -> None:
    """The SDK sends no provider, the engine takes the (aws) default one it registered ``__self__``
    with, not the default provider of the method's (listed) package."""
    assert record(lambda: _call(aws.s3.Bucket("b")), ["eks"]).exports["kubeconfig"] == {
        "kubeconfig": {"format": "yaml"}
    }


def test_a_provider_method_is_served_by_its_provider() -> None:
    """``pulumi:providers:<pkg>/<method>``: the engine calls it on ``__self__``, the provider."""

    def program() -> None:
        provider = _eks_provider()
        pulumi.export("k", pulumi.runtime.call("pulumi:providers:eks/kubeconfig", {"__self__": provider}))

    assert record(program, ["*"]).exports == {"k": {"kubeconfig": "k"}}


def test_the_provider_the_request_names_is_enough_without_a_self() -> None:
    def program() -> None:
        cluster = RemoteCluster("cluster", pulumi.ResourceOptions(provider=_eks_provider()))
        pulumi.export("kubeconfig", pulumi.runtime.call(METHOD, {}, cluster))  # no `__self__` sent

    assert record(program).exports == {"kubeconfig": {"kubeconfig": {}}}


def test_a_remote_self_is_not_a_local_components() -> None:
    """A remote component sent as ``__self__`` with no provider (one of another package, its own
    allowed): the engine keeps no goal for it and fails the call as an unknown resource, no denial."""
    from planner.default_providers import DefaultProviderGuard

    guard = DefaultProviderGuard(frozenset({"eks"}), SOURCE)
    remote = "urn:pulumi:test::p::cloud:index:Cluster::c"
    local = "urn:pulumi:test::p::team:index:Team::t"
    for urn, is_remote in ((remote, True), (local, False)):
        component = SimpleNamespace(
            type=urn.split("::")[2],
            name="c",
            custom=False,
            remote=is_remote,
            provider="",
            providers={},
            parent="",
        )
        guard.register(component, lambda urn=urn: urn)
    call = SimpleNamespace(tok=METHOD, provider="")

    guard.call(call, remote)
    with pytest.raises(DefaultProviderDenied):
        guard.call(call, local)


# -- parameterized and extension packages: judged by the package the engine asks a provider for ---------


def _random_string() -> None:
    """pulumi-terraform-provider's `random` (a replacement parameterization of `terraform-provider`)."""
    ref = pulumi.runtime.register_package("terraform-provider", "0.13.0", "", "random", "3.6.0", "cmFuZG9t")
    pulumi.CustomResource("random:index/randomString:RandomString", "r", {"length": 8}, package_ref=ref)


def _extension_thing() -> None:
    """An extension of `aws` (its base provider parameterized with `aws-ext`)."""
    ref = pulumi.runtime.register_package("aws", "7.0.0", "", "aws-ext", "1.0.0", "ZXh0", extension=True)
    pulumi.CustomResource("aws-ext:index:Thing", "t", {}, package_ref=ref)


def _extension_invoke() -> None:
    ref = pulumi.runtime.register_package("aws", "7.0.0", "", "aws-ext", "1.0.0", "ZXh0", extension=True)
    pulumi.runtime.invoke("aws-ext:index:getThing", {}, package_ref=ref)


def test_a_replacement_package_is_judged_by_its_own_name_not_its_plugins() -> None:
    assert refusal(_random_string, ["random"]).startswith("Default provider for 'random' disabled.")
    assert [r.type for r in record(_random_string, ["terraform-provider"]).resources][-1].startswith(
        "random:"
    )


def test_an_extension_package_is_judged_by_its_base_providers_name() -> None:
    """The engine's ProviderRequest for an extension is its base plugin's, unparameterized: the
    list is compared with `aws`, not with the token's `aws-ext`."""
    assert refusal(_extension_thing, ["aws"]).startswith("Default provider for 'aws' disabled.")
    assert refusal(_extension_invoke, ["aws"]).startswith("Default provider for 'aws' disabled.")
    assert [r.type for r in record(_extension_thing, ["aws-ext"]).resources][-1] == "aws-ext:index:Thing"


# -- Pulumi.yaml's malformed list under ESC environments: the engine may never read it ----------------


def test_a_malformed_list_from_pulumi_yaml_is_left_to_pulumi_up_when_environments_may_set_one(
    tmp_path: Path,
) -> None:
    """mergeConfig (pulumi/pulumi pkg/workspace/config.go) merges the environments into the
    stack's config first and Pulumi.yaml's value only where the key is still unset: an imported
    environment may set the list, and Pulumi.yaml's is then never read."""

    def importing(document: dict[str, Any]) -> None:
        document["config"].pop(DISABLE_DEFAULT_PROVIDERS_KEY, None)
        document["environment"] = ["team/providers"]

    project_list = "  pulumi:disable-default-providers:\n    value: '*'\n"
    stack_file = read_stack_file(project_folder(tmp_path, project_list, edit=importing))
    assert DISABLE_DEFAULT_PROVIDERS_KEY not in stack_file.config  # judged by no list offline
    assert stack_file.default_providers_source == ""

    def without_environments(document: dict[str, Any]) -> None:
        document["config"].pop(DISABLE_DEFAULT_PROVIDERS_KEY, None)

    with pytest.raises(ConfigError):  # no environment to set it: Pulumi.yaml's is what the engine reads
        read_stack_file(project_folder(tmp_path, project_list, edit=without_environments))

    def its_own(document: dict[str, Any]) -> None:
        document["config"][DISABLE_DEFAULT_PROVIDERS_KEY] = "*"
        document["environment"] = ["team/providers"]

    with pytest.raises(ConfigError) as error:  # the stack's own value wins over an environment's
        read_stack_file(project_folder(tmp_path, None, edit=its_own))
    assert DISABLE_DEFAULT_PROVIDERS_KEY in [key for key, _ in error.value.problems]


def test_a_well_formed_list_from_pulumi_yaml_is_left_to_pulumi_up_when_environments_may_set_one(
    tmp_path: Path,
) -> None:
    """An environment setting the key wins over Pulumi.yaml's list, well-formed or not (mergeConfig
    merges Pulumi.yaml's value only where the key is still unset): enforcing Pulumi.yaml's list
    would refuse what `pulumi up` may run. The stack file's own list wins over an environment's
    (Value.Merge keeps a list whole) and is enforced; so is Pulumi.yaml's with no environment."""
    project_list = "  pulumi:disable-default-providers:\n    value: [aws]\n"

    def importing(document: dict[str, Any]) -> None:
        document["config"].pop(DISABLE_DEFAULT_PROVIDERS_KEY, None)
        document["environment"] = ["team/providers"]

    stack_file = read_stack_file(project_folder(tmp_path, project_list, edit=importing))
    assert DISABLE_DEFAULT_PROVIDERS_KEY not in stack_file.config
    assert stack_file.default_providers_source == ""

    def without_environments(document: dict[str, Any]) -> None:
        document["config"].pop(DISABLE_DEFAULT_PROVIDERS_KEY, None)

    stack_file = read_stack_file(project_folder(tmp_path, project_list, edit=without_environments))
    assert stack_file.config[DISABLE_DEFAULT_PROVIDERS_KEY] == ["aws"]
    assert stack_file.default_providers_source == str(tmp_path / "Pulumi.yaml")

    def its_own(document: dict[str, Any]) -> None:
        document["config"][DISABLE_DEFAULT_PROVIDERS_KEY] = ["eks"]
        document["environment"] = ["team/providers"]

    stack_file = read_stack_file(project_folder(tmp_path, project_list, edit=its_own))
    assert stack_file.config[DISABLE_DEFAULT_PROVIDERS_KEY] == ["eks"]
    assert stack_file.default_providers_source == ""


def test_a_parameterized_packages_own_provider_is_never_refused_by_its_package_ref() -> None:
    """A parameterized SDK's ``Provider`` is registered (and may be read) with its package's
    ``packageRef``; the engine asks no default provider for a provider resource (source_eval.go
    RegisterResource ``custom && !IsProviderType(t)``, ReadResource), so listing the package
    refuses only its resources naming no provider, never the explicit provider they need."""

    def ref() -> Any:
        return pulumi.runtime.register_package(
            "terraform-provider", "0.13.0", "", "random", "3.6.0", "cmFuZG9t"
        )

    def program() -> None:
        provider = pulumi.ProviderResource("random", "explicit", {}, package_ref=ref())
        pulumi.ProviderResource("random", "read", {}, pulumi.ResourceOptions(id="p-1"), package_ref=ref())
        options = pulumi.ResourceOptions(provider=provider)
        pulumi.CustomResource(
            "random:index/randomString:RandomString", "r", {"length": 8}, options, package_ref=ref()
        )

    graph = record(program, ["random"])
    assert [resource.type for resource in graph.resources][1:] == [
        "pulumi:providers:random",
        "random:index/randomString:RandomString",
    ]
    assert [read.type for read in graph.reads] == ["pulumi:providers:random"]
    assert refusal(_random_string, ["random"]).startswith("Default provider for 'random' disabled.")
