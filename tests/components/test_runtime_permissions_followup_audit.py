"""Follow-up of the run-time permission audit (``test_runtime_permissions_audit``): its leftovers.

The audit's docstring left three things open; each is resolved here with the documentation it
rests on, a product change where one was due (CHANGELOG ``### Fixed:``), and tests that fail on the
old code. The needs themselves are derived in the audit module (its ``Stack.image``,
``monitor_needs``, ``endpoint_needs`` and ``delivery_needs`` now derive them), so its property test
(every need allowed, on every variant) holds for them; this module adds the scope checks, the
policy pack's verdict and one variant of its own (Clarify monitors and a shared endpoint following
the family).

1. AWS's own images are pulled with the execution role. SageMaker's "How to use SageMaker AI
   execution roles" (sagemaker-roles.html) gives, for CreateTrainingJob, CreateProcessingJob,
   CreateHyperParameterTuningJob and CreateModel, the role's ``ecr:GetAuthorizationToken``,
   ``BatchCheckLayerAvailability``, ``GetDownloadUrlForLayer`` and ``BatchGetImage``, and says to
   "Scope Amazon ECR permissions to the registry path" of ``AlgorithmSpecification.TrainingImage``
   / ``AppSpecification.ImageUri`` / ``PrimaryContainer.Image``, with no exception for the images
   SageMaker publishes; AWS's managed ``AmazonSageMakerModelCustomizationCoreAccess`` grants ECR
   pulls on ``*`` "to support cross-account pulls from AWS Deep Learning Container accounts"
   (security-iam-awsmanpol-model-customization.html). Monitoring schedules start processing jobs
   (model-monitor-scheduling.html), so the same holds for the analyzer and Clarify. FIXED: each
   role may pull exactly the repositories it runs, by account, region and repository, from the
   SDK's tables (``frameworks.repository_uris``, ``prebuilt_images.prebuilt_repository_uri``,
   ``policy_documents.ecr_pull_images``). Tests: every such need allowed on every variant; a
   role's grants on AWS's registries are exactly its jobs' and models' repositories (the exported
   inference role: the families' registered inference images), never a wildcard.
2. The VPC flow-logs role: "IAM role for publishing flow logs to CloudWatch Logs" lists
   CreateLogGroup, CreateLogStream, PutLogEvents, DescribeLogGroups and DescribeLogStreams; the
   Service Authorization Reference gives DescribeLogGroups no resource type (cfn-lint's copy:
   ``describeloggroups: {}``), the others the log-group / log-stream types. FIXED: all five, on
   the one group except DescribeLogGroups on ``*``. The policy pack's
   ``iam-no-unscoped-sensitive-actions`` judges these grants: it passes the platform's role and
   refuses the documented all-``*`` form (its writes on every group).
3. Over-broad grants, tightened where the stack file gives the exact scope:

   - FIXED: the Model Monitor roles (data quality, model quality, bias, explainability) read only
     their endpoint's ``data-capture/<endpoint>/`` and ``ground-truth/<endpoint>/``; the component
     package's ModelMonitoring, not told where its endpoint captures, keeps ``data-capture/``.
   - FIXED: the shared training role reads only each trained family's ``training-data/<family>/``
     and Evidently reference of the datasets bucket (nothing when no family trains).
   - Left alone: the training and pipeline roles' read/write of the whole artifact bucket. Their
     jobs write per execution under ``pipelines/<pipeline>/``, ``models/``, ``baselines/``, the
     feature queries' results and the registration's own paths, several of them chosen by the SDK
     and the pipeline at run time; a prefix list would have to follow every step the definition
     builds, and one missed prefix fails a run (no derivation here covers every SDK path).
   - Left alone: the exported inference role writes any endpoint's capture: it is exported for the
     adopter's own models, whose endpoints the stack file does not name.
   - Left alone: the key policies let every role under the stack's IAM path use the keys. The
     roles are created after the keys (components all over the graph create them, with
     generated names) and their policies name the keys, so naming each role in the key policy
     would be a cycle or a separate key-policy resource fed by every component; the identity policy
     must allow too, and each names only its keys (the audit checks both sides).
   - Left alone: a version of another account's registry (cross-account promotion) serves an
     image the stack cannot know offline: its registry still has to be in
     ``trusted_image_registry_accounts`` (as the CHANGELOG says).
   - No CrossGuard rule judges ECR pulls (``ecr:BatchGetImage`` is a read of neither data nor
     secrets in ``policies/rules/_iam_actions.py``) or S3 reads by prefix; the tests here hold the
     scope instead.

Mutations over the new and changed product code (one at a time, against this module and the
audit; all in the product's files, reverted after each):

==========================================  =========  ========  ==========  ==========  ==========
module                                      mutations  survived  caught now  equivalent  left alone
==========================================  =========  ========  ==========  ==========  ==========
components/policy_documents.py (ecr_pull_          4         0           0           0           0
images: partition, wildcard, actions)
components/training/frameworks.py                  2         2           2           0           0
components/prebuilt_images.py                      1         0           0           0           0
stacks/composition/foundation.py                   8         2           1           0           1
stacks/composition/serving.py                      2         2           1           0           1
stacks/composition/batch_scoring.py                1         0           0           0           0
components/observability/model_monitoring.py       2         0           0           0           0
components/observability/model_quality_            2         1           1           0           0
monitoring.py
components/serving/inference_endpoint.py           1         0           0           0           0
components/serving/shared_endpoint.py              1         1           1           0           0
components/foundation/private_network.py           3         0           0           0           0
stacks/composition/observability.py                1         0           0           0           0
total                                             28         8           6           0           2
==========================================  =========  ========  ==========  ==========  ==========

Caught now: the scope ignored by ``repository_uris`` (every scope's repository) and its version
aliases ignored (``test_a_framework_image_is_found_by_its_version_alias_and_scope``); a stack that
trains nothing reading the whole datasets bucket (``test_a_stack_that_trains_nothing_grants_no_
datasets_read``); the shared endpoint's families dropped or its AWS images not granted, and the
model-quality role pulling only the analyzer, not Clarify (the ``clarify-and-shared-family``
variant, in the two image tests). Left alone: the exported inference role granted the training
images too, and the shadow variants' families left out of an endpoint's: both equivalent on every
fixture (scikit-learn's training and inference images are one repository; every shadow variant
follows the production variant's family); the exactness test catches either on a PyTorch family or
a shadow variant of another family.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from components.policy_documents import ecr_pull_images, ecr_repository_arn
from planner.recorder import ResourceGraph
from stacks.config import CONFIG_KEY
from tests.components.test_runtime_permissions_audit import (
    PIPELINE,
    VARIANTS,
    Definition,
    Need,
    Stack,
    _variant,
    all_needs,
)


def _clarify_and_shared_family(platform: dict[str, Any]) -> None:
    """Prod with the bias and explainability monitors (AWS's Clarify image) and a shared endpoint
    whose component follows the stack's family (its registered inference image)."""
    platform["monitoring"]["model_monitors"] |= {"bias": True, "explainability": True}
    family = next(f["name"] for f in platform["models"] if f.get("training"))
    platform["shared_endpoints"] = [
        {
            "name": "shared-family",
            "instance_type": "ml.m5.4xlarge",
            "initial_instance_count": 2,
            "components": [
                {
                    "name": "churn",
                    "model": {"latest_approved_of": family},
                    "compute": {"cpu_cores": 2, "memory_mb": 4096},
                    "copies": 1,
                }
            ],
        }
    ]


EXTRA: dict[str, Callable[[Path], ResourceGraph]] = {
    "clarify-and-shared-family": lambda folder: _variant(folder, _clarify_and_shared_family),
}
"""A variant of this module's own: the images only it runs (Clarify; a shared endpoint's family)."""


@pytest.fixture(scope="module")
def stacks(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Stack]:
    """``stacks(name)``: the audit's variant (or this module's), recorded through the shared cache,
    read once here."""
    found: dict[str, Stack] = {}

    def get(name: str) -> Stack:
        if name not in found:
            found[name] = Stack({**VARIANTS, **EXTRA}[name](tmp_path_factory.mktemp(name)))
        return found[name]

    return get


_ECR_PULL = ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")


def _statements(stack: Stack, role: str) -> list[dict[str, Any]]:
    return [
        statement
        for document in stack.identity[role]
        for statement in (
            document["Statement"] if isinstance(document["Statement"], list) else [document["Statement"]]
        )
    ]


def _resources(statement: dict[str, Any]) -> list[str]:
    resources = statement.get("Resource", [])
    return [resources] if isinstance(resources, str) else list(resources)


def _actions(statement: dict[str, Any]) -> list[str]:
    actions = statement.get("Action", [])
    return [actions] if isinstance(actions, str) else list(actions)


def _pullable(stack: Stack, role: str) -> set[str]:
    """The ECR repositories outside the stack's own and trusted registries ``role`` may pull."""
    own = {
        stack.account,
        *stack.graph.config[CONFIG_KEY].get("trusted_image_registry_accounts", []),
    }
    return {
        resource
        for statement in _statements(stack, role)
        if statement.get("Effect") == "Allow" and "ecr:BatchGetImage" in _actions(statement)
        for resource in _resources(statement)
        if resource.split(":")[4] not in own
    }


def _exported_inference_role(stack: Stack) -> str | None:
    """The foundation's inference role (exported as ``inference_role_arn``)."""
    found = [arn for arn, role in stack.roles.items() if role.name == "inference-role-role"]
    return found[0] if found else None


# -- 1. SageMaker pulls AWS's own images with the execution role ----------------------------------------


@pytest.mark.parametrize("variant", [*VARIANTS, *EXTRA])
def test_every_aws_image_a_job_or_model_runs_is_pullable_by_its_role(
    stacks: Callable[[str], Stack], variant: str
) -> None:
    """Every image of a pipeline step, a monitoring job or a model (AWS's framework, analyzer,
    Clarify and SageMaker Distribution images included) is pullable by the role that runs it."""
    stack = stacks(variant)
    pulls = [
        n for n in all_needs(stack) if n.action in _ECR_PULL and n.resource.split(":")[4] != stack.account
    ]
    assert pulls, "the fixture runs AWS-published images"
    assert [f"{n} -> {why}" for n in pulls if (why := stack.denial(n))] == []


@pytest.mark.parametrize("variant", [*VARIANTS, *EXTRA])
def test_a_role_may_pull_only_the_aws_repositories_its_jobs_and_models_run(
    stacks: Callable[[str], Stack], variant: str
) -> None:
    """Exact, not ecr:* on *: a role's grants on AWS's registries name repositories (no wildcard),
    each one an image a job or model of the role runs (the exported inference role: the families'
    inference images, which the endpoints' models run)."""
    stack = stacks(variant)
    needs = [n for n in all_needs(stack) if n.action == "ecr:BatchGetImage"]
    registered = {
        ecr_repository_arn(image)
        for pipeline in stack.graph.of_type(PIPELINE)
        for step in Definition(json.loads(pipeline.inputs["pipelineDefinition"])).steps.values()
        if step["Type"] == "RegisterModel"
        for container in step["Arguments"]["InferenceSpecification"]["Containers"]
        for image in [container["Image"]]
        if isinstance(image, str)
    }
    for role, resource in stack.roles.items():
        granted = _pullable(stack, role)
        assert not any("*" in arn for arn in granted), resource.name
        wanted = {
            n.resource for n in needs if n.principal == role and n.resource.split(":")[4] != stack.account
        }
        if role == _exported_inference_role(stack):
            wanted = registered  # what adopters serve with it: the families' registered versions
        assert granted == wanted, resource.name


def test_ecr_pull_images_names_each_repository_once_without_tags() -> None:
    statements = ecr_pull_images(
        [
            "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer:latest",
            "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer",
            "763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference@sha256:0123",
        ]
    )
    assert statements[0] == {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}
    assert statements[1]["Resource"] == [
        "arn:aws:ecr:eu-west-1:763104351884:repository/pytorch-inference",
        "arn:aws:ecr:us-east-1:156813124566:repository/sagemaker-model-monitor-analyzer",
    ]
    assert "ecr:BatchGetImage" in statements[1]["Action"]
    assert ecr_pull_images([]) == []
    with pytest.raises(ValueError, match="not an Amazon ECR image URI"):
        ecr_repository_arn("docker.io/library/python:3.11")
    with pytest.raises(ValueError, match="not an Amazon ECR image URI"):
        ecr_repository_arn("156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer\n")
    # Another partition's image: the components build in the commercial partition only (one rule with
    # every args class's region check), so no arn:aws-cn: or GovCloud repository is granted.
    with pytest.raises(ValueError, match="not an Amazon ECR image URI of the commercial partition"):
        ecr_repository_arn(
            "453000072557.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-scikit-learn:1.2-1-cpu-py3"
        )
    with pytest.raises(ValueError, match=r"'us-gov-west-1' is in the aws-us-gov partition"):
        ecr_repository_arn(
            "246785580436.dkr.ecr.us-gov-west-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
        )


# -- 2. The VPC flow-logs role ----------------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["prod", "dev"])
def test_the_flow_logs_role_has_what_aws_lists_and_only_describe_groups_on_every_resource(
    stacks: Callable[[str], Stack], variant: str
) -> None:
    """ "IAM role for publishing flow logs to CloudWatch Logs": CreateLogGroup, CreateLogStream,
    PutLogEvents, DescribeLogGroups, DescribeLogStreams. DescribeLogGroups has no resource type (the
    Service Authorization Reference; cfn-lint's copy of it: ``describeloggroups: {}``), so it alone
    is on "*"; the others are on the flow logs' own group (another group is refused)."""
    stack = stacks(variant)
    [flow_log] = stack.graph.of_type("aws:ec2/flowLog:FlowLog")
    role, group = flow_log.inputs["iamRoleArn"], flow_log.inputs["logDestination"]
    listed = [
        ("logs:DescribeLogGroups", "*"),
        ("logs:CreateLogGroup", group),
        ("logs:DescribeLogStreams", group),
        ("logs:CreateLogStream", f"{group}:log-stream:eni-0123-all"),
        ("logs:PutLogEvents", f"{group}:log-stream:eni-0123-all"),
    ]
    assert [a for a, r in listed if stack.denial(Need(role, a, r, "flow logs"))] == []
    other = group.rsplit(":", 1)[0] + ":other-group"
    assert [a for a, r in listed[1:] if not stack.denial(Need(role, a, r.replace(group, other), "x"))] == []
    on_everything = {
        action
        for statement in _statements(stack, role)
        if "*" in _resources(statement)
        for action in _actions(statement)
    }
    assert on_everything == {"logs:DescribeLogGroups"}


# -- 3. Over-broad grants, tightened where the stack file says the exact scope ---------------------------

_MONITOR_TYPES = (
    "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition",
    "aws-native:sagemaker:ModelQualityJobDefinition",
    "aws-native:sagemaker:ModelBiasJobDefinition",
    "aws-native:sagemaker:ModelExplainabilityJobDefinition",
)


def _artifacts(stack: Stack) -> str:
    [bucket] = [b for b in stack.bucket_keys if b.startswith("artifacts")]
    return bucket


@pytest.mark.parametrize("variant", ["prod", "shadow-test", *EXTRA])
def test_a_monitor_role_reads_only_its_own_endpoints_capture_and_labels(
    stacks: Callable[[str], Stack], variant: str
) -> None:
    """The Model Monitor roles read ``data-capture/<endpoint>/`` and ``ground-truth/<endpoint>/``
    of their endpoint (the audit derives those reads), not another endpoint's."""
    stack = stacks(variant)
    bucket = _artifacts(stack)
    roles = {job.inputs["roleArn"] for token in _MONITOR_TYPES for job in stack.graph.of_type(token)}
    assert roles
    for role in roles:
        for prefix in ("data-capture", "ground-truth"):
            other = Need(
                role, "s3:GetObject", f"arn:aws:s3:::{bucket}/{prefix}/another-endpoint/x.jsonl", "x"
            )
            assert stack.denial(other) is not None, (role, prefix)
            listing = Need(role, "s3:ListBucket", f"arn:aws:s3:::{bucket}", "x", {"s3:prefix": f"{prefix}/"})
            assert stack.denial(listing) is not None, (role, prefix)


def _training_role(stack: Stack) -> str:
    [arn] = [arn for arn, role in stack.roles.items() if role.name == "training-role-role"]
    return arn


@pytest.mark.parametrize("variant", ["prod", "staging"])
def test_the_training_role_reads_only_the_families_training_data_of_the_datasets_bucket(
    stacks: Callable[[str], Stack], variant: str
) -> None:
    """Each trained family's ``training-data/<family>/`` and Evidently reference (the audit derives
    those reads from the pipelines), not the DVC remote's files or another prefix of the bucket."""
    stack = stacks(variant)
    role = _training_role(stack)
    [datasets] = [b for b in stack.bucket_keys if b.startswith("datasets")]
    families = [f["name"] for f in stack.graph.config[CONFIG_KEY]["models"] if f.get("training")]
    assert families
    for family in families:
        own = Need(role, "s3:GetObject", f"arn:aws:s3:::{datasets}/training-data/{family}/part.csv", "x")
        assert stack.denial(own) is None
    for key in ("dvc/files/md5/ab/cdef", "training-data-not-a-family/x.csv", "raw/export.csv"):
        assert stack.denial(Need(role, "s3:GetObject", f"arn:aws:s3:::{datasets}/{key}", "x")) is not None, (
            key
        )
    listing = Need(role, "s3:ListBucket", f"arn:aws:s3:::{datasets}", "x", {"s3:prefix": ""})
    assert stack.denial(listing) is not None


def test_the_policy_pack_passes_the_flow_logs_role_and_refuses_the_documented_all_resources_form(
    stacks: Callable[[str], Stack],
) -> None:
    """``iam-no-unscoped-sensitive-actions`` judges the flow-logs grants: the platform's (writes on
    the one group, DescribeLogGroups, exempt as NO_RESOURCE_LEVEL, on "*") passes; the form AWS's
    page shows (all five on "*") is refused for its writes on every log group."""
    from tests.policies.conftest import run_policy

    stack = stacks("prod")
    [flow_log] = stack.graph.of_type("aws:ec2/flowLog:FlowLog")
    [document] = stack.identity[flow_log.inputs["iamRoleArn"]]

    def judged(policy: dict[str, Any]) -> list[str]:
        spec = {
            "type": "aws:iam/rolePolicy:RolePolicy",
            "name": "subject",
            "inputs": {"policy": json.dumps(policy)},
        }
        return [v.message for v in run_policy("iam-no-unscoped-sensitive-actions", [spec])]

    assert judged(document) == []
    actions = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups"]
    documented = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}],
    }
    assert judged(documented) != []


