"""A hand-mutation audit of the explainability monitor's per-endpoint Clarify analysis config.

Modules audited, one-step mutations applied one at a time (pass 1 against the code as merged; pass
2, after the fixes below, re-ran every survivor with these tests and mutated the fixes), each run
against tests/components/test_explainability_predictor.py, test_clarify_monitor_runtime_audit.py
and test_model_quality_monitoring.py (plus tests/models/test_customer_churn_steps.py for the
sample, tests/stacks/test_model_monitor_switch.py for the stack file) and, in pass 2, this file:

======================================  =========  ========  ==========  ==========  ==========
module                                  mutations  survived  caught now  equivalent  left alone
======================================  =========  ========  ==========  ==========  ==========
observability/explainability_config.py         99        34          30           4           0
observability/model_quality_monitoring.py      29         5           5           0           0
policy_documents.py (clarify_shadow_...)       12         2           2           0           0
stacks/config.py (explainability_config)       16         4           3           1           0
stacks/composition/observability.py             6         4           3           1           0
models/customer-churn/explainability.json      10         3           1           0           2
total                                         172        52          44           6           2
======================================  =========  ========  ==========  ==========  ==========

(explainability_config.py's 99 include 13 mutations of the fixes, stacks/config.py's 16 two; none
of those survived.)

Bugs found (each fixed in its own commit with a CHANGELOG "### Fixed:" entry; the test named
fails on the old code):

1. A JSON Lines baseline in AWS's own form (``[{"features": [...]}]``, the documented example,
   which Clarify's schema takes) was refused as "must be a list of rows": accepted now for a JSON
   Lines model, the record holding the features where its content_template places them (narrowed
   by the review, test_explainability_review.py; test_aws_s_json_lines_example_with_its_record_rows_is_accepted).
2. ``endpoint_name_prefix: sm-clarify_churn`` passed the plan (and the SDK, which reads its first
   two characters) though SageMaker names take letters, digits and hyphens only, so every run's
   CreateEndpointConfig would fail (test_a_shadow_endpoint_prefix_with_a_character_...).
3. Headers naming the training label or an identifier were a cross-check, run only after the
   template's own checks passed: a template with both faults took two plans. The headers are now
   checked with the rest, in the field's one message (test_a_template_naming_the_label_and_a_
   model_is_refused_naming_both_keys_in_one_plan).

Caught now (the test that kills each; pass 2 verified every one):

- Formats and aggregations exactly the SDK's (ModelConfig, SHAPConfig): E10 image/jpg dropped,
  E13 application/x-parquet added, E18 "mean" added, E46 agg_method case-folded
  (test_each_format_..., test_each_aggregation_...).
- Optional keys stay optional (AWS's CSV example and each optional key left out): E24 headers,
  E44 agg_method, E50 num_samples, E61 baseline, E62 content_type required; E60 rows checked
  against missing headers (test_aws_s_own_example_and_its_optional_keys_left_out_are_accepted).
- What Clarify's schema refuses, refused by key (test_a_value_clarify_would_refuse_...): E25 a
  mixed header list, E26 headers a string, E31 a predictor that is no object, E37 a 1.0 count,
  E47/E48 num_samples true or 100.0, E40 an empty prefix, E41 a prefix holding sm-clarify
  inside, E42 a non-string prefix (a TypeError on the fixed code), E53 ``s3:/``, E54 an empty
  baseline, E55 a bare value among rows, E56 a long row, E58 only the first row checked, E66 a
  JSON Lines template without $features, E68 a JSON template without $record; and accepted
  (test_a_value_clarify_takes_is_accepted): E51 one sample refused, E71 $record demanded of
  JSON Lines.
- Reading: E75 a non-UTF-8 file a traceback, E79 read as Latin-1 (the two UTF-8 tests).
- The object: M13 without its mlops:endpoint tag, M14 and O03 the platform's and required tag
  keys not kept first (test_the_config_object_keeps_...); M15 no parent, a new URN that would
  create the new object and delete the old one of the same key (test_the_config_object_belongs_
  ...); M23 written for a template passed without the monitor (test_a_template_given_without_...);
  M27 every job definition waiting for it (test_only_the_explainability_job_definition_waits_...).
- IAM: P05 endpoint-config/* and P08 AddTags on models (test_every_sagemaker_grant_...).
- The stack: C08 and C12 a second family's fault keyed models[0] (C12's code, the cross-check,
  was replaced by fix 3; the key is now the field's own: test_a_second_family_s_...); C13 a family
  that does not train here read for a label (test_a_family_that_does_not_train_...); O01 the last
  variant's model (test_the_config_names_the_first_variant_s_model_...); O06 the first family's
  template for every endpoint (test_each_endpoint_s_config_comes_from_its_own_family_s_template);
  S08 a contract type the model never saw in the sample's baseline (test_the_sample_s_baseline_...).

Equivalent: E06 the key without ``.json`` (the object, ConfigUri and role read all use the one
function); E81 the template's predictor keys winning over model_name (no template may hold one:
the plan and the args refuse it); E85 unsorted keys and E86 non-ASCII kept (the same JSON); C14
monitored_family_of reading the last variant's ``family`` (the stack refuses ``family`` on any
but the first variant, so both read None); O04 the template passed without the monitor (the
component writes nothing without the kind, pinned by M23's test).

Left alone: S05 the sample's agg_method median, S06 its two shadow instances: valid choices of
the team's, not a behaviour to pin. Not fixed, for the lead: an ``s3://`` baseline in a template
can be readable by one stack at most (the artifact bucket's name is generated, and each stack's
``baselines/<group>/`` differs), yet the plan accepts any ``s3://`` URI (fixed in session 63: refused,
and a file name is resolved per stack, tests/components/test_explainability_leftovers_63.py); and a template fault is a
field error, so cross-checks elsewhere in the stack file come on the next plan (the stack file's
staged validation, not this feature's).
"""

