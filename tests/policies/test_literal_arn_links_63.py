"""Resources linked by a literal ARN, at preview and after create (session 63).

A stack rule that follows a literal ARN to a resource of the stack compared it only with that
resource's own ``arn``: unknown at preview (the engine sends inputs), so nothing matched and the
rule passed, and after create compared exactly where the service reports the ARN in another case.
Each link now matches at preview by what the literal ARN names (or leaves the verdict undecided),
and compares as the service does:

1. ``pipeline-starts-keep-manual-approval`` and ``endpoint-monitoring-schedule``: a starter
   (Scheduler schedule, EventBridge target, aws-native rule, pipe) naming a SageMaker pipeline by a
   literal ARN, matched by the pipeline name it holds, case-insensitively (SageMaker reports the ARN
   lower-cased); a pipeline whose name is unknown at preview leaves such a starter undecided.
2. ``scale-out-steps-add-capacity``: an alarm running a step scaling policy named by its literal
   ARN (``...:scalingPolicy:<uuid>:resource/<namespace>/<resource id>:policyName/<name>``; the UUID
   is generated), matched before create by namespace, resource id and name, exactly, as Application
   Auto Scaling compares them.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.local import Report, evaluate_report
from policies.registry import get_policy
from tests.policies import engine_shapes
from tests.policies.conftest import build
from tests.policies.test_capture_watchers import pipeline as drift_pipeline
from tests.policies.test_capture_watchers import scheduler, without_model_monitor
from tests.policies.test_policy_alarm_rules import (
    step_stack,
)
from tests.policies.test_policy_job_rules import STACK_CASES, pipeline

STARTS = "pipeline-starts-keep-manual-approval"
ARN = "arn:aws:sagemaker:eu-west-1:111122223333:pipeline/"


def _report(rule: str, specs: list[dict[str, Any]], outputs: bool, resolved: Any = None) -> Report:
    records: Any = build(specs)
    if outputs:
        records = engine_shapes.as_outputs(records, resolved)
    return evaluate_report(records, None, [get_policy(rule)])


# --- 1. SageMaker pipelines named by a literal ARN ----------------------------------------------


def _starter_shape(case_id: str) -> dict[str, Any]:
    """The starter of a test_policy_job_rules case, without its dependency on the pipeline."""
    case = next(c for c in STACK_CASES if c.id == case_id)
    starter = copy.deepcopy(case.values[1][1])
    starter.pop("deps")
    return starter


def _naming(starter: dict[str, Any], arn: str) -> dict[str, Any]:
    inputs = starter["inputs"]
    if "targets" in inputs:
        inputs["targets"][0]["arn"] = arn
    elif isinstance(inputs.get("target"), dict):
        inputs["target"]["arn"] = arn
    elif "target" in inputs:
        inputs["target"] = arn
    else:
        inputs["arn"] = arn
    return starter


STARTERS = [
    "schedule-approves-fails",
    "event-target-approves-fails",
    "aws-native-rule-approves-fails",
    "pipe-approves-fails",
    "aws-native-pipe-approves-fails",
]


def _approval_stack(
    name: str, literal: str, starter: str = "schedule-approves-fails"
) -> list[dict[str, Any]]:
    return [
        {
            "type": "aws:sagemaker/pipeline:Pipeline",
            "name": "churn-pipeline",
            "inputs": {**pipeline(), "pipelineName": name},
        },
        _naming(_starter_shape(starter), ARN + literal),
    ]


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
@pytest.mark.parametrize("starter", STARTERS)
@pytest.mark.parametrize(
    ("name", "literal"),
    [
        pytest.param("churn", "churn", id="same-case"),
        pytest.param("Churn", "Churn", id="mixed-case-as-written"),
        pytest.param("Churn", "churn", id="lower-cased-as-sagemaker-reports"),
        pytest.param("churn", "CHURN", id="upper-cased"),
    ],
)
def test_a_starter_naming_the_pipeline_by_a_literal_arn_is_its_starter(
    outputs: bool, starter: str, name: str, literal: str
) -> None:
    """Passed at preview (the pipeline's ARN unknown) and, for ``Churn``/``Churn`` after create
    (SageMaker reports ``pipeline/churn``), though every run it starts registers ``Approved``."""
    report = _report(STARTS, _approval_stack(name, literal, starter), outputs)
    assert report.undecided == []
    assert [v.message.split(",")[0] for v in report.violations] == [
        "starter starts pipeline 'churn-pipeline' with ModelApprovalStatus='Approved'"
    ]


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
@pytest.mark.parametrize("starter", STARTERS)
def test_a_literal_arn_of_another_pipeline_names_not_this_one(outputs: bool, starter: str) -> None:
    report = _report(STARTS, _approval_stack("churn", "churn-v2", starter), outputs)
    assert report.violations == [] and report.undecided == []


def test_after_create_a_literal_arn_of_another_account_is_another_pipeline() -> None:
    """Once the pipeline's ARN is known it is compared whole (case-insensitively)."""
    stack = _approval_stack("churn", "churn")
    stack[1]["inputs"]["target"]["arn"] = "arn:aws:sagemaker:eu-west-1:444455556666:pipeline/churn"
    report = _report(STARTS, stack, outputs=True)
    assert report.violations == [] and report.undecided == []


def test_a_pipeline_whose_name_is_unknown_at_preview_leaves_a_literal_starter_undecided() -> None:
    stack = _approval_stack(UNKNOWN_STRING_VALUE, "churn")
    report = _report(STARTS, stack, outputs=False)
    assert report.violations == []
    assert [u.policy_name for u in report.undecided] == [STARTS]
    after = _report(STARTS, stack, outputs=True, resolved={"churn-pipeline": {"pipelineName": "Churn"}})
    assert len(after.violations) == 1 and after.undecided == []


def test_a_literal_arn_another_pipeline_of_the_stack_claims_is_not_undecided() -> None:
    """The unknown-named pipeline may be any pipeline but the ones the stack knows by name."""
    stack = [
        *_approval_stack("churn", "churn"),
        {
            "type": "aws:sagemaker/pipeline:Pipeline",
            "name": "other-pipeline",
            "inputs": {**pipeline(), "pipelineName": UNKNOWN_STRING_VALUE},
        },
    ]
    report = _report(STARTS, stack, outputs=False)
    assert report.undecided == []
    assert [v.resource_name for v in report.violations] == ["starter"]


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
@pytest.mark.parametrize(
    ("name", "literal", "expected"),
    [
        pytest.param("churn-live-drift", "churn-live-drift", [], id="same-case"),
        pytest.param("Churn-Live-Drift", "Churn-Live-Drift", [], id="mixed-case-as-written"),
        pytest.param("churn-live-drift", "Churn-Live-Drift", [], id="another-case"),
        pytest.param("churn-live-drift", "churn-live-drift-v2", ["endpoint"], id="another-pipeline"),
    ],
)
def test_a_schedule_naming_the_watcher_by_a_literal_arn_watches(
    outputs: bool, name: str, literal: str, expected: list[str]
) -> None:
    """``endpoint-monitoring-schedule``: the watcher started by a literal ARN counts at preview and
    after create whatever the case the ARN is written in (before: unwatched at preview)."""
    specs = [
        *without_model_monitor(),
        drift_pipeline(pipelineName=name),
        scheduler(linked=False, arn=ARN + literal),
    ]
    report = _report("endpoint-monitoring-schedule", specs, outputs)
    assert report.undecided == []
    assert [v.resource_name for v in report.violations] == expected


# --- 2. step scaling policies named by a literal ARN ---------------------------------------------

STEPS = "scale-out-steps-add-capacity"


def _literal_step_stack(adjustment: float, **policy_inputs: Any) -> list[dict[str, Any]]:
    """:func:`step_stack` with the alarm naming the policy only by the ARN it has after create."""
    stack = step_stack(adjustment)
    stack[0]["inputs"] = {**stack[0]["inputs"], "name": "from-zero", **policy_inputs}
    arn = engine_shapes.as_outputs(build(stack[:1]))[0].inputs["arn"]
    del stack[1]["deps"]
    stack[1]["inputs"]["alarmActions"] = [arn]
    return stack


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
def test_an_alarm_running_a_policy_by_its_literal_arn_runs_it(outputs: bool) -> None:
    """Passed at preview before: the policy's ARN (with its generated UUID) was unknown."""
    report = _report(STEPS, _literal_step_stack(-1), outputs)
    assert report.undecided == []
    assert [v.message.split(":")[0] for v in report.violations] == [
        "step scaling policy 'from-zero' runs when ['backlog'] fire on rising demand, but its "
        "stepAdjustments add ['-1']"
    ]
    assert _report(STEPS, _literal_step_stack(1), outputs).violations == []


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "outputs"])
@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"name": "From-Zero"}, id="another-name-case"),
        pytest.param({"resourceId": "endpoint/churn/variant/secondary"}, id="another-variant"),
    ],
)
def test_an_alarm_running_another_policy_does_not_run_this_one(
    outputs: bool, changes: dict[str, Any]
) -> None:
    """Application Auto Scaling compares a policy's name and resource exactly."""
    stack = _literal_step_stack(-1)
    arn = stack[1]["inputs"]["alarmActions"][0]
    stack[0]["inputs"] = {**stack[0]["inputs"], **changes}
    stack[1]["inputs"]["alarmActions"] = [arn]
    report = _report(STEPS, stack, outputs)
    assert report.violations == [] and report.undecided == []
