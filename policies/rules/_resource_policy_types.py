"""Where each AWS resource type keeps a resource-based policy, and the policy inputs that are not one.

``resource-policy-not-public`` judges every input of :data:`DOCUMENTS`. The class is the installed
providers' inputs that hold a policy document (a name ending in ``policy``/``policies``/
``policyDocument``/``policyText``/``policyBody``/``policyTemplate``, or ``content``/``document``/
``statement`` of a type named for a policy or permission, typed as a JSON string, a free-form object or pulumi-aws's
``PolicyDocument``): each one is either a resource-based policy here (a principal other than the
caller can be granted) or, with the reason, in :data:`NOT_RESOURCE_POLICIES` or
:data:`SETTING_NAMES` (``tests/policies/test_resource_policy_class_63.py`` scans the SDKs and fails
on an input nobody classified).

Paths are camelCase wire names: ``a.b`` steps into an object, ``a[].b`` into each element of a list.
"""

from __future__ import annotations

from collections.abc import Mapping

#: pulumi type token -> the input (or inputs) holding the resource policy document.
DOCUMENTS: Mapping[str, str | tuple[str, ...]] = {
    "aws:sqs/queue:Queue": "policy",
    "aws:sqs/queuePolicy:QueuePolicy": "policy",
    "aws-native:sqs:QueueInlinePolicy": "policyDocument",
    "aws:sns/topic:Topic": "policy",
    "aws:sns/topicPolicy:TopicPolicy": "policy",
    "aws-native:sns:TopicPolicy": "policyDocument",
    "aws-native:sns:TopicInlinePolicy": "policyDocument",
    "aws:ecr/repositoryPolicy:RepositoryPolicy": "policy",
    "aws:ecr/registryPolicy:RegistryPolicy": "policy",
    "aws-native:ecr:Repository": "repositoryPolicyText",
    "aws-native:ecr:RegistryPolicy": "policyText",
    # A creation template's policy becomes the repository policy of every repository ECR
    # creates from it (pull-through cache, replication, create-on-push).
    "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate": "repositoryPolicy",
    "aws-native:ecr:RepositoryCreationTemplate": "repositoryPolicy",
    # A public repository's pulls are public anyway: its policy grants the rest (push, delete).
    "aws:ecrpublic/repositoryPolicy:RepositoryPolicy": "policy",
    "aws:secretsmanager/secret:Secret": "policy",
    "aws:secretsmanager/secretPolicy:SecretPolicy": "policy",
    "aws-native:secretsmanager:ResourcePolicy": "resourcePolicy",
    "aws:s3/accessPoint:AccessPoint": "policy",
    "aws:s3control/accessPointPolicy:AccessPointPolicy": "policy",
    "aws-native:s3:AccessPoint": "policy",
    # Multi-Region and Object Lambda access points: other doors to the same buckets' objects.
    "aws:s3control/multiRegionAccessPointPolicy:MultiRegionAccessPointPolicy": "details.policy",
    "aws-native:s3:MultiRegionAccessPointPolicy": "policy",
    "aws:s3control/objectLambdaAccessPointPolicy:ObjectLambdaAccessPointPolicy": "policy",
    "aws-native:s3objectlambda:AccessPointPolicy": "policyDocument",
    # S3 storage the S3 bucket rule does not read: Outposts and directory buckets and their access
    # points, table buckets and tables, vector buckets, S3 Files, Access Grants, FSx and Omics
    # access points.
    "aws:s3control/bucketPolicy:BucketPolicy": "policy",
    "aws-native:s3outposts:BucketPolicy": "policyDocument",
    "aws-native:s3outposts:AccessPoint": "policy",
    "aws-native:s3express:BucketPolicy": "policyDocument",
    "aws-native:s3express:AccessPoint": "policy",
    "aws:s3tables/tableBucketPolicy:TableBucketPolicy": "resourcePolicy",
    "aws:s3tables/tablePolicy:TablePolicy": "resourcePolicy",
    "aws-native:s3tables:TableBucketPolicy": "resourcePolicy",
    "aws-native:s3tables:TablePolicy": "resourcePolicy",
    "aws:s3/vectorsVectorBucketPolicy:VectorsVectorBucketPolicy": "policy",
    "aws-native:s3vectors:VectorBucketPolicy": "policy",
    "aws:s3/filesFileSystemPolicy:FilesFileSystemPolicy": "policy",
    "aws-native:s3files:FileSystemPolicy": "policy",
    "aws:s3control/accessGrantsInstanceResourcePolicy:AccessGrantsInstanceResourcePolicy": "policy",
    "aws:fsx/s3AccessPointAttachment:S3AccessPointAttachment": "s3AccessPoint.policy",
    "aws-native:fsx:S3AccessPointAttachment": "s3AccessPoint.policy",
    "aws-native:omics:SequenceStore": "s3AccessPolicy",
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy": "policy",
    "aws-native:events:EventBus": "policy",
    "aws-native:eventsv2:ResourcePolicy": "policyDocument",
    "aws:schemas/registryPolicy:RegistryPolicy": "policy",
    "aws-native:eventschemas:RegistryPolicy": "policy",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "policyDocument",
    "aws-native:logs:ResourcePolicy": "policyDocument",
    "aws-native:logs:LogGroup": "resourcePolicyDocument",
    # Who may subscribe to a log destination, or deliver logs to a delivery destination.
    "aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy": "accessPolicy",
    "aws-native:logs:Destination": "destinationPolicy",
    "aws:cloudwatch/logDeliveryDestinationPolicy:LogDeliveryDestinationPolicy": "deliveryDestinationPolicy",
    "aws-native:logs:DeliveryDestination": "deliveryDestinationPolicy.deliveryDestinationPolicy",
    "aws:oam/sinkPolicy:SinkPolicy": "policy",
    "aws-native:oam:Sink": "policy",
    "aws:xray/resourcePolicy:ResourcePolicy": "policyDocument",
    "aws-native:xray:ResourcePolicy": "policyDocument",
    "aws-native:cloudtrail:ResourcePolicy": "resourcePolicy",
    "aws-native:aiops:InvestigationGroup": "investigationGroupPolicy",
    # The RUM app monitor's documented public ingest (Principal * for rum:PutRumEvents) is
    # refused too: a data platform has no browser clients; pin aws:SourceIp or name the callers.
    "aws-native:rum:AppMonitor": "resourcePolicy.policyDocument",
    "aws:glue/resourcePolicy:ResourcePolicy": "policy",
    "aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy": "resourcePolicy",
    "aws-native:sagemaker:ModelPackageGroup": "modelPackageGroupPolicy",
    # A Lambda function's whole resource policy as one document (the alternative to Permissions).
    "aws:lambda/resourcePolicy:ResourcePolicy": "policy",
    "aws-native:lambda:ResourcePolicy": "policyDocument",
    "aws:dynamodb/resourcePolicy:ResourcePolicy": "policy",
    "aws-native:dynamodb:Table": (
        "resourcePolicy.policyDocument",
        "streamSpecification.resourcePolicy.policyDocument",
    ),
    "aws-native:dynamodb:GlobalTable": (
        "replicas[].resourcePolicy.policyDocument",
        "replicas[].replicaStreamSpecification.resourcePolicy.policyDocument",
    ),
    "aws:kinesis/resourcePolicy:ResourcePolicy": "policy",
    "aws-native:kinesis:ResourcePolicy": "resourcePolicy",
    "aws:msk/clusterPolicy:ClusterPolicy": "policy",
    "aws-native:msk:ClusterPolicy": "policy",
    "aws:opensearch/domain:Domain": "accessPolicies",
    "aws:opensearch/domainPolicy:DomainPolicy": "accessPolicies",
    "aws-native:opensearchservice:Domain": "accessPolicies",
    "aws:elasticsearch/domain:Domain": "accessPolicies",
    "aws:elasticsearch/domainPolicy:DomainPolicy": "accessPolicies",
    "aws:opensearchingest/resourcePolicy:ResourcePolicy": "policy",
    "aws-native:osis:Pipeline": "resourcePolicy.policy",
    "aws:cloudsearch/domainServiceAccessPolicy:DomainServiceAccessPolicy": "accessPolicy",
    "aws:apigateway/restApi:RestApi": "policy",
    "aws:apigateway/restApiPolicy:RestApiPolicy": "policy",
    "aws-native:apigateway:RestApi": "policy",
    "aws:apigateway/domainName:DomainName": "policy",
    "aws-native:apigateway:DomainNameV2": "policy",
    # A file system policy: Principal {"AWS": "*"} with only elasticfilesystem:AccessedViaMountTarget
    # lets any account's principal that reaches a mount target in; name the accounts instead.
    "aws:efs/fileSystemPolicy:FileSystemPolicy": "policy",
    "aws-native:efs:FileSystem": "fileSystemPolicy",
    "aws:backup/vaultPolicy:VaultPolicy": "policy",
    "aws-native:backup:BackupVault": "accessPolicy",
    "aws-native:backup:LogicallyAirGappedBackupVault": "accessPolicy",
    "aws:glacier/vault:Vault": "accessPolicy",
    "aws:glacier/vaultLock:VaultLock": "policy",
    "aws:codeartifact/domainPermissions:DomainPermissions": "policyDocument",
    "aws:codeartifact/repositoryPermissionsPolicy:RepositoryPermissionsPolicy": "policyDocument",
    "aws-native:codeartifact:Domain": "permissionsPolicyDocument",
    "aws-native:codeartifact:Repository": "permissionsPolicyDocument",
    "aws:codebuild/resourcePolicy:ResourcePolicy": "policy",
    "aws:ses/identityPolicy:IdentityPolicy": "policy",
    "aws:sesv2/emailIdentityPolicy:EmailIdentityPolicy": "policy",
    "aws:pinpoint/smsvoicev2ResourcePolicy:Smsvoicev2ResourcePolicy": "policy",
    "aws-native:smsvoice:ResourcePolicy": "policyDocument",
    "aws:redshift/resourcePolicy:ResourcePolicy": "policy",
    "aws-native:redshift:Cluster": "namespaceResourcePolicy",
    "aws:redshiftserverless/resourcePolicy:ResourcePolicy": "policy",
    "aws-native:redshiftserverless:Namespace": "namespaceResourcePolicy",
    "aws:dsql/clusterPolicy:ClusterPolicy": "policy",
    "aws-native:dsql:Cluster": "policyDocument",
    # An auth policy reached only from associated VPCs still lets anyone there in (anonymous
    # callers too): name the principals or pin aws:PrincipalOrgID.
    "aws:vpclattice/authPolicy:AuthPolicy": "policy",
    "aws:vpclattice/resourcePolicy:ResourcePolicy": "policy",
    "aws-native:vpclattice:AuthPolicy": "policy",
    "aws-native:vpclattice:ResourcePolicy": "policy",
    "aws:networkfirewall/resourcePolicy:ResourcePolicy": "policy",
    "aws:acmpca/policy:Policy": "policy",
    "aws-native:paymentcryptography:Key": "policy",
    "aws:amp/resourcePolicy:ResourcePolicy": "policyDocument",
    "aws-native:aps:ResourcePolicy": "policyDocument",
    "aws:bedrock/agentcoreResourcePolicy:AgentcoreResourcePolicy": "policy",
    "aws-native:bedrockagentcore:ResourcePolicy": "policy",
    "aws-native:bedrock:ResourcePolicy": "policyDocument",
    "aws-native:bedrock:KnowledgeBasePolicy": "policyDocument",
    "aws-native:comprehend:DocumentClassifier": "modelPolicy",
    "aws-native:comprehend:EntityRecognizer": "modelPolicy",
    "aws-native:lex:ResourcePolicy": "policy",
    "aws-native:ssm:ResourcePolicy": "policy",
    "aws:mediastore/containerPolicy:ContainerPolicy": "policy",
    "aws-native:mediapackagev2:ChannelPolicy": "policy",
    "aws-native:mediapackagev2:OriginEndpointPolicy": "policy",
    "aws-native:mediatailor:ChannelPolicy": "policy",
    # Which accounts may read the organization or manage its policies (delegated administration):
    # a document named ``content``.
    "aws:organizations/resourcePolicy:ResourcePolicy": "content",
    "aws-native:organizations:ResourcePolicy": "content",
}

