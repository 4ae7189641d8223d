"""The promotion CLIs when AWS cannot answer, or the input is wrong: one line on stderr, exit 2.

``python -m delivery.promote status`` and ``python -m pipelines.promotion`` exit 2 ("cannot run")
for missing or rejected credentials, an unknown profile, denied permissions, an unreachable
endpoint and malformed ARNs, never Python's exit 1 with a botocore traceback (CI would read 1 as a verdict). ARNs are
checked locally, before any AWS call: those cases run with no credentials at all, so a call would
show up as a credentials error instead.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError, NoRegionError
from moto.core import set_initial_no_auth_action_count

from delivery import promote
from delivery.aws_errors import describe, is_access_problem
from pipelines import promotion
from tests.aws_sessions import fresh_session, mocked_aws
from tests.conftest import stack_path

REGION = "eu-west-1"
VERSION = f"arn:aws:sagemaker:{REGION}:111111111111:model-package/dev-customer-churn/3"
"""A well-formed version of the dev fixture's group."""

Cli = Callable[[], int]


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No credentials anywhere botocore looks (and no instance metadata service to ask); a new
    default session, so nothing resolved before counts (only parsed service models are shared)."""
    for variable in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN",
    ):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", fresh_session())


def _status(path: Path | None = None) -> int:
    return promote.main(["status", "--stack-file", str(path or stack_path("staging"))])


def _promotion(arn: str = VERSION, path: Path | None = None) -> int:
    return promotion.main(
        ["--stack-file", str(path or stack_path("dev")), "--model", "customer-churn", "--package-arn", arn]
    )


CLIS: dict[str, Cli] = {"delivery.promote status": _status, "pipelines.promotion": _promotion}


def _one_clean_line(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Traceback" not in captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    return lines[0]


@pytest.mark.parametrize("cli", CLIS.values(), ids=CLIS.keys())
def test_no_credentials_is_one_line_and_exit_2(cli: Cli, no_credentials: None, capsys) -> None:
    assert cli() == 2
    assert "no usable AWS credentials" in _one_clean_line(capsys)


@pytest.mark.parametrize("cli", CLIS.values(), ids=CLIS.keys())
def test_an_unknown_profile_is_one_line_and_exit_2(
    cli: Cli, no_credentials: None, monkeypatch, capsys
) -> None:
    """botocore raises ProfileNotFound when the client is made, before any call: a CLI that makes its
    clients outside its AWS error handling exits 1 with a traceback."""
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", fresh_session())

    assert cli() == 2
    line = _one_clean_line(capsys)
    assert "no-such-profile" in line and "check AWS_PROFILE" in line


@pytest.mark.parametrize("cli", CLIS.values(), ids=CLIS.keys())
@set_initial_no_auth_action_count(0)  # moto checks every request's credentials (these are unknown to it)
def test_rejected_credentials_are_one_line_and_exit_2(cli: Cli, monkeypatch, capsys) -> None:
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(variable, "unknown-to-the-account")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    with mocked_aws(REGION):
        assert cli() == 2
    line = _one_clean_line(capsys)
    assert "denied" in line or "rejected the credentials" in line


@pytest.mark.parametrize("cli", CLIS.values(), ids=CLIS.keys())
def test_an_unreachable_endpoint_is_one_line_and_exit_2(cli: Cli, monkeypatch, capsys) -> None:
    """Port 9 of the loopback interface refuses at once: no network is involved."""
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(variable, "testing")
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", fresh_session())

    assert cli() == 2
    assert "cannot reach AWS" in _one_clean_line(capsys)


@pytest.mark.parametrize(
    ("arn", "problem"),
    [
        ("arn:x", "is not an ARN"),
        ("not-an-arn", "is not an ARN"),
        ("", "is not an ARN"),
        (f"arn:aws:s3:{REGION}:111111111111:model-package/dev-customer-churn/3", "service 's3' is not sagemaker"),
        (f"arn:awz:sagemaker:{REGION}:111111111111:model-package/dev-customer-churn/3", "partition 'awz'"),
        ("arn:aws:sagemaker:europe:111111111111:model-package/dev-customer-churn/3", "region 'europe'"),
        (f"arn:aws:sagemaker:{REGION}:11111111111:model-package/dev-customer-churn/3", "12-digit"),
        (f"arn:aws:sagemaker:{REGION}:111111111111:model-package-group/dev-customer-churn", "model-package/<group>/<version>"),
        (f"arn:aws:sagemaker:{REGION}:111111111111:model-package/dev-customer-churn/latest", "model-package/<group>/<version>"),
        (f"arn:aws:sagemaker:{REGION}:111111111111:model-package/dev-fraud/3", "not of dev-customer-churn"),
        ("arn:aws:sagemaker:us-east-1:111111111111:model-package/dev-customer-churn/3", "region us-east-1"),
        ("arn:" + "x" * 100_000, "is not an ARN"),
    ],
    ids=[
        "too-few-fields", "no-arn-prefix", "empty", "wrong-service", "wrong-partition", "bad-region",
        "short-account", "a-group-not-a-version", "version-not-a-number", "another-group",
        "another-region", "huge",
    ],
)  # fmt: skip
def test_a_malformed_package_arn_is_refused_before_any_aws_call(
    arn: str, problem: str, no_credentials: None, capsys
) -> None:
    assert _promotion(arn) == 2
    line = _one_clean_line(capsys)
    assert line.startswith("--package-arn: ") and problem in line
    assert len(line) < 600


def test_status_refuses_a_garbage_group_arn_in_the_stack_file_before_any_aws_call(
    write_stack, no_credentials: None, capsys
) -> None:
    def cross_account(platform: dict) -> None:
        platform["endpoints"][0]["variants"][0]["model"] = {
            "latest_approved_of": "arn:aws:sagemaker:eu-west-1"
        }

    path = write_stack("staging", cross_account)

    assert _status(path) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and str(path) in err
    assert "endpoints[0].variants[0].model.latest_approved_of" in err


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ClientError({"Error": {"Code": "ExpiredToken", "Message": "The security token included in the request is expired"}}, "ListModelPackages"),
         "AWS rejected the credentials calling ListModelPackages (ExpiredToken"),
        (ClientError({"Error": {"Code": "AccessDeniedException", "Message": "not authorized"}}, "DescribeEndpoint"),
         "access denied calling DescribeEndpoint (AccessDeniedException"),
        (ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "DescribeEndpoint"),
         "AWS DescribeEndpoint failed (ThrottlingException: slow down)"),
        (NoRegionError(), "no AWS region"),
    ],
    ids=["expired-token", "access-denied", "other-client-error", "no-region"],
)  # fmt: skip
def test_each_aws_problem_says_what_to_do(error: Exception, expected: str) -> None:
    line = describe(error)
    assert line.startswith(expected) and "\n" not in line


def test_only_credential_and_permission_errors_are_access_problems() -> None:
    def client_error(code: str) -> ClientError:
        return ClientError({"Error": {"Code": code, "Message": ""}}, "DescribeModelPackage")

    assert is_access_problem(client_error("ExpiredToken")) and is_access_problem(client_error("AccessDenied"))
    assert not is_access_problem(client_error("ValidationException"))
