"""A hand-mutation audit of the component package, the program's top level and its observability.

Modules audited, one-step mutations applied one at a time (each reverted before the next) against
the tests that cover them:

- components/component_package.py (the components as a Pulumi component package for other
  languages): tests/test_component_package.py;
- stacks/platform.py (the program's top level: the provider, the order of the areas, the exports):
  tests/stacks/test_first_deploy.py, test_composition_semantics.py, test_composition_mutation_audit.py,
  tests/components/test_failure_alerts.py, test_dvc_remote.py, test_audit_trail.py,
  test_model_registry.py, test_cost_guardrails.py, tests/policies/test_policy_on_recorded_stacks.py;
- stacks/composition/observability.py (alert topic, budget, failure alerts, monitors, alarms,
  dashboard, live drift): tests/components/test_failure_alerts.py, test_cost_guardrails.py,
  test_model_monitoring.py, test_endpoint_alarms.py, tests/stacks/test_composition_mutation_audit.py,
  test_composition_semantics.py, test_alarms_without_capture.py, test_live_drift.py. (49 other
  mutations of it are in test_composition_mutation_audit.py; these 22 are the ones it did not run:
  the alert topic's reasons, the budget's warning and ordering, the failure alerts' names, the
  served baselines' warnings, the quality alarms' and live drift's wiring.)

The survivors were run again against the tests here, and ob19 (the served-baselines warning's
condition inverted) against tests/stacks/test_model_monitor_baselines.py, which holds it: it is
among observability's 6 survivors but in none of the columns after them.

===================================  =========  ========  ==========  ==========  ==========
module                               mutations  survived  caught now  equivalent  left alone
===================================  =========  ========  ==========  ==========  ==========
components/component_package.py             62        38          34           3           1
stacks/platform.py                          19        12          11           1           0
stacks/composition/observability.py         22         6           4           1           0
total                                      103        56          49           5           1
===================================  =========  ========  ==========  ==========  ==========

Caught now (each test fails under the mutations it names and passes on the code as it is):

- test_each_output_is_its_childs_value_under_its_schema_name_and_registered: an output taken from
  its neighbour (a key's id and alias swapped, a bucket's name and ARN, a role's name and ARN, a
  pipeline's, an endpoint's ARN and role, a schedule's and job definition's, feature group and
  model package group names and ARNs, the approval topic taken from a group ARN) or not registered
  (each component's ``register_outputs`` short of one output or under another name): what a
  TypeScript or Go program reads through ``ComponentProvider.get_state``, and what `pulumi stack`
  shows;
- test_a_whole_number_from_the_wire_is_the_integer_and_a_fraction_is_refused_naming_it (every
  integer input the package declares, held complete by test_every_integer_input_is_held_here): the
  ``_wire`` conversion dropped for a component; and the bug below;
- test_a_json_input_that_is_not_its_spec_is_refused_naming_the_input (every ``*_json`` input, and
  ``statements_json`` as an output): an error message naming another input (``groups``,
  ``families``, ``training``, ``promotion``, ``spec``, ``statements``), in either branch;
- test_a_latest_approved_variant_serves_the_version_the_program_resolved: the default empty
  ``resolved_model_packages`` spread after the inputs (the program's resolution lost);
- test_the_network_inputs_reach_the_flow_logs_endpoints_and_roles: a fixed flow-log group name,
  interface endpoints cut to two services, the roles off the program's role path;
- test_the_monitor_compares_with_the_baselines_in_the_folder_the_program_names: another folder;
- test_the_endpoint_pulls_images_from_every_registry_account_the_program_trusts: only the stack's
  own registry;
- test_write_puts_the_schema_in_the_checkouts_provider_folder_and_refuses_without_one: the
  ``--write`` guard inverted;
- test_every_resource_goes_through_the_provider_locked_to_the_stacks_account_and_region:
  ``allowed_account_ids`` dropped, the region dropped (the environment's would be used), the
  resources registered without the provider;
- test_the_stack_outputs_adopters_read_are_the_resources_they_name: the datasets and artifacts
  buckets swapped, the notifications key as ``data_key_arn``, the pipeline role as the training
  role, the inference role not exported, the DVC remote's key by id, the model package groups not
  exported, pipeline names for ARNs, the stack file's endpoint keys for their SageMaker names;
- test_a_stack_whose_only_pager_is_alertmanager_gets_the_alert_topic: ``kubernetes_alerts_to_sns``
  dropped from the alert topic's reasons, and the composition handing the Kubernetes servings no
  topic (the program fails: SNS alerting needs it);
- test_the_dashboard_graphs_the_stacks_region: the dashboard's widgets in another region (empty
  graphs);
- test_live_drift_runs_the_familys_evidently_image_and_pages_the_alert_topic: the live-drift jobs
  on ``:latest`` instead of the family's pinned tag, the drift alarm notifying another ARN.

Bugs found (fixed in their own commits, each with its test here and a CHANGELOG entry):

- AccessLogBucketArgs.retention_days and SecureBucketArgs.noncurrent_version_expiration_days had
  no range check, so the package's ``_wire`` (which leaves a fraction for the args to refuse) let
  ``retentionDays: 0.5`` (or 0, or -1) from another language through to S3's lifecycle API; both
  are 1-36500 now, refused naming the field.
- A stack whose only serving is ``shared_endpoints`` got no alert topic (its reasons were
  ``endpoints``, training, SNS-alerting Kubernetes servings, a budget), and the endpoints and shared
  endpoints are built only with it: the shared endpoints were left out without a word. Shared
  endpoints count as serving now
  (test_a_stack_that_serves_only_a_shared_endpoint_builds_it_with_the_alert_topic).

Equivalent:

- the flow-log retention taken from the unconverted inputs, or PrivateNetwork's inputs not
  converted at all (2): its only integer input goes to a check of a set of values (90.0 is in it)
  and reaches CloudWatch as the same number;
- ModelMonitoring's spec built with ``enabled=False``: the component never reads ``enabled``;
- the failure alerts' retraining gates named for every family with a trigger instead of those that
  retrain, here and in stacks/platform.py (2): a gate that does not exist matches no event; the
  fixture stacks retrain every family that has a trigger.

Left alone:

- ModelRegistry's ``approval_mode`` replaced by ``auto``: the component reads it only for
  ``default_approval_status``, which the package does not expose (TrainingPipeline takes its own
  ``approvalStatus``); for another language the input is a checked value with no effect, a design
  question, not a test gap.

Not run: 15 written platform mutations (further exports: audit trail, DVC role, queue, batch
pipelines, shared endpoints, deferred endpoints, MLflow; each is the same one-line pattern the
exports test holds) and 30 written observability ones (monitors' placement, quality monitors,
dashboard rows), for the time a recording of the stacks takes per mutation.
"""

