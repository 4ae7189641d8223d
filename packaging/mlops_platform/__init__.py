"""MLOps platform blueprint: Pulumi component resources for a secure SageMaker MLOps platform.

    from mlops_platform.components.foundation import SecureBucket, SecureBucketArgs
    from mlops_platform.components.serving import InferenceEndpoint, InferenceEndpointArgs

One subpackage per area of ``mlops_platform.components`` (foundation, data, registry, experiments,
training, serving, observability, kubernetes); ``mlops_platform.policies`` is the CrossGuard
policy pack (the ``policies`` extra). This file exists only in the built distribution: in the
repository the same packages are the top-level ``components`` and ``policies``.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mlops-platform")
except PackageNotFoundError:  # imported from a source tree that was not installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
