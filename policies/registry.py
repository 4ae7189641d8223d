"""The one list of policies the pack serves, and the per-environment pack configuration.

``policies/__main__.py`` serves ``ALL_POLICIES``; ``policies.local`` evaluates the same
objects offline. Importing this module never constructs the ``PolicyPack``.

Pack configuration files (``policies/<env>.json``) use the ``--policy-pack-config`` shape::

    {"all": "advisory",                                   # optional, every policy
     "<policy-name>": "mandatory" | "advisory" | "disabled" | "remediate",
     "<policy-name>": {"enforcementLevel": "...", "<schema property>": value, ...}}
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pulumi_policy import EnforcementLevel, Policy

from .rules import (
    alarms,
    athena,
    cloudtrail,
    cost,
    encryption_at_rest,
    governance,
    governance_compute,
    governance_prod,
    iam,
    iam_federated,
    iam_grants,
    kms,
    kubernetes,
    kubernetes_pod_security,
    network,
    observability,
    public_switches,
    resource_policies,
    s3,
    sagemaker,
    sagemaker_jobs,
    sagemaker_keys,
    sagemaker_notebooks,
    sqs,
)

PACK_NAME = "mlops-platform"
#: Level for a policy that sets none (every rule here sets its own).
PACK_ENFORCEMENT_LEVEL = EnforcementLevel.ADVISORY
#: Programmatic base config, applied after schema defaults and before the config file.
#: Empty on purpose: environment values live in ``policies/<env>.json``.
INITIAL_CONFIG: dict[str, EnforcementLevel | dict[str, Any]] = {}

ALL_POLICIES: list[Policy] = [
    *sagemaker_notebooks.POLICIES,
    *sagemaker.POLICIES,
    *sagemaker_jobs.POLICIES,
    *sagemaker_keys.POLICIES,
    *s3.POLICIES,
    *kms.POLICIES,
    *resource_policies.POLICIES,
    *public_switches.POLICIES,
    *encryption_at_rest.POLICIES,
    *iam.POLICIES,
    *iam_grants.POLICIES,
    *iam_federated.POLICIES,
    *observability.POLICIES,
    *network.POLICIES,
    *sqs.POLICIES,
    *athena.POLICIES,
    *cloudtrail.POLICIES,
    *kubernetes.POLICIES,
    *kubernetes_pod_security.POLICIES,
    *cost.POLICIES,
    *governance.POLICIES,
    *governance_compute.POLICIES,
    *governance_prod.POLICIES,
    *alarms.POLICIES,
]
POLICY_NAMES: frozenset[str] = frozenset(p.name for p in ALL_POLICIES)
ENVIRONMENTS = ("dev", "staging", "prod")
LEVELS = frozenset(level.value for level in EnforcementLevel)
PACK_DIR = Path(__file__).resolve().parent


def _enforcement_level(value: Any, where: str) -> EnforcementLevel:
    if isinstance(value, EnforcementLevel):
        return value
    try:
        return EnforcementLevel(value)
    except ValueError:
        levels = [level.value for level in EnforcementLevel]
        raise ValueError(f"{where}: {value!r} is not a valid enforcement level ({levels})") from None


def _normalize(config: Mapping[str, Any]) -> dict[str, tuple[EnforcementLevel | None, dict[str, Any]]]:
    result: dict[str, tuple[EnforcementLevel | None, dict[str, Any]]] = {}
    for name, value in config.items():
        if isinstance(value, str | EnforcementLevel):
            result[name] = (_enforcement_level(value, name), {})
        elif isinstance(value, Mapping):
            level = value.get("enforcementLevel")
            props = {k: v for k, v in value.items() if k != "enforcementLevel"}
            result[name] = (
                _enforcement_level(level, f"{name}.enforcementLevel") if level is not None else None,
                props,
            )
        else:
            raise ValueError(f"{name}: {value!r} must be an enforcement level or an object")
    return result


def resolve_config(
    config: Mapping[str, Any] | None,
    policies: Sequence[Policy] = ALL_POLICIES,
) -> dict[str, tuple[EnforcementLevel, dict[str, Any]]]:
    """``policy name -> (enforcement level, config properties)`` the analyzer would use: schema
    defaults, then :data:`INITIAL_CONFIG`, then ``config`` (``all`` before each policy's own), as
    the CLI's reconciliation does."""
    result: dict[str, tuple[EnforcementLevel, dict[str, Any]]] = {}
    for policy in policies:
        schema = policy.config_schema.properties if policy.config_schema else {}
        defaults = {key: prop["default"] for key, prop in schema.items() if "default" in prop}
        result[policy.name] = (policy.enforcement_level or PACK_ENFORCEMENT_LEVEL, defaults)
    for layer in (INITIAL_CONFIG, config or {}):
        normalized = _normalize(layer)
        everyone = normalized.pop("all", (None, {}))[0]
        if everyone is not None:
            result = {name: (everyone, props) for name, (_, props) in result.items()}
        for name, (level, props) in normalized.items():
            if name in result:
                current_level, current_props = result[name]
                result[name] = (level or current_level, {**current_props, **props})
    return result


def disabled_policies(
    config: Mapping[str, Any] | None, policies: Sequence[Policy] = ALL_POLICIES
) -> frozenset[str]:
    """The names of the policies ``config`` disables, resolved as the engine resolves levels."""
    return frozenset(
        name
        for name, (level, _) in resolve_config(config, policies).items()
        if level is EnforcementLevel.DISABLED
    )


def get_policy(name: str) -> Policy:
    """The policy called ``name``; ``KeyError`` lists the known names."""
    for policy in ALL_POLICIES:
        if policy.name == name:
            return policy
    raise KeyError(f"no policy named {name!r}; known: {', '.join(sorted(POLICY_NAMES))}")


def load_pack_config(env_or_path: str | os.PathLike[str]) -> dict[str, Any]:
    """Load ``policies/<env>.json`` (for ``dev``/``staging``/``prod``) or a config file path.

    Raises ``ValueError`` naming the file and every problem when the config does not fit
    the pack (unknown policy or property, invalid level, wrong value type).
    """
    name = os.fspath(env_or_path)
    path = PACK_DIR / f"{name}.json" if name in ENVIRONMENTS else Path(name)
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise PackConfigError(
            path, [f"not JSON ({error.msg}, line {error.lineno} column {error.colno})"]
        ) from None
    problems = validate_pack_config(config)
    if problems:
        raise PackConfigError(path, problems)
    return config


class PackConfigError(ValueError):
    """A pack config file that does not fit the pack: ``str()`` is ``<file>: <problem>; ...``, each
    problem ``<policy>.<key>: <what is wrong>`` (:func:`validate_pack_config`)."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))

    def keyed(self) -> list[tuple[str, str]]:
        """``(key, what is wrong)`` per problem; "" for the file as a whole (not JSON, not an object)."""
        pairs = [problem.partition(": ") for problem in self.problems]
        return [(key, message) if message else ("", key) for key, _, message in pairs]


def validate_pack_config(config: Any, policies: Sequence[Policy] = ALL_POLICIES) -> list[str]:
    """Problems in a ``--policy-pack-config`` mapping; empty when it fits ``policies``.

    Stricter than the CLI on purpose: an unknown policy or property name is a typo here.
    """
    if not isinstance(config, Mapping):
        return ["the config must be a JSON object"]
    by_name = {p.name: p for p in policies}
    problems: list[str] = []
    for name, value in config.items():
        policy = by_name.get(name)
        if name != "all" and policy is None:
            problems.append(f"{name}: no such policy")
            continue
        if isinstance(value, str):
            if value not in LEVELS:
                problems.append(f"{name}: {value!r} is not one of {sorted(LEVELS)}")
            continue
        if not isinstance(value, Mapping):
            problems.append(f"{name}: must be an enforcement level or an object")
            continue
        level = value.get("enforcementLevel")
        # A list or an object is no level (and cannot be looked up in LEVELS).
        if level is not None and (not isinstance(level, str) or level not in LEVELS):
            problems.append(f"{name}.enforcementLevel: {level!r} is not one of {sorted(LEVELS)}")
        schema = policy.config_schema.properties if policy and policy.config_schema else {}
        for key, item in value.items():
            if key == "enforcementLevel":
                continue
            if key not in schema:
                problems.append(f"{name}.{key}: not a config property of this policy ({sorted(schema)})")
            else:
                problems.extend(_property_problems(f"{name}.{key}", item, schema[key]))
    if not problems:
        # Across policies: a list two policies each hold (the engine gives each only its own config).
        problems.extend(public_switches.unnoted_exemptions(config, disabled_policies(config, policies)))
    return problems


def _property_problems(path: str, value: Any, schema: Mapping[str, Any]) -> list[str]:
    """Every problem of one policy's config property, each at its place: inside the value, the
    property or item of a list of objects (`publicByDesign[0].reason`, `publicByDesign[1]`); a
    value that is not an object or a list of objects (a list of strings reads whole) once."""
    found = schema_problems(value, schema)
    if not found:
        return []
    lists_objects = schema.get("items", {}).get("type") == "object"
    if all("." in where or (where and lists_objects) for where, _ in found):
        return [f"{path}{where}: {problem}" for where, problem in found]
    return [f"{path}: {value!r} does not match {schema}"]


def schema_problems(value: Any, schema: Mapping[str, Any], where: str = "") -> list[tuple[str, str]]:
    """Every place (``[0].reason``, "" for the value itself) where ``value`` does not fit
    ``schema``, with what is wrong there; empty when it fits. A place that does not fit is not
    looked into (an item of the wrong type has no properties to report)."""
    if not _matches_here(value, schema):
        return [(where, f"{value!r} does not match {dict(schema)}")]
    found: list[tuple[str, str]] = []
    if schema.get("type") == "array" and "items" in schema:
        for index, item in enumerate(value):
            found.extend(schema_problems(item, schema["items"], f"{where}[{index}]"))
    if schema.get("type") == "object":
        properties = schema.get("properties", {})
        found.extend(
            (f"{where}.{key}", "required, missing") for key in schema.get("required", []) if key not in value
        )
        for key, item in value.items():
            if key in properties:
                found.extend(schema_problems(item, properties[key], f"{where}.{key}"))
            elif schema.get("additionalProperties") is False:
                found.append((f"{where}.{key}", f"not a property here ({sorted(properties)})"))
    return found


def schema_problem(value: Any, schema: Mapping[str, Any], where: str = "") -> tuple[str, str] | None:
    """The first of :func:`schema_problems`; None when ``value`` fits ``schema``."""
    found = schema_problems(value, schema, where)
    return found[0] if found else None


def matches_schema(value: Any, schema: Mapping[str, Any]) -> bool:
    """The subset of JSON Schema the rules' config schemas use: type (one, or a list of which any
    fits), items, enum, minimum, maximum, pattern; for objects properties, required and
    additionalProperties false."""
    return schema_problem(value, schema) is None


def _matches_here(value: Any, schema: Mapping[str, Any]) -> bool:
    """The keywords about ``value`` itself (not its items or properties)."""
    kind = schema.get("type")
    is_number = isinstance(value, int | float) and not isinstance(value, bool) and _is_finite(value)
    checks = {
        "string": isinstance(value, str),
        "boolean": isinstance(value, bool),
        "number": is_number,
        "integer": is_number and float(value).is_integer(),
        "array": isinstance(value, list),
        "object": isinstance(value, Mapping),
        "null": value is None,
    }
    # A list of types (`["string", "null"]`: a setting that may be unset) takes a value of any of them.
    kinds: list[Any] = kind if isinstance(kind, list) else [kind]
    if kind is not None and not any(checks.get(str(one), True) for one in kinds):
        return False
    if "enum" in schema and value not in schema["enum"]:
        return False
    if "minimum" in schema and is_number and value < schema["minimum"]:
        return False
    if "maximum" in schema and is_number and value > schema["maximum"]:
        return False
    # JSON Schema's pattern matches anywhere in the string (search, not fullmatch).
    return not ("pattern" in schema and isinstance(value, str) and not re.search(schema["pattern"], value))


def _is_finite(number: float) -> bool:
    """Whether ``number`` is a finite double: JSON has no NaN or infinity (Python's ``json`` reads
    them, the Pulumi CLI refuses them), nor integers beyond a double's range; and no comparison
    with NaN is true, so NaN would pass any ``minimum`` and ``maximum``."""
    try:
        return math.isfinite(number)
    except OverflowError:  # an int too large for a double
        return False
