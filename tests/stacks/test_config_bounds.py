"""The bounds of stack settings that encode an AWS limit or a documented platform rule, pinned at
the boundary: the last allowed value is accepted, one past it is refused at its own key.

A mutation audit moved each bound in stacks/config.py, stacks/delivery_config.py,
stacks/model_cards.py and stacks/naming.py by one (``le=30`` to ``le=31``, ``ge=7`` to ``ge=6``,
``{8,17}`` to ``{8,18}``), one at a time: the suite passed under each of the moves these cases
catch. The tests only checked values far outside a range (``key_deletion_window_days: 3``), so a
bound that drifted past AWS's limit would have let a stack through validation that AWS refuses at
deploy time (KMS: deletion window 7-30 days, rotation 90-2560 days; EventBridge: 0-185 retries,
60-86400 seconds of event age; SageMaker model cards: 63-character names; resource IDs of 8 or 17
hex digits; 12-digit account IDs; tag keys of 1-128 characters; a VPC of at most /16). The other
bounds are the platform's documented rules (stacks/config.py field descriptions, README's
configuration reference). Where botocore's service model states the limit, a test compares the
bound with it too. The last tests pin the stack file's own input bounds (stacks/input_limits.py:
1 MiB, 64 levels, 50,000 values) on each path that checks them, so that the YAML scan, the check
of a built value and the JSON check agree on where the limit is.
"""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from stacks.config import CONFIG_KEY, ConfigError, EncryptionConfig
from stacks.delivery_config import ApprovalDispatchConfig
from stacks.input_limits import (
    MAX_NESTING_DEPTH,
    MAX_STACK_FILE_BYTES,
    MAX_VALUES,
    json_depth_exceeds,
    structure_problems,
)
from stacks.model_cards import MAX_MODEL_CARD_NAME, MODEL_CARD_NAME
from stacks.stack_file import load_yaml, read_stack_file
from tests.botocore_models import service_model
from tests.config_problems import stack_file_problems
from tests.conftest import load_stack_document, stack_path
from tests.recorded import computed_once
from tests.stack_edits import Edit, both
from tests.yaml_text import dump_document

KeyPath = tuple[str | int, ...]


def _set(path: KeyPath, value: Any) -> Edit:
    def edit(platform: dict[str, Any]) -> None:
        *parents, leaf = path
        node = platform
        for part in parents:
            node = node[part] if isinstance(part, int) else node.setdefault(part, {})
        node[leaf] = value

    return edit


def _existing_vpc(field: str, value: Any) -> Edit:
    """The fixture's VPC replaced by an existing one whose ``field`` is ``value``."""

    def edit(platform: dict[str, Any]) -> None:
        network = platform["network"]
        del network["cidr"]
        network["existing_vpc"] = {
            "vpc_id": "vpc-0123456789abcdef0",
            "cidr": "10.1.0.0/16",
            "private_subnet_ids": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
            "route_table_ids": ["rtb-0123456789abcdef0"],
            field: value,
        }

    return edit


def _key(path: KeyPath) -> str:
    return CONFIG_KEY + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)


def _case(
    base: str,
    path: KeyPath,
    accepted: Any,
    refused: Any,
    fragment: str,
    *,
    at: KeyPath = (),
    also: Edit | None = None,
) -> Any:
    """A boundary case: ``path`` of fixture stack ``base`` (after the edit ``also``) set to
    ``accepted`` passes, set to ``refused`` is one problem, at ``path`` + ``at``, naming ``fragment``."""

    def setting(value: Any) -> Edit:
        return _set(path, value) if also is None else both(also, _set(path, value))

    return pytest.param(
        base,
        setting(accepted),
        setting(refused),
        _key((*path, *at)),
        fragment,
        id=f"{'.'.join(map(str, path))}={refused!r}"[:80],
    )


VPC = ("network", "existing_vpc")
APPROVALS = ("delivery", "approval_dispatch")
CARD = ("models", 0, "model_card")


