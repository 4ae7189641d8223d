"""The recording runs the program's transforms as the engine runs them.

The Python SDK hands a resource's ``transforms=`` to the engine as callbacks (each a token its
callback server answers) and registers a stack transform (``register_resource_transform``) or
stack invoke transform (``register_invoke_transform``) the same way; the engine, not the SDK, runs
them (pulumi/pulumi pkg/resource/deploy/source_eval.go ``RegisterResource``, ``Invoke``,
``wrapTransformCallback``). The mock monitor runs none, so this module does what the engine does:

- which: a resource's own transforms, then each ancestor's own from the nearest parent outward
  (``resourceTransforms``, kept per URN, walked through ``parents``), then the stack transforms
  registered so far, in registration order; an invoke gets the stack invoke transforms;
- what each receives: the type, name, custom flag, parent and the properties (a secret or unknown
  value as an output value, ``UpgradeToOutputValues``; with transforms of its own, a property that
  depends on a resource as an output value carrying those dependencies, ``upgradeOutputValues``),
  and the options, whose ``provider`` is the one resolved before the transforms (``resolveProvider``);
- what it may return: new properties, new options (replacing the old whole), or nothing (both
  unchanged); the next transform gets what the previous returned.

Each transform runs through the SDK's own callback (``_CallbackServicer``, the function the engine
calls over gRPC), so the arguments and the result are converted exactly as under ``pulumi up``,
on the program's event loop, where the callback server runs (an async transform, one awaiting an
output, works). What comes back becomes the registration the rest of the recording sees: the
provider then decides the default-provider check (the engine resolves it before and reads it again
after the transforms: a transform may set one), the properties the auto-name judgement, the mocks
and the recorded inputs. A resource with transforms of its own gets its ``dependencies`` and
``propertyDependencies`` rebuilt from what they return, as the engine rebuilds them (the options'
``depends_on``, each property's output values: the SDK sends a returned property back as a plain
value, so it then depends on nothing); any other keeps the program's (the engine ignores a stack
transform's ``depends_on``).

A transform that raises fails the registration as the engine fails it, and so the program:
:class:`TransformFailed` (a ProgramFailure: ``bin/plan`` says ``error: invoke transform: ...`` and
exits 3), naming the resource or invoke, the transform and the error, with the program's frames.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from google.protobuf import struct_pb2  # type: ignore[import-untyped]
from pulumi.runtime import _callbacks, rpc
from pulumi.runtime import mocks as _mocks
from pulumi.runtime._callbacks import _CallbackServicer
from pulumi.runtime.proto import alias_pb2, resource_pb2

from planner.program_failure import ProgramFailure

_OUTPUT_SIG = rpc._special_output_value_sig
_SECRET_SIG = rpc._special_secret_sig
_SIG_KEY = rpc._special_sig_key


class OnProgramLoop:
    """What a mock-monitor call returns when it must first await on the program's event loop (the
    transforms, as the SDK's callback server runs them there): the recorder's executor runs
    ``finish(inline)`` as a task on that loop; ``inline`` runs the rest of the call as the executor
    runs any call to the engine."""

    def __init__(
        self, finish: Callable[[Callable[[Callable[[], Any]], Any]], Coroutine[Any, Any, Any]]
    ) -> None:
        self.finish = finish


class Transforms:
    """The transforms of one program run: the stack's, and each resource's own by URN."""

    def __init__(self) -> None:
        self._stack: list[str] = []
        self._stack_invoke: list[str] = []
        self._own: dict[str, tuple[str, ...]] = {}
        """Each registered resource's own transforms (callback tokens), for its descendants."""
        self._parents: dict[str, str] = {}
        """Each registration's parent, kept once any resource has transforms of its own."""

    def register_stack(self, callback: Any) -> None:
        self._stack.append(callback.token)

    def register_stack_invoke(self, callback: Any) -> None:
        self._stack_invoke.append(callback.token)

    def reaching(self, request: Any) -> list[str]:
        """The transforms the engine runs on a resource registration, in its order (source_eval.go:
        ours, then the parents' from the nearest, then the stack's). Empty, at once, for a program
        that registered none."""
        if not (self._stack or self._own or request.transforms):
            return []
        tokens = [callback.token for callback in request.transforms]
        parent = request.parent
        while parent:
            tokens += self._own.get(parent, ())
            parent = self._parents.get(parent, "")
        return tokens + self._stack

    def reaching_invoke(self) -> list[str]:
        return list(self._stack_invoke)

    def registered(self, request: Any, urn: str) -> None:
        """Keeps what a descendant of the resource registered as ``urn`` collects."""
        if request.transforms:
            self._own[urn] = tuple(callback.token for callback in request.transforms)
        if self._own:
            self._parents[urn] = request.parent

    async def run_on_resource(self, request: Any, tokens: Sequence[str], provider: str) -> Any:
        """``request`` (a RegisterResourceRequest) after ``tokens``' transforms, ``provider`` the one
        the engine resolved before them."""
        properties = _with_output_values(
            request.object, request.propertyDependencies if request.transforms else {}
        )
        options = _options(request, provider)
        for token in tokens:
            message = resource_pb2.TransformRequest(
                type=request.type,
                name=request.name,
                custom=request.custom,
                parent=request.parent,
                properties=properties,
                options=options,
            )
            try:
                response = await _call(token, message, resource_pb2.TransformResponse)
            except Exception as error:
                raise TransformFailed(
                    f"invoke transform: {_transform_of(token)} failed on {request.type} "
                    f"{request.name!r}: {_raised(error)}",
                    error,
                ) from error
            if response.HasField("properties"):
                properties = response.properties
            if response.HasField("options"):
                options = response.options
        transformed = _transformed_request(request, _without_output_values(properties), options)
        if request.transforms:
            _rebuild_dependencies(transformed, properties, options)
        return transformed

    async def run_on_invoke(self, request: Any, tokens: Sequence[str], provider: str) -> Any:
        """``request`` (a ResourceInvokeRequest) after the stack invoke transforms (source_eval.go
        ``Invoke``: before the provider is loaded, ``provider`` the one resolved before them)."""
        arguments = request.args  # unmarshalled for them as sent: no output values (Invoke)
        options = resource_pb2.TransformInvokeOptions(
            provider=provider,
            version=request.version,
            plugin_download_url=request.pluginDownloadURL,
            plugin_checksums=request.pluginChecksums,
        )
        for token in tokens:
            message = resource_pb2.TransformInvokeRequest(token=request.tok, args=arguments, options=options)
            try:
                response = await _call(token, message, resource_pb2.TransformInvokeResponse)
            except Exception as error:
                raise TransformFailed(
                    f"invoke of {request.tok} failed: the invoke {_transform_of(token)} failed: "
                    f"{_raised(error)}",
                    error,
                ) from error
            if response.HasField("args"):
                arguments = response.args
            if response.HasField("options"):
                options = response.options
        transformed = type(request)()
        transformed.CopyFrom(request)
        transformed.args.CopyFrom(arguments)
        transformed.provider = options.provider
        transformed.version = options.version
        transformed.pluginDownloadURL = options.plugin_download_url
        transformed.pluginChecksums.clear()
        transformed.pluginChecksums.update(options.plugin_checksums)
        return transformed


