"""``alarm-mutes-are-bounded``: a CloudWatch alarm mute rule may not silence alarms for long.

``alarm-has-actions`` demands that every alarm notifies; a mute rule (pulumi-aws
``aws:cloudwatch/alarmMuteRule:AlarmMuteRule``, aws-native ``aws-native:cloudwatch:AlarmMuteRule``)
can silence those actions on a schedule. Each case sits just inside or just outside a bound: a
continuous mute of at most maxContinuousMuteHours (360 h = P15D) and, in any window of
shareWindowDays (30), a muted share of at most maxMutedShare (0.5). The schedule arithmetic itself is
pinned in ``test_mute_schedule.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.local import evaluate_report
from policies.registry import get_policy, validate_pack_config
from tests.policies.conftest import build
from tests.policies.engine_shapes import as_outputs

POLICY = "alarm-mutes-are-bounded"
MUTE_RULE = "aws:cloudwatch/alarmMuteRule:AlarmMuteRule"
NATIVE_MUTE_RULE = "aws-native:cloudwatch:AlarmMuteRule"
TYPES = (MUTE_RULE, NATIVE_MUTE_RULE)
BREAK = "without a break"
SHARE = "of the 30 days from"


def mute(expression: str, duration: str, timezone: str | None = None, **extra: Any) -> dict[str, Any]:
    schedule = {"expression": expression, "duration": duration}
    if timezone is not None:
        schedule["timezone"] = timezone
    return {"rule": {"schedule": schedule}, "muteTargets": {"alarmNames": ["churn-5xx"]}, **extra}


def case(inputs: dict[str, Any], fragment: str | None, name: str, resource_type: str = MUTE_RULE) -> Any:
    return pytest.param(POLICY, resource_type, inputs, fragment, id=name)


CASES = [
    # The gap this rule closes: an alarm muted every day for a day, forever.
    case(mute("cron(0 0 * * *)", "P1D"), BREAK, "daily-p1d-forever-fails"),
    case(mute("cron(0 0 * * *)", "P1D"), BREAK, "native-daily-p1d-forever-fails", NATIVE_MUTE_RULE),
    case(mute("cron(0 0 ? * *)", "P1D"), BREAK, "question-mark-reads-as-every-day-fails"),
    # Chaining: P15D on the 1st and the 16th leaves at most a day's gap in 31-day months.
    case(mute("cron(0 0 1,16 * *)", "P15D"), BREAK, "chained-p15d-on-1st-and-16th-fails"),
    # AWS's documented examples (API_Schedule: nightly backup, weekly maintenance, monthly database
    # maintenance, weekend Fri 18:00 to Mon 06:00, annual shutdown) and Pulumi's.
    case(mute("cron(0 23 * * *)", "PT2H"), None, "aws-nightly-backup-pt2h-passes"),
    case(mute("cron(0 2 * * SUN)", "PT4H"), None, "aws-weekly-maintenance-pt4h-passes"),
    case(mute("cron(0 1 1 * *)", "PT6H"), None, "aws-monthly-maintenance-pt6h-passes"),
    case(mute("cron(0 18 * * FRI)", "P2DT12H"), None, "aws-weekend-40-percent-of-worst-30-days-passes"),
    case(mute("cron(0 0 24 12 *)", "P7D"), None, "aws-annual-shutdown-p7d-passes"),
    case(mute("cron(0 2 * * *)", "PT4H"), None, "pulumi-daily-pt4h-passes"),
    case(mute("cron(0 18 * * FRI)", "P2DT12H"), None, "native-weekend-passes", NATIVE_MUTE_RULE),
    # One-time mutes: AWS's own ceiling is the bound.
    case(mute("at(2026-03-01T00:00)", "P15D"), None, "at-p15d-passes"),
    case(mute("at(2026-03-01T00:00)", "P15DT1M"), BREAK, "at-longer-than-p15d-fails"),
    # Continuous: activations on Jan 1 and 2 chain into one stretch of exactly 15 days, or 1 minute more.
    case(mute("cron(0 0 1,2 1 *)", "P14D"), None, "chained-stretch-of-exactly-15-days-passes"),
    case(mute("cron(0 0 1,2 1 *)", "P14DT1M"), "15 days 1 minute " + BREAK, "chained-stretch-15d-1min-fails"),
    # Share: 12 of every 24 hours is exactly half; one minute more is over.
    case(mute("cron(0 0 * * *)", "PT12H"), None, "share-of-exactly-half-passes"),
    case(mute("cron(0 0 * * *)", "PT12H1M"), "50.1% " + SHARE, "share-just-over-half-fails"),
    # Exactly half off the hour grid: the hour-slot bound says 50.07 %, the exact worst window 50 %.
    case(
        mute("cron(0 20 * * *)", "PT12H", startDate="2026-01-01T00:30:00Z"),
        None,
        "half-from-half-past-passes",
    ),
    case(mute("cron(30 20 * * *)", "PT12H", "UTC"), None, "half-at-half-past-utc-passes"),
    case(mute("cron(0 0 * * *)", "PT12H", "Asia/Kolkata"), None, "half-in-a-half-hour-zone-passes"),
    case(mute("cron(*/2 * * * *)", "PT1M"), None, "every-other-minute-passes"),
    case(mute("cron(*/2 * * * *)", "PT1M"), None, "native-every-other-minute-passes", NATIVE_MUTE_RULE),
    # One minute a day more is still over, exactly.
    case(
        mute("cron(0 20 * * *)", "PT12H1M", startDate="2026-01-01T00:30:00Z"),
        "50.1% " + SHARE,
        "half-from-half-past-plus-a-minute-fails",
    ),
    case(mute("cron(0 0 * * *)", "PT12H1M", "Asia/Kolkata"), "50.1% " + SHARE, "kolkata-plus-a-minute-fails"),
    case(
        mute("cron(*/2 * * * *)", "PT1M1S"),
        SHARE,
        "every-other-minute-a-second-longer-fails",
    ),
    # Seasonal: 23 of every 24 hours in June is 7.5 % of the year but 95.8 % of June (no stretch over a day).
    case(mute("cron(0 0 * 6 *)", "PT23H"), "95.8% " + SHARE + " 2026-06-01T00:00Z", "seasonal-june-fails"),
    case(mute("cron(0 0 * 6 *)", "PT23H"), "95.8% " + SHARE, "native-seasonal-june-fails", NATIVE_MUTE_RULE),
    # Half of each June day is exactly half of the 30 days from June 1; one minute more is over.
    case(mute("cron(0 0 * jun *)", "PT12H"), None, "seasonal-window-of-exactly-half-passes"),
    case(mute("cron(0 0 * jun *)", "PT12H1M"), "50.1% " + SHARE, "seasonal-window-just-over-half-fails"),
    # Bounded daily PT23H for 60 days: 95.8 % of any 30 days in them.
    case(
        mute("cron(0 0 * * *)", "PT23H", expireDate="2026-03-02T00:00:00Z"),
        "95.8% " + SHARE,
        "daily-pt23h-expiring-in-60-days-fails",
    ),
    # Steps (standard cron syntax) are expanded.
    case(mute("cron(0 */2 * * *)", "PT1H"), None, "hourly-step-half-muted-passes"),
    case(mute("cron(0 */2 * * *)", "PT1H1M"), SHARE, "hourly-step-over-half-fails"),
    case(mute("cron(*/30 * * * *)", "PT30M"), BREAK, "half-hourly-step-touching-windows-fails"),
    # expireDate bounds the period: 15 daily P1D mutes are one 15-day mute, 15 days 1 minute are not.
    case(
        mute("cron(0 0 * * *)", "P1D", startDate="2026-02-01T00:00:00Z", expireDate="2026-02-16T00:00:00Z"),
        None,
        "expire-date-bounds-daily-mute-to-15-days-passes",
    ),
    case(
        mute("cron(0 0 * * *)", "P1D", startDate="2026-02-01T00:00:00Z", expireDate="2026-02-16T00:01:00Z"),
        "15 days 1 minute " + BREAK,
        "expire-date-one-minute-later-fails",
    ),
    # Both day fields restricted: cron ORs them (1-31 or Monday is every day).
    case(mute("cron(0 0 1-31 * MON)", "P1D"), BREAK, "restricted-day-fields-are-ored-fails"),
    case(mute("cron(0 0 * * MON)", "P1D"), None, "mondays-only-p1d-passes"),
    # Names, any case: Monday to Friday with P3D reaches from Friday to Monday.
    case(mute("cron(0 0 * * mon-fri)", "P3D"), BREAK, "weekday-names-range-fails"),
    case(mute("cron(0 0 1 jan *)", "P7D"), None, "month-name-passes"),
    # Malformed values fail closed, naming the property.
    case(
        mute("cron(0 0 * * * *)", "PT1H"), "rule.schedule.expression cannot be read", "six-field-cron-fails"
    ),
    case(mute("rate(5 minutes)", "PT1H"), "rule.schedule.expression cannot be read", "rate-expression-fails"),
    case(mute("cron(0 0 * * FRI-MON)", "PT1H"), "ranges do not wrap", "wrapping-range-fails"),
    case(mute("cron(60 0 * * *)", "PT1H"), "outside 0-59", "minute-out-of-range-fails"),
    case(mute("cron(0 0 * MON *)", "PT1H"), "the month field has 'MON'", "day-name-in-month-field-fails"),
    case(
        mute("at(2026-02-30T00:00)", "PT1H"),
        "rule.schedule.expression cannot be read",
        "impossible-at-date-fails",
    ),
    case(mute("cron(0 2 * * *)", "P1M"), "rule.schedule.duration cannot be read", "duration-in-months-fails"),
    case(mute("cron(0 2 * * *)", "PT"), "rule.schedule.duration cannot be read", "empty-duration-fails"),
    case(mute("cron(0 2 * * *)", "4h"), "rule.schedule.duration cannot be read", "bare-hours-fails"),
    case(
        mute("cron(0 2 * * *)", "PT2H", "Mars/Olympus"),
        "rule.schedule.timezone cannot be read",
        "bad-tz-fails",
    ),
    case(
        mute("cron(0 2 * * *)", "PT2H", startDate="tomorrow"), "startDate cannot be read", "bad-start-fails"
    ),
    case({"muteTargets": {"alarmNames": ["a"]}}, "rule.schedule.expression is unset", "no-schedule-fails"),
    # A period the pack cannot simulate fails closed, naming the date (no PolicyEvaluationError).
    case(
        mute("cron(0 2 * * *)", "PT2H", startDate="9999-12-01T00:00:00Z"),
        "startDate 9999-12-01T00:00:00+00:00 is outside the years",
        "start-date-near-year-9999-fails",
    ),
    case(
        mute("cron(0 2 * * *)", "PT2H", expireDate="0001-06-01T00:00:00Z"),
        "expireDate 0001-06-01T00:00:00+00:00 is outside the years",
        "expire-date-in-year-1-fails",
        NATIVE_MUTE_RULE,
    ),
    case(
        mute("cron(0 2 * * *)", "PT2H", startDate="2026-03-01T00:00:00Z", expireDate="2026-02-01T00:00:00Z"),
        "is not after startDate",
        "expire-date-before-start-date-fails",
    ),
    case(
        mute("cron(0 2 * * *)", "PT2H", startDate="2026-03-01T00:00:00Z", expireDate="2026-03-01T00:00:00Z"),
        "is not after startDate",
        "expire-date-equal-to-start-date-fails",
    ),
]


@pytest.mark.parametrize(("policy_name", "resource_type", "inputs", "fragment"), CASES)
def test_rule(check_resource, outcome, policy_name, resource_type, inputs, fragment):
    outcome(check_resource(policy_name, resource_type, inputs), policy_name, fragment)


def messages(inputs: dict[str, Any], config: dict[str, Any] | None = None, resource_type: str = MUTE_RULE):
    from tests.policies.conftest import run_policy

    return [
        v.message
        for v in run_policy(POLICY, [{"type": resource_type, "name": "m", "inputs": inputs}], config)
    ]


# --- what the messages say ---------------------------------------------------------------------


@pytest.mark.parametrize("resource_type", TYPES)
def test_a_permanent_mute_reports_both_bounds_and_where_it_starts(resource_type) -> None:
    found = messages(mute("cron(0 0 * * *)", "P1D"), resource_type=resource_type)
    assert found == [
        "rule.schedule (cron(0 0 * * *) for P1D) mutes the alarms for 382 days without a break from "
        "2026-01-01T00:00Z: keep a continuous mute within maxContinuousMuteHours (15 days): shorten "
        "rule.schedule.duration, space the activations so their windows do not meet, or set expireDate.",
        "rule.schedule (cron(0 0 * * *) for P1D) mutes the alarms 100.0% of the 30 days from 2026-01-01T00:00Z: "
        "keep the muted share of any shareWindowDays (30 days) within maxMutedShare (50.0%): shorten "
        "rule.schedule.duration or activate less often or on fewer days in a row (an alarm that is muted most "
        "of the time notifies no one).",
    ]


def test_the_chained_stretch_is_named_with_its_length_and_start() -> None:
    (message, *_) = messages(mute("cron(0 0 1,16 * *)", "P15D"))
    # Jan 1 to Jan 31 (a 1-day gap), then Feb 1 .. Mar 31: Feb 16 + 15 d reaches Mar 3, Mar 16 + 15 d Mar 31.
    assert "mutes the alarms for 60 days without a break from 2026-04-01T00:00Z" in message


# --- decisions ---------------------------------------------------------------------------------


def test_a_dst_spring_day_joins_two_23_hour_mutes_in_london() -> None:
    """Durations are elapsed time. A daily PT23H mute at local midnight leaves a one-hour gap, except
    after the 23-hour day (2026-03-29, clocks go forward at 01:00 GMT): that day's window ends at
    23:00Z, when the next day's local midnight (BST) starts the next one. 46 hours muted."""
    schedule = mute("cron(0 0 * * *)", "PT23H", "Europe/London")
    only_continuous = {"maxMutedShare": 1}
    assert messages(schedule, {POLICY: {**only_continuous, "maxContinuousMuteHours": 46}}) == []
    (found,) = messages(schedule, {POLICY: {**only_continuous, "maxContinuousMuteHours": 45.99}})
    assert "1 day 22 hours without a break from 2026-03-29T00:00Z" in found
    # The same schedule in UTC never joins two windows.
    utc = mute("cron(0 0 * * *)", "PT23H", "UTC")
    assert messages(utc, {POLICY: {**only_continuous, "maxContinuousMuteHours": 23}}) == []


