"""Serving: SageMaker inference endpoints with autoscaling and blue/green deployment (type token
``mlops:serving:InferenceEndpoint``), their scheduled shadow tests (``mlops:serving:ShadowTest``),
endpoints sharing their instances among several models as inference components
(``mlops:serving:SharedEndpoint``), and scheduled batch scoring of a model family
(``mlops:serving:BatchScoring``). ``ShadowTest`` and ``SharedEndpoint`` need pulumi-aws-native: they
are imported on first use, so the endpoints do not load it."""

from typing import Any

from ..extras import import_needing
from .batch_scoring import BatchEvidently, BatchScoring, BatchScoringArgs, BatchScoringSpec
from .inference_endpoint import InferenceEndpoint, InferenceEndpointArgs
from .inference_endpoint_spec import (
    AsyncSpec,
    DataCaptureSpec,
    DeploymentSpec,
    EndpointSpec,
    ModelSource,
    ScalingSpec,
    ScheduledCapacity,
    ServerlessSpec,
    ShadowTestSpec,
    TritonSource,
    VariantSpec,
)
from .shared_endpoint_spec import (
    ComponentScalingSpec,
    ComputeSpec,
    InferenceComponentSpec,
    ManagedScalingSpec,
    SharedEndpointSpec,
)

# pulumi-aws-native is large and optional: the shadow test and the shared endpoint load it on first use.
_ON_FIRST_USE = {
    **{name: ".shadow_test" for name in ("ShadowTest", "ShadowTestArgs")},
    **{name: ".shared_endpoint" for name in ("SharedEndpoint", "SharedEndpointArgs")},
}

__all__ = [
    "AsyncSpec",
    "BatchEvidently",
    "BatchScoring",
    "BatchScoringArgs",
    "BatchScoringSpec",
    "ComponentScalingSpec",
    "ComputeSpec",
    "DataCaptureSpec",
    "DeploymentSpec",
    "EndpointSpec",
    "InferenceComponentSpec",
    "InferenceEndpoint",
    "InferenceEndpointArgs",
    "ManagedScalingSpec",
    "ModelSource",
    "ScalingSpec",
    "ScheduledCapacity",
    "ServerlessSpec",
    "ShadowTest",
    "ShadowTestArgs",
    "ShadowTestSpec",
    "SharedEndpoint",
    "SharedEndpointArgs",
    "SharedEndpointSpec",
    "TritonSource",
    "VariantSpec",
]


def __getattr__(name: str) -> Any:
    if name in _ON_FIRST_USE:
        return getattr(import_needing(_ON_FIRST_USE[name], __name__, f"{__name__}.{name}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
