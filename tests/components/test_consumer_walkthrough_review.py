"""A second reading of the consumer walkthrough's fixes (ae0eb4f..ea0dbba): what slipped through.

The tests of each fix fail on the code before it (``test_the_artifact_read_of_a_plain_url_is_that_arn``
guards the fix: a plain URL is written as before, with no escape):

- The models' role of an ``InferenceEndpoint`` or ``SharedEndpoint`` reads each ``model_data_url``
  the spec names, written into the policy as ``arn:aws:s3:::<url without s3://>``. A key (or a
  bucket) holding ``*`` or ``?``, which the spec takes and S3 allows in a key, became an IAM
  wildcard: ``s3://team/models/v*/model.tar.gz`` let the role read every version's artifact and
  ``s3://*/model.tar.gz`` every bucket's. The ARN now carries IAM's escapes (``${*}``, ``${?}``,
  ``${$}``), so it names that one object; and the read is held to buckets of the endpoint's
  account (``s3:ResourceAccount``), as the field's description says: a mistyped or deleted bucket
  name may be another account's, and another account's artifacts come through
  ``shared_model_objects``.
- ``AuditTrailArgs`` took an ``alias_prefix`` KMS refuses: the trail's key refused it only after
  the AuditTrail had registered (its args build the key's args in the component's body).
- ``DvcRemoteArgs`` took any role path IAM takes for a role, but the remote's access policy is a
  managed policy under the same path, and CreatePolicy's ``policyPathType`` takes only letters,
  digits and ``.,+@=_-`` per segment: ``/team~x/`` failed at ``pulumi up``, after the role.
- ``EncryptionKey`` wrote ``user_role_path`` into ``ArnLike aws:PrincipalArn role<path>*``: a path
  with ``*`` or ``?`` (IAM takes both) let the roles of other paths use the key (``/team*/``
  admitted ``/team-payroll/``). It is escaped as the model artifacts are.
- The args that name a spec passed as a dict stopped at the components the walkthrough used:
  ``ModelQualityMonitoringArgs`` (the sibling of ``ModelMonitoringArgs``, same ``baselines`` and
  ``placement``) failed with an ``AttributeError``, or took a string as ``baselines`` until the
  component ran; ``ShadowTestArgs`` likewise. Both now name the field and how to build it.
- ``ModelArtifactAccess`` (a Kubernetes server's role; not in the walkthrough's diff, the same
  flaw) wrote the registered URL into its GetObject resource, ListBucket resource and ``s3:prefix``
  unescaped; so did the stacks' ``shared_model_objects`` of a version of another account's
  registry (``stacks/composition/serving.py``, ``batch_scoring.py``), whose ``ModelDataUrl`` that
  account sets; and ``MonitoringBaselines.read_statements`` (``shared_s3_list``) of another
  account's baselines bucket and folder.

Guards (they pass on the code before too): every region botocore lists passes ``region_problem``;
the component package's ``serviceGrants`` builds each grant exactly as the Python builder of the
same name (a swapped mapping would fail); every service grant of examples/consumer's keys is pinned
to the example's account.

Checked and found right (the walkthrough's own tests hold them): the IAM path check is IAM's
``pathType`` (``/`` or ``/<printable ASCII>/``, 1-512), the alias check KMS's
``AliasNameType`` with ``alias/aws/`` reserved, the role description IAM's ``roleDescriptionType``;
every region of the commercial partition in botocore's endpoints passes ``region_problem`` and
every other partition's (cn-, us-gov-, us-iso*, eu-isoe-, eusc-de-) is refused naming it (the
components write ``arn:aws:`` ARNs); the shipped stacks' plans are unchanged but for the
pipelines' ``platform_commit``.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pytest

from components.data.dvc_remote import DvcRemoteArgs
from components.foundation import AuditTrailArgs, EncryptionKey, EncryptionKeyArgs
from components.limits import iam_path_problem, iam_policy_path_problem
from components.observability import MonitoringBaselines
from components.serving import EndpointSpec, InferenceEndpoint
from components.serving.shared_endpoint import SharedEndpoint, SharedEndpointArgs
from components.serving.shared_endpoint_spec import SharedEndpointSpec
from planner.recorder import ResourceGraph, record_program
from tests.component_provider import component_provider
from tests.components.serving_args import SERVING_CONTEXT, endpoint_args
from tests.graph_helpers import as_list, policy_of, statements
from tests.recorded import computed_once

ACCOUNT = SERVING_CONTEXT["account_id"]
IMAGE = f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/detector@sha256:" + "a" * 64
READ = ["s3:GetObject", "s3:GetObjectVersion"]


def _iam_resource(pattern: str) -> re.Pattern[str]:
    """How IAM matches a Resource of a 2012-10-17 policy: ``*`` any text, ``?`` one character,
    ``${*}``/``${?}``/``${$}`` the characters themselves, and any other ``${...}`` a policy
    variable, the request's value (a user name: never the text ``${...}`` itself)."""
    parts = re.split(r"(\$\{[^}]*\}|\*|\?)", pattern)
    regex = "".join(
        ".*"
        if part == "*"
        else "."
        if part == "?"
        else re.escape(part[2])
        if part in ("${*}", "${?}", "${$}")
        else "[^$]*"
        if part.startswith("${")
        else re.escape(part)
        for part in parts
    )
    return re.compile(regex, re.DOTALL)


