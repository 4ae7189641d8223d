"""Rule semantics the other policy tests left unpinned for the KMS, S3, SQS, network, SageMaker job,
pipeline, observability, IAM-grant and Kubernetes rules: each case sits just inside or just outside a
rule's condition, and says which enforcement level the violation carries (or that there is none).

Written from a mutation audit of ``policies/rules/{kms,s3,_s3_buckets,_bucket_policy,sqs,network,
_network_graph,sagemaker,sagemaker_jobs,_pipeline,observability,iam_grants,kubernetes}.py``: nearly
every case below fails under a mutant that passed every earlier test (a default level flipped to
advisory, a resource type or step kind dropped from a rule's scope, an exemption widened or removed,
a boundary moved by one, one property of a required pair no longer read, an inline block or literal
name no longer matched, an unknown value at preview reported as a violation). A few cases
(``10.0.0.0/0``, ``StringEqualsIfExists``, a ``Std:Join`` checkpoint, an aws-native definition in
S3) pin documented behaviour whose mutant turned out equivalent. The expected values are written out
here on purpose, not imported from the rules, so a rule that loses a type, a value or a level fails
here. Every level, type and property path comes from ``policies/README.md``
or the pack's control table (POLICY-CONTROLS.md). ``test_rule_semantics.py`` pins the alarm, cost,
CloudTrail, Athena, governance and IAM-document rules; nothing here repeats it.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from pulumi_policy import EnforcementLevel
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.local import evaluate_report, resolve_config
from policies.registry import POLICY_NAMES, get_policy
from tests.policies.conftest import build, run_policy
from tests.policies.test_policy_kubernetes_kinds import DIGEST, HARDENED

MANDATORY, ADVISORY = "mandatory", "advisory"
KEY = "arn:aws:kms:eu-west-1:111122223333:key/abcd"
TAGS = {"owner": "ml", "cost-center": "cc-1", "environment": "prod"}


def one(policy: str, resource_type: str, inputs: dict[str, Any], config: dict[str, Any] | None = None):
    return run_policy(policy, [{"type": resource_type, "name": "subject", "inputs": inputs}], config)


def levels(violations: list[Any], policy: str) -> list[str]:
    assert {v.policy_name for v in violations} <= {policy}
    return [v.enforcement_level for v in violations]


def messages(violations: list[Any]) -> str:
    return " | ".join(v.message for v in violations)


# --- default enforcement levels --------------------------------------------------------------------

#: The level each audited rule runs at with no --policy-pack-config (policies/README.md, rule table).
DEFAULT_LEVELS = {
    "kms-key-rotation-enabled": MANDATORY,
    "kms-key-policy-no-public-principal": MANDATORY,
    "s3-public-access-blocked": MANDATORY,
    "s3-bucket-policy-tls-only": MANDATORY,
    "s3-bucket-policy-not-public": MANDATORY,
    "resource-policy-not-public": MANDATORY,
    "public-access-switches-kept-on": MANDATORY,
    "public-by-design-noted": ADVISORY,
    "data-stores-encrypted-at-rest": MANDATORY,
    "s3-sse-kms-encrypted": MANDATORY,
    "s3-bucket-access-logging": MANDATORY,
    "s3-bucket-security-baseline": MANDATORY,
    "sqs-queue-kms-encrypted": MANDATORY,
    "eks-endpoint-private": MANDATORY,
    "eks-secrets-encrypted": MANDATORY,
    "eks-audit-logging": MANDATORY,
    "security-group-no-unrestricted-ingress": MANDATORY,
    "security-group-ingress-union-restricted": MANDATORY,
    "default-security-group-no-rules": MANDATORY,
    "vpc-default-security-group-adopted": ADVISORY,
    "vpc-flow-logs-enabled": ADVISORY,
    "endpoint-config-min-instance-count": ADVISORY,
    "endpoint-config-kms-encrypted": MANDATORY,
    "model-network-isolation": MANDATORY,
    "model-in-vpc": MANDATORY,
    "model-private-registry-via-vpc": MANDATORY,
    "prod-model-from-model-package": ADVISORY,
    "feature-group-kms-encrypted": MANDATORY,
    "flow-definition-output-kms": MANDATORY,
    "inference-experiment-kms-encrypted": MANDATORY,
    "inference-component-model-governed": MANDATORY,
    "inference-component-compute-reserved": MANDATORY,
    "inference-component-endpoint-config-role": MANDATORY,
    "sagemaker-resource-described": ADVISORY,
    "training-job-network-isolated": MANDATORY,
    "training-job-kms-encrypted": MANDATORY,
    "data-quality-job-encrypted-isolated": MANDATORY,
    "model-monitor-job-encrypted-isolated": MANDATORY,
    "monitoring-schedule-encrypted-isolated": MANDATORY,
    "processing-job-encrypted-isolated": MANDATORY,
    "pipeline-steps-network-isolated": MANDATORY,
    "pipeline-steps-kms-encrypted": MANDATORY,
    "pipeline-spot-training-checkpointed": ADVISORY,
    "sagemaker-stores-customer-managed-key": ADVISORY,
    "sagemaker-keys-customer-managed": MANDATORY,
    "log-group-retention": MANDATORY,
    "log-group-kms-encrypted": MANDATORY,
    "alarm-has-actions": MANDATORY,
    "alarm-mutes-are-bounded": MANDATORY,
    "alarm-mutes-are-bounded-together": MANDATORY,
    "sns-topic-kms-encrypted": MANDATORY,
    "alarm-topic-key-usable": MANDATORY,
    "iam-role-trust-not-public": MANDATORY,
    "iam-role-federated-trust-scoped": MANDATORY,
    "iam-pod-identity-trust-scoped": ADVISORY,
    "notebook-no-direct-internet": MANDATORY,
    "notebook-in-vpc": MANDATORY,
    "notebook-root-access-disabled": MANDATORY,
    "notebook-supported-platform": ADVISORY,
    "notebook-kms-encrypted": MANDATORY,
    "notebook-imdsv2-only": MANDATORY,
    "studio-domain-vpc-only-encrypted": MANDATORY,
    "iam-no-admin-managed-policy": MANDATORY,
    "iam-admin-policy-not-attached": MANDATORY,
    "k8s-probes-configured": MANDATORY,
    "k8s-resources-bounded": MANDATORY,
    "k8s-image-pinned-by-digest": ADVISORY,
    "k8s-container-security-context": MANDATORY,
    "k8s-no-host-namespaces": MANDATORY,
    "k8s-service-account-token-not-automounted": ADVISORY,
    "k8s-run-as-high-uid": ADVISORY,
    "k8s-gpu-pods-well-formed": MANDATORY,
    "k8s-no-host-path-volumes": MANDATORY,
    "k8s-no-host-ports": MANDATORY,
    "k8s-no-host-probes": MANDATORY,
    "k8s-seccomp-not-unconfined": MANDATORY,
    "k8s-seccomp-profile-set": ADVISORY,
    "k8s-restricted-volume-types": ADVISORY,
    "k8s-default-proc-mount": MANDATORY,
    "k8s-no-windows-host-process": MANDATORY,
    "k8s-selinux-options-default": MANDATORY,
    "k8s-apparmor-not-unconfined": MANDATORY,
    "k8s-safe-sysctls-only": MANDATORY,
}


def test_every_rule_of_the_pack_has_its_default_level_pinned() -> None:
    # With tests/policies/test_rule_semantics.py's table: a new rule states its level (and a rule
    # whose level flips fails one of the two).
    from tests.policies.test_rule_semantics import DEFAULT_LEVELS as OTHER_RULES

    assert set(DEFAULT_LEVELS) | set(OTHER_RULES) == set(POLICY_NAMES)
    assert not set(DEFAULT_LEVELS) & set(OTHER_RULES)


@pytest.mark.parametrize(("policy", "level"), DEFAULT_LEVELS.items(), ids=list(DEFAULT_LEVELS))
def test_default_enforcement_level(policy: str, level: str) -> None:
    assert get_policy(policy).enforcement_level == EnforcementLevel(level)
    resolved, _ = resolve_config(None, [get_policy(policy)])[policy]
    assert resolved == EnforcementLevel(level)


# --- KMS ---------------------------------------------------------------------------------------------

KMS_KEY = "aws:kms/key:Key"


@pytest.mark.parametrize(
    ("changes", "violated"),
    [
        pytest.param({}, True, id="default-spec-must-rotate"),
        pytest.param(
            {"customerMasterKeySpec": "SYMMETRIC_DEFAULT"}, True, id="explicit-symmetric-must-rotate"
        ),
        pytest.param({"customerMasterKeySpec": "RSA_2048"}, False, id="asymmetric-exempt"),
        pytest.param({"origin": "AWS_KMS"}, True, id="aws-kms-origin-must-rotate"),
        pytest.param({"origin": "EXTERNAL"}, False, id="imported-material-exempt"),
        pytest.param({"origin": "EXTERNAL_KEY_STORE"}, False, id="external-store-exempt"),
    ],
)
def test_key_rotation_exemptions_are_exactly_the_keys_that_cannot_rotate(changes, violated) -> None:
    found = one("kms-key-rotation-enabled", KMS_KEY, {"enableKeyRotation": False, **changes})
    assert levels(found, "kms-key-rotation-enabled") == ([MANDATORY] if violated else [])


@pytest.mark.parametrize(
    "action",
    [
        "kms:PutKeyPolicy",
        "kms:ScheduleKeyDeletion",
        "kms:DisableKey",
        "kms:ReplicateKey",
        "kms:UpdatePrimaryRegion",
    ],
)
def test_key_policy_admin_action_for_anyone_fails_even_with_a_pinning_condition(action: str) -> None:
    def policy(granted: str) -> str:
        statement = {
            "Effect": "Allow",
            "Principal": "*",
            "Action": granted,
            "Resource": "*",
            "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333"}},
        }
        return json.dumps({"Version": "2012-10-17", "Statement": [statement]})

    name = "kms-key-policy-no-public-principal"
    assert levels(one(name, KMS_KEY, {"policy": policy("kms:Decrypt")}), name) == []
    found = one(name, KMS_KEY, {"policy": policy(action)})
    assert levels(found, name) == [MANDATORY]
    assert "administer the key" in messages(found)


# --- SQS and SNS: aws-native twins ------------------------------------------------------------------


def test_native_sns_topic_needs_a_kms_key() -> None:
    name = "sns-topic-kms-encrypted"
    assert levels(one(name, "aws-native:sns:Topic", {}), name) == [MANDATORY]
    assert levels(one(name, "aws-native:sns:Topic", {"kmsMasterKeyId": KEY}), name) == []


# --- S3 stack rules ----------------------------------------------------------------------------------

BUCKET = "aws:s3/bucket:Bucket"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
LOGGING = "aws:s3/bucketLogging:BucketLogging"
FLAGS = {
    "blockPublicAcls": True,
    "blockPublicPolicy": True,
    "ignorePublicAcls": True,
    "restrictPublicBuckets": True,
}
BUCKET_NAME = "mlops-data"
BUCKET_ARN = f"arn:aws:s3:::{BUCKET_NAME}"
TLS_ONLY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [BUCKET_ARN, f"{BUCKET_ARN}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }
)


def kms_rules() -> list[dict[str, Any]]:
    return [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY}}]


def bucket_stack(
    *,
    tags: dict[str, str] = TAGS,
    versioning: str = "Enabled",
    sse: bool = True,
    logging: bool = True,
    **bucket_inputs: Any,
) -> list[dict[str, Any]]:
    """One bucket named ``mlops-data`` (as the program declares it) with every companion linked by
    ``bucket=<bucket>.id``; ``sse``/``logging`` False drop those companions."""

    def companion(kind: str, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
        return {"type": kind, "name": name, "inputs": inputs, "deps": {"bucket": ["data"]}}

    specs = [
        {"type": BUCKET, "name": "data", "inputs": {"bucket": BUCKET_NAME, "tags": tags, **bucket_inputs}},
        companion(PAB, "pab", dict(FLAGS)),
        companion(BUCKET_POLICY, "policy", {"policy": TLS_ONLY}),
        companion(VERSIONING, "versioning", {"versioningConfiguration": {"status": versioning}}),
    ]
    if sse:
        specs.append(companion(SSE, "sse", {"rules": kms_rules()}))
    if logging:
        specs.append(companion(LOGGING, "logging", {"targetBucket": "access-logs", "targetPrefix": "data/"}))
    return specs


@pytest.mark.parametrize(
    ("value", "exempt"),
    [
        pytest.param("access-logs", True, id="access-log-bucket-exempt"),
        pytest.param("confidential", False, id="other-data-class-not-exempt"),
        pytest.param("access-logs-archive", False, id="similar-value-not-exempt"),
    ],
)
def test_only_the_access_log_tag_value_exempts_a_bucket_from_logging(value: str, exempt: bool) -> None:
    specs = bucket_stack(tags={**TAGS, "mlops:data-class": value}, logging=False)
    found = run_policy("s3-bucket-access-logging", specs)
    assert levels(found, "s3-bucket-access-logging") == ([] if exempt else [MANDATORY])


@pytest.mark.parametrize(
    ("status", "violated"),
    [
        pytest.param("Enabled", False, id="enabled"),
        pytest.param("Suspended", True, id="suspended"),
        pytest.param("Disabled", True, id="disabled"),
    ],
)
def test_baseline_counts_only_enabled_versioning(status: str, violated: bool) -> None:
    found = run_policy("s3-bucket-security-baseline", bucket_stack(versioning=status))
    assert levels(found, "s3-bucket-security-baseline") == ([MANDATORY] if violated else [])
    if violated:
        assert "BucketVersioning" in messages(found)


@pytest.mark.parametrize(
    ("algorithm", "violated"),
    [
        pytest.param("aws:kms", False, id="inline-kms-counts"),
        pytest.param("AES256", True, id="inline-aes256-not"),
    ],
)
def test_baseline_counts_an_inline_encryption_block_only_when_it_is_kms(
    algorithm: str, violated: bool
) -> None:
    inline = {
        "rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": algorithm, "kmsMasterKeyId": KEY}}
    }
    specs = bucket_stack(sse=False, serverSideEncryptionConfiguration=inline)
    found = run_policy("s3-bucket-security-baseline", specs)
    assert levels(found, "s3-bucket-security-baseline") == ([MANDATORY] if violated else [])
    if violated:
        assert "BucketServerSideEncryptionConfiguration" in messages(found)


UNLINKED_SSE = {
    "type": SSE,
    "name": "pending-sse",
    "inputs": {"bucket": UNKNOWN_STRING_VALUE, "rules": kms_rules()},
}


@pytest.mark.parametrize(
    ("policy", "specs"),
    [
        pytest.param("s3-sse-kms-encrypted", [*bucket_stack(sse=False), UNLINKED_SSE], id="sse"),
        pytest.param(
            "s3-bucket-security-baseline",
            [*bucket_stack(sse=False), UNLINKED_SSE],
            id="baseline",
        ),
    ],
)
def test_bucket_without_encryption_is_undecided_while_an_unlinked_config_is_unknown(policy, specs) -> None:
    """An SSE configuration whose ``bucket`` is unknown at preview may be this bucket's: undecided, not violated."""
    report = evaluate_report(build(specs), None, [get_policy(policy)])
    assert report.violations == []
    assert [u.urn.rsplit("::", 1)[-1] for u in report.undecided] == ["data"]
    # The same stack with the configuration gone is a violation: the undecided case is the unknown.
    known = [s for s in specs if s["name"] != "pending-sse"]
    assert levels(run_policy(policy, known), policy) == [MANDATORY]


