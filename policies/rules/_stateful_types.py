"""Which types ``stateful-resources-protected`` asks ``protect=True`` of, as a class.

:data:`PROTECTED_TYPES` (the rule's default ``protectedTypes``) lists the stores whose deletion loses
data no ``pulumi up`` brings back: KMS keys (what they encrypt is unreadable once deleted), buckets,
feature groups, model package groups (the approval history), audit trails and CloudTrail Lake event
data stores, and the databases and directories of the installed providers. A type whose AWS API has a
deletion or termination protection setting (``deletionProtection``, ``deletionProtectionEnabled``,
``terminationProtectionEnabled``, ``disableApiTermination``...) is one AWS itself thinks worth keeping:
tests/policies/test_stateful_protected_types_71.py scans the installed pulumi-aws and aws-native for
such inputs and fails on a type in neither :data:`PROTECTED_TYPES` nor :data:`NOT_STATEFUL` (with why),
so a new stateful type in a provider upgrade is a failing test, not a silent gap.

Imports nothing from ``components/`` or ``stacks/``: the pack governs any Pulumi program.
"""

from __future__ import annotations

#: Type tokens that must be protected (pulumi-aws and their aws-native twins).
PROTECTED_TYPES: tuple[str, ...] = (
    "aws:kms/key:Key",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
    "aws:sagemaker/featureGroup:FeatureGroup",
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup",
    "aws:cloudtrail/trail:Trail",
    "aws:kms/replicaKey:ReplicaKey",
    "aws-native:kms:Key",
    "aws-native:kms:ReplicaKey",
    "aws-native:s3:Bucket",
    "aws-native:sagemaker:FeatureGroup",
    "aws-native:sagemaker:ModelPackageGroup",
    "aws-native:cloudtrail:Trail",
    # CloudTrail Lake: the audit events themselves (terminationProtectionEnabled, default true).
    "aws:cloudtrail/eventDataStore:EventDataStore",
    "aws-native:cloudtrail:EventDataStore",
    # Databases (deletionProtection / deletionProtectionEnabled).
    "aws:dynamodb/table:Table",
    "aws:dynamodb/tableReplica:TableReplica",
    "aws-native:dynamodb:Table",
    "aws-native:dynamodb:GlobalTable",
    "aws:rds/instance:Instance",
    "aws:rds/cluster:Cluster",
    "aws:rds/globalCluster:GlobalCluster",
    "aws-native:rds:DbInstance",
    "aws-native:rds:DbCluster",
    "aws-native:rds:GlobalCluster",
    "aws:docdb/cluster:Cluster",
    "aws:docdb/globalCluster:GlobalCluster",
    "aws-native:docdb:GlobalCluster",
    "aws:neptune/cluster:Cluster",
    "aws:neptune/globalCluster:GlobalCluster",
    "aws-native:neptune:DbCluster",
    "aws-native:neptune:GlobalCluster",
    "aws:neptunegraph/graph:Graph",
    "aws-native:neptunegraph:Graph",
    "aws:dsql/cluster:Cluster",
    "aws-native:dsql:Cluster",
    "aws:qldb/ledger:Ledger",
    # A vector store (aws-native's deletionProtection; pulumi-aws's twin has no such input yet).
    "aws:opensearch/serverlessCollection:ServerlessCollection",
    "aws-native:opensearchserverless:Collection",
    # A user directory: the users' identities and credentials.
    "aws:cognito/userPool:UserPool",
    "aws-native:cognito:UserPool",
)

_COMPUTE = "compute the program recreates as it was; the data it works on lives in the stores protected"
_NETWORK = "network plumbing the program recreates as it was; it holds no data"
_MESSAGING = (
    "an SMS/voice origination identity or its configuration, not a store of data (the platform sends no SMS)"
)

#: Why a log group is not a protected type, and where that stops being true. Deleting a log group
#: deletes its events, so a group that holds the only copy of an audit record is a store of data:
#: EKS delivers its control-plane audit logs to CloudWatch Logs only (``/aws/eks/<cluster>/cluster``;
#: Amazon EKS User Guide, "Amazon EKS control plane logging"), and database audit logs exported
#: there may have no other copy either. The type alone cannot tell those from operational ones (the
#: platform's: SageMaker jobs and endpoints, Lambda, flow logs), and protecting every log group would
#: make each stack's teardown a manual step; a program protects such a group itself.
_LOG_GROUP = (
    "mostly operational logs that expire by retentionInDays (log-group-retention) and whose loss loses "
    "no record kept nowhere else: CloudTrail's audit record is its trail's, whose bucket is protected. Not "
    "every log group: deleting one deletes its events, and some hold the only copy of an audit record "
    "(EKS control-plane audit logs go to CloudWatch Logs only, /aws/eks/<cluster>/cluster); the type "
    "cannot tell those apart, so protect such a group with protect=True in the program"
)

#: Types with a deletion or termination protection input that are not stores of data, and why.
NOT_STATEFUL: dict[str, str] = {
    "aws:ec2/instance:Instance": _COMPUTE,
    "aws-native:ec2:Instance": _COMPUTE,
    "aws:ec2/launchTemplate:LaunchTemplate": _COMPUTE,
    "aws-native:ec2:LaunchTemplate": _COMPUTE,
    "aws:ec2/spotInstanceRequest:SpotInstanceRequest": _COMPUTE,
    "aws-native:autoscaling:AutoScalingGroup": _COMPUTE,
    "aws:emr/cluster:Cluster": _COMPUTE,
    "aws:eks/cluster:Cluster": _COMPUTE + " (workloads' state is in their volumes and stores)",
    "aws-native:eks:Cluster": _COMPUTE + " (workloads' state is in their volumes and stores)",
    "aws-native:ecs:Gateway": _COMPUTE,
    "aws:alb/loadBalancer:LoadBalancer": _NETWORK,
    "aws:lb/loadBalancer:LoadBalancer": _NETWORK,
    "aws:networkfirewall/firewall:Firewall": _NETWORK,
    "aws-native:networkfirewall:Firewall": _NETWORK,
    "aws:cloudwatch/logGroup:LogGroup": _LOG_GROUP,
    "aws-native:logs:LogGroup": _LOG_GROUP,
    "aws-native:cloudformation:Stack": "a deployment of other resources, each judged as its own type",
    "aws-native:cloudtrail:Dashboard": "a view of event data stores (which are protected); it holds no events",
    "aws:verifiedpermissions/policyStore:PolicyStore": (
        "authorization policies the program itself declares (its Policy resources), recreated as they were"
    ),
    "aws-native:verifiedpermissions:PolicyStore": (
        "authorization policies the program itself declares (its Policy resources), recreated as they were"
    ),
    "aws-native:wellarchitected:AgentProfile": "a review tool's configuration, not a store of data",
    "aws:quicksight/accountSettings:AccountSettings": "account-wide settings, not a store of data",
    "aws:pinpoint/smsvoicev2PhoneNumber:Smsvoicev2PhoneNumber": _MESSAGING,
    "aws:pinpoint/smsvoicev2Pool:Smsvoicev2Pool": _MESSAGING,
    "aws:pinpoint/smsvoicev2SenderId:Smsvoicev2SenderId": _MESSAGING,
    "aws-native:smsvoice:PhoneNumber": _MESSAGING,
    "aws-native:smsvoice:Pool": _MESSAGING,
    "aws-native:smsvoice:SenderId": _MESSAGING,
    "aws-native:smsvoice:NotifyConfiguration": _MESSAGING,
    "aws-native:smsvoice:ProtectConfiguration": _MESSAGING,
    "aws-native:smsvoice:RcsAgent": _MESSAGING,
}
