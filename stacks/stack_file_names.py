"""A stack file's name: the extension Pulumi reads (``Pulumi.<stack>.yaml``), and what a missing
stack file's folder holds instead (the same stack under ``.yml``, or the stacks it has). Part of
:mod:`stacks.stack_file`, which re-exports its public names.
"""

from __future__ import annotations

import contextlib
import difflib
import os
from pathlib import Path

from stacks.naming import STACK_NAME

STACK_FILE_SUFFIX = ".yaml"
"""A stack file's extension: the project file's (``Pulumi.yaml``), as Pulumi names it (its
workspace's DetectProjectStackPath); the program reads ``stacks/Pulumi.<stack>.yaml`` alone."""
UNREAD_SUFFIXES = frozenset({".yml", ".yaml"})
"""Compared in lower case: a YAML file Pulumi never reads as a stack's settings unless its
extension is exactly :data:`STACK_FILE_SUFFIX` (``.yml``, ``.YAML``...)."""


def is_unread_extension(name: str) -> bool:
    """``Pulumi.x.yml`` or ``Pulumi.x.YAML``: a stack file under a name Pulumi never reads. A file
    not named ``Pulumi.<stack>.*`` is no stack file Pulumi would look for under any extension
    (``--config candidate.yml`` plans as ``candidate.yaml`` does): False."""
    path = Path(name)
    return (
        path.stem.startswith("Pulumi.")
        and path.suffix.lower() in UNREAD_SUFFIXES
        and path.suffix != STACK_FILE_SUFFIX
    )


def _extension_problem(path: Path) -> str | None:
    """Why a stack file named with another extension than ``.yaml`` is refused: Pulumi never
    reads it, so planning, listing or skipping it would each mislead. None for any other name."""
    if not is_unread_extension(path.name):
        return None
    twin = path.with_name(path.name[: -len(path.suffix)] + STACK_FILE_SUFFIX)
    never = (
        f"is a {path.suffix} file, which Pulumi never reads as a stack's settings: it looks for "
        f"Pulumi.<stack>{STACK_FILE_SUFFIX}, the project file's (Pulumi.yaml) extension"
    )
    if twin.exists():
        return f"{never}; {twin.name} is the one Pulumi reads: move what this file holds into it and delete this one"
    return f"{never}: rename it to {twin.name}"


def _unread_twin_hint(path: Path) -> str:
    """For a missing ``Pulumi.<stack>.yaml``: the file beside it under another extension
    (``.yml``, ``.YAML``) that was meant, if any."""
    if path.suffix != STACK_FILE_SUFFIX or not path.stem.startswith("Pulumi."):
        return ""
    if path.is_symlink():  # there, but what it points to is not
        with contextlib.suppress(OSError):
            return f" ({path.name} is a symbolic link to {os.readlink(path)}, which does not exist)"
    stem = path.name[: -len(STACK_FILE_SUFFIX)]
    try:
        twins = sorted(
            other.name
            for other in path.parent.iterdir()
            if other.name != path.name
            and other.name.startswith(f"{stem}.")
            and other.name[len(stem) :].lower() in UNREAD_SUFFIXES
        )
    except OSError:  # no such folder: nothing beside it
        return ""
    if not twins:
        return _other_stacks_hint(path)
    return f" ({twins[0]} is there, but Pulumi reads only {path.name}: rename it)"


_LISTED_STACKS = 12  # a hint, not an inventory: a folder of many stacks is named by its first ones


def _other_stacks_hint(path: Path) -> str:
    """For a missing ``Pulumi.<stack>.yaml`` (a mistyped ``STACK=``): the stacks the folder has,
    the closest first when one is close."""
    prefix = "Pulumi."
    try:
        # Only names Pulumi takes as a stack's (an editor's backup or a file named with a space is
        # none), and never the missing file's own name (a symbolic link to nothing).
        stacks = sorted(
            stack
            for other in path.parent.iterdir()
            if other.name.startswith(prefix)
            and other.name.endswith(STACK_FILE_SUFFIX)
            and other.name != path.name
            and STACK_NAME.fullmatch(stack := other.name[len(prefix) : -len(STACK_FILE_SUFFIX)])
        )
    except OSError:
        return ""
    if not stacks:
        return ""
    wanted = path.name[len(prefix) : -len(STACK_FILE_SUFFIX)]
    # Compared without case: STACK=PROD means prod.
    by_folded = {stack.lower(): stack for stack in reversed(stacks)}
    close = difflib.get_close_matches(wanted.lower(), list(by_folded), n=1, cutoff=0.6)
    shown = ", ".join(stacks[:_LISTED_STACKS]) + (", ..." if len(stacks) > _LISTED_STACKS else "")
    guess = f"did you mean {by_folded[close[0]]}? " if close else ""
    return f" ({guess}{path.parent}/ has the stacks {shown})"
