"""Single-field validation of a stack file, where a mutation audit found no test holding it.

A hand-mutation audit of the field bounds and single-field validators a stack file goes through
(the cross-field validators were audited before: test_cross_field_validation.py). First pass, 76
mutations: stacks/config.py (its section models, the name prefix, region, account and tag
validators, the error's rendering), stacks/naming.py (the name prefix), stacks/input_limits.py
(what an error echoes, the JSON text's size), components/limits.py (the tag rules and log
retentions config validation calls) and the deployment bounds of
components/serving/inference_endpoint_spec.py (canary and linear sizes, waits, timeouts, scaling,
capture). Second pass, 47 mutations: the sections an adopter edits next (training compute and
triggers, schedule expressions in components/schedules.py, monitoring, budget, audit trail,
feature store, experiment tracking, model families, alert subscriptions). Each mutation is one
step: a bound moved by one, ``>`` read as ``>=``, an anchor or a character class changed, a
condition dropped or widened, a default changed, a key path changed.

123 mutations; 36 survived the whole suite, 27 are caught now by these tests, 9 are equivalent
for a stack file (below). (First pass: 76, 27 survived, 20 caught, 7 equivalent; second: 47, 9
survived, 7 caught, 2 equivalent.) Each test here fails under its mutants:

- EC2 IDs of an existing VPC (``vpc_id``, ``private_subnet_ids[]``, ``route_table_ids[]``): 8 hex
  digits are the shortest ID, 7 are refused; 17 is the longest route table ID, 18 refused; the
  pattern holds the whole value (a prefix before ``vpc-``/``rtb-`` is refused) and lower-case hex
  only (``vpc-...ABCDEF0`` refused), each at its key;
- ``network.flow_log_retention_days`` and ``audit_trail.cloudwatch_logs_retention_days``: only
  CloudWatch Logs' retention values (3653 and 1 pass, 0, "never expire", and 2 fail);
- ``trusted_image_registry_accounts[]``: the 12 digits are the whole value;
- ``kubernetes_serving.cluster_arn``: a 12-digit account (11 fails) and the cluster name ends it;
  that name is EKS's (botocore's ``ClusterName``): 100 characters pass, 101 fail, and a ``-``
  first fails (a product bug the audit found: any run of ``[A-Za-z0-9_-]`` passed; fixed with
  these cases);
- ``models[].description`` is what SageMaker takes as a group description (botocore's
  ``EntityDescription``): 1024 characters of letters, symbols and punctuation pass, a line break
  (a YAML ``>`` block's) or a tab fails at its key (a product bug found comparing the bounds with
  botocore: only the length was checked; fixed with these cases);
- ``models[].consumer_accounts``: each account once;
- ``models[].training.framework.version`` starts with a digit (``v1.2-1`` fails);
- ``training.schedule``: an EventBridge cron has six fields (seven fail) and a step of at least 1
  (``*/1`` passes, ``*/0`` fails);
- ``monitoring.drift_features[]``: 64 characters pass, 65 fail;
- ``alerts.subscriptions[].protocol``: email or https, never plain http;
- a tag key ``MLOPS:...`` is the platform's reserved prefix whatever its case;
- defaults no environment overrides: ``storage.abort_incomplete_multipart_upload_days`` 7,
  ``encryption.rotation_period_days`` 365, ``deployment.canary_percent`` 10 (on
  ``endpoint_defaults`` and every endpoint);
- the error message: exactly 50 problems are all shown and no "… and 0 more" line; a key is cut
  after 160 characters and a message after 4,000 (160 and 4,000 shown whole); an echoed text of
  exactly 80 characters is whole, a list of 81 items is counted rather than shown;
- an echoed string cut short gives the value's length: it said "(83 characters)" for any string
  over 80 characters, the length of the piece it kept (a product bug the audit found reading
  ``echo``; fixed with this test);
- the JSON text Pulumi passes is bounded by its UTF-8 bytes (1 MiB of bytes, not of characters).

Survivors of the narrow first runs that the rest of the suite catches (not counted as survivors):
Athena's scan cutoff and results retention (test_feature_training.py), the ``.yml`` stack file
suffix (test_resolution_naming_semantics.py), the log retention list
(planner/test_mocks_names_semantics.py), the new-data batching window, the training defaults
(test_training_pipeline.py, test_monitoring_loop_mutation_audit.py), a ``0W`` cron day
(planner/test_schedules_critical_path_semantics.py), the budget margin default
(planner/test_budget.py), reserved feature names in capitals (test_feature_store_semantics.py).
The configuration reference check (test_reference.py) also fails on a changed ``vpc_id`` pattern,
as on any bound it renders; it is a documentation check and was not counted as a kill.

Equivalent for a stack file:

- the model defaults of ``network.flow_log_retention_days``,
  ``storage.noncurrent_version_expiration_days``, ``storage.access_log_retention_days``,
  ``encryption.key_deletion_window_days``, ``model_registry.approval`` and
  ``endpoint_defaults.minimum_instances``: every environment of stacks/defaults.py sets each, and
  a stack file must name an environment, so the model's own default is never used (the reference
  check still shows it);
- "duplicate service names" reworded as "duplicate services": the problem stays at
  ``network.additional_interface_endpoints`` and says duplicate;
- a model family name of 64 characters let through by its own pattern: ``<prefix>-<name>`` is
  then over SageMaker's 63 and refused at ``models[N].name`` anyway (by the derived-name check;
  ``ModelRegistryArgs`` by ``prefixed_within_limit``, with or without a prefix);
- ``MAX_FAMILY_CONSUMER_ACCOUNTS`` 500 moved to 501: a conservative bound of the platform's, not
  AWS's; a stack file meets the tighter 250 across families first, and
  tests/components/test_model_registry.py shows the group policy at the bound stays within
  SageMaker's 20,480 characters (501 accounts would too).
"""

