"""The audit trail's spec and ARN (no Pulumi: the stack file's configuration model reads them
before anything is planned)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from ..limits import LOG_RETENTION_DAYS, SPEC_CONFIG

CLOUDTRAIL = "cloudtrail.amazonaws.com"
DataEvents = Literal["all", "write_only", "off"]
TRAIL_ARN_PATTERN = r"^arn:aws:cloudtrail:[a-z0-9-]+:[0-9]{12}:trail/[A-Za-z0-9._-]{3,128}$"
# CloudTrail's naming rules: 3-128 of letters, digits, '.', '_', '-'; starts and ends with a letter
# or digit; no two of '.', '_', '-' in a row; not in IP address form (checked in AuditTrailArgs).
_TRAIL_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|[._-](?=[A-Za-z0-9])){2,127}\Z")


class AuditTrailSpec(BaseModel):
    """The stack's CloudTrail trail: management events of the account, object-level (data) events
    of the datasets and artifact buckets, log files validated and KMS-encrypted."""

    model_config = SPEC_CONFIG

    enabled: bool = Field(
        default=True,
        description="Record the account's API activity. Off only where another trail already records it "
        "and the platform buckets' data events are not wanted.",
    )
    existing_organization_trail: str | None = Field(
        default=None,
        pattern=TRAIL_ARN_PATTERN,
        description="ARN of a trail that already records this account's management events (the AWS "
        "Organizations trail, or another stack's trail in a shared account): the stack creates no "
        "management trail (a second copy of management events is billed) and exports this ARN. With "
        "`data_events` other than `off` it still creates a trail for the data events alone.",
    )
    data_events: DataEvents = Field(
        default="all",
        description="Object-level events of the datasets and artifact buckets: `all` (who read and "
        "wrote the training data and models), `write_only` (puts and deletes), `off`. Billed per "
        "event ($0.10 per 100,000).",
    )
    log_retention_days: int = Field(
        default=365,
        ge=1,
        le=36500,
        description="Days a log file is kept; the expired version goes after "
        "`storage.noncurrent_version_expiration_days` more.",
    )
    cloudwatch_logs_retention_days: int | None = Field(
        default=None,
        description="Also deliver the trail's events to a CloudWatch Logs group (encrypted with the logs "
        "key) kept this many days, for metric filters and alarms on API activity (FSBP CloudTrail.5); "
        "ingestion bills per GB. Unset: S3 only. A CloudWatch Logs retention value.",
    )

    @field_validator("cloudwatch_logs_retention_days")
    @classmethod
    def _cloudwatch_retention(cls, value: int | None) -> int | None:
        if value is not None and value not in LOG_RETENTION_DAYS:
            raise ValueError(
                f"{value} is not a CloudWatch Logs retention; allowed: {', '.join(map(str, LOG_RETENTION_DAYS))}"
            )
        return value

    @property
    def creates_trail(self) -> bool:
        """Whether the stack creates a trail: on, and either no other trail records management
        events or data events are wanted."""
        return self.enabled and (self.existing_organization_trail is None or self.data_events != "off")


def trail_arn(region: str, account_id: str, name: str) -> str:
    """The ARN a trail named ``name`` gets in its home region (known before it exists)."""
    return f"arn:aws:cloudtrail:{region}:{account_id}:trail/{name}"
