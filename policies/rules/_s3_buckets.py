"""Reading S3 buckets and their companions (shared by the S3 rules in ``s3.py``).

Companions (public access block, policy, versioning, encryption, logging) are matched to their
bucket through the engine's property dependencies on their ``bucket`` input, or a literal
``bucket`` equal to the bucket's name (``bucket``/``bucketName`` input, ``id`` in outputs).
A bucket's own deprecated inline blocks are read per type: pulumi-aws ``Bucket``
(``serverSideEncryptionConfiguration.rule``, ``logging``), ``BucketV2`` (list forms:
``serverSideEncryptionConfigurations[].rules[].applyServerSideEncryptionByDefaults[]``) and
``aws-native:s3:Bucket`` (``bucketEncryption``, ``loggingConfiguration``). A pulumi-aws bucket's
inline blocks are Optional+Computed: at preview the planned state reports one the program left
unset as unknown, and after create S3's own state (no policy, no logging, versioning off, SSE-S3),
so :func:`inline_block` reads that placeholder as unset (``_stack_index.own_or_unset``).
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError

from ._common import (
    StackIndex,
    deps,
    get,
    get_or_none,
    is_map,
    is_set,
    items,
    own_or_unset,
    parse_json,
    tag_map,
)
from ._props import AWS_MANAGED_ALIAS, is_aws_managed_alias

BUCKET = "aws:s3/bucket:Bucket"
BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
NATIVE_BUCKET = "aws-native:s3:Bucket"
BUCKET_TYPES = (BUCKET, BUCKET_V2, NATIVE_BUCKET)
#: S3 Express One Zone directory buckets: data stores whose default encryption (SSE-S3 unless set,
#: SSE-KMS with a customer managed key since September 2024) ``s3-sse-kms-encrypted`` judges like a
#: general purpose bucket's, set by the same BucketServerSideEncryptionConfiguration or, aws-native,
#: by their own ``bucketEncryption``. Block Public Access is always on for them and cannot be turned
#: off, and they take no versioning nor server access logging, so the other S3 rules read
#: ``BUCKET_TYPES`` only (Amazon S3 User Guide, "Working with directory buckets").
DIRECTORY_BUCKET = "aws:s3/directoryBucket:DirectoryBucket"
NATIVE_DIRECTORY_BUCKET = "aws-native:s3express:DirectoryBucket"
#: Every bucket a companion may configure, and whose default encryption is judged.
ALL_BUCKET_TYPES = (*BUCKET_TYPES, DIRECTORY_BUCKET, NATIVE_DIRECTORY_BUCKET)
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
ACCOUNT_PUBLIC_ACCESS_BLOCK = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
NATIVE_BUCKET_POLICY = "aws-native:s3:BucketPolicy"
POLICY_TYPES = (BUCKET_POLICY, NATIVE_BUCKET_POLICY)
SSE_TYPES = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
VERSIONING_TYPES = (
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2",
)
LOGGING_TYPES = ("aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2")
ACCESS_LOG_TAG_KEY = "mlops:data-class"
ACCESS_LOG_TAG_VALUE = "access-logs"
PUBLIC_ACCESS_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")
PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-eusc")
#: ``alias/aws/s3`` (bare or as an alias ARN in any partition): an AWS-managed key (one pattern for the pack).
AWS_MANAGED_KEY = AWS_MANAGED_ALIAS


def is_access_log_bucket(bucket: PolicyResource) -> bool:
    """Tagged ``mlops:data-class=access-logs`` on the bucket, in ``tagsAll`` or by its provider's default
    tags; never a directory bucket, which server access logging does not deliver to."""
    if bucket.resource_type not in BUCKET_TYPES:
        return False
    tags = (
        _provider_default_tags(bucket)
        | tag_map(get_or_none(bucket.props, "tagsAll"))
        | tag_map(get_or_none(bucket.props, "tags"))
    )
    return tags.get(ACCESS_LOG_TAG_KEY) == ACCESS_LOG_TAG_VALUE


def _provider_default_tags(resource: PolicyResource) -> dict[str, Any]:
    provider = getattr(resource, "provider", None)
    if provider is None:
        return {}
    default_tags = get_or_none(provider.props, "defaultTags")
    if isinstance(default_tags, str):
        default_tags = parse_json(default_tags)
    return tag_map(get_or_none(default_tags, "tags"))


def bucket_names(bucket: PolicyResource) -> set[str]:
    """The bucket's known physical names: ``bucket``/``bucketName`` inputs, ``id`` in outputs."""
    names = (get_or_none(bucket.props, key) for key in ("bucket", "bucketName", "id"))
    return {n for n in names if isinstance(n, str) and n}


def bucket_arns(bucket: PolicyResource) -> list[str] | None:
    """The bucket's ARN (outputs) or the ARNs its known name has in every partition; None unknown."""
    arn = get_or_none(bucket.props, "arn")
    if isinstance(arn, str) and arn:
        return [arn]
    names = bucket_names(bucket)
    return [f"arn:{p}:s3:::{n}" for n in sorted(names) for p in PARTITIONS] or None


