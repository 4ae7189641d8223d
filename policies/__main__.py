"""Entry point the Pulumi CLI runs for ``--policy-pack policies``: it builds the PolicyPack, nothing else.

Constructing ``PolicyPack`` starts the analyzer's gRPC server and never returns, so this is
the only place that does it; tests and the offline plan import ``policies.registry``.

Why the ``sys.path`` edit: the CLI's Python analyzer runs this file with
``runpy.run_path(<pack directory>)``, which puts ``policies/`` itself on ``sys.path`` (the
program root), not the repository root. The rules are the package ``policies.rules`` and
use relative imports, so they must be imported as ``policies.…``. We therefore insert the
pack directory's parent, derived from ``__file__`` so the working directory does not
matter, before importing the registry.
"""

from __future__ import annotations

import sys
from pathlib import Path

_REPO_ROOT = str(Path(__file__).resolve().parent.parent)
if _REPO_ROOT not in sys.path:
    sys.path.insert(0, _REPO_ROOT)

from pulumi_policy import PolicyPack  # noqa: E402  (needs the sys.path entry above)

from policies import analyzer  # noqa: E402
from policies.registry import (  # noqa: E402
    ALL_POLICIES,
    INITIAL_CONFIG,
    PACK_ENFORCEMENT_LEVEL,
    PACK_NAME,
)

if __name__ == "__main__":  # runpy.run_path(..., run_name="__main__"); never on a plain import
    # The CLI's Configure reaches the pack's checks across policies (the schemas are per policy).
    analyzer.install()
    PolicyPack(
        name=PACK_NAME,
        policies=ALL_POLICIES,
        enforcement_level=PACK_ENFORCEMENT_LEVEL,
        initial_config=INITIAL_CONFIG,
    )
