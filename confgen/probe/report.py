"""The verification report: what a probe run sent, what came back, what the table says and the verdict, as JSON
(for `confgen build --verified-by` and for programs), HTML and PDF in the statement's style.

A report is an observation at a time: it carries the date of the run, unlike a statement, whose only date is the
document's. Its JSON carries the profile's SHA-256, so that a statement can cite only a report of its own profile.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from confgen import __version__
from confgen.diagnostics import Diagnostic, Severity
from confgen.probe.results import Implementation, Observation, ProbeResult
from confgen.probe.table import Row, StatusTable
from confgen.probe.verdicts import Finding, describe
from confgen.profile import Profile
from confgen.standard import Standard

# The verdict that names a probe's line in the report, the worst first.
_WORST_FIRST = ("contradicted", "not stored", "undocumented", "invalid answer", "no association", "stored anyway",
                "read-back incomplete", "field missing", "no answer", "consistent", "no status")

FORMAT = "confgen-probe-report"
FORMAT_VERSION = 1
SUFFIXES = (".html", ".pdf", ".json")
TEMPLATE = "probe-report.html.j2"


@dataclass(frozen=True)
class ProbeLine:
    """One probe as the report prints it."""

    id: str
    title: str
    sent: str
    detail: str  # what was sent, concretely
    outcome: str
    status: str | None  # the code, when there was one
    read_back: str | None
    row: str | None  # the row the status answers
    table_says: str  # what that row says, or why no row applies
    verdict: str
    findings: tuple[str, ...]


@dataclass(frozen=True)
class RowLine:
    row: str
    table_says: str
    reason: str


@dataclass(frozen=True)
class ObservationLine:
    row: str
    answered: str  # the code
    meaning: str  # its class and meaning
    table_says: str
    did: str
    instances: int
    retries: tuple[float, ...]
    end: str
    exit_code: int | None
    output: str


@dataclass(frozen=True)
class ProbeReport:
    kind: str  # scp or scu
    generator: str
    date: str  # the run's date (UTC): a report is an observation at a time
    started: str  # the run's start, ISO 8601 in UTC
    seconds: float
    profile_name: str
    profile_sha256: str
    product: str
    manufacturer: str
    paper: str
    target: dict[str, Any]  # where the run went (SCP) or listened (SCU), and with which AE titles
    implementation: Implementation | None
    options: dict[str, Any]
    test_data: dict[str, Any] = field(default_factory=dict)
    probes: tuple[ProbeLine, ...] = ()
    not_checked: tuple[RowLine, ...] = ()
    observations: tuple[ObservationLine, ...] = ()
    summary: dict[str, Any] = field(default_factory=dict)
    diagnostics: tuple[dict[str, Any], ...] = ()

    @property
    def title(self) -> str:
        role = "Storage SCP" if self.kind == "scp" else "Storage SCU"
        return f"Verification report: {self.product}, {role}"


@dataclass(frozen=True)
class RunFacts:
    """When a run was, where it went, and how: what the report says around the verdicts."""

    date: str
    started: str
    seconds: float
    target: dict[str, Any]
    implementation: Implementation | None
    options: dict[str, Any]
    test_data: dict[str, Any] = field(default_factory=dict)


def scp_report(profile: Profile, table: StatusTable, results: Sequence[ProbeResult], findings: Sequence[Finding],
               standard: Standard, facts: RunFacts, diagnostics: Sequence[Diagnostic]) -> ProbeReport:
    return ProbeReport(
        kind="scp", **_common(profile, facts), options=facts.options, test_data=facts.test_data,
        probes=tuple(_probe_line(result, table, findings, standard) for result in results),
        not_checked=tuple(RowLine(f.row or "", _says(table, f.row), f.message.partition(": ")[2])
                          for f in findings if f.verdict == "not checked"),
        summary=summarize("scp", findings, results, (), len(table.rows), diagnostics),
        diagnostics=diagnostic_items(diagnostics))


def scu_report(profile: Profile, table: StatusTable, observations: Sequence[Observation], standard: Standard,
               facts: RunFacts, diagnostics: Sequence[Diagnostic]) -> ProbeReport:
    rows = {row.key: row for row in table.rows}
    return ProbeReport(
        kind="scu", **_common(profile, facts), options=facts.options,
        observations=tuple(_observation_line(o, rows[o.row], standard) for o in observations),
        summary=summarize("scu", [], (), observations, len(table.rows), diagnostics),
        diagnostics=diagnostic_items(diagnostics))


def _common(profile: Profile, facts: RunFacts) -> dict[str, Any]:
    document = profile.document
    return {"generator": f"confgen {__version__}", "date": facts.date, "started": facts.started,
            "seconds": round(facts.seconds, 3), "profile_name": profile.path.name, "profile_sha256": profile.sha256,
            "product": f"{document.product} {document.product_version}", "manufacturer": document.manufacturer,
            "paper": document.paper, "target": facts.target, "implementation": facts.implementation}


def row_text(row: Row) -> str:
    """What a row says, as the report and the notes of `probe scu` quote it."""
    return row.text if row.sent else "The application does not send this status (sent: false)."


def _says(table: StatusTable, key: str | None) -> str:
    row = next((r for r in table.rows if r.key == key), None)
    return row_text(row) if row is not None else ""


def _probe_line(result: ProbeResult, table: StatusTable, findings: Sequence[Finding], standard: Standard) -> ProbeLine:
    own = [f for f in findings if f.probe == result.probe]
    verdict = min((f.verdict for f in own), default="no status",
                  key=lambda v: _WORST_FIRST.index(v) if v in _WORST_FIRST else len(_WORST_FIRST))
    row_key = next((f.row for f in own if f.row is not None), None)
    outcome = result.outcome
    status = f"{outcome.status:04X}" if outcome.status is not None else None
    came_back = outcome.detail
    if outcome.status is not None:
        came_back = f"Status {describe(standard, outcome.status)}"
        extras = ([f"Error Comment: \"{outcome.error_comment}\""] if outcome.error_comment else []) + \
            ([f"Offending Element: {', '.join(f'({t >> 16:04X},{t & 0xFFFF:04X})' for t in outcome.offending_element)}"]
             if outcome.offending_element else [])
        came_back += "".join(f"; {extra}" for extra in extras) + f" ({outcome.seconds:.2f} s)."
    read = result.read_back
    read_text = None
    if read is not None:
        read_text = f"{read.state}: {read.detail}" + (f" (Image Comments of what is kept: {'; '.join(read.kept)})"
                                                      if read.kept else "")
    if row_key is not None:
        says = _says(table, row_key)
    elif outcome.kind == "status":
        says = "No row lists this status."
    else:
        says = "No status to compare."
    remarks = tuple(f.message.partition(": ")[2] for f in own if f.verdict not in ("consistent", "no status"))
    return ProbeLine(result.probe, result.title, result.sent, result.detail, came_back, status, read_text, row_key,
                     says, verdict, remarks)


def _observation_line(observation: Observation, row: Row, standard: Standard) -> ObservationLine:
    answered = describe(standard, observation.answered)
    code, _, meaning = answered.partition(" ")
    return ObservationLine(row.key, code, meaning.strip("()"), row_text(row), observation.did, observation.instances,
                           observation.retries, observation.end, observation.exit_code, observation.output)


def summarize(kind: str, findings: Sequence[Finding], results: Sequence[ProbeResult],
              observations: Sequence[Observation], rows: int, diagnostics: Sequence[Diagnostic]) -> dict[str, Any]:
    """The counts a reader, and `build --verified-by`, look at first. ``diagnostics`` are the run's, the
    findings among them: a run passed when none is an error (a read-back that could not be done is one) and, for
    an SCU, when it observed something."""
    def count(verdict: str) -> int:
        return sum(f.verdict == verdict for f in findings)

    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    if kind == "scu":
        observed = sum(o.instances > 0 for o in observations)
        return {"statuses_observed": observed, "statuses": len(observations), "rows": rows,
                "passed": errors == 0 and observed > 0}
    reached = {f.row for f in findings if f.row is not None and f.verdict != "not checked"}
    return {
        "probes": len(results),
        "statuses_observed": sum(r.outcome.kind == "status" for r in results),
        "rows": rows,
        "rows_checked": len(reached),
        "consistent": count("consistent"),
        "contradicted": count("contradicted") + count("not stored"),
        "undocumented": count("undocumented"),
        "warnings": sum(f.rule.severity is Severity.WARNING for f in findings),
        "not_checked": count("not checked"),
        "errors": errors,
        "passed": errors == 0,
    }


def diagnostic_items(diagnostics: Sequence[Diagnostic]) -> tuple[dict[str, Any], ...]:
    return tuple({"file": d.path, "line": d.line, "column": d.column, "severity": d.severity.value, "rule": d.rule.id,
                  "message": d.message, "json_path": d.json_path} for d in diagnostics)


def to_json(report: ProbeReport) -> bytes:
    data = {"format": FORMAT, "version": FORMAT_VERSION, **asdict(report)}
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def to_html(report: ProbeReport) -> str:
    from confgen.render import environment

    templates, _ = environment()
    html: str = templates.get_template(TEMPLATE).render(report=report)
    return html


def to_pdf(report: ProbeReport, html: str) -> tuple[bytes, list[str]]:
    """The PDF, as the statement's (tagged PDF/A-2a, its print stylesheet), and what WeasyPrint complained of."""
    from confgen.pdf import html_to_pdf
    from confgen.render import PRINT_STYLESHEET, environment
    from confgen.resources import templates_dir

    templates, _ = environment()
    print_css = templates.get_template(PRINT_STYLESHEET).render(statement={"document": {"paper": report.paper}})
    folder = templates_dir()
    pdf = html_to_pdf(html, print_css, date=report.date, variant="pdf/a-2a", base=folder, roots=[folder])
    return pdf.data, list(dict.fromkeys(pdf.problems))


def render(report: ProbeReport, path: Path) -> tuple[bytes, list[str]]:
    """The report's bytes in the format its file name asks for, and any problem in making them."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        return to_json(report), []
    html = to_html(report)
    if suffix == ".html":
        return html.encode("utf-8"), []
    return to_pdf(report, html)
