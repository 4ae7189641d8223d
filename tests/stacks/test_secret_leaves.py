"""Encrypted leaves of the platform map in the offline plan (:mod:`stacks.secret_stand_ins`).

``pulumi config set --secret --path 'platform.alerts.subscriptions[0].endpoint' <PagerDuty URL>``
leaves a ``secure:`` ciphertext inside the platform map; ``pulumi up`` hands the program the
decrypted URL. The offline plan cannot decrypt it: it used to read every encrypted leaf as the one
plain text ``offline-plan-secret-stand-in`` and so refused the stack wherever the field has a format
check ("an https subscription needs an https:// URL"). Each leaf now reads as the first stand-in
its field's check accepts, the recording gets the same text, and a leaf no stand-in passes is
refused saying it is encrypted.

Secrecy in the recording: the engine passes the platform key as a secret key
(``PULUMI_CONFIG_SECRET_KEYS``: a value holding an encrypted leaf is ``Secure()``), but the program
reads the map with ``Config.get``, which in the Python SDK returns plain text (its warning is
disabled, pulumi#7127), so the map's values are not secrets by themselves. AlertTopic makes every
https subscription endpoint a secret (it holds the pager's key, however the stack file holds it);
an e-mail endpoint stays plain. The stand-ins name themselves, so the plan never shows one as an
adopter's value.

Every test builds its own project folder in tmp_path: none edits the shipped project or stacks.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from stacks.config import CONFIG_KEY, ConfigError
from stacks.project import KUBECONFIG_KEY, SECRET_STAND_IN
from tests.conftest import load_stack_document
from tests.stacks.project_folder import project_folder

SUBSCRIPTIONS = f"{CONFIG_KEY}.alerts.subscriptions"


def _project(tmp_path: Path, document: dict[str, Any]) -> Path:
    return project_folder(tmp_path, document=document)


def _with_subscriptions(*subscriptions: dict[str, Any]) -> dict[str, Any]:
    document = load_stack_document("dev")
    document["config"][CONFIG_KEY].setdefault("alerts", {})["subscriptions"] = list(subscriptions)
    return document


def _encrypted(text: str = "v1:abcdefABCDEF0123456789==") -> dict[str, str]:
    return {"secure": text}


def _plan_json(
    tmp_path: Path, document: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    import planner.__main__ as cli

    path = _project(tmp_path, document)
    # Not one_shot: a one-shot plan sets the collector for a process that exits after it
    # (planner.process.prepare_one_shot_process), which would stay set in this test worker.
    code = cli.run(["--config", str(path), "--format", "json"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _subscription_inputs(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        resource["inputs"]
        for resource in plan["resources"]
        if resource["type"] == "aws:sns/topicSubscription:TopicSubscription"
    ]


def test_encrypted_https_and_email_endpoints_plan_with_stand_ins_the_checks_accept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cached_recordings: None
) -> None:
    document = _with_subscriptions(
        {"protocol": "https", "endpoint": _encrypted()},
        {"protocol": "email", "endpoint": _encrypted("v1:0123")},
    )
    code, out, err = _plan_json(tmp_path, document, capsys)
    assert code == 0, err
    subscriptions = _subscription_inputs(json.loads(out))
    endpoints = {inputs["protocol"]: inputs["endpoint"] for inputs in subscriptions}
    # What the validation accepted is what the program recorded: each a stand-in naming itself,
    # on a host that never resolves (RFC 2606 .invalid). The https endpoint is a secret input
    # (AlertTopic makes every https endpoint one: it holds the pager's key), masked in the plan.
    assert endpoints == {"https": "[secret]", "email": f"{SECRET_STAND_IN}-1@example.invalid"}


def test_two_encrypted_https_endpoints_get_distinct_stand_ins(tmp_path: Path) -> None:
    """One stand-in for both would be refused as the same subscription twice."""
    from stacks.stack_file import offline_platform_config, read_stack_file

    document = _with_subscriptions(
        {"protocol": "https", "endpoint": _encrypted("v1:a")},
        {"protocol": "https", "endpoint": _encrypted("v1:b")},
    )
    platform = offline_platform_config(read_stack_file(_project(tmp_path, document)))
    assert [s.endpoint for s in platform.alerts.subscriptions] == [
        f"https://{SECRET_STAND_IN}-0.invalid/",
        f"https://{SECRET_STAND_IN}-1.invalid/",
    ]


def test_an_encrypted_leaf_without_a_format_check_still_reads_as_the_plain_stand_in(tmp_path: Path) -> None:
    from stacks.stack_file import offline_config, offline_platform_config, read_stack_file

    document = load_stack_document("dev")
    document["config"][CONFIG_KEY]["tags"]["owner"] = _encrypted()
    stack_file = read_stack_file(_project(tmp_path, document))
    assert offline_platform_config(stack_file).tags["owner"] == SECRET_STAND_IN
    assert offline_config(stack_file)[CONFIG_KEY]["tags"]["owner"] == SECRET_STAND_IN
    assert stack_file.config[CONFIG_KEY]["tags"]["owner"] == _encrypted()  # the file's reading untouched


def test_the_recording_gets_the_stand_in_and_the_platform_key_as_a_secret_key(tmp_path: Path) -> None:
    import pulumi

    from planner.recorder import record_stack_file
    from stacks.stack_file import read_stack_file

    seen: dict[str, Any] = {}

    def program(source: str) -> None:
        seen["platform"] = json.loads(pulumi.Config("mlops-platform").require("platform"))
        seen["secret"] = pulumi.runtime.is_config_secret(CONFIG_KEY)
        seen["region_secret"] = pulumi.runtime.is_config_secret("aws:region")

    document = _with_subscriptions({"protocol": "https", "endpoint": _encrypted()})
    record_stack_file(read_stack_file(_project(tmp_path, document)), program)
    assert (
        seen["platform"]["alerts"]["subscriptions"][0]["endpoint"] == f"https://{SECRET_STAND_IN}-0.invalid/"
    )
    assert seen["secret"] is True
    assert seen["region_secret"] is False


def test_an_encrypted_leaf_no_stand_in_passes_is_refused_naming_file_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import planner.__main__ as cli

    document = _with_subscriptions({"protocol": _encrypted(), "endpoint": "oncall@example.com"})
    code, out, err = _plan_json(tmp_path, document, capsys)
    assert code == cli.EXIT_INVALID_CONFIG
    assert out == ""
    key = f"{SUBSCRIPTIONS}[0].protocol"
    line = next(line for line in err.splitlines() if f": {key}:" in line)
    assert "Pulumi.dev.yaml" in line
    assert "is encrypted" in line and "offline plan cannot read it" in line
    assert "Input should be 'email' or 'https'" in line  # what the check says


def test_an_unencrypted_error_beside_an_encrypted_leaf_is_reported_as_it_is(tmp_path: Path) -> None:
    from stacks.stack_file import offline_platform_config, read_stack_file

    document = _with_subscriptions(
        {"protocol": "https", "endpoint": _encrypted()},
        {"protocol": "https", "endpoint": "http://not-https.example.com/"},
    )
    with pytest.raises(ConfigError) as raised:
        offline_platform_config(read_stack_file(_project(tmp_path, document)))
    assert [key for key, _ in raised.value.problems] == [f"{SUBSCRIPTIONS}[1].endpoint"]
    assert "is encrypted" not in str(raised.value)
    assert "must start with https://" in str(raised.value)


def test_top_level_encrypted_values_still_read_as_the_plain_stand_in_and_stay_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cached_recordings: None
) -> None:
    """``mlops-platform:kubeconfig`` and the fixture's encrypted approval-dispatch token: whole
    encrypted values, read as before; the token, read with ``get_secret``, stays masked."""
    from stacks.project import config_secret_keys, engine_config_values
    from stacks.stack_file import offline_config, read_stack_file

    document = load_stack_document("dev")
    document["config"][KUBECONFIG_KEY] = _encrypted()
    stack_file = read_stack_file(_project(tmp_path, document))
    config = offline_config(stack_file)
    assert config is stack_file.config  # no encrypted leaf in the platform map: nothing replaced
    assert engine_config_values(config)[KUBECONFIG_KEY] == SECRET_STAND_IN
    assert KUBECONFIG_KEY in config_secret_keys(config)
    assert CONFIG_KEY not in config_secret_keys(config)

    code, out, err = _plan_json(tmp_path, document, capsys)
    assert code == 0, err
    connection = next(
        resource
        for resource in json.loads(out)["resources"]
        if resource["type"] == "aws:cloudwatch/eventConnection:EventConnection"
    )
    assert connection["inputs"]["authParameters"] == "[secret]"
    assert SECRET_STAND_IN not in out


def test_an_encrypted_account_id_plans_as_an_account_that_exists_nowhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cached_recordings: None
) -> None:
    """Not a subscription: any field with a format check (a 12-digit account id here) gets the
    first stand-in it accepts, and the recording's mocks target that same account."""
    document = load_stack_document("prod")
    document["config"][CONFIG_KEY]["account_id"] = _encrypted()
    code, out, err = _plan_json(tmp_path, document, capsys)
    assert code == 0, err
    assert "arn:aws:iam::000000000000:root" in out
