"""Compare a stack's expectations with what AWS reports (boto3), one result per expectation.

Read-only: every call is a Describe, a List, or a HeadObject/GetObject of a monitoring baseline
file or Clarify analysis config (reading a KMS-encrypted config also takes kms:Decrypt on the
platform key, which the deploy role has), so the deploy role can run it.
A missing resource, an unexpected state or an API error is a FAIL line, never an exception: the
report must show everything that is wrong in one run (a call the identity may not make is an
``access denied`` FAIL line naming it). Only failures to reach AWS at all (no credentials, rejected
or expired credentials, no network) propagate, as botocore errors.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from botocore.exceptions import ClientError

from delivery.aws_errors import is_access_problem, is_credential_problem
from delivery.expectations import (
    EndpointExpectation,
    Expectation,
    ModelPackageGroupExpectation,
    MonitoringBaselinesExpectation,
    MonitoringScheduleExpectation,
    PipelineExpectation,
    ScalableTargetExpectation,
    Unverifiable,
    VariantExpectation,
    describe_endpoint_state,
)

Status = Literal["ok", "FAIL", "skip"]


@dataclass(frozen=True)
class Clients:
    """The boto3 clients the check reads through (a moto-backed pair in tests)."""

    sagemaker: Any
    autoscaling: Any
    s3: Any

    @classmethod
    def for_region(cls, region: str) -> Clients:
        import boto3

        return cls(
            sagemaker=boto3.client("sagemaker", region_name=region),
            autoscaling=boto3.client("application-autoscaling", region_name=region),
            s3=boto3.client("s3", region_name=region),
        )


@dataclass(frozen=True)
class Result:
    check: str
    resource: str
    expected: str
    actual: str
    status: Status

    @property
    def ok(self) -> bool:
        return self.status != "FAIL"


def check(expectations: Iterable[Expectation], clients: Clients) -> list[Result]:
    """One :class:`Result` per expectation, in order."""
    cloud = _Cloud(clients)
    results: list[Result] = []
    for expectation in expectations:
        status: Status
        if isinstance(expectation, Unverifiable):
            status, actual = "skip", "not verified"
        else:
            passed, actual = _CHECKS[type(expectation)](expectation, cloud)
            status = "ok" if passed else "FAIL"
        results.append(Result(expectation.kind, expectation.resource, expectation.expected, actual, status))
    return results


class _Cloud:
    """The clients, with DescribeEndpoint memoised: the endpoint and each variant line read it."""

    def __init__(self, clients: Clients) -> None:
        self.sagemaker = clients.sagemaker
        self.autoscaling = clients.autoscaling
        self.s3 = clients.s3
        self._endpoints: dict[str, dict[str, Any] | str] = {}

    def endpoint(self, name: str) -> dict[str, Any] | str:
        """DescribeEndpoint's answer, or a short text saying why there is none."""
        if name not in self._endpoints:
            try:
                self._endpoints[name] = self.sagemaker.describe_endpoint(EndpointName=name)
            except ClientError as error:
                self._endpoints[name] = _explain(error)
        return self._endpoints[name]


def _explain(error: ClientError) -> str:
    """``missing`` when the API says the resource does not exist, ``access denied`` with the call
    when the identity may not make it, else the error code. Rejected credentials propagate: no
    call could succeed, which is not a verdict on the stack."""
    if is_credential_problem(error):
        raise error
    code = error.response.get("Error", {}).get("Code", "")
    if is_access_problem(error):
        return f"access denied: {error.operation_name} ({code or 403})"
    message = error.response.get("Error", {}).get("Message", "").lower()
    not_found = ("could not find", "does not exist", "not found", "cannot find")
    if "NotFound" in code or any(text in message for text in not_found):
        return "missing"
    return f"error: {code or 'unknown'}"


def _variants(described: dict[str, Any], shadow: bool) -> dict[str, dict[str, Any]]:
    key = "ShadowProductionVariants" if shadow else "ProductionVariants"
    return {variant["VariantName"]: variant for variant in described.get(key) or []}


def _check_endpoint(expected: EndpointExpectation, cloud: _Cloud) -> tuple[bool, str]:
    described = cloud.endpoint(expected.endpoint)
    if isinstance(described, str):
        return False, described
    status = described.get("EndpointStatus", "unknown")
    production = tuple(_variants(described, shadow=False))
    shadow = tuple(_variants(described, shadow=True))
    passed = (
        status == "InService"
        and sorted(production) == sorted(expected.variants)
        and sorted(shadow) == sorted(expected.shadow_variants)
    )
    return passed, describe_endpoint_state(status, production, shadow)