# --- network -----------------------------------------------------------------------------------------

SG = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
EKS = "aws:eks/cluster:Cluster"


@pytest.mark.parametrize(
    ("resources", "violated"),
    [
        pytest.param(["secrets"], False, id="secrets"),
        pytest.param([], True, id="empty-resources"),
        pytest.param(["configmaps"], True, id="other-resource-only"),
    ],
)
def test_eks_secrets_encryption_must_name_secrets(resources: list[str], violated: bool) -> None:
    inputs = {"encryptionConfig": {"resources": resources, "provider": {"keyArn": KEY}}}
    found = one("eks-secrets-encrypted", EKS, inputs)
    assert levels(found, "eks-secrets-encrypted") == ([MANDATORY] if violated else [])


@pytest.mark.parametrize(
    ("resource_type", "rule", "violated"),
    [
        pytest.param(SG, {"cidrBlocks": ["10.0.0.0/8"]}, False, id="vpc-cidr-passes"),
        pytest.param(SG, {"cidrBlocks": ["10.0.0.0/0"]}, True, id="host-bits-ignored-is-the-internet"),
        pytest.param(SG, {"ipv6CidrBlocks": ["::/0"]}, True, id="inline-ipv6-internet"),
        pytest.param(SG, {"ipv6CidrBlocks": ["fd00::/8"]}, False, id="inline-ipv6-private-passes"),
        pytest.param(DEFAULT_SG, {"cidrBlocks": ["0.0.0.0/0"]}, True, id="default-group-is-in-scope"),
    ],
)
def test_unrestricted_ingress_reads_every_cidr_form(
    resource_type: str, rule: dict[str, Any], violated: bool
) -> None:
    inputs = {"ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, **rule}]}
    name = "security-group-no-unrestricted-ingress"
    assert levels(one(name, resource_type, inputs), name) == ([MANDATORY] if violated else [])


# --- SageMaker jobs ----------------------------------------------------------------------------------

TRAINING_JOB = "aws:sagemaker/trainingJob:TrainingJob"
NATIVE_PROCESSING_JOB = "aws-native:sagemaker:ProcessingJob"
VPC = {"subnets": ["subnet-1"], "securityGroupIds": ["sg-1"]}
TRAINING = {
    "roleArn": "arn:aws:iam::111122223333:role/train",
    "enableNetworkIsolation": True,
    "enableInterContainerTrafficEncryption": True,
    "vpcConfig": VPC,
    "outputDataConfig": {"s3OutputPath": "s3://artifacts/", "kmsKeyId": KEY},
    "resourceConfig": {"instanceType": "ml.m5.xlarge", "instanceCount": 1, "volumeKmsKeyId": KEY},
}
PROCESSING = {
    "networkConfig": {
        "enableNetworkIsolation": True,
        "enableInterContainerTrafficEncryption": True,
        "vpcConfig": VPC,
    },
    "processingOutputConfig": {"kmsKeyId": KEY, "outputs": []},
    "processingResources": {
        "clusterConfig": {"instanceType": "ml.m5.xlarge", "instanceCount": 1, "volumeKmsKeyId": KEY}
    },
}


def test_training_job_needs_inter_container_encryption() -> None:
    name = "training-job-network-isolated"
    assert levels(one(name, TRAINING_JOB, TRAINING), name) == []
    found = one(name, TRAINING_JOB, {**TRAINING, "enableInterContainerTrafficEncryption": False})
    assert levels(found, name) == [MANDATORY]
    assert "enableInterContainerTrafficEncryption" in messages(found)


@pytest.mark.parametrize(
    ("path", "value", "fragment"),
    [
        pytest.param(
            "networkConfig.enableInterContainerTrafficEncryption",
            False,
            "enableInterContainerTrafficEncryption",
            id="no-transit-encryption",
        ),
        pytest.param(
            "processingOutputConfig", {"outputs": []}, "processingOutputConfig.kmsKeyId", id="no-output-key"
        ),
    ],
)
def test_processing_job_settings(path: str, value: Any, fragment: str) -> None:
    name = "processing-job-encrypted-isolated"
    assert levels(one(name, NATIVE_PROCESSING_JOB, PROCESSING), name) == []
    inputs = copy.deepcopy(PROCESSING)
    *parents, leaf = path.split(".")
    node = inputs
    for part in parents:
        node = node[part]
    node[leaf] = value
    found = one(name, NATIVE_PROCESSING_JOB, inputs)
    assert levels(found, name) == [MANDATORY]
    assert fragment in messages(found)


PIPELINE = "aws:sagemaker/pipeline:Pipeline"


def training_pipeline(**arguments: Any) -> dict[str, Any]:
    """A pipeline of one Training step, in the shape ``Pipeline.definition()`` emits."""
    base = {
        "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeKmsKeyId": KEY},
        "OutputDataConfig": {"S3OutputPath": "s3://artifacts/", "KmsKeyId": KEY},
        "VpcConfig": {"Subnets": ["subnet-1"], "SecurityGroupIds": ["sg-1"]},
        "EnableNetworkIsolation": True,
        "EnableInterContainerTrafficEncryption": True,
    }
    step = {"Name": "Train", "Type": "Training", "Arguments": {**base, **arguments}}
    definition = {"Version": "2020-12-01", "Parameters": [], "Steps": [step]}
    return {
        "pipelineName": "churn",
        "roleArn": "arn:aws:iam::111122223333:role/pipeline",
        "pipelineDefinition": json.dumps(definition),
    }