from __future__ import annotations

from typing import Any

import pytest

from components.registry.model_family_spec import description_problem
from stacks.config import (
    CONFIG_KEY,
    EKS_CLUSTER_ARN,
    MAX_MESSAGE_CHARS,
    MAX_PROBLEMS_SHOWN,
    ConfigError,
    parse_platform_config,
)
from stacks.input_limits import ECHO_LIMIT, MAX_STACK_FILE_BYTES, echo, json_text_problem, shorten
from tests.botocore_models import service_model
from tests.config_problems import stack_file_problems
from tests.conftest import load_stack_document
from tests.stack_edits import Edit, at
from tests.stacks.test_config_bounds import _existing_vpc

SOURCE = "stacks/Pulumi.audit.yaml"
VPC = "network.existing_vpc"
ARN = "arn:aws:eks:eu-west-1:111111111111:cluster/"


def _case(name: str, accepted: Edit, refused: Edit, key: str, fragment: str, base: str = "dev") -> Any:
    return pytest.param(base, accepted, refused, f"{CONFIG_KEY}.{key}", fragment, id=name)


def _vpc(field: str, accepted: Any, refused: Any, at_key: str = "") -> Any:
    return _case(
        f"existing_vpc.{field}={refused!r}"[:80],
        _existing_vpc(field, accepted),
        _existing_vpc(field, refused),
        f"{VPC}.{field}{at_key}",
        "match pattern",
    )


