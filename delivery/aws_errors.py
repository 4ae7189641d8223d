"""One line for an AWS problem a command-line tool cannot solve itself.

Missing or expired credentials, no region, no network, a denied permission: the CLIs
(``python -m delivery.promote``, ``python -m pipelines.promotion``) print :func:`describe` of the
error on stderr and exit 2 ("cannot run"), never a botocore traceback with Python's exit 1,
which CI would read as a verdict.
"""

from __future__ import annotations

from typing import Final

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
)

from stacks.input_limits import shorten

AWS_ERRORS: Final = (BotoCoreError, ClientError)
"""What an AWS call raises for reasons outside the tool: catch these, then :func:`describe`."""

CREDENTIAL_CODES: Final = frozenset(
    {
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
    }
)
ACCESS_CODES: Final = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess"}
)


def is_credential_problem(error: ClientError) -> bool:
    """AWS rejected the credentials themselves (expired, unknown, badly signed): no call can succeed."""
    return _code(error) in CREDENTIAL_CODES


def is_access_problem(error: ClientError) -> bool:
    """Credentials rejected or permission denied: what to report as such, not as a missing resource."""
    return _code(error) in CREDENTIAL_CODES | ACCESS_CODES or _forbidden(error)


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _forbidden(error: ClientError) -> bool:
    """HTTP 403 whatever the code says (an error body the client could not parse has none)."""
    return error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 403 or _code(error) == "403"


def describe(error: BaseException) -> str:
    """One line saying what went wrong with AWS and what to do about it."""
    if isinstance(error, (NoCredentialsError, PartialCredentialsError)):
        text = (
            "no usable AWS credentials: set AWS_PROFILE (then `aws sso login` if it uses SSO) or "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for the stack's account"
        )
    elif isinstance(error, ProfileNotFound):
        text = f"{error}: check AWS_PROFILE and ~/.aws/config"
    elif isinstance(error, NoRegionError):
        text = "no AWS region: set AWS_REGION (or the stack file's `region`)"
    elif isinstance(
        error, (EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError, ConnectionClosedError)
    ):
        text = f"cannot reach AWS ({error}): check the network, proxy and region"
    elif isinstance(error, ClientError):
        code = _code(error)
        message = shorten(str(error.response.get("Error", {}).get("Message", "")), 200)
        if code in CREDENTIAL_CODES:
            text = (
                f"AWS rejected the credentials calling {error.operation_name} ({code}: {message}): "
                "refresh them (e.g. `aws sso login`) and retry"
            )
        elif code in ACCESS_CODES or _forbidden(error):
            text = (
                f"access denied calling {error.operation_name} ({code}: {message}): the identity needs "
                "that permission in the stack's account"
            )
        else:
            text = f"AWS {error.operation_name} failed ({code}: {message})"
    else:
        text = f"AWS call failed: {error}"
    return shorten(" ".join(text.split()), 400)
