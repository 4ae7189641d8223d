"""A copy of the repository's set-up files (Makefile, bin/, pyproject.toml, uv.lock) on a machine
of our making: a PATH with only the tools the scripts need, and stand-ins that record their calls.

- ``python3``: the system interpreter. ``-m venv DIR`` makes a venv whose ``python`` is a stand-in
  too; ``-m pip`` fails with ``externally-managed-environment``, as on Debian and Ubuntu (PEP 668).
- the venv's ``python``: ``-m pip install ... uv`` puts the ``uv`` stand-in next to it and prints
  pip's chatter on stdout, as pip does.
- ``uv``: ``sync`` prints chatter on stdout and stderr and creates ``.venv``; ``run`` runs the real
  uv in the real repository (with the real PATH), so the plan itself is real; ``python find`` and
  ``python list`` answer from ``STANDIN_PYTHON_FIND`` (a path) and ``STANDIN_PYTHON_LIST`` (a file
  of uv's JSON, filtered by a version-specifier request as uv filters it), and fail as uv does
  with no interpreter when they are unset
  (:meth:`Sandbox.put_interpreter` makes interpreters to list); ``python find`` without
  ``--system`` answers an active ``VIRTUAL_ENV`` or ``CONDA_PREFIX`` first, as uv does.

Nothing touches the network or the real environment; every call lands in ``calls.log``.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import REPO

SETUP_FILES = ("Makefile", "pyproject.toml", "uv.lock")
# What the Makefile and bin/ scripts run, besides the stand-ins.
TOOLS = ("bash", "env", "make", "sh", "dirname", "rm", "touch", "mkdir", "cat", "cksum", "cp", "grep", "awk")
UV_SYNC_STDOUT = "Resolved 192 packages in 3ms (uv sync, stdout)"
UV_SYNC_STDERR = "Installed 181 packages in 1.18s (uv sync, stderr)"
PIP_STDOUT = "Collecting uv (pip install, stdout)"

_SYSTEM_PYTHON = """\
echo "python3 $*" >> "$CALLS"
if [ "$1" = -m ] && [ "$2" = venv ]; then
  [ -n "${NO_VENV_MODULE:-}" ] && { mkdir -p "$3"; echo "ensurepip is not available" >&2; exit 1; }
  mkdir -p "$3/bin" && cp "$STANDINS/venv-python" "$3/bin/python" && exit 0
fi
if [ "$1" = -m ] && [ "$2" = pip ]; then echo "error: externally-managed-environment" >&2; exit 1; fi
exit 1
"""
_VENV_PYTHON = """\
echo "venv-python $*" >> "$CALLS"
if [ "$1" = -m ] && [ "$2" = pip ] && [ "$3" = install ]; then
  echo "{pip}"
  cp "$STANDINS/uv" "$(dirname "$0")/uv" && exit 0
fi
exit 1
"""
_UV = """\
echo "uv $*" >> "$CALLS"
case "$1" in
  sync) echo "{sync_out}"; echo "{sync_err}" >&2; mkdir -p .venv ;;
  run) cd "$REAL_REPO" && PATH="$REAL_PATH" HOME="$REAL_HOME" exec "$REAL_UV" "$@" ;;
  python)
    case "$2" in
      find)
        # An active virtual or conda environment first, as uv answers unless --system
        # (uv-python's discovery.rs: EnvironmentPreference::Any reads VIRTUAL_ENV, CONDA_PREFIX).
        case " $* " in
          *" --system "*) ;;
          *) for env in "${VIRTUAL_ENV:-}" "${CONDA_PREFIX:-}"; do
               [ -n "$env" ] && echo "$env/bin/python" && exit 0
             done ;;
        esac
        [ -n "${STANDIN_PYTHON_FIND:-}" ] && echo "$STANDIN_PYTHON_FIND" && exit 0 ;;
      list) [ -n "${STANDIN_PYTHON_LIST:-}" ] \
              && exec "$STANDIN_PYTHON" "$STANDINS/uv-python-list.py" "$STANDIN_PYTHON_LIST" "$@" ;;
    esac
    echo "error: No interpreter found (stand-in)" >&2; exit 2 ;;
  *) exit 1 ;;
esac
"""

# `uv python list`'s stand-in: the listing file, less what uv would leave out of it: entries whose
# version misses a version-specifier request (uv matches a request such as `>=3.11.4,<3.14` against
# each interpreter's version), and uv's managed builds under `--python-preference only-system`
# (uv's list.rs discovers with that preference; discovery.rs then searches PATH alone). An entry's
# `managed` marks it for this stand-in only (uv's JSON has no such field). A listing that is not
# JSON is printed as it is.
_UV_PYTHON_LIST = """\
import json
import sys

from packaging.specifiers import SpecifierSet

text = open(sys.argv[1]).read()
options, request = {}, None
arguments = iter(sys.argv[4:])  # after the listing file and `python list`
for argument in arguments:
    if argument in ("--output-format", "--python-preference"):
        options[argument] = next(arguments)
    elif not argument.startswith("-"):
        request = argument
try:
    entries = json.loads(text)
except ValueError:
    print(text)
    sys.exit(0)
if request is not None:
    entries = [e for e in entries if SpecifierSet(request).contains(e["version"], prereleases=True)]
if options.get("--python-preference") == "only-system":
    entries = [e for e in entries if not e.get("managed")]
