"""Data: the SageMaker feature store and a DVC remote on the datasets bucket (type tokens
``mlops:data:FeatureStore``, ``mlops:data:DvcRemote``)."""

from .dvc_remote import DvcRemote, DvcRemoteArgs
from .dvc_remote_spec import DvcRemoteSpec
from .feature_store import FeatureGroupSpec, FeatureSpec, FeatureStore, FeatureStoreArgs, OnlineTtl

__all__ = [
    "DvcRemote",
    "DvcRemoteArgs",
    "DvcRemoteSpec",
    "FeatureGroupSpec",
    "FeatureSpec",
    "FeatureStore",
    "FeatureStoreArgs",
    "OnlineTtl",
]
