"""Data: the SageMaker feature store, the Athena workgroup its offline stores are read through,
and a DVC remote on the datasets bucket (type tokens ``mlops:data:FeatureStore``,
``mlops:data:FeatureQueryWorkgroup``, ``mlops:data:DvcRemote``)."""

from .dvc_remote import DvcRemote, DvcRemoteArgs
from .dvc_remote_spec import DvcRemoteSpec
from .feature_query_workgroup import FeatureQueryWorkgroup, FeatureQueryWorkgroupArgs
from .feature_store import FeatureGroupSpec, FeatureSpec, FeatureStore, FeatureStoreArgs, OnlineTtl

__all__ = [
    "DvcRemote",
    "DvcRemoteArgs",
    "DvcRemoteSpec",
    "FeatureGroupSpec",
    "FeatureQueryWorkgroup",
    "FeatureQueryWorkgroupArgs",
    "FeatureSpec",
    "FeatureStore",
    "FeatureStoreArgs",
    "OnlineTtl",
]
