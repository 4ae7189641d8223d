"""The names SageMaker takes for an endpoint, a variant or an inference component, and its model
package version ARNs: the checks the serving specs, the serving components and the components
watching an endpoint share."""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Mapping

_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}\Z")
MODEL_PACKAGE_VERSION_ARN = re.compile(
    r"^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:[0-9]{12}:model-package/"
    r"(?P<group>(?=[a-zA-Z0-9-]{1,63}/)[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62})/(?P<version>[1-9][0-9]{0,8})\Z"
)
"""A registered model version: ``…:model-package/<group>/<n>``. The group is a model package group
name (botocore's ``EntityName``: ``[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}``, at most 63 characters, the
lookahead bounding the ``-`` runs too), the version a ``ModelPackageVersion`` (at least 1) as
CreateModel's ``VersionedArnOrName`` takes it (``/[0-9]{1,9}``)."""
_VERSION_ARN_SHAPE = re.compile(
    r"^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:[0-9]{12}:model-package/(?P<group>[^/]*)/(?P<version>[^/]*)\Z"
)


SAGEMAKER_NAME_MAX = 63
"""The ``max`` of botocore's ``EndpointName``, ``VariantName`` and ``InferenceComponentName``: their
pattern bounds the letters and digits (``{0,62}`` after the first), not the ``-`` between them, so
``a--...--b`` of 64 or more characters matches it and is still refused."""


def sagemaker_name_problem(value: object, what: str) -> str | None:
    """Why SageMaker would refuse ``value`` as a ``what`` (an endpoint's, a variant's or an inference
    component's name: botocore ``[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}``, at most
    :data:`SAGEMAKER_NAME_MAX` characters), or None."""
    if _is_output(value):
        return (
            f"is a Pulumi Output, but this {what} must be a plain string: it names resources, and an "
            "Output's value is known only as the program runs; pass the name itself"
        )
    if inspect.isawaitable(value):  # a coroutine not awaited, a future, a task: not an Output
        return (
            f"is {_awaitable_kind(value)} (an awaitable, not yet awaited), but this {what} must be a plain "
            "string: it names resources, and an awaitable's value is known only once awaited; pass the "
            "name itself"
        )
    if not isinstance(value, str) or not _NAME.match(value) or len(value) > SAGEMAKER_NAME_MAX:
        return f"{value!r} is not a valid {what}: 1-63 letters or digits, separated by -"
    return None


def endpoint_name_problem(value: object) -> str | None:
    """Why SageMaker would refuse ``value`` as an endpoint's name (botocore's ``EndpointName``:
    1-63 characters of ``[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}``), or None: the name of an endpoint a
    component's alarms or monitors watch, whose metrics (and so alarms) would never exist for a
    misspelt one. A ``pulumi.Input`` given as an Output or an awaitable is left alone (its value is
    known only as the program runs, from the endpoint that checked its own name); anything else that
    is not such a name is refused."""
    if inspect.isawaitable(value) or _is_output(value):
        return None
    return sagemaker_name_problem(value, "endpoint name")


def _is_output(value: object) -> bool:
    # The specs do without the Pulumi SDK (the config is validated before it is imported): a value
    # can be an Output only once the program has imported it.
    pulumi = sys.modules.get("pulumi")
    return pulumi is not None and isinstance(value, pulumi.Output)


def model_package_version_arn_problem(value: str) -> str | None:
    """Why SageMaker has no model package version ``value`` (:data:`MODEL_PACKAGE_VERSION_ARN`),
    naming the part that is wrong, or None."""
    if MODEL_PACKAGE_VERSION_ARN.match(value):
        return None
    problem = f"'{value}' is not a model package version ARN (…:model-package/<group>/<n>)"
    shape = _VERSION_ARN_SHAPE.match(value)
    if shape is None:
        return problem
    group, version = shape["group"], shape["version"]
    if sagemaker_name_problem(group, "group"):
        return f"{problem}: its group {group!r} is not a model package group name: 1-63 letters or digits, separated by -"
    return f"{problem}: its version {version!r} is not a version number SageMaker gives, 1-999999999"


def resolved_packages_problem(packages: Mapping[str, object]) -> str | None:
    """Why a resolved variant or component → version ARN map is not one (its first value that is
    text and no version ARN, :func:`model_package_version_arn_problem`), or None; a value that is not
    text (an Output) is left to SageMaker."""
    for name, arn in packages.items():
        if isinstance(arn, str) and (problem := model_package_version_arn_problem(arn)):
            return f"{name!r}: {problem}"
    return None


def _awaitable_kind(value: object) -> str:
    """``a coroutine``, ``a Future``, ``a Task``, ``an AsyncResult``...: what an awaitable is (its
    type's name), as its refusal says it."""
    name = type(value).__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def _sagemaker_name(value: str, what: str) -> str:
    problem = sagemaker_name_problem(value, what)
    if problem:
        raise ValueError(problem)
    return value


RESERVED_CAPTURE_FOLDER = "batch"
"""``data-capture/batch/`` holds the batch-scoring jobs' captures (``data-capture/batch/<family>/``,
components/serving/batch_scoring.py): an endpoint of that name would capture there, and its role
and monitors, which write and read their endpoint's ``data-capture/<name>/``, would reach them."""


def _endpoint_name(value: str) -> str:
    """A SageMaker name that is not :data:`RESERVED_CAPTURE_FOLDER` (the endpoint's S3 folders)."""
    _sagemaker_name(value, "endpoint name")
    if value == RESERVED_CAPTURE_FOLDER:
        raise ValueError(
            f"'{value}' is reserved: data-capture/{value}/ holds the batch-scoring jobs' captures, which "
            "the endpoint's role and monitors would then write and read; choose another name"
        )
    return value