from __future__ import annotations

import copy
import fnmatch
import json
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from components.observability.explainability_config import (
    ACCEPT_TYPES,
    AGGREGATIONS,
    CONTENT_TYPES,
    analysis_config_key,
    dotted,
    read_template,
    render,
    template_problems,
)
from components.observability.model_quality_monitoring import (
    ModelQualityMonitoring,
    ModelQualityMonitoringArgs,
)
from components.observability.model_quality_spec import ModelQualitySpec
from planner.recorder import RecordedResource, ResourceGraph, record_program, record_stack_file
from tests.components.model_quality_args import model_quality_args
from tests.conftest import REPO
from tests.graph_helpers import as_list, policy_of, statements

SAMPLE = REPO / "models" / "customer-churn" / "explainability.json"
OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2"
DEFINITION = "aws-native:sagemaker:ModelExplainabilityJobDefinition"
# AWS's own CSV example (Parameters to Monitor Attribution Drift), without the model the platform adds
# and with the content_type the platform requires (left out, Clarify takes the capture's format).
AWS_CSV_EXAMPLE: dict[str, Any] = {
    "headers": ["feature_1", "feature_2", "feature_3"],
    "methods": {
        "shap": {
            "baseline": [[0.4441164946610942, 0.5190374448171748, 0.20722795300473712]],
            "num_samples": 100,
            "agg_method": "mean_abs",
        }
    },
    "predictor": {"instance_type": "ml.m5.xlarge", "initial_instance_count": 1, "content_type": "text/csv"},
}


def _refused(template: object) -> set[str]:
    """The template's keys the plan names (``predictor.instance_type``, ``methods.shap.baseline[1]``)."""
    return {dotted(location) or "the document" for location, _ in template_problems(template)}


def _with(**changes: Any) -> dict[str, Any]:
    """AWS's CSV example with ``changes`` applied: ``predictor__content_type="text/csv"`` sets
    ``predictor.content_type``; a value of ``...`` removes the key."""
    template = copy.deepcopy(AWS_CSV_EXAMPLE)
    for path, value in changes.items():
        *parents, key = path.split("__")
        node = template
        for parent in parents:
            node = node[parent]
        if value is ...:
            node.pop(key, None)
        else:
            node[key] = value
    return template


# -- what Clarify accepts: optional keys stay optional ----------------------------------------------------


def test_aws_s_own_example_and_its_optional_keys_left_out_are_accepted() -> None:
    """The documented example, and each key the page calls optional (or the SDK writes only when
    given) left out: headers, the SHAP baseline, num_samples and agg_method, and the predictor's
    accept type. Clarify chooses num_samples by the feature count. Not content_type (session 63):
    left out, Clarify takes the captured data's format, which the plan cannot know, so the job's
    FeaturesAttribute (required for JSON Lines captures) could not be derived from the template."""
    assert _refused(AWS_CSV_EXAMPLE) == set()
    for key in (
        "headers",
        "methods__shap__baseline",
        "methods__shap__num_samples",
        "methods__shap__agg_method",
    ):
        assert _refused(_with(**{key: ...})) == set(), key
    minimal = {
        "methods": {"shap": {}},
        "predictor": {
            "instance_type": "ml.m5.large",
            "initial_instance_count": 1,
            "content_type": "text/csv",
        },
    }
    assert _refused(minimal) == set()
    # Without headers the rows' lengths cannot be checked, and are not refused for it.
    assert _refused(_with(headers=..., methods__shap__baseline=[[1, 2], [3, 4, 5]])) == set()


def _sdk_model_config_takes(**settings: str) -> bool:
    clarify = pytest.importorskip("sagemaker.core.clarify")
    templates = {"content_template": "$features $record", "record_template": "$features_kvp"}
    try:
        clarify.ModelConfig(
            model_name="m", instance_count=1, instance_type="ml.m5.large", **templates, **settings
        )
    except ValueError:
        return False
    return True


