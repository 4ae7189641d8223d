"""The explainability monitor's Clarify analysis config names the model the endpoint serves, written
by the platform at each deploy.

The gap (docs/monitoring.md, before this fix): the explainability job definition's ``ConfigUri`` was
the team's ``baselines/<group>/model_explainability/analysis_config.json``, whose
``predictor.model_name`` is the SageMaker model Clarify deploys as its shadow endpoint. Every deploy
of a new version replaces the endpoint's model under a new generated name, and one config served
every endpoint of the family, so the job failed from the next deploy on until a person edited it.

Research (what the predictor accepts, and whether anything fills it in):

- AWS, "Parameters to Monitor Attribution Drift" (clarify-config-json-monitor-model-explainability-
  parameters; awsdocs/amazon-sagemaker-developer-guide): ``predictor`` holds ``model_name`` ("Model
  name created by CreateModel API, with container mode as SingleModel"), ``instance_type`` and
  ``initial_instance_count`` of the shadow endpoint, optional ``content_type``/``accept_type``/
  ``content_template``/``label_headers``; it is required when ``shap`` is present. The current
  (translated) pages call it optional for a real-time endpoint without saying what runs then: not
  relied on.
- The SageMaker Python SDK installed here (sagemaker.core): ``ModelConfig`` writes ``model_name``,
  ``instance_type`` and ``initial_instance_count`` together, or ``endpoint_name`` alone (an
  existing endpoint); ``ExplainabilityAnalysisConfig`` puts it in ``predictor``, and
  ``ModelExplainabilityMonitor.create_monitoring_schedule`` uploads that dict once, to
  ``<output>/<job definition>/<uuid>/analysis_config.json``, and sets ``ConfigUri``: nothing there
  (nor in CreateModelExplainabilityJobDefinition, whose app specification is an image, a
  ``ConfigUri`` and an environment) refreshes or overrides the model later.
- ``endpoint_name`` (the live endpoint) is not an option: it would serve and capture Kernel SHAP's
  synthetic records with the real traffic, and the role may run only ``sm-clarify*`` endpoints.
- SageMaker has no Update*JobDefinition API (botocore: Create/Delete/Describe/List only), so any
  change of ``ConfigUri`` replaces the job definition; a key per endpoint keeps it stable.

The shadow endpoint (asked alongside, confirmed from public material; no AWS account here):

- Its name prefix: an AWS Solutions CDK policy for Clarify's bias and explainability baselines
  (mlops-workload-orchestrator, ``sagemaker_model_bias_explainability_baseline_job_policy``)
  scopes the shadow resources to ``endpoint-config/sm-clarify-config*`` and ``endpoint/sm-clarify-*``,
  and a Clarify job's failure quoted in a public project's README names
  ``endpoint-config/sm-clarify-config-1746251067-14e5``: both inside the role's ``sm-clarify*``
  (CLARIFY_SHADOW_ENDPOINT_PREFIX), and a template's ``endpoint_name_prefix`` must keep it.
- Tags: that failure was "not authorized to perform: sagemaker:AddTags on resource:
  ...:endpoint-config/sm-clarify-config-..." on CreateEndpointConfig: Clarify tags what it creates,
  which is authorised as AddTags on the new resource. The monitoring role lacked it, so the job
  would have failed at its first shadow endpoint even with the right model: it may now AddTags on
  ``sm-clarify*`` endpoint configs and endpoints only (test_clarify_monitor_runtime_audit.py).
- Not confirmed: whether Clarify also calls DescribeModel on the named model (the AWS Solutions
  policy grants it, for its own model-name lookup too); not granted, left open.

The fix: ``models[].explainability_config`` names the family's template (a JSON file in the
repository, read and checked with the stack file); the ModelQualityMonitoring component writes
``monitoring-config/<endpoint>/model_explainability/analysis_config.json`` (KMS-encrypted), the
template with ``predictor.model_name`` set to the endpoint's first production variant's model
(its name output), and the job definition reads it. Each test below fails on the old code (it
wrote no such object and read the family's config; checked with the fixture stacks' new key
removed, so the stack tests failed on their assertions, not on the key).

Mutations run against the fix: 15, all killed (the first test named fails):

| mutation | killed by |
| --- | --- |
| the predictor keeps the template's, no model_name added | test_the_config_names_exactly_the_model_the_endpoint_serves |
| job definition without depends_on on the object | test_the_job_definition_reads_the_platform_written_config_created_before_it |
| content not waiting for the endpoint | test_the_job_definition_reads_the_platform_written_config_created_before_it |
| ConfigUri back to the family's config | test_the_job_definition_reads_the_platform_written_config_created_before_it |
| role reads all of ``monitoring-config/`` | test_two_endpoints_of_one_family_get_their_own_config_naming_their_own_model |
| one key per family, not per endpoint | test_two_endpoints_of_one_family_get_their_own_config_naming_their_own_model |
| every endpoint given the first endpoint's model | test_two_endpoints_of_one_family_get_their_own_config_naming_their_own_model |
| SSE-S3 instead of the data key | test_the_config_object_is_encrypted_with_the_data_key |
| template's model_name accepted | test_a_bad_template_is_refused_...[predictor-names-a-model] |
| any endpoint_name_prefix accepted | test_a_bad_template_is_refused_...[foreign-shadow-prefix] |
| zero instances accepted | test_a_bad_template_is_refused_...[zero-instances] |
| stack template not read when the file is validated | test_a_bad_template_is_refused_...[foreign-shadow-prefix] |
| missing template accepted by the stack | test_an_explainability_monitor_without_a_template_is_refused |
| component args not checked | test_the_component_refuses_an_explainability_monitor_without_the_served_model[no-model] |
| role without AddTags on the shadow config (test_clarify_monitor_runtime_audit.py) | test_the_explainability_role_may_run_clarify_shadow_endpoints_and_no_other |

A second review's mutations: 19 run. Of 8 against the merged code, 7 survived (the headers check,
a JSON ``true`` count, ``methods`` without ``shap``, a non-``ml.`` type, a missing path or a folder
raising an OSError, exit 3, instead of naming the key, a relative path from another project kept
relative, and the template demanded without the monitor): each is killed now by the refusal cases
``headers-not-names``, ``true-instances``, ``methods-without-shap``, ``not-an-ml-type`` and
test_a_template_path_that_is_no_file_is_refused_..., test_a_relative_template_path_starts_at_the_
stack_files_project and test_a_family_needs_no_template_without_the_explainability_monitor. The
review found the template passing what Clarify's job refuses at every run (content and accept types,
JSON templates, ``agg_method``, ``num_samples``, baseline rows per header, headers naming the
training label or an identifier; and a template nested too deep reported as a bug of the validation:
product fixes, CHANGELOG, each test failing first); 11 mutations of the format, SHAP and baseline
checks, one survived (any string taken as a baseline URI), killed now by ``baseline-a-local-path``. Not mutated: what Clarify's own container accepts beyond the SDK (no AWS
account here); customer-churn's sample against its serving functions is pinned in
tests/models/test_customer_churn_steps.py.
"""

