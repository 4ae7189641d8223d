"""The pack as a whole: registry, config files, entry point, offline evaluator, unknown values."""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import (
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
    unknown_checking_proxy,
)

from policies.local import (
    PlannedResource,
    PolicyEvaluationError,
    duration_seconds,
    enabled_policies,
    evaluate,
    evaluate_report,
    resolve_config,
)
from policies.registry import (
    ALL_POLICIES,
    ENVIRONMENTS,
    PACK_DIR,
    POLICY_NAMES,
    get_policy,
    load_pack_config,
    matches_schema,
    validate_pack_config,
)
from policies.rules._common import UndecidedResources
from tests.recorded import computed_once

HERE = Path(__file__).resolve().parent
NOTEBOOK = "aws:sagemaker/notebookInstance:NotebookInstance"
ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
PROD_ONLY = (
    "endpoint-config-min-instance-count",
    "prod-model-from-model-package",
    "endpoint-data-capture-encrypted",
    "endpoint-monitoring-schedule",
    "endpoint-autoscaling-configured",
    "endpoint-safe-rollout",
)


# --- registry --------------------------------------------------------------------------


def test_policies_have_unique_kebab_case_names_and_say_how_to_fix():
    names = [p.name for p in ALL_POLICIES]
    assert len(names) == len(set(names)) == len(POLICY_NAMES)
    for policy in ALL_POLICIES:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", policy.name), policy.name
        assert "Fix" in policy.description, f"{policy.name}: description must say how to fix a violation"
        assert policy.enforcement_level in (EnforcementLevel.ADVISORY, EnforcementLevel.MANDATORY), (
            policy.name
        )
        assert policy.severity is not None, policy.name


def test_config_schema_defaults_satisfy_their_schema():
    for policy in ALL_POLICIES:
        for key, schema in (policy.config_schema.properties if policy.config_schema else {}).items():
            assert "default" in schema, f"{policy.name}.{key} needs a default"
            assert matches_schema(schema["default"], schema), f"{policy.name}.{key}"


