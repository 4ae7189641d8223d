"""botocore's enumerations are read once per version of the model (components/botocore_enums.py)."""

from __future__ import annotations

import importlib.machinery
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import botocore.session
import pytest

from components import botocore_enums
from components.botocore_enums import botocore_enum
from tests.conftest import REPO
from tests.recorded import computed_once

SERVICE, SHAPE = "sagemaker", "TransformInstanceType"


def _botocore_members() -> list[str]:
    model = botocore.session.get_session().get_service_model(SERVICE)
    return list(model.shape_for(SHAPE).enum)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MLOPS_DEFINITION_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("AWS_DATA_PATH", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no ~/.aws/models
    return tmp_path / "cache" / "botocore-enums"


def test_the_list_is_botocores_and_is_kept_for_the_next_plan(cache: Path) -> None:
    members = botocore_enum(SERVICE, SHAPE)
    assert members == _botocore_members()
    assert "ml.m5.xlarge" in members and "ml.t3.medium" not in members  # transform offers no t3
    [entry] = cache.iterdir()
    assert entry.name.startswith(f"{SERVICE}-{SHAPE}-")
    assert json.loads(entry.read_text()) == members
    entry.write_text(json.dumps(["from-the-cache"]))  # a marker: the next call reads the entry
    assert botocore_enum(SERVICE, SHAPE) == ["from-the-cache"]


def _two_fresh_plans() -> list[list[str]]:
    """Two fresh processes reading the list, the first with an empty cache (the ``cache`` fixture's
    environment, in a temporary folder of the run's own)."""
    script = (
        "import sys\n"
        "from components.botocore_enums import botocore_enum\n"
        f"members = botocore_enum({SERVICE!r}, {SHAPE!r})\n"
        "print(len(members), 'botocore.session' in sys.modules)\n"
    )
    with tempfile.TemporaryDirectory(prefix="botocore-enums-") as folder:
        environment = {**os.environ, "MLOPS_DEFINITION_CACHE": f"{folder}/cache", "HOME": f"{folder}/home"}
        environment.pop("AWS_DATA_PATH", None)
        return [
            subprocess.run(
                [sys.executable, "-c", script],
                cwd=REPO,
                env=environment,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            for _ in range(2)
        ]


def test_a_plan_with_the_list_kept_does_not_load_botocores_session() -> None:
    # Once per version of the code, botocore among it (the installed distributions are in its
    # fingerprint), and this module (tests.recorded.computed_once); a failed run raises, not kept.
    runs = computed_once("two-fresh-plans", _two_fresh_plans)
    count = str(len(_botocore_members()))
    assert runs == [[count, "True"], [count, "False"]], "the first run reads the model, the second the cache"


def test_a_damaged_entry_is_read_from_botocore_again(cache: Path) -> None:
    botocore_enum(SERVICE, SHAPE)
    [entry] = cache.iterdir()
    for damage in ("{not json", json.dumps({"a": 1}), json.dumps([1, 2])):
        entry.write_text(damage)
        assert botocore_enum(SERVICE, SHAPE) == _botocore_members()
        assert json.loads(entry.read_text()) == _botocore_members()


def _fake_botocore(root: Path, monkeypatch: pytest.MonkeyPatch, version: str) -> Path:
    """Point the key at a botocore of our own: its package folder and version."""
    package = root / "botocore"
    (package / "data" / SERVICE / "2017-07-24").mkdir(parents=True, exist_ok=True)
    model = package / "data" / SERVICE / "2017-07-24" / "service-2.json.gz"
    if not model.exists():
        model.write_bytes(b"model")
    spec = importlib.machinery.ModuleSpec("botocore", None, is_package=True)
    spec.submodule_search_locations = [str(package)]
    monkeypatch.setattr(botocore_enums.importlib.util, "find_spec", lambda name: spec)
    monkeypatch.setattr(botocore_enums.metadata, "version", lambda name: version)
    return model


def test_a_new_botocore_or_a_changed_model_is_a_new_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_DATA_PATH", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    model = _fake_botocore(tmp_path, monkeypatch, "1.0.0")
    first = botocore_enums._model_key(SERVICE)
    assert first is not None and botocore_enums._model_key(SERVICE) == first
    _fake_botocore(tmp_path, monkeypatch, "1.0.1")
    upgraded = botocore_enums._model_key(SERVICE)
    assert upgraded not in (None, first)
    model.write_bytes(b"a longer model")
    assert botocore_enums._model_key(SERVICE) not in (None, first, upgraded)
    (model.parent.parent / "2025-01-01").mkdir()
    (model.parent.parent / "2025-01-01" / "service-2.json.gz").write_bytes(b"x")
    assert len({first, upgraded, botocore_enums._model_key(SERVICE)}) == 3
    assert botocore_enums._model_key("no-such-service") is None


@pytest.mark.parametrize("where", ["AWS_DATA_PATH", "~/.aws/models"])
def test_models_botocore_reads_from_elsewhere_are_never_kept(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    if where == "AWS_DATA_PATH":
        monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path / "models"))
    else:
        (tmp_path / "home" / ".aws" / "models" / SERVICE).mkdir(parents=True)
    assert botocore_enums._model_key(SERVICE) is None
    assert botocore_enum(SERVICE, SHAPE) == _botocore_members()
    assert not cache.exists()


def test_with_the_cache_off_nothing_is_written(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLOPS_DEFINITION_CACHE", "off")
    assert botocore_enum(SERVICE, SHAPE) == _botocore_members()
    assert not cache.exists()


def test_a_plan_with_an_empty_cache_decodes_the_model_once_for_all_its_lists(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The configuration checks three of SageMaker's enumerations (training, processing and
    transform instance types): with none kept, one decoding of the model serves them all."""
    decoded: list[str] = []
    original = botocore.session.Session.get_service_model

    def counted(self: botocore.session.Session, service_name: str, api_version: str | None = None):  # type: ignore[no-untyped-def]
        decoded.append(service_name)
        return original(self, service_name, api_version)

    monkeypatch.setattr(botocore.session.Session, "get_service_model", counted)
    botocore_enums._service_model.cache_clear()
    shapes = ("TrainingInstanceType", "ProcessingInstanceType", SHAPE)

    lists = [botocore_enum(SERVICE, shape) for shape in shapes]

    assert decoded == [SERVICE]
    assert len(list(cache.iterdir())) == len(shapes)
    assert "ml.t3.medium" in lists[1] and "ml.t3.medium" not in lists[2]  # each its own list