# Every type either list names, the SDK's schema of the analysis config, or the AWS page lists.
FORMATS = sorted(
    {
        *CONTENT_TYPES,
        *ACCEPT_TYPES,
        "image/jpg",
        "application/x-parquet",
        "application/x-image",
        "application/sagemakercapturejson",
        "text/plain",
    }
)


@pytest.mark.parametrize("media_type", FORMATS)
def test_each_format_is_accepted_exactly_when_the_sdk_s_model_config_takes_it(media_type: str) -> None:
    """For content_type and accept_type alike (with the templates JSON needs), over every type the
    SDK, its schema or the docs name: the list here is the SDK's, not a subset or a superset."""
    for key in ("content_type", "accept_type"):
        template = _with(
            **{
                f"predictor__{key}": media_type,
                "predictor__content_template": "$features $record",
                "predictor__record_template": "$features_kvp",
            }
        )
        accepted = f"predictor.{key}" not in _refused(template)
        assert accepted is _sdk_model_config_takes(**{key: media_type}), (key, media_type)


@pytest.mark.parametrize("method", [*AGGREGATIONS, "mean", "MEAN_ABS", "mean-abs", "sum"])
def test_each_aggregation_is_accepted_exactly_when_the_sdk_s_shap_config_takes_it(method: str) -> None:
    clarify = pytest.importorskip("sagemaker.core.clarify")
    try:
        clarify.SHAPConfig(baseline=[[1, 2, 3]], agg_method=method)
        sdk_takes = True
    except ValueError:
        sdk_takes = False
    assert ("methods.shap.agg_method" not in _refused(_with(methods__shap__agg_method=method))) is sdk_takes
    assert set(AGGREGATIONS) == {"mean_abs", "median", "mean_sq"}


# -- what Clarify refuses: types its schema checks ------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        # Sections of the wrong JSON type (a string where Clarify reads an object).
        pytest.param({"predictor": "ml.m5.xlarge"}, "predictor", id="predictor-a-string"),
        pytest.param({"predictor": [{"instance_type": "ml.m5.xlarge"}]}, "predictor", id="predictor-a-list"),
        # Clarify's schema reads headers as [str].
        pytest.param({"headers": ["feature_1", 2, "feature_3"]}, "headers", id="headers-mixed"),
        pytest.param({"headers": "feature_1,feature_2,feature_3"}, "headers", id="headers-a-string"),
        # initial_instance_count and num_samples are ints (JSON 1.0 is a float; true is no count).
        pytest.param(
            {"predictor__initial_instance_count": 1.0}, "predictor.initial_instance_count", id="count-float"
        ),
        pytest.param({"methods__shap__num_samples": True}, "methods.shap.num_samples", id="samples-true"),
        pytest.param({"methods__shap__num_samples": 100.0}, "methods.shap.num_samples", id="samples-float"),
        pytest.param({"methods__shap__num_samples": -5}, "methods.shap.num_samples", id="samples-negative"),
        pytest.param({"predictor__instance_type": 5}, "predictor.instance_type", id="instance-type-a-number"),
        pytest.param({"predictor__instance_type": "ml"}, "predictor.instance_type", id="instance-type-ml"),
        # The shadow endpoint's name prefix: SageMaker names must start with a letter or digit, and
        # the role may run sm-clarify* only.
        pytest.param(
            {"predictor__endpoint_name_prefix": ""}, "predictor.endpoint_name_prefix", id="prefix-empty"
        ),
        pytest.param(
            {"predictor__endpoint_name_prefix": 5}, "predictor.endpoint_name_prefix", id="prefix-a-number"
        ),
        pytest.param(
            {"predictor__endpoint_name_prefix": "churn-sm-clarify"},
            "predictor.endpoint_name_prefix",
            id="prefix-inside",
        ),
        # The baseline: at least one row (AWS), each a row, every row one value per header.
        pytest.param({"methods__shap__baseline": []}, "methods.shap.baseline", id="baseline-empty"),
        pytest.param(
            {"methods__shap__baseline": [[1, 2, 3], 4]}, "methods.shap.baseline", id="baseline-a-value"
        ),
        pytest.param(
            {"methods__shap__baseline": [[1, 2, 3, 4]]}, "methods.shap.baseline[0]", id="baseline-row-long"
        ),
        pytest.param(
            {"methods__shap__baseline": [[1, 2, 3], [1, 2]]},
            "methods.shap.baseline[1]",
            id="baseline-second-row",
        ),
        pytest.param(
            {"methods__shap__baseline": "s3:/bucket/rows.csv"},
            "methods.shap.baseline",
            id="baseline-s3-one-slash",
        ),
        pytest.param(
            {"methods__shap__baseline": "S3://bucket/rows.csv"},
            "methods.shap.baseline",
            id="baseline-upper-s3",
        ),
        # JSON Lines and JSON requests are built from templates Clarify fills.
        pytest.param(
            {"predictor__content_type": "application/jsonlines", "predictor__content_template": '{"x": 1}'},
            "predictor.content_template",
            id="jsonlines-template-without-features",
        ),
        pytest.param(
            {
                "predictor__content_type": "application/json",
                "predictor__content_template": '{"instances": []}',
                "predictor__record_template": "$features_kvp",
            },
            "predictor.content_template",
            id="json-template-without-records",
        ),
    ],
)
def test_a_value_clarify_would_refuse_is_refused_naming_its_key(changes: dict[str, Any], key: str) -> None:
    assert key in _refused(_with(**changes))


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"methods__shap__num_samples": 1}, id="one-sample"),
        pytest.param({"predictor__initial_instance_count": 3}, id="three-instances"),
        pytest.param({"predictor__endpoint_name_prefix": "sm-clarify"}, id="the-default-prefix"),
        pytest.param({"predictor__endpoint_name_prefix": "sm-clarify-churn"}, id="a-longer-prefix"),
        pytest.param(
            {"methods__shap__baseline": "shap_baseline.csv"}, id="baseline-file-in-the-family-folder"
        ),
        pytest.param({"methods__shap__baseline": [[1, 2, 3], [4, 5.5, "a"]]}, id="two-rows"),
        pytest.param(
            {
                "predictor__content_type": "application/jsonlines",
                "predictor__content_template": '{"features":$features}',
            },
            id="jsonlines",
        ),
        pytest.param(
            {
                "predictor__content_type": "application/json",
                "predictor__content_template": '{"instances":$records}',
                "predictor__record_template": "$features",
            },
            id="json-records",
        ),
        pytest.param(
            {
                "predictor__content_type": "application/json",
                "predictor__content_template": "$record",
                "predictor__record_template": "$features_kvp",
            },
            id="json-one-record",
        ),
    ],
)
def test_a_value_clarify_takes_is_accepted(changes: dict[str, Any]) -> None:
    assert _refused(_with(**changes)) == set()


