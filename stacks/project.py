"""The Pulumi project's name and the configuration keys the program reads.

Apart from :mod:`stacks.config` so that what only needs the names (the planner's recorder, which
every offline run and the benchmark's SDK floor import) does not import the configuration model
and, through it, every component package.
"""

from __future__ import annotations

from typing import Final

PROJECT: Final = "mlops-platform"
CONFIG_KEY: Final = f"{PROJECT}:platform"
# A secret stack value (`pulumi config set --secret kubeconfig ...`): the cluster for kubernetes_serving.
KUBECONFIG_KEY: Final = f"{PROJECT}:kubeconfig"
