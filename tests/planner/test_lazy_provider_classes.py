"""Lazy classes in the providers' type modules (planner/lazy_provider_classes.py) are the real ones.

Ground truth comes from a fresh process with the hooks switched off (MLOPS_LAZY_PROVIDER_IMPORTS=0,
tests/fresh_plans.py): it plans and records the prod fixture and describes every name of every
type module (``_inputs``, ``outputs``, ``_enums``) the program imported, and the Pulumi SDK's view
of each class of the SageMaker ones: whether it is an input or output type and the type of each
property, which the SDK reads from the class's string type hints. This process has the hooks
(conftest imports the planner first). The rest uses a small provider shaped like the generated
ones.
"""

from __future__ import annotations

import builtins
import importlib
import re
import sys
import textwrap
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi import _types as pulumi_types
from pulumi.type_token import get_type_token

from planner import lazy_provider_classes as lazy_classes
from planner.recorder import record_stack_file
from tests.conftest import stack_path
from tests.fresh_plans import SDK_VIEW_MODULES, describe, fresh_plan, sdk_view


@pytest.fixture(scope="module")
def real() -> dict[str, Any]:
    """The hooks-off side: the fresh process of tests/fresh_plans.py."""
    return fresh_plan("0")


def test_the_switch_turns_lazy_classes_off_and_the_prod_plan_uses_them(real: dict[str, Any]) -> None:
    assert real["lazy_types"] == []
    assert set(SDK_VIEW_MODULES) <= set(real["types"])
    record_stack_file(stack_path("prod"))
    for name in real["types"]:
        module = importlib.import_module(name)
        assert isinstance(module, lazy_classes.LazyClassModule), name


def test_every_name_of_every_type_module_the_plan_imports_is_the_same(real: dict[str, Any]) -> None:
    for name, pairs in real["types"].items():
        module = importlib.import_module(name)
        assert module.__all__ == [n for n, _ in pairs], name
        mismatched = {
            n: (describe(getattr(module, n)), d) for n, d in pairs if describe(getattr(module, n)) != d
        }
        assert mismatched == {}, name


def test_the_sdk_reads_the_same_types_off_every_sagemaker_class(real: dict[str, Any]) -> None:
    for name, views in real["views"].items():
        module = importlib.import_module(name)
        mismatched = {
            n: (sdk_view(getattr(module, n)), v)
            for n, v in views.items()
            if sdk_view(getattr(module, n)) != v
        }
        assert mismatched == {}, name
        assert len(views) > 100, name


def test_a_plan_builds_only_the_classes_it_uses() -> None:
    # The prod plan in a fresh process with the hooks on (tests/fresh_plans.py).
    counts = fresh_plan("1")["plan"]["lazy_classes"]
    assert counts is not None, "the plan imported pulumi_aws.sagemaker._inputs as no lazy module"
    defined, pending = counts
    assert defined > 500
    assert pending > 0.9 * defined, "most of the module's classes are never built"


