"""What the serving components' arguments mean, where the other serving tests only saw them present.

Found by mutating one argument at a time in components/serving/ (a scaling target on a one-GPU
instance, where "per GPU" and "per instance" are the same number; a permission list checked by one
of its actions; a shadow test whose source and shadow variants were never told apart...): each test
here fails under a mutation every other test of the component passed, and each mutated value would
have been a defect an adopter suffers in production (an autoscaler that never scales a multi-GPU
fleet out, a role that cannot pull its image, a shadow test copying the challenger's traffic).

InferenceEndpoint, SharedEndpoint and ShadowTest are recorded on their own (as in
test_alarm_semantics.py, test_shared_endpoint.py, test_shadow_test.py); BatchScoring is read from
the prod fixture stack (tests/fixtures/stacks), edited with ``write_stack`` where the fixture's
value is the default the mutation would hard-code (a local-NVMe type, SingleRecord).
"""

from __future__ import annotations

import json
from typing import Any

from components.policy_documents import SharedObjects
from components.serving.inference_endpoint import InferenceEndpoint
from components.serving.inference_endpoint_spec import EndpointSpec
from components.serving.shared_endpoint import SharedEndpoint, SharedEndpointArgs
from components.serving.shared_endpoint_spec import SharedEndpointSpec
from planner.recorder import RecordedResource, ResourceGraph, record_program
from tests.components.serving_args import KEY, SERVING_CONTEXT, endpoint_args, record_shadow_test
from tests.graph_helpers import as_list, policy_of, statements, within
from tests.recorded import computed_once, recorded_stack
from tests.stacks.conftest import batch_scoring_cut

POLICY = "aws:appautoscaling/policy:Policy"
MODEL = "aws:sagemaker/model:Model"
PACKAGE = {"model_package_arn": "arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn/3"}
TRITON = {
    "triton": {"model_data_url": "s3://artifacts/models/churn/model.tar.gz", "default_model_name": "churn"}
}


def _endpoint(spec: dict[str, Any]) -> ResourceGraph:
    endpoint = EndpointSpec.model_validate(spec)
    # Once per version of the code and of this file: the spec as written is the key.
    return computed_once(
        "endpoint",
        lambda: record_program(lambda: InferenceEndpoint("ep", endpoint_args(endpoint))),
        key=[repr(spec)],
    )


def _policy(graph: ResourceGraph, suffix: str) -> RecordedResource:
    [policy] = [p for p in graph.of_type(POLICY) if p.name.endswith(f"-{suffix}")]
    return policy


def _by_action(graph: ResourceGraph, policy_name: str) -> dict[str, dict[str, Any]]:
    """Action → the statement granting it, in the role policy named ``policy_name``."""
    document = policy_of(graph.named(policy_name))
    return {action: s for s in statements(document) for action in as_list(s["Action"])}


# --- endpoint autoscaling ------------------------------------------------------------------------


def test_the_gpu_target_is_per_gpu_times_the_instances_gpus() -> None:
    """GPUUtilization of an endpoint instance is 0-100 per GPU, summed over its GPUs: 70 % of a
    4-GPU instance is 280. A target of 70 there would mean 17.5 % a GPU (a fleet scaled out at once,
    never in); the 1-GPU fixtures elsewhere cannot tell the two apart."""
    graph = _endpoint(
        {
            "name": "churn",
            "variants": [
                {
                    "name": "primary",
                    "model": PACKAGE,
                    "instance_type": "ml.g5.12xlarge",  # 4 GPUs
                    "scaling": {"min_capacity": 1, "max_capacity": 3, "gpu_utilization_percent": 70},
                }
            ],
        }
    )
    config = _policy(graph, "gpu").inputs["targetTrackingScalingPolicyConfiguration"]
    assert config["customizedMetricSpecification"]["metricName"] == "GPUUtilization"
    assert config["targetValue"] == 280


# --- inference endpoint: the models' role ---------------------------------------------------------


