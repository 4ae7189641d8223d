"""What the alarm-mute schedule reader and the SageMaker job rules decide, where a mutation audit found
no test holding it.

A hand-mutation audit of policies/rules/_mute_schedule.py (the schedule arithmetic of
``alarm-mutes-are-bounded`` and ``alarm-mutes-are-bounded-together``) and of the decision logic of
policies/rules/sagemaker_jobs.py: 178 one-step mutations (97 and 81; one more, a no-op, was discarded),
each run against the tests of their rules (test_mute_schedule, test_policy_alarm_mute_rules,
test_policy_alarm_mute_stack_rules; test_policy_job_rules, test_policy_sagemaker_coverage_rules,
test_rule_semantics_storage_network_jobs, test_policy_evasions, test_policy_tuning_steps,
test_policy_transform_steps, test_policy_pipeline_network_exception,
test_policy_feature_extract_exception, test_policy_evidently_steps,
test_pipeline_observability_mutation_audit, test_live_drift_definition). 131 were caught; 47 survived.
Of those, 25 are caught by a test here, 21 are equivalent and 1 is left alone (below). Judging the spot
mutations found 1 bug in a line no surviving mutation touched (fixed, see CHANGELOG.md); of 3 further
mutations of the fixed lines, all 3 are caught, only here.

_mute_schedule.py (97 mutations, 36 survived: 20 caught now, 16 equivalent):

- a day-of-month of 32 and a month of 0 are out of range; a bare ``*`` in minutes is all 60 minutes;
  ``at()`` with seconds is not the documented format; ``utc`` in any case and ``""`` (what pulumi-aws
  reports for an unset timezone after create) are UTC; a padded date is read;
- ``at()`` does not read ``startDate``/``expireDate``; the first instant of 9998 is outside the years
  simulated (an ``at()`` and a ``startDate`` alike); an ``expireDate`` years away is simulated for the
  horizon only; a window begun before ``startDate`` counts from it (the first day simulated is the one
  ``duration`` before the period, not only the day before);
- a day whose clocks go forward in the evening (Pacific/Easter, 22:00 on 2026-09-05) is not a day of one
  offset: its later activations read the new offset;
- the longest stretch repeated daily is named where it first occurs; of equally bad windows measured
  exactly the first is named;
- ``mute_windows`` reads ``at()`` in its timezone and keeps the windows of DST days; a window inside
  another rule's does not shorten the union; the union's floor and start are the worst stretch's
  across clusters far apart, the first of two equally bad ones named.

sagemaker_jobs.py (81 mutations, 11 survived: 5 caught now, 5 equivalent, 1 left alone):

- an empty ``vpcConfig.subnets``/``securityGroupIds`` list puts a training job outside the VPC; a
  processing job needs both subnets and security groups; a training job (or tuning definition) without
  ``resourceConfig`` is told to key ``resourceConfig``, not ``hyperParameterTuningResourceConfig``;
  an empty volume key on an instance-store type is unset (pulumi-aws reports unset strings as ``""``).

The bug (with its CHANGELOG.md entry):

- ``pipeline-spot-training-checkpointed`` skipped the wait-versus-run comparison when
  ``MaxRuntimeInSeconds`` was unset, but SageMaker then runs the job for its default of one day
  ("The default value is 1 day", StoppingCondition in the SageMaker API reference), so a spot wait of a
  day or less, which leaves no time for capacity, passed. An unset run limit is now that day.

Equivalent (no input the provider or AWS accepts changes the verdict or what the message names):

- ``_window_share`` taking its exact branch only below the window (a period of exactly the window gives
  the same sums on the slots), its floor ignoring the window one slot on (the next iteration's, or at the
  end one that swaps a real slot for the empty one past the period), and the walk past idle slots run
  when not aligned (the starting slot of an unaligned bound is muted);
- the first day simulated without the spare day before ``begin - duration`` (an activation on an earlier
  local date ends before ``begin``; the spare day is a margin);
- no early return for a zero duration, ``_merge`` keeping empty windows, ``mute_windows`` recording an
  empty ``at()`` window, and ``at()`` naming a start for a zero duration (nothing is muted either way,
  and AWS rejects durations under PT1M);
- an edge day chosen without ``+ duration`` (inner runs end within their day);
- in ``_exact_window``: counting pieces that end at ``x`` (they add 0), trying only muted starts or only
  muted ends besides 0 (each set alone reaches the maximum, checked on 200,000 random slot pairs; the
  window named can only move among equally bad ones), and pruning with ``>=`` (cost only);
- ``union_profile`` merging clusters exactly a window apart or never splitting them, or padding a
  cluster by a slot: a window cannot reach across the gap, the extra slot is empty (cost and the
  slot grid's origin only; the verdict at the limit is exact either way);
- an instance group without a type counted as EBS-backed (AWS requires ``InstanceType`` in a group,
  pipeline steps too); an unset monitoring ``instanceCount`` read as 2 (AWS requires it); a pipeline
  checkpoint accepted only when set (every pipeline expression is a non-empty map, which is set);
  a ``MaxWaitTimeInSeconds`` of 0 read as unset (a violation either way; AWS's minimum is 1).

Left alone: a tuning definition that sets both ``resourceConfig`` and
``hyperParameterTuningResourceConfig`` is judged on ``resourceConfig`` (mutations reading the tuning
config instead survive). The API reference says to use the latter "instead" of the former and documents
no precedence; whether SageMaker rejects both was not settled here.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from policies.rules._mute_schedule import (
    HORIZON,
    ScheduleError,
    mute_profile,
    mute_windows,
    parse_expression,
    read_schedule,
    union_profile,
)
from tests.policies.conftest import run_policy
from tests.policies.test_rule_semantics_storage_network_jobs import PROCESSING, TRAINING

HOUR, DAY = 3600, 86_400
PERIOD = int(HORIZON.total_seconds())
KEY = "arn:aws:kms:eu-west-1:111122223333:key/abcd"
VPC = {"subnets": ["subnet-1"], "securityGroupIds": ["sg-1"]}
MUTE_RULE = "aws:cloudwatch/alarmMuteRule:AlarmMuteRule"
TRAINING_JOB = "aws:sagemaker/trainingJob:TrainingJob"
TUNING_JOB = "aws:sagemaker/hyperParameterTuningJob:HyperParameterTuningJob"
NATIVE_PROCESSING_JOB = "aws-native:sagemaker:ProcessingJob"


def messages(policy: str, resource_type: str, inputs: dict[str, Any]) -> list[str]:
    return [v.message for v in run_policy(policy, [{"type": resource_type, "name": "r", "inputs": inputs}])]


def mute(expression: str, duration: str, timezone: str | None = None, **extra: Any) -> dict[str, Any]:
    schedule = {"expression": expression, "duration": duration}
    if timezone is not None:
        schedule["timezone"] = timezone
    return {"rule": {"schedule": schedule}, "muteTargets": {"alarmNames": ["churn-5xx"]}, **extra}


# --- _mute_schedule: reading the expression ----------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        pytest.param("cron(0 0 32 * *)", "the day-of-month field has 32, outside 1-31", id="day-of-month-32"),
        pytest.param("cron(0 0 * 0 *)", "the month field has 0, outside 1-12", id="month-0"),
    ],
)
def test_a_day_or_month_just_outside_its_range_raises_and_names_the_field(
    expression: str, problem: str
) -> None:
    with pytest.raises(ScheduleError, match=problem):
        parse_expression(expression)


def test_an_at_time_with_seconds_is_not_the_documented_format_and_raises() -> None:
    # AWS documents at(yyyy-MM-ddThh:mm); EventBridge Scheduler's at() takes seconds, mute rules do not.
    with pytest.raises(ScheduleError, match="neither cron"):
        parse_expression("at(2026-03-01T00:00:00)")


def test_a_bare_star_in_minutes_fires_every_minute_of_the_hour() -> None:
    parsed = parse_expression("cron(* 0 * * *)")
    assert not isinstance(parsed, datetime)
    assert parsed.minutes == tuple(range(60))
    # Every minute from 00:00 to 00:59, each for a minute: one muted hour a day.
    profile = mute_profile("cron(* 0 * * *)", "PT1M")
    assert profile.longest == HOUR and profile.muted == PERIOD // DAY * HOUR


@pytest.mark.parametrize("zone", ["utc", "Utc", ""])
def test_utc_in_any_case_and_an_empty_timezone_read_as_utc(zone: str) -> None:
    # pulumi-aws reports an unset timezone as "" after create; "utc" is not an IANA file name.
    assert mute_profile("cron(0 22 * * *)", "PT4H", zone) == mute_profile("cron(0 22 * * *)", "PT4H")


def test_a_padded_date_is_read_as_the_date_it_spells() -> None:
    padded = mute_profile("cron(0 0 * * *)", "PT1H", None, " 2026-03-01T00:00:00Z ", "2026-03-11T00:00:00Z\n")
    assert (padded.period, padded.muted) == (10 * DAY, 10 * HOUR)


def test_at_does_not_read_the_dates_so_an_unreadable_one_does_not_fail_it() -> None:
    read = read_schedule("at(2026-03-01T00:00)", "P7D", None, "not a date", "nor this")
    assert read.start is None and read.expire is None
    assert (
        messages("alarm-mutes-are-bounded", MUTE_RULE, mute("at(2026-03-01T00:00)", "P7D", startDate="soon"))
        == []
    )


@pytest.mark.parametrize(
    ("expression", "start"),
    [
        pytest.param("at(9998-01-01T00:00)", None, id="at-in-9998"),
        pytest.param("cron(0 0 * * *)", "9998-01-01T00:00:00Z", id="start-date-at-9998"),
    ],
)
def test_the_first_instant_of_9998_is_outside_the_years_simulated(expression: str, start: str | None) -> None:
    with pytest.raises(ScheduleError, match="outside the years the pack can simulate"):
        mute_profile(expression, "PT1H", start_date=start)
    # The last minute of 9997 is read (in UTC).
    mute_profile(
        expression.replace("9998-01-01T00:00", "9997-12-31T23:00"),
        "PT1H",
        start_date=start and "9997-12-31T23:00:00Z",
    )


def test_an_expire_date_years_away_is_simulated_for_the_horizon_only() -> None:
    profile = mute_profile("cron(0 0 * * *)", "PT1H", None, "2026-01-01T00:00:00Z", "2030-01-01T00:00:00Z")
    assert profile.period == PERIOD and profile.muted == PERIOD // DAY * HOUR


def test_a_window_begun_before_the_start_date_counts_from_it() -> None:
    # The activation of March 1 lasts 15 days: it is still muting on March 10, when the period starts.
    profile = mute_profile("cron(0 0 1 * *)", "P15D", None, "2026-03-10T00:00:00Z", "2026-03-20T00:00:00Z")
    assert profile.muted == 6 * DAY and profile.longest_start == datetime(2026, 3, 10, tzinfo=UTC)


def test_the_longest_stretch_repeated_every_day_is_named_where_it_first_occurs() -> None:
    # 06:00-08:00 is the longest stretch, every day: it is named at the start of the period, not its end.
    profile = mute_profile("cron(0 0,6,7,18 * * *)", "PT1H")
    assert profile.longest == 2 * HOUR
    assert profile.longest_start is not None and profile.longest_start <= datetime(2026, 1, 2, 6, tzinfo=UTC)


def test_a_window_inside_another_rules_window_does_not_shorten_it() -> None:
    long = mute_windows(read_schedule("at(2026-03-01T00:00)", "PT10H"))
    inside = mute_windows(read_schedule("at(2026-03-01T02:00)", "PT1H"))
    union = union_profile([long, inside])
    assert (union.muted, union.longest) == (10 * HOUR, 10 * HOUR)


def test_the_union_floor_and_start_are_the_worst_stretchs_across_far_apart_periods() -> None:
    worse = mute_windows(read_schedule("at(2026-03-01T00:00)", "P10D"))
    later = mute_windows(read_schedule("at(2028-03-01T00:00)", "P5D"))
    union = union_profile([worse, later])
    assert (union.window_muted, union.window_floor) == (10 * DAY, 10 * DAY)
    assert union.window_start == datetime(2026, 3, 1, tzinfo=UTC)
    # Of two equally bad stretches the first is named.
    twin = mute_windows(read_schedule("at(2028-03-01T00:00)", "P10D"))
    assert union_profile([worse, twin]).window_start == datetime(2026, 3, 1, tzinfo=UTC)


def test_the_windows_of_one_rule_read_at_in_its_timezone_and_keep_dst_days() -> None:
    tokyo = mute_windows(read_schedule("at(2026-03-01T09:00)", "PT1H", "Asia/Tokyo"))
    march_1 = int(datetime(2026, 3, 1, tzinfo=UTC).timestamp())
    assert tokyo.intervals == ((march_1, march_1 + HOUR),)
    # 2026-03-29 is London's 23-hour day: its noon mute (11:00Z, BST) is a window like any other.
    spring = mute_windows(
        read_schedule(
            "cron(0 12 * * *)", "PT1H", "Europe/London", "2026-03-29T00:00:00Z", "2026-03-30T00:00:00Z"
        )
    )
    noon = int(datetime(2026, 3, 29, 11, tzinfo=UTC).timestamp())
    assert spring.intervals == ((noon, noon + HOUR),)


def test_a_day_whose_clocks_go_forward_in_the_evening_reads_later_activations_at_the_new_offset() -> None:
    # Pacific/Easter springs forward on 2026-09-05 at 22:00 (-06 to -05): midday still has the offset of
    # midnight, so only the day's end shows the change. 23:30 that evening is 04:30Z, not 05:30Z.
    read = read_schedule(
        "cron(30 23 * * *)", "PT30M", "Pacific/Easter", "2026-09-05T00:00:00", "2026-09-07T00:00:00"
    )
    first = int(datetime(2026, 9, 6, 4, 30, tzinfo=UTC).timestamp())
    assert mute_windows(read).intervals == ((first, first + 1800), (first + DAY, first + DAY + 1800))
    profile = mute_profile(
        "cron(30 23 * * *)", "PT30M", "Pacific/Easter", "2026-09-05T00:00:00", "2026-09-07T00:00:00"
    )
    assert profile.longest_start == datetime(2026, 9, 6, 4, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("expression", "duration", "zone"),
    [("cron(0 0 * * *)", "PT12H", "Asia/Kolkata"), ("cron(*/2 * * * *)", "PT1M", None)],
)
def test_of_equally_bad_windows_measured_exactly_the_first_is_named(
    expression: str, duration: str, zone: str | None
) -> None:
    # Half of every window, off the hour grid: measured exactly, and every window is as bad.
    profile = mute_profile(expression, duration, zone, share_limit=0.5)
    assert profile.window_muted == profile.window // 2
    assert profile.window_start == datetime(2026, 1, 1, tzinfo=UTC)


# --- sagemaker_jobs ------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["subnets", "securityGroupIds"])
def test_a_training_job_with_an_empty_vpc_list_is_outside_the_vpc(field: str) -> None:
    policy = "training-job-network-isolated"
    assert messages(policy, TRAINING_JOB, TRAINING) == []
    inputs = {**TRAINING, "vpcConfig": {**VPC, field: []}}
    (found,) = messages(policy, TRAINING_JOB, inputs)
    assert found.startswith(f"vpcConfig.{field} is empty")


@pytest.mark.parametrize("field", ["subnets", "securityGroupIds"])
def test_a_processing_job_needs_both_subnets_and_security_groups(field: str) -> None:
    policy = "processing-job-encrypted-isolated"
    assert messages(policy, NATIVE_PROCESSING_JOB, PROCESSING) == []
    inputs = copy.deepcopy(PROCESSING)
    del inputs["networkConfig"]["vpcConfig"][field]
    (found,) = messages(policy, NATIVE_PROCESSING_JOB, inputs)
    assert found.startswith(f"networkConfig.vpcConfig.{field} is empty")


def test_a_training_job_without_resource_config_is_told_to_key_resource_config() -> None:
    inputs = {key: value for key, value in TRAINING.items() if key != "resourceConfig"}
    assert messages("training-job-kms-encrypted", TRAINING_JOB, inputs) == [
        "resourceConfig.volumeKmsKeyId is unset: set it to a customer-managed KMS key for the job's storage volume."
    ]
    tuning = {"trainingJobDefinition": inputs}
    (found,) = messages("training-job-kms-encrypted", TUNING_JOB, tuning)
    assert found.startswith("trainingJobDefinition.resourceConfig.volumeKmsKeyId is unset")


def test_an_empty_volume_key_on_an_instance_store_type_is_unset() -> None:
    # pulumi-aws reports an unset string as "" after create: a g5 job's outputs must still pass.
    inputs = {
        **TRAINING,
        "resourceConfig": {"instanceType": "ml.g5.2xlarge", "instanceCount": 1, "volumeKmsKeyId": ""},
    }
    assert messages("training-job-kms-encrypted", TRAINING_JOB, inputs) == []
    keyed = {**inputs, "resourceConfig": {**inputs["resourceConfig"], "volumeKmsKeyId": KEY}}
    (found,) = messages("training-job-kms-encrypted", TRAINING_JOB, keyed)
    assert found.startswith(
        "resourceConfig.volumeKmsKeyId is set but the job uses instance-store types (ml.g5.2xlarge)"
    )


# --- the bug: an unset MaxRuntimeInSeconds is SageMaker's one day, not "no limit" -----------------

SPOT = "pipeline-spot-training-checkpointed"
PIPELINE = "aws:sagemaker/pipeline:Pipeline"


def spot_job(stopping: dict[str, Any]) -> dict[str, Any]:
    return {
        **TRAINING,
        "enableManagedSpotTraining": True,
        "checkpointConfig": {"s3Uri": "s3://artifacts/checkpoints/"},
        "stoppingCondition": stopping,
    }


def spot_pipeline(stopping: dict[str, Any]) -> dict[str, Any]:
    arguments = {
        "EnableManagedSpotTraining": True,
        "CheckpointConfig": {"S3Uri": "s3://artifacts/checkpoints/"},
        "StoppingCondition": stopping,
    }
    step = {"Name": "Train", "Type": "Training", "Arguments": arguments}
    definition = {"Version": "2020-12-01", "Parameters": [], "Steps": [step]}
    return {
        "pipelineName": "churn",
        "roleArn": "arn:aws:iam::111122223333:role/p",
        "pipelineDefinition": json.dumps(definition),
    }


@pytest.mark.parametrize(("wait", "violated"), [(86_400, True), (3_600, True), (86_401, False)])
def test_an_unset_max_runtime_is_the_default_day_a_spot_wait_must_exceed(wait: int, violated: bool) -> None:
    # StoppingCondition.MaxRuntimeInSeconds defaults to one day (SageMaker API reference): a wait of a
    # day or less leaves no time for spot capacity.
    found = messages(SPOT, TRAINING_JOB, spot_job({"maxWaitTimeInSeconds": wait}))
    assert found == (
        [
            f"stoppingCondition.maxWaitTimeInSeconds ({wait}) must be greater than "
            "stoppingCondition.maxRuntimeInSeconds (unset: SageMaker's default, 86400): the time for spot "
            "capacity is what it leaves."
        ]
        if violated
        else []
    )
    (step,) = messages(SPOT, PIPELINE, spot_pipeline({"MaxWaitTimeInSeconds": wait})) or [None]
    assert (step is not None) == violated
    if violated:
        assert "MaxRuntimeInSeconds (unset: SageMaker's default, 86400)" in step
