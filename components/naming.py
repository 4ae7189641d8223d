"""How a component turns a caller's name prefix and a config name into a physical name."""

from __future__ import annotations


def prefixed(prefix: str | None, name: str) -> str:
    """``<prefix>-<name>``, or ``name`` alone when there is no prefix.

    Components that set account-wide names (feature groups, model package groups...) take a
    ``name_prefix``: stacks sharing an account pass different prefixes and never collide.
    """
    return f"{prefix}-{name}" if prefix else name
