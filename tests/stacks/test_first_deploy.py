"""A first `pulumi up` on an account whose registry holds nothing approved.

The program runs with the real resolver against moto's registry, as `pulumi up` runs it: an
endpoint whose family has no Approved version is deferred with one warning that says what to do;
everything else is created; the run after an approval creates the endpoint.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from planner.__main__ import EXIT_OK, main
from planner.policy_check import evaluate_policies
from planner.recorder import ResourceGraph, record_stack_file
from stacks.model_packages import ModelResolutionError, NoApprovedVersion, latest_approved_package, resolve
from stacks.program import run
from tests.aws_sessions import mocked_aws
from tests.conftest import load_stack_document, stack_path
from tests.graph_helpers import inference_endpoints
from tests.pipelines.churn_fixtures import rendered, steps_by_name
from tests.recorded import computed_once
from tests.stacks.conftest import serving_cut
from tests.yaml_text import dump_document

REGION = "eu-west-1"
ENDPOINT_TYPES = (
    "aws:sagemaker/endpoint:Endpoint",
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
    "aws:sagemaker/model:Model",
    "aws:appautoscaling/target:Target",
    "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition",
    "aws:sagemaker/monitoringSchedule:MonitoringSchedule",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:cloudwatch/dashboard:Dashboard",
    "aws-native:sagemaker:ModelQualityJobDefinition",
)
"""What exists only for an endpoint that serves something."""


def _registry() -> Iterator[Any]:
    """An empty moto registry (in the account MOTO_ACCOUNT_ID names)."""
    with mocked_aws(REGION) as session:
        yield session.client("sagemaker")


T = TypeVar("T")


def _in_registry(account: str, build: Callable[[Any], T]) -> T:
    """``build(registry)`` on an empty moto registry of ``account``, made and thrown away here."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MOTO_ACCOUNT_ID", account)
        registries = _registry()
        try:
            return build(next(registries))
        finally:
            registries.close()


def _once(
    name: str,
    build: Callable[[Any], T],
    path: Path,
    account: str = "333333333333",
) -> T:
    """``build`` run on its own empty registry of ``account`` (:func:`_in_registry`), once per
    version of the code for every xdist worker and later run (tests.recorded.computed_once), as
    ``first_up``: the registry lives and dies inside the computation, so what it registers and
    records is a pure function of the code (moto's in uv.lock), this module, the tests' support
    files (the fixtures, aws_sessions, churn_fixtures, tests/delivery/cloud.py), the MLOPS_/MOTO_...
    environment, the stack file at ``path`` (its bytes keyed, with ``account``; a file this
    module writes: the graph holds nothing of its folder but its ``source``, which no test reads);
    delivery/, which a deploy runs (tests.delivery.cloud imports delivery.checks), is in the code's
    fingerprint.
    Each caller unpickles its own copy; a recording that raises is not kept."""
    return computed_once(
        name,
        lambda: _in_registry(account, build),
        key=[account, path.name, path.read_bytes()],
    )


@pytest.fixture
def prod_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """An empty registry in the prod fixture's account."""
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "333333333333")
    yield from _registry()


def _up(path: Path | str, registry: Any) -> ResourceGraph:
    """The stack as `pulumi up` runs it: every version resolved in ``registry`` (a boto3 client)."""
    return record_stack_file(
        str(path),
        program=lambda source: run(source, resolver_factory=lambda config: lambda s: resolve(registry, s)),
    )


@pytest.fixture(scope="module")
def first_up() -> ResourceGraph:
    """The prod fixture's first `pulumi up` against an empty registry of its account: one recording
    read by every test that starts from it (the graph depends only on the registry being empty).

    Recorded once per version of the code for every xdist worker and later run
    (tests.recorded.computed_once): the moto registry is made empty and thrown away inside the
    computation, so the graph is a pure function of the code (moto's version is in uv.lock), this
    module, the tests' support files (aws_sessions, churn_fixtures), the MLOPS_/AWS_/MOTO_...
    environment and the prod fixture (its path and bytes, keyed). It holds no live object; each
    worker unpickles its own copy (read, as before, by this module's tests)."""
    prod = stack_path("prod")
    return computed_once("first_up", lambda: _first_up(prod), key=[str(prod), prod.read_bytes()])


def _first_up(prod: Path) -> ResourceGraph:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MOTO_ACCOUNT_ID", "333333333333")
        registries = _registry()
        try:
            return _up(prod, next(registries))
        finally:
            registries.close()


