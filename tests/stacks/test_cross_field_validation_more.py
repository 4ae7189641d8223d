"""Part 2 of the cross-field audit (part 1: test_cross_field_validation.py): the rules part 1 did not
reach, pinned by meaning. Each case passes a valid neighbour and asserts the exact key path and message.

The audit mutated the validators one step at a time (a condition dropped, a comparison moved by one,
``and``/``or`` swapped, a ``fail_at`` key path moved, an early return) in stacks/config.py (tag labels,
alerts to SNS, zones and az_count, shared endpoints' minimum, serverless exemption, Kubernetes families
and GPU autoscaling), inference_endpoint_spec.py (ModelSource, ServerlessSpec, scaling bounds, scale to
zero, async with shadow or serverless), kubernetes_serving_spec.py (replicas, canary name, cache path,
GPU targets, Triton and KServe), shared_endpoint_spec.py, and the batch scoring, budget, model quality,
feature store, DVC remote and Kubernetes monitoring specs: 94 mutations, 65 of which passed the
validation-only test files (this file's neighbours in tests/stacks, test_serving_spec_bounds.py,
test_training_observability_bounds.py). Caught here: 62 of them (a few, e.g. ModelSource's "exactly
one source" and pinned-ARN rules, test_inference_endpoint.py also catches), and three more mutations of
the key paths fixed below.

Fixed (the error named only the parent model; now ``fail_at`` names the key to change):
ModelQualitySpec ``probability_attribute``; KubernetesMonitoringSpec ``agents_namespace`` and
``gpu_node_selector``; its resources' ``cpu_request``/``memory_request``; alerting ``webhook_url``;
KubernetesServingSpec ``model_repository`` and ``env.STORAGE_URI``; ServerlessSpec
``provisioned_concurrency`` (its message now gives both numbers).

Survivors left, all equivalent: ``destination == "sns"`` as ``!= "webhook"`` (the only two values);
batch scoring's 100 MB product compared with 101 (no two allowed integers multiply to 101: the payload
is at most 100 MB); the DVC prefix check's ``platform.startswith(value/)`` half (every platform prefix
is one segment, so the other half already decides).

Moved to their keys after the audit: ScalingSpec and ScheduledCapacity ``min_capacity > max_capacity``
(``min_capacity``), EndpointSpec's scale-to-zero, backlog and async rules (the variant's
``scaling.min_capacity`` / ``scaling.backlog_per_instance``, ``shadow_variants``), ModelSource's one-field
rules (``model_package_arn``, ``model_data_url``, ``image``), FeatureGroupSpec's (``features``,
``record_identifier``, ``event_time``, ``online_ttl``) and KubernetesServingConfig's scrape targets
(``monitoring.scrape[i]``).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from components.data.dvc_remote_spec import DvcRemoteSpec
from components.data.feature_store_spec import FeatureGroupSpec
from components.kubernetes.kubernetes_monitoring_spec import KubernetesMonitoringSpec
from components.kubernetes.kubernetes_serving_spec import KubernetesServingSpec
from components.observability.budget_spec import BudgetSpec
from components.observability.model_quality_spec import ModelQualitySpec
from components.serving.batch_scoring_spec import BatchScoringSpec
from components.serving.inference_endpoint_spec import EndpointSpec, ModelSource, VariantSpec
from components.serving.shared_endpoint_spec import (
    ComponentScalingSpec,
    ComputeSpec,
    InferenceComponentSpec,
    ManagedScalingSpec,
    SharedEndpointSpec,
)
from stacks.config import CONFIG_KEY
from tests.stack_edits import Edit, at, both
from tests.stacks.test_cross_field_validation import _problems, _serverless, _spec_problems

P = CONFIG_KEY
IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn-server@sha256:" + "a" * 64
OURS = "arn:aws:eks:eu-west-1:333333333333:cluster/ml"  # prod's account and region
LABEL_RULES = (
    "keys [prefix/]name, names and values up to 63 letters, digits, '-', '_' or '.', starting and ending "
    "with a letter or digit"
)


def _servings(**changes: Any) -> Edit:
    return at("kubernetes_serving", {"servings": [{"name": "churn", "image": IMAGE}], **changes})


# -- stacks/config.py ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "value", "problem"),
    [
        pytest.param("team:name", "churn", "'team:name' is not a valid Kubernetes label key", id="key"),
        pytest.param(
            "team", "churn squad", "'churn squad' is not a valid Kubernetes label value", id="value"
        ),
    ],
)
def test_a_tag_kubernetes_refuses_as_a_label_is_named_by_its_key_and_what_is_wrong(
    write_stack, tag, value, problem
) -> None:
    """AWS takes both tags; Kubernetes labels every serving's objects with the stack's tags."""
    assert _problems(write_stack, "prod", both(_servings(), at("tags.team", "churn-squad"))) == {}
    assert _problems(write_stack, "prod", at(f"tags.{tag}", value)) == {}  # no serving, no labels

    assert _problems(write_stack, "prod", both(_servings(), at(f"tags.{tag}", value))) == {
        f"{P}.tags.{tag}": f"{problem}, which kubernetes_serving needs every tag to be ({LABEL_RULES})"
    }


def _alerting(destination: str, cluster: str | None) -> Edit:
    alerting = {"destination": destination}
    if destination == "webhook":
        alerting["webhook_url"] = "https://hooks.example.com/alerts"
    monitoring = {"grafana_admin_secret": {"name": "grafana-admin"}, "alerting": alerting}
    return _servings(monitoring=monitoring, **({"cluster_arn": cluster} if cluster else {}))


def test_alerts_to_sns_need_the_cluster_in_the_stacks_account_and_region(write_stack) -> None:
    """Alertmanager publishes with a role EKS Pod Identity binds on the cluster: the association is
    created with the stack's provider. A webhook needs no role, so any cluster (or none) will do."""
    assert _problems(write_stack, "prod", _alerting("sns", OURS)) == {}
    assert _problems(write_stack, "prod", _alerting("webhook", None)) == {}
    elsewhere = "arn:aws:eks:eu-west-1:444444444444:cluster/ml"
    assert _problems(write_stack, "prod", _alerting("webhook", elsewhere)) == {}

    assert _problems(write_stack, "prod", _alerting("sns", elsewhere)) == {
        f"{P}.kubernetes_serving.cluster_arn": "monitoring.alerting.destination sns needs a cluster in this "
        "stack's account and region (333333333333, eu-west-1): its EKS Pod Identity association is "
        "created there"
    }
    assert _problems(write_stack, "prod", _alerting("sns", None)) == {
        f"{P}.kubernetes_serving.cluster_arn": "monitoring.alerting.destination sns needs the cluster's "
        "ARN: its IAM role is bound to a service account by an EKS Pod Identity association on that cluster"
    }


