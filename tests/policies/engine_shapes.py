"""Recorded resources reshaped the way the engine hands them to stack policies after ``pulumi up``.

At ``pulumi preview`` stack policies see each resource's planned state: for a resource to create
(or replace), its inputs, with unknowns, and every Optional+Computed property left unset unknown too
(pulumi-terraform-bridge's preview ``Create`` returns ``diff.ProposedState``;
tests/policies/test_engine_path_67.py); one that exists keeps its state's values of what is
unchanged (the preview ``Update``'s plan), and one whose provider's configuration is unknown at
preview has no properties at all (pulumi's ``provider.Create``); once ``pulumi up``
has created them they see the resources' *outputs*: every state property of the provider, with
what was not set reported as pulumi-aws's bridged (SDKv2) state reports it, computed values
filled in (``id``, ``arn``, ``region``, ``tagsAll``, generated ``name``, ``namePrefix``), and the
property dependencies unchanged. :func:`as_outputs` turns records (the recorder's, or the policy
tests' spec records) into that shape, so every stack rule can be run over both.

How an unset property reads in the outputs (from the ``pulumi_aws`` resource and output classes'
getters and their types):

* strings ``""``, lists ``[]``, maps ``{}``, booleans ``false``, numbers ``0``; nested objects
  ``null``; the same inside nested objects that are set (the SDKv2 state's zero values);
* provider defaults where the schema has one (``DEFAULTS``), e.g. an alarm's ``actionsEnabled``
  ``true`` and ``treatMissingData`` ``"missing"``, a variant's ``initialVariantWeight`` ``1``;
* ``name``: the input, else ``namePrefix`` + a timestamp suffix, else the recorded (mocked)
  physical name, else ``<logical name>-<7 hex>`` as Pulumi auto-naming does; ``namePrefix``
  ``""`` unless given;
* inputs that were unknown must be given their applied value in ``resolved`` (no unknowns after
  apply).

Types outside pulumi-aws keep the recorded outputs (inputs plus the mocks' computed values).
"""

from __future__ import annotations

import hashlib
import importlib
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pulumi_policy.proxy import (
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
)

REGION = "eu-west-1"
ACCOUNT = "111122223333"
UNKNOWNS = frozenset(
    {
        UNKNOWN_STRING_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_OBJECT_VALUE,
    }
)
NAME_PREFIX_SUFFIX = "20261202003000000000000001"
"""What the provider appends to a ``namePrefix`` (a creation timestamp and a counter)."""

#: Provider defaults of unset properties, per type token and dotted path ("[]" steps into lists).
DEFAULTS: Mapping[str, Mapping[str, Any]] = {
    "aws:cloudwatch/metricAlarm:MetricAlarm": {"actionsEnabled": True, "treatMissingData": "missing"},
    # A trail's `enableLogging` and `includeGlobalServiceEvents`: "Defaults to `true`" (schema defaults:
    # the provider calls StartLogging and reads the trail back logging).
    "aws:cloudtrail/trail:Trail": {"enableLogging": True, "includeGlobalServiceEvents": True},
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": {
        "productionVariants[].initialVariantWeight": 1.0,
        "shadowProductionVariants[].initialVariantWeight": 1.0,
    },
    # Access points' public access blocks: each flag "Defaults to `true`" (the schema default), so a
    # block that sets one flag reads the other three back true after create.
    "aws:s3/accessPoint:AccessPoint": {
        f"publicAccessBlockConfiguration.{flag}": True
        for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    },
    "aws:s3control/multiRegionAccessPoint:MultiRegionAccessPoint": {
        f"details.publicAccessBlock.{flag}": True
        for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    },
    # Switches whose unset position is public: the instance profile's schema default ("Default is
    # `true`"); the others are computed, read back as AWS chose (RDS: public with no DB subnet group
    # or the `default` one, the case these records model; an Aurora cluster reports none: false,
    # `_defaults`). A replication instance's is not here: the
    # provider sends false when it is unset, and reads false back.
    "aws:dms/instanceProfile:InstanceProfile": {"publiclyAccessible": True},
    "aws:rds/cluster:Cluster": {"publiclyAccessible": True},
    "aws:rds/shardGroup:ShardGroup": {"publiclyAccessible": True},
    # EBS encryption by default: "Defaults to `true`" (the schema default the provider sends).
    "aws:ebs/encryptionByDefault:EncryptionByDefault": {"enabled": True},
    # Redshift: `encrypted` (a string) "Default is `true`"; AWS encrypts every new cluster since 2023.
    "aws:redshift/cluster:Cluster": {"encrypted": "true"},
    # An ECS service's managed EBS volume: `encrypted` "Default value is `true`" (the schema default the
    # provider sends and reads back).
    "aws:ecs/service:Service": {"volumeConfiguration.managedEbsVolume.encrypted": True},
    "aws:appautoscaling/target:Target": {
        "suspendedState": {
            "dynamicScalingInSuspended": False,
            "dynamicScalingOutSuspended": False,
            "scheduledScalingSuspended": False,
        },
    },
}