TRAINING_DRIFT_ALARM = "mlops:observability:DriftReportAlarm$"
"""The alarm on the training pipeline's Evidently report (the prod fixture's `evidently`): it watches
the training data, so it exists whether or not an endpoint does."""
TRAINING_ALARMS = (TRAINING_DRIFT_ALARM, "mlops:training:PipelineTriggers$")
"""Alarms of training, not of an endpoint: that one, and the new-data trigger's waiting-data alarm."""


def _of_training(urn: str) -> bool:
    return any(parent in urn for parent in TRAINING_ALARMS)


def _types(graph: ResourceGraph) -> set[str]:
    return {resource.type for resource in graph if not _of_training(resource.urn)}


def _endpoint_warnings(warnings: Any) -> list[str]:
    """The endpoint's warnings (the family's batch scoring, deferred or not, warns on its own)."""
    return [w for w in warnings if w.startswith("endpoint ")]


def _prod_cut(write_stack: Callable[..., Path]) -> Path:
    """The prod fixture cut by :func:`tests.stacks.conftest.serving_cut` (same file name, so the
    same stack), for a test that asserts on the endpoint alone: its resources, its warning
    (``endpoint ...``) or the error its resolution raises, all recorded as in the whole fixture."""
    return write_stack("prod", serving_cut, name="Pulumi.prod.yaml")


def _endpoint_models(graph: ResourceGraph) -> list[Any]:
    return [m for m in graph.of_type("aws:sagemaker/model:Model") if "InferenceEndpoint$" in m.urn]


