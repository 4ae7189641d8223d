"""A resolved model package given as an Output is left to deploy time (session 63 review).

``resolved_packages_problem`` checks the values of ``InferenceEndpointArgs``'s and
``SharedEndpointArgs``'s ``resolved_model_packages`` that are text; an Output's value is known only
at deploy, so it is not checked (``str()`` of an Output is no ARN and must not be refused).
"""

from __future__ import annotations

from typing import Any

import pulumi

from tests.components.serving_args import endpoint_args
from tests.components.test_model_package_arns_63 import SERVED, _shared_args


def test_an_output_among_the_resolved_packages_is_taken_as_given() -> None:
    from planner.recorder import record_program

    taken: list[tuple[Any, Any, Any]] = []

    def program() -> None:
        arn = pulumi.Output.from_input("resolved at deploy")
        endpoint = endpoint_args(SERVED, resolved_model_packages={"primary": arn})
        shared = _shared_args(arn)
        taken.append(
            (arn, endpoint.resolved_model_packages["primary"], shared.resolved_model_packages["ranker"])
        )

    record_program(program)
    [(given, endpoint, shared)] = taken
    assert endpoint is given and shared is given