def _defaults(type_token: str, props: Mapping[str, Any]) -> Mapping[str, Any]:
    """:data:`DEFAULTS` of ``type_token`` as they apply to a resource of ``props``: an Aurora
    cluster's ``publiclyAccessible`` is not the Multi-AZ default (true) but absent from what
    DescribeDBClusters returns ("only for non-Aurora Multi-AZ DB clusters", botocore's rds model),
    which the provider reads back as SDKv2's zero value, false."""
    defaults = DEFAULTS.get(type_token, {})
    if type_token == "aws:rds/cluster:Cluster" and str(props.get("engine") or "").startswith("aurora"):
        return {path: value for path, value in defaults.items() if path != "publiclyAccessible"}
    return defaults


@dataclass(frozen=True)
class EngineRecord:
    """A record with ``inputs`` holding the outputs the engine sends (the PlannedResource protocol)."""

    type: str
    name: str
    urn: str
    inputs: Mapping[str, Any]
    parent: str | None = None
    dependencies: Sequence[str] = ()
    property_dependencies: Mapping[str, Sequence[str]] = field(default_factory=dict)
    protect: bool = False
    provider: str | None = None
    custom: bool = True
    ignore_changes: Sequence[str] = ()
    custom_timeouts: Mapping[str, str] = field(default_factory=dict)


def as_outputs(
    records: Sequence[Any], resolved: Mapping[str, Mapping[str, Any]] | None = None
) -> list[EngineRecord]:
    """``records`` as the engine's stack-policy resources after apply.

    ``resolved`` maps a logical name to ``{input: applied value}`` for inputs that were unknown.
    """
    resolved = resolved or {}
    return [
        EngineRecord(
            type=r.type,
            name=r.name,
            urn=r.urn,
            inputs=_outputs_of(r, resolved.get(r.name, {})),
            parent=r.parent,
            dependencies=tuple(r.dependencies),
            property_dependencies={k: tuple(v) for k, v in r.property_dependencies.items()},
            protect=bool(r.protect),
            provider=r.provider,
            custom=bool(r.custom),
            ignore_changes=tuple(getattr(r, "ignore_changes", ()) or ()),
            custom_timeouts=dict(getattr(r, "custom_timeouts", {}) or {}),
        )
        for r in records
    ]


def _outputs_of(record: Any, resolved: Mapping[str, Any]) -> dict[str, Any]:
    recorded = dict(getattr(record, "outputs", None) or {})
    props = {**record.inputs, **resolved}
    _no_unknowns(record.name, props)
    if not record.custom:
        return recorded  # a component's registered outputs (none are recorded)
    cls = resource_class(record.type)
    if cls is None:
        return {**recorded, **props}
    state = _fill(cls, props, _defaults(record.type, props), "")
    name = _name(record, props, recorded)
    computed = {
        "id": recorded.get("id") or name,
        "name": name,
        "namePrefix": props.get("namePrefix") or "",
        "arn": recorded.get("arn") or _arn(record, name, props),
        "region": REGION,
        "tagsAll": {**(props.get("tags") or {})},
    }
    for key, value in computed.items():
        if key == "id" or (key in state and key not in props):
            state[key] = value
    return state


