"""The verification report (`--report FILE.json|.html|.pdf`) and the statement line it earns (`build --verified-by`),
from real probe runs against an SCP written with pynetdicom, read back as JSON, HTML and PDF."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pdfplumber
from conftest import EXAMPLE_TEXT, ROOT, Run, edit
from peers import HOST, Scripted, free_port
from pypdf import PdfReader

from confgen.probe.probeset import probe_set

SENDS = [probe.id for probe in probe_set().probes if probe.instance is not None]
# A condition with markup in it: the report prints it as text.
MARKUP = edit("          condition: The instance was written to the image store and is listed in the local study "
              "browser.", "          condition: The instance is stored & listed (if < 2 GB).", EXAMPLE_TEXT)


def run_probe(cli: Any, profile: Path, scp: Scripted, *more: str) -> Run:
    scp.received.clear()  # each run meets the same answers
    run: Run = cli("probe", "scp", str(profile), "--host", HOST, "--port", str(scp.port), "--timeout", "2", *more)
    assert "Traceback" not in run.err
    return run


def passing(scp: Scripted) -> None:
    """Answers the example profile describes: A901 to the mismatches, C000 to a data set without its UID."""
    scp.answers = {SENDS.index("affected-class-mismatch") + 1: 0xA901,
                   SENDS.index("affected-instance-mismatch") + 1: 0xA901,
                   SENDS.index("no-sop-instance-uid") + 1: 0xC000}


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def test_the_report_as_json_html_and_pdf(scripted_scp: Scripted, tmp_path: Path, cli: Any) -> None:
    profile = tmp_path / "device.yaml"
    profile.write_text(MARKUP, encoding="utf-8")
    scripted_scp.answers = {SENDS.index("same-again") + 1: 0xB007}  # the example says B007 is never sent
    files = {suffix: tmp_path / "reports" / f"device{suffix}" for suffix in (".json", ".html", ".pdf")}
    for path in files.values():
        run = run_probe(cli, profile, scripted_scp, "--report", str(path), "--read-back", "c-find")
        assert run.code == 1, run.out
        assert f"wrote {path}" in run.err

    report = json.loads(files[".json"].read_text(encoding="utf-8"))
    assert (report["format"], report["version"], report["kind"]) == ("confgen-probe-report", 1, "scp")
    assert report["profile_sha256"] == hashlib.sha256(profile.read_bytes()).hexdigest()
    assert report["profile_name"] == "device.yaml"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", report["started"])
    assert report["date"] == report["started"][:10], "the run's date, not the document's"
    assert report["target"] == {"host": HOST, "address": HOST, "port": scripted_scp.port, "called_ae": "ANY-SCP",
                                "calling_ae": "CONFGEN"}
    assert report["implementation"]["version_name"].startswith("PYNETDICOM_")
    assert [p["id"] for p in report["probes"]] == [p.id for p in probe_set().probes]
    same_again = next(p for p in report["probes"] if p["id"] == "same-again")
    assert (same_again["status"], same_again["row"], same_again["verdict"]) == ("B007", "B007", "contradicted")
    assert same_again["table_says"] == "The application does not send this status (sent: false)."
    assert report["summary"]["passed"] is False
    assert report["summary"]["contradicted"] == 1
    assert {"CONFGEN^PROBE", report["test_data"]["Patient ID"]} <= set(report["test_data"].values())
    assert any(d["rule"] == "V602" for d in report["diagnostics"])

    html = files[".html"].read_text(encoding="utf-8")
    assert "The instance is stored &amp; listed (if &lt; 2 GB)." in html, "profile text is escaped"
    cells = _Cells()
    cells.feed(html)
    probes = [row for row in cells.rows if len(row) == 5][1:]
    assert len(probes) == len(probe_set().probes)
    assert probes[1][0] == "The same instance again (same-again)"
    assert probes[1][3].startswith("B007: The application does not send this status")
    assert probes[1][4].startswith("contradicted")

    reader = PdfReader(files[".pdf"])
    assert 'pdfaid:part="2"' in str(reader.trailer["/Root"]["/Metadata"].get_object().get_data())  # type: ignore[index]
    with pdfplumber.open(files[".pdf"]) as pdf:
        text = " ".join((page.extract_text() or "") for page in pdf.pages)
        cells = [" ".join((cell or "").split()) for page in pdf.pages for table in page.extract_tables()
                 for row in table for cell in row]
    for expected in ("VERIFICATION REPORT", "Acme CT 4.2.0", "Rows not checked", "Patient ID: CONFGEN-",
                     "contradicted"):
        assert expected in " ".join(text.split()), expected
    assert any("The instance is stored & listed (if < 2 GB)." in cell for cell in cells), "printed as text"


def test_a_report_that_cannot_be_written_is_f102(scripted_scp: Scripted, tmp_path: Path, cli: Any) -> None:
    profile = tmp_path / "device.yaml"
    profile.write_text(EXAMPLE_TEXT, encoding="utf-8")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    run = run_probe(cli, profile, scripted_scp, "--report", str(blocker / "report.json"))
    assert run.code == 2
    assert f"{blocker / 'report.json'}: error F102 cannot write the report" in run.out


def test_verified_by_a_passing_report_of_the_profile(scripted_scp: Scripted, tmp_path: Path, cli: Any) -> None:
    profile = tmp_path / "device.yaml"
    profile.write_text(EXAMPLE_TEXT, encoding="utf-8")
    passing(scripted_scp)
    report = tmp_path / "verified.json"
    assert run_probe(cli, profile, scripted_scp, "--report", str(report)).code == 0
    digest = hashlib.sha256(report.read_bytes()).hexdigest()
    data = json.loads(report.read_text(encoding="utf-8"))

    out = tmp_path / "out"
    built = cli("build", str(profile), "-o", str(out), "--verified-by", str(report))
    assert built.code == 0, built.out
    html = (out / "device.html").read_text(encoding="utf-8")
    line = re.search(r"<dt>Verified</dt><dd>(.*?)</dd>", html)
    assert line, "About This Document cites the report"
    text = re.sub(r"<[^>]+>", "", line.group(1))
    version = data["implementation"]["version_name"]
    assert text == (f"Table N.7-43 was checked against the Storage SCP {version} (implementation class UID "
                    f"{data['implementation']['class_uid']}) on {data['date']} by confgen probe scp: "
                    f"{data['summary']['statuses_observed']} statuses observed from 14 probes; "
                    f"{data['summary']['rows_checked']} of 9 rows reached, none contradicted; rows no probe reached "
                    f"are not checked. Report verified.json, SHA-256 {digest}.")
    with pdfplumber.open(out / "device.pdf") as pdf:
        pdf_text = "".join((pdf.pages[-1].extract_text() or "").split())
    assert f"Verified Table N.7-43 was checked against the Storage SCP {version}".replace(" ", "") in pdf_text
    assert digest in pdf_text

    # The record knows the report: the same one leaves the outputs as they are, another rebuilds them.
    assert "unchanged" in cli("build", str(profile), "-o", str(out), "--verified-by", str(report)).err
    assert "unchanged" not in cli("build", str(profile), "-o", str(out)).err


def test_verified_by_refuses_what_it_cannot_cite(scripted_scp: Scripted, tmp_path: Path, cli: Any) -> None:
    profile = tmp_path / "device.yaml"
    profile.write_text(EXAMPLE_TEXT, encoding="utf-8")
    failing = tmp_path / "failing.json"
    scripted_scp.answers = {SENDS.index("same-again") + 1: 0xB007}  # the example says B007 is never sent
    assert run_probe(cli, profile, scripted_scp, "--report", str(failing)).code == 1
    passing(scripted_scp)
    good = tmp_path / "good.json"
    assert run_probe(cli, profile, scripted_scp, "--report", str(good)).code == 0
    other = tmp_path / "other.yaml"
    other.write_text(EXAMPLE_TEXT.replace("product: Acme CT", "product: Acme MR"), encoding="utf-8")
    not_a_report = tmp_path / "other.json"
    not_a_report.write_text('{"format": "something else"}', encoding="utf-8")
    damaged = tmp_path / "damaged.json"
    damaged.write_text(good.read_text(encoding="utf-8").replace('"kind": "scp"', '"kind": 7'), encoding="utf-8")
    out = str(tmp_path / "out")

    def refused(profile_: Path, report: Path) -> tuple[int, str]:
        run = cli("build", str(profile_), "-o", out, "--verified-by", str(report))
        assert not (tmp_path / "out" / f"{profile_.stem}.html").exists(), "nothing is built"
        assert run.out.split()[2] == ("V631" if run.code == 1 else "V630"), run.out
        return run.code, run.out.strip()

    code, out_ = refused(other, good)
    assert code == 1
    assert out_ == (f"{other}: error V631 --verified-by good.json is a report of another profile (device.yaml, "
                    f"SHA-256 {hashlib.sha256(profile.read_bytes()).hexdigest()}), not of other.yaml (SHA-256 "
                    f"{hashlib.sha256(other.read_bytes()).hexdigest()}); probe this profile again")
    assert refused(profile, failing) == (1, f"{profile}: error V631 --verified-by {failing}: the probe found "
                                            "contradictions or could not finish (its errors: V602); a statement cites "
                                            "only a check that passed")
    assert refused(profile, not_a_report) == (2, f"{profile}: error V630 --verified-by {not_a_report}: not a report "
                                                 "of `confgen probe`")
    assert refused(profile, damaged) == (2, f"{profile}: error V630 --verified-by {damaged}: the report is damaged "
                                            "(kind)")
    assert refused(profile, profile) == (2, f"{profile}: error V630 --verified-by {profile}: not JSON; give the "
                                            ".json report of `confgen probe --report FILE.json`")
    assert refused(profile, tmp_path / "missing.json")[0] == 2


def test_verified_by_refuses_a_run_that_could_not_finish(scripted_scp: Scripted, tmp_path: Path, cli: Any) -> None:
    # Every row consistent, but the read-back asked for could not be done: the run did not pass.
    profile = tmp_path / "device.yaml"
    profile.write_text(EXAMPLE_TEXT, encoding="utf-8")
    passing(scripted_scp)
    scripted_scp.silence = 4.0  # past the 2 s timeout
    scripted_scp.find_answer = lambda identifier: "silence"
    report = tmp_path / "unfinished.json"
    run = run_probe(cli, profile, scripted_scp, "--report", str(report), "--read-back", "c-find")
    assert run.code == 2, run.out
    assert "error V622 C-FIND read-back:" in run.out
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["summary"]["passed"] is False
    assert data["summary"]["errors"] == 1
    built = cli("build", str(profile), "-o", str(tmp_path / "out"), "--verified-by", str(report))
    assert (built.code, built.out.strip()) == (1, f"{profile}: error V631 --verified-by {report}: the probe found "
                                                  "contradictions or could not finish (its errors: V622); a statement "
                                                  "cites only a check that passed")


def test_verified_by_refuses_an_scu_run_that_observed_nothing(tmp_path: Path, cli: Any) -> None:
    profile = tmp_path / "storescu.yaml"
    profile.write_bytes((ROOT / "tests" / "profiles" / "storescu.yaml").read_bytes())
    report = tmp_path / "scu.json"
    run = cli("probe", "scu", str(profile), "--port", str(free_port()), "--statuses", "0000", "--watch", "1",
              "--command", f'"{sys.executable}" -c pass', "--report", str(report))
    assert run.code == 0, "an observation, not a failure"
    assert " warning V611 " in run.out
    data = json.loads(report.read_text(encoding="utf-8"))
    assert (data["summary"]["statuses_observed"], data["summary"]["passed"]) == (0, False)
    built = cli("build", str(profile), "-o", str(tmp_path / "out"), "--verified-by", str(report))
    assert (built.code, built.out.strip()) == (1, f"{profile}: error V631 --verified-by {report}: the SCU sent "
                                                  "nothing for any status, so nothing was observed; a statement cites "
                                                  "only a check that observed something")
    assert not (tmp_path / "out" / "storescu.html").exists()


def test_verified_by_refuses_a_damaged_report_and_never_waits(scripted_scp: Scripted, tmp_path: Path,
                                                              cli: Any) -> None:
    profile = tmp_path / "device.yaml"
    profile.write_text(EXAMPLE_TEXT, encoding="utf-8")
    passing(scripted_scp)
    good = tmp_path / "good.json"
    assert run_probe(cli, profile, scripted_scp, "--report", str(good)).code == 0
    data = json.loads(good.read_text(encoding="utf-8"))

    def damaged(change: dict[str, Any]) -> str:
        path = tmp_path / "damaged.json"
        path.write_text(json.dumps({**data, **change}), encoding="utf-8")
        run = cli("build", str(profile), "-o", str(tmp_path / "out"), "--verified-by", str(path))
        assert run.code == 2, run.out
        assert not (tmp_path / "out" / "device.html").exists(), "nothing is built"
        [line] = run.out.splitlines()
        prefix = f"{profile}: error V630 --verified-by {path}: the report is damaged ("
        assert line.startswith(prefix), line
        return line[len(prefix):-1]

    summary = data["summary"]
    assert damaged({"implementation": ["not", "an", "object"]}) == "implementation"
    assert damaged({"implementation": {**data["implementation"], "version_name": "BAD\x01NAME"}}) == \
        "implementation.version_name"
    assert damaged({"summary": {"passed": True}}) == ", ".join(
        f"summary.{name}" for name in ("probes", "statuses_observed", "rows", "rows_checked", "consistent",
                                       "contradicted", "undocumented", "warnings", "not_checked", "errors"))
    assert damaged({"summary": {**summary, "probes": "14"}}) == "summary.probes"
    assert damaged({"summary": {**summary, "contradicted": 1}}) == "summary.passed: it counts errors"
    assert damaged({"summary": {**summary, "errors": 1}}) == "summary.errors: more than its diagnostics hold"
    assert damaged({"diagnostics": "none"}) == "diagnostics"
    assert damaged({"date": "yesterday"}) == "date"

    # A FIFO is refused at once, never read (a reader would wait for a writer for ever).
    fifo = tmp_path / "report.json"
    os.mkfifo(fifo)
    done = subprocess.run([sys.executable, "-m", "confgen", "build", str(profile), "-o", str(tmp_path / "out"),
                           "--verified-by", str(fifo)], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert done.stdout.strip() == (f"{profile}: error V630 --verified-by {fifo}: cannot read it: it is a FIFO (a named "
                                   "pipe), not a regular file")
    assert "Traceback" not in done.stderr


def test_the_report_never_overwrites_the_profile(scripted_scp: Scripted, tmp_path: Path, cli: Any) -> None:
    # JSON is YAML: a profile may be named device.json, and --report device.json would replace it.
    profile = tmp_path / "device.json"
    profile.write_text(EXAMPLE_TEXT, encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(profile)
    for report in (profile, link, tmp_path / "." / "device.json"):
        run = run_probe(cli, profile, scripted_scp, "--report", str(report))
        assert run.code == 2, run.out
        assert run.out.strip() == (f"{profile}: error F102 --report {report} would overwrite the profile itself; "
                                   "nothing was probed")
        assert profile.read_text(encoding="utf-8") == EXAMPLE_TEXT
    assert scripted_scp.received == [], "nothing was sent"
    scu = cli("probe", "scu", str(profile), "--port", str(free_port()), "--report", str(profile))
    assert (scu.code, scu.out.split()[2]) == (2, "F102")
    assert profile.read_text(encoding="utf-8") == EXAMPLE_TEXT


CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # what XML, and so the HTML and the PDF, cannot carry


def test_control_characters_from_the_peer_are_shown_as_escapes(scripted_scp: Scripted, tmp_path: Path,
                                                                cli: Any) -> None:
    from pydicom.dataset import Dataset

    def commented(event: Any) -> Any:
        answer = Dataset()
        answer.Status = 0xA700
        answer.ErrorComment = "Disk\x01full\x1b[0m"
        return answer

    profile = tmp_path / "device.yaml"
    profile.write_text(EXAMPLE_TEXT, encoding="utf-8")
    scripted_scp.answers = {SENDS.index("no-study-uid") + 1: commented}
    files = {suffix: tmp_path / f"report{suffix}" for suffix in (".json", ".html", ".pdf")}
    for path in files.values():
        run = run_probe(cli, profile, scripted_scp, "--report", str(path))
        assert f"wrote {path}" in run.err, run.out
    shown = 'Error Comment: "Disk\\x01full\\x1b[0m"'
    data = json.loads(files[".json"].read_text(encoding="utf-8"))
    [line] = [p for p in data["probes"] if p["id"] == "no-study-uid"]
    assert shown in line["outcome"]
    html = files[".html"].read_text(encoding="utf-8")
    assert not CONTROL.search(html)
    assert shown.replace('"', "&#34;") in html
    with pdfplumber.open(files[".pdf"]) as pdf:
        text = "".join("".join((page.extract_text() or "").split()) for page in pdf.pages)
    assert "Disk\\x01full\\x1b[0m" in text

    # What an SCU's command printed (a terminal's colours, say) is the SCU's text too.
    scu_profile = tmp_path / "storescu.yaml"
    scu_profile.write_bytes((ROOT / "tests" / "profiles" / "storescu.yaml").read_bytes())
    report = tmp_path / "scu.html"
    printing = f'"{sys.executable}" -c "print(chr(27) + \'[31mred\' + chr(1) + chr(13))"'
    run = cli("probe", "scu", str(scu_profile), "--port", str(free_port()), "--statuses", "0000", "--watch", "1",
              "--command", printing, "--report", str(report))
    assert run.code == 0, run.out
    html = report.read_text(encoding="utf-8")
    assert not CONTROL.search(html)
    assert "\\x1b[31mred\\x01" in html


def test_a_report_that_is_a_link_to_a_folder_replaces_the_link(tmp_path: Path, cli: Any) -> None:
    # As a build's outputs: a link is replaced, not what it leads to; a folder itself is refused.
    profile = tmp_path / "storescu.yaml"
    profile.write_bytes((ROOT / "tests" / "profiles" / "storescu.yaml").read_bytes())
    folder = tmp_path / "reports.json"
    folder.mkdir()
    link = tmp_path / "link.json"
    link.symlink_to(folder)
    args = ["probe", "scu", str(profile), "--port", str(free_port()), "--statuses", "0000", "--watch", "1",
            "--command", f'"{sys.executable}" -c pass']
    run = cli(*args, "--report", str(link))
    assert f"wrote {link}" in run.err, run.out + run.err
    assert not link.is_symlink()
    assert json.loads(link.read_text(encoding="utf-8"))["kind"] == "scu"
    assert list(folder.iterdir()) == []
    refused = cli(*args, "--report", str(folder))
    assert refused.code == 2
    assert "the report is a file named .html, .pdf or .json" in refused.err
