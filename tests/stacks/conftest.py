"""Helpers for the tests that record the platform program against a (moto) model registry."""

from __future__ import annotations

from typing import Any


def serving_cut(platform: dict[str, Any]) -> None:
    """Cut a fixture stack's ``mlops-platform:platform`` value, in place, to what a registry test
    of the endpoints reads: no DVC remote, approval dispatch, budget (cost guardrails), audit
    trail, extra VPC interface endpoints, retraining triggers (schedule, new data, drift) or batch
    scoring. A third of the prod fixture's resources (271 to 182; dev 165 to 125, staging 212 to
    147) and about 40 % of the CPU of recording it.

    What stays is everything a resolved version flows into: the foundation's network (with its
    required endpoints), buckets, keys and roles, the feature groups (the family's own names the
    monitors' drift features), each family's registry group and training pipeline (the same
    definition, hence the same definition-cache entry, as the whole fixture's), the alerts, and
    the endpoints with their models, monitors, alarms and dashboard. Of what goes, only batch
    scoring reads the registry: it resolves each family again, after the endpoints
    (``stacks.resolution.resolve_batch_scoring``), into a model and roles of its own, and reads no
    baselines; the drift trigger reads the endpoints' alarm names; nothing that goes feeds an
    endpoint or its monitors. Recorded whole and cut (offline: the prod, dev and staging fixtures
    and prod with a second family; against moto: an approved and a pending version), every
    resource both graphs hold has the same type, parent and inputs but three: the alerts topic's
    policy and the notifications key's (they name the budget's and the dispatch's publishers) and
    the failed-pipeline rule (it names the batch-scoring pipeline). The cut stack warns once more
    (approvals are not wired to a deployment), and exports no DVC remote, trail, dispatch queue or
    batch pipelines. A test that asserts over the whole graph (the policy pack, every warning or
    export, the triggers) records the whole fixture.
    """
    for key in ("dvc_remote", "delivery", "budget"):
        platform.pop(key, None)
    platform.get("network", {}).pop("additional_interface_endpoints", None)
    platform["audit_trail"] = {"enabled": False}
    platform.setdefault("training", {}).update(
        schedule=None, new_data={"enabled": False}, drift_retraining=False
    )
    for family in platform.get("models", []):
        family.pop("batch_scoring", None)
