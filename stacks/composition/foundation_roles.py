"""The foundation's execution roles: the artifact-bucket prefixes their statements scope, the role
factory, and the statements of the networked steps' roles and of the pipeline role."""

from __future__ import annotations

import pulumi

from components.data.feature_query_workgroup import RESULTS_PREFIX
from components.data.feature_store_spec import (
    FEATURE_STORE_GLUE_DATABASE,
    OFFLINE_STORE_PREFIX,
    glue_table_prefix,
)
from components.experiments.experiment_tracking import mlflow_logging
from components.experiments.experiment_tracking_spec import tracking_server_arn, tracking_server_name
from components.foundation.encryption_key import EncryptionKey
from components.foundation.execution_role import ExecutionRole, ExecutionRoleArgs
from components.foundation.secure_bucket import SecureBucket
from components.output_text import concat
from components.policy_documents import Statement, kms_use, s3_read, s3_read_write
from components.training.definition import STEP_EXTRACT, STEP_TRACK
from components.training.evidently import NAMESPACE as EVIDENTLY_NAMESPACE
from stacks import naming
from stacks.config import PlatformConfig

# Prefixes of the artifact bucket, shared by the roles that read and write them.
MODEL_PREFIX = "models/"


DATA_CAPTURE_PREFIX = "data-capture/"


PIPELINE_CODE_PREFIX = "pipelines/*/code/"
"""Where TrainingPipeline uploads step scripts (``pipelines/<pipeline>/code/<digest>/<file>``)."""


TRACKING_OUTPUT_PREFIX = f"pipelines/*/{STEP_TRACK}/"
"""Where TrackExperiment writes its run id (``pipelines/<pipeline>/<execution>/TrackExperiment/``)."""


EXTRACT_OUTPUT_PREFIX = f"pipelines/*/{STEP_EXTRACT}/"
"""Where ExtractFeatures writes the training set and snapshot.json
(``pipelines/<pipeline>/<execution>/ExtractFeatures/``)."""


def _role_factory(config: PlatformConfig, path: str, tags: dict[str, str], opts: pulumi.ResourceOptions):
    def role(name: str, description: str, statements: list[dict]) -> ExecutionRole:
        return ExecutionRole(
            f"{name}-role",
            ExecutionRoleArgs(
                description=description,
                trusted_service="sagemaker.amazonaws.com",
                account_id=config.account_id,
                path=path,
                statements=statements,
                tags=tags,
            ),
            opts,
        )

    return role


def _tracking_job_statements(
    config: PlatformConfig, artifacts: SecureBucket, workload_access: list[Statement]
) -> list[Statement]:
    """TrackExperiment runs with network access, so its role holds nothing of the data: the
    tracking server's logging actions, the step scripts (to download its own), its run-id output,
    and what every SageMaker job needs (VPC interfaces, logs, image pull, the data key)."""
    server = tracking_server_arn(
        config.region, config.account_id, tracking_server_name(config.experiment_tracking, config.name_prefix)
    )
    return [
        mlflow_logging(server),
        *s3_read(artifacts.bucket_arn, [PIPELINE_CODE_PREFIX]),
        {
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:AbortMultipartUpload"],
            "Resource": concat(artifacts.bucket_arn, "/", TRACKING_OUTPUT_PREFIX, "*"),
        },
        *workload_access,
    ]


def _feature_extraction_statements(
    config: PlatformConfig,
    datasets: SecureBucket,
    artifacts: SecureBucket,
    workload_access: list[Statement],
) -> list[Statement]:
    """ExtractFeatures runs with network access, so its role holds only what the extract needs:
    Athena on the stack's one workgroup, DescribeFeatureGroup and the Glue table of the feature
    groups families train from, read of those groups' offline-store prefixes, the workgroup's
    results prefix (Athena writes and reads results as the caller), its script and its output."""
    region, account = config.region, config.account_id
    groups = [group for _, group in config.feature_training]
    names = sorted({config.physical_name(group.name) for group in groups})
    workgroup = f"arn:aws:athena:{region}:{account}:workgroup/{naming.feature_query_workgroup_name(config.name_prefix)}"
    glue = f"arn:aws:glue:{region}:{account}"
    sagemaker = f"arn:aws:sagemaker:{region}:{account}:feature-group"
    return [
        {
            "Effect": "Allow",
            "Action": [
                "athena:StartQueryExecution",
                "athena:GetQueryExecution",
                "athena:GetQueryResults",
                "athena:StopQueryExecution",
                "athena:GetWorkGroup",
            ],
            "Resource": workgroup,
        },
        {
            "Effect": "Allow",
            "Action": "sagemaker:DescribeFeatureGroup",
            # SageMaker ARNs carry the name lower-cased.
            "Resource": sorted({f"{sagemaker}/{name.lower()}" for name in names}),
        },
        {
            "Effect": "Allow",
            "Action": ["glue:GetDatabase", "glue:GetTable", "glue:GetPartitions"],
            "Resource": [
                f"{glue}:catalog",
                f"{glue}:database/{FEATURE_STORE_GLUE_DATABASE}",
                *(
                    f"{glue}:table/{FEATURE_STORE_GLUE_DATABASE}/{glue_table_prefix(name)}_*"
                    for name in names
                ),
            ],
        },
        *s3_read(datasets.bucket_arn, sorted({f"{OFFLINE_STORE_PREFIX}{group.name}/" for group in groups})),
        *s3_read_write(
            artifacts.bucket_arn,
            [f"{RESULTS_PREFIX}{naming.feature_query_workgroup_name(config.name_prefix)}/"],
        ),
        *s3_read(artifacts.bucket_arn, [PIPELINE_CODE_PREFIX]),
        {
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:AbortMultipartUpload"],
            "Resource": concat(artifacts.bucket_arn, "/", EXTRACT_OUTPUT_PREFIX, "*"),
        },
        *workload_access,
    ]