def test_a_kubernetes_servings_unknown_family_is_named_at_latest_approved_of(write_stack) -> None:
    def family(name: str) -> Edit:
        serving = {"name": "churn", "image": IMAGE, "latest_approved_of": name}
        return at("kubernetes_serving", {"cluster_arn": OURS, "servings": [serving]})

    assert _problems(write_stack, "prod", family("customer-churn")) == {}
    assert _problems(write_stack, "prod", family("fraud")) == {
        f"{P}.kubernetes_serving.servings[0].latest_approved_of": "'fraud' is not a model family of this "
        "stack (customer-churn)"
    }


def test_gpu_autoscaling_needs_the_monitoring_that_brings_its_metric(write_stack) -> None:
    gpu = {
        "name": "churn",
        "image": IMAGE,
        "gpus": 1,
        "gpu_node_selector": {"nvidia.com/gpu.present": "true"},
        "target_gpu_utilization": 70,
    }
    monitored = {"servings": [gpu], "monitoring": {"grafana_admin_secret": {"name": "grafana-admin"}}}
    assert _problems(write_stack, "prod", at("kubernetes_serving", monitored)) == {}

    assert _problems(write_stack, "prod", at("kubernetes_serving", {"servings": [gpu]})) == {
        f"{P}.kubernetes_serving.servings[0].target_gpu_utilization": "serving 'churn' scales on GPU "
        "utilisation, which only kubernetes_serving.monitoring provides (DCGM exporter and "
        "prometheus-adapter): add monitoring, or remove target_gpu_utilization"
    }


EXISTING_VPC = {
    "vpc_id": "vpc-0123456789abcdef0",
    "cidr": "10.40.0.0/16",
    "private_subnet_ids": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
    "route_table_ids": ["rtb-0123456789abcdef0"],
}


def test_az_count_is_bounded_by_the_region_only_when_the_platform_creates_the_vpc(write_stack) -> None:
    """eu-west-1 gives an account three zones; an existing VPC's subnets decide its zones, not az_count."""
    assert _problems(write_stack, "prod", at("network.az_count", 3)) == {}
    assert _problems(write_stack, "prod", at("network", {"existing_vpc": EXISTING_VPC, "az_count": 4})) == {}

    assert _problems(write_stack, "prod", at("network.az_count", 4)) == {
        f"{P}.network.az_count": "region eu-west-1 offers an account 3 availability zones; az_count is 4"
    }


def _shared_endpoint(**changes: Any) -> Edit:
    component = {
        "name": "churn",
        "model": {"latest_approved_of": "customer-churn"},
        "compute": {"cpu_cores": 1, "memory_mb": 1024},
        "copies": 1,
    }
    shared = {"name": "shared", "instance_type": "ml.m5.xlarge", "components": [component], **changes}
    return at("shared_endpoints", [shared])


@pytest.mark.parametrize(
    ("count", "scaling", "key"),
    [
        pytest.param(1, None, "initial_instance_count", id="fixed-count"),
        pytest.param(
            2, {"min_instances": 1, "max_instances": 3}, "managed_scaling.min_instances", id="managed"
        ),
    ],
)
def test_a_shared_endpoint_runs_prods_minimum_of_two_instances(write_stack, count, scaling, key) -> None:
    scaled = {"managed_scaling": scaling} if scaling else {}
    assert _problems(write_stack, "prod", _shared_endpoint(initial_instance_count=2)) == {}
    managed = {"min_instances": 2, "max_instances": 3}
    assert (
        _problems(write_stack, "prod", _shared_endpoint(initial_instance_count=2, managed_scaling=managed))
        == {}
    )

    assert _problems(write_stack, "prod", _shared_endpoint(initial_instance_count=count, **scaled)) == {
        f"{P}.shared_endpoints[0].{key}": "shared endpoint 'shared' runs fewer than "
        "endpoint_defaults.minimum_instances (2) instances"
    }


