"""Two outside checkers on the examples' HTML: the Nu HTML Checker (vnu) and axe-core in headless Chromium.

Neither is a Python package: ``tests/checkers/install`` puts them on the machine (Debian's chromium, and the npm
packages pinned in ``tests/checkers/package-lock.json``). Where they are missing these tests skip, unless
CONFGEN_REQUIRE_CHECKERS=1 (``.ci/run`` sets it), where a missing checker fails the run. Each checker also
runs on a deliberately bad page, which proves that it can fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE, ROOT

from confgen.build import Options, build

CHECKERS = ROOT / "tests" / "checkers"
NODE_MODULES = CHECKERS / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_SCRIPT = CHECKERS / "axe.mjs"
CHROMIUM = Path("/usr/bin/chromium")
REQUIRED = "CONFGEN_REQUIRE_CHECKERS"
TIMEOUT = 300  # seconds; each checker takes a few

Messages = list[dict[str, Any]]

# Each line is a mistake one of the checkers must report (see the two *_reports_a_bad_page tests).
BAD_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>A deliberately bad page</title>
<style>p { colour: red; }</style></head>
<body>
<main>
<h1>Bad</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<p id="twice">One</p><p id="twice">Two</p>
<table>
<caption>Statuses</caption>
<tr><th></th><th>Code</th></tr>
<tr><td headers="nowhere">Success</td><td>0000</td></tr>
</table>
</main>
</body>
</html>
"""


