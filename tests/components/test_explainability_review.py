"""A reviewer's second look at the explainability template's JSON Lines rows and shadow prefix.

Checked against what Clarify takes: AWS's "Parameters to Monitor Attribution Drift" (a JSON Lines
baseline row has the dataset's format; ``FeaturesAttribute``, the JMESPath of the features, "is
required if endpoint input data format is application/jsonlines", and is given in the job's
``EndpointInput``, not the config) and "Configure the Analysis" (its JSON Lines example reads
baseline records ``{"data": {"features": {"values": [...]}}}`` at the dataset's ``features`` path,
not at a fixed ``features`` key); the SageMaker SDK's ``ModelExplainabilityMonitor``, which sets
``features_attribute`` from ``DataConfig.features``; its analysis config schema (a JSON row is
"SageMaker JSONLines Dense Format" only, checked by the data loader, not the schema).

Found and fixed (tests below fail on the code as merged, 81bd4d7):

1. The explainability job definition had no ``FeaturesAttribute`` for a JSON Lines model, so Clarify
   could not read a captured JSON Lines request (every run of such a family failed); it is now the
   path at which ``content_template`` places ``$features`` (``features`` for AWS's example), and a
   JSON Lines template whose ``content_template`` places it nowhere (``$features`` alone, or not
   JSON) is refused, naming the key.
2. A record row was accepted with any content (``{"x": 1}``, a short list, another key) and for any
   model but ``text/csv`` (``application/json``, or no ``content_type``: no ``FeaturesAttribute``
   then either): a record row is now for a JSON Lines model only and must hold one value per header
   at ``content_template``'s path.
3. ``endpoint_name_prefix`` had no length bound: Clarify names the endpoint config
   ``<prefix>-config-<time>-<id>`` (23 characters after the prefix, as a public Clarify failure
   reads ``sm-clarify-config-1746251067-14e5``), and SageMaker takes 63, so a prefix over 40
   passed the plan and failed CreateEndpointConfig at every run.

Mutations of the merged change, each with the test that kills it (all run, all killed):
the record-row ``(list, dict)`` reduced to ``(list,)`` (test_aws_s_json_lines_example_...); the
``text/csv`` condition inverted (test_a_record_row_is_refused_for_a_csv_model_...); the prefix
pattern's ``*`` made ``+`` (test_the_prefixes_sagemaker_can_name_with_...); ``not_features`` not
passed from the stack (test_a_second_family_s_missing_or_labelled_template_...); the headers check
reading ``not_features[:1]`` (test_a_template_naming_the_label_and_a_model_..., customer_id is an
identifier, not the label).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from components.observability.explainability_config import (
    SHADOW_ENDPOINT_PREFIX_MAX,
    features_attribute,
)
from components.observability.model_quality_monitoring import ModelQualityMonitoring
from components.observability.model_quality_spec import ModelQualitySpec
from planner.recorder import record_program
from tests.components.test_explainability_mutation_audit import (
    AWS_CSV_EXAMPLE,
    AWS_JSON_LINES_EXAMPLE,
    DEFINITION,
    _args,
    _refused,
    _with,
)
from tests.recorded import computed_once


def _json_lines(content_template: str, baseline: list[Any]) -> dict[str, Any]:
    template = copy.deepcopy(AWS_JSON_LINES_EXAMPLE)
    template["predictor"] |= {"content_type": "application/jsonlines", "content_template": content_template}
    template["methods"]["shap"]["baseline"] = baseline
    return template


def _endpoint_input(template: dict[str, Any]) -> dict[str, Any]:
    args = _args(
        ModelQualitySpec(bias=True, explainability=True),
        model_name="churn-model",
        explainability_template=template,
    )
    # Once per version of the code and of this file: the arguments as built (another test module
    # builds them) are the key.
    graph = computed_once(
        "monitors", lambda: record_program(lambda: ModelQualityMonitoring("monitors", args)), key=[repr(args)]
    )
    [definition] = graph.of_type(DEFINITION)
    return definition.inputs["modelExplainabilityJobInput"]["endpointInput"]


# -- 1. FeaturesAttribute ---------------------------------------------------------------------------------


def test_a_json_lines_model_s_job_reads_the_features_where_its_content_template_puts_them() -> None:
    """Clarify requires FeaturesAttribute for JSON Lines captured data; the job had none."""
    flat = _json_lines('{"features":$features}', [{"features": [1, 2, 3]}])
    assert _endpoint_input(flat)["featuresAttribute"] == "features"
    nested = _json_lines('{"data": {"features": $features}}', [{"data": {"features": [1, 2, 3]}}])
    assert _endpoint_input(nested)["featuresAttribute"] == "data.features"
    # A CSV model's job has none (its requests are rows of values).
    assert "featuresAttribute" not in _endpoint_input(AWS_CSV_EXAMPLE)


@pytest.mark.parametrize(
    ("content_template", "path"),
    [
        ('{"features": $features}', "features"),
        ('{"instances": [{"features": $features}]}', "instances[0].features"),
        ('{"my features": $features, "id": 1}', '"my features"'),
    ],
)
def test_the_features_path_is_the_jmespath_of_features_in_the_content_template(
    content_template: str, path: str
) -> None:
    template = _json_lines(content_template, [[1, 2, 3]])
    assert features_attribute(template) == path
    assert _refused(template) == set()
    csv = copy.deepcopy(template)
    csv["predictor"]["content_type"] = "text/csv"
    assert features_attribute(csv) is None


@pytest.mark.parametrize(
    "content_template", ["$features", "{features: $features}", '{"a": $features, "b": $features}']
)
def test_a_json_lines_template_placing_features_under_no_key_is_refused(content_template: str) -> None:
    """No path for the job to read the captured requests' features at: refused at the plan."""
    assert _refused(_json_lines(content_template, [[1, 2, 3]])) == {"predictor.content_template"}


