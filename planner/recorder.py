"""The resource-graph recorder: run a Pulumi program under mocks and record what it registers.

One recorder serves the tests, the offline plan and policy evaluation. For every resource the
program registers it keeps the type token, logical name, URN, parent, dependencies (all, and per
property), options that matter for governance (protect, retain-on-delete, provider, aliases,
delete-before-replace, replace-on-changes) and the inputs
in wire form: camelCase names, exactly the shape a CrossGuard policy sees at preview, except that
a number the provider's schema types as an integer is recorded as an int, not the wire's float
(:mod:`planner.schema_numbers`).

Unknowns: the program runs as ``pulumi up`` does (``preview=False``), where the SDK would resolve an
output the mocks do not return as a known None (a setting computed from it read as unset). The
recorder marks each registration's result "unknown" to the SDK (``RegisterResourceResponse.unknown``,
the engine's flag for a create it elided), so what the mocks return is known and every other output
is unknown, as at a preview: an apply over it does not run, an input computed from it is recorded
as :data:`UNKNOWN` (what the engine sends a policy pack, which reads it as unknown: undecided), and
so is an export. Below the top level, what the mocks do not know is unknown too
(:mod:`planner.unreturned_outputs`); reads (``Resource.get``, ``opts.id``, a ``StackReference``,
whose stacks' outputs ``record_program(stack_outputs=...)`` supplies) are answered as the engine
would offline and kept apart, in ``ResourceGraph.reads`` (:mod:`planner.reads`).

Transforms: ``transforms=``, stack transforms and stack invoke transforms run as the engine runs
them, on the program's event loop (:mod:`planner.transforms`); what they return is what the mocks,
the checks and the recording see. A program that registers none pays one test per registration.

Isolation: each recording runs in a brand-new ``contextvars.Context`` with its own event loop, so
Pulumi's ambient state (settings, config, root stack) never leaks from one run into the next.

Typical use::

    graph = record_stack_file("stacks/Pulumi.dev.yaml")      # the whole program for a stack file
    graph = record_program(lambda: MyComponent("x", args))   # any program, e.g. one component
    graph = record_program(program, stack_outputs={"org/network/prod": {"vpc_id": "vpc-0abc"}})
    [key] = graph.of_type("aws:kms/key:Key")
    assert key.inputs["enableKeyRotation"] is True
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import dataclasses
import functools
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pulumi
from google.protobuf import struct_pb2  # type: ignore[import-untyped]
from pulumi.output import Unknown
from pulumi.runtime import known_types, rpc
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import resource as pulumi_resource
from pulumi.runtime.proto import provider_pb2, resource_pb2, source_pb2
from pulumi.runtime.settings import SETTINGS
from pulumi.runtime.stack import Stack, run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from planner import lazy_provider_imports, sdk_serialize, sdk_type_memo, sdk_unknowns
from planner.autonames import AUTONAMING_KEY, refuse_too_long_autoname
from planner.default_providers import DefaultProviderGuard
from planner.mocks import REGIONAL_PROVIDERS, PlatformMocks, known_region
from planner.process import fewer_gc_pauses
from planner.program_failure import ProgramFailure
from planner.reads import StackOutputs, read_response, unknown_ids_read_as_unknown
from planner.registries import REGISTRIES
from planner.schema_numbers import SCALAR_TYPES, with_schema_integers
from planner.transforms import OnProgramLoop, Transforms
from planner.unreturned_outputs import with_unreturned_unknown
from stacks.default_providers import DISABLE_DEFAULT_PROVIDERS_KEY, disabled_default_providers
from stacks.input_limits import json_text_problem
from stacks.project import PROJECT, config_secret_keys, engine_config_values, platform_map

if TYPE_CHECKING:
    from stacks.stack_file import StackFile

# The SDK's type-hint helpers remembered per type (planner/sdk_type_memo.py), its unknowns check
# without cyclic garbage (planner/sdk_unknowns.py) and its (de)serialising of plain values and
# settings reads shortened (planner/sdk_serialize.py), unless switched off with the other hooks:
# only a process that records installs them.
if lazy_provider_imports.enabled():
    sdk_type_memo.install()
    sdk_unknowns.install()
    sdk_serialize.install()

STACK_TYPE = "pulumi:pulumi:Stack"
PROVIDER_PREFIX = "pulumi:providers:"
UNKNOWN = rpc.UNKNOWN
"""An unknown value in a recording, as the engine sends it to a policy pack (pulumi-policy's
``UNKNOWN_STRING_VALUE``, which its unknown-checking proxy reads as "unknown at preview")."""
_UNKNOWN_BYTES = UNKNOWN.encode()
DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"


@dataclass(frozen=True)
class RecordedResource:
    """One registration, as the engine (and a policy pack) would see it."""

    urn: str
    type: str
    name: str
    custom: bool
    """False for component resources and the stack."""
    parent: str | None
    dependencies: tuple[str, ...]
    property_dependencies: Mapping[str, tuple[str, ...]]
    inputs: Mapping[str, Any]
    """Inputs in wire form (camelCase keys); a value unknown until deployment is :data:`UNKNOWN`."""
    outputs: Mapping[str, Any]
    """The mocked state returned for the resource (inputs plus computed outputs)."""
    provider: str | None
    """Provider reference ``<provider urn>::<provider id>``, or None for the default provider."""
    protect: bool
    retain_on_delete: bool
    id: str | None
    ignore_changes: tuple[str, ...] = ()
    """Input paths the engine would leave alone on update (``ignore_changes``)."""
    custom_timeouts: Mapping[str, str] = field(default_factory=dict)
    """``create``/``update``/``delete`` timeouts that were set (e.g. ``{"create": "25m"}``)."""
    secret_inputs: frozenset[str] = frozenset()
    """Top-level inputs that are, or hold, a secret (``inputs`` has the plain values)."""
    aliases: tuple[str, ...] = ()
    """Former identities the engine carries over to this resource (``aliases``): an alias URN as
    such, an alias spec as the parts it changes (``type=mlops:serving:KubernetesServing``). A
    dropped alias replaces what a stack deployed under the old URN."""
    delete_before_replace: bool = False
    replace_on_changes: tuple[str, ...] = ()
    """Input paths whose change replaces the resource (``replace_on_changes``)."""

    @property
    def is_provider(self) -> bool:
        return self.type.startswith("pulumi:providers:")

    @property
    def is_cloud_resource(self) -> bool:
        """A resource a provider creates in the cloud (not a component, the stack or a provider)."""
        return self.custom and not self.is_provider

    @property
    def explicit_dependencies(self) -> tuple[str, ...]:
        """Dependencies added with ``depends_on`` rather than implied by an input's value."""
        implied = {urn for urns in self.property_dependencies.values() for urn in urns}
        return tuple(urn for urn in self.dependencies if urn not in implied)


