"""Session 75's outside check: an adopter's own resources that set a governed property by a path the
pack did not read, one class per section (docs/ and CHANGELOG.md, "Session 75").

* SageMaker's presigned URLs (``CreatePresignedNotebookInstanceUrl``, ``CreatePresignedDomainUrl``)
  open a Jupyter session that runs as the notebook's or the Studio user profile's execution role, and
  "no additional permission is required to access this URL" (SageMaker API Reference): granted on
  every notebook instance or user profile of an account they reach a more privileged role, as
  ``lambda:UpdateFunctionCode`` on every function does.
* S3 Express One Zone directory buckets (``aws:s3/directoryBucket:DirectoryBucket``,
  ``aws-native:s3express:DirectoryBucket``) store data under SSE-S3 unless their default encryption
  names a KMS key (the same BucketServerSideEncryptionConfiguration as a general purpose bucket's,
  terraform-provider-aws#39366, or aws-native ``bucketEncryption``): ``s3-sse-kms-encrypted`` read
  general purpose buckets only. They take no server access logs, so the access-log AES256 exemption
  is not theirs.
* A SageMaker key input the per-type rules judge (``JUDGED_BY_OTHER_RULES`` in
  policies/rules/sagemaker_keys.py, kept complete by tests/policies/test_sagemaker_keys_class_70.py)
  passed with an AWS managed key named by its alias (``alias/aws/sagemaker``, ``alias/aws/ebs``,
  ``alias/aws/s3``): those rules ask only that a key be set, and SageMaker takes an alias name or alias
  ARN wherever it takes a key (API Reference, e.g. OutputDataConfig.KmsKeyId, EndpointConfig KmsKeyId).
  ``sagemaker-keys-customer-managed`` refuses one on every such input; the advisory
  ``sagemaker-stores-customer-managed-key`` reads one on its own inputs as no key of yours.
* A Studio domain, user profile or space names, per app type, the ``defaultResourceSpec`` whose
  ``instanceType`` every app a user opens starts on (pulumi-aws and aws-native, nested in
  ``...Settings`` blocks at several depths): ``instance-type-allowlist`` read Studio apps declared in
  the stack, not these defaults, so a dev domain defaulting JupyterLab to ``ml.p4d.24xlarge`` passed.
"""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.local import evaluate_report
from policies.registry import get_policy, load_pack_config
from policies.rules.sagemaker_keys import JUDGED_BY_OTHER_RULES, STORE_KEYS
from tests.policies import engine_shapes
from tests.policies.conftest import build
from tests.policies.one_resource import assert_decided, findings, json_document

IAM_POLICY = "aws:iam/policy:Policy"
ESCALATION = "iam-no-privilege-escalation"
SAGEMAKER_ARN = "arn:aws:sagemaker:eu-west-1:111122223333:"


def _grant(action: str, resource: str) -> dict[str, str]:
    return _tagged_grant(action, resource, None)


@pytest.mark.parametrize(
    ("action", "resource", "fragment"),
    [
        pytest.param(
            "sagemaker:CreatePresignedNotebookInstanceUrl", "*", "on Resource '*'", id="notebook-url-on-star"
        ),
        pytest.param(
            "sagemaker:CreatePresignedNotebookInstanceUrl",
            f"{SAGEMAKER_ARN}notebook-instance/*",
            "every notebook-instance of the account",
            id="notebook-url-on-every-notebook",
        ),
        pytest.param(
            "sagemaker:CreatePresigned*",
            f"{SAGEMAKER_ARN}notebook-instance/*",
            "every notebook-instance of the account",
            id="wildcard-action-on-every-notebook",
        ),
        pytest.param("sagemaker:CreatePresignedDomainUrl", "*", "on Resource '*'", id="studio-url-on-star"),
        pytest.param(
            "sagemaker:createpresigneddomainurl",
            f"{SAGEMAKER_ARN}user-profile/*/*",
            "every user-profile of the account",
            id="studio-url-on-every-profile-lower-case",
        ),
        pytest.param(
            "sagemaker:CreatePresignedDomainUrl",
            f"{SAGEMAKER_ARN}user-profile/d-*",
            "every user-profile of the account",
            id="studio-url-on-every-domain-id",
        ),
    ],
)
def test_a_presigned_sagemaker_url_on_every_notebook_or_profile_is_an_escalation(
    action: str, resource: str, fragment: str
) -> None:
    assert_decided(findings(ESCALATION, IAM_POLICY, _grant(action, resource)), fragment)


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        pytest.param(
            "sagemaker:CreatePresignedNotebookInstanceUrl",
            f"{SAGEMAKER_ARN}notebook-instance/team-a-*",
            id="notebook-url-on-a-team-prefix",
        ),
        pytest.param(
            "sagemaker:CreatePresignedDomainUrl",
            f"{SAGEMAKER_ARN}user-profile/d-abc123/alice",
            id="studio-url-on-one-profile",
        ),
        pytest.param(
            "sagemaker:DescribeNotebookInstance",
            f"{SAGEMAKER_ARN}notebook-instance/*",
            id="describe-every-notebook",
        ),
    ],
)
def test_a_presigned_url_on_named_notebooks_or_profiles_passes(action: str, resource: str) -> None:
    assert_decided(findings(ESCALATION, IAM_POLICY, _grant(action, resource)), None)


