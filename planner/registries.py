"""The offline registries a plan can assume (``python -m planner --registry``).

Apart from :mod:`planner.recorder` so that the command line offers them without importing Pulumi.
"""

from __future__ import annotations

REGISTRIES = ("stand-in", "empty")
"""What the offline plan assumes of the model registry: ``stand-in``, every family has an Approved
version (decided at deploy time); ``empty``, none has (a first deploy: endpoints are deferred)."""