@dataclass(frozen=True)
class ResourceGraph:
    """Everything one program run registered, in registration order."""

    stack: str
    source: str
    resources: tuple[RecordedResource, ...]
    exports: Mapping[str, Any] = field(default_factory=dict)
    config: Mapping[str, Any] = field(default_factory=dict)
    """The stack file's ``config:`` map the program ran with."""
    secret_exports: frozenset[str] = frozenset()
    """Exports whose values are secrets (``exports`` has the plain values)."""
    warnings: tuple[str, ...] = ()
    """What the program logged with ``pulumi.log.warn`` (the engine shows these on `pulumi up`)."""
    esc_environments: tuple[str, ...] = ()
    """The Pulumi ESC environments the stack file imports (``environment:``), whose values
    `pulumi up` merges into ``config`` and this recording ran without (:func:`esc_note`)."""
    holds_unknowns: bool = False
    """Whether an input or export the recorder recorded is, or holds, :data:`UNKNOWN`
    (:func:`known_inputs`)."""
    reads: tuple[RecordedResource, ...] = ()
    """The resources the program read, in order (``Resource.get``, ``opts.id``, a
    ``pulumi.StackReference``: the engine's external resources, read, not created, so not among
    ``resources``); :func:`get` finds them too (:mod:`planner.reads`)."""

    @property
    def environment(self) -> str | None:
        environment = platform_map(self.config).get("environment")
        return environment if isinstance(environment, str) else None

    def __iter__(self) -> Iterator[RecordedResource]:
        return iter(self.resources)

    def __len__(self) -> int:
        return len(self.resources)

    @functools.cached_property
    def _by_urn(self) -> Mapping[str, RecordedResource]:
        by_urn: dict[str, RecordedResource] = {}
        for resource in (*self.resources, *self.reads):
            by_urn.setdefault(resource.urn, resource)  # the first, as a scan finds it
        return by_urn

    @functools.cached_property
    def _by_type(self) -> Mapping[str, tuple[RecordedResource, ...]]:
        """Each type's resources in registration order: the planner's reports ask for one type per
        endpoint (the inference components on it), a scan of the whole graph each time."""
        by_type: dict[str, list[RecordedResource]] = {}
        for resource in self.resources:
            by_type.setdefault(resource.type, []).append(resource)
        return {type_token: tuple(found) for type_token, found in by_type.items()}

    def get(self, urn: str) -> RecordedResource:
        try:
            return self._by_urn[urn]
        except KeyError:
            raise KeyError(urn) from None

    def of_type(self, type_token: str) -> list[RecordedResource]:
        return list(self._by_type.get(type_token, ()))

    def named(self, name: str) -> RecordedResource:
        matches = [resource for resource in self.resources if resource.name == name]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources named {name!r}")
        return matches[0]

    def children(self, parent: RecordedResource) -> list[RecordedResource]:
        return [resource for resource in self.resources if resource.parent == parent.urn]

    def descendants(self, parent: RecordedResource) -> list[RecordedResource]:
        found: list[RecordedResource] = []
        for child in self.children(parent):
            found += [child, *self.descendants(child)]
        return found

    def component_of(self, resource: RecordedResource) -> RecordedResource | None:
        """The nearest enclosing component resource (never the stack)."""
        parent = resource.parent
        while parent:
            owner = self.get(parent)
            if owner.type == STACK_TYPE:
                return None
            if not owner.custom:
                return owner
            parent = owner.parent
        return None

    @property
    def cloud_resources(self) -> list[RecordedResource]:
        return [resource for resource in self.resources if resource.is_cloud_resource]

    @property
    def components(self) -> list[RecordedResource]:
        return [
            resource for resource in self.resources if not resource.custom and resource.type != STACK_TYPE
        ]

    def referenced(self, resource: RecordedResource, property_name: str) -> list[RecordedResource]:
        """The resources whose outputs flow into ``resource``'s input ``property_name``."""
        return [self.get(urn) for urn in resource.property_dependencies.get(property_name, ())]


