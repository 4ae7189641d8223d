"""Mutation audit of session 72's planner code (auto-name rules and the FIFO suffix, get_region and
its table, MLflow hosts, transform failures): each test kills a mutant the earlier tests let live,
by a property the code must keep."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pulumi.runtime import mocks as _mocks

import planner.transforms
from planner.autonames import AutoNameInvalid, AutoNameRefused, AutoNameTooLong, refuse_too_long_autoname

# The types session 72 began to judge, with the flag that makes a queue or topic FIFO.
JUDGED_72 = [
    ("aws:sqs/queue:Queue", {}),
    ("aws:sqs/queue:Queue", {"fifoQueue": True}),
    ("aws:sns/topic:Topic", {}),
    ("aws:sns/topic:Topic", {"fifoTopic": True}),
    ("aws:efs/fileSystem:FileSystem", {}),
    ("aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition", {}),
    ("aws:sagemaker/notebookInstance:NotebookInstance", {}),
    ("aws:sagemaker/notebookInstanceLifecycleConfiguration:NotebookInstanceLifecycleConfiguration", {}),
    ("aws:sagemaker/hyperParameterTuningJob:HyperParameterTuningJob", {}),
    ("aws:sagemaker/mlflowApp:MlflowApp", {}),
    ("aws:elasticache/parameterGroup:ParameterGroup", {}),
    ("aws:elasticache/subnetGroup:SubnetGroup", {}),
    ("aws:docdb/clusterParameterGroup:ClusterParameterGroup", {}),
    ("aws:docdb/subnetGroup:SubnetGroup", {}),
    ("aws:neptune/clusterParameterGroup:ClusterParameterGroup", {}),
    ("aws:neptune/parameterGroup:ParameterGroup", {}),
    ("aws:neptune/subnetGroup:SubnetGroup", {}),
    ("aws:redshift/parameterGroup:ParameterGroup", {}),
    ("aws:redshift/subnetGroup:SubnetGroup", {}),
]

# pulumi-aws's own maximum for each (resource_overrides.go; setAutonaming's 255 where none).
PULUMI_AWS_MAX = {"aws:sqs/queue:Queue": 80, "aws:sns/topic:Topic": 80}


def _outcome(type_token: str, logical: str, inputs: dict[str, object]) -> type[Exception] | None:
    try:
        refuse_too_long_autoname(type_token, logical, inputs)
    except AutoNameRefused as refused:
        return type(refused)
    return None


@pytest.mark.parametrize(
    ("type_token", "inputs"), JUDGED_72, ids=[f"{t}{'-fifo' if i else ''}" for t, i in JUDGED_72]
)
def test_pulumi_aws_s_own_maximum_refuses_first_at_its_exact_bound(
    type_token: str, inputs: dict[str, object]
) -> None:
    # <logical>-<7 hex>: a logical name of max-8 characters fits pulumi-aws's maximum (whatever
    # the validators then say of it), one more is pulumi-aws's "longer than maximum length".
    most = PULUMI_AWS_MAX.get(type_token, 255)
    assert _outcome(type_token, "a" * (most - 8), inputs) is not AutoNameTooLong
    assert _outcome(type_token, "a" * (most - 7), inputs) is AutoNameTooLong


# --- planner.transforms: the stack a transform failure shows -----------------------------------------


def _raised_through(*filenames: str) -> Exception:
    """An exception raised through one frame in each of ``filenames`` (outermost first), as a
    transform's stack runs from the program into the SDK and what stands in for the engine."""
    calls: list[Callable[[], None]] = []
    for index, filename in enumerate(filenames):
        namespace: dict[str, Any] = {"calls": calls, "index": index}
        source = "def step():\n    if index + 1 < len(calls):\n        calls[index + 1]()\n    raise ValueError('refused')\n"
        exec(compile(source, filename, "exec"), namespace)
        calls.append(namespace["step"])
    try:
        calls[0]()
    except ValueError as error:
        return error
    raise AssertionError("nothing raised")


def _frames(message: str) -> list[str]:
    return [line.split('"')[1] for line in message.splitlines() if line.startswith('  File "')]


PLANNER = str(Path(planner.transforms.__file__).parent)


@pytest.mark.parametrize(
    "engine",
    [f"{PLANNER}{os.sep}recorder.py", f"{PLANNER}{os.sep}mocks.py", str(_mocks.__file__)],
    ids=["planner-recorder", "planner-mocks", "sdk-mock-monitor"],
)
def test_a_transform_s_stack_ends_where_it_enters_what_stands_in_for_the_engine(engine: str) -> None:
    program, sdk = "/home/me/program/__main__.py", "/site-packages/pulumi_aws/get_region.py"
    message = planner.transforms._raised(_raised_through(program, sdk, engine, "/anything/after.py"))
    assert message.splitlines()[0] == "ValueError: refused"
    assert _frames(message) == [__file__, program, sdk]  # this test's call, then the program's
    assert message == message.rstrip(), "no trailing blank line after the stack"


def test_a_program_file_whose_path_merely_begins_like_the_planner_s_is_the_program_s() -> None:
    # The planner is the folder, not every path with its name as a prefix (a program's
    # `planner_steps.py` or `planner2/` beside it).
    neighbours = [f"{PLANNER}_steps.py", f"{PLANNER}2{os.sep}main.py"]
    message = planner.transforms._raised(_raised_through(*neighbours))
    assert _frames(message) == [__file__, *neighbours]


# --- upstream validations: each failed rule is one check failure, and only the rules broken -------


@pytest.mark.parametrize(
    ("type_token", "where"),
    [
        ("aws:docdb/clusterParameterGroup:ClusterParameterGroup", "parameter group "),
        ("aws:neptune/parameterGroup:ParameterGroup", ""),
        ("aws:redshift/parameterGroup:ParameterGroup", None),
    ],
)
def test_a_leading_hyphen_breaks_the_first_letter_rule_alone(type_token: str, where: str | None) -> None:
    # validParamGroupName's (and Redshift's) "cannot end with a hyphen" judges the end, which an auto-name's hex
    # never breaks: a logical name "-drift" is one problem, not two.
    with pytest.raises(AutoNameInvalid) as raised:
        refuse_too_long_autoname(type_token, "-drift", {})
    problems = [line for line in str(raised.value).splitlines() if "has a problem" in line]
    assert len(problems) == 1
    if where is None:  # Redshift's ValidateFunc words it its own way
        assert "invalid value for name (first character must be a letter)" in problems[0]
    else:
        assert f'first character of {where}"name" must be a letter' in problems[0]
