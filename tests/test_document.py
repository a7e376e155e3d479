"""The statement as a reviewer gets it: Annex N's structure, print quality, and an archival, tagged PDF.

PDFs are real WeasyPrint output, read back with pdfplumber (text, tables) and pypdf (metadata, outline,
structure tree, PDF/A identification).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pdfplumber
import pydicom
import pytest
from conftest import EXAMPLE, EXAMPLE_TEXT, edit
from pypdf import PdfReader
from test_build import pdf_text, squash, status_tables

from confgen import __version__

PNG_1X1 = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5d2e2a60000000049454e44ae426082")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from confgen.cli import main

    out = tmp_path_factory.mktemp("document")
    assert main(["build", str(EXAMPLE), "-o", str(out)]) == 0
    return out / "acme-ct.pdf"


def build_profile(cli, folder: Path, text: str, *args: str) -> Path:  # type: ignore[no-untyped-def]
    profile = folder / "device.yaml"
    profile.write_text(text, encoding="utf-8")
    run = cli("build", str(profile), "-o", str(folder / "out"), *args)
    assert run.code == 0, run.out
    return folder / "out" / "device.pdf"


def test_cover_page_names_the_product_and_what_the_statement_follows(built: Path) -> None:
    cover = squash(pdf_text(built)[0])
    for expected in ("DICOM CONFORMANCE STATEMENT", "Acme CT 4.2.0", "Manufacturer Acme Medical Imaging",
                     "Document number ACME-DCS-0042", "Date 2026-11-20", "Follows DICOM PS3.2 2024d, Annex N"):
        assert expected in cover
    with pdfplumber.open(built) as pdf:
        assert pdf.pages[0].extract_tables() == [], "the cover is a page of its own"


def test_revision_history_and_contents_with_the_pages_the_sections_are_on(built: Path) -> None:
    pages = pdf_text(built)
    assert "Revision History" in pages[1]
    assert "B 2026-11-20 Acme CT 4.2.0. Out-of-resources refusals are retried" in squash(pages[1])
    before, _, contents = pages[1].partition("\nContents\n")
    entries = re.findall(r"^(.+?)\.{3,} (\d+)$", contents, re.MULTILINE)
    assert [title for title, _ in entries] == [
        "Revision History", "7.3 Status Codes", "7.3.2 DIMSE Services", "7.3.2.5 Storage Service",
        "7.3.2.5.1 SCU of the Storage SOP Classes - C-STORE", "7.3.2.5.2 SCP of the Storage SOP Classes - C-STORE",
        "About This Document"]
    # Each entry's page number is the page its heading is printed on (the contents page aside).
    for title, page in entries:
        body = before if page == "2" else pages[int(page) - 1]
        assert f"\n{title}\n" in body, f"{title!r} is not on page {page}"


def test_running_header_and_page_x_of_y(built: Path) -> None:
    pages = pdf_text(built)
    assert len(pages) >= 4
    assert not pages[0].startswith("Acme CT 4.2.0 ACME-DCS-0042"), "the cover has no running header"
    for number, text in enumerate(pages, start=1):
        if number > 1:
            assert text.startswith("Acme CT 4.2.0 ACME-DCS-0042"), f"page {number} lacks the running header"
        assert text.rstrip().endswith(f"Page {number} of {len(pages)}")


def test_metadata_comes_from_the_profile_and_its_date(built: Path) -> None:
    info = PdfReader(built).metadata
    assert info is not None
    assert info.title == "DICOM Conformance Statement: Acme CT 4.2.0"
    assert info.author == "Acme Medical Imaging"
    assert info.subject == ("The DICOM Conformance Statement of Acme CT 4.2.0 by Acme Medical Imaging, following "
                            "DICOM PS3.2 2024d Annex N")
    assert info["/Keywords"] == "DICOM, Conformance Statement, Acme CT, 4.2.0, ACME-DCS-0042, Storage Service, " \
                                "Status Codes"
    assert info["/CreationDate"] == info["/ModDate"] == "D:20261120"


def _xmp(reader: PdfReader) -> str:
    root: Any = reader.trailer["/Root"]
    return str(root["/Metadata"].get_object().get_data().decode("utf-8"))


def _structure(reader: PdfReader) -> Counter[str]:
    counts: Counter[str] = Counter()
    pending = [reader.trailer["/Root"]["/StructTreeRoot"]]  # type: ignore[index]
    while pending:
        node: Any = pending.pop().get_object()
        if not hasattr(node, "get"):
            continue
        if "/S" in node:
            counts[str(node["/S"])] += 1
        kids = node.get("/K")
        pending.extend(kids if isinstance(kids, list) else [kids] if kids is not None else [])
    return counts


def test_pdf_is_pdf_a_2a_tagged_with_language(built: Path) -> None:
    reader = PdfReader(built)
    root: Any = reader.trailer["/Root"]
    assert 'pdfaid:part="2"' in _xmp(reader)
    assert 'pdfaid:conformance="A"' in _xmp(reader)
    assert "/OutputIntents" in root
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "en"
    structure = _structure(reader)
    for element in ("/H1", "/H2", "/H3", "/H4", "/H5", "/Table", "/TH", "/TD", "/Caption", "/L", "/Link"):
        assert structure[element] > 0, f"no {element} in the structure tree"


def test_bookmarks_follow_the_headings(built: Path) -> None:
    def titles(items: list[Any], depth: int = 0) -> list[str]:
        found = []
        for item in items:
            found += titles(item, depth + 1) if isinstance(item, list) else [f"{'  ' * depth}{item.title}"]
        return found

    assert titles(PdfReader(built).outline) == [
        "Acme CT 4.2.0",
        "  Revision History",
        "  Contents",
        "  7.3 Status Codes",
        "    7.3.2 DIMSE Services",
        "      7.3.2.5 Storage Service",
        "        7.3.2.5.1 SCU of the Storage SOP Classes - C-STORE",
        "        7.3.2.5.2 SCP of the Storage SOP Classes - C-STORE",
        "  About This Document",
    ]


@pytest.mark.parametrize(("variant", "expected", "absent"), [
    ("pdf/ua-1", 'pdfuaid:part="1"', "pdfaid:part"),
    ("pdf/a-3b", 'pdfaid:conformance="B"', "pdfuaid"),
])
def test_another_variant_on_request_still_tagged(tmp_path: Path, cli, variant: str, expected: str,  # type: ignore[no-untyped-def]
                                                  absent: str) -> None:
    reader = PdfReader(build_profile(cli, tmp_path, EXAMPLE_TEXT, "--pdf-variant", variant))
    assert expected in _xmp(reader)
    assert absent not in _xmp(reader)
    assert _structure(reader)["/Table"] > 0


def test_plain_variant_has_no_pdf_a_claim(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    reader = PdfReader(build_profile(cli, tmp_path, EXAMPLE_TEXT, "--pdf-variant", "none"))
    root: Any = reader.trailer["/Root"]
    assert "/Metadata" not in root or "pdfaid" not in _xmp(reader)
    assert _structure(reader)["/Table"] > 0


def test_provenance_names_what_the_statement_was_made_from(built: Path) -> None:
    last = squash(pdf_text(built)[-1])
    digest = hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()
    for expected in (f"Generated by confgen {__version__}", "Profile acme-ct.yaml", "PS3.2 data 2024d",
                     "PS3.7 data 2024d", "PS3.4 data 2020b/c (Table B.2-1); 2021d (the others) PS3.7",
                     f"Data dictionary pydicom {pydicom.__version__}"):
        assert expected in last
    assert digest in last.replace(" ", "")


@pytest.mark.parametrize(("paper", "size"), [(None, (595, 842)), ("letter", (612, 792)), ("A4", (595, 842))])
def test_paper_size(tmp_path: Path, cli, paper: str | None, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    text = EXAMPLE_TEXT if paper is None else edit("  date: \"2026-11-20\"\n  document_number",
                                                   f"  date: \"2026-11-20\"\n  paper: {paper}\n  document_number")
    with pdfplumber.open(build_profile(cli, tmp_path, text)) as pdf:
        assert {(round(page.width), round(page.height)) for page in pdf.pages} == {size}


def test_decimal_codes_only_when_the_document_asks(tmp_path: Path, cli, built: Path) -> None:  # type: ignore[no-untyped-def]
    text = edit("  date: \"2026-11-20\"\n  document_number", "  date: \"2026-11-20\"\n  decimal_codes: true\n"
                                                            "  document_number")
    scu = status_tables(build_profile(cli, tmp_path, text))[4]
    codes = [row[2] for row in scu]
    assert codes[:5] == ["0000 (0)", "B000 (45056)", "B007 (45063)", "B006 (45062)", "0122 (290)"]
    assert "A700-A7FF (42752-43007)" in codes
    assert codes[-1] == "anything else"
    assert "0122 (290)" not in [row[2] for row in status_tables(built)[4]]


@pytest.mark.parametrize("name", ["logo.png", "logo.svg"])
def test_logo_on_the_cover_carried_inside_the_html(tmp_path: Path, cli, name: str) -> None:  # type: ignore[no-untyped-def]
    logo = tmp_path / "brand" / name
    logo.parent.mkdir()
    logo.write_bytes(PNG_1X1 if name.endswith(".png") else
                     b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="40" height="10">'
                     b'<rect width="40" height="10" fill="#1f3a5f"/></svg>')
    pdf = build_profile(cli, tmp_path, edit("  product: Acme CT", f"  product: Acme CT\n  logo: brand/{name}"))
    html = pdf.with_suffix(".html").read_text(encoding="utf-8")
    media_type = "image/png" if name.endswith(".png") else "image/svg+xml"
    assert f'<img class="logo" src="data:{media_type};base64,' in html
    assert 'alt="Acme Medical Imaging logo"' in html
    with pdfplumber.open(pdf) as document:
        cover = document.pages[0]
        assert cover.images or cover.rects, "the logo is drawn on the cover"


@pytest.mark.parametrize(("logo", "says"), [
    ("missing.png", "cannot be read"),
    ("/etc/hostname", "relative to the profile's folder"),
    ("../logo.png", "relative to the profile's folder"),
    ("notes.txt", "neither a PNG nor an SVG"),
    ("huge.png", "larger than 1024 KiB"),
    ("vast.png", "is, or holds, a 20000 x 20000 pixel image; a logo may have at most 16,777,216 pixels"),
    ("entities.svg", "an SVG with a DOCTYPE that declares entities"),
    ("uses.svg", "draws more than the 10,000 SVG elements a logo may have (each <use> counting"),
    ("loop.svg", "or its <use> or marker references refer to themselves"),
    ("broken.svg", "is not a well-formed SVG file"),
])
def test_s210_logo_that_cannot_be_used(tmp_path: Path, logo: str, says: str) -> None:
    from conftest import diagnose, line_of, rules_at

    (tmp_path / "notes.txt").write_text("not an image", encoding="utf-8")
    (tmp_path / "huge.png").write_bytes(PNG_1X1 + b"\0" * (1024 * 1024))
    # A small file that decodes to 400 million pixels: the size is in the PNG's header.
    (tmp_path / "vast.png").write_bytes(PNG_1X1[:16] + (20000).to_bytes(4, "big") * 2 + PNG_1X1[24:])
    (tmp_path.parent / "logo.png").write_bytes(PNG_1X1)
    # Eight levels of ten <use>s: 2.6 kB that draw a hundred million rectangles.
    levels = ['<rect id="l0" width="1" height="1"/>'] + [
        f'<g id="l{n}">' + f'<use href="#l{n - 1}"/>' * 10 + "</g>" for n in range(1, 9)]
    (tmp_path / "uses.svg").write_text(f'<svg xmlns="http://www.w3.org/2000/svg"><defs>{"".join(levels)}</defs>'
                                       '<use href="#l8"/></svg>', encoding="utf-8")
    (tmp_path / "loop.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><g id="a"><use href="#a"/></g></svg>',
                                       encoding="utf-8")
    (tmp_path / "broken.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>', encoding="utf-8")
    (tmp_path / "entities.svg").write_text('<?xml version="1.0"?>\n<!DOCTYPE svg [ <!ENTITY a "aaaa"> ]>\n'
                                           '<svg xmlns="http://www.w3.org/2000/svg">&a;</svg>', encoding="utf-8")
    text = edit("  product: Acme CT", f"  product: Acme CT\n  logo: {logo}")
    found = diagnose(tmp_path, text)
    assert rules_at(found) == {("S210", line_of(text, "logo:"))}
    assert says in found[0].message


def test_a_long_table_repeats_its_header_and_never_splits_a_row(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    # 96 more SCP codes, each with a condition long enough that a page break inside a row would show.
    added = range(0x712, 0x772)
    extra = "".join(f'        "A{code:03X}":\n          condition: >-\n            Refusal {code} of the long table, '
                    "written out over several lines so that a row is tall enough to be cut by a page break if the "
                    "layout allowed it.\n          related_fields: [ErrorComment]\n" for code in added)
    pdf = build_profile(cli, tmp_path, edit('        "A711":\n', extra + '        "A711":\n'))
    # status_tables keeps only tables that start with the header row on their page: a page without it, or a
    # row cut in two, changes what is read back.
    scp = status_tables(pdf)[5]
    assert [row[2] for row in scp] == ["0000", "B000", "B006", "A700", "A901", "C000", "0122", "A711",
                                       *(f"A{code:03X}" for code in added)]
    for row, code in zip(scp[8:], added, strict=True):
        assert row[4] == (f"Refusal {code} of the long table, written out over several lines so that a row is "
                          "tall enough to be cut by a page break if the layout allowed it.")
    with pdfplumber.open(pdf) as document:
        assert len(document.pages) >= 8
