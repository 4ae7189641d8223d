"""Stand-ins for the encrypted leaves of ``mlops-platform:platform`` in the offline plan.

``pulumi config set --secret --path 'platform.alerts.subscriptions[0].endpoint' <url>`` leaves a
``secure:`` ciphertext inside the platform map. ``pulumi up`` hands the program the decrypted text,
which the program validates; the offline plan cannot decrypt it, so its text is unknown and its
field's check cannot be run. Each encrypted leaf is instead read as the first of
:func:`candidates` that its field's check accepts (plain text, a URL on a reserved ``.invalid``
host, an address at ``example.invalid``...), and the plan's recording of the program gets that same
text, so what the plan validates is what it records. A leaf no candidate passes is refused, saying
it is encrypted and what its check says: the plan cannot tell whether the real value would pass.
Leaves read as one stand-in pass every check comparing them (a label and the feature it names):
:func:`compared_encrypted` reads each as its own too (the copies of one ciphertext, one value, as
one) and refuses what that shows, naming them.

``pulumi up`` is untouched: the real program gets the decrypted value and checks it.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from pydantic import BaseModel

from stacks.config import ConfigError, PlatformConfig, parse_platform_config
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
        return list(error.written)
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
    # One ciphertext is one value (Pulumi encrypts each value with a nonce of its own: a copied
    # `secure:` value is the same value): those leaves are not moved apart.
    ciphers = {leaf: _ciphertext(platform, leaf) for leaf in leaves}
    copies: dict[str, LeafPath] = {}
    for leaf in leaves:
        copies.setdefault(ciphers[leaf], leaf)
    for _ in range(_PASSES):
        changed = False
        for ordinal, leaf in enumerate(leaves):
            key = leaf_key(leaf)
            first = copies[ciphers[leaf]]
            # The same value reads as the same text, where the leaf's own check takes it (a copy
            # beside a name is a duplicate); a field checking a format chooses its own.
            if (
                first != leaf
                and not _touching(_problems(platform, {**chosen, leaf: chosen[first]}, source), key)[0]
            ):
                changed |= chosen[leaf] != chosen[first]
                chosen[leaf] = chosen[first]
                continue
            best: tuple[tuple[int, int], str] | None = None
            taken = {text for other, text in chosen.items() if ciphers[other] != ciphers[leaf]}
            for candidate in candidates(ordinal):
                score = _touching(_problems(platform, {**chosen, leaf: candidate}, source), key)
                if best is None or score < best[0] or _parts_from_others(score, best, candidate, taken):
                    best = (score, candidate)
                if score == (0, 0):
                    break
            assert best is not None  # candidates() is never empty
            changed |= chosen[leaf] != best[1]
            chosen[leaf] = best[1]
        if not changed:
            break
    return chosen


def _ciphertext(platform: Any, leaf: LeafPath) -> str:
    for part in leaf:
        platform = platform[part]
    return str(platform["secure"])


def _parts_from_others(
    score: tuple[int, int], best: tuple[tuple[int, int], str], candidate: str, taken: set[str]
) -> bool:
    """On a tie with a problem at what holds the leaf (``duplicate feature names``), whether
    ``candidate`` is better than ``best`` for no longer reading as another encrypted leaf of
    another ciphertext (``taken``): three leaves or more read alike leave that problem whatever one
    of them alone reads as, and only moving each apart in turn clears it."""
    return score == best[0] and score[1] > 0 and best[1] in taken and candidate not in taken


def refused_encrypted(
    error: ConfigError, platform: Any, stand_ins: Mapping[LeafPath, str], source: str
) -> ConfigError:
    """``error`` (the validation of ``platform`` read with ``stand_ins``) with each problem an
    encrypted leaf causes saying so: the offline plan cannot read the value, so what the check
    refused is a stand-in, not the adopter's value. That is a problem at the leaf; one at what holds
    it (``framework``, whose check reads ``framework.version``) that the leaf's stand-in decides; and
    one at another key that compares its own value with the leaf's (an endpoint naming an encrypted
    family name), which is also what a leaf naming another key's clear value gets: a name other keys
    refer to is no secret, and the plan cannot compare a value it cannot read, so it must be set in
    clear. A platform value encrypted whole (``pulumi config set --secret platform "$(cat
    platform.json)"``, which ``pulumi up`` decrypts to the JSON text the program parses) is one
    problem saying so and how to encrypt only the values that are secret."""
    leaves = encrypted_leaves(platform)
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
    leaves = [leaf for leaf in leaves if leaf and leaf in stand_ins]
    if not leaves:
        return error
    reading = _Reading(platform, dict(stand_ins), source)
    problems = [(key, reading.message(key, message)) for key, message in error.written]
    if problems == error.written:
        return error
    return ConfigError(error.source, problems)


def compared_encrypted(
    platform: Any, stand_ins: Mapping[LeafPath, str], source: str, known: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    """The problems of ``platform`` (read with ``stand_ins``, whose validation found ``known``) that
    encrypted leaves reading as one stand-in hide: a check comparing two of them (a family's label
    with its feature group's feature names, a name with a reference to it) passes on the stand-ins
    whatever the decrypted values are. Each such leaf is read as a stand-in of its own, shared by
    the copies of its ciphertext (one value: a label copied from its feature's names it); a problem
    at a key ``known`` has none of is theirs, reported naming the leaves whose own reading makes it
    and saying the plan cannot compare values it cannot read."""
    if len(stand_ins) < 2 or not isinstance(platform, Mapping) or is_secure(platform):
        return []  # a stack file without two encrypted leaves (every shipped one) reads none alike
    leaves = encrypted_leaves(platform)
    alike: dict[str, list[LeafPath]] = {}
    for leaf in leaves:
        if leaf in stand_ins:
            alike.setdefault(stand_ins[leaf], []).append(leaf)
    # One ciphertext is one value (a copied `secure:` value; Pulumi encrypts each value it sets with
    # a nonce of its own): its copies read as one text of their own, so a label copied from its
    # feature's ciphertext names that feature, as the same name in clear does. Leaves read alike
    # hide a comparison only where they hold two ciphertexts or more.
    ciphers = {leaf: _ciphertext(platform, leaf) for group in alike.values() for leaf in group}
    first: dict[str, LeafPath] = {}
    for leaf in leaves:
        if leaf in ciphers:
            first.setdefault(ciphers[leaf], leaf)
    own = {
        leaf: f"{text}-{leaves.index(first[ciphers[leaf]])}"
        for text, group in alike.items()
        if len({ciphers[other] for other in group}) > 1
        for leaf in group
    }
    if not own:
        return []
    # Read alike again, as another text: a problem then is its text's (a check of the leaves' own
    # refusing it), not a comparison's.
    again = {leaf: own[group[0]] for group in alike.values() if group[0] in own for leaf in group}
    keys = {key for key, _ in known} | {key for key, _ in _problems(platform, {**stand_ins, **again}, source)}
    found = [
        problem for problem in _problems(platform, {**stand_ins, **own}, source) if problem[0] not in keys
    ]
    if not found:
        return []
    alone = {
        leaf: {key for key, _ in _problems(platform, {**stand_ins, leaf: text}, source)}
        for leaf, text in own.items()
    }
    reported = []
    for key, message in found:
        made = [leaf for leaf in own if key in alone[leaf]] or list(own)
        # The other encrypted leaves the message quotes (the columns a label may name, each read
        # as a stand-in of its own) are what the comparison may be with: named too.
        quoted = [leaf for leaf in stand_ins if leaf not in own and _quotes(message, stand_ins[leaf])]
        names = [_relative(leaf_key(leaf)) for leaf in leaves if leaf in made or leaf in quoted]
        # No stand-in is shown as the adopter's value: neither these leaves' nor any other's.
        for text in sorted({*own.values(), *stand_ins.values()}, key=len, reverse=True):
            message = _pattern(text).sub("<encrypted>", message)
        both = " and ".join(names)
        reported.append(
            (
                key,
                f"{message}: {both} {'are' if len(names) > 1 else 'is'} encrypted (`secure:`), so the offline plan "
                "cannot compare them (it cannot read them, and reads each as a stand-in of its own): a name that "
                f"another key refers to cannot be encrypted; set {both} without --secret (no secret: the other "
                "key holds it too)",
            )
        )
    return reported


class _Reading:
    """The validation of the platform map with its chosen stand-ins, and what each problem owes to
    an encrypted leaf (found by validating again with that leaf read otherwise: a millisecond)."""

    def __init__(
        self,
        platform: Mapping[str, Any],
        stand_ins: dict[LeafPath, str],
        source: str,
    ) -> None:
        self.platform, self.stand_ins, self.source = platform, stand_ins, source
        self.leaves = encrypted_leaves(platform)
        self.keys = {leaf: leaf_key(leaf) for leaf in self.leaves}

    def message(self, key: str, message: str) -> str:
        at_leaf = [leaf for leaf in self.leaves if _at(key, self.keys[leaf])]
        if at_leaf:
            named = self._named_in_clear(at_leaf[0], message)
            if named:
                return (
                    "is encrypted (`secure:`), but it must name a value other keys hold in clear ("
                    + ", ".join(f"{where}: '{shorten(value)}'" for where, value in named)
                    + "), which the offline plan cannot compare it with: a name that refers to another key "
                    "cannot be encrypted (it is no secret: that key holds it in clear); set it without --secret"
                )
            return _encrypted_message(self._unquoted(message, at_leaf))
        decides = {leaf: self._decides(leaf, key, message) for leaf in self.leaves}
        # A leaf quoted for the text it shares with others is named only where none of them is
        # found to decide the problem (no stand-in text is ever shown as the adopter's value).
        causes = [leaf for leaf, decided in decides.items() if decided] or [
            leaf for leaf, decided in decides.items() if decided is None
        ]
        if not causes:
            return message
        shown = self._unquoted(message, causes)
        held = [leaf for leaf in causes if _above(key, self.keys[leaf])]
        if held:
            return (
                f"{_relative(self.keys[held[0]])} is encrypted (`secure:`), so the offline plan cannot read "
                f"it, and no offline stand-in for it passes this check ({shown}); `pulumi up` checks the "
                "decrypted value"
            )
        names = ", ".join(_relative(self.keys[leaf]) for leaf in causes)
        return (
            f"{shown}: {names} {'is' if len(causes) == 1 else 'are'} encrypted (`secure:`), and the offline "
            "plan cannot compare a value it cannot read: a name (or any value) that other keys refer to "
            f"cannot be encrypted; set {names} without --secret (it is no secret: this key names it in clear)"
        )

    def _problems_with(self, leaf: LeafPath, text: str) -> list[tuple[str, str]]:
        return _problems(self.platform, {**self.stand_ins, leaf: text}, self.source)

    def _decides(self, leaf: LeafPath, key: str, message: str) -> bool | None:
        """Whether the problem ``key: message`` is the leaf's stand-in's: it quotes it, or goes (or
        changes) when the leaf reads as another stand-in its own check accepts; None where it quotes
        a text other leaves read as too and reading the leaf otherwise does not tell (its check
        refuses each other stand-in, or the others read alike still make the problem)."""
        text = self.stand_ins[leaf]
        quoted = _quotes(message, text)
        if quoted and not self._read_alike(leaf):
            return True
        # Quoting a text several leaves read as says nothing of which: the leaf reads as a text of
        # its own (and as each clear value the message quotes, which a check comparing it with
        # that value would take: `event_time 'event_time' is not a declared feature`).
        # Never a text another leaf reads as: the two alike would make a problem (a duplicate) of
        # their own, and the problem's change would be taken for the leaf's deciding it.
        taken = {self.stand_ins.get(other) for other in self.leaves if other != leaf}
        others = [
            other for other in candidates(self.leaves.index(leaf)) if other != text and other not in taken
        ]
        compared = [value for value in self._clear_quoted(message) if value != text]
        decided = None
        for other in others:
            problems = self._problems_with(leaf, other)
            if any(_at(where, self.keys[leaf]) for where, _ in problems):
                continue  # the leaf's own check refuses this one: it says nothing of the problem
            decided = (key, message) not in problems
            break
        if decided:
            return True
        for value in compared:
            problems = self._problems_with(leaf, value)
            if (
                not any(_at(where, self.keys[leaf]) for where, _ in problems)
                and (key, message) not in problems
            ):
                return True
        return None if quoted else False

    def _read_alike(self, leaf: LeafPath) -> bool:
        """Whether another encrypted leaf reads as the same stand-in as ``leaf``."""
        text = self.stand_ins[leaf]
        return any(other != leaf and self.stand_ins.get(other) == text for other in self.leaves)

    def _clear_quoted(self, message: str) -> list[str]:
        """The clear texts of the map that ``message`` quotes (``'event_time'``), each once."""
        return list(dict.fromkeys(value for _, value in self._clear if _quotes(message, f"'{value}'")))

    @functools.cached_property
    def _clear(self) -> list[tuple[LeafPath, str]]:
        return _clear_texts(self.platform)

    def _named_in_clear(self, leaf: LeafPath, message: str) -> list[tuple[str, str]]:
        """The clear keys of the map whose values the leaf's check quotes and would accept in its
        place (the family names an endpoint's ``latest_approved_of`` may name), with their values:
        each a key the check compares the leaf with (it refuses the leaf again when that key's value
        changes)."""
        key = self.keys[leaf]
        clear = [
            (where, value)
            for where, value in self._clear
            if value != self.stand_ins[leaf] and _quotes(message, value)
        ]
        named: list[tuple[str, str]] = []
        for value in dict.fromkeys(value for _, value in clear):
            if any(_at(where, key) for where, _ in self._problems_with(leaf, value)):
                continue
            for where, text in clear:
                if text == value and self._compared(leaf, value, where):
                    named.append((_relative(leaf_key(where)), value))
            if len(named) >= 4:
                break
        return named[:4]

    def _compared(self, leaf: LeafPath, value: str, holder: LeafPath) -> bool:
        """With the leaf reading ``value``, whether its check refuses it again once ``holder`` (which
        holds ``value`` in clear) holds another name."""
        other = value[:-1] + ("b" if value[-1:] != "b" else "c")
        platform = _replaced(self.platform, holder, other)
        problems = _problems(platform, {**self.stand_ins, leaf: value}, self.source)
        return any(_at(where, self.keys[leaf]) for where, _ in problems)

    def _unquoted(self, message: str, leaves: list[LeafPath]) -> str:
        """``message`` with each stand-in of ``leaves`` it quotes shown as ``<encrypted>``: what the
        check saw is not the adopter's value."""
        for text in sorted({self.stand_ins[leaf] for leaf in leaves}, key=len, reverse=True):
            message = _pattern(text).sub("<encrypted>", message)
        return message


def _pattern(text: str) -> re.Pattern[str]:
    """``text`` as a whole word of a message or a name (``dev-<text>-primary``), not the start of a
    numbered stand-in (``<text>-1``) or of a longer number (an account id's stand-in)."""
    return re.compile(rf"(?<![0-9A-Za-z]){re.escape(text)}(?![0-9A-Za-z]|-[0-9])")


def _quotes(message: str, text: str) -> bool:
    return bool(text) and _pattern(text).search(message) is not None


def _relative(key: str) -> str:
    """``models[0].name`` of ``mlops-platform:platform.models[0].name``, as the platform's messages
    name the other keys they speak of."""
    return key.removeprefix(f"{CONFIG_KEY}.")


def _replaced(value: Any, path: LeafPath, text: str) -> Any:
    """``value`` with the leaf at ``path`` holding ``text``."""
    if not path:
        return text
    head, rest = path[0], path[1:]
    if isinstance(value, list) and isinstance(head, int):
        return [_replaced(item, rest, text) if index == head else item for index, item in enumerate(value)]
    if isinstance(value, Mapping):
        return {key: _replaced(item, rest, text) if key == head else item for key, item in value.items()}
    return value


def _clear_texts(value: Any, path: LeafPath = ()) -> list[tuple[LeafPath, str]]:
    """The clear text leaves of the platform map, in document order."""
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, Mapping) and not is_secure(value):
        return [leaf for key, item in value.items() for leaf in _clear_texts(item, (*path, key))]
    if isinstance(value, list):
        return [leaf for index, item in enumerate(value) for leaf in _clear_texts(item, (*path, index))]
    return []


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


def require_no_stand_in(
    stand_ins: Mapping[LeafPath, str],
    source: str,
    used: object,
    why: str,
    reread: Callable[[Mapping[LeafPath, str]], object] | None = None,
) -> None:
    """Raise :class:`ConfigError` naming each encrypted leaf of the platform map whose stand-in (of
    ``stand_ins``, the offline reading's) is in ``used``: what a command looks up or writes in AWS
    (an endpoint's name the post-deploy check describes, the tags of a model card the promotion gate
    creates), which must not be a stand-in. ``used`` is text, or maps, sequences, dataclasses and
    pydantic models holding text; ``why`` says what uses it. Leaves whose stand-ins ``used`` does not
    hold (an alert subscription's URL) stay encrypted: the command never needs them.

    Leaves whose check takes any text all read as :data:`~stacks.project.SECRET_STAND_IN`: when
    ``used`` holds a stand-in several leaves read as, ``reread`` (what the command uses with the
    leaves read as other stand-ins; it may raise :class:`ConfigError`) tells which of them it is:
    each is read once as a stand-in of its own that its check accepts, and named only if ``used``
    then holds that one. Without ``reread`` (or with none of its own stand-ins accepted), each is
    named."""
    texts = list(_texts(used))
    found = [leaf for leaf, text in stand_ins.items() if any(_quotes(seen, text) for seen in texts)]
    problems = [
        (
            leaf_key(leaf),
            f"is encrypted (`secure:`), but {why} needs it in clear, and the offline reading has only a "
            "stand-in for it; set it without --secret",
        )
        for leaf in found
        if reread is None or _used_alone(leaf, stand_ins, reread)
    ]
    if problems:
        raise ConfigError(source, problems)


def _used_alone(
    leaf: LeafPath, stand_ins: Mapping[LeafPath, str], reread: Callable[[Mapping[LeafPath, str]], object]
) -> bool:
    """Whether what ``reread`` uses holds ``leaf``'s stand-in when it is the leaf's alone."""
    text = stand_ins[leaf]
    others = {other for path, other in stand_ins.items() if path != leaf}
    if text not in others:
        return True
    for own in candidates(list(stand_ins).index(leaf)):
        if own in others or any(_quotes(own, other) or _quotes(other, own) for other in others):
            continue
        try:
            used = reread({**stand_ins, leaf: own})
        except ConfigError:
            continue  # the leaf's check (or another's) refuses this reading: try the next
        return any(_quotes(seen, own) for seen in _texts(used))
    return True


def reread_platform(platform: Any, source: str) -> Callable[[Mapping[LeafPath, str]], PlatformConfig]:
    """The platform map validated with its encrypted leaves read as the given stand-ins (raising
    :class:`ConfigError` when that reading is invalid): a command's ``reread`` of
    :func:`require_no_stand_in` maps it to what it uses."""
    return lambda stand_ins: parse_platform_config(with_stand_ins(platform, stand_ins), source)


def _texts(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, BaseModel):
        yield from _texts(value.model_dump())
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from _texts(getattr(value, item.name))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _texts(key)
            yield from _texts(item)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from _texts(item)
