"""A second look at session 61's component leftovers (tests/components/test_component_leftovers.py).

What was checked and found right (no change):

- KMS aliases refuse ``:``. The KMS developer guide ("Create aliases"), the CreateAlias reference and
  the kms model's documentation of ``CreateAliasRequest.AliasName`` all say letters, digits, ``/``,
  ``_`` and ``-``; AWS answers ``alias/Service:Test`` with "contains invalid characters for an
  alias" (hashicorp/terraform-provider-aws#12891, whose validation was narrowed to the same rule),
  which is what moto reproduces. AWS's own aliases are ``alias/aws/<service>``, without ``:``. The
  components only create aliases (``alias/<alias_prefix>-<purpose>``); no field takes an existing
  alias or an alias ARN, so no adopter's alias can be refused by the stricter check.
- The monitors' ``endpoint_name`` (a ``pulumi.Input``) still takes the Output of an
  ``InferenceEndpoint`` (examples/consumer passes ``endpoint.endpoint_name``); the alarms' is a plain
  string because it starts the alarms' names (an Output there was already unusable). The stacks
  plan as before (dev 141, staging 175, prod 196 resources; no violation, nothing undecided).
- ``string_map_problem`` refuses nothing that was accepted: ``tags_problem`` already required
  strings, and the Kubernetes labels crashed on anything else.
- The image helpers' region refusal: their callers pass a region ``region_problem`` has already
  checked (the stack's, a ``JobPlacement``'s); none walks every region.

What was wrong, and is fixed here:

1. ``sagemaker_name_problem`` (every endpoint, variant and inference component name, and since
   session 61 the alarms' and monitors' ``endpoint_name``) matched botocore's pattern only. The
   pattern ``[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`` bounds the letters and digits but not the ``-``
   runs between them, so ``a--...--b`` of 64 or more characters matched it; botocore's shapes also
   have ``max`` 63, and SageMaker refuses such a name. The check now bounds the length too, and
   ``pipeline_name_problem`` (the same gap with ``PipelineName``'s 256) likewise.
2. ``read_template``'s cache (session 61, task 6) kept a file's text keyed by its path, inode, size
   and modification and change times. Where those times are coarse (a filesystem of one- or
   two-second timestamps, a kernel before 6.13 whose timestamps move once a tick), a template
   rewritten in place with the same size inside one tick was served as it was before; and the cache
   saved nothing worth having: a hit costs a ``stat`` and a ``resolve`` (about 15 us here) where a
   read of the 420-byte template costs about 7 us, against a plan of about 1.2 s of CPU. It is
   gone: the template is read, parsed and checked at each call, as before session 61.
3. ``FailureAlertsArgs.endpoint_names`` and ``pipeline_names`` (the other place that takes endpoint
   names) were not checked: a misspelt name made an EventBridge rule that never matches, and a plain
   string was read as its characters. Each name is now checked as SageMaker takes it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import botocore.loaders
import pytest
from pydantic import ValidationError

from components.naming import PIPELINE_NAME_MAX, pipeline_name_problem
from components.observability.alarm_thresholds import AlarmThresholds
from components.observability.endpoint_alarms import EndpointAlarmsArgs, VariantAlarms
from components.observability.explainability_config import read_template
from components.observability.failure_alerts import FailureAlertsArgs
from components.serving.inference_endpoint_spec import (
    SAGEMAKER_NAME_MAX,
    VariantSpec,
    endpoint_name_problem,
    sagemaker_name_problem,
)
from components.serving.shared_endpoint_spec import InferenceComponentSpec
from tests.components.test_model_quality_alarms import _args as quality_alarms

REPO = Path(__file__).parents[2]

# --- 1. SageMaker names: the length the pattern does not bound ---------------------------------------------

LONG_WITH_HYPHENS = "a" + "-" * 62 + "b"  # 64 characters: botocore's pattern matches, its max does not
LONGEST_WITH_HYPHENS = "a" + "-" * 61 + "b"  # 63


def _sagemaker_model() -> dict[str, Any]:
    model: dict[str, Any] = botocore.loaders.Loader().load_service_model("sagemaker", "service-2")
    return model


@pytest.mark.parametrize("shape", ["EndpointName", "VariantName", "InferenceComponentName"])
def test_the_names_shapes_bound_the_length_apart_from_the_pattern(shape: str) -> None:
    """The shapes' ``max`` is what bounds a name with ``-`` runs: their patterns match 64 characters."""

    found = _sagemaker_model()["shapes"][shape]
    assert found["max"] == SAGEMAKER_NAME_MAX
    assert re.fullmatch(found["pattern"], LONG_WITH_HYPHENS)  # botocore checks no max client-side


