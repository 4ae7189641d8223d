"""Every problem of a stack file in one round: a check whose inputs are valid reports even when
another part of the file failed (a field, a section's check across its fields, a check across
sections), and a check that reads a value that failed is skipped, so nothing is reported that only
follows from another problem (stacks/partial_validation.py, ``parse_platform_config``).

Before, validation stopped at each stage: one field error anywhere hid every check across sections
(PlatformConfig's model validators and the cross checks), the first failing model validator hid the
next, and a section's failing check hid every cross check (the prod stack at ca-west-1 with
``model_monitor: false`` reported one problem, then the region in a second round, then the family's
``quality_alarms`` in a third).
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from planner.__main__ import EXIT_INVALID_CONFIG, main
from stacks.config import CONFIG_KEY, ConfigError, PlatformConfig
from stacks.partial_validation import FAILED, Unavailable, partial_instance, refused
from stacks.stack_file import offline_platform_config, read_stack_file
from tests.conftest import load_stack_document
from tests.recorded import computed_once
from tests.stacks.project_folder import project_folder

P = CONFIG_KEY
Mutation = Callable[[dict[str, Any]], object]


def _stack(tmp_path: Path, base: str, *mutations: Mutation) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    document = load_stack_document(base)
    for mutation in mutations:
        mutation(document["config"][CONFIG_KEY])
    return project_folder(tmp_path, stack="adopter", document=document)


def _refusal(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as raised:
        offline_platform_config(read_stack_file(str(path)))
    return raised.value


def _problems(path: Path) -> dict[str, str]:
    """key (below the platform value) -> message; every line of the error names the file."""
    try:
        offline_platform_config(read_stack_file(str(path)))
    except ConfigError as error:
        lines = str(error).splitlines()
        assert lines[0] == f"{path}: invalid configuration ({len(error.problems)} problem" + (
            "s)" if len(error.problems) != 1 else ")"
        )
        assert all(line.startswith(f"  {path}: {P}") for line in lines[1:])
        assert len(dict(error.problems)) == len(error.problems), "each problem once"
        return {key.removeprefix(f"{P}."): message for key, message in error.problems}
    return {}


# -- single mutations of the prod fixture, each one problem in its own part of the file ------------
def _retention(platform: dict[str, Any]) -> None:  # a field
    platform["network"]["flow_log_retention_days"] = 91


def _no_model_monitor(platform: dict[str, Any]) -> None:  # a section's check across its fields
    platform["monitoring"]["model_monitor"] = False


def _long_bake(platform: dict[str, Any]) -> None:  # a check across sections (PlatformConfig's)
    platform.setdefault("endpoint_defaults", {})["minimum_bake_seconds"] = 900


def _unknown_family(platform: dict[str, Any]) -> None:  # a reference to a family
    platform["endpoints"][0]["variants"][0]["model"]["latest_approved_of"] = "churm"


def _unreported_metric(platform: dict[str, Any]) -> None:  # a cross check
    platform["models"][0]["promotion"]["metric"] = "metrics.rmse.value"


def _unknown_feature_group(platform: dict[str, Any]) -> None:  # a cross check
    platform["models"][0]["training"]["data"]["feature_group"] = "customer-churn-typo"


def _empty_tag(platform: dict[str, Any]) -> None:  # PlatformConfig's check of the tags
    platform["tags"]["team"] = ""


def _fax_alerts(platform: dict[str, Any]) -> None:  # a field in a list
    platform["alerts"]["subscriptions"][0]["protocol"] = "fax"


def _canada_west(platform: dict[str, Any]) -> None:  # a cross check of the region
    platform["region"] = "ca-west-1"


def _invalid_family_name(platform: dict[str, Any]) -> None:
    platform["models"][0]["name"] = "Customer Churn!"


INDEPENDENT: dict[str, Mutation] = {
    "retention": _retention,
    "no_model_monitor": _no_model_monitor,
    "long_bake": _long_bake,
    "unknown_family": _unknown_family,
    "unreported_metric": _unreported_metric,
    "unknown_feature_group": _unknown_feature_group,
    "empty_tag": _empty_tag,
    "fax_alerts": _fax_alerts,
}


def test_four_problems_of_four_stages_are_reported_in_one_run(tmp_path: Path) -> None:
    path = _stack(tmp_path, "prod", _retention, _no_model_monitor, _long_bake, _unknown_family)
    assert _problems(path) == {
        "network.flow_log_retention_days": (
            "91 is not a CloudWatch Logs retention; allowed: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, "
            "400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653"
        ),
        "monitoring.model_monitors.model_quality": (
            "the ModelQuality monitor is a Model Monitor schedule, and model_monitor is false: set it false, "
            "or model_monitor: true"
        ),
        "endpoints[0].deployment.wait_interval_seconds": (
            "bakes 600 s, under endpoint_defaults.minimum_bake_seconds (900): a rollback alarm sees a "
            "per-minute metric, so a shorter bake shifts traffic before it can judge the new fleet "
            "(inherited from endpoint_defaults.deployment.wait_interval_seconds: the prod environment's default)"
        ),
        "endpoints[0].variants[0].model.latest_approved_of": (
            "'churm' is not a model family of this stack (customer-churn); use a group ARN for another "
            "account's registry"
        ),
        "models[0].quality_alarms": (
            "no model-quality monitor publishes these metrics: monitoring.model_monitor is false (no Model "
            "Monitor schedules); remove quality_alarms, or set model_monitor: true"
        ),
    }


def test_the_adopters_prod_copy_at_ca_west_1_without_model_monitor_is_one_round(
    tmp_path: Path, capsys
) -> None:
    """The report that started this: three problems, once, through the plan's command line (exit 2,
    nothing on stdout, each line naming the file and the key)."""
    path = _stack(tmp_path, "prod", _canada_west, _no_model_monitor)
    assert main(["--config", str(path), "--format", "json"]) == EXIT_INVALID_CONFIG
    out, err = capsys.readouterr()
    assert out == ""
    assert f"{path}: invalid configuration (3 problems)" in err
    for key in ("monitoring.model_monitors.model_quality", "region", "models[0].quality_alarms"):
        assert f"{path}: {P}.{key}: " in err
    assert "sagemaker-distribution-prod image, which AWS does not publish in ca-west-1" in err


def test_a_sections_own_checks_run_beside_a_failed_field_of_it(tmp_path: Path) -> None:
    """monitoring.schedule fails; the monitoring section's check of model_monitor against
    model_monitors, which reads neither, still reports."""

    def hourly_rate(platform: dict[str, Any]) -> None:
        platform["monitoring"]["schedule"] = "rate(1 hour)"

    problems = _problems(_stack(tmp_path, "prod", hourly_rate, _no_model_monitor))
    assert set(problems) == {
        "monitoring.schedule",
        "monitoring.model_monitors.model_quality",
        "models[0].quality_alarms",
    }


def test_every_check_across_sections_reports_not_only_the_first_that_fails(tmp_path: Path) -> None:
    """Two of PlatformConfig's model validators and two endpoints each: before, the first problem of
    the first validator was the whole report."""

    def second_endpoint(platform: dict[str, Any]) -> None:
        endpoint = dict(platform["endpoints"][0], name="churn-b")
        endpoint["variants"] = [dict(endpoint["variants"][0], model={"latest_approved_of": "churm-b"})]
        platform["endpoints"].append(endpoint)

    problems = _problems(_stack(tmp_path, "prod", second_endpoint, _long_bake, _unknown_family))
    assert sorted(problems) == [
        "endpoints[0].deployment.wait_interval_seconds",
        "endpoints[0].variants[0].model.latest_approved_of",
        "endpoints[1].deployment.wait_interval_seconds",
        "endpoints[1].variants[0].model.latest_approved_of",
    ]
    assert problems["endpoints[1].variants[0].model.latest_approved_of"].startswith(
        "'churm-b' is not a model family"
    )


PAIRS = list(itertools.combinations(INDEPENDENT, 2))


@cache
def _independent_reports() -> tuple[dict[str, dict[str, str]], dict[tuple[str, str], dict[str, str]]]:
    """The report (:func:`_problems`) of each mutation of INDEPENDENT alone (each is in seven pairs)
    and of each pair of :data:`PAIRS`, each in a project folder of its own of a temporary folder:
    computed once per version of the code, this module and the fixtures and read by every worker
    and later run (tests.recorded.computed_once). The reports name no file (the pairs' compare
    equal to their parts' made in other folders); what :func:`_problems` asserts of every line is
    asserted as they are made, a failure keeping nothing."""

    def make() -> tuple[dict[str, dict[str, str]], dict[tuple[str, str], dict[str, str]]]:
        with tempfile.TemporaryDirectory(prefix="independent-") as directory:
            folder = Path(directory)
            alone = {
                name: _problems(_stack(folder / name, "prod", mutation))
                for name, mutation in INDEPENDENT.items()
            }
            pairs = {
                (first, second): _problems(
                    _stack(folder / f"{first}+{second}", "prod", INDEPENDENT[first], INDEPENDENT[second])
                )
                for first, second in PAIRS
            }
        return alone, pairs

    return computed_once("independent-reports", make)


@pytest.mark.parametrize(("first", "second"), PAIRS, ids=[f"{a}+{b}" for a, b in PAIRS])
def test_two_independent_mistakes_report_what_each_reports_alone(first: str, second: str) -> None:
    reports, pairs = _independent_reports()
    alone = [reports[name] for name in (first, second)]
    assert all(alone), "each mutation is a problem of its own"
    assert not set(alone[0]) & set(alone[1]), "in different keys"
    both = pairs[first, second]
    assert both == {**alone[0], **alone[1]}


def test_a_check_reading_a_failed_family_is_skipped_not_reported_as_an_unknown_family(tmp_path: Path) -> None:
    """The family's own name failed: which families the stack has is unknown, so neither the
    endpoint following customer-churn nor the one following 'churm' is called "not a model family of
    this stack"; the checks that read no family name still report: the bake, and the region's
    images (which read the families' training, not their names)."""
    problems = _problems(
        _stack(tmp_path, "prod", _invalid_family_name, _unknown_family, _long_bake, _canada_west)
    )
    assert set(problems) == {"models[0].name", "endpoints[0].deployment.wait_interval_seconds", "region"}
    assert "not a valid model package group name" in problems["models[0].name"]


def test_an_invalid_environment_leaves_every_defaulted_value_unknown(tmp_path: Path) -> None:
    """The environment chooses the defaults: with it invalid, the dev fixture's endpoint would be
    judged against the model's own minimum_instances (1), not dev's (0), and refused for it."""

    def qa(platform: dict[str, Any]) -> None:
        platform["environment"] = "qa"

    problems = _problems(_stack(tmp_path, "dev", qa, _retention))
    assert set(problems) == {"environment", "network.flow_log_retention_days"}


def test_a_map_with_an_unknown_key_is_not_read_by_the_checks(tmp_path: Path) -> None:
    """``descriptoin`` may be any key misspelt (``training`` itself): the family is unknown to the
    checks, so its promotion metric is not judged against a training it may not have."""

    def misspelt(platform: dict[str, Any]) -> None:
        platform["models"][0]["descriptoin"] = "typo"

    problems = _problems(_stack(tmp_path, "prod", misspelt, _unreported_metric, _retention))
    assert set(problems) == {"models[0].descriptoin", "network.flow_log_retention_days"}


def test_a_single_problem_is_reported_as_before(tmp_path: Path) -> None:
    error = _refusal(_stack(tmp_path, "prod", _unknown_feature_group))
    assert error.problems == [
        (
            f"{P}.models[0].training.data.feature_group",
            "'customer-churn-typo' is not a feature group of this stack (feature_groups[].name: "
            "customer-churn, customer-churn-labelled)",
        )
    ]


def test_what_is_left_of_an_invalid_value_refuses_to_be_read_where_it_failed() -> None:
    platform = load_stack_document("prod")["config"][CONFIG_KEY]
    document = refused({**platform, "region": "mars-1"}, [("region",), ("endpoints", 0, "name")])
    config = partial_instance(PlatformConfig, document)
    assert config is not None
    assert config.region is FAILED and config.endpoints[0].name is FAILED
    assert config.endpoints[0].variants[0].name == "primary"
    assert config.account_id == "333333333333"
    for read in (lambda: config.region.upper(), lambda: config.region == "x", lambda: f"{config.region}"):
        with pytest.raises(Unavailable):
            read()
    assert platform["region"] == "eu-west-1", "the document itself is left as it was"
    assert partial_instance(PlatformConfig, {**platform, "unknown": 1}) is None
    # Below a value that is no map or list (an error inside a text), or past a list's end: that value.
    assert refused({"a": "text", "b": [1]}, [("a", "b"), ("b", 3)]) == {"a": FAILED, "b": FAILED}
    assert refused({"a": {}}, [("a", "missing")]) == {"a": {"missing": FAILED}}


def test_every_models_check_across_its_fields_takes_only_the_model() -> None:
    """What is left of an invalid value runs each model validator as ``check(model)``: one that took
    pydantic's ``info`` too would be skipped there without a word."""
    import inspect

    from stacks.partial_validation import _models_in

    checks = [
        (cls.__name__, decorator.func)
        for cls in set(_models_in(PlatformConfig.__pydantic_core_schema__))
        for decorator in cls.__pydantic_decorators__.model_validators.values()
        if decorator.info.mode == "after"
    ]
    assert len(checks) > 40
    assert [name for name, check in checks if list(inspect.signature(check).parameters) != ["self"]] == []


def test_a_value_a_sections_rule_refused_is_not_judged_again_by_a_rule_across_sections(
    tmp_path: Path,
) -> None:
    """``model.family`` beside a family of this stack is refused by the model source's own rule;
    the rule across sections that looks the family up among the stack's must not add "'nope' is
    not a model family of this stack" at the same key."""

    def family_beside_own_group(platform: dict[str, Any]) -> None:
        platform["endpoints"][0]["variants"][0]["model"]["family"] = "nope"

    error = _refusal(_stack(tmp_path, "prod", family_beside_own_group, _retention))
    assert [key.removeprefix(f"{P}.") for key, _ in error.problems] == [
        "network.flow_log_retention_days",
        "endpoints[0].variants[0].model.family",
    ]
    assert "goes with latest_approved_of naming that account's group" in error.problems[1][1]


def test_a_value_a_rule_across_sections_refused_is_not_judged_again_by_a_later_one(tmp_path: Path) -> None:
    """'churm' is refused as no family of this stack; live drift (monitoring.evidently), which
    reads the family the endpoint follows, must not add that family 'churm' has no `evidently`:
    neither where the refusal is the validation's own, nor where a field error elsewhere held the
    rules across sections back to what is left of the value."""

    def live_drift(platform: dict[str, Any]) -> None:
        platform["monitoring"]["evidently"] = True

    churm = (
        f"{P}.endpoints[0].variants[0].model.latest_approved_of",
        "'churm' is not a model family of this stack (customer-churn); use a group ARN for another "
        "account's registry",
    )
    assert _problems(_stack(tmp_path / "alone", "prod", live_drift)) == {}
    assert _refusal(_stack(tmp_path / "both", "prod", live_drift, _unknown_family)).problems == [churm]
    error = _refusal(_stack(tmp_path / "three", "prod", live_drift, _unknown_family, _retention))
    assert [key for key, _ in error.problems] == [f"{P}.network.flow_log_retention_days", churm[0]]
    assert error.problems[1] == churm


def test_a_missing_key_leaves_the_rest_of_its_map_readable(tmp_path: Path) -> None:
    """The family without ``promotion`` still has its name: the endpoint following 'churm' is told
    it is no family of this stack in the same run."""

    def no_promotion(platform: dict[str, Any]) -> None:
        del platform["models"][0]["promotion"]

    assert _problems(_stack(tmp_path, "prod", no_promotion, _unknown_family)) == {
        "models[0].promotion": "missing required key",
        "endpoints[0].variants[0].model.latest_approved_of": (
            "'churm' is not a model family of this stack (customer-churn); use a group ARN for another "
            "account's registry"
        ),
    }
