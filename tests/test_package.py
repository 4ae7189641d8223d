"""The distribution other teams install: what the wheel holds, that it imports as ``mlops_platform``
with no repository on the path, that the consumer example runs from it, and that the base install
is lean.

The wheel is built from this checkout (``uv build``, without build isolation, so no network) and
installed into a fresh virtual environment with uv, offline and without its dependencies; those
come from this repository's environment through a ``.pth`` entry placed *after* the venv's own
site-packages, so the package itself can only be the installed wheel. What the base install pulls
is checked on the lock file's dependency closure instead (tests cannot download).

The wheel is built once per version of what goes into it; each run of the installed package is kept
per version of the wheel's contents and of the files it reads (:meth:`Consumer.run`), and the venv
is made only when a run is not kept yet.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bench.package_sizes import closure
from stacks.component_reference import AREAS
from tests.bin.sandbox import machine_key
from tests.conftest import REPO
from tests.recorded import computed_once
from tests.session_shared import once_per_session

HEAVY = {"mlflow", "pyarrow", "scipy", "sagemaker", "pulumi-aws-native", "pulumi-kubernetes"}
"""What a team that only wants an endpoint must not pull."""


def _uv() -> str:
    return subprocess.run(
        [str(REPO / "bin" / "bootstrap-uv")], check=True, capture_output=True, text=True
    ).stdout.strip()


SDIST_FILES = ("README.md", "LICENSE", "CHANGELOG.md", ".gitignore")
"""What goes into the distributions (pyproject's hatch targets; hatch leaves out what .gitignore
names) besides pyproject.toml and the three folders, which are in the cache's fingerprint."""
PACKAGED_FOLDERS = ("components", "policies", "packaging")


def _dist_key(uv: str) -> list[str | bytes]:
    """What decides the built distributions beyond the code's fingerprint (which holds pyproject.toml,
    the installed hatchling and every file of the packaged folders but those under a hidden folder
    or hidden themselves): the top-level files they take, those hidden files, and uv, with the
    variables uv and hatchling read (SOURCE_DATE_EPOCH sets the archives' times, HATCH_BUILD_* the
    build's hooks and targets) and where uv finds its user configuration (HOME, XDG_CONFIG_HOME)."""
    key: list[str | bytes] = [
        subprocess.run([uv, "--version"], check=True, capture_output=True, text=True).stdout,
        repr(
            sorted(
                (name, value)
                for name, value in os.environ.items()
                if name.startswith(("UV_", "HATCH_"))
                or name in ("SOURCE_DATE_EPOCH", "HOME", "XDG_CONFIG_HOME")
            )
        ),
    ]
    for name in SDIST_FILES:
        path = REPO / name
        key += [name + "\0", path.read_bytes() if path.exists() else b"\0missing"]
    for folder in PACKAGED_FOLDERS:
        for path in sorted((REPO / folder).rglob("*")):
            if path.is_file() and any(part.startswith(".") for part in path.relative_to(REPO / folder).parts):
                key += [str(path.relative_to(REPO)) + "\0", path.read_bytes()]
    return key


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist and the wheel built from it, in a folder of the session's: built once per version
    of what decides them (tests.recorded.computed_once, :func:`_dist_key`) and written once per
    session (pytest-xdist spreads this module's tests over the workers; the tests only read the
    files)."""

    def build() -> dict[str, bytes]:
        with tempfile.TemporaryDirectory(prefix="package-dist-") as out:
            subprocess.run(
                [uv, "build", "--no-build-isolation", "--offline", "--out-dir", out],
                cwd=REPO,
                check=True,
                capture_output=True,
            )
            return {path.name: path.read_bytes() for path in Path(out).iterdir() if path.is_file()}

    def write(out: Path) -> Path:
        for name, data in computed_once("package-dist", build, key=_dist_key(uv)).items():
            (out / name).write_bytes(data)
        return out

    uv = _uv()
    return once_per_session(tmp_path_factory, "package-dist", write)


@pytest.fixture(scope="module")
def wheel(dist: Path) -> Path:
    [built] = dist.glob("mlops_platform-*-py3-none-any.whl")
    return built


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Consumer:
    """A fresh virtual environment holding the wheel (and, after its own site-packages, the deps),
    made once per session from the session's wheel, when a test first needs to run its
    interpreter (:meth:`Consumer.run`: a run already kept for this wheel needs none)."""

    def make(root: Path) -> Path:
        uv = _uv()
        subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(root)], check=True)
        environment = {**os.environ, "VIRTUAL_ENV": str(root)}
        subprocess.run(
            [uv, "pip", "install", "--quiet", "--offline", "--no-deps", str(wheel)],
            check=True,
            env=environment,
        )
        site = Path(
            subprocess.run(
                [
                    str(root / "bin" / "python"),
                    "-c",
                    "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                ],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
        )
        (site / "zz_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
        return root

    return Consumer(wheel, lambda: once_per_session(tmp_path_factory, "consumer-venv", make))


VENV, CWD = "@VENV@", "@CWD@"
"""In what :meth:`Consumer.run` returns: the virtual environment's folder and the run's working
directory, whatever they were in the session that ran it."""


def _wheel_digest(wheel: Path) -> str:
    """The wheel's contents (each member's name and bytes, not the archive's timestamps)."""
    digest = hashlib.sha256()
    with zipfile.ZipFile(wheel) as archive:
        for name in sorted(archive.namelist()):
            data = archive.read(name)
            digest.update(f"{name}:{len(data)}:".encode() + data)
    return digest.hexdigest()