#: The policies of :data:`DOCUMENTS` that S3 judges public as it judges a bucket policy (Block Public
#: Access's ``BlockPublicPolicy`` refuses "bucket and access point policies" granting public access;
#: these access points hold a ``publicAccessBlockConfiguration``): read with S3's meaning of a fixed
#: value, no ``*`` or ``?`` under any operator (``_bucket_policy.public_allows``), not IAM's literal
#: ``StringEquals``, so what Block Public Access refuses at ``pulumi up`` is refused at preview.
S3_JUDGED: frozenset[str] = frozenset(
    {
        "aws:s3/accessPoint:AccessPoint",
        "aws:s3control/accessPointPolicy:AccessPointPolicy",
        "aws-native:s3:AccessPoint",
        "aws-native:s3express:AccessPoint",
        "aws:s3control/multiRegionAccessPointPolicy:MultiRegionAccessPointPolicy",
        "aws-native:s3:MultiRegionAccessPointPolicy",
    }
)

#: Grants that are not policy documents: pulumi type token -> ((input path, the value that shares with
#: every AWS account or the public), ...). ``tests/policies/test_public_shares_63.py`` scans the SDKs'
#: input descriptions ("Use `all` to make the snapshot public", an ``"all"`` group) for the class.
SHARES: Mapping[str, tuple[tuple[str, str], ...]] = {
    # Launch permission group "all": a public AMI (EC2 ModifyImageAttribute).
    "aws:ec2/amiLaunchPermission:AmiLaunchPermission": (("group", "all"),),
    "aws:imagebuilder/distributionConfiguration:DistributionConfiguration": (
        ("distributions[].amiDistributionConfiguration.launchPermission.userGroups", "all"),
    ),
    "aws-native:imagebuilder:DistributionConfiguration": (
        ("distributions[].amiDistributionConfiguration.launchPermissionConfiguration.userGroups", "all"),
    ),
    # restore attribute "all": a public DB or cluster snapshot (RDS ModifyDB(Cluster)SnapshotAttribute).
    "aws:rds/snapshot:Snapshot": (("sharedAccounts", "all"),),
    "aws:rds/snapshotCopy:SnapshotCopy": (("sharedAccounts", "all"),),
    "aws:rds/clusterSnapshot:ClusterSnapshot": (("sharedAccounts", "all"),),
    "aws:rds/clusterSnapshotCopy:ClusterSnapshotCopy": (("sharedAccounts", "all"),),
    # An endpoint service's allowed principal "*": every account may discover and connect to it.
    "aws:ec2/vpcEndpointService:VpcEndpointService": (("allowedPrincipals", "*"),),
    "aws:ec2/vpcEndpointServiceAllowedPrinciple:VpcEndpointServiceAllowedPrinciple": (("principalArn", "*"),),
    "aws-native:ec2:VpcEndpointServicePermissions": (("allowedPrincipals", "*"),),
    # A signing profile's cross-account principal (a role or an account, AddProfilePermission): a
    # wildcard would be every account's, so it is refused although Signer documents none.
    "aws:signer/signingProfilePermission:SigningProfilePermission": (("principal", "*"),),
    "aws-native:signer:ProfilePermission": (("principal", "*"),),
    # An SSM document shared with account "All": a public document (SSM ModifyDocumentPermission).
    "aws:ssm/document:Document": (("permissions.account_ids", "all"),),
}

