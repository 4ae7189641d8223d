"""Lazy classes in the providers' type modules, for the offline planner and the test suite.

A pulumi-aws / pulumi-aws-native service keeps its nested input and output types in two generated
modules, ``_inputs.py`` and ``outputs.py``, and its enumerations in ``_enums.py``:
``pulumi_aws.sagemaker._inputs`` alone defines 820 classes (410 input types and their
``TypedDict`` forms). Building every class body (its
annotations, its properties) was most of what a plan spent importing the providers, while the prod
plan uses a few dozen of them.

:func:`install` puts a ``sys.meta_path`` finder in front of the path finder for these modules. Its
loader runs the module's own compiled code (from ``__pycache__``, as the import system would) with
two changes while it runs: ``class`` statements record the class body instead of building the
class, and pulumi's decorators (``@pulumi.input_type``, ``@pulumi.output_type``,
``@pulumi.type_token(...)``) record themselves. The first read of a name (``module.Name``, a ``from ... import Name``, a type hint naming it) builds the
class from exactly that body, bases and decorators, as the ``class`` statement would have, and binds
it in the module. Anything else the module does at top level runs as written. A module doing
anything the recording does not model (another decorator, a class read, kept or replaced at top
level) is executed again, eagerly, from the same code.

Two readers see a module's names without asking it for them, and both are served:

* ``from ._inputs import *`` in a resource module: the star import binds only the names the
  importing module's own code mentions (its compiled names), or has bound already (the star import
  would overwrite them); the importer answers the others on first use (a module ``__getattr__``)
  and keeps the lazy modules it star-imported in ``__lazy_star_sources__``. A package's star import
  (a re-export) binds every name.
* The Pulumi SDK resolving a class's string type hints (``pulumi._types``): it copies the globals
  of the class's modules and evaluates each hint there. :func:`install` wraps its two helpers so a
  name missing from those globals is built from the lazy modules those globals stand for (the
  module itself, or the modules it star-imported), in their order; a name the globals have wins,
  as in the real module.

The Pulumi program entry used by ``pulumi up`` (``__main__.py``) does not import the planner, so
the real engine path imports these modules as generated. ``MLOPS_LAZY_PROVIDER_IMPORTS=0``
switches this off with :mod:`planner.lazy_provider_imports`.
"""

from __future__ import annotations

import builtins
import dis
import importlib.abc
import importlib.machinery
import sys
import types
from collections.abc import Callable, Iterator, Sequence
from typing import Any

LAZY_MODULES = frozenset({"_inputs", "outputs", "_enums"})
_DEFERRED_DECORATORS = ("input_type", "output_type")
_DEFERRED_DECORATOR_FACTORIES = ("type_token",)  # ``@pulumi.type_token("aws:ec2/...")`` on enums
_IMPORT_STAR = dis.opmap.get("IMPORT_STAR")
SUPPORTED = sys.implementation.name == "cpython" and sys.version_info[:2] == (3, 11)
"""What this is verified on: the lock's CPython. The star-import detection reads 3.11's bytecode
(3.12 has no IMPORT_STAR), and the check that nothing kept a class counts references; elsewhere
the modules load as generated."""
# Builtins a generated module's top level names (a base class, ``_builtins.str``): one naming any
# other (``type``, ``id``, ``isinstance``...) could observe a recorded class, so it loads eagerly.
_TOP_LEVEL_BUILTINS = frozenset({"dict", "str", "int", "float", "bool", "list", "object", "property"})


class _NotModelled(Exception):
    """The module's top level does something the recording does not reproduce: run it eagerly."""


class _Placeholder:
    """What a recorded ``class`` statement binds while the top level runs. Any use of it (an
    attribute, a comparison, a hash, a call) means the top level does more than define the class,
    so it stops the recording; so does any reference to it kept beyond its own name."""

    __slots__ = ()  # no __weakref__ either: a weak reference to it fails, so the recording stops

    def _not_modelled(self, *args: Any, **kwargs: Any) -> Any:
        raise _NotModelled("the top level uses a class it defines")

    __getattr__ = __setattr__ = __delattr__ = __call__ = __getitem__ = __iter__ = __len__ = _not_modelled
    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __hash__ = __bool__ = _not_modelled
    __repr__ = __str__ = __format__ = __or__ = __ror__ = __reduce_ex__ = __mro_entries__ = _not_modelled

    def __getattribute__(self, name: str) -> Any:
        raise _NotModelled(f"the top level reads {name} of a class it defines")


