"""The stack file's cross-field rules pinned by meaning: each case passes a valid neighbour and asserts
the exact key path and message of the refused value.

A mutation audit changed the ``@model_validator`` and multi-field validators of stacks/config.py and
the component specs one step at a time (a condition dropped, a comparison flipped, ``or`` for
``and``, a ``fail_at`` key path moved, an early return): 57 mutations, of which 27 passed the
validation-only test files and 21 the whole suite (the other six fail config-error cases in files
that also record stacks: test_kubernetes_wiring.py, test_champion_challenger.py,
test_model_families.py, test_training_tuning_config.py). The 18 caught here: Kubernetes monitoring
accepted with no serving to monitor; two servings of one name in different namespaces refused as
duplicates; a shadow variant's ``<endpoint>-<variant>`` name no longer compared with the other
endpoints' (colliding resources and alarms); another account's model package group ARN in
``latest_approved_of`` refused as an unknown family (on a variant and on a shared endpoint's
component), and an unknown family of a shadow variant accepted; a shared endpoint taking an
endpoint's name in another case (SageMaker names are case-insensitive); a registry-backed serving's
EKS cluster in another account, or another region, accepted; an ``initial_instance_count`` below
``scaling.min_capacity`` accepted; a shadow variant reusing a production variant's name, and a
serverless endpoint with a shadow variant, accepted; a scheduled scale-to-zero with async inference
but no backlog target accepted; a serverless shadow variant in a shadow test accepted; a toleration
``Exists`` with a value accepted; ``pdb_min_available`` equal to ``min_replicas`` accepted; a GPU
serving refused unless it has both a node selector and tolerations; a canary of a fixed-image
serving refused ``MODEL_DATA_URL`` in its env. Also pinned, at ``end``: a shadow test of exactly 30
days (SageMaker's limit) passes, one second more or an end at its start does not.

Survivors left: the SNS subscription identity without its protocol (equivalent: an e-mail address
is never an https URL); the joined-name check folding case (the names it protects, Pulumi URNs and
alarm names, are case-sensitive: the fold is conservative, not an AWS rule); the scheduled-action
key path of a shadow variant in EndpointSpec's scaling loop (equivalent: a shadow variant with
scaling is refused earlier, so that branch never runs, nor the shadow test's check of a serverless
champion).
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from components.kubernetes.kubernetes_serving_spec import KubernetesServingSpec, Toleration
from components.serving.inference_endpoint_spec import EndpointSpec, ShadowTestSpec, VariantSpec
from stacks.config import CONFIG_KEY
from tests.config_problems import stack_file_problems
from tests.stack_edits import Edit, at

P = CONFIG_KEY
IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn-server@sha256:" + "a" * 64
CLUSTER = "arn:aws:eks:eu-west-1:333333333333:cluster/ml"
MONITORING = {"grafana_admin_secret": {"name": "grafana-admin"}}


def _spec_problems(model: type[BaseModel], data: dict[str, Any]) -> dict[str, str]:
    """``model``'s errors for ``data``, keyed by dotted location; empty when it validates."""
    try:
        model.model_validate(data)
    except ValidationError as error:
        return {".".join(map(str, e["loc"])): e["msg"] for e in error.errors()}
    return {}


def _problems(write_stack, base: str, edit: Edit) -> dict[str, str]:
    return stack_file_problems(write_stack(base, edit))


def _variant(name: str, **changes: Any) -> dict[str, Any]:
    return {
        "name": name,
        "model": {"latest_approved_of": "customer-churn"},
        "instance_type": "ml.m5.xlarge",
        "initial_instance_count": 2,
        **changes,
    }


def _serverless(name: str) -> dict[str, Any]:
    """A serverless variant of the customer-churn family."""
    return {
        "name": name,
        "model": {"latest_approved_of": "customer-churn"},
        "serverless": {"memory_mb": 2048, "max_concurrency": 5},
    }


def _serving(name: str = "churn", **changes: Any) -> dict[str, Any]:
    return {"name": name, "image": IMAGE, **changes}


# -- Kubernetes servings -------------------------------------------------------------------------