from __future__ import annotations

import json
import re
import typing
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, NotRequired, get_args, get_origin

import pulumi
import pytest

from components import component_package
from components.component_package import COMPONENTS, PACKAGE
from planner.recorder import ResourceGraph, record_program
from stacks.config import CONFIG_KEY
from tests import test_component_package as package_tests
from tests.conftest import load_stack_document
from tests.graph_helpers import only
from tests.recorded import computed_once, recorded_stack
from tests.stack_edits import ranker_shared_endpoint
from tests.stacks import test_kubernetes_wiring as kubernetes_wiring
from tests.stacks import test_live_drift as live_drift
from tests.stacks.conftest import serving_cut
from tests.yaml_text import dump_document

ACCOUNT, REGION, TAGS, KEY_ARN = (
    package_tests.ACCOUNT,
    package_tests.REGION,
    package_tests.TAGS,
    package_tests.KEY_ARN,
)


# -- the component package (components/component_package.py) ---------------------------------------

PROGRAMS: dict[str, Callable[[], None]] = {
    "serving": package_tests._serving_program,
    "registry": package_tests._registry_and_training_program,
    "network": package_tests._network_and_role_program,
}


@cache
def _package_tests_bytes() -> bytes:
    """tests/test_component_package.py, whose programs this module records (computed_once's key)."""
    return Path(package_tests.__file__).read_bytes()


def _recorded_program(name: str) -> ResourceGraph:
    """``PROGRAMS[name]`` recorded once per version of the code for every xdist worker and later run
    (tests.recorded.computed_once): a program of tests/test_component_package.py (its bytes keyed)
    with constant inputs; each caller unpickles its own copy. The recording :func:`_hosted` keeps
    (the program with its hosted components' outputs read after it, which registers nothing more):
    recorded both ways, the two graphs hold the same resources in the same order with the same
    URNs, parents, dependencies, inputs and outputs, so the program is recorded once, not twice."""
    return _hosted(name)[0]


def _hosted(name: str) -> tuple[ResourceGraph, dict[str, dict[str, Any]]]:
    """:func:`_hosted_outputs` of ``PROGRAMS[name]``, once per version of the code (computed_once):
    what the engine gets and what is registered are values of the recording, as its graph is."""

    def compute() -> tuple[ResourceGraph, dict[str, dict[str, Any]]]:
        with pytest.MonkeyPatch.context() as patch:
            return _hosted_outputs(patch, PROGRAMS[name])

    return computed_once(f"hosted-outputs-{name}", compute, key=[_package_tests_bytes()])


