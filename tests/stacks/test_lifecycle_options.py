"""Issue #17's "done means": one stack with every lifecycle option turned on plans cleanly, with each
option's resources present and wired, judged by the prod policy pack, and costed.

The stack is the prod fixture plus the options no fixture stack carries (several tests read those
fixtures and assume one endpoint or one serving): hyperparameter tuning, a shared endpoint of
inference components and a KServe Triton serving of the approved version on Kubernetes. Triton on
SageMaker serves a model repository by URL (tests/components/test_inference_endpoint_triton.py),
which prod's pack refuses (prod-model-from-model-package): it is not part of a prod stack.
Each option's own tests (named beside each assertion) check its semantics in depth; this test
checks that they compose in one stack.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from components.training.definition import iter_steps
from planner.cost import estimate_cost
from planner.recorder import RecordedResource, ResourceGraph, record_stack_file
from policies.local import evaluate_report
from policies.registry import load_pack_config
from stacks.config import CONFIG_KEY
from tests.conftest import load_stack_document
from tests.graph_helpers import training_pipelines
from tests.recorded import computed_once
from tests.yaml_text import dump_document

TRITON_IMAGE = "nvcr.io/nvidia/tritonserver@sha256:" + "a" * 64
ARTIFACT = "s3://prod-artifacts-1a2b/models/prod-customer-churn-training/7/output/model.tar.gz"
ISVC = "kubernetes:serving.kserve.io/v1beta1:InferenceService"


def _every_option(platform: dict[str, Any]) -> None:
    [churn] = [m for m in platform["models"] if m["name"] == "customer-churn"]
    for tuned in ("learning_rate", "max_leaf_nodes"):
        del churn["training"]["hyperparameters"][tuned]
    churn["training"]["tuning"] = {
        "strategy": "Bayesian",
        "objective": {"metric": "validation:auc", "type": "Maximize"},
        "max_jobs": 8,
        "max_parallel_jobs": 2,
        "parameters": {
            "learning_rate": {"type": "continuous", "min": 0.01, "max": 0.3, "scaling": "Logarithmic"},
            "max_leaf_nodes": {"type": "integer", "min": 8, "max": 63},
        },
    }
    platform["experiment_tracking"] = {"enabled": True, "automatic_model_registration": True}
    platform["shared_endpoints"] = [
        {
            "name": "small-models",
            "instance_type": "ml.g5.12xlarge",
            "initial_instance_count": 2,
            "managed_scaling": {"min_instances": 2, "max_instances": 3},
            "components": [
                {
                    "name": "churn",
                    "model": {"latest_approved_of": "customer-churn"},
                    "compute": {"cpu_cores": 4, "memory_mb": 16384, "accelerators": 1},
                    "copies": 2,
                    "scaling": {"min_copies": 2, "max_copies": 6, "invocations_per_copy": 50},
                }
            ],
        }
    ]
    platform["kubernetes_serving"] = {
        "cluster_arn": "arn:aws:eks:eu-west-1:333333333333:cluster/ml",
        "servings": [
            {
                "name": "churn-triton",
                "image": TRITON_IMAGE,
                "server": "triton",
                "kserve": {},
                "latest_approved_of": "customer-churn",
            }
        ],
    }


def _program():
    from stacks.model_packages import ResolvedModelPackage, nothing_deployed
    from stacks.program import run

    def resolve(source: str) -> ResolvedModelPackage:
        arn = f"arn:aws:sagemaker:eu-west-1:333333333333:model-package/{source}/7"
        return ResolvedModelPackage(arn=arn, baselines=None, model_data_urls=(ARTIFACT,))

    return lambda source: run(
        source, resolver_factory=lambda config: resolve, deployed_factory=lambda config: nothing_deployed
    )


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    document = load_stack_document("prod")
    _every_option(document["config"][CONFIG_KEY])
    document["config"]["mlops-platform:kubeconfig"] = "apiVersion: v1"
    path: Path = tmp_path_factory.mktemp("lifecycle") / "Pulumi.prod.yaml"
    text = dump_document(document)
    path.write_text(text)
    # Recorded once per version of the code, of this module (its program) and of the document
    # (tests/recorded.py, computed_once); the graph does not depend on the file's folder.
    graph = computed_once("lifecycle-graph", lambda: record_stack_file(str(path), _program()), key=[text])
    return dataclasses.replace(graph, source=str(path))


def _one(graph: ResourceGraph, type_: str) -> RecordedResource:
    [resource] = graph.of_type(type_)
    return resource


def _steps(pipeline: RecordedResource) -> dict[str, dict[str, Any]]:
    definition = json.loads(pipeline.inputs["pipelineDefinition"])
    return {step["Name"]: step for step in iter_steps(definition["Steps"])}


def test_training_tunes_reads_the_feature_store_reports_drift_and_tracks(graph: ResourceGraph) -> None:
    # tests/pipelines/test_tuning_step.py, test_feature_input.py, test_evidently_step.py,
    # test_track_experiment.py check each step's request in depth.
    [pipeline] = [p for p in training_pipelines(graph) if "customer-churn" in p.name]
    types = {name: step["Type"] for name, step in _steps(pipeline).items()}
    assert types["Tune"] == "Tuning" and "Train" not in types
    assert types["ExtractFeatures"] == "Processing"
    assert types["EvidentlyReport"] == "Processing"
    assert types["TrackExperiment"] == "Processing"
    assert [t for name, t in types.items() if name.startswith("RegisterModel")] == ["RegisterModel"]
    [workgroup] = graph.of_type("aws:athena/workgroup:Workgroup")
    assert workgroup.inputs["configuration"]["enforceWorkgroupConfiguration"] is True
    assert graph.of_type("aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer")


def test_mlflow_registers_models_anywhere_but_in_the_platforms_own_groups(graph: ResourceGraph) -> None:
    """Automatic registration lets the tracking server's role create and update model versions
    (UpdateModelPackage sets a version's approval, which deploys it): never in the stack's own
    model package groups, whose versions the training pipeline registers and the promotion approves."""
    groups = {
        g.inputs["modelPackageGroupName"]
        for g in graph.of_type("aws:sagemaker/modelPackageGroup:ModelPackageGroup")
    }
    assert groups
    [policy] = [
        p
        for p in graph.of_type("aws:iam/rolePolicy:RolePolicy")
        if p.name == "experiment-tracking-server-permissions"
    ]
    found = json.loads(policy.inputs["policy"])["Statement"]
    [deny] = [s for s in found if s["Effect"] == "Deny"]
    assert set(deny["Action"]) >= {"sagemaker:CreateModelPackage", "sagemaker:UpdateModelPackage"}
    registry = deny["Resource"][0].split(":model-package-group/")[0]
    assert set(deny["Resource"]) == {
        arn
        for group in {form for name in groups for form in (name, name.lower())}
        for arn in (f"{registry}:model-package-group/{group}", f"{registry}:model-package/{group}/*")
    }


def test_batch_scoring_runs_a_transform_pipeline_on_a_schedule(graph: ResourceGraph) -> None:
    # tests/components/test_batch_scoring.py checks the job, its network and its schedule in depth.
    batch = [
        p for p in graph.of_type("aws:sagemaker/pipeline:Pipeline") if p not in training_pipelines(graph)
    ]
    [pipeline] = batch
    assert "Transform" in {step["Type"] for step in _steps(pipeline).values()}
    targets = [s.inputs["target"]["arn"] for s in graph.of_type("aws:scheduler/schedule:Schedule")]
    assert pipeline.outputs["arn"] in targets


def test_governance_records_audit_trail_and_cost_guardrails_are_provisioned(graph: ResourceGraph) -> None:
    # tests/components/test_audit_trail.py, test_cost_guardrails.py, test_dvc_remote.py.
    trail = _one(graph, "aws:cloudtrail/trail:Trail")
    assert trail.inputs["isMultiRegionTrail"] is True and trail.inputs["enableLogFileValidation"] is True
    budget = _one(graph, "aws:budgets/budget:Budget")
    assert float(budget.inputs["limitAmount"]) == 14000
    assert graph.of_type("aws:costexplorer/anomalyMonitor:AnomalyMonitor")
    assert graph.of_type("aws:costexplorer/anomalySubscription:AnomalySubscription")
    assert graph.of_type("aws:costexplorer/costAllocationTag:CostAllocationTag")
    assert [r for r in graph.of_type("aws:iam/role:Role") if "dvc" in r.name]
    assert graph.of_type("aws:ecr/repository:Repository")  # the Evidently image's


def test_serving_options_share_instances_and_run_triton_and_kserve(graph: ResourceGraph) -> None:
    # tests/components/test_shared_endpoint.py,
    # tests/stacks/test_kubernetes_presets_wiring.py.
    component = _one(graph, "aws-native:sagemaker:InferenceComponent")
    assert (
        component.inputs["specification"]["computeResourceRequirements"]["numberOfAcceleratorDevicesRequired"]
        == 1
    )
    assert component.inputs["runtimeConfig"]["copyCount"] == 2
    isvc = _one(graph, ISVC)
    [container] = isvc.inputs["spec"]["predictor"]["containers"]
    assert container["image"] == TRITON_IMAGE


def test_the_stack_passes_the_prod_policy_pack(graph: ResourceGraph) -> None:
    report = evaluate_report(graph.resources, load_pack_config("prod"))
    assert [v for v in report.violations if v.enforcement_level == "mandatory"] == []


def test_every_billed_option_is_costed(graph: ResourceGraph) -> None:
    estimate = estimate_cost(graph)
    assert estimate.unpriced == ()
    priced_types = {item.type for component in estimate.by_component.values() for item in component.items}
    for billed in (
        "aws:sagemaker/endpoint:Endpoint",
        "aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer",
        "aws:cloudtrail/trail:Trail",
        "aws:ecr/repository:Repository",
    ):
        assert billed in priced_types, billed
    [tuned] = [run for run in estimate.training_runs if "customer-churn" in run.pipeline]
    assert tuned.jobs == 8
