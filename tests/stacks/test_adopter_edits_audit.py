"""Edits an adopting team makes to the shipped samples, judged as that team would.

125 edits of stacks/Pulumi.{dev,staging,prod}.yaml (and of models/, copying a family folder and
renaming it), each written as a stack file of its own under stacks/ of a worktree and planned with
``python -m planner --stack NAME --format json`` (123 of them; 2 more were first-run mistakes of the
audit's own that are journeys too: a stack named over 24 characters without ``name_prefix``, and
``kubernetes_serving.monitoring`` without its ``grafana_admin_secret``). Journeys and combinations,
not single fields (test_config_field_mutation_audit.py) nor malformed YAML
(test_malformed_stack_files.py): new families copied and renamed (PyTorch multiclass, XGBoost 1.7
binary, scikit-learn 1.0 regression, custom entry points, a feature-group-trained family), regions
(us-east-1, us-west-1, ap-east-1, af-south-1, ap-southeast-3, me-central-1, eu-central-1 with three
zones; eu-central-2, eu-south-2, il-central-1, ap-south-2, ap-southeast-7, ca-west-1, mx-central-1,
GovCloud, China), name prefixes (two stacks in one account, 24 characters, the longest family
names), features off one at a time and in pairs (monitoring, capture, drift retraining, Model
Monitor, tracking, feature store, VPC endpoints, budget, audit trail, protection, triggers,
training), GPU types the allowlist or the price list may not know (g6, g6e, g7, p5, inf2), two
endpoints of one family, an endpoint whose family trains nothing, staging and prod following dev's
registry by ARN, consumer accounts, shared endpoints, Kubernetes serving, batch scoring, Evidently,
approval dispatch, an existing VPC, and every optional section at once. With two of them in place
(a new family with its endpoint, a prefixed stack), tests/stacks/test_shipped_stacks.py,
tests/delivery, tests/models, tests/test_readme.py and the packaging tests stay green.

| outcome | edits |
|---|---|
| clean plan, spot-checked resources right | 66 |
| clear error naming the stack file and key, exit 2, nothing recorded | 35 |
| mandatory violation right for that environment (allowlists, GPU quota, prod's capture, monitors, budget, protection, model packages, serverless, copy-count scaling) | 17 |
| exposed a product bug | 7 edits, 5 bugs (2 fixed; 3 reverted after review, see below) |

Spot-checks of the clean plans: no resource names another region than the stack's (except an
organization trail's own ARN); every explicit physical name starts with the ``name_prefix`` (the
trail ``mlops-platform-<prefix>-audit`` by design) and fits AWS's limit of its type (rules,
schedules, state machines, queues, roles, pipes, SageMaker names, alarms...); the budget filters
on ``stack$<prefix>``; two endpoints of one family feed one retraining rule; custom entry points are
uploaded and run; consumer accounts reach the key, group and bucket policies; a cross-account
endpoint reads dev's ``models/`` and ``baselines/`` only; GPU alarms and targets scale by the GPU
count (g6e.12xlarge: 360 and 280); an unpriced type (p5 in eu-west-1) is listed UNPRICED with the
totals a lower bound.

Product bugs found and fixed (each its own commit, CHANGELOG ``### Fixed:``; the tests below fail on
the old code):

1. one model-quality problem type per stack: prod serving its Regression family next to the
   classifier, model-quality monitor on, was refused with no value that passes. Each endpoint is
   now monitored, alarmed and graphed as its family's ``training.problem_type``.
2. drift features came only from a feature group named after the family: a family trained from a
   group of another name got a monitor and no drift alarm, silently (drift paged nobody, retrained
   nothing). Now from ``training.data.feature_group`` (without label and identifiers), and an
   endpoint left without features gets a plan warning (the sample's demand-forecast has none).
3. an endpoint following another account's group (docs/promotion.md's one-registry-in-dev set-up)
   lost its drift alarm, silently: the ARN matched no feature group.
4. the same endpoint lost its family's ``quality_alarms`` (prod's auc 0.75), silently.
5. the same endpoint could not use ``monitoring.evidently`` (Model Monitor's replacement): refused
   although the family has ``evidently``.

3-5 were first fixed by reading a group ARN as the local family or group its name ends with
(``-<name>``); a second review found that mapping another team's ``.../mobile-churn`` onto this
stack's ``churn`` (its drift features, quality thresholds, problem type and Evidently reference,
silently), so it was reverted: nothing in the stack file says which family another account's
versions are. What stays: 3 is now a plan warning naming the cause and ``monitoring.drift_features``;
4 is by design (another account's versions get the stack's monitors, no family's thresholds); 5 is
refused as before, naming the endpoint. A field naming the family next to the ARN was the open
design; it is now ``model.family`` (tests/stacks/test_endpoint_family_field.py). The same review found two ways 1 and 2 went wrong, now refused where the file is read:
``monitoring.model_monitors.inference_attribute``/``probability_attribute`` (one type's column)
applied to another type's endpoint, and derived drift features wider than an alarm reads (11 model
inputs crashed the plan with a traceback): ``monitoring.drift_features``.

Left alone, with reasons:

- ``monitoring.evidently`` without the family's ``evidently`` is reported at the endpoint's
  ``latest_approved_of``, not at ``models[N].evidently``: the message names the family and the
  section to add, and tests/stacks/test_live_drift.py holds that key deliberately.
- ``monitoring.drift_features`` is one list for every monitored endpoint: in a stack serving two
  families of different features, the other family's drift alarm watches metrics its monitor never
  publishes. Per-family drift features would be a new stack-file field, not a fix (since added:
  ``models[].drift_features``, tests/stacks/test_endpoint_family_field.py).
- an account listed among its own family's ``consumer_accounts`` is accepted: the grant to its own
  account root adds no access.
- prod with ``audit_trail.enabled: false`` plans clean: documented as the adopter's call where
  another trail records the account.
- with ``--registry empty`` a deferred endpoint's instance-type violation does not show (nothing is
  created for it); the default plan (stand-in registry) shows it.
- serverless variants get the advisory model-in-vpc / network-isolation findings in dev and the
  mandatory ones in prod: documented (serverless takes neither).
- the price list covers eu-west-1 and us-east-1 only; other regions' plans say what is unpriced.

The tests record four variants of the fixture stacks (module fixtures, tests/recorded.py's cache)
and parse six more; the sample stack files are never read.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from planner.recorder import ResourceGraph
from stacks.config import CONFIG_KEY, ConfigError, parse_platform_config
from tests.conftest import load_stack_document
from tests.recorded import recorded_stack
from tests.stack_edits import forecast_family
from tests.stacks.conftest import retraining_serving_cut
from tests.yaml_text import dump_document

Edit = Callable[[dict[str, Any]], None]


def _forecast_endpoint(instance_type: str = "ml.m5.xlarge") -> dict[str, Any]:
    return {
        "name": "demand-forecast",
        "variants": [
            {
                "name": "primary",
                "model": {"latest_approved_of": "demand-forecast"},
                "instance_type": instance_type,
                "initial_instance_count": 2,
                "scaling": {"min_capacity": 2, "max_capacity": 4},
            }
        ],
    }


def _record(factory: pytest.TempPathFactory, base: str, edit: Edit) -> ResourceGraph:
    """The fixture stack ``base`` with ``edit`` applied, recorded once per version of the code, cut
    to what its endpoints read with its retraining triggers
    (:func:`tests.stacks.conftest.retraining_serving_cut`): the endpoints, their monitors, alarms
    and dashboard, the families' training and the drift rules stay as they are."""
    document = load_stack_document(base)
    retraining_serving_cut(document["config"][CONFIG_KEY])
    edit(document["config"][CONFIG_KEY])
    path = factory.mktemp("adopter") / f"Pulumi.{base}.yaml"
    path.write_text(dump_document(document))
    return recorded_stack(path)


