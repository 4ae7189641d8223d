"""Stand-ins for the encrypted leaves of ``mlops-platform:platform`` in the offline plan.

``pulumi config set --secret --path 'platform.alerts.subscriptions[0].endpoint' <url>`` leaves a
``secure:`` ciphertext inside the platform map. ``pulumi up`` hands the program the decrypted text,
which the program validates; the offline plan cannot decrypt it, so its text is unknown and its
field's check cannot be run. Each encrypted leaf is instead read as the first of
:func:`candidates` that its field's check accepts (plain text, a URL on a reserved ``.invalid``
host, an address at ``example.invalid``...), and the plan's recording of the program gets that same
text, so what the plan validates is what it records. A leaf no candidate passes is refused, saying
it is encrypted and what its check says: the plan cannot tell whether the real value would pass.

``pulumi up`` is untouched: the real program gets the decrypted value and checks it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stacks.config import ConfigError, parse_platform_config
from stacks.input_limits import shorten
from stacks.project import CONFIG_KEY, SECRET_STAND_IN, is_secure

LeafPath = tuple[str | int, ...]
"""Where an encrypted leaf is in the platform map: keys and list indexes."""

_PASSES = 3
"""Rounds of choosing: a cross-field check (a duplicate, a cross-check run only once every field
passes its own) may show only after an earlier leaf's choice."""


def candidates(ordinal: int) -> tuple[str, ...]:
    """What the ``ordinal``-th encrypted leaf may read as, in order of preference. None can be
    mistaken for a real value or reach a real target: the names say what they are, the hosts are
    under ``.invalid`` (RFC 2606: never resolves), the plan calls no account. Each after the first
    is numbered, the account id too (``000000000000``, ``000000000001``...), so two encrypted
    leaves are never read as one value (two subscriptions to one endpoint, or one account twice in
    ``consumer_accounts``, are refused as duplicates)."""
    name = f"{SECRET_STAND_IN}-{ordinal}"
    account = f"{ordinal:012d}"
    return (
        SECRET_STAND_IN,
        name,
        f"https://{name}.invalid/",
        f"{name}@example.invalid",
        account,
        f"arn:aws:iam::{account}:role/{name}",
    )


def encrypted_leaves(value: Any, path: LeafPath = ()) -> list[LeafPath]:
    """The paths of the ``secure:`` leaves inside ``value``, in document order."""
    if is_secure(value):
        return [path]
    if isinstance(value, Mapping):
        return [leaf for key, item in value.items() for leaf in encrypted_leaves(item, (*path, key))]
    if isinstance(value, list):
        return [leaf for index, item in enumerate(value) for leaf in encrypted_leaves(item, (*path, index))]
    return []


def with_stand_ins(value: Any, stand_ins: Mapping[LeafPath, str], path: LeafPath = ()) -> Any:
    """``value`` with each encrypted leaf that ``stand_ins`` names replaced by its text."""
    if path in stand_ins and is_secure(value):
        return stand_ins[path]
    if isinstance(value, Mapping) and not is_secure(value):
        return {key: with_stand_ins(item, stand_ins, (*path, key)) for key, item in value.items()}
    if isinstance(value, list):
        return [with_stand_ins(item, stand_ins, (*path, index)) for index, item in enumerate(value)]
    return value


def leaf_key(path: LeafPath) -> str:
    """The leaf as the configuration's problems name it: ``mlops-platform:platform.a[0].b``."""
    return CONFIG_KEY + "".join(
        f"[{part}]" if isinstance(part, int) else f".{shorten(part)}" for part in path
    )


def _at(problem_key: str, key: str) -> bool:
    return problem_key == key or problem_key.startswith((f"{key}.", f"{key}["))


def _above(problem_key: str, key: str) -> bool:
    """``problem_key`` holds ``key``: a check of the list or section the leaf is in (two names
    alike: ``endpoints: duplicate name(s)``) reports there, not at the leaf."""
    return key.startswith((f"{problem_key}.", f"{problem_key}["))


def _touching(problems: list[tuple[str, str]], key: str) -> tuple[int, int]:
    """How many of ``problems`` are at (or inside) the leaf ``key``, then how many at what holds it:
    a stand-in is better the fewer it leaves, those at the leaf first."""
    return (
        sum(_at(problem, key) for problem, _ in problems),
        sum(_above(problem, key) for problem, _ in problems),
    )


def _problems(
    platform: Mapping[str, Any], stand_ins: Mapping[LeafPath, str], source: str
) -> list[tuple[str, str]]:
    try:
        parse_platform_config(with_stand_ins(platform, stand_ins), source)
    except ConfigError as error:
        return list(error.problems)
    return []