def _hosted_outputs(
    monkeypatch: pytest.MonkeyPatch, program: Callable[[], None]
) -> tuple[ResourceGraph, dict[str, dict[str, Any]]]:
    """Record ``program`` and, per hosted component (by class name), its outputs as the engine gets
    them (``ComponentProvider.get_state``, schema names) and as it registers them (Python names)."""
    instances: list[pulumi.ComponentResource] = []
    registered: dict[int, dict[str, Any]] = {}
    original = pulumi.ComponentResource.register_outputs

    def register(self: pulumi.ComponentResource, outputs: Any) -> None:
        if type(self) in COMPONENTS:
            instances.append(self)
            registered[id(self)] = dict(outputs)
        original(self, outputs)

    monkeypatch.setattr(pulumi.ComponentResource, "register_outputs", register)
    resolved: dict[str, dict[str, Any]] = {}

    def run() -> None:
        program()
        provider = package_tests._provider()
        for instance in instances:
            component = type(instance).__name__
            state = provider.get_state(instance, provider._component_defs[component])
            pulumi.Output.from_input({"engine": state, "registered": registered[id(instance)]}).apply(
                lambda values, component=component: resolved.__setitem__(component, values)
            )

    return record_program(run), resolved


def _inside(graph: ResourceGraph, component: str, type_token: str, name_part: str = "") -> list[Any]:
    [wrapper] = graph.of_type(f"{PACKAGE}:index:{component}")
    return [r for r in graph.descendants(wrapper) if r.type == type_token and name_part in r.name]


def _one_inside(graph: ResourceGraph, component: str, type_token: str, name_part: str = "") -> Any:
    [found] = _inside(graph, component, type_token, name_part)
    return found


def _expected_outputs(graph: ResourceGraph, component: str) -> dict[str, Any]:
    """What each output of a hosted component must be: the matching value of the child it built."""

    def one(type_token: str, name_part: str = "") -> Any:
        return _one_inside(graph, component, type_token, name_part)

    if component == "EncryptionKey":
        key = one("aws:kms/key:Key")
        return {
            "keyArn": key.outputs["arn"],
            "keyId": key.outputs["id"],
            "aliasName": one("aws:kms/alias:Alias").outputs["name"],
        }
    if component in ("AccessLogBucket", "SecureBucket"):
        bucket = one("aws:s3/bucket:Bucket")
        return {"bucketName": bucket.outputs["bucket"], "bucketArn": bucket.outputs["arn"]}
    if component == "ExecutionRole":
        role = one("aws:iam/role:Role")
        return {"roleArn": role.outputs["arn"], "roleName": role.outputs["name"]}
    if component == "PrivateNetwork":
        return {
            "vpcId": one("aws:ec2/vpc:Vpc").outputs["id"],
            "privateSubnetIds": [s.outputs["id"] for s in _inside(graph, component, "aws:ec2/subnet:Subnet")],
            "workloadSecurityGroupId": one("aws:ec2/securityGroup:SecurityGroup", "workloads").outputs["id"],
        }
    if component == "FeatureStore":
        groups = _inside(graph, component, "aws:sagemaker/featureGroup:FeatureGroup")
        return {
            "featureGroupNames": [g.outputs["featureGroupName"] for g in groups],
            "featureGroupArns": [g.outputs["arn"] for g in groups],
        }
    if component == "ModelRegistry":
        groups = _inside(graph, component, "aws:sagemaker/modelPackageGroup:ModelPackageGroup")
        return {
            "modelPackageGroupNames": [g.outputs["modelPackageGroupName"] for g in groups],
            "modelPackageGroupArns": [g.outputs["arn"] for g in groups],
            "approvalTopicArn": one("aws:sns/topic:Topic").outputs["arn"],
        }
    if component == "TrainingPipeline":
        pipeline = one("aws:sagemaker/pipeline:Pipeline")
        return {"pipelineArn": pipeline.outputs["arn"], "pipelineName": pipeline.outputs["pipelineName"]}
    if component == "InferenceEndpoint":
        endpoint = one("aws:sagemaker/endpoint:Endpoint")
        role_arn = one("aws:sagemaker/model:Model").inputs["executionRoleArn"]
        assert role_arn in [r.outputs["arn"] for r in _inside(graph, component, "aws:iam/role:Role")]
        return {
            "endpointName": endpoint.outputs["name"],
            "endpointArn": endpoint.outputs["arn"],
            "roleArn": role_arn,
        }
    if component == "ModelMonitoring":
        return {
            "scheduleName": one("aws:sagemaker/monitoringSchedule:MonitoringSchedule").outputs["name"],
            "jobDefinitionName": one(
                "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition"
            ).outputs["name"],
        }
    raise AssertionError(f"no expectation for {component}: add one")


@pytest.mark.parametrize("program", sorted(PROGRAMS))
def test_each_output_is_its_childs_value_under_its_schema_name_and_registered(program: str) -> None:
    """What a TypeScript or Go program reads from a hosted component (the engine's state, by schema
    name) is the value of the child resource the output is named after, and the component registers
    the same outputs under their Python names (what `pulumi stack` shows). Kills an output taken
    from its neighbour (a key's id as its alias, a bucket's ARN as its name, a role's name as its
    ARN, a model package group's ARN as the approval topic...) and an output not registered."""
    graph, outputs = _hosted(program)  # once per version of the code (tests.recorded.computed_once)
    provider = package_tests._provider()
    assert outputs, "no hosted component was constructed"
    for component, got in outputs.items():
        expected = _expected_outputs(graph, component)
        definition = provider._component_defs[component]
        assert set(expected) == set(definition.outputs), component
        assert got["engine"] == expected, component
        python_names = {definition.outputs_mapping[name]: value for name, value in expected.items()}
        assert got["registered"] == python_names, component