def _serve_the_forecast_too(platform: dict[str, Any]) -> None:
    """Prod, which monitors model quality as BinaryClassification, also serves the Regression family
    it trains, with an RMSE alarm (the journey of models/README.md: add a family, then serve it)."""
    family = forecast_family()
    family["quality_alarms"] = {"rmse": 15}
    platform["models"].append(family)
    platform["endpoints"].append(_forecast_endpoint())


@pytest.fixture(scope="module")
def classifier_and_regressor(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    return _record(tmp_path_factory, "prod", _serve_the_forecast_too)


def _inputs(graph: ResourceGraph, type_token: str, name: str) -> dict[str, Any]:
    [resource] = [resource for resource in graph.of_type(type_token) if resource.name == name]
    return dict(resource.inputs)


# --- product bug 1: one stack-wide model-quality problem type -------------------------------------


def test_each_endpoint_is_quality_monitored_as_the_family_it_serves(classifier_and_regressor) -> None:
    """Refused before the fix (``monitoring.model_monitors.problem_type: BinaryClassification differs
    from what endpoint demand-forecast serves``), with no stack file that passes but one without the
    model-quality monitor: the problem type was one value for the whole stack."""
    job = "aws-native:sagemaker:ModelQualityJobDefinition"
    churn = _inputs(classifier_and_regressor, job, "model-monitors-customer-churn-model-quality")
    forecast = _inputs(classifier_and_regressor, job, "model-monitors-demand-forecast-model-quality")
    assert churn["modelQualityAppSpecification"]["problemType"] == "BinaryClassification"
    assert churn["modelQualityJobInput"]["endpointInput"]["probabilityAttribute"] == "0"
    assert forecast["modelQualityAppSpecification"]["problemType"] == "Regression"
    endpoint_input = forecast["modelQualityJobInput"]["endpointInput"]
    assert endpoint_input["inferenceAttribute"] == "0"
    assert "probabilityAttribute" not in endpoint_input
    assert "probabilityThresholdAttribute" not in endpoint_input


def test_a_regressor_s_quality_alarm_and_dashboard_read_its_own_metric(classifier_and_regressor) -> None:
    alarm = _inputs(
        classifier_and_regressor,
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "quality-alarms-demand-forecast-rmse",
    )
    assert (alarm["metricName"], alarm["threshold"], alarm["comparisonOperator"]) == (
        "rmse",
        15.0,
        "GreaterThanThreshold",
    )
    [dashboard] = classifier_and_regressor.of_type("aws:cloudwatch/dashboard:Dashboard")
    body = json.dumps(dashboard.inputs["dashboardBody"])
    assert '\\"rmse\\"' in body or '"rmse"' in body


def test_a_regressor_without_a_feature_group_says_it_has_no_drift_alarm(classifier_and_regressor) -> None:
    """Its data-quality monitor runs, but the drift alarm watches named features and the sample's
    demand-forecast has no feature group: before the fix nothing said that nothing pages or retrains
    on its drift (prod retrains on drift by default)."""
    [warning] = [
        w for w in classifier_and_regressor.warnings if w.startswith("endpoint demand-forecast: no drift")
    ]
    assert "nothing pages or retrains on drift" in warning
    names = {
        alarm.inputs.get("name")
        for alarm in classifier_and_regressor.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    }
    assert "prod-customer-churn-data-drift" in names
    assert "prod-demand-forecast-data-drift" not in names


# --- product bug 2: a family trained from a feature group of another name had no drift alarm ------


def _churn_v2_from_the_labelled_group(platform: dict[str, Any]) -> None:
    """A family copied from customer-churn and renamed, training from the fixture's labelled group
    (a name other than the family's), served by its own endpoint."""
    [churn] = [model for model in platform["models"] if model["name"] == "customer-churn"]
    family = copy.deepcopy(churn)
    family["name"] = "churn-v2"
    family.pop("batch_scoring", None)
    family.pop("evidently", None)
    family["training"]["data"] = {"feature_group": "customer-churn-labelled"}
    platform["models"].append(family)
    endpoint = copy.deepcopy(platform["endpoints"][0])
    endpoint["name"] = "churn-v2"
    endpoint["variants"][0]["model"] = {"latest_approved_of": "churn-v2"}
    platform["endpoints"].append(endpoint)


@pytest.fixture(scope="module")
def renamed_family(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    return _record(tmp_path_factory, "prod", _churn_v2_from_the_labelled_group)


def test_a_family_trained_from_a_feature_group_of_another_name_gets_a_drift_alarm(renamed_family) -> None:
    """The drift features came only from a group named after the family: churn-v2's endpoint got a
    data-quality monitor and no drift alarm, silently, so drift neither paged nor retrained it.
    Its features now come from the group it trains from, without the label it holds."""
    alarms = {
        a.inputs.get("name"): a for a in renamed_family.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    }
    drift = alarms["prod-churn-v2-data-drift"]
    watched = {query["metric"]["metricName"] for query in drift.inputs["metricQueries"] if "metric" in query}
    assert watched == {
        f"feature_baseline_drift_{name}"
        for name in (
            "tenure_months",
            "monthly_charges",
            "total_charges",
            "contract_type",
            "support_calls_90d",
        )
    }
    [rule] = [
        r
        for r in renamed_family.of_type("aws:cloudwatch/eventRule:EventRule")
        if r.name == "triggers-churn-v2-drift"
    ]
    assert "prod-churn-v2-data-drift" in json.loads(rule.inputs["eventPattern"])["detail"]["alarmName"]
    assert not [w for w in renamed_family.warnings if "no drift alarm" in w]


# --- product bug 3: promotion's one-registry-in-dev set-up lost prod's drift alarm ----------------

DEV_GROUP = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/dev-customer-churn"


def _serve_dev_s_registry(platform: dict[str, Any]) -> None:
    """docs/promotion.md, 'One registry in dev': prod's endpoint follows dev's group by ARN."""
    platform["endpoints"][0]["variants"][0]["model"] = {"latest_approved_of": DEV_GROUP}


@pytest.fixture(scope="module")
def one_registry_in_dev(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    return _record(tmp_path_factory, "prod", _serve_dev_s_registry)


def test_an_endpoint_following_another_account_s_group_has_no_drift_alarm_and_the_plan_says_so(
    one_registry_in_dev,
) -> None:
    """Found by this audit: the endpoint kept its data-quality monitor and lost its drift alarm,
    silently. A fix mapped the ARN to a local family by the suffix of its group name; a review found
    that mapping taking another team's ``.../mobile-churn`` for this stack's ``churn`` (its drift
    features, thresholds and Evidently reference), so it was reverted: nothing in the stack file says
    which family another account's versions are. The plan now says there is no drift alarm, why, and
    the key that gives one."""
    names = {
        a.inputs.get("name") for a in one_registry_in_dev.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    }
    assert "prod-customer-churn-data-drift" not in names
    [warning] = [w for w in one_registry_in_dev.warnings if "no drift alarm" in w]
    assert "another account's group" in warning and "monitoring.drift_features" in warning


def test_an_endpoint_following_another_account_s_group_gets_no_family_s_quality_alarms(
    one_registry_in_dev,
) -> None:
    """The family's ``quality_alarms`` are not applied to another account's versions (the reverted
    suffix mapping would have applied a same-named family's): the model-quality monitor runs, with
    the stack's ``monitoring.model_monitors.problem_type``, and no threshold alarm."""
    names = [
        a.inputs.get("name")
        for a in one_registry_in_dev.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if "model-quality" in (a.inputs.get("name") or "")
    ]
    assert names == []
    # Not for want of a monitor: the endpoint's model-quality monitor runs, as the stack's problem type.
    [job] = one_registry_in_dev.of_type("aws-native:sagemaker:ModelQualityJobDefinition")
    assert job.inputs["modelQualityAppSpecification"]["problemType"] == "BinaryClassification"


# --- product bug 5: Model Monitor's replacement refused in the one-registry-in-dev set-up ---------


def _evidently_on_dev_s_registry(platform: dict[str, Any]) -> None:
    """AWS closed Model Monitor to new customers; docs/monitoring.md's replacement is
    ``monitoring.evidently`` (the prod fixture's customer-churn has ``evidently``), on an endpoint that
    follows dev's group."""
    _serve_dev_s_registry(platform)
    platform["monitoring"] = {"model_monitor": False, "evidently": True}
    for family in platform["models"]:
        family.pop("quality_alarms", None)


def test_live_drift_of_an_endpoint_following_another_account_s_group_is_refused() -> None:
    """``monitoring.evidently`` on an endpoint following another account's group needs a family of
    this stack to take the Evidently reference from: the reverted suffix mapping compared another
    team's traffic with a same-named family's reference. Refused, naming the endpoint's key."""
    platform = load_stack_document("prod")["config"][CONFIG_KEY]
    _evidently_on_dev_s_registry(platform)
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(platform, "stacks/Pulumi.prod.yaml")
    assert any(key.startswith(f"{CONFIG_KEY}.endpoints[0]") for key, _ in raised.value.problems), (
        raised.value.problems
    )


# --- second review: settings that a stack serving several problem types cannot share --------------


def test_a_prediction_attribute_of_one_problem_type_is_refused_where_another_is_served() -> None:
    """The per-family problem type copied ``monitoring.model_monitors.inference_attribute`` ("1", a
    classifier's label column) onto the regressor's monitor, which then read a column its responses
    lack and published no rmse. The attributes say where one type's prediction is: refused where the
    stack serves another type, naming the key."""
    platform = load_stack_document("prod")["config"][CONFIG_KEY]
    _serve_the_forecast_too(platform)
    platform["monitoring"].setdefault("model_monitors", {})["inference_attribute"] = "1"
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(platform, "stacks/Pulumi.prod.yaml")
    problems = dict(raised.value.problems)
    assert f"{CONFIG_KEY}.monitoring.model_monitors.inference_attribute" in problems, problems
    assert "demand-forecast" in problems[f"{CONFIG_KEY}.monitoring.model_monitors.inference_attribute"]


def test_a_prediction_attribute_is_refused_for_a_pinned_version_monitored_as_a_family_of_its_name() -> None:
    """An endpoint without ``latest_approved_of`` (a pinned version) is monitored as the family of its
    name (model_family_of); the check looked for ``latest_approved_of`` only, so the attribute reached
    the regressor's monitor unrefused."""
    platform = load_stack_document("prod")["config"][CONFIG_KEY]
    _serve_the_forecast_too(platform)
    [endpoint] = [e for e in platform["endpoints"] if e["name"] == "demand-forecast"]
    pinned = "arn:aws:sagemaker:eu-west-1:333333333333:model-package/prod-demand-forecast/3"
    endpoint["variants"][0]["model"] = {"model_package_arn": pinned}
    platform["monitoring"].setdefault("model_monitors", {})["inference_attribute"] = "1"
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(platform, "stacks/Pulumi.prod.yaml")
    problems = dict(raised.value.problems)
    assert "demand-forecast" in problems[f"{CONFIG_KEY}.monitoring.model_monitors.inference_attribute"]


def test_a_feature_group_wider_than_a_drift_alarm_is_refused_where_the_file_is_read() -> None:
    """Drift features derived from a training group of 11 model inputs crashed the plan (exit 3, a
    traceback naming no key: an alarm reads at most 10 metrics). Refused at
    ``monitoring.drift_features``, which chooses them."""
    platform = load_stack_document("prod")["config"][CONFIG_KEY]
    [family] = [f for f in platform["models"] if f["name"] == "customer-churn"]
    source = family["training"]["data"]["feature_group"]
    [group] = [g for g in platform["feature_groups"] if g["name"] == source]
    for index in range(11):
        group["features"].append({"name": f"extra_{index}", "type": "Fractional"})
    family["training"]["data"].pop("columns", None)
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(platform, "stacks/Pulumi.prod.yaml")
    problems = dict(raised.value.problems)
    assert f"{CONFIG_KEY}.monitoring.drift_features" in problems, problems
    assert "at most 10" in problems[f"{CONFIG_KEY}.monitoring.drift_features"]


# --- journeys that end in a clear error: the stack file and the key named, nothing recorded -------


def _rename_the_family_only(platform: dict[str, Any]) -> None:
    """Copied and renamed the family, forgot the endpoint that follows it."""
    platform["models"][0]["name"] = "churn-v2"


def _copy_with_a_stale_tuning_objective(platform: dict[str, Any]) -> None:
    """A Regression family copied from staging's customer-churn, metrics renamed, tuning left as is."""
    family = copy.deepcopy(platform["models"][0])
    family["name"] = "basket-size"
    family["training"].update(problem_type="Regression", metrics=["rmse", "mae"], label="items")
    family["training"]["metric_definitions"] = [
        {"name": "validation:rmse", "regex": "validation_rmse=([0-9.]+);"}
    ]
    family["training"].pop("data", None)
    family["promotion"] = {"metric": "metrics.rmse.value", "threshold": 3, "direction": "minimize"}
    family.pop("quality_alarms", None)
    family.pop("batch_scoring", None)
    family.pop("evidently", None)
    tuning = {
        "objective": {"metric": "validation:auc", "type": "Maximize"},
        "max_jobs": 4,
        "parameters": {"max_iter": {"type": "integer", "min": 50, "max": 400}},
    }
    family["training"]["tuning"] = tuning
    family["training"]["hyperparameters"] = {}
    platform["models"].append(family)


def _async_scale_to_zero_copied_to_prod(platform: dict[str, Any]) -> None:
    """dev's idle-free async endpoint copied into prod, whose deployments are linear by default."""
    platform["endpoints"].append(
        {
            "name": "demand-forecast",
            "async_inference": {"max_concurrent_invocations_per_instance": 4},
            "variants": [
                {
                    "name": "primary",
                    "model": {"latest_approved_of": "customer-churn"},
                    "instance_type": "ml.m5.xlarge",
                    "scaling": {
                        "min_capacity": 0,
                        "max_capacity": 2,
                        "invocations_per_instance": None,
                        "backlog_per_instance": 5,
                    },
                }
            ],
        }
    )


def _follow_dev_in_another_region(platform: dict[str, Any]) -> None:
    platform["endpoints"][0]["variants"][0]["model"] = {
        "latest_approved_of": DEV_GROUP.replace("eu-west-1", "us-east-1")
    }


def _region(region: str) -> Edit:
    def edit(platform: dict[str, Any]) -> None:
        platform["region"] = region
        platform["network"].pop("availability_zones", None)

    return edit


CLEAR_ERRORS = {
    "renamed-family-endpoint-stale": (
        "dev",
        _rename_the_family_only,
        "endpoints[0].variants[0].model.latest_approved_of",
    ),
    "copied-family-tuning-stale": (
        "staging",
        _copy_with_a_stale_tuning_objective,
        "models[1].training.tuning.objective.metric",
    ),
    "async-scale-to-zero-in-prod": (
        "prod",
        _async_scale_to_zero_copied_to_prod,
        "endpoints[1].deployment.linear_step_percent",
    ),
    "dev-group-of-another-region": (
        "staging",
        _follow_dev_in_another_region,
        "endpoints[0].variants[0].model.latest_approved_of",
    ),
    "govcloud": ("dev", _region("us-gov-west-1"), "region"),
    "region-without-the-monitor-analyzer": ("staging", _region("mx-central-1"), "region"),
}


@pytest.mark.parametrize(("base", "edit", "key"), CLEAR_ERRORS.values(), ids=CLEAR_ERRORS.keys())
def test_a_journey_that_cannot_work_names_the_file_and_the_key(base, edit, key) -> None:
    platform = load_stack_document(base)["config"][CONFIG_KEY]
    edit(platform)
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(platform, f"stacks/Pulumi.{base}.yaml")
    assert str(raised.value).startswith(f"stacks/Pulumi.{base}.yaml: invalid configuration")
    assert f"{CONFIG_KEY}.{key}" in dict(raised.value.problems), raised.value.problems
