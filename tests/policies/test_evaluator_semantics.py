"""What the offline evaluator and the plan make of the pack's verdicts, pinned where a mutation
audit of ``policies/local.py``, ``policies/registry.py`` and ``planner/policy_check.py`` found
no test that would notice a change: how undecided checks are counted, which violations are
mandatory, and that a plan is judged by the pack configuration of its own environment.

The probes are tiny policies of this module (the pack's own rules are covered rule by rule
elsewhere); the graphs are built here (``records`` fixture) or recorded from a small program.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from planner.policy_check import check_policies
from planner.recorder import RecordedResource, ResourceGraph, record_program
from policies.local import PolicyEvaluationError, Report, enabled_policies, evaluate_report, resolve_config
from policies.registry import ENVIRONMENTS, POLICY_NAMES, load_pack_config, validate_pack_config
from policies.rules._common import UndecidedResources
from stacks.project import CONFIG_KEY

QUEUE = "aws:sqs/queue:Queue"


def _read_name(args: ResourceValidationArgs, report: Any) -> None:
    """Reports every queue whose name it can read; reading an unknown name raises."""
    report(f"queue {args.props['name']} is named")


def _probe(name: str, level: EnforcementLevel) -> ResourceValidationPolicy:
    return ResourceValidationPolicy(
        name=name, description=f"{name}; Fix: nothing", validate=_read_name, enforcement_level=level
    )


def test_only_mandatory_violations_are_the_reports_mandatory_ones(records) -> None:
    graph = records([{"type": QUEUE, "name": "jobs", "inputs": {"name": "jobs"}}])
    report = evaluate_report(
        graph,
        None,
        [_probe("probe-advice", EnforcementLevel.ADVISORY), _probe("probe-rule", EnforcementLevel.MANDATORY)],
    )
    assert sorted((v.policy_name, v.enforcement_level) for v in report.violations) == [
        ("probe-advice", "advisory"),
        ("probe-rule", "mandatory"),
    ]
    assert [v.policy_name for v in report.mandatory] == ["probe-rule"]


def test_undecided_checks_are_counted_per_resource_and_per_policy(records) -> None:
    """A stack rule that cannot decide two resources counts two undecided checks, a stack rule
    that decides everything counts 0, and a resource rule counts one per resource it could not
    read; what a stack rule reported before it raised is kept, as the engine keeps it."""
    graph = records(
        [
            {"type": QUEUE, "name": "known", "inputs": {"name": "known"}},
            {"type": QUEUE, "name": "pending-a", "inputs": {"name": UNKNOWN_STRING_VALUE}},
            {"type": QUEUE, "name": "pending-b", "inputs": {"name": UNKNOWN_STRING_VALUE}},
        ]
    )

    def undecided_names(args: StackValidationArgs, report: Any) -> None:
        report("one known queue", args.resources[0].urn)
        raise UndecidedResources({r.urn: "name unknown" for r in args.resources[1:]}, UNKNOWN_STRING_VALUE)

    policies = [
        _probe("probe-names", EnforcementLevel.ADVISORY),
        StackValidationPolicy(
            name="probe-stack-undecided", description="probe; Fix: nothing", validate=undecided_names
        ),
        StackValidationPolicy(
            name="probe-stack-decided", description="probe; Fix: nothing", validate=lambda args, report: None
        ),
    ]
    report = evaluate_report(graph, None, policies)

    assert report.stack_undecided == {"probe-stack-undecided": 2, "probe-stack-decided": 0}
    assert report.undecided_by_policy() == {
        "probe-stack-undecided": 2,
        "probe-stack-decided": 0,
        "probe-names": 2,
    }
    assert [(u.policy_name, u.urn) for u in report.undecided if u.policy_name == "probe-stack-undecided"] == [
        ("probe-stack-undecided", graph[1].urn),
        ("probe-stack-undecided", graph[2].urn),
    ]
    assert [(v.policy_name, v.resource_name) for v in report.violations] == [
        ("probe-names", "known"),
        ("probe-stack-undecided", "known"),
    ]


# --- the plan judges a graph by the pack configuration of its environment ------------------


def _single_instance_endpoint_config(environment: str | None) -> ResourceGraph:
    config = {CONFIG_KEY: {"environment": environment}} if environment else {}
    return record_program(
        lambda: aws.sagemaker.EndpointConfiguration(
            "serving",
            production_variants=[
                {
                    "variant_name": "primary",
                    "model_name": "churn",
                    "instance_type": "ml.m5.xlarge",
                    "initial_instance_count": 1,
                }
            ],
        ),
        config=config,
    )


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        pytest.param("prod", [("endpoint-config-min-instance-count", "mandatory")], id="prod-mandatory"),
        pytest.param("staging", [], id="staging-one-instance-is-enough"),
        pytest.param("dev", [], id="dev-rule-disabled"),
        pytest.param(None, [], id="no-environment-is-dev"),
    ],
)
def test_the_plan_uses_the_pack_configuration_of_the_graphs_environment(environment, expected) -> None:
    """prod requires two instances per variant (mandatory), staging one (advisory), dev does not
    check: one single-instance variant is a mandatory violation in prod alone, which is what makes
    ``python -m planner`` exit 1 (tests/planner/test_cli.py)."""
    graph = _single_instance_endpoint_config(environment)
    results = check_policies(graph)
    found = [
        (v.policy_name, v.enforcement_level)
        for v in results.violations
        if v.policy_name == "endpoint-config-min-instance-count"
    ]
    assert found == expected
    assert all(v.resource_name == "serving" for v in results.violations if v.policy_name in dict(found))
    config = load_pack_config(environment or "dev")
    assert results.evaluated == len(enabled_policies(config))


# --- configuration: schema defaults, then the config file, as the CLI reconciles them --------


def _limit_probe(seen: list[tuple[Any, ...]]) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report: Any) -> None:
        seen.append(tuple(sorted(args.get_config().items())))
        report("over the limit")

    return ResourceValidationPolicy(
        name="probe-limit",
        description="probe; Fix: nothing",
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=PolicyConfigSchema(
            {"limit": {"type": "integer", "default": 2}, "unit": {"type": "string", "default": "GB"}}
        ),
    )


@pytest.mark.parametrize(
    ("config", "expected_config", "expected_level"),
    [
        pytest.param(None, (("limit", 2.0), ("unit", "GB")), "mandatory", id="schema-defaults"),
        pytest.param(
            {"probe-limit": {"limit": 5}},
            (("limit", 5.0), ("unit", "GB")),
            "mandatory",
            id="properties-without-a-level-keep-the-rules-level",
        ),
        pytest.param(
            {"probe-limit": {"enforcementLevel": "advisory", "unit": "TB"}},
            (("limit", 2.0), ("unit", "TB")),
            "advisory",
            id="level-and-one-property",
        ),
        pytest.param(
            {"all": "advisory", "probe-limit": {"limit": 7}},
            (("limit", 7.0), ("unit", "GB")),
            "advisory",
            id="all-sets-the-level-properties-stay",
        ),
    ],
)
def test_a_rule_reads_its_schema_defaults_overlaid_by_the_config(
    records, config, expected_config, expected_level
) -> None:
    seen: list[tuple[Any, ...]] = []
    graph = records([{"type": QUEUE, "name": "jobs", "inputs": {"name": "jobs"}}])
    report = evaluate_report(graph, config, [_limit_probe(seen)])
    assert seen == [expected_config]
    assert [v.enforcement_level for v in report.violations] == [expected_level]


# --- the environments' pack configurations ---------------------------------------------------

_STRICTNESS = {"disabled": 0, "advisory": 1, "remediate": 2, "mandatory": 2}


def test_no_rule_is_enforced_less_strictly_in_a_later_environment() -> None:
    """dev -> staging -> prod: a rule off in staging is not on in dev, a mandatory rule in staging
    is mandatory in prod, and the retention a log group needs never shrinks. What the pack lets
    through in prod it lets through earlier too."""
    configs = {env: resolve_config(load_pack_config(env)) for env in ENVIRONMENTS}
    weaker = [
        (name, [configs[env][name][0].value for env in ENVIRONMENTS])
        for name in POLICY_NAMES
        if [_STRICTNESS[configs[env][name][0].value] for env in ENVIRONMENTS]
        != sorted(_STRICTNESS[configs[env][name][0].value] for env in ENVIRONMENTS)
    ]
    assert weaker == []
    retention = [configs[env]["log-group-retention"][1]["minRetentionDays"] for env in ENVIRONMENTS]
    assert retention == sorted(retention) and retention[0] >= 30


def test_prod_requires_approval_protection_and_gradual_rollout() -> None:
    """The settings that make prod's mandatory rules bite: a model package group must require
    manual approval, stateful resources must be protected, and traffic may only shift gradually."""
    prod = resolve_config(load_pack_config("prod"))
    assert prod["model-package-group-manual-approval"] == (
        EnforcementLevel.MANDATORY,
        {"requireManualApproval": True},
    )
    level, props = prod["stateful-resources-protected"]
    assert level is EnforcementLevel.MANDATORY and props["requireProtection"] is True
    level, props = prod["endpoint-safe-rollout"]
    assert level is EnforcementLevel.MANDATORY and "ALL_AT_ONCE" not in props["allowedTrafficRoutingTypes"]


# --- what a rule is given and what a violation says, as the engine does it --------------------


def test_a_resource_rule_sees_its_resources_parent_in_its_options(records) -> None:
    """pulumi-policy's analyzer passes ``options.parent`` (the parent's URN) to resource rules."""
    seen: list[tuple[str, str | None]] = []
    probe = ResourceValidationPolicy(
        name="probe-parent",
        description="probe; Fix: nothing",
        validate=lambda args, report: seen.append((args.name, args.opts.parent)),
    )
    graph = records(
        [
            {"type": "mlops:jobs:Queues", "name": "queues", "custom": False},
            {"type": QUEUE, "name": "child", "inputs": {"name": "child"}, "parent": "queues"},
            {"type": QUEUE, "name": "orphan", "inputs": {"name": "orphan"}},
        ]
    )
    evaluate_report(graph, None, [probe])
    assert seen == [("child", graph[0].urn), ("orphan", None)]


def test_a_violation_reported_without_a_message_carries_the_rules_description(records) -> None:
    probe = ResourceValidationPolicy(
        name="probe-silent",
        description="Queues must not exist. Fix: remove the queue.",
        validate=lambda args, report: report(""),
    )
    graph = records([{"type": QUEUE, "name": "jobs", "inputs": {"name": "jobs"}}])
    [violation] = evaluate_report(graph, None, [probe]).violations
    assert violation.message == "Queues must not exist. Fix: remove the queue."
    assert (violation.resource_type, violation.resource_name, violation.urn) == (QUEUE, "jobs", graph[0].urn)


def test_the_plan_lists_advisory_violations_and_undecided_checks_too() -> None:
    """In staging an unsupported notebook platform is advisory and a KMS key computed at apply
    cannot be checked yet: the plan keeps the advisory violation and counts the undecided check
    (neither fails it)."""
    notebook_type = "aws:sagemaker/notebookInstance:NotebookInstance"
    notebook = RecordedResource(
        urn=f"urn:pulumi:staging::mlops-platform::{notebook_type}::lab",
        type=notebook_type,
        name="lab",
        custom=True,
        parent=None,
        dependencies=(),
        property_dependencies={},
        inputs={"platformIdentifier": "notebook-al1-v1", "kmsKeyId": UNKNOWN_STRING_VALUE},
        outputs={},
        provider=None,
        protect=False,
        retain_on_delete=False,
        id=None,
    )
    graph = ResourceGraph(
        stack="staging",
        source="<test>",
        resources=(notebook,),
        config={CONFIG_KEY: {"environment": "staging"}},
    )
    results = check_policies(graph)
    assert ("notebook-supported-platform", "advisory", "lab") in {
        (v.policy_name, v.enforcement_level, v.resource_name) for v in results.violations
    }
    assert results.undecided.get("notebook-kms-encrypted") == 1


def test_stack_and_resource_rules_get_numbers_as_floats_and_the_stack_tags(records) -> None:
    """The engine sends config through protobuf's Struct (every number a float) and both kinds
    of rule the stack's tags."""
    seen: list[tuple[str, Any, Any]] = []
    schema = PolicyConfigSchema({"limit": {"type": "integer"}})
    policies = [
        ResourceValidationPolicy(
            name="probe-resource-config",
            description="probe; Fix: nothing",
            validate=lambda args, report: seen.append(("resource", args.get_config(), dict(args.stack_tags))),
            config_schema=schema,
        ),
        StackValidationPolicy(
            name="probe-stack-config",
            description="probe; Fix: nothing",
            validate=lambda args, report: seen.append(("stack", args.get_config(), dict(args.stack_tags))),
            config_schema=schema,
        ),
    ]
    graph = records([{"type": QUEUE, "name": "jobs", "inputs": {"name": "jobs"}}])
    config = {"probe-resource-config": {"limit": 3}, "probe-stack-config": {"limit": 4}}
    evaluate_report(graph, config, policies, stack_tags={"team": "ml"})
    assert seen == [("resource", {"limit": 3.0}, {"team": "ml"}), ("stack", {"limit": 4.0}, {"team": "ml"})]
    assert [type(config["limit"]) for _, config, _ in seen] == [float, float]