@pytest.mark.parametrize("name", [LONG_WITH_HYPHENS, "a-" * 32 + "b", "a" + "-" * 200 + "b"])
def test_a_name_longer_than_63_characters_is_refused_though_its_hyphens_match(name: str) -> None:
    """Every SageMaker name the components check: the shared check, the alarms' and monitors'
    ``endpoint_name``, a variant's and an inference component's ``name``."""
    assert len(name) > SAGEMAKER_NAME_MAX
    refused = f"{name!r} is not a valid endpoint name: 1-63 letters or digits, separated by -"
    assert sagemaker_name_problem(name, "endpoint name") == refused
    assert endpoint_name_problem(name) == refused
    with pytest.raises(ValueError, match=r"^EndpointAlarmsArgs\.endpoint_name: "):
        _endpoint_alarms(name)
    with pytest.raises(ValueError, match=r"^ModelQualityAlarmsArgs\.endpoint_name: "):
        quality_alarms(endpoint_name=name)
    with pytest.raises(ValidationError, match=r"is not a valid variant name"):
        VariantSpec.model_validate({**_VARIANT, "name": name})
    with pytest.raises(ValidationError, match=r"is not a valid inference component name"):
        InferenceComponentSpec.model_validate({**_COMPONENT, "name": name})


def test_63_characters_with_hyphen_runs_are_still_taken() -> None:
    assert sagemaker_name_problem(LONGEST_WITH_HYPHENS, "endpoint name") is None
    assert _endpoint_alarms(LONGEST_WITH_HYPHENS).endpoint_name == LONGEST_WITH_HYPHENS
    assert VariantSpec.model_validate({**_VARIANT, "name": LONGEST_WITH_HYPHENS}).name == LONGEST_WITH_HYPHENS
    assert InferenceComponentSpec.model_validate({**_COMPONENT, "name": "c" * 63}).name == "c" * 63


_VARIANT = {
    "name": "blue",
    "instance_type": "ml.m5.large",
    "initial_instance_count": 1,
    "model": {"latest_approved_of": "churn"},
}
_COMPONENT = {
    "name": "churn",
    "model": {"latest_approved_of": "churn"},
    "compute": {"memory_mb": 1024, "cpu_cores": 1},
}


def _endpoint_alarms(name: str) -> EndpointAlarmsArgs:
    return EndpointAlarmsArgs(
        endpoint_name=name,
        variants=[VariantAlarms(name="blue", gpus=0, instance_based=True)],
        thresholds=AlarmThresholds(),
        alarm_topic_arn="arn:aws:sns:eu-west-1:123456789012:alerts",
        tags={"owner": "t"},
    )


# --- 2. the explainability template: read at each call -----------------------------------------------------

TEMPLATE = REPO / "models/customer-churn/explainability.json"


