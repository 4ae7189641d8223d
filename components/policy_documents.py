"""Builders for IAM and resource policy documents shared by the components.

Documents are plain dicts that may hold ``pulumi.Input`` values; :func:`render` makes them JSON
text (:func:`components.json_text.json_text`). Every builder scopes its statement to named resources: the few
actions AWS only authorises on ``"Resource": "*"`` say so where they are built.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from .limits import region_problem
from .observability.explainability_config import CLARIFY_SHADOW_ENDPOINT_PREFIX
from .output_text import concat, json_text

Statement = dict[str, Any]

# Actions for using a customer-managed key for envelope encryption (S3, EBS volumes, logs).
KMS_USE_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]


def document(*statements: Statement) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def render(policy: dict[str, Any]) -> pulumi.Output[str]:
    return json_text(policy)


def service_trust(service: str, account_id: str) -> dict[str, Any]:
    """A trust policy for ``service`` that only acts on behalf of ``account_id`` (confused deputy guard)."""
    return document(
        {
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
        }
    )


def deny_insecure_transport(action: str, resource: pulumi.Input[str] | list[pulumi.Input[str]]) -> Statement:
    """A resource-policy statement denying ``action`` to any request not made over TLS."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": action,
        "Resource": resource,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def deny_outdated_tls(bucket_arn: pulumi.Input[str]) -> Statement:
    """Deny S3 requests made with TLS older than 1.2."""
    return {
        "Sid": "DenyOutdatedTls",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, concat(bucket_arn, "/*")],
        "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
    }


def bucket_location(bucket_arn: pulumi.Input[str]) -> Statement:
    """Find the bucket's region (SDKs and SageMaker ask before they read or write).

    A statement of its own: a GetBucketLocation request carries no ``s3:prefix``, so a statement
    that also lists the bucket under an ``s3:prefix`` condition would never grant it.
    """
    return {"Effect": "Allow", "Action": "s3:GetBucketLocation", "Resource": bucket_arn}


def s3_read(bucket_arn: pulumi.Input[str], prefixes: Sequence[pulumi.Input[str]] = ("",)) -> list[Statement]:
    """List the bucket under ``prefixes``, find its region and read the prefixes' objects. A prefix
    may be an Output (a folder named by a physical name), never an empty one."""
    objects = [concat(bucket_arn, "/", prefix, "*") for prefix in prefixes]
    list_statement: Statement = {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": bucket_arn}
    if any(prefixes):
        list_statement["Condition"] = {
            "StringLike": {
                "s3:prefix": [
                    f"{prefix}*" if isinstance(prefix, str) else concat(prefix, "*") for prefix in prefixes
                ]
            }
        }
    return [
        list_statement,
        bucket_location(bucket_arn),
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion"], "Resource": objects},
    ]


def s3_read_write(
    bucket_arn: pulumi.Input[str], prefixes: Sequence[pulumi.Input[str]] = ("",)
) -> list[Statement]:
    """Read, write and delete objects under ``prefixes`` (multipart uploads included)."""
    objects = [concat(bucket_arn, "/", prefix, "*") for prefix in prefixes]
    return [
        *s3_read(bucket_arn, prefixes),
        {
            "Effect": "Allow",
            "Action": [
                "s3:PutObject",
                "s3:DeleteObject",
                "s3:AbortMultipartUpload",
                "s3:ListMultipartUploadParts",
            ],
            "Resource": objects,
        },
    ]


@dataclass(frozen=True)
class SharedObjects:
    """S3 objects another account shares with this one: the owner and the objects' ARNs."""

    owner_account: str
    object_arns: tuple[str, ...]


def model_artifacts_read(account_id: str, urls: Iterable[str | None]) -> list[Statement]:
    """Read the model artifacts a spec names by URI (``model_data_url``), exactly those objects, in
    any bucket of ``account_id``: a team's own bucket or prefix, not only the artifact bucket's
    ``models/`` (a model whose role cannot read its artifact fails only when SageMaker deploys it).

    A key may hold ``*``, ``?`` or ``$``, which an IAM resource reads as wildcards or a policy
    variable: they are written as IAM's escapes (``${*}``...), so a URL names its one object and no
    other. ``s3:ResourceAccount`` keeps the read in the account (a bucket name is global: one that
    is mistyped or deleted could be another account's); another account's artifacts are read
    through ``shared_model_objects``."""
    objects = sorted({s3_url_arn(url) for url in urls if url})
    if not objects:
        return []
    return [
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:GetObjectVersion"],
            "Resource": objects,
            "Condition": {"StringEquals": {"s3:ResourceAccount": account_id}},
        }
    ]


def s3_url_arn(url: str) -> str:
    """The ARN of what the ``s3://`` ``url`` names, as IAM matches it literally (a ``*``, ``?`` or
    ``$`` of a key is escaped): a URL someone else wrote (a registered version's ``ModelDataUrl``)
    names its one object, never a pattern."""
    return f"arn:aws:s3:::{literal_arn_text(url.removeprefix('s3://'))}"