def test_a_daily_24_hour_mute_in_london_still_fails_for_its_one_hour_autumn_gap() -> None:
    """The 25-hour day (2026-10-25) opens a one-hour gap; the stretch before it is ~10 months long."""
    (continuous, share) = messages(mute("cron(0 0 * * *)", "PT24H", "Europe/London"))
    assert "from 2026-01-01T00:00Z" in continuous and BREAK in continuous
    assert "100.0% of the 30 days from 2026-01-01T00:00Z" in share


def test_unknown_values_at_preview_are_undecided_unless_a_known_value_already_fails() -> None:
    def report(inputs: dict[str, Any]):
        return evaluate_report(
            build([{"type": MUTE_RULE, "name": "m", "inputs": inputs}]), None, [get_policy(POLICY)]
        )

    for inputs in (
        mute(UNKNOWN_STRING_VALUE, "P1D"),
        mute("cron(0 0 * * *)", UNKNOWN_STRING_VALUE),
        mute("cron(0 0 * * *)", "P1D", UNKNOWN_STRING_VALUE),
        mute("cron(0 2 * * *)", "PT2H", expireDate=UNKNOWN_STRING_VALUE),
    ):
        found = report(inputs)
        assert found.violations == [] and [u.policy_name for u in found.undecided] == [POLICY], inputs
    # A malformed expression fails whatever the unknown duration turns out to be.
    found = report(mute("cron(0 0 * * * *)", UNKNOWN_STRING_VALUE))
    assert [v.message.split(":")[0] for v in found.violations] == ["rule.schedule.expression cannot be read"]
    # The alarms muted are not read: unknown names do not stop the verdict.
    targets = {**mute("cron(0 0 * * *)", "P1D"), "muteTargets": {"alarmNames": [UNKNOWN_STRING_VALUE]}}
    found = report(targets)
    assert found.undecided == [] and len(found.violations) == 2
    # at() does not read the dates (AWS rejects them there).
    found = report(mute("at(2026-03-01T00:00)", "P7D", startDate=UNKNOWN_STRING_VALUE))
    assert found.undecided == [] and found.violations == []