def test_the_role_may_pull_every_layer_of_the_triton_image() -> None:
    """A pull needs the manifest (BatchGetImage), each layer's URL (GetDownloadUrlForLayer) and the
    layers' existence check (BatchCheckLayerAvailability): one short and the model never starts."""
    graph = _endpoint(
        {"name": "churn", "variants": [{"name": "primary", "model": TRITON, "instance_type": "ml.c5.xlarge"}]}
    )
    triton = "arn:aws:ecr:eu-west-1:763104351884:repository/sagemaker-tritonserver"
    [pull] = [
        s
        for s in statements(policy_of(graph.named("ep-models-permissions")))
        if triton in as_list(s["Resource"])
    ]
    assert pull["Effect"] == "Allow"
    assert sorted(as_list(pull["Action"])) == [
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
    ]


# --- batch scoring (the prod fixture stack's customer-churn family) -------------------------------

BATCH = "batch-customer-churn"


def _batch(graph: ResourceGraph, type_token: str) -> RecordedResource:
    [resource] = within(graph, BATCH, type_token)
    return resource


def _batch_statements(graph: ResourceGraph, role: str) -> list[dict[str, Any]]:
    return statements(policy_of(graph.named(f"{BATCH}-{role}-permissions")))


def _transform(graph: ResourceGraph) -> dict[str, Any]:
    definition = json.loads(_batch(graph, "aws:sagemaker/pipeline:Pipeline").inputs["pipelineDefinition"])
    [step] = [s for s in definition["Steps"] if s["Type"] == "Transform"]
    return step["Arguments"]


def test_a_failed_start_of_the_nightly_run_is_retried_within_the_hour(stack_graphs) -> None:
    """Scheduler retries a throttled or failed StartPipelineExecution: with no retry one throttle
    loses the night's scores; an event older than an hour would start a run the next one overlaps."""
    target = _batch(stack_graphs["prod"], "aws:scheduler/schedule:Schedule").inputs["target"]
    assert target["retryPolicy"] == {"maximumRetryAttempts": 3, "maximumEventAgeInSeconds": 3600}