class _InputsSeen(pulumi_mocks.Mocks):
    """The mocks, keeping the inputs the mock monitor last deserialised for ``new_resource``.

    Every method the monitor calls is passed on to the wrapped mocks (the ones ``Mocks`` defines
    explicitly, so its defaults never stand in for theirs), and any other attribute too."""

    def __init__(self, mocks: pulumi_mocks.Mocks) -> None:
        self._mocks = mocks
        self.judges_autoname = False
        """Whether to refuse the registration's auto-name where pulumi-aws would
        (:mod:`planner.autonames`): here, where the inputs the program set are known, unknown ones
        included (the mocks see those as unset)."""
        self.inputs: dict[str, Any] | None = None
        self.unknown_inputs: dict[str, Any] | None = None
        """The request's inputs with their unknowns kept, when it holds any (else None)."""
        self.marked_unknowns = False
        """Whether a mocked result was given an unknown below its top level."""

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str | None, dict[Any, Any]]:
        self.inputs = args.inputs
        if self.judges_autoname:  # a component's type is no pulumi-aws type: never judged
            refuse_too_long_autoname(args.typ, args.name, {**args.inputs, **(self.unknown_inputs or {})})
        resource_id, state = self._mocks.new_resource(args)
        if args.custom and not args.typ.startswith(PROVIDER_PREFIX):
            # What the mocks leave out of an output object is unknown too, as at a preview.
            computed = getattr(self._mocks, "computed_fields", {}).get(args.typ, ())
            state, marked = with_unreturned_unknown(args.typ, state, args.inputs, computed)
            self.marked_unknowns |= marked
        if self.unknown_inputs is None:
            return resource_id, state
        # The mocks see an unknown input as unset (the SDK drops it when not previewing) and may
        # fill it in (an auto-name, say): the engine echoes an input unknown at preview as unknown.
        # A secret is echoed as its unknown value: the SDK reads a secret's unknown as a known None.
        unknown = {
            key: Unknown() if _is_secret(value) else value
            for key, value in self.unknown_inputs.items()
            if rpc.contains_unknowns(value)
        }
        return resource_id, {**state, **unknown}

    def call(self, args: pulumi_mocks.MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
        return self._mocks.call(args)

    def register_transform(self, transform: Any) -> None:
        self._mocks.register_transform(transform)

    def register_invoke_transform(self, transform: Any) -> None:
        self._mocks.register_invoke_transform(transform)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._mocks, name)


