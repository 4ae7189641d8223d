"""AWS's limits on values the components pass through, checked when their args are built.

A stack file is validated before it reaches a component (stacks/config.py), but the components are
also built directly, from Python or from another language through the component package: there a
value out of AWS's range must fail with the args' field named, not at deploy time.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, NoReturn

from pydantic import ConfigDict, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from .text_limits import ECHO_LIMIT as ECHO_LIMIT
from .text_limits import LISTED_LIMIT as LISTED_LIMIT
from .text_limits import each_once as each_once
from .text_limits import listed as listed
from .text_limits import shorten as shorten

LOG_RETENTION_DAYS: Final[tuple[int, ...]] = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip
"""Values CloudWatch Logs accepts for ``retentionInDays``."""


INT32_MAX: Final = 2**31 - 1
"""The largest value an AWS API ``Integer`` (a Java ``int``) or a Kubernetes ``int32`` field holds:
the bound of a count or size whose own limit neither AWS nor Kubernetes documents (a feature
group's TTL, an inference component's memory ceiling, a serving's replicas), so that a value AWS or
the API server would refuse as no integer of its type is refused naming the key instead."""
INT32_MIN: Final = -(2**31)
"""The smallest value an AWS API ``Integer`` holds (a step scaling policy's ``ScalingAdjustment``)."""


def in_range(args: object, field: str, low: int, high: int) -> None:
    """Raise ``ValueError`` naming ``<Args>.<field>`` unless its value is within ``low``-``high``."""
    integer_in_range(f"{type(args).__name__}.{field}", getattr(args, field), low, high)


def integer_in_range(where: str, value: object, low: int, high: int) -> None:
    """Raise ``ValueError`` naming ``where`` unless ``value`` is an integer (not a bool) within
    ``low``-``high``: :func:`in_range` for a value that is not an attribute (a mapping's)."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{where}: {value!r} is not an integer from {low} to {high}")


def one_of(args: object, field: str, allowed: tuple[int | str, ...]) -> None:
    """Raise ``ValueError`` naming ``<Args>.<field>`` unless its value is one of ``allowed``."""
    value = getattr(args, field)
    if isinstance(value, bool) or value not in allowed:
        raise ValueError(
            f"{type(args).__name__}.{field}: {value!r} is not one of {', '.join(map(str, allowed))}"
        )


SPEC_CONFIG: Final = ConfigDict(strict=True, extra="forbid", frozen=True, allow_inf_nan=False)
"""The model config of every spec a stack file fills in: exact types, no unknown keys, immutable,
and no ``.nan``/``.inf`` where a number goes (AWS rejects them, and comparisons with NaN are
always false, so a NaN would slip past every range check)."""


def fail_at(model: str, location: tuple[str | int, ...], value: object, message: str) -> NoReturn:
    """Raise a validation error at ``location`` below the model being validated, so that a rule
    checked across fields (in a model validator) still names the key to change."""
    raise _validation_error(model, [(location, value, message)])


def fail_at_each(model: str, problems: Sequence[tuple[tuple[str | int, ...], object, str]]) -> None:
    """:func:`fail_at` for every ``(location, value, message)`` at once, so that one run names each
    key to change rather than the first; nothing when there are none."""
    if problems:
        raise _validation_error(model, problems)


def _validation_error(
    model: str, problems: Sequence[tuple[tuple[str | int, ...], object, str]]
) -> ValidationError:
    return ValidationError.from_exception_data(
        model,
        [
            InitErrorDetails(
                type=PydanticCustomError("value_error", "{message}", {"message": message}),
                loc=location,
                input=value,
            )
            for location, value, message in problems
        ],
    )


def satisfies(args: object, field: str, problem_of: Callable[[Any], str | None]) -> None:
    """Raise ``ValueError`` naming ``<Args>.<field>`` when ``problem_of(value)`` finds a problem
    (e.g. a schedule expression or a time zone AWS would reject)."""
    problem = problem_of(getattr(args, field))
    if problem:
        raise ValueError(f"{type(args).__name__}.{field}: {problem}")


PHYSICAL_NAME_LIMITS: Final[dict[str, tuple[str, int]]] = {
    # type token: (input holding the resource's own name, AWS's longest name). Sources: botocore's
    # service models (tests/components/test_limits.py compares each with its shape), and the
    # service quotas pages where the model sets no maximum (SQS, SNS, dashboards, security groups).
    "aws:iam/role:Role": ("name", 64),
    "aws:iam/rolePolicy:RolePolicy": ("name", 128),
    "aws:iam/policy:Policy": ("name", 128),
    "aws:cloudwatch/eventRule:EventRule": ("name", 64),
    "aws:cloudwatch/eventConnection:EventConnection": ("name", 64),
    "aws:cloudwatch/eventApiDestination:EventApiDestination": ("name", 64),
    "aws:pipes/pipe:Pipe": ("name", 64),
    "aws:sfn/stateMachine:StateMachine": ("name", 80),
    "aws:scheduler/schedule:Schedule": ("name", 64),
    "aws:sqs/queue:Queue": ("name", 80),
    "aws:ecr/repository:Repository": ("name", 256),
    "aws:sns/topic:Topic": ("name", 256),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("name", 255),
    "aws:cloudwatch/dashboard:Dashboard": ("dashboardName", 255),
    "aws:budgets/budget:Budget": ("name", 100),
    "aws:costexplorer/anomalyMonitor:AnomalyMonitor": ("name", 1024),
    "aws:costexplorer/anomalySubscription:AnomalySubscription": ("name", 1024),
    "aws:cloudwatch/logGroup:LogGroup": ("name", 512),
    "aws:kms/alias:Alias": ("name", 256),
    "aws:cloudtrail/trail:Trail": ("name", 128),
    "aws:athena/workgroup:Workgroup": ("name", 128),
    "aws:appautoscaling/policy:Policy": ("name", 256),
    "aws:appautoscaling/scheduledAction:ScheduledAction": ("name", 256),
    "aws:ec2/securityGroup:SecurityGroup": ("name", 255),
    "aws:s3/bucket:Bucket": ("bucket", 63),
    "aws:sagemaker/model:Model": ("name", 63),
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": ("name", 63),
    "aws:sagemaker/endpoint:Endpoint": ("name", 63),
    "aws:sagemaker/monitoringSchedule:MonitoringSchedule": ("name", 63),
    "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition": ("name", 63),
    "aws-native:sagemaker:ModelQualityJobDefinition": ("jobDefinitionName", 63),
    "aws-native:sagemaker:ModelBiasJobDefinition": ("jobDefinitionName", 63),
    "aws-native:sagemaker:ModelExplainabilityJobDefinition": ("jobDefinitionName", 63),
    "aws-native:sagemaker:InferenceComponent": ("inferenceComponentName", 63),
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup": ("modelPackageGroupName", 63),
    "aws:sagemaker/featureGroup:FeatureGroup": ("featureGroupName", 64),
    "aws:sagemaker/pipeline:Pipeline": ("pipelineName", 256),
    "aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer": ("trackingServerName", 256),
}
"""AWS's length limit on each kind of physical name the platform creates. A name left out of the
inputs is Pulumi's auto-name, ``<logical name>-<7 random hex>``: see components.naming.child_name."""


S3_OBJECT_MAX_TAGS: Final = 10
"""S3's limit on tags per object (other resources take 50)."""


def object_tags(tags: Mapping[str, str], own: Mapping[str, str], first: Sequence[str] = ()) -> dict[str, str]:
    """The tags of an S3 object: ``own``, then the ``first`` keys of ``tags``, then the rest of ``tags``
    in order, at most :data:`S3_OBJECT_MAX_TAGS` in all (a stack may set up to 47 tags)."""
    chosen = dict(own)
    for key in [*(key for key in first if key in tags), *tags]:
        if len(chosen) >= S3_OBJECT_MAX_TAGS:
            break
        chosen.setdefault(key, tags[key])
    return chosen


PROCESSING_MAX_RUNTIME_SECONDS: Final = 9 * 24 * 3600
"""CreateProcessingJob: StoppingCondition.MaxRuntimeInSeconds is 1 to 777,600 (9 days); a training
job's goes to 28 days."""

MAX_TAGS_PER_RESOURCE: Final = 50
"""AWS's limit on tags per resource (user tags, the platform's and the component's together)."""
_TAG_CHARACTERS: Final = "letters, digits, spaces and _.:/=+-@"


def _tag_characters_problem(text: str) -> bool:
    """Whether ``text`` has a character outside AWS's tag set ``\\p{L}\\p{Z}\\p{N}_.:/=+\\-@``."""
    return any(
        unicodedata.category(character)[0] not in "LZN" and character not in "_.:/=+-@" for character in text
    )


def aws_tag_problem(key: str, value: str) -> str | None:
    """Why AWS would refuse the tag ``key: value``, or None (lengths count Unicode characters)."""
    if not 1 <= len(key) <= 128:
        return f"tag key '{key[:40]}': 1-128 characters (got {len(key)})"
    if _tag_characters_problem(key):
        return f"tag key '{key}': only {_TAG_CHARACTERS}"
    if key.lower().startswith("aws:"):
        return f"tag key '{key}': the aws: prefix is reserved by AWS"
    if len(value) > 256:
        return f"tag '{key}' value: at most 256 characters (got {len(value)})"
    if _tag_characters_problem(value):
        return f"tag '{key}' value '{value}': only {_TAG_CHARACTERS}"
    return None


DATA_CLASS_TAG = "mlops:data-class"
"""The tag a platform bucket (SecureBucket, AccessLogBucket) adds: what its objects are."""


def own_tags(tags: object, *keys: str) -> int:
    """How many of the ``keys`` a component adds are new to ``tags`` (one the caller set is replaced,
    not added): the ``own`` of :func:`tags_problem`."""
    return sum(1 for key in keys if not (isinstance(tags, Mapping) and key in tags))


def string_map_problem(value: object, what: str) -> str | None:
    """Why ``value`` is not a mapping of ``what`` keys to values that are all strings, naming the
    first key or value that is not one, or None. A YAML ``yes: x``, ``1: x`` or ``x: 1.10`` reaches
    Python as ``True``, ``1`` or ``1.1``, which would otherwise be written as ``true``, ``1`` or
    ``1.1``: a key or value other than the one the adopter meant, set without a word."""
    if not isinstance(value, Mapping):
        return f"{value!r} is not a mapping of {what} keys to values (strings)"
    for key, item in value.items():
        if not isinstance(key, str):
            return (
                f"{what} key {key!r} is a {type(key).__name__}, not a string: {what} keys and values are "
                "strings (quote a yes, no, on, off or number written as a YAML key)"
            )
        if not isinstance(item, str):
            return (
                f"{what} '{key}' has the value {item!r}, a {type(item).__name__}, not a string: {what} "
                "values are strings (quote a yes, no, on, off or number written as a YAML value)"
            )
    return None


def tags_problem(tags: object, own: int = 0) -> str | None:
    """Why AWS would refuse ``tags`` on a component's resources, or None: strings only
    (:func:`string_map_problem`), at most :data:`MAX_TAGS_PER_RESOURCE` with the ``own`` tags the
    component adds (``mlops:*``), each tag within :func:`aws_tag_problem`, and no two keys
    differing only in case (IAM refuses them on a role)."""
    problem = string_map_problem(tags, "tag")
    if problem or not isinstance(tags, Mapping):
        return problem
    if len(tags) + own > MAX_TAGS_PER_RESOURCE:
        added = (
            f" and the component adds {own} of its own, so at most {MAX_TAGS_PER_RESOURCE - own}"
            if own
            else ""
        )
        return f"{len(tags)} tags; AWS takes at most {MAX_TAGS_PER_RESOURCE} per resource{added}"
    for key, value in tags.items():
        problem = aws_tag_problem(key, value)
        if problem:
            return problem
    collision = case_collision(tags)
    return case_collision_problem(*collision) if collision else None


def trail_tags_problem(tags: object, own: int = 0) -> str | None:
    """:func:`tags_problem` for the tags of a CloudTrail trail, which also refuses an empty value
    (CloudTrail's ``TagValue`` is 1-256 characters; most services take 0-256), or None."""
    problem = tags_problem(tags, own=own)
    if problem is None and isinstance(tags, Mapping):
        empty = next((key for key, value in tags.items() if value == ""), None)
        if empty is not None:
            return f"tag '{empty}' has an empty value, which CloudTrail refuses on a trail"
    return problem


def case_collision(tags: Mapping[str, str]) -> tuple[str, str] | None:
    """The first two keys of ``tags`` that differ only in case (IAM refuses them on a role), or None."""
    folded: dict[str, str] = {}
    for key in tags:
        if key.lower() in folded:
            return folded[key.lower()], key
        folded[key.lower()] = key
    return None


def case_collision_problem(first: str, second: str) -> str:
    return f"tag keys '{first}' and '{second}' differ only in case, which IAM refuses"


IAM_PATH_MAX: Final = 512
_IAM_PATH = re.compile(r"/|/[\x21-\x7e]+/")


def iam_path_problem(path: object) -> str | None:
    """Why IAM would refuse ``path`` as a role's path, or None. The key policies trust the roles
    under it (``arn:aws:iam::<account>:role<path>*``): a path without its slashes matches no role."""
    if isinstance(path, str) and len(path) <= IAM_PATH_MAX and _IAM_PATH.fullmatch(path):
        return None
    return (
        f"{path!r} is not an IAM path: '/' or '/<path>/' (printable ASCII, no spaces), at most "
        f"{IAM_PATH_MAX} characters, e.g. '/team-x/'"
    )


# What the services given a role's ARN with a pattern take of its path (botocore's RoleArn patterns
# of SageMaker, Lambda, Pipes, Firehose: role/?[a-zA-Z_0-9+=,.@\-_/]+; EventBridge Scheduler's \w
# is no wider in ASCII, and IAM takes nothing else). Step Functions' roleArn, EventBridge rule
# targets' RoleArn, EC2's flow-log DeliverLogsPermissionArn, CloudTrail's CloudWatchLogsRoleArn and
# EKS Pod Identity's roleArn have no pattern: a role only they are given keeps IAM's rule.
_SERVICE_ROLE_PATH = re.compile(r"/|/[A-Za-z0-9+=,.@_/-]+/")
PATTERNED_ROLE_SERVICES: Final = frozenset(
    {
        "sagemaker.amazonaws.com",
        "scheduler.amazonaws.com",
        "pipes.amazonaws.com",
        "lambda.amazonaws.com",
        "firehose.amazonaws.com",
    }
)
"""Service principals whose API takes a role's ARN only of letters, digits and ``+=,.@_-/``."""


def service_role_path_problem(path: object) -> str | None:
    """Why ``path`` cannot be the path of a role SageMaker, EventBridge Scheduler or Pipes is given,
    or None. IAM creates a role under any printable ASCII path, but those services (and Lambda,
    Firehose) refuse a role ARN with any other character than letters, digits and ``+=,.@_-/``: a
    component's role under ``/team~x/`` was created, then refused by every model, job, schedule or
    pipe given it."""
    problem = iam_path_problem(path)
    if problem is None and not _SERVICE_ROLE_PATH.fullmatch(str(path)):
        return (
            f"{path!r} is an IAM path, but not one of a role a service is given: SageMaker, EventBridge "
            "Scheduler and Pipes take role ARNs of letters, digits and +=,.@_-/ only"
        )
    return problem


_IAM_POLICY_PATH = re.compile(r"(/[A-Za-z0-9.,+@=_-]+)*/")


def iam_policy_path_problem(path: object) -> str | None:
    """Why IAM would refuse ``path`` as a managed policy's path (CreatePolicy's ``policyPathType``,
    narrower than a role's: each segment of letters, digits and ``.,+@=_-``), or None."""
    if isinstance(path, str) and len(path) <= IAM_PATH_MAX and _IAM_POLICY_PATH.fullmatch(path):
        return None
    return (
        f"{path!r} is not an IAM path a managed policy takes: '/' or '/<segment>/.../' of letters, "
        f"digits and .,+@=_-, at most {IAM_PATH_MAX} characters (a role takes any printable ASCII)"
    )


_REGION = re.compile(r"[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}")
# The regions of AWS's other partitions (botocore's partitions.json, ``regionRegex``): the components
# write ``arn:aws:`` ARNs and principals, which match nothing there.
_OTHER_PARTITIONS = (
    ("aws-cn", re.compile(r"cn-[a-z]+-[0-9]+")),
    ("aws-us-gov", re.compile(r"us-gov-[a-z]+-[0-9]+")),
    ("aws-iso", re.compile(r"us-iso-[a-z]+-[0-9]+")),
    ("aws-iso-b", re.compile(r"us-isob-[a-z]+-[0-9]+")),
    ("aws-iso-e", re.compile(r"eu-isoe-[a-z]+-[0-9]+")),
    ("aws-iso-f", re.compile(r"us-isof-[a-z]+-[0-9]+")),
    ("aws-eusc", re.compile(r"eusc-de-[a-z]+-[0-9]+")),
)


def instance_problem(value: object, kind: type) -> str | None:
    """Why ``value`` is not a ``kind`` (a spec model, or the dataclass the field names), or None: a
    dict or a stack file's JSON passed where an args field takes the built model would otherwise
    surface as an ``AttributeError`` deep in the component."""
    if isinstance(value, kind):
        return None
    build = (
        f"{kind.__name__}.model_validate(...)" if hasattr(kind, "model_validate") else f"{kind.__name__}(...)"
    )
    return f"a {type(value).__name__} is not an instance of {kind.__name__}: build it with {build}"


def instances_problem(values: object, kind: type) -> str | None:
    """:func:`instance_problem` for each of a sequence (a string is no sequence here)."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        return f"a {type(values).__name__} is not a list of {kind.__name__}"
    return next(
        (f"[{i}]: {problem}" for i, value in enumerate(values) if (problem := instance_problem(value, kind))),
        None,
    )


def account_ids_problem(accounts: object) -> str | None:
    """Why ``accounts`` is not a list of 12-digit account ids (the first bad one), or None: an ECR
    registry URL or a typo in an ARN's account field matches no repository or role."""
    if isinstance(accounts, str) or not isinstance(accounts, Sequence):
        return f"{accounts!r} is not a list of 12-digit AWS account ids"
    return next(filter(None, map(account_id_problem, accounts)), None)


def region_problem(region: object) -> str | None:
    """Why ``region`` is no AWS region code of the commercial partition, or None. A component writes its region into ARNs,
    service names and conditions (``kms:ViaService``, ECR repositories, log groups): a typo such
    as ``eu-west1`` matches nothing and fails only when a job or endpoint is denied."""
    if not (isinstance(region, str) and _REGION.fullmatch(region)):
        return f"{region!r} is not an AWS region code (e.g. 'eu-west-1', 'us-east-1')"
    for partition, regions in _OTHER_PARTITIONS:
        if regions.fullmatch(region):
            return (
                f"{region!r} is in the {partition} partition: the components write arn:aws: ARNs and "
                "principals, so they build only in the commercial partition's regions"
            )
    return None


def account_id_problem(account_id: object) -> str | None:
    """Why ``account_id`` is no AWS account id (12 digits, as a stack file's ``account_id``), or None:
    the components write it into policies' principals (``arn:aws:iam::<account>:root``), which KMS
    and IAM refuse for anything else, and into the ARNs of their permissions."""
    if not isinstance(account_id, str) or not (
        len(account_id) == 12 and account_id.isascii() and account_id.isdigit()
    ):
        return f"{account_id!r} is not a 12-digit AWS account id"
    return None