class TransformFailed(ProgramFailure):
    """A transform raised: the engine fails the registration with the error the SDK's callback server
    answered (source_eval.go ``RegisterResource``: ``invoke transform: rpc error: ... Invoke callback
    <token> error: <the error>:`` and the transform's stack, ``_CallbackServicer.pretty_error``; an
    invoke's ``Invoke`` returns it as it is), so ``pulumi up`` fails the program. ``str()`` says the
    same with the transform named by its function, not the callback's token: which resource or
    invoke, which transform, the error and where the transform raised it. ``error`` is the
    transform's own exception (not ``__cause__``: the SDK's ``wait_for_rpcs`` re-raises a failed
    registration's error ``from`` itself)."""

    def __init__(self, message: str, error: Exception) -> None:
        super().__init__(message)
        self.error = error


def _transform_of(token: str) -> str:
    """``token``'s transform as its author knows it: ``transform <qualified name> (<file>:<line>)``."""
    for servicer in _CallbackServicer._servicers:
        for function, known in servicer._transforms.items():
            if known == token:
                name = getattr(function, "__qualname__", None) or repr(function)
                code = getattr(function, "__code__", None)
                where = f" ({code.co_filename}:{code.co_firstlineno})" if code else ""
                return f"transform {name}{where}"
    return f"transform {token}"