def _vpc_case(field: str, accepted: Any, refused: Any, fragment: str, *, at: KeyPath = ()) -> Any:
    return pytest.param(
        "dev",
        _existing_vpc(field, accepted),
        _existing_vpc(field, refused),
        _key((*VPC, field, *at)),
        fragment,
        id=f"existing_vpc.{field}={refused!r}"[:80],
    )


BOUNDS = [
    # The VPC the platform creates: /16 (AWS's largest VPC) to /22, in 2 to 6 zones.
    _case("dev", ("network", "cidr"), "10.0.0.0/16", "10.0.0.0/15", "/16 to /22"),
    _case("dev", ("network", "az_count"), 2, 1, "greater than or equal to 2"),
    # An existing VPC: IDs of 8 or 17 hex digits, two subnets in different zones, one route table.
    _vpc_case("vpc_id", "vpc-0123456789abcdef0", "vpc-0123456789abcdef01", "match pattern"),
    _vpc_case(
        "private_subnet_ids",
        ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
        ["subnet-0123456789abcdef01", "subnet-0123456789abcdef1"],
        "match pattern",
        at=(0,),
    ),
    _vpc_case("private_subnet_ids", ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"], ["subnet-0123456789abcdef0"], "at least 2"),
    _vpc_case("route_table_ids", ["rtb-0123456789abcdef0"], [], "at least 1"),
    # Bucket lifecycle rules: S3 wants a positive number of days; the platform keeps at most ten years.
    _case("dev", ("storage", "noncurrent_version_expiration_days"), 1, 0, "greater than or equal to 1"),
    _case("dev", ("storage", "noncurrent_version_expiration_days"), 3650, 3651, "less than or equal to 3650"),
    _case("dev", ("storage", "access_log_retention_days"), 1, 0, "greater than or equal to 1"),
    _case("dev", ("storage", "access_log_retention_days"), 3650, 3651, "less than or equal to 3650"),
    _case("dev", ("storage", "abort_incomplete_multipart_upload_days"), 1, 0, "greater than or equal to 1"),
    _case("dev", ("storage", "abort_incomplete_multipart_upload_days"), 30, 31, "less than or equal to 30"),
    # KMS: ScheduleKeyDeletion's PendingWindowInDays is 7-30, RotationPeriodInDays 90-2560.
    _case("dev", ("encryption", "key_deletion_window_days"), 7, 6, "greater than or equal to 7"),
    _case("dev", ("encryption", "key_deletion_window_days"), 30, 31, "less than or equal to 30"),
    _case("dev", ("encryption", "rotation_period_days"), 90, 89, "greater than or equal to 90"),
    _case("dev", ("encryption", "rotation_period_days"), 2560, 2561, "less than or equal to 2560"),
    # The least instances a variant may run: 0 to 10.
    _case("dev", ("endpoint_defaults", "minimum_instances"), 0, -1, "greater than or equal to 0"),
    _case("dev", ("endpoint_defaults", "minimum_instances"), 10, 11, "less than or equal to 10", also=_set(("endpoints",), [])),
    # Athena's per-query scan cutoff: at most 100,000 GiB.
    _case("dev", ("feature_queries", "scan_limit_gb"), 100_000, 100_001, "less than or equal to 100000"),
    # Account IDs are exactly 12 digits.
    _case("dev", ("account_id",), "111111111111", "11111111111", "match pattern"),
    _case("dev", ("trusted_image_registry_accounts",), ["444444444444"], ["44444444444"], "match pattern", at=(0,)),
    # Tag keys are 1-128 characters (128 and 129 are pinned in test_deploy_time_rules.py).
    pytest.param("dev", _set(("tags", "k"), "v"), _set(("tags", ""), "v"), f"{CONFIG_KEY}.tags.", "1-128 characters", id="tags.<empty key>"),
    # EventBridge's RetryPolicy: MaximumRetryAttempts 0-185, MaximumEventAgeInSeconds 60-86400.
    _case("dev", (*APPROVALS, "maximum_retry_attempts"), 0, -1, "greater than or equal to 0"),
    _case("dev", (*APPROVALS, "maximum_retry_attempts"), 185, 186, "less than or equal to 185"),
    _case("dev", (*APPROVALS, "maximum_event_age_seconds"), 60, 59, "greater than or equal to 60"),
    _case("dev", (*APPROVALS, "maximum_event_age_seconds"), 86400, 86401, "less than or equal to 86400"),
    # The model card schema's text lengths.
    _case("prod", (*CARD, "intended_use"), "x" * 2048, "x" * 2049, "at most 2048 characters"),
    _case("prod", (*CARD, "risk_rating_explanation"), "x" * 2048, "x" * 2049, "at most 2048 characters"),
    _case("prod", (*CARD, "purpose"), "x" * 2048, "x" * 2049, "at most 2048 characters"),
    _case("prod", (*CARD, "owner"), "x" * 1024, "x" * 1025, "at most 1024 characters"),
    _case("prod", (*CARD, "caveats"), "x" * 2048, "x" * 2049, "at most 2048 characters"),
]  # fmt: skip


TMP = "@TMP@"
"""In a computed problem: the temporary folder that held the stack files."""
BOUND_INDEX = {case.values[1]: index for index, case in enumerate(BOUNDS)}
"""Each case's position in :data:`BOUNDS`, by its ``accept`` edit (an object of its own)."""


@cache
def _bound_problems() -> list[tuple[dict[str, str], dict[str, str]]]:
    """The problems of each case of :data:`BOUNDS` (in its order): of its fixture stack with the
    boundary value (``Pulumi.accepted.yaml``), then one past it (``Pulumi.refused.yaml``), written in
    a temporary folder read back as ``TMP``. Computed once per version of the code, this module and
    the fixtures and read by every worker and later run (tests.recorded.computed_once)."""
    return computed_once("bound-problems", _read_bounds)


def _read_bounds() -> list[tuple[dict[str, str], dict[str, str]]]:
    def problems(folder: Path, base: str, edit: Edit, name: str) -> dict[str, str]:
        document = load_stack_document(base)  # the caller's own copy
        edit(document["config"][CONFIG_KEY])
        path = folder / name
        path.write_text(dump_document(document))
        return {key: message.replace(str(folder), TMP) for key, message in stack_file_problems(path).items()}

    with tempfile.TemporaryDirectory(prefix="bounds-") as directory:
        folder = Path(directory)
        return [
            (
                problems(folder, base, accept, "Pulumi.accepted.yaml"),
                problems(folder, base, refuse, "Pulumi.refused.yaml"),
            )
            for base, accept, refuse, _, _ in (case.values for case in BOUNDS)
        ]


@pytest.mark.parametrize(("base", "accept", "refuse", "key", "fragment"), BOUNDS)
def test_the_boundary_value_is_accepted_and_one_past_it_refused_at_its_key(
    base: str, accept: Edit, refuse: Edit, key: str, fragment: str
) -> None:
    accepted, problems = _bound_problems()[BOUND_INDEX[accept]]
    assert accepted == {}

    assert list(problems) == [key], problems
    assert fragment in problems[key]


def test_the_model_card_name_pattern_is_sagemakers() -> None:
    """``MODEL_CARD_NAME`` is CreateModelCard's ``ModelCardName``: at most 63 characters."""
    entity_name = service_model("sagemaker")["shapes"]["EntityName"]
    assert MODEL_CARD_NAME.pattern == entity_name["pattern"]
    assert MAX_MODEL_CARD_NAME == entity_name["max"] == 63
    assert MODEL_CARD_NAME.fullmatch("a" * 63)
    assert not MODEL_CARD_NAME.fullmatch("a" * 64)


def _range(model: type[BaseModel], field: str) -> tuple[int, int]:
    metadata = model.model_fields[field].metadata
    low = next(item.ge for item in metadata if getattr(item, "ge", None) is not None)
    high = next(item.le for item in metadata if getattr(item, "le", None) is not None)
    return low, high


@pytest.mark.parametrize(
    ("model", "field", "service", "shape"),
    [
        (EncryptionConfig, "rotation_period_days", "kms", "RotationPeriodInDaysType"),
        (ApprovalDispatchConfig, "maximum_retry_attempts", "events", "MaximumRetryAttempts"),
        (ApprovalDispatchConfig, "maximum_event_age_seconds", "events", "MaximumEventAgeInSeconds"),
    ],
)
def test_a_range_aws_states_is_botocores(
    model: type[BaseModel], field: str, service: str, shape: str
) -> None:
    limits = service_model(service)["shapes"][shape]
    assert _range(model, field) == (limits["min"], limits["max"])


def test_the_key_deletion_window_is_the_documented_7_to_30_days() -> None:
    """botocore's type allows 1-365; ScheduleKeyDeletion's documentation says 7 to 30."""
    request = service_model("kms")["shapes"]["ScheduleKeyDeletionRequest"]
    assert "between 7 and 30, inclusive" in request["members"]["PendingWindowInDays"]["documentation"]
    assert _range(EncryptionConfig, "key_deletion_window_days") == (7, 30)


# The stack file's own bounds (stacks/input_limits.py): size, nesting depth and values, each
# checked on every path a value takes (the file, its YAML events, a built value, JSON text).


def test_a_stack_file_of_exactly_the_largest_size_is_read_and_one_byte_more_is_refused(tmp_path) -> None:
    text = stack_path("dev").read_text()
    padding = MAX_STACK_FILE_BYTES - len(text.encode()) - len("# \n")
    largest = tmp_path / "Pulumi.largest.yaml"
    largest.write_text(text + "# " + "x" * padding + "\n")
    assert largest.stat().st_size == MAX_STACK_FILE_BYTES
    assert read_stack_file(largest).platform["environment"] == "dev"

    larger = tmp_path / "Pulumi.larger.yaml"
    larger.write_text(text + "# " + "x" * (padding + 1) + "\n")
    with pytest.raises(ConfigError) as raised:
        read_stack_file(larger)
    [(key, problem)] = raised.value.problems
    assert key == "" and "at most 1,048,576 bytes (1 MiB)" in problem


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def _nested_value(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth - 1):
        value = [value]
    return value


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(_nested, id="yaml"),
        # An anchored list ten deep, its alias under the rest: the depth once the alias is expanded.
        pytest.param(lambda depth: f"- &x {_nested(10)}\n- {'[' * (depth - 11)}*x{']' * (depth - 11)}", id="yaml-alias"),
    ],
)  # fmt: skip
def test_a_yaml_document_nests_at_most_the_deepest_allowed(document) -> None:
    assert load_yaml(document(MAX_NESTING_DEPTH), "stack") is not None
    with pytest.raises(ConfigError, match="more than 64 levels deep"):  # the message states the limit
        load_yaml(document(MAX_NESTING_DEPTH + 1), "stack")


