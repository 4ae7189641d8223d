"""What fails a recording the way ``pulumi up`` (or its preview) would fail the program."""

from __future__ import annotations


class ProgramFailure(Exception):
    """A registration the engine or its provider refuses, so that ``pulumi up`` fails the program:
    ``str()`` is their message and what to do. ``bin/plan`` reports it as ``error: ...`` on stderr
    and exits 3 with no plan (:mod:`planner.__main__`)."""
