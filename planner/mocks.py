"""Realistic mocked cloud state for the offline plan.

Each mocked resource echoes its inputs (camelCase, as the engine and the policy pack see them) and
adds the computed outputs a real create would return: ids in AWS's formats (``vpc-…``,
``subnet-…``, a topic's ARN, a queue's URL), ARNs in each service's own format
(:mod:`planner.arns`), physical names as the provider picks them (the ``name`` the program set, or
the logical name plus a 7-character suffix where the provider auto-names), in the region a
pulumi-aws resource (or invoke) sets for itself (its own ``region``), else in its AWS provider's:
an explicit provider's ``region`` input (the stack's where it has none known: a guess
``record_program`` warns of), a default provider's stack config (``aws-native:region`` for
pulumi-aws-native's where set, else the stack's region). Values are derived from a hash of the
logical name, so a plan is deterministic run to run. The SageMaker, CloudWatch,
EventBridge, SNS, SQS, Pipes and Application Auto Scaling inputs they end up in are checked against
botocore's service models (``tests/planner/test_api_models.py``).

What a handler does not return (an output AWS computes at create, an input the program left
unset) is unknown in the recording, as at a preview (:mod:`planner.recorder`): a program that reads
it computes unknowns, and a policy reading those is undecided. So, below the top level
(:mod:`planner.unreturned_outputs`), is a value a handler returns as None, a field it leaves out of
an object the program did not set, and a field of :data:`COMPUTED_FIELDS` it leaves out of one the
program set. Extending: a resource type whose
computed outputs a later component reads gets an entry in ``_OUTPUTS`` (``SERVICE_OUTPUTS`` in
:mod:`planner.mock_services` for the services above, or ``_ID_PREFIXES``), with the value AWS
returns after create; an invoke the program calls gets an entry in ``_INVOKES``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Final

from pulumi.runtime import MockCallArgs, MockResourceArgs, Mocks, rpc

from planner.arns import REGIONS, Arns, dns_suffix_of, partition_of
from planner.mock_services import SERVICE_OUTPUTS, Handler, State, digest, kebab, uuid
from planner.program_failure import ProgramFailure
from stacks.aws_regions import usable_zone_count, zones_of

# Resource types whose physical id is "<prefix><17 hex digits>".
_ID_PREFIXES: dict[str, str] = {
    "aws:ec2/vpc:Vpc": "vpc-",
    "aws:ec2/subnet:Subnet": "subnet-",
    "aws:ec2/securityGroup:SecurityGroup": "sg-",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "sg-",
    "aws:ec2/routeTable:RouteTable": "rtb-",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc-",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce-",
    "aws:ec2/flowLog:FlowLog": "fl-",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr-",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr-",
}


# Fields the provider fills in inside an object the program sets (dotted wire paths, no list
# indices), which the handlers do not model: unknown in the recording, as at a preview
# (planner/unreturned_outputs.py). A field left out of an object the program did not set is
# unknown without an entry; one left out of an object it set is otherwise absent, as the program
# left it.
COMPUTED_FIELDS: dict[str, frozenset[str]] = {
    "aws:eks/cluster:Cluster": frozenset({"vpcConfig.clusterSecurityGroupId", "vpcConfig.vpcId"}),
}


# The providers whose ``region`` input places their resources and invokes: pulumi-aws's and
# pulumi-aws-native's. The default one of each is configured from the stack's ``aws:region`` /
# ``aws-native:region``; an explicit one reads no ``aws:*`` config, "by design" (pulumi/pulumi-aws
# #1307): its SDK fills an unset ``region`` from ``AWS_REGION``/``AWS_DEFAULT_REGION`` (provider.py),
# else pulumi-aws takes the AWS profile's region and pulumi-aws-native fails
# (pulumi/pulumi-aws-native#1646), neither of which the plan sees.
REGIONAL_PROVIDERS: Final = frozenset({"pulumi:providers:aws", "pulumi:providers:aws-native"})

# pulumi-aws 7 gives nearly every resource and data source a ``region`` of its own, "Region where
# this resource will be managed. Defaults to the Region set in the provider configuration" (the
# SDK's docstrings; pulumi-aws-native has none). On these few it is still the deprecated name of
# another region the resource is about (``stack_set_instance_region``, ``connection_region``,
# ``aws_region``, ``authorized_aws_region``), not where it is managed.
_REGION_NOT_MANAGED: Final = frozenset(
    {
        "aws:cloudformation/stackSetInstance:StackSetInstance",
        "aws:directconnect/hostedConnection:HostedConnection",
        "aws:servicequotas/template:Template",
        "aws:cfg/aggregateAuthorization:AggregateAuthorization",
    }
)


def known_region(value: object) -> str | None:
    """A region input as the mocks can answer in: a non-empty string, not the unknown sentinel the
    SDK passes at a preview."""
    return value if isinstance(value, str) and value and value != rpc.UNKNOWN else None


class PlatformMocks(Mocks):
    """Mocks with realistic ids and ARNs for one account, answering each resource and invoke in
    its provider's region (a default provider's from the stack: ``default_regions``, else ``region``)."""

    computed_fields: Mapping[str, frozenset[str]] = COMPUTED_FIELDS
    """Per type, the fields of objects the program sets that only the provider computes."""

    def __init__(
        self, region: str, account_id: str, default_regions: Mapping[str, str] | None = None
    ) -> None:
        """``default_regions``: by package (``aws-native``), the region of its default provider
        where it is not ``region`` (the stack's ``aws-native:region``)."""
        self.region = region
        self.account_id = account_id
        # The partition get_partition answers (arn:aws-cn:... in China, as Terraform's ARNs are there).
        self.arns = Arns(region, account_id, (partition_of(region) or ("aws", ""))[0])
        self._by_region: dict[str, PlatformMocks] = {region: self}
        """The mocks answering in each region a provider names, made on first use."""
        self._provider_regions: dict[str, str] = {}
        """Each explicit AWS provider's region, by the provider id the mocks gave it."""
        self._default_regions: Mapping[str, str] = dict(default_regions or {})

    def _answering(self, token: str, reference: str | None, inputs: Mapping[str, object]) -> PlatformMocks:
        """The mocks answering a resource or invoke of ``token``: in its own ``region`` input where
        it is a pulumi-aws one that sets a known one (:data:`_REGION_NOT_MANAGED` aside), else in
        the region of the provider it names (``<urn>::<id>``; empty for its package's default
        provider, which is in the stack's region unless ``default_regions`` names another).

        The account stays the stack's: a provider assuming a role in another account
        (``assumeRoles``) is not modelled, and ``record_program`` warns about one pinning another
        ``allowedAccountIds``."""
        placed_by_own = token.startswith("aws:") and token not in _REGION_NOT_MANAGED
        own = known_region(inputs.get("region")) if placed_by_own else None
        if own:
            region = own
        elif reference:
            region = self._provider_regions.get(reference.rpartition("::")[2], self.region)
        else:
            region = self._default_regions.get(token.partition(":")[0], self.region)
        found = self._by_region.get(region)
        if found is None:
            found = self._by_region[region] = PlatformMocks(region, self.account_id)
        return found

    # -- resources -------------------------------------------------------------------------
    def new_resource(self, args: MockResourceArgs) -> tuple[str, State]:
        inputs: State = dict(args.inputs)
        if not args.custom:  # component resources have no cloud state
            return "", {}
        if args.typ.startswith("pulumi:providers:"):
            return self._provider(args.typ, args.name, inputs), inputs
        mocks = self._answering(args.typ, args.provider, inputs)
        physical = f"{args.name}-{digest(args.typ, args.name, length=7)}"
        handler = _OUTPUTS.get(args.typ)
        resource_id, state = (
            handler(mocks, args.name, physical, inputs)
            if handler
            else mocks._generic(args.typ, physical, inputs)
        )
        return resource_id, {**inputs, **state, "id": resource_id}

    def _provider(self, typ: str, name: str, inputs: State) -> str:
        """The provider's id, noting an AWS provider's region: its ``region`` input, else (unset,
        empty or unknown) the stack's, the mocks' guess (:data:`REGIONAL_PROVIDERS`: ``pulumi up``
        would not take it from the stack; ``record_program`` warns of such a provider).

        A resource names its provider by ``<urn>::<id>``, and the mocks never see a provider's
        URN: the id names the region, so that two providers of one name in different regions (an
        aws and an aws-native ``dr``, or one under each of two component types) are told apart by
        the id alone. The id holds no ``:`` (the engine's are UUIDs), so that a reference splits
        at its last ``::`` here, in :func:`planner.critical_path.provider_urn` and in the pack
        whatever the provider's name or region holds: no ``::`` alone would still let a name
        starting with ``:`` put the last ``::`` one colon into the id."""
        if typ not in REGIONAL_PROVIDERS:
            return f"{name}-provider-id".replace(":", "-")
        # At a preview the SDK passes an unknown input as its sentinel string, not as unset.
        region = known_region(inputs.get("region")) or self.region
        provider_id = f"{name}-{region}-provider-id".replace(":", "-")
        self._provider_regions[provider_id] = region
        return provider_id

    def _generic(self, typ: str, physical: str, inputs: State) -> tuple[str, State]:
        prefix = _ID_PREFIXES.get(typ)
        name = inputs.get("name", physical)
        resource_id = f"{prefix}{digest(typ, physical)}" if prefix else name
        package, module, class_name = typ.split(":")
        service = module.split("/")[0]
        state: State = {
            "arn": self.arn(service, f"{kebab(class_name)}/{resource_id}"),
            "name": name,
        }
        if "tags" in inputs and package == "aws":
            state["tagsAll"] = inputs["tags"]
        return resource_id, state

    def arn(self, service: str, resource: str, *, regional: bool = True, account: bool = True) -> str:
        region = self.region if regional else ""
        return f"arn:{self.arns.partition}:{service}:{region}:{self.account_id if account else ''}:{resource}"

    # -- invokes ---------------------------------------------------------------------------
    def call(self, args: MockCallArgs) -> tuple[State, list[tuple[str, str]]]:
        handler = _INVOKES.get(args.token)
        if handler is None:
            raise NotImplementedError(
                f"the offline plan has no mock for invoke {args.token}; add one to planner/mocks.py _INVOKES"
            )
        arguments = dict(args.args)
        return handler(self._answering(args.token, args.provider, arguments), arguments), []


def _bucket(mocks: PlatformMocks, name: str, physical: str, inputs: State) -> tuple[str, State]:
    bucket = inputs.get("bucket") or physical.lower()
    return bucket, {
        "bucket": bucket,
        "arn": mocks.arns.s3_bucket(bucket),
        # Terraform's aws_s3_bucket: PartitionHostname(bucket+".s3") and bucketRegionalDomainName's
        # <bucket>.s3.<region>.<the region's partition's DNS suffix> (amazonaws.com.cn in China).
        "bucketDomainName": f"{bucket}.s3.{mocks.arns.dns_suffix}",
        "bucketRegionalDomainName": f"{bucket}.s3.{mocks.region}.{mocks.arns.dns_suffix}",
        # pulumi-aws 7's computed `bucketRegion` (Terraform aws_s3_bucket's bucket_region, "AWS region
        # this bucket resides in", which its Read sets after create): the region the bucket is made in.
        "bucketRegion": mocks.region,
        "region": mocks.region,
        "tagsAll": inputs.get("tags", {}),
    }


def _kms_key(mocks: PlatformMocks, name: str, physical: str, inputs: State) -> tuple[str, State]:
    key_id = uuid("kms", name)
    return key_id, {
        "keyId": key_id,
        "arn": mocks.arns.kms_key(key_id),
        "tagsAll": inputs.get("tags", {}),
    }


def _kms_alias(mocks: PlatformMocks, name: str, physical: str, inputs: State) -> tuple[str, State]:
    alias = inputs.get("name", f"alias/{physical}")
    return alias, {
        "arn": mocks.arns.kms_alias(alias),
        "targetKeyArn": mocks.arns.kms_key(str(inputs.get("targetKeyId"))),
    }


def _iam_role(mocks: PlatformMocks, name: str, physical: str, inputs: State) -> tuple[str, State]:
    role_name = inputs.get("name", physical)
    path = inputs.get("path", "/")
    return role_name, {
        "name": role_name,
        "arn": mocks.arns.iam_role(role_name, path),
        "uniqueId": f"AROA{digest('role', name, length=17).upper()}",
        "tagsAll": inputs.get("tags", {}),
    }


def _iam_role_policy(mocks: PlatformMocks, name: str, physical: str, inputs: State) -> tuple[str, State]:
    policy_name = inputs.get("name", physical)
    return f"{inputs.get('role')}:{policy_name}", {"name": policy_name}


def _iam_policy(mocks: PlatformMocks, name: str, physical: str, inputs: State) -> tuple[str, State]:
    policy_name = inputs.get("name", physical)
    arn = mocks.arns.iam_policy(policy_name, inputs.get("path", "/"))
    # The provider's id of a managed policy is its ARN.
    return arn, {
        "name": policy_name,
        "arn": arn,
        "policyId": f"ANPA{digest('policy', name, length=17).upper()}",
        "tagsAll": inputs.get("tags", {}),
    }


def _log_group(mocks: PlatformMocks, name: str, physical: str, inputs: State) -> tuple[str, State]:
    group = inputs.get("name", physical)
    return group, {
        "name": group,
        "arn": mocks.arns.log_group(group),
        "tagsAll": inputs.get("tags", {}),
    }


def _vpc(mocks: PlatformMocks, name: str, physical: str, inputs: State) -> tuple[str, State]:
    resource_id = f"vpc-{digest('vpc', name)}"
    return resource_id, {
        "arn": mocks.arn("ec2", f"vpc/{resource_id}"),
        "defaultSecurityGroupId": f"sg-{digest('default-sg', name)}",
        "mainRouteTableId": f"rtb-{digest('main-rtb', name)}",
        "tagsAll": inputs.get("tags", {}),
    }


def _vpc_endpoint(mocks: PlatformMocks, name: str, physical: str, inputs: State) -> tuple[str, State]:
    resource_id = f"vpce-{digest('vpce', name)}"
    state: State = {"arn": mocks.arn("ec2", f"vpc-endpoint/{resource_id}"), "tagsAll": inputs.get("tags", {})}
    # The API's (and the provider's) default type is Gateway: an endpoint without one is a gateway.
    if inputs.get("vpcEndpointType", "Gateway") == "Gateway":
        state["prefixListId"] = f"pl-{digest('pl', name, length=8)}"
    else:
        # vpce-<id>-<suffix>.<service>.<region>.vpce.<the partition's DNS suffix>; a service name is
        # com.amazonaws.<region>.<service> (cn.com.amazonaws.<region>.<service> for some in China).
        service = str(inputs.get("serviceName", ""))
        for reverse_dns in ("com.amazonaws", "cn.com.amazonaws"):
            service = service.removeprefix(f"{reverse_dns}.{mocks.region}.")
        suffix = digest("vpce-dns", name, length=8)
        state["dnsEntries"] = [
            {
                "dnsName": f"{resource_id}-{suffix}.{service}.{mocks.region}.vpce.{mocks.arns.dns_suffix}",
                # The Route 53 zone AWS hosts the endpoint's regional name in.
                "hostedZoneId": f"Z{digest('vpce-zone', mocks.region, length=13).upper()}",
            }
        ]
    return resource_id, state


_OUTPUTS: dict[str, Handler] = {
    "aws:s3/bucket:Bucket": _bucket,
    # pulumi-aws 7's deprecated BucketV2 is a clone of aws_s3_bucket (provider/compatibility.go
    # CloneResource "aws_s3_bucket_v2_compat"): the same bucket, ARN and outputs.
    "aws:s3/bucketV2:BucketV2": _bucket,
    "aws:kms/key:Key": _kms_key,
    "aws:kms/alias:Alias": _kms_alias,
    "aws:iam/role:Role": _iam_role,
    "aws:iam/rolePolicy:RolePolicy": _iam_role_policy,
    "aws:iam/policy:Policy": _iam_policy,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:ec2/vpc:Vpc": _vpc,
    "aws:ec2/vpcEndpoint:VpcEndpoint": _vpc_endpoint,
    **SERVICE_OUTPUTS,
}


_DIRECTIONS: Final = {"north": "n", "south": "s", "east": "e", "west": "w", "central": "c", "gov": "g"}


def _zone_id_prefix(region: str) -> str:
    """AWS's short form of a region in its zone ids: ``euw1`` (eu-west-1), ``apse2``
    (ap-southeast-2), ``use1`` (us-east-1): the area, each direction's initial, the number. A
    region not in that shape (pulumi-aws skips region validation by default, ``skipRegionValidation``:
    a custom endpoint's) as written, not a failed plan."""
    if "-" not in region:
        return region
    area, *directions, number = region.split("-")
    words = re.findall("|".join(_DIRECTIONS), "".join(directions))
    return area + "".join(_DIRECTIONS[word] for word in words) + number


def _availability_zones(mocks: PlatformMocks, args: State) -> State:
    """The zones an account sees in the region (stacks.aws_regions: us-east-1 has six,
    ca-central-1 a, b and d), so an ``az_count`` the stack file accepts is one the plan can meet."""
    names = zones_of(mocks.region)[: usable_zone_count(mocks.region)] or tuple(
        f"{mocks.region}{z}" for z in "abc"
    )
    prefix = _zone_id_prefix(mocks.region)
    return {
        "names": list(names),
        "zoneIds": [f"{prefix}-az{index}" for index in range(1, len(names) + 1)],
        "region": mocks.region,
        "id": mocks.region,
    }


def _caller_identity(mocks: PlatformMocks, args: State) -> State:
    return {
        "accountId": mocks.account_id,
        "arn": mocks.arn("iam", "user/offline-plan", regional=False),
        "userId": "AIDAOFFLINEPLAN",
        "id": mocks.account_id,
    }


class InvokeFailed(ProgramFailure):
    """An invoke the provider fails, so that ``pulumi up`` fails the program (``str()``: its error)."""


_GET_REGION: Final = "aws:index/getRegion:getRegion"


def _ec2_endpoint(region: str) -> str:
    """The host of EC2's endpoint in ``region``: ``ec2.<region>.<suffix>`` (the EC2 endpoint rules'
    ``https://ec2.{Region}.{dnsSuffix}``; ``amazonaws.com`` for a region in no partition)."""
    return f"ec2.{region}.{dns_suffix_of(region)}"


def _region_failed(reason: str) -> InvokeFailed:
    """get_region's Read failing as ``pulumi up`` reports it: the bridge returns the provider's error
    diagnostic as an error, ``<summary>: <detail>`` (pulumi-terraform-bridge pkg/pf/tfbridge
    ``processDiagnosticsWithContext``), the engine wraps it (source_eval.go ``resmon.Invoke``:
    "invocation of <token> returned an error: ...") and the Python SDK raises that as
    ``invoke of <token> failed: ...`` (pulumi/runtime/invoke.py)."""
    return InvokeFailed(
        f"invoke of {_GET_REGION} failed: invocation of {_GET_REGION} returned an error: {reason}"
    )


def _region_refused(reason: str, attribute: str) -> InvokeFailed:
    """get_region refused by a config validator as ``pulumi up`` reports it: an attribute
    diagnostic the bridge answers as a check failure (``parseInvokePropertyCheckFailures``: reason
    ``<summary>: <detail>``, the attribute's property), no error for the engine to wrap, which the
    Python SDK raises as ``invoke of <token> failed: <reason> (<property>)`` (runtime/invoke.py)."""
    return InvokeFailed(f"invoke of {_GET_REGION} failed: {reason} ({attribute})")


def _known_region_named(name: str) -> str:
    """``name``, a region of the table (:data:`planner.arns.REGIONS`), else the data source's
    ``finding Region by name`` failure (its ``findRegionByName``: retry.NotFoundError's message)."""
    if name not in REGIONS:
        raise _region_failed(f"finding Region by name ({name}): couldn't find resource")
    return name


def _set_text(value: object) -> str | None:
    """An argument as a config validator sees it: a string (empty too) set, not the unknown sentinel."""
    return value if isinstance(value, str) and value != rpc.UNKNOWN else None


def _region(mocks: PlatformMocks, args: State) -> State:
    """The region selected, as Terraform's aws_region data source (internal/service/meta
    region_data_source.go, provider v6 under pulumi-aws 7) selects it, from the table of regions it
    knows (:data:`planner.arns.REGIONS`), failing as it fails:

    - ``name`` and ``region`` both set: its ``ConfigValidators`` (``Conflicting``) refuse them, an
      attribute diagnostic the bridge returns as a check failure on ``name``;
    - ``endpoint`` (an empty one too): the region whose EC2 host it is, else "finding Region by
      endpoint";
    - ``region``, else the deprecated ``name`` (an empty one selects nothing): that region, else
      "finding Region by name"; "multiple Regions matched" where ``endpoint`` selected another;
    - none of them: the provider's region, which must be in the table too (pulumi-aws's
      ``skipRegionValidation`` lets a provider in any region make resources, not read this).

    An unknown value (a preview's) counts as unset, as the validator and the mocks' placement read it."""
    region_arg, name_arg = (_set_text(args.get(key)) for key in ("region", "name"))
    if region_arg is not None and name_arg is not None:
        raise _region_refused(
            "Invalid Attribute Combination: These attributes cannot be configured together: [name,region]",
            "name",
        )
    region: str | None = None
    endpoint = _set_text(args.get("endpoint"))
    if endpoint is not None:  # an empty one too: Read looks up any non-null endpoint
        region = next((known for known in sorted(REGIONS) if _ec2_endpoint(known) == endpoint), None)
        if region is None:
            raise _region_failed(f"finding Region by endpoint ({endpoint}): couldn't find resource")
    named = region_arg if region_arg is not None else name_arg
    if named:  # an empty one selects nothing (Read's `if name != ""`)
        matched = _known_region_named(named)
        if region is not None and region != matched:
            raise _region_failed(
                "multiple Regions matched: use additional constraints to reduce matches to a single Region"
            )
        region = matched
    if region is None:
        region = _known_region_named(mocks.region)
    return {
        "name": region,
        "region": region,
        "endpoint": _ec2_endpoint(region),
        "id": region,
    }


def _partition(mocks: PlatformMocks, args: State) -> State:
    """The partition of the provider's region (Terraform's aws_partition data source answers the
    client's: ``aws-cn`` and ``amazonaws.com.cn`` in China)."""
    partition, suffix = partition_of(mocks.region) or ("aws", "amazonaws.com")
    return {"partition": partition, "dnsSuffix": suffix, "id": partition}


_INVOKES: dict[str, Callable[[PlatformMocks, State], State]] = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": _availability_zones,
    "aws:index/getCallerIdentity:getCallerIdentity": _caller_identity,
    "aws:index/getRegion:getRegion": _region,
    "aws:index/getPartition:getPartition": _partition,
}
