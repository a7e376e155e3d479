"""Reporters: the diagnostics of a run as text for people, JSON for programs, GitHub workflow annotations, or a
SARIF log for code scanning.

A reporter is given each profile's diagnostics as that profile is done, suppressed ones included, and returns the
lines to print then; ``end`` returns what is printed once every profile is done (the single JSON document, the
SARIF log). Only JSON and SARIF list suppressed diagnostics, marked as such: people and annotations see what
counts.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol
from urllib.parse import quote_from_bytes

from confgen import __version__
from confgen.diagnostics import Diagnostic, Rule, Severity


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


class SarifReporter:
    """One SARIF 2.1.0 log (OASIS, errata 01): a run of confgen with every rule it has (ID, summary, why, default
    level) and a result for each diagnostic, at its file (a relative URI as the path was given, or a file: URI) and,
    where it has one, its line and column (counted in characters). A suppressed finding carries a suppression:
    ``inSource`` for an ignore comment, ``external`` for a rule the configuration ignores project-wide."""

    SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

    def __init__(self) -> None:
        from confgen.rules import ALL_RULES

        self.rules: tuple[Rule, ...] = ALL_RULES
        self.index = {rule.id: number for number, rule in enumerate(ALL_RULES)}
        self.results: list[dict[str, object]] = []

    def profile(self, diagnostics: Sequence[Diagnostic]) -> list[str]:
        self.results += [self.result(d) for d in diagnostics]
        return []

    def end(self) -> list[str]:
        driver = {"name": "confgen", "version": __version__, "semanticVersion": __version__,
                  "rules": [_sarif_rule(rule) for rule in self.rules]}
        log = {"$schema": self.SCHEMA, "version": "2.1.0",
               "runs": [{"tool": {"driver": driver}, "columnKind": "unicodeCodePoints", "results": self.results}]}
        return [_printable_json(json.dumps(log, indent=2, ensure_ascii=False))]

    def result(self, d: Diagnostic) -> dict[str, object]:
        location: dict[str, object] = {"artifactLocation": {"uri": file_uri(d.path)}}
        if d.line is not None:
            location["region"] = {"startLine": d.line, "startColumn": d.column or 1}
        result: dict[str, object] = {"ruleId": d.rule.id, "level": _LEVELS[d.severity],
                                     "message": {"text": d.message}, "locations": [{"physicalLocation": location}]}
        if d.rule.id in self.index:
            result["ruleIndex"] = self.index[d.rule.id]
        if d.suppressed:
            result["suppressions"] = [{"kind": "inSource"} if d.ignored_in is None else
                                      {"kind": "external", "justification": f"ignored project-wide ({d.ignored_in})"}]
        if d.json_path is not None:
            result["properties"] = {"jsonPath": d.json_path}
        return result


_LEVELS: Mapping[Severity, str] = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}


def _sarif_rule(rule: Rule) -> dict[str, object]:
    return {"id": rule.id, "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.explanation or rule.summary},
            "help": {"text": f"{rule.explanation or rule.summary} (confgen rules --explain {rule.id})"},
            "defaultConfiguration": {"level": _LEVELS[rule.severity]},
            "properties": {"suppressible": rule.suppressible}}


def file_uri(path: str) -> str:
    """``path`` as a URI reference: relative as given (every character that a URI reserves, ':' among them, is
    percent-encoded, so that no name reads as a scheme), or a file: URI when absolute. A byte of the name that is
    not UTF-8 is encoded as that byte."""
    try:
        raw = os.fsencode(path)
    except UnicodeEncodeError:  # a lone surrogate that is no escaped byte, from a --stdin-filename
        raw = path.encode("utf-8", "backslashreplace")
    quoted = quote_from_bytes(raw, safe="/")
    return f"file://{quoted}" if raw.startswith(b"/") else quoted


REPORTERS: dict[str, Callable[[], Reporter]] = {
    "text": TextReporter,
    "json": JsonReporter,
    "github": GithubReporter,
    "sarif": SarifReporter,
}

# What --format takes: a reporter, or auto (the default), which is github under GitHub Actions and text elsewhere.
FORMATS = ("auto", *REPORTERS)


def chosen_format(name: str, environ: Mapping[str, str] = os.environ) -> str:
    """The reporter that ``name`` means here: auto is github where GitHub Actions runs the command (it sets
    GITHUB_ACTIONS=true), so that problems show on the profile's lines in a pull request, and text elsewhere."""
    if name != "auto":
        return name
    return "github" if environ.get("GITHUB_ACTIONS") == "true" else "text"