_IAM_SPECIAL = re.compile(r"[*?$]")


def literal_arn_text(text: str) -> str:
    """``text`` as an IAM resource matches it literally: ``*``, ``?`` and ``$`` as ``${*}``,
    ``${?}`` and ``${$}`` (IAM's escapes, in a policy of version 2012-10-17)."""
    return _IAM_SPECIAL.sub(lambda found: "${" + found[0] + "}", text)


def shared_s3_read(region: str, owner_account: str, object_arns: Sequence[str]) -> list[Statement]:
    """Read objects another account shares with this one (cross-account model promotion).

    The owner's bucket policy and key policy must allow this account (a producer stack's
    ``consumer_accounts`` do); this side may then read exactly ``object_arns`` and decrypt them
    with the owner's keys, only through S3.
    """
    if not object_arns:
        return []
    return [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion"], "Resource": list(object_arns)},
        {
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": f"arn:aws:kms:{region}:{owner_account}:key/*",
            "Condition": {"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}},
        },
    ]


def shared_s3_list(bucket: str, prefix: str) -> Statement:
    """List one folder of another account's bucket: jobs that download a folder or a file as an S3
    prefix list it first, and a missing object then reads as missing rather than denied."""
    return {
        "Effect": "Allow",
        "Action": "s3:ListBucket",
        "Resource": f"arn:aws:s3:::{literal_arn_text(bucket)}",
        "Condition": {"StringLike": {"s3:prefix": [f"{literal_arn_text(prefix)}*"]}},
    }


def processing_jobs_as(region: str, account_id: str, roles: Sequence[pulumi.Input[str]]) -> list[Statement]:
    """What a pipeline's role needs to run processing jobs as ``roles``: create, watch, stop and tag
    them, and pass them those roles (to SageMaker only)."""
    return [
        {
            "Effect": "Allow",
            "Action": [
                "sagemaker:CreateProcessingJob",
                "sagemaker:DescribeProcessingJob",
                "sagemaker:StopProcessingJob",
                "sagemaker:AddTags",
            ],
            "Resource": f"arn:aws:sagemaker:{region}:{account_id}:processing-job/*",
        },
        {
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": list(roles),
            "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
        },
    ]


def clarify_shadow_endpoints(
    region: str, account_id: str, prefix: str = CLARIFY_SHADOW_ENDPOINT_PREFIX
) -> list[Statement]:
    """What a Clarify explainability job's role needs to compute SHAP values: create its shadow
    endpoint (endpoint config, then endpoint) from the model the analysis config names, watch it,
    invoke it and delete both, all only under the ``prefix`` Clarify names them with. Clarify tags
    what it creates (CreateEndpointConfig with tags is also authorised as ``sagemaker:AddTags`` on
    the new config: a Clarify job without it failed with "not authorized to perform:
    sagemaker:AddTags on resource: ...:endpoint-config/sm-clarify-config-<time>-<id>"), so the
    role may tag those two kinds of resource under the prefix. No ``iam:PassRole``:
    CreateEndpointConfig and CreateEndpoint pass no role (the model's execution role was passed
    when the model was created), and no other endpoint (a production endpoint would serve the
    synthetic SHAP traffic and capture it with the real requests)."""
    arn = f"arn:aws:sagemaker:{region}:{account_id}"
    configs, endpoints = f"{arn}:endpoint-config/{prefix}*", f"{arn}:endpoint/{prefix}*"
    return [
        {
            "Effect": "Allow",
            "Action": [
                "sagemaker:CreateEndpointConfig",
                "sagemaker:DescribeEndpointConfig",
                "sagemaker:DeleteEndpointConfig",
                "sagemaker:AddTags",
            ],
            "Resource": configs,
        },
        {
            # CreateEndpoint is authorised on the endpoint and on the endpoint config it uses.
            "Effect": "Allow",
            "Action": "sagemaker:CreateEndpoint",
            "Resource": [endpoints, configs],
        },
        {
            "Effect": "Allow",
            "Action": [
                "sagemaker:DescribeEndpoint",
                "sagemaker:InvokeEndpoint",
                "sagemaker:DeleteEndpoint",
                "sagemaker:AddTags",
            ],
            "Resource": endpoints,
        },
    ]


def kms_use(key_arns: Sequence[pulumi.Input[str]]) -> list[Statement]:
    """Use the keys for encryption, and let AWS services create the grants they need on them."""
    return [
        {"Effect": "Allow", "Action": KMS_USE_ACTIONS, "Resource": list(key_arns)},
        {
            "Effect": "Allow",
            "Action": "kms:CreateGrant",
            "Resource": list(key_arns),
            # SageMaker creates grants for the volumes it attaches; nobody else needs one.
            "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
        },
    ]


def vpc_network_interfaces(
    region: str,
    account_id: str,
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]],
    security_group_ids: pulumi.Input[Sequence[pulumi.Input[str]]],
) -> list[Statement]:
    """What SageMaker needs to attach a job or endpoint to the platform's private subnets.

    The id lists may be outputs as a whole (another component's, or another language's), so the
    ARNs are built once they resolve."""
    ec2 = f"arn:aws:ec2:{region}:{account_id}"
    attachable = pulumi.Output.all(
        pulumi.Output.from_input(subnet_ids), pulumi.Output.from_input(security_group_ids)
    ).apply(
        lambda ids: [
            f"{ec2}:network-interface/*",
            *(f"{ec2}:subnet/{subnet}" for subnet in ids[0]),
            *(f"{ec2}:security-group/{group}" for group in ids[1]),
        ]
    )
    return [
        {
            "Effect": "Allow",
            "Action": ["ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission"],
            "Resource": attachable,
        },
        {
            "Effect": "Allow",
            "Action": ["ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission"],
            "Resource": f"{ec2}:network-interface/*",
        },
        {
            # EC2 Describe* actions have no resource-level permissions: AWS requires "*".
            "Effect": "Allow",
            "Action": [
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeVpcs",
                "ec2:DescribeDhcpOptions",
                "ec2:DescribeSubnets",
                "ec2:DescribeSecurityGroups",
            ],
            "Resource": "*",
        },
    ]


def sagemaker_logs_and_metrics(region: str, account_id: str) -> list[Statement]:
    """Write job and endpoint logs to /aws/sagemaker/* groups and metrics to /aws/sagemaker/* namespaces."""
    return [
        {
            "Effect": "Allow",
            "Action": [
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "logs:DescribeLogStreams",
            ],
            "Resource": [
                f"arn:aws:logs:{region}:{account_id}:log-group:/aws/sagemaker/*",
                f"arn:aws:logs:{region}:{account_id}:log-group:/aws/sagemaker/*:log-stream:*",
            ],
        },
        {
            # cloudwatch:PutMetricData has no resource-level permissions: AWS requires "*";
            # the namespace condition is what scopes it.
            "Effect": "Allow",
            "Action": "cloudwatch:PutMetricData",
            "Resource": "*",
            "Condition": {"StringLike": {"cloudwatch:namespace": ["/aws/sagemaker/*", "aws/sagemaker/*"]}},
        },
    ]


def _ecr_pull_from(repositories: list[str]) -> list[Statement]:
    """Pull images from these repository ARNs (patterns allowed)."""
    return [
        {
            # ecr:GetAuthorizationToken has no resource-level permissions: AWS requires "*".
            "Effect": "Allow",
            "Action": "ecr:GetAuthorizationToken",
            "Resource": "*",
        },
        {
            "Effect": "Allow",
            "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
            "Resource": repositories,
        },
    ]


def ecr_pull(region: str, registry_account_ids: Sequence[str]) -> list[Statement]:
    """Pull images from the given registries (the platform's own account and trusted ones), each
    account's once: a trusted list may repeat an account or hold the platform's own, which IAM takes
    and which pulls nothing more."""
    return _ecr_pull_from(
        [f"arn:aws:ecr:{region}:{account}:repository/*" for account in dict.fromkeys(registry_account_ids)]
    )


_ECR_IMAGE = re.compile(
    r"^(?P<account>[0-9]{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com"
    r"/(?P<repository>[a-z0-9._/-]+?)(?:[:@].*)?\Z"
)


def ecr_repository_arn(image_uri: str) -> str:
    """The ECR repository an image URI (``<account>.dkr.ecr.<region>.amazonaws.com/<repo>[:tag]``,
    with or without a tag or digest) names; ValueError for anything else, and for a region of
    another partition (China's ``amazonaws.com.cn`` hosts, GovCloud's): the components build in the
    commercial partition only (:func:`~components.limits.region_problem`), whose ARNs are ``arn:aws:``."""
    found = _ECR_IMAGE.match(image_uri)
    if found is None:
        raise ValueError(
            f"{image_uri!r} is not an Amazon ECR image URI of the commercial partition "
            "(<account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag])"
        )
    problem = region_problem(found["region"])
    if problem:
        raise ValueError(f"{image_uri!r}: {problem}")
    return f"arn:aws:ecr:{found['region']}:{found['account']}:repository/{found['repository']}"


def ecr_pull_images(image_uris: Iterable[str]) -> list[Statement]:
    """Pull exactly these images' repositories: the SageMaker-provided images (framework, Model
    Monitor, Clarify, SageMaker Distribution) a role's jobs or models run from AWS's registry
    accounts. SageMaker pulls a job's or model's image with its execution role ("Scope Amazon ECR
    permissions to the registry path (AlgorithmSpecification.TrainingImage / AppSpecification.ImageUri
    / PrimaryContainer.Image)", sagemaker-roles.html), AWS's own images included (AWS's
    AmazonSageMakerModelCustomizationCoreAccess grants ECR pulls "to support cross-account pulls
    from AWS Deep Learning Container accounts"). Empty when there are none."""
    repositories = sorted({ecr_repository_arn(uri) for uri in image_uris})
    return _ecr_pull_from(repositories) if repositories else []