def test_rules_see_the_provider_a_resource_names(records) -> None:
    seen: list[tuple[str, str | None, Any]] = []

    def provider_of(kind: str, provider: Any) -> tuple[str, str | None, Any]:
        return (kind, provider.name if provider else None, provider.props["region"] if provider else None)

    policies = [
        ResourceValidationPolicy(
            name="probe-resource-provider",
            description="probe; Fix: nothing",
            validate=lambda args, report: seen.append(provider_of("resource", args.provider)),
        ),
        StackValidationPolicy(
            name="probe-stack-provider",
            description="probe; Fix: nothing",
            validate=lambda args, report: seen.extend(
                provider_of("stack", r.provider) for r in args.resources if r.resource_type == QUEUE
            ),
        ),
    ]
    graph = records(
        [
            {"type": "pulumi:providers:aws", "name": "ireland", "inputs": {"region": "eu-west-1"}},
            {"type": QUEUE, "name": "jobs", "inputs": {"name": "jobs"}, "provider": "ireland"},
            {"type": QUEUE, "name": "default", "inputs": {"name": "default"}},
        ]
    )
    evaluate_report(graph, None, policies)
    assert seen == [
        ("resource", "ireland", "eu-west-1"),
        ("resource", None, None),
        ("stack", "ireland", "eu-west-1"),
        ("stack", None, None),
    ]


