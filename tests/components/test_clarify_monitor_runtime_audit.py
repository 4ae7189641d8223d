"""Runtime audit of the Clarify monitors (ModelBias / ModelExplainability job definitions): what a
scheduled bias or explainability run does in the account, and whether its job definition and role
let it.

Question (review): does a scheduled bias or explainability job need its role to create, invoke and
delete a shadow endpoint, and does the role (and the job's network) allow it?

Evidence:

- AWS, "Schedule Feature Attribute Drift Monitoring Jobs"
  (docs.aws.amazon.com/sagemaker/latest/dg/clarify-model-monitor-feature-attribute-drift-schedule.html):
  "ModelConfig is required by ExplainabilityAnalysisConfig for the same reason that it's required
  for the baselining job": SHAP values come from calling the model on perturbed copies of each
  captured record, so every scheduled explainability run calls the model.
- The SageMaker Python SDK installed here (sagemaker.core.model_monitor.clarify_model_monitoring):
  ``ExplainabilityAnalysisConfig`` always writes a ``predictor`` section (ModelConfig's
  ``model_name``/``instance_type``/``initial_instance_count``, or an ``endpoint_name``);
  ``BiasAnalysisConfig`` writes none (``label_values_or_threshold``, ``facet``, ``headers``,
  ``label``): bias runs read the captured predictions (EndpointInput's inference/probability
  attributes, which the platform sets) and the ground truth, and never call the model.
  ``sagemaker.core.clarify.ModelConfig`` documents ``accept_type``/``content_type`` as the formats
  "for getting inferences with the shadow endpoint", and ``endpoint_name_prefix`` as the name
  prefix of that new endpoint (its default, ``sm-clarify``, is what the role is scoped to).
- The Clarify container makes those calls itself, with the job's role: with ``model_name`` it
  creates an endpoint config and an endpoint, waits for it (DescribeEndpoint), invokes it and
  deletes both. CreateEndpointConfig/CreateEndpoint pass no role (the model's execution role was
  passed when the model was created), so no ``iam:PassRole``.
- AWS::SageMaker::ModelExplainabilityJobDefinition NetworkConfig.EnableNetworkIsolation: "Whether
  to allow inbound and outbound network calls to and from the containers used for the processing
  job"; an isolated SageMaker container also gets no AWS credentials (boto's NoCredentialsError
  under isolation: aws/sagemaker-mxnet-training-toolkit#135).

Findings (product bug, fixed in its own commit, CHANGELOG "### Fixed:"):

1. The explainability job ran network-isolated and its role had no SageMaker endpoint permission:
   Clarify could neither reach SageMaker's API nor sign a request, so every scheduled run failed
   (no report, no attribution-drift check, an hourly failed job). Now the explainability job runs
   without isolation (still only in the private subnets and security group, whose interface
   endpoints ``sagemaker.api``/``sagemaker.runtime`` every VPC gets; inter-container encryption and
   KMS unchanged), and its endpoint's monitoring role may create, describe, invoke and delete
   endpoint configs and endpoints named ``sm-clarify*`` only, and nothing on any other endpoint
   (calling the production endpoint would load it and capture the synthetic SHAP requests into
   ``data-capture/``, skewing the data-quality and drift monitors). The policy rule
   ``model-monitor-job-encrypted-isolated`` accepts an explainability job that is not isolated
   only when it runs in a VPC (a documented difference from Security Hub SageMaker.20).
2. Bias needs nothing: no predictor, no endpoint, so the bias job stays isolated and a role without
   an explainability job gets no endpoint permission (pinned below).

The explainability analysis config is written by the platform (since this audit: see
test_explainability_predictor.py): the family's template from the repository, with
``predictor.model_name`` set to the model the endpoint serves, at
``monitoring-config/<endpoint>/model_explainability/analysis_config.json``; the stack refuses a
template naming a ``model_name`` or an ``endpoint_name`` (the role may not call the production
endpoint) or an ``endpoint_name_prefix`` not starting with ``sm-clarify``. The bias config stays the
team's ``baselines/<family>/model_bias/analysis_config.json``, which the delivery checks only for
existence.

Mutations run against the fix: 13, all killed (each by the test named; the subnets-only one
survived until its policy case was added):

| mutation | killed by |
| --- | --- |
| explainability job isolated again | test_only_the_explainability_job_leaves_isolation_for_its_vpc |
| bias job not isolated either | test_only_the_explainability_job_leaves_isolation_for_its_vpc |
| no shadow-endpoint grant | test_the_explainability_role_may_run_clarify_shadow_endpoints_and_no_other |
| InvokeEndpoint dropped | test_the_explainability_role_may_run_clarify_shadow_endpoints_and_no_other |
| DeleteEndpoint dropped (shadow endpoints left running) | test_the_explainability_role_may_run_clarify_shadow_endpoints_and_no_other |
| any region and account in the ARNs | test_the_explainability_role_may_run_clarify_shadow_endpoints_and_no_other |
| CreateEndpoint without the endpoint config | test_the_explainability_role_may_run_clarify_shadow_endpoints_and_no_other |
| prefix widened to ``*`` | test_the_explainability_role_may_run_clarify_shadow_endpoints_and_no_other |
| grant for every kind (a bias role too) | test_a_role_without_an_explainability_job_may_run_no_endpoint |
| CALLS_THE_MODEL holds ModelBias | test_the_jobs_that_call_the_model_are_those_whose_sdk_config_has_a_predictor |
| policy: explainability exempt even outside a VPC | test_policy_job_rules (explainability-job-without-isolation-outside-a-vpc-fails) |
| policy: bias jobs exempt too | test_policy_job_rules (bias-job-without-isolation-fails) |
| policy: subnets without security groups accepted | test_policy_job_rules (explainability-job-without-isolation-or-security-group-fails) |
"""

