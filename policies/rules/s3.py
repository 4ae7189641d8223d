"""S3 rules: public access, bucket policies (TLS-only, no public allows), SSE-KMS, access
logging and the per-bucket security baseline; pulumi-aws and aws-native types.

Companion resources (public access block, policy, versioning, encryption, logging) are
matched to their bucket through the engine's property dependencies on their ``bucket``
input, which is how a program wires ``bucket=my_bucket.id``; a literal ``bucket`` name equal
to the bucket's name (``bucket``/``bucketName`` input, or ``id`` in outputs) is accepted too
(``_s3_buckets``). Bucket policies are read by ``_bucket_policy``.

Stack rules see inputs at preview but *outputs* after create (``pulumi up``). A new
``aws.s3.Bucket``'s outputs carry computed values (``id``, ``arn``, a resolved ``bucket``,
``serverSideEncryptionConfiguration`` = S3's default AES256, ``versioning.enabled=false``)
even when companions configure it, so companions always win over the bucket's own
deprecated inline blocks, and a bucket with neither is judged as S3 leaves it (SSE-S3, no
logging) in both shapes. What a stack rule cannot decide (an unknown value) is counted and
reported as undecided.

Access-log buckets: S3 server access logging only delivers to buckets encrypted with
SSE-S3 (AES256), so a bucket tagged ``mlops:data-class = access-logs`` may use AES256 and
needs no access logging of its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import partial
from typing import Any

from pulumi_policy import PolicyResource, ResourceValidationArgs, StackValidationArgs
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from ._bucket_policy import RESTRICTING_HINT, public_allows, tls_only_problems
from ._common import (
    ARN_PATTERN_HINT,
    CHECKOV,
    FSBP,
    HIGH,
    MANDATORY,
    MEDIUM,
    StackIndex,
    framework,
    get,
    get_or_none,
    is_map,
    is_set,
    is_true,
    items,
    parse_json,
    resource_rule,
    shown,
    stack_rule,
)
from ._deny_credit import credited
from ._s3_buckets import (
    ACCESS_LOG_TAG_KEY,
    ACCESS_LOG_TAG_VALUE,
    ACCOUNT_PUBLIC_ACCESS_BLOCK,
    ALL_BUCKET_TYPES,
    BUCKET,
    BUCKET_TYPES,
    BUCKET_V2,
    KMS_ALGORITHMS,
    LOGGING_TYPES,
    NATIVE_BUCKET,
    PARTITIONS,
    POLICY_TYPES,
    PUBLIC_ACCESS_BLOCK,
    PUBLIC_ACCESS_FLAGS,
    SSE_TYPES,
    VERSIONING_TYPES,
    Companions,
    bucket_arns,
    inline_block,
    inline_logging,
    inline_sse,
    is_access_log_bucket,
    is_aws_managed_key,
    policy_document,
    unlinked_unknown,
    unresolved,
)
from ._undecided import Undecided

Check = Iterator[str]
StackFindings = Iterator[tuple[str, str | None]]


# --- resource rules --------------------------------------------------------------------


#: Access points carry their own public access block, every flag true unless set false (S3's
#: default for access points, as pulumi-aws documents): type -> the block's path.
ACCESS_POINT_BLOCKS = {
    "aws:s3/accessPoint:AccessPoint": "publicAccessBlockConfiguration",
    "aws-native:s3:AccessPoint": "publicAccessBlockConfiguration",
    "aws-native:s3express:AccessPoint": "publicAccessBlockConfiguration",
    "aws-native:s3:MultiRegionAccessPoint": "publicAccessBlockConfiguration",
    "aws:s3control/multiRegionAccessPoint:MultiRegionAccessPoint": "details.publicAccessBlock",
}


def _access_point_blocked(args: ResourceValidationArgs) -> Check:
    path = ACCESS_POINT_BLOCKS[args.resource_type]
    block = get(args.props, path)
    if block is None:
        return  # unset: S3 blocks all four for the access point
    off = [
        f"{path}.{flag}"
        for flag in PUBLIC_ACCESS_FLAGS
        if get(block, flag) is not None and not is_true(get(block, flag))
    ]
    if off:
        yield (
            f"{', '.join(off)} not true: an access point's public access block may only be stricter than "
            f"the bucket's; leave the flags unset or set all four of {', '.join(PUBLIC_ACCESS_FLAGS)} to True."
        )


def _public_access_blocked(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    if args.resource_type in ACCESS_POINT_BLOCKS:
        yield from _access_point_blocked(args)
        return
    prefix = ""
    props = args.props
    if args.resource_type == NATIVE_BUCKET:
        props = get(props, "publicAccessBlockConfiguration")
        if props is None:  # the baseline rule demands it; a PublicAccessBlock resource may supply it
            return
        prefix = "publicAccessBlockConfiguration."
    off = [prefix + flag for flag in PUBLIC_ACCESS_FLAGS if not is_true(get(props, flag))]
    if off:
        yield f"{', '.join(off)} not true: set all four of {', '.join(PUBLIC_ACCESS_FLAGS)} to True."


def _bucket_policy_tls_only(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    document = policy_document(args.resource_type, args.props)
    if args.resource_type in BUCKET_TYPES and not is_set(document):
        return  # no inline policy: the baseline rule asks for a BucketPolicy
    name = get_or_none(args.props, "bucket")  # a literal name pins the ARNs; an Output is unknown here
    arns = [f"arn:{p}:s3:::{name}" for p in PARTITIONS] if isinstance(name, str) and name else None
    problems = tls_only_problems(parse_json(document, strict=True), arns)
    if problems:
        yield (
            f"policy is not TLS-only: {'; '.join(problems)}. Fix: add a statement Deny, Principal '*', "
            "Action 's3:*', Resource [<bucket ARN>, <bucket ARN>/*], Condition {'Bool': "
            "{'aws:SecureTransport': 'false'}} and nothing else."
        )


def _bucket_policy_not_public(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    document = policy_document(args.resource_type, args.props)
    if not is_set(document):
        return
    parsed = parse_json(document, strict=True)
    if parsed is None:
        yield "policy is not valid JSON (or repeats a key in one object, which AWS may read either way): fix the document."
        return
    # A Deny to everyone outside fixed values of one aws: key, covering the Allow's actions and
    # resources, restricts it as a condition would (``_deny_credit``: the VPC endpoint pattern).
    # Block Public Access judges the same way: S3 decides "public" with Zelkova, which reads a
    # policy's whole semantics, Denies included (Backes et al., "Semantic Analysis of AWS Access
    # Control", HCSS 2019: "the basis for the recently launched S3 Block Public Access feature"),
    # so a credited policy is not one BlockPublicPolicy rejects at deploy.
    # A Deny's ``StringNotEquals`` value is read as S3 reads an Allow's ``StringEquals`` one
    # (:func:`public_allows`): a ``*`` or ``?`` in it is a wildcard, so the Deny pins nothing.
    for finding in public_allows(parsed, credit=partial(credited, literal=False)):
        yield (
            f"{finding}: name the principals (account, role or service), or pin the statement with "
            f"a condition on fixed values of {RESTRICTING_HINT} (or aws:PrincipalAccount, aws:SourceIp); "
            f"{ARN_PATTERN_HINT}."
        )


s3_public_access_blocked = resource_rule(
    name="s3-public-access-blocked",
    description=(
        "S3 public access blocks must set all four flags. Fix: set blockPublicAcls, "
        "blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets to true (on an aws-native "
        "bucket: under publicAccessBlockConfiguration; account-level blocks too); an access point's "
        "or Multi-Region Access Point's block may leave a flag unset (true) but never set it false."
    ),
    resource_types=[PUBLIC_ACCESS_BLOCK, ACCOUNT_PUBLIC_ACCESS_BLOCK, NATIVE_BUCKET, *ACCESS_POINT_BLOCKS],
    check=_public_access_blocked,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(CHECKOV, "CKV_AWS_53", "CKV_AWS_54, CKV_AWS_55, CKV_AWS_56; FSBP S3.8, S3.19, S3.24"),
    tags=["s3", "public-access"],
)

s3_bucket_policy_tls_only = resource_rule(
    name="s3-bucket-policy-tls-only",
    description=(
        "S3 bucket policies must deny every request that does not use TLS. Fix: add a Deny "
        "statement for Principal '*', Action 's3:*', Resource the bucket ARN and <ARN>/*, with "
        "only Condition Bool aws:SecureTransport = false."
    ),
    resource_types=[*POLICY_TYPES, BUCKET, BUCKET_V2],
    check=_bucket_policy_tls_only,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(FSBP, "S3.5"),
    tags=["s3", "encryption-in-transit"],
)

s3_bucket_policy_not_public = resource_rule(
    name="s3-bucket-policy-not-public",
    description=(
        "S3 bucket policies must not Allow Principal '*' (or use NotPrincipal) unless a condition "
        "pins fixed values of aws:SourceArn, aws:SourceAccount, aws:SourceVpce, aws:SourceVpc, "
        "aws:PrincipalOrgID, aws:PrincipalAccount or aws:SourceIp. Fix: name the principals or "
        "add such a condition."
    ),
    resource_types=[*POLICY_TYPES, BUCKET, BUCKET_V2],
    check=_bucket_policy_not_public,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(CHECKOV, "CKV_AWS_70", "FSBP S3.2, S3.3"),
    tags=["s3", "public-access"],
)


# --- stack rules -----------------------------------------------------------------------


def _sse_findings(rules: Any, path: str, access_log: bool | None, by_default: str) -> Check:
    """``access_log``: every bucket the rules may configure is an access-log bucket (AES256 allowed);
    None when the bucket is not known yet (an AES256 rule is then undecided, a KMS one still judged)."""
    rules = [r for r in items(rules) if is_map(r)]
    if not rules:
        yield f"{path} is empty: add a rule with sse_algorithm='aws:kms' and kms_master_key_id."
    found, undecided = False, False
    for index, rule in enumerate(rules):
        default = f"{path}[{index}].{by_default}"
        algorithm = get(rule, f"{by_default}.sseAlgorithm")
        key = get(rule, f"{by_default}.kmsMasterKeyId")
        if algorithm in KMS_ALGORITHMS:
            if not is_set(key):
                found = True
                yield (
                    f"{default}.kmsMasterKeyId is unset (the AWS-managed aws/s3 key): set "
                    "kms_master_key_id to a customer-managed KMS key."
                )
            elif is_aws_managed_key(key):
                found = True
                yield (
                    f"{default}.kmsMasterKeyId is {shown(key)}, the AWS-managed key: set "
                    "kms_master_key_id to a customer-managed KMS key."
                )
        elif algorithm == "AES256" and access_log:
            continue  # access-log delivery only supports SSE-S3
        elif algorithm == "AES256" and access_log is None:
            undecided = True  # after the other rules: what they show is decided already
        else:
            found = True
            yield (
                f"{default}.sseAlgorithm is {shown(algorithm)}: use 'aws:kms' with a customer-managed key "
                f"(AES256 is allowed only on buckets tagged {ACCESS_LOG_TAG_KEY}={ACCESS_LOG_TAG_VALUE})."
            )
    if undecided and not found:
        raise UnknownValueError(UNKNOWN_STRING_VALUE, ["bucket"])


def _sse_kms_encrypted(args: StackValidationArgs, _: Mapping[str, Any]) -> StackFindings:
    stack = StackIndex(args.resources)
    companions = Companions(stack)
    configs_unresolved = unresolved(stack.of_type(SSE_TYPES))
    undecided = Undecided()

    def check_config(config: PolicyResource) -> StackFindings:
        # A configuration whose bucket is not known yet may configure any bucket it depends on: AES256
        # only when every one of them is an access-log bucket.
        targets = companions.buckets_of(config)
        access_log: bool | None = bool(targets) and all(is_access_log_bucket(b) for b in targets)
        if unlinked_unknown(config):
            access_log = None  # computed from no bucket of the stack (a random suffix): known after create
        rules = get(config.props, "rules")
        for message in _sse_findings(rules, "rules", access_log, "applyServerSideEncryptionByDefault"):
            yield message, config.urn

    def check_bucket(bucket: PolicyResource) -> StackFindings:
        if companions.of(bucket, SSE_TYPES):
            return  # the configuration resource wins over the bucket's (computed) inline block
        inline = inline_sse(bucket)
        if inline is not None:
            path, rules, by_default = inline
            for message in _sse_findings(rules, path, is_access_log_bucket(bucket), by_default):
                yield message, bucket.urn
            return
        if is_access_log_bucket(bucket):
            return  # S3's default SSE-S3 is what access-log delivery needs
        if configs_unresolved:
            raise UnknownValueError(UNKNOWN_STRING_VALUE, ["bucket"])
        yield (
            (
                f"bucket {bucket.name!r} has no default-encryption configuration (S3 falls back to SSE-S3 "
                "AES256): create an aws.s3.BucketServerSideEncryptionConfiguration with bucket=<bucket>.id, "
                "sse_algorithm='aws:kms' and a customer-managed kms_master_key_id."
            ),
            bucket.urn,
        )

    yield from undecided.each(args.resources, SSE_TYPES, check_config)
    yield from undecided.each(args.resources, ALL_BUCKET_TYPES, check_bucket)
    undecided.raise_if_any()


def _access_logging(args: StackValidationArgs, _: Mapping[str, Any]) -> StackFindings:
    stack = StackIndex(args.resources)
    companions = Companions(stack)
    loggings_unresolved = unresolved(stack.of_type(LOGGING_TYPES))
    undecided = Undecided()

    def check(bucket: PolicyResource) -> StackFindings:
        if is_access_log_bucket(bucket):
            return
        if companions.of(bucket, LOGGING_TYPES) or inline_logging(bucket):
            return
        if loggings_unresolved:
            raise UnknownValueError(UNKNOWN_STRING_VALUE, ["bucket"])
        yield (
            (
                f"bucket {bucket.name!r} has no server access logging: create an aws.s3.BucketLogging with "
                "bucket=<bucket>.id and target_bucket=<the access-log bucket> (aws-native: set "
                f"loggingConfiguration). The log bucket itself is tagged {ACCESS_LOG_TAG_KEY}="
                f"{ACCESS_LOG_TAG_VALUE}."
            ),
            bucket.urn,
        )

    yield from undecided.each(args.resources, BUCKET_TYPES, check)
    undecided.raise_if_any()


def _bucket_baseline(args: StackValidationArgs, _: Mapping[str, Any]) -> StackFindings:
    stack = StackIndex(args.resources)
    companions = Companions(stack).of
    companions_unresolved = unresolved(
        stack.of_type((PUBLIC_ACCESS_BLOCK, *POLICY_TYPES, *VERSIONING_TYPES, *SSE_TYPES))
    )
    undecided = Undecided()

    def blocked(bucket: PolicyResource) -> bool:
        native = (
            get(bucket.props, "publicAccessBlockConfiguration")
            if bucket.resource_type == NATIVE_BUCKET
            else None
        )
        blocks = [b.props for b in companions(bucket, (PUBLIC_ACCESS_BLOCK,))] + ([native] if native else [])
        return any(all(is_true(get(b, f)) for f in PUBLIC_ACCESS_FLAGS) for b in blocks)

    def tls_only(bucket: PolicyResource) -> bool:
        documents = [policy_document(p.resource_type, p.props) for p in companions(bucket, POLICY_TYPES)]
        if bucket.resource_type != NATIVE_BUCKET:
            documents.append(inline_block(bucket, "policy"))
        arns = bucket_arns(bucket)
        return any(is_set(d) and not tls_only_problems(parse_json(d, strict=True), arns) for d in documents)

    def versioned(bucket: PolicyResource) -> bool:
        configs = companions(bucket, VERSIONING_TYPES)
        if configs:
            # Versioning resources are applied after the bucket: their status is the bucket's, and
            # one that suspends versioning undoes the inline block or another resource's Enabled.
            return all(get(v.props, "versioningConfiguration.status") == "Enabled" for v in configs)
        props = bucket.props
        if bucket.resource_type == NATIVE_BUCKET:
            return get(props, "versioningConfiguration.status") == "Enabled"
        return is_true(get(inline_block(bucket, "versioning"), "enabled")) or any(
            is_true(get(v, "enabled")) for v in items(inline_block(bucket, "versionings"))
        )

    def encrypted(bucket: PolicyResource) -> bool:
        if companions(bucket, SSE_TYPES) or is_access_log_bucket(bucket):
            return True
        inline = inline_sse(bucket)
        if inline is None:
            return False
        _, rules, by_default = inline
        # A plain bucket's outputs report S3's default AES256: only an explicit KMS block counts.
        return bucket.resource_type == NATIVE_BUCKET or any(
            get(r, f"{by_default}.sseAlgorithm") in KMS_ALGORITHMS for r in rules
        )

    def check(bucket: PolicyResource) -> StackFindings:
        missing: list[str] = []
        if not blocked(bucket):
            missing.append("a BucketPublicAccessBlock with all four flags true")
        if not tls_only(bucket):
            missing.append(
                "a TLS-only BucketPolicy (Deny Principal '*' Action 's3:*' on the bucket and its objects "
                "when aws:SecureTransport is false)"
            )
        if not versioned(bucket):
            missing.append("a BucketVersioning with versioningConfiguration.status='Enabled'")
        if not encrypted(bucket):
            missing.append("a BucketServerSideEncryptionConfiguration")
        if missing and companions_unresolved:
            raise UnknownValueError(UNKNOWN_STRING_VALUE, ["bucket"])
        if missing:
            yield (
                (
                    f"bucket {bucket.name!r} lacks {'; '.join(missing)}: create them with bucket=<bucket>.id "
                    "so the dependency is recorded (aws-native: publicAccessBlockConfiguration, "
                    "versioningConfiguration, bucketEncryption and an aws-native:s3:BucketPolicy)."
                ),
                bucket.urn,
            )

    yield from undecided.each(args.resources, BUCKET_TYPES, check)
    undecided.raise_if_any()


s3_sse_kms_encrypted = stack_rule(
    name="s3-sse-kms-encrypted",
    description=(
        "S3 buckets, directory buckets (S3 Express One Zone) included, must default to SSE-KMS with a "
        "customer-managed key (not alias/aws/s3). Fix: "
        "create a BucketServerSideEncryptionConfiguration (aws-native: bucketEncryption) with "
        "sseAlgorithm 'aws:kms' (or 'aws:kms:dsse') and kmsMasterKeyId. Exemption: general purpose buckets tagged "
        "mlops:data-class=access-logs may use AES256, the only encryption S3 access-log delivery supports."
    ),
    check=_sse_kms_encrypted,
    enforcement_level=MANDATORY,
    severity=HIGH,
    framework=framework(CHECKOV, "CKV_AWS_145"),
    tags=["s3", "encryption"],
)

s3_bucket_access_logging = stack_rule(
    name="s3-bucket-access-logging",
    description=(
        "Every S3 bucket must have server access logging, except the access-log bucket itself "
        "(tagged mlops:data-class=access-logs). Fix: create an aws.s3.BucketLogging with "
        "bucket=<bucket>.id and target_bucket=<access-log bucket> (aws-native: loggingConfiguration)."
    ),
    check=_access_logging,
    enforcement_level=MANDATORY,
    severity=MEDIUM,
    framework=framework(FSBP, "S3.9", "Checkov CKV_AWS_18"),
    tags=["s3", "logging"],
)

s3_bucket_security_baseline = stack_rule(
    name="s3-bucket-security-baseline",
    description=(
        "Every S3 bucket needs a public access block (four flags), a TLS-only bucket policy, "
        "versioning Enabled and a default-encryption configuration. Fix: create the missing "
        "companion resources with bucket=<bucket>.id (aws-native: the bucket's own blocks)."
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
    s3_bucket_policy_not_public,
    s3_sse_kms_encrypted,
    s3_bucket_access_logging,
    s3_bucket_security_baseline,
]
