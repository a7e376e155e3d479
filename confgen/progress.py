"""Progress of a build on standard error: a bar that redraws itself on a terminal, one line per profile
otherwise (a CI log keeps every line)."""

from __future__ import annotations

import contextlib
import sys
from typing import TextIO

from confgen.diagnostics import printable


class Progress:
    def __init__(self, total: int, stream: TextIO | None = None, quiet: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.total = total
        self.done = 0
        self.quiet = quiet  # -q: nothing is shown
        self.bar = total > 1 and not quiet and self.stream.isatty()

    def finished(self, name: str, lines: list[str]) -> None:
        """One profile is done; ``lines`` say what became of its outputs. Progress that cannot be shown (standard
        error full or closed) is not worth failing the build for."""
        try:
            self._show(name, lines)
        except (OSError, ValueError):
            self.bar = False

    def _show(self, name: str, lines: list[str]) -> None:
        self.done += 1
        if self.quiet:
            return
        name = printable(name)  # a file name's escape sequences never reach the terminal
        if self.bar:
            self._clear()
        for line in lines:
            print(printable(line), file=self.stream)
        if self.bar and self.done < self.total:
            width = 30
            filled = width * self.done // self.total
            print(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} {name}"[:100], end="",
                  file=self.stream, flush=True)

    def _clear(self) -> None:
        print("\r\033[K", end="", file=self.stream)

    def close(self) -> None:
        """Take the bar away, so that what follows starts on a clean line."""
        if self.bar and self.done < self.total:
            with contextlib.suppress(OSError, ValueError):
                self._clear()
