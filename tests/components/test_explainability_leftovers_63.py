"""Three explainability-template leftovers, decided in session 63 against Clarify's sources.

1. An ``s3://`` SHAP baseline in the template (one file in the repository, every stack's) names one
   bucket, while each stack's artifact bucket has its own name and its explainability job's role
   reads only that bucket's ``baselines/<group>/``: readable by one stack at most. It is refused
   now; a baseline file is given by name and resolved per stack to
   ``s3://<artifact bucket>/baselines/<group>/model_explainability/<name>`` (under the folder the
   role reads, beside the constraints.json the team already uploads there), or the rows inline.
2. ``predictor.content_type`` left out: Clarify then takes the captured requests' format (AWS,
   "Parameters to Monitor Attribution Drift": content_type "The default value is the same as the
   dataset_type format"), and needs the job's ``FeaturesAttribute`` exactly when that format is
   JSON Lines ("required if endpoint or batch job input data format is application/jsonlines";
   the SDK's ``ClarifyBaseliningConfig.features_attribute``: "Only required when predictor content
   type is JSONlines"). No plan knows what the callers will send, and the platform derives
   FeaturesAttribute from content_type alone: AWS's own JSON Lines example (a content_template, no
   content_type) planned with no FeaturesAttribute, so every run on JSON Lines captures would fail.
   The key is required now for a template built for JSON (a content_template or record_template, or
   record rows); a CSV model's template may leave it out, as Clarify infers text/csv (second read).
3. ``endpoint_name_prefix``: AWS's "Analysis configuration files" (the predictor section) bounds
   it at 23 characters; the SDK's ``ModelConfig`` checks only the pattern and builds no name. The
   bound was 40 (63 less the suffix of one endpoint config name in a failure message).
"""

from __future__ import annotations

import copy
import dataclasses
import fnmatch
import json
from typing import Any

import pytest

from components.observability.explainability_config import (
    SHADOW_ENDPOINT_PREFIX_MAX,
    dotted,
    features_attribute,
    render,
    template_problems,
)
from components.observability.model_quality_monitoring import ModelQualityMonitoring
from components.observability.model_quality_spec import ModelQualitySpec
from planner.recorder import ResourceGraph, record_program
from tests.components.model_quality_args import model_quality_args
from tests.graph_helpers import as_list, policy_of, statements
from tests.recorded import computed_once

OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2"
DEFINITION = "aws-native:sagemaker:ModelExplainabilityJobDefinition"
CSV: dict[str, Any] = {
    "headers": ["tenure_months", "monthly_charges"],
    "methods": {"shap": {"baseline": [[12, 70.0]], "num_samples": 50, "agg_method": "mean_abs"}},
    "predictor": {"instance_type": "ml.m5.large", "initial_instance_count": 1, "content_type": "text/csv"},
}


def _problems(template: object) -> dict[str, str]:
    return {dotted(location): problem for location, problem in template_problems(template)}


def _baseline(value: object, template: dict[str, Any] = CSV) -> dict[str, Any]:
    changed = copy.deepcopy(template)
    changed["methods"]["shap"]["baseline"] = value
    return changed


# -- 1. the SHAP baseline's location --------------------------------------------------------------------


@pytest.mark.parametrize(
    "uri",
    [
        "s3://prod-artifacts-1a2b/baselines/prod-customer-churn/model_explainability/rows.csv",
        "s3://someone-elses-bucket/rows.csv",
    ],
)
def test_an_s3_baseline_is_refused_even_under_a_baselines_folder(uri: str) -> None:
    problems = _problems(_baseline(uri))
    assert set(problems) == {"methods.shap.baseline"}
    assert "names one bucket" in problems["methods.shap.baseline"]
    assert "model_explainability/<name>" in problems["methods.shap.baseline"]


@pytest.mark.parametrize(
    ("name", "accepted"),
    [
        ("shap_baseline.csv", True),
        ("2026/churn-rows.jsonl", True),
        ("../../other-family/rows.csv", False),
        ("sub/../rows.csv", False),
        ("/rows.csv", False),
        ("rows.csv/", False),
        ("", False),
        ("rows .csv", False),
    ],
)
def test_a_baseline_file_name_stays_inside_the_family_folder(name: str, accepted: bool) -> None:
    assert (_problems(_baseline(name)) == {}) is accepted, name