# --- outcomes other than a verdict -----------------------------------------------------------


def test_a_rule_that_is_not_applicable_reports_nothing_and_is_not_undecided(records) -> None:
    def not_applicable(args: ResourceValidationArgs, report: Any) -> None:
        args.not_applicable("queues are out of scope")

    probe = ResourceValidationPolicy(
        name="probe-na", description="probe; Fix: nothing", validate=not_applicable
    )
    graph = records([{"type": QUEUE, "name": "jobs", "inputs": {"name": "jobs"}}])
    assert evaluate_report(graph, None, [probe]) == Report()


def test_a_rule_that_fails_is_an_error_naming_the_rule_and_the_resource(records) -> None:
    """A bug in a rule fails the evaluation (the engine fails the preview): it is never a pass."""
    probe = ResourceValidationPolicy(
        name="probe-broken",
        description="probe; Fix: nothing",
        validate=lambda args, report: args.props["name"].no_such_method(),
    )
    graph = records([{"type": QUEUE, "name": "jobs", "inputs": {"name": "jobs"}}])
    with pytest.raises(PolicyEvaluationError, match=f"'probe-broken' failed on {graph[0].urn}"):
        evaluate_report(graph, None, [probe])


def test_an_async_rule_is_awaited_like_the_engine_awaits_it(records) -> None:
    async def validate(args: ResourceValidationArgs, report: Any) -> None:
        report(f"{args.name} checked")
        _ = args.props["tags"]  # reading an unknown value makes the check undecided

    probe = ResourceValidationPolicy(name="probe-async", description="probe; Fix: nothing", validate=validate)
    graph = records(
        [
            {"type": QUEUE, "name": "tagged", "inputs": {"tags": {"team": "ml"}}},
            {"type": QUEUE, "name": "pending", "inputs": {"tags": UNKNOWN_STRING_VALUE}},
        ]
    )
    report = evaluate_report(graph, None, [probe])
    assert [v.message for v in report.violations] == ["tagged checked", "pending checked"]
    assert [(u.policy_name, u.urn) for u in report.undecided] == [("probe-async", graph[1].urn)]


