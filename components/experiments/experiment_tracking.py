"""ExperimentTracking: a SageMaker managed MLflow tracking server storing artifacts under KMS."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws.sagemaker as sagemaker

from ..foundation.execution_role import ExecutionRole, ExecutionRoleArgs
from ..limits import account_id_problem, region_problem, satisfies, service_role_path_problem, tags_problem
from ..naming import name_prefix_problem, prefixed_within_limit
from ..output_text import concat
from ..policy_documents import Statement, kms_use, s3_read_write
from .experiment_tracking_spec import (
    MLFLOW_LOGGING_ACTIONS,
    MLFLOW_PREFIX,
    ExperimentTrackingSpec,
    tracking_server_name,
)


def mlflow_logging(server_arn: pulumi.Input[str]) -> Statement:
    """Log runs to that one tracking server (``MLFLOW_LOGGING_ACTIONS``), nothing else."""
    return {"Effect": "Allow", "Action": list(MLFLOW_LOGGING_ACTIONS), "Resource": server_arn}


@dataclass(frozen=True)
class ExperimentTrackingArgs:
    spec: ExperimentTrackingSpec
    """The server's name, size, maintenance window and MLflow options (``enabled`` is not read here:
    the caller decides whether to create the component)."""
    account_id: str
    """The 12-digit AWS account of the server (trust of its role, model-registry ARNs)."""
    region: str
    """Region of the model registry the server writes to with automatic model registration."""
    artifact_bucket_name: pulumi.Input[str]
    """Bucket of the artifact store, ``s3://<bucket>/mlflow/``."""
    artifact_bucket_arn: pulumi.Input[str]
    """ARN of that bucket; the server's role may read and write ``mlflow/`` only."""
    kms_key_arn: pulumi.Input[str]
    """Customer-managed KMS key of the artifact bucket; the server's role may use it."""
    role_path: str
    """IAM path of the server's role (the KMS key policy trusts roles under it)."""
    tags: Mapping[str, str]
    """Tags of the tracking server and its role."""
    name_prefix: str | None = None
    """Starts the tracking server's name (``<prefix>-<spec name>``): stacks sharing an account differ."""
    protected_model_package_groups: Sequence[str] = ()
    """Model package groups automatic registration must not write to: the platform's own, whose
    approvals deploy. The role may register in any group of the account (SageMaker names the group
    ``<registered model>-<suffix>``, the suffix six characters of the SHA-256 of the server's name),
    and ``UpdateModelPackage`` sets a version's approval status, so without this a registered model
    whose name and suffix spell a platform group could register or approve a version there past the
    promotion gate."""

    def __post_init__(self) -> None:
        satisfies(self, "account_id", account_id_problem)
        satisfies(self, "region", region_problem)
        satisfies(self, "role_path", service_role_path_problem)
        satisfies(self, "tags", tags_problem)
        satisfies(self, "name_prefix", name_prefix_problem)
        prefixed_within_limit(
            "ExperimentTrackingArgs.spec.name",
            self.name_prefix,
            self.spec.name,
            "aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer",
        )


class ExperimentTracking(pulumi.ComponentResource):
    """An MLflow tracking server whose artifact store is ``mlflow/`` of the (SSE-KMS) artifact bucket.

    Security posture: the server's role may read and write only that prefix and use only the
    platform key (plus model-registry writes when automatic registration is on, never in
    ``protected_model_package_groups``).
    """

    tracking_server_arn: pulumi.Output[str]
    """ARN of the tracking server (what MLflow clients use as the tracking URI)."""
    role_arn: pulumi.Output[str]
    """ARN of the tracking server's role."""

    def __init__(
        self, name: str, args: ExperimentTrackingArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:experiments:ExperimentTracking", name, None, opts)
        spec = args.spec
        statements = [*s3_read_write(args.artifact_bucket_arn, [MLFLOW_PREFIX]), *kms_use([args.kms_key_arn])]
        if spec.automatic_model_registration:
            sagemaker_arn = f"arn:aws:sagemaker:{args.region}:{args.account_id}"
            statements.append(
                {
                    "Effect": "Allow",
                    "Action": [
                        "sagemaker:CreateModelPackageGroup",
                        "sagemaker:DescribeModelPackageGroup",
                        "sagemaker:CreateModelPackage",
                        "sagemaker:UpdateModelPackage",
                        "sagemaker:AddTags",
                    ],
                    "Resource": [
                        f"{sagemaker_arn}:model-package-group/*",
                        f"{sagemaker_arn}:model-package/*",
                    ],
                }
            )
            if args.protected_model_package_groups:
                statements.append(
                    {
                        "Effect": "Deny",
                        "Action": [
                            "sagemaker:CreateModelPackageGroup",
                            "sagemaker:CreateModelPackage",
                            "sagemaker:UpdateModelPackage",
                            "sagemaker:AddTags",
                        ],
                        # Each group as named and lower-cased: IAM compares ARNs as written, and
                        # SageMaker's names are case-insensitive (model package ARNs have been seen
                        # both ways), so the deny must hold whichever form the ARN carries. The
                        # allow is not narrowed to the documented `*-<suffix>` naming: nothing offline
                        # confirms the suffix's exact form, and a wrong guess denies every registration.
                        "Resource": [
                            arn
                            for group in args.protected_model_package_groups
                            for name in dict.fromkeys((group, group.lower()))
                            for arn in (
                                f"{sagemaker_arn}:model-package-group/{name}",
                                f"{sagemaker_arn}:model-package/{name}/*",
                            )
                        ],
                    }
                )
        role = ExecutionRole(
            f"{name}-server",
            ExecutionRoleArgs(
                description="SageMaker managed MLflow tracking server",
                trusted_service="sagemaker.amazonaws.com",
                account_id=args.account_id,
                path=args.role_path,
                statements=statements,
                tags=args.tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        server = sagemaker.MlflowTrackingServer(
            f"{name}-server",
            tracking_server_name=tracking_server_name(spec, args.name_prefix),
            artifact_store_uri=concat("s3://", args.artifact_bucket_name, "/", MLFLOW_PREFIX),
            role_arn=role.role_arn,
            tracking_server_size=spec.size,
            weekly_maintenance_window_start=spec.weekly_maintenance_window,
            mlflow_version=spec.mlflow_version,
            automatic_model_registration=spec.automatic_model_registration,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )

        self.tracking_server_arn = server.arn
        self.role_arn = role.role_arn
        self.register_outputs({"tracking_server_arn": self.tracking_server_arn, "role_arn": self.role_arn})
