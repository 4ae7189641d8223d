"""SharedEndpoint: several models on one endpoint's instances as inference components, through the
component (recorded inputs) and through the prod fixture stack (plan, policies, cost)."""

from __future__ import annotations

from typing import Any

import pytest

from components.serving.shared_endpoint import SharedEndpoint, SharedEndpointArgs
from components.serving.shared_endpoint_spec import SharedEndpointSpec
from planner.cost import estimate_cost
from planner.policy_check import evaluate_policies
from planner.recorder import RecordedResource, ResourceGraph, record_program
from tests.recorded import computed_once, recorded_stack
from tests.yaml_text import dump_document

COMPONENT = "aws-native:sagemaker:InferenceComponent"
CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
MODEL = "aws:sagemaker/model:Model"
TARGET = "aws:appautoscaling/target:Target"
POLICY = "aws:appautoscaling/policy:Policy"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
KEY = "arn:aws:kms:eu-west-1:123456789012:key/data"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:alerts"
SUBNETS = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
PACKAGE = "arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn/7"
PINNED = "arn:aws:sagemaker:eu-west-1:123456789012:model-package/ranker/2"


def _spec(**changes: Any) -> dict[str, Any]:
    return {
        "name": "gpu-models",
        "instance_type": "ml.g5.12xlarge",
        "initial_instance_count": 2,
        "managed_scaling": {"min_instances": 2, "max_instances": 3},
        "routing": "random",
        "latency_p99_slo_ms": 300,
        "max_5xx_per_minute": 3,
        "components": [
            {
                "name": "churn",
                "model": {"latest_approved_of": "churn"},
                "environment": {"LOG_LEVEL": "info"},
                "compute": {"cpu_cores": 4, "memory_mb": 16384, "max_memory_mb": 24576, "accelerators": 1},
                "copies": 2,
                "scaling": {"min_copies": 2, "max_copies": 6, "invocations_per_copy": 80},
                "model_download_timeout_seconds": 600,
            },
            {
                "name": "ranker",
                "model": {"model_package_arn": PINNED},
                "compute": {"cpu_cores": 2, "memory_mb": 8192, "accelerators": 1},
                "copies": 1,
            },
        ],
        **changes,
    }


def _args(shared: SharedEndpointSpec, endpoint_name: str) -> SharedEndpointArgs:
    return SharedEndpointArgs(
        spec=shared,
        endpoint_name=endpoint_name,
        resolved_model_packages={"churn": PACKAGE},
        account_id="123456789012",
        region="eu-west-1",
        artifact_bucket_name="artifacts",
        artifact_bucket_arn="arn:aws:s3:::artifacts",
        kms_key_arn=KEY,
        subnet_ids=SUBNETS,
        security_group_ids=["sg-0123456789abcdef0"],
        image_registry_accounts=["123456789012"],
        alarm_topic_arn=TOPIC,
        role_path="/mlops-platform/test/",
        tags={"owner": "t", "cost-center": "c"},
    )


def _record(spec: dict[str, Any]) -> ResourceGraph:
    shared = SharedEndpointSpec.model_validate(spec)

    def program() -> None:
        SharedEndpoint("shared", _args(shared, f"test-{shared.name}"))

    return record_program(program)


@pytest.fixture(scope="module")
def graph() -> ResourceGraph:
    """The component recorded once per version of the code for every xdist worker and later run
    (tests.recorded.computed_once): its program and spec are this module's constants, so the graph
    is a pure function of the code and this module (both keyed); each worker gets its own copy."""
    return computed_once("graph", lambda: _record(_spec()))


def _component(graph: ResourceGraph, name: str) -> RecordedResource:
    return next(
        c for c in graph.of_type(COMPONENT) if c.inputs["inferenceComponentName"] == f"test-gpu-models-{name}"
    )


