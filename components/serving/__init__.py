"""Serving: SageMaker inference endpoints with autoscaling and blue/green deployment (type token
``mlops:serving:InferenceEndpoint``)."""

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
    VariantSpec,
)

__all__ = [
    "AsyncSpec",
    "DataCaptureSpec",
    "DeploymentSpec",
    "EndpointSpec",
    "InferenceEndpoint",
    "InferenceEndpointArgs",
    "ModelSource",
    "ScalingSpec",
    "ScheduledCapacity",
    "ServerlessSpec",
    "VariantSpec",
]