# -- reading the template -------------------------------------------------------------------------------


def test_a_template_that_is_not_utf8_is_refused_as_not_json_naming_its_path(tmp_path: Path) -> None:
    """A template saved in another encoding: the plan's refusal (ValueError, exit 2), not a
    UnicodeDecodeError traceback (exit 3)."""
    path = tmp_path / "latin-1.json"
    path.write_bytes(json.dumps(AWS_CSV_EXAMPLE).replace("feature_1", "caf\u00e9").encode("latin-1"))
    with pytest.raises(ValueError, match=f"^{path}: not JSON"):
        read_template(path)


def test_a_template_is_read_as_utf8_and_written_with_the_same_names(tmp_path: Path) -> None:
    """Headers in UTF-8 (a non-ASCII feature name) reach Clarify's config as the same names."""
    path = tmp_path / "names.json"
    template = _with(headers=["d\u00e9bit_mensuel", "feature_2", "feature_3"])
    path.write_text(json.dumps(template, ensure_ascii=False), encoding="utf-8")
    read = read_template(path)
    assert read["headers"][0] == "d\u00e9bit_mensuel"
    assert json.loads(render(read, "churn-model"))["headers"] == template["headers"]


def test_the_config_is_the_template_with_the_served_model_and_nothing_else_changed() -> None:
    """render: every key of the template kept as written, the model added (never an endpoint)."""
    template = _with(
        predictor__content_type="text/csv",
        predictor__accept_type="text/csv",
        predictor__endpoint_name_prefix="sm-clarify-churn",
        version="1.0",
    )
    config = json.loads(render(template, "churn-model-1a2b3c4"))
    assert config == {**template, "predictor": {**template["predictor"], "model_name": "churn-model-1a2b3c4"}}
    assert "endpoint_name" not in config["predictor"]
    assert template["predictor"].get("model_name") is None  # the template itself is not changed


# -- the object the stack writes ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def many_tags(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    """Prod with the explainability monitor and more stack tags than an S3 object takes (10)."""
    from tests.conftest import load_stack_document
    from tests.recorded import recorded_stack
    from tests.stacks.conftest import serving_cut
    from tests.yaml_text import dump_document

    document = load_stack_document("prod")
    platform = document["config"]["mlops-platform:platform"]
    platform["monitoring"]["model_monitors"] = {"model_quality": True, "explainability": True}
    # Extra tags first, the required ones last: an object keeping the first ten would lose them.
    required = {key: platform["tags"].pop(key) for key in ("owner", "cost-center")}
    platform["tags"] = {f"team-{index:02}": "x" for index in range(12)} | platform["tags"] | required
    serving_cut(platform)  # what the endpoints read (tests/stacks/conftest.py): their monitors stay
    path = tmp_path_factory.mktemp("many-tags") / "Pulumi.prod.yaml"
    path.write_text(dump_document(document))
    return recorded_stack(path)


def _config_object(graph: ResourceGraph) -> RecordedResource:
    [written] = [r for r in graph.of_type(OBJECT) if r.inputs["key"] == analysis_config_key("customer-churn")]
    return written


