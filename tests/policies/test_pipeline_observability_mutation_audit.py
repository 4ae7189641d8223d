"""What the pipeline-definition and observability rules decide, where a mutation audit found no test holding it.

A hand-mutation audit of policies/rules/_pipeline.py (with the pipeline-step checks of
sagemaker_jobs.py that read it), policies/rules/_capture_watchers.py and policies/rules/observability.py
(the mute-rule parts left out: audited already): 122 one-step mutations of the decision logic, each
run against the tests of its rules. 82 were caught; 40 survived. Of those, 30 are caught by a test
here, 1 exposed a product bug (fixed, see CHANGELOG.md) and 9 are equivalent (below); none is left.
Of 5 further mutations of the fixed lines, 5 are caught here.

_pipeline.py (58 mutations, 20 survived: 15 caught now, 5 equivalent) and sagemaker_jobs.py's
pipeline-step checks (7 mutations, 1 survived, caught now):

- a step in a Condition's ElseSteps is judged (network and KMS), not only IfSteps;
- every TrainingJobDefinitions[] entry of a tuning step is judged, by its index;
- an instance group's InstanceType and InstanceCount from ``{"Get": "Parameters.X"}`` are X's default
  (allowlist; GPU quota);
- a tuning definition sized in HyperParameterTuningResourceConfig has its InstanceType allowlisted and
  its InstanceCount (x MaxParallelTrainingJobs) counted against the GPU quota;
- a parameter declared without a DefaultValue stays an expression (a KMS key from it is set);
- a VpcConfig given as an expression counts as set;
- the processing step's network exception: every subnet literal (one expression among them breaks
  it); inter-container encryption unset breaks it (and the transit check reports it); two .py inputs
  break it, none at all does not; an empty RoleArn is no role; a DatasetDefinition beside a script URI
  and a script not in S3 are not the script; another job's role from a parameter is compared as its
  default (another default passes, the step's own role fails).

_capture_watchers.py (43 mutations, 16 survived: 11 caught now, 1 bug, 4 equivalent):

- a step's ``{"Get": "Parameters.X"}`` of a parameter the definition does not declare is not given
  the schedule's value; ``{"Get": "Execution.X"}`` is not parameter X;
- only ``--flag=value`` gives its value, not ``name=value``;
- a Std:Join with a part without a value is no location (not its known parts joined);
- TransformOutput and CheckpointConfig locations are writes, not reads;
- an aws-native EndpointConfig with enableCapture unset captures (pulumi-aws's does not);
- an endpoint that captures nothing is unwatched, decided, even beside a pipeline whose schedule is
  unknown at preview;
- an EventBridge target whose arn depends on the pipeline but names something else is no run; a
  native rule's targets that are not the pipeline are no runs;
- a target is scheduled by the rule it depends on even when its literal ``rule`` is unknown.

The bug, a survivor because no test held the case and the rule's verdict there was wrong: a target
that names its rule literally was matched to every rule of that name, on any event bus. Rule names
are unique per bus only, so a pipeline target on a custom bus (started by an event pattern there)
counted as scheduled by a same-named rate() rule of the default bus, and the endpoint passed
``endpoint-monitoring-schedule`` unwatched (mutation: ``any`` for ``all`` over the target's rules,
which only differ when two buses hold the name; equivalent now). The fix matches the name on the
target's own bus (``eventBusName``, a name or ARN, default ``default``; unknown at preview: undecided).

observability.py (14 mutations, 3 survived: 3 caught now): an empty ``kmsKeyId`` of a log group and
an empty ``kmsMasterKeyId`` of a topic are unset; ``actionsEnabled`` given as the string "false"
disables an alarm's actions.

Equivalent (no deployable resource changes verdict):

- ``PipelineJob.instances`` without its guard for kinds with no instance (AutoML): the paths it then
  reads are None, an instance type of None is skipped by every rule that reads instances;
- appending the cluster's InstanceType beside InstanceGroups: AWS takes one or the other, and an
  unset one is None, skipped;
- ``resolve`` / ``_parameter_of`` reading ``{"Get": ...}`` with sibling keys: no pipeline expression
  has them (SageMaker's JSON expressions are one-key objects);
- the exception's kind test without ``or job.prefix``: only tuning jobs have a prefix, and they are
  not processing steps;
- the exception reading the VpcConfig without resolving a parameter: parameter values are strings,
  numbers or booleans, never a VpcConfig, so it fails either way;
- ``_is_pipeline`` without comparing the pipeline's own ARN: a SageMaker pipeline ARN ends in the
  lower-cased pipelineName (required by both providers), which the name match finds;
- starter parameters kept when not strings: both providers' schemas type a parameter's value string;
- ``requests_destination`` without its ``is_set(capture)`` guard: an unset or empty block has no
  capture option, so no Input mode, and records nothing either way.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.local import evaluate_report
from policies.registry import get_policy
from tests.policies import test_capture_watchers as watchers
from tests.policies.conftest import assert_outcome, build

PIPELINE = "aws:sagemaker/pipeline:Pipeline"
NATIVE_PIPELINE = "aws-native:sagemaker:Pipeline"
ISOLATED = "pipeline-steps-network-isolated"
ENCRYPTED = "pipeline-steps-kms-encrypted"
ALLOWLIST = "instance-type-allowlist"
GPU_QUOTA = "gpu-instance-quota"
KEY = "arn:aws:kms:eu-west-1:111122223333:key/abcd"
API_VPC = {"Subnets": ["subnet-1"], "SecurityGroupIds": ["sg-1"]}
DATA_ROLE = "arn:aws:iam::111122223333:role/training"


def report_of(rule: str, specs: list[dict[str, Any]], config: dict[str, Any] | None = None) -> Any:
    return evaluate_report(build(specs), config, [get_policy(rule)])


def decided(
    rule: str, specs: list[dict[str, Any]], fragment: str | None, config: dict[str, Any] | None = None
) -> None:
    """The rule's verdict on the stack (``fragment`` None: it passes), decided at this preview."""
    report = report_of(rule, specs, config)
    assert_outcome(report.violations, rule, fragment)
    assert report.undecided == [] and not any(report.stack_undecided.values())