def test_the_configuration_hosts_components_no_model(graph: ResourceGraph) -> None:
    [config] = graph.of_type(CONFIG)
    [variant] = config.inputs["productionVariants"]
    assert "modelName" not in variant
    assert variant["instanceType"] == "ml.g5.12xlarge" and variant["initialInstanceCount"] == 2
    assert variant["managedInstanceScaling"] == {
        "status": "ENABLED",
        "minInstanceCount": 2,
        "maxInstanceCount": 3,
    }
    assert variant["routingConfigs"] == [{"routingStrategy": "RANDOM"}]
    # The execution role SageMaker needs without a model in the variant: the component's own role.
    [role] = [r for r in graph.of_type("aws:iam/role:Role") if r.name == "shared-models-role"]
    assert role.urn in [r.urn for r in graph.referenced(config, "executionRoleArn")]
    assert config.inputs["executionRoleArn"] == role.outputs["arn"]
    # ml.g5 serves from local NVMe storage: no volume key (SageMaker refuses one); capture is encrypted.
    assert "kmsKeyArn" not in config.inputs
    capture = config.inputs["dataCaptureConfig"]
    assert (
        capture["kmsKeyId"] == KEY
        and capture["destinationS3Uri"] == "s3://artifacts/data-capture/gpu-models/"
    )


def test_an_ebs_backed_fleet_gets_the_volume_key() -> None:
    spec = _spec(instance_type="ml.m5.24xlarge")
    for component in spec["components"]:
        component["compute"].pop("accelerators")
    [config] = _record(spec).of_type(CONFIG)
    assert config.inputs["kmsKeyArn"] == KEY


def test_each_component_runs_its_own_isolated_model_on_the_endpoint(graph: ResourceGraph) -> None:
    [endpoint] = graph.of_type(ENDPOINT)
    churn, ranker = _component(graph, "churn"), _component(graph, "ranker")
    for component, package in ((churn, PACKAGE), (ranker, PINNED)):
        assert [r.urn for r in graph.referenced(component, "endpointName")] == [endpoint.urn]
        assert component.inputs["endpointName"] == "test-gpu-models"
        assert component.inputs["variantName"] == "AllTraffic"
        [model] = graph.referenced(component, "specification")
        assert model.type == MODEL
        assert component.inputs["specification"]["modelName"] == model.outputs["name"]
        assert model.inputs["primaryContainer"]["modelPackageName"] == package
        assert model.inputs["enableNetworkIsolation"] is True
        assert model.inputs["vpcConfig"]["subnets"] == SUBNETS
    assert churn.inputs["specification"]["computeResourceRequirements"] == {
        "minMemoryRequiredInMb": 16384,
        "maxMemoryRequiredInMb": 24576,
        "numberOfCpuCoresRequired": 4,
        "numberOfAcceleratorDevicesRequired": 1,
    }
    assert churn.inputs["specification"]["startupParameters"] == {"modelDataDownloadTimeoutInSeconds": 600}
    assert "startupParameters" not in ranker.inputs["specification"]
    assert (churn.inputs["runtimeConfig"]["copyCount"], ranker.inputs["runtimeConfig"]["copyCount"]) == (2, 1)
    assert {"key": "owner", "value": "t"} in churn.inputs["tags"]


def test_copies_scale_on_invocations_per_copy(graph: ResourceGraph) -> None:
    [target] = graph.of_type(TARGET)  # the ranker has no scaling spec: a fixed copy count
    churn = _component(graph, "churn")
    assert target.inputs["resourceId"] == "inference-component/test-gpu-models-churn"
    assert [r.urn for r in graph.referenced(target, "resourceId")] == [churn.urn]
    assert target.inputs["scalableDimension"] == "sagemaker:inference-component:DesiredCopyCount"
    assert (target.inputs["minCapacity"], target.inputs["maxCapacity"]) == (2, 6)
    [policy] = graph.of_type(POLICY)
    tracking = policy.inputs["targetTrackingScalingPolicyConfiguration"]
    assert policy.inputs["policyType"] == "TargetTrackingScaling"
    assert target.inputs["serviceNamespace"] == "sagemaker"
    # The policy applies to the registered target only: same namespace, dimension and resource.
    assert [policy.inputs[key] for key in ("serviceNamespace", "scalableDimension", "resourceId")] == [
        target.inputs[key] for key in ("serviceNamespace", "scalableDimension", "resourceId")
    ]
    assert tracking["predefinedMetricSpecification"] == {
        "predefinedMetricType": "SageMakerInferenceComponentInvocationsPerCopy"
    }
    assert tracking["targetValue"] == 80
    # Out fast, in slowly.
    assert tracking["scaleInCooldown"] > tracking["scaleOutCooldown"]
    # Application Auto Scaling refuses a policy for a target not registered yet: it waits for it.
    assert target.urn in policy.dependencies


