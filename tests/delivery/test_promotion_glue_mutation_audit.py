"""The promotion gate and its glue, where a mutation audit found no test holding them.

A hand-mutation audit (one-step mutations of decision and arithmetic logic, one at a time, each run
against the tests that cover the module) of:

=============================  =====  ========  ==========  ==========  ===========
module                         tried  survived  caught now  equivalent  left alone
=============================  =====  ========  ==========  ==========  ===========
pipelines/promotion.py            46         4           3           1            0
pipelines/model_card.py           30         6           2           4            0
delivery/plan_summary.py          23        11           8           2            1
delivery/stacks.py                20         2           1           1            0
delivery/approved_model.py        19         7           4           3            0
delivery/aws_errors.py            27        11          10           1            0
total                            165        41          28          12            1
=============================  =====  ========  ==========  ==========  ===========

No survivor was a product bug: each was a missing test, an equivalent mutation or a constant left
alone. Two bugs were found reviewing them (the exceptions a reader catches, after survivor
``(OSError, json.JSONDecodeError)`` → ``json.JSONDecodeError`` in plan_summary.py), fixed, with a
test each here:

- delivery/plan_summary.py ``_read_plan``: a plan JSON that is not UTF-8, or nested beyond
  Python's recursion limit, was a traceback and no summary; it is "no verdict" now;
- delivery/approved_model.py ``read_event``: an event whose (untrusted) payload is nested beyond the
  recursion limit was a traceback, exit 1; it is refused, exit 2, like any unreadable event.

Each other test here fails under a mutation every other test let through:

- the promotion CLI exits 2 for an invalid stack file (a mutant said 1, which CI reads as
  Rejected); ``--model`` is a family by its whole name (a mutant picked the family whose name it
  contains); a group given by its ARN is compared by its name (``rsplit("/")[-1]``);
- a version with the 15 containers AWS allows lists all 15 artifacts on its card (a mutant cut at
  14); an empty description is left out of the card (the schema has no empty strings);
- the plan summary shows a text plan of exactly ``TEXT_LIMIT`` characters whole and keeps the first
  ``TEXT_LIMIT`` of a longer one; exit 1 without readable JSON is "no verdict", not "mandatory
  policy violations"; absent plan files are "no verdict", not a traceback; an invalid stack file
  with no output says "(no output)"; a plan without text has no empty "Full text plan" fold; a
  multi-line violation message stays one table row;
- ``delivery.stacks`` lists ``Pulumi.*.yaml`` only (a mutant also read ``Pulumi.yaml`` and any
  other YAML beside the stack files, then exited 2);
- an approval event's ``source_stack`` must be a whole stack name (a mutant matched its first
  letters: ``d`` was dev), of at most 100 characters as Pulumi's are; the ARN's group must be the
  family's whole group (a mutant took ``dev-customer`` for ``dev-customer-churn``); a
  ``client_payload`` that is a string, list or number is refused with exit 2, not a traceback;
- every credential code and every access code ``delivery.aws_errors`` knows is spelled out (ten of
  the fifteen could be dropped unnoticed: expired credentials would then read as "the group does not
  exist"); partial credentials say how to set credentials.

Equivalent, with why:

- promotion.py ``if not uri`` → ``if uri is None``: an empty ``S3Uri`` is refused by AWS
  (``^(https|s3)://...``), and would be refused as not ``s3://`` anyway (exit 2 both ways);
- model_card.py ``images[:15]`` → ``[:16]``: a version holds at most 15 containers
  (``ModelPackageContainerDefinitionList`` max 15); ``if training and training.hyperparameters``
  → ``if training``: the empty list, then its map, are dropped as empty; not recursing into lists:
  only a hyperparameter whose value is ``""`` differs, and the schema takes it with or without
  ``value`` (optional, ``.{0,255}``); ``if c.get("ModelDataUrl")`` → ``"ModelDataUrl" in c``:
  AWS never returns an empty ``ModelDataUrl`` (``^(https|s3)://``);
- plan_summary.py ``plan is None and status == 2`` → ``or``: bin/plan exits 2 only before it has
  a plan (an invalid stack file, or argparse), so a plan document never comes with 2; ``_cell``
  without its ``None`` case: every value it gets is a ``str`` (``PlanViolation``'s fields, with
  ``"stack"`` for a finding of no resource);
- stacks.py ``stack_file.path`` → ``str(path)``: ``read_stack_file`` stores ``str(path)``;
- approved_model.py a region of 2+ letters, an 11-digit account, a family starting with ``-``:
  the ARN's account and region must then equal the source stack's (validated by the stack file)
  and the family must be one the stack trains (validated with the same pattern), so nothing more
  is accepted, only the message differs;
- aws_errors.py ``_code(error) == "403"`` dropped: botocore's parser gives an unparseable error
  body the code ``"403"`` only together with ``ResponseMetadata.HTTPStatusCode`` 403, which
  ``_forbidden`` reads first.

Left alone: ``TEXT_LIMIT`` 15 000 → 15 001 (a budget for three stacks in one 65 536-character
comment, not a contract; the tests pin the behaviour relative to ``TEXT_LIMIT``).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError, PartialCredentialsError

from delivery.approved_model import DispatchError, approved_model
from delivery.aws_errors import describe, is_access_problem, is_credential_problem
from delivery.plan_summary import TEXT_LIMIT, summarize
from delivery.plan_summary import main as plan_summary_main
from delivery.stacks import list_stacks
from delivery.stacks import main as list_stacks_main
from pipelines.model_card import card_content
from pipelines.promotion import main as promotion_main
from pipelines.promotion import package_arn_problem
from planner.report import PlanViolation
from tests.conftest import FIXTURE_STACKS, stack_path
from tests.delivery.test_plan_summary import _plan_json
from tests.pipelines import conftest as pipelines_conftest
from tests.pipelines.conftest import CARD_ACCOUNT, CARD_GROUP, CARD_REGION
from tests.pipelines.test_model_card import REPORT, _register, _settings

card_aws = pipelines_conftest.card_aws
"""The moto registry of the pipelines tests (a conftest fixture there, not under tests/delivery)."""

# --- The promotion gate (pipelines/promotion.py) ---------------------------------------------------


def test_a_group_given_by_its_arn_is_judged_by_its_name() -> None:
    # package_arn_problem takes a group by name or, as stacks.config names another account's, by ARN.
    group_arn = f"arn:aws:sagemaker:{CARD_REGION}:{CARD_ACCOUNT}:model-package-group/staging-churn-v2"
    version = f"arn:aws:sagemaker:{CARD_REGION}:{CARD_ACCOUNT}:model-package/staging-churn-v2/3"
    other = f"arn:aws:sagemaker:{CARD_REGION}:{CARD_ACCOUNT}:model-package/staging-churn-v3/3"

    assert package_arn_problem(version, group_arn, CARD_REGION, CARD_ACCOUNT) is None
    assert package_arn_problem(other, group_arn, CARD_REGION, CARD_ACCOUNT) == (
        f"{other} is a version of group staging-churn-v3, not of staging-churn-v2"
    )


def test_an_invalid_stack_file_is_exit_2_never_the_rejected_1(write_stack, capsys) -> None:
    path = write_stack("staging", lambda platform: platform["network"].update(az_count=9))
    arn = f"arn:aws:sagemaker:{CARD_REGION}:{CARD_ACCOUNT}:model-package/{CARD_GROUP}/1"

    code = promotion_main(["--stack-file", str(path), "--model", "customer-churn", "--package-arn", arn])

    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert str(path) in captured.err and "az_count" in captured.err


@pytest.mark.parametrize("model", ["staging-customer-churn", "customer-churn-v2", "customer"])
def test_a_model_is_a_family_by_its_whole_name(capsys, model: str) -> None:
    # A name that merely contains (or is contained in) a family's is no family. The ARN is of
    # another account: a gate that took the wrong family stops there too, before any AWS call.
    path = stack_path("staging")
    arn = f"arn:aws:sagemaker:{CARD_REGION}:999999999999:model-package/{CARD_GROUP}/1"

    code = promotion_main(["--stack-file", str(path), "--model", model, "--package-arn", arn])

    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert captured.err.startswith(f"{path}: models: no model family {model!r}; declared: ")


# --- The model card (pipelines/model_card.py) ------------------------------------------------------


def test_a_version_with_the_most_containers_aws_allows_lists_every_artifact(card_aws) -> None:
    # InferenceSpecification holds at most 15 containers; the card's lists hold 15 too: none is cut.
    containers = [
        {
            "Image": f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn:{n}",
            "ModelDataUrl": f"s3://b/{n}.tar.gz",
        }
        for n in range(15)
    ]
    arn = _register(card_aws)
    package = card_aws["sagemaker"].describe_model_package(ModelPackageName=arn)
    package["InferenceSpecification"]["Containers"] = containers

    overview = card_content(package, REPORT, "s3://b/r.json", _settings())["model_overview"]

    assert overview["model_artifact"] == [c["ModelDataUrl"] for c in containers]
    assert overview["inference_environment"]["container_image"] == [c["Image"] for c in containers]


def test_an_empty_description_is_left_out_of_the_card(card_aws) -> None:
    arn = _register(card_aws)
    package = card_aws["sagemaker"].describe_model_package(ModelPackageName=arn)
    package["ModelPackageDescription"] = ""

    details = card_content(package, REPORT, "s3://b/r.json", _settings())["model_package_details"]

    assert "model_package_description" not in details
    assert details["model_package_arn"] == arn


# --- The pull request's plan summary (delivery/plan_summary.py) -----------------------------------


def test_a_text_plan_of_exactly_the_limit_is_shown_whole() -> None:
    text = "x" * (TEXT_LIMIT - 1) + "y"

    markdown = summarize("dev", None, text, 2)

    assert "truncated" not in markdown
    assert f"```text\n{text}\n```" in markdown


def test_a_truncated_text_plan_keeps_its_first_limit_characters() -> None:
    text = "x" * (TEXT_LIMIT - 1) + "y" + "z" * 10

    markdown = summarize("dev", None, text, 2)

    kept = "x" * (TEXT_LIMIT - 1) + "y"
    assert f"```text\n{kept}\n… truncated (10 more characters in the job log)\n```" in markdown


def test_mandatory_violations_without_readable_json_are_no_verdict() -> None:
    # Exit 1 promises a table of findings; with no JSON to read them from there is no verdict to show.
    markdown = summarize("prod", None, "Resolved 192 packages", 1)

    assert markdown.startswith("### Offline plan `prod`: ❌ no verdict: no readable plan JSON (exit 1)")
    assert "mandatory policy violations" not in markdown


def test_an_invalid_stack_file_without_output_says_so() -> None:
    markdown = summarize("dev", None, "", 2)

    assert "```text\n(no output)\n```" in markdown


def test_a_plan_without_its_text_has_no_empty_text_fold(stack_graphs) -> None:
    markdown = summarize("prod", _plan_json(stack_graphs["prod"]), "", 0)

    assert "Resources by type" in markdown
    assert "Full text plan" not in markdown


def test_a_violation_message_over_several_lines_stays_one_table_row(stack_graphs) -> None:
    violation = PlanViolation("gpu-instance-quota", "mandatory", "10 GPUs\nmax 2", None, "training")

    markdown = summarize("prod", _plan_json(stack_graphs["prod"], [violation]), "", 1)

    assert "| mandatory | `gpu-instance-quota` | training | 10 GPUs max 2 |" in markdown.splitlines()


def test_missing_plan_files_are_no_verdict_not_a_crash(tmp_path, capsys) -> None:
    # The plan step died before its redirections made the files (or the artifact did not download).
    missing = tmp_path / "absent"

    code = plan_summary_main(
        [
            "--stack",
            "prod",
            "--json",
            str(missing / "plan.json"),
            "--text",
            str(missing / "plan.txt"),
            "--status",
            "0",
        ]
    )

    assert code == 0
    markdown = capsys.readouterr().out
    assert markdown.startswith("### Offline plan `prod`: ❌ no verdict: no readable plan JSON (exit 0)")
    assert "(no output)" in markdown


@pytest.mark.parametrize(
    "content",
    [b'{"summary": "\xff"}', b"[" * 100_000],
    ids=["not-utf-8", "nested-too-deep"],
)
def test_a_plan_json_python_cannot_decode_is_no_verdict_not_a_crash(tmp_path, capsys, content: bytes) -> None:
    # Found reviewing the survivors: only a missing file and bad JSON syntax were "no verdict"; bytes
    # that are not UTF-8 (UnicodeDecodeError) or JSON nested beyond Python's recursion limit
    # (RecursionError) left a traceback and no summary of the stack.
    document = tmp_path / "plan-prod.json"
    document.write_bytes(content)

    code = plan_summary_main(["--stack", "prod", "--json", str(document), "--status", "0"])

    assert code == 0
    assert capsys.readouterr().out.startswith(
        "### Offline plan `prod`: ❌ no verdict: no readable plan JSON (exit 0)"
    )


# --- Which stacks a workflow runs (delivery/stacks.py, delivery/approved_model.py) -----------------


def test_other_yaml_files_beside_the_stack_files_are_not_stack_files(tmp_path, write_stack, capsys) -> None:
    write_stack("dev", name="Pulumi.dev.yaml")
    (tmp_path / "Pulumi.yaml").write_text("name: mlops-platform\nruntime: python\n")
    (tmp_path / "kustomization.yaml").write_text("resources: []\n")

    assert list_stacks_main(["--stacks-dir", str(tmp_path)]) == 0

    captured = capsys.readouterr()
    assert json.loads(captured.out)["stack_files"] == [
        {"stack": "dev", "stack_file": str(tmp_path / "Pulumi.dev.yaml")}
    ]
    assert captured.err == ""


def test_an_approval_from_a_stack_name_pulumi_refuses_is_refused(tmp_path, write_stack) -> None:
    # Pulumi's stack names are at most 100 characters: a stack file named longer never deployed,
    # and reading it says so (an invalid stack file); the approval is refused on its own terms too.
    long_name = "s" * 101
    write_stack("dev", name=f"Pulumi.{long_name}.yaml")
    listing = list_stacks(tmp_path)
    assert listing.targets == []
    assert [str(error).count("is not one Pulumi accepts") for error in listing.errors] == [1]
    arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package/dev-customer-churn/7"
    event = {
        "client_payload": {"family": "customer-churn", "model_package_arn": arn, "source_stack": long_name}
    }

    with pytest.raises(DispatchError, match=r"client_payload\.source_stack: .* does not match"):
        approved_model(event, listing)


@pytest.mark.parametrize("source_stack", ["d", "de", "stag", "pro"])
def test_the_source_stack_is_a_stack_by_its_whole_name(source_stack: str) -> None:
    # An untrusted payload naming the start of a stack's name names no stack.
    listing = list_stacks(FIXTURE_STACKS)
    arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package/dev-customer-churn/7"
    event = {
        "client_payload": {"family": "customer-churn", "model_package_arn": arn, "source_stack": source_stack}
    }

    with pytest.raises(DispatchError, match=f"source_stack: '{source_stack}' is not a valid stack file"):
        approved_model(event, listing)


def test_a_version_of_a_group_named_like_the_start_of_the_familys_is_refused() -> None:
    # dev-customer is another group (another family's, or no family's) than dev-customer-churn.
    listing = list_stacks(FIXTURE_STACKS)
    arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package/dev-customer/7"
    event = {"client_payload": {"family": "customer-churn", "model_package_arn": arn, "source_stack": "dev"}}

    with pytest.raises(DispatchError, match="group dev-customer is not model family customer-churn's"):
        approved_model(event, listing)


@pytest.mark.parametrize(
    "payload", ["customer-churn", ["customer-churn"], 7], ids=["string", "list", "number"]
)
def test_a_payload_that_is_not_an_object_is_refused_not_a_crash(tmp_path, capsys, payload: Any) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"action": "model-approved", "client_payload": payload}))

    code = list_stacks_main(
        ["--stacks-dir", str(FIXTURE_STACKS), "--github-output", "--approved-model", str(event)]
    )

    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert captured.err == "refused repository_dispatch event: client_payload: missing or not an object\n"


def test_an_event_nested_beyond_pythons_recursion_limit_is_refused_not_a_crash(tmp_path, capsys) -> None:
    # Found reviewing the survivors: anyone who may dispatch to the repository writes the payload;
    # one nested 100,000 deep raised RecursionError, a traceback and exit 1 instead of a refusal.
    event = tmp_path / "event.json"
    event.write_text('{"action": "model-approved", "client_payload": ' + "[" * 100_000 + "}")

    code = list_stacks_main(
        ["--stacks-dir", str(FIXTURE_STACKS), "--github-output", "--approved-model", str(event)]
    )

    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert captured.err.startswith(f"refused repository_dispatch event: {event}: not a readable JSON event (")


# --- AWS errors (delivery/aws_errors.py) ------------------------------------------------------------

# Every code AWS answers for credentials it does not take, and for a denied permission, spelled out:
# a code dropped from either set would turn expired credentials into "group does not exist".
CREDENTIAL_CODES = [
    "ExpiredToken",
    "ExpiredTokenException",
    "RequestExpired",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "InvalidSignatureException",
    "IncompleteSignature",
    "MissingAuthenticationToken",
    "AuthFailure",
]
ACCESS_CODES = ["AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess"]


def _client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "no"}}, "DescribeModelPackageGroup")


@pytest.mark.parametrize("code", CREDENTIAL_CODES)
def test_each_rejected_credentials_code_says_refresh_them(code: str) -> None:
    error = _client_error(code)

    assert is_access_problem(error) and is_credential_problem(error)
    assert describe(error).startswith(
        f"AWS rejected the credentials calling DescribeModelPackageGroup ({code}: no)"
    )


@pytest.mark.parametrize("code", ACCESS_CODES)
def test_each_denied_permission_code_says_access_denied(code: str) -> None:
    error = _client_error(code)

    assert is_access_problem(error) and not is_credential_problem(error)
    assert describe(error).startswith(f"access denied calling DescribeModelPackageGroup ({code}: no)")


def test_partial_credentials_say_how_to_set_credentials() -> None:
    # AWS_ACCESS_KEY_ID set without AWS_SECRET_ACCESS_KEY (botocore's own exception for it).
    line = describe(PartialCredentialsError(provider="env", cred_var="AWS_SECRET_ACCESS_KEY"))

    assert line.startswith("no usable AWS credentials: set AWS_PROFILE")
