"""The post-deploy check against moto: a stack deployed as planned passes; each drift is one FAIL line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.core import set_initial_no_auth_action_count
from moto.sagemaker.models import sagemaker_backends

from delivery.checks import Clients, Result, _explain, check
from delivery.expectations import MonitoringBaselinesExpectation, MonitoringScheduleExpectation, expectations
from delivery.verify import main, render_markdown, render_text, verify
from planner.recorder import ResourceGraph
from tests.aws_sessions import denied_one_action
from tests.conftest import stack_path
from tests.delivery.cloud import JOB_DEFINITIONS, baseline_uris, baseline_uris_of, create_endpoint, provision
from tests.delivery.conftest import REGION, Cloud, keyed_session

ENDPOINT = "prod-customer-churn"
"""The prod fixture's endpoint and model package group: the config name after the stack's prefix."""
DEFAULT_ACCOUNT = "123456789012"  # moto's


def _failures(results: list[Result]) -> list[tuple[str, str, str]]:
    return sorted((r.check, r.resource, r.actual) for r in results if r.status == "FAIL")


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch, stack_graphs: dict[str, ResourceGraph]) -> None:
    """Serve the shipped stacks' session recordings to verify() instead of recording them again."""
    import planner.recorder

    by_path = {str(stack_path(stack)): graph for stack, graph in stack_graphs.items()}
    monkeypatch.setattr(
        planner.recorder,
        "record_stack_file",
        lambda stack_file, **_: by_path[str(Path(stack_file.path).resolve())],
    )


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_a_stack_deployed_as_planned_passes_every_check(cloud: Cloud, stack_graphs, stack) -> None:
    graph = stack_graphs[stack]
    provision(graph, cloud.clients, cloud.schedules)

    promised = expectations(graph)
    results = check(promised, cloud.clients)

    assert len(results) == len(promised)
    assert _failures(results) == []
    assert all(r.status == "ok" for r in results)
    expected_kinds = {"endpoint", "variant", "scalable target", "pipeline", "model package group"}
    if stack != "dev":  # dev does not monitor
        expected_kinds |= {"monitoring schedule", "monitoring baselines"}
    assert {r.check for r in results} == expected_kinds


def _rescale_max(cloud: Cloud, _: ResourceGraph) -> None:
    cloud.clients.autoscaling.register_scalable_target(
        ServiceNamespace="sagemaker",
        ResourceId=f"endpoint/{ENDPOINT}/variant/primary",
        ScalableDimension="sagemaker:variant:DesiredInstanceCount",
        MinCapacity=2,
        MaxCapacity=3,
    )


def _set_count(count: int) -> Callable[[Cloud, ResourceGraph], None]:
    def sabotage(cloud: Cloud, _: ResourceGraph) -> None:
        cloud.clients.sagemaker.update_endpoint_weights_and_capacities(
            EndpointName=ENDPOINT,
            DesiredWeightsAndCapacities=[{"VariantName": "primary", "DesiredInstanceCount": count}],
        )

    return sabotage


def _rename_variant(cloud: Cloud, graph: ResourceGraph) -> None:
    sagemaker = cloud.clients.sagemaker
    sagemaker.delete_endpoint(EndpointName=ENDPOINT)
    [config] = graph.referenced(graph.named("endpoint-customer-churn-endpoint"), "endpointConfigName")
    sagemaker.delete_endpoint_config(EndpointConfigName=config.outputs["name"])
    variants = [{**v, "variantName": "blue"} for v in config.inputs["productionVariants"]]
    create_endpoint(graph, sagemaker, graph.named("endpoint-customer-churn-endpoint"), variants)


def _endpoint_failed(cloud: Cloud, _: ResourceGraph) -> None:
    # moto creates endpoints InService and has no API to fail one: set the state its backend reports.
    sagemaker_backends[DEFAULT_ACCOUNT][REGION].endpoints[ENDPOINT].endpoint_status = "Failed"


def _schedule(field: str, value: str) -> Callable[[Cloud, ResourceGraph], None]:
    def sabotage(cloud: Cloud, _: ResourceGraph) -> None:
        for schedule in cloud.schedules.schedules.values():
            if schedule["MonitoringType"] == "DataQuality":
                schedule[field] = value

    return sabotage