def test_alarms_watch_the_component_and_roll_its_updates_back(graph: ResourceGraph) -> None:
    churn = _component(graph, "churn")
    alarms = {a.inputs["name"]: a.inputs for a in graph.of_type(ALARM)}
    errors = alarms["test-gpu-models-churn-5xx-errors"]
    latency = alarms["test-gpu-models-churn-model-latency-p99"]
    for alarm in (errors, latency):
        assert alarm["namespace"] == "AWS/SageMaker"
        assert alarm["dimensions"] == {"InferenceComponentName": "test-gpu-models-churn"}
        assert alarm["comparisonOperator"] == "GreaterThanThreshold"
        assert alarm["treatMissingData"] == "notBreaching"
        assert alarm["alarmActions"] == [TOPIC] and alarm["okActions"] == [TOPIC]
    assert (errors["metricName"], errors["statistic"], errors["threshold"]) == (
        "Invocation5XXErrors",
        "Sum",
        3,
    )
    # ModelLatency is in microseconds: a 300 ms SLO.
    assert (latency["metricName"], latency["extendedStatistic"], latency["threshold"]) == (
        "ModelLatency",
        "p99",
        300_000,
    )
    deployment = churn.inputs["deploymentConfig"]
    assert deployment["rollingUpdatePolicy"] == {
        "maximumBatchSize": {"type": "COPY_COUNT", "value": 1},
        "rollbackMaximumBatchSize": {"type": "COPY_COUNT", "value": 1},
        "waitIntervalInSeconds": 120,
        "maximumExecutionTimeoutInSeconds": 3600,
    }
    assert {a["alarmName"] for a in deployment["autoRollbackConfiguration"]["alarms"]} == {
        "test-gpu-models-churn-5xx-errors",
        "test-gpu-models-churn-model-latency-p99",
    }
    # The names come from the alarms' outputs: the component waits for the alarms it rolls back on.
    watched = {
        alarm.urn
        for alarm in graph.of_type(ALARM)
        if alarm.inputs["name"].startswith("test-gpu-models-churn-")
    }
    assert len(watched) == 2 and watched <= {r.urn for r in graph.referenced(churn, "deploymentConfig")}


def test_the_role_reads_models_and_writes_only_its_capture_prefix(graph: ResourceGraph) -> None:
    import json

    [policy] = [
        p for p in graph.of_type("aws:iam/rolePolicy:RolePolicy") if p.name == "shared-models-permissions"
    ]
    statements = json.loads(policy.inputs["policy"])["Statement"]
    writes = [
        resource
        for s in statements
        if "s3:PutObject" in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
        for resource in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])
    ]
    assert writes == ["arn:aws:s3:::artifacts/data-capture/gpu-models/*"]


def test_the_role_writes_no_capture_prefix_when_the_endpoint_captures_nothing() -> None:
    """Least privilege: the configuration's role writes captured data only to
    ``DataCaptureConfig.DestinationS3Uri``; with capture off it has none to write, and reads none."""
    import json

    graph = _record(_spec(data_capture={"enabled": False}))
    [config] = graph.of_type("aws:sagemaker/endpointConfiguration:EndpointConfiguration")
    assert config.inputs.get("dataCaptureConfig") is None
    [policy] = [
        p for p in graph.of_type("aws:iam/rolePolicy:RolePolicy") if p.name == "shared-models-permissions"
    ]
    text = policy.inputs["policy"]
    assert "data-capture" not in text
    statements = json.loads(text)["Statement"]
    assert not [
        s
        for s in statements
        if "s3:PutObject" in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
    ]
    assert all(s["Resource"] for s in statements)
    assert "arn:aws:s3:::artifacts/models/*" in text