# --- pack configuration files: what ``load_pack_config`` accepts ------------------------------


@pytest.mark.parametrize(
    "config",
    [
        pytest.param({"all": "advisory", "log-group-retention": "mandatory"}, id="all-as-a-level"),
        pytest.param({"log-group-retention": {"minRetentionDays": 1}}, id="integer-at-its-minimum"),
        pytest.param({"gpu-instance-quota": {"maxGpuInstances": 0}}, id="zero-gpus-allowed"),
        pytest.param({"log-group-retention": {"minRetentionDays": 30.0}}, id="integral-float-is-an-integer"),
        pytest.param(
            {"endpoint-safe-rollout": {"allowedTrafficRoutingTypes": ["CANARY", "LINEAR"]}}, id="enum-items"
        ),
        pytest.param({"sqs-queue-kms-encrypted": {"allowSqsManagedSse": False}}, id="boolean"),
    ],
)
def test_a_pack_config_that_fits_the_pack_has_no_problems(config) -> None:
    assert validate_pack_config(config) == []


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        pytest.param(
            {"log-group-retention": {"enforcementLevel": "loud"}},
            "log-group-retention.enforcementLevel: 'loud' is not one of",
            id="invalid-level-in-an-object",
        ),
        pytest.param(
            {"log-group-retention": {"minRetentionDays": 30.5}},
            "log-group-retention.minRetentionDays: 30.5 does not match",
            id="fraction-for-an-integer",
        ),
        pytest.param(
            {"log-group-retention": {"minRetentionDays": 0}},
            "log-group-retention.minRetentionDays: 0 does not match",
            id="below-the-minimum",
        ),
        pytest.param(
            {"log-group-retention": {"minRetentionDays": True}},
            "log-group-retention.minRetentionDays: True does not match",
            id="boolean-for-a-number",
        ),
        pytest.param(
            {"endpoint-safe-rollout": {"allowedTrafficRoutingTypes": ["CANARY", "BLUE_GREEN"]}},
            "endpoint-safe-rollout.allowedTrafficRoutingTypes: ['CANARY', 'BLUE_GREEN'] does not match",
            id="item-outside-the-enum",
        ),
        pytest.param(
            {"required-cost-allocation-tags": {"requiredTags": ["owner", 7]}},
            "required-cost-allocation-tags.requiredTags: ['owner', 7] does not match",
            id="item-of-the-wrong-type",
        ),
        pytest.param(
            {"sqs-queue-kms-encrypted": {"allowSqsManagedSse": "yes"}},
            "sqs-queue-kms-encrypted.allowSqsManagedSse: 'yes' does not match",
            id="string-for-a-boolean",
        ),
    ],
)
def test_a_pack_config_that_does_not_fit_names_the_key_and_the_problem(tmp_path, config, problem) -> None:
    assert [p for p in validate_pack_config(config) if p.startswith(problem)] != []
    path = tmp_path / "team.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(f"{path}: {problem}")):
        load_pack_config(path)


