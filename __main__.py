"""Entry point of `pulumi up` / `pulumi preview`: the platform for the selected stack."""

import pulumi

from stacks.config import ConfigError
from stacks.model_packages import ModelResolutionError
from stacks.program import run

try:
    run(source=f"stacks/Pulumi.{pulumi.get_stack()}.yaml")
except (ConfigError, ModelResolutionError) as error:
    # RunError prints the message alone, without a Python traceback.
    raise pulumi.RunError(str(error)) from None