def test_outputs_after_create_read_as_the_inputs_did() -> None:
    """pulumi-aws reports unset strings as "" (timezone, startDate, expireDate) and adds muteType and
    status; aws-native adds muteType and status. Neither changes a verdict."""
    specs = [
        {
            "type": MUTE_RULE,
            "name": "forever",
            "inputs": {"name": "forever", **mute("cron(0 0 * * *)", "P1D")},
        },
        {
            "type": MUTE_RULE,
            "name": "weekend",
            "inputs": {"name": "weekend", **mute("cron(0 18 * * FRI)", "P2DT12H")},
        },
    ]
    outputs = as_outputs(build(specs))
    assert outputs[0].inputs["expireDate"] == "" and outputs[0].inputs["rule"]["schedule"]["timezone"] == ""
    found = evaluate_report(outputs, None, [get_policy(POLICY)])
    assert sorted({v.urn.rsplit("::", 1)[-1] for v in found.violations}) == ["forever"]
    native = {**mute("cron(0 0 * * *)", "P1D"), "muteType": "RECURRING", "status": "ACTIVE", "arn": "arn:x"}
    assert len(messages(native, resource_type=NATIVE_MUTE_RULE)) == 2


def test_the_known_gap_a_compliant_alarm_muted_for_good_now_fails() -> None:
    """The stack that passed the pack before this rule (an alarm with actions, muted daily for P1D)."""
    from tests.policies.conftest import run_policy

    specs = [
        {
            "type": "aws:cloudwatch/metricAlarm:MetricAlarm",
            "name": "errors",
            "inputs": {"name": "churn-5xx", "alarmActions": ["arn:aws:sns:eu-west-1:111122223333:alerts"]},
        },
        {
            "type": MUTE_RULE,
            "name": "mute",
            "deps": {"muteTargets": ["errors"]},
            "inputs": {"name": "always", **mute("cron(0 0 * * *)", "P1D")},
        },
    ]
    assert run_policy("alarm-has-actions", specs) == []
    found = run_policy(POLICY, specs)
    assert {v.urn.rsplit("::", 1)[-1] for v in found} == {"mute"}
    assert {v.enforcement_level for v in found} == {"mandatory"}