def _object_reads(graph: ResourceGraph) -> list[dict[str, Any]]:
    [policy] = graph.of_type("aws:iam/rolePolicy:RolePolicy")
    return [s for s in statements(policy_of(policy)) if s["Action"] == READ]


def _may_read(graph: ResourceGraph, arn: str) -> list[dict[str, Any]]:
    """The read statements whose Resource reaches ``arn`` (their conditions aside)."""
    return [
        s
        for s in _object_reads(graph)
        if any(_iam_resource(r).fullmatch(arn) for r in as_list(s["Resource"]))
    ]


def _endpoint(url: str) -> ResourceGraph:
    spec = EndpointSpec.model_validate(
        {
            "name": "detector",
            "variants": [
                {
                    "name": "own",
                    "model": {"image": IMAGE, "model_data_url": url},
                    "instance_type": "ml.m5.large",
                }
            ],
        }
    )
    # Once per version of the code and of this file: the URL is the key.
    return computed_once(
        "endpoint", lambda: record_program(lambda: InferenceEndpoint("ep", endpoint_args(spec))), key=[url]
    )


def _shared_endpoint(url: str) -> ResourceGraph:
    spec = SharedEndpointSpec.model_validate(
        {
            "name": "shared",
            "instance_type": "ml.m5.xlarge",
            "components": [
                {
                    "name": "own",
                    "model": {"image": IMAGE, "model_data_url": url},
                    "compute": {"cpu_cores": 1, "memory_mb": 1024},
                }
            ],
        }
    )
    args = SharedEndpointArgs(spec=spec, endpoint_name="team-shared", **SERVING_CONTEXT)
    # Once per version of the code and of this file: the URL is the key.
    return computed_once(
        "shared-endpoint", lambda: record_program(lambda: SharedEndpoint("shared", args)), key=[url]
    )


BUILDERS = {"InferenceEndpoint": _endpoint, "SharedEndpoint": _shared_endpoint}

# (model_data_url, the object it names, an object it must not reach)
LITERALS = [
    ("s3://team/models/v*/model.tar.gz", "team/models/v*/model.tar.gz", "team/models/v2/model.tar.gz"),
    ("s3://team/models/v?/model.tar.gz", "team/models/v?/model.tar.gz", "team/models/v2/model.tar.gz"),
    ("s3://*/model.tar.gz", "*/model.tar.gz", "payroll/model.tar.gz"),
    ("s3://team/${aws:username}/m.tar.gz", "team/${aws:username}/m.tar.gz", "team/alice/m.tar.gz"),
]