def test_a_serverless_endpoint_is_exempt_from_the_instance_minimum(write_stack) -> None:
    """prod's minimum of two instances is about instance-based variants; serverless has none to count."""

    def serverless(changes: dict[str, Any]) -> Edit:
        variant = {"name": "api", "model": {"latest_approved_of": "customer-churn"}, **changes}

        def edit(platform: dict[str, Any]) -> None:
            platform["endpoints"].append(
                {
                    "name": "api",
                    "variants": [variant],
                    "data_capture": {"enabled": False},
                    "deployment": {"strategy": "all_at_once"},
                }
            )

        return edit

    assert _problems(write_stack, "prod", serverless({"serverless": {"memory_mb": 2048}})) == {}

    one_instance = {"instance_type": "ml.m5.xlarge", "initial_instance_count": 1}
    assert _problems(write_stack, "prod", serverless(one_instance)) == {
        f"{P}.endpoints[1].variants[0].initial_instance_count": "variant 'api' runs fewer than "
        "endpoint_defaults.minimum_instances (2) instances; raise initial_instance_count, "
        "scaling.min_capacity and every scheduled min_capacity, or lower the minimum"
    }


# -- components/serving/inference_endpoint_spec.py -----------------------------------------------

ECR_IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn-server:1.0"


@pytest.mark.parametrize(
    ("source", "key", "problem"),
    [
        pytest.param(
            {"latest_approved_of": "customer-churn", "model_data_url": "s3://models/churn/model.tar.gz"},
            "model_data_url",
            "model_data_url goes with image; a model package carries its own artifacts",
            id="data-url-with-a-package",
        ),
        pytest.param(
            {},
            "",
            "Value error, set exactly one of model_package_arn, latest_approved_of, image or triton",
            id="none",
        ),
        pytest.param(
            {"model_package_arn": "arn:aws:sagemaker:eu-west-1:123456789012:model-package-group/churn"},
            "model_package_arn",
            "'arn:aws:sagemaker:eu-west-1:123456789012:model-package-group/churn' is not a model package version "
            "ARN (…:model-package/<group>/<n>)",
            id="group-arn-pinned",
        ),
        pytest.param(
            {"image": ECR_IMAGE, "model_data_url": "https://models.example.com/model.tar.gz"},
            "model_data_url",
            "model_data_url must be an s3:// URI (got 'https://models.example.com/model.tar.gz')",
            id="data-url-not-s3",
        ),
        pytest.param(
            {"image": "docker.io/library/churn:1.0"},
            "image",
            "image must be an ECR image URI (<account>.dkr.ecr.<region>.amazonaws.com/...), got "
            "'docker.io/library/churn:1.0'",
            id="image-not-ecr",
        ),
    ],
)
def test_a_model_source_of_an_image_takes_an_ecr_image_and_an_s3_artifact(source, key, problem) -> None:
    """SageMaker pulls a model's image from ECR and its ModelDataUrl from S3; a package brings both."""
    assert (
        _spec_problems(ModelSource, {"image": ECR_IMAGE, "model_data_url": "s3://models/churn/model.tar.gz"})
        == {}
    )
    assert _spec_problems(ModelSource, {"image": ECR_IMAGE}) == {}
    pinned = "arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn/3"
    assert _spec_problems(ModelSource, {"model_package_arn": pinned}) == {}

    # A one-field rule names its field; "exactly one source" is the model's own.
    assert _spec_problems(ModelSource, source) == {key: problem}


ASYNC = {"max_concurrent_invocations_per_instance": 4}


def _instances(name: str = "primary", **changes: Any) -> dict[str, Any]:
    return {
        "name": name,
        "model": {"latest_approved_of": "customer-churn"},
        "instance_type": "ml.m5.xlarge",
        "initial_instance_count": 1,
        **changes,
    }


ASYNC_NEEDS_BACKLOG = (
    "variant 'primary': an async endpoint scales on its queue, not on invocations (it publishes no "
    "InvocationsPerInstance): set backlog_per_instance (or gpu_utilization_percent)"
)


def _scaling(minimum: int, backlog: int | None) -> dict[str, Any]:
    return {
        "min_capacity": minimum,
        "max_capacity": 3,
        # Unset: the default invocations target is real-time's (async refuses one).
        "backlog_per_instance": backlog,
    }


@pytest.mark.parametrize(
    ("asynchronous", "minimum", "backlog", "problem"),
    [
        pytest.param(True, 0, 5, None, id="async-with-backlog-scales-to-zero"),
        pytest.param(
            True,
            1,
            None,
            ("variants.0.scaling.backlog_per_instance", ASYNC_NEEDS_BACKLOG),
            id="async-without-backlog-at-one",
        ),
        pytest.param(True, 1, 5, None, id="async-with-backlog-at-one"),
        pytest.param(False, 1, None, None, id="real-time-at-one"),
        pytest.param(
            False,
            0,
            5,
            (
                "variants.0.scaling.min_capacity",
                "variant 'primary': scaling to zero (min_capacity 0) needs async inference",
            ),
            id="zero-real-time",
        ),
        pytest.param(
            False,
            1,
            5,
            (
                "variants.0.scaling.backlog_per_instance",
                "variant 'primary': backlog_per_instance needs async inference",
            ),
            id="backlog-real-time",
        ),
        pytest.param(
            True,
            0,
            None,
            (
                "variants.0.scaling.backlog_per_instance",
                "variant 'primary': scaling to zero (min_capacity 0) needs backlog_per_instance, the policy that "
                "starts the first instance again",
            ),
            id="zero-without-backlog",
        ),
    ],
)
def test_scaling_to_zero_needs_async_inference_and_its_backlog_target(
    asynchronous, minimum, backlog, problem
) -> None:
    variant = _instances(initial_instance_count=max(minimum, 1), scaling=_scaling(minimum, backlog))
    endpoint = {
        "name": "churn",
        "variants": [variant],
        **({"async_inference": ASYNC} if asynchronous else {}),
    }
    # At the scaling key to change, not only the endpoint.
    assert _spec_problems(EndpointSpec, endpoint) == (dict([problem]) if problem else {})