def _graph(template: dict[str, Any], bucket: str) -> ResourceGraph:
    """The monitors of one endpoint in a stack whose artifact bucket is ``bucket``."""
    base = model_quality_args(
        ModelQualitySpec(explainability=True), model_name="m", explainability_template=CSV
    )
    placement = dataclasses.replace(
        base.placement, artifact_bucket_name=bucket, artifact_bucket_arn=f"arn:aws:s3:::{bucket}"
    )
    args = model_quality_args(
        ModelQualitySpec(explainability=True),
        model_name="churn-model-1a2b",
        explainability_template=template,
        placement=placement,
    )
    # Once per version of the code and of this file: the template and the bucket are the key.
    return computed_once(
        "monitors",
        lambda: record_program(lambda: ModelQualityMonitoring("monitors", args)),
        key=[repr((template, bucket))],
    )


def _config(graph: ResourceGraph) -> dict[str, Any]:
    [written] = [r for r in graph.of_type(OBJECT) if r.inputs["key"].startswith("monitoring-config/")]
    return json.loads(written.inputs["content"])


def _reads(graph: ResourceGraph, arn: str) -> bool:
    [role] = [r for r in graph.resources if r.name.endswith("-jobs-permissions")]
    return any(
        statement["Effect"] == "Allow"
        and "s3:GetObject" in as_list(statement["Action"])
        and any(fnmatch.fnmatchcase(arn, pattern) for pattern in as_list(statement["Resource"]))
        for statement in statements(policy_of(role))
    )


def test_a_baseline_file_name_is_read_in_each_stack_s_own_bucket_where_its_role_reads() -> None:
    """One template, two stacks (two artifact buckets): each config names its own bucket's file,
    under the family's baselines folder, which that stack's job role may read and the other's not."""
    template = _baseline("shap_baseline.csv")
    uris = {}
    for bucket in ("dev-artifacts-aaaa", "prod-artifacts-bbbb"):
        graph = _graph(template, bucket)
        uri = _config(graph)["methods"]["shap"]["baseline"]
        key = "baselines/prod-customer-churn/model_explainability/shap_baseline.csv"
        assert uri == f"s3://{bucket}/{key}"
        assert _reads(graph, f"arn:aws:s3:::{bucket}/{key}")
        other = "prod-artifacts-bbbb" if bucket.startswith("dev") else "dev-artifacts-aaaa"
        assert not _reads(graph, f"arn:aws:s3:::{other}/{key}")
        uris[bucket] = uri
    assert len(set(uris.values())) == 2


def test_inline_rows_are_written_as_given() -> None:
    assert _config(_graph(CSV, "dev-artifacts-aaaa"))["methods"]["shap"]["baseline"] == [[12, 70.0]]


def test_render_refuses_a_baseline_file_without_the_stack_s_folder() -> None:
    with pytest.raises(ValueError, match="baselines_uri"):
        render(_baseline("shap_baseline.csv"), "churn-model")
    # A folder without its trailing slash would glue the name to the group: .../gmodel_explainability/.
    with pytest.raises(ValueError, match="baselines_uri"):
        render(_baseline("shap_baseline.csv"), "churn-model", "s3://b/baselines/g")
    written = json.loads(render(_baseline("rows.csv"), "m", "s3://b/baselines/g/"))
    assert written["methods"]["shap"]["baseline"] == "s3://b/baselines/g/model_explainability/rows.csv"


def test_the_component_refuses_an_s3_baseline_too() -> None:
    with pytest.raises(ValueError, match=r"explainability_template\.methods\.shap\.baseline: an s3:// URI"):
        model_quality_args(
            ModelQualitySpec(explainability=True),
            model_name="churn-model",
            explainability_template=_baseline("s3://artifacts/baselines/prod-customer-churn/rows.csv"),
        )


# -- 2. content_type ------------------------------------------------------------------------------------