@pytest.mark.parametrize(
    ("vpc", "violated"),
    [
        pytest.param({"Subnets": ["subnet-1"], "SecurityGroupIds": ["sg-1"]}, False, id="both"),
        pytest.param({"Subnets": ["subnet-1"]}, True, id="no-security-groups"),
        pytest.param({"SecurityGroupIds": ["sg-1"]}, True, id="no-subnets"),
    ],
)
def test_pipeline_step_vpc_needs_subnets_and_security_groups(vpc: dict[str, Any], violated: bool) -> None:
    name = "pipeline-steps-network-isolated"
    found = one(name, PIPELINE, training_pipeline(VpcConfig=vpc))
    assert levels(found, name) == ([MANDATORY] if violated else [])


@pytest.mark.parametrize(
    ("checkpoint", "violated"),
    [
        pytest.param({"S3Uri": "s3://artifacts/checkpoints/"}, False, id="literal"),
        pytest.param(
            {
                "S3Uri": {
                    "Std:Join": {
                        "On": "/",
                        "Values": ["s3://artifacts", {"Get": "Execution.PipelineExecutionId"}],
                    }
                }
            },
            False,
            id="expression-counts-as-set",
        ),
        pytest.param(None, True, id="unset"),
    ],
)
def test_pipeline_spot_checkpoint_accepts_pipeline_expressions(checkpoint: Any, violated: bool) -> None:
    name = "pipeline-spot-training-checkpointed"
    arguments: dict[str, Any] = {
        "EnableManagedSpotTraining": True,
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 7200},
    }
    if checkpoint is not None:
        arguments["CheckpointConfig"] = checkpoint
    found = one(name, PIPELINE, training_pipeline(**arguments))
    assert levels(found, name) == ([ADVISORY] if violated else [])