BOUNDS = [
    # EC2 resource IDs: vpc-, subnet-, rtb- and 8 (the older IDs) or 17 lower-case hex digits, the
    # whole value (a prefix or a suffix around a valid ID is not one).
    _vpc("vpc_id", "vpc-01234567", "vpc-0123456"),
    _vpc("vpc_id", "vpc-0123456789abcdef0", "xvpc-0123456789abcdef0"),
    _vpc("vpc_id", "vpc-0123456789abcdef0", "vpc-0123456789ABCDEF0"),
    _vpc(
        "private_subnet_ids",
        ["subnet-01234567", "subnet-0123456789abcdef1"],
        ["subnet-0123456", "subnet-0123456789abcdef1"],
        "[0]",
    ),
    _vpc("route_table_ids", ["rtb-0123456789abcdef0"], ["rtb-0123456789abcdef01"], "[0]"),
    _vpc("route_table_ids", ["rtb-0123456789abcdef0"], ["xrtb-0123456789abcdef0"], "[0]"),
    # CloudWatch Logs' retention values: 3653 is the longest, 0 (never expire) is not one of them.
    _case(
        "flow_log_retention_days=0",
        at("network.flow_log_retention_days", 3653),
        at("network.flow_log_retention_days", 0),
        "network.flow_log_retention_days",
        "is not a CloudWatch Logs retention",
    ),
    _case(
        "flow_log_retention_days=2",
        at("network.flow_log_retention_days", 1),
        at("network.flow_log_retention_days", 2),
        "network.flow_log_retention_days",
        "is not a CloudWatch Logs retention",
    ),
    # A 12-digit account, the whole value.
    _case(
        "trusted_image_registry_accounts=x444444444444",
        at("trusted_image_registry_accounts", ["444444444444"]),
        at("trusted_image_registry_accounts", ["x444444444444"]),
        "trusted_image_registry_accounts[0]",
        "match pattern",
    ),
    # An EKS cluster ARN: a 12-digit account, and the cluster's name ends it.
    _case(
        "cluster_arn=11-digit-account",
        at("kubernetes_serving", {"cluster_arn": ARN + "ml"}),
        at("kubernetes_serving", {"cluster_arn": ARN.replace("111111111111", "11111111111") + "ml"}),
        "kubernetes_serving.cluster_arn",
        "match pattern",
    ),
    _case(
        "cluster_arn=trailing-path",
        at("kubernetes_serving", {"cluster_arn": ARN + "ml"}),
        at("kubernetes_serving", {"cluster_arn": ARN + "ml/nodegroup"}),
        "kubernetes_serving.cluster_arn",
        "match pattern",
    ),
    # ... and that name is EKS's: a letter or digit first, at most 100 characters.
    _case(
        "cluster_arn=101-character-name",
        at("kubernetes_serving", {"cluster_arn": ARN + "m" * 100}),
        at("kubernetes_serving", {"cluster_arn": ARN + "m" * 101}),
        "kubernetes_serving.cluster_arn",
        "match pattern",
    ),
    _case(
        "cluster_arn=name-starting-with-a-hyphen",
        at("kubernetes_serving", {"cluster_arn": ARN + "m-l_1"}),
        at("kubernetes_serving", {"cluster_arn": ARN + "-ml"}),
        "kubernetes_serving.cluster_arn",
        "match pattern",
    ),
    # A model package group's description: SageMaker's EntityDescription, so no line break (the
    # one a YAML `>` block ends with), tab or other control character.
    _case(
        "models[0].description=folded-block",
        at("models.0.description", "Churn \u2013 prédiction à 90 jours, €/client: 1.0"),
        at("models.0.description", "Churn within 90 days\n"),
        "models[0].description",
        "no line break, tab or other control character",
    ),
    _case(
        "models[0].description=tab",
        at("models.0.description", "x" * 1024),
        at("models.0.description", "Churn\twithin 90 days"),
        "models[0].description",
        "'\\t' at position 5",
    ),
    # EventBridge cron: six fields, a step of at least 1.
    _case(
        "training.schedule=cron-step-0",
        at("training.schedule", "cron(*/1 3 ? * MON *)"),
        at("training.schedule", "cron(*/0 3 ? * MON *)"),
        "training.schedule",
        "the step 0 is not within 1-60",
    ),
    _case(
        "training.schedule=cron-of-7-fields",
        at("training.schedule", "cron(0 3 ? * MON *)"),
        at("training.schedule", "cron(0 3 ? * MON * *)"),
        "training.schedule",
        "cron takes 6 fields",
    ),
    # A framework version starts with a digit (the SageMaker SDK's image versions: 1.2-1, 2.1).
    _case(
        "framework.version=v1.2-1",
        at("models.0.training.framework.version", "1.2-1"),
        at("models.0.training.framework.version", "v1.2-1"),
        "models[0].training.framework.version",
        "match pattern",
    ),
    # Drift features named in the alarm: 1-64 characters each.
    _case(
        "monitoring.drift_features=65-characters",
        at("monitoring.drift_features", ["f" * 64]),
        at("monitoring.drift_features", ["f" * 65]),
        "monitoring.drift_features[0]",
        "match pattern",
        base="prod",
    ),
    # The trail's CloudWatch Logs group: a CloudWatch Logs retention, never 0 (never expire).
    _case(
        "audit_trail.cloudwatch_logs_retention_days=0",
        at("audit_trail.cloudwatch_logs_retention_days", 3653),
        at("audit_trail.cloudwatch_logs_retention_days", 0),
        "audit_trail.cloudwatch_logs_retention_days",
        "is not a CloudWatch Logs retention",
    ),
    # Each consumer account once.
    _case(
        "models[0].consumer_accounts=twice",
        at("models.0.consumer_accounts", ["222222222222", "333333333333"]),
        at("models.0.consumer_accounts", ["222222222222", "222222222222"]),
        "models[0].consumer_accounts",
        "duplicate account ids",
    ),
    # SNS protocols the platform subscribes: email and https only (never plain http).
    _case(
        "alerts.subscriptions[0].protocol=http",
        at("alerts.subscriptions", [{"protocol": "https", "endpoint": "https://events.pagerduty.com/x"}]),
        at("alerts.subscriptions", [{"protocol": "http", "endpoint": "ops@example.com"}]),
        "alerts.subscriptions[0].protocol",
        "Input should be 'email' or 'https'",
    ),
    # The platform's own tag prefix is reserved whatever its case (as aws: is).
    _case(
        "tags.MLOPS:team",
        at("tags", {"owner": "o", "cost-center": "c", "mlops-team": "t"}),
        at("tags", {"owner": "o", "cost-center": "c", "MLOPS:team": "t"}),
        "tags.MLOPS:team",
        "prefix is the platform's own",
    ),
]