class _RecordingMonitor(pulumi_mocks.MockMonitor):
    """A mock monitor that also keeps what the register request carries beyond the inputs.

    The inputs are the ones the mock monitor deserialised for the mocks (which copy what they
    change): deserialising the request's properties a second time cost about 5 % of the SDK floor
    per resource (3.7-3.9 → 3.5-3.7 ms, alternating runs), with the same graphs."""

    def __init__(
        self,
        mocks: pulumi_mocks.Mocks,
        stack_outputs: StackOutputs | None = None,
        guard: DefaultProviderGuard | None = None,
        *,
        judges_autonames: bool = True,
    ) -> None:
        self._seen = _InputsSeen(mocks)
        self._judges_autonames = judges_autonames
        super().__init__(self._seen)
        self.recorded: list[RecordedResource] = []
        self.reads: list[RecordedResource] = []
        self.holds_unknowns = False
        self._stack_outputs: StackOutputs = stack_outputs or {}
        self._guard = guard or DefaultProviderGuard(frozenset(), "<program>")
        self._transforms = Transforms()
        self._package_refs: dict[bytes, str] = {}

    def ReadResource(self, request: Any) -> Any:
        """A read (``Resource.get``, ``opts.id``, a StackReference): answered as the engine would
        offline (:mod:`planner.reads`), not by the mocks, and recorded in ``reads``."""
        self._guard.read(request)
        urn = self.make_urn(request.parent, request.type, request.name)
        response, state = read_response(request, urn, self._stack_outputs)
        read_id = response.id or None  # none for a read skipped for its unknown id (read_response)
        self.resources[urn] = pulumi_mocks.MockMonitor.ResourceRegistration(urn, read_id or "", state)
        self.reads.append(
            RecordedResource(
                urn=urn,
                type=request.type,
                name=request.name,
                custom=True,
                parent=request.parent or None,
                dependencies=tuple(sorted(request.dependencies)),
                property_dependencies={},
                inputs=_plain(rpc.deserialize_properties(request.properties)),
                outputs=_plain(state),
                provider=request.provider or None,
                protect=False,
                retain_on_delete=False,
                id=read_id,
            )
        )
        return response

    @property
    def marked_unknowns(self) -> bool:
        """Whether a mocked result was given an unknown below its top level
        (:mod:`planner.unreturned_outputs`)."""
        return self._seen.marked_unknowns

    def Invoke(self, request: Any) -> Any:
        tokens = self._transforms.reaching_invoke()
        if not tokens:
            self._guard.invoke(request)
            return super().Invoke(request)
        provider = self._guard.invoke_provider(request)  # what the transforms get, as the engine's

        async def finish(inline: Callable[[Callable[[], Any]], Any]) -> Any:
            transformed = await self._transforms.run_on_invoke(request, tokens, provider)
            return inline(functools.partial(self._transformed_invoke, transformed))

        return OnProgramLoop(finish)

    def RegisterPackage(self, request: Any) -> Any:
        """A parameterized or extension package: a reference of its own (the SDK's mock monitor
        answers every package with one), whose package the default-provider check judges its
        requests by (:meth:`DefaultProviderGuard.package_registered`)."""
        ref = self._package_refs.setdefault(
            request.SerializeToString(deterministic=True), f"package-{len(self._package_refs)}"
        )
        self._guard.package_registered(ref, request)
        return resource_pb2.RegisterPackageResponse(ref=ref)

    def Call(self, request: Any) -> Any:
        """A method call (``pulumi.runtime.call``; the SDK's mock monitor has none): checked as the
        engine's Call, then answered by the mocks as an invoke of its token."""
        arguments = struct_pb2.Struct()
        arguments.CopyFrom(request.args)
        # The engine reads `__self__`'s URN off the resource reference the SDK sends (Call).
        this = arguments.fields.pop("__self__", None)
        self_urn = this.struct_value.fields["urn"].string_value if this is not None else ""
        self._guard.call(request, self_urn)
        returned, failures = self._seen.call(
            pulumi_mocks.MockCallArgs(
                token=request.tok, args=rpc.deserialize_properties(arguments), provider=request.provider
            )
        )
        return provider_pb2.CallResponse(
            failures=[
                provider_pb2.CheckFailure(property=name, reason=reason) for name, reason in failures or ()
            ],
            **{"return": _sync_await(rpc.serialize_properties(returned, {}))},
        )

    def _transformed_invoke(self, request: Any) -> Any:
        self._guard.invoke(request, resolved=True)
        return super().Invoke(request)

    def RegisterStackTransform(self, request: Any) -> Any:
        self._transforms.register_stack(request)
        return super().RegisterStackTransform(request)

    def RegisterStackInvokeTransform(self, request: Any) -> Any:
        self._transforms.register_stack_invoke(request)
        return super().RegisterStackInvokeTransform(request)

    def RegisterResource(self, request: Any) -> Any:
        tokens = self._transforms.reaching(request)
        if not tokens:  # the rule: a program that registered no transform pays one test here
            return self._register(request, request, transformed=False)
        # The engine resolves the provider before the transforms and hands it to them (a transform
        # may replace it): it runs them on the program's loop, where the SDK's callbacks run.
        provider = self._guard.provider_before_transforms(request)

        async def finish(inline: Callable[[Callable[[], Any]], Any]) -> Any:
            transformed = await self._transforms.run_on_resource(request, tokens, provider)
            return inline(functools.partial(self._register, request, transformed, transformed=True))

        return OnProgramLoop(finish)

    def _register(self, original: Any, request: Any, *, transformed: bool) -> Any:
        """The registration of ``request`` (``original`` after its transforms, when ``transformed``:
        its provider is then the one the engine reads after them, not resolved again)."""
        # What a child inherits is kept under the URN the registration answers: no URN is made here.
        provider = (
            self._guard.check(
                request,
                lambda: self.make_urn(request.parent, request.type, request.name),
                resolved=transformed,
            )
            if self._guard.disabled
            else None
        )
        self._seen.inputs = None
        # An import keeps the name the resource has: the engine's import step hands the provider's
        # Check the inputs it read as olds, and the bridge's auto-name returns that prior value (pulumi
        # ImportStep.Apply; pulumi-terraform-bridge info.ComputeAutoNameDefault, PriorValue).
        self._seen.judges_autoname = self._judges_autonames and not request.importId
        # Not previewing, the SDK deserialises an unknown input as unset: the rare request that
        # holds one (a byte search, under a microsecond) is read again with its unknowns kept, for
        # the mocks' echo and the recording (the pack's unknown-checking proxy reads them).
        self._seen.unknown_inputs = (
            _with_unknowns(request.object) if _UNKNOWN_BYTES in request.object.SerializeToString() else None
        )
        self.holds_unknowns |= self._seen.unknown_inputs is not None
        response = super().RegisterResource(request)
        self._guard.registered(request, response.urn, provider)
        self._transforms.registered(original, response.urn)
        registration = self.resources.get(response.urn)
        if request.custom and not request.type.startswith(PROVIDER_PREFIX):
            # What the mocks do not return, the engine knows only once the provider has created the
            # resource: the SDK resolves an output missing from an "unknown" result as unknown (not
            # as a known None), as at a preview, so the applies and inputs computed from it are
            # unknown too and a policy reading one is undecided, not decided on a None.
            response.unknown = True
        # The root stack never reaches the mocks.
        inputs = (
            self._seen.unknown_inputs
            if self._seen.unknown_inputs is not None
            else self._seen.inputs
            if self._seen.inputs is not None
            else rpc.deserialize_properties(request.object)
        )
        self.recorded.append(
            RecordedResource(
                urn=response.urn,
                type=request.type,
                name=request.name,
                custom=bool(request.custom),
                parent=request.parent or None,
                # The SDK gathers dependencies in sets: sorted, they read the same every run.
                dependencies=tuple(sorted(request.dependencies)),
                property_dependencies={
                    key: tuple(sorted(value.urns))
                    for key, value in sorted(request.propertyDependencies.items())
                },
                inputs=with_schema_integers(request.type, _plain(inputs)),
                outputs=with_schema_integers(request.type, _plain(registration.state))
                if registration
                else {},
                provider=request.provider or None,
                protect=bool(request.protect),
                retain_on_delete=bool(request.retainOnDelete),
                id=registration.id if registration else None,
                ignore_changes=tuple(request.ignoreChanges),
                custom_timeouts={
                    operation: getattr(request.customTimeouts, operation)
                    for operation in ("create", "update", "delete")
                    if getattr(request.customTimeouts, operation)
                },
                secret_inputs=frozenset(key for key, value in inputs.items() if _holds_secret(value)),
                aliases=tuple(_alias_text(alias) for alias in request.aliases),
                delete_before_replace=bool(request.deleteBeforeReplace),
                replace_on_changes=tuple(request.replaceOnChanges),
            )
        )
        return response


