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
from typing import Final, NamedTuple

from .limits import PHYSICAL_NAME_LIMITS

AUTONAME_SUFFIX: Final = 8
"""What Pulumi appends to a logical name to auto-name a resource: ``-`` and 7 random hex digits."""
AUTONAME_MAX: Final = 255
"""The longest auto-name pulumi-aws makes for a ``name`` it has no limit of its own for
(provider/autonaming.go: ``setAutonaming`` gives each such field ``tfbridge.AutoName("name", 255, "-")``);
types with their own are in :data:`PULUMI_AWS_AUTONAMES` (a bucket's 63, a role's 64, an SNS topic's
80). Past its limit the bridge refuses the resource at preview: "could not make instance of
'<type>': name '<logical>-' plus 7 random chars is longer than maximum length <n>"
(pulumi-terraform-bridge ComputeAutoNameDefault, pulumi resource.NewUniqueName)."""
HASH_LENGTH: Final = 8


class AutoName(NamedTuple):
    """How pulumi-aws auto-names a resource whose ``property`` the program leaves unset:
    ``<logical name><separator><7 random hex>`` (lower-cased first where ``lowercase``), refused at
    preview, never cut, when longer than ``max_length`` bytes (pulumi-terraform-bridge
    pkg/tfbridge/info/autonaming.go ``ComputeAutoNameDefault`` → pulumi sdk/go/common/resource
    ``NewUniqueName``: ``len(prefix)+randlen > maxlen``, Go's ``len``: UTF-8 bytes)."""

    property: str
    max_length: int
    lowercase: bool = False
    separator: str = "-"


PULUMI_AWS_DEFAULT_AUTONAME: Final = AutoName("name", AUTONAME_MAX)
"""pulumi-aws's auto-name of every resource whose Terraform schema has a ``name`` input and no
override below (pulumi-aws provider/autonaming.go ``setAutonaming``: ``AutoName(name, 255, "-")``)."""

PULUMI_AWS_AUTONAMES: Final[dict[str, AutoName | None]] = {
    # pulumi-aws 7 provider/resource_overrides.go (the stored version at 015d343) and
    # compatibility.go (BucketV2); None where it auto-names without a maximum (Glue, Lex, IoT topic
    # rules: FromName/AutoNameWithCustomOptions with no Maxlen) or sets no auto-name on the `name`
    # the SDK shows (a Route 53 record's and a directory's name is the DNS name itself).
    "aws:s3/bucket:Bucket": AutoName("bucket", 63, lowercase=True),
    "aws:s3/bucketV2:BucketV2": AutoName("bucket", 63, lowercase=True),
    "aws:iam/role:Role": AutoName("name", 64),
    "aws:cloudwatch/eventRule:EventRule": AutoName("name", 64),
    "aws:cloudwatch/eventTarget:EventTarget": AutoName("targetId", 255),
    "aws:cloudwatch/metricAlarm:MetricAlarm": AutoName("name", 255),
    "aws:sqs/queue:Queue": AutoName("name", 80),
    # 80, not SNS's 256: pulumi-aws refuses a longer auto-name (".fifo" is added after the check).
    "aws:sns/topic:Topic": AutoName("name", 80),
    "aws:kms/alias:Alias": AutoName("name", 238),  # then prefixed with "alias/"
    "aws:lambda/function:Function": AutoName("name", 64),
    "aws:lambda/permission:Permission": AutoName("statementId", 100),
    "aws:elasticbeanstalk/environment:Environment": AutoName("name", 40),
    "aws:elasticache/cluster:Cluster": AutoName("clusterId", 50, lowercase=True),
    "aws:elasticache/replicationGroup:ReplicationGroup": AutoName("replicationGroupId", 40, lowercase=True),
    "aws:elasticsearch/domain:Domain": AutoName("domainName", 28, lowercase=True),
    "aws:mq/broker:Broker": AutoName("brokerName", 55),
    "aws:opensearch/domain:Domain": AutoName("domainName", 255),
    "aws:efs/fileSystem:FileSystem": AutoName("creationToken", 255),
    "aws:eks/nodeGroup:NodeGroup": AutoName("nodeGroupName", 255),
    "aws:eks/fargateProfile:FargateProfile": AutoName("fargateProfileName", 255),
    "aws:ec2/keyPair:KeyPair": AutoName("keyName", 255),
    "aws:msk/cluster:Cluster": AutoName("clusterName", 255),
    "aws:msk/serverlessCluster:ServerlessCluster": AutoName("clusterName", 255),
    "aws:codedeploy/deploymentConfig:DeploymentConfig": AutoName("deploymentConfigName", 100, separator="_"),
    "aws:appsync/function:Function": AutoName("name", 255, separator="_"),
    "aws:appsync/dataSource:DataSource": AutoName("name", 255, separator="_"),
    "aws:athena/database:Database": AutoName("name", 255, separator="_"),
    "aws:backup/restoreTestingPlan:RestoreTestingPlan": AutoName("name", 255, separator="_"),
    "aws:route53/record:Record": None,
    "aws:directoryservice/directory:Directory": None,
    "aws:glue/catalogDatabase:CatalogDatabase": None,
    "aws:glue/catalogTable:CatalogTable": None,
    "aws:lex/bot:Bot": None,
    "aws:lex/botAlias:BotAlias": None,
    "aws:lex/intent:Intent": None,
    "aws:lex/slotType:SlotType": None,
    "aws:iot/topicRule:TopicRule": None,
}
"""pulumi-aws's auto-names that differ from :data:`PULUMI_AWS_DEFAULT_AUTONAME`, by type token."""


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
