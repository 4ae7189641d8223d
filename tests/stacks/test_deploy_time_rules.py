"""Values AWS would reject at deploy time are rejected in the stack file, naming file and key.

Each rule is tested at its edge: the value just inside passes, the value just outside fails with
the stack file and the dotted key in the problem line. Sources of the limits: the SageMaker API
(BlueGreenUpdatePolicy, TrafficRoutingConfig, ScheduleConfig), EventBridge's schedule expressions,
Application Auto Scaling's PutScheduledAction, the IANA time-zone database, SNS subscriptions, the
AWS tagging rules and RFC 5321/5322 for e-mail addresses.
"""

from __future__ import annotations

import math
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from stacks.config import CONFIG_KEY, ConfigError, PlatformConfig, parse_platform_config
from stacks.stack_file import read_stack_file
from tests.conftest import load_stack_document
from tests.recorded import computed_once
from tests.stack_edits import Edit, at, both
from tests.yaml_text import dump_document

P = CONFIG_KEY
EP = f"{P}.endpoints[0]"
VARIANT = f"{EP}.variants[0]"


def tags(count: int) -> Edit:
    """The stack's tags topped up to ``count`` (it has owner, cost-center, project, data-classification)."""

    def edit(platform: dict[str, Any]) -> None:
        platform["tags"] |= {f"extra-{index}": "x" for index in range(count - len(platform["tags"]))}

    return edit


TEN_INSTANCES = both(
    at("endpoints.0.variants.0.initial_instance_count", 10),
    at(
        "endpoints.0.variants.0.scaling",
        {"min_capacity": 10, "max_capacity": 10, "invocations_per_instance": 100},
    ),
)
DEPLOY = "endpoints.0.deployment"
# prod's endpoint: linear 50 % of 2-8 instances, baking three times (3 instances shift one at a time
# when SageMaker rounds the step down), 600 s each, 600 s termination wait, and a g5 (600 s launch)
# with 900 s download and 900 s startup: 2400 s of waits + 2400 s provisioning.
REQUIRED_PROD_SECONDS = 3 * 600 + 600 + 600 + 900 + 900

