"""Governance rules: cost-allocation tags, model approval, protection of stateful resources.

Instance allowlist and GPU quota are in ``governance_compute.py``.

The environment-specific values (required tags, whether manual approval and protection are
required) come from the pack config (``policies/<env>.json``); each rule's schema default
is the strict setting.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs, StackValidationArgs
from pulumi_policy.proxy import UnknownValueError

from ..taggable_types import taggable_types
from ._capture_watchers import (
    EVENT_TARGET,
    NATIVE_EVENT_RULE,
    PIPES,
    SCHEDULES,
    named_only,
    started_with,
    starters_of,
)
from ._common import (
    FSBP,
    HIGH,
    LOW,
    MANDATORY,
    PolicyResource,
    StackIndex,
    UndecidedCollector,
    framework,
    get,
    get_or_none,
    is_map,
    of_type,
    parse_json,
    resource_rule,
    shown,
    stack_rule,
    str_list,
    tag_map,
    to_plain,
)
from ._pipeline import PIPELINES, PipelineDefinition, definition_body, is_expression, parameter_name
from ._stateful_types import PROTECTED_TYPES

STARTERS = (*SCHEDULES, EVENT_TARGET, NATIVE_EVENT_RULE, *PIPES)
"""Whatever starts a pipeline run with parameters of its own."""
Findings = Iterator[tuple[str, str | None]]

#: Types checked for cost-allocation tags: every pulumi-aws and pulumi-aws-native type with a
#: ``tags`` input (``policies/taggable_types.json``, derived from the locked provider SDKs; an
#: aws-native ``tags`` list of ``{key, value}`` is understood too).
TAGGABLE_TYPES: frozenset[str] = taggable_types()


PIPELINE = "aws:sagemaker/pipeline:Pipeline"

Check = Iterator[str]


# --- cost-allocation tags --------------------------------------------------------------


#: Types the AWS provider does not give its ``default_tags``: an Auto Scaling group's tags are a
#: list with ``propagateAtLaunch`` (the provider's documented exception; it reports no ``tagsAll``).
NO_DEFAULT_TAGS = frozenset({"aws:autoscaling/group:Group"})


def _provider_default_tags(args: ResourceValidationArgs) -> dict[str, Any]:
    if args.provider is None or args.resource_type in NO_DEFAULT_TAGS:
        return {}
    default_tags = args.provider.props.get("defaultTags")
    default_tags = parse_json(default_tags) if isinstance(default_tags, str) else default_tags
    return tag_map(get(default_tags, "tags"))


def _required_tags(args: ResourceValidationArgs, cfg: Mapping[str, Any]) -> Check:
    if args.resource_type in NO_DEFAULT_TAGS:
        yield from _group_tags(args, cfg)
        return
    tags = (
        _provider_default_tags(args) | tag_map(get(args.props, "tagsAll")) | tag_map(get(args.props, "tags"))
    )
    missing = [key for key in str_list(cfg["requiredTags"]) if not str(tags.get(key) or "").strip()]
    if missing:
        yield (
            f"tags lacks {', '.join(missing)}: set them on the resource or in the aws provider's "
            "default_tags."
        )


def _group_tags(args: ResourceValidationArgs, cfg: Mapping[str, Any]) -> Check:
    """An Auto Scaling group's own ``tags``: the provider's default tags never reach the group. Its
    instances are tagged by the entries propagated at launch or by the launch template's tag
    specifications, so propagation is not required here."""
    tags = tag_map(get(args.props, "tags"))
    missing = [key for key in str_list(cfg["requiredTags"]) if not str(tags.get(key) or "").strip()]
    if missing:
        yield (
            f"tags lacks {', '.join(missing)}: set them in the group's own `tags` (the aws provider's "
            "default_tags never reach an Auto Scaling group); propagate_at_launch=True, or the launch "
            "template's tag_specifications, tags its instances too."
        )


required_cost_allocation_tags = resource_rule(
    name="required-cost-allocation-tags",
    description=(
        "Taggable AWS resources must carry the cost-allocation tags in requiredTags (default owner, "
        "cost-center, environment). Fix: set tags, or default_tags on the aws provider."
    ),
    resource_types=TAGGABLE_TYPES,
    check=_required_tags,
    enforcement_level=MANDATORY,
    severity=LOW,
    framework=framework(
        FSBP,
        "SageMaker.6",
        "SageMaker.7 (app image configs and images tagged); AWS Config sagemaker-app-image-config-tagged, "
        "sagemaker-image-tagged, sagemaker-domain-tagged, sagemaker-feature-group-tagged, "
        "sagemaker-inferenceexperiment-tagged; ours: every taggable type",
    ),
    config={
        "requiredTags": {
            "type": "array",
            "items": {"type": "string"},
            "default": ["owner", "cost-center", "environment"],
            "description": "Tag keys every taggable resource must carry with a non-empty value.",
        }
    },
    tags=["governance", "cost"],
)


# --- model approval ------------------------------------------------------------------------


PENDING = "PendingManualApproval"
MANUAL_APPROVAL_CONFIG = {
    "requireManualApproval": {
        "type": "boolean",
        "default": True,
        "description": "False turns the rule off (auto-approval environments).",
    }
}
"""Both approval rules' switch (each rule is configured on its own)."""


