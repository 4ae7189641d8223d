"""The post-deploy check and the explainability monitor's SHAP baseline file (session 63).

A template may give its SHAP ``baseline`` as a file name, which the platform resolves in each
stack's artifact bucket (``baselines/<group>/model_explainability/<name>``) and which nothing
uploads at deploy: Clarify reads it at every run, so a missing one fails every run. Against moto,
with the analysis config the plan writes: ``monitoring baselines`` fails naming the missing file,
and passes once it is uploaded; a template with inline rows names no file to miss. The explainability
job's role reads the folder the file resolves to (its S3 read statement covers the key)."""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import pickle
from pathlib import Path

import pytest

from delivery.checks import check
from delivery.expectations import expectations
from planner.recorder import ResourceGraph, record_stack_file
from tests.delivery.cloud import provision
from tests.delivery.conftest import Cloud
from tests.delivery.test_verify import ENDPOINT, _failures
from tests.graph_helpers import as_list, policy_of, statements
from tests.recorded import computed_once
from tests.stacks.conftest import serving_cut
from tests.stacks.test_explainability_leftovers_63 import TEMPLATE, _project

CONFIG_PREFIX = "monitoring-config/"


def _graph(tmp_path: Path, baseline: object) -> ResourceGraph:
    """The offline recording of the prod stack whose explainability template has ``baseline``, cut
    to what its endpoints read (``serving_cut``: the endpoint, its monitors and their roles, the
    buckets and keys stay as the whole fixture has them; nothing the cut removes feeds them).

    Recorded once per version of the code and of the project's files (computed_once: the stack
    file, the template it names and Pulumi.yaml are its key), each caller getting its own copy with
    ``source`` naming its own stack file. A graph that names its project's folder anywhere else is
    not shared: each caller records its own."""
    template = json.loads(json.dumps(TEMPLATE))
    template["methods"]["shap"]["baseline"] = baseline
    stack, template_path = _project(tmp_path, template, serving_cut)
    folders = {str(tmp_path).encode(), str(tmp_path.resolve()).encode()}

    def record() -> ResourceGraph | None:
        graph = dataclasses.replace(record_stack_file(str(stack)), source="")
        data = pickle.dumps(graph)
        return None if any(folder in data for folder in folders) else graph

    files = (stack, template_path, tmp_path / "Pulumi.yaml")
    shared = computed_once(
        "graph",
        record,
        key=[*(str(f.relative_to(tmp_path)) for f in files), *(f.read_bytes() for f in files)],
    )
    if shared is None:
        return record_stack_file(str(stack))
    return dataclasses.replace(shared, source=str(stack))


def _deploy(graph: ResourceGraph, cloud: Cloud) -> str:
    """Provision the graph; write the analysis config as the plan renders it. Its SHAP baseline."""
    provision(graph, cloud.clients, cloud.schedules)
    [written] = [
        r
        for r in graph.of_type("aws:s3/bucketObjectv2:BucketObjectv2")
        if r.inputs["key"].startswith(CONFIG_PREFIX)
    ]
    bucket = graph.named("artifacts-bucket").outputs["bucket"]
    cloud.clients.s3.put_object(Bucket=bucket, Key=written.inputs["key"], Body=written.inputs["content"])
    return json.loads(written.inputs["content"])["methods"]["shap"]["baseline"]


def _explainability_line(graph: ResourceGraph, cloud: Cloud) -> tuple[str, str]:
    promised = [e for e in expectations(graph) if e.kind == "monitoring baselines"]
    [line] = [r for r in check(promised, cloud.clients) if r.resource == f"{ENDPOINT} (ModelExplainability)"]
    return line.status, line.actual


def test_a_missing_shap_baseline_file_fails_naming_it_and_passes_once_uploaded(
    cloud: Cloud, tmp_path: Path
) -> None:
    graph = _graph(tmp_path, "shap_baseline.csv")
    baseline = _deploy(graph, cloud)
    assert baseline.endswith("/model_explainability/shap_baseline.csv"), baseline

    assert _explainability_line(graph, cloud) == ("FAIL", f"missing {baseline}")

    bucket, _, key = baseline.removeprefix("s3://").partition("/")
    cloud.clients.s3.put_object(Bucket=bucket, Key=key, Body=b"24,65.0,1560.0,month-to-month,1\n")
    status, actual = _explainability_line(graph, cloud)
    assert (status, actual) == ("ok", "3 present")  # constraints, analysis config, SHAP baseline
    promised = [e for e in expectations(graph) if e.kind == "monitoring baselines"]
    assert _failures(check(promised, cloud.clients)) == []


def test_inline_rows_name_no_file_to_miss(cloud: Cloud, tmp_path: Path) -> None:
    graph = _graph(tmp_path, [[24, 65.0, 1560.0, "month-to-month", 1]])
    _deploy(graph, cloud)

    assert _explainability_line(graph, cloud) == ("ok", "2 present")


@pytest.mark.parametrize("name", ["shap_baseline.csv", "2026/rows.jsonl"])
def test_the_explainability_role_reads_the_file_the_name_resolves_to(tmp_path: Path, name: str) -> None:
    graph = _graph(tmp_path, name)
    [written] = [
        r
        for r in graph.of_type("aws:s3/bucketObjectv2:BucketObjectv2")
        if r.inputs["key"].startswith(CONFIG_PREFIX)
    ]
    baseline = json.loads(written.inputs["content"])["methods"]["shap"]["baseline"]
    bucket, _, key = baseline.removeprefix("s3://").partition("/")
    [definition] = graph.of_type("aws-native:sagemaker:ModelExplainabilityJobDefinition")
    role_arn = definition.inputs["roleArn"]
    [role] = [r for r in graph.of_type("aws:iam/role:Role") if r.outputs.get("arn") == role_arn]
    names = {role.outputs.get("name"), role.outputs.get("id")} - {None}
    policies = [p for p in graph.of_type("aws:iam/rolePolicy:RolePolicy") if p.inputs.get("role") in names]
    assert policies
    readable = [
        resource
        for policy in policies
        for statement in statements(policy_of(policy))
        if statement["Effect"] == "Allow" and "s3:GetObject" in as_list(statement["Action"])
        for resource in as_list(statement["Resource"])
    ]
    assert any(fnmatch.fnmatchcase(f"arn:aws:s3:::{bucket}/{key}", pattern) for pattern in readable), readable