# (case, base stack, edit, key of the problem or None when the edit is valid, message fragment)
CASES: list[tuple[str, str, Edit, str | None, str]] = [
    # -- blue/green: steps of whole instances, never all of them --------------------------------
    ("linear-half-of-two-passes", "prod", at(f"{DEPLOY}.linear_step_percent", 50), None, ""),
    ("linear-49-of-two-fails", "prod", at(f"{DEPLOY}.linear_step_percent", 49), f"{EP}.deployment.linear_step_percent", "0.98 instances"),
    ("linear-10-of-ten-passes", "prod", both(TEN_INSTANCES, at(f"{DEPLOY}.linear_step_percent", 10)), None, ""),
    ("linear-9-fails-the-range", "prod", both(TEN_INSTANCES, at(f"{DEPLOY}.linear_step_percent", 9)), f"{EP}.deployment.linear_step_percent", "greater than or equal to 10"),
    ("linear-51-fails-the-range", "prod", at(f"{DEPLOY}.linear_step_percent", 51), f"{EP}.deployment.linear_step_percent", "less than or equal to 50"),
    ("canary-half-of-two-passes", "prod", at(DEPLOY, {"strategy": "canary", "canary_percent": 50}), None, ""),
    ("canary-51-fails-the-range", "prod", at(DEPLOY, {"strategy": "canary", "canary_percent": 51}), f"{EP}.deployment.canary_percent", "less than or equal to 50"),
    ("canary-on-one-instance-fails", "staging", at(DEPLOY, {"strategy": "canary", "canary_percent": 50}), f"{EP}.deployment.canary_percent", "keep at least 2 instances"),
    ("canary-10-on-one-instance-fails", "staging", at(DEPLOY, {"strategy": "canary", "canary_percent": 10}), f"{EP}.deployment.canary_percent", "0.1 instances"),
    ("canary-counts-the-scheduled-minimum", "prod", both(at(DEPLOY, {"strategy": "canary", "canary_percent": 50}), at("endpoints.0.variants.0.scaling.scheduled.1.min_capacity", 1), at("endpoint_defaults.minimum_instances", 1)), f"{EP}.deployment.canary_percent", "minimum of 1 instance"),
    ("wait-3600-passes", "dev", at(f"{DEPLOY}.wait_interval_seconds", 3600), None, ""),
    ("wait-3601-fails", "dev", at(f"{DEPLOY}.wait_interval_seconds", 3601), f"{EP}.deployment.wait_interval_seconds", "less than or equal to 3600"),
    ("termination-wait-3601-fails", "dev", at(f"{DEPLOY}.termination_wait_seconds", 3601), f"{EP}.deployment.termination_wait_seconds", "less than or equal to 3600"),
    ("timeout-just-above-the-waits-passes", "prod", at(f"{DEPLOY}.maximum_execution_timeout_seconds", REQUIRED_PROD_SECONDS + 1), None, ""),
    ("timeout-equal-to-the-waits-fails", "prod", at(f"{DEPLOY}.maximum_execution_timeout_seconds", REQUIRED_PROD_SECONDS), f"{EP}.deployment.maximum_execution_timeout_seconds", f"{REQUIRED_PROD_SECONDS} s in all"),
    ("timeout-above-28800-fails", "prod", at(f"{DEPLOY}.maximum_execution_timeout_seconds", 28801), f"{EP}.deployment.maximum_execution_timeout_seconds", "less than or equal to 28800"),
    ("timeout-below-600-fails", "dev", at(f"{DEPLOY}.maximum_execution_timeout_seconds", 599), f"{EP}.deployment.maximum_execution_timeout_seconds", "greater than or equal to 600"),
    ("waits-beyond-any-timeout-fail", "prod", both(TEN_INSTANCES, at(DEPLOY, {"strategy": "linear", "linear_step_percent": 10, "wait_interval_seconds": 3600})), f"{EP}.deployment.maximum_execution_timeout_seconds", "shorten the waits"),
    # -- schedules -------------------------------------------------------------------------------
    ("training-rate-1-minute-passes", "prod", at("training.schedule", "rate(1 minute)"), None, ""),
    ("training-rate-1-minutes-fails", "prod", at("training.schedule", "rate(1 minutes)"), f"{P}.training.schedule", "write rate(1 minute)"),
    ("training-rate-2-minute-fails", "prod", at("training.schedule", "rate(2 minute)"), f"{P}.training.schedule", "write rate(2 minutes)"),
    ("training-rate-0-fails", "prod", at("training.schedule", "rate(0 minutes)"), f"{P}.training.schedule", "positive whole number"),
    ("training-cron-both-days-fails", "prod", at("training.schedule", "cron(0 3 * * MON *)"), f"{P}.training.schedule", "must be '?'"),
    ("training-cron-minute-60-fails", "prod", at("training.schedule", "cron(60 3 ? * MON *)"), f"{P}.training.schedule", "minutes '60'"),
    ("training-cron-five-fields-fails", "prod", at("training.schedule", "cron(0 3 ? * MON)"), f"{P}.training.schedule", "6 fields"),
    ("training-cron-last-friday-passes", "prod", at("training.schedule", "cron(0 3 ? * 6L 2026-2199)"), None, ""),
    ("training-cron-of-256-characters-passes", "prod", at("training.schedule", "cron(" + "0," * 118 + "10 3 ? * MON *)"), None, ""),
    ("training-cron-of-257-characters-fails", "prod", at("training.schedule", "cron(" + "0," * 119 + "0 3 ? * MON *)"), f"{P}.training.schedule", "at most 256"),
    ("scheduled-cron-of-1601-characters-fails", "prod", at("endpoints.0.variants.0.scaling.scheduled.0.schedule", "cron(" + "0," * 791 + "0 3 ? * MON *)"), f"{VARIANT}.scaling.scheduled[0].schedule", "at most 1600"),
    ("training-cron-year-2200-fails", "prod", at("training.schedule", "cron(0 3 ? * MON 2200)"), f"{P}.training.schedule", "1970-2199"),
    ("monitor-every-2-hours-passes", "prod", at("monitoring.schedule", "cron(0 0/2 ? * * *)"), None, ""),
    ("monitor-daily-23-passes", "prod", at("monitoring.schedule", "cron(0 23 ? * * *)"), None, ""),
    ("monitor-hour-24-fails", "prod", at("monitoring.schedule", "cron(0 24 ? * * *)"), f"{P}.monitoring.schedule", "not a Model Monitor schedule"),
    ("monitor-weekly-fails", "prod", at("monitoring.schedule", "cron(0 0 ? * MON *)"), f"{P}.monitoring.schedule", "not a Model Monitor schedule"),
    ("monitor-now-fails", "prod", at("monitoring.schedule", "NOW"), f"{P}.monitoring.schedule", "not a Model Monitor schedule"),
    ("hourly-model-quality-1800-passes", "prod", at("monitoring.max_runtime_seconds", 1800), None, ""),
    ("hourly-model-quality-1801-fails", "prod", at("monitoring.max_runtime_seconds", 1801), f"{P}.monitoring.max_runtime_seconds", "ModelQuality jobs may run at most 1800 s"),
    ("hourly-data-quality-3600-passes", "staging", both(at("monitoring.schedule", "cron(0 * ? * * *)"), at("monitoring.max_runtime_seconds", 3600)), None, ""),
    ("two-hourly-model-quality-3600-passes", "prod", both(at("monitoring.schedule", "cron(0 0/2 ? * * *)"), at("monitoring.max_runtime_seconds", 3600)), None, ""),
    ("two-hourly-7200-passes", "prod", both(at("monitoring.schedule", "cron(0 0/2 ? * * *)"), at("monitoring.max_runtime_seconds", 7200)), None, ""),
    ("two-hourly-7201-fails", "prod", both(at("monitoring.schedule", "cron(0 0/2 ? * * *)"), at("monitoring.max_runtime_seconds", 7201)), f"{P}.monitoring.max_runtime_seconds", "2 hours apart: a job may run at most 7200 s"),
    ("daily-a-day-passes", "prod", both(at("monitoring.schedule", "cron(0 4 ? * * *)"), at("monitoring.max_runtime_seconds", 86_400)), None, ""),
    ("every-7-hours-wraps-in-3-fails", "prod", both(at("monitoring.schedule", "cron(0 0/7 ? * * *)"), at("monitoring.max_runtime_seconds", 10_801)), f"{P}.monitoring.max_runtime_seconds", "3 hours apart: a job may run at most 10800 s"),
    ("every-7-hours-3-hours-passes", "prod", both(at("monitoring.schedule", "cron(0 0/7 ? * * *)"), at("monitoring.max_runtime_seconds", 10_800)), None, ""),
    ("23-and-0-are-an-hour-apart-fails", "prod", both(at("monitoring.schedule", "cron(0 0/23 ? * * *)"), at("monitoring.max_runtime_seconds", 1801)), f"{P}.monitoring.max_runtime_seconds", "an hour apart: its ModelQuality jobs may run at most 1800 s"),
    ("monitor-rate-fails", "prod", at("monitoring.schedule", "rate(1 hour)"), f"{P}.monitoring.schedule", "not a Model Monitor schedule"),
    ("scheduled-at-passes", "prod", at("endpoints.0.variants.0.scaling.scheduled.0.schedule", "at(2027-12-31T23:59:59)"), None, ""),
    ("scheduled-at-impossible-date-fails", "prod", at("endpoints.0.variants.0.scaling.scheduled.0.schedule", "at(2027-02-30T00:00:00)"), f"{VARIANT}.scaling.scheduled[0].schedule", "not a date and time"),
    ("scheduled-timezone-passes", "prod", at("endpoints.0.variants.0.scaling.scheduled.0.timezone", "America/Argentina/Buenos_Aires"), None, ""),
    ("scheduled-timezone-misspelt-fails", "prod", at("endpoints.0.variants.0.scaling.scheduled.0.timezone", "Europe/Dubln"), f"{VARIANT}.scaling.scheduled[0].timezone", "not an IANA time zone"),
    ("scheduled-timezone-case-fails", "prod", at("endpoints.0.variants.0.scaling.scheduled.0.timezone", "europe/dublin"), f"{VARIANT}.scaling.scheduled[0].timezone", "did you mean Europe/Dublin"),
    ("scheduled-duplicate-names-fail", "prod", at("endpoints.0.variants.0.scaling.scheduled.1.name", "business-hours"), f"{VARIANT}.scaling.scheduled[1].name", "duplicate scheduled action name(s) business-hours"),
    ("scheduled-zero-on-async-passes", "dev", at("endpoints.0.variants.0.scaling.scheduled", [{"name": "night", "schedule": "cron(0 20 * * ? *)", "min_capacity": 0, "max_capacity": 1}]), None, ""),
    ("scheduled-zero-on-real-time-fails", "staging", at("endpoints.0.variants.0.scaling.scheduled.0.min_capacity", 0), f"{VARIANT}.scaling.scheduled[0].min_capacity", "scheduled 'off-hours' min_capacity 0 scales to zero"),
    ("scheduled-below-the-minimum-fails", "prod", both(at(DEPLOY, {"strategy": "all_at_once"}), at("endpoints.0.variants.0.scaling.scheduled", [{"name": "night", "schedule": "cron(0 20 * * ? *)", "min_capacity": 1, "max_capacity": 8}])), f"{VARIANT}.scaling.scheduled[0].min_capacity", "every scheduled min_capacity"),
    ("initial-count-below-the-minimum-fails", "prod", both(at(DEPLOY, {"strategy": "all_at_once"}), at("endpoints.0.variants.0.scaling", None), at("endpoints.0.variants.0.initial_instance_count", 1)), f"{VARIANT}.initial_instance_count", "endpoint_defaults.minimum_instances (2)"),
    ("scaling-minimum-below-the-minimum-fails", "prod", both(at(DEPLOY, {"strategy": "all_at_once"}), at("endpoints.0.variants.0.scaling.min_capacity", 1)), f"{VARIANT}.scaling.min_capacity", "endpoint_defaults.minimum_instances (2)"),
    ("unknown-model-family-fails", "prod", at("endpoints.0.variants.0.model", {"latest_approved_of": "fraud"}), f"{VARIANT}.model.latest_approved_of", "not a model family of this stack"),
    ("scheduled-max-above-the-scaling-max-fails", "prod", at("endpoints.0.variants.0.scaling.scheduled.1.max_capacity", 9), f"{VARIANT}.scaling.scheduled[1].max_capacity", "exceeds max_capacity 8"),
    ("endpoint-names-differing-in-case-fail", "prod", lambda platform: platform["endpoints"].append({**platform["endpoints"][0], "name": "Customer-Churn"}), f"{P}.endpoints", "whatever their case"),
    ("joined-endpoint-variant-names-collide", "prod", lambda platform: platform["endpoints"].append({**platform["endpoints"][0], "name": "customer", "variants": [{**platform["endpoints"][0]["variants"][0], "name": "churn-primary"}]}), f"{P}.endpoints[1].variants[0].name", "would collide"),
    ("joined-action-names-collide", "prod", lambda platform: platform["endpoints"].append({**platform["endpoints"][0], "name": "customer-churn-primary", "variants": [{**platform["endpoints"][0]["variants"][0], "name": "business-hours"}]}), f"{P}.endpoints[1].variants[0].name", "would collide"),
    # -- subscriptions ---------------------------------------------------------------------------
    ("email-passes", "prod", at("alerts.subscriptions", [{"protocol": "email", "endpoint": "first.last+ml@mail.example.co.uk"}]), None, ""),
    ("email-without-domain-fails", "prod", at("alerts.subscriptions", [{"protocol": "email", "endpoint": "oncall@"}]), f"{P}.alerts.subscriptions[0].endpoint", "not an e-mail address"),
    ("email-unqualified-domain-fails", "prod", at("alerts.subscriptions", [{"protocol": "email", "endpoint": "oncall@localhost"}]), f"{P}.alerts.subscriptions[0].endpoint", "fully qualified"),
    ("email-double-dot-fails", "prod", at("alerts.subscriptions", [{"protocol": "email", "endpoint": "on..call@example.com"}]), f"{P}.alerts.subscriptions[0].endpoint", "dot-separated words"),
    ("https-passes", "prod", at("alerts.subscriptions", [{"protocol": "https", "endpoint": "https://events.example.com:8443/hook?team=ml"}]), None, ""),
    ("https-without-host-fails", "prod", at("alerts.subscriptions", [{"protocol": "https", "endpoint": "https://"}]), f"{P}.alerts.subscriptions[0].endpoint", "no host name"),
    ("subscription-twice-fails", "prod", at("alerts.subscriptions", [{"protocol": "email", "endpoint": "ml@example.com"}, {"protocol": "email", "endpoint": "ml@example.com"}]), f"{P}.alerts.subscriptions[1].endpoint", "subscribed twice"),
    ("https-plain-http-fails", "prod", at("alerts.subscriptions", [{"protocol": "https", "endpoint": "http://events.example.com/hook"}]), f"{P}.alerts.subscriptions[0].endpoint", "must start with https://"),
    # -- availability zones ----------------------------------------------------------------------
    ("zones-of-the-region-pass", "dev", at("network.availability_zones", ["eu-west-1a", "eu-west-1c"]), None, ""),
    ("zone-the-region-lacks-fails", "dev", at("network.availability_zones", ["eu-west-1a", "eu-west-1d"]), f"{P}.network.availability_zones[1]", "not an availability zone of region eu-west-1"),
    ("zone-listed-twice-fails", "dev", at("network.availability_zones", ["eu-west-1a", "eu-west-1a"]), f"{P}.network.availability_zones", "listed twice"),
    ("more-zones-than-the-region-offers-fails", "dev", both(at("region", "us-west-1"), at("network.az_count", 3)), f"{P}.network.az_count", "offers an account 2"),
    ("zone-only-older-accounts-have-passes", "dev", both(at("region", "ap-northeast-1"), at("network.availability_zones", ["ap-northeast-1b", "ap-northeast-1c"])), None, ""),
    ("four-zones-where-an-account-has-three-fails", "dev", both(at("region", "ap-northeast-1"), at("network.az_count", 4)), f"{P}.network.az_count", "offers an account 3"),
    # -- tags (AWS: 50 per resource; the platform adds environment, managed-by, stack and one mlops:* tag)
    ("46-tags-pass", "prod", tags(46), None, ""),
    ("47-tags-fail", "prod", tags(47), f"{P}.tags", "at most 46"),
    ("tag-stack-fails", "prod", at("tags.stack", "mine"), f"{P}.tags.stack", "set by the platform"),
    ("tag-key-128-passes", "prod", at("tags." + "k" * 128, "v"), None, ""),
    ("tag-key-129-fails", "prod", at("tags." + "k" * 129, "v"), f"{P}.tags", "1-128 characters (got 129)"),
    ("tag-value-256-passes", "prod", at("tags.team", "v" * 256), None, ""),
    ("tag-value-257-fails", "prod", at("tags.team", "v" * 257), f"{P}.tags.team", "at most 256"),
    ("tag-unicode-letters-pass", "prod", at("tags.Kostenstelle", "Müller 42 @ Zürich"), None, ""),
    ("tag-character-fails", "prod", at("tags.team", "ml#1"), f"{P}.tags.team", "only letters, digits, spaces"),
    ("tag-aws-prefix-any-case-fails", "prod", at("tags.AWS:team", "x"), f"{P}.tags.AWS:team", "reserved by AWS"),
    ("tag-platform-prefix-fails", "prod", at("tags.mlops:endpoint", "x"), f"{P}.tags.mlops:endpoint", "platform's own"),
    ("tag-managed-by-fails", "prod", at("tags.managed-by", "terraform"), f"{P}.tags.managed-by", "set by the platform"),
    ("tag-platform-key-in-capitals-fails", "prod", at("tags.Environment", "prod"), f"{P}.tags.Environment", "set by the platform"),
    ("tag-keys-differing-in-case-fail", "prod", at("tags.Owner", "someone"), f"{P}.tags.Owner", "differ only in case"),
]  # fmt: skip

