"""What the SageMaker hosting and governance rules decide, where a mutation audit found no test holding it.

model-package-group-manual-approval: a RegisterModel step's ModelApprovalStatus computed when the
pipeline runs (a step's output, a property file's value) fails; a parameter defaulting to
PendingManualApproval passes (the bug a mutation of the rule's parameter branch exposed).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from policies.local import Report, evaluate_report
from policies.registry import get_policy
from tests.policies.conftest import build

APPROVAL = "model-package-group-manual-approval"
PIPELINE = "aws:sagemaker/pipeline:Pipeline"


def report_of(rule: str, specs: list[dict[str, Any]], cfg: dict[str, Any] | None = None) -> Report:
    return evaluate_report(build(specs), {rule: cfg} if cfg else None, [get_policy(rule)])


def messages(
    rule: str, resource_type: str, inputs: dict[str, Any], cfg: dict[str, Any] | None = None
) -> list[str]:
    """The rule's messages on one resource, decided (no unknown read)."""
    report = report_of(rule, [{"type": resource_type, "name": "subject", "inputs": inputs}], cfg)
    assert report.undecided == []
    return [v.message for v in report.violations]


# --- model approval ------------------------------------------------------------------------------


def registering(status: Any) -> dict[str, Any]:
    definition = {
        "Version": "2020-12-01",
        "Parameters": [{"Name": "Status", "Type": "String", "DefaultValue": "PendingManualApproval"}],
        "Steps": [
            {
                "Name": "Decide",
                "Type": "Lambda",
                "Arguments": {},
                "FunctionArn": "arn:aws:lambda:eu-west-1:1:function:d",
            },
            {
                "Name": "Register",
                "Type": "RegisterModel",
                "Arguments": {"ModelPackageGroupName": "churn", "ModelApprovalStatus": status},
            },
        ],
    }
    return {
        "pipelineName": "churn",
        "roleArn": "arn:aws:iam::1:role/p",
        "pipelineDefinition": json.dumps(definition),
    }


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ({"Get": "Parameters.Status"}, []),
        (
            {"Get": "Steps.Decide.OutputParameters['status']"},
            [
                "Steps[Register].Arguments.ModelApprovalStatus is computed when the pipeline runs "
                "({'Get': \"Steps.Decide.OutputParameters['status']\"}): set it to 'PendingManualApproval' "
                "(or to a parameter defaulting to it) and approve after review."
            ],
        ),
        (
            {
                "Std:JsonGet": {
                    "PropertyFile": {"Get": "Steps.Evaluate.PropertyFiles.Report"},
                    "Path": "status",
                }
            },
            [
                "Steps[Register].Arguments.ModelApprovalStatus is computed when the pipeline runs "
                "({'Std:JsonGet': {'PropertyFile': {'Get': 'Steps.Evaluate.PropertyFiles.Report'}, 'Path': "
                "'status'}}): set it to 'PendingManualApproval' (or to a parameter defaulting to it) and "
                "approve after review."
            ],
        ),
    ],
    ids=["parameter-defaulting-to-pending-passes", "a-steps-output-fails", "a-json-get-fails"],
)
def test_an_approval_status_decided_when_the_pipeline_runs_fails(status, expected) -> None:
    """A Lambda or a property file deciding ``Approved`` is auto-approval, whatever the definition says."""
    assert messages(APPROVAL, PIPELINE, registering(status)) == expected
    assert messages(APPROVAL, PIPELINE, registering(status), {"requireManualApproval": False}) == []