from __future__ import annotations

import copy
import fnmatch
import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from components.observability.explainability_config import analysis_config_key, read_template
from components.observability.model_quality_monitoring import (
    ModelQualityMonitoring,
    ModelQualityMonitoringArgs,
)
from components.observability.model_quality_spec import ModelQualitySpec
from planner.__main__ import EXIT_INVALID_CONFIG, main
from planner.recorder import RecordedResource, ResourceGraph, record_program, record_stack_file
from tests.components.model_quality_args import KEY_ARN, model_quality_args
from tests.config_problems import program_refusal
from tests.conftest import REPO
from tests.graph_helpers import as_list, policy_of, statements
from tests.recorded import computed_once, recorded_stack

TEMPLATE_PATH = REPO / "models" / "customer-churn" / "explainability.json"
OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2"
DEFINITION = "aws-native:sagemaker:ModelExplainabilityJobDefinition"
TEMPLATE: dict[str, Any] = {
    "headers": ["tenure_months", "monthly_charges"],
    "methods": {"shap": {"baseline": [[12, 70.0]], "num_samples": 50, "agg_method": "mean_abs"}},
    "predictor": {"instance_type": "ml.m5.large", "initial_instance_count": 1, "content_type": "text/csv"},
}


def _explainability_on(platform: dict[str, Any]) -> None:
    # Prod's quality alarms need the model-quality monitor.
    platform["monitoring"]["model_monitors"] = {"model_quality": True, "explainability": True}


