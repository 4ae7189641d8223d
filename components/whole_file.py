"""Replacing a file whole: the old file stays as it was until the new one is complete.

The generators that rewrite a tracked file (``--write``: the provider schema, the kept image
registries, the reference pages' blocks, ``make diagram``'s blocks) encode the new text first, write
it beside the target and rename it over the target (``os.replace``, atomic within a folder). A run
that fails or is interrupted part-way (text that cannot be encoded, a full disk, Ctrl-C) leaves the
old file as it was and no half-written one; a reader sees the old file or the new, never part of
either.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path


def write_whole(path: str | Path, content: str | bytes, encoding: str = "utf-8") -> None:
    """Replace ``path`` with ``content`` (text is encoded before any file is touched): a temporary
    file in the same folder (so the rename stays on one file system), flushed to disk, given the
    target's permissions, then renamed over it. On any failure the temporary file is removed and
    ``path`` is untouched."""
    data = content.encode(encoding) if isinstance(content, str) else content
    target = Path(path)
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
    try:
        # "x": a new file with the default permissions (umask), never one already there.
        with open(partial, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileNotFoundError):  # a new target keeps the default permissions
            os.chmod(partial, stat.S_IMODE(os.stat(target).st_mode))
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
