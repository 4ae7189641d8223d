"""What the SageMaker hosting and governance rules decide, where a mutation audit found no test holding it.

A hand-mutation audit of policies/rules/sagemaker.py, policies/rules/governance.py and
policies/rules/governance_compute.py: 111 one-step mutations of the decision logic (57, 18 and 36),
each run against the tests of its rules (the tests/policies files naming them). 74 were caught; 37
survived. Of those, 27 are caught by a test here, 1 exposed a product bug (fixed, see CHANGELOG.md),
7 are equivalent and 2 are left (below). Of 3 further mutations of the fixed lines, 2 are caught
here and 1 is equivalent. The equivalent and left mutants (that one too) survive the whole of
tests/policies, these tests included.

sagemaker.py (57 mutations, 17 survived: 13 caught now, 3 equivalent, 1 left):

- every production variant needs the minimum count, not only the first (a second variant on one
  instance fails, named ``productionVariants[1]``);
- an empty ``kmsKeyArn`` is no key;
- a ``platformRegistryPatterns`` entry with a path exempts that path only, not its whole host;
- a bring-your-own image or its ``repositoryAccessMode`` unknown at preview leaves
  model-private-registry-via-vpc undecided (neither fails nor passes);
- every ``containers[]`` entry of an inference pipeline needs a model package, not only the first;
- an inference component's ``specifications[]`` (one per instance type) are judged like
  ``specification``: inline container, model name, reserved memory;
- a serverless-only endpoint configuration needs no ``executionRoleArn``; a serverless variant
  naming a model does not stand in for instance-backed variants that name none (the rule's
  documented reading; AWS may refuse that mix, and then no verdict changes);
- unknown at preview, undecided: a variant's ``initialInstanceCount``, its ``instanceType`` (it may
  be an instance-store type, which must not take the key), an online store's ``storageType`` (it
  may be InMemory), an image's ``description``.

governance.py (18 mutations, 4 survived: 2 caught now, 1 bug, 1 equivalent):

- a blank resource tag overrides the provider's default tag of the same key (pulumi-aws: resource
  tags overwrite default tags) and fails;
- a ``tags`` map unknown at preview leaves required-cost-allocation-tags undecided.

The bug, a survivor because no test held the case and the rule's verdict there was wrong:

- ``model-package-group-manual-approval`` passed a ``ModelApprovalStatus`` computed when the
  pipeline runs (a step's output, ``Std:JsonGet``): a Lambda could register models ``Approved``
  with no reviewer (mutation: read every ``Get`` as a parameter reference, which fails such a
  status). Any expression but a parameter reference now fails, its message naming it.

governance_compute.py (36 mutations, 16 survived: 12 caught now, 3 equivalent, 1 left):

- ``maxGpuInstances: 0`` allows no GPU (not the schema default);
- a GPU variant without ``initialInstanceCount`` counts one instance;
- a managed-scaling or autoscaling ceiling below the initial count does not lower it;
  ``managedInstanceScaling`` without a ``status`` counts its ceiling (only ``DISABLED`` does not);
- of two scaling targets on one variant, the higher ceiling counts; every endpoint's targets
  count, not only the first endpoint's;
- a target whose variant is unknown at preview leaves a GPU variant undecided even when a CPU
  variant is listed first;
- exactly five GPU askers are all named, with no "and 0 more";
- a Tuning step whose ``MaxParallelTrainingJobs`` is a run-time expression counts its instances
  once;
- the allowlist reads aws-native model-bias (quality, explainability) job definitions;
- a notebook's instance type unknown at preview leaves the allowlist undecided.

Equivalent (no deployable resource changes verdict):

- endpoint-config-min-instance-count's fallback minimum ``1.0`` for ``2.0``: the schema default (2)
  is always applied and its minimum is 1, so a config the pack accepts never falls back;
- inference-experiment-kms-encrypted without ``bool(types)``: it differs only for an experiment
  with no model variants, which the aws-native schema requires (CreateInferenceExperiment takes 1
  or 2);
- ``_containers`` dropping ``primaryContainer`` when ``containers`` is set: a model takes one or the
  other (pulumi-aws: they conflict; CreateModel refuses both);
- model approval judging every step type, not only RegisterModel: no other step takes
  ``ModelApprovalStatus``; and (after the fix) any map rather than an expression failing: a status
  that is a map but no pipeline expression is refused by SageMaker;
- a cluster's unset ``instanceCount`` read as 0, an inference experiment's too: ``instanceCount``
  is required in every cluster config the quota reads (pulumi-aws DataQualityJobDefinition and
  MonitoringSchedule, aws-native job definitions and ProcessingJob) and in an experiment's
  ``realTimeInferenceConfig``;
- ``_variant_count`` without ``managed is not None``: an unset block reads no status and no ceiling,
  so ``max(count, 0)`` is the count.

Left, not pinned, because what AWS accepts could not be checked offline:

- inference-component-endpoint-config-role with ``any`` for ``all`` (a configuration whose
  instance-backed variants partly name a model and partly not): either SageMaker refuses the mix
  and no verdict matters, or the model-less variants host components and need the role, which the
  rule then does not demand; deploying would fail on the missing role, no control is weakened;

The instance allowlist and GPU quota skipped a serverless variant's ``instanceType`` (a variant
with both ``serverlessConfig`` and ``instanceType``): whether CreateEndpointConfig refuses such a
variant could not be confirmed offline, so both rules now judge an instance type a serverless
variant names (:func:`test_a_serverless_variant_naming_an_instance_type_is_judged_by_it`).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.local import Report, evaluate_report
from policies.registry import get_policy
from tests.policies.conftest import build
from tests.policies.test_policy_governance_rules import (
    AWS_PROVIDER,
    BUCKET,
    ENDPOINT,
    ENDPOINT_CONFIG,
    TAGS,
    TARGET,
    config,
    endpoint_graph,
    variant,
)
from tests.policies.test_policy_inference_component_rules import COMPONENT, COMPONENT_OK
from tests.policies.test_policy_sagemaker_rules import FEATURE_GROUP, KEY, MODEL, MODEL_OK, SERVERLESS

MIN_COUNT = "endpoint-config-min-instance-count"
STORAGE_KEY = "endpoint-config-kms-encrypted"
REGISTRY = "model-private-registry-via-vpc"
PACKAGE = "prod-model-from-model-package"
GOVERNED = "inference-component-model-governed"
RESERVED = "inference-component-compute-reserved"
ROLE = "inference-component-endpoint-config-role"
TAGGED = "required-cost-allocation-tags"
APPROVAL = "model-package-group-manual-approval"
ALLOWLIST = "instance-type-allowlist"
QUOTA = "gpu-instance-quota"
PIPELINE = "aws:sagemaker/pipeline:Pipeline"
NATIVE_BIAS = "aws-native:sagemaker:ModelBiasJobDefinition"
PACKAGE_ARN = "arn:aws:sagemaker:eu-west-1:111122223333:model-package/churn/3"


def report_of(rule: str, specs: list[dict[str, Any]], cfg: dict[str, Any] | None = None) -> Report:
    return evaluate_report(build(specs), {rule: cfg} if cfg else None, [get_policy(rule)])


def messages(
    rule: str, resource_type: str, inputs: dict[str, Any], cfg: dict[str, Any] | None = None
) -> list[str]:
    """The rule's messages on one resource, decided (no unknown read)."""
    report = report_of(rule, [{"type": resource_type, "name": "subject", "inputs": inputs}], cfg)
    assert report.undecided == []
    return [v.message for v in report.violations]


