"""Every resource rule that reads a pulumi-aws type reads its aws-native twin too.

The same resource written with pulumi-aws-native (CloudFormation's types, mostly the same property
names) must not pass a rule its pulumi-aws form fails: two scaling rules read only
``aws:appautoscaling/policy:Policy`` until 2026-12-05. ``TWINS`` maps each pulumi-aws type a rule
reads to the aws-native types that say the same thing (a rule must read at least one of them; an
inline policy or attachment's twin is the resource that holds it in CloudFormation), or to none
where CloudFormation has no such resource. A new rule on a type missing here fails until someone
decides its twin. It reads the types a resource rule declares, not what its check does with a
twin's properties (each rule's own tests do), and stack rules declare no types: their twins are
their tests' (e.g. the aws-native step policy of ``scale-out-steps-add-capacity``).
"""

from __future__ import annotations

from typing import Any

import pytest

from policies.registry import ALL_POLICIES
from policies.rules._common import TypesMatching

TWINS: dict[str, set[str]] = {
    "aws:appautoscaling/policy:Policy": {"aws-native:applicationautoscaling:ScalingPolicy"},
    "aws:athena/workgroup:Workgroup": {"aws-native:athena:WorkGroup"},
    "aws:cloudtrail/eventDataStore:EventDataStore": {"aws-native:cloudtrail:EventDataStore"},
    "aws:cloudtrail/trail:Trail": {"aws-native:cloudtrail:Trail"},
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy": {
        "aws-native:events:EventBusPolicy",
        "aws-native:events:EventBus",
    },
    "aws:cloudwatch/eventPermission:EventPermission": {"aws-native:events:EventBusPolicy"},
    "aws:cloudwatch/logGroup:LogGroup": {"aws-native:logs:LogGroup"},
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": {"aws-native:logs:ResourcePolicy"},
    "aws:cloudwatch/metricAlarm:MetricAlarm": {"aws-native:cloudwatch:Alarm"},
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": {"aws-native:cloudwatch:CompositeAlarm"},
    "aws:cloudwatch/alarmMuteRule:AlarmMuteRule": {"aws-native:cloudwatch:AlarmMuteRule"},
    # The account's default security group: adopted by pulumi-aws only.
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": set(),
    "aws:ec2/securityGroup:SecurityGroup": {"aws-native:ec2:SecurityGroup"},
    "aws:ec2/securityGroupRule:SecurityGroupRule": {"aws-native:ec2:SecurityGroupIngress"},
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": {"aws-native:ec2:SecurityGroupIngress"},
    "aws:ecr/registryPolicy:RegistryPolicy": {"aws-native:ecr:RegistryPolicy"},
    "aws:ecr/repositoryPolicy:RepositoryPolicy": {"aws-native:ecr:Repository"},
    "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate": {
        "aws-native:ecr:RepositoryCreationTemplate"
    },
    "aws:eks/cluster:Cluster": {"aws-native:eks:Cluster"},
    # The Data Catalog's policy: no CloudFormation resource.
    "aws:glue/resourcePolicy:ResourcePolicy": set(),
    "aws:iam/groupPolicy:GroupPolicy": {"aws-native:iam:GroupPolicy", "aws-native:iam:Group"},
    "aws:iam/policy:Policy": {"aws-native:iam:ManagedPolicy"},
    "aws:iam/role:Role": {"aws-native:iam:Role"},
    "aws:iam/rolePolicy:RolePolicy": {"aws-native:iam:RolePolicy"},
    "aws:iam/userPolicy:UserPolicy": {"aws-native:iam:UserPolicy"},
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": {"aws-native:iam:Group"},
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive": {"aws-native:iam:Group"},
    "aws:iam/policyAttachment:PolicyAttachment": {"aws-native:iam:Role"},
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {"aws-native:iam:Role"},
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": {"aws-native:iam:Role"},
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": {"aws-native:iam:User"},
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive": {"aws-native:iam:User"},
    "aws:kms/externalKey:ExternalKey": {"aws-native:kms:Key"},
    "aws:kms/key:Key": {"aws-native:kms:Key"},
    "aws:kms/keyPolicy:KeyPolicy": {"aws-native:kms:Key"},
    "aws:kms/replicaExternalKey:ReplicaExternalKey": {"aws-native:kms:ReplicaKey"},
    "aws:kms/replicaKey:ReplicaKey": {"aws-native:kms:ReplicaKey"},
    "aws:lambda/permission:Permission": {"aws-native:lambda:Permission"},
    "aws:lambda/resourcePolicy:ResourcePolicy": {"aws-native:lambda:ResourcePolicy"},
    "aws:s3/accessPoint:AccessPoint": {"aws-native:s3:AccessPoint"},
    "aws:s3control/accessPointPolicy:AccessPointPolicy": {"aws-native:s3:AccessPoint"},
    "aws:s3control/multiRegionAccessPointPolicy:MultiRegionAccessPointPolicy": {
        "aws-native:s3:MultiRegionAccessPointPolicy"
    },
    "aws:s3control/objectLambdaAccessPointPolicy:ObjectLambdaAccessPointPolicy": {
        "aws-native:s3objectlambda:AccessPointPolicy"
    },
    # The account-wide block: no CloudFormation resource.
    "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock": set(),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {"aws-native:s3:Bucket"},
    "aws:s3/bucket:Bucket": {"aws-native:s3:Bucket", "aws-native:s3:BucketPolicy"},
    "aws:s3/bucketV2:BucketV2": {"aws-native:s3:Bucket", "aws-native:s3:BucketPolicy"},
    "aws:s3/bucketPolicy:BucketPolicy": {"aws-native:s3:BucketPolicy"},
    "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition": {
        "aws-native:sagemaker:DataQualityJobDefinition"
    },
    "aws:sagemaker/domain:Domain": {"aws-native:sagemaker:Domain"},
    "aws:sagemaker/app:App": {"aws-native:sagemaker:App"},
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": {"aws-native:sagemaker:EndpointConfig"},
    "aws:sagemaker/featureGroup:FeatureGroup": {"aws-native:sagemaker:FeatureGroup"},
    # Jobs and human-review flows: CloudFormation has no such resources.
    "aws:sagemaker/flowDefinition:FlowDefinition": set(),
    "aws:sagemaker/hyperParameterTuningJob:HyperParameterTuningJob": set(),
    "aws:sagemaker/labelingJob:LabelingJob": set(),
    "aws:sagemaker/image:Image": {"aws-native:sagemaker:Image"},
    "aws:sagemaker/model:Model": {"aws-native:sagemaker:Model"},
    "aws:sagemaker/modelCard:ModelCard": {"aws-native:sagemaker:ModelCard"},
    "aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy": {
        "aws-native:sagemaker:ModelPackageGroup"
    },
    "aws:sagemaker/monitoringSchedule:MonitoringSchedule": {"aws-native:sagemaker:MonitoringSchedule"},
    "aws:sagemaker/notebookInstance:NotebookInstance": {"aws-native:sagemaker:NotebookInstance"},
    "aws:sagemaker/pipeline:Pipeline": {"aws-native:sagemaker:Pipeline"},
    "aws:sagemaker/space:Space": {"aws-native:sagemaker:Space"},
    "aws:sagemaker/trainingJob:TrainingJob": set(),
    "aws:sagemaker/userProfile:UserProfile": {"aws-native:sagemaker:UserProfile"},
    "aws:secretsmanager/secret:Secret": {"aws-native:secretsmanager:ResourcePolicy"},
    "aws:secretsmanager/secretPolicy:SecretPolicy": {"aws-native:secretsmanager:ResourcePolicy"},
    "aws:sns/topic:Topic": {
        "aws-native:sns:Topic",
        "aws-native:sns:TopicPolicy",
        "aws-native:sns:TopicInlinePolicy",
    },
    "aws:sns/topicPolicy:TopicPolicy": {"aws-native:sns:TopicPolicy", "aws-native:sns:TopicInlinePolicy"},
    "aws:sqs/queue:Queue": {
        "aws-native:sqs:Queue",
        "aws-native:sqs:QueueInlinePolicy",
    },
    "aws:sqs/queuePolicy:QueuePolicy": {"aws-native:sqs:QueueInlinePolicy"},
    "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment": {"aws-native:sso:PermissionSet"},
    "aws:ssoadmin/managedPolicyAttachmentsExclusive:ManagedPolicyAttachmentsExclusive": {
        "aws-native:sso:PermissionSet"
    },
    "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy": {"aws-native:sso:PermissionSet"},
    # Shares with every account that are not documents (resource-policy-not-public, session 63).
    "aws:ec2/amiLaunchPermission:AmiLaunchPermission": set(),  # no CloudFormation resource shares an AMI
    "aws:imagebuilder/distributionConfiguration:DistributionConfiguration": {
        "aws-native:imagebuilder:DistributionConfiguration"
    },
    # aws-native's DBSnapshot/DBClusterSnapshot take no shared accounts; no copy resource exists.
    "aws:rds/snapshot:Snapshot": set(),
    "aws:rds/snapshotCopy:SnapshotCopy": set(),
    "aws:rds/clusterSnapshot:ClusterSnapshot": set(),
    "aws:rds/clusterSnapshotCopy:ClusterSnapshotCopy": set(),
    "aws:ec2/vpcEndpointService:VpcEndpointService": {"aws-native:ec2:VpcEndpointServicePermissions"},
    "aws:ec2/vpcEndpointServiceAllowedPrinciple:VpcEndpointServiceAllowedPrinciple": {
        "aws-native:ec2:VpcEndpointServicePermissions"
    },
    "aws:ssm/document:Document": set(),  # aws-native's SSM Document takes no permissions
    "aws:signer/signingProfilePermission:SigningProfilePermission": {"aws-native:signer:ProfilePermission"},
    # Resource-based policies of resource-policy-not-public's class (session 63).
    "aws:acmpca/policy:Policy": set(),  # no CloudFormation resource holds a CA's policy
    "aws:amp/resourcePolicy:ResourcePolicy": {"aws-native:aps:ResourcePolicy"},
    "aws:apigateway/domainName:DomainName": {"aws-native:apigateway:DomainNameV2"},
    "aws:apigateway/restApi:RestApi": {"aws-native:apigateway:RestApi"},
    "aws:apigateway/restApiPolicy:RestApiPolicy": {"aws-native:apigateway:RestApi"},
    "aws:backup/vaultPolicy:VaultPolicy": {
        "aws-native:backup:BackupVault",
        "aws-native:backup:LogicallyAirGappedBackupVault",
    },
    "aws:bedrock/agentcoreResourcePolicy:AgentcoreResourcePolicy": {
        "aws-native:bedrockagentcore:ResourcePolicy"
    },
    "aws:cloudsearch/domainServiceAccessPolicy:DomainServiceAccessPolicy": set(),  # no aws-native CloudSearch
    "aws:cloudwatch/logDeliveryDestinationPolicy:LogDeliveryDestinationPolicy": {
        "aws-native:logs:DeliveryDestination"
    },
    "aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy": {"aws-native:logs:Destination"},
    "aws:codeartifact/domainPermissions:DomainPermissions": {"aws-native:codeartifact:Domain"},
    "aws:codeartifact/repositoryPermissionsPolicy:RepositoryPermissionsPolicy": {
        "aws-native:codeartifact:Repository"
    },
    "aws:codebuild/resourcePolicy:ResourcePolicy": set(),  # no CloudFormation resource
    # public-access-switches-kept-on and the access-point blocks of s3-public-access-blocked
    "aws:ebs/snapshotBlockPublicAccess:SnapshotBlockPublicAccess": {
        "aws-native:ec2:SnapshotBlockPublicAccess"
    },
    "aws:ec2/imageBlockPublicAccess:ImageBlockPublicAccess": set(),  # no CloudFormation resource
    "aws:ec2/vpcBlockPublicAccessOptions:VpcBlockPublicAccessOptions": {
        "aws-native:ec2:VpcBlockPublicAccessOptions"
    },
    "aws:emr/blockPublicAccessConfiguration:BlockPublicAccessConfiguration": set(),  # no CloudFormation resource
    "aws:ssm/serviceSetting:ServiceSetting": {"aws-native:ssm:ServiceSetting"},
    # ... and its switches whose unset position is public
    "aws:apprunner/service:Service": {"aws-native:apprunner:Service"},
    "aws:dms/instanceProfile:InstanceProfile": {"aws-native:dms:InstanceProfile"},
    "aws:dms/replicationInstance:ReplicationInstance": set(),  # not in aws-native
    "aws:rds/cluster:Cluster": {"aws-native:rds:DbCluster"},
    "aws:rds/shardGroup:ShardGroup": {"aws-native:rds:DbShardGroup"},
    "aws:s3control/multiRegionAccessPoint:MultiRegionAccessPoint": {"aws-native:s3:MultiRegionAccessPoint"},
    "aws:dsql/clusterPolicy:ClusterPolicy": {"aws-native:dsql:Cluster"},
    "aws:dynamodb/resourcePolicy:ResourcePolicy": {
        "aws-native:dynamodb:Table",
        "aws-native:dynamodb:GlobalTable",
    },
    "aws:ecrpublic/repositoryPolicy:RepositoryPolicy": set(),  # no aws-native public repository
    "aws:efs/fileSystemPolicy:FileSystemPolicy": {"aws-native:efs:FileSystem"},
    "aws:elasticsearch/domain:Domain": {"aws-native:opensearchservice:Domain"},
    "aws:elasticsearch/domainPolicy:DomainPolicy": {"aws-native:opensearchservice:Domain"},
    "aws:fsx/s3AccessPointAttachment:S3AccessPointAttachment": {"aws-native:fsx:S3AccessPointAttachment"},
    "aws:glacier/vault:Vault": set(),  # no aws-native Glacier
    "aws:glacier/vaultLock:VaultLock": set(),
    "aws:kinesis/resourcePolicy:ResourcePolicy": {"aws-native:kinesis:ResourcePolicy"},
    "aws:mediastore/containerPolicy:ContainerPolicy": set(),  # no aws-native MediaStore
    "aws:lambda/layerVersionPermission:LayerVersionPermission": {"aws-native:lambda:LayerVersionPermission"},
    "aws:organizations/resourcePolicy:ResourcePolicy": {"aws-native:organizations:ResourcePolicy"},
    "aws:msk/clusterPolicy:ClusterPolicy": {"aws-native:msk:ClusterPolicy"},
    "aws:networkfirewall/resourcePolicy:ResourcePolicy": set(),  # no CloudFormation resource
    "aws:oam/sinkPolicy:SinkPolicy": {"aws-native:oam:Sink"},
    "aws:opensearch/domain:Domain": {"aws-native:opensearchservice:Domain"},
    "aws:opensearch/domainPolicy:DomainPolicy": {"aws-native:opensearchservice:Domain"},
    "aws:opensearchingest/resourcePolicy:ResourcePolicy": {"aws-native:osis:Pipeline"},
    "aws:pinpoint/smsvoicev2ResourcePolicy:Smsvoicev2ResourcePolicy": {"aws-native:smsvoice:ResourcePolicy"},
    "aws:redshift/resourcePolicy:ResourcePolicy": {"aws-native:redshift:Cluster"},
    "aws:redshiftserverless/resourcePolicy:ResourcePolicy": set(),  # snapshot policies: no CloudFormation resource
    "aws:s3/filesFileSystemPolicy:FilesFileSystemPolicy": {"aws-native:s3files:FileSystemPolicy"},
    "aws:s3/vectorsVectorBucketPolicy:VectorsVectorBucketPolicy": {"aws-native:s3vectors:VectorBucketPolicy"},
    "aws:s3control/accessGrantsInstanceResourcePolicy:AccessGrantsInstanceResourcePolicy": set(),
    "aws:s3control/bucketPolicy:BucketPolicy": {"aws-native:s3outposts:BucketPolicy"},
    "aws:s3tables/tableBucketPolicy:TableBucketPolicy": {"aws-native:s3tables:TableBucketPolicy"},
    "aws:s3tables/tablePolicy:TablePolicy": {"aws-native:s3tables:TablePolicy"},
    "aws:schemas/registryPolicy:RegistryPolicy": {"aws-native:eventschemas:RegistryPolicy"},
    "aws:ses/identityPolicy:IdentityPolicy": set(),  # no CloudFormation resource
    "aws:sesv2/emailIdentityPolicy:EmailIdentityPolicy": set(),
    "aws:vpclattice/authPolicy:AuthPolicy": {"aws-native:vpclattice:AuthPolicy"},
    "aws:vpclattice/resourcePolicy:ResourcePolicy": {"aws-native:vpclattice:ResourcePolicy"},
    "aws:xray/resourcePolicy:ResourcePolicy": {"aws-native:xray:ResourcePolicy"},
    # data-stores-encrypted-at-rest (session 65)
    "aws:ebs/volume:Volume": {"aws-native:ec2:Volume"},
    "aws:rds/instance:Instance": {"aws-native:rds:DbInstance"},
    "aws:efs/fileSystem:FileSystem": {"aws-native:efs:FileSystem"},
    "aws:kinesis/stream:Stream": {"aws-native:kinesis:Stream"},
    "aws:rds/globalCluster:GlobalCluster": {"aws-native:rds:GlobalCluster"},
    "aws:docdb/globalCluster:GlobalCluster": {"aws-native:docdb:GlobalCluster"},
    "aws:neptune/globalCluster:GlobalCluster": {"aws-native:neptune:GlobalCluster"},
    "aws:docdb/cluster:Cluster": set(),  # aws-native has no DocumentDB cluster
    "aws:neptune/cluster:Cluster": {"aws-native:neptune:DbCluster"},
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": {
        "aws-native:kinesisfirehose:DeliveryStream"
    },
    "aws:redshift/cluster:Cluster": {"aws-native:redshift:Cluster"},
    "aws:elasticache/replicationGroup:ReplicationGroup": {"aws-native:elasticache:ReplicationGroup"},
    "aws:dax/cluster:Cluster": set(),  # aws-native has no DAX cluster
    "aws:ec2/instance:Instance": {"aws-native:ec2:Instance"},
    "aws:ec2/spotInstanceRequest:SpotInstanceRequest": set(),  # no CloudFormation resource
    "aws:ec2/launchConfiguration:LaunchConfiguration": {"aws-native:autoscaling:LaunchConfiguration"},
    "aws:ec2/spotFleetRequest:SpotFleetRequest": {"aws-native:ec2:SpotFleet"},
    "aws:ec2/launchTemplate:LaunchTemplate": {"aws-native:ec2:LaunchTemplate"},
    "aws:imagebuilder/imageRecipe:ImageRecipe": {"aws-native:imagebuilder:ImageRecipe"},
    "aws:imagebuilder/containerRecipe:ContainerRecipe": {"aws-native:imagebuilder:ContainerRecipe"},
    "aws:ecs/service:Service": {"aws-native:ecs:Service"},
    "aws:codebuild/project:Project": {"aws-native:codebuild:Project"},
    "aws:codebuild/reportGroup:ReportGroup": {"aws-native:codebuild:ReportGroup"},
    "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings": {
        "aws-native:glue:DataCatalogEncryptionSettings"
    },
    "aws:glue/securityConfiguration:SecurityConfiguration": {"aws-native:glue:SecurityConfiguration"},
    "aws:drs/replicationConfigurationTemplate:ReplicationConfigurationTemplate": {
        "aws-native:drs:ReplicationConfigurationTemplate"
    },
    "aws:apigateway/methodSettings:MethodSettings": {
        "aws-native:apigateway:Stage",
        "aws-native:apigateway:Deployment",
    },
    "aws:ebs/snapshotImport:SnapshotImport": set(),  # no CloudFormation resource
    # Copies (data-stores-encrypted-at-rest, session 66): CloudFormation copies no snapshot or AMI.
    "aws:ebs/snapshotCopy:SnapshotCopy": set(),
    "aws:ec2/amiCopy:AmiCopy": set(),
    "aws:dlm/lifecyclePolicy:LifecyclePolicy": {"aws-native:dlm:LifecyclePolicy"},
    "aws:ec2/ami:Ami": set(),  # CloudFormation registers no AMI
    "aws:workspaces/workspace:Workspace": {"aws-native:workspaces:Workspace"},
    "aws:ebs/encryptionByDefault:EncryptionByDefault": set(),  # no CloudFormation resource
}