def _register_approved(registry: Any, graph: ResourceGraph, group: str) -> str:
    """What the training pipeline registers, approved: a version with its DriftCheckBaselines."""
    [pipeline] = [
        p
        for p in graph.of_type("aws:sagemaker/pipeline:Pipeline")
        if p.inputs["pipelineName"] == f"{group}-training"
    ]
    register = steps_by_name(json.loads(pipeline.inputs["pipelineDefinition"]))["RegisterModel"]
    return registry.create_model_package(
        ModelPackageGroupName=group,
        ModelApprovalStatus="Approved",
        InferenceSpecification={
            "Containers": [{"Image": f"141502667606.dkr.ecr.{REGION}.amazonaws.com/sklearn:1.2-1"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
        DriftCheckBaselines=rendered(register["Arguments"]["DriftCheckBaselines"], "first-run"),
    )["ModelPackageArn"]


def test_a_first_deploy_creates_everything_but_the_endpoint_and_says_what_to_do(first_up) -> None:
    graph = first_up

    assert not _types(graph) & set(ENDPOINT_TYPES), "nothing of the endpoint is created"
    # Everything else: the registry, the training pipeline and its triggers, the alert topic.
    [group] = graph.of_type("aws:sagemaker/modelPackageGroup:ModelPackageGroup")
    assert group.inputs["modelPackageGroupName"] == "prod-customer-churn"
    assert graph.of_type("aws:sagemaker/pipeline:Pipeline")
    assert graph.named("alerts-topic")
    rules = [r for r in graph.of_type("aws:cloudwatch/eventRule:EventRule") if "triggers-" in r.name]
    assert any(r.inputs.get("scheduleExpression") for r in rules), "the weekly retraining is scheduled"
    assert not any("aws.cloudwatch" in r.inputs.get("eventPattern", "") for r in rules), (
        "no drift rule for an alarm that does not exist"
    )
    assert list(graph.exports["deferred_endpoints"]) == ["customer-churn"]
    assert "endpoint_names" not in graph.exports
    batch = [w for w in graph.warnings if not w.startswith("endpoint ")]
    assert [w.split(":")[0] for w in batch] == ["batch scoring of model family customer-churn is deferred"]
    assert not graph.of_type("aws:scheduler/schedule:Schedule"), "no batch scoring without a version"
    [warning] = _endpoint_warnings(graph.warnings)
    assert warning.startswith(
        "endpoint customer-churn is deferred: variant primary follows model package group "
        "prod-customer-churn, which does not exist yet."
    )
    # The steps that end the wait, for this stack (prod approves by hand).
    assert "start-pipeline-execution --pipeline-name prod-customer-churn-training" in warning
    assert "python -m pipelines.promotion" in warning and "--model customer-churn" in warning
    assert warning.endswith(
        "then run `pulumi up` again, which creates the endpoint (README.md, 'First deploy')."
    )
    violations, _ = evaluate_policies(graph)
    assert [v for v in violations if v.enforcement_level == "mandatory"] == []


def _approve(registry: Any, first: ResourceGraph) -> str:
    """What the first `pulumi up` created (the group), then the pipeline's run and a reviewer's
    approval: the version the endpoint will serve."""
    registry.create_model_package_group(ModelPackageGroupName="prod-customer-churn")
    return _register_approved(registry, first, "prod-customer-churn")


@pytest.fixture(scope="module")
def up_after_approval(first_up: ResourceGraph) -> tuple[ResourceGraph, str]:
    """The `pulumi up` after the first one and an approval (:func:`_approve`), and the approved
    version's ARN: one recording, read by every test that starts from that registry. Each of those
    tests builds the same registry content in its own moto account, checks that its version is
    this one (moto numbers versions from 1 per group), and goes on from there.

    Shared like ``first_up`` (computed_once, same key): its registry is built and thrown away inside
    the computation from ``first_up``'s graph, itself decided by that key; the value is a graph
    and a string, each worker's own copy."""
    prod = stack_path("prod")
    return computed_once(
        "up_after_approval",
        lambda: _up_after_approval(prod, first_up),
        key=[str(prod), prod.read_bytes()],
    )


def _up_after_approval(prod: Path, first_up: ResourceGraph) -> tuple[ResourceGraph, str]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MOTO_ACCOUNT_ID", "333333333333")
        registries = _registry()
        try:
            registry = next(registries)
            approved = _approve(registry, first_up)
            return _up(prod, registry), approved
        finally:
            registries.close()


def test_the_up_after_an_approval_creates_the_endpoint(up_after_approval) -> None:
    second, approved = up_after_approval

    assert set(ENDPOINT_TYPES) <= _types(second)
    [model] = _endpoint_models(second)
    assert model.inputs["primaryContainer"]["modelPackageName"] == approved
    assert "deferred_endpoints" not in second.exports and second.warnings == ()


def _pending_only(registry: Any) -> None:
    """The family's group, holding one version waiting for approval."""
    registry.create_model_package_group(ModelPackageGroupName="prod-customer-churn")
    registry.create_model_package(
        ModelPackageGroupName="prod-customer-churn",
        ModelApprovalStatus="PendingManualApproval",
        InferenceSpecification={
            "Containers": [{"Image": f"141502667606.dkr.ecr.{REGION}.amazonaws.com/sklearn:1.2-1"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    )


def test_a_group_with_only_pending_versions_defers_with_its_own_reason(write_stack) -> None:
    """Recorded cut (``_prod_cut``): only the endpoint's warning is asserted on. The `up` and the
    resolver's own answer each run on a registry of that content (both shared: :func:`_once`)."""
    path = _prod_cut(write_stack)

    def build(registry: Any) -> ResourceGraph:
        _pending_only(registry)
        return _up(path, registry)

    graph = _once("pending-only", build, path)

    [warning] = _endpoint_warnings(graph.warnings)
    assert "prod-customer-churn, which has no Approved version yet" in warning

    def asked(registry: Any) -> bool:
        _pending_only(registry)
        with pytest.raises(NoApprovedVersion) as raised:
            latest_approved_package(registry, "prod-customer-churn")
        return raised.value.group_exists

    assert _once("pending-only-asked", asked, path) is True


def test_dev_says_passing_versions_are_approved_automatically() -> None:
    dev = stack_path("dev")
    graph = _once("dev-first-up", lambda registry: _up(dev, registry), dev, account="111111111111")
    # The dev fixture subscribes no one to its alerts (warned separately); one deferral besides.
    [warning] = [w for w in graph.warnings if not w.startswith("alerts.subscriptions is empty")]
    assert "approved automatically in this stack" in warning
    assert "pipelines.promotion" not in warning


def _prod_with_challenger(tmp_path) -> Path:
    """The prod stack with a second family, `churn-challenger`, shadowing the endpoint's primary,
    cut as in ``_prod_cut`` (the primary's training pipeline keeps its definition): the tests that
    record it assert on the endpoint's deferral or on the error its resolution raises."""
    document = load_stack_document("prod")
    platform = document["config"]["mlops-platform:platform"]
    serving_cut(platform)
    platform["models"].append(
        {
            "name": "churn-challenger",
            "promotion": {"metric": "metrics.auc.value", "threshold": 0.8},
            "training": platform["models"][0]["training"],
            "model_card": platform["models"][0]["model_card"],
        }
    )
    platform["endpoints"][0]["shadow_variants"] = [
        {
            "name": "challenger",
            "model": {"latest_approved_of": "churn-challenger"},
            "instance_type": "ml.g5.2xlarge",
            "initial_instance_count": 2,
        }
    ]
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(dump_document(document))
    return path


def test_one_variant_with_nothing_approved_defers_the_whole_endpoint(first_up, tmp_path) -> None:
    """A shadow variant of a family with no version: the endpoint is not created half.

    The primary's family is approved as its training pipeline registers versions. That pipeline is
    the prod fixture's own (`first_up`'s): adding the challenger family adds a pipeline of its own
    and leaves this one's definition as it was, and a first `pulumi up` of this stack, which reads
    the registry and writes nothing, would leave the registry as empty as it found it."""
    path = _prod_with_challenger(tmp_path)

    def build(registry: Any) -> ResourceGraph:
        registry.create_model_package_group(ModelPackageGroupName="prod-customer-churn")
        _register_approved(registry, first_up, "prod-customer-churn")
        return _up(path, registry)

    graph = _once("challenger-unapproved", build, path)

    assert not graph.of_type("aws:sagemaker/endpoint:Endpoint")
    [warning] = _endpoint_warnings(graph.warnings)
    assert "variant challenger follows model package group prod-churn-challenger" in warning
    assert "variant primary" not in warning


def _refusal(
    name: str, expected: type[Exception], pattern: str, build: Callable[[Any], object], path: Path
) -> str:
    """The message of the error ``build(registry)`` raises, of type ``expected`` and matching
    ``pattern``, on its own empty registry of the prod fixture's account, once per version of the
    code, this module and the stack file at ``path`` (:func:`_once`). A ``build`` that raises no
    such error fails here, and that failure is not kept."""

    return _once(name, lambda registry: _raised(registry, expected, pattern, build), path)


def _raised(registry: Any, expected: type[Exception], pattern: str, build: Callable[[Any], object]) -> str:
    """The message of the error ``build(registry)`` must raise (``expected``, matching ``pattern``)."""
    with pytest.raises(expected, match=pattern) as raised:
        build(registry)
    return str(raised.value)


def test_a_pinned_version_that_does_not_exist_is_an_error_not_a_deferral(tmp_path) -> None:
    """Recorded cut (``_prod_cut``): the endpoint's resolution raises the error (the `up` on an
    empty registry of its own, its error's message shared: :func:`_refusal`)."""
    document = load_stack_document("prod")
    serving_cut(document["config"]["mlops-platform:platform"])
    [variant] = document["config"]["mlops-platform:platform"]["endpoints"][0]["variants"]
    variant["model"] = {
        "model_package_arn": f"arn:aws:sagemaker:{REGION}:333333333333:model-package/prod-customer-churn/7"
    }
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(dump_document(document))

    pattern = r"model-package/prod-customer-churn/7 cannot be read"

    message = _refusal(
        "pinned-missing", ModelResolutionError, pattern, lambda registry: _up(path, registry), path
    )
    assert re.search(pattern, message)


def test_the_offline_plan_shows_a_first_deploy_on_demand(capsys, cached_recordings) -> None:
    code = main(["--config", str(stack_path("prod")), "--registry", "empty", "--format", "json"])

    assert code == EXIT_OK
    plan = json.loads(capsys.readouterr().out)
    assert plan["summary"]["deferred_endpoints"] == ["customer-churn"]
    assert plan["summary"]["mandatory_violations"] == 0
    [warning] = _endpoint_warnings(plan["warnings"])
    assert warning.startswith("endpoint customer-churn is deferred")
    assert not [r for r in plan["resources"] if r["type"] in ENDPOINT_TYPES and not _of_training(r["urn"])]


def test_the_text_plan_lists_the_deferred_endpoints(capsys, cached_recordings) -> None:
    assert main(["--config", str(stack_path("prod")), "--registry", "empty"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "Deferred endpoints (1)" in out and "customer-churn" in out
    assert "warning: endpoint customer-churn is deferred" in out


# -- a deployed endpoint is never deferred away --------------------------------------------------


def _deploy(graph: ResourceGraph, registry: Any) -> None:
    """What `pulumi up` created for the endpoint: its models, configuration and endpoint (moto)."""
    from tests.delivery.cloud import create_endpoint

    [endpoint] = inference_endpoints(graph)
    create_endpoint(graph, registry, endpoint)


def test_a_deployed_endpoint_keeps_serving_when_its_only_approved_version_is_rejected(
    first_up, up_after_approval, current_instance_types, write_stack
) -> None:
    """The rollback of docs/promotion.md on a family with one approved version: the endpoint stays.

    The `up` after the rejection is recorded cut (``_prod_cut``): what it asserts on is the
    endpoint's resources, monitors and warning (its batch scoring, cut, defers with no version).
    Approval, deploy, rejection and `up` run on a registry of their own (shared: :func:`_once`)."""
    serving, serving_version = up_after_approval
    path = _prod_cut(write_stack)

    def build(registry: Any) -> tuple[str, ResourceGraph]:
        approved = _approve(registry, first_up)
        _deploy(serving, registry)
        registry.update_model_package(ModelPackageArn=approved, ModelApprovalStatus="Rejected")
        return approved, _up(path, registry)

    approved, after = _once("rejected-after-deploy", build, path)
    assert approved == serving_version, "this registry holds the version the shared `up` serves"

    assert set(ENDPOINT_TYPES) <= _types(after), "the endpoint, its alarms and monitors all stay"
    [model] = _endpoint_models(after)
    assert model.inputs["primaryContainer"]["modelPackageName"] == approved
    assert "deferred_endpoints" not in after.exports
    [warning] = _endpoint_warnings(after.warnings)
    assert warning.startswith(
        "endpoint customer-churn: model package group prod-customer-churn has no Approved version now; "
        f"variant primary keeps serving {approved}"
    )
    # Its monitors still compare with the baselines of the version it serves.
    [definition] = after.of_type("aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition")
    assert "/baselines/prod-customer-churn/first-run/" in str(definition.inputs["dataQualityBaselineConfig"])


def test_a_new_variant_with_nothing_approved_on_a_deployed_endpoint_stops_the_run(
    first_up, up_after_approval, current_instance_types, tmp_path
) -> None:
    """Approval, deploy and the `up` with the challenger run on a registry of their own (the version
    and the error's message shared: :func:`_once`, :func:`_raised`)."""
    serving, serving_version = up_after_approval
    path = _prod_with_challenger(tmp_path)
    pattern = (
        r"endpoint customer-churn is deployed, and its variant challenger follows model package group "
        r"prod-churn-challenger, which has no Approved version: approve one, or remove the variant"
    )

    def refused(registry: Any) -> tuple[str, str]:
        approved = _approve(registry, first_up)
        _deploy(serving, registry)
        return approved, _raised(
            registry, ModelResolutionError, pattern, lambda registry: _up(path, registry)
        )

    version, message = _once("challenger-unapproved-deployed", refused, path)
    assert version == serving_version, "this registry holds the version the shared `up` serves"
    assert re.search(pattern, message)


def _failing(registry: Any, operation: str, code: str, message: str) -> None:
    """Make the (moto) client answer ``operation`` with an AWS error response that botocore parses."""
    import botocore.awsrequest

    def respond(request: Any, **_: Any) -> botocore.awsrequest.AWSResponse:
        headers = {"x-amzn-RequestId": "r", "Content-Type": "application/x-amz-json-1.1"}
        response = botocore.awsrequest.AWSResponse(request.url, 400, headers, None)
        response._content = json.dumps({"__type": code, "message": message}).encode()
        return response

    registry.meta.events.register_first(f"before-send.sagemaker.{operation}", respond)


@pytest.mark.parametrize(
    ("operation", "code", "message", "outcome"),
    [
        pytest.param(
            "ListModelPackages",
            "ValidationException",
            "Model Package Group prod-customer-churn does not exist.",
            "does not exist yet",
            id="missing-group-is-a-deferral",
        ),
        pytest.param(
            "ListModelPackages",
            "AccessDeniedException",
            "User is not authorized to perform: sagemaker:ListModelPackages",
            "cannot read model package group prod-customer-churn: An error occurred (AccessDeniedException)",
            id="denied-list-is-an-error",
        ),
        pytest.param(
            "DescribeModelPackageGroup",
            "AccessDeniedException",
            "User is not authorized to perform: sagemaker:DescribeModelPackageGroup",
            "cannot read model package group prod-customer-churn: An error occurred (AccessDeniedException)",
            id="denied-describe-is-an-error",
        ),
    ],
)
def test_what_the_registry_answers_is_a_deferral_only_when_nothing_is_there(
    prod_registry, operation, code, message, outcome
) -> None:
    _failing(prod_registry, operation, code, message)

    with pytest.raises(ModelResolutionError) as raised:
        latest_approved_package(prod_registry, "prod-customer-churn")

    assert outcome in str(raised.value)
    assert isinstance(raised.value, NoApprovedVersion) is (outcome == "does not exist yet")