def test_the_config_object_keeps_the_endpoint_platform_and_required_tags_first(
    many_tags: ResourceGraph,
) -> None:
    """An S3 object takes 10 tags: the object names its endpoint and keeps the platform's and the
    required cost-allocation tags (owner, cost-center) before the stack's others."""
    tags = _config_object(many_tags).inputs["tags"]
    assert len(tags) == 10
    assert tags["mlops:endpoint"] == "customer-churn"
    for key in ("environment", "managed-by", "stack", "owner", "cost-center"):
        assert key in tags, key


def test_the_config_object_belongs_to_the_monitors_component(all_monitors_graph: ResourceGraph) -> None:
    """Its URN under the component: moved to the stack's root it would get a new URN, and Pulumi
    would create the new object and then delete the old one, of the same key: the config gone."""
    written = _config_object(all_monitors_graph)
    [component] = [
        r
        for r in all_monitors_graph.of_type("mlops:observability:ModelQualityMonitoring")
        if r.name == "model-monitors-customer-churn"
    ]
    assert written.parent == component.urn
    assert written.name == "model-monitors-customer-churn-explainability-config"


def test_the_job_definition_s_output_and_the_config_use_the_one_data_key(
    all_monitors_graph: ResourceGraph,
) -> None:
    """The job reads the config with the key its own reports and volume are encrypted with, which
    its role may decrypt: one key, not the bucket's default or an AWS-managed key."""
    graph = all_monitors_graph
    written = _config_object(graph)
    [definition] = graph.of_type(DEFINITION)
    key_arn = graph.named("kms-data-key").outputs["arn"]
    assert written.inputs["kmsKeyId"] == key_arn
    assert definition.inputs["modelExplainabilityJobOutputConfig"]["kmsKeyId"] == key_arn
    role = policy_of(graph.named("model-monitors-customer-churn-jobs-permissions"))
    decrypts = [s for s in statements(role) if "kms:Decrypt" in as_list(s["Action"])]
    assert decrypts and all(key_arn in as_list(s["Resource"]) for s in decrypts)


def test_every_sagemaker_grant_of_the_monitor_role_is_on_clarify_s_shadow_resources_only(
    all_monitors_graph: ResourceGraph,
) -> None:
    """AddTags (and every other SageMaker action the role holds) on ``sm-clarify*`` endpoint
    configs and endpoints of this account and region, and on nothing else: not the model Clarify
    deploys, not the production endpoint's config, not a wildcard."""
    graph = all_monitors_graph
    [endpoint] = graph.of_type("aws:sagemaker/endpoint:Endpoint")
    arn = endpoint.outputs["arn"].split(":endpoint/")[0]
    shadow = {f"{arn}:endpoint/sm-clarify*", f"{arn}:endpoint-config/sm-clarify*"}
    role = policy_of(graph.named("model-monitors-customer-churn-jobs-permissions"))
    granted: dict[str, set[str]] = {}
    for statement in statements(role):
        for action in as_list(statement["Action"]):
            if action.startswith("sagemaker:"):
                assert statement["Effect"] == "Allow" and "Condition" not in statement
                granted.setdefault(action, set()).update(as_list(statement["Resource"]))
    assert granted == {
        "sagemaker:CreateEndpointConfig": {f"{arn}:endpoint-config/sm-clarify*"},
        "sagemaker:DescribeEndpointConfig": {f"{arn}:endpoint-config/sm-clarify*"},
        "sagemaker:DeleteEndpointConfig": {f"{arn}:endpoint-config/sm-clarify*"},
        "sagemaker:CreateEndpoint": shadow,
        "sagemaker:DescribeEndpoint": {f"{arn}:endpoint/sm-clarify*"},
        "sagemaker:InvokeEndpoint": {f"{arn}:endpoint/sm-clarify*"},
        "sagemaker:DeleteEndpoint": {f"{arn}:endpoint/sm-clarify*"},
        "sagemaker:AddTags": shadow,
    }
    assert not any(
        fnmatch.fnmatchcase(action, "iam:*") for s in statements(role) for action in as_list(s["Action"])
    )


def test_the_monitor_role_cannot_write_the_config_it_reads(all_monitors_graph: ResourceGraph) -> None:
    """The job's own outputs (``monitoring/``) and the config (the platform's prefix) apart: a job
    that could rewrite its config could point Clarify's shadow endpoint at another model."""
    graph = all_monitors_graph
    artifacts = graph.named("artifacts-bucket").outputs["arn"]
    config_arn = f"{artifacts}/{analysis_config_key('customer-churn')}"
    role = policy_of(graph.named("model-monitors-customer-churn-jobs-permissions"))
    writes = [
        pattern
        for statement in statements(role)
        if statement["Effect"] == "Allow"
        and {"s3:PutObject", "s3:DeleteObject", "s3:*"} & set(as_list(statement["Action"]))
        for pattern in as_list(statement["Resource"])
    ]
    assert writes, "the jobs write their reports"
    assert not any(fnmatch.fnmatchcase(config_arn, pattern) for pattern in writes)
    assert not analysis_config_key("customer-churn").startswith("monitoring/")


