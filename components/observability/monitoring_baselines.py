"""MonitoringBaselines: the baselines an endpoint's monitors compare with.

Apart from the monitor (model_monitoring.py, which re-exports it) so that what reads a model
version's baselines without planning (stacks.model_packages, and through it `delivery.verify` and
`delivery.promote` failing on a missing stack file) imports neither Pulumi nor pulumi-aws: the
methods that build a job's inputs import them when called.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pulumi

    from ..policy_documents import Statement
    from .model_monitoring import JobPlacement


@dataclass(frozen=True)
class MonitoringBaselines:
    """What an endpoint's monitors compare with: object keys in the stack's artifact bucket, all
    under ``folder``, the only baselines its monitoring jobs may read."""

    folder: str
    """Key prefix ending in ``/`` that holds the baselines, e.g. ``baselines/<group>/<execution>/``."""
    data_statistics: str
    """Object key of the data-quality baseline's statistics (``statistics.json``)."""
    data_constraints: str
    """Object key of the data-quality baseline's constraints (``constraints.json``)."""
    model_constraints: str | None = None
    """The model-quality baseline's constraints (None: the version registered none)."""
    registered_bucket: str | None = None
    """The bucket a registered model version names: the artifact bucket (checked when its name is
    known, at deploy), or, for a version of another account's registry, that account's bucket."""
    registered_account: str | None = None
    """The account whose registry holds the version (None: the stack's own)."""

    def __post_init__(self) -> None:
        # The jobs' role may read only the folder: a key outside it (or a folder without its
        # slash, which in_folder would glue to the file names) fails only when a job runs.
        if not (
            isinstance(self.folder, str) and self.folder.endswith("/") and not self.folder.startswith("/")
        ):
            raise ValueError(
                f"MonitoringBaselines.folder: {self.folder!r} is not a key prefix ending in '/' "
                "(e.g. 'baselines/<group>/<execution>/')"
            )
        for field in ("data_statistics", "data_constraints", "model_constraints"):
            key = getattr(self, field)
            if key is not None and not (
                isinstance(key, str) and key.startswith(self.folder) and key != self.folder
            ):
                raise ValueError(
                    f"MonitoringBaselines.{field}: {key!r} is not an object key under the folder "
                    f"{self.folder!r}, the only baselines the monitoring jobs may read"
                )

    def shared_by(self, account_id: str) -> str | None:
        """The account that shares these baselines with ``account_id``, or None for its own."""
        if self.registered_account in (None, account_id):
            return None
        return self.registered_account

    def read_statements(self, placement: JobPlacement) -> list[Statement]:
        """What a monitoring job needs beyond its own bucket: another account's baselines."""
        from ..policy_documents import s3_url_arn, shared_s3_list, shared_s3_read

        owner = self.shared_by(placement.account_id)
        if owner is None:
            return []
        assert self.registered_bucket is not None  # a registered version names its bucket
        return [
            shared_s3_list(self.registered_bucket, self.folder),
            *shared_s3_read(
                placement.region, owner, [f"{s3_url_arn(f's3://{self.registered_bucket}/{self.folder}')}*"]
            ),
        ]

    def own_folders(self, placement: JobPlacement) -> list[str]:
        """Folders of the stack's artifact bucket the jobs read these baselines from."""
        return [] if self.shared_by(placement.account_id) else [self.folder]

    @classmethod
    def in_folder(cls, folder: str) -> MonitoringBaselines:
        """The layout a training execution writes: data quality in ``folder``, model quality in
        its ``model_quality/``."""
        return cls(
            folder=folder,
            data_statistics=f"{folder}statistics.json",
            data_constraints=f"{folder}constraints.json",
            model_constraints=f"{folder}model_quality/constraints.json",
        )

    def uri(self, placement: JobPlacement, key: str) -> pulumi.Output[str]:
        import pulumi

        if self.shared_by(placement.account_id):
            return pulumi.Output.from_input(f"s3://{self.registered_bucket}/{key}")

        def located(bucket: str) -> str:
            if self.registered_bucket not in (None, bucket):
                raise ValueError(
                    f"the model version's baselines are in s3://{self.registered_bucket}/{self.folder}, but "
                    f"this stack's monitoring jobs read only its artifact bucket {bucket}: copy them to "
                    f"s3://{bucket}/{self.folder} and register those, or disable monitoring"
                )
            return f"s3://{bucket}/{key}"

        return pulumi.Output.from_input(placement.artifact_bucket_name).apply(located)
