"""The lazy provider packages (planner/lazy_provider_imports.py) expose exactly the real packages.

Ground truth comes from a fresh process with the hook switched off (MLOPS_LAZY_PROVIDER_IMPORTS=0,
tests/fresh_plans.py): it plans and records the prod fixture and lists, for every service package
the program imported, every public name and what it is. This process has the hook (conftest
imports the planner first).
"""

from __future__ import annotations

import importlib
import json
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from planner import lazy_provider_imports as lazy
from tests.conftest import stack_path
from tests.fresh_plans import describe, fresh_plan, resource_rows
from tests.recorded import recorded_stack


@pytest.fixture(scope="module")
def real() -> dict[str, Any]:
    """The hook-off side: the fresh process of tests/fresh_plans.py (each caller its own copy)."""
    return fresh_plan("0")


def test_the_switch_turns_the_hook_off_and_this_process_has_it(real: dict[str, Any]) -> None:
    assert real["lazy_services"] == [], "MLOPS_LAZY_PROVIDER_IMPORTS=0 imports the generated packages"
    assert {"pulumi_aws.ec2", "pulumi_aws.iam", "pulumi_aws.sagemaker"} <= set(real["services"])
    ec2 = importlib.import_module("pulumi_aws.ec2")
    assert ec2.Vpc.__module__ == "pulumi_aws.ec2.vpc"  # loads pulumi's lazy placeholder
    assert isinstance(ec2, lazy.LazyServicePackage)


def test_every_public_name_of_every_imported_service_is_the_same_object(real: dict[str, Any]) -> None:
    for package, names in real["services"].items():
        module = importlib.import_module(package)
        getattr(module, next(iter(names)))  # loads pulumi's lazy placeholder (_utils.lazy_import)
        assert isinstance(module, lazy.LazyServicePackage), package
        assert sorted(n for n in dir(module) if not n.startswith("_")) == sorted(names), package
        if module.__dict__.get("__lazy_fallback_done__"):
            # An earlier test of this worker asked for a name the index lacks: the real __init__.py
            # ran, and the package is now exactly the generated one (which has no __all__).
            assert not hasattr(module, "__all__"), package
        else:
            assert sorted(module.__all__) == sorted(names), package
        mismatched = {
            n: (describe(getattr(module, n)), d)
            for n, d in names.items()
            if describe(getattr(module, n)) != d
        }
        assert mismatched == {}, package


def test_a_submodule_imported_by_name_does_not_shadow_the_function_of_the_same_name() -> None:
    import pulumi_aws.ec2.get_vpc_ipam_pool as submodule  # noqa: F401 - binds the submodule on ec2

    ec2 = sys.modules["pulumi_aws.ec2"]
    assert isinstance(ec2.get_vpc_ipam_pool, types.FunctionType)
    assert ec2.get_vpc_ipam_pool is sys.modules["pulumi_aws.ec2.get_vpc_ipam_pool"].get_vpc_ipam_pool


def test_the_recorded_prod_graph_is_the_same_with_and_without_the_hook(real: dict[str, Any]) -> None:
    # The suite's shared recording (tests/recorded.py), made in a process with the hook, as this one:
    # its key holds every MLOPS_* variable, so a graph recorded with the switch off is never served.
    lazy_graph = resource_rows(recorded_stack(stack_path("prod")))
    assert len(lazy_graph) > 100
    assert lazy_graph == real["resources"]


def _fake_provider(root: Path, version: str) -> Path:
    """A two-module provider package shaped like the generated ones."""
    package = root / "fakeprov"
    service = package / "svc"
    service.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("")
    (package / "pulumi-plugin.json").write_text(json.dumps({"version": version}))
    (service / "__init__.py").write_text(
        "import typing\nfrom .thing import *\nfrom .get_thing import *\nfrom ._inputs import *\nfrom . import outputs\n"
    )
    (service / "thing.py").write_text(
        "__all__ = ['ThingArgs', 'Thing']\nclass ThingArgs: ...\nclass Thing: ...\n"
    )
    (service / "get_thing.py").write_text("__all__ = ['get_thing']\ndef get_thing(): ...\n")
    (service / "_inputs.py").write_text("__all__ = ['PartArgs']\nclass PartArgs: ...\n")
    (service / "outputs.py").write_text("__all__ = ['Part']\nclass Part: ...\n")
    return service


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, lazy.IndexCache]]:
    service = _fake_provider(tmp_path / "site", "1.0.0")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    finder = lazy.LazyProviderFinder(["fakeprov"], lazy.IndexCache(tmp_path / "cache"))
    monkeypatch.setattr(sys, "meta_path", [finder, *sys.meta_path])
    yield service, finder.cache
    for name in [m for m in sys.modules if m.split(".")[0] == "fakeprov"]:
        del sys.modules[name]