def test_a_built_value_and_json_text_nest_at_most_the_deepest_allowed() -> None:
    assert list(structure_problems(_nested_value(MAX_NESTING_DEPTH))) == []
    [(_, problem)] = structure_problems(_nested_value(MAX_NESTING_DEPTH + 1))
    assert "levels deep" in problem

    assert not json_depth_exceeds(_nested(MAX_NESTING_DEPTH))
    assert json_depth_exceeds(_nested(MAX_NESTING_DEPTH + 1))


@pytest.mark.parametrize(
    ("last", "values"),
    [
        # The list and its scalars: the last value a scalar (the scan's fast path).
        pytest.param("", MAX_VALUES - 1, id="scalar-last"),
        # The list, its scalars and an empty list: the last value a collection.
        pytest.param(", []", MAX_VALUES - 2, id="collection-last"),
    ],
)
def test_a_yaml_document_holds_at_most_the_most_values_allowed(last: str, values: int) -> None:
    def document(scalars: int) -> str:
        return "[" + ", ".join(["1"] * scalars) + last + "]"

    assert load_yaml(document(values), "stack") is not None
    with pytest.raises(ConfigError, match="more than 50,000 values"):
        load_yaml(document(values + 1), "stack")


def test_a_built_value_holds_at_most_the_most_values_allowed() -> None:
    """The value and its MAX_VALUES - 1 items: MAX_VALUES values."""
    assert list(structure_problems([1] * (MAX_VALUES - 1))) == []
    [(_, problem)] = structure_problems([1] * MAX_VALUES)
    assert "more than 50,000 values" in problem