def test_a_scaling_minimum_above_its_maximum_names_the_minimum() -> None:
    scaling = {"min_capacity": 2, "max_capacity": 3, "invocations_per_instance": 100}
    variant = _instances(initial_instance_count=2, scaling=scaling)
    assert _spec_problems(VariantSpec, variant) == {}
    assert _spec_problems(VariantSpec, {**variant, "scaling": {**scaling, "min_capacity": 4}}) == {
        "scaling.min_capacity": "min_capacity 4 > max_capacity 3"
    }
    scheduled = {"name": "night", "schedule": "cron(0 20 * * ? *)", "min_capacity": 3, "max_capacity": 2}
    assert _spec_problems(VariantSpec, {**variant, "scaling": {**scaling, "scheduled": [scheduled]}}) == {
        "scaling.scheduled.0.min_capacity": "min_capacity 3 > max_capacity 2"
    }


def test_an_async_endpoint_takes_no_shadow_variant() -> None:
    endpoint = {"name": "churn", "variants": [_instances(initial_instance_count=2)]}
    shadow = [_instances("shadow")]
    assert _spec_problems(EndpointSpec, {**endpoint, "async_inference": ASYNC}) == {}
    assert _spec_problems(EndpointSpec, {**endpoint, "shadow_variants": shadow}) == {}

    assert _spec_problems(
        EndpointSpec, {**endpoint, "async_inference": ASYNC, "shadow_variants": shadow}
    ) == {"shadow_variants": "async endpoints do not support shadow variants"}


def test_a_serverless_endpoint_takes_no_async_inference() -> None:
    serverless = _serverless("primary")
    endpoint = {"name": "churn", "data_capture": {"enabled": False}, "variants": [serverless]}
    assert _spec_problems(EndpointSpec, endpoint) == {}
    assert (
        _spec_problems(EndpointSpec, {**endpoint, "variants": [_instances()], "async_inference": ASYNC}) == {}
    )

    assert _spec_problems(EndpointSpec, {**endpoint, "async_inference": ASYNC}) == {
        "": "Value error, serverless and async inference cannot be combined"
    }


def test_gpu_utilisation_scaling_needs_a_gpu_instance() -> None:
    scaling = {"min_capacity": 1, "max_capacity": 3, "gpu_utilization_percent": 70}
    assert _spec_problems(VariantSpec, _instances(instance_type="ml.g5.xlarge", scaling=scaling)) == {}

    assert _spec_problems(VariantSpec, _instances(scaling=scaling)) == {
        "scaling.gpu_utilization_percent": "gpu_utilization_percent needs a GPU instance type (got ml.m5.xlarge)"
    }


# -- components/kubernetes/kubernetes_serving_spec.py --------------------------------------------


def _k8s(**changes: Any) -> dict[str, Any]:
    return {"name": "churn", "image": IMAGE, **changes}


@pytest.mark.parametrize("replicas", [2, 3, 5], ids=["at-min", "inside", "at-max"])
def test_replicas_within_the_bounds_pass(replicas) -> None:
    assert (
        _spec_problems(KubernetesServingSpec, _k8s(min_replicas=2, replicas=replicas, max_replicas=5)) == {}
    )


@pytest.mark.parametrize("replicas", [1, 6], ids=["below-min", "above-max"])
def test_replicas_outside_the_bounds_are_named_at_replicas(replicas) -> None:
    assert _spec_problems(KubernetesServingSpec, _k8s(min_replicas=2, replicas=replicas, max_replicas=5)) == {
        "replicas": f"replicas ({replicas}) must lie within [min_replicas, max_replicas] = [2, 5]"
    }


def _too_long(name: str, deployment: str) -> str:
    return (
        f"name '{name}' is too long: its Deployment '{deployment}' ({len(deployment)} characters) would get "
        "pod names Kubernetes cuts short, which the GPU panel and alerts cannot select; a Deployment name "
        "of at most 46 characters leaves room for the ReplicaSet's hash and the pod's suffix"
    )


def test_every_deployment_of_a_serving_leaves_room_for_its_pods_names() -> None:
    """A pod is ``<deployment>-<hash of up to 10>-<5 characters>``, its base cut at 58 characters:
    the serving's own Deployment, its canary's (``<name>-canary``) and KServe's predictor
    (``<name>-predictor``) each at most 46 characters."""
    canary = {"image": IMAGE.replace("a" * 64, "b" * 64)}
    assert _spec_problems(KubernetesServingSpec, _k8s(name="c" * 46)) == {}
    assert _spec_problems(KubernetesServingSpec, _k8s(name="c" * 47)) == {
        "name": _too_long("c" * 47, "c" * 47)
    }
    assert _spec_problems(KubernetesServingSpec, _k8s(name="c" * 39, canary=canary)) == {}
    assert _spec_problems(KubernetesServingSpec, _k8s(name="c" * 40, canary=canary)) == {
        "name": _too_long("c" * 40, "c" * 40 + "-canary")
    }
    assert _spec_problems(KubernetesServingSpec, _k8s(name="c" * 36, kserve={})) == {}
    assert _spec_problems(KubernetesServingSpec, _k8s(name="c" * 37, kserve={})) == {
        "name": _too_long("c" * 37, "c" * 37 + "-predictor")
    }


