"""Replacing a file whole: the old file stays as it was until the new one is complete.

The generators that rewrite a tracked file (``--write``: the provider schema, the kept image
registries, the reference pages' blocks, ``make diagram``'s blocks) encode the new text first, write
it beside the target and rename it over the target (``os.replace``, atomic within a folder). A run
that fails or is interrupted part-way (text that cannot be encoded, a full disk, Ctrl-C) leaves the
old file as it was and no half-written one; a reader sees the old file or the new, never part of
either.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path


def write_whole(path: str | Path, content: str | bytes, encoding: str = "utf-8") -> None:
    """Replace ``path`` with ``content`` (text is encoded before any file is touched): a temporary
    file in the same folder (so the rename stays on one file system), created no more readable than
    the target, flushed to disk, given the target's permissions, then renamed over it. A symbolic
    link is written through, as a plain write would: the file it names is replaced, the link kept.
    On any failure the temporary file is removed and ``path`` is untouched."""
    data = content.encode(encoding) if isinstance(content, str) else content
    target = Path(os.path.realpath(path))
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
    try:
        mode: int | None = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = None  # a new file: the default permissions (umask)
    # O_EXCL: a new file, never one already there (nothing to clean up if this fails).
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else mode)
    try:
        with open(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:  # the umask may have narrowed it
            os.chmod(partial, mode)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
