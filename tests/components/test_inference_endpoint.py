"""Inference endpoints: rollout, rollback alarms, autoscaling, capture, variants, and what SageMaker accepts."""

from __future__ import annotations

import re
from typing import Any

import boto3
import pytest

from components.serving.inference_endpoint import InferenceEndpoint, InferenceEndpointArgs
from components.serving.inference_endpoint_spec import EndpointSpec
from planner.recorder import RecordedResource, ResourceGraph, record_program
from stacks.config import ConfigError, parse_platform_config
from tests.aws_sessions import mocked_aws
from tests.components.serving_args import endpoint_args
from tests.conftest import load_stack_document
from tests.graph_helpers import as_list, policy_of, statements
from tests.recorded import computed_once
from tests.sagemaker_requests import to_request

ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
TARGET = "aws:appautoscaling/target:Target"
POLICY = "aws:appautoscaling/policy:Policy"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/data"


def _endpoint(graph: ResourceGraph) -> RecordedResource:
    [endpoint] = graph.of_type(ENDPOINT)
    return endpoint


def _config(graph: ResourceGraph) -> RecordedResource:
    [config] = graph.referenced(_endpoint(graph), "endpointConfigName")
    return config


@pytest.mark.parametrize(
    ("stack", "routing", "step"),
    [
        ("dev", "ALL_AT_ONCE", None),
        ("staging", "ALL_AT_ONCE", None),
        ("prod", "LINEAR", ("linearStepSize", 50)),
    ],
)
def test_deployment_strategy_follows_the_environment(stack_graphs, stack, routing, step) -> None:
    policy = _endpoint(stack_graphs[stack]).inputs["deploymentConfig"]["blueGreenUpdatePolicy"]
    traffic = policy["trafficRoutingConfiguration"]
    assert traffic["type"] == routing
    if step:
        assert traffic[step[0]] == {"type": "CAPACITY_PERCENT", "value": step[1]}
    # Unset in the stack: the waits plus the provisioning allowance, plus 10 %, in AWS's range.
    waits = traffic["waitIntervalInSeconds"] * (2 if step else 1) + policy["terminationWaitInSeconds"]
    assert waits < policy["maximumExecutionTimeoutInSeconds"] <= 28800


def test_rollback_alarms_exist_and_are_the_ones_referenced(stack_graph: ResourceGraph) -> None:
    endpoint = _endpoint(stack_graph)
    referenced = [
        a["alarmName"] for a in endpoint.inputs["deploymentConfig"]["autoRollbackConfiguration"]["alarms"]
    ]
    alarms = {alarm.inputs["name"]: alarm for alarm in stack_graph.of_type(ALARM)}
    name = f"{stack_graph.stack}-customer-churn"  # the endpoint's physical name
    assert referenced == [f"{name}-primary-5xx-errors", f"{name}-primary-model-latency-p99"]
    for alarm_name in referenced:
        alarm = alarms[alarm_name]
        assert alarm.inputs["dimensions"] == {"EndpointName": name, "VariantName": "primary"}
        assert (
            alarm.inputs["alarmActions"]
            == alarm.inputs["okActions"]
            == [stack_graph.named("alerts-topic").outputs["arn"]]
        )
        assert alarm.inputs["treatMissingData"] == "notBreaching"
    slo_ms = {"dev": 500, "staging": 300, "prod": 250}[stack_graph.stack]
    assert alarms[f"{name}-primary-model-latency-p99"].inputs["threshold"] == slo_ms * 1000
    assert alarms[f"{name}-primary-model-latency-p99"].inputs["extendedStatistic"] == "p99"


@pytest.mark.parametrize(("stack", "minimum", "maximum", "policies"), [
    ("dev", 0, 2, {"backlog": "TargetTrackingScaling", "from-zero": "StepScaling"}),
    ("staging", 1, 2, {"invocations": "TargetTrackingScaling", "gpu": "TargetTrackingScaling"}),
    ("prod", 2, 8, {"invocations": "TargetTrackingScaling", "gpu": "TargetTrackingScaling"}),
])  # fmt: skip
def test_scalable_target_and_its_policies(stack_graphs, stack, minimum, maximum, policies) -> None:
    graph = stack_graphs[stack]
    [target] = graph.of_type(TARGET)
    assert target.inputs["serviceNamespace"] == "sagemaker"
    assert target.inputs["scalableDimension"] == "sagemaker:variant:DesiredInstanceCount"
    assert target.inputs["resourceId"] == f"endpoint/{stack}-customer-churn/variant/primary"
    assert (target.inputs["minCapacity"], target.inputs["maxCapacity"]) == (minimum, maximum)
    assert _endpoint(graph).urn in target.dependencies, "the target is registered after the endpoint exists"
    found = {
        p.name.removeprefix("endpoint-customer-churn-primary-"): p.inputs["policyType"]
        for p in graph.of_type(POLICY)
    }
    assert found == policies

    # Application Auto Scaling applies a policy or a scheduled action only to a registered target:
    # the same namespace, dimension and resource, or the deploy fails (or the variant never scales).
    def scaled(resource) -> tuple[str, str, str]:
        return tuple(resource.inputs[key] for key in ("serviceNamespace", "scalableDimension", "resourceId"))

    scaling = [*graph.of_type(POLICY), *graph.of_type("aws:appautoscaling/scheduledAction:ScheduledAction")]
    assert [r.name for r in scaling if scaled(r) != scaled(target)] == []


