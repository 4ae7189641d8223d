"""The Pulumi program: read the stack's typed config, then build the platform.

``__main__.py`` calls :func:`run` under the real engine; the offline recorder calls the very same
function under mocks, so configuration is validated by one code path everywhere.
"""

from __future__ import annotations

import pulumi

from stacks.config import PROJECT, PlatformConfig, parse_platform_config
from stacks.platform import Platform, build_platform


def load_config(source: str) -> PlatformConfig:
    """Validate the stack's ``mlops-platform:platform`` value; ``source`` names the stack file in errors."""
    return parse_platform_config(pulumi.Config(PROJECT).get_object("platform"), source)


def run(source: str) -> Platform:
    """Validate first, so that invalid configuration registers no resource at all."""
    return build_platform(load_config(source))
