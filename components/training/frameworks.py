"""The ML frameworks a model family trains with, checked against the SageMaker SDK's image table.

A family names its framework and version in the stack file (``models[].training.framework``);
the training pipeline runs every step on that framework's SageMaker image (training scope for
the jobs, inference scope for the registered model). Whether an image exists for a version, a
Python version and the region is read from the JSON tables the SDK ships
(``sagemaker/core/image_uri_config/<framework>.json``) without importing the SDK, which takes
seconds: config validation stays fast, and it agrees with what ``image_uris.retrieve`` will
accept when the definition is built.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from ..extras import require
from ..limits import region_problem
from ..sdk_image_tables import image_version_key, required_sdk_image_table

FrameworkName = Literal["sklearn", "xgboost", "pytorch"]
FRAMEWORKS: Final[tuple[FrameworkName, ...]] = ("sklearn", "xgboost", "pytorch")
SCOPES: Final = ("training", "inference")
"""A family needs both: jobs run the training image, the registered model the inference image."""
_DEFAULT_PY_VERSIONS: Final[tuple[set[str], ...]] = ({"py3"}, set())
"""Tables whose only Python version is the SDK's default need no ``py_version``."""


def _table(framework: str) -> dict[str, Any]:
    return required_sdk_image_table(
        framework, "Checking a model family's framework against SageMaker's images"
    )


def _versions(scope: dict[str, Any]) -> list[str]:
    return [*scope.get("versions", {}), *scope.get("version_aliases", {})]


def framework_problems(framework: str, version: str, py_version: str | None, region: str) -> list[str]:
    """Why SageMaker has no training or inference image for this framework, version, Python
    version and region (empty when both exist)."""
    if framework not in FRAMEWORKS:
        return [f"framework {framework!r} is not supported; use one of {', '.join(FRAMEWORKS)}"]
    table = _table(framework)
    problems = []
    for scope_name in SCOPES:
        scope = table.get(scope_name, {})
        full = scope.get("version_aliases", {}).get(version, version)
        entry = scope.get("versions", {}).get(full)
        if entry is None:
            problems.append(
                f"{framework} {version} has no {scope_name} image; SageMaker has "
                + ", ".join(sorted(set(_versions(scope)), key=image_version_key))
            )
            continue
        listed = set(entry.get("py_versions", []))
        if py_version is None and listed not in _DEFAULT_PY_VERSIONS:
            problems.append(
                f"{framework} {version} needs py_version for its {scope_name} image: one of "
                + ", ".join(sorted(listed))
            )
        elif py_version is not None and py_version not in listed:
            problems.append(
                f"{framework} {version} has no {scope_name} image for {py_version}; it has "
                + (", ".join(sorted(listed)) or "no py_version choice (leave py_version out)")
            )
        if region not in entry.get("registries", {}):
            problems.append(f"{framework} {version} has no {scope_name} image in {region}")
    return problems


def _processors(framework: str, version: str, scope: str) -> set[str]:
    """The builds (cpu, gpu) the table lists for the version, at its level or its scope's."""
    table = _table(framework).get(scope, {})
    entry = table.get("versions", {}).get(table.get("version_aliases", {}).get(version, version), {})
    return set(entry.get("processors") or table.get("processors") or [])


def has_cpu_and_gpu_builds(framework: str, version: str) -> bool:
    """Whether the version's inference image has a CPU and a GPU build (PyTorch), so the instance
    type that serves a model picks one; False for an unknown framework or version."""
    if framework not in FRAMEWORKS:
        return False
    return {"cpu", "gpu"} <= _processors(framework, version, "inference")


def dual_build_repositories() -> set[str]:
    """The ECR repositories (``pytorch-inference``) of the frameworks' inference images that have a
    CPU and a GPU build of a version, told apart by ``-cpu-``/``-gpu-`` in the tag."""
    found = set()
    for framework in FRAMEWORKS:
        scope = _table(framework).get("inference", {})
        for version, entry in scope.get("versions", {}).items():
            if has_cpu_and_gpu_builds(framework, version) and entry.get("repository"):
                found.add(entry["repository"])
    return found


NEURON_INSTANCE_PREFIXES: Final = ("ml.trn", "ml.inf")
"""AWS Trainium and Inferentia: the SDK resolves a Neuron build (another repository) for them."""


def instance_problems(framework: str, version: str, instance_type: str) -> list[str]:
    """Why the family's jobs cannot run ``instance_type`` (empty when they can). The framework's
    images are SageMaker's CPU and GPU builds; for a framework whose table has GPU builds
    (:func:`image_uri` passes it the instance type) the SDK answers a Trainium or Inferentia type
    with a Neuron image of another repository, and of another version (PyTorch 1.9-1.12 on py38 all
    get ``pytorch-training-neuron:1.11.0``, the registered model too) or none at all: not the
    family's framework, and not an image its roles may pull (:func:`repository_uris`)."""
    if not instance_type.startswith(NEURON_INSTANCE_PREFIXES):
        return []
    if not any("gpu" in _processors(framework, version, scope) for scope in SCOPES):
        return []
    return [
        f"'{instance_type}' is an AWS Trainium or Inferentia instance: {framework} {version}'s SageMaker "
        "images are CPU and GPU builds (for this type the SDK picks a Neuron image of another version); "
        "use a CPU or GPU instance type such as ml.m5.xlarge or ml.g5.xlarge"
    ]


def repository_uris(framework: str, version: str, region: str, scopes: tuple[str, ...] = SCOPES) -> list[str]:
    """The ECR repositories (``<account>.dkr.ecr.<region>.amazonaws.com/<repository>``, no tag) of the
    framework's images of ``scopes`` in ``region``, from the SDK's table (no SDK import): what the
    family's execution roles pull. Empty where the table lists none (the config check reports that);
    ValueError naming ``region`` where it is another partition's (China's, GovCloud's, the isolated
    ones), which the components do not build in (:func:`~components.limits.region_problem`)."""
    problem = region_problem(region)
    if problem:
        raise ValueError(problem)
    table = _table(framework)
    found = []
    for scope_name in scopes:
        scope = table.get(scope_name, {})
        entry = scope.get("versions", {}).get(scope.get("version_aliases", {}).get(version, version))
        account = (entry or {}).get("registries", {}).get(region)
        if entry is not None and account is not None:
            found.append(f"{account}.dkr.ecr.{region}.amazonaws.com/{entry['repository']}")
    return sorted(set(found))


def image_uri(
    framework: str,
    version: str,
    py_version: str | None,
    region: str,
    scope: Literal["training", "inference"],
    instance_type: str,
) -> str:
    """The image's URI from the SDK's bundled table (no API call); imports the SDK.

    The instance type picks the CPU or GPU build only where the version has both (PyTorch); a
    CPU-only image (scikit-learn) runs on a GPU instance's CPUs, and XGBoost's single image runs
    on either (a script trains on the GPU only when it asks for it, e.g. ``device="cuda"``).
    """
    require("sagemaker", "Resolving a model family's framework image")
    from sagemaker.core import image_uris

    try:
        return image_uris.retrieve(
            framework,
            region=region,
            version=version,
            py_version=py_version,
            instance_type=instance_type if "gpu" in _processors(framework, version, scope) else None,
            image_scope=scope,
        )
    except ValueError as error:
        raise ValueError(f"framework {framework} {version}: {error}") from None