def test_a_template_rewritten_within_one_timestamp_tick_with_the_same_size_is_read_as_it_is_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where timestamps are coarse (one- or two-second filesystems; before Linux 6.13, a tick), a
    file rewritten in place inside one tick keeps its inode, size and both times: the stat-keyed
    cache then served the text it had read first. Here the filesystem's times do not move between
    the two writes (what such a filesystem reports), and the second read is the second text."""
    template = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    path = tmp_path / "explainability.json"
    path.write_text(json.dumps(template), encoding="utf-8")
    real_stat = Path.stat

    def coarse(self: Path, *args: Any, **kwargs: Any) -> Any:
        found = real_stat(self, *args, **kwargs)
        if self != path:
            return found
        # Everything the cache keyed on but the times, which stand still within the tick.
        return SimpleNamespace(
            st_ino=found.st_ino,
            st_size=found.st_size,
            st_mtime_ns=10**18,
            st_ctime_ns=10**18,
            st_mode=found.st_mode,
        )

    monkeypatch.setattr(Path, "stat", coarse)
    assert read_template(path)["predictor"]["instance_type"] == "ml.m5.large"
    same_size = {**template, "predictor": {**template["predictor"], "instance_type": "ml.c5.large"}}
    path.write_text(json.dumps(same_size), encoding="utf-8")
    assert path.stat().st_size == len(json.dumps(template))
    assert read_template(path)["predictor"]["instance_type"] == "ml.c5.large"


def test_each_call_reads_parses_and_checks_the_file_as_it_is(tmp_path: Path) -> None:
    """Each caller its own document (an edit of one changes no other), each checked with its own
    ``not_features``; a file made unreadable or removed is refused naming it."""
    template = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    path = tmp_path / "explainability.json"
    path.write_text(json.dumps(template), encoding="utf-8")
    first = read_template(path)
    first["predictor"]["instance_type"] = "edited"
    assert read_template(path) == template
    header = template["headers"][0]
    with pytest.raises(ValueError, match=rf"headers.*{header}"):
        read_template(path, (header,))
    path.write_text("{", encoding="utf-8")
    with pytest.raises(ValueError, match=rf"^{re.escape(str(path))}: not JSON"):
        read_template(path)
    path.unlink()
    with pytest.raises(ValueError, match=r"cannot be read \(No such file or directory\)"):
        read_template(path)


# --- 3. the endpoint names the failure alerts match --------------------------------------------------------


def _failure_alerts(**changes: Any) -> FailureAlertsArgs:
    values: dict[str, Any] = {
        "topic_arn": "arn:aws:sns:eu-west-1:123456789012:alerts",
        "region": "eu-west-1",
        "account_id": "123456789012",
        "role_path": "/mlops-platform/dev/",
    } | changes
    return FailureAlertsArgs(**values)


@pytest.mark.parametrize(
    ("field", "names", "refusal"),
    [
        ("endpoint_names", ["churn", "churn_v2"], "'churn_v2' is not a valid endpoint name"),
        (
            "endpoint_names",
            ["churn", LONG_WITH_HYPHENS],
            f"{LONG_WITH_HYPHENS!r} is not a valid endpoint name",
        ),
        ("endpoint_names", "churn", "'churn' is not a list of names"),
        ("endpoint_names", [None], "None is not a valid endpoint name"),
        (
            "pipeline_names",
            ["churn-training", "churn.training"],
            "'churn.training' is not a SageMaker pipeline name",
        ),
        ("pipeline_names", "churn-training", "'churn-training' is not a list of names"),
    ],
)
def test_failure_alerts_refuse_a_name_no_endpoint_or_pipeline_has(
    field: str, names: Any, refusal: str
) -> None:
    """The endpoint rule matches ``EndpointName`` exactly and the pipeline rule the pipelines' ARNs:
    a misspelt name made a rule that never fires (a failed or rolled-back update, a failed
    execution, paged nobody), and a plain string was read as its characters."""
    with pytest.raises(ValueError, match=rf"^FailureAlertsArgs\.{field}: {re.escape(refusal)}"):
        _failure_alerts(**{field: names})


def test_failure_alerts_match_the_endpoints_and_pipelines_they_are_given() -> None:
    args = _failure_alerts(endpoint_names=["churn", LONGEST_WITH_HYPHENS], pipeline_names=["churn-training"])
    rules = {rule.key: rule for rule in args.rules()}
    assert rules["endpoint-updates"].pattern["detail"]["EndpointName"] == ["churn", LONGEST_WITH_HYPHENS]
    assert rules["pipeline-executions"].pattern["detail"]["pipelineArn"] == [
        {"equals-ignore-case": "arn:aws:sagemaker:eu-west-1:123456789012:pipeline/churn-training"}
    ]
    assert not {"endpoint-updates", "pipeline-executions"} & {rule.key for rule in _failure_alerts().rules()}


def test_a_pipeline_name_longer_than_256_characters_is_refused_though_its_hyphens_match() -> None:
    """botocore's ``PipelineName``: the same pattern with ``{0,255}``, and ``max`` 256."""
    shape = _sagemaker_model()["shapes"]["PipelineName"]
    assert shape["max"] == PIPELINE_NAME_MAX == 256
    too_long, longest = "a" + "-" * 255 + "b", "a" + "-" * 254 + "b"
    assert re.fullmatch(shape["pattern"], too_long)
    assert pipeline_name_problem(too_long) == (
        f"{too_long[:80]!r} is not a SageMaker pipeline name: 1-256 letters or digits, separated by -"
    )
    assert pipeline_name_problem(longest) is None
    with pytest.raises(
        ValueError, match=r"^FailureAlertsArgs\.pipeline_names: .* is not a SageMaker pipeline name"
    ):
        _failure_alerts(pipeline_names=[too_long])
