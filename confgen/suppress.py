"""Suppressions: a ``# confgen: ignore[D305]`` comment silences the findings of the rules it names on its own line.

A product's statement may rightly say what a rule warns about (an SCP that really sends 0110), or hold text that
looks like a template leftover and is not (an Error Comment with "<Tag>" in it). Only warnings and S208 can be
suppressed: an error says the statement would be wrong. An ignore that suppresses nothing is reported (S213), so
that one written for a finding long fixed does not stay to hide the next.

PyYAML drops comments, so they are found in the text: a ``#`` at the start of a line or after white space that is
not inside a scalar (a quoted text, or a block scalar's lines) starts a comment, as YAML reads it.
"""

from __future__ import annotations

import bisect
import difflib
import re

import yaml

from confgen import rules
from confgen.diagnostics import Report, Rule, Severity
from confgen.records import field, record

_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_DIRECTIVE = re.compile(r"#\s*confgen\s*:\s*ignore\b")
_RULE_LIST = re.compile(r"#\s*confgen\s*:\s*ignore\s*\[(?P<ids>[^\]\n]*)\]")
_RULES = {rule.id: rule for rule in rules.ALL_RULES}
SYNTAX = "# confgen: ignore[RULE-ID] (several: ignore[D305,S208])"
# Why a rule that is no error still cannot be suppressed, where it is not that confgen probe reports it.
_NOT_SUPPRESSIBLE = {"S213": "a warning about ignore comments", "S221": "a warning about the file's name, which no "
                     "comment in it can sit beside"}


@record
class Ignore:
    """One ignore comment: the rules it names, each at its column, and those it has suppressed so far."""

    line: int
    rules: dict[str, int]
    used: set[str] = field(default_factory=set)


class IgnoreComments:
    """The ignore comments of one profile, by line."""

    def __init__(self, ignores: list[Ignore]) -> None:
        self.by_line = {ignore.line: ignore for ignore in ignores}

    def suppresses(self, rule: Rule, line: int) -> bool:
        ignore = self.by_line.get(line)
        if ignore is None or rule.id not in ignore.rules or not rule.suppressible:
            return False
        ignore.used.add(rule.id)
        return True

    def report_stale(self, report: Report) -> None:
        """An S213 warning for each rule named in an ignore that suppressed nothing; where that rule is reported on
        another line, the message says which (an ignore one line off is a common slip)."""
        for ignore in self.by_line.values():
            for rule_id, column in ignore.rules.items():
                if rule_id in ignore.used:
                    continue
                elsewhere = sorted({d.line for d in report.diagnostics if d.rule.id == rule_id and d.line},
                                   key=lambda line: abs(line - ignore.line))
                where = f" ({rule_id} is reported on line {elsewhere[0]})" if elsewhere else ""
                report.add_at(rules.S213, ignore.line, column,
                              f"ignore[{rule_id}] suppresses nothing: there is no {rule_id} finding on this line"
                              f"{where}; remove it, or move it to the finding's line")


def read_ignores(text: str, root: yaml.Node, report: Report) -> IgnoreComments:
    """The ignore comments in ``text`` (whose composed YAML is ``root``); a malformed one, or one that names a rule
    that cannot be suppressed, is reported and left out."""
    lines = _LINE_BREAK.split(text)
    candidates = [number for number, line in enumerate(lines) if "#" in line and "confgen" in line]
    if not candidates:
        return IgnoreComments([])
    inside = _scalar_spans(root, candidates)
    ignores = []
    for number in candidates:
        comment = _comment_start(lines[number], inside.get(number, []))
        if comment is None or not _DIRECTIVE.match(lines[number], comment):
            continue
        ignore = _parse(lines[number], comment, number + 1, report)
        if ignore is not None:
            ignores.append(ignore)
    return IgnoreComments(ignores)


def _scalar_spans(root: yaml.Node, lines: list[int]) -> dict[int, list[tuple[int, int]]]:
    """For each of ``lines`` (0-based), the columns [start, end) that scalars cover there: a ``#`` inside them is
    text, not a comment."""
    spans: dict[int, list[tuple[int, int]]] = {}
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend(child for pair in node.value for child in pair)
            continue
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
            continue
        assert isinstance(node, yaml.ScalarNode)
        start, end = node.start_mark, node.end_mark
        # A block scalar's node starts at its indicator (| or >): the rest of that line may hold a comment, and its
        # text is on the lines below.
        first_line, first_column = (start.line + 1, 0) if node.style in ("|", ">") else (start.line, start.column)
        low = bisect.bisect_left(lines, first_line)
        high = bisect.bisect_right(lines, end.line)
        for line in lines[low:high]:
            begin = first_column if line == first_line else 0
            finish = end.column if line == end.line else 1 << 30
            spans.setdefault(line, []).append((begin, finish))
    return spans


def _comment_start(line: str, inside: list[tuple[int, int]]) -> int | None:
    """Where the comment on ``line`` starts, if it has one."""
    for match in re.finditer("#", line):
        column = match.start()
        if (column == 0 or line[column - 1] in " \t") and not any(a <= column < b for a, b in inside):
            return column
    return None


def refusal(rule_id: str) -> tuple[str, str] | None:
    """Why ``rule_id`` cannot be suppressed, as ("unknown", message) or ("not suppressible", message); None when it
    can be. An ignore comment and the configuration's project-wide ignore say the same."""
    rule = _RULES.get(rule_id)
    if rule is None:
        close = difflib.get_close_matches(rule_id, list(_RULES), n=1, cutoff=0.75)
        hint = f"; did you mean {close[0]}?" if close else " (confgen rules lists them)"
        return "unknown", f"{rule_id} is not a rule of confgen{hint}"
    if not rule.suppressible:
        kind = "an error" if rule.severity is Severity.ERROR else _NOT_SUPPRESSIBLE.get(
            rule.id, f"a {rule.severity} of confgen probe, not of validation")
        return "not suppressible", f"{rule_id} is {kind} and cannot be suppressed (only warnings and S208 can be); " \
                                   "fix what it reports"
    return None


def _parse(line: str, comment: int, number: int, report: Report) -> Ignore | None:
    listed = _RULE_LIST.match(line, comment)
    if listed is None:
        report.add_at(rules.S211, number, comment + 1, f"this ignore comment names no rule in brackets: write {SYNTAX}")
        return None
    named: dict[str, int] = {}  # each rule at its column (1-based)
    for part in re.finditer(r"[^,\s]+", listed["ids"]):
        named.setdefault(part.group().upper(), listed.start("ids") + part.start() + 1)
    if not named:
        report.add_at(rules.S211, number, comment + 1, f"this ignore comment names no rule: write {SYNTAX}")
        return None
    kept = {}
    for rule_id, column in named.items():
        refused = refusal(rule_id)
        if refused is None:
            kept[rule_id] = column
        else:
            why, message = refused
            rule = rules.S211 if why == "unknown" else rules.S212
            report.add_at(rule, number, column, f"ignore[{rule_id}]: {message}")
    return Ignore(number, kept) if kept else None
