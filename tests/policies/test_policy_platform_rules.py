"""CloudWatch/SNS, network (EKS, security groups, flow logs) and Kubernetes workload rules."""

from __future__ import annotations

import copy
from typing import Any

import pytest

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "aws:sns/topic:Topic"
EKS = "aws:eks/cluster:Cluster"
SG = "aws:ec2/securityGroup:SecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
VPC = "aws:ec2/vpc:Vpc"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
STATEFUL_SET = "kubernetes:apps/v1:StatefulSet"
KEY = "arn:aws:kms:eu-west-1:111122223333:key/abcd"
TOPIC_ARN = "arn:aws:sns:eu-west-1:111122223333:alerts"

EKS_OK = {
    "roleArn": "arn:aws:iam::1:role/eks",
    "enabledClusterLogTypes": ["api", "audit", "authenticator"],
    "vpcConfig": {"subnetIds": ["subnet-1"], "endpointPrivateAccess": True, "endpointPublicAccess": False},
    "encryptionConfig": {"provider": {"keyArn": KEY}, "resources": ["secrets"]},
}
ALARM_OK = {"comparisonOperator": "GreaterThanThreshold", "evaluationPeriods": 1, "alarmActions": [TOPIC_ARN]}

CONTAINER = {
    "name": "server",
    "image": "111122223333.dkr.ecr.eu-west-1.amazonaws.com/serve@sha256:" + "a" * 64,
    "readinessProbe": {"httpGet": {"path": "/ping", "port": 8080}},
    "livenessProbe": {"httpGet": {"path": "/ping", "port": 8080}},
    "resources": {
        "requests": {"cpu": "2", "memory": "8Gi", "nvidia.com/gpu": 1},
        "limits": {"cpu": "4", "memory": "8Gi", "nvidia.com/gpu": "1"},
    },
    "securityContext": {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "runAsUser": 10001,
        "capabilities": {"drop": ["ALL"]},
    },
}
POD = {
    "containers": [CONTAINER],
    "nodeSelector": {"nvidia.com/gpu.present": "true"},
    "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
    "automountServiceAccountToken": False,
    "securityContext": {"runAsNonRoot": True, "runAsUser": 10001},
}


def workload(
    container: dict[str, Any] | None = None,
    pod: dict[str, Any] | None = None,
    namespace: str = "serving",
    drop_container: tuple[str, ...] = (),
    drop_pod: tuple[str, ...] = (),
) -> dict[str, Any]:
    """A hardened GPU Deployment; ``container``/``pod`` entries replace keys, ``drop_*`` remove them."""
    spec_container = {
        k: v for k, v in {**copy.deepcopy(CONTAINER), **(container or {})}.items() if k not in drop_container
    }
    spec_pod = {k: v for k, v in {**copy.deepcopy(POD), **(pod or {})}.items() if k not in drop_pod}
    spec_pod["containers"] = [spec_container]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "server", "namespace": namespace},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "server"}},
            "template": {"metadata": {"labels": {"app": "server"}}, "spec": spec_pod},
        },
    }


def security(**changes: Any) -> dict[str, Any]:
    return {"securityContext": {**CONTAINER["securityContext"], **changes}}


CPU_ONLY = {"resources": {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}}}