def stack_messages(rule: str, specs: list[dict[str, Any]], cfg: dict[str, Any] | None = None) -> list[str]:
    """A stack rule's messages, decided at this preview."""
    report = report_of(rule, specs, cfg)
    assert report.undecided == [], report.undecided
    return [v.message for v in report.violations]


# --- values unknown at preview -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "resource_type", "inputs"),
    [
        pytest.param(
            MIN_COUNT,
            ENDPOINT_CONFIG,
            {"productionVariants": [variant("ml.m5.xlarge", UNKNOWN_STRING_VALUE)]},
            id="instance-count",
        ),
        pytest.param(
            STORAGE_KEY,
            ENDPOINT_CONFIG,
            {"productionVariants": [variant(UNKNOWN_STRING_VALUE, 2)]},
            id="instance-type-may-be-instance-store",
        ),
        pytest.param(
            "feature-group-kms-encrypted",
            FEATURE_GROUP,
            {"onlineStoreConfig": {"enableOnlineStore": True, "storageType": UNKNOWN_STRING_VALUE}},
            id="online-storage-type-may-be-in-memory",
        ),
        pytest.param(
            "sagemaker-resource-described",
            "aws:sagemaker/image:Image",
            {"imageName": "serving", "description": UNKNOWN_STRING_VALUE},
            id="description",
        ),
        pytest.param(
            ALLOWLIST,
            "aws:sagemaker/notebookInstance:NotebookInstance",
            {"instanceType": UNKNOWN_STRING_VALUE},
            id="notebook-instance-type",
        ),
        pytest.param(TAGGED, BUCKET, {"bucket": "data", "tags": UNKNOWN_STRING_VALUE}, id="tags"),
    ],
)
def test_a_value_unknown_at_preview_leaves_the_rule_undecided(rule, resource_type, inputs) -> None:
    """Neither a fail nor a pass: the value the verdict turns on is known only after apply."""
    report = report_of(rule, [{"type": resource_type, "name": "subject", "inputs": inputs}])
    assert report.violations == []
    assert [u.policy_name for u in report.undecided] == [rule]