def test_kubernetes_monitoring_needs_a_serving_to_monitor(write_stack) -> None:
    alone = at("kubernetes_serving", {"cluster_arn": CLUSTER, "monitoring": MONITORING})
    assert _problems(write_stack, "prod", alone) == {
        f"{P}.kubernetes_serving": "monitoring needs at least one serving to monitor"
    }

    with_one = at(
        "kubernetes_serving", {"cluster_arn": CLUSTER, "monitoring": MONITORING, "servings": [_serving()]}
    )
    assert _problems(write_stack, "prod", with_one) == {}


def test_kubernetes_serving_names_are_unique_per_namespace(write_stack) -> None:
    """A Deployment's name is unique within its namespace: the same name in two namespaces is two servings."""
    apart = at("kubernetes_serving", {"servings": [_serving(namespace="a"), _serving(namespace="b")]})
    assert _problems(write_stack, "prod", apart) == {}

    together = at("kubernetes_serving", {"servings": [_serving(namespace="a"), _serving(namespace="a")]})
    assert _problems(write_stack, "prod", together) == {
        f"{P}.kubernetes_serving.servings": "duplicate serving(s) a/churn"
    }


@pytest.mark.parametrize("suffix", ["-canary", "-predictor"])
def test_a_serving_may_not_take_another_servings_canary_or_predictor_name(write_stack, suffix: str) -> None:
    """``churn`` brings the Deployments ``churn-canary`` (a canary) and ``churn-predictor`` (KServe):
    a serving of that name beside it, in its namespace, would share it."""
    together = at(
        "kubernetes_serving",
        {"servings": [_serving(namespace="a"), _serving(f"churn{suffix}", namespace="a")]},
    )
    assert _problems(write_stack, "prod", together) == {
        f"{P}.kubernetes_serving.servings": f"serving(s) a/churn{suffix} take the name of another serving's "
        "canary or KServe predictor Deployment (<name>-canary or <name>-predictor) in the same namespace: "
        "rename them"
    }
    apart = at(
        "kubernetes_serving",
        {"servings": [_serving(namespace="a"), _serving(f"churn{suffix}", namespace="b")]},
    )
    assert _problems(write_stack, "prod", apart) == {}
    alone = at("kubernetes_serving", {"servings": [_serving(f"churn{suffix}", namespace="a")]})
    assert _problems(write_stack, "prod", alone) == {}


def test_a_servings_cross_field_error_names_the_key_to_change(write_stack) -> None:
    """The stack file's error points at the serving's own key (cpu_request, canary.image...), not
    only at the serving, as every cross-field rule of the stack file does."""
    servings = [
        _serving(),
        _serving("fraud", cpu_request="4", cpu_limit="2"),
        _serving("ranker", canary={"image": IMAGE}),
    ]
    assert _problems(write_stack, "prod", at("kubernetes_serving", {"servings": servings})) == {
        f"{P}.kubernetes_serving.servings[1].cpu_request": "cpu_request (4) exceeds cpu_limit (2)",
        f"{P}.kubernetes_serving.servings[2].canary.image": "canary.image is the serving's image: the canary "
        "is promoted, remove canary",
    }


# -- SageMaker endpoints -------------------------------------------------------------------------


def _second_endpoint(name: str, shadow: str) -> Edit:
    def edit(platform: dict[str, Any]) -> None:
        platform["endpoints"].append(
            {"name": name, "variants": [_variant("x")], "shadow_variants": [_variant(shadow)]}
        )

    return edit


def test_a_shadow_variants_joined_name_must_not_repeat_another_endpoints_variant(write_stack) -> None:
    """prod's endpoint customer-churn has variant primary: endpoint customer with shadow variant
    churn-primary would name its resources and alarms customer-churn-primary too."""
    assert _problems(write_stack, "prod", _second_endpoint("customer", "churn-shadow")) == {}

    assert _problems(write_stack, "prod", _second_endpoint("customer", "churn-primary")) == {
        f"{P}.endpoints[1].shadow_variants[0].name": "'customer-churn-primary' (endpoint-variant[-scheduled "
        "action or -step-policy]) is also endpoints[0].variants[0].name's: resources and alarms named after both would "
        "collide; rename one"
    }


GROUP_ARN = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/dev-customer-churn"
NOT_A_FAMILY = "'fraud' is not a model family of this stack (customer-churn); use a group ARN for another account's registry"
SHADOW = {"name": "shadow", "instance_type": "ml.g5.2xlarge", "initial_instance_count": 2}


