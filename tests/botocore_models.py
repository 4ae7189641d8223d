"""botocore's service models, parsed once per test process.

Each service's JSON model is megabytes (SageMaker's above all): a ``botocore.loaders.Loader()`` of
its own parses it again for every caller. One loader, created here, is the cache of the parsed
documents for the whole process: the moto sessions (:mod:`tests.aws_sessions`) and every test that
reads a shape, an enum or a limit. botocore treats the documents as read-only; so must callers.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import botocore.loaders


@cache
def loader() -> botocore.loaders.Loader:
    return botocore.loaders.create_loader()


def service_model(service: str) -> dict[str, Any]:
    """The parsed ``service-2`` document of ``service`` (read-only: shared by every caller)."""
    return loader().load_service_model(service, "service-2")