_OWN_RULE = "has its own rule: "
_IDENTITY = "an IAM identity policy: it grants its holder, never another principal (the iam-* rules read it)"
_ENDPOINT = (
    "an endpoint policy: it limits what callers already inside the network may do through the "
    "endpoint, and Principal '*' there is the default (full access) that makes nothing public"
)
_SESSION = "a session policy: it only narrows a role's permissions for one session, never grants"
_CEDAR = (
    "a Verified Access policy: Cedar rules over the caller's identity-provider claims, not an IAM document"
)
_GUARD = "an AWS Config custom rule written in Guard: it evaluates resources, it grants nothing"
_CORE_NETWORK = "a Cloud WAN core network policy: segments and routes, not access"
_AOSS = (
    "an OpenSearch Serverless policy: a list of rules (data access names IAM principals, network "
    "and encryption policies set endpoints and keys), not an IAM document this rule can read"
)
_DATA_PROTECTION = "a data-protection, field-index or subscription-filter policy: it masks or routes log data, it grants nothing"
_IOT = (
    "an IoT Core policy: attached to certificates and Cognito identities (an identity policy, no Principal)"
)

_ORG_POLICY = (
    "an Organizations policy (SCP, RCP, tag, backup, AI opt-out...): it limits or sets what member "
    "accounts do, it grants nobody access"
)
_RAM = (
    "a RAM managed permission: Effect, Action and Condition with no Principal; who receives the "
    "share is the resource share's principals (and its allowExternalPrincipals), not this document"
)
_STACK_POLICY = (
    "a CloudFormation stack policy: which stack updates CloudFormation may make, not who may call AWS"
)