# The environment table of policies/README.md, rule by rule: (dev, staging, prod) levels (the
# budgets and retention rows are enforced in every environment: mandatory everywhere).
_DOCUMENTED_LEVELS = {
    **dict.fromkeys(
        ("endpoint-data-capture-encrypted", "endpoint-monitoring-schedule"),
        ("disabled", "mandatory", "mandatory"),
    ),
    **dict.fromkeys(
        (
            "endpoint-autoscaling-configured",
            "endpoint-safe-rollout",
            "prod-model-from-model-package",
            "endpoint-config-min-instance-count",
        ),
        ("disabled", "advisory", "mandatory"),
    ),
    **dict.fromkeys(
        ("model-package-group-manual-approval", "stateful-resources-protected"),
        ("disabled", "mandatory", "mandatory"),
    ),
    **dict.fromkeys(("model-network-isolation", "model-in-vpc"), ("advisory", "mandatory", "mandatory")),
    **dict.fromkeys(
        (
            "instance-type-allowlist",
            "gpu-instance-quota",
            "log-group-retention",
            "required-cost-allocation-tags",
        ),
        ("mandatory", "mandatory", "mandatory"),
    ),
    "stack-cost-budget": ("advisory", "mandatory", "mandatory"),
    **dict.fromkeys(
        (
            "notebook-supported-platform",
            "vpc-flow-logs-enabled",
            "vpc-default-security-group-adopted",
            "k8s-image-pinned-by-digest",
        ),
        ("advisory", "advisory", "mandatory"),
    ),
}


