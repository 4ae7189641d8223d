"""The tag rule's types are every taggable type of the locked providers (policies/taggable_types.py).

``required-cost-allocation-tags`` checks the types in ``policies/taggable_types.json``: derived
from the provider SDKs' source, kept in the repository so the pack reads it without importing
either provider. These tests hold the file to the installed SDKs, hold the text-based derivation
to the resource classes themselves (their ``_internal_init`` signature, for every type a platform
stack creates and a few it does not), and check the command that writes it again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policies import taggable_types as taggable
from policies.rules.governance import TAGGABLE_TYPES
from tests.graph_helpers import accepts
from tests.recorded import computed_once, recorded_stack

PROD = Path(__file__).resolve().parents[1] / "fixtures" / "stacks" / "Pulumi.prod.yaml"


def test_the_data_file_is_what_the_locked_providers_derive() -> None:
    """After a provider upgrade: python -m policies.taggable_types --write."""
    derived = computed_once("derived", taggable.derive)
    assert taggable.DATA_FILE.read_text(encoding="utf-8") == taggable.render(derived)


def test_the_rule_checks_the_data_files_types() -> None:
    assert frozenset(json.loads(taggable.DATA_FILE.read_text(encoding="utf-8"))["types"]) == TAGGABLE_TYPES
    assert len(TAGGABLE_TYPES) > 1500  # both providers, not a hand-picked list


OTHER_TYPES = [
    "aws:sqs/queue:Queue",
    "aws:lambda/function:Function",
    "aws:ecr/repository:Repository",
    "aws:athena/workgroup:Workgroup",
    "aws:cloudwatch/dashboard:Dashboard",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:sns/topicSubscription:TopicSubscription",
    "aws-native:s3:Bucket",
    "aws-native:sagemaker:InferenceComponent",
    "aws-native:sagemaker:ModelQualityJobDefinition",
    "aws-native:iam:RolePolicy",
]


def _agreement() -> dict[str, tuple[bool, bool]]:
    types = {
        r.type
        for r in recorded_stack(str(PROD)).cloud_resources
        if r.type.startswith(("aws:", "aws-native:"))
    }
    return {t: (t in TAGGABLE_TYPES, accepts(t, "tags")) for t in sorted(types | set(OTHER_TYPES))}


def test_the_derivation_agrees_with_each_resource_classs_signature() -> None:
    agreement = computed_once("agreement", _agreement, key=[PROD.read_bytes()])
    assert {t: pair for t, pair in agreement.items() if pair[0] != pair[1]} == {}
    # Both answers occur: the comparison tells taggable from untaggable types.
    assert {checked for checked, _ in agreement.values()} == {True, False}


def test_check_exits_1_on_a_stale_file_and_write_makes_it_current(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "taggable_types.json"
    content = {"about": "", "providers": {}, "types": ["aws:sqs/queue:Queue", "aws:x/y:Z"]}
    data.write_text(taggable.render(content))
    monkeypatch.setattr(taggable, "DATA_FILE", data)
    derived = computed_once("derived", taggable.derive)
    monkeypatch.setattr(taggable, "derive", lambda: derived)

    assert taggable.main(["--check"]) == 1
    assert "taggable_types --write" in capsys.readouterr().err
    assert taggable.main(["--write"]) == 0
    assert taggable.main(["--check"]) == 0
    assert json.loads(data.read_text())["types"] == derived["types"]


def test_a_module_without_tags_or_without_a_resource_is_not_taggable() -> None:
    resource = (
        "class Queue(pulumi.CustomResource):\n"
        "    def _internal_init(__self__,\n"
        "                 resource_name: str,\n"
        "                 opts: Optional[pulumi.ResourceOptions] = None,\n"
        "                 name: Optional[pulumi.Input[str]] = None,\n"
        "{tags}"
        "                 __props__=None):\n"
        "        super(Queue, __self__).__init__(\n"
        "            'aws:sqs/queue:Queue',\n"
    )
    tags = "                 tags: Optional[pulumi.Input[Mapping[str, pulumi.Input[str]]]] = None,\n"
    assert taggable._taggable_in_module(resource.format(tags=tags)) == "aws:sqs/queue:Queue"
    assert taggable._taggable_in_module(resource.format(tags="")) is None
    # tags_all (an output mirrored as input) is not tags
    assert taggable._taggable_in_module(resource.format(tags=tags.replace("tags:", "tags_all:"))) is None
    assert taggable._taggable_in_module("def helper(tags: dict) -> None: ...\n") is None