#: (type token, input path) -> why that policy input is not a resource-based policy judged here.
NOT_RESOURCE_POLICIES: Mapping[tuple[str, str], str] = {
    ("aws:s3/bucket:Bucket", "policy"): _OWN_RULE + "s3-bucket-policy-not-public",
    ("aws:s3/bucketV2:BucketV2", "policy"): _OWN_RULE + "s3-bucket-policy-not-public",
    ("aws:s3/bucketPolicy:BucketPolicy", "policy"): _OWN_RULE + "s3-bucket-policy-not-public",
    ("aws-native:s3:BucketPolicy", "policyDocument"): _OWN_RULE + "s3-bucket-policy-not-public",
    ("aws:kms/key:Key", "policy"): _OWN_RULE + "kms-key-policy-no-public-principal",
    ("aws:kms/keyPolicy:KeyPolicy", "policy"): _OWN_RULE + "kms-key-policy-no-public-principal",
    ("aws:kms/externalKey:ExternalKey", "policy"): _OWN_RULE + "kms-key-policy-no-public-principal",
    ("aws:kms/replicaKey:ReplicaKey", "policy"): _OWN_RULE + "kms-key-policy-no-public-principal",
    ("aws:kms/replicaExternalKey:ReplicaExternalKey", "policy"): _OWN_RULE
    + "kms-key-policy-no-public-principal",
    ("aws-native:kms:Key", "keyPolicy"): _OWN_RULE + "kms-key-policy-no-public-principal",
    ("aws-native:kms:ReplicaKey", "keyPolicy"): _OWN_RULE + "kms-key-policy-no-public-principal",
    ("aws:iam/role:Role", "assumeRolePolicy"): _OWN_RULE + "iam-role-trust-not-public",
    ("aws-native:iam:Role", "assumeRolePolicyDocument"): _OWN_RULE + "iam-role-trust-not-public",
    ("aws:iam/policy:Policy", "policy"): _IDENTITY,
    ("aws:iam/rolePolicy:RolePolicy", "policy"): _IDENTITY,
    ("aws:iam/userPolicy:UserPolicy", "policy"): _IDENTITY,
    ("aws:iam/groupPolicy:GroupPolicy", "policy"): _IDENTITY,
    ("aws:iam/role:Role", "inlinePolicies[].policy"): _IDENTITY,
    ("aws-native:iam:ManagedPolicy", "policyDocument"): _IDENTITY,
    ("aws-native:iam:RolePolicy", "policyDocument"): _IDENTITY,
    ("aws-native:iam:UserPolicy", "policyDocument"): _IDENTITY,
    ("aws-native:iam:GroupPolicy", "policyDocument"): _IDENTITY,
    ("aws-native:iam:Role", "policies[].policyDocument"): _IDENTITY,
    ("aws-native:iam:User", "policies[].policyDocument"): _IDENTITY,
    ("aws-native:iam:Group", "policies[].policyDocument"): _IDENTITY,
    ("aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy", "inlinePolicy"): _IDENTITY,
    ("aws-native:sso:PermissionSet", "inlinePolicy"): _IDENTITY,
    ("aws:iot/policy:Policy", "policy"): _IOT,
    ("aws-native:iot:Policy", "policyDocument"): _IOT,
    ("aws:iot/policyAttachment:PolicyAttachment", "policy"): "the name of an IoT policy to attach",
    ("aws:ec2/vpcEndpoint:VpcEndpoint", "policy"): _ENDPOINT,
    ("aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy", "policy"): _ENDPOINT,
    ("aws-native:ec2:VpcEndpoint", "policyDocument"): _ENDPOINT,
    ("aws:odb/network:Network", "kmsPolicyDocument"): _ENDPOINT,
    ("aws:odb/network:Network", "s3PolicyDocument"): _ENDPOINT,
    ("aws:odb/network:Network", "stsPolicyDocument"): _ENDPOINT,
    ("aws-native:odb:OdbNetwork", "kmsPolicyDocument"): _ENDPOINT,
    ("aws-native:odb:OdbNetwork", "s3PolicyDocument"): _ENDPOINT,
    ("aws-native:odb:OdbNetwork", "stsPolicyDocument"): _ENDPOINT,
    ("aws:verifiedaccess/endpoint:Endpoint", "policyDocument"): _CEDAR,
    ("aws:verifiedaccess/group:Group", "policyDocument"): _CEDAR,
    ("aws-native:ec2:VerifiedAccessEndpoint", "policyDocument"): _CEDAR,
    ("aws-native:ec2:VerifiedAccessGroup", "policyDocument"): _CEDAR,
    ("aws:transfer/access:Access", "policy"): _SESSION,
    ("aws:transfer/user:User", "policy"): _SESSION,
    ("aws-native:transfer:User", "policy"): _SESSION,
    ("aws:eks/podIdentityAssociation:PodIdentityAssociation", "policy"): _SESSION,
    ("aws-native:eks:PodIdentityAssociation", "policy"): _SESSION,
    ("aws:cfg/organizationCustomPolicyRule:OrganizationCustomPolicyRule", "policyText"): _GUARD,
    ("aws:cfg/rule:Rule", "source.customPolicyDetails.policyText"): _GUARD,
    ("aws-native:configuration:ConfigRule", "source.customPolicyDetails.policyText"): _GUARD,
    (
        "aws-native:configuration:OrganizationConfigRule",
        "organizationCustomPolicyRuleMetadata.policyText",
    ): _GUARD,
    ("aws:networkmanager/coreNetwork:CoreNetwork", "basePolicyDocument"): _CORE_NETWORK,
    (
        "aws:networkmanager/coreNetworkPolicyAttachment:CoreNetworkPolicyAttachment",
        "policyDocument",
    ): _CORE_NETWORK,
    ("aws-native:networkmanager:CoreNetwork", "policyDocument"): _CORE_NETWORK,
    ("aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy", "policy"): _AOSS,
    ("aws:opensearch/serverlessLifecyclePolicy:ServerlessLifecyclePolicy", "policy"): _AOSS,
    ("aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy", "policy"): _AOSS,
    ("aws-native:opensearchserverless:AccessPolicy", "policy"): _AOSS,
    ("aws-native:opensearchserverless:LifecyclePolicy", "policy"): _AOSS,
    ("aws-native:opensearchserverless:SecurityPolicy", "policy"): _AOSS,
    ("aws:cloudwatch/logAccountPolicy:LogAccountPolicy", "policyDocument"): _DATA_PROTECTION,
    ("aws:cloudwatch/logDataProtectionPolicy:LogDataProtectionPolicy", "policyDocument"): _DATA_PROTECTION,
    ("aws:cloudwatch/logIndexPolicy:LogIndexPolicy", "policyDocument"): _DATA_PROTECTION,
    ("aws-native:logs:AccountPolicy", "policyDocument"): _DATA_PROTECTION,
    ("aws:sns/dataProtectionPolicy:DataProtectionPolicy", "policy"): _DATA_PROTECTION,
    ("aws:ecr/lifecyclePolicy:LifecyclePolicy", "policy"): "image expiry rules, not access",
    (
        "aws:ses/receiptFilter:ReceiptFilter",
        "policy",
    ): "Block or Allow for an IP range of incoming mail, not an IAM document",
    (
        "aws-native:ses:ReceiptFilter",
        "filter.ipFilter.policy",
    ): "Block or Allow for an IP range of incoming mail, not an IAM document",
    ("aws-native:ssm:Parameter", "policies"): "parameter policies (expiration, notifications), not access",
    ("aws:organizations/policy:Policy", "content"): _ORG_POLICY,
    ("aws-native:organizations:Policy", "content"): _ORG_POLICY,
    ("aws:ram/permission:Permission", "policyTemplate"): _RAM,
    ("aws-native:ram:Permission", "policyTemplate"): _RAM,
    ("aws:cloudformation/stack:Stack", "policyBody"): _STACK_POLICY,
    ("aws-native:cloudformation:Stack", "stackPolicyBody"): _STACK_POLICY,
    ("aws:route53/trafficPolicy:TrafficPolicy", "document"): "DNS routing rules, not access",
    ("aws-native:route53:TrafficPolicy", "document"): "DNS routing rules, not access",
}