# NaN or infinity where a number goes: the validator refuses it in the program (JSON text is read
# with Python's json, which takes NaN), and the stack file's reader before that (Pulumi's engine
# cannot pass it on: JSON has no NaN), each at the key.
NON_FINITE = [
    ("nan-retention-fails", "prod", at("storage.noncurrent_version_expiration_days", math.nan), f"{P}.storage.noncurrent_version_expiration_days", "valid integer"),
    ("nan-probability-threshold-fails", "prod", at("monitoring.model_monitors.probability_threshold", math.nan), f"{P}.monitoring.model_monitors.probability_threshold", "finite number"),
    ("inf-gpu-target-fails", "prod", at("endpoints.0.variants.0.scaling.gpu_utilization_percent", math.inf), f"{VARIANT}.scaling.gpu_utilization_percent", "finite number"),
    ("nan-backlog-target-fails", "dev", at("endpoints.0.variants.0.scaling.backlog_per_instance", math.nan), f"{VARIANT}.scaling.backlog_per_instance", "finite number"),
    ("inf-weight-fails", "prod", at("endpoints.0.variants.0.weight", -math.inf), f"{VARIANT}.weight", "finite number"),
    ("nan-promotion-threshold-fails", "prod", at("models.0.promotion.threshold", math.nan), f"{P}.models[0].promotion.threshold", "finite number"),
    ("inf-hyperparameter-fails", "prod", at("models.0.training.hyperparameters.learning_rate", math.inf), f"{P}.models[0].training.hyperparameters.learning_rate", "finite number"),
]  # fmt: skip


