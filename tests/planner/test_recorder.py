"""The recorder: what it captures, and that runs are isolated from one another."""

from __future__ import annotations

import json
import threading
from unittest.mock import patch

import pulumi
import pulumi_aws as aws
import pytest

from planner.mocks import PlatformMocks
from planner.recorder import RecordedResource, record_program, record_stack_file
from tests.conftest import stack_path


class _Box(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mlops:test:Box", name, None, opts)
        key = aws.kms.Key(
            f"{name}-key", enable_key_rotation=True, opts=pulumi.ResourceOptions(parent=self, protect=True)
        )
        self.queue = aws.sqs.Queue(
            f"{name}-queue",
            kms_master_key_id=key.arn,
            message_retention_seconds=600,
            tags={"secret-ish": pulumi.Output.secret("hidden")},
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[key],
                retain_on_delete=True,
                ignore_changes=["messageRetentionSeconds"],
                custom_timeouts=pulumi.CustomTimeouts(create="2m", delete="5m"),
            ),
        )
        self.register_outputs({})


def _box_program() -> None:
    box = _Box("box")
    pulumi.export("queue_url", box.queue.url)
    pulumi.export("answer", 42)
    pulumi.export("password", pulumi.Output.secret("hunter2"))


def test_records_types_parents_options_and_camel_case_inputs() -> None:
    graph = record_program(_box_program, stack="unit")
    box = graph.named("box")
    key, queue = graph.named("box-key"), graph.named("box-queue")

    assert box.custom is False and box.type == "mlops:test:Box"
    assert key.parent == box.urn and queue.parent == box.urn
    assert key.inputs == {"enableKeyRotation": True}
    assert queue.inputs["messageRetentionSeconds"] == 600
    assert queue.inputs["kmsMasterKeyId"] == key.outputs["arn"]
    assert key.protect is True and queue.protect is False
    assert queue.retain_on_delete is True
    assert graph.component_of(queue) == box


def test_separates_explicit_dependencies_from_data_flow() -> None:
    graph = record_program(_box_program)
    queue, key = graph.named("box-queue"), graph.named("box-key")
    assert queue.property_dependencies["kmsMasterKeyId"] == (key.urn,)
    assert key.urn in queue.dependencies
    # depends_on=[key] duplicates the data-flow edge, so nothing is left that is purely explicit.
    assert queue.explicit_dependencies == ()


def test_secrets_are_recorded_as_plain_values_and_exports_are_resolved() -> None:
    graph = record_program(_box_program)
    assert graph.named("box-queue").inputs["tags"] == {"secret-ish": "hidden"}
    assert graph.exports["answer"] == 42
    assert graph.exports["password"] == "hunter2" and graph.secret_exports == {"password"}
    assert "queue_url" in graph.exports


def test_records_ignored_changes_timeouts_and_which_inputs_hold_secrets() -> None:
    graph = record_program(_box_program)
    queue, key = graph.named("box-queue"), graph.named("box-key")
    assert queue.ignore_changes == ("messageRetentionSeconds",)
    assert queue.custom_timeouts == {"create": "2m", "delete": "5m"}
    assert queue.secret_inputs == {"tags"}
    assert (key.ignore_changes, key.custom_timeouts, key.secret_inputs) == ((), {}, frozenset())


def test_mocked_outputs_look_like_real_ones() -> None:
    graph = record_program(
        _box_program,
        config={"mlops-platform:platform": {"region": "eu-central-1", "account_id": "210987654321"}},
    )
    arn = graph.named("box-key").outputs["arn"]
    assert arn.startswith("arn:aws:kms:eu-central-1:210987654321:key/")
    assert len(arn.split("/")[-1]) == 36


def test_runs_are_isolated() -> None:
    first = record_program(_box_program, stack="one")
    second = record_program(lambda: _Box("other"), stack="two")
    assert {r.name for r in second if r.custom} == {"other-key", "other-queue"}
    assert all(":two::" in r.urn or r.urn.startswith("urn:pulumi:two::") for r in second)
    assert len(first) == len(second)
    assert second.exports == {}


def test_program_errors_propagate() -> None:
    def failing() -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        record_program(failing)


def test_an_unmocked_invoke_names_itself() -> None:
    def program() -> None:
        aws.ec2.get_vpc(default=True)

    with pytest.raises(Exception, match=r"no mock for invoke aws:ec2/getVpc:getVpc"):
        record_program(program)


def test_a_stack_records_in_the_same_order_every_run() -> None:
    # Engine calls used to run on a pool of threads and finish in the OS's order: the prod plan's
    # resource order (and text, JSON and PR summary) changed from one run to the next.
    first = record_stack_file(str(stack_path("prod")))
    second = record_stack_file(str(stack_path("prod")))
    assert [resource.urn for resource in first] == [resource.urn for resource in second]
    assert [_canonical(resource) for resource in first] == [_canonical(resource) for resource in second]


def _canonical(resource: RecordedResource) -> str:
    """A recorded resource as text; assets (compared by identity) by their path."""
    return json.dumps(
        [resource.dependencies, resource.inputs], sort_keys=True, default=lambda value: value.path
    )


def test_engine_calls_do_not_leave_the_program_thread() -> None:
    threads: set[int] = set()

    class ThreadNotingMocks(PlatformMocks):
        def new_resource(self, args):  # type: ignore[no-untyped-def]
            threads.add(threading.get_ident())
            return super().new_resource(args)

    with patch("planner.recorder.PlatformMocks", ThreadNotingMocks):
        graph = record_program(_box_program)
    assert threads == {threading.get_ident()}
    assert graph.named("box-queue").inputs["messageRetentionSeconds"] == 600