def test_an_endpoint_pulls_the_inference_image_of_the_families_it_serves_only() -> None:
    """``served_families``: a family by name, or a version of its group in this account's
    registry; another account's version or an image names no family (its image's registry must be
    trusted). ``framework_images`` of no family is nothing."""
    from components.serving.inference_endpoint_spec import ModelSource
    from stacks.composition.foundation import framework_images, served_families
    from stacks.config import parse_platform_config
    from tests.conftest import load_stack_document

    config = parse_platform_config(load_stack_document("prod")["config"][CONFIG_KEY], "Pulumi.prod.yaml")
    family = next(f for f in config.models if f.training is not None)
    group = config.model_package_group(family.name)
    own = f"arn:aws:sagemaker:{config.region}:{config.account_id}:model-package/{group}/3"
    other = f"arn:aws:sagemaker:{config.region}:444455556666:model-package/{group}/3"
    assert config.account_id != "444455556666"
    assert served_families(config, [ModelSource(latest_approved_of=family.name)]) == {family.name}
    assert served_families(config, [ModelSource(model_package_arn=own)]) == {family.name}
    assert served_families(config, [ModelSource(model_package_arn=other)]) == set()
    assert framework_images(config, ("inference",), set()) == []
    [image] = framework_images(config, ("inference",), {family.name})
    assert image.split(".")[0] != config.account_id and ".dkr.ecr." in image


