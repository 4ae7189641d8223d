"""Every physical name the program records fits AWS's limit for its kind, for the longest names
the configuration accepts.

The stacks here start from the prod fixture (with a second, async endpoint and a shadow variant),
then lengthen each configured name (name prefix, feature group, model family, endpoints, variants,
scheduled actions, tracking server) to the longest the config accepts: one character more must be
rejected naming the key. The recorded program's names, the ones the platform sets and the ones
Pulumi generates (``<logical name>-<7 random hex>``), are then checked against
``components.limits.PHYSICAL_NAME_LIMITS``: a limit case for every kind of name at once, and a new
resource type must be classified before it can be recorded.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from components.limits import PHYSICAL_NAME_LIMITS
from components.naming import AUTONAME_SUFFIX
from planner.recorder import RecordedResource, ResourceGraph
from stacks.config import (
    CONFIG_KEY,
    MAX_STACK_TAGS,
    MAX_TAGS_PER_RESOURCE,
    ConfigError,
    parse_platform_config,
)
from tests.conftest import load_stack_document
from tests.recorded import computed_once, recorded_stack
from tests.yaml_text import dump_document

UNNAMED: frozenset[str] = frozenset(
    {
        "aws:appautoscaling/target:Target",
        "aws:cloudwatch/eventTarget:EventTarget",
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        "aws:ec2/flowLog:FlowLog",
        # Named by the repository it belongs to.
        "aws:ecr/lifecyclePolicy:LifecyclePolicy",
        "aws:ec2/routeTable:RouteTable",
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "aws:ec2/subnet:Subnet",
        "aws:ec2/vpc:Vpc",
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        # Named by the tag key it activates (the stack's tags, checked with them).
        "aws:costexplorer/costAllocationTag:CostAllocationTag",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:kms/key:Key",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketLogging:BucketLogging",
        "aws:s3/bucketNotification:BucketNotification",
        "aws:s3/bucketObjectv2:BucketObjectv2",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketVersioning:BucketVersioning",
        "aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy",
        "aws:sns/topicPolicy:TopicPolicy",
        "aws:sns/topicSubscription:TopicSubscription",
        "aws:sqs/queuePolicy:QueuePolicy",
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    }
)
"""Resource types with no account-wide name of their own (ids, or names of what they attach to)."""

Platform = dict[str, Any]


def _family(platform: Platform, name: str) -> None:
    """Rename the model family, and every variant serving it."""
    old = platform["models"][0]["name"]
    platform["models"][0]["name"] = name
    for endpoint in platform["endpoints"]:
        for variant in [*endpoint["variants"], *endpoint.get("shadow_variants", [])]:
            if variant["model"].get("latest_approved_of") == old:
                variant["model"]["latest_approved_of"] = name
    for shared in platform.get("shared_endpoints", []):
        for component in shared["components"]:
            if component["model"].get("latest_approved_of") == old:
                component["model"]["latest_approved_of"] = name


def _setter(*path: str | int) -> Callable[[Platform, str], None]:
    def set_name(platform: Platform, name: str) -> None:
        node: Any = platform
        for part in path[:-1]:
            node = node.setdefault(part, {}) if isinstance(part, str) else node[part]
        node[path[-1]] = name

    return set_name


# (dotted key, how to set it, the longest a name of that kind may be anywhere)
SLOTS: list[tuple[str, Callable[[Platform, str], None], int]] = [
    ("name_prefix", _setter("name_prefix"), 24),
    ("feature_groups[0].name", _setter("feature_groups", 0, "name"), 64),
    ("models[0].name", _family, 63),
    ("endpoints[0].name", _setter("endpoints", 0, "name"), 63),
    ("endpoints[1].name", _setter("endpoints", 1, "name"), 63),
    ("endpoints[0].variants[0].name", _setter("endpoints", 0, "variants", 0, "name"), 63),
    ("endpoints[0].shadow_variants[0].name", _setter("endpoints", 0, "shadow_variants", 0, "name"), 63),
    ("endpoints[1].variants[0].name", _setter("endpoints", 1, "variants", 0, "name"), 63),
    (
        "endpoints[0].variants[0].scaling.scheduled[0].name",
        _setter("endpoints", 0, "variants", 0, "scaling", "scheduled", 0, "name"),
        64,
    ),
    ("shared_endpoints[0].name", _setter("shared_endpoints", 0, "name"), 63),
    ("shared_endpoints[0].components[0].name", _setter("shared_endpoints", 0, "components", 0, "name"), 63),
    ("experiment_tracking.name", _setter("experiment_tracking", "name"), 256),
]


def _base(model_monitors: dict[str, Any]) -> dict[str, Any]:
    document = load_stack_document("prod")
    platform = document["config"][CONFIG_KEY]
    platform["monitoring"] = {"model_monitors": model_monitors}
    if not model_monitors.get("model_quality"):  # quality alarms need the model-quality monitor
        for model in platform["models"]:
            model.pop("quality_alarms", None)
    # The most tags a stack may set: with the platform's own, every resource is at AWS's limit.
    platform["tags"] |= {f"tag-{index}": "x" * 256 for index in range(MAX_STACK_TAGS - len(platform["tags"]))}
    first = platform["endpoints"][0]
    first["shadow_variants"] = [
        {
            "name": "shadow",
            "model": {"latest_approved_of": "customer-churn"},
            "instance_type": "ml.g5.2xlarge",
        }
    ]
    second = copy.deepcopy(first)
    second |= {"name": "async", "shadow_variants": [], "async_inference": {"notifications": True}}
    second["variants"][0]["scaling"]["backlog_per_instance"] = 5.0
    # Async publishes no InvocationsPerInstance: its target (the copied prod one) is refused.
    second["variants"][0]["scaling"]["invocations_per_instance"] = None
    platform["endpoints"].append(second)
    # A shared endpoint: its inference components are named <prefix>-<endpoint>-<component>.
    platform["shared_endpoints"] = [
        {
            "name": "small-models",
            "instance_type": "ml.m5.4xlarge",
            "initial_instance_count": 2,
            "components": [
                {
                    "name": name,
                    "model": {"latest_approved_of": "customer-churn"},
                    "compute": {"cpu_cores": 1, "memory_mb": 2048},
                    "copies": 2,
                    "scaling": {"min_copies": 2, "max_copies": 4},
                }
                for name in ("churn", "retention-offer")
            ],
        }
    ]
    return document


def _problems(document: dict[str, Any]) -> list[tuple[str, str]]:
    try:
        parse_platform_config(document["config"][CONFIG_KEY], "Pulumi.longest.yaml")
    except ConfigError as error:
        return error.problems
    return []


def _longest(document: dict[str, Any], prefix: int = 24) -> tuple[dict[str, Any], dict[str, int]]:
    """Each slot in turn at the longest value the config accepts (given the slots before it, and a
    name prefix of at most ``prefix`` characters); asserts that one character more is rejected
    naming that slot's key."""
    assert _problems(document) == []
    lengths: dict[str, int] = {}
    for index, (key, set_name, most) in enumerate(SLOTS):
        cap = min(most, prefix) if key == "name_prefix" else most
        rejected: list[tuple[str, str]] = []
        for length in range(cap, 0, -1):
            trial = copy.deepcopy(document)
            # Distinct per slot (two endpoints, two variants of one endpoint must differ).
            set_name(trial["config"][CONFIG_KEY], (chr(ord("a") + index) + "1-b" * 90)[: length - 1] + "z")
            problems = _problems(trial)
            if not problems:
                if length < cap:  # one character more was refused, naming this key
                    assert rejected, f"{key}: {length + 1} characters refused with no problem"
                    assert all(path.endswith(key) or key in message for path, message in rejected), rejected
                document, lengths[key] = trial, length
                break
            rejected = problems
    return document, lengths


