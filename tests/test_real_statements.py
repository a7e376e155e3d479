"""Statements as real products write them: text around a table, Error Comments, several conditions for one code,
codes that answer a template row, statuses that are not sent, and suppressed findings.

Each profile here is small and written for its test; what is printed is read back from real PDFs (pdfplumber)
and real HTML.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pdfplumber
import pytest
from conftest import ROOT, diagnose, line_of, rules_at
from test_build import pdf_text, squash, status_tables

HEAD = """\
confgen: 1
standard: "2024d"
document:
  manufacturer: Northwind Imaging Systems
  product: Northwind Archive
  product_version: "7.1"
  date: "2026-11-30"
{document}services:
  storage:
"""

# Table N.7-43's rows, each with a condition: what an SCP-only profile gives before the test's own lines.
SCP_ROWS = {
    "0000": '        "0000":\n          condition: The instance is stored.\n',
    "B000": '        "B000":\n          condition: Patient ID was coerced.\n',
    "B007": '        "B007":\n          condition: The data set has attributes of another SOP Class.\n',
    "B006": '        "B006":\n          condition: Private elements are discarded.\n',
    "A700": '        "A700":\n          condition: The disk is full.\n',
    "A901": '        "A901":\n          condition: The SOP Class UID differs from the request.\n',
    "C000": '        "C000":\n          condition: The data set cannot be parsed.\n',
}

SCU_ROWS = "".join(f'        "{code}": Logged.\n' for code in (
    "0000", "B000", "B007", "B006", "0122", "0117", "0210", "0211", "0212", "0124", "A700-A7FF", "A900-A9FF",
    "C000-CFFF")) + "        other: Treated as a failure.\n"


def scp_profile(rows: str = "", *, without: tuple[str, ...] = (), role: str = "", document: str = "") -> str:
    """An SCP-only profile: every template row (but ``without``), then ``rows``; ``role`` goes before statuses."""
    given = "".join(row for code, row in SCP_ROWS.items() if code not in without)
    return HEAD.format(document=document) + f"    scp:\n{role}      statuses:\n{given}{rows}"


def scu_profile(rows: str = "", *, role: str = "") -> str:
    return HEAD.format(document="") + f"    scu:\n{role}      statuses:\n{SCU_ROWS}{rows}"


def build(cli, folder: Path, text: str, *args: str) -> Path:  # type: ignore[no-untyped-def]
    folder.mkdir(parents=True, exist_ok=True)
    profile = folder / "device.yaml"
    profile.write_text(text, encoding="utf-8")
    run = cli("build", str(profile), "-o", str(folder / "out"), *args)
    assert run.code == 0, run.out + run.err
    return folder / "out" / "device.pdf"


def text_of(pdf: Path) -> str:
    return squash(" ".join(pdf_text(pdf)))


def scp_rows(pdf: Path) -> dict[str, list[str]]:
    return {row[2]: row for row in status_tables(pdf)[5]}


# -- 1. text around a table ------------------------------------------------------------------------------------


INTRO_AND_NOTES = """\
      intro: >-
        Status codes are returned in the C-STORE response and, for STOW-RS, in Failure Reason (0008,1197).

        A plugin may choose another status (when a & b < c).
      notes:
        - The decimal column gives the value returned in Failure Reason (0008,1197) over STOW-RS.
        - |
          Return of B000 is off by default:
          some SCUs treat it as an error.

          A second paragraph of the second note.
