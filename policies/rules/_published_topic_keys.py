"""What alarm-topic-key-usable (policies/rules/observability.py) reads of the stack: the SNS topics a
publisher notifies, the publisher's aws:SourceArn, each topic's KMS keys and the key policy in
force in the key's Region."""

from __future__ import annotations

from typing import Any

from pulumi_policy import PolicyResource

from . import _topic_keys as keys
from ._common import (
    StackIndex,
    deps,
)
from ._iam_documents import all3
from ._observability_types import NATIVE_TOPIC, TOPIC

# --- the keys of the topics alarms and rules publish to ------------------------------------------

EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"  # ``arn``: the target
NATIVE_EVENT_RULE = "aws-native:events:Rule"  # ``targets[].arn``
KEYS = ("aws:kms/key:Key", "aws-native:kms:Key", "aws:kms/replicaKey:ReplicaKey", "aws-native:kms:ReplicaKey")
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
REPLICA_KEYS = ("aws:kms/replicaKey:ReplicaKey", "aws-native:kms:ReplicaKey")  # the primary's key id
ALIASES = ("aws:kms/alias:Alias", "aws-native:kms:Alias")
TOPICS = (TOPIC, NATIVE_TOPIC)
_ACTION_PROPS = ("alarmActions", "okActions", "insufficientDataActions")
_CLOUDWATCH, _EVENTS = "cloudwatch.amazonaws.com", "events.amazonaws.com"


def _is_sns_arn(value: Any) -> bool:
    """Whether ``value`` is an SNS ARN (its service field ``sns``): not a Lambda alias named ``sns``
    (``...:function:sns:live``) nor Scheduler's universal target ``arn:aws:scheduler:::aws-sdk:sns:...``."""
    return isinstance(value, str) and value.startswith("arn:") and value.split(":", 3)[2:3] == ["sns"]


def _literal_arns(value: Any) -> tuple[list[str], Any]:
    """The SNS ARNs a list (or single) input names, and its :class:`Unknown` part if any."""
    if isinstance(value, keys.Unknown):
        return [], value
    found = [v for v in keys.as_list(value) if _is_sns_arn(v)]
    pending = next((v for v in keys.as_list(value) if isinstance(v, keys.Unknown)), None)
    return found, pending


def _topic_arn(topic: PolicyResource) -> Any:
    """A topic's own ARN (``arn``; aws-native's ``topicArn``): known after create."""
    return keys.read(topic.props, "topicArn" if topic.resource_type == NATIVE_TOPIC else "arn")


def _names_topic(arn: str, topic: PolicyResource) -> str | None:
    """Whether a literal SNS ARN is ``topic``'s: ``"arn"`` when it is its ARN (known after create),
    ``"name"`` when, that ARN not known, its last field is the topic's name (a topic of the same name
    in another account or region may be the one meant), else None."""
    own = _topic_arn(topic)
    if isinstance(own, str) and own:
        return "arn" if arn == own else None
    name = keys.read(topic.props, "name") or keys.read(topic.props, "topicName")
    return "name" if isinstance(name, str) and bool(name) and arn.rsplit(":", 1)[-1] == name else None


def _published_topics(
    publisher: PolicyResource, stack: StackIndex, props: tuple[str, ...]
) -> tuple[list[tuple[PolicyResource, Any, bool]], list[str]]:
    """``(topic, its ARN as the publisher names it, whether surely that topic)`` for each topic of
    the stack ``publisher`` notifies through ``props`` (a property dependency, or a literal ARN naming
    the topic: surely it when by its ARN, maybe when by its name only); the ARN is :class:`Unknown`
    when not known yet. Then the literal SNS ARNs that name no topic of the stack (a central pager's:
    its encryption and key cannot be read here), when no topic it depends on may be one of them (one
    whose ARN and name are not known yet)."""
    found: dict[str, tuple[PolicyResource, Any, bool]] = {}
    outside: list[str] = []
    for prop in props:
        literal, pending = _literal_arns(keys.read(publisher.props, prop))
        linked = [d for d in deps(publisher, prop) if d.resource_type in TOPICS]
        unmatched = list(literal)
        for arn in literal:
            for topic in stack.of_type(TOPICS):
                if how := _names_topic(arn, topic):
                    found.setdefault(
                        topic.urn, (topic, arn, how == "arn" or topic.urn in {d.urn for d in linked})
                    )
                    unmatched.remove(arn)
                    break
        unclaimed = list(unmatched)
        for topic in linked:
            if topic.urn in found:
                continue
            # The one literal no topic claims is this topic's ARN only when nothing else is pending: an
            # ARN unknown at preview beside another topic's literal one (a central pager's) is this one.
            named: Any = (
                unmatched[0] if pending is None and len(linked) == 1 and len(unmatched) == 1 else None
            )
            own = _topic_arn(topic)
            if named is not None:
                unclaimed.remove(named)
            elif isinstance(own, str) and own:
                named = own
            else:
                named = pending or keys.unknown(f"{prop} (the topic's ARN)")
                if pending is None:
                    unclaimed = []  # a topic whose ARN is not known yet may be any of them
            found[topic.urn] = (topic, named, True)
        outside += [arn for arn in unclaimed if arn not in outside]
    # A literal an earlier input's dependency showed to be a topic's ARN (okActions beside alarmActions).
    claimed = {named for _, named, _ in found.values() if isinstance(named, str)}
    return list(found.values()), [arn for arn in outside if arn not in claimed]


