"""Second read of the encrypted leaves of the platform map in the offline plan
(:mod:`stacks.secret_stand_ins`, ``offline_config``, ``offline_platform_config``, the recording's
secret keys).

What was checked and held (no test needed beyond those of ``test_secret_leaves.py`` unless listed):

- A stack file without an encrypted leaf plans as before: ``bin/plan --stack {dev,staging,prod}``
  (text and JSON) and the JSON plans of the three fixture stacks are byte-identical to those of the
  code before the change (c37ed68), but for the ``platform_commit`` the plan records.
- Pulumi decrypts an encrypted leaf to text, never to a number or a boolean
  (``config/object.go``: a ``CiphertextSecret`` decrypts to a string Plaintext; ``config set``
  makes ``--secret`` and ``--type`` mutually exclusive): ``pulumi config set --secret --path
  budget.monthly_limit_usd 14000`` hands the program ``"14000"``, which the strict model refuses at
  ``pulumi up`` too.
- A sweep of every leaf of the three fixture stacks, each encrypted alone: what plans reads as a
  stand-in; what is refused is an enum, a number, a pattern no stand-in meets (a region, a CIDR, a
  schedule), or a value another key names in clear (a family, a feature): ``pulumi up`` would deploy
  the last kind, which the plan cannot know; its message quotes the self-naming stand-in.
- The Python SDK marks nothing secret because its key is a secret key: ``Config.get`` and
  ``get_object`` return plain values (the warning is commented out), only ``get_secret*`` wrap in
  ``Output.secret``; passing ``PULUMI_CONFIG_SECRET_KEYS`` changes no recorded input.

Bugs found (fixed in the product; the test named for each fails on the code before its fix, the
others guard what the fixes must leave as it was: a plain duplicate beside an encrypted name, a stack
whose only encrypted leaf is an alert endpoint in CI's listing):

- A check that reports at the list, not the leaf (``endpoints: duplicate name(s)``), never made the choice move on to a numbered stand-in: two encrypted
  endpoint names both read as ``offline-plan-secret-stand-in`` and the stack was refused as a
  duplicate that ``pulumi up`` (two different decrypted names) would deploy.
- A leaf of a number or boolean field was refused saying ``pulumi up`` checks the decrypted value,
  as if it might pass: Pulumi decrypts every encrypted leaf to text, so ``pulumi up`` refuses it
  too; the message now says so and how to set it (without ``--secret``).
- The account id stand-in was the one not numbered: two encrypted ids in ``consumer_accounts`` both
  read as ``000000000000`` and were refused as duplicates.
- A platform map encrypted whole (``pulumi config set --secret platform "$(cat platform.json)"``,
  which ``pulumi up`` decrypts and parses) was refused as "must be a map of settings, got a
  string"; it now says it is encrypted whole and how to encrypt single values.
- CI's stack listing (``delivery.stacks.read_target``) and the promotion gate used the stand-in
  ``000000000000`` of an encrypted ``account_id`` as the account (the deploy matrix's
  ``allowed-account-ids``, the account a package ARN must be in); both now refuse it naming the key.

Left alone: ``delivery.verify`` records the program with the same stand-ins, so an encrypted
endpoint name (which nothing cross-references, so it plans) would be looked for in AWS under its
stand-in after a deploy and reported missing: it fails closed, with a confusing name; an encrypted
family name is refused by the endpoints that reference it, and an encrypted alert endpoint is not
among what verify checks. ``pulumi up`` stores a decrypted leaf in the state unmasked
(``Config.get``): the program would have to mark the alert endpoints secret itself.

Every test builds its own project folder in tmp_path: none edits the shipped project or stacks.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from stacks.config import CONFIG_KEY, ConfigError
from stacks.project import SECRET_STAND_IN
from tests.conftest import load_stack_document
from tests.stacks.test_secret_leaves import _encrypted, _project


def test_two_encrypted_endpoint_names_read_as_two_names(tmp_path: Path) -> None:
    """The duplicate-name check reports at ``endpoints`` (the list), not at either name: the choice
    must still move the second name on to a stand-in of its own."""
    from stacks.stack_file import offline_config, offline_platform_config, read_stack_file

    document = load_stack_document("dev")
    endpoints = document["config"][CONFIG_KEY]["endpoints"]
    endpoints.append(copy.deepcopy(endpoints[0]))
    endpoints[0]["name"] = _encrypted("v1:a")
    endpoints[1]["name"] = _encrypted("v1:b")
    stack_file = read_stack_file(_project(tmp_path, document))
    names = [endpoint.name for endpoint in offline_platform_config(stack_file).endpoints]
    assert len(set(names)) == 2, names
    assert all(name.startswith(SECRET_STAND_IN) for name in names)
    # The recording gets the same names as the check accepted.
    assert [e["name"] for e in offline_config(stack_file)[CONFIG_KEY]["endpoints"]] == names


def test_an_unencrypted_duplicate_beside_an_encrypted_name_is_reported_as_it_is(tmp_path: Path) -> None:
    """The list-level problem of two plain names is the adopter's, not the stand-in's."""
    from stacks.stack_file import offline_platform_config, read_stack_file

    document = load_stack_document("dev")
    endpoints = document["config"][CONFIG_KEY]["endpoints"]
    endpoints.extend([copy.deepcopy(endpoints[0]), copy.deepcopy(endpoints[0])])
    endpoints[0]["name"] = _encrypted()
    with pytest.raises(ConfigError) as raised:
        offline_platform_config(read_stack_file(_project(tmp_path, document)))
    assert [key for key, _ in raised.value.problems] == [f"{CONFIG_KEY}.endpoints"]
    assert "duplicate name(s) customer-churn" in str(raised.value)
    assert "is encrypted" not in str(raised.value)


@pytest.mark.parametrize(
    ("section", "key", "value"),
    [("budget", "monthly_limit_usd", 14000), ("budget", "enabled", True)],
)
def test_an_encrypted_number_or_boolean_says_pulumi_up_refuses_it_too(
    tmp_path: Path, section: str, key: str, value: object
) -> None:
    from stacks.stack_file import offline_platform_config, read_stack_file

    document = load_stack_document("prod")
    assert document["config"][CONFIG_KEY][section][key] == value  # the fixture sets it typed
    document["config"][CONFIG_KEY][section][key] = _encrypted()
    with pytest.raises(ConfigError) as raised:
        offline_platform_config(read_stack_file(_project(tmp_path, document)))
    [(problem, message)] = raised.value.problems
    assert problem == f"{CONFIG_KEY}.{section}.{key}"
    assert "decrypts an encrypted value to text" in message
    assert "`pulumi up` refuses it too" in message
    assert "without --secret" in message
    assert "checks the decrypted value" not in message


def test_two_encrypted_account_ids_in_one_list_read_as_two_accounts(tmp_path: Path) -> None:
    """``consumer_accounts`` refuses a repeated id; every encrypted account id read as
    ``000000000000`` (the one stand-in not numbered), so two were refused as duplicates."""
    from stacks.stack_file import offline_config, offline_platform_config, read_stack_file

    document = load_stack_document("dev")
    model = document["config"][CONFIG_KEY]["models"][0]
    assert len(model["consumer_accounts"]) == 2  # the fixture's two plain ids
    model["consumer_accounts"] = [_encrypted("v1:a"), _encrypted("v1:b")]
    stack_file = read_stack_file(_project(tmp_path, document))
    [family] = offline_platform_config(stack_file).models
    accounts = list(family.consumer_accounts)
    assert len(set(accounts)) == 2, accounts
    assert all(len(account) == 12 and account.isdigit() for account in accounts)
    assert accounts[0] == "000000000000"  # the first as before
    assert offline_config(stack_file)[CONFIG_KEY]["models"][0]["consumer_accounts"] == accounts


def test_the_plan_refuses_an_encrypted_number_with_exit_2_naming_file_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import planner.__main__ as cli

    document = load_stack_document("prod")
    document["config"][CONFIG_KEY]["budget"]["monthly_limit_usd"] = _encrypted()
    path = _project(tmp_path, document)
    code = cli.run(["--config", str(path), "--format", "json"], one_shot=True)
    captured = capsys.readouterr()
    assert code == cli.EXIT_INVALID_CONFIG
    assert captured.out == ""
    [line] = [line for line in captured.err.splitlines() if f"{CONFIG_KEY}.budget.monthly_limit_usd:" in line]
    assert "Pulumi.dev.yaml" in line
    assert "`pulumi up` refuses it too" in line


def test_a_platform_map_encrypted_whole_is_refused_saying_so(tmp_path: Path) -> None:
    """``pulumi config set --secret platform "$(cat platform.json)"``: ``pulumi up`` decrypts the JSON
    text and the program parses it; the plan cannot read any of it. It said "must be a map of
    settings, got a string", which the adopter did not write."""
    from stacks.stack_file import offline_platform_config, read_stack_file

    document = load_stack_document("dev")
    document["config"][CONFIG_KEY] = _encrypted()
    with pytest.raises(ConfigError) as raised:
        offline_platform_config(read_stack_file(_project(tmp_path, document)))
    [(problem, message)] = raised.value.problems
    assert problem == CONFIG_KEY
    assert "is encrypted whole" in message
    assert "--secret --path" in message  # how to encrypt only the leaves that are secret
    assert "got a string" not in message


