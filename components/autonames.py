"""pulumi-aws's auto-names: how long a name it makes for a resource the program leaves unnamed may be.

Standard library only: the offline plan's recorder (planner/autonames.py) reads these tables to
refuse what pulumi-aws refuses at preview, and must import no component, spec or pydantic
(tests/bench/test_bench.py); :mod:`components.naming` re-exports them for ``child_name``.
"""

from __future__ import annotations

from typing import Final, NamedTuple

AUTONAME_SUFFIX: Final = 8
"""What Pulumi appends to a logical name to auto-name a resource: ``-`` and 7 random hex digits."""
AUTONAME_MAX: Final = 255
"""The longest auto-name pulumi-aws makes for a ``name`` it has no limit of its own for
(provider/autonaming.go: ``setAutonaming`` gives each such field ``tfbridge.AutoName("name", 255, "-")``);
types with their own are in :data:`PULUMI_AWS_AUTONAMES` (a bucket's 63, a role's 64, an SNS topic's
80). Past its limit the bridge refuses the resource at preview: "could not make instance of
'<type>': name '<logical>-' plus 7 random chars is longer than maximum length <n>"
(pulumi-terraform-bridge ComputeAutoNameDefault, pulumi resource.NewUniqueName)."""


class AutoName(NamedTuple):
    """How pulumi-aws auto-names a resource whose ``property`` the program leaves unset:
    ``<logical name><separator><7 random hex>`` (lower-cased first where ``lowercase``), refused at
    preview, never cut, when longer than ``max_length`` bytes (pulumi-terraform-bridge
    pkg/tfbridge/info/autonaming.go ``ComputeAutoNameDefault`` → pulumi sdk/go/common/resource
    ``NewUniqueName``: ``len(prefix)+randlen > maxlen``, Go's ``len``: UTF-8 bytes)."""

    property: str
    max_length: int
    lowercase: bool = False
    separator: str = "-"
    random_length: int = 7
    wrapped: bool = True
    """Whether the provider's refusal is wrapped "could not make instance of '<type>': ..."
    (``ComputeAutoNameDefault`` and ``FromName`` wrap ``NewUniqueName``'s error); False where
    pulumi-aws's own default calls ``resource.NewUniqueHex`` and its Check returns that error bare
    (the Athena database)."""
    post_prefix: str = ""
    """What pulumi-aws puts in front of the made name unless it already begins with it, after the
    length check (a KMS alias's ``alias/``: resource_overrides.go ``aws_kms_alias``'s PostTransform)."""
    post_suffix: str = ""
    """What pulumi-aws puts after the made name, after the length check (a FIFO queue's or topic's
    ``.fifo``: resource_overrides.go ``aws_sqs_queue``'s and ``aws_sns_topic``'s PostTransform, where
    ``fifoQueue``/``fifoTopic`` is true: :data:`FIFO_AUTONAMES`)."""
    aws_max_length: int | None = None
    """AWS's maximum where it is below ``max_length``: pulumi-aws makes the longer name and
    ``pulumi preview`` passes, then AWS refuses it at create (``pulumi up`` fails mid-way)."""
    validation: str | None = None
    """The rules the auto-name must also meet (``planner.upstream_validations.UPSTREAM_VALIDATIONS``, each
    citing its source): mostly the upstream Terraform schema's ``ValidateFunc`` of the property,
    which the bridge's Check runs on the auto-name, so ``pulumi preview`` fails a name that breaks
    it (an IAM name's ASCII ``[\\w+=,.@-]``, an RDS identifier's, parameter group's or option
    group's lower case, a load balancer's or target group's 32 characters, a SageMaker name's 63
    and no "_"); the ``CustomizeDiff`` the provider runs when it plans the create (an SQS queue's
    alphabet); or, where the schema has
    none, the AWS API's constraint, which fails ``pulumi up`` at create (an ECR repository's lower
    case). Set only where pulumi-aws does not lower-case the name and the rules refuse something a
    logical name may hold."""


PULUMI_AWS_DEFAULT_AUTONAME: Final = AutoName("name", AUTONAME_MAX)
"""pulumi-aws's auto-name of every resource whose Terraform schema has a ``name`` input and no
override below (pulumi-aws provider/autonaming.go ``setAutonaming``: ``AutoName(name, 255, "-")``)."""