_NOT_THE_PROGRAMS: frozenset[str] = frozenset({str(_callbacks.__file__), __file__})
"""The frames a transform's stack leaves out: the SDK's callback server (as its ``pretty_error``
does) and this module, which stands in for the engine."""

_THE_ENGINES: Final = (f"{Path(__file__).parent}{os.sep}", str(_mocks.__file__))
"""Where a transform's stack enters what stands in for the engine and the providers: the planner
(its recorder and mocks answer the SDK's calls) and the SDK's mock monitor. Under ``pulumi up`` an
invoke's or registration's error crosses the engine's gRPC boundary, so a transform's stack ends in
the SDK's call (runtime/invoke.py); the frames past it are the mocks', not the program's."""


def _raised(error: Exception) -> str:
    """``error`` and the program's frames it was raised through, innermost last. A failure the
    mocks raise for the engine or a provider (a :class:`ProgramFailure`) is the plain ``Exception``
    the SDK raises for it under ``pulumi up`` (runtime/invoke.py), not the planner's class."""
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if frame.filename not in _NOT_THE_PROGRAMS
    ]
    engine = next(
        (index for index, frame in enumerate(frames) if frame.filename.startswith(_THE_ENGINES)),
        len(frames),
    )
    stack = "".join(traceback.format_list(frames[:engine])).rstrip()
    kind = "Exception" if isinstance(error, ProgramFailure) else type(error).__name__
    return f"{kind}: {error}" + (f"\n{stack}" if stack else "")


async def _call(token: str, message: Any, response_type: Any) -> Any:
    """``token``'s transform run on ``message`` as the engine calls it (serialised both ways), its
    answer read as ``response_type``."""
    return response_type.FromString((await _callback(token)(message.SerializeToString())).SerializeToString())


def _callback(token: str) -> Callable[[bytes], Awaitable[Any]]:
    """The SDK's callback for ``token`` (what the engine invokes over gRPC)."""
    for servicer in _CallbackServicer._servicers:
        callback = servicer._callbacks.get(token)
        if callback is not None:
            return callback
    raise LookupError(f"no callback server of this program holds the transform {token}")


def _options(request: Any, provider: str) -> Any:
    """The options the engine hands the first transform (source_eval.go ``RegisterResource``)."""
    options = resource_pb2.TransformResourceOptions(
        depends_on=request.dependencies,
        ignore_changes=request.ignoreChanges,
        replace_on_changes=request.replaceOnChanges,
        version=request.version,
        aliases=[*(alias_pb2.Alias(urn=urn) for urn in request.aliasURNs), *request.aliases],
        provider=provider,
        providers=request.providers,
        hide_diff=request.hideDiffs,
        plugin_download_url=request.pluginDownloadURL,
        deleted_with=request.deletedWith,
        replace_with=request.replace_with,
        additional_secret_outputs=request.additionalSecretOutputs,
        plugin_checksums=request.pluginChecksums,
    )
    setattr(options, "import", request.importId)
    for present in ("protect", "retainOnDelete", "customTimeouts", "hooks", "replacement_trigger"):
        if request.HasField(present):
            target = {"retainOnDelete": "retain_on_delete", "customTimeouts": "custom_timeouts"}.get(
                present, present
            )
            value = getattr(request, present)
            if isinstance(value, bool):
                setattr(options, target, value)
            else:
                getattr(options, target).CopyFrom(value)
    if request.deleteBeforeReplaceDefined or request.deleteBeforeReplace:
        options.delete_before_replace = request.deleteBeforeReplace
    return options


