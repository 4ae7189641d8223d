"""An adversarial audit of stack-file validation against AWS's own limits (botocore's service models),
as an adopter editing a stack file meets them: each value at the limit must plan, and one just
beyond it must be refused naming the file and the key, exit 2 with nothing on stdout, and create
nothing.

How the audit ran: 417 edited copies of the sample stack files (every key that becomes an AWS
argument at and beyond its limit, derived names with a 24-character prefix and the longest names,
schedules AWS refuses, tags, unicode, numbers as strings, booleans as "yes") were validated, and
each one the config accepted was recorded and every resource's requests, pipeline steps included,
checked against botocore's models (tests/aws_requests.py, tests/api_models.py); 8 more wrote YAML
scalars unquoted (``yes``, ``0123``, ``1e3``...) and ran the plan. What the existing suites hold
(test_name_limits, test_config_field_mutation_audit, test_malformed_stack_files,
test_adopter_edits_audit) was not redone.

| area                                                       | probes | accepted, AWS refuses (fixed) |
|------------------------------------------------------------|-------:|-------------------------------|
| endpoints: variants, models, scaling, deployment, serverless |    100 | 4: variant instance type; rollback alarm names (256 characters, empty, blank); image over 255 characters; model_data_url over 1024 |
| monitoring, Evidently, batch scoring, tuning, cards, DVC, MLflow, shadow tests | 101 | 2: monitoring.instance_type; models[].evidently.instance_type (a malformed one crashed the plan, exit 3) |
| tags, derived names, stack names, unicode, types           |     68 | 1: an empty tag value (CloudTrail's trail) |
| schedules and time zones                                   |     85 | 0 |
| training, feature groups, network, storage, keys, trail    |     63 | 0 |
| unquoted YAML scalars through the plan                      |      8 | 0 (see left alone) |

Reading the generated reference beside the limits found one more: optional numbers showed no range.

Each product bug has a test here that fails on the code before its fix:

- ``test_an_instance_type_a_job_or_endpoint_is_not_offered_on_is_refused``: ``monitoring.instance_type``
  and ``models[].evidently.instance_type`` were checked for their form only (``ml.c5.large``,
  ``ml.p4d.24xlarge`` passed; every Model Monitor job definition and the Evidently processing step
  take a ``ProcessingInstanceType``), and ``endpoints[].variants[].instance_type`` likewise
  (``ml.t3.medium`` and ``ml.m5.3xlarge`` passed; CreateEndpointConfig takes a
  ``ProductionVariantInstanceType``).
- ``test_a_malformed_evidently_instance_type_is_an_invalid_stack_file``: ``ml.m5.huge`` passed the
  Evidently pattern and crashed the program while building the pipeline (exit 3, a traceback).
- ``test_rollback_alarm_names_aws_refuses_are_refused``: names of 256 characters, empty, blank or
  with a line break reached CreateEndpoint's ``AutoRollbackConfiguration``.
- ``test_an_empty_tag_value_is_refused_where_the_stack_creates_its_trail``: CloudTrail's
  ``TagValue`` is 1-256 characters; every other service takes an empty value, so it plans where the
  stack creates no trail (``test_an_empty_tag_value_plans_without_a_trail``), and the component
  refuses it too (``test_the_audit_trail_component_refuses_an_empty_tag_value``).
- ``test_a_container_create_model_refuses_is_refused``: CreateModel's ``Image`` (at most 255, no
  white space) and ``ModelDataUrl`` (at most 1024, ``s3://<bucket>/<key>``), for the variant's
  image, its model_data_url and a Triton repository's.
- ``test_the_reference_states_the_range_of_an_optional_number``: docs/configuration.md.

The ``..._plan`` and ``..._accepts_it`` tests hold the other side: the value at the limit plans and
its recorded request is one botocore's model accepts.

Left alone: a feature group's features differing only in case, duplicate metric-definition names,
``monitoring.drift_features`` naming no feature, a past shadow-test window, a pinned batch-scoring
version of another group: botocore's models state no limit on them (AWS's behaviour is not
documented), so refusing them could refuse what AWS accepts. Unquoted YAML scalars the plan's
parser (PyYAML, YAML 1.1) reads otherwise than Go's YAML libraries may (``1e3`` a string here and
a float there, ``1:20`` an integer here): which library and version the Pulumi CLI reads stack
files with decides it, and it is not pinned here.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from components.foundation.audit_trail import AuditTrailArgs
from planner.__main__ import EXIT_INVALID_CONFIG, main
from planner.recorder import ResourceGraph
from stacks.config import CONFIG_KEY
from stacks.reference import reference
from tests.api_models import pipeline_step_errors, request_errors
from tests.aws_requests import requests
from tests.config_problems import program_refusal, stack_file_problems
from tests.conftest import load_stack_document
from tests.recorded import recorded_stack
from tests.stacks.conftest import serving_cut
from tests.yaml_text import dump_document

Platform = dict[str, Any]
Edit = Callable[[Platform], None]


def _write(tmp_path: Path, stack: str, edit: Edit, name: str | None = None) -> Path:
    document = load_stack_document(stack)
    edit(document["config"][CONFIG_KEY])
    path = tmp_path / (name or f"Pulumi.{stack}.yaml")
    path.write_text(dump_document(document))
    return path


def _variant(platform: Platform) -> Platform:
    variant: Platform = platform["endpoints"][0]["variants"][0]
    return variant


def _set(*path: str | int) -> Callable[[Any], Edit]:
    def value(new: Any) -> Edit:
        def edit(platform: Platform) -> None:
            node: Any = platform
            for part in path[:-1]:
                node = node.setdefault(part, {}) if isinstance(part, str) else node[part]
            node[path[-1]] = copy.deepcopy(new)

        return edit

    return value


def _assert_refused_at(tmp_path: Path, capsys: pytest.CaptureFixture[str], path: Path, key: str) -> str:
    """The plan refuses ``path`` as an invalid stack file naming it and ``key`` (exit 2, nothing on
    stdout), and the program registers nothing. Returns the message."""
    problems = stack_file_problems(path)
    assert list(problems) == [f"{CONFIG_KEY}.{key}"], problems
    assert main(["--config", str(path)]) == EXIT_INVALID_CONFIG
    out, err = capsys.readouterr()
    assert out == ""
    assert f"{path}: {CONFIG_KEY}.{key}: " in err
    assert "Traceback" not in err
    program_refusal(path)
    return problems[f"{CONFIG_KEY}.{key}"]


def _refused_requests(graph: ResourceGraph, type_prefix: str) -> list[str]:
    """What botocore's models say the API would refuse in the recorded requests of the resources of
    types starting with ``type_prefix`` (none must hold any)."""
    resources = [r for r in graph.cloud_resources if r.type.startswith(type_prefix)]
    assert resources, type_prefix
    return [
        f"{resource.name}: {error}"
        for resource in resources
        for service, operation, params in requests(resource)
        for error in request_errors(service, operation, params)
    ]


# --- instance types: each kind of job or endpoint takes its own botocore enumeration --------------

MONITORING_INSTANCE = _set("monitoring", "instance_type")
EVIDENTLY_INSTANCE = _set("models", 0, "evidently", "instance_type")


def _variant_instance(instance_type: str) -> Edit:
    def edit(platform: Platform) -> None:
        variant = _variant(platform)
        variant["instance_type"] = instance_type
        # A CPU type: the fixture's GPU target tracking needs a GPU.
        variant.get("scaling", {}).pop("gpu_utilization_percent", None)

    return edit


@pytest.mark.parametrize(
    ("edit", "key", "shape"),
    [
        # Model Monitor's job definitions: ClusterConfig.InstanceType is a ProcessingInstanceType,
        # which has no ml.c5.large and no p4d.
        (MONITORING_INSTANCE("ml.c5.large"), "monitoring.instance_type", "ProcessingInstanceType"),
        (MONITORING_INSTANCE("ml.p4d.24xlarge"), "monitoring.instance_type", "ProcessingInstanceType"),
        # The Evidently report is a processing step of the training and batch-scoring pipelines.
        (EVIDENTLY_INSTANCE("ml.c5.large"), "models[0].evidently.instance_type", "ProcessingInstanceType"),
        # CreateEndpointConfig: hosting offers ml.t2.medium, not ml.t3.medium; no ml.m5.3xlarge exists.
        (
            _variant_instance("ml.t3.medium"),
            "endpoints[0].variants[0].instance_type",
            "ProductionVariantInstanceType",
        ),
        (
            _variant_instance("ml.m5.3xlarge"),
            "endpoints[0].variants[0].instance_type",
            "ProductionVariantInstanceType",
        ),
    ],
    ids=[
        "monitoring-c5-large",
        "monitoring-p4d",
        "evidently-c5-large",
        "variant-t3-medium",
        "variant-m5-3xlarge",
    ],
)
def test_an_instance_type_a_job_or_endpoint_is_not_offered_on_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], edit: Edit, key: str, shape: str
) -> None:
    message = _assert_refused_at(tmp_path, capsys, _write(tmp_path, "prod", edit), key)
    assert shape in message


def test_the_instance_types_offered_plan_and_reach_requests_aws_accepts(tmp_path: Path) -> None:
    """The nearest types each enumeration does list: ml.c5.xlarge (processing), ml.t2.medium and
    ml.m5.4xlarge (endpoints)."""

    def edit(platform: Platform) -> None:
        _scoring_serving_cut(platform)
        MONITORING_INSTANCE("ml.c5.xlarge")(platform)
        EVIDENTLY_INSTANCE("ml.c5.xlarge")(platform)
        _variant_instance("ml.m5.4xlarge")(platform)

    graph = recorded_stack(_write(tmp_path, "prod", edit))
    assert _refused_requests(graph, "aws:sagemaker/dataQualityJobDefinition") == []
    assert _refused_requests(graph, "aws-native:sagemaker:ModelQualityJobDefinition") == []
    assert _refused_requests(graph, "aws:sagemaker/endpointConfiguration") == []
    reports = [
        step
        for pipeline in graph.of_type("aws:sagemaker/pipeline:Pipeline")
        for step in _steps(pipeline.inputs["pipelineDefinition"])
        if step["Name"] == "EvidentlyReport"
    ]
    assert reports  # the training and batch-scoring pipelines
    for step in reports:
        assert step["Arguments"]["ProcessingResources"]["ClusterConfig"]["InstanceType"] == "ml.c5.xlarge"
        assert (
            pipeline_step_errors("CreateProcessingJob", {**step["Arguments"], "ProcessingJobName": "p"}) == []
        )

    def dev_edit(platform: Platform) -> None:
        serving_cut(platform)  # what the endpoint configurations read (tests/stacks/conftest.py)
        _variant_instance("ml.t2.medium")(platform)

    dev = recorded_stack(_write(tmp_path, "dev", dev_edit, "Pulumi.dev.yaml"))
    assert _refused_requests(dev, "aws:sagemaker/endpointConfiguration") == []


def _scoring_serving_cut(platform: Platform) -> None:
    """:func:`tests.stacks.conftest.serving_cut` keeping the families' ``batch_scoring``: the
    Model Monitor job definitions, the endpoint configurations and the training and batch-scoring
    pipelines (their Evidently steps) stay as they are, every one of them, and nothing the cut
    removes (DVC remote, approval dispatch, budget, audit trail, extra interface endpoints,
    retraining triggers) feeds them: the prod fixture records 196 resources instead of 268."""
    kept = {
        family["name"]: family["batch_scoring"] for family in platform["models"] if "batch_scoring" in family
    }
    serving_cut(platform)
    for family in platform["models"]:
        if family["name"] in kept:
            family["batch_scoring"] = kept[family["name"]]


def _steps(definition: Any) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = json.loads(definition)["Steps"]
    return steps


def test_a_malformed_evidently_instance_type_is_an_invalid_stack_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ml.m5.huge matched the Evidently pattern, then the pipeline builder refused it: exit 3 and a
    traceback, not the stack file's key."""
    path = _write(tmp_path, "prod", EVIDENTLY_INSTANCE("ml.m5.huge"))
    message = _assert_refused_at(tmp_path, capsys, path, "models[0].evidently.instance_type")
    assert "is not a SageMaker instance type" in message


