"""What a stack's platform value inherits: the environment's built-in defaults, ``endpoint_defaults``
under each endpoint and the stack's training compute under each family's ``training``; and, for a
problem at a key the file does not set, where its value came from.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Mapping
from typing import Any, Final

from components.training.training_spec import COMPUTE_KEYS
from stacks.config_errors import _describe, _error_location, _has_path, _holds, _key_text
from stacks.defaults import ENVIRONMENT_DEFAULTS, ENVIRONMENTS, merge_defaults


def _merge_training_defaults(raw: dict[str, Any]) -> dict[str, Any]:
    """Merge the stack's training compute (instances, spot, limits) under each family's ``training``."""
    training, models = raw.get("training"), raw.get("models")
    if not isinstance(models, list):
        return raw
    stack = training if isinstance(training, dict) else {}
    inherited = {key: value for key, value in stack.items() if key in COMPUTE_KEYS}
    merged = [
        {**model, "training": merge_defaults(inherited, model["training"])}
        if isinstance(model, dict) and isinstance(model.get("training"), dict)
        else model
        for model in models
    ]
    return {**raw, "models": merged}


def _merge_endpoint_defaults(raw: dict[str, Any]) -> dict[str, Any]:
    """Merge ``endpoint_defaults`` (deployment, data capture) under each entry of ``endpoints``, and
    its data capture under each entry of ``shared_endpoints``."""
    defaults = raw.get("endpoint_defaults")
    if not isinstance(defaults, dict):
        return raw
    merged = dict(raw)
    for section, keys in _INHERITED.items():
        entries = raw.get(section)
        if not isinstance(entries, list):
            continue
        inherited = {key: value for key, value in defaults.items() if key in keys}
        merged[section] = [
            merge_defaults(inherited, entry) if isinstance(entry, dict) else entry for entry in entries
        ]
    return merged


def _environment_defaults(environment: object) -> dict[str, Any]:
    """The built-in defaults of the stack's ``environment`` (:data:`ENVIRONMENT_DEFAULTS`), merged
    under the file's values: empty for a missing or unknown environment."""
    if isinstance(environment, str) and environment in ENVIRONMENTS:
        return ENVIRONMENT_DEFAULTS.get(environment, {})
    return {}


def _with_value_sources(
    raw: Mapping[str, Any],
    environment: object,
    merged: Mapping[str, Any],
    errors: list[Any],
    problems: list[tuple[str, str]],
) -> list[tuple[str, str]]:
    """Each problem at a key the file does not set ends with where its value came from, once: the
    key an entry inherits it from (``endpoint_defaults``, or the stack's ``training`` for a
    family's compute), and whether that is the environment's built-in default."""
    notes: dict[str, str] = {}
    for error in errors:
        source = _value_source(raw, environment, _error_location(merged, error))
        if source:
            notes[_describe(error, merged)[0]] = source
    return [(path, f"{message} ({notes[path]})" if path in notes else message) for path, message in problems]


def _value_source(raw: Mapping[str, Any], environment: object, location: tuple[Any, ...]) -> str | None:
    """Where the value at ``location`` came from when the file does not set it there: "inherited
    from <key>" (set in the file, or "<key>: the <environment> environment's default"), or "the
    <environment> environment's default"; None when the file sets it, nothing does, or the file
    replaced a section on the way with something that is not a section (the default never got
    there: the value is the model's own default)."""
    if _has_path(raw, location) or not _reachable(raw, location):
        return None
    # The note names the environment only once a default is found: it is then one of
    # ENVIRONMENT_DEFAULTS' names (an invalid one may be a list of any size).
    default = "the {} environment's default"
    inherited = _inherited_key(location)
    if inherited is None:
        return default.format(environment) if _is_default_leaf(environment, location) else None
    source_path = (*inherited[0], *inherited[1])
    source = ".".join(inherited[0]) + _key_text(inherited[1])
    if _has_path(raw, source_path):
        return f"inherited from {source}"
    if _reachable(raw, source_path) and _is_default_leaf(environment, source_path):
        return f"inherited from {source}: {default.format(environment)}"
    return None


def _is_default_leaf(environment: object, path: tuple[Any, ...]) -> bool:
    """Whether the environment's defaults set a value at ``path``, not a whole section (the file
    may have filled the rest of it)."""
    defaults = _environment_defaults(environment)
    return _has_path(defaults, path) and not isinstance(
        functools.reduce(operator.getitem, path, defaults), dict
    )