# --- SageMaker feature groups ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("online", "violated"),
    [
        pytest.param({"enableOnlineStore": True}, True, id="enabled-store-needs-key"),
        pytest.param({"enableOnlineStore": False}, False, id="disabled-store-needs-none"),
        pytest.param({"enableOnlineStore": True, "securityConfig": {"kmsKeyId": KEY}}, False, id="keyed"),
    ],
)
def test_feature_group_online_key_only_for_an_enabled_store(online: dict[str, Any], violated: bool) -> None:
    name = "feature-group-kms-encrypted"
    found = one(name, "aws:sagemaker/featureGroup:FeatureGroup", {"onlineStoreConfig": online})
    assert levels(found, name) == ([MANDATORY] if violated else [])


# --- IAM managed-policy grants -----------------------------------------------------------------------


def test_sso_permission_set_cannot_carry_administrator_access() -> None:
    name = "iam-no-admin-managed-policy"
    admin = {"managedPolicies": ["arn:aws:iam::aws:policy/AdministratorAccess"]}
    assert levels(one(name, "aws-native:sso:PermissionSet", admin), name) == [MANDATORY]
    read_only = {"managedPolicies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]}
    assert levels(one(name, "aws-native:sso:PermissionSet", read_only), name) == []


# --- Kubernetes --------------------------------------------------------------------------------------

DEPLOYMENT = "kubernetes:apps/v1:Deployment"


def deployment(pod: dict[str, Any]) -> dict[str, Any]:
    return {"metadata": {"name": "serve", "namespace": "serving"}, "spec": {"template": {"spec": pod}}}


def container(**security: Any) -> dict[str, Any]:
    return {"name": "server", "image": DIGEST, "securityContext": {**HARDENED, **security}}


@pytest.mark.parametrize(
    ("uid", "violated"),
    [pytest.param(10000, False, id="at-minimum"), pytest.param(9999, True, id="below-minimum")],
)
def test_run_as_high_uid_boundary(uid: int, violated: bool) -> None:
    name = "k8s-run-as-high-uid"
    found = one(name, DEPLOYMENT, deployment({"containers": [container(runAsUser=uid)]}))
    assert levels(found, name) == ([ADVISORY] if violated else [])


def test_run_as_high_uid_inherits_the_pod_level_uid() -> None:
    name = "k8s-run-as-high-uid"
    bare = container()
    del bare["securityContext"]["runAsUser"]
    pod = {"containers": [bare], "securityContext": {"runAsUser": 10001}}
    assert levels(one(name, DEPLOYMENT, deployment(pod)), name) == []
    pod["securityContext"]["runAsUser"] = 0
    assert levels(one(name, DEPLOYMENT, deployment(pod)), name) == [ADVISORY]


@pytest.mark.parametrize("capability", ["NET_RAW", "SYS_ADMIN", "ALL"])
def test_dangerous_capabilities_cannot_be_added_back(capability: str) -> None:
    name = "k8s-container-security-context"
    assert levels(one(name, DEPLOYMENT, deployment({"containers": [container()]})), name) == []
    added = container(capabilities={"drop": ["ALL"], "add": [capability]})
    found = one(name, DEPLOYMENT, deployment({"containers": [added]}))
    assert levels(found, name) == [MANDATORY]
    assert "capabilities.add" in messages(found)


def test_ephemeral_container_images_must_be_pinned() -> None:
    name = "k8s-image-pinned-by-digest"
    debug = {"name": "debug", "image": "busybox:latest", "securityContext": HARDENED}
    pod = {"containers": [container()], "ephemeralContainers": [debug]}
    found = one(name, DEPLOYMENT, deployment(pod))
    assert levels(found, name) == [ADVISORY]
    assert "ephemeralContainers" in messages(found)


# --- S3 bucket policies: what counts as TLS-only and as restricted -----------------------------------


def bucket_policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {
        "bucket": BUCKET_NAME,
        "policy": json.dumps({"Version": "2012-10-17", "Statement": list(statements)}),
    }


@pytest.mark.parametrize(
    ("secure_transport", "violated"),
    [
        pytest.param("false", False, id="deny-plain-http"),
        pytest.param("true", True, id="deny-https-is-not-tls-only"),
    ],
)
def test_tls_only_deny_must_be_on_secure_transport_false(secure_transport: str, violated: bool) -> None:
    deny = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [BUCKET_ARN, f"{BUCKET_ARN}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": secure_transport}},
    }
    name = "s3-bucket-policy-tls-only"
    assert levels(one(name, BUCKET_POLICY, bucket_policy(deny)), name) == ([MANDATORY] if violated else [])


