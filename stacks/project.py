"""The Pulumi project's name, the configuration keys the program reads, and the form the engine
hands the program a stack's configuration in.

Apart from :mod:`stacks.config` so that what only needs the names (the planner's recorder, which
every offline run and the benchmark's SDK floor import) does not import the configuration model
(pydantic and some eighty models).
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Mapping
from typing import Any, Final

from stacks.engine_yaml import go_float_text
from stacks.input_limits import json_text_problem

PROJECT: Final = "mlops-platform"
CONFIG_KEY: Final = f"{PROJECT}:platform"
# A secret stack value (`pulumi config set --secret kubeconfig ...`): the cluster for kubernetes_serving.
KUBECONFIG_KEY: Final = f"{PROJECT}:kubeconfig"
TOKEN_CONFIG_NAME: Final = "approval_dispatch_token"
"""The secret stack value holding the GitHub token (``mlops-platform:approval_dispatch_token``)."""
TOKEN_KEY: Final = f"{PROJECT}:{TOKEN_CONFIG_NAME}"
READ_KEYS: Final = (CONFIG_KEY, KUBECONFIG_KEY, TOKEN_KEY)
"""The configuration keys the program reads: in the :data:`PROJECT` namespace whatever the project
file (``Pulumi.yaml``) names the project."""


def meant_key(key: str, project: str) -> str | None:
    """The key the program reads that ``key`` (a key as Pulumi reads it in the project named
    ``project``) was clearly meant as: in a project not named :data:`PROJECT`, a key of its own
    namespace with the name of one the program reads (``payments-mlops:platform``, which is what
    Pulumi reads a bare ``platform:`` as there); None for any other key, which the program reads
    as it is or never."""
    if project == PROJECT or not key.startswith(f"{project}:"):
        return None
    meant = f"{PROJECT}:{key.split(':', 1)[1]}"
    return meant if meant in READ_KEYS else None


def misspelt_key(key: str, project: str) -> str | None:
    """The key the program reads that ``key`` (a key as Pulumi reads it in the project named
    ``project``) looks like misspelt: a key of the :data:`PROJECT` namespace or of the project's own
    that the program does not read, whose name, compared without case, is within a letter or two of
    a name it reads (``platfrom``, ``Platform``, ``kubeconfg``: a bare ``platfrom:`` is
    ``acme-ml:platfrom`` in a project named ``acme-ml``); None for a key the program reads, one
    :func:`meant_key` names (the right name in the wrong namespace), or any other. One judge for the
    offline plan (:mod:`stacks.stack_file_keys`) and the program under `pulumi up`
    (:mod:`stacks.program`), so both name the same key."""
    namespace, _, name = key.partition(":")
    if key in READ_KEYS or namespace not in (PROJECT, project) or meant_key(key, project) is not None:
        return None
    close = difflib.get_close_matches(name.lower(), _READ_NAMES, n=1, cutoff=_MISSPELT)
    return f"{PROJECT}:{close[0]}" if close else None


_READ_NAMES: Final = [key.split(":", 1)[1] for key in READ_KEYS]
_MISSPELT: Final = 0.8
"""How alike (:class:`difflib.SequenceMatcher` ratio) a name must be to one the program reads to be
named as it misspelt: ``platfrom`` (0.875), ``pltform``, ``platforms``, ``kubeconfg``; not ``plat``
(0.67), ``region`` or ``approval_token`` (0.76)."""


def set_command_key(key: str, project: str) -> str:
    """How ``pulumi config set`` names the program's key ``key`` in the project named ``project``:
    the name alone in this project (``kubeconfig``, the project's namespace), the whole key in a
    project named otherwise (``mlops-platform:kubeconfig``: the name alone would land in that
    project's namespace, which the program never reads)."""
    return key.split(":", 1)[1] if project == PROJECT else key


SECRET_STAND_IN = "offline-plan-secret-stand-in"
"""What a ``secure:`` stack value reads as offline, where the engine would pass it decrypted: plain
text any API accepts where the real secret goes (a ciphertext, with its ``:``, would not). An
encrypted leaf of the platform map whose field checks a format reads instead as a stand-in that
check accepts (:mod:`stacks.secret_stand_ins`)."""


def engine_config_values(config: Mapping[str, Any]) -> dict[str, str]:
    """Stack-file config as the engine passes it to a program: strings, objects as JSON, a float as
    the text Go's ``encoding/json`` writes (``0.00001``, not Python's ``1e-05``), a null as the
    empty text (yaml.v3 leaves a null ``config.Value`` its zero value), and encrypted
    (``secure:``) values, and leaves of objects (``pulumi config set --secret --path``), as
    :data:`SECRET_STAND_IN` in place of their decrypted text."""
    return {key: _engine_text(value) for key, value in config.items()}


def _engine_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:  # yaml.v3 leaves a null config.Value's zero value: the text ""
        return ""
    if is_secure(value):
        return SECRET_STAND_IN
    if type(value) is float and math.isfinite(value):
        return go_float_text(value)
    return json.dumps(_decrypted(value))


def _decrypted(value: Any) -> Any:
    """``value`` with each encrypted leaf as :data:`SECRET_STAND_IN`: the engine decrypts them
    (``Value.Value``) and hands the program the JSON of the plaintext."""
    if is_secure(value):
        return SECRET_STAND_IN
    if isinstance(value, dict):
        return {key: _decrypted(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decrypted(item) for item in value]
    return value


def is_secure(value: Any) -> bool:
    """A ``secure:`` (encrypted) stack value: a map whose only key ``secure`` holds text."""
    return isinstance(value, Mapping) and list(value) == ["secure"] and isinstance(value["secure"], str)


def holds_secure(value: Any) -> bool:
    """``config.Value.Secure()``: encrypted, or an object or array with an encrypted leaf."""
    if is_secure(value):
        return True
    if isinstance(value, Mapping):
        return any(holds_secure(item) for item in value.values())
    if isinstance(value, list):
        return any(holds_secure(item) for item in value)
    return False


def config_secret_keys(config: Mapping[str, Any]) -> list[str]:
    """The keys the engine passes a program as secret (``PULUMI_CONFIG_SECRET_KEYS``): those whose
    value is or holds an encrypted value. The Python SDK's ``Config.get`` still returns their text
    unmarked; only ``get_secret`` makes an output secret."""
    return [key for key, value in config.items() if holds_secure(value)]


def platform_map(config: Mapping[str, Any]) -> Mapping[str, Any]:
    """The ``mlops-platform:platform`` map of a stack's config as the program reads it: written as
    a map or as JSON text holding one (the engine passes either as JSON). Anything else, empty."""
    value = config.get(CONFIG_KEY)
    if isinstance(value, str):
        if json_text_problem(value):  # the program reports it; here it is not parsed
            return {}
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, Mapping) else {}