def test_every_hosted_component_is_in_one_of_the_output_programs() -> None:
    constructed = {
        r.type.rsplit(":", 1)[1]
        for name in PROGRAMS
        for r in _recorded_program(name)
        if r.type.startswith(f"{PACKAGE}:")
    }
    assert constructed == {component.__name__ for component in COMPONENTS}


def _declared(inputs: type) -> dict[str, Any]:
    """An inputs TypedDict's keys and their declared types, ``NotRequired`` unwrapped."""
    found = {}
    for key, declared in inputs.__annotations__.items():
        if get_origin(declared) is NotRequired:
            declared = get_args(declared)[0]
        found[key] = declared
    return found


def _inputs_class(component: type) -> type:
    return typing.get_type_hints(component.__init__)["args"]


PLAIN = {
    "accountId": ACCOUNT,
    "region": REGION,
    "tags": TAGS,
    "rolePath": "/team-x/",
}
NUMBER_CASES: dict[tuple[str, str], tuple[dict[str, Any], int, str, Callable[[ResourceGraph], Any]]] = {
    # (component, input): (the other inputs, a whole value, the Args field named when refused, where it lands)
    ("EncryptionKey", "deletion_window_days"): (
        {"purpose": "data", "accountId": ACCOUNT, "userRolePath": "/team-x/", "tags": TAGS},
        14,
        "deletion_window_days",
        lambda g: only(g, "aws:kms/key:Key").inputs["deletionWindowInDays"],
    ),
    ("EncryptionKey", "rotation_period_days"): (
        {"purpose": "data", "accountId": ACCOUNT, "userRolePath": "/team-x/", "tags": TAGS},
        180,
        "rotation_period_days",
        lambda g: only(g, "aws:kms/key:Key").inputs["rotationPeriodInDays"],
    ),
    ("AccessLogBucket", "retention_days"): (
        {"accountId": ACCOUNT, "tags": TAGS},
        90,
        "retention_days",
        lambda g: only(g, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"][
            0
        ]["expiration"]["days"],
    ),
    ("SecureBucket", "noncurrent_version_expiration_days"): (
        {"purpose": "artifacts", "kmsKeyArn": KEY_ARN, "accessLogBucket": "logs", "tags": TAGS},
        30,
        "noncurrent_version_expiration_days",
        lambda g: only(g, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"][
            0
        ]["noncurrentVersionExpiration"]["noncurrentDays"],
    ),
    ("PrivateNetwork", "flow_log_retention_days"): (
        {
            **PLAIN,
            "cidr": "10.30.0.0/16",
            "availabilityZones": ["eu-west-1a"],
            "interfaceEndpointServices": ["sts"],
            "flowLogKmsKeyArn": KEY_ARN,
            "flowLogGroupName": "/team-x/vpc-flow-logs",
        },
        90,
        "flow_log_retention_days",
        lambda g: only(g, "aws:cloudwatch/logGroup:LogGroup").inputs["retentionInDays"],
    ),
    ("ModelMonitoring", "volume_size_gb"): (
        {
            **PLAIN,
            "endpointName": "team-x-churn",
            "baselinesFolder": "baselines/churn/7/",
            "artifactBucketName": "artifacts",
            "artifactBucketArn": "arn:aws:s3:::artifacts",
            "kmsKeyArn": KEY_ARN,
            "subnetIds": ["subnet-0a1b2c3d4e5f60718"],
            "securityGroupIds": ["sg-0123456789abcdef0"],
        },
        40,
        "volume_size_gb",
        lambda g: only(g, "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition").inputs[
            "jobResources"
        ]["clusterConfig"]["volumeSizeInGb"],
    ),
    ("ModelMonitoring", "max_runtime_seconds"): (
        {
            **PLAIN,
            "endpointName": "team-x-churn",
            "baselinesFolder": "baselines/churn/7/",
            "artifactBucketName": "artifacts",
            "artifactBucketArn": "arn:aws:s3:::artifacts",
            "kmsKeyArn": KEY_ARN,
            "subnetIds": ["subnet-0a1b2c3d4e5f60718"],
            "securityGroupIds": ["sg-0123456789abcdef0"],
        },
        1200,
        "max_runtime_seconds",
        lambda g: only(g, "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition").inputs[
            "stoppingCondition"
        ]["maxRuntimeInSeconds"],
    ),
}
"""Every integer input of the package but TrainingPipeline's ``max_parallel_steps`` (whose pipeline
definition takes seconds to build; tests/test_component_package.py holds it the same way)."""


def test_every_integer_input_is_held_here() -> None:
    declared = {
        (component.__name__, key)
        for component in COMPONENTS
        for key, kind in _declared(_inputs_class(component)).items()
        if kind is int
    }
    assert declared == {*NUMBER_CASES, ("TrainingPipeline", "max_parallel_steps")}


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part.title() for part in rest)


