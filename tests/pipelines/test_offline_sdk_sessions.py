"""The sealed SDK opens no boto3 session of its own while it composes a definition.

``ProcessingStep`` and ``TransformStep`` construct a ``LocalSagemakerClient`` only to read a method's
name; the real one opens a ``LocalSession`` on a new boto3 session, which loads botocore's endpoint
and service models afresh: most of a build's cost, once per step. Sealed, they get a client
without a session (components/training/_offline_sdk.py), and the only session a build uses is the
refusing one, made once per region.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from components.serving.batch_definition import build_batch_definition
from components.training.definition import build_definition
from tests.components.test_definition_cache import _batch_settings
from tests.pipelines.churn_fixtures import REGION, make_settings


def test_building_a_training_and_a_batch_definition_opens_no_boto3_session(monkeypatch) -> None:
    # The batch builder goes through the definition cache: off, so that it composes.
    monkeypatch.setenv("MLOPS_DEFINITION_CACHE", "off")
    settings = make_settings(approval_status="Approved", enable_network_isolation=False)
    batch = _batch_settings()
    # The first builds import the SDK (whose import opens sessions) and make the refusing session.
    build_definition(settings)
    build_batch_definition(batch)
    opened: list[dict[str, Any]] = []
    original = boto3.Session.__init__

    def record(self: boto3.Session, *args: Any, **kwargs: Any) -> None:
        opened.append(kwargs)
        original(self, *args, **kwargs)

    monkeypatch.setattr(boto3.Session, "__init__", record)
    training = json.loads(build_definition(settings))
    scoring = json.loads(build_batch_definition(batch))

    assert {step["Type"] for step in training["Steps"]} >= {"Processing", "Training"}
    assert [step["Type"] for step in scoring["Steps"]] == ["Transform"]
    assert opened == []


def test_a_step_that_needs_more_than_the_method_names_fails_loudly() -> None:
    """The session-less client has the real client's methods, and nothing to run them with; the
    SDK's own class is back once the block ends."""
    from components.training import _offline_sdk

    with _offline_sdk.sealed("eu-west-1"):
        from sagemaker.core.local.local_session import LocalSagemakerClient
        from sagemaker.mlops.workflow import steps

        client = steps.LocalSagemakerClient()
        assert isinstance(client, LocalSagemakerClient)
        assert client.create_processing_job.__name__ == "create_processing_job"
        assert client.create_transform_job.__name__ == "create_transform_job"
        # A method that uses the client's session finds none (it would call AWS through it).
        with pytest.raises(AttributeError, match="sagemaker_session"):
            client.describe_user_profile(DomainId="d-1", UserProfileName="someone")

    assert steps.LocalSagemakerClient is LocalSagemakerClient


def test_a_region_opened_ahead_leaves_its_first_build_no_botocore_model_to_load(monkeypatch) -> None:
    """``open_region`` opens what a region's first build would (the refusing session, and the
    botocore models its clients load); the build that follows loads none of them, and composes the
    definition it composes without the opening."""
    import botocore.loaders

    from components.training import _offline_sdk

    settings = make_settings(approval_status="Approved", enable_network_isolation=False)
    loaded: list[str] = []
    original = botocore.loaders.JSONFileLoader.load_file

    def record(self: object, file_path: str, *args: Any, **kwargs: Any) -> Any:
        loaded.append(file_path)
        return original(self, file_path, *args, **kwargs)

    monkeypatch.setattr(botocore.loaders.JSONFileLoader, "load_file", record)

    def first_build_in_a_fresh_region(opened_ahead: bool) -> tuple[str, list[str]]:
        _offline_sdk._refusing_boto_session.cache_clear()
        if opened_ahead:
            _offline_sdk.open_region(REGION)
        loaded.clear()
        return build_definition(settings), [path for path in loaded if "/data/" in path]

    plain, models_plain = first_build_in_a_fresh_region(opened_ahead=False)
    opened, models_opened = first_build_in_a_fresh_region(opened_ahead=True)

    assert any("/sagemaker/" in path for path in models_plain)  # what opening ahead spares
    assert models_opened == []
    assert opened == plain


def test_a_processs_first_build_reads_botocores_endpoint_data_once_for_all_its_image_uris(
    monkeypatch,
) -> None:
    """The SDK resolves each image URI through ``_botocore_resolver``, which reads the whole of
    botocore's endpoint data every time; sealed, a process reads it once. The images' caches are
    cleared, as in a fresh process, and so is the kept reader. The region is opened first (its
    session and clients, which read the endpoint data for themselves), as an earlier build in this
    worker would have opened it, and the SDK imported sealed, as a build imports it: it makes a
    client at import, which needs the sealed environment's region."""
    import botocore.loaders

    from components.training import _offline_sdk

    _offline_sdk.open_region("eu-west-1")
    with _offline_sdk.sealed("eu-west-1"):
        from sagemaker.core import image_uris

        from components.training import _definition_steps

    for cached in (
        _definition_steps._framework_image,
        _definition_steps._analyzer_image,
        _definition_steps._distribution_image,
        _offline_sdk._read_once,
    ):
        cached.cache_clear()
    settings = make_settings(approval_status="Approved", enable_network_isolation=False)
    endpoint_reads: list[str] = []
    resolved: list[str] = []
    load_file, retrieve = botocore.loaders.JSONFileLoader.load_file, image_uris.retrieve

    def record_read(self: object, file_path: str, *args: Any, **kwargs: Any) -> Any:
        if file_path.endswith("/data/endpoints"):
            endpoint_reads.append(file_path)
        return load_file(self, file_path, *args, **kwargs)

    def record_retrieve(*args: Any, **kwargs: Any) -> str:
        resolved.append(uri := retrieve(*args, **kwargs))
        return uri

    monkeypatch.setattr(botocore.loaders.JSONFileLoader, "load_file", record_read)
    monkeypatch.setattr(image_uris, "retrieve", record_retrieve)
    build_definition(settings)

    assert len(resolved) >= 3, resolved  # the framework's images, the analyzer's, ...
    assert len(endpoint_reads) == 1
