"""Model families are data: a family's training (code, framework, schema, metrics, compute) comes
from the stack file, and a family the platform cannot train is a config error naming the key."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from typing import Any

import pytest

from components.training.definition import iter_steps
from planner.policy_check import evaluate_policies
from planner.recorder import ResourceGraph
from stacks.config import CONFIG_KEY, ConfigError, parse_platform_config
from tests.conftest import REPO, load_stack_document
from tests.recorded import recorded_stack
from tests.stack_edits import forecast_family
from tests.stacks.conftest import budgeted_serving_cut, endpointless_cut

FORECAST_HYPERPARAMETERS = {"num_round": 300, "eta": 0.1}


def _platform(stack: str = "dev", edit: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    platform = load_stack_document(stack)["config"][CONFIG_KEY]
    if edit is not None:
        edit(platform)
    return platform


def _with_forecast(platform: dict[str, Any]) -> None:
    platform["models"].append(forecast_family(hyperparameters=FORECAST_HYPERPARAMETERS))


def _pipelines(graph: ResourceGraph) -> dict[str, dict[str, Any]]:
    return {
        p.inputs["pipelineName"]: json.loads(p.inputs["pipelineDefinition"])
        for p in graph.of_type("aws:sagemaker/pipeline:Pipeline")
    }


def _steps(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {step["Name"]: step for step in iter_steps(definition["Steps"])}


def _parameter(definition: dict[str, Any], name: str) -> Any:
    return next(p["DefaultValue"] for p in definition["Parameters"] if p["Name"] == name)


@pytest.fixture(scope="module")
def two_families(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    """The dev fixture with the demand-forecast family added as the README describes."""
    document = load_stack_document("dev")
    _with_forecast(document["config"][CONFIG_KEY])
    path = tmp_path_factory.mktemp("families") / "Pulumi.dev.yaml"
    path.write_text(json.dumps(document))
    return recorded_stack(str(path))


def test_each_family_trains_its_own_code_on_its_own_framework(two_families: ResourceGraph) -> None:
    pipelines = _pipelines(two_families)
    assert sorted(pipelines) == ["dev-customer-churn-training", "dev-demand-forecast-training"]
    churn = _steps(pipelines["dev-customer-churn-training"])
    forecast = _steps(pipelines["dev-demand-forecast-training"])

    assert (
        "sagemaker-scikit-learn:1.2-1"
        in churn["Train"]["Arguments"]["AlgorithmSpecification"]["TrainingImage"]
    )
    assert forecast["Train"]["Arguments"]["AlgorithmSpecification"]["TrainingImage"].endswith(
        "/sagemaker-xgboost:3.0-5"
    )
    assert forecast["Preprocess"]["Arguments"]["AppSpecification"]["ContainerArguments"] == [
        "--seed", "42", "--label", "units_sold", "--identifiers", "store_id,sku,week_start",
    ]  # fmt: skip
    hyperparameters = forecast["Train"]["Arguments"]["HyperParameters"]
    assert (hyperparameters["label"], hyperparameters["num_round"], hyperparameters["eta"]) == (
        "units_sold",
        "300",
        "0.1",
    )
    assert "max_iter" not in hyperparameters, "no other family's hyperparameters"
    # RMSE: lower is better, so a version registers when it is at most the threshold.
    [condition] = forecast["CheckMetric"]["Arguments"]["Conditions"]
    assert (condition["Type"], condition["LeftValue"]["Std:JsonGet"]["Path"]) == (
        "LessThanOrEqualTo",
        "metrics.rmse.value",
    )
    assert forecast["ModelQualityBaseline"]["Arguments"]["Environment"]["problem_type"] == "Regression"
    # Each family's scripts are its own objects, named after the family's pipeline.
    scripts = {
        resource.inputs["key"]
        for resource in two_families.of_type("aws:s3/bucketObjectv2:BucketObjectv2")
        if "demand-forecast" in resource.inputs["key"]
    }
    # (and the platform's DatasetManifest script, the same for every family).
    assert {key.rsplit("/", 1)[-1] for key in scripts} == {
        "preprocess.py",
        "train.py",
        "evaluate.py",
        "dataset_manifest.py",
    }
    violations, _ = evaluate_policies(two_families)
    assert [v for v in violations if v.enforcement_level == "mandatory"] == []


def test_the_stacks_training_compute_applies_where_a_family_is_silent(two_families: ResourceGraph) -> None:
    """Dev's defaults train on spot (stacks/defaults.py); a family may override any compute key."""
    forecast = _pipelines(two_families)["dev-demand-forecast-training"]
    train = _steps(forecast)["Train"]["Arguments"]
    assert train["EnableManagedSpotTraining"] is True
    assert train["StoppingCondition"]["MaxWaitTimeInSeconds"] == 7200

    def override(platform: dict[str, Any]) -> None:
        _with_forecast(platform)
        platform["models"][1]["training"] |= {"spot": False, "training_instance_type": "ml.c5.2xlarge"}

    config = parse_platform_config(_platform("dev", override), "stacks/Pulumi.dev.yaml")
    churn, forecast_spec = (family.training for family in config.models)
    assert churn is not None and forecast_spec is not None
    assert (churn.spot, churn.training_instance_type) == (True, "ml.m5.xlarge")
    assert (forecast_spec.spot, forecast_spec.training_instance_type) == (False, "ml.c5.2xlarge")