def messages(
    rule: str, resource_type: str, inputs: dict[str, Any], config: dict[str, Any] | None = None
) -> list[str]:
    report = report_of(rule, [{"type": resource_type, "name": "subject", "inputs": inputs}], config)
    assert report.undecided == []
    return [v.message for v in report.violations]


# --- pipeline definitions ---------------------------------------------------------------------


def training(name: str = "Train", **changes: Any) -> dict[str, Any]:
    """A compliant Training step (a CreateTrainingJob request), with top-level ``changes``."""
    arguments = {
        "RoleArn": DATA_ROLE,
        "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeKmsKeyId": KEY},
        "OutputDataConfig": {"S3OutputPath": "s3://artifacts/", "KmsKeyId": KEY},
        "VpcConfig": copy.deepcopy(API_VPC),
        "EnableNetworkIsolation": True,
        "EnableInterContainerTrafficEncryption": True,
    }
    return {"Name": name, "Type": "Training", "Arguments": {**arguments, **changes}}


def pipeline(*steps: dict[str, Any], parameters: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """pulumi-aws Pipeline inputs whose definition is the JSON ``Pipeline.definition()`` emits."""
    definition = {"Version": "2020-12-01", "Parameters": parameters or [], "Steps": list(steps)}
    return {
        "pipelineName": "churn",
        "roleArn": "arn:aws:iam::111122223333:role/pipeline",
        "pipelineDefinition": json.dumps(definition),
    }


def condition(if_steps: list[dict[str, Any]], else_steps: list[dict[str, Any]]) -> dict[str, Any]:
    """A Condition step: which branch runs is decided by the run, so both are checked."""
    test = {"Type": "GreaterThanOrEqualTo", "LeftValue": {"Get": "Parameters.Auc"}, "RightValue": 0.8}
    return {
        "Name": "Gate",
        "Type": "Condition",
        "Arguments": {"Conditions": [test], "IfSteps": if_steps, "ElseSteps": else_steps},
    }


def test_a_step_in_a_conditions_else_branch_is_judged() -> None:
    """The walk follows ElseSteps as well as IfSteps: an open Training step in the else branch fails."""
    gate = condition([training("Deploy")], [training("Retrain", EnableNetworkIsolation=False)])
    assert messages(ISOLATED, PIPELINE, pipeline(gate)) == [
        "Steps[Retrain].Arguments.EnableNetworkIsolation is False: set it to true. A processing step may run "
        "without isolation only in the VPC, with inter-container encryption, no input but its .py script and "
        "a role no other step uses; this one fails that: only a processing step may run without isolation, "
        "not a Training step."
    ]
    unencrypted = training("Retrain", OutputDataConfig={"S3OutputPath": "s3://artifacts/"})
    assert messages(ENCRYPTED, PIPELINE, pipeline(condition([training("Deploy")], [unencrypted]))) == [
        "Steps[Retrain].Arguments.OutputDataConfig.KmsKeyId is unset: set output_kms_key to a "
        "customer-managed KMS key."
    ]


def tuning(*definitions: dict[str, Any]) -> dict[str, Any]:
    """A Tuning step training with ``TrainingJobDefinitions`` (each a training job's settings)."""
    return {
        "Name": "Tune",
        "Type": "Tuning",
        "Arguments": {
            "HyperParameterTuningJobConfig": {"ResourceLimits": {"MaxParallelTrainingJobs": 1}},
            "TrainingJobDefinitions": list(definitions),
        },
    }


def test_every_training_job_definition_of_a_tuning_step_is_judged() -> None:
    """Not only the first of ``TrainingJobDefinitions``: the second, open, fails by its index."""
    sound = training()["Arguments"]
    open_one = {**training()["Arguments"], "EnableNetworkIsolation": False}
    found = messages(ISOLATED, PIPELINE, pipeline(tuning(sound, open_one)))
    assert len(found) == 1
    assert found[0].startswith(
        "Steps[Tune].Arguments.TrainingJobDefinitions[1].EnableNetworkIsolation is False: set it to true."
    )
    assert messages(ISOLATED, PIPELINE, pipeline(tuning(sound, sound))) == []


def test_an_instance_groups_type_from_a_parameter_is_its_default() -> None:
    """``{"Get": "Parameters.X"}`` in an instance group reads as X's default, like a cluster's type."""
    groups = {
        "InstanceGroups": [
            {"InstanceGroupName": "g", "InstanceType": {"Get": "Parameters.GroupType"}, "InstanceCount": 1}
        ],
        "VolumeKmsKeyId": KEY,
    }
    parameters = [{"Name": "GroupType", "Type": "String", "DefaultValue": "ml.p4d.24xlarge"}]
    inputs = pipeline(training(ResourceConfig=groups), parameters=parameters)
    assert messages(ALLOWLIST, PIPELINE, inputs) == [
        "Steps[Train].Arguments.ResourceConfig.InstanceGroups[0].InstanceType 'ml.p4d.24xlarge' is not allowed "
        "in this environment: use one of ['ml.t3.*', 'ml.m5.large', 'ml.m5.xlarge', 'ml.c5.xlarge', "
        "'ml.g4dn.xlarge', 'ml.g5.xlarge']."
    ]


def test_an_instance_groups_count_from_a_parameter_is_its_default() -> None:
    """A group's InstanceCount from a parameter counts its default against the GPU quota (8 > 4)."""
    groups = {
        "InstanceGroups": [
            {
                "InstanceGroupName": "g",
                "InstanceType": "ml.g5.xlarge",
                "InstanceCount": {"Get": "Parameters.N"},
            }
        ],
        "VolumeKmsKeyId": KEY,
    }
    parameters = [{"Name": "N", "Type": "Integer", "DefaultValue": 8}]
    spec = {
        "type": PIPELINE,
        "name": "train",
        "inputs": pipeline(training(ResourceConfig=groups), parameters=parameters),
    }
    decided(GPU_QUOTA, [spec], "the stack asks for 8 GPU instances, over maxGpuInstances=4")


def test_a_parameter_without_a_default_is_an_expression_not_unset() -> None:
    """A KMS key from a parameter with no DefaultValue comes from the run: set, not unset."""
    output = {"S3OutputPath": "s3://artifacts/", "KmsKeyId": {"Get": "Parameters.OutputKey"}}
    parameters = [{"Name": "OutputKey", "Type": "String"}]
    assert (
        messages(ENCRYPTED, PIPELINE, pipeline(training(OutputDataConfig=output), parameters=parameters))
        == []
    )


def tuned_on(resources: dict[str, Any], parallel: int = 1) -> dict[str, Any]:
    """A Tuning step whose one TrainingJobDefinition sizes its jobs in HyperParameterTuningResourceConfig."""
    definition = {**training()["Arguments"], "HyperParameterTuningResourceConfig": resources}
    del definition["ResourceConfig"]
    return {
        "Name": "Tune",
        "Type": "Tuning",
        "Arguments": {
            "HyperParameterTuningJobConfig": {"ResourceLimits": {"MaxParallelTrainingJobs": parallel}},
            "TrainingJobDefinition": definition,
        },
    }


def test_a_tuning_jobs_instance_type_in_its_tuning_resource_config_is_allowlisted() -> None:
    resources = {"InstanceType": "ml.p4d.24xlarge", "InstanceCount": 1, "VolumeKmsKeyId": KEY}
    found = messages(ALLOWLIST, PIPELINE, pipeline(tuned_on(resources)))
    assert found == [
        "Steps[Tune].Arguments.TrainingJobDefinition.HyperParameterTuningResourceConfig.InstanceType "
        "'ml.p4d.24xlarge' is not allowed in this environment: use one of ['ml.t3.*', 'ml.m5.large', "
        "'ml.m5.xlarge', 'ml.c5.xlarge', 'ml.g4dn.xlarge', 'ml.g5.xlarge']."
    ]


def test_a_tuning_jobs_instance_count_in_its_tuning_resource_config_counts_against_the_quota() -> None:
    """3 instances per job x 2 jobs at once: 6 GPU instances, over the default quota of 4."""
    resources = {"InstanceType": "ml.g5.xlarge", "InstanceCount": 3, "VolumeKmsKeyId": KEY}
    spec = {"type": PIPELINE, "name": "tune", "inputs": pipeline(tuned_on(resources, parallel=2))}
    decided(GPU_QUOTA, [spec], "the stack asks for 6 GPU instances, over maxGpuInstances=4")
    one_each = {**resources, "InstanceCount": 2}
    decided(GPU_QUOTA, [{**spec, "inputs": pipeline(tuned_on(one_each, parallel=2))}], None)


# --- the network exception of a processing step -------------------------------------------------

TRACKING_ROLE = "arn:aws:iam::111122223333:role/experiment-tracking-job"
SCRIPT = "s3://artifacts/pipelines/churn/code/abc/track_experiment.py"


def script_input(uri: Any, name: str = "code") -> dict[str, Any]:
    return {"InputName": name, "S3Input": {"S3Uri": uri, "LocalPath": f"/opt/ml/processing/input/{name}"}}


def track(**network: Any) -> dict[str, Any]:
    """A processing step that reaches the network: not isolated, in the VPC, encrypted, given only its
    script, running as its own role (the one structure the exception admits)."""
    return {
        "Name": "Track",
        "Type": "Processing",
        "Arguments": {
            "RoleArn": TRACKING_ROLE,
            "ProcessingInputs": [script_input(SCRIPT)],
            "ProcessingResources": {
                "ClusterConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeKmsKeyId": KEY}
            },
            "NetworkConfig": {
                "EnableNetworkIsolation": False,
                "EnableInterContainerTrafficEncryption": True,
                "VpcConfig": copy.deepcopy(API_VPC),
                **network,
            },
        },
    }