def _shared(family: str) -> Edit:
    component = {
        "name": "churn",
        "model": {"latest_approved_of": family},
        "compute": {"cpu_cores": 1, "memory_mb": 1024},
        "copies": 1,
    }
    return at(
        "shared_endpoints",
        [
            {
                "name": "shared",
                "instance_type": "ml.m5.xlarge",
                "initial_instance_count": 2,
                "components": [component],
            }
        ],
    )


@pytest.mark.parametrize(
    ("where", "setting", "key"),
    [
        pytest.param(
            "variant",
            lambda family: at("endpoints.0.variants.0.model", {"latest_approved_of": family}),
            "endpoints[0].variants[0].model.latest_approved_of",
            id="variant",
        ),
        pytest.param(
            "shadow",
            lambda family: at(
                "endpoints.0.shadow_variants", [{**SHADOW, "model": {"latest_approved_of": family}}]
            ),
            "endpoints[0].shadow_variants[0].model.latest_approved_of",
            id="shadow-variant",
        ),
        pytest.param(
            "shared",
            _shared,
            "shared_endpoints[0].components[0].model.latest_approved_of",
            id="shared-endpoint-component",
        ),
    ],
)
def test_a_served_family_is_this_stacks_or_another_accounts_group_arn(
    write_stack, where, setting, key
) -> None:
    assert _problems(write_stack, "prod", setting("customer-churn")) == {}
    assert _problems(write_stack, "prod", setting(GROUP_ARN)) == {}

    assert _problems(write_stack, "prod", setting("fraud")) == {f"{P}.{key}": NOT_A_FAMILY}
    # SageMaker creates a model only from a version of its own region; the resolver would look the
    # group up in the stack's region and read it as never approved (a first deploy's deferral).
    elsewhere = GROUP_ARN.replace("eu-west-1", "us-east-1")
    assert _problems(write_stack, "prod", setting(elsewhere)) == {
        f"{P}.{key}": "a model package in region us-east-1; SageMaker creates a model only from a version in "
        "the stack's region (eu-west-1): copy it there, or follow a group of the stack's region"
    }


PINNED = "arn:aws:sagemaker:us-east-1:111111111111:model-package/dev-customer-churn/3"


def test_a_pinned_version_of_another_region_is_refused_where_it_is_served(write_stack) -> None:
    variant = at("endpoints.0.variants.0.model", {"model_package_arn": PINNED})
    assert _problems(write_stack, "prod", variant) == {
        f"{P}.endpoints[0].variants[0].model.model_package_arn": "a model package in region us-east-1; "
        "SageMaker creates a model only from a version in the stack's region (eu-west-1): copy it there, "
        "or follow a group of the stack's region"
    }
    here = at("endpoints.0.variants.0.model", {"model_package_arn": PINNED.replace("us-east-1", "eu-west-1")})
    assert _problems(write_stack, "prod", here) == {}


@pytest.mark.parametrize(
    ("setting", "arn"),
    [
        pytest.param("model_package_arn", PINNED.replace("us-east-1", "eu-west-1"), id="pinned-version"),
        pytest.param("latest_approved_of", GROUP_ARN, id="group"),
    ],
)
@pytest.mark.parametrize("partition", ["aws-cn", "aws-us-gov"])
def test_a_model_package_of_another_partition_is_refused_where_it_is_served(
    write_stack, setting, arn, partition
) -> None:
    """The stack's regions are the commercial partition's: an ARN of another one, even with the
    stack's region in it, names nothing SageMaker can create the model from."""
    assert _problems(write_stack, "prod", at("endpoints.0.variants.0.model", {setting: arn})) == {}

    elsewhere = arn.replace("arn:aws:", f"arn:{partition}:")
    assert _problems(write_stack, "prod", at("endpoints.0.variants.0.model", {setting: elsewhere})) == {
        f"{P}.endpoints[0].variants[0].model.{setting}": f"an ARN of the {partition} partition; the stack's "
        "regions are in the aws partition (arn:aws:...), and AWS does not reach across partitions"
    }


def test_a_shared_endpoint_may_not_take_an_endpoints_name_in_another_case(write_stack) -> None:
    """SageMaker endpoint names are case-insensitive: Customer-Churn is prod's endpoint customer-churn."""

    def named(name: str) -> Edit:
        def edit(platform: dict[str, Any]) -> None:
            _shared("customer-churn")(platform)
            platform["shared_endpoints"][0]["name"] = name

        return edit

    assert _problems(write_stack, "prod", named("customer-churn-shared")) == {}

    assert _problems(write_stack, "prod", named("Customer-Churn")) == {
        f"{P}.shared_endpoints[0].name": "'Customer-Churn' is also endpoints[0]'s name: both would be the same "
        "SageMaker endpoint"
    }