PUBLIC_READ = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{BUCKET_ARN}/*"}


@pytest.mark.parametrize(
    ("condition", "violated"),
    [
        pytest.param({"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}, False, id="fixed-vpce-restricts"),
        pytest.param(
            {"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
            True,
            id="if-exists-does-not-restrict",
        ),
        pytest.param(
            {"StringLike": {"aws:PrincipalOrgPaths": "o-abc123def4/*"}}, False, id="org-path-under-fixed-org"
        ),
        pytest.param({"StringLike": {"aws:PrincipalOrgPaths": "*/r-ab12/*"}}, True, id="org-path-any-org"),
    ],
)
def test_public_allow_is_restricted_only_by_a_pinning_condition(
    condition: dict[str, Any], violated: bool
) -> None:
    name = "s3-bucket-policy-not-public"
    found = one(name, BUCKET_POLICY, bucket_policy({**PUBLIC_READ, "Condition": condition}))
    assert levels(found, name) == ([MANDATORY] if violated else [])


# --- pipeline step kinds and definition shapes -------------------------------------------------------

NATIVE_PIPELINE = "aws-native:sagemaker:Pipeline"


def pipeline_of(*steps: dict[str, Any]) -> dict[str, Any]:
    definition = {"Version": "2020-12-01", "Parameters": [], "Steps": list(steps)}
    return {
        "pipelineName": "churn",
        "roleArn": "arn:aws:iam::111122223333:role/pipeline",
        "pipelineDefinition": json.dumps(definition),
    }


CHECK_JOB = {
    "ProcessingResources": {
        "ClusterConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeKmsKeyId": KEY}
    },
    "ProcessingOutputConfig": {"Outputs": [], "KmsKeyId": KEY},
}
CHECK_NETWORK = {
    "EnableNetworkIsolation": True,
    "EnableInterContainerTrafficEncryption": True,
    "VpcConfig": {"Subnets": ["subnet-1"], "SecurityGroupIds": ["sg-1"]},
}


@pytest.mark.parametrize("kind", ["QualityCheck", "ClarifyCheck"])
def test_check_steps_are_processing_jobs_that_need_the_network_settings(kind: str) -> None:
    name = "pipeline-steps-network-isolated"
    isolated = {"Name": "Check", "Type": kind, "Arguments": {**CHECK_JOB, "NetworkConfig": CHECK_NETWORK}}
    assert levels(one(name, PIPELINE, pipeline_of(isolated)), name) == []
    open_step = {"Name": "Check", "Type": kind, "Arguments": CHECK_JOB}
    found = one(name, PIPELINE, pipeline_of(open_step))
    assert found and set(levels(found, name)) == {MANDATORY}


def test_automl_v2_step_reads_the_top_level_security_config() -> None:
    """CreateAutoMLJobV2 keeps its SecurityConfig at the top of the request (README: either place)."""
    security = {
        "VolumeKmsKeyId": KEY,
        "EnableInterContainerTrafficEncryption": True,
        "VpcConfig": {"Subnets": ["subnet-1"], "SecurityGroupIds": ["sg-1"]},
    }
    arguments = {
        "OutputDataConfig": {"S3OutputPath": "s3://artifacts/", "KmsKeyId": KEY},
        "SecurityConfig": security,
    }
    step = {"Name": "AutoML", "Type": "AutoML", "Arguments": arguments}
    for name in ("pipeline-steps-network-isolated", "pipeline-steps-kms-encrypted"):
        assert levels(one(name, PIPELINE, pipeline_of(step)), name) == []
    no_vpc = {**step, "Arguments": {**arguments, "SecurityConfig": {**security, "VpcConfig": {}}}}
    name = "pipeline-steps-network-isolated"
    assert levels(one(name, PIPELINE, pipeline_of(no_vpc)), name) == [MANDATORY]


def test_native_pipeline_definition_in_s3_is_not_inspected() -> None:
    location = {"pipelineDefinitionS3Location": {"bucket": "defs", "key": "churn.json"}}
    inputs = {
        "pipelineName": "churn",
        "roleArn": "arn:aws:iam::111122223333:role/p",
        "pipelineDefinition": location,
    }
    for name in ("pipeline-steps-network-isolated", "pipeline-steps-kms-encrypted"):
        assert one(name, NATIVE_PIPELINE, inputs) == []


# --- inference components and experiments ------------------------------------------------------------

COMPONENT = "aws-native:sagemaker:InferenceComponent"
COMPONENT_OK: dict[str, Any] = {
    "inferenceComponentName": "prod-small-models-churn",
    "endpointName": "prod-small-models",
    "variantName": "AllTraffic",
    "specification": {
        "modelName": "churn-model",
        "computeResourceRequirements": {"minMemoryRequiredInMb": 4096, "numberOfCpuCoresRequired": 2},
    },
    "runtimeConfig": {"copyCount": 2},
}


@pytest.mark.parametrize(
    ("memory", "copies", "violated"),
    [
        pytest.param(128, 1, False, id="minimum-memory-and-one-copy"),
        pytest.param(127, 1, True, id="memory-below-128"),
        pytest.param(128, 0, True, id="no-copy"),
    ],
)
def test_component_compute_boundaries(memory: int, copies: int, violated: bool) -> None:
    inputs = copy.deepcopy(COMPONENT_OK)
    inputs["specification"]["computeResourceRequirements"]["minMemoryRequiredInMb"] = memory
    inputs["runtimeConfig"]["copyCount"] = copies
    name = "inference-component-compute-reserved"
    assert levels(one(name, COMPONENT, inputs), name) == ([MANDATORY] if violated else [])


def test_adapter_component_uses_its_base_components_compute() -> None:
    inputs = {**COMPONENT_OK, "specification": {"baseInferenceComponentName": "prod-small-models-churn"}}
    name = "inference-component-compute-reserved"
    assert levels(one(name, COMPONENT, inputs), name) == []


def experiment(*instance_types: str) -> dict[str, Any]:
    variants = [
        {
            "modelName": f"m{i}",
            "variantName": f"v{i}",
            "infrastructureConfig": {
                "infrastructureType": "RealTimeInference",
                "realTimeInferenceConfig": {"instanceType": t, "instanceCount": 1},
            },
        }
        for i, t in enumerate(instance_types)
    ]
    return {
        "name": "shadow",
        "type": "ShadowMode",
        "roleArn": "arn:aws:iam::1:role/x",
        "modelVariants": variants,
    }


@pytest.mark.parametrize(
    ("types", "violated"),
    [
        pytest.param(("ml.g4dn.xlarge", "ml.m5d.xlarge"), False, id="all-local-nvme-exempt"),
        pytest.param(("ml.g4dn.xlarge", "ml.m5.xlarge"), True, id="one-ebs-variant-needs-the-key"),
    ],
)
def test_experiment_key_exemption_needs_every_variant_on_local_nvme(
    types: tuple[str, ...], violated: bool
) -> None:
    name = "inference-experiment-kms-encrypted"
    found = one(name, "aws-native:sagemaker:InferenceExperiment", experiment(*types))
    assert levels(found, name) == ([MANDATORY] if violated else [])


# --- IAM trust policies ------------------------------------------------------------------------------


def test_trust_policy_that_is_not_json_is_reported() -> None:
    name = "iam-role-trust-not-public"
    found = one(name, "aws:iam/role:Role", {"assumeRolePolicy": "{not json"})
    assert levels(found, name) == [MANDATORY]
    assert "not valid JSON" in messages(found)


# --- S3: inline blocks and literal names the companions' rules also accept ---------------------------


def test_baseline_accepts_a_tls_only_inline_bucket_policy() -> None:
    specs = [s for s in bucket_stack(policy=TLS_ONLY) if s["type"] != BUCKET_POLICY]
    assert levels(run_policy("s3-bucket-security-baseline", specs), "s3-bucket-security-baseline") == []
    specs[0]["inputs"].pop("policy")
    assert levels(run_policy("s3-bucket-security-baseline", specs), "s3-bucket-security-baseline") == [
        MANDATORY
    ]


@pytest.mark.parametrize(("enabled", "violated"), [(True, False), (False, True)])
def test_baseline_reads_a_bucket_v2_inline_versioning_list(enabled: bool, violated: bool) -> None:
    specs = [s for s in bucket_stack() if s["type"] != VERSIONING]
    specs[0]["type"] = "aws:s3/bucketV2:BucketV2"
    specs[0]["inputs"]["versionings"] = [{"enabled": enabled, "mfaDelete": False}]
    found = run_policy("s3-bucket-security-baseline", specs)
    assert levels(found, "s3-bucket-security-baseline") == ([MANDATORY] if violated else [])


@pytest.mark.parametrize(("target", "violated"), [("access-logs", False), ("", True)])
def test_access_logging_reads_a_bucket_v2_inline_loggings_list(target: str, violated: bool) -> None:
    specs = bucket_stack(logging=False)
    specs[0]["type"] = "aws:s3/bucketV2:BucketV2"
    specs[0]["inputs"]["loggings"] = [{"targetBucket": target, "targetPrefix": "data/"}]
    found = run_policy("s3-bucket-access-logging", specs)
    assert levels(found, "s3-bucket-access-logging") == ([MANDATORY] if violated else [])


def test_native_bucket_companion_linked_by_its_bucket_name() -> None:
    """An aws-native bucket names itself with ``bucketName``; a policy naming that literal configures it."""
    native = {
        "bucketName": BUCKET_NAME,
        "tags": [{"key": k, "value": v} for k, v in TAGS.items()],
        "publicAccessBlockConfiguration": dict(FLAGS),
        "versioningConfiguration": {"status": "Enabled"},
        "bucketEncryption": {
            "serverSideEncryptionConfiguration": [
                {"serverSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY}}
            ]
        },
    }
    policy = {"bucket": BUCKET_NAME, "policyDocument": json.loads(TLS_ONLY)}
    specs = [
        {"type": "aws-native:s3:Bucket", "name": "data", "inputs": native},
        {"type": "aws-native:s3:BucketPolicy", "name": "policy", "inputs": policy},
    ]
    name = "s3-bucket-security-baseline"
    assert levels(run_policy(name, specs), name) == []
    assert levels(run_policy(name, specs[:1]), name) == [MANDATORY]


@pytest.mark.parametrize(
    ("log_types", "violated"),
    [
        pytest.param(["audit"], False, id="audit"),
        pytest.param(
            ["api", "authenticator", "controllerManager", "scheduler"], True, id="everything-but-audit"
        ),
    ],
)
def test_eks_audit_logging_needs_the_audit_log(log_types: list[str], violated: bool) -> None:
    found = one("eks-audit-logging", EKS, {"enabledClusterLogTypes": log_types})
    assert levels(found, "eks-audit-logging") == ([MANDATORY] if violated else [])