@pytest.mark.parametrize(("url", "named", "other"), LITERALS)
@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_a_model_data_url_grants_its_one_object_however_its_key_is_spelt(
    kind: str, url: str, named: str, other: str
) -> None:
    graph = BUILDERS[kind](url)
    assert _may_read(graph, f"arn:aws:s3:::{named}"), "the models' role cannot read its artifact"
    assert not _may_read(graph, f"arn:aws:s3:::{other}"), f"{url} grants {other} too"


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_the_artifact_read_stays_in_the_endpoints_account(kind: str) -> None:
    graph = BUILDERS[kind]("s3://vision-team/detector/v3/model.tar.gz")
    [read] = _may_read(graph, "arn:aws:s3:::vision-team/detector/v3/model.tar.gz")
    assert read["Condition"] == {"StringEquals": {"s3:ResourceAccount": ACCOUNT}}
    assert as_list(read["Resource"]) == ["arn:aws:s3:::vision-team/detector/v3/model.tar.gz"]


def test_the_artifact_read_of_a_plain_url_is_that_arn() -> None:
    graph = _endpoint("s3://vision-team/detector/v3/model.tar.gz")
    resources = [r for s in _object_reads(graph) for r in as_list(s["Resource"])]
    assert "arn:aws:s3:::vision-team/detector/v3/model.tar.gz" in resources
    assert json.dumps(resources).count("${") == 0


def test_an_audit_trail_refuses_an_alias_kms_refuses_in_its_args() -> None:
    fields: dict[str, Any] = {
        "trail_name": "team-trail",
        "region": "eu-west-1",
        "account_id": ACCOUNT,
        "user_role_path": "/team/",
        "access_log_bucket": "logs",
        "tags": {"owner": "team"},
    }
    with pytest.raises(ValueError, match=r"^AuditTrailArgs\.alias_prefix: the alias 'alias/aws/team-audit'"):
        AuditTrailArgs(**fields, alias_prefix="aws/team")
    with pytest.raises(ValueError, match=r"^AuditTrailArgs\.alias_prefix: the alias 'alias/my team-audit'"):
        AuditTrailArgs(**fields, alias_prefix="my team")
    assert AuditTrailArgs(**fields, alias_prefix="team")


DVC_ARGS: dict[str, Any] = {
    "account_id": ACCOUNT,
    "region": "eu-west-1",
    "bucket_name": "b",
    "bucket_arn": "arn:aws:s3:::b",
    "kms_key_arn": "arn:aws:kms:eu-west-1:123456789012:key/k",
    "prefix": "dvc",
    "trusted_principals": [],
    "github_subjects": ["repo:team/data:ref:refs/heads/main"],
    "tags": {"owner": "team"},
}


@pytest.mark.parametrize("path", ["/team~x/", "/team!/", "/a/(b)/", "/team/*/"])
def test_a_dvc_remote_refuses_a_path_its_managed_policy_cannot_take(path: str) -> None:
    # A role takes these (pathType: printable ASCII); CreatePolicy's policyPathType does not.
    assert iam_path_problem(path) is None
    with pytest.raises(
        ValueError, match=r"^DvcRemoteArgs\.role_path: .* is not an IAM path a managed policy"
    ):
        DvcRemoteArgs(role_path=path, **DVC_ARGS)


@pytest.mark.parametrize("path", ["/", "/team/", "/team.x/dev/", "/a,b+c@d=e_f-g/", "/" + "a" * 510 + "/"])
def test_a_dvc_remote_takes_every_path_iam_takes_for_a_policy(path: str) -> None:
    assert iam_policy_path_problem(path) is None
    assert DvcRemoteArgs(role_path=path, **DVC_ARGS)


def test_a_policy_path_is_at_most_512_characters() -> None:
    assert iam_policy_path_problem("/" + "a" * 510 + "/") is None
    assert iam_policy_path_problem("/" + "a" * 511 + "/") is not None


