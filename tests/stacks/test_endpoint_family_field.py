"""``model.family``: an endpoint following another account's group by ARN names the family of this
stack its versions are, and is monitored and alarmed as that family; and ``models[].drift_features``,
a family's own drift features in place of the stack-wide ``monitoring.drift_features``.

An earlier fix read a group ARN as the local family its name ends with and was reverted: it took
another team's ``.../mobile-churn`` for this stack's ``churn`` (CHANGELOG, "suffix";
tests/stacks/test_adopter_edits_audit.py). The field says it explicitly instead:

- it names a family of this stack (refused otherwise, naming the file and the key), goes with a
  ``latest_approved_of`` group ARN only (refused with a local family, which the endpoint is already
  monitored as, and with a pinned version, an image or Triton), on an endpoint's first production
  variant only (what the endpoint is monitored as; refused on a challenger, a shadow and a shared
  endpoint's component);
- the endpoint's monitors and alarms take that family's problem type, drift features (its
  ``drift_features``, else ``monitoring.drift_features``, else its feature group's model inputs),
  ``quality_alarms`` and Evidently reference (live drift);
- its alarms retrain nothing: this stack's training of the family registers versions in this stack's
  group, which the endpoint (following the other account's group) never serves, so a retrain would
  cost a training run and change nothing the endpoint serves. Retraining is the owning account's;
  here the alarms page.

Mutations run against the new code (one at a time, this module's tests):

| module | mutations | survived | caught now | equivalent | left alone |
|---|---|---|---|---|---|
| stacks/config.py | 9 | 1 | 0 | 0 | 1 |
| stacks/composition/observability.py | 2 | 1 | 1 | 0 | 0 |
| stacks/composition/training.py | 1 | 0 | 0 | 0 | 0 |
| components/serving/inference_endpoint_spec.py | 1 | 0 | 0 | 0 | 0 |

Caught now: the dashboard's live-drift graph labelled by the followed group ARN instead of the
monitored family (an empty graph: the pipeline publishes ``Family=<family>``), by the live-drift
test's dashboard assertion. Left alone: in ``_live_drift_problems``, not skipping an unknown
``family`` adds a second message at the same key (refused either way).

The graphs are recordings of variants of the suite's prod fixture stack that this module writes
(tests/fixtures/stacks/, never the sample stacks/Pulumi.*.yaml, which adopters edit); the control
is the fixture itself, whose endpoint follows its local family.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from components.observability.alarm_thresholds import MAX_DRIFT_FEATURES
from planner.__main__ import EXIT_INVALID_CONFIG, main
from planner.recorder import RecordedResource, ResourceGraph
from stacks.config import CONFIG_KEY, ConfigError, parse_platform_config
from stacks.stack_file import read_stack_file
from tests.config_problems import program_refusal
from tests.conftest import load_stack_document, stack_path
from tests.recorded import recorded_stack
from tests.stack_edits import forecast_family
from tests.stacks.conftest import retraining_serving_cut, serving_cut
from tests.yaml_text import dump_document

Edit = Callable[[dict[str, Any]], None]

DEV_GROUP = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/dev-customer-churn"
"""docs/promotion.md's one-registry-in-dev set-up: prod's endpoints follow dev's group."""
OWN_GROUP = "arn:aws:sagemaker:eu-west-1:333333333333:model-package-group/prod-customer-churn"
"""The prod fixture's own group (account 333333333333, name_prefix prod) written as an ARN: an ARN
reads as another account's group, which never retrains; the stack's own is named by its family."""
OTHER_TEAM = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mobile-churn"
CHURN_INPUTS = ["tenure_months", "monthly_charges", "total_charges", "contract_type", "support_calls_90d"]
"""The model inputs of the fixture family's feature group (customer-churn-labelled): every feature
but the record identifier, event time and label."""
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
QUALITY_JOB = "aws-native:sagemaker:ModelQualityJobDefinition"
RULE = "aws:cloudwatch/eventRule:EventRule"


def _endpoint(platform: dict[str, Any], name: str, model: dict[str, Any]) -> dict[str, Any]:
    """A copy of the fixture's endpoint under another name, serving ``model``."""
    endpoint = copy.deepcopy(platform["endpoints"][0])
    endpoint["name"] = name
    endpoint["variants"][0]["model"] = model
    return endpoint


