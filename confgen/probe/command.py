"""`confgen probe scp` and `confgen probe scu`, from a parsed command line to diagnostics, a summary and the report.

The pipeline of each: load and validate the profile -> read its table (confgen.probe.table) -> probe the peer ->
read back (scp) -> verdicts or observations -> diagnostics -> the report, when --report names a file. Nothing is
written anywhere else.
"""

from __future__ import annotations

import argparse
import datetime
import os
import shlex
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from confgen import rules
from confgen.diagnostics import Report
from confgen.formats import Reporter
from confgen.probe.probeset import probe_set
from confgen.probe.report import ProbeReport, RunFacts, render, row_text, scp_report, scu_report, summarize
from confgen.probe.results import Plan
from confgen.probe.table import Role, StatusTable, key_at, storage_table
from confgen.probe.verdicts import Finding, judge, template
from confgen.profile import Profile
from confgen.source import load
from confgen.standard import Standard, load_standard
from confgen.validate import validate

if TYPE_CHECKING:
    from confgen.probe.instances import TestData
    from confgen.probe.scp_probes import Sent

Emit = Callable[[list[str]], None]
Note = Callable[[str], None]


@dataclass(frozen=True)
class Loaded:
    report: Report
    profile: Profile
    table: StatusTable


def _load(path: Path, role: Role, written: Path | None, emit: Emit, reporter: Reporter,
          ignored: Mapping[str, str]) -> Loaded | Report:
    """The profile and its table of ``role``, when the report is to be ``written`` over neither the profile nor
    its logo; otherwise the report of why not (already printed). The rules the configuration ignores
    project-wide (``ignored``) are suppressed as in validate."""
    report = Report(str(path), ignored=ignored)
    source = load(path, report)
    profile = validate(source, report) if source is not None else None
    table = storage_table(profile, source.root, role) if profile is not None and source is not None else None
    if profile is not None and source is not None and table is None:
        where = "services.storage." + role
        command = "probe scp" if role == "scp" else "probe scu"
        table_name = "Table N.7-43 (the Storage SCP)" if role == "scp" else "Table N.7-42 (the Storage SCU)"
        report.add(rules.V623, key_at(source.root, ("services",)),
                   f"the profile has no {where}: `confgen {command}` checks {table_name}, which it does not declare")
    if profile is not None and written is not None:
        overwritten = _overwritten(written, profile)
        if overwritten:
            report.add(rules.F102, None, f"--report {written} would overwrite {overwritten}; nothing was probed")
    if profile is None or table is None or report.has_errors:
        emit(reporter.profile(report.sorted()))
        emit(reporter.end())
        return report
    return Loaded(report, profile, table)


def _overwritten(written: Path, profile: Profile) -> str | None:
    """What of the command's inputs writing ``written`` would replace, as the build checks its outputs
    (confgen.build): the file itself, or what a link there leads to."""
    from confgen.job import real

    logo = profile.document.logo
    inputs = {where: what for path, what in ((profile.path, "the profile itself"),
                                             *(((logo.path, "the profile's logo"),) if logo else ()))
              for where in (real(path), os.path.realpath(path))}
    return next((inputs[where] for where in (real(written), os.path.realpath(written)) if where in inputs), None)


def _add(report: Report, finding: Finding) -> None:
    place = finding.place
    report.add_at(finding.rule, place.line, place.column, finding.message, place.json_path)


def _today() -> tuple[str, str]:
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    return now.date().isoformat(), now.isoformat().replace("+00:00", "Z")


# -- probe scp ------------------------------------------------------------------------------------------------