# A provider shaped like the generated ones: a service package, a resource module star-importing
# the service's _inputs, and the two type modules.
_HEADER = """\
import builtins as _builtins
import sys
import pulumi
import pulumi.runtime
from typing import Any, Mapping, Optional, Sequence, Union, overload
from typing import NotRequired, TypedDict, TypeAlias
"""
_ENUMS = """\
import builtins as _builtins
import pulumi
from enum import Enum

__all__ = ['Color', 'Size']


@pulumi.type_token("fake:svc/Color:Color")
class Color(_builtins.str, Enum):
    RED = "red"
    BLUE = "blue"


@pulumi.type_token("fake:svc/Size:Size")
class Size(_builtins.str, Enum):
    SMALL = "small"
"""
_INPUTS = (
    _HEADER
    + """from ._enums import *

__all__ = ['PartArgs', 'PartArgsDict', 'SubPartArgs', 'SubPartArgsDict']

class PartArgsDict(TypedDict):
    sub: NotRequired[pulumi.Input['SubPartArgsDict']]

@pulumi.input_type
class PartArgs:
    def __init__(__self__, *, sub: Optional[pulumi.Input['SubPartArgs']] = None):
        if sub is not None:
            pulumi.set(__self__, "sub", sub)

    @_builtins.property
    @pulumi.getter
    def sub(self) -> Optional[pulumi.Input['SubPartArgs']]:
        return pulumi.get(self, "sub")

class SubPartArgsDict(TypedDict):
    size: NotRequired[pulumi.Input[int]]

@pulumi.input_type
class SubPartArgs:
    def __init__(__self__, *, size: Optional[pulumi.Input[int]] = None, color: Optional[pulumi.Input['Color']] = None):
        if size is not None:
            pulumi.set(__self__, "size", size)
        if color is not None:
            pulumi.set(__self__, "color", color)

    @_builtins.property
    @pulumi.getter
    def size(self) -> Optional[pulumi.Input[int]]:
        return pulumi.get(self, "size")

    @_builtins.property
    @pulumi.getter
    def color(self) -> Optional[pulumi.Input['Color']]:
        return pulumi.get(self, "color")
"""
)
_OUTPUTS = (
    _HEADER
    + """from . import outputs

__all__ = ['Part', 'SubPart']

@pulumi.output_type
class Part(dict):
    def __init__(__self__, *, sub: Optional['outputs.SubPart'] = None):
        if sub is not None:
            pulumi.set(__self__, "sub", sub)

    @_builtins.property
    @pulumi.getter
    def sub(self) -> Optional['outputs.SubPart']:
        return pulumi.get(self, "sub")

@pulumi.output_type
class SubPart(dict):
    def __init__(__self__, *, size: Optional[int] = None):
        if size is not None:
            pulumi.set(__self__, "size", size)

    @_builtins.property
    @pulumi.getter
    def size(self) -> Optional[int]:
        return pulumi.get(self, "size")
"""
)
_THING = (
    _HEADER
    + """from . import outputs
from ._inputs import *

__all__ = ['ThingArgs', 'Thing', 'DEFAULT_PART']

DEFAULT_PART = SubPartArgs(size=1)  # the module's own code names SubPartArgs: bound by the star import

@pulumi.input_type
class ThingArgs:
    def __init__(__self__, *, part: Optional[pulumi.Input['PartArgs']] = None):
        if part is not None:
            pulumi.set(__self__, "part", part)

    @_builtins.property
    @pulumi.getter
    def part(self) -> Optional[pulumi.Input['PartArgs']]:
        return pulumi.get(self, "part")

class Thing:
    pass
"""
)


def _write_provider(site: Path, inputs: str = _INPUTS, init: str = "") -> Path:
    """The service package's ``__init__.py`` is ``init``: empty, as the lazy service packages of
    planner/lazy_provider_imports.py present the real ones, unless a test gives the generated one."""
    service = site / "fakeclasses" / "svc"
    service.mkdir(parents=True)
    (service.parent / "__init__.py").write_text("")
    (service / "__init__.py").write_text(init)
    (service / "_inputs.py").write_text(inputs)
    (service / "_enums.py").write_text(_ENUMS)
    (service / "outputs.py").write_text(_OUTPUTS)
    (service / "thing.py").write_text(_THING)
    return service


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.setattr(sys, "meta_path", [lazy_classes.LazyClassFinder(["fakeclasses"]), *sys.meta_path])
    yield tmp_path / "site"
    for name in [m for m in sys.modules if m.split(".")[0] == "fakeclasses"]:
        del sys.modules[name]


def _pending(module: types.ModuleType) -> set[str]:
    return set(module.__dict__.get("__lazy_pending__", ()))


def test_a_class_is_built_on_first_use_as_its_class_statement_would(site: Path) -> None:
    _write_provider(site)
    inputs = importlib.import_module("fakeclasses.svc._inputs")
    assert isinstance(inputs, lazy_classes.LazyClassModule)
    assert _pending(inputs) == {"PartArgs", "PartArgsDict", "SubPartArgs", "SubPartArgsDict"}
    part_args = inputs.PartArgs
    assert _pending(inputs) == {"PartArgsDict", "SubPartArgs", "SubPartArgsDict"}
    assert part_args is inputs.PartArgs and inputs.__dict__["PartArgs"] is part_args
    assert (part_args.__module__, part_args.__qualname__) == ("fakeclasses.svc._inputs", "PartArgs")
    assert pulumi_types.is_input_type(part_args)
    assert pulumi_types.is_output_type(importlib.import_module("fakeclasses.svc.outputs").Part)
    assert isinstance(inputs.SubPartArgs(size=2), inputs.SubPartArgs)
    assert inputs.PartArgsDict.__required_keys__ == frozenset()  # a TypedDict, built from its bases
    assert inputs.pulumi is pulumi, "the module's pulumi is the real one once loaded"
    with pytest.raises(AttributeError):
        _ = inputs.Nothing


