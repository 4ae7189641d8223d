"""bin/pick_python.py and bin/bootstrap: a new .venv goes on an optimized build of uv's chosen Python
when one of the same ABI is installed; the user's choice, an existing .venv and every failure leave
the choice to uv."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.bin.sandbox import Sandbox, make_sandbox
from tests.conftest import REPO


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pick_python", REPO / "bin" / "pick_python.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("pick_python", module)
    spec.loader.exec_module(module)
    return module


pick = _load()

PYENV_ARGS = "'--prefix=/home/me/.pyenv/versions/3.11.7' '--enable-shared' '--libdir=/home/me/.pyenv/versions/3.11.7/lib'"
DEBIAN_ARGS = "'--enable-shared' '--prefix=/usr' '--libdir=/usr/lib/x86_64-linux-gnu' '--with-computed-gotos'"
OPTIMIZED_ARGS = "'--prefix=/install' '--enable-optimizations' '--with-lto'"
SOABI_311 = "cpython-311-x86_64-linux-gnu"
SOABI_312 = "cpython-312-x86_64-linux-gnu"


def _answer(
    version: tuple[int, int, int] = (3, 11, 7),
    soabi: str = SOABI_311,
    config_args: str = PYENV_ARGS,
    base_prefix: str = "/home/me/.pyenv/versions/3.11.7",
    debian_scheme: bool = False,
) -> dict[str, object]:
    return {
        "version": list(version),
        "soabi": soabi,
        "config_args": config_args,
        "base_prefix": base_prefix,
        "debian_scheme": debian_scheme,
    }


def _debian_312_answer() -> dict[str, object]:
    """Debian's own 3.12: optimized, but another ABI than uv's 3.11 choice."""
    return _answer(
        version=(3, 12, 3), soabi=SOABI_312, config_args=DEBIAN_ARGS, base_prefix="/usr", debian_scheme=True
    )


def _interpreter(executable: str, **answer: object) -> object:
    return pick.interpreter_from({**_answer(**answer), "executable": executable})  # type: ignore[arg-type]


PYENV = _interpreter("/home/me/.pyenv/versions/3.11.7/bin/python3")
DEBIAN = _interpreter(
    "/usr/bin/python3.11", version=(3, 11, 2), config_args=DEBIAN_ARGS, base_prefix="/usr", debian_scheme=True
)
MANAGED = _interpreter(
    "/home/me/.local/share/uv/python/cpython-3.11.9/bin/python3.11",
    version=(3, 11, 9),
    config_args=OPTIMIZED_ARGS,
    base_prefix="/home/me/.local/share/uv/python/cpython-3.11.9",
)


# -- what counts as optimized ------------------------------------------------------------------------


def test_a_build_is_optimized_by_its_configure_arguments_or_as_a_distributions_own() -> None:
    assert not PYENV.optimized, "pyenv's default build: no --enable-optimizations"
    assert DEBIAN.optimized, "a distribution's interpreter under /usr (PGO and LTO in its packaging)"
    assert MANAGED.optimized
    pyenv_asked = _interpreter("/p/python3", config_args=PYENV_ARGS + " '--enable-optimizations'")
    assert pyenv_asked.optimized, "pyenv with PYTHON_CONFIGURE_OPTS=--enable-optimizations"
    local = _interpreter(
        "/usr/local/bin/python3.11", config_args="'--prefix=/usr/local'", base_prefix="/usr/local"
    )
    assert not local.optimized, "a hand-made build under /usr/local is not a distribution's"


@pytest.mark.parametrize(
    ("config_args", "debian_scheme", "optimized"),
    [
        pytest.param(
            "'--prefix=/usr' '--disable-optimizations' '--without-lto'", False, False, id="gentoo-pgo-off"
        ),
        pytest.param(
            "'--prefix=/usr' '--enable-shared' '--with-lto'", False, False, id="alpine-says-nothing"
        ),
        pytest.param(DEBIAN_ARGS, True, True, id="debian-says-nothing"),
        pytest.param(DEBIAN_ARGS + " '--disable-optimizations'", True, False, id="debian-disabled"),
        pytest.param(
            "'--prefix=/usr' '--enable-optimizations' '--with-lto'", False, True, id="fedora-enabled"
        ),
        pytest.param(
            "'--enable-optimizations' '--disable-optimizations'", False, False, id="last-disable-wins"
        ),
        pytest.param(
            "'--disable-optimizations' '--enable-optimizations'", False, True, id="last-enable-wins"
        ),
        pytest.param("'--enable-optimizations=no'", True, False, id="enable-no"),
        pytest.param("'--enable-optimizations=yes'", False, True, id="enable-yes"),
    ],
)
def test_under_usr_configure_says_first_and_only_debians_packaging_counts_when_it_says_nothing(
    config_args: str, debian_scheme: bool, optimized: bool
) -> None:
    # Gentoo passes --disable-optimizations unless USE=pgo (dev-lang/python ebuild: use_enable pgo
    # optimizations); Alpine's APKBUILD builds without PGO and says nothing; Debian's packaging
    # runs PGO outside configure's arguments.
    build = _interpreter(
        "/usr/bin/python3.11", config_args=config_args, base_prefix="/usr", debian_scheme=debian_scheme
    )
    assert build.optimized is optimized
    assert pick.choose(PYENV, [build]) is (build if optimized else None)


# -- the choice --------------------------------------------------------------------------------------


def test_an_unoptimized_default_gives_way_to_an_optimized_build_of_the_same_abi() -> None:
    assert pick.choose(PYENV, [PYENV, DEBIAN]) is DEBIAN


def test_an_optimized_default_is_kept_whatever_else_is_installed() -> None:
    assert pick.choose(DEBIAN, [PYENV, DEBIAN, MANAGED]) is None
    assert pick.choose(MANAGED, [PYENV, DEBIAN, MANAGED]) is None


def test_only_the_same_abi_is_a_candidate() -> None:
    # Another release, a free-threaded or debug flavour or another platform would not take the
    # wheels the lock resolved for uv's choice, nor be the release the user has.
    others = [
        _interpreter(
            "/usr/bin/python3.12",
            version=(3, 12, 3),
            soabi="cpython-312-x86_64-linux-gnu",
            base_prefix="/usr",
            debian_scheme=True,
        ),
        _interpreter(
            "/opt/py/python3.13t",
            version=(3, 13, 1),
            soabi="cpython-313t-x86_64-linux-gnu",
            config_args=OPTIMIZED_ARGS,
        ),
        _interpreter(
            "/opt/py/python3.11d", soabi="cpython-311d-x86_64-linux-gnu", config_args=OPTIMIZED_ARGS
        ),
        _interpreter(
            "/opt/py/arm/python3.11", soabi="cpython-311-aarch64-linux-gnu", config_args=OPTIMIZED_ARGS
        ),
    ]
    assert pick.choose(PYENV, [PYENV, *others]) is None
    assert pick.choose(PYENV, [*others, DEBIAN]) is DEBIAN


def test_an_interpreter_without_an_soabi_is_never_chosen() -> None:
    blank = _interpreter("/x/python", soabi="", base_prefix="/usr", debian_scheme=True)
    assert blank.optimized
    assert pick.choose(_interpreter("/y/python", soabi=""), [blank]) is None


def test_the_newest_optimized_patch_release_wins_and_uvs_order_breaks_a_tie() -> None:
    assert pick.choose(PYENV, [DEBIAN, MANAGED]) is MANAGED
    assert pick.choose(PYENV, [MANAGED, DEBIAN]) is MANAGED
    twin = _interpreter(
        "/other/python3.11", version=(3, 11, 9), config_args=OPTIMIZED_ARGS, base_prefix="/other"
    )
    assert pick.choose(PYENV, [MANAGED, twin]) is MANAGED
    assert pick.choose(PYENV, [twin, MANAGED]) is twin


def test_a_malformed_answer_is_no_interpreter() -> None:
    good = {**_answer(), "executable": "/p/python3"}
    assert pick.interpreter_from(good).version == (3, 11, 7)
    for broken in (
        {**good, "version": "3.11.7"},
        {**good, "version": [3, 11]},
        {**good, "version": [3, 11, "7"]},
        {**good, "soabi": None},
        {**good, "executable": 3},
        {**good, "debian_scheme": "yes"},
    ):
        with pytest.raises(ValueError):
            pick.interpreter_from(broken)
    with pytest.raises(KeyError):
        pick.interpreter_from({key: value for key, value in good.items() if key != "base_prefix"})


def test_the_probe_reads_a_real_interpreter_and_survives_one_that_fails(tmp_path: Path) -> None:
    this = pick.probe(sys.executable)
    assert this is not None and this.version == tuple(sys.version_info[:3])
    assert this.soabi and this.base_prefix == sys.base_prefix
    failing = tmp_path / "python"
    failing.write_text("#!/bin/sh\necho 'not json'\n")
    failing.chmod(0o755)
    assert pick.probe(str(failing)) is None
    assert pick.probe(str(tmp_path / "absent")) is None


def test_the_whole_pick_waits_at_most_its_budget_however_many_interpreters_hang(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Each probe has its own timeout; without a budget for the whole pick, every interpreter
    # that hangs added PROBE_TIMEOUT_S to the set-up. A fake clock: a hung probe uses all the
    # time it is given.
    clock = [0.0]
    probed: list[str] = []

    def fake_probe(python: str, timeout: float = pick.PROBE_TIMEOUT_S) -> object:
        probed.append(python)
        if python == "uv-choice":
            return PYENV
        if python == DEBIAN.executable:
            return DEBIAN
        clock[0] += timeout
        return None

    hung = [f"/hung/{index}/python3.11" for index in range(5)]
    monkeypatch.setattr(pick, "monotonic", lambda: clock[0])
    monkeypatch.setattr(pick, "probe", fake_probe)
    monkeypatch.setattr(pick, "installed", lambda uv, request, timeout=0: [*hung, DEBIAN.executable])
    monkeypatch.setattr(pick, "requires_python", lambda pyproject: None)
    monkeypatch.setattr(pick, "user_chose", lambda directory, environment: None)

    assert pick.main(["pick_python.py", "uv", "uv-choice"]) == 0

    out = capsys.readouterr()
    assert out.out == "", "uv's choice is kept"
    assert clock[0] <= pick.PICK_BUDGET_S
    assert probed == ["uv-choice", *hung[:2]], "the third hung interpreter finds the budget spent"
    assert f"the others took over {pick.PICK_BUDGET_S} s to answer" in out.err


# -- the user's choice -------------------------------------------------------------------------------


def test_uv_python_or_a_version_file_above_the_checkout_is_the_users_choice(tmp_path: Path) -> None:
    checkout = tmp_path / "work" / "repo"
    checkout.mkdir(parents=True)
    assert pick.user_chose(checkout, {}) is None
    assert pick.user_chose(checkout, {"UV_PYTHON": ""}) is None, "an empty setting chooses nothing"
    assert pick.user_chose(checkout, {"UV_PYTHON": "3.11"}) == "UV_PYTHON is set"
    assert pick.user_chose(checkout, {"PYENV_VERSION": "3.11.7"}) == "PYENV_VERSION is set", "`pyenv shell`"
    assert pick.user_chose(checkout, {"PYENV_VERSION": ""}) is None
    for name in (".python-version", ".python-versions"):
        pinned = tmp_path / "work" / name
        pinned.write_text("3.11\n")
        assert pick.user_chose(checkout, {}) == f"{pinned} names the Python"
        pinned.unlink()


def test_uvs_global_pin_is_the_users_choice(tmp_path: Path) -> None:
    # `uv python pin --global` writes uv's user configuration folder, which uv reads when the
    # checkout has no version file (uv-dirs user_config_dir: an absolute XDG_CONFIG_HOME, else
    # ~/.config), so a pick there would move .venv off the pinned release.
    checkout = tmp_path / "work" / "repo"
    checkout.mkdir(parents=True)
    home, xdg = tmp_path / "home", tmp_path / "xdg"
    for pinned in (home / ".config" / "uv" / ".python-version", xdg / "uv" / ".python-versions"):
        pinned.parent.mkdir(parents=True)
        pinned.write_text("3.11.7\n")
    assert pick.user_chose(checkout, {"HOME": str(home)}) == (
        f"{home / '.config' / 'uv' / '.python-version'} names the Python"
    )
    assert pick.user_chose(checkout, {"HOME": str(home), "XDG_CONFIG_HOME": str(xdg)}) == (
        f"{xdg / 'uv' / '.python-versions'} names the Python"
    )
    assert pick.user_chose(checkout, {"HOME": str(home), "XDG_CONFIG_HOME": "relative/xdg"}) == (
        f"{home / '.config' / 'uv' / '.python-version'} names the Python"
    ), "a relative XDG_CONFIG_HOME is ignored, as uv ignores it"
    assert pick.user_chose(checkout, {"HOME": str(tmp_path / "elsewhere")}) is None


# -- bin/bootstrap in a sandbox ----------------------------------------------------------------------


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    made = make_sandbox(tmp_path)
    made.put_uv_on_path()
    return made


def _install(sandbox: Sandbox, default: Path, *listed: Path, managed: tuple[Path, ...] = ()) -> None:
    # uv's JSON: key, version, path (and more the picker does not read); the version is what
    # the stand-in interpreter answers.
    listing = sandbox.root / "uv-python-list.json"
    entries = []
    for path in listed:
        version = sandbox.answers[path]["version"]
        assert isinstance(version, list)
        entry = {"key": path.name, "version": ".".join(map(str, version)), "path": str(path)}
        entries.append({**entry, "managed": True} if path in managed else entry)
    listing.write_text(json.dumps(entries))
    sandbox.env["STANDIN_PYTHON_FIND"] = str(default)
    sandbox.env["STANDIN_PYTHON_LIST"] = str(listing)


def _pyenv_first_and_debian(sandbox: Sandbox) -> Path:
    """The machine of the pick's case: uv's choice pyenv's unoptimized 3.11.7, Debian's 3.11.2 too
    (its stand-in's path returned)."""
    pyenv = sandbox.put_interpreter("pyenv-python", _answer())
    debian = sandbox.put_interpreter(
        "debian-python",
        _answer(version=(3, 11, 2), config_args=DEBIAN_ARGS, base_prefix="/usr", debian_scheme=True),
    )
    _install(sandbox, pyenv, pyenv, debian)
    return debian


def _syncs(sandbox: Sandbox) -> list[str]:
    return [call for call in sandbox.calls if call.startswith("uv sync")]


def test_bootstrap_builds_a_new_environment_on_the_optimized_build(sandbox: Sandbox) -> None:
    debian = _pyenv_first_and_debian(sandbox)

    result = sandbox.run("bin/bootstrap")

    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1, "stdout is uv's path alone"
    assert _syncs(sandbox) == [f"uv sync --locked --python {debian}"]
    assert f"building .venv on {debian} (3.11.2, Debian's build, with PGO and LTO)" in result.stderr
    assert "configured without --enable-optimizations" in result.stderr


def test_bootstrap_keeps_uvs_choice_when_it_is_optimized_or_nothing_better_is_installed(
    sandbox: Sandbox,
) -> None:
    managed = sandbox.put_interpreter("managed-python", _answer(config_args=OPTIMIZED_ARGS, base_prefix="/m"))
    debian = sandbox.put_interpreter(
        "debian-python", _answer(config_args=DEBIAN_ARGS, base_prefix="/usr", debian_scheme=True)
    )
    _install(sandbox, managed, managed, debian)
    assert sandbox.run("bin/bootstrap").returncode == 0
    assert _syncs(sandbox) == ["uv sync --locked"]
    assert not [call for call in sandbox.calls if call.startswith("uv python list")], "no list needed"

    (sandbox.repo / ".venv").joinpath(".synced").unlink()
    (sandbox.repo / ".venv").rmdir()
    pyenv = sandbox.put_interpreter("pyenv-python", _answer())
    other = sandbox.put_interpreter("py312", _debian_312_answer())
    _install(sandbox, pyenv, pyenv, other)
    result = sandbox.run("bin/bootstrap")
    assert result.returncode == 0, result.stderr
    assert _syncs(sandbox) == ["uv sync --locked", "uv sync --locked"]
    assert "building .venv" not in result.stderr


@pytest.mark.parametrize(
    ("requires_python", "chosen"), [(">=3.11.4,<3.14", None), (">=3.11.2,<3.14", "debian-python")]
)
def test_a_build_outside_requires_python_is_never_chosen(
    sandbox: Sandbox, requires_python: str, chosen: str | None
) -> None:
    # `uv sync --python` refuses an interpreter outside requires-python ("The requested
    # interpreter resolved to Python 3.11.2, which is incompatible with the project's Python
    # requirement"): the pick would fail the set-up it only meant to speed up.
    pyproject = sandbox.repo / "pyproject.toml"
    text = pyproject.read_text()
    assert 'requires-python = ">=3.11,<3.14"' in text
    pyproject.write_text(text.replace('">=3.11,<3.14"', f'"{requires_python}"', 1))
    debian = _pyenv_first_and_debian(sandbox)

    result = sandbox.run("bin/bootstrap")

    assert result.returncode == 0, result.stderr
    expected = f"uv sync --locked --python {debian}" if chosen else "uv sync --locked"
    assert _syncs(sandbox) == [expected]


def test_uvs_managed_builds_are_never_chosen(sandbox: Sandbox) -> None:
    # With uv's default preference a managed 3.11 would have been uv's choice; uv chose pyenv's
    # over the installed managed one because the user set python-preference = "system", so a
    # system build is what may replace it, not the newer managed one.
    pyenv = sandbox.put_interpreter("pyenv-python", _answer())
    managed = sandbox.put_interpreter(
        "managed-python", _answer(version=(3, 11, 9), config_args=OPTIMIZED_ARGS, base_prefix="/m")
    )
    debian = sandbox.put_interpreter(
        "debian-python",
        _answer(version=(3, 11, 2), config_args=DEBIAN_ARGS, base_prefix="/usr", debian_scheme=True),
    )
    _install(sandbox, pyenv, managed, pyenv, debian, managed=(managed,))

    result = sandbox.run("bin/bootstrap")

    assert result.returncode == 0, result.stderr
    assert _syncs(sandbox) == [f"uv sync --locked --python {debian}"]


def test_an_existing_environment_keeps_its_interpreter(sandbox: Sandbox) -> None:
    pyenv = sandbox.put_interpreter("pyenv-python", _answer())
    debian = sandbox.put_interpreter(
        "debian-python", _answer(config_args=DEBIAN_ARGS, base_prefix="/usr", debian_scheme=True)
    )
    _install(sandbox, pyenv, pyenv, debian)
    (sandbox.repo / ".venv").mkdir()
    (sandbox.repo / ".venv" / ".synced").write_text("4242 17\n")  # synced for an earlier lock

    result = sandbox.run("bin/bootstrap")

    assert result.returncode == 0, result.stderr
    assert sandbox.calls == ["uv sync --locked"], "no interpreter is looked for"


@pytest.mark.parametrize("active", ["VIRTUAL_ENV", "CONDA_PREFIX"])
def test_an_active_environment_is_not_the_interpreter_uv_sync_builds_on(
    sandbox: Sandbox, active: str
) -> None:
    # `uv sync` builds a new project environment on a system interpreter, never on the active
    # environment's (uv: ProjectInterpreter::discover, EnvironmentPreference::OnlySystem), so the
    # pick starts from `uv python find --system`: here pyenv's 3.11, not the active 3.12.
    pyenv = sandbox.put_interpreter("pyenv-python", _answer())
    debian_311 = sandbox.put_interpreter(
        "debian-python3.11",
        _answer(version=(3, 11, 2), config_args=DEBIAN_ARGS, base_prefix="/usr", debian_scheme=True),
    )
    debian_312 = sandbox.put_interpreter("debian-python3.12", _debian_312_answer())
    sandbox.put_interpreter(
        "active-env/bin/python",
        _answer(version=(3, 12, 1), soabi=SOABI_312, base_prefix="/home/me/.pyenv/versions/3.12.1"),
    )
    _install(sandbox, pyenv, pyenv, debian_311, debian_312)
    sandbox.env[active] = str(sandbox.root / "interpreters" / "active-env")

    result = sandbox.run("bin/bootstrap")

    assert result.returncode == 0, result.stderr
    assert _syncs(sandbox) == [f"uv sync --locked --python {debian_311}"]


@pytest.mark.parametrize("users_choice", ["UV_PYTHON", ".python-version", "uv python pin --global"])
def test_the_users_choice_is_left_to_uv(sandbox: Sandbox, users_choice: str) -> None:
    pyenv = sandbox.put_interpreter("pyenv-python", _answer())
    debian = sandbox.put_interpreter(
        "debian-python", _answer(config_args=DEBIAN_ARGS, base_prefix="/usr", debian_scheme=True)
    )
    _install(sandbox, pyenv, pyenv, debian)
    if users_choice == "UV_PYTHON":
        sandbox.env["UV_PYTHON"] = "3.11"
    elif users_choice == ".python-version":
        (sandbox.repo / ".python-version").write_text("3.11\n")
    else:  # the sandbox's HOME is its root, above the checkout; uv's folder is not
        pinned = Path(sandbox.env["HOME"]) / ".config" / "uv" / ".python-version"
        pinned.parent.mkdir(parents=True)
        pinned.write_text("3.11.7\n")

    result = sandbox.run("bin/bootstrap")

    assert result.returncode == 0, result.stderr
    assert _syncs(sandbox) == ["uv sync --locked"]
    assert "debian-python probed" not in sandbox.calls


def test_a_failing_pick_keeps_uvs_choice_and_the_set_up_succeeds(sandbox: Sandbox) -> None:
    # uv finds no interpreter (the stand-in fails as uv does): plain sync.
    assert sandbox.run("bin/bootstrap").returncode == 0
    assert _syncs(sandbox) == ["uv sync --locked"]

    # uv's list is not JSON: plain sync, a note on stderr, nothing on stdout but uv's path.
    (sandbox.repo / ".venv" / ".synced").unlink()
    (sandbox.repo / ".venv").rmdir()
    pyenv = sandbox.put_interpreter("pyenv-python", _answer())
    sandbox.env["STANDIN_PYTHON_FIND"] = str(pyenv)
    broken = sandbox.root / "broken.json"
    broken.write_text("{not json")
    sandbox.env["STANDIN_PYTHON_LIST"] = str(broken)
    result = sandbox.run("bin/bootstrap")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1
    assert _syncs(sandbox) == ["uv sync --locked", "uv sync --locked"]
    assert (
        "keeping uv's interpreter (`uv python list` failed: JSONDecodeError listing the others; set UV_PYTHON to choose one)"
        in result.stderr
    )


def test_a_pick_that_crashes_keeps_uvs_choice_and_stdout_clean(sandbox: Sandbox) -> None:
    # Whatever goes wrong inside bin/pick_python.py (an interpreter too old for it, an exception
    # it does not expect), a failing exit is no pick, even with a path already printed.
    crashing = sandbox.root / "interpreters" / "crashing-python"
    crashing.parent.mkdir(parents=True, exist_ok=True)
    crashing.write_text(
        "#!/bin/sh\necho /usr/bin/python3.11\necho 'Traceback (most recent call last):' >&2\nexit 1\n"
    )
    crashing.chmod(0o755)
    sandbox.env["STANDIN_PYTHON_FIND"] = str(crashing)

    result = sandbox.run("bin/bootstrap")

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [str(sandbox.path_dirs[0] / "uv")], "stdout is uv's path alone"
    assert _syncs(sandbox) == ["uv sync --locked"]
    assert "Traceback" in result.stderr