print(json.dumps(entries))
"""

# The environment bin/ scripts and uv read besides PATH and HOME (uv's settings, the interpreter
# bin/bootstrap-uv installs uv with and pip's, a virtual environment uv would pick up); not
# PYTHONDONTWRITEBYTECODE, which bin/plan unsets and the Makefile unexports.
_MACHINE_ENVIRONMENT = ("UV_", "PYTHON", "VIRTUAL_ENV", "PIP_", "XDG_CONFIG")
_NOT_READ = ("PYTHONDONTWRITEBYTECODE",)


def machine_key() -> list[str]:
    """What a run of bin/ or the Makefile reads of this machine besides the repository: PATH, HOME,
    the environment of :data:`_MACHINE_ENVIRONMENT`, uv's user and system settings (``uv.toml``),
    and each tool it runs (:data:`TOOLS`, python3 and the uv bin/bootstrap-uv finds: on PATH, else
    in .tools/uv-venv) by its resolved path, size and modification time, so an upgraded uv or make
    is a new key. Part of the key of every ``computed_once`` run of them (tests.recorded keys the
    code, not the machine); a few stat calls."""
    key = [
        os.environ.get("PATH", ""),
        os.environ.get("HOME", ""),
        repr(
            sorted(
                (k, v)
                for k, v in os.environ.items()
                if k.startswith(_MACHINE_ENVIRONMENT) and k not in _NOT_READ
            )
        ),
    ]
    config_home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    for settings in (config_home / "uv" / "uv.toml", Path("/etc/xdg/uv/uv.toml"), Path("/etc/uv/uv.toml")):
        key.append(f"{settings}: {settings.read_text() if settings.is_file() else 'absent'}")
    uv = shutil.which("uv") or str(REPO / ".tools" / "uv-venv" / "bin" / "uv")
    for tool in (*TOOLS, "python3", uv):
        found = shutil.which(tool)
        if found is None:
            key.append(f"{tool}: absent")
            continue
        real = os.path.realpath(found)
        stat = os.stat(real)
        key.append(f"{tool}: {found} -> {real} {stat.st_size} {stat.st_mtime_ns}")
    return key


def real_uv() -> str:
    """The uv the test run itself uses (PATH or the repository's .tools venv)."""
    found = subprocess.run([str(REPO / "bin" / "bootstrap-uv")], capture_output=True, text=True, check=True)
    return found.stdout.strip()


@dataclass
class Sandbox:
    root: Path
    repo: Path
    path_dirs: list[Path]
    env: dict[str, str]
    # What each interpreter of :meth:`put_interpreter` answers bin/pick_python.py's probe.
    answers: dict[Path, dict[str, object]] = field(default_factory=dict)

    @property
    def calls(self) -> list[str]:
        log = self.root / "calls.log"
        return log.read_text().splitlines() if log.exists() else []

    def put_uv_on_path(self) -> Path:
        target = self.path_dirs[0] / "uv"
        shutil.copy2(self.root / "standins" / "uv", target)
        return target

    def put_interpreter(self, name: str, answer: dict[str, object]) -> Path:
        """An interpreter stand-in: ``-I -S -c <code>`` (bin/pick_python.py's probe) prints ``answer``
        as JSON with its own path as ``executable``; any other command runs the real interpreter
        of this test run, so bin/pick_python.py itself runs for real."""
        path = self.root / "interpreters" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        body = json.dumps({**answer, "executable": str(path)})
        self.answers[path] = answer
        _script(
            path,
            f'if [ "${{3:-}}" = -c ]; then\n'
            f'  echo "{name} probed" >> "$CALLS"; printf \'%s\\n\' {shlex.quote(body)}; exit 0\n'
            f"fi\n"
            f'echo "{name} runs $(basename "${{2:-}}")" >> "$CALLS"\n'
            f'exec {shlex.quote(sys.executable)} "$@"\n',
        )
        return path

    def run(self, *command: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(part) for part in command],
            cwd=self.repo,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )


def _script(path: Path, body: str) -> None:
    path.write_text(f"#!{shutil.which('bash')}\n{body}")
    path.chmod(0o755)


def make_sandbox(root: Path) -> Sandbox:
    repo = root / "repo"
    repo.mkdir(parents=True)
    for name in SETUP_FILES:
        shutil.copy2(REPO / name, repo / name)
    shutil.copytree(REPO / "bin", repo / "bin")
    standins = root / "standins"
    standins.mkdir()
    _script(standins / "venv-python", _VENV_PYTHON.replace("{pip}", PIP_STDOUT))
    _script(standins / "uv", _UV.replace("{sync_out}", UV_SYNC_STDOUT).replace("{sync_err}", UV_SYNC_STDERR))
    (standins / "uv-python-list.py").write_text(_UV_PYTHON_LIST)
    machine_bin, tools = root / "machine-bin", root / "tools"
    machine_bin.mkdir()
    tools.mkdir()
    _script(machine_bin / "python3", _SYSTEM_PYTHON)
    for tool in TOOLS:
        found = shutil.which(tool)
        assert found, f"{tool} is needed to run the set-up scripts"
        (tools / tool).symlink_to(found)
    path_dirs = [machine_bin, tools]
    env = {
        "PATH": os.pathsep.join(map(str, path_dirs)),
        "HOME": str(root),
        "CALLS": str(root / "calls.log"),
        "STANDINS": str(standins),
        "REAL_REPO": str(REPO),
        "REAL_UV": real_uv(),
        "REAL_PATH": os.environ["PATH"],
        "REAL_HOME": os.environ.get("HOME", str(root)),
        "UV_OFFLINE": "1",
        "STANDIN_PYTHON": sys.executable,
    }
    return Sandbox(root=root, repo=repo, path_dirs=path_dirs, env=env)
