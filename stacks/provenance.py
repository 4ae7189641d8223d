"""Which platform code is running `pulumi up`: the commit every registered model version records.

    platform_commit()   # "3f2c...e9" / "3f2c...e9-dirty" / "unknown"

``MLOPS_PLATFORM_COMMIT`` wins when set (a CI job that builds from an export without ``.git``
sets it, e.g. to ``$GITHUB_SHA``); otherwise ``git rev-parse HEAD`` in the project directory,
with ``-dirty`` when tracked files differ from it (the definition then came from uncommitted
code); otherwise ``unknown``, never a guess. Read once per program run.
"""

from __future__ import annotations

import os
import re
import subprocess
from functools import cache
from pathlib import Path

from components.training.definition import COMMIT_PATTERN, UNKNOWN_COMMIT

ENVIRONMENT_VARIABLE = "MLOPS_PLATFORM_COMMIT"
GIT_TIMEOUT_SECONDS = 10
_HEX_COMMIT = re.compile(r"^[0-9a-f]{40}\Z")


class ProvenanceError(ValueError):
    """``MLOPS_PLATFORM_COMMIT`` holds something that is not a commit id."""


@cache
def platform_commit(project_dir: str | None = None) -> str:
    """The platform's commit (see the module docstring); ``project_dir`` defaults to the current
    directory, where Pulumi runs the program."""
    configured = os.environ.get(ENVIRONMENT_VARIABLE, "").strip()
    if configured:
        if not re.match(COMMIT_PATTERN, configured):
            raise ProvenanceError(
                f"{ENVIRONMENT_VARIABLE}={configured!r} is not a git commit id (7-40 lowercase hex "
                f"digits, optionally ending in -dirty) or {UNKNOWN_COMMIT!r}"
            )
        return configured
    return git_commit(Path(project_dir or Path.cwd()))


def git_commit(directory: Path) -> str:
    """``git rev-parse HEAD`` of ``directory`` (``-dirty`` with changed tracked files), else ``unknown``."""
    head = _git(directory, "rev-parse", "HEAD")
    if head is None or not _HEX_COMMIT.match(head):
        return UNKNOWN_COMMIT
    changes = _git(directory, "status", "--porcelain", "--untracked-files=no")
    return f"{head}-dirty" if changes else head


def _git(directory: Path, *arguments: str) -> str | None:
    try:
        completed = subprocess.run(
            ["git", "-C", str(directory), *arguments],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):  # no git, or it hangs
        return None
    return completed.stdout.strip() if completed.returncode == 0 else None