def exception_problems(step: dict[str, Any], *others: dict[str, Any], parameters: Any = None) -> list[str]:
    """What pipeline-steps-network-isolated says of a pipeline of Train, ``others`` and ``step``."""
    return messages(ISOLATED, PIPELINE, pipeline(training(), *others, step, parameters=parameters))


def refused(*problems: str) -> str:
    return (
        "Steps[Track].Arguments.NetworkConfig.EnableNetworkIsolation is False: set it to true. A processing "
        "step may run without isolation only in the VPC, with inter-container encryption, no input but its .py "
        f"script and a role no other step uses; this one fails that: {'; '.join(problems)}."
    )


def test_the_exception_holds_for_its_one_structure() -> None:
    assert exception_problems(track()) == []


def test_every_subnet_of_the_exception_must_be_literal() -> None:
    """One literal subnet beside an expression does not make the list literal."""
    vpc = {"Subnets": ["subnet-1", {"Get": "Parameters.ExtraSubnet"}], "SecurityGroupIds": ["sg-1"]}
    parameters = [{"Name": "ExtraSubnet", "Type": "String", "DefaultValue": "subnet-2"}]
    assert exception_problems(track(VpcConfig=vpc), parameters=parameters) == [
        refused("its VpcConfig.Subnets is not a literal, non-empty list")
    ]


