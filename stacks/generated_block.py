"""A generated block inside a hand-written document: between a begin and an end marker.

The reference pages (docs/configuration.md, docs/components.md) keep their prose by hand and their
tables generated; each generator prints its block, ``--write`` replaces it in place, and a test
compares the document's block with a fresh one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class GeneratedBlock:
    document: Path
    begin: str
    end: str

    def _bounds(self, text: str) -> tuple[int, int]:
        return text.index(self.begin) + len(self.begin), text.index(self.end)

    def current(self) -> str:
        """The block as the document holds it."""
        text = self.document.read_text()
        start, end = self._bounds(text)
        return text[start:end].strip()

    def write(self, generated: str) -> None:
        text = self.document.read_text()
        start, end = self._bounds(text)
        self.document.write_text(f"{text[:start]}\n{generated}\n{text[end:]}")

    def main(self, argv: Sequence[str], generate: Callable[[], str]) -> int:
        """``--write`` replaces the block; otherwise the generated block is printed."""
        generated = generate()
        if "--write" in argv:
            self.write(generated)
        else:
            print(generated)
        return 0
