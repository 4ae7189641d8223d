"""Data: the SageMaker feature store, the Athena workgroup its offline stores are read through,
and a DVC remote on the datasets bucket (type tokens ``mlops:data:FeatureStore``,
``mlops:data:FeatureQueryWorkgroup``, ``mlops:data:DvcRemote``). The components are imported on
first use, so reading the specs does not load Pulumi."""

from typing import TYPE_CHECKING

from ..extras import on_first_use
from .dvc_remote_spec import DvcRemoteSpec
from .feature_store_spec import FeatureGroupSpec, FeatureSpec, OnlineTtl

if TYPE_CHECKING:  # what type checkers see; at run time each loads on first use
    from .dvc_remote import DvcRemote, DvcRemoteArgs
    from .feature_query_workgroup import FeatureQueryWorkgroup, FeatureQueryWorkgroupArgs
    from .feature_store import FeatureStore, FeatureStoreArgs

__getattr__ = on_first_use(
    __name__,
    {
        ".dvc_remote": ("DvcRemote", "DvcRemoteArgs"),
        ".feature_query_workgroup": ("FeatureQueryWorkgroup", "FeatureQueryWorkgroupArgs"),
        ".feature_store": ("FeatureStore", "FeatureStoreArgs"),
    },
)

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
