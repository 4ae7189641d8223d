"""The recorder: what it captures, and that runs are isolated from one another."""

from __future__ import annotations

import dataclasses
import json
import re
import threading
from typing import Any
from unittest.mock import patch

import pulumi
import pulumi_aws as aws
import pytest

from planner.mocks import PlatformMocks
from planner.recorder import RecordedResource, ResourceGraph, record_program, record_stack_file
from tests.conftest import stack_path
from tests.recorded import recorded_stack


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


def test_lookups_by_urn_and_type_answer_as_a_scan_of_the_registrations_would() -> None:
    graph = record_program(_box_program)
    key, queue = graph.named("box-key"), graph.named("box-queue")
    assert graph.get(queue.urn) is queue and graph.get(key.urn) is key
    with pytest.raises(KeyError, match="no-such-urn"):
        graph.get("urn:no-such-urn")
    assert graph.of_type("aws:sqs/queue:Queue") == [queue] and graph.of_type("aws:s3/bucket:Bucket") == []
    graph.of_type("aws:sqs/queue:Queue").clear()  # each caller gets a list of its own
    assert graph.of_type("aws:sqs/queue:Queue") == [queue]
    # Registration order within a type; the first of two registrations of one URN.
    twice = dataclasses.replace(graph, resources=(*graph.resources, dataclasses.replace(key, name="again")))
    assert twice.of_type(key.type) == [key, twice.resources[-1]] and twice.get(key.urn).name == key.name


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


@pytest.fixture(scope="module")
def fresh_prod() -> tuple[ResourceGraph, list[str]]:
    """A fresh recording of the prod fixture in this process (one for the module: the tests only
    read it), each resource's inputs compared before and after the mocks saw them: the graph, and
    the types of the resources whose inputs a mock changed in place. The comparison only reads the
    inputs (``_plain`` copies them), so the graph is what an unchecked recording makes."""
    from planner.recorder import _plain

    changed: list[str] = []
    new_resource = PlatformMocks.new_resource

    def checked(self: PlatformMocks, args: Any) -> Any:
        before = json.dumps(_plain(args.inputs), sort_keys=True, default=repr)
        result = new_resource(self, args)
        if json.dumps(_plain(args.inputs), sort_keys=True, default=repr) != before:
            changed.append(args.typ)
        return result

    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(PlatformMocks, "new_resource", checked)
        graph = record_stack_file(str(stack_path("prod")))
    return graph, changed


def test_a_stack_records_in_the_same_order_every_run(fresh_prod: tuple[ResourceGraph, list[str]]) -> None:
    # Engine calls used to run on a pool of threads and finish in the OS's order: the prod plan's
    # resource order (and text, JSON and PR summary) changed from one run to the next. A fresh
    # recording against the suite's recording of the same file (tests/recorded.py): another run's,
    # often another process's, or, in a session that has none yet, a second fresh one.
    first, _ = fresh_prod
    second = recorded_stack(stack_path("prod"))
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


def test_integers_of_the_provider_schema_are_recorded_as_ints_and_other_numbers_stay_floats() -> None:
    def program() -> None:
        aws.cloudwatch.MetricAlarm(
            "alarm",
            comparison_operator="GreaterThanThreshold",
            evaluation_periods=2,
            period=60,
            threshold=5,
            metric_name="Invocations",
            namespace="AWS/SageMaker",
            statistic="Sum",
            dimensions={"EndpointName": "churn"},
        )
        aws.appautoscaling.Policy(
            "policy",
            resource_id="endpoint/churn/variant/primary",
            scalable_dimension="sagemaker:variant:DesiredInstanceCount",
            service_namespace="sagemaker",
            policy_type="TargetTrackingScaling",
            target_tracking_scaling_policy_configuration={
                "target_value": 200,
                "scale_in_cooldown": 300,
                "predefined_metric_specification": {
                    "predefined_metric_type": "SageMakerVariantInvocationsPerInstance"
                },
            },
        )

    graph = record_program(program)
    alarm, policy = graph.named("alarm"), graph.named("policy")
    assert type(alarm.inputs["period"]) is int and type(alarm.inputs["evaluationPeriods"]) is int
    assert type(alarm.inputs["threshold"]) is float  # a number in the provider's schema
    tracking = policy.inputs["targetTrackingScalingPolicyConfiguration"]
    assert type(tracking["scaleInCooldown"]) is int and type(tracking["targetValue"]) is float
    assert json.dumps(alarm.inputs["period"]) == "60"