class _Pending:
    """A ``class`` statement, recorded: its body function, bases, keywords and decorators."""

    __slots__ = ("bases", "body", "decorators", "keywords", "name")

    def __init__(self, name: str, body: types.FunctionType, bases: tuple[Any, ...], keywords: dict) -> None:
        self.name = name
        self.body = body
        self.bases = bases
        self.keywords = keywords
        self.decorators: list[Callable[[type], type]] = []


class _RecordingDecorator:
    """One of pulumi's class decorators while a module's top level runs: remembers itself on the
    recorded class."""

    def __init__(self, real: Callable[[type], type], recorded: dict[int, _Pending]) -> None:
        self.real = real
        self.recorded = recorded

    def __call__(self, target: Any) -> Any:
        pending = self.recorded.get(id(target)) if type(target) is _Placeholder else None
        if pending is None:
            raise _NotModelled("a recorded decorator applied to something other than a recorded class")
        pending.decorators.append(self.real)
        return target


class _RecordingPulumi(types.ModuleType):
    """``pulumi`` as the module's top level sees it while recording."""

    def __init__(self, real: types.ModuleType, recorded: dict[int, _Pending]) -> None:
        super().__init__(real.__name__)
        self.__dict__["_real"] = real
        self.__dict__["_recorded"] = recorded

    def __getattr__(self, name: str) -> Any:
        real = self.__dict__["_real"]
        recorded = self.__dict__["_recorded"]
        if name in _DEFERRED_DECORATORS:
            return _RecordingDecorator(getattr(real, name), recorded)
        if name in _DEFERRED_DECORATOR_FACTORIES:
            factory = getattr(real, name)
            return lambda *args, **kwargs: _RecordingDecorator(factory(*args, **kwargs), recorded)
        return getattr(real, name)


class LazyClassModule(types.ModuleType):
    """A provider type module whose classes are built on first use."""

    def __getattr__(self, name: str) -> Any:
        pending: dict[str, _Pending] = self.__dict__["__lazy_pending__"]
        if name == "__all__":
            return _all_for(self, pending, sys._getframe(1))
        if name in pending:
            return _build(self, name)
        # its own star import of another lazy module
        return _from_star_sources(self.__name__, self.__dict__.get("__lazy_star_sources__", ()), name)

    def __dir__(self) -> list[str]:
        own = set(self.__dict__) | set(self.__dict__["__lazy_pending__"]) | {"__all__"}
        return sorted(own | _star_names(self.__dict__.get("__lazy_star_sources__", ())))


def _build(module: types.ModuleType, name: str) -> Any:
    """Build the recorded class ``name`` of ``module`` (once) and bind it there.

    The module's other recorded classes its code names (a bare reference in its body or its
    methods, read from the module's globals where no ``__getattr__`` is asked) are built first,
    as the eager module would have them bound. A build that fails leaves the class recorded."""
    namespace = module.__dict__
    waiting: dict[str, _Pending] = namespace["__lazy_pending__"]
    pending = waiting.pop(name, None)
    if pending is None:  # built meanwhile
        return namespace[name]
    try:
        for other in sorted(set(_code_names(pending.body.__code__)) & waiting.keys()):
            _build(module, other)
        body = types.FunctionType(
            pending.body.__code__, namespace, pending.name, None, pending.body.__closure__
        )
        value: Any = builtins.__build_class__(body, pending.name, *pending.bases, **pending.keywords)
        for decorate in pending.decorators:  # recorded as `@` applied them: the innermost first
            value = decorate(value)
    except BaseException:
        waiting[name] = pending
        raise
    namespace[name] = value
    return value


def _code_names(code: types.CodeType) -> Iterator[str]:
    yield from code.co_names
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            yield from _code_names(constant)