@pytest.mark.parametrize(
    "cluster",
    [
        pytest.param("arn:aws:eks:eu-west-1:444444444444:cluster/ml", id="another-account"),
        pytest.param("arn:aws:eks:eu-central-1:333333333333:cluster/ml", id="another-region"),
    ],
)
def test_a_registry_backed_servings_cluster_is_in_the_stacks_account_and_region(write_stack, cluster) -> None:
    def servings_on(cluster_arn: str) -> Edit:
        serving = _serving(latest_approved_of="customer-churn")
        return at("kubernetes_serving", {"cluster_arn": cluster_arn, "servings": [serving]})

    assert _problems(write_stack, "prod", servings_on(CLUSTER)) == {}

    assert _problems(write_stack, "prod", servings_on(cluster)) == {
        f"{P}.kubernetes_serving.cluster_arn": "servings[0].latest_approved_of needs a cluster in this stack's "
        "account and region (333333333333, eu-west-1): its EKS Pod Identity association is created there"
    }


def test_a_shadow_test_may_run_exactly_thirty_days_and_not_a_second_longer() -> None:
    """SageMaker's InferenceExperimentSchedule allows 30 days; the error is at ``end``, the key to move."""
    start = "2027-01-04T08:00:00Z"
    assert _spec_problems(ShadowTestSpec, {"start": start, "end": "2027-02-03T08:00:00Z"}) == {}

    assert _spec_problems(ShadowTestSpec, {"start": start, "end": "2027-02-03T08:00:01Z"}) == {
        "end": "a shadow test runs at most 30 days (SageMaker's limit); this one runs 30 days, 0:00:01"
    }
    assert _spec_problems(ShadowTestSpec, {"start": start, "end": start}) == {
        "end": "end must be after start"
    }


@pytest.mark.parametrize(
    ("initial", "problems"),
    [
        pytest.param(
            1,
            {
                "initial_instance_count": "initial_instance_count 1 must lie within min_capacity 2 and max_capacity 4"
            },
            id="below-min",
        ),
        pytest.param(2, {}, id="at-min"),
        pytest.param(4, {}, id="at-max"),
        pytest.param(
            5,
            {
                "initial_instance_count": "initial_instance_count 5 must lie within min_capacity 2 and max_capacity 4"
            },
            id="above-max",
        ),
    ],
)
def test_a_variants_initial_instance_count_lies_within_its_scaling_bounds(initial, problems) -> None:
    """Application Auto Scaling would move a count outside [min, max] at once; the rule checks both ends.
    (It is raised at the variant, not at ``initial_instance_count``: the message names the key.)"""
    variant = {
        "name": "primary",
        "model": {"latest_approved_of": "customer-churn"},
        "instance_type": "ml.m5.xlarge",
        "initial_instance_count": initial,
        "scaling": {"min_capacity": 2, "max_capacity": 4, "invocations_per_instance": 100},
    }
    assert _spec_problems(VariantSpec, variant) == problems


def test_a_shadow_variant_may_not_reuse_a_production_variants_name() -> None:
    """SageMaker's variant names are one namespace across ProductionVariants and ShadowProductionVariants."""

    def endpoint(shadow: str) -> dict[str, Any]:
        return {"name": "churn", "variants": [_variant("primary")], "shadow_variants": [_variant(shadow)]}

    assert _spec_problems(EndpointSpec, endpoint("shadow")) == {}

    assert _spec_problems(EndpointSpec, endpoint("primary")) == {
        "": "Value error, duplicate variant names: primary"
    }


def test_a_serverless_endpoint_takes_no_shadow_variant() -> None:
    serverless = _serverless("primary")
    endpoint = {"name": "churn", "data_capture": {"enabled": False}, "variants": [serverless]}
    assert _spec_problems(EndpointSpec, endpoint) == {}

    assert _spec_problems(EndpointSpec, {**endpoint, "shadow_variants": [_variant("shadow")]}) == {
        "": "Value error, a serverless endpoint has exactly one variant and no shadow variant"
    }