def _listed(types: Any) -> frozenset[str]:
    # A rule matching types no list names (TypesMatching: every Kubernetes custom kind) lists the rest.
    return frozenset(types.listed if isinstance(types, TypesMatching) else types)


def _resource_rules() -> list[tuple[str, frozenset[str]]]:
    return [
        (policy.name, _listed(policy.mlops_resource_types))
        for policy in ALL_POLICIES
        if getattr(policy, "mlops_resource_types", None) and policy.name != "required-cost-allocation-tags"
    ]


@pytest.mark.parametrize(("rule", "types"), _resource_rules(), ids=[name for name, _ in _resource_rules()])
def test_a_rule_on_a_pulumi_aws_type_reads_its_aws_native_twin(rule: str, types: frozenset[str]) -> None:
    for resource_type in sorted(t for t in types if t.startswith("aws:")):
        assert resource_type in TWINS, f"{rule}: decide the aws-native twin of {resource_type} in TWINS"
        twins = TWINS[resource_type]
        assert not twins or twins & types, f"{rule} reads {resource_type} but none of {sorted(twins)}"


def _twins_the_provider_has() -> dict[str, bool]:
    """Each twin named in TWINS, and whether the installed pulumi-aws-native has that type."""
    import importlib

    found = {}
    for twin in sorted(set().union(*TWINS.values())):
        _, module, name = twin.split(":")
        # Python keywords get a trailing underscore (``lambda_``).
        package = importlib.import_module(f"pulumi_aws_native.{module}{'_' if module == 'lambda' else ''}")
        found[twin] = hasattr(package, name)
    return found


def test_every_twin_named_is_a_type_the_locked_provider_has() -> None:
    """A misspelt twin would pass the test above vacuously for no rule."""
    import importlib.metadata

    from tests.recorded import computed_once

    # Read once per version of TWINS (this module) and of the installed package (its RECORD).
    record = importlib.metadata.distribution("pulumi_aws_native").read_text("RECORD") or ""
    found = computed_once("twins", _twins_the_provider_has, key=[record])
    for twin in sorted(set().union(*TWINS.values())):
        assert found[twin], twin