# --- endpoint configurations ---------------------------------------------------------------------


def test_every_production_variant_needs_two_instances_not_only_the_first() -> None:
    """A second production variant started on one instance fails, named by its index."""
    inputs = {
        "kmsKeyArn": KEY,
        "productionVariants": [
            {"variantName": "a", "modelName": "m", "instanceType": "ml.m5.xlarge", "initialInstanceCount": 2},
            {"variantName": "b", "modelName": "m", "instanceType": "ml.m5.xlarge", "initialInstanceCount": 1},
        ],
    }
    assert messages(MIN_COUNT, ENDPOINT_CONFIG, inputs) == [
        "productionVariants[1].initialInstanceCount is 1: set initial_instance_count >= 2 so the variant "
        "survives an instance or AZ failure."
    ]


def test_an_empty_storage_key_is_no_key() -> None:
    inputs = {"kmsKeyArn": "", "productionVariants": [variant("ml.m5.xlarge", 2)]}
    assert messages(STORAGE_KEY, ENDPOINT_CONFIG, inputs) == [
        "kmsKeyArn is unset: set kms_key_arn to a customer-managed KMS key for the endpoint's storage "
        "volumes (serverless variants accept it too)."
    ]


# --- models --------------------------------------------------------------------------------------


def model(*containers: dict[str, Any]) -> dict[str, Any]:
    """:data:`MODEL_OK` serving ``containers[]`` (an inference pipeline) instead of one primary container."""
    inputs = {k: v for k, v in MODEL_OK.items() if k != "primaryContainer"}
    return {**inputs, "containers": list(containers)}


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("registry.example.com/platform/serving:1", []),
        (
            "registry.example.com/team/serving:1",
            [
                "containers[0].imageConfig.repositoryAccessMode is unset for bring-your-own image "
                "'registry.example.com/team/serving:1': set image_config={'repository_access_mode': 'Vpc'} "
                "(or host the image in ECR)."
            ],
        ),
    ],
    ids=["path-under-the-pattern-passes", "other-path-of-the-same-host-fails"],
)
def test_a_registry_pattern_with_a_path_exempts_that_path_only(image, expected) -> None:
    cfg = {"platformRegistryPatterns": ["registry.example.com/platform/*"]}
    assert messages(REGISTRY, MODEL, model({"image": image}), cfg) == expected


