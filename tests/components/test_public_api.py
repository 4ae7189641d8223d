"""The components' public API: one subpackage per area exporting its components and their args, type
tokens that name their folder, every field and output described, and docs/components.md current."""

from __future__ import annotations

import ast
import enum
import importlib
import inspect
import pkgutil

import pulumi
import pytest

from stacks.component_reference import (
    AREAS,
    REFERENCE,
    _class_node,
    components_of,
    documented_block,
    fields_of,
    public_names,
    reference,
    supporting_types,
)
from tests.conftest import REPO


def _defined_components(area: str) -> list[type[pulumi.ComponentResource]]:
    """Every ComponentResource class defined in the area's modules, exported or not."""
    package = importlib.import_module(f"components.{area}")
    found = []
    for module_info in pkgutil.iter_modules(package.__path__):
        if module_info.name.startswith("_"):  # private helpers (e.g. the SageMaker SDK's offline setup)
            continue
        module = importlib.import_module(f"components.{area}.{module_info.name}")
        found += [
            cls
            for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, pulumi.ComponentResource) and cls.__module__ == module.__name__
        ]
    return found


def test_the_areas_are_the_subpackages() -> None:
    folders = {path.name for path in (REPO / "components").iterdir() if (path / "__init__.py").is_file()}
    assert folders == set(AREAS)


@pytest.mark.parametrize("area", AREAS)
def test_each_area_exports_its_components_and_their_args(area: str) -> None:
    exported = set(public_names(area))
    module = importlib.import_module(f"components.{area}")
    assert all(getattr(module, name) is not None for name in exported)
    defined = _defined_components(area)
    assert defined, f"{area} defines no component"
    assert {cls.__name__ for cls in defined} <= exported, "a component is missing from __all__"
    for component in components_of(area):
        assert component.args.__name__ in exported, f"{component.name}'s args are not exported"


@pytest.mark.parametrize("area", AREAS)
def test_type_tokens_name_the_components_folder(area: str) -> None:
    for component in components_of(area):
        assert component.token == f"mlops:{area}:{component.name}"


@pytest.mark.parametrize("area", AREAS)
def test_every_field_and_output_is_described(area: str) -> None:
    classes = [component.args for component in components_of(area)] + supporting_types(area)
    undocumented = [
        f"{cls.__name__}.{field.name}"
        for cls in classes
        if not issubclass(cls, enum.Enum)
        for field in fields_of(cls)
        if not field.description
    ]
    assert undocumented == []
    for component in components_of(area):
        assert component.summary, f"{component.name} has no docstring"
        assert component.outputs, f"{component.name} declares no outputs"
        assert all(output.description for output in component.outputs), component.name


def test_fields_show_defaults_and_allowed_values() -> None:
    """Spot checks of the reading itself: a default, a range, a literal's values."""
    from components.foundation import EncryptionKeyArgs
    from components.registry import ModelRegistryArgs
    from components.serving import ScalingSpec

    key = {field.name: field for field in fields_of(EncryptionKeyArgs)}
    assert key["deletion_window_days"].default == "`30`"
    assert key["purpose"].default == "required"
    scaling = {field.name: field for field in fields_of(ScalingSpec)}
    assert scaling["max_capacity"].allowed == "≥ 1; ≤ 100"
    registry = {field.name: field for field in fields_of(ModelRegistryArgs)}
    assert registry["approval_mode"].allowed == "`auto`, `manual`"


def test_the_component_reference_is_current() -> None:
    assert documented_block() == reference(), "run `python -m stacks.component_reference --write`"


def test_the_reference_is_linked_from_the_readme() -> None:
    assert REFERENCE.name == "components.md" and REFERENCE.parent.name == "docs"
    assert "docs/components.md" in (REPO / "README.md").read_text()


class _Outer:
    class Inner:
        depth: int
        """The nested class's own field."""

    depth: str


def test_a_class_is_read_from_its_own_definition() -> None:
    """The reference reads each class from its module's source, parsed once (not once per class and
    per read): a nested class by its qualified name, one defined in a function as ``inspect`` finds it."""

    class Local:
        width: float

    def fields(cls: type) -> list[str]:
        node = _class_node(cls)
        return [ast.unparse(statement) for statement in node.body if isinstance(statement, ast.AnnAssign)]

    assert fields(_Outer) == ["depth: str"]
    assert fields(_Outer.Inner) == ["depth: int"]
    assert fields(Local) == ["width: float"]
    assert _class_node(_Outer.Inner) is _class_node(_Outer.Inner)
