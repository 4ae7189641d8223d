"""An unknown key below a map field (a tuning parameter's range, named by the adopter) is answered
with the keys allowed there, as one below a list or a plain field is."""

from __future__ import annotations

from typing import Any

import pytest

from components.training.training_spec import ParameterRangeSpec
from stacks.config import CONFIG_KEY, _allowed_keys
from tests.config_problems import stack_file_problems


def test_a_typo_in_a_tuning_parameters_range_lists_the_ranges_keys(write_stack) -> None:
    typo: dict[str, str] = {}

    def edit(platform: dict[str, Any]) -> None:
        [tuned] = [family for family in platform["models"] if family["training"].get("tuning")]
        name, parameter = next(iter(tuned["training"]["tuning"]["parameters"].items()))
        parameter["maxx"] = parameter.get("max", 1)
        typo["key"] = f"models[{platform['models'].index(tuned)}].training.tuning.parameters.{name}.maxx"

    problems = stack_file_problems(write_stack("staging", edit))

    key = f"{CONFIG_KEY}.{typo['key']}"
    assert list(problems) == [key]
    assert (
        problems[key]
        == f"unknown key; allowed keys here: {', '.join(sorted(ParameterRangeSpec.model_fields))}"
    )


@pytest.mark.parametrize(
    ("location", "allowed"),
    [
        # A map's key is passed over, whatever it is called (even like a field of the model around it).
        (
            ("models", 0, "training", "tuning", "parameters", "max_jobs"),
            sorted(ParameterRangeSpec.model_fields),
        ),
        (("models", 0, "training", "tuning", "parameters", "eta"), sorted(ParameterRangeSpec.model_fields)),
        # Not a map: a field name that is not one of the model's is no model.
        (("models", 0, "training", "tuning", "max_jobs"), []),
    ],
    ids=["a-key-named-like-a-field", "a-parameter", "a-plain-field"],
)
def test_the_allowed_keys_walk_passes_over_a_maps_keys_only(
    location: tuple[Any, ...], allowed: list[str]
) -> None:
    assert _allowed_keys(location) == allowed