def test_a_star_import_binds_what_the_module_names_and_the_rest_on_first_use(site: Path) -> None:
    _write_provider(site)
    thing = importlib.import_module("fakeclasses.svc.thing")
    inputs = sys.modules["fakeclasses.svc._inputs"]
    assert "SubPartArgs" in thing.__dict__ and thing.DEFAULT_PART.size == 1
    assert "PartArgs" not in thing.__dict__ and "PartArgs" in _pending(inputs)
    assert thing.PartArgs is inputs.PartArgs, "read off the importer, built once"
    from fakeclasses.svc.thing import PartArgsDict

    assert PartArgsDict is inputs.PartArgsDict
    with pytest.raises(AttributeError):
        _ = thing.Nothing


def test_a_package_star_import_binds_every_name(site: Path) -> None:
    _write_provider(site, init="from .thing import *\nfrom ._inputs import *\nfrom . import outputs\n")
    svc = importlib.import_module("fakeclasses.svc")
    inputs = sys.modules["fakeclasses.svc._inputs"]
    for name in ("PartArgs", "PartArgsDict", "SubPartArgs", "SubPartArgsDict"):
        assert svc.__dict__[name] is getattr(inputs, name)
    assert _pending(inputs) == set()


def test_the_sdk_resolves_type_hints_naming_classes_not_built_yet(site: Path) -> None:
    _write_provider(site)
    thing = importlib.import_module("fakeclasses.svc.thing")
    inputs = sys.modules["fakeclasses.svc._inputs"]
    outputs = importlib.import_module("fakeclasses.svc.outputs")
    assert {"PartArgs", "PartArgsDict"} <= _pending(inputs)
    # ThingArgs' hint names PartArgs, which only the star import provides.
    assert pulumi_types.input_type_types(thing.ThingArgs) == {"part": inputs.PartArgs}
    assert pulumi_types.input_type_types(inputs.PartArgs) == {"sub": inputs.SubPartArgs}
    enums = sys.modules["fakeclasses.svc._enums"]
    assert _pending(enums) == {"Color", "Size"}, "_inputs star-imported them, naming neither"
    # SubPartArgs' hint names Color, which _inputs has only through its star import of _enums.
    assert pulumi_types.input_type_types(inputs.SubPartArgs) == {"size": int, "color": enums.Color}
    assert _pending(enums) == {"Size"}
    assert "SubPart" in _pending(outputs)
    assert pulumi_types.output_type_types(outputs.Part) == {"sub": outputs.SubPart}


def test_an_enum_is_built_with_its_type_token_and_members(site: Path) -> None:
    _write_provider(site)
    enums = importlib.import_module("fakeclasses.svc._enums")
    assert isinstance(enums, lazy_classes.LazyClassModule)
    color = enums.Color
    assert get_type_token(color) == "fake:svc/Color:Color"
    assert color("red") is color.RED and color.RED == "red" and list(color) == [color.RED, color.BLUE]
    assert isinstance(color.BLUE, str)


