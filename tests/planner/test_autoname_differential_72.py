"""Random logical names judged by the plan and by each cited rule written out independently.

Each oracle below restates, on the whole name the provider sends (``<logical>-<7 random hex>``,
``.fifo`` after it for a FIFO queue or topic), the upstream rule the table cites: the Terraform
``ValidateFunc``/validator regexes (Go's ``^...$``: ``re.fullmatch``), the CustomizeDiff regexes,
botocore's patterns and lengths. The plan judges a name with zeros for the hex; these use real
random hex, a fixed seed and an alphabet with the characters the rules differ on (upper case,
digits first, ``-`` ``_`` ``.`` space ``:`` and a two-byte letter), so a rule that drifts from its
source, or a stage that refuses what the source passes, disagrees on some name.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping

import pytest

from planner.autonames import AutoNameRefused, refuse_too_long_autoname

ALPHABETS = ("abcXYZ019-_. :é", "abcxyz019-", "abcXYZ019-_")
"""Every character the rules differ on, and two narrower ones so that names every rule passes are
common too (a lower-case rule rarely passes a name drawn from the first)."""
LENGTHS = (1, 2, 3, 5, 8, 20, 24, 25, 26, 40, 55, 56, 57, 63, 67, 68, 72, 73, 90)


def _sagemaker_valid_name(name: str) -> bool:
    # sagemaker/validate.go validName
    return re.fullmatch(r"[0-9A-Za-z-]+", name) is not None and len(name) <= 63 and not name.startswith("-")


def _tuning_job(name: str) -> bool:
    # hyper_parameter_tuning_job.go's name validator, then botocore HyperParameterTuningJobName's max 32
    return re.fullmatch(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}", name) is not None and len(name) <= 32


def _mlflow_app(name: str) -> bool:
    # botocore MlflowAppName: pattern [a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}, max 256
    return re.fullmatch(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}", name) is not None and len(name) <= 256


def _param_group(name: str) -> bool:
    # docdb/neptune validate.go validParamGroupName
    return (
        re.fullmatch(r"[0-9a-z-]+", name) is not None
        and re.match(r"[a-z]", name) is not None
        and "--" not in name
        and not name.endswith("-")
        and len(name) <= 255
    )


def _subnet_group(name: str) -> bool:
    # docdb/neptune validate.go validSubnetGroupName
    return re.fullmatch(r"[0-9a-z_ .-]+", name) is not None and len(name) <= 255 and name != "default"


def _redshift_parameter_group(name: str) -> bool:
    return (
        1 <= len(name) <= 255
        and re.fullmatch(r"[0-9a-z-]+", name) is not None
        and re.match(r"(?i)[a-z]", name) is not None
        and "--" not in name
        and not name.endswith("-")
    )


def _redshift_subnet_group(name: str) -> bool:
    return 1 <= len(name) <= 255 and re.fullmatch(r"[0-9a-z-]+", name) is not None and name != "default"


def _efs_creation_token(name: str) -> bool:
    return len(name.encode()) <= 64  # StringLenBetween(0, 64): Go's len, bytes


def _elasticache_parameter_group(name: str) -> bool:
    # ElastiCache User Guide's naming constraints; stored lower-cased, so case is no matter
    return (
        re.match(r"[A-Za-z]", name) is not None
        and re.fullmatch(r"[0-9A-Za-z-]+", name) is not None
        and "--" not in name
        and not name.endswith("-")
        and len(name) <= 255
    )


def _elasticache_subnet_group(name: str) -> bool:
    return re.fullmatch(r"[0-9A-Za-z-]{1,255}", name) is not None  # CreateCacheSubnetGroup's constraint


def _matches(pattern: str) -> Callable[[str], bool]:
    return lambda name: re.fullmatch(pattern, name) is not None


CASES: list[tuple[str, Mapping[str, object], int, str, Callable[[str], bool]]] = [
    ("aws:sagemaker/notebookInstance:NotebookInstance", {}, 255, "", _sagemaker_valid_name),
    (
        "aws:sagemaker/notebookInstanceLifecycleConfiguration:NotebookInstanceLifecycleConfiguration",
        {},
        255,
        "",
        _sagemaker_valid_name,
    ),
    ("aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition", {}, 255, "", _sagemaker_valid_name),
    ("aws:sagemaker/hyperParameterTuningJob:HyperParameterTuningJob", {}, 255, "", _tuning_job),
    ("aws:sagemaker/mlflowApp:MlflowApp", {}, 255, "", _mlflow_app),
    ("aws:docdb/clusterParameterGroup:ClusterParameterGroup", {}, 255, "", _param_group),
    ("aws:neptune/clusterParameterGroup:ClusterParameterGroup", {}, 255, "", _param_group),
    ("aws:neptune/parameterGroup:ParameterGroup", {}, 255, "", _param_group),
    ("aws:docdb/subnetGroup:SubnetGroup", {}, 255, "", _subnet_group),
    ("aws:neptune/subnetGroup:SubnetGroup", {}, 255, "", _subnet_group),
    ("aws:redshift/parameterGroup:ParameterGroup", {}, 255, "", _redshift_parameter_group),
    ("aws:redshift/subnetGroup:SubnetGroup", {}, 255, "", _redshift_subnet_group),
    ("aws:efs/fileSystem:FileSystem", {}, 255, "", _efs_creation_token),
    ("aws:elasticache/parameterGroup:ParameterGroup", {}, 255, "", _elasticache_parameter_group),
    ("aws:elasticache/subnetGroup:SubnetGroup", {}, 255, "", _elasticache_subnet_group),
    # resourceQueueCustomizeDiff / resourceTopicCustomizeDiff; pulumi-aws's 80 before ".fifo"
    ("aws:sqs/queue:Queue", {}, 80, "", _matches(r"[0-9A-Za-z_-]{1,80}")),
    ("aws:sqs/queue:Queue", {"fifoQueue": True}, 80, ".fifo", _matches(r"[0-9A-Za-z_-]{1,75}\.fifo")),
    ("aws:sns/topic:Topic", {}, 80, "", _matches(r"[0-9A-Za-z_-]{1,256}")),
    ("aws:sns/topic:Topic", {"fifoTopic": True}, 80, ".fifo", _matches(r"[0-9A-Za-z_-]{1,251}\.fifo")),
]


@pytest.mark.parametrize(
    ("type_token", "inputs", "maximum", "suffix", "oracle"),
    CASES,
    ids=[f"{token.split(':')[1]}{'-fifo' if suffix else ''}" for token, _, _, suffix, _ in CASES],
)
def test_the_plan_refuses_a_random_auto_name_exactly_when_its_cited_rule_does(
    type_token: str, inputs: Mapping[str, object], maximum: int, suffix: str, oracle: Callable[[str], bool]
) -> None:
    rng = random.Random(f"72:{type_token}:{suffix}")
    passed = refused = 0
    for _ in range(600):
        alphabet = rng.choice(ALPHABETS)
        logical = "".join(rng.choice(alphabet) for _ in range(rng.choice(LENGTHS)))
        made = f"{logical}-{rng.getrandbits(28):07x}{suffix}"
        fits = len(f"{logical}-".encode()) + 7 <= maximum  # pulumi-aws's own maximum, before any suffix
        try:
            refuse_too_long_autoname(type_token, logical, dict(inputs))
        except AutoNameRefused:
            assert not (fits and oracle(made)), f"{logical!r}: the plan refuses {made!r}, its rule passes it"
            refused += 1
        else:
            assert fits and oracle(made), f"{logical!r}: the plan passes {made!r}, its rule refuses it"
            passed += 1
    assert passed >= 30 and refused >= 30, (passed, refused)  # both sides exercised