def test_gpu_tracking_uses_the_endpoint_gpu_metric(stack_graphs) -> None:
    [gpu] = [p for p in stack_graphs["prod"].of_type(POLICY) if p.name.endswith("-gpu")]
    config = gpu.inputs["targetTrackingScalingPolicyConfiguration"]
    metric = config["customizedMetricSpecification"]
    assert (metric["metricName"], metric["namespace"], metric["statistic"]) == (
        "GPUUtilization",
        "/aws/sagemaker/Endpoints",
        "Average",
    )
    assert metric["dimensions"] == [
        {"name": "EndpointName", "value": "prod-customer-churn"},
        {"name": "VariantName", "value": "primary"},
    ]
    assert config["targetValue"] == 70


def test_scheduled_capacity_changes_follow_the_spec(stack_graphs) -> None:
    actions = {
        a.inputs["name"]: a.inputs
        for a in stack_graphs["prod"].of_type("aws:appautoscaling/scheduledAction:ScheduledAction")
    }
    assert set(actions) == {
        "prod-customer-churn-primary-business-hours",
        "prod-customer-churn-primary-off-hours",
    }
    business = actions["prod-customer-churn-primary-business-hours"]
    assert business["schedule"] == "cron(0 7 ? * MON-FRI *)" and business["timezone"] == "Europe/Dublin"
    assert business["scalableTargetAction"] == {"minCapacity": 3, "maxCapacity": 8}


def test_async_scale_from_zero_is_driven_by_a_backlog_alarm(stack_graphs) -> None:
    graph = stack_graphs["dev"]
    [step] = [p for p in graph.of_type(POLICY) if p.inputs["policyType"] == "StepScaling"]
    [alarm] = [a for a in graph.of_type(ALARM) if a.inputs["metricName"] == "HasBacklogWithoutCapacity"]
    assert alarm.inputs["alarmActions"] == [step.outputs["arn"]]
    assert step.inputs["stepScalingPolicyConfiguration"]["stepAdjustments"] == [
        {"metricIntervalLowerBound": "0", "scalingAdjustment": 1}
    ]


@pytest.mark.parametrize(
    ("stack", "capture", "storage_key"),
    [("dev", False, True), ("staging", True, False), ("prod", True, False)],
)
def test_data_capture_and_storage_encryption(stack_graphs, stack, capture, storage_key) -> None:
    graph = stack_graphs[stack]
    config = _config(graph)
    key_arn = graph.named("kms-data-key").outputs["arn"]
    bucket = graph.named("artifacts-bucket").outputs["bucket"]
    if capture:
        data_capture = config.inputs["dataCaptureConfig"]
        assert data_capture["enableCapture"] is True and data_capture["kmsKeyId"] == key_arn
        assert data_capture["destinationS3Uri"] == f"s3://{bucket}/data-capture/customer-churn/"
        assert data_capture["initialSamplingPercentage"] == 20
    else:
        assert "dataCaptureConfig" not in config.inputs
    # GPU (g5) variants run on local NVMe storage, for which SageMaker rejects a storage key.
    assert (config.inputs.get("kmsKeyArn") == key_arn) is storage_key


def test_models_run_isolated_in_the_private_subnets_from_the_registry(stack_graph: ResourceGraph) -> None:
    subnets = sorted(s.id for s in stack_graph.of_type("aws:ec2/subnet:Subnet"))
    for model in stack_graph.of_type("aws:sagemaker/model:Model"):
        assert model.inputs["enableNetworkIsolation"] is True
        assert sorted(model.inputs["vpcConfig"]["subnets"]) == subnets
        assert model.inputs["vpcConfig"]["securityGroupIds"] == [stack_graph.named("network-workloads").id]
        assert model.inputs["primaryContainer"]["modelPackageName"].endswith(
            f"model-package/{stack_graph.stack}-customer-churn/999999999"
        )


def test_endpoint_role_reads_models_and_writes_only_its_own_prefixes(stack_graph: ResourceGraph) -> None:
    artifacts = stack_graph.named("artifacts-bucket").outputs["arn"]
    policy = stack_graph.named("endpoint-customer-churn-models-permissions")
    s3 = [s for s in statements(policy_of(policy)) if any(a.startswith("s3:") for a in as_list(s["Action"]))]
    writes = {r for s in s3 if "s3:PutObject" in as_list(s["Action"]) for r in as_list(s["Resource"])}
    reads = {r for s in s3 if "s3:GetObject" in as_list(s["Action"]) for r in as_list(s["Resource"])}
    [config] = [c for c in stack_graph.of_type(CONFIG) if c.name == "endpoint-customer-churn-config"]
    # The async results and failures prefix only where the endpoint is asynchronous (dev's): a
    # real-time endpoint's models never write there.
    asynchronous = config.inputs.get("asyncInferenceConfig") is not None
    # The capture prefix only where the endpoint captures (staging's and prod's; dev captures nothing).
    captures = config.inputs.get("dataCaptureConfig") is not None
    assert captures is (stack_graph.stack != "dev")
    assert writes == {
        *([f"{artifacts}/data-capture/customer-churn/*"] if captures else []),
        *([f"{artifacts}/async-inference/customer-churn/*"] if asynchronous else []),
    }
    assert f"{artifacts}/models/*" in reads


