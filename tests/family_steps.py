"""Load a model family's step script (``models/<family>/<step>.py``) as a module, for the tests.

The scripts are not a package (a family folder name like ``customer-churn`` is no module name, and
each script runs standalone in its container), so they are loaded from their files.
"""

from __future__ import annotations

import importlib.util
import sys
import tarfile
from functools import cache
from pathlib import Path
from types import ModuleType

MODELS = Path(__file__).resolve().parent.parent / "models"


@cache
def load_step(family: str, step: str) -> ModuleType:
    path = MODELS / family / f"{step}.py"
    name = f"family_{family.replace('-', '_')}_{step}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses resolve their annotations through sys.modules
    spec.loader.exec_module(module)
    return module


def churn_steps() -> tuple[ModuleType, ModuleType, ModuleType]:
    """(preprocess, train, evaluate) of the customer-churn family."""
    return tuple(load_step("customer-churn", step) for step in ("preprocess", "train", "evaluate"))  # type: ignore[return-value]


def archive(model_dir: Path, into: Path) -> Path:
    """What SageMaker hands an Evaluate job: ``<into>/model.tar.gz`` holding the model dir's contents."""
    into.mkdir(parents=True, exist_ok=True)
    with tarfile.open(into / "model.tar.gz", "w:gz") as tar:
        for path in sorted(model_dir.rglob("*")):
            tar.add(path, arcname=str(path.relative_to(model_dir)), recursive=False)
    return into