def _searched(model_monitors: dict[str, Any], prefix: int) -> tuple[dict[str, Any], dict[str, int]]:
    """:func:`_longest` of the base with ``model_monitors``: the document and each slot's length. The
    search (a few hundred config parses, 1-2 s of CPU) runs once per version of the code for every
    xdist worker and run (tests.recorded.computed_once), whichever of its readers asks first (the
    graphs' fixture, test_the_longest_names_reach_their_limits): its result is a pure function of the
    code (stacks/config), this module (the base, the slots), the prod fixture (a support file) and
    the arguments (keyed); a search whose assertions fail is not cached, so it fails for every caller."""
    return computed_once(
        f"longest-prefix{prefix}",  # one entry per parameter: neither ages the other out
        lambda: _longest(_base(model_monitors), prefix),
        key=[json.dumps(model_monitors, sort_keys=True), str(prefix)],
    )


EVERY_MONITOR = {"model_quality": True, "bias": True, "explainability": True}


def _record(
    tmp_path_factory: pytest.TempPathFactory, model_monitors: dict[str, Any], prefix: int
) -> ResourceGraph:
    """The recording of :func:`_searched`'s document."""
    document, _ = _searched(model_monitors, prefix)
    path = tmp_path_factory.mktemp("longest") / "Pulumi.longest.yaml"
    path.write_text(dump_document(document))
    return recorded_stack(str(path))


