"""Which Pulumi SDK release a function is, by the SHA-256 of its source.

The planner's shortcuts over the SDK (:mod:`planner.sdk_unknowns`, :mod:`planner.sdk_serialize`)
replace a function only when its source is the one they were compared with, so a release that
changes it keeps its own until the shortcut is compared with it again.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
from typing import Any


@functools.cache
def source_sha256(function: Any) -> str:
    """The SHA-256 of ``function``'s source, or "" where it has none to compare (a builtin, a build
    without .py files). Once per function: ``inspect.getsource`` tokenises the whole module's text
    (``rpc.py``, about 6 ms for three functions), and the tests reinstall the shortcuts thousands of
    times."""
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return ""
    return hashlib.sha256(source.encode()).hexdigest()
