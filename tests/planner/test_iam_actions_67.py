"""tests/iam_actions.py's own tables against botocore's models: an entry that names no operation, or
advice that names no action, would let the check it backs pass a misspelt action or send its reader
to another misspelt one."""

from __future__ import annotations

import re

from tests.api_models import _session, service_model
from tests.iam_actions import ACTION_ONLY, NOT_ACTIONS, SDK_NAMES, SERVICES, action_error, service_actions


def test_every_operation_refused_is_one_and_every_advised_action_is_accepted() -> None:
    problems = []
    for operation, advice in NOT_ACTIONS.items():
        prefix, _, name = operation.partition(":")
        services = SERVICES.get(prefix, (prefix,))
        if not any(name in service_model(service).operation_names for service in services):
            problems.append(f"{operation}: no operation of {', '.join(services)}")
        for advised in re.findall(r"[a-z0-9-]+:[A-Za-z]+", advice):
            # S3 Express One Zone, S3 on Outposts and S3 Object Lambda: no table here.
            if service_actions(advised.partition(":")[0]) and (error := action_error(advised)):
                problems.append(f"{operation}'s advice: {error}")
    assert problems == []
    # The advice is read: the refused operations' own prefixes all have their actions here.
    assert {operation.partition(":")[0] for operation in NOT_ACTIONS} <= {"s3", "kms", "lambda"}


def test_an_action_only_name_is_no_operation_and_an_sdk_name_is_no_prefix_of_the_tables() -> None:
    """An ACTION_ONLY entry that is an operation's name is dead weight that hides a typo of it; a
    botocore name in SDK_NAMES that is also a prefix of SERVICES or ACTION_ONLY is refused whole."""
    available = set(_session().get_available_services())
    operations = {
        f"{prefix}:{operation}".lower()
        for prefix in ACTION_ONLY
        for service in SERVICES.get(prefix, (prefix,))
        if service in available
        for operation in service_model(service).operation_names
    }
    redundant = sorted(
        f"{p}:{a}" for p, names in ACTION_ONLY.items() for a in names if f"{p}:{a}".lower() in operations
    )
    assert redundant == []
    assert set(SDK_NAMES) & (set(SERVICES) | set(ACTION_ONLY)) == set()
    assert set(SDK_NAMES) <= available
