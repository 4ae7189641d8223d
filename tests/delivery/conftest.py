"""Fixtures for the delivery tests: a moto account the stacks' region, with monitoring schedules."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto import mock_aws

from delivery.checks import Clients
from planner.recorder import ResourceGraph
from stacks.config import CONFIG_KEY
from tests.aws_sessions import fresh_session
from tests.conftest import load_stack_document, stack_path
from tests.delivery.monitoring_schedules import MonitoringSchedules
from tests.recorded import recorded_stack
from tests.yaml_text import dump_document

REGION = "eu-west-1"  # every shipped stack file's region


@dataclass
class Cloud:
    clients: Clients
    schedules: MonitoringSchedules


def keyed_session(access_key_id: str, secret_access_key: str) -> boto3.Session:
    """A new boto3 session in :data:`REGION` with this access key, on the process's shared loader of
    botocore's service models (tests.aws_sessions.fresh_session: a session of its own would load and
    parse them again, 0.1-0.3 s); its credentials, handlers and clients are its own."""
    session = fresh_session(REGION)
    session._session.set_credentials(access_key_id, secret_access_key)
    return session


@pytest.fixture(scope="session")
def aws_session() -> tuple[boto3.Session, Clients, MonitoringSchedules]:
    """One boto3 session for the delivery tests (building sessions and clients costs ~0.5 s each).

    Explicit dummy credentials keep it off the environment. moto intercepts its clients whenever a
    mock is active; the monitoring-schedule stand-in is registered on the session, so clients the
    code under test creates from it (``Clients.for_region``) see it too.
    """
    session = keyed_session("testing", "testing")
    schedules = MonitoringSchedules(region=REGION)
    schedules.install(session.events)
    clients = Clients(
        session.client("sagemaker"), session.client("application-autoscaling"), session.client("s3")
    )
    return session, clients, schedules


@pytest.fixture
def prod_first_deploy() -> ResourceGraph:
    """The prod fixture recorded against an empty registry (a first deploy), for a test that asks
    for it before ``cloud``: recorded outside moto's mock, whose ``AWS_*`` environment is part of
    the recording's key, it is the recording test_first_deploy's offline plans and
    test_batch_scoring read, not one of its own."""
    return recorded_stack(str(stack_path("prod")), registry="empty")


@pytest.fixture
def cloud(
    monkeypatch: pytest.MonkeyPatch,
    current_instance_types: None,
    aws_session: tuple[boto3.Session, Clients, MonitoringSchedules],
) -> Iterator[Cloud]:
    """A fresh, empty moto account (and no monitoring schedules); boto3's default session is ours."""
    session, clients, schedules = aws_session
    schedules.schedules.clear()
    with mock_aws():
        # After the mock starts: starting it resets boto3's default session.
        monkeypatch.setattr(boto3, "DEFAULT_SESSION", session)
        yield Cloud(clients, schedules)


DATA_BUCKET = "datasets"
"""The versioned training-data bucket of the ``datasets`` fixture."""


@pytest.fixture
def datasets(cloud: Cloud) -> Any:
    """``cloud``'s S3 client, with the versioned bucket :data:`DATA_BUCKET` (the data a model version's
    lineage names)."""
    s3 = cloud.clients.s3
    s3.create_bucket(Bucket=DATA_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_versioning(Bucket=DATA_BUCKET, VersioningConfiguration={"Status": "Enabled"})
    return s3


@pytest.fixture(scope="session")
def variety_graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    """The dev stack with two more endpoints: a serverless one and one with a shadow variant."""
    document = load_stack_document("dev")
    platform = document["config"][CONFIG_KEY]
    model = {"latest_approved_of": "customer-churn"}
    platform["endpoints"] = [
        {
            "name": "churn-serverless",
            "data_capture": {"enabled": False},
            "variants": [
                {"name": "primary", "model": model, "serverless": {"memory_mb": 2048, "max_concurrency": 5}}
            ],
        },
        {
            "name": "churn-shadowed",
            "variants": [
                {
                    "name": "primary",
                    "model": model,
                    "instance_type": "ml.m5.large",
                    "initial_instance_count": 1,
                    "scaling": {"min_capacity": 1, "max_capacity": 2},
                }
            ],
            "shadow_variants": [
                {
                    "name": "challenger",
                    "model": model,
                    "instance_type": "ml.m5.large",
                    "initial_instance_count": 1,
                }
            ],
        },
    ]
    path = tmp_path_factory.mktemp("stacks") / "Pulumi.variety.yaml"
    path.write_text(dump_document(document))
    return recorded_stack(str(path))