def test_a_pytorch_family_on_a_gpu_gets_the_gpu_images(tmp_path) -> None:
    def pytorch(platform: dict[str, Any]) -> None:
        platform["models"][0]["training"] |= {
            "framework": {"name": "pytorch", "version": "2.5", "py_version": "py311"},
            "training_instance_type": "ml.g5.xlarge",
        }

    document = load_stack_document("dev")
    # Cut to the family's training (endpointless_cut): its pipeline is the same as in the whole
    # fixture, which records 163 resources to the cut's 106.
    endpointless_cut(document["config"][CONFIG_KEY])
    pytorch(document["config"][CONFIG_KEY])
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(json.dumps(document))
    steps = _steps(next(iter(_pipelines(recorded_stack(str(path))).values())))

    assert steps["Train"]["Arguments"]["AlgorithmSpecification"]["TrainingImage"].endswith(
        "/pytorch-training:2.5-gpu-py311"
    )
    assert steps["Preprocess"]["Arguments"]["AppSpecification"]["ImageUri"].endswith(
        "/pytorch-training:2.5-cpu-py311"
    ), "the processing jobs run on CPU instances"
    [container] = steps["RegisterModel"]["Arguments"]["InferenceSpecification"]["Containers"]
    assert container["Image"].endswith("/pytorch-inference:2.5-gpu-py311")


# -- config errors, each naming the key ------------------------------------------------------------


def _training(**changes: Any) -> Callable[[dict[str, Any]], None]:
    def edit(platform: dict[str, Any]) -> None:
        platform["models"][0]["training"] |= changes

    return edit


def _drop_training(platform: dict[str, Any]) -> None:
    del platform["models"][0]["training"]


def _promote_on(metric: str) -> Callable[[dict[str, Any]], None]:
    def edit(platform: dict[str, Any]) -> None:
        platform["models"][0]["promotion"]["metric"] = metric

    return edit


def _forecast_on_a_model_quality_monitored_endpoint(platform: dict[str, Any]) -> None:
    _with_forecast(platform)
    platform["endpoints"][0]["variants"][0]["model"] = {"latest_approved_of": "demand-forecast"}