@pytest.mark.parametrize(
    "container",
    [
        {
            "image": "registry.example.com/serving:1",
            "imageConfig": {"repositoryAccessMode": UNKNOWN_STRING_VALUE},
        },
        {"image": UNKNOWN_STRING_VALUE},
    ],
    ids=["access-mode-unknown", "image-unknown"],
)
def test_a_bring_your_own_image_read_at_preview_is_undecided(container) -> None:
    """Neither a fail (the mode may be Vpc) nor a pass (the image may be another registry's)."""
    report = report_of(REGISTRY, [{"type": MODEL, "name": "subject", "inputs": model(container)}])
    assert report.violations == []
    assert [u.policy_name for u in report.undecided] == [REGISTRY]


def test_every_container_of_an_inference_pipeline_comes_from_a_model_package() -> None:
    inputs = model({"modelPackageName": PACKAGE_ARN}, {"image": "1.dkr.ecr.eu-west-1.amazonaws.com/post:1"})
    assert messages(PACKAGE, MODEL, inputs) == [
        "containers[1].modelPackageName is unset: deploy an approved model package version "
        "(model_package_name) instead of a raw image and model artifact."
    ]


# --- inference components ------------------------------------------------------------------------


def per_instance_type(**spec: Any) -> dict[str, Any]:
    """:data:`COMPONENT_OK` with ``specifications[]`` (one per instance type) instead of ``specification``."""
    inputs = {k: v for k, v in COMPONENT_OK.items() if k != "specification"}
    return {**inputs, "specifications": [{"instanceType": "ml.g5.xlarge", **spec}]}


def test_each_specification_per_instance_type_is_judged() -> None:
    inputs = per_instance_type(container={"image": "1.dkr.ecr.eu-west-1.amazonaws.com/y:1"})
    assert messages(GOVERNED, COMPONENT, inputs) == [
        "specifications[0].container is set: an inline container has no network isolation, VPC or role of "
        "its own; deploy a SageMaker model (enable_network_isolation, vpc_config) and set "
        "specifications[0].model_name instead.",
        "specifications[0].modelName is unset: set model_name to a SageMaker model, which the pack's model "
        "rules judge (network isolation, VPC, model package).",
    ]
    assert messages(RESERVED, COMPONENT, inputs) == [
        "specifications[0].computeResourceRequirements.minMemoryRequiredInMb is unset: reserve the memory a "
        "copy needs (at least 128 MiB) so copies of other models cannot starve it."
    ]
    governed = per_instance_type(
        modelName="churn-model", computeResourceRequirements={"minMemoryRequiredInMb": 4096}
    )
    assert messages(GOVERNED, COMPONENT, governed) == []
    assert messages(RESERVED, COMPONENT, governed) == []


def test_a_serverless_endpoint_configuration_needs_no_execution_role() -> None:
    """It hosts a model, not inference components: no instance-backed variant to run them."""
    assert messages(ROLE, ENDPOINT_CONFIG, {"kmsKeyArn": KEY, "productionVariants": [SERVERLESS]}) == []


def test_a_serverless_variant_naming_a_model_does_not_stand_in_for_the_instance_variants() -> None:
    """The rule reads the instance-backed variants only: those name no model, so they host components."""
    hosting = {"variantName": "components", "instanceType": "ml.m5.xlarge", "initialInstanceCount": 2}
    inputs = {"kmsKeyArn": KEY, "productionVariants": [hosting, SERVERLESS]}
    assert messages(ROLE, ENDPOINT_CONFIG, inputs) == [
        "productionVariants name no model (an endpoint of inference components) and executionRoleArn is "
        "unset: set execution_role_arn to a least-privilege SageMaker role; SageMaker requires it."
    ]


# --- cost-allocation tags ------------------------------------------------------------------------


def test_a_blank_resource_tag_overrides_the_providers_default() -> None:
    """pulumi-aws: a resource tag overwrites the provider's default tag of the same key."""
    specs = [
        {"type": AWS_PROVIDER, "name": "aws", "inputs": {"defaultTags": json.dumps({"tags": TAGS})}},
        {
            "type": BUCKET,
            "name": "data",
            "inputs": {"bucket": "data", "tags": {"owner": " "}},
            "provider": "aws",
        },
    ]
    assert stack_messages(TAGGED, specs) == [
        "tags lacks owner: set them on the resource or in the aws provider's default_tags."
    ]


