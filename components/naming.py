"""How a component turns a caller's name prefix and a config name into a physical name.

Two kinds of account-wide names derive from configured names:

- names a component sets itself (``<prefix>-<name>``), checked against AWS's limits when the
  stack is read (stacks.naming.derived_names), because users see and use them;
- names Pulumi generates from a child's logical name (``<logical>-<7 random hex>``), internal:
  :func:`child_name` keeps each one within its AWS limit by shortening the logical name
  deterministically, with a hash, only when it would not fit (so a name that already deployed
  never changes, and two long names never collide).
"""

from __future__ import annotations

import hashlib
import re
from typing import Final

from .autonames import AUTONAME_MAX as AUTONAME_MAX
from .autonames import AUTONAME_SUFFIX as AUTONAME_SUFFIX
from .autonames import PULUMI_AWS_AUTONAMES as PULUMI_AWS_AUTONAMES
from .autonames import PULUMI_AWS_DEFAULT_AUTONAME as PULUMI_AWS_DEFAULT_AUTONAME
from .autonames import AutoName as AutoName
from .limits import PHYSICAL_NAME_LIMITS

HASH_LENGTH: Final = 8


def prefixed(prefix: str | None, name: str) -> str:
    """``<prefix>-<name>``, or ``name`` alone when there is no prefix.

    Components that set account-wide names (feature groups, model package groups...) take a
    ``name_prefix``: stacks sharing an account pass different prefixes and never collide.
    """
    return f"{prefix}-{name}" if prefix else name


_NAME_PREFIX: Final = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*\Z")
"""What may start every name a component prefixes (model package groups, MLflow tracking servers:
botocore's patterns of letters or digits separated by hyphens)."""
_UNDERSCORED_NAME_PREFIX: Final = re.compile(r"^[a-zA-Z0-9]([_-]*[a-zA-Z0-9])*\Z")
"""... and of the names that take ``_`` as a separator too (feature groups: ``FeatureGroupName``)."""


def name_prefix_problem(prefix: str | None, *, underscores: bool = False) -> str | None:
    """Why ``prefix`` cannot start a name the component prefixes, or None (no prefix is fine).
    ``underscores``: the names take ``_`` between letters and digits as well as ``-``."""
    if prefix is None:
        return None
    pattern = _UNDERSCORED_NAME_PREFIX if underscores else _NAME_PREFIX
    if not isinstance(prefix, str) or not pattern.match(prefix):
        separators = "hyphens or underscores" if underscores else "hyphens"
        return (
            f"{prefix!r} cannot start a SageMaker name: letters or digits separated by {separators}, "
            "starting and ending with a letter or digit"
        )
    return None


_PIPELINE_NAME: Final = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}\Z")
PIPELINE_NAME_MAX: Final = 256
"""botocore ``PipelineName``'s ``max``: its pattern bounds the letters and digits, not the ``-`` runs."""


def pipeline_name_problem(name: object) -> str | None:
    """Why SageMaker's CreatePipeline would refuse ``name`` (botocore ``PipelineName``), or None."""
    if not isinstance(name, str) or not _PIPELINE_NAME.match(name) or len(name) > PIPELINE_NAME_MAX:
        return f"{str(name)[:80]!r} is not a SageMaker pipeline name: 1-256 letters or digits, separated by -"
    return None


def prefixed_within_limit(where: str, prefix: str | None, name: str, type_token: str) -> str:
    """:func:`prefixed`, refused with a ``ValueError`` naming ``where`` when the name is longer than
    AWS takes for a ``type_token`` (components.limits.PHYSICAL_NAME_LIMITS). A stack file's prefix
    and names are checked before the program runs; a component built directly is checked here,
    when its args are built, before anything is registered."""
    full = prefixed(prefix, name)
    field, limit = PHYSICAL_NAME_LIMITS[type_token]
    if len(full) > limit:
        raise ValueError(
            f"{where}: '{full}' has {len(full)} characters with the name prefix; AWS takes at most {limit} "
            f"for {type_token.rsplit(':', 1)[-1]}.{field}: shorten name_prefix or the name"
        )
    return full


def fit(name: str, limit: int) -> str:
    """``name`` if it has at most ``limit`` characters, else its start and a hash of all of it
    (``<start>-<8 hex>``), exactly ``limit`` long: deterministic, and distinct for distinct names."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:HASH_LENGTH]
    return f"{name[: limit - HASH_LENGTH - 1].rstrip('-_.')}-{digest}"


def child_name(logical: str, type_token: str) -> str:
    """The logical name for a child of type ``type_token`` whose Pulumi auto-name fits AWS's limit
    (components.limits.PHYSICAL_NAME_LIMITS) and pulumi-aws's (:data:`PULUMI_AWS_AUTONAMES`: an SNS
    topic's is 80, not SNS's 256; :data:`AUTONAME_MAX` for any other name); unchanged when it fits
    already.

    Safe for a deployed stack: the logical name (so the URN) changes only when its auto-name was over
    one of those limits, which pulumi-aws refused at preview or AWS at create, so no resource with the
    old name exists and no alias is needed. That assumes Pulumi's default auto-naming,
    ``<logical>-<7 hex>``: a program that sets ``pulumi:autonaming`` (verbatim, or a pattern of its
    own) gets names of other lengths, which this cannot see."""
    _, limit = PHYSICAL_NAME_LIMITS[type_token]
    autoname = PULUMI_AWS_AUTONAMES.get(type_token) or PULUMI_AWS_DEFAULT_AUTONAME
    return fit(logical, min(limit, autoname.max_length) - AUTONAME_SUFFIX)