def _all_for(module: types.ModuleType, pending: dict[str, _Pending], caller: Any) -> list[str]:
    """``__all__`` of a lazy module. A star import into a module (the caller's current
    instruction) binds only the names the importer's code mentions or has bound already; the
    importer answers the rest on first use (a module ``__getattr__``, and type hints), from the
    lazy modules it star-imported (``__lazy_star_sources__``). A package re-exports what it
    star-imports, so it gets every name, as does an importer with a ``__getattr__`` of its own."""
    names: list[str] = module.__dict__["__lazy_all__"]
    code = caller.f_code
    importer = caller.f_globals
    own_getattr = importer.get("__getattr__")
    if (
        code.co_code[caller.f_lasti] != _IMPORT_STAR
        or "__path__" in importer
        or (own_getattr is not None and not getattr(own_getattr, "__lazy_star_getattr__", False))
    ):
        return list(names)
    sources: list[types.ModuleType] = importer.setdefault("__lazy_star_sources__", [])
    sources.append(module)
    # A lazy module being recorded answers from its sources itself (LazyClassModule.__getattr__,
    # after its own classes, which the eager module binds after its star imports).
    if own_getattr is None and not importer.get("__lazy_recording__"):
        importer["__getattr__"] = _star_getattr(importer.get("__name__", ""), sources)
        if "__dir__" not in importer:
            importer["__dir__"] = _star_dir(importer, sources)
    mentioned = set(_code_names(code)) | set(importer)
    return [name for name in names if name not in pending or name in mentioned]


def _star_getattr(importer_name: str, sources: list[types.ModuleType]) -> Callable[[str], Any]:
    """The importer's module ``__getattr__``: a name it star-imported from a lazy module, built
    on first use (the latest star import wins, as it would have)."""

    def __getattr__(name: str) -> Any:
        return _from_star_sources(importer_name, sources, name)

    # A marker on the function object (Python allows it; mypy types functions without attributes).
    __getattr__.__lazy_star_getattr__ = True  # type: ignore[attr-defined]
    return __getattr__


def _star_dir(importer: dict[str, Any], sources: list[types.ModuleType]) -> Callable[[], list[str]]:
    """The importer's ``dir()``: its names and what its lazy star imports would have bound."""

    def __dir__() -> list[str]:
        return sorted(set(importer) | _star_names(sources))

    return __dir__


def _from_star_sources(importer_name: str, sources: Sequence[types.ModuleType], name: str) -> Any:
    """``name`` as the importer's star imports of lazy ``sources`` would have bound it (the
    latest wins), built on first use."""
    for module in reversed(sources):
        if _provides(module, name):
            return getattr(module, name)
    raise AttributeError(f"module {importer_name!r} has no attribute {name!r}")


def _star_names(sources: Sequence[types.ModuleType]) -> set[str]:
    """Every name the star imports of lazy ``sources`` would have bound."""
    names: set[str] = set()
    for module in sources:
        names |= module.__dict__.get("__lazy_all_names__", frozenset())
    return names


def _provides(module: types.ModuleType, name: str) -> bool:
    """Whether a star import of the lazy ``module`` would have bound ``name``."""
    return name in module.__dict__.get("__lazy_all_names__", ())


class LazyClassLoader(importlib.abc.Loader):
    """Runs a provider type module with its ``class`` statements recorded, not executed."""

    def __init__(self, real: importlib.machinery.SourceFileLoader) -> None:
        self.real = real

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        # Here, not at install: installing must not import pulumi (a plan of an invalid stack file
        # fails before anything imports it), and no lazy name exists before this first lazy module.
        _patch_type_hints()
        code = self.real.get_code(module.__name__)
        assert code is not None
        namespace = module.__dict__
        try:
            pending = _record(code, namespace)
        except _NotModelled:
            for key in [key for key in namespace if not (key.startswith("__") and key.endswith("__"))]:
                del namespace[key]
            for key in [key for key in namespace if key.startswith("__lazy_")]:
                del namespace[key]
            namespace["__builtins__"] = builtins
            module.__class__ = types.ModuleType  # a reload of a lazy module that now loads eagerly
            exec(code, namespace)
            return
        namespace["__lazy_all__"] = namespace.pop("__all__")
        namespace["__lazy_all_names__"] = frozenset(namespace["__lazy_all__"])
        namespace["__lazy_pending__"] = pending
        module.__class__ = LazyClassModule


