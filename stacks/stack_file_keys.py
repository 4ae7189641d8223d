"""The keys a stack file may set: Pulumi's top-level keys, the ``config:`` keys as the engine reads
them (a typo of the project's namespace refused), and the project's own declarations
(``Pulumi.yaml``'s ``config:`` block). Part of :mod:`stacks.stack_file`, which re-exports
:func:`read_project_config`.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from stacks.config import ConfigError, project_dir
from stacks.engine_yaml import config_key
from stacks.input_limits import listed
from stacks.project import (
    CONFIG_KEY,
    KUBECONFIG_KEY,
    PROJECT,
    READ_KEYS,
    TOKEN_KEY,
    is_secure,
    meant_key,
    misspelt_key,
    set_command_key,
)
from stacks.project_config import PROJECT_FILE, ProjectConfig, project_config
from stacks.stack_file_text import _read_text, load_yaml

# Top-level keys Pulumi itself understands in a stack file.
_STACK_FILE_KEYS = frozenset({"config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment"})
# Project-namespace keys this program reads; anything else under `mlops-platform:` is a typo.
_PROJECT_KEYS = frozenset(READ_KEYS)


def _engine_config_keys(
    config: dict[str, Any],
    source: str,
    project: ProjectConfig | None,
    deferred: list[ConfigError],
    *,
    declarations_known: bool = True,
    name: str = PROJECT,
) -> dict[str, Any]:
    """``config`` under the keys Pulumi reads its keys as (:func:`~stacks.engine_yaml.config_key`)
    in the project named ``name`` (its Pulumi.yaml's ``name``: a key without a namespace is in
    that project's); a key Pulumi cannot parse (Pulumi refuses to load such a file), one written
    in two forms (Pulumi would keep either), one of the project's this program does not read (a
    typo) or one that lands in a renamed project's namespace under the name of a key the program
    reads (:func:`_misplaced_problem`) is refused, naming the key as written; a key ``project``
    (Pulumi.yaml) declares is no typo, and none is judged a typo where the project's declarations
    are not known (``declarations_known``). The refusals go to ``deferred``, the platform value
    being read as written; raised at once where the platform value itself is written twice (which
    of the two Pulumi keeps is not known)."""
    written_as: dict[str, str] = {}
    ambiguous = False
    problems = []
    misplaced: list[tuple[str, str, str]] = []
    for written in config:
        key = config_key(written, name)
        if key is None:
            alone = (
                f"a name of the {PROJECT} namespace alone (`platform`)"
                if name == PROJECT
                else f"a name alone, in the project's namespace ({name})"
            )
            problems.append(
                (
                    written,
                    "is not a configuration key Pulumi can read: keys are `<namespace>:<name>` (e.g. "
                    f"`{CONFIG_KEY}`, `aws:region`) or {alone}, and Pulumi refuses to load a file with another",
                )
            )
        elif key in written_as:
            problems.append((written, f"is {key}, written twice (also as {written_as[key]})"))
            ambiguous = ambiguous or key == CONFIG_KEY
        elif (meant := meant_key(key, name)) is not None:
            misplaced.append((written, key, meant))
        elif (
            name != PROJECT
            and key.startswith(f"{name}:")
            and (typo := misspelt_key(key, name)) is not None
            and not (project is not None and project.declares(key))
        ):
            problems.append((written, _misspelt_problem(written, key, typo, name, source)))
        elif (
            key.startswith(f"{PROJECT}:")
            and key not in _PROJECT_KEYS
            and declarations_known
            and not (project is not None and project.declares(key))
        ):
            typo_of = misspelt_key(key, name) or CONFIG_KEY
            problems.append((written, f"unknown key in the {PROJECT} namespace; did you mean {typo_of}?"))
        else:
            written_as[key] = written
    problems += [
        (written, _misplaced_problem(written, key, meant, name, source, also_written=written_as.get(meant)))
        for written, key, meant in misplaced
    ]
    if ambiguous:
        raise ConfigError.joined(source, [*deferred, ConfigError(source, problems)])
    if problems:
        deferred.append(ConfigError(source, problems))
    return {key: config[written] for key, written in written_as.items()}


def _misspelt_problem(written: str, key: str, typo_of: str, name: str, source: str) -> str:
    """Why the stack file ``source``'s key ``written``, which Pulumi reads as ``key`` in the project
    named ``name`` (not :data:`~stacks.project.PROJECT`), is refused: spelt like ``typo_of``, a key
    the program reads (:func:`~stacks.project.misspelt_key`), but in the project's own namespace,
    which the program never reads, under a name it does not read either (a bare ``platfrom:``)."""
    where = project_dir(source) / PROJECT_FILE
    why = (
        "a key without a namespace is in the project's"
        if ":" not in written
        else "that is the project's namespace"
    )
    return (
        f"is {key} to Pulumi ({why}, and {where} names the project {name}), which the program never "
        f"reads; did you mean {typo_of}? (the program reads it in the {PROJECT} namespace, whatever "
        "the project's name)"
    )


def _misplaced_problem(
    written: str, key: str, meant: str, name: str, source: str, *, also_written: str | None
) -> str:
    """Why the stack file ``source``'s key ``written``, which Pulumi reads as ``key`` in the project
    named ``name`` (not :data:`~stacks.project.PROJECT`), is refused: it is ``meant``, a key the
    program reads, but in the project's own namespace, which the program never reads (it reads its
    keys in the ``mlops-platform`` namespace whatever the project is named), so `pulumi up` would
    run without it. ``also_written``: how the stack file writes ``meant`` too, if it does."""
    where = project_dir(source) / PROJECT_FILE
    why = (
        "a key without a namespace is in the project's"
        if ":" not in written
        else "that is the project's namespace"
    )
    said = (
        f"is {key} to Pulumi ({why}, and {where} names the project {name}), which the program never "
        f"reads: it reads {meant}, whatever the project's name"
    )
    if also_written is not None:
        return f"{said}, and this file sets that too (as {also_written}): remove this key"
    if meant not in _SECRET_TEXTS:
        return f"{said}; write the key as {meant}"
    setting = _SECRET_TEXTS[meant][2].format(key=set_command_key(meant, name))
    return f"{said}; write the key as {meant} ({setting})"


_SECRET_TEXTS: dict[str, tuple[str, str, str]] = {
    KUBECONFIG_KEY: (
        "the kubeconfig file's contents",
        "the Kubernetes provider reads an empty kubeconfig as none and falls back to $KUBECONFIG or "
        "~/.kube/config, whichever cluster that is",
        'pulumi config set --secret {key} "$(cat kubeconfig)"',
    ),
    TOKEN_KEY: (
        "the GitHub token",
        "the approval dispatch would call GitHub with no token",
        "pulumi config set --secret {key} <token>",
    ),
}
"""The project's secret values: what each holds, what an empty one would do at `pulumi up`, and
how to set it (``{key}``: the key as ``pulumi config set`` names it, :func:`set_command_key`)."""
_NOT_TEXT = {bool: "true or false", int: "a number", float: "a number", list: "a list", dict: "a map"}


def secret_text_problems(config: Mapping[str, Any], name: str = PROJECT) -> list[tuple[str, str]]:
    """What is wrong with the stack file's kubeconfig or approval dispatch token (``config`` keyed
    as Pulumi reads the keys) where the offline plan can read it: not text (a number, map, list or
    boolean, which the program would get as their JSON text), or empty. An encrypted one
    (``secure:``) is left to `pulumi up`, which decrypts it. One the platform value does not use
    (no Kubernetes servings, no approval dispatch) is never read, and Pulumi takes any value: a
    placeholder there is kept. ``name``: the project's, which says how ``pulumi config set``
    names the key (:func:`~stacks.project.set_command_key`)."""
    problems = []
    read = _secrets_read(config.get(CONFIG_KEY))
    for key, (holds, if_empty, command) in _SECRET_TEXTS.items():
        if key not in config or is_secure(config[key]) or key not in read:
            continue
        setting = command.format(key=set_command_key(key, name))
        value = config[key]
        if value is not None and not isinstance(value, str):
            problems.append(
                (key, f"must be text, {holds}, not {_NOT_TEXT.get(type(value), 'that')}: {setting}")
            )
        elif not (value or "").strip():
            problems.append((key, f"is empty, and {if_empty}: set it ({setting}) or remove it"))
    return problems


def _secrets_read(platform: Any) -> frozenset[str]:
    """The secret values the program reads for the platform value ``platform`` as the stack file
    writes it: the kubeconfig where ``kubernetes_serving`` has servings, the token where
    ``delivery.approval_dispatch`` is set. A value not written as a map here (from an ESC
    environment, or refused later) may read either."""
    if not isinstance(platform, dict):
        return frozenset(_SECRET_TEXTS)
    serving, delivery = platform.get("kubernetes_serving"), platform.get("delivery")
    read = set()
    if serving is not None and (not isinstance(serving, dict) or serving.get("servings") not in (None, [])):
        read.add(KUBECONFIG_KEY)
    if delivery is not None and (
        not isinstance(delivery, dict) or delivery.get("approval_dispatch") is not None
    ):
        read.add(TOKEN_KEY)
    return frozenset(read)


def _may_be_misspelt(
    written: str, config: Mapping[str, Any], project: ProjectConfig | None, name: str = PROJECT
) -> bool:
    """Whether the stack file's key ``written`` may be the platform key misspelt: refused (Pulumi
    cannot parse it, it is not a key of the project's namespace this program reads, or it is one
    in the namespace of a project named ``name`` otherwise), or one of that namespace a project
    file this program cannot read may declare (``config`` holds the keys kept, as Pulumi reads
    them)."""
    key = config_key(written, name)
    if key is None or key not in config:
        return True
    return (
        key.startswith(f"{PROJECT}:")
        and key not in _PROJECT_KEYS
        and not (project is not None and project.declares(key))
    )


def _misplaced_platform(written: Mapping[str, Any], name: str) -> bool:
    """Whether the stack file's keys ``written`` (as written) set the platform value in the
    namespace of a project named ``name`` otherwise than :data:`~stacks.project.PROJECT` (a bare
    ``platform:``), refused (:func:`_misplaced_problem`): the value the stack file meant for the
    program is then known, but not read, and not missing either."""
    return any(
        (key := config_key(str(written_key), name)) is not None and meant_key(key, name) == CONFIG_KEY
        for written_key in written
    )


def _missing_platform(
    environments: tuple[str, ...], written: Mapping[str, Any] | None = None, name: str = PROJECT
) -> str:
    """Why a stack file without the platform value is refused; a stack importing ESC environments
    may get it from them at `pulumi up`, which the offline plan cannot see, so it says so. A map
    under a key of another namespace spelt like it (``MLOPS-PLATFORM:platform``,
    ``mlops-platfrom:platform``: ``written``, the stack file's keys as written) is named: Pulumi
    keeps it as that namespace's key, which the program never reads (``name``: the project's, the
    namespace of a key written without one)."""
    lookalikes = _platform_lookalikes(written or {}, name)
    said = "missing required key"
    if lookalikes:
        said += (
            f"; {listed(lookalikes)} holds a map, but in a namespace other than {PROJECT} (Pulumi "
            f"compares keys with their case), which the program never reads: rename it to {CONFIG_KEY}"
        )
    if not environments:
        return said
    return f"{said}: {_esc_note(environments, CONFIG_KEY)}"


def _platform_lookalikes(written: Mapping[str, Any], name: str = PROJECT) -> list[str]:
    """The keys of ``written`` (as the stack file writes them) holding a map under a key Pulumi reads
    in another namespace than the project's but spelt like the platform key, compared without case.
    A key of the project's own namespace is none: one Pulumi.yaml does not declare is refused as a
    typo already, and one it declares is meant."""
    return [
        str(key)
        for key, value in written.items()
        if isinstance(value, dict)
        and (full := config_key(str(key), name)) is not None
        and not full.startswith(f"{PROJECT}:")
        and difflib.SequenceMatcher(None, full.lower(), CONFIG_KEY).ratio() >= _LOOKALIKE
    ]


_LOOKALIKE = 0.9
"""How alike a key must be to the platform key to be named as it misspelt: one letter of its 23
changed, swapped or cased otherwise (``mlops_platform:platform``), not ``aws:defaultTags``."""


def _esc_note(environments: tuple[str, ...], what: str) -> str:
    """Why a key the stack file leaves out is refused though ESC may set it: the environments
    listed (:func:`listed`, so said once per file)."""
    return (
        f"the stack imports the Pulumi ESC environment(s) {listed(environments)} (`environment:`), "
        "which may set it at `pulumi up`, but the offline plan cannot read ESC (it needs Pulumi Cloud): "
        f"to plan this stack offline, set {what} in this stack file"
    )


def _project_of(source: str, deferred: list[ConfigError]) -> tuple[ProjectConfig | None, bool, str]:
    """The project's config declarations (:func:`read_project_config`), whether they are known, and
    the project's name (its ``name``, which Pulumi puts a stack file's key without a namespace in;
    :data:`~stacks.project.PROJECT` without a project file, or where it names none).
    A project file Pulumi would refuse whose ``config:`` block declares nothing inside the platform
    value leaves that value as the stack file writes it: its problems go to ``deferred`` (None,
    False). A project file that is no valid YAML, or that may declare something inside the
    platform value, is refused at once."""
    path = project_dir(source) / PROJECT_FILE
    if not path.is_file():
        return None, True, PROJECT
    try:
        document = load_yaml(_read_text(path, str(path)), str(path))
    except ConfigError as error:
        raise ConfigError.joined(source, [*deferred, error]) from None
    name = document.get("name") if isinstance(document, dict) else None
    name = name if isinstance(name, str) and name else PROJECT
    try:
        return project_config(document, str(path)), True, name
    except ConfigError as error:
        if _may_set_platform(document):
            raise ConfigError.joined(source, [*deferred, error]) from None
        deferred.append(error)
        return None, False, name


def _may_set_platform(document: Any) -> bool:
    """Whether a project file's ``document`` (one Pulumi refuses) may declare a default or value
    inside the platform value: unless its ``config:`` block is absent, a folder's name, or a map
    none of whose keys names ``platform`` (in any namespace, as a path's first segment too)."""
    if not isinstance(document, dict):
        return True
    block = document.get("config")
    if block is None or isinstance(block, str):
        return False
    if not isinstance(block, dict):
        return True
    name = CONFIG_KEY.split(":", 1)[1]
    return any(
        str(written).rsplit(":", 1)[-1].split(".")[0].split("[")[0].strip() == name for written in block
    )


def read_project_config(source: str) -> ProjectConfig | None:
    """The ``config:`` declarations of the project of stack file ``source`` (the ``Pulumi.yaml``
    of :func:`~stacks.config.project_dir`, the folder Pulumi runs the program in), read as stack
    files are; None when there is no project file or it declares no config."""
    path = project_dir(source) / PROJECT_FILE
    if not path.is_file():
        return None
    return project_config(load_yaml(_read_text(path, str(path)), str(path)), str(path))