@pytest.mark.parametrize(
    ("component", "key"), [pytest.param(c, k, id=f"{c}.{k}") for c, k in sorted(NUMBER_CASES)]
)
def test_a_whole_number_from_the_wire_is_the_integer_and_a_fraction_is_refused_naming_it(
    component: str, key: str
) -> None:
    """Numbers reach Construct as floats: ``14.0`` must reach the resource as the integer 14 (an
    int, not a float: CloudWatch, KMS and S3 take integers), and ``14.5`` must be refused before
    anything registers, naming the input (it was accepted by AccessLogBucket and SecureBucket, whose
    args checked no range, and would have reached S3's lifecycle API)."""
    others, whole, field_name, landed = NUMBER_CASES[(component, key)]
    graph = record_program(
        lambda: package_tests._construct(component, "wired", {**others, _camel(key): float(whole)})
    )
    value = landed(graph)
    assert value == whole and type(value) is int, f"{component}.{key} reached the resource as {value!r}"

    with pytest.raises(ValueError, match=field_name):
        record_program(
            lambda: package_tests._construct(component, "wired", {**others, _camel(key): whole + 0.5})
        )


JSON_CASES: dict[tuple[str, str], dict[str, Any]] = {
    ("FeatureStore", "groups_json"): {
        **PLAIN,
        "dataBucketName": "datasets",
        "dataBucketArn": "arn:aws:s3:::datasets",
        "kmsKeyArn": KEY_ARN,
    },
    ("ModelRegistry", "families_json"): {
        "accountId": ACCOUNT,
        "region": REGION,
        "tags": TAGS,
        "approvalMode": "manual",
        "notificationKeyArn": KEY_ARN,
    },
    ("TrainingPipeline", "training_json"): package_tests._training_inputs(),
    ("TrainingPipeline", "promotion_json"): package_tests._training_inputs(),
    ("InferenceEndpoint", "spec_json"): {
        **PLAIN,
        "endpointName": "team-x-churn",
        "artifactBucketName": "artifacts",
        "artifactBucketArn": "arn:aws:s3:::artifacts",
        "kmsKeyArn": KEY_ARN,
        "notificationKeyArn": KEY_ARN,
        "subnetIds": ["subnet-0a1b2c3d4e5f60718"],
        "securityGroupIds": ["sg-0123456789abcdef0"],
        "imageRegistryAccounts": [ACCOUNT],
        "alarmTopicArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts",
    },
    ("ExecutionRole", "statements_json"): {
        "description": "Reads",
        "trustedService": "sagemaker.amazonaws.com",
        "accountId": ACCOUNT,
        "path": "/team-x/",
        "tags": TAGS,
    },
}


def test_every_json_input_is_held_here() -> None:
    declared = {
        (component.__name__, key)
        for component in COMPONENTS
        for key in _declared(_inputs_class(component))
        if key.endswith("_json")
    }
    assert declared == set(JSON_CASES)


@pytest.mark.parametrize(
    ("component", "key", "as_output"),
    [
        *(pytest.param(c, k, False, id=f"{c}.{k}") for c, k in sorted(JSON_CASES)),
        pytest.param("ExecutionRole", "statements_json", True, id="ExecutionRole.statements_json-output"),
    ],
)
def test_a_json_input_that_is_not_its_spec_is_refused_naming_the_input(
    component: str, key: str, as_output: bool
) -> None:
    """A JSON spec that does not parse is reported with the input's name first (the program's author
    sees which of a component's JSON inputs is wrong), for statements built from another resource's
    outputs too (the ``Output`` branch)."""
    text = '{"not": "a spec"' if key != "statements_json" else '[{"Effect": "Allow"}, 3]'

    def program() -> None:
        value: Any = pulumi.Output.from_input(text) if as_output else text
        package_tests._construct(component, "bad", {**JSON_CASES[(component, key)], _camel(key): value})

    with pytest.raises(ValueError, match=rf"(?m)(^|\W){key}: "):
        record_program(program)


def test_a_latest_approved_variant_serves_the_version_the_program_resolved() -> None:
    """``resolvedModelPackages`` is what a program in another language resolved for a variant whose
    source is ``latest_approved_of``: the model serves that version (the default empty map must
    not replace it)."""
    version = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/churn/12"
    spec = json.loads(json.dumps(package_tests.ENDPOINT_SPEC))
    spec["variants"][0]["model"] = {"latest_approved_of": "churn"}
    graph = record_program(
        lambda: package_tests._construct(
            "InferenceEndpoint",
            "churn",
            {**JSON_CASES[("InferenceEndpoint", "spec_json")], "specJson": json.dumps(spec),
             "resolvedModelPackages": {"primary": version}},
        )
    )  # fmt: skip
    assert only(graph, "aws:sagemaker/model:Model").inputs["primaryContainer"]["modelPackageName"] == version


