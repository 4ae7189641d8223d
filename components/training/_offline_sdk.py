"""Run the SageMaker Python SDK (v3) so that building a definition cannot reach AWS.

The SDK is written to submit jobs, and even when it only composes a pipeline definition it
reaches for the machine's AWS setup in places we do not control (sagemaker 3.27):

- importing ``sagemaker.mlops`` creates boto3 clients at import time
  (``sagemaker.ai_registry.air_hub.AIRHub``): that needs a region and resolves credentials, which
  probes the EC2 metadata endpoint when none are configured;
- every ``ProcessingStep`` and ``TransformStep`` builds a throw-away ``LocalSagemakerClient`` (to
  read a method's name), whose ``LocalSession`` is a new boto3 session: it needs a region and
  credentials, reads the SDK config files and loads botocore's endpoint and service models afresh
  (about four fifths of a build's CPU time);
- ``ModelTrainer`` validates its role with ``iam:SimulatePrincipalPolicy`` unless
  ``SAGEMAKER_VALIDATE_ROLE=false`` (the SDK's documented switch);
- ``@_telemetry_emitter`` sends a usage event (an STS call and an HTTPS GET to an AWS-owned S3
  bucket) from a background thread unless the session config opts out, and a session config
  makes every config lookup re-validate a large JSON schema (about seven seconds per build).

:func:`sealed` contains all of that for the duration of one build: a process environment with a
placeholder identity (static dummy keys, the target region, no profile or AWS config files, no
metadata endpoint, an empty SDK defaults config, every endpoint pointed at a closed local port),
telemetry dropped, the SDK's steps given a ``LocalSagemakerClient`` without a session (they only
read its method names), botocore's endpoint data read once for all the image URIs the SDK resolves,
the host's logging left as it was, and ``boto3.DEFAULT_SESSION`` restored afterwards. The session
the builder hands to the SDK additionally refuses every API call with :class:`OfflineAwsError`, so
an SDK change that starts calling AWS makes the build fail loudly instead of silently succeeding.
The environment is process-wide, so builds are serialised by a lock and the previous values are
restored even when the build fails. While the block runs, pydantic models are defined to build on
first use: the SDK defines about a thousand at import and a build uses a few dozen.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import boto3

from .definition import iter_steps

PLACEHOLDER_KEY = "offline-pipeline-build"
UNREACHABLE_ENDPOINT = "http://127.0.0.1:9"
"""Any client the SDK creates behind our back targets this closed local port, not AWS."""

_REMOVED = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
)
_REMOVED_PREFIXES = ("AWS_ENDPOINT_URL_",)
"""Per-service endpoint overrides would win over the global unreachable one."""
_LOCK = threading.RLock()


class OfflineAwsError(RuntimeError):
    """The SageMaker SDK tried to call AWS while building a pipeline definition."""


def _sealed_environment(region: str) -> dict[str, str]:
    return {
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        "AWS_ACCESS_KEY_ID": PLACEHOLDER_KEY,
        "AWS_SECRET_ACCESS_KEY": PLACEHOLDER_KEY,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_ENDPOINT_URL": UNREACHABLE_ENDPOINT,
        "SAGEMAKER_VALIDATE_ROLE": "false",
        # An empty file in place of the SDK defaults config (admin and user): nothing machine-local
        # (default tags, VPC, KMS...) leaks into the definition, and no config is fetched from S3.
        "SAGEMAKER_ADMIN_CONFIG_OVERRIDE": os.devnull,
        "SAGEMAKER_USER_CONFIG_OVERRIDE": os.devnull,
    }


def _refuse(event_name: str = "", **_: Any) -> None:
    raise OfflineAwsError(
        f"building the pipeline definition attempted an AWS call ({event_name.removeprefix('before-call.')}); "
        "the SageMaker SDK must be given explicit values so that it never needs one"
    )


def _drop_telemetry(*_: Any, **__: Any) -> None:
    return None


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    removed = (*_REMOVED, *(name for name in os.environ if name.startswith(_REMOVED_PREFIXES)))
    saved = {name: os.environ.get(name) for name in (*values, *removed)}
    try:
        for name in removed:
            os.environ.pop(name, None)
        os.environ.update(values)
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def _host_logging_preserved() -> Iterator[None]:
    """The SDK calls ``logging.basicConfig`` at import and logs chattily while composing steps."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    noisy = [logging.getLogger(name) for name in ("sagemaker", "sagemaker.config", "botocore", "boto3")]
    levels = [logger.level for logger in noisy]
    try:
        for logger in noisy:
            logger.setLevel(logging.ERROR)
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for logger, previous in zip(noisy, levels, strict=True):
            logger.setLevel(previous)


