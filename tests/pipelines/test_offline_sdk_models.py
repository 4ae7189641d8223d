"""The sealed SDK's pydantic models build on first use (components/training/_offline_sdk.py).

The SageMaker SDK defines about a thousand pydantic models at import and a build uses a few dozen,
so :func:`~components.training._offline_sdk.sealed` makes pydantic's ``defer_build`` the default
while it runs. That the SDK's own import is covered is shown in a fresh interpreter
(``fresh_process_build`` in conftest, checked in test_training_pipeline_offline); here, what the
default does to models defined inside and outside the seal.
"""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError
from pydantic._internal._config import config_defaults

from components.training import _offline_sdk


def test_models_defined_in_the_seal_build_on_first_use_and_validate_as_ever() -> None:
    with pytest.raises(RuntimeError), _offline_sdk.sealed("eu-west-1"):

        class Deferred(BaseModel):
            count: int

        raise RuntimeError  # the default comes back whatever happens in the block
    assert config_defaults["defer_build"] is False

    class Eager(BaseModel):
        count: int

    assert Eager.__pydantic_complete__ is True
    assert Deferred.__pydantic_complete__ is False
    assert Deferred(count="3").count == 3  # built now, validating (and coercing) as any model
    assert Deferred.__pydantic_complete__ is True
    with pytest.raises(ValidationError):
        Deferred(count="three")


def test_a_seal_inside_a_seal_leaves_the_default_to_the_outer_one() -> None:
    with _offline_sdk.sealed("eu-west-1"):
        with pytest.raises(RuntimeError), _offline_sdk.sealed("us-east-1"):
            raise RuntimeError
        assert config_defaults["defer_build"] is True  # still inside the outer seal

        class Deferred(BaseModel):
            count: int

    assert config_defaults["defer_build"] is False
    assert Deferred.__pydantic_complete__ is False
