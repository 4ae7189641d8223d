"""The analyzer ``pulumi preview --policy-pack policies`` talks to: pulumi-policy's, plus the pack's
checks across policies when the CLI configures it.

The CLI checks a ``--policy-pack-config`` file against each policy's own JSON schema, one policy at a
time, and the engine then gives each policy only its own config (``_get_policy_config``): no schema
and no policy sees another policy's config. Only ``Configure``, which receives every policy's config
at once, can refuse a config whose policies disagree (``public_switches.unnoted_exemptions``: an
exemption listed for ``public-access-switches-kept-on`` but not for ``public-by-design-noted``, which
would let a public resource through with no note). :class:`PackAnalyzer` does that, as
``registry.validate_pack_config`` does for ``bin/plan`` and ``policies.local``: the CLI reports the
error and runs nothing. ``__main__`` installs it (:func:`install`) before building the ``PolicyPack``.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import policy as engine

from .rules import public_switches

#: pulumi-policy's servicer, as the package defines it (``install`` replaces the module's name).
BASE_SERVICER: Any = engine._PolicyAnalyzerServicer  # no public name: PolicyPack builds it itself
#: The engine's own gRPC and protobuf modules (untyped here: no stubs in the environment).
_GRPC: Any = engine.grpc
_JSON_FORMAT: Any = engine.json_format


class PackConfigRefused(ValueError):
    """A config ``Configure`` refuses (raised after ``context.abort`` when there is no gRPC context)."""


class PackAnalyzer(BASE_SERVICER):
    """pulumi-policy's analyzer servicer whose ``Configure`` refuses a config the policies disagree on."""

    def Configure(self, request: Any, context: Any) -> Any:
        configs = request.policyConfig
        config = {name: _JSON_FORMAT.MessageToDict(configs[name].properties) for name in configs}
        # The engine sends each policy's resolved level: a disabled policy requires nothing.
        disabled = {name for name in configs if configs[name].enforcementLevel == engine.proto.DISABLED}
        problems = public_switches.unnoted_exemptions(config, disabled)
        if problems:
            message = "policy pack config: " + "; ".join(problems)
            if context is not None:
                context.abort(_GRPC.StatusCode.INVALID_ARGUMENT, message)  # raises: the CLI shows it
            raise PackConfigRefused(message)
        return super().Configure(request, context)


def install() -> None:
    """Make ``PolicyPack`` serve :class:`PackAnalyzer` (it builds ``_PolicyAnalyzerServicer`` by name)."""
    setattr(engine, "_PolicyAnalyzerServicer", PackAnalyzer)  # noqa: B010  (mypy: a class is no variable)