def test_the_network_inputs_reach_the_flow_logs_endpoints_and_roles() -> None:
    """PrivateNetwork builds its VPC from the inputs one by one: the flow-log group a program names,
    an interface endpoint for every service it lists, and its roles on its role path (the KMS keys
    trust that path only)."""
    graph = _recorded_program("network")  # package_tests._network_and_role_program
    assert only(graph, "aws:cloudwatch/logGroup:LogGroup").inputs["name"] == "/team-x/vpc-flow-logs"
    services = {
        r.inputs["serviceName"]
        for r in _inside(graph, "PrivateNetwork", "aws:ec2/vpcEndpoint:VpcEndpoint")
        if r.inputs.get("vpcEndpointType") == "Interface"
    }
    assert services == {
        f"com.amazonaws.{REGION}.{s}" for s in ("sagemaker.api", "sagemaker.runtime", "sts", "logs")
    }
    roles = _inside(graph, "PrivateNetwork", "aws:iam/role:Role")
    assert roles and {role.inputs["path"] for role in roles} == {"/team-x/"}


def test_write_puts_the_schema_in_the_checkouts_provider_folder_and_refuses_without_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``--write`` regenerates ``provider/schema.json`` of the checkout the module is in (the golden
    copy the provider serves), and refuses where there is no ``provider/`` folder (an installed
    package) instead of writing elsewhere."""
    checkout = tmp_path / "checkout"
    (checkout / "components").mkdir(parents=True)
    (checkout / "pyproject.toml").write_text((package_tests.REPO / "pyproject.toml").read_text())
    monkeypatch.setattr(component_package, "__file__", str(checkout / "components" / "component_package.py"))
    with pytest.raises(SystemExit) as refused:
        component_package._main(["--write"])
    assert refused.value.code == 2 and not list(checkout.rglob("schema.json"))

    (checkout / "provider").mkdir()
    assert component_package._main(["--write"]) == 0
    written = json.loads((checkout / "provider" / "schema.json").read_text())
    assert written == json.loads(package_tests.GOLDEN.read_text())


def test_the_monitor_compares_with_the_baselines_in_the_folder_the_program_names() -> None:
    """``baselinesFolder`` is where the served version's baselines are: the data-quality job reads
    its statistics and constraints there, in the artifact bucket."""
    graph, outputs = _hosted("serving")  # the serving program's recording, once per version of the code
    bucket = outputs["SecureBucket"]["engine"]["bucketName"]
    [job] = graph.of_type("aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition")
    config = job.inputs["dataQualityBaselineConfig"]
    assert config["statisticsResource"]["s3Uri"] == f"s3://{bucket}/baselines/churn/7/statistics.json"
    assert config["constraintsResource"]["s3Uri"] == f"s3://{bucket}/baselines/churn/7/constraints.json"


def test_the_endpoint_pulls_images_from_every_registry_account_the_program_trusts() -> None:
    """``imageRegistryAccounts`` are the accounts whose ECR repositories the endpoint's role may pull
    from: each of them, not only the stack's own (a shared-services registry is the usual other)."""
    registry = "444455556666"
    inputs = {
        **JSON_CASES[("InferenceEndpoint", "spec_json")],
        "specJson": json.dumps(package_tests.ENDPOINT_SPEC),
        "imageRegistryAccounts": [ACCOUNT, registry],
    }
    graph = record_program(lambda: package_tests._construct("InferenceEndpoint", "churn", inputs))
    pulls = [
        statement
        for policy in graph.of_type("aws:iam/rolePolicy:RolePolicy")
        for statement in json.loads(policy.inputs["policy"])["Statement"]
        if "ecr:BatchGetImage" in statement["Action"]
    ]
    assert pulls and all(
        set(statement["Resource"])
        == {f"arn:aws:ecr:{REGION}:{account}:repository/*" for account in (ACCOUNT, registry)}
        for statement in pulls
    )


# -- the platform's top level (stacks/platform.py) ----------------------------------------------------


def _named(graph: ResourceGraph, type_token: str, name: str) -> Any:
    [found] = [r for r in graph.of_type(type_token) if r.name == name]
    return found


def test_every_resource_goes_through_the_provider_locked_to_the_stacks_account_and_region(
    stack_graphs: dict[str, ResourceGraph],
) -> None:
    """The program's AWS provider refuses any account but the stack's (credentials of another
    account active in a shell cannot touch it) and works in the stack's region, and every AWS
    resource is registered through it, not through the default provider (which would take whatever
    region and account the environment has)."""
    for stack, graph in stack_graphs.items():
        config = graph.config["mlops-platform:platform"]
        provider = _named(graph, "pulumi:providers:aws", "aws")
        assert json.loads(provider.inputs["allowedAccountIds"]) == [config["account_id"]], stack
        assert provider.inputs["region"] == config["region"], stack
        aws = [r for r in graph if r.is_cloud_resource and r.type.startswith("aws:")]
        assert aws and {r.provider.rsplit("::", 1)[0] if r.provider else None for r in aws} == {
            provider.urn
        }, stack


