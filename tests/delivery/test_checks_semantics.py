"""What the post-deploy check decides, where a mutation of delivery/checks.py survived the other tests.

Against moto (a fixture stack provisioned as planned, then what SageMaker reports changed in moto's
backend, which has no API for it): an endpoint serving a production variant the plan does not have
fails, and a serverless variant counts as serverless whether DescribeEndpoint reports its current
or only its desired serverless config (one being created or updated). A schedule the plan names
is judged by that schedule alone: another Scheduled one on the same endpoint does not stand in for
it. A baseline file the identity may not read is an ``access denied`` line naming HeadObject,
not reported ``missing`` (which would send someone to re-create a file that is there); a
schedule with no baseline configured has nothing to miss and passes; a ModelExplainability
schedule's Clarify analysis config is a baseline file like ModelBias's. An unnamed schedule is
found through its own endpoint only, and a shadow variant among the endpoint's shadow variants.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from moto.core import set_initial_no_auth_action_count
from moto.sagemaker.models import sagemaker_backends

from delivery.checks import check
from delivery.expectations import MonitoringBaselinesExpectation, MonitoringScheduleExpectation, expectations
from tests.aws_sessions import denied_one_action
from tests.delivery.cloud import baseline_uris, provision
from tests.delivery.conftest import REGION, Cloud, keyed_session
from tests.delivery.test_verify import (
    DEFAULT_ACCOUNT,
    ENDPOINT,
    _clients_of,
    _failures,
    embedded_job_definition,
)

EXPRESSION = "cron(0 * ? * * *)"

SERVERLESS = "dev-churn-serverless"
"""The variety fixture's serverless endpoint (tests/delivery/conftest.py)."""


def _backend_endpoint(name: str) -> Any:
    return sagemaker_backends[DEFAULT_ACCOUNT][REGION].endpoints[name]


def test_an_endpoint_serving_a_variant_the_plan_does_not_have_fails(cloud: Cloud, stack_graphs) -> None:
    graph = stack_graphs["prod"]
    provision(graph, cloud.clients, cloud.schedules)
    variants = _backend_endpoint(ENDPOINT).production_variants
    [primary] = variants
    variants.append(copy.deepcopy(primary) | {"VariantName": "unplanned"})

    results = check(expectations(graph), cloud.clients)

    # The planned variant itself is still as planned: only the endpoint line fails.
    assert _failures(results) == [("endpoint", ENDPOINT, "InService; variants primary, unplanned")]


@pytest.mark.parametrize("reported", ["CurrentServerlessConfig", "DesiredServerlessConfig"])
def test_a_serverless_variant_is_serverless_by_either_config_it_reports(
    cloud: Cloud, variety_graph, reported: str
) -> None:
    provision(variety_graph, cloud.clients, cloud.schedules)
    [variant] = _backend_endpoint(SERVERLESS).production_variants
    assert {"CurrentServerlessConfig", "DesiredServerlessConfig"} <= set(variant)  # as moto creates it
    for key in {"CurrentServerlessConfig", "DesiredServerlessConfig"} - {reported}:
        del variant[key]

    results = {(r.check, r.resource): r for r in check(expectations(variety_graph), cloud.clients)}

    line = results[("variant", f"{SERVERLESS}/primary")]
    assert (line.status, line.actual) == ("ok", "serverless")


def test_a_named_schedule_is_judged_by_its_own_state_not_another_on_its_endpoint(cloud: Cloud) -> None:
    expression = "cron(0 * ? * * *)"
    common = {"endpoint": ENDPOINT, "monitoring_type": "DataQuality", "expression": expression}
    cloud.schedules.create("planned", job_definition="planned-definition", status="Stopped", **common)
    cloud.schedules.create("someone-elses", job_definition="other-definition", status="Scheduled", **common)
    planned = MonitoringScheduleExpectation(
        endpoint=ENDPOINT, monitoring_type="DataQuality", schedule_expression=expression, name="planned"
    )

    [result] = check([planned], cloud.clients)

    assert (result.status, result.actual) == ("FAIL", f"Stopped, {expression}")