def _approval_statuses(definition: PipelineDefinition) -> Iterator[tuple[str, Any, str | None]]:
    """``(path, status, parameter)`` of each RegisterModel step's ``ModelApprovalStatus``, with the
    name of the parameter it reads (``{"Get": "Parameters.X"}``), if any."""
    for step in definition.steps():
        arguments = step.get("Arguments")
        if step.get("Type") != "RegisterModel" or not is_map(arguments):
            continue
        status = arguments.get("ModelApprovalStatus")
        yield f"Steps[{step.get('Name')}].Arguments.ModelApprovalStatus", status, parameter_name(status)


#: A model package version registered by the program itself (CloudFormation ``AWS::SageMaker::ModelPackage``).
NATIVE_MODEL_PACKAGE = "aws-native:sagemaker:ModelPackage"


def _manual_approval(args: ResourceValidationArgs, cfg: Mapping[str, Any]) -> Check:
    if not cfg["requireManualApproval"]:
        return
    if args.resource_type == NATIVE_MODEL_PACKAGE:
        # A version registered as Approved by the program is served (latest approved of its group)
        # without a reviewer, exactly as a pipeline registering it Approved would be.
        if get(args.props, "modelApprovalStatus") == "Approved":
            yield (
                "modelApprovalStatus is 'Approved': register the version as 'PendingManualApproval' and "
                "approve it in the registry after review (ignore_changes=['modelApprovalStatus'] keeps "
                "Pulumi from undoing that approval)."
            )
        return
    definition = PipelineDefinition.parse(definition_body(args.props))
    if definition is None:
        return
    for path, status, name in _approval_statuses(definition):
        if name is not None:
            default = definition.parameters.get(name)
            if default != PENDING:
                yield (
                    f"{path} comes from parameter {name} whose DefaultValue is {default!r}: set the "
                    "default to 'PendingManualApproval'."
                )
        elif is_expression(status):
            # A step's output (a Lambda or condition deciding the status), a JsonGet, a Join: decided
            # when the pipeline runs, by code rather than by a reviewer.
            yield (
                f"{path} is computed when the pipeline runs ({shown(status)}): set it to "
                "'PendingManualApproval' (or to a parameter defaulting to it) and approve after review."
            )
        elif status == "Approved":
            yield f"{path} is 'Approved': register as 'PendingManualApproval' and approve after review."


model_package_group_manual_approval = resource_rule(
    name="model-package-group-manual-approval",
    description=(
        "Where manual approval is required (requireManualApproval), pipelines must register models "
        "as PendingManualApproval, never Approved nor a status computed when the pipeline runs (a "
        "step's output), and an aws-native ModelPackage must not be created Approved. Fix: set the "
        "RegisterModel step's ModelApprovalStatus (or its parameter's default), or the package's "
        "modelApprovalStatus, to 'PendingManualApproval'."
    ),
    resource_types=[*PIPELINES, NATIVE_MODEL_PACKAGE],
    check=_manual_approval,
    enforcement_level=MANDATORY,
    severity=HIGH,
    config=MANUAL_APPROVAL_CONFIG,
    tags=["governance", "mlops"],
)


#: What a starter may set the status parameter to: the pending status, or rejecting every model.
_KEEPS_REVIEW = frozenset({PENDING, "Rejected"})