def _delete_baseline(file_name: str) -> Callable[[Cloud, ResourceGraph], None]:
    def sabotage(cloud: Cloud, graph: ResourceGraph) -> None:
        for uri in baseline_uris(graph):
            if uri.endswith(f"latest-approved/{file_name}"):
                bucket, _, key = uri.removeprefix("s3://").partition("/")
                cloud.clients.s3.delete_object(Bucket=bucket, Key=key)

    return sabotage


def _baselines_read(graph: ResourceGraph, resource: str) -> list[str]:
    """The files the job definition of schedule ``resource`` ("<endpoint> (<type>)") reads."""
    monitoring_type = resource.split("(")[1].rstrip(")")
    [definition] = graph.of_type(JOB_DEFINITIONS[monitoring_type][0])
    return baseline_uris_of(definition)


def _omit(kind: str) -> Callable[[Cloud, ResourceGraph], None]:
    def nothing(cloud: Cloud, _: ResourceGraph) -> None:
        return None

    nothing.omit = kind  # type: ignore[attr-defined]
    return nothing


TARGET = f"endpoint/{ENDPOINT}/variant/primary"
#: The prod fixture's two SageMaker pipelines, as verify reports them when neither exists.
PIPELINES_MISSING = [
    ("pipeline", f"{ENDPOINT}-batch-scoring", "missing"),
    ("pipeline", f"{ENDPOINT}-training", "missing"),
]

CASES = [
    ("pipeline-missing", _omit("pipeline"), PIPELINES_MISSING),
    (
        "model-package-group-missing",
        _omit("model package group"),
        [("model package group", ENDPOINT, "missing")],
    ),
    ("scalable-target-missing", _omit("scalable target"), [("scalable target", TARGET, "not registered")]),
    ("scalable-target-max-3-not-8", _rescale_max, [("scalable target", TARGET, "min 2, max 3")]),
    (
        "endpoint-missing",
        _omit("endpoint"),
        [("endpoint", ENDPOINT, "missing"), ("variant", f"{ENDPOINT}/primary", "endpoint missing")],
    ),
    ("endpoint-failed", _endpoint_failed, [("endpoint", ENDPOINT, "Failed; variants primary")]),
    (
        "variant-missing",
        _rename_variant,
        [("endpoint", ENDPOINT, "InService; variants blue"), ("variant", f"{ENDPOINT}/primary", "missing")],
    ),
    ("count-above-max-capacity", _set_count(9), [("variant", f"{ENDPOINT}/primary", "9 instances")]),
    ("count-below-min-capacity", _set_count(1), [("variant", f"{ENDPOINT}/primary", "1 instances")]),
    (
        "schedule-stopped",
        _schedule("MonitoringScheduleStatus", "Stopped"),
        [("monitoring schedule", f"{ENDPOINT} (DataQuality)", "Stopped, cron(0 * ? * * *)")],
    ),
    (
        "schedule-daily-not-hourly",
        _schedule("ScheduleExpression", "cron(0 0 ? * * *)"),
        [("monitoring schedule", f"{ENDPOINT} (DataQuality)", "Scheduled, cron(0 0 ? * * *)")],
    ),
    (
        "schedules-missing",
        _omit("monitoring schedule"),
        lambda graph: [
            (e.kind, e.resource, "none for this endpoint")
            for e in expectations(graph)
            if e.kind in ("monitoring schedule", "monitoring baselines")
        ],
    ),
    (
        "baselines-never-written",
        _omit("monitoring baselines"),
        lambda graph: [
            (e.kind, e.resource, "missing " + ", ".join(_baselines_read(graph, e.resource)))
            for e in expectations(graph)
            if e.kind == "monitoring baselines"
        ],
    ),
    (
        "one-baseline-file-deleted",
        _delete_baseline("statistics.json"),
        lambda graph: [
            (
                "monitoring baselines",
                f"{ENDPOINT} (DataQuality)",
                f"missing s3://{graph.named('artifacts-bucket').outputs['bucket']}"
                f"/baselines/{ENDPOINT}/latest-approved/statistics.json",
            )
        ],
    ),
]