@pytest.fixture(scope="module", params=["every-monitor", "data-quality-only-one-letter-prefix"])
def longest_graph(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    """Every monitor with a 24-character prefix: job-definition names bound the endpoint names (17
    characters). Data quality only with a one-letter prefix: endpoint, family and feature group
    names reach 61-62 characters, and the auto-names built from them get longest."""
    if request.param == "every-monitor":
        return _record(tmp_path_factory, EVERY_MONITOR, 24)
    return _record(tmp_path_factory, {}, 1)


def physical_name(resource: RecordedResource) -> str:
    """The name AWS sees: the one the platform sets, else Pulumi's auto-name."""
    key, _ = PHYSICAL_NAME_LIMITS[resource.type]
    name = resource.inputs.get(key)
    return name if isinstance(name, str) else f"{resource.name}-{'0' * (AUTONAME_SUFFIX - 1)}"


def test_the_longest_names_reach_their_limits() -> None:
    # The search the every-monitor graph is recorded from (one search for both readers).
    _, lengths = _searched(EVERY_MONITOR, 24)
    assert lengths["name_prefix"] == 24
    # <prefix>-<endpoint>-model-explainability is a 63-character job definition name.
    assert lengths["endpoints[0].name"] == 63 - 25 - len("-model-explainability")
    assert lengths["models[0].name"] == 63 - 25  # <prefix>-<family>: a model package group
    assert lengths["feature_groups[0].name"] == 64 - 25
    assert lengths["endpoints[0].variants[0].name"] == 63  # a variant name is never prefixed
    # <prefix>-<shared endpoint>-<component>: a 63-character inference component name, the
    # endpoint name bounded by its longest component's ("retention-offer", 15 characters).
    assert lengths["shared_endpoints[0].name"] == 63 - 25 - len("-retention-offer")
    assert lengths["shared_endpoints[0].components[0].name"] == len("retention-offer")


def test_every_physical_name_fits_its_aws_limit(longest_graph: ResourceGraph) -> None:
    too_long = [
        f"{resource.type} {name!r}: {len(name)} > {PHYSICAL_NAME_LIMITS[resource.type][1]}"
        for resource in longest_graph.cloud_resources
        if resource.type in PHYSICAL_NAME_LIMITS
        and len(name := physical_name(resource)) > PHYSICAL_NAME_LIMITS[resource.type][1]
    ]
    assert too_long == []


def test_every_recorded_type_is_classified(longest_graph: ResourceGraph) -> None:
    unclassified = (
        {resource.type for resource in longest_graph.cloud_resources} - UNNAMED - set(PHYSICAL_NAME_LIMITS)
    )
    assert unclassified == set(), "add each to PHYSICAL_NAME_LIMITS (with its AWS limit) or to UNNAMED"


TAG_LIMITS: dict[str, int] = {"aws:s3/bucketObjectv2:BucketObjectv2": 10}
"""Resource types allowing fewer than MAX_TAGS_PER_RESOURCE tags (S3: at most 10 per object)."""


def test_no_resource_carries_more_tags_than_aws_allows(longest_graph: ResourceGraph) -> None:
    counts = {
        resource.name: len(tags)
        for resource in longest_graph.cloud_resources
        if (tags := resource.inputs.get("tags")) is not None
    }
    assert max(counts.values()) == MAX_TAGS_PER_RESOURCE  # a component's own tag fills the last place
    too_many = {
        resource.name: len(tags)
        for resource in longest_graph.cloud_resources
        if (tags := resource.inputs.get("tags")) is not None
        and len(tags) > TAG_LIMITS.get(resource.type, MAX_TAGS_PER_RESOURCE)
    }
    assert too_many == {}


def test_uploaded_objects_keep_the_platform_and_required_tags(longest_graph: ResourceGraph) -> None:
    objects = longest_graph.of_type("aws:s3/bucketObjectv2:BucketObjectv2")
    assert objects
    for resource in objects:
        tags = resource.inputs["tags"]
        assert len(tags) == 10
        assert {"environment", "managed-by", "owner", "cost-center"} <= set(tags)
        # Whose object it is: a family's scripts, or an endpoint's explainability analysis config.
        owner = (
            "mlops:endpoint"
            if resource.inputs["key"].startswith("monitoring-config/")
            else "mlops:model-family"
        )
        assert owner in tags, resource.name


def test_a_stack_file_with_too_long_a_name_fails_naming_the_file_and_key(tmp_path: Path) -> None:
    document = _base({"explainability": True})
    platform = document["config"][CONFIG_KEY]
    platform["name_prefix"] = "p" * 24
    platform["endpoints"][0]["name"] = "e" * 17  # the longest: a 63-character job definition name
    assert _problems(document) == []
    platform["endpoints"][0]["name"] = "e" * 18
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(dump_document(document))
    with pytest.raises(ConfigError) as raised:
        recorded_stack(str(path))
    assert f"{path}: {CONFIG_KEY}.endpoints[0].name: the monitoring job definition name" in str(raised.value)


def test_no_two_resources_share_a_urn(longest_graph: ResourceGraph) -> None:
    """Child names join configured names with '-': the longest names must not make two the same."""
    urns = [resource.urn for resource in longest_graph]
    assert len(urns) == len(set(urns))


def test_the_platforms_aws_native_children_have_its_provider_and_no_warning(
    longest_graph: ResourceGraph,
) -> None:
    """Shared endpoints and model monitors are built with the stack's aws-native provider beside its
    aws one (components.native_provider warns of a program that forgets it; the platform never does)."""
    native = [r for r in longest_graph.cloud_resources if r.type.startswith("aws-native:")]
    assert {r.type for r in native} >= {"aws-native:sagemaker:InferenceComponent"}
    assert all(r.provider for r in native)
    assert [w for w in longest_graph.warnings if "aws-native" in w] == []
