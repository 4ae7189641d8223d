"""Host the blueprint's components for every Pulumi language (see PulumiPlugin.yaml)."""

from mlops_platform import __version__
from mlops_platform.components.component_package import COMPONENTS, PACKAGE
from pulumi.provider.experimental import component_provider_host

if __name__ == "__main__":
    component_provider_host(COMPONENTS, name=PACKAGE, version=__version__)
