"""Resolving the version an endpoint serves, and its baselines, from the registry (moto)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest

from components.observability.model_monitoring import MonitoringBaselines
from planner.policy_check import evaluate_policies
from planner.recorder import ResourceGraph, record_stack_file
from stacks.model_packages import (
    ModelResolutionError,
    NoApprovedVersion,
    ResolvedModelPackage,
    empty_registry_resolver,
    latest_approved_package,
    offline_resolver,
    resolve,
    resolve_latest_approved,
    resolve_version,
    version_baselines,
)
from stacks.program import run
from tests.aws_sessions import mocked_aws
from tests.conftest import load_stack_document, stack_path
from tests.graph_helpers import as_list, policy_of, statements, training_pipelines
from tests.pipelines.churn_fixtures import rendered, steps_by_name
from tests.recorded import computed_once, recorded_stack
from tests.stacks.conftest import budgeted_serving_cut, serving_cut
from tests.yaml_text import dump_document

REGION, FAMILY, PROD_ACCOUNT = "eu-west-1", "customer-churn", "333333333333"
GROUP = f"prod-{FAMILY}"
"""The prod fixture's model package group: the family after the stack's prefix; its baselines folder."""
DEV_ACCOUNT, DEV_BUCKET = "111111111111", "mlops-dev-artifacts"
ARN = f"arn:aws:sagemaker:{REGION}:{PROD_ACCOUNT}:model-package/{GROUP}/1"
DATA_QUALITY_DEFINITION = "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition"
MODEL_QUALITY_DEFINITION = "aws-native:sagemaker:ModelQualityJobDefinition"


@pytest.fixture
def sagemaker(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    # The registry of the prod stack's own account (moto's default account is another one).
    monkeypatch.setenv("MOTO_ACCOUNT_ID", PROD_ACCOUNT)
    with mocked_aws(REGION) as session:
        sagemaker = session.client("sagemaker")
        sagemaker.create_model_package_group(ModelPackageGroupName=GROUP)
        yield sagemaker


@contextmanager
def _prod_registry() -> Iterator[Any]:
    """What the ``sagemaker`` fixture gives, made and thrown away inside a computation."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MOTO_ACCOUNT_ID", PROD_ACCOUNT)
        with mocked_aws(REGION) as session:
            sagemaker = session.client("sagemaker")
            sagemaker.create_model_package_group(ModelPackageGroupName=GROUP)
            yield sagemaker


T = TypeVar("T")


def _once(name: str, compute: Callable[[], T], path: str | None = None) -> T:
    """``compute()`` (a recording against a moto registry it makes and throws away) once per version
    of the code for every xdist worker and later run (tests.recorded.computed_once): what it
    registers and records is a pure function of the code (moto's version is in uv.lock), this
    module, the tests' support files (the fixtures, churn_fixtures, aws_sessions), the MLOPS_/MOTO_...
    environment and the stack file at ``path`` (its bytes keyed; a file this module writes from
    the fixtures: the graph holds nothing of its folder that a test reads). Each caller unpickles
    its own copy; a recording that raises is not kept."""
    return computed_once(name, compute, key=[Path(path).read_bytes()] if path else [])


@pytest.fixture(scope="module")
def offline_prod() -> ResourceGraph:
    return recorded_stack(str(stack_path("prod")))


def _drift_check_baselines(graph: ResourceGraph, execution_id: str) -> dict[str, Any]:
    """What the recorded training pipeline registers when execution ``execution_id`` passes."""
    [pipeline] = training_pipelines(graph)
    register = steps_by_name(json.loads(pipeline.inputs["pipelineDefinition"]))["RegisterModel"]
    return rendered(register["Arguments"]["DriftCheckBaselines"], execution_id)