def _named_resources_program() -> None:
    topic = aws.sns.Topic("alerts")
    queue = aws.sqs.Queue("new-data")
    aws.sqs.QueuePolicy("new-data-policy", queue_url=queue.url, policy="{}")
    aws.cloudwatch.EventRule("drift", event_pattern="{}")
    aws.cloudwatch.EventRule("custom", event_bus_name="ml-events", event_pattern="{}")
    aws.sagemaker.Endpoint("endpoint", name="Dev-Churn", endpoint_config_name="dev-churn-config")
    aws.sagemaker.Pipeline(
        "pipeline",
        pipeline_name="Dev-Churn-Training",
        pipeline_display_name="churn",
        role_arn="arn:aws:iam::1:role/x",
    )
    aws.pipes.Pipe("pipe", source=queue.arn, target=topic.arn, role_arn="arn:aws:iam::1:role/x")
    aws.scheduler.Schedule(
        "nightly",
        schedule_expression="rate(1 day)",
        flexible_time_window={"mode": "OFF"},
        target={"arn": topic.arn, "role_arn": "arn:aws:iam::1:role/x"},
    )
    aws.cloudwatch.MetricAlarm(
        "alarm", name="churn-5xx", comparison_operator="GreaterThanThreshold", evaluation_periods=1
    )
    aws.appautoscaling.Policy(
        "scale",
        resource_id="endpoint/churn/variant/primary",
        scalable_dimension="sagemaker:variant:DesiredInstanceCount",
        service_namespace="sagemaker",
    )
    aws.iam.Role("role", assume_role_policy="{}", path="/mlops/")


def test_mocked_ids_names_and_arns_are_in_each_services_format() -> None:
    graph = record_program(
        _named_resources_program,
        config={"mlops-platform:platform": {"region": "eu-central-1", "account_id": "210987654321"}},
    )
    arn = {r.name: r.outputs.get("arn") for r in graph.cloud_resources}
    prefix = "eu-central-1:210987654321"
    topic, queue = graph.named("alerts"), graph.named("new-data")
    assert (
        re.fullmatch(rf"arn:aws:sns:{prefix}:alerts-[0-9a-f]{{7}}", arn["alerts"])
        and topic.id == arn["alerts"]
    )
    assert queue.outputs["name"] == arn["new-data"].rsplit(":", 1)[1]
    assert arn["new-data"] == f"arn:aws:sqs:{prefix}:{queue.outputs['name']}"
    assert (
        queue.id
        == queue.outputs["url"]
        == f"https://sqs.eu-central-1.amazonaws.com/210987654321/{queue.outputs['name']}"
    )
    [policy] = graph.of_type("aws:sqs/queuePolicy:QueuePolicy")
    assert policy.inputs["queueUrl"] == queue.outputs["url"]
    assert re.fullmatch(rf"arn:aws:events:{prefix}:rule/drift-[0-9a-f]{{7}}", arn["drift"])
    assert re.fullmatch(rf"arn:aws:events:{prefix}:rule/ml-events/custom-[0-9a-f]{{7}}", arn["custom"])
    assert arn["endpoint"] == f"arn:aws:sagemaker:{prefix}:endpoint/dev-churn"
    assert graph.named("endpoint").id == "Dev-Churn"
    assert arn["pipeline"] == f"arn:aws:sagemaker:{prefix}:pipeline/dev-churn-training"
    assert re.fullmatch(rf"arn:aws:pipes:{prefix}:pipe/pipe-[0-9a-f]{{7}}", arn["pipe"])
    assert re.fullmatch(rf"arn:aws:scheduler:{prefix}:schedule/default/nightly-[0-9a-f]{{7}}", arn["nightly"])
    assert arn["alarm"] == f"arn:aws:cloudwatch:{prefix}:alarm:churn-5xx"
    assert re.fullmatch(
        rf"arn:aws:autoscaling:{prefix}:scalingPolicy:[0-9a-f-]{{36}}:resource/sagemaker/"
        r"endpoint/churn/variant/primary:policyName/scale-[0-9a-f]{7}",
        arn["scale"],
    )
    assert re.fullmatch(r"arn:aws:iam::210987654321:role/mlops/role-[0-9a-f]{7}", arn["role"])


def test_mocked_ids_join_what_the_provider_joins() -> None:
    """The provider's ids for an EventBridge target (``[<bus>-]<rule>-<target id>``, the bus only
    when it is not the default) and a scheduled action (``<name>-<namespace>-<resource id>``)."""

    def program() -> None:
        rule = aws.cloudwatch.EventRule("drift", name="drift", event_pattern="{}")
        aws.cloudwatch.EventTarget("default-bus", rule=rule.name, target_id="t1", arn="arn:aws:sns:x")
        custom = aws.cloudwatch.EventRule(
            "custom", name="custom", event_bus_name="ml-events", event_pattern="{}"
        )
        aws.cloudwatch.EventTarget(
            "custom-bus", rule=custom.name, event_bus_name="ml-events", target_id="t2", arn="arn:aws:sns:x"
        )
        aws.appautoscaling.ScheduledAction(
            "night",
            name="night",
            service_namespace="sagemaker",
            resource_id="endpoint/churn/variant/primary",
            scalable_dimension="sagemaker:variant:DesiredInstanceCount",
            schedule="cron(0 20 * * ? *)",
            scalable_target_action={"min_capacity": 1, "max_capacity": 1},
        )

    graph = record_program(program)
    assert graph.named("default-bus").id == "drift-t1"
    assert graph.named("custom-bus").id == "ml-events-custom-t2"
    assert graph.named("night").id == "night-sagemaker-endpoint/churn/variant/primary"


