"""One test per validation rule: the rule fires, at the line of the offending key or value."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EXAMPLE_TEXT, diagnose, edit, line_of, rules_at

from confgen import rules


def test_example_profile_is_clean(tmp_path: Path) -> None:
    assert diagnose(tmp_path, EXAMPLE_TEXT) == []


# -- files and YAML ---------------------------------------------------------------------------------------------


def test_f101_missing_file_and_directory(tmp_path: Path) -> None:
    from confgen.build import check

    for path in (tmp_path / "absent.yaml", tmp_path):
        report = check(path).report
        assert [(d.rule.id, d.line) for d in report.diagnostics] == [("F101", None)]
        assert report.exit_code() == 2


def test_y101_not_utf8_points_at_the_byte(tmp_path: Path) -> None:
    data = edit("product: Acme CT", "product: Acme CT \xe9").encode("utf-8").replace(b"\xc3\xa9", b"\xe9")
    found = diagnose(tmp_path, data)
    assert rules_at(found) == {("Y101", line_of(EXAMPLE_TEXT, "product: Acme CT"))}
    assert "0xE9" in found[0].message


def test_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    assert diagnose(tmp_path, b"\xef\xbb\xbf" + EXAMPLE_TEXT.encode("utf-8")) == []


def test_y102_syntax_error_has_the_parsers_line(tmp_path: Path) -> None:
    text = edit('  product_version: "4.2.0"', '  product_version: "4.2.0')
    found = diagnose(tmp_path, text)
    assert [f.rule for f in found] == ["Y102"]
    assert found[0].line is not None
    assert found[0].line > line_of(text, "product_version")


def test_y102_tab_indentation(tmp_path: Path) -> None:
    text = edit("  product: Acme CT", "\tproduct: Acme CT")
    found = diagnose(tmp_path, text)
    assert rules_at(found) == {("Y102", line_of(text, "\tproduct"))}


def test_y103_second_document(tmp_path: Path) -> None:
    text = EXAMPLE_TEXT + "---\nconfgen: 1\n"
    assert rules_at(diagnose(tmp_path, text)) == {("Y103", line_of(text, "---"))}


def test_y104_duplicate_key(tmp_path: Path) -> None:
    text = edit("  product: Acme CT\n", "  product: Acme CT\n  product: Acme MR\n")
    found = diagnose(tmp_path, text)
    assert rules_at(found) == {("Y104", line_of(text, "Acme MR"))}
    assert f"first at line {line_of(text, 'Acme CT')}" in found[0].message


def test_y104_duplicate_status_code(tmp_path: Path) -> None:
    text = edit('        "0211": Permanent', '        "0117": twice\n        "0211": Permanent')
    assert rules_at(diagnose(tmp_path, text)) == {("Y104", line_of(text, '"0117": twice'))}


def test_y105_python_tag_is_refused(tmp_path: Path) -> None:
    text = edit("  product: Acme CT", '  product: !!python/object/apply:os.system ["echo pwned"]')
    found = diagnose(tmp_path, text)
    assert rules_at(found) == {("Y105", line_of(text, "python/object"))}


def test_y105_merge_key_is_refused(tmp_path: Path) -> None:
    text = edit("  product: Acme CT\n", "  product: Acme CT\n  <<: {a: b}\n")
    assert rules_at(diagnose(tmp_path, text)) == {("Y105", line_of(text, "<<"))}


def test_y106_empty_file(tmp_path: Path) -> None:
    assert rules_at(diagnose(tmp_path, "")) == {("Y106", 1)}
    assert rules_at(diagnose(tmp_path, "# only a comment\n")) == {("Y106", 1)}


# -- profile structure ---------------------------------------------------------------------------------------------


def test_s201_unknown_key_with_suggestion(tmp_path: Path) -> None:
    text = edit("  document_number: ACME-DCS-0042", "  documnet_number: ACME-DCS-0042")
    found = diagnose(tmp_path, text)
    assert rules_at(found) == {("S201", line_of(text, "documnet_number"))}
    assert "did you mean 'document_number'?" in found[0].message


def test_s201_unknown_service(tmp_path: Path) -> None:
    text = edit("services:\n", "services:\n  print_management: {}\n")
    assert rules_at(diagnose(tmp_path, text)) == {("S201", line_of(text, "print_management"))}


def test_s209_a_known_service_that_declares_no_role(tmp_path: Path) -> None:
    text = edit("services:\n", "services:\n  worklist: {}\n")
    assert rules_at(diagnose(tmp_path, text)) == {("S209", line_of(text, "worklist"))}


def test_s202_missing_key_is_reported_at_its_mapping(tmp_path: Path) -> None:
    text = edit("  manufacturer: Acme Medical Imaging\n", "")
    found = diagnose(tmp_path, text)
    assert rules_at(found) == {("S202", line_of(text, "document:"))}
    assert "manufacturer" in found[0].message


def test_s202_scp_entry_without_condition(tmp_path: Path) -> None:
    text = edit('          condition: The data set cannot be parsed (truncated or malformed encoding).\n', "")
    assert rules_at(diagnose(tmp_path, text)) == {("S202", line_of(text, '"C000":'))}


def test_s203_number_where_text_is_expected(tmp_path: Path) -> None:
    text = edit('product_version: "4.2.0"', "product_version: 4.10")
    found = diagnose(tmp_path, text)
    assert rules_at(found) == {("S203", line_of(text, "product_version"))}
    assert "the number 4.1" in found[0].message
    assert 'write it in quotes: "4.10"' in found[0].message


def test_s203_scp_entry_must_be_a_mapping(tmp_path: Path) -> None:
    text = edit('        "B007":\n          sent: false', '        "B007": never sent')
    assert rules_at(diagnose(tmp_path, text)) == {("S203", line_of(text, "never sent"))}


def test_s204_unknown_format_version(tmp_path: Path) -> None:
    text = edit("confgen: 1", "confgen: 2")
    assert rules_at(diagnose(tmp_path, text)) == {("S204", line_of(text, "confgen: 2"))}


def test_s205_unknown_edition(tmp_path: Path) -> None:
    text = edit('standard: "2024d"', 'standard: "2019a"')
    found = diagnose(tmp_path, text)
    assert rules_at(found) == {("S205", line_of(text, "2019a"))}
    assert "2024d" in found[0].message


@pytest.mark.parametrize("date", ['"2026-02-30"', '"20261120"', '"2026-11-20T10:00:00"', "2026-13-01"])
def test_s206_not_a_real_date(tmp_path: Path, date: str) -> None:
    text = edit('  date: "2026-11-20"\n  document', f"  date: {date}\n  document")
    assert rules_at(diagnose(tmp_path, text)) == {("S206", line_of(text, f"date: {date}"))}


def test_unquoted_date_is_the_date_typed(tmp_path: Path) -> None:
    assert diagnose(tmp_path, edit('  date: "2026-11-20"\n  document', "  date: 2026-11-20\n  document")) == []


def test_s207_empty_text(tmp_path: Path) -> None:
    text = edit('        "0117": Permanent failure. The send job is marked failed, the user is alerted and the status '
                "is logged.", '        "0117": ""')
    assert rules_at(diagnose(tmp_path, text)) == {("S207", line_of(text, '"0117"'))}


@pytest.mark.parametrize("leftover", ["TODO", "tbd, ask the PACS team", "FIXME later",
                                      "[Describe the behavior of the application]", "<behavior on Success>"])
def test_s208_template_leftovers(tmp_path: Path, leftover: str) -> None:
    text = edit("The instance was written to the image store", f"The instance was written to the image store "
                                                                f"{leftover}")
    assert rules_at(diagnose(tmp_path, text)) == {("S208", line_of(text, leftover))}


def test_s208_leftover_in_further_meaning(tmp_path: Path) -> None:
    text = edit('        "A711":\n', '        "A711":\n          further_meaning: TBD\n')
    assert rules_at(diagnose(tmp_path, text)) == {("S208", line_of(text, "TBD"))}


def test_s209_service_declares_no_role(tmp_path: Path) -> None:
    head = EXAMPLE_TEXT.split("services:")[0]
    text = head + "services:\n  storage: {}\n"
    assert rules_at(diagnose(tmp_path, text)) == {("S209", line_of(text, "storage:"))}


# -- DICOM ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ['"12345"', '"G000"', '"0x0122"', '"A7xx"', '"A7\ufb00"'])
def test_d301_not_a_status_code(tmp_path: Path, key: str) -> None:
    text = edit('        "A711":', f"        {key}:")
    found = diagnose(tmp_path, text)
    assert rules_at(found) == {("D301", line_of(text, key))}


def test_d301_hints(tmp_path: Path) -> None:
    text = edit('        "A900-A9FF": >-', '        "A9xx": >-')
    found = diagnose(tmp_path, text)
    d301 = [f for f in found if f.rule == "D301"]
    assert 'write the range as "A900-A9FF"' in d301[0].message


def test_d302_range_not_in_the_template(tmp_path: Path) -> None:
    text = edit("        other: >-", '        "A000-AFFF": x\n        other: >-')
    assert rules_at(diagnose(tmp_path, text)) == {("D302", line_of(text, "A000-AFFF"))}


def test_d303_scp_range(tmp_path: Path) -> None:
    text = edit('        "A711":', '        "A710-A71F":')
    assert rules_at(diagnose(tmp_path, text)) == {("D303", line_of(text, "A710-A71F"))}


@pytest.mark.parametrize("code", ["D000", "0300", "FF02"])
def test_d304_code_in_no_status_class(tmp_path: Path, code: str) -> None:
    text = edit("        other: >-", f'        "{code}": x\n        other: >-')
    assert rules_at(diagnose(tmp_path, text)) == {("D304", line_of(text, code))}


def test_d305_d306_code_not_defined_for_c_store(tmp_path: Path) -> None:
    text = edit('        "A711":', '        "A800":\n          condition: x\n        "A711":')
    found = diagnose(tmp_path, text)
    line = line_of(text, "A800")
    assert rules_at(found) == {("D305", line), ("D306", line)}
    assert next(f for f in found if f.rule == "D305").severity == "warning"


def test_d305_alone_is_a_warning_once_further_meaning_is_given(tmp_path: Path) -> None:
    text = edit('        "A711":', '        "B00E":\n          condition: Coerced.\n'
                                  '          further_meaning: Vendor warning\n        "A711":')
    found = diagnose(tmp_path, text)
    assert rules_at(found) == {("D305", line_of(text, "B00E"))}
    assert found[0].severity == "warning"


def test_d305_is_for_scp_rows_only(tmp_path: Path) -> None:
    # The SCU template asks for a row for every code the application handles: documenting a code real peers send
    # is no fault of the SCU.
    text = edit("        other: >-", '        "B00E":\n          behavior: Treated as success.\n'
                                    "          further_meaning: Vendor warning\n        other: >-")
    assert diagnose(tmp_path, text) == []


def test_d305_for_a_general_code_outside_c_store(tmp_path: Path) -> None:
    # 0110 Processing failure is a PS3.7 code, but not one a C-STORE response carries (PS3.7 9.1.1.1.9); PS3.7
    # Annex C gives it its meaning, so no further_meaning is needed.
    text = edit('        "A711":', '        "0110":\n          condition: Written to a failed disk.\n        "A711":')
    assert rules_at(diagnose(tmp_path, text)) == {("D305", line_of(text, "0110"))}


def test_d307_same_code_spelt_differently(tmp_path: Path) -> None:
    text = edit("        other: >-", '        "A7A0": x\n        "a7a0": y\n        other: >-')
    found = diagnose(tmp_path, text)
    assert rules_at(found) == {("D307", line_of(text, "a7a0"))}
    assert f"line {line_of(text, 'A7A0')}" in found[0].message


def test_d308_missing_template_row(tmp_path: Path) -> None:
    text = edit('        "0212": Permanent failure. The send job is marked failed, the user is alerted and the status '
                "is logged.\n", "")
    found = diagnose(tmp_path, text)
    assert rules_at(found) == {("D308", line_of(text, "      statuses:"))}
    assert '"Mistyped argument" (0212)' in found[0].message


def test_d308_missing_other_row(tmp_path: Path) -> None:
    text = edit("        other: >-\n          Treated as a permanent failure: the send job is marked failed, the user "
                "is alerted and the status code\n          is logged.\n", "")
    found = diagnose(tmp_path, text)
    assert rules_at(found) == {("D308", line_of(text, "      statuses:"))}
    assert "Other Status Codes" in found[0].message


def test_d308_missing_scp_rows(tmp_path: Path) -> None:
    text = edit('        "B007":\n          sent: false\n', "")
    scp_statuses = text.splitlines().index("    scp:") + 2
    assert rules_at(diagnose(tmp_path, text)) == {("D308", scp_statuses)}


def test_d309_other_in_an_scp_table(tmp_path: Path) -> None:
    text = edit('        "A711":', "        other:\n          condition: x\n        \"A711\":")
    assert rules_at(diagnose(tmp_path, text)) == {("D309", text.splitlines().index("        other:") + 1)}


@pytest.mark.parametrize(("printed", "assigned"), [("0112", "0122"), ("0214", "0124")])
def test_d310_template_misprint(tmp_path: Path, printed: str, assigned: str) -> None:
    text = edit(f'        "{assigned}": ', f'        "{printed}": ')
    found = diagnose(tmp_path, text)
    assert rules_at(found) == {("D310", line_of(text, f'"{printed}"'))}, "and no D308 for the row it misnames"
    assert f'the row is keyed "{assigned}"' in found[0].message
    assert "PS3.7 assigns" in found[0].message


def test_d311_data_element_is_not_a_related_field(tmp_path: Path) -> None:
    text = edit("          related_fields: [ErrorComment]\n        \"A711\"",
                "          related_fields: [PatientName]\n        \"A711\"")
    found = diagnose(tmp_path, text)
    assert rules_at(found) == {("D311", line_of(text, "PatientName"))}
    assert "(0010,0010)" in found[0].message


def test_d311_misspelt_keyword_with_suggestion(tmp_path: Path) -> None:
    text = edit('related_fields: ["(0000,0902)"]', "related_fields: [ErrorComent, \"(0000,0999)\"]")
    found = diagnose(tmp_path, text)
    line = line_of(text, "ErrorComent")
    assert rules_at(found) == {("D311", line)}
    assert len(found) == 2, "every bad field is reported, not only the first"
    assert "did you mean ErrorComment?" in found[0].message


def test_d312_field_the_standard_does_not_list(tmp_path: Path) -> None:
    text = edit('related_fields: ["(0000,0902)"]', "related_fields: [ErrorComment, ErrorID]")
    found = diagnose(tmp_path, text)
    assert rules_at(found) == {("D312", line_of(text, "ErrorID"))}
    assert found[0].severity == "warning"
    assert "Error ID (0000,0903)" in found[0].message


def test_d313_not_sent_with_a_condition(tmp_path: Path) -> None:
    text = edit("          sent: false\n", "          sent: false\n          condition: x\n")
    assert rules_at(diagnose(tmp_path, text)) == {("D313", line_of(text, "condition: x"))}


def test_d314_not_sent_on_an_additional_code(tmp_path: Path) -> None:
    text = edit('        "A711":', '        "A712":\n          sent: false\n        "A711":')
    assert rules_at(diagnose(tmp_path, text)) == {("D314", line_of(text, "A712") + 1)}


def test_d315_further_meaning_changes_a_template_row(tmp_path: Path) -> None:
    text = edit('        "A901":\n', '        "A901":\n          further_meaning: Missing UIDs\n')
    found = diagnose(tmp_path, text)
    assert rules_at(found) == {("D315", line_of(text, "Missing UIDs"))}
    assert found[0].severity == "warning"


def test_all_problems_are_gathered(tmp_path: Path) -> None:
    text = edit("confgen: 1\n", "confgen: 1\nextra: 1\n")
    text = edit("  product: Acme CT", "  product: TODO", text)
    text = edit('"C000-CFFF"', '"D000-DFFF"', text)
    assert {f.rule for f in diagnose(tmp_path, text)} >= {"S201", "S208", "D302", "D308"}


def test_every_rule_has_a_test() -> None:
    # A rule is tested where a test expects its ID ("D301", line), where a case of the corpus expects it (D301@12),
    # and by its own examples (tests/test_rule_units.py).
    here = Path(__file__).parent
    source = "".join(path.read_text(encoding="utf-8") for path in here.glob("test_*.py"))
    corpus = "".join(path.read_text(encoding="utf-8") for path in (here / "cases").rglob("*.yaml"))
    untested = [rule.id for rule in rules.ALL_RULES if f'"{rule.id}"' not in source and f"{rule.id}@" not in corpus]
    assert untested == []


def test_y102_at_the_end_of_the_file_points_at_its_last_line(tmp_path: Path) -> None:
    # libyaml reports an unfinished document on the line after the last one; the diagnostic stays in the file.
    for text in ("confgen: 1\nstandard", "confgen: 1\nstandard\n", "document: [1,\n"):
        [found] = diagnose(tmp_path, text)
        assert found.rule == "Y102"
        assert found.line == len(text.splitlines())


def test_d316_scp_never_sending_success(tmp_path: Path) -> None:
    text = edit("          condition: The instance was written to the image store and is listed in the local study "
                "browser.\n", "          sent: false\n")
    assert rules_at(diagnose(tmp_path, text)) == {("D316", text.splitlines().index("          sent: false") + 1)}


def test_d313_allows_an_empty_related_fields_list(tmp_path: Path) -> None:
    # `confgen init` writes related_fields: [] on every SCP row; turning such a row into "not sent" is fine.
    text = edit("          sent: false\n", "          sent: false\n          related_fields: []\n")
    assert diagnose(tmp_path, text) == []


def test_d307_same_related_field_twice(tmp_path: Path) -> None:
    text = edit('related_fields: ["(0000,0902)"]', 'related_fields: [ErrorComment, "(0000,0902)"]')
    assert rules_at(diagnose(tmp_path, text)) == {("D307", line_of(text, "[ErrorComment, "))}


@pytest.mark.parametrize(("written", "split"), [("[(0000,0902)]", True), ('["0000,0902"]', False),
                                               ('["00000902"]', False), ("\n            - 0000,0902", False)])
def test_d311_tag_written_without_its_form(tmp_path: Path, written: str, split: bool) -> None:
    text = edit('related_fields: ["(0000,0902)"]', f"related_fields: {written}")
    found = diagnose(tmp_path, text)
    assert {f.rule for f in found} == {"D311"}
    assert all('write a tag as "(0000,0902)", with its parentheses and in quotes' in f.message for f in found)
    # Only YAML's halves of an unquoted tag in a flow list are said to be split by it.
    assert all(("YAML splits it at the comma" in f.message) == split for f in found)


def test_d310_when_the_corrected_code_is_given_too(tmp_path: Path) -> None:
    text = edit('        "0122": >-', '        "0112": Permanent failure.\n        "0122": >-')
    found = diagnose(tmp_path, text)
    assert rules_at(found) == {("D310", line_of(text, '"0112"'))}, "0122 itself is fine"


@pytest.mark.parametrize(("key", "meant"), [('"A9xx"', "A900-A9FF"), ('"0x0117"', "0117"), ("othre", "other")])
def test_d301_hint_replaces_the_missing_row_diagnostic(tmp_path: Path, key: str, meant: str) -> None:
    original = {"A900-A9FF": '        "A900-A9FF": >-', "0117": '        "0117":', "other": "        other: >-"}[meant]
    text = edit(original, original.replace(original.split(":")[0].strip(), key, 1))
    found = diagnose(tmp_path, text)
    assert rules_at(found) == {("D301", line_of(text, key))}, "one problem, one diagnostic"


@pytest.mark.parametrize(("row_key", "hint"), [
    ('        "B000": Treated as success.', "use 'behavior'"),
    ('        "B007": Treated as success.', "cannot refuse to receive"),
])
def test_s201_keys_of_the_other_role_get_a_hint(tmp_path: Path, row_key: str, hint: str) -> None:
    key = "condition" if "B000" in row_key else "sent"
    value = "x" if key == "condition" else "false"
    text = edit(row_key, f"{row_key.split(':')[0]}:\n          {key}: {value}\n          behavior: Treated as success.")
    found = diagnose(tmp_path, text)
    assert rules_at(found) == {("S201", line_of(text, f"{key}: {value}"))}
    assert hint in found[0].message


def test_s201_behavior_on_an_scp_row_gets_a_hint(tmp_path: Path) -> None:
    text = edit("          condition: The data set cannot", "          behavior: The data set cannot")
    found = diagnose(tmp_path, text)
    assert any("use 'condition'" in f.message for f in found if f.rule == "S201")


def test_s204_version_written_as_text(tmp_path: Path) -> None:
    found = diagnose(tmp_path, edit("confgen: 1", 'confgen: "1"'))
    assert [f.rule for f in found] == ["S204"]
    assert "as the number 1, without quotes" in found[0].message


def test_duplicate_key_the_later_copy_counts(tmp_path: Path) -> None:
    # YAML keeps the later copy; an empty earlier copy must not produce a flood of missing rows.
    text = edit("services:\n", "services:\n  storage: {scu: {statuses: {}}}\n")
    assert rules_at(diagnose(tmp_path, text)) == {("Y104", text.splitlines().index("  storage:") + 1)}


@pytest.mark.parametrize("text", ["Treated as success [if configured].", "Logged when size<limit and x>y."])
def test_s208_ordinary_brackets_are_not_leftovers(tmp_path: Path, text: str) -> None:
    assert diagnose(tmp_path, edit("Treated as success. The warning and any Error Comment are written to the "
                                   "service log.\n        \"B007\"", f"\"{text}\"\n        \"B007\"")) == []


def test_y106_document_with_nothing_in_it(tmp_path: Path) -> None:
    assert rules_at(diagnose(tmp_path, "---\n")) == {("Y106", 1)}


# -- input that once crashed the validator; every one must give diagnostics, never an exception -----------------

@pytest.mark.parametrize(("old", "new"), [
    ("  product: Acme CT", '  product: !!int "[x"'),
    ("  product: Acme CT", '  product: !!float "*x"'),
    ("  product: Acme CT", '  product: !!int "abc"'),
    ("document:\n", 'document: !!int "[x"\nunused:\n'),
    ('related_fields: ["(0000,0902)"]', 'related_fields: !!float "{"'),
    ("          sent: false", '          sent: !!bool "{"'),
    ("          sent: false", '          sent: !!bool "maybe"'),
    ('  product_version: "4.2.0"', "  product_version: " + "1" * 5000),
])
def test_explicitly_tagged_and_huge_scalars(tmp_path: Path, old: str, new: str) -> None:
    found = diagnose(tmp_path, edit(old, new))
    assert found
    assert {f.rule for f in found} <= {"S201", "S202", "S203", "S207"}


def test_control_character_is_one_diagnostic_on_one_line(tmp_path: Path) -> None:
    text = edit("  product: Acme CT", "  product: Acme\x00CT")
    found = diagnose(tmp_path, text)
    assert rules_at(found) == {("Y102", line_of(text, "product: Acme"))}
    assert "U+0000" in found[0].message


def test_line_breaks_in_keys_stay_on_one_line(tmp_path: Path) -> None:
    from confgen.build import check

    path = tmp_path / "p.yaml"
    path.write_text(edit("  product: Acme CT", '  "pro\\nduct": Acme CT'), encoding="utf-8")
    lines = [d.format() for d in check(path).report.sorted()]
    assert any("S201 unknown key 'pro\\nduct'" in line for line in lines)
    assert all("\n" not in line for line in lines)


def test_d305_for_0112_in_an_scp_table(tmp_path: Path) -> None:
    # 0112 is the misprint of Table N.7-42 only; in an SCP table it is PS3.7's No such SOP Instance, which a
    # C-STORE response does not carry.
    text = edit('        "A711":', '        "0112":\n          condition: x\n        "A711":')
    line = line_of(text, '"0112"')
    assert rules_at(diagnose(tmp_path, text)) == {("D305", line)}, "PS3.7 C.5.19 gives 0112 its meaning"


def test_d304_lists_the_classes_from_the_data(tmp_path: Path) -> None:
    text = edit("        other: >-", '        "D000": x\n        other: >-')
    [found] = diagnose(tmp_path, text)
    assert "0000, 0001, B000-BFFF, 0107, 0116, A000-AFFF, C000-CFFF, 0100-01FF, 0200-02FF, FE00, FF00, FF01" in \
        found.message


def test_a_refused_condition_leaves_the_rows_related_fields_checked(tmp_path: Path) -> None:
    # Every problem of a row is told at once: a leftover in the condition (S208) does not hide a field given twice
    # (D307), one that is no DICOM keyword (D311) or a comment Error Comment cannot carry (D321).
    text = edit("          condition: The instance could not be written because the local database is unavailable.\n"
                "          related_fields: [ErrorComment]\n",
                "          condition: TBD\n"
                "          related_fields: [ErrorComment, ErrorComment, NoSuchThing]\n"
                f"          comment: {'x' * 65}\n")
    line = text.splitlines().index("          condition: TBD") + 1
    assert rules_at(diagnose(tmp_path, text)) == {("S208", line), ("D307", line + 1), ("D311", line + 1),
                                                  ("D321", line + 2)}



def test_d321_holds_an_error_comment_to_what_pydicom_says_error_comment_is() -> None:
    # The rule's facts against pydicom's own: Error Comment is LO, and an LO value holds at most 64 characters.
    from pydicom.datadict import dictionary_VR
    from pydicom.valuerep import MAX_VALUE_LEN

    from confgen.rules.dicom import LONG_STRING_LIMIT

    assert dictionary_VR(0x00000902) == "LO"
    assert MAX_VALUE_LEN["LO"] == LONG_STRING_LIMIT


@pytest.mark.parametrize(("comment", "problem"), [
    ("x" * 64, None),
    ("x" * 65, "it has 65 characters, and an LO value at most 64"),
    ("Volume C:\\\\images is full", "it has a backslash"),
    ("Größe überschritten", "it has ößü, outside the default repertoire"),
])
def test_d321_an_error_comment_the_field_cannot_carry(tmp_path: Path, comment: str, problem: str | None) -> None:
    row = "          condition: The data set cannot be parsed (truncated or malformed encoding).\n"
    text = edit(row, f'{row}          comment: "{comment}"\n')
    found = [f for f in diagnose(tmp_path, text) if f.rule == "D321"]
    assert [f.line for f in found] == ([] if problem is None else [line_of(text, "comment: ")])
    assert problem is None or problem in found[0].message