def _record(code: types.CodeType, namespace: dict[str, Any]) -> dict[str, _Pending]:
    """Run the module's top level with class statements and pulumi's type decorators recorded."""
    import pulumi

    recorded: dict[int, _Pending] = {}
    placeholders: list[_Placeholder] = []
    recording_pulumi = _RecordingPulumi(pulumi, recorded)

    def build_class(body: types.FunctionType, name: str, *bases: Any, **keywords: Any) -> _Placeholder:
        placeholder = _Placeholder()
        placeholders.append(placeholder)
        recorded[id(placeholder)] = _Pending(name, body, bases, keywords)
        return placeholder

    def import_(
        name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0
    ) -> Any:
        found = builtins.__import__(name, globals, locals, fromlist, level)
        return recording_pulumi if found is pulumi else found

    unexpected = set(code.co_names) & set(vars(builtins)) - _TOP_LEVEL_BUILTINS
    if unexpected:
        raise _NotModelled(f"the top level names the builtins {sorted(unexpected)}")
    namespace["__builtins__"] = dict(vars(builtins), __build_class__=build_class, __import__=import_)
    namespace["__lazy_recording__"] = True
    try:
        exec(code, namespace)
    except _NotModelled:
        raise
    except Exception as error:  # e.g. a class used at top level in a way the recording cannot model
        raise _NotModelled(str(error)) from error
    finally:
        namespace["__builtins__"] = builtins
        del namespace["__lazy_recording__"]
    if "__all__" not in namespace:
        raise _NotModelled("no __all__: a star import binds every public name")
    pending = _take_placeholders(namespace, recorded, recording_pulumi, pulumi)
    for placeholder in placeholders:
        found = recorded[id(placeholder)]
        # Held by the list and this loop only (and getrefcount's argument): nothing else kept it.
        # (Only pulumi's recorded decorators are on the class: any other one touched the
        # placeholder, kept it, or returned something else.)
        if sys.getrefcount(placeholder) != 3 or pending.get(found.name) is not found:
            raise _NotModelled(f"the top level kept the class {found.name} or replaced it")
    return pending


def _take_placeholders(
    namespace: dict[str, Any], recorded: dict[int, _Pending], recording_pulumi: Any, pulumi: types.ModuleType
) -> dict[str, _Pending]:
    """Unbind each recorded class from the module and give it the real ``pulumi`` back (a
    function of its own, so no local variable outlives it holding a placeholder)."""
    pending: dict[str, _Pending] = {}
    for key, value in list(namespace.items()):
        if value is recording_pulumi:
            namespace[key] = pulumi
        elif type(value) in (_RecordingPulumi, _RecordingDecorator):
            raise _NotModelled(f"{key} holds the recording's stand-in")
        elif type(value) is types.FunctionType and value.__globals__ is namespace:
            raise _NotModelled(f"{key} is a function of the module's own: it kept the recording's builtins")
        elif type(value) is _Placeholder:
            found = recorded[id(value)]
            if found.name != key:
                raise _NotModelled(f"{key} holds the class {found.name}")
            pending[key] = found
            del namespace[key]
    return pending


class LazyClassFinder(importlib.abc.MetaPathFinder):
    """Finds ``<top>.<service>._inputs`` / ``.outputs`` / ``._enums`` of the given providers."""

    def __init__(self, top_packages: Sequence[str]) -> None:
        self.top_packages = frozenset(top_packages)

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        parts = fullname.split(".")
        if len(parts) != 3 or parts[0] not in self.top_packages or parts[2] not in LAZY_MODULES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            spec.loader = LazyClassLoader(spec.loader)
        return spec


class _LazyGlobals(dict):
    """The SDK's copy of a class's globals, with the lazy sources of the names it lacks."""

    sources: tuple[tuple[types.ModuleType, bool], ...] = ()


