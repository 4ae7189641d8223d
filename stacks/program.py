"""The Pulumi program: read the stack's typed config, then build the platform.

``__main__.py`` calls :func:`run` under the real engine; the offline recorder calls the very same
function under mocks (with an offline model-package resolver), so configuration is validated by
one code path everywhere.
"""

from __future__ import annotations

from collections.abc import Callable

import pulumi

from stacks.config import ConfigError, PlatformConfig, parse_platform_config
from stacks.input_limits import forget_lists
from stacks.model_packages import (
    DeployedLookup,
    ModelPackageResolver,
    live_deployed_lookup,
    registry_resolver,
)
from stacks.platform import Platform, build_platform
from stacks.project import (
    CONFIG_KEY,
    KUBECONFIG_KEY,
    PROJECT,
    TOKEN_CONFIG_NAME,
    TOKEN_KEY,
    misspelt_key,
    set_command_key,
)
from stacks.stack_file import platform_from_json

ResolverFactory = Callable[[PlatformConfig], ModelPackageResolver]
DeployedFactory = Callable[[PlatformConfig], DeployedLookup]


def load_config(source: str) -> PlatformConfig:
    """Validate the stack's ``mlops-platform:platform`` value; ``source`` names the stack file in errors.

    Read as text, not with ``get_object``: a value that is not a JSON object (``platform: a string``)
    is a :class:`ConfigError` naming the key, not the SDK's ConfigTypeError, and the text is bounded
    like a stack file before it is parsed.
    """
    forget_lists()  # said once per file: no list an earlier file listed
    text = pulumi.Config(PROJECT).get("platform")
    if text is None:
        _refuse_misplaced(CONFIG_KEY, source)
    raw = platform_from_json(text, source)
    return parse_platform_config(raw, source)


def _refuse_misplaced(key: str, source: str) -> None:
    """Raise :class:`ConfigError` where the program's key ``key``, not set, is set in the namespace
    of the project, named otherwise than :data:`PROJECT` (a bare ``platform:`` in a project
    ``Pulumi.yaml`` names ``payments-mlops``): the offline plan refuses such a stack file before it
    runs the program; this says the same under `pulumi up`, rather than that the key is missing."""
    project, name = pulumi.get_project(), key.split(":", 1)[1]
    # get_secret: the value is never read here, and a secret one draws no warning.
    if project != PROJECT and pulumi.Config(project).get_secret(name) is not None:
        raise ConfigError(
            source,
            [
                (
                    f"{project}:{name}",
                    f"is in the project's namespace ({project}), which the program never reads: it "
                    f"reads {key}, whatever the project's name; write the key as {key}",
                )
            ],
        )
    misspelt = sorted(written for written in _config_keys() if misspelt_key(written, project) == key)
    if misspelt:
        raise ConfigError(source, [(written, _misspelt_problem(written, key)) for written in misspelt])


def _config_keys() -> set[str]:
    """The keys of the configuration the engine handed the program (as Pulumi reads them), which
    the SDK has no public call to list: set in the runtime, or in ``PULUMI_CONFIG``."""
    return set(pulumi.runtime.config.CONFIG.get()) | set(pulumi.runtime.get_config_env())


def _misspelt_problem(written: str, key: str) -> str:
    """Why the configuration key ``written``, spelt like the program's key ``key``
    (:func:`~stacks.project.misspelt_key`), is refused: as the offline plan says it."""
    if written.startswith(f"{PROJECT}:"):
        return f"unknown key in the {PROJECT} namespace; did you mean {key}?"
    return (
        f"is in the project's namespace ({written.split(':', 1)[0]}), which the program never reads; "
        f"did you mean {key}? (the program reads it in the {PROJECT} namespace, whatever the "
        "project's name)"
    )


def _live_registry(config: PlatformConfig) -> ModelPackageResolver:
    # A stack that deploys only versions with a model card looks up the cards of its own versions.
    cards_in = config.account_id if config.model_registry.require_model_card else None
    return registry_resolver(config.region, model_cards_in=cards_in)


def _live_endpoints(config: PlatformConfig) -> DeployedLookup:
    return live_deployed_lookup(config.region)


def load_kubeconfig(config: PlatformConfig, source: str) -> pulumi.Output[str] | None:
    """The secret kubeconfig, required exactly when the stack serves on Kubernetes."""
    if not config.kubernetes_serving.servings:
        return None
    kubeconfig = pulumi.Config(PROJECT).get_secret("kubeconfig")
    if kubeconfig is None:
        _refuse_misplaced(KUBECONFIG_KEY, source)
        setting = set_command_key(KUBECONFIG_KEY, pulumi.get_project())
        raise ConfigError(
            source,
            [
                (
                    KUBECONFIG_KEY,
                    f'missing; kubernetes_serving needs it: pulumi config set --secret {setting} "$(cat kubeconfig)"',
                )
            ],
        )
    return kubeconfig


def load_approval_dispatch_token(config: PlatformConfig, source: str) -> pulumi.Output[str] | None:
    """The secret GitHub token, required exactly when the stack dispatches approvals."""
    if config.delivery.approval_dispatch is None:
        return None
    token = pulumi.Config(PROJECT).get_secret(TOKEN_CONFIG_NAME)
    if token is None:
        _refuse_misplaced(TOKEN_KEY, source)
        raise ConfigError(
            source,
            [
                (
                    TOKEN_KEY,
                    "missing; delivery.approval_dispatch needs the GitHub token (repository_dispatch on "
                    f"{config.delivery.approval_dispatch.repository}): pulumi config set --secret "
                    f"{set_command_key(TOKEN_KEY, pulumi.get_project())} <token>",
                )
            ],
        )
    return token


def run(
    source: str,
    resolver_factory: ResolverFactory = _live_registry,
    deployed_factory: DeployedFactory = _live_endpoints,
) -> Platform:
    """Validate first, so that invalid configuration registers no resource at all.

    ``resolver_factory`` gives the registry versions are resolved in, ``deployed_factory`` what the
    endpoints serve now (asked only for an endpoint whose family has nothing approved): the live
    account under `pulumi up`, stand-ins offline.
    """
    config = load_config(source)
    kubeconfig = load_kubeconfig(config, source)
    token = load_approval_dispatch_token(config, source)
    return build_platform(config, resolver_factory(config), kubeconfig, deployed_factory(config), token)
