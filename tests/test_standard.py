"""The packaged standard data, checked against the standard's rules as the standard states them."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from conftest import ROOT
from pydicom import datadict

from confgen.resources import STANDARD_DIR
from confgen.standard import CodeRange, TemplateTable, available_editions, load_standard

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


STORAGE_SCU, STORAGE_SCP = STANDARD.services["storage"].tables


def test_c_store_statuses_are_ps37_9_1_1_1_9_and_ps34_table_b_2_1() -> None:
    fixed = {0x0000, 0x0117, 0x0122, 0x0124, 0x0210, 0x0211, 0x0212}
    specific = {0xB000, 0xB006, 0xB007} | set(range(0xA700, 0xA800)) | set(range(0xA900, 0xAA00)) \
        | set(range(0xC000, 0xD000))
    defined = {code for code in range(0x10000) if STANDARD.meaning(STORAGE_SCU, code) is not None}
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
    assert STANDARD.expected_fields(STORAGE_SCP, code) == fields


def test_a_pending_status_names_the_identifier_as_the_standard_does() -> None:
    [worklist_scp] = STANDARD.services["worklist"].tables_of("scp")
    assert STANDARD.expected_fields(worklist_scp, 0xFF00) == ("Identifier",)
    assert STANDARD.meaning(worklist_scp, 0xC123) is not None, "Cxxx, K.4-1"
    assert STANDARD.meaning(STORAGE_SCP, 0xFF00) is None, "C-STORE has no Pending"


def normalised(meaning: str) -> str:
    return " ".join(re.sub(r"^(refused|error|failed): ", "", meaning.casefold()).replace("-", " ").split())


TABLES = {table.table: table for table in STANDARD.tables()}


@pytest.mark.parametrize("name", TABLES)
def test_every_row_is_a_status_of_its_tables_dimse(name: str) -> None:
    # A transcription slip (a wrong code, a range for a concrete code) shows up as a code the standard does not give
    # the DIMSE, or one of another class.
    table = TABLES[name]
    for row in table.rows:
        defined = STANDARD.meaning(table, row.codes.first)
        assert defined is not None, f"{row.codes} is not a status of {table.dimse}"
        assert STANDARD.meaning(table, row.codes.last) == defined, "a range has one meaning"
        status_class = STANDARD.status_class(row.codes.first)
        assert row.status in (status_class, "Refused"), f"{row.codes}: {row.status}, not {status_class}"
        if row.status == "Refused":
            assert status_class == "Failure"
            assert row.meaning.startswith("Refused")
    corrected = [row for row in table.rows if row.printed or row.printed_status]
    for row in corrected:
        assert row.correction, "a correction is printed as a note"
        assert f"Table {table.table}" in row.correction
    assert len({row.codes for row in table.rows}) == len(table.rows), "one row per code"


@pytest.mark.parametrize("name", TABLES)
def test_every_table_is_placed_and_shaped_as_its_role_asks(name: str) -> None:
    table = TABLES[name]
    service = STANDARD.services[table.service]
    assert table.number.startswith(service.number + ".")
    assert table.columns[:2] == ("Service Status", "Further Meaning")
    assert table.columns[-1].startswith("Behavior" if table.kind == "behavior" else "Condition")
    assert (table.role == "scu") == (table.kind == "behavior")
    assert (table.other is not None) == (table.role == "scu"), "an SCU table ends with Other Status Codes"
    assert not (table.role == "scu" and table.has_related_fields)
    if table.role == "scp":
        assert all(row.codes.is_code for row in table.rows), "an SCP sends concrete codes"
    assert "{table}" in table.text
    assert table.dimse in table.heading


def test_tables_are_numbered_in_the_templates_order() -> None:
    numbers = [int(table.table.removeprefix("N.7-")) for table in STANDARD.tables()]
    assert numbers == sorted(numbers)
    sections = [tuple(map(int, table.number.removeprefix("N.").split("."))) for table in STANDARD.tables()]
    assert sections == sorted(sections)
    assert len(set(sections)) == len(sections)


# Every fact of the template that was not read, by table: the data marks each as derived, with what it was
# derived from. A table read in a copy of the template replaces its derived facts, and this list shrinks.
DERIVED = {
    "N.7-11": {"columns", "rows"},
    "N.7-13": {"title", "columns", "rows"},
    "N.7-14": {"number", "heading", "title", "text", "columns", "rows"},
    "N.7-15": {"number", "heading", "title", "text", "columns", "rows"},
    "N.7-41": {"columns", "rows"},
    "N.7-45": {"title", "columns", "rows"},
    "N.7-46": {"number", "heading", "title", "text", "columns", "rows"},
    "N.7-47": {"number", "heading", "title", "text", "columns", "rows"},
    "N.7-49": {"title", "columns", "rows"},
    "N.7-50": {"number", "heading", "title", "text", "columns", "rows"},
    "N.7-51": {"number", "heading", "title", "text", "columns", "rows"},
}


def test_every_derived_fact_is_listed_and_says_what_it_came_from() -> None:
    assert {name: set(table.derived) for name, table in TABLES.items() if table.derived} == DERIVED
    for table in TABLES.values():
        assert all(len(source) > 20 for source in table.derived.values()), table.table
    assert set(STANDARD.services["mpps"].derived) == {"title"}, "N.7.3.2.2's heading was not read"
    assert not any(service.derived for key, service in STANDARD.services.items() if key != "mpps")
    assert not any(table.derived for table in STANDARD.communication_failures.values())


_ORDER = ("Success", "Warning", "Failure", "Cancel", "Pending")


def derived_rows(table: TemplateTable) -> list[tuple[str, str, str]]:
    """The rows the data's header says a table that was not read has, worked out from PS3.4 and PS3.7."""
    ps34 = yaml.safe_load((STANDARD_DIR / "ps3.4.yaml").read_text(encoding="utf-8"))
    ps37 = yaml.safe_load((STANDARD_DIR / "ps3.7.yaml").read_text(encoding="utf-8"))
    specific = ps34["service_classes"][table.service_class]["dimses"][table.dimse]["statuses"]
    own = [status["code"] for status in specific]
    rows = {}
    if table.role == "scu":
        general = {entry["code"]: entry for entry in ps37["general_statuses"]}
        listed = ps37["dimse_fixed_codes"][table.dimse]["codes"]
        rows = {code: (general[code]["class"], general[code]["meaning"], code) for code in listed}
    elif "0000" not in own:
        rows["0000"] = ("Success", "Success", "0000")
    for status in specific:
        code = status["code"] if table.role == "scu" else status["code"][:4]
        rows[status["code"]] = (status["class"], status["meaning"], code)
    listed_by_ps37 = set(ps37["dimse_fixed_codes"][table.dimse]["codes"]) if table.role == "scu" else set()

    def order(row: tuple[str, str, str]) -> tuple[int, int, int]:
        code = row[2]
        only_ps34 = code in own and code not in listed_by_ps37
        return _ORDER.index(row[0]), 0 if only_ps34 else 1, own.index(code) if only_ps34 else int(code[:4], 16)

    return sorted(rows.values(), key=order) if table.role == "scu" else \
        sorted(rows.values(), key=lambda row: (_ORDER.index(row[0]), (["0000", *own]).index(row[2]) if row[2] in
                                               ("0000", *own) else own.index(row[2] + "-" + row[2][0] + "FFF")))