def platform_stand_ins(config: Mapping[str, Any], source: str) -> dict[LeafPath, str]:
    """For each encrypted leaf of ``config``'s platform map, the first candidate its field's check
    accepts, counting the checks of the lists and sections that hold it (two names alike); where
    none does, the one that leaves the fewest problems there (the first, the plain
    :data:`~stacks.project.SECRET_STAND_IN`, when all leave as many: the validation then refuses
    it, :func:`refused_encrypted`). Empty when the map has no encrypted leaf."""
    platform = config.get(CONFIG_KEY)
    if not isinstance(platform, Mapping) or is_secure(platform):
        return {}
    leaves = encrypted_leaves(platform)
    chosen: dict[LeafPath, str] = dict.fromkeys(leaves, SECRET_STAND_IN)
    if not leaves:
        return chosen
    problems = _problems(platform, chosen, source)
    if not any(_touching(problems, leaf_key(leaf)) != (0, 0) for leaf in leaves):
        return chosen
    for _ in range(_PASSES):
        changed = False
        for ordinal, leaf in enumerate(leaves):
            key = leaf_key(leaf)
            best: tuple[tuple[int, int], str] | None = None
            for candidate in candidates(ordinal):
                score = _touching(_problems(platform, {**chosen, leaf: candidate}, source), key)
                if best is None or score < best[0]:
                    best = (score, candidate)
                if score == (0, 0):
                    break
            assert best is not None  # candidates() is never empty
            changed |= chosen[leaf] != best[1]
            chosen[leaf] = best[1]
        if not changed:
            break
    return chosen


def refused_encrypted(error: ConfigError, leaves: list[LeafPath]) -> ConfigError:
    """``error`` with each problem at an encrypted leaf saying so: the offline plan cannot read the
    value, so what the check refused is a stand-in, not the adopter's value. A platform value
    encrypted whole (``pulumi config set --secret platform "$(cat platform.json)"``, which
    ``pulumi up`` decrypts to the JSON text the program parses) is one problem saying so and how to
    encrypt only the values that are secret."""
    if leaves == [()]:
        return ConfigError(
            error.source,
            [
                (
                    CONFIG_KEY,
                    "is encrypted whole (`secure:`), so the offline plan cannot read any of it (`pulumi up` "
                    "decrypts and checks it); encrypt only the values that are secret, each with "
                    "`pulumi config set --secret --path 'platform.<key>' <value>`, and set the rest in clear",
                )
            ],
        )
    keys = [leaf_key(leaf) for leaf in leaves if leaf]
    if not any(_at(problem, key) for problem, _ in error.problems for key in keys):
        return error
    return ConfigError(
        error.source,
        [
            (problem, _encrypted_message(message) if any(_at(problem, key) for key in keys) else message)
            for problem, message in error.problems
        ],
    )


_NOT_TEXT = (
    "Input should be a valid integer",
    "Input should be a valid number",
    "Input should be a valid boolean",
    "Input should be a valid list",
    "Input should be a valid dictionary",
)
"""How the strict model refuses text where a number, a boolean, a list or a section goes."""


def _encrypted_message(message: str) -> str:
    if all(branch.startswith(_NOT_TEXT) for branch in message.split("; or: ")):
        # config/object.go: a ciphertext decrypts to a string (`config set` refuses --secret with
        # --type), so no decrypted value is a number or a boolean.
        return (
            "is encrypted (`secure:`), and Pulumi decrypts an encrypted value to text, which this key "
            f"does not take ({message}): `pulumi up` refuses it too; set it without --secret"
        )
    return (
        "is encrypted (`secure:`), so the offline plan cannot read it, and no offline stand-in "
        f"passes its check ({message}); `pulumi up` checks the decrypted value"
    )


def require_in_clear(platform: Any, source: str, needs: Mapping[LeafPath, str]) -> None:
    """Raise :class:`ConfigError` naming each key of ``needs`` that ``platform`` holds encrypted.

    A command that acts on a value in AWS or CI (an account id a deploy job is allowed into, a
    package ARN's account), not only validates it, must not get the stand-in the offline reading
    has for it: ``needs`` says, for each such key, what uses it."""
    encrypted = set(encrypted_leaves(platform)) if isinstance(platform, Mapping) else set()
    problems = [
        (
            leaf_key(path),
            f"is encrypted (`secure:`), but {why} needs it in clear, and the offline reading has only a "
            "stand-in for it; set it without --secret",
        )
        for path, why in needs.items()
        if path in encrypted
    ]
    if problems:
        raise ConfigError(source, problems)
