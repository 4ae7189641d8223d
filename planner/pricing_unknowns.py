"""What the cost estimate reads of the values unknown until deployment (an output AWS computes at
create, as at ``pulumi preview``): where an input it prices is unknown, and a production variant's
list read with each unknown variant an unpriced line (:mod:`planner.pricing` prices the rest)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from planner.recorder import UNKNOWN, RecordedResource, without_unknowns

if TYPE_CHECKING:
    from planner.pricing import PricingContext

UNKNOWN_NOTE = "unknown until deployment: not priced, the totals leave it out"
"""How an unpriced line ends whose priced input the plan cannot read (an output AWS computes at create)."""


def unknown_paths(value: Any, path: str) -> list[str]:
    """The dotted paths under ``value`` (at ``path``) that hold :data:`~planner.recorder.UNKNOWN`."""
    if value == UNKNOWN:
        return [path]
    if isinstance(value, Mapping):
        return [found for key, item in value.items() for found in unknown_paths(item, f"{path}.{key}")]
    if isinstance(value, list):
        return [found for i, item in enumerate(value) for found in unknown_paths(item, f"{path}[{i}]")]
    return []


def unknown_at(inputs: Mapping[str, Any], *paths: str) -> list[str]:
    """The unknowns at or under each dotted ``paths`` of ``inputs`` (a map on the way being unknown
    counts as the path's)."""
    found: list[str] = []
    for path in paths:
        value: Any = inputs
        walked: list[str] = []
        for key in path.split("."):
            if value == UNKNOWN:
                break
            value = value.get(key) if isinstance(value, Mapping) else None
            walked.append(key)
        found.extend(unknown_paths(value, ".".join(walked)))
    return found


PRICED_VARIANT_INPUTS = (
    "variantName",
    "instanceType",
    "initialInstanceCount",
    "serverlessConfig",
    "managedInstanceScaling",
)
"""What the estimate reads of a production variant (its name finds its scaling target)."""


def known_variants(
    ctx: PricingContext, config: RecordedResource, *keys: str
) -> list[tuple[str, Mapping[str, Any]]]:
    """The variants under ``keys`` of an endpoint configuration whose priced inputs are known, with
    their path; each other one (wholly unknown until deployment, or its instance type, count,
    name or serverless or managed-scaling settings) becomes an unpriced line of the resource being
    priced (:meth:`~planner.pricing.PricingContext.unpriced`)."""
    recorded = ctx.as_recorded(config).inputs
    known = []
    for key in keys:
        variants = recorded.get(key)
        if variants == UNKNOWN:
            ctx.unpriced(f"endpoint configuration {config.name}'s {key} {UNKNOWN_NOTE}")
            continue
        for index, variant in enumerate(variants if isinstance(variants, list) else []):
            path = f"{key}[{index}]"
            unknown = [path] if variant == UNKNOWN else unknown_at(variant, *PRICED_VARIANT_INPUTS)
            if unknown:
                where = ", ".join(u if u == path else f"{path}.{u}" for u in unknown)
                ctx.unpriced(f"endpoint configuration {config.name}'s {where} {UNKNOWN_NOTE}")
                continue
            known.append((path, without_unknowns(variant)))
    return known
