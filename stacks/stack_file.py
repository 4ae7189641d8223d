"""Reading a Pulumi stack file (``Pulumi.<stack>.yaml``) the way the Pulumi CLI would.

The offline plan and the tests start from the stack file itself, so YAML mistakes (syntax errors,
an empty file, a duplicated key, a misspelt ``mlops-platform:`` key) are reported here with the
same :class:`~stacks.config.ConfigError` the program raises for semantic mistakes.

The input is bounded before anything is built from it (``stacks.input_limits``): the file's size,
then its encoding (UTF-8; a UTF-16 or Latin-1 file is named as such), then, from the parser's
event stream and before any value is constructed, its nesting depth and its number of values
once YAML aliases are expanded. Each problem names the file and the dotted key where it is.

The parts live beside this module, each public name still importable from here: the YAML reader
and writer in :mod:`stacks.stack_file_yaml`, the bounded reading of the text in
:mod:`stacks.stack_file_text`, the file name's checks and hints in :mod:`stacks.stack_file_names`,
and the keys a stack file may set (with the project's declarations) in :mod:`stacks.stack_file_keys`.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stacks.config import ConfigError, default_prefix_problem, parse_platform_config
from stacks.default_providers import DISABLE_DEFAULT_PROVIDERS_KEY, default_provider_problems
from stacks.input_limits import MAX_STACK_FILE_BYTES, forget_lists, json_text_problem
from stacks.naming import STACK_NAME, stack_name_of
from stacks.project import CONFIG_KEY, PROJECT, engine_config_values
from stacks.project_config import (
    TAGS_KEY,
    esc_environments,
    merged_project_config,
    pulumi_tags_problems,
)
from stacks.secret_stand_ins import (
    LeafPath,
    compared_encrypted,
    platform_stand_ins,
    refused_encrypted,
    with_stand_ins,
)
from stacks.stack_file_keys import (
    _STACK_FILE_KEYS,
    _engine_config_keys,
    _esc_note,
    _may_be_misspelt,
    _misplaced_platform,
    _missing_platform,
    _project_of,
    read_project_config,
    secret_text_problems,
)
from stacks.stack_file_names import (
    STACK_FILE_SUFFIX,
    UNREAD_SUFFIXES,
    _extension_problem,
    is_unread_extension,
)
from stacks.stack_file_text import _read_text, load_yaml
from stacks.stack_file_yaml import dump_stack_document, reading_loader, writing_dumper

if TYPE_CHECKING:
    from stacks.config import PlatformConfig


@dataclass(frozen=True)
class StackFile:
    """A parsed stack file: its path, stack name and its ``config:`` map as the program receives
    it (the project's ``Pulumi.yaml`` config merged in, :mod:`stacks.project_config`)."""

    path: str
    stack: str
    config: dict[str, Any]
    environments: tuple[str, ...] = ()
    """The Pulumi ESC environments its ``environment:`` imports: `pulumi up` merges their
    ``pulumiConfig`` values into ``config``, which the offline plan cannot read (Pulumi Cloud)."""
    default_providers_source: str = ""
    """The file ``config``'s ``pulumi:disable-default-providers`` is written in when it is not
    ``path`` (the project's ``Pulumi.yaml``): where a refusal tells to take a package off."""
    project: str = PROJECT
    """The name of the Pulumi project the stack belongs to (its ``Pulumi.yaml``'s ``name``), which
    `pulumi up` runs the program under (its URNs, ``pulumi.get_project()``); the program reads its
    keys in the ``mlops-platform`` namespace whatever it is."""

    @property
    def platform(self) -> Any:
        return self.config.get(CONFIG_KEY)

    @functools.cached_property
    def stand_ins(self) -> dict[LeafPath, str]:
        """What each encrypted leaf of the platform map reads as offline
        (:func:`~stacks.secret_stand_ins.platform_stand_ins`), chosen once per stack file read: the
        plan's validation (:func:`offline_platform_config`) and its recording (:func:`offline_config`)
        get the same choice without making it twice."""
        return platform_stand_ins(self.config, self.path)


def read_as(stack_file: StackFile, stand_ins: Mapping[LeafPath, str]) -> StackFile:
    """``stack_file`` with its encrypted leaves read as ``stand_ins`` instead of the offline
    reading's own choice (:attr:`StackFile.stand_ins`): which leaf a command uses, when several
    read alike (:func:`~stacks.secret_stand_ins.require_no_stand_in`)."""
    copy = replace(stack_file)  # a new StackFile: its own choice is not cached yet
    copy.__dict__["stand_ins"] = dict(stand_ins)  # what functools.cached_property would have cached
    return copy


def platform_from_json(text: str | None, source: str) -> Any:
    """The ``mlops-platform:platform`` value as the Pulumi engine hands it to the program: JSON for
    a structured value, the text itself for a plain string. Bounded like a stack file (its size;
    its depth before parsing, which recurses once per level); :func:`~stacks.config.parse_platform_config`
    then says what is wrong with a value that is not a map."""
    if text is None:
        return None
    problem = json_text_problem(text)
    if problem:
        raise ConfigError(source, [(CONFIG_KEY, problem)])
    try:
        return json.loads(text)
    except ValueError:  # not JSON: the engine passes a plain string value as it is
        return text


def offline_platform_config(stack_file: StackFile) -> PlatformConfig:
    """The stack's ``mlops-platform:platform`` validated as the program validates it
    (:func:`stacks.program.load_config` on what the engine would pass it); raises
    :class:`~stacks.config.ConfigError` naming the file and key.

    The offline plan calls it before it imports Pulumi, the providers and the components, so an
    invalid stack file fails in a fraction of a plan's start-up; the program validates again (a
    few milliseconds) and raises what this cannot see (a missing secret).

    An encrypted leaf of the map (``pulumi config set --secret --path``), whose text the plan
    cannot read, is read as the stand-in its field's check accepts (:mod:`stacks.secret_stand_ins`),
    as :func:`offline_config` hands it to the program; one no stand-in passes is refused as
    encrypted."""
    forget_lists()  # said once per file: no list an earlier file listed
    config = offline_config(stack_file)
    text = engine_config_values({CONFIG_KEY: config[CONFIG_KEY]})[CONFIG_KEY]
    platform, stand_ins, source = stack_file.platform, stack_file.stand_ins, stack_file.path
    try:
        valid = parse_platform_config(platform_from_json(text, source), source)
    except ConfigError as raised:
        first: ConfigError = raised
        error = refused_encrypted(raised, platform, stand_ins, source)
        # Encrypted leaves read alike pass every check comparing them: each read as its own too.
        hidden = compared_encrypted(platform, stand_ins, source, raised.written)
        if hidden:
            error = ConfigError(error.source, [*error.written, *hidden])
    else:
        hidden = compared_encrypted(platform, stand_ins, source, [])
        if not hidden:
            return valid
        first = error = ConfigError(source, hidden)
    if not stack_file.environments:
        if error is first:
            raise error
        raise error from None
    # mergeConfig merges an environment's value under the stack's own (Value.Merge, a JSON
    # merge patch): ESC may set at `pulumi up` the fields this stack file leaves out. The
    # environments listed (said once per file).
    problems = [
        (
            key,
            f"{message}: {_esc_note(stack_file.environments, 'it')}"
            if message.startswith("missing")
            else message,
        )
        for key, message in error.written
    ]
    raise ConfigError(error.source, problems) from None


def offline_config(stack_file: StackFile) -> dict[str, Any]:
    """The stack's config as the offline plan hands it to the program: each encrypted leaf of the
    platform map as its stand-in (:func:`~stacks.secret_stand_ins.platform_stand_ins`), the rest as
    the stack file has it (a wholly encrypted value stays encrypted: the engine text of an
    encrypted value is :data:`~stacks.project.SECRET_STAND_IN`)."""
    platform = stack_file.config.get(CONFIG_KEY)
    stand_ins = stack_file.stand_ins
    if not stand_ins:
        return stack_file.config
    return {**stack_file.config, CONFIG_KEY: with_stand_ins(platform, stand_ins)}


def read_stack_file(path: str | Path) -> StackFile:
    """Parse ``path`` and check its shape; raises :class:`ConfigError` naming the file.

    A problem that leaves the platform value readable as Pulumi would read it (an unknown top-level
    or ``mlops-platform:`` key, a problem of ``Pulumi.yaml`` that declares nothing inside the
    platform value, ``pulumi:tags``, a stack name Pulumi refuses) is reported together with the
    platform value's own problems, in one error (:func:`_with_platform_problems`); what makes the
    platform value unknown (a ``config:`` that is no map, the platform key written twice or missing,
    a ``Pulumi.yaml`` path inside it Pulumi cannot set) stops with the problems found before it, the
    stack name checked first; YAML syntax and the size bounds stop alone."""
    source = str(path)
    forget_lists()  # said once per file: no list an earlier file listed
    problem = _extension_problem(Path(path))
    if problem:
        raise ConfigError(source, [("", problem)])
    document = load_yaml(_read_text(path, source), source)
    if document is None:
        raise ConfigError(source, [("", f"the file is empty; expected `config:` with `{CONFIG_KEY}`")])
    if not isinstance(document, dict):
        raise ConfigError(source, [("", "the file must be a YAML map with a top-level `config:` key")])
    deferred: list[ConfigError] = []
    stack = stack_name_of(path)
    # First, so that every stop below keeps it: the file's name is wrong whatever the file holds.
    if not STACK_NAME.fullmatch(stack):
        deferred.append(
            ConfigError(
                source,
                [
                    (
                        "",
                        f"the stack name {stack!r} (from the file name, Pulumi.<stack>.yaml) is not one Pulumi "
                        "accepts: 1 to 100 letters, digits, `_`, `.` or `-`; rename the file",
                    )
                ],
            )
        )
    unknown = sorted(str(key) for key in document if key not in _STACK_FILE_KEYS)
    if unknown:
        deferred.append(
            ConfigError(
                source,
                [
                    (key, f"unknown top-level key; allowed: {', '.join(sorted(_STACK_FILE_KEYS))}")
                    for key in unknown
                ],
            )
        )
    # A stack file without `config:` (or with it empty) sets no key, as Pulumi reads it: one that
    # imports ESC environments alone is the usual stack file of a platform value kept in ESC.
    config = {} if document.get("config") is None else document["config"]
    if not isinstance(config, dict):
        raise ConfigError.joined(
            source, [*deferred, ConfigError(source, [("config", f"not a map; it must hold `{CONFIG_KEY}`")])]
        )
    project, declarations_known, name = _project_of(source, deferred)
    written = config
    config = _engine_config_keys(
        config, source, project, deferred, declarations_known=declarations_known, name=name
    )
    secret_problems = secret_text_problems(config, name)
    if secret_problems:
        deferred.append(ConfigError(source, secret_problems))
    # A map under an unknown key (`confg:`, `mlops-platform:platfrom`) may be the platform value
    # misspelt: without the platform key, what Pulumi would read there is then not known. One set in
    # a renamed project's namespace (a bare `platform:` there) is refused as such, not as missing.
    misspelt = CONFIG_KEY not in config and (
        any(isinstance(document[key], dict) for key in unknown)
        or any(
            isinstance(value, dict) and _may_be_misspelt(key, config, project, name)
            for key, value in written.items()
        )
        or _misplaced_platform(written, name)
    )
    environments = esc_environments(document)
    tags_source = project.path if project is not None and TAGS_KEY not in config else source
    providers_source = (
        project.path if project is not None and DISABLE_DEFAULT_PROVIDERS_KEY not in config else source
    )
    # An ESC environment setting pulumi:tags would land before the project's (mergeConfig).
    project_tags_only = tags_source != source and bool(environments)
    try:
        config, merge_errors = merged_project_config(config, project, stack, source, environments)
    except ConfigError as error:  # a Pulumi.yaml path inside the platform value Pulumi cannot set
        raise ConfigError.joined(source, [*deferred, error]) from None
    deferred += merge_errors
    tags_problems = [] if project_tags_only else pulumi_tags_problems(config)
    if tags_problems:
        deferred.append(ConfigError(tags_source, tags_problems))
    if providers_source != source and environments:
        # Pulumi.yaml's value is merged in only where the stack's config, ESC environments merged
        # first, sets none (pulumi/pulumi pkg/workspace/config.go mergeConfig): an environment may
        # set the list at `pulumi up`, and Pulumi.yaml's, well-formed or not, is then never read.
        # Not known offline: left to `pulumi up`, the recording judging no package by it (as
        # pulumi:autonaming is not judged under environments), not refused by a list the engine
        # may never read. The stack file's own value wins over an environment's (Value.Merge keeps
        # a list or text whole): checked and enforced below as written.
        config = {key: value for key, value in config.items() if key != DISABLE_DEFAULT_PROVIDERS_KEY}
    provider_problems = default_provider_problems(config)
    if provider_problems:
        deferred.append(ConfigError(providers_source, provider_problems))
    if misspelt:
        # Missing (or set in part by Pulumi.yaml) because its key is misspelt, maybe: not said.
        raise ConfigError.joined(source, deferred)
    if CONFIG_KEY not in config:
        raise ConfigError.joined(
            source,
            [*deferred, ConfigError(source, [(CONFIG_KEY, _missing_platform(environments, written, name))])],
        )
    stack_file = StackFile(
        path=source,
        stack=stack,
        config=config,
        environments=environments,
        default_providers_source=(
            providers_source if providers_source != source and DISABLE_DEFAULT_PROVIDERS_KEY in config else ""
        ),
        project=name,
    )
    if deferred:
        raise _with_platform_problems(
            stack_file, deferred, stack_name_refused=not STACK_NAME.fullmatch(stack)
        )
    return stack_file


def _with_platform_problems(
    stack_file: StackFile, deferred: list[ConfigError], *, stack_name_refused: bool
) -> ConfigError:
    """The problems of ``deferred`` (found reading ``stack_file`` and its project file, none making
    its platform value unknown) and its platform value's own, as one error. With the stack's name
    refused, an unset ``name_prefix`` (which defaults to it) is not said to be wrong too."""
    try:
        offline_platform_config(stack_file)
    except ConfigError as error:
        unset_prefix = default_prefix_problem(stack_file.path) if stack_name_refused else None
        problems = [problem for problem in error.written if problem != unset_prefix]
        if problems:
            deferred = [
                *deferred,
                ConfigError(error.source, problems) if problems != error.written else error,
            ]
    return ConfigError.joined(stack_file.path, deferred)


__all__ = [
    "MAX_STACK_FILE_BYTES",
    "STACK_FILE_SUFFIX",
    "UNREAD_SUFFIXES",
    "StackFile",
    "dump_stack_document",
    "is_unread_extension",
    "load_yaml",
    "offline_config",
    "offline_platform_config",
    "platform_from_json",
    "read_project_config",
    "read_stack_file",
    "reading_loader",
    "stack_name_of",
    "writing_dumper",
]