def _transformed_request(request: Any, properties: Any, options: Any) -> Any:
    """``request`` with the transforms' properties and options (the program's dependencies kept)."""
    transformed = type(request)()
    transformed.CopyFrom(request)
    transformed.object.CopyFrom(properties)
    transformed.provider = options.provider
    transformed.providers.clear()
    transformed.providers.update(options.providers)
    transformed.importId = getattr(options, "import")
    transformed.ClearField("protect")
    if options.HasField("protect"):
        transformed.protect = options.protect
    transformed.ClearField("retainOnDelete")
    if options.HasField("retain_on_delete"):
        transformed.retainOnDelete = options.retain_on_delete
    transformed.deleteBeforeReplace = (
        options.HasField("delete_before_replace") and options.delete_before_replace
    )
    transformed.deleteBeforeReplaceDefined = options.HasField("delete_before_replace")
    transformed.ClearField("customTimeouts")
    if options.HasField("custom_timeouts"):
        transformed.customTimeouts.CopyFrom(options.custom_timeouts)
    for field, value in (
        ("ignoreChanges", options.ignore_changes),
        ("replaceOnChanges", options.replace_on_changes),
        ("additionalSecretOutputs", options.additional_secret_outputs),
        ("aliases", options.aliases),
    ):
        del getattr(transformed, field)[:]
        getattr(transformed, field).extend(value)
    del transformed.aliasURNs[:]  # the engine folded them into the options' aliases
    transformed.version = options.version
    transformed.pluginDownloadURL = options.plugin_download_url
    transformed.deletedWith = options.deleted_with
    return transformed


def _rebuild_dependencies(transformed: Any, properties: Any, options: Any) -> None:
    """``transformed``'s dependencies as the engine rebuilds them after a resource's own transforms
    (source_eval.go ``RegisterResource``, "Reparse the dependency information"): the options'
    ``depends_on`` and every property's output values' (``addOutputDependencies``), each property's
    its own."""
    dependencies = set(options.depends_on)
    transformed.propertyDependencies.clear()
    for key, value in properties.fields.items():
        urns = _output_dependencies(value)
        transformed.propertyDependencies[key].urns.extend(sorted(urns))
        dependencies |= urns
    del transformed.dependencies[:]
    transformed.dependencies.extend(sorted(dependencies))


def _output_dependencies(value: Any) -> set[str]:
    """The dependencies of the output values in ``value`` (``addOutputDependencies``: an unknown
    output's own, a known one's and those inside its value, and those inside anything else)."""
    kind = value.WhichOneof("kind")
    if kind == "list_value":
        return set().union(*(_output_dependencies(item) for item in value.list_value.values))
    if kind != "struct_value":
        return set()
    fields = value.struct_value.fields
    if not _is_output(value):
        return set().union(*(_output_dependencies(item) for item in fields.values()))
    urns = (
        {item.string_value for item in fields["dependencies"].list_value.values}
        if "dependencies" in fields
        else set()
    )
    return urns | _output_dependencies(fields["value"]) if "value" in fields else urns


def _with_output_values(properties: Any, dependencies: Mapping[str, Any]) -> Any:
    """``properties`` as the engine marshals them for a transform: each secret or unknown value an
    output value (``UpgradeToOutputValues``), and a top-level one with ``dependencies`` an output
    value carrying them (``upgradeOutputValues``, only for a resource with transforms of its own)."""
    upgraded = struct_pb2.Struct()
    for key, value in properties.fields.items():
        upgraded.fields[key].CopyFrom(_upgraded(value))
        urns = sorted(dependencies[key].urns) if key in dependencies else []
        if urns:
            upgraded.fields[key].CopyFrom(_output_value(upgraded.fields[key], urns))
    return upgraded


