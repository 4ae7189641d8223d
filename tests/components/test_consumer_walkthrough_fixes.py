"""What a team composing the components in its own program (not the shipped stacks) ran into.

Programs written from README.md, docs/reuse.md, docs/components.md and examples/consumer/ (a feature
store and registry only, a GPU endpoint with its own image and artifact and a canary, a training
pipeline on the team's own bucket and key, monitoring of an endpoint the team made itself, odd and
invalid args), run under planner.recorder's mocks and the policy pack. Each test here fails on the
code before its fix:

- ``SecureBucket``, ``AccessLogBucket`` and ``AuditTrail`` took 50 tags and added
  ``mlops:data-class``: a 51-tag bucket, which S3 refuses at `pulumi up`.
- No component checked an IAM path (``role_path``, ``user_role_path``, ``path``) before it
  registered anything: ``'team'`` (no slashes) failed in ExecutionRole after the parent component
  and the role's component were registered, and in EncryptionKey it was taken, making a key policy
  that trusts ``arn:aws:iam::<account>:roleteam*``, no role at all; ``'/my team/'`` and a path
  over 512 characters were taken everywhere, and IAM refuses them at `pulumi up`.
- Other checks ran in a component's constructor, after it was registered (and, for an endpoint
  with an unresolved ``latest_approved_of`` variant, after its role and policy): a key's
  ``via_services`` without a region, a role without statements, two feature groups or model
  families of one name, a SecureBucket's ``reader_accounts`` without ``reader_prefixes``, more
  than 10 drift features of EndpointAlarms. KMS aliases and IAM role descriptions AWS refuses
  were taken.
- An endpoint's (and a shared endpoint's) models' role read only ``models/`` of the artifact
  bucket, while ``model_data_url`` (an image's artifact, a Triton repository) may be any s3://
  URI: a team serving ``s3://<their bucket>/detector/v3/model.tar.gz`` got an endpoint SageMaker
  could not download the model of, failing only at deploy.
- ``MonitoringBaselines.in_folder("baselines/churn/7")`` (no trailing slash, which the docs ask
  for) made the keys ``baselines/churn/7statistics.json``; keys outside ``folder`` were taken too,
  and the jobs' role may read only the folder: a monitor failing at its first run.
- The component package's ``InferenceEndpoint`` (TypeScript, Go...) had no ``awsImages`` input, so
  a team serving a version its ``TrainingPipeline`` registered (run by the framework's inference
  image in AWS's registry account) got a models' role that may not pull that image. Nor could
  its ``EncryptionKey`` grant a service: no key of the package could encrypt the alarm topic the
  endpoint requires (``alarmTopicArn``); ``serviceGrants`` (``cloudwatch-alarms``, ``eventbridge``,
  ``cloudwatch-logs``) now builds the platform's grants.
- No component checked its ``region``: ``eu-west1`` or ``europe`` went into ARNs, ECR repositories,
  log groups and ``kms:ViaService`` conditions that match nothing, denied only when a job or an
  endpoint ran.
- An endpoint's ``image_registry_accounts`` took anything (an ECR registry URL, a typo) into the ECR
  ARNs of its models' role, which then pulled from no repository; a SecureBucket's ``purpose``, the
  value of its ``mlops:data-class`` tag, took characters S3 refuses in a tag (``"raw, curated"``).
- A stack file's entry passed as a dict where an args field takes the built spec (``spec``,
  ``groups``, ``families``, ``promotion``, a monitor's ``spec``, ``baselines``, ``placement``)
  failed with an ``AttributeError`` ("'dict' object has no attribute 'variants'"), for an endpoint
  after the component was registered; the args now name the field and how to build it.
- ``ApprovalDispatch`` needs a connection key tagged ``EventBridgeApiDestinations: true`` whose
  policy lets EventBridge use it through Secrets Manager; the statement lived in ``stacks/`` (not in
  the wheel), so another team had to write it from the field's prose. The package now has it
  (``connection_key_statement``, ``CONNECTION_KEY_TAGS``), and the stacks use the same.

Docs: docs/reuse.md said the policy pack requires ``owner`` and ``cost-center``, while every
configuration of it requires ``environment`` too, so the README's reuse snippet, docs/reuse.md's
TypeScript and examples/consumer/ failed ``required-cost-allocation-tags`` on every resource;
``test_the_documented_programs_carry_the_tags_the_pack_requires`` holds the README's and the
example's programs to them. examples/consumer/ encrypted its alert topic with a key that granted no service, so KMS refused
every notification of the endpoint's rollback alarms: nobody was paged. The example's key now
grants CloudWatch alarms and EventBridge, with the builders the area packages now export
(``cloudwatch_alarms_grant``, ``eventbridge_grants``, ``budgets_key_grant``...: the docs named them,
but only their modules had them).

Left alone: no policy rule checks that an alarm topic's key lets CloudWatch use it (the pack
cannot see a key given by ARN; a rule with its CASES and levels is a change of its own);
EndpointAlarms takes any ``endpoint_name`` (it names an endpoint the caller made, at most 63
characters, so its alarm names fit); TrainingPipeline still takes its two roles rather than
making them (docs/reuse.md lists what they need).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from components.data import FeatureGroupSpec, FeatureStoreArgs
from components.foundation import (
    AccessLogBucket,
    AccessLogBucketArgs,
    AuditTrail,
    AuditTrailArgs,
    EncryptionKeyArgs,
    ExecutionRoleArgs,
    SecureBucket,
    SecureBucketArgs,
)
from components.limits import iam_path_problem, service_role_path_problem
from components.observability import JobPlacement, ModelMonitoringArgs, MonitoringBaselines, MonitoringSpec
from components.serving import EndpointSpec, InferenceEndpoint
from components.serving.shared_endpoint import SharedEndpoint, SharedEndpointArgs
from components.serving.shared_endpoint_spec import SharedEndpointSpec
from planner.policy_check import check_policies
from planner.recorder import ResourceGraph, record_program
from tests.component_provider import component_provider
from tests.components.serving_args import SERVING_CONTEXT, endpoint_args
from tests.graph_helpers import only, policy_of, statements

ACCOUNT, REGION = "123456789012", "eu-west-1"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TAGS = {"owner": "team", "cost-center": "cc-1"}
FIFTY = {f"tag-{i}": "v" for i in range(50)}
FORTY_NINE = {f"tag-{i}": "v" for i in range(49)}

BUCKETS: dict[str, Callable[[dict[str, str]], object]] = {
    "SecureBucket": lambda tags: SecureBucketArgs(
        purpose="data", kms_key_arn=KEY, access_log_bucket="logs", tags=tags
    ),
    "AccessLogBucket": lambda tags: AccessLogBucketArgs(account_id=ACCOUNT, tags=tags),
    "AuditTrail": lambda tags: AuditTrailArgs(
        trail_name="team-trail",
        region=REGION,
        account_id=ACCOUNT,
        user_role_path="/team/",
        access_log_bucket="logs",
        tags=tags,
    ),
}


def _feature_store(**changes: Any) -> FeatureStoreArgs:
    """A feature store of one group (``GROUP``) in this account; ``changes`` replace any field."""
    fields: dict[str, Any] = {
        "groups": [GROUP],
        "account_id": ACCOUNT,
        "region": REGION,
        "data_bucket_name": "b",
        "data_bucket_arn": "arn:aws:s3:::b",
        "kms_key_arn": KEY,
        "role_path": "/team/",
        "tags": TAGS,
    }
    return FeatureStoreArgs(**(fields | changes))


def _placement(**changes: Any) -> JobPlacement:
    """Where a monitoring job of this account runs; ``changes`` replace any field."""
    fields: dict[str, Any] = {
        "account_id": ACCOUNT,
        "region": REGION,
        "artifact_bucket_name": "b",
        "artifact_bucket_arn": "arn:aws:s3:::b",
        "kms_key_arn": KEY,
        "subnet_ids": ["subnet-1"],
        "security_group_ids": ["sg-1"],
        "role_path": "/team/",
        "tags": TAGS,
    }
    return JobPlacement(**(fields | changes))


def _package_endpoint() -> EndpointSpec:
    """Endpoint ``e``: one variant serving a registered version of this account."""
    return EndpointSpec.model_validate(
        {
            "name": "e",
            "variants": [
                {
                    "name": "v",
                    "model": {"model_package_arn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/m/1"},
                    "instance_type": "ml.m5.large",
                }
            ],
        }
    )


@pytest.mark.parametrize("kind", sorted(BUCKETS))
def test_a_bucket_component_counts_the_data_class_tag_it_adds(kind: str) -> None:
    with pytest.raises(ValueError, match="adds 1 of its own, so at most 49"):
        BUCKETS[kind](FIFTY)
    BUCKETS[kind](FORTY_NINE)  # 49 + mlops:data-class is S3's 50
    # A caller's own mlops:data-class is replaced, not added: 50 tags fit.
    BUCKETS[kind]({**FORTY_NINE, "mlops:data-class": "mine"})


def test_the_bucket_of_forty_nine_tags_carries_fifty() -> None:
    args = SecureBucketArgs(purpose="data", kms_key_arn=KEY, access_log_bucket="logs", tags=FORTY_NINE)
    graph = record_program(lambda: SecureBucket("data", args))
    assert len(only(graph, "aws:s3/bucket:Bucket").inputs["tags"]) == 50
    logs = AccessLogBucketArgs(account_id=ACCOUNT, tags=FORTY_NINE)
    graph = record_program(lambda: AccessLogBucket("logs", logs))
    assert len(only(graph, "aws:s3/bucket:Bucket").inputs["tags"]) == 50


def test_an_audit_trail_of_forty_nine_tags_builds() -> None:
    args = BUCKETS["AuditTrail"](FORTY_NINE)
    assert isinstance(args, AuditTrailArgs)
    graph = record_program(lambda: AuditTrail("trail", args))
    assert max(len(r.inputs.get("tags") or {}) for r in graph.cloud_resources) == 50


# -- IAM paths, and the checks that ran after the component was registered ------------------------

STATEMENT = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
GROUP = FeatureGroupSpec.model_validate(
    {
        "name": "clicks",
        "record_identifier": "id",
        "event_time": "ts",
        "features": [{"name": "id", "type": "String"}, {"name": "ts", "type": "String"}],
    }
)


def _key(**changes: object) -> EncryptionKeyArgs:
    fields: dict[str, object] = {
        "purpose": "data",
        "account_id": ACCOUNT,
        "user_role_path": "/team/",
        "tags": TAGS,
    }
    return EncryptionKeyArgs(**(fields | changes))  # type: ignore[arg-type]


def _role(**changes: object) -> ExecutionRoleArgs:
    fields: dict[str, object] = {
        "description": "the team's jobs",
        "trusted_service": "sagemaker.amazonaws.com",
        "account_id": ACCOUNT,
        "path": "/team/",
        "statements": [STATEMENT],
        "tags": TAGS,
    }
    return ExecutionRoleArgs(**(fields | changes))  # type: ignore[arg-type]


PATHED: dict[str, tuple[str, Callable[[str], object]]] = {
    "EncryptionKeyArgs": ("user_role_path", lambda path: _key(user_role_path=path)),
    "ExecutionRoleArgs": ("path", lambda path: _role(path=path)),
    "FeatureStoreArgs": (
        "role_path",
        lambda path: _feature_store(role_path=path),
    ),
    "InferenceEndpointArgs": (
        "role_path",
        lambda path: endpoint_args(
            _package_endpoint(),
            role_path=path,
        ),
    ),
    "JobPlacement": (
        "role_path",
        lambda path: _placement(role_path=path),
    ),
}


@pytest.mark.parametrize("path", ["team", "/team", "team/", "/my team/", "", "/" + "a" * 511 + "/"])
@pytest.mark.parametrize("kind", sorted(PATHED))
def test_args_refuse_a_path_iam_refuses(kind: str, path: str) -> None:
    field, build = PATHED[kind]
    with pytest.raises(ValueError, match=rf"^{kind}\.{field}: .* is not an IAM path"):
        build(path)


@pytest.mark.parametrize("path", ["/", "/team/", "/team/dev/", "/" + "a" * 510 + "/"])
@pytest.mark.parametrize("kind", sorted(PATHED))
def test_args_take_every_path_iam_takes(kind: str, path: str) -> None:
    assert iam_path_problem(path) is None
    PATHED[kind][1](path)


# The args whose role_path is the path of roles a service is given (SageMaker's RoleArn and the
# others': letters, digits and +=,.@_-/), and those whose path is only IAM's (a key trusting it).
SERVICE_ROLES = ("FeatureStoreArgs", "InferenceEndpointArgs", "JobPlacement")
IAM_ONLY = ("EncryptionKeyArgs",)  # ExecutionRoleArgs: by its service, test_service_role_path_review.py


@pytest.mark.parametrize("path", ["/team~x/", "/team!/", "/a/(b)/", "/team/*/", "/team#1/"])
@pytest.mark.parametrize("kind", SERVICE_ROLES)
def test_a_role_a_service_is_given_refuses_a_path_the_service_refuses_in_its_arn(
    kind: str, path: str
) -> None:
    """IAM creates the role under such a path; SageMaker (RoleArn: role/?[a-zA-Z_0-9+=,.@\\-_/]+)
    then refuses it in every CreateModel, CreateProcessingJob or CreateFeatureGroup."""
    field, build = PATHED[kind]
    assert iam_path_problem(path) is None
    with pytest.raises(ValueError, match=rf"^{kind}\.{field}: .* not one of a role a service is given"):
        build(path)


@pytest.mark.parametrize("path", ["/", "/a//b/", "/a,b+c@d=e_f-g/", "/team.x/dev/", "/" + "a" * 510 + "/"])
def test_a_service_role_path_takes_every_character_the_services_take(path: str) -> None:
    assert service_role_path_problem(path) is None
    for kind in SERVICE_ROLES:
        PATHED[kind][1](path)


@pytest.mark.parametrize("kind", IAM_ONLY)
def test_a_path_iam_alone_reads_still_takes_any_printable_character(kind: str) -> None:
    PATHED[kind][1]("/team~x/")


def test_a_key_refuses_an_alias_kms_refuses() -> None:
    with pytest.raises(ValueError, match=r"alias 'alias/team-my data' is not one KMS takes"):
        _key(purpose="my data", alias_prefix="team")
    with pytest.raises(ValueError, match="not under alias/aws/"):
        _key(alias_prefix="aws/team")
    longest = "p" * (256 - len("alias/-data"))
    assert _key(alias_prefix=longest)
    with pytest.raises(ValueError, match="at most 256 characters"):
        _key(alias_prefix=longest + "p")


def test_a_key_wants_the_region_of_its_via_services_in_its_args() -> None:
    with pytest.raises(ValueError, match=r"^EncryptionKeyArgs\.region: via_services needs the region"):
        _key(via_services=["s3"])
    assert _key(via_services=["s3"], region=REGION)


def test_a_role_refuses_no_statements_and_a_description_iam_refuses_in_its_args() -> None:
    with pytest.raises(ValueError, match=r"^ExecutionRoleArgs\.statements: a role needs at least one"):
        _role(statements=[])
    assert _role(description="d" * 1000)
    with pytest.raises(ValueError, match=r"^ExecutionRoleArgs\.description: 1001 characters"):
        _role(description="d" * 1001)
    with pytest.raises(ValueError, match=r"^ExecutionRoleArgs\.description: .* characters IAM refuses"):
        _role(description="the team\u2019s jobs")


def test_an_endpoint_refuses_an_unresolved_latest_approved_variant_in_its_args() -> None:
    spec = EndpointSpec.model_validate(
        {
            "name": "e",
            "variants": [
                {"name": "v", "model": {"latest_approved_of": "churn"}, "instance_type": "ml.m5.large"}
            ],
        }
    )
    with pytest.raises(
        ValueError, match=r"^InferenceEndpointArgs\.resolved_model_packages: .* variant\(s\) v"
    ):
        endpoint_args(spec)
    package = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/churn/3"
    assert endpoint_args(spec, resolved_model_packages={"v": package})


def test_a_feature_store_refuses_two_groups_of_one_name_in_its_args() -> None:
    with pytest.raises(ValueError, match=r"^FeatureStoreArgs\.groups: feature group names must be unique"):
        _feature_store(groups=[GROUP, GROUP])


# -- the models' role reads the artifacts the spec names, wherever they are ---------------------

IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/detector@sha256:" + "a" * 64
READ = ["s3:GetObject", "s3:GetObjectVersion"]


def _readable_objects(graph: object) -> set[str]:
    [policy] = graph.of_type("aws:iam/rolePolicy:RolePolicy")  # type: ignore[attr-defined]
    return {
        resource
        for statement in statements(policy_of(policy))
        if statement["Action"] == READ
        for resource in (
            [statement["Resource"]] if isinstance(statement["Resource"], str) else statement["Resource"]
        )
    }


def test_an_endpoint_role_reads_the_model_artifacts_its_variants_name() -> None:
    spec = EndpointSpec.model_validate(
        {
            "name": "detector",
            "variants": [
                {
                    "name": "own",
                    "model": {"image": IMAGE, "model_data_url": "s3://vision-team/detector/v3/model.tar.gz"},
                    "instance_type": "ml.m5.large",
                },
                {
                    "name": "triton",
                    "model": {
                        "triton": {
                            "model_data_url": "s3://vision-team/triton/repo.tar.gz",
                            "default_model_name": "detector",
                        }
                    },
                    "instance_type": "ml.m5.large",
                },
            ],
        }
    )
    graph = record_program(lambda: InferenceEndpoint("ep", endpoint_args(spec)))
    readable = _readable_objects(graph)
    assert "arn:aws:s3:::vision-team/detector/v3/model.tar.gz" in readable
    assert "arn:aws:s3:::vision-team/triton/repo.tar.gz" in readable
    # Those objects exactly, and the artifact bucket's models/ as before: nothing else of the bucket.
    assert not any(r.startswith("arn:aws:s3:::vision-team") and r.endswith("*") for r in readable)
    assert "arn:aws:s3:::artifacts/models/*" in readable


def test_an_endpoint_serving_model_packages_reads_no_other_object() -> None:
    spec = _package_endpoint()
    graph = record_program(lambda: InferenceEndpoint("ep", endpoint_args(spec)))
    assert {r for r in _readable_objects(graph) if "/models/" in r} == {"arn:aws:s3:::artifacts/models/*"}
    assert all(r.startswith("arn:aws:s3:::artifacts/") for r in _readable_objects(graph))


def test_a_shared_endpoint_role_reads_the_model_artifacts_its_components_name() -> None:
    spec = SharedEndpointSpec.model_validate(
        {
            "name": "shared",
            "instance_type": "ml.m5.xlarge",
            "components": [
                {
                    "name": "own",
                    "model": {"image": IMAGE, "model_data_url": "s3://vision-team/ranker/model.tar.gz"},
                    "compute": {"cpu_cores": 1, "memory_mb": 1024},
                }
            ],
        }
    )
    context = {k: v for k, v in SERVING_CONTEXT.items()}
    args = SharedEndpointArgs(spec=spec, endpoint_name="team-shared", **context)
    graph = record_program(lambda: SharedEndpoint("shared", args))
    assert "arn:aws:s3:::vision-team/ranker/model.tar.gz" in _readable_objects(graph)


# -- the documented programs carry the tags the policy pack requires ------------------------------

REPO = Path(__file__).resolve().parents[2]


def _documented_graph(program: str, config: dict[str, Any] | None = None) -> ResourceGraph:
    """The documented program ``program`` (its text) recorded with ``config``: once per version of
    the code, of this file and of the text (the key), not in every run."""
    from tests.recorded import computed_once

    def record() -> ResourceGraph:
        return record_program(lambda: exec(compile(program, "<documented>", "exec"), {}), config=config)

    return computed_once("documented-program", record, key=[program, repr(config)])


def _readme_reuse_snippet() -> str:
    blocks = re.findall(r"```python\n(.*?)```", (REPO / "README.md").read_text(encoding="utf-8"), re.S)
    [snippet] = [block for block in blocks if "SecureBucket(" in block]
    return snippet


@pytest.mark.parametrize(
    "source",
    [_readme_reuse_snippet(), (REPO / "examples" / "consumer" / "__main__.py").read_text(encoding="utf-8")],
    ids=["README", "examples-consumer"],
)
@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_the_documented_programs_carry_the_tags_the_pack_requires(source: str, environment: str) -> None:
    program = source.replace("mlops_platform.components", "components")
    config = {"mlops-platform:platform": {"environment": environment}}
    graph = _documented_graph(program, config)
    assert graph.cloud_resources
    untagged = [
        v.resource_name
        for v in check_policies(graph).violations
        if v.policy_name == "required-cost-allocation-tags"
    ]
    assert untagged == []


def test_monitoring_baselines_lie_in_their_folder() -> None:
    with pytest.raises(
        ValueError, match=r"^MonitoringBaselines\.folder: 'baselines/churn/7' is not a key prefix"
    ):
        MonitoringBaselines.in_folder("baselines/churn/7")
    with pytest.raises(
        ValueError, match=r"^MonitoringBaselines\.data_constraints: 'elsewhere/constraints.json'"
    ):
        MonitoringBaselines(
            folder="baselines/churn/7/",
            data_statistics="baselines/churn/7/statistics.json",
            data_constraints="elsewhere/constraints.json",
        )
    baselines = MonitoringBaselines.in_folder("baselines/churn/7/")
    assert baselines.data_statistics == "baselines/churn/7/statistics.json"


def test_the_component_package_endpoint_takes_the_aws_images_its_models_pull() -> None:
    from components.component_package import COMPONENTS

    provider = component_provider()
    definition = provider._component_defs["InferenceEndpoint"]
    sklearn = f"141502667606.dkr.ecr.{REGION}.amazonaws.com/sagemaker-scikit-learn"
    spec = {
        "name": "churn",
        "variants": [
            {
                "name": "primary",
                "model": {"model_package_arn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/churn/7"},
                "instance_type": "ml.m5.large",
            }
        ],
    }
    wire = {
        "specJson": json.dumps(spec),
        "endpointName": "team-x-churn",
        "accountId": ACCOUNT,
        "region": REGION,
        "artifactBucketName": "artifacts",
        "artifactBucketArn": "arn:aws:s3:::artifacts",
        "kmsKeyArn": KEY,
        "notificationKeyArn": KEY,
        "subnetIds": ["subnet-0a1b2c3d4e5f60718"],
        "securityGroupIds": ["sg-0123456789abcdef0"],
        "imageRegistryAccounts": [ACCOUNT],
        "awsImages": [sklearn],
        "alarmTopicArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts",
        "rolePath": "/team-x/",
        "tags": TAGS,
    }
    endpoint = next(c for c in COMPONENTS if c.__name__ == "InferenceEndpoint")
    graph = record_program(lambda: endpoint("churn", provider.map_inputs(wire, definition), None))  # type: ignore[call-arg]
    [policy] = graph.of_type("aws:iam/rolePolicy:RolePolicy")
    pulled = {
        resource
        for statement in statements(policy_of(policy))
        if statement["Action"]
        == ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
        for resource in (
            [statement["Resource"]] if isinstance(statement["Resource"], str) else statement["Resource"]
        )
    }
    assert f"arn:aws:ecr:{REGION}:141502667606:repository/sagemaker-scikit-learn" in pulled


REGIONED: dict[str, Callable[[str], object]] = {
    "EncryptionKeyArgs": lambda region: _key(via_services=["s3"], region=region),
    "FeatureStoreArgs": lambda region: _feature_store(region=region),
    "JobPlacement": lambda region: _placement(region=region),
}


@pytest.mark.parametrize("region", ["eu-west1", "europe", "moon-1", "EU-WEST-1", " eu-west-1"])
@pytest.mark.parametrize("kind", sorted(REGIONED))
def test_args_refuse_a_region_that_is_no_region(kind: str, region: str) -> None:
    with pytest.raises(ValueError, match=rf"^{kind}\.region: .* is not an AWS region code"):
        REGIONED[kind](region)


@pytest.mark.parametrize("region", ["eu-west-1", "ap-southeast-5", "mx-central-1", "us-east-1"])
@pytest.mark.parametrize("kind", sorted(REGIONED))
def test_args_take_every_region_code(kind: str, region: str) -> None:
    REGIONED[kind](region)


@pytest.mark.parametrize(
    ("region", "partition"),
    [("us-gov-west-1", "aws-us-gov"), ("cn-north-1", "aws-cn"), ("us-isob-east-1", "aws-iso-b")],
)
@pytest.mark.parametrize("kind", sorted(REGIONED))
def test_args_refuse_a_region_of_another_partition(kind: str, region: str, partition: str) -> None:
    """The components write arn:aws: ARNs and principals, which match nothing in another partition."""
    with pytest.raises(ValueError, match=rf"^{kind}\.region: '{region}' is in the {partition} partition"):
        REGIONED[kind](region)


@pytest.mark.parametrize(
    "accounts", [["abc"], [f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"], [ACCOUNT, "12345678901"], ACCOUNT]
)
def test_an_endpoint_refuses_image_registry_accounts_that_are_no_accounts(accounts: object) -> None:
    spec = _package_endpoint()
    with pytest.raises(ValueError, match=r"^InferenceEndpointArgs\.image_registry_accounts: .*12-digit"):
        endpoint_args(spec, image_registry_accounts=accounts)
    assert endpoint_args(spec, image_registry_accounts=[ACCOUNT, "763104351884"])


def test_a_secure_bucket_refuses_a_purpose_s3_refuses_as_a_tag_value() -> None:
    with pytest.raises(ValueError, match=r"^SecureBucketArgs\.purpose: tag 'mlops:data-class' value"):
        SecureBucketArgs(purpose="raw, curated", kms_key_arn=KEY, access_log_bucket="logs", tags=TAGS)
    assert SecureBucketArgs(purpose="raw curated", kms_key_arn=KEY, access_log_bucket="logs", tags=TAGS)


def test_args_name_a_spec_passed_as_a_dict() -> None:
    entry = {"name": "e", "variants": []}
    with pytest.raises(
        ValueError,
        match=r"^InferenceEndpointArgs\.spec: a dict is not an instance of EndpointSpec: "
        r"build it with EndpointSpec\.model_validate",
    ):
        dataclasses.replace(PATHED["InferenceEndpointArgs"][1]("/team/"), spec=entry)  # type: ignore[type-var]
    with pytest.raises(
        ValueError, match=r"^FeatureStoreArgs\.groups: \[1\]: a dict is not an instance of FeatureGroupSpec"
    ):
        _feature_store(groups=[GROUP, {"name": "clicks"}])
    placement = REGIONED["JobPlacement"](REGION)
    with pytest.raises(
        ValueError, match=r"^ModelMonitoringArgs\.baselines: a str is not an instance of MonitoringBaselines"
    ):
        ModelMonitoringArgs(
            spec=MonitoringSpec(enabled=True),
            endpoint_name="e",
            baselines="baselines/churn/7/",  # type: ignore[arg-type]
            placement=placement,  # type: ignore[arg-type]
        )


def test_a_team_builds_the_dispatch_connection_key_from_the_package() -> None:
    from components.foundation import EncryptionKey
    from components.registry import CONNECTION_KEY_TAGS, connection_key_statement
    from stacks.composition import registry as stack_registry

    assert stack_registry.connection_key_statement is connection_key_statement
    args = _key(
        purpose="deliveries",
        tags={**TAGS, **CONNECTION_KEY_TAGS},
        extra_statements=[connection_key_statement(REGION, ACCOUNT)],
    )
    graph = record_program(lambda: EncryptionKey("deliveries", args))
    key = only(graph, "aws:kms/key:Key")
    assert key.inputs["tags"]["EventBridgeApiDestinations"] == "true"
    [statement] = [
        s for s in statements(policy_of(key)) if s.get("Sid") == "EventBridgeConnectionSecretsOfThisAccount"
    ]
    assert (
        statement["Condition"]["StringEquals"]["kms:ViaService"] == f"secretsmanager.{REGION}.amazonaws.com"
    )
    assert statement["Condition"]["StringLike"]["kms:EncryptionContext:SecretARN"] == (
        f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:events!connection/*"
    )


def test_the_example_alert_topic_key_lets_cloudwatch_alarms_publish() -> None:
    program = (REPO / "examples" / "consumer" / "__main__.py").read_text(encoding="utf-8")
    program = program.replace("mlops_platform.components", "components")
    graph = _documented_graph(program)
    topic = only(graph, "aws:sns/topic:Topic")
    [key] = [
        k for k in graph.of_type("aws:kms/key:Key") if k.outputs["arn"] == topic.inputs["kmsMasterKeyId"]
    ]
    services = {
        s["Principal"]["Service"] for s in statements(policy_of(key)) if "Service" in s.get("Principal", {})
    }
    assert {"cloudwatch.amazonaws.com", "events.amazonaws.com"} <= services
    # Every alarm notifies that topic.
    alarms = graph.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    assert alarms and all(a.inputs["alarmActions"] == [topic.outputs["arn"]] for a in alarms)


def test_the_documented_grant_builders_import_from_their_areas() -> None:
    from components.foundation import cloudwatch_alarms_grant, cloudwatch_logs_grant, eventbridge_grants
    from components.observability import budgets_key_grant, cost_anomaly_key_grant

    grants = [
        cloudwatch_alarms_grant(REGION, ACCOUNT),
        cloudwatch_logs_grant(REGION, ACCOUNT),
        *eventbridge_grants(REGION, ACCOUNT),
        budgets_key_grant(REGION, ACCOUNT),
        cost_anomaly_key_grant(REGION, ACCOUNT),
    ]
    assert len({grant.sid for grant in grants}) == len(grants)


def test_the_component_package_key_grants_the_services_it_names() -> None:
    from components.component_package import COMPONENTS

    provider = component_provider()
    definition = provider._component_defs["EncryptionKey"]
    key_component = next(c for c in COMPONENTS if c.__name__ == "EncryptionKey")
    wire = {
        "purpose": "alerts",
        "accountId": ACCOUNT,
        "userRolePath": "/team-x/",
        "region": REGION,
        "serviceGrants": ["cloudwatch-alarms", "eventbridge"],
        "tags": TAGS,
    }
    graph = record_program(lambda: key_component("alerts", provider.map_inputs(wire, definition), None))  # type: ignore[call-arg]
    key = only(graph, "aws:kms/key:Key")
    sids = {s.get("Sid") for s in statements(policy_of(key))}
    assert {"CloudwatchPublishesToEncryptedTopics", "EventsDeliversToEncryptedTopics"} <= sids
    with pytest.raises(ValueError, match=r"service_grants: sns: use cloudwatch-alarms"):
        key_component("bad", provider.map_inputs({**wire, "serviceGrants": ["sns"]}, definition), None)  # type: ignore[call-arg]


def test_bucket_readers_and_drift_features_are_checked_in_the_args() -> None:
    from components.observability import AlarmThresholds, EndpointAlarmsArgs, VariantAlarms

    with pytest.raises(ValueError, match=r"^SecureBucketArgs\.reader_prefixes: reader_accounts need"):
        SecureBucketArgs(
            purpose="models",
            kms_key_arn=KEY,
            access_log_bucket="logs",
            tags=TAGS,
            reader_accounts=("222222222222",),
        )
    with pytest.raises(ValueError, match=r"^EndpointAlarmsArgs\.drift_features: at most 10 drift features"):
        EndpointAlarmsArgs(
            endpoint_name="e",
            variants=[VariantAlarms(name="v", gpus=0, instance_based=True)],
            thresholds=AlarmThresholds(),
            alarm_topic_arn=f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts",
            tags=TAGS,
            monitoring_schedule_name="e-data-quality",
            drift_features=[f"f{i}" for i in range(11)],
            monitoring_schedule="cron(0 0 ? * * *)",
        )