def _named_and_unnamed(platform: dict[str, Any]) -> None:
    """Two endpoints following dev's group: one says its versions are customer-churn, one does not.
    Model quality is monitored as Regression for what names no family (so the family's
    BinaryClassification is visible where it applies)."""
    platform["endpoints"] = [
        _endpoint(platform, "churn-named", {"latest_approved_of": DEV_GROUP, "family": "customer-churn"}),
        _endpoint(platform, "churn-unnamed", {"latest_approved_of": DEV_GROUP}),
    ]
    platform["monitoring"]["model_monitors"]["problem_type"] = "Regression"


def _per_family_features(platform: dict[str, Any]) -> None:
    """Dev's churn versions (named customer-churn, which lists its own drift features) next to this
    stack's forecaster (no feature group: the stack-wide list applies)."""
    platform["models"][0]["drift_features"] = ["tenure_months", "support_calls_90d"]
    platform["models"].append(forecast_family())
    platform["monitoring"]["drift_features"] = ["units_lag_1", "price"]
    platform["endpoints"] = [
        _endpoint(platform, "churn-named", {"latest_approved_of": DEV_GROUP, "family": "customer-churn"}),
        _endpoint(platform, "demand-forecast", {"latest_approved_of": "demand-forecast"}),
    ]
    platform["endpoints"][1]["variants"][0]["instance_type"] = "ml.m5.xlarge"
    for variant in platform["endpoints"][1]["variants"]:
        variant.get("scaling", {}).pop("gpu_utilization_percent", None)
    platform["models"][0].pop("quality_alarms")  # regression and classifier quality: another test's


def _live_drift_named(platform: dict[str, Any]) -> None:
    """Model Monitor off, Evidently live drift on, the endpoint following dev's group as customer-churn."""
    platform["monitoring"]["model_monitor"] = False
    platform["monitoring"]["evidently"] = True
    platform["monitoring"].pop("model_monitors", None)
    for family in platform["models"]:
        family.pop("quality_alarms", None)
    platform["endpoints"][0]["variants"][0]["model"] = {
        "latest_approved_of": DEV_GROUP,
        "family": "customer-churn",
    }


def _record(factory: pytest.TempPathFactory, edit: Edit, cut: Edit) -> ResourceGraph:
    """A variant of the prod fixture, ``cut`` to what the test reads (tests/stacks/conftest.py:
    the endpoints, their monitors, alarms and dashboard stay; ``retraining_serving_cut`` keeps the
    retraining rules too, for a test that says what they start)."""
    document = load_stack_document("prod")
    edit(document["config"][CONFIG_KEY])
    cut(document["config"][CONFIG_KEY])
    path = factory.mktemp("family-field") / "Pulumi.prod.yaml"
    path.write_text(dump_document(document))
    return recorded_stack(path)