def test_a_name_resolves_to_its_submodule_only(fake: tuple[Path, lazy.IndexCache]) -> None:
    import fakeprov.svc as svc

    assert svc.Thing.__module__ == "fakeprov.svc.thing"
    assert "fakeprov.svc.get_thing" not in sys.modules
    assert svc.get_thing.__module__ == "fakeprov.svc.get_thing"
    assert svc.outputs.Part.__name__ == "Part"


def test_a_name_missing_from_the_index_falls_back_to_the_real_init(
    fake: tuple[Path, lazy.IndexCache],
) -> None:
    service, cache = fake
    index = cache.load(service)
    assert index is not None
    # Tamper with the cached index (same stamp): it no longer knows PartArgs.
    cached = cache.path_for(service)
    data = json.loads(cached.read_text())
    del data["index"]["bindings"]["PartArgs"]
    cached.write_text(json.dumps(data))
    import fakeprov.svc as svc

    assert "PartArgs" not in dir(svc)
    assert svc.PartArgs is sys.modules["fakeprov.svc._inputs"].PartArgs
    assert svc.Thing is sys.modules["fakeprov.svc.thing"].Thing
    with pytest.raises(AttributeError):
        _ = svc.Nothing


def test_a_package_the_index_cannot_replay_is_imported_eagerly(fake: tuple[Path, lazy.IndexCache]) -> None:
    service, _ = fake
    with (service / "__init__.py").open("a") as init:
        init.write("if typing.TYPE_CHECKING:\n    pass\n")
    import fakeprov.svc as svc

    assert not isinstance(svc, lazy.LazyServicePackage)
    assert "fakeprov.svc.thing" in sys.modules


def test_the_index_is_rebuilt_when_the_package_version_changes(
    fake: tuple[Path, lazy.IndexCache], tmp_path: Path
) -> None:
    service, cache = fake
    cache.load(service)
    cached = cache.path_for(service)
    data = json.loads(cached.read_text())
    del data["index"]["bindings"]["Thing"]  # a marker: this index came from the cache
    cached.write_text(json.dumps(data))
    stale = cache.load(service)
    assert stale is not None and "Thing" not in stale.bindings, "same version: the cache is read"

    _fake_provider(tmp_path / "site", "2.0.0")  # a new release of the provider
    rebuilt = cache.load(service)
    assert rebuilt is not None and rebuilt.bindings["Thing"] == ("thing", False)
    assert cache.path_for(service) != cached and cache.path_for(service).is_file()


def test_the_index_is_rebuilt_when_the_indexer_s_own_code_changes(fake: tuple[Path, lazy.IndexCache]) -> None:
    """CI restores the index folder from an older commit's run: an entry another version of this
    module computed (same provider, same files) must not be served, INDEX_FORMAT bumped or not."""
    service, cache = fake
    cache.load(service)
    cached = cache.path_for(service)
    data = json.loads(cached.read_text())
    assert lazy.INDEXER_DIGEST in data["stamp"]
    del data["index"]["bindings"]["Thing"]  # a marker: this index came from the cache
    cached.write_text(json.dumps(data))
    stale = cache.load(service)
    assert stale is not None and "Thing" not in stale.bindings, "same code: the cache is read"

    data["stamp"] = ["0" * 64 if part == lazy.INDEXER_DIGEST else part for part in data["stamp"]]
    cached.write_text(json.dumps(data))  # the same entry, written by another version of the indexer
    rebuilt = cache.load(service)
    assert rebuilt is not None and rebuilt.bindings["Thing"] == ("thing", False)