def test_the_component_is_free_of_policy_violations(graph: ResourceGraph) -> None:
    violations, _ = evaluate_policies(graph)
    ours = [
        v
        for v in violations
        if v.policy_name.startswith(("inference-component", "model-", "endpoint-config"))
    ]
    assert ours == []


# --- a prod stack with a shared endpoint ------------------------------------------------------

SHARED_PROD: dict[str, Any] = {
    "name": "small-models",
    "instance_type": "ml.m5.4xlarge",  # 16 vCPUs, 64 GiB
    "initial_instance_count": 2,
    "managed_scaling": {"min_instances": 2, "max_instances": 3},
    "components": [
        {
            "name": "churn",
            "model": {"latest_approved_of": "customer-churn"},
            "compute": {"cpu_cores": 1, "memory_mb": 2048, "max_memory_mb": 4096},
            "copies": 2,
            "scaling": {"min_copies": 2, "max_copies": 4, "invocations_per_copy": 50},
        },
        {
            "name": "retention",
            "model": {
                "model_package_arn": "arn:aws:sagemaker:eu-west-1:333333333333:model-package/prod-retention/3"
            },
            "compute": {"cpu_cores": 2, "memory_mb": 4096},
            "copies": 2,
            "scaling": {"min_copies": 2, "max_copies": 6, "invocations_per_copy": 100},
        },
    ],
}


