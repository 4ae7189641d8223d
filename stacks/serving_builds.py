"""Which build (CPU or GPU) of its framework's inference image a model family's versions need: the
one of the instances that serve it in the stack.

A version registers one inference image (the model package's InferenceSpecification), and every
endpoint variant, shadow variant, inference component and batch transform that serves
``latest_approved_of`` the family runs that image. PyTorch has a CPU and a GPU build of each
version (``-cpu-``/``-gpu-`` in the tag): the CPU build on a GPU instance runs the model on the
CPU (the GPUs paid for and idle), the GPU build on a CPU instance pulls CUDA it cannot use. So the
training pipeline registers the build of the family's serving instances in the stack, and a stack
that serves one family on both kinds is refused (:func:`serving_build_problems`). scikit-learn
(CPU only) and XGBoost (one image for both) need no choice.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from components.instance_types import is_gpu
from components.training.frameworks import (
    NEURON_INSTANCE_PREFIXES,
    dual_build_repositories,
    has_cpu_and_gpu_builds,
)

if TYPE_CHECKING:
    from stacks.config import ModelFamilyConfig, PlatformConfig
    from stacks.model_packages import ResolvedModelPackage

SERVERLESS = "serverless"
"""What :class:`Serving` names for a serverless variant (CPU only)."""
CPU_STAND_IN = "ml.m5.large"
"""The instance type the CPU build is resolved with for a family served first serverless, or by a
shared endpoint's component without accelerators."""


@dataclass(frozen=True)
class Serving:
    key: str
    """Dotted key path of what serves the family: an instance type, a serverless variant, a shared
    endpoint component's compute."""
    instance_type: str
    """The instance type, or :data:`SERVERLESS`."""
    accelerated: bool = True
    """False for a shared endpoint's component that reserves no accelerator devices: its copies see
    no GPU, whatever the instance has."""

    @property
    def gpu(self) -> bool:
        return self.accelerated and self.instance_type != SERVERLESS and is_gpu(self.instance_type)

    @property
    def resolving_type(self) -> str:
        """An instance type of this serving's kind (CPU or GPU), for ``image_uris.retrieve``."""
        if self.gpu or (self.instance_type != SERVERLESS and not is_gpu(self.instance_type)):
            return self.instance_type
        return CPU_STAND_IN

    def __str__(self) -> str:
        kind = "GPU" if self.gpu else "CPU"
        what = "serverless" if self.instance_type == SERVERLESS else self.instance_type
        if not self.accelerated:
            what += " without accelerators"
        return f"{self.key} ({what}, {kind})"


def family_servings(config: PlatformConfig, family: ModelFamilyConfig) -> list[Serving]:
    """What serves the family's latest Approved version (or a pinned version of it, for batch
    scoring) in this stack, in stack-file order; AWS Trainium and Inferentia types left out (their
    images are Neuron builds, neither of these)."""
    found: list[Serving] = []
    for index, endpoint in enumerate(config.endpoints):
        for kind in ("variants", "shadow_variants"):
            for position, variant in enumerate(getattr(endpoint, kind)):
                if variant.model.latest_approved_of != family.name:
                    continue
                key = f"endpoints[{index}].{kind}[{position}]"
                if variant.instance_type is None:
                    found.append(Serving(f"{key}.serverless", SERVERLESS))
                else:
                    found.append(Serving(f"{key}.instance_type", variant.instance_type))
    for index, shared in enumerate(config.shared_endpoints):
        for position, component in enumerate(shared.components):
            if component.model.latest_approved_of != family.name:
                continue
            found.append(
                Serving(
                    f"shared_endpoints[{index}].components[{position}].compute",
                    shared.instance_type,
                    accelerated=bool(component.compute.accelerators),
                )
            )
    for index, model in enumerate(config.models):
        if model.name == family.name and model.batch_scoring is not None:
            found.append(
                Serving(f"models[{index}].batch_scoring.instance_type", model.batch_scoring.instance_type)
            )
    return [s for s in found if not s.instance_type.startswith(NEURON_INSTANCE_PREFIXES)]