def test_the_exception_needs_inter_container_encryption_set_not_merely_not_false() -> None:
    """Unset inter-container encryption breaks the exception (and the transit check)."""
    step = track()
    del step["Arguments"]["NetworkConfig"]["EnableInterContainerTrafficEncryption"]
    assert exception_problems(step) == [
        refused("inter-container traffic encryption is not on"),
        "Steps[Track].Arguments.NetworkConfig.EnableInterContainerTrafficEncryption is unset: set it to true.",
    ]


def test_the_exception_takes_one_script_not_two() -> None:
    """A second .py input is a second input: the step may be given its script only."""
    step = track()
    step["Arguments"]["ProcessingInputs"].append(script_input("s3://artifacts/other/helper.py", "helper"))
    assert exception_problems(step) == [
        refused("it takes inputs other than its .py script (a literal S3 URI)")
    ]


def test_the_exception_holds_with_no_input_at_all() -> None:
    """At most one input: a step whose script is in its image, given nothing, qualifies."""
    step = track()
    del step["Arguments"]["ProcessingInputs"]
    assert exception_problems(step) == []


def test_an_empty_role_of_the_exception_is_no_role() -> None:
    step = track()
    step["Arguments"]["RoleArn"] = ""
    assert exception_problems(step) == [refused("its RoleArn is not a literal role")]