def _no_unknowns(name: str, value: Any, path: str = "") -> None:
    if isinstance(value, str) and value in UNKNOWNS:
        raise ValueError(f"{name}.{path.lstrip('.')} is unknown: give its applied value in `resolved`")
    if isinstance(value, Mapping):
        for key, item in value.items():
            _no_unknowns(name, item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _no_unknowns(name, item, f"{path}[{index}]")


def _name(record: Any, props: Mapping[str, Any], recorded: Mapping[str, Any]) -> str:
    if props.get("name"):
        return str(props["name"])
    if props.get("namePrefix"):
        return f"{props['namePrefix']}{NAME_PREFIX_SUFFIX}"
    if recorded.get("name"):
        return str(recorded["name"])
    return f"{record.name}-{hashlib.sha256(record.urn.encode()).hexdigest()[:7]}"


def _arn(record: Any, name: str, props: Mapping[str, Any]) -> str:
    """The ARN the provider reports for ``record`` named ``name`` (AWS General Reference, "Amazon
    Resource Names", and each service's "Resource types defined by ..." table): the shapes of
    :data:`ARN_SHAPES`, else ``<kind>/<name>`` in the resource part (the most common shape)."""
    _, module, class_name = record.type.split(":")
    shape = ARN_SHAPES.get(record.type)
    if shape is not None:
        return shape(name, props, _uuid(record.urn))
    kind = "".join("-" + c.lower() if c.isupper() else c for c in class_name).lstrip("-")
    return f"arn:aws:{module.split('/')[0]}:{REGION}:{ACCOUNT}:{kind}/{name}"


def _uuid(seed: str) -> str:
    """A stable UUID for a resource whose ARN carries one the service generates (a KMS key's id)."""
    digest = hashlib.sha256(seed.encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


def _in(service: str, resource: str, *, region: str = REGION, account: str = ACCOUNT) -> str:
    return f"arn:aws:{service}:{region}:{account}:{resource}"


def _iam_path(props: Mapping[str, Any]) -> str:
    path = props.get("path") or "/"
    return path if path.endswith("/") else f"{path}/"


def _subscription_arn(_: str, props: Mapping[str, Any], uuid: str) -> str:
    """A subscription's ARN is its topic's with the subscription's UUID appended."""
    topic = props.get("topic")
    if not isinstance(topic, str) or not topic.startswith("arn:"):
        topic = _in("sns", str(topic or "topic"))
    return f"{topic}:{uuid}"


def _scaling_policy_arn(name: str, props: Mapping[str, Any], uuid: str) -> str:
    resource = props.get("resourceId") or ""
    return _in(
        "autoscaling",
        f"scalingPolicy:{uuid}:resource/{props.get('serviceNamespace') or ''}/{resource}:policyName/{name}",
    )


def _rule_arn(name: str, props: Mapping[str, Any], _: str) -> str:
    bus = props.get("eventBusName") or "default"
    return _in("events", f"rule/{name}" if bus == "default" else f"rule/{bus}/{name}")


def _sagemaker(kind: str, name_property: str = "name") -> Callable[[str, Mapping[str, Any], str], str]:
    """SageMaker reports its ARNs with the resource's name (``name_property``) in lower case."""
    return lambda name, p, __: _in("sagemaker", f"{kind}/{str(p.get(name_property) or name).lower()}")


def _bucket_arn(name: str, props: Mapping[str, Any], _: str) -> str:
    return f"arn:aws:s3:::{props.get('bucket') or name}"


#: The real ARN shapes (name, properties, a stable UUID) -> ARN, where ``<kind>/<name>`` is wrong.
ARN_SHAPES: Mapping[str, Callable[[str, Mapping[str, Any], str], str]] = {
    "aws:sns/topic:Topic": lambda name, _, __: _in("sns", name),
    "aws:sns/topicSubscription:TopicSubscription": _subscription_arn,
    "aws:sqs/queue:Queue": lambda name, _, __: _in("sqs", name),
    "aws:cloudwatch/metricAlarm:MetricAlarm": lambda name, _, __: _in("cloudwatch", f"alarm:{name}"),
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": lambda name, _, __: _in("cloudwatch", f"alarm:{name}"),
    "aws:cloudwatch/dashboard:Dashboard": lambda name, _, __: _in(
        "cloudwatch", f"dashboard/{name}", region=""
    ),
    "aws:cloudwatch/logGroup:LogGroup": lambda name, _, __: _in("logs", f"log-group:{name}"),
    "aws:cloudwatch/eventRule:EventRule": _rule_arn,
    "aws:cloudwatch/eventBus:EventBus": lambda name, _, __: _in("events", f"event-bus/{name}"),
    "aws:lambda/function:Function": lambda name, _, __: _in("lambda", f"function:{name}"),
    "aws:s3/bucket:Bucket": _bucket_arn,
    "aws:s3/bucketV2:BucketV2": _bucket_arn,
    "aws:iam/role:Role": lambda name, p, _: _in("iam", f"role{_iam_path(p)}{name}", region=""),
    "aws:iam/policy:Policy": lambda name, p, _: _in("iam", f"policy{_iam_path(p)}{name}", region=""),
    "aws:iam/user:User": lambda name, p, _: _in("iam", f"user{_iam_path(p)}{name}", region=""),
    "aws:iam/group:Group": lambda name, p, _: _in("iam", f"group{_iam_path(p)}{name}", region=""),
    "aws:iam/instanceProfile:InstanceProfile": lambda name, p, _: _in(
        "iam", f"instance-profile{_iam_path(p)}{name}", region=""
    ),
    "aws:kms/key:Key": lambda _, __, uuid: _in("kms", f"key/{uuid}"),
    "aws:kms/replicaKey:ReplicaKey": lambda _, __, uuid: _in("kms", f"key/mrk-{uuid.replace('-', '')}"),
    "aws:kms/externalKey:ExternalKey": lambda _, __, uuid: _in("kms", f"key/{uuid}"),
    "aws:kms/alias:Alias": lambda name, _, __: _in(
        "kms", name if name.startswith("alias/") else f"alias/{name}"
    ),
    "aws:sfn/stateMachine:StateMachine": lambda name, _, __: _in("states", f"stateMachine:{name}"),
    "aws:scheduler/schedule:Schedule": lambda name, p, _: _in(
        "scheduler", f"schedule/{p.get('groupName') or 'default'}/{name}"
    ),
    "aws:secretsmanager/secret:Secret": lambda name, _, uuid: _in(
        "secretsmanager", f"secret:{name}-{uuid[:6]}"
    ),
    "aws:appautoscaling/policy:Policy": _scaling_policy_arn,
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": _sagemaker("endpoint-config"),
    "aws:sagemaker/endpoint:Endpoint": _sagemaker("endpoint"),
    "aws:sagemaker/model:Model": _sagemaker("model"),
    "aws:sagemaker/pipeline:Pipeline": _sagemaker("pipeline", "pipelineName"),
    "aws:sagemaker/notebookInstance:NotebookInstance": _sagemaker("notebook-instance"),
    "aws:sagemaker/featureGroup:FeatureGroup": _sagemaker("feature-group", "featureGroupName"),
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup": _sagemaker(
        "model-package-group", "modelPackageGroupName"
    ),
    "aws:sagemaker/monitoringSchedule:MonitoringSchedule": _sagemaker("monitoring-schedule"),
    "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition": _sagemaker(
        "data-quality-job-definition"
    ),
}


# --- the provider's state shape, from the pulumi_aws classes ---------------------------


@cache
def resource_class(resource_type: str) -> type | None:
    """The pulumi_aws class of a type token (``aws:sagemaker/endpoint:Endpoint``), None outside it."""
    package, module, class_name = resource_type.split(":")
    if package != "aws":
        return None
    try:
        return getattr(importlib.import_module(f"pulumi_aws.{module.split('/')[0]}"), class_name, None)
    except ImportError:
        return None


@cache
def output_properties(cls: type) -> dict[str, Any]:
    """camelCase output property -> its type (``Optional``/``Sequence`` of an output class, ...)."""
    module = importlib.import_module(cls.__module__.rsplit(".", 1)[0])
    namespace = {"outputs": getattr(module, "outputs", None), **vars(typing)}
    result: dict[str, Any] = {}
    for attribute, value in vars(cls).items():
        if isinstance(value, property) and value.fget is not None:
            hint = value.fget.__annotations__.get("return", Any)
            if isinstance(hint, str):  # a postponed annotation of pulumi_aws
                hint = eval(hint, namespace)
            result[getattr(value.fget, "_pulumi_name", attribute)] = _unwrap_output(hint)
    return result


def _unwrap_output(hint: Any) -> Any:
    args = typing.get_args(hint)
    return (
        args[0] if typing.get_origin(hint) is not None and "Output" in str(typing.get_origin(hint)) else hint
    )


def _resolve(hint: Any, module: Any) -> Any:
    if isinstance(hint, typing.ForwardRef):
        return eval(hint.__forward_arg__, {"outputs": module})
    return hint


def _optional(hint: Any) -> Any:
    """``Optional[X]`` -> ``X``."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    return args[0] if typing.get_origin(hint) is typing.Union and len(args) == 1 else hint


def _zero(hint: Any) -> Any:
    origin = typing.get_origin(hint)
    if hint is str:
        return ""
    if hint is bool:
        return False
    if hint in (int, float):
        return 0
    if origin in (list, Sequence):
        return []
    if origin in (dict, Mapping):
        return {}
    return None  # a nested object


def _element(hint: Any) -> Any:
    args = typing.get_args(hint)
    return args[0] if args else None


def _fill(cls: type, value: Mapping[str, Any], defaults: Mapping[str, Any], path: str) -> dict[str, Any]:
    """``value`` with every property of ``cls`` (a resource or nested output class) the provider reports."""
    outputs = _outputs_module(cls)
    result: dict[str, Any] = {}
    for key, hint in output_properties(cls).items():
        inner = _resolve(_optional(hint), outputs)
        here = f"{path}{key}"
        if value.get(key) is not None:
            result[key] = _nested(value[key], inner, outputs, defaults, here)
        elif here in defaults:
            result[key] = defaults[here]
        else:
            result[key] = _zero(inner)
    for key in value:  # keep what the class does not know (an input newer than the SDK)
        result.setdefault(key, value[key])
    return result


def _nested(value: Any, hint: Any, outputs: Any, defaults: Mapping[str, Any], path: str) -> Any:
    element = _resolve(_element(hint), outputs)
    if isinstance(value, Mapping) and _is_output_class(hint):
        return _fill(hint, value, defaults, f"{path}.")
    if isinstance(value, list | tuple) and _is_output_class(element):
        return [_fill(element, v, defaults, f"{path}[].") if isinstance(v, Mapping) else v for v in value]
    return value


def _is_output_class(hint: Any) -> bool:
    return (
        isinstance(hint, type)
        and hint.__module__.startswith("pulumi_aws.")
        and hint.__module__.endswith(".outputs")
    )


def _outputs_module(cls: type) -> Any:
    package = importlib.import_module(cls.__module__.rsplit(".", 1)[0])
    return getattr(package, "outputs", package)
