"""The packaged standard data, checked against the standard's rules as the standard states them."""

from __future__ import annotations

import re

import pytest
import yaml
from pydicom import datadict

from confgen.resources import STANDARD_DIR
from confgen.standard import CodeRange, available_editions, load_standard

STANDARD = load_standard("2024d")


def ps37_class(code: int) -> str | None:
    """PS3.7 Annex C's class table, written out independently of the data file."""
    high, low = code >> 8, code & 0xFF
    if code == 0x0000:
        return "Success"
    if code in (0x0001, 0x0107, 0x0116) or 0xB0 <= high <= 0xBF:
        return "Warning"
    if 0xA0 <= high <= 0xAF or 0xC0 <= high <= 0xCF or high in (0x01, 0x02):
        return "Failure"
    if code == 0xFE00:
        return "Cancel"
    if high == 0xFF and low in (0x00, 0x01):
        return "Pending"
    return None


def test_status_class_of_every_code_follows_ps37_annex_c() -> None:
    mismatches = [f"{code:04X}" for code in range(0x10000) if STANDARD.status_class(code) != ps37_class(code)]
    assert mismatches == []


def test_c_store_statuses_are_ps37_9_1_1_1_9_and_ps34_table_b_2_1() -> None:
    fixed = {0x0000, 0x0117, 0x0122, 0x0124, 0x0210, 0x0211, 0x0212}
    specific = {0xB000, 0xB006, 0xB007} | set(range(0xA700, 0xA800)) | set(range(0xA900, 0xAA00)) \
        | set(range(0xC000, 0xD000))
    defined = {code for code in range(0x10000) if STANDARD.meaning("storage", code) is not None}
    assert defined == fixed | specific, "0110 and 0213, for one, are statuses of DIMSE-N only"


@pytest.mark.parametrize(("code", "fields"), [
    (0x0000, ()),
    (0xA7A0, (0x0902,)),
    (0xA901, (0x0901, 0x0902)),
    (0xC123, (0x0901, 0x0902)),
    (0xB006, (0x0901, 0x0902)),
    (0x0122, (0x0902,)),
    (0x0117, (0x1000,)),
    (0x0210, ()),
    (0x0110, (0x0002, 0x0902, 0x0903, 0x1000)),  # not C-STORE, but PS3.7 C.5.21 lists its fields
    (0xB00E, (0x0901, 0x0902)),  # a service-specific warning: PS3.7 C.4.1
    (0xA800, (0x0901, 0x0902)),  # a service-specific failure: PS3.7 C.5.3
])
def test_expected_related_fields(code: int, fields: tuple[int, ...]) -> None:
    assert STANDARD.expected_fields("storage", code) == fields


def normalised(meaning: str) -> str:
    return meaning.casefold().removeprefix("refused: ").removeprefix("error: ")


def test_template_rows_agree_with_ps34_and_ps37() -> None:
    # A transcription slip (B006 and B007 swapped, a wrong range) shows up as a meaning that disagrees.
    for table in STANDARD.services["storage"].roles.values():
        for row in table.rows:
            defined = STANDARD.meaning("storage", row.codes.first)
            assert defined is not None, f"{table.table} {row.codes}"
            assert normalised(row.meaning) == normalised(defined.meaning), f"{table.table} {row.codes}"
            assert STANDARD.meaning("storage", row.codes.last) == defined, "a range has one meaning"


def test_table_n7_42_rows_as_printed_with_the_ps37_corrections() -> None:
    table = STANDARD.services["storage"].roles["scu"]
    assert table.table == "N.7-42"
    assert len(table.rows) == 13
    assert table.other is not None
    assert [str(row.codes) for row in table.rows] == [
        "0000", "B000", "B007", "B006", "0122", "0117", "0210", "0211", "0212", "0124",
        "A700-A7FF", "A900-A9FF", "C000-CFFF"]
    corrected = {str(row.codes): row.printed for row in table.rows if row.printed}
    assert corrected == {"0122": "0112", "0124": "0214"}
    assert STANDARD.status_class(0x0214) == "Failure"
    assert STANDARD.meaning("storage", 0x0214) is None
    assert STANDARD.general_meaning(0x0112) == "No such SOP Instance"


def test_table_n7_43_rows_are_concrete_codes() -> None:
    table = STANDARD.services["storage"].roles["scp"]
    assert table.table == "N.7-43"
    assert table.other is None
    assert table.has_related_fields
    assert [str(row.codes) for row in table.rows] == ["0000", "B000", "B007", "B006", "A700", "A901", "C000"]


def all_tags(data: object) -> list[str]:
    """Every "(gggg,eeee)" anywhere in the data, whatever its group."""
    if isinstance(data, dict):
        return [tag for value in data.values() for tag in all_tags(value)]
    if isinstance(data, list):
        return [tag for value in data for tag in all_tags(value)]
    return [data] if isinstance(data, str) and re.fullmatch(r"\([0-9A-F]{4},[0-9A-F]{4}\)", data) else []


def test_every_related_field_in_the_data_is_a_command_element_pydicom_knows() -> None:
    tags = [tag for name in ("ps3.4.yaml", "ps3.7.yaml") for tag in all_tags(yaml.safe_load(
        (STANDARD_DIR / name).read_text(encoding="utf-8")))]
    assert len(tags) > 20
    for tag in tags:
        value = int(tag[1:5] + tag[6:10], 16)
        assert value >> 16 == 0, f"{tag} is not in the command group"
        assert datadict.dictionary_has_tag(value), tag


def test_every_fact_cites_its_source() -> None:
    ps37 = yaml.safe_load((STANDARD_DIR / "ps3.7.yaml").read_text(encoding="utf-8"))
    assert all(entry["source"].startswith("PS3.7 ") for entry in ps37["general_statuses"])
    assert all(entry["source"].startswith("PS3.7 ") for entry in ps37["dimse_fixed_codes"].values())
    assert ps37["status_classes"]["source"].startswith("PS3.7 ")
    ps34 = yaml.safe_load((STANDARD_DIR / "ps3.4.yaml").read_text(encoding="utf-8"))
    assert all("Table B.2-1" in service["source"] for service in ps34["service_classes"].values())
    for edition in available_editions():
        ps32 = yaml.safe_load((STANDARD_DIR / f"ps3.2-{edition}.yaml").read_text(encoding="utf-8"))
        for service in ps32["services"].values():
            assert service["source"].startswith("PS3.2 ")
            assert all(f"Table {role['table']}" in role["source"] for role in service["roles"].values())


def test_code_range_parsing() -> None:
    assert CodeRange.parse("a7a0") == CodeRange(0xA7A0, 0xA7A0)
    assert str(CodeRange.parse("a700-a7ff")) == "A700-A7FF"
    for bad in ("A7FF-A700", "12345", "A7xx", "", "A700-", "0x0122", "A7\ufb00", "A700-A7\ufb00"):
        assert CodeRange.parse(bad) is None, bad


def test_the_dictionary_read_without_importing_pydicom_is_pydicoms() -> None:
    from pydicom import __version__ as pydicom_version
    from pydicom.datadict import get_entry, keyword_dict

    from confgen import dictionary

    entries = dictionary._entries()
    tags = keyword_dict.values()
    assert {tag: entries[tag] for tag in tags} == {tag: get_entry(tag) for tag in tags}
    assert dictionary.dictionary_version() == pydicom_version
