"""``endpoint-monitoring-schedule`` counts a scheduled pipeline over an endpoint's data capture as its
watcher (Model Monitor is closed to new customers; ``monitoring.evidently``'s live-drift pipeline
is the platform's). Over hand-built graphs: the production endpoint of
test_policy_prod_stack_rules without its Model Monitor schedule, and one pipeline that must be the
endpoint's, run on a schedule, and read the endpoint's capture, each piece bent in turn."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.local import Report, evaluate_report
from policies.registry import get_policy
from tests.policies.conftest import build
from tests.policies.test_policy_prod_stack_rules import capture, prod_graph

RULE = "endpoint-monitoring-schedule"
PIPELINE = "aws:sagemaker/pipeline:Pipeline"
PIPELINE_ARN = "arn:aws:sagemaker:eu-west-1:111122223333:pipeline/churn-live-drift"
DESTINATION = "s3://capture/churn"
"""The base endpoint configuration's ``dataCaptureConfig.destinationS3Uri``."""


def definition(*arguments: str) -> str:
    return json.dumps(
        {
            "Version": "2020-12-01",
            "Parameters": [],
            "Steps": [
                {
                    "Name": "ListCapture",
                    "Type": "Processing",
                    "Arguments": {"AppSpecification": {"ContainerArguments": list(arguments)}},
                }
            ],
        }
    )


READS_CAPTURE = definition("--capture-uri", f"{DESTINATION}/", "--endpoint-name", "churn")


def pipeline(
    body: Any = READS_CAPTURE, *, linked: bool = True, arn: str | None = None, **inputs: Any
) -> dict[str, Any]:
    return {
        "type": PIPELINE,
        "name": "drift",
        "deps": {"pipelineDefinition": ["endpoint"]} if linked else {},
        "inputs": {
            "pipelineName": "churn-live-drift",
            "pipelineDefinition": body,
            **({"arn": arn} if arn else {}),
            **inputs,
        },
    }


def scheduler(
    *, linked: bool = True, state: Any = None, arn: str = PIPELINE_ARN, name: str = "start", **inputs: Any
) -> dict[str, Any]:
    return {
        "type": "aws:scheduler/schedule:Schedule",
        "name": name,
        "deps": {"target": ["drift"]} if linked else {},
        "inputs": {
            "scheduleExpression": "cron(0 * ? * * *)",
            "flexibleTimeWindow": {"mode": "OFF"},
            "target": {"arn": arn, "roleArn": "arn:aws:iam::111122223333:role/starter"},
            **({"state": state} if state is not None else {}),
            **inputs,
        },
    }


def starting_through(target: dict[str, Any]) -> dict[str, Any]:
    """A schedule that depends on the pipeline but whose target is ``target``."""
    schedule = scheduler()
    schedule["inputs"]["target"] = {"roleArn": "arn:aws:iam::111122223333:role/starter", **target}
    return schedule


def event_rule(**inputs: Any) -> list[dict[str, Any]]:
    """An EventBridge rule and its target, the pipeline."""
    return [
        {
            "type": "aws:cloudwatch/eventRule:EventRule",
            "name": "rule",
            "inputs": {"name": "churn-drift", **inputs},
        },
        {
            "type": "aws:cloudwatch/eventTarget:EventTarget",
            "name": "rule-target",
            "deps": {"rule": ["rule"], "arn": ["drift"]},
            "inputs": {"rule": "churn-drift", "arn": PIPELINE_ARN},
        },
    ]


def without_model_monitor(**inputs: Any) -> list[dict[str, Any]]:
    return prod_graph(drop=("dq", "schedule"), **inputs)


def report_of(specs: list[dict[str, Any]]) -> Report:
    return evaluate_report(build(specs), None, [get_policy(RULE)])


def verdict(specs: list[dict[str, Any]]) -> str:
    report = report_of(specs)
    if report.undecided:
        assert report.violations == []
        return "undecided"
    assert len(report.violations) <= 1
    return "watched" if not report.violations else "unwatched"