CASES = [
    # CloudWatch and SNS
    pytest.param(
        "log-group-retention",
        LOG_GROUP,
        {"retentionInDays": 365, "kmsKeyId": KEY},
        None,
        id="one-year-retention-passes",
    ),
    pytest.param("log-group-retention", LOG_GROUP, {"retentionInDays": 0}, None, id="never-expire-passes"),
    pytest.param(
        "log-group-retention",
        LOG_GROUP,
        {"kmsKeyId": KEY},
        "retentionInDays is unset",
        id="unset-retention-fails",
    ),
    pytest.param(
        "log-group-retention",
        LOG_GROUP,
        {"retentionInDays": 30},
        "retentionInDays is 30:",
        id="short-retention-fails",
    ),
    pytest.param(
        "log-group-kms-encrypted",
        LOG_GROUP,
        {"retentionInDays": 365, "kmsKeyId": KEY},
        None,
        id="encrypted-log-group-passes",
    ),
    pytest.param(
        "log-group-kms-encrypted",
        LOG_GROUP,
        {"retentionInDays": 365},
        "kmsKeyId",
        id="unencrypted-log-group-fails",
    ),
    pytest.param("alarm-has-actions", ALARM, ALARM_OK, None, id="alarm-notifying-topic-passes"),
    pytest.param(
        "alarm-has-actions",
        ALARM,
        {**ALARM_OK, "alarmActions": []},
        "alarmActions",
        id="alarm-without-actions-fails",
    ),
    pytest.param(
        "alarm-has-actions",
        ALARM,
        {**ALARM_OK, "actionsEnabled": False},
        "actionsEnabled",
        id="alarm-with-actions-disabled-fails",
    ),
    pytest.param(
        "alarm-has-actions",
        "aws-native:cloudwatch:Alarm",
        ALARM_OK,
        None,
        id="native-alarm-notifying-topic-passes",
    ),
    pytest.param(
        "alarm-has-actions",
        "aws-native:cloudwatch:Alarm",
        {"comparisonOperator": "GreaterThanThreshold", "evaluationPeriods": 1},
        "alarmActions",
        id="native-alarm-without-actions-fails",
    ),
    pytest.param(
        "alarm-has-actions",
        "aws-native:cloudwatch:Alarm",
        {**ALARM_OK, "actionsEnabled": False},
        "actionsEnabled",
        id="native-alarm-with-actions-disabled-fails",
    ),
    pytest.param(
        "sns-topic-kms-encrypted", TOPIC, {"kmsMasterKeyId": KEY}, None, id="encrypted-topic-passes"
    ),
    pytest.param(
        "sns-topic-kms-encrypted", TOPIC, {"name": "alerts"}, "kmsMasterKeyId", id="plain-topic-fails"
    ),
    pytest.param(
        "sns-topic-kms-encrypted",
        TOPIC,
        {"kmsMasterKeyId": "alias/aws/sns"},
        "AWS-managed",
        id="aws-managed-key-alias-fails",
    ),
    pytest.param(
        "sns-topic-kms-encrypted",
        TOPIC,
        {"kmsMasterKeyId": "arn:aws-us-gov:kms:us-gov-west-1:123456789012:alias/aws/sns"},
        "AWS-managed",
        id="aws-managed-key-alias-arn-fails",
    ),
    pytest.param(
        "sns-topic-kms-encrypted",
        TOPIC,
        {"kmsMasterKeyId": "alias/mlops/aws/alerts"},
        None,
        id="customer-alias-containing-aws-passes",
    ),
    # EKS and security groups
    pytest.param("eks-endpoint-private", EKS, EKS_OK, None, id="private-endpoint-passes"),
    pytest.param(
        "eks-endpoint-private",
        EKS,
        {**EKS_OK, "vpcConfig": {"subnetIds": ["subnet-1"]}},
        "vpcConfig.endpointPublicAccess",
        id="default-public-endpoint-fails",
    ),
    pytest.param("eks-secrets-encrypted", EKS, EKS_OK, None, id="secrets-encryption-passes"),
    pytest.param(
        "eks-secrets-encrypted",
        EKS,
        {**EKS_OK, "encryptionConfig": [{"resources": ["secrets"]}]},
        None,
        id="list-shaped-encryption-config-passes",
    ),
    pytest.param(
        "eks-secrets-encrypted",
        EKS,
        {**EKS_OK, "encryptionConfig": None},
        "encryptionConfig.resources",
        id="no-secrets-encryption-fails",
    ),
    pytest.param("eks-audit-logging", EKS, EKS_OK, None, id="audit-logs-pass"),
    pytest.param(
        "eks-audit-logging",
        EKS,
        {**EKS_OK, "enabledClusterLogTypes": ["api"]},
        "enabledClusterLogTypes",
        id="no-audit-logs-fails",
    ),
    pytest.param(
        "security-group-no-unrestricted-ingress",
        SG,
        {
            "ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["10.0.0.0/16"]}],
            "egress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}],
        },
        None,
        id="vpc-only-ingress-with-open-egress-passes",
    ),
    pytest.param(
        "security-group-no-unrestricted-ingress",
        SG,
        {"ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}]},
        "ingress[0] allows ingress from 0.0.0.0/0",
        id="open-ingress-fails",
    ),
    pytest.param(
        "security-group-no-unrestricted-ingress",
        SG_RULE,
        {"type": "egress", "cidrBlocks": ["0.0.0.0/0"], "securityGroupId": "sg-1"},
        None,
        id="open-egress-rule-passes",
    ),
    pytest.param(
        "security-group-no-unrestricted-ingress",
        SG_RULE,
        {"type": "ingress", "ipv6CidrBlocks": ["::/0"], "securityGroupId": "sg-1"},
        "::/0",
        id="open-ipv6-ingress-rule-fails",
    ),
    pytest.param(
        "security-group-no-unrestricted-ingress",
        INGRESS_RULE,
        {"cidrIpv4": "0.0.0.0/0", "ipProtocol": "tcp", "securityGroupId": "sg-1"},
        "cidrIpv4",
        id="open-vpc-ingress-rule-fails",
    ),
    # Kubernetes workloads
    pytest.param("k8s-probes-configured", DEPLOYMENT, workload(), None, id="probed-container-passes"),
    pytest.param(
        "k8s-probes-configured",
        DEPLOYMENT,
        workload(drop_container=("readinessProbe",)),
        "spec.template.spec.containers[0].readinessProbe",
        id="container-without-readiness-probe-fails",
    ),
    pytest.param("k8s-resources-bounded", DEPLOYMENT, workload(), None, id="bounded-container-passes"),
    pytest.param(
        "k8s-resources-bounded",
        STATEFUL_SET,
        workload({"resources": {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1"}}}),
        "containers[0].resources.limits.memory",
        id="statefulset-without-memory-limit-fails",
    ),
    pytest.param("k8s-image-pinned-by-digest", DEPLOYMENT, workload(), None, id="digest-pinned-image-passes"),
    pytest.param(
        "k8s-image-pinned-by-digest",
        DEPLOYMENT,
        workload({"image": "serve:latest"}),
        "image 'serve:latest' is not pinned by digest",
        id="latest-tag-fails",
    ),
    pytest.param(
        "k8s-container-security-context", DEPLOYMENT, workload(), None, id="hardened-container-passes"
    ),
    pytest.param(
        "k8s-container-security-context",
        DEPLOYMENT,
        workload({"securityContext": {**CONTAINER["securityContext"], "runAsNonRoot": None}}),
        None,
        id="pod-level-run-as-non-root-passes",
    ),
    pytest.param(
        "k8s-container-security-context",
        DEPLOYMENT,
        workload(security(privileged=True), namespace="kube-system"),
        None,
        id="exempt-namespace-is-skipped",
    ),
    pytest.param(
        "k8s-container-security-context",
        DEPLOYMENT,
        workload(security(privileged=True)),
        "securityContext.privileged is true",
        id="privileged-container-fails",
    ),
    pytest.param(
        "k8s-container-security-context",
        DEPLOYMENT,
        workload(security(allowPrivilegeEscalation=None)),
        "securityContext.allowPrivilegeEscalation is unset",
        id="default-privilege-escalation-fails",
    ),
    pytest.param(
        "k8s-container-security-context",
        DEPLOYMENT,
        workload(security(readOnlyRootFilesystem=False)),
        "securityContext.readOnlyRootFilesystem",
        id="writable-root-filesystem-fails",
    ),
    pytest.param(
        "k8s-container-security-context",
        DEPLOYMENT,
        workload(security(runAsNonRoot=False)),
        "securityContext.runAsNonRoot",
        id="container-overriding-non-root-fails",
    ),
    pytest.param(
        "k8s-container-security-context",
        DEPLOYMENT,
        workload(security(capabilities={"drop": ["NET_RAW"], "add": ["SYS_ADMIN"]})),
        "securityContext.capabilities.drop",
        id="capabilities-not-dropped-fails",
    ),
    pytest.param("k8s-no-host-namespaces", DEPLOYMENT, workload(), None, id="no-host-namespaces-passes"),
    *(
        pytest.param(
            "k8s-no-host-namespaces",
            DEPLOYMENT,
            workload(pod={flag: True}),
            f"spec.template.spec.{flag}",
            id=f"host-{name}-fails",
        )
        for flag, name in (("hostNetwork", "network"), ("hostPID", "pid"), ("hostIPC", "ipc"))
    ),
    # The Pod Security Standards' controls (tests/policies/test_pod_hostpath_seccomp_69.py has the rest).
    pytest.param(
        "k8s-no-host-path-volumes",
        DEPLOYMENT,
        workload(pod={"volumes": [{"name": "tmp", "emptyDir": {}}]}),
        None,
        id="empty-dir-volume-passes",
    ),
    pytest.param(
        "k8s-no-host-path-volumes",
        DEPLOYMENT,
        workload(pod={"volumes": [{"name": "root", "hostPath": {"path": "/"}}]}),
        "spec.template.spec.volumes[0].hostPath",
        id="host-path-volume-fails",
    ),
    pytest.param(
        "k8s-no-host-ports",
        DEPLOYMENT,
        workload(container={"ports": [{"containerPort": 8080}]}),
        None,
        id="container-port-passes",
    ),
    pytest.param(
        "k8s-no-host-ports",
        DEPLOYMENT,
        workload(container={"ports": [{"containerPort": 8080, "hostPort": 8080}]}),
        "ports[0].hostPort",
        id="host-port-fails",
    ),
    pytest.param(
        "k8s-no-host-probes",
        DEPLOYMENT,
        workload(container={"livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080, "host": ""}}}),
        None,
        id="probe-without-host-passes",
    ),
    pytest.param(
        "k8s-no-host-probes",
        DEPLOYMENT,
        workload(
            container={"livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080, "host": "10.0.0.1"}}}
        ),
        "livenessProbe.httpGet.host",
        id="probe-host-fails",
    ),
    pytest.param(
        "k8s-seccomp-not-unconfined", DEPLOYMENT, workload(), None, id="no-seccomp-is-not-unconfined"
    ),
    pytest.param(
        "k8s-seccomp-not-unconfined",
        DEPLOYMENT,
        workload(pod={"securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "Unconfined"}}}),
        "seccompProfile.type is 'Unconfined'",
        id="unconfined-seccomp-fails",
    ),
    pytest.param(
        "k8s-seccomp-profile-set",
        DEPLOYMENT,
        workload(
            pod={"securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}}
        ),
        None,
        id="runtime-default-seccomp-passes",
    ),
    pytest.param(
        "k8s-seccomp-profile-set",
        DEPLOYMENT,
        workload(),
        "seccompProfile is unset",
        id="missing-seccomp-fails",
    ),
    pytest.param(
        "k8s-restricted-volume-types",
        DEPLOYMENT,
        workload(pod={"volumes": [{"name": "models", "persistentVolumeClaim": {"claimName": "models"}}]}),
        None,
        id="pvc-volume-passes",
    ),
    pytest.param(
        "k8s-restricted-volume-types",
        DEPLOYMENT,
        workload(pod={"volumes": [{"name": "models", "nfs": {"server": "fs", "path": "/"}}]}),
        "volumes[0] ('models') is of type nfs",
        id="nfs-volume-fails",
    ),
    pytest.param("k8s-default-proc-mount", DEPLOYMENT, workload(), None, id="default-proc-mount-passes"),
    pytest.param(
        "k8s-default-proc-mount",
        DEPLOYMENT,
        workload(security(procMount="Unmasked")),
        "securityContext.procMount",
        id="unmasked-proc-fails",
    ),
    pytest.param("k8s-no-windows-host-process", DEPLOYMENT, workload(), None, id="no-host-process-passes"),
    pytest.param(
        "k8s-no-windows-host-process",
        DEPLOYMENT,
        workload(security(windowsOptions={"hostProcess": True})),
        "windowsOptions.hostProcess",
        id="host-process-fails",
    ),
    pytest.param(
        "k8s-selinux-options-default",
        DEPLOYMENT,
        workload(security(seLinuxOptions={"level": "s0:c1,c2"})),
        None,
        id="selinux-level-passes",
    ),
    pytest.param(
        "k8s-selinux-options-default",
        DEPLOYMENT,
        workload(security(seLinuxOptions={"type": "spc_t"})),
        "seLinuxOptions.type",
        id="selinux-spc-type-fails",
    ),
    pytest.param(
        "k8s-apparmor-not-unconfined",
        DEPLOYMENT,
        workload(security(appArmorProfile={"type": "RuntimeDefault"})),
        None,
        id="apparmor-runtime-default-passes",
    ),
    pytest.param(
        "k8s-apparmor-not-unconfined",
        DEPLOYMENT,
        workload(security(appArmorProfile={"type": "Unconfined"})),
        "appArmorProfile.type",
        id="apparmor-unconfined-fails",
    ),
    pytest.param(
        "k8s-safe-sysctls-only",
        DEPLOYMENT,
        workload(
            pod={
                "securityContext": {
                    "runAsNonRoot": True,
                    "sysctls": [{"name": "net.ipv4.tcp_syncookies", "value": "1"}],
                }
            }
        ),
        None,
        id="safe-sysctl-passes",
    ),
    pytest.param(
        "k8s-safe-sysctls-only",
        DEPLOYMENT,
        workload(
            pod={
                "securityContext": {
                    "runAsNonRoot": True,
                    "sysctls": [{"name": "kernel.msgmax", "value": "65536"}],
                }
            }
        ),
        "sysctls[0].name",
        id="unsafe-sysctl-fails",
    ),
    pytest.param(
        "k8s-service-account-token-not-automounted",
        DEPLOYMENT,
        workload(),
        None,
        id="token-not-mounted-passes",
    ),
    pytest.param(
        "k8s-service-account-token-not-automounted",
        DEPLOYMENT,
        workload(drop_pod=("automountServiceAccountToken",)),
        "automountServiceAccountToken",
        id="default-token-mount-fails",
    ),
    pytest.param("k8s-run-as-high-uid", DEPLOYMENT, workload(), None, id="high-uid-passes"),
    pytest.param(
        "k8s-run-as-high-uid",
        DEPLOYMENT,
        workload(security(runAsUser=1000)),
        "containers[0].securityContext.runAsUser is 1000",
        id="low-uid-fails",
    ),
    pytest.param("k8s-gpu-pods-well-formed", DEPLOYMENT, workload(), None, id="gpu-pod-with-selector-passes"),
    pytest.param(
        "k8s-gpu-pods-well-formed",
        DEPLOYMENT,
        workload(CPU_ONLY, drop_pod=("nodeSelector", "tolerations")),
        None,
        id="cpu-pod-is-not-checked",
    ),
    pytest.param(
        "k8s-gpu-pods-well-formed",
        DEPLOYMENT,
        workload(drop_pod=("nodeSelector",)),
        None,
        id="gpu-pod-with-toleration-only-passes",
    ),
    pytest.param(
        "k8s-gpu-pods-well-formed",
        DEPLOYMENT,
        workload(
            pod={
                "affinity": {
                    "nodeAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": {
                            "nodeSelectorTerms": [
                                {
                                    "matchExpressions": [
                                        {
                                            "key": "k8s.amazonaws.com/accelerator",
                                            "operator": "In",
                                            "values": ["nvidia-a10g"],
                                        }
                                    ]
                                }
                            ]
                        }
                    }
                }
            },
            drop_pod=("nodeSelector", "tolerations"),
        ),
        None,
        id="gpu-pod-with-node-affinity-passes",
    ),
    pytest.param(
        "k8s-gpu-pods-well-formed",
        DEPLOYMENT,
        workload(
            {
                "resources": {
                    "requests": {"cpu": "1", "memory": "1Gi", "nvidia.com/gpu": 1},
                    "limits": {"cpu": "1", "memory": "1Gi"},
                }
            }
        ),
        "resources.limits['nvidia.com/gpu'] is unset",
        id="gpu-request-without-limit-fails",
    ),
    pytest.param(
        "k8s-gpu-pods-well-formed",
        DEPLOYMENT,
        workload({"resources": {"requests": {"nvidia.com/gpu": 2}, "limits": {"nvidia.com/gpu": 1}}}),
        "differs from limits",
        id="gpu-request-unequal-to-limit-fails",
    ),
    pytest.param(
        "k8s-gpu-pods-well-formed",
        DEPLOYMENT,
        workload(drop_pod=("nodeSelector", "tolerations")),
        "nodeSelector has no GPU key",
        id="gpu-pod-without-gpu-nodes-fails",
    ),
]

STACK_CASES = [
    pytest.param(
        "vpc-flow-logs-enabled",
        [
            {"type": VPC, "name": "vpc", "inputs": {"cidrBlock": "10.0.0.0/16"}},
            {"type": FLOW_LOG, "name": "flow", "inputs": {"trafficType": "ALL"}, "deps": {"vpcId": ["vpc"]}},
        ],
        None,
        id="vpc-with-flow-log-passes",
    ),
    pytest.param(
        "vpc-flow-logs-enabled",
        [{"type": VPC, "name": "vpc", "inputs": {"cidrBlock": "10.0.0.0/16"}}],
        "has no aws.ec2.FlowLog",
        id="vpc-without-flow-log-fails",
    ),
]


@pytest.mark.parametrize(("policy_name", "resource_type", "inputs", "fragment"), CASES)
def test_rule(check_resource, outcome, policy_name, resource_type, inputs, fragment):
    outcome(check_resource(policy_name, resource_type, inputs), policy_name, fragment)


@pytest.mark.parametrize(("policy_name", "specs", "fragment"), STACK_CASES)
def test_stack_rule(check_stack, outcome, policy_name, specs, fragment):
    outcome(check_stack(policy_name, specs), policy_name, fragment)


def test_log_retention_minimum_follows_config(check_resource, outcome):
    config = {"log-group-retention": {"minRetentionDays": 30}}
    outcome(
        check_resource("log-group-retention", LOG_GROUP, {"retentionInDays": 30}, config),
        "log-group-retention",
        None,
    )


def test_security_context_reports_each_missing_setting(check_resource):
    inputs = workload({"securityContext": {}}, pod={"securityContext": {}})
    messages = [v.message for v in check_resource("k8s-container-security-context", DEPLOYMENT, inputs)]
    for setting in (
        "allowPrivilegeEscalation",
        "readOnlyRootFilesystem",
        "runAsNonRoot",
        "capabilities.drop",
    ):
        assert any(f"securityContext.{setting}" in m for m in messages), setting