@contextmanager
def _models_built_on_first_use() -> Iterator[None]:
    """pydantic models defined in this block build their validators when first used.

    The SDK defines about a thousand pydantic models at import (``sagemaker.core.shapes`` alone
    852) and composing a definition uses a few dozen: building the rest was about a quarter of the
    SDK's import. pydantic's ``defer_build`` does exactly this per model; made the default here, it
    applies to the SDK's models without touching them. pydantic reads its defaults when it creates
    a class, so models defined before or after the block are built as usual, and a pydantic
    without this default (its private ``config_defaults``) builds them all as before. The default
    is process-wide, like the seal's environment: a model another thread defines meanwhile is
    deferred too. The SDK's models are first used inside the seal, one build at a time (the lock),
    so no two threads build one at once (some pydantic releases did not lock that build).
    """
    try:
        from pydantic._internal._config import config_defaults
    except ImportError:
        config_defaults = {}
    if "defer_build" not in config_defaults:
        yield
        return
    previous = config_defaults["defer_build"]
    config_defaults["defer_build"] = True
    try:
        yield
    finally:
        config_defaults["defer_build"] = previous


@contextmanager
def sealed(region: str) -> Iterator[None]:
    """Import and run the SDK inside this block only; see the module docstring for what it seals.
    Imported here first, the SDK's pydantic models build on first use
    (:func:`_models_built_on_first_use`)."""
    with (
        _LOCK,
        _environment(_sealed_environment(region)),
        _host_logging_preserved(),
        _models_built_on_first_use(),
    ):
        previous_default_session = boto3.DEFAULT_SESSION
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                from sagemaker.core import common_utils
                from sagemaker.core.telemetry import telemetry_logging
                from sagemaker.mlops.workflow import steps

                with (
                    mock.patch.object(telemetry_logging, "_send_telemetry_request", _drop_telemetry),
                    mock.patch.object(steps, "LocalSagemakerClient", _method_names_client()),
                    mock.patch.object(
                        common_utils, "_botocore_resolver", _read_once(common_utils._botocore_resolver)
                    ),
                ):
                    yield
        finally:
            boto3.DEFAULT_SESSION = previous_default_session


@functools.cache
def _read_once(read: Callable[[], Any]) -> Callable[[], Any]:
    """``read``'s value made once per process and kept. For the SDK's ``_botocore_resolver``, which
    reads botocore's endpoint data (the whole ``endpoints.json``, about 25 ms) again for every
    image URI it resolves: six times in a cold prod plan. The resolver only looks data up."""
    return functools.cache(read)


@functools.cache
def _method_names_client() -> type:
    """``LocalSagemakerClient`` without its session, for ``ProcessingStep`` and ``TransformStep``: they
    build one only to check that their arguments came from ``create_processing_job`` or
    ``create_transform_job`` (by the method's ``__name__``), and the real one's ``LocalSession``
    loads botocore's models in a new boto3 session each time. A step that used it for more would
    fail on the missing session: loudly, at build time."""
    from sagemaker.core.local.local_session import LocalSagemakerClient

    class MethodNames(LocalSagemakerClient):
        def __init__(self, *_: Any, **__: Any) -> None:
            """No session: only the class's methods are read."""

    return MethodNames


_CLIENT_ENVIRONMENT_PREFIXES = (
    "AWS_",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
)
"""What a botocore client reads from the environment when it is made (its endpoint, retries, proxies,
certificates, partition options): a client made under other values is a different client."""


