"""A family trained from a feature group, wired through the stack (the prod fixture's churn family
reads ``customer-churn-labelled``): the Athena workgroup, the extraction role and what it may do,
the Athena endpoint, the pipeline's ExtractFeatures step, and the stack file's checks."""

from __future__ import annotations

import json
from typing import Any

import pytest

from planner.__main__ import EXIT_INVALID_CONFIG, main
from planner.recorder import ResourceGraph
from stacks.config import CONFIG_KEY, ConfigError, parse_platform_config
from stacks.stack_file import read_stack_file
from tests.config_problems import program_refusal
from tests.graph_helpers import as_list, only, policy_of, statements, training_pipelines
from tests.recorded import recorded_stack
from tests.stacks.conftest import endpointless_cut

WORKGROUP = "aws:athena/workgroup:Workgroup"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
GIB = 1024**3


@pytest.fixture(scope="module")
def prod(stack_graphs: dict[str, ResourceGraph]) -> ResourceGraph:
    return stack_graphs["prod"]


def _role_statements(graph: ResourceGraph, role: str) -> list[dict[str, Any]]:
    (policy,) = [r for r in graph.of_type(ROLE_POLICY) if r.name == f"{role}-role-permissions"]
    return statements(policy_of(policy))


def _role_arn(graph: ResourceGraph, role: str) -> str:
    return graph.named(f"{role}-role-role").outputs["arn"]


def _bucket_arn(graph: ResourceGraph, purpose: str) -> str:
    (bucket,) = [b for b in graph.of_type("aws:s3/bucketV2:BucketV2") if b.name == f"{purpose}-bucket"] or [
        b for b in graph.of_type("aws:s3/bucket:Bucket") if b.name == f"{purpose}-bucket"
    ]
    return bucket.outputs["arn"]


