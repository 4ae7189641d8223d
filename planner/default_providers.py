"""The offline plan refuses what the engine refuses under ``pulumi:disable-default-providers``.

With a package listed (or ``*``), the engine gives a registration of it that names no provider a
"deny" default provider and fails it (pulumi/pulumi pkg/resource/deploy: default_providers.go
``shouldDenyRequest``, source_eval.go ``getProviderReference``/``resolveProvider``, step_generator.go;
the message is sdk/go/common/diag/errors.go ``GetDefaultProviderDenied``, code 2015):

- a custom resource (and a remote component): its provider is
  the request's ``provider``, else its ``providers`` entry for the package, else the one its parent
  component's ``providers`` (inherited from the components above it) names for the package;
- a read (``Resource.get``, ``opts.id``): the request's ``provider`` alone;
- an invoke: the request's ``provider``, else its parent component's for the package.

A local component resource has no provider and is never refused, nor is the ``pulumi`` package
(the stack, a ``pulumi:providers:*`` resource, ``StackReference``, ``getResource``). The Python SDK already sends a custom resource
the provider its parent's ``providers=`` names, and an invoke its ``parent``'s; the parent's map is
followed here too, as the engine does, for a request that does not.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from stacks.default_providers import DISABLE_DEFAULT_PROVIDERS_KEY, EVERY_PACKAGE, disables


class DefaultProviderDenied(Exception):
    """A registration ``pulumi up`` fails: its package's default provider is disabled and it names
    no provider. ``str()`` is the engine's message and what to do."""


class DefaultProviderGuard:
    """Checks each registration of one program run against the packages ``disabled`` lists (read
    from ``source``'s ``pulumi:disable-default-providers``)."""

    def __init__(self, disabled: frozenset[str], source: str) -> None:
        self.disabled = disabled
        self._source = source
        self._component_providers: dict[str, Mapping[str, str]] = {}
        """Each component's ``providers`` by package, its parent component's merged under it."""

    def register(self, request: Any, urn_of: Callable[[], str]) -> None:
        """Refuses a resource registration the engine would (raises DefaultProviderDenied), and
        keeps a component's providers for its children; ``urn_of`` gives its URN (made only for a
        component or a refusal)."""
        if not self.disabled:
            return
        package = _package(request.type)
        if not request.custom:
            # The engine's componentProviders: a component's own map, its parent component's under it.
            inherited = self._component_providers.get(request.parent, {})
            self._component_providers[urn_of()] = {**inherited, **request.providers}
            if not request.remote:
                return
        if self._resolved(request.provider, request.providers, request.parent, package):
            return
        if disables(self.disabled, package):
            denied = f"Default provider for '{package}' disabled. '{urn_of()}' must use an explicit provider."
            raise DefaultProviderDenied(self._message(denied, "resource", request, package))

    def read(self, request: Any) -> None:
        """Refuses a read (``Resource.get``) naming no provider, as the engine's ReadResource."""
        package = _package(request.type)
        if request.provider or not disables(self.disabled, package):
            return
        # ReadResource formats GetDefaultProviderDenied with the type where the others put the package.
        denied = (
            f"Default provider for '{request.type}' disabled. '{request.type}' must use an explicit provider."
        )
        raise DefaultProviderDenied(self._message(denied, "read of", request, package))

    def invoke(self, request: Any) -> None:
        """Refuses an invoke naming no provider, as the engine's Invoke (getProviderFromSource)."""
        package = _package(request.tok)
        if not disables(self.disabled, package):
            return
        if self._resolved(request.provider, {}, getattr(request, "parent", ""), package):
            return
        denied = f"Default provider for '{package}' disabled. '{request.tok}' must use an explicit provider."
        raise DefaultProviderDenied(self._message(denied, "invoke", request, package))

    def _resolved(self, provider: str, providers: Mapping[str, str], parent: str, package: str) -> bool:
        """Whether the engine's resolveProvider finds a provider: the request's own, its
        ``providers`` entry for ``package``, or its parent component's."""
        return bool(
            provider or providers.get(package) or self._component_providers.get(parent, {}).get(package)
        )

    def _message(self, denied: str, kind: str, request: Any, package: str) -> str:
        what = f"invoke {request.tok}" if kind == "invoke" else f"{kind} {request.type} {request.name!r}"
        listed = f"'{EVERY_PACKAGE}'" if package not in self.disabled else repr(package)
        option = (
            "pulumi.InvokeOptions(provider=...)"
            if kind == "invoke"
            else "pulumi.ResourceOptions(provider=...)"
        )
        return (
            f"{denied} The {what} names no {package} provider, and `{DISABLE_DEFAULT_PROVIDERS_KEY}` "
            f"in {self._source} lists {listed}: `pulumi up` fails it. Pass it an explicit provider "
            f"(`opts={option}`, or `providers=[...]` on a parent component), or take {listed} off "
            "that list."
        )


def _package(token: str) -> str:
    """A type or function token's package (``aws`` of ``aws:s3/bucket:Bucket``), as the engine's
    ``tokens.Type.Package``."""
    return token.partition(":")[0]
