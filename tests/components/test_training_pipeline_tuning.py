"""The staging fixture tunes the churn family (models[0].training.tuning): what the recorded stack
holds because of it. The pipeline's Tune step carries the stack file's search; the pipeline role
may run tuning jobs, only where a family tunes; the plan prices a run as max_jobs training jobs (a
Grid search: one per combination), per run, leaving the monthly totals as they are untuned."""

from __future__ import annotations

import json
from typing import Any

import pytest

from planner.cost import estimate_cost
from planner.pricing import load_prices
from planner.recorder import ResourceGraph
from stacks.config import CONFIG_KEY
from tests.conftest import load_stack_document
from tests.graph_helpers import as_list, policy_of, statements, training_pipelines
from tests.recorded import recorded_stack
from tests.yaml_text import dump_document

ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
TUNING_ACTIONS = {
    "sagemaker:CreateHyperParameterTuningJob",
    "sagemaker:DescribeHyperParameterTuningJob",
    "sagemaker:StopHyperParameterTuningJob",
    "sagemaker:ListTrainingJobsForHyperParameterTuningJob",
    "sagemaker:AddTags",
}


def _steps(graph) -> dict:
    (pipeline,) = training_pipelines(graph)
    definition = json.loads(pipeline.inputs["pipelineDefinition"])
    return {step["Name"]: step for step in definition["Steps"]}


def test_the_staging_pipeline_tunes_with_the_stack_files_search(stack_graphs) -> None:
    steps = _steps(stack_graphs["staging"])
    config = steps["Tune"]["Arguments"]["HyperParameterTuningJobConfig"]
    job = steps["Tune"]["Arguments"]["TrainingJobDefinition"]

    assert "Train" not in steps
    assert config["Strategy"] == "Bayesian" and config["TrainingJobEarlyStoppingType"] == "Auto"
    assert config["HyperParameterTuningJobObjective"] == {"Type": "Maximize", "MetricName": "validation:auc"}
    # The whole job's limit by default: four waves of three, each up to the spot wait limit (7200 s).
    assert config["ResourceLimits"] == {
        "MaxNumberOfTrainingJobs": 12, "MaxParallelTrainingJobs": 3, "MaxRuntimeInSeconds": 4 * 7200
    }  # fmt: skip
    assert {r["Name"]: (r["MinValue"], r["MaxValue"], r["ScalingType"]) for r in config["ParameterRanges"]["ContinuousParameterRanges"]} == {
        "learning_rate": ("0.01", "0.3", "Logarithmic")
    }  # fmt: skip
    assert [r["Name"] for r in config["ParameterRanges"]["IntegerParameterRanges"]] == ["max_leaf_nodes"]
    # Staging trains on spot (stacks/defaults.py): so does every tuned job, with its checkpoints.
    assert job["EnableManagedSpotTraining"] is True and job["CheckpointConfig"]["S3Uri"]
    assert job["StoppingCondition"]["MaxWaitTimeInSeconds"] > job["StoppingCondition"]["MaxRuntimeInSeconds"]
    assert not {"learning_rate", "max_leaf_nodes"} & set(job["StaticHyperParameters"])


def test_the_other_fixture_stacks_still_train_one_job(stack_graphs) -> None:
    for stack in ("dev", "prod"):
        steps = _steps(stack_graphs[stack])
        assert steps["Train"]["Type"] == "Training" and "Tune" not in steps, stack


def _pipeline_role_statements(graph) -> list[dict]:
    policy = next(p for p in graph.of_type(ROLE_POLICY) if p.name == "pipeline-role-permissions")
    return statements(policy_of(policy))