from __future__ import annotations

import fnmatch
from typing import Any

import pytest

from components.observability.model_quality_monitoring import CALLS_THE_MODEL
from planner.recorder import ResourceGraph
from tests.graph_helpers import as_list, policy_of, statements

ROLE_POLICY = "model-monitors-customer-churn-jobs-permissions"
SHADOW_ACTIONS = (
    "sagemaker:CreateEndpointConfig",
    "sagemaker:DescribeEndpointConfig",
    "sagemaker:DeleteEndpointConfig",
    "sagemaker:CreateEndpoint",
    "sagemaker:DescribeEndpoint",
    "sagemaker:InvokeEndpoint",
    "sagemaker:DeleteEndpoint",
    # Clarify tags the endpoint config (and endpoint) it creates: tag-on-create is authorised as
    # AddTags on the new resource (test_explainability_predictor.py's docstring has the evidence).
    "sagemaker:AddTags",
)


def _definition(graph: ResourceGraph, kind: str) -> dict[str, Any]:
    [definition] = graph.of_type(f"aws-native:sagemaker:{kind}JobDefinition")
    return definition.inputs


def _allowed(graph: ResourceGraph, action: str, resource: str) -> bool:
    """Whether the monitoring role's policy allows ``action`` on the ARN ``resource``."""
    document = policy_of(graph.named(ROLE_POLICY))
    return any(
        statement["Effect"] == "Allow"
        and any(fnmatch.fnmatchcase(action, named) for named in as_list(statement["Action"]))
        and any(fnmatch.fnmatchcase(resource, pattern) for pattern in as_list(statement["Resource"]))
        for statement in statements(document)
    )


def _sagemaker_actions(graph: ResourceGraph) -> set[str]:
    document = policy_of(graph.named(ROLE_POLICY))
    return {
        action
        for statement in statements(document)
        for action in as_list(statement["Action"])
        if action.startswith("sagemaker:")
    }


def _account_arn(graph: ResourceGraph) -> str:
    """``arn:aws:sagemaker:<region>:<account>`` of the stack, read off its endpoint's ARN."""
    [endpoint] = graph.of_type("aws:sagemaker/endpoint:Endpoint")
    return endpoint.outputs["arn"].split(":endpoint/")[0]


def test_only_the_explainability_job_leaves_isolation_for_its_vpc(all_monitors_graph) -> None:
    """Clarify calls the model from inside the explainability job's container: isolated (no
    network, no credentials) the job failed every run. It still runs only in the private subnets
    and security group; bias and model quality never call the model and stay isolated."""
    graph = all_monitors_graph
    subnets = sorted(s.id for s in graph.of_type("aws:ec2/subnet:Subnet"))
    explainability = _definition(graph, "ModelExplainability")["networkConfig"]
    assert explainability["enableNetworkIsolation"] is False
    assert sorted(explainability["vpcConfig"]["subnets"]) == subnets and subnets
    assert explainability["vpcConfig"]["securityGroupIds"]
    assert explainability["enableInterContainerTrafficEncryption"] is True
    for kind in ("ModelBias", "ModelQuality"):
        assert _definition(graph, kind)["networkConfig"]["enableNetworkIsolation"] is True, kind