def _collected_cases() -> dict[str, set[bool]]:
    """policy name -> {True if it has a passing case, False if a violating one}, from every rule test module."""
    outcomes: dict[str, set[bool]] = {}
    for path in sorted(HERE.glob("test_policy_*_rules.py")):
        spec = importlib.util.spec_from_file_location(f"_cases_of_{path.stem}", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for attribute in ("CASES", "STACK_CASES"):
            for case in getattr(module, attribute, []):
                name, fragment = case.values[0], case.values[-1]
                outcomes.setdefault(name, set()).add(fragment is None)
    return outcomes


def test_every_policy_has_a_passing_and_a_violating_case():
    outcomes = _collected_cases()
    assert set(outcomes) <= POLICY_NAMES, f"cases for unknown policies: {set(outcomes) - POLICY_NAMES}"
    incomplete = {
        name: sorted(outcomes.get(name, set()))
        for name in POLICY_NAMES
        if outcomes.get(name) != {True, False}
    }
    assert not incomplete, f"policies lacking a passing (True) or violating (False) case: {incomplete}"


def test_readme_table_lists_every_policy():
    readme = (PACK_DIR / "README.md").read_text(encoding="utf-8")
    missing = [
        name for name in sorted(POLICY_NAMES) if not re.search(rf"^\| `{re.escape(name)}`", readme, re.M)
    ]
    assert not missing, f"README table lacks {missing}"


def test_importing_the_registry_and_evaluator_never_imports_the_entry_point():
    importlib.import_module("policies.registry")
    importlib.import_module("policies.local")
    assert "policies.__main__" not in sys.modules


def _imports_of_components_or_stacks() -> list[str]:
    offenders = []
    for path in sorted(PACK_DIR.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            offenders += [f"{path.name}: {m}" for m in modules if m.split(".")[0] in ("components", "stacks")]
    return offenders


def test_rule_modules_import_nothing_from_components_or_stacks():
    # Parsing the pack: once per version of the code (policies/ is in the cache's fingerprint,
    # tracked or not, but for files under a hidden folder: the key) and of this module
    # (tests.recorded.computed_once).
    hidden = [
        part
        for path in sorted(PACK_DIR.rglob("*.py"))
        if any(name.startswith(".") for name in path.relative_to(PACK_DIR).parts)
        for part in (str(path).encode() + b"\0", path.read_bytes())
    ]
    assert computed_once("pack-imports", _imports_of_components_or_stacks, key=hidden) == []


def test_entry_point_builds_the_pack_when_run_like_the_cli():
    """The CLI runs runpy.run_path(<pack dir>) with the pack directory as working directory."""
    script = (
        "import runpy, pulumi_policy\n"
        "pulumi_policy.PolicyPack = lambda **kw: print(kw['name'], len(kw['policies']), kw['initial_config'],\n"
        "    pulumi_policy.policy._PolicyAnalyzerServicer.__name__)\n"
        "runpy.run_path('.', run_name='__main__')\n"
    )

    def run() -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-c", script],
            cwd=PACK_DIR,
            capture_output=True,
            text=True,
            timeout=120,
            env={"PATH": "/usr/bin:/bin"},
        )
        assert result.returncode >= 0, f"killed by signal {-result.returncode}: {result.stderr}"
        return result

    # A fresh process, as the CLI runs the pack: once per version of the code (policies/ is in
    # its fingerprint) and of this module (tests.recorded.computed_once); a killed run is not kept.
    result = computed_once("pack-entry-point", run)
    assert result.returncode == 0, result.stderr
    # The servicer PolicyPack builds is the pack's (policies.analyzer: Configure checks across policies).
    assert result.stdout.split() == ["mlops-platform", str(len(ALL_POLICIES)), "{}", "PackAnalyzer"]


# --- environment configs ---------------------------------------------------------------


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_env_config_names_existing_policies_with_valid_levels(env):
    raw = json.loads((PACK_DIR / f"{env}.json").read_text(encoding="utf-8"))
    assert validate_pack_config(raw) == []
    assert load_pack_config(env) == raw
    assert raw["required-cost-allocation-tags"]["requiredTags"] == ["owner", "cost-center", "environment"]


def test_prod_only_rules_are_off_in_dev_and_mandatory_in_prod():
    dev, prod = resolve_config(load_pack_config("dev")), resolve_config(load_pack_config("prod"))
    for name in PROD_ONLY:
        assert dev[name][0] is EnforcementLevel.DISABLED, name
        assert prod[name][0] is EnforcementLevel.MANDATORY, name


def test_gpu_budget_and_allowlist_grow_from_dev_to_prod():
    configs = {env: resolve_config(load_pack_config(env)) for env in ENVIRONMENTS}
    quotas = [configs[env]["gpu-instance-quota"][1]["maxGpuInstances"] for env in ENVIRONMENTS]
    assert quotas == sorted(quotas) and quotas[0] < quotas[-1]
    dev_types = configs["dev"]["instance-type-allowlist"][1]["allowedInstanceTypes"]
    assert {"ml.g5.xlarge", "ml.g4dn.xlarge"} <= set(dev_types)
    assert not any(t.startswith(("ml.p4d", "ml.p5")) for t in dev_types)
    assert "ml.p4d.24xlarge" in configs["prod"]["instance-type-allowlist"][1]["allowedInstanceTypes"]
    # Staging rehearses what dev runs: every dev type, and larger sizes.
    staging_types = configs["staging"]["instance-type-allowlist"][1]["allowedInstanceTypes"]
    assert set(dev_types) < set(staging_types)


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        pytest.param({"no-such-rule": "mandatory"}, "no such policy", id="unknown-policy"),
        pytest.param({"notebook-kms-encrypted": "loud"}, "is not one of", id="invalid-level"),
        pytest.param({"gpu-instance-quota": {"maxGpus": 3}}, "not a config property", id="unknown-property"),
        pytest.param({"gpu-instance-quota": {"maxGpuInstances": "many"}}, "does not match", id="wrong-type"),
    ],
)
def test_invalid_pack_configs_are_reported(config, problem):
    problems = validate_pack_config(config)
    assert problems and problem in problems[0]