def test_the_stack_outputs_adopters_read_are_the_resources_they_name(
    stack_graphs: dict[str, ResourceGraph],
) -> None:
    """docs/ecosystem.md tells a team which stack output to use (`pulumi stack output <name>`): each is
    the value of the resource it names, not its neighbour's (the datasets bucket for the artifacts,
    the pipeline role for the training role, a pipeline's name for its ARN, an endpoint's key in the
    stack file for its name in SageMaker...)."""
    graph = stack_graphs["prod"]
    exports = graph.exports

    def out(type_token: str, name: str, key: str = "arn") -> Any:
        return _named(graph, type_token, name).outputs[key]

    assert exports["vpc_id"] == out("aws:ec2/vpc:Vpc", "network-vpc", "id")
    assert exports["datasets_bucket"] == out("aws:s3/bucket:Bucket", "datasets-bucket", "bucket")
    assert exports["artifacts_bucket"] == out("aws:s3/bucket:Bucket", "artifacts-bucket", "bucket")
    assert exports["data_key_arn"] == out("aws:kms/key:Key", "kms-data-key")
    for role in ("training", "pipeline", "inference"):
        assert exports[f"{role}_role_arn"] == out("aws:iam/role:Role", f"{role}-role-role"), role
    assert exports["audit_log_bucket"] == out("aws:s3/bucket:Bucket", "audit-logs-bucket", "bucket")
    assert exports["evidently_repository_url"] == out(
        "aws:ecr/repository:Repository", "evidently-image-repository", "repositoryUrl"
    )
    assert exports["dvc_remote_role_arn"] == out("aws:iam/role:Role", "dvc-remote-role")
    assert exports["dvc_remote_sse_kms_key_id"] == exports["data_key_arn"]
    groups = graph.of_type("aws:sagemaker/modelPackageGroup:ModelPackageGroup")
    assert exports["model_package_group_names"] == [g.outputs["modelPackageGroupName"] for g in groups]
    assert exports["model_approval_topic_arn"] == out("aws:sns/topic:Topic", "model-registry-approvals")
    assert exports["approval_dispatch_dead_letter_queue_url"] == out(
        "aws:sqs/queue:Queue", "approval-dispatch-undelivered", "url"
    )
    assert exports["training_pipeline_arns"] == {
        "customer-churn": out("aws:sagemaker/pipeline:Pipeline", "training-customer-churn-pipeline")
    }
    assert exports["batch_scoring_pipeline_arns"] == {
        "customer-churn": out("aws:sagemaker/pipeline:Pipeline", "batch-customer-churn-pipeline")
    }
    assert exports["alert_topic_arn"] == out("aws:sns/topic:Topic", "alerts-topic")
    assert exports["endpoint_names"] == {
        "customer-churn": out("aws:sagemaker/endpoint:Endpoint", "endpoint-customer-churn-endpoint", "name")
    }
    assert exports["mlflow_tracking_server_arn"] == out(
        "aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer", "experiment-tracking-server"
    )


# -- observability (stacks/composition/observability.py) ----------------------------------------------