def _key_trusts(user_role_path: str, role_arn: str) -> bool:
    """Whether the key's use statement (``ArnLike aws:PrincipalArn``) admits ``role_arn``."""
    args = EncryptionKeyArgs(
        purpose="data", account_id=ACCOUNT, user_role_path=user_role_path, tags={"o": "t"}
    )
    # Once per version of the code and of this file: the path is the key.
    graph = computed_once(
        "key", lambda: record_program(lambda: EncryptionKey("data", args)), key=[user_role_path]
    )
    [key] = graph.of_type("aws:kms/key:Key")
    [use] = [s for s in statements(policy_of(key)) if s.get("Sid") == "PlatformRolesUseKey"]
    return any(
        _iam_resource(p).fullmatch(role_arn) for p in as_list(use["Condition"]["ArnLike"]["aws:PrincipalArn"])
    )


@pytest.mark.parametrize(
    ("path", "under", "elsewhere"),
    [
        ("/team*/", "/team*/jobs", "/team-payroll/jobs"),
        ("/t?am/", "/t?am/jobs", "/tram/jobs"),
        ("/team/", "/team/dev/jobs", "/teams/jobs"),
        ("/", "/jobs", None),
    ],
)
def test_a_key_trusts_the_roles_under_its_path_and_no_other(
    path: str, under: str, elsewhere: str | None
) -> None:
    # IAM takes '*' and '?' in a role's path (pathType: printable ASCII); the key policy must
    # not read them as wildcards.
    assert iam_path_problem(path) is None
    assert _key_trusts(path, f"arn:aws:iam::{ACCOUNT}:role{under}")
    if elsewhere is not None:
        assert not _key_trusts(path, f"arn:aws:iam::{ACCOUNT}:role{elsewhere}")


# -- guards: what the walkthrough's fixes do right, held so that a later change cannot undo it -----


def test_every_commercial_region_botocore_knows_is_taken_and_every_other_partitions_refused() -> None:
    """The components write ``arn:aws:`` ARNs and principals (as the stacks, whose regions are the
    commercial partition's): a China or GovCloud region passed the check and built policies that
    match nothing there. Read from botocore's partitions, so a region AWS adds is checked too."""
    import botocore.loaders

    from components.limits import region_problem

    endpoints = botocore.loaders.Loader().load_data("endpoints")
    by_partition = {
        partition["partition"]: {region for region in partition["regions"] if not region.endswith("-global")}
        for partition in endpoints["partitions"]
    }
    assert {"aws", "aws-cn", "aws-us-gov", "aws-iso-b", "aws-iso-e"} <= set(by_partition)
    assert [region for region in sorted(by_partition.pop("aws")) if region_problem(region)] == []
    for partition, regions in by_partition.items():
        for region in regions:
            assert f"is in the {partition} partition" in (region_problem(region) or ""), region


def _service_statements(key: Any) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in statements(policy_of(key)) if "Service" in s.get("Principal", {})}


@pytest.mark.parametrize(
    ("name", "builder"),
    [
        ("cloudwatch-alarms", "cloudwatch_alarms_grant"),
        ("cloudwatch-logs", "cloudwatch_logs_grant"),
        ("eventbridge", "eventbridge_grants"),
    ],
)
def test_the_component_package_builds_each_service_grant_as_the_python_builder_does(
    name: str, builder: str
) -> None:
    from components import foundation
    from components.component_package import COMPONENTS

    provider = component_provider()
    definition = provider._component_defs["EncryptionKey"]
    component = next(c for c in COMPONENTS if c.__name__ == "EncryptionKey")
    wire = {
        "purpose": "alerts",
        "accountId": ACCOUNT,
        "userRolePath": "/team-x/",
        "region": "eu-north-1",
        "serviceGrants": [name],
        "tags": {"owner": "team"},
    }
    graph = record_program(lambda: component("alerts", provider.map_inputs(wire, definition), None))  # type: ignore[call-arg]
    [wired] = graph.of_type("aws:kms/key:Key")
    built = getattr(foundation, builder)("eu-north-1", ACCOUNT)
    args = EncryptionKeyArgs(
        purpose="alerts",
        account_id=ACCOUNT,
        user_role_path="/team-x/",
        tags={"owner": "team"},
        service_grants=built if isinstance(built, list) else [built],
    )
    python = record_program(lambda: EncryptionKey("alerts", args))
    [expected] = python.of_type("aws:kms/key:Key")
    assert _service_statements(wired) == _service_statements(expected) != {}