# --- rollback alarm names: CreateEndpoint's AutoRollbackConfiguration.Alarms[].AlarmName ---------

ROLLBACK_ALARMS = _set("endpoints", 0, "deployment", "extra_rollback_alarms")


@pytest.mark.parametrize(
    ("names", "index", "expected"),
    [
        (["external-slo", "a" * 256], 1, "1-255 characters (got 256)"),
        ([""], 0, "1-255 characters (got 0)"),
        (["   "], 0, "not only spaces"),
        (["first line\nsecond"], 0, "one line"),
    ],
    ids=["256-characters", "empty", "blank", "line-break"],
)
def test_rollback_alarm_names_aws_refuses_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], names: list[str], index: int, expected: str
) -> None:
    path = _write(tmp_path, "prod", ROLLBACK_ALARMS(names))
    message = _assert_refused_at(
        tmp_path, capsys, path, f"endpoints[0].deployment.extra_rollback_alarms[{index}]"
    )
    assert expected in message


def test_rollback_alarm_names_at_the_limit_plan(tmp_path: Path) -> None:
    longest, other = "a" * 255, "Équipe données: p99 > SLO"

    def edit(platform: Platform) -> None:
        ROLLBACK_ALARMS([longest, other])(platform)
        serving_cut(platform)  # what the endpoints read (tests/stacks/conftest.py)

    graph = recorded_stack(_write(tmp_path, "prod", edit))
    assert _refused_requests(graph, "aws:sagemaker/endpoint:Endpoint") == []
    [endpoint] = [
        r
        for r in graph.of_type("aws:sagemaker/endpoint:Endpoint")
        if r.name.startswith("endpoint-customer-churn")
    ]
    alarms = endpoint.inputs["deploymentConfig"]["autoRollbackConfiguration"]["alarms"]
    assert [alarm["alarmName"] for alarm in alarms][-2:] == [longest, other]