def inference_instance_type(config: PlatformConfig, family: ModelFamilyConfig) -> str | None:
    """The instance type whose build the family's versions register: its first serving's in the
    stack, None where the stack serves it nowhere (then its training instance's build)."""
    servings = family_servings(config, family)
    if not servings:
        return None
    return servings[0].resolving_type


def serving_build_problems(config: PlatformConfig) -> Iterator[tuple[str, str]]:
    """A family with a CPU and a GPU build served on both kinds of instance in one stack: its
    versions register one image, so one of the two would run the wrong build."""
    for family in config.models:
        training = family.training
        if training is None:
            continue
        framework = training.framework
        if not has_cpu_and_gpu_builds(framework.name, framework.version):
            continue
        servings = family_servings(config, family)
        for serving in servings[1:]:
            if serving.gpu != servings[0].gpu:
                yield (
                    serving.key,
                    f"serves model family '{family.name}' on a {'GPU' if serving.gpu else 'CPU'} "
                    f"instance, but {servings[0]} serves it on a {'GPU' if servings[0].gpu else 'CPU'} one: "
                    f"each version registers one {framework.name} {framework.version} inference image, the "
                    "CPU or the GPU build, so one of them would run the wrong build (a GPU instance "
                    "on the CPU build leaves its GPUs idle): serve the family on one kind of instance "
                    "in this stack",
                )
                break


_BUILD = re.compile(r"/(?P<repository>[^/:]+):[^:/]*-(?P<build>cpu|gpu)-")


def build_mismatch(image: str, instance_type: str | None, *, accelerated: bool = True) -> str | None:
    """Why ``image`` (a registered version's) is the wrong build for ``instance_type`` (None:
    serverless; ``accelerated`` False: a shared endpoint's component reserving no accelerator
    devices), or None. Only for the repositories with both builds (``pytorch-inference``): a
    registry's version may have been registered by another stack, whose serving was of the other
    kind (or before the training pipeline chose the build by the serving instances)."""
    found = _BUILD.search(image)
    if found is None or found["repository"] not in dual_build_repositories():
        return None
    gpu = accelerated and instance_type is not None and is_gpu(instance_type)
    if (found["build"] == "gpu") == gpu:
        return None
    where = instance_type or "serverless"
    if gpu:
        return (
            f"its image {image} is the CPU build on {where}, a GPU instance: the model runs on the CPU "
            "and the GPUs stay idle"
        )
    if instance_type is not None and is_gpu(instance_type):
        return f"its image {image} is the GPU build on {where} without accelerators, which gives its copies no GPU"
    return f"its image {image} is the GPU build on {where}, which has no GPU"


def warn_of_image_builds(
    subject: str, package: ResolvedModelPackage, instance_type: str | None, *, accelerated: bool = True
) -> None:
    """Log each of :func:`image_build_warnings` of ``package`` (a resolved version) as a warning of
    the run (the plan's warnings, `pulumi up`'s diagnostics)."""
    import pulumi  # here: the stack file's validation (stacks.config) imports this module, not Pulumi

    for warning in image_build_warnings(
        subject, package.arn, package.images, instance_type, accelerated=accelerated
    ):
        pulumi.log.warn(warning)


def image_build_warnings(
    subject: str, arn: str, images: tuple[str, ...], instance_type: str | None, *, accelerated: bool = True
) -> list[str]:
    """What to say of a version (``arn``, its ``images``) deployed on ``instance_type`` (None:
    serverless) by ``subject`` (``endpoint x, variant y``) when its image is the other build:
    a version registered by a stack that served it on the other kind. Said, not refused: either
    build serves, the GPU one slower to pull and the CPU one without the GPUs."""
    return [
        f"{subject}: version {arn}: {problem}; retrain it where the stack serves the family on this kind "
        "of instance (its RegisterModel takes the build of the family's serving instances), or serve it "
        "on the other kind"
        for image in images
        if (problem := build_mismatch(image, instance_type, accelerated=accelerated)) is not None
    ]