#: Input names that are a setting wherever they appear (a chosen value or a non-access JSON
#: setting), never a policy that grants anyone access -> why.
SETTING_NAMES: Mapping[str, str] = {
    **dict.fromkeys(
        (
            "sslPolicy",
            "alpnPolicy",
            "securityPolicy",
            "tlsSecurityPolicy",
            "tlsPolicy",
            "httpsPolicy",
            "viewerProtocolPolicy",
            "originProtocolPolicy",
            "protocolPolicy",
            "contentSecurityPolicy",
            "referrerPolicy",
            "webAppEndpointPolicy",
        ),
        "a TLS, cipher, protocol or HTTP-header setting chosen from named values",
    ),
    **dict.fromkeys(
        (
            "dnsRecordClientRoutingPolicy",
            "routingPolicy",
            "dnsPolicy",
            "imagePullPolicy",
            "sizingPolicy",
            "paddingPolicy",
            "excessCapacityTerminationPolicy",
            "newGameSessionProtectionPolicy",
            "gameServerProtectionPolicy",
            "deletePropagationPolicy",
            "dataDeletionPolicy",
            "autoImportPolicy",
            "snapshotPolicy",
            "userContextPolicy",
            "actionFailurePolicy",
            "streamExceptionPolicy",
            "permissionPolicy",
            "defaultPolicy",
            "answerPolicy",
            "safeguardPolicy",
            "dlRatePolicy",
            "ulRatePolicy",
            "reputationEntityPolicy",
        ),
        "a behaviour setting (routing, scaling, retention, protection...) chosen from named values",
    ),
    **dict.fromkeys(
        ("lifecyclePolicy", "lifecyclePolicyText", "autoscalingPolicy", "notificationPolicy"),
        "a lifecycle, scaling or notification document: it schedules or triggers, it grants nothing",
    ),
    **dict.fromkeys(
        ("deliveryPolicy", "filterPolicy", "redrivePolicy", "replayPolicy", "archivePolicy"),
        "an SNS/SQS delivery, filter, dead-letter, replay or archive setting written as JSON",
    ),
    "redriveAllowPolicy": (
        "which source queues may use this queue as a dead-letter queue; who may call SQS at all "
        "stays in the queue's policy"
    ),
    "dataProtectionPolicy": _DATA_PROTECTION,
    "sessionPolicy": _SESSION,
    "browserPolicy": "Chrome Enterprise settings for streaming sessions",
}
