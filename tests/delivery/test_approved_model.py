"""A model-approved repository_dispatch event: validated as untrusted input against the stack
files, and turned into the one environment the deploy workflow deploys."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from delivery.approved_model import DispatchError, approved_model, next_environment
from delivery.stacks import PROMOTION_ORDER, list_stacks
from delivery.stacks import main as list_stacks_main
from tests.conftest import FIXTURE_STACKS

# The fixture stacks' accounts (tests/fixtures/stacks): dev 111…, staging 222…, prod 333…, eu-west-1.
ACCOUNTS = {"dev": "111111111111", "staging": "222222222222", "prod": "333333333333"}


def _event(stack: str = "dev", **payload: Any) -> dict[str, Any]:
    arn = f"arn:aws:sagemaker:eu-west-1:{ACCOUNTS.get(stack, '111111111111')}:model-package/{stack}-customer-churn/7"
    return {
        "action": "model-approved",
        "client_payload": {"family": "customer-churn", "model_package_arn": arn, "source_stack": stack}
        | payload,
    }


@pytest.fixture(scope="module")
def listing():
    found = list_stacks(FIXTURE_STACKS)
    assert found.errors == []
    return found


def test_the_next_environment_follows_the_promotion_order() -> None:
    assert PROMOTION_ORDER == ("dev", "staging", "prod")
    assert [next_environment(e) for e in PROMOTION_ORDER] == ["staging", "prod", "prod"]


@pytest.mark.parametrize(("stack", "target"), [("dev", "staging"), ("staging", "prod"), ("prod", "prod")])
def test_an_approval_deploys_the_environment_after_its_stacks(listing, stack, target) -> None:
    approval = approved_model(_event(stack), listing)
    assert approval.source.stack == stack and approval.target_environment == target
    assert approval.family == "customer-churn"


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"action": "model-approved"}, "client_payload: missing"),
        (_event(family="customer churn"), "client_payload.family"),
        (_event(family="$(curl evil)"), "client_payload.family"),
        (_event(family=["customer-churn"]), "client_payload.family"),
        (
            _event(
                model_package_arn="arn:aws:sagemaker:eu-west-1:111111111111:model-package/dev-customer-churn"
            ),
            "model_package_arn",
        ),
        (
            _event(
                model_package_arn="arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/dev-customer-churn"
            ),
            "model_package_arn",
        ),
        (
            _event(model_package_arn='arn:aws:sagemaker:eu-west-1:111111111111:model-package/x/1"; rm -rf /'),
            "model_package_arn",
        ),
        (_event(source_stack="../../etc"), "source_stack"),
        (_event(source_stack="sandbox"), "is not a valid stack file"),
        (
            _event(
                model_package_arn="arn:aws:sagemaker:eu-west-1:999999999999:model-package/dev-customer-churn/7"
            ),
            "account and region",
        ),
        (
            _event(
                model_package_arn="arn:aws:sagemaker:us-east-1:111111111111:model-package/dev-customer-churn/7"
            ),
            "account and region",
        ),
        (_event(family="fraud"), "'fraud' is not a model family of stack dev"),
        # The family's own group only: not another stack's of the same account, nor a name that
        # merely ends like it.
        (
            _event(
                model_package_arn="arn:aws:sagemaker:eu-west-1:111111111111:model-package/sandbox-customer-churn/7"
            ),
            "group sandbox-customer-churn is not model family customer-churn's",
        ),
    ],
    ids=[
        "no-payload",
        "space",
        "shell",
        "not-a-string",
        "no-version",
        "group-arn",
        "injection-in-arn",
        "path-as-stack",
        "unknown-stack",
        "other-account",
        "other-region",
        "other-family",
        "other-stacks-group",
    ],
)
def test_an_invalid_event_is_refused(listing, event, message) -> None:
    with pytest.raises(DispatchError, match=message.replace("(", r"\(").replace("$", r"\$")):
        approved_model(event, listing)


def _outputs(capsys, *argv: str) -> tuple[int, dict[str, str], str]:
    capsys.readouterr()
    code = list_stacks_main(["--stacks-dir", str(FIXTURE_STACKS), "--github-output", *argv])
    captured = capsys.readouterr()
    return code, dict(line.split("=", 1) for line in captured.out.splitlines()), captured.err


def test_the_listing_of_an_approval_keeps_only_the_next_environment(tmp_path: Path, capsys) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps(_event("dev")))
    code, outputs, err = _outputs(capsys, "--approved-model", str(event))
    assert code == 0
    assert outputs["dev"] == outputs["prod"] == "[]"
    assert [entry["stack"] for entry in json.loads(outputs["staging"])] == ["staging"]
    assert [entry["stack"] for entry in json.loads(outputs["stacks"])] == ["staging"]
    assert "deploying staging" in err


def test_the_listing_of_an_invalid_approval_deploys_nothing(tmp_path: Path, capsys) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps(_event("dev", family="x y")))
    code, outputs, err = _outputs(capsys, "--approved-model", str(event))
    assert code == 2 and outputs == {}
    assert "refused repository_dispatch event: client_payload.family" in err
    event.write_text("not json")
    assert _outputs(capsys, "--approved-model", str(event))[0] == 2


def test_a_source_stack_is_matched_exactly_not_ignoring_case(listing) -> None:
    # Stack names are case-sensitive (Pulumi.DEV.yaml is another stack file): "DEV" is no stack here,
    # even though the rest of the event would fit stack dev.
    assert approved_model(_event("dev"), listing).source.stack == "dev"
    with pytest.raises(DispatchError, match=r"source_stack: 'DEV' is not a valid stack file"):
        approved_model(_event("DEV"), listing)


@pytest.mark.parametrize("stack", ["_scratch", ".tmp", "dev_2"])
def test_an_approval_from_any_stack_name_pulumi_accepts_is_deployed(write_stack, stack) -> None:
    # Pulumi's stack names are [A-Za-z0-9_.-]{1,100}, a leading "_" or "." included, and the registry
    # sends pulumi.get_stack(): the approval must be accepted like any other stack's.
    path = write_stack("dev", name=f"Pulumi.{stack}.yaml")
    listing = list_stacks(path.parent)
    assert [t.stack for t in listing.targets] == [stack]
    arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package/dev-customer-churn/7"
    event = {"client_payload": {"family": "customer-churn", "model_package_arn": arn, "source_stack": stack}}

    approval = approved_model(event, listing)

    # The listing's one stack is a dev stack: with no later environment that has stack files, the
    # approval deploys dev itself (staging's `[]` deployed nothing: test_adopter_ci_76.py).
    assert approval.source.stack == stack and approval.target_environment == "dev"