def _check_variant(expected: VariantExpectation, cloud: _Cloud) -> tuple[bool, str]:
    described = cloud.endpoint(expected.endpoint)
    if isinstance(described, str):
        return False, f"endpoint {described}"
    variant = _variants(described, expected.shadow).get(expected.variant)
    if variant is None:
        return False, "missing"
    if expected.serverless:
        serverless = "CurrentServerlessConfig" in variant or "DesiredServerlessConfig" in variant
        return serverless, "serverless" if serverless else "instance-backed"
    count = variant.get("CurrentInstanceCount")
    if count is None:
        return False, "no instance count reported"
    return expected.accepts(count), f"{count} instances"


def _check_scalable_target(expected: ScalableTargetExpectation, cloud: _Cloud) -> tuple[bool, str]:
    try:
        targets = cloud.autoscaling.describe_scalable_targets(
            ServiceNamespace=expected.namespace,
            ResourceIds=[expected.resource_id],
            ScalableDimension=expected.dimension,
        )["ScalableTargets"]
    except ClientError as error:
        return False, _explain(error)
    if not targets:
        return False, "not registered"
    target = targets[0]
    passed = (target["MinCapacity"], target["MaxCapacity"]) == (expected.min_capacity, expected.max_capacity)
    return passed, f"min {target['MinCapacity']}, max {target['MaxCapacity']}"


def _schedule_names(expected: MonitoringScheduleExpectation, cloud: _Cloud) -> list[str]:
    if expected.name:
        return [expected.name]
    summaries = _schedules_of(cloud.sagemaker, expected.endpoint, expected.monitoring_type)
    return [summary["MonitoringScheduleName"] for summary in summaries]


def _check_monitoring_schedule(expected: MonitoringScheduleExpectation, cloud: _Cloud) -> tuple[bool, str]:
    try:
        names = _schedule_names(expected, cloud)
        if not names:
            return False, "none for this endpoint"
        found = [_describe_schedule(cloud.sagemaker, name) for name in names]
    except ClientError as error:
        return False, _explain(error)
    passed = any(
        status == "Scheduled" and expected.schedule_expression in (None, expression)
        for status, expression in found
    )
    return passed, "; ".join(
        f"{status}, {expression}" if expression else status for status, expression in found
    )


def _schedules_of(sagemaker: Any, endpoint: str | None, monitoring_type: str | None) -> list[dict[str, Any]]:
    request: dict[str, Any] = {"EndpointName": endpoint}
    if monitoring_type:
        request["MonitoringTypeEquals"] = monitoring_type
    summaries: list[dict[str, Any]] = []
    while True:
        page = sagemaker.list_monitoring_schedules(**request)
        summaries += page.get("MonitoringScheduleSummaries", [])
        if not page.get("NextToken"):
            return summaries
        request["NextToken"] = page["NextToken"]


def _describe_schedule(sagemaker: Any, name: str) -> tuple[str, str | None]:
    described = sagemaker.describe_monitoring_schedule(MonitoringScheduleName=name)
    schedule = described.get("MonitoringScheduleConfig", {}).get("ScheduleConfig", {})
    return described.get("MonitoringScheduleStatus", "unknown"), schedule.get("ScheduleExpression")


# Monitoring type → (DescribeXJobDefinition, its baseline config, its app specification).
_JOB_DEFINITIONS = {
    "DataQuality": ("describe_data_quality_job_definition", "DataQualityBaselineConfig", None),
    "ModelQuality": ("describe_model_quality_job_definition", "ModelQualityBaselineConfig", None),
    "ModelBias": (
        "describe_model_bias_job_definition",
        "ModelBiasBaselineConfig",
        "ModelBiasAppSpecification",
    ),
    "ModelExplainability": (
        "describe_model_explainability_job_definition",
        "ModelExplainabilityBaselineConfig",
        "ModelExplainabilityAppSpecification",
    ),
}