@pytest.mark.parametrize(
    ("backlog", "minimum", "problems"),
    [
        pytest.param(5, 0, {}, id="async-with-backlog-may-schedule-zero"),
        pytest.param(5, 1, {}, id="async-with-backlog-may-schedule-one"),
        pytest.param(
            None,
            0,
            {
                "variants.0.scaling.scheduled.0.min_capacity": "variant 'primary': scheduled 'night' min_capacity 0 "
                "scales to zero, which needs async inference and backlog_per_instance"
            },
            id="async-without-backlog-may-not-schedule-zero",
        ),
    ],
)
def test_a_scheduled_scale_to_zero_needs_async_inference_and_a_backlog_target(
    backlog, minimum, problems
) -> None:
    """At zero instances only the backlog policy starts the first one again: async inference alone is
    not enough, and the error is at the scheduled action's min_capacity."""
    scaling = {
        "min_capacity": 1,
        "max_capacity": 3,
        "backlog_per_instance": backlog,
        "scheduled": [
            {"name": "night", "schedule": "cron(0 20 * * ? *)", "min_capacity": minimum, "max_capacity": 2}
        ],
    }
    endpoint = {
        "name": "churn",
        "async_inference": {"max_concurrent_invocations_per_instance": 4},
        "variants": [_variant("primary", initial_instance_count=1, scaling=scaling)],
    }
    assert _spec_problems(EndpointSpec, endpoint) == problems


def test_a_shadow_test_refuses_a_serverless_shadow_variant_at_shadow_test() -> None:
    """The experiment deploys both variants on instances. (A serverless champion cannot reach this
    check: a serverless endpoint takes no shadow variant at all.)"""
    serverless = _serverless("challenger")
    window = {"start": "2027-03-01T00:00:00Z", "end": "2027-03-31T00:00:00Z"}
    endpoint = {"name": "churn", "variants": [_variant("primary")], "shadow_test": window}
    assert _spec_problems(EndpointSpec, {**endpoint, "shadow_variants": [_variant("challenger")]}) == {}

    assert _spec_problems(EndpointSpec, {**endpoint, "shadow_variants": [serverless]}) == {
        "shadow_test": "a shadow test deploys real-time instances: its shadow variant 'challenger' needs an "
        "instance_type"
    }


TOLERATION_VALUE = "toleration 'gpu': set value with operator Equal, and only then"


@pytest.mark.parametrize(
    ("toleration", "problems"),
    [
        pytest.param({"operator": "Exists"}, {}, id="exists-without-value"),
        pytest.param({"operator": "Equal", "value": "true"}, {}, id="equal-with-value"),
        pytest.param(
            {"operator": "Exists", "value": "true"}, {"value": TOLERATION_VALUE}, id="exists-with-value"
        ),
        pytest.param({"operator": "Equal"}, {"value": TOLERATION_VALUE}, id="equal-without-value"),
    ],
)
def test_a_tolerations_value_goes_with_operator_equal_and_only_then(toleration, problems) -> None:
    """Kubernetes refuses a toleration with operator Exists and a value (the value must be empty)."""
    assert _spec_problems(Toleration, {"key": "gpu", **toleration}) == problems


@pytest.mark.parametrize(
    ("pdb_min_available", "problems"),
    [
        pytest.param(1, {}, id="one-below-min-replicas"),
        pytest.param(
            2,
            {
                "pdb_min_available": "pdb_min_available (2) must be below min_replicas (2), or a node drain could "
                "never evict a pod at minimum scale"
            },
            id="equal-to-min-replicas",
        ),
    ],
)
def test_a_disruption_budget_leaves_a_pod_to_evict_at_minimum_scale(pdb_min_available, problems) -> None:
    serving = _serving(min_replicas=2, replicas=2, max_replicas=4, pdb_min_available=pdb_min_available)
    assert _spec_problems(KubernetesServingSpec, serving) == problems


@pytest.mark.parametrize(
    ("placement", "problems"),
    [
        pytest.param({"gpu_tolerations": []}, {}, id="node-selector-alone"),
        pytest.param({"gpu_node_selector": {}}, {}, id="tolerations-alone"),
        pytest.param(
            {"gpu_node_selector": {}, "gpu_tolerations": []},
            {
                "gpu_node_selector": "gpus > 0 needs gpu_node_selector or gpu_tolerations so the pods are placed on GPU nodes"
            },
            id="neither",
        ),
    ],
)
def test_a_gpu_serving_is_placed_by_a_node_selector_or_tolerations(placement, problems) -> None:
    """Either one places GPU pods (a selector on labelled nodes, or tolerations of tainted ones): one suffices."""
    assert _spec_problems(KubernetesServingSpec, _serving(gpus=1, **placement)) == problems


