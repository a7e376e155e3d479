"""`confgen probe scp` against an SCP written with pynetdicom whose answers each test chooses: every verdict, where
each is reported, the formats, and the bad hosts, refusals and nonsense answers that must end in exit 2.

Every probe goes to 127.0.0.1. The timeout is 2 s (the empty data set is never answered by anyone, so each run
costs it once).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import DIAGNOSTIC, EXAMPLE_TEXT, Run, edit
from peers import HOST, Scripted, answering, free_port

from confgen.probe.probeset import probe_set

TIMEOUT = "2"
# The n-th C-STORE the SCP receives is the n-th probe that sends an instance (the others only negotiate).
SENDS = [probe.id for probe in probe_set().probes if probe.instance is not None]


def nth(probe: str) -> int:
    return SENDS.index(probe) + 1


def scp_line(text: str, key: str) -> int:
    """The line of a status key of the SCP table (the SCU table comes first and has keys of the same name)."""
    lines = text.splitlines()
    start = next(number for number, line in enumerate(lines) if line.strip() == "scp:")
    return next(number + 1 for number, line in enumerate(lines) if number > start and line.strip().startswith(key))


def write(tmp_path: Path, text: str, name: str = "device.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def probe(cli: Any, profile: Path, port: int, *more: str) -> Run:
    run: Run = cli("probe", "scp", str(profile), "--host", HOST, "--port", str(port), "--timeout", TIMEOUT, *more)
    assert "Traceback" not in run.err
    return run


def found(run: Run) -> list[tuple[int, str, str, str]]:
    """(line, severity, rule, message) of each diagnostic printed."""
    return [(int(m["line"]), m["severity"], m["rule"], m["message"]) for m in _matches(run.out)]


def _matches(out: str) -> list[re.Match[str]]:
    pattern = re.compile(DIAGNOSTIC.pattern.replace("error|warning", "error|warning|note"))
    matches = [pattern.match(line) for line in out.splitlines()]
    assert all(matches), f"not every line is a diagnostic:\n{out}"
    return [m for m in matches if m]


def about(found_: list[tuple[int, str, str, str]], probe_id: str) -> list[tuple[int, str, str]]:
    return [(line, severity, rule) for line, severity, rule, message in found_
            if message.startswith(f"probe {probe_id}:")]


# The example profile, with the SCP table changed so that each scripted answer meets a different verdict.
EDITED = edit('''        "B000":
          condition: >-
            Patient reconciliation is on (it is off by default) and the Patient's Name or Patient ID was replaced
            by the values of the matching local patient. The instance is stored.
          related_fields: [OffendingElement, ErrorComment]''', '''        "B000":
          sent: false''', EXAMPLE_TEXT)


def _error_comment_only(status: int) -> Any:
    def answer(event: Any) -> Any:
        from pydicom.dataset import Dataset

        ds = Dataset()
        ds.Status = status
        ds.ErrorComment = "scripted"
        return ds

    return answer


@pytest.fixture
def every_verdict(scripted_scp: Scripted, tmp_path: Path, cli: Any) -> tuple[Run, str, Path]:
    scripted_scp.silence = 4.0  # past the 2 s timeout, with room for a busy machine
    scripted_scp.answers = {
        nth("valid"): 0x0000,  # ... and not kept (below): success without the instance
        nth("same-again"): 0xB000,  # the table says B000 is never sent
        nth("changed-content"): 0x0110,  # a code the table does not list
        nth("affected-class-mismatch"): _error_comment_only(0xA950),  # in A9xx, as the A901 row; no Offending Element
        nth("affected-instance-mismatch"): 0xA900,  # a failure, yet kept (below)
        nth("no-study-uid"): _error_comment_only(0xA711),  # the A711 row, with the Error Comment it lists
        nth("no-patient-id"): "abort",
        nth("no-sop-instance-uid"): 0xC000,  # the C000 row lists an Error Comment, not sent here
        nth("truncated"): "silence",
        nth("length-past-end"): 0x0000,  # ... with an empty file (below): success, but nothing complete stored
        nth("unknown-vr"): 0xC000,
    }

    def keep(number: int, event: Any) -> bool:
        if number == nth("length-past-end"):
            (scripted_scp.folder / f"{event.request.AffectedSOPInstanceUID}.dcm").touch()
        return number == nth("affected-instance-mismatch")

    scripted_scp.store = keep
    profile = write(tmp_path, EDITED)
    run = probe(cli, profile, scripted_scp.port, "--read-back", f"dir:{scripted_scp.folder}")
    return run, profile.read_text(encoding="utf-8"), profile


def test_every_verdict_at_the_line_of_the_row_it_concerns(every_verdict: tuple[Run, str, Path]) -> None:
    run, text, _ = every_verdict
    diagnostics = found(run)
    statuses = scp_line(text, "statuses:")
    assert about(diagnostics, "valid") == [(scp_line(text, '"0000"'), "note", "V601"),
                                           (scp_line(text, '"0000"'), "error", "V605")]
    assert about(diagnostics, "same-again") == [(scp_line(text, '"B000"'), "error", "V602")]
    assert about(diagnostics, "changed-content") == [(statuses, "error", "V603")]
    assert about(diagnostics, "affected-class-mismatch") == [(scp_line(text, '"A901"'), "note", "V601"),
                                                             (scp_line(text, '"A901"'), "warning", "V604")]
    assert about(diagnostics, "affected-instance-mismatch") == [
        (scp_line(text, '"A901"'), "note", "V601"), (scp_line(text, '"A901"'), "warning", "V604"),
        (scp_line(text, '"A901"'), "warning", "V604"), (scp_line(text, '"A901"'), "warning", "V606")]
    assert about(diagnostics, "no-study-uid") == [(scp_line(text, '"A711"'), "note", "V601")]
    assert about(diagnostics, "no-patient-id") == [(statuses, "note", "V608")]
    assert about(diagnostics, "no-sop-instance-uid") == [(scp_line(text, '"C000"'), "note", "V601"),
                                                         (scp_line(text, '"C000"'), "warning", "V604")]
    assert about(diagnostics, "truncated") == [(statuses, "warning", "V609")]
    assert about(diagnostics, "length-past-end") == [(scp_line(text, '"0000"'), "note", "V601"),
                                                     (scp_line(text, '"0000"'), "error", "V605")]
    assert about(diagnostics, "unknown-vr") == [(scp_line(text, '"C000"'), "note", "V601"),
                                                (scp_line(text, '"C000"'), "warning", "V604")]
    assert about(diagnostics, "empty") == [(statuses, "warning", "V609")]
    assert about(diagnostics, "unknown-sop-class") == [(statuses, "note", "V608")]
    # Rows no probe reached are listed as not checked, never as passed; so is a row that says it is not sent.
    not_checked = {message.split()[0]: line for line, _, rule, message in diagnostics if rule == "V607"}
    assert not_checked == {key: scp_line(text, f'"{key}"') for key in ("B007", "B006", "A700", "0122")}
    assert run.code == 1, "contradictions exit 1"


def test_the_messages_say_what_was_sent_and_what_the_table_says(every_verdict: tuple[Run, str, Path]) -> None:
    run, _, _ = every_verdict
    messages = {(rule, message.split(":")[0]): message for _, _, rule, message in found(run)}
    assert messages[("V602", "probe same-again")] == (
        "probe same-again: the SCP sent B000 (Warning: Coercion of Data Elements), but the B000 row says the "
        "application does not send it (sent: false)")
    assert messages[("V603", "probe changed-content")].startswith(
        "probe changed-content: the SCP sent 0110 (Failure), which the table does not list (it lists: 0000, B006, "
        "A700, A711, A901, C000, 0122)")
    assert "A950 is in A900-A9FF, the range PS3.4 gives the A901 row's status" in \
        messages[("V601", "probe affected-class-mismatch")]
    assert messages[("V604", "probe affected-class-mismatch")].endswith(
        "the A901 row lists Offending Element (0000,0901), which the response does not carry")
    assert "no instance was stored: no file under" in messages[("V605", "probe valid")]
    assert messages[("V605", "probe length-past-end")].endswith(".dcm: the file is empty (0 bytes)")
    assert "a failure, yet the instance was stored: complete file under" in \
        messages[("V606", "probe affected-instance-mismatch")]
    assert "B006 not checked: a warning needs an input known to trigger it" in run.out
    assert "B007 not checked: the table says it is never sent, and a probe can only fail to observe a status" in \
        run.out
    assert re.search(r"14 probes against 127\.0\.0\.1:\d+, PYNETDICOM_\w+, in [\d.]+ s: 7 consistent, 3 "
                     r"contradicted, 1 undocumented, 8 warnings; 4 of 9 rows not checked", run.err), run.err
    assert re.search(r"test data this run may have stored \(delete it from the SCP\): Patient's Name CONFGEN\^PROBE; "
                     r"Patient ID CONFGEN-[0-9A-F]{12}; Study Instance UID [\d.]+; SOP Instance UIDs without a Study "
                     r"Instance UID [\d.]+", run.err), run.err


def test_an_scp_the_profile_describes_exits_0(scripted_scp: Scripted, tmp_path: Path, cli: Any) -> None:
    scripted_scp.answers = {nth("affected-class-mismatch"): 0xA901, nth("no-sop-instance-uid"): 0xC000}
    profile = write(tmp_path, EXAMPLE_TEXT)
    run = probe(cli, profile, scripted_scp.port, "--read-back", "c-find")
    assert run.code == 0, run.out
    rules = [rule for _, _, rule, _ in found(run)]
    assert "V605" not in rules, "every success was found again by C-FIND"
    assert set(rules) <= {"V601", "V604", "V607", "V608", "V609"}
    assert run.err.count("wrote") == 0, "nothing is written without --report"
    scripted_scp.received.clear()
    strict = probe(cli, profile, scripted_scp.port, "--strict")
    assert strict.code == 1, "--strict: the warnings (no answer to the empty data set, fields missing) fail"


def test_success_that_c_find_does_not_find_contradicts_the_0000_row(scripted_scp: Scripted, tmp_path: Path,
                                                                    cli: Any) -> None:
    scripted_scp.store = lambda number, event: number != nth("no-patient-id")
    profile = write(tmp_path, EXAMPLE_TEXT)
    run = probe(cli, profile, scripted_scp.port, "--read-back", "c-find")
    assert about(found(run), "no-patient-id") == [(scp_line(EXAMPLE_TEXT, '"0000"'), "note", "V601"),
                                                  (scp_line(EXAMPLE_TEXT, '"0000"'), "error", "V605")]
    assert "C-FIND at IMAGE level finds no instance with" in run.out
    assert run.code == 1


def test_a_sop_class_range_row_that_is_not_sent_is_contradicted_by_any_code_of_it(scripted_scp: Scripted,
                                                                                  tmp_path: Path, cli: Any) -> None:
    text = edit('''        "A901":
          condition: >-
            SOP Class UID, SOP Instance UID, Study Instance UID or Series Instance UID is missing or empty.
          related_fields: [OffendingElement, ErrorComment]''', '''        "A901":
          sent: false''', EXAMPLE_TEXT)
    scripted_scp.answers = {nth("affected-class-mismatch"): 0xA900}
    run = probe(cli, write(tmp_path, text), scripted_scp.port)
    [(line, severity, rule, message)] = [d for d in found(run) if d[3].startswith("probe affected-class-mismatch")]
    assert (line, severity, rule) == (scp_line(text, '"A901"'), "error", "V602")
    assert message.endswith("(A900 is in A900-A9FF, and the table sends no code of it)")


def test_formats_json_and_github(every_verdict: tuple[Run, str, Path], scripted_scp: Scripted, cli: Any) -> None:
    _, text, profile = every_verdict
    scripted_scp.received.clear()  # the same answers again, from the first C-STORE
    run = probe(cli, profile, scripted_scp.port, "--format", "json")
    items = json.loads(run.out)
    contradiction = next(item for item in items if item["rule"] == "V602")
    assert contradiction == {"file": str(profile), "line": scp_line(text, '"B000"'), "column": 9, "severity": "error",
                             "rule": "V602", "message": contradiction["message"],
                             "json_path": "$.services.storage.scp.statuses.B000"}
    assert {item["severity"] for item in items} == {"error", "warning", "note"}
    scripted_scp.received.clear()
    run = probe(cli, profile, scripted_scp.port, "--format", "github")
    lines = run.out.splitlines()
    b000 = scp_line(text, '"B000"')
    assert any(line.startswith(f"::error file={profile},title=confgen V602,line={b000},col=9::") for line in lines)
    assert any(line.startswith("::notice ") and "title=confgen V601" in line for line in lines)


def test_an_answer_that_is_not_a_c_store_response_exits_2(scripted_scp: Scripted, tmp_path: Path, cli: Any) -> None:
    scripted_scp.answers = {nth("no-study-uid"): "echo"}
    run = probe(cli, write(tmp_path, EXAMPLE_TEXT), scripted_scp.port)
    assert run.code == 2
    [(line, severity, _, message)] = [d for d in found(run) if d[2] == "V621"]
    assert (line, severity) == (scp_line(EXAMPLE_TEXT, "statuses:"), "error")
    assert message == "probe no-study-uid: the SCP answered with a command of type 0x8030"


# -- hosts that cannot be probed --------------------------------------------------------------------------------

def rules_of(run: Run) -> list[str]:
    """The rule of every line printed, with or without a line number."""
    return re.findall(r"^.*?: (?:error|warning|note) ([A-Z]\d{3}) ", run.out, flags=re.MULTILINE)


def test_nothing_listening_exits_2(tmp_path: Path, cli: Any) -> None:
    profile = write(tmp_path, EXAMPLE_TEXT)
    run = probe(cli, profile, free_port())
    assert run.code == 2
    assert rules_of(run) == ["V620"]
    assert re.fullmatch(rf"{re.escape(str(profile))}: error V620 127\.0\.0\.1:\d+: cannot connect \(Connection "
                        r"refused\)", run.out.strip()), run.out
    assert run.err.strip().endswith("nothing probed")


def test_a_host_that_does_not_resolve_exits_2(tmp_path: Path, cli: Any) -> None:
    run = cli("probe", "scp", str(write(tmp_path, EXAMPLE_TEXT)), "--host", "no-such-host.invalid", "--port", "104",
              "--timeout", TIMEOUT)
    assert run.code == 2
    assert "error V620 no-such-host.invalid: the name" in run.out
    assert "Traceback" not in run.err


def test_a_peer_that_never_answers_exits_2_after_the_timeout(tmp_path: Path, cli: Any) -> None:
    import socket

    with socket.socket() as silent:  # it listens, so connections open, but it never reads or answers
        silent.bind((HOST, 0))
        silent.listen(8)
        run = probe(cli, write(tmp_path, EXAMPLE_TEXT), silent.getsockname()[1])
    assert run.code == 2
    assert rules_of(run) == ["V620"]
    assert "did not answer the association request within 2 s (is it a DICOM application?)" in run.out


def test_a_peer_that_is_not_dicom_exits_2(nonsense_server: int, tmp_path: Path, cli: Any) -> None:
    run = probe(cli, write(tmp_path, EXAMPLE_TEXT), nonsense_server)
    assert run.code == 2
    assert run.out.strip().endswith(f"error V620 127.0.0.1:{nonsense_server} answered the association request with "
                                    "something that is not DICOM: b'HTTP/1.1 400 Bad Request\\r\\nContent-Length: "
                                    "0\\r\\n\\r\\n'"), run.out


@pytest.mark.parametrize(("reply", "says"), [
    # An A-ASSOCIATE-AC (type 02, 8 bytes long) whose 8 bytes are no A-ASSOCIATE-AC: pynetdicom takes each context
    # for rejected, and "accepted none of the presentation contexts" was said.
    (b"\x02\x00\x00\x00\x00\x08garbage!",
     "answered the association request with an A-ASSOCIATE-AC that cannot be read: b'\\x02\\x00\\x00\\x00\\x00"
     "\\x08garbage!'"),
    (b"\x07\x00\x00\x00\x00\x04\x00\x00\x02\x00",
     "aborted the association request (A-ABORT: b'\\x07\\x00\\x00\\x00\\x00\\x04\\x00\\x00\\x02\\x00')"),
    (b"\x05\x00\x00\x00\x00\x04\x00\x00\x00\x00",
     "answered the association request with an A-RELEASE-RQ PDU, which does not answer it: b'\\x05"),
    (b"", "closed the connection without answering the association request"),
], ids=["bogus A-ASSOCIATE-AC", "A-ABORT", "another PDU", "nothing"])
def test_what_a_peer_answered_instead_is_said(tmp_path: Path, cli: Any, reply: bytes, says: str) -> None:
    with answering(reply) as port:
        run = probe(cli, write(tmp_path, EXAMPLE_TEXT), port)
    assert run.code == 2
    assert rules_of(run) == ["V620"]
    assert f"error V620 127.0.0.1:{port} {says}" in run.out, run.out


def test_a_refused_association_exits_2(tmp_path: Path, cli: Any) -> None:
    from pynetdicom import AE, AllStoragePresentationContexts

    ae = AE("PICKY")
    ae.supported_contexts = AllStoragePresentationContexts
    ae.require_called_aet = True
    port = free_port()
    server = ae.start_server((HOST, port), block=False)
    try:
        run = probe(cli, write(tmp_path, EXAMPLE_TEXT), port, "--called-ae", "WRONG")
    finally:
        assert server is not None
        server.shutdown()
    assert run.code == 2
    assert " rejected the association (" in run.out
    assert "reason: Called AE title not recognised); called AE title 'WRONG', calling AE title 'CONFGEN'" in run.out


def test_an_scp_that_refuses_the_sop_class_asks_for_another(tmp_path: Path, cli: Any) -> None:
    from pynetdicom import AE

    profile = write(tmp_path, EXAMPLE_TEXT)
    runs = []
    # CT only; then CT and Verification, as most SCPs take
    for contexts in (["1.2.840.10008.5.1.4.1.1.2"], ["1.2.840.10008.5.1.4.1.1.2", "1.2.840.10008.1.1"]):
        ae = AE("CT-ONLY")
        for uid in contexts:
            ae.add_supported_context(uid)
        port = free_port()
        server = ae.start_server((HOST, port), block=False)
        try:
            runs.append((probe(cli, profile, port), probe(cli, profile, port, "--sop-class", "CTImageStorage")))
        finally:
            assert server is not None
            server.shutdown()
    (refused_all, _), (refused, accepted) = runs
    assert refused_all.code == 2
    assert "accepted none of the presentation contexts proposed (1.2.840.10008.5.1.4.1.1.7: abstract syntax not " \
           "supported; 1.2.840.10008.1.1: abstract syntax not supported); choose a SOP Class it takes with " \
           "--sop-class" in refused_all.out
    assert refused.code == 2
    assert "does not take Secondary Capture Image Storage (abstract syntax not supported (result 3)); choose a SOP " \
           "Class it takes with --sop-class" in refused.out
    assert accepted.code == 0, accepted.out


# -- profiles and options -----------------------------------------------------------------------------------------

def test_a_profile_without_an_scp_table_is_refused(tmp_path: Path, cli: Any) -> None:
    scu_only = EXAMPLE_TEXT[:EXAMPLE_TEXT.index("    scp:")]
    profile = write(tmp_path, scu_only)
    run = probe(cli, profile, free_port())
    assert run.code == 2
    assert rules_of(run) == ["V623"]
    assert run.out.strip() == (f"{profile}:18:1: error V623 the profile has no services.storage.scp: `confgen probe "
                               "scp` checks Table N.7-43 (the Storage SCP), which it does not declare")


def test_a_profile_with_errors_is_not_probed(tmp_path: Path, cli: Any) -> None:
    profile = write(tmp_path, edit("  product: Acme CT", "  product: TODO"))
    run = probe(cli, profile, free_port())
    assert run.code == 1
    assert [m["rule"] for m in _matches(run.out)] == ["S208"]


@pytest.mark.parametrize(("option", "value", "says"), [
    ("--port", "0", "'0' is not a TCP port"),
    ("--port", "70000", "'70000' is not a TCP port"),
    ("--timeout", "0", "'0' is not a number of seconds"),
    ("--called-ae", "A" * 17, "is not an AE title"),
    ("--called-ae", "A\\B", "is not an AE title"),
    ("--read-back", "dir:/no/such/folder", "'/no/such/folder' is not a folder"),
    ("--read-back", "c-get", "give c-find or dir:PATH"),
    ("--report", "report.txt", "the report is a file named .html, .pdf or .json"),
    ("--sop-class", "1.2.3", "is not a SOP Class confgen can make a valid instance of"),
])
def test_usage_errors_exit_2(tmp_path: Path, cli: Any, option: str, value: str, says: str) -> None:
    args = {"--port": "104", "--timeout": "2", option: value}
    run = cli("probe", "scp", str(write(tmp_path, EXAMPLE_TEXT)), "--host", HOST,
              *[part for pair in args.items() for part in pair])
    assert run.code == 2
    assert says in run.err


def test_probe_writes_nothing_without_report(scripted_scp: Scripted, tmp_path: Path, cli: Any,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    here = tmp_path / "here"
    here.mkdir()
    profile = write(here, EXAMPLE_TEXT)
    monkeypatch.chdir(here)
    before = sorted(p.name for p in here.rglob("*"))
    probe(cli, profile, scripted_scp.port)
    assert sorted(p.name for p in here.rglob("*")) == before


def test_a_failure_the_network_library_does_not_document_is_a_diagnostic(scripted_scp: Scripted, tmp_path: Path,
                                                                         cli: Any,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from confgen.probe import wire

    def breaks(*args: Any) -> None:
        raise RuntimeError("the reactor is gone")

    monkeypatch.setattr(wire, "store", breaks)
    run = probe(cli, write(tmp_path, EXAMPLE_TEXT), scripted_scp.port)
    assert run.code == 2
    assert rules_of(run) == ["V620"]
    assert run.out.strip().endswith("error V620 the probe stopped: RuntimeError: the reactor is gone")


# -- read-backs that cannot tell ----------------------------------------------------------------------------------

def test_a_c_find_the_scp_refuses_leaves_the_other_queries(scripted_scp: Scripted, tmp_path: Path, cli: Any) -> None:
    # A strict SCP refuses an IMAGE-level query without the Study Instance UID above it: the query for the instance
    # sent without one. That instance is not known to be missing (V624, not V605); every other is read back.
    scripted_scp.answers = {nth("affected-class-mismatch"): 0xA901, nth("no-sop-instance-uid"): 0xC000}
    scripted_scp.find_answer = lambda identifier: 0xA900 if not identifier.StudyInstanceUID else None
    run = probe(cli, write(tmp_path, EXAMPLE_TEXT), scripted_scp.port, "--read-back", "c-find")
    assert run.code == 0, run.out
    diagnostics = found(run)
    success = scp_line(EXAMPLE_TEXT, '"0000"')
    assert about(diagnostics, "no-study-uid") == [(success, "note", "V601"), (success, "warning", "V624")]
    [message] = [m for _, _, rule, m in diagnostics if rule == "V624"]
    assert message.startswith("probe no-study-uid: the SCP sent 0000 (Success); the read-back could not tell whether "
                               "the instance is stored: the SCP refused the C-FIND at IMAGE level for ")
    assert message.endswith(" (status A900)")
    assert not {"V605", "V622"} & {rule for _, _, rule, _ in diagnostics}
    assert about(diagnostics, "valid") == [(success, "note", "V601")], "read back, and found"


def test_a_folder_search_cut_short_cannot_tell(scripted_scp: Scripted, tmp_path: Path, cli: Any,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from confgen.probe import readback

    # A folder larger than the search's bound: an instance not met before the bound is not known to be missing.
    monkeypatch.setattr(readback, "MAX_ENTRIES", 2)
    for number in range(3):
        (scripted_scp.folder / f"other-{number}.dcm").write_bytes(b"")
    scripted_scp.store = lambda number, event: False  # nothing kept: without the bound, every success is V605
    run = probe(cli, write(tmp_path, EXAMPLE_TEXT), scripted_scp.port, "--read-back", f"dir:{scripted_scp.folder}")
    diagnostics = found(run)
    rules = [rule for _, _, rule, _ in diagnostics]
    assert "V605" not in rules
    assert "V606" not in rules
    success = scp_line(EXAMPLE_TEXT, '"0000"')
    assert about(diagnostics, "valid") == [(success, "note", "V601"), (success, "warning", "V624")]
    assert "before the search stopped: it looked at 2 files, the most it looks at" in run.out
    assert run.code == 0, run.out


def test_an_interrupted_run_still_says_what_it_may_have_stored(scripted_scp: Scripted, tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    scripted_scp.silence = 8.0
    scripted_scp.answers = {nth("same-again"): "silence"}  # the run waits there, for up to --timeout
    profile = write(tmp_path, EXAMPLE_TEXT)
    process = subprocess.Popen([sys.executable, "-m", "confgen", "probe", "scp", str(profile), "--host", HOST,
                                "--port", str(scripted_scp.port), "--timeout", "20"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        seen = [process.stderr.readline() for _ in range(2)]
        assert seen[1].startswith("probe 1/14 valid: status 0000"), seen
        time.sleep(0.5)  # the second probe is sent, and unanswered
        started = time.monotonic()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 130
    assert time.monotonic() - started < 5, "Ctrl-C aborts the association, without waiting for the SCP"
    assert "Traceback" not in err
    lines = err.splitlines()
    assert lines[-1] == "confgen: interrupted"
    assert re.fullmatch(r"test data this run may have stored \(delete it from the SCP\): Patient's Name "
                        r"CONFGEN\^PROBE; Patient ID CONFGEN-[0-9A-F]{12}; Study Instance UID [\d.]+", lines[-2]), err
    assert out == ""