# --- model approval ------------------------------------------------------------------------------


def registering(status: Any) -> dict[str, Any]:
    definition = {
        "Version": "2020-12-01",
        "Parameters": [{"Name": "Status", "Type": "String", "DefaultValue": "PendingManualApproval"}],
        "Steps": [
            {
                "Name": "Decide",
                "Type": "Lambda",
                "Arguments": {},
                "FunctionArn": "arn:aws:lambda:eu-west-1:1:function:d",
            },
            {
                "Name": "Register",
                "Type": "RegisterModel",
                "Arguments": {"ModelPackageGroupName": "churn", "ModelApprovalStatus": status},
            },
        ],
    }
    return {
        "pipelineName": "churn",
        "roleArn": "arn:aws:iam::1:role/p",
        "pipelineDefinition": json.dumps(definition),
    }


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ({"Get": "Parameters.Status"}, []),
        (
            {"Get": "Steps.Decide.OutputParameters['status']"},
            [
                "Steps[Register].Arguments.ModelApprovalStatus is computed when the pipeline runs "
                "({'Get': \"Steps.Decide.OutputParameters['status']\"}): set it to 'PendingManualApproval' "
                "(or to a parameter defaulting to it) and approve after review."
            ],
        ),
        (
            {
                "Std:JsonGet": {
                    "PropertyFile": {"Get": "Steps.Evaluate.PropertyFiles.Report"},
                    "Path": "status",
                }
            },
            [
                "Steps[Register].Arguments.ModelApprovalStatus is computed when the pipeline runs "
                "({'Std:JsonGet': {'PropertyFile': {'Get': 'Steps.Evaluate.PropertyFiles.Report'}, 'Path': "
                "'status'}}): set it to 'PendingManualApproval' (or to a parameter defaulting to it) and "
                "approve after review."
            ],
        ),
    ],
    ids=["parameter-defaulting-to-pending-passes", "a-steps-output-fails", "a-json-get-fails"],
)
def test_an_approval_status_decided_when_the_pipeline_runs_fails(status, expected) -> None:
    """A Lambda or a property file deciding ``Approved`` is auto-approval, whatever the definition says."""
    assert messages(APPROVAL, PIPELINE, registering(status)) == expected
    assert messages(APPROVAL, PIPELINE, registering(status), {"requireManualApproval": False}) == []


# --- instance allowlist --------------------------------------------------------------------------


def test_the_allowlist_reads_an_aws_native_model_bias_job_definition() -> None:
    inputs = {"jobResources": {"clusterConfig": {"instanceType": "ml.p4d.24xlarge", "instanceCount": 1}}}
    assert [m.split(":")[0] for m in messages(ALLOWLIST, NATIVE_BIAS, inputs)] == [
        "jobResources.clusterConfig.instanceType 'ml.p4d.24xlarge' is not allowed in this environment"
    ]


# --- GPU quota -----------------------------------------------------------------------------------


def managed_variant(count: int, managed: dict[str, Any]) -> dict[str, Any]:
    return {**variant("ml.g5.xlarge", count), "managedInstanceScaling": managed}


def over(total: int, quota: int, parts: str) -> str:
    return (
        f"the stack asks for {total} GPU instances, over maxGpuInstances={quota} ({parts}): lower "
        "counts/maxCapacity or raise the quota in the env config."
    )


def test_a_quota_of_zero_allows_no_gpu() -> None:
    assert stack_messages(QUOTA, endpoint_graph(count=1), {"maxGpuInstances": 0}) == [
        over(1, 0, "config.productionVariants[0].instanceType=ml.g5.xlarge x1")
    ]