class _RefusingSession(boto3.Session):
    """A boto3 session whose clients refuse every call (:func:`_refuse`) and are made once.

    Every build makes the same eight clients (the ``PipelineSession``'s five and its S3 resource,
    ``ModelTrainer``'s IAM client, ``Pipeline``'s Scheduler one): creating a botocore client is
    about 5 ms even with its model loaded, over half of a warm build. A client, or resource, is
    reused when it is asked for with the same arguments under the same environment (every variable
    :data:`_CLIENT_ENVIRONMENT_PREFIXES` names, so a client made inside :func:`sealed`, aimed at
    :data:`UNREACHABLE_ENDPOINT`, is never handed out under another environment) and the same
    botocore loader; the session itself is one per region. Only the current environment's clients
    are kept: a build under another one (a variable the seal leaves alone, such as
    ``AWS_CA_BUNDLE`` or ``AWS_MAX_ATTEMPTS``, changed in a long process) drops them, so a process
    whose environment keeps changing holds one set per region (about 2.4 MB), not one per
    environment it ever built under. The SDK only reads these clients' methods and metadata and
    calls them (refused before any request is made); it registers no handler on them."""

    def __init__(self, region: str) -> None:
        super().__init__(
            region_name=region, aws_access_key_id=PLACEHOLDER_KEY, aws_secret_access_key=PLACEHOLDER_KEY
        )
        self.events.register("before-call", _refuse)
        self._made: dict[tuple[Any, ...], Any] = {}
        self._environment: tuple[Any, ...] = ()

    def _made_once(self, kind: str, make: Callable[..., Any], args: Any, kwargs: dict[str, Any]) -> Any:
        with _LOCK:  # a build holds it already; any other caller too, while it reads the environment
            environment = (
                tuple(
                    sorted(
                        (n, v) for n, v in os.environ.items() if n.startswith(_CLIENT_ENVIRONMENT_PREFIXES)
                    )
                ),
                id(self._session.get_component("data_loader")),
            )
            if environment != self._environment:
                self._made, self._environment = {}, environment
            key = (kind, args, tuple(sorted((name, _argument_key(value)) for name, value in kwargs.items())))
            try:
                made = self._made.get(key)
            except TypeError:  # an argument that cannot be a key: a client of its own
                return make(*args, **kwargs)
            if made is None:
                made = self._made[key] = make(*args, **kwargs)
            return made

    def client(self, *args: Any, **kwargs: Any) -> Any:
        return self._made_once("client", super().client, args, kwargs)

    def resource(self, *args: Any, **kwargs: Any) -> Any:
        return self._made_once("resource", super().resource, args, kwargs)


def _argument_key(value: Any) -> Any:
    """A client argument as a key: a ``botocore.config.Config`` by the options it was given (the SDK
    makes a new one, with the same options, for every session), anything else as it is."""
    import botocore.config

    if isinstance(value, botocore.config.Config):
        return ("Config", tuple(sorted((k, repr(v)) for k, v in value._user_provided_options.items())))
    return value


@functools.cache
def _refusing_boto_session(region: str) -> boto3.Session:
    """One per region: loading botocore's service models is most of a build's cost otherwise, and
    making its clients most of the rest (:class:`_RefusingSession`)."""
    return _RefusingSession(region)


def open_region(region: str) -> None:
    """What a region's first build opens, opened now: the refusing session
    (:func:`_refusing_boto_session`) and the clients a build makes from it, whose botocore models
    that session then keeps (about half a first build's time). For a process that composes later,
    as soon as it knows the region; the definitions are the same with or without it."""
    with sealed(region):
        session = pipeline_session(region, default_bucket=_OPENING_BUCKET)
        for service in _CLIENTS_A_BUILD_MAKES:
            session.boto_session.client(service)


_OPENING_BUCKET = "offline-pipeline-build"
""":func:`open_region`'s session names this bucket; a build's session names its own."""
_CLIENTS_A_BUILD_MAKES = ("iam", "scheduler")
"""Beyond the ``PipelineSession``'s own: ``ModelTrainer`` resolves its role with an IAM client, and
``Pipeline`` makes an EventBridge Scheduler one (sagemaker 3.27)."""


def pipeline_session(region: str, default_bucket: str) -> Any:
    """A ``PipelineSession`` that refuses every AWS API call and carries no SDK defaults config.

    ``default_bucket`` is set so that, were the SDK ever to want a default location, it would name
    ours; asking for it still fails, because confirming the bucket is an S3 call. Call inside
    :func:`sealed`.
    """
    from sagemaker.core.workflow.pipeline_context import PipelineSession

    session = PipelineSession(boto_session=_refusing_boto_session(region), default_bucket=default_bucket)
    if session.sagemaker_config or session.default_bucket_prefix:
        raise RuntimeError("the sealed SDK environment still loaded an SDK defaults config")
    return session


def definition_json(region: str, compose: Callable[[], dict[str, Any]]) -> str:
    """``compose()`` (a ``Pipeline.definition()``, parsed) run inside :func:`sealed`, as the JSON a
    pipeline resource takes: top-level entries that are None dropped, and the ``Tags`` the SDK adds
    to every step (SageMaker Studio project tags found by walking up from the current directory)
    removed, in condition branches too."""
    import json

    with sealed(region):
        definition = compose()
    definition = {key: value for key, value in definition.items() if value is not None}
    for step in iter_steps(definition.get("Steps") or []):
        (step.get("Arguments") or {}).pop("Tags", None)
    return json.dumps(definition)