TMP = "@TMP@"
"""In a computed outcome: the temporary folder that held the cases' stack files."""


@cache
def _outcomes() -> dict[str, tuple[str, str]]:
    """What reading and parsing each case's stack file (``Pulumi.variant.yaml`` in a folder named by
    the case, of a temporary folder read back as ``TMP``) does: ``("plans", "")``, ``("refused",
    <the text of the ConfigError it raises>)`` or ``("crashed", <what else it raised>)``. Computed
    once per version of the code, this module and the fixtures (tests.recorded.computed_once) and
    read by every worker and later run; each case's test judges its own outcome."""
    return computed_once("edge-outcomes", _read_and_parse)


def _read_and_parse() -> dict[str, tuple[str, str]]:
    outcomes = {}
    with tempfile.TemporaryDirectory(prefix="deploy-time-") as directory:
        for case, base, edit, _, _ in CASES:
            document = load_stack_document(base)  # the caller's own copy
            edit(document["config"][CONFIG_KEY])
            path = Path(directory) / case / "Pulumi.variant.yaml"
            path.parent.mkdir()
            path.write_text(dump_document(document))
            try:
                parse_platform_config(read_stack_file(path).platform, str(path))
            except ConfigError as error:
                outcomes[case] = ("refused", str(error).replace(directory, TMP))
            except Exception as error:  # a crash: that case's test fails, naming it
                outcomes[case] = ("crashed", f"{type(error).__name__}: {error}")
            else:
                outcomes[case] = ("plans", "")
    return outcomes