AWS_JSON_LINES: dict[str, Any] = {
    "headers": ["feature_1", "feature_2", "feature_3"],
    "methods": {"shap": {"baseline": [{"features": [0.44, 0.51, 0.20]}], "num_samples": 100}},
    "predictor": {
        "instance_type": "ml.m5.xlarge",
        "initial_instance_count": 1,
        "content_template": '{"features":$features}',
    },
}


@pytest.mark.parametrize(
    "template",
    [
        pytest.param(AWS_JSON_LINES, id="aws-json-lines-example"),
        pytest.param(
            {**AWS_JSON_LINES, "predictor": {"instance_type": "ml.m5.xlarge", "initial_instance_count": 1}},
            id="record-rows-only",
        ),
        pytest.param(
            {
                **CSV,
                "predictor": {
                    "instance_type": "ml.m5.large",
                    "initial_instance_count": 1,
                    "record_template": "$features_kvp",
                },
            },
            id="record-template",
        ),
    ],
)
def test_a_template_built_for_json_without_content_type_is_refused(template: dict[str, Any]) -> None:
    """AWS's JSON Lines example would get no FeaturesAttribute (the platform derives it from
    content_type): a content_template, a record_template or record rows say the model takes JSON,
    and which JSON is for content_type to say."""
    problems = _problems(template)
    assert "predictor.content_type" in problems
    assert problems["predictor.content_type"].startswith("required with a content_template")
    assert "FeaturesAttribute" in problems["predictor.content_type"]


def test_a_csv_template_may_leave_content_type_out_as_clarify_infers_it() -> None:
    """Second read (session 63): a template with list rows and neither a content_template nor a
    record_template works only with CSV captures, for which Clarify infers text/csv (AWS, "Data
    Format Compatibility Guide": left out, the container infers content_type; "Parameters to
    Monitor Attribution Drift": optional): refusing it refused templates AWS runs. Its job has no
    FeaturesAttribute, as a text/csv one, and record rows stay a JSON model's."""
    implicit = copy.deepcopy(CSV)
    del implicit["predictor"]["content_type"]
    assert _problems(implicit) == {}
    [definition] = _graph(implicit, "artifacts").of_type(DEFINITION)
    assert "featuresAttribute" not in definition.inputs["modelExplainabilityJobInput"]["endpointInput"]
    by_name = copy.deepcopy(implicit)
    by_name["methods"]["shap"]["baseline"] = "shap_baseline.csv"
    assert _problems(by_name) == {}


def test_with_content_type_json_lines_the_job_reads_the_features_where_the_template_puts_them() -> None:
    explicit = copy.deepcopy(AWS_JSON_LINES)
    explicit["predictor"]["content_type"] = "application/jsonlines"
    assert _problems(explicit) == {}
    assert features_attribute(explicit) == "features"
    args = model_quality_args(
        ModelQualitySpec(explainability=True), model_name="m", explainability_template=explicit
    )
    graph = record_program(lambda: ModelQualityMonitoring("monitors", args))
    [definition] = graph.of_type(DEFINITION)
    reading = definition.inputs["modelExplainabilityJobInput"]["endpointInput"]
    assert reading["featuresAttribute"] == "features"
    # A CSV model's job has none.
    csv_graph = _graph(CSV, "artifacts")
    [csv_definition] = csv_graph.of_type(DEFINITION)
    assert "featuresAttribute" not in csv_definition.inputs["modelExplainabilityJobInput"]["endpointInput"]


# -- 3. the shadow endpoint prefix ----------------------------------------------------------------------


def test_the_prefix_bound_is_the_23_characters_aws_documents() -> None:
    assert SHADOW_ENDPOINT_PREFIX_MAX == 23
    for prefix, accepted in (
        ("sm-clarify", True),
        ("sm-clarify-churn-prod1", True),  # 22
        ("sm-clarify-churn-prod12", True),  # 23
        ("sm-clarify-churn-prod123", False),  # 24
        ("sm-clarify-" + "a" * 29, False),  # 40: the former bound
    ):
        changed = copy.deepcopy(CSV)
        changed["predictor"]["endpoint_name_prefix"] = prefix
        problems = _problems(changed)
        assert ("predictor.endpoint_name_prefix" not in problems) is accepted, prefix
        if not accepted:
            assert "23 characters at most" in problems["predictor.endpoint_name_prefix"]
