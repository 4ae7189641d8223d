"""Reading SageMaker pipeline definitions (``aws:sagemaker/pipeline:Pipeline.pipelineDefinition``).

The definition is the JSON the sagemaker SDK's ``Pipeline.definition()`` returns: a
``Parameters`` list and ``Steps`` whose ``Arguments`` are the SageMaker API requests
(``CreateTrainingJob``, ``CreateProcessingJob`` ...). Condition steps nest steps under
``IfSteps``/``ElseSteps``, so steps are found by walking the whole document.

Tuning steps (``"Type": "Tuning"``, a ``CreateHyperParameterTuningJob`` request) train with
``TrainingJobDefinition`` or ``TrainingJobDefinitions[]`` (``HyperParameterTrainingJobDefinition``:
the training job's settings, its instances in ``ResourceConfig`` or
``HyperParameterTuningResourceConfig``). AutoML steps (``"Type": "AutoML"``, a ``CreateAutoMLJob``
request; ``CreateAutoMLJobV2``'s top-level ``SecurityConfig`` is read too) keep their volume key,
inter-container encryption and VPC in ``AutoMLJobConfig.SecurityConfig``; AutoML has no network
isolation setting and picks its own instance types, so neither is checked there.

Pipeline expressions: a value may be ``{"Get": "Parameters.X"}``, ``{"Std:Join": ...}``,
``{"Get": "Steps.S.Properties..."}``. Only ``{"Get": "Parameters.<name>"}`` is resolved,
to that parameter's ``DefaultValue`` (what an execution uses unless overridden). Any other
expression is *not evaluated*: it counts as "set" for presence checks (a KMS key id taken
from a parameter is still a KMS key) and as undecidable, hence compliant, for value checks,
except where a value chosen at run time could undo the control: network isolation and
inter-container encryption must read true (``sagemaker_jobs._enabled``), an instance type
(``instance-type-allowlist``) and a GPU step's count (``gpu-instance-quota``) must be known, and a
registered model's approval status must read pending.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ._common import get, is_map, is_set, items, parse_json

#: A setting's path, or alternatives tried in order (the first one present is the one used).
Path = str | tuple[str, ...]

# Job-shaped step types and where each setting lives in the step's Arguments.
_TRAINING: dict[str, Path] = {
    "instance": "ResourceConfig.InstanceType",
    "count": "ResourceConfig.InstanceCount",
    "groups": "ResourceConfig.InstanceGroups",
    "output": "OutputDataConfig",
    "output_kms": "OutputDataConfig.KmsKeyId",
    "volume_kms": "ResourceConfig.VolumeKmsKeyId",
    "isolation": "EnableNetworkIsolation",
    "transit": "EnableInterContainerTrafficEncryption",
    "vpc": "VpcConfig",
    "spot": "EnableManagedSpotTraining",
    "checkpoint": "CheckpointConfig.S3Uri",
    "max_run": "StoppingCondition.MaxRuntimeInSeconds",
    "max_wait": "StoppingCondition.MaxWaitTimeInSeconds",
}
_PROCESSING: dict[str, Path] = {
    "instance": "ProcessingResources.ClusterConfig.InstanceType",
    "count": "ProcessingResources.ClusterConfig.InstanceCount",
    "output": "ProcessingOutputConfig",
    "output_kms": "ProcessingOutputConfig.KmsKeyId",
    "volume_kms": "ProcessingResources.ClusterConfig.VolumeKmsKeyId",
    "isolation": "NetworkConfig.EnableNetworkIsolation",
    "transit": "NetworkConfig.EnableInterContainerTrafficEncryption",
    "vpc": "NetworkConfig.VpcConfig",
}
_TRANSFORM: dict[str, Path] = {
    "instance": "TransformResources.InstanceType",
    "count": "TransformResources.InstanceCount",
    "output": "TransformOutput",
    "output_kms": "TransformOutput.KmsKeyId",
    "volume_kms": "TransformResources.VolumeKmsKeyId",
}
# A Model step (``"Type": "Model"``, a CreateModel request): the model a Transform step runs, whose
# network isolation and VPC are the transform job's (CreateTransformJob has neither).
_MODEL: dict[str, Path] = {
    "isolation": "EnableNetworkIsolation",
    "vpc": "VpcConfig",
}
# One HyperParameterTrainingJobDefinition of a tuning step: a training job whose instances are in
# ResourceConfig or in HyperParameterTuningResourceConfig (InstanceConfigs instead of InstanceGroups).
_TUNING: dict[str, Path] = {
    **_TRAINING,
    "instance": ("ResourceConfig.InstanceType", "HyperParameterTuningResourceConfig.InstanceType"),
    "count": ("ResourceConfig.InstanceCount", "HyperParameterTuningResourceConfig.InstanceCount"),
    "groups": ("ResourceConfig.InstanceGroups", "HyperParameterTuningResourceConfig.InstanceConfigs"),
    "volume_kms": ("ResourceConfig.VolumeKmsKeyId", "HyperParameterTuningResourceConfig.VolumeKmsKeyId"),
}
# CreateAutoMLJob (AutoMLJobConfig.SecurityConfig) or CreateAutoMLJobV2 (top-level SecurityConfig).
_AUTOML: dict[str, Path] = {
    "output": "OutputDataConfig",
    "output_kms": "OutputDataConfig.KmsKeyId",
    "volume_kms": ("AutoMLJobConfig.SecurityConfig.VolumeKmsKeyId", "SecurityConfig.VolumeKmsKeyId"),
    "transit": (
        "AutoMLJobConfig.SecurityConfig.EnableInterContainerTrafficEncryption",
        "SecurityConfig.EnableInterContainerTrafficEncryption",
    ),
    "vpc": ("AutoMLJobConfig.SecurityConfig.VpcConfig", "SecurityConfig.VpcConfig"),
}
_PATHS: dict[str, dict[str, Path]] = {
    "Training": _TRAINING,
    "Tuning": _TUNING,
    "AutoML": _AUTOML,
    "Processing": _PROCESSING,
    "QualityCheck": _PROCESSING,
    "ClarifyCheck": _PROCESSING,
    "Transform": _TRANSFORM,
    "Model": _MODEL,
}

#: Step types whose jobs take network settings (Transform isolation lives on the Model: a Model
#: step's CreateModel request, or a model resource of the stack, judged by the model rules).
NETWORKED_KINDS = frozenset(
    {"Training", "Tuning", "AutoML", "Processing", "QualityCheck", "ClarifyCheck", "Model"}
)


PIPELINE = "aws:sagemaker/pipeline:Pipeline"
NATIVE_PIPELINE = "aws-native:sagemaker:Pipeline"
PIPELINES = (PIPELINE, NATIVE_PIPELINE)


def definition_body(props: Any) -> Any:
    """The definition as the program gave it, or None when only an S3 location is given.

    pulumi-aws: ``pipelineDefinition`` (the JSON string); aws-native: ``pipelineDefinition`` is
    ``{"pipelineDefinitionBody": <JSON string>}`` or ``{"pipelineDefinitionS3Location": {...}}``.
    """
    raw = get(props, "pipelineDefinition")
    if is_map(raw) and ("pipelineDefinitionBody" in raw or "pipelineDefinitionS3Location" in raw):
        return get(raw, "pipelineDefinitionBody")
    return raw


def is_expression(value: Any) -> bool:
    return is_map(value) and any(key == "Get" or str(key).startswith("Std:") for key in value)


@dataclass(frozen=True)
class PipelineJob:
    """One job a pipeline step runs: its step name, kind and API request (``spec``)."""

    step: str
    kind: str
    spec: Mapping[str, Any]
    prefix: str
    definition: PipelineDefinition

    def _where(self, setting: str) -> str | None:
        """The path of ``setting`` in this job: the first alternative whose block is present, else the first.

        ``HyperParameterTuningResourceConfig.VolumeKmsKeyId`` is where a tuning definition that sizes
        its jobs in ``HyperParameterTuningResourceConfig`` keeps its key, set or not.
        """
        paths = _PATHS[self.kind].get(setting)
        if paths is None:
            return None
        options = (paths,) if isinstance(paths, str) else paths
        return next((p for p in options if is_set(get(self.spec, p.rsplit(".", 1)[0]))), options[0])

    def value(self, setting: str) -> Any:
        path = self._where(setting)
        if path is None:
            return None
        return self.definition.resolve(get(self.spec, path))

    def path(self, setting: str) -> str:
        return f"Steps[{self.step}].Arguments.{self.prefix}{self._where(setting)}"

    def has(self, setting: str) -> bool:
        return setting in _PATHS[self.kind]

    def instances(self) -> list[tuple[str, Any, Any]]:
        """``(path, instance type, count)`` for the job's cluster or instance groups (none for AutoML)."""
        result: list[tuple[str, Any, Any]] = []
        if not self.has("instance"):
            return result
        groups_path = self._where("groups")
        groups = items(get(self.spec, groups_path)) if groups_path else []
        for index, group in enumerate(groups):
            result.append(
                (
                    f"{self.path('groups')}[{index}].InstanceType",
                    self.definition.resolve(get(group, "InstanceType")),
                    self.definition.resolve(get(group, "InstanceCount")),
                )
            )
        if not groups:
            result.append((self.path("instance"), self.value("instance"), self.value("count")))
        return result