# -- fixed: a JSON Lines baseline in AWS's own form -------------------------------------------------------

# AWS's JSON Lines example (Parameters to Monitor Attribution Drift), without the model.
AWS_JSON_LINES_EXAMPLE: dict[str, Any] = {
    "headers": ["feature_1", "feature_2", "feature_3"],
    "methods": {
        "shap": {
            "baseline": [{"features": [0.4441164946610942, 0.5190374448171748, 0.20722795300473712]}],
            "num_samples": 100,
            "agg_method": "mean_abs",
        }
    },
    "predictor": {
        "instance_type": "ml.m5.xlarge",
        "initial_instance_count": 1,
        "content_template": '{"features":$features}',
    },
}


def test_aws_s_json_lines_example_with_its_record_rows_is_accepted(tmp_path: Path) -> None:
    """Its baseline rows are JSON Lines records (``{"features": [...]}``, the captured data's
    format, which Clarify's schema takes): the plan refused them as "not a list of rows", so a JSON
    Lines family could give an inline baseline only as CSV-style lists, not its data's format. AWS's
    example leaves ``content_type`` to the captured data and sets ``FeaturesAttribute`` itself; here
    the template says it is a JSON Lines model, and the platform takes the path from it."""
    explicit = copy.deepcopy(AWS_JSON_LINES_EXAMPLE)
    explicit["predictor"]["content_type"] = "application/jsonlines"
    path = tmp_path / "jsonlines.json"
    path.write_text(json.dumps(explicit))
    assert read_template(path) == explicit
    config = json.loads(render(explicit, "churn-model"))
    assert config["methods"]["shap"]["baseline"] == AWS_JSON_LINES_EXAMPLE["methods"]["shap"]["baseline"]


def test_a_record_row_is_refused_for_a_csv_model_and_rows_must_still_be_rows() -> None:
    """A CSV model takes a row as values; a bare value or string is no row in any format."""
    csv_model = _with(predictor__content_type="text/csv", methods__shap__baseline=[{"features": [1, 2, 3]}])
    assert _refused(csv_model) == {"methods.shap.baseline"}
    for baseline in ([[1, 2, 3], "4,5,6"], [5], [{"features": [1, 2, 3]}, None]):
        assert _refused(_with(methods__shap__baseline=baseline)) == {"methods.shap.baseline"}, baseline
    # A list row is still held to one value per header, next to a record row.
    mixed = _with(
        predictor__content_type="application/jsonlines",
        predictor__content_template='{"features": $features}',
        methods__shap__baseline=[{"features": [1, 2, 3]}, [1, 2]],
    )
    assert _refused(mixed) == {"methods.shap.baseline[1]"}


# -- fixed: a shadow endpoint prefix SageMaker cannot name an endpoint with --------------------------------


@pytest.mark.parametrize(
    "prefix", ["sm-clarify_churn", "sm-clarify.churn", "sm-clarify churn", "sm-clarify/x"]
)
def test_a_shadow_endpoint_prefix_with_a_character_sagemaker_names_refuse_is_refused(prefix: str) -> None:
    """Clarify names the shadow endpoint and its config from the prefix; SageMaker takes letters,
    digits and hyphens only (botocore: EndpointName and EndpointConfigName ``[a-zA-Z0-9](-*[a-zA-Z0-9])*``).
    ``sm-clarify_churn`` passed the plan (it starts with ``sm-clarify``) and every run's
    CreateEndpointConfig failed; the SDK's own check reads only the first two characters."""
    clarify = pytest.importorskip("sagemaker.core.clarify")
    clarify.ModelConfig(
        model_name="m", instance_count=1, instance_type="ml.m5.large", endpoint_name_prefix=prefix
    )
    assert _refused(_with(predictor__endpoint_name_prefix=prefix)) == {"predictor.endpoint_name_prefix"}


def test_the_prefixes_sagemaker_can_name_with_match_its_name_pattern() -> None:
    import re

    from tests.botocore_models import service_model

    pattern = service_model("sagemaker")["shapes"]["EndpointConfigName"]["pattern"]
    for prefix in ("sm-clarify", "sm-clarify-churn", "sm-clarify-churn-2", "sm-clarify--x"):
        assert _refused(_with(predictor__endpoint_name_prefix=prefix)) == set(), prefix
        # Clarify appends its own suffix to the prefix (sm-clarify-config-<time>-<id>).
        assert re.fullmatch(pattern, f"{prefix}-config-1746251067-14e5"), prefix


# -- the stack file: each family's template, keyed by its own entry ---------------------------------------


def _two_families(platform: dict[str, Any]) -> None:
    """Prod with the explainability monitor and a second family, ``retention``, served by an
    endpoint of its own: ``models[1]``."""
    platform["monitoring"]["model_monitors"] = {"model_quality": True, "explainability": True}
    second = copy.deepcopy(platform["models"][0])
    second["name"] = "retention"
    for key in ("batch_scoring", "evidently"):
        second.pop(key, None)
    platform["models"].append(second)
    endpoint = copy.deepcopy(platform["endpoints"][0])
    endpoint["name"] = "retention"
    endpoint["variants"][0]["model"] = {"latest_approved_of": "retention"}
    platform["endpoints"].append(endpoint)


