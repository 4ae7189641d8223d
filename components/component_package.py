"""The components as a Pulumi component package, for programs in any Pulumi language.

``provider/`` hosts these classes with ``pulumi.provider.experimental.component_provider_host``;
a TypeScript, Go, C#, Java or YAML program adds them with ``pulumi package add <repo>/provider@<tag>``.
The schema is inferred from the type annotations of the classes :data:`COMPONENTS` lists (no
``from __future__ import annotations`` in their modules: the analyzer reads the annotations as
types).

Each class is a thin boundary: its inputs are what the schema can express (strings, numbers,
booleans, lists and maps of them, ``pulumi.Input``), and it builds the Python component of the
same name as its only child. Where a component takes a typed spec (an endpoint, a feature group,
a model family's training), the input is that spec as JSON in the shape of the stack file's entry
(docs/configuration.md), validated by the same pydantic model, so a mistake is reported with the
same message a stack file would get.

The classes live beside this module (none of them with ``from __future__ import annotations``
either), each still importable from here: the shared package name, tokens and input reading in
:mod:`components.package_boundary`, the foundation classes in :mod:`components.package_foundation`,
the feature store and model registry in :mod:`components.package_data_registry`, and the training
pipeline, inference endpoint and monitoring in :mod:`components.package_training_serving`.
"""

import argparse
import json
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any

import pulumi

from .package_boundary import PACKAGE
from .package_boundary import _from_json as _from_json
from .package_data_registry import FeatureStore, ModelRegistry
from .package_data_registry import FeatureStoreInputs as FeatureStoreInputs
from .package_data_registry import ModelRegistryInputs as ModelRegistryInputs
from .package_foundation import AccessLogBucket, EncryptionKey, ExecutionRole, PrivateNetwork, SecureBucket
from .package_foundation import AccessLogBucketInputs as AccessLogBucketInputs
from .package_foundation import EncryptionKeyInputs as EncryptionKeyInputs
from .package_foundation import ExecutionRoleInputs as ExecutionRoleInputs
from .package_foundation import PrivateNetworkInputs as PrivateNetworkInputs
from .package_foundation import SecureBucketInputs as SecureBucketInputs
from .package_training_serving import InferenceEndpoint, ModelMonitoring, TrainingPipeline
from .package_training_serving import InferenceEndpointInputs as InferenceEndpointInputs
from .package_training_serving import ModelMonitoringInputs as ModelMonitoringInputs
from .package_training_serving import TrainingPipelineInputs as TrainingPipelineInputs
from .whole_file import write_whole

COMPONENTS: list[type[pulumi.ComponentResource]] = [
    EncryptionKey,
    AccessLogBucket,
    SecureBucket,
    ExecutionRole,
    PrivateNetwork,
    FeatureStore,
    ModelRegistry,
    TrainingPipeline,
    InferenceEndpoint,
    ModelMonitoring,
]
"""What the component package exposes."""


def schema(version: str) -> dict[str, Any]:
    """The package schema ``component_provider_host`` serves, inferred by the SDK's own analyzer."""
    from pulumi.provider.experimental.analyzer import Analyzer
    from pulumi.provider.experimental.schema import generate_schema

    result = Analyzer(PACKAGE).analyze(COMPONENTS)
    dependencies = sorted(result["dependencies"], key=lambda d: f"{d.name}{d.version}")
    return generate_schema(
        PACKAGE,
        version,
        None,
        result["component_definitions"],
        result["type_definitions"],
        dependencies,
    ).to_json()


def _version(root: Path) -> str:
    """The installed distribution's version, or the checkout's ``pyproject.toml`` (where the
    repository runs in place and nothing is installed)."""
    try:
        return metadata.version("mlops-platform")
    except metadata.PackageNotFoundError:
        return tomllib.loads((root / "pyproject.toml").read_text())["project"]["version"]


def _main(argv: list[str] | None = None) -> int:
    root = Path(__file__).resolve().parents[1]
    parser = argparse.ArgumentParser(
        prog="python -m components.component_package",
        description="Print the component package schema, or (in a checkout) write provider/schema.json.",
    )
    parser.add_argument("--write", action="store_true", help="write provider/schema.json")
    arguments = parser.parse_args(argv)
    text = json.dumps(schema(_version(root)), indent=2, sort_keys=True) + "\n"
    if not arguments.write:
        print(text, end="")
        return 0
    if not (root / "provider").is_dir():
        parser.error("--write needs a checkout of the repository (its provider/ folder)")
    write_whole(root / "provider" / "schema.json", text)  # never a half-written schema
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