# --- configuration -----------------------------------------------------------------------------


def test_config_overrides_tighten_and_relax_each_bound() -> None:
    weekend = mute("cron(0 18 * * FRI)", "P2DT12H")  # 60 h a week: 40 % of the worst 30 days
    assert messages(weekend, {POLICY: {"maxContinuousMuteHours": 60}}) == []
    (over,) = messages(weekend, {POLICY: {"maxContinuousMuteHours": 59.99}})
    assert (
        "2 days 12 hours without a break" in over
        and "maxContinuousMuteHours (2 days 11 hours 59 minutes)" in over
    )
    assert messages(weekend, {POLICY: {"maxMutedShare": 0.4}}) == []
    (share,) = messages(weekend, {POLICY: {"maxMutedShare": 0.399}})
    assert "40.0% of the 30 days from 2026-01-02T18:00Z" in share and "maxMutedShare (39.9%)" in share
    forever = mute("cron(0 0 * * *)", "P1D")
    assert messages(forever, {POLICY: {"maxContinuousMuteHours": 382 * 24, "maxMutedShare": 1}}) == []


def test_a_short_period_is_judged_by_how_long_it_mutes() -> None:
    """A 10-day period muted throughout is 100 % of itself, a third of the 30-day window (the rest of
    the window lies outside the period, unmuted): no worse than one P10D at() mute. 15 days is half."""
    ten_days = mute(
        "cron(0 0 * * *)", "P1D", startDate="2026-02-01T00:00:00Z", expireDate="2026-02-11T00:00:00Z"
    )
    assert messages(ten_days) == []
    assert messages(ten_days, {POLICY: {"maxMutedShare": 0.34}}) == []
    (share,) = messages(ten_days, {POLICY: {"maxMutedShare": 0.33}})
    assert "33.3% of the 30 days from 2026-02-01T00:00Z" in share
    # With a 20-day window the same ten days are half of it, and with 19 over half.
    assert messages(ten_days, {POLICY: {"shareWindowDays": 20}}) == []
    (share,) = messages(ten_days, {POLICY: {"shareWindowDays": 19}})
    assert "52.6% of the 19 days from 2026-02-01T00:00Z" in share and "shareWindowDays (19 days)" in share


