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
from policies.rules._capture_watchers import recurring, s3_location
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


READS_CAPTURE = definition("--capture-uri", f"{DESTINATION}/churn/")
"""As the platform's ListCapture is given it: ``<destination>/<endpoint name>/``."""


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


def with_a_second_endpoint(specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``specs`` and a copy of their endpoint and its configuration, ``churn-b``, capturing to the
    same destination (SageMaker writes each endpoint's files below it under the endpoint's name)."""
    config = next(spec for spec in specs if spec["name"] == "config")
    endpoint = next(spec for spec in specs if spec["name"] == "endpoint")
    return [
        *specs,
        {**config, "name": "config-b", "inputs": {**config["inputs"], "name": "churn-b-config"}},
        {
            **endpoint,
            "name": "endpoint-b",
            "inputs": {**endpoint["inputs"], "name": "churn-b", "endpointConfigName": "churn-b-config"},
            "deps": {**endpoint["deps"], "endpointConfigName": ["config-b"]},
        },
    ]


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
    pytest.param(
        [
            pipeline(
                definition("--capture-uri", f"{DESTINATION}/churn/", "--endpoint", "churn"), linked=False
            ),
            scheduler(),
        ],
        "watched",
        id="names-the-endpoint-literally",
    ),
    pytest.param(
        [pipeline(linked=False), scheduler()],
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
            pipeline(definition("--capture-uri", "s3://capture/churn2/churn/")),
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
        "unwatched",
        id="the-destination-beside-the-endpoints-name-is-every-endpoints",
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
    pytest.param(
        [pipeline(), scheduler(scheduleExpression="cron(0 12 1 1 ? 2027)")],
        "unwatched",
        id="cron-of-one-year",
    ),
    pytest.param(
        [pipeline(), scheduler(scheduleExpression="cron(0 * * * ? 2020-2030)")],
        "unwatched",
        id="cron-of-some-years",
    ),
    pytest.param(
        [pipeline(), *event_rule(scheduleExpression="cron(0 12 1 1 ? 2027)")],
        "unwatched",
        id="rule-cron-of-one-year",
    ),
    pytest.param(
        [pipeline(), scheduler(scheduleExpression="cron(0 * * *)")], "unwatched", id="cron-missing-fields"
    ),
    pytest.param(
        [pipeline(), scheduler(startDate="2099-01-01T00:00:00Z")],
        "unwatched",
        id="schedule-that-starts-later",
    ),
    pytest.param(
        [pipeline(), scheduler(startDate="2020-01-01T00:00:00Z")], "watched", id="schedule-that-started"
    ),
    pytest.param(
        [pipeline(definition(f"--capture-uri={DESTINATION}/churn/")), scheduler()],
        "watched",
        id="flag-equals-value",
    ),
    pytest.param(
        [pipeline(definition("--input", "https://capture.s3.amazonaws.com/churn/%63hurn/")), scheduler()],
        "watched",
        id="percent-encoded-https-url",
    ),
    pytest.param(
        [pipeline(definition("--input", f"{DESTINATION}/churn?x/churn/")), scheduler()],
        "unwatched",
        id="a-question-mark-is-part-of-an-s3-key",
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
    specs = with_a_second_endpoint(without_model_monitor())

    report = report_of([*specs, pipeline(), scheduler()])

    assert [v.message.split(" has no")[0] for v in report.violations] == ["endpoint 'endpoint-b'"]


def test_an_unwatched_endpoint_is_told_both_ways_to_be_watched() -> None:
    [violation] = report_of(without_model_monitor()).violations

    assert "MonitoringSchedule" in violation.message
    assert (
        "scheduled pipeline that takes the endpoint's name Output and reads its data capture"
        in violation.message
    )


def _reading_through_a_parameter(default: str) -> str:
    """A definition whose ListCapture reads the location a ``CaptureUri`` parameter holds."""
    return json.dumps(
        {
            "Version": "2020-12-01",
            "Parameters": [{"Name": "CaptureUri", "Type": "String", "DefaultValue": default}],
            "Steps": [
                {
                    "Name": "ListCapture",
                    "Type": "Processing",
                    "Arguments": {
                        "AppSpecification": {
                            "ContainerArguments": ["--capture-uri", {"Get": "Parameters.CaptureUri"}]
                        }
                    },
                }
            ],
        }
    )


def _with_parameters(schedule: dict[str, Any], **parameters: str) -> dict[str, Any]:
    schedule["inputs"]["target"]["sagemakerPipelineParameters"] = {
        "pipelineParameters": [{"name": name, "value": value} for name, value in parameters.items()]
    }
    return schedule


@pytest.mark.parametrize(
    ("default", "given", "expected"),
    [
        pytest.param(f"{DESTINATION}/churn/", None, "watched", id="the-default-reads-the-capture"),
        pytest.param(
            f"{DESTINATION}/churn/",
            "s3://elsewhere/nothing/",
            "unwatched",
            id="the-schedule-points-elsewhere",
        ),
        pytest.param(
            "s3://elsewhere/nothing/", f"{DESTINATION}/churn/", "watched", id="the-schedule-gives-the-capture"
        ),
    ],
)
def test_a_run_reads_what_its_schedules_parameters_say(
    default: str, given: str | None, expected: str
) -> None:
    schedule = scheduler() if given is None else _with_parameters(scheduler(), CaptureUri=given)

    assert (
        verdict([*without_model_monitor(), pipeline(_reading_through_a_parameter(default)), schedule])
        == expected
    )


def test_a_jobs_own_output_location_is_a_write_not_a_read() -> None:
    body = json.dumps(
        {
            "Version": "2020-12-01",
            "Steps": [
                {
                    "Name": "Report",
                    "Type": "Processing",
                    "Arguments": {
                        "ProcessingOutputConfig": {
                            "Outputs": [
                                {
                                    "OutputName": "report",
                                    "S3Output": {"S3Uri": f"{DESTINATION}/churn/reports/"},
                                }
                            ]
                        }
                    },
                }
            ],
        }
    )

    assert verdict([*without_model_monitor(), pipeline(body), scheduler()]) == "unwatched"


def test_naming_another_endpoint_does_not_watch_it() -> None:
    """Two endpoints capture to one destination; the pipeline reads the first one's files and only
    mentions the second's name."""
    specs = with_a_second_endpoint(without_model_monitor())
    body = definition("--capture-uri", f"{DESTINATION}/churn/", "--compare-with", "churn-b")

    report = report_of([*specs, pipeline(body), scheduler()])

    assert [v.message.split(" has no")[0] for v in report.violations] == ["endpoint 'endpoint-b'"]


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("s3://capture/churn/x", ("capture", "churn/x")),
        ("s3://capture/churn?x/y#z", ("capture", "churn?x/y#z")),
        ("s3://capture", ("capture", "")),
        ("https://capture.s3.dualstack.eu-west-1.amazonaws.com/churn/x", ("capture", "churn/x")),
        ("https://s3.dualstack.eu-west-1.amazonaws.com/capture/churn/x", ("capture", "churn/x")),
        ("https://capture.s3-fips.us-east-1.amazonaws.com/churn/x", ("capture", "churn/x")),
        ("https://my.s3.data.s3.eu-west-1.amazonaws.com/churn/x", ("my.s3.data", "churn/x")),
        ("https://capture.s3.cn-north-1.amazonaws.com.cn/churn/x", ("capture", "churn/x")),
        ("https://capture.s3.amazonaws.com:443/churn/%78", ("capture", "churn/x")),
        ("https://capture.s3.amazonaws.com.evil.com/churn/x", None),
        ("http://capture.s3.amazonaws.com/churn/x", None),
        ("s3:///churn/x", None),
        ("churn/x", None),
    ],
)
def test_s3_locations_are_read_from_every_url_form(uri: str, expected: tuple[str, str] | None) -> None:
    assert s3_location(uri) == expected