def test_the_example_alert_key_grants_each_service_for_this_accounts_resources_only() -> None:
    program = (Path(__file__).resolve().parents[2] / "examples" / "consumer" / "__main__.py").read_text(
        encoding="utf-8"
    )
    account = re.search(r'ACCOUNT, REGION = "(\d{12})"', program)
    assert account is not None
    graph = record_program(
        lambda: exec(
            compile(program.replace("mlops_platform.components", "components"), "<example>", "exec"), {}
        )
    )
    grants = [s for key in graph.of_type("aws:kms/key:Key") for s in _service_statements(key).values()]
    assert grants
    for grant in grants:
        values = [v for operator in grant["Condition"].values() for v in operator.values()]
        # Every scoping value names the example's account (no wildcard account, no other one).
        assert values and all(f":{account[1]}:" in v or v == account[1] for v in values), grant


def test_a_model_quality_monitor_and_a_shadow_test_name_a_spec_passed_as_a_dict() -> None:
    from components.observability import ModelQualitySpec
    from components.serving.shadow_test import ShadowTestArgs
    from tests.components.test_model_quality_monitoring import _args

    args = _args(ModelQualitySpec(model_quality=True), MonitoringBaselines.in_folder("baselines/churn/7/"))
    for field, value, kind in [
        ("spec", {"model_quality": True}, "ModelQualitySpec"),
        ("baselines", "baselines/churn/7/", "MonitoringBaselines"),
        ("placement", {"account_id": ACCOUNT}, "JobPlacement"),
    ]:
        with pytest.raises(
            ValueError, match=rf"^ModelQualityMonitoringArgs\.{field}: a \w+ is not an instance of {kind}"
        ):
            dataclasses.replace(args, **{field: value})
    with pytest.raises(ValueError, match=r"^ShadowTestArgs\.spec: a dict is not an instance of EndpointSpec"):
        ShadowTestArgs(
            spec={"name": "e"},  # type: ignore[arg-type]
            endpoint_name="e",
            physical_endpoint_name="e",
            model_names={},
            account_id=ACCOUNT,
            region="eu-west-1",
            kms_key_arn="k",
            artifact_bucket_name="b",
            artifact_bucket_arn="arn:aws:s3:::b",
            capture_prefix="data-capture/e/",
            role_path="/team/",
            tags={},
        )


@pytest.mark.parametrize(("url", "named", "other"), LITERALS)
def test_a_model_servers_artifact_role_reads_its_one_object_however_its_key_is_spelt(
    url: str, named: str, other: str
) -> None:
    from components.kubernetes.model_artifact_access import ModelArtifactAccess, ModelArtifactAccessArgs

    args = ModelArtifactAccessArgs(
        account_id=ACCOUNT,
        region="eu-west-1",
        cluster_name="ml",
        namespace="ml-serving",
        service_account="churn",
        model_data_url=url,
        kms_key_arn="arn:aws:kms:eu-west-1:123456789012:key/1234",
        role_path="/dev/",
        tags={"owner": "ml"},
    )
    graph = record_program(lambda: ModelArtifactAccess("artifact", args))
    [policy] = graph.of_type("aws:iam/rolePolicy:RolePolicy")
    [read] = [s for s in statements(policy_of(policy)) if s["Action"] == "s3:GetObject"]
    [listing] = [s for s in statements(policy_of(policy)) if s["Action"] == "s3:ListBucket"]
    assert _iam_resource(read["Resource"]).fullmatch(f"arn:aws:s3:::{named}")
    assert not _iam_resource(read["Resource"]).fullmatch(f"arn:aws:s3:::{other}")
    bucket, key = named.split("/", 1)
    other_bucket = other.split("/", 1)[0]
    assert _iam_resource(listing["Resource"]).fullmatch(f"arn:aws:s3:::{bucket}")
    assert (bucket == other_bucket) or not _iam_resource(listing["Resource"]).fullmatch(
        f"arn:aws:s3:::{other_bucket}"
    )
    # StringEquals compares literally once IAM has substituted variables: the key, as given.
    prefix = listing["Condition"]["StringEquals"]["s3:prefix"]
    assert re.sub(r"\$\{([*?$])\}", r"\1", prefix) == key
    assert re.search(r"\$\{(?![*?$]\})", prefix) is None, "a policy variable in the prefix"