def _labelled_template(folder: Path) -> str:
    """The sample template with the family's label among its headers."""
    template = json.loads(SAMPLE.read_text())
    template["headers"].append("churned")
    for row in template["methods"]["shap"]["baseline"]:
        row.append(0)
    path = folder / "labelled.json"
    path.write_text(json.dumps(template))
    return str(path)


def test_a_second_family_s_missing_or_labelled_template_is_keyed_by_its_own_entry(
    write_stack, tmp_path
) -> None:
    from tests.config_problems import stack_file_problems

    key = "mlops-platform:platform.models[1].explainability_config"

    def missing(platform: dict[str, Any]) -> None:
        _two_families(platform)
        del platform["models"][1]["explainability_config"]

    problems = stack_file_problems(write_stack("prod", missing))
    assert list(problems) == [key] and "missing: endpoint retention's" in problems[key]

    def labelled(platform: dict[str, Any]) -> None:
        _two_families(platform)
        platform["models"][1]["explainability_config"] = _labelled_template(tmp_path)

    problems = stack_file_problems(write_stack("prod", labelled))
    assert list(problems) == [key] and "headers: 'churned'" in problems[key]
    assert stack_file_problems(write_stack("prod", _two_families)) == {}


def test_a_family_that_does_not_train_here_is_not_checked_against_a_label(write_stack) -> None:
    """A stack that trains nothing (its families' versions come from elsewhere): no training label
    to compare the headers with, and the plan reads the template without one."""
    from tests.config_problems import stack_file_problems

    def serving_only(platform: dict[str, Any]) -> None:
        _two_families(platform)
        platform.setdefault("training", {})["enabled"] = False
        for model in platform["models"]:
            model.pop("training", None)

    assert stack_file_problems(write_stack("prod", serving_only)) == {}


def _two_variants_graph() -> ResourceGraph:
    """Recorded in a folder of its own: the stack file names retention's template by its path."""
    from tests.conftest import load_stack_document
    from tests.stacks.conftest import serving_cut
    from tests.yaml_text import dump_document

    document = load_stack_document("prod")
    platform = document["config"]["mlops-platform:platform"]
    _two_families(platform)
    retention = json.loads(SAMPLE.read_text())
    retention["methods"]["shap"]["num_samples"] = 7
    with tempfile.TemporaryDirectory(prefix="two-variants-") as name:
        folder = Path(name)
        (folder / "retention.json").write_text(json.dumps(retention))
        platform["models"][1]["explainability_config"] = str(folder / "retention.json")
        variant = copy.deepcopy(platform["endpoints"][0]["variants"][0])
        variant.pop("scaling", None)
        variant |= {"name": "challenger", "model": {"latest_approved_of": "retention"}}
        platform["endpoints"][0]["variants"].append(variant)
        serving_cut(platform)  # what the endpoints read (tests/stacks/conftest.py): their monitors stay
        path = folder / "Pulumi.prod.yaml"
        path.write_text(dump_document(document))
        return record_stack_file(str(path))


@pytest.fixture(scope="module")
def two_variants() -> ResourceGraph:
    """Prod's endpoint with a second production variant serving another family (``retention``,
    whose template differs: ``num_samples`` 7), and retention's own endpoint. Once per version of
    the code and of this file (the stack file names a temporary folder, so ``recorded_stack`` would
    record it again in every run): the template and the stack file are made from the sample and
    the prod fixture, both in the key."""
    from tests.recorded import computed_once

    return computed_once("two-variants", _two_variants_graph)


def test_the_config_names_the_first_variant_s_model_and_its_family_s_template(
    two_variants: ResourceGraph,
) -> None:
    """The endpoint is monitored as its first production variant's family: Clarify's shadow
    endpoint runs that variant's model (not the challenger's), explained with that family's template."""
    graph = two_variants
    [endpoint] = [
        r
        for r in graph.of_type("aws:sagemaker/endpoint:Endpoint")
        if r.name == "endpoint-customer-churn-endpoint"
    ]
    [config] = [
        r
        for r in graph.of_type("aws:sagemaker/endpointConfiguration:EndpointConfiguration")
        if r.outputs["name"] == endpoint.inputs["endpointConfigName"]
    ]
    served = {variant["variantName"]: variant["modelName"] for variant in config.inputs["productionVariants"]}
    assert set(served) == {"primary", "challenger"} and served["primary"] != served["challenger"]
    written = json.loads(_config_object(graph).inputs["content"])
    assert written["predictor"]["model_name"] == served["primary"]
    assert written["methods"]["shap"]["num_samples"] == 100  # customer-churn's, not retention's 7


# -- fixed: a template's headers fault named with its other faults ------------------------------------------