# -- custom specs through the component -----------------------------------------------------------

VARIANT = {
    "model": {"model_package_arn": "arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn/3"},
    "instance_type": "ml.m5.xlarge",
}


def _record(spec: dict[str, Any], resolved_model_packages: dict[str, str] | None = None) -> ResourceGraph:
    """The component's recording for ``spec``, made once per version of the code and of this file
    (computed_once, keyed by the spec and the resolved packages as written)."""
    endpoint = EndpointSpec.model_validate(spec)
    return computed_once(
        "endpoint",
        lambda: _program_graph(endpoint, resolved_model_packages),
        key=[repr((spec, resolved_model_packages))],
    )


def _program_graph(endpoint: EndpointSpec, resolved_model_packages: dict[str, str] | None) -> ResourceGraph:
    return record_program(
        lambda: InferenceEndpoint(
            "ep",
            InferenceEndpointArgs(
                spec=endpoint,
                endpoint_name=f"test-{endpoint.name}",
                resolved_model_packages=resolved_model_packages or {},
                account_id="123456789012",
                region="eu-west-1",
                artifact_bucket_name="artifacts",
                artifact_bucket_arn="arn:aws:s3:::artifacts",
                kms_key_arn=KEY_ARN,
                notification_key_arn="arn:aws:kms:eu-west-1:123456789012:key/notify",
                subnet_ids=["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
                security_group_ids=["sg-0123456789abcdef0"],
                image_registry_accounts=["123456789012"],
                alarm_topic_arn="arn:aws:sns:eu-west-1:123456789012:alerts",
                role_path="/mlops-platform/test/",
                tags={"owner": "t"},
            ),
        )
    )


def test_ab_variants_keep_their_weights_and_a_shadow_gets_its_own_model() -> None:
    graph = _record({
        "name": "churn",
        "variants": [{**VARIANT, "name": "champion", "weight": 0.9}, {**VARIANT, "name": "challenger", "weight": 0.1}],
        "shadow_variants": [{**VARIANT, "name": "shadow"}],
    })  # fmt: skip
    config = _config(graph)
    weights = {v["variantName"]: v["initialVariantWeight"] for v in config.inputs["productionVariants"]}
    assert weights == {"champion": 0.9, "challenger": 0.1}
    assert sum(weights.values()) == pytest.approx(1.0)
    [shadow] = config.inputs["shadowProductionVariants"]
    models = {m.name: m.outputs["name"] for m in graph.of_type("aws:sagemaker/model:Model")}
    assert shadow["modelName"] == models["ep-shadow-model"] != models["ep-champion-model"]
    assert config.inputs["kmsKeyArn"] == KEY_ARN
    # Rollback watches every production variant, not the shadow.
    alarms = [
        a["alarmName"]
        for a in _endpoint(graph).inputs["deploymentConfig"]["autoRollbackConfiguration"]["alarms"]
    ]
    assert len(alarms) == 4 and not any("shadow" in alarm for alarm in alarms)


def test_serverless_variant_shape() -> None:
    graph = _record({
        "name": "churn",
        "variants": [{"name": "only", "model": VARIANT["model"], "serverless": {"memory_mb": 4096, "max_concurrency": 10, "provisioned_concurrency": 2}}],
        "data_capture": {"enabled": False},
    })  # fmt: skip
    [variant] = _config(graph).inputs["productionVariants"]
    assert variant["serverlessConfig"] == {
        "memorySizeInMb": 4096,
        "maxConcurrency": 10,
        "provisionedConcurrency": 2,
    }
    assert "instanceType" not in variant and "initialInstanceCount" not in variant
    [model] = graph.of_type("aws:sagemaker/model:Model")
    assert model.inputs["enableNetworkIsolation"] is False and "vpcConfig" not in model.inputs
    assert _config(graph).inputs["kmsKeyArn"] == KEY_ARN  # serverless configurations take a storage key
    assert graph.of_type(TARGET) == []


def test_async_shape_with_notifications() -> None:
    graph = _record(
        {
            "name": "churn",
            "variants": [{**VARIANT, "name": "primary"}],
            "async_inference": {"max_concurrent_invocations_per_instance": 2},
        }
    )
    output = _config(graph).inputs["asyncInferenceConfig"]
    topics = {t.name: t.outputs["arn"] for t in graph.of_type("aws:sns/topic:Topic")}
    assert output["outputConfig"]["s3OutputPath"] == "s3://artifacts/async-inference/churn/results/"
    assert output["outputConfig"]["s3FailurePath"] == "s3://artifacts/async-inference/churn/failures/"
    assert output["outputConfig"]["kmsKeyId"] == KEY_ARN
    assert output["outputConfig"]["notificationConfig"] == {
        "successTopic": topics["ep-async-success"],
        "errorTopic": topics["ep-async-error"],
    }
    assert output["clientConfig"] == {"maxConcurrentInvocationsPerInstance": 2}
    publish = [
        s for s in statements(policy_of(graph.named("ep-models-permissions"))) if s["Action"] == "sns:Publish"
    ]
    assert sorted(publish[0]["Resource"]) == sorted(topics.values())


# -- blue/green rollout of a custom spec: what SageMaker shifts, bakes and rolls back on ----------

FLEET = {**VARIANT, "name": "primary", "initial_instance_count": 4}
ROLLOUT = {"wait_interval_seconds": 120, "termination_wait_seconds": 900}


def _blue_green(deployment: dict[str, Any]) -> dict[str, Any]:
    graph = _record({"name": "churn", "variants": [FLEET], "deployment": {**ROLLOUT, **deployment}})
    return _endpoint(graph).inputs["deploymentConfig"]


@pytest.mark.parametrize(
    ("deployment", "routing"),
    [
        # A canary sends canary_percent of the new fleet's capacity first, bakes, then the rest.
        (
            {"strategy": "canary", "canary_percent": 25, "linear_step_percent": 40},
            {"type": "CANARY", "canarySize": {"type": "CAPACITY_PERCENT", "value": 25}},
        ),
        # Linear turns on linear_step_percent of it per step, baking after each.
        (
            {"strategy": "linear", "canary_percent": 25, "linear_step_percent": 40},
            {"type": "LINEAR", "linearStepSize": {"type": "CAPACITY_PERCENT", "value": 40}},
        ),
        # All at once has neither a canary nor a step size (SageMaker rejects either with it).
        ({"strategy": "all_at_once", "canary_percent": 25}, {"type": "ALL_AT_ONCE"}),
    ],
    ids=["canary", "linear", "all-at-once"],
)
def test_traffic_shifts_in_the_strategys_sizes_and_bakes_for_the_wait_interval(deployment, routing) -> None:
    policy = _blue_green(deployment)["blueGreenUpdatePolicy"]
    # Distinct waits: the bake after each shift is wait_interval_seconds; the old fleet is kept
    # termination_wait_seconds after the last one (a swap would bake 15 minutes, keep 2).
    assert policy["trafficRoutingConfiguration"] == {**routing, "waitIntervalInSeconds": 120}
    assert policy["terminationWaitInSeconds"] == 900


def test_extra_rollback_alarms_roll_a_deployment_back_too() -> None:
    config = _blue_green({"extra_rollback_alarms": ["churn-conversion-rate", "churn-p50-latency"]})
    assert [a["alarmName"] for a in config["autoRollbackConfiguration"]["alarms"]] == [
        "test-churn-primary-5xx-errors",
        "test-churn-primary-model-latency-p99",
        "churn-conversion-rate",
        "churn-p50-latency",
    ]


def test_capture_records_requests_and_responses_of_both_body_types() -> None:
    graph = _record(
        {
            "name": "churn",
            "variants": [{**VARIANT, "name": "primary"}],
            "data_capture": {"sampling_percent": 35},
        }
    )
    assert _config(graph).inputs["dataCaptureConfig"] == {
        "enableCapture": True,
        "initialSamplingPercentage": 35,
        "destinationS3Uri": "s3://artifacts/data-capture/churn/",
        "kmsKeyId": KEY_ARN,
        # Model Monitor compares inputs with outputs: a capture of one side only leaves it nothing to
        # join; the bodies are decoded as CSV or JSON by these content types (else base64 blobs: a
        # JSON Lines model's requests, which Clarify reads for an application/jsonlines template).
        "captureOptions": [{"captureMode": "Input"}, {"captureMode": "Output"}],
        "captureContentTypeHeader": {
            "csvContentTypes": ["text/csv"],
            "jsonContentTypes": ["application/json", "application/jsonlines"],
        },
    }


# -- async scaling: which policies a variant gets ---------------------------------------------------


def _async_policies(scaling: dict[str, Any]) -> set[str]:
    graph = _record({
        "name": "churn",
        "variants": [{**VARIANT, "name": "primary", "scaling": {"max_capacity": 4, **scaling}}],
        "async_inference": {"max_concurrent_invocations_per_instance": 2},
    })  # fmt: skip
    return {p.name.removeprefix("ep-primary-") for p in graph.of_type(POLICY)} | {
        a.inputs["metricName"]
        for a in graph.of_type(ALARM)
        if a.inputs["metricName"] == "HasBacklogWithoutCapacity"
    }


@pytest.mark.parametrize(
    ("scaling", "expected"),
    [
        # The default invocations target is real-time's: an async endpoint publishes no
        # InvocationsPerInstance (an explicit one is refused: tests/components/test_async_metrics_67.py).
        ({"min_capacity": 1, "backlog_per_instance": 5}, {"backlog"}),
        # A variant that never goes below one instance has nothing to start from zero.
        ({"min_capacity": 1, "invocations_per_instance": None, "backlog_per_instance": 5}, {"backlog"}),
        ({"min_capacity": 0, "invocations_per_instance": None, "backlog_per_instance": 5},
         {"backlog", "from-zero", "HasBacklogWithoutCapacity"}),
    ],
    ids=["default-invocations-not-applied", "backlog-from-one", "backlog-from-zero"],
)  # fmt: skip
def test_async_scale_from_zero_only_when_the_variant_may_reach_zero(scaling, expected) -> None:
    assert _async_policies(scaling) == expected


def test_scheduled_actions_set_their_own_limits() -> None:
    graph = _record({
        "name": "churn",
        "variants": [{**VARIANT, "name": "primary", "initial_instance_count": 2, "scaling": {
            "min_capacity": 1, "max_capacity": 10,
            "scheduled": [{"name": "night", "schedule": "cron(0 22 * * ? *)", "min_capacity": 1, "max_capacity": 3}],
        }}],
    })  # fmt: skip
    [action] = graph.of_type("aws:appautoscaling/scheduledAction:ScheduledAction")
    # At night the fleet is capped at 3 instances, not at the daytime maximum of 10.
    assert action.inputs["scalableTargetAction"] == {"minCapacity": 1, "maxCapacity": 3}


def test_variant_storage_and_startup_allowances_reach_the_configuration() -> None:
    graph = _record({
        "name": "churn",
        "variants": [{**VARIANT, "name": "primary", "volume_size_gb": 60, "model_download_timeout_seconds": 1200,
                      "container_startup_health_check_timeout_seconds": 900}],
    })  # fmt: skip
    [variant] = _config(graph).inputs["productionVariants"]
    # Without them SageMaker uses its defaults: a large model fails its download or first health check.
    assert (
        variant["volumeSizeInGb"],
        variant["modelDataDownloadTimeoutInSeconds"],
        variant["containerStartupHealthCheckTimeoutInSeconds"],
    ) == (60, 1200, 900)


def test_an_endpoint_on_local_nvme_storage_drops_the_volume_key_shadow_included() -> None:
    graph = _record({
        "name": "churn",
        "variants": [{**VARIANT, "name": "champion", "instance_type": "ml.g5.2xlarge"}],
        "shadow_variants": [{**VARIANT, "name": "shadow", "instance_type": "ml.g5.xlarge"}],
    })  # fmt: skip
    # SageMaker rejects a configuration with a storage key if any of its variants, shadows included,
    # runs on an instance-store type (and one endpoint's variants are all such types or none).
    assert "kmsKeyArn" not in _config(graph).inputs


def test_containers_pull_from_ecr_and_get_the_variants_environment() -> None:
    image = {"image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn:1",
             "model_data_url": "s3://artifacts/models/churn/model.tar.gz"}  # fmt: skip
    graph = _record(
        {
            "name": "churn",
            "variants": [
                {**VARIANT, "name": "latest", "model": {"latest_approved_of": "customer-churn"}, "environment": {"A": "1"}},
                {**VARIANT, "name": "byo", "model": image, "environment": {"B": "2"}},
            ],
        },
        resolved_model_packages={"latest": "arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn/7"},
    )  # fmt: skip
    containers = {m.name: m.inputs["primaryContainer"] for m in graph.of_type("aws:sagemaker/model:Model")}
    assert containers["ep-latest-model"]["environment"] == {"A": "1"}
    assert containers["ep-byo-model"]["environment"] == {"B": "2"}
    # "Vpc" would pull from a private registry inside the VPC; an ECR image is pulled by SageMaker.
    assert containers["ep-byo-model"]["imageConfig"] == {"repositoryAccessMode": "Platform"}


def test_async_notifications_are_encrypted_with_a_key_the_models_may_use() -> None:
    graph = _record({
        "name": "churn",
        "variants": [{**VARIANT, "name": "primary"}],
        "async_inference": {"max_concurrent_invocations_per_instance": 2},
    })  # fmt: skip
    notify = "arn:aws:kms:eu-west-1:123456789012:key/notify"
    for topic in graph.of_type("aws:sns/topic:Topic"):
        assert topic.inputs["kmsMasterKeyId"] == notify, topic.name
    # Publishing to a KMS-encrypted topic needs the publisher to use its key: else every
    # notification fails and the async client never hears of its result.
    kms = [
        s
        for s in statements(policy_of(graph.named("ep-models-permissions")))
        if "kms:GenerateDataKey*" in as_list(s["Action"])
    ]
    assert notify in {r for s in kms for r in as_list(s["Resource"])}


@pytest.mark.parametrize(
    ("async_inference", "async_writes", "uses_notification_key"),
    [
        pytest.param(None, False, False, id="real-time"),
        pytest.param({"notifications": False}, True, False, id="async-without-notifications"),
        pytest.param({}, True, True, id="async-with-notifications"),
    ],
)
def test_models_role_gets_async_prefix_and_notification_key_only_when_it_uses_them(
    async_inference: dict[str, Any] | None, async_writes: bool, uses_notification_key: bool
) -> None:
    """Least privilege: a real-time endpoint's models write no async results and publish no
    notification, so their role neither writes ``async-inference/<name>/`` nor uses the
    notifications key (the key of the stack's alert, approval and async topics and of its queues);
    an async endpoint's does, the key only where it has topics to publish to."""
    spec: dict[str, Any] = {"name": "churn", "variants": [{**VARIANT, "name": "primary"}]}
    if async_inference is not None:
        spec["async_inference"] = async_inference
    graph = _record(spec)
    policy = statements(policy_of(graph.named("ep-models-permissions")))
    writes = {r for s in policy if "s3:PutObject" in as_list(s["Action"]) for r in as_list(s["Resource"])}
    keys = {r for s in policy if "kms:Decrypt" in as_list(s["Action"]) for r in as_list(s["Resource"])}
    assert ("arn:aws:s3:::artifacts/async-inference/churn/*" in writes) is async_writes
    assert "arn:aws:s3:::artifacts/data-capture/churn/*" in writes
    assert KEY_ARN in keys
    assert ("arn:aws:kms:eu-west-1:123456789012:key/notify" in keys) is uses_notification_key
    publishes = [s for s in policy if "sns:Publish" in as_list(s["Action"])]
    assert bool(publishes) is uses_notification_key


@pytest.mark.parametrize(
    ("spec", "captures", "async_writes"),
    [
        pytest.param({"variants": [{**VARIANT, "name": "primary"}]}, True, False, id="real-time-capturing"),
        pytest.param(
            {"variants": [{**VARIANT, "name": "primary"}], "data_capture": {"enabled": False}},
            False,
            False,
            id="real-time-without-capture",
        ),
        pytest.param(
            {
                "variants": [{**VARIANT, "name": "primary"}],
                "data_capture": {"enabled": False},
                "async_inference": {"notifications": False},
            },
            False,
            True,
            id="async-without-capture",
        ),
        pytest.param(
            {
                "variants": [{"name": "only", "model": VARIANT["model"], "serverless": {"memory_mb": 4096}}],
                "data_capture": {"enabled": False},
            },
            False,
            False,
            id="serverless",
        ),
    ],
)
def test_models_role_writes_the_capture_prefix_only_when_the_endpoint_captures(
    spec: dict[str, Any], captures: bool, async_writes: bool
) -> None:
    """Least privilege: SageMaker writes captured requests and responses as the models' role only to
    the configuration's ``DataCaptureConfig.DestinationS3Uri``; an endpoint with capture off (a
    serverless one must have it off) has no capture to write, so its role writes no
    ``data-capture/<name>/`` (and reads nothing there: its models never read captured data)."""
    graph = _record({"name": "churn", **spec})
    assert (_config(graph).inputs.get("dataCaptureConfig") is not None) is captures
    policy = statements(policy_of(graph.named("ep-models-permissions")))
    s3 = {
        r
        for s in policy
        if any(a.startswith("s3:") for a in as_list(s["Action"]))
        for r in as_list(s["Resource"])
    }
    writes = {r for s in policy if "s3:PutObject" in as_list(s["Action"]) for r in as_list(s["Resource"])}
    assert ("arn:aws:s3:::artifacts/data-capture/churn/*" in writes) is captures
    assert ("arn:aws:s3:::artifacts/data-capture/churn/*" in s3) is captures
    listed = [
        prefix
        for s in policy
        if s["Action"] == "s3:ListBucket"
        for prefix in as_list(s.get("Condition", {}).get("StringLike", {}).get("s3:prefix", []))
    ]
    assert ("data-capture/churn/*" in listed) is captures
    assert ("arn:aws:s3:::artifacts/async-inference/churn/*" in writes) is async_writes
    assert "arn:aws:s3:::artifacts/models/*" in s3
    # Every statement still names a resource (no empty list where nothing is written).
    assert all(as_list(s["Resource"]) for s in policy)
    # The data key stays: it encrypts the storage volumes (serverless configurations too).
    keys = {r for s in policy if "kms:Decrypt" in as_list(s["Action"]) for r in as_list(s["Resource"])}
    assert keys == {KEY_ARN}


def test_rollback_alarms_keep_the_resource_names_they_were_first_deployed_with() -> None:
    graph = _record({"name": "churn", "variants": [{**VARIANT, "name": "primary"}]})
    # A renamed alarm resource is replaced: created under the same alarm name, then the old one is
    # deleted, and with it the alarm the endpoint rolls back on.
    assert sorted(a.name for a in graph.of_type(ALARM)) == ["ep-primary-5xx", "ep-primary-latency"]


# -- malformed specs -------------------------------------------------------------------------------


def _stack_with(endpoint: dict[str, Any], environment: str = "prod") -> dict[str, Any]:
    return {**load_stack_document(environment)["config"]["mlops-platform:platform"], "endpoints": [endpoint]}


GOOD = {
    "name": "churn",
    "variants": [
        {
            "name": "primary",
            "model": {"latest_approved_of": "customer-churn"},
            "instance_type": "ml.g5.xlarge",
            "initial_instance_count": 2,
            "scaling": {"min_capacity": 2, "max_capacity": 4},
        }
    ],
}
MALFORMED_ENDPOINTS: list[tuple[str, dict[str, Any], str, str]] = [
    ("no-model-source", {**GOOD, "variants": [{**GOOD["variants"][0], "model": {}}]}, "endpoints[0].variants[0].model", "set exactly one of model_package_arn"),
    ("two-model-sources", {**GOOD, "variants": [{**GOOD["variants"][0], "model": {"latest_approved_of": "customer-churn", "image": "1.dkr.ecr.x/y"}}]}, "endpoints[0].variants[0].model", "got latest_approved_of, image"),
    ("bad-package-arn", {**GOOD, "variants": [{**GOOD["variants"][0], "model": {"model_package_arn": "arn:aws:s3:::x"}}]}, "endpoints[0].variants[0].model.model_package_arn", "not a model package version ARN"),
    ("unknown-instance-type", {**GOOD, "variants": [{**GOOD["variants"][0], "instance_type": "g5.xlarge"}]}, "endpoints[0].variants[0].instance_type", "not a SageMaker instance type"),
    ("min-above-max", {**GOOD, "variants": [{**GOOD["variants"][0], "scaling": {"min_capacity": 5, "max_capacity": 4}}]}, "endpoints[0].variants[0].scaling.min_capacity", "min_capacity 5 > max_capacity 4"),
    ("initial-outside-bounds", {**GOOD, "variants": [{**GOOD["variants"][0], "initial_instance_count": 6}]}, "endpoints[0].variants[0].initial_instance_count", "initial_instance_count 6 must lie within"),
    ("scale-to-zero-without-async", {**GOOD, "variants": [{**GOOD["variants"][0], "scaling": {"min_capacity": 0, "max_capacity": 4}}]}, "endpoints[0].variants[0].scaling.min_capacity", "scaling to zero (min_capacity 0) needs async inference"),
    ("scale-to-zero-without-backlog", {**GOOD, "async_inference": {"max_concurrent_invocations_per_instance": 4}, "variants": [{**GOOD["variants"][0], "scaling": {"min_capacity": 0, "max_capacity": 4}}]}, "endpoints[0].variants[0].scaling.backlog_per_instance", "needs backlog_per_instance, the policy that starts the first instance again"),
    # all_at_once: prod's linear default is checked first (a step of one instance needs two).
    ("below-the-prod-minimum", {**GOOD, "deployment": {"strategy": "all_at_once"}, "variants": [{**GOOD["variants"][0], "initial_instance_count": 1, "scaling": {"min_capacity": 1, "max_capacity": 4}}]}, "endpoints[0].variants[0].initial_instance_count", "fewer than endpoint_defaults.minimum_instances (2)"),
    ("serverless-with-capture", {"name": "churn", "variants": [{"name": "p", "model": {"latest_approved_of": "customer-churn"}, "serverless": {}}], "data_capture": {"enabled": True}}, "endpoints[0].data_capture.enabled", "do not support data capture"),
    ("serverless-bad-memory", {"name": "churn", "variants": [{"name": "p", "model": {"latest_approved_of": "customer-churn"}, "serverless": {"memory_mb": 1000}}]}, "endpoints[0].variants[0].serverless.memory_mb", "not a serverless memory size"),
    ("instance-and-serverless", {**GOOD, "variants": [{**GOOD["variants"][0], "serverless": {}}]}, "endpoints[0].variants[0]", "either instance_type (instance-based) or serverless"),
    ("duplicate-variant-names", {**GOOD, "variants": [GOOD["variants"][0], GOOD["variants"][0]]}, "endpoints[0]", "duplicate variant names: primary"),
    ("gpu-target-on-cpu", {**GOOD, "variants": [{**GOOD["variants"][0], "instance_type": "ml.m5.xlarge", "scaling": {"min_capacity": 2, "max_capacity": 4, "gpu_utilization_percent": 70}}]}, "endpoints[0].variants[0].scaling.gpu_utilization_percent", "gpu_utilization_percent needs a GPU instance type"),
    ("volume-on-instance-store", {**GOOD, "variants": [{**GOOD["variants"][0], "volume_size_gb": 100}]}, "endpoints[0].variants[0].volume_size_gb", "local NVMe storage: remove volume_size_gb"),
    ("unknown-strategy", {**GOOD, "deployment": {"strategy": "rolling"}}, "endpoints[0].deployment.strategy", "'all_at_once', 'canary' or 'linear'"),
    ("unknown-model-family", {**GOOD, "variants": [{**GOOD["variants"][0], "model": {"latest_approved_of": "fraud"}}]}, "endpoints[0].variants[0].model.latest_approved_of", "'fraud' is not a model family of this stack"),
    ("bad-endpoint-name", {**GOOD, "name": "churn_v2"}, "endpoints[0].name", "not a valid endpoint name"),
    # data-capture/batch/ holds the batch-scoring captures (data-capture/batch/<family>/).
    ("endpoint-named-batch", {**GOOD, "name": "batch"}, "endpoints[0].name", "'batch' is reserved: data-capture/batch/ holds the batch-scoring jobs' captures"),
    ("scaled-shadow", {**GOOD, "shadow_variants": [{**GOOD["variants"][0], "name": "shadow"}]}, "endpoints[0].shadow_variants[0].scaling", "shadow variant 'shadow' cannot autoscale"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "endpoint", "key", "fragment"), MALFORMED_ENDPOINTS, ids=[c[0] for c in MALFORMED_ENDPOINTS]
)
def test_malformed_endpoint_spec_is_rejected(case, endpoint, key, fragment) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(_stack_with(endpoint), "stacks/Pulumi.prod.yaml")
    path = key if key.startswith("mlops-platform") else f"mlops-platform:platform.{key}"
    lines = [line for line in str(raised.value).splitlines() if f": {path}: " in line]
    assert lines, str(raised.value)
    assert fragment in lines[0] and lines[0].strip().startswith("stacks/Pulumi.prod.yaml: ")


def test_the_good_spec_is_accepted() -> None:
    assert parse_platform_config(_stack_with(GOOD), "stacks/Pulumi.prod.yaml").endpoints[0].name == "churn"


# -- SageMaker (moto, with botocore's request validation) accepts what the stacks declare ---------


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_sagemaker_accepts_the_endpoint_configuration_and_endpoint(
    stack_graphs, stack, monkeypatch, current_instance_types
) -> None:
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(variable, "testing")
    graph = stack_graphs[stack]
    config, endpoint = _config(graph), _endpoint(graph)
    with mocked_aws("eu-west-1"):
        client = boto3.client("sagemaker", region_name="eu-west-1")
        for model in graph.of_type("aws:sagemaker/model:Model"):
            client.create_model(
                ModelName=model.outputs["name"], **to_request("CreateModel", dict(model.inputs))
            )
        request = to_request("CreateEndpointConfig", dict(config.inputs))
        client.create_endpoint_config(EndpointConfigName=config.outputs["name"], **request)
        client.create_endpoint(
            EndpointName=endpoint.inputs["name"],
            EndpointConfigName=config.outputs["name"],
            DeploymentConfig=to_request(
                "CreateEndpoint", {"deploymentConfig": endpoint.inputs["deploymentConfig"]}
            )["DeploymentConfig"],
        )
        described = client.describe_endpoint_config(EndpointConfigName=config.outputs["name"])
        assert [v["VariantName"] for v in described["ProductionVariants"]] == ["primary"]
        assert (
            client.describe_endpoint(EndpointName=f"{stack}-customer-churn")["EndpointConfigName"]
            == config.outputs["name"]
        )
        assert re.fullmatch(
            rf"arn:aws:sagemaker:eu-west-1:\d{{12}}:endpoint/{stack}-customer-churn",
            client.describe_endpoint(EndpointName=f"{stack}-customer-churn")["EndpointArn"],
        )


def test_the_instance_type_check_still_rejects_what_sagemaker_does(
    monkeypatch, current_instance_types
) -> None:
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(variable, "testing")
    with mocked_aws("eu-west-1"):
        client = boto3.client("sagemaker", region_name="eu-west-1")
        client.create_model(
            ModelName="m",
            ExecutionRoleArn="arn:aws:iam::123456789012:role/r",
            PrimaryContainer={"Image": "i"},
        )
        with pytest.raises(client.exceptions.ClientError, match=re.escape("ml.g5.3xlarge")):
            client.create_endpoint_config(
                EndpointConfigName="c",
                ProductionVariants=[
                    {
                        "VariantName": "v",
                        "ModelName": "m",
                        "InstanceType": "ml.g5.3xlarge",
                        "InitialInstanceCount": 1,
                    }
                ],
            )


@pytest.mark.parametrize(
    "endpoint_name",
    ["x" * 64, "churn_endpoint", "-churn", "churn.v2"],
    ids=["64 characters", "underscore", "leading hyphen", "dot"],
)
def test_args_refuse_an_endpoint_name_sagemaker_refuses(endpoint_name: str) -> None:
    """CreateEndpoint's EndpointName: 1-63 letters or digits separated by hyphens (botocore
    ``[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}``); an adopter's program names the endpoint itself."""
    endpoint = EndpointSpec.model_validate({"name": "churn", "variants": [{**VARIANT, "name": "a"}]})
    with pytest.raises(ValueError, match=r"InferenceEndpointArgs\.endpoint_name: .* 1-63 letters or digits"):
        endpoint_args(endpoint, endpoint_name=endpoint_name)
    endpoint_args(endpoint, endpoint_name="x" * 63)


def test_args_leave_room_for_the_models_own_tag() -> None:
    """A model carries the args' tags and ``mlops:endpoint``: 49 tags make SageMaker's 50 (botocore
    TagList), 50 would make 51, which CreateModel refuses; nor does AWS take an ``aws:`` key."""
    endpoint = EndpointSpec.model_validate({"name": "churn", "variants": [{**VARIANT, "name": "a"}]})
    tags = {f"team-{i}": "x" for i in range(49)}
    graph = record_program(lambda: InferenceEndpoint("ep", endpoint_args(endpoint, tags=tags)))
    assert max(len(r.inputs["tags"]) for r in graph.cloud_resources if r.inputs.get("tags")) == 50

    with pytest.raises(ValueError, match=r"InferenceEndpointArgs\.tags: 50 tags; .* at most 49"):
        endpoint_args(endpoint, tags={**tags, "team-49": "x"})
    with pytest.raises(ValueError, match=r"InferenceEndpointArgs\.tags: tag key 'aws:owner'"):
        endpoint_args(endpoint, tags={"aws:owner": "t"})


def _scaled(action: str) -> dict[str, Any]:
    return {
        "min_capacity": 1,
        "max_capacity": 2,
        "scheduled": [
            {"name": action, "schedule": "cron(0 20 * * ? *)", "min_capacity": 1, "max_capacity": 1}
        ],
    }


def test_an_endpoint_whose_joined_child_names_collide_is_refused() -> None:
    """Variant ``a``'s action ``b-c`` and variant ``a-b``'s action ``c`` are both ``<endpoint>-a-b-c``:
    the component registered two scheduled actions of one logical name (a duplicate URN at pulumi
    preview) and one physical name. A stack file refused it (PlatformConfig); a spec from Python or
    the component package's specJson did not."""
    with pytest.raises(
        ValueError, match=r"variants\.1\.scaling\.scheduled\.0\.name\n.*'churn-a-b-c' .* would collide"
    ):
        EndpointSpec.model_validate(
            {
                "name": "churn",
                "variants": [
                    {**VARIANT, "name": "a", "weight": 1, "scaling": _scaled("b-c")},
                    {**VARIANT, "name": "a-b", "weight": 1, "scaling": _scaled("c")},
                ],
            }
        )