@pytest.mark.parametrize("name", [name for name, facts in DERIVED.items() if "rows" in facts])
def test_derived_rows_follow_the_rule_in_the_data(name: str) -> None:
    table = TABLES[name]
    assert [(row.status, row.meaning, str(row.codes)) for row in table.rows] == derived_rows(table)


REFERENCE = ROOT.parent / "shared" / "reference" / "n7" / "ps3.2-n7-tables.yaml"


@pytest.mark.skipif(not REFERENCE.is_file(), reason="the team's reference notes are beside the repository only")
def test_read_tables_are_the_reference_transcription() -> None:
    # The tables read in full, cell for cell as the reference transcribed them; where the standard wins, the row
    # records what the template printed.
    reference = {table["table"]: table for table in yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))["tables"]}
    checked = 0
    for name, table in TABLES.items():
        read = reference[name]
        if read["read_status"] != "complete":
            continue
        printed = []
        status = ""
        for row in read["rows"]:
            status = row["service_status"] or status
            if row["status_code"] != "anything else":
                printed.append((status, row["further_meaning"], row["status_code"]))
        ours = []
        for row in table.rows:
            for printed_status in (row.printed_status or row.status).split(", and again under "):
                ours.append((printed_status, row.meaning, row.printed or str(row.codes)))
        assert sorted(ours) == sorted(printed), name
        assert table.title == read["title"]
        assert table.heading == read["section_heading"]
        assert list(table.columns) == read["columns"]
        assert " ".join(table.text.replace("{table}", f"Table {name}").split()) == \
            " ".join(read["intro_sentence"].split())
        checked += 1
    assert checked == 6  # N.7-10, N.7-12, N.7-40, N.7-42, N.7-44, N.7-48


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
    for service in ps34["service_classes"].values():
        assert all(re.match(r"PS3\.4 (20\d\d[a-e] )?(Table|[A-Z]\.)", dimse["source"])
                   for dimse in service["dimses"].values())
    for edition in available_editions():
        standard = load_standard(edition)
        for service in standard.services.values():
            assert service.source.startswith("PS3.2 ")
            assert all(table.source.startswith("PS3.2 ") and table.table in table.source for table in service.tables)
        for failures in standard.communication_failures.values():
            assert f"Table {failures.table}" in failures.source


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

    # The command elements, read from the first lines of the module alone, are pydicom's group 0000.
    dictionary._commands.cache_clear()
    commands = dictionary._commands()
    assert commands == {tag: get_entry(tag) for tag in tags if tag >> 16 == 0}
    assert len(commands) > 40