CASES = [
    pytest.param([pipeline(), scheduler()], "watched", id="live-drift-shape"),
    pytest.param([scheduler(), pipeline()], "watched", id="schedule-first-in-the-stack"),
    pytest.param([pipeline(linked=False), scheduler()], "watched", id="names-the-endpoint-literally"),
    pytest.param(
        [pipeline(definition("--capture-uri", f"{DESTINATION}/"), linked=False), scheduler()],
        "unwatched",
        id="neither-depends-on-nor-names-the-endpoint",
    ),
    pytest.param(
        [pipeline(arn=PIPELINE_ARN), scheduler(linked=False)],
        "watched",
        id="schedule-targets-its-literal-arn",
    ),
    pytest.param([pipeline()], "unwatched", id="never-started"),
    pytest.param(
        [pipeline(arn=PIPELINE_ARN), scheduler(linked=False, arn=PIPELINE_ARN + "-other")],
        "unwatched",
        id="schedule-starts-another-pipeline",
    ),
    pytest.param([pipeline(), scheduler(state="DISABLED")], "unwatched", id="schedule-disabled"),
    pytest.param([pipeline(), scheduler(state="ENABLED")], "watched", id="schedule-enabled"),
    pytest.param(
        [pipeline(definition("--endpoint-name", "churn", "--bucket", "capture")), scheduler()],
        "unwatched",
        id="reads-no-capture",
    ),
    pytest.param(
        [
            pipeline(definition("--capture-uri", "s3://capture/churn2/", "--endpoint-name", "churn")),
            scheduler(),
        ],
        "unwatched",
        id="reads-a-destination-that-only-starts-alike",
    ),
    pytest.param(
        [pipeline(definition("--capture-uri", "s3://capture/", "--endpoint-name", "churn")), scheduler()],
        "unwatched",
        id="reads-above-the-destination",
    ),
    pytest.param(
        [pipeline(definition("--input", f"{DESTINATION}/churn/AllTraffic/")), scheduler()],
        "watched",
        id="reads-below-the-destination",
    ),
    pytest.param(
        [pipeline(definition("--capture-uri", DESTINATION, "--endpoint-name", "churn")), scheduler()],
        "watched",
        id="reads-the-destination-for-the-endpoint",
    ),
    pytest.param(
        [pipeline(definition("--capture-uri", DESTINATION)), scheduler()],
        "unwatched",
        id="reads-the-destination-for-no-endpoint-it-names",
    ),
    pytest.param(
        [pipeline(definition("--capture-uri", f"{DESTINATION}/", "--endpoint-name", "other")), scheduler()],
        "unwatched",
        id="lists-another-endpoints-files-under-a-shared-destination",
    ),
    pytest.param(
        [
            pipeline(definition("--output", f"{DESTINATION}/reports/", "--endpoint-name", "churn")),
            scheduler(),
        ],
        "unwatched",
        id="writes-a-report-below-the-destination",
    ),
    pytest.param(
        [
            pipeline(definition("--input", "https://capture.s3.eu-west-1.amazonaws.com/churn/churn/")),
            scheduler(),
        ],
        "watched",
        id="reads-an-https-url-of-the-capture",
    ),
    pytest.param(
        [pipeline(definition("--input", "s3://other-bucket/churn/churn/")), scheduler()],
        "unwatched",
        id="reads-the-same-key-in-another-bucket",
    ),
    pytest.param(
        [pipeline(), scheduler(scheduleExpression="at(2024-01-01T00:00:00)")],
        "unwatched",
        id="one-time-schedule",
    ),
    pytest.param([pipeline(), scheduler(scheduleExpression="rate(6 hours)")], "watched", id="rate-schedule"),
    pytest.param(
        [pipeline(), scheduler(endDate="2030-01-01T00:00:00Z")],
        "unwatched",
        id="schedule-that-ends-on-a-date",
    ),
    pytest.param(
        [
            pipeline(),
            starting_through(
                {"arn": "arn:aws:lambda:eu-west-1:111122223333:function:notify", "input": PIPELINE_ARN}
            ),
        ],
        "unwatched",
        id="schedule-starts-a-function-given-the-pipelines-arn",
    ),
    pytest.param(
        [
            pipeline(),
            starting_through(
                {
                    "arn": "arn:aws:scheduler:::aws-sdk:sagemaker:deletePipeline",
                    "input": json.dumps({"PipelineName": "churn-live-drift"}),
                }
            ),
        ],
        "unwatched",
        id="schedule-calls-another-api-on-the-pipeline",
    ),
    pytest.param(
        [
            pipeline(),
            starting_through({"arn": PIPELINE_ARN.upper().replace("ARN:AWS:SAGEMAKER", "arn:aws:sagemaker")}),
        ],
        "watched",
        id="pipeline-arn-in-another-case",
    ),
    pytest.param(
        [pipeline(), scheduler(state=UNKNOWN_STRING_VALUE), scheduler(name="start-2")],
        "watched",
        id="an-unknown-schedule-beside-an-enabled-one",
    ),
    pytest.param([pipeline("not json"), scheduler()], "unwatched", id="definition-not-json"),
    pytest.param(
        [
            {
                "type": "aws-native:sagemaker:Pipeline",
                "name": "drift",
                "deps": {"pipelineDefinition": ["endpoint"]},
                "inputs": {
                    "pipelineName": "churn-live-drift",
                    "pipelineDefinition": {"pipelineDefinitionBody": READS_CAPTURE},
                },
            },
            scheduler(),
        ],
        "watched",
        id="aws-native-pipeline",
    ),
    pytest.param(
        [
            {
                "type": "aws-native:sagemaker:Pipeline",
                "name": "drift",
                "deps": {"pipelineDefinition": ["endpoint"]},
                "inputs": {
                    "pipelineDefinition": {
                        "pipelineDefinitionS3Location": {"bucket": "capture", "key": "churn/definition.json"}
                    }
                },
            },
            scheduler(),
        ],
        "unwatched",
        id="definition-only-in-s3-cannot-be-read",
    ),
    pytest.param(
        [pipeline(), *event_rule(scheduleExpression="rate(1 hour)")],
        "watched",
        id="scheduled-eventbridge-rule",
    ),
    pytest.param(
        [pipeline(), *event_rule(eventPattern='{"source": ["aws.sagemaker"]}')],
        "unwatched",
        id="eventbridge-rule-without-a-schedule",
    ),
    pytest.param(
        [pipeline(), *event_rule(scheduleExpression="rate(1 hour)", state="DISABLED")],
        "unwatched",
        id="eventbridge-rule-disabled",
    ),
    pytest.param(
        [pipeline(), *event_rule(scheduleExpression="cron(0 12 * * ? *)", state="ENABLED")],
        "watched",
        id="eventbridge-rule-on-a-cron",
    ),
    pytest.param(
        [pipeline(), *event_rule(scheduleExpression="rate(1 hour)", isEnabled=False)],
        "unwatched",
        id="eventbridge-rule-disabled-the-deprecated-way",
    ),
    pytest.param(
        [
            pipeline(),
            {
                "type": "aws-native:events:Rule",
                "name": "rule",
                "deps": {"targets": ["drift"]},
                "inputs": {
                    "scheduleExpression": "rate(1 hour)",
                    "targets": [{"id": "drift", "arn": PIPELINE_ARN}],
                },
            },
        ],
        "watched",
        id="aws-native-scheduled-rule",
    ),
    pytest.param(
        [pipeline(UNKNOWN_STRING_VALUE), scheduler()], "undecided", id="definition-unknown-at-preview"
    ),
    pytest.param(
        [pipeline(), scheduler(state=UNKNOWN_STRING_VALUE)], "undecided", id="state-unknown-at-preview"
    ),
    pytest.param(
        [pipeline(UNKNOWN_STRING_VALUE, linked=False), scheduler()],
        "unwatched",
        id="an-unknown-definition-names-nothing",
    ),
]