def _source_arn(publisher: PolicyResource, topic_arn: Any) -> Any:
    """The ``aws:SourceArn`` of ``publisher``'s request: built from its name in the topic's
    partition, region and account (alarms and rules notify topics of their own region; an alarm's
    ARN is ``...:alarm:<name>``, a rule's ``...:rule/[<bus>/]<name>``), else its own ``arn``."""
    own = keys.read(publisher.props, "arn") if publisher.resource_type != EVENT_TARGET else None
    fields = keys.arn_fields(topic_arn) if isinstance(topic_arn, str) else None
    rule = publisher.resource_type in (EVENT_TARGET, NATIVE_EVENT_RULE)
    if rule:
        name = keys.read(publisher.props, "rule" if publisher.resource_type == EVENT_TARGET else "name")
    else:
        name = keys.read(publisher.props, "name") or keys.read(publisher.props, "alarmName")
    if fields is None or not isinstance(name, str) or not name:
        if isinstance(own, str) and own:
            return own
        pending = topic_arn if isinstance(topic_arn, keys.Unknown) else name
        return pending if isinstance(pending, keys.Unknown) else keys.unknown("the publisher's ARN")
    partition, region, account = fields[1], fields[3], fields[4]
    if rule:
        bus = keys.read(publisher.props, "eventBusName")
        if isinstance(bus, str) and bus.startswith("arn:"):
            bus = bus.rsplit("event-bus/", 1)[-1]  # a bus named by its ARN
        path = f"rule/{bus}/{name}" if isinstance(bus, str) and bus not in ("", "default") else f"rule/{name}"
        return f"arn:{partition}:events:{region}:{account}:{path}"
    return f"arn:{partition}:cloudwatch:{region}:{account}:alarm:{name}"


def _key_values(resource: PolicyResource) -> list[Any]:
    return [keys.read(resource.props, p) for p in ("arn", "keyId", "id")]


def _alias_names(alias: PolicyResource) -> list[Any]:
    return [keys.read(alias.props, "name"), keys.read(alias.props, "aliasName")]


def _keys_of(topic: PolicyResource, stack: StackIndex) -> tuple[list[PolicyResource], Any]:
    """The stack's KMS keys a topic's ``kmsMasterKeyId`` names (directly or through an alias), and
    the value itself (``None``: not encrypted)."""
    value = keys.read(topic.props, "kmsMasterKeyId")
    if value == "":
        value = None
    linked = deps(topic, "kmsMasterKeyId")
    found = [d for d in linked if d.resource_type in KEYS]
    aliases = [d for d in linked if d.resource_type in ALIASES]
    if isinstance(value, str):
        alias_name = value.split(":", 5)[-1] if value.startswith("arn:") and ":alias/" in value else value
        found += [k for k in stack.of_type(KEYS) if value in _key_values(k)]
        aliases += [a for a in stack.of_type(ALIASES) if alias_name in _alias_names(a)]
    for alias in aliases:
        target = keys.read(alias.props, "targetKeyId")
        found += [d for d in deps(alias, "targetKeyId") if d.resource_type in KEYS]
        found += [k for k in stack.of_type(KEYS) if isinstance(target, str) and target in _key_values(k)]
    return list({k.urn: k for k in found}.values()), value


def _key_document(key: PolicyResource, stack: StackIndex) -> Any:
    """The key's policy: the last KeyPolicy of the stack naming it (applied after the key) in its
    Region, else its own ``policy``/``keyPolicy`` (``None``, or a pulumi-aws key's unknown ``policy``
    that nothing it depends on computes: KMS's default key policy). A key id is
    Region-scoped (a multi-Region key's replicas share their primary's): a KeyPolicy managed in, or
    naming by ARN, another Region names another key; one whose Region is not known yet is undecided."""
    ids = [v for v in _key_values(key) if isinstance(v, str) and v]
    linked = stack.consumers(key, [KEY_POLICY], "keyId")
    named = [stack.having([KEY_POLICY], _key_policy_target, v, besides=linked) for v in dict.fromkeys(ids)]
    policies = stack.in_stack_order(linked, *named)  # the last one the stack applies wins
    placed = [(p, verdict) for p in policies if (verdict := _in_region(key, p)) is not False]
    if placed:
        policy, verdict = placed[-1]
        if isinstance(verdict, keys.Unknown):
            return keys.unknown(
                f"the Region of KeyPolicy {policy.name!r} or of KMS key {key.name!r} (it names the key's id, "
                "which a key of another Region may have too)"
            )
        return keys.parse_policy(keys.read(policy.props, "policy"))
    if not ids and (literal := _unclaimed_key_policy(key, stack)) is not None:
        # A replica key takes its primary's multi-Region key id, which may exist already: while its
        # own id and ARN are not known (preview) a KeyPolicy naming that id may be its policy.
        return keys.unknown(f"the id of KMS key {key.name!r} (a KeyPolicy's keyId is {literal!r})")
    if key.resource_type.startswith("aws-native:"):
        return keys.parse_policy(keys.read(key.props, "keyPolicy"))
    raw = keys.read(key.props, "policy")
    if isinstance(raw, keys.Unknown) and not deps(key, "policy"):
        # Optional+Computed: at preview the planned state's placeholder of a policy the program left
        # unset (``_stack_index.own_or_unset``), which KMS creates with its default key policy.
        raw = None
    return keys.parse_policy(raw)