class _InlineEngineExecutor(concurrent.futures.ThreadPoolExecutor):
    """Runs the SDK's calls to the (mocked) engine inline, on a loop of their own.

    The SDK sends every engine call (register, invoke, outputs) through the event loop's default
    executor, a pool of threads, and the mock monitor pumps an event loop of its own inside each
    call. In threads the calls finish in whatever order the OS schedules them, so the registration
    order (and with it the plan's output) changed from run to run, and the handoffs cost time. Run
    inline, one call at a time in submission order, the program is deterministic. The mock's own
    event-loop pumping gets ``engine_loop``: pumping the program's loop from inside one of its
    callbacks would re-enter it.
    """

    def __init__(
        self, program_loop: asyncio.AbstractEventLoop, engine_loop: asyncio.AbstractEventLoop
    ) -> None:
        super().__init__(max_workers=1)  # never started: submit() does not use the pool
        self._program_loop = program_loop
        self._engine_loop = engine_loop

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        try:
            result = self.inline(functools.partial(fn, *args, **kwargs))
        except BaseException as error:  # delivered to the awaiting task, as from a pool thread
            future.set_exception(error)
            return future
        # A call that awaits the program's transforms first (on the program's loop, where the SDK's
        # callback server answers the engine) finishes in a task there; the SDK's invoke returns the
        # monitor's answer as the first of a (response, error) pair.
        finishing: Coroutine[Any, Any, Any]
        if isinstance(result, OnProgramLoop):
            finishing = result.finish(self.inline)
        elif isinstance(result, tuple) and result and isinstance(result[0], OnProgramLoop):
            finishing = _first_of(result[0].finish(self.inline), result[1:])
        else:
            future.set_result(result)
            return future
        task = self._program_loop.create_task(finishing)
        task.add_done_callback(functools.partial(_settle, future))
        return future

    def inline(self, call: Callable[[], Any]) -> Any:
        """``call()``, run as a call to the engine: the program's loop not running, the engine's set."""
        running = asyncio._get_running_loop()
        # asyncio's hooks for event-loop implementations: the call must not see the program's
        # loop as running, or the mock's _sync_await would pump it re-entrantly.
        asyncio._set_running_loop(None)
        asyncio.set_event_loop(self._engine_loop)
        try:
            return call()
        finally:
            asyncio.set_event_loop(self._program_loop)
            asyncio._set_running_loop(running)


async def _first_of(first: Awaitable[Any], rest: tuple[Any, ...]) -> tuple[Any, ...]:
    return (await first, *rest)


def _settle(future: concurrent.futures.Future[Any], task: asyncio.Task[Any]) -> None:
    """Delivers ``task``'s outcome to the SDK's awaiting ``future``, unless that was cancelled (a
    failed program's unwinding cancels both). A failure is read either way: one left unread is
    logged "Task exception was never retrieved" when the task is collected, under the error the
    recording already raised."""
    error = None if task.cancelled() else task.exception()
    if future.done():
        return
    if task.cancelled():
        future.cancel()
    elif error is not None:
        future.set_exception(error)
    else:
        future.set_result(task.result())


def _cancel_pending(loop: asyncio.AbstractEventLoop) -> None:
    """Unwind what a failed program left scheduled, so its coroutines close here, not in a later
    test's garbage collection with a "never awaited" warning."""
    pending = asyncio.all_tasks(loop)
    if not pending:
        return
    for task in pending:
        task.cancel()
    asyncio.set_event_loop(loop)
    with contextlib.suppress(Exception):  # a task that fails while cancelled is not the run's error
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))


def _alias_text(alias: Any) -> str:
    """An alias as the engine receives it: its URN, or its spec's set parts, ``,``-joined."""
    if alias.urn:
        return str(alias.urn)
    spec = alias.spec
    parts = [f"{part}={getattr(spec, part)}" for part in _ALIAS_PARTS if getattr(spec, part)]
    return ",".join([*parts, "noParent"] if spec.noParent else parts)


_ALIAS_PARTS = ("name", "type", "stack", "project", "parentUrn")


def _is_map(value: Any) -> bool:
    return type(value) is dict or (type(value) not in SCALAR_TYPES and isinstance(value, Mapping))


def _is_secret(value: Any) -> bool:
    return _is_map(value) and value.get(rpc._special_sig_key) == rpc._special_secret_sig


def _holds_secret(value: Any) -> bool:
    if type(value) in SCALAR_TYPES:
        return False
    if _is_map(value):  # _is_secret's test, the map already told
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return True
        items: Iterable[Any] = value.values()
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        return False
    for item in items:  # noqa: SIM110 (a loop, not any() over a generator: the same order and stop, cheaper)
        if _holds_secret(item):
            return True
    return False


def _plain(value: Any) -> Any:
    """Deserialised properties as plain JSON-able data (secrets unwrapped, an unknown as the
    engine sends it to a policy pack: the string :data:`UNKNOWN`)."""
    if type(value) in SCALAR_TYPES:
        return value
    if _is_map(value):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:  # _is_secret, the map told
            return _plain(value.get("value"))
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if known_types.is_unknown(value):
        return UNKNOWN
    if isinstance(value, pulumi.Resource):
        return None
    return value


def _mock_target(config: Mapping[str, Any]) -> tuple[str, str]:
    """The stack's region (the default provider's, and so of every resource whose AWS provider sets
    none) and the account the mocks answer in: this platform's ``region``/``account_id``, else the
    AWS provider's own config (``aws:region``, a single ``aws:allowedAccountIds`` entry), as another
    team's program sets them; else the defaults."""
    platform = platform_map(config)
    region = platform.get("region", config.get("aws:region"))
    account = platform.get("account_id")
    if account is None:
        allowed = _account_list(config.get("aws:allowedAccountIds"))
        if allowed is not None and len(allowed) == 1:
            account = allowed[0]
    return (
        region if isinstance(region, str) and region else DEFAULT_REGION,
        account if isinstance(account, str) and account else DEFAULT_ACCOUNT,
    )


def _default_regions(config: Mapping[str, Any]) -> dict[str, str]:
    """The region of pulumi-aws-native's default provider where the stack sets one: the engine
    configures it from ``aws-native:region``, not ``aws:region`` (each default provider reads its
    own package's keys: pulumi/pulumi docs/architecture/deployment-execution/providers.md)."""
    native = known_region(config.get("aws-native:region"))
    return {"aws-native": native} if native else {}