@pytest.mark.parametrize(("base", "accept", "refuse", "key", "fragment"), BOUNDS)
def test_the_last_valid_value_passes_and_the_first_invalid_one_fails_at_its_key(
    write_stack, base: str, accept: Edit, refuse: Edit, key: str, fragment: str
) -> None:
    assert stack_file_problems(write_stack(base, accept, name="Pulumi.accepted.yaml")) == {}

    path = write_stack(base, refuse, name="Pulumi.refused.yaml")
    problems = stack_file_problems(path)
    assert list(problems) == [key], problems
    assert fragment in problems[key]


def test_the_cluster_name_rule_is_ekss() -> None:
    """CreateCluster's ``name``: 1-100 characters, a letter or digit first (botocore's model)."""
    name = service_model("eks")["shapes"]["ClusterName"]
    assert (name["min"], name["max"], name["pattern"]) == (1, 100, "^[0-9A-Za-z][A-Za-z0-9\\-_]*")
    assert EKS_CLUSTER_ARN.endswith(":cluster/[0-9A-Za-z][A-Za-z0-9_-]{0,99}$")


def test_a_family_description_is_what_sagemaker_takes_as_a_group_description() -> None:
    """CreateModelPackageGroup's ``ModelPackageGroupDescription`` (botocore's ``EntityDescription``)."""
    shapes = service_model("sagemaker")["shapes"]
    member = shapes["CreateModelPackageGroupInput"]["members"]["ModelPackageGroupDescription"]
    entity = shapes[member["shape"]]
    assert (entity["max"], entity["pattern"]) == (1024, "[\\p{L}\\p{M}\\p{Z}\\p{S}\\p{N}\\p{P}]*")
    assert description_problem("Churn \u2013 prédiction à 90 jours, €/client: 1.0 ™ ©") is None
    for control in ("\n", "\r", "\t", "\x00", "\u200b", "\ufeff"):
        assert description_problem(f"a{control}b"), repr(control)


# -- defaults a stack file reaches (no environment sets these keys) --------------------------------


@pytest.mark.parametrize("environment", ["dev", "staging", "prod"])
def test_the_defaults_no_environment_overrides(environment: str) -> None:
    raw = load_stack_document(environment)["config"][CONFIG_KEY]
    for section in ("storage", "encryption"):
        raw.pop(section, None)

    config = parse_platform_config(raw, SOURCE)

    assert config.storage.abort_incomplete_multipart_upload_days == 7
    assert config.encryption.rotation_period_days == 365
    assert config.endpoint_defaults.deployment.canary_percent == 10
    assert [endpoint.deployment.canary_percent for endpoint in config.endpoints] == [10] * len(
        config.endpoints
    )


# -- the error message: bounded, and complete up to its bound ---------------------------------------