def _drift_metrics_statements(artifacts: SecureBucket, workload_access: list[Statement]) -> list[Statement]:
    """PublishDriftMetrics reaches CloudWatch, so its role holds nothing of the data: PutMetricData
    in the Evidently namespace only (the action has no resource ARN; the namespace condition is
    its scope), its own script, and what every SageMaker job needs."""
    return [
        {
            "Effect": "Allow",
            "Action": "cloudwatch:PutMetricData",
            "Resource": "*",
            "Condition": {"StringEquals": {"cloudwatch:namespace": EVIDENTLY_NAMESPACE}},
        },
        *s3_read(artifacts.bucket_arn, [PIPELINE_CODE_PREFIX]),
        *workload_access,
    ]


def _pipeline_statements(
    config: PlatformConfig,
    training_role: ExecutionRole,
    artifacts: SecureBucket,
    data_key: EncryptionKey,
    job_roles: list[ExecutionRole] | None = None,
) -> list[dict]:
    """``job_roles``: the roles of the networked steps (TrackExperiment, ExtractFeatures) besides
    the execution role, which the pipeline passes to their jobs."""
    sagemaker = f"arn:aws:sagemaker:{config.region}:{config.account_id}"
    return [
        {
            "Effect": "Allow",
            "Action": [
                "sagemaker:CreateProcessingJob",
                "sagemaker:DescribeProcessingJob",
                "sagemaker:StopProcessingJob",
                "sagemaker:CreateTrainingJob",
                "sagemaker:DescribeTrainingJob",
                "sagemaker:StopTrainingJob",
                "sagemaker:AddTags",
            ],
            "Resource": [f"{sagemaker}:processing-job/*", f"{sagemaker}:training-job/*"],
        },
        {
            "Effect": "Allow",
            "Action": [
                "sagemaker:CreateModelPackage",
                "sagemaker:DescribeModelPackage",
                "sagemaker:DescribeModelPackageGroup",
                "sagemaker:AddTags",
            ],
            "Resource": [f"{sagemaker}:model-package/*", f"{sagemaker}:model-package-group/*"],
        },
        {
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": (
                [training_role.role_arn, *(job_role.role_arn for job_role in job_roles)]
                if job_roles
                else training_role.role_arn
            ),
            "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
        },
        *s3_read_write(artifacts.bucket_arn),
        *kms_use([data_key.key_arn]),
        *_tuning_statements(config, sagemaker),
    ]


def _tuning_statements(config: PlatformConfig, sagemaker: str) -> list[dict]:
    """The Tune step's actions, only where a family tunes. Resource ``hyper-parameter-tuning-job/*``:
    SageMaker Pipelines names the jobs it starts itself (the definition carries no job name), as
    for the processing and training jobs above; the jobs the tuning job starts are training jobs
    (``training-job/*``) running as the training role the statement above passes."""
    tunes = config.training.enabled and any(
        model.training is not None and model.training.tuning is not None for model in config.models
    )
    if not tunes:
        return []
    return [
        {
            "Effect": "Allow",
            "Action": [
                "sagemaker:CreateHyperParameterTuningJob",
                "sagemaker:DescribeHyperParameterTuningJob",
                "sagemaker:StopHyperParameterTuningJob",
                "sagemaker:ListTrainingJobsForHyperParameterTuningJob",
                "sagemaker:AddTags",
            ],
            "Resource": f"{sagemaker}:hyper-parameter-tuning-job/*",
        }
    ]
