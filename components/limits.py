"""AWS's limits on values the components pass through, checked when their args are built.

A stack file is validated before it reaches a component (stacks/config.py), but the components are
also built directly, from Python or from another language through the component package: there a
value out of AWS's range must fail with the args' field named, not at deploy time.
"""

from __future__ import annotations

from typing import Final

LOG_RETENTION_DAYS: Final[tuple[int, ...]] = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip
"""Values CloudWatch Logs accepts for ``retentionInDays``."""


def in_range(args: object, field: str, low: int, high: int) -> None:
    """Raise ``ValueError`` naming ``<Args>.<field>`` unless its value is within ``low``-``high``."""
    value = getattr(args, field)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{type(args).__name__}.{field}: {value!r} is not an integer from {low} to {high}")


def one_of(args: object, field: str, allowed: tuple[int | str, ...]) -> None:
    """Raise ``ValueError`` naming ``<Args>.<field>`` unless its value is one of ``allowed``."""
    value = getattr(args, field)
    if isinstance(value, bool) or value not in allowed:
        raise ValueError(
            f"{type(args).__name__}.{field}: {value!r} is not one of {', '.join(map(str, allowed))}"
        )