def probe_scp(arguments: argparse.Namespace, reporter: Reporter, emit: Emit, note: Note) -> int:
    loaded = _load(arguments.profile, "scp", arguments.report, emit, reporter, arguments.ignored)
    if isinstance(loaded, Report):
        return loaded.exit_code(arguments.strict)
    # pynetdicom is imported here, and only here: validate and build never pay for it.
    from confgen.probe.instances import TestData
    from confgen.probe.scp_probes import Sent

    test, sent = TestData.new(), Sent()
    try:
        return _probe_scp(arguments, reporter, emit, note, loaded, test, sent)
    finally:
        # However the run ends (done, stopped by the peer, Ctrl-C): what it sent may be stored, and the
        # administrator needs these to find and delete it.
        if sent.instances:
            note("test data this run may have stored (delete it from the SCP): " +
                 "; ".join(f"{name} {value}" for name, value in _test_data(test, sent).items()))


def _test_data(test: TestData, sent: Sent) -> dict[str, str]:
    from confgen.probe.instances import PATIENT_NAME

    data = {"Patient's Name": PATIENT_NAME, "Patient ID": test.patient_id, "Study Instance UID": test.study_uid}
    if sent.orphan_uids:
        data["SOP Instance UIDs without a Study Instance UID"] = ", ".join(sent.orphan_uids)
    return data


def _probe_scp(arguments: argparse.Namespace, reporter: Reporter, emit: Emit, note: Note, loaded: Loaded,
               test: TestData, sent: Sent) -> int:
    from confgen.probe import readback, wire
    from confgen.probe.instances import sop_class_name
    from confgen.probe.scp_probes import run_probes

    report, profile, table = loaded.report, loaded.profile, loaded.table
    date, started = _today()
    clock = time.monotonic()
    since = time.time()
    sop_class = arguments.sop_class
    try:
        address = wire.resolve(arguments.host, arguments.port, arguments.timeout)
        peer = wire.Peer(arguments.host, address, arguments.port, arguments.called_ae, arguments.calling_ae,
                         arguments.timeout)
        wire.reach(arguments.host, address, arguments.port, arguments.timeout)
        note(f"probing {peer.where} (called AE title {peer.called_ae}) with {len(probe_set().probes)} probes; "
             f"timeout {arguments.timeout:g} s")
        run = run_probes(peer, sop_class, test, sent, note)
    except Exception as error:
        # pynetdicom can fail in ways it does not document on a peer that misbehaves: reported, never a traceback.
        report.add(rules.V620, None, str(error) if isinstance(error, wire.PeerError) else _failed(error))
        emit(reporter.profile(report.sorted()))
        emit(reporter.end())
        note(f"{report.path}: nothing probed")
        return report.exit_code(arguments.strict)

    results = run.results
    probes = {probe.id: probe for probe in probe_set().probes}
    read_back = arguments.read_back
    if read_back is not None:
        items = readback.wanted(results, {p for p, probe in probes.items() if probe.read_back}, test.study_uid,
                                test.series_uid, {p for p, probe in probes.items()
                                                  if probe.instance and "StudyInstanceUID" in probe.instance.remove})
        try:
            if read_back == "c-find":
                queries = [(uid, item.study_uid, item.series_uid) for item in items for uid in item.uids]
                found = wire.find_instances(peer, queries)
                read = readback.by_c_find(found, items)
            else:
                read = readback.in_folder(read_back, items, since)
            results = readback.with_read_back(results, read, items)
        except Exception as error:
            why = str(error) if isinstance(error, wire.PeerError) else f"read-back: {_failed(error)}"
            report.add_at(rules.V622, table.place.line, table.place.column, why, table.place.json_path)

    standard = load_standard(profile.standard)
    findings = judge(table, results, standard, probe_set())
    for finding in findings:
        _add(report, finding)
    seconds = time.monotonic() - clock
    test_data = _test_data(test, sent)
    written = None
    if arguments.report is not None:
        options = {"SOP Class": sop_class_name(sop_class), "Timeout": f"{arguments.timeout:g} s",
                   "Read-back": "none" if read_back is None else
                   "C-FIND (Study Root, IMAGE level)" if read_back == "c-find" else f"files under {read_back}"}
        facts = RunFacts(date, started, seconds, {"host": peer.host, "address": peer.address, "port": peer.port,
                                                  "called_ae": peer.called_ae, "calling_ae": peer.calling_ae},
                         run.implementation, options, test_data)
        written = _write_report(scp_report(profile, table, results, findings, standard, facts, report.sorted()),
                                arguments.report)
    _emit_all(emit, reporter, report, written)

    summary = summarize("scp", findings, results, (), len(table.rows), report.diagnostics)
    implementation = run.implementation
    version = f", {implementation.version_name}," if implementation and implementation.version_name else ""
    note(f"{report.path}: {summary['probes']} probes against {peer.where}{version} in {seconds:.1f} s: "
         f"{summary['consistent']} consistent, {summary['contradicted']} contradicted, {summary['undocumented']} "
         f"undocumented, {_plural(summary['warnings'], 'warning')}; {summary['not_checked']} of {summary['rows']} "
         "rows not checked")
    if written is not None and not written.diagnostics:
        note(f"wrote {arguments.report}")
    return max(report.exit_code(arguments.strict), written.exit_code() if written else 0)