def _starts_keep_manual_approval(args: StackValidationArgs, cfg: Mapping[str, Any]) -> Findings:
    """A schedule, event target or rule, or pipe that starts a pipeline giving the parameter its
    registration's ModelApprovalStatus reads a value other than PendingManualApproval."""
    if not cfg["requireManualApproval"]:
        return
    stack = StackIndex(args.resources)
    undecided = UndecidedCollector()
    approval_names: set[str] = set()  # of every pipeline: what API calls may set
    calls_the_api = any(
        _may_call_start_pipeline(r) for r in of_type(args.resources, (*STATE_MACHINES, *SCHEDULES))
    )
    for pipeline in of_type(args.resources, PIPELINES):
        starters = starters_of(stack, pipeline, STARTERS)
        if not starters and not calls_the_api:
            continue  # nothing of the stack starts it: its definition need not be read
        try:
            definition = PipelineDefinition.parse(definition_body(pipeline.props))
        except UnknownValueError as error:
            undecided.add(pipeline, error)
            continue
        names = {name for _, _, name in _approval_statuses(definition) if name} if definition else set()
        approval_names |= names
        if not names:
            continue

        def approving(parameters: list[tuple[str, str]], names: set[str] = names) -> list[tuple[str, str]]:
            return [
                (name, value) for name, value in parameters if name in names and value not in _KEEPS_REVIEW
            ]

        for starter in starters:
            try:
                runs = started_with(starter, pipeline, lambda parameters: bool(approving(parameters)))
            except UnknownValueError as error:
                undecided.add(starter, error)
                continue
            if runs and (maybe := named_only(starter, pipeline)) is not None:
                undecided.add(starter, maybe)  # refused only once it is surely this pipeline's
                continue
            for parameters in runs:
                for name, value in approving(parameters):
                    yield (
                        f"{starter.name} starts pipeline {pipeline.name!r} with {name}="
                        f"{value!r}, the status its RegisterModel step registers models "
                        f"with: every run it starts is registered without a reviewer. Leave {name} to "
                        "its default (PendingManualApproval), or pass that.",
                        starter.urn,
                    )
    if approval_names:
        yield from _api_calls_keep_manual_approval(args, approval_names, undecided)
    undecided.raise_if_any()


#: State machines and where their definition is (pulumi-aws: a JSON string; aws-native: either).
STATE_MACHINES = {
    "aws:sfn/stateMachine:StateMachine": ("definition",),
    "aws-native:stepfunctions:StateMachine": ("definitionString", "definition"),
}
#: The task (or universal target) ARN of StartPipelineExecution, with a service integration pattern.
_START_PIPELINE = re.compile(
    r":sagemaker:startPipelineExecution(?:\.waitForTaskToken|\.sync(?::2)?)?\Z", re.IGNORECASE
)


def _api_calls_keep_manual_approval(
    args: StackValidationArgs, names: set[str], undecided: UndecidedCollector
) -> Findings:
    """StartPipelineExecution called by a state machine's task or a Scheduler universal target
    (``arn:aws:scheduler:::aws-sdk:sagemaker:startPipelineExecution``) with a parameter a pipeline
    of the stack reads its approval status from set to approve, or to a value computed when it runs
    (as is a parameter list, a name or a whole request computed when it runs)."""
    for resource in of_type(args.resources, (*STATE_MACHINES, *SCHEDULES)):
        try:
            calls = _start_pipeline_calls(resource)
        except UnknownValueError as error:
            undecided.add(resource, error)
            continue
        for call in calls:
            for name, shown_value in _approving_parameters(call, names):
                yield (
                    f"{resource.name} calls StartPipelineExecution with {name}={shown_value}, the parameter a "
                    "RegisterModel step of this stack registers models with: those runs are registered without "
                    f"a reviewer. Leave {name} out (its default is PendingManualApproval), or pass that.",
                    resource.urn,
                )


_COMPUTED = "a value computed when it runs"


def _computed(value: Any) -> bool:
    """A JSONata expression (``{% ... %}``): decided when the state runs."""
    return isinstance(value, str) and value.strip().startswith("{%")


def _approving_parameters(call: Any, names: set[str]) -> Iterator[tuple[str, str]]:
    """``(name, shown value)`` of each approval parameter ``call`` (a StartPipelineExecution request)
    sets to approve or to a value computed when it runs; a list, a name or a request computed when it
    runs may set any of them."""
    any_name = " or ".join(sorted(names))
    if not is_map(call):
        if _computed(call):
            yield any_name, _COMPUTED  # the whole request (JSONata Arguments)
        return
    if "PipelineParameters.$" in call or _computed(call.get("PipelineParameters")):
        yield any_name, _COMPUTED
        return
    entries = call.get("PipelineParameters")
    for entry in entries if isinstance(entries, list) else []:
        if not is_map(entry):
            continue
        name = entry.get("Name")
        if "Name.$" in entry or _computed(name):
            name = any_name
        elif not isinstance(name, str) or name not in names:
            continue
        value = entry.get("Value")
        if "Value.$" in entry or _computed(value):
            yield name, _COMPUTED
        elif not isinstance(value, str) or value not in _KEEPS_REVIEW:
            yield name, repr(value)


def _may_call_start_pipeline(resource: PolicyResource) -> bool:
    """A state machine, or a schedule whose target is (or, unknown, may be) the universal
    StartPipelineExecution: its known ARN says so, or its input holds pipeline parameters."""
    if resource.resource_type in STATE_MACHINES:
        return True
    arn = get_or_none(resource.props, "target.arn")
    if isinstance(arn, str):
        return bool(_START_PIPELINE.search(arn))
    call = parse_json(get_or_none(resource.props, "target.input"))
    return is_map(call) and "PipelineParameters" in call