@pytest.mark.parametrize("policy_name", sorted(_DOCUMENTED_LEVELS))
def test_each_environment_enforces_a_rule_at_the_level_the_readme_documents(policy_name) -> None:
    levels = tuple(resolve_config(load_pack_config(env))[policy_name][0].value for env in ENVIRONMENTS)
    assert levels == _DOCUMENTED_LEVELS[policy_name]


def test_the_budgets_are_the_ones_the_readme_documents() -> None:
    configs = [resolve_config(load_pack_config(env)) for env in ENVIRONMENTS]
    assert [c["gpu-instance-quota"][1]["maxGpuInstances"] for c in configs] == [2, 4, 16]
    assert [c["log-group-retention"][1]["minRetentionDays"] for c in configs] == [30, 90, 365]
    assert [c["endpoint-config-min-instance-count"][1]["minInstanceCount"] for c in configs][1:] == [1, 2]


@pytest.mark.parametrize(
    ("default_tags", "missing"), [({"owner": "ml", "cost-center": "42"}, False), ({"owner": "ml"}, True)]
)
def test_the_plan_reads_required_tags_from_the_provider_a_resource_uses(default_tags, missing) -> None:
    """The plan hands the pack every registered resource, providers included, so a resource's
    tags may come from its explicit aws provider's ``default_tags``."""

    def program() -> None:
        provider = aws.Provider("tagged", region="eu-west-1", default_tags={"tags": default_tags})
        aws.cloudwatch.LogGroup(
            "jobs", tags={"environment": "dev"}, opts=pulumi.ResourceOptions(provider=provider)
        )

    graph = record_program(program, config={CONFIG_KEY: {"environment": "dev"}})
    flagged = [
        v.message
        for v in check_policies(graph).violations
        if (v.policy_name, v.resource_name) == ("required-cost-allocation-tags", "jobs")
    ]
    assert bool(flagged) is missing
    assert all("tags lacks cost-center" in message for message in flagged)