@pytest.mark.parametrize(("url", "named", "other"), LITERALS)
def test_another_accounts_version_shares_its_one_artifact_however_its_key_is_spelt(
    url: str, named: str, other: str
) -> None:
    # The other account's registry sets ModelDataUrl: the endpoint's and batch scoring's roles of
    # this account read exactly that object, not every object a wildcard in it would match.
    from stacks.composition.batch_scoring import _shared
    from stacks.composition.serving import shared_model_objects
    from stacks.model_packages import ResolvedModelPackage

    package = ResolvedModelPackage(
        arn="arn:aws:sagemaker:eu-west-1:999999999999:model-package/churn/3",
        baselines=None,
        model_data_urls=(url,),
    )
    spec = EndpointSpec.model_validate(
        {
            "name": "churn",
            "variants": [
                {"name": "v", "model": {"latest_approved_of": "churn"}, "instance_type": "ml.m5.large"}
            ],
        }
    )
    for [shared] in (
        shared_model_objects(spec, {"churn": {"v": package}}, ACCOUNT),
        _shared(package, ACCOUNT),
    ):
        assert shared.owner_account == "999999999999"
        assert any(_iam_resource(arn).fullmatch(f"arn:aws:s3:::{named}") for arn in shared.object_arns)
        assert not any(_iam_resource(arn).fullmatch(f"arn:aws:s3:::{other}") for arn in shared.object_arns)


def test_another_accounts_baselines_are_read_in_their_one_folder_of_their_one_bucket() -> None:
    # The other account's registry sets DriftCheckBaselines: a '*' in its bucket or folder must
    # not widen what this account's monitoring jobs may list and read.
    from components.observability import JobPlacement

    baselines = MonitoringBaselines(
        folder="baselines/churn/run*/",
        data_statistics="baselines/churn/run*/statistics.json",
        data_constraints="baselines/churn/run*/constraints.json",
        registered_bucket="shared-*",
        registered_account="999999999999",
    )
    placement = JobPlacement(
        account_id=ACCOUNT,
        region="eu-west-1",
        artifact_bucket_name="artifacts",
        artifact_bucket_arn="arn:aws:s3:::artifacts",
        kms_key_arn="arn:aws:kms:eu-west-1:123456789012:key/k",
        subnet_ids=["subnet-1"],
        security_group_ids=["sg-1"],
        role_path="/team/",
        tags={},
    )
    [listing, read, _decrypt] = baselines.read_statements(placement)
    reads = as_list(read["Resource"])
    assert any(
        _iam_resource(r).fullmatch("arn:aws:s3:::shared-*/baselines/churn/run*/statistics.json")
        for r in reads
    )
    for elsewhere in ("shared-payroll/baselines/churn/run*/x", "shared-*/baselines/churn/run7/x"):
        assert not any(_iam_resource(r).fullmatch(f"arn:aws:s3:::{elsewhere}") for r in reads), elsewhere
    assert _iam_resource(listing["Resource"]).fullmatch("arn:aws:s3:::shared-*")
    assert not _iam_resource(listing["Resource"]).fullmatch("arn:aws:s3:::shared-payroll")
    [prefix] = listing["Condition"]["StringLike"]["s3:prefix"]
    assert _iam_resource(prefix).fullmatch("baselines/churn/run*/statistics.json")
    assert not _iam_resource(prefix).fullmatch("baselines/churn/run7/statistics.json")