"""


def test_intro_and_notes_print_around_the_table_in_paragraphs(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    pdf = build(cli, tmp_path, scp_profile(role=INTRO_AND_NOTES))
    text = text_of(pdf)
    sentence = text.index("Table 7-43 lists the Status Codes that the SCP")
    intro = text.index("Status codes are returned in the C-STORE response and, for STOW-RS, in Failure Reason "
                       "(0008,1197).")
    caption = text.index("Table 7-43. Status Codes C-STORE of the Storage SOP Classes - SCP")
    assert sentence < intro < text.index("A plugin may choose another status (when a & b < c).") < caption
    first = text.index("Note 1. The decimal column gives the value returned in Failure Reason (0008,1197) over "
                       "STOW-RS.")
    second = text.index("Note 2. Return of B000 is off by default: some SCUs treat it as an error.")
    assert caption < first < second < text.index("A second paragraph of the second note.")
    html = pdf.with_suffix(".html").read_text(encoding="utf-8")
    # Paragraphs stay paragraphs; text is text, escaped.
    assert '<p class="intro">A plugin may choose another status (when a &amp; b &lt; c).</p>' in html
    assert '<p class="continued">A second paragraph of the second note.</p>' in html


def test_profile_notes_are_numbered_after_confgens_own(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    pdf = build(cli, tmp_path, scu_profile(role="      notes: [All errors are treated as permanent failures.]\n"))
    text = text_of(pdf)
    assert re.search(r"Note 1\. PS3\.2 2024d Table N\.7-42 prints 0112 .* Note 2\. PS3\.2 2024d Table N\.7-42 "
                     r"prints 0214 .* Note 3\. All errors are treated as permanent failures\.", text)


def test_a_blank_line_in_a_condition_starts_a_paragraph(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    text = scp_profile('        "A711":\n          condition: >-\n            Disk below 2 GB.\n\n'
                       "            Also logged.\n")
    pdf = build(cli, tmp_path, text)
    assert scp_rows(pdf)["A711"][4] == "Disk below 2 GB. Also logged."
    assert "<p>Disk below 2 GB.</p><p>Also logged.</p>" in pdf.with_suffix(".html").read_text(encoding="utf-8")


# -- 2. and 3. comments, and several conditions for one code ------------------------------------------------------


def test_comment_prints_after_the_condition_and_makes_error_comment_a_related_field(  # type: ignore[no-untyped-def]
        tmp_path: Path, cli) -> None:
    text = scp_profile('        "0124":\n          condition: The calling AE is not allowed to store.\n'
                       "          comment: Storage denied.\n")
    rows = scp_rows(build(cli, tmp_path, text))
    assert rows["0124"][3] == "Error Comment (0000,0902)", "named by the comment, not by related_fields"
    assert rows["0124"][4] == 'The calling AE is not allowed to store. Error Comment: "Storage denied."'


def test_several_conditions_for_one_code_print_as_one_row(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    text = scp_profile('''        "C499":
          - condition: The request body is not a DICOM stream.
            comment: Receive of a stream that is not DICOM
          - condition: The data set cannot be parsed.
            related_fields: [OffendingElement, ErrorComment]
''')
    pdf = build(cli, tmp_path, text)
    rows = status_tables(pdf)[5]
    assert [row[2] for row in rows].count("C499") == 1
    [c499] = [row for row in rows if row[2] == "C499"]
    assert c499[:2] == ["Failure", "Error: Cannot understand"]
    # The union of the fields, in order of first mention: the comment names Error Comment first.
    assert c499[3] == "Error Comment (0000,0902) Offending Element (0000,0901)"
    assert c499[4] == ('The request body is not a DICOM stream. Error Comment: "Receive of a stream that is not '
                       'DICOM" The data set cannot be parsed.')
    html = pdf.with_suffix(".html").read_text(encoding="utf-8")
    assert html.count('<div class="reason">') == 2


def test_a_list_of_one_condition_is_the_condition(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    listed = build(cli, tmp_path / "a", scp_profile('        "A711":\n          - condition: Disk full.\n'))
    single = build(cli, tmp_path / "b", scp_profile('        "A711":\n          condition: Disk full.\n'))
    assert scp_rows(listed)["A711"] == scp_rows(single)["A711"]


# -- 4. codes that answer a template row -------------------------------------------------------------------------


def test_codes_of_a_range_answer_the_template_row(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    text = scp_profile('        "A711":\n          condition: Disk full.\n'
                       '        "A712":\n          condition: Quota.\n'
                       '        "C409":\n          condition: Study Instance UID differs.\n'
                       '        "A900":\n          condition: Mismatch.\n', without=("A700", "C000", "A901"))
    assert diagnose(tmp_path, text) == []
    rows = scp_rows(build(cli, tmp_path, text))
    assert list(rows) == ["0000", "B000", "B007", "B006", "A711", "A712", "A900", "C409"]
    assert rows["A711"][:2] == ["Refused", "Refused: Out of Resources"]
    assert rows["C409"][:2] == ["Failure", "Error: Cannot understand"]


def test_a_row_answered_and_given_prints_its_own_code_too(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    rows = scp_rows(build(cli, tmp_path, scp_profile('        "A711":\n          condition: Quota.\n')))
    assert [code for code in rows if code.startswith("A7")] == ["A700", "A711"]


def test_a_code_of_another_range_does_not_answer_a_row(tmp_path: Path) -> None:
    text = scp_profile('        "A901":\n          condition: x\n', without=("A700", "A901"))
    text += '        "B001":\n          further_meaning: Vendor warning\n          condition: y\n'
    found = diagnose(tmp_path, text)
    assert [f.rule for f in found if f.severity == "error"] == ["D308"]
    assert '"Refused: Out of Resources" (A700)' in next(f.message for f in found if f.rule == "D308")


# -- 5. statuses that are not sent -------------------------------------------------------------------------------


def test_unsent_statuses_are_one_sentence_under_the_table(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    text = scp_profile('        "B007":\n          sent: false\n        "A901":\n          sent: false\n',
                       without=("B007", "A901"))
    pdf = build(cli, tmp_path, text)
    assert "B007" not in scp_rows(pdf)
    assert "A901" not in scp_rows(pdf)
    assert ("The application does not send these statuses of the template: B007 (Data Set does not match SOP "
            "Class), A901 (Error: Data Set does not match SOP Class).") in text_of(pdf)
    assert "does not send this status" not in text_of(pdf)


def test_unsent_statuses_as_rows_on_request(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    text = scp_profile('        "B007":\n          sent: false\n', without=("B007",),
                       document="  unsent_statuses: rows\n")
    pdf = build(cli, tmp_path, text)
    assert scp_rows(pdf)["B007"][3:] == ["N/A", "The application does not send this status."]
    assert "does not send these statuses" not in text_of(pdf)


def test_no_sentence_when_every_status_is_sent(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    assert "does not send" not in text_of(build(cli, tmp_path, scp_profile()))


# -- 6. suppressions ---------------------------------------------------------------------------------------------

SENDS_0110 = '        "0110":  # confgen: ignore[D305]\n          condition: The disk failed.\n'


def test_ignore_comment_suppresses_the_warning_on_its_line(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    profile = tmp_path / "p.yaml"
    profile.write_text(scp_profile(SENDS_0110), encoding="utf-8")
    run = cli("validate", "--strict", str(profile))
    assert (run.code, run.out) == (0, "")
    assert run.err == "1 profile checked: 0 errors, 0 warnings, 1 suppressed\n"
    run = cli("validate", "--format", "json", str(profile))
    [found] = json.loads(run.out)
    assert (found["rule"], found["line"], found["suppressed"]) == ("D305", line_of(profile.read_text(), '"0110"'),
                                                                  True)
    assert cli("validate", "--format", "github", str(profile)).out == ""
    # And the statement is built, strict or not, with the row.
    rows = scp_rows(build(cli, tmp_path, scp_profile(SENDS_0110), "--strict"))
    assert rows["0110"][:2] == ["Failure", "Processing failure"], "PS3.7 Annex C's meaning of 0110"


def test_without_the_comment_the_warning_counts(tmp_path: Path) -> None:
    text = scp_profile(SENDS_0110.replace("  # confgen: ignore[D305]", ""))
    assert rules_at(diagnose(tmp_path, text)) == {("D305", line_of(text, '"0110"'))}


def test_s208_suppressed_on_the_key_line_of_a_multi_line_text(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    rows = '''        "A770":
          condition: >-  # confgen: ignore[S208]
            Patient differs from the stored instance
            in attribute {Keyword <Tag>}.
        "A771":
          condition:   # confgen: ignore[S208] plain text over two lines
            Rejected as Instance[uid={SOPInstanceUID}]
            with <Reason>.
          comment: "Rejected <Reason>"  # confgen: ignore[S208]
'''
    assert diagnose(tmp_path, scp_profile(rows)) == []
    pdf = build(cli, tmp_path, scp_profile(rows), "--strict")
    assert scp_rows(pdf)["A770"][4] == "Patient differs from the stored instance in attribute {Keyword <Tag>}."
    assert scp_rows(pdf)["A771"][4].replace(" ", "") == \
        'RejectedasInstance[uid={SOPInstanceUID}]with<Reason>.ErrorComment:"Rejected<Reason>"'
    # Without the comments, each is S208 at the key's line.
    bare = re.sub(r"  # confgen: ignore\[S208\].*", "", rows)
    text = scp_profile(bare)
    a771 = line_of(text, '"A771"')
    assert rules_at(diagnose(tmp_path, text)) == {("S208", line_of(text, "condition: >-")), ("S208", a771 + 1),
                                                   ("S208", line_of(text, "comment:"))}


def test_stale_ignore_is_a_warning_and_the_statement_is_still_built(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    text = scp_profile('        "A711":  # confgen: ignore[D305, D312]\n          condition: Disk full.\n')
    found = diagnose(tmp_path, text)
    line = line_of(text, '"A711"')
    assert [(f.rule, f.line, f.severity) for f in found] == [("S213", line, "warning"), ("S213", line, "warning")]
    assert "ignore[D305] suppresses nothing" in found[0].message
    pdf = build(cli, tmp_path, text)
    assert "A711" in scp_rows(pdf)
    profile = tmp_path / "device.yaml"
    assert cli("validate", "--strict", str(profile)).code == 1, "a stale ignore fails --strict"


def test_an_ignore_of_an_error_rule_is_refused_and_nothing_is_built(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    text = scp_profile('        "A711":  # confgen: ignore[D310]\n          condition: x\n')
    found = diagnose(tmp_path, text)
    assert rules_at(found) == {("S212", line_of(text, '"A711"'))}
    assert "D310 is an error and cannot be suppressed" in found[0].message
    profile = tmp_path / "device.yaml"
    profile.write_text(text, encoding="utf-8")
    run = cli("build", str(profile), "-o", str(tmp_path / "out"))
    assert run.code == 1
    assert not (tmp_path / "out" / "device.pdf").exists()


def test_an_ignore_cannot_silence_an_error_it_sits_beside(tmp_path: Path) -> None:
    text = scp_profile('        "0112":  # confgen: ignore[D310,D305]\n          condition: x\n')
    found = rules_at(diagnose(tmp_path, text))
    assert ("S212", line_of(text, '"0112"')) in found
    assert ("D305", line_of(text, '"0112"')) not in found, "the warning it names is still suppressed"


@pytest.mark.parametrize(("comment", "rule", "says"), [
    ("# confgen: ignore[X123]", "S211", "X123 is not a rule of confgen"),
    ("# confgen: ignore[]", "S211", "names no rule"),
    ("# confgen: ignore D305", "S211", "names no rule in brackets"),
    ("# confgen: ignore[F101]", "S212", "F101 is an error and cannot be suppressed"),
    ("# confgen: ignore[S213]", "S212", "S213 is a warning about ignore comments and cannot be suppressed"),
])
def test_malformed_ignore_comments(tmp_path: Path, comment: str, rule: str, says: str) -> None:
    text = scp_profile(f'        "A711":  {comment}\n          condition: x\n')
    found = diagnose(tmp_path, text)
    assert rules_at(found) == {(rule, line_of(text, '"A711"'))}
    assert says in found[0].message


def test_ignore_ids_are_pointed_at(tmp_path: Path) -> None:
    text = scp_profile('        "A711":  # confgen: ignore[D305, Q999]\n          condition: x\n')
    [stale, unknown] = diagnose(tmp_path, text)
    line = text.splitlines()[unknown.line - 1]  # type: ignore[operator]
    assert (unknown.rule, stale.rule) == ("S211", "S213")
    path = tmp_path / "profile.yaml"
    from confgen.build import check

    columns = {d.rule.id: d.column for d in check(path).report.diagnostics}
    assert line[columns["S211"] - 1:].startswith("Q999")
    assert line[columns["S213"] - 1:].startswith("D305")


@pytest.mark.parametrize("where", ["quoted", "block"])
def test_ignore_text_inside_a_text_is_text_and_said_to_be(tmp_path: Path, where: str) -> None:
    # YAML reads it as part of the text, which would print it: it suppresses nothing, and it is an error.
    value = '"Says # confgen: ignore[D305] inside"' if where == "quoted" else \
        ">-\n            Says\n            # confgen: ignore[D305]\n            inside"
    text = scp_profile(f'        "0110":\n          condition: {value}\n')
    found = diagnose(tmp_path, text)
    assert rules_at(found) == {("D305", line_of(text, '"0110"')), ("S211", line_of(text, '"0110"') + 1)}
    assert "put it on the key's line" in next(f.message for f in found if f.rule == "S211")


def test_suppressed_findings_are_not_counted_by_strict_in_a_build(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    profile = tmp_path / "device.yaml"
    profile.write_text(scp_profile(SENDS_0110), encoding="utf-8")
    run = cli("build", "--strict", str(profile), "-o", str(tmp_path / "out"), "--to", "html")
    assert run.code == 0
    assert "1 suppressed" in run.err


# -- 7. rules that misjudged real statements -----------------------------------------------------------------------


def test_d305_not_on_scu_rows_and_d306_takes_the_general_meaning(tmp_path: Path) -> None:
    text = scu_profile('        "0110": Retried once.\n        "0111": Logged as a duplicate.\n'
                       '        "A800":\n          behavior: Logged.\n          further_meaning: Vendor refusal\n')
    assert diagnose(tmp_path, text) == []


def test_d306_for_a_code_without_any_meaning(tmp_path: Path) -> None:
    text = scu_profile('        "A800": Logged.\n')
    assert rules_at(diagnose(tmp_path, text)) == {("D306", line_of(text, '"A800"'))}


def test_d315_further_meaning_against_the_standards_meaning_of_that_code(tmp_path: Path) -> None:
    text = scp_profile('        "0110":  # confgen: ignore[D305]\n          condition: x\n          further_meaning: '
                       'Disk full\n        "A770":\n          condition: y\n          further_meaning: Study rejected\n'
                       '        "C409":\n          condition: z\n          further_meaning: Study UID differs\n'
                       '        "0111":  # confgen: ignore[D305]\n          condition: w\n'
                       '          further_meaning: Duplicate SOP Instance\n')
    found = diagnose(tmp_path, text)
    assert rules_at(found) == {("D315", line_of(text, "Disk full"))}
    assert 'PS3.7 2026c C.5.21 gives the meaning "Processing failure" for 0110' in found[0].message


def test_d315_does_not_mind_case_or_the_class_prefix(tmp_path: Path) -> None:
    text = scp_profile('        "A700":\n          condition: x\n          further_meaning: out of resources\n',
                       without=("A700",))
    assert diagnose(tmp_path, text) == []


@pytest.mark.parametrize(("key", "says", "meant"), [
    ('"A900 - A9FF"', 'write the range as "A900-A9FF"', "A900-A9FF"),
    ('"A9xx"', 'write the range as "A900-A9FF"', "A900-A9FF"),
    ('"C000 \u2013 CFFF"', 'write the range as "C000-CFFF"', "C000-CFFF"),
])
def test_scu_range_spellings_get_one_diagnostic(tmp_path: Path, key: str, says: str, meant: str) -> None:
    text = scu_profile().replace(f'        "{meant}": Logged.\n', f"        {key}: Logged.\n")
    found = diagnose(tmp_path, text)
    assert rules_at(found) == {("D301", line_of(text, key))}
    assert says in found[0].message


@pytest.mark.parametrize(("key", "rule"), [('"A900 - A9FF"', "D301"), ('"A9xx"', "D301"), ('"a900-a9ff"', "D303")])
def test_scp_range_spellings_get_one_diagnostic_naming_the_row(tmp_path: Path, key: str, rule: str) -> None:
    text = scp_profile(f"        {key}:\n          condition: x\n", without=("A901",))
    found = diagnose(tmp_path, text)
    assert rules_at(found) == {(rule, line_of(text, key))}
    assert '"A901" (the template\'s row)' in found[0].message


def test_template_rows_are_the_templates_text() -> None:
    # PS3.2 2024d N.7.3.2.5 as the template prints it (the first source for these tables): every row's class,
    # Further Meaning and code, and every column, are in the standard's data in the template's order.
    from confgen.standard import load_standard

    printed = (ROOT.parent / "shared" / "reference" / "ps3.2-2024d-N.7.3.2.5.txt")
    storage = load_standard("2024d").services["storage"]
    scp = storage.tables_of("scp")[0]
    assert scp.columns[-1] == "Condition (and Comments on Related fields)"
    assert [(row.status, row.meaning, str(row.codes)) for row in scp.rows] == [
        ("Success", "Success", "0000"), ("Warning", "Coercion of Data Elements", "B000"),
        ("Warning", "Data Set does not match SOP Class", "B007"), ("Warning", "Elements Discarded", "B006"),
        ("Refused", "Refused: Out of Resources", "A700"), ("Failure", "Error: Data Set does not match SOP Class",
                                                          "A901"), ("Failure", "Error: Cannot understand", "C000")]
    if printed.exists():  # beside the repository on the project's machines; the data above is what it says
        template = printed.read_text(encoding="utf-8")
        for table in storage.tables:
            for cell in (*table.columns, *(row.meaning for row in table.rows),
                         *(row.printed or str(row.codes) for row in table.rows)):
                assert f"\n{cell}\n" in template, cell


# -- 8. layout ---------------------------------------------------------------------------------------------------


def test_the_condition_column_has_at_least_40_percent(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    pdf = build(cli, tmp_path, scp_profile(document="  decimal_codes: true\n"))
    with pdfplumber.open(pdf) as document:
        for page in document.pages:
            for table in page.find_tables():
                header = table.rows[0].cells
                width = table.bbox[2] - table.bbox[0]
                last = header[-1]
                assert last is not None
                assert (last[2] - last[0]) / width >= 0.40


def test_long_tokens_break_after_punctuation(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    token = "https://archive.example.com/dicom-web/studies/1.2.840.113619.2.55.3.604688119.969.1268071029.320"
    pdf = build(cli, tmp_path, scp_profile(f'        "A711":\n          condition: "See {token}"\n'))
    # The cell's lines, as read back: "See", then the token in pieces, each ending where the line broke.
    cell = scp_rows(pdf)["A711"][4]
    assert cell.replace(" ", "") == f"See{token}"
    pieces = cell.split()[1:-1]
    assert pieces, "the token is longer than the column: it must wrap"
    assert all(piece[-1] in "/.-:" for piece in pieces), pieces


def test_decimal_code_reads_with_a_space_in_the_html(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    pdf = build(cli, tmp_path, scp_profile(SENDS_0110, document="  decimal_codes: true\n"), "--to", "html")

    class Cells(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.depth = 0
            self.cells: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "th" and ("class", "code") in attrs:
                self.depth = 1
                self.cells.append("")

        def handle_endtag(self, tag: str) -> None:
            if tag == "th":
                self.depth = 0

        def handle_data(self, data: str) -> None:
            if self.depth:
                self.cells[-1] += data

    cells = Cells()
    cells.feed(pdf.with_suffix(".html").read_text(encoding="utf-8"))
    assert "0110 (272)" in cells.cells
    assert "0000 (0)" in cells.cells


def test_a_caption_never_ends_a_page_without_its_table(tmp_path: Path) -> None:
    # The intro is made longer a paragraph at a time, so that the caption comes to the foot of a page in some of the
    # builds. Each is also laid out without the rules that keep a caption with its table: where the caption is then
    # left at a page's foot, the real layout must keep it with the table.
    from confgen.build import check
    from confgen.pdf import html_to_pdf
    from confgen.render import render
    from confgen.resources import templates_dir
    from confgen.statement import build_statement

    def caption_at_foot(pdf: Path) -> bool:
        for page in pdf_text(pdf):
            lines = page.splitlines()
            captions = [n for n, line in enumerate(lines) if line.startswith("Table 7-43. Status Codes")]
            if captions:
                # The caption's second line, then the table's header, or the page's foot.
                return not lines[captions[0] + 2].startswith("Service Further")
        raise AssertionError("no caption")

    tested = 0
    for count in range(10, 22):
        intro = "".join(f"        Paragraph {n} of an introduction long enough to take one line of the page.\n\n"
                        for n in range(count))
        path = tmp_path / f"p{count}.yaml"
        path.write_text(scp_profile(role=f"      intro: >-\n{intro}"), encoding="utf-8")
        profile = check(path).profile
        assert profile is not None
        rendered = render(build_statement(profile))
        loose = rendered.print_css + "caption, p.lead, p.intro, h5 { break-after: auto !important; }"
        for css, name in ((rendered.print_css, "kept"), (loose, "loose")):
            pdf = tmp_path / f"p{count}-{name}.pdf"
            pdf.write_bytes(html_to_pdf(rendered.html, css, date="2026-11-30", variant=None, base=templates_dir(),
                                        roots=[templates_dir()]).data)
        if caption_at_foot(tmp_path / f"p{count}-loose.pdf"):
            tested += 1
            assert not caption_at_foot(tmp_path / f"p{count}-kept.pdf"), f"{count} paragraphs"
    assert tested, "no build put the caption at a page's foot: the test no longer tests what it says"


# -- 9. the example ----------------------------------------------------------------------------------------------


def test_archive_example_validates_strict_and_builds_everything_it_says(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    example = ROOT / "profiles" / "archive.yaml"
    run = cli("validate", "--strict", str(example))
    assert (run.code, run.out) == (0, "")
    assert "1 suppressed" in run.err
    run = cli("build", "--strict", str(example), "-o", str(tmp_path))
    assert run.code == 0, run.out
    pdf = tmp_path / "archive.pdf"
    text = text_of(pdf)
    rows = scp_rows(pdf)
    assert "B007" not in rows
    assert not [code for code in rows if code.startswith(("A700", "C000"))], "answered by A711 and C401"
    assert "The application does not send these statuses of the template: B007" in text
    assert "Note 1. The decimal value beside each code" in text
    assert "Note 2. Returning B000 is off by default" in text
    assert "Every status other than Success is written to the archive's audit log" in text
    c401 = rows["C401 (50177)"]
    assert 'Error Comment: "Data set cannot be parsed"' in c401[4]
    assert 'Error Comment: "SOP Instance UID missing"' in c401[4]
    assert rows["0110 (272)"][1] == "Processing failure"


# -- bad input ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("rows", "role", "expected"), [
    ("", "      intro: [a, b]\n", ("S203", "intro:")),
    ("", "      intro: 42\n", ("S203", "intro:")),
    ("", '      intro: ""\n', ("S207", "intro:")),
    ("", "      intro: TODO\n", ("S208", "intro:")),
    ("", "      notes: []\n", ("S207", "notes:")),
    ("", "      notes: A note.\n", ("S203", "notes:")),
    ("", "      notes:\n        - \n", ("S207", "        - ")),
    ("", "      notes:\n        - [x]\n", ("S203", "        - [x]")),
    ("", '      notes:\n        - "a\\u0007b"\n', ("S203", "        - ")),
    ('        "C499": []\n', "", ("D308", "statuses:")),
    ('        "C499":\n          - sent: false\n', "", ("D317", "- sent: false")),
    ('        "C499":\n          - condition: x\n          - condition: y\n            sent: false\n', "",
     ("D317", "sent: false")),
    ('        "C499":\n          - comment: only a comment\n', "", ("S202", "- comment")),
    ('        "C499":\n          - just text\n', "", ("S203", "- just text")),
    ('        "C499":\n          condition: x\n          comment: 499\n', "", ("S203", "comment: 499")),
    ('        "C499":\n          condition: x\n          comment: ""\n', "", ("S207", "comment:")),
    ('        "C499":\n          - condition: x\n            further_meaning: A\n          - condition: y\n'
     "            further_meaning: B\n", "", ("D318", "further_meaning: B")),
])
def test_bad_new_keys_are_one_diagnostic_on_their_line(tmp_path: Path, rows: str, role: str,
                                                        expected: tuple[str, str]) -> None:
    text = scp_profile(rows, role=role)
    found = diagnose(tmp_path, text)
    rule, needle = expected
    if rows.startswith('        "C499": []'):
        # An empty list of conditions is S207 at the code; nothing else addresses C000.
        assert rules_at(found) == {("S207", line_of(text, '"C499"'))}
        return
    assert rules_at(found) == {(rule, line_of(text, needle))}, found


def test_comment_on_an_scu_row_is_refused_with_a_hint(tmp_path: Path) -> None:
    text = scu_profile('        "A7A0":\n          behavior: Retried.\n          comment: Disk full\n')
    found = diagnose(tmp_path, text)
    assert rules_at(found) == {("S201", line_of(text, "comment: Disk full"))}
    assert "an SCU row gives its behavior" in found[0].message


def test_comment_with_sent_false_is_d313(tmp_path: Path) -> None:
    text = scp_profile('        "B007":\n          sent: false\n          comment: never\n', without=("B007",))
    assert rules_at(diagnose(tmp_path, text)) == {("D313", line_of(text, "comment: never"))}


def test_unsent_statuses_must_be_a_known_choice(tmp_path: Path) -> None:
    text = scp_profile(document="  unsent_statuses: hidden\n")
    found = diagnose(tmp_path, text)
    assert rules_at(found) == {("S203", line_of(text, "unsent_statuses"))}
    assert "must be one of sentence, rows" in found[0].message
