"""Diagnostics: every problem a user can cause, with where it is, gathered before anything is reported.

A diagnostic prints as ``path:line:col: severity RULE-ID message`` (line and column are 1-based), or as
``path: severity RULE-ID message`` when it is about the whole file (it cannot be read, or its outputs cannot
be rendered or written).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Protocol

import yaml

from confgen.records import field, record


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"  # an observation that is no problem (what `confgen probe` saw); it never fails a run


@record(frozen=True)
class Example:
    """A piece of a profile that shows a rule, and where it goes: "top" (the profile's top level), "document",
    "scu" or "scp" (the rows of the Storage tables); or, for a rule of the configuration, "pyproject" (a piece of
    pyproject.toml). ``confgen rules --explain`` prints it; the tests run it."""

    where: str
    text: str


@record(frozen=True)
class Rule:
    """A check confgen makes: its ID, severity and one-line summary, why it exists, and a profile piece it reports
    (``failing``) beside one it accepts (``passing``). ``exit_code`` is what an error of this rule makes the command
    return; ``suppressible`` rules can be silenced on one line with a ``# confgen: ignore[ID]`` comment."""

    id: str
    severity: Severity
    summary: str
    explanation: str = ""
    failing: Example | None = None
    passing: Example | None = None
    exit_code: int = 1
    suppressible: bool = False


@record(frozen=True)
class Diagnostic:
    path: str  # as given: the text format shows it as one_line() does, JSON and GitHub annotations as it is
    line: int | None
    column: int | None
    rule: Rule
    message: str
    json_path: str | None = None  # where the value is in the profile's data: $.document.product
    suppressed: bool = False  # silenced by a # confgen: ignore[...] comment on its line, or project-wide
    ignored_in: str | None = None  # for a finding the configuration ignores project-wide: where (pyproject.toml:9:11)

    @property
    def severity(self) -> Severity:
        return self.rule.severity

    def format(self) -> str:
        path = one_line(self.path)
        where = path if self.line is None else f"{path}:{self.line}:{self.column or 1}"
        return f"{where}: {self.severity} {self.rule.id} {self.message}"


MESSAGE_LIMIT = 1000  # characters: a diagnostic quotes what it is about, never a whole megabyte of it


def printable(text: str) -> str:
    """``text`` with every character a terminal would not show as itself (a line break, an escape sequence's
    ESC, a byte of a file name that is not UTF-8) written as its Python escape."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def one_line(text: str) -> str:
    """``text`` as one short line: control characters made visible, and cut short past MESSAGE_LIMIT."""
    shown = printable(text)
    if len(shown) > MESSAGE_LIMIT:
        shown = f"{shown[:MESSAGE_LIMIT]}... ({len(shown) - MESSAGE_LIMIT:,} more characters)"
    return shown


class NodePaths(Protocol):
    def of(self, node: yaml.Node) -> str | None: ...


class Suppressions(Protocol):
    def suppresses(self, rule: Rule, line: int) -> bool: ...


@record
class Report:
    """The diagnostics of one profile, in the order a reader meets them in the file.

    ``diagnostics`` are the findings that count; ``suppressed`` those that a ``# confgen: ignore[...]`` comment
    silenced, or that the configuration ignores project-wide (``ignored``), which only the JSON and SARIF
    reporters list and which never fail a run.
    """

    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    json_paths: NodePaths | None = None  # set once the profile is composed
    suppressions: Suppressions | None = None  # set once the profile's comments are read
    suppressed: list[Diagnostic] = field(default_factory=list)
    # Suppressible rules the configuration ignores in every profile (confgen.config), each with where it says so.
    ignored: Mapping[str, str] = field(default_factory=dict)

    def add(self, rule: Rule, at: yaml.Node | None, message: str) -> bool:
        """A diagnostic at a YAML node, or about the whole file (``at`` None). False when it was suppressed: the
        caller may then go on as if nothing were wrong."""
        if at is None:
            return self.add_at(rule, None, None, message)
        json_path = self.json_paths.of(at) if self.json_paths else None
        return self.add_at(rule, at.start_mark.line + 1, at.start_mark.column + 1, message, json_path)

    def add_at(self, rule: Rule, line: int | None, column: int | None, message: str,
               json_path: str | None = None) -> bool:
        # An ignore comment is asked first, so that one on the finding's line is used (and not stale, S213) even
        # where the rule is ignored project-wide as well.
        suppressed = line is not None and self.suppressions is not None and self.suppressions.suppresses(rule, line)
        ignored_in = self.ignored.get(rule.id) if rule.suppressible and not suppressed else None
        suppressed = suppressed or ignored_in is not None
        diagnostic = Diagnostic(self.path, line, column, rule, one_line(message), json_path, suppressed, ignored_in)
        (self.suppressed if suppressed else self.diagnostics).append(diagnostic)
        return not suppressed

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)

    def sorted(self, with_suppressed: bool = False) -> list[Diagnostic]:
        # Diagnostics without a line (the file itself) come first; the sort is stable otherwise.
        found = self.diagnostics + self.suppressed if with_suppressed else self.diagnostics
        return sorted(found, key=lambda d: (d.line or 0, d.column or 0))

    def failed(self, strict: bool = False) -> bool:
        """Whether the profile fails: it has errors, or, with ``strict``, warnings."""
        return any(_fails(d, strict) for d in self.diagnostics)

    def exit_code(self, strict: bool = False) -> int:
        codes = [d.rule.exit_code if d.severity is Severity.ERROR else 1 for d in self.diagnostics if _fails(d, strict)]
        return max(codes, default=0)


def _fails(diagnostic: Diagnostic, strict: bool) -> bool:
    return diagnostic.severity is Severity.ERROR or (strict and diagnostic.severity is Severity.WARNING)