@set_initial_no_auth_action_count(3)  # the IAM calls that make the identity; then moto checks all
def test_a_baseline_file_the_identity_may_not_read_is_access_denied_not_missing(
    cloud: Cloud, stack_graphs, aws_session
) -> None:
    graph = stack_graphs["prod"]
    key = denied_one_action(aws_session[0].client("iam"), "verifier", "s3:GetObject")  # HeadObject's
    session = keyed_session(key["AccessKeyId"], key["SecretAccessKey"])
    cloud.schedules.install(session.events)  # moto has no monitoring schedules: the stand-in's
    clients = _clients_of(session)
    provision(graph, clients, cloud.schedules)  # every baseline file written
    assert baseline_uris(graph)

    results = check(expectations(graph), clients)

    baselines = [r for r in results if r.check == "monitoring baselines"]
    assert baselines and all(r.status == "FAIL" for r in baselines)
    assert all(r.actual.startswith("access denied: HeadObject") for r in baselines), baselines
    assert {r.check for r in results if r.status == "FAIL"} == {"monitoring baselines"}


def test_a_schedule_of_another_endpoint_does_not_stand_in_for_this_ones(cloud: Cloud) -> None:
    cloud.schedules.create(
        "other",
        endpoint="another-endpoint",
        monitoring_type="DataQuality",
        job_definition="other-definition",
        expression=EXPRESSION,
    )
    unnamed = MonitoringScheduleExpectation(
        endpoint=ENDPOINT, monitoring_type="DataQuality", schedule_expression=EXPRESSION
    )

    [result] = check([unnamed], cloud.clients)

    assert (result.status, result.actual) == ("FAIL", "none for this endpoint")


def test_a_schedule_without_baselines_has_none_to_miss_and_passes(cloud: Cloud) -> None:
    """A DataQuality job may run without a baseline (BaselineConfig is optional): nothing is missing."""
    cloud.schedules.create(
        "no-baseline",
        endpoint=ENDPOINT,
        monitoring_type="DataQuality",
        expression=EXPRESSION,
        job_definition=embedded_job_definition(),
    )
    schedule = MonitoringScheduleExpectation(ENDPOINT, "DataQuality", EXPRESSION)

    [result] = check([MonitoringBaselinesExpectation(schedule)], cloud.clients)

    assert (result.status, result.actual) == ("ok", "none configured")


def test_an_explainability_analysis_config_is_a_baseline_file_too(cloud: Cloud, all_monitors_graph) -> None:
    graph = all_monitors_graph
    provision(graph, cloud.clients, cloud.schedules)
    promised = [e for e in expectations(graph) if e.kind == "monitoring baselines"]
    assert _failures(check(promised, cloud.clients)) == []
    [config] = [
        uri for uri in baseline_uris(graph) if uri.endswith("model_explainability/analysis_config.json")
    ]
    bucket, _, key = config.removeprefix("s3://").partition("/")
    cloud.clients.s3.delete_object(Bucket=bucket, Key=key)

    assert _failures(check(promised, cloud.clients)) == [
        ("monitoring baselines", f"{ENDPOINT} (ModelExplainability)", f"missing {config}")
    ]


def test_a_shadow_variant_sagemaker_reports_is_found_among_the_shadow_variants(
    cloud: Cloud, variety_graph
) -> None:
    shadowed = "dev-churn-shadowed"
    provision(variety_graph, cloud.clients, cloud.schedules)
    endpoint = _backend_endpoint(shadowed)
    [primary] = endpoint.production_variants
    # moto drops ShadowProductionVariants on CreateEndpoint; DescribeEndpoint answers with what its
    # backend holds, so put there what SageMaker reports for the planned shadow.
    endpoint.shadow_production_variants = [copy.deepcopy(primary) | {"VariantName": "challenger"}]

    results = {(r.check, r.resource): r for r in check(expectations(variety_graph), cloud.clients)}

    line = results[("endpoint", shadowed)]
    assert (line.status, line.actual) == ("ok", "InService; variants primary; shadow challenger")
    challenger = results[("variant", f"{shadowed}/challenger")]
    assert (challenger.status, challenger.actual) == ("ok", "1 instances")