def test_a_pod_name_of_a_deployment_at_the_limit_keeps_hash_and_suffix_apart() -> None:
    """Kubernetes' name generator: the base ``<replicaset>-`` cut at 63 - 5 characters, then 5 more."""

    def pod_name(deployment: str, template_hash: str = "7d9c8b6f5b", suffix: str = "x2x7k") -> str:
        return f"{deployment}-{template_hash}-"[:58] + suffix

    selection = re.compile(r"c+-[a-z0-9]+-[a-z0-9]+")  # the panel's and alerts' shape
    assert selection.fullmatch(pod_name("c" * 46))
    assert not selection.fullmatch(pod_name("c" * 47))


@pytest.mark.parametrize("path", ["/tmp", "/"])
def test_the_model_cache_is_a_directory_of_its_own(path) -> None:
    assert _spec_problems(KubernetesServingSpec, _k8s(model_cache_path="/tmp/models")) == {}

    assert _spec_problems(KubernetesServingSpec, _k8s(model_cache_path=path)) == {
        "model_cache_path": "model_cache_path must be its own directory, not '/' or '/tmp'"
    }


GPU_SELECTOR = {"nvidia.com/gpu.present": "true"}


def test_gpu_utilisation_targets_need_a_gpu_and_only_one_gpu_metric() -> None:
    gpu = _k8s(gpus=1, gpu_node_selector=GPU_SELECTOR, target_gpu_utilization=70)
    assert _spec_problems(KubernetesServingSpec, gpu) == {}

    assert _spec_problems(KubernetesServingSpec, {**gpu, "gpus": 0}) == {
        "target_gpu_utilization": "target_gpu_utilization needs gpus > 0: a CPU server has no GPU to measure"
    }
    twice = {**gpu, "custom_metric": {"name": "DCGM_FI_DEV_GPU_UTIL", "target_average_value": "70"}}
    assert _spec_problems(KubernetesServingSpec, twice) == {
        "custom_metric.name": "custom_metric repeats DCGM_FI_DEV_GPU_UTIL, which target_gpu_utilization "
        "already sets"
    }


def test_a_registry_backed_serving_leaves_the_model_variables_to_the_registry() -> None:
    env = {"MODEL_DATA_URL": "s3://models/churn/model.tar.gz"}
    assert _spec_problems(KubernetesServingSpec, _k8s(env=env)) == {}  # a fixed image may set them
    assert (
        _spec_problems(KubernetesServingSpec, _k8s(latest_approved_of="customer-churn", env={"LOG": "1"}))
        == {}
    )

    assert _spec_problems(KubernetesServingSpec, _k8s(latest_approved_of="customer-churn", env=env)) == {
        "env": "env ['MODEL_DATA_URL'] are set from the registry with latest_approved_of; remove them"
    }


def test_a_model_repository_goes_with_triton_and_is_named_at_model_repository() -> None:
    triton = _k8s(server="triton", port=8000, metrics_port=8002, liveness_path="/v2/health/live")
    assert _spec_problems(KubernetesServingSpec, {**triton, "model_repository": "/opt/models"}) == {}

    assert _spec_problems(KubernetesServingSpec, _k8s(model_repository="/opt/models")) == {
        "model_repository": "model_repository goes with server triton"
    }


def test_triton_from_the_registry_needs_kserve() -> None:
    triton = _k8s(server="triton", port=8000, metrics_port=8002, liveness_path="/v2/health/live")
    assert (
        _spec_problems(
            KubernetesServingSpec, {**triton, "latest_approved_of": "customer-churn", "kserve": {}}
        )
        == {}
    )
    assert _spec_problems(KubernetesServingSpec, triton) == {}

    assert _spec_problems(KubernetesServingSpec, {**triton, "latest_approved_of": "customer-churn"}) == {
        "": "Value error, server triton with latest_approved_of needs kserve: Triton reads a model repository "
        "directory, and the approved version's artifact is a model.tar.gz that KServe's storage initializer "
        "unpacks into /mnt/models (or bake the repository into the image instead)"
    }


@pytest.mark.parametrize(
    ("changes", "refused"),
    [
        pytest.param(
            {"canary": {"image": IMAGE.replace("a" * 64, "b" * 64)}},
            "canary (KServe's canaryTrafficPercent needs its Serverless mode)",
            id="canary",
        ),
        pytest.param(
            {"gpus": 1, "gpu_node_selector": GPU_SELECTOR, "target_gpu_utilization": 70},
            "target_gpu_utilization (KServe's HPA scales on CPU)",
            id="gpu-target",
        ),
        pytest.param(
            {"custom_metric": {"name": "queue_depth", "target_average_value": "10"}},
            "custom_metric (KServe's HPA scales on CPU)",
            id="custom-metric",
        ),
    ],
)
def test_kserve_refuses_what_its_hpa_and_raw_mode_cannot_do(changes, refused) -> None:
    assert _spec_problems(KubernetesServingSpec, _k8s(**changes)) == {}
    assert _spec_problems(KubernetesServingSpec, _k8s(kserve={})) == {}

    assert _spec_problems(KubernetesServingSpec, _k8s(kserve={}, **changes)) == {
        "": f"Value error, kserve does not take {refused}: remove them or kserve"
    }