def require(*needs: tuple[str, bool]) -> None:
    """Skip (or, with CONFGEN_REQUIRE_CHECKERS=1, fail) unless every (what, present) is present."""
    missing = [what for what, present in needs if not present]
    if not missing:
        return
    reason = f"{', '.join(missing)} not installed: run tests/checkers/install"
    if os.environ.get(REQUIRED) == "1":
        pytest.fail(f"{reason} ({REQUIRED}=1: the HTML checkers must run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def vnu() -> Callable[[Path], Messages]:
    """The Nu HTML Checker: its errors for one file (warnings and info messages are left out)."""
    java = shutil.which("java")
    require(("java", java is not None), (str(VNU_JAR.relative_to(ROOT)), VNU_JAR.is_file()))
    assert java

    def run(page: Path) -> Messages:
        # --stdout: the report alone on stdout, so that anything Java says cannot corrupt it. --verbose: the name
        # of each file checked, on the other stream (stderr): vnu skips a file it cannot read without a word.
        done = subprocess.run([java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout",
                               "--verbose", str(page)], capture_output=True, text=True, timeout=TIMEOUT, check=False)
        try:
            report = json.loads(done.stdout)
        except json.JSONDecodeError:
            pytest.fail(f"vnu printed no report (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")
        assert str(page) in done.stderr.splitlines(), f"vnu did not check {page}:\n{done.stdout}\n{done.stderr}"
        messages: Messages = report["messages"]
        assert done.returncode == (1 if messages else 0), f"vnu exit {done.returncode}:\n{done.stderr}"
        return messages

    return run


@pytest.fixture(scope="session")
def axe() -> Callable[[Path], Messages]:
    """axe-core, every rule it runs by default, in headless Chromium: its violations for one file."""
    node = shutil.which("node")
    require(("node", node is not None), (str(CHROMIUM), CHROMIUM.exists()),
            ("axe-core and playwright-core in tests/checkers/node_modules",
             (NODE_MODULES / "axe-core" / "axe.min.js").is_file() and (NODE_MODULES / "playwright-core").is_dir()))
    assert node

    def run(page: Path) -> Messages:
        done = subprocess.run([node, str(AXE_SCRIPT), str(page)], capture_output=True, text=True,
                              timeout=TIMEOUT, check=False)
        assert done.returncode == 0, f"axe did not run (exit {done.returncode}):\n{done.stdout}\n{done.stderr}"
        violations: Messages = json.loads(done.stdout)["violations"]
        return violations

    return run


@pytest.fixture(scope="module", params=["acme-ct.yaml", "archive.yaml", "modality.yaml", "every-table.yaml"])
def example_html(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    """Each example profile, built as ``confgen build`` builds it: the CT's two tables, the archive's table with the
    text around it, Error Comments and several conditions in one cell, the modality's services and communication
    failures, and a statement with every table confgen completes."""
    example = EXAMPLE.with_name(request.param)
    if request.param == "every-table.yaml":
        example = ROOT / "tests" / "cases" / "valid" / request.param
    out = tmp_path_factory.mktemp("checked")
    result = build(example, Options(out, formats=("html",)))
    assert not result.report.has_errors, [d.message for d in result.report.sorted()]
    html = out / f"{example.stem}.html"
    assert html in result.written
    return html


@pytest.fixture(scope="module")
def report_pages(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The HTML reports of `confgen probe scp` and `probe scu`, from the example profile and outcomes of every kind
    (a status, read-backs, no answer, a rejected context; an SCU that carried on, and one that sent nothing)."""
    from confgen.diagnostics import Report
    from confgen.probe.probeset import probe_set
    from confgen.probe.report import RunFacts, scp_report, scu_report, to_html
    from confgen.probe.results import Implementation, Observation, Outcome, ProbeResult, ReadBack
    from confgen.probe.table import storage_table
    from confgen.probe.verdicts import judge
    from confgen.source import load
    from confgen.standard import load_standard
    from confgen.validate import validate

    report = Report(str(EXAMPLE))
    source = load(EXAMPLE, report)
    assert source is not None
    profile = validate(source, report)
    assert profile is not None
    standard = load_standard(profile.standard)
    outcomes = [Outcome("status", "status 0000", status=0x0000), Outcome("status", "status B007", status=0xB007),
                Outcome("status", "status A900", status=0xA900, error_comment="Class <mismatch> & more"),
                Outcome("no-answer", "no answer within 5 s"), Outcome("rejected", "the context was rejected")]
    results = [ProbeResult(probe.id, probe.title, probe.sends, outcomes[n % len(outcomes)], ("1.2.3.4",),
                           ReadBack("missing", "C-FIND at IMAGE level finds no instance") if n % 5 == 0 else None,
                           detail="694 bytes in Explicit VR Little Endian")
               for n, probe in enumerate(probe_set().probes)]
    implementation = Implementation("ARCHIVE", "1.2.3.4.5", "ARCHIVE_10")
    pages = []
    scp = storage_table(profile, source.root, "scp")
    assert scp is not None
    facts = RunFacts("2026-11-30", "2026-11-30T10:00:00Z", 7.5, {"host": "archive.example", "address": "127.0.0.1",
                     "port": 104, "called_ae": "ARCHIVE", "calling_ae": "CONFGEN"}, implementation,
                     {"Timeout": "5 s"}, {"Patient ID": "CONFGEN-0123456789AB"})
    findings = judge(scp, results, standard, probe_set())
    pages.append(("scp", to_html(scp_report(profile, scp, results, findings, standard, facts, []))))
    scu = storage_table(profile, source.root, "scu")
    assert scu is not None
    observations = [Observation(row.key, row.codes.first if row.codes else 0xD123, 3 if n % 2 else 0, 1,
                                "sent 2 more instances, then released the association", "released",
                                exit_code=0, output="I: Sending file") for n, row in enumerate(scu.rows)]
    facts = RunFacts("2026-11-30", "2026-11-30T10:00:00Z", 3.5, {"bind": "127.0.0.1", "port": 11112,
                     "ae_title": "CONFGEN", "command": "storescu 127.0.0.1 11112 a.dcm"}, implementation,
                     {"Watch": "30 s"})
    pages.append(("scu", to_html(scu_report(profile, scu, observations, standard, facts, []))))
    folder = tmp_path_factory.mktemp("reports")
    written = []
    for name, html in pages:
        path = folder / f"{name}-report.html"
        path.write_text(html, encoding="utf-8")
        written.append(path)
    return written


def test_nu_html_checker_finds_no_error_in_the_probe_reports(vnu: Callable[[Path], Messages],
                                                             report_pages: list[Path]) -> None:
    for page in report_pages:
        messages = vnu(page)
        assert not messages, f"the Nu HTML Checker reports in {page.name}:\n{vnu_text(messages)}"


def test_axe_finds_no_violation_in_the_probe_reports(axe: Callable[[Path], Messages], report_pages: list[Path]) -> None:
    for page in report_pages:
        violations = axe(page)
        assert not violations, f"axe-core reports in {page.name}:\n{axe_text(violations)}"


def vnu_text(messages: Messages) -> str:
    return "\n".join(f"  line {m.get('lastLine', '?')}, column {m.get('firstColumn', m.get('lastColumn', '?'))}: "
                     f"{m['type']}: {m['message']}\n    {m.get('extract', '')!r}" for m in messages)


def axe_text(violations: Messages) -> str:
    lines = []
    for violation in violations:
        lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        lines.extend(f"    {' '.join(map(str, node['target']))}: {node['html']}" for node in violation["nodes"])
    return "\n".join(lines)


def test_nu_html_checker_finds_no_error_in_the_example(vnu: Callable[[Path], Messages], example_html: Path) -> None:
    # No filter: the stylesheet is checked too, so print-only CSS the checker does not know (string-set,
    # bookmark-level, string() in @page boxes) fails here and belongs where the checker does not read it.
    messages = vnu(example_html)
    assert not messages, f"the Nu HTML Checker reports {len(messages)} error(s):\n{vnu_text(messages)}"


def test_axe_finds_no_violation_in_the_example(axe: Callable[[Path], Messages], example_html: Path) -> None:
    violations = axe(example_html)
    assert not violations, f"axe-core reports {len(violations)} violation(s):\n{axe_text(violations)}"


def test_nu_html_checker_reports_a_bad_page(vnu: Callable[[Path], Messages], tmp_path: Path) -> None:
    page = tmp_path / "bad.html"
    page.write_text(BAD_PAGE, encoding="utf-8")
    found = vnu_text(vnu(page))
    for mistake in ["CSS: “colour”: Property “colour” doesn't exist.",
                    "An “img” element must have an “alt” attribute",
                    "Duplicate ID “twice”.",
                    "The “headers” attribute on the element “td” refers to the ID “nowhere”"]:
        assert mistake in found, found


def test_axe_reports_a_bad_page(axe: Callable[[Path], Messages], tmp_path: Path) -> None:
    # axe 4's default rules leave duplicate ids (deprecated with WCAG 2.2's 4.1.1) and data cells without headers
    # (td-has-header is experimental) to vnu; they catch these.
    page = tmp_path / "bad.html"
    page.write_text(BAD_PAGE, encoding="utf-8")
    found = {violation["id"]: [node["target"] for node in violation["nodes"]] for violation in axe(page)}
    assert found.get("image-alt") == [["img"]], found
    assert found.get("empty-table-header") == [["th:nth-child(1)"]], found
    assert found.get("td-headers-attr") == [["table"]], found


def test_a_missing_checker_skips_or_fails_as_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    require(("present", True))
    monkeypatch.delenv(REQUIRED, raising=False)
    with pytest.raises(pytest.skip.Exception, match="absent not installed: run tests/checkers/install"):
        require(("present", True), ("absent", False))
    monkeypatch.setenv(REQUIRED, "1")
    with pytest.raises(pytest.fail.Exception, match="CONFGEN_REQUIRE_CHECKERS=1"):
        require(("present", True), ("absent", False))