# --- enforcement levels ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        pytest.param(None, ["mandatory"], id="default-mandatory"),
        pytest.param({"notebook-kms-encrypted": "advisory"}, ["advisory"], id="string-override-to-advisory"),
        pytest.param(
            {"notebook-kms-encrypted": {"enforcementLevel": "advisory"}}, ["advisory"], id="object-override"
        ),
        pytest.param({"all": "advisory"}, ["advisory"], id="all-override"),
        pytest.param(
            {"all": "advisory", "notebook-kms-encrypted": "mandatory"}, ["mandatory"], id="policy-beats-all"
        ),
        pytest.param(
            {"notebook-kms-encrypted": "remediate"}, ["mandatory"], id="remediate-reported-as-mandatory"
        ),
        pytest.param({"notebook-kms-encrypted": "disabled"}, [], id="disabled-yields-nothing"),
        pytest.param({"all": "disabled"}, [], id="all-disabled-yields-nothing"),
    ],
)
def test_config_overrides_enforcement_level(records, config, expected):
    notebook = records([{"type": NOTEBOOK, "name": "nb", "inputs": {"instanceType": "ml.t3.medium"}}])
    violations = evaluate(notebook, config, [get_policy("notebook-kms-encrypted")])
    assert [v.enforcement_level for v in violations] == expected
    assert all(v.policy_name == "notebook-kms-encrypted" and "kmsKeyId" in v.message for v in violations)


def test_enabled_policies_leave_out_disabled_ones():
    dev = load_pack_config("dev")
    enabled = {p.name for p in enabled_policies(dev)}
    assert enabled == POLICY_NAMES - set(PROD_ONLY) - {
        "model-package-group-manual-approval",
        "pipeline-starts-keep-manual-approval",
        "stateful-resources-protected",
    }
    assert len(enabled_policies(None)) == len(ALL_POLICIES)


def test_invalid_level_in_config_is_an_error():
    with pytest.raises(ValueError, match="not a valid enforcement level"):
        resolve_config({"notebook-kms-encrypted": "loud"})


# --- unknown values --------------------------------------------------------------------


def test_unknown_value_is_undecided_not_a_violation(records):
    [unknown] = records(
        [
            {
                "type": NOTEBOOK,
                "name": "nb",
                "inputs": {"directInternetAccess": UNKNOWN_STRING_VALUE, "kmsKeyId": UNKNOWN_STRING_VALUE},
            }
        ]
    )
    report = evaluate_report(
        [unknown], None, [get_policy("notebook-no-direct-internet"), get_policy("notebook-kms-encrypted")]
    )
    assert report.violations == []
    assert sorted(u.policy_name for u in report.undecided) == [
        "notebook-kms-encrypted",
        "notebook-no-direct-internet",
    ]
    assert all(u.urn == unknown.urn and "can't be known during preview" in u.reason for u in report.undecided)


def test_stack_rule_skips_a_resource_with_unknown_inputs_and_checks_the_rest(check_stack):
    endpoint = "aws:sagemaker/endpoint:Endpoint"
    specs = [
        {"type": endpoint, "name": "pending", "inputs": {"deploymentConfig": UNKNOWN_STRING_VALUE}},
        {"type": endpoint, "name": "known", "inputs": {"deploymentConfig": {}}},
    ]
    violations = check_stack("endpoint-safe-rollout", specs)
    assert violations and {v.resource_name for v in violations} == {"known"}


def test_direct_validate_with_proxied_props():
    policy = get_policy("notebook-no-direct-internet")
    opts = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])

    def run(props: dict[str, Any]) -> list[str]:
        messages: list[str] = []
        args = ResourceValidationArgs(NOTEBOOK, unknown_checking_proxy(props), "urn:nb", "nb", opts, None)
        policy.validate(args, lambda message, urn=None: messages.append(message))
        return messages

    assert run({"directInternetAccess": "Disabled"}) == []
    assert "directInternetAccess is 'Enabled'" in run({"directInternetAccess": "Enabled"})[0]
    assert run({"rootAccess": "Disabled"})[0].startswith("directInternetAccess is unset")
    with pytest.raises(UnknownValueError):
        run({"directInternetAccess": UNKNOWN_BOOLEAN_VALUE})