def _reachable(raw: Mapping[str, Any], path: tuple[Any, ...]) -> bool:
    """Whether a value merged under the file's could arrive at ``path``: no key on the way is set
    in the file to something other than a section (``training: null`` drops every training
    default) or a list holding the entry."""
    node: Any = raw
    for part in path:
        if not _holds(node, part):
            return isinstance(node, dict)  # a key the section lacks: defaults fill it from here
        node = node[part]
    return True


def _inherited_key(location: tuple[Any, ...]) -> tuple[tuple[str, ...], tuple[Any, ...]] | None:
    """For a key an entry inherits, where every entry's value is set and the key below it."""
    for section, within, keys, source in _INHERITED_FROM:
        start = 2 + len(within)
        if (
            len(location) > start
            and location[0] == section
            and isinstance(location[1], int)
            and location[2:start] == within
            and location[start] in keys
        ):
            return source, location[start:]
    return None


_INHERITED: Final = {"endpoints": ("deployment", "data_capture"), "shared_endpoints": ("data_capture",)}
"""What each entry inherits from ``endpoint_defaults`` (:func:`_merge_endpoint_defaults`)."""
_INHERITED_FROM: Final = (
    *((section, (), keys, ("endpoint_defaults",)) for section, keys in _INHERITED.items()),
    ("models", ("training",), COMPUTE_KEYS, ("training",)),
)
"""(section, path within an entry, keys, where the file sets them for every entry) of each value an
entry inherits (:func:`_merge_endpoint_defaults`, :func:`_merge_training_defaults`)."""


def spot_wait_problems(raw: Mapping[str, Any], environment: object) -> list[tuple[str, str]]:
    """A ``max_wait_seconds`` the file writes (a family's ``training``, or the stack's) where the
    training it sets runs on demand (``spot`` false, as written there, inherited, or the
    environment's default): the pipeline sends no wait to an on-demand job (SageMaker refuses one
    there), so the value would be ignored, as a custom definition refuses it
    (``use_spot_instances``). A wait the environment's defaults pair with spot is never refused: a
    family or stack that turns spot off is not held to it. The stack's wait is refused only where
    no family runs on spot with it (a family that turns spot on inherits it). ``raw``: the platform
    value as the file writes it; a value of the wrong type is left to the validation."""
    defaults = _environment_defaults(environment).get("training", {})
    written = raw.get("training", _ABSENT)
    if written is _ABSENT:
        stack: Mapping[str, Any] = defaults
    elif isinstance(written, dict):
        stack = merge_defaults(defaults, written)
    else:
        stack = {}  # `training: null` (or a value refused) drops every training default
    stack_spot = _spot_source(written, "training.spot", defaults, environment)
    models = raw.get("models")
    problems = []
    stack_wait_used = False
    for index, model in enumerate(models if isinstance(models, list) else []):
        family = model.get("training") if isinstance(model, dict) else None
        if not isinstance(family, dict):
            continue
        spot = family.get("spot", stack.get("spot", False))
        own_wait = family.get("max_wait_seconds") is not None
        if spot is True and not own_wait:
            stack_wait_used = True
        if spot is False and own_wait:
            said = (
                f"spot: false at models[{index}].training.spot"
                if "spot" in family
                else f"spot false, inherited from {stack_spot}"
            )
            problems.append((f"models[{index}].training.max_wait_seconds", _on_demand_wait(said)))
    if (
        isinstance(written, dict)
        and written.get("max_wait_seconds") is not None
        and stack.get("spot", False) is False
        and not stack_wait_used
    ):
        problems.append(("training.max_wait_seconds", _on_demand_wait(f"spot false, from {stack_spot}")))
    return problems


_ABSENT: Final = object()


def _spot_source(written: object, key: str, defaults: Mapping[str, Any], environment: object) -> str:
    """Where the stack's ``training.spot`` comes from, for a message: the file's key, the
    environment's default, or the model's default (off)."""
    if isinstance(written, dict) and "spot" in written:
        return key
    if (written is _ABSENT or isinstance(written, dict)) and "spot" in defaults:
        return f"{key}: the {environment} environment's default"
    return f"{key}: its default"


def _on_demand_wait(spot: str) -> str:
    return (
        f"max_wait_seconds only applies with spot training ({spot}); SageMaker rejects it for "
        "on-demand training, so the pipeline would ignore it: remove it, or set spot: true"
    )
