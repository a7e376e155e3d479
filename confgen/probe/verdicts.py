"""Verdicts: each probe's outcome held against the profile's N.7-43 table, and the rows no probe reached.

A status the table lists (the code itself, or a code of the PS3.4 range whose template row the table gives) is
consistent with that row; a status the table says is not sent contradicts it; a status the table does not list
is undocumented. A related field the row lists and the response lacks is a warning. Success, or a warning, with
no complete instance on read-back contradicts the row; a failure with the instance stored anyway is a warning; a
read-back that cannot tell is a warning of its own, never either of those.
A row no probe provoked is not checked, never passed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from confgen import rules
from confgen.diagnostics import Rule
from confgen.probe.probeset import ProbeSet
from confgen.probe.results import ProbeResult
from confgen.probe.table import SERVICE, Place, Row, StatusTable
from confgen.standard import Standard, TemplateTable

VERDICTS = {rules.V601: "consistent", rules.V602: "contradicted", rules.V603: "undocumented",
            rules.V604: "field missing", rules.V605: "not stored", rules.V606: "stored anyway",
            rules.V607: "not checked", rules.V608: "no status", rules.V609: "no answer",
            rules.V624: "read-back incomplete",
            rules.V620: "no association", rules.V621: "invalid answer"}


@dataclass(frozen=True)
class Finding:
    rule: Rule
    place: Place
    message: str
    probe: str | None = None  # the probe it is about, if any
    row: str | None = None  # the row it is about, if any

    @property
    def verdict(self) -> str:
        return VERDICTS.get(self.rule, self.rule.id)


def template(standard: Standard, role: str) -> TemplateTable:
    """The template's Storage table of ``role`` (N.7-42, N.7-43)."""
    [table] = standard.services[SERVICE].tables_of(role)
    return table


def describe(standard: Standard, code: int) -> str:
    """ "A900 (Failure: Error: Data Set does not match SOP Class)" """
    meaning = standard.meaning(template(standard, "scp"), code)
    if meaning is not None:
        return f"{code:04X} ({meaning.status_class}: {meaning.meaning})"
    status_class = standard.status_class(code)
    return f"{code:04X} ({status_class or 'in no PS3.7 status class'})"


@dataclass(frozen=True)
class Match:
    row: Row | None
    consistent: bool
    how: str = ""  # how the code reached the row, when not by its own code


def match(table: StatusTable, standard: Standard, code: int) -> Match:
    """The row of an SCP table that answers ``code``, and whether it says the status is sent."""
    exact = next((row for row in table.rows if row.codes is not None and row.codes.first == code), None)
    if exact is not None:
        return Match(exact, exact.sent)
    meaning = standard.meaning(template(standard, table.role), code)
    if meaning is None or meaning.codes.is_code:
        return Match(None, False)
    span = meaning.codes
    spelt = f"{span.first:04X}-{span.last:04X}"
    rows = template(standard, table.role)
    in_span = [row for row in table.rows if row.codes is not None and row.codes.first in span]
    stands_for = [row for row in in_span if row.codes is not None and rows.row_for(row.codes) is not None]
    listed_sent = [row for row in in_span if row.sent]
    for row in stands_for:
        if row.sent:
            return Match(row, True, f"{code:04X} is in {spelt}, the range PS3.4 gives the {row.key} row's status")
    if stands_for and not listed_sent:
        return Match(stands_for[0], False, f"{code:04X} is in {spelt}, and the table sends no code of it")
    return Match(None, False)


def judge(table: StatusTable, results: Sequence[ProbeResult], standard: Standard, probes: ProbeSet) -> list[Finding]:
    findings: list[Finding] = []
    reached: set[str] = set()
    for result in results:
        findings += _judge_one(table, result, standard, reached)
    for row in table.rows:
        if row.key in reached:
            continue
        if not row.sent:
            why = "the table says it is never sent, and a probe can only fail to observe a status"
        else:
            assert row.codes is not None, "an SCP table has no 'other' row"
            why = probes.why_not_provoked(row.codes.first)
        findings.append(Finding(rules.V607, row.place, f"{row.key} not checked: {why}", row=row.key))
    return findings


def _judge_one(table: StatusTable, result: ProbeResult, standard: Standard, reached: set[str]) -> list[Finding]:
    outcome = result.outcome
    name = f"probe {result.probe}"
    if outcome.kind == "no-answer":
        return [Finding(rules.V609, table.place, f"{name}: {outcome.detail}", result.probe)]
    if outcome.kind == "invalid":
        return [Finding(rules.V621, table.place, f"{name}: {outcome.detail}", result.probe)]
    if outcome.kind == "unreachable":
        return [Finding(rules.V620, table.place, f"{name}: {outcome.detail}", result.probe)]
    if outcome.kind != "status" or outcome.status is None:
        return [Finding(rules.V608, table.place, f"{name}: no status: {outcome.detail}", result.probe)]
    code = outcome.status
    said = f"{name}: the SCP sent {describe(standard, code)}"
    found = match(table, standard, code)
    row = found.row
    how = f" ({found.how})" if found.how else ""
    findings: list[Finding] = []
    if row is None:
        listed = ", ".join(r.key for r in table.rows if r.sent)
        findings.append(Finding(rules.V603, table.place, f"{said}, which the table does not list (it lists: {listed})",
                                result.probe))
    else:
        reached.add(row.key)
        if found.consistent:
            findings.append(Finding(rules.V601, row.place, f"{said}: consistent with the {row.key} row{how}",
                                    result.probe, row.key))
            # A parameter the standard names without a tag (Identifier) is not a command element to look for.
            for element in row.related_fields:
                if isinstance(element.ref, int) and element.ref not in outcome.fields:
                    findings.append(Finding(rules.V604, row.place, f"{said}: the {row.key} row lists {element}, "
                                                                   "which the response does not carry",
                                            result.probe, row.key))
        else:
            findings.append(Finding(rules.V602, row.place, f"{said}, but the {row.key} row says the application "
                                                           f"does not send it (sent: false){how}",
                                    result.probe, row.key))
    findings += _read_back(table, result, standard, row)
    return findings


def _read_back(table: StatusTable, result: ProbeResult, standard: Standard, row: Row | None) -> list[Finding]:
    read = result.read_back
    code = result.outcome.status
    if read is None or code is None:
        return []
    status_class = standard.status_class(code)
    place = row.place if row is not None else table.place
    said = f"probe {result.probe}: the SCP sent {code:04X} ({status_class})"
    if read.state == "unknown":
        return [Finding(rules.V624, place, f"{said}; the read-back could not tell whether the instance is stored: "
                                           f"{read.detail}", result.probe, row.key if row else None)]
    if status_class in ("Success", "Warning") and read.state != "stored":
        what = "no instance was stored" if read.state == "missing" else "what was stored is not complete"
        return [Finding(rules.V605, place, f"{said}, but {what}: {read.detail}", result.probe,
                        row.key if row else None)]
    if status_class == "Failure" and read.state == "stored" and not read.shared:
        return [Finding(rules.V606, place, f"{said}, a failure, yet the instance was stored: {read.detail}",
                        result.probe, row.key if row else None)]
    return []
