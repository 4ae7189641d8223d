"""A generated block inside a hand-written document: between a begin and an end marker.

The reference pages (docs/configuration.md, docs/components.md) keep their prose by hand and their
tables generated; each generator prints its block, ``--write`` replaces it in place, and a test
compares the document's block with a fresh one. Any other argument is a usage error (exit 2): a
``--check`` or a misspelt ``--wirte`` printed the block and exited 0. A page without its block (a
begin marker followed by an end marker) is exit 2 too, naming the page, with nothing written.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from components.whole_file import write_whole


class MissingBlock(ValueError):
    """The page has no begin marker followed by an end marker."""


@dataclass(frozen=True)
class GeneratedBlock:
    document: Path
    begin: str
    end: str

    def _bounds(self, text: str) -> tuple[int, int]:
        """Where the block starts and ends; :class:`MissingBlock` when the page has no begin marker followed
        by an end marker (a moved or deleted marker: the block cannot be told from the prose)."""
        begin = text.find(self.begin)
        end = text.find(self.end, begin + len(self.begin)) if begin >= 0 else -1
        if end < 0:
            raise MissingBlock(f"no {self.begin!r} ... {self.end!r} block")
        return begin + len(self.begin), end

    def current(self) -> str:
        """The block as the document holds it."""
        text = self.document.read_text()
        start, end = self._bounds(text)
        return text[start:end].strip()

    def write(self, generated: str) -> None:
        """Replace the block: the new document is written beside the old one and renamed over it
        (:func:`components.whole_file.write_whole`), so an interrupted write leaves the old
        document whole."""
        text = self.document.read_text()
        start, end = self._bounds(text)
        write_whole(self.document, f"{text[:start]}\n{generated}\n{text[end:]}")

    def main(self, argv: Sequence[str], generate: Callable[[], str], prog: str | None = None) -> int:
        """``--write`` replaces the block; otherwise the generated block is printed."""
        parser = argparse.ArgumentParser(
            prog=prog, description=f"the generated block of {self.document.name}"
        )
        parser.add_argument("--write", action="store_true", help=f"replace the block in {self.document}")
        args = parser.parse_args(list(argv))
        generated = generate()
        if args.write:
            try:
                self.write(generated)
            except MissingBlock as missing:  # found before anything is written
                print(f"{self.document}: {missing}: nothing was written", file=sys.stderr)
                return 2
        else:
            print(generated)
        return 0