def _key_policy_target(policy: PolicyResource) -> list[Any]:
    return [keys.read(policy.props, "keyId")]


def _region(resource: PolicyResource) -> Any:
    """The Region a resource is managed in: its own ``region`` (pulumi-aws 7 takes one per resource),
    else its provider's; :class:`keys.Unknown` while not known (preview); when neither sets one,
    ``("provider", <the provider's URN>)``: that provider's default, the same for all its resources."""
    own = keys.read(resource.props, "region")
    if own not in (None, ""):
        return own
    provider = resource.provider
    region = keys.read(provider.props, "region") if provider is not None else None
    return region if region not in (None, "") else ("provider", provider.urn if provider else None)


def _arn_region(value: Any) -> str | None:
    fields = keys.arn_fields(value) if isinstance(value, str) and value.startswith("arn:") else None
    return fields[3] if fields is not None and fields[3] else None


def _key_region(key: PolicyResource) -> Any:
    """A key's Region: its ARN's once known, else where it is managed (:func:`_region`)."""
    return _arn_region(keys.read(key.props, "arn")) or _region(key)


def _in_region(key: PolicyResource, policy: PolicyResource) -> Any:
    """Whether a KeyPolicy is applied in ``key``'s Region (:func:`_key_region`): the Region it is
    managed in, and the one its ``keyId`` names when an ARN, must both be that one. A KeyPolicy
    managed where the key is, by the default of the key's own provider (neither sets a Region), is in
    it whatever Region the key's ARN names. :class:`keys.Unknown` when one is not known yet, or is a
    provider's default compared with another provider's or a named Region (the default may be that
    Region or not)."""
    where, managed = _key_region(key), _region(key)
    regions = [_region(policy), _arn_region(keys.read(policy.props, "keyId"))]
    verdicts: list[Any] = []
    for region in (r for r in regions if r is not None):
        if isinstance(region, tuple) and region == managed:
            verdicts.append(True)  # one provider's default, the key's too (its ARN says which Region)
        elif isinstance(region, keys.Unknown) or isinstance(where, keys.Unknown):
            verdicts.append(region if isinstance(region, keys.Unknown) else where)
        elif (isinstance(region, str) and isinstance(where, str)) or region == where:
            verdicts.append(region == where)
        else:
            verdicts.append(keys.unknown(f"the Region of KeyPolicy {policy.name!r}"))
    return all3(verdicts)


def _unclaimed_key_policy(key: PolicyResource, stack: StackIndex) -> str | None:
    """The literal ``keyId`` of a KeyPolicy of the stack that may name ``key``, a key whose id and ARN
    are not known yet (created by this update), though it depends on no key and names none of the
    stack's keys whose ids are known (unless it is the replica's primary's); if any.

    KMS generates a new key's id when it creates it, so no literal written before names a key the
    update creates (or replaces): only a replica key, which takes its primary's multi-Region key id
    (``mrk-...``), may already be named by one, and only by that id (its ARN ends ``key/<id>``)."""
    if key.resource_type not in REPLICA_KEYS:
        return None
    primary = keys.read(key.props, "primaryKeyArn")
    primary_id = _key_id_of(primary) if isinstance(primary, str) else None
    known = {v for k in stack.of_type(KEYS) for v in _key_values(k) if isinstance(v, str) and v}
    for policy in stack.of_type([KEY_POLICY]):
        literal = keys.read(policy.props, "keyId")
        if (
            not isinstance(literal, str)
            or not _key_id_of(literal).startswith("mrk-")
            or any(d.resource_type in KEYS for d in deps(policy, "keyId"))
            or _in_region(key, policy) is False  # another Region's key of that id
        ):
            continue
        # The primary's id, the replica's too: named whether or not the primary is a key of the stack
        # (the KeyPolicy's Region says which of them it is). Unknown: any multi-Region id but those
        # keys of the stack already have, since a primary created now has a new one.
        if (_key_id_of(literal) == primary_id) if primary_id is not None else (literal not in known):
            return literal
    return None


def _key_id_of(value: str) -> str:
    """A key's id from its id or ARN (``arn:...:key/<id>``)."""
    return value.split(":key/", 1)[1] if value.startswith("arn:") and ":key/" in value else value