def _refused_with(template_path: Path, write_stack, capsys) -> tuple[Path, str, str]:
    """Plan a prod stack whose explainability monitor reads ``template_path``: it must exit 2. The
    stack file, its stdout and the one stderr line naming ``models[0].explainability_config``."""

    def point_at_it(platform: dict[str, Any]) -> None:
        _explainability_on(platform)
        platform["models"][0]["explainability_config"] = str(template_path)

    path = write_stack("prod", point_at_it)
    assert main(["--config", str(path)]) == EXIT_INVALID_CONFIG
    out, err = capsys.readouterr()
    [line] = [line for line in err.splitlines() if "models[0].explainability_config" in line]
    return path, out, line


def _config_objects(graph: ResourceGraph) -> list[RecordedResource]:
    return [r for r in graph.of_type(OBJECT) if r.inputs["key"].startswith("monitoring-config/")]


def _written(resource: RecordedResource) -> dict[str, Any]:
    return json.loads(resource.inputs["content"])


def _reads(policy_document: dict[str, Any], arn: str) -> bool:
    """Whether the document lets its role GetObject ``arn``."""
    return any(
        statement["Effect"] == "Allow"
        and "s3:GetObject" in as_list(statement["Action"])
        and any(fnmatch.fnmatchcase(arn, pattern) for pattern in as_list(statement["Resource"]))
        for statement in statements(policy_document)
    )


def _writes_anything_under(policy_document: dict[str, Any], arn_prefix: str) -> bool:
    return any(
        statement["Effect"] == "Allow"
        and {"s3:PutObject", "s3:DeleteObject"} & set(as_list(statement["Action"]))
        and any(fnmatch.fnmatchcase(f"{arn_prefix}x", pattern) for pattern in as_list(statement["Resource"]))
        for statement in statements(policy_document)
    )


# -- the stack: the config names the served model -----------------------------------------------------