@pytest.mark.parametrize("variant", list(EXTRA))
def test_the_extra_variant_runs_what_it_is_for_and_every_need_is_met(
    stacks: Callable[[str], Stack], variant: str
) -> None:
    """Not vacuous: the variant runs Clarify and a shared endpoint's family model, and the
    run-time audit's whole table holds for it too."""
    stack = stacks(variant)
    pulled = {n.resource.rsplit("/", 1)[-1] for n in all_needs(stack) if n.action == "ecr:BatchGetImage"}
    assert "sagemaker-clarify-processing" in pulled
    shared = [m for m in stack.graph.of_type("aws:sagemaker/model:Model") if "shared-family" in m.name]
    assert shared and all(m.inputs["primaryContainer"].get("modelPackageName") for m in shared)
    assert [f"{n} -> {why}" for n in all_needs(stack) if (why := stack.denial(n))] == []


def test_a_framework_image_is_found_by_its_version_alias_and_scope() -> None:
    """The SDK table's aliases (PyTorch ``2.6`` is ``2.6.0``) and scopes (training and inference
    are two repositories for PyTorch, one for scikit-learn)."""
    from components.training.frameworks import repository_uris

    both = repository_uris("pytorch", "2.6", "eu-west-1")
    assert [uri.rsplit("/", 1)[-1] for uri in both] == ["pytorch-inference", "pytorch-training"]
    [inference] = repository_uris("pytorch", "2.6", "eu-west-1", ("inference",))
    assert inference.endswith("/pytorch-inference")
    assert len(repository_uris("sklearn", "1.2-1", "eu-west-1")) == 1
    assert all(uri.split("/")[0].endswith(".eu-west-1.amazonaws.com") for uri in both)
    with pytest.raises(ValueError, match=r"^'cn-north-1' is in the aws-cn partition"):
        repository_uris("pytorch", "2.6", "cn-north-1")


def test_a_stack_that_trains_nothing_grants_no_datasets_read() -> None:
    import asyncio

    from stacks.composition.foundation import training_dataset_prefixes, training_dataset_reads
    from stacks.config import parse_platform_config
    from tests.conftest import load_stack_document

    platform = load_stack_document("prod")["config"][CONFIG_KEY]
    trained = parse_platform_config(platform, "Pulumi.prod.yaml")
    family = next(f.name for f in trained.models if f.training is not None)
    assert f"training-data/{family}/" in training_dataset_prefixes(trained)
    platform["training"] = {**platform.get("training", {}), "enabled": False}
    untrained = parse_platform_config(platform, "Pulumi.prod.yaml")
    assert training_dataset_prefixes(untrained) == []
    loop = asyncio.new_event_loop()  # a statement would hold Outputs: give them a loop to be made in
    asyncio.set_event_loop(loop)
    try:
        assert training_dataset_reads(untrained, "arn:aws:s3:::datasets") == []
    finally:
        asyncio.set_event_loop(None)
        loop.close()
