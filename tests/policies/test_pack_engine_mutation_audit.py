"""How the pack is configured and judged offline, where a mutation audit of the engine found no test holding it.

A hand-mutation audit of policies/local.py, policies/registry.py, policies/controls.py and the
plan's verdict (planner/policy_check.py, planner/__main__.py, planner/process.py,
planner/report.py, planner/report_text.py and the CI summary, delivery/plan_summary.py): 186
one-step mutations of the decision logic (84, 38, 8 and 56), each run against the tests of its
module (tests/policies/test_policy_pack.py, test_evaluator_semantics.py, test_local_type_filter.py,
test_rule_semantics.py, test_policy_prod_stack_rules.py, test_stack_index.py,
test_policy_stack_shapes.py, test_policy_sagemaker_coverage_rules.py; tests/planner/test_exit_status.py,
test_cli.py, test_plan_undecided.py, test_report_semantics.py, test_plan_figures_semantics.py,
tests/bin/test_plan.py, tests/delivery/test_plan_summary.py). 150 were caught; 36 survived. Of
those, 25 are caught by a test here or in tests/planner/test_plan_engine_mutation_audit.py and 11
are equivalent (below). Three product bugs turned up beside them (fixed: two below, the third,
violation messages read as markup by the text plan, in the planner file). Of 5 further mutations
of the fixed lines, all 5 are caught (3 here, 2 there).

policies/local.py (84 mutations, 17 survived: 11 caught now, 6 equivalent):

- a rule that sets no level runs at the pack's level, advisory (as ``PolicyPack`` and the
  analyzer give it), not mandatory (this also holds ``PACK_ENFORCEMENT_LEVEL``); every rule of the
  pack sets its own;
- an ``EnforcementLevel`` member in a config (``INITIAL_CONFIG``'s type allows it) is a level, and
  any mapping (not only a dict) is an object entry;
- a config entry that is neither a level nor an object is an error naming the entry, not ignored;
- the config file is applied after the pack's ``INITIAL_CONFIG``: the file wins, as the CLI
  reconciles them (``INITIAL_CONFIG`` is empty today, so no test saw the order);
- inputs reach a rule in the protobuf ``Struct`` shape whatever holds them: a tuple as a list of
  floats, a read-only mapping as a dict of floats, a number key as a string; a provider's inputs
  too, behind the unknown check (an unknown there leaves the check undecided);
- stack rules get ``resource.parent`` linked and no ``opts.parent``, as the analyzer sends them;
- ``ms`` in a custom timeout is milliseconds.

policies/registry.py (38 mutations, 13 survived: 11 caught now, 2 equivalent):

- an entry that is neither a level nor an object, and a config that is not an object, are
  listed as problems; an unknown rule is one problem (its properties are not listed again);
- ``remediate`` is a level; a number is no boolean;
- a schema ``maximum`` is inclusive and enforced (``alarm-mutes-are-bounded``'s
  ``maxMutedShare``), a string for an array property is refused (``requiredTags: "owner"`` would be
  read as five one-letter tags), a value for an ``object`` property must be one;
- ``get_policy`` of an unknown name is a ``KeyError`` naming it;
- ``PACK_ENFORCEMENT_LEVEL`` mandatory: caught by the probe rule that sets no level (above).

policies/controls.py (8 mutations, 1 survived, caught now):

- the AWS Config rule behind each Security Hub control maps to the same pack rules as the control.

planner/ and delivery/plan_summary.py (56 mutations, 5 survived: 2 caught now, in
tests/planner/test_plan_engine_mutation_audit.py, 3 equivalent): exit statuses, streams, the
environment's config, which violations fail the plan and what the JSON and text count were held
already; the text plan at a terminal (on stdout) and the CI summary of status 1 without a plan
(no verdict) were not.

The bugs (found beside the survivors while writing the tests, not by a mutation; fixed, see
CHANGELOG.md):

- ``validate_pack_config`` crashed with ``TypeError`` on an ``enforcementLevel`` that is a list
  or an object (``in`` a frozenset needs a hashable value), so ``load_pack_config`` broke its
  promise of a ``ValueError`` naming the file and every problem. It is now a listed problem.
- ``NaN`` and ``Infinity`` (which Python's ``json`` reads, and JSON and the Pulumi CLI do not)
  passed a ``number`` schema: no comparison with NaN is true, so ``"maxMutedShare": NaN`` passed
  ``minimum`` and ``maximum`` and then made ``alarm-mutes-are-bounded`` pass every mute: a clean
  offline plan from a file ``pulumi preview`` refuses. A non-finite number (or an integer beyond a
  double's range, which crashed the check with ``OverflowError``) is now refused.

Equivalent (no input changes a verdict, level, count, exit status or stream):

- ``Report.mandatory`` as "not advisory", and the shown level as mandatory for every level but
  advisory: the evaluator skips disabled rules and shows remediate as mandatory, so a reported
  level is advisory or mandatory and both readings select the same violations;
- ``_level`` without its ``EnforcementLevel`` short cut: ``EnforcementLevel(member)`` is the member;
- ``"all"`` read but not popped from a layer: no policy is called ``all``, so the named loop
  skips it;
- a violation's URN taken from the reporter rather than its subject: a resource rule's subject is
  the resource whose URN is passed, and a stack rule's subject is looked up by that URN;
- the stack rules' ``PolicyResource`` objects built again for each stack rule: the same objects
  in content (the pack's rules only read, tests/policies/test_policy_pack.py); only slower;
- ``matches_schema`` refusing a ``type`` it does not know: every schema of the pack uses a kind it
  knows (string, boolean, number, integer, array);
- a string entry ``"all"`` skipping the level check: it is refused either way, as no object;
- ``stack_file_path`` taking ``--config`` only without ``--stack``: argparse makes them mutually
  exclusive;
- ``main`` catching ``BaseException`` rather than ``Exception``: anything but a ``ConfigError`` is
  re-raised unchanged;
- the text plan's "Undecided policy checks: 0" line also when no stack rule ran: the same count
  (0), in the text for people; the JSON CI reads is unchanged.
"""