def parameter_name(value: Any) -> str | None:
    """X of a ``{"Get": "Parameters.X"}`` expression, else None."""
    if is_map(value) and len(value) == 1 and isinstance(value.get("Get"), str):
        kind, _, name = value["Get"].partition(".")
        return name if kind == "Parameters" else None
    return None


class PipelineDefinition:
    """A parsed definition with its parameter defaults."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self.parameters: dict[str, Any] = {}
        for parameter in items(document.get("Parameters")):
            if is_map(parameter) and "Name" in parameter:
                self.parameters[str(parameter["Name"])] = parameter.get("DefaultValue")

    @classmethod
    def parse(cls, value: Any) -> PipelineDefinition | None:
        document = parse_json(value)
        return cls(document) if is_map(document) else None

    def resolve(self, value: Any) -> Any:
        """Resolve ``{"Get": "Parameters.X"}`` to X's default; leave other values as they are."""
        name = parameter_name(value)
        if name is not None and self.parameters.get(name) is not None:
            return self.parameters[name]
        return value

    def steps(self) -> Iterator[Mapping[str, Any]]:
        """Every step, including those nested in condition steps."""
        yield from _walk_steps(self.document.get("Steps"))

    def jobs(self) -> Iterator[PipelineJob]:
        for step in self.steps():
            kind, name, arguments = step.get("Type"), str(step.get("Name")), step.get("Arguments")
            if not is_map(arguments):
                continue
            if kind in _PATHS and kind != "Tuning":
                yield PipelineJob(name, kind, arguments, "", self)
            elif kind == "Tuning":
                # A tuning job trains with one definition or a list of them.
                if is_map(arguments.get("TrainingJobDefinition")):
                    yield PipelineJob(
                        name, "Tuning", arguments["TrainingJobDefinition"], "TrainingJobDefinition.", self
                    )
                for index, spec in enumerate(items(arguments.get("TrainingJobDefinitions"))):
                    if is_map(spec):
                        yield PipelineJob(name, "Tuning", spec, f"TrainingJobDefinitions[{index}].", self)


