"""One ``ComponentProvider`` of the component package per process, for the tests that map
schema-named inputs to the Python names as the provider does for another language's program.

Building one analyses every component's signature (about 0.13 CPU-s); ``map_inputs`` only reads
it, so the tests share it.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pulumi.provider.experimental.component import ComponentProvider


@cache
def component_provider() -> ComponentProvider:
    """``ComponentProvider(COMPONENTS, PACKAGE, None, "0.0.0")``, made once per process."""
    from pulumi.provider.experimental.component import ComponentProvider

    from components.component_package import COMPONENTS, PACKAGE

    return ComponentProvider(COMPONENTS, PACKAGE, None, "0.0.0")
