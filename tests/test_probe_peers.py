"""`confgen probe` against real peers: DCMTK's storescp and Orthanc as SCPs, DCMTK's storescu as the SCU under
`probe scu --command`. For each, a profile that states what the peer really does passes (tests/profiles/), and a
profile that claims what it does not do fails at the right line.

The peers are started by the fixtures of tests/peers.py, on free ports of 127.0.0.1, with the tests' own settings.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import DIAGNOSTIC, ROOT, Run
from peers import HOST, STORESCU, Scp, free_port, require

PROFILES = ROOT / "tests" / "profiles"
TIMEOUT = "2"  # Orthanc never answers a broken data set: each such probe costs this
NOTE = re.compile(DIAGNOSTIC.pattern.replace("error|warning", "error|warning|note"))


def probe_scp(cli: Any, profile: Path, scp: Scp, *more: str) -> Run:
    run: Run = cli("probe", "scp", str(profile), "--host", HOST, "--port", str(scp.port), "--called-ae",
                   scp.called_ae, "--timeout", TIMEOUT, *more)
    assert "Traceback" not in run.err
    return run


def findings(run: Run) -> list[tuple[int, str, str, str]]:
    matches = [NOTE.match(line) for line in run.out.splitlines()]
    assert all(matches), run.out
    return [(int(m["line"]), m["severity"], m["rule"], m["message"]) for m in matches if m]


def outcome(report: dict[str, Any], probe: str) -> tuple[str | None, str | None, str]:
    line = next(p for p in report["probes"] if p["id"] == probe)
    return line["status"], (line["read_back"] or "").split(":")[0] or None, line["verdict"]


def line_of(text: str, key: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), start=1) if line.strip().startswith(key))


def with_row(text: str, key: str, entry: str) -> str:
    """The profile with the SCP row ``key`` replaced by ``entry`` (its indented lines)."""
    lines = text.splitlines(keepends=True)
    start = line_of(text, key) - 1
    end = start + 1
    while end < len(lines) and lines[end].startswith("          "):
        end += 1
    return "".join(lines[:start]) + f"        {key}:\n{entry}" + "".join(lines[end:])


# -- storescp ---------------------------------------------------------------------------------------------------

def test_storescp_does_what_its_profile_says(storescp: Scp, cli: Any, tmp_path: Path) -> None:
    report_file = tmp_path / "storescp.json"
    run = probe_scp(cli, PROFILES / "storescp.yaml", storescp, "--read-back", f"dir:{storescp.folder}",
                    "--report", str(report_file))
    assert run.code == 0, run.out
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert report["implementation"]["version_name"] == "OFFIS_DCMTK_367"
    # What the measurements say storescp does, probe by probe: (status, read-back, verdict).
    assert {p["id"]: outcome(report, p["id"]) for p in report["probes"]} == {
        "valid": ("0000", "stored", "consistent"),
        "same-again": ("0000", None, "consistent"),
        "changed-content": ("0000", "stored", "consistent"),
        "affected-class-mismatch": ("A900", "stored", "stored anyway"),  # it writes the file before it checks
        "affected-instance-mismatch": ("A900", "stored", "stored anyway"),
        "no-study-uid": ("0000", "stored", "consistent"),
        "no-patient-id": ("0000", "stored", "consistent"),
        "no-sop-instance-uid": ("C000", None, "consistent"),
        "truncated": (None, None, "no status"),  # an A-ABORT
        "length-past-end": (None, None, "no status"),
        "unknown-vr": (None, None, "no status"),
        "empty": (None, None, "no answer"),
        "unknown-sop-class": (None, None, "no status"),
        "unlikely-transfer-syntax": (None, None, "no status"),
    }
    changed = next(p for p in report["probes"] if p["id"] == "changed-content")
    assert "confgen probe: changed content" in changed["read_back"], "storescp keeps the later content"
    assert "A-ABORT" in next(p for p in report["probes"] if p["id"] == "truncated")["outcome"]
    assert "transfer syntaxes not supported (result 4)" in \
        next(p for p in report["probes"] if p["id"] == "unlikely-transfer-syntax")["outcome"]
    assert {row["row"] for row in report["not_checked"]} == {"B000", "B007", "B006", "A700"}
    assert report["summary"]["passed"] is True


def test_storescp_against_a_profile_that_claims_too_much(storescp: Scp, cli: Any, tmp_path: Path) -> None:
    # The claims: A900 is never sent (only the template's A901), a data set without SOP Instance UID is not
    # refused with C000, and a success is stored (the read-back is by C-FIND, which storescp does not take).
    text = (PROFILES / "storescp.yaml").read_text(encoding="utf-8")
    text = with_row(text, '"C000"', "          sent: false\n")
    text = text.replace('''        "A900":
          condition: >-
            The request's Affected SOP Class UID or Affected SOP Instance UID differs from the data set's. The
            file is written before this is checked, and is kept.
''', '        "A901":\n          sent: false\n')
    profile = tmp_path / "claims.yaml"
    profile.write_text(text, encoding="utf-8")
    run = probe_scp(cli, profile, storescp)
    assert run.code == 1
    errors = {(line, rule, message.split(":")[0]) for line, severity, rule, message in findings(run)
              if severity == "error"}
    assert errors == {
        (line_of(text, '"A901"'), "V602", "probe affected-class-mismatch"),  # A900 is in A9xx, which A901 stands for
        (line_of(text, '"A901"'), "V602", "probe affected-instance-mismatch"),
        (line_of(text, '"C000"'), "V602", "probe no-sop-instance-uid"),
    }
    refused = probe_scp(cli, PROFILES / "storescp.yaml", storescp, "--read-back", "c-find")
    assert refused.code == 2
    [read_back] = [f for f in findings(refused) if f[2] == "V622"]
    assert read_back[0] == line_of(text, "statuses:")
    assert "C-FIND read-back: 127.0.0.1:" in read_back[3]


# -- Orthanc ----------------------------------------------------------------------------------------------------

def test_orthanc_does_what_its_profile_says(orthanc: Scp, cli: Any, tmp_path: Path) -> None:
    report_file = tmp_path / "orthanc.json"
    run = probe_scp(cli, PROFILES / "orthanc.yaml", orthanc, "--read-back", "c-find", "--report", str(report_file))
    assert run.code == 0, run.out
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert {p["id"]: outcome(report, p["id"]) for p in report["probes"]} == {
        "valid": ("0000", "stored", "consistent"),
        "same-again": ("0000", None, "consistent"),
        "changed-content": ("0000", "stored", "consistent"),
        "affected-class-mismatch": ("A900", "missing", "consistent"),
        "affected-instance-mismatch": ("A900", "missing", "consistent"),
        "no-study-uid": ("A700", "missing", "consistent"),  # Out of Resources, for a missing Type 1 attribute
        "no-patient-id": ("0000", "stored", "consistent"),
        "no-sop-instance-uid": ("C000", None, "consistent"),
        "truncated": (None, None, "no answer"),  # Orthanc neither answers nor aborts
        "length-past-end": (None, None, "no answer"),
        "unknown-vr": (None, None, "no answer"),
        "empty": (None, None, "no answer"),
        "unknown-sop-class": (None, None, "no status"),
        "unlikely-transfer-syntax": (None, None, "no status"),  # ... accepted, by its default configuration
    }
    changed = next(p for p in report["probes"] if p["id"] == "changed-content")
    assert "confgen probe: first content" in changed["read_back"], "Orthanc keeps the first content"
    assert "accepted with 1.2.840.10008.1.2.4.100" in \
        next(p for p in report["probes"] if p["id"] == "unlikely-transfer-syntax")["outcome"]
    assert [rule for _, severity, rule, _ in findings(run) if severity == "warning"] == ["V609"] * 4
    assert {row["row"] for row in report["not_checked"]} == {"B000", "B007", "B006"}


def test_orthanc_against_a_profile_that_says_a_700_is_never_sent(orthanc: Scp, cli: Any, tmp_path: Path) -> None:
    text = with_row((PROFILES / "orthanc.yaml").read_text(encoding="utf-8"), '"A700"', "          sent: false\n")
    profile = tmp_path / "claims.yaml"
    profile.write_text(text, encoding="utf-8")
    run = probe_scp(cli, profile, orthanc)
    assert run.code == 1
    assert [(line, rule) for line, severity, rule, message in findings(run) if severity == "error"] == [
        (line_of(text, '"A700"'), "V602")]
    assert "probe no-study-uid: the SCP sent A700 (Failure: Refused: Out of resources), but the A700 row says the " \
           "application does not send it (sent: false)" in run.out


# -- storescu, as the SCU under probe scu --command ---------------------------------------------------------------

@pytest.fixture
def three_files(tmp_path: Path) -> list[str]:
    from pydicom.dataset import FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    from confgen.probe.instances import SECONDARY_CAPTURE, TestData, dataset

    test = TestData.new()
    files = []
    for number in range(1, 4):
        ds = dataset(SECONDARY_CAPTURE, test, generate_uid(), number)
        ds.file_meta = FileMetaDataset()
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        path = tmp_path / f"image{number}.dcm"
        ds.save_as(path, enforce_file_format=True)
        files.append(str(path))
    return files


def test_storescu_stops_after_a_failure_never_retries_and_releases(three_files: list[str], cli: Any,
                                                                  tmp_path: Path) -> None:
    require(STORESCU, "dcmtk")
    port = free_port()
    report_file = tmp_path / "storescu.json"
    command = f"{STORESCU} {HOST} {port} {' '.join(three_files)}"
    run = cli("probe", "scu", str(PROFILES / "storescu.yaml"), "--port", str(port), "--command", command,
              "--watch", "10", "--report", str(report_file))
    assert run.code == 0, run.out
    report = json.loads(report_file.read_text(encoding="utf-8"))
    observed = {line["row"]: (line["answered"], line["instances"], line["retries"], line["end"], line["exit_code"])
                for line in report["observations"]}
    assert observed == {
        "0000": ("0000", 3, [], "released", 0),
        "B000": ("B000", 3, [], "released", 0),  # a warning: it carries on
        "B007": ("B007", 3, [], "released", 0),
        "B006": ("B006", 3, [], "released", 0),
        "0122": ("0122", 1, [], "released", 1),  # a failure: it stops, releases, exits with the status's high byte
        "0117": ("0117", 1, [], "released", 1),
        "0210": ("0210", 1, [], "released", 2),
        "0211": ("0211", 1, [], "released", 2),
        "0212": ("0212", 1, [], "released", 2),
        "0124": ("0124", 1, [], "released", 1),
        "A700-A7FF": ("A700", 1, [], "released", 0xA7),
        "A900-A9FF": ("A900", 1, [], "released", 0xA9),
        "C000-CFFF": ("C000", 1, [], "released", 0xC0),
        "other": ("D123", 1, [], "released", 0xD1),  # an undefined code, for the "Other Status Codes" row
    }
    assert report["implementation"]["version_name"] == "OFFIS_DCMTK_367"
    text = (PROFILES / "storescu.yaml").read_text(encoding="utf-8")
    notes = {line: message for line, _, rule, message in findings(run) if rule == "V610"}
    assert notes[line_of(text, '"A700-A7FF"')].startswith(
        "answered A700 to the first C-STORE: the SCU sent no further instance, then released the association; the "
        "command exited with 167. The table says: \"storescu stops: no further file is sent")
    assert notes[line_of(text, '"0000"')].startswith(
        "answered 0000 to the first C-STORE: the SCU sent 2 more instances, then released the association")


def test_probe_scu_statuses_picks_the_codes_and_their_rows(three_files: list[str], cli: Any, tmp_path: Path) -> None:
    require(STORESCU, "dcmtk")
    port = free_port()
    text = (PROFILES / "storescu.yaml").read_text(encoding="utf-8")
    run = cli("probe", "scu", str(PROFILES / "storescu.yaml"), "--port", str(port), "--statuses", "a7fe,0001",
              "--command", f"{STORESCU} {HOST} {port} {' '.join(three_files)}", "--watch", "10")
    assert run.code == 0, run.out
    assert [(line, rule, message.split(" to ")[0]) for line, _, rule, message in findings(run)] == [
        (line_of(text, '"A700-A7FF"'), "V610", "answered A7FE"),  # a code of the range row
        (line_of(text, "other:"), "V610", "answered 0001"),  # a code no row lists: the "Other Status Codes" row
    ]
    assert "the SCU sent 2 more instances" in run.out.splitlines()[1], "storescu treats 0001 as a warning"


def test_a_claim_that_does_not_match_is_printed_beside_what_storescu_did(three_files: list[str], cli: Any,
                                                                         tmp_path: Path) -> None:
    # Observation, not judgment: a behavior text that says "retried 3 times" is printed beside "sent no further
    # instance", and the run does not fail for it.
    require(STORESCU, "dcmtk")
    text = (PROFILES / "storescu.yaml").read_text(encoding="utf-8").replace(
        '"A700-A7FF": *halts', '"A700-A7FF": Retried 3 times, 5 minutes apart.')
    profile = tmp_path / "retries.yaml"
    profile.write_text(text, encoding="utf-8")
    port = free_port()
    run = cli("probe", "scu", str(profile), "--port", str(port), "--statuses", "A700",
              "--command", f"{STORESCU} {HOST} {port} {' '.join(three_files)}")
    assert run.code == 0
    [(line, severity, rule, message)] = findings(run)
    assert (line, severity, rule) == (line_of(text, '"A700-A7FF"'), "note", "V610")
    assert message == ("answered A700 to the first C-STORE: the SCU sent no further instance, then released the "
                       "association; the command exited with 167. The table says: \"Retried 3 times, 5 minutes "
                       "apart.\"")


def test_probe_scu_refuses_a_profile_without_an_scu_table(cli: Any) -> None:
    run = cli("probe", "scu", str(PROFILES / "orthanc.yaml"), "--port", str(free_port()))
    assert run.code == 2
    assert "error V623 the profile has no services.storage.scu: `confgen probe scu` checks Table N.7-42" in run.out