def test_share_window_days_sets_the_window() -> None:
    """AWS's annual P7D is 23.3 % of 30 days; of 14 days it is half, of 13 more than half, of 7 all."""
    annual = mute("cron(0 0 24 12 *)", "P7D")
    assert messages(annual, {POLICY: {"maxMutedShare": 0.24}}) == []
    (share,) = messages(annual, {POLICY: {"maxMutedShare": 0.23}})
    assert "23.3% of the 30 days from 2026-12-24T00:00Z" in share and "maxMutedShare (23.0%)" in share
    assert messages(annual, {POLICY: {"shareWindowDays": 14}}) == []
    (share,) = messages(annual, {POLICY: {"shareWindowDays": 13}})
    assert "53.8% of the 13 days from 2026-12-24T00:00Z" in share
    (share,) = messages(annual, {POLICY: {"shareWindowDays": 7}}, resource_type=NATIVE_MUTE_RULE)
    assert "100.0% of the 7 days from 2026-12-24T00:00Z" in share
    # One day: the nightly PT2H is 8.3 % of any day; a daily PT12H1M over half of one.
    assert messages(mute("cron(0 23 * * *)", "PT2H"), {POLICY: {"shareWindowDays": 1}}) == []
    (share,) = messages(mute("cron(0 0 * * *)", "PT12H1M"), {POLICY: {"shareWindowDays": 1}})
    assert "50.1% of the 1 day from" in share


