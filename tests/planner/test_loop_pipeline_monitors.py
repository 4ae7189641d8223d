"""The loop diagram's pipelines that watch: a live-drift pipeline (``monitoring.evidently``) is a
monitor of the endpoints whose capture it reads, not a training pipeline, and an alarm on a metric a
pipeline puts (an Evidently drift share) is that pipeline's alarm, whatever it then starts."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from planner.loop_diagram import LIVE_DRIFT, derive_loop, node_id, render
from planner.recorder import ResourceGraph, record_program
from stacks.config import CONFIG_KEY
from tests.conftest import load_stack_document
from tests.recorded import recorded_stack
from tests.stacks.test_live_drift import live_drift_instead_of_model_monitor
from tests.yaml_text import dump_document

MONITOR, ALARMS = f"monitor:{LIVE_DRIFT}", f"alarms:{LIVE_DRIFT}"
TRAINING_PIPELINE = "mlops:training:TrainingPipeline"


@pytest.fixture(scope="module")
def live_drift(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    document = load_stack_document("prod")
    live_drift_instead_of_model_monitor(document["config"][CONFIG_KEY])
    path = tmp_path_factory.mktemp("loop-live-drift") / "Pulumi.prod.yaml"
    path.write_text(dump_document(document))
    return recorded_stack(path)


def _solid(loop: Any) -> set[tuple[str, str]]:
    return {pair for pair, edge in loop.edges.items() if not edge.dotted}


def test_live_drift_closes_the_loop_from_capture_to_retraining(live_drift) -> None:
    loop = derive_loop(live_drift)
    solid = _solid(loop)

    for pair in [
        ("endpoint", "capture"),
        ("capture", MONITOR),
        (MONITOR, ALARMS),
        (ALARMS, "retrain_rule"),
        (ALARMS, "alert_topic"),
    ]:
        assert pair in solid, pair
    assert loop.edges[(MONITOR, "failure_rules")].dotted, "a failed run pages"
    assert not any(role.startswith("monitor:") and role != MONITOR for role in loop.members), (
        "no Model Monitor"
    )
    nodes = render(loop)
    assert f'{node_id(MONITOR)}["live-drift pipeline"]' in nodes
    assert f'{node_id(ALARMS)}["live-drift alarm"]' in nodes


def test_a_live_drift_pipeline_is_not_counted_as_a_training_pipeline(live_drift) -> None:
    loop = derive_loop(live_drift)
    pipelines = {r.urn: r for r in live_drift.of_type("aws:sagemaker/pipeline:Pipeline")}
    live = [r for r in live_drift.resources if r.type == "mlops:observability:LiveDrift"]
    trained = [r for r in live_drift.resources if r.type == TRAINING_PIPELINE]

    assert len(loop.members[MONITOR]) == len(live) == 1
    assert all(pipelines[urn].parent == live[0].urn for urn in loop.members[MONITOR])
    assert len(loop.members["pipeline"]) == len(trained)
    assert all(pipelines[urn].parent in {t.urn for t in trained} for urn in loop.members["pipeline"])


def test_the_evidently_alarms_of_training_and_batch_scoring_are_their_pipelines(stack_graphs) -> None:
    """The prod fixture's family reports training-data and batch-scoring drift with Evidently: each
    alarm is drawn from the pipeline that puts its metric; the batch-scoring one retrains."""
    graph = stack_graphs["prod"]
    loop = derive_loop(graph)
    alarms = {r.urn: r for r in graph.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}

    names = sorted(alarms[urn].inputs["name"] for urn in loop.members["pipeline_alarms"])
    assert names and all(name.endswith("-evidently-drift") for name in names)
    assert {("pipeline", "pipeline_alarms"), ("batch_scoring", "pipeline_alarms")} <= _solid(loop)
    assert ("pipeline_alarms", "retrain_rule") in _solid(loop)


def _watching_program(
    capture_read: str,
    *,
    alarm_dimension: str = "endpoint-churn",
    extra_steps: tuple[dict[str, Any], ...] = (),
    capture: dict[str, Any] | None = None,
) -> None:
    """An endpoint capturing to s3://capture/churn/ (settings overridden by ``capture``), a pipeline
    that takes the endpoint's name and reads ``capture_read``, and an alarm on a metric with
    ``Pipeline=<alarm_dimension>``."""
    config = aws.sagemaker.EndpointConfiguration(
        "config",
        name="churn-config",
        production_variants=[{"variant_name": "primary", "model_name": "m", "instance_type": "ml.m5.large"}],
        data_capture_config={
            "enable_capture": True,
            "initial_sampling_percentage": 100,
            "destination_s3_uri": "s3://capture/churn/",
            "capture_options": [{"capture_mode": "Input"}],
            **(capture or {}),
        },
    )
    endpoint = aws.sagemaker.Endpoint("endpoint", name="churn", endpoint_config_name=config.name)

    def definition(endpoint_name: str) -> str:
        arguments = ["--capture-uri", capture_read, "--endpoint-name", endpoint_name]
        publish = ["--namespace", "Team/Drift", "--dimension", "Pipeline=endpoint-churn", "--metric", "Share"]
        return json.dumps(
            {
                "Version": "2020-12-01",
                "Steps": [
                    {
                        "Name": "List",
                        "Type": "Processing",
                        "Arguments": {"AppSpecification": {"ContainerArguments": arguments}},
                    },
                    {
                        "Name": "Publish",
                        "Type": "Processing",
                        "Arguments": {"AppSpecification": {"ContainerArguments": publish}},
                    },
                    *extra_steps,
                ],
            }
        )

    aws.sagemaker.Pipeline(
        "watcher",
        pipeline_name="churn-watch",
        pipeline_display_name="churn-watch",
        role_arn="arn:aws:iam::123456789012:role/p",
        pipeline_definition=endpoint.name.apply(definition),
    )
    topic = aws.sns.Topic("alerts")
    aws.cloudwatch.MetricAlarm(
        "share",
        name="churn-share",
        namespace="Team/Drift",
        metric_name="Share",
        dimensions={"Pipeline": alarm_dimension},
        statistic="Maximum",
        period=3600,
        evaluation_periods=1,
        threshold=0.3,
        comparison_operator="GreaterThanThreshold",
        alarm_actions=[topic.arn],
    )
    pulumi.export("endpoint", endpoint.name)


@pytest.mark.parametrize(
    ("capture_read", "watching"),
    [
        ("s3://capture/churn/churn/", True),
        ("s3://capture/churn/churn/primary/", True),
        ("s3://capture/churn/", False),
        ("s3://capture/churn2/churn/", False),
        ("s3://capture/", False),
    ],
    ids=[
        "the-endpoints-capture",
        "below-it",
        "the-destination-of-every-endpoint",
        "a-destination-that-only-starts-alike",
        "above-it",
    ],
)
def test_a_pipeline_is_a_live_drift_monitor_only_when_it_reads_the_endpoints_capture(
    capture_read: str, watching: bool
) -> None:
    loop = derive_loop(record_program(lambda: _watching_program(capture_read)))

    assert (MONITOR in loop.members) is watching
    assert ("pipeline" in loop.members) is not watching
    assert (("capture", MONITOR) in loop.pairs) is watching
    alarm_role = ALARMS if watching else "pipeline_alarms"
    assert {(MONITOR if watching else "pipeline", alarm_role), (alarm_role, "alert_topic")} <= loop.pairs


@pytest.mark.parametrize(
    ("capture", "watching"),
    [
        ({"capture_options": [{"capture_mode": "InputAndOutput"}]}, True),
        ({"capture_options": [{"capture_mode": "Output"}, {"capture_mode": "Input"}]}, True),
        ({"initial_sampling_percentage": 1}, True),
        ({"capture_options": [{"capture_mode": "Output"}]}, False),
        ({"initial_sampling_percentage": 0}, False),
        ({"enable_capture": False}, False),
        ({"enable_capture": None}, False),
    ],
    ids=[
        "input-and-output",
        "output-and-input",
        "one-percent",
        "responses-only",
        "sampling-nothing",
        "capture-off",
        "capture-unset",
    ],
)
def test_a_pipeline_watches_only_a_capture_that_records_requests(
    capture: dict[str, Any], watching: bool
) -> None:
    """As the pack's ``endpoint-monitoring-schedule`` reads it: a capture of responses alone, of no
    sampled request, or switched off (pulumi-aws sends an unset switch as false) has no requests to
    watch, so the pipeline reading its folder is no live-drift monitor."""
    loop = derive_loop(
        record_program(lambda: _watching_program("s3://capture/churn/churn/", capture=capture))
    )

    assert (MONITOR in loop.members) is watching
    assert ("pipeline" in loop.members) is not watching


@pytest.mark.parametrize(
    "step",
    [
        {"Name": "Train", "Type": "Training", "Arguments": {}},
        {
            "Name": "Enough",
            "Type": "Condition",
            "Arguments": {"IfSteps": [{"Name": "Tune", "Type": "Tuning", "Arguments": {}}], "ElseSteps": []},
        },
        {"Name": "Score", "Type": "Transform", "Arguments": {}},
    ],
    ids=["training", "tuning-under-a-condition", "transform"],
)
def test_a_pipeline_that_trains_or_scores_on_captured_data_is_no_monitor(step: dict[str, Any]) -> None:
    loop = derive_loop(
        record_program(lambda: _watching_program("s3://capture/churn/churn/", extra_steps=(step,)))
    )

    assert MONITOR not in loop.members
    assert {"pipeline", "batch_scoring"} & set(loop.members)


def test_an_alarm_on_a_metric_no_pipeline_puts_is_no_pipelines() -> None:
    loop = derive_loop(
        record_program(
            lambda: _watching_program("s3://capture/churn/churn/", alarm_dimension="endpoint-other")
        )
    )

    assert MONITOR in loop.members
    assert ALARMS not in loop.members and "pipeline_alarms" not in loop.members