@pytest.mark.parametrize(("added", "expected"), CASES)
def test_a_pipeline_watches_an_endpoint_only_when_it_is_its_own_runs_on_a_schedule_and_reads_its_capture(
    added: list[dict[str, Any]], expected: str
) -> None:
    assert verdict([*without_model_monitor(), *added]) == expected


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param(capture(enableCapture=False), "unwatched", id="capture-disabled"),
        pytest.param(capture(enableCapture=None), "unwatched", id="capture-unset-is-off-in-pulumi-aws"),
        pytest.param({"dataCaptureConfig": None}, "unwatched", id="no-capture"),
        pytest.param(capture(destinationS3Uri=UNKNOWN_STRING_VALUE), "undecided", id="destination-unknown"),
        pytest.param(
            capture(destinationS3Uri=f"{DESTINATION}/"), "watched", id="destination-ending-in-slash"
        ),
        pytest.param(capture(initialSamplingPercentage=0), "unwatched", id="sampling-nothing"),
        pytest.param(
            capture(captureOptions=[{"captureMode": "Output"}]), "unwatched", id="capturing-responses-only"
        ),
        pytest.param(
            capture(captureOptions=[{"captureMode": "InputAndOutput"}]),
            "watched",
            id="capturing-both-in-one-option",
        ),
        pytest.param(
            capture(destinationS3Uri="https://capture.s3.amazonaws.com/churn"),
            "watched",
            id="https-destination",
        ),
        pytest.param(
            capture(destinationS3Uri="https://s3.eu-west-1.amazonaws.com/capture/churn/"),
            "watched",
            id="path-style-https-destination",
        ),
        pytest.param(
            capture(destinationS3Uri="s3://elsewhere/churn"), "unwatched", id="capturing-to-another-bucket"
        ),
    ],
)
def test_a_pipeline_cannot_watch_traffic_the_endpoint_does_not_capture(changes, expected) -> None:
    specs = without_model_monitor(config=changes)
    for spec in specs:
        if spec["name"] == "config" and "dataCaptureConfig" in spec["inputs"]:  # an unset key is absent
            spec["inputs"]["dataCaptureConfig"] = {
                k: v for k, v in spec["inputs"]["dataCaptureConfig"].items() if v is not None
            }

    assert verdict([*specs, pipeline(), scheduler()]) == expected


def test_a_pipeline_watches_only_the_endpoint_whose_capture_it_reads() -> None:
    """Two endpoints capturing to one destination (SageMaker adds each endpoint's name below it):
    the pipeline that depends on one of them watches that one."""
    specs = without_model_monitor()
    other_config = {**next(s for s in specs if s["name"] == "config"), "name": "config-b"}
    other_config["inputs"] = {**other_config["inputs"], "name": "churn-b-config"}
    other = {**next(s for s in specs if s["name"] == "endpoint"), "name": "endpoint-b"}
    other["inputs"] = {**other["inputs"], "name": "churn-b", "endpointConfigName": "churn-b-config"}
    other["deps"] = {**other["deps"], "endpointConfigName": ["config-b"]}

    report = report_of([*specs, other_config, other, pipeline(), scheduler()])

    assert [v.message.split(" has no")[0] for v in report.violations] == ["endpoint 'endpoint-b'"]


def test_an_unwatched_endpoint_is_told_both_ways_to_be_watched() -> None:
    [violation] = report_of(without_model_monitor()).violations

    assert "MonitoringSchedule" in violation.message
    assert (
        "scheduled pipeline that takes the endpoint's name Output and reads its data capture"
        in violation.message
    )