def test_a_dataset_definition_beside_a_script_uri_is_not_a_script_input() -> None:
    step = track()
    athena = {"AthenaDatasetDefinition": {"QueryString": "select * from churn"}}
    step["Arguments"]["ProcessingInputs"] = [{**script_input(SCRIPT), "DatasetDefinition": athena}]
    assert exception_problems(step) == [
        refused("it takes inputs other than its .py script (a literal S3 URI)")
    ]


def test_the_script_of_the_exception_must_come_from_s3() -> None:
    step = track()
    step["Arguments"]["ProcessingInputs"] = [script_input("https://example.com/track_experiment.py")]
    assert exception_problems(step) == [
        refused("it takes inputs other than its .py script (a literal S3 URI)")
    ]


@pytest.mark.parametrize(
    ("default", "problems"),
    [
        pytest.param(DATA_ROLE, [], id="another-role-passes"),
        pytest.param(
            TRACKING_ROLE,
            [refused("it runs as the role of another job of the pipeline")],
            id="the-same-role-fails",
        ),
    ],
)
def test_another_jobs_role_from_a_parameter_is_its_default(default: str, problems: list[str]) -> None:
    """The other job's ``{"Get": "Parameters.TrainRole"}`` is compared as its default, not refused."""
    train = training(RoleArn={"Get": "Parameters.TrainRole"})
    parameters = [{"Name": "TrainRole", "Type": "String", "DefaultValue": default}]
    found = messages(ISOLATED, PIPELINE, pipeline(train, track(), parameters=parameters))
    assert found == problems


def test_a_vpc_config_given_as_an_expression_counts_as_set() -> None:
    """A VpcConfig a step computes at run time is not evaluated: set, so the step passes."""
    vpc = {"Get": "Steps.Network.Properties.VpcConfig"}
    assert messages(ISOLATED, PIPELINE, pipeline(training(VpcConfig=vpc))) == []


# --- scheduled pipelines that watch an endpoint's capture ---------------------------------------

CAPTURED = f"{watchers.DESTINATION}/churn/"
"""Where the base endpoint's captured requests land."""


def watching(body: str, schedule: dict[str, Any] | None = None, *more: dict[str, Any]) -> str:
    """``endpoint-monitoring-schedule``'s verdict on the production endpoint with ``body`` scheduled."""
    added = [watchers.pipeline(body), schedule or watchers.scheduler(), *more]
    return watchers.verdict([*watchers.without_model_monitor(), *added])


def steps(*arguments: Any, parameters: list[dict[str, Any]] | None = None) -> str:
    return json.dumps(
        {"Version": "2020-12-01", "Parameters": parameters or [], "Steps": [watchers._listing(*arguments)]}
    )