BAD_FAMILIES = {
    "no-training-in-a-training-stack": (_drop_training, "models[0].training", "missing: this stack trains"),
    "code-folder-missing": (
        _training(code="models/no-such-family"),
        "models[0].training.code",
        "'models/no-such-family' is not a folder",
    ),
    "an-identifier-twice": (
        _training(identifiers=["customer_id", "event_time", "customer_id"]),
        "models[0].training.identifiers",
        "duplicate identifier(s) customer_id: list each column once",
    ),
    "code-folder-empty": (
        # Not the project directory itself, whose scripts were then missing "in :".
        _training(code=""),
        "models[0].training.code",
        "String should have at least 1 character",
    ),
    "entry-point-missing": (
        _training(entry_points={"train": "fit.py"}),
        "models[0].training",
        "no such script in",
    ),
    "entry-point-not-a-module": (
        _training(entry_points={"train": "train-v2.py"}),
        "models[0].training.entry_points.train",
        "importable module",
    ),
    "unknown-framework": (
        _training(framework={"name": "tensorflow", "version": "2.16"}),
        "models[0].training.framework.name",
        "Input should be",
    ),
    "unknown-framework-version": (
        _training(framework={"name": "sklearn", "version": "9.9"}),
        "models[0].training.framework",
        "sklearn 9.9 has no training image; SageMaker has",
    ),
    "pytorch-without-py-version": (
        _training(framework={"name": "pytorch", "version": "2.5"}),
        "models[0].training.framework",
        "pytorch 2.5 needs py_version for its training image: one of py311",
    ),
    "promotion-metric-not-reported": (
        _promote_on("metrics.rmse.value"),
        "models[0].promotion.metric",
        "'metrics.rmse.value' is not in the evaluation report: the family's evaluation reports auc, accuracy, f1",
    ),
    "promotion-metric-not-a-path": (_promote_on("auc"), "models[0].promotion.metric", "should match pattern"),
    "reserved-hyperparameter": (
        _training(hyperparameters={"label": "x"}),
        "models[0].training.hyperparameters",
        "'label' is set by the platform",
    ),
    "sagemaker-hyperparameter": (
        _training(hyperparameters={"sagemaker_program": "x.py"}),
        "models[0].training.hyperparameters",
        "'sagemaker_program' is set by the platform",
    ),
    "label-is-an-identifier": (
        _training(identifiers=["customer_id", "churned"]),
        "models[0].training",
        "label 'churned' is also listed",
    ),
    "no-metrics": (_training(metrics=[]), "models[0].training.metrics", "at least 1 item"),
    "metric-regex-without-group": (
        _training(metric_definitions=[{"name": "validation:auc", "regex": "validation_auc=[0-9.]+"}]),
        "models[0].training.metric_definitions[0].regex",
        "needs exactly one capturing group",
    ),
    "spot-without-wait": (
        _training(spot=True, max_wait_seconds=None),
        "models[0].training.max_wait_seconds",
        "spot training needs max_wait_seconds",
    ),
    "pytorch-on-trainium": (
        # The SDK answers with pytorch-training-neuron:1.11.0 (another repository and version) for
        # the jobs and the registered model alike: not the family's image nor one its roles may pull.
        _training(
            framework={"name": "pytorch", "version": "1.12", "py_version": "py38"},
            training_instance_type="ml.trn1.2xlarge",
        ),
        "models[0].training.training_instance_type",
        "'ml.trn1.2xlarge' is an AWS Trainium or Inferentia instance",
    ),
    "bad-instance-type": (
        _training(training_instance_type="g5.xlarge"),
        "models[0].training.training_instance_type",
        "not a SageMaker instance type",
    ),
}


@pytest.mark.parametrize(("edit", "key", "fragment"), BAD_FAMILIES.values(), ids=BAD_FAMILIES.keys())
def test_a_family_the_platform_cannot_train_is_a_config_error_naming_the_key(edit, key, fragment) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(_platform("dev", edit), "stacks/Pulumi.dev.yaml")

    problems = [(path, message) for path, message in raised.value.problems]
    assert any(path == f"{CONFIG_KEY}.{key}" and fragment in message for path, message in problems), problems
    assert str(raised.value).startswith("stacks/Pulumi.dev.yaml: invalid configuration")


def _family_drift_features(platform: dict[str, Any]) -> None:
    platform["models"][0]["drift_features"] = ["tenure_months", "contract_type", "tenure_months"]


def _stack_drift_features(platform: dict[str, Any]) -> None:
    platform.setdefault("monitoring", {})["drift_features"] = ["tenure_months", "tenure_months"]


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        pytest.param(_family_drift_features, "models[0].drift_features", id="a-familys-drift-features"),
        pytest.param(_stack_drift_features, "monitoring.drift_features", id="the-stacks-drift-features"),
    ],
)
def test_a_drift_feature_listed_twice_is_a_config_error_naming_the_key(edit, key) -> None:
    """Watched twice by the drift alarm, and counted twice toward its ten metrics: as a repeated
    identifier, metric or training column, refused."""
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(_platform("prod", edit), "stacks/Pulumi.prod.yaml")

    assert [(path, message.split(":")[0]) for path, message in raised.value.problems] == [
        (f"{CONFIG_KEY}.{key}", "duplicate feature(s) tenure_months")
    ]