@pytest.mark.parametrize(("sabotage", "failures"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_drift_from_the_plan_is_a_fail_line(cloud: Cloud, stack_graphs, sabotage, failures) -> None:
    graph = stack_graphs["prod"]
    omit = getattr(sabotage, "omit", None)
    provision(graph, cloud.clients, cloud.schedules, omit=[omit] if omit else [])
    sabotage(cloud, graph)

    found = _failures(check(expectations(graph), cloud.clients))

    assert found == sorted(failures(graph) if callable(failures) else failures)


def test_a_count_moved_by_autoscaling_within_bounds_passes(cloud: Cloud, stack_graphs) -> None:
    graph = stack_graphs["prod"]
    provision(graph, cloud.clients, cloud.schedules)
    _set_count(5)(cloud, graph)

    results = check(expectations(graph), cloud.clients)

    assert _failures(results) == []
    assert ("variant", f"{ENDPOINT}/primary", "5 instances") in [
        (r.check, r.resource, r.actual) for r in results
    ]


def test_serverless_and_shadow_endpoints(cloud: Cloud, variety_graph) -> None:
    provision(variety_graph, cloud.clients, cloud.schedules)

    results = {(r.check, r.resource): r for r in check(expectations(variety_graph), cloud.clients)}

    serverless = results[("variant", "dev-churn-serverless/primary")]
    assert (serverless.status, serverless.actual) == ("ok", "serverless")
    # moto drops ShadowProductionVariants from endpoints, so the shadow is reported missing here;
    # against SageMaker DescribeEndpoint returns it. This documents the limitation, and that a
    # missing shadow is a failure.
    assert results[("variant", "dev-churn-shadowed/challenger")].actual == "missing"
    assert results[("endpoint", "dev-churn-shadowed")].status == "FAIL"


def test_the_cli_passes_a_stack_deployed_as_planned(cloud: Cloud, stack_graphs, recorded, capsys) -> None:
    provision(stack_graphs["prod"], cloud.clients, cloud.schedules)

    # No clients passed in: the CLI builds them for the region in the stack file's config.
    code = main(["--stack-file", str(stack_path("prod"))])

    out = capsys.readouterr().out
    assert code == 0, out
    assert not [line for line in out.splitlines() if line.endswith("FAIL")]
    assert out.splitlines()[-1].endswith(" ok, 0 failed")
    assert f"{ENDPOINT}-training" in out and "min 2, max 8" in out


def test_the_cli_exits_1_with_fail_lines_and_a_markdown_summary(
    cloud: Cloud, stack_graphs, recorded, tmp_path, capsys
) -> None:
    provision(stack_graphs["prod"], cloud.clients, cloud.schedules, omit=["pipeline"])
    _rescale_max(cloud, stack_graphs["prod"])
    summary = tmp_path / "summary.md"

    code = main(
        ["--stack-file", str(stack_path("prod")), "--summary-file", str(summary)], clients=cloud.clients
    )

    out = capsys.readouterr().out
    assert code == 1
    fail_lines = [line for line in out.splitlines() if line.endswith("FAIL")]
    assert len(fail_lines) == 3, "both pipelines (training, batch scoring) and the scalable target"
    assert any(line.startswith("pipeline") and "missing" in line for line in fail_lines)
    assert any(line.startswith("scalable target") and "min 2, max 3" in line for line in fail_lines)
    assert out.splitlines()[-1].endswith("7 ok, 3 failed")
    markdown = summary.read_text()
    assert "FAILED" in markdown and markdown.count("❌ FAIL") == 3


def test_the_cli_exits_2_for_an_invalid_stack_file(write_stack, capsys) -> None:
    path = write_stack(text="config:\n  mlops-platform:platform: {environment: production}\n")

    assert main(["--stack-file", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "environment" in err


def test_the_cli_exits_2_when_aws_cannot_be_reached(recorded, monkeypatch, tmp_path, capsys) -> None:
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance-metadata lookup (network)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)
    import boto3

    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)

    assert main(["--stack-file", str(stack_path("prod"))]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.splitlines()
    assert line.startswith(f"{stack_path('prod')}: cannot verify the stack: no usable AWS credentials: ")


def _clients_of(session: boto3.Session) -> Clients:
    return Clients(
        sagemaker=session.client("sagemaker"),
        autoscaling=session.client("application-autoscaling"),
        s3=session.client("s3"),
    )


@set_initial_no_auth_action_count(3)  # the IAM calls that make the identity; then moto checks all
def test_a_read_the_identity_may_not_make_is_a_fail_line_naming_the_call(
    cloud: Cloud, stack_graphs, aws_session, recorded, capsys
) -> None:
    key = denied_one_action(aws_session[0].client("iam"), "verifier", "sagemaker:DescribePipeline")
    session = keyed_session(key["AccessKeyId"], key["SecretAccessKey"])
    cloud.schedules.install(session.events)  # moto has no monitoring schedules: the stand-in's
    provision(stack_graphs["prod"], _clients_of(session), cloud.schedules)

    # A verdict on what could be read, the rest a FAIL line saying why it could not.
    assert main(["--stack-file", str(stack_path("prod"))], clients=_clients_of(session)) == 1

    lines = capsys.readouterr().out.splitlines()
    failed = [line for line in lines if line.endswith("FAIL")]
    assert len(failed) == 2 and all(line.startswith("pipeline ") for line in failed), lines
    assert all("access denied: DescribePipeline (" in line for line in failed), failed
    assert lines[-1] == "10 checks: 8 ok, 2 failed"


@pytest.mark.parametrize(
    ("code", "status", "line"),
    [
        ("ExpiredTokenException", 400, None),
        ("UnrecognizedClientException", 400, None),
        ("InvalidClientTokenId", 403, None),
        ("AccessDeniedException", 400, "access denied: DescribePipeline (AccessDeniedException)"),
        ("", 403, "access denied: DescribePipeline (403)"),
        ("ResourceNotFound", 400, "missing"),
        ("ThrottlingException", 400, "error: ThrottlingException"),
    ],
)
def test_rejected_credentials_stop_the_check_and_a_denied_call_is_a_line_naming_it(
    code: str, status: int, line: str | None
) -> None:
    # The shape botocore gives a JSON-protocol error (moto answers these services' auth errors in
    # XML, which botocore cannot parse, so the codes are written out from AWS's error reference).
    error = ClientError(
        {"Error": {"Code": code, "Message": "..."}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "DescribePipeline",
    )
    if line is None:
        with pytest.raises(ClientError) as raised:
            _explain(error)
        assert raised.value is error
    else:
        assert _explain(error) == line


def test_retries_until_a_settling_deploy_passes(cloud: Cloud, stack_graphs, recorded) -> None:
    provision(stack_graphs["prod"], cloud.clients, cloud.schedules)
    _schedule("MonitoringScheduleStatus", "Pending")(cloud, stack_graphs["prod"])
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        _schedule("MonitoringScheduleStatus", "Scheduled")(cloud, stack_graphs["prod"])

    results = verify(
        str(stack_path("prod")), cloud.clients, attempts=3, interval=7, sleep=sleep, log=lambda _: None
    )

    assert waits == [7]
    assert _failures(results) == []


def test_gives_up_after_the_last_attempt(cloud: Cloud, stack_graphs, recorded) -> None:
    provision(stack_graphs["prod"], cloud.clients, cloud.schedules, omit=["pipeline"])
    waits: list[float] = []

    results = verify(
        str(stack_path("prod")), cloud.clients, attempts=3, interval=1, sleep=waits.append, log=lambda _: None
    )

    assert waits == [1, 1]
    assert _failures(results) == PIPELINES_MISSING


def test_reports_name_every_column() -> None:
    results = [
        Result("pipeline", "p", "Active", "missing", "FAIL"),
        Result("endpoint", "e|x", "InService", "InService", "ok"),
        Result("endpoint", "auto", "no literal name", "not verified", "skip"),
    ]
    text = render_text("stacks/Pulumi.x.yaml", results).splitlines()
    assert text[1].split() == ["check", "resource", "expected", "actual", "result"]
    assert text[2].split() == ["pipeline", "p", "Active", "missing", "FAIL"]
    assert text[-1] == "3 checks: 1 ok, 1 failed, 1 not verifiable"
    markdown = render_markdown("stacks/Pulumi.x.yaml", results)
    assert "| endpoint | e\\|x | InService | InService | ✅ ok |" in markdown
    assert "⚪ skip" in markdown


def embedded_job_definition(baseline: dict[str, Any] | None = None) -> dict[str, Any]:
    """A data-quality job definition embedded in a schedule (the older form), with ``baseline`` as
    its BaselineConfig (None: none, which the API allows)."""
    processing = "/opt/ml/processing"
    return {
        **({"BaselineConfig": baseline} if baseline is not None else {}),
        "MonitoringInputs": [
            {"EndpointInput": {"EndpointName": ENDPOINT, "LocalPath": f"{processing}/input"}}
        ],
        "MonitoringOutputConfig": {
            "MonitoringOutputs": [
                {"S3Output": {"S3Uri": "s3://reports/churn", "LocalPath": f"{processing}/output"}}
            ]
        },
        "MonitoringResources": {
            "ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 20}
        },
        "MonitoringAppSpecification": {"ImageUri": "468650794304.dkr.ecr.eu-west-1.amazonaws.com/analyzer"},
        "RoleArn": "arn:aws:iam::123456789012:role/monitoring",
    }


def test_baselines_of_a_job_definition_inline_in_the_schedule_are_checked_too(cloud: Cloud) -> None:
    """The older schedule form embeds its job definition (with the baselines) instead of naming one."""
    s3 = cloud.clients.s3
    s3.create_bucket(Bucket="baselines", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket="baselines", Key="churn/constraints.json", Body=b"{}")
    cloud.schedules.create(
        "legacy-data-quality",
        endpoint=ENDPOINT,
        monitoring_type="DataQuality",
        expression="cron(0 * ? * * *)",
        job_definition=embedded_job_definition(
            {
                "ConstraintsResource": {"S3Uri": "s3://baselines/churn/constraints.json"},
                "StatisticsResource": {"S3Uri": "s3://baselines/churn/statistics.json"},
            }
        ),
    )
    schedule = MonitoringScheduleExpectation(ENDPOINT, "DataQuality", "cron(0 * ? * * *)")

    [result] = check([MonitoringBaselinesExpectation(schedule)], cloud.clients)

    assert (result.status, result.actual) == ("FAIL", "missing s3://baselines/churn/statistics.json")


def test_clarify_analysis_configs_are_baseline_files_too(cloud: Cloud, all_monitors_graph) -> None:
    graph = all_monitors_graph
    provision(graph, cloud.clients, cloud.schedules)
    promised = [e for e in expectations(graph) if e.kind == "monitoring baselines"]
    assert {e.resource for e in promised} == {
        f"{ENDPOINT} ({kind})" for kind in ("DataQuality", "ModelQuality", "ModelBias", "ModelExplainability")
    }
    assert _failures(check(promised, cloud.clients)) == []

    [config] = [uri for uri in baseline_uris(graph) if uri.endswith("model_bias/analysis_config.json")]
    bucket, _, key = config.removeprefix("s3://").partition("/")
    cloud.clients.s3.delete_object(Bucket=bucket, Key=key)

    assert _failures(check(promised, cloud.clients)) == [
        ("monitoring baselines", f"{ENDPOINT} (ModelBias)", f"missing {config}")
    ]


def test_a_first_deploy_passes_with_its_endpoint_reported_as_deferred(
    prod_first_deploy: ResourceGraph, cloud: Cloud
) -> None:
    """`pulumi up` on an empty registry deferred the endpoint; the check resolves versions in the
    same (moto) registry, so it expects no endpoint and says why instead of failing."""

    provision(prod_first_deploy, cloud.clients, cloud.schedules)

    results = verify(str(stack_path("prod")), cloud.clients, log=lambda _: None)

    assert _failures(results) == []
    [endpoint] = [r for r in results if r.check == "endpoint"]
    assert (endpoint.resource, endpoint.status) == ("customer-churn", "skip")
    assert endpoint.expected.startswith("deferred: nothing approved to serve yet")
    assert {r.check for r in results if r.status == "ok"} == {"pipeline", "model package group"}
