"""Every resource type of pulumi-aws and pulumi-aws-native that takes a ``tags`` input.

The cost-allocation tag rule (``required-cost-allocation-tags``) checks every taggable resource,
not a hand-kept list of the types one program happens to create: an adopter's queue, function or
repository without the tags fails as the platform's own would. The set is data
(``taggable_types.json``, next to this module), derived from the provider SDKs the lock installs,
so reading it at evaluation needs neither provider package; a test compares the file with the
installed SDKs, and after a provider upgrade

    python -m policies.taggable_types --write

derives it again (``--check`` exits 1 when the file is stale). A type is taggable when its
resource class's ``_internal_init`` has a ``tags`` parameter (pulumi-aws: a map; pulumi-aws-native:
a list of ``{key, value}`` or a map), which is what the provider accepts.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import re
import secrets
import stat
import sys
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).with_name("taggable_types.json")
PROVIDER_PACKAGES = {"pulumi-aws": "pulumi_aws", "pulumi-aws-native": "pulumi_aws_native"}

_TYPE_TOKEN = re.compile(r"super\(\w+, __self__\)\.__init__\(\s*'([^']+)'")
_TAGS_PARAMETER = re.compile(r"\n\s+tags: ")


@cache
def taggable_types() -> frozenset[str]:
    """The type tokens the tag rule checks (from ``taggable_types.json``)."""
    return frozenset(json.loads(DATA_FILE.read_text(encoding="utf-8"))["types"])


def _taggable_in_module(text: str) -> str | None:
    """The type token of the resource class in a provider module's ``text`` when its
    ``_internal_init`` takes ``tags``; None otherwise (no resource, or no tags)."""
    token = _TYPE_TOKEN.search(text)
    start = text.find("def _internal_init(")
    if token is None or start < 0:
        return None
    signature = text[start : text.find("):", start)]
    return token.group(1) if _TAGS_PARAMETER.search(signature) else None


def derive() -> dict[str, object]:
    """The data file's content, from the installed provider SDKs' source (no module imported:
    loading every resource class of both providers takes minutes)."""
    versions: dict[str, str] = {}
    types: set[str] = set()
    for distribution, package in PROVIDER_PACKAGES.items():
        versions[distribution] = importlib.metadata.version(distribution)
        # locate_file is typed as returning a SimplePath (no __fspath__); its str is the file's path.
        root = Path(str(importlib.metadata.distribution(distribution).locate_file(package)))
        for module in root.rglob("*.py"):
            if module.name.startswith("_"):
                continue
            token = _taggable_in_module(module.read_text(encoding="utf-8"))
            if token is not None:
                types.add(token)
    return {
        "about": "Resource types with a `tags` input: python -m policies.taggable_types --write",
        "providers": versions,
        "types": sorted(types),
    }


def render(content: dict[str, object]) -> str:
    return json.dumps(content, indent=1) + "\n"


def _write_whole(path: str | Path, content: str | bytes, encoding: str = "utf-8") -> None:
    """:func:`components.whole_file.write_whole`, copied line for line (the pack imports nothing
    from components; tests/bin/test_whole_file_copies.py holds the copy equal): a failed or
    interrupted run leaves the old list whole."""
    data = content.encode(encoding) if isinstance(content, str) else content
    target = Path(os.path.realpath(path))
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
    try:
        mode: int | None = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = None  # a new file: the default permissions (umask)
    # O_EXCL: a new file, never one already there (nothing to clean up if this fails).
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else mode)
    try:
        with open(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:  # the umask may have narrowed it
            os.chmod(partial, mode)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m policies.taggable_types", description=__doc__.split("\n")[0]
    )
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help=f"write {DATA_FILE.name} from the installed SDKs")
    mode.add_argument("--check", action="store_true", help=f"exit 1 when {DATA_FILE.name} is stale")
    args = parser.parse_args(argv)
    expected = render(derive())
    if args.write:
        _write_whole(DATA_FILE, expected)
        return 0
    if DATA_FILE.read_text(encoding="utf-8") != expected:
        print(f"{DATA_FILE} is stale: python -m policies.taggable_types --write", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
