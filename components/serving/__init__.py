"""Serving: SageMaker inference endpoints with autoscaling and blue/green deployment (type token
``mlops:serving:InferenceEndpoint``), their scheduled shadow tests (``mlops:serving:ShadowTest``),
endpoints sharing their instances among several models as inference components
(``mlops:serving:SharedEndpoint``), and scheduled batch scoring of a model family
(``mlops:serving:BatchScoring``). The components are imported on first use, so reading the specs
does not load Pulumi, and only ``ShadowTest`` and ``SharedEndpoint`` load pulumi-aws-native."""

from typing import TYPE_CHECKING

from ..extras import on_first_use
from .batch_scoring_spec import BatchScoringSpec
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
    StepAdjustmentSpec,
    StepScalingSpec,
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

if TYPE_CHECKING:  # what type checkers see; at run time each loads on first use
    from .batch_scoring import BatchEvidently, BatchScoring, BatchScoringArgs
    from .inference_endpoint import InferenceEndpoint, InferenceEndpointArgs
    from .shadow_test import ShadowTest, ShadowTestArgs
    from .shared_endpoint import SharedEndpoint, SharedEndpointArgs

# pulumi-aws-native is large and optional: only the shadow test and the shared endpoint load it.
__getattr__ = on_first_use(
    __name__,
    {
        ".batch_scoring": ("BatchEvidently", "BatchScoring", "BatchScoringArgs"),
        ".inference_endpoint": ("InferenceEndpoint", "InferenceEndpointArgs"),
        ".shadow_test": ("ShadowTest", "ShadowTestArgs"),
        ".shared_endpoint": ("SharedEndpoint", "SharedEndpointArgs"),
    },
)

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
    "StepAdjustmentSpec",
    "StepScalingSpec",
    "TritonSource",
    "VariantSpec",
]
