"""The modules split today (moves only) keep their import paths: every public name a sibling module
defines is importable from the module it moved out of, as the very object the code uses (a copy
would split state: a cache, a registry, a lock), as each sibling's docstring says.

``components.training._definition_steps`` is left out: importing it loads the SageMaker SDK, which
only happens sealed (``components.training._offline_sdk``).
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

SPLITS = {
    "stacks.config": (
        "config_sections",
        "config_families",
        "config_errors",
        "config_defaults",
        "config_checks_serving",
        "config_checks_training",
    ),
    "components.serving.inference_endpoint_spec": (
        "variant_spec",
        "model_source_spec",
        "deployment_spec",
        "sagemaker_names",
    ),
    "stacks.stack_file": ("stack_file_yaml", "stack_file_text", "stack_file_names", "stack_file_keys"),
    "policies.rules.alarms": ("_alarm_metrics", "_watched_metrics", "_rollback_alarms", "_scaling_policies"),
    "policies.rules.observability": (
        "_observability_types",
        "_alarm_mutes",
        "_published_topic_keys",
        "_topic_key_publishers",
    ),
    "planner.loop_diagram": ("loop_model", "loop_inputs", "loop_kubernetes", "loop_render"),
    "components.component_package": (
        "package_boundary",
        "package_foundation",
        "package_data_registry",
        "package_training_serving",
    ),
    "components.training.definition": (
        "definition_names",
        "definition_patterns",
        "definition_sections",
        "definition_checks",
        "definition_settings",
    ),
    "stacks.composition.foundation": (
        "foundation_scope",
        "foundation_roles",
        "foundation_network",
        "foundation_audit",
    ),
    "stacks.composition.observability": (
        "observability_alerts",
        "observability_families",
        "observability_monitors",
        "observability_alarms",
        "observability_dashboard",
    ),
    "policies.rules._common": ("_props", "_stack_index", "_undecided_resources", "_iam_patterns"),
    "policies.rules._iam_documents": ("_three_valued", "_iam_statements", "_iam_conditions"),
}


def _public_definitions(path: str) -> list[str]:
    """The public names a module binds at its top level (functions, classes, assignments)."""
    names: list[str] = []
    for node in ast.parse(Path(path).read_text()).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names += [t.id for target in targets for t in ast.walk(target) if isinstance(t, ast.Name)]
    return [name for name in names if not name.startswith("_") and name != "T"]


@pytest.mark.parametrize("original", sorted(SPLITS))
def test_every_public_name_of_a_split_module_is_the_same_object_from_the_original(original: str) -> None:
    module = importlib.import_module(original)
    package = original.rsplit(".", 1)[0]
    lost = []
    for sibling_name in SPLITS[original]:
        sibling = importlib.import_module(f"{package}.{sibling_name}")
        assert sibling.__file__ is not None
        for name in _public_definitions(sibling.__file__):
            if getattr(module, name, None) is not getattr(sibling, name):
                lost.append(f"{sibling_name}.{name}")
    assert lost == [], f"{original} does not re-export (as the same object): {lost}"