def _steps_definition(parameters: list[dict[str, Any]], steps: list[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2020-12-01", "Parameters": parameters, "Steps": steps})


def _listing(*arguments: Any) -> dict[str, Any]:
    return {
        "Name": "ListCapture",
        "Type": "Processing",
        "Arguments": {"AppSpecification": {"ContainerArguments": list(arguments)}},
    }


REPORT_URI = {"Name": "ReportUri", "Type": "String", "DefaultValue": f"{DESTINATION}/churn/reports/"}
WRITES_THROUGH_A_PARAMETER = {
    "Name": "Report",
    "Type": "Processing",
    "Arguments": {
        "ProcessingOutputConfig": {
            "Outputs": [{"OutputName": "report", "S3Output": {"S3Uri": {"Get": "Parameters.ReportUri"}}}]
        }
    },
}


@pytest.mark.parametrize(
    ("body", "schedule", "expected"),
    [
        pytest.param(
            _steps_definition([REPORT_URI], [WRITES_THROUGH_A_PARAMETER]),
            scheduler(),
            "unwatched",
            id="an-output-location-held-by-a-parameter-is-a-write",
        ),
        pytest.param(
            _steps_definition(
                [{**REPORT_URI, "DefaultValue": "s3://elsewhere/x/"}], [WRITES_THROUGH_A_PARAMETER]
            ),
            _with_parameters(scheduler(), ReportUri=f"{DESTINATION}/churn/reports/"),
            "unwatched",
            id="an-output-location-a-schedule-gives-is-a-write",
        ),
        pytest.param(
            _reading_through_a_parameter("s3://elsewhere/nothing/"),
            _with_parameters(scheduler(), Stray=f"{DESTINATION}/churn/"),
            "unwatched",
            id="a-parameter-the-definition-does-not-declare-is-read-by-nothing",
        ),
        pytest.param(
            _steps_definition(
                [{"Name": "Endpoint", "Type": "String", "DefaultValue": "churn"}],
                [
                    _listing(
                        "--capture-uri",
                        {
                            "Std:Join": {
                                "On": "",
                                "Values": [f"{DESTINATION}/", {"Get": "Parameters.Endpoint"}, "/"],
                            }
                        },
                    )
                ],
            ),
            scheduler(),
            "watched",
            id="a-join-of-the-destination-and-a-parameter",
        ),
        pytest.param(
            _steps_definition(
                [{"Name": "Endpoint", "Type": "String"}],
                [
                    _listing(
                        {"Std:Join": {"On": "/", "Values": [DESTINATION, {"Get": "Parameters.Endpoint"}]}}
                    )
                ],
            ),
            scheduler(),
            "unwatched",
            id="a-join-of-a-parameter-without-a-value",
        ),
        pytest.param(
            _reading_through_a_parameter(f"--capture-uri={DESTINATION}/churn/"),
            scheduler(),
            "watched",
            id="a-parameter-holding-a-flag-and-its-value",
        ),
    ],
)
def test_a_runs_values_follow_its_parameters(body: str, schedule: dict[str, Any], expected: str) -> None:
    assert verdict([*without_model_monitor(), pipeline(body), schedule]) == expected


def test_every_target_of_a_rule_that_starts_the_pipeline_is_a_run() -> None:
    """The first target gives the pipeline a location elsewhere; the second runs it as defined."""
    rule = {
        "type": "aws-native:events:Rule",
        "name": "rule",
        "deps": {"targets": ["drift"]},
        "inputs": {
            "scheduleExpression": "rate(1 hour)",
            "targets": [
                {
                    "id": "a",
                    "arn": PIPELINE_ARN,
                    "sageMakerPipelineParameters": {
                        "pipelineParameterList": [{"name": "CaptureUri", "value": "s3://elsewhere/nothing/"}]
                    },
                },
                {"id": "b", "arn": PIPELINE_ARN},
            ],
        },
    }

    assert verdict(
        [*without_model_monitor(), pipeline(_reading_through_a_parameter(f"{DESTINATION}/churn/")), rule]
    ) == ("watched")


@pytest.mark.parametrize(
    ("expression", "every_year"),
    [
        ("cron(0 * ? * * *)", True),
        ("cron(0 * ? * * */1)", True),
        ("cron(0 * ? * * 2026-2199)", True),
        ("cron(0 * ? * * 2026,*)", True),
        ("  cron( 0  *  ?  *  *  * )  ", True),
        ("rate(1 minute)", True),
        ("cron(0 * ? * * 2026-2030)", False),
        ("cron(0 12 1 1 ? 2027)", False),
        ("cron(0 * * *)", False),
        ("at(2027-01-01T00:00:00)", False),
        ("CRON(0 * ? * * *)", False),
    ],
)
def test_a_recurring_expression_runs_every_year(expression: str, every_year: bool) -> None:
    assert recurring(expression) is every_year