@pytest.fixture(scope="module")
def two_endpoints(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    """Prod with the explainability monitor and a second endpoint serving the same family, cut to
    what its endpoints read (tests/stacks/conftest.py, serving_cut: the endpoints, their models,
    monitors and roles, the buckets and keys stay)."""
    from tests.conftest import load_stack_document
    from tests.stacks.conftest import serving_cut
    from tests.yaml_text import dump_document

    document = load_stack_document("prod")
    platform = document["config"]["mlops-platform:platform"]
    _explainability_on(platform)
    second = copy.deepcopy(platform["endpoints"][0])
    second["name"] = "customer-churn-eu"
    platform["endpoints"].append(second)
    serving_cut(platform)
    path = tmp_path_factory.mktemp("two-endpoints") / "Pulumi.prod.yaml"
    path.write_text(dump_document(document))
    return recorded_stack(path)


def _served_model(graph: ResourceGraph, endpoint_label: str) -> str:
    """The model an endpoint's endpoint configuration serves in its first production variant."""
    [endpoint] = [
        r
        for r in graph.of_type("aws:sagemaker/endpoint:Endpoint")
        if r.name == f"endpoint-{endpoint_label}-endpoint"
    ]
    [config] = [
        r
        for r in graph.of_type("aws:sagemaker/endpointConfiguration:EndpointConfiguration")
        if r.outputs["name"] == endpoint.inputs["endpointConfigName"]
    ]
    return config.inputs["productionVariants"][0]["modelName"]


def test_the_config_names_exactly_the_model_the_endpoint_serves(all_monitors_graph) -> None:
    """The predictor's model is the one the endpoint's first production variant runs (the mock's
    resolved name, as the provider's generated one), with the team's template otherwise intact."""
    [written] = _config_objects(all_monitors_graph)
    config = _written(written)
    served = _served_model(all_monitors_graph, "customer-churn")
    [model] = [
        r for r in all_monitors_graph.of_type("aws:sagemaker/model:Model") if r.outputs["name"] == served
    ]
    assert model.name == "endpoint-customer-churn-primary-model"
    assert config["predictor"]["model_name"] == served
    template = read_template(TEMPLATE_PATH)
    assert {**config, "predictor": {**config["predictor"]}} == {
        **template,
        "predictor": {**template["predictor"], "model_name": served},
    }
    assert "endpoint_name" not in config["predictor"]


def test_two_endpoints_of_one_family_get_their_own_config_naming_their_own_model(two_endpoints) -> None:
    objects = {r.inputs["key"]: _written(r) for r in _config_objects(two_endpoints)}
    assert set(objects) == {analysis_config_key("customer-churn"), analysis_config_key("customer-churn-eu")}
    models = {
        label: objects[analysis_config_key(label)]["predictor"]["model_name"]
        for label in ("customer-churn", "customer-churn-eu")
    }
    assert models == {label: _served_model(two_endpoints, label) for label in models}
    assert models["customer-churn"] != models["customer-churn-eu"]
    # Each endpoint's job reads its own config, and its role only that one.
    bucket = two_endpoints.named("artifacts-bucket")
    for label in models:
        [definition] = [
            r
            for r in two_endpoints.of_type(DEFINITION)
            if r.inputs["jobDefinitionName"] == f"prod-{label}-model-explainability"
        ]
        assert definition.inputs["modelExplainabilityAppSpecification"]["configUri"] == (
            f"s3://{bucket.outputs['bucket']}/{analysis_config_key(label)}"
        )
        role = policy_of(two_endpoints.named(f"model-monitors-{label}-jobs-permissions"))
        for other in models:
            assert _reads(role, f"{bucket.outputs['arn']}/{analysis_config_key(other)}") is (other == label)


def test_the_job_definition_reads_the_platform_written_config_created_before_it(all_monitors_graph) -> None:
    graph = all_monitors_graph
    [written] = _config_objects(graph)
    [definition] = graph.of_type(DEFINITION)
    bucket = graph.named("artifacts-bucket").outputs["bucket"]
    assert written.inputs["bucket"] == bucket
    assert definition.inputs["modelExplainabilityAppSpecification"]["configUri"] == (
        f"s3://{bucket}/{written.inputs['key']}"
    )
    # Not the family's hand-made config any more (bias still reads its own there).
    assert "/baselines/" not in definition.inputs["modelExplainabilityAppSpecification"]["configUri"]
    # Created first on the first `pulumi up` (and deleted after the job definition).
    assert written.urn in definition.dependencies
    # Written once the endpoint is updated: a failed or rolled-back deploy leaves the model it serves.
    [endpoint] = graph.of_type("aws:sagemaker/endpoint:Endpoint")
    assert endpoint.urn in written.dependencies


def test_the_monitor_role_reads_its_config_and_nothing_broader(all_monitors_graph, stack_graphs) -> None:
    graph = all_monitors_graph
    artifacts = graph.named("artifacts-bucket").outputs["arn"]
    role = policy_of(graph.named("model-monitors-customer-churn-jobs-permissions"))
    key = analysis_config_key("customer-churn")
    assert _reads(role, f"{artifacts}/{key}")
    for other in (
        analysis_config_key("customer-churn-eu"),
        analysis_config_key("other"),
        "monitoring-config/customer-churn/model_bias/analysis_config.json",
        "monitoring-config/customer-churn/secret.json",
    ):
        assert not _reads(role, f"{artifacts}/{other}"), other
    # The jobs cannot rewrite the model Clarify deploys.
    assert not _writes_anything_under(role, f"{artifacts}/monitoring-config/")
    # Without the explainability monitor, no role reads any such config.
    prod = stack_graphs["prod"]
    prod_role = policy_of(prod.named("model-monitors-customer-churn-jobs-permissions"))
    assert not _reads(prod_role, f"{prod.named('artifacts-bucket').outputs['arn']}/{key}")
    assert _config_objects(prod) == []


def test_the_config_object_is_encrypted_with_the_data_key(all_monitors_graph) -> None:
    [written] = _config_objects(all_monitors_graph)
    key_arn = all_monitors_graph.named("kms-data-key").outputs["arn"]
    assert (written.inputs["serverSideEncryption"], written.inputs["kmsKeyId"]) == ("aws:kms", key_arn)
    assert written.inputs["contentType"] == "application/json"
    # The role that reads it may decrypt it.
    role = policy_of(all_monitors_graph.named("model-monitors-customer-churn-jobs-permissions"))
    assert any(
        "kms:Decrypt" in as_list(s["Action"]) and key_arn in as_list(s["Resource"]) for s in statements(role)
    )


# -- the component: a new version rewrites the object, not the job definition ---------------------------


def _monitors(
    model_name: str | None, template: dict[str, Any] | None = TEMPLATE
) -> ModelQualityMonitoringArgs:
    return model_quality_args(
        ModelQualitySpec(explainability=True),
        endpoint_name="prod-customer-churn",
        tags={"environment": "prod"},
        model_name=model_name,
        explainability_template=template,
    )


def test_a_new_version_rewrites_the_config_and_keeps_the_job_definition() -> None:
    """A deploy of a new version: another model name. The object's key stays and its content names
    the new model; the job definition's inputs are identical (it has no update API: a changed
    ConfigUri would replace it at every deploy)."""
    graphs = {
        version: record_program(lambda name=name: ModelQualityMonitoring("monitors", _monitors(name)))
        for version, name in (("v1", "churn-model-1a2b3c4"), ("v2", "churn-model-9f8e7d6"))
    }
    objects = {version: _config_objects(graph) for version, graph in graphs.items()}
    [v1], [v2] = objects["v1"], objects["v2"]
    assert v1.inputs["key"] == v2.inputs["key"] == analysis_config_key("customer-churn")
    assert _written(v1)["predictor"]["model_name"] == "churn-model-1a2b3c4"
    assert _written(v2)["predictor"]["model_name"] == "churn-model-9f8e7d6"
    assert {**_written(v1), "predictor": None} == {**_written(v2), "predictor": None}
    [d1], [d2] = (graph.of_type(DEFINITION) for graph in graphs.values())
    assert d1.inputs == d2.inputs
    assert (v1.inputs["kmsKeyId"], v1.inputs["serverSideEncryption"]) == (KEY_ARN, "aws:kms")


@pytest.mark.parametrize(
    ("template", "model_name", "message"),
    [
        pytest.param(TEMPLATE, None, "needs model_name", id="no-model"),
        pytest.param(None, "churn-model", "needs model_name", id="no-template"),
        pytest.param(
            {**TEMPLATE, "predictor": {**TEMPLATE["predictor"], "model_name": "hand-made"}},
            "churn-model",
            "explainability_template.predictor.model_name: remove it",
            id="template-names-a-model",
        ),
    ],
)
def test_the_component_refuses_an_explainability_monitor_without_the_served_model(
    template: dict[str, Any] | None, model_name: str | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        _monitors(model_name, template)


def test_the_component_names_every_fault_of_a_template_in_one_error() -> None:
    """The package's args (a project using the components without a stack file) name each key of
    the template to change at once, as the plan does for a stack file's template."""
    predictor = {
        key: value for key, value in TEMPLATE["predictor"].items() if key != "initial_instance_count"
    }
    shap = {**TEMPLATE["methods"]["shap"], "agg_method": "mean-abs"}
    template = {
        **TEMPLATE,
        "methods": {**TEMPLATE["methods"], "shap": shap},
        "predictor": {**predictor, "model_name": "hand-made"},
    }
    with pytest.raises(ValueError) as raised:
        _monitors("churn-model", template)
    message = str(raised.value)
    for key in ("agg_method", "predictor.model_name", "predictor.initial_instance_count"):
        assert f"explainability_template.{'methods.shap.' if key == 'agg_method' else ''}{key}:" in message


# -- bad templates: the stack file and the template named, nothing created ------------------------------

GOOD = json.loads(TEMPLATE_PATH.read_text())


def _without(section: str) -> Callable[[dict[str, Any]], None]:
    return lambda template: template.pop(section)


def _predictor(**changes: Any) -> Callable[[dict[str, Any]], None]:
    return lambda template: template["predictor"].update(changes)


BAD_TEMPLATES: dict[str, tuple[str | Callable[[dict[str, Any]], None], str, str]] = {
    # case: (edit of the template, or its raw text; the template key named; the message's words)
    "not-json": ("{'headers': [oops", "", "not JSON"),
    # Deeper than the parser's recursion: reported as the template's fault, not the validation's bug.
    "nested-too-deep": ("[" * 100_000 + "]" * 100_000, "", "not JSON"),
    "not-an-object": ("[1, 2]", "the document", "must be a JSON object"),
    "no-methods": (_without("methods"), "methods.shap", "'shap' object is required"),
    "methods-without-shap": (
        lambda template: template["methods"].pop("shap"),
        "methods.shap",
        "'shap' object is required",
    ),
    "headers-not-names": (
        lambda template: template.update(headers=[1, 2, 3, 4, 5]),
        "headers",
        "list of the feature names",
    ),
    "no-predictor": (_without("predictor"), "predictor", "a 'predictor' object is required"),
    "predictor-names-a-model": (
        _predictor(model_name="prod-customer-churn-model"),
        "predictor.model_name",
        "the platform sets it",
    ),
    "predictor-names-an-endpoint": (
        _predictor(endpoint_name="prod-customer-churn"),
        "predictor.endpoint_name",
        "instead of a shadow endpoint",
    ),
    "no-instance-type": (
        lambda template: template["predictor"].pop("instance_type"),
        "predictor.instance_type",
        "instance type is required",
    ),
    "zero-instances": (_predictor(initial_instance_count=0), "predictor.initial_instance_count", "1 or more"),
    # JSON's true is not a count (Python's bool is an int).
    "true-instances": (
        _predictor(initial_instance_count=True),
        "predictor.initial_instance_count",
        "1 or more",
    ),
    "not-an-ml-type": (_predictor(instance_type="m5.large"), "predictor.instance_type", "an 'ml.' type"),
    # What the SDK's ModelConfig refuses, Clarify's container would fail on at every run.
    "unknown-content-type": (
        _predictor(content_type="text/plain"),
        "predictor.content_type",
        "one of text/csv, application/jsonlines",
    ),
    "unknown-accept-type": (
        _predictor(accept_type="application/x-npy"),
        "predictor.accept_type",
        "one of text/csv, application/jsonlines, application/json",
    ),
    "json-lines-without-a-template": (
        _predictor(content_type="application/jsonlines"),
        "predictor.content_template",
        "'$features'",
    ),
    "json-without-a-record-template": (
        _predictor(content_type="application/json", content_template="$records"),
        "predictor.record_template",
        "required with content_type application/json",
    ),
    # A row of the baseline per feature in headers: Clarify sends it to the model as a request.
    "baseline-row-too-short": (
        lambda template: template["methods"]["shap"].update(baseline=[[24, 65.0, 1560.0, "month-to-month"]]),
        "methods.shap.baseline[0]",
        "4 values for 5 headers",
    ),
    "unknown-aggregation": (
        lambda template: template["methods"]["shap"].update(agg_method="mean-abs"),
        "methods.shap.agg_method",
        "one of mean_abs, median, mean_sq",
    ),
    "no-samples": (
        lambda template: template["methods"]["shap"].update(num_samples=0),
        "methods.shap.num_samples",
        "a whole number, 1 or more",
    ),
    "baseline-a-local-path": (
        lambda template: template["methods"]["shap"].update(baseline="/data/churn.csv"),
        "methods.shap.baseline",
        "a file name in the family's baselines folder",
    ),
    "baseline-not-rows": (
        lambda template: template["methods"]["shap"].update(baseline={"tenure_months": 24}),
        "methods.shap.baseline",
        "a list of rows or the name of a file of them",
    ),
    "foreign-shadow-prefix": (
        _predictor(endpoint_name_prefix="churn-shadow"),
        "predictor.endpoint_name_prefix",
        "must start with 'sm-clarify'",
    ),
}


@pytest.fixture
def short_dir() -> Iterator[Path]:
    """A folder whose paths stay whole in an error message (a value over 80 characters that a
    message repeats is cut short there, as pytest's own temporary paths would be)."""
    folder = Path(tempfile.mkdtemp(prefix="xai-"))
    yield folder
    shutil.rmtree(folder)


@pytest.mark.parametrize("case", sorted(BAD_TEMPLATES))
def test_a_bad_template_is_refused_naming_the_stack_file_the_template_and_its_key(
    case: str, write_stack, short_dir: Path, capsys
) -> None:
    edit, template_key, words = BAD_TEMPLATES[case]
    template_path = short_dir / "churn-explainability.json"
    if isinstance(edit, str):
        template_path.write_text(edit)
    else:
        template = copy.deepcopy(GOOD)
        edit(template)
        template_path.write_text(json.dumps(template))
    path, _, line = _refused_with(template_path, write_stack, capsys)
    assert str(path) in line and str(template_path) in line and words in line, line
    assert f"{template_key}:" in line, line
    error = program_refusal(path)
    assert [key for key, _ in error.problems] == ["mlops-platform:platform.models[0].explainability_config"]


def test_a_template_with_several_faults_is_refused_naming_each_key_in_one_run(
    write_stack, short_dir: Path, capsys
) -> None:
    """As the README says of an invalid stack file: every key to change, not the first one a plan."""
    template = copy.deepcopy(GOOD)
    template["predictor"]["model_name"] = "churn"
    template["predictor"].pop("initial_instance_count")
    template["methods"]["shap"]["agg_method"] = "mean-abs"
    template_path = short_dir / "churn-explainability.json"
    template_path.write_text(json.dumps(template))

    def point_at_it(platform: dict[str, Any]) -> None:
        _explainability_on(platform)
        platform["models"][0]["explainability_config"] = str(template_path)

    path = write_stack("prod", point_at_it)
    assert main(["--config", str(path)]) == EXIT_INVALID_CONFIG
    lines = [
        line for line in capsys.readouterr().err.splitlines() if "models[0].explainability_config" in line
    ]
    # Each fault its own line (session 64), naming the stack file, the template and the key.
    keys = ("methods.shap.agg_method:", "predictor.model_name:", "predictor.initial_instance_count:")
    assert len(lines) == len(keys), lines
    for line, key in zip(lines, keys, strict=True):
        assert str(path) in line and f"{template_path}: {key}" in line, line


@pytest.mark.parametrize(
    ("make", "words"),
    [
        pytest.param(lambda folder: folder / "no-such.json", "cannot be read (No such file", id="missing"),
        pytest.param(lambda folder: folder, "cannot be read (Is a directory", id="a-directory"),
    ],
)
def test_a_template_path_that_is_no_file_is_refused_naming_the_stack_file_and_the_key(
    make: Callable[[Path], Path], words: str, write_stack, short_dir: Path, capsys
) -> None:
    """Exit 2 with the key and the path, empty stdout: not an OSError's traceback (exit 3)."""
    template_path = make(short_dir)
    path, out, line = _refused_with(template_path, write_stack, capsys)
    assert out == ""
    assert str(path) in line and f"{template_path}: {words}" in line, line


def _adopters_config_sample_count() -> int:
    """The prod stack file in another project, its family's template at ``xai/churn.json`` of
    that project (a num_samples of 7): the num_samples of the config the program writes."""
    from tests.conftest import load_stack_document
    from tests.stacks.conftest import serving_cut
    from tests.yaml_text import dump_document

    with tempfile.TemporaryDirectory(prefix="xai-project-") as name:
        project = Path(name) / "adopter"
        (project / "stacks").mkdir(parents=True)
        (project / "Pulumi.yaml").write_text("name: adopter\nruntime: python\n")
        (project / "xai").mkdir()
        theirs = {**GOOD, "methods": {"shap": {**GOOD["methods"]["shap"], "num_samples": 7}}}
        (project / "xai" / "churn.json").write_text(json.dumps(theirs))
        document = load_stack_document("prod")
        platform = document["config"]["mlops-platform:platform"]
        _explainability_on(platform)
        platform["models"][0]["explainability_config"] = "xai/churn.json"
        serving_cut(platform)  # what the endpoints read (tests/stacks/conftest.py): their monitors stay
        path = project / "stacks" / "Pulumi.prod.yaml"
        path.write_text(dump_document(document))

        graph = record_stack_file(str(path))

    [written] = _config_objects(graph)
    return _written(written)["methods"]["shap"]["num_samples"]


def test_a_relative_template_path_starts_at_the_stack_files_project() -> None:
    """A stack file in another project (``CONFIG=path/to/Pulumi.prod.yaml``, run from here): the
    template is the one under that project's directory (where its Pulumi.yaml is), both when the
    file is checked and when the program writes the endpoint's config. Recorded once per version of
    the code and of this file (a new folder each time: ``recorded_stack`` would record it again in
    every run), with the working directory in the key."""
    # A file of the same relative path here, which must not be the one read.
    assert not (Path.cwd() / "xai" / "churn.json").exists()
    assert computed_once("adopters-template", _adopters_config_sample_count) == 7


@pytest.mark.parametrize("column", ["churned", "customer_id"])
def test_a_template_whose_headers_name_the_label_or_an_identifier_is_refused(
    column: str, write_stack, short_dir: Path, capsys
) -> None:
    """Headers copied from the training extract: the captured requests carry the model inputs only,
    so Clarify would read one column fewer than the headers name at every run."""
    template = copy.deepcopy(GOOD)
    template["headers"] = [*template["headers"], column]
    for row in template["methods"]["shap"]["baseline"]:
        row.append(0)
    template_path = short_dir / "churn-explainability.json"
    template_path.write_text(json.dumps(template))
    path, _, line = _refused_with(template_path, write_stack, capsys)
    assert str(path) in line and f"{template_path}: headers: " in line and f"'{column}'" in line, line


def test_a_family_needs_no_template_without_the_explainability_monitor(write_stack) -> None:
    from tests.config_problems import stack_file_problems

    def no_template(platform: dict[str, Any]) -> None:
        platform["monitoring"]["model_monitors"] = {"model_quality": True, "bias": True}
        del platform["models"][0]["explainability_config"]

    assert stack_file_problems(write_stack("prod", no_template)) == {}


def test_an_explainability_monitor_without_a_template_is_refused(write_stack, capsys) -> None:
    def no_template(platform: dict[str, Any]) -> None:
        _explainability_on(platform)
        del platform["models"][0]["explainability_config"]

    path = write_stack("prod", no_template)
    assert main(["--config", str(path)]) == EXIT_INVALID_CONFIG
    err = capsys.readouterr().err
    assert (
        f"{path}: mlops-platform:platform.models[0].explainability_config: missing: endpoint customer-churn's"
        in err
    )
    program_refusal(path)


def test_an_explainability_monitor_on_an_endpoint_of_no_family_is_refused(write_stack, capsys) -> None:
    """An image (or a pinned version, another account's group without ``family``): no family's
    template says how to explain it."""

    def image(platform: dict[str, Any]) -> None:
        _explainability_on(platform)
        # Named apart from the family (an image endpoint is monitored as its own name).
        platform["endpoints"][0]["name"] = "churn-image"
        platform["endpoints"][0]["variants"][0]["model"] = {
            "image": "333333333333.dkr.ecr.eu-west-1.amazonaws.com/churn:1",
            "model_data_url": "s3://prod-models/churn/model.tar.gz",
        }

    path = write_stack("prod", image)
    status = main(["--config", str(path)])
    err = capsys.readouterr().err
    assert status == EXIT_INVALID_CONFIG, err
    assert (
        f"{path}: mlops-platform:platform.monitoring.model_monitors.explainability: endpoint churn-image is "
        "monitored as 'churn-image', not a model family of this stack" in err
    )
    program_refusal(path)


@pytest.mark.parametrize(
    "content_type",
    [
        "text/csv",
        "application/jsonlines",
        "application/json",
        "image/png",
        "application/x-npy",
        "text/plain",
        "CSV",
    ],
)
def test_the_template_takes_the_content_types_the_sdk_takes(content_type: str) -> None:
    """A content (and accept) type the SDK's ModelConfig accepts is accepted here, and one it
    refuses is refused here (with the templates each needs)."""
    clarify = pytest.importorskip("sagemaker.core.clarify")
    templates = {"content_template": "$features $record", "record_template": "$features_kvp"}

    def sdk_takes(**settings: str) -> bool:
        try:
            clarify.ModelConfig(
                model_name="m", instance_count=1, instance_type="ml.m5.large", **templates, **settings
            )
        except ValueError:
            return False
        return True

    from components.observability.explainability_config import template_problems

    for key in ("content_type", "accept_type"):
        template = copy.deepcopy(TEMPLATE)
        template["predictor"] |= {**templates, key: content_type}
        refused = {location for location, _ in template_problems(template)}
        assert (("predictor", key) not in refused) is sdk_takes(**{key: content_type}), key


def test_the_shipped_template_is_one_the_sdk_would_write_but_for_the_model() -> None:
    """The sample template, given the model, is what the SDK's own ExplainabilityAnalysisConfig
    writes for the same settings (so Clarify reads it as it reads the SDK's)."""
    clarify = pytest.importorskip("sagemaker.core.clarify")
    monitoring = pytest.importorskip("sagemaker.core.model_monitor.clarify_model_monitoring")
    template = read_template(TEMPLATE_PATH)
    shap = template["methods"]["shap"]
    predictor = template["predictor"]
    sdk = monitoring.ExplainabilityAnalysisConfig(
        clarify.SHAPConfig(
            baseline=shap["baseline"], num_samples=shap["num_samples"], agg_method=shap["agg_method"]
        ),
        clarify.ModelConfig(
            model_name="churn-model-1a2b3c4",
            instance_count=predictor["initial_instance_count"],
            instance_type=predictor["instance_type"],
            content_type=predictor["content_type"],
            accept_type=predictor["accept_type"],
        ),
        headers=template["headers"],
    )._to_dict()
    from components.observability.explainability_config import render

    ours = json.loads(render(template, "churn-model-1a2b3c4"))
    assert ours["predictor"] == sdk["predictor"]
    assert ours["headers"] == sdk["headers"]
    assert {k: v for k, v in sdk["methods"]["shap"].items() if k in shap} == shap