@pytest.fixture
def short_dir() -> Iterator[Path]:
    """A folder whose paths stay whole in an error message (the plan cuts a value over 80
    characters short where a message repeats it, as xdist's temporary paths would be)."""
    folder = Path(tempfile.mkdtemp(prefix="xai-"))
    yield folder
    shutil.rmtree(folder)


def test_a_template_naming_the_label_and_a_model_is_refused_naming_both_keys_in_one_plan(
    write_stack, short_dir: Path, capsys
) -> None:
    """The headers check (the family's training label and identifiers) ran as a cross-check, after
    the template's own faults, so a template with both was refused for ``predictor.model_name``
    first and for ``headers`` only on the next plan. One plan now names both."""
    from planner.__main__ import EXIT_INVALID_CONFIG, main

    template = json.loads(SAMPLE.read_text())
    template["predictor"]["model_name"] = "churn"
    template["headers"].append("customer_id")
    template["methods"]["shap"]["baseline"][0].append(0)
    template_path = short_dir / "both.json"
    template_path.write_text(json.dumps(template))

    def both(platform: dict[str, Any]) -> None:
        platform["monitoring"]["model_monitors"] = {"model_quality": True, "explainability": True}
        platform["models"][0]["explainability_config"] = str(template_path)

    path = write_stack("prod", both)
    assert main(["--config", str(path)]) == EXIT_INVALID_CONFIG
    headers, model_name = [
        line for line in capsys.readouterr().err.splitlines() if "models[0].explainability_config" in line
    ]
    assert f"{template_path}: headers: 'customer_id': the family's training label" in headers, headers
    assert f"{template_path}: predictor.model_name: remove it" in model_name, model_name


# -- the component (a project using the package without a stack file) -------------------------------------


def _args(spec: ModelQualitySpec, **changes: Any) -> ModelQualityMonitoringArgs:
    return model_quality_args(
        spec, endpoint_name="prod-customer-churn", tags={"environment": "prod"}, **changes
    )


def test_a_template_given_without_the_explainability_monitor_writes_nothing() -> None:
    """Bias alone (no predictor, no shadow endpoint): no config object, no read of one, even when
    the caller passes the family's template and model anyway."""
    graph = record_program(
        lambda: ModelQualityMonitoring(
            "monitors",
            _args(
                ModelQualitySpec(bias=True),
                model_name="churn-model",
                explainability_template=AWS_CSV_EXAMPLE,
            ),
        )
    )
    assert [r for r in graph.of_type(OBJECT)] == []
    role = policy_of(next(r for r in graph.of_type("aws:iam/rolePolicy:RolePolicy")))
    resources = [pattern for s in statements(role) for pattern in as_list(s["Resource"])]
    assert not any("monitoring-config/" in str(pattern) for pattern in resources)


def test_only_the_explainability_job_definition_waits_for_the_config() -> None:
    """The model-quality and bias job definitions read nothing the component writes: a config that
    fails to write (a KMS or bucket fault) holds up the explainability job alone."""
    graph = record_program(
        lambda: ModelQualityMonitoring(
            "monitors",
            _args(
                ModelQualitySpec(bias=True, explainability=True),
                model_name="churn-model",
                explainability_template=AWS_CSV_EXAMPLE,
            ),
        )
    )
    [written] = graph.of_type(OBJECT)
    waits = {
        r.type.rsplit(":", 1)[-1]: written.urn in r.dependencies
        for r in graph.resources
        if "JobDefinition" in r.type
    }
    assert waits == {"ModelBiasJobDefinition": False, "ModelExplainabilityJobDefinition": True}


def test_each_endpoint_s_config_comes_from_its_own_family_s_template(two_variants: ResourceGraph) -> None:
    """retention's endpoint is explained with retention's template, customer-churn's with its own."""
    samples = {
        r.inputs["key"]: json.loads(r.inputs["content"])["methods"]["shap"]["num_samples"]
        for r in two_variants.of_type(OBJECT)
        if r.inputs["key"].startswith("monitoring-config/")
    }
    assert samples == {analysis_config_key("customer-churn"): 100, analysis_config_key("retention"): 7}


def test_the_sample_s_baseline_contract_type_is_one_the_model_was_trained_on(monkeypatch) -> None:
    """Kernel SHAP fills each feature it leaves out from the baseline: a contract type the model
    never saw (one-hot encoded, unknown values ignored) is no customer's, and skews every run's
    attributions without an error."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "churn_preprocess", REPO / "models" / "customer-churn" / "preprocess.py"
    )
    assert spec is not None and spec.loader is not None
    preprocess = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, preprocess)  # its dataclasses look their module up
    spec.loader.exec_module(preprocess)
    template = json.loads(SAMPLE.read_text())
    for row in template["methods"]["shap"]["baseline"]:
        values = dict(zip(template["headers"], row, strict=True))
        for column, allowed in preprocess.CATEGORICAL_FEATURES.items():
            assert values[column] in allowed, (column, values[column])
