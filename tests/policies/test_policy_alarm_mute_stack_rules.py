"""``alarm-mutes-are-bounded-together``: the bounds of ``alarm-mutes-are-bounded`` per alarm.

Each mute rule alone is judged by the resource rule (test_policy_alarm_mute_rules.py); two compliant
rules muting one alarm (PT12H from midnight, PT12H from noon) keep it muted all day. This stack rule
merges the windows of every rule that names an alarm in ``muteTargets.alarmNames`` and applies the
same bounds to them: a continuous mute of at most maxContinuousMuteHours (360 h) and, in any window
of shareWindowDays (30), a muted share of at most maxMutedShare (0.5).
"""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.local import evaluate_report
from policies.registry import get_policy, validate_pack_config
from tests.policies.conftest import assert_outcome, build
from tests.policies.engine_shapes import as_outputs

POLICY = "alarm-mutes-are-bounded-together"
MUTE_RULE = "aws:cloudwatch/alarmMuteRule:AlarmMuteRule"
NATIVE_MUTE_RULE = "aws-native:cloudwatch:AlarmMuteRule"
BREAK = "without a break"


def rule(
    name: str,
    expression: str,
    duration: str,
    alarms: list[str] | str = ("churn-5xx",),  # type: ignore[assignment]
    resource_type: str = MUTE_RULE,
    timezone: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    schedule = {"expression": expression, "duration": duration}
    if timezone is not None:
        schedule["timezone"] = timezone
    names = alarms if isinstance(alarms, str) else list(alarms)
    inputs = {"name": name, "rule": {"schedule": schedule}, "muteTargets": {"alarmNames": names}, **extra}
    return {"type": resource_type, "name": name, "inputs": inputs}


def report(specs: list[dict[str, Any]], shape: str = "inputs", config: dict[str, Any] | None = None):
    records = build(specs)
    return evaluate_report(
        records if shape == "inputs" else as_outputs(records), config, [get_policy(POLICY)]
    )


NIGHT = rule("night", "cron(0 0 * * *)", "PT12H")
DAY = rule("day", "cron(0 12 * * *)", "PT12H")

STACK_CASES = [
    # The bypass: two rules, each exactly half of every day, together all of it.
    pytest.param(
        POLICY,
        [NIGHT, DAY],
        "alarm 'churn-5xx' is muted by 2 mute rules ('night', 'day')",
        id="split-day-fails",
    ),
    pytest.param(POLICY, [NIGHT, DAY], BREAK, id="split-day-is-one-stretch"),
    pytest.param(
        POLICY,
        [NIGHT, {**DAY, "type": NATIVE_MUTE_RULE}],
        "100.0% of the 30 days",
        id="pulumi-aws-and-native-mixed-fail",
    ),
    # The same two schedules on different alarms: each alarm is muted half of each day.
    pytest.param(
        POLICY,
        [NIGHT, rule("day", "cron(0 12 * * *)", "PT12H", ["latency"])],
        None,
        id="different-alarms-pass",
    ),
    # Two rules whose union stays within both bounds: 6 h from midnight and 6 h from noon.
    pytest.param(
        POLICY,
        [
            rule("a", "cron(0 0 * * *)", "PT6H"),
            rule("b", "cron(0 12 * * *)", "PT6H", resource_type=NATIVE_MUTE_RULE),
        ],
        None,
        id="union-within-bounds-passes",
    ),
    # Union of exactly half (8 h + 4 h of every day) passes; one minute more fails on the share alone.
    pytest.param(
        POLICY,
        [rule("a", "cron(0 0 * * *)", "PT8H"), rule("b", "cron(0 12 * * *)", "PT4H")],
        None,
        id="union-exactly-half-passes",
    ),
    pytest.param(
        POLICY,
        [rule("a", "cron(0 0 * * *)", "PT8H"), rule("b", "cron(0 12 * * *)", "PT4H1M")],
        "50.1% of the 30 days from",
        id="union-one-minute-over-half-fails",
    ),
    # Exactly half off the hour grid (Asia/Kolkata is UTC+05:30): judged exactly at the limit.
    pytest.param(
        POLICY,
        [
            rule("a", "cron(0 0 * * *)", "PT6H", timezone="Asia/Kolkata"),
            rule("b", "cron(0 12 * * *)", "PT6H", timezone="Asia/Kolkata"),
        ],
        None,
        id="union-exactly-half-off-the-hour-grid-passes",
    ),
    pytest.param(
        POLICY,
        [
            rule("a", "cron(0 0 * * *)", "PT6H", timezone="Asia/Kolkata"),
            rule("b", "cron(0 12 * * *)", "PT6H1M", timezone="Asia/Kolkata"),
        ],
        "50.1% of the 30 days from",
        id="union-off-the-hour-grid-one-minute-over-fails",
    ),
    # Three rules of 8 h each, one of them in another timezone (Asia/Tokyo 00:00 is 15:00Z... its
    # window 15:00Z-23:00Z plus 00:00Z-08:00Z and 08:00Z-15:00Z... ): the whole day but one hour.
    pytest.param(
        POLICY,
        [
            rule("a", "cron(0 0 * * *)", "PT8H"),
            rule("b", "cron(0 8 * * *)", "PT7H"),
            rule("c", "cron(0 0 * * *)", "PT8H", timezone="Asia/Tokyo"),
        ],
        "muted by 3 mute rules ('a', 'b', 'c')",
        id="three-rules-fail",
    ),
    # Each rule over its own active period: January at night, February by day never overlap in time.
    pytest.param(
        POLICY,
        [
            rule(
                "jan",
                "cron(0 0 * * *)",
                "PT12H",
                startDate="2026-01-01T00:00:00Z",
                expireDate="2026-02-01T00:00:00Z",
            ),
            rule(
                "feb",
                "cron(0 12 * * *)",
                "PT12H",
                startDate="2026-02-01T00:00:00Z",
                expireDate="2026-03-01T00:00:00Z",
            ),
        ],
        None,
        id="rules-active-in-different-months-pass",
    ),
    # A rule that mutes all the time alone: the other adds nothing, the union is no worse than it.
    pytest.param(
        POLICY,
        [rule("always", "cron(0 0 * * *)", "P1D"), rule("noon", "cron(0 12 * * *)", "PT1H")],
        None,
        id="a-union-no-worse-than-one-rule-alone-is-the-resource-rules",
    ),
    # A rule whose schedule cannot be read is the resource rule's too: the other is judged alone.
    pytest.param(
        POLICY, [NIGHT, rule("bad", "cron(0 12 * * * *)", "PT12H")], None, id="unreadable-schedule-is-skipped"
    ),
]


@pytest.mark.parametrize("shape", ["inputs", "outputs"])
@pytest.mark.parametrize(("policy_name", "specs", "fragment"), STACK_CASES)
def test_stack_rule_in_both_engine_shapes(policy_name, specs, fragment, shape) -> None:
    found = report(specs, shape)
    assert_outcome(found.violations, policy_name, fragment)
    assert found.undecided == []


def test_the_message_names_the_alarm_the_rules_and_both_bounds() -> None:
    found = report([NIGHT, DAY])
    assert [v.message for v in found.violations] == [
        "alarm 'churn-5xx' is muted by 2 mute rules ('night', 'day') whose windows together mute it for 382 "
        "days without a break from 2026-01-01T00:00Z: keep a continuous mute of one alarm within "
        "maxContinuousMuteHours (15 days): shorten or space the rules' windows so they do not meet, or mute "
        "the alarm from one rule.",
        "alarm 'churn-5xx' is muted by 2 mute rules ('night', 'day') whose windows together mute it 100.0% of "
        "the 30 days from 2026-01-01T00:00Z: keep the muted share of any shareWindowDays (30 days) of one "
        "alarm within maxMutedShare (50.0%): shorten the rules' durations or mute the alarm on fewer of them "
        "(an alarm that is muted most of the time notifies no one).",
    ]
    assert {v.urn.rsplit("::", 1)[-1] for v in found.violations} == {"night"}
    assert {v.enforcement_level for v in found.violations} == {"mandatory"}
    # The resource rule passes each of them: the gap this rule closes.
    each = evaluate_report(build([NIGHT, DAY]), None, [get_policy("alarm-mutes-are-bounded")])
    assert each.violations == []


def test_each_alarm_shared_is_judged_with_the_rules_that_name_it() -> None:
    specs = [
        rule("night", "cron(0 0 * * *)", "PT12H", ["a", "b"]),
        rule("day", "cron(0 12 * * *)", "PT12H", ["b", "c"]),
        rule("evening", "cron(0 18 * * *)", "PT6H", ["a"]),
    ]
    found = report(specs)
    named = sorted(v.message.split(" whose")[0] for v in found.violations)
    assert named == [
        "alarm 'a' is muted by 2 mute rules ('night', 'evening')",
        "alarm 'b' is muted by 2 mute rules ('night', 'day')",
        "alarm 'b' is muted by 2 mute rules ('night', 'day')",
    ]


def test_unknown_alarm_names_or_schedule_at_preview_are_undecided() -> None:
    for unknown in (
        rule("day", "cron(0 12 * * *)", "PT12H", UNKNOWN_STRING_VALUE),
        rule("day", "cron(0 12 * * *)", "PT12H", [UNKNOWN_STRING_VALUE]),
        rule("day", "cron(0 12 * * *)", UNKNOWN_STRING_VALUE),
    ):
        found = report([NIGHT, unknown])
        assert found.violations == [], unknown
        assert found.stack_undecided == {POLICY: 1}, unknown
    # Known rules are still judged: two that fail together are reported, the unknown one is undecided.
    found = report([NIGHT, DAY, rule("later", "cron(0 6 * * *)", "PT1H", UNKNOWN_STRING_VALUE)])
    assert len(found.violations) == 2 and found.stack_undecided == {POLICY: 1}


def test_the_bounds_are_configured_like_the_resource_rule() -> None:
    relaxed = {POLICY: {"maxMutedShare": 1, "maxContinuousMuteHours": 382 * 24}}
    assert report([NIGHT, DAY], config=relaxed).violations == []
    # A 24-hour window: 12 h + 12 h is all of it, 6 h + 6 h half.
    short = [rule("a", "cron(0 0 * * *)", "PT6H"), rule("b", "cron(0 12 * * *)", "PT6H")]
    assert report(short, config={POLICY: {"shareWindowDays": 1}}).violations == []
    (over,) = report(short, config={POLICY: {"maxMutedShare": 0.49}}).violations
    assert "50.0% of the 30 days" in over.message and "maxMutedShare (49.0%)" in over.message
    assert any(
        p.startswith(f"{POLICY}.maxMutedShare") for p in validate_pack_config({POLICY: {"maxMutedShare": 2}})
    )


def test_two_rules_on_one_alarm_at_a_time_out_of_range_are_skipped_not_a_crash() -> None:
    """The resource rule fails an at() time the pack cannot simulate; the stack rule skips it."""
    found = report(
        [
            rule("a", "at(0001-01-01T00:00)", "PT1H", timezone="Asia/Tokyo"),
            rule("b", "at(0001-01-01T00:00)", "PT1H", timezone="Asia/Tokyo"),
        ]
    )
    assert found.violations == [] and found.undecided == []


@pytest.mark.parametrize(
    "per_rule", [{"maxMutedShare": 0.6}, "disabled", "advisory"], ids=["looser", "disabled", "advisory"]
)
def test_the_union_is_judged_whatever_the_resource_rule_is_configured_to(per_rule: Any) -> None:
    """PT14H from midnight (58 %) and PT9H from 14:30 mute one alarm 23 hours of every 24: the stack
    rule fails it even when alarm-mutes-are-bounded is looser, disabled or advisory."""
    specs = [rule("a", "cron(0 0 * * *)", "PT14H"), rule("b", "cron(30 14 * * *)", "PT9H")]
    config = {"alarm-mutes-are-bounded": per_rule}
    records = build(specs)
    found = evaluate_report(records, config, [get_policy(POLICY), get_policy("alarm-mutes-are-bounded")])
    together = [v for v in found.violations if v.policy_name == POLICY]
    assert len(together) == 1 and together[0].enforcement_level == "mandatory"
    assert "95.9% of the 30 days" in together[0].message


def test_alarms_muted_by_the_same_rules_are_measured_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from policies.rules import _mute_schedule

    calls: list[int] = []
    union = _mute_schedule.union_profile

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return union(*args, **kwargs)

    monkeypatch.setattr(_mute_schedule, "union_profile", counted)
    alarms = [f"alarm-{i}" for i in range(100)]
    found = report(
        [rule("night", "cron(0 0 * * *)", "PT12H", alarms), rule("day", "cron(0 12 * * *)", "PT12H", alarms)]
    )
    assert len(calls) == 1
    assert len(found.violations) == 200  # each alarm named in its own violations (both bounds)


def test_the_stack_rule_reads_its_own_share_window() -> None:
    """Two 6-hour mutes a day (50 %) over a limit of 40 %: judged over one day, as configured."""
    specs = [rule("early", "cron(0 0 * * *)", "PT6H"), rule("late", "cron(0 12 * * *)", "PT6H")]
    config = {POLICY: {"shareWindowDays": 1, "maxMutedShare": 0.4}}
    [violation] = report(specs, config=config).violations
    assert "50.0% of the 1 day from" in violation.message