def _lazy_sources(module: types.ModuleType) -> list[tuple[types.ModuleType, bool]]:
    """Where ``module``'s globals would have more names than they hold, in the order the eager
    module binds them: the lazy modules it star-imported (``False``), then, for a lazy module, its
    own classes (``True``)."""
    namespace = module.__dict__
    sources = [(source, False) for source in namespace.get("__lazy_star_sources__", ())]
    if isinstance(module, LazyClassModule):
        sources.append((module, True))
    return sources


def _would_bind(source: tuple[types.ModuleType, bool], name: str) -> bool:
    module, own = source
    if own:
        return name in module.__dict__["__lazy_pending__"] or name in module.__dict__
    return _provides(module, name)


def _provided(source: tuple[types.ModuleType, bool]) -> Any:
    module, own = source
    return (
        module.__dict__["__lazy_pending__"].keys() if own else module.__dict__.get("__lazy_all_names__", ())
    )


class _LazyLocals(dict):
    """Local names for evaluating a type hint: a name the globals lack is looked up in their lazy
    sources, the nearest first (the class's own module before its bases', a module's own classes
    before what it star-imported, a later star import before an earlier one)."""

    def __init__(self, local_names: dict[str, Any] | None, globalns: _LazyGlobals) -> None:
        super().__init__(local_names or {})
        self.globalns = globalns

    def __missing__(self, name: str) -> Any:
        if name in self.globalns:
            raise KeyError(name)  # the globals answer: evaluation looks there next
        for source in reversed(self.globalns.sources):
            if _would_bind(source, name):
                return getattr(source[0], name)
        raise KeyError(name)


def _globals_with_sources(cls: type) -> _LazyGlobals | None:
    """``pulumi._types._globals_for_cls`` for a class some of whose modules are lazy: the same
    merge of its modules' globals (the nearest last), where a name an earlier module bound is
    dropped when a later module's lazy sources would have bound it over that (the lazy source
    answers it). None when no module of the class has lazy sources."""
    modules = [
        sys.modules[base.__module__] for base in reversed(cls.__mro__) if base.__module__ in sys.modules
    ]
    if not any(_lazy_sources(module) for module in modules):
        return None
    globalns = _LazyGlobals()
    sources: list[tuple[types.ModuleType, bool]] = []
    for module in modules:
        namespace = module.__dict__
        earlier = globalns.keys() - namespace.keys()
        globalns.update(namespace)
        for source in _lazy_sources(module):
            for name in earlier & set(_provided(source)):
                globalns.pop(name, None)
            sources.append(source)
    globalns.sources = tuple(sources)
    return globalns


def _patch_type_hints() -> None:
    """Serve lazy names to ``pulumi._types``' type-hint evaluation (see the module docstring)."""
    from pulumi import _types

    if getattr(_types._globals_for_cls, "__lazy_classes__", False):
        return
    real_globals_for_cls = _types._globals_for_cls
    real_get_type_hints = _types.get_type_hints

    def globals_for_cls(cls: type) -> dict[str, Any] | None:
        lazy = _globals_with_sources(cls)
        return real_globals_for_cls(cls) if lazy is None else lazy

    def get_type_hints(
        obj: Any, globalns: Any = None, localns: Any = None, include_extras: bool = False
    ) -> Any:
        if isinstance(globalns, _LazyGlobals):
            localns = _LazyLocals(localns, globalns)
        return real_get_type_hints(obj, globalns, localns, include_extras)

    # A marker on the function object (Python allows it; mypy types functions without attributes).
    globals_for_cls.__lazy_classes__ = True  # type: ignore[attr-defined]
    _types._globals_for_cls = globals_for_cls
    _types.get_type_hints = get_type_hints


def install(top_packages: Sequence[str]) -> LazyClassFinder | None:
    """Install the finder (once; not where unsupported, see :data:`SUPPORTED`); modules imported
    already stay as they are."""
    if not SUPPORTED:
        return None
    for finder in sys.meta_path:
        if isinstance(finder, LazyClassFinder) and finder.top_packages == frozenset(top_packages):
            return finder
    finder = LazyClassFinder(top_packages)
    sys.meta_path.insert(0, finder)
    return finder
