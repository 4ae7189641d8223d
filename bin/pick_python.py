"""Which interpreter bin/bootstrap builds a new .venv on: uv's own choice, unless that one is a
CPython configured without optimizations and an optimized build of the same ABI is installed.

    python -I bin/pick_python.py UV PYTHON   # PYTHON: uv's choice (`uv python find --system`); prints a path or nothing

CPython built without profile-guided optimization and link-time optimization runs pure Python
markedly slower than the same release built with them: pyenv builds that way unless
PYTHON_CONFIGURE_OPTS asks for `--enable-optimizations`, and on a machine with pyenv its shims come
first on PATH, so uv picks that build. The platform's plan and test suite are pure Python on top of
the Pulumi SDK's mock path, so the interpreter is their largest single cost (docs/performance.md,
"Set-up": this machine's pyenv 3.11.7 against Debian's 3.11.2, 11 % more instructions a recorded
resource, 3-25 % more CPU for a plan or a test run depending on the hour).

The choice is conservative:
- only a new environment is placed (bin/bootstrap calls this only when .venv is missing);
- a user's own choice is never overridden: UV_PYTHON, a .python-version (or .python-versions)
  file in the checkout or any folder above it (pyenv's shims read those), uv's global pin (`uv
  python pin --global`, in uv's user configuration folder) or PYENV_VERSION (`pyenv shell`)
  leaves the choice to uv;
- the candidate has the same SOABI as uv's choice (same implementation, major.minor release,
  debug or free-threaded flavour and platform), so the locked wheels are the same ones, and
  satisfies the project's requires-python (uv matches it, `uv python list <requires-python>`),
  so the sync cannot refuse it; among optimized candidates the newest patch release wins;
- the candidates are system interpreters, never uv's managed builds (see `installed`);
- "optimized" is what the build says of itself: `--enable-optimizations` in its configure
  arguments (python.org's, uv's managed builds, Homebrew's, Fedora's and Arch's, pyenv's when
  asked; `--disable-optimizations` says the opposite), or, when they say nothing, Debian's or
  Ubuntu's own interpreter under /usr (their packaging runs PGO and LTO outside configure's
  arguments; other builds that say nothing may have no PGO: Alpine's APKBUILD has left it out);
- anything unexpected (uv's list missing or malformed, a candidate that does not answer, a pick
  that outlasts PICK_BUDGET_S) leaves the choice to uv: a preference must never fail a set-up.

Stdout carries the chosen path alone, or nothing; the reason goes to stderr.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from time import monotonic

# What a candidate says of itself; run with `-I -S` so no site-packages or environment settle it.
PROBE = (
    "import json, sys, sysconfig; print(json.dumps({"
    "'executable': sys.executable, 'version': list(sys.version_info[:3]), "
    "'soabi': sysconfig.get_config_var('SOABI') or '', "
    "'config_args': sysconfig.get_config_var('CONFIG_ARGS') or '', "
    "'base_prefix': sys.base_prefix, "
    "'debian_scheme': 'deb_system' in sysconfig.get_scheme_names()}))"
)
PROBE_TIMEOUT_S = 20
# The whole pick, however many interpreters hang: a preference never holds a set-up up for long.
PICK_BUDGET_S = 30
DISTRIBUTION_PREFIX = "/usr"
VERSION_FILES = (".python-version", ".python-versions")


@dataclass(frozen=True)
class Interpreter:
    executable: str
    version: tuple[int, int, int]
    soabi: str
    config_args: str
    base_prefix: str
    # Debian's packaging patches sysconfig with a `deb_system` install scheme (Ubuntu's too).
    debian_scheme: bool

    @property
    def configured_optimized(self) -> bool | None:
        """What configure's arguments say of PGO, or None when they say nothing: the last of
        `--enable-optimizations[=...]` and `--disable-optimizations` wins, as in autoconf (Gentoo's
        `pgo` USE flag, off by default, passes `--disable-optimizations`)."""
        try:
            arguments = shlex.split(self.config_args)
        except ValueError:
            arguments = self.config_args.split()
        said: bool | None = None
        for argument in arguments:
            if argument in ("--disable-optimizations", "--enable-optimizations=no"):
                said = False
            elif argument == "--enable-optimizations" or argument.startswith("--enable-optimizations="):
                said = True
        return said

    @property
    def debian_build(self) -> bool:
        """Debian's (or Ubuntu's) own interpreter: its packaging runs PGO and LTO outside
        configure's arguments (`make profile-opt`), so they say nothing of it. Other
        distributions that build with PGO say so in them (Fedora, Arch), and Alpine's APKBUILD
        has left PGO out saying nothing: /usr alone proves nothing."""
        return self.base_prefix == DISTRIBUTION_PREFIX and self.debian_scheme

    @property
    def optimized(self) -> bool:
        said = self.configured_optimized
        return said if said is not None else self.debian_build

    def describe(self) -> str:
        version = ".".join(map(str, self.version))
        said = self.configured_optimized
        if said:
            how = "built with --enable-optimizations"
        elif said is None and self.debian_build:
            how = "Debian's build, with PGO and LTO"
        else:
            how = "configured without --enable-optimizations"
        return f"{self.executable} ({version}, {how})"


def choose(default: Interpreter, candidates: list[Interpreter]) -> Interpreter | None:
    """The interpreter to build on instead of ``default`` (uv's choice), or None to keep it."""
    if default.optimized:
        return None
    better = [c for c in candidates if c.soabi == default.soabi and c.soabi and c.optimized]
    if not better:
        return None
    # max() keeps the first of equals: uv's own order among builds of one patch release.
    return max(better, key=lambda interpreter: interpreter.version)


def interpreter_from(answer: dict[str, object]) -> Interpreter:
    version = answer["version"]
    if not (isinstance(version, list) and len(version) == 3 and all(isinstance(v, int) for v in version)):
        raise ValueError(f"version {version!r}")
    fields = {key: answer[key] for key in ("executable", "soabi", "config_args", "base_prefix")}
    if not all(isinstance(value, str) for value in fields.values()):
        raise ValueError(f"fields {fields!r}")
    debian_scheme = answer["debian_scheme"]
    if not isinstance(debian_scheme, bool):
        raise ValueError(f"debian_scheme {debian_scheme!r}")
    return Interpreter(
        version=(version[0], version[1], version[2]),
        debian_scheme=debian_scheme,
        **fields,  # type: ignore[arg-type]
    )


def probe(python: str, timeout: float = PROBE_TIMEOUT_S) -> Interpreter | None:
    try:
        answer = subprocess.run(
            [python, "-I", "-S", "-c", PROBE],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )
        return interpreter_from(json.loads(answer.stdout))
    except (OSError, subprocess.SubprocessError, ValueError, KeyError, TypeError):
        return None


def requires_python(pyproject: Path) -> str | None:
    """The project's `requires-python`: uv refuses to build the environment on an interpreter
    outside it (`uv sync --python` fails), and a patch-level bound such as `>=3.11.4` excludes
    some builds of uv's release (Debian 12's 3.11.2)."""
    with pyproject.open("rb") as file:
        project = tomllib.load(file).get("project", {})
    if not isinstance(project, dict):
        raise ValueError("pyproject.toml: [project] is not a table")
    value = project.get("requires-python")
    if value is not None and not isinstance(value, str):
        raise ValueError(f"pyproject.toml: requires-python {value!r}")
    return value


def installed(uv: str, request: str | None, timeout: float = PROBE_TIMEOUT_S) -> list[str]:
    """The system interpreters uv knows on this machine (on PATH; the Windows registry) that
    satisfy ``request`` (a version specifier, matched by uv itself), in uv's order.

    Never uv's managed builds: under uv's default preference (`managed`) one of a release inside
    requires-python would have been uv's own choice already, so one is listed only when the user
    set `python-preference = "system"`, and then a system interpreter is what they asked for."""
    listing = subprocess.run(
        [
            *(uv, "python", "list", "--only-installed", "--python-preference", "only-system"),
            *("--output-format", "json", *([request] if request else [])),
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    entries = json.loads(listing.stdout)
    if not isinstance(entries, list):
        raise ValueError("uv python list: not a list")
    return [
        entry["path"] for entry in entries if isinstance(entry, dict) and isinstance(entry.get("path"), str)
    ]


def uv_config_folder(environment: dict[str, str]) -> Path | None:
    """uv's user configuration folder, where `uv python pin --global` writes its .python-version
    (uv-dirs' user_config_dir: %APPDATA%\\uv on Windows, else $XDG_CONFIG_HOME/uv when that is
    absolute, else ~/.config/uv, macOS included)."""
    if os.name == "nt":
        appdata = environment.get("APPDATA")
        return Path(appdata, "uv") if appdata else None
    xdg = environment.get("XDG_CONFIG_HOME", "")
    if os.path.isabs(xdg):
        return Path(xdg, "uv")
    home = environment.get("HOME")
    return Path(home, ".config", "uv") if home else None


def user_chose(directory: Path, environment: dict[str, str]) -> str | None:
    """What says the user chose the interpreter, or None."""
    if environment.get("UV_PYTHON"):
        return "UV_PYTHON is set"
    # pyenv's own choices for this shell (`pyenv shell`) and for a tree (`pyenv local`: a
    # .python-version above the checkout, which pyenv's shims read; uv reads only the project's
    # own, version_files.rs stops at the workspace root) pick the build uv then finds on PATH.
    if environment.get("PYENV_VERSION"):
        return "PYENV_VERSION is set"
    folders = [directory, *directory.parents]
    # uv reads its global pin when no version file is nearer (uv-python version_files.rs,
    # PythonVersionFile::discover, find_global).
    global_folder = uv_config_folder(environment)
    if global_folder is not None:
        folders.append(global_folder)
    for folder in folders:
        for name in VERSION_FILES:
            if (folder / name).is_file():
                return f"{folder / name} names the Python"
    return None


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: pick_python.py UV PYTHON", file=sys.stderr)
        return 2
    if user_chose(Path.cwd(), dict(os.environ)):
        return 0
    deadline = monotonic() + PICK_BUDGET_S

    def time_left() -> float:
        return min(PROBE_TIMEOUT_S, deadline - monotonic())

    default = probe(argv[2], time_left())
    if default is None or default.optimized:
        return 0
    try:
        paths = installed(argv[1], requires_python(Path("pyproject.toml")), time_left())
    except (OSError, subprocess.SubprocessError, ValueError, KeyError, TypeError) as error:
        print(
            f"bootstrap: keeping uv's interpreter (`uv python list` failed: {type(error).__name__} listing"
            " the others; set UV_PYTHON to choose one)",
            file=sys.stderr,
        )
        return 0
    seen: set[str] = set()
    candidates: list[Interpreter] = []
    for path in paths:
        timeout = time_left()
        if timeout <= 0:
            print(
                f"bootstrap: keeping uv's interpreter (the others took over {PICK_BUDGET_S} s to answer)",
                file=sys.stderr,
            )
            return 0
        candidate = probe(path, timeout)
        if candidate is None or os.path.realpath(candidate.executable) in seen:
            continue
        seen.add(os.path.realpath(candidate.executable))
        candidates.append(candidate)
    chosen = choose(default, candidates)
    if chosen is None:
        return 0
    print(
        f"bootstrap: building .venv on {chosen.describe()} rather than uv's choice, {default.describe()}:"
        " an optimized build runs the plan and the tests markedly faster (set UV_PYTHON to choose)",
        file=sys.stderr,
    )
    print(chosen.executable)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