def _walk_steps(node: Any) -> Iterator[Mapping[str, Any]]:
    for step in items(node):
        if not is_map(step):
            continue
        yield step
        arguments = step.get("Arguments")
        if is_map(arguments):  # condition steps: {"Conditions": ..., "IfSteps": [...], "ElseSteps": [...]}
            yield from _walk_steps(arguments.get("IfSteps"))
            yield from _walk_steps(arguments.get("ElseSteps"))


# --- the one way a pipeline job may run without network isolation ------------------------------

#: What a processing step that may reach the network may download: its own Python script.
SCRIPT_SUFFIX = ".py"


def network_exception_problems(job: PipelineJob) -> list[str]:
    """Why ``job`` may *not* run without network isolation; empty when it may.

    Network isolation does two things for a job: its container has no network, and it holds no AWS
    credentials. A job that must call a service (an experiment tracker such as SageMaker MLflow, a
    notification) cannot have the first, so what replaces it has to guarantee the second's purpose:
    that the job cannot read the pipeline's data and send it somewhere. The exception is therefore
    structural, never by step name:

    - a processing step only (training, tuning and AutoML jobs read datasets by design; the check
      steps run the Model Monitor analyzer over them);
    - in the VPC: literal ``Subnets`` and ``SecurityGroupIds`` (no expression an execution could
      override), so it reaches only what the subnets' endpoints and security groups allow;
    - inter-container traffic encryption on;
    - no input but its script: at most one ``ProcessingInputs`` entry, an S3 input whose literal
      ``S3Uri`` ends in ``.py`` (no dataset definition, no step output, no parameter); what it
      logs reaches it as container arguments (values such as metrics, never files);
    - its own role: a literal ``RoleArn`` that no other job of the pipeline runs as, and every
      other job's role known, so it does not hold the credentials of the steps that read data. A
      Model step's role is its ``ExecutionRoleArn``; a Transform step carries none (CreateTransformJob
      runs as its model's role, set by a Model step, counted, or by a model outside the definition,
      which this rule cannot see: the model rules judge that model).

    What the role may do is IAM's side (the pack judges the role's policy in its own rules); this
    only proves the step is given no data and no data role.
    """
    if job.kind != "Processing" or job.prefix:
        return [f"only a processing step may run without isolation, not a {job.kind} step"]
    problems = []
    vpc = job.value("vpc")
    for key in ("Subnets", "SecurityGroupIds"):
        ids = get(vpc, key)
        if not (isinstance(ids, list) and ids and all(isinstance(i, str) and i for i in ids)):
            problems.append(f"its VpcConfig.{key} is not a literal, non-empty list")
    if job.value("transit") is not True:
        problems.append("inter-container traffic encryption is not on")
    inputs = items(get(job.spec, "ProcessingInputs"))
    if len(inputs) > 1 or not all(_is_script_input(entry) for entry in inputs):
        problems.append(f"it takes inputs other than its {SCRIPT_SUFFIX} script (a literal S3 URI)")
    role = get(job.spec, "RoleArn")
    others = [
        job.definition.resolve(get(other.spec, _ROLE_PATHS.get(other.kind, "RoleArn")))
        for other in job.definition.jobs()
        if other.step != job.step and other.kind != "Transform"
    ]
    if not isinstance(role, str) or not role:
        problems.append("its RoleArn is not a literal role")
    elif not all(isinstance(other, str) for other in others):
        problems.append("another job's RoleArn is an expression, so the roles cannot be told apart")
    elif role in others:
        problems.append("it runs as the role of another job of the pipeline")
    return problems


_ROLE_PATHS = {"Model": "ExecutionRoleArn"}
"""Where a job kind's role is, where it is not ``RoleArn`` (Transform jobs have none of their own)."""


def _is_script_input(entry: Any) -> bool:
    if not is_map(entry) or "DatasetDefinition" in entry:
        return False
    uri = get(entry, "S3Input.S3Uri")
    return isinstance(uri, str) and uri.startswith("s3://") and uri.endswith(SCRIPT_SUFFIX)