def _account_list(value: Any) -> list[Any] | None:
    """An ``allowedAccountIds`` value as a list: the list itself, or the JSON text the engine passes
    config (and the SDK a provider's list input) as, parsed as ``platform_map`` parses the platform's
    text: never one nested past the limit (parsing recurses once per level: a RecursionError).
    None for anything else."""
    if isinstance(value, str):
        try:
            value = None if json_text_problem(value) else json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, list) else None


def _provider_target_warnings(recorded: Iterable[RecordedResource], region: str, account: str) -> list[str]:
    """A warning per explicit AWS provider the mocks cannot answer for as ``pulumi up`` would.

    One whose ``region`` is unset, empty or unknown: the mocks answer its resources in the stack's
    ``region`` (:class:`PlatformMocks`), but an explicit provider reads no ``aws:region`` from the
    stack (:data:`~planner.mocks.REGIONAL_PROVIDERS`: its SDK fills an unset one from
    ``AWS_REGION``/``AWS_DEFAULT_REGION`` where the program runs, so neither was set here, and
    ``pulumi up`` takes the AWS profile's). One whose known
    ``allowedAccountIds`` leaves out the mocks' account: the mocks answer every resource in
    ``config``'s account (:func:`_mock_target`), so its ARNs would not be the ones that provider's
    account gives."""
    messages = []
    for resource in recorded:
        if resource.type not in REGIONAL_PROVIDERS:
            continue
        pinned = resource.inputs.get("region")
        if pinned == rpc.UNKNOWN:
            messages.append(
                f"provider {resource.name!r}: its region is unknown until deployment, but the mocks "
                f"answer its resources in the stack's region {region!r}: give it a region known "
                "before deployment (text or a config value, not another resource's output) to plan "
                "them in it (docs/reuse.md)"
            )
        elif known_region(pinned) is None:
            messages.append(
                f"provider {resource.name!r} sets no region, and an explicit provider reads no "
                "aws:region from the stack: pulumi up gives it AWS_REGION or AWS_DEFAULT_REGION (unset "
                "where this plan ran) or the AWS profile's region, but the mocks answer its resources "
                f"in the stack's region {region!r}: give it region=... (docs/reuse.md)"
            )
        allowed = _account_list(resource.inputs.get("allowedAccountIds"))
        if allowed and account not in allowed:
            messages.append(
                f"provider {resource.name!r} pins allowedAccountIds {allowed!r}, but the mocks answer "
                f"every resource in account {account!r}: give record_program's config the same "
                "aws:allowedAccountIds (docs/reuse.md)"
            )
    return messages


class _ConsequencesUnsaid:
    """asyncio's exception handler for a recording's loops, silent on what only repeats a failure.

    The SDK fails every output of a registration that raised (its URN, its id, each output:
    pulumi/runtime/resource.py ``register_resource``, ``rpc.resolve_outputs_due_to_exception``)
    with the error, and no program reads them: each was logged "Future exception was never
    retrieved" with the error's traceback (dozens per resource) when collected, which is when the
    next recording clears the SDK's state, on the stderr of whoever recorded next. Silent on those
    of a refusal ``pulumi up`` would make
    (:class:`~planner.program_failure.ProgramFailure`: its default provider, its auto-name, a
    transform), and, once the recording failed, on those of the error it raised or of one its
    traceback prints with it (raised ``from``, or while handling): the caller has them. Anything
    else is asyncio's to say: a task of a recording that succeeded that failed unawaited, and an
    error the program raised from or while handling the failure (a bug of its own, which the
    caller's traceback does not show)."""

    def __init__(self) -> None:
        self.failure: BaseException | None = None
        """What the recording raised, once it did."""

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        repeats_the_failure = (
            self.failure is not None and isinstance(error, BaseException) and _in_chain(self.failure, error)
        )
        if not (isinstance(error, ProgramFailure) or repeats_the_failure):
            loop.default_exception_handler(context)