def test_a_parameter_the_definition_does_not_declare_is_nobodys_even_when_read() -> None:
    """A step reads ``Parameters.Stray``, which the definition does not declare: the schedule's value
    for it is not the run's (SageMaker refuses an undeclared parameter), so nothing is read."""
    schedule = watchers._with_parameters(watchers.scheduler(), Stray=CAPTURED)
    assert watching(steps("--capture-uri", {"Get": "Parameters.Stray"}), schedule) == "unwatched"
    declared = [{"Name": "Stray", "Type": "String", "DefaultValue": "s3://elsewhere/"}]
    assert (
        watching(steps("--capture-uri", {"Get": "Parameters.Stray"}, parameters=declared), schedule)
        == "watched"
    )


def test_only_a_flags_value_is_read_after_an_equals_sign() -> None:
    """``--capture-uri=<capture>`` reads the capture; ``capture=<capture>`` is one opaque string."""
    assert watching(steps(f"--capture-uri={CAPTURED}")) == "watched"
    assert watching(steps(f"capture={CAPTURED}")) == "unwatched"


def test_only_a_get_of_parameters_reads_a_parameter() -> None:
    """``{"Get": "Execution.CaptureUri"}`` is not parameter CaptureUri, whatever its default holds."""
    declared = [{"Name": "CaptureUri", "Type": "String", "DefaultValue": CAPTURED}]
    assert (
        watching(steps("--capture-uri", {"Get": "Execution.CaptureUri"}, parameters=declared)) == "unwatched"
    )
    assert (
        watching(steps("--capture-uri", {"Get": "Parameters.CaptureUri"}, parameters=declared)) == "watched"
    )


def test_a_join_with_a_part_without_a_value_is_no_location() -> None:
    """``<destination>/<Day>/churn`` with Day unset is not ``<destination>/churn/``: the join is not read
    as its known parts joined."""
    join = {"Std:Join": {"On": "/", "Values": [watchers.DESTINATION, {"Get": "Parameters.Day"}, "churn"]}}
    assert watching(steps(join, parameters=[{"Name": "Day", "Type": "String"}])) == "unwatched"


@pytest.mark.parametrize(
    "step",
    [
        pytest.param(
            {
                "Name": "Score",
                "Type": "Transform",
                "Arguments": {"TransformOutput": {"S3OutputPath": CAPTURED}},
            },
            id="transform-output",
        ),
        pytest.param(
            {"Name": "Train", "Type": "Training", "Arguments": {"CheckpointConfig": {"S3Uri": CAPTURED}}},
            id="training-checkpoints",
        ),
    ],
)
def test_a_jobs_own_writes_below_the_capture_are_not_reads(step: dict[str, Any]) -> None:
    body = json.dumps({"Version": "2020-12-01", "Parameters": [], "Steps": [step]})
    assert watching(body) == "unwatched"


def native_config(specs: list[dict[str, Any]], **capture: Any) -> list[dict[str, Any]]:
    """``specs`` with the endpoint's configuration as aws-native's EndpointConfig, capture changed."""
    for spec in specs:
        if spec["name"] == "config":
            inputs = spec["inputs"]
            spec["type"] = "aws-native:sagemaker:EndpointConfig"
            inputs["endpointConfigName"] = inputs.pop("name")
            merged = {**inputs["dataCaptureConfig"], **capture}
            inputs["dataCaptureConfig"] = {k: v for k, v in merged.items() if v is not None}
    return specs


@pytest.mark.parametrize(
    ("enable", "expected"),
    [
        pytest.param(None, "watched", id="unset-captures-on-aws-native"),
        pytest.param(False, "unwatched", id="disabled"),
    ],
)
def test_an_aws_native_configuration_captures_when_enable_capture_is_unset(
    enable: Any, expected: str
) -> None:
    """aws-native leaves an unset enableCapture to SageMaker, which captures (pulumi-aws sends false)."""
    specs = native_config(watchers.without_model_monitor(), enableCapture=enable)
    assert watchers.verdict([*specs, watchers.pipeline(), watchers.scheduler()]) == expected


def _linked_drift(name: str) -> dict[str, Any]:
    spec = watchers.pipeline()
    spec["name"] = name
    spec["inputs"]["pipelineName"] = name
    return spec


