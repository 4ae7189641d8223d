"""The offline plan refuses what the engine refuses under ``pulumi:disable-default-providers``.

With a package listed (or ``*``), the engine gives a registration of it that names no provider a
"deny" default provider and fails it (pulumi/pulumi pkg/resource/deploy: default_providers.go
``shouldDenyRequest``, source_eval.go ``getProviderReference``/``resolveProvider``/``inheritFromParent``,
step_generator.go ``loadResourceProvider``; the message is sdk/go/common/diag/errors.go
``GetDefaultProviderDenied``, code 2015):

- a custom resource (and a remote component): its provider is
  the request's ``provider``, else the provider of its custom parent when that provider is of its
  package, else its ``providers`` entry for the package, else the one its parent
  component's ``providers`` (inherited from the components above it) names for the package;
- a read (``Resource.get``, ``opts.id``): the request's ``provider`` alone;
- an invoke: the request's ``provider``, else its parent component's for the package;
- a method call (``pulumi.runtime.call``, a resource method such as pulumi-eks's
  ``getKubeconfig``; source_eval.go ``Call``): the request's ``provider``, else the provider the
  engine registered its ``__self__`` with. A custom resource always has one (its default provider's
  when none was named), a local component none: a call on a local component, or with no
  ``__self__``, naming no provider asks for the default provider of the token's package, which the
  list denies. No component's ``providers`` is looked at (Call does not ``resolveProvider``), and a
  ``pulumi:providers:<pkg>/<method>`` call is served by its ``__self__`` provider: never refused.

A local component resource has no provider and is never refused, nor is the ``pulumi`` package
(the stack, a ``pulumi:providers:*`` resource, ``StackReference``, ``getResource``). The Python SDK already sends a custom resource
the provider its parent's ``providers=`` names, and an invoke its ``parent``'s; the parent's map is
followed here too, as the engine does, for a request that does not.

The engine resolves the provider before it runs the transforms (``transforms=`` of the resource or
an ancestor, ``register_resource_transform``, ``register_invoke_transform``), hands it to them, and
reads the one they return, without resolving it again (source_eval.go ``RegisterResource``:
``resolveProvider``, the transforms, ``getProviderReference(opts.GetProvider())``; ``Invoke`` the
same): the recorder runs them as it does (:mod:`planner.transforms`) and checks what they return
(``resolved=True``), so a transform that sets a provider satisfies the check and one that only adds
tags does not.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from planner.program_failure import ProgramFailure
from stacks.default_providers import DISABLE_DEFAULT_PROVIDERS_KEY, EVERY_PACKAGE, disables


class DefaultProviderDenied(ProgramFailure):
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
        self._custom_providers: dict[str, str] = {}
        """Each custom resource's provider, which the engine gives a child naming none."""
        self._packages: dict[str, str] = {}
        """By ``packageRef``, the package the engine judges a request of it by (:meth:`package_registered`)."""
        self._local_components: set[str] = set()
        """The local components' URNs: the engine keeps no provider for them, which a method
        called on one (``__self__``) would be served by."""

    def register(self, request: Any, urn_of: Callable[[], str]) -> None:
        """A whole registration, as the recorder's RegisterResource makes it: :meth:`check` when a
        package is disabled, then :meth:`registered` with the URN ``urn_of`` gives."""
        provider = self.check(request, urn_of) if self.disabled else None
        self.registered(request, urn_of(), provider)

    def registered(self, request: Any, urn: str, provider: str | None) -> None:
        """Keeps what the children of the resource registered as ``urn`` inherit (:meth:`keep`)
        when :meth:`check` found its ``provider`` (None: no package disabled, nothing checked)."""
        if provider is not None:
            self.keep(request, urn, provider)

    def provider_before_transforms(self, request: Any) -> str:
        """The provider the engine resolves for a registration before its transforms, and hands
        them (``resolveProvider``; the empty text for none)."""
        if request.provider or not (request.custom or request.remote):
            return str(request.provider)
        return self._inherited(request.providers, request.parent, _package(request.type))

    def check(self, request: Any, urn_of: Callable[[], str], *, resolved: bool = False) -> str:
        """Refuses a resource registration the engine would (raises DefaultProviderDenied); else
        the provider the engine finds for it (the empty text for none: a local component, or a
        default provider allowed). ``urn_of`` gives its URN, for a refusal. ``resolved``: the
        request is what the transforms returned, whose provider the engine takes as it is."""
        provider = request.provider
        if provider or not (request.custom or request.remote):
            return provider  # its own (the engine takes it first), or a local component's: none
        if not resolved:
            provider = self._inherited(request.providers, request.parent, _package(request.type))
        package = self._denied(request, _package(request.type))  # the providers are by the token's
        if provider or not disables(self.disabled, package):
            return provider
        # A remote component's refusal (RegisterResource) names its type, a custom resource's (the
        # step generator's) its URN.
        named = request.type if request.remote else urn_of()
        denied = f"Default provider for '{package}' disabled. '{named}' must use an explicit provider."
        raise DefaultProviderDenied(self._message(denied, "resource", request, package))

    def keep(self, request: Any, urn: str, provider: str) -> None:
        """Keeps what a child of the resource registered as ``urn`` (with the ``provider``
        :meth:`check` found) inherits from it: a component's providers (the engine's
        componentProviders: its own map, its parent component's under it), a custom resource's
        provider (inheritFromParent)."""
        if not request.custom:
            # A component's `provider=` is in its `providers` (the SDK merges it in: convert_providers).
            inherited = self._component_providers.get(request.parent, {})
            self._component_providers[urn] = {**inherited, **request.providers}
            if not request.remote:
                self._local_components.add(urn)
        elif provider:
            self._custom_providers[urn] = provider

    def read(self, request: Any) -> None:
        """Refuses a read (``Resource.get``) naming no provider, as the engine's ReadResource."""
        package = self._denied(request, _package(request.type))
        if request.provider or not disables(self.disabled, package):
            return
        # ReadResource formats GetDefaultProviderDenied with the type where the others put the package.
        denied = (
            f"Default provider for '{request.type}' disabled. '{request.type}' must use an explicit provider."
        )
        raise DefaultProviderDenied(self._message(denied, "read of", request, package))

    def invoke_provider(self, request: Any) -> str:
        """The provider the engine resolves for an invoke before its transforms (``resolveProvider``
        with no ``providers``)."""
        return str(request.provider) or self._component_provider(
            getattr(request, "parent", ""), _package(request.tok)
        )

    def invoke(self, request: Any, *, resolved: bool = False) -> None:
        """Refuses an invoke naming no provider, as the engine's Invoke (getProviderFromSource);
        ``resolved``: the request is what the stack invoke transforms returned (as :meth:`check`)."""
        package = _package(request.tok)
        if not disables(self.disabled, self._denied(request, package)) or request.provider:
            return
        if not resolved and self._component_provider(getattr(request, "parent", ""), package):
            return
        package = self._denied(request, package)
        denied = f"Default provider for '{package}' disabled. '{request.tok}' must use an explicit provider."
        raise DefaultProviderDenied(self._message(denied, "invoke", request, package))

    def call(self, request: Any, self_urn: str) -> None:
        """Refuses a method call the engine's Call would: ``self_urn`` is its ``__self__``'s URN (the
        empty text for none). The message is the one Call returns (getProviderFromSource's)."""
        package = self._denied(request, _package(request.tok))
        # A `pulumi:providers:<pkg>/<method>` token's package is `pulumi`: never refused.
        if request.provider or not disables(self.disabled, package):
            return
        # A custom resource (or a remote component: the engine keeps no goal for it and fails the
        # call as an unknown resource, whatever the list says) is served by its own provider.
        if self_urn and self_urn not in self._local_components:
            return
        denied = f"Default provider for '{package}' disabled. '{request.tok}' must use an explicit provider."
        raise DefaultProviderDenied(self._message(denied, "call", request, package))

    def package_registered(self, ref: str, request: Any) -> None:
        """Keeps the package the engine judges a request with ``packageRef`` ``ref`` by: a
        ``RegisterPackage`` ``request``'s parameterized package's name (a replacement such as
        pulumi-terraform-provider's ``random``), else its plugin's (an extension's base provider:
        ``aws``). The engine's ProviderRequest.Package (pkg/resource/deploy/providers/provider.go)
        is what shouldDenyRequest compares with the list, and a request naming a ``packageRef``
        takes its ProviderRequest from it, not from its token (source_eval.go lookupPackageRef)."""
        self._packages[ref] = (
            request.parameterization.name if request.HasField("parameterization") else request.name
        )

    def _denied(self, request: Any, package: str) -> str:
        """The package whose default provider the engine asks for (and the list is compared with):
        ``package``, the token's, unless the request names a registered ``packageRef``. A
        ``pulumi`` token keeps its package, never refused, whatever ``packageRef`` it names: a
        parameterized SDK's own ``Provider`` sends its package's (pulumi codegen python gen.go
        passes ``package_ref`` to every resource's constructor), and the engine asks no default
        provider for a provider resource, registered (RegisterResource: ``custom &&
        !IsProviderType(t)``) or read (ReadResource), nor for a ``pulumi:providers:<pkg>/<method>``
        call (its ``__self__`` serves it)."""
        if package == "pulumi":
            return package
        return self._packages.get(getattr(request, "packageRef", ""), "") or package

    def _inherited(self, providers: Mapping[str, str], parent: str, package: str) -> str:
        """The provider the engine finds for a request naming none (inheritFromParent, then
        resolveProvider): its custom parent's of ``package``, its ``providers`` entry for
        ``package``, or its parent component's; the empty text for none."""
        inherited = self._custom_providers.get(parent, "")
        if inherited and _provider_package(inherited) == package:
            return inherited
        return providers.get(package) or self._component_provider(parent, package)

    def _component_provider(self, parent: str, package: str) -> str:
        return self._component_providers.get(parent, {}).get(package, "")

    def _message(self, denied: str, kind: str, request: Any, package: str) -> str:
        listed = f"'{EVERY_PACKAGE}'" if package not in self.disabled else repr(package)
        if kind == "call":
            # The SDK sends the provider of the resource the method is called on: a custom resource
            # or a remote component given one (a local component never has one to send).
            return (
                f"{denied} The method call {request.tok} names no {package} provider, and "
                f"`{DISABLE_DEFAULT_PROVIDERS_KEY}` in {self._source} lists {listed}: `pulumi up` fails "
                f"it. Call it on a resource given an explicit {package} provider "
                "(`opts=pulumi.ResourceOptions(provider=...)`), or take "
                f"{listed} off that list."
            )
        what = f"invoke {request.tok}" if kind == "invoke" else f"{kind} {request.type} {request.name!r}"
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


def _provider_package(reference: str) -> str:
    """The package of the provider a reference (``<urn>::<id>``) names: ``aws`` of a
    ``pulumi:providers:aws`` URN (the engine's ``ref.URN().Type().Name()``)."""
    parts = reference.split("::")
    return parts[2].rpartition(":")[2] if len(parts) > 2 else ""