@pytest.fixture(scope="module")
def kubernetes_alerts_only(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    """The prod fixture serving on Kubernetes only (no SageMaker endpoint, no training, no budget),
    its Alertmanager publishing to SNS: the stack's only reason to have an alert topic."""
    document = load_stack_document("prod")
    platform = document["config"]["mlops-platform:platform"]
    kubernetes_wiring._cut(kubernetes_wiring._alerting({"destination": "sns"}))(platform)
    platform["training"] = {"enabled": False}
    for family in platform["models"]:
        for key in ("training", "evidently", "quality_alarms"):
            family.pop(key, None)
    path = tmp_path_factory.mktemp("kubernetes-alerts-only") / "Pulumi.prod.yaml"
    path.write_text(dump_document(document))
    return recorded_stack(kubernetes_wiring._with_kubeconfig(path))


def test_a_stack_whose_only_pager_is_alertmanager_gets_the_alert_topic(
    kubernetes_alerts_only: ResourceGraph,
) -> None:
    """Alertmanager's SNS receiver publishes to the stack's alert topic: a stack that neither trains
    nor serves on SageMaker and sets no budget still gets the topic (without it the Kubernetes
    monitoring cannot be built), and Alertmanager is given that topic."""
    graph = kubernetes_alerts_only
    assert not graph.of_type("aws:sagemaker/endpoint:Endpoint")
    assert not graph.of_type("aws:sagemaker/pipeline:Pipeline")
    topic = _named(graph, "aws:sns/topic:Topic", "alerts-topic")
    [release] = [
        r
        for r in graph.of_type("kubernetes:helm.sh/v3:Release")
        if r.inputs["chart"] == "kube-prometheus-stack"
    ]
    receivers = release.inputs["values"]["alertmanager"]["config"]["receivers"]
    assert [c["topic_arn"] for r in receivers for c in r.get("sns_configs", [])] == [topic.outputs["arn"]]


@pytest.fixture(scope="module")
def shared_endpoint_only(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    """The prod fixture serving one shared endpoint (inference components) and nothing else: no
    endpoint, no training, no budget, no Kubernetes (a serving account's stack)."""
    document = load_stack_document("prod")
    platform = document["config"]["mlops-platform:platform"]
    serving_cut(platform)
    platform.pop("endpoints", None)
    platform["training"] = {"enabled": False}
    for family in platform["models"]:
        for key in ("training", "evidently", "quality_alarms"):
            family.pop(key, None)
    platform["shared_endpoints"] = [ranker_shared_endpoint()]
    path = tmp_path_factory.mktemp("shared-endpoint-only") / "Pulumi.prod.yaml"
    path.write_text(dump_document(document))
    return recorded_stack(path)


def test_a_stack_that_serves_only_a_shared_endpoint_builds_it_with_the_alert_topic(
    shared_endpoint_only: ResourceGraph,
) -> None:
    """A shared endpoint's components roll back on their own alarms, which notify the alert topic:
    a stack whose only serving is a shared endpoint gets the topic, and with it the endpoint. (The
    topic was built only for stacks with ``endpoints``, training, SNS-alerting Kubernetes servings or
    a budget, and without it the shared endpoint was left out without a word: `pulumi up` created
    no endpoint at all.)"""
    graph = shared_endpoint_only
    topic = _named(graph, "aws:sns/topic:Topic", "alerts-topic")
    [endpoint] = graph.of_type("aws:sagemaker/endpoint:Endpoint")
    assert endpoint.inputs["name"] == "prod-shared-models"
    [component] = graph.of_type("aws-native:sagemaker:InferenceComponent")
    alarms = graph.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    assert alarms and all(alarm.inputs["alarmActions"] == [topic.outputs["arn"]] for alarm in alarms)
    assert component.inputs["endpointName"] == endpoint.outputs["name"]
    # A failed or rolled-back update of the endpoint itself pages like a single-model endpoint's.
    [updates] = [
        rule
        for rule in graph.of_type("aws:cloudwatch/eventRule:EventRule")
        if "SageMaker Endpoint State Change" in rule.inputs["eventPattern"]
    ]
    assert json.loads(updates.inputs["eventPattern"])["detail"]["EndpointName"] == ["prod-shared-models"]


def test_the_dashboard_graphs_the_stacks_region(stack_graphs: dict[str, ResourceGraph]) -> None:
    """A CloudWatch dashboard widget reads its metrics from the region it names: every graph of the
    stack's dashboard names the stack's region (another region's graphs are empty)."""
    assert stack_graphs["prod"].of_type("aws:cloudwatch/dashboard:Dashboard")
    for stack, graph in stack_graphs.items():
        region = graph.config["mlops-platform:platform"]["region"]
        for dashboard in graph.of_type("aws:cloudwatch/dashboard:Dashboard"):
            widgets = json.loads(dashboard.inputs["dashboardBody"])["widgets"]
            regions = {w["properties"]["region"] for w in widgets if "region" in w.get("properties", {})}
            assert regions == {region}, stack


@pytest.fixture(scope="module")
def live_drift_prod(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    """The prod fixture with Evidently live drift instead of Model Monitor (test_live_drift.py's
    document: one recording for both modules)."""
    document = load_stack_document("prod")
    live_drift.live_drift_instead_of_model_monitor(document["config"][CONFIG_KEY])
    path = tmp_path_factory.mktemp("live-drift") / "Pulumi.prod.yaml"
    path.write_text(dump_document(document))
    return recorded_stack(path)


def test_live_drift_runs_the_familys_evidently_image_and_pages_the_alert_topic(
    live_drift_prod: ResourceGraph,
) -> None:
    """The live-drift jobs run the image tag the family pins (``models[].evidently.image_tag``, the
    Evidently version its reference was computed with) from the stack's repository, and the drift
    alarm notifies the alert topic (not another ARN)."""
    graph = live_drift_prod
    family = next(f for f in graph.config[CONFIG_KEY]["models"] if f["name"] == live_drift.FAMILY)
    repository = _named(graph, "aws:ecr/repository:Repository", "evidently-image-repository")
    pipeline = _named(graph, "aws:sagemaker/pipeline:Pipeline", f"live-drift-{live_drift.ENDPOINT}-pipeline")
    images = set(re.findall(r'"ImageUri": "([^"]+)"', pipeline.inputs["pipelineDefinition"]))
    assert images == {f"{repository.outputs['repositoryUrl']}:{family['evidently']['image_tag']}"}

    topic = _named(graph, "aws:sns/topic:Topic", "alerts-topic")
    alarm = _named(
        graph, "aws:cloudwatch/metricAlarm:MetricAlarm", f"live-drift-{live_drift.ENDPOINT}-drift-alarm"
    )
    assert alarm.inputs["alarmActions"] == [topic.outputs["arn"]]
