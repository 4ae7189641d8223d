"""What every class of the component package (:mod:`components.component_package`) shares: the
package name and type tokens, the child options, and the reading of the inputs as they cross the
engine's wire (whole numbers, JSON specs). No ``from __future__ import annotations`` here: the SDK's analyzer reads the annotations as types."""

from typing import Any, NotRequired, TypeVar, get_args, get_origin

import pulumi
from pydantic import TypeAdapter, ValidationError

PACKAGE = "mlops-platform"
"""The package name other languages import (``pulumi package add`` generates its SDK)."""


_T = TypeVar("_T")


def _token(component: str) -> str:
    return f"{PACKAGE}:index:{component}"


def _child(parent: pulumi.Resource) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(parent=parent)


def _wire(args: Any, inputs: type) -> dict[str, Any]:
    """The inputs as the component's args take them. Numbers cross the engine's wire as floats, so
    an integer input arrives as ``30.0``: a whole number is made an ``int`` again where the input is
    declared ``int`` (a fraction is left for the args' own check to reject)."""
    hints = inputs.__annotations__  # the objects themselves: this module defers no annotation
    values = dict(args)
    for key, value in values.items():
        declared = hints.get(key)
        if get_origin(declared) is NotRequired:
            declared = get_args(declared)[0]
        if declared is int and isinstance(value, float) and value.is_integer():
            values[key] = int(value)
    return values


def _from_json(adapter: TypeAdapter[_T], text: str, input_name: str) -> _T:
    """Parse and validate a JSON input; a mistake names the input as well as the field."""
    try:
        return adapter.validate_json(text)
    except ValidationError as error:
        raise ValueError(f"{input_name}: {error}") from None