def test_command_elements_are_read_without_the_whole_dictionary(tmp_path: Path) -> None:
    # A profile whose related fields are all command elements never loads the whole dictionary; one that names a
    # data element does, to say what it is.
    import subprocess
    import sys

    from conftest import EXAMPLE, edit

    code = ("import sys; from pathlib import Path; from confgen import dictionary; from confgen.build import check; "
            "report = check(Path(sys.argv[1])).report; "
            "print(len(report.diagnostics), dictionary._entries.cache_info().currsize)")
    data_element = tmp_path / "data-element.yaml"
    data_element.write_text(edit('related_fields: ["(0000,0902)"]', "related_fields: [PatientName]"),
                            encoding="utf-8")
    runs = [subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True).stdout
            for path in (EXAMPLE, data_element)]
    assert runs == ["0 0\n", "1 1\n"]


# -- the standard's data, precompiled ------------------------------------------------------------------------------


def test_the_compiled_data_is_the_yamls() -> None:
    from confgen import standard as standard_module

    shipped = (STANDARD_DIR / standard_module.COMPILED).read_text(encoding="utf-8")
    assert shipped == standard_module.compiled_text(), "regenerate it: python -m confgen.standard"
    # And JSON lost nothing on the way (a key that is no text, a date): what it holds is what YAML reads.
    compiled = json.loads(shipped)
    for name in sorted(path.name for path in STANDARD_DIR.glob("*.yaml")):
        assert compiled["data"][name] == yaml.safe_load((STANDARD_DIR / name).read_text(encoding="utf-8")), name
    assert sorted(compiled["sources"]) == sorted(compiled["data"])


@pytest.fixture
def standard_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    from confgen import standard as standard_module

    copy = tmp_path / "standard"
    shutil.copytree(STANDARD_DIR, copy)
    monkeypatch.setattr(standard_module, "STANDARD_DIR", copy)
    load_standard.cache_clear()
    yield copy
    load_standard.cache_clear()


def test_an_edited_yaml_file_is_read_itself(standard_copy: Path) -> None:
    # The YAML is edited and compiled.json is not written anew: the edit counts at once, the compiled data of the
    # other files is still used (shown by changing it, which the real file never would be).
    ps32 = standard_copy / "ps3.2-2024d.yaml"
    text = ps32.read_text(encoding="utf-8")
    assert 'title: "Storage Service"' in text
    ps32.write_text(text.replace('title: "Storage Service"', 'title: "Storage Service!"', 1), encoding="utf-8")
    compiled = json.loads((standard_copy / "compiled.json").read_text(encoding="utf-8"))
    compiled["data"]["ps3.2-2024d.yaml"]["services"]["storage"]["title"] = "stale"
    compiled["data"]["ps3.4.yaml"]["service_classes"]["storage"]["dimses"]["C-STORE"]["source"] = "from compiled.json"
    (standard_copy / "compiled.json").write_text(json.dumps(compiled), encoding="utf-8")
    standard = load_standard("2024d")
    assert standard.services["storage"].title == "Storage Service!"
    meaning = standard.meaning(standard.services["storage"].tables[0], 0xA700)
    assert meaning is not None
    assert meaning.source == "from compiled.json"


@pytest.mark.parametrize("damage", ["missing", "not JSON", "not an object"])
def test_without_compiled_data_the_yaml_is_read(standard_copy: Path, damage: str) -> None:
    compiled = standard_copy / "compiled.json"
    if damage == "missing":
        compiled.unlink()
    else:
        compiled.write_text("{" if damage == "not JSON" else "[]", encoding="utf-8")
    assert load_standard("2024d") == STANDARD