def test_the_pipeline_role_may_use_the_data_key_of_the_jobs_it_creates(stack_graphs) -> None:
    """The transform job's results and volumes are encrypted with the data key: SageMaker creates the
    job (and the volumes' grants) with the pipeline role's credentials."""
    graph = stack_graphs["prod"]
    key = graph.named("kms-data-key").outputs["arn"]
    found = _batch_statements(graph, "pipeline")
    uses = {a for s in found if key in as_list(s["Resource"]) for a in as_list(s["Action"])}
    assert {"kms:Decrypt", "kms:GenerateDataKey*", "kms:CreateGrant"} <= uses
    [grant] = [s for s in found if s["Action"] == "kms:CreateGrant"]
    assert grant["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}


def test_the_model_role_only_reads_the_batch_input(stack_graphs) -> None:
    """The input is the family's data: the job reads it; writing or deleting it is the caller's."""
    graph = stack_graphs["prod"]
    inputs = f"{graph.named('datasets-bucket').outputs['arn']}/batch-input/customer-churn/*"
    actions = {
        a
        for s in _batch_statements(graph, "model")
        if inputs in as_list(s["Resource"])
        for a in as_list(s["Action"])
    }
    assert actions == {"s3:GetObject", "s3:GetObjectVersion"}


def test_a_local_nvme_fleet_scores_one_record_at_a_time_without_a_volume_key(write_stack) -> None:
    """SageMaker refuses VolumeKmsKeyId for instance types with local NVMe storage (it encrypts
    those itself); the results stay encrypted with the key; the spec's batch strategy is used
    (the fixture's is the default, MultiRecord)."""

    def edit(platform: dict[str, Any]) -> None:
        batch_scoring_cut(platform)  # the family's batch scoring and the data key stay as they are
        platform["models"][0]["batch_scoring"].update(
            instance_type="ml.g4dn.xlarge", batch_strategy="SingleRecord"
        )

    graph = recorded_stack(str(write_stack("prod", edit)))
    arguments = _transform(graph)
    assert arguments["TransformResources"] == {"InstanceType": "ml.g4dn.xlarge", "InstanceCount": 2}
    assert arguments["TransformOutput"]["KmsKeyId"] == graph.named("kms-data-key").outputs["arn"]
    assert arguments["BatchStrategy"] == "SingleRecord"


# --- shadow test -----------------------------------------------------------------------------------

EXPERIMENT = "aws-native:sagemaker:InferenceExperiment"


def _shadow_test(instance_type: str = "ml.m5.xlarge", **test: Any) -> ResourceGraph:
    variant = {"model": PACKAGE, "instance_type": instance_type}
    endpoint = EndpointSpec.model_validate(
        {
            "name": "churn",
            "variants": [{**variant, "name": "champion"}],
            "shadow_variants": [{**variant, "name": "challenger"}],
            "shadow_test": {"start": "2027-03-01T00:00:00Z", "end": "2027-03-31T00:00:00Z", **test},
        }
    )

    return record_shadow_test(endpoint)


def test_the_champion_is_the_source_and_the_challenger_gets_the_sampled_share() -> None:
    """ShadowMode copies ``samplingPercentage`` of the source variant's requests to the shadow: the
    other way round the challenger would be the one serving (and sampled 100 %, every request)."""
    [experiment] = _shadow_test(sampling_percent=35).of_type(EXPERIMENT)
    assert experiment.inputs["shadowModeConfig"] == {
        "sourceModelVariantName": "champion",
        "shadowModelVariants": [{"shadowModelVariantName": "challenger", "samplingPercentage": 35}],
    }


def test_a_local_nvme_shadow_test_takes_no_volume_key_but_encrypts_its_capture() -> None:
    """As an endpoint configuration: SageMaker refuses a volume key for instance-store types."""
    [experiment] = _shadow_test("ml.g5.xlarge").of_type(EXPERIMENT)
    assert "kmsKey" not in experiment.inputs
    assert experiment.inputs["dataStorageConfig"]["kmsKey"] == KEY


def test_the_shadow_tests_role_manages_the_configurations_it_deploys() -> None:
    """SageMaker creates a configuration with the shadow, and deletes it when the test ends."""
    graph = _shadow_test()
    [configs] = [
        s
        for s in statements(policy_of(graph.named("st-role-permissions")))
        if "endpoint-config" in str(s["Resource"])
    ]
    assert sorted(as_list(configs["Action"])) == [
        "sagemaker:CreateEndpointConfig",
        "sagemaker:DeleteEndpointConfig",
        "sagemaker:DescribeEndpointConfig",
    ]


# --- the models' roles: what SageMaker does with them ---------------------------------------------


def test_the_endpoint_role_attaches_the_models_to_the_private_subnets() -> None:
    """Models in a VPC run behind network interfaces SageMaker creates with the role: without the
    EC2 permissions the endpoint never leaves Creating."""
    graph = _endpoint(
        {
            "name": "churn",
            "variants": [{"name": "primary", "model": PACKAGE, "instance_type": "ml.m5.xlarge"}],
        }
    )
    found = _by_action(graph, "ep-models-permissions")
    create = found["ec2:CreateNetworkInterface"]
    assert "arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-0123456789abcdef0" in create["Resource"]
    assert "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0123456789abcdef0" in create["Resource"]
    assert {"ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces"} <= set(found)
    # The endpoint's models carry the endpoint they serve (cost allocation, inventories).
    [model] = graph.of_type(MODEL)
    assert model.inputs["tags"] == {"owner": "t", "mlops:endpoint": "churn"}


def test_a_promoted_version_is_read_from_the_producers_bucket_through_s3_only() -> None:
    """A version registered in another account: its model.tar.gz lives in that account's bucket,
    encrypted with that account's key; the role reads exactly those objects and decrypts only via S3."""
    shared = "arn:aws:s3:::producer-artifacts/models/churn/7/model.tar.gz"
    endpoint = EndpointSpec.model_validate(
        {
            "name": "churn",
            "variants": [{"name": "primary", "model": PACKAGE, "instance_type": "ml.m5.xlarge"}],
        }
    )
    args = endpoint_args(
        endpoint, shared_model_objects=[SharedObjects(owner_account="444455556666", object_arns=(shared,))]
    )
    graph = record_program(lambda: InferenceEndpoint("ep", args))
    found = statements(policy_of(graph.named("ep-models-permissions")))
    [read] = [s for s in found if shared in as_list(s["Resource"])]
    assert as_list(read["Action"]) == ["s3:GetObject", "s3:GetObjectVersion"]
    [decrypt] = [s for s in found if "444455556666" in str(s["Resource"])]
    assert decrypt["Action"] == "kms:Decrypt"
    assert decrypt["Condition"] == {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}


def test_async_without_notifications_creates_no_topics_and_publishes_nothing() -> None:
    graph = _endpoint(
        {
            "name": "churn",
            "variants": [{"name": "primary", "model": PACKAGE, "instance_type": "ml.m5.xlarge"}],
            "async_inference": {"max_concurrent_invocations_per_instance": 2, "notifications": False},
        }
    )
    assert graph.of_type("aws:sns/topic:Topic") == []
    [config] = graph.of_type("aws:sagemaker/endpointConfiguration:EndpointConfiguration")
    assert "notificationConfig" not in config.inputs["asyncInferenceConfig"]["outputConfig"]
    assert "sns:Publish" not in _by_action(graph, "ep-models-permissions")


# --- shared endpoint --------------------------------------------------------------------------------


def _shared(**component: Any) -> ResourceGraph:
    spec = SharedEndpointSpec.model_validate(
        {
            "name": "gpu-models",
            "instance_type": "ml.g5.12xlarge",
            "initial_instance_count": 1,
            "components": [
                {
                    "name": "churn",
                    "model": PACKAGE,
                    "compute": {"cpu_cores": 2, "memory_mb": 8192, "accelerators": 1},
                    **component,
                }
            ],
        }
    )
    # Once per version of the code and of this file: the component's changes as written are the key.
    return computed_once(
        "shared",
        lambda: record_program(
            lambda: SharedEndpoint(
                "shared",
                SharedEndpointArgs(spec=spec, endpoint_name="test-gpu-models", **SERVING_CONTEXT),
            )
        ),
        key=[repr(component)],
    )


def test_a_components_startup_allowances_reach_sagemaker() -> None:
    """Without them SageMaker's defaults apply: a large model fails its download or first health check."""
    graph = _shared(model_download_timeout_seconds=1200, container_startup_health_check_timeout_seconds=900)
    [component] = graph.of_type("aws-native:sagemaker:InferenceComponent")
    assert component.inputs["specification"]["startupParameters"] == {
        "modelDataDownloadTimeoutInSeconds": 1200,
        "containerStartupHealthCheckTimeoutInSeconds": 900,
    }


def test_the_shared_endpoints_role_may_use_the_data_key() -> None:
    """Captured data is encrypted with the key (and EBS-backed volumes, where the type has them):
    SageMaker writes it, and creates the volumes' grants, as the endpoint's role."""
    found = _by_action(_shared(), "shared-models-permissions")
    for action in ("kms:Decrypt", "kms:GenerateDataKey*", "kms:CreateGrant"):
        assert KEY in as_list(found[action]["Resource"]), action
    assert found["kms:CreateGrant"]["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}


def test_the_batch_model_role_reads_only_the_model_artifacts_of_the_artifact_bucket(stack_graphs) -> None:
    graph = stack_graphs["prod"]
    artifacts = graph.named("artifacts-bucket").outputs["arn"]
    reads = {
        r
        for s in _batch_statements(graph, "model")
        if "s3:GetObject" in as_list(s["Action"])
        for r in as_list(s["Resource"])
        if r.startswith(f"{artifacts}/")
    }
    # The model artifacts, the capture it writes, and the Evidently step's script and report.
    assert f"{artifacts}/*" not in reads
    assert f"{artifacts}/models/*" in reads


def test_the_batch_drift_report_uses_the_familys_drift_share(stack_graphs) -> None:
    """The fixture's family pages when 30 % of the columns drift: the batch report must decide
    dataset drift at that share, as the training pipeline's report does (not Evidently's 0.5)."""
    graph = stack_graphs["prod"]
    definition = json.loads(_batch(graph, "aws:sagemaker/pipeline:Pipeline").inputs["pipelineDefinition"])
    [report] = [s for s in definition["Steps"] if s["Name"] == "EvidentlyReport"]
    arguments = report["Arguments"]["AppSpecification"]["ContainerArguments"]
    assert arguments[arguments.index("--drift-share") + 1] == "0.3"


# --- who may assume the roles, and what the jobs write ---------------------------------------------


def _trusted(graph: ResourceGraph, role: str) -> Any:
    [trust] = statements(policy_of(graph.named(f"{role}-role"), "assumeRolePolicy"))
    assert trust["Action"] == "sts:AssumeRole"
    return trust["Principal"]


def test_sagemaker_and_only_sagemaker_assumes_the_serving_roles(stack_graphs) -> None:
    """SageMaker runs the models, the components and the experiment as these roles: a role another
    service is trusted with is one SageMaker cannot assume (CreateModel fails) and one that other
    service can."""
    sagemaker = {"Service": "sagemaker.amazonaws.com"}
    endpoint = _endpoint(
        {
            "name": "churn",
            "variants": [{"name": "primary", "model": PACKAGE, "instance_type": "ml.m5.xlarge"}],
        }
    )
    assert _trusted(endpoint, "ep-models") == sagemaker
    assert _trusted(_shared(), "shared-models") == sagemaker
    assert _trusted(_shadow_test(), "st-role") == sagemaker
    for role in ("model", "pipeline"):
        assert _trusted(stack_graphs["prod"], f"{BATCH}-{role}") == sagemaker, role


def test_the_batch_model_role_writes_the_results_and_the_capture(stack_graphs) -> None:
    """The transform job runs as the model's role: it must put the scores under the family's output
    prefix and the captured records under its capture prefix (a read-only grant fails every run)."""
    graph = stack_graphs["prod"]
    datasets = graph.named("datasets-bucket").outputs["arn"]
    artifacts = graph.named("artifacts-bucket").outputs["arn"]
    found = _batch_statements(graph, "model")
    for objects in (
        f"{datasets}/batch-output/customer-churn/*",
        f"{artifacts}/data-capture/batch/customer-churn/*",
    ):
        actions = {a for s in found if objects in as_list(s["Resource"]) for a in as_list(s["Action"])}
        assert {"s3:PutObject", "s3:AbortMultipartUpload", "s3:GetObject"} <= actions, objects


def test_the_shared_endpoints_role_reads_only_the_model_artifacts() -> None:
    found = statements(policy_of(_shared().named("shared-models-permissions")))
    reads = {r for s in found if "s3:GetObject" in as_list(s["Action"]) for r in as_list(s["Resource"])}
    assert reads == {"arn:aws:s3:::artifacts/models/*", "arn:aws:s3:::artifacts/data-capture/gpu-models/*"}


def test_the_shadow_tests_role_describes_and_updates_its_endpoint() -> None:
    """SageMaker describes the endpoint to deploy the shadow beside its variants, then updates it."""
    graph = _shadow_test()
    [endpoint] = [
        s
        for s in statements(policy_of(graph.named("st-role-permissions")))
        if s["Resource"] == "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/test-churn"
    ]
    assert sorted(as_list(endpoint["Action"])) == ["sagemaker:DescribeEndpoint", "sagemaker:UpdateEndpoint"]


def test_the_shadow_test_runs_on_the_endpoint_once_it_exists() -> None:
    """The experiment names the endpoint through its output: the right one, and created after it."""
    graph = _shadow_test()
    [experiment] = graph.of_type(EXPERIMENT)
    [endpoint] = graph.of_type("aws:sagemaker/endpoint:Endpoint")
    assert experiment.inputs["endpointName"] == endpoint.outputs["name"] == "test-churn"
    assert [r.urn for r in graph.referenced(experiment, "endpointName")] == [endpoint.urn]