class Consumer:
    """The consumer venv of the session's wheel, made only when a run needs it."""

    def __init__(self, wheel: Path, make: Callable[[], Path]) -> None:
        self._wheel, self._make = wheel, make

    def run(self, name: str, *args: str, reads: tuple[Path, ...] = ()) -> subprocess.CompletedProcess[str]:
        """``python -I args`` in the venv, from an empty working directory: its exit status and
        output, with the venv's folder written ``VENV`` and the working directory ``CWD``.

        Run once per version of what decides it (tests.recorded.computed_once): the wheel's
        contents, the arguments, the files the run ``reads`` from the repository (the program, the
        provider) and, through the key computed_once always holds, the code's fingerprint (the
        installed distributions the venv borrows), this module, the interpreter and the
        environment. A run killed by a signal raises and is not kept."""

        def compute() -> subprocess.CompletedProcess[str]:
            venv = self._make()
            environment = {
                key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")
            }
            with tempfile.TemporaryDirectory(prefix="consumer-run-") as cwd:
                result = subprocess.run(
                    [str(venv / "bin" / "python"), "-I", *args],
                    cwd=cwd,
                    env=environment,
                    capture_output=True,
                    text=True,
                )

            def neutral(text: str) -> str:
                return text.replace(str(venv), VENV).replace(cwd, CWD)

            assert result.returncode >= 0, f"killed by signal {-result.returncode}: {result.stderr}"
            return subprocess.CompletedProcess(
                args, result.returncode, neutral(result.stdout), neutral(result.stderr)
            )

        key = [_wheel_digest(self._wheel), *args, *(str(path) + "\0" for path in reads)]
        key += [path.read_bytes() for path in reads]
        return computed_once(name, compute, key=key)


def test_the_wheel_is_one_namespaced_package_with_only_what_runs(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    packages = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}

    assert packages == {"mlops_platform"}
    for area in AREAS:
        assert f"mlops_platform/components/{area}/__init__.py" in names, area
    assert "mlops_platform/components/training/definition.py" in names, "the definition builder ships"
    assert "mlops_platform/policies/rules/__init__.py" in names
    assert not [
        name for name in names if re.search(r"(^|/)(tests|bench|planner|stacks|delivery|__pycache__)/", name)
    ]
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("/METADATA"))).decode()
    assert "License-Expression: Apache-2.0" in metadata
    assert any(name.endswith("licenses/LICENSE") for name in names)
    assert "mlops_platform/py.typed" in names, "type checkers read the package's annotations"
    assert "mlops_platform/components/prebuilt_image_registries.json" in names, (
        "the monitors' image maps ship"
    )
    assert "mlops_platform/policies/taggable_types.json" in names, "the tag rule's types ship"