def test_kserve_sets_storage_uri_from_the_registry() -> None:
    storage = {"STORAGE_URI": "s3://models/churn/model.tar.gz"}
    assert _spec_problems(KubernetesServingSpec, _k8s(kserve={}, env=storage)) == {}
    assert _spec_problems(KubernetesServingSpec, _k8s(latest_approved_of="customer-churn", kserve={})) == {}

    assert _spec_problems(
        KubernetesServingSpec, _k8s(latest_approved_of="customer-churn", kserve={}, env=storage)
    ) == {"env.STORAGE_URI": "env STORAGE_URI is set from the registry with kserve and latest_approved_of"}


# -- components/serving/shared_endpoint_spec.py --------------------------------------------------


def test_a_components_memory_range_may_be_one_size_not_upside_down() -> None:
    assert _spec_problems(ComputeSpec, {"memory_mb": 1024, "max_memory_mb": 1024}) == {}

    assert _spec_problems(ComputeSpec, {"memory_mb": 1024, "max_memory_mb": 1023}) == {
        "max_memory_mb": "max_memory_mb 1023 is below memory_mb 1024"
    }


def _component(copies: int, scaling: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": "churn",
        "model": {"latest_approved_of": "customer-churn"},
        "compute": {"cpu_cores": 1, "memory_mb": 1024},
        "copies": copies,
        **({"scaling": scaling} if scaling else {}),
    }


def test_copy_bounds_may_be_equal_not_upside_down() -> None:
    assert (
        _spec_problems(ComponentScalingSpec, {"min_copies": 2, "max_copies": 2, "invocations_per_copy": 10})
        == {}
    )

    assert _spec_problems(
        ComponentScalingSpec, {"min_copies": 3, "max_copies": 2, "invocations_per_copy": 10}
    ) == {"min_copies": "min_copies 3 > max_copies 2"}


@pytest.mark.parametrize(("copies", "problems"), [(2, False), (4, False), (1, True), (5, True)])
def test_a_components_copies_lie_within_its_scaling_bounds(copies, problems) -> None:
    scaling = {"min_copies": 2, "max_copies": 4, "invocations_per_copy": 10}
    expected = (
        {"copies": f"copies {copies} must lie within scaling.min_copies 2 and max_copies 4"}
        if problems
        else {}
    )
    assert _spec_problems(InferenceComponentSpec, _component(copies, scaling)) == expected


def test_instance_bounds_may_be_equal_not_upside_down() -> None:
    assert _spec_problems(ManagedScalingSpec, {"min_instances": 2, "max_instances": 2}) == {}

    assert _spec_problems(ManagedScalingSpec, {"min_instances": 3, "max_instances": 2}) == {
        "min_instances": "min_instances 3 > max_instances 2"
    }


@pytest.mark.parametrize(("count", "problems"), [(2, False), (4, False), (1, True), (5, True)])
def test_a_shared_endpoints_initial_count_lies_within_its_managed_scaling(count, problems) -> None:
    shared = {
        "name": "shared",
        "instance_type": "ml.m5.xlarge",
        "initial_instance_count": count,
        "managed_scaling": {"min_instances": 2, "max_instances": 4},
        "components": [_component(1)],
    }
    expected = (
        {
            "initial_instance_count": f"initial_instance_count {count} must lie within managed_scaling's "
            "min_instances 2 and max_instances 4"
        }
        if problems
        else {}
    )
    assert _spec_problems(SharedEndpointSpec, shared) == expected


# -- batch scoring, budget, model quality, feature store, DVC remote ------------------------------

NIGHTLY = {"schedule": "cron(0 2 * * ? *)"}


@pytest.mark.parametrize(
    ("changes", "problems"),
    [
        pytest.param({"max_payload_mb": 10, "max_concurrent_transforms": 10}, {}, id="exactly-100-mb"),
        pytest.param(
            {"max_payload_mb": 10, "max_concurrent_transforms": 11},
            {
                "max_concurrent_transforms": "max_concurrent_transforms x max_payload_mb is 110 MB; SageMaker "
                "allows at most 100 MB: lower one of them"
            },
            id="110-mb",
        ),
        pytest.param(
            {"split_type": "None", "batch_strategy": "SingleRecord"}, {}, id="whole-files-one-by-one"
        ),
        pytest.param(
            {"split_type": "None", "batch_strategy": "MultiRecord"},
            {
                "batch_strategy": "MultiRecord needs records to batch: set split_type to Line, RecordIO or "
                "TFRecord, or use SingleRecord"
            },
            id="multi-record-of-whole-files",
        ),
        pytest.param({"max_payload_mb": 0, "batch_strategy": "SingleRecord"}, {}, id="chunked-single-record"),
        pytest.param({"max_payload_mb": 6, "batch_strategy": "MultiRecord"}, {}, id="sized-multi-record"),
        pytest.param(
            {"max_payload_mb": 0, "batch_strategy": "MultiRecord"},
            {
                "max_payload_mb": "0 (chunked, unlimited) works only with SingleRecord: set a size in MB, or SingleRecord"
            },
            id="chunked-multi-record",
        ),
    ],
)
def test_batch_scoring_payloads_fit_sagemakers_transform_limits(changes, problems) -> None:
    assert _spec_problems(BatchScoringSpec, {**NIGHTLY, **changes}) == problems


def test_a_budget_has_at_most_ten_notifications_named_at_the_forecasts() -> None:
    five = [50, 80, 100, 120, 150]
    assert (
        _spec_problems(BudgetSpec, {"actual_thresholds_percent": five, "forecast_thresholds_percent": five})
        == {}
    )

    assert _spec_problems(
        BudgetSpec, {"actual_thresholds_percent": five, "forecast_thresholds_percent": [*five, 200]}
    ) == {
        "forecast_thresholds_percent": "5 actual and 6 forecast thresholds: AWS Budgets allows 10 notifications "
        "per budget"
    }