def _check_monitoring_baselines(expected: MonitoringBaselinesExpectation, cloud: _Cloud) -> tuple[bool, str]:
    try:
        names = _schedule_names(expected.schedule, cloud)
        if not names:
            return False, "none for this endpoint"
        found = [_baseline_uris(cloud.sagemaker, name) for name in names]
        uris = [uri for files, config_uri in found for uri in (*files, config_uri) if uri]
        missing = [uri for uri in uris if not _object_exists(cloud.s3, uri)]
        # A Clarify analysis config may name a file of its own (methods.shap.baseline, an S3 URI):
        # Clarify reads it at every run, so it is a baseline file too.
        named = [
            uri
            for _, config_uri in found
            if config_uri and config_uri not in missing
            for uri in _files_named_by(cloud.s3, config_uri)
        ]
        uris += named
        missing += [uri for uri in named if not _object_exists(cloud.s3, uri)]
    except ClientError as error:
        return False, _explain(error)
    if missing:
        return False, "missing " + ", ".join(missing)
    return True, f"{len(uris)} present" if uris else "none configured"


def _baseline_uris(sagemaker: Any, schedule_name: str) -> tuple[list[str], str | None]:
    """The S3 objects the schedule's job definition reads besides the captured data: its baseline
    files, and its Clarify analysis config (``ConfigUri``), if any."""
    config = sagemaker.describe_monitoring_schedule(MonitoringScheduleName=schedule_name)[
        "MonitoringScheduleConfig"
    ]
    definition_name, monitoring_type = config.get("MonitoringJobDefinitionName"), config.get("MonitoringType")
    config_uri = None
    if definition_name and monitoring_type in _JOB_DEFINITIONS:
        operation, baseline_key, app_key = _JOB_DEFINITIONS[monitoring_type]
        described = getattr(sagemaker, operation)(JobDefinitionName=definition_name)
        baseline = described.get(baseline_key)
        config_uri = (described.get(app_key) or {}).get("ConfigUri") if app_key else None
    else:  # a job definition inline in the schedule (the older form)
        baseline = (config.get("MonitoringJobDefinition") or {}).get("BaselineConfig")
    files = [(baseline or {}).get(name) or {} for name in ("ConstraintsResource", "StatisticsResource")]
    return [uri for uri in (f.get("S3Uri") for f in files) if uri], config_uri


def _files_named_by(s3: Any, config_uri: str) -> list[str]:
    """The S3 objects a Clarify analysis config names besides itself: a SHAP ``baseline`` given as
    an S3 URI (the platform resolves a template's baseline file name to one in the stack's artifact
    bucket, ``baselines/<group>/model_explainability/<name>``, which nothing uploads at deploy). A
    config that is missing is reported missing itself; one that is not JSON names nothing."""
    bucket, _, key = config_uri.removeprefix("s3://").partition("/")
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    try:
        config = json.loads(body)
    except ValueError:
        return []
    methods = config.get("methods") if isinstance(config, dict) else None
    shap = methods.get("shap") if isinstance(methods, dict) else None
    baseline = shap.get("baseline") if isinstance(shap, dict) else None
    return [baseline] if isinstance(baseline, str) and baseline.startswith("s3://") else []


def _object_exists(s3: Any, uri: str) -> bool:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    try:
        s3.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NoSuchBucket", "NotFound"):
            return False
        raise
    return True


def _check_pipeline(expected: PipelineExpectation, cloud: _Cloud) -> tuple[bool, str]:
    try:
        status = cloud.sagemaker.describe_pipeline(PipelineName=expected.name).get(
            "PipelineStatus", "unknown"
        )
    except ClientError as error:
        return False, _explain(error)
    return status == expected.expected, status


def _check_model_package_group(expected: ModelPackageGroupExpectation, cloud: _Cloud) -> tuple[bool, str]:
    try:
        described = cloud.sagemaker.describe_model_package_group(ModelPackageGroupName=expected.name)
    except ClientError as error:
        return False, _explain(error)
    status = described.get("ModelPackageGroupStatus", "unknown")
    return status == expected.expected, status


_CHECKS: dict[type, Callable[[Any, _Cloud], tuple[bool, str]]] = {
    EndpointExpectation: _check_endpoint,
    VariantExpectation: _check_variant,
    ScalableTargetExpectation: _check_scalable_target,
    MonitoringScheduleExpectation: _check_monitoring_schedule,
    MonitoringBaselinesExpectation: _check_monitoring_baselines,
    PipelineExpectation: _check_pipeline,
    ModelPackageGroupExpectation: _check_model_package_group,
}