def _upgraded(value: Any) -> Any:
    kind = value.WhichOneof("kind")
    if kind == "string_value" and value.string_value == rpc.UNKNOWN:
        return _output(None, secret=False, urns=[])
    if kind == "list_value":
        result = struct_pb2.Value()
        result.list_value.values.extend(_upgraded(item) for item in value.list_value.values)
        return result
    if kind != "struct_value":
        return value
    fields = value.struct_value.fields
    signature = fields[_SIG_KEY].string_value if _SIG_KEY in fields else None
    if signature == _SECRET_SIG:
        inner = _upgraded(fields["value"])
        if _is_output(inner):  # an unknown secret
            return _output(None, secret=True, urns=[])
        return _output(inner, secret=True, urns=[])
    if signature is not None:  # an asset, archive, resource reference or output value: as it is
        return value
    result = struct_pb2.Value()
    result.struct_value.SetInParent()
    for key, item in fields.items():
        result.struct_value.fields[key].CopyFrom(_upgraded(item))
    return result


def _output_value(value: Any, urns: list[str]) -> Any:
    if not _is_output(value):
        return _output(value, secret=False, urns=urns)
    fields = value.struct_value.fields
    merged = (
        sorted({*urns, *(item.string_value for item in fields["dependencies"].list_value.values)})
        if ("dependencies" in fields)
        else urns
    )
    return _output(
        fields.get("value"),
        secret="secret" in fields and fields["secret"].bool_value,
        urns=merged,
    )


def _output(value: Any, *, secret: bool, urns: list[str]) -> Any:
    result = struct_pb2.Value()
    fields = result.struct_value.fields
    fields[_SIG_KEY].string_value = _OUTPUT_SIG
    if value is not None:
        fields["value"].CopyFrom(value)
    if secret:
        fields["secret"].bool_value = True
    if urns:
        fields["dependencies"].list_value.values.extend(struct_pb2.Value(string_value=urn) for urn in urns)
    return result


def _is_output(value: Any) -> bool:
    if value.WhichOneof("kind") != "struct_value":
        return False
    fields = value.struct_value.fields
    return _SIG_KEY in fields and fields[_SIG_KEY].string_value == _OUTPUT_SIG


def _without_output_values(properties: Any) -> Any:
    """``properties`` with each output value its value as the SDK would send it (a secret's wrapped,
    an unknown one :data:`~pulumi.runtime.rpc.UNKNOWN`): what a transform left unchanged."""
    plain = struct_pb2.Struct()
    for key, value in properties.fields.items():
        plain.fields[key].CopyFrom(_downgraded(value))
    return plain


def _downgraded(value: Any) -> Any:
    kind = value.WhichOneof("kind")
    if kind == "list_value":
        result = struct_pb2.Value()
        result.list_value.values.extend(_downgraded(item) for item in value.list_value.values)
        return result
    if kind != "struct_value":
        return value
    if _is_output(value):
        fields = value.struct_value.fields
        inner = (
            _downgraded(fields["value"]) if "value" in fields else struct_pb2.Value(string_value=rpc.UNKNOWN)
        )
        if not ("secret" in fields and fields["secret"].bool_value):
            return inner
        secret = struct_pb2.Value()
        secret.struct_value.fields[_SIG_KEY].string_value = _SECRET_SIG
        secret.struct_value.fields["value"].CopyFrom(inner)
        return secret
    fields = value.struct_value.fields
    if _SIG_KEY in fields and fields[_SIG_KEY].string_value != _SECRET_SIG:
        return value  # an asset, archive or resource reference
    result = struct_pb2.Value()
    result.struct_value.SetInParent()
    for key, item in fields.items():
        result.struct_value.fields[key].CopyFrom(_downgraded(item))
    return result