def test_an_endpoint_that_captures_nothing_is_unwatched_even_beside_an_undecided_pipeline() -> None:
    """Capture off: no pipeline can watch the endpoint, so the verdict is decided (unwatched) though an
    earlier pipeline's schedule is unknown at preview."""
    specs = watchers.without_model_monitor(config=watchers.capture(enableCapture=False))
    arn = watchers.PIPELINE_ARN.replace("churn-live-drift", "drift-{}")
    first = watchers.scheduler(state=UNKNOWN_STRING_VALUE, name="start-1", arn=arn.format(1))
    first["deps"] = {"target": ["drift-1"]}
    second = watchers.scheduler(name="start-2", arn=arn.format(2))
    second["deps"] = {"target": ["drift-2"]}
    added = [_linked_drift("drift-1"), first, _linked_drift("drift-2"), second]
    assert watchers.verdict([*specs, *added]) == "unwatched"
    assert watchers.verdict([*watchers.without_model_monitor(), *added]) == "watched"  # capture on


def test_an_event_target_that_depends_on_the_pipeline_but_starts_something_else_is_no_run() -> None:
    """The target's arn comes from the pipeline (a function given its ARN): it does not start it."""
    rule, target = watchers.event_rule(scheduleExpression="rate(1 hour)")
    target["inputs"]["arn"] = "arn:aws:lambda:eu-west-1:111122223333:function:notify"
    assert watching(watchers.READS_CAPTURE, rule, target) == "unwatched"


def test_only_a_native_rules_targets_that_are_the_pipeline_are_its_runs() -> None:
    """The pipeline target runs it with a location elsewhere; the rule's other target (a function) is
    not a run with the defaults, which would read the capture."""
    rule = {
        "type": "aws-native:events:Rule",
        "name": "rule",
        "deps": {"targets": ["drift"]},
        "inputs": {
            "scheduleExpression": "rate(1 hour)",
            "targets": [
                {
                    "id": "drift",
                    "arn": watchers.PIPELINE_ARN,
                    "sageMakerPipelineParameters": {
                        "pipelineParameterList": [{"name": "CaptureUri", "value": "s3://elsewhere/nothing/"}]
                    },
                },
                {"id": "notify", "arn": "arn:aws:lambda:eu-west-1:111122223333:function:notify"},
            ],
        },
    }
    body = watchers._reading_through_a_parameter(CAPTURED)
    added = [watchers.pipeline(body), rule]
    assert watchers.verdict([*watchers.without_model_monitor(), *added]) == "unwatched"


def test_an_event_target_is_scheduled_by_the_rule_it_depends_on_whatever_its_name_reads() -> None:
    """A rule named by AWS (its name unknown at preview) is found through the target's dependency."""
    rule, target = watchers.event_rule(scheduleExpression="rate(1 hour)")
    del rule["inputs"]["name"]
    target["inputs"]["rule"] = UNKNOWN_STRING_VALUE
    assert watching(watchers.READS_CAPTURE, rule, target) == "watched"


# --- observability -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "resource_type", "inputs", "expected"),
    [
        pytest.param(
            "log-group-kms-encrypted",
            "aws:cloudwatch/logGroup:LogGroup",
            {"retentionInDays": 365, "kmsKeyId": ""},
            [
                "kmsKeyId is unset: set kms_key_id to a customer-managed KMS key whose policy allows "
                "CloudWatch Logs."
            ],
            id="log-group-empty-key",
        ),
        pytest.param(
            "sns-topic-kms-encrypted",
            "aws:sns/topic:Topic",
            {"kmsMasterKeyId": ""},
            [
                "kmsMasterKeyId is unset: set kms_master_key_id to a KMS key (a customer-managed key for alerts)."
            ],
            id="topic-empty-key",
        ),
        pytest.param(
            "alarm-has-actions",
            "aws:cloudwatch/metricAlarm:MetricAlarm",
            {"alarmActions": ["arn:aws:sns:eu-west-1:111122223333:alerts"], "actionsEnabled": "false"},
            ["actionsEnabled is false: remove actions_enabled=False so the alarm notifies."],
            id="alarm-actions-disabled-as-a-string",
        ),
    ],
)
def test_an_empty_or_string_value_is_read_as_what_it_means(
    rule: str, resource_type: str, inputs: dict[str, Any], expected: list[str]
) -> None:
    assert messages(rule, resource_type, inputs) == expected