PULUMI_AWS_AUTONAMES: Final[dict[str, AutoName | None]] = {
    # pulumi-aws 7 provider/resource_overrides.go (the stored version at 015d343), aliases.go (the
    # lb target group) and compatibility.go (BucketV2); None where it auto-names without a maximum (Glue, Lex, IoT topic
    # rules: FromName/AutoNameWithCustomOptions with no Maxlen) or sets no auto-name on the `name`
    # the SDK shows (a Route 53 record's and a directory's name is the DNS name itself).
    "aws:s3/bucket:Bucket": AutoName("bucket", 63, lowercase=True),
    "aws:s3/bucketV2:BucketV2": AutoName("bucket", 63, lowercase=True),
    # The Check runs iam validResourceName on it (ASCII [\w+=,.@-]: a logical name with "é" fails).
    "aws:iam/role:Role": AutoName("name", 64, validation="iam-role-name"),
    "aws:cloudwatch/eventRule:EventRule": AutoName("name", 64, validation="events-rule-name"),
    "aws:cloudwatch/eventTarget:EventTarget": AutoName("targetId", 255),
    "aws:cloudwatch/metricAlarm:MetricAlarm": AutoName("name", 255),
    # Terraform's CustomizeDiff judges the name (a FIFO one: FIFO_AUTONAMES below).
    "aws:sqs/queue:Queue": AutoName("name", 80, validation="sqs-queue-name"),
    # 80, not SNS's 256: pulumi-aws refuses a longer auto-name (".fifo" is added after the check).
    "aws:sns/topic:Topic": AutoName("name", 80, validation="sns-topic-name"),
    # Then prefixed with "alias/" (PostTransform), which kms validNameForResource checks with the rest.
    "aws:kms/alias:Alias": AutoName("name", 238, post_prefix="alias/", validation="kms-alias"),
    "aws:lambda/function:Function": AutoName("name", 64, validation="lambda-function-name"),
    "aws:lambda/permission:Permission": AutoName("statementId", 100),
    "aws:elasticbeanstalk/environment:Environment": AutoName("name", 40),
    "aws:elasticache/cluster:Cluster": AutoName("clusterId", 50, lowercase=True),
    "aws:elasticache/replicationGroup:ReplicationGroup": AutoName("replicationGroupId", 40, lowercase=True),
    "aws:elasticsearch/domain:Domain": AutoName("domainName", 28, lowercase=True),
    "aws:mq/broker:Broker": AutoName("brokerName", 55),
    "aws:opensearch/domain:Domain": AutoName("domainName", 255),
    # efs/file_system.go's creation_token ValidateFunc StringLenBetween(0, 64) refuses past 64.
    "aws:efs/fileSystem:FileSystem": AutoName("creationToken", 255, validation="efs-creation-token"),
    "aws:eks/nodeGroup:NodeGroup": AutoName("nodeGroupName", 255),
    "aws:eks/fargateProfile:FargateProfile": AutoName("fargateProfileName", 255),
    "aws:ec2/keyPair:KeyPair": AutoName("keyName", 255),
    "aws:msk/cluster:Cluster": AutoName("clusterName", 255),
    "aws:msk/serverlessCluster:ServerlessCluster": AutoName("clusterName", 255),
    "aws:codedeploy/deploymentConfig:DeploymentConfig": AutoName("deploymentConfigName", 100, separator="_"),
    "aws:appsync/function:Function": AutoName("name", 255, separator="_"),
    "aws:appsync/dataSource:DataSource": AutoName("name", 255, separator="_"),
    # A From of its own: resource.NewUniqueHex(name+"_", 7, 255), whose error Check returns unwrapped.
    "aws:athena/database:Database": AutoName("name", 255, separator="_", wrapped=False),
    "aws:backup/restoreTestingPlan:RestoreTestingPlan": AutoName("name", 255, separator="_"),
    # provider/aliases.go: aws_lb_target_group's `name` is AutoName("name", 32, "-") (CreateTargetGroup's
    # 32); its aws:alb/targetGroup twin and the load balancers have no override (setAutonaming's 255),
    # and Terraform's own validation refuses past 32 at preview (elbv2/elb validate.go).
    "aws:lb/targetGroup:TargetGroup": AutoName("name", 32, validation="elbv2-target-group"),
    "aws:alb/targetGroup:TargetGroup": AutoName("name", 255, validation="elbv2-target-group"),
    "aws:lb/loadBalancer:LoadBalancer": AutoName("name", 255, validation="elbv2-name"),
    "aws:alb/loadBalancer:LoadBalancer": AutoName("name", 255, validation="elbv2-name"),
    "aws:elb/loadBalancer:LoadBalancer": AutoName("name", 255, validation="elb-name"),
    # aws_db_instance's `identifier`: ComputeAutoNameDefault with Randlen 7, Maxlen 255, no Separator
    # and no Transform, so `<logical><7 hex>`, not lower-cased; 3 and 15 for a SQL Server engine
    # (RDS_SQLSERVER_INSTANCE_AUTONAME). AWS takes 63 (CreateDBInstance's DBInstanceIdentifier).
    "aws:rds/instance:Instance": AutoName(
        "identifier", 255, separator="", aws_max_length=63, validation="rds-identifier"
    ),
    # aws_db_subnet_group: no override but its description, so setAutonaming's `<logical>-<7 hex>`,
    # not lower-cased, which rds validSubnetGroupName (lower case) refuses in the Check.
    "aws:rds/subnetGroup:SubnetGroup": AutoName("name", 255, validation="rds-subnet-group"),
    # No override but a description: setAutonaming's `<logical>-<7 hex>` up to 255, not lower-cased,
    # which the upstream schema's validation (or, for ECR, CreateRepository) refuses.
    "aws:rds/parameterGroup:ParameterGroup": AutoName("name", 255, validation="rds-parameter-group"),
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": AutoName(
        "name", 255, validation="rds-parameter-group"
    ),
    "aws:rds/optionGroup:OptionGroup": AutoName("name", 255, validation="rds-option-group"),
    "aws:sagemaker/model:Model": AutoName("name", 255, validation="sagemaker-name"),
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": AutoName(
        "name", 255, validation="sagemaker-name"
    ),
    "aws:sagemaker/endpoint:Endpoint": AutoName("name", 255, validation="sagemaker-name"),
    "aws:sagemaker/monitoringSchedule:MonitoringSchedule": AutoName("name", 255, validation="sagemaker-name"),
    "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition": AutoName(
        "name", 255, validation="sagemaker-name"
    ),
    "aws:sagemaker/notebookInstance:NotebookInstance": AutoName("name", 255, validation="sagemaker-name"),
    "aws:sagemaker/notebookInstanceLifecycleConfiguration:NotebookInstanceLifecycleConfiguration": AutoName(
        "name", 255, validation="sagemaker-name"
    ),
    # Plugin Framework resources: the tuning job's `name` validator runs in the Check (its regex
    # counts 32 alphanumerics, hyphens aside), CreateHyperParameterTuningJob's 32 counts every
    # character at create; the MLflow app's `name` has no validator, and CreateMlflowApp's pattern
    # refuses at create.
    "aws:sagemaker/hyperParameterTuningJob:HyperParameterTuningJob": AutoName(
        "name", 255, aws_max_length=32, validation="sagemaker-tuning-job-name"
    ),
    "aws:sagemaker/mlflowApp:MlflowApp": AutoName("name", 255, validation="sagemaker-mlflow-app-name"),
    # No override but a description (or nothing): setAutonaming's `<logical>-<7 hex>`, not
    # lower-cased, which each schema's validation (or, for ElastiCache, AWS) refuses.
    "aws:elasticache/parameterGroup:ParameterGroup": AutoName(
        "name", 255, validation="elasticache-parameter-group"
    ),
    "aws:elasticache/subnetGroup:SubnetGroup": AutoName("name", 255, validation="elasticache-subnet-group"),
    "aws:docdb/clusterParameterGroup:ClusterParameterGroup": AutoName(
        "name", 255, validation="docdb-parameter-group"
    ),
    "aws:docdb/subnetGroup:SubnetGroup": AutoName("name", 255, validation="docdb-neptune-subnet-group"),
    "aws:neptune/clusterParameterGroup:ClusterParameterGroup": AutoName(
        "name", 255, validation="neptune-parameter-group"
    ),
    "aws:neptune/parameterGroup:ParameterGroup": AutoName("name", 255, validation="neptune-parameter-group"),
    "aws:neptune/subnetGroup:SubnetGroup": AutoName("name", 255, validation="docdb-neptune-subnet-group"),
    "aws:redshift/parameterGroup:ParameterGroup": AutoName(
        "name", 255, validation="redshift-parameter-group"
    ),
    "aws:redshift/subnetGroup:SubnetGroup": AutoName("name", 255, validation="redshift-subnet-group"),
    "aws:cloudwatch/logGroup:LogGroup": AutoName("name", 255, validation="logs-group-name"),
    "aws:sfn/stateMachine:StateMachine": AutoName("name", 255, validation="sfn-state-machine"),
    "aws:ecr/repository:Repository": AutoName("name", 255, validation="ecr-repository"),
    # setAutonaming's 255 (a user's and group's name is Required, auto-named all the same), which
    # iam's validators judge: a policy's and instance profile's 128, the alphabet of all four. A
    # user's and group's schema sets no length, so AWS's own refuses at create: CreateUser's UserName
    # 64, CreateGroup's GroupName 128 (botocore iam service-2.json userNameType, groupNameType).
    "aws:iam/policy:Policy": AutoName("name", 255, validation="iam-name-128"),
    "aws:iam/instanceProfile:InstanceProfile": AutoName("name", 255, validation="iam-name-128"),
    "aws:iam/user:User": AutoName("name", 255, aws_max_length=64, validation="iam-user-group-name"),
    "aws:iam/group:Group": AutoName("name", 255, aws_max_length=128, validation="iam-user-group-name"),
    # No override, no ValidateFunc: CreateTable's and CreateStream's alphabet refuses at create, and
    # CreateStream's 128 is below the 255.
    "aws:dynamodb/table:Table": AutoName("name", 255, validation="dynamodb-table-name"),
    "aws:kinesis/stream:Stream": AutoName("name", 255, aws_max_length=128, validation="kinesis-stream-name"),
    "aws:route53/record:Record": None,
    "aws:directoryservice/directory:Directory": None,
    "aws:glue/catalogDatabase:CatalogDatabase": None,
    "aws:glue/catalogTable:CatalogTable": None,
    "aws:lex/bot:Bot": None,
    "aws:lex/botAlias:BotAlias": None,
    "aws:lex/intent:Intent": None,
    "aws:lex/slotType:SlotType": None,
    "aws:iot/topicRule:TopicRule": None,
}
"""pulumi-aws's auto-names that differ from :data:`PULUMI_AWS_DEFAULT_AUTONAME`, by type token."""

FIFO_AUTONAMES: Final[dict[str, tuple[str, AutoName]]] = {
    "aws:sqs/queue:Queue": (
        "fifoQueue",
        AutoName("name", 80, post_suffix=".fifo", validation="sqs-queue-name"),
    ),
    "aws:sns/topic:Topic": (
        "fifoTopic",
        AutoName("name", 80, post_suffix=".fifo", validation="sns-topic-name"),
    ),
}
"""pulumi-aws's auto-name of a queue or topic whose flag (the wire name) is the boolean true:
``<logical name>-<7 random hex>.fifo``, the 80 checked before ``.fifo`` is added (resource_overrides.go
``aws_sqs_queue``'s and ``aws_sns_topic``'s PostTransform)."""

RDS_SQLSERVER_INSTANCE_AUTONAME: Final = AutoName(
    "identifier", 15, separator="", random_length=3, validation="rds-identifier"
)
"""pulumi-aws's auto-name of an ``aws:rds/instance:Instance`` whose ``engine`` contains ``sqlserver``
(any case): ``rand, maxlen = 3, 15`` in its ComputeDefault (resource_overrides.go ``aws_db_instance``;
"SQL Server identifiers are capped at 15 characters"). An engine unknown at preview is no string
there, so the 255 above applies."""