def test_exactly_the_most_problems_shown_are_all_shown_with_no_remainder_line() -> None:
    problems = [(f"{CONFIG_KEY}.tags.t{n}", "bad") for n in range(MAX_PROBLEMS_SHOWN)]

    lines = str(ConfigError(SOURCE, problems)).splitlines()

    assert len(lines) == 1 + MAX_PROBLEMS_SHOWN == 51
    assert lines[-1] == f"  {SOURCE}: {CONFIG_KEY}.tags.t49: bad"
    assert not any("more problems" in line for line in lines)


def test_a_problem_line_shows_160_characters_of_its_key_and_4000_of_its_message() -> None:
    last = ConfigError(SOURCE, [("k" * 160, "m" * MAX_MESSAGE_CHARS)])
    cut = ConfigError(SOURCE, [("k" * 161, "m" * (MAX_MESSAGE_CHARS + 1))])

    assert MAX_MESSAGE_CHARS == 4_000
    assert str(last).splitlines()[1] == f"  {SOURCE}: {'k' * 160}: {'m' * 4_000}"
    assert str(cut).splitlines()[1] == (
        f"  {SOURCE}: {'k' * 160}… (161 characters): {'m' * 4_000}… (4,001 characters)"
    )


# -- what an error echoes, and the JSON text's size (stacks/input_limits.py) ------------------------


def test_a_text_of_exactly_the_echo_limit_is_shown_whole() -> None:
    assert shorten("x" * ECHO_LIMIT) == "x" * ECHO_LIMIT
    assert shorten("x" * (ECHO_LIMIT + 1)) == "x" * ECHO_LIMIT + "… (81 characters)"


def test_a_list_of_more_items_than_the_echo_limit_is_counted_not_shown() -> None:
    assert echo(list(range(ECHO_LIMIT + 1))) == "a list of 81 items"
    assert echo(list(range(ECHO_LIMIT))).startswith("[0, 1, 2")


def test_an_echoed_string_cut_short_says_how_many_characters_the_value_has() -> None:
    """Not its repr's, and never the 83 of the piece that was kept (the count a 5 MB value got)."""
    assert echo("y" * 78) == repr("y" * 78)
    assert echo("y" * 80) == repr("y" * 80)  # whole: its quotes are not counted
    assert echo("y" * 81) == "'" + "y" * 79 + "… (81 characters)"
    # escapes make the repr long: cut, with the value's own length
    assert echo("\x00" * 80) == repr("\x00" * 81)[:80] + "… (80 characters)"
    assert echo("y" * 5_000_000) == "'" + "y" * 79 + "… (5,000,000 characters)"

    raw = {**load_stack_document("dev")["config"][CONFIG_KEY], "account_id": "1" * 5_000_000}
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(raw, SOURCE)
    [(key, message)] = raised.value.problems
    assert key == f"{CONFIG_KEY}.account_id"
    assert message.endswith("… (5,000,000 characters))")
    assert f"{SOURCE}: {CONFIG_KEY}.account_id: String should match pattern" in str(raised.value)


def test_json_text_is_measured_in_utf8_bytes() -> None:
    """Pulumi passes the value as text; the 1 MiB bound is on its bytes, as on the stack file's."""

    def text(padding: int) -> str:
        """A JSON value of two-byte characters and ``padding`` one-byte ones."""
        return '{"environment": "' + "é" * half + "x" * padding + '"}'

    room = MAX_STACK_FILE_BYTES - len('{"environment": ""}')
    half, odd = divmod(room, 2)
    largest, larger = text(odd), text(odd + 1)
    assert len(largest.encode()) == MAX_STACK_FILE_BYTES
    assert json_text_problem(largest) is None

    assert len(larger.encode()) > MAX_STACK_FILE_BYTES > len(larger)
    problem = json_text_problem(larger)
    assert problem is not None and "at most 1,048,576 bytes" in problem


def test_a_long_duplicate_key_is_echoed_with_its_own_length() -> None:
    """Not its repr's (two quotes more)."""
    from stacks.stack_file import load_yaml

    key = "k" * 100
    with pytest.raises(ConfigError) as raised:
        load_yaml(f"{key}: 1\n{key}: 2\n", SOURCE)
    assert f"duplicate key '{'k' * 79}… (100 characters)" in str(raised.value)