# --- tags: CloudTrail's TagValue is 1-256 characters ----------------------------------------------


def _empty_tag(platform: Platform) -> None:
    platform["tags"]["team"] = ""


def test_an_empty_tag_value_is_refused_where_the_stack_creates_its_trail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    message = _assert_refused_at(tmp_path, capsys, _write(tmp_path, "prod", _empty_tag), "tags.team")
    assert "CloudTrail" in message


@pytest.mark.parametrize(
    "trail",
    [
        {"enabled": False},
        # The organisation trail records management events and no data events are wanted.
        {
            "existing_organization_trail": "arn:aws:cloudtrail:eu-west-1:999999999999:trail/org",
            "data_events": "off",
        },
    ],
    ids=["trail-off", "organization-trail"],
)
def test_an_empty_tag_value_plans_without_a_trail(tmp_path: Path, trail: dict[str, Any]) -> None:
    def edit(platform: Platform) -> None:
        _empty_tag(platform)
        platform["audit_trail"] = trail

    graph = recorded_stack(_write(tmp_path, "prod", edit))
    assert graph.of_type("aws:cloudtrail/trail:Trail") == []
    tagged = [
        r
        for r in graph.cloud_resources
        if isinstance(tags := r.inputs.get("tags"), dict) and tags.get("team") == ""
    ]
    assert len(tagged) > 50  # every resource carries it, and AWS takes it on each of their types
    assert _refused_requests(graph, "aws:sagemaker/") == []
    assert _refused_requests(graph, "aws:s3/bucket:Bucket") == []