@pytest.fixture(scope="module")
def prod_shared(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    """The prod fixture stack with a shared endpoint of two models: the churn family's latest
    approved version and a pinned version of another group. Its offline recording, shared by every
    worker that writes the same document (tests.recorded.recorded_stack: keyed by its bytes)."""
    from stacks.config import CONFIG_KEY
    from tests.conftest import load_stack_document
    from tests.stacks.conftest import budgeted_serving_cut

    document = load_stack_document("prod")
    # Cut to what the endpoints read, with the budget the pack asks for (budgeted_serving_cut): the
    # endpoints, their monitors and the families stay as they are.
    budgeted_serving_cut(document["config"][CONFIG_KEY])
    document["config"][CONFIG_KEY]["shared_endpoints"] = [SHARED_PROD]
    path = tmp_path_factory.mktemp("shared") / "Pulumi.prod.yaml"
    path.write_text(dump_document(document))
    return recorded_stack(path)


def test_prod_prices_the_shared_fleet_once_split_by_reservation(prod_shared: ResourceGraph) -> None:
    """ml.m5.4xlarge (16 vCPUs, 64 GiB) x 2-3 (managed): churn reserves 1 vCPU (1/16 of an
    instance) and 2 GiB (1/32) a copy, 2-4 copies; retention 2 vCPUs (1/8) and 4 GiB (1/16), 2-6
    copies. Dominant shares: churn 2/16 at its fewest copies and 4/16 at its most; retention 2/8
    and 6/8."""
    estimate = estimate_cost(prod_shared)
    shared = estimate.by_component["shared-endpoint-small-models"]
    items = {i.resource: i for i in shared.items if i.type == COMPONENT}
    churn = items["shared-endpoint-small-models-churn"]
    retention = items["shared-endpoint-small-models-retention"]
    hourly = 1.024  # ml.m5.4xlarge, eu-west-1 (planner/data/prices.json)
    floor, ceiling = 2 * hourly * 730, 3 * hourly * 730
    assert churn.monthly_min == pytest.approx(floor * (2 / 16) / (2 / 16 + 2 / 8), abs=0.01)
    assert retention.monthly_min == pytest.approx(floor * (2 / 8) / (2 / 16 + 2 / 8), abs=0.01)
    assert churn.monthly_max == pytest.approx(ceiling * (4 / 16) / (4 / 16 + 6 / 8), abs=0.01)
    assert retention.monthly_max == pytest.approx(ceiling * (6 / 8) / (4 / 16 + 6 / 8), abs=0.01)
    # The fleet once: the shares add up to the instances, not an instance per model.
    assert churn.monthly_min + retention.monthly_min == pytest.approx(floor, abs=0.02)
    assert churn.monthly_max + retention.monthly_max == pytest.approx(ceiling, abs=0.02)
    assert "33%-25% of shared ml.m5.4xlarge x 2-3 (managed), 2-4 copies" in churn.what
    assert not [i for i in shared.items if i.type == ENDPOINT]
    assert any("Shared endpoints (inference components)" in note for note in estimate.assumptions)


def test_prod_serves_the_family_and_the_pinned_version(prod_shared: ResourceGraph) -> None:
    [shared] = [c for c in prod_shared.components if c.type == "mlops:serving:SharedEndpoint"]
    models = [m for m in prod_shared.descendants(shared) if m.type == MODEL]
    assert sorted(m.inputs["primaryContainer"]["modelPackageName"] for m in models) == [
        "arn:aws:sagemaker:eu-west-1:333333333333:model-package/prod-customer-churn/999999999",
        "arn:aws:sagemaker:eu-west-1:333333333333:model-package/prod-retention/3",
    ]
    [endpoint] = [r for r in prod_shared.descendants(shared) if r.type == ENDPOINT]
    assert endpoint.inputs["name"] == "prod-small-models"
    # One aws-native provider for the stack: the model monitors' and the shared endpoint's.
    [native] = prod_shared.of_type("pulumi:providers:aws-native")
    for resource in prod_shared.cloud_resources:
        if resource.type.startswith("aws-native:"):
            assert resource.provider.startswith(native.urn + "::"), resource.name


def test_prod_with_a_shared_endpoint_is_free_of_policy_violations(prod_shared: ResourceGraph) -> None:
    violations, _ = evaluate_policies(prod_shared)
    assert [(v.policy_name, v.message) for v in violations] == []


def test_prod_shared_endpoint_requests_are_ones_sagemaker_accepts(prod_shared: ResourceGraph) -> None:
    from tests.planner.test_api_models import _problems

    checked = [
        r
        for r in prod_shared.cloud_resources
        if "SharedEndpoint$" in r.urn
        and r.type.startswith(("aws:sagemaker/", "aws-native:", "aws:appautoscaling/", "aws:cloudwatch/"))
    ]
    assert {r.type for r in checked} >= {COMPONENT, CONFIG, ENDPOINT, MODEL, TARGET, POLICY, ALARM}
    problems = {r.name: _problems(r) for r in checked}
    assert {name: found for name, found in problems.items() if found} == {}


@pytest.mark.parametrize(
    ("endpoint_name", "message"),
    [
        ("gpu_models", r"SharedEndpointArgs\.endpoint_name: .* 1-63 letters or digits"),
        ("x" * 64, r"SharedEndpointArgs\.endpoint_name: .* 1-63 letters or digits"),
        (
            "x" * 57,
            r"SharedEndpointArgs\.endpoint_name: .*'x{57}-ranker', which has 64 characters.* at most 63",
        ),
    ],
    ids=["underscore", "64 characters", "a component's name too long"],
)
def test_args_refuse_endpoint_and_component_names_sagemaker_refuses(endpoint_name: str, message: str) -> None:
    """EndpointName and InferenceComponentName: 1-63 letters or digits separated by hyphens
    (botocore); a component is named ``<endpoint_name>-<component>``."""
    shared = SharedEndpointSpec.model_validate(_spec())
    with pytest.raises(ValueError, match=message):
        _args(shared, endpoint_name)
    _args(shared, "x" * 56)
