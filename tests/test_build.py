"""Building statements: real WeasyPrint PDFs and real HTML, read back and checked against the profile."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pdfplumber
import pytest
import yaml
from conftest import EXAMPLE, EXAMPLE_TEXT, Run, edit

from confgen import render, resources

SCU_CODES = ["0000", "B000", "B007", "B006", "0122", "0117", "0210", "0211", "0212", "0124",
             "A700-A7FF", "A900-A9FF", "C000-CFFF", "anything else"]
# Template rows of PS3.2 Table N.7-43 in the template's order, then the example's additional codes in code order;
# B007, never sent, is named under the table instead.
SCP_CODES = ["0000", "B000", "B006", "A700", "A901", "C000", "0122", "A711"]


def squash(text: str | None) -> str:
    return " ".join((text or "").split())


def status_tables(pdf_path: Path) -> dict[int, list[list[str]]]:
    """The status-code tables of a PDF by column count, continued across pages, without the header rows."""
    tables: dict[int, list[list[str]]] = {}
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            for table in page.extract_tables():
                header = [squash(cell) for cell in table[0]]
                if header[:2] != ["Service Status", "Further Meaning"]:
                    continue
                rows = tables.setdefault(len(header), [])
                rows.extend([squash(cell) for cell in row] for row in table[1:])
    return tables


def pdf_text(pdf_path: Path) -> list[str]:
    with pdfplumber.open(pdf_path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


@pytest.fixture(scope="module")
def example_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from confgen.cli import main

    out = tmp_path_factory.mktemp("out")
    assert main(["build", str(EXAMPLE), "-o", str(out)]) == 0
    return out


def test_build_writes_html_and_pdf_named_after_the_profile(example_build: Path) -> None:
    assert sorted(p.name for p in example_build.iterdir()) == [".confgen-build.json", "acme-ct.html", "acme-ct.pdf"]
    assert (example_build / "acme-ct.pdf").read_bytes().startswith(b"%PDF-")


def test_pdf_scu_table_has_every_row_in_order_with_the_profiles_behavior(example_build: Path) -> None:
    rows = status_tables(example_build / "acme-ct.pdf")[4]
    assert [row[2] for row in rows] == SCU_CODES
    statuses = yaml.safe_load(EXAMPLE_TEXT)["services"]["storage"]["scu"]["statuses"]
    by_code = {row[2]: row for row in rows}
    for key, behavior in statuses.items():
        code = "anything else" if key == "other" else key
        assert by_code[code][3] == squash(behavior)
    assert by_code["0122"][:2] == ["Failure", "SOP Class not supported See note 1"]
    assert by_code["anything else"][:2] == ["-", "Other Status Codes"]


def test_pdf_scp_table_rows_fields_and_not_sent(example_build: Path) -> None:
    rows = status_tables(example_build / "acme-ct.pdf")[5]
    assert [row[2] for row in rows] == SCP_CODES
    by_code = {row[2]: row for row in rows}
    assert by_code["0000"][3] == "N/A"
    assert by_code["B000"][3] == "Offending Element (0000,0901) Error Comment (0000,0902)"
    assert by_code["A711"][3] == "Error Comment (0000,0902)", "a tag in the profile prints as name and tag"
    assert "B007" not in by_code
    text = squash(" ".join(pdf_text(example_build / "acme-ct.pdf")))
    assert "The application does not send these statuses of the template: B007 (Data Set does not match SOP " \
           "Class)." in text
    assert by_code["A700"][:2] == ["Refused", "Refused: Out of Resources"], "the template's own cells"
    assert by_code["A711"][:2] == ["Refused", "Refused: Out of Resources"], "worded like A700, which shares A7xx"
    assert by_code["0122"][:2] == ["Failure", "Refused: SOP Class not supported"]


def test_pdf_captions_cite_the_ps32_tables_and_notes_cite_both_codes(example_build: Path) -> None:
    text = squash(" ".join(pdf_text(example_build / "acme-ct.pdf")))
    assert "Table 7-42. Status Codes C-STORE for the Storage SOP Classes - SCU (completes PS3.2 Table N.7-42)" in text
    assert "Table 7-43. Status Codes C-STORE of the Storage SOP Classes - SCP (completes PS3.2 Table N.7-43)" in text
    assert "7.3.2.5.1 SCU of the Storage SOP Classes - C-STORE" in text
    assert "Table 7-42 lists the Status Codes that the SCU of the Storage SOP Class supports" in text
    assert re.search(r"Note 1\. PS3\.2 2024d Table N\.7-42 prints 0112 .* PS3\.7 assigns that status 0122", text)
    assert re.search(r"Note 2\. PS3\.2 2024d Table N\.7-42 prints 0214 .* PS3\.7 assigns that status 0124", text)
    assert "[" not in text, "no bracketed template instruction is carried into the statement"


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_html_is_self_contained_and_semantic(example_build: Path) -> None:
    html = (example_build / "acme-ct.html").read_text(encoding="utf-8")
    parser = _Elements()
    parser.feed(html)
    names = [tag for tag, _ in parser.tags]
    assert ("html", {"lang": "en"}) in parser.tags
    assert "link" not in names
    assert "script" not in names
    assert "img" not in names
    for _, attrs in parser.tags:
        for name in ("src", "href"):
            assert not (attrs.get(name) or "#").partition("#")[0], f"{name} points outside the file: {attrs}"
    assert names.count("table") == names.count("caption") == names.count("thead") == 3
    header_cells = [attrs for tag, attrs in parser.tags if tag == "th"]
    assert header_cells
    assert all(attrs.get("scope") in ("col", "row") for attrs in header_cells)


def test_same_profile_builds_the_same_bytes(example_build: Path, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("build", str(EXAMPLE), "-o", str(tmp_path)).code == 0
    for name in ("acme-ct.html", "acme-ct.pdf"):
        assert (tmp_path / name).read_bytes() == (example_build / name).read_bytes(), name


def write_profile(folder: Path, text: str, name: str = "device.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_user_text_is_escaped_and_never_a_template(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    behavior = "Logged as \\\"{{ 7*7 }}\\\" {% raw %} when free space < 2 GB & retried."
    text = edit('        "0117": Permanent failure. The send job is marked failed, the user is alerted and the status '
                "is logged.", f'        "0117": "{behavior}"')
    text = edit("manufacturer: Acme Medical Imaging", 'manufacturer: "Acme \\"Best\\" & Sons"', text)
    profile = write_profile(tmp_path, text)
    assert cli("build", str(profile), "-o", str(tmp_path / "out")).code == 0
    html = (tmp_path / "out" / "device.html").read_text(encoding="utf-8")
    assert "Logged as &#34;{{ 7*7 }}&#34; {% raw %} when free space &lt; 2 GB &amp; retried." in html
    assert '<meta name="author" content="Acme &#34;Best&#34; &amp; Sons">' in html
    pdf = squash(" ".join(pdf_text(tmp_path / "out" / "device.pdf")))
    assert 'Logged as "{{ 7*7 }}" {% raw %} when free space < 2 GB & retried.' in pdf
    assert "49" not in pdf


def test_unquoted_codes_are_the_characters_typed(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    # YAML 1.1 reads 0122 as octal 82 and 0210 as 136; the profile's author meant the status codes.
    text = EXAMPLE_TEXT
    for code in ("0000", "0122", "0210", "0117"):
        text = text.replace(f'        "{code}":', f"        {code}:")
    assert "        0122:" in text
    profile = write_profile(tmp_path, text)
    run: Run = cli("build", str(profile), "-o", str(tmp_path / "out"))
    assert run.code == 0, run.out
    assert [row[2] for row in status_tables(tmp_path / "out" / "device.pdf")[4]] == SCU_CODES


def test_unquoted_misprint_is_named_as_typed(tmp_path: Path) -> None:
    from conftest import diagnose

    found = diagnose(tmp_path, edit('        "0122": >-', "        0112: >-"))
    assert [f.rule for f in found] == ["D310"]
    assert found[0].message.startswith("0112 is the PS3.2 2024d template's misprint")


def test_profile_with_errors_writes_nothing(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    profile = write_profile(tmp_path, edit("  product: Acme CT", "  product: TODO"))
    out = tmp_path / "out"
    run = cli("build", str(profile), "-o", str(out))
    assert run.code == 1
    assert [m["rule"] for m in run.diagnostics()] == ["S208"]
    assert not out.exists() or not any(out.iterdir())


def scu_only() -> str:
    return EXAMPLE_TEXT.split("    scp:\n")[0]


def scp_only() -> str:
    head, scu_and_scp = EXAMPLE_TEXT.split("    scu:\n")
    return head + "    scp:\n" + scu_and_scp.split("    scp:\n")[1]


@pytest.mark.parametrize(("text", "present", "absent"), [
    (scu_only, "Table 7-42", "Table 7-43"),
    (scp_only, "Table 7-43", "Table 7-42"),
])
def test_only_the_declared_roles_are_printed(tmp_path: Path, cli, text, present: str, absent: str) -> None:  # type: ignore[no-untyped-def]
    profile = write_profile(tmp_path, text())
    assert cli("build", str(profile), "-o", str(tmp_path)).code == 0
    pdf = squash(" ".join(pdf_text(tmp_path / "device.pdf")))
    assert present in pdf
    assert absent not in pdf


def test_r401_a_template_error_fails_the_build_and_writes_nothing(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "templates"
    broken.mkdir()
    packaged = resources.templates_dir() / render.ENTRY_TEMPLATE
    (broken / render.ENTRY_TEMPLATE).write_text(
        packaged.read_text(encoding="utf-8").replace("{{ document.product_version }}", "{{ document.no_such_field }}"),
        encoding="utf-8")
    run = cli("build", str(EXAMPLE), "-o", str(tmp_path / "out"), "--templates", str(broken))
    assert run.code == 1
    assert "R401" in run.out
    assert "no_such_field" in run.out
    assert not (tmp_path / "out").exists()


def test_f102_output_folder_cannot_be_made(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    run = cli("build", str(EXAMPLE), "-o", str(blocker / "out"))
    assert run.code == 2
    assert re.search(r"acme-ct\.yaml: error F102 cannot make the output folder .*a-file/out: Not a directory",
                     run.out)


def test_f102_two_profiles_with_the_same_name(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write_profile(tmp_path / "a", EXAMPLE_TEXT)
    second = write_profile(tmp_path / "b", EXAMPLE_TEXT)
    run = cli("build", str(first), str(second), "-o", str(tmp_path / "out"))
    assert run.code == 2
    assert f"{second}: error F102" in run.out
    assert f"those of {first}" in run.out
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [".confgen-build.json", "device.html", "device.pdf"]


def test_f102_build_never_overwrites_its_own_profile(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    profile = write_profile(tmp_path, EXAMPLE_TEXT, name="device.html")
    run = cli("build", str(profile), "-o", str(tmp_path))
    assert run.code == 2
    assert "F102" in run.out
    assert profile.read_text(encoding="utf-8") == EXAMPLE_TEXT


def test_rebuild_replaces_outputs_whole_and_leaves_no_temporary_files(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "acme-ct.pdf").write_bytes(b"an older build")
    assert cli("build", str(EXAMPLE), "-o", str(tmp_path)).code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [".confgen-build.json", "acme-ct.html", "acme-ct.pdf"]
    assert (tmp_path / "acme-ct.pdf").read_bytes().startswith(b"%PDF-")


def test_long_unbroken_words_stay_on_the_page(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    word = "VISTARA_STORAGE_MINIMUM_FREE_DISK_SPACE_THRESHOLD_IN_MEGABYTES"
    text = edit("          condition: Free space on the image store is below 2 GB; the instance is not stored.",
                f"          condition: Free space is below {word}.")
    text = edit("Treated as success. The warning and any Error Comment are written to the service log.\n"
                '        "B007"', f"Logged as {'x' * 400}.\n        \"B007\"", text)
    text = edit("document_number: ACME-DCS-0042", f"document_number: ACME-{'9' * 200}", text)
    profile = write_profile(tmp_path, text)
    assert cli("build", str(profile), "-o", str(tmp_path)).code == 0
    with pdfplumber.open(tmp_path / "device.pdf") as pdf:
        edge = 10 * 72 / 25.4  # the margins are 18 mm: nothing may come closer than 10 mm to the edge
        for page in pdf.pages:
            assert all(edge <= char["x0"] <= char["x1"] <= page.width - edge for char in page.chars), \
                f"text leaves page {page.page_number}"
    [a711] = [row for row in status_tables(tmp_path / "device.pdf")[5] if row[2] == "A711"]
    assert word in a711[4].replace(" ", "")


def test_f102_an_output_that_cannot_be_replaced_leaves_the_others_alone(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "acme-ct.html").write_text("an earlier build", encoding="utf-8")
    (tmp_path / "acme-ct.pdf").mkdir()  # something in the way of the PDF
    run = cli("build", str(EXAMPLE), "-o", str(tmp_path))
    assert run.code == 2
    assert f"cannot write {tmp_path / 'acme-ct.pdf'}: Is a directory; no output of this profile was changed" in run.out
    assert (tmp_path / "acme-ct.html").read_text(encoding="utf-8") == "an earlier build"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acme-ct.html", "acme-ct.pdf"], "no temporary file is left"


def test_a_date_fonttools_cannot_stamp_still_builds(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    # The font subsetter (fontTools, when HarfBuzz's is absent) stores times from 1904 on; the document's date
    # is what keeps builds reproducible, and a date it cannot store must not break the build.
    profile = write_profile(tmp_path, edit('  date: "2026-11-20"\n  document', '  date: "1903-12-31"\n  document'))
    run = cli("build", str(profile), "-o", str(tmp_path))
    assert run.code == 0, run.out