def test_direct_stack_validate_follows_property_dependencies():
    opts = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])
    bucket = PolicyResource(
        "aws:s3/bucket:Bucket",
        unknown_checking_proxy({"bucket": "logs", "tags": {"mlops:data-class": "access-logs"}}),
        "urn:bucket",
        "logs",
        opts,
        None,
        None,
        [],
        {},
    )
    sse = PolicyResource(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        unknown_checking_proxy(
            {
                "bucket": UNKNOWN_STRING_VALUE,
                "rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}],
            }
        ),
        "urn:sse",
        "logs-sse",
        opts,
        None,
        None,
        [bucket],
        {"bucket": [bucket]},
    )
    found: list[tuple[str, str | None]] = []
    policy = get_policy("s3-sse-kms-encrypted")
    policy.validate(StackValidationArgs([bucket, sse]), lambda m, urn=None: found.append((m, urn)))
    assert found == []
    # Unlinked and the literal name unknown: it may name any bucket, the log bucket too (a name built
    # from a random suffix), so AES256 is decided after create, when the name finds its bucket.
    sse.property_dependencies = {}
    with pytest.raises(UndecidedResources) as undecided:
        policy.validate(StackValidationArgs([bucket, sse]), lambda m, urn=None: found.append((m, urn)))
    assert found == [] and list(undecided.value.reasons) == ["urn:sse"]
    # A KMS rule without its key is refused whatever the bucket.
    sse.props = unknown_checking_proxy(
        {
            "bucket": UNKNOWN_STRING_VALUE,
            "rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}],
        }
    )
    policy.validate(StackValidationArgs([bucket, sse]), lambda m, urn=None: found.append((m, urn)))
    assert [urn for _, urn in found] == ["urn:sse"] and "kmsMasterKeyId is unset" in found[0][0]


# --- the evaluator mirrors the engine --------------------------------------------------


def test_resource_policies_skip_components_and_providers_stack_policies_see_everything(records):
    seen_by_resource: list[str] = []
    seen_by_stack: list[tuple[str, str | None, list[str], dict[str, list[str]]]] = []
    resource_probe = ResourceValidationPolicy(
        name="probe-resource",
        description="records types; Fix: nothing",
        validate=lambda args, report: seen_by_resource.append(args.resource_type),
    )

    def stack_probe_validate(args: StackValidationArgs, report: Any) -> None:
        for r in args.resources:
            seen_by_stack.append(
                (
                    r.name,
                    r.parent.name if r.parent else None,
                    [d.name for d in r.dependencies],
                    {k: [d.name for d in v] for k, v in r.property_dependencies.items()},
                )
            )

    stack_probe = StackValidationPolicy(
        name="probe-stack", description="records; Fix: nothing", validate=stack_probe_validate
    )
    graph: list[PlannedResource] = records(
        [
            {"type": "pulumi:providers:aws", "name": "aws"},
            {"type": "mlops:serving:InferenceEndpoint", "name": "serving", "custom": False},
            {"type": "aws:kms/key:Key", "name": "key", "parent": "serving", "provider": "aws"},
            {
                "type": "aws:sns/topic:Topic",
                "name": "topic",
                "parent": "serving",
                "deps": {"kmsMasterKeyId": ["key"]},
            },
        ]
    )
    assert evaluate(graph, None, [resource_probe, stack_probe]) == []
    assert seen_by_resource == ["aws:kms/key:Key", "aws:sns/topic:Topic"]
    assert ("topic", "serving", ["key"], {"kmsMasterKeyId": ["key"]}) in seen_by_stack
    assert {name for name, *_ in seen_by_stack} == {"aws", "serving", "key", "topic"}


def test_what_a_rule_changes_in_its_props_stays_in_its_evaluation(records):
    """The evaluator wires each resource's inputs once, behind one proxy (a copy) that every rule
    of the evaluation reads, resource and stack rules alike (the analyzer deserialises them again
    for each policy), so the pack's rules must only read (the next test); a change never reaches
    the recorded graph or the next evaluation."""
    seen: list[Any] = []

    def scribble(args: ResourceValidationArgs, report: Any) -> None:
        seen.append(args.props["tags"]["owner"])
        args.props["tags"]["owner"] = "changed"  # type: ignore[index]
        args.props["volumeSize"] = 0  # type: ignore[index]

    resource_probe = ResourceValidationPolicy(
        name="probe-scribble", description="changes; Fix: nothing", validate=scribble
    )
    stack_probe = StackValidationPolicy(
        name="probe-stack-reads",
        description="records; Fix: nothing",
        validate=lambda args, report: seen.extend(
            (r.props["tags"]["owner"], r.props["volumeSize"]) for r in args.resources
        ),
    )
    graph = records([{"type": NOTEBOOK, "name": "nb", "inputs": {"volumeSize": 5, "tags": {"owner": "ml"}}}])
    evaluate(graph, None, [resource_probe, stack_probe])
    assert seen == ["ml", ("changed", 0)]  # the one proxy of the resource
    assert graph[0].inputs == {"volumeSize": 5, "tags": {"owner": "ml"}}
    seen.clear()
    evaluate(graph, None, [resource_probe, stack_probe])
    assert seen[0] == "ml"