def _start_pipeline_calls(resource: PolicyResource) -> list[Any]:
    """The request (``Parameters``, JSONata's ``Arguments``, a universal target's ``input``) of each
    StartPipelineExecution ``resource`` makes; raises ``UnknownValueError`` while unknown."""
    if resource.resource_type in SCHEDULES:
        arn = get_or_none(resource.props, "target.arn")
        if isinstance(arn, str) and not _START_PIPELINE.search(arn):
            return []  # a known target of another kind
        # The input before an unknown ARN: a schedule passing no pipeline parameters is decided at
        # a first preview, where its target's ARN is unknown.
        call = parse_json(get(resource.props, "target.input"))
        if not (is_map(call) and "PipelineParameters" in call):
            return []
        arn = get(resource.props, "target.arn")
        return [call] if isinstance(arn, str) and _START_PIPELINE.search(arn) else []
    found = []
    for key in STATE_MACHINES[resource.resource_type]:
        for state in _states(_definition(resource, key)):
            task = state.get("Resource")
            if isinstance(task, str) and _START_PIPELINE.search(task):
                found.append(state.get("Parameters") or state.get("Arguments"))
    return found


def _definition(resource: PolicyResource, key: str) -> Any:
    """A state machine's definition at ``key``, aws-native's ``definitionSubstitutions`` applied
    (``${name}``) to its text; raises ``UnknownValueError`` while unknown."""
    value = get(resource.props, key)
    if resource.resource_type != "aws-native:stepfunctions:StateMachine" or value is None:
        return parse_json(value)
    substitutions = get(resource.props, "definitionSubstitutions")
    if not is_map(substitutions):
        return parse_json(value)
    text = value if isinstance(value, str) else json.dumps(parse_json(value))
    for name, replacement in to_plain(substitutions).items():
        text = text.replace("${" + str(name) + "}", str(replacement))
    return parse_json(text)


def _states(definition: Any) -> Iterator[Mapping[str, Any]]:
    """Every state of a definition, those of Parallel branches and Map item processors too."""
    states = definition.get("States") if is_map(definition) else None
    for state in states.values() if is_map(states) else []:
        if not is_map(state):
            continue
        yield state
        for branch in state.get("Branches") or []:
            yield from _states(branch)
        for key in ("ItemProcessor", "Iterator"):
            yield from _states(state.get(key))


pipeline_starts_keep_manual_approval = stack_rule(
    name="pipeline-starts-keep-manual-approval",
    description=(
        "Where manual approval is required (requireManualApproval), no Scheduler schedule, EventBridge "
        "target or rule, pipe, or StartPipelineExecution call of a state machine or Scheduler universal "
        "target may start a pipeline with the parameter its RegisterModel step's "
        "ModelApprovalStatus reads set to anything but PendingManualApproval (a default a schedule "
        "overrides approves nothing). Fix: drop the parameter from the starter's pipeline parameters."
    ),
    check=_starts_keep_manual_approval,
    enforcement_level=MANDATORY,
    severity=HIGH,
    config=MANUAL_APPROVAL_CONFIG,
    tags=["governance", "mlops"],
)


# --- protection ----------------------------------------------------------------------------


def _protected(args: StackValidationArgs, cfg: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    if not cfg["requireProtection"]:
        return
    for resource in of_type(args.resources, str_list(cfg["protectedTypes"])):
        if not resource.opts.protect:
            yield (
                (
                    f"{resource.resource_type} {resource.name!r} is not protected: pass "
                    "opts=pulumi.ResourceOptions(protect=True) (and retain_on_delete where data must outlive "
                    "the stack)."
                ),
                resource.urn,
            )


stateful_resources_protected = stack_rule(
    name="stateful-resources-protected",
    description=(
        "Stateful resources (KMS keys, buckets, feature groups, model package groups, audit trails and "
        "CloudTrail Lake event data stores, databases, vector stores, user pools) must be protected where "
        "requireProtection is true. Fix: set protect=True in their resource options."
    ),
    check=_protected,
    enforcement_level=MANDATORY,
    severity=HIGH,
    config={
        "requireProtection": {
            "type": "boolean",
            "default": True,
            "description": "False turns the rule off (disposable environments).",
        },
        "protectedTypes": {
            "type": "array",
            "items": {"type": "string"},
            "default": list(PROTECTED_TYPES),
            "description": "Type tokens that must be protected (pulumi-aws and aws-native twins).",
        },
    },
    tags=["governance", "data-protection"],
)

POLICIES = [
    required_cost_allocation_tags,
    model_package_group_manual_approval,
    pipeline_starts_keep_manual_approval,
    stateful_resources_protected,
]