def _artifact_lifecycle_rules(graph: ResourceGraph) -> dict[str, dict[str, Any]]:
    (lifecycle,) = [
        r
        for r in graph.of_type("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
        if r.name == "artifacts-lifecycle"
    ]
    return {rule["id"]: rule for rule in lifecycle.inputs["rules"]}


def test_athena_results_expire_after_a_week_and_nothing_else_in_the_artifact_bucket_does(
    prod: ResourceGraph,
) -> None:
    rules = _artifact_lifecycle_rules(prod)
    results = rules["expire-scratch-athena-results/"]
    location = only(prod, WORKGROUP).inputs["configuration"]["resultConfiguration"]["outputLocation"]
    assert location.split("/", 3)[3].startswith(results["filter"]["prefix"])
    assert results["expiration"] == {"days": 7}
    assert results["noncurrentVersionExpiration"] == {"noncurrentDays": 1}
    # Models, baselines and pipeline outputs stay: no other rule expires current objects.
    assert [rule_id for rule_id, rule in rules.items() if "days" in rule.get("expiration", {})] == [
        "expire-scratch-athena-results/"
    ]


def test_the_stack_file_sets_how_long_athena_results_are_kept(write_stack) -> None:
    def keep_a_month(platform: dict[str, Any]) -> None:
        endpointless_cut(platform)  # the artifacts bucket's lifecycle rules stay as they are
        platform["feature_queries"] = {"results_retention_days": 30}

    rules = _artifact_lifecycle_rules(recorded_stack(write_stack("prod", keep_a_month)))
    assert rules["expire-scratch-athena-results/"]["expiration"] == {"days": 30}
    assert rules["expire-scratch-athena-results/"]["noncurrentVersionExpiration"] == {"noncurrentDays": 1}


def test_a_stack_without_feature_training_keeps_the_results_rule(
    stack_graphs: dict[str, ResourceGraph],
) -> None:
    """A stack that stopped training from feature groups still expires the results it wrote."""
    dev = stack_graphs["dev"]
    assert not dev.of_type(WORKGROUP)
    rule = _artifact_lifecycle_rules(dev)["expire-scratch-athena-results/"]
    assert rule["filter"] == {"prefix": "athena-results/"} and rule["expiration"] == {"days": 7}


def test_the_workgroup_enforces_kms_encrypted_results_in_the_artifact_bucket(prod: ResourceGraph) -> None:
    workgroup = only(prod, WORKGROUP)
    configuration = workgroup.inputs["configuration"]
    key = prod.named("kms-data-key").outputs["arn"]
    artifacts = _bucket_arn(prod, "artifacts").split(":::")[1]

    assert workgroup.inputs["name"] == "mlops-platform-prod-feature-queries"
    assert configuration["enforceWorkgroupConfiguration"] is True
    assert configuration["bytesScannedCutoffPerQuery"] == 100 * GIB
    assert configuration["engineVersion"] == {"selectedEngineVersion": "Athena engine version 3"}
    assert configuration["resultConfiguration"] == {
        "outputLocation": f"s3://{artifacts}/athena-results/mlops-platform-prod-feature-queries/",
        "expectedBucketOwner": "333333333333",
        "encryptionConfiguration": {"encryptionOption": "SSE_KMS", "kmsKeyArn": key},
    }


def test_the_extraction_role_may_query_through_that_workgroup_only(prod: ResourceGraph) -> None:
    granted = _role_statements(prod, "feature-extraction")
    athena = [s for s in granted if any(a.startswith("athena:") for a in as_list(s["Action"]))]

    assert athena == [
        {
            "Effect": "Allow",
            "Action": [
                "athena:StartQueryExecution",
                "athena:GetQueryExecution",
                "athena:GetQueryResults",
                "athena:StopQueryExecution",
                "athena:GetWorkGroup",
            ],
            "Resource": only(prod, WORKGROUP).outputs["arn"],
        }
    ]
    others = [r for r in prod.of_type(ROLE_POLICY) if r.name != "feature-extraction-role-permissions"]
    assert not any('"athena:' in r.inputs["policy"] for r in others)


def test_the_extraction_role_reads_the_groups_offline_store_and_its_table_only(prod: ResourceGraph) -> None:
    granted = _role_statements(prod, "feature-extraction")
    datasets, artifacts = _bucket_arn(prod, "datasets"), _bucket_arn(prod, "artifacts")
    glue = [s for s in granted if any(a.startswith("glue:") for a in as_list(s["Action"]))]
    describe = [s for s in granted if s["Action"] == "sagemaker:DescribeFeatureGroup"]
    reads = {r for s in granted if "s3:GetObject" in as_list(s["Action"]) for r in as_list(s["Resource"])}
    writes = {r for s in granted if "s3:PutObject" in as_list(s["Action"]) for r in as_list(s["Resource"])}

    assert [s["Resource"] for s in glue] == [
        [
            "arn:aws:glue:eu-west-1:333333333333:catalog",
            "arn:aws:glue:eu-west-1:333333333333:database/sagemaker_featurestore",
            "arn:aws:glue:eu-west-1:333333333333:table/sagemaker_featurestore/prod_customer_churn_labelled_*",
        ]
    ]
    assert all(
        not a.startswith(("glue:Update", "glue:Create", "glue:Delete")) for s in glue for a in s["Action"]
    )
    assert [s["Resource"] for s in describe] == [
        ["arn:aws:sagemaker:eu-west-1:333333333333:feature-group/prod-customer-churn-labelled"]
    ]
    # The labelled group's offline store, not the whole datasets bucket nor the other group.
    assert reads == {
        f"{datasets}/feature-store/customer-churn-labelled/*",
        f"{artifacts}/athena-results/mlops-platform-prod-feature-queries/*",
        f"{artifacts}/pipelines/*/code/*",
    }
    assert writes == {
        f"{artifacts}/athena-results/mlops-platform-prod-feature-queries/*",
        f"{artifacts}/pipelines/*/ExtractFeatures/*",
    }


def test_the_pipeline_runs_extract_features_as_the_extraction_role_and_may_pass_it(
    prod: ResourceGraph,
) -> None:
    (pipeline,) = [p for p in training_pipelines(prod) if "customer-churn" in p.name]
    steps = {s["Name"]: s for s in json.loads(pipeline.inputs["pipelineDefinition"])["Steps"]}
    extract = steps["ExtractFeatures"]["Arguments"]
    arguments = extract["AppSpecification"]["ContainerArguments"]
    (passing,) = [s for s in _role_statements(prod, "pipeline") if s["Action"] == "iam:PassRole"]

    assert extract["RoleArn"] == _role_arn(prod, "feature-extraction")
    assert arguments[arguments.index("--feature-group") + 1] == "prod-customer-churn-labelled"
    assert arguments[arguments.index("--workgroup") + 1] == only(prod, WORKGROUP).inputs["name"]
    assert _role_arn(prod, "feature-extraction") in passing["Resource"]
    assert (
        extract["NetworkConfig"]["VpcConfig"]
        == steps["Preprocess"]["Arguments"]["NetworkConfig"]["VpcConfig"]
    )


def test_the_private_network_reaches_athena(prod: ResourceGraph) -> None:
    services = [e.inputs["serviceName"] for e in prod.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")]
    assert "com.amazonaws.eu-west-1.athena" in services


def test_a_stack_without_feature_training_has_none_of_it(stack_graphs: dict[str, ResourceGraph]) -> None:
    dev = stack_graphs["dev"]
    assert dev.of_type(WORKGROUP) == []
    assert not [r for r in dev.of_type("aws:iam/role:Role") if r.name == "feature-extraction-role-role"]
    for pipeline in training_pipelines(dev):
        assert "ExtractFeatures" not in pipeline.inputs["pipelineDefinition"]


# --- the stack file's checks ------------------------------------------------------------------------


def _train_from(group: str, **data: Any):
    def edit(platform: dict[str, Any]) -> None:
        platform["models"][0]["training"]["data"] = {"feature_group": group, **data}

    return edit


def _group(**changes: Any):
    def edit(platform: dict[str, Any]) -> None:
        platform["feature_groups"][1].update(changes)

    return edit


M = f"{CONFIG_KEY}.models[0].training"
BAD: dict[str, tuple[Any, str, str]] = {
    "unknown-group": (
        _train_from("customer-churn-labeled"),
        f"{M}.data.feature_group",
        "not a feature group of this stack",
    ),
    "no-offline-store": (
        _group(offline=False, online=True),
        f"{M}.data.feature_group",
        "has no offline store",
    ),
    "glue-disabled": (
        _group(glue_catalog="disabled", table_format="Glue"),
        f"{M}.data.feature_group",
        "glue_catalog: managed",
    ),
    "unknown-column": (
        _train_from("customer-churn-labelled", columns=["churned", "customer_id", "event_time", "age"]),
        f"{M}.data.columns[3]",
        "age not a feature of 'customer-churn-labelled'",
    ),
    "label-not-selected": (
        _train_from("customer-churn-labelled", columns=["customer_id", "event_time", "tenure_months"]),
        f"{M}.label",
        "churned not in the training set",
    ),
    "label-not-in-group": (
        _train_from("customer-churn"),
        f"{M}.label",
        "churned not in the training set read from feature group 'customer-churn'",
    ),
    "identifier-not-selected": (
        _train_from("customer-churn-labelled", columns=["customer_id", "churned"]),
        f"{M}.identifiers[1]",
        "event_time not in the training set",
    ),
    "duplicate-column": (
        _train_from("customer-churn-labelled", columns=["churned", "churned"]),
        f"{M}.data.columns",
        "duplicate column(s) churned",
    ),
    "too-many-columns": (
        _train_from("customer-churn-labelled", columns=[f"c{i}" for i in range(44)]),
        f"{M}.data.columns",
        "at most 43",
    ),
    "scan-limit-zero": (
        lambda platform: platform.update(feature_queries={"scan_limit_gb": 0}),
        f"{CONFIG_KEY}.feature_queries.scan_limit_gb",
        "greater than or equal to 1",
    ),
    "results-kept-zero-days": (
        lambda platform: platform.update(feature_queries={"results_retention_days": 0}),
        f"{CONFIG_KEY}.feature_queries.results_retention_days",
        "greater than or equal to 1",
    ),
    "results-kept-over-ten-years": (
        lambda platform: platform.update(feature_queries={"results_retention_days": 3651}),
        f"{CONFIG_KEY}.feature_queries.results_retention_days",
        "less than or equal to 3650",
    ),
}


@pytest.mark.parametrize(("edit", "key", "fragment"), BAD.values(), ids=BAD.keys())
def test_a_feature_input_the_pipeline_cannot_read_is_a_config_error_naming_file_and_key(
    write_stack, edit, key, fragment
) -> None:
    path = write_stack("prod", edit)

    with pytest.raises(ConfigError) as raised:
        parse_platform_config(read_stack_file(path).platform, str(path))

    problems = list(raised.value.problems)
    assert any(where == key and fragment in message for where, message in problems), problems
    assert str(raised.value).startswith(f"{path}: invalid configuration")


def test_the_plan_of_such_a_stack_exits_non_zero_and_creates_nothing(write_stack, capsys) -> None:
    path = write_stack("prod", _group(glue_catalog="disabled", table_format="Glue"))

    assert main(["--config", str(path)]) == EXIT_INVALID_CONFIG
    err = capsys.readouterr().err
    assert str(path) in err and "models[0].training.data.feature_group" in err

    program_refusal(path)