def _rules_changing_what_they_read() -> list[tuple[str, str]]:
    """Each (policy, resource) whose props a rule of the pack changed while it ran over prod."""
    from policies import local
    from policies.rules._iam_documents import plain
    from tests.conftest import stack_path
    from tests.recorded import recorded_stack

    changed: list[tuple[str, str]] = []
    run = local._run

    def checking(policy: Any, args: Any, report_violation: Any) -> None:
        snapshots = [(r.urn, plain(r.props)) for r in getattr(args, "resources", [args])]
        run(policy, args, report_violation)
        targets = {r.urn: r.props for r in getattr(args, "resources", [args])}
        changed.extend((policy.name, urn) for urn, before in snapshots if plain(targets[urn]) != before)

    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(local, "_run", checking)
        local.evaluate_report(list(recorded_stack(stack_path("prod"))), {"all": "mandatory"})
    return changed


def test_no_rule_of_the_pack_changes_the_props_it_reads() -> None:
    # The pack over prod: once per version of the code (the pack and the prod fixture are in the
    # cache's fingerprint) and of this module (tests.recorded.computed_once).
    assert computed_once("rules-changing-props", _rules_changing_what_they_read) == []


def test_no_rule_of_the_pack_changes_a_policy_document_the_rules_share() -> None:
    """A JSON policy document is parsed once and the same dict handed to every rule that reads it
    (policies/rules/_iam_documents.py): after the pack has run over prod, each document of the
    stack is still what its text says."""
    from policies import local
    from policies.rules import _iam_documents
    from tests.conftest import stack_path
    from tests.recorded import recorded_stack

    def texts(value: Any) -> Iterator[str]:
        if isinstance(value, str) and value.startswith("{"):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from texts(item)
        elif isinstance(value, list):
            for item in value:
                yield from texts(item)

    resources = list(recorded_stack(stack_path("prod")))
    _iam_documents._parsed_json_document.cache_clear()
    local.evaluate_report(resources, {"all": "mandatory"})
    assert _iam_documents._parsed_json_document.cache_info().hits > 100  # the rules share them

    documents = {text for resource in resources for text in texts(resource.inputs)}
    assert len(documents) > 20
    for text in documents:
        try:
            expected = _iam_documents.plain(json.loads(text))
        except ValueError:
            continue  # not JSON: never a document a rule reads
        assert _iam_documents.parse_document(text) == expected


def test_numbers_reach_rules_as_floats_like_the_engine(records):
    seen: list[Any] = []
    probe = ResourceValidationPolicy(
        name="probe-numbers",
        description="records; Fix: nothing",
        validate=lambda args, report: seen.append((args.props["volumeSize"], args.get_config().get("limit"))),
    )
    evaluate(
        records([{"type": NOTEBOOK, "name": "nb", "inputs": {"volumeSize": 5}}]),
        {"probe-numbers": {"limit": 3}},
        [probe],
    )
    assert seen == [(5.0, 3.0)] and all(isinstance(v, float) for v in seen[0])


# --- resource options ------------------------------------------------------------------


def test_rules_see_ignore_changes_and_custom_timeouts_as_the_engine_passes_them():
    import pulumi
    import pulumi_aws as aws
    from pulumi_policy import EnforcementLevel, ResourceValidationPolicy

    from planner.recorder import record_program

    seen = []
    probe = ResourceValidationPolicy(
        name="probe-options",
        description="records what a rule sees",
        validate=lambda args, report: seen.append((args.name, args.opts)),
        enforcement_level=EnforcementLevel.ADVISORY,
    )
    graph = record_program(
        lambda: aws.sqs.Queue(
            "queue",
            opts=pulumi.ResourceOptions(
                ignore_changes=["tags"], custom_timeouts=pulumi.CustomTimeouts(create="1h30m", delete="90s")
            ),
        )
    )

    evaluate_report(graph.cloud_resources, None, [probe])

    [(name, options)] = seen
    assert name == "queue" and options.ignore_changes == ["tags"]
    timeouts = options.custom_timeouts
    assert (timeouts.create_seconds, timeouts.update_seconds, timeouts.delete_seconds) == (5400, 0, 90)