def test_an_int_or_string_number_is_recorded_as_an_int() -> None:
    """Kubernetes' IntOrString (``Union[int, str]`` in the SDK): a number there is an int (a port),
    as the provider sends it; a name stays a string."""
    from pulumi_kubernetes.core import v1 as core
    from pulumi_kubernetes.networking import v1 as networking

    def program() -> None:
        networking.NetworkPolicy(
            "policy",
            spec=networking.NetworkPolicySpecArgs(
                pod_selector={"matchLabels": {"app": "churn"}},
                ingress=[
                    networking.NetworkPolicyIngressRuleArgs(
                        ports=[
                            networking.NetworkPolicyPortArgs(port=8080, protocol="TCP"),
                            networking.NetworkPolicyPortArgs(port="metrics", protocol="TCP"),
                        ]
                    )
                ],
            ),
        )
        core.Service(
            "service", spec=core.ServiceSpecArgs(ports=[core.ServicePortArgs(port=80, target_port=8080)])
        )

    graph = record_program(program)
    ports = graph.named("policy").inputs["spec"]["ingress"][0]["ports"]
    assert [(type(p["port"]), p["port"]) for p in ports] == [(int, 8080), (str, "metrics")]
    [service_port] = graph.named("service").inputs["spec"]["ports"]
    assert (type(service_port["port"]), type(service_port["targetPort"])) == (int, int)


def test_an_interface_endpoints_dns_name_puts_the_service_before_the_region() -> None:
    def program() -> None:
        aws.ec2.VpcEndpoint(
            "sagemaker-api",
            vpc_id="vpc-0123456789abcdef0",
            service_name="com.amazonaws.eu-central-1.sagemaker.api",
            vpc_endpoint_type="Interface",
        )

    graph = record_program(
        program, config={"mlops-platform:platform": {"region": "eu-central-1", "account_id": "210987654321"}}
    )
    endpoint = graph.named("sagemaker-api")
    [entry] = endpoint.outputs["dnsEntries"]
    # vpce-<id>-<suffix>.<service>.<region>.vpce.amazonaws.com, as AWS names it.
    assert re.fullmatch(
        rf"{endpoint.id}-[0-9a-z]{{8}}\.sagemaker\.api\.eu-central-1\.vpce\.amazonaws\.com", entry["dnsName"]
    ), entry


def test_the_mocks_leave_the_inputs_they_are_given_as_they_were(
    fresh_prod: tuple[ResourceGraph, list[str]],
) -> None:
    """The recorder keeps the very inputs the mock monitor hands the mocks (planner/recorder.py
    ``_InputsSeen``): a mock that changed them in place would change the record."""
    graph, changed = fresh_prod

    assert len(graph.cloud_resources) > 200 and changed == []


def test_numbers_in_values_of_another_shape_than_the_schemas_are_left_as_they_are() -> None:
    from planner.schema_numbers import with_schema_integers

    alarm = "aws:cloudwatch/metricAlarm:MetricAlarm"  # period: int, dimensions: map, alarmActions: list
    assert with_schema_integers(alarm, {"period": 60.0, "evaluationPeriods": 2.5}) == {
        "period": 60,
        "evaluationPeriods": 2.5,
    }
    assert type(with_schema_integers(alarm, {"period": 60.0})["period"]) is int
    kept = {"dimensions": [1.0, 2.0], "alarmActions": {"a": 1.0}, "period": [60.0], "threshold": 5.0}
    recorded = with_schema_integers(alarm, kept)
    assert recorded == kept
    assert [type(value) for value in recorded["dimensions"]] == [float, float]
    assert type(recorded["alarmActions"]["a"]) is float and type(recorded["period"][0]) is float


def test_values_no_annotation_changes_are_returned_as_they_are() -> None:
    """Text, ints, bools and None are answered by their exact type before the annotation is worked
    out (planner/schema_numbers.py ``_UNCHANGED``): an integer-typed field keeps a bool a bool and
    text text, while a whole float beside them still becomes an int, and a float subclass too."""
    from planner.schema_numbers import with_schema_integers

    class Measured(float):
        pass

    alarm = "aws:cloudwatch/metricAlarm:MetricAlarm"  # period, evaluationPeriods: int
    recorded = with_schema_integers(
        alarm,
        {"period": True, "evaluationPeriods": "2", "datapointsToAlarm": 3, "threshold": None},
    )
    assert recorded == {"period": True, "evaluationPeriods": "2", "datapointsToAlarm": 3, "threshold": None}
    assert [type(value) for value in recorded.values()] == [bool, str, int, type(None)]
    measured = with_schema_integers(alarm, {"period": Measured(60.0), "evaluationPeriods": 2.0})
    assert [type(value) for value in measured.values()] == [int, int]