def test_the_sdist_builds_the_same_package(dist: Path) -> None:
    [sdist] = dist.glob("mlops_platform-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
    top = names[0].split("/")[0]
    for required in ("pyproject.toml", "LICENSE", "CHANGELOG.md", "README.md", "components/__init__.py"):
        assert f"{top}/{required}" in names, required
    assert not [name for name in names if "/tests/" in name or "/stacks/" in name]


def test_the_installed_package_imports_without_the_repository(venv: Consumer) -> None:
    result = venv.run(
        "imports",
        "-c",
        "import json, sys, mlops_platform, mlops_platform.components.serving as s;"
        "import importlib.util as u;"
        "sdk = 'sagemaker' in sys.modules;"
        "from mlops_platform.policies.registry import ALL_POLICIES, load_pack_config;"
        "load_pack_config('prod');"
        "print(json.dumps([mlops_platform.__file__, mlops_platform.__version__, bool(u.find_spec('components')),"
        " sdk, len(ALL_POLICIES)]))",
    )
    assert result.returncode == 0, result.stderr
    location, version, repository_visible, sdk_loaded, rules = json.loads(result.stdout)
    assert Path(location).is_relative_to(VENV)
    assert version == re.search(r'^version = "(.+)"', (REPO / "pyproject.toml").read_text(), re.M)[1]
    assert not repository_visible, "the repository's top-level packages are not on the path"
    assert not sdk_loaded, "importing the serving components does not load the SageMaker SDK"
    assert rules > 20, "the policy pack's rules import from the installed package, with its configs"


def test_the_consumer_example_runs_from_the_installed_package(venv: Consumer) -> None:
    program = REPO / "examples" / "consumer" / "__main__.py"
    extras = ["sagemaker", "pulumi_aws_native", "pulumi_kubernetes", "pulumi_policy"]
    harness = REPO / "tests" / "package_harness.py"
    example = tuple(sorted(path for path in program.parent.glob("*.py")))
    result = venv.run("consumer", str(harness), str(program), *extras, reads=example)

    assert result.returncode == 0, result.stderr
    recorded = json.loads(result.stdout)
    assert Path(recorded["package"]).is_relative_to(VENV)
    by_type: dict[str, list[dict]] = {}
    for resource in recorded["resources"]:
        by_type.setdefault(resource["type"], []).append(resource)
    assert {
        "mlops:foundation:SecureBucket",
        "mlops:serving:InferenceEndpoint",
        "mlops:observability:ModelMonitoring",
    } <= set(by_type)
    [endpoint] = by_type["aws:sagemaker/endpoint:Endpoint"]
    assert endpoint["inputs"]["name"] == "churn-serving-churn"
    [config] = by_type["aws:sagemaker/endpointConfiguration:EndpointConfiguration"]
    assert config["inputs"]["dataCaptureConfig"]["enableCapture"] is True
    sse = by_type["aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"]
    algorithms = sorted(
        r["inputs"]["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] for r in sse
    )
    assert algorithms == ["AES256", "aws:kms"], "artifacts under the KMS key, access logs under SSE-S3"
    [schedule] = by_type["aws:sagemaker/monitoringSchedule:MonitoringSchedule"]
    assert (
        schedule["inputs"]["monitoringScheduleConfig"]["scheduleConfig"]["scheduleExpression"]
        == "cron(0 * ? * * *)"
    )
    [quality] = by_type["aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition"]
    assert quality["inputs"]["dataQualityAppSpecification"]["imageUri"] == (
        "468650794304.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-model-monitor-analyzer:latest"
    )


def _closures(*installs: tuple[str, ...]) -> list[set[str]]:
    """The packages `uv` installs for the package with each tuple of extras, from the lock file
    (one `uv export` each, run side by side: each is a process that mostly waits). The first runs
    alone: it may have to install uv (bin/bootstrap-uv), which the others then reuse instead of
    each replacing the others' copy."""
    first, *rest = installs
    with ThreadPoolExecutor(max(1, len(rest))) as pool:
        return [closure(first), *pool.map(closure, rest)]


def test_the_base_install_leaves_out_the_heavy_parts_and_each_extra_adds_its_own() -> None:
    base, training, quality, kubernetes, policies, every, each = _closures(
        (),
        ("training",),
        ("model-quality",),
        ("kubernetes",),
        ("policies",),
        ("all",),
        ("training", "model-quality", "kubernetes", "policies"),
    )
    assert {"pulumi", "pulumi-aws", "pydantic"} <= base
    assert not base & HEAVY, base & HEAVY
    assert {"sagemaker", "mlflow", "pyarrow", "scipy"} <= training
    assert "pulumi-aws-native" in quality
    assert "pulumi-kubernetes" in kubernetes
    assert "pulumi-policy" in policies
    assert every == each


def test_the_repositorys_own_group_installs_every_extra() -> None:
    """`uv sync` (and Pulumi's uv toolchain) installs the `platform` group: the program needs every extra."""
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    extras = {
        dependency
        for group in project["project"]["optional-dependencies"].values()
        for dependency in group
        if not dependency.startswith("mlops-platform[")  # [all] names the other extras
    }
    optional = project["project"]["optional-dependencies"]
    others = [extra for extra in optional if extra != "all"]
    assert optional["all"] == [f"mlops-platform[{','.join(others)}]"]
    platform = set(project["dependency-groups"]["platform"])
    assert extras <= platform
    assert "platform" in project["tool"]["uv"]["default-groups"]


@pytest.mark.parametrize("project", ["examples/consumer", "provider"])
def test_projects_that_depend_on_the_package_install_it_and_are_locked(project: str) -> None:
    """This repository's own uv project is virtual (``package = false``); a path dependency on it is
    installed only when the source says ``package = true``, else uv installs its dependencies alone
    and ``import mlops_platform`` fails. Each lock must be current with the package it points at."""
    import tomllib

    folder = REPO / project
    source = tomllib.loads((folder / "pyproject.toml").read_text())["tool"]["uv"]["sources"]["mlops-platform"]
    assert source["package"] is True and source["editable"] is False

    def lock_check() -> tuple[int, str]:
        check = subprocess.run(
            [_uv(), "lock", "--check", "--offline"], cwd=folder, capture_output=True, text=True
        )
        return check.returncode, check.stderr

    # `uv lock --check` reads the project's files and the package's (examples/, provider/ and the
    # root's pyproject.toml are in the cache's fingerprint), uv and its settings (machine_key): run
    # once per version of them (tests.recorded.computed_once), not in every run (0.16 CPU-s each).
    returncode, stderr = computed_once(f"lock-check-{folder.name}", lock_check, key=[project, *machine_key()])
    assert returncode == 0, f"{project}/uv.lock is stale: run `uv lock` there\n{stderr}"
    lock = tomllib.loads((folder / "uv.lock").read_text())
    [package] = [p for p in lock["package"] if p["name"] == "mlops-platform"]
    assert "directory" in package["source"], package["source"]


def test_the_provider_serves_the_golden_schema_from_the_installed_package(venv: Consumer) -> None:
    """What `pulumi package add .../provider` runs: provider/__main__.py, importing only the installed
    package. Its ComponentProvider (the object the host serves) must infer the checked-in schema."""
    script = (
        "import json, runpy, sys\n"
        f"namespace = runpy.run_path({str(REPO / 'provider' / '__main__.py')!r}, run_name='provider')\n"
        "from pulumi.provider.experimental.component import ComponentProvider\n"
        "provider = ComponentProvider(namespace['COMPONENTS'], namespace['PACKAGE'], None, namespace['__version__'])\n"
        "import mlops_platform\n"
        "print(json.dumps({'schema': json.loads(provider.schema), 'package': mlops_platform.__file__}))\n"
    )
    result = venv.run("provider", "-c", script, reads=(REPO / "provider" / "__main__.py",))

    assert result.returncode == 0, result.stderr
    served = json.loads(result.stdout)
    assert Path(served["package"]).is_relative_to(VENV)
    assert served["schema"] == json.loads((REPO / "provider" / "schema.json").read_text())


def test_the_installed_schema_command_prints_the_golden_schema(venv: Consumer) -> None:
    result = venv.run("schema-command", "-m", "mlops_platform.components.component_package")

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == json.loads((REPO / "provider" / "schema.json").read_text())
    refused = venv.run("schema-command-write", "-m", "mlops_platform.components.component_package", "--write")
    assert refused.returncode == 2 and "needs a checkout" in refused.stderr


def test_one_version_everywhere_a_release_names_it() -> None:
    """pyproject.toml holds the version; every install command, tag and version field that names
    one repeats it, so a release cannot leave a document pointing at the previous tag."""
    import tomllib

    import yaml

    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    documents = [
        REPO / "README.md",
        *sorted((REPO / "docs").glob("*.md")),
        REPO / "provider" / "README.md",
        REPO / "provider" / "PulumiPlugin.yaml",
        REPO / "examples" / "consumer" / "README.md",
        REPO / "examples" / "consumer" / "pyproject.toml",
        REPO / "packaging" / "mlops_platform" / "__init__.py",
    ]
    named = {
        (path.relative_to(REPO).as_posix(), tag)
        for path in documents
        for tag in re.findall(r"@v(\d+\.\d+\.\d+)", path.read_text())
    }
    assert named, "the install commands name a tag"
    assert {tag for _, tag in named} == {version}, sorted(named)
    assert yaml.safe_load((REPO / "policies" / "PulumiPolicy.yaml").read_text())["version"] == version
    assert f"## {version}" in (REPO / "CHANGELOG.md").read_text()
    provider = tomllib.loads((REPO / "provider" / "pyproject.toml").read_text())
    assert provider["project"]["version"] == version
