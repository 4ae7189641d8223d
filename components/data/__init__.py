"""Data: the SageMaker feature store (type token ``mlops:data:FeatureStore``)."""

from .feature_store import FeatureGroupSpec, FeatureSpec, FeatureStore, FeatureStoreArgs, OnlineTtl

__all__ = ["FeatureGroupSpec", "FeatureSpec", "FeatureStore", "FeatureStoreArgs", "OnlineTtl"]