def test_a_gpu_variant_without_an_initial_count_counts_one_instance() -> None:
    uncounted = [
        {k: v for k, v in variant("ml.g5.xlarge", name=n).items() if k != "initialInstanceCount"}
        for n in "ab"
    ]
    specs = [{"type": ENDPOINT_CONFIG, "name": "config", "inputs": config(*uncounted)}]
    assert stack_messages(QUOTA, specs, {"maxGpuInstances": 1}) == [
        over(
            2,
            1,
            "config.productionVariants[0].instanceType=ml.g5.xlarge x1; "
            "config.productionVariants[1].instanceType=ml.g5.xlarge x1",
        )
    ]


@pytest.mark.parametrize(
    "managed",
    [
        {"minInstanceCount": 1, "maxInstanceCount": 2},  # status unset: not DISABLED
        {"status": "ENABLED", "minInstanceCount": 1, "maxInstanceCount": 2},
    ],
    ids=["status-unset", "enabled"],
)
def test_a_managed_scaling_ceiling_below_the_initial_count_does_not_lower_it(managed) -> None:
    """max(initialInstanceCount, maxInstanceCount): the variant starts on 4 whatever its ceiling."""
    specs = [{"type": ENDPOINT_CONFIG, "name": "config", "inputs": config(managed_variant(4, managed))}]
    assert stack_messages(QUOTA, specs, {"maxGpuInstances": 3}) == [
        over(4, 3, "config.productionVariants[0].instanceType=ml.g5.xlarge x4")
    ]


def test_managed_scaling_without_a_status_counts_its_ceiling() -> None:
    """Only ``status: DISABLED`` turns the ceiling off; an unset status is counted (the safe side)."""
    managed = {"minInstanceCount": 1, "maxInstanceCount": 6}
    specs = [{"type": ENDPOINT_CONFIG, "name": "config", "inputs": config(managed_variant(1, managed))}]
    assert stack_messages(QUOTA, specs) == [
        over(6, 4, "config.productionVariants[0].instanceType=ml.g5.xlarge x6")
    ]


def test_a_target_ceiling_below_the_initial_count_does_not_lower_it() -> None:
    assert stack_messages(QUOTA, endpoint_graph(count=4, max_capacity=2), {"maxGpuInstances": 3}) == [
        over(4, 3, "config.productionVariants[0].instanceType=ml.g5.xlarge x4")
    ]


def test_the_highest_of_two_targets_on_one_variant_counts() -> None:
    """Two registrations of one variant: either may be the one in force, so the higher ceiling counts."""
    specs = endpoint_graph(count=2, max_capacity=6)
    second = json.loads(json.dumps(specs[-1]))
    second["name"], second["inputs"]["maxCapacity"] = "target-2", 2
    assert stack_messages(QUOTA, [*specs, second]) == [
        over(6, 4, "config.productionVariants[0].instanceType=ml.g5.xlarge x6")
    ]


def test_every_endpoints_targets_are_counted() -> None:
    """The second endpoint's autoscaling ceiling counts as the first's does."""
    first = endpoint_graph("ml.m5.xlarge", 2, max_capacity=4)
    second = [
        {
            "type": ENDPOINT_CONFIG,
            "name": "gpu-config",
            "inputs": {"name": "gpu-cfg", **config(variant("ml.g5.xlarge", 1))},
        },
        {
            "type": ENDPOINT,
            "name": "gpu-endpoint",
            "inputs": {"name": "gpu", "endpointConfigName": "gpu-cfg"},
            "deps": {"endpointConfigName": ["gpu-config"]},
        },
        {
            "type": TARGET,
            "name": "gpu-target",
            "deps": {"resourceId": ["gpu-endpoint"]},
            "inputs": {
                "serviceNamespace": "sagemaker",
                "scalableDimension": "sagemaker:variant:DesiredInstanceCount",
                "resourceId": "endpoint/gpu/variant/primary",
                "minCapacity": 1,
                "maxCapacity": 5,
            },
        },
    ]
    assert stack_messages(QUOTA, first + second) == [
        over(5, 4, "gpu-config.productionVariants[0].instanceType=ml.g5.xlarge x5")
    ]


