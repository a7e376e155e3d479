"""Reporters: the diagnostics of a run as text for people, JSON for programs, or GitHub workflow annotations.

A reporter is given each profile's diagnostics as that profile is done, suppressed ones included, and returns the
lines to print then; ``end`` returns what is printed once every profile is done (the single JSON document). Only
the JSON document lists suppressed diagnostics, marked as such: people and annotations see what counts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Protocol

from confgen.diagnostics import Diagnostic, Severity


class Reporter(Protocol):
    def profile(self, diagnostics: Sequence[Diagnostic]) -> list[str]: ...

    def end(self) -> list[str]: ...


class TextReporter:
    """``path:line:col: severity RULE message``, one per line, as each profile is done."""

    def profile(self, diagnostics: Sequence[Diagnostic]) -> list[str]:
        return [diagnostic.format() for diagnostic in diagnostics if not diagnostic.suppressed]

    def end(self) -> list[str]:
        return []


class JsonReporter:
    """One JSON document: a list of objects with file, line, column, severity, rule, message and json_path.

    ``line``, ``column`` and ``json_path`` are null for a diagnostic about the whole file. A diagnostic that an
    ignore comment silenced, which does not count, also has ``"suppressed": true``.
    """

    def __init__(self) -> None:
        self.items: list[dict[str, object]] = []

    def profile(self, diagnostics: Sequence[Diagnostic]) -> list[str]:
        for d in diagnostics:
            item: dict[str, object] = {
                "file": d.path,
                "line": d.line,
                "column": d.column if d.line is None else d.column or 1,
                "severity": d.severity.value,
                "rule": d.rule.id,
                "message": d.message,
                "json_path": d.json_path,
            }
            self.items.append(item | {"suppressed": True} if d.suppressed else item)
        return []

    def end(self) -> list[str]:
        return [_printable_json(json.dumps(self.items, indent=2, ensure_ascii=False))]


def _printable_json(text: str) -> str:
    """``text`` with every character that a terminal would not show as itself written as a JSON escape: a file
    name's bytes that are not UTF-8 (read as lone surrogates, U+DC80 to U+DCFF) come back as those bytes from
    json.loads() and os.fsencode(); an escape sequence in a name never reaches the terminal."""
    def escaped(character: str) -> str:
        units = character.encode("utf-16-be", "surrogatepass")
        return "".join(f"\\u{units[i]:02x}{units[i + 1]:02x}" for i in range(0, len(units), 2))

    return "".join(c if c.isprintable() or c == "\n" else escaped(c) for c in text)


class GithubReporter:
    """GitHub Actions workflow commands, which the runner shows as annotations on the profile's lines. The file
    is named as given, byte for byte, so that the runner finds it."""

    def profile(self, diagnostics: Sequence[Diagnostic]) -> list[str]:
        return [self.annotation(diagnostic) for diagnostic in diagnostics if not diagnostic.suppressed]

    def end(self) -> list[str]:
        return []

    @staticmethod
    def annotation(d: Diagnostic) -> str:
        properties = {"file": d.path, "title": f"confgen {d.rule.id}"}
        if d.line is not None:
            properties |= {"line": str(d.line), "col": str(d.column or 1)}
        spelt = ",".join(f"{name}={_escape(value, True)}" for name, value in properties.items())
        command = "notice" if d.severity is Severity.NOTE else d.severity.value  # GitHub's word for a note
        return f"::{command} {spelt}::{_escape(d.message, False)}"


def _escape(text: str, in_property: bool) -> str:
    # The escapes the runner decodes: without them a '%', a newline, or (in a property) ':' or ',' would end
    # the command early or be misread.
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if in_property:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


REPORTERS: dict[str, Callable[[], Reporter]] = {
    "text": TextReporter,
    "json": JsonReporter,
    "github": GithubReporter,
}