@pytest.mark.parametrize(("case", "base", "edit", "key", "fragment"), CASES, ids=[case[0] for case in CASES])
def test_deploy_time_rule_at_its_edge(case, base, edit, key, fragment) -> None:
    path = f"{TMP}/{case}/Pulumi.variant.yaml"
    kind, outcome = _outcomes()[case]
    if key is None:
        assert kind == "plans", outcome
        return
    assert kind == "refused", outcome
    lines = [line.strip() for line in outcome.splitlines()[1:]]
    matching = [
        line for line in lines if line.startswith(f"{path}: {key}: ") or line.startswith(f"{path}: {key}.")
    ]
    assert matching, f"no problem at {key!r}:\n{outcome}"
    assert any(fragment in line for line in matching), f"expected {fragment!r} in {matching}"


@pytest.mark.parametrize(
    ("case", "base", "edit", "key", "fragment"), NON_FINITE, ids=[case[0] for case in NON_FINITE]
)
def test_nan_or_infinity_is_refused_by_the_validator_and_by_the_reader(
    write_stack, case, base, edit, key, fragment
) -> None:
    platform = load_stack_document(base)["config"][CONFIG_KEY]
    edit(platform)
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(platform, "Pulumi.variant.yaml")
    assert [message for reported, message in raised.value.problems if reported == key and fragment in message]

    path = write_stack(base, edit)
    with pytest.raises(ConfigError) as raised:
        read_stack_file(path)
    [(reported, message)] = raised.value.problems
    assert reported == key
    assert "which JSON cannot carry" in message