def test_a_probability_attribute_is_named_where_it_is_set_and_only_for_binary_classification() -> None:
    binary = {"model_quality": True, "problem_type": "BinaryClassification", "probability_attribute": "0"}
    assert _spec_problems(ModelQualitySpec, binary) == {}
    assert _spec_problems(ModelQualitySpec, {"model_quality": True, "problem_type": "Regression"}) == {}

    assert _spec_problems(ModelQualitySpec, {**binary, "problem_type": "Regression"}) == {
        "probability_attribute": "probability_attribute applies to BinaryClassification only; a Regression "
        "model's prediction is read from inference_attribute"
    }


FEATURES = [
    {"name": "customer_id", "type": "String"},
    {"name": "event_time", "type": "Fractional"},
    {"name": "tenure", "type": "Integral"},
]
GROUP = {
    "name": "churn",
    "record_identifier": "customer_id",
    "event_time": "event_time",
    "features": FEATURES,
}


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        pytest.param({"record_identifier": "tenure"}, None, id="integral-identifier"),
        pytest.param({"event_time": "customer_id"}, None, id="string-event-time"),
        pytest.param({"online": False}, None, id="offline-only"),
        pytest.param({"offline": False}, None, id="online-only"),
        pytest.param({"online_ttl": {"value": 30, "unit": "Days"}}, None, id="ttl-online"),
        pytest.param(
            {"event_time": "tenure"},
            ("event_time", "event_time 'tenure' must be String or Fractional, not Integral"),
            id="integral-time",
        ),
        pytest.param(
            {"features": [*FEATURES, {"name": "score", "type": "Fractional"}], "record_identifier": "score"},
            ("record_identifier", "record_identifier 'score' must be Integral or String, not Fractional"),
            id="fractional-identifier",
        ),
        pytest.param(
            {"features": [*FEATURES, {"name": "tenure", "type": "Integral"}]},
            ("features", "duplicate feature names: tenure"),
            id="twice",
        ),
        pytest.param(
            {"online": False, "offline": False},
            ("", "Value error, a feature group needs an online store, an offline store, or both"),
            id="no-store",
        ),
        pytest.param(
            {"online": False, "online_ttl": {"value": 30, "unit": "Days"}},
            ("online_ttl", "online_ttl needs the online store (online: true)"),
            id="ttl-offline",
        ),
    ],
)
def test_a_feature_groups_identifier_event_time_and_stores_are_what_feature_store_takes(
    changes, problem
) -> None:
    # At the key to change; "no store at all" is the group's own.
    assert _spec_problems(FeatureGroupSpec, {**GROUP, **changes}) == (dict([problem]) if problem else {})


SUBJECT = "repo:my-org/churn-data:pull_request"
ROLE = "arn:aws:iam::123456789012:role/DataScientist*"


@pytest.mark.parametrize(
    ("changes", "problems"),
    [
        pytest.param({"enabled": True, "github_subjects": [SUBJECT]}, {}, id="subjects-only"),
        pytest.param({"enabled": True, "trusted_principals": [ROLE]}, {}, id="principals-only"),
        pytest.param({"enabled": False}, {}, id="off-nobody"),
        pytest.param(
            {"enabled": True},
            {
                "trusted_principals": "nobody may assume the remote's role: list IAM principal ARNs here, or GitHub "
                "OIDC subjects under github_subjects (or turn the remote off: enabled: false)"
            },
            id="on-nobody",
        ),
        pytest.param(
            {"enabled": True, "trusted_principals": ["arn:aws:iam::123456789012:role/*?/"]},
            {
                "trusted_principals.0": "'arn:aws:iam::123456789012:role/*?/' admits every role of account "
                "123456789012: name the roles or users (a wildcard may match part of a name)"
            },
            id="every-role",
        ),
        pytest.param(
            {"enabled": True, "github_subjects": [SUBJECT], "prefix": "training-data/dvc"},
            {
                "prefix": "Value error, 'training-data/dvc' overlaps 'training-data/', which the platform writes "
                "itself: choose another prefix"
            },
            id="below-a-platform-prefix",
        ),
        pytest.param(
            {"enabled": True, "github_subjects": [SUBJECT], "prefix": "training-data-dvc"},
            {},
            id="beside-a-platform-prefix",
        ),
    ],
)
def test_someone_may_assume_the_dvc_remotes_role_and_its_prefix_is_its_own(changes, problems) -> None:
    assert _spec_problems(DvcRemoteSpec, changes) == problems


# -- components/kubernetes/kubernetes_monitoring_spec.py -----------------------------------------

SECRET = {"grafana_admin_secret": {"name": "grafana-admin"}}


@pytest.mark.parametrize(
    ("changes", "problems"),
    [
        pytest.param({"namespace": "obs", "agents_namespace": "obs-agents"}, {}, id="apart"),
        pytest.param(
            {"namespace": "obs", "agents_namespace": "obs"},
            {
                "agents_namespace": "namespace and agents_namespace are both 'obs': the host-access agents need "
                "their own `privileged` namespace so Prometheus and Grafana stay under `baseline`"
            },
            id="together",
        ),
        pytest.param(
            {"gpu_node_selector": {}, "gpu_tolerations": [{"key": "nvidia.com/gpu"}]}, {}, id="tolerations"
        ),
        pytest.param({"gpu_node_selector": GPU_SELECTOR, "gpu_tolerations": []}, {}, id="selector"),
        pytest.param(
            {"gpu_node_selector": {}, "gpu_tolerations": []},
            {
                "gpu_node_selector": "set gpu_node_selector or gpu_tolerations so the DCGM exporter lands on GPU nodes"
            },
            id="nowhere",
        ),
    ],
)
def test_monitoring_keeps_its_agents_apart_and_on_gpu_nodes(changes, problems) -> None:
    assert _spec_problems(KubernetesMonitoringSpec, {**SECRET, **changes}) == problems


