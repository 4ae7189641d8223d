"""``model-private-registry-via-vpc`` knows every Amazon ECR registry host, in any case
(policies/rules/sagemaker.py ``ECR_REGISTRY_PATTERNS``, ``_in_registry``).

An ECR private registry is reached at ``<registry id>.`` and one of its Docker/OCI endpoints (AWS General
Reference, "Amazon ECR endpoints and quotas"): ``dkr.ecr.<region>.amazonaws.com``, FIPS
``dkr.ecr-fips.<region>.amazonaws.com``, dual-stack ``dkr-ecr.<region>.on.aws`` and
``dkr-ecr-fips.<region>.on.aws``, China ``dkr.ecr.<region>.amazonaws.com.cn``. The default patterns
named the first and the last only, and compared host names case-sensitively, though DNS does not (RFC
4343): an image on a FIPS, dual-stack or upper-case ECR host was judged a bring-your-own image and asked
to pull through the VPC (session 71's brief). Other registries, and ECR-like names outside the host, still
are.
"""

from __future__ import annotations

from typing import Any

import pytest

from policies.local import evaluate_report
from policies.registry import get_policy
from tests.policies.conftest import build
from tests.policies.one_resource import assert_decided, findings

RULE = "model-private-registry-via-vpc"
MODEL = "aws:sagemaker/model:Model"


def _model(image: str, mode: str | None = None) -> dict[str, Any]:
    container: dict[str, Any] = {"image": image}
    if mode is not None:
        container["imageConfig"] = {"repositoryAccessMode": mode}
    return {"executionRoleArn": "arn:aws:iam::123456789012:role/r", "primaryContainer": container}


@pytest.mark.parametrize(
    "image",
    [
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/models/churn:3",
        "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/models/churn:3",
        "123456789012.dkr.ecr-fips.us-east-1.amazonaws.com/models/churn@sha256:" + "a" * 64,
        "123456789012.dkr-ecr.eu-west-1.on.aws/models/churn:3",
        "123456789012.dkr-ecr-fips.us-east-2.on.aws/models/churn:3",
        "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/models/churn:3",
        "123456789012.DKR.ECR.EU-WEST-1.AMAZONAWS.COM/models/churn:3",
        "123456789012.Dkr-Ecr.eu-west-1.On.Aws/models/churn:3",
        "123456789012.dkr-ecr.cn-northwest-1.on.amazonwebservices.com.cn/models/churn:3",
        "123456789012.dkr.ecr.eusc-de-east-1.amazonaws.eu/models/churn:3",
        "123456789012.dkr.ecr.us-iso-east-1.c2s.ic.gov/models/churn:3",
        "123456789012.dkr.ecr.us-isob-east-1.sc2s.sgov.gov/models/churn:3",
        "123456789012.dkr.ecr.eu-isoe-west-1.cloud.adc-e.uk/models/churn:3",
        "123456789012.dkr.ecr.us-isof-south-1.csp.hci.ic.gov/models/churn:3",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/ecr-public/library/python:3.12",
        "vpce-0123456789abcdef0-abcdefgh.dkr.ecr.us-east-1.vpce.amazonaws.com/models/churn:3",
    ],
    ids=[
        "ipv4", "fips-govcloud", "fips-by-digest", "dual-stack", "dual-stack-fips", "china", "upper-case",
        "mixed-case-dual-stack", "china-dual-stack", "european-sovereign-cloud", "iso", "iso-b", "iso-e",
        "iso-f", "pull-through-cache", "vpc-endpoint-name",
    ],
)  # fmt: skip
def test_an_image_on_an_ecr_host_needs_no_vpc_access(image: str) -> None:
    assert_decided(findings(RULE, MODEL, _model(image)), None)


@pytest.mark.parametrize(
    "image",
    [
        "registry.example.com/models/churn:3",
        "registry.example.com/123456789012.dkr-ecr.eu-west-1.on.aws/churn:3",
        "123456789012.dkr-ecr.eu-west-1.on.aws.example.com/churn:3",
        "123456789012.dkr.ecr-fips.us-east-1.amazonaws.com.example.com/churn:3",
        "123456789012.dkr-ecr.eu-west-1.api.aws/churn:3",
        "public.ecr.aws/models/churn:3",
        "123456789012.dkr.ecr.us-iso-east-1.c2s.ic.gov.example.com/churn:3",
        "123456789012.dkr.ecr.eusc-de-east-1.amazonaws.eu.example.com/churn:3",
    ],
    ids=[
        "another-registry", "ecr-like-path-on-another-host", "dual-stack-suffix-on-another-domain",
        "fips-suffix-on-another-domain", "the-api-not-the-registry-domain", "ecr-public",
        "iso-suffix-on-another-domain", "sovereign-suffix-on-another-domain",
    ],
)  # fmt: skip
def test_an_image_elsewhere_is_still_asked_to_pull_through_the_vpc(image: str) -> None:
    assert_decided(
        findings(RULE, MODEL, _model(image)),
        f"primaryContainer.imageConfig.repositoryAccessMode is unset for bring-your-own image {image!r}",
    )
    assert_decided(findings(RULE, MODEL, _model(image, "Vpc")), None)


def test_a_configured_pattern_matches_hosts_ignoring_case_and_paths_as_written() -> None:

    config = {RULE: {"platformRegistryPatterns": ["Registry.Example.COM/platform/*"]}}

    def found(image: str) -> list[str]:
        records = build([{"type": MODEL, "name": "m", "inputs": _model(image)}])
        return [v.message for v in evaluate_report(records, config, [get_policy(RULE)]).violations]

    assert found("registry.example.com/platform/serving:1") == []
    assert found("REGISTRY.example.com/platform/serving:1") == []
    assert len(found("registry.example.com/Platform/serving:1")) == 1