def _failed(error: BaseException) -> str:
    return f"the probe stopped: {type(error).__name__}: {error}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "es" if word.endswith("s") else "s")


def _emit_all(emit: Emit, reporter: Reporter, report: Report, written: Report | None) -> None:
    """The profile's diagnostics, then any about the report file, as one output (one JSON document)."""
    emit(reporter.profile(report.sorted()))
    if written is not None:
        emit(reporter.profile(written.sorted()))
    emit(reporter.end())


def _write_report(probe_report: ProbeReport, path: Path) -> Report:
    """Write the report; the problems in doing so, as diagnostics about its file."""
    from confgen.output import OutputError, write_outputs

    problem = Report(str(path))
    try:
        data, complaints = render(probe_report, path)
    except Exception as error:  # a template or the PDF engine failed: report it, never a traceback
        problem.add(rules.R401, None, f"the report could not be rendered: {type(error).__name__}: {error}")
        data, complaints = b"", []
    for complaint in complaints:
        problem.add(rules.R402, None, f"WeasyPrint: {complaint}")
    if not problem.has_errors:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_outputs({path: data})
        except (OutputError, OSError) as error:
            problem.add(rules.F102, None, f"cannot write the report: {error.strerror or error}")
    return problem


# -- probe scu ------------------------------------------------------------------------------------------------