def test_a_requirements_file_in_a_familys_folder_is_said_to_install_nothing(tmp_path) -> None:
    """SageMaker's script mode installs a requirements.txt beside the script; the platform's jobs
    run the script alone on the framework's image (models/README.md, The contract): the plan says
    so, rather than the first run failing at an import."""
    code = tmp_path / "models" / "my-model"
    shutil.copytree(REPO / "models" / "customer-churn", code)
    (code / "requirements.txt").write_text("lightgbm==4.5.0\n")
    (code / "requirements-dev.txt").write_text("pytest\n")
    document = load_stack_document("dev")
    platform = document["config"][CONFIG_KEY]
    endpointless_cut(platform)
    platform["models"][0]["training"]["code"] = str(code)
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(json.dumps(document))

    warnings = [
        w for w in recorded_stack(str(path)).warnings if "nothing: each step runs its script alone" in w
    ]

    assert warnings == [
        f"model family {platform['models'][0]['name']}: requirements-dev.txt, requirements.txt in {code} install "
        "nothing: each step runs its script alone on the framework's image, so a script imports only what the "
        "image has (models/README.md, The contract)"
    ]


def test_a_family_folder_without_a_requirements_file_plans_without_the_warning(tmp_path) -> None:
    document = load_stack_document("dev")
    endpointless_cut(document["config"][CONFIG_KEY])
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(json.dumps(document))
    assert [
        w for w in recorded_stack(str(path)).warnings if "nothing: each step runs its script alone" in w
    ] == []


def test_a_model_quality_monitor_computes_what_the_served_family_predicts() -> None:
    """The stack's ``model_monitors.problem_type`` (BinaryClassification in the prod fixture) is not
    imposed on an endpoint serving a Regression family trained here: it is monitored as Regression
    (tests/stacks/test_adopter_edits_audit.py records a stack serving both)."""
    from stacks.composition.observability import served_monitor_spec

    config = parse_platform_config(
        _platform("prod", _forecast_on_a_model_quality_monitored_endpoint), "stacks/Pulumi.prod.yaml"
    )
    assert config.monitoring.model_monitors.problem_type == "BinaryClassification"
    spec = served_monitor_spec(config, config.endpoints[0])
    assert spec.problem_type == "Regression"
    assert spec.probability_attribute is None


def test_a_stack_that_does_not_train_needs_no_family_training() -> None:
    def consumer(platform: dict[str, Any]) -> None:
        _drop_training(platform)
        platform["training"] = {"enabled": False}

    config = parse_platform_config(_platform("staging", consumer), "stacks/Pulumi.staging.yaml")
    assert config.models[0].training is None


def test_code_folders_are_relative_to_the_project_not_the_working_directory(tmp_path, monkeypatch) -> None:
    """`make plan CONFIG=...` from anywhere: a stack file in a project finds the project's models/."""
    project = tmp_path / "project"
    (project / "stacks").mkdir(parents=True)
    (project / "Pulumi.yaml").write_text("name: mlops-platform\n")
    (project / "models").symlink_to(REPO / "models")
    document = load_stack_document("dev")
    document["config"][CONFIG_KEY]["models"][0]["training"]["code"] = "models/customer-churn"
    stack_file = project / "stacks" / "Pulumi.dev.yaml"
    stack_file.write_text(json.dumps(document))
    monkeypatch.chdir(tmp_path)

    config = parse_platform_config(document["config"][CONFIG_KEY], str(stack_file))

    training = config.models[0].training
    assert (
        training is not None
        and training.scripts["train"] == project / "models" / "customer-churn" / "train.py"
    )


def test_a_regression_family_served_in_prod_is_monitored_as_a_regression(tmp_path) -> None:
    document = load_stack_document("prod")
    platform = document["config"][CONFIG_KEY]
    # Cut to what the endpoints read, with the budget the pack asks for: the endpoint, its monitors
    # and the forecast family's training and registry group stay as they are.
    budgeted_serving_cut(platform)
    _forecast_on_a_model_quality_monitored_endpoint(platform)
    platform["monitoring"]["model_monitors"]["problem_type"] = "Regression"
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(json.dumps(document))

    graph = recorded_stack(str(path))

    [definition] = graph.of_type("aws-native:sagemaker:ModelQualityJobDefinition")
    assert definition.inputs["modelQualityAppSpecification"]["problemType"] == "Regression"
    endpoint_input = definition.inputs["modelQualityJobInput"]["endpointInput"]
    assert endpoint_input["inferenceAttribute"] == "0" and "probabilityAttribute" not in endpoint_input
    # It compares with the forecast family's own model-quality baseline.
    constraints = definition.inputs["modelQualityBaselineConfig"]["constraintsResource"]["s3Uri"]
    assert "/baselines/prod-demand-forecast/latest-approved/model_quality/constraints.json" in constraints
    violations, _ = evaluate_policies(graph)
    assert [v for v in violations if v.enforcement_level == "mandatory"] == []