def test_a_canary_may_set_the_model_variables_unless_the_registry_does() -> None:
    """MODEL_DATA_URL is the user's own variable on a serving of a fixed image; only a registry-backed
    serving (latest_approved_of) sets it itself."""
    canary_image = IMAGE.replace("a" * 64, "b" * 64)
    serving = _serving(canary={"image": canary_image, "env": {"MODEL_DATA_URL": "s3://models/churn.tar.gz"}})
    assert _spec_problems(KubernetesServingSpec, serving) == {}

    assert _spec_problems(KubernetesServingSpec, {**serving, "latest_approved_of": "customer-churn"}) == {
        "canary.env": "canary.env cannot set ['MODEL_PACKAGE_ARN', 'MODEL_DATA_URL']: they come from the registry"
    }


@pytest.mark.parametrize(
    ("edit", "key", "source"),
    [
        pytest.param(
            at("endpoints.0.deployment.wait_interval_seconds", 30),
            "endpoints[0].deployment.wait_interval_seconds",
            "",
            id="endpoint",
        ),
        pytest.param(
            at("endpoint_defaults.deployment", {"wait_interval_seconds": 30}),
            "endpoints[0].deployment.wait_interval_seconds",
            " (inherited from endpoint_defaults.deployment.wait_interval_seconds)",
            id="endpoint-defaults",
        ),
        pytest.param(
            lambda platform: (
                _shared("customer-churn")(platform),
                platform["shared_endpoints"][0].update(update_wait_seconds=30),
            ),
            "shared_endpoints[0].update_wait_seconds",
            "",
            id="shared-endpoint",
        ),
    ],
)
def test_prod_rollouts_bake_at_least_the_environments_minimum(write_stack, edit, key, source) -> None:
    """Prod's policy pack refuses a bake under 60 s (endpoint-safe-rollout): the stack file says so first,
    naming the key; at 60 s it passes, and dev (minimum 0) takes 30 s."""
    assert _problems(write_stack, "prod", edit) == {
        f"{P}.{key}": "bakes 30 s, under endpoint_defaults.minimum_bake_seconds (60): a rollback alarm sees a "
        "per-minute metric, so a shorter bake shifts traffic before it can judge the new fleet" + source
    }

    def at_a_minute(platform: dict[str, Any]) -> None:
        edit(platform)
        for endpoint in platform.get("shared_endpoints", []):
            endpoint["update_wait_seconds"] = 60
        for endpoint in platform["endpoints"]:
            endpoint.setdefault("deployment", {})["wait_interval_seconds"] = 60

    assert _problems(write_stack, "prod", at_a_minute) == {}
    assert _problems(write_stack, "dev", edit) == {}


def _hyperparameters_beside_the_metrics(spare: int) -> Edit:
    """As many hyperparameters as TrackExperiment's 100 container arguments hold with the label and
    the family's metrics, plus ``spare`` (18 fixed entries, then two per name: 41 names in all)."""

    def edit(platform: dict[str, Any]) -> None:
        training = platform["models"][0]["training"]
        count = 41 - 1 - len(training["metrics"]) + spare
        training["hyperparameters"] = {f"h{number}": number for number in range(count)}

    return edit


def test_a_tracked_familys_hyperparameters_and_metrics_fit_one_processing_job(write_stack) -> None:
    """The family's TrackExperiment step (experiment tracking is on in prod) would be refused by
    CreateProcessingJob on every run: the stack file names the key instead."""
    assert _problems(write_stack, "prod", _hyperparameters_beside_the_metrics(0)) == {}
    [(key, message)] = _problems(write_stack, "prod", _hyperparameters_beside_the_metrics(1)).items()
    assert key == f"{P}.models[0].training.hyperparameters"
    assert message.startswith("with experiment_tracking enabled, TrackExperiment passes each hyperparameter")
    assert ": 102 with its 18 others, and a processing job takes 100 (at most 41 " in message
    # Dev tracks nothing: the same family trains there.
    assert _problems(write_stack, "dev", _hyperparameters_beside_the_metrics(1)) == {}