def test_the_explainability_role_may_run_clarify_shadow_endpoints_and_no_other(all_monitors_graph) -> None:
    graph = all_monitors_graph
    arn = _account_arn(graph)
    endpoint, config = (
        f"{arn}:endpoint/sm-clarify-churn-1733456789",
        f"{arn}:endpoint-config/sm-clarify-churn-1",
    )
    for action in SHADOW_ACTIONS:
        target = config if "EndpointConfig" in action else endpoint
        assert _allowed(graph, action, target), action
    # CreateEndpoint is authorised on the endpoint config it deploys as well.
    assert _allowed(graph, "sagemaker:CreateEndpoint", config)
    # The name Clarify gave the config it could not tag (the error quoted in policy_documents).
    assert _allowed(graph, "sagemaker:AddTags", f"{arn}:endpoint-config/sm-clarify-config-1746251067-14e5")
    [production] = graph.of_type("aws:sagemaker/endpoint:Endpoint")
    others = (production.outputs["arn"], f"{arn}:endpoint/customer-churn", f"{arn}:endpoint/x-sm-clarify")
    for action in SHADOW_ACTIONS:
        for other in others:
            assert not _allowed(graph, action, other), (action, other)
        # The shadow endpoints of another account or region are not this role's.
        assert not _allowed(graph, action, endpoint.replace(arn, "arn:aws:sagemaker:eu-west-3:999999999999"))
    assert not any(
        "iam:PassRole" in as_list(s["Action"]) for s in statements(policy_of(graph.named(ROLE_POLICY)))
    )


@pytest.mark.parametrize("edit", ["none", "bias"])
def test_a_role_without_an_explainability_job_may_run_no_endpoint(stack_graphs, write_stack, edit) -> None:
    """Prod (model quality only) and prod with bias too: no SageMaker action at all on their role."""
    if edit == "none":
        graph = stack_graphs["prod"]
    else:
        from tests.recorded import recorded_stack
        from tests.stacks.conftest import serving_cut

        def bias_only(platform: dict[str, Any]) -> None:
            platform["monitoring"]["model_monitors"] |= {"model_quality": True, "bias": True}
            serving_cut(platform)  # what the endpoints read: their monitors and the monitors' role stay

        graph = recorded_stack(write_stack("prod", bias_only))
        assert _definition(graph, "ModelBias")["networkConfig"]["enableNetworkIsolation"] is True
    assert _sagemaker_actions(graph) == set()


@pytest.mark.parametrize("kind", ["ModelBias", "ModelExplainability"])
def test_the_jobs_that_call_the_model_are_those_whose_sdk_config_has_a_predictor(kind) -> None:
    """The SDK's own analysis config for the same settings: a predictor (a model to call) for
    explainability only."""
    clarify = pytest.importorskip("sagemaker.core.clarify")
    monitoring = pytest.importorskip("sagemaker.core.model_monitor.clarify_model_monitoring")
    headers = ["tenure", "monthly_charges"]
    if kind == "ModelBias":
        bias = clarify.BiasConfig(label_values_or_threshold=[1], facet_name="tenure")
        config = monitoring.BiasAnalysisConfig(bias, headers=[*headers, "churn"], label="churn")._to_dict()
    else:
        shap = clarify.SHAPConfig(baseline=[[12, 70.0]], num_samples=50, agg_method="mean_abs")
        model = clarify.ModelConfig(
            model_name="prod-customer-churn-model",
            instance_count=1,
            instance_type="ml.m5.large",
            content_type="text/csv",
            accept_type="text/csv",
        )
        config = monitoring.ExplainabilityAnalysisConfig(shap, model, headers=headers)._to_dict()
        # A model to deploy, not an existing endpoint: Clarify creates the shadow endpoint itself.
        assert "model_name" in config["predictor"] and "endpoint_name" not in config["predictor"]
    assert ("predictor" in config) is (kind in CALLS_THE_MODEL)