def _models(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[type[BaseModel]]:
    if model in seen:
        return seen
    seen.add(model)
    for field in model.model_fields.values():
        stack = [field.annotation]
        while stack:
            annotation = stack.pop()
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                _models(annotation, seen)
            stack += list(getattr(annotation, "__args__", ()))
    return seen


def test_no_model_of_the_stack_file_accepts_nan_or_infinity() -> None:
    """A class of protection: every model a stack file fills in, including any added later."""
    models = _models(PlatformConfig, set())
    assert len(models) > 20
    lax = sorted(model.__name__ for model in models if model.model_config.get("allow_inf_nan", True))
    assert lax == []


def _patterns(schema: Any) -> list[str]:
    if isinstance(schema, dict):
        own = [schema["pattern"]] if isinstance(schema.get("pattern"), str) else []
        return own + [pattern for value in schema.values() for pattern in _patterns(value)]
    if isinstance(schema, list):
        return [pattern for value in schema for pattern in _patterns(value)]
    return []


def test_no_pattern_of_the_stack_file_takes_unicode_digits_or_spaces() -> None:
    """\\d, \\w and \\s match any script's digits, letters and spaces in pydantic's (and Python's)
    regular expressions; AWS takes ASCII digits in account ids, versions, ARNs and times."""
    patterns = _patterns(PlatformConfig.model_json_schema())
    assert len(patterns) > 10
    assert [
        pattern for pattern in patterns if any(escape in pattern for escape in ("\\d", "\\w", "\\s"))
    ] == []