def test_pulumis_decorators_apply_in_the_order_the_class_statement_applies_them(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    applied: list[str] = []
    real_input_type, real_type_token = pulumi.input_type, pulumi.type_token

    def input_type(cls: type) -> type:
        applied.append("input_type")
        return real_input_type(cls)

    def type_token(token: str) -> Any:
        def decorate(cls: type) -> type:
            applied.append(f"type_token {token}")
            return real_type_token(token)(cls)

        return decorate

    monkeypatch.setattr(pulumi, "input_type", input_type)
    monkeypatch.setattr(pulumi, "type_token", type_token)
    both = '@pulumi.type_token("fake:svc/Both:Both")\n@pulumi.input_type\nclass Both:\n    pass\n'
    _write_provider(site, _INPUTS.replace("__all__ = [", "__all__ = ['Both', ") + "\n" + both)
    inputs = importlib.import_module("fakeclasses.svc._inputs")
    assert isinstance(inputs, lazy_classes.LazyClassModule) and applied == []
    assert pulumi_types.is_input_type(inputs.Both)
    assert applied == ["input_type", "type_token fake:svc/Both:Both"]


def test_a_name_the_importer_defines_itself_wins_over_a_lazy_one(site: Path) -> None:
    service = _write_provider(site)
    (service / "thing.py").write_text(
        _THING.replace("class Thing:", "class PartArgs:\n    pass\n\n\nclass Thing:")
    )
    thing = importlib.import_module("fakeclasses.svc.thing")
    inputs = sys.modules["fakeclasses.svc._inputs"]
    assert thing.PartArgs is not inputs.PartArgs
    assert pulumi_types.input_type_types(thing.ThingArgs) == {"part": thing.PartArgs}


@pytest.mark.parametrize(
    "top_level",
    [
        "ALIAS = SubPartArgs\n",  # a class used at top level
        "SubPartArgs.extra = 1\n",
        # a decorator that keeps the class without touching it
        "REGISTRY = []\ndef register(cls):\n    REGISTRY.append(cls)\n    return cls\n@register\nclass Odd:\n    pass\n",
        "import functools\n@functools.total_ordering\nclass Odd:\n    def __lt__(self, other): return False\n",
    ],
    ids=["alias", "attribute", "registering-decorator", "other-decorator"],
)
def test_a_module_doing_anything_else_at_top_level_is_loaded_eagerly(site: Path, top_level: str) -> None:
    _write_provider(site, _INPUTS + "\n" + top_level)
    inputs = importlib.import_module("fakeclasses.svc._inputs")
    assert not isinstance(inputs, lazy_classes.LazyClassModule)
    assert "__lazy_pending__" not in inputs.__dict__
    assert set(inputs.__all__) <= set(inputs.__dict__)
    assert pulumi_types.is_input_type(inputs.PartArgs)
    assert inputs.pulumi is pulumi and inputs.__dict__["__builtins__"] is not None
    if "ALIAS" in top_level:
        assert inputs.ALIAS is inputs.SubPartArgs
    if "REGISTRY" in top_level:
        assert [inputs.Odd] == inputs.REGISTRY


def test_only_the_type_modules_of_the_named_providers_are_lazy(site: Path) -> None:
    service = _write_provider(site)
    other = site / "otherprov" / "svc"
    other.mkdir(parents=True)
    (other.parent / "__init__.py").write_text("")
    (other / "__init__.py").write_text("")
    (other / "_inputs.py").write_text((service / "_inputs.py").read_text())
    (other / "_enums.py").write_text(_ENUMS)
    try:
        assert isinstance(importlib.import_module("fakeclasses.svc.outputs"), lazy_classes.LazyClassModule)
        assert type(importlib.import_module("fakeclasses.svc.thing")) is types.ModuleType
        assert type(importlib.import_module("otherprov.svc._inputs")) is types.ModuleType
    finally:
        for name in [m for m in sys.modules if m.split(".")[0] == "otherprov"]:
            del sys.modules[name]


def test_a_type_module_keeps_its_source_positions(site: Path) -> None:
    _write_provider(site)
    inputs = importlib.import_module("fakeclasses.svc._inputs")
    source = textwrap.dedent(_INPUTS).splitlines()
    line = inputs.PartArgs.__init__.__code__.co_firstlineno
    assert source[line - 1].strip().startswith("def __init__(__self__, *, sub")


# Star imports and hints against the eager module's binding order.


def _module(service: Path, name: str, text: str) -> None:
    (service / name).write_text(_HEADER + textwrap.dedent(text))


_TWO_ARGS = """
@pulumi.input_type
class TwoArgs{bases}:
    def __init__(__self__, *, p=None):
        pass

    @_builtins.property
    @pulumi.getter
    def p(self) -> Optional['SubPartArgs']:
        return pulumi.get(self, "p")
"""


def test_the_latest_lazy_star_import_wins(site: Path) -> None:
    service = _write_provider(site)
    outputs = _OUTPUTS.replace(
        "__all__ = ['Part', 'SubPart']", "__all__ = ['Part', 'SubPart', 'SubPartArgs']"
    )
    (service / "outputs.py").write_text(outputs + "\nclass SubPartArgs:\n    pass\n")
    _module(
        service, "two.py", "from ._inputs import *\nfrom .outputs import *\n" + _TWO_ARGS.format(bases="")
    )
    two = importlib.import_module("fakeclasses.svc.two")
    outputs_module = sys.modules["fakeclasses.svc.outputs"]
    assert pulumi_types.input_type_types(two.TwoArgs) == {"p": outputs_module.SubPartArgs}
    assert two.SubPartArgs is outputs_module.SubPartArgs
    assert "SubPart" in _pending(outputs_module), "the second lazy star import stays lazy too"


def test_a_modules_own_class_wins_over_what_it_star_imported(site: Path) -> None:
    service = _write_provider(site)
    (service / "outputs.py").write_text(
        _OUTPUTS.replace(
            "from . import outputs\n", "from . import outputs\nfrom ._inputs import *\n"
        ).replace("__all__ = ['Part', 'SubPart']", "__all__ = ['Part', 'SubPart', 'SubPartArgs']")
        + "\n@pulumi.output_type\nclass SubPartArgs(dict):\n    pass\n"
        + "\n@pulumi.output_type\nclass Holder(dict):\n    @_builtins.property\n    @pulumi.getter\n"
        + "    def s(self) -> Optional['SubPartArgs']:\n        return pulumi.get(self, 's')\n"
    )
    outputs = importlib.import_module("fakeclasses.svc.outputs")
    assert isinstance(outputs, lazy_classes.LazyClassModule)
    assert pulumi_types.output_type_types(outputs.Holder) == {"s": outputs.SubPartArgs}
    assert outputs.SubPartArgs is not sys.modules["fakeclasses.svc._inputs"].SubPartArgs


def test_a_lazy_star_name_wins_over_a_base_class_modules_name(site: Path) -> None:
    service = _write_provider(site)
    _module(service, "base.py", "SubPartArgs = 'the base module'\nclass Base:\n    pass\n")
    _module(
        service,
        "two.py",
        "from .base import Base\nfrom ._inputs import *\n" + _TWO_ARGS.format(bases="(Base)"),
    )
    two = importlib.import_module("fakeclasses.svc.two")
    inputs = sys.modules["fakeclasses.svc._inputs"]
    assert pulumi_types.input_type_types(two.TwoArgs) == {"p": inputs.SubPartArgs}


def test_an_importer_with_a_getattr_of_its_own_gets_every_name(site: Path) -> None:
    service = _write_provider(site)
    _module(
        service, "two.py", "def __getattr__(name):\n    raise AttributeError(name)\nfrom ._inputs import *\n"
    )
    two = importlib.import_module("fakeclasses.svc.two")
    assert two.__dict__["PartArgs"] is sys.modules["fakeclasses.svc._inputs"].PartArgs


def test_a_name_bound_before_the_star_import_is_overwritten_by_it(site: Path) -> None:
    service = _write_provider(site)
    (service / "early.py").write_text("PartArgs = 'early'\n__all__ = ['PartArgs']\n")
    _module(service, "two.py", "from .early import *\nfrom ._inputs import *\n")
    two = importlib.import_module("fakeclasses.svc.two")
    assert two.PartArgs is sys.modules["fakeclasses.svc._inputs"].PartArgs


def test_a_name_the_importer_uses_in_a_function_is_bound(site: Path) -> None:
    service = _write_provider(site)
    _module(service, "two.py", "from ._inputs import *\ndef make():\n    return PartArgs()\n")
    two = importlib.import_module("fakeclasses.svc.two")
    assert "PartArgs" in two.__dict__ and type(two.make()).__name__ == "PartArgs"


def test_the_importers_dir_lists_what_its_star_import_provides(site: Path) -> None:
    _write_provider(site)
    thing = importlib.import_module("fakeclasses.svc.thing")
    assert "PartArgs" not in thing.__dict__ and "PartArgs" in dir(thing)
    assert {"PartArgs", "SubPartArgs", "__all__"} <= set(dir(sys.modules["fakeclasses.svc._inputs"]))


def test_a_subclass_in_another_module_resolves_its_bases_hints(site: Path) -> None:
    service = _write_provider(site)
    _module(service, "two.py", "from ._inputs import PartArgs as _Base\nclass TwoArgs(_Base):\n    pass\n")
    two = importlib.import_module("fakeclasses.svc.two")
    inputs = sys.modules["fakeclasses.svc._inputs"]
    assert pulumi_types.input_type_types(two.TwoArgs) == {"sub": inputs.SubPartArgs}


def test_a_hint_naming_a_class_outside_all_resolves_every_time(site: Path) -> None:
    inputs_text = _INPUTS.replace("'SubPartArgs', 'SubPartArgsDict']", "'SubPartArgsDict']")
    _write_provider(
        site, inputs_text.replace("Optional[pulumi.Input['SubPartArgs']]", "Optional['SubPartArgs']")
    )
    inputs = importlib.import_module("fakeclasses.svc._inputs")
    assert "SubPartArgs" not in inputs.__all__
    assert pulumi_types.input_type_types(inputs.PartArgs) == {"sub": inputs.SubPartArgs}


# What a class is built with, and what a failing build leaves.


def test_a_class_runs_with_the_real_builtins_and_pulumi(site: Path) -> None:
    holder = """
class Holder:
    class Inner:
        pass

    def make(self):
        class Local:
            pass

        import pulumi as imported

        return Local, imported
"""
    _write_provider(site, _INPUTS.replace("__all__ = [", "__all__ = ['Holder', ") + holder)
    inputs = importlib.import_module("fakeclasses.svc._inputs")
    assert isinstance(inputs, lazy_classes.LazyClassModule)
    assert isinstance(inputs.Holder.Inner, type)
    local, imported = inputs.Holder().make()
    assert isinstance(local, type) and imported is pulumi
    assert inputs.__dict__["__builtins__"] is builtins


def test_a_class_naming_another_bare_gets_it_built_first(site: Path) -> None:
    maker = """
class Maker:
    DEFAULT_SIZE = SubPartArgsDict

    def make(self):
        return SubPartArgs(size=3)
"""
    _write_provider(site, _INPUTS.replace("__all__ = [", "__all__ = ['Maker', ") + maker)
    inputs = importlib.import_module("fakeclasses.svc._inputs")
    assert isinstance(inputs, lazy_classes.LazyClassModule) and "SubPartArgs" in _pending(inputs)
    assert inputs.Maker().make().size == 3
    assert inputs.Maker.DEFAULT_SIZE is inputs.SubPartArgsDict


def test_a_class_whose_build_fails_stays_recorded_and_fails_again(site: Path) -> None:
    broken = "\nclass Broken:\n    raise RuntimeError('broken class body')\n"
    _write_provider(site, _INPUTS.replace("__all__ = [", "__all__ = ['Broken', ") + broken)
    inputs = importlib.import_module("fakeclasses.svc._inputs")
    for _ in range(2):
        with pytest.raises(RuntimeError, match="broken class body"):
            _ = inputs.Broken
    assert "Broken" in _pending(inputs)


@pytest.mark.parametrize(
    "top_level",
    [
        "KIND = type(SubPartArgs).__name__\n",  # a builtin that could see the recording
        "def helper():\n    return 1\n",  # a function of its own would keep the recording's builtins
        "from pulumi import input_type\n@input_type\nclass Extra:\n    pass\n",  # the stand-in, bound
    ],
    ids=["type-builtin", "top-level-function", "stand-in-bound"],
)
def test_more_top_levels_the_recording_does_not_model_load_eagerly(site: Path, top_level: str) -> None:
    _write_provider(site, _INPUTS + "\n" + top_level)
    inputs = importlib.import_module("fakeclasses.svc._inputs")
    assert type(inputs) is types.ModuleType and "__lazy_pending__" not in inputs.__dict__
    if "KIND" in top_level:
        assert inputs.KIND == "type"
    if "from pulumi" in top_level:
        assert inputs.input_type is pulumi.input_type and pulumi_types.is_input_type(inputs.Extra)


def test_a_module_without_all_loads_eagerly(site: Path) -> None:
    _write_provider(site, re.sub(r"__all__ = \[[^\]]*\]\n", "", _INPUTS))
    inputs = importlib.import_module("fakeclasses.svc._inputs")
    assert type(inputs) is types.ModuleType and "PartArgs" in inputs.__dict__


def test_it_is_installed_only_on_the_python_it_is_verified_on(monkeypatch: pytest.MonkeyPatch) -> None:
    assert (
        sys.version_info[:2] == (3, 11) and sys.implementation.name == "cpython"
    ) == lazy_classes.SUPPORTED
    monkeypatch.setattr(lazy_classes, "SUPPORTED", False)
    monkeypatch.setattr(
        sys, "meta_path", [f for f in sys.meta_path if not isinstance(f, lazy_classes.LazyClassFinder)]
    )
    assert lazy_classes.install(["fakeclasses"]) is None
    assert not any(isinstance(f, lazy_classes.LazyClassFinder) for f in sys.meta_path)