@pytest.fixture(scope="module")
def named(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    return _record(tmp_path_factory, _named_and_unnamed, retraining_serving_cut)


@pytest.fixture(scope="module")
def per_family(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    return _record(tmp_path_factory, _per_family_features, serving_cut)


@pytest.fixture(scope="module")
def local() -> ResourceGraph:
    """The control: the fixture's endpoint follows this stack's customer-churn by name."""
    return recorded_stack(stack_path("prod"))


def _named_resource(graph: ResourceGraph, type_token: str, name: str) -> RecordedResource:
    [found] = [r for r in graph.of_type(type_token) if r.name == name]
    return found


def _alarm(graph: ResourceGraph, physical: str) -> dict[str, Any] | None:
    found = [r for r in graph.of_type(ALARM) if r.inputs.get("name") == physical]
    return dict(found[0].inputs) if found else None


def _drift_features(graph: ResourceGraph, endpoint: str) -> list[str] | None:
    alarm = _alarm(graph, f"prod-{endpoint}-data-drift")
    if alarm is None:
        return None
    return [
        query["metric"]["metricName"].removeprefix("feature_baseline_drift_")
        for query in alarm["metricQueries"]
        if "metric" in query
    ]


def _retraining_alarms(graph: ResourceGraph) -> set[str]:
    """Every alarm name a retraining rule of the stack starts a training pipeline on."""
    names: set[str] = set()
    for rule in graph.of_type(RULE):
        pattern = json.loads(rule.inputs.get("eventPattern") or "{}")
        names |= set(pattern.get("detail", {}).get("alarmName", []) or [])
    return names


# --- monitored and alarmed as the named family ------------------------------------------------------


def test_the_named_endpoint_s_drift_alarm_watches_its_family_s_inputs_and_the_unnamed_has_none(named) -> None:
    assert _drift_features(named, "churn-named") == CHURN_INPUTS
    assert _drift_features(named, "churn-unnamed") is None
    warnings = [w for w in named.warnings if "no drift alarm" in w]
    assert len(warnings) == 1 and "endpoint churn-unnamed" in warnings[0]
    assert "another account's group" in warnings[0] and "model.family" in warnings[0]


def test_the_named_endpoint_gets_its_family_s_quality_thresholds_and_the_unnamed_none(named) -> None:
    thresholds = {
        (alarm["metricName"], alarm["comparisonOperator"], alarm["threshold"])
        for alarm in (_alarm(named, f"prod-churn-named-model-quality-{metric}") for metric in ("auc", "f1"))
        if alarm is not None
    }
    assert thresholds == {("auc", "LessThanThreshold", 0.75), ("f1", "LessThanThreshold", 0.6)}
    unnamed = [
        r.inputs["name"]
        for r in named.of_type(ALARM)
        if r.inputs.get("name", "").startswith("prod-churn-unnamed-model")
    ]
    assert unnamed == []


def test_the_named_endpoint_is_quality_monitored_as_its_family_s_problem_type(named) -> None:
    """The family trains as BinaryClassification; the stack's monitors say Regression for versions of
    no known family, which the unnamed endpoint keeps."""
    job = _named_resource(named, QUALITY_JOB, "model-monitors-churn-named-model-quality").inputs
    other = _named_resource(named, QUALITY_JOB, "model-monitors-churn-unnamed-model-quality").inputs
    assert job["modelQualityAppSpecification"]["problemType"] == "BinaryClassification"
    assert "probabilityAttribute" in job["modelQualityJobInput"]["endpointInput"]
    assert other["modelQualityAppSpecification"]["problemType"] == "Regression"


def test_the_monitors_still_read_the_followed_group_s_baselines_folder(named) -> None:
    """The baselines are the served versions' (dev's group), whatever family they are monitored as."""
    job = _named_resource(named, QUALITY_JOB, "model-monitors-churn-named-model-quality").inputs
    text = json.dumps(job)
    assert "baselines/dev-customer-churn/" in text and "baselines/prod-customer-churn/" not in text


def test_the_named_endpoint_s_alarms_retrain_nothing_where_the_local_ones_do(named, local) -> None:
    """The local family trains and retrains on drift (prod): the control's endpoint, following it by
    name, starts its pipeline; dev's versions named customer-churn do not (a local retrain registers
    in prod's group, which that endpoint never serves)."""
    assert {"prod-customer-churn-data-drift", "prod-customer-churn-model-quality-auc"} <= _retraining_alarms(
        local
    )
    started = _retraining_alarms(named)
    assert not [name for name in started if name.startswith(("prod-churn-named", "prod-churn-unnamed"))]
    assert _alarm(named, "prod-churn-named-data-drift") is not None  # it pages, it exists


# --- models[].drift_features --------------------------------------------------------------------------


def test_a_family_s_own_drift_features_beat_the_stack_wide_list_which_the_others_keep(per_family) -> None:
    assert _drift_features(per_family, "churn-named") == ["tenure_months", "support_calls_90d"]
    assert _drift_features(per_family, "demand-forecast") == ["units_lag_1", "price"]


def test_a_family_s_empty_drift_features_means_no_drift_alarm_and_the_plan_says_which_key(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    def edit(platform: dict[str, Any]) -> None:
        platform["models"][0]["drift_features"] = []

    graph = _record(tmp_path_factory, edit, serving_cut)
    assert _drift_features(graph, "customer-churn") is None
    [warning] = [w for w in graph.warnings if "no drift alarm" in w]
    assert "model family customer-churn's drift_features is empty" in warning


WIDE = [f"activity_{i}" for i in range(MAX_DRIFT_FEATURES)]


def _wide_group(platform: dict[str, Any]) -> None:
    """The family's training group grows past what one alarm reads (15 model inputs)."""
    group = next(g for g in platform["feature_groups"] if g["name"] == "customer-churn-labelled")
    group["features"] += [{"name": name, "type": "Integral"} for name in WIDE]


def test_a_family_s_drift_features_choose_among_a_group_wider_than_an_alarm_reads(write_stack) -> None:
    """Refused at ``monitoring.drift_features`` without a choice; the family's own list is one."""
    wide = write_stack("prod", _wide_group)
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(read_stack_file(wide).platform, str(wide))
    assert f"{CONFIG_KEY}.monitoring.drift_features" in dict(raised.value.problems)

    def chosen(platform: dict[str, Any]) -> None:
        _wide_group(platform)
        platform["models"][0]["drift_features"] = WIDE[:3]

    path = write_stack("prod", chosen)
    config = parse_platform_config(read_stack_file(path).platform, str(path))
    assert config.drift_features_of("customer-churn") == WIDE[:3]


# --- live drift ------------------------------------------------------------------------------------


def test_live_drift_of_a_named_endpoint_compares_with_its_family_and_retrains_nothing(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Refused without ``family`` (tests/stacks/test_adopter_edits_audit.py); with it, the pipeline's
    alarm reads the family's metric dimension and no retraining rule starts on it."""
    graph = _record(tmp_path_factory, _live_drift_named, retraining_serving_cut)
    alarm = _named_resource(graph, ALARM, "live-drift-customer-churn-drift-alarm").inputs
    assert alarm["dimensions"]["Family"] == "customer-churn"
    assert alarm["name"] not in _retraining_alarms(graph)
    # The dashboard graphs the series the pipeline publishes and its alarm reads (not the group ARN).
    [dashboard] = graph.of_type("aws:cloudwatch/dashboard:Dashboard")
    [widget] = [
        w
        for w in json.loads(dashboard.inputs["dashboardBody"])["widgets"]
        if w["properties"].get("title", "").startswith("Drifted columns share of the live traffic")
    ]
    [metric] = widget["properties"]["metrics"]
    assert dict(zip(metric[2::2], metric[3::2], strict=True)) == alarm["dimensions"]


# --- refusals -------------------------------------------------------------------------------------


def _set_model(model: dict[str, Any]) -> Edit:
    def edit(platform: dict[str, Any]) -> None:
        platform["endpoints"][0]["variants"][0]["model"] = model

    return edit


def _challenger_named(platform: dict[str, Any]) -> None:
    variants = platform["endpoints"][0]["variants"]
    challenger = copy.deepcopy(variants[0])
    challenger["name"] = "challenger"
    challenger["model"] = {"latest_approved_of": DEV_GROUP, "family": "customer-churn"}
    variants.append(challenger)


def _shadow_named(platform: dict[str, Any]) -> None:
    endpoint = platform["endpoints"][0]
    shadow = {
        key: value
        for key, value in copy.deepcopy(endpoint["variants"][0]).items()
        if key in ("instance_type", "initial_instance_count")
    }
    shadow |= {"name": "shadow", "model": {"latest_approved_of": DEV_GROUP, "family": "customer-churn"}}
    endpoint["shadow_variants"] = [shadow]


def _shared_component_named(platform: dict[str, Any]) -> None:
    platform["shared_endpoints"] = [
        {
            "name": "gpu-models",
            "instance_type": "ml.g5.12xlarge",
            "initial_instance_count": 2,
            "components": [
                {
                    "name": "churn",
                    "model": {"latest_approved_of": DEV_GROUP, "family": "customer-churn"},
                    "compute": {"cpu_cores": 4, "memory_mb": 16384, "accelerators": 1},
                    "copies": 2,
                }
            ],
        }
    ]


def _family_drift_features(features: list[str]) -> Edit:
    def edit(platform: dict[str, Any]) -> None:
        platform["models"][0]["drift_features"] = features

    return edit


def _live_drift_of_a_family_without_evidently(platform: dict[str, Any]) -> None:
    _live_drift_named(platform)
    platform["models"].append(forecast_family())
    platform["endpoints"][0]["variants"][0]["model"]["family"] = "demand-forecast"


REFUSED: dict[str, tuple[Edit, str, str]] = {
    "another-team-s-family": (
        _set_model({"latest_approved_of": OTHER_TEAM, "family": "mobile-churn"}),
        "endpoints[0].variants[0].model.family",
        "'mobile-churn' is not a model family of this stack (customer-churn)",
    ),
    "local-latest-approved-of": (
        _set_model({"latest_approved_of": "customer-churn", "family": "customer-churn"}),
        "endpoints[0].variants[0].model.family",
        "'customer-churn' is not an ARN: a family of this stack is already what the endpoint is monitored as",
    ),
    "own-group-by-arn": (
        _set_model({"latest_approved_of": OWN_GROUP, "family": "customer-churn"}),
        "endpoints[0].variants[0].model.latest_approved_of",
        "this stack's own group of model family customer-churn: write latest_approved_of: customer-churn",
    ),
    "own-group-by-arn-without-family": (
        _set_model({"latest_approved_of": OWN_GROUP}),
        "endpoints[0].variants[0].model.latest_approved_of",
        "this stack's own group of model family customer-churn",
    ),
    # SageMaker names are case-insensitive and its ARNs lower-case: another spelling is the same group.
    "own-group-by-arn-in-another-case": (
        _set_model({"latest_approved_of": OWN_GROUP.replace("prod-customer-churn", "Prod-Customer-Churn")}),
        "endpoints[0].variants[0].model.latest_approved_of",
        "this stack's own group of model family customer-churn",
    ),
    "pinned-version": (
        _set_model(
            {
                "model_package_arn": "arn:aws:sagemaker:eu-west-1:111111111111:model-package/dev-customer-churn/3",
                "family": "customer-churn",
            }
        ),
        "endpoints[0].variants[0].model.family",
        "a pinned version",
    ),
    "image": (
        _set_model(
            {"image": "111111111111.dkr.ecr.eu-west-1.amazonaws.com/churn:1", "family": "customer-churn"}
        ),
        "endpoints[0].variants[0].model.family",
        "an image",
    ),
    "on-a-shadow": (
        _shadow_named,
        "endpoints[0].shadow_variants[0].model.family",
        "first production variant",
    ),
    "on-a-shared-endpoint-component": (
        _shared_component_named,
        "shared_endpoints[0].components[0].model.family",
        "not monitored as a family",
    ),
    "on-a-challenger": (
        _challenger_named,
        "endpoints[0].variants[1].model.family",
        "first production variant",
    ),
    "too-many-drift-features": (
        _family_drift_features([f"f{i}" for i in range(MAX_DRIFT_FEATURES + 1)]),
        "models[0].drift_features",
        f"at most {MAX_DRIFT_FEATURES}",
    ),
    "drift-feature-not-a-metric-name": (
        _family_drift_features(["monthly charges"]),
        "models[0].drift_features[0]",
        "match pattern",
    ),
    "live-drift-family-without-evidently": (
        _live_drift_of_a_family_without_evidently,
        "endpoints[0].variants[0].model.family",
        "model family demand-forecast's `evidently`",
    ),
}


@pytest.mark.parametrize(("edit", "key", "fragment"), REFUSED.values(), ids=REFUSED.keys())
def test_a_bad_family_field_is_refused_naming_the_file_and_the_key(write_stack, edit, key, fragment) -> None:
    path = write_stack("prod", edit)

    with pytest.raises(ConfigError) as raised:
        parse_platform_config(read_stack_file(path).platform, str(path))

    problems = list(raised.value.problems)
    assert any(where == f"{CONFIG_KEY}.{key}" and fragment in message for where, message in problems), (
        problems
    )
    assert str(raised.value).startswith(f"{path}: invalid configuration")


def test_another_account_s_group_by_name_is_told_its_arn_form_not_called_this_stack_s_family(
    write_stack,
) -> None:
    """An adopter copying dev's group by its name (``dev-customer-churn``) instead of its ARN: the
    refusal (ModelSource cannot know the stack's families) says the value is not an ARN and how an
    ARN is written, and never calls the other account's group a family of this stack (which sent
    the adopter to remove ``family``, the one key that was right)."""
    path = write_stack(
        "prod", _set_model({"latest_approved_of": "dev-customer-churn", "family": "customer-churn"})
    )

    with pytest.raises(ConfigError) as raised:
        parse_platform_config(read_stack_file(path).platform, str(path))

    [message] = [m for where, m in raised.value.problems if where.endswith("variants[0].model.family")]
    assert "'dev-customer-churn' is not an ARN" in message
    assert "arn:aws:sagemaker:<region>:<account>:model-package-group/<name>" in message
    assert "is this stack's family" not in message


def test_the_plan_of_another_team_s_family_exits_non_zero_and_creates_nothing(write_stack, capsys) -> None:
    path = write_stack("prod", REFUSED["another-team-s-family"][0])

    assert main(["--config", str(path)]) == EXIT_INVALID_CONFIG
    err = capsys.readouterr().err
    assert str(path) in err and "endpoints[0].variants[0].model.family" in err

    program_refusal(path)