class Companions:
    """Which companion resources configure which bucket, worked out once per rule.

    Asking every companion about every bucket (and, for a companion linked by name, every bucket's
    names) grew with the square of the stack's buckets; here each companion is read once.
    """

    def __init__(self, stack: StackIndex) -> None:
        self._stack = stack
        self._by_name: dict[str, list[PolicyResource]] = {}
        for bucket in stack.of_type(ALL_BUCKET_TYPES):
            for name in bucket_names(bucket):
                self._by_name.setdefault(name, []).append(bucket)
        self._configuring: dict[tuple[str, ...], dict[str, list[PolicyResource]]] = {}

    def buckets_of(self, companion: PolicyResource) -> list[PolicyResource]:
        """The bucket(s) a companion resource configures: those its ``bucket`` input depends on,
        else those its literal ``bucket`` names.

        A dependency only records what the value was computed from: once the name is known, a
        bucket whose own known names do not include it is not the one configured.
        """
        name = get_or_none(companion.props, "bucket")
        found = [
            d
            for d in deps(companion, "bucket")
            if d.resource_type in ALL_BUCKET_TYPES
            and (not isinstance(name, str) or not bucket_names(d) or name in bucket_names(d))
        ]
        if found:
            return found
        return list(self._by_name.get(name, [])) if isinstance(name, str) else []

    def of(self, bucket: PolicyResource, types: tuple[str, ...]) -> list[PolicyResource]:
        """The resources of ``types`` that configure ``bucket``, in the stack's order."""
        configuring = self._configuring.get(types)
        if configuring is None:
            configuring = {}
            for companion in self._stack.of_type(types):
                for urn in dict.fromkeys(b.urn for b in self.buckets_of(companion)):
                    configuring.setdefault(urn, []).append(companion)
            self._configuring[types] = configuring
        return configuring.get(bucket.urn, [])


def unlinked_unknown(companion: PolicyResource) -> bool:
    """A companion whose ``bucket`` is unknown at preview and computed from no bucket of the stack
    (a name built from a random suffix, say): it may configure any bucket."""
    if any(d.resource_type in ALL_BUCKET_TYPES for d in deps(companion, "bucket")):
        return False
    try:
        get(companion.props, "bucket")
    except UnknownValueError:
        return True
    return False


def unresolved(companions: list[PolicyResource]) -> bool:
    """Some companion may configure any bucket (:func:`unlinked_unknown`)."""
    return any(unlinked_unknown(companion) for companion in companions)


def policy_document(resource_type: str, props: Any) -> Any:
    key = "policyDocument" if resource_type == NATIVE_BUCKET_POLICY else "policy"
    return get(props, key)


def is_aws_managed_key(key: Any) -> bool:
    return is_aws_managed_alias(key)


def inline_block(bucket: PolicyResource, key: str) -> Any:
    """The bucket's own top-level ``key`` (``policy``, ``versioning``, ``logging``...): for a
    pulumi-aws bucket None where the planned state holds the placeholder of a block left unset."""
    if bucket.resource_type == NATIVE_BUCKET:
        return get(bucket.props, key)
    return own_or_unset(bucket, key)


def inline_sse(bucket: PolicyResource) -> tuple[str, list[Any], str] | None:
    """``(path, rules, by-default key)`` of the bucket's own encryption block, if it has one."""
    props = bucket.props
    if bucket.resource_type == DIRECTORY_BUCKET:
        return None  # pulumi-aws's directory bucket has no encryption block: a companion sets it
    if bucket.resource_type in (NATIVE_BUCKET, NATIVE_DIRECTORY_BUCKET):
        rules = get(props, "bucketEncryption.serverSideEncryptionConfiguration")
        if rules is None:
            return None
        return (
            "bucketEncryption.serverSideEncryptionConfiguration",
            items(rules),
            "serverSideEncryptionByDefault",
        )
    if bucket.resource_type == BUCKET_V2:
        configs = [c for c in items(inline_block(bucket, "serverSideEncryptionConfigurations")) if is_map(c)]
        if not configs:
            return None
        rules = [r for c in configs for r in items(get(c, "rules"))]
        # BucketV2's nested blocks are lists, this one named in the plural (at most one item).
        return "serverSideEncryptionConfigurations[].rules", rules, "applyServerSideEncryptionByDefaults"
    rule = get(inline_block(bucket, "serverSideEncryptionConfiguration"), "rule")
    if rule is None:
        return None
    return "serverSideEncryptionConfiguration.rule", items(rule), "applyServerSideEncryptionByDefault"


def inline_logging(bucket: PolicyResource) -> bool:
    props = bucket.props
    if bucket.resource_type == NATIVE_BUCKET:
        return is_map(get(props, "loggingConfiguration"))
    if bucket.resource_type == BUCKET_V2:
        return any(is_set(get(entry, "targetBucket")) for entry in items(inline_block(bucket, "loggings")))
    return is_set(get(inline_block(bucket, "logging"), "targetBucket"))