def test_a_target_whose_variant_is_unknown_may_scale_the_second_variant() -> None:
    """The GPU variant listed after a CPU one is still undecided when a target's variant is unknown."""
    specs = endpoint_graph("ml.g5.xlarge", 2, max_capacity=8)
    specs[0]["inputs"] = {
        "name": "cfg",
        **config(variant("ml.m5.xlarge", 2, name="cpu"), variant("ml.g5.xlarge", 2)),
    }
    specs[-1]["inputs"]["resourceId"] = UNKNOWN_STRING_VALUE
    report = report_of(QUOTA, specs)
    assert report.violations == []
    assert report.stack_undecided == {QUOTA: 1}


def test_five_askers_are_all_named_with_no_remainder() -> None:
    specs = [
        {"type": ENDPOINT_CONFIG, "name": f"config-{n}", "inputs": config(variant("ml.g5.xlarge", 1))}
        for n in range(1, 6)
    ]
    named = "; ".join(f"config-{n}.productionVariants[0].instanceType=ml.g5.xlarge x1" for n in range(1, 6))
    assert stack_messages(QUOTA, specs) == [over(5, 4, named)]


def test_a_tuning_step_whose_parallelism_is_decided_at_run_time_is_refused() -> None:
    """Read as 1 before (5 instances, within no quota's sight): a run could start any number of them."""
    definition = {
        "Version": "2020-12-01",
        "Steps": [
            {
                "Name": "Tune",
                "Type": "Tuning",
                "Arguments": {
                    "HyperParameterTuningJobConfig": {
                        "ResourceLimits": {
                            "MaxParallelTrainingJobs": {"Get": "Steps.Plan.Properties.Parallel"}
                        }
                    },
                    "TrainingJobDefinition": {
                        "ResourceConfig": {"InstanceType": "ml.g5.xlarge", "InstanceCount": 5}
                    },
                },
            }
        ],
    }
    specs = [{"type": PIPELINE, "name": "pipeline", "inputs": {"pipelineDefinition": json.dumps(definition)}}]
    assert stack_messages(QUOTA, specs) == [
        "pipeline.Steps[Tune].Arguments.HyperParameterTuningJobConfig.ResourceLimits.MaxParallelTrainingJobs "
        "is the pipeline expression {'Get': 'Steps.Plan.Properties.Parallel'}, evaluated only when the "
        "pipeline runs, so the ml.g5.xlarge instances of "
        "Steps[Tune].Arguments.TrainingJobDefinition.ResourceConfig.InstanceType cannot be counted against "
        "maxGpuInstances=4: write the number, or a Parameters reference with a default."
    ]


@pytest.mark.parametrize(
    ("rule", "cfg", "expected"),
    [
        pytest.param(
            ALLOWLIST,
            None,
            "productionVariants[0].instanceType 'ml.p4d.24xlarge' is not allowed in this environment",
            id="allowlist",
        ),
        pytest.param(
            QUOTA,
            {"maxGpuInstances": 0},
            "the stack asks for 1 GPU instances, over maxGpuInstances=0",
            id="gpu-quota",
        ),
    ],
)
def test_a_serverless_variant_naming_an_instance_type_is_judged_by_it(rule, cfg, expected) -> None:
    both = {**variant("ml.p4d.24xlarge"), "serverlessConfig": {"maxConcurrency": 5, "memorySizeInMb": 2048}}
    specs = [{"type": ENDPOINT_CONFIG, "name": "config", "inputs": config(both)}]
    found = (
        stack_messages(rule, specs, cfg) if rule == QUOTA else messages(rule, ENDPOINT_CONFIG, config(both))
    )
    assert len(found) == 1 and found[0].startswith(expected), found
    # a serverless variant without one (or with the empty value read after apply) is not judged
    for instance_type in (None, ""):
        bare = {**both, "instanceType": instance_type}
        specs = [{"type": ENDPOINT_CONFIG, "name": "config", "inputs": config(bare)}]
        assert (
            stack_messages(rule, specs, cfg)
            if rule == QUOTA
            else messages(rule, ENDPOINT_CONFIG, config(bare))
        ) == []