def probe_scu(arguments: argparse.Namespace, reporter: Reporter, emit: Emit, note: Note) -> int:
    loaded = _load(arguments.profile, "scu", arguments.report, emit, reporter, arguments.ignored)
    if isinstance(loaded, Report):
        return loaded.exit_code(arguments.strict)
    from confgen.probe.scu_probe import CommandError, Listener, ListenError, Watch, run_scenarios

    report, profile, table = loaded.report, loaded.profile, loaded.table
    standard = load_standard(profile.standard)
    plans = _plans(table, standard, arguments.statuses, report)
    if plans is None:
        emit(reporter.profile(report.sorted()))
        emit(reporter.end())
        return report.exit_code(arguments.strict)
    date, started = _today()
    clock = time.monotonic()
    try:
        listener = Listener(arguments.bind, arguments.port, arguments.ae_title, arguments.timeout)
    except ListenError as error:
        report.add(rules.V620, None, str(error))
        emit(reporter.profile(report.sorted()))
        emit(reporter.end())
        return report.exit_code(arguments.strict)
    command = shlex.split(arguments.scu_command) if arguments.scu_command else None
    note(f"listening on {arguments.bind}:{arguments.port} as {arguments.ae_title}; "
         f"{_plural(len(plans), 'status')} to answer")
    try:
        observations = run_scenarios(listener, plans, command, Watch(arguments.watch, arguments.wait,
                                                                     arguments.max_watch), note)
    except CommandError as error:
        report.add(rules.V623, None, f"--command: {error}")
        observations = []
    except Exception as error:  # as in probe_scp: reported, never a traceback
        report.add(rules.V620, None, _failed(error))
        observations = []
    finally:
        listener.stop()
    rows = {row.key: row for row in table.rows}
    for observation in observations:
        row = rows[observation.row]
        says = _quote(row_text(row))
        if observation.instances:
            report.add_at(rules.V610, row.place.line, row.place.column,
                          f"answered {observation.answered:04X} to the first C-STORE: the SCU {observation.did}. The "
                          f"table says: {says}", row.place.json_path)
        else:
            report.add_at(rules.V611, row.place.line, row.place.column,
                          f"answered nothing: the SCU {observation.did} while {observation.answered:04X} was to be "
                          "answered, so this row was not observed", row.place.json_path)
        if observation.end == "capped":
            report.add_at(rules.V612, row.place.line, row.place.column,
                          f"after {observation.answered:04X} the SCU was still busy when --max-watch "
                          f"({arguments.max_watch:g} s) ran out: what it did after that is not observed",
                          row.place.json_path)
    seconds = time.monotonic() - clock
    written = None
    if arguments.report is not None and observations:
        facts = RunFacts(date, started, seconds, {"bind": arguments.bind, "port": arguments.port,
                                                  "ae_title": arguments.ae_title, "command": arguments.scu_command},
                         listener.implementation,
                         {"Watch": f"{arguments.watch:g} s", "Longest watch": f"{arguments.max_watch:g} s",
                          "Statuses": ", ".join(f"{p.code:04X}" for p in plans)})
        written = _write_report(scu_report(profile, table, observations, standard, facts, report.sorted()),
                                arguments.report)
    _emit_all(emit, reporter, report, written)
    note(f"{report.path}: {_plural(len(observations), 'status')} answered in {seconds:.1f} s; the SCU sent "
         f"something for {sum(o.instances > 0 for o in observations)}")
    if written is not None and not written.diagnostics:
        note(f"wrote {arguments.report}")
    return max(report.exit_code(arguments.strict), written.exit_code() if written else 0)


def _quote(text: str, limit: int = 160) -> str:
    return f"\"{text if len(text) <= limit else text[:limit].rstrip() + '...'}\""


def _plans(table: StatusTable, standard: Standard, chosen: Sequence[int] | None, report: Report) -> list[Plan] | None:
    """The statuses to answer, each with the row it stands for."""
    other = table.other
    listed = {row.codes for row in table.rows if row.codes is not None}
    if chosen is None:
        plans = []
        for row in table.rows:
            if row.codes is None:
                code = next(c for c in probe_set().undefined_codes if all(c not in codes for codes in listed))
            else:
                # A code with a row of its own belongs to that row alone: a range row is answered with the first
                # of its codes that has none (A701 for A700-A7FF when A700 has its row).
                found = next((c for c in range(row.codes.first, row.codes.last + 1) if table.row_of(c) is row), None)
                if found is None:  # every code of the range has a row of its own, which answers for it
                    continue
                code = found
            plans.append(Plan(row.key, code, _comment(standard, code)))
        return plans
    plans = []
    for code in chosen:
        answers = table.row_of(code) or other
        if answers is None:
            report.add_at(rules.V623, table.place.line, table.place.column,
                          f"--statuses: {code:04X} is in no row of the table, which has no \"other\" row",
                          table.place.json_path)
            return None
        plans.append(Plan(answers.key, code, _comment(standard, code)))
    return plans


def _comment(standard: Standard, code: int) -> str | None:
    """The Error Comment sent with a status, where PS3.4 or PS3.7 lists Error Comment for it: it tells whoever
    reads the SCU's log why the status came."""
    if 0x00000902 in standard.expected_fields(template(standard, "scu"), code):
        return f"confgen probe scu: {code:04X} on purpose"
    return None
