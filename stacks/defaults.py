"""Environment-aware defaults: the one place where dev, staging and prod differ by default.

A stack file states only what differs from this table. The table is merged *under* the stack
file's values before validation (see ``stacks.config``), so every key here is a real config key
and is validated exactly like a value written in a stack file.
"""

from __future__ import annotations

from typing import Any, Final, Literal

Environment = Literal["dev", "staging", "prod"]

ENVIRONMENTS: Final[tuple[Environment, ...]] = ("dev", "staging", "prod")

ENVIRONMENT_DEFAULTS: Final[dict[Environment, dict[str, Any]]] = {
    "dev": {
        # Dev is disposable: `pulumi destroy` must be able to remove everything.
        "protect_stateful_resources": False,
        "network": {"az_count": 2, "flow_log_retention_days": 30},
        "storage": {"noncurrent_version_expiration_days": 30, "access_log_retention_days": 90},
        "encryption": {"key_deletion_window_days": 7},
        # Who changed the data and models; reads (every training job's) are left out to keep it cheap.
        "audit_trail": {"data_events": "write_only", "log_retention_days": 90},
        # Dev registers versions that pass evaluation as Approved, so they deploy without a human.
        "model_registry": {"approval": "auto"},
        # Managed MLflow bills per hour: off in dev unless a stack turns it on.
        "experiment_tracking": {"enabled": False},
        # Spot capacity is cheap and dev retraining is started by hand.
        "training": {"spot": True, "max_wait_seconds": 7200},
        # Dev endpoints may idle at zero (async) and skip capture; updates swap all at once.
        "endpoint_defaults": {
            "minimum_instances": 0,
            "deployment": {
                "strategy": "all_at_once",
                "wait_interval_seconds": 0,
                "termination_wait_seconds": 0,
            },
            "data_capture": {"enabled": False},
        },
        "monitoring": {"enabled": False},
    },
    "staging": {
        "protect_stateful_resources": True,
        "network": {"az_count": 2, "flow_log_retention_days": 90},
        "storage": {"noncurrent_version_expiration_days": 90, "access_log_retention_days": 365},
        "encryption": {"key_deletion_window_days": 30},
        "audit_trail": {"data_events": "all", "log_retention_days": 365},
        # Only versions with a model card (intended use, risk rating, evaluation) are deployed.
        "model_registry": {"approval": "manual", "require_model_card": True},
        "experiment_tracking": {"enabled": True},
        "training": {
            "spot": True,
            "max_wait_seconds": 7200,
            "schedule": "cron(0 3 ? * MON *)",
            "new_data": {"enabled": True},
            "drift_retraining": True,
        },
        # One instance by default: a canary or linear step must be a whole instance and not all of
        # them, so staging shifts all at once and bakes (auto-rollback on the alarms) before the old
        # fleet goes; an endpoint with two or more instances may choose canary.
        "endpoint_defaults": {
            "minimum_instances": 1,
            "deployment": {"strategy": "all_at_once", "wait_interval_seconds": 300},
            "data_capture": {"enabled": True, "sampling_percent": 20},
        },
        "monitoring": {"enabled": True, "schedule": "cron(0 0 ? * * *)"},
    },
    "prod": {
        "protect_stateful_resources": True,
        # Three AZs so that a multi-instance endpoint survives the loss of one zone.
        "network": {"az_count": 3, "flow_log_retention_days": 365},
        "storage": {"noncurrent_version_expiration_days": 365, "access_log_retention_days": 730},
        "encryption": {"key_deletion_window_days": 30},
        # Who read and wrote the production data and models, kept seven years.
        "audit_trail": {"data_events": "all", "log_retention_days": 2557},
        # Only versions with a model card (intended use, risk rating, evaluation) are deployed.
        "model_registry": {"approval": "manual", "require_model_card": True},
        "experiment_tracking": {"enabled": True},
        # On-demand capacity: a production retrain should not wait for spot.
        "training": {
            "spot": False,
            "schedule": "cron(0 3 ? * MON *)",
            "new_data": {"enabled": True},
            "drift_retraining": True,
        },
        # Two instances at least, so an endpoint survives the loss of an instance or an AZ.
        "endpoint_defaults": {
            "minimum_instances": 2,
            # The policy pack's endpoint-safe-rollout (mandatory here) bakes each shift a minute at least.
            "minimum_bake_seconds": 60,
            # Half the fleet per step: one instance of the two every prod endpoint runs at least.
            "deployment": {"strategy": "linear", "linear_step_percent": 50, "wait_interval_seconds": 600},
            "data_capture": {"enabled": True, "sampling_percent": 20},
        },
        # Hourly checks; a production endpoint without traffic in business hours is an incident.
        "monitoring": {
            "enabled": True,
            "schedule": "cron(0 * ? * * *)",
            "alarms": {"zero_invocations_in_business_hours": True},
        },
    },
}

# Tag keys every stack must set; `environment` and `managed-by` are added by the platform itself.
REQUIRED_TAG_KEYS: Final[tuple[str, ...]] = ("owner", "cost-center")


def merge_defaults(defaults: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``overrides`` onto ``defaults``: nested maps merge, everything else is replaced."""
    merged = dict(defaults)
    for key, value in overrides.items():
        base = merged.get(key)
        if isinstance(base, dict) and isinstance(value, dict):
            merged[key] = merge_defaults(base, value)
        else:
            merged[key] = value
    return merged
