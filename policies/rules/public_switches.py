"""Account- and resource-level "block public access" switches, as a class: a stack that turns one
to its open position is a governance finding even before any public resource exists, because it
lets a later snapshot, AMI, EMR cluster, SSM document or bucket object be shared with everyone.

:data:`PUBLIC_BY_DEFAULT` is the other half of the class: a resource's own switch whose *unset*
position is public (AWS's default), so leaving it out exposes the resource: an App Runner service's
ingress, a DMS replication instance or instance profile, an RDS instance, Multi-AZ DB cluster or
shard group whose default "depends on your VPC setup" (public in a VPC with an internet gateway).
Each is refused unless it is ``false``.

:data:`SWITCHES` is the class: each type whose purpose is such a switch, with the inputs read and
their open positions. The S3 blocks (bucket, account, access points, Multi-Region Access Points)
are ``s3-public-access-blocked``'s (``policies/rules/s3.py``). Every other type or input of the
installed providers named like a public-access switch is listed in :data:`NOT_SWITCHES` with why
it is not one (``tests/policies/test_public_switches_63.py`` scans the SDKs and fails on a new
one nobody classified).

A stack that serves something public by design (an App Runner API) lists it in the
``publicByDesign`` config property (:data:`PUBLIC_BY_DESIGN`) of both policies: by resource name or
URN (optionally narrowed to one type), each with a reason. Its public-by-default switch is then not
refused; ``public-by-design-noted`` (advisory), reading its own copy of the list and the resource,
reports it with the reason instead. The account-level blocks (:data:`STATES`, EMR, SSM, Lightsail)
are never exempt: the list is read for :data:`PUBLIC_BY_DEFAULT` types only.

Inputs at preview and outputs after create read the same here: each type echoes its inputs as
outputs. An unknown value is undecided (the engine's ``UnknownValueError``), never a violation.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from ._common import (
    ADVISORY,
    FSBP,
    HIGH,
    LOW,
    MANDATORY,
    framework,
    get,
    is_false,
    is_map,
    is_seq,
    is_set,
    is_true,
    resource_rule,
    shown,
)

RULE_NAME = "public-access-switches-kept-on"
NOTE_NAME = "public-by-design-noted"

EBS_SNAPSHOT_BPA = "aws:ebs/snapshotBlockPublicAccess:SnapshotBlockPublicAccess"
NATIVE_SNAPSHOT_BPA = "aws-native:ec2:SnapshotBlockPublicAccess"
IMAGE_BPA = "aws:ec2/imageBlockPublicAccess:ImageBlockPublicAccess"
VPC_BPA = "aws:ec2/vpcBlockPublicAccessOptions:VpcBlockPublicAccessOptions"
NATIVE_VPC_BPA = "aws-native:ec2:VpcBlockPublicAccessOptions"
EMR_BPA = "aws:emr/blockPublicAccessConfiguration:BlockPublicAccessConfiguration"
SSM_SETTING = "aws:ssm/serviceSetting:ServiceSetting"
NATIVE_SSM_SETTING = "aws-native:ssm:ServiceSetting"
NATIVE_LIGHTSAIL_BUCKET = "aws-native:lightsail:Bucket"

#: The SSM service setting that lets SSM documents be shared publicly (AWS default ``Enable``).
SSM_PUBLIC_SHARING = "/ssm/documents/console/public-sharing-permission"

#: type -> (input, the values that keep it closed, what to set). Unset is judged per type below.
STATES: dict[str, tuple[str, tuple[str, ...], str]] = {
    # EnableSnapshotBlockPublicAccess modes; the provider's third value ``unblocked`` disables it.
    EBS_SNAPSHOT_BPA: ("state", ("block-all-sharing", "block-new-sharing"), "'block-all-sharing'"),
    NATIVE_SNAPSHOT_BPA: ("state", ("block-all-sharing", "block-new-sharing"), "'block-all-sharing'"),
    # Valid values `unblocked` and `block-new-sharing`.
    IMAGE_BPA: ("state", ("block-new-sharing",), "'block-new-sharing'"),
    # `off` lets every internet gateway of the Region's VPCs carry traffic BPA would block.
    VPC_BPA: ("internetGatewayBlockMode", ("block-bidirectional", "block-ingress"), "'block-ingress'"),
    NATIVE_VPC_BPA: ("internetGatewayBlockMode", ("block-bidirectional", "block-ingress"), "'block-ingress'"),
}

#: type -> (input, what the resource is): switches whose unset position is public (AWS's default, or
#: one that "depends on your VPC setup"); refused unless ``false``. Sources: App Runner Developer Guide,
#: "Enabling Private endpoint for incoming traffic" ("By default ... accessible over the internet");
#: DMS API ``CreateReplicationInstance``/``CreateInstanceProfile`` ("The default value is true"; the
#: provider's instance profile: "Default is `true`"); RDS API ``CreateDBInstance``/``CreateDBCluster``/
#: ``CreateDBShardGroup`` (unset: public when the subnets' VPC, or the default VPC, has an internet gateway).
#: Where the inputs show that an unset switch is private, it passes (:func:`_private_when_unset`).
PUBLIC_BY_DEFAULT: dict[str, tuple[str, str]] = {
    "aws:apprunner/service:Service": (
        "networkConfiguration.ingressConfiguration.isPubliclyAccessible",
        "the App Runner service takes requests from the internet",
    ),
    "aws-native:apprunner:Service": (
        "networkConfiguration.ingressConfiguration.isPubliclyAccessible",
        "the App Runner service takes requests from the internet",
    ),
    "aws:dms/replicationInstance:ReplicationInstance": (
        "publiclyAccessible",
        "the DMS replication instance gets a public IP address",
    ),
    "aws:dms/instanceProfile:InstanceProfile": ("publiclyAccessible", "the DMS instance profile is public"),
    "aws-native:dms:InstanceProfile": ("publiclyAccessible", "the DMS instance profile is public"),
    "aws:rds/cluster:Cluster": (
        "publiclyAccessible",
        "the Multi-AZ DB cluster is public with no DB subnet group or the 'default' one",
    ),
    "aws-native:rds:DbCluster": (
        "publiclyAccessible",
        "the Multi-AZ DB cluster is public with no DB subnet group or the 'default' one",
    ),
    "aws-native:rds:DbInstance": (
        "publiclyAccessible",
        "the DB instance is public with no DB subnet group (unless Aurora) or the 'default' one",
    ),
    "aws:rds/shardGroup:ShardGroup": (
        "publiclyAccessible",
        "the DB shard group is public when its VPC has an internet gateway",
    ),
    "aws-native:rds:DbShardGroup": (
        "publiclyAccessible",
        "the DB shard group is public when its VPC has an internet gateway",
    ),
}
#: Cluster types whose switch applies to Multi-AZ DB clusters only (``dbClusterInstanceClass`` set):
#: an Aurora cluster's instances hold their own (``aws:rds/clusterInstance``: private by default).
MULTI_AZ_ONLY = frozenset({"aws:rds/cluster:Cluster", "aws-native:rds:DbCluster"})
#: RDS types whose unset switch follows the DB subnet group (both installed providers' docs, and
#: ``CreateDBCluster``/``CreateDBInstance``: "If DBSubnetGroup is specified, PubliclyAccessible defaults
#: to false unless the value of DBSubnetGroup is default"; with none, an Aurora instance's is false).
#: Not shard groups: ``CreateDBShardGroup`` takes no subnet group (its cluster's VPC decides).
SUBNET_GROUP_DECIDES = frozenset({*MULTI_AZ_ONLY, "aws-native:rds:DbInstance"})
#: pulumi-aws (Terraform's ``aws_dms_replication_instance``) always sends ``PubliclyAccessible``, false
#: when unset (``aws.Bool(d.Get("publicly_accessible").(bool))``): DMS's own default (true) never applies.
SENT_FALSE_WHEN_UNSET = frozenset({"aws:dms/replicationInstance:ReplicationInstance"})

SWITCHES: dict[str, str] = {
    **{token: path for token, (path, _, _) in STATES.items()},
    **{token: path for token, (path, _) in PUBLIC_BY_DEFAULT.items()},
    EMR_BPA: "blockPublicSecurityGroupRules",
    SSM_SETTING: "settingId/settingValue",
    NATIVE_SSM_SETTING: "settingId/settingValue",
    NATIVE_LIGHTSAIL_BUCKET: "accessRules.getObject/accessRules.allowPublicOverrides",
}

#: Types (or ``type input``) of the providers named like a public-access switch that are not one.
NOT_SWITCHES: dict[str, str] = {
    "aws:ec2/vpcBlockPublicAccessExclusion:VpcBlockPublicAccessExclusion": (
        "a named exception for one VPC or subnet under VPC BPA: the named-exception pattern, not a switch"
    ),
    "aws-native:ec2:VpcBlockPublicAccessExclusion": "the aws-native twin of the VPC BPA exclusion",
    "aws:ec2/serialConsoleAccess:SerialConsoleAccess": (
        "EC2 serial console access is reached with IAM permissions and instance credentials, never by the public"
    ),
    "aws:secretsmanager/secretPolicy:SecretPolicy blockPublicPolicy": (
        "a put-time check of the policy it sits on (false is the provider default); the document itself is "
        "judged by resource-policy-not-public"
    ),
    "aws-native:secretsmanager:ResourcePolicy blockPublicPolicy": "as aws:secretsmanager/secretPolicy",
    **{
        f"{token} publiclyAccessible": (
            "private unless set true (the provider sends false when unset, or the service's API defaults to "
            "false): not a switch whose unset position is public; an explicit true is a deliberate exposure "
            "this pack does not judge"
        )
        for token in (
            "aws:rds/instance:Instance",
            "aws:rds/clusterInstance:ClusterInstance",
            "aws:neptune/clusterInstance:ClusterInstance",
            "aws-native:neptune:DbInstance",
            "aws:redshift/cluster:Cluster",
            "aws-native:redshift:Cluster",
            "aws:redshiftserverless/workgroup:Workgroup",
            "aws-native:redshiftserverless:Workgroup",
            "aws:mq/broker:Broker",
            "aws-native:amazonmq:Broker",
            "aws:lightsail/database:Database",
            "aws-native:lightsail:Database",
            "aws:m2/environment:Environment",
            "aws-native:m2:Environment",
            "aws:timestreaminfluxdb/dbInstance:DbInstance",
            "aws:timestreaminfluxdb/dbCluster:DbCluster",
            "aws-native:timestream:InfluxDbInstance",
            "aws-native:timestream:InfluxDbCluster",
        )
    },
    "aws-native:redshiftserverless:Workgroup workgroup.publiclyAccessible": (
        "the workgroup's description as Redshift Serverless returns it (an output); the input is publiclyAccessible"
    ),
}

Check = Iterator[str]


def _state(args: ResourceValidationArgs) -> Check:
    path, closed, fix = STATES[args.resource_type]
    value = get(args.props, path)
    if value not in closed:
        unset = " (unset)" if value is None else ""
        opens = (
            "lets the Region's internet gateways carry traffic to and from the internet"
            if path == "internetGatewayBlockMode"
            else "leaves public sharing open"
        )
        yield (
            f"{path} is {shown(value)}{unset}, which {opens}: set {path}={fix} "
            f"(one of {', '.join(repr(c) for c in closed)})."
        )


def _emr(args: ResourceValidationArgs) -> Check:
    value = get(args.props, "blockPublicSecurityGroupRules")
    if not is_true(value):
        yield (
            f"blockPublicSecurityGroupRules is {shown(value)}: EMR then launches clusters whose security "
            "groups open ports to 0.0.0.0/0 or ::/0. Fix: set block_public_security_group_rules=True "
            "(name the ports that must stay open in permittedPublicSecurityGroupRuleRanges)."
        )
        return
    # FSBP EMR.2 / Config emr-block-public-access: BPA on but a permitted range other than port 22
    # (EMR's default exception, SSH) lets clusters open that port to 0.0.0.0/0 or ::/0.
    ranges = get(args.props, "permittedPublicSecurityGroupRuleRanges") or []
    for index, port_range in enumerate(ranges if is_seq(ranges) else []):
        low = get(port_range, "minRange") if is_map(port_range) else None
        high = get(port_range, "maxRange") if is_map(port_range) else None
        if low != 22 or high not in (None, 22):
            yield (
                f"permittedPublicSecurityGroupRuleRanges[{index}] is {shown(low)}-{shown(high)}: EMR then "
                "launches clusters whose security groups open those ports to 0.0.0.0/0 or ::/0 (FSBP EMR.2 "
                "allows port 22 only). Fix: permit only minRange=22, maxRange=22 (or none)."
            )


def _ssm(args: ResourceValidationArgs) -> Check:
    setting = get(args.props, "settingId")
    if not isinstance(setting, str) or not setting.endswith(SSM_PUBLIC_SHARING):
        return  # another service setting (or the setting's ARN ending in another path)
    value = get(args.props, "settingValue")
    # Exactly ``Disable``: SettingValue is free text (no enum in the API model) and UpdateServiceSetting
    # documents ``Enable`` or ``Disable`` only; ``disable`` or a padded value is nothing AWS documents.
    if value != "Disable":
        yield (
            f"settingValue is {shown(value)} for {SSM_PUBLIC_SHARING}: SSM documents of the account may "
            "then be shared with everyone. Fix: set setting_value='Disable' (exactly: the value AWS "
            "documents)."
        )


def _lightsail(args: ResourceValidationArgs) -> Check:
    rules = get(args.props, "accessRules")
    if not is_map(rules):
        return  # Lightsail buckets are private by default
    get_object = get(rules, "getObject")
    if isinstance(get_object, str) and get_object.lower() == "public":
        yield "accessRules.getObject is 'public': every object is readable anonymously. Fix: set it to 'private'."
    if is_true(get(rules, "allowPublicOverrides")):
        yield (
            "accessRules.allowPublicOverrides is true: object ACLs may make single objects public. "
            "Fix: set it to false."
        )


def _public_by_default(args: ResourceValidationArgs) -> Check:
    path, what = PUBLIC_BY_DEFAULT[args.resource_type]
    value = get(args.props, path)
    # false passes and true is refused, whatever the other inputs (an instance class or subnet group
    # known only after create) say: they are read only for another value.
    if is_false(value):
        return
    if not is_true(value):
        # '' is unset: the provider sends no DBClusterInstanceClass (and reads an Aurora cluster's back as '').
        if args.resource_type in MULTI_AZ_ONLY and not is_set(get(args.props, "dbClusterInstanceClass")):
            return  # an Aurora cluster: its instances hold the switch
        if value is None and _private_when_unset(args):
            return
    default = " (AWS's default)" if value is None else ""
    yield f"{path} is {shown(value)}{default}: {what}. Fix: set {path}=false."


def _private_when_unset(args: ResourceValidationArgs) -> bool:
    """Whether the inputs show that this resource's unset switch is private: the provider sends false
    (:data:`SENT_FALSE_WHEN_UNSET`), or RDS's default follows a named, non-default DB subnet group (or
    an Aurora engine without one: :data:`SUBNET_GROUP_DECIDES`). A subnet group unknown at preview
    leaves the check undecided (the engine's note)."""
    token = args.resource_type
    if token in SENT_FALSE_WHEN_UNSET:
        return True
    if token not in SUBNET_GROUP_DECIDES:
        return False
    group = get(args.props, "dbSubnetGroupName")
    if isinstance(group, str) and group.strip():
        return group.strip().lower() != "default"
    engine = get(args.props, "engine") if token == "aws-native:rds:DbInstance" else None
    return isinstance(engine, str) and engine.lower().startswith("aurora")


#: ``publicByDesign``: resources public on purpose, by name or URN (optionally narrowed to one ``type``),
#: each with the reason (an entry without one is a config error: ``registry.validate_pack_config`` and
#: the CLI's JSON-schema check both refuse it). Both policies hold the property: the engine gives each
#: policy only its own config, so ``public-access-switches-kept-on`` exempts what its list names and
#: ``public-by-design-noted`` notes what its list names, each deciding alone (:func:`listed_reason`),
#: whatever the order the engine runs them in and whichever of them is disabled.
#: :func:`unnoted_exemptions` makes a pack config listing an exemption for the rule but not for the note
#: an error. Empty by default in every environment.
PUBLIC_BY_DESIGN: dict[str, Any] = {
    "type": "array",
    "default": [],
    "description": (
        "Resources public by design, whose public-by-default switch (App Runner ingress, DMS, RDS "
        "publiclyAccessible) is reported as an advisory note with the reason instead of refused: "
        "[{resource: <logical name or URN>, type: <optional Pulumi type token>, reason: <why it is "
        "public>}]. List each entry for both public-access-switches-kept-on (the exemption) and "
        "public-by-design-noted (the note). Never the account-level blocks."
    ),
    "items": {
        "type": "object",
        "properties": {
            "resource": {"type": "string", "pattern": "\\S"},
            # Only the types the list can exempt: a typo or an account-level block is a config error.
            "type": {"type": "string", "enum": sorted(PUBLIC_BY_DEFAULT)},
            "reason": {"type": "string", "pattern": "\\S"},
        },
        "required": ["resource", "reason"],
        "additionalProperties": False,
    },
}
LIST_KEY = "publicByDesign"


def listed_reason(args: ResourceValidationArgs, entries: Any) -> tuple[str, str] | None:
    """``(how the entry names it, reason)`` for a resource listed in ``entries`` (a
    ``publicByDesign`` list): by logical name or URN, and by ``type`` when the entry gives one.
    Entries without a non-blank resource and reason (a config that skipped validation) list nothing."""
    for entry in entries if isinstance(entries, list | tuple) else []:
        if not isinstance(entry, Mapping):
            continue
        named, reason, token = entry.get("resource"), entry.get("reason"), entry.get("type")
        if not (isinstance(named, str) and isinstance(reason, str) and named.strip() and reason.strip()):
            continue
        if named in (args.name, args.urn) and token in (None, args.resource_type):
            return named, reason.strip()
    return None


def unnoted_exemptions(config: Mapping[str, Any], disabled: Collection[str]) -> list[str]:
    """Pack-config problems: an entry of the rule's ``publicByDesign`` no entry of the note's covers,
    which would exempt a public resource with no note at all. A note entry covers it when it names
    the same resource (or, by its logical name, the resource a URN entry names) with a reason and no
    ``type`` or the same one (:func:`listed_reason` then notes every resource the rule's entry
    exempts, with the note's reason). Nothing is required when ``disabled`` (the policies the
    config's resolved levels disable: the caller resolves them as the engine does) holds either
    policy: a disabled rule exempts nothing, and a disabled note is a team's choice to see no notes."""
    if RULE_NAME in disabled or NOTE_NAME in disabled:
        return []
    lists = []
    for policy in (RULE_NAME, NOTE_NAME):
        value = config.get(policy)
        entries = value.get(LIST_KEY, []) if isinstance(value, Mapping) else []
        lists.append(entries if isinstance(entries, list) else [])
    exempted, noted = lists
    missing = [entry for entry in exempted if not any(_covers(note, entry) for note in noted)]
    if not missing:
        return []
    return [
        f"{NOTE_NAME}.{LIST_KEY}: {RULE_NAME}.{LIST_KEY}'s entries would be exempted without a note: "
        f"{missing!r}; list each for both policies"
    ]


def _covers(note: Any, entry: Any) -> bool:
    """Whether the note's entry ``note`` notes every resource the rule's ``entry`` exempts."""
    if note == entry:
        return True
    if not (isinstance(note, Mapping) and isinstance(entry, Mapping)):
        return False
    reason, named, exempted = note.get("reason"), note.get("resource"), entry.get("resource")
    if not (isinstance(reason, str) and reason.strip() and isinstance(named, str)):
        return False
    if named == exempted:
        return note.get("type") in (None, entry.get("type"))
    # A logical name notes every resource of that name, the one a URN entry names among them.
    urn = _urn_parts(exempted)
    return urn is not None and named == urn[1] and note.get("type") in (None, entry.get("type"), urn[0])


def _urn_parts(value: Any) -> tuple[str, str] | None:
    """``(type, logical name)`` of a URN (``urn:pulumi:<stack>::<project>::<parent$>type::<name>``)."""
    if not (isinstance(value, str) and value.startswith("urn:pulumi:")):
        return None
    parts = value.split("::", 3)
    if len(parts) != 4:
        return None
    return parts[2].rsplit("$", 1)[-1], parts[3]


def _public_unless_listed(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Check:
    found = list(_public_by_default(args))
    if found and listed_reason(args, config.get(LIST_KEY)) is None:
        yield from found


def _public_by_design_noted(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Check:
    listed = listed_reason(args, config.get(LIST_KEY))
    if listed is None:
        return  # read nothing else: an unlisted resource is the rule's, never undecided here
    found = list(_public_by_default(args))
    if found:
        named, reason = listed
        yield f"public by design ({named!r} in {NOTE_NAME}.{LIST_KEY}): {reason}. " + " ".join(found)


def _switches_kept_on(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Check:
    if args.resource_type in PUBLIC_BY_DEFAULT:
        yield from _public_unless_listed(args, config)
    elif args.resource_type in STATES:
        yield from _state(args)
    elif args.resource_type == EMR_BPA:
        yield from _emr(args)
    elif args.resource_type in (SSM_SETTING, NATIVE_SSM_SETTING):
        yield from _ssm(args)
    elif args.resource_type == NATIVE_LIGHTSAIL_BUCKET:
        yield from _lightsail(args)


public_access_switches_kept_on = resource_rule(
    name=RULE_NAME,
    description=(
        "Account-level block-public-access switches a stack declares must stay on: EBS snapshot and AMI "
        "block public access, VPC block public access, EMR block public access, the SSM documents "
        "public-sharing setting, Lightsail bucket access rules; and resource switches whose unset position is "
        "public: App Runner ingress, DMS replication instances and instance profiles, RDS (aws-native) instances, "
        "Multi-AZ DB clusters and shard groups. Fix: set state='block-all-sharing' "
        "(snapshots) or 'block-new-sharing' (AMIs), internetGatewayBlockMode='block-ingress', "
        "blockPublicSecurityGroupRules=true with no permitted public port but 22, the SSM setting to 'Disable', getObject='private' with "
        "allowPublicOverrides=false, isPubliclyAccessible/publiclyAccessible=false; or, for a resource public "
        "by design, list it with the reason in publicByDesign (the account-level blocks cannot be listed)."
    ),
    resource_types=list(SWITCHES),
    check=_switches_kept_on,
    enforcement_level=MANDATORY,
    config={LIST_KEY: PUBLIC_BY_DESIGN},
    severity=HIGH,
    framework=framework(
        FSBP,
        "EC2.182",
        "EC2.172, EMR.2, SSM.7; Cfg ebs-snapshot-block-public-access, emr-block-public-access",
    ),
    tags=["public-access"],
)

public_by_design_noted = resource_rule(
    name=NOTE_NAME,
    description=(
        "A resource listed in publicByDesign (this policy's and public-access-switches-kept-on's) is public "
        "by design: its public-by-default switch is reported here, with the listed reason, for review. Fix: "
        "nothing while the reason holds; otherwise set isPubliclyAccessible/publiclyAccessible=false and "
        "drop the entry from both lists."
    ),
    resource_types=list(PUBLIC_BY_DEFAULT),
    check=_public_by_design_noted,
    enforcement_level=ADVISORY,
    config={LIST_KEY: PUBLIC_BY_DESIGN},
    severity=LOW,
    tags=["public-access"],
)

POLICIES = [public_access_switches_kept_on, public_by_design_noted]