def _tagged_grant(action: Any, resource: str, condition: dict[str, Any] | None) -> dict[str, str]:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition is not None:
        statement["Condition"] = condition
    return {"policy": json_document(statement)}


# The SageMaker Developer Guide's own least-privilege grant ("AmazonSageMakerPresignedUrlPolicy",
# Studio user profiles tagged per user): `*` scoped by the profile's tag. Before session 75 it was
# judged by iam-no-unscoped-sensitive-actions, which honours such a condition, and passed.
STUDIO_USER_TAG = {"StringEquals": {"sagemaker:ResourceTag/studiouserid": "${aws:username}"}}


@pytest.mark.parametrize(
    ("action", "resource", "condition"),
    [
        pytest.param(
            "sagemaker:CreatePresignedDomainUrl", "*", STUDIO_USER_TAG, id="aws-documented-studio-grant"
        ),
        pytest.param(
            "sagemaker:CreatePresignedDomainUrl",
            f"{SAGEMAKER_ARN}user-profile/*/*",
            {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
            id="every-profile-scoped-by-team-tag",
        ),
        pytest.param(
            "sagemaker:CreatePresignedNotebookInstanceUrl",
            "*",
            {"StringEquals": {"sagemaker:ResourceTag/owner": "${aws:username}"}},
            id="notebook-scoped-by-owner-tag",
        ),
    ],
)
def test_a_presigned_url_scoped_by_a_resource_tag_condition_passes(
    action: str, resource: str, condition: dict[str, Any]
) -> None:
    assert_decided(findings(ESCALATION, IAM_POLICY, _tagged_grant(action, resource, condition)), None)


@pytest.mark.parametrize(
    ("action", "condition", "fragment"),
    [
        pytest.param(
            "sagemaker:CreatePresignedDomainUrl",
            {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
            "sagemaker:CreatePresignedDomainUrl on Resource '*'",
            id="a-condition-on-the-caller-not-the-profile",
        ),
        pytest.param(
            "sagemaker:CreatePresignedDomainUrl",
            {"StringEquals": {"ec2:ResourceTag/studiouserid": "${aws:username}"}},
            "sagemaker:CreatePresignedDomainUrl on Resource '*'",
            id="another-services-tag-key",
        ),
        pytest.param(
            "lambda:UpdateFunctionCode",
            {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
            "lambda:UpdateFunctionCode on Resource '*'",
            id="other-escalations-still-ignore-conditions",
        ),
        pytest.param(
            ["sagemaker:CreatePresignedDomainUrl", "iam:PassRole"],
            STUDIO_USER_TAG,
            "allows iam:PassRole on Resource '*'",
            id="the-tag-scopes-the-studio-url-alone",
        ),
    ],
)
def test_a_condition_that_does_not_scope_the_profile_leaves_the_grant_refused(
    action: Any, condition: dict[str, Any], fragment: str
) -> None:
    messages, undecided = findings(ESCALATION, IAM_POLICY, _tagged_grant(action, "*", condition))
    assert undecided == 0 and len(messages) == 1 and fragment in messages[0], messages


# --- directory buckets' default encryption ------------------------------------------------------

SSE_RULE = "s3-sse-kms-encrypted"
DIRECTORY_BUCKET = "aws:s3/directoryBucket:DirectoryBucket"
NATIVE_DIRECTORY_BUCKET = "aws-native:s3express:DirectoryBucket"
SSE_CONFIGURATION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
KEY = "arn:aws:kms:eu-west-1:111122223333:key/abcd"
NAME = "training--euw1-az1--x-s3"
CLASSIC: dict[str, Any] = {"bucket": NAME, "location": {"name": "euw1-az1"}}
NATIVE: dict[str, Any] = {
    "bucketName": NAME,
    "dataRedundancy": "SingleAvailabilityZone",
    "locationName": "euw1-az1",
}
ACCESS_LOGS_TAG = {"mlops:data-class": "access-logs"}


def _native(algorithm: str, key: str | None = None, **extra: Any) -> dict[str, Any]:
    default = {"sseAlgorithm": algorithm, **({"kmsMasterKeyId": key} if key else {})}
    rules = [{"serverSideEncryptionByDefault": default}]
    return {**NATIVE, "bucketEncryption": {"serverSideEncryptionConfiguration": rules}, **extra}


def _with_configuration(
    bucket: dict[str, Any], algorithm: str, key: str | None = None
) -> list[dict[str, Any]]:
    default = {"sseAlgorithm": algorithm, **({"kmsMasterKeyId": key} if key else {})}
    configuration = {"bucket": NAME, "rules": [{"applyServerSideEncryptionByDefault": default}]}
    return [
        {"type": DIRECTORY_BUCKET, "name": "training", "inputs": bucket},
        {
            "type": SSE_CONFIGURATION,
            "name": "training-sse",
            "inputs": configuration,
            "deps": {"bucket": ["training"]},
        },
    ]


def _sse_findings(specs: list[dict[str, Any]], *, outputs: bool) -> tuple[list[str], int]:
    records: Any = build(specs)
    if outputs:
        records = engine_shapes.as_outputs(records)
    report = evaluate_report(records, None, [get_policy(SSE_RULE)])
    return [v.message for v in report.violations if v.policy_name == SSE_RULE], len(report.undecided)


DIRECTORY_CASES = [
    pytest.param(
        [{"type": DIRECTORY_BUCKET, "name": "training", "inputs": CLASSIC}],
        "has no default-encryption",
        id="classic-without-configuration",
    ),
    pytest.param(
        _with_configuration(CLASSIC, "AES256"), "sseAlgorithm is 'AES256'", id="classic-configured-sse-s3"
    ),
    pytest.param(
        _with_configuration({**CLASSIC, "tags": ACCESS_LOGS_TAG}, "AES256"),
        "sseAlgorithm is 'AES256'",
        id="classic-tagged-access-logs-is-no-exemption",
    ),
    pytest.param(
        _with_configuration(CLASSIC, "aws:kms"),
        "kmsMasterKeyId is unset",
        id="classic-configured-aws-managed-key",
    ),
    pytest.param(
        _with_configuration(CLASSIC, "aws:kms", KEY), None, id="classic-configured-customer-key-passes"
    ),
    pytest.param(
        [{"type": NATIVE_DIRECTORY_BUCKET, "name": "training", "inputs": NATIVE}],
        "has no default-encryption",
        id="native-without-encryption",
    ),
    pytest.param(
        [{"type": NATIVE_DIRECTORY_BUCKET, "name": "training", "inputs": _native("AES256")}],
        "sseAlgorithm is 'AES256'",
        id="native-sse-s3",
    ),
    pytest.param(
        [{"type": NATIVE_DIRECTORY_BUCKET, "name": "training", "inputs": _native("aws:kms", "alias/aws/s3")}],
        "the AWS-managed key",
        id="native-aws-managed-alias",
    ),
    pytest.param(
        [
            {
                "type": NATIVE_DIRECTORY_BUCKET,
                "name": "training",
                "inputs": _native("AES256", tags=[{"key": "mlops:data-class", "value": "access-logs"}]),
            }
        ],
        "sseAlgorithm is 'AES256'",
        id="native-tagged-access-logs-is-no-exemption",
    ),
    pytest.param(
        [{"type": NATIVE_DIRECTORY_BUCKET, "name": "training", "inputs": _native("aws:kms", KEY)}],
        None,
        id="native-customer-key-passes",
    ),
]


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
@pytest.mark.parametrize(("specs", "fragment"), DIRECTORY_CASES)
def test_a_directory_bucket_defaults_to_a_customer_managed_key(
    specs: list[dict[str, Any]], fragment: str | None, outputs: bool
) -> None:
    assert_decided(_sse_findings(specs, outputs=outputs), fragment)


def _configured_by(link: str, algorithm: str, key: str | None = None) -> list[dict[str, Any]]:
    """A directory bucket and its encryption configuration, linked one way only: ``dependency`` (the
    configuration's ``bucket`` unknown at preview, computed from the bucket) or ``name`` (the
    bucket's literal name, no dependency recorded)."""
    specs = _with_configuration(CLASSIC, algorithm, key)
    if link == "dependency":
        specs[1]["inputs"] = {**specs[1]["inputs"], "bucket": UNKNOWN_STRING_VALUE}
    else:
        del specs[1]["deps"]
    return specs


@pytest.mark.parametrize("link", ["dependency", "name"])
def test_a_directory_buckets_configuration_is_found_by_dependency_or_by_name_alone(link: str) -> None:
    """Each way a companion names its bucket reaches a directory bucket: by the bucket it is computed
    from (its name unknown at preview) and by the bucket's literal name (no dependency)."""
    assert_decided(_sse_findings(_configured_by(link, "aws:kms", KEY), outputs=False), None)
    assert_decided(_sse_findings(_configured_by(link, "AES256"), outputs=False), "sseAlgorithm is 'AES256'")


@pytest.mark.parametrize(
    "rule", ["s3-bucket-access-logging", "s3-bucket-security-baseline", "s3-public-access-blocked"]
)
def test_the_general_purpose_bucket_rules_ask_nothing_of_a_directory_bucket(rule: str) -> None:
    """Directory buckets take no server access logs nor versioning, and their Block Public Access is
    always on: only their default encryption is judged."""
    assert_decided(findings(rule, NATIVE_DIRECTORY_BUCKET, _native("aws:kms", KEY)), None)
    assert_decided(findings(rule, DIRECTORY_BUCKET, CLASSIC), None)


# --- SageMaker keys named by an AWS managed alias ------------------------------------------------

KEYS_RULE = "sagemaker-keys-customer-managed"
CUSTOMER_KEY = "arn:aws:kms:eu-west-1:111122223333:key/abcd"
AWS_MANAGED = ["alias/aws/sagemaker", "arn:aws:kms:eu-west-1:111122223333:alias/aws/ebs"]


def _at(path: str, value: Any) -> dict[str, Any]:
    """Inputs holding ``value`` at ``path`` (``a.b[].c``: ``b`` a list of one item)."""
    head, _dot, rest = path.partition(".")
    inner: Any = _at(rest, value) if rest else value
    if head.endswith("[]"):
        return {head.removesuffix("[]"): [inner]}
    return {head: inner}


def _shown_path(path: str) -> str:
    return path.replace("[]", "[0]")


JUDGED = [
    pytest.param(resource_type, path, id=f"{resource_type.split(':')[-1]}-{path}")
    for resource_type, paths in JUDGED_BY_OTHER_RULES.items()
    for path in paths
]


@pytest.mark.parametrize("key", AWS_MANAGED, ids=["bare-alias", "alias-arn"])
@pytest.mark.parametrize(("resource_type", "path"), JUDGED)
def test_an_aws_managed_alias_on_a_judged_sagemaker_key_is_refused(
    resource_type: str, path: str, key: str
) -> None:
    assert_decided(
        findings(KEYS_RULE, resource_type, _at(path, key)),
        f"{_shown_path(path)} is {key!r}, an AWS managed key",
    )


@pytest.mark.parametrize(
    "key",
    [CUSTOMER_KEY, "alias/ml-platform", "alias/AWS/sagemaker"],
    ids=["key-arn", "customer-alias", "not-the-aws-prefix"],
)
@pytest.mark.parametrize(("resource_type", "path"), JUDGED)
def test_a_customer_key_on_a_judged_sagemaker_key_passes(resource_type: str, path: str, key: str) -> None:
    assert_decided(findings(KEYS_RULE, resource_type, _at(path, key)), None)


def test_a_key_unknown_at_preview_passes_and_one_bad_item_of_a_list_is_found() -> None:
    tuning = "aws:sagemaker/hyperParameterTuningJob:HyperParameterTuningJob"
    definitions = [
        {"outputDataConfig": {"kmsKeyId": UNKNOWN_STRING_VALUE}},
        {"outputDataConfig": {"kmsKeyId": "alias/aws/s3"}},
    ]
    assert_decided(
        findings(KEYS_RULE, tuning, {"trainingJobDefinitions": definitions}),
        "trainingJobDefinitions[1].outputDataConfig.kmsKeyId is 'alias/aws/s3'",
    )
    notebook = "aws:sagemaker/notebookInstance:NotebookInstance"
    assert_decided(findings(KEYS_RULE, notebook, {"kmsKeyId": UNKNOWN_STRING_VALUE}), None)


def test_a_block_unknown_at_preview_hides_no_verdict_on_the_keys_beside_it() -> None:
    """A block holding a judged key (``dataCaptureConfig``) unknown at preview passes, as an unknown
    key does; the resource's other keys are still judged, decided."""
    config = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
    inputs = {"dataCaptureConfig": UNKNOWN_STRING_VALUE, "kmsKeyArn": "alias/aws/sagemaker"}
    assert_decided(findings(KEYS_RULE, config, inputs), "kmsKeyArn is 'alias/aws/sagemaker'")
    assert_decided(findings(KEYS_RULE, config, {**inputs, "kmsKeyArn": CUSTOMER_KEY}), None)


def test_the_advisory_store_rule_reads_an_aws_managed_alias_as_no_key_of_yours() -> None:
    labeling = "aws:sagemaker/labelingJob:LabelingJob"
    assert labeling in STORE_KEYS
    inputs = {"outputConfig": {"s3OutputPath": "s3://labels/out", "kmsKeyId": "alias/aws/s3"}}
    assert_decided(
        findings("sagemaker-stores-customer-managed-key", labeling, inputs),
        "outputConfig.kmsKeyId is 'alias/aws/s3' (an AWS managed key)",
    )
    inputs["outputConfig"]["kmsKeyId"] = CUSTOMER_KEY
    assert_decided(findings("sagemaker-stores-customer-managed-key", labeling, inputs), None)


# --- Studio's default instance types -------------------------------------------------------------

ALLOWLIST = "instance-type-allowlist"
DEV = load_pack_config("dev")
GPU = "ml.p4d.24xlarge"


def _allowlist(resource_type: str, inputs: dict[str, Any], *, outputs: bool = False) -> tuple[list[str], int]:
    records: Any = build([{"type": resource_type, "name": "studio", "inputs": inputs}])
    if outputs:
        records = engine_shapes.as_outputs(records)
    report = evaluate_report(records, DEV, [get_policy(ALLOWLIST)])
    return [v.message for v in report.violations if v.policy_name == ALLOWLIST], len(report.undecided)


def _spec(instance_type: Any) -> dict[str, Any]:
    return {"defaultResourceSpec": {"instanceType": instance_type}}


STUDIO_DEFAULT_CASES = [
    pytest.param(
        "aws:sagemaker/domain:Domain",
        {
            "domainName": "ml",
            "defaultUserSettings": {"executionRole": "r", "jupyterLabAppSettings": _spec(GPU)},
        },
        "defaultUserSettings.jupyterLabAppSettings.defaultResourceSpec.instanceType",
        id="domain-user-default",
    ),
    pytest.param(
        "aws:sagemaker/domain:Domain",
        {"domainName": "ml", "defaultSpaceSettings": {"kernelGatewayAppSettings": _spec(GPU)}},
        "defaultSpaceSettings.kernelGatewayAppSettings.defaultResourceSpec.instanceType",
        id="domain-space-default",
    ),
    pytest.param(
        "aws:sagemaker/domain:Domain",
        {"domainName": "ml", "domainSettings": {"rStudioServerProDomainSettings": _spec(GPU)}},
        "domainSettings.rStudioServerProDomainSettings.defaultResourceSpec.instanceType",
        id="domain-rstudio-default",
    ),
    pytest.param(
        "aws-native:sagemaker:Domain",
        {"domainName": "ml", "defaultUserSettings": {"codeEditorAppSettings": _spec(GPU)}},
        "defaultUserSettings.codeEditorAppSettings.defaultResourceSpec.instanceType",
        id="native-domain-user-default",
    ),
    pytest.param(
        "aws:sagemaker/userProfile:UserProfile",
        {"domainId": "d-1", "userSettings": {"jupyterLabAppSettings": _spec(GPU)}},
        "userSettings.jupyterLabAppSettings.defaultResourceSpec.instanceType",
        id="profile-default",
    ),
    pytest.param(
        "aws-native:sagemaker:UserProfile",
        {"domainId": "d-1", "userSettings": {"kernelGatewayAppSettings": _spec(GPU)}},
        "userSettings.kernelGatewayAppSettings.defaultResourceSpec.instanceType",
        id="native-profile-default",
    ),
    pytest.param(
        "aws:sagemaker/space:Space",
        {"domainId": "d-1", "spaceSettings": {"jupyterLabAppSettings": _spec(GPU)}},
        "spaceSettings.jupyterLabAppSettings.defaultResourceSpec.instanceType",
        id="space-default",
    ),
    pytest.param(
        "aws-native:sagemaker:Space",
        {"domainId": "d-1", "spaceSettings": {"codeEditorAppSettings": _spec(GPU)}},
        "spaceSettings.codeEditorAppSettings.defaultResourceSpec.instanceType",
        id="native-space-default",
    ),
]


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
@pytest.mark.parametrize(("resource_type", "inputs", "path"), STUDIO_DEFAULT_CASES)
def test_a_studio_default_instance_type_outside_the_allowlist_is_refused(
    resource_type: str, inputs: dict[str, Any], path: str, outputs: bool
) -> None:
    assert_decided(_allowlist(resource_type, inputs, outputs=outputs), f"{path} {GPU!r} is not allowed")


@pytest.mark.parametrize(
    "settings",
    [
        {"jupyterLabAppSettings": _spec("ml.t3.medium")},
        {"jupyterServerAppSettings": _spec("system")},  # the Jupyter server's AWS-managed instance
        {
            "jupyterLabAppSettings": {
                "defaultResourceSpec": {"sageMakerImageArn": "arn:aws:sagemaker:::image/x"}
            }
        },
    ],
    ids=["allowed-type", "system", "no-type"],
)
def test_an_allowed_or_unset_studio_default_passes(settings: dict[str, Any]) -> None:
    inputs = {"domainName": "ml", "defaultUserSettings": settings}
    assert_decided(_allowlist("aws:sagemaker/domain:Domain", inputs), None)


def test_only_an_unknown_that_may_hide_a_default_spec_is_undecided() -> None:
    domain = "aws:sagemaker/domain:Domain"
    # An unknown key, VPC or role beside a refused default: decided.
    inputs = {
        "kmsKeyId": UNKNOWN_STRING_VALUE,
        "vpcId": UNKNOWN_STRING_VALUE,
        "defaultUserSettings": {"executionRole": UNKNOWN_STRING_VALUE, "jupyterLabAppSettings": _spec(GPU)},
    }
    assert_decided(_allowlist(domain, inputs), "is not allowed")
    # An unknown settings block or instance type: undecided, not passed.
    for hidden in (
        {"defaultUserSettings": UNKNOWN_STRING_VALUE},
        {"defaultUserSettings": {"jupyterLabAppSettings": _spec(UNKNOWN_STRING_VALUE)}},
    ):
        messages, undecided = _allowlist(domain, {"domainName": "ml", **hidden})
        assert (messages, undecided) == ([], 1)


@pytest.mark.parametrize("rule", ["gpu-instance-quota"])
def test_a_studio_default_runs_no_instance_so_the_gpu_quota_does_not_count_it(rule: str) -> None:
    inputs = {"domainName": "ml", "defaultUserSettings": {"jupyterLabAppSettings": _spec(GPU)}}
    records: Any = build([{"type": "aws:sagemaker/domain:Domain", "name": "studio", "inputs": inputs}])
    report = evaluate_report(records, DEV, [get_policy(rule)])
    assert [v for v in report.violations if v.policy_name == rule] == []


@pytest.mark.parametrize(
    ("resource", "condition", "fragment"),
    [
        pytest.param("*", None, "sagemaker:StartSession on Resource '*'", id="on-star"),
        pytest.param(f"{SAGEMAKER_ARN}space/*", None, "every space of the account", id="on-every-space"),
        pytest.param(f"{SAGEMAKER_ARN}space/d-*/*", None, "every space of the account", id="on-every-domains-spaces"),
        pytest.param(f"{SAGEMAKER_ARN}space/d-abc123/alice-ide", None, None, id="on-one-space-passes"),
        pytest.param(
            "*",
            {"StringEquals": {"sagemaker:ResourceTag/owner": "${aws:username}"}},
            None,
            id="scoped-by-the-spaces-tag-passes",
        ),
        pytest.param(
            "*",
            {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
            "sagemaker:StartSession on Resource '*'",
            id="a-condition-on-the-caller-does-not-scope-it",
        ),
    ],
)  # fmt: skip
def test_a_remote_ide_session_into_every_space_is_an_escalation(
    resource: str, condition: dict[str, Any] | None, fragment: str | None
) -> None:
    """StartSession opens an SSH connection from a local IDE into a Studio space, whose apps run as the
    space's execution role (SageMaker API Reference, StartSession): as the presigned URLs."""
    grant = _tagged_grant("sagemaker:StartSession", resource, condition)
    assert_decided(findings(ESCALATION, IAM_POLICY, grant), fragment)