# --- the bug: a target's rule is the rule of that name on the target's own event bus ----------


def _rule_pair_on_two_buses(target_bus: str | None) -> list[dict[str, Any]]:
    """Rule ``churn-drift`` twice: on the default bus on a schedule, on bus ml-events on a pattern; a
    target naming ``churn-drift`` literally (no dependency on either) on ``target_bus``."""
    scheduled, target = watchers.event_rule(scheduleExpression="rate(1 hour)")
    on_events = {
        **scheduled,
        "name": "rule-events",
        "inputs": {"name": "churn-drift", "eventBusName": "ml-events", "eventPattern": '{"source": ["ml"]}'},
    }
    target["deps"] = {"arn": ["drift"]}
    if target_bus is not None:
        target["inputs"]["eventBusName"] = target_bus
    return [scheduled, on_events, target]


@pytest.mark.parametrize(
    ("bus", "expected"),
    [
        pytest.param(None, "watched", id="default-bus-the-scheduled-rule"),
        pytest.param("default", "watched", id="default-bus-by-name"),
        pytest.param(
            "arn:aws:events:eu-west-1:111122223333:event-bus/default", "watched", id="default-bus-by-arn"
        ),
        pytest.param("ml-events", "unwatched", id="custom-bus-the-pattern-rule"),
        pytest.param(UNKNOWN_STRING_VALUE, "undecided", id="bus-unknown-at-preview-is-undecided"),
        pytest.param(
            "arn:aws:events:eu-west-1:111122223333:event-bus/ml-events", "unwatched", id="custom-bus-by-arn"
        ),
    ],
)
def test_a_target_named_to_its_rule_is_scheduled_only_by_the_rule_on_its_own_bus(
    bus: Any, expected: str
) -> None:
    """Rule names are unique per event bus: a target on bus ml-events whose rule is ``churn-drift`` is
    started by that bus's rule, not by the scheduled ``churn-drift`` of the default bus."""
    added = [watchers.pipeline(), *_rule_pair_on_two_buses(bus)]
    assert watchers.verdict([*watchers.without_model_monitor(), *added]) == expected


def test_a_bus_unknown_at_preview_leaves_the_endpoint_undecided() -> None:
    """A target's bus, or its rule's, unknown at preview may be the scheduled rule's (a custom bus
    or the default one): undecided until ``pulumi up`` knows it, not judged unwatched. A target
    whose rule name no rule has is decided whatever its bus."""
    scheduled, _, target = _rule_pair_on_two_buses("default")
    scheduled["inputs"]["eventBusName"] = UNKNOWN_STRING_VALUE
    added = [watchers.pipeline(), scheduled, target]
    assert watchers.verdict([*watchers.without_model_monitor(), *added]) == "undecided"
    scheduled, _, target = _rule_pair_on_two_buses(UNKNOWN_STRING_VALUE)
    target["inputs"]["rule"] = "no-such-rule"
    added = [watchers.pipeline(), scheduled, target]
    assert watchers.verdict([*watchers.without_model_monitor(), *added]) == "unwatched"


def test_an_unknown_bus_is_undecided_only_where_a_scheduled_rule_could_be_the_one() -> None:
    """A target on an unknown bus whose only same-named rule runs on a pattern is unwatched on any
    bus; a scheduled rule on the target's known bus decides, whatever bus another rule of that name
    (unknown at preview) turns out to be on: names are unique per bus."""
    scheduled, on_events, target = _rule_pair_on_two_buses(UNKNOWN_STRING_VALUE)
    assert (
        watchers.verdict([*watchers.without_model_monitor(), watchers.pipeline(), on_events, target])
        == "unwatched"
    )

    scheduled, on_events, target = _rule_pair_on_two_buses("default")
    on_events["inputs"] = {
        **on_events["inputs"],
        "eventBusName": UNKNOWN_STRING_VALUE,
        "scheduleExpression": "rate(1 day)",
    }
    del on_events["inputs"]["eventPattern"]
    added = [watchers.pipeline(), scheduled, on_events, target]
    assert watchers.verdict([*watchers.without_model_monitor(), *added]) == "watched"