def test_one_at_mute_is_judged_by_the_same_window() -> None:
    """An at() mute is one window: P15D is half of 30 days (the default passes AWS's ceiling); with a
    7-day window half a week passes and a minute more fails."""
    assert messages(mute("at(2026-03-01T00:00)", "P15D")) == []
    seven = {POLICY: {"shareWindowDays": 7}}
    assert messages(mute("at(2026-03-01T00:00)", "P3DT12H"), seven) == []
    (share,) = messages(mute("at(2026-03-01T00:00)", "P3DT12H1M"), seven)
    # 3 days 12 hours 1 minute of 7 days: 50.0099 %, shown with the decimals that tell it from 50 %.
    assert "50.01% of the 7 days from 2026-03-01T00:00Z" in share and "maxMutedShare (50.0%)" in share


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        ({POLICY: {"maxMutedShare": 1.5}}, f"{POLICY}.maxMutedShare: 1.5 does not match"),
        ({POLICY: {"maxMutedShare": -0.1}}, f"{POLICY}.maxMutedShare: -0.1 does not match"),
        ({POLICY: {"maxContinuousMuteHours": 0}}, f"{POLICY}.maxContinuousMuteHours: 0 does not match"),
        ({POLICY: {"maxMutedHours": 1}}, f"{POLICY}.maxMutedHours: not a config property"),
        ({POLICY: {"shareWindowDays": 0}}, f"{POLICY}.shareWindowDays: 0 does not match"),
        ({POLICY: {"shareWindowDays": 367}}, f"{POLICY}.shareWindowDays: 367 does not match"),
        ({POLICY: {"shareWindowDays": 7.5}}, f"{POLICY}.shareWindowDays: 7.5 does not match"),
    ],
    ids=[
        "share-above-1",
        "share-below-0",
        "zero-hours",
        "unknown-key",
        "window-0",
        "window-367",
        "window-7.5",
    ],
)
def test_a_config_out_of_range_is_rejected(config, problem) -> None:
    assert any(p.startswith(problem) for p in validate_pack_config(config)), validate_pack_config(config)
    assert validate_pack_config({POLICY: {"maxMutedShare": 1, "maxContinuousMuteHours": 1}}) == []
    assert validate_pack_config({POLICY: {"shareWindowDays": 1}}) == []
    assert validate_pack_config({POLICY: {"shareWindowDays": 366}}) == []