def test_the_pipeline_role_may_run_tuning_jobs_only_where_a_family_tunes(stack_graphs) -> None:
    config = stack_graphs["staging"].config["mlops-platform:platform"]
    arn = f"arn:aws:sagemaker:{config['region']}:{config['account_id']}:hyper-parameter-tuning-job/*"

    tuning = [
        s
        for s in _pipeline_role_statements(stack_graphs["staging"])
        if "sagemaker:CreateHyperParameterTuningJob" in as_list(s["Action"])
    ]
    assert [(set(s["Action"]), s["Resource"], s["Effect"]) for s in tuning] == [
        (TUNING_ACTIONS, arn, "Allow")
    ]
    for stack in ("dev", "prod"):
        actions = {a for s in _pipeline_role_statements(stack_graphs[stack]) for a in as_list(s["Action"])}
        assert not actions & (TUNING_ACTIONS - {"sagemaker:AddTags"}), stack


def test_the_plan_prices_a_tuned_run_as_max_jobs_training_jobs(stack_graphs) -> None:
    staging, dev = (estimate_cost(stack_graphs[stack]) for stack in ("staging", "dev"))
    rate = load_prices("eu-west-1").get("sagemaker_training_per_hour", "ml.m5.xlarge")

    (tune,) = staging.training_runs
    assert (tune.step, tune.step_type, tune.jobs, tune.parallel_jobs) == ("Tune", "Tuning", 12, 3)
    assert (tune.instance_type, tune.instance_count, tune.spot) == ("ml.m5.xlarge", 1, True)
    assert tune.max_per_run == round(12 * rate * tune.max_runtime_seconds / 3600, 2)
    # Three at a time: four waves, each up to the spot wait limit (7200 s in staging's defaults).
    assert tune.max_wall_seconds == 4 * 7200
    (train,) = dev.training_runs
    assert (train.step, train.jobs, train.parallel_jobs) == ("Train", 1, 1)
    assert train.max_per_run == round(rate * train.max_runtime_seconds / 3600, 2)
    assert staging.to_json()["training_runs"][0]["max_per_run"] == tune.max_per_run


def _untuned(platform: dict[str, Any]) -> None:
    for model in platform["models"]:
        (model.get("training") or {}).pop("tuning", None)


def _grid(platform: dict[str, Any]) -> None:
    platform["models"][0]["training"]["tuning"] = {
        "strategy": "Grid",
        "objective": {"metric": "validation:auc", "type": "Maximize"},
        "max_parallel_jobs": 2,
        "parameters": {
            "learning_rate": {"type": "categorical", "values": ["0.05", "0.1", "0.2"]},
            "max_leaf_nodes": {"type": "categorical", "values": ["15", "31", "63"]},
        },
    }


@pytest.fixture(scope="module")
def staging_variants(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ResourceGraph]:
    """The staging fixture untuned, and tuning with a 3 x 3 Grid."""
    graphs = {}
    for name, edit in (("untuned", _untuned), ("grid", _grid)):
        document = load_stack_document("staging")
        edit(document["config"][CONFIG_KEY])
        path = tmp_path_factory.mktemp(name) / "Pulumi.staging.yaml"
        path.write_text(dump_document(document))
        graphs[name] = recorded_stack(path)
    return graphs


def test_tuning_is_priced_per_run_and_leaves_the_monthly_totals_as_untuned(
    stack_graphs, staging_variants
) -> None:
    tuned, untuned = estimate_cost(stack_graphs["staging"]), estimate_cost(staging_variants["untuned"])

    assert [run.step_type for run in untuned.training_runs] == ["Training"]
    assert (tuned.monthly_min, tuned.monthly_max) == (untuned.monthly_min, untuned.monthly_max)


def test_the_plan_prices_a_grid_search_as_one_job_per_combination(staging_variants) -> None:
    """Grid sends no MaxNumberOfTrainingJobs: it runs every combination, 3 x 3 here."""
    rate = load_prices("eu-west-1").get("sagemaker_training_per_hour", "ml.m5.xlarge")

    (tune,) = estimate_cost(staging_variants["grid"]).training_runs

    assert (tune.step_type, tune.jobs, tune.parallel_jobs) == ("Tuning", 9, 2)
    assert tune.max_per_run == round(9 * rate * tune.max_runtime_seconds / 3600, 2)
    # Two at a time: five waves, each up to the spot wait limit (7200 s in staging's defaults).
    assert tune.max_wall_seconds == 5 * 7200