from __future__ import annotations

import math
from types import MappingProxyType
from typing import Any

import pytest
from pulumi_policy import (
    EnforcementLevel,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

import policies.local
import policies.registry
from policies import controls
from policies.local import duration_seconds, evaluate_report, resolve_config
from policies.registry import (
    ALL_POLICIES,
    get_policy,
    load_pack_config,
    matches_schema,
    validate_pack_config,
)
from tests.policies.conftest import build

QUEUE = "aws:sqs/queue:Queue"


def _probe(level: EnforcementLevel | None, name: str = "probe-engine") -> ResourceValidationPolicy:
    """Reports every queue."""
    return ResourceValidationPolicy(
        name=name,
        description=f"{name}; Fix: nothing",
        validate=lambda args, report: report("a queue"),
        enforcement_level=level,
    )


def _levels(config: Any, policy: ResourceValidationPolicy) -> tuple[EnforcementLevel, list[str]]:
    """The resolved level and the levels of the violations on one queue."""
    report = evaluate_report(build([{"type": QUEUE, "name": "jobs"}]), config, [policy])
    return resolve_config(config, [policy])[policy.name][0], [v.enforcement_level for v in report.violations]


# --- levels and config layers (policies/local.py) ---------------------------------------------


def test_a_rule_that_sets_no_level_is_advisory() -> None:
    assert _levels(None, _probe(None)) == (EnforcementLevel.ADVISORY, ["advisory"])


def test_every_rule_of_the_pack_sets_its_own_level() -> None:
    assert [p.name for p in ALL_POLICIES if p.enforcement_level is None] == []


def test_an_enforcement_level_member_in_a_config_is_a_level() -> None:
    probe = _probe(EnforcementLevel.ADVISORY)
    assert _levels({probe.name: EnforcementLevel.MANDATORY}, probe) == (
        EnforcementLevel.MANDATORY,
        ["mandatory"],
    )


@pytest.mark.parametrize("value", [5, ["mandatory"], None], ids=["number", "list", "null"])
def test_a_config_entry_that_is_neither_a_level_nor_an_object_is_an_error(value) -> None:
    probe = _probe(EnforcementLevel.MANDATORY)
    with pytest.raises(ValueError, match=f"{probe.name}: .* must be an enforcement level or an object"):
        resolve_config({probe.name: value}, [probe])


def test_the_config_file_wins_over_the_packs_initial_config(monkeypatch: pytest.MonkeyPatch) -> None:
    probe = _probe(EnforcementLevel.ADVISORY)
    monkeypatch.setattr(policies.registry, "INITIAL_CONFIG", {probe.name: "mandatory"})

    assert _levels(None, probe) == (EnforcementLevel.MANDATORY, ["mandatory"])
    assert _levels({probe.name: "advisory"}, probe) == (EnforcementLevel.ADVISORY, ["advisory"])
    assert _levels({"all": "disabled"}, probe) == (EnforcementLevel.DISABLED, [])


# --- what a rule receives (policies/local.py) -------------------------------------------------


def test_a_tuple_in_the_inputs_reaches_a_rule_as_a_list_of_floats() -> None:
    seen: list[Any] = []

    def read_sizes(args: ResourceValidationArgs, report: Any) -> None:
        sizes = args.props["sizes"]
        seen.append(([type(size) for size in sizes], list(sizes)))

    probe = ResourceValidationPolicy(
        name="probe-sizes", description="probe; Fix: nothing", validate=read_sizes,
        enforcement_level=EnforcementLevel.ADVISORY,
    )  # fmt: skip
    evaluate_report(build([{"type": QUEUE, "name": "jobs", "inputs": {"sizes": (1, 2)}}]), None, [probe])

    assert seen == [([float, float], [1.0, 2.0])]


def test_inputs_reach_rules_in_the_wire_shape_whatever_mapping_holds_them() -> None:
    """Struct keys are strings and its numbers floats: a read-only mapping and a number key too."""
    seen: list[Any] = []

    def read(args: ResourceValidationArgs, report: Any) -> None:
        limits = args.props["limits"]
        seen.append(sorted((key, type(key), value, type(value)) for key, value in limits.items()))

    probe = ResourceValidationPolicy(
        name="probe-limits", description="probe; Fix: nothing", validate=read,
        enforcement_level=EnforcementLevel.ADVISORY,
    )  # fmt: skip
    specs = [
        {"type": QUEUE, "name": "frozen", "inputs": {"limits": MappingProxyType({"max": 3})}},
        {"type": QUEUE, "name": "numbered", "inputs": {"limits": {7: 3}}},
    ]
    evaluate_report(build(specs), None, [probe])

    assert seen == [[("max", str, 3.0, float)], [("7", str, 3.0, float)]]


def test_a_provider_reaches_rules_in_the_wire_shape_behind_the_unknown_check() -> None:
    seen: list[Any] = []

    def read(args: ResourceValidationArgs, report: Any) -> None:
        provider = args.provider.props
        seen.append((provider["maxRetries"], type(provider["maxRetries"])))
        seen.append(provider["profile"])  # unknown at preview: raises, so the check is undecided

    probe = ResourceValidationPolicy(
        name="probe-provider", description="probe; Fix: nothing", validate=read,
        enforcement_level=EnforcementLevel.MANDATORY,
    )  # fmt: skip
    specs = [
        {
            "type": "pulumi:providers:aws",
            "name": "p",
            "inputs": {"maxRetries": 3, "profile": UNKNOWN_STRING_VALUE},
        },
        {"type": QUEUE, "name": "jobs", "provider": "p"},
    ]
    report = evaluate_report(build(specs), None, [probe])

    assert seen == [(3.0, float)]
    assert [(u.policy_name, u.urn) for u in report.undecided] == [("probe-provider", build(specs)[1].urn)]
    assert report.violations == []


def test_stack_rules_see_the_parent_as_the_engine_gives_it_not_in_the_options() -> None:
    """The analyzer links ``resource.parent`` and sends no ``options.parent`` to stack rules."""
    seen: list[Any] = []

    def read(args: StackValidationArgs, report: Any) -> None:
        seen.extend((r.name, r.parent.name if r.parent else None, r.opts.parent) for r in args.resources)

    probe = StackValidationPolicy(name="probe-parents", description="probe; Fix: nothing", validate=read)
    specs = [
        {"type": "mlops:test:Group", "name": "group", "custom": False},
        {"type": QUEUE, "name": "jobs", "parent": "group"},
    ]
    evaluate_report(build(specs), None, [probe])

    assert seen == [("group", None, None), ("jobs", "group", None)]


def test_a_read_only_mapping_in_a_config_is_an_object() -> None:
    probe = _probe(EnforcementLevel.ADVISORY)
    config = {probe.name: MappingProxyType({"enforcementLevel": "mandatory"})}
    assert _levels(config, probe) == (EnforcementLevel.MANDATORY, ["mandatory"])


@pytest.mark.parametrize(("duration", "seconds"), [("1500ms", 1.5), ("1m30s250ms", 90.25)])
def test_milliseconds_in_a_custom_timeout_are_thousandths_of_a_second(duration, seconds) -> None:
    assert duration_seconds(duration) == seconds


# --- validating a pack config (policies/registry.py) ------------------------------------------


@pytest.mark.parametrize(
    ("config", "problems"),
    [
        pytest.param(
            {"notebook-in-vpc": 5},
            ["notebook-in-vpc: must be an enforcement level or an object"],
            id="number-for-an-entry",
        ),
        pytest.param(["notebook-in-vpc"], ["the config must be a JSON object"], id="list-for-the-config"),
        pytest.param(
            {"notebook-in-vpc": {"enforcementLevel": ["mandatory"]}},
            ["notebook-in-vpc.enforcementLevel: ['mandatory'] is not one of"],
            id="list-for-a-level",
        ),
        pytest.param(
            {"all": {"enforcementLevel": {"level": "advisory"}}},
            ["all.enforcementLevel: {'level': 'advisory'} is not one of"],
            id="object-for-all-s-level",
        ),
        pytest.param(
            {"no-such-rule": {"enforcementLevel": "mandatory", "maxGpuInstances": 1}},
            ["no-such-rule: no such policy"],
            id="an-unknown-rule-is-one-problem",
        ),
        pytest.param(
            {"stateful-resources-protected": {"requireProtection": 1}},
            ["stateful-resources-protected.requireProtection: 1 does not match"],
            id="number-for-a-boolean",
        ),
        pytest.param(
            {"all": "remediate", "notebook-in-vpc": {"enforcementLevel": "remediate"}},
            [],
            id="remediate-is-a-level",
        ),
        pytest.param({"alarm-mutes-are-bounded": {"maxMutedShare": 1}}, [], id="maximum-is-inclusive"),
        pytest.param(
            {"alarm-mutes-are-bounded": {"maxMutedShare": math.nan}},
            ["alarm-mutes-are-bounded.maxMutedShare: nan does not match"],
            id="nan-for-a-bounded-number",
        ),
        pytest.param(
            {"alarm-mutes-are-bounded": {"maxContinuousMuteHours": math.inf}},
            ["alarm-mutes-are-bounded.maxContinuousMuteHours: inf does not match"],
            id="infinity-for-a-number",
        ),
        pytest.param(
            {"alarm-mutes-are-bounded": {"maxMutedShare": 1.01}},
            ["alarm-mutes-are-bounded.maxMutedShare: 1.01 does not match"],
            id="above-the-maximum",
        ),
        pytest.param(
            {"required-cost-allocation-tags": {"requiredTags": "owner"}},
            ["required-cost-allocation-tags.requiredTags: 'owner' does not match"],
            id="string-for-an-array",
        ),
    ],
)
def test_a_pack_config_is_judged_entry_by_entry(config, problems) -> None:
    found = validate_pack_config(config)
    assert len(found) == len(problems)
    assert all(problem.startswith(prefix) for problem, prefix in zip(found, problems, strict=True)), found


def test_a_nan_in_a_config_file_is_refused_naming_the_file(tmp_path) -> None:
    """Python's json reads NaN; unrefused, it made alarm-mutes-are-bounded pass every mute."""
    path = tmp_path / "mutes.json"
    path.write_text('{"alarm-mutes-are-bounded": {"maxMutedShare": NaN}}', encoding="utf-8")
    with pytest.raises(
        ValueError, match=r"mutes\.json: alarm-mutes-are-bounded\.maxMutedShare: nan does not match"
    ):
        load_pack_config(path)


@pytest.mark.parametrize(
    ("value", "schema", "fits"),
    [
        pytest.param({"a": 1}, {"type": "object"}, True, id="object"),
        pytest.param("a", {"type": "object"}, False, id="string-is-no-object"),
        pytest.param(-math.inf, {"type": "number"}, False, id="minus-infinity"),
        pytest.param(10**400, {"type": "integer", "minimum": 0}, False, id="integer-beyond-a-double"),
        pytest.param(10**15, {"type": "integer", "minimum": 0}, True, id="large-integer"),
        pytest.param(2.0, {"type": "integer"}, True, id="whole-float-is-an-integer"),
    ],
)
def test_matches_schema(value, schema, fits) -> None:
    assert matches_schema(value, schema) is fits


def test_an_unknown_policy_name_is_a_key_error_naming_it() -> None:
    with pytest.raises(KeyError, match="no policy named 'notebook-in-vcp'"):
        get_policy("notebook-in-vcp")


# --- controls (policies/controls.py) ----------------------------------------------------------


@pytest.mark.parametrize("control", sorted(controls.SECURITY_HUB))
def test_a_controls_aws_config_rule_maps_to_the_same_pack_rules(control) -> None:
    assert (
        controls.AWS_CONFIG[controls.SECURITY_HUB_CONFIG_RULE[control]] == controls.SECURITY_HUB[control][1]
    )
