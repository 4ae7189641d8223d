"""What a Python script run in a fresh interpreter reports: the tests that need a process of its own
(nothing imported yet, a switch set in its environment) read its last line of JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from typing import Any

from tests.conftest import REPO


def script_report(script: str, *args: str, env: Mapping[str, str]) -> Any:
    """Run ``python -c script args...`` from the repository with ``env``; the JSON of its last
    line of output (an AssertionError showing the script's stderr when it fails or prints nothing)."""
    result = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=REPO,
        env=dict(env),
        capture_output=True,
        text=True,
        check=False,
    )
    lines = result.stdout.splitlines()
    assert result.returncode == 0 and lines, f"exit status {result.returncode}: {result.stderr[-3000:]}"
    return json.loads(lines[-1])
