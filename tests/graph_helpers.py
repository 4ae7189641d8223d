"""Small helpers for asserting on recorded graphs."""

from __future__ import annotations

import importlib
import inspect
import json
import keyword
from functools import cache
from typing import Any

from planner.recorder import RecordedResource, ResourceGraph


def policy_of(resource: RecordedResource, key: str = "policy") -> dict[str, Any]:
    return json.loads(resource.inputs[key])


def statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    found = document["Statement"]
    return found if isinstance(found, list) else [found]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def grants(statement: dict[str, Any], action: str) -> bool:
    """Whether an Allow statement names ``action`` (or a wildcard covering it)."""
    service = action.split(":")[0]
    return statement["Effect"] == "Allow" and any(
        named in (action, "*", f"{service}:*") or (named.endswith("*") and action.startswith(named[:-1]))
        for named in as_list(statement.get("Action", []))
    )


def only(graph: ResourceGraph, type_token: str) -> RecordedResource:
    [resource] = graph.of_type(type_token)
    return resource


def within(graph: ResourceGraph, component_name: str, type_token: str) -> list[RecordedResource]:
    """Resources of ``type_token`` anywhere under the component named ``component_name``."""
    component = graph.named(component_name)
    return [resource for resource in graph.descendants(component) if resource.type == type_token]


def attached_to(
    graph: ResourceGraph, type_token: str, target: RecordedResource, prop: str = "bucket"
) -> list[RecordedResource]:
    """Resources of ``type_token`` whose input ``prop`` is computed from ``target``'s outputs."""
    return [
        resource
        for resource in graph.of_type(type_token)
        if target.urn in resource.property_dependencies.get(prop, ())
    ]


@cache
def resource_class(type_token: str) -> type:
    """The pulumi-aws or pulumi-aws-native class of ``type_token`` (``aws:lambda/function:Function``
    is ``pulumi_aws.lambda_.Function``: a module named as a Python keyword takes a trailing ``_``)."""
    package, module, class_name = type_token.split(":")
    python_package = {"aws": "pulumi_aws", "aws-native": "pulumi_aws_native"}[package]
    python_module = module.split("/")[0].replace("-", "_")
    python_module += "_" if keyword.iskeyword(python_module) else ""
    path = python_package if python_module == "index" else f"{python_package}.{python_module}"
    return getattr(importlib.import_module(path), class_name)


def accepts(type_token: str, argument: str) -> bool:
    """Whether the provider class of ``type_token`` takes ``argument`` (snake_case)."""
    return argument in inspect.signature(resource_class(type_token)._internal_init).parameters


def is_taggable(type_token: str) -> bool:
    """Whether the pulumi-aws resource class for ``type_token`` accepts a ``tags`` argument."""
    return type_token.startswith("aws:") and accepts(type_token, "tags")


def training_pipelines(graph: ResourceGraph) -> list[RecordedResource]:
    """The training pipelines (one per family), not other components' SageMaker pipelines (batch scoring)."""
    return [
        p
        for p in graph.of_type("aws:sagemaker/pipeline:Pipeline")
        if "mlops:training:TrainingPipeline$" in p.urn
    ]


def inference_endpoints(graph: ResourceGraph) -> list[RecordedResource]:
    """The SageMaker endpoints of ``InferenceEndpoint`` components (a stack's shared endpoints, of
    inference components, are SageMaker endpoints too)."""
    return [e for e in graph.of_type("aws:sagemaker/endpoint:Endpoint") if "InferenceEndpoint$" in e.urn]


def registered_outputs(monkeypatch: Any, kind: type) -> dict[str, dict[str, Any]]:
    """Component name → the outputs each component of ``kind`` registers from now on in the test
    (what `pulumi stack` shows of it; the recorder keeps no component outputs)."""
    import pulumi

    registered: dict[str, dict[str, Any]] = {}
    original = pulumi.ComponentResource.register_outputs

    def register(self: pulumi.ComponentResource, outputs: Any) -> None:
        if isinstance(self, kind):
            registered[self._name] = dict(outputs)
        original(self, outputs)

    monkeypatch.setattr(pulumi.ComponentResource, "register_outputs", register)
    return registered
