"""Enumerations of AWS's API models, as botocore ships them, read once per version of the model.

Configuration checks a value against what the API accepts (e.g. the instance types of a batch
transform: ``sagemaker``'s ``TransformInstanceType``). Reading that from botocore means importing
its session and decoding the service's whole model, about 0.2 s of every plan for a list of a
hundred strings. So the list is kept beside the pipeline-definition cache
(``<cache>/botocore-enums/``, see :mod:`components.training.definition_cache`), under a key made of
botocore's version and the size and modification time of every file of the service's model: an
upgraded botocore or a changed model is a new key, never a stale list. Models botocore would also
read from elsewhere (``AWS_DATA_PATH``, ``~/.aws/models``) are not keyed, so with those the model
is read every time.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
from importlib import metadata
from pathlib import Path
from typing import Any

from .training.definition_cache import cache_dir


def botocore_enum(service: str, shape: str) -> list[str]:
    """The members of the enumeration ``shape`` in botocore's model of ``service``."""
    key = _model_key(service)
    directory = cache_dir()
    if key is None or directory is None:
        return _from_botocore(service, shape)
    path = directory / "botocore-enums" / f"{service}-{shape}-{key}.json"
    try:
        cached = json.loads(path.read_text())
        if isinstance(cached, list) and all(isinstance(member, str) for member in cached):
            return cached
    except (OSError, ValueError):
        pass  # absent or damaged: read the model
    members = _from_botocore(service, shape)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(members))
        partial.replace(path)  # atomic: a concurrent plan never reads half a list
    except OSError:
        pass  # a read-only project reads the model every time
    return members


def botocore_installed() -> bool:
    """Whether botocore is there to read an enumeration from: in the repository's environment and
    with the package's ``training`` extra (the SageMaker SDK's boto3), not in its base install
    (endpoints, data-quality monitoring) nor with ``model-quality``, whose checks of a value
    against an enumeration then keep to its form (AWS refuses the rest at ``pulumi up``)."""
    try:
        return importlib.util.find_spec("botocore") is not None
    except (ImportError, ValueError):  # a broken install, or a module without a spec
        return False


@functools.cache
def sagemaker_instance_types(shape: str) -> frozenset[str]:
    """The instance types of SageMaker's enumeration ``shape`` (``TrainingInstanceType``,
    ``ProcessingInstanceType``, ``TransformInstanceType``): what that kind of job accepts."""
    return frozenset(botocore_enum("sagemaker", shape))


def _from_botocore(service: str, shape: str) -> list[str]:
    return list(_service_model(service).shape_for(shape).enum)


@functools.cache
def _service_model(service: str) -> Any:
    """botocore's model of ``service``, decoded once per process (a plan with an empty cache reads
    several of SageMaker's enumerations; each new session would decode the whole model again)."""
    import botocore.session

    return botocore.session.get_session().get_service_model(service)


def _model_key(service: str) -> str | None:
    """botocore's version and its model files of ``service`` (paths, sizes, modification times),
    hashed; None when botocore may read a model from elsewhere too, or is not installed."""
    if os.environ.get("AWS_DATA_PATH") or (Path.home() / ".aws" / "models" / service).exists():
        return None
    spec = importlib.util.find_spec("botocore")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    model_dir = Path(next(iter(spec.submodule_search_locations))) / "data" / service
    files = sorted(path for path in model_dir.rglob("*") if path.is_file())
    if not files:
        return None
    digest = hashlib.sha256(f"botocore=={metadata.version('botocore')}".encode())
    for path in files:
        stat = path.stat()
        digest.update(f"\0{path.relative_to(model_dir)}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:32]