def _register(sagemaker: Any, status: str, baselines: dict[str, Any] | None = None) -> str:
    extra = {"DriftCheckBaselines": baselines} if baselines else {}
    return sagemaker.create_model_package(
        ModelPackageGroupName=GROUP,
        ModelApprovalStatus=status,
        InferenceSpecification={
            "Containers": [{"Image": f"141502667606.dkr.ecr.{REGION}.amazonaws.com/sklearn:1.2-1"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
        **extra,
    )["ModelPackageArn"]


def _record_prod_against(sagemaker: Any, path: str | None = None) -> ResourceGraph:
    """The prod stack (or the stack file at ``path``) as `pulumi up` runs it: versions resolved in
    the (moto) registry."""
    return record_stack_file(
        path or str(stack_path("prod")),
        program=lambda source: run(
            source, resolver_factory=lambda config: lambda group: resolve_latest_approved(sagemaker, group)
        ),
    )


def _prod_serving(
    tmp_path: Path,
    model: dict[str, str] | None = None,
    *,
    cut: bool | Callable[[dict[str, Any]], None] = False,
) -> str:
    """The prod stack file with its endpoint's model source replaced by ``model`` (if given) and,
    with ``cut``, cut to what the registry reaches (:func:`tests.stacks.conftest.serving_cut`, or the
    cut given: :func:`tests.stacks.conftest.budgeted_serving_cut` for a test that asks the pack)."""
    document = load_stack_document("prod")
    platform = document["config"]["mlops-platform:platform"]
    if model is not None:
        [variant] = platform["endpoints"][0]["variants"]
        variant["model"] = model
    if cut:
        (serving_cut if cut is True else cut)(platform)
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(dump_document(document))
    return str(path)


def _monitored_uris(graph: ResourceGraph) -> set[str]:
    [data_quality] = graph.of_type(DATA_QUALITY_DEFINITION)
    [model_quality] = graph.of_type(MODEL_QUALITY_DEFINITION)
    config = data_quality.inputs["dataQualityBaselineConfig"]
    return {
        config["statisticsResource"]["s3Uri"],
        config["constraintsResource"]["s3Uri"],
        model_quality.inputs["modelQualityBaselineConfig"]["constraintsResource"]["s3Uri"],
    }


def _layout(folder: str) -> set[str]:
    """The files the monitors read from a baselines folder a training execution wrote."""
    return {
        f"{folder}/statistics.json",
        f"{folder}/constraints.json",
        f"{folder}/model_quality/constraints.json",
    }


def _uris(baselines: dict[str, Any]) -> set[str]:
    return {
        baselines["ModelDataQuality"]["Statistics"]["S3Uri"],
        baselines["ModelDataQuality"]["Constraints"]["S3Uri"],
        baselines["ModelQuality"]["Constraints"]["S3Uri"],
    }


# --- the closed loop, end to end ------------------------------------------------------------


def test_the_monitors_compare_with_the_baselines_of_the_version_the_endpoint_serves(
    offline_prod, tmp_path
) -> None:
    """Recorded cut (``serving_cut``): the endpoint's model, its monitors and their roles' policies
    are what it asserts on, and they are recorded as in the whole fixture."""
    served = _drift_check_baselines(offline_prod, "approved-run")
    unapproved = _drift_check_baselines(offline_prod, "unapproved-run")
    path = _prod_serving(tmp_path, cut=True)

    def compute() -> tuple[str, ResourceGraph]:
        with _prod_registry() as sagemaker:
            approved = _register(sagemaker, "Approved", served)
            # A later run passes evaluation and writes its own baselines, but nobody approves it (prod).
            _register(sagemaker, "PendingManualApproval", unapproved)
            return approved, _record_prod_against(sagemaker, path)

    approved, graph = _once("monitors-compare", compute, path)

    [endpoint_model] = [
        m for m in graph.of_type("aws:sagemaker/model:Model") if "InferenceEndpoint$" in m.urn
    ]
    assert endpoint_model.inputs["primaryContainer"]["modelPackageName"] == approved
    assert _monitored_uris(graph) == _uris(served)
    artifacts = graph.named("artifacts-bucket").outputs["arn"]
    for policy in (
        "monitoring-customer-churn-jobs-permissions",
        "model-monitors-customer-churn-jobs-permissions",
    ):
        reads = {
            resource
            for statement in statements(policy_of(graph.named(policy)))
            if "s3:GetObject" in as_list(statement["Action"])
            for resource in as_list(statement["Resource"])
        }
        baselines = {resource for resource in reads if "/baselines/" in resource}
        assert baselines == {f"{artifacts}/baselines/{GROUP}/approved-run/*"}, policy


def test_approving_a_newer_version_moves_the_monitors_with_the_endpoint(offline_prod, tmp_path) -> None:
    """Recorded cut (``serving_cut``): only the endpoint's monitors are asserted on."""
    first = _drift_check_baselines(offline_prod, "first-run")
    newer = _drift_check_baselines(offline_prod, "second-run")
    path = _prod_serving(tmp_path, cut=True)

    def compute() -> ResourceGraph:
        with _prod_registry() as sagemaker:
            _register(sagemaker, "Approved", first)
            _register(sagemaker, "Approved", newer)
            return _record_prod_against(sagemaker, path)

    assert _monitored_uris(_once("newer-approved", compute, path)) == _uris(newer)


def test_a_version_registered_without_baselines_falls_back_to_the_family_folder(tmp_path) -> None:
    """Recorded cut (``serving_cut``): only the endpoint's monitors and the artifacts bucket (part
    of the foundation, which stays) are asserted on."""
    path = _prod_serving(tmp_path, cut=True)

    def compute() -> ResourceGraph:
        with _prod_registry() as sagemaker:
            _register(sagemaker, "Approved")
            return _record_prod_against(sagemaker, path)

    graph = _once("no-baselines", compute, path)

    bucket = graph.named("artifacts-bucket").outputs["bucket"]
    assert _monitored_uris(graph) == _layout(f"s3://{bucket}/baselines/{GROUP}")


def test_a_version_from_the_dev_registry_is_served_and_monitored_from_devs_bucket(
    offline_prod, monkeypatch
) -> None:
    """One registry in dev for every environment (docs/promotion.md): prod's endpoint serves dev's
    model artifact and its monitors read dev's baselines, both shared by dev's bucket policy."""
    rendered_baselines = _drift_check_baselines(offline_prod, "dev-run")
    own_bucket = offline_prod.named("artifacts-bucket").outputs["bucket"]
    in_dev = json.loads(json.dumps(rendered_baselines).replace(own_bucket, DEV_BUCKET))
    artifact = f"s3://{DEV_BUCKET}/models/customer-churn-training/dev-run/model.tar.gz"
    monkeypatch.setenv("MOTO_ACCOUNT_ID", DEV_ACCOUNT)  # the registry that answers is dev's

    def compute() -> tuple[str, ResourceGraph]:
        with mocked_aws(REGION) as session:
            dev = session.client("sagemaker")
            dev.create_model_package_group(ModelPackageGroupName=GROUP)
            version = dev.create_model_package(
                ModelPackageGroupName=GROUP,
                ModelApprovalStatus="Approved",
                InferenceSpecification={
                    "Containers": [
                        {
                            "Image": f"141502667606.dkr.ecr.{REGION}.amazonaws.com/sklearn:1.2-1",
                            "ModelDataUrl": artifact,
                        }
                    ],
                    "SupportedContentTypes": ["text/csv"],
                    "SupportedResponseMIMETypes": ["text/csv"],
                },
                DriftCheckBaselines=in_dev,
            )["ModelPackageArn"]
            return version, _record_prod_against(dev)

    # The prod fixture, keyed by its bytes (MOTO_ACCOUNT_ID, dev's, is in computed_once's key).
    version, graph = _once("dev-registry", compute, str(stack_path("prod")))

    assert version.split(":")[4] == DEV_ACCOUNT
    assert _monitored_uris(graph) == _uris(in_dev)
    dev_keys = {
        "Effect": "Allow",
        "Action": "kms:Decrypt",
        "Resource": f"arn:aws:kms:{REGION}:{DEV_ACCOUNT}:key/*",
        "Condition": {"StringEquals": {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}},
    }
    models_role = statements(policy_of(graph.named("endpoint-customer-churn-models-permissions")))
    assert {
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:GetObjectVersion"],
        "Resource": [f"arn:aws:s3:::{artifact.removeprefix('s3://')}"],
    } in models_role
    assert dev_keys in models_role
    for policy in (
        "monitoring-customer-churn-jobs-permissions",
        "model-monitors-customer-churn-jobs-permissions",
    ):
        monitoring_role = statements(policy_of(graph.named(policy)))
        assert {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:GetObjectVersion"],
            "Resource": [f"arn:aws:s3:::{DEV_BUCKET}/baselines/{GROUP}/dev-run/*"],
        } in monitoring_role
        assert dev_keys in monitoring_role
        assert {
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": f"arn:aws:s3:::{DEV_BUCKET}",
            "Condition": {"StringLike": {"s3:prefix": [f"baselines/{GROUP}/dev-run/*"]}},
        } in monitoring_role
        own = graph.named("artifacts-bucket").outputs["arn"]
        assert not any(f"{own}/baselines/" in str(statement) for statement in monitoring_role), policy
    violations, _ = evaluate_policies(graph)
    assert [v for v in violations if v.enforcement_level == "mandatory"] == []


def _refusal(
    name: str, expected: type[Exception], pattern: str, compute: Callable[[], object], path: str
) -> str:
    """The message of the error ``compute()`` (a recording against a moto registry it makes and
    throws away) raises, of type ``expected`` and matching ``pattern``, once per version of the
    code, this module and the stack file at ``path`` (:func:`_once`). A ``compute`` that raises no
    such error fails here, and that failure is not kept."""

    def refused() -> str:
        with pytest.raises(expected, match=pattern) as raised:
            compute()
        return str(raised.value)

    return _once(name, refused, path)


def test_baselines_in_another_bucket_stop_the_deployment(offline_prod, tmp_path) -> None:
    """Recorded cut (``serving_cut``): the refusal is the endpoint's monitoring jobs', which stay
    (batch scoring, cut, reads no baselines)."""
    elsewhere = json.loads(
        json.dumps(_drift_check_baselines(offline_prod, "run")).replace(
            offline_prod.named("artifacts-bucket").outputs["bucket"], "mlops-dev-artifacts"
        )
    )
    path = _prod_serving(tmp_path, cut=True)
    pattern = r"s3://mlops-dev-artifacts/baselines/prod-customer-churn/run/.*copy them"

    def compute() -> None:
        with _prod_registry() as sagemaker:
            _register(sagemaker, "Approved", elsewhere)
            _record_prod_against(sagemaker, path)

    assert re.search(pattern, _refusal("baselines-elsewhere", Exception, pattern, compute, path))


def test_no_approved_version_is_a_deferral_naming_the_group(sagemaker) -> None:
    _register(sagemaker, "PendingManualApproval")
    with pytest.raises(NoApprovedVersion, match=f"model package group '{GROUP}' has no Approved version"):
        resolve_latest_approved(sagemaker, GROUP)
    with pytest.raises(NoApprovedVersion, match="'never-created' does not exist yet"):
        resolve_latest_approved(sagemaker, "never-created")


def test_an_empty_page_with_a_next_token_is_read_on(sagemaker, monkeypatch: pytest.MonkeyPatch) -> None:
    """A SageMaker list may take its page before it filters (ListTrainingJobs documents that
    MaxResults applies first): the newest version pending, the page of one comes back empty with a
    NextToken, and the Approved version is on the next page, not "no Approved version"."""
    from moto.sagemaker.models import SageMakerModelBackend

    listed = SageMakerModelBackend.list_model_packages

    def page_then_filter(self: Any, *args: Any, model_approval_status: Any = None, **kwargs: Any) -> Any:
        page, token = listed(self, *args, model_approval_status=None, **kwargs)
        return [p for p in page if p.model_approval_status == model_approval_status], token

    monkeypatch.setattr(SageMakerModelBackend, "list_model_packages", page_then_filter)
    approved = _register(sagemaker, "Approved")
    for _ in range(101):  # newer, pending: the first page of 100 holds none Approved
        _register(sagemaker, "PendingManualApproval")
    calls: list[dict[str, Any]] = []
    sagemaker.meta.events.register(
        "provide-client-params.sagemaker.ListModelPackages", lambda params, **_: calls.append(dict(params))
    )

    assert latest_approved_package(sagemaker, GROUP) == approved
    assert len(calls) == 2, "a page of 100, not one call per version"
    assert calls[0]["MaxResults"] == 100 and calls[1]["NextToken"]

    # Every page read, none Approved: a deferral, not an endless loop.
    sagemaker.update_model_package(ModelPackageArn=approved, ModelApprovalStatus="Rejected")
    with pytest.raises(NoApprovedVersion, match="has no Approved version"):
        latest_approved_package(sagemaker, GROUP)


def test_a_listing_that_repeats_a_page_is_an_error_not_a_loop(
    sagemaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.sagemaker.models import SageMakerModelBackend

    monkeypatch.setattr(
        SageMakerModelBackend, "list_model_packages", lambda self, *a, **k: ([], "same-token")
    )
    with pytest.raises(ModelResolutionError, match="its listing repeats a page"):
        latest_approved_package(sagemaker, GROUP)


# --- reading DriftCheckBaselines ------------------------------------------------------------


def _files(folder: str) -> dict[str, Any]:
    return {
        "Statistics": {"ContentType": "application/json", "S3Uri": f"{folder}/statistics.json"},
        "Constraints": {"ContentType": "application/json", "S3Uri": f"{folder}/constraints.json"},
    }


def test_a_pipeline_versions_baselines_are_read_as_one_folder() -> None:
    folder = f"s3://artifacts/baselines/{GROUP}/run-7"
    baselines = {"ModelDataQuality": _files(folder), "ModelQuality": _files(f"{folder}/model_quality")}

    assert version_baselines(ARN, GROUP, baselines) == MonitoringBaselines(
        folder=f"baselines/{GROUP}/run-7/",
        data_statistics=f"baselines/{GROUP}/run-7/statistics.json",
        data_constraints=f"baselines/{GROUP}/run-7/constraints.json",
        model_constraints=f"baselines/{GROUP}/run-7/model_quality/constraints.json",
        registered_bucket="artifacts",
        registered_account=PROD_ACCOUNT,
    )
    assert version_baselines(ARN, GROUP, {}) is None
    data_only = version_baselines(ARN, GROUP, {"ModelDataQuality": _files(folder)})
    assert data_only is not None and data_only.model_constraints is None


@pytest.mark.parametrize(
    ("baselines", "message"),
    [
        ({"ModelDataQuality": {"Statistics": {"S3Uri": "s3://a/baselines/prod-customer-churn/r/statistics.json"}}},
         "needs both Statistics and Constraints"),
        ({"ModelDataQuality": _files("s3://a/baselines/other-family/r")}, "under baselines/prod-customer-churn/"),
        ({"ModelDataQuality": _files("s3://a/baselines/prod-customer-churn/r"),
          "ModelQuality": _files("s3://b/baselines/prod-customer-churn/r/model_quality")}, "in one bucket"),
        ({"ModelDataQuality": _files("s3://a/baselines/prod-customer-churn/r"),
          "ModelQuality": _files("s3://a/baselines/prod-customer-churn/other/model_quality")}, "in one folder"),
        ({"ModelDataQuality": _files("https://a/baselines/prod-customer-churn/r")}, "is not an s3:// object URI"),
    ],
)  # fmt: skip
def test_unusable_baselines_are_refused_with_the_version_named(baselines, message) -> None:
    with pytest.raises(ModelResolutionError, match=message) as raised:
        version_baselines(ARN, GROUP, baselines)
    assert ARN in str(raised.value)


def test_the_offline_stand_in_names_the_group_and_the_registry_account() -> None:
    resolve_offline = offline_resolver(REGION, PROD_ACCOUNT)
    own_group = f"arn:aws:sagemaker:{REGION}:{PROD_ACCOUNT}:model-package-group/{GROUP}"
    assert (
        resolve_offline(own_group)
        == resolve_offline(GROUP)
        == ResolvedModelPackage(
            arn=f"arn:aws:sagemaker:{REGION}:{PROD_ACCOUNT}:model-package/{GROUP}/999999999",
            baselines=MonitoringBaselines.in_folder(f"baselines/{GROUP}/latest-approved/"),
        )
    )
    devs = resolve_offline(f"arn:aws:sagemaker:{REGION}:{DEV_ACCOUNT}:model-package-group/{GROUP}")
    assert devs.arn == f"arn:aws:sagemaker:{REGION}:{DEV_ACCOUNT}:model-package/{GROUP}/999999999"
    assert devs.baselines is not None and devs.baselines.shared_by(PROD_ACCOUNT) == DEV_ACCOUNT
    assert devs.model_data_urls == (
        f"s3://mlops-artifacts-of-{DEV_ACCOUNT}/models/{GROUP}-training/latest-approved/output/model.tar.gz",
    )


def test_the_offline_stand_in_keeps_a_pinned_version_of_another_account_as_pinned() -> None:
    """A pinned ARN is what the endpoint deploys: the plan shows it unchanged, in the registry
    account's bucket, under the folder named after its version."""
    devs_version = f"arn:aws:sagemaker:{REGION}:{DEV_ACCOUNT}:model-package/{GROUP}/7"
    resolved = offline_resolver(REGION, PROD_ACCOUNT)(devs_version)
    assert resolved.arn == devs_version
    assert resolved.baselines is not None and resolved.baselines.shared_by(PROD_ACCOUNT) == DEV_ACCOUNT
    assert resolved.baselines.folder == f"baselines/{GROUP}/registered-with-version-7/"
    assert resolved.model_data_urls == (
        f"s3://mlops-artifacts-of-{DEV_ACCOUNT}/models/{GROUP}-training/registered-with-version-7/output/model.tar.gz",
    )


def test_an_empty_registry_defers_every_family_but_not_a_pinned_version() -> None:
    """The offline plan of a first deploy: no group exists yet, a pinned version is the stack
    file's to name (resolved as by the offline stand-in)."""
    resolve_empty = empty_registry_resolver(REGION, PROD_ACCOUNT)
    pinned = f"arn:aws:sagemaker:{REGION}:{PROD_ACCOUNT}:model-package/{GROUP}/3"
    assert resolve_empty(pinned) == offline_resolver(REGION, PROD_ACCOUNT)(pinned)
    for source in (GROUP, f"arn:aws:sagemaker:{REGION}:{PROD_ACCOUNT}:model-package-group/{GROUP}"):
        with pytest.raises(NoApprovedVersion, match="does not exist yet") as raised:
            resolve_empty(source)
        assert raised.value.group_exists is False


def test_the_offline_plan_shows_the_cross_account_reads_of_a_dev_registry(tmp_path) -> None:
    dev_group = f"arn:aws:sagemaker:{REGION}:{DEV_ACCOUNT}:model-package-group/{GROUP}"

    graph = recorded_stack(
        _prod_serving(tmp_path, {"latest_approved_of": dev_group}, cut=budgeted_serving_cut)
    )

    shown = f"mlops-artifacts-of-{DEV_ACCOUNT}"
    assert _monitored_uris(graph) == _layout(f"s3://{shown}/baselines/{GROUP}/latest-approved")
    models_role = str(statements(policy_of(graph.named("endpoint-customer-churn-models-permissions"))))
    assert f"arn:aws:s3:::{shown}/models/{GROUP}-training/latest-approved/output/model.tar.gz" in models_role
    assert f"arn:aws:kms:{REGION}:{DEV_ACCOUNT}:key/*" in models_role
    violations, _ = evaluate_policies(graph)
    assert [v for v in violations if v.enforcement_level == "mandatory"] == []


# --- a pinned version ------------------------------------------------------------------------


def test_a_pinned_version_is_monitored_against_the_baselines_it_registered(offline_prod, tmp_path) -> None:
    """Recorded cut (``serving_cut``): only the endpoint's model and monitors are asserted on."""
    pinned_baselines = _drift_check_baselines(offline_prod, "pinned-run")
    newer_baselines = _drift_check_baselines(offline_prod, "newer-run")

    def compute() -> tuple[str, ResourceGraph]:
        with _prod_registry() as sagemaker:
            pinned = _register(sagemaker, "Approved", pinned_baselines)
            _register(sagemaker, "Approved", newer_baselines)
            graph = record_stack_file(
                _prod_serving(tmp_path, {"model_package_arn": pinned}, cut=True),
                program=lambda source: run(
                    source, resolver_factory=lambda config: lambda s: resolve(sagemaker, s)
                ),
            )
            return pinned, graph

    # The stack file names the version registered first, so it is written inside the computation;
    # it is a pure function of this module and the prod fixture (a support file), both keyed.
    pinned, graph = _once("pinned", compute)

    [endpoint_model] = [
        m for m in graph.of_type("aws:sagemaker/model:Model") if "InferenceEndpoint$" in m.urn
    ]
    assert endpoint_model.inputs["primaryContainer"]["modelPackageName"] == pinned
    assert _monitored_uris(graph) == _uris(pinned_baselines)


def test_the_offline_plan_names_a_pinned_versions_baselines_after_it(tmp_path) -> None:
    pinned = f"arn:aws:sagemaker:{REGION}:{PROD_ACCOUNT}:model-package/{GROUP}/12"

    graph = recorded_stack(_prod_serving(tmp_path, {"model_package_arn": pinned}, cut=True))

    bucket = graph.named("artifacts-bucket").outputs["bucket"]
    assert _monitored_uris(graph) == _layout(f"s3://{bucket}/baselines/{GROUP}/registered-with-version-12")


def test_a_pinned_arn_that_is_not_a_version_is_refused(sagemaker) -> None:
    with pytest.raises(ModelResolutionError, match="not a model package version ARN"):
        resolve_version(sagemaker, f"arn:aws:sagemaker:{REGION}:{PROD_ACCOUNT}:model-package-group/{GROUP}")


def test_unusable_baselines_stop_only_a_deploy_that_monitors_the_version(tmp_path) -> None:
    """Both stacks recorded cut (``serving_cut``): the error names the endpoint's monitors, and the
    dev stack's endpoint is what deploys; no section cut reads the version (dev scores no batch).
    Each `up` runs on a registry of that content; the dev one is shared (:func:`_once`)."""
    elsewhere = {"ModelDataQuality": _files("s3://artifacts/baselines/another-family/run-1")}
    prod = _prod_serving(tmp_path, cut=True)
    pattern = r"endpoint customer-churn monitors model package .*under baselines/prod-customer-churn/"

    def refused() -> None:
        with _prod_registry() as sagemaker:
            _register(sagemaker, "Approved", elsewhere)
            _record_prod_against(sagemaker, prod)

    assert re.search(
        pattern, _refusal("unusable-baselines-prod", ModelResolutionError, pattern, refused, prod)
    )
    # dev does not monitor: the same version deploys there (a dev stack reading prod's group here).
    dev = load_stack_document("dev")
    dev["config"]["mlops-platform:platform"]["name_prefix"] = "prod"
    serving_cut(dev["config"]["mlops-platform:platform"])
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(dump_document(dev))

    def compute() -> ResourceGraph:
        with _prod_registry() as sagemaker:
            _register(sagemaker, "Approved", elsewhere)
            return record_stack_file(
                str(path),
                program=lambda source: run(
                    source, resolver_factory=lambda config: lambda s: resolve(sagemaker, s)
                ),
            )

    graph = _once("unusable-baselines-dev", compute, str(path))
    assert graph.of_type("aws:sagemaker/endpoint:Endpoint")
