"""Serving: SageMaker inference endpoints with autoscaling and blue/green deployment (type token
``mlops:serving:InferenceEndpoint``), their scheduled shadow tests (``mlops:serving:ShadowTest``), and
scheduled batch scoring of a model family (``mlops:serving:BatchScoring``). ``ShadowTest`` needs
pulumi-aws-native: it is imported on first use, so the endpoints do not load it."""

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

# pulumi-aws-native is large and optional: the shadow test loads it on first use.
_ON_FIRST_USE = {name: ".shadow_test" for name in ("ShadowTest", "ShadowTestArgs")}

__all__ = [
    "AsyncSpec",
    "BatchEvidently",
    "BatchScoring",
    "BatchScoringArgs",
    "BatchScoringSpec",
    "DataCaptureSpec",
    "DeploymentSpec",
    "EndpointSpec",
    "InferenceEndpoint",
    "InferenceEndpointArgs",
    "ModelSource",
    "ScalingSpec",
    "ScheduledCapacity",
    "ServerlessSpec",
    "ShadowTest",
    "ShadowTestArgs",
    "ShadowTestSpec",
    "TritonSource",
    "VariantSpec",
]


def __getattr__(name: str) -> Any:
    if name in _ON_FIRST_USE:
        return getattr(import_needing(_ON_FIRST_USE[name], __name__, f"{__name__}.{name}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