def _in_chain(error: BaseException, wanted: BaseException) -> bool:
    """Whether ``wanted`` is ``error`` or one of the exceptions it was raised from or during, as
    Python's traceback of ``error`` follows them (``__cause__``, else ``__context__`` unless
    ``raise ... from None`` suppressed it)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if current is wanted:
            return True
        seen.add(id(current))
        if current.__cause__ is not None:
            current = current.__cause__
        else:
            current = None if current.__suppress_context__ else current.__context__
    return False


def _default_provider_guard(config: Mapping[str, Any], source: str) -> DefaultProviderGuard:
    """What refuses the registrations ``config``'s ``pulumi:disable-default-providers`` disables
    (:mod:`planner.default_providers`); a malformed value is a ConfigError naming ``source``."""
    try:
        return DefaultProviderGuard(disabled_default_providers(config), source)
    except ValueError as error:
        from stacks.config_errors import ConfigError  # the configuration model: only when needed

        raise ConfigError(source, [(DISABLE_DEFAULT_PROVIDERS_KEY, str(error))]) from None


def record_program(
    program: Callable[[], Any],
    *,
    stack: str = "test",
    config: Mapping[str, Any] | None = None,
    source: str = "<program>",
    secret_keys: Iterable[str] | None = None,
    stack_outputs: StackOutputs | None = None,
    default_providers_source: str = "",
    judges_autonames: bool = True,
    project: str = PROJECT,
) -> ResourceGraph:
    """Run ``program`` under mocks with ``config`` (a stack file's ``config:`` map) and record it,
    as stack ``stack`` of the project named ``project`` (``Pulumi.yaml``'s ``name``: the engine's
    URNs and ``pulumi.get_project()`` carry it).

    ``secret_keys``: the keys the engine passes as secret (``PULUMI_CONFIG_SECRET_KEYS``); by
    default those of ``config`` that are or hold an encrypted value.

    ``stack_outputs``: the outputs of the stacks the program references with
    ``pulumi.StackReference``, by the stack name it gives (``{"org/network/prod": {"vpc_id":
    "vpc-0abc"}}``); a referenced stack not given has unknown outputs (:mod:`planner.reads`).

    Exceptions raised by the program (e.g. :class:`~stacks.config.ConfigError`) propagate; one a
    transform raises fails the recording with :class:`~planner.transforms.TransformFailed` (its
    ``error``), as the engine fails the registration under `pulumi up`. A
    registration (resource, read or invoke) of a package ``config``'s
    ``pulumi:disable-default-providers`` lists that names no provider fails the recording with
    :class:`~planner.default_providers.DefaultProviderDenied`, as it fails `pulumi up`; a malformed
    value of that key is a :class:`~stacks.config.ConfigError` naming ``source``.
    ``default_providers_source`` names the file that key is written in when it is not ``source``
    (a project's ``Pulumi.yaml``). A pulumi-aws resource the provider cannot auto-name (its logical
    name too long for the type) fails it with :class:`~planner.autonames.AutoNameRefused`, unless
    ``config`` sets ``pulumi:autonaming`` or ``judges_autonames`` is False (where it may be set
    where the plan cannot read it: an ESC environment the stack file imports).
    """
    config = dict(config or {})
    secrets = list(config_secret_keys(config) if secret_keys is None else secret_keys)
    region, account = _mock_target(config)
    mocks = PlatformMocks(region=region, account_id=account, default_regions=_default_regions(config))
    monitor = _RecordingMonitor(
        mocks,
        stack_outputs,
        _default_provider_guard(config, default_providers_source or source),
        judges_autonames=judges_autonames and AUTONAMING_KEY not in config,
    )
    exports: dict[str, Any] = {}
    secret_exports: set[str] = set()
    warnings = _WarningCollector()
    unsaid = _ConsequencesUnsaid()

    def run() -> None:
        loop = asyncio.new_event_loop()
        engine_loop = asyncio.new_event_loop()
        loop.set_default_executor(_InlineEngineExecutor(loop, engine_loop))
        for used in (loop, engine_loop):
            used.set_exception_handler(unsaid)
        asyncio.set_event_loop(loop)
        try:
            pulumi.runtime.set_all_config(engine_config_values(config), secrets)
            pulumi_mocks.set_mocks(
                mocks, project=project, stack=stack, preview=False, monitor=monitor, logger=warnings.logger
            )
            SETTINGS.rpc_manager.clear()
            SETTINGS.outputs.clear()
            # Each recording is a deployment of its own, with its monitor: the SDK's cache of the
            # packages registered (their references) outlives a recording unless emptied.
            SETTINGS.package_refs = {}
            SETTINGS.base_providers_by_ref = {}
            _sync_await(run_pulumi_func(program))
            # set_mocks registers the root stack's (empty) outputs up front, so the values the
            # program `pulumi.export`ed are read off the stack object itself.
            root = pulumi.runtime.get_root_resource()
            # set_mocks makes the root a Stack (the only root type that has outputs).
            if isinstance(root, Stack):
                exports.update(
                    _plain(
                        _sync_await(pulumi.Output.from_input(dict(root.outputs)).future(with_unknowns=True))
                        or {}
                    )
                )
                secret_exports.update(
                    name
                    for name, value in root.outputs.items()
                    if _sync_await(pulumi.Output.from_input(value).is_secret())
                )
        except BaseException as error:
            unsaid.failure = error  # before the unwinding below collects anything it failed
            raise
        finally:
            try:
                for used in (loop, engine_loop):
                    _cancel_pending(used)
            finally:  # whatever unwinding raised, the program's own error and the loops' closing win
                asyncio.set_event_loop(None)
                loop.close()
                engine_loop.close()

    with _without_stack_traces(), unknown_ids_read_as_unknown(), fewer_gc_pauses():
        contextvars.Context().run(run)
    return ResourceGraph(
        stack=stack,
        source=source,
        resources=tuple(monitor.recorded),
        exports=exports,
        config=config,
        secret_exports=frozenset(secret_exports),
        warnings=(*warnings.messages, *_provider_target_warnings(monitor.recorded, region, account)),
        holds_unknowns=monitor.holds_unknowns
        or monitor.marked_unknowns
        or without_unknowns(exports) != exports,
        reads=tuple(monitor.reads),
    )


def known_inputs(graph: ResourceGraph) -> ResourceGraph:
    """``graph`` as a reader that takes an unknown value for an unset one reads it (the cost
    estimate, the critical path, the post-deploy check's expectations: written for the SDK's answer
    when not previewing): each :data:`UNKNOWN` in the inputs, the outputs (an unknown input's echo)
    and the exports dropped from its map or list (a list item wholly unknown, such as a production
    variant built in an apply over an output AWS computes at create, is left out: those readers take
    each item for a map or a name and failed on a None). The graph itself when none holds one."""
    if not graph.holds_unknowns:
        return graph
    return dataclasses.replace(
        graph,
        resources=tuple(
            dataclasses.replace(
                resource,
                inputs=without_unknowns(resource.inputs),
                outputs=without_unknowns(resource.outputs),
            )
            for resource in graph
        ),
        exports=without_unknowns(graph.exports),
        holds_unknowns=False,
    )


_SECRET_UNKNOWN = "planner.recorder: an unknown inside a secret, 7c0e5d52-3f7b-4a7e-9a43-5d8f1c2b6e90"
"""What :func:`_with_unknowns` stands in for a secret's unknown while the SDK deserialises it."""


def _with_unknowns(properties: Any) -> dict[str, Any]:
    """``properties`` deserialised with every unknown kept as the SDK's ``Unknown``, a secret's too
    (``rpc.deserialize_properties`` reads a secret's value without ``keep_unknowns``: an unknown
    secret became a known None, recorded as unset and echoed as None)."""
    marked = type(properties)()  # a protobuf Struct
    marked.CopyFrom(properties)
    for value in marked.fields.values():
        _mark_secret_unknowns(value, in_secret=False)
    return _unmarked(rpc.deserialize_properties(marked, keep_unknowns=True))


def _mark_secret_unknowns(value: Any, *, in_secret: bool) -> None:
    kind = value.WhichOneof("kind")
    if kind == "string_value" and in_secret and value.string_value == UNKNOWN:
        value.string_value = _SECRET_UNKNOWN
    elif kind == "list_value":
        for item in value.list_value.values:
            _mark_secret_unknowns(item, in_secret=in_secret)
    elif kind == "struct_value":
        fields = value.struct_value.fields
        signature = fields.get(rpc._special_sig_key)
        secret = in_secret or (signature is not None and signature.string_value == rpc._special_secret_sig)
        for item in fields.values():
            _mark_secret_unknowns(item, in_secret=secret)


def _unmarked(value: Any) -> Any:
    if isinstance(value, str):
        return Unknown() if value == _SECRET_UNKNOWN else value
    if isinstance(value, dict):
        return {key: _unmarked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_unmarked(item) for item in value]
    return value


def without_unknowns(value: Any) -> Any:
    """``value`` with each :data:`UNKNOWN` left out of its map or list (:func:`known_inputs`)."""
    if isinstance(value, Mapping):
        return {key: without_unknowns(item) for key, item in value.items() if item != UNKNOWN}
    if isinstance(value, list):
        return [without_unknowns(item) for item in value if item != UNKNOWN]
    return value


def _empty_stack_trace() -> source_pb2.StackTrace:
    return source_pb2.StackTrace()


@contextlib.contextmanager
def _without_stack_traces() -> Iterator[None]:
    """Registrations carry no stack trace while a program is recorded.

    For each resource and invoke the SDK walks the Python stack (``traceback.extract_stack``,
    reading source lines) and turns every frame into a file URI, for the engine's source positions;
    the mock monitor drops them, and they were 3-4 % of a large plan's CPU time.
    """
    original = pulumi_resource._get_stack_trace
    pulumi_resource._get_stack_trace = _empty_stack_trace
    try:
        yield
    finally:
        pulumi_resource._get_stack_trace = original


class _WarningCollector(logging.Handler):
    """Keeps the warnings the mock engine receives (``pulumi.log.warn``), in order, for the plan."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []
        self.logger = logging.Logger(f"{__name__}.engine", level=logging.WARNING)
        self.logger.propagate = False
        self.logger.addHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _offline_program(source: str, registry: str = "stand-in") -> Any:
    """The entry `__main__.py` calls, with the registry replaced by an offline stand-in."""
    from stacks.model_packages import empty_registry_resolver, nothing_deployed, offline_resolver
    from stacks.program import run

    resolver = {"stand-in": offline_resolver, "empty": empty_registry_resolver}[registry]
    return run(
        source,
        resolver_factory=lambda config: resolver(config.region, config.account_id),
        deployed_factory=lambda config: nothing_deployed,
    )


def record_stack_file(
    path: str | StackFile,
    program: Callable[[str], Any] | None = None,
    *,
    registry: str = "stand-in",
    stack_outputs: StackOutputs | None = None,
) -> ResourceGraph:
    """Record the platform program for the stack file at ``path`` (or one already read).

    ``registry`` (one of :data:`REGISTRIES`) picks the offline registry when ``program`` is not
    given; ``stack_outputs`` is :func:`record_program`'s. Raises :class:`~stacks.config.ConfigError` for a malformed or invalid stack file,
    before any resource is registered.
    """
    # Here, not at the top: the reader imports the configuration model, which a recording of a
    # plain program (the benchmark's SDK floor) does not need.
    from stacks.stack_file import StackFile, offline_config, read_stack_file

    if registry not in REGISTRIES:
        raise ValueError(f"registry {registry!r}: use one of {', '.join(REGISTRIES)}")
    stack_file = path if isinstance(path, StackFile) else read_stack_file(path)
    if program is None:
        program = functools.partial(_offline_program, registry=registry)

    graph = record_program(
        lambda: program(stack_file.path),
        stack=stack_file.stack,
        # Each encrypted leaf of the platform map as the stand-in its check accepts, as the plan
        # validated it; the keys the engine would pass as secret are the stack file's own.
        config=offline_config(stack_file),
        source=stack_file.path,
        secret_keys=config_secret_keys(stack_file.config),
        stack_outputs=stack_outputs,
        default_providers_source=stack_file.default_providers_source,
        # An ESC environment's pulumiConfig is merged into the stack's config before the engine reads
        # pulumi:autonaming (pulumi preview.go: ValidateStackConfigAndApplyProjectConfig, then
        # ParseAutonamingConfig(cfg.Config)); the plan cannot read it, so it may be set there.
        judges_autonames=not stack_file.environments,
        project=stack_file.project,
    )
    if not stack_file.environments:
        return graph
    return dataclasses.replace(graph, esc_environments=stack_file.environments)


def esc_note(graph: ResourceGraph) -> str | None:
    """What a plan says of the ESC environments its stack file imports; None when it imports none."""
    if not graph.esc_environments:
        return None
    names = ", ".join(graph.esc_environments)
    return (
        f"{graph.source} imports the Pulumi ESC environment(s) {names} (`environment:`): `pulumi up` "
        "merges their pulumiConfig values into the stack's config (the stack file's own values win), "
        "but their values are not in the offline plan, which cannot read ESC (it needs Pulumi Cloud): "
        "this plan is of the stack file's values alone"
    )