@pytest.mark.parametrize(
    ("duration", "seconds"),
    [
        ("", 0),
        ("20m", 1200),
        ("1h30m", 5400),
        ("1.5s", 1.5),
        # The rest of Go's time.ParseDuration grammar (these made the plan exit 3 before).
        ("0", 0),
        ("+0", 0),
        (".5s", 0.5),
        ("1.s", 1),
        ("-1m30s", -90),
        ("+2h", 7200),
        ("1500us", 0.0015),
        ("1500\u00b5s", 0.0015),
        ("1500\u03bcs", 0.0015),
        ("2000000000ns", 2),
        ("2562047h", 2562047 * 3600),
        ("-9223372036854775808ns", -9223372036.854775808),
        ("1." + "9" * 400 + "s", 2),
    ],
)
def test_custom_timeouts_are_read_as_go_durations(duration, seconds):
    assert duration_seconds(duration) == pytest.approx(seconds)


@pytest.mark.parametrize(
    "duration", ["2562048h", "9223372036854775808ns", "99999999999999999999ns", "1e400s"]
)
def test_a_timeout_beyond_go_s_int64_nanoseconds_is_an_error(duration):
    # Go's Duration is an int64 of nanoseconds; ParseDuration refuses more ("1e400s" is no duration).
    with pytest.raises(PolicyEvaluationError, match=re.escape(repr(duration))):
        duration_seconds(duration)


@pytest.mark.parametrize(
    "duration", ["20 minutes", "\u0662\u0660m", "20m\n", "1", "00", ".", ".s", "1.5", "--1m", "1mm", "1d"]
)
def test_a_timeout_that_is_not_a_duration_is_an_error(duration):
    # Go's time.ParseDuration takes ASCII digits only; float() would read any Unicode digit.
    with pytest.raises(PolicyEvaluationError, match=re.escape(f"{duration!r} is not a duration")):
        duration_seconds(duration)


def test_prod_enforces_its_stricter_values_as_mandatory(records):
    """What prod's pack configuration sets beyond the defaults, pinned by a verdict each: a
    single-instance variant, a log group kept 90 days, a container image by tag and a VPC without
    flow logs are mandatory violations in prod; two instances and 365 days pass."""

    def variant(count: int) -> dict[str, Any]:
        return {
            "variantName": "primary",
            "modelName": "m",
            "instanceType": "ml.m5.xlarge",
            "initialInstanceCount": count,
        }

    key = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn-server"
    container = {"name": "server", "image": f"{image}:1.0"}
    stack = records(
        [
            {"type": ENDPOINT_CONFIG, "name": "one", "inputs": {"productionVariants": [variant(1)]}},
            {"type": ENDPOINT_CONFIG, "name": "two", "inputs": {"productionVariants": [variant(2)]}},
            {"type": LOG_GROUP, "name": "quarter", "inputs": {"retentionInDays": 90, "kmsKeyId": key}},
            {"type": LOG_GROUP, "name": "year", "inputs": {"retentionInDays": 365, "kmsKeyId": key}},
            {
                "type": "kubernetes:apps/v1:Deployment",
                "name": "tagged",
                "inputs": {"spec": {"template": {"spec": {"containers": [container]}}}},
            },
            {"type": "aws:ec2/vpc:Vpc", "name": "network", "inputs": {"cidrBlock": "10.0.0.0/16"}},
        ]
    )
    watched = {
        "endpoint-config-min-instance-count",
        "log-group-retention",
        "k8s-image-pinned-by-digest",
        "vpc-flow-logs-enabled",
    }
    found = {
        (v.policy_name, v.resource_name, v.enforcement_level)
        for v in evaluate(stack, load_pack_config("prod"))
        if v.policy_name in watched
    }
    assert found == {
        ("endpoint-config-min-instance-count", "one", "mandatory"),
        ("log-group-retention", "quarter", "mandatory"),
        ("k8s-image-pinned-by-digest", "tagged", "mandatory"),
        ("vpc-flow-logs-enabled", "network", "mandatory"),
    }
    prod = resolve_config(load_pack_config("prod"))
    for name in ("vpc-default-security-group-adopted", "stack-cost-budget", "stateful-resources-protected"):
        assert prod[name][0] is EnforcementLevel.MANDATORY, name
