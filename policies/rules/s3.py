"""S3 rules: public access, TLS-only access, SSE-KMS and the per-bucket security baseline.

Companion resources (public access block, policy, versioning, encryption) are matched to
their bucket through the engine's property dependencies on their ``bucket`` input, which
is how a program wires ``bucket=my_bucket.id``; a literal ``bucket`` name equal to the
bucket's ``bucket`` input is accepted too.

Access-log buckets: S3 server access logging only delivers to buckets encrypted with
SSE-S3 (AES256), so a bucket tagged ``mlops:data-class = access-logs`` may use AES256.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import PolicyResource, ResourceValidationArgs, StackValidationArgs

from ._common import (
    CHECKOV,
    FSBP,
    HIGH,
    MANDATORY,
    deps,
    framework,
    get,
    get_or_none,
    is_false,
    is_map,
    is_set,
    is_true,
    items,
    of_type,
    parse_json,
    per_resource,
    policy_statements,
    resource_rule,
    shown,
    stack_rule,
    tag_map,
)

BUCKET_TYPES = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
SSE_TYPES = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
VERSIONING_TYPES = (
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2",
)

ACCESS_LOG_TAG_KEY = "mlops:data-class"
ACCESS_LOG_TAG_VALUE = "access-logs"
PUBLIC_ACCESS_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")

Check = Iterator[str]
StackFindings = Iterator[tuple[str, str | None]]


def is_tls_only(document: Any) -> bool:
    """A Deny statement conditioned on ``Bool aws:SecureTransport = false``."""
    for statement in policy_statements(document):
        if statement.get("Effect") != "Deny" or not is_map(statement.get("Condition")):
            continue
        for operator in ("Bool", "BoolIfExists"):
            block = statement["Condition"].get(operator)
            if not is_map(block):
                continue
            for key, value in block.items():
                if key.lower() == "aws:securetransport" and any(is_false(v) for v in items(value)):
                    return True
    return False


def is_access_log_bucket(bucket: PolicyResource) -> bool:
    tags = tag_map(get_or_none(bucket.props, "tagsAll")) | tag_map(get_or_none(bucket.props, "tags"))
    return tags.get(ACCESS_LOG_TAG_KEY) == ACCESS_LOG_TAG_VALUE


def _buckets_of(companion: PolicyResource, buckets: list[PolicyResource]) -> list[PolicyResource]:
    """The bucket(s) a companion resource configures."""
    found = [d for d in deps(companion, "bucket") if d.resource_type in BUCKET_TYPES]
    if found:
        return found
    name = get_or_none(companion.props, "bucket")
    return [b for b in buckets if name is not None and get_or_none(b.props, "bucket") == name]


# --- resource rules --------------------------------------------------------------------


def _public_access_blocked(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    off = [flag for flag in PUBLIC_ACCESS_FLAGS if not is_true(get(args.props, flag))]
    if off:
        yield f"{', '.join(off)} not true: set all four of {', '.join(PUBLIC_ACCESS_FLAGS)} to True."


def _bucket_policy_tls_only(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    if not is_tls_only(parse_json(get(args.props, "policy"))):
        yield (
            "policy has no Deny statement with Condition {'Bool': {'aws:SecureTransport': 'false'}}: add "
            "one denying s3:* on the bucket and its objects to every principal."
        )


s3_public_access_blocked = resource_rule(
    name="s3-public-access-blocked",
    description=(
        "S3 public access blocks must set all four flags. Fix: set blockPublicAcls, "
        "blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets to true."
    ),
    resource_types=[PUBLIC_ACCESS_BLOCK],
    check=_public_access_blocked,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(CHECKOV, "CKV_AWS_53", "CKV_AWS_54, CKV_AWS_55, CKV_AWS_56; FSBP S3.8"),
    tags=["s3", "public-access"],
)

s3_bucket_policy_tls_only = resource_rule(
    name="s3-bucket-policy-tls-only",
    description=(
        "S3 bucket policies must deny requests that do not use TLS. Fix: add a Deny statement "
        "with Condition Bool aws:SecureTransport = false."
    ),
    resource_types=[BUCKET_POLICY],
    check=_bucket_policy_tls_only,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(FSBP, "S3.5"),
    tags=["s3", "encryption-in-transit"],
)


# --- stack rules -----------------------------------------------------------------------


def _sse_findings(rules: Any, path: str, bucket: PolicyResource | None) -> Check:
    rules = [r for r in items(rules) if is_map(r)]
    if not rules:
        yield f"{path} is empty: add a rule with sse_algorithm='aws:kms' and kms_master_key_id."
    for index, rule in enumerate(rules):
        default = f"{path}[{index}].applyServerSideEncryptionByDefault"
        algorithm = get(rule, "applyServerSideEncryptionByDefault.sseAlgorithm")
        if algorithm in ("aws:kms", "aws:kms:dsse"):
            if not is_set(get(rule, "applyServerSideEncryptionByDefault.kmsMasterKeyId")):
                yield (
                    f"{default}.kmsMasterKeyId is unset (the AWS-managed aws/s3 key): set "
                    "kms_master_key_id to a customer-managed KMS key."
                )
        elif algorithm == "AES256" and bucket is not None and is_access_log_bucket(bucket):
            continue  # access-log delivery only supports SSE-S3
        else:
            yield (
                f"{default}.sseAlgorithm is {shown(algorithm)}: use 'aws:kms' with a customer-managed key "
                f"(AES256 is allowed only on buckets tagged {ACCESS_LOG_TAG_KEY}={ACCESS_LOG_TAG_VALUE})."
            )


def _sse_kms_encrypted(args: StackValidationArgs, _: Mapping[str, Any]) -> StackFindings:
    buckets = of_type(args.resources, BUCKET_TYPES)

    def check_config(config: PolicyResource) -> StackFindings:
        targets = _buckets_of(config, buckets)
        bucket = targets[0] if targets else None
        for message in _sse_findings(get(config.props, "rules"), "rules", bucket):
            yield message, config.urn

    def check_inline(bucket: PolicyResource) -> StackFindings:
        inline = get(bucket.props, "serverSideEncryptionConfiguration.rule")
        if inline is not None:  # deprecated inline form on the bucket itself
            for message in _sse_findings(inline, "serverSideEncryptionConfiguration.rule", bucket):
                yield message, bucket.urn

    yield from per_resource(args.resources, SSE_TYPES, check_config)
    yield from per_resource(args.resources, BUCKET_TYPES, check_inline)


def _bucket_baseline(args: StackValidationArgs, _: Mapping[str, Any]) -> StackFindings:
    buckets = of_type(args.resources, BUCKET_TYPES)

    def companions(bucket: PolicyResource, types: tuple[str, ...]) -> list[PolicyResource]:
        return [
            c
            for c in of_type(args.resources, types)
            if any(b.urn == bucket.urn for b in _buckets_of(c, buckets))
        ]

    def check(bucket: PolicyResource) -> StackFindings:
        missing: list[str] = []
        blocks = companions(bucket, (PUBLIC_ACCESS_BLOCK,))
        if not any(all(is_true(get(b.props, f)) for f in PUBLIC_ACCESS_FLAGS) for b in blocks):
            missing.append("a BucketPublicAccessBlock with all four flags true")
        policies = [parse_json(get(p.props, "policy")) for p in companions(bucket, (BUCKET_POLICY,))]
        policies.append(parse_json(get(bucket.props, "policy")))
        if not any(is_tls_only(doc) for doc in policies):
            missing.append("a TLS-only BucketPolicy (Deny when aws:SecureTransport is false)")
        versioned = is_true(get(bucket.props, "versioning.enabled")) or any(
            get(v.props, "versioningConfiguration.status") == "Enabled"
            for v in companions(bucket, VERSIONING_TYPES)
        )
        if not versioned:
            missing.append("a BucketVersioning with versioningConfiguration.status='Enabled'")
        if not (
            companions(bucket, SSE_TYPES) or is_set(get(bucket.props, "serverSideEncryptionConfiguration"))
        ):
            missing.append("a BucketServerSideEncryptionConfiguration")
        if missing:
            yield (
                (
                    f"bucket {bucket.name!r} lacks {'; '.join(missing)}: create them with bucket=<bucket>.id "
                    "so the dependency is recorded."
                ),
                bucket.urn,
            )

    yield from per_resource(args.resources, BUCKET_TYPES, check)


s3_sse_kms_encrypted = stack_rule(
    name="s3-sse-kms-encrypted",
    description=(
        "S3 buckets must default to SSE-KMS with a customer-managed key. Fix: set "
        "rules[].applyServerSideEncryptionByDefault.sseAlgorithm='aws:kms' and kmsMasterKeyId. "
        "Exemption: buckets tagged mlops:data-class=access-logs may use AES256, the only "
        "encryption S3 access-log delivery supports."
    ),
    check=_sse_kms_encrypted,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(CHECKOV, "CKV_AWS_145"),
    tags=["s3", "encryption"],
)

s3_bucket_security_baseline = stack_rule(
    name="s3-bucket-security-baseline",
    description=(
        "Every S3 bucket needs a public access block (four flags), a TLS-only bucket policy, "
        "versioning Enabled and a default-encryption configuration. Fix: create the missing "
        "companion resources with bucket=<bucket>.id."
    ),
    check=_bucket_baseline,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(FSBP, "S3.5", "S3.8, S3.14; Checkov CKV_AWS_21, CKV_AWS_53-56"),
    tags=["s3"],
)

POLICIES = [
    s3_public_access_blocked,
    s3_bucket_policy_tls_only,
    s3_sse_kms_encrypted,
    s3_bucket_security_baseline,
]