@pytest.mark.parametrize(
    ("resources", "problems"),
    [
        pytest.param(
            {"cpu_request": "2", "cpu_limit": "2", "memory_request": "4Gi", "memory_limit": "4Gi"},
            {},
            id="equal",
        ),
        pytest.param(
            {"cpu_request": "2001m", "cpu_limit": "2", "memory_request": "4Gi", "memory_limit": "4Gi"},
            {"prometheus_resources.cpu_request": "cpu_request (2001m) exceeds cpu_limit (2)"},
            id="cpu",
        ),
        pytest.param(
            {"cpu_request": "1", "cpu_limit": "2", "memory_request": "4097Mi", "memory_limit": "4Gi"},
            {"prometheus_resources.memory_request": "memory_request (4097Mi) exceeds memory_limit (4Gi)"},
            id="memory",
        ),
    ],
)
def test_prometheus_requests_stay_within_its_limits(resources, problems) -> None:
    assert _spec_problems(KubernetesMonitoringSpec, {**SECRET, "prometheus_resources": resources}) == problems


@pytest.mark.parametrize(
    ("alerting", "problems"),
    [
        pytest.param({"destination": "sns"}, {}, id="sns"),
        pytest.param(
            {"destination": "webhook", "webhook_url": "https://hooks.example.com/a"}, {}, id="webhook"
        ),
        pytest.param(
            {"destination": "sns", "webhook_url": "https://hooks.example.com/a"},
            {"alerting.webhook_url": "set webhook_url with destination webhook, and only then"},
            id="sns-with-url",
        ),
        pytest.param(
            {"destination": "webhook"},
            {"alerting.webhook_url": "set webhook_url with destination webhook, and only then"},
            id="webhook-without-url",
        ),
        pytest.param(
            {"destination": "webhook", "webhook_url": "http://hooks.example.com/a"},
            {
                "alerting.webhook_url": "webhook_url needs an https:// URL: 'http://hooks.example.com/a' must start with https://"
            },
            id="plain-http",
        ),
    ],
)
def test_a_webhook_url_goes_with_the_webhook_destination_only(alerting, problems) -> None:
    assert _spec_problems(KubernetesMonitoringSpec, {**SECRET, "alerting": alerting}) == problems


def _shared_spec(*components: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": "shared",
        "instance_type": "ml.m5.xlarge",
        "initial_instance_count": 1,
        "components": list(components),
    }


def test_component_names_are_unique_whatever_their_case() -> None:
    """SageMaker names are case-insensitive: Churn and churn would be one inference component."""
    assert (
        _spec_problems(SharedEndpointSpec, _shared_spec(_component(1), {**_component(1), "name": "fraud"}))
        == {}
    )

    assert _spec_problems(
        SharedEndpointSpec, _shared_spec(_component(1), {**_component(1), "name": "Churn"})
    ) == {"components.1.name": "duplicate component name: also components[0]'s"}


def test_a_component_serves_a_package_or_an_image_not_a_triton_repository() -> None:
    triton = {
        "triton": {"model_data_url": "s3://models/churn/repository.tar.gz", "default_model_name": "churn"}
    }
    assert _spec_problems(InferenceComponentSpec, {**_component(1), "model": {"image": ECR_IMAGE}}) == {}

    assert _spec_problems(InferenceComponentSpec, {**_component(1), "model": triton}) == {
        "model.triton": "a shared endpoint's component serves a model package or an image, not a Triton repository"
    }


@pytest.mark.parametrize(
    ("compute", "problems"),
    [
        pytest.param({"cpu_cores": 4, "memory_mb": 16384}, {}, id="a-whole-instance"),
        pytest.param(
            {"cpu_cores": 5, "memory_mb": 1024},
            {
                "components.0.compute.cpu_cores": "component 'churn' reserves 5 vCPUs a copy; ml.m5.xlarge has 4"
            },
            id="a-vcpu-more",
        ),
        pytest.param(
            {"cpu_cores": 1, "memory_mb": 16385},
            {
                "components.0.compute.memory_mb": "component 'churn' reserves 16385 MiB of memory a copy; "
                "ml.m5.xlarge has 16384"
            },
            id="a-mib-more",
        ),
    ],
)
def test_a_components_copy_fits_one_instance(compute, problems) -> None:
    assert _spec_problems(SharedEndpointSpec, _shared_spec({**_component(1), "compute": compute})) == problems


def test_a_scrape_target_is_listed_once_per_namespace() -> None:
    apart = [{"name": "churn", "namespace": "a"}, {"name": "churn", "namespace": "b"}]
    assert _spec_problems(KubernetesMonitoringSpec, {**SECRET, "scrape": apart}) == {}

    twice = [{"name": "churn", "namespace": "a"}, {"name": "churn", "namespace": "a"}]
    assert _spec_problems(KubernetesMonitoringSpec, {**SECRET, "scrape": twice}) == {
        "scrape": "Value error, duplicate scrape target(s) a/churn"
    }
