"""Stack documents as YAML text, written by libyaml's emitter where it writes what PyYAML writes.

Tests write hundreds of stack files (variants of the fixture stacks); PyYAML's pure-Python
emitter took about 8 ms per fixture document and libyaml's (``CSafeDumper``) about a fifth of it.
The two differ on some values: characters beyond the Basic Multilingual Plane (libyaml escapes
them), NEL and other non-printable characters, a key holding a line break, an empty key and keys
written in 123 characters or more (PyYAML writes them as ``? `` keys). A document holding any
string outside printable ASCII, an empty key or a key of 100 characters or more keeps PyYAML's
emitter, so every file's bytes are what ``yaml.safe_dump`` with the same options writes
(tests/test_yaml_text.py compares the two).
"""

from __future__ import annotations

from typing import Any

import yaml

_LONG_KEY = 100


def dump_document(document: dict[str, Any], **options: Any) -> str:
    """``yaml.safe_dump(document, sort_keys=False, **options)``, faster where that is the same text."""
    fast = getattr(yaml, "CSafeDumper", None)
    dumper = yaml.SafeDumper if fast is None or emitters_may_differ(document) else fast
    return yaml.dump(document, Dumper=dumper, sort_keys=False, **options)


def emitters_may_differ(value: Any, *, key: bool = False) -> bool:
    """Whether libyaml's emitter might write ``value`` differently from PyYAML's."""
    if key and not isinstance(value, str):
        return len(str(value)) >= _LONG_KEY  # a number or date written as a long key
    if isinstance(value, str):
        # Printable ASCII, " " to "~": what isascii() and isprintable() say together.
        return (key and (value == "" or len(value) >= _LONG_KEY)) or not (
            value.isascii() and value.isprintable()
        )
    if isinstance(value, dict):
        return any(
            emitters_may_differ(name, key=True) or emitters_may_differ(item) for name, item in value.items()
        )
    if isinstance(value, list):
        return any(emitters_may_differ(item) for item in value)
    return False
