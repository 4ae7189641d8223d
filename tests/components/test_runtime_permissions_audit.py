"""A run-time permission audit: would AWS refuse a platform role something it needs at run time?

Offline tests pass whatever a role lacks; AWS then fails the job, the pipeline step, the delivery or
the pod with AccessDenied. This module records the fixture stacks and the variants that add roles
(:data:`VARIANTS`), derives from each graph what every principal does at run time (:class:`Need`:
principal, action, resource, request context), and evaluates each need with a small IAM evaluator
(:func:`decide`: Allow/Deny, Action/NotAction, Resource/NotResource with wildcards, the condition
operators the platform uses, a missing key failing a positive operator and passing a negated one)
against the role's identity policies (inline, managed and attached) AND the resource side: the KMS
key policy of every key a need uses (a key policy must allow the account or the role; both must
allow), the bucket policies (their explicit Denies: TLS, outdated TLS, deletion), the VPC endpoint
policies a role's call from the platform's subnets goes through (each allows the account's
principals, ``aws:PrincipalAccount``), SNS topic and SQS queue policies for the services that
deliver without a role (EventBridge, CloudWatch, Budgets, Cost Anomaly Detection, CloudTrail).

Where the needs come from (derived from the recorded inputs, so a new step, output or key is
audited without editing this table):

- pipelines (``pipelineDefinition``): the pipeline role creates each step's job, passes its role
  (``iam:PassedToService``), registers the model, reads every property file; each step's role reads
  its S3 inputs (GetObject, ListBucket of the prefix, kms:Decrypt through S3 with the bucket key's
  context), writes its outputs (PutObject, kms:GenerateDataKey with the output ``KmsKeyId``), takes a
  grant on its volume key, pulls its image (any registry, AWS's included), logs and creates its
  network interfaces; Tuning, Training, Processing and Transform (the model's role) steps alike;
- the step scripts' own AWS calls (``components/*/steps/*.py``; the families' scripts in
  ``models/`` call none): ExtractFeatures (Athena on its workgroup, DescribeFeatureGroup, what Athena
  does with the caller's credentials: Glue reads, the offline store, the encrypted results),
  TrackExperiment (the five ``sagemaker-mlflow`` calls of the MLflow client), PublishDriftMetrics
  (PutMetricData in its ``--namespace``), ListCapture (each ``list_objects_v2`` prefix);
- monitoring job definitions (the endpoint's capture, ground truth, baselines, the report, the
  metrics namespace), endpoints (each model's artifact, the capture of each variant, the
  configuration's role with inference components; an async endpoint's inputs, results, failures
  and its encrypted success and error topics), shadow tests, feature stores (offline store,
  Iceberg table), the MLflow server's artifact store, the exported ``inference_role_arn``;
- triggers: rule targets (a role's StartPipelineExecution / StartExecution / InvokeApiDestination,
  or the topic and queue policies and their keys for role-less deliveries, dead-letter queues
  included), schedules, the new-data pipe (its queue and key), the retraining state machine's
  ``aws-sdk`` tasks; alarms, budgets and cost anomalies to the alert topic; VPC flow logs and the
  audit trail;
- the roles people and pods assume: the DVC remote (pull, push, status), the Kubernetes servings'
  artifact roles (and KServe's storage initializer's listing), Alertmanager's SNS role;
- who assumes each role: every place the graph hands a role to a service (SageMaker jobs, models,
  monitors, stores and pipelines; EventBridge targets, Scheduler, Pipes, Step Functions, VPC flow
  logs; EKS Pod Identity associations with their session tags), the DVC remote's data scientists
  and GitHub workflow, SageMaker for the exported inference role.

================  =====  =====  ==========  =====  ===============  ====  ======  =====
variant           roles  needs  role calls  trust  service deliv.   KMS   denied  fixed
================  =====  =====  ==========  =====  ===============  ====  ======  =====
prod                 22    365         261     23               81    88      20     20
staging (tuning)     14    217         140     14               63    58      13     13
dev (async)           8    151         100      9               42    41       8      8
live-drift           24    368         268     25               75    86      12     12
shared-endpoint      23    380         269     24               87    94      20     20
shadow-test          23    417         270     24              123   117      20     20
async-endpoint       22    374         270     23               81    92      20     20
kubernetes           13    203         164     16               23    37      11     11
total               149   2475        1742    158              575   613     124    124
================  =====  =====  ==========  =====  ===============  ====  ======  =====

("role calls": a role's own requests; "trust": a service, a person or a workflow assuming a role
(``sts:AssumeRole``, ``sts:TagSession`` with EKS Pod Identity's session tags,
``sts:AssumeRoleWithWebIdentity`` with GitHub's claims) against the role's trust policy; "service
deliveries": role-less deliveries against topic, queue and bucket policies (alarms, rules,
budgets, cost anomalies, the audit trail, S3 server access logs); "KMS": needs whose key
policy is checked too, counted in the other columns.)

(31 distinct roles; every role of every variant is the principal of at least one need:
``test_every_role_of_the_stack_has_runtime_needs_in_the_table``; the table is not vacuous: without a
role's policies, the key policies or the topic and queue policies, every need they carry is
refused, and so is every role's call once the VPC endpoint policies allow nothing:
``test_the_table_reads_the_roles_policies``.)

Denied before, fixed (CHANGELOG ``### Fixed:``): 123 needs of the follow-up
(``test_runtime_permissions_followup_audit``): every pull of an AWS-published image (framework,
Model Monitor analyzer, SageMaker Distribution) by the role that runs it, and the VPC flow-logs
role's ``logs:DescribeLogGroups`` and ``logs:CreateLogGroup`` (each variant's count includes
them). And the KServe serving's artifact role (``ModelArtifactAccess``) had only ``s3:GetObject`` on the artifact, but KServe's storage
initializer lists the URI's key before downloading it (kserve/kserve
``python/storage/kserve_storage/kserve_storage.py``, ``Storage._download_s3``:
``bucket.objects.filter(Prefix=bucket_path)``, a ListObjects call, even for one object): the
InferenceService never became ready. The role may now list exactly that key (``s3:prefix`` equal to
it). The need fails on the old policy.

Left alone, with the reason and the documentation each rests on:

- (Resolved since, see ``test_runtime_permissions_followup_audit``: AWS-published images are pulled
  with the execution role, and every image of a step, a monitor or a model is now a need, AWS's
  registries included.)
- (Resolved since, see ``test_runtime_permissions_followup_audit``: the VPC flow-logs role has all
  five actions AWS's flow-logs IAM page lists, each need derived here.)
- Shadow tests: CreateInferenceExperiment's ``RoleArn`` is the role SageMaker "can assume to access
  model artifacts and container images, and manage ... endpoints"; the role may describe and update
  the endpoint, create its configurations and describe both models (derived as needs), but reads no
  artifact or image: each model keeps its own execution role, which does. The API reference lists no
  actions; left as is.
- EventBridge API destinations: the connection's secret (deliveries key) is read through Secrets
  Manager by EventBridge, not by the rule's role; the key policy follows "Encrypting EventBridge
  connection authorization" (``kms:ViaService`` Secrets Manager, the ``events!connection/*``
  context, the ``EventBridgeApiDestinations`` tag on the key). No role need.
- The evidently image's repository is encrypted with the data key: ECR decrypts through the grants
  it creates with the repository ("Encryption at rest", Amazon ECR); pullers need no KMS permission.
- Volume keys: a grant by the job's execution role (RecommendationJobInputConfig
  ``VolumeKmsKeyId``: "The SageMaker execution role must have kms:CreateGrant permission"), with
  ``kms:GrantIsForAWSResource``; the pipeline roles hold the same grant, so either caller passes.
- Async inference: the models' role reads requests only under ``async-inference/<endpoint>/`` of the
  artifact bucket (derived as a need there); an input elsewhere (``InvokeEndpointAsync``'s
  ``InputLocation`` is the caller's choice) is refused, and the docs do not say where inputs go: a
  documentation gap, left for the docs' owners (no grant widened).
- The MLflow tracking server's role: CreateMlflowTrackingServer's ``RoleArn`` says the role "should
  have AmazonS3FullAccess"; the platform's may read, write and list only the artifact store's
  ``mlflow/`` prefix (with the data key), which covers the artifact reads and writes derived here.
  What else the managed server calls is not documented; left as is.
- A plain (non-KServe) Kubernetes Deployment reads ``MODEL_DATA_URL`` with its own image's code: its
  calls are the adopter's; the one-key listing covers the common downloaders too.

Over-broad grants noticed: the training role's datasets reads and the Model Monitor roles' capture
and ground-truth reads are narrowed since (``test_runtime_permissions_followup_audit``, which says
why the rest is left: the training and pipeline roles' whole artifact bucket, the exported
inference role's capture writes, the key policies' role path).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from planner.recorder import RecordedResource, ResourceGraph
from stacks.config import CONFIG_KEY
from tests.conftest import load_stack_document, stack_path
from tests.graph_helpers import as_list
from tests.recorded import recorded_stack
from tests.stacks.test_live_drift import live_drift_instead_of_model_monitor
from tests.yaml_text import dump_document

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
MANAGED_POLICY = "aws:iam/policy:Policy"
PIPELINE = "aws:sagemaker/pipeline:Pipeline"
KEY = "aws:kms/key:Key"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
BUCKET_ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
EXECUTION = "pipelines-0123456789ab"
"""What ``Execution.PipelineExecutionId`` (and a step's job name) stands for in a rendered path."""

# -- a small IAM evaluator -------------------------------------------------------------------------


def _wildcard(pattern: str, value: str, *, fold: bool = False) -> bool:
    """IAM's ``*`` and ``?`` (no character classes: ``[`` is literal)."""
    return _wildcard_regex(pattern, fold).fullmatch(value) is not None


@cache
def _wildcard_regex(pattern: str, fold: bool) -> re.Pattern[str]:
    """Compiled once per pattern: the audit matches each statement's patterns thousands of times."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(regex, re.IGNORECASE | re.DOTALL if fold else re.DOTALL)


_NEGATED = ("StringNot", "ArnNot", "NumericNot")


def _operator_holds(base: str, actual: str, expected: list[Any]) -> bool:
    wanted = [str(value).lower() if isinstance(value, bool) else str(value) for value in expected]
    if base in ("StringEquals", "ArnEquals", "Bool"):
        return actual in wanted
    if base == "StringEqualsIgnoreCase":
        return actual.lower() in (value.lower() for value in wanted)
    if base in ("StringLike", "ArnLike"):
        return any(_wildcard(value, actual) for value in wanted)
    if base == "NumericLessThan":
        return any(float(actual) < float(value) for value in wanted)
    if base in ("StringNotEquals", "ArnNotEquals"):
        return actual not in wanted
    if base in ("StringNotLike", "ArnNotLike"):
        return not any(_wildcard(value, actual) for value in wanted)
    if base == "Null":
        return False  # handled by the caller
    raise AssertionError(f"the evaluator does not know the condition operator {base}")


def condition_holds(condition: Mapping[str, Any] | None, context: Mapping[str, str]) -> bool:
    """Every operator block and key holds (AWS's AND across keys, OR across a key's values). A key
    the request does not carry fails a positive operator and passes a negated one (``...IfExists``
    passes either way); ``Null`` checks presence."""
    lowered = {key.lower(): value for key, value in context.items()}
    for operator, block in (condition or {}).items():
        if_exists = operator.endswith("IfExists")
        base = operator.removesuffix("IfExists")
        for key, expected in block.items():
            actual = lowered.get(key.lower())
            if base == "Null":
                if (actual is None) != (str(expected).lower() == "true"):
                    return False
                continue
            if actual is None:
                if if_exists or base.startswith(_NEGATED):
                    continue
                return False
            if not _operator_holds(base, actual, as_list(expected)):
                return False
    return True


def _applies(statement: Mapping[str, Any], action: str, resource: str, context: Mapping[str, str]) -> bool:
    if "Action" in statement:
        acts = any(_wildcard(p, action, fold=True) for p in as_list(statement["Action"]))
    else:
        acts = not any(_wildcard(p, action, fold=True) for p in as_list(statement["NotAction"]))
    if not acts:
        return False
    if "Resource" in statement:
        on = any(_wildcard(p, resource) for p in as_list(statement["Resource"]))
    elif "NotResource" in statement:
        on = not any(_wildcard(p, resource) for p in as_list(statement["NotResource"]))
    else:
        on = True  # a resource policy's statement may leave Resource to mean the resource itself
    return on and condition_holds(statement.get("Condition"), context)


def _principal_matches(statement: Mapping[str, Any], principal: str) -> bool:
    """``principal`` is a role ARN or a service principal (``events.amazonaws.com``)."""
    named = statement.get("Principal")
    if named == "*":
        return True
    if not isinstance(named, Mapping):
        return False
    if ":oidc-provider/" in principal:
        return principal in as_list(named.get("Federated", []))
    if principal.startswith("arn:"):
        account = principal.split(":")[4]
        return any(
            value in (principal, "*", account, f"arn:aws:iam::{account}:root")
            for value in as_list(named.get("AWS", []))
        )
    return principal in as_list(named.get("Service", []))


def decide(
    documents: list[dict[str, Any]],
    action: str,
    resource: str,
    context: Mapping[str, str],
    *,
    principal: str | None = None,
) -> str:
    """``"allow"``, ``"deny"`` (an explicit Deny applies) or ``"implicit"`` (nothing allows it).
    With ``principal``, the documents are resource policies and a statement applies only to the
    principals it names."""
    verdict = "implicit"
    for document in documents:
        for statement in as_list(document["Statement"]):
            if principal is not None and not _principal_matches(statement, principal):
                continue
            if not _applies(statement, action, resource, context):
                continue
            if statement["Effect"] == "Deny":
                return "deny"
            verdict = "allow"
    return verdict


# -- the runtime needs --------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Need:
    """One request AWS authorizes at run time: ``principal`` (a role ARN, or a service principal
    acting without a role) calls ``action`` on ``resource`` with ``context``."""

    principal: str
    action: str
    resource: str
    why: str
    context: Mapping[str, str] = field(default_factory=dict)
    key: str | None = None
    """A KMS key ARN when ``action`` is a KMS call (the key policy is checked too)."""

    def __str__(self) -> str:
        return f"{self.why}: {self.principal.rsplit('/', 1)[-1]} {self.action} {self.resource}"


def _parse(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _s3(uri: str) -> tuple[str, str]:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return bucket, key


_ENDPOINT_SERVICES = {
    "s3": "s3",
    "sagemaker.api": "sagemaker",
    "logs": "logs",
    "monitoring": "cloudwatch",
    "ecr.api": "ecr",
    "kms": "kms",
    "sns": "sns",
    "events": "events",
    "athena": "athena",
    "experiments": "sagemaker-mlflow",
    "sts": "sts",
}
"""A VPC endpoint's service (after ``com.amazonaws.<region>.``) -> the IAM prefix of what goes through it."""


def _endpoint_service(name: str) -> str:
    """``com.amazonaws.eu-west-1.sagemaker.api`` -> ``sagemaker.api``; ``aws.sagemaker.<region>.experiments``
    -> ``experiments``."""
    return name.rsplit(".", 1)[-1] if name.startswith("aws.sagemaker.") else name.split(".", 3)[3]


class Stack:
    """What one recorded graph's roles may do, and what the resource side says."""

    def __init__(self, graph: ResourceGraph) -> None:
        self.graph = graph
        platform = graph.config[CONFIG_KEY]
        self.region = platform["region"]
        self.account = platform["account_id"]
        self.roles = {r.outputs["arn"]: r for r in graph.of_type(ROLE)}
        self.role_names = {r.outputs["name"]: arn for arn, r in self.roles.items()}
        self.trust = {arn: _parse(r.inputs["assumeRolePolicy"]) for arn, r in self.roles.items()}
        self.identity: dict[str, list[dict[str, Any]]] = {arn: [] for arn in self.roles}
        for policy in graph.of_type(ROLE_POLICY):
            self.identity[self.role_names[policy.inputs["role"]]].append(_parse(policy.inputs["policy"]))
        managed = {p.outputs["arn"]: _parse(p.inputs["policy"]) for p in graph.of_type(MANAGED_POLICY)}
        for attachment in graph.of_type(ATTACHMENT):
            arn = self.role_names[attachment.inputs["role"]]
            self.identity[arn].append(managed[attachment.inputs["policyArn"]])
        self.key_policies = {k.outputs["arn"]: _parse(k.inputs["policy"]) for k in graph.of_type(KEY)}
        self.bucket_policies = {
            p.inputs["bucket"]: _parse(p.inputs["policy"]) for p in graph.of_type(BUCKET_POLICY)
        }
        self.bucket_keys = {
            e.inputs["bucket"]: rule["applyServerSideEncryptionByDefault"].get("kmsMasterKeyId")
            for e in graph.of_type(BUCKET_ENCRYPTION)
            for rule in e.inputs["rules"]
        }
        self.topic_policies = {
            p.inputs["arn"]: _parse(p.inputs["policy"])
            for p in graph.of_type("aws:sns/topicPolicy:TopicPolicy")
        }
        self.topic_keys = {
            t.outputs["arn"]: t.inputs.get("kmsMasterKeyId") for t in graph.of_type("aws:sns/topic:Topic")
        }
        queues = graph.of_type("aws:sqs/queue:Queue")
        self.queue_keys = {q.outputs["arn"]: q.inputs.get("kmsMasterKeyId") for q in queues}
        urls = {q.outputs.get("url") or q.outputs.get("id"): q.outputs["arn"] for q in queues}
        self.endpoint_policies = {
            _ENDPOINT_SERVICES[service]: _parse(e.inputs["policy"])
            for e in graph.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
            if e.inputs.get("policy")
            and (service := _endpoint_service(e.inputs["serviceName"])) in _ENDPOINT_SERVICES
        }
        self.queue_policies = {
            urls.get(p.inputs["queueUrl"], p.inputs["queueUrl"]): _parse(p.inputs["policy"])
            for p in graph.of_type("aws:sqs/queuePolicy:QueuePolicy")
        }

    # -- verdicts

    def denial(self, need: Need) -> str | None:
        """Why AWS would refuse ``need``, or None."""
        context = {
            "aws:SecureTransport": "true",
            "s3:TlsVersion": "1.3",
            "aws:SourceAccount": self.account,
            "kms:CallerAccount": self.account,
            **need.context,
        }
        if need.action.startswith("sts:"):
            # Who may assume the role: its trust policy alone decides (the caller's own policy, a
            # person's or a service's, is not the stack's).
            if ":oidc-provider/" not in need.principal and need.principal.startswith("arn:"):
                context.setdefault("aws:PrincipalArn", need.principal)
            verdict = decide(
                [self.trust[need.resource]], need.action, need.resource, context, principal=need.principal
            )
            return None if verdict == "allow" else f"the role's trust policy: {verdict}"
        if need.principal.startswith("arn:"):
            context.setdefault("aws:PrincipalArn", need.principal)
            documents = self.identity.get(need.principal)
            if documents is None:
                return "no such role in the stack"
            verdict = decide(documents, need.action, need.resource, context)
            if verdict != "allow":
                return f"the role's policies: {verdict}"
        service = need.action.split(":")[0]
        if need.principal.startswith("arn:") and service in self.endpoint_policies:
            # A request a job makes from the platform's VPC goes through its interface (or S3
            # gateway) endpoint, whose policy must allow it too.
            endpoint_context = {**context, "aws:PrincipalAccount": need.principal.split(":")[4]}
            endpoint = [self.endpoint_policies[service]]
            verdict = decide(endpoint, need.action, need.resource, endpoint_context, principal=need.principal)
            if verdict != "allow":
                return f"the VPC endpoint policy: {verdict}"
        for name, documents in self._resource_side(need):
            verdict = decide(documents, need.action, need.resource, context, principal=need.principal)
            service_principal = not need.principal.startswith("arn:")
            if verdict == "deny" or (verdict == "implicit" and (service_principal or name == "key policy")):
                return f"the {name}: {verdict}"
        return None

    def _resource_side(self, need: Need) -> Iterator[tuple[str, list[dict[str, Any]]]]:
        if need.key is not None:
            policy = self.key_policies.get(need.key)
            if policy is not None:  # a key of another stack or account is not judged here
                yield "key policy", [policy]
        if need.action.startswith("s3:"):
            bucket = need.resource.removeprefix("arn:aws:s3:::").split("/")[0]
            if bucket in self.bucket_policies:
                yield "bucket policy", [self.bucket_policies[bucket]]
        if need.action.startswith("sns:") and need.resource in self.topic_policies:
            yield "topic policy", [self.topic_policies[need.resource]]
        if need.action.startswith("sqs:") and need.resource in self.queue_policies:
            yield "queue policy", [self.queue_policies[need.resource]]

    # -- helpers that build needs

    def arn(self, service: str, resource: str, *, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{resource}"

    def s3_read(self, role: str, uri: str, why: str, *, listing: bool = True) -> list[Need]:
        bucket, key = _s3(uri)
        obj = key + "part-00000.csv" if key.endswith("/") or not key else key
        needs = [Need(role, "s3:GetObject", f"arn:aws:s3:::{bucket}/{obj}", why)]
        if listing:
            needs.append(
                Need(role, "s3:ListBucket", f"arn:aws:s3:::{bucket}", why + " (list)", {"s3:prefix": key})
            )
        needs += self.kms_via_s3(role, bucket, obj, ("kms:Decrypt",), why)
        return needs

    def s3_write(self, role: str, uri: str, why: str, key_arn: str | None = None) -> list[Need]:
        bucket, key = _s3(uri)
        # A key naming a file (``.../model.tar.gz``) is the object; a folder gets one object below it.
        obj = key if "." in key.rsplit("/", 1)[-1] else key.rstrip("/") + "/output.json"
        context = {"s3:x-amz-server-side-encryption": "aws:kms"} if key_arn else {}
        if key_arn:
            context["s3:x-amz-server-side-encryption-aws-kms-key-id"] = key_arn
        needs = [Need(role, "s3:PutObject", f"arn:aws:s3:::{bucket}/{obj}", why, context)]
        needs += self.kms_via_s3(role, bucket, obj, ("kms:GenerateDataKey",), why, key_arn)
        return needs

    def kms_via_s3(
        self, role: str, bucket: str, obj: str, actions: tuple[str, ...], why: str, key_arn: str | None = None
    ) -> list[Need]:
        key_arn = key_arn or self.bucket_keys.get(bucket)
        if not key_arn or not key_arn.startswith("arn:aws:kms"):
            return []
        context = {
            "kms:ViaService": f"s3.{self.region}.amazonaws.com",
            # With an S3 Bucket Key the context is the bucket's ARN (the platform's buckets enable it).
            "kms:EncryptionContext:aws:s3:arn": f"arn:aws:s3:::{bucket}",
        }
        return [Need(role, action, key_arn, why + " (SSE-KMS)", context, key=key_arn) for action in actions]

    def volume_key(self, role: str, key_arn: str | None, why: str) -> list[Need]:
        if not key_arn:
            return []
        context = {
            "kms:GrantIsForAWSResource": "true",
            "kms:ViaService": f"sagemaker.{self.region}.amazonaws.com",
        }
        return [Need(role, "kms:CreateGrant", key_arn, why + " (volume key)", context, key=key_arn)]

    def image(self, role: str, uri: str, why: str) -> list[Need]:
        """SageMaker pulls a job's or model's image with its execution role, wherever the image
        lives: the stack's registry, a trusted one, or AWS's (framework, Model Monitor, Clarify,
        SageMaker Distribution images): see the module docstring."""
        account, _, rest = uri.partition(".dkr.ecr.")
        region, _, path = rest.partition("/")
        region = region.split(".")[0]
        repository = path.split(":")[0].split("@")[0]
        arn = f"arn:aws:ecr:{region}:{account}:repository/{repository}"
        return [
            Need(role, "ecr:GetAuthorizationToken", "*", why + " (image)"),
            Need(role, "ecr:BatchGetImage", arn, why + " (image)"),
            Need(role, "ecr:GetDownloadUrlForLayer", arn, why + " (image)"),
        ]

    def job_basics(self, role: str, kind: str, why: str, vpc: Mapping[str, Any] | None) -> list[Need]:
        group = self.arn("logs", f"log-group:/aws/sagemaker/{kind}")
        needs = [
            Need(role, "logs:CreateLogStream", f"{group}:log-stream:{EXECUTION}/algo-1", why + " (logs)"),
            Need(role, "logs:PutLogEvents", f"{group}:log-stream:{EXECUTION}/algo-1", why + " (logs)"),
        ]
        for subnet in (vpc or {}).get("Subnets", (vpc or {}).get("subnets", [])):
            needs.append(
                Need(role, "ec2:CreateNetworkInterface", self.arn("ec2", f"subnet/{subnet}"), why + " (VPC)")
            )
        return needs


# -- pipeline definitions -------------------------------------------------------------------------------


def _steps(steps: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for step in steps:
        yield step
        yield from _steps(step.get("Arguments", {}).get("IfSteps", []))
        yield from _steps(step.get("Arguments", {}).get("ElseSteps", []))


class Definition:
    """A pipeline definition whose expressions render to one execution's values."""

    def __init__(self, definition: dict[str, Any]) -> None:
        self.steps = {step["Name"]: step for step in _steps(definition["Steps"])}
        self.parameters = {p["Name"]: p.get("DefaultValue", "") for p in definition.get("Parameters", [])}

    def render(self, value: Any) -> str | None:
        """The value for one execution, or None when it depends on what a job returns at run time."""
        if isinstance(value, str):
            return value
        if not isinstance(value, dict):
            return str(value)
        if "Std:Join" in value:
            parts = [self.render(part) for part in value["Std:Join"]["Values"]]
            return None if None in parts else value["Std:Join"]["On"].join(parts)
        reference = value.get("Get", "")
        if reference.startswith("Execution."):
            return EXECUTION
        if reference.startswith("Parameters."):
            return str(self.parameters[reference.removeprefix("Parameters.")])
        found = re.fullmatch(
            r"Steps\.(\w+)\.ProcessingOutputConfig\.Outputs\['(\w+)'\]\.S3Output\.S3Uri", reference
        )
        if found:
            step = self.steps[found[1]]["Arguments"]
            [output] = [o for o in step["ProcessingOutputConfig"]["Outputs"] if o["OutputName"] == found[2]]
            return self.render(output["S3Output"]["S3Uri"])
        if re.fullmatch(r"Steps\.(\w+)\.ModelArtifacts\.S3ModelArtifacts", reference):
            train = self.steps[reference.split(".")[1]]["Arguments"]
            return f"{train['OutputDataConfig']['S3OutputPath']}/{EXECUTION}/output/model.tar.gz"
        if re.fullmatch(
            r"Steps\.\w+\.(BestTrainingJob\.TrainingJobName|TrainingJobName|ProcessingJobName)", reference
        ):
            return EXECUTION
        return None


def _arguments(step: Mapping[str, Any]) -> dict[str, list[Any]]:
    values = step["AppSpecification"].get("ContainerArguments", [])
    found: dict[str, list[Any]] = {}
    for option, value in zip(values[::2], values[1::2], strict=False):
        found.setdefault(option, []).append(value)
    return found


def pipeline_needs(stack: Stack) -> Iterator[Need]:
    models = {m.outputs["name"]: m for m in stack.graph.of_type("aws:sagemaker/model:Model")}
    for pipeline in stack.graph.of_type(PIPELINE):
        name = pipeline.inputs["pipelineName"]
        service_role = pipeline.inputs["roleArn"]
        definition = Definition(json.loads(pipeline.inputs["pipelineDefinition"]))
        for step_name, step in definition.steps.items():
            why = f"{name}/{step_name}"
            arguments = step.get("Arguments", {})
            kind = step["Type"]
            if kind == "Processing":
                yield Need(
                    service_role,
                    "sagemaker:CreateProcessingJob",
                    stack.arn("sagemaker", f"processing-job/{EXECUTION}"),
                    why,
                )
                yield from _processing_needs(stack, definition, why, arguments, service_role)
            elif kind == "Training":
                yield Need(
                    service_role,
                    "sagemaker:CreateTrainingJob",
                    stack.arn("sagemaker", f"training-job/{EXECUTION}"),
                    why,
                )
                yield from _training_needs(stack, definition, why, arguments, service_role)
            elif kind == "Tuning":
                tuning = stack.arn("sagemaker", f"hyper-parameter-tuning-job/{EXECUTION[:32]}")
                for action in ("Create", "Describe"):
                    yield Need(service_role, f"sagemaker:{action}HyperParameterTuningJob", tuning, why)
                yield Need(
                    service_role,
                    "sagemaker:ListTrainingJobsForHyperParameterTuningJob",
                    tuning,
                    why + " (best job)",
                )
                yield from _training_needs(
                    stack, definition, why, arguments["TrainingJobDefinition"], service_role
                )
            elif kind == "Transform":
                yield Need(
                    service_role,
                    "sagemaker:CreateTransformJob",
                    stack.arn("sagemaker", f"transform-job/{EXECUTION}"),
                    why,
                )
                yield from _transform_needs(stack, definition, why, arguments, models)
            elif kind == "RegisterModel":
                group = arguments["ModelPackageGroupName"]
                yield Need(
                    service_role,
                    "sagemaker:CreateModelPackage",
                    stack.arn("sagemaker", f"model-package/{group}/1"),
                    why,
                )
            for property_file in step.get("PropertyFiles", []):
                [output] = [
                    o
                    for o in arguments["ProcessingOutputConfig"]["Outputs"]
                    if o["OutputName"] == property_file["OutputName"]
                ]
                uri = definition.render(output["S3Output"]["S3Uri"])
                assert uri is not None
                yield from stack.s3_read(
                    service_role,
                    f"{uri}/{property_file['FilePath']}",
                    why + " (property file)",
                    listing=False,
                )


def _processing_needs(
    stack: Stack, definition: Definition, why: str, arguments: dict[str, Any], service_role: str
) -> Iterator[Need]:
    role = arguments["RoleArn"]
    yield Need(
        service_role,
        "iam:PassRole",
        role,
        why + " (pass the job's role)",
        {"iam:PassedToService": "sagemaker.amazonaws.com"},
    )
    cluster = arguments["ProcessingResources"]["ClusterConfig"]
    yield from stack.volume_key(role, cluster.get("VolumeKmsKeyId"), why)
    yield from stack.image(role, arguments["AppSpecification"]["ImageUri"], why)
    yield from stack.job_basics(
        role, "ProcessingJobs", why, arguments.get("NetworkConfig", {}).get("VpcConfig")
    )
    for source in arguments.get("ProcessingInputs", []):
        if "S3Input" in source:
            uri = definition.render(source["S3Input"]["S3Uri"])
            assert uri is not None, why
            manifest = source["S3Input"]["S3DataType"] == "ManifestFile"
            yield from stack.s3_read(role, uri, f"{why} input {source['InputName']}", listing=not manifest)
            if manifest:  # and every object the manifest names: the capture ListCapture listed
                for listing in definition.steps.values():
                    captured = (
                        _arguments(listing["Arguments"]).get("--capture-uri")
                        if listing["Type"] == "Processing"
                        else None
                    )
                    for capture in captured or []:
                        yield from stack.s3_read(
                            role,
                            f"{capture}primary/2026/12/06/04/capture.jsonl",
                            f"{why} manifest objects",
                            listing=False,
                        )
    outputs = arguments.get("ProcessingOutputConfig", {})
    for output in outputs.get("Outputs", []):
        uri = definition.render(output["S3Output"]["S3Uri"])
        assert uri is not None, why
        yield from stack.s3_write(role, uri, f"{why} output {output['OutputName']}", outputs.get("KmsKeyId"))
    yield from script_needs(stack, definition, why, arguments)


def _training_needs(
    stack: Stack, definition: Definition, why: str, arguments: dict[str, Any], service_role: str
) -> Iterator[Need]:
    role = arguments["RoleArn"]
    yield Need(
        service_role,
        "iam:PassRole",
        role,
        why + " (pass the job's role)",
        {"iam:PassedToService": "sagemaker.amazonaws.com"},
    )
    yield from stack.volume_key(role, arguments["ResourceConfig"].get("VolumeKmsKeyId"), why)
    yield from stack.image(role, arguments["AlgorithmSpecification"]["TrainingImage"], why)
    yield from stack.job_basics(role, "TrainingJobs", why, arguments.get("VpcConfig"))
    for channel in arguments.get("InputDataConfig", []):
        uri = definition.render(channel["DataSource"]["S3DataSource"]["S3Uri"])
        assert uri is not None, why
        yield from stack.s3_read(role, uri, f"{why} channel {channel['ChannelName']}")
    output = arguments["OutputDataConfig"]
    yield from stack.s3_write(
        role,
        f"{output['S3OutputPath']}/{EXECUTION}/output/model.tar.gz",
        why + " model",
        output.get("KmsKeyId"),
    )
    checkpoint = arguments.get("CheckpointConfig")
    if checkpoint:
        uri = definition.render(checkpoint["S3Uri"])
        assert uri is not None
        yield from stack.s3_write(role, uri, why + " checkpoints", output.get("KmsKeyId"))
        yield from stack.s3_read(role, uri, why + " checkpoints")


def _transform_needs(
    stack: Stack,
    definition: Definition,
    why: str,
    arguments: dict[str, Any],
    models: Mapping[str, RecordedResource],
) -> Iterator[Need]:
    model = models[arguments["ModelName"]]
    role = model.inputs["executionRoleArn"]
    yield from stack.volume_key(role, arguments["TransformResources"].get("VolumeKmsKeyId"), why)
    yield from stack.job_basics(role, "TransformJobs", why, model.inputs.get("vpcConfig"))
    uri = definition.render(arguments["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"])
    assert uri is not None
    yield from stack.s3_read(role, uri, why + " input")
    output = arguments["TransformOutput"]
    uri = definition.render(output["S3OutputPath"])
    assert uri is not None
    yield from stack.s3_write(role, uri, why + " output", output.get("KmsKeyId"))
    capture = arguments.get("DataCaptureConfig")
    if capture:
        yield from stack.s3_write(
            role,
            capture["DestinationS3Uri"] + "input/2026/12/06/05/capture.jsonl",
            why + " capture",
            capture.get("KmsKeyId"),
        )


# -- what the step scripts call (components/*/steps/*.py; the families' scripts call no AWS API) -----


def script_needs(stack: Stack, definition: Definition, why: str, arguments: dict[str, Any]) -> Iterator[Need]:
    role = arguments["RoleArn"]
    entry = " ".join(arguments["AppSpecification"].get("ContainerEntrypoint", []))
    options = _arguments(arguments)
    if entry.endswith("extract_features.py"):
        yield from _feature_extraction(stack, role, why, options)
    elif entry.endswith("publish_drift_metrics.py"):
        [namespace] = options["--namespace"]
        yield Need(
            role,
            "cloudwatch:PutMetricData",
            "*",
            why + " put_metric_data",
            {"cloudwatch:namespace": namespace},
        )
    elif entry.endswith("track_experiment.py"):
        server = arguments["Environment"]["MLFLOW_TRACKING_URI"]
        for action in ("GetExperimentByName", "CreateExperiment", "CreateRun", "LogBatch", "UpdateRun"):
            yield Need(role, f"sagemaker-mlflow:{action}", server, why + " MLflow client")
    elif entry.endswith("list_capture.py"):
        # list_objects_v2 from the destination down: <destination>, <endpoint>/, <variant>/, the hours.
        [uri] = options["--capture-uri"]
        bucket, key = _s3(uri)
        destination = key.rstrip("/").rpartition("/")[0] + "/"
        for variant in options["--variant"]:
            for prefix in (destination, key, f"{key}{variant}/", f"{key}{variant}/2026/12/06/04/"):
                yield Need(
                    role,
                    "s3:ListBucket",
                    f"arn:aws:s3:::{bucket}",
                    why + " list_objects_v2",
                    {"s3:prefix": prefix},
                )


def _feature_extraction(stack: Stack, role: str, why: str, options: dict[str, list[Any]]) -> Iterator[Need]:
    [group_name] = options["--feature-group"]
    [workgroup_name] = options["--workgroup"]
    workgroup = stack.arn("athena", f"workgroup/{workgroup_name}")
    for action in ("StartQueryExecution", "GetQueryExecution", "GetQueryResults", "StopQueryExecution"):
        yield Need(role, f"athena:{action}", workgroup, why + " Athena client")
    yield Need(
        role, "sagemaker:DescribeFeatureGroup", stack.arn("sagemaker", f"feature-group/{group_name}"), why
    )
    [group] = [
        g
        for g in stack.graph.of_type("aws:sagemaker/featureGroup:FeatureGroup")
        if g.inputs["featureGroupName"] == group_name
    ]
    table = group_name.replace("-", "_") + "_1733461200"
    for action in ("glue:GetDatabase", "glue:GetTable"):
        for resource in (
            stack.arn("glue", "catalog"),
            stack.arn("glue", "database/sagemaker_featurestore"),
            stack.arn("glue", f"table/sagemaker_featurestore/{table}"),
        ):
            if action == "glue:GetDatabase" and "table/" in resource:
                continue
            yield Need(role, action, resource, why + " Athena reads the catalog")
    offline = group.inputs["offlineStoreConfig"]["s3StorageConfig"]["s3Uri"]
    data = f"{offline}{stack.account}/sagemaker/{stack.region}/offline-store/{group_name}-1733461200/data/"
    yield from stack.s3_read(role, data, why + " Athena reads the offline store")
    [workgroup_resource] = [
        w for w in stack.graph.of_type("aws:athena/workgroup:Workgroup") if w.inputs["name"] == workgroup_name
    ]
    results = workgroup_resource.inputs["configuration"]["resultConfiguration"]
    yield from stack.s3_write(
        role,
        results["outputLocation"] + "query-id.csv",
        why + " Athena writes results",
        results["encryptionConfiguration"].get("kmsKeyArn"),
    )
    yield from stack.s3_read(
        role, results["outputLocation"] + "query-id.csv", why + " Athena reads results", listing=False
    )


# -- monitoring jobs, endpoints, stores ---------------------------------------------------------------

_MONITORS = {
    "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition": ("dataQuality", "data-metrics"),
    "aws-native:sagemaker:DataQualityJobDefinition": ("dataQuality", "data-metrics"),
    "aws-native:sagemaker:ModelQualityJobDefinition": ("modelQuality", "model-metrics"),
    "aws-native:sagemaker:ModelBiasJobDefinition": ("modelBias", None),
    "aws-native:sagemaker:ModelExplainabilityJobDefinition": ("modelExplainability", None),
}


def _capture_of(stack: Stack, endpoint_name: str) -> tuple[str, str | None] | None:
    """The capture destination (``<destination><endpoint>/``) and key of the endpoint named so."""
    for endpoint in stack.graph.of_type("aws:sagemaker/endpoint:Endpoint"):
        if endpoint.inputs.get("name") != endpoint_name:
            continue
        for config in stack.graph.of_type("aws:sagemaker/endpointConfiguration:EndpointConfiguration"):
            if config.outputs.get("name") == endpoint.inputs["endpointConfigName"]:
                capture = config.inputs.get("dataCaptureConfig") or {}
                if capture.get("enableCapture"):
                    return f"{capture['destinationS3Uri']}{endpoint_name}/", capture.get("kmsKeyId")
    return None


def monitor_needs(stack: Stack) -> Iterator[Need]:
    for type_token, (kind, metrics) in _MONITORS.items():
        for job in stack.graph.of_type(type_token):
            role = job.inputs["roleArn"]
            why = f"monitor {job.name}"
            job_input = job.inputs[f"{kind}JobInput"]
            endpoint = job_input.get("endpointInput", {}).get("endpointName")
            capture = _capture_of(stack, endpoint) if endpoint else None
            if capture:
                yield from stack.s3_read(
                    role, capture[0] + "primary/2026/12/06/04/capture.jsonl", why + " capture"
                )
                yield Need(
                    role,
                    "s3:ListBucket",
                    "arn:aws:s3:::" + _s3(capture[0])[0],
                    why + " capture (list)",
                    {"s3:prefix": _s3(capture[0])[1]},
                )
            ground_truth = job_input.get("groundTruthS3Input", {}).get("s3Uri")
            if ground_truth:  # labels under <uri>yyyy/mm/dd/hh/ (model-monitor-model-quality-merge)
                yield from stack.s3_read(
                    role, ground_truth + "2026/12/06/04/labels.jsonl", why + " ground truth"
                )
            baseline = job.inputs.get(f"{kind}BaselineConfig") or {}
            for resource in ("constraintsResource", "statisticsResource"):
                if baseline.get(resource, {}).get("s3Uri"):
                    yield from stack.s3_read(
                        role, baseline[resource]["s3Uri"], why + " baseline", listing=False
                    )
            output = job.inputs[f"{kind}JobOutputConfig"]
            for entry in as_list(output["monitoringOutputs"]):
                yield from stack.s3_write(
                    role,
                    entry["s3Output"]["s3Uri"] + "2026/12/06/05/constraint_violations.json",
                    why + " report",
                    output.get("kmsKeyId"),
                )
            cluster = job.inputs["jobResources"]["clusterConfig"]
            yield from stack.volume_key(role, cluster.get("volumeKmsKeyId"), why)
            yield from stack.job_basics(
                role, "ProcessingJobs", why, job.inputs.get("networkConfig", {}).get("vpcConfig")
            )
            spec = job.inputs[f"{kind}AppSpecification"]
            yield from stack.image(role, spec["imageUri"], why)
            if metrics and (spec.get("environment") or {}).get("publish_cloudwatch_metrics") == "Enabled":
                yield Need(
                    role,
                    "cloudwatch:PutMetricData",
                    "*",
                    why + " metrics",
                    {"cloudwatch:namespace": f"aws/sagemaker/Endpoints/{metrics}"},
                )


def _model_data(stack: Stack, package: str) -> str | None:
    """Where a model package of a platform family keeps its artifact (the family's training output)."""
    group = package.split(":model-package/")[-1].split("/")[0]
    for pipeline in stack.graph.of_type(PIPELINE):
        definition = Definition(json.loads(pipeline.inputs["pipelineDefinition"]))
        for step in definition.steps.values():
            if step["Type"] == "RegisterModel" and step["Arguments"]["ModelPackageGroupName"] == group:
                [container] = step["Arguments"]["InferenceSpecification"]["Containers"]
                return definition.render(container["ModelDataUrl"])
    return None


def _package_images(stack: Stack, package: str) -> list[str]:
    """The images a model package of a platform family serves (what its training pipeline registers)."""
    group = package.split(":model-package/")[-1].split("/")[0]
    for pipeline in stack.graph.of_type(PIPELINE):
        definition = Definition(json.loads(pipeline.inputs["pipelineDefinition"]))
        for step in definition.steps.values():
            if step["Type"] == "RegisterModel" and step["Arguments"]["ModelPackageGroupName"] == group:
                containers = step["Arguments"]["InferenceSpecification"]["Containers"]
                return [image for c in containers if (image := definition.render(c["Image"]))]
    return []


def endpoint_needs(stack: Stack) -> Iterator[Need]:
    models = {m.outputs["name"]: m for m in stack.graph.of_type("aws:sagemaker/model:Model")}
    for model in models.values():
        role = model.inputs["executionRoleArn"]
        why = f"model {model.name}"
        container = model.inputs.get("primaryContainer") or {}
        data = container.get("modelDataUrl") or (
            _model_data(stack, container["modelPackageName"]) if container.get("modelPackageName") else None
        )
        if data and _s3(data)[0] in stack.bucket_keys:
            yield from stack.s3_read(role, data, why + " artifact", listing=False)
        if container.get("image"):
            yield from stack.image(role, container["image"], why)
        elif container.get("modelPackageName"):
            for image in _package_images(stack, container["modelPackageName"]):
                yield from stack.image(role, image, why + " package")
        yield from stack.job_basics(role, "Endpoints", why, model.inputs.get("vpcConfig"))
    for endpoint in stack.graph.of_type("aws:sagemaker/endpoint:Endpoint"):
        capture = _capture_of(stack, endpoint.inputs["name"])
        if not capture:
            continue
        for config in stack.graph.of_type("aws:sagemaker/endpointConfiguration:EndpointConfiguration"):
            if config.outputs.get("name") != endpoint.inputs["endpointConfigName"]:
                continue
            # With inference components the configuration's own role serves; else each variant's model's.
            shared_role = config.inputs.get("executionRoleArn")
            if shared_role:
                yield from stack.volume_key(
                    shared_role, config.inputs.get("kmsKeyArn"), f"endpoint {endpoint.inputs['name']}"
                )
            for variant in config.inputs["productionVariants"]:
                role = shared_role or models[variant["modelName"]].inputs["executionRoleArn"]
                why = f"endpoint {endpoint.inputs['name']} capture"
                yield from stack.s3_write(
                    role, f"{capture[0]}{variant['variantName']}/2026/12/06/05/capture.jsonl", why, capture[1]
                )


def async_needs(stack: Stack) -> Iterator[Need]:
    """Asynchronous endpoints: the variants' models read each request's input, write its result or
    failure (with the output key) and publish the outcome to the success or error topic."""
    models = {m.outputs["name"]: m for m in stack.graph.of_type("aws:sagemaker/model:Model")}
    for config in stack.graph.of_type("aws:sagemaker/endpointConfiguration:EndpointConfiguration"):
        output = (config.inputs.get("asyncInferenceConfig") or {}).get("outputConfig")
        if not output:
            continue
        why = f"async endpoint {config.name}"
        for variant in config.inputs["productionVariants"]:
            role = (
                config.inputs.get("executionRoleArn")
                or models[variant["modelName"]].inputs["executionRoleArn"]
            )
            # A request's input under the endpoint's async-inference/<name>/ folder (the one it may read).
            inputs = output["s3OutputPath"].rsplit("/", 2)[0] + "/input/request-1.json"
            yield from stack.s3_read(role, inputs, why + " request", listing=False)
            for path in ("s3OutputPath", "s3FailurePath"):
                yield from stack.s3_write(
                    role, output[path] + "inference-1.out", why + " " + path, output.get("kmsKeyId")
                )
            for topic in (output.get("notificationConfig") or {}).values():
                yield Need(role, "sns:Publish", topic, why + " notification")
                key = stack.topic_keys.get(topic)
                if key:
                    context = {
                        "kms:ViaService": f"sns.{stack.region}.amazonaws.com",
                        "kms:EncryptionContext:aws:sns:topicArn": topic,
                    }
                    for action in ("kms:GenerateDataKey", "kms:Decrypt"):
                        yield Need(
                            role, action, key, why + " notification (encrypted topic)", context, key=key
                        )


def store_needs(stack: Stack) -> Iterator[Need]:
    for group in stack.graph.of_type("aws:sagemaker/featureGroup:FeatureGroup"):
        role = group.inputs["roleArn"]
        name = group.inputs["featureGroupName"]
        offline = group.inputs.get("offlineStoreConfig")
        if not offline:
            continue
        why = f"feature group {name} offline store"
        storage = offline["s3StorageConfig"]
        bucket, _ = _s3(storage["s3Uri"])
        data = f"{storage['s3Uri']}{stack.account}/sagemaker/{stack.region}/offline-store/{name}-1733461200/data/part.parquet"
        yield from stack.s3_write(role, data, why, storage.get("kmsKeyId"))
        yield Need(role, "s3:GetBucketAcl", f"arn:aws:s3:::{bucket}", why)
        if offline.get("tableFormat") == "Iceberg":
            table = stack.arn("glue", f"table/sagemaker_featurestore/{name.replace('-', '_')}_1733461200")
            for action in ("glue:GetTable", "glue:UpdateTable"):
                yield Need(role, action, table, why + " (Iceberg)")
    for server in stack.graph.of_type("aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer"):
        role = server.inputs["roleArn"]
        store = server.inputs["artifactStoreUri"]
        why = "MLflow tracking server artifact store"
        yield from stack.s3_write(role, store + "1/run/artifacts/model.pkl", why)
        yield from stack.s3_read(role, store + "1/run/artifacts/model.pkl", why)


# -- triggers, alarms and deliveries -------------------------------------------------------------------

EVENTS = "events.amazonaws.com"
CLOUDWATCH = "cloudwatch.amazonaws.com"


def _start(stack: Stack, role: str, target: str, why: str) -> Iterator[Need]:
    if ":pipeline/" in target:
        yield Need(role, "sagemaker:StartPipelineExecution", target, why)
    elif ":stateMachine:" in target:
        yield Need(role, "states:StartExecution", target, why)
    elif ":api-destination/" in target:
        yield Need(role, "events:InvokeApiDestination", target, why)
    else:
        raise AssertionError(f"{why}: a target this audit does not know: {target}")


def _deliver(stack: Stack, service: str, target: str, why: str, source: Mapping[str, str]) -> Iterator[Need]:
    """A service principal publishing to an SNS topic or sending to an SQS queue (no role)."""
    if ":sns:" in target:
        yield Need(service, "sns:Publish", target, why, source)
        key = stack.topic_keys.get(target)
        context = {**source, "kms:EncryptionContext:aws:sns:topicArn": target}
    else:
        yield Need(service, "sqs:SendMessage", target, why, source)
        key = stack.queue_keys.get(target)
        context = {**source, "kms:EncryptionContext:aws:sqs:arn": target}
    if key:
        for action in ("kms:GenerateDataKey", "kms:Decrypt"):
            yield Need(service, action, key, why + " (encrypted)", context, key=key)


def trigger_needs(stack: Stack) -> Iterator[Need]:
    rules = {
        r.outputs.get("name") or r.outputs["id"]: r.outputs["arn"]
        for r in stack.graph.of_type("aws:cloudwatch/eventRule:EventRule")
    }
    for target in stack.graph.of_type("aws:cloudwatch/eventTarget:EventTarget"):
        rule = rules[target.inputs["rule"]]
        why = f"rule target {target.name}"
        source = {"aws:SourceArn": rule}
        if target.inputs.get("roleArn"):
            yield from _start(stack, target.inputs["roleArn"], target.inputs["arn"], why)
        else:
            yield from _deliver(stack, EVENTS, target.inputs["arn"], why, source)
        dead_letter = (target.inputs.get("deadLetterConfig") or {}).get("arn")
        if dead_letter:
            yield from _deliver(stack, EVENTS, dead_letter, why + " dead letter", source)
    for schedule in stack.graph.of_type("aws:scheduler/schedule:Schedule"):
        target = schedule.inputs["target"]
        yield from _start(stack, target["roleArn"], target["arn"], f"schedule {schedule.name}")
        dead_letter = (target.get("deadLetterConfig") or {}).get("arn")
        if dead_letter:
            yield Need(
                target["roleArn"], "sqs:SendMessage", dead_letter, f"schedule {schedule.name} dead letter"
            )
    for pipe in stack.graph.of_type("aws:pipes/pipe:Pipe"):
        role, source = pipe.inputs["roleArn"], pipe.inputs["source"]
        why = f"pipe {pipe.name}"
        for action in ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"):
            yield Need(role, action, source, why + " (source)")
        key = stack.queue_keys.get(source)
        if key:
            context = {
                "kms:ViaService": f"sqs.{stack.region}.amazonaws.com",
                "kms:EncryptionContext:aws:sqs:arn": source,
            }
            yield Need(role, "kms:Decrypt", key, why + " (source encrypted)", context, key=key)
        yield from _start(stack, role, pipe.inputs["target"], why)
    for machine in stack.graph.of_type("aws:sfn/stateMachine:StateMachine"):
        role = machine.inputs["roleArn"]
        arn = stack.arn("states", f"stateMachine:{machine.inputs['name']}")
        for state_name, state in json.loads(machine.inputs["definition"])["States"].items():
            found = re.fullmatch(r"arn:aws:states:::aws-sdk:(\w+):(\w+)", state.get("Resource", ""))
            if not found:
                assert "Resource" not in state, (
                    f"{machine.name}/{state_name}: an integration this audit does not know"
                )
                continue
            service, operation = found[1], found[2][0].upper() + found[2][1:]
            parameters = state.get("Parameters", {})
            if service == "sfn":
                resource = arn
                service = "states"
            elif "PipelineName" in parameters:
                resource = stack.arn("sagemaker", f"pipeline/{parameters['PipelineName']}")
            else:
                raise AssertionError(f"{machine.name}/{state_name}: a call this audit does not know")
            yield Need(
                role,
                f"{service}:{operation}",
                resource,
                f"state machine {machine.inputs['name']}/{state_name}",
            )


def alarm_needs(stack: Stack) -> Iterator[Need]:
    for alarm in stack.graph.of_type("aws:cloudwatch/metricAlarm:MetricAlarm"):
        actions = {*alarm.inputs.get("alarmActions", []), *alarm.inputs.get("okActions", [])}
        source = {"aws:SourceArn": alarm.outputs["arn"]}
        for action in sorted(a for a in actions if ":sns:" in a):
            yield from _deliver(stack, CLOUDWATCH, action, f"alarm {alarm.name}", source)


def cost_alert_needs(stack: Stack) -> Iterator[Need]:
    """AWS Budgets and Cost Anomaly Detection publishing to the alert topic (no role)."""
    for budget in stack.graph.of_type("aws:budgets/budget:Budget"):
        topics = {
            t for n in budget.inputs.get("notifications", []) for t in n.get("subscriberSnsTopicArns", [])
        }
        for topic in sorted(topics):
            source = {"aws:SourceArn": budget.outputs["arn"]}
            yield from _deliver(stack, "budgets.amazonaws.com", topic, f"budget {budget.name}", source)
    for subscription in stack.graph.of_type("aws:costexplorer/anomalySubscription:AnomalySubscription"):
        for subscriber in subscription.inputs.get("subscribers", []):
            if subscriber["type"] == "SNS":
                source = {"aws:SourceArn": subscription.outputs["arn"]}
                yield from _deliver(
                    stack, "costalerts.amazonaws.com", subscriber["address"], "cost anomalies", source
                )


_SAGEMAKER_ROLE_INPUTS = {
    PIPELINE: ("roleArn",),
    "aws:sagemaker/model:Model": ("executionRoleArn",),
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": ("executionRoleArn",),
    "aws:sagemaker/featureGroup:FeatureGroup": ("roleArn",),
    "aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer": ("roleArn",),
    "aws-native:sagemaker:InferenceExperiment": ("roleArn",),
    **{type_token: ("roleArn",) for type_token in _MONITORS},
}


def _assumers(stack: Stack) -> Iterator[tuple[str, str, str, dict[str, str]]]:
    """(who assumes, action, role ARN, context) for every place the graph hands a role to a service."""
    sagemaker = "sagemaker.amazonaws.com"
    for type_token, keys in _SAGEMAKER_ROLE_INPUTS.items():
        for resource in stack.graph.of_type(type_token):
            for key in keys:
                if resource.inputs.get(key):
                    yield sagemaker, "sts:AssumeRole", resource.inputs[key], {}
    for pipeline in stack.graph.of_type(PIPELINE):
        for step in Definition(json.loads(pipeline.inputs["pipelineDefinition"])).steps.values():
            arguments = step.get("Arguments", {})
            role = arguments.get("RoleArn") or arguments.get("TrainingJobDefinition", {}).get("RoleArn")
            if role:
                yield sagemaker, "sts:AssumeRole", role, {}
    for target in stack.graph.of_type("aws:cloudwatch/eventTarget:EventTarget"):
        if target.inputs.get("roleArn"):
            yield EVENTS, "sts:AssumeRole", target.inputs["roleArn"], {}
    for schedule in stack.graph.of_type("aws:scheduler/schedule:Schedule"):
        yield "scheduler.amazonaws.com", "sts:AssumeRole", schedule.inputs["target"]["roleArn"], {}
    for pipe in stack.graph.of_type("aws:pipes/pipe:Pipe"):
        yield "pipes.amazonaws.com", "sts:AssumeRole", pipe.inputs["roleArn"], {}
    for machine in stack.graph.of_type("aws:sfn/stateMachine:StateMachine"):
        yield "states.amazonaws.com", "sts:AssumeRole", machine.inputs["roleArn"], {}
    for flow_log in stack.graph.of_type("aws:ec2/flowLog:FlowLog"):
        if flow_log.inputs.get("iamRoleArn"):
            yield "vpc-flow-logs.amazonaws.com", "sts:AssumeRole", flow_log.inputs["iamRoleArn"], {}
    for association in stack.graph.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation"):
        # The session tags EKS Pod Identity sets (EKS user guide, "pod-id-abac").
        tags = {
            "aws:RequestTag/eks-cluster-name": association.inputs["clusterName"],
            "aws:RequestTag/kubernetes-namespace": association.inputs["namespace"],
            "aws:RequestTag/kubernetes-service-account": association.inputs["serviceAccount"],
        }
        for action in ("sts:AssumeRole", "sts:TagSession"):
            yield "pods.eks.amazonaws.com", action, association.inputs["roleArn"], tags


def trust_needs(stack: Stack) -> Iterator[Need]:
    """Each role is assumable by what uses it (its trust policy), and by nothing the graph does not show."""
    for principal, action, role, context in _assumers(stack):
        yield Need(principal, action, role, f"{principal} assumes {role.rsplit('/', 1)[-1]}", context)
    dvc = [arn for arn, role in stack.roles.items() if role.name.startswith("dvc-remote")]
    platform = stack.graph.config[CONFIG_KEY]
    remote = platform.get("dvc_remote") or {}
    for arn in dvc:
        for pattern in remote.get("trusted_principals", []):
            person = pattern.replace("*", "eu-west-1", 1).replace("*", "a1b2c3d4")
            yield Need(person, "sts:AssumeRole", arn, "a data scientist assumes the DVC role")
        provider = f"arn:aws:iam::{stack.account}:oidc-provider/token.actions.githubusercontent.com"
        for subject in remote.get("github_subjects", []):
            claims = {
                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                "token.actions.githubusercontent.com:sub": subject,
            }
            yield Need(
                provider, "sts:AssumeRoleWithWebIdentity", arn, "the data repository's workflow", claims
            )


def identity_role_needs(stack: Stack) -> Iterator[Need]:
    """The roles people and pods assume: the DVC remote, the Kubernetes servings and Alertmanager."""
    for arn, role in stack.roles.items():
        trust = _parse(role.inputs["assumeRolePolicy"])
        services = {
            s
            for st in as_list(trust["Statement"])
            for s in as_list(st.get("Principal", {}).get("Service", []))
        }
        name = role.name
        if name.startswith("dvc-remote"):
            [datasets] = [b for b in stack.bucket_keys if b.startswith("datasets")]
            uri = f"s3://{datasets}/dvc/files/md5/ab/cdef"
            yield from stack.s3_read(arn, uri, "dvc pull")
            yield from stack.s3_write(arn, uri, "dvc push")
            yield Need(
                arn,
                "s3:ListBucket",
                f"arn:aws:s3:::{datasets}",
                "dvc status (list)",
                {"s3:prefix": "dvc/files/md5/"},
            )
        elif "pods.eks.amazonaws.com" in services and "alertmanager" in name:
            [topic] = [t for t in stack.topic_keys if "alerts" in t]
            yield Need(arn, "sns:Publish", topic, "Alertmanager pages")
            key = stack.topic_keys[topic]
            if key:
                context = {
                    "kms:ViaService": f"sns.{stack.region}.amazonaws.com",
                    "kms:EncryptionContext:aws:sns:topicArn": topic,
                }
                yield Need(
                    arn, "kms:GenerateDataKey", key, "Alertmanager pages (encrypted topic)", context, key=key
                )
        elif "pods.eks.amazonaws.com" in services and "artifact" in name:
            from tests.stacks.test_first_up_ordering_audit import ARTIFACT

            bucket, key = _s3(ARTIFACT)
            why = f"{name} reads the approved artifact"
            yield Need(arn, "s3:GetObject", f"arn:aws:s3:::{bucket}/{key}", why)
            [artifacts] = [b for b in stack.bucket_keys if b.startswith("artifacts")]
            yield from stack.kms_via_s3(arn, bucket, key, ("kms:Decrypt",), why, stack.bucket_keys[artifacts])
            # KServe's storage initializer (STORAGE_URI) lists the URI's key before downloading it:
            # Storage._download_s3 iterates bucket.objects.filter(Prefix=<key>), a ListObjects call.
            if _kserve_account(stack, role) is not None:
                yield Need(
                    arn,
                    "s3:ListBucket",
                    f"arn:aws:s3:::{bucket}",
                    why + " (KServe lists its key)",
                    {"s3:prefix": key},
                )


def shadow_test_needs(stack: Stack) -> Iterator[Need]:
    """A shadow test's role: SageMaker deploys the shadow with it (UpdateEndpoint to configurations it
    creates, both models described) and writes the test's captured traffic with it."""
    models = {m.outputs["name"]: m for m in stack.graph.of_type("aws:sagemaker/model:Model")}
    for experiment in stack.graph.of_type("aws-native:sagemaker:InferenceExperiment"):
        role = experiment.inputs["roleArn"]
        why = f"shadow test {experiment.inputs['name']}"
        endpoint = stack.arn("sagemaker", f"endpoint/{experiment.inputs['endpointName'].lower()}")
        for action in ("DescribeEndpoint", "UpdateEndpoint"):
            yield Need(role, f"sagemaker:{action}", endpoint, why)
        for action in ("CreateEndpointConfig", "DescribeEndpointConfig"):
            yield Need(
                role, f"sagemaker:{action}", stack.arn("sagemaker", "endpoint-config/shadow-config-1"), why
            )
        for variant in experiment.inputs["modelVariants"]:
            assert variant["modelName"] in models
            yield Need(
                role,
                "sagemaker:DescribeModel",
                stack.arn("sagemaker", f"model/{variant['modelName'].lower()}"),
                why,
            )
        yield from stack.volume_key(role, experiment.inputs.get("kmsKey"), why)
        storage = experiment.inputs.get("dataStorageConfig")
        if storage:
            yield from stack.s3_write(
                role,
                storage["destination"] + "shadow/2027/01/05/08/capture.jsonl",
                why + " capture",
                storage.get("kmsKey"),
            )


def exported_role_needs(stack: Stack) -> Iterator[Need]:
    """The stack's ``inference_role_arn`` export (docs/architecture.md, Outputs): the role an adopter
    serves a model of the registry with, capturing its traffic under ``data-capture/``."""
    role = stack.graph.exports.get("inference_role_arn")
    if not role:
        return
    [artifacts] = [bucket for bucket in stack.bucket_keys if bucket.startswith("artifacts")]
    why = "a model served with the exported inference role"
    yield Need("sagemaker.amazonaws.com", "sts:AssumeRole", role, why + " (SageMaker assumes it)")
    yield from stack.s3_read(
        role, f"s3://{artifacts}/models/family-training/{EXECUTION}/output/model.tar.gz", why, listing=False
    )
    yield from stack.s3_write(
        role,
        f"s3://{artifacts}/data-capture/adhoc/endpoint/AllTraffic/2026/12/06/05/capture.jsonl",
        why + " capture",
    )


def delivery_needs(stack: Stack) -> Iterator[Need]:
    """The foundation's deliveries: VPC flow logs (through a role), S3 server access logs and the
    audit trail (no role)."""
    for flow_log in stack.graph.of_type("aws:ec2/flowLog:FlowLog"):
        if flow_log.inputs.get("logDestinationType") == "cloud-watch-logs":
            group, role = flow_log.inputs["logDestination"], flow_log.inputs["iamRoleArn"]
            for action in ("logs:CreateLogStream", "logs:PutLogEvents"):
                yield Need(role, action, f"{group}:log-stream:eni-0123-all", "VPC flow logs")
            # The rest of what "IAM role for publishing flow logs to CloudWatch Logs" lists:
            # DescribeLogGroups has no resource type (authorised on "*" only).
            yield Need(role, "logs:DescribeLogGroups", "*", "VPC flow logs (describe groups)")
            for action in ("logs:DescribeLogStreams", "logs:CreateLogGroup"):
                yield Need(role, action, group, "VPC flow logs (its group)")
    for logging in stack.graph.of_type("aws:s3/bucketLogging:BucketLogging"):
        # S3 server access logs: the logging service writes with the target bucket's policy.
        source = {"aws:SourceArn": f"arn:aws:s3:::{logging.inputs['bucket']}"}
        key = f"{logging.inputs['targetBucket']}/{logging.inputs['targetPrefix']}2026-12-06-05-00-00-0123456789ABCDEF"
        yield Need(
            "logging.s3.amazonaws.com", "s3:PutObject", f"arn:aws:s3:::{key}", "S3 server access logs", source
        )
    for trail in stack.graph.of_type("aws:cloudtrail/trail:Trail"):
        source = {"aws:SourceArn": trail.outputs["arn"]}
        bucket = trail.inputs["s3BucketName"]
        why = "CloudTrail delivers the audit log"
        yield Need("cloudtrail.amazonaws.com", "s3:GetBucketAcl", f"arn:aws:s3:::{bucket}", why, source)
        log = (
            f"arn:aws:s3:::{bucket}/AWSLogs/{stack.account}/CloudTrail/{stack.region}/2026/12/06/log.json.gz"
        )
        yield Need(
            "cloudtrail.amazonaws.com",
            "s3:PutObject",
            log,
            why,
            {**source, "s3:x-amz-acl": "bucket-owner-full-control"},
        )
        key = trail.inputs.get("kmsKeyId")
        if key:
            context = {**source, "kms:EncryptionContext:aws:cloudtrail:arn": trail.outputs["arn"]}
            yield Need(
                "cloudtrail.amazonaws.com", "kms:GenerateDataKey", key, why + " (encrypted)", context, key=key
            )


def _kserve_account(stack: Stack, role: RecordedResource) -> str | None:
    """The service account of the KServe InferenceService a Pod Identity role serves, if any."""
    condition = _parse(role.inputs["assumeRolePolicy"])["Statement"][0]["Condition"]["StringEquals"]
    account = condition["aws:RequestTag/kubernetes-service-account"]
    namespace = condition["aws:RequestTag/kubernetes-namespace"]
    for service in stack.graph.of_type("kubernetes:serving.kserve.io/v1beta1:InferenceService"):
        metadata = service.inputs.get("metadata", {})
        predictor = service.inputs["spec"]["predictor"]
        if metadata.get("namespace") == namespace and predictor.get("serviceAccountName") == account:
            return account
    return None


def all_needs(stack: Stack) -> list[Need]:
    found: list[Need] = []
    for source in (
        pipeline_needs,
        monitor_needs,
        endpoint_needs,
        async_needs,
        store_needs,
        trigger_needs,
        alarm_needs,
        cost_alert_needs,
        trust_needs,
        identity_role_needs,
        shadow_test_needs,
        exported_role_needs,
        delivery_needs,
    ):
        found += source(stack)
    unique: dict[tuple[Any, ...], Need] = {}
    for need in found:
        unique.setdefault(
            (need.principal, need.action, need.resource, tuple(sorted(need.context.items()))), need
        )
    return list(unique.values())


# -- the recorded stacks --------------------------------------------------------------------------------


def _variant(folder: Path, edit: Callable[[dict[str, Any]], None]) -> ResourceGraph:
    document = load_stack_document("prod")
    edit(document["config"][CONFIG_KEY])
    path = folder / "Pulumi.prod.yaml"
    path.write_text(dump_document(document))
    return recorded_stack(path)


def _shadow_test(platform: dict[str, Any]) -> None:
    from tests.stacks.test_champion_challenger import SHADOW_TEST, champion_challenger

    champion_challenger(platform)
    platform["endpoints"][0]["shadow_test"] = SHADOW_TEST


def _asynchronous(platform: dict[str, Any]) -> None:
    platform["endpoints"][0]["async_inference"] = {"max_concurrent_invocations_per_instance": 4}
    # Async scales on its queue: it publishes no InvocationsPerInstance (an explicit target is refused).
    for variant in platform["endpoints"][0]["variants"]:
        if variant.get("scaling"):
            variant["scaling"] = {
                **variant["scaling"],
                "invocations_per_instance": None,
                "backlog_per_instance": 5,
            }


def _shared(platform: dict[str, Any]) -> None:
    from tests.stacks.test_first_up_ordering_audit import _shared_endpoint

    _shared_endpoint(platform)


def _kubernetes(folder: Path) -> ResourceGraph:
    # The ordering audit's own entry: computed_once keys by the module that defines the computation,
    # so a lambda here would record the same document a second time.
    from tests.stacks.test_first_up_ordering_audit import _graph

    return _graph("kubernetes", folder)


VARIANTS: dict[str, Callable[[Path], ResourceGraph]] = {
    "prod": lambda folder: recorded_stack(stack_path("prod")),
    "staging": lambda folder: recorded_stack(stack_path("staging")),
    "dev": lambda folder: recorded_stack(stack_path("dev")),
    "live-drift": lambda folder: _variant(folder, live_drift_instead_of_model_monitor),
    "shared-endpoint": lambda folder: _variant(folder, _shared),
    "shadow-test": lambda folder: _variant(folder, _shadow_test),
    "async-endpoint": lambda folder: _variant(folder, _asynchronous),
    "kubernetes": _kubernetes,
}
"""The fixture stacks and the variants that add roles: batch scoring, Model Monitor (data and model
quality), the retraining triggers, the DVC remote and the approval dispatch are in prod; tuning in
staging; an async endpoint in dev; Evidently live drift, a shared endpoint (inference components), a
shadow test, an async endpoint and the Kubernetes servings (Pod Identity roles, Alertmanager) are
each one edit of prod."""


@pytest.fixture(scope="module")
def stacks(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Stack]:
    """``stacks(name)``: the variant recorded (through the shared cache) and read once per module."""
    found: dict[str, Stack] = {}

    def get(name: str) -> Stack:
        if name not in found:
            found[name] = Stack(VARIANTS[name](tmp_path_factory.mktemp(name)))
        return found[name]

    return get


def _needs(stack: Stack) -> list[Need]:
    return all_needs(stack)


# -- the property ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", list(VARIANTS))
class TestRuntimePermissions:
    def test_every_runtime_need_is_allowed_and_not_denied_by_the_resource(self, stacks, variant) -> None:
        stack = stacks(variant)
        denied = [f"{need} -> {why}" for need in _needs(stack) if (why := stack.denial(need))]
        assert denied == []

    def test_every_role_of_the_stack_has_runtime_needs_in_the_table(self, stacks, variant) -> None:
        """No role escapes the audit: each is the principal of at least one need."""
        stack = stacks(variant)
        principals = {need.principal for need in _needs(stack)}
        assert sorted(arn for arn in stack.roles if arn not in principals) == []

    def test_the_table_reads_the_roles_policies(self, stacks, variant) -> None:
        """Not vacuous: without its policies, every need of a role is refused (without the trust
        policies, every assumption of one); without the key
        policies, every KMS need is refused; without the topic and queue policies, every delivery
        by EventBridge or CloudWatch is refused; without the VPC endpoint policies, every role's
        call to a service with an endpoint is refused."""
        stack = stacks(variant)
        needs = _needs(stack)
        saved = stack.identity
        stack.identity = {arn: [] for arn in saved}
        try:
            allowed = [
                str(n)
                for n in needs
                if n.principal.startswith("arn:")
                and not n.action.startswith("sts:")
                and stack.denial(n) is None
            ]
        finally:
            stack.identity = saved
        assert allowed == []
        saved_trust = stack.trust
        stack.trust = {arn: {"Statement": []} for arn in saved_trust}
        try:
            allowed = [str(n) for n in needs if n.action.startswith("sts:") and stack.denial(n) is None]
        finally:
            stack.trust = saved_trust
        assert allowed == []
        saved_keys = stack.key_policies
        stack.key_policies = {arn: {"Statement": []} for arn in saved_keys}
        try:
            allowed = [str(n) for n in needs if n.key in saved_keys and stack.denial(n) is None]
        finally:
            stack.key_policies = saved_keys
        assert allowed == []
        saved_topics, saved_queues = stack.topic_policies, stack.queue_policies
        stack.topic_policies = {arn: {"Statement": []} for arn in saved_topics}
        stack.queue_policies = {arn: {"Statement": []} for arn in saved_queues}
        try:
            allowed = [
                str(n)
                for n in needs
                if n.action in ("sns:Publish", "sqs:SendMessage")
                and not n.principal.startswith("arn:")
                and stack.denial(n) is None
            ]
        finally:
            stack.topic_policies, stack.queue_policies = saved_topics, saved_queues
        assert allowed == []
        saved_endpoints = stack.endpoint_policies
        stack.endpoint_policies = {service: {"Statement": []} for service in saved_endpoints}
        try:
            allowed = [
                str(n)
                for n in needs
                if n.principal.startswith("arn:")
                and n.action.split(":")[0] in saved_endpoints
                and not n.action.startswith("sts:")
                and stack.denial(n) is None
            ]
        finally:
            stack.endpoint_policies = saved_endpoints
        assert allowed == []


# -- the evaluator itself -------------------------------------------------------------------------------

_ROLE = "arn:aws:iam::111111111111:role/mlops-platform/dev/jobs"


@pytest.mark.parametrize(
    ("statements", "action", "resource", "context", "verdict"),
    [
        pytest.param(
            [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::b/models/*"}],
            "s3:GetObject",
            "arn:aws:s3:::b/models/x",
            {},
            "allow",
            id="action-and-resource-wildcards",
        ),
        pytest.param(
            [{"Effect": "Allow", "Action": "S3:getobject", "Resource": "arn:aws:s3:::b/*"}],
            "s3:GetObject",
            "arn:aws:s3:::b/x",
            {},
            "allow",
            id="actions-ignore-case",
        ),
        pytest.param(
            [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/Models/*"}],
            "s3:GetObject",
            "arn:aws:s3:::b/models/x",
            {},
            "implicit",
            id="resources-keep-case",
        ),
        pytest.param(
            [
                {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                {"Effect": "Deny", "NotAction": "s3:GetObject", "Resource": "*"},
            ],
            "s3:PutObject",
            "arn:aws:s3:::b/x",
            {},
            "deny",
            id="a-deny-by-not-action-wins",
        ),
        pytest.param(
            [{"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::b/secret/*"}],
            "s3:GetObject",
            "arn:aws:s3:::b/secret/x",
            {},
            "implicit",
            id="not-resource",
        ),
        pytest.param(
            [
                {
                    "Effect": "Allow",
                    "Action": "s3:ListBucket",
                    "Resource": "*",
                    "Condition": {"StringLike": {"s3:prefix": ["dvc/*"]}},
                }
            ],
            "s3:ListBucket",
            "arn:aws:s3:::b",
            {},
            "implicit",
            id="a-missing-key-fails-a-positive-operator",
        ),
        pytest.param(
            [
                {
                    "Effect": "Deny",
                    "Action": "s3:*",
                    "Resource": "*",
                    "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}},
                }
            ],
            "s3:PutObject",
            "arn:aws:s3:::b/x",
            {},
            "deny",
            id="a-missing-key-passes-a-negated-operator",
        ),
        pytest.param(
            [
                {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                {
                    "Effect": "Deny",
                    "Action": "s3:*",
                    "Resource": "*",
                    "Condition": {"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms"}},
                },
            ],
            "s3:PutObject",
            "arn:aws:s3:::b/x",
            {"s3:x-amz-server-side-encryption": "aws:kms"},
            "allow",
            id="if-exists",
        ),
        pytest.param(
            [
                {
                    "Effect": "Deny",
                    "Action": "s3:*",
                    "Resource": "*",
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
            "s3:GetObject",
            "arn:aws:s3:::b/x",
            {"aws:SecureTransport": "true"},
            "implicit",
            id="tls-deny-spares-tls",
        ),
    ],
)
def test_the_evaluator_follows_iam(statements, action, resource, context, verdict) -> None:
    assert decide([{"Statement": statements}], action, resource, context) == verdict


def test_a_resource_policy_applies_only_to_the_principals_it_names() -> None:
    topic = "arn:aws:sns:eu-west-1:111111111111:alerts"
    policy = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": topic,
            }
        ]
    }
    assert decide([policy], "sns:Publish", topic, {}, principal="events.amazonaws.com") == "allow"
    assert decide([policy], "sns:Publish", topic, {}, principal="cloudwatch.amazonaws.com") == "implicit"
    key_policy = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
                "Action": "kms:Decrypt",
                "Resource": "*",
            }
        ]
    }
    assert decide([key_policy], "kms:Decrypt", "k", {}, principal=_ROLE) == "allow"
    assert (
        decide([key_policy], "kms:Decrypt", "k", {}, principal=_ROLE.replace("111111111111", "222222222222"))
        == "implicit"
    )