# -- 2. record rows ---------------------------------------------------------------------------------------


def test_a_record_row_holds_one_value_per_header_where_the_content_template_puts_them() -> None:
    template = '{"data": {"features": $features}}'
    assert _refused(_json_lines(template, [{"data": {"features": [1, 2, 3]}}])) == set()
    for row in ({"features": [1, 2, 3]}, {"data": {"features": 1}}, {"x": 1}, {}):
        assert _refused(_json_lines(template, [row])) == {"methods.shap.baseline[0]"}, row
    short = _json_lines(template, [{"data": {"features": [1, 2, 3]}}, {"data": {"features": [1, 2]}}])
    assert _refused(short) == {"methods.shap.baseline[1]"}


@pytest.mark.parametrize("content_type", [..., "application/json"])
def test_a_record_row_is_refused_for_a_model_that_takes_no_json_lines(content_type: Any) -> None:
    """Without content_type the job has no FeaturesAttribute to read a record with (and the
    template is refused for leaving it out); a JSON model's rows are no JSON Lines records (the
    schema's JSON rows are SageMaker's JSON Lines dense format)."""
    changes: dict[str, Any] = {"methods__shap__baseline": [{"features": [1, 2, 3]}]}
    if content_type is not ...:
        changes |= {
            "predictor__content_type": content_type,
            "predictor__content_template": "$records",
            "predictor__record_template": "$features_kvp",
        }
    else:
        changes |= {"predictor__content_type": ...}
    left_out = {"predictor.content_type"} if content_type is ... else set()
    assert _refused(_with(**changes)) == {"methods.shap.baseline[0]"} | left_out


# -- 3. the shadow endpoint prefix's length ---------------------------------------------------------------


def test_a_prefix_longer_than_aws_documents_is_refused() -> None:
    """AWS's "Analysis configuration files" bounds ``endpoint_name_prefix`` at 23 characters (the
    bound was 40 here, derived from one failure message's endpoint config name; corrected in
    session 63: tests/components/test_explainability_leftovers_63.py)."""
    longest = "sm-clarify-" + "a" * (SHADOW_ENDPOINT_PREFIX_MAX - len("sm-clarify-"))
    assert len(longest) == SHADOW_ENDPOINT_PREFIX_MAX == 23
    assert _refused(_with(predictor__endpoint_name_prefix=longest)) == set()
    assert _refused(_with(predictor__endpoint_name_prefix=longest + "a")) == {
        "predictor.endpoint_name_prefix"
    }