def test_the_audit_trail_component_refuses_an_empty_tag_value() -> None:
    arguments: dict[str, Any] = {
        "trail_name": "acme-audit",
        "region": "eu-west-1",
        "account_id": "111111111111",
        "user_role_path": "/mlops-platform/acme/",
        "access_log_bucket": "acme-access-logs",
        "tags": {"owner": "ml", "team": ""},
    }
    with pytest.raises(
        ValueError, match=r"AuditTrailArgs\.tags: tag 'team' has an empty value, which CloudTrail"
    ):
        AuditTrailArgs(**arguments)
    AuditTrailArgs(**{**arguments, "tags": {"owner": "ml", "team": "t"}})


# --- a model's container: CreateModel's Image (255) and ModelDataUrl (1024) ---------------------

ECR = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/"
LONGEST_IMAGE = ECR + "r" * (255 - len(ECR) - 2) + ":t"  # 255 characters
LONGEST_URL = "s3://b/" + "k" * (1024 - len("s3://b/"))


def _model(**source: Any) -> Edit:
    def edit(platform: Platform) -> None:
        _variant(platform)["model"] = source

    return edit


@pytest.mark.parametrize(
    ("edit", "key", "expected"),
    [
        (_model(image=LONGEST_IMAGE + "x"), "image", "at most 255 characters"),
        (_model(image=ECR + "churn :1"), "image", "no white space"),
        (_model(image=ECR + "churn:1", model_data_url=LONGEST_URL + "k"), "model_data_url", "at most 1024"),
        (
            _model(image=ECR + "churn:1", model_data_url="s3:///model.tar.gz"),
            "model_data_url",
            "s3://<bucket>/<key>",
        ),
        (
            _model(triton={"model_data_url": LONGEST_URL[:-7] + "k.tar.gz", "default_model_name": "churn"}),
            "triton.model_data_url",
            "at most 1024",
        ),
    ],
    ids=["image-256", "image-space", "url-1025", "url-no-bucket", "triton-url-1025"],
)
def test_a_container_create_model_refuses_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], edit: Edit, key: str, expected: str
) -> None:
    path = _write(tmp_path, "dev", edit, "Pulumi.dev.yaml")
    message = _assert_refused_at(tmp_path, capsys, path, f"endpoints[0].variants[0].model.{key}")
    assert expected in message