def test_the_deploy_matrix_refuses_an_encrypted_account_id_instead_of_the_stand_in(tmp_path: Path) -> None:
    """CI's stack listing (``delivery.stacks.read_target``) puts ``account_id`` in the deploy matrix,
    each job's ``allowed-account-ids``: the offline reading's ``000000000000`` there would fail every
    deploy job at its credentials step, far from the stack file. It is refused naming the key."""
    from delivery.stacks import read_target

    document = load_stack_document("prod")
    document["config"][CONFIG_KEY]["account_id"] = _encrypted()
    with pytest.raises(ConfigError) as raised:
        read_target(_project(tmp_path, document))
    [(problem, message)] = raised.value.problems
    assert problem == f"{CONFIG_KEY}.account_id"
    assert "is encrypted" in message and "allowed-account-ids" in message
    assert "Pulumi.dev.yaml" in str(raised.value)


def test_the_deploy_matrix_reads_a_stack_with_other_encrypted_leaves(tmp_path: Path) -> None:
    """Only what the matrix uses must be in clear: an encrypted alert endpoint lists as before."""
    from delivery.stacks import read_target

    document = load_stack_document("prod")
    document["config"][CONFIG_KEY]["alerts"]["subscriptions"] = [
        {"protocol": "https", "endpoint": _encrypted()}
    ]
    target = read_target(_project(tmp_path, document))
    assert target.account_id == document["config"][CONFIG_KEY]["account_id"]


def test_the_promotion_gate_refuses_an_encrypted_account_id_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The gate checks a package ARN's account against ``account_id``: against the stand-in it
    would refuse every real version as "in another account"."""
    from pipelines.promotion import main

    document = load_stack_document("prod")
    document["config"][CONFIG_KEY]["account_id"] = _encrypted()
    path = _project(tmp_path, document)
    arn = "arn:aws:sagemaker:eu-west-1:333333333333:model-package/prod-customer-churn/1"
    code = main(["--stack-file", str(path), "--model", "customer-churn", "--package-arn", arn])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{CONFIG_KEY}.account_id" in err and "is encrypted" in err
    assert "000000000000" not in err
