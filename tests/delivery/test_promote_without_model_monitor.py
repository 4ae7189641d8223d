"""``promote status`` reads the baselines a deploy would monitor against only where Model Monitor
runs: with ``monitoring.model_monitor: false`` no variant is monitored (nothing reads its
baselines), as the stack creates no monitoring schedule."""

from __future__ import annotations

from delivery.promote import promotion_status
from stacks.config import parse_platform_config
from tests.conftest import load_stack_document
from tests.delivery.conftest import Cloud
from tests.delivery.test_promote import GROUP as STAGING_GROUP
from tests.delivery.test_promote import _register as register_in_staging


def _staging(model_monitor: bool):
    platform = load_stack_document("staging")["config"]["mlops-platform:platform"]
    platform.setdefault("monitoring", {})["model_monitor"] = model_monitor
    config = parse_platform_config(platform, "staging")
    assert config.monitoring.enabled and config.endpoints[0].data_capture.enabled
    return config


def test_status_reads_no_baselines_without_model_monitor(cloud: Cloud) -> None:
    cloud.clients.sagemaker.create_model_package_group(ModelPackageGroupName=STAGING_GROUP)
    approved = register_in_staging(cloud, "Approved")

    [monitored] = promotion_status(_staging(True), cloud.clients.sagemaker)
    [unmonitored] = promotion_status(_staging(False), cloud.clients.sagemaker)

    assert monitored.latest_approved == unmonitored.latest_approved == approved
    assert monitored.monitored_against is not None
    assert unmonitored.monitored_against is None
