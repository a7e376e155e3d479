"""Diagnostics: every problem a user can cause, with where it is, gathered before anything is reported.

A diagnostic prints as ``path:line:col: severity RULE-ID message`` (line and column are 1-based), or as
``path: severity RULE-ID message`` when it is about the whole file (it cannot be read, or its outputs cannot
be rendered or written).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

import yaml


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"  # an observation that is no problem (what `confgen probe` saw); it never fails a run


@dataclass(frozen=True)
class Rule:
    """A check confgen makes. ``exit_code`` is what an error of this rule makes the command return."""

    id: str
    severity: Severity
    summary: str
    exit_code: int = 1


@dataclass(frozen=True)
class Diagnostic:
    path: str
    line: int | None
    column: int | None
    rule: Rule
    message: str
    json_path: str | None = None  # where the value is in the profile's data: $.document.product

    @property
    def severity(self) -> Severity:
        return self.rule.severity

    def format(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}:{self.column or 1}"
        return f"{where}: {self.severity} {self.rule.id} {self.message}"


MESSAGE_LIMIT = 1000  # characters: a diagnostic quotes what it is about, never a whole megabyte of it


def one_line(text: str) -> str:
    """``text`` as one short line: control characters made visible, and cut short past MESSAGE_LIMIT."""
    shown = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
    if len(shown) > MESSAGE_LIMIT:
        shown = f"{shown[:MESSAGE_LIMIT]}... ({len(shown) - MESSAGE_LIMIT:,} more characters)"
    return shown


class NodePaths(Protocol):
    def of(self, node: yaml.Node) -> str | None: ...


@dataclass
class Report:
    """The diagnostics of one profile, in the order a reader meets them in the file."""

    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    json_paths: NodePaths | None = None  # set once the profile is composed

    def add(self, rule: Rule, at: yaml.Node | None, message: str) -> None:
        """A diagnostic at a YAML node, or about the whole file (``at`` None)."""
        if at is None:
            self.add_at(rule, None, None, message)
        else:
            json_path = self.json_paths.of(at) if self.json_paths else None
            self.add_at(rule, at.start_mark.line + 1, at.start_mark.column + 1, message, json_path)

    def add_at(self, rule: Rule, line: int | None, column: int | None, message: str,
               json_path: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(one_line(self.path), line, column, rule, one_line(message), json_path))

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)

    def sorted(self) -> list[Diagnostic]:
        # Diagnostics without a line (the file itself) come first; the sort is stable otherwise.
        return sorted(self.diagnostics, key=lambda d: (d.line or 0, d.column or 0))

    def failed(self, strict: bool = False) -> bool:
        """Whether the profile fails: it has errors, or, with ``strict``, warnings."""
        return any(_fails(d, strict) for d in self.diagnostics)

    def exit_code(self, strict: bool = False) -> int:
        codes = [d.rule.exit_code if d.severity is Severity.ERROR else 1 for d in self.diagnostics if _fails(d, strict)]
        return max(codes, default=0)


def _fails(diagnostic: Diagnostic, strict: bool) -> bool:
    return diagnostic.severity is Severity.ERROR or (strict and diagnostic.severity is Severity.WARNING)
