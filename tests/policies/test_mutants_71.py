"""Tests that kill the surviving one-line mutants of session 71's policy code (mut71's audit).

Mutants of the lines session 71 added, each run against the session's tests of the file (killed/run);
then what the survivors were:

- _props.py 9/10 (5 by hand on AWS_MANAGED_ALIAS: anchor, case, slash, search): 1 gap, ``number()``
  sending a list or a Decimal through ``float()``, killed here.
- _ec2_capacity.py 6/7: 1 equivalent (``Unreadable`` not frozen: never hashed nor changed).
- governance_compute.py 29/37: 5 killed by the rule's older tests; 3 gaps (an inference experiment's
  count, a scheduled action's ceiling, a variant refused for its ceiling and still counted), killed here.
- _gpu_placement.py 25/25; sagemaker_keys.py 15/15; sagemaker_jobs.py 6/6; governance_prod.py 6/6.
- kubernetes.py 16/21 (12 by hand on the KServe OCI URI check): 3 gaps (``@sha256`` without ``:``,
  ``sha256:`` without ``@``, a newline in the mode), killed here; 2 equivalent (``model_uris``'s default:
  every PodSpec is built with it; a storageUris entry that is no map reads as no URI either way).
- sagemaker.py 21/23 (6 by hand on the ECR patterns and ``_in_registry``): 1 gap (a host-only pattern),
  killed here; 1 deleting a line of the rule's config description (text, not judgement).
- _topic_key_publishers.py 4/8: 4 gaps (a pipe publishing to a topic under a customer key, AWS's key or
  none), killed here.
- _stateful_types.py 24/32: the 8 survivors, entries the table took over from governance.py (the bucket,
  the KMS key, the model package group...), are killed by the rule's older tests.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from policies.local import evaluate_report
from policies.registry import get_policy
from policies.rules._props import number
from tests.policies.conftest import build


@pytest.mark.parametrize(
    "value", [[2], {"count": 2}, (2,), Decimal(2), b"2"], ids=["list", "map", "tuple", "decimal", "bytes"]
)
def test_number_reads_only_numbers_and_text(value: Any) -> None:
    """An input is JSON: a number, text or a structure. A mutant sending every other value through
    ``float()`` raised TypeError on a list (every rule reading it crashed) and read a Decimal or bytes."""
    assert number(value) is None


# --- gpu-instance-quota (policies/rules/governance_compute.py) -------------------------------------

RULE = "gpu-instance-quota"
GPU = "ml.g5.xlarge"


def _quota_messages(specs: list[dict[str, Any]]) -> list[str]:
    report = evaluate_report(build(specs), {RULE: {"maxGpuInstances": 4}}, [get_policy(RULE)])
    return [v.message for v in report.violations]


def _experiment(count: Any) -> dict[str, Any]:
    config: dict[str, Any] = {"instanceType": GPU}
    if count is not None:
        config["instanceCount"] = count
    return {
        "type": "aws-native:sagemaker:InferenceExperiment",
        "name": "shadow",
        "inputs": {
            "name": "shadow",
            "modelVariants": [{"modelName": "m", "variantName": "v", "infrastructureConfig": {"realTimeInferenceConfig": config}}],
        },
    }  # fmt: skip


@pytest.mark.parametrize(("count", "asks"), [(5, 5), ("5", 5), (4, None), (None, None)])
def test_an_inference_experiment_s_instance_count_is_counted(count: Any, asks: int | None) -> None:
    """A mutant reading any set count as one (``... and 1.0``) let a 5-GPU shadow test pass a quota of 4."""
    messages = _quota_messages([_experiment(count)])
    assert messages == ([] if asks is None else [m for m in messages if f"asks for {asks} GPU" in m]), (
        messages
    )
    assert len(messages) == (0 if asks is None else 1)


SCALED = {
    "serviceNamespace": "sagemaker",
    "scalableDimension": "sagemaker:variant:DesiredInstanceCount",
    "resourceId": "endpoint/churn/variant/primary",
}


def _scaled_endpoint(action_max: Any, target_max: Any = 1, extra_gpus: int = 0) -> list[dict[str, Any]]:
    variant = {"variantName": "primary", "modelName": "m", "instanceType": GPU, "initialInstanceCount": 1}
    specs: list[dict[str, Any]] = [
        {"type": "aws:sagemaker/endpointConfiguration:EndpointConfiguration", "name": "cfg", "inputs": {"name": "cfg", "productionVariants": [variant]}},
        {"type": "aws:sagemaker/endpoint:Endpoint", "name": "endpoint", "inputs": {"name": "churn", "endpointConfigName": "cfg"}, "deps": {"endpointConfigName": ["cfg"]}},
        {"type": "aws:appautoscaling/target:Target", "name": "target", "inputs": {**SCALED, "minCapacity": 1, "maxCapacity": target_max}, "deps": {"resourceId": ["endpoint"]}},
    ]  # fmt: skip
    if action_max is not None:
        specs.append(
            {
                "type": "aws:appautoscaling/scheduledAction:ScheduledAction",
                "name": "daytime",
                "inputs": {**SCALED, "schedule": "cron(0 8 * * ? *)", "scalableTargetAction": {"maxCapacity": action_max}},
                "deps": {"resourceId": ["target"]},
            }
        )  # fmt: skip
    if extra_gpus:
        other = {
            "variantName": "v",
            "modelName": "m",
            "instanceType": GPU,
            "initialInstanceCount": extra_gpus,
        }
        specs.append(
            {"type": "aws:sagemaker/endpointConfiguration:EndpointConfiguration", "name": "other", "inputs": {"name": "other", "productionVariants": [other]}}
        )  # fmt: skip
    return specs


@pytest.mark.parametrize(("action_max", "asks"), [(5, 5), ("5", 5), (4, None), (None, None)])
def test_a_scheduled_action_s_ceiling_counts_as_the_variant_s(action_max: Any, asks: int | None) -> None:
    """A scheduled action raising maxCapacity to 5 at 08:00 asks for 5 (a mutant reading every action's
    ceiling as 0, ``... and 0.0``, passed it on the target's 1)."""
    messages = _quota_messages(_scaled_endpoint(action_max))
    if asks is None:
        assert messages == []
    else:
        assert len(messages) == 1 and f"asks for {asks} GPU instances" in messages[0], messages


def test_a_variant_whose_ceiling_is_unreadable_is_refused_and_not_also_counted() -> None:
    """The variant is refused for its '64x' target ceiling and left out of the total, as an unreadable
    count is (a mutant falling through counted it as one more beside another config's 4: a second,
    guessed "asks for 5")."""
    messages = _quota_messages(_scaled_endpoint(None, target_max="64x", extra_gpus=4))
    assert len(messages) == 1 and messages[0].startswith("target.maxCapacity is '64x', not a number"), (
        messages
    )
    assert _quota_messages(_scaled_endpoint(None, target_max=1, extra_gpus=4)) != []  # 1 + 4 counted


# --- alarm-topic-key-usable: a publisher acting as its execution role (_topic_key_publishers.py) ----


def _pipe_to_topic(key: Any) -> tuple[list[str], list[str]]:
    topic: dict[str, Any] = {"type": "aws:sns/topic:Topic", "name": "alerts", "inputs": {"name": "alerts"}}
    if key is not None:
        topic["inputs"]["kmsMasterKeyId"] = key
    pipe = {
        "type": "aws:pipes/pipe:Pipe",
        "name": "relay",
        "deps": {"target": ["alerts"]},
        "inputs": {
            "source": "arn:aws:sqs:eu-west-1:111122223333:events",
            "target": "arn:aws:sns:eu-west-1:111122223333:alerts",
            "roleArn": "arn:aws:iam::111122223333:role/relay",
        },
    }
    report = evaluate_report(build([topic, pipe]), None, [get_policy("alarm-topic-key-usable")])
    return [v.message for v in report.violations], [u.reason for u in report.undecided]


@pytest.mark.parametrize(
    "key", [None, "alias/aws/sns", "arn:aws-cn:kms:cn-north-1:111122223333:alias/aws/sns"]
)
def test_a_pipe_publishing_to_an_unencrypted_or_aws_keyed_topic_needs_nothing(key: Any) -> None:
    """AWS's key lets the account's principals use it through SNS; an unencrypted topic needs no key."""
    assert _pipe_to_topic(key) == ([], [])


@pytest.mark.parametrize(
    "key", ["alias/AWS/sns", "alias/team/alias/aws/sns", "arn:aws:kms:eu-west-1:111122223333:key/1"]
)
def test_a_pipe_publishing_to_a_customer_keyed_topic_is_undecided(key: str) -> None:
    """The pipe publishes as its role, whose IAM policies and the key's this rule does not read
    (mutants skipping every topic, or none, or only keyless ones, survived the rule's tests)."""
    messages, undecided = _pipe_to_topic(key)
    assert messages == [] and len(undecided) == 1, undecided
    assert f"encrypted with KMS key {key!r}, as its execution role (roleArn)" in undecided[0]


# --- model-private-registry-via-vpc: a configured host-only pattern (sagemaker.py _in_registry) -----


def test_a_host_only_pattern_takes_any_path_on_that_host() -> None:
    """A pattern without ``/`` names a registry host, every repository on it (a mutant matching its
    empty path against the image's refused every image of the host)."""
    rule, model_type = "model-private-registry-via-vpc", "aws:sagemaker/model:Model"
    config = {rule: {"platformRegistryPatterns": ["registry.example.com"]}}

    def found(image: str) -> list[str]:
        inputs = {
            "executionRoleArn": "arn:aws:iam::111122223333:role/m",
            "primaryContainer": {"image": image},
        }
        records = build([{"type": model_type, "name": "m", "inputs": inputs}])
        return [v.message for v in evaluate_report(records, config, [get_policy(rule)]).violations]

    assert found("registry.example.com/platform/serving:1") == []
    assert found("Registry.Example.com/any/where:2") == []
    assert len(found("registry.example.org/platform/serving:1")) == 1


# --- k8s-image-pinned-by-digest: KServe OCI storage URIs (kubernetes.py _model_image_digests) ---------


@pytest.mark.parametrize(
    "uri",
    [
        "oci://registry.example.com/models/churn@sha256",
        "oci://registry.example.com/models/sha256:" + "b" * 64,
        "oci+model\ncar://registry.example.com/models/churn:v3",
    ],
    ids=["digest-marker-without-digest", "sha256-as-repository-name", "newline-in-mode"],
)
def test_near_misses_of_a_pinned_oci_model_are_refused(uri: str) -> None:
    """``@sha256:`` marks a digest, neither ``@sha256`` alone nor ``sha256:`` without ``@``; KServe takes
    any mode up to the first ``://`` (``re.DOTALL``: a newline too)."""
    from tests.policies.test_kserve_oci_model_digest_71 import FIX, found, isvc, model

    assert found(isvc(model(uri))) == [f"spec.predictor.model.storageUri {uri!r} {FIX}"]