def test_a_container_at_the_limits_plans_and_create_model_accepts_it(tmp_path: Path) -> None:
    def edit(platform: Platform) -> None:
        serving_cut(platform)  # what the endpoints' models read: the dev fixture scores no batch
        _model(image=LONGEST_IMAGE, model_data_url=LONGEST_URL)(platform)

    graph = recorded_stack(_write(tmp_path, "dev", edit, "Pulumi.dev.yaml"))
    [model] = [
        r for r in graph.of_type("aws:sagemaker/model:Model") if r.name.startswith("endpoint-customer-churn")
    ]
    container = model.inputs["primaryContainer"]
    assert (container["image"], container["modelDataUrl"]) == (LONGEST_IMAGE, LONGEST_URL)
    assert _refused_requests(graph, "aws:sagemaker/model:Model") == []


# --- the configuration reference states every range the validation holds --------------------------


@pytest.mark.parametrize(
    ("key", "bounds"),
    [
        ("endpoints[].variants[].model_download_timeout_seconds", "Range 60 to 3600."),
        ("endpoints[].variants[].container_startup_health_check_timeout_seconds", "Range 60 to 3600."),
        ("endpoints[].variants[].volume_size_gb", "Range 1 to 512."),
        ("endpoints[].variants[].serverless.provisioned_concurrency", "Range 1 to 200."),
        ("endpoints[].deployment.maximum_execution_timeout_seconds", "Range 600 to 28800."),
        ("training.max_wait_seconds", "Range 60 to 2419200."),
    ],
)
def test_the_reference_states_the_range_of_an_optional_number(key: str, bounds: str) -> None:
    """An optional number's bounds (``Annotated[int, Field(ge=.., le=..)] | None``) were left out of
    docs/configuration.md, so an adopter learnt them only from a refused plan."""
    [row] = [line for line in reference().splitlines() if line.startswith(f"| `{key}` |")]
    assert row.rstrip(" |").endswith(bounds), row
